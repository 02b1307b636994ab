//! Content down: load and verify the county's TUF repository (over HTTP or
//! from a USB copy) against the root pinned at provisioning, fetch only the
//! targets not already held (a content-addressed cache) within a total
//! budget and a free-space reserve, and apply the version to `content.db`
//! in one transaction.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use disclosure::{ContentStore, FeedVersion};
use futures::TryStreamExt;
use tough::{Limits, Repository, RepositoryLoader, TargetName};

use crate::transport::FeedTransport;

#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    #[error("找不到预置的根元数据 {0}（终端安装时应放入县里的 root.json）")]
    RootMissing(PathBuf),
    #[error("{0}")]
    Tuf(Box<tough::error::Error>),
    #[error("{path}：{source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("仓库中的文件名不可用：{0}")]
    BadTargetName(String),
    #[error("内容有错误，未更新：\n{0}")]
    Content(disclosure::import::ImportErrors),
    #[error("{0}")]
    Store(#[from] disclosure::StoreError),
    #[error("另一次同步或 U 盘导入正在进行，请稍后再试")]
    Busy,
    #[error("U 盘上没有内容仓库（应有 metadata/ 和 targets/ 两个文件夹）：{0}")]
    NotARepository(PathBuf),
    #[error(
        "这次要存入 {needed} 字节，超过一次同步或导入的上限 {budget} 字节（sync.max_total_bytes），未存入任何内容文件"
    )]
    OverBudget { needed: u64, budget: u64 },
    #[error(
        "磁盘剩余 {free} 字节，存入 {needed} 字节后将少于须保留的 {reserve} 字节（sync.min_free_bytes，保证申请能够保存），未存入任何内容文件"
    )]
    DiskReserve {
        free: u64,
        needed: u64,
        reserve: u64,
    },
}

/// How much one sync or USB import may store in the state folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StorageLimits {
    /// Largest single file.
    pub max_file_bytes: u64,
    /// Most bytes added in all (metadata copied and targets fetched).
    pub max_total_bytes: u64,
    /// Free space to leave on the state folder's disk (requests.db lives
    /// there or nearby: an application must always be savable).
    pub min_free_bytes: u64,
}

impl StorageLimits {
    /// Refuses to store `needed` more bytes when `used` are already stored
    /// this time: over the budget, or eating into the free-space reserve.
    fn admit(&self, state_dir: &Path, used: u64, needed: u64) -> Result<(), FeedError> {
        let total = used.saturating_add(needed);
        if total > self.max_total_bytes {
            return Err(FeedError::OverBudget {
                needed: total,
                budget: self.max_total_bytes,
            });
        }
        let (free, _) = crate::disk_space(state_dir);
        if free < needed.saturating_add(self.min_free_bytes) {
            return Err(FeedError::DiskReserve {
                free,
                needed,
                reserve: self.min_free_bytes,
            });
        }
        Ok(())
    }
}

/// A folder removed when this goes out of scope, whatever happened.
struct RemovedOnDrop(PathBuf);

