//! Townships and villages that publish their own items: the county's
//! delegations (whose key may sign which region's targets), the bundle a
//! township signs with `county township publish`, and the checks a bundle
//! passes before `county publish` puts it into the repository.
//!
//! ```text
//! county key folder     delegations.json            regions delegated and their public keys
//! township key folder   region-<code>.pk8           the township's private key (0600)
//!                       region-<code>.pub.json      its public key, handed to the county
//!                       region-<code>.version       the last version it signed
//! bundle folder         region-<code>.json          targets metadata signed by the township
//!                       targets/<sha256>.<name>     the files it names
//! ```
//!
//! A delegation covers a township or village and every region under it
//! (`catalog-<code>*`, `documents-<code>*`, …); delegations never overlap,
//! so each target has exactly one signer. regions.csv, calendars and
//! deltas stay the county's.

use std::collections::BTreeMap;
use std::num::NonZeroU64;
use std::path::{Path, PathBuf};

use disclosure::feed;
use disclosure::{RegionCode, RegionLevel};
use serde::{Deserialize, Serialize};
use tough::editor::targets::TargetsEditor;
use tough::key_source::{KeySource, LocalKeySource};
use tough::schema::key::Key;
use tough::schema::{DelegatedRole, Delegations, PathPattern, PathSet, Signed, Targets};

use crate::keys::{KeyDir, KeyError, expiry, write_atomic, write_private};
use crate::targets::{TargetsError, feed_targets, target_of};

#[derive(Debug, thiserror::Error)]
pub enum DelegationError {
    #[error(transparent)]
    Keys(#[from] KeyError),
    #[error("{path}：{source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0} 是县级代码：县级内容由县里的 targets 密钥签名，不能授权")]
    CountyLevel(RegionCode),
    #[error(
        "{region} 与已授权的 {other} 范围重叠（上下级只能授权一方）；请先 county keys undelegate --region {other}"
    )]
    Overlap {
        region: RegionCode,
        other: RegionCode,
    },
    #[error("所需签名数 {threshold} 不能大于公钥数 {keys}，也不能为 0（同一公钥只算一把）")]
    Threshold { threshold: u64, keys: usize },
    #[error("公钥文件 {path} 无法读取：{message}")]
    BadPublicKey { path: PathBuf, message: String },
    #[error("{0} 已有密钥；更换密钥请先把旧文件移走，并请县里重新授权")]
    KeyExists(PathBuf),
    #[error("{0} 中没有签名包（region-<代码>.json）")]
    NoBundle(PathBuf),
    #[error(
        "签名包 {path} 属于 {region}，但 {region} 未获授权；县里须先运行 county keys delegate --region {region}"
    )]
    NotDelegated { path: PathBuf, region: RegionCode },
    #[error("签名包 {path} 无效：{message}")]
    BadBundle { path: PathBuf, message: String },
    #[error("{region} 的内容有错误：\n{errors}")]
    Content {
        region: RegionCode,
        errors: disclosure::import::ImportErrors,
    },
    #[error(transparent)]
    Targets(#[from] TargetsError),
    #[error("签名失败：{0}")]
    Tuf(Box<tough::error::Error>),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> DelegationError + '_ {
    move |source| DelegationError::Io {
        path: path.to_path_buf(),
        source,
    }
}

impl From<tough::error::Error> for DelegationError {
    fn from(e: tough::error::Error) -> Self {
        DelegationError::Tuf(Box::new(e))
    }
}

/// The TUF role name of a region's delegation.
pub fn role_name(region: &RegionCode) -> String {
    format!("region-{region}")
}

/// The region a role name stands for.
fn region_of_role(role: &str) -> Option<RegionCode> {
    role.strip_prefix("region-")?.parse().ok()
}

/// One region the county lets sign its own targets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delegation {
    /// The 行政区划代码 (a township or village; the regions under it too).
    pub region: String,
    /// Signatures a bundle needs.
    pub threshold: NonZeroU64,
    /// The public keys that may sign.
    pub keys: Vec<Key>,
}

