//! The service hall's sync agent: the only part of the terminal with a
//! network. Each round pulls and verifies the county's signed content and
//! applies it to `content.db` while — at the same time, under its own
//! deadline — it delivers the outbox of `requests.db` and pulls status
//! changes; then it reports the terminal's health. Knows nothing of Slint.

pub mod config;
pub mod daemon;
pub mod feed;
pub mod intake;
pub mod provision;
pub mod state;
pub mod transport;

use std::time::Duration;

use disclosure::requests::store::format_time;
use disclosure::requests::wire::HealthReport;
use disclosure::requests::{PrinterHealth, RequestStore};
use disclosure::technician::{
    AGENT_REPORT_STATE, AgentReport, SELF_TEST_PREFIX, SelfTestResult, USB_IMPORT_STATE,
};
use time::OffsetDateTime;

use crate::config::AgentConfig;
use crate::feed::{FeedPaths, FeedReport, StorageLimits};
use crate::intake::IntakeClient;
use crate::state::AgentState;
use crate::transport::FeedTransport;

/// What one round did.
#[derive(Debug, Clone, Default)]
pub struct RoundReport {
    pub feed: Option<FeedReport>,
    pub delivered: usize,
    pub deferred: usize,
    pub statuses: usize,
    pub bytes: u64,
    /// Problems in plain words (the round goes on after each).
    pub errors: Vec<String>,
}

/// What one delivery and status pull did.
#[derive(Debug, Clone, Default)]
struct IntakePass {
    delivered: usize,
    deferred: usize,
    statuses: usize,
    errors: Vec<String>,
    /// Every step done without error, and when it finished.
    ok: bool,
    finished_at: Option<String>,
}

/// The agent with its configuration.
pub struct Agent {
    pub config: AgentConfig,
}

impl Agent {
    pub fn new(config: AgentConfig) -> Agent {
        Agent { config }
    }

    pub fn feed_paths(&self) -> FeedPaths {
        FeedPaths {
            root: self.config.root.clone(),
            state_dir: self.config.state_dir.clone(),
            content_db: self.config.content_db.clone(),
            calendar_dir: self.config.calendar_dir.clone(),
        }
    }

    /// What one sync or USB import may store.
    pub fn storage_limits(&self) -> StorageLimits {
        StorageLimits {
            max_file_bytes: self.config.max_target_bytes,
            max_total_bytes: self.config.max_total_bytes,
            min_free_bytes: self.config.min_free_bytes,
        }
    }

    fn transport(&self) -> FeedTransport {
        FeedTransport::new(
            &self.feed_paths().partial(),
            self.config.max_target_bytes,
            Duration::from_secs(self.config.request_timeout_secs),
            Duration::from_secs(self.config.download_timeout_secs),
        )
    }

    /// Content: load, verify, fetch what changed, apply.
    pub async fn sync_feed(&self) -> (Result<FeedReport, feed::FeedError>, u64) {
        let transport = self.transport();
        let paths = self.feed_paths();
        let result = async {
            let _lock = feed::StateLock::take(&paths.state_dir)?;
            let repo = feed::load(
                &paths,
                self.config.metadata_url(),
                self.config.targets_url(),
                transport.clone(),
            )
            .await?;
            feed::fetch_and_apply(&paths, &repo, self.storage_limits(), 0).await
        }
        .await;
        (result, transport.bytes_received())
    }

    /// One full round; every step runs even if an earlier one failed.
    /// Content sync and delivery run side by side: a repository server
    /// that trickles bytes never holds applications back.
    pub async fn round(&self) -> RoundReport {
        let mut report = RoundReport::default();
        let mut state = AgentState::load(&self.config.state_dir);
        let now = || format_time(OffsetDateTime::now_utc());
        let client = IntakeClient::new(&self.config);
        // A token due for rotation is rotated first, so delivery, status
        // pull and the health report all use the current one.
        let creds = match intake::load_credentials(&self.config.state_dir) {
            Ok(c) => Ok(client.rotate_if_due(c).await),
            Err(e) => Err(e),
        };
        let ((feed, bytes), intake) = tokio::join!(self.sync_feed(), async {
            match &creds {
                Ok(c) => Some(self.deliver_and_pull(&client, c).await),
                Err(_) => None,
            }
        });
        report.bytes = bytes;
        state.last_bytes = bytes;
        match feed {
            Ok(f) => {
                state.last_feed_ok = Some(now());
                state.feed_version_seen = Some(f.version);
                report.feed = Some(f);
            }
            Err(e) => {
                tracing::warn!(error = %e, "content sync failed");
                report.errors.push(feed::plain_words(&e));
            }
        }
        match creds {
            Ok(creds) => {
                let intake = intake.expect("delivery runs when enrolled");
                report.delivered = intake.delivered;
                report.deferred = intake.deferred;
                report.statuses = intake.statuses;
                report.errors.extend(intake.errors);
                if intake.ok && report.deferred == 0 {
                    state.last_intake_ok = intake.finished_at;
                }
                if let Some(e) = report.errors.first() {
                    state.last_error = Some(e.clone());
                    state.last_error_at = Some(now());
                } else {
                    state.last_error = None;
                    state.last_error_at = None;
                }
                let health = self.health(&state);
                if let Err(e) = client.report_health(&creds, &health).await {
                    tracing::warn!(error = %e, "health report failed");
                }
            }
            Err(e) => {
                report.errors.push(e.to_string());
                state.last_error = report.errors.first().cloned();
                state.last_error_at = Some(now());
            }
        }
        if let Err(e) = state.save(&self.config.state_dir) {
            tracing::warn!(error = %e, "state not saved");
        }
        self.tell_kiosk(&state);
        report
    }

