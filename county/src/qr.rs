//! Provisioning QR codes as the county shows them: text for a terminal
//! (Unicode half blocks, two rows of modules per line) and SVG for paper
//! or a page. The code itself is `disclosure::provisioning`.

use qrcodegen::{QrCode, QrCodeEcc};

/// Modules of light margin around the code (the standard asks for 4).
const QUIET: i32 = 4;

#[derive(Debug, thiserror::Error)]
#[error("开通码太长，放不进二维码")]
pub struct TooLong;

fn encode(text: &str) -> Result<QrCode, TooLong> {
    QrCode::encode_text(text, QrCodeEcc::Medium).map_err(|_| TooLong)
}

/// The code for a terminal with light text on a dark background (most
/// terminals): light modules are drawn, dark ones left blank, so what the
/// scanner sees is dark on light. `▀`, `▄`, `█` and space each stand for
/// two modules, one above the other.
pub fn terminal_text(text: &str) -> Result<String, TooLong> {
    let qr = encode(text)?;
    let size = qr.size();
    let light =
        |x: i32, y: i32| !(0..size).contains(&x) || !(0..size).contains(&y) || !qr.get_module(x, y);
    let mut out = String::new();
    let mut y = -QUIET;
    while y < size + QUIET {
        for x in -QUIET..size + QUIET {
            out.push(
                match (light(x, y), y + 1 >= size + QUIET || light(x, y + 1)) {
                    (true, true) => '█',
                    (true, false) => '▀',
                    (false, true) => '▄',
                    (false, false) => ' ',
                },
            );
        }
        out.push('\n');
        y += 2;
    }
    Ok(out)
}

/// The code as an SVG image, dark on white, one unit per module.
pub fn svg(text: &str) -> Result<String, TooLong> {
    let qr = encode(text)?;
    let size = qr.size();
    let mut path = String::new();
    for y in 0..size {
        for x in 0..size {
            if qr.get_module(x, y) {
                path.push_str(&format!("M{},{}h1v1h-1z", x + QUIET, y + QUIET));
            }
        }
    }
    let side = size + 2 * QUIET;
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {side} {side}\" \
         width=\"{w}\" height=\"{w}\" shape-rendering=\"crispEdges\" role=\"img\" \
         aria-label=\"终端开通二维码\"><rect width=\"{side}\" height=\"{side}\" fill=\"#fff\"/>\
         <path d=\"{path}\" fill=\"#000\"/></svg>",
        w = side * 4
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_terminal_picture_is_the_code() {
        let text = "GKPROV1:https://gk.example/|990521|1|a|0000-0000-0000|";
        let qr = encode(text).unwrap();
        let pic = terminal_text(text).unwrap();
        let lines: Vec<Vec<char>> = pic.lines().map(|l| l.chars().collect()).collect();
        let side = (qr.size() + 2 * QUIET) as usize;
        assert_eq!(lines.len(), side.div_ceil(2));
        // Reading the half blocks back gives every module.
        for y in 0..qr.size() {
            for x in 0..qr.size() {
                let (row, col) = (((y + QUIET) / 2) as usize, (x + QUIET) as usize);
                let c = lines[row][col];
                let upper = (y + QUIET) % 2 == 0;
                let light = match c {
                    '█' => true,
                    ' ' => false,
                    '▀' => upper,
                    '▄' => !upper,
                    _ => panic!("{c:?}"),
                };
                assert_eq!(light, !qr.get_module(x, y), "({x}, {y})");
            }
        }
        assert!(lines.iter().all(|l| l.len() == side));
        let s = svg(text).unwrap();
        assert!(s.starts_with("<svg") && s.ends_with("</svg>"));
        assert_eq!(
            s.matches("h1v1h-1z").count(),
            (0..qr.size())
                .flat_map(|y| (0..qr.size()).map(move |x| (x, y)))
                .filter(|&(x, y)| qr.get_module(x, y))
                .count()
        );
    }
}
