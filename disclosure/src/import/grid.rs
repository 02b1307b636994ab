//! A sheet read into a grid of cell texts, whatever file it came from:
//! CSV (UTF-8 or GBK/GB18030, as Excel on Chinese Windows saves it),
//! XLSX, XLS or ODS. Merged cells are expanded so every cell of a merged
//! region holds the region's value; where a format does not let us see
//! merges (CSV, ODS) the grid says so, and the catalog parser fills down
//! only the group columns. A sheet reaching beyond [`MAX_SHEET_ROWS`],
//! [`MAX_SHEET_COLUMNS`] or [`MAX_SHEET_CELLS`] (its cells or its merged
//! areas) is refused before its grid is built, and an XLS or ODS file
//! before calamine opens it (`prescan.rs`: calamine builds those sheets
//! as it opens them).

use std::io::{Cursor, Read, Seek};
use std::path::Path;

use calamine::{
    Data, DataRef, Dimensions, Ods, Range, Reader, Sheets, Xls, Xlsx, XlsxError, open_workbook,
};

use super::{ImportError, prescan};
use crate::Date;

/// One cell: its text as a person reads it, and its date when the
/// spreadsheet stored a date.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Cell {
    pub text: String,
    pub date: Option<Date>,
}

/// One sheet. Row 0 is the row a spreadsheet program numbers 1.
#[derive(Debug, Clone)]
pub(crate) struct Grid {
    pub file: String,
    pub sheet: Option<String>,
    pub rows: Vec<Vec<Cell>>,
    /// Whether the file's merged ranges were read (XLSX, XLS) and expanded.
    /// When they were, a blank cell is blank; when not (CSV, ODS), a blank
    /// cell in a group column may be the continuation of a merged cell.
    pub merges_known: bool,
}

impl Grid {
    pub fn cell(&self, row: usize, col: usize) -> &str {
        self.rows
            .get(row)
            .and_then(|r| r.get(col))
            .map(|c| c.text.as_str())
            .unwrap_or("")
    }

    pub fn date(&self, row: usize, col: usize) -> Option<Date> {
        self.rows
            .get(row)
            .and_then(|r| r.get(col))
            .and_then(|c| c.date)
    }

    pub fn row_is_empty(&self, row: usize) -> bool {
        self.rows
            .get(row)
            .is_none_or(|r| r.iter().all(|c| c.text.is_empty()))
    }

    /// An error located at a cell (`row`, `col` 0-based).
    pub fn error(&self, row: Option<usize>, col: Option<usize>, message: String) -> ImportError {
        ImportError {
            file: self.file.clone(),
            sheet: self.sheet.clone(),
            row: row.map(|r| r as u32 + 1),
            column: col.map(column_letter),
            message,
        }
    }
}

/// `0` → `A`, `25` → `Z`, `26` → `AA`.
pub(crate) fn column_letter(col: usize) -> String {
    let mut n = col + 1;
    let mut s = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        s.push(b'A' + r as u8);
        n = (n - 1) / 26;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// Cleans a cell's text: CR LF to LF, trims each end, drops control
/// characters other than line breaks and tabs, and zero-width spaces.
pub(crate) fn clean_text(raw: &str) -> String {
    let s = raw.replace("\r\n", "\n").replace('\r', "\n");
    let s: String = s
        .chars()
        .filter(|c| {
            !matches!(c, '\u{200B}' | '\u{FEFF}' | '\u{00AD}')
                && (!c.is_control() || *c == '\n' || *c == '\t')
        })
        .collect();
    s.trim_matches(|c: char| c.is_whitespace()).to_string()
}

/// Reads every sheet of a spreadsheet file.
pub(crate) fn read_file(path: &Path) -> Result<Vec<Grid>, ImportError> {
    let file = path.display().to_string();
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "csv" | "txt" => read_csv(path, &file).map(|g| vec![g]),
        "xlsx" | "xlsm" | "xls" | "ods" => read_workbook(path, &file, &ext),
        _ => Err(ImportError::file(
            &file,
            "不支持的文件类型，目录表格应为 .csv、.xlsx、.xls 或 .ods 文件".into(),
        )),
    }
}

fn read_csv(path: &Path, file: &str) -> Result<Grid, ImportError> {
    let bytes =
        std::fs::read(path).map_err(|e| ImportError::file(file, format!("无法读取文件：{e}")))?;
    let text = decode_text(&bytes).ok_or_else(|| {
        ImportError::file(
            file,
            "不是文本格式的表格（CSV）：文件编码既不是 UTF-8 也不是 GBK".into(),
        )
    })?;
    parse_csv(&text, file)
}

