//! The UI's callbacks, page by page, each to one controller action. Every
//! callback is a touch: the idle clock starts again first.

use slint::{ComponentHandle, SharedString};

use super::catalog::domain_of;
use super::home::{TileAction, tile_action};
use super::navigator::{Page, Target};
use super::{App, Pen};
use crate::{
    AppState, ApplyAdapter, AttractAdapter, DomainsAdapter, HomeAdapter, HomeTile, ItemsAdapter,
    KeyboardMode, ListAdapter, MainWindow, ProgressAdapter, ReaderAdapter, SearchAdapter,
    TechnicianAdapter, Theme,
};

/// A callback without arguments that touches, then runs `f`.
fn act(app: &App, f: impl Fn(&App) + 'static) -> impl Fn() + 'static {
    let app = app.clone();
    move || {
        app.touched();
        f(&app)
    }
}

/// The pad's `pen-down(x, y, width, height)`: touches, then `f`.
fn pen_down(app: &App, f: fn(&App, Pen)) -> impl Fn(f32, f32, f32, f32) + 'static {
    let app = app.clone();
    move |x, y, width, height| {
        app.touched();
        f(
            &app,
            Pen::Down {
                x,
                y,
                width,
                height,
            },
        );
    }
}

/// The pad's `pen-move(x, y)`: touches, then `f`.
fn pen_move(app: &App, f: fn(&App, Pen)) -> impl Fn(f32, f32) + 'static {
    let app = app.clone();
    move |x, y| {
        app.touched();
        f(&app, Pen::Move { x, y });
    }
}

