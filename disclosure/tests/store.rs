//! `content.db`: queries on the demo content, versions, atomic replacement,
//! read-only opening and schema upgrades of older files.

mod common;

use common::*;
use disclosure::store::{RecordKind, RegionScope};
use disclosure::{ContentBundle, ContentStore, Domain, FeedVersion, RegionLevel, StoreError};

const VILLAGE: &str = "990521201201"; // 石桥村, under 石桥乡
const TOWNSHIP: &str = "990521201"; // 石桥乡
const COUNTY: &str = "990521";

#[test]
fn demo_content_meets_the_brief() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path());
    let c = store.counts().unwrap();
    assert!(c.items >= 300, "{c:?}");
    assert!(c.documents >= 20, "{c:?}");
    assert!(c.interpretations >= 20, "{c:?}");
    assert!(c.guides >= 10 && c.notices >= 10, "{c:?}");
    let regions = store.regions().unwrap();
    let villages = regions
        .iter()
        .filter(|r| r.level == RegionLevel::Village)
        .count();
    let townships = regions
        .iter()
        .filter(|r| r.level == RegionLevel::Township)
        .count();
    assert_eq!(townships, 2);
    assert!(villages >= 3);
    // Every one of the 26 pilot domains has county items.
    let county = store
        .domain_counts(&RegionScope::of(&code(COUNTY)))
        .unwrap();
    for d in county.iter().filter(|d| !d.domain.is_other()) {
        assert!(d.items > 0, "{} has no items", d.domain);
    }
    // Some documents are amended or repealed.
    let docs = store
        .documents(&RegionScope::of(&code(COUNTY)), None)
        .unwrap();
    use disclosure::EffectStatus::*;
    assert!(docs.iter().any(|d| d.status == Amended));
    assert!(docs.iter().any(|d| d.status == Repealed));
}

#[test]
fn a_village_sees_its_own_township_and_county_items() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path());
    let sum = |scope: &str| -> usize {
        store
            .domain_counts(&RegionScope::of(&code(scope)))
            .unwrap()
            .iter()
            .map(|d| d.items)
            .sum()
    };
    let items = store.all_items().unwrap();
    let count_in = |r: &str| items.iter().filter(|i| i.region.as_str() == r).count();
    assert_eq!(sum(COUNTY), count_in(COUNTY));
    assert_eq!(sum(TOWNSHIP), count_in(COUNTY) + count_in(TOWNSHIP));
    assert_eq!(
        sum(VILLAGE),
        count_in(COUNTY) + count_in(TOWNSHIP) + count_in(VILLAGE)
    );
    assert!(count_in(VILLAGE) > 0 && count_in(TOWNSHIP) > 0);
    // Another township's village items are not visible.
    let other_village = "990521101201";
    let seen = store
        .items_in(
            &RegionScope::of(&code(VILLAGE)),
            Domain::from_name("涉农补贴").unwrap(),
            &[],
        )
        .unwrap();
    assert!(
        seen.iter()
            .all(|i| !i.key.as_str().starts_with(other_village))
    );
    // All 27 domains are listed, in catalog order, 其他领域 last.
    let counts = store
        .domain_counts(&RegionScope::of(&code(VILLAGE)))
        .unwrap();
    assert_eq!(counts.len(), 27);
    assert_eq!(counts.last().unwrap().domain, Domain::OTHER);
}

#[test]
fn browse_columns_then_items_then_detail() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path());
    let scope = RegionScope::of(&code(VILLAGE));
    let domain = Domain::from_name("社会救助").unwrap();
    let tree = store.column_tree(&scope, domain).unwrap();
    assert!(!tree.is_empty());
    let total: usize = tree.iter().map(|n| n.item_count).sum();
    let all = store.items_in(&scope, domain, &[]).unwrap();
    assert_eq!(total, all.len());
    let first = &tree[0];
    let under = store
        .items_in(&scope, domain, std::slice::from_ref(&first.name))
        .unwrap();
    assert_eq!(under.len(), first.item_count);
    // The village's own items come first.
    assert_eq!(all[0].region_level, RegionLevel::Village);

    let detail = store.item(&under[0].key).unwrap().expect("item exists");
    let it = &detail.item;
    assert_eq!(it.columns[0], first.name);
    for (what, v) in [
        ("名称", &it.name),
        ("内容", &it.content),
        ("时限", &it.time_limit),
        ("主体", &it.publisher),
    ] {
        assert!(!v.is_empty(), "{what} empty");
    }
    assert!(!it.levels.is_empty());
    assert_eq!(
        store
            .item(&disclosure::ItemKey("990521-nope".into()))
            .unwrap(),
        None
    );
}