/// Decodes CSV bytes: UTF-8 (with or without BOM), else GB18030 (a
/// superset of GBK). `None` for binary data.
pub(crate) fn decode_text(bytes: &[u8]) -> Option<String> {
    if bytes.contains(&0) {
        return None;
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Some(s.to_string());
    }
    let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    (!had_errors).then(|| text.into_owned())
}

pub(crate) fn parse_csv(text: &str, file: &str) -> Result<Grid, ImportError> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    // Blank lines are rows in a spreadsheet program but the CSV reader
    // skips them: count them so row numbers match what people see.
    let mut rows: Vec<Vec<Cell>> = vec![Vec::new(); blank_lines_at(text, 0)];
    let mut rec = csv::StringRecord::new();
    loop {
        let more = rdr.read_record(&mut rec).map_err(|e| ImportError {
            file: file.to_string(),
            sheet: None,
            row: Some(rows.len() as u32 + 1),
            column: None,
            message: format!("CSV 格式错误：{e}"),
        })?;
        if !more {
            break;
        }
        rows.push(
            rec.iter()
                .map(|t| Cell {
                    text: clean_text(t),
                    date: None,
                })
                .collect(),
        );
        let end = rdr.position().byte() as usize;
        rows.extend(std::iter::repeat_n(Vec::new(), blank_lines_at(text, end)));
    }
    Ok(Grid {
        file: file.to_string(),
        sheet: None,
        rows,
        merges_known: false,
    })
}

/// Empty lines starting at byte `at` (just after a record's terminator).
fn blank_lines_at(text: &str, at: usize) -> usize {
    let bytes = text.as_bytes();
    let mut rest = bytes.get(at..).unwrap_or_default();
    // The reader may stop between the CR and the LF of one terminator.
    if at > 0 && bytes.get(at - 1) == Some(&b'\r') {
        rest = rest.strip_prefix(b"\n").unwrap_or(rest);
    }
    let mut n = 0;
    loop {
        if let Some(r) = rest.strip_prefix(b"\r\n") {
            rest = r;
        } else if let Some(r) = rest
            .strip_prefix(b"\n")
            .or_else(|| rest.strip_prefix(b"\r"))
        {
            rest = r;
        } else {
            break;
        }
        n += 1;
    }
    n
}

/// Most rows a sheet may reach (title and header rows included).
pub(crate) const MAX_SHEET_ROWS: usize = 100_000;
/// Most columns a sheet may reach (a catalog has a few dozen).
pub(crate) const MAX_SHEET_COLUMNS: usize = 200;
/// Most cells from A1 to the sheet's far corner, and most cells all its
/// merged areas may cover together.
pub(crate) const MAX_SHEET_CELLS: usize = 2_000_000;

fn sheet_too_large(file: &str, sheet: &str, why: String) -> ImportError {
    ImportError {
        file: file.to_string(),
        sheet: Some(sheet.to_string()),
        row: None,
        column: None,
        message: format!(
            "工作表太大，未读取：{why}（最多 {MAX_SHEET_ROWS} 行、{MAX_SHEET_COLUMNS} 列、共 {MAX_SHEET_CELLS} 个单元格）；请删去多余的行、列或合并单元格后另存"
        ),
    }
}

/// Refuses a sheet reaching `rows` × `columns` from A1.
pub(super) fn check_extent(
    file: &str,
    sheet: &str,
    rows: usize,
    columns: usize,
) -> Result<(), ImportError> {
    if rows > MAX_SHEET_ROWS
        || columns > MAX_SHEET_COLUMNS
        || rows.saturating_mul(columns) > MAX_SHEET_CELLS
    {
        return Err(sheet_too_large(
            file,
            sheet,
            format!(
                "内容延伸到第 {rows} 行、{} 列",
                column_letter(columns.saturating_sub(1))
            ),
        ));
    }
    Ok(())
}

