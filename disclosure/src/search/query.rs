//! Running a search: the text matcher over the gram index, the pinyin
//! matcher over titles, ranking and highlighting.

use std::collections::HashSet;
use std::ops::Range;

use rusqlite::params_from_iter;

use super::index::term_query;
use super::normalize::normalize;
use super::pinyin_match::{MAX_PINYIN_QUERY, PinyinIndex};
use crate::store::{ContentStore, FeedVersion, RecordKind, RegionScope, StoreError};

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
    pub matched: HitKind,
    /// Whether the record contains the query text (a pinyin hit may also).
    pub contains_text: bool,
    pub title: String,
    pub title_marks: Vec<Range<usize>>,
    /// A short piece of the body around the first match (or its start).
    pub snippet: String,
    pub snippet_marks: Vec<Range<usize>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchResults {
    pub hits: Vec<Hit>,
    /// Number of matching records, exact unless `total_capped`.
    pub total: usize,
    /// `true` when more than [`Searcher::COUNT_CAP`] records match and
    /// `total` is that cap (shown as “1000 条以上”).
    pub total_capped: bool,
}

/// Searches one `content.db`. Holds the titles for pinyin matching; call
/// [`Searcher::refresh`] when the store's feed version changes.
#[derive(Debug, Default)]
pub struct Searcher {
    pinyin: PinyinIndex,
    version: Option<FeedVersion>,
}

/// Longest query used, in characters; the rest is ignored.
const MAX_QUERY_CHARS: usize = 64;
/// Characters of body shown around a match.
const SNIPPET_BEFORE: usize = 12;
const SNIPPET_LEN: usize = 48;

struct Candidate {
    id: i64,
    kind: String,
    key: String,
    title: String,
    body: String,
}

impl Searcher {
    /// Counting stops here: a kiosk shows “1000 条以上”, not an exact figure.
    pub const COUNT_CAP: usize = 1000;

    pub fn new(store: &ContentStore) -> Result<Searcher, SearchError> {
        let mut s = Searcher::default();
        s.refresh(store)?;
        Ok(s)
    }

    /// Reloads the titles if the store holds a different feed version.
    /// Returns whether it reloaded.
    pub fn refresh(&mut self, store: &ContentStore) -> Result<bool, SearchError> {
        let version = store.feed_version()?;
        if version == self.version && (version.is_some() || !self.pinyin.is_empty()) {
            return Ok(false);
        }
        let mut index = PinyinIndex::default();
        let mut stmt = store
            .conn()
            .prepare("SELECT id, region_code, title FROM search_doc ORDER BY id")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let region: String = r.get(1)?;
            let title: String = r.get(2)?;
            index.push(id, &region, &title);
        }
        self.pinyin = index;
        self.version = version;
        Ok(true)
    }

    /// Bytes the in-memory title index holds.
    pub fn heap_bytes(&self) -> usize {
        self.pinyin.heap_bytes()
    }

    /// Searches what `scope` sees; at most `limit` hits, titles first.
    pub fn search(
        &self,
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
        &self,
        store: &ContentStore,
        scope: &RegionScope,
        query: &str,
    ) -> Result<Vec<Hit>, SearchError> {
        Ok(self.run(store, scope, query, usize::MAX, usize::MAX)?.hits)
    }

    fn run(
        &self,
        store: &ContentStore,
        scope: &RegionScope,
        query: &str,
        limit: usize,
        cap: usize,
    ) -> Result<SearchResults, SearchError> {
        let q: String = normalize(query).chars().take(MAX_QUERY_CHARS).collect();
        let terms: Vec<String> = q.split_whitespace().map(str::to_string).collect();
        if terms.is_empty() || limit == 0 {
            return Ok(SearchResults::default());
        }
        let needs_check = terms.iter().any(|t| t.chars().count() > 2);
        let fts = terms
            .iter()
            .map(|t| format!("({})", term_query(t)))
            .collect::<Vec<_>>()
            .join(" AND ");

        // Tier 1: the title contains every term.
        let mut hits = Vec::new();
        let mut seen = HashSet::new();
        let title_query = format!("{{title}} : ({fts})");
        self.scan(store, scope, &title_query, |c| {
            if terms.iter().all(|t| c.title.contains(t.as_str())) {
                seen.insert(c.id);
                hits.push(make_hit(&c, &terms, HitKind::Title, None));
            }
            hits.len() < limit
        })?;

        // Tier 2: pinyin over titles, for queries of Latin letters.
        let letters: Vec<u8> = q.bytes().filter(|b| *b != b' ' && *b != b'\'').collect();
        let mut pinyin_ids: HashSet<i64> = HashSet::new();
        if !letters.is_empty()
            && letters.len() <= MAX_PINYIN_QUERY
            && letters.iter().all(u8::is_ascii_lowercase)
        {
            let found = self.pinyin.find(&letters, |r| scope.contains(r));
            let new: Vec<_> = found
                .into_iter()
                .filter(|h| !seen.contains(&h.id))
                .collect();
            pinyin_ids.extend(new.iter().map(|h| h.id));
            let want = limit.saturating_sub(hits.len());
            let ids: Vec<i64> = new.iter().take(want).map(|h| h.id).collect();
            let cands = fetch(store, &ids)?;
            for (h, c) in new.iter().zip(cands) {
                seen.insert(c.id);
                hits.push(make_hit(&c, &terms, HitKind::Pinyin, Some(h.chars.clone())));
            }
        }

        // Tier 3: every record containing every term, for the count and
        // the body-only hits.
        let mut text_total = 0usize;
        let mut capped = false;
        self.scan(store, scope, &fts, |c| {
            // Terms of one or two characters are exact in the gram index;
            // longer ones are checked against the text.
            let ok = !needs_check
                || terms
                    .iter()
                    .all(|t| c.title.contains(t.as_str()) || c.body.contains(t.as_str()));
            if ok {
                text_total += 1;
                // Found by pinyin too: counted once, here.
                pinyin_ids.remove(&c.id);
                if hits.len() < limit && !seen.contains(&c.id) {
                    seen.insert(c.id);
                    hits.push(make_hit(&c, &terms, HitKind::Body, None));
                }
            }
            if text_total >= cap {
                capped = true;
                return false;
            }
            true
        })?;
        Ok(SearchResults {
            hits,
            total: text_total + pinyin_ids.len(),
            total_capped: capped,
        })
    }

    /// Streams FTS matches in the scope, in id order, until `f` says stop.
    fn scan(
        &self,
        store: &ContentStore,
        scope: &RegionScope,
        fts_query: &str,
        mut f: impl FnMut(Candidate) -> bool,
    ) -> Result<(), SearchError> {
        let sql = format!(
            "SELECT s.id, s.kind, s.record_key, s.title, s.body
             FROM search_fts f CROSS JOIN search_doc s ON s.id = f.rowid
             WHERE search_fts MATCH ?1 AND s.region_code IN ({})
             ORDER BY f.rowid",
            scope.placeholders(2)
        );
        let mut stmt = store.conn().prepare_cached(&sql)?;
        let params =
            std::iter::once(fts_query.to_string()).chain(scope.params().map(str::to_string));
        let mut rows = stmt.query(params_from_iter(params))?;
        while let Some(r) = rows.next()? {
            let c = Candidate {
                id: r.get(0)?,
                kind: r.get(1)?,
                key: r.get(2)?,
                title: r.get(3)?,
                body: r.get(4)?,
            };
            if !f(c) {
                break;
            }
        }
        Ok(())
    }
}

