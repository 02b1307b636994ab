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

use rusqlite::Connection;

use crate::sqlite::{self, Contents, MigrationError};

pub use query::{
    ColumnNode, DocumentSummary, DocumentView, DomainCount, InterpretationEntry, ItemDetail,
    ItemSummary, RecordKind, RegionScope, StoreCounts, UpdateEntry,
};
pub use write::FeedDirError;

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

/// An open `content.db`.
pub struct ContentStore {
    conn: Connection,
    path: PathBuf,
}

impl ContentStore {
    /// Opens (or creates) the store for writing and upgrades its schema in
    /// place to the current version.
    pub fn open(path: &Path) -> Result<ContentStore, StoreError> {
        let conn = sqlite::open_writer(path, Contents::Public)?;
        let mut store = ContentStore {
            conn,
            path: path.to_path_buf(),
        };
        let found = store.schema_version()?;
        let current = schema::MIGRATIONS.current_version();
        store.migrate_to(current)?;
        if found > 0 && found < current {
            store.compact();
        }
        Ok(store)
    }

    /// Gives the file's free pages back to the disk when they are more
    /// than a quarter of it (an upgrade that replaced the search index
    /// leaves the old one's pages free). Best effort: a failure (no room
    /// for VACUUM's copy) leaves the file as it is, and it still works.
    fn compact(&self) {
        let pages = |pragma: &str| -> i64 {
            self.conn
                .pragma_query_value(None, pragma, |r| r.get(0))
                .unwrap_or(0)
        };
        let (free, total) = (pages("freelist_count"), pages("page_count"));
        if free * 4 <= total {
            return;
        }
        match self.conn.execute_batch("VACUUM") {
            Ok(()) => tracing::info!(free, total, "content.db compacted after its upgrade"),
            Err(e) => tracing::warn!(error = %e, free, total, "content.db not compacted"),
        }
    }

    /// Opens an existing store read-only, as the kiosk does. Fails if the
    /// schema is not the one this build knows.
    pub fn open_read_only(path: &Path) -> Result<ContentStore, StoreError> {
        let conn = sqlite::open_reader(path)?;
        let store = ContentStore {
            conn,
            path: path.to_path_buf(),
        };
        let found = store.schema_version()?;
        let expected = schema::MIGRATIONS.current_version();
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
        Ok(sqlite::schema_version(&self.conn)?)
    }

    /// The schema version this build writes.
    pub fn current_schema_version() -> usize {
        schema::MIGRATIONS.current_version()
    }

    /// Applies the migrations up to `target` (tests use this to make files
    /// of an older schema).
    #[doc(hidden)]
    pub fn migrate_to(&mut self, target: usize) -> Result<(), StoreError> {
        schema::MIGRATIONS
            .apply_up_to(&mut self.conn, target)
            .map_err(|e| match e {
                MigrationError::TooNew {
                    found, expected, ..
                } => StoreError::SchemaTooNew {
                    path: self.path.clone(),
                    found,
                    expected,
                },
                MigrationError::BrokenReferences { .. } => StoreError::Corrupt(e.to_string()),
                MigrationError::Failed(e) => e,
            })?;
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
        sqlite::integrity_problem(&self.conn)?.map_or(Ok(()), |r| Err(StoreError::Corrupt(r)))
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }
}
