//! The 技术维护 screen's work without its UI: the terminal's status in
//! plain words, the requests it leaves for the sync agent and the system
//! (立即同步, 从U盘导入, 开通 — the kiosk has no network and runs as its
//! own user, so it can only leave a file in the shared data folder), the
//! screen hours it offers, and the self-test results it records for the
//! health report.

use std::io::Write;
use std::path::{Path, PathBuf};

use disclosure::requests::RequestStore;
use disclosure::requests::store::format_time;
use disclosure::technician::{
    AGENT_REPORT_STATE, AgentReport, SCREEN_HOURS_STATE, SelfTestPart, SelfTestResult,
    USB_IMPORT_STATE,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::applications::chinese_time;
use crate::service::{ScreenHours, TimeOfDay};

/// The file that asks the sync agent for a round now (its daemon looks for
/// it every two seconds; `sync_agent::daemon::SYNC_NOW_FILE`).
pub const SYNC_NOW_FILE: &str = "sync-now";
/// The file that asks `gongkai-usb-import-now.path` to import from every
/// USB stick plugged in.
pub const USB_IMPORT_NOW_FILE: &str = "usb-import-now";
/// The scanned 开通二维码 for `gongkai-provision --from-spool`.
pub const PROVISION_REQUEST_FILE: &str = "request.toml";
/// `gongkai-provision`'s answer.
pub const PROVISION_RESULT_FILE: &str = "result.json";

/// One line of the status: a label, its value in plain words, and whether
/// it needs the technician's attention (shown marked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusLine {
    pub label: &'static str,
    pub value: String,
    pub problem: bool,
}

fn line(label: &'static str, value: impl Into<String>, problem: bool) -> StatusLine {
    StatusLine {
        label,
        value: value.into(),
        problem,
    }
}

/// A `device_state` time (`format_time`) in Chinese words; the raw text
/// when it does not parse.
fn when(at: &str) -> String {
    at.parse::<disclosure::Timestamp>()
        .map(|t| chinese_time(&t))
        .unwrap_or_else(|_| at.to_string())
}

/// What the status reads, gathered by the caller.
pub struct StatusInputs<'a> {
    pub requests: &'a RequestStore,
    /// The content version the kiosk shows; `None`: the demo content.
    pub feed_version: Option<u64>,
    pub demo: bool,
    pub has_printer: bool,
    pub hours: Option<ScreenHours>,
    /// The data folder (`requests.db`'s), for the disk's free space.
    pub data_dir: &'a Path,
}

/// The terminal's status in plain words, problems marked.
pub fn terminal_status(i: &StatusInputs<'_>) -> Vec<StatusLine> {
    let mut out = Vec::new();
    let report: Option<AgentReport> = i
        .requests
        .device_state(AGENT_REPORT_STATE)
        .ok()
        .flatten()
        .and_then(|(v, _)| serde_json::from_str(&v).ok());
    out.push(match (&report, i.demo) {
        (_, true) => line("开通", "未开通：正在显示演示内容", true),
        (Some(r), _) if r.enrolled => line("开通", "已开通", false),
        (Some(_), _) => line("开通", "同步服务尚未开通：请扫描开通二维码", true),
        (None, _) => line("开通", "同步服务尚未报告（刚安装或未运行）", true),
    });
    out.push(match (i.feed_version, &report) {
        (None, _) => line("内容版本", "尚无县里的内容", true),
        (Some(v), Some(r)) if r.feed_version == Some(v) => match &r.feed_since {
            Some(since) => line(
                "内容版本",
                format!("第 {v} 版（{} 起）", when(since)),
                false,
            ),
            None => line("内容版本", format!("第 {v} 版"), false),
        },
        (Some(v), _) => line("内容版本", format!("第 {v} 版"), false),
    });
    let last_sync = report.as_ref().and_then(|r| r.last_sync_ok.clone());
    out.push(match last_sync {
        Some(at) => line("最近同步", when(&at), false),
        None => line("最近同步", "从未成功", true),
    });
    let error = report.as_ref().and_then(|r| r.last_error.clone());
    out.push(match error {
        Some(e) => {
            let at = report
                .as_ref()
                .and_then(|r| r.last_error_at.as_deref())
                .map(when)
                .unwrap_or_default();
            line("同步问题", format!("{at} {e}").trim().to_string(), true)
        }
        None => line("同步问题", "无", false),
    });
    let (depth, _) = i.requests.outbox_summary().unwrap_or((0, None));
    let oldest = i.requests.oldest_undelivered().ok().flatten();
    out.push(match (depth, oldest) {
        (0, _) => line("待送达", "无（申请都已送达县里）", false),
        (n, Some(t)) => line(
            "待送达",
            format!("{n} 件，最早一件于 {} 受理", chinese_time(&t)),
            // A day without delivery is worth a look.
            OffsetDateTime::now_utc() - t.inner() > time::Duration::days(1),
        ),
        (n, None) => line("待送达", format!("{n} 件"), false),
    });
    if let Ok(Some((v, at))) = i.requests.device_state(USB_IMPORT_STATE) {
        out.push(line(
            "U盘导入",
            format!("{}：{v}", when(&at)),
            v.contains("失败"),
        ));
    }
    let (free, total) = disk_space(i.data_dir);
    out.push(line(
        "磁盘",
        format!("剩余 {} MB，共 {} MB", free / 1_000_000, total / 1_000_000),
        total > 0 && free < 200_000_000,
    ));
    out.push(if !i.has_printer {
        line("打印机", "未配置：回执以二维码显示", false)
    } else {
        match i.requests.printer_health().ok().flatten() {
            Some((h, at)) => line(
                "打印机",
                format!("{}（{}）", h.name(), chinese_time(&at)),
                !matches!(h, disclosure::requests::PrinterHealth::Ok),
            ),
            None => line("打印机", "尚未打印过：请做设备自检", false),
        }
    });
    out.push(line("熄屏时间", hours_words(i.hours), false));
    out
}

