//! `agent-state.json`: what the last rounds did, for `sync-agent status`
//! and the health report. Rewritten whole (temporary file and rename).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentState {
    /// Last time content was checked successfully (`2026-11-23 09:05:07+08:00`).
    pub last_feed_ok: Option<String>,
    /// The repository version seen then.
    pub feed_version_seen: Option<u64>,
    /// Last time the outbox was delivered and statuses pulled.
    pub last_intake_ok: Option<String>,
    /// The latest problem, in plain words, and when; cleared by success.
    pub last_error: Option<String>,
    pub last_error_at: Option<String>,
    /// Bytes downloaded in the last round.
    pub last_bytes: u64,
}

pub fn path(state_dir: &Path) -> PathBuf {
    state_dir.join("agent-state.json")
}

impl AgentState {
    pub fn load(state_dir: &Path) -> AgentState {
        std::fs::read(path(state_dir))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    pub fn save(&self, state_dir: &Path) -> std::io::Result<()> {
        use std::io::Write;
        std::fs::create_dir_all(state_dir)?;
        let p = path(state_dir);
        let tmp = p.with_extension("tmp");
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&serde_json::to_vec_pretty(self).expect("serializes"))?;
        f.sync_all()?;
        std::fs::rename(tmp, p)
    }
}