#[test]
fn documents_carry_their_interpretations() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path());
    let scope = RegionScope::of(&code(COUNTY));
    let docs = store.documents(&scope, None).unwrap();
    let mut with_interp = 0;
    for d in &docs {
        let v = store.document(&d.key).unwrap().unwrap();
        for i in &v.interpretations {
            assert_eq!(i.document, d.key);
            let again = store.interpretation(&i.key).unwrap().unwrap();
            assert_eq!(&again, i);
        }
        if !v.interpretations.is_empty() {
            with_interp += 1;
        }
        for a in &v.document.attachments {
            let bytes = store.attachment_bytes(&a.sha256).unwrap().unwrap();
            assert_eq!(bytes.len() as u64, a.size);
            assert!(bytes.starts_with(b"%PDF-"), "{}", a.file_name);
        }
    }
    assert!(with_interp >= 15, "{with_interp}");
    // Newest first.
    assert!(docs.windows(2).all(|w| w[0].issued >= w[1].issued));
}

#[test]
fn notices_in_force_and_latest_updates() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path());
    let scope = RegionScope::of(&code(VILLAGE));
    let today = disclosure::Date::from_ymd(2026, 11, 22).unwrap();
    let notices = store.notices_in_force(&scope, today).unwrap();
    assert!(!notices.is_empty());
    for n in &notices {
        assert!(n.published <= today);
        if let Some(c) = n.closes {
            assert!(c >= today, "closed consultation shown: {}", n.title);
        }
        assert!(scope.contains(n.region.as_str()));
    }
    let all_consultations = store
        .notices_in_force(&scope, disclosure::Date::from_ymd(2000, 1, 1).unwrap())
        .unwrap();
    assert!(
        all_consultations.is_empty(),
        "nothing is published before 2000"
    );

    let updates = store.latest_updates(&scope, 20).unwrap();
    assert_eq!(updates.len(), 20);
    assert!(updates.windows(2).all(|w| w[0].date >= w[1].date));
    assert!(updates.iter().all(|u| u.kind != RecordKind::Item));
    assert!(updates.iter().any(|u| u.kind == RecordKind::Notice));
    // Each line's 效力状态 is its document's (an interpretation's is the
    // document it explains); a notice has none.
    for u in store.latest_updates(&scope, 1000).unwrap() {
        let expected = store.effect_status(u.kind, &u.key).unwrap();
        assert_eq!(u.status, expected, "{:?} {}", u.kind, u.title);
        assert_eq!(
            u.status.is_none(),
            u.kind == RecordKind::Notice,
            "{}",
            u.title
        );
    }
}

#[test]
fn interpretations_and_results_carry_the_effect_status_of_their_document() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path());
    let scope = RegionScope::of(&code(VILLAGE));
    let entries = store.interpretations(&scope, 1000).unwrap();
    assert!(!entries.is_empty());
    let mut seen = std::collections::HashSet::new();
    for e in &entries {
        let doc = store
            .document(&e.interpretation.document)
            .unwrap()
            .expect("the explained document");
        assert_eq!(
            e.document_status, doc.document.status,
            "{}",
            e.interpretation.title
        );
        seen.insert(e.document_status);
    }
    // The demo explains rules in force and repealed ones.
    assert!(
        seen.len() >= 2,
        "only {seen:?} among the demo's interpretations"
    );

    // effect_status at its boundaries: each kind, and a key that is not there.
    let doc = &store.documents(&scope, None).unwrap()[0];
    let interp = &entries[0];
    let notice = &store
        .notices_in_force(&scope, disclosure::Date::from_ymd(2026, 11, 22).unwrap())
        .unwrap()[0];
    let check = |kind: RecordKind, key: &str, expected: Option<disclosure::EffectStatus>| {
        assert_eq!(
            store.effect_status(kind, key).unwrap(),
            expected,
            "{kind:?} {key}"
        );
    };
    check(RecordKind::Document, doc.key.as_str(), Some(doc.status));
    check(
        RecordKind::Interpretation,
        interp.interpretation.key.as_str(),
        Some(interp.document_status),
    );
    check(RecordKind::Notice, notice.key.as_str(), None);
    check(RecordKind::Item, "no-such-item", None);
    check(RecordKind::Document, "no-such-document", None);
    check(RecordKind::Interpretation, doc.key.as_str(), None);
}

