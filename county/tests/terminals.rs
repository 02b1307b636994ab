//! Who may talk to the intake, over real HTTP on 127.0.0.1 and a real
//! `county.db`: one terminal per canonical region and device, only its own
//! receipt numbers, one row per receipt number however spelt, enrolment
//! throttled with one answer for every refusal, tokens that expire, rotate
//! and can be revoked (also with the real `county devices revoke`).

mod common;

use std::path::Path;
use std::process::Command;

use county::intake::{IntakeError, IntakePolicy, IntakeStore};
use county::serve::{ServeLimits, ServeOptions};
use disclosure::requests::wire::ApplicationMessage;
use disclosure::requests::{DeviceNo, ReceiptNo};
use serde_json::{Value, json};
use time::OffsetDateTime;

struct Server {
    base: String,
    http: reqwest::Client,
    intake: IntakeStore,
}

async fn start(dir: &Path, limits: ServeLimits) -> Server {
    std::fs::create_dir_all(dir.join("repo")).unwrap();
    let opts = ServeOptions {
        listen: "127.0.0.1:0".parse().unwrap(),
        repo: dir.join("repo"),
        database: dir.join("county.db"),
        content: None,
        staff_key: String::new(),
        limits: limits.clone(),
        policy: IntakePolicy::default(),
    };
    let port = common::serve_in_process(&opts).await;
    Server {
        base: format!("http://127.0.0.1:{port}"),
        http: reqwest::Client::new(),
        intake: IntakeStore::open(&dir.join("county.db")).unwrap(),
    }
}

impl Server {
    fn code(&self, region: &str, device: u8) -> String {
        self.intake
            .new_enrol_code(
                &region.parse().unwrap(),
                DeviceNo::new(device).unwrap(),
                7,
                OffsetDateTime::now_utc(),
            )
            .unwrap()
    }

    async fn enrol(&self, code: &str, region: &str, device: u8) -> (u16, Value) {
        let r = self
            .http
            .post(format!("{}/api/v1/enrol", self.base))
            .json(&json!({"code": code, "hall_region": region, "device": device}))
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap())
    }

    async fn post(&self, path: &str, token: &str, key: Option<&str>, body: &Value) -> (u16, Value) {
        let mut req = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .json(body);
        if let Some(k) = key {
            req = req.header("Idempotency-Key", k);
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn health(&self, token: &str) -> (u16, Value) {
        let h = json!({"agent_version": "0.1.0", "outbox_depth": 0, "printer": "ok",
            "disk_free_bytes": 1, "disk_total_bytes": 2, "reported_at": "2026-11-23 09:07:00+08:00"});
        self.post("/api/v1/health", token, None, &h).await
    }
}

fn application(region: &str, receipt: &str) -> Value {
    serde_json::to_value(ApplicationMessage {
        hall_region: region.into(),
        body_name: "云溪县人民政府".into(),
        body_region: "990521".into(),
        description: "2025年低保名单".into(),
        progress_token: None,
        ..common::sample_application(receipt)
    })
    .unwrap()
}

fn receipt(region: &str, seq: u16) -> ReceiptNo {
    ReceiptNo::new(
        &region.parse().unwrap(),
        DeviceNo::new(1).unwrap(),
        "2026-11-23".parse().unwrap(),
        seq,
    )
    .unwrap()
}

#[tokio::test]
async fn two_spellings_of_one_region_enrol_as_one_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(dir.path(), ServeLimits::default()).await;
    let real_code = s.code("990521", 1);
    let (st, real) = s.enrol(&real_code, "990521", 1).await;
    assert_eq!(st, 200, "{real}");
    // A code made with the padded spelling, used with it.
    let padded_code = s.code("990521000000", 1);
    let (st, padded) = s.enrol(&padded_code, "990521000000", 1).await;
    assert_eq!(st, 200, "{padded}");
    assert_eq!(real["device_id"], "990521-01");
    assert_eq!(padded["device_id"], "990521-01", "one terminal, not two");
    assert_eq!(s.intake.terminals().unwrap().len(), 1);
    // The re-enrolment replaced the token: the old one is refused, and the
    // terminal's receipts are its own whichever spelling the body uses.
    let old = real["token"].as_str().unwrap();
    let token = padded["token"].as_str().unwrap();
    assert_eq!(s.health(old).await.0, 401);
    let no = receipt("990521", 3).digits();
    let (st, ack) = s
        .post(
            "/api/v1/applications",
            token,
            Some(&no),
            &application("990521000000", &no),
        )
        .await;
    assert_eq!((st, ack["created"].as_bool()), (201, Some(true)), "{ack}");
    let (st, _) = s
        .post(
            "/api/v1/applications",
            token,
            Some(&no),
            &application("990521", &no),
        )
        .await;
    assert_eq!(st, 200, "the same application, not a conflict");
}

