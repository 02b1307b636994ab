//! Text rendered with the UI's font (Noto Sans CJK SC) into 1-bit images,
//! for printers without a Chinese font and for characters outside GBK; the
//! `GS v 0` raster command that prints them; and PNG output of bitmaps.

use std::path::{Path, PathBuf};

use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};

/// A 1-bit image, one byte per dot (0 white, 1 black), row by row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bitmap {
    pub width: u32,
    pub height: u32,
    pub dots: Vec<u8>,
}

impl Bitmap {
    pub fn new(width: u32, height: u32) -> Bitmap {
        Bitmap {
            width,
            height,
            dots: vec![0; (width * height) as usize],
        }
    }

    pub fn get(&self, x: u32, y: u32) -> bool {
        x < self.width && y < self.height && self.dots[(y * self.width + x) as usize] != 0
    }

    pub fn set(&mut self, x: u32, y: u32) {
        if x < self.width && y < self.height {
            self.dots[(y * self.width + x) as usize] = 1;
        }
    }

    /// Copies `other` with its top-left corner at (`x`, `y`).
    pub fn blit(&mut self, other: &Bitmap, x: u32, y: u32) {
        for oy in 0..other.height {
            for ox in 0..other.width {
                if other.get(ox, oy) {
                    self.set(x + ox, y + oy);
                }
            }
        }
    }

    /// The number of black dots (tests check that glyphs were drawn).
    pub fn ink(&self) -> usize {
        self.dots.iter().filter(|d| **d != 0).count()
    }

    /// `GS v 0`, in bands of at most 256 rows (printers' buffers are small).
    pub fn gs_v0(&self) -> Vec<u8> {
        let bytes_per_row = self.width.div_ceil(8);
        let mut out = Vec::new();
        let mut y0 = 0;
        while y0 < self.height {
            let rows = (self.height - y0).min(256);
            out.extend_from_slice(&[
                0x1D,
                b'v',
                b'0',
                0,
                (bytes_per_row & 0xFF) as u8,
                (bytes_per_row >> 8) as u8,
                (rows & 0xFF) as u8,
                (rows >> 8) as u8,
            ]);
            for y in y0..y0 + rows {
                for bx in 0..bytes_per_row {
                    let mut byte = 0u8;
                    for bit in 0..8 {
                        if self.get(bx * 8 + bit, y) {
                            byte |= 0x80 >> bit;
                        }
                    }
                    out.push(byte);
                }
            }
            y0 += rows;
        }
        out
    }

    /// Writes the bitmap as a greyscale PNG, `scale` pixels per dot, black
    /// dots slightly soft on warm white paper.
    pub fn write_png(&self, path: &Path, scale: u32) -> std::io::Result<()> {
        let scale = scale.max(1);
        let (w, h) = (self.width * scale, self.height * scale);
        let mut data = Vec::with_capacity((w * h) as usize);
        for y in 0..h {
            for x in 0..w {
                data.push(if self.get(x / scale, y / scale) {
                    40
                } else {
                    247
                });
            }
        }
        let file = std::fs::File::create(path)?;
        let mut enc = png::Encoder::new(std::io::BufWriter::new(file), w, h);
        enc.set_color(png::ColorType::Grayscale);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().map_err(std::io::Error::other)?;
        writer
            .write_image_data(&data)
            .map_err(std::io::Error::other)?;
        writer.finish().map_err(std::io::Error::other)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FontError {
    #[error("无法读取打印字体 {path}：{source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("打印字体 {path} 中没有“{family}”")]
    NoFamily { path: PathBuf, family: String },
    #[error("打印字体 {path} 无法使用")]
    Invalid { path: PathBuf },
}

/// The font text is rasterised with: one face of a font file, mapped
/// rather than read, so that only the pages of the glyphs drawn are
/// resident (Noto Sans CJK is 19 MB; read into the heap it was the largest
/// part of the kiosk's memory).
pub struct RasterFont {
    data: memmap2::Mmap,
    index: u32,
}

impl std::fmt::Debug for RasterFont {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RasterFont")
    }
}

/// Where Debian's fonts-noto-cjk puts the font the UI uses.
pub const DEFAULT_FONT_FILE: &str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";
pub const DEFAULT_FONT_FAMILY: &str = "Noto Sans CJK SC";

impl RasterFont {
    /// Loads the face of `family` from `path` (a .ttc collection or a
    /// single font file).
    pub fn load(path: &Path, family: &str) -> Result<RasterFont, FontError> {
        let read_error = |source| FontError::Read {
            path: path.to_path_buf(),
            source,
        };
        let file = std::fs::File::open(path).map_err(read_error)?;
        // SAFETY: the mapping is read-only and font files are replaced, not
        // rewritten in place (dpkg writes a new file and renames it), so the
        // pages stay those of the file that was opened.
        let data = unsafe { memmap2::Mmap::map(&file) }.map_err(read_error)?;
        let faces = ttf_parser::fonts_in_collection(&data).unwrap_or(1);
        let index = (0..faces)
            .find(|i| {
                ttf_parser::Face::parse(&data, *i).is_ok_and(|face| {
                    face.names().into_iter().any(|n| {
                        n.name_id == ttf_parser::name_id::FAMILY
                            && n.to_string().is_some_and(|s| s == family)
                    })
                })
            })
            .or((faces == 1).then_some(0))
            .ok_or_else(|| FontError::NoFamily {
                path: path.to_path_buf(),
                family: family.to_string(),
            })?;
        if FontRef::try_from_slice_and_index(&data, index).is_err() {
            return Err(FontError::Invalid {
                path: path.to_path_buf(),
            });
        }
        Ok(RasterFont { data, index })
    }

