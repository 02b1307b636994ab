//! Provisioning a terminal from its provisioning code (`gongkai-provision`):
//! the county's root metadata found and accepted only when its SHA-256 is
//! the code's fingerprint, the installed `sync-agent.toml` and `kiosk.toml`
//! edited, `root.json` installed where the agent pins it, and the terminal
//! enrolled with the agent's own client. Each step is reported in Chinese.
//! `spool.rs` is the same for a request the kiosk's technician screen
//! leaves (the kiosk has no network).

pub mod files;
pub mod root;
pub mod spool;

use std::path::{Path, PathBuf};

use disclosure::provisioning::ProvisioningCode;
use serde::{Deserialize, Serialize};

use crate::config::AgentConfig;
use crate::intake::{IntakeClient, IntakeError};

/// Where provisioning reads and writes; every path can be moved for tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvisionPaths {
    /// The folder of `sync-agent.toml` and `kiosk.toml` (the package's
    /// conffiles), `/etc/gongkai`.
    pub etc_dir: PathBuf,
    /// Where USB sticks are mounted: each folder, its subfolders and
    /// theirs are looked into for `gongkai/root.json`, `root.json` and a
    /// repository's `gongkai/metadata/<N>.root.json`.
    pub usb_roots: Vec<PathBuf>,
    /// A root.json a county's own package may carry.
    pub package_root: PathBuf,
}

impl Default for ProvisionPaths {
    fn default() -> ProvisionPaths {
        ProvisionPaths {
            etc_dir: PathBuf::from("/etc/gongkai"),
            usb_roots: ["/media", "/run/media", "/mnt"]
                .into_iter()
                .map(PathBuf::from)
                .collect(),
            package_root: PathBuf::from("/usr/share/gongkai/root.json"),
        }
    }
}

impl ProvisionPaths {
    pub fn agent_config(&self) -> PathBuf {
        self.etc_dir.join("sync-agent.toml")
    }

    pub fn kiosk_config(&self) -> PathBuf {
        self.etc_dir.join("kiosk.toml")
    }
}

/// What to provision.
#[derive(Debug, Clone)]
pub struct Request {
    pub code: ProvisioningCode,
    /// A root.json the technician names (`--root`), tried alone.
    pub root: Option<PathBuf>,
    /// `[technician] pin_hash` for the kiosk, copied as it is.
    pub pin_hash: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ProvisionError {
    #[error("根元数据 {0} 与开通码中的指纹不符：不是本县的 root.json，未写入任何文件")]
    RootMismatch(String),
    #[error(
        "找到的根元数据都与开通码中的指纹不符（{}）：不是本县的 root.json，未写入任何文件",
        .0.join("；")
    )]
    NoMatchingRoot(Vec<String>),
    #[error(
        "找不到根元数据（{}）：请插入带 gongkai/root.json 的 U 盘，或检查网线后重试；未写入任何文件",
        .0.join("；")
    )]
    RootNotFound(Vec<String>),
    #[error("无法读取 {path}：{source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "找不到 {0}：请重新安装软件包（apt-get install --reinstall -o Dpkg::Options::=--force-confmiss gongkai-terminal）"
    )]
    ConfigMissing(PathBuf),
    #[error("{path} 有误：{message}")]
    Config { path: PathBuf, message: String },
    #[error(transparent)]
    Write(#[from] files::WriteError),
    #[error(
        "县里不接受这个开通码：它已经用过、已过期，或不是给终端 {0} 的（这几种情况县里回答相同）。请向县里要新的开通码"
    )]
    CodeRefused(String),
    #[error("县里的服务器说开通尝试过于频繁：请一分钟后再试")]
    Throttled,
    #[error("开通失败：{0}")]
    Enrol(IntakeError),
}

/// How provisioning ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// `<region>-<device>`.
    pub terminal: String,
    /// The same code had already enrolled this terminal: nothing was asked
    /// of the county.
    pub already_enrolled: bool,
}

impl Outcome {
    /// One sentence for the screen.
    pub fn sentence(&self, code: &ProvisioningCode) -> String {
        if self.already_enrolled {
            format!(
                "本终端 {}（{}）已用这个开通码开通过，配置已核对，无需再次开通。",
                self.terminal,
                code.hall_name()
            )
        } else {
            format!(
                "已开通终端 {}（{}），配置已写好，正在同步县里的内容。",
                self.terminal,
                code.hall_name()
            )
        }
    }
}

