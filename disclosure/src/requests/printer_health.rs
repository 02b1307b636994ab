//! The receipt printer's health, one type from the kiosk to the county:
//! the kiosk records it after each print (`Desk`), `requests.db` keeps it
//! (`device_state`, key [`PRINTER_STATE`](super::store::PRINTER_STATE)),
//! the sync agent reads it for its health report, and the county shows
//! it. On disk and on the wire it is the same word: `ok`, `near_end`,
//! `paper_out`, `error` or `unknown`.

use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The printer's state after the last print, as a health report carries it:
/// ok, near_end (paper running out), paper_out, error, or unknown (nothing
/// printed yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PrinterHealth {
    Ok,
    NearEnd,
    PaperOut,
    Error,
    #[default]
    Unknown,
}

/// Why a text is not a [`PrinterHealth`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("打印机状态“{0}”无效，应为 ok、near_end、paper_out、error 或 unknown")]
pub struct PrinterHealthError(pub String);

impl PrinterHealth {
    pub const ALL: [PrinterHealth; 5] = [
        Self::Ok,
        Self::NearEnd,
        Self::PaperOut,
        Self::Error,
        Self::Unknown,
    ];

    /// The word in `requests.db` and on the wire.
    pub fn db_name(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::NearEnd => "near_end",
            Self::PaperOut => "paper_out",
            Self::Error => "error",
            Self::Unknown => "unknown",
        }
    }

    /// In words, for technicians and staff.
    pub fn name(self) -> &'static str {
        match self {
            Self::Ok => "正常",
            Self::NearEnd => "纸将用尽，请换纸",
            Self::PaperOut => "缺纸",
            Self::Error => "故障",
            Self::Unknown => "未知（尚未打印）",
        }
    }
}

impl FromStr for PrinterHealth {
    type Err = PrinterHealthError;

    fn from_str(s: &str) -> Result<PrinterHealth, PrinterHealthError> {
        Self::ALL
            .into_iter()
            .find(|h| h.db_name() == s)
            .ok_or_else(|| PrinterHealthError(s.to_string()))
    }
}

/// A health equals its word on disk and on the wire (`"near_end"`).
impl PartialEq<str> for PrinterHealth {
    fn eq(&self, other: &str) -> bool {
        self.db_name() == other
    }
}

impl PartialEq<&str> for PrinterHealth {
    fn eq(&self, other: &&str) -> bool {
        self.db_name() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_words_on_disk_and_on_the_wire_are_the_same() {
        for h in PrinterHealth::ALL {
            let json = serde_json::to_string(&h).unwrap();
            assert_eq!(json, format!("\"{}\"", h.db_name()));
            assert_eq!(serde_json::from_str::<PrinterHealth>(&json).unwrap(), h);
            assert_eq!(h.db_name().parse::<PrinterHealth>().unwrap(), h);
        }
        assert_eq!(PrinterHealth::NearEnd.db_name(), "near_end");
        assert_eq!(PrinterHealth::NearEnd, "near_end");
        assert!(PrinterHealth::Ok != "error");
        assert_eq!(PrinterHealth::PaperOut.db_name(), "paper_out");
        assert!("cover_open".parse::<PrinterHealth>().is_err());
        assert!(serde_json::from_str::<PrinterHealth>("\"cover_open\"").is_err());
        assert_eq!(PrinterHealth::default(), PrinterHealth::Unknown);
    }
}