/// A callback with one argument that touches, then runs `f`.
fn act1<A>(app: &App, f: impl Fn(&App, A) + 'static) -> impl Fn(A) + 'static {
    let app = app.clone();
    move |a| {
        app.touched();
        f(&app, a)
    }
}

/// Opens what a row's key says (`item:…`, `doc:…`).
fn open_key(app: &App, key: SharedString) {
    if let Some(t) = Target::decode(&key) {
        app.navigate(Page::Reader(t));
    }
}

/// An index from the UI; a negative one is none.
fn index(i: i32) -> usize {
    usize::try_from(i).unwrap_or(usize::MAX)
}

pub(super) fn wire(app: &App, ui: &MainWindow) {
    wire_shared(app, ui);
    wire_reading(app, ui);
    wire_search(app, ui);
    wire_apply(app, ui);
    wire_progress(app, ui);
    wire_technician(app, ui);
}

fn wire_shared(app: &App, ui: &MainWindow) {
    let s = ui.global::<AppState>();
    s.on_back(act(app, App::back));
    s.on_home(act(app, App::go_home));
    s.on_activity(act(app, |_| {}));
    s.on_read_aloud(act(app, App::read_aloud));
    s.on_pause_reading(act(app, App::pause_reading));
    s.on_resume_reading(act(app, App::resume_reading));
    s.on_stop_reading(act(app, App::stop_reading));
    let weak = ui.as_weak();
    s.on_toggle_large_text(act(app, move |a| {
        if let Some(ui) = weak.upgrade() {
            let t = ui.global::<Theme>();
            t.set_large_text(!t.get_large_text());
        }
        // Sizes changed: the candidates are paged again.
        a.refresh();
    }));
    let weak = ui.as_weak();
    s.on_toggle_high_contrast(act(app, move |a| {
        if let Some(ui) = weak.upgrade() {
            let t = ui.global::<Theme>();
            t.set_high_contrast(!t.get_high_contrast());
        }
        // Sizes changed: the candidates are paged again.
        a.refresh();
    }));
    s.on_apply_here(act(app, |a| {
        let target = match a.page() {
            Page::Reader(t @ (Target::Item(_) | Target::Document(_))) => Some(t),
            _ => None,
        };
        a.open_apply(target);
    }));
    ui.global::<HomeAdapter>()
        .on_open(act1(app, |a, tile: HomeTile| match tile_action(tile) {
            TileAction::Open(page) => a.navigate(page),
            TileAction::Apply => a.open_apply(None),
            TileAction::Progress => {
                a.inner.progress.borrow_mut().reset();
                a.navigate(Page::Progress);
            }
        }));
    ui.global::<HomeAdapter>()
        .on_open_latest(act1(app, open_key));
    ui.global::<HomeAdapter>()
        .on_technician(act(app, App::open_technician));
    ui.global::<AttractAdapter>()
        .on_wake(act(app, |a| a.show(Page::Home)));
}

fn wire_reading(app: &App, ui: &MainWindow) {
    ui.global::<DomainsAdapter>()
        .on_open(act1(app, |a, code: i32| {
            if let Some(domain) = domain_of(code) {
                a.navigate(Page::Items { domain, column: 0 });
            }
        }));
    let items = ui.global::<ItemsAdapter>();
    items.on_select_column(act1(app, |a, i: i32| {
        if let Page::Items { domain, .. } = a.page() {
            a.show(Page::Items {
                domain,
                column: usize::try_from(i).unwrap_or(0),
            });
        }
    }));
    items.on_open(act1(app, open_key));
    ui.global::<ReaderAdapter>()
        .on_open_link(act1(app, open_key));
    ui.global::<ListAdapter>().on_open(act1(app, open_key));
}

fn wire_search(app: &App, ui: &MainWindow) {
    let s = ui.global::<SearchAdapter>();
    s.on_key(act1(app, |a, k: SharedString| a.type_key(&k)));
    s.on_backspace(act(app, |a| a.on_search(|s, ctx| s.backspace(ctx))));
    s.on_clear(act(app, App::clear_search));
    s.on_set_mode(act1(app, |a, m: KeyboardMode| a.set_mode(m)));
    s.on_pick(act1(app, |a, i: i32| a.on_search(|s, _| s.pick(index(i)))));
    s.on_pen_down(pen_down(app, App::search_pen));
    s.on_pen_move(pen_move(app, App::search_pen));
    s.on_pen_up(act(app, |a| a.search_pen(Pen::Up)));
    s.on_rewrite(act(app, |a| a.search_pen(Pen::Rewrite)));
    s.on_search_word(act1(app, |a, w: SharedString| {
        a.on_search(|s, _| s.search_word(&w))
    }));
    s.on_open(act1(app, open_key));
}

fn wire_apply(app: &App, ui: &MainWindow) {
    let w = ui.global::<ApplyAdapter>();
    w.on_choose({
        let app = app.clone();
        move |kind, i| {
            app.touched();
            app.on_apply(|a, _| a.choose(kind, usize::try_from(i).unwrap_or(0)));
        }
    });
    w.on_edit(act1(app, |a, key: SharedString| a.edit_field(&key)));
    w.on_key(act1(app, |a, k: SharedString| a.form_key(&k)));
    w.on_backspace(act(app, |a| a.on_apply(|w, ctx| w.backspace(ctx))));
    w.on_clear(act(app, |a| a.on_apply(|w, _| w.clear())));
    w.on_set_mode(act1(app, |a, m: KeyboardMode| {
        a.on_apply(|w, ctx| w.set_mode(ctx, m))
    }));
    w.on_pick(act1(app, |a, i: i32| a.on_apply(|w, _| w.pick(index(i)))));
    w.on_pen_down(pen_down(app, App::form_pen));
    w.on_pen_move(pen_move(app, App::form_pen));
    w.on_pen_up(act(app, |a| a.form_pen(Pen::Up)));
    w.on_rewrite(act(app, |a| a.form_pen(Pen::Rewrite)));
    w.on_done_typing(act(app, |a| a.on_apply(|w, ctx| w.done_typing(ctx))));
    w.on_unlink(act(app, |a| a.on_apply(|w, ctx| w.unlink(ctx))));
    w.on_toggle_staff(act(app, |a| a.on_apply(|w, _| w.toggle_staff())));
    w.on_next(act(app, |a| a.on_apply(|w, ctx| w.next(ctx))));
    w.on_previous(act(app, |a| a.on_apply(|w, _| w.previous())));
    w.on_toggle_consent(act(app, |a| a.on_apply(|w, _| w.toggle_consent())));
    w.on_confirm(act(app, App::confirm));
    w.on_rate(act1(app, |a, level: i32| {
        a.on_apply(|w, ctx| w.rate(ctx, u8::try_from(level).unwrap_or(0)))
    }));
    w.on_finish(act(app, |a| {
        a.inner.apply.borrow_mut().wipe();
        a.go_home();
    }));
    w.on_keep_going(act(app, |a| a.on_apply(|w, _| w.warn(false))));
    w.on_use_card_address(act(app, |a| a.on_apply(|w, _| w.use_card_address())));
}

fn wire_progress(app: &App, ui: &MainWindow) {
    let p = ui.global::<ProgressAdapter>();
    p.on_key(act1(app, |a, k: SharedString| {
        a.on_progress(|p, _| p.key(&k))
    }));
    p.on_backspace(act(app, |a| a.on_progress(|p, _| p.backspace())));
    p.on_clear(act(app, |a| a.on_progress(|p, _| p.clear())));
    p.on_open_details(act(app, |a| a.on_progress(|p, ctx| p.enter_pin(ctx))));
    p.on_lookup(act(app, |a| {
        a.inner.progress.borrow_mut().lookup_typed(a.ctx());
        a.navigate(Page::Progress);
    }));
    p.on_reprint(act(app, |a| {
        let busy = a.inner.apply.borrow().is_printing();
        a.on_progress(|p, ctx| p.reprint(ctx, busy));
    }));
    p.on_another(act(app, |a| a.on_progress(|p, _| p.reset())));
}

fn wire_technician(app: &App, ui: &MainWindow) {
    let t = ui.global::<TechnicianAdapter>();
    t.on_key(act1(app, |a, k: SharedString| {
        a.on_technician(|t, _| t.key(&k))
    }));
    t.on_backspace(act(app, |a| a.on_technician(|t, _| t.backspace())));
    t.on_clear(act(app, |a| a.on_technician(|t, _| t.clear())));
    t.on_enter(act(app, |a| a.on_technician(|t, ctx| t.enter(ctx))));
    t.on_retry(act(app, |a| a.on_technician(|t, ctx| t.retry(ctx))));
    t.on_sync_now(act(app, |a| a.on_technician(|t, ctx| t.sync_now(ctx))));
    t.on_import_usb(act(app, |a| a.on_technician(|t, ctx| t.import_usb(ctx))));
    t.on_open_self_test(act(app, |a| a.on_technician(|t, _| t.open_self_test())));
    t.on_back_to_menu(act(app, |a| a.on_technician(|t, _| t.back_to_menu())));
    t.on_restart_kiosk(act(app, |a| {
        if a.inner.technician.borrow().is_unlocked() {
            a.restart_kiosk();
        }
    }));
    t.on_set_hours(act1(app, |a, i: i32| {
        let hours = a.screen_hours();
        a.on_technician(|t, ctx| t.set_hours(ctx, index(i), &hours))
    }));
    t.on_leave(act(app, App::go_home));
    t.on_run_test(act1(app, |a, part: SharedString| {
        a.on_technician(|t, ctx| t.run_test(ctx, &part))
    }));
    t.on_touch_hit(act1(app, |a, i: i32| {
        a.on_technician(|t, ctx| t.touch_hit(ctx, index(i)))
    }));
    t.on_touch_done(act(app, |a| a.on_technician(|t, ctx| t.touch_done(ctx))));
    t.on_display_done(act1(app, |a, ok: bool| {
        a.on_technician(|t, ctx| t.display_done(ctx, ok))
    }));
}
