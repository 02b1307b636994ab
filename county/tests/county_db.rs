//! `county.db` as a file on disk: private to its owner (folder, database,
//! `-wal`, `-shm`), enrolment codes never in plain text, personal fields
//! purged after the archive period (status notes included) with the annual
//! report's counts kept,
//! and a database made by the first release (its exact schema, no
//! `user_version`) opened, migrated and kept.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use county::intake::{IntakePolicy, IntakeStore, ReplyOutcome};
use disclosure::requests::wire::ApplicationMessage;
use disclosure::requests::{DeviceNo, ReceiptNo};
use time::OffsetDateTime;

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

fn file_bytes(dir: &Path) -> Vec<u8> {
    let mut all = Vec::new();
    for suffix in ["county.db", "county.db-wal"] {
        if let Ok(b) = std::fs::read(dir.join(suffix)) {
            all.extend(b);
        }
    }
    all
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn application(receipt: &ReceiptNo) -> ApplicationMessage {
    ApplicationMessage {
        address: Some("云溪县石桥乡石桥村七组".into()),
        progress_token: None,
        ..common::sample_application(&receipt.digits())
    }
}

fn receipt(seq: u16) -> ReceiptNo {
    ReceiptNo::new(
        &"990521201201".parse().unwrap(),
        DeviceNo::new(1).unwrap(),
        "2026-11-23".parse().unwrap(),
        seq,
    )
    .unwrap()
}

#[test]
fn county_db_and_its_folder_are_private_to_their_owner() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("intake");
    let db = dir.join("county.db");
    let store = IntakeStore::open(&db).unwrap();
    // A write, so that the WAL and its index exist.
    store
        .new_enrol_code(
            &"990521201201".parse().unwrap(),
            DeviceNo::new(1).unwrap(),
            7,
            OffsetDateTime::now_utc(),
        )
        .unwrap();
    assert_eq!(mode(&dir), 0o700, "folder");
    for f in ["county.db", "county.db-wal", "county.db-shm"] {
        assert_eq!(mode(&dir.join(f)), 0o600, "{f}");
    }
    drop(store);

    // A database left readable by an earlier release is made private.
    let old = tmp.path().join("old.db");
    std::fs::write(&old, b"").unwrap();
    std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o644)).unwrap();
    IntakeStore::open(&old).unwrap();
    assert_eq!(mode(&old), 0o600);
}

#[test]
fn enrolment_codes_are_not_stored_in_plain_text() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("county.db");
    let store = IntakeStore::open(&db).unwrap();
    let now = OffsetDateTime::now_utc();
    let hall = "990521201201".parse().unwrap();
    let code = store
        .new_enrol_code(&hall, DeviceNo::new(1).unwrap(), 7, now)
        .unwrap();
    let digits: String = code.chars().filter(char::is_ascii_digit).collect();
    let bytes = file_bytes(tmp.path());
    assert!(!contains(&bytes, &code), "the code in plain text");
    assert!(
        !contains(&bytes, &digits),
        "the code's digits in plain text"
    );
    // The code still works, typed with or without its hyphens.
    assert!(
        store
            .enrol("0000-0000-0000", "990521201201", 1, now)
            .is_err()
    );
    store.enrol(&digits, "990521201201", 1, now).unwrap();
    assert!(
        store.enrol(&code, "990521201201", 1, now).is_err(),
        "one time only"
    );
}

