//! Search: recall equal to a `LIKE '%q%'` scan (demo content and a 100k
//! synthetic catalog), pinyin, ranking, highlighting, scope and odd input.

mod common;

use std::collections::BTreeSet;

use common::*;
use disclosure::search::{HitKind, Searcher, like_scan, match_title, normalize, pinyin_of};
use disclosure::store::RegionScope;
use disclosure::synth::SplitMix64;
use disclosure::{ContentStore, FeedVersion};

/// Checks that text search finds exactly what `LIKE` finds for `q`; pinyin
/// matches (for Latin-letter queries) may come on top, marked as such.
fn check_recall(store: &ContentStore, s: &mut Searcher, scope: &RegionScope, q: &str) {
    let like: BTreeSet<String> = like_scan(store, scope, q).unwrap().into_iter().collect();
    let hits = s.search_all(store, scope, q).unwrap();
    let text: BTreeSet<String> = hits
        .iter()
        .filter(|h| h.contains_text)
        .map(|h| h.key.clone())
        .collect();
    // Only pinyin hits may lack the text.
    let pinyin_only: Vec<&str> = hits
        .iter()
        .filter(|h| !h.contains_text && h.matched != HitKind::Pinyin)
        .map(|h| h.key.as_str())
        .collect();
    let missing: Vec<_> = like.difference(&text).collect();
    let extra: Vec<_> = text.difference(&like).collect();
    assert!(
        missing.is_empty() && extra.is_empty() && pinyin_only.is_empty(),
        "query {q:?}: missing {missing:?}, extra {extra:?}, text hits without the text {pinyin_only:?}"
    );
    // The capped search agrees on the count.
    let r = s.search(store, scope, q, 20).unwrap();
    let pinyin_extra = hits.len() - text.len();
    if like.len() < Searcher::COUNT_CAP {
        assert_eq!(r.total, like.len() + pinyin_extra, "total for {q:?}");
        assert!(!r.total_capped);
    } else {
        assert!(r.total_capped, "{q:?} should be capped");
    }
}

/// Substrings of length 1..=4 sampled from the indexed texts, without
/// whitespace (a space separates query terms).
fn sample_queries(store_texts: &[String], n: usize, seed: u64) -> Vec<String> {
    let mut rng = SplitMix64::new(seed);
    let mut out = Vec::new();
    while out.len() < n {
        let t: Vec<char> = rng.pick(store_texts).chars().collect();
        if t.is_empty() {
            continue;
        }
        let len = 1 + rng.below(4);
        if t.len() < len {
            continue;
        }
        let start = rng.below(t.len() - len + 1);
        let q: String = t[start..start + len].iter().collect();
        if q.chars().any(char::is_whitespace) {
            continue;
        }
        out.push(q);
    }
    out
}

fn texts(store_path: &std::path::Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(store_path).unwrap();
    let mut stmt = conn.prepare("SELECT title, body FROM search_doc").unwrap();
    stmt.query_map([], |r| Ok([r.get::<_, String>(0)?, r.get::<_, String>(1)?]))
        .unwrap()
        .flat_map(|r| r.unwrap())
        .collect()
}

#[test]
fn recall_equals_like_on_the_demo_content() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path());
    let mut s = Searcher::new(&store).unwrap();
    let all = texts(&dir.path().join("content.db"));
    let fixed = [
        "依申请公开",
        "低保",
        "公",
        "〔2025〕",
        "12345",
        "0999",
        "pdf",
        "PDF",
        "%",
        "_",
        "\\",
        "（",
        "第一条",
        "耕地地力保护补贴",
        "王*",
        "云政规",
        "x",
        "Ｐｄｆ",
        "不存在的词语组合",
    ];
    for scope in ["990521201201", "990521", "990521101"] {
        let scope = RegionScope::of(&code(scope));
        for q in fixed {
            check_recall(&store, &mut s, &scope, q);
        }
        for q in sample_queries(&all, 400, 42) {
            check_recall(&store, &mut s, &scope, &q);
        }
    }
}

#[test]
fn recall_equals_like_on_a_100k_synthetic_catalog() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("content.db");
    let mut store = ContentStore::open(&path).unwrap();
    store
        .replace_all(
            &disclosure::synth::synthetic_bundle(100_000, 11),
            FeedVersion(1),
        )
        .unwrap();
    let mut s = Searcher::new(&store).unwrap();
    let all = texts(&path);
    let scope = RegionScope::of(&code("990521201202"));
    for q in sample_queries(&all, 60, 5) {
        check_recall(&store, &mut s, &scope, &q);
    }
    for q in ["申请条件", "第100000号", "（第7号）", "县", "补贴"] {
        check_recall(&store, &mut s, &scope, q);
    }
}

