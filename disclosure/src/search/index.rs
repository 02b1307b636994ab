//! Builds the search index (the `search_fts` gram index) from the content
//! tables, inside the caller's transaction, and reads the searched text
//! back from those tables.
//!
//! The text of a record is kept once, in its own table: `search_doc` is a
//! view over the content tables (schema steps 4 and 5), and a search id
//! names how near the record's region is, the kind of record and its row —
//! `nearness << 30 | rank << 27 | rowid`, nearness 0 for a village's
//! record, 1 a township's, 2 the county's, ranks in the order items,
//! guides, documents, interpretations, notices — so ids sort nearest first
//! (a terminal sees one region of each level: its own village, township
//! and county) and a hit is one primary-key lookup. The gram
//! index is contentless with `detail=none` (no positions, no columns): a
//! title's grams are indexed twice, as they are and with a `t` in front, so
//! "the title contains every term" is a query of `t` tokens.

use std::fmt::Write;
use std::ops::ControlFlow;

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::normalize::normalize;
use crate::store::StoreError;

/// How far a record's nearness is shifted in a search id. Ids fit in 32
/// bits (the pinyin index keeps them so): nearness 0–2, rank 0–4, rows up
/// to 2^27 per table.
const NEAR_SHIFT: u32 = 30;
/// How far a kind's rank is shifted in a search id.
const RANK_SHIFT: u32 = 27;
/// The row part of a search id.
const ROW_MASK: i64 = (1 << RANK_SHIFT) - 1;

/// How near a region is to the terminal that sees it: the only village a
/// terminal sees is its own, so villages come first, then townships, then
/// the county. By the code's length (12, 9 or 6 digits).
fn nearness(region_code: &str) -> i64 {
    match region_code.len() {
        12 => 0,
        9 => 1,
        _ => 2,
    }
}

/// The region-code lengths of each nearness, in order.
const NEARNESS_CODE_LENGTHS: [i64; 3] = [12, 9, 6];

/// Where one kind of record keeps the text search reads: its table and the
/// `SELECT` of id, key, region, title and body (the body as one text, the
/// record's searched fields joined by line breaks). Schema step 4's view
/// `search_doc` is the same five selects; `the_view_is_the_same_text`
/// holds them together.
pub(crate) struct Source {
    pub(crate) kind: &'static str,
    rank: i64,
    select: &'static str,
}

pub(crate) const SOURCES: [Source; 5] = [
    Source {
        kind: "item",
        rank: 0,
        select: "SELECT id, item_key AS record_key, region_code, name AS title,
            concat_ws(char(10), column1, column2, column3, content, basis, time_limit,
                      publisher, channel, office, contact_phone) AS body
         FROM catalog_item",
    },
    Source {
        kind: "guide",
        rank: 1,
        select: "SELECT id, guide_key AS record_key, region_code, name AS title,
            concat_ws(char(10), agency, place, hours, phone, time_limit, fee, body) AS body
         FROM service_guide",
    },
    Source {
        kind: "document",
        rank: 2,
        select: "SELECT id, doc_key AS record_key, region_code, title,
            concat_ws(char(10), doc_no, issuer, body) AS body
         FROM document",
    },
    Source {
        kind: "interpretation",
        rank: 3,
        select: "SELECT id, interp_key AS record_key, region_code, title,
            concat_ws(char(10), issuer, body) AS body
         FROM interpretation",
    },
    Source {
        kind: "notice",
        rank: 4,
        select: "SELECT id, notice_key AS record_key, region_code, title,
            concat_ws(char(10), issuer, body) AS body
         FROM notice",
    },
];

impl Source {
    fn search_id(&self, rowid: i64, region_code: &str) -> i64 {
        debug_assert!((0..=ROW_MASK).contains(&rowid), "row {rowid} too large");
        (nearness(region_code) << NEAR_SHIFT) | (self.rank << RANK_SHIFT) | rowid
    }

    /// The source of a search id and the row it names there.
    fn of(id: i64) -> Option<(&'static Source, i64)> {
        if !(0..=2).contains(&(id >> NEAR_SHIFT)) {
            return None;
        }
        let rank = (id >> RANK_SHIFT) & ((1 << (NEAR_SHIFT - RANK_SHIFT)) - 1);
        let source = SOURCES.iter().find(|s| s.rank == rank)?;
        Some((source, id & ROW_MASK))
    }
}

