//! `county publish`: a checked content folder (and holiday calendars) into a
//! signed TUF 1.0 repository of static files — `metadata/` and `targets/`,
//! consistent snapshots, targets named as `disclosure::feed` lays them out.
//! Republishing writes only targets whose bytes changed.

use std::collections::BTreeMap;
use std::num::NonZeroU64;
use std::path::{Path, PathBuf};

use disclosure::feed;
use tough::editor::RepositoryEditor;
use tough::editor::signed::SignedRole;
use tough::schema::{
    Delegations, Hashes, KeyHolder, Metafile, Signed, Snapshot, Targets, Timestamp,
};

use crate::delegation::{DelegationError, VerifiedBundle, read_bundles};
use crate::keys::{KeyDir, KeyError, expiry, write_atomic};
pub use crate::targets::{TargetFiles, feed_targets, feed_targets_and_skipped};
use crate::targets::{TargetsError, sorted_files, target_of};

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error(transparent)]
    Targets(#[from] TargetsError),
    #[error("{path}：{source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Keys(#[from] KeyError),
    #[error("签名或写入仓库失败：{0}")]
    Tuf(Box<tough::error::Error>),
    #[error("{0}")]
    TargetName(String),
    #[error("仓库 {0} 中的元数据无法读取：{1}")]
    BadMetadata(PathBuf, String),
    #[error(transparent)]
    Delegation(#[from] DelegationError),
    #[error(
        "{region} 已自行发布过（第 {version} 版），这次却没有它的签名包；请把签名包放入 --delegated 指定的文件夹，或先 county keys undelegate --region {region}"
    )]
    MissingBundle { region: String, version: u64 },
    #[error("自行签名的内容与县里的内容合在一起有错误，未发布：\n{0}")]
    Combined(disclosure::import::ImportErrors),
    #[error("{region} 的签名包是第 {version} 版，{problem}；请乡镇用 --version {next} 重新签名")]
    RegionVersion {
        region: String,
        version: u64,
        problem: String,
        next: u64,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> PublishError + '_ {
    move |source| PublishError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// What to publish and how long the signatures hold (also the arguments
/// of `county publish`).
#[derive(Debug, Clone, clap::Args)]
pub struct PublishOptions {
    /// 内容文件夹（如 assets/demo）
    #[arg(long)]
    pub content: PathBuf,
    /// 节假日安排文件夹（YYYY.toml）
    #[arg(long)]
    pub calendars: Option<PathBuf>,
    /// 密钥文件夹（county keys init 创建）
    #[arg(long)]
    pub keys: PathBuf,
    /// 仓库文件夹（metadata/ 与 targets/；没有时创建）
    #[arg(long)]
    pub repo: PathBuf,
    /// targets 元数据有效天数
    #[arg(long, default_value_t = 90)]
    pub targets_days: i64,
    /// snapshot 元数据有效天数
    #[arg(long, default_value_t = 30)]
    pub snapshot_days: i64,
    /// timestamp 元数据有效天数（终端离线超过此期限、或 U 盘内容过旧，将拒绝更新）
    #[arg(long, default_value_t = 14)]
    pub timestamp_days: i64,
    /// 乡镇、村自行签名的内容包所在文件夹（每个子文件夹放一个 county township publish
    /// 生成的签名包）；已授权地区的内容以签名包为准，内容文件夹中这些地区的条目不再发布
    #[arg(long)]
    pub delegated: Option<PathBuf>,
}

/// What a publish did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishReport {
    pub version: u64,
    pub targets: usize,
    /// Target files written this time (the others were unchanged).
    pub written: usize,
    pub written_bytes: u64,
    pub total_bytes: u64,
    /// Regions published from their own signed bundles: (code, bundle version, targets).
    pub delegated: Vec<(String, u64, usize)>,
    /// Targets of the content folder left out because a bundle covers their region.
    pub left_to_regions: usize,
    /// Bundle folders skipped because their region is no longer delegated.
    pub skipped_bundles: Vec<PathBuf>,
    /// The root version signed to replace a root whose expiry had a
    /// fraction of a second (written by an older `county`).
    pub conformed_root: Option<u64>,
    /// Files of the content folder not published because the content
    /// format does not define them (each named, with why).
    pub skipped_files: Vec<disclosure::import::ImportError>,
}