impl Delegation {
    pub fn region(&self) -> RegionCode {
        self.region.parse().expect("checked when delegated")
    }

    pub fn role(&self) -> String {
        role_name(&self.region())
    }

    /// The role as the county's targets metadata lists it, with the
    /// township's signed metadata attached.
    pub fn delegated_role(
        &self,
        signed: Option<Signed<Targets>>,
    ) -> Result<(DelegatedRole, Delegations), DelegationError> {
        let mut keys = Delegations::new();
        let mut keyids = Vec::new();
        for k in &self.keys {
            let id = k.key_id().map_err(KeyError::from)?;
            keyids.push(id.clone());
            keys.keys.insert(id, k.clone());
        }
        let paths = feed::region_path_patterns(&self.region())
            .into_iter()
            .map(|p| PathPattern::new(p).expect("our patterns are valid globs"))
            .collect();
        let role = DelegatedRole {
            name: self.role(),
            keyids,
            threshold: self.threshold,
            paths: PathSet::Paths(paths),
            terminating: true,
            targets: signed,
        };
        keys.roles.push(role.clone());
        Ok((role, keys))
    }
}

impl KeyDir {
    fn delegations_path(&self) -> PathBuf {
        self.path().join("delegations.json")
    }

    /// The regions delegated so far, by code.
    pub fn delegations(&self) -> Result<Vec<Delegation>, DelegationError> {
        let p = self.delegations_path();
        if !p.exists() {
            return Ok(Vec::new());
        }
        let bytes = std::fs::read(&p).map_err(io(&p))?;
        let list: Vec<Delegation> =
            serde_json::from_slice(&bytes).map_err(|e| DelegationError::BadBundle {
                path: p.clone(),
                message: e.to_string(),
            })?;
        for d in &list {
            if d.region.parse::<RegionCode>().is_err() {
                return Err(DelegationError::BadBundle {
                    path: p.clone(),
                    message: format!("行政区划代码“{}”无效", d.region),
                });
            }
        }
        Ok(list)
    }

    fn write_delegations(&self, list: &[Delegation]) -> Result<(), DelegationError> {
        let mut bytes = serde_json::to_vec_pretty(list).expect("delegations serialize");
        bytes.push(b'\n');
        Ok(write_atomic(&self.delegations_path(), &bytes)?)
    }

    /// Lets `keys` sign `region`'s targets (and the regions under it);
    /// replaces the keys of a region already delegated.
    pub fn delegate(
        &self,
        region: &RegionCode,
        keys: Vec<Key>,
        threshold: u64,
    ) -> Result<Delegation, DelegationError> {
        self.root()?;
        if region.level() == RegionLevel::County {
            return Err(DelegationError::CountyLevel(region.clone()));
        }
        // The same public key given twice is one key.
        let mut ids = std::collections::HashSet::new();
        let mut unique = Vec::new();
        for k in keys {
            if ids.insert(feed::hex(k.key_id().map_err(KeyError::from)?.as_ref())) {
                unique.push(k);
            }
        }
        let keys = unique;
        let threshold = NonZeroU64::new(threshold)
            .filter(|t| t.get() <= keys.len() as u64)
            .ok_or(DelegationError::Threshold {
                threshold,
                keys: keys.len(),
            })?;
        let mut list = self.delegations()?;
        if let Some(other) = list
            .iter()
            .map(Delegation::region)
            .find(|o| o != region && (o.is_within(region) || region.is_within(o)))
        {
            return Err(DelegationError::Overlap {
                region: region.clone(),
                other,
            });
        }
        list.retain(|d| d.region() != *region);
        let d = Delegation {
            region: region.to_string(),
            threshold,
            keys,
        };
        list.push(d.clone());
        list.sort_by(|a, b| a.region.cmp(&b.region));
        self.write_delegations(&list)?;
        Ok(d)
    }

    /// Takes a region's delegation back: the county signs its items again.
    pub fn undelegate(&self, region: &RegionCode) -> Result<bool, DelegationError> {
        let mut list = self.delegations()?;
        let before = list.len();
        list.retain(|d| d.region() != *region);
        if list.len() == before {
            return Ok(false);
        }
        self.write_delegations(&list)?;
        Ok(true)
    }
}

