//! Text normalisation shared by the index, the query and the `LIKE` reference.

/// Folds what a kiosk user cannot tell apart: full-width ASCII (`２０２５`,
/// `Ａ`) to half-width, the ideographic space to a space, ASCII upper case
/// to lower case. Everything else is kept as it is, so a character in the
/// query matches the same character in the text and nothing else.
pub fn normalize(text: &str) -> String {
    text.chars().map(fold_char).collect()
}

pub(crate) fn fold_char(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => {
            let ascii = char::from_u32(c as u32 - 0xFEE0).unwrap_or(c);
            ascii.to_ascii_lowercase()
        }
        _ => c.to_ascii_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_width_and_case_only() {
        fn check(input: &str, expected: &str) {
            assert_eq!(normalize(input), expected, "{input}");
        }
        check("２０２５年", "2025年");
        check("ＰＤＦ文本", "pdf文本");
        check("云政规〔2025〕3号", "云政规〔2025〕3号");
        check("依申请\u{3000}公开", "依申请 公开");
        check("ÄÖ", "ÄÖ");
    }
}
