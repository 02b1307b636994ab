//! The long-running loop under systemd (`Type=notify`): READY once
//! configured, WATCHDOG pings while rounds run, a round every interval plus
//! jitter, STOPPING on SIGTERM.

use std::time::Duration;

use sd_notify::NotifyState;

use crate::Agent;
use crate::intake::jitter;

/// The file the kiosk's 技术维护 screen makes for 立即同步: beside
/// `requests.db` in the data folder both share (the kiosk has no network
/// and no other way to reach the agent).
pub fn sync_now_path(config: &crate::config::AgentConfig) -> std::path::PathBuf {
    config.requests_db.with_file_name(SYNC_NOW_FILE)
}

/// Its name.
pub const SYNC_NOW_FILE: &str = "sync-now";

/// Returns once `path` exists with a time not seen before, having
/// removed it (looked for every two seconds: a stat, nothing more). A file
/// that cannot be removed asks once, not every two seconds.
async fn asked_to_sync(path: &std::path::Path, seen: &mut Option<std::time::SystemTime>) {
    loop {
        if let Ok(m) = std::fs::metadata(path) {
            let at = m.modified().ok();
            if at != *seen {
                *seen = at;
                if let Err(e) = std::fs::remove_file(path) {
                    tracing::warn!(error = %e, "sync-now file not removed");
                }
                return;
            }
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

/// Runs rounds until SIGTERM or Ctrl-C.
pub async fn run(agent: Agent) -> anyhow::Result<()> {
    let _ = sd_notify::notify(&[NotifyState::Ready]);
    // Ping at half the watchdog period systemd gave us, from its own task,
    // so a round stuck in I/O does not starve it — but a wedged runtime does.
    if let Some(timeout) = sd_notify::watchdog_enabled() {
        let period = timeout / 2;
        tokio::spawn(async move {
            loop {
                let _ = sd_notify::notify(&[NotifyState::Watchdog]);
                tokio::time::sleep(period).await;
            }
        });
    }
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    // A first round soon after start, spread a little so a hall's boxes
    // that boot together do not all call at once.
    let mut wait = jitter(agent.config.jitter_secs.min(30));
    let sync_now = sync_now_path(&agent.config);
    let mut sync_asked = None;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = asked_to_sync(&sync_now, &mut sync_asked) => {
                tracing::info!("立即同步 asked for on the 技术维护 screen");
            }
            _ = tokio::signal::ctrl_c() => break,
            _ = term.recv() => break,
        }
        // A round that hangs (a server trickling bytes) must not stop the
        // next ones; the watchdog pings from its own task, so bound it here.
        let limit = Duration::from_secs(agent.config.interval_secs.max(1800));
        let Ok(r) = tokio::time::timeout(limit, agent.round()).await else {
            tracing::error!(?limit, "round took too long; abandoned");
            wait = Duration::from_secs(agent.config.interval_secs);
            continue;
        };
        let status = match &r.feed {
            Some(f) => format!(
                "内容第 {} 版；送达 {} 件；问题 {} 个",
                f.version,
                r.delivered,
                r.errors.len()
            ),
            None => format!("内容同步失败；送达 {} 件", r.delivered),
        };
        let _ = sd_notify::notify(&[NotifyState::Status(&status)]);
        tracing::info!(%status, "round done");
        wait = Duration::from_secs(agent.config.interval_secs) + jitter(agent.config.jitter_secs);
    }
    let _ = sd_notify::notify(&[NotifyState::Stopping]);
    Ok(())
}