impl Drop for RemovedOnDrop {
    fn drop(&mut self) {
        if self.0.exists()
            && let Err(e) = std::fs::remove_dir_all(&self.0)
        {
            tracing::warn!(dir = %self.0.display(), error = %e, "could not remove");
        }
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> FeedError + '_ {
    move |source| FeedError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// What the technician reads: the cause in plain words.
pub fn plain_words(e: &FeedError) -> String {
    use tough::error::Error as T;
    match e {
        FeedError::Tuf(t) => match t.as_ref() {
            T::ExpiredMetadata { .. } => {
                "县里发布的内容签名已过期：请联系县政务公开办重新发布（或检查终端时钟）".into()
            }
            T::OlderMetadata { .. }
            | T::OlderSnapshotInTimestamp { .. }
            | T::SnapshotRoleRollback { .. } => {
                "收到的内容版本比终端已有的旧，已拒绝（可能是过期的副本或回滚攻击）".into()
            }
            T::VerifyMetadata { .. }
            | T::VerifyTrustedMetadata { .. }
            | T::VerifyRoleMetadata { .. } => {
                "内容签名校验失败：签名不对或不够，可能被篡改，已拒绝".into()
            }
            T::HashMismatch { .. } | T::MaxSizeExceeded { .. } => {
                "下载的文件与签名记录不符（内容不对或过大），已丢弃".into()
            }
            T::SystemTimeSteppedBackward { .. } => {
                "终端时钟比上次同步时还早：请校准时钟后再同步".into()
            }
            T::VersionMismatch { .. } => "元数据版本前后不一致（混用了不同版本），已拒绝".into(),
            T::SnapshotRoleMissing { .. } => {
                "县里新发布的内容少了终端已有的某个部分（可能是乡镇自行签名的内容），已拒绝；请联系县政务公开办".into()
            }
            T::InvalidPath { .. } => "乡镇或村签名的内容超出了县里授权的范围，已拒绝".into(),
            T::Transport { .. } => {
                // tough reports a wrong hash or length found while
                // streaming as a transport error; tell them apart.
                let text = t.to_string();
                if text.contains("Hash mismatch") || text.contains("Maximum size") {
                    "下载的文件与签名记录不符（内容不对或过大），已丢弃".into()
                } else {
                    format!("连不上县里的服务器或下载中断：{t}")
                }
            }
            other => format!("内容仓库校验失败：{other}"),
        },
        other => other.to_string(),
    }
}

/// Where the feed's local files are.
#[derive(Debug, Clone)]
pub struct FeedPaths {
    pub root: PathBuf,
    pub state_dir: PathBuf,
    pub content_db: PathBuf,
    pub calendar_dir: PathBuf,
}

impl FeedPaths {
    fn datastore(&self) -> PathBuf {
        self.state_dir.join("tuf")
    }
    fn cache(&self) -> PathBuf {
        self.state_dir.join("targets")
    }
    pub fn partial(&self) -> PathBuf {
        self.state_dir.join("partial")
    }
}

/// An exclusive lock on the state folder: the daemon, `once` and a USB
/// import never work on the cache and staging folder at the same time.
pub struct StateLock {
    _lock: nix::fcntl::Flock<std::fs::File>,
}

impl StateLock {
    /// Takes the lock, or says that another sync or import is running.
    pub fn take(state_dir: &Path) -> Result<StateLock, FeedError> {
        std::fs::create_dir_all(state_dir).map_err(io(state_dir))?;
        let p = state_dir.join("lock");
        let f = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&p)
            .map_err(io(&p))?;
        nix::fcntl::Flock::lock(f, nix::fcntl::FlockArg::LockExclusiveNonblock)
            .map(|l| StateLock { _lock: l })
            .map_err(|_| FeedError::Busy)
    }
}

/// What one sync did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedReport {
    pub version: u64,
    /// Whether `content.db` was written (false: it already held this version).
    pub applied: bool,
    pub targets: usize,
    /// Targets fetched (a delta counts as one).
    pub downloaded: usize,
    /// Catalog shards rebuilt from the cache and a delta instead.
    pub rebuilt: usize,
}

/// Loads and verifies the repository's metadata.
pub async fn load(
    paths: &FeedPaths,
    metadata_url: url::Url,
    targets_url: url::Url,
    transport: FeedTransport,
) -> Result<Repository, FeedError> {
    let root =
        std::fs::read(&paths.root).map_err(|_| FeedError::RootMissing(paths.root.clone()))?;
    let ds = paths.datastore();
    std::fs::create_dir_all(&ds).map_err(io(&ds))?;
    Ok(RepositoryLoader::new(&root, metadata_url, targets_url)
        .transport(transport)
        .datastore(ds)
        .limits(Limits {
            max_targets_size: 64 * 1024 * 1024,
            ..Limits::default()
        })
        .load()
        .await?)
}

