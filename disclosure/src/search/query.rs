//! Running a search: the text matcher over the gram index, the pinyin
//! matcher over titles, ranking and highlighting.

use std::collections::HashSet;
use std::ops::Range;

use rusqlite::{Connection, params_from_iter};

use super::index::{
    Record, body_contains_all, for_each_title, generation, lookup, term_query, title_term_query,
    title_totals,
};
use super::normalize::normalize;
use super::pinyin_match::MAX_PINYIN_QUERY;
use super::titles::{ScopeMask, TitleIndex};
use crate::store::{ContentStore, RecordKind, RegionScope, StoreError};
use crate::{RegionCode, RegionLevel};

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("数据库错误：{0}")]
    Sqlite(#[from] rusqlite::Error),
}

/// What the query matched in a hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HitKind {
    /// The title contains the query text.
    Title,
    /// The title matches the query as pinyin.
    Pinyin,
    /// Only the body contains the query text.
    Body,
}

/// One search result with the ranges to highlight (in characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub kind: RecordKind,
    pub key: String,
    /// The level of the region that published it (the 县/乡/村 badge).
    /// Within a tier, hits come nearest first: the terminal's own village,
    /// then its township, then the county (search ids sort so).
    pub level: RegionLevel,
    pub matched: HitKind,
    /// Whether the record contains the query text (a pinyin hit may too).
    pub contains_text: bool,
    /// The title as published (not normalised).
    pub title: String,
    pub title_marks: Vec<Range<usize>>,
    /// A short one-line piece of the body around the first match (or its
    /// start), as published.
    pub snippet: String,
    pub snippet_marks: Vec<Range<usize>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchResults {
    pub hits: Vec<Hit>,
    /// Number of matching records; exactly [`Searcher::COUNT_CAP`] with
    /// `total_capped` when more match.
    pub total: usize,
    /// More than [`Searcher::COUNT_CAP`] records match (shown as “1000 条以上”).
    pub total_capped: bool,
}

/// Searches one `content.db`. Holds the titles (for pinyin matching, and to
/// judge scope and titles without reading records) and reloads them
/// whenever the store's search index has been rebuilt.
#[derive(Debug, Default)]
pub struct Searcher {
    titles: TitleIndex,
    generation: Option<u64>,
}

/// Characters of body shown around a match.
const SNIPPET_BEFORE: usize = 12;
const SNIPPET_LEN: usize = 48;
/// Most query terms given to the gram index; further terms are checked
/// against the text only.
const MAX_FTS_TERMS: usize = 8;

type Candidate = Record;

impl Record {
    fn contains_all(&self, terms: &[String]) -> bool {
        let title = normalize(&self.title);
        let body = normalize(&self.body);
        terms
            .iter()
            .all(|t| title.contains(t.as_str()) || body.contains(t.as_str()))
    }
}

impl Searcher {
    /// Counting stops above this: a kiosk shows “1000 条以上”, not a figure.
    pub const COUNT_CAP: usize = 1000;

    pub fn new(store: &ContentStore) -> Result<Searcher, SearchError> {
        let mut s = Searcher::default();
        s.refresh(store)?;
        Ok(s)
    }

    /// Reloads the titles if the search index was rebuilt since they were
    /// loaded. Returns whether it reloaded.
    pub fn refresh(&mut self, store: &ContentStore) -> Result<bool, SearchError> {
        let tx = store.conn().unchecked_transaction()?;
        let reloaded = self.refresh_in(&tx)?;
        tx.commit()?;
        Ok(reloaded)
    }

