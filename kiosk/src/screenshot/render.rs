//! An offscreen platform for `kiosk --screenshot` and the benchmarks: a page
//! drawn with Slint's software renderer into a PNG, with no display at all.

use std::path::Path;
use std::rc::Rc;

use slint::PhysicalSize;
use slint::platform::software_renderer::{MinimalSoftwareWindow, RepaintBufferType, Rgb565Pixel};
use slint::platform::{Platform, WindowAdapter};

/// A platform whose only window is drawn in memory.
pub struct OffscreenPlatform {
    window: Rc<MinimalSoftwareWindow>,
    start: std::time::Instant,
}

impl OffscreenPlatform {
    pub fn new() -> (OffscreenPlatform, Rc<MinimalSoftwareWindow>) {
        let window = MinimalSoftwareWindow::new(RepaintBufferType::NewBuffer);
        (
            OffscreenPlatform {
                window: window.clone(),
                start: std::time::Instant::now(),
            },
            window,
        )
    }
}

impl Platform for OffscreenPlatform {
    fn create_window_adapter(&self) -> Result<Rc<dyn WindowAdapter>, slint::PlatformError> {
        Ok(self.window.clone())
    }

    fn duration_since_start(&self) -> std::time::Duration {
        self.start.elapsed()
    }
}

/// Renders the window's current state at `size` into RGB bytes.
pub fn render(window: &MinimalSoftwareWindow, size: PhysicalSize) -> Vec<u8> {
    window.set_size(size);
    slint::platform::update_timers_and_animations();
    let (w, h) = (size.width as usize, size.height as usize);
    let mut buffer = vec![Rgb565Pixel(0); w * h];
    // Twice: the first pass lays out lazily created elements.
    for _ in 0..2 {
        window.request_redraw();
        window.draw_if_needed(|renderer| {
            renderer.render(&mut buffer, w);
        });
    }
    let mut rgb = Vec::with_capacity(w * h * 3);
    for p in buffer {
        let v = p.0;
        let r = ((v >> 11) & 0x1f) as u8;
        let g = ((v >> 5) & 0x3f) as u8;
        let b = (v & 0x1f) as u8;
        rgb.extend_from_slice(&[
            (r << 3) | (r >> 2),
            (g << 2) | (g >> 4),
            (b << 3) | (b >> 2),
        ]);
    }
    rgb
}

/// Full-frame render times of the window's current state at `size`, `n`
/// renders sorted (the kiosk bench's and `kiosk --screenshot --frames`'s
/// measure): median and slowest.
pub fn time_frames(
    window: &MinimalSoftwareWindow,
    size: PhysicalSize,
    n: usize,
) -> (std::time::Duration, std::time::Duration) {
    let mut took: Vec<std::time::Duration> = (0..n.max(1))
        .map(|_| {
            let start = std::time::Instant::now();
            std::hint::black_box(render(window, size));
            start.elapsed()
        })
        .collect();
    took.sort();
    (took[took.len() / 2], took[took.len() - 1])
}

/// Writes RGB bytes as a PNG.
pub fn write_png(path: &Path, size: PhysicalSize, rgb: &[u8]) -> anyhow::Result<()> {
    let file = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut enc = png::Encoder::new(file, size.width, size.height);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let mut w = enc.write_header()?;
    w.write_image_data(rgb)?;
    Ok(())
}
