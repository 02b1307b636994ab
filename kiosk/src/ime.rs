//! Hanzi candidates for the on-screen pinyin keyboard.
//!
//! The candidates are words of the terminal's own content (substrings of
//! titles and catalog columns), ranked by how often they occur there: on a
//! disclosure kiosk every candidate then leads to results, and the
//! vocabulary follows the county's content without a separate dictionary
//! to maintain. Readings come from the `pinyin` crate's table, every
//! reading of a polyphonic character counts.

use std::collections::HashMap;

use disclosure::search::pinyin_of;

/// Longest word offered, in characters.
const MAX_WORD: usize = 4;
/// Candidates shown at once.
pub const MAX_CANDIDATES: usize = 8;
/// Most distinct texts the vocabulary is drawn from: a county catalog has a
/// few thousand; a huge one is sampled so building stays small in memory.
pub const MAX_SOURCE_TEXTS: usize = 20_000;

#[derive(Debug, Default)]
pub struct CandidateDictionary {
    /// Words with their frequency, most frequent first.
    words: Vec<(Box<str>, u32)>,
}

fn is_hanzi(c: char) -> bool {
    ('\u{3400}'..='\u{9FFF}').contains(&c)
}

impl CandidateDictionary {
    /// Builds the vocabulary from texts (titles, column names).
    /// At most [`MAX_SOURCE_TEXTS`] distinct texts are used.
    pub fn from_texts<'a>(texts: impl IntoIterator<Item = &'a str>) -> CandidateDictionary {
        let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
        let mut counts: HashMap<String, u32> = HashMap::new();
        for t in texts {
            if seen.len() >= MAX_SOURCE_TEXTS {
                break;
            }
            if !seen.insert(t) {
                continue;
            }
            let chars: Vec<char> = t.chars().collect();
            for run in chars.split(|c| !is_hanzi(*c)) {
                for len in 1..=MAX_WORD.min(run.len()) {
                    for w in run.windows(len) {
                        *counts.entry(w.iter().collect()).or_default() += 1;
                    }
                }
            }
        }
        // Words of two or more characters must recur to count as words.
        let mut words: Vec<(Box<str>, u32)> = counts
            .into_iter()
            .filter(|(w, n)| w.chars().count() == 1 || *n >= 2)
            .map(|(w, n)| (w.into_boxed_str(), n))
            .collect();
        words.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        CandidateDictionary { words }
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Candidates for the letters typed so far: words whose characters take
    /// up all of `input` (each a non-empty prefix of one of its readings).
    /// Words spelled in full syllables rank first, then longer words, then
    /// frequent ones.
    pub fn candidates(&self, input: &str) -> Vec<String> {
        let mut v = self.candidates_all(input);
        v.truncate(MAX_CANDIDATES);
        v
    }

    /// Every candidate for `input`, best first (for paging).
    pub fn candidates_all(&self, input: &str) -> Vec<String> {
        let q: Vec<u8> = input.bytes().map(|b| b.to_ascii_lowercase()).collect();
        if q.is_empty() || q.len() > 48 || !q.iter().all(u8::is_ascii_lowercase) {
            return Vec::new();
        }
        let mut found: Vec<(u32, usize, u32, &str)> = Vec::new();
        for (w, n) in &self.words {
            let chars: Vec<char> = w.chars().collect();
            if let Some(full) = spell(&chars, &q) {
                found.push((full, chars.len(), *n, w.as_ref()));
            }
        }
        // Full syllables for every character first, longer words, frequency.
        found.sort_by(|a, b| {
            let a_full = a.0 as usize == a.1;
            let b_full = b.0 as usize == b.1;
            b_full.cmp(&a_full).then(b.1.cmp(&a.1)).then(b.2.cmp(&a.2))
        });
        found
            .into_iter()
            .take(200)
            .map(|(_, _, _, w)| w.to_string())
            .collect()
    }
}

/// The most common surnames, most common first: offered first for names.
const COMMON_SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤";