/// The version of the last publish in `repo` (0 when none).
pub fn published_version(repo: &Path) -> Result<u64, PublishError> {
    let p = repo.join("metadata").join("timestamp.json");
    if !p.exists() {
        return Ok(0);
    }
    let bytes = std::fs::read(&p).map_err(io(&p))?;
    let v: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| PublishError::BadMetadata(p.clone(), e.to_string()))?;
    v["signed"]["version"]
        .as_u64()
        .ok_or_else(|| PublishError::BadMetadata(p, "没有 version".into()))
}

/// Publishes the folder as the next version of the repository.
pub async fn publish(opts: &PublishOptions) -> Result<PublishReport, PublishError> {
    let (targets, skipped) = feed_targets_and_skipped(&opts.content, opts.calendars.as_deref())?;
    let mut report = publish_targets(opts, &targets).await?;
    report.skipped_files = skipped;
    Ok(report)
}

/// Signs `targets` as the next version of the repository at `opts.repo`.
pub async fn publish_targets(
    opts: &PublishOptions,
    targets: &TargetFiles,
) -> Result<PublishReport, PublishError> {
    let keys = KeyDir::new(&opts.keys);
    let metadata = opts.repo.join("metadata");
    let target_dir = opts.repo.join("targets");
    for d in [&metadata, &target_dir] {
        std::fs::create_dir_all(d).map_err(io(d))?;
    }
    let previous = published_version(&opts.repo)?;
    let version = previous + 1;
    // Every name a terminal will accept, or no publish at all.
    for name in targets.keys() {
        disclosure::feed::target_relative_path(name).map_err(PublishError::TargetName)?;
    }
    // Regions that sign their own items: their bundles replace the
    // content folder's targets for those regions.
    let (bundles, skipped_bundles) = match &opts.delegated {
        Some(dir) => read_bundles(dir, &keys.delegations()?, expiry(opts.timestamp_days))?,
        None => (Vec::new(), Vec::new()),
    };
    for s in &skipped_bundles {
        tracing::warn!(bundle = %s.display(), "bundle of a region no longer delegated, skipped");
    }
    check_bundle_versions(&opts.repo, &bundles)?;
    // A region that has published its own metadata must keep doing so:
    // terminals would otherwise fall back to the county's rows unnoticed.
    for d in keys.delegations()? {
        if bundles.iter().any(|b| b.delegation.region == d.region) {
            continue;
        }
        if let Some((version, _)) = highest_published_role(&opts.repo, &d.role())? {
            return Err(PublishError::MissingBundle {
                region: d.region.clone(),
                version,
            });
        }
    }
    let covered = |name: &str| {
        bundles
            .iter()
            .any(|b| feed::target_is_within(name, &b.delegation.region()))
    };
    let county_targets: BTreeMap<&String, &Vec<u8>> =
        targets.iter().filter(|(n, _)| !covered(n)).collect();
    check_with_bundles(&opts.repo, &county_targets, &bundles)?;
    let left_to_regions = targets.len() - county_targets.len();
    let delegated_files = bundles.iter().flat_map(|b| b.files.iter());
    let shards = county_targets
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .chain(
            delegated_files
                .clone()
                .map(|(n, b)| (n.as_str(), b.as_slice())),
        );
    let delta = catalog_delta(&opts.repo, previous, version, shards)?;
    let county_all = county_targets
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .chain(delta.as_ref().map(|(n, b)| (n.as_str(), b.as_slice())));
    let count = county_targets.len()
        + usize::from(delta.is_some())
        + bundles.iter().map(|b| b.files.len()).sum::<usize>();
    let v = NonZeroU64::new(version).expect("at least 1");
    let conformed_root = keys.conform_root().await?;
    let mut editor = RepositoryEditor::new(keys.root_path()).await?;
    if !bundles.is_empty() {
        // The county's targets delegate each region to its keys, carrying
        // the region's metadata exactly as the region signed it.
        let mut top = Targets::new("1.0.0".to_string(), v, expiry(opts.targets_days));
        let mut delegations = Delegations::new();
        for b in &bundles {
            let (role, keys) = b.delegation.delegated_role(Some(b.signed.clone()))?;
            delegations.keys.extend(keys.keys);
            delegations.roles.push(role);
        }
        top.delegations = Some(delegations);
        editor.targets(Signed {
            signed: top,
            signatures: Vec::new(),
        })?;
    }
    editor
        .targets_version(v)?
        .targets_expires(expiry(opts.targets_days))?
        .snapshot_version(v)
        .snapshot_expires(expiry(opts.snapshot_days))
        .timestamp_version(v)
        .timestamp_expires(expiry(opts.timestamp_days));
    let mut total_bytes = 0;
    let mut missing = Vec::new();
    for (name, bytes) in county_all {
        let target = target_of(bytes);
        let hash = disclosure::feed::hex(&target.hashes.sha256);
        total_bytes += bytes.len() as u64;
        let file = target_dir.join(format!("{hash}.{name}"));
        if !file.exists() {
            missing.push((file, bytes));
        }
        editor.add_target(name, target)?;
    }
    // The regions' files, under the names their metadata signed.
    for (name, bytes) in delegated_files {
        total_bytes += bytes.len() as u64;
        let file = target_dir.join(format!("{}.{name}", feed::sha256_hex(bytes)));
        if !file.exists() {
            missing.push((file, bytes.as_slice()));
        }
    }
    let signed = editor.sign(&keys.key_sources()?).await?;
    // Targets first, then metadata: a client that sees the new timestamp
    // finds every file it names.
    let mut written_bytes = 0;
    for (file, bytes) in &missing {
        write_atomic(file, bytes)?;
        written_bytes += bytes.len() as u64;
    }
    // Every root version, so devices provisioned with an older one can
    // follow rotations (TUF 5.3).
    if keys.roots_dir().exists() {
        for f in sorted_files(&keys.roots_dir())? {
            let to = metadata.join(f.file_name().expect("files have names"));
            let bytes = std::fs::read(&f).map_err(io(&f))?;
            write_atomic(&to, &bytes)?;
        }
    }
    let staging = opts.repo.join(".metadata-staging");
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(io(&staging))?;
    }
    std::fs::create_dir_all(&staging).map_err(io(&staging))?;
    signed.write(&staging).await?;
    finish_snapshot(&staging, &metadata, &keys, previous, version, &bundles).await?;
    // Versioned files (N.root, N.targets, N.snapshot) before timestamp.json,
    // which is what clients read first.
    let mut files = sorted_files(&staging)?;
    files.sort_by_key(|f| f.file_name().is_some_and(|n| n == "timestamp.json"));
    for f in files {
        let to = metadata.join(f.file_name().expect("files have names"));
        let bytes = std::fs::read(&f).map_err(io(&f))?;
        write_atomic(&to, &bytes)?;
    }
    std::fs::remove_dir_all(&staging).map_err(io(&staging))?;
    tracing::info!(
        version,
        targets = count,
        written = missing.len(),
        "published"
    );
    Ok(PublishReport {
        version,
        targets: count,
        written: missing.len(),
        written_bytes,
        total_bytes,
        delegated: bundles
            .iter()
            .map(|b| (b.delegation.region.clone(), b.version(), b.files.len()))
            .collect(),
        left_to_regions,
        skipped_bundles,
        conformed_root,
        skipped_files: Vec::new(),
    })
}