#[test]
fn pinyin_full_initials_and_mixed() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path());
    let mut s = Searcher::new(&store).unwrap();
    let scope = RegionScope::of(&code("990521201201"));
    let mut check = |q: &str, title_part: &str| {
        let r = s.search(&store, &scope, q, 50).unwrap();
        let hit = r
            .hits
            .iter()
            .find(|h| h.title.contains(title_part))
            .unwrap_or_else(|| {
                panic!(
                    "{q}: no title with {title_part} in {:?}",
                    r.hits.iter().map(|h| &h.title).collect::<Vec<_>>()
                )
            });
        assert_eq!(hit.matched, HitKind::Pinyin, "{q}");
        let marked: String = hit
            .title
            .chars()
            .skip(hit.title_marks[0].start)
            .take(hit.title_marks[0].len())
            .collect();
        marked
    };
    assert_eq!(check("yishenqing", "依申请"), "依申请");
    assert_eq!(check("ysqgk", "依申请公开"), "依申请公开");
    assert_eq!(check("yisqgk", "依申请公开"), "依申请公开");
    assert_eq!(
        check("zuidishenghuobaozhang", "最低生活保障"),
        "最低生活保障"
    );
    assert_eq!(check("zdshbz", "最低生活保障"), "最低生活保障");
    assert_eq!(check("ZDSHBZ", "最低生活保障"), "最低生活保障");
    assert_eq!(check("gengdi", "耕地"), "耕地");
}

/// The title index's filters in front of the pinyin matcher change nothing:
/// over a 20k synthetic catalog, search finds by pinyin exactly the records
/// whose title the matcher alone matches, counts them, and a capped search
/// (which may stop scanning early) shows the same first hits as a full one.
#[test]
fn pinyin_recall_equals_the_matcher_over_every_title() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("content.db");
    let mut store = ContentStore::open(&path).unwrap();
    store
        .replace_all(
            &disclosure::synth::synthetic_bundle(20_000, 3),
            FeedVersion(1),
        )
        .unwrap();
    let mut s = Searcher::new(&store).unwrap();
    let scope = RegionScope::of(&code("990521201202"));
    let titles: Vec<(String, String, String)> = {
        let conn = rusqlite::Connection::open(&path).unwrap();
        let mut stmt = conn
            .prepare("SELECT record_key, region_code, title FROM search_doc")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let mut rng = SplitMix64::new(19);
    let mut queries: Vec<String> = ["dibao", "db", "sq", "x", "zhengfu", "i", "bzz", "yanglao"]
        .map(String::from)
        .to_vec();
    while queries.len() < 60 {
        let (_, _, t) = rng.pick(&titles);
        let chars: Vec<char> = t.chars().filter(|c| !pinyin_of(*c).is_empty()).collect();
        let len = 1 + rng.below(4);
        if chars.len() < len {
            continue;
        }
        let start = rng.below(chars.len() - len + 1);
        let mode = rng.below(3);
        let q: String = chars[start..start + len]
            .iter()
            .map(|c| {
                let readings = pinyin_of(*c);
                let r = readings[rng.below(readings.len())].clone();
                let whole = mode == 1 || (mode == 2 && rng.below(2) == 0);
                if whole { r } else { r[..1].to_string() }
            })
            .collect();
        queries.push(q);
    }
    for q in &queries {
        let expected: BTreeSet<&str> = titles
            .iter()
            .filter(|(_, region, title)| {
                scope.contains(region) && match_title(&normalize(title), q.as_bytes()).is_some()
            })
            .map(|(key, ..)| key.as_str())
            .collect();
        let all = s.search_all(&store, &scope, q).unwrap();
        let found: BTreeSet<&str> = all.iter().map(|h| h.key.as_str()).collect();
        for h in &all {
            if h.matched == HitKind::Pinyin {
                assert!(
                    expected.contains(h.key.as_str()),
                    "{q}: {} not a match",
                    h.title
                );
            }
        }
        let missing: Vec<_> = expected.difference(&found).collect();
        assert!(missing.is_empty(), "{q}: missing {missing:?}");
        let capped = s.search(&store, &scope, q, 30).unwrap();
        if all.len() < Searcher::COUNT_CAP {
            assert_eq!(
                (capped.total, capped.total_capped),
                (all.len(), false),
                "{q}"
            );
        } else {
            assert!(capped.total_capped, "{q}");
        }
        let first: Vec<&str> = all.iter().take(30).map(|h| h.key.as_str()).collect();
        let shown: Vec<&str> = capped.hits.iter().map(|h| h.key.as_str()).collect();
        assert_eq!(shown, first, "{q}");
    }
}

#[test]
fn titles_rank_before_bodies_and_marks_are_exact() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path());
    let mut s = Searcher::new(&store).unwrap();
    let scope = RegionScope::of(&code("990521201201"));
    let r = s.search_all(&store, &scope, "低保").unwrap();
    assert!(r.len() > 5);
    let first_body = r.iter().position(|h| h.matched == HitKind::Body).unwrap();
    assert!(first_body > 0, "some titles contain 低保");
    assert!(r[first_body..].iter().all(|h| h.matched == HitKind::Body));
    for h in &r {
        let (text, marks) = if h.matched == HitKind::Title {
            (&h.title, &h.title_marks)
        } else {
            (&h.snippet, &h.snippet_marks)
        };
        assert!(!marks.is_empty(), "{h:?}");
        for m in marks {
            let piece: String = text.chars().skip(m.start).take(m.len()).collect();
            assert_eq!(piece, "低保", "{h:?}");
        }
    }
}

