//! A record's body text as the reader and the phone page show it: plain
//! paragraphs (Markdown headings and bullets made plain) and tables (a
//! header row, data rows, every row as wide as the header).

/// One block of a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyBlock {
    Paragraph(String),
    Table(Table),
}

/// A table: the first row of a `|`-table is its header.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// A row as it is read aloud or labelled for a screen reader:
    /// `第1行：序号1，户主姓名石*成，…` (empty cells left out).
    pub fn spoken_row(&self, index: usize) -> String {
        let Some(row) = self.rows.get(index) else {
            return String::new();
        };
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.is_empty())
            .map(|(i, c)| format!("{}{c}", self.header.get(i).map_or("", String::as_str)))
            .collect();
        format!("第{}行：{}", index + 1, cells.join("，"))
    }

    /// The widest cell of each column in display columns (a hanzi counts
    /// two, ASCII one), header included.
    pub fn column_widths(&self) -> Vec<usize> {
        let mut widths = vec![0; self.header.len()];
        for row in std::iter::once(&self.header).chain(&self.rows) {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(display_width(cell));
            }
        }
        widths
    }
}

/// Display columns of `text`: two for wide (CJK) characters, one for others.
pub fn display_width(text: &str) -> usize {
    text.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

/// Whether `line` is a table's rule row (`|---|:--:|`).
fn is_rule(line: &str) -> bool {
    line.starts_with('|') && line.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '))
}

/// The cells of a table line, trimmed (`| a | b |` → `a`, `b`).
fn cells(line: &str) -> Vec<String> {
    let inner = line.strip_prefix('|').unwrap_or(line);
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    inner.split('|').map(|c| c.trim().to_string()).collect()
}

/// `body` as paragraphs and tables. Blank lines separate paragraphs; a run
/// of lines starting with `|` is one table; a row shorter than its header
/// is padded with empty cells, a longer one keeps its extra cells in the
/// last column.
pub fn body_blocks(body: &str) -> Vec<BodyBlock> {
    let mut blocks = Vec::new();
    let mut table: Option<Table> = None;
    for line in body.lines().map(str::trim) {
        if line.starts_with('|') {
            if is_rule(line) {
                continue;
            }
            let mut row = cells(line);
            match table.as_mut() {
                None => {
                    table = Some(Table {
                        header: row,
                        rows: Vec::new(),
                    })
                }
                Some(t) => {
                    let n = t.header.len();
                    if row.len() > n && n > 0 {
                        let extra = row.split_off(n - 1).join(" ");
                        row.push(extra);
                    }
                    row.resize(n, String::new());
                    t.rows.push(row);
                }
            }
            continue;
        }
        if let Some(t) = table.take() {
            blocks.push(BodyBlock::Table(t));
        }
        if line.is_empty() {
            continue;
        }
        let line = line.trim_start_matches('#').trim_start();
        let text = match line.strip_prefix("- ") {
            Some(rest) => format!("• {rest}"),
            None => line.to_string(),
        };
        blocks.push(BodyBlock::Paragraph(text));
    }
    if let Some(t) = table {
        blocks.push(BodyBlock::Table(t));
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> BodyBlock {
        BodyBlock::Paragraph(s.into())
    }

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    /// `body` gives `expected`.
    fn check(body: &str, expected: &[BodyBlock]) {
        assert_eq!(body_blocks(body), expected, "{body:?}");
    }

    #[test]
    fn paragraphs_headings_and_bullets() {
        check("", &[]);
        check(
            "## 申请条件\n\n- 户籍在本县\n",
            &[p("申请条件"), p("• 户籍在本县")],
        );
        check("  一行  \n\n\n二行", &[p("一行"), p("二行")]);
    }

    #[test]
    fn tables_have_a_header_and_rows_as_wide_as_it() {
        let t = |header: &[&str], rows: &[&[&str]]| {
            BodyBlock::Table(Table {
                header: strings(header),
                rows: rows.iter().map(|r| strings(r)).collect(),
            })
        };
        check(
            "前言\n| 姓名 | 金额 |\n|---|---:|\n| 王*华 | 120 |\n| 合计 |\n后记",
            &[
                p("前言"),
                t(&["姓名", "金额"], &[&["王*华", "120"], &["合计", ""]]),
                p("后记"),
            ],
        );
        // A longer row keeps its extra cells in the last column; a table
        // at the end of the body is not lost; a header alone is a table.
        check(
            "| a | b |\n| 1 | 2 | 3 |",
            &[t(&["a", "b"], &[&["1", "2 3"]])],
        );
        check("| 只有表头 |", &[t(&["只有表头"], &[])]);
        // Two tables separated by a blank line stay two.
        check(
            "| a |\n| 1 |\n\n| b |",
            &[t(&["a"], &[&["1"]]), t(&["b"], &[])],
        );
    }

    #[test]
    fn rows_are_spoken_with_their_headers_and_widths_count_hanzi_twice() {
        let BodyBlock::Table(t) =
            body_blocks("| 序号 | 户主姓名 | 备注 |\n|---|---|---|\n| 1 | 石*成 | |").remove(0)
        else {
            panic!("a table");
        };
        assert_eq!(t.spoken_row(0), "第1行：序号1，户主姓名石*成");
        assert_eq!(t.spoken_row(5), "");
        assert_eq!(t.column_widths(), [4, 8, 4]);
        assert_eq!(display_width("补贴金额（元）"), 14);
    }
}
