//! `/etc/gongkai/sync-agent.toml`: where the county is, where the local
//! files are, and how often to sync. Every key is documented in
//! `deploy/sync-agent.example.toml`; validation names the bad key.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Default location on the device.
pub const DEFAULT_PATH: &str = "/etc/gongkai/sync-agent.toml";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("无法读取配置文件 {path}：{source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("配置文件 {path} 有误：{message}")]
    Parse { path: PathBuf, message: String },
    #[error("配置项 {key} 有误：{message}")]
    Invalid { key: &'static str, message: String },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    device: RawDevice,
    server: RawServer,
    #[serde(default)]
    paths: RawPaths,
    #[serde(default)]
    sync: RawSync,
    #[serde(default)]
    outbox: RawOutbox,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDevice {
    region: String,
    device: u8,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawServer {
    url: String,
    allow_plain_http: Option<bool>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawPaths {
    root: Option<PathBuf>,
    state_dir: Option<PathBuf>,
    content_db: Option<PathBuf>,
    requests_db: Option<PathBuf>,
    calendar_dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawSync {
    interval_secs: Option<u64>,
    jitter_secs: Option<u64>,
    max_target_bytes: Option<u64>,
    max_total_bytes: Option<u64>,
    min_free_bytes: Option<u64>,
    request_timeout_secs: Option<u64>,
    download_timeout_secs: Option<u64>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawOutbox {
    backoff_base_secs: Option<u64>,
    backoff_max_secs: Option<u64>,
    purge_after_hours: Option<u64>,
    deadline_secs: Option<u64>,
}

/// The validated configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentConfig {
    pub region: disclosure::RegionCode,
    pub device: disclosure::requests::DeviceNo,
    /// The county server, e.g. `https://gk.yunxi.gov.example/`.
    pub server: url::Url,
    /// `http://` to a server other than this machine (a county's private
    /// network), allowed by `server.allow_plain_http`.
    pub allow_plain_http: bool,
    /// The root metadata pinned at provisioning.
    pub root: PathBuf,
    pub state_dir: PathBuf,
    pub content_db: PathBuf,
    pub requests_db: PathBuf,
    pub calendar_dir: PathBuf,
    pub interval_secs: u64,
    pub jitter_secs: u64,
    pub max_target_bytes: u64,
    /// Most bytes one sync or USB import may add to the state folder.
    pub max_total_bytes: u64,
    /// Free space a sync or USB import must leave on the state folder's disk.
    pub min_free_bytes: u64,
    pub request_timeout_secs: u64,
    /// Most seconds one file's download may take, however slowly it trickles.
    pub download_timeout_secs: u64,
    pub backoff_base_secs: u64,
    pub backoff_max_secs: u64,
    pub purge_after_hours: u64,
    /// Most seconds a round spends delivering and pulling statuses.
    pub intake_deadline_secs: u64,
}

impl AgentConfig {
    pub fn load(path: &Path) -> Result<AgentConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text).map_err(|e| match e {
            ConfigError::Parse { message, .. } => ConfigError::Parse {
                path: path.to_path_buf(),
                message,
            },
            e => e,
        })
    }

    pub fn parse(text: &str) -> Result<AgentConfig, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: PathBuf::new(),
            message: e.to_string(),
        })?;
        let invalid = |key: &'static str, message: String| ConfigError::Invalid { key, message };
        let region = raw
            .device
            .region
            .parse()
            .map_err(|e| invalid("device.region", format!("{e}")))?;
        let device = disclosure::requests::DeviceNo::new(raw.device.device)
            .ok_or_else(|| invalid("device.device", "应为 1 至 99".into()))?;
        let mut server = url::Url::parse(&raw.server.url)
            .map_err(|e| invalid("server.url", format!("不是有效网址：{e}")))?;
        if !matches!(server.scheme(), "http" | "https") {
            return Err(invalid(
                "server.url",
                "应以 https:// 或 http:// 开头".into(),
            ));
        }
        let allow_plain_http = raw.server.allow_plain_http.unwrap_or(false);
        if server.scheme() == "http" && !allow_plain_http && !is_loopback(&server) {
            return Err(invalid(
                "server.url",
                "http:// 不加密，终端令牌和申请人的个人信息会明文传输：请用 https://（只有本机 127.0.0.1 可用 http://；县里专用网络确需明文时设 server.allow_plain_http = true）".into(),
            ));
        }
        if !server.path().ends_with('/') {
            let p = format!("{}/", server.path());
            server.set_path(&p);
        }
        let base = Path::new("/var/lib/gongkai");
        let p = raw.paths;
        let s = raw.sync;
        let o = raw.outbox;
        let interval_secs = s.interval_secs.unwrap_or(900);
        if !(10..=86_400).contains(&interval_secs) {
            return Err(invalid(
                "sync.interval_secs",
                "应在 10 至 86400 之间".into(),
            ));
        }
        let jitter_secs = s.jitter_secs.unwrap_or(interval_secs / 5);
        if jitter_secs > interval_secs {
            return Err(invalid(
                "sync.jitter_secs",
                "不能大于 sync.interval_secs".into(),
            ));
        }
        let max_target_bytes = s.max_target_bytes.unwrap_or(256 * 1024 * 1024);
        if max_target_bytes < 1024 * 1024 {
            return Err(invalid(
                "sync.max_target_bytes",
                "至少 1048576（1 MiB）".into(),
            ));
        }
        let max_total_bytes = s.max_total_bytes.unwrap_or(1024 * 1024 * 1024);
        if max_total_bytes < max_target_bytes {
            return Err(invalid(
                "sync.max_total_bytes",
                "不能小于 sync.max_target_bytes".into(),
            ));
        }
        let min_free_bytes = s.min_free_bytes.unwrap_or(64 * 1024 * 1024);
        if min_free_bytes < 1024 * 1024 {
            return Err(invalid(
                "sync.min_free_bytes",
                "至少 1048576（1 MiB）：磁盘写满后 requests.db 无法保存申请".into(),
            ));
        }
        let request_timeout_secs = s.request_timeout_secs.unwrap_or(60);
        if !(1..=3600).contains(&request_timeout_secs) {
            return Err(invalid(
                "sync.request_timeout_secs",
                "应在 1 至 3600 之间".into(),
            ));
        }
        let download_timeout_secs = s.download_timeout_secs.unwrap_or(600);
        if !(request_timeout_secs..=86_400).contains(&download_timeout_secs) {
            return Err(invalid(
                "sync.download_timeout_secs",
                "应不小于 sync.request_timeout_secs，且不大于 86400".into(),
            ));
        }
        let backoff_base_secs = o.backoff_base_secs.unwrap_or(30);
        let backoff_max_secs = o.backoff_max_secs.unwrap_or(6 * 3600);
        if backoff_base_secs == 0 || backoff_base_secs > backoff_max_secs {
            return Err(invalid(
                "outbox.backoff_base_secs",
                "应大于 0 且不大于 outbox.backoff_max_secs".into(),
            ));
        }
        let purge_after_hours = o.purge_after_hours.unwrap_or(0);
        if purge_after_hours > 24 * 90 {
            return Err(invalid(
                "outbox.purge_after_hours",
                "个人信息在县里确认收到后最多保留 90 天（2160 小时）".into(),
            ));
        }
        let intake_deadline_secs = o.deadline_secs.unwrap_or(300);
        if !(request_timeout_secs..=86_400).contains(&intake_deadline_secs) {
            return Err(invalid(
                "outbox.deadline_secs",
                "应不小于 sync.request_timeout_secs，且不大于 86400".into(),
            ));
        }
        Ok(AgentConfig {
            region,
            device,
            server,
            allow_plain_http,
            root: p
                .root
                .unwrap_or_else(|| PathBuf::from("/etc/gongkai/root.json")),
            state_dir: p.state_dir.unwrap_or_else(|| base.join("agent")),
            content_db: p.content_db.unwrap_or_else(|| base.join("content.db")),
            requests_db: p.requests_db.unwrap_or_else(|| base.join("requests.db")),
            calendar_dir: p.calendar_dir.unwrap_or_else(|| base.join("calendars")),
            interval_secs,
            jitter_secs,
            max_target_bytes,
            max_total_bytes,
            min_free_bytes,
            request_timeout_secs,
            download_timeout_secs,
            backoff_base_secs,
            backoff_max_secs,
            purge_after_hours,
            intake_deadline_secs,
        })
    }

    /// The warning to log at every start when the county's server is
    /// reached over plain `http://` beyond this machine.
    pub fn plain_http_warning(&self) -> Option<String> {
        (self.server.scheme() == "http" && !is_loopback(&self.server)).then(|| {
            format!(
                "server.allow_plain_http = true: {} is reached without TLS; the terminal's token and applicants' personal data cross the network in clear text",
                self.server
            )
        })
    }

    /// `<server>/repo/metadata/`.
    pub fn metadata_url(&self) -> url::Url {
        self.server.join("repo/metadata/").expect("valid base")
    }

    /// `<server>/repo/targets/`.
    pub fn targets_url(&self) -> url::Url {
        self.server.join("repo/targets/").expect("valid base")
    }

    /// `<server>/api/v1/<path>`.
    pub fn api_url(&self, path: &str) -> url::Url {
        self.server
            .join("api/v1/")
            .and_then(|u| u.join(path))
            .expect("valid base")
    }
}

