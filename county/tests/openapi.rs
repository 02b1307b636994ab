//! `county/openapi.json` is the document `county::openapi` generates from
//! the wire types, and each request schema agrees with serde both ways:
//! leaving out a property the schema requires makes the server's parser
//! refuse the body, leaving out one it does not require does not.

use disclosure::requests::PrinterHealth;
use disclosure::requests::wire::{
    ApplicantMessage, ApplicationMessage, EnrolRequest, HealthReport, RatingMessage,
};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

fn workspace() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

#[test]
fn openapi_json_is_the_document_generated_from_the_types() {
    let file = workspace().join("county/openapi.json");
    let want = county::openapi::document_text();
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(&file, &want).unwrap();
    }
    let have = std::fs::read_to_string(&file).unwrap();
    assert!(
        have == want,
        "county/openapi.json is not what the types generate: run \
         UPDATE_OPENAPI=1 cargo test -p county --test openapi and commit the file"
    );
}

/// The object schema `name` (following `$ref`), or, for a `oneOf`, the
/// branch whose `kind` is `kind`.
fn object_schema<'a>(doc: &'a Value, name: &str, kind: Option<&str>) -> &'a Value {
    let s = &doc["components"]["schemas"][name];
    match kind {
        None => s,
        Some(k) => s["oneOf"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["properties"]["kind"]["const"] == k)
            .unwrap_or_else(|| panic!("{name} has no branch {k}")),
    }
}

/// For every property of `schema` present in `example` (at `at` inside
/// the body), removing it must make `T` refuse the body exactly when the
/// schema requires it.
fn check_required<T: DeserializeOwned>(body: &Value, at: &[&str], schema: &Value, what: &str) {
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|r| r.iter().map(|v| v.as_str().unwrap()).collect())
        .unwrap_or_default();
    let props = schema["properties"].as_object().unwrap();
    let mut checked = 0;
    for name in props.keys() {
        if name == "kind" {
            continue; // the tag picks the branch
        }
        let mut b = body.clone();
        let mut obj = &mut b;
        for p in at {
            obj = &mut obj[*p];
        }
        if obj.as_object_mut().unwrap().remove(name).is_none() {
            continue;
        }
        checked += 1;
        let parsed = serde_json::from_value::<T>(b).is_ok();
        assert_eq!(
            parsed,
            !required.contains(&name.as_str()),
            "{what}.{name}: the schema {} it, serde {} without it",
            if required.contains(&name.as_str()) {
                "requires"
            } else {
                "does not require"
            },
            if parsed { "accepts" } else { "refuses" }
        );
    }
    assert!(checked > 0, "{what}: nothing checked");
    // And every property the schema requires is one serde knows.
    for r in &required {
        assert!(props.contains_key(*r), "{what}: requires unknown {r}");
    }
}

fn full_application(applicant: ApplicantMessage) -> Value {
    serde_json::to_value(ApplicationMessage {
        receipt_no: "99052120120101261123000742".into(),
        hall_region: "990521201201".into(),
        device: 1,
        received_at: "2026-11-23 09:05:00+08:00".into(),
        channel: "现场·政务公开专区终端".into(),
        staff_assisted: false,
        applicant,
        phone: "13800138000".into(),
        address: Some("石桥村1号".into()),
        email: Some("a@example.cn".into()),
        item_key: Some("i".into()),
        document_key: Some("d".into()),
        linked_title: Some("t".into()),
        doc_no: Some("云政发〔2026〕1号".into()),
        description: "低保名单".into(),
        provide_form: "paper".into(),
        delivery: "post".into(),
        body_name: "石桥乡人民政府".into(),
        body_region: "990521201".into(),
        deadline: Some("2026-12-21".into()),
        deadline_unknown_year: Some(2027),
        progress_token: Some("abcdefghijklmnopqrstuvwx".into()),
    })
    .unwrap()
}

#[test]
fn request_schemas_require_exactly_what_the_server_requires() {
    let doc = county::openapi::document();
    let person = full_application(ApplicantMessage::Person {
        name: "王秀英".into(),
        id_kind: "resident_id".into(),
        id_number: "11010519491231002X".into(),
    });
    let org = full_application(ApplicantMessage::Organisation {
        name: "云溪县某公司".into(),
        credit_code: "91990521MA0000000X".into(),
        contact_person: "李四".into(),
    });
    let app = object_schema(&doc, "ApplicationMessage", None);
    check_required::<ApplicationMessage>(&person, &[], app, "ApplicationMessage");
    for (body, kind) in [(&person, "person"), (&org, "organisation")] {
        let branch = object_schema(&doc, "ApplicantMessage", Some(kind));
        check_required::<ApplicationMessage>(body, &["applicant"], branch, kind);
    }
    let enrol = json!({"code": "0824-9714-2954", "hall_region": "990521", "device": 1});
    check_required::<EnrolRequest>(
        &enrol,
        &[],
        object_schema(&doc, "EnrolRequest", None),
        "EnrolRequest",
    );
    let rating = json!({"receipt_no": "1", "level": 5, "at": "2026-11-23 09:05:00+08:00"});
    check_required::<RatingMessage>(
        &rating,
        &[],
        object_schema(&doc, "RatingMessage", None),
        "RatingMessage",
    );
    let health = serde_json::to_value(HealthReport {
        agent_version: "1".into(),
        feed_version: Some(3),
        last_sync_ok: Some("x".into()),
        last_error: Some("y".into()),
        outbox_depth: 0,
        printer: PrinterHealth::Ok,
        printer_detail: Some("z".into()),
        disk_free_bytes: 1,
        disk_total_bytes: 2,
        self_test: Vec::new(),
        reported_at: "x".into(),
    })
    .unwrap();
    check_required::<HealthReport>(
        &health,
        &[],
        object_schema(&doc, "HealthReport", None),
        "HealthReport",
    );
}

/// The printer's health is an enumeration in the document, of exactly the
/// words terminals have always sent (and `requests.db` keeps).
#[test]
fn the_printer_health_is_an_enum_of_the_words_terminals_send() {
    let doc = county::openapi::document();
    let printer = &object_schema(&doc, "HealthReport", None)["properties"]["printer"];
    let schema = match printer["$ref"].as_str() {
        Some(r) => &doc["components"]["schemas"][r.rsplit('/').next().unwrap()],
        None => printer,
    };
    let words: Vec<&str> = schema["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("not an enum: {schema}"))
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(words, ["ok", "near_end", "paper_out", "error", "unknown"]);
    for (h, word) in PrinterHealth::ALL.into_iter().zip(&words) {
        assert_eq!(serde_json::to_value(h).unwrap(), *word);
    }
}
