//! requests.db: submission in one transaction, receipt numbers, deadlines
//! on the receipt, the clock check, ratings, lookups with masked data, the
//! purge (county notes included), and the form's checks at their
//! boundaries.

use disclosure::calendar::{Deadline, WorkingDayCalendar, builtin_schedules};
use disclosure::requests::{
    ApplicationForm, ApplicationStatus, Delivery, DeviceNo, Field, IdDocumentKind, OutboxKind,
    PrintOutcome, ProvideForm, ReceiptNo, ReceivingBody, RequestError, RequestStore,
};
use disclosure::{Date, ItemKey, RegionCode};
use time::macros::datetime;

const ID: &str = "11010519491231002X";

fn person() -> ApplicationForm {
    ApplicationForm {
        name: "王秀英".into(),
        id_kind: Some(IdDocumentKind::ResidentId),
        id_number: ID.into(),
        phone: "13800138000".into(),
        description: "2025年石桥村低保名单".into(),
        ..ApplicationForm::default()
    }
}

fn today() -> Date {
    "2026-11-23".parse().unwrap()
}

fn body() -> ReceivingBody {
    ReceivingBody {
        name: "石桥乡人民政府".into(),
        region: "990521201".parse().unwrap(),
    }
}

fn hall() -> RegionCode {
    "990521201201".parse().unwrap()
}

fn calendar() -> WorkingDayCalendar {
    WorkingDayCalendar::new(builtin_schedules())
}

#[test]
fn submission_saves_application_status_and_outbox_together() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = RequestStore::open(&dir.path().join("requests.db")).unwrap();
    let app = person().validate(today()).unwrap();
    let dev = DeviceNo::new(3).unwrap();
    let s1 = store
        .submit(
            &app,
            &body(),
            &hall(),
            dev,
            datetime!(2026-11-23 09:05 +8),
            &calendar(),
        )
        .unwrap();
    let s2 = store
        .submit(
            &app,
            &body(),
            &hall(),
            dev,
            datetime!(2026-11-23 16:59 +8),
            &calendar(),
        )
        .unwrap();
    assert_eq!(
        s1.receipt_no.to_string()[..27].to_string(),
        "990521201201-03-261123-0001"
    );
    assert_eq!(s2.receipt_no.sequence(), 2);
    // The next day starts again at 1; a UTC evening is already the next day in China.
    let s3 = store
        .submit(
            &app,
            &body(),
            &hall(),
            dev,
            datetime!(2026-11-23 16:30 UTC),
            &calendar(),
        )
        .unwrap();
    assert_eq!(s3.receipt_no.date().to_string(), "2026-11-24");
    assert_eq!(s3.receipt_no.sequence(), 1);
    // 2026-11-23 is a Monday: 20 working days later is Monday 12-21.
    assert_eq!(s1.deadline, Deadline::Due("2026-12-21".parse().unwrap()));

    let out = store.outbox_pending().unwrap();
    assert_eq!(out.len(), 3);
    assert!(
        out.iter()
            .all(|o| o.kind == OutboxKind::Application && o.attempts == 0)
    );

    let v = store.lookup(&s1.receipt_no).unwrap().unwrap();
    assert_eq!(v.name_masked, "王**");
    assert_eq!(v.id_masked, "110105********002X");
    assert_eq!(v.phone_masked, "138****8000");
    assert_eq!(v.body_name, "石桥乡人民政府");
    assert_eq!(v.history.len(), 1);
    assert_eq!(v.history[0].status, ApplicationStatus::Received);
    assert_eq!(v.history[0].at, "2026-11-23 09:05:00+08:00");
    assert_eq!(v.prints, 0);

    // Reopening keeps everything (the file is the truth).
    drop(store);
    let store = RequestStore::open(&dir.path().join("requests.db")).unwrap();
    assert_eq!(store.receipt_numbers().unwrap().len(), 3);
    store.integrity_check().unwrap();
}

