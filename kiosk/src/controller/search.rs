//! 搜索: the query typed with the composer, results as you type with the
//! first match marked, and what to do when nothing is found.

use disclosure::ContentStore;
use disclosure::search::{SearchError, SearchResults, Searcher};
use slint::{ComponentHandle, ModelRc, VecModel};

use super::context::Context;
use super::models::{level_char, split_mark, status_name, strings};
use super::navigator::Target;
use crate::composer::{Composer, ComposerRules};
use crate::{KeyboardMode, MainWindow, ResultData, SearchAdapter};

/// Search hits shown at once.
const RESULT_LIMIT: usize = 50;

/// Words people in a hall come to ask about; the empty search page offers
/// those this terminal's content has, most found first.
pub const HOT_WORD_CANDIDATES: [&str; 14] = [
    "低保",
    "养老金",
    "医保",
    "补贴",
    "救助",
    "残疾",
    "高龄",
    "危房",
    "户口",
    "招生",
    "就业",
    "征地",
    "特困",
    "村务",
];

/// What the start-up thread hands over: the searcher and the hot words.
type LoadedSearch = (Searcher, Vec<String>);

/// Hot words offered at most.
const HOT_WORDS_SHOWN: usize = 8;

/// The hot words in the titles `scope` sees, in most titles first; words
/// in no title are left out. From the titles in memory (reading bodies
/// for 14 counts at start raised the kiosk's peak memory).
pub fn hot_words(searcher: &Searcher, scope: &disclosure::store::RegionScope) -> Vec<String> {
    let mut found = Vec::new();
    for (i, w) in HOT_WORD_CANDIDATES.iter().enumerate() {
        let total = searcher.titles_containing(scope, w);
        if total > 0 {
            found.push((total, i, w.to_string()));
        }
    }
    // Most found first; ties in the list's order.
    found.sort_by_key(|(total, i, _)| (std::cmp::Reverse(*total), *i));
    found
        .into_iter()
        .take(HOT_WORDS_SHOWN)
        .map(|(.., w)| w)
        .collect()
}

/// What is typed on the search page.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchInput {
    pub mode: KeyboardMode,
    pub committed: String,
    pub composing: String,
    pub candidates: Vec<String>,
}

pub struct SearchController {
    searcher: Searcher,
    /// The thread loading the titles at start (100k titles take longer
    /// than a first frame may), and finding the hot words; the first
    /// search waits for it.
    loading: Option<std::thread::JoinHandle<Result<LoadedSearch, SearchError>>>,
    /// Offered while nothing is typed (see [`hot_words`]).
    hot_words: Vec<String>,
    composer: Composer,
}

impl SearchController {
    pub fn new(ctx: &Context) -> anyhow::Result<SearchController> {
        let path = ctx.store.path().to_path_buf();
        let scope = ctx.scope.clone();
        let loading = std::thread::Builder::new()
            .name("search-titles".into())
            .spawn(move || {
                let searcher = Searcher::new(&ContentStore::open_read_only(&path)?)?;
                let words = hot_words(&searcher, &scope);
                crate::return_freed_memory();
                Ok((searcher, words))
            })?;
        Ok(SearchController {
            // Loads the titles itself on its first search if the thread
            // gives none.
            searcher: Searcher::default(),
            hot_words: Vec::new(),
            loading: Some(loading),
            composer: Composer::new(ComposerRules::search(), ""),
        })
    }

    /// The searcher, once the start-up thread has handed it over. Both
    /// read the same file: a searcher whose titles are older than the
    /// store reloads them on its next search.
    fn searcher(&mut self) -> &mut Searcher {
        if let Some(loading) = self.loading.take() {
            match loading.join() {
                Ok(Ok((s, words))) => {
                    self.searcher = s;
                    self.hot_words = words;
                }
                Ok(Err(e)) => tracing::warn!("search titles not loaded at start: {e}"),
                Err(_) => tracing::warn!("the thread loading the search titles panicked"),
            }
        }
        &mut self.searcher
    }

    pub fn input(&self) -> SearchInput {
        SearchInput {
            mode: self.composer.mode(),
            committed: self.composer.text().into(),
            composing: self.composer.composing().into(),
            candidates: self.composer.candidates().to_vec(),
        }
    }

    /// Whether anything is typed.
    pub fn has_input(&self) -> bool {
        !self.composer.is_empty()
    }

    /// A key of the keyboard.
    pub fn key(&mut self, ctx: &Context, k: &str) {
        ctx.with_vocabulary(|d| self.composer.key(k, d));
    }

    pub fn backspace(&mut self, ctx: &Context) {
        ctx.with_vocabulary(|d| self.composer.backspace(d));
    }

    pub fn clear(&mut self) {
        self.composer.clear();
    }

    pub fn set_mode(&mut self, ctx: &Context, mode: KeyboardMode) {
        ctx.with_vocabulary(|d| self.composer.set_mode(mode, d));
    }

    /// Candidate `i` into the query.
    /// The room the candidates have beside the box.
    pub fn set_room(&mut self, room: crate::composer::CandidateRoom) {
        self.composer.set_room(room);
    }

