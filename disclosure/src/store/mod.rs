//! `content.db`: the terminal's local copy of the disclosure catalog.
//!
//! Written only by the sync agent (and by the demo loader on first run); the
//! kiosk opens it read-only. A feed version is written in one transaction, so
//! a reader sees the previous version or the new one, never a mix.

mod query;
pub(crate) mod schema;
mod write;

use std::fmt;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

pub use query::{
    ColumnNode, DocumentSummary, DocumentView, DomainCount, ItemDetail, ItemSummary, RecordKind,
    RegionScope, StoreCounts, UpdateEntry,
};

/// The version of the feed a store holds. Grows with every publication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct FeedVersion(pub u64);

impl fmt::Display for FeedVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}", self.0)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("数据库错误：{0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("内容库 {path} 的结构版本为 {found}，本程序需要 {expected}；请先由同步程序升级")]
    SchemaTooOld {
        path: PathBuf,
        found: usize,
        expected: usize,
    },
    #[error("内容库 {path} 的结构版本 {found} 比本程序支持的 {expected} 新；请升级本程序")]
    SchemaTooNew {
        path: PathBuf,
        found: usize,
        expected: usize,
    },
    #[error("内容库中的数据无效：{0}")]
    Corrupt(String),
    #[error("内容无法写入：{0}")]
    InvalidBundle(String),
}

/// SQLite's own consistency check: `None` when it says "ok", else its report.
pub(crate) fn sqlite_integrity(conn: &Connection) -> rusqlite::Result<Option<String>> {
    let r: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    Ok((r != "ok").then_some(r))
}

/// An open `content.db`.
pub struct ContentStore {
    conn: Connection,
    path: PathBuf,
}

impl ContentStore {
    /// Opens (or creates) the store for writing and upgrades its schema in
    /// place to the current version.
    pub fn open(path: &Path) -> Result<ContentStore, StoreError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        let mut store = ContentStore {
            conn,
            path: path.to_path_buf(),
        };
        store.migrate_to(schema::MIGRATIONS.len())?;
        Ok(store)
    }

    /// Opens an existing store read-only, as the kiosk does. Fails if the
    /// schema is not the one this build knows.
    pub fn open_read_only(path: &Path) -> Result<ContentStore, StoreError> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(2))?;
        let store = ContentStore {
            conn,
            path: path.to_path_buf(),
        };
        let found = store.schema_version()?;
        let expected = schema::MIGRATIONS.len();
        if found < expected {
            return Err(StoreError::SchemaTooOld {
                path: store.path,
                found,
                expected,
            });
        }
        if found > expected {
            return Err(StoreError::SchemaTooNew {
                path: store.path,
                found,
                expected,
            });
        }
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The number of schema migrations applied to this file.
    pub fn schema_version(&self) -> Result<usize, StoreError> {
        let v: i64 = self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?;
        Ok(v as usize)
    }

    /// The schema version this build writes.
    pub fn current_schema_version() -> usize {
        schema::MIGRATIONS.len()
    }

    /// Applies the migrations up to `target` (tests use this to make files
    /// of an older schema).
    #[doc(hidden)]
    pub fn migrate_to(&mut self, target: usize) -> Result<(), StoreError> {
        let found = self.schema_version()?;
        if found > schema::MIGRATIONS.len() {
            return Err(StoreError::SchemaTooNew {
                path: self.path.clone(),
                found,
                expected: schema::MIGRATIONS.len(),
            });
        }
        for (i, m) in schema::MIGRATIONS
            .iter()
            .enumerate()
            .take(target)
            .skip(found)
        {
            let tx = self.conn.transaction()?;
            tx.execute_batch(m.sql)?;
            if let Some(after) = m.after {
                after(&tx)?;
            }
            tx.pragma_update(None, "user_version", (i + 1) as i64)?;
            tx.commit()?;
            tracing::info!(path = %self.path.display(), version = i + 1, "content.db schema upgraded");
        }
        Ok(())
    }

    /// The feed version the store holds; `None` before any content.
    pub fn feed_version(&self) -> Result<Option<FeedVersion>, StoreError> {
        let v: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'feed_version'",
                [],
                |r| r.get(0),
            )
            .map(Some)
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                e => Err(e),
            })?;
        v.map(|s| {
            s.parse()
                .map(FeedVersion)
                .map_err(|_| StoreError::Corrupt(format!("feed_version “{s}”")))
        })
        .transpose()
    }

    /// A number that changes whenever content is written (every
    /// `replace_all`, even of the same feed version). Readers poll it to
    /// notice new content.
    pub fn content_generation(&self) -> Result<u64, StoreError> {
        Ok(crate::search::index::generation(&self.conn)?)
    }

    /// Runs SQLite's own consistency check; `Ok(())` when it says "ok".
    pub fn integrity_check(&self) -> Result<(), StoreError> {
        sqlite_integrity(&self.conn)?.map_or(Ok(()), |r| Err(StoreError::Corrupt(r)))
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }
}