#[test]
fn deadlines_across_holidays_and_an_unknown_year() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = RequestStore::open(&dir.path().join("requests.db")).unwrap();
    let app = person().validate(today()).unwrap();
    let dev = DeviceNo::new(1).unwrap();
    let check = |store: &mut RequestStore, at: time::OffsetDateTime, expected: Deadline| {
        let s = store
            .submit(&app, &body(), &hall(), dev, at, &calendar())
            .unwrap();
        assert_eq!(s.deadline, expected, "{at}");
        let v = store.lookup(&s.receipt_no).unwrap().unwrap();
        assert_eq!(v.deadline, expected);
    };
    let due = |s: &str| Deadline::Due(s.parse().unwrap());
    // Received before 春节 (Thu 2/12): 2/13, 2/14 (Sat 调休), then from 2/24.
    check(
        &mut store,
        datetime!(2026-02-12 10:00 +8),
        due("2026-03-18"),
    );
    // Received on a holiday (Sat 2/21): counting starts 2/24, 2/28 (Sat 调休) counts.
    check(
        &mut store,
        datetime!(2026-02-21 10:00 +8),
        due("2026-03-20"),
    );
    // Across 国庆 with the 10/10 make-up Saturday.
    check(
        &mut store,
        datetime!(2026-09-24 10:00 +8),
        due("2026-10-29"),
    );
    // Into 2027, whose schedule is not known: never a guess.
    check(
        &mut store,
        datetime!(2026-12-10 10:00 +8),
        Deadline::Unconfirmed { year: 2027 },
    );
}

#[test]
fn a_clock_behind_the_last_receipt_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = RequestStore::open(&dir.path().join("requests.db")).unwrap();
    let app = person().validate(today()).unwrap();
    let dev = DeviceNo::new(1).unwrap();
    store
        .submit(
            &app,
            &body(),
            &hall(),
            dev,
            datetime!(2026-11-23 10:00 +8),
            &calendar(),
        )
        .unwrap();
    let e = store
        .submit(
            &app,
            &body(),
            &hall(),
            dev,
            datetime!(2026-11-20 10:00 +8),
            &calendar(),
        )
        .unwrap_err();
    assert!(matches!(e, RequestError::ClockBehind { .. }), "{e}");
    assert!(e.to_string().contains("时钟"), "{e}");
    assert_eq!(store.receipt_numbers().unwrap().len(), 1);
}

#[test]
fn ratings_are_once_per_application_and_queued_for_the_county() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = RequestStore::open(&dir.path().join("requests.db")).unwrap();
    let app = person().validate(today()).unwrap();
    let s = store
        .submit(
            &app,
            &body(),
            &hall(),
            DeviceNo::new(1).unwrap(),
            datetime!(2026-11-23 10:00 +8),
            &calendar(),
        )
        .unwrap();
    assert!(
        store
            .rate(&s.receipt_no, 5, datetime!(2026-11-23 10:01 +8))
            .unwrap()
    );
    assert!(
        !store
            .rate(&s.receipt_no, 1, datetime!(2026-11-23 10:02 +8))
            .unwrap()
    );
    assert!(
        store
            .rate(&s.receipt_no, 0, datetime!(2026-11-23 10:02 +8))
            .is_err()
    );
    assert_eq!(
        store.lookup(&s.receipt_no).unwrap().unwrap().rating,
        Some(5)
    );
    let kinds: Vec<String> = store
        .outbox_pending()
        .unwrap()
        .into_iter()
        .map(|o| o.kind.db_name().to_string())
        .collect();
    assert_eq!(kinds, ["application", "rating"]);
    store
        .record_print(
            &s.receipt_no,
            datetime!(2026-11-23 10:00 +8),
            false,
            &PrintOutcome::Printed,
        )
        .unwrap();
    store
        .record_print(
            &s.receipt_no,
            datetime!(2026-11-24 10:00 +8),
            true,
            &PrintOutcome::Printed,
        )
        .unwrap();
    store
        .add_status(
            &s.receipt_no,
            ApplicationStatus::Replied,
            datetime!(2026-11-30 15:00 +8),
            "予以公开",
        )
        .unwrap();
    let v = store.lookup(&s.receipt_no).unwrap().unwrap();
    assert_eq!(v.prints, 2);
    assert_eq!(v.history.last().unwrap().status, ApplicationStatus::Replied);
    let unknown = ReceiptNo::new(&hall(), DeviceNo::new(9).unwrap(), today(), 1).unwrap();
    assert!(store.lookup(&unknown).unwrap().is_none());
    assert!(matches!(
        store.rate(&unknown, 3, datetime!(2026-11-23 10:00 +8)),
        Err(RequestError::UnknownReceipt(_))
    ));
}

