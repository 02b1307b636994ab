//! Applications up: enrolment with a one-time code, delivery of the outbox
//! of `requests.db` (receipt number as idempotency key, exponential backoff
//! with full jitter, next attempt stored), the purge of personal fields
//! after the county's acknowledgement, status changes down, health up, and
//! the rotation of the terminal's token before it expires.

use std::path::{Path, PathBuf};
use std::time::Duration;

use disclosure::requests::wire::{
    Acknowledgement, EnrolRequest, EnrolResponse, HealthReport, StatusChanges,
};
use disclosure::requests::{OutboxKind, RequestError, RequestStore};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::config::AgentConfig;

#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    #[error("本终端尚未开通：请用县里给的开通码运行 sync-agent enrol")]
    NotEnrolled,
    #[error("{}", http_words(.0))]
    Http(#[from] reqwest::Error),
    #[error("县里的服务器没有确认收到（回答不是受理确认：可能经过了代理或登录页面）")]
    NotAcknowledged,
    #[error("县里的服务器拒绝：{status} {message}")]
    Refused { status: u16, message: String },
    #[error("县里的服务器回答过长（超过 {0} 字节），已停止读取")]
    TooLarge(usize),
    #[error("县里的服务器回答的格式不对：{0}")]
    BadAnswer(String),
    #[error("{0}")]
    Requests(#[from] RequestError),
    #[error("{path}：{source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

fn http_words(e: &reqwest::Error) -> String {
    if e.is_decode() {
        format!("县里的服务器回答的格式不对：{e}")
    } else if e.is_timeout() {
        format!("县里的服务器回答超时：{e}")
    } else {
        format!("连不上县里的服务器：{e}")
    }
}

/// What enrolment leaves on the device (mode 0600).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Credentials {
    pub device_id: String,
    pub token: String,
    /// When the county stops taking the token (its own clock and format).
    #[serde(default)]
    pub expires_at: Option<String>,
    /// From when to ask for a new one; `None` (credentials from an older
    /// county) means at the next round.
    #[serde(default)]
    pub rotate_after: Option<String>,
}

impl Credentials {
    fn from_response(r: EnrolResponse) -> Credentials {
        Credentials {
            device_id: r.device_id,
            token: r.token,
            expires_at: r.expires_at,
            rotate_after: r.rotate_after,
        }
    }

    /// Whether the token is due for rotation at `now`.
    pub fn rotation_due(&self, now: OffsetDateTime) -> bool {
        let now = disclosure::requests::store::format_time(now);
        self.rotate_after.as_ref().is_none_or(|at| now >= *at)
    }
}

fn credentials_path(state_dir: &Path) -> PathBuf {
    state_dir.join("credentials.json")
}

pub fn load_credentials(state_dir: &Path) -> Result<Credentials, IntakeError> {
    let p = credentials_path(state_dir);
    let bytes = std::fs::read(&p).map_err(|_| IntakeError::NotEnrolled)?;
    serde_json::from_slice(&bytes).map_err(|_| IntakeError::NotEnrolled)
}

/// What one delivery pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Delivery {
    pub delivered: usize,
    /// Rows that failed and wait for their next attempt.
    pub deferred: usize,
    /// Why the last of them failed.
    pub last_error: Option<String>,
}

/// Longest answer read to an enrolment, a delivery or an error.
const MAX_ANSWER_BYTES: usize = 64 * 1024;
/// Longest page of status changes read (500 changes with their notes).
const MAX_STATUS_PAGE_BYTES: usize = 4 * 1024 * 1024;

