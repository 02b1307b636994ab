//! SQLite the one way every store keeps it — `content.db`, `requests.db`
//! and the county's `county.db`: the connection settings, made here and
//! nowhere else, and the schema as an ordered list of released migrations
//! under `PRAGMA user_version`.
//!
//! `user_version` is the number of migrations applied. Each missing step
//! runs in its own transaction (its SQL, then its backfill, then a
//! `foreign_key_check`), with foreign keys off so a step may rebuild a
//! table; a file written by a newer build is refused and left as it is.
//! A released migration is never edited, reordered or removed: a change
//! to a schema is a new step at the end of its list, which upgrades older
//! files in place. Each store pins the SQL of its released steps in a
//! test ([`Migrations::fingerprints`]), so an edit fails that test.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, Transaction};
use sha2::{Digest, Sha256};

/// How long a writer waits for another connection's lock.
const WRITER_BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a reader (the kiosk) waits before it reports the store busy.
const READER_BUSY_TIMEOUT: Duration = Duration::from_secs(2);

/// What a store holds, which decides what deleting a row does to its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contents {
    /// Published content: deleted rows may stay in free pages.
    Public,
    /// Personal data: deleted and overwritten values are zeroed in the
    /// file (`secure_delete`), not left in free pages.
    Personal,
}

/// The settings of a connection that writes: WAL (readers see the last
/// commit while a writer works), `synchronous=FULL` (a commit survives a
/// power cut), foreign keys enforced, a busy timeout, and `secure_delete`
/// for personal data.
pub fn set_writer_pragmas(conn: &Connection, contents: Contents) -> rusqlite::Result<()> {
    conn.busy_timeout(WRITER_BUSY_TIMEOUT)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    if contents == Contents::Personal {
        conn.pragma_update(None, "secure_delete", true)?;
    }
    Ok(())
}

/// Opens (or creates) a store's file for writing, with
/// [`set_writer_pragmas`].
pub fn open_writer(path: &Path, contents: Contents) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    set_writer_pragmas(&conn, contents)?;
    Ok(conn)
}

/// Opens an existing file read-only (the kiosk's `content.db`), with a
/// short busy timeout.
pub fn open_reader(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(READER_BUSY_TIMEOUT)?;
    Ok(conn)
}

/// The number of migrations applied to the file (`PRAGMA user_version`).
pub fn schema_version(conn: &Connection) -> rusqlite::Result<usize> {
    let v: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    Ok(usize::try_from(v).unwrap_or(0))
}

/// SQLite's own consistency check: `None` when it says "ok", else its report.
pub fn integrity_problem(conn: &Connection) -> rusqlite::Result<Option<String>> {
    let r: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    Ok((r != "ok").then_some(r))
}

/// A data step run after a migration's SQL, in the same transaction.
pub type Backfill<E> = fn(&Transaction<'_>) -> Result<(), E>;

/// One released schema step: `sql`, then `backfill` when there is one.
pub struct Migration<E: 'static> {
    pub sql: &'static str,
    pub backfill: Option<Backfill<E>>,
}

impl<E> Migration<E> {
    /// A step that is SQL only.
    pub const fn sql(sql: &'static str) -> Migration<E> {
        Migration {
            sql,
            backfill: None,
        }
    }

    /// A step whose SQL is followed by a data backfill.
    pub const fn with_backfill(sql: &'static str, backfill: Backfill<E>) -> Migration<E> {
        Migration {
            sql,
            backfill: Some(backfill),
        }
    }
}

/// A store's schema: its file's name (for messages and logs) and its
/// released migrations, oldest first.
pub struct Migrations<E: 'static> {
    pub file: &'static str,
    pub steps: &'static [Migration<E>],
}

/// Why a file's schema was not brought up to date. Steps already
/// committed stay; the failed one left nothing behind.
#[derive(Debug, thiserror::Error)]
pub enum MigrationError<E: std::error::Error + 'static> {
    #[error("{file} 的结构版本 {found} 比本程序支持的 {expected} 新；请升级本程序")]
    TooNew {
        file: &'static str,
        found: usize,
        expected: usize,
    },
    #[error("升级 {file} 第 {version} 步后表 {table} 的引用不完整")]
    BrokenReferences {
        file: &'static str,
        version: usize,
        table: String,
    },
    /// A step's SQL or backfill failed, or the file could not be read.
    #[error(transparent)]
    Failed(E),
}