/// One record as search reads it.
pub(crate) struct Record {
    pub(crate) id: i64,
    pub(crate) kind: &'static str,
    pub(crate) key: String,
    /// The region that published the record (a hit's 县/乡/村 badge).
    pub(crate) region: String,
    pub(crate) title: String,
    pub(crate) body: String,
}

fn record(source: &'static Source, r: &rusqlite::Row<'_>) -> rusqlite::Result<Record> {
    let region: String = r.get(2)?;
    Ok(Record {
        id: source.search_id(r.get(0)?, &region),
        kind: source.kind,
        key: r.get(1)?,
        region,
        title: r.get(3)?,
        body: r.get(4)?,
    })
}

/// The record a search id names, if it is there.
pub(crate) fn lookup(conn: &Connection, id: i64) -> rusqlite::Result<Option<Record>> {
    let Some((source, rowid)) = Source::of(id) else {
        return Ok(None);
    };
    let mut stmt = conn.prepare_cached(&format!("{} WHERE id = ?1", source.select))?;
    stmt.query_row([rowid], |r| record(source, r)).optional()
}

/// Whether the body of the record a search id names contains every term
/// (normalised, as search sees it); `None` if the record is not there. The
/// body is read in place, and normalised only for a term with ASCII in it:
/// normalisation changes nothing else, so elsewhere the raw text answers.
pub(crate) fn body_contains_all(
    conn: &Connection,
    id: i64,
    terms: &[&str],
) -> rusqlite::Result<Option<bool>> {
    let Some((source, rowid)) = Source::of(id) else {
        return Ok(None);
    };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT body FROM ({}) WHERE id = ?1",
        source.select
    ))?;
    let mut rows = stmt.query([rowid])?;
    let Some(row) = rows.next()? else {
        return Ok(None);
    };
    let body = row.get_ref(0)?.as_str()?;
    let mut normalized: Option<String> = None;
    Ok(Some(terms.iter().all(|t| {
        if t.bytes().any(|b| b.is_ascii()) {
            normalized
                .get_or_insert_with(|| normalize(body))
                .contains(t)
        } else {
            body.contains(t)
        }
    })))
}

/// Every record in search id order: each nearness in turn, and in it
/// each kind by its rows.
pub(crate) fn for_each_record(
    conn: &Connection,
    mut f: impl FnMut(Record) -> rusqlite::Result<()>,
) -> rusqlite::Result<()> {
    for len in NEARNESS_CODE_LENGTHS {
        for source in &SOURCES {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT * FROM ({}) WHERE length(region_code) = ?1 ORDER BY id",
                source.select
            ))?;
            let mut rows = stmt.query([len])?;
            while let Some(r) = rows.next()? {
                f(record(source, r)?)?;
            }
        }
    }
    Ok(())
}

/// Every record's search id, region and title, in search id order, until
/// `f` breaks (nothing more is read then).
pub(crate) fn for_each_title(
    conn: &Connection,
    mut f: impl FnMut(i64, &str, &str) -> ControlFlow<()>,
) -> rusqlite::Result<()> {
    for len in NEARNESS_CODE_LENGTHS {
        for source in &SOURCES {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT id, region_code, title FROM ({}) WHERE length(region_code) = ?1
                 ORDER BY id",
                source.select
            ))?;
            let mut rows = stmt.query([len])?;
            while let Some(r) = rows.next()? {
                let id: i64 = r.get(0)?;
                let region: String = r.get(1)?;
                let title: String = r.get(2)?;
                if f(source.search_id(id, &region), &region, &title).is_break() {
                    return Ok(());
                }
            }
        }
    }
    Ok(())
}

/// How many records there are and how many characters their titles hold,
/// as the last rebuild counted them (so the titles can be held without
/// growing into twice their size); `None` for a file rebuilt before the
/// count was kept.
pub(crate) fn title_totals(conn: &Connection) -> rusqlite::Result<Option<(usize, usize)>> {
    let v: Option<String> = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'search_title_totals'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    Ok(v.and_then(|v| {
        let (records, chars) = v.split_once(' ')?;
        Some((records.parse().ok()?, chars.parse().ok()?))
    }))
}