#[test]
fn feed_version_and_whole_replacement() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = demo_store(dir.path());
    assert_eq!(store.feed_version().unwrap(), Some(FeedVersion(1)));
    let small = disclosure::synth::synthetic_bundle(10, 3);
    store.replace_all(&small, FeedVersion(2)).unwrap();
    assert_eq!(store.feed_version().unwrap(), Some(FeedVersion(2)));
    assert_eq!(store.counts().unwrap().items, 10);
    assert_eq!(store.counts().unwrap().documents, 0);
    store.integrity_check().unwrap();
}

#[test]
fn a_failed_replacement_leaves_the_old_version() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = demo_store(dir.path());
    let before = store.counts().unwrap();
    // An item in a region the bundle does not define: rejected by the store.
    let mut bad = disclosure::synth::synthetic_bundle(5, 1);
    bad.items[4].region = code("990521999");
    let err = store.replace_all(&bad, FeedVersion(2)).unwrap_err();
    assert!(matches!(err, StoreError::InvalidBundle(_)), "{err}");
    assert!(err.to_string().contains("所属地区或领域不存在"), "{err}");
    assert_eq!(store.feed_version().unwrap(), Some(FeedVersion(1)));
    assert_eq!(store.counts().unwrap(), before);
    store.integrity_check().unwrap();
}

#[test]
fn the_kiosk_opens_read_only_and_sees_new_versions() {
    let dir = tempfile::tempdir().unwrap();
    let mut writer = demo_store(dir.path());
    let reader = ContentStore::open_read_only(&dir.path().join("content.db")).unwrap();
    assert_eq!(reader.feed_version().unwrap(), Some(FeedVersion(1)));
    writer
        .replace_all(&disclosure::synth::synthetic_bundle(3, 9), FeedVersion(7))
        .unwrap();
    assert_eq!(reader.feed_version().unwrap(), Some(FeedVersion(7)));
    assert_eq!(reader.counts().unwrap().items, 3);
    // Writing through a read-only handle fails.
    let mut ro = reader;
    assert!(
        ro.replace_all(&ContentBundle::default(), FeedVersion(8))
            .is_err()
    );
}

#[test]
fn an_older_file_is_upgraded_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("content.db");
    // A file as schema version 1 wrote it (before the search index existed),
    // holding content.
    {
        let mut old = ContentStore::open(&path).unwrap();
        old.replace_all(&demo_bundle(), FeedVersion(4)).unwrap();
    }
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "DROP TABLE search_fts; DROP VIEW search_doc;
             ALTER TABLE catalog_item DROP COLUMN updated_stated; PRAGMA user_version = 1;",
        )
        .unwrap();
    }
    let err = ContentStore::open_read_only(&path).err().expect("too old");
    assert!(
        matches!(err, StoreError::SchemaTooOld { found: 1, .. }),
        "{err}"
    );
    // Opening for writing migrates and builds the index from the rows.
    let store = ContentStore::open(&path).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        ContentStore::current_schema_version()
    );
    assert_eq!(store.feed_version().unwrap(), Some(FeedVersion(4)));
    let mut s = disclosure::search::Searcher::new(&store).unwrap();
    let r = s
        .search(&store, &RegionScope::of(&code(VILLAGE)), "低保", 10)
        .unwrap();
    assert!(r.total > 0);
    store.integrity_check().unwrap();
    // Items stored before step 3 keep their dates as their own.
    let items = store
        .items_in(
            &RegionScope::of(&code(VILLAGE)),
            disclosure::Domain::from_name("社会救助").unwrap(),
            &[],
        )
        .unwrap();
    assert!(!items.is_empty() && items.iter().all(|i| i.updated_stated));
}

