//! XLS and ODS files sized from their own records before calamine opens
//! them. calamine builds every sheet of these formats as it opens the
//! file — for XLS it reserves the rows × columns a sheet's DIMENSIONS
//! record declares and makes a dense range over its cell records, for ODS
//! it expands repeated rows and cells — so a file of a few hundred bytes
//! could ask for gigabytes before `grid.rs` sees a sheet. Here the
//! workbook stream (XLS) and `content.xml` (ODS) are walked first and a
//! sheet reaching beyond the limits of `grid.rs` is refused, naming file
//! and sheet; calamine then reads an XLS only from the stream checked here.

use std::cell::Cell as Flag;
use std::io::{BufReader, Cursor, Read, Write};
use std::path::Path;
use std::rc::Rc;

use quick_xml::events::{BytesStart, Event};

use super::ImportError;
use super::grid::{MAX_SHEET_CELLS, MAX_SHEET_COLUMNS, MAX_SHEET_ROWS, check_extent};

/// Most bytes an XLS workbook stream or an ODS `content.xml` may hold.
pub(crate) const MAX_WORKBOOK_BYTES: u64 = 128 << 20;
/// Most bytes of text an ODS sheet may hold once its repeated cells and
/// rows are expanded (each repetition is a copy).
pub(crate) const MAX_SHEET_TEXT_BYTES: u64 = 128 << 20;

/// The most columns calamine keeps of one ODS row (its own cap).
const ODS_ROW_CAP: u64 = 16_384;

fn unreadable(file: &str, why: impl std::fmt::Display) -> ImportError {
    ImportError::file(
        file,
        format!("无法打开表格文件（文件已损坏或不是电子表格）：{why}"),
    )
}

fn workbook_too_large(file: &str, what: &str) -> ImportError {
    ImportError::file(
        file,
        format!(
            "表格文件太大，未读取：{what}超过 {} MiB；请删去多余的工作表或拆成几个文件",
            MAX_WORKBOOK_BYTES >> 20
        ),
    )
}

fn sheet_error(file: &str, sheet: &str, message: String) -> ImportError {
    ImportError {
        file: file.to_string(),
        sheet: Some(sheet.to_string()),
        row: None,
        column: None,
        message,
    }
}

fn too_large(file: &str, sheet: &str, why: String) -> ImportError {
    sheet_error(
        file,
        sheet,
        format!(
            "工作表太大，未读取：{why}（最多 {MAX_SHEET_ROWS} 行、{MAX_SHEET_COLUMNS} 列、共 {MAX_SHEET_CELLS} 个单元格、{} MiB 文字）；请删去多余的行、列或合并单元格后另存",
            MAX_SHEET_TEXT_BYTES >> 20
        ),
    )
}

fn damaged_sheet(file: &str, sheet: &str, what: &str) -> ImportError {
    sheet_error(
        file,
        sheet,
        format!("工作表已损坏，未读取：{what}；请用表格软件打开后另存"),
    )
}

// ---- XLS -------------------------------------------------------------

/// Reads the XLS file's workbook stream, checks every sheet it lists and
/// returns a compound file holding that stream alone, for calamine: so
/// calamine parses exactly the bytes checked here, whichever other
/// streams (or unlisted directory entries) the file has.
pub(crate) fn checked_xls(path: &Path, file: &str) -> Result<Vec<u8>, ImportError> {
    let f = std::fs::File::open(path)
        .map_err(|e| ImportError::file(file, format!("无法读取文件：{e}")))?;
    let mut cfb = cfb::CompoundFile::open(f).map_err(|e| unreadable(file, e))?;
    let name = ["/Workbook", "/Book"]
        .into_iter()
        .find(|n| cfb.is_stream(n))
        .ok_or_else(|| unreadable(file, "没有工作簿数据（Workbook）"))?;
    let mut stream = Vec::new();
    cfb.open_stream(name)
        .map_err(|e| unreadable(file, e))?
        .take(MAX_WORKBOOK_BYTES + 1)
        .read_to_end(&mut stream)
        .map_err(|e| unreadable(file, e))?;
    if stream.len() as u64 > MAX_WORKBOOK_BYTES {
        return Err(workbook_too_large(file, "工作簿数据"));
    }
    check_xls_stream(&stream, file)?;
    // Version 3 (512-byte sectors), as Excel writes: calamine refuses a
    // version 4 file without a mini stream.
    let mut out = cfb::CompoundFile::create_with_version(cfb::Version::V3, Cursor::new(Vec::new()))
        .map_err(|e| unreadable(file, e))?;
    {
        let mut s = out
            .create_stream("/Workbook")
            .map_err(|e| unreadable(file, e))?;
        s.write_all(&stream).map_err(|e| unreadable(file, e))?;
    }
    out.flush().map_err(|e| unreadable(file, e))?;
    Ok(out.into_inner().into_inner())
}

