//! The `county.db` schema as an ordered list of migrations
//! (`disclosure::sqlite`: one transaction per step under `PRAGMA
//! user_version`, the connection settings made there).
//!
//! RELEASED MIGRATIONS ARE NEVER EDITED, REORDERED OR REMOVED: a change is
//! a new step at the end, which upgrades older files in place.
//! `released_migrations_are_never_edited` below pins each step's SQL.
//! Migration 1 is the schema of the first release exactly as it was
//! (`CREATE TABLE IF NOT EXISTS`, no `user_version`): a county.db made by
//! that release has `user_version` 0 and its tables, so step 1 changes
//! nothing in it and the steps after it carry it forward.

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use time::OffsetDateTime;

use disclosure::RegionCode;
use disclosure::requests::ReceiptNo;
use disclosure::requests::store::format_time;
use disclosure::requests::wire::ApplicationMessage;
use disclosure::sqlite::{Migration, MigrationError, Migrations};

use super::{IntakeError, code_hash, enrol_code_digits, normalised_message};

static MIGRATIONS: Migrations<IntakeError> = Migrations {
    file: "county.db",
    steps: STEPS,
};

static STEPS: &[Migration<IntakeError>] = &[
    // 1: the first release's schema, as it was.
    Migration::sql(
        r#"
CREATE TABLE IF NOT EXISTS enrol_code (
    code        TEXT PRIMARY KEY,
    hall_region TEXT NOT NULL,
    device      INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT
) STRICT;
CREATE TABLE IF NOT EXISTS terminal (
    id           TEXT PRIMARY KEY,
    hall_region  TEXT NOT NULL,
    device       INTEGER NOT NULL,
    token_sha256 TEXT NOT NULL UNIQUE,
    enrolled_at  TEXT NOT NULL,
    last_seen_at TEXT,
    health       TEXT,
    UNIQUE (hall_region, device)
) STRICT;
CREATE TABLE IF NOT EXISTS application (
    id           INTEGER PRIMARY KEY,
    receipt_no   TEXT NOT NULL UNIQUE,
    terminal_id  TEXT NOT NULL REFERENCES terminal(id),
    received_at  TEXT NOT NULL,
    delivered_at TEXT NOT NULL,
    body_name    TEXT NOT NULL,
    deadline     TEXT,
    extended_to  TEXT,
    outcome      TEXT,
    payload      TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS status_change (
    cursor         INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id INTEGER NOT NULL REFERENCES application(id),
    status         TEXT NOT NULL,
    at             TEXT NOT NULL,
    note           TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE TABLE IF NOT EXISTS rating (
    receipt_no TEXT PRIMARY KEY,
    level      INTEGER NOT NULL,
    at         TEXT NOT NULL
) STRICT;
"#,
    ),
    // 2: enrolment codes kept only as salted PBKDF2 hashes, looked up by the
    // terminal they are for; plain codes of older files are hashed.
    Migration::with_backfill(
        r#"
CREATE TABLE enrol_code_hashed (
    id          INTEGER PRIMARY KEY,
    code_hash   TEXT NOT NULL,
    hall_region TEXT NOT NULL,
    device      INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT
) STRICT;
"#,
        hash_enrol_codes,
    ),
    // 3: terminals under their canonical region code; token lifetime,
    // rotation (a pending token replaces the current one when first used)
    // and revocation.
    Migration::with_backfill(
        r#"
CREATE TABLE terminal_v3 (
    id                   TEXT PRIMARY KEY,
    hall_region          TEXT NOT NULL,
    device               INTEGER NOT NULL,
    token_sha256         TEXT UNIQUE,
    token_issued_at      TEXT,
    pending_token_sha256 TEXT UNIQUE,
    pending_issued_at    TEXT,
    enrolled_at          TEXT NOT NULL,
    last_seen_at         TEXT,
    health               TEXT,
    revoked_at           TEXT,
    UNIQUE (hall_region, device)
) STRICT;
"#,
        canonical_terminals,
    ),
    // 4: receipt numbers as 26 digits; what the annual report counts kept
    // in columns (applicant kind, when replied), personal fields purged
    // after the archive period.
    Migration::with_backfill(
        r#"
ALTER TABLE application ADD COLUMN applicant_kind TEXT;
ALTER TABLE application ADD COLUMN closed_at TEXT;
ALTER TABLE application ADD COLUMN purged_at TEXT;
"#,
        normalise_applications,
    ),
    // 5: the SHA-256 of each application's progress token (the public
    // progress page answers only to the token).
    Migration::sql(
        r#"
ALTER TABLE application ADD COLUMN progress_token_sha256 TEXT;
CREATE UNIQUE INDEX application_by_progress_token ON application(progress_token_sha256);
"#,
    ),
    // 6: the notes of status changes (reasons staff typed, which can name
    // third parties) purged with the personal fields; applications purged
    // before this step lose theirs now (`note_after_purge` is registered on
    // the connection before migrating).
    Migration::sql(
        r#"
UPDATE status_change SET note = note_after_purge(status, note)
WHERE application_id IN (SELECT id FROM application WHERE purged_at IS NOT NULL);
"#,
    ),
];

/// The schema version this build writes.
pub(crate) fn current_version() -> usize {
    MIGRATIONS.current_version()
}

/// Applies the migrations this file lacks. After an upgrade the WAL is
/// emptied into the file, so pages of the old schema (plain enrolment
/// codes, for one) do not stay in it.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), IntakeError> {
    let upgrade = MIGRATIONS.apply(conn).map_err(|e| match e {
        MigrationError::TooNew {
            found, expected, ..
        } => IntakeError::SchemaTooNew { found, expected },
        MigrationError::BrokenReferences { .. } => IntakeError::Invalid(e.to_string()),
        MigrationError::Failed(e) => e,
    })?;
    if upgrade.upgraded() {
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    }
    Ok(())
}

fn hash_enrol_codes(tx: &Transaction<'_>) -> Result<(), IntakeError> {
    let rows: Vec<(String, String, u8, String, String, Option<String>)> = tx
        .prepare(
            "SELECT code, hall_region, device, created_at, expires_at, used_at FROM enrol_code",
        )?
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })?
        .collect::<Result<_, _>>()?;
    for (code, hall, device, created, expires, used) in rows {
        let hall = hall
            .parse::<RegionCode>()
            .map_or(hall, |h| h.as_str().to_string());
        tx.execute(
            "INSERT INTO enrol_code_hashed(code_hash, hall_region, device, created_at, expires_at, used_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                code_hash(&enrol_code_digits(&code)),
                hall,
                device,
                created,
                expires,
                used
            ],
        )?;
    }
    tx.execute_batch(
        "DROP TABLE enrol_code;
         ALTER TABLE enrol_code_hashed RENAME TO enrol_code;
         CREATE INDEX enrol_code_by_terminal ON enrol_code(hall_region, device);",
    )?;
    Ok(())
}

