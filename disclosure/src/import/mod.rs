//! Turning a county's files into a [`ContentBundle`]: catalog spreadsheets
//! in the two shapes counties keep (the national domain standard catalog and
//! the 目录规范梳理表 template), document folders, service guides, notices
//! and the region table.
//!
//! Every error names the file, sheet, row and column in Chinese; a file with
//! errors contributes nothing.

mod catalog;
mod folder;
mod front_matter;
pub(crate) mod grid;
mod prescan;

use std::fmt;

use serde::Serialize;

pub use catalog::{
    CatalogShape, ParsedCatalog, ParsedItem, check_duplicates, is_catalog_file, parse_catalog_file,
};
pub use folder::{ContentFile, LoadedContent, load_content_dir, load_feed_dir, load_regions};
pub(crate) use folder::{Part, StreamError, load_feed_dir_streamed};

/// A problem found while importing, located as precisely as possible.
/// `row` is the row number a spreadsheet program shows (title and header
/// rows included), `column` its column letter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportError {
    pub file: String,
    pub sheet: Option<String>,
    pub row: Option<u32>,
    pub column: Option<String>,
    pub message: String,
}

impl ImportError {
    pub(crate) fn file(file: &str, message: String) -> ImportError {
        ImportError {
            file: file.to_string(),
            sheet: None,
            row: None,
            column: None,
            message,
        }
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(s) = &self.sheet {
            write!(f, "，工作表“{s}”")?;
        }
        if let Some(r) = self.row {
            write!(f, "，第{r}行")?;
        }
        if let Some(c) = &self.column {
            write!(f, "，{c}列")?;
        }
        write!(f, "：{}", self.message)
    }
}

impl std::error::Error for ImportError {}

/// A list of import problems (errors or warnings).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportErrors(pub Vec<ImportError>);

impl fmt::Display for ImportErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for e in &self.0 {
            writeln!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ImportErrors {}