/// Reads a public key file written by `county township keys`.
pub fn read_public_key(path: &Path) -> Result<Key, DelegationError> {
    let bytes = std::fs::read(path).map_err(io(path))?;
    serde_json::from_slice(&bytes).map_err(|e| DelegationError::BadPublicKey {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

/// A township's key files.
#[derive(Debug, Clone)]
pub struct TownshipKeys {
    pub private: PathBuf,
    pub public: PathBuf,
    pub key_id: String,
}

fn township_paths(dir: &Path, region: &RegionCode) -> (PathBuf, PathBuf, PathBuf) {
    let base = role_name(region);
    (
        dir.join(format!("{base}.pk8")),
        dir.join(format!("{base}.pub.json")),
        dir.join(format!("{base}.version")),
    )
}

/// Creates a township's (or village's) Ed25519 key in `dir`.
pub fn township_keys(dir: &Path, region: &RegionCode) -> Result<TownshipKeys, DelegationError> {
    use aws_lc_rs::signature::Ed25519KeyPair;
    if region.level() == RegionLevel::County {
        return Err(DelegationError::CountyLevel(region.clone()));
    }
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let (private, public, _) = township_paths(dir, region);
    if private.exists() {
        return Err(DelegationError::KeyExists(private));
    }
    let doc = Ed25519KeyPair::generate_pkcs8(&aws_lc_rs::rand::SystemRandom::new())
        .map_err(|_| KeyError::Generate)?;
    write_private(&private, doc.as_ref())?;
    let key = {
        use tough::sign::Sign;
        tough::sign::parse_keypair(doc.as_ref())
            .map_err(KeyError::from)?
            .tuf_key()
    };
    let key_id = feed::hex(key.key_id().map_err(KeyError::from)?.as_ref());
    let mut bytes = serde_json::to_vec_pretty(&key).expect("keys serialize");
    bytes.push(b'\n');
    write_atomic(&public, &bytes)?;
    Ok(TownshipKeys {
        private,
        public,
        key_id,
    })
}

/// What `county township publish` signs (also its arguments).
#[derive(Debug, Clone, clap::Args)]
pub struct TownshipPublishOptions {
    /// 本乡镇（或村）的行政区划代码
    #[arg(long)]
    pub region: String,
    /// 本乡镇的密钥文件夹（county township keys 创建）
    #[arg(long)]
    pub keys: PathBuf,
    /// 本乡镇的内容文件夹（与县级相同的结构，含 regions.csv）
    #[arg(long)]
    pub content: PathBuf,
    /// 签名包输出文件夹（交给县里，放入 county publish --delegated 的文件夹）
    #[arg(long)]
    pub out: PathBuf,
    /// 签名有效天数（县里发布时要求签名至少还有 timestamp 有效期那么长——默认 14 天——否则拒绝发布，请提前重新签名）
    #[arg(long, default_value_t = 180)]
    pub days: i64,
    /// 指定版本号（默认在上次的基础上加 1）
    #[arg(long)]
    pub version: Option<u64>,
}

/// What a township publish signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleReport {
    pub version: u64,
    pub targets: usize,
    pub bytes: u64,
    pub expires: jiff::Timestamp,
}

/// Signs a township's content folder into a bundle for the county.
pub async fn township_publish(
    opts: &TownshipPublishOptions,
) -> Result<BundleReport, DelegationError> {
    let region = opts
        .region
        .parse::<RegionCode>()
        .map_err(|e| DelegationError::BadBundle {
            path: opts.content.clone(),
            message: e.to_string(),
        })?;
    let (private, _, version_file) = township_paths(&opts.keys, &region);
    if !private.exists() {
        return Err(DelegationError::Keys(KeyError::Io {
            path: private,
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "没有本乡镇的私钥；请先运行 county township keys",
            ),
        }));
    }
    let mut targets = feed_targets(&opts.content, None)?;
    targets.remove("regions.csv");
    let foreign: Vec<&String> = targets
        .keys()
        .filter(|n| !feed::target_is_within(n, &region))
        .collect();
    if let Some(first) = foreign.first() {
        return Err(DelegationError::BadBundle {
            path: opts.content.clone(),
            message: format!(
                "有 {} 个文件不属于 {region} 及其下级（如 {first}）；只能签名本地区的内容",
                foreign.len()
            ),
        });
    }
    let role = role_name(&region);
    let previous = [
        std::fs::read_to_string(&version_file)
            .ok()
            .and_then(|s| s.trim().parse::<u64>().ok()),
        read_bundle_version(&opts.out.join(format!("{role}.json"))),
    ]
    .into_iter()
    .flatten()
    .max()
    .unwrap_or(0);
    let version = opts.version.unwrap_or(previous + 1);
    let v = NonZeroU64::new(version).ok_or_else(|| DelegationError::BadBundle {
        path: opts.out.clone(),
        message: "版本号必须大于 0".into(),
    })?;
    let expires = expiry(opts.days);
    let mut editor = TargetsEditor::new(&role);
    editor.version(v).expires(expires);
    let target_dir = opts.out.join("targets");
    std::fs::create_dir_all(&target_dir).map_err(io(&target_dir))?;
    let mut keep = std::collections::HashSet::new();
    let mut bytes_total = 0;
    for (name, bytes) in &targets {
        let target = target_of(bytes);
        let file = format!("{}.{name}", feed::hex(&target.hashes.sha256));
        let path = target_dir.join(&file);
        if !path.exists() {
            write_atomic(&path, bytes)?;
        }
        keep.insert(file);
        bytes_total += bytes.len() as u64;
        editor.add_target(name.as_str(), target)?;
    }
    let key: Box<dyn KeySource> = Box::new(LocalKeySource { path: private });
    let signed = editor.create_signed(&[key]).await?;
    let signed = Signed {
        signed: signed.signed.targets,
        signatures: signed.signatures,
    };
    let mut json = serde_json::to_vec_pretty(&signed).expect("metadata serializes");
    json.push(b'\n');
    // Files first, then the metadata that names them.
    write_atomic(&opts.out.join(format!("{role}.json")), &json)?;
    write_atomic(&version_file, format!("{version}\n").as_bytes())?;
    if let Ok(rd) = std::fs::read_dir(&target_dir) {
        for e in rd.flatten() {
            if !keep.contains(&*e.file_name().to_string_lossy()) {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    Ok(BundleReport {
        version,
        targets: targets.len(),
        bytes: bytes_total,
        expires,
    })
}

fn read_bundle_version(path: &Path) -> Option<u64> {
    let bytes = std::fs::read(path).ok()?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    v["signed"]["version"].as_u64()
}

/// A township's bundle that passed every check against its delegation.
#[derive(Debug, Clone)]
pub struct VerifiedBundle {
    pub delegation: Delegation,
    pub signed: Signed<Targets>,
    /// The metadata file as the region wrote it (published byte for byte).
    pub metadata: Vec<u8>,
    /// Target name → bytes, every one matching the signed hash and length.
    pub files: BTreeMap<String, Vec<u8>>,
    pub path: PathBuf,
}

impl VerifiedBundle {
    pub fn version(&self) -> u64 {
        self.signed.signed.version.get()
    }
}

/// Reads the bundle in `dir` and checks it: a delegated region, enough
/// valid signatures by the delegated keys, no further delegations, every
/// target inside the region's paths with a valid name, every file present
/// with the signed length and hash, and signatures valid until at least
/// `valid_until`.
pub fn read_bundle(
    dir: &Path,
    delegations: &[Delegation],
    valid_until: jiff::Timestamp,
) -> Result<VerifiedBundle, DelegationError> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io(dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("region-") && n.ends_with(".json"))
        })
        .collect();
    found.sort();
    let meta = found
        .first()
        .cloned()
        .ok_or_else(|| DelegationError::NoBundle(dir.to_path_buf()))?;
    let bad = |message: String| DelegationError::BadBundle {
        path: meta.clone(),
        message,
    };
    if found.len() > 1 {
        return Err(bad(format!(
            "同一文件夹中有 {} 个签名包；每个签名包应单独放在一个子文件夹中",
            found.len()
        )));
    }
    let role = meta
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_string();
    let region = region_of_role(&role).ok_or_else(|| bad(format!("“{role}”不是地区角色名")))?;
    let delegation = delegations
        .iter()
        .find(|d| d.region() == region)
        .ok_or_else(|| DelegationError::NotDelegated {
            path: meta.clone(),
            region: region.clone(),
        })?
        .clone();
    let bytes = std::fs::read(&meta).map_err(io(&meta))?;
    let signed: Signed<Targets> =
        serde_json::from_slice(&bytes).map_err(|e| bad(format!("不是 TUF targets 元数据：{e}")))?;
    let (_, keys) = delegation.delegated_role(None)?;
    keys.verify_role(&signed, &role).map_err(|e| {
        bad(format!(
            "签名无效或不足 {} 个（须由授权给 {region} 的密钥签名）：{e}",
            delegation.threshold
        ))
    })?;
    if signed
        .signed
        .delegations
        .as_ref()
        .is_some_and(|d| !d.roles.is_empty())
    {
        return Err(bad("不能再向下授权".into()));
    }
    if signed.signed.expires <= valid_until {
        return Err(bad(format!(
            "签名有效期至 {}，太短（终端需要至少到 {}）；请乡镇重新签名",
            china_date(signed.signed.expires),
            china_date(valid_until)
        )));
    }
    let mut files = BTreeMap::new();
    for (name, target) in &signed.signed.targets {
        let name = name.raw();
        feed::target_relative_path(name).map_err(&bad)?;
        if !feed::target_is_within(name, &region) {
            return Err(bad(format!(
                "{name} 超出授权范围（只能签名 {region} 及其下级的内容）"
            )));
        }
        let file = dir
            .join("targets")
            .join(format!("{}.{name}", feed::hex(&target.hashes.sha256)));
        let data = std::fs::read(&file).map_err(|_| bad(format!("缺少文件 {}", file.display())))?;
        if data.len() as u64 != target.length
            || feed::sha256_hex(&data) != feed::hex(&target.hashes.sha256)
        {
            return Err(bad(format!("{} 与签名的长度或哈希不符", file.display())));
        }
        files.insert(name.to_string(), data);
    }
    Ok(VerifiedBundle {
        delegation,
        signed,
        metadata: bytes,
        files,
        path: dir.to_path_buf(),
    })
}

fn china_date(t: jiff::Timestamp) -> String {
    t.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
        .strftime("%Y-%m-%d %H:%M")
        .to_string()
}

/// Every bundle in the subfolders of `dir` (or `dir` itself) whose region is
/// delegated; bundles of regions no longer delegated are skipped and named
/// in the second list.
pub fn read_bundles(
    dir: &Path,
    delegations: &[Delegation],
    valid_until: jiff::Timestamp,
) -> Result<(Vec<VerifiedBundle>, Vec<PathBuf>), DelegationError> {
    let mut folders = vec![dir.to_path_buf()];
    let mut subs: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io(dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir() && p.file_name().is_some_and(|n| n != "targets"))
        .collect();
    subs.sort();
    folders.extend(subs);
    let mut out: Vec<VerifiedBundle> = Vec::new();
    let mut skipped = Vec::new();
    for f in folders {
        match read_bundle(&f, delegations, valid_until) {
            Ok(b) => {
                if let Some(other) = out
                    .iter()
                    .find(|o| o.delegation.region == b.delegation.region)
                {
                    return Err(DelegationError::BadBundle {
                        path: f,
                        message: format!(
                            "{} 有两个签名包（另一个在 {}）；请删去较旧的一个后重新发布",
                            b.delegation.region,
                            other.path.display()
                        ),
                    });
                }
                out.push(b);
            }
            Err(DelegationError::NoBundle(_)) => {}
            Err(DelegationError::NotDelegated { .. }) => skipped.push(f),
            Err(e) => return Err(e),
        }
    }
    Ok((out, skipped))
}