/// One BIFF record: its type and data (CONTINUE records come as records
/// of their own; nothing here reads past a record's first part).
struct Record<'a> {
    typ: u16,
    data: &'a [u8],
}

fn u16_at(d: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([d[at], d[at + 1]])
}

fn u32_at(d: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([d[at], d[at + 1], d[at + 2], d[at + 3]])
}

/// The records of `stream` up to a truncated one (which calamine refuses).
fn records(mut stream: &[u8]) -> impl Iterator<Item = Record<'_>> {
    std::iter::from_fn(move || {
        if stream.len() < 4 {
            return None;
        }
        let typ = u16_at(stream, 0);
        let len = u16_at(stream, 2) as usize;
        let data = stream.get(4..4 + len)?;
        stream = &stream[4 + len..];
        Some(Record { typ, data })
    })
}

/// A BoundSheet8 name (ShortXLUnicodeString in BIFF8, code-page bytes
/// before), for messages only.
fn sheet_name(d: &[u8], biff8: bool) -> String {
    let Some((&cch, rest)) = d.split_first() else {
        return String::new();
    };
    let cch = cch as usize;
    let name = if biff8 {
        match rest.split_first() {
            Some((flags, chars)) if flags & 1 == 1 => {
                let units: Vec<u16> = chars
                    .chunks_exact(2)
                    .take(cch)
                    .map(|c| u16::from_le_bytes([c[0], c[1]]))
                    .collect();
                String::from_utf16_lossy(&units)
            }
            Some((_, chars)) => chars.iter().take(cch).map(|&b| char::from(b)).collect(),
            None => String::new(),
        }
    } else {
        let bytes = &rest[..cch.min(rest.len())];
        encoding_rs::GBK
            .decode_without_bom_handling(bytes)
            .0
            .into_owned()
    };
    name.replace('\0', "")
}

/// The workbook globals (up to their EOF, as calamine reads them) list the
/// sheets by offset; each is checked.
fn check_xls_stream(stream: &[u8], file: &str) -> Result<(), ImportError> {
    let mut biff8 = true;
    let mut sheets = Vec::new();
    for r in records(stream) {
        match r.typ {
            // BOF: the BIFF version decides how names are spelt.
            0x0809 => biff8 = r.data.get(..2) == Some(&[0x00, 0x06]),
            // BoundSheet8: offset, state, type, name.
            0x0085 => {
                if r.data.len() < 6 {
                    return Err(unreadable(file, "工作表目录记录不完整"));
                }
                sheets.push((u32_at(r.data, 0) as usize, sheet_name(&r.data[6..], biff8)));
            }
            0x000A => break,
            _ => {}
        }
    }
    for (pos, name) in sheets {
        let Some(sheet) = stream.get(pos..) else {
            return Err(damaged_sheet(file, &name, "工作表的位置超出文件"));
        };
        check_xls_sheet(sheet, file, &name)?;
    }
    Ok(())
}

