//! The titles of every searchable record, held in memory: for pinyin
//! matching, and so that search can tell a record's region and whether its
//! title contains a term without reading the record from SQLite.

use std::collections::HashSet;

use super::pinyin_match::{QueryNeeds, Scratch, TitleFilter};

/// Every record's search id, region and normalised title, in search id
/// order: one arena of UTF-16 (two bytes a hanzi, where UTF-8 takes three)
/// and 24 bytes of entry per record (a title runs to the next one's start).
#[derive(Debug, Default)]
pub struct TitleIndex {
    arena: Vec<u16>,
    entries: Vec<Entry>,
    regions: Vec<String>,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    /// With `initials`, the title's [`TitleFilter`]: most titles are
    /// turned away by a pinyin query on these alone.
    pairs: u64,
    initials: u32,
    id: u32,
    start: u32,
    region: u16,
}

/// A pinyin match: the search record and the matched character range of its title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinyinHit {
    pub id: i64,
    pub chars: std::ops::Range<usize>,
}

/// Which of the index's regions a search may see, worked out once per search.
pub(crate) struct ScopeMask(Vec<bool>);

impl TitleIndex {
    /// Room for `records` titles of `chars` characters in all (a few more
    /// UTF-16 units are left for characters beyond the BMP, which take two).
    pub(crate) fn with_capacity(records: usize, chars: usize) -> TitleIndex {
        TitleIndex {
            arena: Vec::with_capacity(chars + chars / 64),
            entries: Vec::with_capacity(records),
            regions: Vec::new(),
        }
    }