type OldTerminal = (
    String,
    String,
    u8,
    String,
    String,
    Option<String>,
    Option<String>,
);

/// Every terminal under `<canonical region>-<device>`. When two spellings
/// of one region enrolled as two terminals, the one already under the
/// canonical id keeps it and the other is kept (with its applications)
/// but revoked.
fn canonical_terminals(tx: &Transaction<'_>) -> Result<(), IntakeError> {
    let now = format_time(OffsetDateTime::now_utc());
    let mut rows: Vec<OldTerminal> = tx
        .prepare(
            "SELECT id, hall_region, device, token_sha256, enrolled_at, last_seen_at, health
             FROM terminal ORDER BY enrolled_at, id",
        )?
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })?
        .collect::<Result<_, _>>()?;
    let canonical_id = |hall: &str, device: u8| {
        hall.parse::<RegionCode>()
            .ok()
            .map(|h| (h.as_str().to_string(), format!("{h}-{device:02}")))
    };
    // Rows already under their canonical id first: they keep it.
    rows.sort_by_key(|r| canonical_id(&r.1, r.2).is_none_or(|(_, id)| id != r.0));
    for (old_id, hall, device, token, enrolled, seen, health) in rows {
        let taken = |id: &str| -> rusqlite::Result<bool> {
            tx.query_row("SELECT 1 FROM terminal_v3 WHERE id = ?1", [id], |_| Ok(()))
                .optional()
                .map(|x| x.is_some())
        };
        match canonical_id(&hall, device) {
            Some((c_hall, c_id)) if !taken(&c_id)? => {
                tx.execute(
                    "INSERT INTO terminal_v3(id, hall_region, device, token_sha256, token_issued_at,
                        enrolled_at, last_seen_at, health)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    params![c_id, c_hall, device, token, now, enrolled, seen, health],
                )?;
                if c_id != old_id {
                    tx.execute(
                        "UPDATE application SET terminal_id = ?2 WHERE terminal_id = ?1",
                        params![old_id, c_id],
                    )?;
                }
            }
            _ => {
                tracing::warn!(
                    terminal = %old_id,
                    "a second spelling of an enrolled terminal's region: revoked"
                );
                tx.execute(
                    "INSERT INTO terminal_v3(id, hall_region, device, token_sha256, token_issued_at,
                        enrolled_at, last_seen_at, health, revoked_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?5)",
                    params![old_id, hall, device, token, now, enrolled, seen, health],
                )?;
            }
        }
    }
    tx.execute_batch(
        "DROP TABLE terminal;
         ALTER TABLE terminal_v3 RENAME TO terminal;",
    )?;
    Ok(())
}

