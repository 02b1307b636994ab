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
    let cp = c as u32;
    if (CJK_FIRST..=CJK_LAST).contains(&cp) {
        let m = reading_table().masks[(cp - CJK_FIRST) as usize];
        return if m != 0 { Unit::Hanzi(m) } else { Unit::Skip };
    }
    if c.is_ascii_alphanumeric() {
        return Unit::Latin(c.to_ascii_lowercase() as u8);
    }
    if !c.is_alphanumeric() {
        return Unit::Skip;
    }
    // Hanzi outside the main blocks (extensions B+) still have readings.
    let r = pinyin_of(c);
    if r.is_empty() {
        Unit::Skip
    } else {
        Unit::Hanzi(r.iter().fold(0, |m, r| m | 1 << (r.as_bytes()[0] - b'a')))
    }
}

/// Longest query the matcher accepts, in letters.
pub const MAX_PINYIN_QUERY: usize = 48;
/// Longest run of title characters one match may cover.
const MAX_SPAN: usize = 64;

/// Finds the first run of `title` that `query` (lower-case ASCII letters)
/// matches by pinyin; returns the character range of that run.
pub fn match_title(title: &str, query: &[u8]) -> Option<std::ops::Range<usize>> {
    Scratch::default().match_title(title, query)
}

/// Buffers reused from one title to the next.
#[derive(Default)]
struct Scratch {
    chars: Vec<char>,
    units: Vec<Unit>,
    memo: Memo,
}

impl Scratch {
    fn match_title(&mut self, title: &str, query: &[u8]) -> Option<std::ops::Range<usize>> {
        if query.is_empty()
            || query.len() > MAX_PINYIN_QUERY
            || !query.iter().all(u8::is_ascii_lowercase)
        {
            return None;
        }
        let first = query[0];
        let first_bit = 1u32 << (first - b'a');
        self.chars.clear();
        self.units.clear();
        let mut plausible_any = false;
        for c in title.chars() {
            let u = unit_of(c);
            plausible_any |= match u {
                Unit::Hanzi(mask) => mask & first_bit != 0,
                Unit::Latin(b) => b == first,
                Unit::Skip => false,
            };
            self.chars.push(c);
            self.units.push(u);
        }
        if !plausible_any {
            return None;
        }
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

/// Titles held in memory for pinyin matching: one arena of text and a small
/// entry per record (about 12 bytes plus the title's UTF-8).
#[derive(Debug, Default)]
pub struct PinyinIndex {
    arena: String,
    entries: Vec<Entry>,
    regions: Vec<String>,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    id: u32,
    region: u16,
    start: u32,
    len: u32,
}

/// A pinyin match: the search record and the matched character range of its title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinyinHit {
    pub id: i64,
    pub chars: std::ops::Range<usize>,
}

impl PinyinIndex {
    pub(crate) fn push(&mut self, id: i64, region: &str, title: &str) {
        let region = match self.regions.iter().position(|r| r == region) {
            Some(i) => i,
            None => {
                self.regions.push(region.to_string());
                self.regions.len() - 1
            }
        };
        self.entries.push(Entry {
            id: id as u32,
            region: region as u16,
            start: self.arena.len() as u32,
            len: title.len() as u32,
        });
        self.arena.push_str(title);
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Gives back what growing left unused (up to half of the arena and the
    /// entries once a large catalog is loaded).
    pub(crate) fn shrink_to_fit(&mut self) {
        self.arena.shrink_to_fit();
        self.entries.shrink_to_fit();
        self.regions.shrink_to_fit();
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Bytes held by the index.
    pub fn heap_bytes(&self) -> usize {
        self.arena.capacity() + self.entries.capacity() * std::mem::size_of::<Entry>()
    }

    /// Every title in the regions `in_scope` accepts that `query` matches,
    /// titles matched from their first character first.
    pub(crate) fn find(&self, query: &[u8], in_scope: impl Fn(&str) -> bool) -> Vec<PinyinHit> {
        let allowed: Vec<bool> = self.regions.iter().map(|r| in_scope(r)).collect();
        let mut scratch = Scratch::default();
        let mut at_start = Vec::new();
        let mut inside = Vec::new();
        for e in &self.entries {
            if !allowed[usize::from(e.region)] {
                continue;
            }
            let title = &self.arena[e.start as usize..(e.start + e.len) as usize];
            if let Some(chars) = scratch.match_title(title, query) {
                let hit = PinyinHit {
                    id: i64::from(e.id),
                    chars,
                };
                if hit.chars.start == 0 {
                    at_start.push(hit);
                } else {
                    inside.push(hit);
                }
            }
        }
        at_start.extend(inside);
        at_start
    }
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
    fn a_loaded_index_holds_no_spare_capacity() {
        let mut index = PinyinIndex::default();
        for i in 0..1000 {
            index.push(i, "990521", "城乡居民最低生活保障标准");
        }
        index.shrink_to_fit();
        let title = "城乡居民最低生活保障标准".len();
        assert_eq!(
            index.heap_bytes(),
            1000 * (title + std::mem::size_of::<Entry>())
        );
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
}
