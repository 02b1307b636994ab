//! The controller: answers the UI's callbacks, fills each page's adapter
//! from `content.db`, keeps the navigation history, runs the idle reset and
//! the attract loop, and refreshes the open page when new content arrives.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use disclosure::search::{Hit, SearchResults, Searcher};
use disclosure::store::{RecordKind, RegionScope};
use disclosure::{
    ContentStore, Date, DocumentKey, Domain, ItemKey, Region, RegionLevel, StoreError,
};
use slint::{ComponentHandle, ModelRc, SharedString, VecModel};

mod apply_page;

pub use apply_page::{DoneState, FormState, OpenedApplication, PrintOrigin, ProgressState};

use crate::applications::{Desk, PrintJob, open_desk};
use crate::config::KioskConfig;
use crate::ime::CandidateDictionary;
use crate::qr::qr_image;
use crate::{
    AppState, AttractAdapter, ColumnData, DomainData, DomainsAdapter, FieldData, HomeAdapter,
    ItemAdapter, ItemsAdapter, ListAdapter, MainWindow, ReaderAdapter, ResultData, RowData,
    SearchAdapter, SlideData, Theme,
};

/// The page names [`App::show_named`] (and `kiosk --screenshot --page`)
/// takes.
pub const PAGE_NAMES: &[&str] = &[
    "home",
    "attract",
    "domains",
    "items",
    "item",
    "document",
    "interpretation",
    "guides",
    "notices",
    "interpretations",
    "village",
    "search",
    "apply",
    "apply-who",
    "apply-typing",
    "apply-review",
    "apply-done",
    "progress",
    "progress-details",
];

/// Search hits shown at once.
const RESULT_LIMIT: usize = 50;
/// Pages 返回 can go back through.
const MAX_HISTORY: usize = 20;
/// How often the attract loop turns a slide.
pub const SLIDE_SECS: u64 = 8;

/// What a row or result opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Item(ItemKey),
    Document(DocumentKey),
    Interpretation(DocumentKey),
    Guide(DocumentKey),
    Notice(DocumentKey),
}

impl Target {
    /// The string a UI row carries: `item:KEY`, `doc:KEY`…
    pub fn encode(&self) -> String {
        match self {
            Self::Item(k) => format!("item:{k}"),
            Self::Document(k) => format!("doc:{k}"),
            Self::Interpretation(k) => format!("interp:{k}"),
            Self::Guide(k) => format!("guide:{k}"),
            Self::Notice(k) => format!("notice:{k}"),
        }
    }

    pub fn decode(s: &str) -> Option<Target> {
        let (kind, key) = s.split_once(':')?;
        let doc = || DocumentKey(key.to_string());
        Some(match kind {
            "item" => Self::Item(ItemKey(key.to_string())),
            "doc" => Self::Document(doc()),
            "interp" => Self::Interpretation(doc()),
            "guide" => Self::Guide(doc()),
            "notice" => Self::Notice(doc()),
            _ => return None,
        })
    }

    fn of_hit(h: &Hit) -> Target {
        let doc = || DocumentKey(h.key.clone());
        match h.kind {
            RecordKind::Item => Self::Item(ItemKey(h.key.clone())),
            RecordKind::Document => Self::Document(doc()),
            RecordKind::Interpretation => Self::Interpretation(doc()),
            RecordKind::Guide => Self::Guide(doc()),
            RecordKind::Notice => Self::Notice(doc()),
        }
    }

    /// The part of the public address after the base (`item/KEY`).
    fn public_path(&self) -> String {
        match self {
            Self::Item(k) => format!("item/{k}"),
            Self::Document(k) => format!("doc/{k}"),
            Self::Interpretation(k) => format!("interp/{k}"),
            Self::Guide(k) => format!("guide/{k}"),
            Self::Notice(k) => format!("notice/{k}"),
        }
    }
}

/// The lists behind the home tiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    Interpretations,
    Guides,
    Notices,
    Village,
}

/// A page and what it shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Page {
    Home,
    Attract,
    Domains,
    /// A domain's items; `column` indexes the column list (0: all).
    Items {
        domain: Domain,
        column: usize,
    },
    Reader(Target),
    List(ListKind),
    Search,
    /// 依申请公开: the application wizard.
    Apply,
    /// 办理进度: lookup by receipt number.
    Progress,
}

/// What is typed on the search page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchInput {
    pub mode: String,
    pub committed: String,
    pub composing: String,
    pub candidates: Vec<String>,
}

struct State {
    config: KioskConfig,
    store: ContentStore,
    searcher: Searcher,
    scope: RegionScope,
    region: Region,
    region_line: String,
    page: Page,
    history: Vec<Page>,
    input: SearchInput,
    ime: Arc<Mutex<Option<CandidateDictionary>>>,
    last_activity: Instant,
    generation: u64,
    slides: Vec<SlideData>,
    slide: usize,
    last_slide: Instant,
    today: Date,
    desk: Desk,
    form: FormState,
    progress: ProgressState,
    print_job: Option<(PrintJob, PrintOrigin)>,
    scans: Option<std::sync::mpsc::Receiver<String>>,
    /// The hall's region and those above it, hall first.
    region_chain: Vec<Region>,
}

impl State {
    /// Who receives an application made here about `linked` (Art 27).
    fn receiving_body(
        &self,
        linked: Option<disclosure::requests::routing::LinkedRecord<'_>>,
    ) -> Option<disclosure::requests::ReceivingBody> {
        disclosure::requests::receiving_body(&self.region_chain, linked)
    }
}

/// The kiosk's controller. Cheap to clone: all clones share one state.
#[derive(Clone)]
pub struct App {
    ui: slint::Weak<MainWindow>,
    state: Rc<RefCell<State>>,
}

