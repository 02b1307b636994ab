//! The kiosk's controllers. `App` routes: it owns one controller per page
//! (home and attract, catalog, reader, lists, search, the application
//! wizard, progress) over a shared read-mostly `Context` and a
//! `Navigator`, answers the UI's callbacks (`wiring.rs`), runs the idle
//! rules and refreshes the open page when new content arrives. No
//! controller reaches into another's state: what crosses pages goes
//! through `App`.

mod apply;
mod catalog;
mod context;
mod handwriting;
mod home;
mod idle;
mod lists;
mod models;
mod navigator;
mod printing;
mod progress;
mod read_aloud;
mod reader;
mod search;
mod spoken;
mod technician;
mod wiring;

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use disclosure::ContentStore;
use slint::ComponentHandle;

pub use apply::{CardOutcome, DoneState, FormState, Typing, WizardStep, privacy_notice};
pub use context::{Context, UNAVAILABLE};
pub use handwriting::Pen;
pub use idle::{FormIdle, IdleAction, IdleClock, RESET_WARNING_SECS, SLIDE_SECS, Whereabouts};
pub use navigator::{ListKind, MAX_HISTORY, Navigator, Page, Target};
pub use progress::{NO_PIN, OpenedApplication, ProgressState};
pub use read_aloud::{READING_FAILED, ReadingView};
pub use search::{HOT_WORD_CANDIDATES, SearchInput};
pub use spoken::{HOME_TILES, Passage, masked_for_speech, page_passages};
pub use technician::{TechnicianController, TechnicianStep};

use crate::config::KioskConfig;
use crate::service::ScreenHoursSetting;
use crate::{AppState, KeyboardMode, MainWindow, ReadingState, Theme};
use apply::ApplyController;
use home::HomeController;
use progress::ProgressController;
use read_aloud::ReadAloud;
use search::SearchController;

/// How much of the search bar's width its candidates may take (the box
/// keeps the rest).
const SEARCH_CANDIDATES_SHARE: f32 = 0.6;

/// The kiosk's controller. Cheap to clone: all clones share one state.
#[derive(Clone)]
pub struct App {
    inner: Rc<Inner>,
}

struct Inner {
    ui: slint::Weak<MainWindow>,
    ctx: Context,
    nav: RefCell<Navigator>,
    idle: RefCell<IdleClock>,
    /// The content generation shown.
    generation: Cell<u64>,
    home: RefCell<HomeController>,
    search: RefCell<SearchController>,
    apply: RefCell<ApplyController>,
    progress: RefCell<ProgressController>,
    scans: Option<Receiver<String>>,
    /// The ID card reader's thread, when one is configured.
    cards: Option<idcard::CardWatcher>,
    /// 朗读.
    reading: RefCell<ReadAloud>,
    /// 技术维护.
    technician: RefCell<TechnicianController>,
    /// The screen hours in force (`[screen]`, or set on 技术维护).
    screen_hours: ScreenHoursSetting,
    /// 重启终端程序 was asked for: the event loop ends, systemd starts
    /// the kiosk again.
    restart: Cell<bool>,
    /// The configured `content.db`, while the demo content stands in for
    /// it (a terminal not yet provisioned): once it exists the kiosk
    /// restarts on it.
    waiting_for_content: RefCell<Option<std::path::PathBuf>>,
}