/// The version a region's metadata had in the last publish, from its
/// snapshot, with that metadata.
fn published_role(
    repo: &Path,
    previous: u64,
    role: &str,
) -> Result<Option<(u64, Signed<Targets>)>, PublishError> {
    let snap = repo
        .join("metadata")
        .join(format!("{previous}.snapshot.json"));
    if previous == 0 || !snap.exists() {
        return Ok(None);
    }
    let v: serde_json::Value = read_metadata(&snap)?;
    let Some(version) = v["signed"]["meta"][format!("{role}.json")]["version"].as_u64() else {
        return Ok(None);
    };
    let file = repo.join("metadata").join(format!("{version}.{role}.json"));
    Ok(Some((version, read_metadata(&file)?)))
}

/// A metadata file parsed as `T` (a signed role, or JSON to look into).
fn read_metadata<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, PublishError> {
    let bytes = std::fs::read(path).map_err(io(path))?;
    serde_json::from_slice(&bytes)
        .map_err(|e| PublishError::BadMetadata(path.to_path_buf(), e.to_string()))
}

/// The highest version of a region's metadata ever published here, with
/// that metadata — also across publishes where the region was not
/// delegated, so a gap cannot be used to roll a region back.
fn highest_published_role(
    repo: &Path,
    role: &str,
) -> Result<Option<(u64, Signed<Targets>)>, PublishError> {
    let meta = repo.join("metadata");
    let suffix = format!(".{role}.json");
    let highest = std::fs::read_dir(&meta)
        .map_err(io(&meta))?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            e.file_name()
                .to_str()?
                .strip_suffix(&suffix)?
                .parse::<u64>()
                .ok()
        })
        .max();
    let Some(version) = highest else {
        return Ok(None);
    };
    Ok(Some((
        version,
        read_metadata(&meta.join(format!("{version}{suffix}")))?,
    )))
}

