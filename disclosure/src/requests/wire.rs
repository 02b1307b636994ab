//! What crosses the network between a terminal and the county's intake:
//! applications (with their personal fields, to the county only), ratings,
//! status changes and health reports (the printer's as a
//! [`PrinterHealth`]). Plain serde types; their JSON Schema
//! (derived here) is the `components.schemas` of `county/openapi.json`, and
//! [`ApplicationMessage::check_values`] holds the server to what the schema
//! promises for enumerated strings.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::application::ApplicantKind;
use super::printer_health::PrinterHealth;

/// A 回执编号 as the API takes it: 26 digits, separators (`-`, space)
/// ignored (the county stores and answers the digits).
pub const RECEIPT_PATTERN: &str = r"^[0-9]+([- ][0-9]+)*$";

/// Values of `ApplicationMessage::provide_form` (`ProvideForm::db_name`).
pub const PROVIDE_FORMS: [&str; 2] = ["paper", "electronic"];
/// Values of `ApplicationMessage::delivery` (`Delivery::db_name`).
pub const DELIVERIES: [&str; 3] = ["collect", "post", "email"];
/// Values of a person's `id_kind` (`IdDocumentKind::db_name`).
pub const ID_KINDS: [&str; 3] = ["resident_id", "travel_permit", "passport"];

fn one_of(values: &[&str], description: &str) -> schemars::Schema {
    schemars::json_schema!({ "type": "string", "enum": values, "description": description })
}

fn provide_form_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    one_of(&PROVIDE_FORMS, "获取信息的载体形式: paper or electronic.")
}

fn delivery_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    one_of(&DELIVERIES, "获取信息的方式: collect, post or email.")
}

fn id_kind_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    one_of(&ID_KINDS, "证件类型.")
}

/// An application as delivered to the county. `receipt_no` (26 digits) is
/// the idempotency key: the county keeps one application per number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ApplicationMessage {
    /// 回执编号: 26 digits, separators (- or space) ignored; also the
    /// Idempotency-Key. Must be a number of the sending terminal's own
    /// region and device.
    #[schemars(regex(pattern = RECEIPT_PATTERN))]
    pub receipt_no: String,
    /// 行政区划代码 of the hall (6, 9 or 12 digits).
    #[schemars(regex(pattern = r"^([0-9]{6}|[0-9]{9}|[0-9]{12})$"))]
    pub hall_region: String,
    /// The terminal's number in its hall.
    #[schemars(range(min = 1, max = 99))]
    pub device: u8,
    /// `2026-11-23 09:05:07+08:00`.
    pub received_at: String,
    /// 受理渠道 as the terminal records it (现场·政务公开专区终端, marked
    /// when hall staff typed for the applicant).
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
    #[schemars(schema_with = "provide_form_schema")]
    pub provide_form: String,
    /// `collect`, `post` or `email`.
    #[schemars(schema_with = "delivery_schema")]
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

impl ApplicationMessage {
    /// The enumerated strings hold one of the values the schema lists; the
    /// message (in Chinese) names the field otherwise.
    pub fn check_values(&self) -> Result<(), String> {
        let mut checks = vec![
            (
                "provide_form",
                self.provide_form.as_str(),
                &PROVIDE_FORMS[..],
            ),
            ("delivery", self.delivery.as_str(), &DELIVERIES[..]),
        ];
        if let ApplicantMessage::Person { id_kind, .. } = &self.applicant {
            checks.push(("applicant.id_kind", id_kind.as_str(), &ID_KINDS[..]));
        }
        for (field, value, allowed) in checks {
            if !allowed.contains(&value) {
                return Err(format!(
                    "字段 {field} 的值“{value}”无效，应为 {} 之一",
                    allowed.join("、")
                ));
            }
        }
        Ok(())
    }
}

