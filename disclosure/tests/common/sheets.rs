//! Writes one sheet of cell texts, with merged ranges where the format has
//! them, as XLSX (rust_xlsxwriter), XLS (BIFF8 records in a compound file,
//! written here), ODS (content.xml in a zip, written here; merges are
//! spans there, which the importer does not read) or CSV; and the raw
//! XLS records or ODS table XML of hostile files.

use std::io::Write;
use std::path::{Path, PathBuf};

/// A merged range, 0-based and inclusive: (first row, first column, last
/// row, last column). Its value is the text of its top-left cell.
pub type Merge = (u16, u16, u16, u16);

/// The sheet formats the importer reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetFormat {
    Xlsx,
    Xls,
    Ods,
    Csv,
}

impl SheetFormat {
    pub const ALL: [SheetFormat; 4] = [Self::Xlsx, Self::Xls, Self::Ods, Self::Csv];

    pub fn extension(self) -> &'static str {
        match self {
            Self::Xlsx => "xlsx",
            Self::Xls => "xls",
            Self::Ods => "ods",
            Self::Csv => "csv",
        }
    }

    /// Whether the importer can see this format's merged cells.
    pub fn shows_merges(self) -> bool {
        matches!(self, Self::Xlsx | Self::Xls)
    }
}

/// Writes `rows` (with `merges` where the format keeps them) to
/// `dir/<stem>.<ext>` and returns the path.
pub fn write_sheet(
    dir: &Path,
    stem: &str,
    format: SheetFormat,
    rows: &[Vec<String>],
    merges: &[Merge],
) -> PathBuf {
    let path = dir.join(format!("{stem}.{}", format.extension()));
    match format {
        SheetFormat::Xlsx => write_xlsx(&path, rows, merges),
        SheetFormat::Xls => write_xls(&path, rows, merges),
        SheetFormat::Ods => write_ods(&path, rows),
        SheetFormat::Csv => std::fs::write(&path, super::csv_of(rows)).unwrap(),
    }
    path
}

fn write_xlsx(path: &Path, rows: &[Vec<String>], merges: &[Merge]) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("目录").unwrap();
    for (r, row) in rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            if !text.is_empty() {
                ws.write_string(r as u32, c as u16, text).unwrap();
            }
        }
    }
    let f = rust_xlsxwriter::Format::new();
    for &(r1, c1, r2, c2) in merges {
        let value = &rows[r1 as usize][c1 as usize];
        ws.merge_range(r1.into(), c1, r2.into(), c2, value, &f)
            .unwrap();
    }
    wb.save(path).unwrap();
}

/// One BIFF8 record: type, length, data.
fn record(out: &mut Vec<u8>, typ: u16, data: &[u8]) {
    out.extend(typ.to_le_bytes());
    out.extend((data.len() as u16).to_le_bytes());
    out.extend(data);
}

fn bof(out: &mut Vec<u8>, substream: u16) {
    let mut d = Vec::new();
    d.extend(0x0600u16.to_le_bytes()); // BIFF8
    d.extend(substream.to_le_bytes()); // 0x0005 globals, 0x0010 worksheet
    d.extend(0u16.to_le_bytes()); // build
    d.extend(1997u16.to_le_bytes()); // year
    d.extend(0u32.to_le_bytes());
    d.extend(0x0106u32.to_le_bytes());
    record(out, 0x0809, &d);
}

/// UTF-16LE text with its length as `len_bytes` (1 or 2) and the
/// "high byte" flag.
fn xl_string(text: &str, len_bytes: usize) -> Vec<u8> {
    let units: Vec<u16> = text.encode_utf16().collect();
    let mut d = Vec::new();
    if len_bytes == 1 {
        d.push(units.len() as u8);
    } else {
        d.extend((units.len() as u16).to_le_bytes());
    }
    d.push(1);
    for u in units {
        d.extend(u.to_le_bytes());
    }
    d
}

/// A Label record: the text of the cell at `row`, `col`.
pub fn xls_label(row: u16, col: u16, text: &str) -> (u16, Vec<u8>) {
    let mut d = Vec::new();
    d.extend(row.to_le_bytes());
    d.extend(col.to_le_bytes());
    d.extend(0u16.to_le_bytes());
    d.extend(xl_string(text, 2));
    (0x0204, d)
}