#[tokio::test]
async fn a_terminal_cannot_post_another_terminals_receipt_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(dir.path(), ServeLimits::default()).await;
    let (_, county) = s.enrol(&s.code("990521", 1), "990521", 1).await;
    let (_, village) = s.enrol(&s.code("990521201201", 1), "990521201201", 1).await;
    let county_no = receipt("990521", 5).digits();
    // The village terminal sends the county terminal's number, as it is
    // and claiming to be that terminal: refused, nothing stored.
    let village_token = village["token"].as_str().unwrap();
    for region in ["990521", "990521000000", "990521201201"] {
        let (st, e) = s
            .post(
                "/api/v1/applications",
                village_token,
                Some(&county_no),
                &application(region, &county_no),
            )
            .await;
        assert_eq!(st, 422, "{region}: {e}");
    }
    assert_eq!(s.intake.count_of(&county_no).unwrap(), 0);
    // The real delivery is then taken, not a 409.
    let (st, _) = s
        .post(
            "/api/v1/applications",
            county["token"].as_str().unwrap(),
            Some(&county_no),
            &application("990521", &county_no),
        )
        .await;
    assert_eq!(st, 201);
}

#[tokio::test]
async fn hyphenated_idempotency_key_is_the_same_receipt_as_its_digits() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(dir.path(), ServeLimits::default()).await;
    let (_, v) = s.enrol(&s.code("990521201201", 1), "990521201201", 1).await;
    let token = v["token"].as_str().unwrap();
    let no = receipt("990521201201", 9);
    let hyphens = no.to_string();
    assert!(hyphens.contains('-'));
    let (st, first) = s
        .post(
            "/api/v1/applications",
            token,
            Some(&hyphens),
            &application("990521201201", &hyphens),
        )
        .await;
    assert_eq!(st, 201, "{first}");
    assert_eq!(first["receipt_no"], no.digits().as_str());
    let (st, again) = s
        .post(
            "/api/v1/applications",
            token,
            Some(&no.digits()),
            &application("990521201201", &no.digits()),
        )
        .await;
    assert_eq!(
        (st, again["created"].as_bool()),
        (200, Some(false)),
        "{again}"
    );
    assert_eq!(s.intake.applications().unwrap().len(), 1, "one row");
    // Reachable by reply and by the lookup the staff and terminals use
    // (the public page answers to the progress token only).
    s.intake
        .reply(
            &no,
            county::intake::ReplyOutcome::Disclosed,
            "",
            OffsetDateTime::now_utc(),
        )
        .unwrap();
    let (_, changes) = s.intake.application(&no).unwrap();
    assert!(changes.iter().any(|c| c.status == "replied"), "{changes:?}");
    // A rating spelt with hyphens counts for the same application.
    let (st, _) = s
        .post(
            "/api/v1/ratings",
            token,
            None,
            &json!({"receipt_no": hyphens, "level": 5, "at": "2026-11-23 09:06:00+08:00"}),
        )
        .await;
    assert_eq!(st, 204);
}

#[tokio::test]
async fn enrolment_guessing_is_throttled_per_address() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(
        dir.path(),
        ServeLimits {
            enrol_per_address_per_minute: 3,
            ..ServeLimits::default()
        },
    )
    .await;
    let code = s.code("990521201201", 1);
    let mut statuses = Vec::new();
    for guess in 0..6 {
        let (st, e) = s
            .enrol(&format!("0000-0000-000{guess}"), "990521201201", 1)
            .await;
        if st == 429 {
            assert_eq!(e["error"], "too_many_attempts");
        }
        statuses.push(st);
    }
    assert_eq!(statuses, [403, 403, 403, 429, 429, 429]);
    // Throttled means throttled: even the right code waits.
    assert_eq!(s.enrol(&code, "990521201201", 1).await.0, 429);
}

