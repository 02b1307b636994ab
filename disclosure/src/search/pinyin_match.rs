//! Matching Latin-letter queries against titles by pinyin: full syllables
//! (`yishenqing`), initials (`ybsqgk`) and any mix (`yisqgk`, `zhshgk`).
//!
//! A query matches a run of title characters when it can be cut into
//! pieces, one per character, each a non-empty prefix of one of that
//! character's readings. Every reading of a polyphonic character counts
//! (行 is both xing and hang), so 银行 is found by `yinhang` and `yh`.

use std::sync::OnceLock;

use pinyin::ToPinyinMulti;

/// The readings of a character in plain Latin letters (ü written `v`),
/// without duplicates; empty for characters without a reading.
pub fn pinyin_of(c: char) -> Vec<String> {
    let Some(multi) = c.to_pinyin_multi() else {
        return Vec::new();
    };
    let mut out: Vec<String> = Vec::new();
    for p in multi {
        let r: String = p
            .plain()
            .chars()
            .map(|ch| if ch == 'ü' { 'v' } else { ch })
            .collect();
        if !r.is_empty() && r.bytes().all(|b| b.is_ascii_lowercase()) && !out.contains(&r) {
            out.push(r);
        }
    }
    out
}

const CJK_FIRST: u32 = 0x3400;
const CJK_LAST: u32 = 0x9FFF;

/// Readings of every character of the main CJK blocks, built once: for
/// each character its initials mask (bit `n` for letter `a + n`) and its
/// readings, so matching allocates nothing.
struct ReadingTable {
    masks: Vec<u32>,
    /// (start, count) into `pool` per character.
    spans: Vec<(u32, u8)>,
    pool: Vec<Box<str>>,
}

fn reading_table() -> &'static ReadingTable {
    static TABLE: OnceLock<ReadingTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        let size = (CJK_LAST - CJK_FIRST + 1) as usize;
        let mut t = ReadingTable {
            masks: Vec::with_capacity(size),
            spans: Vec::with_capacity(size),
            pool: Vec::new(),
        };
        for cp in CJK_FIRST..=CJK_LAST {
            let readings = char::from_u32(cp).map(pinyin_of).unwrap_or_default();
            t.masks.push(
                readings
                    .iter()
                    .fold(0u32, |m, r| m | 1 << (r.as_bytes()[0] - b'a')),
            );
            t.spans.push((t.pool.len() as u32, readings.len() as u8));
            t.pool
                .extend(readings.into_iter().map(String::into_boxed_str));
        }
        t
    })
}

/// The readings of a hanzi in the main blocks, from the table.
fn table_readings(c: char) -> &'static [Box<str>] {
    let cp = c as u32;
    if !(CJK_FIRST..=CJK_LAST).contains(&cp) {
        return &[];
    }
    let t = reading_table();
    let (start, count) = t.spans[(cp - CJK_FIRST) as usize];
    &t.pool[start as usize..start as usize + usize::from(count)]
}

/// How a title character takes part in pinyin matching.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Unit {
    /// A hanzi with readings; the mask of its initials.
    Hanzi(u32),
    /// An ASCII letter or digit, matched as itself.
    Latin(u8),
    /// Punctuation, spaces and characters without a reading: skipped
    /// inside a match, never the start of one.
    Skip,
}

fn unit_of(c: char) -> Unit {
    if let Ok(u) = u16::try_from(c as u32)
        && let Some(unit) = bmp_unit(u)
    {
        return unit;
    }
    // Hanzi outside the main blocks (extensions B+) still have readings.
    let r = pinyin_of(c);
    if r.is_empty() {
        Unit::Skip
    } else {
        Unit::Hanzi(r.iter().fold(0, |m, r| m | 1 << (r.as_bytes()[0] - b'a')))
    }
}

/// [`unit_of`] for a UTF-16 unit, from the reading table alone; `None` for
/// one the table cannot judge (half of a character beyond the BMP, a
/// letter of another script).
fn bmp_unit(u: u16) -> Option<Unit> {
    let cp = u32::from(u);
    if (CJK_FIRST..=CJK_LAST).contains(&cp) {
        let m = reading_table().masks[(cp - CJK_FIRST) as usize];
        return Some(if m != 0 { Unit::Hanzi(m) } else { Unit::Skip });
    }
    if cp < 0x80 {
        let b = cp as u8;
        return Some(if b.is_ascii_alphanumeric() {
            Unit::Latin(b.to_ascii_lowercase())
        } else {
            Unit::Skip
        });
    }
    match char::from_u32(cp) {
        Some(c) if !c.is_alphanumeric() => Some(Unit::Skip),
        _ => None,
    }
}