impl App {
    /// Wires `ui` to `store` for the hall in `config`.
    pub fn new(ui: &MainWindow, config: KioskConfig, store: ContentStore) -> anyhow::Result<App> {
        let ctx = Context::new(config, store)?;
        let search = SearchController::new(&ctx)?;
        let generation = ctx.store.content_generation()?;
        let scans = ctx.config.scanner.clone().map(|device| {
            let (tx, rx) = std::sync::mpsc::channel();
            crate::scanner::spawn(device, tx);
            rx
        });
        let cards = ctx.config.id_reader.as_ref().and_then(|r| {
            let settings = idcard::ReaderSettings::new(&r.device, r.baud);
            idcard::CardWatcher::spawn(settings)
                .map_err(|e| tracing::error!("ID card reader thread not started: {e}"))
                .ok()
        });
        let reading = RefCell::new(ReadAloud::start(&ctx.config.speech));
        let screen_hours: ScreenHoursSetting = Rc::new(Cell::new(
            crate::maintenance::screen_hours(ctx.desk.borrow().requests(), ctx.config.screen.hours),
        ));
        ui.global::<Theme>().set_large_text(ctx.config.large_text);
        ui.global::<Theme>()
            .set_high_contrast(ctx.config.high_contrast);
        let app = App {
            inner: Rc::new(Inner {
                ui: ui.as_weak(),
                nav: RefCell::new(Navigator::default()),
                idle: RefCell::new(IdleClock::new(&ctx.config, Instant::now())),
                generation: Cell::new(generation),
                home: RefCell::default(),
                search: RefCell::new(search),
                apply: RefCell::default(),
                progress: RefCell::default(),
                scans,
                cards,
                reading,
                technician: RefCell::default(),
                screen_hours,
                restart: Cell::new(false),
                waiting_for_content: RefCell::new(None),
                ctx,
            }),
        };
        app.inner.ctx.build_vocabulary();
        wiring::wire(&app, ui);
        app.show(Page::Home);
        app.show_reading(app.inner.reading.borrow().view());
        Ok(app)
    }

    /// Replaces the speaker (tests and screenshots give one that plays
    /// into memory; `None`: no 朗读).
    pub fn set_speaker(&self, speaker: Option<speech::Speaker>) {
        let view = {
            let mut r = self.inner.reading.borrow_mut();
            r.stop();
            *r = ReadAloud::with_speaker(speaker);
            r.view()
        };
        self.show_reading(view);
    }

    /// 朗读: reads the page on the screen aloud from its first passage.
    pub fn read_aloud(&self) {
        self.read_aloud_from(0);
    }

    /// Reads the page aloud from passage `first` on.
    pub fn read_aloud_from(&self, first: usize) {
        let Some(ui) = self.inner.ui.upgrade() else {
            return;
        };
        let passages: Vec<Passage> = page_passages(&ui, &self.page())
            .into_iter()
            .skip(first)
            .collect();
        self.on_reading(|r| r.read(passages));
    }

    pub fn pause_reading(&self) {
        self.on_reading(ReadAloud::pause);
    }

    pub fn resume_reading(&self) {
        self.on_reading(ReadAloud::resume);
    }

    pub fn stop_reading(&self) {
        self.on_reading(ReadAloud::stop);
    }

    /// Runs `f` on 朗读's state, then shows what it says.
    fn on_reading(&self, f: impl FnOnce(&mut ReadAloud) -> ReadingView) {
        let view = f(&mut self.inner.reading.borrow_mut());
        self.show_reading(view);
    }

    /// What the current (or last stopped) read was given.
    pub fn reading_passages(&self) -> Vec<Passage> {
        self.inner.reading.borrow().passages().to_vec()
    }

    /// The passage sounding now.
    pub fn reading_now(&self) -> Option<Passage> {
        self.inner.reading.borrow().current().cloned()
    }

    /// Unmarks the passage read, runs `between`, marks it again: its
    /// block scrolls into view on a page laid out meanwhile (screenshots).
    pub fn remark_reading(&self, between: impl FnOnce()) {
        let view = self.inner.reading.borrow().view();
        self.show_reading(ReadingView {
            block: -1,
            row: -1,
            ..view.clone()
        });
        between();
        self.show_reading(view);
    }

    fn show_reading(&self, view: ReadingView) {
        let Some(ui) = self.inner.ui.upgrade() else {
            return;
        };
        let s = ui.global::<AppState>();
        s.set_reading(view.state);
        s.set_reading_block(view.block);
        s.set_reading_row(view.row);
        s.set_reading_error(view.error.unwrap_or_default().into());
    }