/// An answer's body, read up to `limit` bytes: a server sending without
/// end is cut off instead of filling memory.
async fn body_capped(mut resp: reqwest::Response, limit: usize) -> Result<Vec<u8>, IntakeError> {
    if resp.content_length().is_some_and(|n| n > limit as u64) {
        return Err(IntakeError::TooLarge(limit));
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await? {
        if body.len() + chunk.len() > limit {
            return Err(IntakeError::TooLarge(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// An answer's JSON, read within `limit` bytes.
async fn json_capped<T: serde::de::DeserializeOwned>(
    resp: reqwest::Response,
    limit: usize,
) -> Result<T, IntakeError> {
    let body = body_capped(resp, limit).await?;
    serde_json::from_slice(&body).map_err(|e| IntakeError::BadAnswer(e.to_string()))
}

/// HTTP to the county's intake.
pub struct IntakeClient {
    client: reqwest::Client,
    config: AgentConfig,
}

impl IntakeClient {
    pub fn new(config: &AgentConfig) -> IntakeClient {
        IntakeClient {
            client: reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(10))
                // A redirected POST becomes a GET: never follow one.
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(config.request_timeout_secs))
                .build()
                .expect("HTTP client"),
            config: config.clone(),
        }
    }

    async fn refused(resp: reqwest::Response) -> IntakeError {
        let status = resp.status().as_u16();
        let body = body_capped(resp, MAX_ANSWER_BYTES)
            .await
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        let message = serde_json::from_str::<disclosure::requests::wire::ApiError>(&body)
            .map(|e| e.message)
            .unwrap_or_else(|_| body.chars().take(200).collect());
        IntakeError::Refused { status, message }
    }

    /// Enrols with a one-time code and stores the credentials.
    pub async fn enrol(&self, code: &str) -> Result<Credentials, IntakeError> {
        let resp = self
            .client
            .post(self.config.api_url("enrol"))
            .json(&EnrolRequest {
                code: code.to_string(),
                hall_region: self.config.region.to_string(),
                device: self.config.device.get(),
            })
            .send()
            .await?;
        if !resp.status().is_success() {
            return Err(Self::refused(resp).await);
        }
        let r: EnrolResponse = json_capped(resp, MAX_ANSWER_BYTES).await?;
        let creds = Credentials::from_response(r);
        self.store_credentials(&creds)?;
        Ok(creds)
    }

    fn store_credentials(&self, creds: &Credentials) -> Result<(), IntakeError> {
        let dir = &self.config.state_dir;
        std::fs::create_dir_all(dir).map_err(|source| IntakeError::Io {
            path: dir.clone(),
            source,
        })?;
        write_private(
            &credentials_path(dir),
            &serde_json::to_vec(creds).expect("serializes"),
        )
    }

    /// Asks the county for a new token and stores it. The old token keeps
    /// working at the county until the new one is first used, so a failure
    /// anywhere here leaves the terminal as it was.
    pub async fn rotate_token(&self, creds: &Credentials) -> Result<Credentials, IntakeError> {
        let resp = self
            .client
            .post(self.config.api_url("token"))
            .bearer_auth(&creds.token)
            .send()
            .await?;
        if !resp.status().is_success() {
            return Err(Self::refused(resp).await);
        }
        let r: EnrolResponse = json_capped(resp, MAX_ANSWER_BYTES).await?;
        let new = Credentials::from_response(r);
        if new.device_id != creds.device_id || new.token.is_empty() {
            return Err(IntakeError::NotAcknowledged);
        }
        self.store_credentials(&new)?;
        tracing::info!(device = %new.device_id, expires = ?new.expires_at, "token rotated");
        Ok(new)
    }

    /// Rotates the token when it is due; on failure keeps the current
    /// one (and says why in the log) and tries again next round.
    pub async fn rotate_if_due(&self, creds: Credentials) -> Credentials {
        if !creds.rotation_due(OffsetDateTime::now_utc()) {
            return creds;
        }
        match self.rotate_token(&creds).await {
            Ok(new) => new,
            Err(e) => {
                tracing::warn!(error = %e, "token rotation failed; trying again next round");
                creds
            }
        }
    }

    /// Delivers every due outbox row.
    pub async fn deliver(&self, creds: &Credentials) -> Result<Delivery, IntakeError> {
        let mut out = Delivery::default();
        let store_path = self.config.requests_db.clone();
        if !store_path.exists() {
            return Ok(out);
        }
        let mut store = RequestStore::open(&store_path)?;
        let due = store.outbox_due(OffsetDateTime::now_utc(), 200)?;
        for entry in due {
            let result = match entry.kind {
                OutboxKind::Application => {
                    let msg = store.application_message(&entry.receipt_no)?;
                    self.post(
                        "applications",
                        creds,
                        Some(&entry.receipt_no.digits()),
                        &msg,
                    )
                    .await
                    .and_then(|ack| match ack {
                        // Only the county's own acknowledgement of this
                        // number counts: a portal or proxy answering 200
                        // must not lead to a purge.
                        Some(a) if a.receipt_no == entry.receipt_no.digits() => Ok(()),
                        _ => Err(IntakeError::NotAcknowledged),
                    })
                }
                OutboxKind::Rating => {
                    let msg = store.rating_message(&entry.receipt_no)?;
                    self.post("ratings", creds, None, &msg)
                        .await
                        .and_then(|ack| match ack {
                            None => Ok(()),
                            Some(_) => Err(IntakeError::NotAcknowledged),
                        })
                }
            };
            let now = OffsetDateTime::now_utc();
            match result {
                Ok(()) => {
                    store.mark_delivered(entry.id, now)?;
                    out.delivered += 1;
                    tracing::info!(receipt = %entry.receipt_no, kind = entry.kind.db_name(), "delivered");
                }
                Err(e) => {
                    let wait = backoff(
                        entry.attempts + 1,
                        self.config.backoff_base_secs,
                        self.config.backoff_max_secs,
                    );
                    store.defer(entry.id, &e.to_string(), now + wait)?;
                    out.deferred += 1;
                    out.last_error = Some(e.to_string());
                    tracing::warn!(receipt = %entry.receipt_no, error = %e, retry_in = ?wait, "delivery failed");
                    // Unreachable, or our credentials refused: the rest
                    // would fail the same way and can wait too.
                    if matches!(
                        e,
                        IntakeError::Http(_) | IntakeError::Refused { status: 401, .. }
                    ) {
                        break;
                    }
                }
            }
        }
        let purge_before =
            OffsetDateTime::now_utc() - time::Duration::hours(self.config.purge_after_hours as i64);
        let purged = store.purge_delivered(purge_before, OffsetDateTime::now_utc())?;
        if purged > 0 {
            tracing::info!(purged, "personal fields purged after acknowledgement");
        }
        Ok(out)
    }

    async fn post<T: Serialize>(
        &self,
        path: &str,
        creds: &Credentials,
        key: Option<&str>,
        body: &T,
    ) -> Result<Option<Acknowledgement>, IntakeError> {
        let mut req = self
            .client
            .post(self.config.api_url(path))
            .bearer_auth(&creds.token)
            .json(body);
        if let Some(k) = key {
            req = req.header("Idempotency-Key", k);
        }
        let resp = req.send().await?;
        if !resp.status().is_success() {
            return Err(Self::refused(resp).await);
        }
        if resp.status() == reqwest::StatusCode::NO_CONTENT {
            return Ok(None);
        }
        let ack = match json_capped::<Acknowledgement>(resp, MAX_ANSWER_BYTES).await {
            Ok(a) => a,
            Err(IntakeError::BadAnswer(_)) => return Err(IntakeError::NotAcknowledged),
            Err(e) => return Err(e),
        };
        Ok(Some(ack))
    }

    /// Pulls status changes since the stored cursor and stores them.
    pub async fn pull_statuses(&self, creds: &Credentials) -> Result<usize, IntakeError> {
        let store_path = self.config.requests_db.clone();
        if !store_path.exists() {
            return Ok(0);
        }
        let mut store = RequestStore::open(&store_path)?;
        let mut stored = 0;
        // Bounded: at most 20 pages a round.
        for _ in 0..20 {
            let since = store.status_cursor()?;
            let mut url = self.config.api_url("status-changes");
            url.query_pairs_mut()
                .append_pair("since", &since.to_string())
                .append_pair("limit", "500");
            let resp = self
                .client
                .get(url)
                .bearer_auth(&creds.token)
                .send()
                .await?;
            if !resp.status().is_success() {
                return Err(Self::refused(resp).await);
            }
            let page: StatusChanges = json_capped(resp, MAX_STATUS_PAGE_BYTES).await?;
            if page.changes.is_empty() {
                break;
            }
            stored += store.apply_status_changes(
                &page.changes,
                page.next_cursor,
                OffsetDateTime::now_utc(),
            )?;
            if store.status_cursor()? == since {
                break; // stopped at a status this version does not know
            }
        }
        Ok(stored)
    }

    pub async fn report_health(
        &self,
        creds: &Credentials,
        report: &HealthReport,
    ) -> Result<(), IntakeError> {
        self.post("health", creds, None, report).await.map(|_| ())
    }
}

/// Exponential backoff with full jitter: a random wait between 0 and
/// min(max, base·2^(attempt−1)) seconds.
pub fn backoff(attempt: u32, base_secs: u64, max_secs: u64) -> time::Duration {
    let cap = base_secs
        .saturating_mul(1u64 << attempt.saturating_sub(1).min(30))
        .min(max_secs);
    let r = random_u64() % (cap.max(1) * 1000 + 1);
    time::Duration::milliseconds(r as i64)
}

fn random_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    h.finish()
}

/// A random delay in `0..=max_secs` seconds (the sync interval's jitter).
pub fn jitter(max_secs: u64) -> Duration {
    Duration::from_millis(random_u64() % (max_secs * 1000 + 1))
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<(), IntakeError> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let err = |source| IntakeError::Io {
        path: path.to_path_buf(),
        source,
    };
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(err)?;
    f.write_all(bytes).map_err(err)?;
    f.sync_all().map_err(err)?;
    std::fs::rename(&tmp, path).map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_stays_within_its_cap() {
        fn check(attempt: u32, cap_secs: i64) {
            for _ in 0..200 {
                let d = backoff(attempt, 30, 3600);
                assert!(
                    d >= time::Duration::ZERO && d <= time::Duration::seconds(cap_secs),
                    "{attempt}: {d}"
                );
            }
        }
        check(1, 30);
        check(2, 60);
        check(5, 480);
        check(8, 3600);
        check(1000, 3600);
        // Full jitter: the waits spread over the range, not all at the cap.
        let waits: std::collections::HashSet<i64> = (0..50)
            .map(|_| backoff(8, 30, 3600).whole_milliseconds() as i64)
            .collect();
        assert!(waits.len() > 40);
    }
}
