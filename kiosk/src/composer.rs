//! The composer: what the kiosk's own keyboard types into one text — 全拼
//! with hanzi candidates, 首字母, letters as typed, or digits. Search and
//! every form field use this one state machine; only their rules differ.

use crate::KeyboardMode;
use crate::ime::{CandidateDictionary, MAX_CANDIDATES, syllable_chars};

/// The last candidate slot when there are more: the next page.
pub const MORE: &str = "换一批";
/// The last candidate slot on the last page: back to the first.
pub const FIRST_PAGE: &str = "回到第一批";

/// How wide the row of candidates is and what a slot in it takes, in
/// logical pixels: candidates are paged so that each keeps its whole text
/// (large text shows fewer per page, never squeezed ones).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CandidateRoom {
    /// The row's width.
    pub width: f32,
    /// The candidates' font size: a hanzi is this wide.
    pub font: f32,
    /// Inside a slot, both sides together.
    pub padding: f32,
    /// The narrowest slot (one touch target).
    pub min_slot: f32,
    /// Between slots.
    pub spacing: f32,
}

impl CandidateRoom {
    /// No limit but [`MAX_CANDIDATES`] a page.
    pub const UNLIMITED: CandidateRoom = CandidateRoom {
        width: f32::INFINITY,
        font: 0.0,
        padding: 0.0,
        min_slot: 0.0,
        spacing: 0.0,
    };

