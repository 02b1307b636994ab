//! The public progress page (`/gk/progress/…`, where the receipt's QR code
//! leads) over real HTTP on 127.0.0.1: it answers only to an application's
//! random progress token, shows stages by day and nothing else, and says
//! the same to a receipt number, an unknown token and nonsense. Also: the
//! token on the wire (retries, conflicts, older terminals without it) and
//! a `county.db` from before the token column.

mod common;

use std::path::Path;

use county::intake::{IntakeStore, ReplyOutcome, Terminal};
use disclosure::requests::wire::ApplicationMessage;
use disclosure::requests::{ApplicationStatus, DeviceNo, ReceiptNo};
use time::macros::datetime;

const TOKEN: &str = "k7dq2mfxw3pzrj5tbv6hnc4s";

fn receipt(sequence: u16) -> ReceiptNo {
    ReceiptNo::new(
        &"990521201201".parse().unwrap(),
        DeviceNo::new(1).unwrap(),
        "2026-11-23".parse().unwrap(),
        sequence,
    )
    .unwrap()
}

fn application(no: &ReceiptNo, token: Option<&str>) -> ApplicationMessage {
    ApplicationMessage {
        received_at: "2026-11-23 09:05:07+08:00".into(),
        progress_token: token.map(str::to_string),
        ..common::sample_application(&no.digits())
    }
}

/// An enrolled terminal 990521201201-01 in `db`.
fn enrolled(db: &Path) -> (IntakeStore, Terminal) {
    let intake = IntakeStore::open(db).unwrap();
    let now = datetime!(2026-11-23 08:00 +8);
    let code = intake
        .new_enrol_code(
            &"990521201201".parse().unwrap(),
            DeviceNo::new(1).unwrap(),
            7,
            now,
        )
        .unwrap();
    let issued = intake.enrol(&code, "990521201201", 1, now).unwrap();
    let terminal = intake.terminal_of(&issued.token, now).unwrap();
    (intake, terminal)
}

/// `county serve`'s router on a free port of 127.0.0.1.
async fn serve(dir: &Path) -> u16 {
    std::fs::create_dir_all(dir.join("repo")).unwrap();
    let opts = county::serve::ServeOptions {
        listen: "127.0.0.1:0".parse().unwrap(),
        repo: dir.join("repo"),
        database: dir.join("county.db"),
        content: None,
        staff_key: String::new(),
        limits: Default::default(),
        policy: Default::default(),
    };
    common::serve_in_process(&opts).await
}

async fn get(port: u16, path: &str) -> (u16, String) {
    let resp = reqwest::get(format!("http://127.0.0.1:{port}{path}"))
        .await
        .unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

/// One application with a token, registered, extended with a reason
/// naming a third party, and replied to.
fn replied_application(intake: &IntakeStore, terminal: &Terminal) -> ReceiptNo {
    let no = receipt(1);
    let at = datetime!(2026-11-23 09:10 +8);
    intake
        .receive(terminal, &no.digits(), &application(&no, Some(TOKEN)), at)
        .unwrap();
    intake
        .add_status(&no, ApplicationStatus::Registered, "", at)
        .unwrap();
    intake
        .reply(
            &no,
            ReplyOutcome::NotDisclosed,
            "涉及第三方张三的个人隐私",
            datetime!(2026-12-01 15:42 +8),
        )
        .unwrap();
    no
}

#[tokio::test]
async fn the_public_progress_page_cannot_be_enumerated_by_receipt_number() {
    let dir = tempfile::tempdir().unwrap();
    let (intake, terminal) = enrolled(&dir.path().join("county.db"));
    let no = replied_application(&intake, &terminal);
    let port = serve(dir.path()).await;

    // The number, as the QR codes of older receipts carried it, and as
    // anyone can count through them: the same answer as for a number
    // that does not exist, an unknown token, or nonsense.
    let by_number = get(port, &format!("/gk/progress/{}", no.digits())).await;
    let unknown_number = get(port, &format!("/gk/progress/{}", receipt(2).digits())).await;
    let unknown_token = get(port, "/gk/progress/aaaaaaaaaaaaaaaaaaaaaaaa").await;
    let nonsense = get(port, "/gk/progress/1234").await;
    assert_eq!(by_number.0, 404, "{}", by_number.1);
    for other in [&unknown_number, &unknown_token, &nonsense] {
        assert_eq!(other, &by_number, "the page tells these apart");
    }
    assert!(
        !by_number.1.contains("石桥乡人民政府") && !by_number.1.contains("已答复"),
        "{}",
        by_number.1
    );
}

#[tokio::test]
async fn the_public_progress_page_shows_stages_by_day_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let (intake, terminal) = enrolled(&dir.path().join("county.db"));
    let no = replied_application(&intake, &terminal);
    let port = serve(dir.path()).await;

    let (status, page) = get(port, &format!("/gk/progress/{TOKEN}")).await;
    assert_eq!(status, 200, "{page}");
    for want in [
        "已提交",
        "已登记",
        "已答复",
        "2026年11月23日",
        "2026年12月1日",
    ] {
        assert!(page.contains(want), "lacks {want}: {page}");
    }
    for never in [
        "石桥乡人民政府", // the receiving body
        "09:05",          // times of day
        "15:42",
        "张三", // the reply's reasons
        "不予公开",
        "王", // the applicant
        "低保",
        &no.digits(), // the number itself
    ] {
        assert!(!page.contains(never), "shows {never}: {page}");
    }
}

