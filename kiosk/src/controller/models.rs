//! Small builders of the UI's models shared by the page controllers:
//! label–value rows, list rows, body text as paragraphs, search marks.

use disclosure::body::{BodyBlock, body_blocks};
use disclosure::{Date, EffectStatus, RegionLevel};
use slint::{ComponentHandle, ModelRc, SharedString, VecModel};

use crate::{BlockData, FieldData, MainWindow, RowData, TableRowData};

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

/// The 效力状态 badge: empty (no badge) where there is none.
pub fn status_name(s: Option<EffectStatus>) -> SharedString {
    s.map(|s| s.name().into()).unwrap_or_default()
}

pub fn weekday(d: Date) -> &'static str {
    ["一", "二", "三", "四", "五", "六", "日"][usize::from(d.weekday_number() - 1) % 7]
}

/// Body text as the reader's blocks: paragraphs, and tables with their
/// column widths in em (a hanzi is one em, an ASCII character half), each
/// row labelled as it is read aloud.
pub fn blocks(body: &str) -> ModelRc<BlockData> {
    let v: Vec<BlockData> = body_blocks(body)
        .into_iter()
        .map(|b| match b {
            BodyBlock::Paragraph(text) => BlockData {
                text: text.into(),
                table: false,
                header: strings(Vec::<SharedString>::new()),
                rows: ModelRc::default(),
                widths: ModelRc::default(),
                width: 0.0,
            },
            BodyBlock::Table(t) => {
                let rows: Vec<TableRowData> = (0..t.rows.len())
                    .map(|i| TableRowData {
                        cells: strings(t.rows[i].iter().map(String::as_str)),
                        label: t.spoken_row(i).into(),
                    })
                    .collect();
                let widths: Vec<f32> = t
                    .column_widths()
                    .into_iter()
                    .map(|w| (w as f32 / 2.0).clamp(2.0, 16.0) + 1.0)
                    .collect();
                BlockData {
                    width: widths.iter().sum(),
                    text: SharedString::new(),
                    table: true,
                    header: strings(t.header.iter().map(String::as_str)),
                    rows: ModelRc::new(VecModel::from(rows)),
                    widths: ModelRc::new(VecModel::from(widths)),
                }
            }
        })
        .collect();
    ModelRc::new(VecModel::from(v))
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

/// The room for a row of candidates taking `share` of the window's width,
/// at the theme's sizes now (大字 pages them more).
pub fn candidate_room(ui: &MainWindow, share: f32) -> crate::composer::CandidateRoom {
    let t = ui.global::<crate::Theme>();
    let window = ui.window();
    let width = window.size().width as f32 / window.scale_factor();
    crate::composer::CandidateRoom {
        width: width * share - 2.0 * t.get_pad(),
        font: t.get_font_title(),
        padding: 2.0 * t.get_pad(),
        min_slot: t.get_touch(),
        spacing: t.get_gap() / 2.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_become_blocks_with_widths_and_spoken_rows() {
        use slint::Model;
        let b = blocks("## 申请条件\n| 姓名 | 金额（元） |\n|---|---|\n| 王*华 | 120 |\n");
        assert_eq!(b.row_count(), 2);
        let p = b.row_data(0).unwrap();
        assert!(!p.table);
        assert_eq!(p.text, "申请条件");
        let t = b.row_data(1).unwrap();
        assert!(t.table);
        assert_eq!(t.header.row_count(), 2);
        assert_eq!(
            t.rows.row_data(0).unwrap().label,
            "第1行：姓名王*华，金额（元）120"
        );
        // 王*华: 5 display columns → 2.5 em; 金额（元）: 10 → 5 em; one em padding.
        let w: Vec<f32> = t.widths.iter().collect();
        assert_eq!(w, [3.5, 6.0]);
        assert_eq!(t.width, 9.5);
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
