//! The reader against the fake reader on a pseudo-terminal: a card, no
//! card, a bad check byte, garbage, silence, and the cable pulled and
//! plugged back in; the watcher handing each card over once.

use std::time::{Duration, Instant};

use disclosure::Date;
use idcard::card::CardText;
use idcard::emulator::{Behaviour, FakeIdReader};
use idcard::frame::FrameError;
use idcard::{
    CardEvent, CardWatcher, Command, IdCardReader, ReaderError, ReaderSettings, Validity,
};

fn today() -> Date {
    Date::from_ymd(2026, 11, 22).unwrap()
}

fn card(number: &str) -> CardText {
    CardText {
        name: "王秀英".into(),
        sex: "2".into(),
        nation: "01".into(),
        birth: number[6..14].into(),
        address: "云溪县石桥乡石桥村三组12号".into(),
        number: number.into(),
        authority: "云溪县公安局".into(),
        valid_from: "20160105".into(),
        valid_until: "20360105".into(),
        card_type: String::new(),
    }
}

const NUMBER: &str = "11010519491231002X";
/// Another valid number (check digit computed for 99052119800101001).
fn other_number() -> String {
    let first17 = "99052119800101001";
    format!(
        "{first17}{}",
        disclosure::identity::id_check_char(first17).unwrap()
    )
}

fn settings(fake: &FakeIdReader) -> ReaderSettings {
    let mut s = ReaderSettings::new(fake.path(), 115_200);
    s.poll_interval = Duration::from_millis(100);
    s.reply_timeout = Duration::from_millis(300);
    s.read_timeout = Duration::from_millis(600);
    s.reopen_interval = Duration::from_millis(100);
    s.resend_after_absent = Duration::from_millis(300);
    s
}

#[test]
fn a_card_is_found_selected_and_read() {
    let fake = FakeIdReader::start().unwrap();
    fake.place_card(card(NUMBER));
    let mut r = IdCardReader::open(&settings(&fake)).unwrap();
    let c = r.read_card(today()).unwrap().expect("a card");
    assert_eq!(c.name(), "王秀英");
    assert_eq!(c.id_number().as_str(), NUMBER);
    assert_eq!(c.address(), "云溪县石桥乡石桥村三组12号");
    assert_eq!(
        c.valid_until(),
        Validity::Until(Date::from_ymd(2036, 1, 5).unwrap())
    );
    assert_eq!(
        fake.log().commands,
        [
            Command::FindCard,
            Command::SelectCard,
            Command::ReadBaseInfo
        ]
    );
    assert!(fake.log().errors.is_empty(), "{:?}", fake.log().errors);
}

#[test]
fn no_card_is_one_question() {
    let fake = FakeIdReader::start().unwrap();
    let mut r = IdCardReader::open(&settings(&fake)).unwrap();
    assert!(r.read_card(today()).unwrap().is_none());
    assert_eq!(fake.log().commands, [Command::FindCard]);
}

#[test]
fn a_reply_with_a_bad_check_byte_is_refused() {
    let fake = FakeIdReader::start().unwrap();
    fake.set_behaviour(Behaviour::BadCheckByte);
    let mut r = IdCardReader::open(&settings(&fake)).unwrap();
    match r.find_card() {
        Err(ReaderError::Frame {
            command: Command::FindCard,
            source: FrameError::CheckByte { .. },
        }) => {}
        other => panic!("{other:?}"),
    }
    // The reader answers properly again: the next question works.
    fake.remove_card();
    assert!(!r.find_card().unwrap());
}