/// `provisioned.json` in the agent's folder: which code enrolled it (the
/// code is used up by then; its SHA-256 only tells a rerun apart).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
struct Provisioned {
    terminal: String,
    code_sha256: String,
    server: String,
}

impl Provisioned {
    fn of(code: &ProvisioningCode) -> Provisioned {
        Provisioned {
            terminal: code.terminal_id(),
            code_sha256: disclosure::feed::sha256_hex(code.one_time_code().as_bytes()),
            server: code.server_url().to_string(),
        }
    }
}

fn read_config(path: &Path) -> Result<String, ProvisionError> {
    std::fs::read_to_string(path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            ProvisionError::ConfigMissing(path.to_path_buf())
        } else {
            ProvisionError::Read {
                path: path.to_path_buf(),
                source,
            }
        }
    })
}

/// Provisions this terminal: root metadata, configuration, enrolment.
/// Nothing is written before the root metadata matched the fingerprint;
/// the configuration is written before enrolling, so a refused or
/// unreachable county leaves it in place for the next try.
pub async fn provision(
    req: &Request,
    paths: &ProvisionPaths,
    progress: &mut dyn FnMut(&str),
) -> Result<Outcome, ProvisionError> {
    let code = &req.code;
    progress(&format!(
        "开通码：终端 {}（{}），服务器 {}",
        code.terminal_id(),
        code.hall_name(),
        code.server_url()
    ));
    let found = root::find(code, req.root.as_deref(), paths, progress).await?;
    progress(&format!(
        "根元数据：{}，指纹 {}… 与开通码相符",
        found.source,
        &code.root_fingerprint()[..16]
    ));

    // Both configurations edited and checked before either is written.
    let agent_path = paths.agent_config();
    let kiosk_path = paths.kiosk_config();
    let agent_text = files::edit_agent_config(&read_config(&agent_path)?, code).map_err(|e| {
        ProvisionError::Config {
            path: agent_path.clone(),
            message: e.0,
        }
    })?;
    let config = AgentConfig::parse(&agent_text).map_err(|e| ProvisionError::Config {
        path: agent_path.clone(),
        message: e.to_string(),
    })?;
    let kiosk_text = files::edit_kiosk_config(
        &read_config(&kiosk_path)?,
        code,
        &config.content_db,
        req.pin_hash.as_deref(),
    )
    .map_err(|e| ProvisionError::Config {
        path: kiosk_path.clone(),
        message: e.0,
    })?;

    files::replace_file(&config.root, &found.bytes, 0o644)?;
    progress(&format!("已安装根元数据：{}", config.root.display()));
    files::replace_file(&agent_path, agent_text.as_bytes(), 0o640)?;
    progress(&format!("已写入同步服务配置：{}", agent_path.display()));
    files::replace_file(&kiosk_path, kiosk_text.as_bytes(), 0o640)?;
    progress(&format!("已写入查阅屏配置：{}", kiosk_path.display()));

    let marker = config.state_dir.join("provisioned.json");
    let done = Provisioned::of(code);
    let enrolled = crate::intake::load_credentials(&config.state_dir)
        .is_ok_and(|c| c.device_id == done.terminal);
    let same_code = std::fs::read(&marker)
        .ok()
        .and_then(|b| serde_json::from_slice::<Provisioned>(&b).ok())
        .is_some_and(|p| p == done);
    if enrolled && same_code {
        progress(&format!(
            "终端 {} 已用这个开通码开通过，不再开通",
            done.terminal
        ));
        return Ok(Outcome {
            terminal: done.terminal,
            already_enrolled: true,
        });
    }

    progress(&format!("正在向 {} 开通……", code.server_url()));
    let creds = match IntakeClient::new(&config).enrol(code.one_time_code()).await {
        Ok(c) => c,
        Err(IntakeError::Refused { status: 403, .. }) => {
            return Err(ProvisionError::CodeRefused(done.terminal));
        }
        Err(IntakeError::Refused { status: 429, .. }) => return Err(ProvisionError::Throttled),
        Err(e) => return Err(ProvisionError::Enrol(e)),
    };
    files::adopt(&config.state_dir.join("credentials.json"))?;
    files::replace_file(
        &marker,
        &serde_json::to_vec_pretty(&done).expect("serializes"),
        0o600,
    )?;
    files::adopt(&marker)?;
    progress(&format!("已开通：{}", creds.device_id));
    Ok(Outcome {
        terminal: creds.device_id,
        already_enrolled: false,
    })
}
