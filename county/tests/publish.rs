//! `county publish` and `county keys`: a second publish of the same content
//! writes no target again, a changed file is the only one written (with a
//! delta for changed catalog shards), names a terminal would refuse stop
//! the publish, and rotated roots are published for terminals to follow.

use std::collections::BTreeMap;
use std::path::PathBuf;

use county::keys::{KeyDir, RootPolicy};
use county::publish::{PublishOptions, feed_targets, publish_targets, published_version};

fn workspace() -> PathBuf {
    PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap())
        .parent()
        .unwrap()
        .to_path_buf()
}

#[tokio::test]
async fn republishing_writes_only_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    let keys = KeyDir::new(&dir.path().join("keys"));
    keys.init(RootPolicy::default()).await.unwrap();
    let opts = PublishOptions {
        content: workspace().join("assets/demo"),
        calendars: Some(workspace().join("assets/calendars")),
        keys: dir.path().join("keys"),
        repo: dir.path().join("repo"),
        targets_days: 30,
        snapshot_days: 30,
        timestamp_days: 7,
        delegated: None,
    };
    let mut targets = feed_targets(&opts.content, opts.calendars.as_deref()).unwrap();
    let first = publish_targets(&opts, &targets).await.unwrap();
    assert_eq!((first.version, first.written), (1, first.targets));
    assert!(targets.contains_key("calendars-2026.toml"));
    assert!(targets.contains_key("regions.csv"));
    let again = publish_targets(&opts, &targets).await.unwrap();
    assert_eq!(
        (again.version, again.written, again.written_bytes),
        (2, 0, 0)
    );

    // One shard changed: it and the delta are the only new files.
    let (name, bytes) = targets
        .iter()
        .find(|(n, _)| n.starts_with("catalog-990521-"))
        .map(|(n, b)| (n.clone(), b.clone()))
        .unwrap();
    let text = String::from_utf8(bytes)
        .unwrap()
        .replacen("公开", "公示", 1);
    targets.insert(name, text.into_bytes());
    let third = publish_targets(&opts, &targets).await.unwrap();
    assert_eq!((third.version, third.written), (3, 2), "{third:?}");
    let files: Vec<String> = std::fs::read_dir(dir.path().join("repo/targets"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        files.iter().any(|f| f.ends_with(".deltas-2-3.json")),
        "{files:?}"
    );

    // A name terminals would refuse is refused here first.
    let mut bad: BTreeMap<String, Vec<u8>> = targets.clone();
    bad.insert("calendars-2027年.toml".into(), b"year = 2027".to_vec());
    let e = publish_targets(&opts, &bad).await.unwrap_err();
    assert!(e.to_string().contains("日历应为 YYYY.toml"), "{e}");
    assert_eq!(
        published_version(&opts.repo).unwrap(),
        3,
        "nothing published"
    );

    // A rotated root is published beside the first.
    keys.rotate(tough::schema::RoleType::Root, 365)
        .await
        .unwrap();
    publish_targets(&opts, &targets).await.unwrap();
    let meta = dir.path().join("repo/metadata");
    assert!(meta.join("1.root.json").exists() && meta.join("2.root.json").exists());
    assert!(dir.path().join("keys/retired/root-1.pk8").exists());
    // An unknown role is refused by name.
    assert!(county::keys::parse_role("mirror").is_none());
}