    pub fn pick(&mut self, i: usize) {
        self.composer.pick(i);
    }

    /// Nothing typed, the mode kept (the next person).
    pub fn reset(&mut self) {
        self.composer.clear();
    }

    /// New content: the index again, and the hot words it has.
    pub fn reload(&mut self, ctx: &Context) {
        let searcher = self.searcher();
        match searcher.refresh(&ctx.store) {
            Ok(false) => {}
            Ok(true) => self.hot_words = hot_words(searcher, &ctx.scope),
            Err(e) => tracing::warn!("search index reload failed: {e}"),
        }
    }

    /// Takes the searcher (and the hot words) once the start-up thread is
    /// done, without waiting for it. Returns whether they arrived now.
    pub fn poll(&mut self) -> bool {
        if self.loading.as_ref().is_some_and(|l| l.is_finished()) {
            self.searcher();
            return true;
        }
        false
    }

    /// Waits for the start-up thread (tests, screenshots).
    pub fn wait_until_loaded(&mut self) {
        self.searcher();
    }

    /// 手写 in the search box.
    pub fn pen(&mut self, ctx: &Context, pen: super::handwriting::Pen) {
        super::handwriting::apply_pen(ctx, &mut self.composer, pen);
    }

    /// The pad's strokes onto the page (a moving finger redraws only this).
    pub fn show_ink(&self, ui: &MainWindow) {
        let a = ui.global::<SearchAdapter>();
        let ink = self.composer.ink();
        a.set_ink(ink.path_commands().into());
        a.set_ink_width(ink.width);
        a.set_ink_height(ink.height);
    }

    /// A hot word tapped: it becomes the query.
    pub fn search_word(&mut self, word: &str) {
        self.composer.replace(word);
    }

    pub fn fill(&mut self, ctx: &Context, ui: &MainWindow) -> anyhow::Result<String> {
        let input = self.input();
        // Pinyin still being composed searches titles by pinyin.
        let query = if input.mode == KeyboardMode::Pinyin && input.committed.is_empty() {
            input.composing.clone()
        } else {
            input.committed.clone()
        };
        let results = if query.is_empty() {
            SearchResults::default()
        } else {
            self.searcher()
                .search(&ctx.store, &ctx.scope, &query, RESULT_LIMIT)?
        };
        let model = results
            .hits
            .iter()
            .map(|h| {
                let (tp, tm, tt) = split_mark(&h.title, &h.title_marks);
                let (sp, sm, sn) = split_mark(&h.snippet, &h.snippet_marks);
                Ok(ResultData {
                    key: Target::of_hit(h).encode().into(),
                    kind: h.kind.name().into(),
                    level: level_char(h.level),
                    status: status_name(ctx.store.effect_status(h.kind, &h.key)?),
                    title_pre: tp.into(),
                    title_mark: tm.into(),
                    title_post: tt.into(),
                    snippet_pre: sp.into(),
                    snippet_mark: sm.into(),
                    snippet_post: sn.into(),
                })
            })
            .collect::<anyhow::Result<Vec<ResultData>>>()?;
        let a = ui.global::<SearchAdapter>();
        a.set_mode(input.mode);
        a.set_modes(ModelRc::new(VecModel::from(
            ctx.offered_modes(self.composer.modes()),
        )));
        self.show_ink(ui);
        a.set_query(input.committed.as_str().into());
        a.set_composing(input.composing.as_str().into());
        a.set_candidates(strings(self.composer.shown_candidates()));
        // Offered on the empty page only (the searcher is there by now).
        let hot = if query.is_empty() && input.committed.is_empty() {
            self.hot_words.clone()
        } else {
            Vec::new()
        };
        a.set_hot_words(strings(hot));
        a.set_results(ModelRc::new(VecModel::from(model)));
        a.set_summary(summary(&input, &query, &results).into());
        Ok("搜索".into())
    }
}

/// The line above the results: how many, or what to do.
fn summary(input: &SearchInput, query: &str, results: &SearchResults) -> String {
    if !input.committed.is_empty() && !input.composing.is_empty() {
        if input.candidates.is_empty() {
            format!("“{}”没有对应的字词，请删除后重新输入", input.composing)
        } else {
            "请在上方候选中选字".to_string()
        }
    } else if query.is_empty() && input.mode == KeyboardMode::Handwriting {
        if input.candidates.is_empty() {
            "请在下方手写板上写一个字，写完点上方的字".to_string()
        } else {
            "请在上方候选中选字，写错了点“重写”".to_string()
        }
    } else if query.is_empty() {
        "请用下方键盘输入：全拼选字，或直接输入拼音首字母".to_string()
    } else if results.total == 0 {
        format!("没有找到“{query}”，换个词试试，或改用首字母")
    } else if results.total_capped {
        format!(
            "找到 {} 条以上，显示前 {} 条",
            results.total,
            results.hits.len()
        )
    } else if results.total > results.hits.len() {
        format!(
            "找到 {} 条，显示前 {} 条",
            results.total,
            results.hits.len()
        )
    } else {
        format!("找到 {} 条", results.total)
    }
}
