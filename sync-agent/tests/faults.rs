//! The feed under attack and failure: every test publishes real signed
//! content with the county library, serves it from a real HTTP server on
//! 127.0.0.1 that misbehaves as told, and runs the agent's real sync. The
//! store must always hold the old or the new version, never a mix.

mod common;

use common::{FaultServer, Faults, Fixture, publish_items, revise};
use sync_agent::Agent;
use sync_agent::feed::plain_words;

/// Syncs and returns the plain-words error, if any.
async fn sync(fx: &Fixture, port: u16) -> Result<u64, String> {
    let agent = Agent::new(fx.config(port));
    let (r, _) = agent.sync_feed().await;
    r.map(|f| f.version).map_err(|e| plain_words(&e))
}

fn expect_err(r: Result<u64, String>, words: &str) {
    match r {
        Ok(v) => panic!("accepted version {v}, wanted an error with “{words}”"),
        Err(e) => assert!(e.contains(words), "error “{e}” lacks “{words}”"),
    }
}

fn rewrite_json(path: &std::path::Path, f: impl FnOnce(&mut serde_json::Value)) {
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    f(&mut v);
    std::fs::write(path, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
}

fn a_target_file(fx: &Fixture, contains: &str) -> std::path::PathBuf {
    std::fs::read_dir(fx.path("repo/targets"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains(contains))
        .expect("target present")
}

#[tokio::test]
async fn a_good_feed_applies_and_a_second_sync_fetches_nothing_new() {
    let fx = Fixture::new().await;
    fx.publish_demo(&[]).await;
    let srv = FaultServer::start(fx.dir.path()).await;
    assert_eq!(sync(&fx, srv.port).await, Ok(1));
    assert_eq!(fx.content_version(), Some(1));
    let first = srv.seen().requests.len();
    srv.reset_seen();
    assert_eq!(sync(&fx, srv.port).await, Ok(1));
    let again = srv.seen();
    assert!(
        again
            .requests
            .iter()
            .all(|p| p.starts_with("/repo/metadata/")),
        "only metadata on a second sync: {:?}",
        again.requests
    );
    assert!(again.requests.len() < first / 10);
    // A small change travels alone.
    fx.publish_demo(&[(
        "notices-990521-extra.md",
        "---\n标题: 新通知\n类型: 公告\n发布日期: 2026-11-20\n发布机关: 云溪县人民政府\n---\n正文"
            .as_bytes(),
    )])
    .await;
    srv.reset_seen();
    let r = sync(&fx, srv.port).await;
    let seen = srv.seen();
    let target_fetches: Vec<_> = seen
        .requests
        .iter()
        .filter(|p| p.starts_with("/repo/targets/"))
        .collect();
    assert_eq!(target_fetches.len(), 1, "{target_fetches:?}");
    // Whether that notice is valid or not, the store never holds a mix.
    match r {
        Ok(v) => assert_eq!(fx.content_version(), Some(v)),
        Err(_) => assert_eq!(fx.content_version(), Some(1)),
    }
}

#[tokio::test]
async fn server_down_500_and_slow_leave_the_store_as_it_was() {
    let fx = Fixture::new().await;
    fx.publish_demo(&[]).await;
    // Nothing listening.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = dead.local_addr().unwrap().port();
    drop(dead);
    expect_err(sync(&fx, port).await, "连不上");
    assert_eq!(fx.content_version(), None);

    let srv = FaultServer::start(fx.dir.path()).await;
    srv.set(Faults {
        status: Some(500),
        ..Faults::default()
    });
    expect_err(sync(&fx, srv.port).await, "连不上");
    srv.set(Faults {
        delay: Some(std::time::Duration::from_secs(4)),
        ..Faults::default()
    });
    expect_err(sync(&fx, srv.port).await, "连不上");
    assert_eq!(fx.content_version(), None);
    srv.set(Faults::default());
    assert_eq!(sync(&fx, srv.port).await, Ok(1));
}

#[tokio::test]
async fn truncated_downloads_resume_with_range_and_a_200_restarts() {
    let fx = Fixture::new().await;
    fx.publish_demo(&[]).await;
    let srv = FaultServer::start(fx.dir.path()).await;
    // Every catalog shard is cut after 100 bytes once: the transport asks
    // for the rest with Range.
    srv.set(Faults {
        truncate_after: Some(100),
        truncate_match: "catalog-990521-".into(),
        truncate_times: 2,
        ..Faults::default()
    });
    assert_eq!(sync(&fx, srv.port).await, Ok(1));
    let seen = srv.seen();
    assert!(seen.ranged.len() >= 2, "ranged requests: {:?}", seen.ranged);
    assert!(seen.ranged.iter().all(|p| p.contains("catalog-990521-")));

    // A server that ignores Range: the file restarts and still verifies.
    let fx = Fixture::new().await;
    fx.publish_demo(&[]).await;
    let srv = FaultServer::start(fx.dir.path()).await;
    srv.set(Faults {
        truncate_after: Some(100),
        truncate_match: "catalog-990521-".into(),
        truncate_times: 2,
        ignore_range: true,
        ..Faults::default()
    });
    assert_eq!(sync(&fx, srv.port).await, Ok(1));
    assert_eq!(fx.content_version(), Some(1));
}

#[tokio::test]
async fn wrong_hash_and_oversized_target_are_refused() {
    let fx = Fixture::new().await;
    fx.publish_demo(&[]).await;
    let srv = FaultServer::start(fx.dir.path()).await;
    let file = a_target_file(&fx, "catalog-990521-01");
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    let mut bytes = std::fs::read(&file).unwrap();
    // Same length, one byte changed.
    bytes[10] ^= 1;
    srv.set(Faults {
        replace: vec![(name.clone(), bytes.clone())],
        ..Faults::default()
    });
    expect_err(sync(&fx, srv.port).await, "不符");
    assert_eq!(fx.content_version(), None);
    // Longer than signed: endless data is cut off.
    let mut long = std::fs::read(&file).unwrap();
    long.extend(std::iter::repeat_n(b' ', 3_000_000));
    srv.set(Faults {
        replace: vec![(name, long)],
        ..Faults::default()
    });
    expect_err(sync(&fx, srv.port).await, "不符");
    assert_eq!(fx.content_version(), None);
    srv.set(Faults::default());
    assert_eq!(sync(&fx, srv.port).await, Ok(1));
}

#[tokio::test]
async fn bad_and_missing_signatures_are_refused() {
    let fx = Fixture::new().await;
    fx.publish_demo(&[]).await;
    let srv = FaultServer::start(fx.dir.path()).await;
    let ts = fx.path("repo/metadata/timestamp.json");
    let good = std::fs::read(&ts).unwrap();
    // A signature over other bytes: the expiry pushed out by an attacker.
    rewrite_json(&ts, |v| {
        v["signed"]["expires"] = "2099-01-01T00:00:00Z".into()
    });
    expect_err(sync(&fx, srv.port).await, "签名");
    // No signatures at all.
    std::fs::write(&ts, &good).unwrap();
    rewrite_json(&ts, |v| v["signatures"] = serde_json::json!([]));
    expect_err(sync(&fx, srv.port).await, "签名");
    // Signed by a key the root does not trust.
    std::fs::write(&ts, &good).unwrap();
    let other = Fixture::new().await;
    other.publish_demo(&[]).await;
    std::fs::copy(other.path("repo/metadata/timestamp.json"), &ts).unwrap();
    expect_err(sync(&fx, srv.port).await, "签名");
    assert_eq!(fx.content_version(), None);
    std::fs::write(&ts, &good).unwrap();
    assert_eq!(sync(&fx, srv.port).await, Ok(1));
}

#[tokio::test]
async fn a_root_update_under_threshold_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let keys = county::keys::KeyDir::new(&dir.path().join("keys"));
    keys.init(county::keys::RootPolicy {
        root_keys: 2,
        root_threshold: 2,
        expires_days: 30,
    })
    .await
    .unwrap();
    let fx = Fixture { dir };
    fx.publish_demo(&[]).await;
    let srv = FaultServer::start(fx.dir.path()).await;
    assert_eq!(sync(&fx, srv.port).await, Ok(1));
    // Rotate the timestamp key (root v2, signed by both old root keys),
    // publish, then strip one of the old root signatures from 2.root.json.
    keys.rotate(tough::schema::RoleType::Timestamp, 30)
        .await
        .unwrap();
    fx.publish_demo(&[]).await;
    let r2 = fx.path("repo/metadata/2.root.json");
    let good = std::fs::read(&r2).unwrap();
    rewrite_json(&r2, |v| {
        let sigs = v["signatures"].as_array_mut().unwrap();
        sigs.truncate(1);
    });
    expect_err(sync(&fx, srv.port).await, "签名");
    assert_eq!(fx.content_version(), Some(1));
    // The properly signed rotation is followed.
    std::fs::write(&r2, &good).unwrap();
    assert_eq!(sync(&fx, srv.port).await, Ok(2));
}

#[tokio::test]
async fn expired_metadata_is_refused() {
    let fx = Fixture::new().await;
    fx.publish_with(&[], -1).await;
    let srv = FaultServer::start(fx.dir.path()).await;
    expect_err(sync(&fx, srv.port).await, "过期");
    assert_eq!(fx.content_version(), None);
}

#[tokio::test]
async fn rollback_and_mix_and_match_are_refused() {
    let fx = Fixture::new().await;
    fx.publish_demo(&[]).await;
    let v1_ts = std::fs::read(fx.path("repo/metadata/timestamp.json")).unwrap();
    fx.publish_demo(&[(
        "calendars-2027.toml",
        b"year = 2027\nsource = \"test\"\nrest_days = []\nworking_weekends = []\n",
    )])
    .await;
    let srv = FaultServer::start(fx.dir.path()).await;
    let r = sync(&fx, srv.port).await;
    assert!(
        r.is_ok() || r.as_ref().unwrap_err().contains("内容"),
        "{r:?}"
    );
    let applied = fx.content_version();
    // Rollback: the old timestamp again.
    let ts = fx.path("repo/metadata/timestamp.json");
    let v2_ts = std::fs::read(&ts).unwrap();
    std::fs::write(&ts, &v1_ts).unwrap();
    expect_err(sync(&fx, srv.port).await, "旧");
    assert_eq!(fx.content_version(), applied);
    std::fs::write(&ts, &v2_ts).unwrap();
    // Mix and match: snapshot 2 swapped for snapshot 1's bytes.
    let s2 = fx.path("repo/metadata/2.snapshot.json");
    let good = std::fs::read(&s2).unwrap();
    std::fs::copy(fx.path("repo/metadata/1.snapshot.json"), &s2).unwrap();
    let fresh = Fixture {
        dir: tempfile::tempdir().unwrap(),
    };
    std::fs::create_dir_all(fresh.path("keys")).unwrap();
    std::fs::copy(fx.path("keys/root.json"), fresh.path("keys/root.json")).unwrap();
    fresh.provision();
    assert!(
        sync(&fresh, srv.port).await.is_err(),
        "a fresh terminal refuses the mix"
    );
    assert_eq!(fresh.content_version(), None);
    std::fs::write(&s2, &good).unwrap();
}

#[tokio::test]
async fn a_clock_behind_the_last_sync_is_reported() {
    let fx = Fixture::new().await;
    fx.publish_demo(&[]).await;
    let srv = FaultServer::start(fx.dir.path()).await;
    assert_eq!(sync(&fx, srv.port).await, Ok(1));
    // tough remembers the latest time it saw; pretend that was next year.
    let p = fx.path("device/state/tuf/latest_known_time.json");
    assert!(p.exists(), "tough keeps the time it last saw");
    std::fs::write(&p, b"\"2099-01-01T00:00:00Z\"").unwrap();
    expect_err(sync(&fx, srv.port).await, "时钟");
    assert_eq!(fx.content_version(), Some(1));
}

#[tokio::test]
async fn a_tampered_usb_copy_is_refused_and_a_good_one_applies() {
    let fx = Fixture::new().await;
    fx.publish_demo(&[]).await;
    fx.provision();
    let paths = Agent::new(fx.config(1)).feed_paths();
    // A stick with one target changed.
    let stick = tempfile::tempdir().unwrap();
    copy_dir(&fx.path("repo"), stick.path());
    let t = std::fs::read_dir(stick.path().join("targets"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains("regions.csv"))
        .unwrap();
    let mut b = std::fs::read(&t).unwrap();
    b[0] ^= 0x20;
    std::fs::write(&t, b).unwrap();
    let e = sync_agent::feed::import_dir(&paths, stick.path(), usb_limits())
        .await
        .unwrap_err();
    assert!(plain_words(&e).contains("不符"), "{}", plain_words(&e));
    assert_eq!(fx.content_version(), None);
    assert!(!fx.path("device/state/usb").exists(), "the copy is removed");
    // Another sync holds the state folder: the import waits its turn.
    {
        let _held = sync_agent::feed::StateLock::take(&fx.path("device/state")).unwrap();
        let e = sync_agent::feed::import_dir(&paths, &fx.path("repo"), usb_limits())
            .await
            .unwrap_err();
        assert!(plain_words(&e).contains("正在进行"), "{}", plain_words(&e));
    }
    // Not a repository at all.
    let empty = tempfile::tempdir().unwrap();
    let e = sync_agent::feed::import_dir(&paths, empty.path(), usb_limits())
        .await
        .unwrap_err();
    assert!(plain_words(&e).contains("没有内容仓库"));
    // The real thing.
    let good = tempfile::tempdir().unwrap();
    copy_dir(&fx.path("repo"), good.path());
    let r = sync_agent::feed::import_dir(&paths, good.path(), usb_limits())
        .await
        .unwrap();
    assert_eq!(r.version, 1);
    assert_eq!(fx.content_version(), Some(1));
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    for sub in ["metadata", "targets"] {
        std::fs::create_dir_all(to.join(sub)).unwrap();
        for e in std::fs::read_dir(from.join(sub)).unwrap() {
            let p = e.unwrap().path();
            std::fs::copy(&p, to.join(sub).join(p.file_name().unwrap())).unwrap();
        }
    }
}

#[tokio::test]
async fn a_small_catalog_change_travels_as_a_delta() {
    let fx = Fixture::new().await;
    let mut items = disclosure::synth::synthetic_items(6_000, 4);
    publish_items(&fx, &items).await;
    let srv = FaultServer::start(fx.dir.path()).await;
    let agent = Agent::new(fx.config(srv.port));
    let (r, full_bytes) = agent.sync_feed().await;
    assert_eq!(r.unwrap().version, 1);
    // 1% of the items revised, spread over the whole catalog.
    revise(&mut items, 100, 7);
    publish_items(&fx, &items).await;
    srv.reset_seen();
    let (r, bytes) = agent.sync_feed().await;
    let r = r.unwrap();
    assert_eq!((r.version, r.downloaded), (2, 1), "only the delta travels");
    assert!(r.rebuilt > 20, "{r:?}");
    let targets: Vec<_> = srv
        .seen()
        .requests
        .into_iter()
        .filter(|p| p.contains("/targets/"))
        .collect();
    assert_eq!(targets.len(), 1);
    assert!(targets[0].contains("deltas-1-2.json"), "{targets:?}");
    assert!(bytes * 10 < full_bytes, "{bytes} of {full_bytes}");
    let store = disclosure::ContentStore::open_read_only(&fx.path("device/content.db")).unwrap();
    let mut got = store.all_items().unwrap();
    let mut want = items.clone();
    got.sort_by(|a, b| a.key.cmp(&b.key));
    want.sort_by(|a, b| a.key.cmp(&b.key));
    assert_eq!(got, want);
    drop(store);
    // Two versions behind: the delta's bases are missing, the changed
    // shards are downloaded whole, and the result is the same.
    revise(&mut items, 100, 31);
    publish_items(&fx, &items).await;
    revise(&mut items, 100, 63);
    publish_items(&fx, &items).await;
    let (r, _) = agent.sync_feed().await;
    let r = r.unwrap();
    assert_eq!(r.version, 4);
    assert!(r.downloaded > 20, "{r:?}");
    let store = disclosure::ContentStore::open_read_only(&fx.path("device/content.db")).unwrap();
    let mut got = store.all_items().unwrap();
    let mut want = items.clone();
    got.sort_by(|a, b| a.key.cmp(&b.key));
    want.sort_by(|a, b| a.key.cmp(&b.key));
    assert_eq!(got, want);
}

/// What a terminal may store from a stick in these tests: 16 MiB a file,
/// 1 GiB in all, 1 MiB of the disk kept free.
fn usb_limits() -> sync_agent::feed::StorageLimits {
    sync_agent::feed::StorageLimits {
        max_file_bytes: 1 << 24,
        max_total_bytes: 1 << 30,
        min_free_bytes: 1 << 20,
    }
}

/// Bytes of every file under `dir` (0 when it does not exist).
fn bytes_under(dir: &std::path::Path) -> u64 {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return 0;
    };
    rd.map(|e| e.unwrap().path())
        .map(|p| {
            if p.is_dir() {
                bytes_under(&p)
            } else {
                std::fs::metadata(&p).unwrap().len()
            }
        })
        .sum()
}

#[tokio::test]
async fn usb_junk_is_never_copied_and_a_stick_cannot_fill_the_disk() {
    let fx = Fixture::new().await;
    fx.publish_demo(&[]).await;
    fx.provision();
    let paths = Agent::new(fx.config(1)).feed_paths();
    let state = fx.path("device/state");
    // A stick with the county's repository and 20 × 1 MB of junk beside
    // it (unsigned files with target-like and metadata-like names), and a
    // link to a file of the box.
    let stick = tempfile::tempdir().unwrap();
    copy_dir(&fx.path("repo"), stick.path());
    let junk: Vec<u8> = (0..1_000_000u32).map(|i| (i % 251) as u8).collect();
    for i in 0..18 {
        let name = format!("{}.junk-{i}.bin", "0".repeat(64));
        std::fs::write(stick.path().join("targets").join(name), &junk).unwrap();
    }
    std::fs::write(stick.path().join("metadata/junk.json"), &junk).unwrap();
    std::fs::write(stick.path().join("metadata/99.snapshot.json"), &junk).unwrap();
    std::os::unix::fs::symlink(
        fx.path("keys/root.json"),
        stick.path().join("metadata/7.root.json"),
    )
    .unwrap();
    let repo_bytes = bytes_under(&fx.path("repo"));
    assert!(
        repo_bytes < 6 << 20,
        "the demo repository is small: {repo_bytes}"
    );
    // An 8 MiB budget: the signed content fits, content and junk would not.
    let limits = sync_agent::feed::StorageLimits {
        max_file_bytes: 4 << 20,
        max_total_bytes: 8 << 20,
        min_free_bytes: 1 << 20,
    };
    // Not enough free space for the reserve: nothing stored, nothing left.
    let e = sync_agent::feed::import_dir(
        &paths,
        stick.path(),
        sync_agent::feed::StorageLimits {
            min_free_bytes: u64::MAX / 2,
            ..limits
        },
    )
    .await
    .unwrap_err();
    assert!(plain_words(&e).contains("须保留"), "{}", plain_words(&e));
    assert_eq!(bytes_under(&state.join("targets")), 0);
    // A budget smaller than the signed content: refused before any target.
    let e = sync_agent::feed::import_dir(
        &paths,
        stick.path(),
        sync_agent::feed::StorageLimits {
            max_total_bytes: 64 * 1024,
            ..limits
        },
    )
    .await
    .unwrap_err();
    assert!(plain_words(&e).contains("上限"), "{}", plain_words(&e));
    assert_eq!(bytes_under(&state.join("targets")), 0);
    for left in ["usb", "staging", "partial"] {
        assert!(!state.join(left).exists(), "{left} removed after a failure");
    }
    assert_eq!(fx.content_version(), None);
    // Within the budget: the signed content only.
    let r = sync_agent::feed::import_dir(&paths, stick.path(), limits)
        .await
        .unwrap();
    assert_eq!(r.version, 1);
    assert_eq!(fx.content_version(), Some(1));
    assert!(!state.join("usb").exists(), "the copy is removed");
    let stored = bytes_under(&state);
    assert!(
        stored < repo_bytes + (1 << 20),
        "only signed files stored: {stored}"
    );
    for e in std::fs::read_dir(state.join("targets")).unwrap() {
        let bytes = std::fs::read(e.unwrap().path()).unwrap();
        assert_ne!(bytes, junk, "junk never copied");
    }
}
