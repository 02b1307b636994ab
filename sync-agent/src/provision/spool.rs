//! The spool folder between the kiosk's technician screen (no network, an
//! unprivileged user) and `gongkai-provision --from-spool` (root, started
//! by `gongkai-provision.path`). The kiosk leaves `request.toml`:
//!
//! ```toml
//! code = "GKPROV1:…"                 # the scanned provisioning code
//! technician_pin_hash = "…"          # optional, copied to kiosk.toml
//! ```
//!
//! and reads `result.json` back: `{"ok": …, "message": "…", "finished_at":
//! "2026-12-02T08:00:00Z"}`. The request is read as untrusted input (a
//! regular file, not a link, at most 16 KiB, only those two keys) and
//! removed as soon as it is read, so a crash cannot start the unit again
//! and again; the result is written atomically (temporary file, rename).

use std::io::Read;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use disclosure::provisioning::ProvisioningCode;
use futures::FutureExt;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{ProvisionPaths, Request, provision};

pub const REQUEST: &str = "request.toml";
pub const RESULT: &str = "result.json";
/// Largest request read.
const MAX_REQUEST_BYTES: u64 = 16 * 1024;
/// Longest `technician_pin_hash` copied.
const MAX_PIN_HASH_CHARS: usize = 512;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRequest {
    code: String,
    technician_pin_hash: Option<String>,
}

/// What `result.json` holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpoolResult {
    pub ok: bool,
    /// One sentence in Chinese for the screen.
    pub message: String,
    /// RFC 3339, UTC, whole seconds.
    pub finished_at: String,
}

#[derive(Debug, thiserror::Error)]
pub enum SpoolError {
    #[error("{0} 中没有开通请求（request.toml）")]
    NoRequest(PathBuf),
    #[error(transparent)]
    Write(#[from] super::files::WriteError),
}

/// The request read, or why it is refused (a sentence for the screen).
fn read_request(path: &Path) -> Result<Request, String> {
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(nix::libc::O_NOFOLLOW | nix::libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| format!("开通请求无法读取（{e}）。"))?;
    let m = f
        .metadata()
        .map_err(|e| format!("开通请求无法读取（{e}）。"))?;
    if !m.is_file() {
        return Err("开通请求不是普通文件，未处理。".into());
    }
    if m.len() > MAX_REQUEST_BYTES {
        return Err(format!(
            "开通请求过大（超过 {MAX_REQUEST_BYTES} 字节），未处理。"
        ));
    }
    let mut text = String::new();
    f.by_ref()
        .take(MAX_REQUEST_BYTES)
        .read_to_string(&mut text)
        .map_err(|_| "开通请求不是 UTF-8 文本，未处理。".to_string())?;
    // The parser's message may quote the file: only its kind is said.
    let raw: RawRequest = toml::from_str(&text).map_err(|e| {
        let m = e.message();
        if m.contains("unknown field") {
            "开通请求中有不认识的项（只能有 code 和 technician_pin_hash），未处理。".to_string()
        } else if m.contains("missing field") {
            "开通请求中没有 code（扫描的开通码），未处理。".to_string()
        } else {
            "开通请求的格式有误（应为 TOML：code = \"GKPROV1:…\"），未处理。".to_string()
        }
    })?;
    let code = ProvisioningCode::parse(&raw.code).map_err(|e| format!("{e}。"))?;
    if let Some(h) = &raw.technician_pin_hash
        && (h.is_empty()
            || h.chars().count() > MAX_PIN_HASH_CHARS
            || h.chars().any(char::is_control))
    {
        return Err(format!(
            "开通请求中的 technician_pin_hash 有误（应为 1 至 {MAX_PIN_HASH_CHARS} 个字符，不含控制字符），未处理。"
        ));
    }
    Ok(Request {
        code,
        root: None,
        pin_hash: raw.technician_pin_hash,
    })
}

fn now_rfc3339() -> String {
    let now = OffsetDateTime::now_utc();
    let now = now.replace_nanosecond(0).unwrap_or(now);
    now.format(&time::format_description::well_known::Rfc3339)
        .expect("formats")
}

/// Writes `result.json` in `dir` atomically, readable by the kiosk's group.
pub fn write_result(dir: &Path, result: &SpoolResult) -> Result<(), super::files::WriteError> {
    let path = dir.join(RESULT);
    let _ = std::fs::remove_file(dir.join(RESULT));
    super::files::replace_file(
        &path,
        &serde_json::to_vec_pretty(result).expect("serializes"),
        0o640,
    )?;
    // replace_file keeps an old file's mode; there is none after the remove,
    // but make sure the group can read it whatever happened in between.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).map_err(|source| {
        super::files::WriteError {
            path: path.clone(),
            source,
        }
    })
}

