//! Writes one sheet of cell texts, with merged ranges where the format has
//! them, as XLSX (rust_xlsxwriter), XLS (BIFF8 records in a compound file,
//! written here), ODS (content.xml in a zip, written here; merges are
//! spans there, which the importer does not read) or CSV.

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

fn write_xls(path: &Path, rows: &[Vec<String>], merges: &[Merge]) {
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
    // The worksheet: a Label per non-empty cell, the merged ranges, EOF.
    bof(&mut stream, 0x0010);
    for (r, row) in rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            if text.is_empty() {
                continue;
            }
            let mut d = Vec::new();
            d.extend((r as u16).to_le_bytes());
            d.extend((c as u16).to_le_bytes());
            d.extend(0u16.to_le_bytes());
            d.extend(xl_string(text, 2));
            record(&mut stream, 0x0204, &d);
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
        record(&mut stream, 0x00E5, &d);
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
    let mut content = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="目录">"#,
    );
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
    content.push_str("</table:table></office:spreadsheet></office:body></office:document-content>");
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, bytes) in [
        (
            "mimetype",
            "application/vnd.oasis.opendocument.spreadsheet".as_bytes(),
        ),
        ("META-INF/manifest.xml", manifest.as_bytes()),
        ("content.xml", content.as_bytes()),
    ] {
        zip.start_file(name, stored).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
}
