//! `county devices add` with the provisioning QR code, through the real
//! binary: the printed line parses back to the same values, its
//! fingerprint is the root.json's, its 开通码 enrols; a bad address makes
//! no code at all; the staff page lists the codes still waiting.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use county::intake::{IntakePolicy, IntakeStore};
use county::serve::{ServeLimits, ServeOptions};
use disclosure::provisioning::{ProvisioningCode, root_fingerprint};
use time::OffsetDateTime;

fn devices_add(dir: &Path, extra: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_county"))
        .current_dir(dir)
        .args([
            "devices",
            "add",
            "--region",
            "990521201201",
            "--device",
            "4",
        ])
        .args(extra)
        .output()
        .unwrap();
    eprintln!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[tokio::test]
async fn the_printed_code_is_what_the_terminal_needs() {
    let dir = tempfile::tempdir().unwrap();
    county::keys::KeyDir::new(&dir.path().join("keys"))
        .init(county::keys::RootPolicy::default())
        .await
        .unwrap();
    let root = std::fs::read(dir.path().join("keys/root.json")).unwrap();

    // --root defaults to keys/root.json, beside county.db.
    let out = devices_add(
        dir.path(),
        &[
            "--hall-name",
            "城关镇 便民服务中心",
            "--server-url",
            "https://gk.yunxi.gov.example",
            "--svg",
            "code.svg",
        ],
    );
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let line = text.lines().find(|l| l.starts_with("GKPROV1:")).unwrap();
    let code = ProvisioningCode::parse(line).unwrap();
    assert_eq!(code.server_url().as_str(), "https://gk.yunxi.gov.example/");
    assert_eq!(code.region().as_str(), "990521201201");
    assert_eq!(code.device().get(), 4);
    assert_eq!(code.hall_name(), "城关镇 便民服务中心");
    assert_eq!(code.root_fingerprint(), root_fingerprint(&root));
    assert!(text.contains(&format!("开通码：{}（7 天内有效", code.one_time_code())));
    let fp = code.root_fingerprint();
    assert!(
        text.contains(&format!("{} {} ", &fp[..4], &fp[4..8])),
        "the fingerprint in groups of four"
    );
    assert!(text.contains('▀') && text.contains('▄'), "the QR code");
    let svg = std::fs::read_to_string(dir.path().join("code.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));

    // What the staff page lists, and that the code enrols that terminal.
    let store = IntakeStore::open(&dir.path().join("county.db")).unwrap();
    let now = OffsetDateTime::now_utc();
    let pending = store.pending_codes(now).unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].terminal, "990521201201-04");
    let opts = ServeOptions {
        listen: "127.0.0.1:0".parse().unwrap(),
        repo: dir.path().join("repo"),
        database: dir.path().join("county.db"),
        content: None,
        staff_key: "staff-secret".into(),
        limits: ServeLimits::default(),
        policy: IntakePolicy::default(),
    };
    std::fs::create_dir_all(&opts.repo).unwrap();
    let port = common::serve_in_process(&opts).await;
    let staff = || async {
        reqwest::get(format!("http://127.0.0.1:{port}/staff?key=staff-secret"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    };
    let page = staff().await;
    assert!(
        page.contains("待开通的终端") && page.contains("990521201201-04"),
        "{page}"
    );
    assert!(
        !page.contains(code.one_time_code()),
        "the code itself is never shown"
    );
    store
        .enrol(code.one_time_code(), "990521201201", 4, now)
        .unwrap();
    assert!(store.pending_codes(now).unwrap().is_empty());
    assert!(!staff().await.contains("待开通的终端"));

    // A bad address or name is refused before any code is made.
    let url = ["--server-url", "https://gk.example/"];
    for (args, words) in [
        (
            &["--hall-name", "石桥村", "--server-url", "http://10.1.2.3/"][..],
            "服务器地址有误",
        ),
        (&["--hall-name", "", url[0], url[1]][..], "厅名有误"),
        (
            &[
                "--hall-name",
                "石桥村",
                url[0],
                url[1],
                "--root",
                "none.json",
            ][..],
            "无法读取根元数据",
        ),
        (&["--hall-name", "石桥村"][..], "--server-url"),
    ] {
        let out = devices_add(dir.path(), args);
        assert!(!out.status.success());
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(said.contains(words), "{args:?}: {said}");
    }
    assert!(
        store.pending_codes(now).unwrap().is_empty(),
        "no code was made"
    );

    // Without --hall-name: the 开通码 alone, as before.
    let out = devices_add(dir.path(), &[]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("开通码：") && !text.contains("GKPROV1:"),
        "{text}"
    );
    assert!(text.contains("--hall-name"), "{text}");
}