/// Whether `url` names this machine (127.0.0.0/8, ::1, localhost): the
/// same rule as the provisioning code's.
fn is_loopback(url: &url::Url) -> bool {
    disclosure::provisioning::is_loopback(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[device]
region = "990521201201"
device = 1
[server]
url = "http://127.0.0.1:8080"
"#;

    #[test]
    fn defaults_and_urls() {
        let c = AgentConfig::parse(GOOD).unwrap();
        assert_eq!(c.interval_secs, 900);
        assert_eq!(c.jitter_secs, 180);
        assert_eq!(
            c.metadata_url().as_str(),
            "http://127.0.0.1:8080/repo/metadata/"
        );
        assert_eq!(
            c.api_url("applications").as_str(),
            "http://127.0.0.1:8080/api/v1/applications"
        );
        assert_eq!(c.content_db, Path::new("/var/lib/gongkai/content.db"));
    }

    #[test]
    fn the_documented_example_parses_and_states_the_defaults() {
        let path = Path::new(&std::env::var("CARGO_MANIFEST_DIR").unwrap())
            .join("../deploy/sync-agent.example.toml");
        let example = AgentConfig::load(&path).unwrap();
        let defaults = AgentConfig::parse(
            &GOOD.replace("http://127.0.0.1:8080", "https://gk.yunxi.gov.example/"),
        )
        .unwrap();
        assert_eq!(example, defaults);
    }

    #[test]
    fn bad_keys_are_named() {
        fn check(extra: &str, key: &str) {
            let text = format!("{GOOD}{extra}");
            let e = AgentConfig::parse(&text).unwrap_err().to_string();
            assert!(e.contains(key), "{extra:?}: {e}");
        }
        check("[sync]\ninterval_secs = 5\n", "sync.interval_secs");
        check("[sync]\njitter_secs = 100000\n", "sync.jitter_secs");
        check("[sync]\nmax_target_bytes = 10\n", "sync.max_target_bytes");
        check(
            "[outbox]\nbackoff_base_secs = 0\n",
            "outbox.backoff_base_secs",
        );
        check(
            "[outbox]\npurge_after_hours = 99999\n",
            "outbox.purge_after_hours",
        );
        check("[paths]\nbogus = 1\n", "bogus");
        let e = AgentConfig::parse(&GOOD.replace("990521201201", "12345"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("device.region"), "{e}");
        let e = AgentConfig::parse(&GOOD.replace("device = 1", "device = 0"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("device.device"), "{e}");
        let e = AgentConfig::parse(&GOOD.replace("http://127.0.0.1:8080", "ftp://x"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("server.url"), "{e}");
        check(
            "[sync]\nmax_total_bytes = 1048576\n",
            "sync.max_total_bytes",
        );
        check("[sync]\nmin_free_bytes = 0\n", "sync.min_free_bytes");
        check(
            "[sync]\ndownload_timeout_secs = 5\n",
            "sync.download_timeout_secs",
        );
        check("[outbox]\ndeadline_secs = 5\n", "outbox.deadline_secs");
    }

    #[test]
    fn plain_http_beyond_this_machine_is_refused_unless_allowed() {
        for local in [
            "http://127.0.0.1:8080",
            "http://[::1]:8080",
            "http://localhost/",
        ] {
            let c = AgentConfig::parse(&GOOD.replace("http://127.0.0.1:8080", local)).unwrap();
            assert_eq!(c.plain_http_warning(), None, "{local}");
        }
        let remote = GOOD.replace("http://127.0.0.1:8080", "http://10.1.2.3/");
        let e = AgentConfig::parse(&remote).unwrap_err().to_string();
        assert!(e.contains("server.url") && e.contains("明文"), "{e}");
        let e = AgentConfig::parse(&GOOD.replace("http://127.0.0.1:8080", "http://gk.example/"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("server.url"), "{e}");
        // A county's private network, said so in the configuration: accepted,
        // and the agent warns at every start.
        let allowed = remote.replace("[server]\n", "[server]\nallow_plain_http = true\n");
        let c = AgentConfig::parse(&allowed).unwrap();
        assert!(
            c.plain_http_warning()
                .is_some_and(|w| w.contains("10.1.2.3"))
        );
        let https = GOOD.replace("http://127.0.0.1:8080", "https://gk.example/");
        assert_eq!(
            AgentConfig::parse(&https).unwrap().plain_http_warning(),
            None
        );
    }
}