/// Screen hours in words.
pub fn hours_words(h: Option<ScreenHours>) -> String {
    match h {
        Some(h) => format!("{} 熄屏，{} 亮屏", h.off_at, h.on_at),
        None => "不熄屏".into(),
    }
}

/// The screen hours the 技术维护 screen offers, with their words.
pub fn hours_choices() -> Vec<(String, Option<ScreenHours>)> {
    let mut out = vec![("不熄屏".to_string(), None)];
    for (off, on) in [(22, 7), (21, 7), (20, 8), (18, 8)] {
        let h = ScreenHours {
            off_at: TimeOfDay::from_hm(off, 0),
            on_at: TimeOfDay::from_hm(on, 0),
        };
        out.push((format!("{}–{}", h.off_at, h.on_at), Some(h)));
    }
    out
}

/// The screen hours in force: what the screen set, else `[screen]`'s.
pub fn screen_hours(
    requests: &RequestStore,
    configured: Option<ScreenHours>,
) -> Option<ScreenHours> {
    match requests.device_state(SCREEN_HOURS_STATE) {
        Ok(Some((v, _))) if v == "always" => None,
        Ok(Some((v, _))) => ScreenHours::parse_range(&v).or(configured),
        _ => configured,
    }
}

/// Records the screen hours set on the screen.
pub fn set_screen_hours(
    requests: &mut RequestStore,
    hours: Option<ScreenHours>,
) -> Result<(), disclosure::requests::RequestError> {
    let v = hours.map_or("always".to_string(), |h| h.to_string());
    requests.set_device_state(SCREEN_HOURS_STATE, &v, OffsetDateTime::now_utc())
}

/// Records a self-test's outcome for the health report.
pub fn record_self_test(
    requests: &mut RequestStore,
    part: SelfTestPart,
    passed: bool,
    detail: &str,
) -> Result<SelfTestResult, disclosure::requests::RequestError> {
    let now = OffsetDateTime::now_utc();
    let r = SelfTestResult {
        part,
        passed,
        detail: detail.to_string(),
        at: format_time(now),
    };
    let json = serde_json::to_string(&r).expect("serializes");
    requests.set_device_state(&part.state_key(), &json, now)?;
    Ok(r)
}

/// The last recorded self-test of `part`.
pub fn last_self_test(requests: &RequestStore, part: SelfTestPart) -> Option<SelfTestResult> {
    requests
        .device_state(&part.state_key())
        .ok()
        .flatten()
        .and_then(|(v, _)| serde_json::from_str(&v).ok())
}

/// Writes `bytes` to `path` whole or not at all (a temporary file in the
/// same folder, then a rename), readable by the group that shares the
/// folder.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = dir.join(format!(
        ".{}.tmp",
        path.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("request")
    ));
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)
}

/// Leaves the request file `name` in `data_dir` (its content: when).
pub fn leave_request(data_dir: &Path, name: &str) -> std::io::Result<PathBuf> {
    let path = data_dir.join(name);
    write_atomically(
        &path,
        format!("{}\n", format_time(OffsetDateTime::now_utc())).as_bytes(),
    )?;
    Ok(path)
}