    fn refresh_in(&mut self, conn: &Connection) -> Result<bool, SearchError> {
        let current = generation(conn)?;
        if self.generation == Some(current) {
            return Ok(false);
        }
        // Sized first: grown by doubling, 100k titles would pass through
        // twice their size, at start-up beside the keyboard's vocabulary.
        let mut index = match title_totals(conn)? {
            Some((records, chars)) => TitleIndex::with_capacity(records, chars),
            None => TitleIndex::default(),
        };
        for_each_title(conn, |id, region, title| {
            index.push(id, region, &normalize(title));
            std::ops::ControlFlow::Continue(())
        })?;
        index.shrink_to_fit();
        self.titles = index;
        self.generation = Some(current);
        Ok(true)
    }

    /// Bytes the in-memory title index holds.
    pub fn heap_bytes(&self) -> usize {
        self.titles.heap_bytes()
    }

    /// How many titles `scope` sees contain `word` (as search normalises
    /// it), from the titles in memory: nothing is read from the store.
    /// Titles loaded by [`Searcher::new`] or the last search.
    pub fn titles_containing(&self, scope: &RegionScope, word: &str) -> usize {
        let term: Vec<u16> = normalize(word).encode_utf16().collect();
        if term.is_empty() {
            return 0;
        }
        let mask = self.titles.scope_mask(|r| scope.contains(r));
        self.titles.count_containing(&mask, &term)
    }

    /// Searches what `scope` sees; at most `limit` hits, titles first.
    ///
    /// Whitespace separates terms; a record matches when it contains every
    /// term (in its title or body). A query without whitespace therefore
    /// finds exactly what `LIKE '%query%'` over the normalised text finds.
    /// A query of Latin letters also matches titles by pinyin.
    pub fn search(
        &mut self,
        store: &ContentStore,
        scope: &RegionScope,
        query: &str,
        limit: usize,
    ) -> Result<SearchResults, SearchError> {
        self.run(store, scope, query, limit, Self::COUNT_CAP)
    }

    /// Every matching record (no cap), in rank order. For exports and
    /// recall tests.
    pub fn search_all(
        &mut self,
        store: &ContentStore,
        scope: &RegionScope,
        query: &str,
    ) -> Result<Vec<Hit>, SearchError> {
        Ok(self
            .run(store, scope, query, usize::MAX, usize::MAX - 1)?
            .hits)
    }

