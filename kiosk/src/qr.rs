//! QR codes (model 2) for 扫码带走, as images the UI can show.

use qrcodegen::{QrCode, QrCodeEcc};
use slint::{Image, Rgb8Pixel, SharedPixelBuffer};

/// Pixels per QR module and the quiet zone in modules.
const SCALE: u32 = 8;
const QUIET: u32 = 4;

/// The QR code of `text` as a black-on-white image; `None` if the text is
/// too long for a QR code.
pub fn qr_image(text: &str) -> Option<Image> {
    let qr = QrCode::encode_text(text, QrCodeEcc::Medium).ok()?;
    let modules = qr.size() as u32;
    let dim = (modules + 2 * QUIET) * SCALE;
    let mut buf = SharedPixelBuffer::<Rgb8Pixel>::new(dim, dim);
    let white = Rgb8Pixel {
        r: 255,
        g: 255,
        b: 255,
    };
    let black = Rgb8Pixel { r: 0, g: 0, b: 0 };
    let pixels = buf.make_mut_slice();
    for y in 0..dim {
        for x in 0..dim {
            let mx = (x / SCALE) as i32 - QUIET as i32;
            let my = (y / SCALE) as i32 - QUIET as i32;
            let dark = mx >= 0 && my >= 0 && qr.get_module(mx, my);
            pixels[(y * dim + x) as usize] = if dark { black } else { white };
        }
    }
    Some(Image::from_rgb8(buf))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_fit_and_huge_text_does_not() {
        let img =
            qr_image("https://www.yunxi.gov.example/gk/item/990521-0123456789abcdef").unwrap();
        assert!(img.size().width >= 21 * SCALE);
        assert!(qr_image(&"很".repeat(3000)).is_none());
    }
}