/// What [`Migrations::apply`] did: the file's version before and after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Upgrade {
    pub from: usize,
    pub to: usize,
}

impl Upgrade {
    /// Whether any step ran.
    pub fn upgraded(self) -> bool {
        self.to > self.from
    }
}

impl<E> Migrations<E>
where
    E: std::error::Error + From<rusqlite::Error> + 'static,
{
    /// The schema version this build writes: the number of released steps.
    pub fn current_version(&self) -> usize {
        self.steps.len()
    }

    /// Brings the file up to the current version.
    pub fn apply(&self, conn: &mut Connection) -> Result<Upgrade, MigrationError<E>> {
        self.apply_up_to(conn, self.steps.len())
    }

    /// Applies the missing steps up to version `target` (tests use a
    /// lower one to make files of an older schema). A file newer than
    /// this build is refused untouched.
    pub fn apply_up_to(
        &self,
        conn: &mut Connection,
        target: usize,
    ) -> Result<Upgrade, MigrationError<E>> {
        let sqlite = |e: rusqlite::Error| MigrationError::Failed(E::from(e));
        let found = schema_version(conn).map_err(sqlite)?;
        if found > self.steps.len() {
            return Err(MigrationError::TooNew {
                file: self.file,
                found,
                expected: self.steps.len(),
            });
        }
        let target = target.min(self.steps.len());
        if found >= target {
            return Ok(Upgrade {
                from: found,
                to: found,
            });
        }
        // Off outside the transactions (it is a no-op inside one), so a
        // step may rebuild a table; each step is checked before it commits.
        let enforced: bool = conn
            .pragma_query_value(None, "foreign_keys", |r| r.get(0))
            .map_err(sqlite)?;
        conn.pragma_update(None, "foreign_keys", false)
            .map_err(sqlite)?;
        let result = self.run_steps(conn, found, target);
        conn.pragma_update(None, "foreign_keys", enforced)
            .map_err(sqlite)?;
        result?;
        Ok(Upgrade {
            from: found,
            to: target,
        })
    }

    fn run_steps(
        &self,
        conn: &mut Connection,
        found: usize,
        target: usize,
    ) -> Result<(), MigrationError<E>> {
        let sqlite = |e: rusqlite::Error| MigrationError::Failed(E::from(e));
        for (i, step) in self.steps.iter().enumerate().take(target).skip(found) {
            let version = i + 1;
            let tx = conn.transaction().map_err(sqlite)?;
            tx.execute_batch(step.sql).map_err(sqlite)?;
            if let Some(backfill) = step.backfill {
                backfill(&tx).map_err(MigrationError::Failed)?;
            }
            let broken: Option<String> = tx
                .query_row("PRAGMA foreign_key_check", [], |r| r.get(0))
                .optional()
                .map_err(sqlite)?;
            if let Some(table) = broken {
                return Err(MigrationError::BrokenReferences {
                    file: self.file,
                    version,
                    table,
                });
            }
            tx.pragma_update(None, "user_version", version as i64)
                .map_err(sqlite)?;
            tx.commit().map_err(sqlite)?;
            tracing::info!(file = self.file, version, "schema upgraded");
        }
        Ok(())
    }

    /// One line per released step: the SHA-256 of its SQL, and
    /// `+backfill` when a backfill follows it. Each store's test pins
    /// these, so that editing a released step fails it.
    pub fn fingerprints(&self) -> Vec<String> {
        self.steps
            .iter()
            .map(|s| {
                let hash: String = Sha256::digest(s.sql.as_bytes())
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect();
                match s.backfill {
                    Some(_) => format!("{hash}+backfill"),
                    None => hash,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    enum TestError {
        #[error(transparent)]
        Sqlite(#[from] rusqlite::Error),
        #[error("backfill refused")]
        Refused,
    }

    fn add_rows(tx: &Transaction<'_>) -> Result<(), TestError> {
        tx.execute("INSERT INTO parent(id) VALUES (1)", [])?;
        Ok(())
    }

    fn refuse(_: &Transaction<'_>) -> Result<(), TestError> {
        Err(TestError::Refused)
    }

    static STEPS: &[Migration<TestError>] = &[
        Migration::sql("CREATE TABLE parent (id INTEGER PRIMARY KEY) STRICT;"),
        Migration::with_backfill(
            "CREATE TABLE child (parent INTEGER NOT NULL REFERENCES parent(id)) STRICT;",
            add_rows,
        ),
    ];
    static SCHEMA: Migrations<TestError> = Migrations {
        file: "test.db",
        steps: STEPS,
    };

    fn memory() -> Connection {
        let c = Connection::open_in_memory().unwrap();
        set_writer_pragmas(&c, Contents::Personal).unwrap();
        c
    }

    #[test]
    fn steps_run_once_each_in_order_and_foreign_keys_come_back_on() {
        let mut c = memory();
        assert_eq!(
            SCHEMA.apply_up_to(&mut c, 1).unwrap(),
            Upgrade { from: 0, to: 1 }
        );
        assert_eq!(schema_version(&c).unwrap(), 1);
        let up = SCHEMA.apply(&mut c).unwrap();
        assert_eq!(up, Upgrade { from: 1, to: 2 });
        assert!(up.upgraded());
        let again = SCHEMA.apply(&mut c).unwrap();
        assert!(!again.upgraded());
        let parents: i64 = c
            .query_row("SELECT COUNT(*) FROM parent", [], |r| r.get(0))
            .unwrap();
        assert_eq!(parents, 1, "the backfill ran once");
        let fk: bool = c
            .pragma_query_value(None, "foreign_keys", |r| r.get(0))
            .unwrap();
        assert!(fk);
        assert!(
            c.execute("INSERT INTO child(parent) VALUES (9)", [])
                .is_err()
        );
    }

    #[test]
    fn a_newer_file_is_refused_untouched() {
        let mut c = memory();
        c.pragma_update(None, "user_version", 3).unwrap();
        let e = SCHEMA.apply(&mut c).unwrap_err();
        assert!(
            matches!(
                e,
                MigrationError::TooNew {
                    found: 3,
                    expected: 2,
                    ..
                }
            ),
            "{e:?}"
        );
        assert!(
            e.to_string()
                .contains("test.db 的结构版本 3 比本程序支持的 2 新")
        );
        assert_eq!(schema_version(&c).unwrap(), 3);
    }

    #[test]
    fn a_failing_step_leaves_the_file_at_the_step_before() {
        static FAILING: &[Migration<TestError>] = &[
            Migration::sql("CREATE TABLE parent (id INTEGER PRIMARY KEY) STRICT;"),
            Migration::with_backfill("CREATE TABLE later (x TEXT) STRICT;", refuse),
        ];
        let schema = Migrations {
            file: "test.db",
            steps: FAILING,
        };
        let mut c = memory();
        let e = schema.apply(&mut c).unwrap_err();
        assert!(matches!(e, MigrationError::Failed(TestError::Refused)));
        assert_eq!(schema_version(&c).unwrap(), 1);
        let later: Option<String> = c
            .query_row(
                "SELECT name FROM sqlite_master WHERE name = 'later'",
                [],
                |r| r.get(0),
            )
            .optional()
            .unwrap();
        assert_eq!(later, None, "rolled back");
    }

    #[test]
    fn a_step_that_breaks_a_reference_is_rolled_back() {
        static BREAKING: &[Migration<TestError>] = &[
            Migration::sql(
                "CREATE TABLE parent (id INTEGER PRIMARY KEY) STRICT;
                 CREATE TABLE child (parent INTEGER NOT NULL REFERENCES parent(id)) STRICT;",
            ),
            Migration::sql("INSERT INTO child(parent) VALUES (7);"),
        ];
        let schema = Migrations {
            file: "test.db",
            steps: BREAKING,
        };
        let mut c = memory();
        let e = schema.apply(&mut c).unwrap_err();
        assert!(
            matches!(&e, MigrationError::BrokenReferences { version: 2, table, .. } if table == "child"),
            "{e:?}"
        );
        assert_eq!(schema_version(&c).unwrap(), 1);
    }

    #[test]
    fn fingerprints_name_the_sql_and_the_backfill() {
        let f = SCHEMA.fingerprints();
        assert_eq!(f.len(), 2);
        assert!(!f[0].ends_with("+backfill"));
        assert!(f[1].ends_with("+backfill"));
        assert_eq!(f[0].len(), 64);
    }
}