/// Longest query the matcher accepts, in letters.
pub const MAX_PINYIN_QUERY: usize = 48;
/// Longest run of title characters one match may cover.
const MAX_SPAN: usize = 64;

/// Finds the first run of `title` that `query` (lower-case ASCII letters)
/// matches by pinyin; returns the character range of that run.
///
/// This is the matcher itself, with no filter in front: search's answers
/// are tested against it.
pub fn match_title(title: &str, query: &[u8]) -> Option<std::ops::Range<usize>> {
    if !accepts(query) {
        return None;
    }
    let title: Vec<u16> = title.encode_utf16().collect();
    Scratch::default().search(&title, query)
}

/// Whether the matcher takes `query`: 1 to [`MAX_PINYIN_QUERY`] lower-case
/// ASCII letters.
fn accepts(query: &[u8]) -> bool {
    !query.is_empty() && query.len() <= MAX_PINYIN_QUERY && query.iter().all(u8::is_ascii_lowercase)
}

/// A query checked once for the matcher (lower-case ASCII letters, at most
/// [`MAX_PINYIN_QUERY`]), with what a title needs for it to match: the
/// parts of a [`TitleFilter`] it must have.
pub(crate) struct QueryNeeds {
    first: u32,
    needs: TitleFilter,
}

impl QueryNeeds {
    /// `None` for a query the matcher does not accept (empty, too long, or
    /// not all lower-case ASCII letters).
    pub(crate) fn of(query: &[u8]) -> Option<QueryNeeds> {
        if !accepts(query) {
            return None;
        }
        Some(QueryNeeds {
            first: 1 << (query[0] - b'a'),
            needs: TitleFilter {
                initials: needed_initials(query),
                pairs: needed_pairs(query),
            },
        })
    }

    /// Whether a title with this filter can match at all.
    pub(crate) fn admits(&self, initials: u32, pairs: u64) -> bool {
        initials & self.needs.initials == self.needs.initials
            && pairs & self.needs.pairs == self.needs.pairs
    }
}

/// What a title offers pinyin queries, in 12 bytes kept beside it: the
/// initials of its characters (bit `n` for letter `a + n`; a Latin letter
/// is its own initial) and a 64-bit Bloom filter of the initials of every
/// two neighbouring characters (punctuation and characters without a
/// reading between them skipped). A character the table does not cover
/// sets every bit, and so does a Latin letter in the pairs: such a title is
/// never turned away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TitleFilter {
    pub(crate) initials: u32,
    pub(crate) pairs: u64,
}

impl TitleFilter {
    pub(crate) fn of(title: &[u16]) -> TitleFilter {
        const ALL: TitleFilter = TitleFilter {
            initials: u32::MAX,
            pairs: u64::MAX,
        };
        let mut out = TitleFilter {
            initials: 0,
            pairs: 0,
        };
        let mut prev = 0u32;
        for &u in title {
            match bmp_unit(u) {
                None => return ALL,
                Some(Unit::Skip) => {}
                Some(Unit::Hanzi(mask)) => {
                    out.initials |= mask;
                    for a in bits(prev) {
                        for b in bits(mask) {
                            out.pairs |= pair_bit(a, b);
                        }
                    }
                    prev = mask;
                }
                Some(Unit::Latin(b)) if b.is_ascii_lowercase() => {
                    out.initials |= 1 << (b - b'a');
                    out.pairs = u64::MAX;
                    prev = 1 << (b - b'a');
                }
                // A digit is a unit no query letter matches: a match
                // cannot run across it.
                Some(Unit::Latin(_)) => prev = 0,
            }
        }
        out
    }
}

/// The letters (0 for `a`) set in a mask.
fn bits(mut mask: u32) -> impl Iterator<Item = u8> {
    std::iter::from_fn(move || {
        (mask != 0).then(|| {
            let b = mask.trailing_zeros() as u8;
            mask &= mask - 1;
            b
        })
    })
}

fn pair_bit(a: u8, b: u8) -> u64 {
    let x = u32::from(a) * 26 + u32::from(b);
    1 << (x.wrapping_mul(0x9E37_79B1) >> 26)
}

