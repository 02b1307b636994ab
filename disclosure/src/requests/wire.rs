//! What crosses the network between a terminal and the county's intake:
//! applications (with their personal fields, to the county only), ratings,
//! status changes and health reports. Plain serde types; the JSON shapes
//! are described in `county/openapi.json`.

use serde::{Deserialize, Serialize};

/// An application as delivered to the county. `receipt_no` (26 digits) is
/// the idempotency key: the county keeps one application per number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationMessage {
    pub receipt_no: String,
    pub hall_region: String,
    pub device: u8,
    /// `2026-11-23 09:05:07+08:00`.
    pub received_at: String,
    pub channel: String,
    pub staff_assisted: bool,
    pub applicant: ApplicantMessage,
    pub phone: String,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub item_key: Option<String>,
    #[serde(default)]
    pub document_key: Option<String>,
    #[serde(default)]
    pub linked_title: Option<String>,
    #[serde(default)]
    pub doc_no: Option<String>,
    pub description: String,
    /// `paper` or `electronic`.
    pub provide_form: String,
    /// `collect`, `post` or `email`.
    pub delivery: String,
    pub body_name: String,
    pub body_region: String,
    /// The reply deadline the terminal printed; `None` when the year's
    /// holidays were not yet published (then `deadline_unknown_year`).
    #[serde(default)]
    pub deadline: Option<String>,
    #[serde(default)]
    pub deadline_unknown_year: Option<i32>,
    /// The key to the public progress page that the receipt's QR code
    /// carries (24 base32 letters, random). Absent from terminals older
    /// than it and for applications saved before it; left out of the JSON
    /// when absent, so those messages stay byte for byte what they were.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress_token: Option<String>,
}

/// 申请人: a citizen (姓名, 证件) or an organisation (名称, 统一社会信用代码, 联系人).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ApplicantMessage {
    Person {
        name: String,
        id_kind: String,
        id_number: String,
    },
    Organisation {
        name: String,
        credit_code: String,
        contact_person: String,
    },
}

/// The county's answer to a delivered application or rating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acknowledgement {
    pub receipt_no: String,
    /// `false` when the county already had it (a retry).
    pub created: bool,
    /// When the county first received it.
    pub received_at: String,
}

/// A 好差评 rating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingMessage {
    pub receipt_no: String,
    /// 1 非常不满意 … 5 非常满意.
    pub level: u8,
    pub at: String,
}

/// One status change recorded by the county.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChangeMessage {
    /// Increasing; ask for changes after the last one seen.
    pub cursor: i64,
    pub receipt_no: String,
    /// An `ApplicationStatus` database name (`registered`, `replied`, …).
    pub status: String,
    pub at: String,
    #[serde(default)]
    pub note: String,
}

/// A page of status changes for one terminal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChanges {
    pub changes: Vec<StatusChangeMessage>,
    /// The cursor to ask with next time (the last change's, or the one asked with).
    pub next_cursor: i64,
}

/// A terminal's health, sent after each sync round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct HealthReport {
    pub agent_version: String,
    #[serde(default)]
    pub feed_version: Option<u64>,
    #[serde(default)]
    pub last_sync_ok: Option<String>,
    #[serde(default)]
    pub last_error: Option<String>,
    pub outbox_depth: u64,
    /// `ok`, `near_end`, `paper_out`, `error` or `unknown` (from the last print).
    pub printer: String,
    #[serde(default)]
    pub printer_detail: Option<String>,
    pub disk_free_bytes: u64,
    pub disk_total_bytes: u64,
    pub reported_at: String,
}

/// The printer state of a [`HealthReport`] in words for technicians and
/// staff (`ok`, `near_end`, `paper_out`, `error`; anything else unknown).
pub fn printer_state_name(state: &str) -> &'static str {
    match state {
        "ok" => "正常",
        "near_end" => "纸将用尽，请换纸",
        "paper_out" => "缺纸",
        "error" => "故障",
        _ => "未知（尚未打印）",
    }
}

/// Enrolment: a one-time code from the county, and who the terminal is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolRequest {
    pub code: String,
    pub hall_region: String,
    pub device: u8,
}

/// The credentials a terminal keeps after enrolment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolResponse {
    pub device_id: String,
    pub token: String,
}

/// An error from the intake, with a message in Chinese.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub error: String,
    pub message: String,
}