    /// Takes the speaker's news; a paragraph begun counts as a touch, so
    /// a long reading is not cut off by the idle reset.
    fn poll_reading(&self) {
        let view = self.inner.reading.borrow_mut().poll();
        if let Some(view) = view {
            if view.state == ReadingState::Reading {
                self.touched();
            }
            self.show_reading(view);
        }
    }

    fn ctx(&self) -> &Context {
        &self.inner.ctx
    }

    /// What every page reads: config, store, region, desk.
    pub fn context(&self) -> &Context {
        &self.inner.ctx
    }

    /// The window, while it exists.
    pub fn window(&self) -> Option<MainWindow> {
        self.inner.ui.upgrade()
    }

    /// The page shown now.
    pub fn page(&self) -> Page {
        self.inner.nav.borrow().page().clone()
    }

    pub fn search_input(&self) -> SearchInput {
        self.inner.search.borrow().input()
    }

    pub fn form_state(&self) -> FormState {
        self.inner.apply.borrow().state().clone()
    }

    pub fn progress_state(&self) -> ProgressState {
        self.inner.progress.borrow().state().clone()
    }

    /// Waits until search is ready, its hot words found (tests,
    /// screenshots); the search page shows them.
    pub fn wait_for_search(&self) {
        self.inner.search.borrow_mut().wait_until_loaded();
        if self.page() == Page::Search {
            self.refresh();
        }
    }

    /// Waits until the pinyin candidates are ready (tests, screenshots).
    pub fn wait_for_dictionary(&self, limit: Duration) -> bool {
        self.ctx().wait_for_vocabulary(limit)
    }

    /// A touch: the idle clock starts again.
    pub fn touched(&self) {
        self.inner.idle.borrow_mut().touched(Instant::now());
        self.going_home_countdown(0);
    }

    /// The countdown over the page before it goes home; 0 hides it.
    fn going_home_countdown(&self, secs_left: u64) {
        if let Some(ui) = self.inner.ui.upgrade() {
            let s = ui.global::<AppState>();
            let secs = i32::try_from(secs_left).unwrap_or(i32::MAX);
            if s.get_going_home_secs() != secs {
                s.set_going_home_secs(secs);
            }
        }
    }

    /// Opens `page`, remembering the current one for 返回.
    pub fn navigate(&self, page: Page) {
        let previous = self.page();
        self.inner.nav.borrow_mut().go(page.clone());
        self.render(&previous, &page);
    }

    pub fn back(&self) {
        let previous = self.page();
        let page = self.inner.nav.borrow_mut().back().clone();
        self.render(&previous, &page);
    }

    /// Home, with the history, any typed search and progress lookup cleared.
    pub fn go_home(&self) {
        let previous = self.page();
        self.inner.nav.borrow_mut().home();
        self.inner.search.borrow_mut().reset();
        self.inner.progress.borrow_mut().reset();
        // The 手写 model (25 MB mapped while open) leaves with the person.
        self.ctx().close_handwriting();
        if let Some(ui) = self.inner.ui.upgrade() {
            ui.global::<crate::SearchAdapter>().set_keyboard_shown(true);
        }
        self.render(&previous, &Page::Home);
    }

    /// Shows `page` with fresh content, in place of the current one.
    pub fn show(&self, page: Page) {
        let previous = self.page();
        self.inner.nav.borrow_mut().replace(page.clone());
        self.render(&previous, &page);
    }

    /// Shows the current page again with fresh data (new content, a print
    /// job ended) without stopping 朗读.
    fn refresh(&self) {
        let page = self.page();
        self.draw(&page, &page);
    }

