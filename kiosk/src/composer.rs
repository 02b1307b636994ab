//! The composer: what the kiosk's own keyboard types into one text — 全拼
//! with hanzi candidates, 首字母, letters as typed, or digits. Search and
//! every form field use this one state machine; only their rules differ.

use crate::KeyboardMode;
use crate::ime::{CandidateDictionary, MAX_CANDIDATES, syllable_chars};

/// The last candidate slot when there are more: the next page.
pub const MORE: &str = "换一批";
/// The last candidate slot on the last page: back to the first.
pub const FIRST_PAGE: &str = "回到第一批";

/// Where candidates for the pinyin typed come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vocabulary {
    /// Words from the terminal's content only, the best few (search).
    Content,
    /// Words from the content first, then every character of the syllable;
    /// paged (descriptions, addresses).
    Text,
    /// Every character of the syllable first, common surnames leading, then
    /// words; paged (people's names).
    Names,
}

/// What a text accepts.
#[derive(Debug, Clone, PartialEq)]
pub struct ComposerRules {
    /// The modes offered, the first being where typing starts.
    pub modes: Vec<KeyboardMode>,
    /// Characters of text (hanzi, letters, digits) the field takes.
    pub max_chars: usize,
    /// Letters of pinyin being composed.
    pub max_composing: usize,
    /// Letters typed as capitals (ID numbers, credit codes).
    pub uppercase: bool,
    pub vocabulary: Vocabulary,
}

impl ComposerRules {
    /// The search box: 全拼, 首字母, 数字; long enough for any search.
    pub fn search() -> ComposerRules {
        ComposerRules {
            modes: vec![
                KeyboardMode::Pinyin,
                KeyboardMode::Initials,
                KeyboardMode::Digits,
            ],
            max_chars: 32,
            max_composing: 32,
            uppercase: false,
            vocabulary: Vocabulary::Content,
        }
    }
}

/// What a key did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    Changed,
    Unchanged,
    /// Refused: the text would be longer than `max_chars`.
    TooLong,
}

/// The text being typed and the pinyin being composed.
#[derive(Debug, Clone, PartialEq)]
pub struct Composer {
    rules: ComposerRules,
    mode: KeyboardMode,
    text: String,
    composing: String,
    candidates: Vec<String>,
    page: usize,
}

impl Composer {
    /// Typing into `text` (what the field holds already).
    pub fn new(rules: ComposerRules, text: &str) -> Composer {
        Composer {
            mode: rules.modes.first().copied().unwrap_or(KeyboardMode::Digits),
            rules,
            text: text.to_string(),
            composing: String::new(),
            candidates: Vec::new(),
            page: 0,
        }
    }

    pub fn mode(&self) -> KeyboardMode {
        self.mode
    }

    pub fn modes(&self) -> &[KeyboardMode] {
        &self.rules.modes
    }

    pub fn rules(&self) -> &ComposerRules {
        &self.rules
    }

    /// The text typed so far, without the pinyin being composed.
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn composing(&self) -> &str {
        &self.composing
    }

    /// Every candidate for the pinyin being composed, best first.
    pub fn candidates(&self) -> &[String] {
        &self.candidates
    }

