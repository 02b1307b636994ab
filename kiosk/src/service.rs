//! The kiosk as a service on the box (`gongkai-kiosk.service`): the systemd
//! watchdog pinged from the UI event loop, screen hours (the panel's
//! backlight off and on at configured times), screen rotation for portrait
//! panels (rendering through `SLINT_KMS_ROTATION`, touch through a udev
//! calibration matrix), and the console set up for it (`kiosk
//! console-setup`, run as root before the kiosk starts). The `[screen]`
//! section of the configuration is read here.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

/// How the picture is turned on the panel, clockwise, as Slint's linuxkms
/// backend takes it in `SLINT_KMS_ROTATION` (90: the content turned a
/// quarter to the right, for a landscape panel mounted in portrait).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Rotation {
    #[default]
    None,
    Right90,
    UpsideDown180,
    Left270,
}

impl Rotation {
    pub fn from_degrees(d: i64) -> Option<Rotation> {
        Some(match d {
            0 => Rotation::None,
            90 => Rotation::Right90,
            180 => Rotation::UpsideDown180,
            270 => Rotation::Left270,
            _ => return None,
        })
    }

    pub fn degrees(self) -> u16 {
        match self {
            Rotation::None => 0,
            Rotation::Right90 => 90,
            Rotation::UpsideDown180 => 180,
            Rotation::Left270 => 270,
        }
    }

    /// Where a point of the (rotated) window, in 0..1 of its width and
    /// height, lands on the panel, in 0..1 of the panel's: the renderer's
    /// turn.
    pub fn window_to_panel(self, (x, y): (f64, f64)) -> (f64, f64) {
        match self {
            Rotation::None => (x, y),
            // The window's top-left corner goes to the panel's top-right.
            Rotation::Right90 => (1.0 - y, x),
            Rotation::UpsideDown180 => (1.0 - x, 1.0 - y),
            // The window's top-left corner goes to the panel's bottom-left.
            Rotation::Left270 => (y, 1.0 - x),
        }
    }

    /// libinput's calibration matrix (`LIBINPUT_CALIBRATION_MATRIX`, the
    /// top two rows `a b c d e f`: x' = a·x + b·y + c, y' = d·x + e·y + f)
    /// that takes a touch on the panel back to the window's point: Slint
    /// 1.18's linuxkms backend scales touches to the window but does not
    /// turn them, so the touch screen has to.
    pub fn touch_matrix(self) -> [i8; 6] {
        match self {
            Rotation::None => [1, 0, 0, 0, 1, 0],
            Rotation::Right90 => [0, 1, 0, -1, 0, 1],
            Rotation::UpsideDown180 => [-1, 0, 1, 0, -1, 1],
            Rotation::Left270 => [0, -1, 1, 1, 0, 0],
        }
    }

    /// The udev rule that gives every touch screen the matrix.
    pub fn touch_rule(self) -> String {
        let m = self
            .touch_matrix()
            .iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join(" ");
        format!(
            "# Written by `kiosk console-setup` from [screen] rotation = {}.\n\
             ACTION==\"add|change\", SUBSYSTEM==\"input\", ENV{{ID_INPUT_TOUCHSCREEN}}==\"1\", \
             ENV{{LIBINPUT_CALIBRATION_MATRIX}}=\"{m}\"\n",
            self.degrees()
        )
    }
}

/// A time of day, in minutes after midnight (China Standard Time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct TimeOfDay(u16);

impl TimeOfDay {
    /// `"HH:MM"`, 00:00–23:59.
    pub fn parse(s: &str) -> Option<TimeOfDay> {
        let (h, m) = s.trim().split_once(':')?;
        if h.is_empty() || h.len() > 2 || m.len() != 2 {
            return None;
        }
        let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
        (h < 24 && m < 60).then_some(TimeOfDay(h * 60 + m))
    }

    pub fn from_hm(h: u16, m: u16) -> TimeOfDay {
        TimeOfDay((h % 24) * 60 + m % 60)
    }

    /// Now, in China Standard Time (as the kiosk's dates are).
    pub fn now_in_china() -> TimeOfDay {
        let t = time::OffsetDateTime::now_utc()
            .to_offset(time::UtcOffset::from_hms(8, 0, 0).expect("UTC+8"));
        TimeOfDay::from_hm(t.hour().into(), t.minute().into())
    }
}

impl std::fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