    /// Fills `page` and puts it on the screen. A touch changed what is
    /// shown, so 朗读 stops.
    fn render(&self, previous: &Page, page: &Page) {
        if self.inner.reading.borrow().is_shown() {
            self.stop_reading();
        }
        self.draw(previous, page);
    }

    /// Fills `page` from the content and puts it on the screen; a page
    /// whose data cannot be read says so in plain words.
    fn draw(&self, previous: &Page, page: &Page) {
        let Some(ui) = self.inner.ui.upgrade() else {
            return;
        };
        if *previous == Page::Apply && *page != Page::Apply {
            // Nothing typed into a form outlives the wizard.
            self.inner.apply.borrow_mut().wipe();
        }
        if *previous == Page::Technician && *page != Page::Technician {
            // Leaving 技术维护 locks it again.
            self.inner.technician.borrow_mut().lock();
        }
        let state = ui.global::<AppState>();
        match self.fill(&ui, page, previous == page) {
            Ok(title) => {
                state.set_unavailable("".into());
                if !title.is_empty() {
                    state.set_title(title.into());
                }
            }
            Err(e) => {
                tracing::error!("page {page:?} could not be filled: {e:#}");
                state.set_unavailable(UNAVAILABLE.into());
                state.set_title("政务公开".into());
            }
        }
        state.set_page(page.id());
    }

    fn fill(&self, ui: &MainWindow, page: &Page, refresh: bool) -> anyhow::Result<String> {
        let ctx = self.ctx();
        let i = &self.inner;
        match page {
            Page::Search => i
                .search
                .borrow_mut()
                .set_room(models::candidate_room(ui, SEARCH_CANDIDATES_SHARE)),
            Page::Apply => i
                .apply
                .borrow_mut()
                .set_room(models::candidate_room(ui, 1.0)),
            _ => {}
        }
        match page {
            Page::Home => i.home.borrow_mut().fill_home(ctx, ui),
            Page::Attract => i.home.borrow_mut().fill_attract(ctx, ui),
            Page::Domains => catalog::fill_domains(ctx, ui),
            Page::Items { domain, column } => catalog::fill_items(ctx, ui, *domain, *column),
            Page::Reader(target) => reader::fill(ctx, ui, target, refresh),
            Page::List(kind) => lists::fill_list(ctx, ui, *kind),
            Page::Search => i.search.borrow_mut().fill(ctx, ui),
            Page::Apply => i.apply.borrow().fill(ctx, ui),
            Page::Progress => i.progress.borrow().fill(ctx, ui),
            Page::Technician => Ok(i.technician.borrow().fill(ctx, ui, &i.screen_hours)),
        }
    }

    /// Runs `f` on the search page's controller, then shows the page.
    fn on_search(&self, f: impl FnOnce(&mut SearchController, &Context)) {
        f(&mut self.inner.search.borrow_mut(), self.ctx());
        self.show(Page::Search);
    }

    /// 手写 in the search box: a moving finger only draws; a finished
    /// stroke brings the candidates.
    pub fn search_pen(&self, pen: Pen) {
        if !pen.only_draws() {
            return self.on_search(|s, ctx| s.pen(ctx, pen));
        }
        let mut s = self.inner.search.borrow_mut();
        s.pen(self.ctx(), pen);
        if let Some(ui) = self.inner.ui.upgrade() {
            s.show_ink(&ui);
        }
    }

    /// 手写 in the field being typed into, as [`App::search_pen`].
    pub fn form_pen(&self, pen: Pen) {
        if !pen.only_draws() {
            return self.on_apply(|a, ctx| a.pen(ctx, pen));
        }
        let mut a = self.inner.apply.borrow_mut();
        a.pen(self.ctx(), pen);
        if let Some(ui) = self.inner.ui.upgrade() {
            a.show_ink(&ui);
        }
    }

    /// Runs `f` on the wizard's controller, then shows the wizard.
    fn on_apply(&self, f: impl FnOnce(&mut ApplyController, &Context)) {
        f(&mut self.inner.apply.borrow_mut(), self.ctx());
        self.show(Page::Apply);
    }

