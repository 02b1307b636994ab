//! The `content.db` schema as an ordered list of migrations
//! (`crate::sqlite`: one transaction per step under `PRAGMA user_version`).
//!
//! RELEASED MIGRATIONS ARE NEVER EDITED, REORDERED OR REMOVED: a change to
//! the schema is a new step at the end, which upgrades older files in
//! place. `released_migrations_are_never_edited` below pins each step's SQL.

use rusqlite::Transaction;

use super::StoreError;
use crate::sqlite::{Migration, Migrations};

pub(crate) static MIGRATIONS: Migrations<StoreError> = Migrations {
    file: "content.db",
    steps: STEPS,
};

static STEPS: &[Migration<StoreError>] = &[
    // 1: regions, domains, catalog items, documents, guides, notices.
    Migration::with_backfill(
        r#"
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE region (
    code   TEXT PRIMARY KEY,
    name   TEXT NOT NULL,
    level  TEXT NOT NULL CHECK (level IN ('county', 'township', 'village')),
    parent TEXT REFERENCES region(code)
) STRICT;

CREATE TABLE domain (
    code INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
) STRICT;

CREATE TABLE catalog_item (
    id             INTEGER PRIMARY KEY,
    item_key       TEXT NOT NULL UNIQUE,
    region_code    TEXT NOT NULL REFERENCES region(code),
    domain_code    INTEGER NOT NULL REFERENCES domain(code),
    column1        TEXT NOT NULL,
    column2        TEXT,
    column3        TEXT,
    name           TEXT NOT NULL,
    content        TEXT NOT NULL,
    basis          TEXT,
    time_limit     TEXT NOT NULL,
    publisher      TEXT NOT NULL,
    mode_bits      INTEGER NOT NULL CHECK (mode_bits BETWEEN 1 AND 3),
    channel        TEXT,
    audience       TEXT NOT NULL CHECK (audience IN ('public', 'specific')),
    level_bits     INTEGER NOT NULL CHECK (level_bits BETWEEN 1 AND 7),
    office         TEXT,
    contact_person TEXT,
    contact_phone  TEXT,
    updated        TEXT NOT NULL,
    source         TEXT NOT NULL
) STRICT;
CREATE INDEX catalog_item_by_domain ON catalog_item(domain_code, region_code);

CREATE TABLE document (
    id              INTEGER PRIMARY KEY,
    doc_key         TEXT NOT NULL UNIQUE,
    region_code     TEXT NOT NULL REFERENCES region(code),
    domain_code     INTEGER NOT NULL REFERENCES domain(code),
    title           TEXT NOT NULL,
    doc_no          TEXT,
    issuer          TEXT NOT NULL,
    issued          TEXT NOT NULL,
    effective_from  TEXT,
    effective_until TEXT,
    status          TEXT NOT NULL CHECK (status IN ('valid', 'amended', 'repealed')),
    body            TEXT NOT NULL
) STRICT;
CREATE INDEX document_by_issued ON document(issued);

CREATE TABLE blob (
    sha256 TEXT PRIMARY KEY,
    bytes  BLOB NOT NULL
) STRICT;

CREATE TABLE attachment (
    document_id INTEGER NOT NULL REFERENCES document(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    file_name   TEXT NOT NULL,
    sha256      TEXT NOT NULL REFERENCES blob(sha256),
    size        INTEGER NOT NULL,
    PRIMARY KEY (document_id, position)
) STRICT;

CREATE TABLE interpretation (
    id          INTEGER PRIMARY KEY,
    interp_key  TEXT NOT NULL UNIQUE,
    region_code TEXT NOT NULL REFERENCES region(code),
    document_id INTEGER NOT NULL REFERENCES document(id) ON DELETE CASCADE,
    title       TEXT NOT NULL,
    form        TEXT NOT NULL CHECK (form IN ('text', 'graphic', 'qa')),
    published   TEXT NOT NULL,
    issuer      TEXT NOT NULL,
    body        TEXT NOT NULL
) STRICT;
CREATE INDEX interpretation_by_document ON interpretation(document_id);

CREATE TABLE service_guide (
    id          INTEGER PRIMARY KEY,
    guide_key   TEXT NOT NULL UNIQUE,
    region_code TEXT NOT NULL REFERENCES region(code),
    domain_code INTEGER NOT NULL REFERENCES domain(code),
    name        TEXT NOT NULL,
    agency      TEXT NOT NULL,
    place       TEXT NOT NULL,
    hours       TEXT NOT NULL,
    phone       TEXT NOT NULL,
    time_limit  TEXT NOT NULL,
    fee         TEXT NOT NULL,
    body        TEXT NOT NULL
) STRICT;

CREATE TABLE notice (
    id          INTEGER PRIMARY KEY,
    notice_key  TEXT NOT NULL UNIQUE,
    region_code TEXT NOT NULL REFERENCES region(code),
    kind        TEXT NOT NULL CHECK (kind IN ('announcement', 'consultation', 'open_day')),
    title       TEXT NOT NULL,
    issuer      TEXT NOT NULL,
    published   TEXT NOT NULL,
    closes      TEXT,
    domain_code INTEGER REFERENCES domain(code),
    body        TEXT NOT NULL
) STRICT;
CREATE INDEX notice_by_published ON notice(published);
"#,
        insert_domains,
    ),
    // 2: the search index over items, documents, interpretations, guides and
    // notices; an older file gets its index built from the rows it holds.
    Migration::with_backfill(
        r#"
CREATE TABLE search_doc (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('item', 'document', 'interpretation', 'guide', 'notice')),
    record_key  TEXT NOT NULL,
    region_code TEXT NOT NULL,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL
) STRICT;
CREATE INDEX search_doc_by_key ON search_doc(record_key);

CREATE VIRTUAL TABLE search_fts USING fts5(
    title, body,
    content = '', contentless_delete = 1, detail = column, tokenize = 'ascii'
);
"#,
        crate::search::index::rebuilt_by_step_4,
    ),
    // 3: whether an item's update date is its own or the catalog's
    // publication date (items already stored keep theirs as their own).
    Migration::sql(
        r#"
ALTER TABLE catalog_item ADD COLUMN updated_stated INTEGER NOT NULL DEFAULT 1
    CHECK (updated_stated IN (0, 1));
"#,
    ),
    // 4: the searched text kept once. `search_doc` becomes a view over the
    // content tables (its text was a second copy of theirs), its id names
    // the kind and the row (`rank << 29 | rowid`); the gram index keeps no
    // positions or columns (`detail=none`), titles' grams a second time
    // with a `t` in front. The index is rebuilt from the rows.
    Migration::with_backfill(
        r#"
DROP TABLE search_doc;
DROP TABLE search_fts;

CREATE VIRTUAL TABLE search_fts USING fts5(
    grams,
    content = '', detail = none, columnsize = 0, tokenize = 'ascii'
);

CREATE VIEW search_doc(id, kind, record_key, region_code, title, body) AS
    SELECT id, 'item', item_key, region_code, name,
        concat_ws(char(10), column1, column2, column3, content, basis, time_limit,
                  publisher, channel, office, contact_phone)
    FROM catalog_item
    UNION ALL
    SELECT (1 << 29) | id, 'guide', guide_key, region_code, name,
        concat_ws(char(10), agency, place, hours, phone, time_limit, fee, body)
    FROM service_guide
    UNION ALL
    SELECT (2 << 29) | id, 'document', doc_key, region_code, title,
        concat_ws(char(10), doc_no, issuer, body)
    FROM document
    UNION ALL
    SELECT (3 << 29) | id, 'interpretation', interp_key, region_code, title,
        concat_ws(char(10), issuer, body)
    FROM interpretation
    UNION ALL
    SELECT (4 << 29) | id, 'notice', notice_key, region_code, title,
        concat_ws(char(10), issuer, body)
    FROM notice;
"#,
        crate::search::index::rebuild,
    ),
    // 5: search ids nearest first (`nearness << 30 | rank << 27 | rowid`,
    // nearness 0 for a village's record, 1 a township's, 2 the county's):
    // a terminal's own village and township come before the county in
    // every tier of results. The index is rebuilt with the new ids.
    Migration::with_backfill(
        r#"
DROP VIEW search_doc;

CREATE VIEW search_doc(id, kind, record_key, region_code, title, body) AS
    SELECT ((CASE length(region_code) WHEN 12 THEN 0 WHEN 9 THEN 1 ELSE 2 END) << 30) | id,
        'item', item_key, region_code, name,
        concat_ws(char(10), column1, column2, column3, content, basis, time_limit,
                  publisher, channel, office, contact_phone)
    FROM catalog_item
    UNION ALL
    SELECT ((CASE length(region_code) WHEN 12 THEN 0 WHEN 9 THEN 1 ELSE 2 END) << 30)
        | (1 << 27) | id, 'guide', guide_key, region_code, name,
        concat_ws(char(10), agency, place, hours, phone, time_limit, fee, body)
    FROM service_guide
    UNION ALL
    SELECT ((CASE length(region_code) WHEN 12 THEN 0 WHEN 9 THEN 1 ELSE 2 END) << 30)
        | (2 << 27) | id, 'document', doc_key, region_code, title,
        concat_ws(char(10), doc_no, issuer, body)
    FROM document
    UNION ALL
    SELECT ((CASE length(region_code) WHEN 12 THEN 0 WHEN 9 THEN 1 ELSE 2 END) << 30)
        | (3 << 27) | id, 'interpretation', interp_key, region_code, title,
        concat_ws(char(10), issuer, body)
    FROM interpretation
    UNION ALL
    SELECT ((CASE length(region_code) WHEN 12 THEN 0 WHEN 9 THEN 1 ELSE 2 END) << 30)
        | (4 << 27) | id, 'notice', notice_key, region_code, title,
        concat_ws(char(10), issuer, body)
    FROM notice;
"#,
        crate::search::index::rebuild,
    ),
];

fn insert_domains(tx: &Transaction<'_>) -> Result<(), StoreError> {
    let mut stmt = tx.prepare("INSERT INTO domain(code, name) VALUES (?1, ?2)")?;
    for d in crate::Domain::all() {
        stmt.execute((d.code(), d.name()))?;
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
                "225ea3730942e169a127da1340ab0a29b6d513b883ab2d44e18119842d46b360+backfill",
                "b88ffa583a8e4e65c322463b93ac04dafbe378f2b64cd06853b1f501b8528d6d+backfill",
                "b84c80e6f07eee431bcca2fa6f1fba62637ee065f432ce07f245bc32524d439f",
                "227fce73a300c096e7d095f4c804179e2c12b445902f39009c5180c0d18381e9+backfill",
                "f59e83e8e3dba095d996731313a1e5bcd2c6ebcd1d0811a69919f0c002355949+backfill",
            ]
        );
    }
}