#[test]
fn garbage_is_not_taken_for_a_reply() {
    let fake = FakeIdReader::start().unwrap();
    fake.set_behaviour(Behaviour::Garbage);
    let mut r = IdCardReader::open(&settings(&fake)).unwrap();
    match r.find_card() {
        Err(ReaderError::Garbage {
            command: Command::FindCard,
            skipped,
        }) => assert!(skipped >= 16, "{skipped}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_silent_reader_times_out_on_time() {
    let fake = FakeIdReader::start().unwrap();
    fake.set_behaviour(Behaviour::Silent);
    let s = settings(&fake);
    let mut r = IdCardReader::open(&s).unwrap();
    let t = Instant::now();
    let e = r.find_card().unwrap_err();
    let took = t.elapsed();
    assert!(
        matches!(
            e,
            ReaderError::Timeout {
                command: Command::FindCard,
                timeout_ms: 300
            }
        ),
        "{e:?}"
    );
    assert!(e.is_silence() && !e.is_lost());
    assert!(took >= s.reply_timeout, "{took:?}");
    assert!(
        took < s.reply_timeout + Duration::from_millis(300),
        "{took:?}"
    );
}

#[test]
fn an_unreadable_card_says_what_the_reader_said() {
    let fake = FakeIdReader::start().unwrap();
    fake.set_behaviour(Behaviour::CardUnreadable);
    let mut r = IdCardReader::open(&settings(&fake)).unwrap();
    let e = r.read_card(today()).unwrap_err();
    assert_eq!(e.to_string(), "“读基本信息”失败：读证/卡操作失败（SW3=41）");
}

#[test]
fn an_unplugged_reader_is_lost_and_cannot_be_opened() {
    let mut fake = FakeIdReader::start().unwrap();
    let s = settings(&fake);
    let mut r = IdCardReader::open(&s).unwrap();
    assert!(!r.find_card().unwrap());
    fake.unplug();
    let e = r.find_card().unwrap_err();
    assert!(e.is_lost(), "{e:?}");
    assert!(IdCardReader::open(&s).unwrap_err().is_lost());
    fake.replug().unwrap();
    let mut r = IdCardReader::open(&s).unwrap();
    assert!(!r.find_card().unwrap());
}

fn next_card(w: &CardWatcher, limit: Duration) -> Option<String> {
    match w.next_event(limit)? {
        CardEvent::Card(c) => Some(c.id_number().as_str().to_string()),
        CardEvent::Unreadable(e) => panic!("unreadable: {e}"),
    }
}

#[test]
fn the_watcher_hands_each_card_over_once() {
    let fake = FakeIdReader::start().unwrap();
    let w = CardWatcher::spawn(settings(&fake)).unwrap();
    assert!(
        w.next_event(Duration::from_millis(400)).is_none(),
        "no card yet"
    );
    fake.place_card(card(NUMBER));
    assert_eq!(
        next_card(&w, Duration::from_secs(3)).as_deref(),
        Some(NUMBER)
    );
    // Left lying there: read again and again, handed over no more.
    assert!(
        fake.wait_for(Duration::from_secs(3), |l| l.count(Command::ReadBaseInfo)
            >= 3)
    );
    assert!(w.take_events().is_empty());
    // Another card straight away is a new card.
    fake.place_card(card(&other_number()));
    assert_eq!(next_card(&w, Duration::from_secs(3)), Some(other_number()));
    // Taken away long enough, the first card comes back as new.
    fake.remove_card();
    std::thread::sleep(Duration::from_millis(700));
    fake.place_card(card(NUMBER));
    assert_eq!(
        next_card(&w, Duration::from_secs(3)).as_deref(),
        Some(NUMBER)
    );
}

#[test]
fn the_watcher_reports_an_unreadable_card_once() {
    let fake = FakeIdReader::start().unwrap();
    let w = CardWatcher::spawn(settings(&fake)).unwrap();
    fake.set_behaviour(Behaviour::CardUnreadable);
    match w.next_event(Duration::from_secs(3)) {
        Some(CardEvent::Unreadable(e)) => assert!(e.to_string().contains("41"), "{e}"),
        other => panic!("{other:?}"),
    }
    assert!(
        fake.wait_for(Duration::from_secs(3), |l| l.count(Command::ReadBaseInfo)
            >= 3)
    );
    assert!(w.take_events().is_empty());
}

#[test]
fn the_watcher_survives_unplug_and_replug() {
    let mut fake = FakeIdReader::start().unwrap();
    let w = CardWatcher::spawn(settings(&fake)).unwrap();
    fake.place_card(card(NUMBER));
    assert_eq!(
        next_card(&w, Duration::from_secs(3)).as_deref(),
        Some(NUMBER)
    );
    fake.unplug();
    let asked = fake.log().commands.len();
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(
        fake.log().commands.len(),
        asked,
        "nothing answers while unplugged"
    );
    fake.replug().unwrap();
    // The card lying on the replugged reader is read again: it was gone
    // (no answer) long enough.
    fake.place_card(card(&other_number()));
    assert_eq!(next_card(&w, Duration::from_secs(5)), Some(other_number()));
    assert!(fake.log().commands.len() > asked);
}

#[test]
fn the_watcher_reopens_a_reader_that_went_silent() {
    let fake = FakeIdReader::start().unwrap();
    let w = CardWatcher::spawn(settings(&fake)).unwrap();
    fake.set_behaviour(Behaviour::Silent);
    // Three questions without an answer, then the port is opened anew
    // and questions go on.
    assert!(fake.wait_for(Duration::from_secs(5), |l| l.count(Command::FindCard) >= 5));
    fake.place_card(card(NUMBER));
    assert_eq!(
        next_card(&w, Duration::from_secs(5)).as_deref(),
        Some(NUMBER)
    );
}

#[test]
fn the_watcher_stops_when_dropped() {
    let fake = FakeIdReader::start().unwrap();
    let w = CardWatcher::spawn(settings(&fake)).unwrap();
    assert!(fake.wait_for(Duration::from_secs(3), |l| l.count(Command::FindCard) >= 1));
    let t = Instant::now();
    drop(w);
    assert!(t.elapsed() < Duration::from_secs(1));
    let asked = fake.log().commands.len();
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(fake.log().commands.len(), asked);
}
