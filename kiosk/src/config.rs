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
    /// `ui.domain_order`: the domains 信息查询 shows first, in this order
    /// (what people here ask for); the others follow in catalog order.
    pub domain_order: Vec<disclosure::Domain>,
    /// Public address of a record for the QR code; `{key}` is replaced.
    pub public_url: String,
    /// This terminal's number within its region (receipt numbers).
    pub device: disclosure::requests::DeviceNo,
    pub applications: ApplicationsConfig,
    /// The receipt printer; `None`: receipts are shown on screen as a QR code.
    pub printer: Option<PrinterConfig>,
    /// The barcode scanner's input device; `None`: numbers are typed.
    pub scanner: Option<PathBuf>,
    /// The second-generation ID card reader; `None`: ID numbers are typed.
    pub id_reader: Option<IdReaderConfig>,
    /// Read-aloud (`[speech]`): volume, rate and the ALSA device.
    pub speech: speech::SpeechConfig,
    /// `handwriting.model`: the Zinnia model 手写 reads; 手写 is offered
    /// only where the file is there.
    pub handwriting_model: PathBuf,
    /// `[screen]`: rotation, screen hours (see `crate::service`).
    pub screen: crate::service::ScreenConfig,
    /// `[technician]`: the 技术维护 screen.
    pub technician: TechnicianConfig,
}

/// `[technician]`: the 技术维护 screen's PIN and where provisioning
/// requests go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TechnicianConfig {
    /// The PIN's argon2id hash, written at provisioning; `None`: the
    /// terminal is not provisioned, and the screen offers only 开通.
    pub pin_hash: Option<String>,
    /// Where the screen leaves a scanned 开通二维码 (`request.toml`) and
    /// `gongkai-provision` its answer (`result.json`).
    pub provision_dir: PathBuf,
}

/// The provisioning folder on the device.
pub const DEFAULT_PROVISION_DIR: &str = "/var/lib/gongkai/provision";

impl Default for TechnicianConfig {
    fn default() -> Self {
        TechnicianConfig {
            pin_hash: None,
            provision_dir: PathBuf::from(DEFAULT_PROVISION_DIR),
        }
    }
}

/// `[id_reader]`: the ID card reader's SAM module on a (USB-)serial line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdReaderConfig {
    /// `/dev/ttyUSB1`, or a `/dev/serial/by-id/…` link.
    pub device: PathBuf,
    pub baud: u32,
}

/// The rates a SAM module can be set to; 115200 is its default.
pub const ID_READER_BAUDS: [u32; 5] = [115_200, 57_600, 38_400, 19_200, 9_600];

/// `[applications]`.
#[derive(Debug, Clone, PartialEq)]
pub struct ApplicationsConfig {
    /// `requests.db`; `None` with the demo content (kept beside it).
    pub database: Option<PathBuf>,
    /// 咨询电话 printed on receipts.
    pub hotline: String,
    /// Where a receipt's QR code leads; `{token}` is replaced by the
    /// application's random progress token (never by its receipt number).
    pub progress_url: String,
    /// Holiday schedules arriving through the feed (`YYYY.toml`), beyond
    /// the built-in 2025 and 2026.
    pub calendar_dir: Option<PathBuf>,
    /// Seconds without a touch on a half-filled form before the warning.
    pub warn_after_secs: u64,
    /// Seconds without a touch before a half-filled form is wiped.
    pub wipe_after_secs: u64,
    /// The same when hall staff fill it in for someone (代为填写).
    pub staff_wipe_after_secs: u64,
}

impl Default for ApplicationsConfig {
    fn default() -> Self {
        ApplicationsConfig {
            database: None,
            hotline: "0999-1234567".into(),
            progress_url: "https://www.yunxi.gov.example/gk/progress/{token}".into(),
            calendar_dir: None,
            warn_after_secs: 90,
            wipe_after_secs: 120,
            staff_wipe_after_secs: 600,
        }
    }
}

/// `[printer]`.
#[derive(Debug, Clone, PartialEq)]
pub struct PrinterConfig {
    pub serial: printer::SerialSettings,
    pub paper: printer::PaperWidth,
    pub text: printer::TextMode,
    pub font_file: PathBuf,
    pub font_family: String,
    pub status_timeout_ms: u64,
}