#[test]
fn personal_fields_are_purged_after_the_archive_period() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("county.db");
    let policy = IntakePolicy {
        archive_days: 30,
        ..IntakePolicy::default()
    };
    let store = IntakeStore::open_with(&db, policy).unwrap();
    let t0 = OffsetDateTime::now_utc();
    let hall = "990521201201".parse().unwrap();
    let code = store
        .new_enrol_code(&hall, DeviceNo::new(1).unwrap(), 7, t0)
        .unwrap();
    let token = store.enrol(&code, "990521201201", 1, t0).unwrap().token;
    let terminal = store.terminal_of(&token, t0).unwrap();
    let (replied, open) = (receipt(1), receipt(2));
    for r in [&replied, &open] {
        store
            .receive(&terminal, &r.digits(), &application(r), t0)
            .unwrap();
    }
    store
        .reply(&replied, ReplyOutcome::Disclosed, "", t0)
        .unwrap();

    // Within the archive period nothing goes.
    assert_eq!(
        store.purge_closed(t0 + time::Duration::days(29)).unwrap(),
        0
    );
    // After it, the replied one loses its personal fields, in the file too.
    assert_eq!(
        store.purge_closed(t0 + time::Duration::days(31)).unwrap(),
        1
    );
    let rows = store.applications().unwrap();
    let purged = rows.iter().find(|a| a.receipt_no == replied).unwrap();
    let kept = rows.iter().find(|a| a.receipt_no == open).unwrap();
    assert_eq!(purged.applicant, "");
    assert!(purged.purged_at.is_some());
    assert_eq!(kept.applicant, "王秀英", "not replied: kept");
    // What the annual report counts stays.
    assert_eq!(purged.applicant_kind, "person");
    assert_eq!(purged.body_name, "石桥乡人民政府");
    assert_eq!(purged.received_at, "2026-11-23 09:05:00+08:00");
    assert_eq!(purged.outcome.as_deref(), Some("予以公开"));
    assert!(purged.closed_at.is_some());
    let (msg, changes) = store.application(&replied).unwrap();
    assert_eq!(msg.phone, "");
    assert_eq!(changes.len(), 1);
    drop(store);
    // Only the open application's copy of the shared details remains.
    let store = IntakeStore::open(&db).unwrap();
    store.purge_closed(t0).unwrap();
    drop(store);
    let bytes = file_bytes(tmp.path());
    let count = |needle: &str| {
        bytes
            .windows(needle.len())
            .filter(|w| *w == needle.as_bytes())
            .count()
    };
    assert_eq!(
        count("云溪县石桥乡石桥村七组"),
        1,
        "one address left in the file"
    );
}

#[test]
fn bug_status_change_notes_outlived_the_purge_of_personal_fields() {
    use county::intake::ApplicationRow;
    use disclosure::requests::wire::{REPLY_TYPES, note_after_purge};
    // The reply types the county writes are the ones the purge keeps.
    for o in ReplyOutcome::ALL {
        assert!(REPLY_TYPES.contains(&o.name()), "{}", o.name());
        assert_eq!(
            note_after_purge("replied", &format!("{}：见附件", o.name())),
            o.name()
        );
    }
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("county.db");
    let policy = IntakePolicy {
        archive_days: 30,
        ..IntakePolicy::default()
    };
    let store = IntakeStore::open_with(&db, policy).unwrap();
    let t0 = OffsetDateTime::now_utc();
    let hall = "990521201201".parse().unwrap();
    let code = store
        .new_enrol_code(&hall, DeviceNo::new(1).unwrap(), 7, t0)
        .unwrap();
    let token = store.enrol(&code, "990521201201", 1, t0).unwrap().token;
    let terminal = store.terminal_of(&token, t0).unwrap();
    let r = receipt(1);
    let app = ApplicationMessage {
        deadline: Some("2026-12-01".into()),
        ..application(&r)
    };
    store.receive(&terminal, &r.digits(), &app, t0).unwrap();
    let calendar =
        disclosure::calendar::WorkingDayCalendar::new(disclosure::calendar::builtin_schedules());
    let new_date = store
        .extend(&r, 10, "需征求第三方赵德胜的意见", &calendar, t0)
        .unwrap();
    store
        .add_status(
            &r,
            disclosure::requests::ApplicationStatus::Processing,
            "已转钱秀兰经办",
            t0,
        )
        .unwrap();
    store
        .reply(
            &r,
            ReplyOutcome::PartlyDisclosed,
            "涉及孙志强的个人隐私部分不予公开",
            t0,
        )
        .unwrap();
    let row = |s: &IntakeStore| -> ApplicationRow {
        s.applications()
            .unwrap()
            .into_iter()
            .find(|a| a.receipt_no == r)
            .unwrap()
    };
    let statuses = |s: &IntakeStore| -> Vec<(i64, String, String)> {
        s.application(&r)
            .unwrap()
            .1
            .into_iter()
            .map(|c| (c.cursor, c.status, c.at))
            .collect()
    };
    let (before_row, before_statuses) = (row(&store), statuses(&store));
    assert_eq!(before_statuses.len(), 3);

    assert_eq!(
        store.purge_closed(t0 + time::Duration::days(31)).unwrap(),
        1
    );
    // The notes keep the reply type and the new date, nothing staff typed.
    let notes: Vec<String> = store
        .application(&r)
        .unwrap()
        .1
        .into_iter()
        .map(|c| c.note)
        .collect();
    assert_eq!(
        notes,
        [
            format!("延期至{}", new_date.chinese()),
            String::new(),
            "部分公开".into()
        ]
    );
    // The same to a terminal asking again.
    let pulled = store.changes_since(&terminal, 0, 10).unwrap();
    assert!(pulled.changes.iter().all(|c| !c.note.contains("赵德胜")));
    // What the annual report counts is unchanged: statuses and their
    // times, kind, body, dates, outcome, extension.
    assert_eq!(statuses(&store), before_statuses);
    let after = row(&store);
    assert_eq!(
        (
            &after.applicant_kind,
            &after.body_name,
            &after.received_at,
            &after.deadline,
            after.extended,
            &after.outcome,
            &after.status,
            &after.closed_at,
        ),
        (
            &before_row.applicant_kind,
            &before_row.body_name,
            &before_row.received_at,
            &before_row.deadline,
            before_row.extended,
            &before_row.outcome,
            &before_row.status,
            &before_row.closed_at,
        )
    );
    // Gone from the file too.
    drop(store);
    let bytes = file_bytes(tmp.path());
    for name in ["赵德胜", "钱秀兰", "孙志强"] {
        assert!(!contains(&bytes, name), "{name} still in county.db");
    }
}

