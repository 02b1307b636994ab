//! `county keys`: the county's signing keys (Ed25519, one file per key) and
//! the TUF root metadata that names them; creating them and rotating the
//! keys of any role, root included.
//!
//! A key folder holds:
//!
//! ```text
//! root.json                the current root metadata (copied to devices at provisioning)
//! roots/<N>.root.json      every root version, published so devices can follow rotations
//! <role>-<n>.pk8           private keys (PKCS#8, mode 0600), role = root|targets|snapshot|timestamp
//! retired/                 keys replaced by a rotation, kept until destroyed by hand
//! delegations.json         regions that sign their own items, with their public keys
//!                          (county keys delegate; see delegation.rs)
//! ```

use std::collections::HashMap;
use std::num::NonZeroU64;
use std::path::{Path, PathBuf};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::Ed25519KeyPair;
use tough::editor::signed::SignedRole;
use tough::key_source::{KeySource, LocalKeySource};
use tough::schema::{KeyHolder, RoleKeys, RoleType, Root, Signed};
use tough::sign::Sign;

/// The four top-level TUF roles, in the order files name them.
pub const ROLES: [RoleType; 4] = [
    RoleType::Root,
    RoleType::Targets,
    RoleType::Snapshot,
    RoleType::Timestamp,
];

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("密钥文件夹 {0} 已有 root.json；要更换密钥请用 county keys rotate")]
    AlreadyInitialised(PathBuf),
    #[error("密钥文件夹 {0} 中没有 root.json；请先运行 county keys init")]
    NotInitialised(PathBuf),
    #[error("{path}：{source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("生成密钥失败")]
    Generate,
    #[error("root.json 无法读取：{0}")]
    BadRoot(String),
    #[error("签名失败：{0}")]
    Tuf(Box<tough::error::Error>),
    #[error("密钥无效：{0}")]
    Schema(#[from] tough::schema::Error),
    #[error("门限 {threshold} 不能大于密钥数 {keys}，也不能为 0")]
    Threshold { threshold: u64, keys: u64 },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> KeyError + '_ {
    move |source| KeyError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// How many keys the root role has and how many must sign; validity.
#[derive(Debug, Clone, Copy)]
pub struct RootPolicy {
    pub root_keys: u64,
    pub root_threshold: u64,
    pub expires_days: i64,
}

impl Default for RootPolicy {
    fn default() -> Self {
        RootPolicy {
            root_keys: 1,
            root_threshold: 1,
            expires_days: 365,
        }
    }
}

fn role_name(role: RoleType) -> &'static str {
    match role {
        RoleType::Root => "root",
        RoleType::Targets => "targets",
        RoleType::Snapshot => "snapshot",
        RoleType::Timestamp => "timestamp",
        _ => "delegated",
    }
}

/// Parses `root`, `targets`, `snapshot` or `timestamp`.
pub fn parse_role(s: &str) -> Option<RoleType> {
    ROLES.into_iter().find(|r| role_name(*r) == s)
}

/// A county's key folder.
#[derive(Debug, Clone)]
pub struct KeyDir {
    path: PathBuf,
}