/// What the screen leaves for `gongkai-provision --from-spool`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvisionRequest {
    /// The scanned 开通二维码, as the scanner typed it.
    pub code: String,
    /// The PIN set on the screen, hashed (`technician.pin_hash`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub technician_pin_hash: Option<String>,
}

/// `gongkai-provision`'s answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvisionResult {
    pub ok: bool,
    /// One sentence for the screen.
    pub message: String,
    pub finished_at: String,
}

/// Leaves `request` in the provisioning folder, removing any old answer
/// first (so the next answer read is this request's).
pub fn leave_provision_request(dir: &Path, request: &ProvisionRequest) -> std::io::Result<()> {
    match std::fs::remove_file(dir.join(PROVISION_RESULT_FILE)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let text = toml::to_string(request).map_err(std::io::Error::other)?;
    write_atomically(&dir.join(PROVISION_REQUEST_FILE), text.as_bytes())
}

/// `gongkai-provision`'s answer, once there is one.
pub fn provision_result(dir: &Path) -> Option<ProvisionResult> {
    let bytes = std::fs::read(dir.join(PROVISION_RESULT_FILE)).ok()?;
    match serde_json::from_slice(&bytes) {
        Ok(r) => Some(r),
        Err(e) => {
            tracing::warn!("provisioning result unreadable: {e}");
            Some(ProvisionResult {
                ok: false,
                message: "开通程序的答复无法读取，请查看日志".into(),
                finished_at: String::new(),
            })
        }
    }
}

/// Whether `text` looks like a 开通二维码 (the full check is
/// `gongkai-provision`'s).
pub fn looks_like_provisioning_code(text: &str) -> bool {
    text.trim().starts_with("GKPROV")
}

/// Free and total bytes of the file system holding `dir`; zeros when it
/// cannot be asked.
pub fn disk_space(dir: &Path) -> (u64, u64) {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c) = std::ffi::CString::new(dir.as_os_str().as_bytes()) else {
        return (0, 0);
    };
    let mut s = std::mem::MaybeUninit::<libc::statvfs>::zeroed();
    // SAFETY: `c` is a NUL-terminated path; `s` is written by statvfs
    // before it is read, and read only when the call succeeded.
    let ok = unsafe { libc::statvfs(c.as_ptr(), s.as_mut_ptr()) } == 0;
    if !ok {
        return (0, 0);
    }
    // SAFETY: statvfs returned 0, so it filled `s`.
    let s = unsafe { s.assume_init() };
    // The field types differ between 32- and 64-bit targets.
    #[allow(clippy::unnecessary_cast)]
    let frag = s.f_frsize as u64;
    #[allow(clippy::unnecessary_cast)]
    (s.f_bavail as u64 * frag, s.f_blocks as u64 * frag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_written_whole_and_answers_read() {
        let dir = tempfile::tempdir().unwrap();
        let p = leave_request(dir.path(), SYNC_NOW_FILE).unwrap();
        assert!(p.exists());
        let req = ProvisionRequest {
            code: "GKPROV1:x".into(),
            technician_pin_hash: Some("$argon2id$…".into()),
        };
        std::fs::write(dir.path().join(PROVISION_RESULT_FILE), b"{}").unwrap();
        leave_provision_request(dir.path(), &req).unwrap();
        assert!(
            provision_result(dir.path()).is_none(),
            "an old answer is removed with a new request"
        );
        let text = std::fs::read_to_string(dir.path().join(PROVISION_REQUEST_FILE)).unwrap();
        assert_eq!(toml::from_str::<ProvisionRequest>(&text).unwrap(), req);
        std::fs::write(
            dir.path().join(PROVISION_RESULT_FILE),
            r#"{"ok":true,"message":"已开通","finished_at":"2026-12-02T08:00:00Z"}"#,
        )
        .unwrap();
        assert!(provision_result(dir.path()).unwrap().ok);
        std::fs::write(dir.path().join(PROVISION_RESULT_FILE), b"{not json").unwrap();
        let r = provision_result(dir.path()).unwrap();
        assert!(!r.ok && r.message.contains("无法读取"), "{r:?}");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert!(!names.iter().any(|n| n.ends_with(".tmp")), "{names:?}");
    }

    #[test]
    fn disk_space_of_a_real_folder() {
        let (free, total) = disk_space(Path::new("/"));
        assert!(total > 0 && free <= total, "{free} {total}");
        assert_eq!(disk_space(Path::new("/no/such/folder")), (0, 0));
    }
}