#[test]
fn the_token_is_kept_as_its_hash_and_a_retry_must_carry_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("county.db");
    let (intake, terminal) = enrolled(&db);
    let no = replied_application(&intake, &terminal);
    let at = datetime!(2026-11-23 09:20 +8);
    // A retry with the same token is the same application.
    let again = intake
        .receive(&terminal, &no.digits(), &application(&no, Some(TOKEN)), at)
        .unwrap();
    assert!(!again.created);
    // Another token, or none, under the same number: a conflict.
    for other in [Some("bbbbbbbbbbbbbbbbbbbbbbbb"), None] {
        let err = intake
            .receive(&terminal, &no.digits(), &application(&no, other), at)
            .unwrap_err();
        assert!(
            matches!(err, county::intake::IntakeError::Conflict(_)),
            "{err}"
        );
    }
    // Another number with a token already taken: refused.
    let taken = intake
        .receive(
            &terminal,
            &receipt(4).digits(),
            &application(&receipt(4), Some(TOKEN)),
            at,
        )
        .unwrap_err();
    assert!(
        matches!(taken, county::intake::IntakeError::Conflict(_)),
        "{taken}"
    );
    // Not the shape of a token: refused.
    let bad = intake
        .receive(
            &terminal,
            &receipt(3).digits(),
            &application(&receipt(3), Some("1234")),
            at,
        )
        .unwrap_err();
    assert!(
        matches!(bad, county::intake::IntakeError::Invalid(_)),
        "{bad}"
    );
    // The token is nowhere in county.db as such.
    drop(intake);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let dump: String = conn
        .query_row(
            "SELECT group_concat(payload || coalesce(progress_token_sha256, ''), '|')
             FROM application",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(!dump.contains(TOKEN), "{dump}");
}

#[tokio::test]
async fn a_county_db_from_before_tokens_opens_keeps_its_applications_and_old_ones_stay_private() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("county.db");
    // A county.db as the previous version left it: the same tables without
    // the token column, holding an application from a terminal that sends
    // no token.
    let old = receipt(5);
    let terminal = {
        let (intake, terminal) = enrolled(&db);
        intake
            .receive(
                &terminal,
                &old.digits(),
                &application(&old, None),
                datetime!(2026-11-23 09:10 +8),
            )
            .unwrap();
        terminal
    };
    {
        // Schema 4: everything but the token column.
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch(
            "DROP INDEX application_by_progress_token;
             ALTER TABLE application DROP COLUMN progress_token_sha256;
             PRAGMA user_version = 4;",
        )
        .unwrap();
    }
    let intake = IntakeStore::open(&db).unwrap();
    assert_eq!(intake.count_of(&old.digits()).unwrap(), 1);
    let (msg, _) = intake.application(&old).unwrap();
    assert_eq!(msg.description, "2025年石桥村低保名单");
    // Opening twice changes nothing.
    drop(intake);
    let intake = IntakeStore::open(&db).unwrap();
    // New applications get their token; old ones have no public page.
    let new = receipt(6);
    intake
        .receive(
            &terminal,
            &new.digits(),
            &application(&new, Some(TOKEN)),
            datetime!(2026-11-24 09:10 +8),
        )
        .unwrap();
    drop(intake);
    let port = serve(dir.path()).await;
    assert_eq!(get(port, &format!("/gk/progress/{TOKEN}")).await.0, 200);
    assert_eq!(
        get(port, &format!("/gk/progress/{}", old.digits())).await.0,
        404
    );
}