/// The panel is dark from `off_at` until `on_at` (across midnight when
/// `off_at` is the later time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScreenHours {
    pub off_at: TimeOfDay,
    pub on_at: TimeOfDay,
}

impl ScreenHours {
    pub fn is_on(&self, now: TimeOfDay) -> bool {
        if self.off_at < self.on_at {
            !(self.off_at <= now && now < self.on_at)
        } else {
            // e.g. off 22:00, on 07:00
            self.on_at <= now && now < self.off_at
        }
    }
}

/// `[screen]`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ScreenConfig {
    pub rotation: Rotation,
    /// `None`: the panel stays on.
    pub hours: Option<ScreenHours>,
    /// The backlight device (`/sys/class/backlight/NAME`); `None`: every
    /// one there.
    pub backlight: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScreen {
    rotation: Option<i64>,
    off_at: Option<String>,
    on_at: Option<String>,
    backlight: Option<PathBuf>,
}

impl RawScreen {
    /// Validates `[screen]`; an error names the key.
    pub fn validate(self) -> Result<ScreenConfig, (&'static str, String)> {
        let mut c = ScreenConfig::default();
        if let Some(d) = self.rotation {
            c.rotation = Rotation::from_degrees(d).ok_or((
                "screen.rotation",
                format!("{d} 不可用，应为 0、90、180 或 270"),
            ))?;
        }
        let time = |v: Option<String>, key: &'static str| match v {
            None => Ok(None),
            Some(s) => TimeOfDay::parse(&s)
                .map(Some)
                .ok_or((key, format!("“{s}”应写作 时:分，如 22:00"))),
        };
        let off = time(self.off_at, "screen.off_at")?;
        let on = time(self.on_at, "screen.on_at")?;
        c.hours = match (off, on) {
            (None, None) => None,
            (Some(off_at), Some(on_at)) if off_at != on_at => Some(ScreenHours { off_at, on_at }),
            (Some(_), Some(_)) => {
                return Err(("screen.on_at", "不能与 screen.off_at 相同".into()));
            }
            (Some(_), None) => {
                return Err((
                    "screen.on_at",
                    "写了 screen.off_at 时也要写明何时亮屏".into(),
                ));
            }
            (None, Some(_)) => {
                return Err((
                    "screen.off_at",
                    "写了 screen.on_at 时也要写明何时熄屏".into(),
                ));
            }
        };
        if let Some(b) = self.backlight {
            if !b.starts_with("/sys/class/backlight/") {
                return Err((
                    "screen.backlight",
                    "应为 /sys/class/backlight/ 下的设备，如 /sys/class/backlight/backlight".into(),
                ));
            }
            c.backlight = Some(b);
        }
        Ok(c)
    }
}

/// Turns the panel dark and back on.
pub trait Panel {
    fn set_on(&mut self, on: bool) -> std::io::Result<()>;
}

/// The panel's backlight through sysfs (`bl_power`: 0 on, 4 off); the
/// package's udev rule lets the `video` group write it.
pub struct Backlight {
    devices: Vec<PathBuf>,
}

impl Backlight {
    pub fn new(configured: Option<&Path>) -> Backlight {
        let devices = match configured {
            Some(p) => vec![p.to_path_buf()],
            None => std::fs::read_dir("/sys/class/backlight")
                .map(|d| d.flatten().map(|e| e.path()).collect())
                .unwrap_or_default(),
        };
        Backlight { devices }
    }
}

impl Panel for Backlight {
    fn set_on(&mut self, on: bool) -> std::io::Result<()> {
        if self.devices.is_empty() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "/sys/class/backlight 下没有背光设备",
            ));
        }
        for d in &self.devices {
            std::fs::write(d.join("bl_power"), if on { "0" } else { "4" })?;
        }
        Ok(())
    }
}

/// The screen hours in force: `[screen]`'s, or what the 技术维护 screen
/// set since (shared between the controller that changes it and the
/// timer that follows it).
pub type ScreenHoursSetting = std::rc::Rc<std::cell::Cell<Option<ScreenHours>>>;

impl ScreenHours {
    /// `HH:MM-HH:MM` (off, on), as the 技术维护 screen stores it.
    pub fn parse_range(s: &str) -> Option<ScreenHours> {
        let (off, on) = s.split_once('-')?;
        let (off_at, on_at) = (TimeOfDay::parse(off)?, TimeOfDay::parse(on)?);
        (off_at != on_at).then_some(ScreenHours { off_at, on_at })
    }
}