/// Longest reading in letters (`zhuang`, `shuang`).
const MAX_READING: usize = 6;

/// Whether `piece` can be matched by one character with readings: a prefix
/// of one of its readings.
fn is_reading_prefix(piece: &[u8]) -> bool {
    static PREFIXES: OnceLock<std::collections::HashSet<Box<[u8]>>> = OnceLock::new();
    let prefixes = PREFIXES.get_or_init(|| {
        let mut out = std::collections::HashSet::new();
        for r in &reading_table().pool {
            let r = r.as_bytes();
            debug_assert!(r.len() <= MAX_READING, "{r:?}");
            for k in 1..=r.len() {
                out.insert(r[..k].into());
            }
        }
        out
    });
    prefixes.contains(piece)
}

/// The letters that must be initials of the title's characters: the
/// query's letters at the places every way of cutting it into pieces cuts.
/// A piece is a prefix of a reading, or one letter (a Latin letter of the
/// title), so cutting after every letter is always a way, and a place is
/// cut by every way when no piece of two letters or more spans it.
fn needed_initials(query: &[u8]) -> u32 {
    let cut = cut_by_every_way(query.len(), |i, j| is_reading_prefix(&query[i..j]));
    query
        .iter()
        .zip(&cut)
        .filter(|(_, cut)| **cut)
        .fold(0u32, |m, (b, _)| m | 1 << (b - b'a'))
}

/// For each place 0..=n of a query of n letters, whether no piece of two
/// letters or more that `usable(i, j)` allows (letters `i..j`) spans it.
fn cut_by_every_way(n: usize, usable: impl Fn(usize, usize) -> bool) -> Vec<bool> {
    let mut cut = vec![true; n + 1];
    for i in 0..n {
        for j in i + 2..=(i + MAX_READING).min(n) {
            if usable(i, j) {
                cut[i + 1..j].iter_mut().for_each(|c| *c = false);
            }
        }
    }
    cut
}

/// The pairs of initials a title without Latin letters must have as
/// neighbours: where every way of cutting the query into reading prefixes
/// cuts at two places and never between them, the characters matched
/// there are neighbours. With no such way at all, every bit (only titles
/// the filter cannot judge remain).
fn needed_pairs(query: &[u8]) -> u64 {
    let n = query.len();
    let piece = |i: usize, j: usize| j - i <= MAX_READING && is_reading_prefix(&query[i..j]);
    // reach[p]: the first p letters can be cut; rest[p]: the letters from p on can.
    let mut reach = vec![false; n + 1];
    reach[0] = true;
    for j in 1..=n {
        reach[j] = (j.saturating_sub(MAX_READING)..j).any(|i| reach[i] && piece(i, j));
    }
    let mut rest = vec![false; n + 1];
    rest[n] = true;
    for i in (0..n).rev() {
        rest[i] = (i + 1..=(i + MAX_READING).min(n)).any(|j| rest[j] && piece(i, j));
    }
    if !rest[0] {
        return u64::MAX;
    }
    let cuts: Vec<usize> = (0..=n).filter(|p| reach[*p] && rest[*p]).collect();
    let always = cut_by_every_way(n, |i, j| reach[i] && rest[j] && piece(i, j));
    cuts.windows(2)
        .filter(|w| w[1] < n && always[w[0]] && always[w[1]])
        .fold(0u64, |m, w| {
            m | pair_bit(query[w[0]] - b'a', query[w[1]] - b'a')
        })
}

/// Buffers reused from one title to the next.
#[derive(Default)]
pub(crate) struct Scratch {
    chars: Vec<char>,
    units: Vec<Unit>,
    memo: Memo,
}

impl Scratch {
    /// [`match_title`] over a title held as UTF-16, with the query's needs
    /// computed once for many titles, and [`could_match`] in front.
    pub(crate) fn match_utf16(
        &mut self,
        title: &[u16],
        query: &[u8],
        needs: &QueryNeeds,
    ) -> Option<std::ops::Range<usize>> {
        if !could_match(title, query, needs) {
            return None;
        }
        self.search(title, query)
    }

