//! Finding the county's root metadata for a provisioning code: the file
//! the technician names, else a USB stick, the package's copy, then the
//! county server's repository — and taking only bytes whose SHA-256 is the
//! code's fingerprint, wherever they came from.

use std::path::{Path, PathBuf};
use std::time::Duration;

use disclosure::provisioning::{ProvisioningCode, root_fingerprint};

use super::{ProvisionError, ProvisionPaths};

/// Largest root.json read (a root with many keys is a few KiB).
const MAX_ROOT_BYTES: u64 = 1024 * 1024;
/// Root versions asked of the server, `1.root.json` upwards.
const MAX_ROOT_VERSIONS: u64 = 100;

/// Root metadata that matched, and where it came from (in words).
#[derive(Debug, Clone)]
pub struct Found {
    pub bytes: Vec<u8>,
    pub source: String,
}

/// A regular file (not a link) of at most `MAX_ROOT_BYTES`, or `None`.
fn read_small(path: &Path) -> Option<Result<Vec<u8>, std::io::Error>> {
    let m = std::fs::symlink_metadata(path).ok()?;
    if !m.is_file() {
        return None;
    }
    if m.len() > MAX_ROOT_BYTES {
        return Some(Err(std::io::Error::other(format!(
            "超过 {MAX_ROOT_BYTES} 字节，不是 root.json"
        ))));
    }
    Some(std::fs::read(path))
}

/// The folders a stick may be mounted on under `roots`: each root, its
/// subfolders and theirs (`/mnt`, `/media/LABEL`, `/media/USER/LABEL`).
fn mount_points(roots: &[PathBuf]) -> Vec<PathBuf> {
    fn subdirs(d: &Path) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(d)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .map(|e| e.path())
            .collect();
        v.sort();
        v
    }
    let mut out = Vec::new();
    for r in roots {
        out.push(r.clone());
        for d in subdirs(r) {
            out.push(d.clone());
            out.extend(subdirs(&d));
        }
    }
    out
}

/// Candidate files on the sticks, in the order they are tried.
pub fn usb_candidates(roots: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for m in mount_points(roots) {
        out.push(m.join("gongkai/root.json"));
        out.push(m.join("root.json"));
        // A repository written by `county publish --repo …/gongkai`.
        let meta = m.join("gongkai/metadata");
        let mut versions: Vec<(u64, PathBuf)> = std::fs::read_dir(&meta)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                let n = name.strip_suffix(".root.json")?.parse().ok()?;
                Some((n, e.path()))
            })
            .collect();
        versions.sort();
        out.extend(versions.into_iter().rev().map(|v| v.1));
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|p| seen.insert(p.clone()));
    out
}

/// The root metadata for `code`: `explicit` alone when given, else the
/// sticks, the package's copy and the server in turn.
pub async fn find(
    code: &ProvisioningCode,
    explicit: Option<&Path>,
    paths: &ProvisionPaths,
    progress: &mut dyn FnMut(&str),
) -> Result<Found, ProvisionError> {
    let want = code.root_fingerprint();
    if let Some(p) = explicit {
        let bytes = match read_small(p) {
            Some(r) => r,
            None => Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "不存在或不是普通文件",
            )),
        }
        .map_err(|source| ProvisionError::Read {
            path: p.to_path_buf(),
            source,
        })?;
        if root_fingerprint(&bytes) != want {
            return Err(ProvisionError::RootMismatch(p.display().to_string()));
        }
        return Ok(Found {
            bytes,
            source: p.display().to_string(),
        });
    }

    let mut mismatched = Vec::new();
    let mut tried = Vec::new();
    let mut local = usb_candidates(&paths.usb_roots)
        .into_iter()
        .map(|p| (format!("U 盘 {}", p.display()), p))
        .collect::<Vec<_>>();
    local.push((
        format!("软件包 {}", paths.package_root.display()),
        paths.package_root.clone(),
    ));
    for (what, p) in local {
        match read_small(&p) {
            None => {}
            Some(Err(e)) => tried.push(format!("{what}：{e}")),
            Some(Ok(bytes)) if root_fingerprint(&bytes) == want => {
                return Ok(Found {
                    bytes,
                    source: what,
                });
            }
            Some(Ok(_)) => {
                progress(&format!("{what} 与开通码中的指纹不符，不用"));
                mismatched.push(what);
            }
        }
    }
    if tried.is_empty() && mismatched.is_empty() {
        tried.push("U 盘和软件包中没有 root.json".into());
    }

    progress(&format!("正在从 {} 下载根元数据……", code.server_url()));
    match from_server(code, &mut mismatched).await {
        Ok(found) => return Ok(found),
        Err(why) => tried.push(why),
    }
    if mismatched.is_empty() {
        Err(ProvisionError::RootNotFound(tried))
    } else {
        Err(ProvisionError::NoMatchingRoot(mismatched))
    }
}