#[test]
fn scope_limits_what_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path());
    let mut s = Searcher::new(&store).unwrap();
    // A subsidy list of 柳湾村 is found there, not at 石桥村 (other township).
    let q = "柳湾村";
    let at_liuwan = s
        .search_all(&store, &RegionScope::of(&code("990521101201")), q)
        .unwrap();
    let at_shiqiao = s
        .search_all(&store, &RegionScope::of(&code("990521201201")), q)
        .unwrap();
    assert!(at_liuwan.iter().any(|h| h.key.starts_with("990521101201")));
    assert!(
        at_shiqiao
            .iter()
            .all(|h| !h.key.starts_with("990521101201"))
    );
}

#[test]
fn odd_queries() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path());
    let mut s = Searcher::new(&store).unwrap();
    let scope = RegionScope::of(&code("990521"));
    let mut check = |q: &str, expect_hits: bool| {
        let r = s.search(&store, &scope, q, 10).unwrap();
        assert_eq!(!r.hits.is_empty(), expect_hits, "{q:?}");
        assert!(r.hits.len() <= 10);
    };
    check("", false);
    check("   ", false);
    check("\u{3000}", false);
    check("低保 申请", true); // two terms, both required
    check("低保 火星", false);
    check(&"低".repeat(10_000), false); // very long: cut, no panic
    check("\u{1F600}", false); // emoji
    check("'\"; DROP TABLE search_doc; --", false);
    check("NEAR(a b)", false);
    check("低保*", false);
    assert_eq!(normalize("ＰＤＦ"), "pdf");
    // Zero limit returns nothing rather than everything.
    assert!(s.search(&store, &scope, "低保", 0).unwrap().hits.is_empty());
}

#[test]
fn searcher_refreshes_when_the_feed_changes() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = demo_store(dir.path());
    let mut s = Searcher::new(&store).unwrap();
    assert!(!s.refresh(&store).unwrap(), "same version: no reload");
    let scope = RegionScope::of(&code("990521"));
    store
        .replace_all(&disclosure::synth::synthetic_bundle(20, 2), FeedVersion(2))
        .unwrap();
    assert!(s.refresh(&store).unwrap());
    let r = s.search(&store, &scope, "ysqgk", 10).unwrap();
    assert!(r.hits.iter().all(|h| !h.title.contains("依申请公开")));
}

/// How near a hit's region is to the terminal (its own village first).
fn nearness(level: disclosure::RegionLevel) -> u8 {
    match level {
        disclosure::RegionLevel::Village => 0,
        disclosure::RegionLevel::Township => 1,
        disclosure::RegionLevel::County => 2,
    }
}

#[test]
fn the_terminals_own_village_and_township_come_first_in_every_tier() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path());
    let mut s = Searcher::new(&store).unwrap();
    let scope = RegionScope::of(&code("990521201201"));
    let mut levels = std::collections::HashSet::new();
    // Each query's hits, tier by tier: titles, pinyin (those matched from
    // the first character, then the others), bodies.
    let check = |s: &mut Searcher, q: &str| -> Vec<disclosure::RegionLevel> {
        let hits = s.search_all(&store, &scope, q).unwrap();
        assert!(!hits.is_empty(), "{q} finds nothing");
        let tier = |h: &disclosure::search::Hit| {
            let prefix = h.title_marks.first().is_some_and(|m| m.start == 0);
            (h.matched, h.matched == HitKind::Pinyin && prefix)
        };
        for w in hits.windows(2) {
            if tier(&w[0]) == tier(&w[1]) {
                assert!(
                    nearness(w[0].level) <= nearness(w[1].level),
                    "{q}: {} ({:?}) before {} ({:?})",
                    w[0].title,
                    w[0].level,
                    w[1].title,
                    w[1].level
                );
            }
        }
        // The level is the publishing region's.
        for h in hits
            .iter()
            .filter(|h| h.kind == disclosure::store::RecordKind::Document)
        {
            let v = store
                .document(&disclosure::DocumentKey(h.key.clone()))
                .unwrap()
                .unwrap();
            assert_eq!(h.level, v.region.level, "{q}: {}", h.title);
        }
        hits.iter().map(|h| h.level).collect()
    };
    for q in [
        "低保", "补贴", "公开", "村", "石桥", "db", "dibao", "gongkai",
    ] {
        levels.extend(check(&mut s, q));
    }
    assert_eq!(levels.len(), 3, "the queries reach every level: {levels:?}");
    // Capped at the page: the village's hits are the page's first.
    let all = s.search_all(&store, &scope, "公开").unwrap();
    let page = s.search(&store, &scope, "公开", 5).unwrap();
    let first: Vec<&str> = all.iter().take(5).map(|h| h.key.as_str()).collect();
    let shown: Vec<&str> = page.hits.iter().map(|h| h.key.as_str()).collect();
    assert_eq!(shown, first);
    assert_eq!(page.hits[0].level, disclosure::RegionLevel::Village);
}
