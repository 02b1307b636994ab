//! The intake API against its OpenAPI document, over real HTTP on
//! 127.0.0.1: every documented operation is called, every answer's status
//! must be documented for it and its body must match the documented schema.
//! Bad input gets its answers too: wrong codes and tokens, a missing or
//! mismatched idempotency key, the same application twice, another body
//! under the same number, another terminal's number.

use std::collections::BTreeSet;
use std::path::PathBuf;

mod common;

use common::sample_application as application;
use serde_json::{Value, json};

fn workspace() -> PathBuf {
    PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap())
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Checks `v` against `schema` (the subset the document uses: type, enum,
/// required, properties, items, $ref, minimum/maximum). Returns problems.
fn check_schema(doc: &Value, schema: &Value, v: &Value, at: &str, out: &mut Vec<String>) {
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.rsplit('/').next().unwrap();
        return check_schema(doc, &doc["components"]["schemas"][name], v, at, out);
    }
    let type_ok = |t: &str| match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        _ => false,
    };
    let ok = match &schema["type"] {
        Value::String(t) => type_ok(t),
        Value::Array(ts) => ts.iter().any(|t| type_ok(t.as_str().unwrap())),
        _ => true,
    };
    if !ok {
        out.push(format!("{at}: {v} is not {}", schema["type"]));
        return;
    }
    if let Some(e) = schema["enum"].as_array()
        && !e.contains(v)
    {
        out.push(format!("{at}: {v} not in {e:?}"));
    }
    if let (Some(min), Some(n)) = (schema["minimum"].as_i64(), v.as_i64())
        && n < min
    {
        out.push(format!("{at}: {n} < {min}"));
    }
    if let Some(req) = schema["required"].as_array() {
        for r in req {
            if v.get(r.as_str().unwrap()).is_none() {
                out.push(format!("{at}: missing {r}"));
            }
        }
    }
    if let (Some(props), Some(obj)) = (schema["properties"].as_object(), v.as_object()) {
        for (k, val) in obj {
            match props.get(k) {
                Some(s) => check_schema(doc, s, val, &format!("{at}.{k}"), out),
                None => out.push(format!("{at}: undocumented property {k}")),
            }
        }
    }
    if let (Some(items), Some(arr)) = (schema.get("items"), v.as_array()) {
        for (i, x) in arr.iter().enumerate() {
            check_schema(doc, items, x, &format!("{at}[{i}]"), out);
        }
    }
}

struct Api {
    doc: Value,
    base: String,
    http: reqwest::Client,
    called: BTreeSet<(String, String)>,
}

impl Api {
    /// Sends a request and checks the answer against the document.
    async fn call(
        &mut self,
        method: &str,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<&Value>,
    ) -> (u16, Value) {
        let doc_path = path.split('?').next().unwrap().to_string();
        let op = &self.doc["paths"][&doc_path][method];
        assert!(op.is_object(), "{method} {doc_path} is not documented");
        if let Some(b) = body {
            let mut problems = Vec::new();
            let schema = &op["requestBody"]["content"]["application/json"]["schema"];
            check_schema(&self.doc, schema, b, "request", &mut problems);
            assert!(
                problems.is_empty() || headers.iter().any(|h| h.0 == "x-test-invalid"),
                "{problems:?}"
            );
        }
        let mut req = self.http.request(
            method.to_uppercase().parse().unwrap(),
            format!("{}{path}", self.base),
        );
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        let value: Value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap()
        };
        let documented = &op["responses"][status.to_string()];
        assert!(
            documented.is_object(),
            "{method} {doc_path} answered {status}, not documented: {text}"
        );
        let schema = &documented["content"]["application/json"]["schema"];
        if schema.is_object() {
            let mut problems = Vec::new();
            check_schema(&self.doc, schema, &value, "response", &mut problems);
            assert!(
                problems.is_empty(),
                "{method} {doc_path} {status}: {problems:?}"
            );
        } else {
            assert!(value.is_null(), "{status} should have no body: {text}");
        }
        self.called.insert((method.to_string(), doc_path));
        (status, value)
    }
}