#[test]
fn bug_notes_of_applications_purged_by_an_earlier_version_were_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("county.db");
    let store = IntakeStore::open(&db).unwrap();
    let t0 = OffsetDateTime::now_utc();
    let hall = "990521201201".parse().unwrap();
    let code = store
        .new_enrol_code(&hall, DeviceNo::new(1).unwrap(), 7, t0)
        .unwrap();
    let token = store.enrol(&code, "990521201201", 1, t0).unwrap().token;
    let terminal = store.terminal_of(&token, t0).unwrap();
    let r = receipt(1);
    store
        .receive(&terminal, &r.digits(), &application(&r), t0)
        .unwrap();
    store
        .reply(&r, ReplyOutcome::NotDisclosed, "涉及孙志强的个人隐私", t0)
        .unwrap();
    drop(store);
    // As a county.db of schema 5 was left by its purge: personal fields
    // gone, the reply's reason kept.
    {
        let c = rusqlite::Connection::open(&db).unwrap();
        c.execute(
            "UPDATE application SET purged_at = ?1",
            [disclosure::requests::store::format_time(t0)],
        )
        .unwrap();
        c.pragma_update(None, "user_version", 5).unwrap();
    }
    let store = IntakeStore::open(&db).unwrap();
    let notes: Vec<String> = store
        .application(&r)
        .unwrap()
        .1
        .into_iter()
        .map(|c| c.note)
        .collect();
    assert_eq!(notes, ["不予公开"]);
    drop(store);
    assert!(!contains(&file_bytes(tmp.path()), "孙志强"));
}

/// The schema of the first release, exactly as its `intake.rs` had it.
const FIRST_RELEASE_SCHEMA: &str = r#"
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
"#;

