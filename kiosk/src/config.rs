//! The kiosk's configuration: `/etc/gongkai/kiosk.toml` on the device (or
//! `--config FILE`); every key has a default, and a bad value is refused
//! with a Chinese message that names the key. See `deploy/kiosk.example.toml`.

use std::path::{Path, PathBuf};

use disclosure::RegionCode;
use serde::Deserialize;

/// Where the device keeps its configuration.
pub const DEFAULT_PATH: &str = "/etc/gongkai/kiosk.toml";

#[derive(Debug, Clone, PartialEq)]
pub struct KioskConfig {
    /// 厅名, shown on the home page.
    pub hall_name: String,
    /// The hall's 行政区划代码: decides what the terminal shows.
    pub region: RegionCode,
    /// `content.db`, written by the sync agent; `None` runs the embedded
    /// demo content.
    pub database: Option<PathBuf>,
    pub backend: Backend,
    pub fullscreen: bool,
    pub width: u32,
    pub height: u32,
    /// Seconds without a touch before the kiosk returns home and clears
    /// the search.
    pub reset_after_secs: u64,
    /// Seconds without a touch before the attract loop starts.
    pub attract_after_secs: u64,
    pub large_text: bool,
    pub high_contrast: bool,
    /// Public address of a record for the QR code; `{key}` is replaced.
    pub public_url: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// `SLINT_BACKEND` if set, else Slint's choice (a window on a desktop).
    Auto,
    /// A desktop window.
    Winit,
    /// Fullscreen on the framebuffer with libinput, as on the device.
    LinuxKms,
}

impl Backend {
    /// The `SLINT_BACKEND` value, if any.
    pub fn slint_name(self) -> Option<&'static str> {
        match self {
            Self::Auto => None,
            Self::Winit => Some("winit"),
            Self::LinuxKms => Some("linuxkms"),
        }
    }
}