/// Checks one form: `None` when it is valid, else the fields in error with
/// a fragment of the first message.
fn check(form: ApplicationForm, expected: Option<(&[Field], &str)>) {
    let got = form.validate(today());
    match (got, expected) {
        (Ok(_), None) => {}
        (Err(errors), Some((fields, fragment))) => {
            let f: Vec<Field> = errors.iter().map(|e| e.field).collect();
            assert_eq!(f, fields, "{errors:?}");
            assert!(
                errors[0].message.contains(fragment),
                "{:?} lacks {fragment}",
                errors[0].message
            );
        }
        (got, expected) => panic!("{form:?}: got {got:?}, expected {expected:?}"),
    }
}

#[test]
fn the_form_at_its_boundaries() {
    check(person(), None);
    check(
        ApplicationForm {
            name: " ".into(),
            ..person()
        },
        Some((&[Field::Name], "请填写姓名")),
    );
    check(
        ApplicationForm {
            name: "王".repeat(61),
            ..person()
        },
        Some((&[Field::Name], "最多60个字")),
    );
    check(
        ApplicationForm {
            name: "王".repeat(60),
            ..person()
        },
        None,
    );
    check(
        ApplicationForm {
            name: "王秀\u{7}英".into(),
            ..person()
        },
        Some((&[Field::Name], "控制字符")),
    );
    check(
        ApplicationForm {
            name: "王秀英😀".into(),
            ..person()
        },
        Some((&[Field::Name], "表情符号")),
    );
    check(
        ApplicationForm {
            id_number: "110105194912310021".into(),
            ..person()
        },
        Some((&[Field::IdNumber], "校验位")),
    );
    check(
        ApplicationForm {
            id_number: "11010519491231002x".into(),
            ..person()
        },
        None,
    );
    check(
        ApplicationForm {
            id_number: "".into(),
            ..person()
        },
        Some((&[Field::IdNumber], "请填写居民身份证号码")),
    );
    check(
        ApplicationForm {
            id_kind: Some(IdDocumentKind::Passport),
            id_number: "E1234567".into(),
            ..person()
        },
        None,
    );
    check(
        ApplicationForm {
            id_kind: Some(IdDocumentKind::Passport),
            id_number: "E12".into(),
            ..person()
        },
        Some((&[Field::IdNumber], "5到20位")),
    );
    check(
        ApplicationForm {
            phone: "".into(),
            ..person()
        },
        Some((&[Field::Phone], "请填写联系电话")),
    );
    check(
        ApplicationForm {
            phone: "1380013800".into(),
            ..person()
        },
        Some((&[Field::Phone], "格式不对")),
    );
    check(
        ApplicationForm {
            phone: "0999-6123456".into(),
            ..person()
        },
        None,
    );
    check(
        ApplicationForm {
            description: "".into(),
            ..person()
        },
        Some((&[Field::Description], "需要哪些")),
    );
    check(
        ApplicationForm {
            description: "".into(),
            item: Some(ItemKey("X".into())),
            ..person()
        },
        None,
    );
    check(
        ApplicationForm {
            description: "低".repeat(501),
            ..person()
        },
        Some((&[Field::Description], "最多500个字")),
    );
    check(
        ApplicationForm {
            delivery: Some(Delivery::Post),
            ..person()
        },
        Some((&[Field::Address], "请填写通信地址")),
    );
    check(
        ApplicationForm {
            delivery: Some(Delivery::Post),
            address: "石桥村".into(),
            ..person()
        },
        Some((&[Field::Address], "太短")),
    );
    check(
        ApplicationForm {
            delivery: Some(Delivery::Post),
            address: "云溪县石桥乡石桥村3组12号".into(),
            ..person()
        },
        None,
    );
    check(
        ApplicationForm {
            form: Some(ProvideForm::Electronic),
            delivery: Some(Delivery::Email),
            ..person()
        },
        Some((&[Field::Email], "请填写电子邮箱")),
    );
    check(
        ApplicationForm {
            form: Some(ProvideForm::Electronic),
            delivery: Some(Delivery::Email),
            email: "wang@@example.com".into(),
            ..person()
        },
        Some((&[Field::Email], "格式不对")),
    );
    check(
        ApplicationForm {
            form: Some(ProvideForm::Electronic),
            delivery: Some(Delivery::Email),
            email: "wang.xy@example.com".into(),
            ..person()
        },
        None,
    );
    check(
        ApplicationForm {
            delivery: Some(Delivery::Email),
            email: "w@example.com".into(),
            ..person()
        },
        Some((&[Field::Email], "纸质信息不能")),
    );
    let org = ApplicationForm {
        organisation: true,
        name: "云溪县石桥农机专业合作社".into(),
        credit_code: "91350100M000100Y43".into(),
        contact_person: "李强".into(),
        phone: "13800138000".into(),
        description: "农机购置补贴公示".into(),
        ..ApplicationForm::default()
    };
    check(org.clone(), None);
    check(
        ApplicationForm {
            credit_code: "91350100M000100Y44".into(),
            ..org.clone()
        },
        Some((&[Field::CreditCode], "校验位")),
    );
    check(
        ApplicationForm {
            contact_person: "".into(),
            ..org.clone()
        },
        Some((&[Field::ContactPerson], "请填写联系人")),
    );
    // Everything wrong at once: every field named, in the form's order.
    check(
        ApplicationForm {
            name: "".into(),
            id_number: "1".into(),
            phone: "x".into(),
            description: "".into(),
            ..person()
        },
        Some((
            &[
                Field::Name,
                Field::IdNumber,
                Field::Phone,
                Field::Description,
            ],
            "请填写姓名",
        )),
    );
}