#[test]
fn county_db_of_the_first_release_migrates_keeps_its_rows_and_hashes_its_codes() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("county.db");
    let token = "a".repeat(64);
    let token_hash = disclosure::feed::sha256_hex(token.as_bytes());
    let now = OffsetDateTime::now_utc();
    let later = disclosure::requests::store::format_time(now + time::Duration::days(7));
    let r1 = receipt(1);
    let r2 = receipt(2);
    {
        // As the first release wrote it: WAL, no user_version.
        let c = rusqlite::Connection::open(&db).unwrap();
        c.pragma_update(None, "journal_mode", "WAL").unwrap();
        c.execute_batch(FIRST_RELEASE_SCHEMA).unwrap();
        c.execute(
            "INSERT INTO enrol_code VALUES ('1234-5678-9012', '990521201201', 2, '2026-11-20 09:00:00+08:00', ?1, NULL)",
            [&later],
        )
        .unwrap();
        c.execute(
            "INSERT INTO terminal VALUES ('990521201201-01', '990521201201', 1, ?1, '2026-11-01 09:00:00+08:00', NULL, NULL)",
            [&token_hash],
        )
        .unwrap();
        for (r, stored) in [(&r1, r1.digits()), (&r2, r2.to_string())] {
            let mut app = application(r);
            app.receipt_no = stored.clone();
            c.execute(
                "INSERT INTO application(receipt_no, terminal_id, received_at, delivered_at, body_name, deadline, payload)
                 VALUES (?1, '990521201201-01', '2026-11-23 09:05:00+08:00', '2026-11-23 09:06:00+08:00', '石桥乡人民政府', '2026-12-21', ?2)",
                (stored, serde_json::to_string(&app).unwrap()),
            )
            .unwrap();
        }
        c.execute(
            "INSERT INTO status_change(application_id, status, at, note) VALUES (1, 'replied', '2026-11-25 10:00:00+08:00', '予以公开')",
            [],
        )
        .unwrap();
        c.execute(
            "UPDATE application SET outcome = 'disclosed' WHERE id = 1",
            [],
        )
        .unwrap();
        c.execute(
            "INSERT INTO rating VALUES (?1, 5, '2026-11-23 09:07:00+08:00')",
            [r2.to_string()],
        )
        .unwrap();
        let v: i64 = c
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(v, 0);
    }

    let store = IntakeStore::open(&db).unwrap();
    let c = rusqlite::Connection::open(&db).unwrap();
    let v: i64 = c
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(v as usize, IntakeStore::current_schema_version());
    // Rows kept: the terminal and its token, both applications (the one
    // stored with hyphens now under its digits), history, rating.
    let terminal = store.terminal_of(&token, now).unwrap();
    assert_eq!(terminal.id, "990521201201-01");
    let apps = store.applications().unwrap();
    assert_eq!(apps.len(), 2);
    assert_eq!(store.count_of(&r2.digits()).unwrap(), 1);
    let (msg, _) = store.application(&r2).unwrap();
    assert_eq!(msg.receipt_no, r2.digits());
    let replied = apps.iter().find(|a| a.receipt_no == r1).unwrap();
    assert_eq!(
        replied.closed_at.as_deref(),
        Some("2026-11-25 10:00:00+08:00")
    );
    assert_eq!(replied.applicant_kind, "person");
    let rating: String = c
        .query_row("SELECT receipt_no FROM rating", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rating, r2.digits());
    // The plain code is gone from the file, and still enrols its terminal.
    drop(c);
    let bytes = file_bytes(tmp.path());
    assert!(!contains(&bytes, "1234-5678-9012"));
    store
        .enrol("1234-5678-9012", "990521201201", 2, now)
        .unwrap();
    // Opening again changes nothing.
    drop(store);
    let store = IntakeStore::open(&db).unwrap();
    assert_eq!(store.applications().unwrap().len(), 2);
    assert_eq!(store.terminals().unwrap().len(), 2);
}

