//! 信息查询: the domains with their item counts, and a domain's items by
//! column (栏目).

use disclosure::Domain;
use slint::{ComponentHandle, ModelRc, SharedString, VecModel};

use super::context::Context;
use super::models::{level_char, rows};
use super::navigator::Target;
use crate::{ColumnData, DomainData, DomainsAdapter, ItemsAdapter, MainWindow, RowData};

pub fn fill_domains(ctx: &Context, ui: &MainWindow) -> anyhow::Result<String> {
    let mut counts = ctx.store.domain_counts(&ctx.scope)?;
    // What people here ask for first (`ui.domain_order`), then the rest in
    // catalog order (the sort is stable).
    let order = &ctx.config.domain_order;
    counts.sort_by_key(|d| {
        order
            .iter()
            .position(|o| *o == d.domain)
            .unwrap_or(order.len())
    });
    let model: Vec<DomainData> = counts
        .iter()
        .map(|d| DomainData {
            code: i32::from(d.domain.code()),
            name: d.domain.name().into(),
            hint: d.domain.plain_words().into(),
            count: d.items as i32,
        })
        .collect();
    ui.global::<DomainsAdapter>()
        .set_domains(ModelRc::new(VecModel::from(model)));
    Ok("信息查询 · 选择领域".into())
}

/// The domain with the UI's code `code`.
pub fn domain_of(code: i32) -> Option<Domain> {
    u8::try_from(code).ok().and_then(Domain::from_code)
}

/// `domain`'s items in column `column` of its column list (0: all).
pub fn fill_items(
    ctx: &Context,
    ui: &MainWindow,
    domain: Domain,
    column: usize,
) -> anyhow::Result<String> {
    let tree = ctx.store.column_tree(&ctx.scope, domain)?;
    let total: usize = tree.iter().map(|n| n.item_count).sum();
    let mut cols = vec![ColumnData {
        name: "全部".into(),
        count: total as i32,
    }];
    cols.extend(tree.iter().map(|n| ColumnData {
        name: n.name.as_str().into(),
        count: n.item_count as i32,
    }));
    let column = if column < cols.len() { column } else { 0 };
    let path: Vec<String> = if column == 0 {
        Vec::new()
    } else {
        vec![tree[column - 1].name.clone()]
    };
    let items = ctx.store.items_in(&ctx.scope, domain, &path)?;
    let rows_v: Vec<RowData> = items
        .iter()
        .map(|i| RowData {
            key: Target::Item(i.key.clone()).encode().into(),
            title: i.name.as_str().into(),
            // A date the data does not have is not shown as its update.
            subtitle: if i.updated_stated {
                format!("{} · 更新于 {}", i.region_name, i.updated.chinese())
            } else {
                i.region_name.clone()
            }
            .into(),
            level: level_char(i.region_level),
            status: SharedString::new(),
        })
        .collect();
    let a = ui.global::<ItemsAdapter>();
    a.set_domain_name(domain.name().into());
    a.set_columns(ModelRc::new(VecModel::from(cols)));
    a.set_selected_column(column as i32);
    a.set_items(rows(rows_v));
    Ok(format!("{} · 公开事项", domain.name()))
}