/// Rebuilds the whole index from the content tables.
pub(crate) fn rebuild(tx: &Transaction<'_>) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO search_fts(search_fts) VALUES ('delete-all')",
        [],
    )?;
    let mut ins = tx.prepare("INSERT INTO search_fts(rowid, grams) VALUES (?1, ?2)")?;
    let mut text = String::new();
    let (mut records, mut chars) = (0usize, 0usize);
    for_each_record(tx, |r| {
        text.clear();
        index_text(&mut text, &r.title, &r.body);
        ins.execute(params![r.id, text])?;
        records += 1;
        chars += r.title.chars().count();
        Ok(())
    })?;
    tx.execute(
        "INSERT INTO meta(key, value) VALUES ('search_title_totals', ?1)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [format!("{records} {chars}")],
    )?;
    bump_generation(tx)
}

/// Step 2's backfill: nothing. The index that step made is dropped and
/// rebuilt by step 4, which every file upgraded through step 2 also runs
/// (as it does step 5, which numbers the records nearest first).
pub(crate) fn rebuilt_by_step_4(_tx: &Transaction<'_>) -> Result<(), StoreError> {
    Ok(())
}

fn bump_generation(tx: &Transaction<'_>) -> Result<(), StoreError> {
    // Every rebuild is a new generation: searchers holding titles of an
    // older one reload them.
    tx.execute(
        "INSERT INTO meta(key, value) VALUES ('search_generation', '1')
         ON CONFLICT(key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)",
        [],
    )?;
    Ok(())
}

/// The generation of the search index (0 before any).
pub(crate) fn generation(conn: &Connection) -> rusqlite::Result<u64> {
    let v: Option<String> = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'search_generation'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    Ok(v.and_then(|v| v.parse().ok()).unwrap_or(0))
}

/// What the index holds for one record: the title's grams with `t` in
/// front, then the title's and the body's grams as they are (a bigram
/// never spans title and body).
pub(crate) fn index_text(out: &mut String, title: &str, body: &str) {
    let title = normalize(title);
    grams_into(out, &title, "t");
    grams_into(out, &title, "");
    grams_into(out, &normalize(body), "");
}

/// The gram tokens of a normalised text: a unigram token for every
/// character and a bigram token for every two adjacent characters, within
/// runs of non-whitespace. Tokens are hex code points (`u4f9d`,
/// `b4f9dx7533`) so the FTS5 `ascii` tokenizer keeps every character,
/// punctuation included.
#[cfg(test)]
fn grams(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 6);
    grams_into(&mut out, text, "");
    out
}

fn grams_into(out: &mut String, text: &str, prefix: &str) {
    let mut prev: Option<char> = None;
    for c in text.chars() {
        if c.is_whitespace() {
            prev = None;
            continue;
        }
        let _ = write!(out, "{prefix}u{:x} ", c as u32);
        if let Some(p) = prev {
            let _ = write!(out, "{prefix}b{:x}x{:x} ", p as u32, c as u32);
        }
        prev = Some(c);
    }
}

/// Most bigrams one term puts in the FTS query; a longer term uses an
/// evenly spread subset (a superset of candidates, verified afterwards).
pub(crate) const MAX_TERM_GRAMS: usize = 24;

/// The FTS5 query for one whitespace-free query term: its unigram for one
/// character, otherwise its bigrams (ANDed, at most [`MAX_TERM_GRAMS`]).
pub(crate) fn term_query(term: &str) -> String {
    term_query_with(term, "")
}

/// The same for titles only: the `t` tokens.
pub(crate) fn title_term_query(term: &str) -> String {
    term_query_with(term, "t")
}