    /// The width a slot showing `text` takes, its spacing included.
    pub fn slot(&self, text: &str) -> f32 {
        let ems: f32 = text
            .chars()
            .map(|c| if c.is_ascii() { 0.6 } else { 1.0 })
            .sum();
        (ems * self.font + self.padding).max(self.min_slot) + self.spacing
    }
}

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
                KeyboardMode::Handwriting,
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
    room: CandidateRoom,
    /// 手写: what is written on the pad for the next character.
    ink: handwriting::Ink,
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
            room: CandidateRoom::UNLIMITED,
            ink: handwriting::Ink::default(),
        }
    }

    /// Sets the room the candidates have; the first page shows again when
    /// it changed.
    pub fn set_room(&mut self, room: CandidateRoom) {
        if room != self.room {
            self.room = room;
            self.page = 0;
        }
    }

    /// The candidates' pages: each at most [`MAX_CANDIDATES`] and as many
    /// as fit the room whole, with room kept for the slot that turns the
    /// page; at least one a page.
    fn pages(&self) -> Vec<std::ops::Range<usize>> {
        let n = self.candidates.len();
        let room = self.room;
        let all: f32 = self.candidates.iter().map(|c| room.slot(c)).sum();
        if n <= MAX_CANDIDATES && all <= room.width {
            return std::iter::once(0..n).collect();
        }
        let turn = room.slot(MORE).max(room.slot(FIRST_PAGE));
        let mut pages = Vec::new();
        let mut start = 0;
        while start < n {
            let mut end = start;
            let mut used = turn;
            while end < n && end - start < MAX_CANDIDATES {
                let cost = room.slot(&self.candidates[end]);
                if end > start && used + cost > room.width {
                    break;
                }
                used += cost;
                end += 1;
            }
            pages.push(start..end);
            start = end;
        }
        pages
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
    /// [`FIRST_PAGE`] when there are several.
    pub fn shown_candidates(&self) -> Vec<String> {
        let pages = self.pages();
        let Some(range) = pages.get(self.page).or(pages.first()) else {
            return Vec::new();
        };
        let mut shown = self.candidates[range.clone()].to_vec();
        if pages.len() > 1 {
            shown.push(
                if self.page + 1 < pages.len() {
                    MORE
                } else {
                    FIRST_PAGE
                }
                .into(),
            );
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
        // 手写: a half-written character goes first, as pinyin does.
        if !self.ink.is_empty() {
            self.rewrite();
            return;
        }
        if self.composing.pop().is_none() {
            self.text.pop();
        }
        self.refresh(dict);
    }

    /// 手写: what the pad holds.
    pub fn ink(&self) -> &handwriting::Ink {
        &self.ink
    }

    /// 手写: a finger touches the pad (of `width`×`height`) at `p`.
    pub fn pen_down(&mut self, p: handwriting::Point, width: f32, height: f32) {
        if self.mode == KeyboardMode::Handwriting {
            self.ink.pen_down(p, width, height);
        }
    }

    /// 手写: the finger moves on the pad.
    pub fn pen_move(&mut self, p: handwriting::Point) {
        if self.mode == KeyboardMode::Handwriting {
            self.ink.pen_move(p);
        }
    }

    /// 手写: the guesses for what the pad holds become the candidates,
    /// best first (after each stroke).
    pub fn set_guesses(&mut self, guesses: Vec<String>) {
        if self.mode == KeyboardMode::Handwriting {
            self.candidates = guesses;
            self.page = 0;
        }
    }

    /// 重写: the pad wiped, its candidates gone.
    pub fn rewrite(&mut self) {
        self.ink.clear();
        if self.mode == KeyboardMode::Handwriting {
            self.candidates.clear();
            self.page = 0;
        }
    }

    /// The whole text replaced by `word` (a hot word tapped), nothing
    /// composing; refused (unchanged) when it is longer than the rules allow.
    pub fn replace(&mut self, word: &str) -> Edit {
        if word.chars().count() > self.rules.max_chars {
            return Edit::TooLong;
        }
        self.clear();
        self.text.push_str(word);
        Edit::Changed
    }

    /// 清空: everything.
    pub fn clear(&mut self) {
        self.text.clear();
        self.composing.clear();
        self.candidates.clear();
        self.ink.clear();
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
        self.ink.clear();
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
        let pages = self.pages();
        let page = self.page.min(pages.len().saturating_sub(1));
        let Some(range) = pages.get(page).cloned() else {
            return Edit::Unchanged;
        };
        if pages.len() > 1 && i == range.len() {
            self.page = (page + 1) % pages.len();
            return Edit::Changed;
        }
        if i >= range.len() {
            return Edit::Unchanged;
        }
        let word = self.candidates[range.start + i].clone();
        let fits = self.text.chars().count() + word.chars().count() <= self.rules.max_chars;
        if fits {
            self.text.push_str(&word);
        }
        self.composing.clear();
        self.candidates.clear();
        // 手写: the pad is ready for the next character.
        self.ink.clear();
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
        // 手写's candidates come from the recognizer, not from pinyin.
        if self.mode == KeyboardMode::Handwriting {
            return;
        }
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
    fn a_hot_word_replaces_the_text_and_what_was_composing() {
        let d = dict();
        let mut c = Composer::new(ComposerRules::search(), "低保");
        typed(&mut c, "yang", &d);
        assert_eq!(c.replace("养老金"), Edit::Changed);
        check(&c, "养老金", "", None);
        let long = "养".repeat(33);
        assert_eq!(c.replace(&long), Edit::TooLong);
        check(&c, "养老金", "", None);
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

    /// Pages every candidate in `room`: each page fits whole, every
    /// candidate shows exactly once, and the last page turns back.
    fn check_paged(c: &mut Composer, room: CandidateRoom, at_most: usize) {
        c.set_room(room);
        let all = c.candidates().to_vec();
        let mut seen = Vec::new();
        let mut pages = 0;
        loop {
            let shown = c.shown_candidates();
            let used: f32 = shown.iter().map(|s| room.slot(s)).sum();
            let words = shown
                .iter()
                .filter(|s| *s != MORE && *s != FIRST_PAGE)
                .count();
            assert!(
                words >= 1 && words <= at_most,
                "{words} on a page: {shown:?}"
            );
            assert!(
                used <= room.width || words == 1,
                "{used} > {}: {shown:?}",
                room.width
            );
            seen.extend(shown.iter().take(words).cloned());
            pages += 1;
            if shown.last().map(String::as_str) != Some(MORE) {
                break;
            }
            c.pick(words);
            assert!(pages < 100);
        }
        assert_eq!(seen, all, "every candidate once, in order");
        if pages > 1 {
            assert_eq!(c.shown_candidates().last().unwrap(), FIRST_PAGE);
            let words = c.shown_candidates().len() - 1;
            c.pick(words);
            assert_eq!(c.shown_candidates()[0], all[0]);
        }
    }

    #[test]
    fn candidates_page_by_the_room_they_have_and_keep_their_text() {
        let words = [
            "最低生活保障",
            "低保标准",
            "低保对象",
            "低保家庭",
            "低保资金",
            "低保名单",
            "低保",
            "低保审批",
            "低收入",
        ];
        let large = |width| CandidateRoom {
            width,
            font: 42.0,
            padding: 40.0,
            min_slot: 64.0,
            spacing: 6.0,
        };
        let normal = |width| CandidateRoom {
            width,
            font: 28.0,
            padding: 40.0,
            min_slot: 64.0,
            spacing: 6.0,
        };
        for (room, at_most) in [
            (CandidateRoom::UNLIMITED, MAX_CANDIDATES),
            (normal(1900.0), MAX_CANDIDATES),
            (normal(580.0), 3),
            (large(580.0), 2),
            (large(200.0), 1),
        ] {
            let mut c = Composer::new(ComposerRules::search(), "");
            c.composing = "di".into();
            c.candidates = words.iter().map(|w| w.to_string()).collect();
            check_paged(&mut c, room, at_most);
        }
        // A 4-hanzi candidate in large text: 4 × 42 + 40 + 6 = 214 px.
        assert_eq!(large(0.0).slot("低保标准"), 214.0);
        assert_eq!(normal(0.0).slot("a"), 70.0, "never under one touch target");
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
