//! The home page (the hall, today, the tiles, the latest updates) and the
//! attract loop (notices in force and interpretations as slides).

use disclosure::store::{RecordKind, UpdateEntry};
use disclosure::{ContentStore, DocumentKey, RegionLevel};
use slint::{ComponentHandle, SharedString};

use super::context::Context;
use super::models::{rows, status_name, weekday};
use super::navigator::{ListKind, Page, Target};
use crate::{AttractAdapter, HomeAdapter, HomeTile, MainWindow, RowData, SlideData};

/// Updates listed on the home page.
const LATEST: usize = 4;
/// Slides of each kind in the attract loop.
const SLIDES_PER_KIND: usize = 5;

/// What a home tile opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TileAction {
    Open(Page),
    /// 申请公开: the wizard, not linked to anything.
    Apply,
    /// 办理进度, from the start.
    Progress,
}

/// What `tile` opens.
pub fn tile_action(tile: HomeTile) -> TileAction {
    match tile {
        HomeTile::Catalog => TileAction::Open(Page::Domains),
        HomeTile::Search => TileAction::Open(Page::Search),
        HomeTile::Interpretations => TileAction::Open(Page::List(ListKind::Interpretations)),
        HomeTile::Guides => TileAction::Open(Page::List(ListKind::Guides)),
        HomeTile::Notices => TileAction::Open(Page::List(ListKind::Notices)),
        HomeTile::Village => TileAction::Open(Page::List(ListKind::Village)),
        HomeTile::Apply => TileAction::Apply,
        HomeTile::Progress => TileAction::Progress,
    }
}

/// The attract loop's slides and which one shows.
#[derive(Default)]
pub struct HomeController {
    slides: Vec<SlideData>,
    slide: usize,
}

impl HomeController {
    pub fn fill_home(&mut self, ctx: &Context, ui: &MainWindow) -> anyhow::Result<String> {
        let today = ctx.refresh_today();
        let h = ui.global::<HomeAdapter>();
        h.set_hall_name(ctx.config.hall_name.as_str().into());
        h.set_region_line(ctx.region_line.as_str().into());
        h.set_date_line(format!("{} 星期{}", today.chinese(), weekday(today)).into());
        h.set_is_village(ctx.region.level == RegionLevel::Village);
        let latest = ctx.store.latest_updates(&ctx.scope, LATEST)?;
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
                subtitle: format!("{} · {}", kind_label(&ctx.store, u), u.date.chinese()).into(),
                level: SharedString::new(),
                status: status_name(u.status),
            })
            .collect();
        h.set_latest(rows(rows_v));
        Ok("政务公开".into())
    }

    pub fn fill_attract(&mut self, ctx: &Context, ui: &MainWindow) -> anyhow::Result<String> {
        if self.slides.is_empty() {
            self.slides = slides(ctx)?;
            self.slide = 0;
        }
        let pos = self.slide % self.slides.len();
        let a = ui.global::<AttractAdapter>();
        a.set_slide(self.slides[pos].clone());
        a.set_position(pos as i32);
        a.set_count(self.slides.len() as i32);
        Ok(String::new())
    }

    pub fn next_slide(&mut self) {
        self.slide += 1;
    }

    /// The slides are made again from the content next time.
    pub fn forget_slides(&mut self) {
        self.slides.clear();
    }
}

/// Notices in force and the latest interpretations; the hall's name when
/// there are none.
fn slides(ctx: &Context) -> anyhow::Result<Vec<SlideData>> {
    let mut slides: Vec<SlideData> = ctx
        .store
        .notices_in_force(&ctx.scope, ctx.today())?
        .into_iter()
        .take(SLIDES_PER_KIND)
        .map(|n| SlideData {
            kind: n.kind.name().into(),
            title: n.title.as_str().into(),
            date: match n.closes {
                Some(c) => format!("发布：{}　意见截止：{}", n.published.chinese(), c.chinese()),
                None => format!("发布：{}", n.published.chinese()),
            }
            .into(),
            body: n.body.chars().take(160).collect::<String>().into(),
        })
        .collect();
    for i in ctx
        .store
        .interpretations(&ctx.scope, SLIDES_PER_KIND)?
        .into_iter()
        .map(|e| e.interpretation)
    {
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
            title: ctx.config.hall_name.as_str().into(),
            date: SharedString::new(),
            body: "查询政府信息、政策解读、办事指南".into(),
        });
    }
    Ok(slides)
}

/// The word for an update line: a notice says which kind (征求意见, 政府开放日…).
fn kind_label(store: &ContentStore, u: &UpdateEntry) -> String {
    if u.kind == RecordKind::Notice
        && let Ok(Some(n)) = store.notice(&DocumentKey(u.key.clone()))
    {
        return n.kind.name().to_string();
    }
    u.kind.name().to_string()
}