    /// Adds a record; ids must come in ascending order (the order
    /// [`super::index::for_each_title`] gives them).
    pub(crate) fn push(&mut self, id: i64, region: &str, normalized_title: &str) {
        debug_assert!(self.entries.last().is_none_or(|e| i64::from(e.id) < id));
        let region = match self.regions.iter().position(|r| r == region) {
            Some(i) => i,
            None => {
                self.regions.push(region.to_string());
                self.regions.len() - 1
            }
        };
        // Search ids fit in 32 bits by construction (`index::RANK_SHIFT`).
        debug_assert!(u32::try_from(id).is_ok(), "search id {id}");
        debug_assert!(region <= usize::from(u16::MAX), "{region} regions");
        let start = self.arena.len();
        self.arena.extend(normalized_title.encode_utf16());
        let filter = TitleFilter::of(&self.arena[start..]);
        self.entries.push(Entry {
            pairs: filter.pairs,
            initials: filter.initials,
            id: id as u32,
            start: start as u32,
            region: region as u16,
        });
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Gives back what growing left unused (up to half of the arena and the
    /// entries once a large catalog is loaded).
    pub(crate) fn shrink_to_fit(&mut self) {
        self.arena.shrink_to_fit();
        self.entries.shrink_to_fit();
        self.regions.shrink_to_fit();
    }

    /// Bytes held by the index.
    pub fn heap_bytes(&self) -> usize {
        self.arena.capacity() * 2 + self.entries.capacity() * std::mem::size_of::<Entry>()
    }

    pub(crate) fn scope_mask(&self, in_scope: impl Fn(&str) -> bool) -> ScopeMask {
        ScopeMask(self.regions.iter().map(|r| in_scope(r)).collect())
    }

    /// The position of a record's entry.
    fn entry(&self, id: i64) -> Option<usize> {
        self.entries
            .binary_search_by_key(&id, |e| i64::from(e.id))
            .ok()
    }

    /// The title of entry `i`: up to the next title's start.
    fn units(&self, i: usize) -> &[u16] {
        let end = self
            .entries
            .get(i + 1)
            .map_or(self.arena.len(), |next| next.start as usize);
        &self.arena[self.entries[i].start as usize..end]
    }

    /// Whether the record is in the scope; `None` for an id not indexed.
    pub(crate) fn in_scope(&self, id: i64, scope: &ScopeMask) -> Option<bool> {
        self.entry(id)
            .map(|i| scope.0[usize::from(self.entries[i].region)])
    }

    /// Whether the record's normalised title contains every term (each
    /// given as UTF-16); `None` for an id not indexed.
    pub(crate) fn title_contains_all(&self, id: i64, terms: &[Vec<u16>]) -> Option<bool> {
        let title = self.units(self.entry(id)?);
        Some(terms.iter().all(|t| contains(title, t)))
    }

    /// How many titles in the scope contain `term` (normalised, UTF-16).
    pub(crate) fn count_containing(&self, scope: &ScopeMask, term: &[u16]) -> usize {
        (0..self.entries.len())
            .filter(|&i| {
                scope.0[usize::from(self.entries[i].region)] && contains(self.units(i), term)
            })
            .count()
    }

    /// Every title in the scope that `query` matches by pinyin, except the
    /// records in `skip`, titles matched from their first character first.
    ///
    /// The scan stops early once the first `want` hits are sure (that many
    /// matched from their first character) and more than `stop_after`
    /// were found; the answer says whether it is complete.
    pub(crate) fn find_pinyin(
        &self,
        query: &[u8],
        scope: &ScopeMask,
        skip: &HashSet<i64>,
        want: usize,
        stop_after: usize,
    ) -> PinyinFound {
        let mut found = PinyinFound {
            hits: Vec::new(),
            complete: true,
        };
        let Some(needs) = QueryNeeds::of(query) else {
            return found;
        };
        let mut scratch = Scratch::default();
        let mut inside = Vec::new();
        for (i, e) in self.entries.iter().enumerate() {
            if !scope.0[usize::from(e.region)] || !needs.admits(e.initials, e.pairs) {
                continue;
            }
            let id = i64::from(e.id);
            if skip.contains(&id) {
                continue;
            }
            if let Some(chars) = scratch.match_utf16(self.units(i), query, &needs) {
                let hit = PinyinHit { id, chars };
                if hit.chars.start == 0 {
                    found.hits.push(hit);
                } else {
                    inside.push(hit);
                }
                if found.hits.len() >= want && found.hits.len() + inside.len() > stop_after {
                    found.complete = false;
                    break;
                }
            }
        }
        found.hits.extend(inside);
        found
    }
}

/// What [`TitleIndex::find_pinyin`] found.
#[derive(Debug)]
pub(crate) struct PinyinFound {
    pub(crate) hits: Vec<PinyinHit>,
    /// Every match is in `hits` (the scan did not stop early).
    pub(crate) complete: bool,
}

/// Whether `needle` occurs in `hay` (an empty needle always does).
fn contains(hay: &[u16], needle: &[u16]) -> bool {
    match needle.split_first() {
        None => true,
        Some((first, rest)) => hay
            .windows(needle.len())
            .any(|w| w[0] == *first && &w[1..] == rest),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_loaded_index_holds_no_spare_capacity() {
        let mut index = TitleIndex::default();
        for i in 0..1000 {
            index.push(i, "990521", "城乡居民最低生活保障标准");
        }
        index.shrink_to_fit();
        let title = "城乡居民最低生活保障标准".encode_utf16().count() * 2;
        assert_eq!(
            index.heap_bytes(),
            1000 * (title + std::mem::size_of::<Entry>())
        );
        assert_eq!(std::mem::size_of::<Entry>(), 24);
    }

    #[test]
    fn regions_and_titles_by_id() {
        let mut index = TitleIndex::default();
        index.push(3, "990521", "低保标准");
        index.push(7, "990522", "养老金𠀀发放");
        index.push(1 << 29 | 2, "990521", "");
        let only_521 = index.scope_mask(|r| r == "990521");
        let u = |s: &str| s.encode_utf16().collect::<Vec<u16>>();
        let check = |id: i64, terms: &[&str], scope: Option<bool>, title: Option<bool>| {
            let terms: Vec<Vec<u16>> = terms.iter().map(|t| u(t)).collect();
            assert_eq!(index.in_scope(id, &only_521), scope, "{id}");
            assert_eq!(
                index.title_contains_all(id, &terms),
                title,
                "{id} {terms:?}"
            );
        };
        check(3, &["低保", "标准"], Some(true), Some(true));
        check(3, &["低保", "养老"], Some(true), Some(false));
        check(7, &["𠀀发"], Some(false), Some(true));
        check(7, &["金𠀀"], Some(false), Some(true));
        check(1 << 29 | 2, &[], Some(true), Some(true));
        check(1 << 29 | 2, &["低"], Some(true), Some(false));
        check(4, &["低"], None, None);
    }

    /// Regression: titles were cut at 65,535 UTF-16 units (the entry held
    /// their length in 16 bits), so a term past that was not in the title.
    #[test]
    fn bug_a_title_past_65535_units_was_cut() {
        let mut index = TitleIndex::default();
        let long = format!("{}低保标准", "公".repeat(70_000));
        index.push(1, "990521", &long);
        index.push(2, "990521", "养老");
        let terms = ["标准".encode_utf16().collect::<Vec<u16>>()];
        assert_eq!(index.title_contains_all(1, &terms), Some(true));
        assert_eq!(index.title_contains_all(2, &terms), Some(false));
    }

    #[test]
    fn pinyin_over_the_index_keeps_scope_and_start_first() {
        let mut index = TitleIndex::default();
        index.push(1, "a", "关于低保的通知");
        index.push(2, "b", "低保标准");
        index.push(3, "a", "低保标准");
        index.push(4, "a", "𠀀低保");
        let scope = index.scope_mask(|r| r == "a");
        let find = |query: &[u8], skip: &[i64], want: usize, stop_after: usize| {
            let skip: HashSet<i64> = skip.iter().copied().collect();
            let found = index.find_pinyin(query, &scope, &skip, want, stop_after);
            let hits: Vec<(i64, std::ops::Range<usize>)> =
                found.hits.into_iter().map(|h| (h.id, h.chars)).collect();
            (hits, found.complete)
        };
        // Character ranges, not UTF-16 ones: 𠀀 is one character.
        let all = vec![(3, 0..2), (1, 2..4), (4, 1..3)];
        assert_eq!(find(b"dibao", &[], 30, usize::MAX), (all.clone(), true));
        assert_eq!(
            find(b"dibao", &[3], 30, usize::MAX),
            (all[1..].to_vec(), true)
        );
        assert_eq!(find(b"DB", &[], 30, usize::MAX), (vec![], true));
        // Stops once the first hit is sure and more than one was found.
        assert_eq!(find(b"dibao", &[], 1, 1), (all[..2].to_vec(), false));
        // Not sure while no hit from the first character is in.
        assert_eq!(find(b"dibao", &[], 2, 0), (all.clone(), true));
    }
}
