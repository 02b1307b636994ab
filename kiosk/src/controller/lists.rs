//! The lists behind the home tiles: 政策解读, 办事指南, 公告/征求意见 in
//! force, and 村务公开 (the village's own documents and items).

use disclosure::store::RegionScope;
use disclosure::{Domain, RegionLevel};
use slint::{ComponentHandle, SharedString};

use super::context::Context;
use super::models::{level_char, rows, status_name};
use super::navigator::{ListKind, Target};
use crate::{ListAdapter, MainWindow, RowData};

/// Interpretations listed at most.
const MAX_INTERPRETATIONS: usize = 500;

pub fn fill_list(ctx: &Context, ui: &MainWindow, kind: ListKind) -> anyhow::Result<String> {
    let (title, rows_v, empty) = list_rows(ctx, kind)?;
    let a = ui.global::<ListAdapter>();
    a.set_rows(rows(rows_v));
    a.set_empty_text(empty.into());
    Ok(title)
}

fn list_rows(ctx: &Context, kind: ListKind) -> anyhow::Result<(String, Vec<RowData>, String)> {
    let scope = &ctx.scope;
    let store = &ctx.store;
    Ok(match kind {
        ListKind::Interpretations => (
            "政策解读".into(),
            store
                .interpretations(scope, MAX_INTERPRETATIONS)?
                .into_iter()
                .map(|e| (e.interpretation, e.document_status))
                .map(|(i, document_status)| RowData {
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
                    // The rule it explains may have been repealed since.
                    status: status_name(Some(document_status)),
                })
                .collect(),
            "暂无政策解读".into(),
        ),
        ListKind::Guides => (
            "办事指南".into(),
            store
                .guides(scope)?
                .into_iter()
                .map(|g| RowData {
                    key: Target::Guide(g.key).encode().into(),
                    title: g.name.into(),
                    subtitle: format!("{} · {}", g.agency, g.domain.name()).into(),
                    level: level_char(g.region.level()),
                    status: SharedString::new(),
                })
                .collect(),
            "暂无办事指南".into(),
        ),
        ListKind::Notices => (
            "公告 / 征求意见".into(),
            store
                .notices_in_force(scope, ctx.today())?
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
                    status: SharedString::new(),
                })
                .collect(),
            "暂无公告".into(),
        ),
        ListKind::Village => {
            let own = RegionScope::of(&ctx.region.code);
            let mut v: Vec<RowData> = store
                .documents(&own, None)?
                .into_iter()
                .filter(|d| d.region_level == RegionLevel::Village)
                .map(|d| RowData {
                    key: Target::Document(d.key).encode().into(),
                    title: d.title.into(),
                    subtitle: format!("文件 · {}", d.issued.chinese()).into(),
                    level: "村".into(),
                    status: status_name(Some(d.status)),
                })
                .collect();
            for domain in Domain::all() {
                for i in store.items_in(&own, domain, &[])? {
                    if i.region_level == RegionLevel::Village {
                        v.push(RowData {
                            key: Target::Item(i.key).encode().into(),
                            title: i.name.into(),
                            subtitle: format!("{} · 查什么、在哪查", domain.name()).into(),
                            level: "村".into(),
                            status: SharedString::new(),
                        });
                    }
                }
            }
            (
                format!("{} · 村务公开", ctx.region.name),
                v,
                "本村暂无村务公开内容".into(),
            )
        }
    })
}