/// A BIFF8 DIMENSIONS record: rows `first..last_plus_1`, columns
/// `first_col..last_col_plus_1`, as the file declares them.
pub fn xls_dimensions(
    first: u32,
    last_plus_1: u32,
    first_col: u16,
    last_col_plus_1: u16,
) -> (u16, Vec<u8>) {
    let mut d = Vec::new();
    d.extend(first.to_le_bytes());
    d.extend(last_plus_1.to_le_bytes());
    d.extend(first_col.to_le_bytes());
    d.extend(last_col_plus_1.to_le_bytes());
    d.extend(0u16.to_le_bytes());
    (0x0200, d)
}

fn write_xls(path: &Path, rows: &[Vec<String>], merges: &[Merge]) {
    let mut records = Vec::new();
    for (r, row) in rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            if !text.is_empty() {
                records.push(xls_label(r as u16, c as u16, text));
            }
        }
    }
    if !merges.is_empty() {
        let mut d = Vec::new();
        d.extend((merges.len() as u16).to_le_bytes());
        for &(r1, c1, r2, c2) in merges {
            for v in [r1, r2, c1, c2] {
                d.extend(v.to_le_bytes());
            }
        }
        records.push((0x00E5, d));
    }
    write_xls_records(path, &records);
}

/// An XLS file whose one visible sheet “目录” holds exactly `records`
/// (type, data) between its BOF and EOF.
pub fn write_xls_records(path: &Path, records: &[(u16, Vec<u8>)]) {
    let sheet_name = xl_string("目录", 1);
    // Workbook globals: BOF, one BoundSheet8 pointing at the sheet, EOF.
    let globals_len = 20 + (4 + 6 + sheet_name.len()) + 4;
    let mut stream = Vec::new();
    bof(&mut stream, 0x0005);
    let mut sheet = Vec::new();
    sheet.extend((globals_len as u32).to_le_bytes());
    sheet.extend([0, 0]); // visible worksheet
    sheet.extend(&sheet_name);
    record(&mut stream, 0x0085, &sheet);
    record(&mut stream, 0x000A, &[]);
    assert_eq!(stream.len(), globals_len);
    // The worksheet: its records, EOF.
    bof(&mut stream, 0x0010);
    for (typ, data) in records {
        record(&mut stream, *typ, data);
    }
    record(&mut stream, 0x000A, &[]);
    let mut comp = cfb::create(path).unwrap();
    let mut s = comp.create_stream("/Workbook").unwrap();
    s.write_all(&stream).unwrap();
    drop(s);
    comp.flush().unwrap();
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn write_ods(path: &Path, rows: &[Vec<String>]) {
    let mut content = String::new();
    for row in rows {
        content.push_str("<table:table-row>");
        for text in row {
            if text.is_empty() {
                content.push_str("<table:table-cell/>");
            } else {
                content.push_str(r#"<table:table-cell office:value-type="string">"#);
                for line in text.split('\n') {
                    content.push_str(&format!("<text:p>{}</text:p>", xml_escape(line)));
                }
                content.push_str("</table:table-cell>");
            }
        }
        content.push_str("</table:table-row>");
    }
    write_ods_table(path, &content);
}

/// The start of an ODS `content.xml` up to the table “目录”.
const ODS_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="目录">"#;
const ODS_TAIL: &str =
    "</table:table></office:spreadsheet></office:body></office:document-content>";

/// An ODS file whose one sheet “目录” holds the rows `table_xml` gives
/// (`<table:table-row>` elements), stored uncompressed.
pub fn write_ods_table(path: &Path, table_xml: &str) {
    let content = format!("{ODS_HEAD}{table_xml}{ODS_TAIL}");
    write_ods_content(path, content.as_bytes(), zip::CompressionMethod::Stored);
}

/// An ODS file with `content` as its content.xml, compressed by `method`.
pub fn write_ods_content(path: &Path, content: &[u8], method: zip::CompressionMethod) {
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, bytes, options) in [
        (
            "mimetype",
            "application/vnd.oasis.opendocument.spreadsheet".as_bytes(),
            stored,
        ),
        ("META-INF/manifest.xml", manifest.as_bytes(), stored),
        ("content.xml", content, stored.compression_method(method)),
    ] {
        zip.start_file(name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
}