#[tokio::test]
async fn enrolment_guessing_is_throttled_in_total() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(
        dir.path(),
        ServeLimits {
            enrol_per_minute: 2,
            ..ServeLimits::default()
        },
    )
    .await;
    let statuses = [
        s.enrol("1", "990521201201", 1).await.0,
        s.enrol("2", "990521201201", 1).await.0,
        s.enrol("3", "990521201201", 1).await.0,
    ];
    assert_eq!(statuses, [403, 403, 429]);
}

#[tokio::test]
async fn a_code_for_another_terminal_gets_the_same_answer_as_a_wrong_code() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(dir.path(), ServeLimits::default()).await;
    let code = s.code("990521201201", 1);
    let (st_wrong, wrong) = s.enrol("0000-0000-0000", "990521201201", 2).await;
    let (st_other, other) = s.enrol(&code, "990521201201", 2).await;
    assert_eq!((st_wrong, st_other), (403, 403));
    assert_eq!(wrong, other, "the answer must not tell them apart");
    assert!(!other.to_string().contains("990521201201-01"), "{other}");
}

#[tokio::test]
async fn rotated_token_replaces_the_old_one_once_used() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(dir.path(), ServeLimits::default()).await;
    let (_, v) = s.enrol(&s.code("990521201201", 1), "990521201201", 1).await;
    let old = v["token"].as_str().unwrap().to_string();
    assert!(v["rotate_after"].as_str().unwrap() < v["expires_at"].as_str().unwrap());
    let (st, r) = s.post("/api/v1/token", &old, None, &Value::Null).await;
    assert_eq!(st, 200, "{r}");
    let new = r["token"].as_str().unwrap().to_string();
    assert_ne!(new, old);
    // Until the new token is used, the old one still works (a lost answer
    // must not lock the terminal out) …
    assert_eq!(s.health(&old).await.0, 204);
    // … and once it is, only the new one does.
    assert_eq!(s.health(&new).await.0, 204);
    let (st, e) = s.health(&old).await;
    assert_eq!((st, e["error"].as_str()), (401, Some("unauthorised")));
    assert_eq!(s.health(&new).await.0, 204);
}

#[test]
fn terminal_tokens_expire_unless_rotated() {
    let dir = tempfile::tempdir().unwrap();
    let policy = IntakePolicy {
        token_days: 10,
        ..IntakePolicy::default()
    };
    let store = IntakeStore::open_with(&dir.path().join("county.db"), policy).unwrap();
    let t0 = OffsetDateTime::now_utc();
    let code = store
        .new_enrol_code(
            &"990521201201".parse().unwrap(),
            DeviceNo::new(1).unwrap(),
            7,
            t0,
        )
        .unwrap();
    let a = store.enrol(&code, "990521201201", 1, t0).unwrap();
    let day = time::Duration::days(1);
    let terminal = store.terminal_of(&a.token, t0 + day * 6).unwrap();
    assert!(matches!(
        store.terminal_of(&a.token, t0 + day * 11),
        Err(IntakeError::TokenExpired)
    ));
    // Rotated in time, the terminal keeps working past the first token's end.
    let b = store.rotate_token(&terminal, t0 + day * 6).unwrap();
    assert!(store.terminal_of(&b.token, t0 + day * 15).is_ok());
    assert!(matches!(
        store.terminal_of(&b.token, t0 + day * 17),
        Err(IntakeError::TokenExpired)
    ));
}

#[tokio::test]
async fn revoked_terminal_is_refused_with_the_real_binary() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(dir.path(), ServeLimits::default()).await;
    let (_, v) = s.enrol(&s.code("990521201201", 1), "990521201201", 1).await;
    let token = v["token"].as_str().unwrap();
    assert_eq!(s.health(token).await.0, 204);
    let out = Command::new(env!("CARGO_BIN_EXE_county"))
        .args(["devices", "revoke", "--database"])
        .arg(dir.path().join("county.db"))
        .args(["--region", "990521201201", "--device", "1"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("已停用终端 990521201201-01"));
    let (st, e) = s.health(token).await;
    assert_eq!(
        (st, e["error"].as_str()),
        (401, Some("terminal_revoked")),
        "{e}"
    );
    assert_eq!(
        s.post("/api/v1/token", token, None, &Value::Null).await.0,
        401,
        "no rotation out of a revocation"
    );
    // A new code brings it back.
    let (st, v) = s.enrol(&s.code("990521201201", 1), "990521201201", 1).await;
    assert_eq!(st, 200);
    assert_eq!(s.health(v["token"].as_str().unwrap()).await.0, 204);
}
