//! schemathesis, an OpenAPI fuzzer we did not write, against the real
//! `county serve` with an enrolled terminal's token: every operation of
//! `county/openapi.json`, every check (status codes, content types and
//! schemas of the answers, invalid data refused, valid data accepted,
//! missing headers, unsupported methods, ignored auth).

mod common;

use common::*;

#[tokio::test(flavor = "multi_thread")]
async fn schemathesis_finds_nothing_in_the_intake_api() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    let db = dir.path().join("county.db");
    let code = county::intake::IntakeStore::open(&db)
        .unwrap()
        .new_enrol_code(
            &"990521201201".parse().unwrap(),
            disclosure::requests::DeviceNo::new(1).unwrap(),
            7,
            time::OffsetDateTime::now_utc(),
        )
        .unwrap();
    let server = CountyServer::start(&[
        "--repo".as_ref(),
        repo.as_os_str(),
        "--database".as_ref(),
        db.as_os_str(),
    ]);
    let enrolled: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/api/v1/enrol", server.base))
        .json(&serde_json::json!({"code": code, "hall_region": "990521201201", "device": 1}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = enrolled["token"].as_str().unwrap();
    let python = python_tools();
    let st = python.with_file_name("schemathesis");
    let out = std::process::Command::new(&st)
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .arg("--config-file")
        .arg(workspace().join("county/tests/schemathesis.toml"))
        .arg("run")
        .arg(workspace().join("county/openapi.json"))
        .args(["--url", &server.base])
        .args(["--header", &format!("Authorization: Bearer {token}")])
        .args(["--checks", "all"])
        .args(["--max-examples", "40"])
        .args(["--seed", "20261201"])
        .args(["--workers", "1"])
        .args(["--request-timeout", "10"])
        .arg("--no-color")
        .output()
        .expect("schemathesis runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    // The summary for the closing note and the CI log.
    for line in stdout.lines() {
        let l = line.trim();
        if l.starts_with("API Operations")
            || l.starts_with("Test Phases")
            || l.contains("test cases")
            || l.contains("passed")
            || l.contains("failed")
            || l.starts_with("✅")
            || l.starts_with("❌")
        {
            eprintln!("schemathesis: {l}");
        }
    }
    assert!(
        out.status.success(),
        "schemathesis failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