#[test]
fn delivery_bookkeeping_purge_and_county_statuses() {
    use disclosure::requests::wire::{ApplicantMessage, StatusChangeMessage};
    let dir = tempfile::tempdir().unwrap();
    let mut store = RequestStore::open(&dir.path().join("requests.db")).unwrap();
    let app = person().validate(today()).unwrap();
    let dev = DeviceNo::new(1).unwrap();
    let at = datetime!(2026-11-23 09:05 +8);
    let s = store
        .submit(&app, &body(), &hall(), dev, at, &calendar())
        .unwrap();
    let no = s.receipt_no;
    // Everything goes to the county, unmasked.
    let m = store.application_message(&no).unwrap();
    assert_eq!(m.receipt_no, no.digits());
    assert_eq!(
        m.applicant,
        ApplicantMessage::Person {
            name: "王秀英".into(),
            id_kind: "resident_id".into(),
            id_number: ID.into()
        }
    );
    assert_eq!(m.phone, "13800138000");
    assert_eq!(m.deadline.as_deref(), Some("2026-12-21"));
    // Due now; deferred, it is not due until its next attempt.
    let due = store.outbox_due(at, 10).unwrap();
    assert_eq!(due.len(), 1);
    store
        .defer(due[0].id, "连不上", at + time::Duration::minutes(5))
        .unwrap();
    assert!(
        store
            .outbox_due(at + time::Duration::minutes(4), 10)
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .outbox_due(at + time::Duration::minutes(5), 10)
            .unwrap()
            .len(),
        1
    );
    assert_eq!(store.outbox_summary().unwrap(), (1, Some("连不上".into())));
    // Acknowledged: delivered once, 已送达 recorded once however often marked.
    store
        .mark_delivered(due[0].id, at + time::Duration::minutes(6))
        .unwrap();
    store
        .mark_delivered(due[0].id, at + time::Duration::minutes(7))
        .unwrap();
    let v = store.lookup(&no).unwrap().unwrap();
    let delivered = v
        .history
        .iter()
        .filter(|h| h.status == ApplicationStatus::Delivered)
        .count();
    assert_eq!(delivered, 1);
    assert_eq!(store.outbox_summary().unwrap().0, 0);
    // Personal fields purged after the retention; the masked ones stay.
    assert_eq!(store.purge_delivered(at, at).unwrap(), 0, "not yet");
    assert_eq!(
        store
            .purge_delivered(at + time::Duration::hours(1), at)
            .unwrap(),
        1
    );
    assert!(
        store.application_message(&no).is_err(),
        "nothing personal left to send"
    );
    let v = store.lookup(&no).unwrap().unwrap();
    assert_eq!(v.name_masked, "王**");
    assert_eq!(v.phone_masked, "138****8000");
    // County statuses with their cursor, in one transaction; other
    // terminals' numbers and unknown statuses are skipped.
    let change = |cursor, status: &str, note: &str, receipt: &str| StatusChangeMessage {
        cursor,
        receipt_no: receipt.into(),
        status: status.into(),
        at: "2026-11-25 10:00:00+08:00".into(),
        note: note.into(),
    };
    let stored = store
        .apply_status_changes(
            &[
                change(4, "registered", "", &no.digits()),
                change(5, "replied", "予以公开", &no.digits()),
                change(6, "replied", "", "99052120120101261123000199"),
                change(7, "teleported", "", &no.digits()),
            ],
            7,
            at,
        )
        .unwrap();
    assert_eq!(stored, 2);
    // Not past the unknown status: an upgraded terminal fetches it again.
    assert_eq!(store.status_cursor().unwrap(), 6);
    let v = store.lookup(&no).unwrap().unwrap();
    let last = v.history.last().unwrap();
    assert_eq!(
        (last.status, last.note.as_str()),
        (ApplicationStatus::Replied, "予以公开")
    );
}