/// A label–value list for a page's model.
fn field_rows<L: Into<SharedString>, V: Into<SharedString>>(
    pairs: impl IntoIterator<Item = (L, V)>,
) -> ModelRc<FieldData> {
    ModelRc::new(VecModel::from(
        pairs
            .into_iter()
            .map(|(l, v)| FieldData {
                label: l.into(),
                value: v.into(),
            })
            .collect::<Vec<_>>(),
    ))
}

fn rows(v: Vec<RowData>) -> ModelRc<RowData> {
    ModelRc::new(VecModel::from(v))
}

fn level_char(l: RegionLevel) -> SharedString {
    l.short_name().into()
}

fn weekday(d: Date) -> &'static str {
    ["一", "二", "三", "四", "五", "六", "日"][usize::from(d.weekday_number() - 1) % 7]
}

/// Body text as paragraphs: Markdown headings and bullets made plain,
/// table rows as spaced cells, table rules dropped.
fn paragraphs(body: &str) -> Vec<SharedString> {
    body.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .filter(|l| !(l.starts_with('|') && l.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '))))
        .map(|l| {
            let l = l.trim_start_matches('#').trim_start();
            let l = if let Some(rest) = l.strip_prefix("- ") {
                format!("• {rest}")
            } else {
                l.to_string()
            };
            if l.starts_with('|') {
                l.trim_matches('|')
                    .split('|')
                    .map(str::trim)
                    .collect::<Vec<_>>()
                    .join("　")
                    .into()
            } else {
                l.into()
            }
        })
        .collect()
}

/// The word for an update line: a notice says which kind (征求意见, 政府开放日…).
fn kind_label(store: &ContentStore, u: &disclosure::store::UpdateEntry) -> String {
    if u.kind == RecordKind::Notice
        && let Ok(Some(n)) = store.notice(&DocumentKey(u.key.clone()))
    {
        return n.kind.name().to_string();
    }
    u.kind.name().to_string()
}

/// Splits `text` (chars) around the first mark.
fn split_mark(text: &str, marks: &[std::ops::Range<usize>]) -> (String, String, String) {
    let chars: Vec<char> = text.chars().collect();
    match marks.first() {
        Some(m) if m.end <= chars.len() => (
            chars[..m.start].iter().collect(),
            chars[m.clone()].iter().collect(),
            chars[m.end..].iter().collect(),
        ),
        _ => (text.to_string(), String::new(), String::new()),
    }
}

impl App {
    /// Wires `ui` to `store` for the hall in `config`.
    pub fn new(ui: &MainWindow, config: KioskConfig, store: ContentStore) -> anyhow::Result<App> {
        let scope = RegionScope::of(&config.region);
        let region = store.region(&config.region)?.ok_or_else(|| {
            anyhow::anyhow!(
                "内容库中没有本厅所在地区 {}（hall.region）：请检查配置或等待同步完成",
                config.region
            )
        })?;
        let mut names = Vec::new();
        for code in scope.codes().iter().rev() {
            if let Some(r) = store.region(code)? {
                names.push(r.name);
            }
        }
        let region_line = format!("{} · {}", region.level.level_name(), names.join(" "));
        let searcher = Searcher::new(&store)?;
        let generation = store.content_generation()?;
        let desk = open_desk(&config, store.path())?;
        let mut region_chain = Vec::new();
        for code in config.region.with_ancestors() {
            if let Some(r) = store.region(&code)? {
                region_chain.push(r);
            }
        }
        let scans = config.scanner.clone().map(|device| {
            let (tx, rx) = std::sync::mpsc::channel();
            crate::scanner::spawn(device, tx);
            rx
        });
        let state = State {
            scope,
            region,
            region_line,
            searcher,
            generation,
            page: Page::Home,
            history: Vec::new(),
            input: SearchInput {
                mode: "pinyin".into(),
                ..SearchInput::default()
            },
            ime: Arc::new(Mutex::new(None)),
            last_activity: Instant::now(),
            slides: Vec::new(),
            slide: 0,
            last_slide: Instant::now(),
            today: Date::today_in_china(),
            desk,
            form: FormState::default(),
            progress: ProgressState::default(),
            print_job: None,
            scans,
            region_chain,
            config,
            store,
        };
        let app = App {
            ui: ui.as_weak(),
            state: Rc::new(RefCell::new(state)),
        };
        {
            let st = app.state.borrow();
            ui.global::<Theme>().set_large_text(st.config.large_text);
            ui.global::<Theme>()
                .set_high_contrast(st.config.high_contrast);
        }
        app.build_dictionary();
        app.wire(ui);
        app.show(Page::Home);
        Ok(app)
    }

    /// The page shown now.
    pub fn page(&self) -> Page {
        self.state.borrow().page.clone()
    }

    pub fn search_input(&self) -> SearchInput {
        self.state.borrow().input.clone()
    }

    /// Builds the candidate vocabulary from the store's titles, on a
    /// thread: a large catalog must not delay the first frame.
    fn build_dictionary(&self) {
        let st = self.state.borrow();
        let slot = st.ime.clone();
        *slot.lock().unwrap_or_else(|e| e.into_inner()) = None;
        let path = st.store.path().to_path_buf();
        std::thread::spawn(move || {
            let texts = (|| -> Result<Vec<String>, StoreError> {
                let store = ContentStore::open_read_only(&path)?;
                store.titles()
            })();
            match texts {
                Ok(t) => {
                    let d = CandidateDictionary::from_texts(t.iter().map(String::as_str));
                    crate::ime::prepare_syllable_table();
                    tracing::info!(words = d.len(), "pinyin candidates ready");
                    *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(d);
                }
                Err(e) => tracing::warn!("pinyin candidates unavailable: {e}"),
            }
        });
    }

    /// Waits until the candidate vocabulary is built (tests, screenshots).
    pub fn wait_for_dictionary(&self, limit: Duration) -> bool {
        let slot = self.state.borrow().ime.clone();
        let start = Instant::now();
        while start.elapsed() < limit {
            if slot.lock().unwrap_or_else(|e| e.into_inner()).is_some() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        false
    }

    fn wire(&self, ui: &MainWindow) {
        let a = self.clone();
        ui.global::<AppState>().on_back(move || {
            a.touched();
            a.back();
        });
        let a = self.clone();
        ui.global::<AppState>().on_home(move || {
            a.touched();
            a.go_home();
        });
        let a = self.clone();
        ui.global::<AppState>().on_activity(move || a.touched());
        let a = self.clone();
        ui.global::<AppState>().on_toggle_large_text(move || {
            a.touched();
            if let Some(ui) = a.ui.upgrade() {
                let t = ui.global::<Theme>();
                t.set_large_text(!t.get_large_text());
            }
        });
        let a = self.clone();
        ui.global::<AppState>().on_toggle_high_contrast(move || {
            a.touched();
            if let Some(ui) = a.ui.upgrade() {
                let t = ui.global::<Theme>();
                t.set_high_contrast(!t.get_high_contrast());
            }
        });
        let a = self.clone();
        ui.global::<HomeAdapter>().on_open(move |id| {
            a.touched();
            let page = match id.as_str() {
                "catalog" => Page::Domains,
                "search" => Page::Search,
                "interpretations" => Page::List(ListKind::Interpretations),
                "guides" => Page::List(ListKind::Guides),
                "notices" => Page::List(ListKind::Notices),
                "village" => Page::List(ListKind::Village),
                "apply" => {
                    a.open_apply(None);
                    return;
                }
                "progress" => {
                    a.state.borrow_mut().progress = ProgressState::default();
                    Page::Progress
                }
                _ => return,
            };
            a.navigate(page);
        });
        let a = self.clone();
        ui.global::<HomeAdapter>().on_open_latest(move |key| {
            a.touched();
            a.open_encoded(&key);
        });
        let a = self.clone();
        ui.global::<AttractAdapter>().on_wake(move || {
            a.touched();
            a.show(Page::Home);
        });
        let a = self.clone();
        ui.global::<DomainsAdapter>().on_open(move |code| {
            a.touched();
            if let Some(domain) = u8::try_from(code).ok().and_then(Domain::from_code) {
                a.navigate(Page::Items { domain, column: 0 });
            }
        });
        let a = self.clone();
        ui.global::<ItemsAdapter>().on_select_column(move |i| {
            a.touched();
            let page = a.page();
            if let Page::Items { domain, .. } = page {
                a.show(Page::Items {
                    domain,
                    column: usize::try_from(i).unwrap_or(0),
                });
            }
        });
        let a = self.clone();
        ui.global::<ItemsAdapter>().on_open(move |key| {
            a.touched();
            a.open_encoded(&key);
        });
        let a = self.clone();
        ui.global::<ReaderAdapter>().on_open_link(move |key| {
            a.touched();
            a.open_encoded(&key);
        });
        let a = self.clone();
        ui.global::<ListAdapter>().on_open(move |key| {
            a.touched();
            a.open_encoded(&key);
        });
        let a = self.clone();
        ui.global::<SearchAdapter>().on_key(move |k| {
            a.touched();
            a.type_key(&k);
        });
        let a = self.clone();
        ui.global::<SearchAdapter>().on_backspace(move || {
            a.touched();
            a.backspace();
        });
        let a = self.clone();
        ui.global::<SearchAdapter>().on_clear(move || {
            a.touched();
            a.clear_search();
        });
        let a = self.clone();
        ui.global::<SearchAdapter>().on_set_mode(move |m| {
            a.touched();
            a.set_mode(&m);
        });
        let a = self.clone();
        ui.global::<SearchAdapter>().on_pick(move |i| {
            a.touched();
            a.pick(usize::try_from(i).unwrap_or(usize::MAX));
        });
        let a = self.clone();
        ui.global::<SearchAdapter>().on_open(move |key| {
            a.touched();
            a.open_encoded(&key);
        });
        let a = self.clone();
        ui.global::<AppState>().on_apply_here(move || {
            a.touched();
            let target = match a.page() {
                Page::Reader(t @ (Target::Item(_) | Target::Document(_))) => Some(t),
                _ => None,
            };
            a.open_apply(target);
        });
        self.wire_apply(ui);
    }

    /// A touch: the idle clock starts again.
    pub fn touched(&self) {
        self.state.borrow_mut().last_activity = Instant::now();
    }

    fn open_encoded(&self, key: &str) {
        if let Some(t) = Target::decode(key) {
            self.navigate(Page::Reader(t));
        }
    }

    /// Opens `page`, remembering the current one for 返回.
    pub fn navigate(&self, page: Page) {
        {
            let mut st = self.state.borrow_mut();
            let current = st.page.clone();
            if let Some(pos) = st.history.iter().position(|p| *p == page) {
                // Going back to a page already in the history: return to it
                // rather than piling up a loop (文件 → 解读 → 文件 → …).
                st.history.truncate(pos);
            } else if current != page && current != Page::Attract {
                st.history.push(current);
                if st.history.len() > MAX_HISTORY {
                    st.history.remove(0);
                }
            }
        }
        self.show(page);
    }

    pub fn back(&self) {
        let prev = self.state.borrow_mut().history.pop();
        self.show(prev.unwrap_or(Page::Home));
    }

    /// Home, with the history and any typed search cleared.
    pub fn go_home(&self) {
        {
            let mut st = self.state.borrow_mut();
            st.history.clear();
            let mode = st.input.mode.clone();
            st.input = SearchInput {
                mode,
                ..SearchInput::default()
            };
            st.progress = ProgressState::default();
        }
        self.show(Page::Home);
    }

    /// Opens a page by the names `--screenshot --page` takes.
    pub fn show_named(&self, name: &str) -> anyhow::Result<()> {
        let st = self.state.borrow();
        let scope = st.scope.clone();
        let page = match name {
            "home" => Page::Home,
            "attract" => Page::Attract,
            "domains" => Page::Domains,
            "items" | "item" => {
                let domain = Domain::from_name("社会救助").expect("a domain");
                if name == "items" {
                    Page::Items { domain, column: 0 }
                } else {
                    let items = st.store.items_in(&scope, domain, &[])?;
                    let first = items
                        .first()
                        .ok_or_else(|| anyhow::anyhow!("没有公开事项"))?;
                    Page::Reader(Target::Item(first.key.clone()))
                }
            }
            "document" | "interpretation" => {
                // A document with interpretations, amended if there is one.
                let docs = st.store.documents(&scope, None)?;
                let mut pick = None;
                for d in &docs {
                    let v = st.store.document(&d.key)?;
                    if let Some(v) = v
                        && !v.interpretations.is_empty()
                    {
                        pick = Some(v);
                        break;
                    }
                }
                let v = pick.ok_or_else(|| anyhow::anyhow!("没有带解读的文件"))?;
                if name == "document" {
                    Page::Reader(Target::Document(v.document.key))
                } else {
                    Page::Reader(Target::Interpretation(v.interpretations[0].key.clone()))
                }
            }
            "guides" => Page::List(ListKind::Guides),
            "notices" => Page::List(ListKind::Notices),
            "interpretations" => Page::List(ListKind::Interpretations),
            "village" => Page::List(ListKind::Village),
            "search" => Page::Search,
            "apply" | "apply-who" | "apply-typing" | "apply-review" | "apply-done" | "progress"
            | "progress-details" => {
                let domain = Domain::from_name("社会救助").expect("a domain");
                let item = st
                    .store
                    .items_in(&scope, domain, &[])?
                    .first()
                    .map(|i| i.key.clone());
                drop(st);
                self.open_apply(item.map(Target::Item));
                if name == "apply" {
                    return Ok(());
                }
                self.fill_sample_form();
                match name {
                    "apply-who" => self.set_step(apply_page::STEP_WHO),
                    "apply-typing" => {
                        self.set_step(apply_page::STEP_WHO);
                        self.state.borrow_mut().form.form.name.clear();
                        self.edit("name");
                        self.wait_for_dictionary(Duration::from_secs(10));
                        for k in ["w", "a", "n", "g"] {
                            self.form_key(k);
                        }
                    }
                    "apply-review" => {
                        self.set_step(apply_page::STEP_REVIEW);
                        self.state.borrow_mut().form.consent = true;
                        self.show(Page::Apply);
                    }
                    _ => {
                        self.set_step(apply_page::STEP_REVIEW);
                        self.state.borrow_mut().form.consent = true;
                        self.confirm();
                        self.wait_for_print(Duration::from_secs(10));
                        if let Some(d) = self.form_state().done.filter(|_| name != "apply-done") {
                            self.lookup(&d.receipt.digits());
                            if name == "progress-details" {
                                self.state.borrow_mut().progress.pin_typed = d.pin;
                                self.enter_pin();
                            }
                        }
                    }
                }
                return Ok(());
            }
            other => anyhow::bail!("未知页面“{other}”，可用：{}", PAGE_NAMES.join(", ")),
        };
        drop(st);
        self.navigate(page);
        Ok(())
    }

    /// Shows `page` with fresh content.
    pub fn show(&self, page: Page) {
        let Some(ui) = self.ui.upgrade() else {
            return;
        };
        let leaving_form = self.page() == Page::Apply && page != Page::Apply;
        if leaving_form {
            // Nothing typed into a form outlives the wizard.
            self.wipe_form();
        }
        if let Err(e) = self.fill(&ui, &page) {
            tracing::error!("page {page:?} could not be filled: {e}");
        }
        self.state.borrow_mut().page = page;
    }

    fn fill(&self, ui: &MainWindow, page: &Page) -> anyhow::Result<()> {
        let app = ui.global::<AppState>();
        match page {
            Page::Home => {
                self.fill_home(ui)?;
                app.set_title("政务公开".into());
                app.set_page("home".into());
            }
            Page::Attract => {
                self.fill_attract(ui)?;
                app.set_page("attract".into());
            }
            Page::Domains => {
                let st = self.state.borrow();
                let counts = st.store.domain_counts(&st.scope)?;
                let model: Vec<DomainData> = counts
                    .iter()
                    .map(|d| DomainData {
                        code: i32::from(d.domain.code()),
                        name: d.domain.name().into(),
                        count: d.items as i32,
                    })
                    .collect();
                ui.global::<DomainsAdapter>()
                    .set_domains(ModelRc::new(VecModel::from(model)));
                app.set_title("信息查询 · 选择领域".into());
                app.set_page("domains".into());
            }
            Page::Items { domain, column } => {
                let st = self.state.borrow();
                let tree = st.store.column_tree(&st.scope, *domain)?;
                let total: usize = tree.iter().map(|n| n.item_count).sum();
                let mut cols = vec![ColumnData {
                    name: "全部".into(),
                    count: total as i32,
                }];
                cols.extend(tree.iter().map(|n| ColumnData {
                    name: n.name.as_str().into(),
                    count: n.item_count as i32,
                }));
                let column = if *column < cols.len() { *column } else { 0 };
                let path: Vec<String> = if column == 0 {
                    Vec::new()
                } else {
                    vec![tree[column - 1].name.clone()]
                };
                let items = st.store.items_in(&st.scope, *domain, &path)?;
                let rows_v: Vec<RowData> = items
                    .iter()
                    .map(|i| RowData {
                        key: Target::Item(i.key.clone()).encode().into(),
                        title: i.name.as_str().into(),
                        subtitle: format!("{} · 更新于 {}", i.region_name, i.updated.chinese())
                            .into(),
                        level: level_char(i.region_level),
                    })
                    .collect();
                let a = ui.global::<ItemsAdapter>();
                a.set_domain_name(domain.name().into());
                a.set_columns(ModelRc::new(VecModel::from(cols)));
                a.set_selected_column(column as i32);
                a.set_items(rows(rows_v));
                app.set_title(format!("{} · 公开事项", domain.name()).into());
                app.set_page("items".into());
            }
            Page::Reader(target) => {
                self.fill_reader(ui, target)?;
                app.set_page(
                    if matches!(target, Target::Item(_)) {
                        "item"
                    } else {
                        "reader"
                    }
                    .into(),
                );
            }
            Page::List(kind) => {
                let (title, rows_v, empty) = self.list_rows(*kind)?;
                let a = ui.global::<ListAdapter>();
                a.set_rows(rows(rows_v));
                a.set_empty_text(empty.into());
                app.set_title(title.into());
                app.set_page("list".into());
            }
            Page::Search => {
                self.fill_search(ui)?;
                app.set_title("搜索".into());
                app.set_page("search".into());
            }
            Page::Apply => {
                self.fill_apply(ui);
                app.set_title("申请政府信息公开".into());
                app.set_page("apply".into());
            }
            Page::Progress => {
                self.fill_progress(ui)?;
                app.set_title("办理进度".into());
                app.set_page("progress".into());
            }
        }
        Ok(())
    }

    fn fill_home(&self, ui: &MainWindow) -> anyhow::Result<()> {
        let mut st = self.state.borrow_mut();
        st.today = Date::today_in_china();
        let h = ui.global::<HomeAdapter>();
        h.set_hall_name(st.config.hall_name.as_str().into());
        h.set_region_line(st.region_line.as_str().into());
        h.set_date_line(format!("{} 星期{}", st.today.chinese(), weekday(st.today)).into());
        h.set_is_village(st.region.level == RegionLevel::Village);
        let latest = st.store.latest_updates(&st.scope, 4)?;
        let rows_v = latest
            .iter()
            .map(|u| RowData {
                key: match u.kind {
                    RecordKind::Notice => Target::Notice(DocumentKey(u.key.clone())),
                    RecordKind::Interpretation => {
                        Target::Interpretation(DocumentKey(u.key.clone()))
                    }
                    _ => Target::Document(DocumentKey(u.key.clone())),
                }
                .encode()
                .into(),
                title: u.title.as_str().into(),
                subtitle: format!("{} · {}", kind_label(&st.store, u), u.date.chinese()).into(),
                level: SharedString::new(),
            })
            .collect();
        h.set_latest(rows(rows_v));
        Ok(())
    }

    fn fill_attract(&self, ui: &MainWindow) -> anyhow::Result<()> {
        let mut st = self.state.borrow_mut();
        if st.slides.is_empty() {
            let today = st.today;
            let mut slides: Vec<SlideData> = st
                .store
                .notices_in_force(&st.scope, today)?
                .into_iter()
                .take(5)
                .map(|n| SlideData {
                    kind: n.kind.name().into(),
                    title: n.title.as_str().into(),
                    date: match n.closes {
                        Some(c) => {
                            format!("发布：{}　意见截止：{}", n.published.chinese(), c.chinese())
                        }
                        None => format!("发布：{}", n.published.chinese()),
                    }
                    .into(),
                    body: n.body.chars().take(160).collect::<String>().into(),
                })
                .collect();
            for i in st.store.interpretations(&st.scope, 5)? {
                slides.push(SlideData {
                    kind: "政策解读".into(),
                    title: i.title.as_str().into(),
                    date: format!("发布：{}", i.published.chinese()).into(),
                    body: i.body.chars().take(160).collect::<String>().into(),
                });
            }
            if slides.is_empty() {
                slides.push(SlideData {
                    kind: "政务公开".into(),
                    title: st.config.hall_name.as_str().into(),
                    date: SharedString::new(),
                    body: "查询政府信息、政策解读、办事指南".into(),
                });
            }
            st.slides = slides;
            st.slide = 0;
        }
        let pos = st.slide % st.slides.len();
        let a = ui.global::<AttractAdapter>();
        a.set_slide(st.slides[pos].clone());
        a.set_position(pos as i32);
        a.set_count(st.slides.len() as i32);
        Ok(())
    }

    fn list_rows(&self, kind: ListKind) -> anyhow::Result<(String, Vec<RowData>, String)> {
        let st = self.state.borrow();
        let scope = &st.scope;
        Ok(match kind {
            ListKind::Interpretations => (
                "政策解读".into(),
                st.store
                    .interpretations(scope, 500)?
                    .into_iter()
                    .map(|i| RowData {
                        key: Target::Interpretation(i.key).encode().into(),
                        title: i.title.into(),
                        subtitle: format!(
                            "{} · {} · {}",
                            i.form.name(),
                            i.issuer,
                            i.published.chinese()
                        )
                        .into(),
                        level: SharedString::new(),
                    })
                    .collect(),
                "暂无政策解读".into(),
            ),
            ListKind::Guides => (
                "办事指南".into(),
                st.store
                    .guides(scope)?
                    .into_iter()
                    .map(|g| RowData {
                        key: Target::Guide(g.key).encode().into(),
                        title: g.name.into(),
                        subtitle: format!("{} · {}", g.agency, g.domain.name()).into(),
                        level: level_char(g.region.level()),
                    })
                    .collect(),
                "暂无办事指南".into(),
            ),
            ListKind::Notices => (
                "公告 / 征求意见".into(),
                st.store
                    .notices_in_force(scope, st.today)?
                    .into_iter()
                    .map(|n| RowData {
                        key: Target::Notice(n.key).encode().into(),
                        title: n.title.into(),
                        subtitle: match n.closes {
                            Some(c) => format!("{} · 意见截止 {}", n.kind.name(), c.chinese()),
                            None => format!(
                                "{} · {} · {}",
                                n.kind.name(),
                                n.issuer,
                                n.published.chinese()
                            ),
                        }
                        .into(),
                        level: level_char(n.region.level()),
                    })
                    .collect(),
                "暂无公告".into(),
            ),
            ListKind::Village => {
                let own = RegionScope::of(&st.region.code);
                let mut v: Vec<RowData> = st
                    .store
                    .documents(&own, None)?
                    .into_iter()
                    .filter(|d| d.region_level == RegionLevel::Village)
                    .map(|d| RowData {
                        key: Target::Document(d.key).encode().into(),
                        title: d.title.into(),
                        subtitle: format!("公开文件 · {}", d.issued.chinese()).into(),
                        level: "村".into(),
                    })
                    .collect();
                for domain in Domain::all() {
                    for i in st.store.items_in(&own, domain, &[])? {
                        if i.region_level == RegionLevel::Village {
                            v.push(RowData {
                                key: Target::Item(i.key).encode().into(),
                                title: i.name.into(),
                                subtitle: format!("公开目录 · {}", domain.name()).into(),
                                level: "村".into(),
                            });
                        }
                    }
                }
                (
                    format!("{} · 村务公开", st.region.name),
                    v,
                    "本村暂无村务公开内容".into(),
                )
            }
        })
    }

    fn fill_reader(&self, ui: &MainWindow, target: &Target) -> anyhow::Result<()> {
        let st = self.state.borrow();
        let url = st.config.public_url_of(&target.public_path());
        let qr = qr_image(&url).unwrap_or_default();
        let app = ui.global::<AppState>();
        if let Target::Item(key) = target {
            let a = ui.global::<ItemAdapter>();
            a.set_qr(qr);
            a.set_qr_url(url.into());
            let Some(d) = st.store.item(key)? else {
                a.set_gone(true);
                a.set_name("此事项已撤下".into());
                a.set_level(SharedString::new());
                a.set_fields(ModelRc::new(VecModel::from(Vec::<FieldData>::new())));
                app.set_title("公开事项".into());
                return Ok(());
            };
            let i = &d.item;
            let none = || "未注明".to_string();
            let mut f = vec![
                ("公开内容", i.content.clone()),
                ("公开依据", i.basis.clone().unwrap_or_else(none)),
                ("公开时限", i.time_limit.clone()),
                ("公开主体", i.publisher.clone()),
                ("公开方式", i.mode.name().to_string()),
                ("公开渠道和载体", i.channel.clone().unwrap_or_else(none)),
                ("公开对象", i.audience.name().to_string()),
                ("公开层级", i.levels.name()),
                (
                    "所属栏目",
                    format!("{} › {}", i.domain.name(), i.columns.join(" › ")),
                ),
            ];
            if let Some(o) = &i.office {
                f.push(("责任处室", o.clone()));
            }
            if let Some(p) = &i.contact_phone {
                f.push(("联系电话", p.clone()));
            }
            f.push(("更新日期", i.updated.chinese()));
            f.push(("发布地区", d.region.name.clone()));
            a.set_gone(false);
            a.set_name(i.name.as_str().into());
            a.set_level(level_char(d.region.level));
            a.set_region_name(d.region.name.as_str().into());
            a.set_fields(field_rows(f));
            app.set_title(format!("{} · 公开事项", i.domain.name()).into());
            return Ok(());
        }
        let r = ui.global::<ReaderAdapter>();
        r.set_qr(qr);
        if st.page != Page::Reader(target.clone()) {
            r.set_zoom(1.0); // a content refresh keeps the reader's zoom
        }
        let set = |kind: &str,
                   title: &str,
                   meta: Vec<String>,
                   status: &str,
                   body: &str,
                   links: Vec<RowData>| {
            r.set_gone(false);
            r.set_kind(kind.into());
            r.set_title(title.into());
            r.set_meta(ModelRc::new(VecModel::from(
                meta.into_iter().map(SharedString::from).collect::<Vec<_>>(),
            )));
            r.set_status(status.into());
            r.set_paragraphs(ModelRc::new(VecModel::from(paragraphs(body))));
            r.set_links(rows(links));
            app.set_title(kind.into());
        };
        let gone = |kind: &str| {
            r.set_gone(true);
            r.set_title("此内容已撤下".into());
            r.set_meta(ModelRc::new(VecModel::from(Vec::<SharedString>::new())));
            r.set_status(SharedString::new());
            r.set_kind(kind.into());
            r.set_paragraphs(ModelRc::new(VecModel::from(Vec::<SharedString>::new())));
            r.set_links(rows(Vec::new()));
            app.set_title(kind.into());
        };
        match target {
            Target::Document(key) => match st.store.document(key)? {
                None => gone("文件"),
                Some(v) => {
                    let d = &v.document;
                    let mut meta = vec![match &d.doc_no {
                        Some(n) => format!("{n}　{}　{}", d.issuer, d.issued.chinese()),
                        None => format!("{}　{}", d.issuer, d.issued.chinese()),
                    }];
                    let valid = match (d.effective_from, d.effective_until) {
                        (Some(a), Some(b)) => {
                            Some(format!("有效期：{} 至 {}", a.chinese(), b.chinese()))
                        }
                        (Some(a), None) => Some(format!("自 {} 起施行", a.chinese())),
                        _ => None,
                    };
                    meta.extend(valid);
                    if !d.attachments.is_empty() {
                        meta.push(format!(
                            "附件：{}（扫码下载）",
                            d.attachments
                                .iter()
                                .map(|a| a.file_name.as_str())
                                .collect::<Vec<_>>()
                                .join("、")
                        ));
                    }
                    let links = v
                        .interpretations
                        .iter()
                        .map(|i| RowData {
                            key: Target::Interpretation(i.key.clone()).encode().into(),
                            title: format!("政策解读（{}）", i.form.name()).into(),
                            subtitle: SharedString::new(),
                            level: SharedString::new(),
                        })
                        .collect();
                    set("文件", &d.title, meta, d.status.name(), &d.body, links);
                }
            },
            Target::Interpretation(key) => match st.store.interpretation(key)? {
                None => gone("政策解读"),
                Some(i) => {
                    let doc_title = st
                        .store
                        .document(&i.document)?
                        .map(|v| v.document.title)
                        .unwrap_or_default();
                    let links = vec![RowData {
                        key: Target::Document(i.document.clone()).encode().into(),
                        title: "查看原文".into(),
                        subtitle: doc_title.as_str().into(),
                        level: SharedString::new(),
                    }];
                    let meta = vec![
                        format!("{}　{}　{}", i.form.name(), i.issuer, i.published.chinese()),
                        format!("解读：{doc_title}"),
                    ];
                    set("政策解读", &i.title, meta, "", &i.body, links);
                }
            },
            Target::Guide(key) => match st.store.guide(key)? {
                None => gone("办事指南"),
                Some(g) => {
                    let meta = vec![
                        format!("办理机构：{}", g.agency),
                        format!("办理地点：{}", g.place),
                        format!("办理时间：{}", g.hours),
                        format!("咨询电话：{}", g.phone),
                        format!("承诺时限：{}", g.time_limit),
                        format!("收费标准：{}", g.fee),
                    ];
                    set("办事指南", &g.name, meta, "", &g.body, Vec::new());
                }
            },
            Target::Notice(key) => match st.store.notice(key)? {
                None => gone("公告"),
                Some(n) => {
                    let mut meta = vec![format!("{}　{}", n.issuer, n.published.chinese())];
                    if let Some(c) = n.closes {
                        meta.push(format!("意见反馈截止：{}", c.chinese()));
                    }
                    set(n.kind.name(), &n.title, meta, "", &n.body, Vec::new());
                }
            },
            Target::Item(_) => unreachable!("handled above"),
        }
        Ok(())
    }

    fn fill_search(&self, ui: &MainWindow) -> anyhow::Result<()> {
        let mut st = self.state.borrow_mut();
        let input = st.input.clone();
        let query = if input.mode == "pinyin" && input.committed.is_empty() {
            input.composing.clone()
        } else {
            input.committed.clone()
        };
        let results = if query.is_empty() {
            SearchResults::default()
        } else {
            let State {
                searcher,
                store,
                scope,
                ..
            } = &mut *st;
            searcher.search(store, scope, &query, RESULT_LIMIT)?
        };
        let summary = if !input.committed.is_empty() && !input.composing.is_empty() {
            if input.candidates.is_empty() {
                format!("“{}”没有对应的字词，请删除后重新输入", input.composing)
            } else {
                "请在上方候选中选字".to_string()
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
        };
        let model: Vec<ResultData> = results
            .hits
            .iter()
            .map(|h| {
                let (tp, tm, tt) = split_mark(&h.title, &h.title_marks);
                let (sp, sm, sn) = split_mark(&h.snippet, &h.snippet_marks);
                ResultData {
                    key: Target::of_hit(h).encode().into(),
                    kind: h.kind.name().into(),
                    title_pre: tp.into(),
                    title_mark: tm.into(),
                    title_post: tt.into(),
                    snippet_pre: sp.into(),
                    snippet_mark: sm.into(),
                    snippet_post: sn.into(),
                }
            })
            .collect();
        let a = ui.global::<SearchAdapter>();
        a.set_mode(input.mode.as_str().into());
        a.set_query(input.committed.as_str().into());
        a.set_composing(input.composing.as_str().into());
        a.set_candidates(ModelRc::new(VecModel::from(
            input
                .candidates
                .iter()
                .map(|c| SharedString::from(c.as_str()))
                .collect::<Vec<_>>(),
        )));
        a.set_results(ModelRc::new(VecModel::from(model)));
        a.set_summary(summary.into());
        Ok(())
    }

    fn refresh_candidates(&self) {
        let mut st = self.state.borrow_mut();
        let slot = st.ime.clone();
        let dict = slot.lock().unwrap_or_else(|e| e.into_inner());
        st.input.candidates = match (&*dict, st.input.mode.as_str()) {
            (Some(d), "pinyin") => d.candidates(&st.input.composing),
            _ => Vec::new(),
        };
    }

    /// A key of the on-screen keyboard.
    pub fn type_key(&self, k: &str) {
        {
            let mut st = self.state.borrow_mut();
            if st.input.committed.chars().count() + st.input.composing.len() >= 32 {
                return; // long enough for any search
            }
            match st.input.mode.as_str() {
                "pinyin" if k.chars().all(|c| c.is_ascii_lowercase()) => {
                    st.input.composing.push_str(k)
                }
                _ => st.input.committed.push_str(k),
            }
        }
        self.refresh_candidates();
        self.show(Page::Search);
    }

    pub fn backspace(&self) {
        {
            let mut st = self.state.borrow_mut();
            if st.input.composing.pop().is_none() {
                st.input.committed.pop();
            }
        }
        self.refresh_candidates();
        self.show(Page::Search);
    }

    pub fn clear_search(&self) {
        {
            let mut st = self.state.borrow_mut();
            st.input.committed.clear();
            st.input.composing.clear();
            st.input.candidates.clear();
        }
        self.show(Page::Search);
    }

    pub fn set_mode(&self, mode: &str) {
        if !matches!(mode, "pinyin" | "initials" | "digits") {
            return;
        }
        {
            let mut st = self.state.borrow_mut();
            if st.input.mode == mode {
                return; // tapping the lit mode changes nothing
            }
            // Pinyin not yet turned into hanzi stays as letters (which still
            // find titles by pinyin); letters alone go back to composing when
            // returning to 全拼.
            let pending = std::mem::take(&mut st.input.composing);
            st.input.committed.push_str(&pending);
            if mode == "pinyin"
                && !st.input.committed.is_empty()
                && st.input.committed.chars().all(|c| c.is_ascii_lowercase())
            {
                st.input.composing = std::mem::take(&mut st.input.committed);
            }
            st.input.mode = mode.to_string();
        }
        self.refresh_candidates();
        self.show(Page::Search);
    }

    /// Takes candidate `i` into the query.
    pub fn pick(&self, i: usize) {
        {
            let mut st = self.state.borrow_mut();
            let Some(word) = st.input.candidates.get(i).cloned() else {
                return;
            };
            st.input.committed.push_str(&word);
            st.input.composing.clear();
            st.input.candidates.clear();
        }
        self.show(Page::Search);
    }

    /// The idle rules, at time `now`: back home with the search cleared
    /// after `reset_after_secs`, the attract loop after
    /// `attract_after_secs`, and its slides turning.
    pub fn tick(&self, now: Instant) {
        let (idle, reset, attract, page) = {
            let st = self.state.borrow();
            (
                now.saturating_duration_since(st.last_activity),
                Duration::from_secs(st.config.reset_after_secs),
                Duration::from_secs(st.config.attract_after_secs),
                st.page.clone(),
            )
        };
        if page == Page::Attract {
            let turn = {
                let st = self.state.borrow();
                now.saturating_duration_since(st.last_slide) >= Duration::from_secs(SLIDE_SECS)
            };
            if turn {
                {
                    let mut st = self.state.borrow_mut();
                    st.slide += 1;
                    st.last_slide = now;
                }
                self.show(Page::Attract);
            }
            return;
        }
        if page == Page::Apply && self.form_tick(idle) {
            return;
        }
        if idle >= attract {
            self.reset_for_next_person();
            {
                let mut st = self.state.borrow_mut();
                st.slides.clear();
                st.last_slide = now;
            }
            self.show(Page::Attract);
        } else if idle >= reset && (page != Page::Home || self.needs_reset()) {
            tracing::info!("idle for {}s: back home", idle.as_secs());
            self.reset_for_next_person();
        }
    }

    /// Whether anything of the last person is still set on the home page.
    fn needs_reset(&self) -> bool {
        let st = self.state.borrow();
        let theme_changed = self.ui.upgrade().is_some_and(|ui| {
            let t = ui.global::<Theme>();
            t.get_large_text() != st.config.large_text
                || t.get_high_contrast() != st.config.high_contrast
        });
        !st.input.committed.is_empty() || !st.input.composing.is_empty() || theme_changed
    }

    /// Home, search cleared, 大字/高对比 back to the configured defaults.
    fn reset_for_next_person(&self) {
        self.go_home();
        let (large, contrast) = {
            let st = self.state.borrow();
            (st.config.large_text, st.config.high_contrast)
        };
        if let Some(ui) = self.ui.upgrade() {
            ui.global::<Theme>().set_large_text(large);
            ui.global::<Theme>().set_high_contrast(contrast);
        }
    }

    /// Looks for new content in the store; refreshes the open page when
    /// there is. Returns whether content changed.
    pub fn check_content(&self) -> bool {
        let current = match self.state.borrow().store.content_generation() {
            Ok(g) => g,
            Err(e) => {
                tracing::warn!("content.db unreadable: {e}");
                return false;
            }
        };
        {
            let mut st = self.state.borrow_mut();
            if current == st.generation {
                return false;
            }
            st.generation = current;
            st.slides.clear();
            let State {
                searcher, store, ..
            } = &mut *st;
            if let Err(e) = searcher.refresh(store) {
                tracing::warn!("search index reload failed: {e}");
            }
        }
        tracing::info!(generation = current, "new content: page refreshed");
        self.build_dictionary();
        let page = self.page();
        self.show(page);
        true
    }

    /// Starts the timers of a running kiosk: idle every second, content
    /// every two seconds, print jobs and scans every 100 ms.
    pub fn start_timers(&self) -> (slint::Timer, slint::Timer, slint::Timer) {
        let idle = slint::Timer::default();
        let a = self.clone();
        idle.start(
            slint::TimerMode::Repeated,
            Duration::from_secs(1),
            move || a.tick(Instant::now()),
        );
        let content = slint::Timer::default();
        let a = self.clone();
        content.start(
            slint::TimerMode::Repeated,
            Duration::from_secs(2),
            move || {
                a.check_content();
            },
        );
        let jobs = slint::Timer::default();
        let a = self.clone();
        jobs.start(
            slint::TimerMode::Repeated,
            Duration::from_millis(100),
            move || a.poll(),
        );
        (idle, content, jobs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_round_trip() {
        for t in [
            Target::Item(ItemKey("990521-ab".into())),
            Target::Document(DocumentKey("990521-dibao-2025".into())),
            Target::Interpretation(DocumentKey("990521-dibao-2025.解读".into())),
            Target::Guide(DocumentKey("990521-x".into())),
            Target::Notice(DocumentKey("990521-y".into())),
        ] {
            assert_eq!(Target::decode(&t.encode()), Some(t));
        }
        assert_eq!(Target::decode("nope"), None);
        assert_eq!(Target::decode("x:y"), None);
    }

    #[test]
    fn paragraphs_from_light_markdown() {
        let p = paragraphs(
            "## 申请条件\n\n- 户籍在本县\n| 姓名 | 金额 |\n|---|---|\n| 王*华 | 120 |\n",
        );
        let p: Vec<&str> = p.iter().map(|s| s.as_str()).collect();
        assert_eq!(p, ["申请条件", "• 户籍在本县", "姓名　金额", "王*华　120"]);
    }

    #[test]
    fn marks_split_on_characters() {
        assert_eq!(
            split_mark("城乡低保标准", std::slice::from_ref(&(2..4))),
            ("城乡".into(), "低保".into(), "标准".into())
        );
        assert_eq!(
            split_mark("标题", &[]),
            ("标题".into(), "".into(), "".into())
        );
        assert_eq!(
            split_mark("标题", std::slice::from_ref(&(1..9))),
            ("标题".into(), "".into(), "".into())
        );
    }
}