    /// Runs `f` on the progress page's controller, then shows the page.
    fn on_progress(&self, f: impl FnOnce(&mut ProgressController, &Context)) {
        f(&mut self.inner.progress.borrow_mut(), self.ctx());
        self.show(Page::Progress);
    }

    /// A key of the search keyboard.
    pub fn type_key(&self, k: &str) {
        self.on_search(|s, ctx| s.key(ctx, k));
    }

    pub fn set_mode(&self, mode: KeyboardMode) {
        self.on_search(|s, ctx| s.set_mode(ctx, mode));
    }

    pub fn clear_search(&self) {
        self.on_search(|s, _| s.clear());
    }

    /// Opens the wizard, linked to `target` when the citizen was reading
    /// an item or a document.
    pub fn open_apply(&self, target: Option<Target>) {
        let opened = self
            .inner
            .apply
            .borrow_mut()
            .open(self.ctx(), target.as_ref());
        self.navigate(Page::Apply);
        if let Err(e) = opened {
            tracing::error!("the application form could not be opened: {e}");
            if let Some(ui) = self.inner.ui.upgrade() {
                ui.global::<AppState>().set_unavailable(UNAVAILABLE.into());
            }
        }
    }

    /// Changes the form directly (screenshots, demos), then shows it.
    pub fn edit_form(&self, f: impl FnOnce(&mut FormState)) {
        self.on_apply(|a, _| a.edit_state(f));
    }

    /// Starts typing into a field of the form, as a tap on it does.
    pub fn edit_field(&self, key: &str) {
        self.on_apply(|a, _| a.edit(key));
    }

    /// A key of the form's keyboard.
    pub fn form_key(&self, k: &str) {
        self.on_apply(|a, ctx| a.key(ctx, k));
    }

    /// 确认提交.
    pub fn confirm(&self) {
        self.on_apply(|a, ctx| a.confirm(ctx));
    }

    /// Looks up an application by the number typed or scanned.
    pub fn lookup(&self, text: &str) {
        self.inner.progress.borrow_mut().lookup(self.ctx(), text);
        self.navigate(Page::Progress);
    }

    /// The 查询密码 `pin` typed and 查看详情 tapped.
    pub fn enter_pin(&self, pin: &str) {
        self.on_progress(|p, ctx| {
            for d in pin.chars() {
                p.key(&d.to_string());
            }
            p.enter_pin(ctx);
        });
    }

    /// A scan from the barcode scanner: a receipt number, unless someone
    /// is filling in a form.
    pub fn scanned(&self, text: &str) {
        if self.page() == Page::Technician {
            self.touched();
            self.on_technician(|t, ctx| {
                t.scanned(ctx, text);
            });
            return;
        }
        if self.page() == Page::Apply && self.inner.apply.borrow().has_input() {
            tracing::info!("scan ignored while a form is being filled");
            return;
        }
        self.touched();
        self.lookup(text);
    }

    /// A card placed on the ID card reader: it fills the citizen's name
    /// and ID number at the wizard's 申请人 step and is ignored anywhere
    /// else.
    pub fn card_placed(&self, event: &idcard::CardEvent) {
        if self.page() == Page::Technician {
            let taken = self.inner.technician.borrow_mut().card(self.ctx(), event);
            if taken {
                self.touched();
                self.show(Page::Technician);
            }
            return;
        }
        let outcome = if self.page() == Page::Apply {
            self.inner.apply.borrow_mut().place_card(self.ctx(), event)
        } else {
            CardOutcome::NotHere
        };
        match outcome {
            CardOutcome::NotHere => {
                tracing::info!(page = ?self.page().id(), "ID card ignored: not at the 申请人 step");
            }
            CardOutcome::Filled | CardOutcome::Refused => {
                self.touched();
                self.show(Page::Apply);
            }
        }
    }