/// 申请人: a citizen (姓名, 证件) or an organisation (名称, 统一社会信用代码, 联系人).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ApplicantMessage {
    /// 公民: name and identity document.
    Person {
        name: String,
        #[schemars(schema_with = "id_kind_schema")]
        id_kind: String,
        id_number: String,
    },
    /// 法人或者其他组织: name, 统一社会信用代码 and contact person.
    Organisation {
        name: String,
        credit_code: String,
        contact_person: String,
    },
}

impl ApplicantMessage {
    /// Person or organisation: what the message's `kind` says.
    pub fn kind(&self) -> ApplicantKind {
        match self {
            Self::Person { .. } => ApplicantKind::Person,
            Self::Organisation { .. } => ApplicantKind::Organisation,
        }
    }
}

/// The county's answer to a delivered application or rating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Acknowledgement {
    pub receipt_no: String,
    /// `false` when the county already had it (a retry).
    pub created: bool,
    /// When the county first received it.
    pub received_at: String,
}

/// A 好差评 rating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RatingMessage {
    /// The rated application's 回执编号.
    pub receipt_no: String,
    /// 1 非常不满意 … 5 非常满意.
    #[schemars(range(min = 1, max = 5))]
    pub level: u8,
    pub at: String,
}

/// One status change recorded by the county.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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

/// The reply types (Art 36 outcomes, and Art 39) as the county names them
/// at the start of a 已答复 note.
pub const REPLY_TYPES: [&str; 9] = [
    "已主动公开",
    "予以公开",
    "部分公开",
    "不予公开",
    "本机关不掌握该信息（信息不存在）",
    "非本机关负责公开",
    "重复申请",
    "法律法规对信息提供另有规定",
    "不作为政府信息公开申请处理",
];

/// What of a status change's note outlives the purge of its application's
/// personal fields, at the county and at the terminal: of a 已答复 note the
/// reply type, of a 延期答复 note the new date — what the county writes
/// before the first full-width colon (“予以公开：……”, “延期至2026年12月1日：……”)
/// — and nothing else: not the reasons staff typed after it, which can name
/// third parties, nor any note not in that form.
pub fn note_after_purge(status: &str, note: &str) -> String {
    let head = note.split('：').next().unwrap_or("");
    let kept = match status {
        "replied" => REPLY_TYPES.contains(&head),
        "extended" => {
            head.starts_with("延期至") && head.ends_with('日') && head.chars().count() <= 16
        }
        _ => false,
    };
    if kept {
        head.to_string()
    } else {
        String::new()
    }
}

/// A page of status changes for one terminal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct StatusChanges {
    pub changes: Vec<StatusChangeMessage>,
    /// The cursor to ask with next time (the last change's, or the one asked with).
    pub next_cursor: i64,
}

/// A terminal's health, sent after each sync round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, JsonSchema)]
pub struct HealthReport {
    pub agent_version: String,
    #[serde(default)]
    pub feed_version: Option<u64>,
    #[serde(default)]
    pub last_sync_ok: Option<String>,
    #[serde(default)]
    pub last_error: Option<String>,
    pub outbox_depth: u64,
    /// From the last print: `ok`, `near_end`, `paper_out`, `error`, or
    /// `unknown` before the first.
    pub printer: PrinterHealth,
    #[serde(default)]
    pub printer_detail: Option<String>,
    pub disk_free_bytes: u64,
    pub disk_total_bytes: u64,
    /// The last 设备自检 of each part, from the 技术维护 screen; left out
    /// of the JSON when there is none, so such reports stay what they were.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub self_test: Vec<crate::technician::SelfTestResult>,
    pub reported_at: String,
}

/// Enrolment: a one-time code from the county, and who the terminal is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct EnrolRequest {
    /// One-time code from `county devices add`, e.g. 0824-9714-2954.
    pub code: String,
    /// 行政区划代码 of the hall (6, 9 or 12 digits).
    pub hall_region: String,
    #[schemars(range(min = 1, max = 99))]
    pub device: u8,
}

