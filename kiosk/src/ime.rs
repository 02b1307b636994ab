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
    words: Vec<(PackedWord, u32)>,
}

fn is_hanzi(c: char) -> bool {
    ('\u{3400}'..='\u{9FFF}').contains(&c)
}

/// A word of one to [`MAX_WORD`] hanzi in one integer, 15 bits a character
/// (its offset from U+3400, plus one; 0 where the word has ended), the first
/// character highest: words compare as their strings do, and counting the
/// vocabulary of a large catalog needs no string per word (a 100k-item
/// catalog's vocabulary was the kiosk's largest heap).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct PackedWord(u64);

impl PackedWord {
    const BITS: u32 = 15;

    /// `chars`: 1 to [`MAX_WORD`] hanzi.
    fn new(chars: &[char]) -> PackedWord {
        debug_assert!((1..=MAX_WORD).contains(&chars.len()) && chars.iter().all(|c| is_hanzi(*c)));
        let mut v = 0u64;
        for i in 0..MAX_WORD {
            let code = chars
                .get(i)
                .map_or(0, |c| u64::from(*c as u32 - 0x3400 + 1));
            v = v << Self::BITS | code;
        }
        PackedWord(v)
    }

    /// The code of character `i` (0 past the word's end).
    fn code(self, i: usize) -> u32 {
        let shift = Self::BITS * (MAX_WORD - 1 - i) as u32;
        (self.0 >> shift) as u32 & ((1 << Self::BITS) - 1)
    }

    /// How many characters the word has.
    fn len(self) -> usize {
        (0..MAX_WORD).take_while(|i| self.code(*i) != 0).count()
    }

    /// The word's characters, written into `buf`.
    fn chars(self, buf: &mut [char; MAX_WORD]) -> &[char] {
        let n = self.len();
        for (i, c) in buf[..n].iter_mut().enumerate() {
            *c = char::from_u32(0x3400 + self.code(i) - 1).expect("a packed hanzi");
        }
        &buf[..n]
    }
}

impl CandidateDictionary {
    /// Builds the vocabulary from texts (titles, column names).
    /// At most [`MAX_SOURCE_TEXTS`] distinct texts are used.
    pub fn from_texts<'a>(texts: impl IntoIterator<Item = &'a str>) -> CandidateDictionary {
        let mut b = VocabularyBuilder::default();
        for t in texts {
            if !b.add(t) {
                break;
            }
        }
        b.finish()
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Whether the vocabulary has `word` (one to four hanzi), e.g. whether
    /// this terminal's content uses a character written by hand.
    pub fn knows(&self, word: &str) -> bool {
        let chars: Vec<char> = word.chars().collect();
        if chars.is_empty() || chars.len() > MAX_WORD || !chars.iter().all(|c| is_hanzi(*c)) {
            return false;
        }
        let w = PackedWord::new(&chars);
        self.words.iter().any(|(k, _)| *k == w)
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
        let mut found: Vec<(u32, usize, u32, PackedWord)> = Vec::new();
        let mut buf = ['\0'; MAX_WORD];
        for &(w, n) in &self.words {
            let chars = w.chars(&mut buf);
            if let Some(full) = spell(chars, &q) {
                found.push((full, chars.len(), n, w));
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
            .map(|(_, _, _, w)| w.chars(&mut buf).iter().collect())
            .collect()
    }
}

/// Counts the words of texts given one at a time (a store's titles as they
/// are read), remembering only a hash of each text seen.
#[derive(Default)]
pub struct VocabularyBuilder {
    seen: std::collections::HashSet<u64>,
    counts: HashMap<PackedWord, u32>,
}

impl VocabularyBuilder {
    /// Counts the words of `text` unless the same text was counted before;
    /// false once [`MAX_SOURCE_TEXTS`] distinct texts are in (the rest are
    /// not needed).
    pub fn add(&mut self, text: &str) -> bool {
        if self.seen.len() >= MAX_SOURCE_TEXTS {
            return false;
        }
        // A fixed-key hash: the same texts give the same vocabulary on
        // every run; two texts colliding in 64 bits would only drop one.
        let h = std::hash::BuildHasher::hash_one(
            &std::hash::BuildHasherDefault::<std::hash::DefaultHasher>::default(),
            text,
        );
        if !self.seen.insert(h) {
            return true;
        }
        let chars: Vec<char> = text.chars().collect();
        for run in chars.split(|c| !is_hanzi(*c)) {
            for len in 1..=MAX_WORD.min(run.len()) {
                for w in run.windows(len) {
                    *self.counts.entry(PackedWord::new(w)).or_default() += 1;
                }
            }
        }
        self.seen.len() < MAX_SOURCE_TEXTS
    }

    /// The vocabulary: single characters, and words of two or more
    /// characters that recur.
    pub fn finish(self) -> CandidateDictionary {
        let mut words: Vec<(PackedWord, u32)> = self
            .counts
            .into_iter()
            .filter(|(w, n)| w.len() == 1 || *n >= 2)
            .collect();
        words.shrink_to_fit();
        words.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        CandidateDictionary { words }
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
    fn the_vocabulary_knows_its_words_and_characters() {
        let d = dict();
        for (w, known) in [
            ("低", true),
            ("低保", true),
            ("囗", false),
            ("", false),
            ("a", false),
            ("政府信息依申请公开", false), // longer than a word
        ] {
            assert_eq!(d.knows(w), known, "{w}");
        }
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
    fn packed_words_read_back_and_sort_as_their_strings() {
        let words = ["㐀", "低", "低保", "低保标准", "鿿鿿鿿鿿", "保", "一二"];
        let mut buf = ['\0'; MAX_WORD];
        for w in words {
            let chars: Vec<char> = w.chars().collect();
            let p = PackedWord::new(&chars);
            assert_eq!(p.chars(&mut buf), chars.as_slice(), "{w}");
        }
        let mut by_string = words.to_vec();
        by_string.sort();
        let mut by_packed = words.to_vec();
        by_packed.sort_by_key(|w| PackedWord::new(&w.chars().collect::<Vec<_>>()));
        assert_eq!(by_string, by_packed);
    }

    #[test]
    fn the_same_text_twice_counts_once() {
        // 低保 twice in one text recurs; in the same text given twice, not.
        let twice = CandidateDictionary::from_texts(["低保低保"]);
        assert_eq!(twice.candidates("dibao"), ["低保"]);
        let repeated = CandidateDictionary::from_texts(["低保标准", "低保标准"]);
        assert!(repeated.candidates("dibao").is_empty());
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
