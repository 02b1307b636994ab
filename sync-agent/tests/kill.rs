//! kill -9 of the real `sync-agent` binary at many moments of a download
//! and apply: afterwards `content.db` passes `PRAGMA integrity_check` and
//! holds the old version or the new one, never a mix; the next run
//! finishes the job. Also: an outbox that cannot be delivered keeps its
//! next attempt time across restarts.

mod common;

use std::process::{Command, Stdio};
use std::time::Instant;

use common::{FaultServer, Fixture, publish_synthetic};

fn write_config(fx: &Fixture, port: u16) -> std::path::PathBuf {
    // Longer timeouts for the bigger feed; a long first backoff so a
    // restart soon after cannot fall inside it by chance.
    let text = fx
        .config_toml(port)
        .replace("request_timeout_secs = 2", "request_timeout_secs = 5")
        .replace("backoff_base_secs = 60\n", "backoff_base_secs = 600\n");
    let p = fx.path("agent.toml");
    std::fs::write(&p, text).unwrap();
    p
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_at_any_moment_the_store_is_old_or_new() {
    let fx = Fixture::new().await;
    let v1 = publish_synthetic(&fx, 3_000, 1).await;
    let srv = FaultServer::start(fx.dir.path()).await;
    let config = write_config(&fx, srv.port);
    let agent = || {
        let mut c = Command::new(env!("CARGO_BIN_EXE_sync-agent"));
        c.arg("--config")
            .arg(&config)
            .arg("once")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        c
    };
    agent().status().unwrap();
    assert_eq!(fx.content_version(), Some(v1));
    // A bigger, different version; measure how long a full run takes.
    let v2 = publish_synthetic(&fx, 20_000, 2).await;
    let mut killed_old = 0;
    let mut killed_new = 0;
    let started = Instant::now();
    let mut probe = agent().spawn().unwrap();
    probe.wait().unwrap();
    let full = started.elapsed();
    assert_eq!(fx.content_version(), Some(v2));
    // Back to v1 content (a new version number v3 with v1's items), then
    // kill runs at moments spread over a full run's duration.
    let v3 = publish_synthetic(&fx, 3_000, 1).await;
    let mut applied_v3 = false;
    for i in 0..16u32 {
        if applied_v3 {
            // Alternate: publish again so there is always work to interrupt.
            let n = if i % 2 == 0 { 20_000 } else { 3_000 };
            publish_synthetic(&fx, n, u64::from(i)).await;
            applied_v3 = false;
        }
        let before = fx.content_version();
        let at = full.mul_f64(f64::from(i + 1) / 17.0);
        let mut child = agent().spawn().unwrap();
        std::thread::sleep(at);
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let after = fx.content_version(); // integrity-checked inside
        let latest = county::publish::published_version(&fx.path("repo")).unwrap();
        assert!(
            after == before || after == Some(latest),
            "run {i}: store went from {before:?} to {after:?}, latest {latest}"
        );
        if after == before {
            killed_old += 1;
        } else {
            killed_new += 1;
            applied_v3 = true;
        }
    }
    // The next uninterrupted run finishes whatever was left. (Its exit
    // status reports the missing enrolment; the content part is what counts.)
    agent().status().unwrap();
    let latest = county::publish::published_version(&fx.path("repo")).unwrap();
    assert_eq!(fx.content_version(), Some(latest));
    assert!(latest >= v3);
    eprintln!("full run {full:?}; killed before apply {killed_old}, after {killed_new}");
    assert!(killed_old > 0, "some kills landed before the commit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outbox_backoff_survives_restarts() {
    use disclosure::requests::RequestStore;
    let fx = Fixture::new().await;
    fx.publish_demo(&[]).await;
    // The intake answers 500 to everything.
    let srv = FaultServer::start(fx.dir.path()).await;
    srv.set(common::Faults {
        status: Some(500),
        ..Default::default()
    });
    let config = write_config(&fx, srv.port);
    std::fs::create_dir_all(fx.path("device/state")).unwrap();
    std::fs::write(
        fx.path("device/state/credentials.json"),
        br#"{"device_id":"990521201201-01","token":"t"}"#,
    )
    .unwrap();
    let (store, now) = common::sample_application(&fx.path("device/requests.db"));
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_sync-agent"))
            .arg("--config")
            .arg(&config)
            .arg("once")
            .output()
            .unwrap()
    };
    let out = run();
    assert!(!out.status.success());
    let pending = store.outbox_pending().unwrap();
    assert_eq!(pending[0].attempts, 1);
    let next = pending[0].next_attempt_at.to_string();
    assert!(
        next > disclosure::requests::store::format_time(now),
        "a later attempt is stored"
    );
    // Restarted (a new process), the row is not retried before its time…
    let posts_before = srv
        .seen()
        .requests
        .iter()
        .filter(|p| p.contains("applications"))
        .count();
    run();
    let posts_after = srv
        .seen()
        .requests
        .iter()
        .filter(|p| p.contains("applications"))
        .count();
    assert_eq!(
        posts_before, posts_after,
        "not retried early after a restart"
    );
    assert_eq!(store.outbox_pending().unwrap()[0].next_attempt_at, next);
    // …and is when its time comes.
    drop(store);
    let_the_wait_pass(&fx.path("device/requests.db"));
    run();
    let posts_late = srv
        .seen()
        .requests
        .iter()
        .filter(|p| p.contains("applications"))
        .count();
    assert_eq!(posts_late, posts_after + 1);
    let store = RequestStore::open(&fx.path("device/requests.db")).unwrap();
    // The agent's two attempts and the one let_the_wait_pass records.
    assert_eq!(store.outbox_pending().unwrap()[0].attempts, 3);

    // A login portal or proxy answering 200 with a page is not the
    // county's acknowledgement: nothing is marked delivered or purged.
    srv.set(common::Faults {
        replace: vec![(
            "/api/v1/applications".into(),
            b"<html>login</html>".to_vec(),
        )],
        ..Default::default()
    });
    drop(store);
    let_the_wait_pass(&fx.path("device/requests.db"));
    let out = run();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("没有确认收到"), "{text}");
    let store = RequestStore::open(&fx.path("device/requests.db")).unwrap();
    assert_eq!(store.outbox_pending().unwrap().len(), 1);
    let no = &store.receipt_numbers().unwrap()[0];
    assert!(store.application_message(no).is_ok(), "not purged");
}

/// Moves every outbox row's next attempt into the past, as if the wait
/// had passed (through the store's own API, which counts it as an attempt).
fn let_the_wait_pass(path: &std::path::Path) {
    let mut store = disclosure::requests::RequestStore::open(path).unwrap();
    for r in store.outbox_pending().unwrap() {
        store
            .defer(
                r.id,
                "test: time passes",
                time::OffsetDateTime::now_utc() - time::Duration::minutes(1),
            )
            .unwrap();
    }
}