/// A store with one application received on 2026-11-23 at 09:05 by
/// terminal 1, extended by the county with a reason naming a third party.
fn one_application(dir: &std::path::Path) -> (RequestStore, disclosure::requests::Submission) {
    let mut store = RequestStore::open(&dir.join("requests.db")).unwrap();
    let app = person().validate(today()).unwrap();
    let s = store
        .submit(
            &app,
            &body(),
            &hall(),
            DeviceNo::new(1).unwrap(),
            datetime!(2026-11-23 09:05 +8),
            &calendar(),
        )
        .unwrap();
    store
        .add_status(
            &s.receipt_no,
            ApplicationStatus::Extended,
            datetime!(2026-12-15 14:00 +8),
            "需征求第三方张三的意见",
        )
        .unwrap();
    (store, s)
}

#[test]
fn a_receipt_number_alone_shows_the_stages_by_day_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let (store, s) = one_application(dir.path());
    let v = store.stages(&s.receipt_no).unwrap().unwrap();
    assert!(v.has_pin);
    let seen: Vec<(String, ApplicationStatus)> = v
        .stages
        .iter()
        .map(|x| (x.date.to_string(), x.status))
        .collect();
    assert_eq!(
        seen,
        [
            ("2026-11-23".to_string(), ApplicationStatus::Received),
            ("2026-12-15".to_string(), ApplicationStatus::Extended),
        ]
    );
    let unknown = ReceiptNo::new(
        &hall(),
        DeviceNo::new(1).unwrap(),
        "2026-11-23".parse().unwrap(),
        2,
    )
    .unwrap();
    assert!(store.stages(&unknown).unwrap().is_none());
}

#[test]
fn the_pin_opens_the_application_and_survives_the_purge() {
    use disclosure::requests::PinCheck;
    let dir = tempfile::tempdir().unwrap();
    let (mut store, s) = one_application(dir.path());
    let no = s.receipt_no.clone();
    let pin = s.secrets.pin.clone();
    assert!(disclosure::requests::access::is_pin(&pin));
    let now = datetime!(2026-12-16 10:00 +8);
    let PinCheck::Opened(v) = store.open_with_pin(&no, &pin, now).unwrap() else {
        panic!("the right PIN did not open it");
    };
    assert_eq!(v.wanted, "2025年石桥村低保名单");
    assert_eq!(v.progress_token.as_deref(), Some(s.secrets.token.as_str()));
    assert!(v.history.iter().any(|h| h.note.contains("张三")));
    // The PIN is stored only as a hash; the token goes to the county with
    // the application.
    {
        let conn = rusqlite::Connection::open(dir.path().join("requests.db")).unwrap();
        let mut stmt = conn.prepare("SELECT * FROM application").unwrap();
        let columns = stmt.column_count();
        let values: Vec<String> = stmt
            .query_map([], |r| {
                Ok((0..columns)
                    .map(|i| match r.get_ref(i).unwrap() {
                        rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into(),
                        rusqlite::types::ValueRef::Integer(n) => n.to_string(),
                        _ => String::new(),
                    })
                    .collect::<Vec<_>>())
            })
            .unwrap()
            .flat_map(Result::unwrap)
            .collect();
        assert!(!values.contains(&pin), "{values:?}");
    }
    let m = store.application_message(&no).unwrap();
    assert_eq!(m.progress_token.as_deref(), Some(s.secrets.token.as_str()));
    // Delivered and purged: the PIN still opens it.
    let o = store.outbox_pending().unwrap();
    store.mark_delivered(o[0].id, now).unwrap();
    assert_eq!(
        store
            .purge_delivered(now + time::Duration::hours(1), now)
            .unwrap(),
        1
    );
    let PinCheck::Opened(v) = store.open_with_pin(&no, &pin, now).unwrap() else {
        panic!("purged: the PIN no longer opens it");
    };
    assert_eq!(v.name_masked, "王**");
}