    /// Writes what the round did into `requests.db` for the kiosk's
    /// 技术维护 screen (the agent's state folder is closed to the kiosk).
    /// Nothing when the kiosk has not made `requests.db` yet.
    fn tell_kiosk(&self, state: &AgentState) {
        if !self.config.requests_db.exists() {
            return;
        }
        let written = (|| -> Result<(), disclosure::requests::RequestError> {
            let mut store = RequestStore::open(&self.config.requests_db)?;
            let now = OffsetDateTime::now_utc();
            let previous: Option<AgentReport> = store
                .device_state(AGENT_REPORT_STATE)?
                .and_then(|(v, _)| serde_json::from_str(&v).ok());
            let feed_version = disclosure::ContentStore::open_read_only(&self.config.content_db)
                .ok()
                .and_then(|s| s.feed_version().ok().flatten())
                .map(|v| v.0);
            let feed_since = match previous {
                Some(p) if p.feed_version == feed_version => p.feed_since,
                _ => feed_version.map(|_| format_time(now)),
            };
            let report = AgentReport {
                feed_version,
                feed_since,
                last_sync_ok: state.last_feed_ok.clone(),
                last_delivery_ok: state.last_intake_ok.clone(),
                last_error: state.last_error.clone(),
                last_error_at: state.last_error_at.clone(),
                enrolled: intake::load_credentials(&self.config.state_dir).is_ok(),
                at: format_time(now),
            };
            let json = serde_json::to_string(&report).expect("serializes");
            store.set_device_state(AGENT_REPORT_STATE, &json, now)
        })();
        if let Err(e) = written {
            tracing::warn!(error = %e, "the round's report for the kiosk not written");
        }
    }

    /// Imports the content repository at `dir` (a USB stick's `gongkai/`
    /// folder) and records the outcome in plain words for the kiosk's
    /// 技术维护 screen. Returns that sentence; `Err` holds it when the
    /// import failed.
    pub async fn import_usb(&self, dir: &std::path::Path) -> Result<String, String> {
        let r = feed::import_dir(&self.feed_paths(), dir, self.storage_limits()).await;
        let outcome = match r {
            Ok(f) => Ok(format!(
                "已从 U 盘导入内容第 {} 版{}",
                f.version,
                if f.applied {
                    ""
                } else {
                    "（终端已是此版本）"
                }
            )),
            Err(e) => Err(format!("U 盘导入失败：{}", feed::plain_words(&e))),
        };
        let sentence = match &outcome {
            Ok(s) | Err(s) => s.clone(),
        };
        if self.config.requests_db.exists() {
            let recorded = RequestStore::open(&self.config.requests_db).and_then(|mut s| {
                s.set_device_state(USB_IMPORT_STATE, &sentence, OffsetDateTime::now_utc())
            });
            if let Err(e) = recorded {
                tracing::warn!(error = %e, "the import's outcome not recorded for the kiosk");
            }
        }
        let state = AgentState::load(&self.config.state_dir);
        self.tell_kiosk(&state);
        outcome
    }

    /// Delivery and status pull, within `outbox.deadline_secs`: what is
    /// not done by then waits for the next round (a row being posted is
    /// simply posted again; the receipt number makes that harmless).
    async fn deliver_and_pull(
        &self,
        client: &IntakeClient,
        creds: &intake::Credentials,
    ) -> IntakePass {
        let mut pass = IntakePass {
            ok: true,
            ..IntakePass::default()
        };
        let work = async {
            match client.deliver(creds).await {
                Ok(d) => {
                    pass.delivered = d.delivered;
                    pass.deferred = d.deferred;
                    if let Some(why) = d.last_error {
                        pass.errors
                            .push(format!("有 {} 件未能送达，稍后自动重试：{why}", d.deferred));
                    }
                }
                Err(e) => {
                    pass.ok = false;
                    pass.errors.push(format!("申请送达失败：{e}"));
                }
            }
            match client.pull_statuses(creds).await {
                Ok(n) => pass.statuses = n,
                Err(e) => {
                    pass.ok = false;
                    pass.errors.push(format!("办理进度获取失败：{e}"));
                }
            }
        };
        let limit = Duration::from_secs(self.config.intake_deadline_secs);
        if tokio::time::timeout(limit, work).await.is_err() {
            tracing::warn!(?limit, "delivery and status pull stopped at their deadline");
            pass.ok = false;
            pass.errors.push(format!(
                "申请送达和办理进度在 {} 秒内未完成，其余下一轮继续（outbox.deadline_secs）",
                limit.as_secs()
            ));
        }
        if pass.ok {
            pass.finished_at = Some(format_time(OffsetDateTime::now_utc()));
        }
        pass
    }