/// A region's bundle may not go back to an older version (terminals would
/// refuse it as a rollback), nor change under the same version number.
fn check_bundle_versions(repo: &Path, bundles: &[VerifiedBundle]) -> Result<(), PublishError> {
    for b in bundles {
        let Some((old, old_meta)) = highest_published_role(repo, &b.delegation.role())? else {
            continue;
        };
        let problem = if b.version() < old {
            format!("比已发布的第 {old} 版旧")
        } else if b.version() == old && old_meta.signed != b.signed.signed {
            format!("内容与已发布的第 {old} 版不同，版本号却没有增加")
        } else {
            continue;
        };
        return Err(PublishError::RegionVersion {
            region: b.delegation.region.clone(),
            version: b.version(),
            problem,
            next: old + 1,
        });
    }
    Ok(())
}

/// Imports the county's targets and every bundle together, as a terminal
/// will: a shard of a region the county does not list, an item both the
/// county and a township publish, or a malformed file stops the publish
/// instead of every terminal's sync.
fn check_with_bundles(
    repo: &Path,
    county: &BTreeMap<&String, &Vec<u8>>,
    bundles: &[VerifiedBundle],
) -> Result<(), PublishError> {
    if bundles.is_empty() || !county.keys().any(|n| *n == "regions.csv") {
        return Ok(());
    }
    let staging = repo.join(".region-check");
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(io(&staging))?;
    }
    let files = county
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .chain(
            bundles
                .iter()
                .flat_map(|b| b.files.iter().map(|(n, b)| (n.as_str(), b.as_slice()))),
        );
    for (name, bytes) in files {
        if name.starts_with("calendars-") || disclosure::feed::delta::is_delta_name(name) {
            continue;
        }
        let path =
            staging.join(feed::target_relative_path(name).map_err(PublishError::TargetName)?);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io(dir))?;
        }
        std::fs::write(&path, bytes).map_err(io(&path))?;
    }
    // Read as a terminal reads a feed: shards only, no stray file.
    let loaded = disclosure::import::load_feed_dir(&staging, disclosure::Date::today_in_china());
    std::fs::remove_dir_all(&staging).map_err(io(&staging))?;
    loaded
        .map(|_| ())
        .map_err(|e| PublishError::Combined(disclosure::import::ImportErrors(e)))
}

/// A snapshot or timestamp entry for a metadata file's bytes.
pub fn metafile(bytes: &[u8], version: u64) -> Metafile {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes);
    Metafile {
        length: Some(bytes.len() as u64),
        hashes: Some(Hashes {
            sha256: digest.as_ref().to_vec().into(),
            _extra: Default::default(),
        }),
        version: NonZeroU64::new(version).expect("versions start at 1"),
        _extra: Default::default(),
    }
}