#[tokio::test]
async fn every_operation_answers_as_documented() {
    let doc: Value = serde_json::from_str(
        &std::fs::read_to_string(workspace().join("county/openapi.json")).unwrap(),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("repo/targets")).unwrap();
    std::fs::write(dir.path().join("repo/targets/abc.bin"), vec![7u8; 1000]).unwrap();
    let db = dir.path().join("county.db");
    let opts = county::serve::ServeOptions {
        listen: "127.0.0.1:0".parse().unwrap(),
        repo: dir.path().join("repo"),
        database: db.clone(),
        content: None,
        staff_key: "k".into(),
        limits: Default::default(),
        policy: Default::default(),
    };
    let port = common::serve_in_process(&opts).await;
    let mut api = Api {
        doc: doc.clone(),
        base: format!("http://127.0.0.1:{port}"),
        http: reqwest::Client::new(),
        called: BTreeSet::new(),
    };
    let intake = county::intake::IntakeStore::open(&db).unwrap();
    let now = time::OffsetDateTime::now_utc();
    let code = intake
        .new_enrol_code(
            &"990521201201".parse().unwrap(),
            disclosure::requests::DeviceNo::new(1).unwrap(),
            7,
            now,
        )
        .unwrap();

    // Enrolment: wrong code, code for another terminal, the right one, reuse.
    let enrol = |code: &str, device: u8| json!({"code": code, "hall_region": "990521201201", "device": device});
    assert_eq!(
        api.call(
            "post",
            "/api/v1/enrol",
            None,
            &[],
            Some(&enrol("0000-0000-0000", 1))
        )
        .await
        .0,
        403
    );
    assert_eq!(
        api.call("post", "/api/v1/enrol", None, &[], Some(&enrol(&code, 2)))
            .await
            .0,
        403
    );
    let (s, v) = api
        .call("post", "/api/v1/enrol", None, &[], Some(&enrol(&code, 1)))
        .await;
    assert_eq!(s, 200);
    let first_token = v["token"].as_str().unwrap().to_string();
    assert_eq!(
        api.call("post", "/api/v1/enrol", None, &[], Some(&enrol(&code, 1)))
            .await
            .0,
        403,
        "one time only"
    );
    // Token rotation: the new token takes over once used.
    let (s, v) = api
        .call("post", "/api/v1/token", Some(&first_token), &[], None)
        .await;
    assert_eq!(s, 200);
    let token = v["token"].as_str().unwrap().to_string();
    assert_eq!(
        api.call("post", "/api/v1/token", Some("wrong"), &[], None)
            .await
            .0,
        401
    );

    // Applications.
    let no = disclosure::requests::ReceiptNo::new(
        &"990521201201".parse().unwrap(),
        disclosure::requests::DeviceNo::new(1).unwrap(),
        "2026-11-23".parse().unwrap(),
        7,
    )
    .unwrap()
    .digits();
    let mut app = application(&no);
    app.deadline = Some("2026-11-02".into());
    let body = serde_json::to_value(app).unwrap();
    let key = [("Idempotency-Key", no.as_str())];
    assert_eq!(
        api.call("post", "/api/v1/applications", None, &key, Some(&body))
            .await
            .0,
        401
    );
    assert_eq!(
        api.call(
            "post",
            "/api/v1/applications",
            Some("wrong"),
            &key,
            Some(&body)
        )
        .await
        .0,
        401
    );
    assert_eq!(
        api.call(
            "post",
            "/api/v1/applications",
            Some(&token),
            &[],
            Some(&body)
        )
        .await
        .0,
        400
    );
    let other = [("Idempotency-Key", "99052120120101261123000199")];
    assert_eq!(
        api.call(
            "post",
            "/api/v1/applications",
            Some(&token),
            &other,
            Some(&body)
        )
        .await
        .0,
        422
    );
    let (s, first) = api
        .call(
            "post",
            "/api/v1/applications",
            Some(&token),
            &key,
            Some(&body),
        )
        .await;
    assert_eq!((s, first["created"].as_bool()), (201, Some(true)));
    // The same application twice: the county keeps one.
    let (s, again) = api
        .call(
            "post",
            "/api/v1/applications",
            Some(&token),
            &key,
            Some(&body),
        )
        .await;
    assert_eq!((s, again["created"].as_bool()), (200, Some(false)));
    assert_eq!(again["received_at"], first["received_at"]);
    assert_eq!(intake.count_of(&no).unwrap(), 1);
    // Another body under the same number.
    let mut changed = body.clone();
    changed["description"] = "别的内容".into();
    assert_eq!(
        api.call(
            "post",
            "/api/v1/applications",
            Some(&token),
            &key,
            Some(&changed)
        )
        .await
        .0,
        409
    );
    // A number of another terminal.
    let mut foreign = application("99052120120102261123000115");
    foreign.device = 2;
    let foreign = serde_json::to_value(foreign).unwrap();
    let fkey = [("Idempotency-Key", "99052120120102261123000115")];
    assert_eq!(
        api.call(
            "post",
            "/api/v1/applications",
            Some(&token),
            &fkey,
            Some(&foreign)
        )
        .await
        .0,
        422
    );
    // A bad receipt number.
    let bad = serde_json::to_value(application("99052120120101261123000100")).unwrap();
    let bkey = [("Idempotency-Key", "99052120120101261123000100")];
    assert_eq!(
        api.call(
            "post",
            "/api/v1/applications",
            Some(&token),
            &bkey,
            Some(&bad)
        )
        .await
        .0,
        422
    );

    // Ratings.
    let rating =
        |level: u8| json!({"receipt_no": no, "level": level, "at": "2026-11-23 09:06:00+08:00"});
    assert_eq!(
        api.call(
            "post",
            "/api/v1/ratings",
            Some(&token),
            &[("x-test-invalid", "1")],
            Some(&rating(9))
        )
        .await
        .0,
        422
    );
    assert_eq!(
        api.call(
            "post",
            "/api/v1/ratings",
            Some(&token),
            &[],
            Some(&rating(4))
        )
        .await
        .0,
        204
    );
    let unknown = json!({"receipt_no": "99052120120101261123000296", "level": 3, "at": "x"});
    assert_eq!(
        api.call("post", "/api/v1/ratings", Some(&token), &[], Some(&unknown))
            .await
            .0,
        404
    );
    assert_eq!(
        api.call("post", "/api/v1/ratings", None, &[], Some(&rating(4)))
            .await
            .0,
        401
    );

    // Status changes after a reply and an extension.
    let receipt = disclosure::requests::ReceiptNo::parse(&no).unwrap();
    let calendar =
        disclosure::calendar::WorkingDayCalendar::new(disclosure::calendar::builtin_schedules());
    assert!(
        intake.extend(&receipt, 21, "太长", &calendar, now).is_err(),
        "at most 20 working days"
    );
    assert!(
        intake.extend(&receipt, 20, " ", &calendar, now).is_err(),
        "a reason is required"
    );
    let new = intake
        .extend(&receipt, 20, "需要征求第三方意见", &calendar, now)
        .unwrap();
    assert_eq!(new.to_string(), "2026-11-30");
    assert!(
        intake.extend(&receipt, 5, "再延", &calendar, now).is_err(),
        "only once"
    );
    intake
        .reply(&receipt, county::intake::ReplyOutcome::Disclosed, "", now)
        .unwrap();
    assert!(
        intake
            .reply(&receipt, county::intake::ReplyOutcome::Repeat, "", now)
            .is_err(),
        "once"
    );
    let (s, v) = api
        .call(
            "get",
            "/api/v1/status-changes?since=0",
            Some(&token),
            &[],
            None,
        )
        .await;
    assert_eq!(s, 200);
    let statuses: Vec<&str> = v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["extended", "replied"]);
    let cursor = v["next_cursor"].as_i64().unwrap();
    let (_, v) = api
        .call(
            "get",
            &format!("/api/v1/status-changes?since={cursor}"),
            Some(&token),
            &[],
            None,
        )
        .await;
    assert_eq!(v["changes"].as_array().unwrap().len(), 0);
    assert_eq!(v["next_cursor"].as_i64(), Some(cursor));
    assert_eq!(
        api.call("get", "/api/v1/status-changes", None, &[], None)
            .await
            .0,
        401
    );

    // Health.
    let health = json!({"agent_version": "0.1.0", "feed_version": 3, "outbox_depth": 0, "printer": "near_end",
        "disk_free_bytes": 1, "disk_total_bytes": 2, "reported_at": "2026-11-23 09:07:00+08:00"});
    assert_eq!(
        api.call("post", "/api/v1/health", Some(&token), &[], Some(&health))
            .await
            .0,
        204
    );
    assert_eq!(
        api.call("post", "/api/v1/health", None, &[], Some(&health))
            .await
            .0,
        401
    );
    let t = intake.terminals().unwrap();
    assert_eq!(t[0].health.as_ref().unwrap().printer, "near_end");

    // An extension into a year whose holidays are not published is refused.
    let no2 = disclosure::requests::ReceiptNo::new(
        &"990521201201".parse().unwrap(),
        disclosure::requests::DeviceNo::new(1).unwrap(),
        "2026-11-23".parse().unwrap(),
        8,
    )
    .unwrap();
    let terminal = intake.terminal_of(&token, now).unwrap();
    intake
        .receive(&terminal, &no2.digits(), &application(&no2.digits()), now)
        .unwrap();
    let e = intake
        .extend(&no2, 20, "需要征求第三方意见", &calendar, now)
        .unwrap_err();
    assert!(e.to_string().contains("2027年节假日安排尚未载入"), "{e}");

    // The document itself.
    let (s, served) = api
        .call("get", "/api/v1/openapi.json", None, &[], None)
        .await;
    assert_eq!((s, &served), (200, &doc));

    // Every documented operation was called.
    let mut documented = BTreeSet::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for m in ops.as_object().unwrap().keys() {
            documented.insert((m.clone(), path.clone()));
        }
    }
    assert_eq!(api.called, documented);

    // The repository: static files with Range.
    let http = reqwest::Client::new();
    let r = http
        .get(format!("http://127.0.0.1:{port}/repo/targets/abc.bin"))
        .header("Range", "bytes=900-")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 206);
    assert_eq!(r.bytes().await.unwrap().len(), 100);
}
