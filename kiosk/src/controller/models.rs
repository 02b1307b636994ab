//! Small builders of the UI's models shared by the page controllers:
//! label–value rows, list rows, body text as paragraphs, search marks.

use disclosure::{Date, RegionLevel};
use slint::{ModelRc, SharedString, VecModel};

use crate::{FieldData, RowData};

/// A label–value list for a page's model.
pub fn field_rows<L: Into<SharedString>, V: Into<SharedString>>(
    pairs: impl IntoIterator<Item = (L, V)>,
) -> ModelRc<FieldData> {
    ModelRc::new(VecModel::from(
        pairs
            .into_iter()
            .map(|(l, v)| FieldData {
                label: l.into(),
                value: v.into(),
            })
            .collect::<Vec<_>>(),
    ))
}

pub fn rows(v: Vec<RowData>) -> ModelRc<RowData> {
    ModelRc::new(VecModel::from(v))
}

/// A model of strings.
pub fn strings<S: Into<SharedString>>(v: impl IntoIterator<Item = S>) -> ModelRc<SharedString> {
    ModelRc::new(VecModel::from(
        v.into_iter().map(Into::into).collect::<Vec<SharedString>>(),
    ))
}

/// The 县/乡/村 badge.
pub fn level_char(l: RegionLevel) -> SharedString {
    l.short_name().into()
}

pub fn weekday(d: Date) -> &'static str {
    ["一", "二", "三", "四", "五", "六", "日"][usize::from(d.weekday_number() - 1) % 7]
}

/// Body text as paragraphs: Markdown headings and bullets made plain,
/// table rows as spaced cells, table rules dropped.
pub fn paragraphs(body: &str) -> Vec<SharedString> {
    body.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .filter(|l| !(l.starts_with('|') && l.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '))))
        .map(|l| {
            let l = l.trim_start_matches('#').trim_start();
            let l = if let Some(rest) = l.strip_prefix("- ") {
                format!("• {rest}")
            } else {
                l.to_string()
            };
            if l.starts_with('|') {
                l.trim_matches('|')
                    .split('|')
                    .map(str::trim)
                    .collect::<Vec<_>>()
                    .join("　")
                    .into()
            } else {
                l.into()
            }
        })
        .collect()
}

/// Splits `text` (chars) around the first mark.
pub fn split_mark(text: &str, marks: &[std::ops::Range<usize>]) -> (String, String, String) {
    let chars: Vec<char> = text.chars().collect();
    match marks.first() {
        Some(m) if m.end <= chars.len() => (
            chars[..m.start].iter().collect(),
            chars[m.clone()].iter().collect(),
            chars[m.end..].iter().collect(),
        ),
        _ => (text.to_string(), String::new(), String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_from_light_markdown() {
        let p = paragraphs(
            "## 申请条件\n\n- 户籍在本县\n| 姓名 | 金额 |\n|---|---|\n| 王*华 | 120 |\n",
        );
        let p: Vec<&str> = p.iter().map(|s| s.as_str()).collect();
        assert_eq!(p, ["申请条件", "• 户籍在本县", "姓名　金额", "王*华　120"]);
    }

    #[test]
    fn marks_split_on_characters() {
        assert_eq!(
            split_mark("城乡低保标准", std::slice::from_ref(&(2..4))),
            ("城乡".into(), "低保".into(), "标准".into())
        );
        assert_eq!(
            split_mark("标题", &[]),
            ("标题".into(), "".into(), "".into())
        );
        assert_eq!(
            split_mark("标题", std::slice::from_ref(&(1..9))),
            ("标题".into(), "".into(), "".into())
        );
    }
}
