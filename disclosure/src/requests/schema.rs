//! The `requests.db` schema as an ordered list of migrations
//! (`crate::sqlite`: one transaction per step under `PRAGMA user_version`).
//!
//! RELEASED MIGRATIONS ARE NEVER EDITED, REORDERED OR REMOVED: a change to
//! the schema is a new step at the end, which upgrades older files in
//! place. `released_migrations_are_never_edited` below pins each step's SQL.

use super::store::RequestError;
use crate::sqlite::{Migration, Migrations};

pub(crate) static MIGRATIONS: Migrations<RequestError> = Migrations {
    file: "requests.db",
    steps: STEPS,
};

static STEPS: &[Migration<RequestError>] = &[
    // 1: applications, their status history, outbox, prints, ratings.
    Migration::sql(
        r#"
CREATE TABLE application (
    id              INTEGER PRIMARY KEY,
    receipt_no      TEXT NOT NULL UNIQUE,
    hall_region     TEXT NOT NULL,
    device          INTEGER NOT NULL,
    receipt_date    TEXT NOT NULL,
    sequence        INTEGER NOT NULL,
    received_at     TEXT NOT NULL,
    channel         TEXT NOT NULL,
    staff_assisted  INTEGER NOT NULL CHECK (staff_assisted IN (0, 1)),
    applicant_kind  TEXT NOT NULL CHECK (applicant_kind IN ('person', 'organisation')),
    -- Personal fields: set to NULL once the county has the application.
    name            TEXT,
    id_kind         TEXT,
    id_number       TEXT,
    credit_code     TEXT,
    contact_person  TEXT,
    phone           TEXT,
    address         TEXT,
    email           TEXT,
    -- Masked forms for screens and reprints, kept after the purge.
    name_masked     TEXT NOT NULL,
    id_masked       TEXT NOT NULL,
    phone_masked    TEXT NOT NULL,
    item_key        TEXT,
    document_key    TEXT,
    linked_title    TEXT,
    doc_no          TEXT,
    description     TEXT NOT NULL,
    provide_form    TEXT NOT NULL CHECK (provide_form IN ('paper', 'electronic')),
    delivery        TEXT NOT NULL CHECK (delivery IN ('collect', 'post', 'email')),
    body_name       TEXT NOT NULL,
    body_region     TEXT NOT NULL,
    deadline        TEXT,
    deadline_unknown_year INTEGER,
    purged_at       TEXT,
    UNIQUE (hall_region, device, receipt_date, sequence)
) STRICT;
CREATE INDEX application_by_date ON application(receipt_date);

CREATE TABLE status_change (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES application(id),
    at             TEXT NOT NULL,
    status         TEXT NOT NULL,
    note           TEXT NOT NULL DEFAULT '',
    source         TEXT NOT NULL CHECK (source IN ('terminal', 'county'))
) STRICT;
CREATE INDEX status_change_by_application ON status_change(application_id);

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    application_id  INTEGER NOT NULL REFERENCES application(id),
    kind            TEXT NOT NULL CHECK (kind IN ('application', 'rating')),
    created_at      TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    delivered_at    TEXT,
    last_error      TEXT,
    UNIQUE (application_id, kind)
) STRICT;

CREATE TABLE print_log (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES application(id),
    at             TEXT NOT NULL,
    reprint        INTEGER NOT NULL CHECK (reprint IN (0, 1)),
    outcome        TEXT NOT NULL CHECK (outcome IN ('printed', 'failed', 'shown_on_screen')),
    detail         TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE rating (
    application_id INTEGER PRIMARY KEY REFERENCES application(id),
    level          INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
    at             TEXT NOT NULL
) STRICT;
"#,
    ),
    // 2: what the kiosk and the agent record about the device (the
    // printer's state, the status cursor).
    Migration::sql(
        r#"
CREATE TABLE device_state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    at    TEXT NOT NULL
) STRICT;
"#,
    ),
    // 3: the receipt's second factor (`access.rs`): the 查询密码 as a salted
    // hash and the QR code's progress token, both kept after the purge of
    // personal fields; wrong tries and the pause after too many.
    // Applications saved before this step have neither: stages only.
    Migration::sql(
        r#"
ALTER TABLE application ADD COLUMN pin_salt TEXT;
ALTER TABLE application ADD COLUMN pin_sha256 TEXT;
ALTER TABLE application ADD COLUMN progress_token TEXT;
ALTER TABLE application ADD COLUMN pin_failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE application ADD COLUMN pin_locked_until TEXT;
"#,
    ),
];

#[cfg(test)]
mod tests {
    /// The SQL of every released step, as released. A failure here means
    /// a released migration was edited: undo that and add a new step.
    #[test]
    fn released_migrations_are_never_edited() {
        assert_eq!(
            super::MIGRATIONS.fingerprints(),
            [
                "6143dc646946ff3d5a40e21a5b390dce6b740dffe4e7cdc2f927d875c902f6e6",
                "b2334816d9a81cf637f06bdaba6b581f291f220ead6b7b41d38a107c1bc8c290",
                "638fc4a41bc9870830a3551be55e5cf13f738d0ceeae7daf74d014994df8b0d8",
            ]
        );
    }
}