/// Fetches the targets not yet in the cache and applies the version if
/// `content.db` does not hold it yet. Before anything is fetched, the
/// signed lengths of what is missing must fit `limits` (with `used` bytes
/// already stored by this import).
pub async fn fetch_and_apply(
    paths: &FeedPaths,
    repo: &Repository,
    limits: StorageLimits,
    used: u64,
) -> Result<FeedReport, FeedError> {
    let version = repo.targets().signed.version.get();
    let cache = paths.cache();
    std::fs::create_dir_all(&cache).map_err(io(&cache))?;
    // Check every name before anything is written.
    let mut wanted: Vec<(TargetName, PathBuf, String)> = Vec::new();
    let mut delta_target = None;
    let mut delta_bytes = 0;
    let mut missing_bytes: u64 = 0;
    let mut seen = HashSet::new();
    for (name, _) in repo.all_targets() {
        // A name listed by more than one role resolves as TUF says (the
        // county's own list first, then delegations in order), the same
        // way read_target finds it.
        if !seen.insert(name.raw()) {
            continue;
        }
        let target = repo
            .targets()
            .signed
            .find_target(name, false)
            .map_err(|e| FeedError::BadTargetName(format!("{}：{e}", name.raw())))?;
        if disclosure::feed::delta::is_delta_name(name.raw()) {
            delta_target = Some(name.clone());
            delta_bytes = target.length;
            continue;
        }
        let rel =
            disclosure::feed::target_relative_path(name.raw()).map_err(FeedError::BadTargetName)?;
        if !cache
            .join(disclosure::feed::hex(&target.hashes.sha256))
            .exists()
        {
            missing_bytes = missing_bytes.saturating_add(target.length);
        }
        wanted.push((
            name.clone(),
            rel,
            disclosure::feed::hex(&target.hashes.sha256),
        ));
    }
    let mut downloaded = 0;
    let mut rebuilt = 0;
    let missing_shards: Vec<&(TargetName, PathBuf, String)> = wanted
        .iter()
        .filter(|(n, _, sha)| n.raw().starts_with("catalog-") && !cache.join(sha).exists())
        .collect();
    // Everything this version could store, by its signed lengths, before
    // any of it is fetched: a feed or a stick cannot fill the disk.
    if !missing_shards.is_empty() && delta_target.is_some() {
        missing_bytes = missing_bytes.saturating_add(delta_bytes);
    }
    if missing_bytes > 0 {
        limits.admit(&paths.state_dir, used, missing_bytes)?;
    }
    if let (Some(delta_name), false) = (delta_target, missing_shards.is_empty()) {
        // Only worth it when some missing shard's previous version is here.
        match rebuild_from_delta(repo, &delta_name, &missing_shards, &cache).await {
            Ok(n) => {
                rebuilt = n;
                downloaded += 1;
            }
            // The shards themselves are still there to download.
            Err(e) => tracing::warn!(error = %e, "delta not used"),
        }
    }
    for (name, _, sha) in &wanted {
        let file = cache.join(sha);
        if file.exists() {
            continue;
        }
        let Some(stream) = repo.read_target(name).await? else {
            continue;
        };
        store_target(stream, &file).await?;
        downloaded += 1;
    }
    let current = {
        let db = paths.content_db.clone();
        tokio::task::spawn_blocking(move || -> Result<Option<FeedVersion>, FeedError> {
            if !db.exists() {
                return Ok(None);
            }
            Ok(ContentStore::open(&db)?.feed_version()?)
        })
        .await
        .expect("no panic")?
    };
    let applied = current != Some(FeedVersion(version));
    if applied {
        let paths2 = paths.clone();
        let wanted2: Vec<(PathBuf, String)> = wanted
            .iter()
            .map(|(_, rel, sha)| (rel.clone(), sha.clone()))
            .collect();
        tokio::task::spawn_blocking(move || apply(&paths2, &wanted2, version))
            .await
            .expect("no panic")?;
    }
    // Every target is here: no partial download is worth keeping.
    let _ = std::fs::remove_dir_all(paths.partial());
    // Drop cached targets this version no longer names.
    let keep: HashSet<&str> = wanted.iter().map(|(_, _, sha)| sha.as_str()).collect();
    if let Ok(rd) = std::fs::read_dir(&cache) {
        for e in rd.flatten() {
            let n = e.file_name().to_string_lossy().into_owned();
            if !keep.contains(n.as_str()) {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    Ok(FeedReport {
        version,
        applied,
        targets: wanted.len(),
        downloaded,
        rebuilt,
    })
}

/// Rebuilds missing catalog shards from cached ones and the version's delta
/// (verified by tough like any target); each rebuilt shard must hash to
/// what the signed metadata says, or it is left for a download.
async fn rebuild_from_delta(
    repo: &Repository,
    delta_name: &TargetName,
    missing: &[&(TargetName, PathBuf, String)],
    cache: &Path,
) -> Result<usize, FeedError> {
    use disclosure::feed::delta::{CatalogDelta, apply_delta};
    // Without any previous shard of those names here, the delta cannot help.
    let cached_any = std::fs::read_dir(cache)
        .map(|mut d| d.next().is_some())
        .unwrap_or(false);
    if !cached_any {
        return Ok(0);
    }
    let Some(stream) = repo.read_target(delta_name).await? else {
        return Ok(0);
    };
    let bytes: Vec<u8> = stream
        .try_fold(Vec::new(), |mut acc, b| {
            acc.extend_from_slice(&b);
            std::future::ready(Ok(acc))
        })
        .await?;
    let Ok(delta) = serde_json::from_slice::<CatalogDelta>(&bytes) else {
        tracing::warn!(delta = %delta_name.raw(), "unreadable delta ignored");
        return Ok(0);
    };
    let mut rebuilt = 0;
    for (name, _, sha) in missing {
        let Some(d) = delta
            .shards
            .iter()
            .find(|d| d.name == name.raw() && d.result == *sha)
        else {
            continue;
        };
        // A hash names a file in the cache, nothing else.
        if d.base.len() != 64 || !d.base.bytes().all(|b| b.is_ascii_hexdigit()) {
            continue;
        }
        let Ok(base) = std::fs::read(cache.join(&d.base)) else {
            continue;
        };
        if let Some(out) = apply_delta(&base, d) {
            write_synced(&cache.join(sha), &out)?;
            rebuilt += 1;
        }
    }
    Ok(rebuilt)
}

/// Writes a target as tough verifies it, chunk by chunk, to `path`: the
/// stream fails on a wrong hash or length (at its end at the latest), and
/// then nothing is kept.
async fn store_target(
    stream: impl futures::Stream<Item = Result<bytes::Bytes, tough::error::Error>>,
    path: &Path,
) -> Result<(), FeedError> {
    use tokio::io::AsyncWriteExt;
    let mut stream = std::pin::pin!(stream);
    let tmp = path.with_extension("tmp");
    let result = async {
        let mut f = tokio::fs::File::create(&tmp).await.map_err(io(&tmp))?;
        while let Some(chunk) = stream.try_next().await? {
            f.write_all(&chunk).await.map_err(io(&tmp))?;
        }
        f.sync_all().await.map_err(io(&tmp))?;
        drop(f);
        tokio::fs::rename(&tmp, path).await.map_err(io(path))
    }
    .await;
    if result.is_err() {
        let _ = tokio::fs::remove_file(&tmp).await;
    }
    result
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), FeedError> {
    use std::io::Write;
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::File::create(&tmp).map_err(io(&tmp))?;
    f.write_all(bytes).map_err(io(&tmp))?;
    f.sync_all().map_err(io(&tmp))?;
    std::fs::rename(&tmp, path).map_err(io(path))
}

/// Lays the verified targets out as a content folder, imports it and
/// replaces `content.db`'s content in one transaction; then the calendars.
fn apply(paths: &FeedPaths, wanted: &[(PathBuf, String)], version: u64) -> Result<(), FeedError> {
    let staging = paths.state_dir.join("staging");
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(io(&staging))?;
    }
    // Removed also when the import fails.
    let _staging = RemovedOnDrop(staging.clone());
    for (rel, sha) in wanted {
        let to = staging.join(rel);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        let from = paths.cache().join(sha);
        if std::fs::hard_link(&from, &to).is_err() {
            std::fs::copy(&from, &to).map_err(io(&from))?;
        }
    }
    if let Some(parent) = paths.content_db.parent() {
        std::fs::create_dir_all(parent).map_err(io(parent))?;
    }
    let first = !paths.content_db.exists();
    let mut store = ContentStore::open(&paths.content_db)?;
    // A feed's folder: catalog shards only, no file the format does not
    // define; read and written shard by shard in one transaction.
    let result = store.replace_from_feed_dir(
        &staging,
        disclosure::Date::today_in_china(),
        FeedVersion(version),
        // Calendars before the content's commit: once content.db holds
        // this version the round is not repeated, so they must already be
        // there. A calendar only adds known years; each file is replaced
        // whole.
        |_| write_calendars(&staging.join("calendars"), &paths.calendar_dir),
    );
    drop(store);
    if result.is_err() && first {
        // No content.db before, and still no content: none, as before.
        for suffix in ["", "-wal", "-shm"] {
            let mut p = paths.content_db.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
    }
    match result {
        Ok(_) => {}
        Err(disclosure::FeedDirError::Content(e)) => {
            return Err(FeedError::Content(disclosure::import::ImportErrors(e)));
        }
        Err(disclosure::FeedDirError::Store(e)) => return Err(e.into()),
        Err(disclosure::FeedDirError::BeforeCommit(e)) => return Err(e),
    }
    tracing::info!(version, "content applied");
    Ok(())
}

fn write_calendars(from: &Path, to: &Path) -> Result<(), FeedError> {
    if !from.exists() {
        return Ok(());
    }
    std::fs::create_dir_all(to).map_err(io(to))?;
    for e in std::fs::read_dir(from).map_err(io(from))?.flatten() {
        let bytes = std::fs::read(e.path()).map_err(io(&e.path()))?;
        write_synced(&to.join(e.file_name()), &bytes)?;
    }
    Ok(())
}

/// Whether `name` is a TUF metadata file this feed's repositories hold:
/// `timestamp.json`, `root.json`, or `<version>.<role>.json` for root,
/// snapshot, targets and the regions' roles (`region-<code>`).
fn is_metadata_name(name: &str) -> bool {
    if name == "timestamp.json" || name == "root.json" {
        return true;
    }
    let Some((version, rest)) = name.split_once('.') else {
        return false;
    };
    let Some(role) = rest.strip_suffix(".json") else {
        return false;
    };
    !version.is_empty()
        && version.len() <= 20
        && version.bytes().all(|b| b.is_ascii_digit())
        && (matches!(role, "root" | "snapshot" | "targets")
            || role.strip_prefix("region-").is_some_and(|code| {
                !code.is_empty() && code.len() <= 12 && code.bytes().all(|b| b.is_ascii_digit())
            }))
}

/// The metadata files a stick's timestamp leads to: the snapshot it names
/// and the role files that snapshot names (read without trusting them,
/// only to choose files; tough verifies everything copied).
fn named_by(meta: &serde_json::Value, key: &str) -> Vec<String> {
    meta["signed"]["meta"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(name, _)| key.is_empty() || name.as_str() == key)
        .filter_map(|(name, m)| {
            let role = name.strip_suffix(".json")?;
            Some(format!("{}.{role}.json", m["version"].as_u64()?))
        })
        .collect()
}

/// `sync-agent import DIR`: copies the stick's metadata to local storage
/// and verifies it against the pinned root; then reads only the targets
/// the verified metadata names, each once and checked against its signed
/// hash as it is read, within `limits` (a stick full of junk costs
/// nothing). The copy is removed whatever happens.
pub async fn import_dir(
    paths: &FeedPaths,
    dir: &Path,
    limits: StorageLimits,
) -> Result<FeedReport, FeedError> {
    let (meta, targets) = (dir.join("metadata"), dir.join("targets"));
    if !meta.is_dir() || !targets.is_dir() {
        return Err(FeedError::NotARepository(dir.to_path_buf()));
    }
    let _lock = StateLock::take(&paths.state_dir)?;
    let copy = paths.state_dir.join("usb");
    if copy.exists() {
        std::fs::remove_dir_all(&copy).map_err(io(&copy))?;
    }
    let _copy = RemovedOnDrop(copy.clone());
    let meta_copy = copy.join("metadata");
    std::fs::create_dir_all(&meta_copy).map_err(io(&meta_copy))?;
    let mut used: u64 = 0;
    // One metadata file from the stick: a regular file with a metadata
    // name, within the limits; its bytes, read once.
    let mut take = |name: &str| -> Result<Option<Vec<u8>>, FeedError> {
        if !is_metadata_name(name) {
            return Ok(None);
        }
        let from = meta.join(name);
        let Ok(m) = std::fs::symlink_metadata(&from) else {
            return Ok(None);
        };
        // Plain files only: a symlink on a stick could point anywhere.
        if !m.file_type().is_file() || m.len() > limits.max_file_bytes {
            return Ok(None);
        }
        limits.admit(&paths.state_dir, used, m.len())?;
        let bytes = std::fs::read(&from).map_err(io(&from))?;
        used += bytes.len() as u64;
        write_synced(&meta_copy.join(name), &bytes)?;
        Ok(Some(bytes))
    };
    // Every root version (a rotation chain), the timestamp, the snapshot
    // it names and the role files that snapshot names; nothing else.
    let mut roots: Vec<String> = std::fs::read_dir(&meta)
        .map_err(io(&meta))?
        .flatten()
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| n.ends_with(".root.json") && is_metadata_name(n))
        .collect();
    roots.sort();
    for r in roots.iter().map(String::as_str).chain(["root.json"]) {
        take(r)?;
    }
    let parse = |b: Option<Vec<u8>>| {
        b.and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .unwrap_or_default()
    };
    let timestamp = parse(take("timestamp.json")?);
    for snap in named_by(&timestamp, "snapshot.json") {
        let snapshot = parse(take(&snap)?);
        for role in named_by(&snapshot, "") {
            take(&role)?;
        }
    }
    let file_url = |p: &Path| {
        url::Url::from_directory_path(p).map_err(|_| FeedError::NotARepository(p.to_path_buf()))
    };
    let transport = FeedTransport::new(
        &paths.partial(),
        limits.max_file_bytes,
        std::time::Duration::from_secs(60),
        std::time::Duration::from_secs(3600),
    );
    let repo = load(
        paths,
        file_url(&meta_copy)?,
        file_url(&std::path::absolute(&targets).map_err(io(&targets))?)?,
        transport,
    )
    .await?;
    fetch_and_apply(paths, &repo, limits, used).await
}

impl From<tough::error::Error> for FeedError {
    fn from(e: tough::error::Error) -> Self {
        FeedError::Tuf(Box::new(e))
    }
}