/// `tests/data/county-v5.sql`: a county.db written by the release before
/// the stores shared one migration runner (schema 5), dumped with
/// `sqlite3 .dump`: terminal 01 enrolled on 2026-11-20 (token below) with
/// a health report, terminal 02 revoked, an unused code for terminal 03,
/// two applications (one with a progress token: registered, replied,
/// rated 5; one stored under a hyphenated number: extended).
#[test]
fn county_db_of_the_release_before_opens_and_keeps_its_rows() {
    const TOKEN: &str = "fe20334ec0e05d4028895d1bd38ed0b0289a8520f630205b5eb6d2935e100682";
    const REVOKED: &str = "e8e221571387471c40e5a0ce3de6bc45f25f90c74199906e7293866b3b64b949";
    const UNUSED_CODE: &str = "9407-7976-2997";
    const PROGRESS_TOKEN: &str = "afcbcabcababcgbbcdaaabfc";
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("county.db");
    {
        let c = rusqlite::Connection::open(&db).unwrap();
        c.execute_batch(include_str!("data/county-v5.sql")).unwrap();
        let v: i64 = c
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(v, 5);
    }
    let at =
        |s: &str| OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).unwrap();
    let now = at("2026-12-16T09:00:00+08:00");
    let store = IntakeStore::open(&db).unwrap();
    // The terminals, the first with its last health report.
    let terminals = store.terminals().unwrap();
    assert_eq!(terminals.len(), 2);
    let health = terminals[0]
        .health
        .clone()
        .expect("the health report is kept");
    assert_eq!(health.feed_version, Some(7));
    assert_eq!(health.printer, disclosure::requests::PrinterHealth::NearEnd);
    assert_eq!(
        terminals[1].revoked_at.as_deref(),
        Some("2026-12-01 10:00:00+08:00")
    );
    // Its token still works; the revoked one does not.
    let terminal = store.terminal_of(TOKEN, now).unwrap();
    assert_eq!(terminal.id, "990521201201-01");
    assert!(matches!(
        store.terminal_of(REVOKED, now),
        Err(county::intake::IntakeError::Revoked)
    ));
    // Both applications, their history, the reply, the extension.
    let apps = store.applications().unwrap();
    assert_eq!(apps.len(), 2);
    let (r1, r2) = (receipt(1), receipt(2));
    let replied = apps.iter().find(|a| a.receipt_no == r1).unwrap();
    assert_eq!(replied.outcome.as_deref(), Some("予以公开"));
    assert_eq!(replied.applicant_kind, "person");
    assert_eq!(
        replied.closed_at.as_deref(),
        Some("2026-11-30 15:00:00+08:00")
    );
    let extended = apps.iter().find(|a| a.receipt_no == r2).unwrap();
    assert!(extended.extended);
    assert_eq!(extended.applicant_kind, "organisation");
    assert_eq!(extended.deadline, Some("2026-12-28".parse().unwrap()));
    let (msg, changes) = store.application(&r1).unwrap();
    assert_eq!(msg.phone, "13800138000");
    assert_eq!(changes.len(), 2);
    // The terminal's status pull continues from its cursor.
    let page = store.changes_since(&terminal, 2, 100).unwrap();
    assert_eq!(page.changes.len(), 1);
    assert_eq!(page.changes[0].status, "extended");
    // The public page still answers to the progress token.
    let progress = store.public_progress(PROGRESS_TOKEN).unwrap().unwrap();
    assert_eq!(progress.stages.len(), 3);
    // A second delivery of a kept application is acknowledged, not doubled.
    let mut again = common::sample_application(&r1.digits());
    again.received_at = "2026-11-23 09:05:00+08:00".into();
    let ack = store.receive(&terminal, &r1.digits(), &again, now).unwrap();
    assert!(!ack.created);
    assert_eq!(ack.received_at, "2026-11-23 09:06:00+08:00");
    // The unused code still enrols its terminal, once.
    store
        .enrol(
            UNUSED_CODE,
            "990521201201",
            3,
            at("2026-12-01T09:00:00+08:00"),
        )
        .unwrap();
    assert!(
        store
            .enrol(
                UNUSED_CODE,
                "990521201201",
                3,
                at("2026-12-01T09:00:00+08:00")
            )
            .is_err()
    );
    // Opening again changes nothing.
    drop(store);
    let store = IntakeStore::open(&db).unwrap();
    assert_eq!(store.applications().unwrap().len(), 2);
    assert_eq!(store.terminals().unwrap().len(), 3);
    let c = rusqlite::Connection::open(&db).unwrap();
    let v: i64 = c
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(v as usize, IntakeStore::current_schema_version());
}