impl std::fmt::Display for ScreenHours {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.off_at, self.on_at)
    }
}

/// Decides, at each check, whether the panel must change; remembers what
/// it last set so that a failing panel is told once, not every check.
pub struct ScreenSchedule<P: Panel> {
    panel: P,
    last: Option<bool>,
}

impl<P: Panel> ScreenSchedule<P> {
    pub fn new(panel: P) -> Self {
        ScreenSchedule { panel, last: None }
    }

    /// Switches the panel if `hours` at `now` call for it; returns the
    /// state set. Without hours the panel is on (switched back on if the
    /// hours it was dark by were removed; never touched otherwise).
    pub fn check(&mut self, hours: Option<ScreenHours>, now: TimeOfDay) -> Option<bool> {
        let on = match hours {
            Some(h) => h.is_on(now),
            None if self.last == Some(false) => true,
            None => return None,
        };
        if self.last == Some(on) {
            return None;
        }
        self.last = Some(on);
        match self.panel.set_on(on) {
            Ok(()) => tracing::info!(on, at = %now, "screen hours: panel switched"),
            Err(e) => tracing::warn!(on, "screen hours: cannot switch the panel: {e}"),
        }
        Some(on)
    }

    pub fn panel(&self) -> &P {
        &self.panel
    }
}

/// What runs beside the UI while the kiosk is up; dropping it stops it.
pub struct Service {
    /// Kept only to be dropped with the service.
    _timers: Vec<slint::Timer>,
}

/// Starts the service side of the kiosk; call on the UI thread before the
/// window is made (it sets `SLINT_KMS_ROTATION`, which the backend reads
/// when it starts). The timers run in the event loop: a frozen UI stops
/// pinging the watchdog and systemd restarts the kiosk.
pub fn start(screen: &ScreenConfig) -> Service {
    if screen.rotation != Rotation::None && std::env::var_os("SLINT_KMS_ROTATION").is_none() {
        // SAFETY: called on the main thread before any other thread starts.
        unsafe { std::env::set_var("SLINT_KMS_ROTATION", screen.rotation.degrees().to_string()) };
    }
    let mut timers = Vec::new();
    // READY=1 once the event loop runs (harmless without systemd).
    let ready = slint::Timer::default();
    ready.start(
        slint::TimerMode::SingleShot,
        Duration::from_millis(1),
        || {
            let _ = sd_notify::notify(&[sd_notify::NotifyState::Ready]);
        },
    );
    timers.push(ready);
    if let Some(timeout) = sd_notify::watchdog_enabled() {
        let ping = slint::Timer::default();
        ping.start(slint::TimerMode::Repeated, timeout / 2, || {
            let _ = sd_notify::notify(&[sd_notify::NotifyState::Watchdog]);
        });
        timers.push(ping);
    }
    Service { _timers: timers }
}

impl Service {
    /// Follows `hours` (checked every 20 seconds), switching the
    /// backlight of `screen`.
    pub fn follow_screen_hours(&mut self, screen: &ScreenConfig, hours: ScreenHoursSetting) {
        let mut schedule = ScreenSchedule::new(Backlight::new(screen.backlight.as_deref()));
        schedule.check(hours.get(), TimeOfDay::now_in_china());
        let t = slint::Timer::default();
        t.start(
            slint::TimerMode::Repeated,
            Duration::from_secs(20),
            move || {
                schedule.check(hours.get(), TimeOfDay::now_in_china());
            },
        );
        self._timers.push(t);
    }
}

/// Where `kiosk console-setup` writes the touch rule (udev reads
/// `/run/udev/rules.d` as well as `/etc` and `/usr/lib`).
pub const TOUCH_RULE: &str = "/run/udev/rules.d/90-gongkai-touch-rotation.rules";

