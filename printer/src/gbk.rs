//! Text as GBK bytes for the printer's Chinese mode. A character with no GBK
//! code is first mapped to a look-alike that has one (dashes, bullets,
//! full-width forms); if none exists the text is refused, so the caller can
//! render it as an image instead — never printed as garbage.

/// The first character of a text that GBK cannot encode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("字符“{0}”（U+{code:04X}）无法用 GBK 编码打印", code = *.0 as u32)]
pub struct Unencodable(pub char);

/// Look-alikes for characters outside GBK (or that printers treat oddly).
fn substitute(c: char) -> Option<char> {
    Some(match c {
        '\u{2013}' | '\u{2212}' => '-', // en dash, minus
        '\u{2022}' | '\u{30FB}' => '·', // bullet, katakana middle dot
        '\u{00A0}' | '\u{2002}' | '\u{2003}' | '\u{2009}' => ' ',
        '\u{20AC}' => return None, // the euro sign is 0x80, which printers lack
        _ => return None,
    })
}

/// Encodes `text` as GBK (two bytes per Chinese character, ASCII as is).
pub fn encode(text: &str) -> Result<Vec<u8>, Unencodable> {
    let mut out = Vec::with_capacity(text.len());
    let mut encoder = encoding_rs::GBK.new_encoder();
    let mut buf = [0u8; 8];
    for c in text.chars() {
        if c == '\u{20AC}' {
            return Err(Unencodable(c));
        }
        if c.is_control() && c != '\n' {
            return Err(Unencodable(c));
        }
        let try_one = |c: char, encoder: &mut encoding_rs::Encoder, buf: &mut [u8; 8]| {
            let mut s = [0u8; 4];
            let (result, _, written) =
                encoder.encode_from_utf8_without_replacement(c.encode_utf8(&mut s), buf, false);
            match result {
                encoding_rs::EncoderResult::InputEmpty => Some(written),
                _ => None,
            }
        };
        match try_one(c, &mut encoder, &mut buf) {
            Some(n) => out.extend_from_slice(&buf[..n]),
            None => {
                let sub = substitute(c).ok_or(Unencodable(c))?;
                let n = try_one(sub, &mut encoder, &mut buf).ok_or(Unencodable(c))?;
                out.extend_from_slice(&buf[..n]);
            }
        }
    }
    Ok(out)
}

/// Decodes GBK bytes (the emulator reads printed text back with this).
pub fn decode(bytes: &[u8]) -> String {
    encoding_rs::GBK
        .decode_without_bom_handling(bytes)
        .0
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: Result<&[u8], char>) {
        assert_eq!(
            encode(text).map_err(|e| e.0),
            expected.map(|b| b.to_vec()),
            "{text:?}"
        );
    }

    #[test]
    fn gbk_at_its_boundaries() {
        check("回执", Ok(&[0xBB, 0xD8, 0xD6, 0xB4]));
        check("A-1", Ok(b"A-1"));
        check("·", Ok(&[0xA1, 0xA4]));
        check("\u{2022}", Ok(&[0xA1, 0xA4])); // bullet mapped to ·
        check("\u{00A0}", Ok(b" ")); // no-break space mapped to a space
        check("（）：", Ok(&[0xA3, 0xA8, 0xA3, 0xA9, 0xA3, 0xBA]));
        // 𠮷 (U+20BB7, a surname form of 吉) is only in GB 18030: refused, never garbage.
        check("𠮷", Err('𠮷'));
        check("😀", Err('😀'));
        check("€", Err('€'));
        check("a\u{1b}b", Err('\u{1b}'));
        assert_eq!(
            decode(&encode("政府信息公开申请回执").unwrap()),
            "政府信息公开申请回执"
        );
    }
}