#[test]
fn a_file_of_schema_3_gets_the_lean_search_index_and_shrinks() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("content.db");
    let mut bundle = demo_bundle();
    bundle
        .items
        .extend(disclosure::synth::synthetic_bundle(3000, 5).items);
    {
        let mut s = ContentStore::open(&path).unwrap();
        s.replace_all(&bundle, FeedVersion(6)).unwrap();
    }
    // As schema 3 left a file: the text copied into a search_doc table
    // and a gram index with columns (its tokens do not matter here: the
    // upgrade rebuilds the index from the content tables). The padding
    // stands for what the old copy and index took beside the content.
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "DROP VIEW search_doc; DROP TABLE search_fts;
             CREATE TABLE search_doc (
                 id          INTEGER PRIMARY KEY,
                 kind        TEXT NOT NULL,
                 record_key  TEXT NOT NULL,
                 region_code TEXT NOT NULL,
                 title       TEXT NOT NULL,
                 body        TEXT NOT NULL
             ) STRICT;
             CREATE INDEX search_doc_by_key ON search_doc(record_key);
             CREATE VIRTUAL TABLE search_fts USING fts5(
                 title, body,
                 content = '', contentless_delete = 1, detail = column, tokenize = 'ascii'
             );
             INSERT INTO search_doc(id, kind, record_key, region_code, title, body)
                 SELECT id, 'item', item_key, region_code, name, concat_ws(' ', content, basis, source, printf('%3000s', ''))
                 FROM catalog_item;
             INSERT INTO search_fts(rowid, title, body) SELECT id, title, body FROM search_doc;
             PRAGMA user_version = 3;",
        )
        .unwrap();
    }
    let before = std::fs::metadata(&path).unwrap().len();
    assert!(matches!(
        ContentStore::open_read_only(&path),
        Err(StoreError::SchemaTooOld { found: 3, .. })
    ));
    let store = ContentStore::open(&path).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        ContentStore::current_schema_version()
    );
    assert_eq!(store.feed_version().unwrap(), Some(FeedVersion(6)));
    store.integrity_check().unwrap();
    let kind: String = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row(
            "SELECT type FROM sqlite_schema WHERE name = 'search_doc'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(kind, "view");
    // The old index's pages are given back.
    let after = std::fs::metadata(&path).unwrap().len();
    assert!(after < before * 3 / 4, "{before} → {after} bytes");
    // Search over the rebuilt index finds what LIKE finds.
    let mut s = disclosure::search::Searcher::new(&store).unwrap();
    for scope in [VILLAGE, COUNTY] {
        let scope = RegionScope::of(&code(scope));
        for q in ["低保", "公", "第12号", "依申请公开", "0999", "补贴 县"] {
            let hits: std::collections::BTreeSet<String> = s
                .search_all(&store, &scope, q)
                .unwrap()
                .into_iter()
                .filter(|h| h.contains_text)
                .map(|h| h.key)
                .collect();
            let like: std::collections::BTreeSet<String> = q
                .split_whitespace()
                .map(|t| {
                    disclosure::search::like_scan(&store, &scope, t)
                        .unwrap()
                        .into_iter()
                        .collect::<std::collections::BTreeSet<String>>()
                })
                .reduce(|a, b| a.intersection(&b).cloned().collect())
                .unwrap();
            assert!(!like.is_empty(), "{q}");
            assert_eq!(hits, like, "{q}");
        }
    }
}

#[test]
fn a_newer_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("content.db");
    drop(ContentStore::open(&path).unwrap());
    rusqlite::Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    assert!(matches!(
        ContentStore::open(&path).err(),
        Some(StoreError::SchemaTooNew { found: 99, .. })
    ));
    assert!(matches!(
        ContentStore::open_read_only(&path).err(),
        Some(StoreError::SchemaTooNew { found: 99, .. })
    ));
}
