//! The terminal's token against the real county server on 127.0.0.1:
//! the agent asks for a new one when the county's `rotate_after` has come
//! (or when its credentials predate rotation), stores it, and the county
//! then refuses the old one.

use std::path::Path;

use county::serve::{ServeLimits, ServeOptions};
use disclosure::requests::PrinterHealth;
use disclosure::requests::wire::HealthReport;
use sync_agent::config::AgentConfig;
use sync_agent::intake::{IntakeClient, IntakeError, load_credentials};
use time::OffsetDateTime;

async fn county(dir: &Path) -> u16 {
    std::fs::create_dir_all(dir.join("repo")).unwrap();
    let opts = ServeOptions {
        listen: "127.0.0.1:0".parse().unwrap(),
        repo: dir.join("repo"),
        database: dir.join("county.db"),
        content: None,
        staff_key: String::new(),
        limits: ServeLimits::default(),
        policy: Default::default(),
    };
    let router = county::serve::router(&opts).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        county::serve::serve_on(
            listener,
            router,
            &ServeLimits::default(),
            std::future::pending(),
        )
        .await
        .unwrap()
    });
    port
}

fn config(dir: &Path, port: u16) -> AgentConfig {
    let d = dir.join("device");
    AgentConfig::parse(&format!(
        "[device]\nregion = \"990521201201\"\ndevice = 1\n[server]\nurl = \"http://127.0.0.1:{port}\"\n\
         [paths]\nroot = \"{d}/root.json\"\nstate_dir = \"{d}/state\"\ncontent_db = \"{d}/content.db\"\n\
         requests_db = \"{d}/requests.db\"\ncalendar_dir = \"{d}/calendars\"\n[sync]\nrequest_timeout_secs = 5\n",
        d = d.display()
    ))
    .unwrap()
}

fn health() -> HealthReport {
    HealthReport {
        agent_version: "test".into(),
        printer: PrinterHealth::Ok,
        reported_at: "2026-11-23 09:07:00+08:00".into(),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agent_rotates_its_token_when_due_and_the_old_one_stops_working() {
    let dir = tempfile::tempdir().unwrap();
    let port = county(dir.path()).await;
    let intake = county::intake::IntakeStore::open(&dir.path().join("county.db")).unwrap();
    let now = OffsetDateTime::now_utc();
    let code = intake
        .new_enrol_code(
            &"990521201201".parse().unwrap(),
            disclosure::requests::DeviceNo::new(1).unwrap(),
            7,
            now,
        )
        .unwrap();
    let config = config(dir.path(), port);
    let client = IntakeClient::new(&config);
    let enrolled = client.enrol(&code).await.unwrap();
    assert!(enrolled.expires_at.is_some());
    assert!(!enrolled.rotation_due(now));
    assert!(enrolled.rotation_due(now + time::Duration::days(46)));

    // Not due: nothing changes.
    let same = client.rotate_if_due(enrolled.clone()).await;
    assert_eq!(same.token, enrolled.token);

    // Due (the county's rotate_after has passed): a new token, stored.
    let mut due = enrolled.clone();
    due.rotate_after = Some("2000-01-01 00:00:00+08:00".into());
    let rotated = client.rotate_if_due(due).await;
    assert_ne!(rotated.token, enrolled.token);
    assert_eq!(
        load_credentials(&config.state_dir).unwrap().token,
        rotated.token
    );
    client.report_health(&rotated, &health()).await.unwrap();
    let old = client.report_health(&enrolled, &health()).await;
    assert!(
        matches!(old, Err(IntakeError::Refused { status: 401, .. })),
        "{old:?}"
    );

    // A round rotates credentials that carry no rotation time (enrolled
    // with an older county) and then delivers with the new token.
    let mut legacy = load_credentials(&config.state_dir).unwrap();
    legacy.rotate_after = None;
    legacy.expires_at = None;
    std::fs::write(
        config.state_dir.join("credentials.json"),
        serde_json::to_vec(&legacy).unwrap(),
    )
    .unwrap();
    sync_agent::Agent::new(config.clone()).round().await;
    let after = load_credentials(&config.state_dir).unwrap();
    assert_ne!(after.token, legacy.token);
    assert!(after.rotate_after.is_some());
    client.report_health(&after, &health()).await.unwrap();
}