    /// The face, parsed from the mapping (a few microseconds: done once per
    /// call, not per character).
    fn face(&self) -> FontRef<'_> {
        FontRef::try_from_slice_and_index(&self.data, self.index)
            .expect("the face parsed when the font was loaded")
    }

    /// Whether the font has a glyph for `c`.
    pub fn covers(&self, c: char) -> bool {
        self.face().glyph_id(c).0 != 0
    }

    /// The scale at which one em is `px` dots (ab_glyph's scale is the
    /// ascent-to-descent height, which for CJK fonts is larger than an em).
    fn em(font: &FontRef<'_>, px: f32) -> PxScale {
        let upem = font.units_per_em().unwrap_or(1000.0);
        PxScale::from(px * font.height_unscaled() / upem)
    }

    /// Width in dots of `text` with an em of `px` dots.
    pub fn measure(&self, text: &str, px: f32) -> f32 {
        Self::measure_with(&self.face(), text, px)
    }

    fn measure_with(font: &FontRef<'_>, text: &str, px: f32) -> f32 {
        let f = font.as_scaled(Self::em(font, px));
        text.chars().map(|c| f.h_advance(f.glyph_id(c))).sum()
    }

    /// Renders one line of `text` with an em of `px` dots into a bitmap `width`
    /// dots wide, left-aligned or centred; `bold` thickens strokes by one
    /// dot. The line is `px × 1.4` dots tall.
    pub fn render_line(&self, text: &str, px: f32, width: u32, center: bool, bold: bool) -> Bitmap {
        let height = (px * 1.4).ceil() as u32;
        // Proportional digits can make a line a little wider than its
        // column count promised: such a line is set a little smaller.
        let font = self.face();
        let natural = Self::measure_with(&font, text, px);
        let (px, total) = if natural > width as f32 {
            (px * width as f32 / natural, width as f32)
        } else {
            (px, natural)
        };
        let scale = Self::em(&font, px);
        let scaled = font.as_scaled(scale);
        let mut bmp = Bitmap::new(width, height);
        let mut x = if center {
            ((width as f32 - total) / 2.0).max(0.0)
        } else {
            0.0
        };
        let baseline =
            (height as f32 - (scaled.ascent() - scaled.descent())) / 2.0 + scaled.ascent();
        for c in text.chars() {
            let id = scaled.glyph_id(c);
            let glyph = id.with_scale_and_position(scale, point(x, baseline));
            x += scaled.h_advance(id);
            if let Some(outlined) = font.outline_glyph(glyph) {
                let b = outlined.px_bounds();
                outlined.draw(|gx, gy, coverage| {
                    if coverage >= 0.45 {
                        let px_x = b.min.x as i32 + gx as i32;
                        let px_y = b.min.y as i32 + gy as i32;
                        if px_x >= 0 && px_y >= 0 {
                            bmp.set(px_x as u32, px_y as u32);
                            if bold {
                                bmp.set(px_x as u32 + 1, px_y as u32);
                            }
                        }
                    }
                });
            }
        }
        bmp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gs_v0_packs_rows_msb_first_in_bands() {
        let mut b = Bitmap::new(10, 300);
        b.set(0, 0);
        b.set(9, 0);
        b.set(1, 299);
        let cmd = b.gs_v0();
        // First band: 256 rows of 2 bytes.
        assert_eq!(&cmd[..8], &[0x1D, b'v', b'0', 0, 2, 0, 0, 1]);
        assert_eq!(&cmd[8..10], &[0x80, 0x40]);
        let second = 8 + 2 * 256;
        assert_eq!(
            &cmd[second..second + 8],
            &[0x1D, b'v', b'0', 0, 2, 0, 44, 0]
        );
        assert_eq!(cmd.len(), second + 8 + 2 * 44);
        assert_eq!(cmd[cmd.len() - 2], 0x40);
    }
}