/// The credentials a terminal keeps after enrolment or a token rotation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct EnrolResponse {
    /// `<hall_region>-<device as two digits>`.
    pub device_id: String,
    /// Bearer token; the county keeps only its SHA-256.
    pub token: String,
    /// When the token stops working (`2026-11-23 09:05:07+08:00`) unless
    /// rotated before; `None` from a county that does not expire tokens.
    #[serde(default)]
    pub expires_at: Option<String>,
    /// From when the terminal should ask for a new token
    /// (`POST /api/v1/token`); same format, so times compare as strings.
    #[serde(default)]
    pub rotate_after: Option<String>,
}

/// An error from the intake, with a message in Chinese.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ApiError {
    /// Machine-readable code: bad_json, bad_query, unsupported_media_type,
    /// too_large, not_found, method_not_allowed, missing_idempotency_key,
    /// bad_enrol_code, too_many_attempts, unauthorised, token_expired,
    /// terminal_revoked, invalid, unknown_receipt, conflict,
    /// request_timeout, internal.
    pub error: String,
    /// What went wrong, in Chinese.
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enumerated_values_are_checked() {
        let person = |kind: &str| ApplicantMessage::Person {
            name: "张三".into(),
            id_kind: kind.into(),
            id_number: "x".into(),
        };
        let app = |form: &str, delivery: &str, applicant| ApplicationMessage {
            receipt_no: String::new(),
            hall_region: String::new(),
            device: 1,
            received_at: String::new(),
            channel: "kiosk".into(),
            staff_assisted: false,
            applicant,
            phone: String::new(),
            address: None,
            email: None,
            item_key: None,
            document_key: None,
            linked_title: None,
            doc_no: None,
            description: String::new(),
            provide_form: form.into(),
            delivery: delivery.into(),
            body_name: String::new(),
            body_region: String::new(),
            deadline: None,
            deadline_unknown_year: None,
            progress_token: None,
        };
        let check = |a: ApplicationMessage, want: Option<&str>| {
            let got = a.check_values().err();
            assert_eq!(got.is_some(), want.is_some(), "{got:?}");
            if let (Some(g), Some(w)) = (got, want) {
                assert!(g.contains(w), "{g}");
            }
        };
        check(app("paper", "post", person("resident_id")), None);
        check(app("electronic", "email", person("passport")), None);
        check(
            app("cd", "post", person("resident_id")),
            Some("provide_form"),
        );
        check(app("paper", "fax", person("resident_id")), Some("delivery"));
        check(
            app("paper", "post", person("驾驶证")),
            Some("applicant.id_kind"),
        );
    }

    #[test]
    fn the_applicant_kind_is_the_word_the_message_carries() {
        let person = ApplicantMessage::Person {
            name: "张三".into(),
            id_kind: "resident_id".into(),
            id_number: "x".into(),
        };
        let organisation = ApplicantMessage::Organisation {
            name: "合作社".into(),
            credit_code: "x".into(),
            contact_person: "李四".into(),
        };
        for (m, word) in [(person, "person"), (organisation, "organisation")] {
            assert_eq!(serde_json::to_value(&m).unwrap()["kind"], word);
            assert_eq!(m.kind().db_name(), word);
        }
    }

    #[test]
    fn a_health_report_reads_and_writes_the_printer_as_before() {
        let text = r#"{"agent_version":"0.1.0","feed_version":7,"last_sync_ok":null,"last_error":null,"outbox_depth":0,"printer":"near_end","printer_detail":null,"disk_free_bytes":1,"disk_total_bytes":2,"reported_at":"2026-12-15 13:00:01+08:00"}"#;
        let h: HealthReport = serde_json::from_str(text).unwrap();
        assert_eq!(h.printer, PrinterHealth::NearEnd);
        assert_eq!(serde_json::to_string(&h).unwrap(), text);
        let other = text.replace("near_end", "cover_open");
        assert!(serde_json::from_str::<HealthReport>(&other).is_err());
    }
}
