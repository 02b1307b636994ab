//! kill -9 during submission: a child process takes applications and prints
//! their receipts on a fake printer (pty) in a loop; it is killed at many
//! different moments. Afterwards `requests.db` passes its integrity check,
//! every application the child reported saved is there, and every receipt
//! that reached the printer belongs to a saved application.

mod common;

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use disclosure::requests::{ApplicationForm, IdDocumentKind, ReceivingBody, RequestStore};
use kiosk::config::KioskConfig;
use printer::PrinterState;
use printer::emulator::{Element, FakePrinter};

const DIR: &str = "GONGKAI_CRASH_DIR";
const PORT: &str = "GONGKAI_CRASH_PORT";

fn config(dir: &Path, port: &str) -> KioskConfig {
    let mut c = KioskConfig::default();
    c.applications.database = Some(dir.join("requests.db"));
    c.printer = Some(common::test_printer(port, 500));
    c
}

/// The child: submit and print until killed.
#[test]
#[ignore = "run by kill_9_never_loses_or_invents_an_application"]
fn crash_child() {
    let dir = PathBuf::from(std::env::var(DIR).expect("run by the parent test"));
    let port = std::env::var(PORT).unwrap();
    let config = config(&dir, &port);
    let mut desk = kiosk::applications::open_desk(&config, &dir.join("content.db")).unwrap();
    let body = ReceivingBody {
        name: "石桥乡人民政府".into(),
        region: "990521201".parse().unwrap(),
    };
    let form = ApplicationForm {
        name: "王秀英".into(),
        id_kind: Some(IdDocumentKind::ResidentId),
        id_number: "11010519491231002X".into(),
        phone: "13800138000".into(),
        description: "低保名单".into(),
        ..ApplicationForm::default()
    };
    let mut out = std::io::stdout();
    for _ in 0..500 {
        let sub = desk
            .submit(&form, &body, time::OffsetDateTime::now_utc())
            .unwrap();
        writeln!(out, "saved {}", sub.receipt_no.digits()).unwrap();
        out.flush().unwrap();
        let job = desk
            .start_print(&sub.receipt_no, &sub.secrets.pin, false)
            .unwrap()
            .unwrap();
        let r = job.wait();
        let outcome = match r {
            Ok(_) => disclosure::requests::PrintOutcome::Printed,
            Err(e) => disclosure::requests::PrintOutcome::Failed {
                detail: e.to_string(),
            },
        };
        desk.record_print(
            &sub.receipt_no,
            false,
            &outcome,
            time::OffsetDateTime::now_utc(),
        )
        .unwrap();
    }
}

#[test]
fn kill_9_never_loses_or_invents_an_application() {
    let dir = tempfile::tempdir().unwrap();
    let fake = FakePrinter::start(PrinterState::default()).unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut saved: Vec<String> = Vec::new();
    let rounds = 16;
    for round in 0..rounds {
        let mut child = Command::new(&exe)
            .args([
                "--ignored",
                "--exact",
                "crash_child",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(DIR, dir.path())
            .env(PORT, fake.port())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .filter_map(|l| l.strip_prefix("saved ").map(str::to_string))
                .collect::<Vec<_>>()
        });
        // Killed at a different moment each round: during start-up, in a
        // transaction, while printing.
        let delay = 40 + (round * 53) % 450;
        std::thread::sleep(Duration::from_millis(delay));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        saved.extend(reader.join().unwrap());
    }
    std::thread::sleep(Duration::from_millis(200));
    let store = RequestStore::open(&dir.path().join("requests.db")).unwrap();
    store.integrity_check().unwrap();
    let in_db: std::collections::HashSet<String> = store
        .receipt_numbers()
        .unwrap()
        .iter()
        .map(|n| n.digits())
        .collect();
    assert!(
        saved.len() >= rounds as usize,
        "the child saved too little to test: {}",
        saved.len()
    );
    for s in &saved {
        assert!(in_db.contains(s), "confirmed application {s} lost");
    }
    let printed: Vec<String> = fake
        .tape()
        .elements
        .iter()
        .filter_map(|e| match e {
            Element::Code128(d) => Some(d.clone()),
            _ => None,
        })
        .collect();
    assert!(!printed.is_empty());
    for p in &printed {
        assert!(
            in_db.contains(p),
            "a receipt {p} was printed for an application not saved"
        );
    }
    // Every application has its outbox row (same transaction).
    assert_eq!(store.outbox_pending().unwrap().len(), in_db.len());
    eprintln!(
        "{} saved, {} in requests.db, {} receipts printed",
        saved.len(),
        in_db.len(),
        printed.len()
    );
}