/// One worksheet substream, as calamine walks it (embedded substreams
/// skipped): the cells its DIMENSIONS record makes calamine reserve, how
/// far its cell records reach (calamine's range is dense from the first
/// to the last), and records whose fields would make calamine fail
/// badly.
fn check_xls_sheet(sheet: &[u8], file: &str, name: &str) -> Result<(), ImportError> {
    let (mut seen_bof, mut depth) = (false, 0usize);
    let (mut rows, mut columns) = (0usize, 0usize);
    for r in records(sheet) {
        let d = r.data;
        if depth > 0 {
            match r.typ {
                0x0809 => depth += 1,
                0x000A => depth -= 1,
                _ => {}
            }
            continue;
        }
        let reach = match r.typ {
            0x0809 if seen_bof => {
                depth += 1;
                None
            }
            0x0809 => {
                seen_bof = true;
                None
            }
            0x000A => break,
            // DIMENSIONS: first row, last row + 1, first column, last column + 1.
            0x0200 => {
                let (rf, rl, cf, cl) = match d.len() {
                    10 => (
                        u64::from(u16_at(d, 0)),
                        u64::from(u16_at(d, 2)),
                        u64::from(u16_at(d, 4)),
                        u64::from(u16_at(d, 6)),
                    ),
                    14 | 16 => (
                        u64::from(u32_at(d, 0)),
                        u64::from(u32_at(d, 4)),
                        u64::from(u16_at(d, 8)),
                        u64::from(u16_at(d, 10)),
                    ),
                    // calamine refuses other lengths.
                    _ => continue,
                };
                // calamine's reading: a first column past IV or after the
                // last counts from A.
                let cf = if cf > 0xFF || cl < cf { 0 } else { cf };
                if rl >= 1 && cl >= 1 {
                    let (Some(h), Some(w)) = (rl.checked_sub(rf), cl.checked_sub(cf)) else {
                        return Err(damaged_sheet(file, name, "工作表范围记录的首行在末行之后"));
                    };
                    if h == 0 || w == 0 {
                        return Err(damaged_sheet(file, name, "工作表范围记录为空"));
                    }
                    if h.saturating_mul(w) > MAX_SHEET_CELLS as u64 {
                        return Err(too_large(
                            file,
                            name,
                            format!("文件声明工作表有 {h} 行 × {w} 列"),
                        ));
                    }
                }
                None
            }
            // Number, Label, RString, BoolErr, RK, LabelSst, Formula: row, column.
            0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD | 0x0006 if d.len() >= 4 => {
                Some((u16_at(d, 0), u16_at(d, 2)))
            }
            // MulRk: row, first column, values, last column.
            0x00BD if d.len() >= 6 => {
                let (first, last) = (u16_at(d, 2), u16_at(d, d.len() - 2));
                if last < first {
                    return Err(damaged_sheet(file, name, "一行数值记录的末列在首列之前"));
                }
                Some((u16_at(d, 0), last))
            }
            // MergeCells: a count, then that many ranges of 8 bytes.
            0x00E5 => {
                if d.len() < 2 || d.len() < 2 + 8 * u16_at(d, 0) as usize {
                    return Err(damaged_sheet(file, name, "合并单元格记录不完整"));
                }
                None
            }
            _ => None,
        };
        if let Some((row, col)) = reach {
            rows = rows.max(row as usize + 1);
            columns = columns.max(col as usize + 1);
            check_extent(file, name, rows, columns)?;
        }
    }
    Ok(())
}

// ---- ODS -------------------------------------------------------------