impl Default for KioskConfig {
    /// The demo: 石桥村 in the fictional 云溪县, embedded content.
    fn default() -> Self {
        KioskConfig {
            hall_name: "石桥村政务公开查阅点".into(),
            region: "990521201201".parse().expect("valid demo region"),
            database: None,
            backend: Backend::Auto,
            fullscreen: false,
            width: 1280,
            height: 800,
            reset_after_secs: 120,
            attract_after_secs: 300,
            large_text: false,
            high_contrast: false,
            public_url: "https://www.yunxi.gov.example/gk/{key}".into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("无法读取配置文件 {path}：{source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("配置文件 {path} 格式错误：{message}")]
    Syntax { path: PathBuf, message: String },
    #[error("配置文件 {path} 中的 {key} 无效：{message}")]
    Invalid {
        path: PathBuf,
        key: &'static str,
        message: String,
    },
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    hall: RawHall,
    #[serde(default)]
    content: RawContent,
    #[serde(default)]
    display: RawDisplay,
    #[serde(default)]
    idle: RawIdle,
    #[serde(default)]
    ui: RawUi,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHall {
    name: Option<String>,
    region: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawContent {
    database: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDisplay {
    backend: Option<String>,
    fullscreen: Option<bool>,
    width: Option<i64>,
    height: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIdle {
    reset_after_secs: Option<i64>,
    attract_after_secs: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUi {
    large_text: Option<bool>,
    high_contrast: Option<bool>,
    public_url: Option<String>,
}

impl KioskConfig {
    /// Reads and validates a configuration file.
    pub fn load(path: &Path) -> Result<KioskConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text, path)
    }

    /// Validates configuration text; `path` is only used in messages.
    pub fn parse(text: &str, path: &Path) -> Result<KioskConfig, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Syntax {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        let bad = |key: &'static str, message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            key,
            message,
        };
        let mut c = KioskConfig::default();
        if let Some(name) = raw.hall.name {
            let n = name.trim();
            if n.is_empty() || n.chars().count() > 40 {
                return Err(bad("hall.name", "厅名应为 1 到 40 个字".into()));
            }
            c.hall_name = n.to_string();
        }
        if let Some(r) = raw.hall.region {
            c.region = r
                .parse()
                .map_err(|e: disclosure::region::RegionCodeError| {
                    bad("hall.region", e.to_string())
                })?;
        }
        c.database = raw.content.database;
        if let Some(b) = raw.display.backend {
            c.backend = match b.as_str() {
                "auto" => Backend::Auto,
                "winit" => Backend::Winit,
                "linuxkms" => Backend::LinuxKms,
                other => {
                    return Err(bad(
                        "display.backend",
                        format!("“{other}”不可用，应为 auto、winit 或 linuxkms"),
                    ));
                }
            };
        }
        c.fullscreen = raw
            .display
            .fullscreen
            .unwrap_or(c.backend == Backend::LinuxKms);
        let size = |v: Option<i64>, key: &'static str, default: u32| match v {
            None => Ok(default),
            Some(v) if (480..=7680).contains(&v) => Ok(v as u32),
            Some(v) => Err(bad(key, format!("{v} 超出范围，应在 480 到 7680 像素之间"))),
        };
        c.width = size(raw.display.width, "display.width", c.width)?;
        c.height = size(raw.display.height, "display.height", c.height)?;
        let secs = |v: Option<i64>, key: &'static str, default: u64| match v {
            None => Ok(default),
            Some(v) if (15..=86_400).contains(&v) => Ok(v as u64),
            Some(v) => Err(bad(key, format!("{v} 超出范围，应在 15 到 86400 秒之间"))),
        };
        c.reset_after_secs = secs(
            raw.idle.reset_after_secs,
            "idle.reset_after_secs",
            c.reset_after_secs,
        )?;
        c.attract_after_secs = secs(
            raw.idle.attract_after_secs,
            "idle.attract_after_secs",
            c.attract_after_secs,
        )?;
        if c.attract_after_secs < c.reset_after_secs {
            return Err(bad(
                "idle.attract_after_secs",
                "不能小于 idle.reset_after_secs（先回到首页，再开始轮播）".into(),
            ));
        }
        c.large_text = raw.ui.large_text.unwrap_or(false);
        c.high_contrast = raw.ui.high_contrast.unwrap_or(false);
        if let Some(u) = raw.ui.public_url {
            if !(u.starts_with("https://") || u.starts_with("http://")) || !u.contains("{key}") {
                return Err(bad(
                    "ui.public_url",
                    "应以 https:// 或 http:// 开头，并含有 {key}".into(),
                ));
            }
            c.public_url = u;
        }
        Ok(c)
    }

    /// The public address of a record, for its QR code.
    pub fn public_url_of(&self, key: &str) -> String {
        self.public_url.replace("{key}", key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected_key: Option<&str>) {
        let r = KioskConfig::parse(text, Path::new("kiosk.toml"));
        match (r, expected_key) {
            (Ok(_), None) => {}
            (Err(e), Some(k)) => assert!(e.to_string().contains(k), "{text}: {e}"),
            (r, k) => panic!("{text}: {r:?}, expected error on {k:?}"),
        }
    }

    #[test]
    fn every_key_is_validated_by_name() {
        check("", None);
        check(
            "[hall]\nname = \"城关镇便民服务中心\"\nregion = \"990521101\"",
            None,
        );
        check("[hall]\nregion = \"99052\"", Some("hall.region"));
        check("[hall]\nname = \"\"", Some("hall.name"));
        check("[display]\nbackend = \"x11\"", Some("display.backend"));
        check("[display]\nwidth = 100", Some("display.width"));
        check("[display]\nheight = 100000", Some("display.height"));
        check(
            "[idle]\nreset_after_secs = 5",
            Some("idle.reset_after_secs"),
        );
        check(
            "[idle]\nreset_after_secs = 200\nattract_after_secs = 100",
            Some("idle.attract_after_secs"),
        );
        check(
            "[ui]\npublic_url = \"ftp://x/{key}\"",
            Some("ui.public_url"),
        );
        check("[ui]\npublic_url = \"https://x/\"", Some("ui.public_url"));
        check("[ui]\nlarge_txt = true", Some("large_txt"));
        check("[hall\n", Some("格式错误"));
    }

    #[test]
    fn linuxkms_defaults_to_fullscreen() {
        let c = KioskConfig::parse("[display]\nbackend = \"linuxkms\"", Path::new("k")).unwrap();
        assert!(c.fullscreen);
        assert!(!KioskConfig::default().fullscreen);
    }

    #[test]
    fn the_example_in_deploy_is_valid() {
        let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/kiosk.example.toml");
        KioskConfig::load(&p).unwrap();
    }
}
