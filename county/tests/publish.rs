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

/// Copies a folder and everything in it (regular files only).
fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let t = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_tree(&p, &t);
        } else {
            std::fs::copy(&p, &t).unwrap();
        }
    }
}

#[tokio::test]
async fn symlink_to_private_key_and_stray_files_are_not_published() {
    let dir = tempfile::tempdir().unwrap();
    let keys = KeyDir::new(&dir.path().join("keys"));
    keys.init(RootPolicy::default()).await.unwrap();
    let content = dir.path().join("content");
    copy_tree(&workspace().join("assets/demo"), &content);
    let county_docs = content.join("documents/990521-云溪县");
    let key = dir.path().join("keys/targets-1.pk8");
    let key_bytes = std::fs::read(&key).unwrap();
    let opts = PublishOptions {
        content: content.clone(),
        calendars: None,
        keys: dir.path().join("keys"),
        repo: dir.path().join("repo"),
        targets_days: 30,
        snapshot_days: 30,
        timestamp_days: 7,
        delegated: None,
    };
    // A link next to the documents, to the targets role's private key:
    // refused by name, nothing published.
    std::os::unix::fs::symlink(&key, county_docs.join("notes.txt.bak")).unwrap();
    let e = county::publish::publish(&opts)
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("notes.txt.bak") && e.contains("符号链接"), "{e}");
    assert_eq!(
        published_version(&opts.repo).unwrap(),
        0,
        "nothing published"
    );
    std::fs::remove_file(county_docs.join("notes.txt.bak")).unwrap();
    // The same link named as an attachment, and as a record: refused too.
    std::os::unix::fs::symlink(&key, county_docs.join("备查.txt")).unwrap();
    let e = county::publish::publish(&opts)
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("备查.txt") && e.contains("符号链接"), "{e}");
    std::fs::remove_file(county_docs.join("备查.txt")).unwrap();
    let (doc, text) = std::fs::read_dir(&county_docs)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find_map(|p| {
            let t = std::fs::read_to_string(&p).ok()?;
            t.contains("附件:").then_some((p, t))
        })
        .expect("a demo document with attachments");
    let first = text
        .lines()
        .find_map(|l| l.strip_prefix("附件:"))
        .unwrap()
        .split(['；', ';'])
        .next()
        .unwrap()
        .trim()
        .to_string();
    let real = county_docs.join(&first);
    let saved = std::fs::read(&real).unwrap();
    std::fs::remove_file(&real).unwrap();
    std::os::unix::fs::symlink(&key, &real).unwrap();
    let e = county::publish::publish(&opts)
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains(&first) && e.contains("符号链接"), "{e}");
    std::fs::remove_file(&real).unwrap();
    std::fs::write(&real, saved).unwrap();
    assert!(doc.exists());

    // A stray spreadsheet of applicants: skipped, named, never a target.
    std::fs::write(
        county_docs.join("内部-申请人名单.csv"),
        "姓名,身份证号\n王秀英,11010519491231002X\n",
    )
    .unwrap();
    std::fs::write(
        content.join("guides/990521-云溪县/草稿.docx"),
        b"PK\x03\x04",
    )
    .unwrap();
    let report = county::publish::publish(&opts).await.unwrap();
    assert_eq!(report.version, 1);
    let skipped: Vec<String> = report.skipped_files.iter().map(|w| w.to_string()).collect();
    assert!(
        skipped
            .iter()
            .any(|w| w.contains("内部-申请人名单.csv") && w.contains("未发布")),
        "{skipped:?}"
    );
    assert!(
        skipped.iter().any(|w| w.contains("草稿.docx")),
        "{skipped:?}"
    );
    let targets = feed_targets(&content, None).unwrap();
    assert!(
        targets
            .keys()
            .all(|n| !n.contains("申请人名单") && !n.contains("草稿")),
        "{:?}",
        targets.keys().collect::<Vec<_>>()
    );
    assert!(targets.contains_key(&format!("documents-990521-{first}")));
    for e in std::fs::read_dir(dir.path().join("repo/targets")).unwrap() {
        let bytes = std::fs::read(e.unwrap().path()).unwrap();
        assert_ne!(bytes, key_bytes, "the private key is never a target");
        assert!(!String::from_utf8_lossy(&bytes).contains("11010519491231002X"));
    }
}