fn fetch(store: &ContentStore, ids: &[i64]) -> Result<Vec<Candidate>, SearchError> {
    let mut stmt = store
        .conn()
        .prepare_cached("SELECT id, kind, record_key, title, body FROM search_doc WHERE id = ?1")?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        out.push(stmt.query_row([id], |r| {
            Ok(Candidate {
                id: r.get(0)?,
                kind: r.get(1)?,
                key: r.get(2)?,
                title: r.get(3)?,
                body: r.get(4)?,
            })
        })?);
    }
    Ok(out)
}

fn make_hit(
    c: &Candidate,
    terms: &[String],
    matched: HitKind,
    pinyin: Option<Range<usize>>,
) -> Hit {
    let title_marks = match pinyin {
        Some(r) => vec![r],
        None => marks(&c.title, terms),
    };
    let (snippet, snippet_marks) = snippet(&c.body, terms);
    let contains_text = terms
        .iter()
        .all(|t| c.title.contains(t.as_str()) || c.body.contains(t.as_str()));
    Hit {
        contains_text,
        kind: RecordKind::from_db_name(&c.kind).unwrap_or(RecordKind::Item),
        key: c.key.clone(),
        matched,
        title: c.title.clone(),
        title_marks,
        snippet,
        snippet_marks,
    }
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

/// A one-line piece of the body around the first match.
fn snippet(body: &str, terms: &[String]) -> (String, Vec<Range<usize>>) {
    let flat: String = body
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect();
    let first = terms
        .iter()
        .filter_map(|t| flat.find(t.as_str()))
        .min()
        .map(|b| flat[..b].chars().count())
        .unwrap_or(0);
    let start = first.saturating_sub(SNIPPET_BEFORE);
    let piece: String = flat.chars().skip(start).take(SNIPPET_LEN).collect();
    let mut text = String::new();
    if start > 0 {
        text.push('…');
    }
    text.push_str(piece.trim_end());
    if flat.chars().count() > start + SNIPPET_LEN {
        text.push('…');
    }
    let m = marks(&text, terms);
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
         WHERE (title LIKE ?1 ESCAPE '\\' OR body LIKE ?1 ESCAPE '\\')
           AND region_code IN ({}) ORDER BY id",
        scope.placeholders(2)
    );
    let mut stmt = store.conn().prepare_cached(&sql)?;
    let params = std::iter::once(format!("%{escaped}%")).chain(scope.params().map(str::to_string));
    let rows = stmt.query_map(params_from_iter(params), |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}