impl KeyDir {
    pub fn new(path: &Path) -> KeyDir {
        KeyDir {
            path: path.to_path_buf(),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn root_path(&self) -> PathBuf {
        self.path.join("root.json")
    }

    pub fn roots_dir(&self) -> PathBuf {
        self.path.join("roots")
    }

    /// Every private key in the folder (not the retired ones), as tough
    /// key sources; tough picks the ones each role lists.
    pub fn key_sources(&self) -> Result<Vec<Box<dyn KeySource>>, KeyError> {
        Ok(self
            .key_files()?
            .into_iter()
            .map(|path| Box::new(LocalKeySource { path }) as Box<dyn KeySource>)
            .collect())
    }

    fn key_files(&self) -> Result<Vec<PathBuf>, KeyError> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(&self.path)
            .map_err(io(&self.path))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "pk8"))
            .collect();
        v.sort();
        Ok(v)
    }

    /// The current root metadata.
    pub fn root(&self) -> Result<Signed<Root>, KeyError> {
        let p = self.root_path();
        if !p.exists() {
            return Err(KeyError::NotInitialised(self.path.clone()));
        }
        let bytes = std::fs::read(&p).map_err(io(&p))?;
        serde_json::from_slice(&bytes).map_err(|e| KeyError::BadRoot(e.to_string()))
    }

    /// Creates the keys of the four roles and root version 1.
    pub async fn init(&self, policy: RootPolicy) -> Result<Signed<Root>, KeyError> {
        if self.root_path().exists() {
            return Err(KeyError::AlreadyInitialised(self.path.clone()));
        }
        if policy.root_threshold == 0 || policy.root_threshold > policy.root_keys {
            return Err(KeyError::Threshold {
                threshold: policy.root_threshold,
                keys: policy.root_keys,
            });
        }
        std::fs::create_dir_all(&self.path).map_err(io(&self.path))?;
        let mut root = Root {
            spec_version: "1.0.0".to_string(),
            consistent_snapshot: true,
            version: NonZeroU64::MIN,
            expires: expiry(policy.expires_days),
            keys: HashMap::new(),
            roles: HashMap::new(),
            _extra: HashMap::new(),
        };
        for role in ROLES {
            let (count, threshold) = if role == RoleType::Root {
                (policy.root_keys, policy.root_threshold)
            } else {
                (1, 1)
            };
            let mut ids = Vec::new();
            for _ in 0..count {
                let key = self.generate(role)?;
                let id = key.key_id()?;
                root.keys.insert(id.clone(), key);
                ids.push(id);
            }
            root.roles.insert(
                role,
                RoleKeys {
                    keyids: ids,
                    threshold: NonZeroU64::new(threshold).expect("checked above"),
                    _extra: HashMap::new(),
                },
            );
        }
        let keys = self.key_sources()?;
        let signed = SignedRole::new(
            root.clone(),
            &KeyHolder::Root(root),
            &keys,
            &SystemRandom::new(),
        )
        .await?;
        self.write_root(signed.buffer(), 1)?;
        Ok(signed.signed().clone())
    }

    /// Replaces every key of `role` with new ones (same count and threshold)
    /// in a new root version. The new root is signed by the old root keys
    /// and, for a root rotation, by the new ones too, so devices holding the
    /// old root can follow it. Old key files move to `retired/`.
    pub async fn rotate(
        &self,
        role: RoleType,
        expires_days: i64,
    ) -> Result<Signed<Root>, KeyError> {
        let old = self.root()?.signed;
        let mut new = old.clone();
        new.version = old.version.checked_add(1).expect("root version overflow");
        new.expires = expiry(expires_days);
        let old_ids = old
            .roles
            .get(&role)
            .map(|r| r.keyids.clone())
            .unwrap_or_default();
        // Which files hold the old keys of this role.
        let mut old_files = Vec::new();
        for path in self.key_files()? {
            let bytes = std::fs::read(&path).map_err(io(&path))?;
            let sign = tough::sign::parse_keypair(&bytes)?;
            if old_ids.contains(&sign.tuf_key().key_id()?) {
                old_files.push(path);
            }
        }
        let mut ids = Vec::new();
        for _ in 0..old_ids.len().max(1) {
            let key = self.generate(role)?;
            let id = key.key_id()?;
            new.keys.insert(id.clone(), key);
            ids.push(id);
        }
        for id in &old_ids {
            // A key may serve several roles; drop it only when none uses it.
            let still_used = new
                .roles
                .iter()
                .any(|(r, k)| *r != role && k.keyids.contains(id));
            if !still_used {
                new.keys.remove(id);
            }
        }
        let entry = new.roles.get_mut(&role).expect("every role is listed");
        entry.keyids = ids;
        let keys = self.key_sources()?;
        let rng = SystemRandom::new();
        let by_new =
            SignedRole::new(new.clone(), &KeyHolder::Root(new.clone()), &keys, &rng).await?;
        let by_old = SignedRole::new(new.clone(), &KeyHolder::Root(old), &keys, &rng).await?;
        let mut signatures = by_old.signed().signatures.clone();
        signatures.retain(|s| {
            !by_new
                .signed()
                .signatures
                .iter()
                .any(|n| n.keyid == s.keyid)
        });
        let signed = by_new.add_old_signatures(signatures)?;
        let version = signed.signed().signed.version.get();
        self.write_root(signed.buffer(), version)?;
        let retired = self.path.join("retired");
        std::fs::create_dir_all(&retired).map_err(io(&retired))?;
        for f in old_files {
            let to = retired.join(f.file_name().expect("key files have names"));
            std::fs::rename(&f, &to).map_err(io(&f))?;
        }
        Ok(signed.signed().clone())
    }

    /// Root metadata written before times were whole seconds carries an
    /// `expires` that conforming TUF clients refuse. This signs the next
    /// root version with the same keys and the same expiry without its
    /// fraction, so every client (tough, which read the old one, included)
    /// follows it. Returns the new version, or `None` when the current
    /// root already conforms.
    pub async fn conform_root(&self) -> Result<Option<u64>, KeyError> {
        let old = self.root()?.signed;
        if is_tuf_time(old.expires) {
            return Ok(None);
        }
        let mut new = old.clone();
        new.version = old.version.checked_add(1).expect("root version overflow");
        new.expires = whole_seconds(old.expires);
        let keys = self.key_sources()?;
        let signed = SignedRole::new(
            new.clone(),
            &KeyHolder::Root(new),
            &keys,
            &SystemRandom::new(),
        )
        .await?;
        let version = signed.signed().signed.version.get();
        self.write_root(signed.buffer(), version)?;
        Ok(Some(version))
    }

    fn write_root(&self, bytes: &[u8], version: u64) -> Result<(), KeyError> {
        let roots = self.roots_dir();
        std::fs::create_dir_all(&roots).map_err(io(&roots))?;
        write_atomic(&roots.join(format!("{version}.root.json")), bytes)?;
        write_atomic(&self.root_path(), bytes)
    }

    /// A new Ed25519 key for `role`, written to the next free `<role>-<n>.pk8`.
    fn generate(&self, role: RoleType) -> Result<tough::schema::key::Key, KeyError> {
        let doc =
            Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).map_err(|_| KeyError::Generate)?;
        let name = role_name(role);
        let path = (1..)
            .map(|n| self.path.join(format!("{name}-{n}.pk8")))
            .find(|p| {
                !p.exists()
                    && !self
                        .path
                        .join("retired")
                        .join(p.file_name().unwrap())
                        .exists()
            })
            .expect("some number is free");
        write_private(&path, doc.as_ref())?;
        let sign = tough::sign::parse_keypair(doc.as_ref())?;
        Ok(sign.tuf_key())
    }
}

