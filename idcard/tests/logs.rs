//! Nothing of a card reaches a log or a `Debug` output: every log line of
//! a card read, an unreadable card and a lost reader, at TRACE, is
//! captured and searched for the holder's data and for the photo.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use idcard::card::CardText;
use idcard::emulator::{Behaviour, FakeIdReader, PHOTO_MARKER};
use idcard::{CardEvent, CardWatcher, ReaderSettings};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn hex(bytes: &[u8]) -> [String; 3] {
    [
        bytes.iter().map(|b| format!("{b:02x}")).collect(),
        bytes.iter().map(|b| format!("{b:02X} ")).collect(),
        format!("{bytes:?}")[1..20].to_string(),
    ]
}

#[test]
fn logs_and_debug_output_name_no_holder_and_show_no_photo() {
    let captured = Captured::default();
    let c2 = captured.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || c2.clone())
        .with_ansi(false)
        .init();

    let mut fake = FakeIdReader::start().unwrap();
    let mut s = ReaderSettings::new(fake.path(), 115_200);
    s.poll_interval = Duration::from_millis(100);
    s.reply_timeout = Duration::from_millis(300);
    s.reopen_interval = Duration::from_millis(100);
    let w = CardWatcher::spawn(s).unwrap();
    let text = CardText {
        name: "欧阳秀英".into(),
        sex: "2".into(),
        nation: "01".into(),
        birth: "19491231".into(),
        address: "云溪县石桥乡石桥村三组12号".into(),
        number: "11010519491231002X".into(),
        authority: "云溪县公安局".into(),
        valid_from: "20160105".into(),
        valid_until: "长期".into(),
        card_type: String::new(),
    };
    fake.place_card(text);
    let mut shown = Vec::new();
    match w.next_event(Duration::from_secs(3)) {
        Some(e @ CardEvent::Card(_)) => shown.push(format!("{e:?}")),
        other => panic!("{other:?}"),
    }
    fake.set_behaviour(Behaviour::CardUnreadable);
    match w.next_event(Duration::from_secs(3)) {
        Some(e @ CardEvent::Unreadable(_)) => shown.push(format!("{e:?}")),
        other => panic!("{other:?}"),
    }
    fake.unplug();
    std::thread::sleep(Duration::from_millis(500));
    drop(w);

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("ID card read"), "{log}");
    assert!(log.contains("reopening"), "{log}");
    let everything = format!("{log}\n{}", shown.join("\n"));
    let mut secrets: Vec<String> = [
        "秀英",
        "11010519491231002X",
        "19491231",
        "石桥村三组",
        "12号",
    ]
    .map(String::from)
    .to_vec();
    secrets.push(String::from_utf8_lossy(PHOTO_MARKER).into_owned());
    secrets.extend(hex(&PHOTO_MARKER[..8]));
    // The name's UCS-2 bytes, as a hex dump would show them.
    let name_bytes: Vec<u8> = "欧阳秀英"
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    secrets.extend(hex(&name_bytes));
    for s in &secrets {
        assert!(!everything.contains(s.as_str()), "“{s}” in:\n{everything}");
    }
    // What is shown is masked.
    assert!(shown[0].contains("欧***"), "{}", shown[0]);
    assert!(shown[0].contains("110105********002X"), "{}", shown[0]);
}