/// A reader that fails once more than `left` bytes were asked of it, and
/// says so in `over`.
struct Capped<R> {
    inner: R,
    left: u64,
    over: Rc<Flag<bool>>,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n as u64 > self.left {
            self.over.set(true);
            return Err(std::io::Error::other("content.xml too large"));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

/// The largest value of attribute `key` (calamine reads the first; the
/// largest bounds whichever it reads). Unreadable numbers count as
/// endless: calamine refuses them, and so does the check.
fn number_attr(e: &BytesStart<'_>, key: &str) -> Option<u64> {
    e.attributes()
        .with_checks(false)
        .flatten()
        .filter(|a| a.key.as_ref() == key)
        .map(|a| a.value.trim().parse::<u64>().unwrap_or(u64::MAX))
        .max()
}

/// Attributes that give a cell a value or a formula (calamine keeps such
/// a cell, even with empty text).
const VALUE_ATTRS: [&str; 8] = [
    "office:value",
    "office:string-value",
    "office:date-value",
    "office:time-value",
    "office:boolean-value",
    "office:value-type",
    "calcext:value-type",
    "table:formula",
];

fn is_cell(name: &str) -> bool {
    name == "table:table-cell" || name == "table:covered-table-cell"
}

/// What one sheet of `content.xml` would make calamine hold.
struct Tally<'a> {
    file: &'a str,
    sheet: String,
    /// Rows so far (repeats counted), and the end of the last with a value.
    row_pos: u64,
    rows: u64,
    columns: u64,
    /// Cells calamine stores before expanding repeated rows.
    stored: u64,
    text: u64,
}

impl Tally<'_> {
    fn check(&self) -> Result<(), ImportError> {
        let clamp = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
        check_extent(
            self.file,
            &self.sheet,
            clamp(self.rows),
            clamp(self.columns),
        )?;
        if self.stored > MAX_SHEET_CELLS as u64 {
            return Err(too_large(
                self.file,
                &self.sheet,
                format!("文件写有 {} 个单元格", self.stored),
            ));
        }
        if self.text > MAX_SHEET_TEXT_BYTES {
            return Err(too_large(
                self.file,
                &self.sheet,
                format!(
                    "重复的单元格展开后文字超过 {} MiB",
                    MAX_SHEET_TEXT_BYTES >> 20
                ),
            ));
        }
        Ok(())
    }
}

/// Reads `content.xml` of an ODS file as calamine will (same XML reader
/// and settings), and refuses a sheet whose repeated rows and cells, once
/// expanded, pass the limits, before calamine expands them; and a
/// `content.xml` longer than [`MAX_WORKBOOK_BYTES`].
pub(crate) fn check_ods(path: &Path, file: &str) -> Result<(), ImportError> {
    let f = std::fs::File::open(path)
        .map_err(|e| ImportError::file(file, format!("无法读取文件：{e}")))?;
    let mut zip = zip::ZipArchive::new(BufReader::new(f)).map_err(|e| unreadable(file, e))?;
    let content = match zip.by_name("content.xml") {
        Ok(c) => c,
        // calamine says what is missing.
        Err(_) => return Ok(()),
    };
    let over = Rc::new(Flag::new(false));
    let capped = Capped {
        inner: content,
        left: MAX_WORKBOOK_BYTES,
        over: over.clone(),
    };
    let mut xml = quick_xml::Reader::from_reader(BufReader::new(capped));
    let config = xml.config_mut();
    config.check_end_names = false;
    config.trim_text(false);
    config.check_comments = false;
    config.expand_empty_elements = true;
    let result = scan_ods(&mut xml, file);
    if over.get() {
        return Err(workbook_too_large(file, "content.xml"));
    }
    result
}

type OdsReader<R> = quick_xml::Reader<BufReader<Capped<R>>>;

/// Walks the document; an XML error stops the walk (calamine reports it).
fn scan_ods<R: Read>(xml: &mut OdsReader<R>, file: &str) -> Result<(), ImportError> {
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let start = match xml.read_event_into(&mut buf) {
            Ok(Event::Start(e)) if e.name().as_ref() == "table:table" => e,
            Ok(Event::Eof) | Err(_) => return Ok(()),
            Ok(_) => continue,
        };
        // calamine reads only tables with a name.
        let Some(name) = start
            .attributes()
            .with_checks(false)
            .flatten()
            .find(|a| a.key.as_ref() == "table:name")
            .map(|a| a.value.into_owned())
        else {
            continue;
        };
        let mut tally = Tally {
            file,
            sheet: name,
            row_pos: 0,
            rows: 0,
            columns: 0,
            stored: 0,
            text: 0,
        };
        if !scan_table(xml, &mut tally)? {
            return Ok(());
        }
    }
}

/// One table up to its end: every row in it (in row groups and header
/// rows too, as calamine finds them). `false` when the XML ended or broke.
fn scan_table<R: Read>(xml: &mut OdsReader<R>, t: &mut Tally<'_>) -> Result<bool, ImportError> {
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf) {
            Ok(Event::Start(e)) if e.name().as_ref() == "table:table-row" => {
                let repeats = number_attr(&e, "table:number-rows-repeated").unwrap_or(1);
                if !scan_row(xml, t, repeats)? {
                    return Ok(false);
                }
                t.check()?;
            }
            Ok(Event::End(e)) if e.name().as_ref() == "table:table" => return Ok(true),
            Ok(Event::Eof) | Err(_) => return Ok(false),
            Ok(_) => {}
        }
    }
}