/// Takes the request in `dir`, provisions, writes the result (also when
/// the request was bad or provisioning failed or panicked), and returns it.
pub async fn run(
    dir: &Path,
    paths: &ProvisionPaths,
    progress: &mut dyn FnMut(&str),
) -> Result<SpoolResult, SpoolError> {
    let request = dir.join(REQUEST);
    if std::fs::symlink_metadata(&request).is_err() {
        return Err(SpoolError::NoRequest(dir.to_path_buf()));
    }
    let read = read_request(&request);
    // Taken: gone from the spool before anything else happens, so the
    // path unit does not start again, and no old result is left to read.
    let removed = std::fs::remove_file(&request);
    let _ = std::fs::remove_file(dir.join(RESULT));
    let outcome: Result<String, String> = match (read, removed) {
        (_, Err(e)) => Err(format!(
            "开通请求无法移除（{e}），未处理：请检查 {} 的权限。",
            dir.display()
        )),
        (Err(why), Ok(())) => Err(why),
        (Ok(req), Ok(())) => {
            let run = std::panic::AssertUnwindSafe(provision(&req, paths, progress))
                .catch_unwind()
                .await;
            match run {
                Ok(Ok(o)) => Ok(o.sentence(&req.code)),
                Ok(Err(e)) => Err(format!("{e}。")),
                Err(_) => {
                    Err("开通程序内部出错，未完成：请查看 journalctl -u gongkai-provision。".into())
                }
            }
        }
    };
    let result = match outcome {
        Ok(message) => SpoolResult {
            ok: true,
            message,
            finished_at: now_rfc3339(),
        },
        Err(message) => SpoolResult {
            ok: false,
            message: message.replace("。。", "。"),
            finished_at: now_rfc3339(),
        },
    };
    write_result(dir, &result)?;
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spool(request: Option<&[u8]>) -> (tempfile::TempDir, SpoolResult) {
        let d = tempfile::tempdir().unwrap();
        if let Some(r) = request {
            std::fs::write(d.path().join(REQUEST), r).unwrap();
        }
        let paths = ProvisionPaths {
            etc_dir: d.path().join("etc"),
            usb_roots: vec![],
            package_root: d.path().join("none.json"),
        };
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let r = rt.block_on(run(d.path(), &paths, &mut |_| {})).unwrap();
        let written: SpoolResult =
            serde_json::from_slice(&std::fs::read(d.path().join(RESULT)).unwrap()).unwrap();
        assert_eq!(written, r);
        assert!(!d.path().join(REQUEST).exists(), "the request is taken");
        (d, r)
    }

    /// A bad request: ok=false, a sentence that says `words`, never the
    /// request's own text.
    fn refused(request: &[u8], words: &str) {
        let (_d, r) = spool(Some(request));
        assert!(!r.ok);
        assert!(
            r.message.contains(words),
            "{:?}: {}",
            String::from_utf8_lossy(request),
            r.message
        );
        assert!(r.message.ends_with('。'), "{}", r.message);
        assert!(!r.message.contains("secret-text"), "{}", r.message);
    }

    #[test]
    fn bad_requests_get_a_result_saying_why() {
        refused(b"code = \"secret-text", "格式有误");
        refused(b"\xff\xfe", "不是 UTF-8");
        refused(b"technician_pin_hash = \"x\"\n", "没有 code");
        refused(b"code = \"x\"\nsecret-text = 1\n", "不认识的项");
        refused(b"code = \"secret-text\"\n", "不是终端开通码");
        refused(b"code = \"GKPROV9:secret-text\"\n", "第 9 版");
        refused(&vec![b'#'; 20_000], "过大");
        // A good code, but a hash that is not a plain string.
        let fp = "0".repeat(64);
        let code = format!("GKPROV1:http://127.0.0.1:9/|990521|1|a|0000-0000-0000|{fp}");
        refused(
            format!("code = \"{code}\"\ntechnician_pin_hash = \"a\\nb\"\n").as_bytes(),
            "technician_pin_hash 有误",
        );
        // A good request on a box without the package's files: said so.
        refused(format!("code = \"{code}\"\n").as_bytes(), "找不到根元数据");
    }

    #[test]
    fn a_link_is_not_followed_and_no_request_is_no_result() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("target"), b"code = \"secret-text\"").unwrap();
        std::os::unix::fs::symlink(d.path().join("target"), d.path().join(REQUEST)).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let r = rt
            .block_on(run(d.path(), &ProvisionPaths::default(), &mut |_| {}))
            .unwrap();
        assert!(!r.ok && r.message.contains("无法读取"), "{}", r.message);
        assert!(
            d.path().join("target").exists(),
            "the link's target is left"
        );
        let e = rt
            .block_on(run(d.path(), &ProvisionPaths::default(), &mut |_| {}))
            .unwrap_err();
        assert!(matches!(e, SpoolError::NoRequest(_)), "{e}");
        assert_eq!(
            std::fs::metadata(d.path().join(RESULT))
                .unwrap()
                .permissions()
                .mode()
                & 0o777,
            0o640
        );
        let (_d, _) = spool(Some(b"code = 1\n"));
    }
}