    /// Collects scans, ID cards and finished print jobs; called every
    /// 100 ms.
    pub fn poll(&self) {
        let scans: Vec<String> = self
            .inner
            .scans
            .as_ref()
            .map(|r| r.try_iter().collect())
            .unwrap_or_default();
        for s in scans {
            self.scanned(&s);
        }
        let cards = self
            .inner
            .cards
            .as_ref()
            .map(idcard::CardWatcher::take_events)
            .unwrap_or_default();
        for c in &cards {
            self.card_placed(c);
        }
        let ctx = self.ctx();
        let ended =
            self.inner.apply.borrow_mut().poll(ctx) | self.inner.progress.borrow_mut().poll(ctx);
        let page = self.page();
        if ended && matches!(page, Page::Apply | Page::Progress) {
            self.refresh();
        }
        if page == Page::Technician && self.inner.technician.borrow_mut().poll(ctx) {
            self.refresh();
        }
        // The hot words arrive with the search titles.
        if self.inner.search.borrow_mut().poll() && page == Page::Search {
            self.refresh();
        }
        self.poll_reading();
    }

    /// Waits for the running print jobs (tests, screenshots).
    pub fn wait_for_print(&self, limit: Duration) -> bool {
        let start = Instant::now();
        while start.elapsed() < limit {
            self.poll();
            if !self.inner.apply.borrow().is_printing()
                && !self.inner.progress.borrow().is_printing()
            {
                return true;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        false
    }

    /// The idle rules at time `now`.
    pub fn tick(&self, now: Instant) {
        let page = self.page();
        let form = match page {
            Page::Apply => self.inner.apply.borrow().idle(self.ctx()),
            _ => None,
        };
        let at = match (&page, form) {
            (Page::Attract, _) => Whereabouts::Attract,
            (_, Some(f)) => Whereabouts::Form(f),
            (Page::Home, None) if !self.needs_reset() => Whereabouts::CleanHome,
            _ => Whereabouts::Elsewhere,
        };
        let action = self.inner.idle.borrow_mut().tick(now, at);
        self.going_home_countdown(match action {
            IdleAction::WarnReset { secs_left } => secs_left,
            _ => 0,
        });
        match action {
            IdleAction::WarnReset { .. } => {}
            IdleAction::Nothing => {}
            IdleAction::TurnSlide => {
                self.inner.home.borrow_mut().next_slide();
                self.show(Page::Attract);
            }
            IdleAction::WarnForm { secs_left } => self.form_warning(Some(secs_left)),
            IdleAction::HideWarning => self.form_warning(None),
            IdleAction::WipeForm => {
                tracing::info!("half-filled application wiped after a while without a touch");
                self.inner.apply.borrow_mut().wipe();
                self.go_home();
            }
            IdleAction::ResetHome => {
                tracing::info!("idle: back home");
                self.reset_for_next_person();
            }
            IdleAction::Attract => {
                self.reset_for_next_person();
                self.inner.home.borrow_mut().forget_slides();
                self.show(Page::Attract);
            }
        }
    }

    fn form_warning(&self, secs_left: Option<u64>) {
        let apply = &self.inner.apply;
        apply.borrow_mut().warn(secs_left.is_some());
        if let Some(ui) = self.inner.ui.upgrade() {
            apply.borrow().show_warning(&ui, secs_left);
        }
    }

    /// Whether anything of the last person is still set on the home page.
    fn needs_reset(&self) -> bool {
        let config = &self.ctx().config;
        let theme_changed = self.inner.ui.upgrade().is_some_and(|ui| {
            let t = ui.global::<Theme>();
            t.get_large_text() != config.large_text || t.get_high_contrast() != config.high_contrast
        });
        self.inner.search.borrow().has_input() || theme_changed
    }

    /// Home, search cleared, 大字/高对比 back to the configured defaults.
    fn reset_for_next_person(&self) {
        self.go_home();
        if let Some(ui) = self.inner.ui.upgrade() {
            let config = &self.ctx().config;
            ui.global::<Theme>().set_large_text(config.large_text);
            ui.global::<Theme>().set_high_contrast(config.high_contrast);
        }
    }

    /// Looks for new content in the store; refreshes the open page when
    /// there is. Returns whether content changed.
    pub fn check_content(&self) -> bool {
        let ctx = self.ctx();
        let arrived = self.inner.waiting_for_content.borrow().clone();
        if let Some(p) = arrived
            && p.exists()
        {
            tracing::info!(path = %p.display(), "content arrived: restarting on it");
            self.restart_kiosk();
            return false;
        }
        if self.page() == Page::Technician
            && *self.inner.technician.borrow().step() == TechnicianStep::Menu
        {
            // The status follows the agent's rounds.
            self.refresh();
        }
        let current = match ctx.store.content_generation() {
            Ok(g) => g,
            Err(e) => {
                tracing::warn!("content.db unreadable: {e}");
                return false;
            }
        };
        if current == self.inner.generation.get() {
            return false;
        }
        self.inner.generation.set(current);
        self.inner.home.borrow_mut().forget_slides();
        self.inner.search.borrow_mut().reload(ctx);
        tracing::info!(generation = current, "new content: page refreshed");
        ctx.build_vocabulary();
        self.refresh();
        true
    }

    /// Runs `f` on the 技术维护 page's controller, then shows the page.
    fn on_technician(&self, f: impl FnOnce(&mut TechnicianController, &Context)) {
        f(&mut self.inner.technician.borrow_mut(), self.ctx());
        self.show(Page::Technician);
    }

    /// The hidden gesture: 技术维护 (its PIN, or 开通).
    pub fn open_technician(&self) {
        tracing::info!("技术维护 opened");
        self.inner.technician.borrow_mut().open(self.ctx());
        self.navigate(Page::Technician);
    }

    /// The kiosk runs the demo content because `database` does not exist
    /// yet (a terminal not yet provisioned): it opens 技术维护 (开通), and
    /// restarts once the first sync has written `database`.
    pub fn stand_in_for(&self, database: std::path::PathBuf) {
        *self.inner.waiting_for_content.borrow_mut() = Some(database);
        self.open_technician();
    }

    /// Where the 技术维护 page is.
    pub fn technician_step(&self) -> TechnicianStep {
        self.inner.technician.borrow().step().clone()
    }

    /// The screen hours in force, for the service's backlight timer.
    pub fn screen_hours(&self) -> ScreenHoursSetting {
        self.inner.screen_hours.clone()
    }

    /// 重启终端程序: ends the event loop; systemd starts the kiosk again
    /// (`Restart=always`).
    pub fn restart_kiosk(&self) {
        tracing::info!("restart asked for on the 技术维护 screen");
        self.inner.restart.set(true);
        // Outside a running event loop (tests) there is nothing to end.
        let _ = slint::quit_event_loop();
    }

    /// Whether the kiosk should exit to be started again.
    pub fn restart_requested(&self) -> bool {
        self.inner.restart.get()
    }

    /// Starts the timers of a running kiosk: idle every second, content
    /// every two seconds, print jobs, scans and ID cards every 100 ms.
    pub fn start_timers(&self) -> (slint::Timer, slint::Timer, slint::Timer) {
        let every = |period: Duration, f: Box<dyn Fn(&App)>| {
            let timer = slint::Timer::default();
            let a = self.clone();
            timer.start(slint::TimerMode::Repeated, period, move || f(&a));
            timer
        };
        (
            every(Duration::from_secs(1), Box::new(|a| a.tick(Instant::now()))),
            every(
                Duration::from_secs(2),
                Box::new(|a| {
                    a.check_content();
                }),
            ),
            every(Duration::from_millis(100), Box::new(App::poll)),
        )
    }
}