#[test]
fn wrong_pins_are_limited_then_paused_even_across_a_restart() {
    use disclosure::requests::PinCheck;
    use disclosure::requests::access::{MAX_PIN_FAILURES, PIN_PAUSE_MINUTES};
    let dir = tempfile::tempdir().unwrap();
    let (mut store, s) = one_application(dir.path());
    let no = s.receipt_no.clone();
    let wrong = if s.secrets.pin == "000000" {
        "111111"
    } else {
        "000000"
    };
    let now = datetime!(2026-12-16 10:00 +8);
    for i in 1..MAX_PIN_FAILURES {
        assert_eq!(
            store.open_with_pin(&no, wrong, now).unwrap(),
            PinCheck::Wrong {
                tries_left: MAX_PIN_FAILURES - i
            }
        );
    }
    assert!(matches!(
        store.open_with_pin(&no, wrong, now).unwrap(),
        PinCheck::Paused { .. }
    ));
    // Paused: even the right PIN is not checked, after a restart too.
    drop(store);
    let mut store = RequestStore::open(&dir.path().join("requests.db")).unwrap();
    let later = now + time::Duration::minutes(PIN_PAUSE_MINUTES - 1);
    assert!(matches!(
        store.open_with_pin(&no, &s.secrets.pin, later).unwrap(),
        PinCheck::Paused { .. }
    ));
    // After the pause one more wrong try pauses again at once.
    let after = now + time::Duration::minutes(PIN_PAUSE_MINUTES);
    assert!(matches!(
        store.open_with_pin(&no, wrong, after).unwrap(),
        PinCheck::Paused { .. }
    ));
    let after = after + time::Duration::minutes(PIN_PAUSE_MINUTES);
    assert!(matches!(
        store.open_with_pin(&no, &s.secrets.pin, after).unwrap(),
        PinCheck::Opened(_)
    ));
    // The right one clears the count.
    assert_eq!(
        store.open_with_pin(&no, wrong, after).unwrap(),
        PinCheck::Wrong {
            tries_left: MAX_PIN_FAILURES - 1
        }
    );
}

/// `tests/data/requests-v2.sql`: a requests.db written by the version
/// before 查询密码 (schema 2), dumped with `sqlite3 .dump`: two
/// applications, the first delivered, extended by the county and purged,
/// with a print, a rating and the printer's state.
#[test]
fn a_requests_db_from_before_pins_opens_keeps_its_rows_and_shows_stages_only() {
    use disclosure::requests::PinCheck;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("requests.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(include_str!("data/requests-v2.sql"))
            .unwrap();
        let v: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(v, 2);
    }
    let mut store = RequestStore::open(&path).unwrap();
    store.integrity_check().unwrap();
    let numbers = store.receipt_numbers().unwrap();
    assert_eq!(numbers.len(), 2);
    let first = &numbers[0];
    let v = store.lookup(first).unwrap().unwrap();
    assert_eq!(v.name_masked, "王**");
    assert_eq!(v.rating, Some(5));
    assert_eq!(v.prints, 1);
    assert_eq!(v.progress_token, None);
    assert_eq!(v.history.len(), 3);
    // Its stages are there; its details need a PIN it never had.
    let stages = store.stages(first).unwrap().unwrap();
    assert!(!stages.has_pin);
    assert_eq!(stages.stages.len(), 3);
    assert_eq!(
        store
            .open_with_pin(first, "123456", datetime!(2026-12-16 10:00 +8))
            .unwrap(),
        PinCheck::NoPin
    );
    // The undelivered one still goes to the county, without a token.
    let pending = store.outbox_pending().unwrap();
    assert_eq!(pending.len(), 2, "{pending:?}"); // the second application, the rating
    let m = store.application_message(&numbers[1]).unwrap();
    assert_eq!(m.progress_token, None);
    assert_eq!(m.description, "石桥村道路硬化工程合同");
    // New applications continue the day's numbering, with a PIN.
    let app = person().validate(today()).unwrap();
    let s = store
        .submit(
            &app,
            &body(),
            &hall(),
            DeviceNo::new(1).unwrap(),
            datetime!(2026-11-23 11:00 +8),
            &calendar(),
        )
        .unwrap();
    assert_eq!(s.receipt_no.sequence(), 3);
    assert!(store.stages(&s.receipt_no).unwrap().unwrap().has_pin);
}