    fn run(
        &mut self,
        store: &ContentStore,
        scope: &RegionScope,
        query: &str,
        limit: usize,
        cap: usize,
    ) -> Result<SearchResults, SearchError> {
        let q = normalize(query);
        let terms: Vec<String> = q.split_whitespace().map(str::to_string).collect();
        if terms.is_empty() || limit == 0 {
            return Ok(SearchResults::default());
        }
        // One read transaction: every tier sees the same version of the
        // store, and the titles are reloaded first if that version is new.
        let tx = store.conn().unchecked_transaction()?;
        self.refresh_in(&tx)?;

        // Terms of one or two characters are exact in the gram index; longer
        // ones, and terms left out of the index query, are checked against
        // the text.
        let needs_check =
            terms.len() > MAX_FTS_TERMS || terms.iter().any(|t| t.chars().count() > 2);
        let fts_of = |term_query: fn(&str) -> String| {
            terms
                .iter()
                .take(MAX_FTS_TERMS)
                .map(|t| format!("({})", term_query(t)))
                .collect::<Vec<_>>()
                .join(" AND ")
        };
        let fts = fts_of(term_query);

        let titles = &self.titles;
        let in_scope = titles.scope_mask(|r| scope.contains(r));
        let wide_terms: Vec<Vec<u16>> = terms.iter().map(|t| t.encode_utf16().collect()).collect();
        // Whether a record's title has every term, from memory (`scan`
        // gives only records the index holds).
        let title_has_all = |id: i64| titles.title_contains_all(id, &wide_terms) == Some(true);
        // Whether every term is in the record's title or its body: the body
        // is read only for the terms the title lacks.
        let text_has_all =
            |id: i64| -> Result<bool, SearchError> {
                let lacking: Vec<&str> = terms
                    .iter()
                    .zip(&wide_terms)
                    .filter(|(_, w)| {
                        titles.title_contains_all(id, std::slice::from_ref(*w)) != Some(true)
                    })
                    .map(|(t, _)| t.as_str())
                    .collect();
                if lacking.is_empty() {
                    return Ok(true);
                }
                Ok(body_contains_all(&tx, id, &lacking)?
                    .ok_or(rusqlite::Error::QueryReturnedNoRows)?)
            };

        // Tier 1: the title contains every term.
        let mut hits = Vec::new();
        let mut seen = HashSet::new();
        let title_query = fts_of(title_term_query);
        scan(&tx, titles, &in_scope, &title_query, |id| {
            if !needs_check || title_has_all(id) {
                seen.insert(id);
                hits.push(make_hit(
                    &need(&tx, id)?,
                    &terms,
                    HitKind::Title,
                    true,
                    None,
                )?);
            }
            Ok(hits.len() < limit)
        })?;

        // Tier 2: pinyin over titles, for queries of Latin letters.
        let letters: Vec<u8> = q.bytes().filter(|b| *b != b' ' && *b != b'\'').collect();
        let mut pinyin_ids: HashSet<i64> = HashSet::new();
        let mut pinyin_complete = true;
        if !letters.is_empty()
            && letters.len() <= MAX_PINYIN_QUERY
            && letters.iter().all(u8::is_ascii_lowercase)
        {
            let want = limit.saturating_sub(hits.len());
            // Text matches number at most cap + 1 (tier 3 stops there), so
            // more pinyin matches than twice that make the total capped
            // whatever tier 3 finds.
            let found = titles.find_pinyin(
                &letters,
                &in_scope,
                &seen,
                want,
                cap.saturating_mul(2).saturating_add(2),
            );
            pinyin_complete = found.complete;
            let new = found.hits;
            pinyin_ids.extend(new.iter().map(|h| h.id));
            for h in new.iter().take(want) {
                let c = need(&tx, h.id)?;
                seen.insert(c.id);
                let contains_text = c.contains_all(&terms);
                hits.push(make_hit(
                    &c,
                    &terms,
                    HitKind::Pinyin,
                    contains_text,
                    Some(h.chars.clone()),
                )?);
            }
        }

        // Tier 3: every record containing every term, for the count and the
        // body-only hits. A term of one or two characters is exact in the
        // index; a longer one found in the title needs no body.
        let mut text_total = 0usize;
        scan(&tx, titles, &in_scope, &fts, |id| {
            if !needs_check || text_has_all(id)? {
                text_total += 1;
                // Found by pinyin too: counted once, here.
                pinyin_ids.remove(&id);
                if hits.len() < limit && !seen.contains(&id) {
                    seen.insert(id);
                    hits.push(make_hit(
                        &need(&tx, id)?,
                        &terms,
                        HitKind::Body,
                        true,
                        None,
                    )?);
                }
            }
            Ok(text_total <= cap)
        })?;
        tx.commit()?;
        let capped = !pinyin_complete || text_total + pinyin_ids.len() > cap;
        Ok(SearchResults {
            hits,
            total: if capped {
                cap
            } else {
                text_total + pinyin_ids.len()
            },
            total_capped: capped,
        })
    }
}

/// Streams the ids of FTS matches in the scope, in id order, until `f`
/// says stop.
fn scan(
    conn: &Connection,
    titles: &TitleIndex,
    in_scope: &ScopeMask,
    fts_query: &str,
    mut f: impl FnMut(i64) -> Result<bool, SearchError>,
) -> Result<(), SearchError> {
    let mut stmt = conn
        .prepare_cached("SELECT rowid FROM search_fts WHERE search_fts MATCH ?1 ORDER BY rowid")?;
    let mut rows = stmt.query([fts_query])?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        // Index, rows and the titles (reloaded in this transaction when the
        // index changed) are one version: every id is held, and one that
        // were not would be skipped, as a missing row always was.
        if titles.in_scope(id, in_scope) == Some(true) && !f(id)? {
            break;
        }
    }
    Ok(())
}