/// Now plus `days`, in whole seconds: TUF fixes metadata times as
/// `YYYY-MM-DDTHH:MM:SSZ`, and conforming clients refuse fractions.
pub fn expiry(days: i64) -> jiff::Timestamp {
    whole_seconds(
        jiff::Timestamp::now()
            .checked_add(jiff::SignedDuration::from_hours(days * 24))
            .expect("expiry within range"),
    )
}

/// `t` without its fraction of a second (rounded down).
pub fn whole_seconds(t: jiff::Timestamp) -> jiff::Timestamp {
    jiff::Timestamp::from_second(t.as_second()).expect("a timestamp's own seconds are in range")
}

/// Whether `t` can be written in TUF's time format (no fraction).
pub fn is_tuf_time(t: jiff::Timestamp) -> bool {
    t.subsec_nanosecond() == 0
}

/// Writes `bytes` to `path` through a temporary file and a rename, synced.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), KeyError> {
    use std::io::Write;
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::File::create(&tmp).map_err(io(&tmp))?;
    f.write_all(bytes).map_err(io(&tmp))?;
    f.sync_all().map_err(io(&tmp))?;
    std::fs::rename(&tmp, path).map_err(io(path))
}

pub fn write_private(path: &Path, bytes: &[u8]) -> Result<(), KeyError> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(io(path))?;
    f.write_all(bytes).map_err(io(path))?;
    f.sync_all().map_err(io(path))
}

impl From<tough::error::Error> for KeyError {
    fn from(e: tough::error::Error) -> Self {
        KeyError::Tuf(Box::new(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: roots written before times were whole seconds had
    /// nanoseconds in `expires`, which python-tuf refuses. The next publish
    /// signs a conforming root version with the same keys.
    #[tokio::test]
    async fn a_root_with_a_fraction_of_a_second_is_conformed_once() {
        let dir = tempfile::tempdir().unwrap();
        let keys = KeyDir::new(dir.path());
        keys.init(RootPolicy::default()).await.unwrap();
        // What an older county wrote: version 2 expiring at a fraction.
        let mut old = keys.root().unwrap().signed;
        old.version = NonZeroU64::new(2).unwrap();
        old.expires = jiff::Timestamp::now()
            .checked_add(jiff::SignedDuration::new(86_400 * 30, 251_549_290))
            .unwrap();
        let signed = SignedRole::new(
            old.clone(),
            &KeyHolder::Root(old),
            &keys.key_sources().unwrap(),
            &SystemRandom::new(),
        )
        .await
        .unwrap();
        keys.write_root(signed.buffer(), 2).unwrap();
        let before = keys.root().unwrap().signed.expires;
        assert!(!is_tuf_time(before));

        assert_eq!(keys.conform_root().await.unwrap(), Some(3));
        let root: serde_json::Value =
            serde_json::from_slice(&std::fs::read(keys.root_path()).unwrap()).unwrap();
        let expires = root["signed"]["expires"].as_str().unwrap();
        assert_eq!(expires, whole_seconds(before).to_string());
        assert_eq!(expires.len(), "2027-12-01T20:38:29Z".len());
        assert!(dir.path().join("roots/3.root.json").exists());
        // Conforming already: nothing more to sign.
        assert_eq!(keys.conform_root().await.unwrap(), None);
    }

    #[test]
    fn expiry_is_whole_seconds() {
        for days in [0, 1, 7, 365] {
            let t = expiry(days);
            assert!(is_tuf_time(t), "{t}");
            assert!(!t.to_string().contains('.'), "{t}");
        }
    }
}