    /// The first start from which [`step`] matches, and where it ends.
    fn search(&mut self, title: &[u16], query: &[u8]) -> Option<std::ops::Range<usize>> {
        self.chars.clear();
        self.units.clear();
        for c in char::decode_utf16(title.iter().copied()) {
            let c = c.unwrap_or(char::REPLACEMENT_CHARACTER);
            self.chars.push(c);
            self.units.push(unit_of(c));
        }
        let first = query[0];
        let first_bit = 1u32 << (first - b'a');
        self.memo.reset(query.len());
        for start in 0..self.units.len() {
            let plausible = match self.units[start] {
                Unit::Hanzi(mask) => mask & first_bit != 0,
                Unit::Latin(b) => b == first,
                Unit::Skip => false,
            };
            if !plausible {
                continue;
            }
            self.memo.clear();
            let end_limit = (start + MAX_SPAN).min(self.units.len());
            if let Some(end) = step(
                &self.chars,
                &self.units[..end_limit],
                start,
                start,
                query,
                0,
                &mut self.memo,
            ) {
                return Some(start..end);
            }
        }
        None
    }
}

/// Whether `query` can match anywhere in `title`, in one pass over its
/// UTF-16 units that allocates nothing: the set of query letters a match in
/// progress may have consumed so far is a bit set (bit `i`: `i` letters;
/// bit 0 always, a match may start at the next character), advanced by each
/// character's readings. Most characters have no initial the query can
/// use and cost one table lookup. It is a filter: it ignores the span
/// limit, and a character the table does not cover (a hanzi beyond the
/// BMP, a letter of another script) makes it answer yes; the search
/// [`step`] decides.
fn could_match(title: &[u16], query: &[u8], needs: &QueryNeeds) -> bool {
    let done = 1u64 << query.len();
    let mut state = 1u64;
    for &u in title {
        let mut next = 1u64;
        let mut from = state;
        match bmp_unit(u) {
            None => return true,
            // Skipped, as inside a match.
            Some(Unit::Skip) => continue,
            Some(Unit::Hanzi(mask)) => {
                if state == 1 && mask & needs.first == 0 {
                    continue;
                }
                let readings = char::from_u32(u32::from(u)).map_or(&[][..], table_readings);
                while from != 0 {
                    let at = from.trailing_zeros() as usize;
                    from &= from - 1;
                    if mask & (1 << (query[at] - b'a')) == 0 {
                        continue;
                    }
                    for r in readings {
                        let k = r
                            .bytes()
                            .zip(&query[at..])
                            .take_while(|(a, b)| a == *b)
                            .count();
                        // Pieces of 1..=k letters starting at `at`.
                        next |= ((1u64 << k) - 1) << (at + 1);
                    }
                }
            }
            Some(Unit::Latin(b)) => {
                while from != 0 {
                    let at = from.trailing_zeros() as usize;
                    from &= from - 1;
                    if query[at] == b {
                        next |= 1 << (at + 1);
                    }
                }
            }
        }
        state = next;
        if state & done != 0 {
            return true;
        }
    }
    false
}

/// Failed (query position, unit offset) pairs, so matching stays polynomial.
#[derive(Default)]
struct Memo {
    failed: Vec<u64>,
}

impl Memo {
    fn reset(&mut self, qlen: usize) {
        self.failed.clear();
        self.failed.resize(qlen + 1, 0);
    }

    fn clear(&mut self) {
        self.failed.iter_mut().for_each(|w| *w = 0);
    }
}

