//! A round against servers that misbehave slowly: a repository that
//! trickles bytes (the real county intake behind the same address), and an
//! intake that answers without end. Servers are small TCP listeners on
//! 127.0.0.1, every loop bounded in count.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use clap::Parser;
use common::Fixture;
use disclosure::requests::{DeviceNo, RequestStore};
use sync_agent::Agent;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Bytes a trickled answer sends at most, one every 100 ms (about 10 minutes).
const TRICKLE_BYTES: u32 = 6_000;

/// What the trickling front saw.
#[derive(Default)]
struct Trickle {
    /// A repository answer is being trickled right now.
    active: AtomicBool,
    /// Repository answers started.
    started: AtomicU64,
}

/// Reads a request's head (up to the blank line), bounded.
async fn read_head(sock: &mut TcpStream) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 || buf.len() > 65_536 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Some(buf)
}

/// A front on 127.0.0.1 that trickles every `/repo/` answer one byte at a
/// time and passes everything else to the county server at `county`.
async fn trickling_front(county: u16) -> (u16, Arc<Trickle>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Trickle::default());
    let s = seen.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let seen = s.clone();
            tokio::spawn(async move {
                let Some(head) = read_head(&mut sock).await else {
                    return;
                };
                let path = String::from_utf8_lossy(&head)
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or("/")
                    .to_string();
                if path.starts_with("/repo/") {
                    seen.started.fetch_add(1, Ordering::SeqCst);
                    seen.active.store(true, Ordering::SeqCst);
                    let header = format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {TRICKLE_BYTES}\r\nConnection: close\r\n\r\n"
                    );
                    if sock.write_all(header.as_bytes()).await.is_ok() {
                        for _ in 0..TRICKLE_BYTES {
                            tokio::time::sleep(Duration::from_millis(100)).await;
                            if sock.write_all(b" ").await.is_err() {
                                break; // the agent gave up
                            }
                        }
                    }
                    seen.active.store(false, Ordering::SeqCst);
                    return;
                }
                let Ok(mut upstream) = TcpStream::connect(("127.0.0.1", county)).await else {
                    return;
                };
                if upstream.write_all(&head).await.is_ok() {
                    let _ = tokio::io::copy_bidirectional(&mut sock, &mut upstream).await;
                }
            });
        }
    });
    (port, seen)
}

/// `county serve`'s arguments, as the command line gives them.
#[derive(Parser)]
struct ServeArgs {
    #[command(flatten)]
    serve: county::serve::ServeOptions,
}

/// The real county intake on 127.0.0.1, with its database at `db`.
async fn county_server(fx: &Fixture) -> u16 {
    let args = ServeArgs::parse_from([
        "county-serve".into(),
        "--repo".into(),
        fx.path("repo").into_os_string(),
        "--database".into(),
        fx.path("county.db").into_os_string(),
    ]);
    let router = county::serve::router(&args.serve).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    port
}

/// One application waiting in the terminal's outbox.
fn an_application(fx: &Fixture) -> String {
    let (store, _) = common::sample_application(&fx.path("device/requests.db"));
    store.receipt_numbers().unwrap()[0].to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trickling_repository_does_not_hold_back_deliveries() {
    let fx = Fixture::new().await;
    fx.publish_demo(&[]).await;
    let county = county_server(&fx).await;
    let (front, trickle) = trickling_front(county).await;
    // The terminal enrols through the front, as it will deliver.
    let intake = county::intake::IntakeStore::open(&fx.path("county.db")).unwrap();
    let code = intake
        .new_enrol_code(
            &"990521201201".parse().unwrap(),
            DeviceNo::new(1).unwrap(),
            7,
            time::OffsetDateTime::now_utc(),
        )
        .unwrap();
    // Downloads may take far longer than this test waits for delivery.
    let config = sync_agent::config::AgentConfig::parse(
        &fx.config_toml(front)
            .replace("[sync]\n", "[sync]\ndownload_timeout_secs = 3000\n"),
    )
    .unwrap();
    sync_agent::intake::IntakeClient::new(&config)
        .enrol(&code)
        .await
        .unwrap();
    let receipt = an_application(&fx);
    let agent = Agent::new(config);
    // The application reaches the county while the repository is still
    // trickling (at most 600 checks, 100 ms apart).
    let requests = fx.path("device/requests.db");
    let active = trickle.clone();
    let watch = tokio::spawn(async move {
        for _ in 0..600 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            let store = RequestStore::open(&requests).unwrap();
            if store.outbox_pending().unwrap().is_empty() {
                return active.active.load(Ordering::SeqCst);
            }
        }
        false
    });
    let delivered_while_trickling = tokio::select! {
        seen = watch => seen.unwrap(),
        _ = agent.round() => false,
    };
    assert!(
        trickle.started.load(Ordering::SeqCst) > 0,
        "the content sync did reach the trickling repository"
    );
    assert!(
        delivered_while_trickling,
        "the application waited for the content sync"
    );
    let held = intake.applications().unwrap();
    assert_eq!(held.len(), 1, "the county holds {receipt}");
}

#[tokio::test]
async fn a_trickling_download_is_given_up_at_its_deadline() {
    let fx = Fixture::new().await;
    fx.publish_demo(&[]).await;
    fx.provision();
    let county = county_server(&fx).await;
    let (front, trickle) = trickling_front(county).await;
    let config = sync_agent::config::AgentConfig::parse(
        &fx.config_toml(front)
            .replace("[sync]\n", "[sync]\ndownload_timeout_secs = 3\n"),
    )
    .unwrap();
    let agent = Agent::new(config);
    // A hang guard only: the trickle alone would last about ten minutes.
    let (result, _) = tokio::time::timeout(Duration::from_secs(120), agent.sync_feed())
        .await
        .expect("the download was given up, not waited out");
    assert!(result.is_err(), "a trickle never completes a sync");
    assert!(trickle.started.load(Ordering::SeqCst) > 0);
    assert_eq!(fx.content_version(), None);
}

#[tokio::test]
async fn an_endless_intake_answer_is_cut_off() {
    const ENDLESS: u64 = 64 * 1024 * 1024;
    let fx = Fixture::new().await;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let sent = Arc::new(AtomicU64::new(0));
    let s = sent.clone();
    // Answers every request with 200 and a page of status changes that
    // never ends (64 MiB at most), without a length.
    tokio::spawn(async move {
        for _ in 0..8 {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let sent = s.clone();
            tokio::spawn(async move {
                if read_head(&mut sock).await.is_none() {
                    return;
                }
                let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{\"changes\":[";
                if sock.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let block = vec![b' '; 64 * 1024];
                while sent.load(Ordering::SeqCst) < ENDLESS {
                    if sock.write_all(&block).await.is_err() {
                        return; // the agent stopped reading
                    }
                    sent.fetch_add(block.len() as u64, Ordering::SeqCst);
                }
            });
        }
    });
    std::fs::create_dir_all(fx.path("device")).unwrap();
    RequestStore::open(&fx.path("device/requests.db")).unwrap();
    let config = fx.config(port);
    let creds = sync_agent::intake::Credentials {
        device_id: "990521201201-01".into(),
        token: "t".into(),
        expires_at: None,
        rotate_after: None,
    };
    let e = sync_agent::intake::IntakeClient::new(&config)
        .pull_statuses(&creds)
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("过长"), "{e}");
    assert!(
        sent.load(Ordering::SeqCst) < ENDLESS,
        "read to the end: {} bytes",
        sent.load(Ordering::SeqCst)
    );
}