/// The record a search id names; the index gave the id, so it is there.
fn need(conn: &Connection, id: i64) -> Result<Candidate, SearchError> {
    Ok(lookup(conn, id)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?)
}

fn make_hit(
    c: &Candidate,
    terms: &[String],
    matched: HitKind,
    contains_text: bool,
    pinyin: Option<Range<usize>>,
) -> Result<Hit, SearchError> {
    let level = c
        .region
        .parse::<RegionCode>()
        .map_err(|e| StoreError::Corrupt(e.to_string()))?
        .level();
    // Normalisation maps one character to one character, so ranges found
    // in the normalised text mark the same characters of the original.
    let title_marks = match pinyin {
        Some(r) => vec![r],
        None => marks(&normalize(&c.title), terms),
    };
    let (snippet, snippet_marks) = snippet(&c.body, terms);
    Ok(Hit {
        contains_text,
        kind: RecordKind::from_db_name(c.kind).unwrap_or(RecordKind::Item),
        key: c.key.clone(),
        level,
        matched,
        title: c.title.clone(),
        title_marks,
        snippet,
        snippet_marks,
    })
}

/// Character ranges of every occurrence of every term, sorted and merged.
fn marks(text: &str, terms: &[String]) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    for t in terms {
        for (byte, _) in text.match_indices(t.as_str()) {
            let start = text[..byte].chars().count();
            out.push(start..start + t.chars().count());
        }
    }
    out.sort_by_key(|r| (r.start, r.end));
    let mut merged: Vec<Range<usize>> = Vec::new();
    for r in out {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    merged
}

/// A one-line piece of the body around the first match, as published.
fn snippet(body: &str, terms: &[String]) -> (String, Vec<Range<usize>>) {
    let flat: Vec<char> = body
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect();
    let norm: String = normalize(&flat.iter().collect::<String>());
    let first = terms
        .iter()
        .filter_map(|t| norm.find(t.as_str()))
        .min()
        .map(|b| norm[..b].chars().count())
        .unwrap_or(0);
    let start = first.saturating_sub(SNIPPET_BEFORE);
    let end = (start + SNIPPET_LEN).min(flat.len());
    let mut text = String::new();
    let mut offset = 0;
    if start > 0 {
        text.push('…');
        offset = 1;
    }
    text.extend(&flat[start..end]);
    if end < flat.len() {
        text.push('…');
    }
    let piece_norm: String = normalize(&flat[start..end].iter().collect::<String>());
    let m = marks(&piece_norm, terms)
        .into_iter()
        .map(|r| r.start + offset..r.end + offset)
        .collect();
    (text, m)
}

/// The reference matcher: keys of every record whose normalised title or
/// body contains `query`, by a plain `LIKE '%q%'` scan. Search recall is
/// tested, and its speed benchmarked, against this.
pub fn like_scan(
    store: &ContentStore,
    scope: &RegionScope,
    query: &str,
) -> Result<Vec<String>, SearchError> {
    let conn = store.conn();
    conn.create_scalar_function(
        "gk_normalize",
        1,
        rusqlite::functions::FunctionFlags::SQLITE_UTF8
            | rusqlite::functions::FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| Ok(normalize(&ctx.get::<String>(0)?)),
    )?;
    let q = normalize(query);
    let escaped: String = q
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    let sql = format!(
        "SELECT record_key FROM search_doc
         WHERE (gk_normalize(title) LIKE ?1 ESCAPE '\\' OR gk_normalize(body) LIKE ?1 ESCAPE '\\')
           AND region_code IN ({}) ORDER BY id",
        scope.placeholders(2)
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let params = std::iter::once(format!("%{escaped}%")).chain(scope.params().map(str::to_string));
    let rows = stmt.query_map(params_from_iter(params), |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}