fn step(
    chars: &[char],
    units: &[Unit],
    start: usize,
    ui: usize,
    q: &[u8],
    qi: usize,
    memo: &mut Memo,
) -> Option<usize> {
    if qi == q.len() {
        return Some(ui);
    }
    if ui >= units.len() {
        return None;
    }
    let bit = 1u64 << (ui - start);
    if memo.failed[qi] & bit != 0 {
        return None;
    }
    let found = match units[ui] {
        Unit::Skip => step(chars, units, start, ui + 1, q, qi, memo),
        Unit::Latin(b) => {
            if b == q[qi] {
                step(chars, units, start, ui + 1, q, qi + 1, memo)
            } else {
                None
            }
        }
        Unit::Hanzi(mask) => {
            if mask & (1 << (q[qi] - b'a')) == 0 {
                None
            } else {
                let mut found = None;
                let c = chars[ui];
                let owned;
                let readings: &[Box<str>] = if (CJK_FIRST..=CJK_LAST).contains(&(c as u32)) {
                    table_readings(c)
                } else {
                    owned = pinyin_of(c)
                        .into_iter()
                        .map(String::into_boxed_str)
                        .collect::<Vec<_>>();
                    &owned
                };
                'readings: for r in readings {
                    let r = r.as_bytes();
                    // Longest piece first: full syllables are the common case.
                    let max = r.len().min(q.len() - qi);
                    for k in (1..=max).rev() {
                        if q[qi..qi + k] == r[..k]
                            && let Some(end) = step(chars, units, start, ui + 1, q, qi + k, memo)
                        {
                            found = Some(end);
                            break 'readings;
                        }
                    }
                }
                found
            }
        }
    };
    if found.is_none() {
        memo.failed[qi] |= bit;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(title: &str, query: &str, expected: Option<&str>) {
        let got = match_title(title, query.as_bytes()).map(|r| {
            title
                .chars()
                .skip(r.start)
                .take(r.len())
                .collect::<String>()
        });
        assert_eq!(got.as_deref(), expected, "{title} / {query}");
    }

    #[test]
    fn full_initials_and_mixed() {
        check("依申请公开", "yishenqing", Some("依申请"));
        check("依申请公开", "ybsqgk", None);
        check("依申请公开", "ysqgk", Some("依申请公开"));
        check("依申请公开", "yisqgk", Some("依申请公开"));
        check("依申请公开", "yishenqinggongkai", Some("依申请公开"));
        check("依申请公开", "yishenqinggongkaix", None);
        check("政府信息依申请公开", "yishenqing", Some("依申请"));
        check("依申请公开", "shenq", Some("申请"));
        check("依申请公开", "henqing", None);
        check("", "a", None);
    }

    #[test]
    fn polyphones_match_every_reading() {
        check("中国工商银行网点", "yinhang", Some("银行"));
        check("行政许可", "xingzheng", Some("行政"));
        check("重大建设项目", "zdjsxm", Some("重大建设项目"));
        check("重庆", "chongqing", Some("重庆"));
        check("县长信箱", "xianzhang", Some("县长"));
    }

    #[test]
    fn punctuation_and_latin_inside_titles() {
        check("《社会救助暂行办法》解读", "shjz", Some("社会救助"));
        check("《社会救助暂行办法》解读", "banfajiedu", Some("办法》解读"));
        check("12345热线", "rexian", Some("热线"));
        check("PDF下载", "pdfxz", Some("PDF下载"));
    }

    #[test]
    fn umlaut_written_v() {
        check("绿色通道", "lvse", Some("绿色"));
        check("法律援助", "falv", Some("法律"));
    }

    #[test]
    fn query_length_bounds() {
        let long = "a".repeat(MAX_PINYIN_QUERY + 1);
        check("阿阿阿", &long, None);
        check("阿", "", None);
        check("阿阿", "a1", None);
        check("阿阿", "A", None);
    }

    /// Every title run of up to four characters, as initials, full pinyin
    /// and each mix of the two (readings at random), at most 60 of them, and
    /// 20 strings of letters at random.
    fn queries_from(title: &str, rng: &mut u64) -> Vec<Vec<u8>> {
        let chars: Vec<char> = title.chars().collect();
        let mut out = Vec::new();
        for start in 0..chars.len() {
            for len in 1..=4.min(chars.len() - start) {
                let readings: Vec<Vec<String>> = chars[start..start + len]
                    .iter()
                    .map(|c| pinyin_of(*c))
                    .collect();
                if readings.iter().any(Vec::is_empty) {
                    continue;
                }
                for pattern in 0..(1u32 << len) {
                    let mut q = Vec::new();
                    for (i, r) in readings.iter().enumerate() {
                        let r = r[(*rng as usize >> i) % r.len()].as_bytes();
                        q.extend_from_slice(if pattern >> i & 1 == 1 { r } else { &r[..1] });
                    }
                    out.push(q);
                }
            }
        }
        // At most 60 of them, spread over the title.
        let stride = out.len() / 60 + 1;
        let mut out: Vec<Vec<u8>> = out.into_iter().step_by(stride).collect();
        for _ in 0..20 {
            *rng ^= *rng << 13;
            *rng ^= *rng >> 7;
            *rng ^= *rng << 17;
            let len = 1 + (*rng % 6) as usize;
            out.push(
                (0..len)
                    .map(|i| b'a' + (*rng >> (i * 5) & 31) as u8 % 26)
                    .collect(),
            );
        }
        out
    }

    /// The filters in front of the matcher (a title's initials and pairs,
    /// then the one-pass check) only ever turn away titles the matcher
    /// itself would not match; and they do turn titles away.
    #[test]
    fn the_filters_never_turn_away_a_match() {
        let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/demo");
        let loaded =
            crate::import::load_content_dir(&demo, crate::Date::from_ymd(2026, 11, 20).unwrap())
                .unwrap();
        let mut titles: Vec<String> = loaded
            .bundle
            .items
            .iter()
            .map(|i| i.name.clone())
            .chain(loaded.bundle.documents.iter().map(|d| d.title.clone()))
            .collect();
        titles.extend(
            [
                "中国工商银行网点",
                "重大建设项目",
                "《社会救助暂行办法》解读",
                "12345热线",
                "PDF下载",
                "绿色通道",
                "县长信箱",
                "𠀀低保",
                "低保，标准",
            ]
            .map(String::from),
        );
        let mut rng = 0x2026_1203u64;
        let (mut matched, mut turned_away, mut checked) = (0, 0, 0);
        let mut scratch = Scratch::default();
        for title in &titles {
            let title = crate::search::normalize(title);
            let units: Vec<u16> = title.encode_utf16().collect();
            let filter = TitleFilter::of(&units);
            // Its own runs, and those of a few others (mostly non-matches).
            for other in titles.iter().step_by(titles.len() / 3 + 1) {
                for q in queries_from(other, &mut rng)
                    .into_iter()
                    .chain(queries_from(&title, &mut rng))
                {
                    let Some(needs) = QueryNeeds::of(&q) else {
                        continue;
                    };
                    checked += 1;
                    let truth = match_title(&title, &q);
                    let admitted = needs.admits(filter.initials, filter.pairs);
                    let filtered = if admitted {
                        scratch.match_utf16(&units, &q, &needs)
                    } else {
                        None
                    };
                    assert_eq!(filtered, truth, "{title} / {}", String::from_utf8_lossy(&q));
                    matched += usize::from(truth.is_some());
                    turned_away += usize::from(!admitted);
                }
            }
        }
        eprintln!("{checked} checked, {matched} matched, {turned_away} turned away");
        assert!(matched > 1000, "{matched} of {checked} matched");
        assert!(
            turned_away * 2 > checked - matched,
            "the filters turned away {turned_away} of {} non-matches",
            checked - matched
        );
    }

    #[test]
    fn what_a_query_needs() {
        fn check(query: &str, initials: &str, pairs: &[(u8, u8)]) {
            let needs = QueryNeeds::of(query.as_bytes()).unwrap();
            let mask = initials.bytes().fold(0u32, |m, b| m | 1 << (b - b'a'));
            assert_eq!(needs.needs.initials, mask, "{query} initials");
            let bloom = pairs
                .iter()
                .fold(0u64, |m, (a, b)| m | pair_bit(a - b'a', b - b'a'));
            assert_eq!(needs.needs.pairs, bloom, "{query} pairs");
        }
        // Initials only: one way to cut, every neighbour pair needed.
        check("dbbz", "dbz", &[(b'd', b'b'), (b'b', b'b'), (b'b', b'z')]);
        // di|bao, di|ba|o, di|b|ao …: d and b always start a piece.
        check("dibao", "db", &[(b'd', b'b')]);
        // A single syllable needs only its initial.
        check("zhuang", "z", &[]);
        // xian or xi|an: only x is sure, and no pair.
        check("xian", "x", &[]);
        // No reading starts with i: only a Latin letter can match it.
        let i = QueryNeeds::of(b"i").unwrap();
        assert_eq!(i.needs.pairs, u64::MAX);
        assert!(i.admits(u32::MAX, u64::MAX));
        assert!(!i.admits(u32::MAX, 0));
    }

    #[test]
    fn what_a_title_offers() {
        let f = |t: &str| TitleFilter::of(&t.encode_utf16().collect::<Vec<_>>());
        let low = f("低保");
        assert_eq!(low.initials, 1 << (b'd' - b'a') | 1 << (b'b' - b'a'));
        assert_eq!(low.pairs, pair_bit(b'd' - b'a', b'b' - b'a'));
        // Punctuation between is skipped; a digit breaks the pair.
        assert_eq!(f("低，保").pairs, low.pairs);
        assert_eq!(f("低1保").pairs, 0);
        // Latin letters and characters the table lacks: never turned away.
        assert_eq!(f("pdf下载").pairs, u64::MAX);
        assert_eq!(f("𠀀低保").initials, u32::MAX);
    }
}