/// Where an XLSX sheet's non-empty cells reach (rows, columns from A1),
/// streamed from its XML without building the sheet — calamine's own
/// range is dense, so cells at A1 and XFD1048576 would ask for 17 billion
/// cells. Stops as soon as the limits are passed.
fn xlsx_extent<RS: Read + Seek>(
    x: &mut Xlsx<RS>,
    sheet: &str,
) -> Result<(usize, usize), XlsxError> {
    let mut cells = match x.worksheet_cells_reader(sheet) {
        Ok(c) => c,
        Err(XlsxError::NotAWorksheet(_)) => return Ok((0, 0)),
        Err(e) => return Err(e),
    };
    let (mut rows, mut columns) = (0usize, 0usize);
    while let Some(cell) = cells.next_cell()? {
        if matches!(cell.get_value(), DataRef::Empty) {
            continue;
        }
        let (r, c) = cell.get_position();
        rows = rows.max(r as usize + 1);
        columns = columns.max(c as usize + 1);
        if rows > MAX_SHEET_ROWS
            || columns > MAX_SHEET_COLUMNS
            || rows.saturating_mul(columns) > MAX_SHEET_CELLS
        {
            break;
        }
    }
    Ok((rows, columns))
}

/// Refuses a sheet whose cells or merged areas reach beyond the limits,
/// before its grid is built and its merges expanded.
fn check_sheet_size(
    file: &str,
    sheet: &str,
    range: &Range<Data>,
    merges: &[Dimensions],
) -> Result<(), ImportError> {
    let (mut rows, mut columns) = range
        .end()
        .map_or((0, 0), |(r, c)| (r as usize + 1, c as usize + 1));
    let mut merged = 0usize;
    for m in merges {
        rows = rows.max(m.end.0 as usize + 1);
        columns = columns.max(m.end.1 as usize + 1);
        let height = (m.end.0 as usize + 1).saturating_sub(m.start.0 as usize);
        let width = (m.end.1 as usize + 1).saturating_sub(m.start.1 as usize);
        merged = merged.saturating_add(height.saturating_mul(width));
    }
    check_extent(file, sheet, rows, columns)?;
    if merged > MAX_SHEET_CELLS {
        return Err(sheet_too_large(
            file,
            sheet,
            format!("合并单元格共覆盖 {merged} 个单元格"),
        ));
    }
    Ok(())
}

/// Opens a workbook as its (lower-case) extension says — never by
/// guessing, so an XLS or ODS always passes its pre-check — and reads its
/// visible sheets.
fn read_workbook(path: &Path, file: &str, ext: &str) -> Result<Vec<Grid>, ImportError> {
    let unopened = |e: &dyn std::fmt::Display| {
        ImportError::file(
            file,
            format!("无法打开表格文件（文件已损坏或不是电子表格）：{e}"),
        )
    };
    match ext {
        "xls" => {
            let checked = prescan::checked_xls(path, file)?;
            let wb = Xls::new(Cursor::new(checked)).map_err(|e| unopened(&e))?;
            read_sheets(Sheets::Xls(wb), file)
        }
        "ods" => {
            prescan::check_ods(path, file)?;
            let wb: Ods<_> = open_workbook(path).map_err(|e| unopened(&e))?;
            read_sheets(Sheets::Ods(wb), file)
        }
        _ => {
            let wb: Xlsx<_> = open_workbook(path).map_err(|e| unopened(&e))?;
            read_sheets(Sheets::Xlsx(wb), file)
        }
    }
}

fn read_sheets<RS: Read + Seek>(mut wb: Sheets<RS>, file: &str) -> Result<Vec<Grid>, ImportError> {
    // Hidden sheets hold lookup lists and old versions, not the catalog.
    let names: Vec<String> = wb
        .sheets_metadata()
        .iter()
        .filter(|s| s.visible == calamine::SheetVisible::Visible)
        .map(|s| s.name.clone())
        .collect();
    let mut grids = Vec::new();
    for name in names {
        // XLSX: how far the cells reach, before calamine builds the sheet.
        // (XLS and ODS sheets are built when the file is opened, after
        // `prescan` sized them; all are checked again below, merges too.)
        if let Sheets::Xlsx(x) = &mut wb {
            let (rows, columns) = xlsx_extent(x, &name).map_err(|e| ImportError {
                file: file.to_string(),
                sheet: Some(name.clone()),
                row: None,
                column: None,
                message: format!("无法读取工作表：{e}"),
            })?;
            check_extent(file, &name, rows, columns)?;
        }
        let range = wb.worksheet_range(&name).map_err(|e| ImportError {
            file: file.to_string(),
            sheet: Some(name.clone()),
            row: None,
            column: None,
            message: format!("无法读取工作表：{e}"),
        })?;
        // ODS merges are not read: blank continuation cells of the group
        // columns are filled down by the catalog parser instead.
        let merges_known = matches!(wb, Sheets::Xlsx(_) | Sheets::Xls(_));
        let merges = match &mut wb {
            Sheets::Xlsx(x) => x
                .merge_cells_by_sheet_name(&name)
                .map_err(|e| e.to_string()),
            Sheets::Xls(x) => x
                .merge_cells_by_sheet_name(&name)
                .map_err(|e| e.to_string()),
            _ => Ok(Vec::new()),
        }
        .map_err(|e| ImportError {
            file: file.to_string(),
            sheet: Some(name.clone()),
            row: None,
            column: None,
            message: format!("无法读取合并单元格：{e}"),
        })?;
        check_sheet_size(file, &name, &range, &merges)?;
        let (r0, c0) = range.start().unwrap_or((0, 0));
        let mut rows: Vec<Vec<Cell>> = vec![Vec::new(); r0 as usize];
        for row in range.rows() {
            let mut cells = vec![Cell::default(); c0 as usize];
            cells.extend(row.iter().map(cell_of));
            rows.push(cells);
        }
        for m in merges {
            let (top, left) = (m.start.0 as usize, m.start.1 as usize);
            let value = rows
                .get(top)
                .and_then(|r| r.get(left))
                .cloned()
                .unwrap_or_default();
            for r in top..=m.end.0 as usize {
                for c in left..=m.end.1 as usize {
                    if r == top && c == left {
                        continue;
                    }
                    if rows.len() <= r {
                        rows.resize(r + 1, Vec::new());
                    }
                    if rows[r].len() <= c {
                        rows[r].resize(c + 1, Cell::default());
                    }
                    rows[r][c] = value.clone();
                }
            }
        }
        grids.push(Grid {
            file: file.to_string(),
            sheet: Some(name),
            rows,
            merges_known,
        });
    }
    Ok(grids)
}