fn term_query_with(term: &str, prefix: &str) -> String {
    let chars: Vec<char> = term.chars().collect();
    match chars.as_slice() {
        [] => String::new(),
        [c] => format!("{prefix}u{:x}", *c as u32),
        _ => {
            let mut grams: Vec<String> = chars
                .windows(2)
                .map(|w| format!("{prefix}b{:x}x{:x}", w[0] as u32, w[1] as u32))
                .collect();
            grams.sort();
            grams.dedup();
            if grams.len() > MAX_TERM_GRAMS {
                let step = grams.len() as f64 / MAX_TERM_GRAMS as f64;
                grams = (0..MAX_TERM_GRAMS)
                    .map(|i| grams[(i as f64 * step) as usize].clone())
                    .collect();
            }
            grams.join(" AND ")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grams_cover_every_character_and_pair() {
        assert_eq!(grams("依申"), "u4f9d u7533 b4f9dx7533 ");
        assert_eq!(grams("a b"), "u61 u62 ");
        assert_eq!(grams("〔1"), "u3014 u31 b3014x31 ");
    }

    #[test]
    fn a_title_is_indexed_twice_and_never_joined_to_the_body() {
        let mut s = String::new();
        index_text(&mut s, "依Ａ", "申");
        assert_eq!(s, "tu4f9d tu61 tb4f9dx61 u4f9d u61 b4f9dx61 u7533 ");
    }

    #[test]
    fn term_queries() {
        assert_eq!(term_query("公"), "u516c");
        assert_eq!(term_query("公开"), "b516cx5f00");
        assert_eq!(title_term_query("公开"), "tb516cx5f00");
        assert_eq!(term_query("公公公"), "b516cx516c");
        let long: String = (0..200)
            .map(|i| char::from_u32(0x4e00 + i).unwrap())
            .collect();
        assert_eq!(
            term_query(&long).matches(" AND ").count(),
            MAX_TERM_GRAMS - 1
        );
    }

    /// Schema step 4's view and [`SOURCES`] give the same records, so
    /// `like_scan` (over the view) checks what search reads.
    #[test]
    fn the_view_is_the_same_text() {
        let dir = tempfile::tempdir().unwrap();
        let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/demo");
        let loaded =
            crate::import::load_content_dir(&demo, crate::Date::from_ymd(2026, 11, 20).unwrap())
                .unwrap();
        let mut store = crate::ContentStore::open(&dir.path().join("content.db")).unwrap();
        store
            .replace_all(&loaded.bundle, crate::FeedVersion(1))
            .unwrap();
        let conn = store.conn();
        let mut from_sources = Vec::new();
        for_each_record(conn, |r| {
            from_sources.push((r.id, r.kind.to_string(), r.key, r.region, r.title, r.body));
            Ok(())
        })
        .unwrap();
        let mut stmt = conn
            .prepare("SELECT id, kind, record_key, region_code, title, body FROM search_doc")
            .unwrap();
        let mut from_view: Vec<(i64, String, String, String, String, String)> = stmt
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        from_view.sort();
        let kinds: std::collections::HashSet<&str> =
            from_view.iter().map(|r| r.1.as_str()).collect();
        assert_eq!(kinds.len(), SOURCES.len(), "the demo has every kind");
        assert_eq!(from_sources, from_view);
        for (id, ..) in &from_view {
            let r = lookup(conn, *id).unwrap().unwrap();
            assert_eq!(r.id, *id);
        }
    }

    #[test]
    fn search_ids_name_a_kind_and_a_row_nearest_first() {
        let (village, township, county) = ("990521201201", "990521201", "990521");
        for s in &SOURCES {
            for region in [village, township, county] {
                let id = s.search_id(12345, region);
                let (back, row) = Source::of(id).unwrap();
                assert_eq!((back.kind, row), (s.kind, 12345), "{region}");
            }
        }
        assert!(Source::of(5 << RANK_SHIFT).is_none(), "no kind of rank 5");
        assert!(Source::of(3 << NEAR_SHIFT).is_none(), "no nearness 3");
        assert!(Source::of(-1).is_none());
        // Ids sort by nearness, then by kind, as the rebuild numbers them.
        let last = ROW_MASK;
        assert!(SOURCES[4].search_id(last, village) < SOURCES[0].search_id(1, township));
        assert!(SOURCES[4].search_id(last, township) < SOURCES[0].search_id(1, county));
        assert!(SOURCES[0].search_id(last, county) < SOURCES[1].search_id(1, county));
        assert!(SOURCES[4].search_id(last, county) <= i64::from(u32::MAX));
    }
}