/// Receipt numbers (applications and ratings) as 26 digits, payloads with
/// them; the applicant kind and the reply time in their columns. Two rows
/// of one number (one spelt with separators) are merged when they hold the
/// same application, else both are kept and the county is told.
fn normalise_applications(tx: &Transaction<'_>) -> Result<(), IntakeError> {
    let rows: Vec<(i64, String, String)> = tx
        .prepare("SELECT id, receipt_no, payload FROM application ORDER BY id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    for (id, stored, payload) in rows {
        let Ok(msg) = serde_json::from_str::<ApplicationMessage>(&payload) else {
            tracing::warn!(receipt = %stored, "stored application unreadable: left as it is");
            continue;
        };
        tx.execute(
            "UPDATE application SET applicant_kind = ?2 WHERE id = ?1",
            params![id, msg.applicant.kind().db_name()],
        )?;
        let Ok(receipt) = ReceiptNo::parse(&stored) else {
            continue;
        };
        let digits = receipt.digits();
        let normal = normalised_message(&msg, &receipt);
        let normal_json = serde_json::to_string(&normal).expect("messages serialize");
        let twin: Option<(i64, String)> = tx
            .query_row(
                "SELECT id, payload FROM application WHERE receipt_no = ?1 AND id != ?2",
                params![digits, id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        match twin {
            None => {
                tx.execute(
                    "UPDATE application SET receipt_no = ?2, payload = ?3 WHERE id = ?1",
                    params![id, digits, normal_json],
                )?;
            }
            Some((keep, other)) => {
                let same = serde_json::from_str::<ApplicationMessage>(&other)
                    .is_ok_and(|o| normalised_message(&o, &receipt) == normal);
                if same {
                    tx.execute(
                        "UPDATE status_change SET application_id = ?2 WHERE application_id = ?1",
                        params![id, keep],
                    )?;
                    tx.execute("DELETE FROM application WHERE id = ?1", [id])?;
                } else {
                    tracing::warn!(
                        receipt = %receipt,
                        "two different applications under one receipt number: both kept, please check"
                    );
                }
            }
        }
    }
    tx.execute(
        "UPDATE application SET closed_at = (SELECT MIN(s.at) FROM status_change s
            WHERE s.application_id = application.id AND s.status = 'replied')
         WHERE outcome IS NOT NULL",
        [],
    )?;
    let ratings: Vec<String> = tx
        .prepare("SELECT receipt_no FROM rating")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for stored in ratings {
        if let Ok(r) = ReceiptNo::parse(&stored)
            && r.digits() != stored
        {
            tx.execute(
                "UPDATE OR IGNORE rating SET receipt_no = ?2 WHERE receipt_no = ?1",
                params![stored, r.digits()],
            )?;
            tx.execute("DELETE FROM rating WHERE receipt_no = ?1", [stored])?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    /// The SQL of every released step, as released. A failure here means
    /// a released migration was edited: undo that and add a new step.
    #[test]
    fn released_migrations_are_never_edited() {
        assert_eq!(
            super::MIGRATIONS.fingerprints(),
            [
                "e1a728217884b642a4dce9dd10182845c97e206839f4f7898117a6c3f25fd87f",
                "a06c77af17f8745d677728f692d5be4cd53b9cf2ed8c67e9265c1e9e1588fba1+backfill",
                "79e895e36f0e3ebbec27eebe8b6220461646667c312f9ac8c52fdb15d1db1339+backfill",
                "c780628e61f8bf855854f59f0e470b92d1bf3ee3dc1c018b3808007b25dd32b9+backfill",
                "31e2f38349b25e15437403d3de4b9e23dc8a9cca464814ad4576be5c43c98fc2",
                "d5cb0c4ab8814b3bc69d933e4047f96bc218b9c437e8a2f771a2bb28c233183b",
            ]
        );
    }
}