/// `<server>/repo/metadata/<N>.root.json` for N = 1, 2, … until one
/// matches (the code pins the county's current root, which may be a later
/// version than 1) or the server has no more.
async fn from_server(
    code: &ProvisioningCode,
    mismatched: &mut Vec<String>,
) -> Result<Found, String> {
    let client = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("HTTP client");
    let base = code.server_url();
    for n in 1..=MAX_ROOT_VERSIONS {
        let url = base
            .join(&format!("repo/metadata/{n}.root.json"))
            .expect("a relative path");
        let resp = client
            .get(url.clone())
            .send()
            .await
            .map_err(|e| format!("连不上县里的服务器 {base}（{e}）"))?;
        let status = resp.status();
        if status == reqwest::StatusCode::NOT_FOUND {
            return Err(if n == 1 {
                format!("服务器 {url} 没有根元数据（404）")
            } else {
                format!("服务器上 1 至 {} 版根元数据都不相符", n - 1)
            });
        }
        if !status.is_success() {
            return Err(format!("服务器回答 {status}：{url}"));
        }
        if resp.content_length().is_some_and(|l| l > MAX_ROOT_BYTES) {
            return Err(format!("服务器上的 {url} 过大，不是 root.json"));
        }
        let mut bytes = Vec::new();
        let mut resp = resp;
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| format!("从服务器下载根元数据中断（{e}）"))?
        {
            if bytes.len() as u64 + chunk.len() as u64 > MAX_ROOT_BYTES {
                return Err(format!("服务器上的 {url} 过大，不是 root.json"));
            }
            bytes.extend_from_slice(&chunk);
        }
        if root_fingerprint(&bytes) == code.root_fingerprint() {
            return Ok(Found {
                bytes,
                source: format!("服务器 {url}"),
            });
        }
        mismatched.push(format!("服务器 {url}"));
    }
    Err(format!(
        "服务器上 1 至 {MAX_ROOT_VERSIONS} 版根元数据都不相符"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sticks_are_looked_into_two_levels_down() {
        let d = tempfile::tempdir().unwrap();
        let media = d.path().join("media");
        for f in [
            "media/root.json",
            "media/STICK/gongkai/root.json",
            "media/user/LABEL/root.json",
            "media/user/LABEL/gongkai/metadata/1.root.json",
            "media/user/LABEL/gongkai/metadata/12.root.json",
            "media/user/LABEL/gongkai/metadata/2.targets.json",
            "media/a/b/c/root.json",
        ] {
            let p = d.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, b"{}").unwrap();
        }
        let found: Vec<String> = usb_candidates(&[media.clone(), d.path().join("none")])
            .into_iter()
            .filter(|p| p.exists())
            .map(|p| p.strip_prefix(d.path()).unwrap().display().to_string())
            .collect();
        assert_eq!(
            found,
            [
                "media/root.json",
                "media/STICK/gongkai/root.json",
                "media/user/LABEL/root.json",
                "media/user/LABEL/gongkai/metadata/12.root.json",
                "media/user/LABEL/gongkai/metadata/1.root.json",
            ]
        );
    }
}