/// Re-signs the snapshot and timestamp tough wrote to `staging` so that
/// (1) a region's metadata is published byte for byte as the region wrote
/// it, and a version already published keeps its bytes (tough re-serialises
/// in hash-map order, which would change a published file); and (2) every
/// role the previous snapshot listed stays listed — TUF clients refuse a
/// snapshot that drops one (§5.5.5), so a region whose delegation was taken
/// back stays as a tombstone entry (its last version; no longer delegated,
/// so never loaded).
async fn finish_snapshot(
    staging: &Path,
    metadata: &Path,
    keys: &KeyDir,
    previous: u64,
    version: u64,
    bundles: &[VerifiedBundle],
) -> Result<(), PublishError> {
    let snap_file = staging.join(format!("{version}.snapshot.json"));
    let mut snapshot: Signed<Snapshot> = read_metadata(&snap_file)?;
    for b in bundles {
        let file = format!("{}.{}.json", b.version(), b.delegation.role());
        let published = metadata.join(&file);
        let bytes = if published.exists() {
            std::fs::read(&published).map_err(io(&published))?
        } else {
            b.metadata.clone()
        };
        write_atomic(&staging.join(&file), &bytes)?;
        snapshot.signed.meta.insert(
            format!("{}.json", b.delegation.role()),
            metafile(&bytes, b.version()),
        );
    }
    let old_file = metadata.join(format!("{previous}.snapshot.json"));
    if previous > 0 && old_file.exists() {
        let old: Signed<Snapshot> = read_metadata(&old_file)?;
        for (name, meta) in old.signed.meta {
            snapshot.signed.meta.entry(name).or_insert(meta);
        }
    }
    let root = KeyHolder::Root(keys.root()?.signed);
    let sources = keys.key_sources()?;
    let rng = aws_lc_rs::rand::SystemRandom::new();
    let snapshot = SignedRole::new(snapshot.signed, &root, &sources, &rng).await?;
    write_atomic(&snap_file, snapshot.buffer())?;
    let ts_file = staging.join("timestamp.json");
    let mut timestamp: Signed<Timestamp> = read_metadata(&ts_file)?;
    timestamp
        .signed
        .meta
        .insert("snapshot.json".into(), metafile(snapshot.buffer(), version));
    let timestamp = SignedRole::new(timestamp.signed, &root, &sources, &rng).await?;
    write_atomic(&ts_file, timestamp.buffer())?;
    Ok(())
}

/// The delta from version `previous`'s catalog shards to these, as a
/// target (`deltas-<previous>-<version>.json`), when any shard changed.
fn catalog_delta<'a>(
    repo: &Path,
    previous: u64,
    version: u64,
    targets: impl Iterator<Item = (&'a str, &'a [u8])>,
) -> Result<Option<(String, Vec<u8>)>, PublishError> {
    use disclosure::feed::delta::{CatalogDelta, DELTA_FORMAT, delta_target_name, shard_delta};
    let meta = repo
        .join("metadata")
        .join(format!("{previous}.targets.json"));
    if previous == 0 || !meta.exists() {
        return Ok(None);
    }
    // The previous version's shard hashes: the county's and each region's.
    let old: serde_json::Value = read_metadata(&meta)?;
    let mut old_hashes: BTreeMap<String, String> = BTreeMap::new();
    let mut roles = vec![old["signed"].clone()];
    for role in old["signed"]["delegations"]["roles"]
        .as_array()
        .into_iter()
        .flatten()
    {
        if let Some(name) = role["name"].as_str()
            && let Ok(Some((_, signed))) = published_role(repo, previous, name)
        {
            roles.push(serde_json::to_value(&signed.signed).expect("metadata serializes"));
        }
    }
    for r in &roles {
        for (name, t) in r["targets"].as_object().into_iter().flatten() {
            if let Some(h) = t["hashes"]["sha256"].as_str() {
                old_hashes.insert(name.clone(), h.to_string());
            }
        }
    }
    let mut shards = Vec::new();
    for (name, new) in targets.filter(|(n, _)| n.starts_with("catalog-")) {
        let Some(old_hash) = old_hashes.get(name) else {
            continue;
        };
        let base_file = repo.join("targets").join(format!("{old_hash}.{name}"));
        let Ok(base) = std::fs::read(&base_file) else {
            continue;
        };
        if base != new
            && let Some(d) = shard_delta(name, &base, new)
        {
            shards.push(d);
        }
    }
    if shards.is_empty() {
        return Ok(None);
    }
    let delta = CatalogDelta {
        format: DELTA_FORMAT.to_string(),
        shards,
    };
    let mut bytes = serde_json::to_vec(&delta).expect("deltas serialize");
    bytes.push(b'\n');
    Ok(Some((delta_target_name(previous, version), bytes)))
}

impl From<tough::error::Error> for PublishError {
    fn from(e: tough::error::Error) -> Self {
        PublishError::Tuf(Box::new(e))
    }
}