#[test]
fn application_messages_without_a_token_read_and_write_as_before() {
    use disclosure::requests::wire::ApplicationMessage;
    let dir = tempfile::tempdir().unwrap();
    let (store, s) = one_application(dir.path());
    let mut m = store.application_message(&s.receipt_no).unwrap();
    let with = serde_json::to_value(&m).unwrap();
    assert_eq!(with["progress_token"], s.secrets.token.as_str());
    // An older terminal's message (no token) reads, and writes back
    // without the key, byte for byte what it was.
    m.progress_token = None;
    let without = serde_json::to_string(&m).unwrap();
    assert!(!without.contains("progress_token"));
    let back: ApplicationMessage = serde_json::from_str(&without).unwrap();
    assert_eq!(back, m);
    assert_eq!(serde_json::to_string(&back).unwrap(), without);
    // A field this version does not know is ignored, as older servers
    // ignore the token.
    let mut newer = with.clone();
    newer["something_later"] = "x".into();
    assert!(serde_json::from_value::<ApplicationMessage>(newer).is_ok());
}

/// `tests/data/requests-v3.sql`: a requests.db written by the release
/// whose migrations were a list of SQL strings (schema 3), dumped with
/// `sqlite3 .dump`: a citizen's application (delivered, registered and
/// replied by the county, purged, printed, rated 4) and an
/// organisation's (typed by staff, shown on screen, its delivery put off
/// after a timeout, two wrong PINs), the printer out of paper.
#[test]
fn a_requests_db_of_the_release_before_opens_and_keeps_its_rows() {
    use disclosure::requests::store::PRINTER_STATE;
    use disclosure::requests::wire::ApplicantMessage;
    use disclosure::requests::{ApplicantKind, PinCheck, PrinterHealth};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("requests.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(include_str!("data/requests-v3.sql"))
            .unwrap();
        let v: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(v, 3);
    }
    let mut store = RequestStore::open(&path).unwrap();
    store.integrity_check().unwrap();
    let numbers = store.receipt_numbers().unwrap();
    assert_eq!(numbers.len(), 2);
    let (citizen, organisation) = (&numbers[0], &numbers[1]);
    // The citizen's: purged, its history and rating kept, opened by its PIN.
    let v = store.lookup(citizen).unwrap().unwrap();
    assert_eq!(v.name_masked, "王**");
    assert_eq!(v.applicant_kind.to_string(), "公民");
    assert_eq!((v.rating, v.prints), (Some(4), 1));
    assert_eq!(
        v.progress_token.as_deref(),
        Some("c5j3yhcdckoqymotkucqcnep")
    );
    let history: Vec<(String, ApplicationStatus)> = v
        .history
        .iter()
        .map(|h| (h.at.to_string(), h.status))
        .collect();
    assert_eq!(
        history,
        [
            (
                "2026-11-23 09:05:00+08:00".into(),
                ApplicationStatus::Received
            ),
            (
                "2026-11-23 09:10:00+08:00".into(),
                ApplicationStatus::Delivered
            ),
            (
                "2026-11-24 09:00:00+08:00".into(),
                ApplicationStatus::Registered
            ),
            (
                "2026-11-30 15:00:00+08:00".into(),
                ApplicationStatus::Replied
            ),
        ]
    );
    assert!(store.application_message(citizen).is_err(), "purged");
    let now = datetime!(2026-12-16 10:00 +8);
    assert!(matches!(
        store.open_with_pin(citizen, "670534", now).unwrap(),
        PinCheck::Opened(_)
    ));
    // The organisation's: its two wrong tries are remembered.
    assert_eq!(
        store.open_with_pin(organisation, "111111", now).unwrap(),
        PinCheck::Wrong { tries_left: 2 }
    );
    let m = store.application_message(organisation).unwrap();
    assert!(m.staff_assisted);
    assert!(matches!(m.applicant, ApplicantMessage::Organisation { .. }));
    assert_eq!(
        m.progress_token.as_deref(),
        Some("3gttqbqdc2oij62pu3hpk4ti")
    );
    // The outbox: its delivery put off, the rating waiting.
    let pending = store.outbox_pending().unwrap();
    assert_eq!(pending.len(), 2);
    assert_eq!(pending[0].receipt_no, *organisation);
    assert_eq!(pending[0].attempts, 1);
    assert_eq!(pending[0].next_attempt_at, "2026-11-23 11:00:00+08:00");
    assert_eq!(
        store.outbox_summary().unwrap(),
        (2, Some("连接县里超时".to_string()))
    );
    // What the device recorded.
    assert_eq!(store.status_cursor().unwrap(), 8);
    assert_eq!(
        store.device_state(PRINTER_STATE).unwrap(),
        Some(("paper_out".into(), "2026-11-23 10:30:31+08:00".into()))
    );
    let (health, at) = store.printer_health().unwrap().unwrap();
    assert_eq!(health, PrinterHealth::PaperOut);
    assert_eq!(at, "2026-11-23 10:30:31+08:00");
    let kinds: Vec<OutboxKind> = pending.iter().map(|o| o.kind).collect();
    assert_eq!(kinds, [OutboxKind::Application, OutboxKind::Rating]);
    assert_eq!(
        store.lookup(organisation).unwrap().unwrap().applicant_kind,
        ApplicantKind::Organisation
    );
    // The day's numbering goes on.
    let app = person().validate(today()).unwrap();
    let s = store
        .submit(
            &app,
            &body(),
            &hall(),
            DeviceNo::new(1).unwrap(),
            datetime!(2026-11-23 11:00 +8),
            &calendar(),
        )
        .unwrap();
    assert_eq!(s.receipt_no.sequence(), 3);
}