impl PrinterConfig {
    /// A printer on `port` with every other key at its default.
    pub fn on_port(port: &str) -> PrinterConfig {
        PrinterConfig {
            serial: printer::SerialSettings {
                path: port.to_string(),
                baud: 9600,
                flow_control: printer::serial::FlowControl::Hardware,
            },
            paper: printer::PaperWidth::Mm80,
            text: printer::TextMode::Gbk,
            font_file: PathBuf::from(printer::raster::DEFAULT_FONT_FILE),
            font_family: printer::raster::DEFAULT_FONT_FAMILY.to_string(),
            status_timeout_ms: 500,
        }
    }
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
            domain_order: DEFAULT_DOMAIN_ORDER
                .iter()
                .map(|n| disclosure::Domain::from_name(n).expect("a domain name"))
                .collect(),
            public_url: "https://www.yunxi.gov.example/gk/{key}".into(),
            device: disclosure::requests::DeviceNo::new(1).expect("1 is a device number"),
            applications: ApplicationsConfig::default(),
            printer: None,
            scanner: None,
            id_reader: None,
            speech: speech::SpeechConfig::default(),
            handwriting_model: PathBuf::from(handwriting::DEFAULT_MODEL),
            screen: crate::service::ScreenConfig::default(),
            technician: TechnicianConfig::default(),
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
    #[serde(default)]
    applications: RawApplications,
    printer: Option<RawPrinter>,
    #[serde(default)]
    scanner: RawScanner,
    id_reader: Option<RawIdReader>,
    #[serde(default)]
    speech: RawSpeech,
    #[serde(default)]
    handwriting: RawHandwriting,
    #[serde(default)]
    screen: crate::service::RawScreen,
    #[serde(default)]
    technician: RawTechnician,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTechnician {
    pin_hash: Option<String>,
    provision_dir: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIdReader {
    device: Option<PathBuf>,
    baud: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSpeech {
    volume: Option<i64>,
    rate: Option<i64>,
    device: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawApplications {
    database: Option<PathBuf>,
    hotline: Option<String>,
    progress_url: Option<String>,
    calendar_dir: Option<PathBuf>,
    warn_after_secs: Option<i64>,
    wipe_after_secs: Option<i64>,
    staff_wipe_after_secs: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrinter {
    port: Option<String>,
    baud: Option<i64>,
    flow_control: Option<String>,
    paper: Option<String>,
    text: Option<String>,
    font_file: Option<PathBuf>,
    font_family: Option<String>,
    status_timeout_ms: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScanner {
    device: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHall {
    name: Option<String>,
    region: Option<String>,
    device: Option<i64>,
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
struct RawHandwriting {
    model: Option<String>,
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
    domain_order: Option<Vec<String>>,
}

/// The domains 信息查询 leads with unless `ui.domain_order` says otherwise:
/// what villagers come to a hall for (social assistance and insurance,
/// farm subsidies, health, old age, school, work) before the catalog's
/// official order (国土空间规划 first).
pub const DEFAULT_DOMAIN_ORDER: [&str; 10] = [
    "社会救助",
    "社会保险",
    "涉农补贴",
    "医疗卫生",
    "养老服务",
    "义务教育",
    "就业创业",
    "户籍管理",
    "农村危房改造",
    "扶贫",
];

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
        if let Some(m) = raw.handwriting.model {
            if !m.starts_with('/') {
                return Err(bad(
                    "handwriting.model",
                    format!("“{m}”应为绝对路径，如 {}", handwriting::DEFAULT_MODEL),
                ));
            }
            c.handwriting_model = PathBuf::from(m);
        }
        c.large_text = raw.ui.large_text.unwrap_or(false);
        c.high_contrast = raw.ui.high_contrast.unwrap_or(false);
        if let Some(order) = raw.ui.domain_order {
            let mut domains = Vec::with_capacity(order.len());
            for name in &order {
                let d = disclosure::Domain::from_name(name).ok_or_else(|| {
                    bad(
                        "ui.domain_order",
                        format!("“{name}”不是领域名称（26 个试点领域之一或“其他领域”）"),
                    )
                })?;
                if domains.contains(&d) {
                    return Err(bad("ui.domain_order", format!("“{name}”写了两次")));
                }
                domains.push(d);
            }
            c.domain_order = domains;
        }
        if let Some(u) = raw.ui.public_url {
            if !(u.starts_with("https://") || u.starts_with("http://")) || !u.contains("{key}") {
                return Err(bad(
                    "ui.public_url",
                    "应以 https:// 或 http:// 开头，并含有 {key}".into(),
                ));
            }
            c.public_url = u;
        }
        if let Some(d) = raw.hall.device {
            c.device = u8::try_from(d)
                .ok()
                .and_then(disclosure::requests::DeviceNo::new)
                .ok_or_else(|| bad("hall.device", format!("{d} 超出范围，应在 1 到 99 之间")))?;
        }
        c.screen = raw.screen.validate().map_err(|(key, m)| bad(key, m))?;
        if let Some(h) = raw.technician.pin_hash {
            if !disclosure::technician::is_pin_hash(&h) {
                return Err(bad(
                    "technician.pin_hash",
                    "不是维护密码的 argon2id 散列（请用 gongkai-provision 设置，不要写明文密码）"
                        .into(),
                ));
            }
            c.technician.pin_hash = Some(h);
        }
        if let Some(d) = raw.technician.provision_dir {
            c.technician.provision_dir = d;
        }
        let a = raw.applications;
        c.applications.database = a.database;
        c.applications.calendar_dir = a.calendar_dir;
        if let Some(h) = a.hotline {
            if h.chars().count() > 30 || h.chars().any(|ch| ch.is_control()) {
                return Err(bad("applications.hotline", "最多 30 个字符".into()));
            }
            c.applications.hotline = h.trim().to_string();
        }
        if let Some(u) = a.progress_url {
            // `{receipt}` is the name older configurations give the same
            // place: the county's page there now takes the token.
            let u = u.replace("{receipt}", "{token}");
            if !(u.starts_with("https://") || u.starts_with("http://")) || !u.contains("{token}") {
                return Err(bad(
                    "applications.progress_url",
                    "应以 https:// 或 http:// 开头，并含有 {token}".into(),
                ));
            }
            c.applications.progress_url = u;
        }
        c.applications.warn_after_secs = secs(
            a.warn_after_secs,
            "applications.warn_after_secs",
            c.applications.warn_after_secs,
        )?;
        c.applications.wipe_after_secs = secs(
            a.wipe_after_secs,
            "applications.wipe_after_secs",
            c.applications.wipe_after_secs,
        )?;
        c.applications.staff_wipe_after_secs = secs(
            a.staff_wipe_after_secs,
            "applications.staff_wipe_after_secs",
            c.applications.staff_wipe_after_secs,
        )?;
        if c.applications.warn_after_secs >= c.applications.wipe_after_secs {
            return Err(bad(
                "applications.warn_after_secs",
                "应小于 applications.wipe_after_secs（先提醒，再清除）".into(),
            ));
        }
        if let Some(p) = raw.printer {
            let port = p.port.filter(|s| !s.trim().is_empty()).ok_or_else(|| {
                bad(
                    "printer.port",
                    "有 [printer] 时必须写明串口，如 /dev/ttyS1".into(),
                )
            })?;
            let mut pc = PrinterConfig::on_port(&port);
            match p.baud {
                None => {}
                Some(b @ (1200 | 2400 | 4800 | 9600 | 19200 | 38400 | 57600 | 115200)) => {
                    pc.serial.baud = b as u32
                }
                Some(b) => {
                    return Err(bad(
                        "printer.baud",
                        format!("{b} 不是常用波特率（9600、19200、38400、57600、115200…）"),
                    ));
                }
            }
            if let Some(f) = p.flow_control {
                pc.serial.flow_control =
                    printer::serial::FlowControl::parse(&f).ok_or_else(|| {
                        bad(
                            "printer.flow_control",
                            format!("“{f}”不可用，应为 none、software 或 hardware"),
                        )
                    })?;
            }
            if let Some(x) = p.paper {
                pc.paper = printer::PaperWidth::parse(&x).ok_or_else(|| {
                    bad("printer.paper", format!("“{x}”不可用，应为 58mm 或 80mm"))
                })?;
            }
            if let Some(x) = p.text {
                pc.text = printer::TextMode::parse(&x).ok_or_else(|| {
                    bad("printer.text", format!("“{x}”不可用，应为 gbk 或 raster"))
                })?;
            }
            match p.status_timeout_ms {
                None => {}
                Some(t) if (50..=10_000).contains(&t) => pc.status_timeout_ms = t as u64,
                Some(t) => {
                    return Err(bad(
                        "printer.status_timeout_ms",
                        format!("{t} 超出范围，应在 50 到 10000 之间"),
                    ));
                }
            }
            if let Some(f) = p.font_file {
                pc.font_file = f;
            }
            if let Some(f) = p.font_family {
                pc.font_family = f;
            }
            c.printer = Some(pc);
        }
        c.scanner = raw.scanner.device;
        if let Some(r) = raw.id_reader {
            let device = r
                .device
                .filter(|d| !d.as_os_str().is_empty())
                .ok_or_else(|| {
                    bad(
                        "id_reader.device",
                        "有 [id_reader] 时必须写明读卡器的串口，如 /dev/ttyUSB1".into(),
                    )
                })?;
            let baud = match r.baud {
                None => 115_200,
                Some(b) => u32::try_from(b)
                    .ok()
                    .filter(|b| ID_READER_BAUDS.contains(b))
                    .ok_or_else(|| {
                        bad(
                            "id_reader.baud",
                            format!(
                                "{b} 不是读卡器支持的波特率（115200、57600、38400、19200、9600）"
                            ),
                        )
                    })?,
            };
            c.id_reader = Some(IdReaderConfig { device, baud });
        }
        let sp = raw.speech;
        match sp.volume {
            None => {}
            Some(v) if (0..=i64::from(speech::SpeechConfig::VOLUME_MAX)).contains(&v) => {
                c.speech.volume = v as u8
            }
            Some(v) => {
                return Err(bad(
                    "speech.volume",
                    format!("{v} 超出范围，应在 0 到 100 之间"),
                ));
            }
        }
        match sp.rate {
            None => {}
            Some(r)
                if (i64::from(speech::SpeechConfig::RATE_MIN)
                    ..=i64::from(speech::SpeechConfig::RATE_MAX))
                    .contains(&r) =>
            {
                c.speech.rate = r as u16
            }
            Some(r) => {
                return Err(bad(
                    "speech.rate",
                    format!("{r} 超出范围，应在 80 到 450 之间（175 约为每秒三个字）"),
                ));
            }
        }
        if let Some(d) = sp.device {
            let d = d.trim();
            if d.is_empty() || d.chars().any(|ch| ch.is_control() || ch.is_whitespace()) {
                return Err(bad(
                    "speech.device",
                    "应为 ALSA 设备名，如 default 或 plughw:0,0".into(),
                ));
            }
            c.speech.device = d.to_string();
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
        check("[ui]\ndomain_order = [\"社会救助\", \"养老服务\"]", None);
        check("[handwriting]\nmodel = \"/opt/zinnia/zh.model\"", None);
        check(
            "[handwriting]\nmodel = \"zh.model\"",
            Some("handwriting.model"),
        );
        check("[handwriting]\nmodel = \"\"", Some("handwriting.model"));
        check("[handwriting]\npath = \"/x\"", Some("path"));
        check("[ui]\ndomain_order = []", None);
        check("[ui]\ndomain_order = [\"低保\"]", Some("ui.domain_order"));
        check(
            "[ui]\ndomain_order = [\"社会救助\", \"社会救助领域\"]",
            Some("ui.domain_order"),
        );
        check("[ui]\ndomain_order = \"社会救助\"", Some("domain_order"));
        check("[hall\n", Some("格式错误"));
        check("[hall]\ndevice = 0", Some("hall.device"));
        check("[hall]\ndevice = 100", Some("hall.device"));
        check("[hall]\ndevice = 99", None);
        check(
            "[technician]\npin_hash = \"480213\"",
            Some("technician.pin_hash"),
        );
        check(
            "[technician]\npin_hash = \"$argon2id$v=19$m=8192,t=3,p=1$c2FsdHNhbHRzYWx0$MXzVLpTcbGKEJ2gvbTHkPUs6cZMnErSlgqwIqWBtn5E\"",
            None,
        );
        check(
            "[technician]\nprovision_dir = \"/var/lib/gongkai/provision\"",
            None,
        );
        check("[technician]\npin = \"480213\"", Some("pin"));
        check(
            "[applications]\nprogress_url = \"https://x/\"",
            Some("applications.progress_url"),
        );
        check(
            "[applications]\nprogress_url = \"https://x/gk/progress/{token}\"",
            None,
        );
        check(
            "[applications]\nwarn_after_secs = 200",
            Some("applications.warn_after_secs"),
        );
        check(
            "[applications]\nwipe_after_secs = 5",
            Some("applications.wipe_after_secs"),
        );
        check("[printer]\nbaud = 9600", Some("printer.port"));
        check(
            "[printer]\nport = \"/dev/ttyS1\"\nbaud = 9601",
            Some("printer.baud"),
        );
        check(
            "[printer]\nport = \"/dev/ttyS1\"\nflow_control = \"dtr\"",
            Some("printer.flow_control"),
        );
        check(
            "[printer]\nport = \"/dev/ttyS1\"\npaper = \"76mm\"",
            Some("printer.paper"),
        );
        check(
            "[printer]\nport = \"/dev/ttyS1\"\ntext = \"utf8\"",
            Some("printer.text"),
        );
        check(
            "[printer]\nport = \"/dev/ttyS1\"\nstatus_timeout_ms = 5",
            Some("printer.status_timeout_ms"),
        );
        check("[scanner]\npath = \"/dev/input/event3\"", Some("path"));
        check("[speech]\nvolume = 0\nrate = 80", None);
        check("[speech]\nvolume = 100\nrate = 450", None);
        check("[speech]\nvolume = 101", Some("speech.volume"));
        check("[speech]\nvolume = -1", Some("speech.volume"));
        check("[speech]\nrate = 79", Some("speech.rate"));
        check("[speech]\nrate = 451", Some("speech.rate"));
        check("[speech]\ndevice = \"\"", Some("speech.device"));
        check("[speech]\ndevice = \"plughw:0,0\"", None);
        check("[speech]\nvoice = \"cmn\"", Some("voice"));
        check("[id_reader]\nbaud = 115200", Some("id_reader.device"));
        check("[id_reader]\ndevice = \"\"", Some("id_reader.device"));
        check(
            "[id_reader]\ndevice = \"/dev/ttyUSB1\"\nbaud = 4800",
            Some("id_reader.baud"),
        );
        check(
            "[id_reader]\ndevice = \"/dev/ttyUSB1\"\nbaud = -1",
            Some("id_reader.baud"),
        );
        check(
            "[id_reader]\ndevice = \"/dev/ttyUSB1\"\nport = \"x\"",
            Some("port"),
        );
    }

    #[test]
    fn the_domains_people_ask_for_lead_unless_configured() {
        let names =
            |c: &KioskConfig| -> Vec<&str> { c.domain_order.iter().map(|d| d.name()).collect() };
        assert_eq!(names(&KioskConfig::default()), DEFAULT_DOMAIN_ORDER);
        let c = KioskConfig::parse("[ui]\ndomain_order = [\"救灾\", \"其他\"]", Path::new("k"))
            .unwrap();
        assert_eq!(names(&c), ["救灾", "其他领域"]);
    }

    #[test]
    fn the_id_reader_defaults_to_the_modules_rate() {
        let c =
            KioskConfig::parse("[id_reader]\ndevice = \"/dev/ttyUSB1\"", Path::new("k")).unwrap();
        assert_eq!(
            c.id_reader,
            Some(IdReaderConfig {
                device: "/dev/ttyUSB1".into(),
                baud: 115_200
            })
        );
        let c = KioskConfig::parse(
            "[id_reader]\ndevice = \"/dev/ttyUSB1\"\nbaud = 9600",
            Path::new("k"),
        )
        .unwrap();
        assert_eq!(c.id_reader.unwrap().baud, 9600);
        assert_eq!(KioskConfig::default().id_reader, None);
    }

    #[test]
    fn an_old_progress_url_with_receipt_gets_the_token_there() {
        let c = KioskConfig::parse(
            "[applications]\nprogress_url = \"https://x/gk/progress/{receipt}\"",
            Path::new("k"),
        )
        .unwrap();
        assert_eq!(c.applications.progress_url, "https://x/gk/progress/{token}");
    }

    #[test]
    fn speech_defaults_and_values() {
        let c = KioskConfig::parse("", Path::new("k")).unwrap();
        assert_eq!(c.speech, speech::SpeechConfig::default());
        assert_eq!((c.speech.volume, c.speech.rate), (80, 175));
        let c = KioskConfig::parse(
            "[speech]\nvolume = 55\nrate = 140\ndevice = \"plughw:1,0\"",
            Path::new("k"),
        )
        .unwrap();
        assert_eq!(
            (c.speech.volume, c.speech.rate, c.speech.device.as_str()),
            (55, 140, "plughw:1,0")
        );
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