fn cell_of(d: &Data) -> Cell {
    match d {
        Data::Empty => Cell::default(),
        Data::String(s) => Cell {
            text: clean_text(s),
            date: None,
        },
        Data::Int(i) => Cell {
            text: i.to_string(),
            date: None,
        },
        Data::Float(f) => Cell {
            text: if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", *f as i64)
            } else {
                f.to_string()
            },
            date: None,
        },
        Data::Bool(b) => Cell {
            text: if *b { "是" } else { "否" }.into(),
            date: None,
        },
        Data::DateTime(dt) => {
            let serial = dt.as_f64();
            let date = Date::from_spreadsheet_serial(serial);
            let text = match date {
                Some(d) => d.to_string(),
                // A time of day alone (8:30 is 0.354…).
                None if (0.0..1.0).contains(&serial) => {
                    let minutes = (serial * 24.0 * 60.0).round() as u32;
                    format!("{}:{:02}", minutes / 60, minutes % 60)
                }
                None => serial.to_string(),
            };
            Cell { text, date }
        }
        Data::DateTimeIso(s) => {
            let date = s.get(..10).and_then(|p| p.parse().ok());
            Cell {
                text: s.clone(),
                date,
            }
        }
        Data::DurationIso(s) => Cell {
            text: s.clone(),
            date: None,
        },
        Data::Error(e) => Cell {
            text: format!("#{e:?}"),
            date: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters() {
        for (n, l) in [
            (0, "A"),
            (13, "N"),
            (25, "Z"),
            (26, "AA"),
            (27, "AB"),
            (701, "ZZ"),
            (702, "AAA"),
        ] {
            assert_eq!(column_letter(n), l);
        }
    }

    #[test]
    fn decodes_utf8_bom_and_gbk() {
        assert_eq!(decode_text("序号".as_bytes()).as_deref(), Some("序号"));
        assert_eq!(decode_text(b"\xEF\xBB\xBFab").as_deref(), Some("ab"));
        let (gbk, _, _) = encoding_rs::GBK.encode("公开事项,内容");
        assert_eq!(decode_text(&gbk).as_deref(), Some("公开事项,内容"));
        assert_eq!(decode_text(b"\x89PNG\r\n\x1a\n\0\0"), None);
    }

    #[test]
    fn blank_lines_count_as_rows() {
        let g = parse_csv("\na,b\r\n\r\n\nc,\"x\n\ny\"\r\nd\r\ne\n", "t.csv").unwrap();
        let first: Vec<&str> = (0..g.rows.len()).map(|r| g.cell(r, 0)).collect();
        assert_eq!(first, ["", "a", "", "", "c", "d", "e"]);
        assert_eq!(g.cell(4, 1), "x\n\ny");
    }

    #[test]
    fn cleans_cells() {
        assert_eq!(clean_text("  1.a\r\n2.b \u{200B}"), "1.a\n2.b");
        assert_eq!(clean_text("\u{7}x"), "x");
    }
}