    /// The health report: versions, outbox, printer, disk.
    pub fn health(&self, state: &AgentState) -> HealthReport {
        let feed_version = disclosure::ContentStore::open_read_only(&self.config.content_db)
            .ok()
            .and_then(|s| s.feed_version().ok().flatten())
            .map(|v| v.0);
        let opened = if self.config.requests_db.exists() {
            RequestStore::open(&self.config.requests_db).ok()
        } else {
            None
        };
        let (outbox_depth, printer, printer_detail, self_test) = match opened {
            Some(s) => {
                let depth = s.outbox_summary().map(|x| x.0).unwrap_or(0);
                let printer = s.printer_health().ok().flatten();
                let self_test = s
                    .device_states(SELF_TEST_PREFIX)
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|(_, v, _)| serde_json::from_str::<SelfTestResult>(&v).ok())
                    .collect();
                (
                    depth,
                    printer.map_or(PrinterHealth::Unknown, |(health, _)| health),
                    printer.map(|(_, at)| format!("记录于 {at}")),
                    self_test,
                )
            }
            None => (0, PrinterHealth::Unknown, None, Vec::new()),
        };
        let (free, total) = disk_space(&self.config.state_dir);
        HealthReport {
            agent_version: env!("CARGO_PKG_VERSION").to_string(),
            feed_version,
            last_sync_ok: state.last_feed_ok.clone(),
            last_error: state.last_error.clone(),
            outbox_depth,
            printer,
            printer_detail,
            disk_free_bytes: free,
            disk_total_bytes: total,
            self_test,
            reported_at: format_time(OffsetDateTime::now_utc()),
        }
    }

    /// `sync-agent status`: what a technician needs, in plain words.
    pub fn status_text(&self) -> String {
        let state = AgentState::load(&self.config.state_dir);
        let h = self.health(&state);
        let enrolled = intake::load_credentials(&self.config.state_dir)
            .map(|c| format!("已开通（{}）", c.device_id))
            .unwrap_or_else(|_| "未开通：请运行 sync-agent enrol".into());
        let mut out = String::new();
        let mut line = |k: &str, v: String| out.push_str(&format!("{k:<10}{v}\n"));
        line(
            "终端",
            format!(
                "{}-{:02}  {enrolled}",
                self.config.region,
                self.config.device.get()
            ),
        );
        line("服务器", self.config.server.to_string());
        line(
            "内容版本",
            match (h.feed_version, state.feed_version_seen) {
                (Some(a), Some(s)) if a == s => format!("第 {a} 版（与县里一致）"),
                (Some(a), Some(s)) => format!("第 {a} 版（县里已有第 {s} 版，尚未应用）"),
                (Some(a), None) => format!("第 {a} 版"),
                (None, _) => "尚无内容".into(),
            },
        );
        line(
            "内容同步",
            state
                .last_feed_ok
                .clone()
                .unwrap_or_else(|| "从未成功".into()),
        );
        line(
            "申请送达",
            state
                .last_intake_ok
                .clone()
                .unwrap_or_else(|| "从未成功".into()),
        );
        line("待送达", format!("{} 件", h.outbox_depth));
        line("打印机", h.printer.name().into());
        line(
            "磁盘",
            format!(
                "剩余 {} MB / 共 {} MB",
                h.disk_free_bytes / 1_000_000,
                h.disk_total_bytes / 1_000_000
            ),
        );
        line(
            "最近错误",
            match (&state.last_error, &state.last_error_at) {
                (Some(e), Some(at)) => format!("{at}  {e}"),
                (Some(e), None) => e.clone(),
                _ => "无".into(),
            },
        );
        out
    }
}

/// Free and total bytes of the file system holding `dir`.
pub fn disk_space(dir: &std::path::Path) -> (u64, u64) {
    let probe = if dir.exists() {
        dir
    } else {
        std::path::Path::new("/")
    };
    match nix::sys::statvfs::statvfs(probe) {
        // The field types differ between 32- and 64-bit targets.
        #[allow(clippy::unnecessary_cast)]
        Ok(s) => {
            let frag = s.fragment_size() as u64;
            (s.blocks_available() as u64 * frag, s.blocks() as u64 * frag)
        }
        Err(_) => (0, 0),
    }
}