    /// Whether nothing is typed or being composed.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty() && self.composing.is_empty()
    }

    /// The candidate slots shown: one page, its last slot [`MORE`] or
    /// [`FIRST_PAGE`] when the vocabulary is paged.
    pub fn shown_candidates(&self) -> Vec<String> {
        if self.rules.vocabulary == Vocabulary::Content {
            return self.candidates.clone();
        }
        let start = self.page * MAX_CANDIDATES;
        let mut shown: Vec<String> = self
            .candidates
            .iter()
            .skip(start)
            .take(MAX_CANDIDATES)
            .cloned()
            .collect();
        if self.candidates.len() > start + MAX_CANDIDATES {
            shown.push(MORE.into());
        } else if self.page > 0 {
            shown.push(FIRST_PAGE.into());
        }
        shown
    }

    /// A key of the keyboard: in 全拼 a letter joins the pinyin being
    /// composed; anything else joins the text.
    pub fn key(&mut self, k: &str, dict: Option<&CandidateDictionary>) -> Edit {
        let letter = k.len() == 1 && k.bytes().all(|b| b.is_ascii_lowercase());
        if self.mode == KeyboardMode::Pinyin && letter {
            if self.composing.len() >= self.rules.max_composing {
                return Edit::Unchanged;
            }
            self.composing.push_str(k);
            self.refresh(dict);
            return Edit::Changed;
        }
        let typed = if self.rules.uppercase {
            k.to_ascii_uppercase()
        } else {
            k.to_string()
        };
        if self.text.chars().count() + typed.chars().count() > self.rules.max_chars {
            return Edit::TooLong;
        }
        self.text.push_str(&typed);
        Edit::Changed
    }

    /// 删除: the last letter being composed, else the last character.
    pub fn backspace(&mut self, dict: Option<&CandidateDictionary>) {
        if self.composing.pop().is_none() {
            self.text.pop();
        }
        self.refresh(dict);
    }

    /// 清空: everything.
    pub fn clear(&mut self) {
        self.text.clear();
        self.composing.clear();
        self.candidates.clear();
        self.page = 0;
    }

    /// Another mode. Pinyin not turned into hanzi stays as letters; letters
    /// alone go back to being composed when returning to 全拼. Tapping the
    /// lit mode, or one not offered, changes nothing.
    pub fn set_mode(&mut self, mode: KeyboardMode, dict: Option<&CandidateDictionary>) -> Edit {
        if mode == self.mode || !self.rules.modes.contains(&mode) {
            return Edit::Unchanged;
        }
        self.commit_composing();
        if mode == KeyboardMode::Pinyin
            && !self.text.is_empty()
            && self.text.bytes().all(|b| b.is_ascii_lowercase())
        {
            self.composing = std::mem::take(&mut self.text);
        }
        self.mode = mode;
        self.refresh(dict);
        Edit::Changed
    }

    /// Slot `i` of [`Composer::shown_candidates`]: a word into the text, or
    /// the next (first) page.
    pub fn pick(&mut self, i: usize) -> Edit {
        let paged = self.rules.vocabulary != Vocabulary::Content;
        let per = MAX_CANDIDATES;
        let total = self.candidates.len();
        let more = paged && total > (self.page + 1) * per;
        if more && i == per {
            self.page += 1;
            return Edit::Changed;
        }
        if paged && !more && self.page > 0 && i == total - self.page * per {
            self.page = 0;
            return Edit::Changed;
        }
        let index = if paged { self.page * per + i } else { i };
        if paged && i >= per {
            return Edit::Unchanged;
        }
        let Some(word) = self.candidates.get(index).cloned() else {
            return Edit::Unchanged;
        };
        let fits = self.text.chars().count() + word.chars().count() <= self.rules.max_chars;
        if fits {
            self.text.push_str(&word);
        }
        self.composing.clear();
        self.candidates.clear();
        self.page = 0;
        if fits { Edit::Changed } else { Edit::TooLong }
    }

    /// Pinyin not turned into hanzi joins the text as letters (填好了).
    pub fn commit_composing(&mut self) {
        let pending = std::mem::take(&mut self.composing);
        self.text.push_str(&pending);
        self.candidates.clear();
        self.page = 0;
    }

    /// The candidates again, e.g. once the vocabulary is ready.
    pub fn refresh(&mut self, dict: Option<&CandidateDictionary>) {
        self.page = 0;
        self.candidates = if self.mode != KeyboardMode::Pinyin || self.composing.is_empty() {
            Vec::new()
        } else {
            candidates_for(&self.composing, self.rules.vocabulary, dict)
        };
    }
}

