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

/// Draws the window's current state at `size` into `frame` (resized to
/// fit), as a display's frame buffer is drawn: every pixel, 16 bits each.
pub fn draw_frame(
    window: &MinimalSoftwareWindow,
    size: PhysicalSize,
    frame: &mut Vec<Rgb565Pixel>,
) {
    window.set_size(size);
    slint::platform::update_timers_and_animations();
    let w = size.width as usize;
    frame.resize(w * size.height as usize, Rgb565Pixel(0));
    // Twice: the first pass lays out lazily created elements.
    for _ in 0..2 {
        window.request_redraw();
        window.draw_if_needed(|renderer| {
            renderer.set_repaint_buffer_type(RepaintBufferType::NewBuffer);
            renderer.render(frame, w);
        });
    }
}

/// The two frame buffers of a double-buffered display, drawn in turn.
#[derive(Default)]
pub struct SwappedBuffers {
    frames: [Vec<Rgb565Pixel>; 2],
    next: usize,
}

/// Draws one frame as the kiosk's linuxkms software output does on a
/// double-buffered display: into the buffer shown two frames ago,
/// repainting only what changed since then (nothing if nothing did).
/// Returns the pixels repainted.
pub fn draw_swapped_frame(
    window: &MinimalSoftwareWindow,
    size: PhysicalSize,
    buffers: &mut SwappedBuffers,
) -> u64 {
    window.set_size(size);
    slint::platform::update_timers_and_animations();
    let w = size.width as usize;
    let frame = &mut buffers.frames[buffers.next];
    frame.resize(w * size.height as usize, Rgb565Pixel(0));
    let mut drawn = 0;
    window.draw_if_needed(|renderer| {
        renderer.set_repaint_buffer_type(RepaintBufferType::SwappedBuffers);
        let region = renderer.render(frame, w);
        drawn = region
            .iter()
            .map(|(_, s)| u64::from(s.width) * u64::from(s.height))
            .sum();
    });
    buffers.next ^= 1;
    drawn
}

/// A 16-bit pixel as 8-bit red, green and blue.
fn rgb_of(p: Rgb565Pixel) -> [u8; 3] {
    let v = p.0;
    let r = ((v >> 11) & 0x1f) as u8;
    let g = ((v >> 5) & 0x3f) as u8;
    let b = (v & 0x1f) as u8;
    [
        (r << 3) | (r >> 2),
        (g << 2) | (g >> 4),
        (b << 3) | (b >> 2),
    ]
}

/// Renders the window's current state at `size` into RGB bytes.
pub fn render(window: &MinimalSoftwareWindow, size: PhysicalSize) -> Vec<u8> {
    let mut frame = Vec::new();
    draw_frame(window, size, &mut frame);
    frame.into_iter().flat_map(rgb_of).collect()
}

/// Renders the window's current state at `size` into a PNG, converting one
/// row at a time (`kiosk --screenshot`: the process then holds one 16-bit
/// frame, as on a display, not a second 24-bit copy of it).
pub fn render_png(
    window: &MinimalSoftwareWindow,
    size: PhysicalSize,
    path: &Path,
) -> anyhow::Result<()> {
    let mut frame = Vec::new();
    draw_frame(window, size, &mut frame);
    let file = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut enc = png::Encoder::new(file, size.width, size.height);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let mut w = enc.write_header()?;
    let mut rows = w.stream_writer()?;
    let mut row = Vec::with_capacity(size.width as usize * 3);
    for line in frame.chunks(size.width as usize) {
        row.clear();
        row.extend(line.iter().flat_map(|p| rgb_of(*p)));
        std::io::Write::write_all(&mut rows, &row)?;
    }
    rows.finish()?;
    Ok(())
}

/// Full-frame render times of the window's current state at `size`, `n`
/// renders sorted (the kiosk bench's and `kiosk --screenshot --frames`'s
/// measure): median and slowest. Every render draws the whole frame into
/// one buffer, as on a display, with no conversion for a PNG.
pub fn time_frames(
    window: &MinimalSoftwareWindow,
    size: PhysicalSize,
    n: usize,
) -> (std::time::Duration, std::time::Duration) {
    let mut frame = Vec::new();
    let mut took: Vec<std::time::Duration> = (0..n.max(1))
        .map(|_| {
            let start = std::time::Instant::now();
            draw_frame(window, size, &mut frame);
            std::hint::black_box(&frame);
            start.elapsed()
        })
        .collect();
    took.sort();
    (took[took.len() / 2], took[took.len() - 1])
}