/// `kiosk console-setup`, as root before the kiosk starts: the kiosk's VT
/// in front and in graphics mode (no text, no cursor), and the touch
/// rotation rule in place. Once the terminal has content (`provisioned`)
/// VT switching is locked and tty2's login prompt stopped; before, a
/// technician with a keyboard can switch to tty2 to provision.
pub fn console_setup(screen: &ScreenConfig, tty: &Path, provisioned: bool) -> anyhow::Result<()> {
    use std::os::fd::AsRawFd;
    const VT_ACTIVATE: libc::c_ulong = 0x5606;
    const VT_WAITACTIVE: libc::c_ulong = 0x5607;
    const VT_LOCKSWITCH: libc::c_ulong = 0x560B;
    const KDSETMODE: libc::c_ulong = 0x4B3A;
    const KD_GRAPHICS: libc::c_ulong = 1;
    let vt: libc::c_ulong = tty
        .to_str()
        .and_then(|s| s.strip_prefix("/dev/tty"))
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("{} 不是虚拟终端（/dev/ttyN）", tty.display()))?;
    let f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(tty)
        .map_err(|e| anyhow::anyhow!("无法打开 {}：{e}", tty.display()))?;
    let fd = f.as_raw_fd();
    let ioctl = |req: libc::c_ulong, arg: libc::c_ulong, what: &str| {
        // SAFETY: console ioctls taking an integer argument on an open tty.
        if unsafe { libc::ioctl(fd, req as _, arg) } != 0 {
            anyhow::bail!("{what}：{}", std::io::Error::last_os_error());
        }
        Ok(())
    };
    ioctl(VT_ACTIVATE, vt, "无法切换到该虚拟终端")?;
    ioctl(VT_WAITACTIVE, vt, "等待切换虚拟终端失败")?;
    ioctl(KDSETMODE, KD_GRAPHICS, "无法把终端设为图形模式")?;
    if provisioned {
        ioctl(VT_LOCKSWITCH, 0, "无法锁定虚拟终端切换")?;
        let _ = std::process::Command::new("systemctl")
            .args(["--no-block", "stop", "getty@tty2.service"])
            .status();
    }
    let rule = Path::new(TOUCH_RULE);
    if screen.rotation == Rotation::None {
        let _ = std::fs::remove_file(rule);
    } else {
        std::fs::create_dir_all(rule.parent().expect("has a folder"))?;
        std::fs::write(rule, screen.rotation.touch_rule())?;
    }
    // The touch screen picks the matrix up when udev sees it again.
    let udevadm: [&[&str]; 3] = [
        &["control", "--reload"],
        &["trigger", "--subsystem-match=input", "--action=change"],
        &["settle", "--timeout=5"],
    ];
    for args in udevadm {
        let _ = std::process::Command::new("udevadm").args(args).status();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> TimeOfDay {
        TimeOfDay::parse(s).unwrap()
    }

    #[test]
    fn times_of_day_parse_and_refuse() {
        assert_eq!(t("07:00"), TimeOfDay::from_hm(7, 0));
        assert_eq!(t("7:05").to_string(), "07:05");
        assert_eq!(t("23:59").to_string(), "23:59");
        for bad in [
            "24:00", "12:60", "1200", "12:5", "", ":30", "ab:cd", "-1:00", "123:00",
        ] {
            assert_eq!(TimeOfDay::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn hours_across_midnight() {
        let h = ScreenHours {
            off_at: t("22:00"),
            on_at: t("07:00"),
        };
        for (now, on) in [
            ("06:59", false),
            ("07:00", true),
            ("12:00", true),
            ("21:59", true),
            ("22:00", false),
            ("00:00", false),
            ("03:00", false),
        ] {
            assert_eq!(h.is_on(t(now)), on, "{now}");
        }
    }

    #[test]
    fn hours_within_a_day() {
        let h = ScreenHours {
            off_at: t("01:00"),
            on_at: t("06:30"),
        };
        for (now, on) in [
            ("00:59", true),
            ("01:00", false),
            ("06:29", false),
            ("06:30", true),
            ("23:00", true),
        ] {
            assert_eq!(h.is_on(t(now)), on, "{now}");
        }
    }

    #[derive(Default)]
    struct FakePanel {
        calls: Vec<bool>,
        fail: bool,
    }

    impl Panel for FakePanel {
        fn set_on(&mut self, on: bool) -> std::io::Result<()> {
            self.calls.push(on);
            if self.fail {
                Err(std::io::Error::other("no backlight"))
            } else {
                Ok(())
            }
        }
    }

    #[test]
    fn the_schedule_switches_only_on_change() {
        let hours = ScreenHours {
            off_at: t("22:00"),
            on_at: t("07:00"),
        };
        let h = Some(hours);
        let mut s = ScreenSchedule::new(FakePanel::default());
        assert_eq!(s.check(h, t("21:00")), Some(true));
        assert_eq!(s.check(h, t("21:30")), None);
        assert_eq!(s.check(h, t("22:00")), Some(false));
        assert_eq!(s.check(h, t("02:00")), None);
        assert_eq!(s.check(h, t("07:00")), Some(true));
        assert_eq!(s.panel().calls, vec![true, false, true]);
        // Hours removed on the 技术维护 screen while dark: back on, once.
        let mut s = ScreenSchedule::new(FakePanel::default());
        assert_eq!(s.check(h, t("23:00")), Some(false));
        assert_eq!(s.check(None, t("23:01")), Some(true));
        assert_eq!(s.check(None, t("23:02")), None);
        // Never any hours: the panel is never touched.
        let mut s = ScreenSchedule::new(FakePanel::default());
        assert_eq!(s.check(None, t("23:00")), None);
        assert!(s.panel().calls.is_empty());
        // A panel that cannot switch is told once per change, not every check.
        let mut s = ScreenSchedule::new(FakePanel {
            fail: true,
            ..Default::default()
        });
        s.check(h, t("23:00"));
        s.check(h, t("23:01"));
        assert_eq!(s.panel().calls, vec![false]);
    }

    #[test]
    fn screen_hours_ranges_round_trip() {
        let check = |s: &str, expected: Option<&str>| {
            assert_eq!(
                ScreenHours::parse_range(s)
                    .map(|h| h.to_string())
                    .as_deref(),
                expected,
                "{s}"
            );
        };
        check("22:00-07:00", Some("22:00-07:00"));
        check("9:30-18:00", Some("09:30-18:00"));
        check("22:00-22:00", None);
        check("22:00", None);
        check("24:00-07:00", None);
        check("always", None);
    }

    fn raw(text: &str) -> Result<ScreenConfig, (&'static str, String)> {
        toml::from_str::<RawScreen>(text).unwrap().validate()
    }

    #[test]
    fn screen_section_validation_names_the_key() {
        assert_eq!(raw("").unwrap(), ScreenConfig::default());
        let c = raw("rotation = 90\noff_at = \"22:00\"\non_at = \"07:00\"").unwrap();
        assert_eq!(c.rotation, Rotation::Right90);
        assert_eq!(c.hours.unwrap().on_at, t("07:00"));
        assert_eq!(raw("rotation = 45").unwrap_err().0, "screen.rotation");
        assert_eq!(raw("off_at = \"22:00\"").unwrap_err().0, "screen.on_at");
        assert_eq!(raw("on_at = \"7:00\"").unwrap_err().0, "screen.off_at");
        assert_eq!(
            raw("off_at = \"22:00\"\non_at = \"22:00\"").unwrap_err().0,
            "screen.on_at"
        );
        assert_eq!(
            raw("off_at = \"25:00\"\non_at = \"07:00\"").unwrap_err().0,
            "screen.off_at"
        );
        assert_eq!(
            raw("backlight = \"/tmp/x\"").unwrap_err().0,
            "screen.backlight"
        );
    }

    #[test]
    fn the_touch_matrix_undoes_the_renderers_turn() {
        for d in [0, 90, 180, 270] {
            let r = Rotation::from_degrees(d).unwrap();
            let [a, b, c, dd, e, f] = r.touch_matrix().map(f64::from);
            for p in [(0.0, 0.0), (1.0, 0.0), (0.25, 0.75), (0.9, 0.1)] {
                let (x, y) = r.window_to_panel(p);
                let back = (a * x + b * y + c, dd * x + e * y + f);
                assert!(
                    (back.0 - p.0).abs() < 1e-9 && (back.1 - p.1).abs() < 1e-9,
                    "{d}°: {p:?} → {:?} → {back:?}",
                    (x, y)
                );
            }
        }
        // The renderer's turn for 90°: the window's top-left corner at the
        // panel's top-right, as Slint's translation after rotation puts it.
        assert_eq!(Rotation::Right90.window_to_panel((0.0, 0.0)), (1.0, 0.0));
        assert_eq!(Rotation::Left270.window_to_panel((0.0, 0.0)), (0.0, 1.0));
        assert!(
            Rotation::Right90
                .touch_rule()
                .contains("LIBINPUT_CALIBRATION_MATRIX}=\"0 1 0 -1 0 1\"")
        );
    }
}