/// Every character of GB 2312 (levels 1 and 2: the 6,763 characters every
/// printer font and input method has), by full syllable.
fn syllable_table() -> &'static HashMap<String, Vec<char>> {
    static TABLE: std::sync::OnceLock<HashMap<String, Vec<char>>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t: HashMap<String, Vec<char>> = HashMap::new();
        let mut chars: Vec<(u16, char)> = Vec::new();
        for cp in 0x4E00u32..=0x9FA5 {
            let Some(c) = char::from_u32(cp) else {
                continue;
            };
            let mut buf = [0u8; 4];
            let (bytes, _, bad) = encoding_rs::GBK.encode(c.encode_utf8(&mut buf));
            if !bad && bytes.len() == 2 && (0xB0..=0xF7).contains(&bytes[0]) && bytes[1] >= 0xA1 {
                chars.push((u16::from(bytes[0]) << 8 | u16::from(bytes[1]), c));
            }
        }
        // GB 2312 order: level 1 (common, by pinyin) before level 2.
        chars.sort();
        // A character's main reading ranks it before characters that only
        // have the syllable as a second reading (臭 xiù after 秀).
        let mut ranked: HashMap<String, Vec<(bool, char)>> = HashMap::new();
        for (_, c) in chars {
            for (i, r) in pinyin_of(c).into_iter().enumerate() {
                ranked.entry(r).or_default().push((i > 0, c));
            }
        }
        for (r, mut v) in ranked {
            v.sort_by_key(|(secondary, _)| *secondary); // stable: GB 2312 order within
            t.insert(r, v.into_iter().map(|(_, c)| c).collect());
        }
        t
    })
}

/// Builds the syllable table now (on the dictionary thread), so the first
/// name typed does not wait for it.
pub fn prepare_syllable_table() {
    syllable_table();
}

/// Single characters read as the full syllable `syllable`: common surnames
/// first when `names` is set, then GB 2312 level 1, then level 2.
pub fn syllable_chars(syllable: &str, names: bool) -> Vec<char> {
    let mut v = syllable_table().get(syllable).cloned().unwrap_or_default();
    if names {
        let rank = |c: &char| {
            COMMON_SURNAMES
                .chars()
                .position(|s| s == *c)
                .unwrap_or(usize::MAX)
        };
        v.sort_by_key(rank); // stable: GB 2312 order among the rest
    }
    v
}

/// Whether `chars` spell exactly `q`; returns how many characters were
/// spelled with a full syllable (the best way).
fn spell(chars: &[char], q: &[u8]) -> Option<u32> {
    let (first, rest) = chars.split_first()?;
    let mut best: Option<u32> = None;
    for r in pinyin_of(*first) {
        let r = r.as_bytes();
        for k in 1..=r.len().min(q.len()) {
            if q[..k] != r[..k] {
                break;
            }
            let full = u32::from(k == r.len());
            let tail = if rest.is_empty() {
                (k == q.len()).then_some(0)
            } else if k < q.len() {
                spell(rest, &q[k..])
            } else {
                None
            };
            if let Some(t) = tail {
                best = Some(best.map_or(full + t, |b| b.max(full + t)));
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dict() -> CandidateDictionary {
        CandidateDictionary::from_texts([
            "城乡居民最低生活保障",
            "最低生活保障申请",
            "低保对象名单",
            "低保标准调整",
            "临时救助",
            "地方政府债务",
            "政府信息依申请公开",
            "依申请公开办理流程",
        ])
    }

    #[test]
    fn full_pinyin_initials_and_prefixes() {
        let d = dict();
        assert_eq!(
            d.candidates("dibao").first().map(String::as_str),
            Some("低保")
        );
        assert!(d.candidates("db").contains(&"低保".to_string()));
        assert!(
            d.candidates("ysqgk").contains(&"申请公开".to_string())
                || d.candidates("sqgk").contains(&"申请公开".to_string())
        );
        assert!(d.candidates("shenqing").contains(&"申请".to_string()));
        let di = d.candidates("di");
        assert!(
            di.contains(&"低".to_string()) && di.contains(&"地".to_string()),
            "{di:?}"
        );
        assert!(d.candidates("xyz").is_empty());
        assert!(d.candidates("").is_empty());
        assert!(d.candidates("di1").is_empty());
        // Longer than any word: no single candidate spells it all.
        assert!(d.candidates("dibaoduixiangmingdan").is_empty());
    }

    #[test]
    fn every_common_character_is_reachable_by_its_syllable() {
        let wang = syllable_chars("wang", true);
        assert_eq!(wang.first(), Some(&'王'));
        assert!(wang.contains(&'汪') && wang.contains(&'旺'));
        // 秀 and 英 for 王秀英, level-2 characters too (璐, 婧).
        let xiu = syllable_chars("xiu", false);
        assert!(xiu[..8].contains(&'秀'), "{xiu:?}");
        assert!(xiu.iter().position(|c| *c == '臭') > xiu.iter().position(|c| *c == '秀'));
        assert!(syllable_chars("lu", true).contains(&'璐'));
        assert!(syllable_chars("jing", true).contains(&'婧'));
        assert!(syllable_chars("lv", true).contains(&'吕'));
        assert!(syllable_chars("xx", true).is_empty());
    }

    #[test]
    fn words_must_recur_but_characters_need_not() {
        let d = CandidateDictionary::from_texts(["独一无二的标题"]);
        assert!(
            d.candidates("duyi").is_empty(),
            "a word seen once is not offered"
        );
        assert_eq!(d.candidates("du"), ["独"]);
    }
}