/// Candidates for `pinyin` from `vocabulary`.
fn candidates_for(
    pinyin: &str,
    vocabulary: Vocabulary,
    dict: Option<&CandidateDictionary>,
) -> Vec<String> {
    if vocabulary == Vocabulary::Content {
        return dict.map(|d| d.candidates(pinyin)).unwrap_or_default();
    }
    let names = vocabulary == Vocabulary::Names;
    let singles: Vec<String> = syllable_chars(pinyin, names)
        .into_iter()
        .map(String::from)
        .collect();
    let mut found: Vec<String> = Vec::new();
    let add = |w: String, found: &mut Vec<String>| {
        if !found.contains(&w) {
            found.push(w);
        }
    };
    if names {
        for s in &singles {
            add(s.clone(), &mut found);
        }
    }
    for w in dict.map(|d| d.candidates_all(pinyin)).unwrap_or_default() {
        add(w, &mut found);
    }
    for s in singles {
        add(s, &mut found);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dict() -> CandidateDictionary {
        CandidateDictionary::from_texts(["最低生活保障", "低保", "低保标准", "地方", "保障"])
    }

    fn rules(vocabulary: Vocabulary, max_chars: usize) -> ComposerRules {
        ComposerRules {
            modes: vec![
                KeyboardMode::Pinyin,
                KeyboardMode::Letters,
                KeyboardMode::Digits,
            ],
            max_chars,
            max_composing: 24,
            uppercase: false,
            vocabulary,
        }
    }

    fn typed(c: &mut Composer, keys: &str, d: &CandidateDictionary) {
        for k in keys.chars() {
            c.key(&k.to_string(), Some(d));
        }
    }

    /// One state as (text, composing, first candidates).
    fn check(c: &Composer, text: &str, composing: &str, first: Option<&str>) {
        assert_eq!(c.text(), text, "text");
        assert_eq!(c.composing(), composing, "composing");
        assert_eq!(
            c.candidates().first().map(String::as_str),
            first,
            "candidates"
        );
    }

    #[test]
    fn pinyin_composes_and_a_pick_commits_the_word() {
        let d = dict();
        let mut c = Composer::new(ComposerRules::search(), "");
        typed(&mut c, "dibao", &d);
        check(&c, "", "dibao", Some("低保"));
        assert_eq!(c.pick(0), Edit::Changed);
        check(&c, "低保", "", None);
        c.key("2", Some(&d));
        check(&c, "低保2", "", None);
    }

    #[test]
    fn backspace_takes_composing_letters_first() {
        let d = dict();
        let mut c = Composer::new(ComposerRules::search(), "低保");
        typed(&mut c, "bz", &d);
        c.backspace(Some(&d));
        check(&c, "低保", "b", c.candidates().first().map(String::as_str));
        c.backspace(Some(&d));
        c.backspace(Some(&d));
        check(&c, "低", "", None);
    }

    #[test]
    fn modes_keep_letters_and_recompose_them() {
        let d = dict();
        let mut c = Composer::new(ComposerRules::search(), "");
        typed(&mut c, "dibao", &d);
        // The lit mode: nothing changes.
        assert_eq!(c.set_mode(KeyboardMode::Pinyin, Some(&d)), Edit::Unchanged);
        assert_eq!(
            c.set_mode(KeyboardMode::Letters, Some(&d)),
            Edit::Unchanged,
            "not offered"
        );
        assert_eq!(c.set_mode(KeyboardMode::Digits, Some(&d)), Edit::Changed);
        check(&c, "dibao", "", None);
        c.set_mode(KeyboardMode::Pinyin, Some(&d));
        check(&c, "", "dibao", Some("低保"));
        // Hanzi already typed stay text.
        c.pick(0);
        typed(&mut c, "bz", &d);
        c.set_mode(KeyboardMode::Initials, Some(&d));
        c.set_mode(KeyboardMode::Pinyin, Some(&d));
        check(&c, "低保bz", "", None);
    }

    #[test]
    fn limits_at_their_boundaries() {
        let d = dict();
        // The text's limit: one more character fits, then none.
        let mut c = Composer::new(rules(Vocabulary::Text, 4), "abc");
        c.set_mode(KeyboardMode::Digits, Some(&d));
        assert_eq!(c.key("1", Some(&d)), Edit::Changed);
        assert_eq!(c.key("2", Some(&d)), Edit::TooLong);
        check(&c, "abc1", "", None);
        c.backspace(Some(&d));
        assert_eq!(c.key("2", Some(&d)), Edit::Changed);
        check(&c, "abc2", "", None);
        // Composing letters have their own limit.
        let mut r = rules(Vocabulary::Text, 100);
        r.max_composing = 3;
        let mut c = Composer::new(r, "");
        typed(&mut c, "zhuang", &d);
        assert_eq!(c.composing(), "zhu");
        // A picked word must fit whole, else it is dropped with its pinyin.
        let mut c = Composer::new(rules(Vocabulary::Text, 3), "王");
        typed(&mut c, "dibao", &d);
        assert_eq!(c.candidates()[0], "低保");
        assert_eq!(c.pick(0), Edit::Changed);
        check(&c, "王低保", "", None);
        let mut c = Composer::new(rules(Vocabulary::Text, 3), "王王");
        typed(&mut c, "dibao", &d);
        assert_eq!(c.pick(0), Edit::TooLong);
        check(&c, "王王", "", None);
    }

    #[test]
    fn capitals_where_the_rules_ask() {
        let mut r = rules(Vocabulary::Text, 20);
        r.modes = vec![KeyboardMode::Digits, KeyboardMode::Letters];
        r.uppercase = true;
        let mut c = Composer::new(r, "11010519491231002");
        c.key("x", None);
        assert_eq!(c.text(), "11010519491231002X");
    }

    #[test]
    fn names_put_single_characters_first_and_page() {
        let d = dict();
        let mut c = Composer::new(rules(Vocabulary::Names, 60), "");
        typed(&mut c, "wang", &d);
        assert_eq!(c.candidates()[0], "王", "the commonest surname first");
        let shown = c.shown_candidates();
        assert_eq!(shown.len(), MAX_CANDIDATES + 1);
        assert_eq!(shown.last().unwrap(), MORE);
        let second_page_first = c.candidates()[MAX_CANDIDATES].clone();
        c.pick(MAX_CANDIDATES);
        assert_eq!(c.shown_candidates()[0], second_page_first);
        // To the last page, whose last slot returns to the first.
        let pages = c.candidates().len().div_ceil(MAX_CANDIDATES);
        for _ in 2..pages {
            c.pick(MAX_CANDIDATES);
        }
        let shown = c.shown_candidates();
        assert_eq!(shown.last().unwrap(), FIRST_PAGE);
        c.pick(shown.len() - 1);
        assert_eq!(c.shown_candidates()[0], "王");
        c.pick(0);
        check(&c, "王", "", None);
    }

    #[test]
    fn text_puts_content_words_first() {
        let d = dict();
        let mut c = Composer::new(rules(Vocabulary::Text, 60), "");
        typed(&mut c, "dibao", &d);
        assert_eq!(c.candidates()[0], "低保");
        // Search shows only the best few words, no paging.
        let mut s = Composer::new(ComposerRules::search(), "");
        typed(&mut s, "d", &d);
        assert!(s.shown_candidates().len() <= MAX_CANDIDATES);
        assert!(!s.shown_candidates().iter().any(|w| w == MORE));
    }

    #[test]
    fn commit_keeps_letters_and_clear_drops_everything() {
        let d = dict();
        let mut c = Composer::new(rules(Vocabulary::Text, 60), "地址");
        typed(&mut c, "xx", &d);
        c.commit_composing();
        check(&c, "地址xx", "", None);
        c.clear();
        assert!(c.is_empty());
    }
}