/// One row: its cells' repeats and spans, and the text each copy holds.
fn scan_row<R: Read>(
    xml: &mut OdsReader<R>,
    t: &mut Tally<'_>,
    repeats: u64,
) -> Result<bool, ImportError> {
    let mut buf = Vec::new();
    let (mut col, mut stored, mut reach, mut row_reach, mut text) = (0u64, 0u64, 0u64, 0u64, 0u64);
    loop {
        buf.clear();
        let cell = match xml.read_event_into(&mut buf) {
            Ok(Event::Start(e)) if is_cell(e.name().as_ref()) => e,
            Ok(Event::End(e)) if e.name().as_ref() == "table:table-row" => break,
            Ok(Event::Eof) | Err(_) => return Ok(false),
            // calamine refuses anything else in a row.
            Ok(_) => continue,
        };
        let across = number_attr(&cell, "table:number-columns-repeated").unwrap_or(1);
        let spanned = number_attr(&cell, "table:number-columns-spanned").unwrap_or(1);
        let down = number_attr(&cell, "table:number-rows-spanned").unwrap_or(1);
        let (mut valued, mut attr_text) = (false, 0u64);
        for a in cell.attributes().with_checks(false).flatten() {
            valued |= VALUE_ATTRS.contains(&a.key.as_ref());
            attr_text = attr_text.saturating_add(a.value.len() as u64);
        }
        let Some(inner_text) = scan_cell(xml, t)? else {
            return Ok(false);
        };
        let before = col;
        col = col.saturating_add(across);
        if valued {
            // calamine copies the value into every repeated cell.
            stored = col;
            reach = reach.max(col).max(before.saturating_add(spanned));
            row_reach = row_reach.max(down);
            text = text.saturating_add(
                attr_text
                    .saturating_add(inner_text)
                    .saturating_mul(across.min(ODS_ROW_CAP)),
            );
        } else {
            // An empty run is stored once a cell follows it.
            stored = before;
        }
    }
    t.stored = t.stored.saturating_add(stored.min(ODS_ROW_CAP));
    if reach > 0 {
        t.rows = t.rows.max(t.row_pos.saturating_add(repeats.max(row_reach)));
        t.columns = t.columns.max(reach);
        t.text = t.text.saturating_add(text.saturating_mul(repeats));
    }
    t.row_pos = t.row_pos.saturating_add(repeats);
    Ok(true)
}

/// The inside of a cell up to its end: the bytes of text calamine may
/// build from it (text, entities, `text:s` runs of spaces, breaks).
/// `None` when the XML ended or broke. A cell inside a cell (a table in
/// a cell) is refused: calamine would read its cells as the row's.
fn scan_cell<R: Read>(xml: &mut OdsReader<R>, t: &Tally<'_>) -> Result<Option<u64>, ImportError> {
    let mut buf = Vec::new();
    let mut text = 0u64;
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf) {
            Ok(Event::End(e)) if is_cell(e.name().as_ref()) => return Ok(Some(text)),
            Ok(Event::Start(e)) if is_cell(e.name().as_ref()) => {
                return Err(damaged_sheet(t.file, &t.sheet, "单元格内嵌有表格"));
            }
            Ok(Event::Start(e)) if e.name().as_ref() == "text:s" => {
                let n = number_attr(&e, "text:c").unwrap_or(1);
                text = text.saturating_add(n);
            }
            Ok(Event::Start(_)) => text = text.saturating_add(1),
            Ok(Event::Text(s)) => text = text.saturating_add(s.len() as u64),
            Ok(Event::CData(s)) => text = text.saturating_add(s.len() as u64),
            Ok(Event::GeneralRef(r)) => text = text.saturating_add(r.len() as u64 + 2),
            Ok(Event::Eof) | Err(_) => return Ok(None),
            Ok(_) => {}
        }
    }
}
