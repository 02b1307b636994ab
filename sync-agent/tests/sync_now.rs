//! 立即同步 from the kiosk's 技术维护 screen: the real `sync-agent run`
//! daemon, waiting a long interval, runs a round soon after the kiosk
//! leaves its `sync-now` file (and removes it); the round's report reaches
//! `requests.db` for the kiosk's status.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{FaultServer, Fixture};
use disclosure::technician::{AGENT_REPORT_STATE, AgentReport};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_now_file_starts_a_round_at_once() {
    let fx = Fixture::new().await;
    fx.publish_demo(&[]).await;
    fx.provision();
    let srv = FaultServer::start(fx.dir.path()).await;
    // A day between rounds, and a first round within seconds.
    let config = fx.path("agent.toml");
    let text = fx.config_toml(srv.port).replace(
        "[sync]\n",
        "[sync]\ninterval_secs = 86400\njitter_secs = 1\n",
    );
    std::fs::write(&config, text).unwrap();
    // The kiosk makes requests.db; the agent reports into it.
    let (requests, _) = common::sample_application(&fx.path("device/requests.db"));
    drop(requests);
    let mut daemon = Command::new(env!("CARGO_BIN_EXE_sync-agent"))
        .arg("--config")
        .arg(&config)
        .arg("run")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let report = || -> Option<AgentReport> {
        let s = disclosure::requests::RequestStore::open(&fx.path("device/requests.db")).ok()?;
        let (v, _) = s.device_state(AGENT_REPORT_STATE).ok()??;
        serde_json::from_str(&v).ok()
    };
    let wait = |what: &str, done: &dyn Fn() -> bool| {
        let start = Instant::now();
        while !done() {
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "waited for {what}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    // The first round: content down, a report for the kiosk (not enrolled).
    wait("the first round", &|| report().is_some());
    let first = report().unwrap();
    assert!(first.feed_version.is_some() && !first.enrolled, "{first:?}");
    srv.reset_seen();
    // Reports are to the second: the next one must be told apart.
    std::thread::sleep(Duration::from_millis(1100));
    // 立即同步: another round well before the day is over.
    let sync_now = fx.path("device/sync-now");
    std::fs::write(&sync_now, "2026-12-02 08:00:00+08:00\n").unwrap();
    wait("the file taken", &|| !sync_now.exists());
    wait("a second round", &|| {
        report().is_some_and(|r| r.at != first.at)
    });
    assert!(
        !srv.seen().requests.is_empty(),
        "the round asked the server"
    );
    daemon.kill().unwrap();
    daemon.wait().unwrap();
}