/// A status change whose time this version cannot read is treated as an
/// unknown status: nothing from it on is stored, the cursor stays before
/// it, and the history keeps times it can show.
#[test]
fn a_status_time_from_the_county_that_cannot_be_read_waits_like_an_unknown_status() {
    use disclosure::requests::wire::StatusChangeMessage;
    let dir = tempfile::tempdir().unwrap();
    let (mut store, s) = one_application(dir.path());
    let change = |cursor, at: &str| StatusChangeMessage {
        cursor,
        receipt_no: s.receipt_no.digits(),
        status: "processing".into(),
        at: at.into(),
        note: String::new(),
    };
    let stored = store
        .apply_status_changes(
            &[
                change(1, "2026-11-25 10:00:00+08:00"),
                change(2, "yesterday"),
                change(3, "2026-11-27 10:00:00+08:00"),
            ],
            3,
            datetime!(2026-11-28 08:00 +8),
        )
        .unwrap();
    assert_eq!(stored, 1);
    assert_eq!(store.status_cursor().unwrap(), 1);
    let processing = |store: &RequestStore| -> Vec<String> {
        let v = store.lookup(&s.receipt_no).unwrap().unwrap();
        v.history
            .iter()
            .filter(|h| h.status == ApplicationStatus::Processing)
            .map(|h| h.at.chinese())
            .collect()
    };
    assert_eq!(processing(&store), ["2026年11月25日 10:00"]);
    // Another zone's spelling is the same instant, kept in China time.
    store
        .apply_status_changes(
            &[change(4, "2026-11-27T02:00:00Z")],
            4,
            datetime!(2026-11-28 08:00 +8),
        )
        .unwrap();
    assert_eq!(
        processing(&store),
        ["2026年11月25日 10:00", "2026年11月27日 10:00"]
    );
}
