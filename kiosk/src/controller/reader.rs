//! Reading one thing: a catalog item with every element, or a document,
//! interpretation, guide or notice as paragraphs with its links, each with
//! the QR code of its public address. A thing withdrawn by a content
//! update says so.

use disclosure::store::DocumentView;
use slint::{ComponentHandle, ModelRc, SharedString, VecModel};

use super::context::Context;
use super::models::{blocks, field_rows, level_char, rows, status_name, strings};
use super::navigator::Target;
use crate::{FieldData, ItemAdapter, MainWindow, ReaderAdapter, RowData};

/// One reading, as the reader page shows it.
struct Reading {
    kind: String,
    title: String,
    meta: Vec<String>,
    status: String,
    body: String,
    links: Vec<RowData>,
}

/// Shows `target`; `refresh` when it is on the screen already (new
/// content), which keeps the reader's zoom.
pub fn fill(
    ctx: &Context,
    ui: &MainWindow,
    target: &Target,
    refresh: bool,
) -> anyhow::Result<String> {
    let url = ctx.config.public_url_of(&target.public_path());
    let qr = ctx.qr(&url);
    if let Target::Item(key) = target {
        return fill_item(ctx, ui, key, qr, url);
    }
    let r = ui.global::<ReaderAdapter>();
    r.set_qr(qr);
    if !refresh {
        r.set_zoom(1.0);
    }
    let (kind, reading) = match target {
        Target::Document(key) => ("文件", ctx.store.document(key)?.map(document_reading)),
        Target::Interpretation(key) => ("政策解读", interpretation_reading(ctx, key)?),
        Target::Guide(key) => (
            "办事指南",
            ctx.store.guide(key)?.map(|g| Reading {
                kind: "办事指南".into(),
                meta: vec![
                    format!("办理机构：{}", g.agency),
                    format!("办理地点：{}", g.place),
                    format!("办理时间：{}", g.hours),
                    format!("咨询电话：{}", g.phone),
                    format!("承诺时限：{}", g.time_limit),
                    format!("收费标准：{}", g.fee),
                ],
                title: g.name,
                status: String::new(),
                body: g.body,
                links: Vec::new(),
            }),
        ),
        Target::Notice(key) => (
            "公告",
            ctx.store.notice(key)?.map(|n| {
                let mut meta = vec![format!("{}　{}", n.issuer, n.published.chinese())];
                if let Some(c) = n.closes {
                    meta.push(format!("意见反馈截止：{}", c.chinese()));
                }
                Reading {
                    kind: n.kind.name().into(),
                    title: n.title,
                    meta,
                    status: String::new(),
                    body: n.body,
                    links: Vec::new(),
                }
            }),
        ),
        Target::Item(_) => unreachable!("items are filled above"),
    };
    Ok(match reading {
        Some(reading) => {
            r.set_gone(false);
            r.set_kind(reading.kind.as_str().into());
            r.set_title(reading.title.as_str().into());
            r.set_meta(strings(reading.meta));
            r.set_status(reading.status.as_str().into());
            r.set_blocks(blocks(&reading.body));
            r.set_links(rows(reading.links));
            reading.kind
        }
        None => {
            r.set_gone(true);
            r.set_title("此内容已撤下".into());
            r.set_meta(strings(Vec::<SharedString>::new()));
            r.set_status(SharedString::new());
            r.set_kind(kind.into());
            r.set_blocks(ModelRc::default());
            r.set_links(rows(Vec::new()));
            kind.into()
        }
    })
}

fn fill_item(
    ctx: &Context,
    ui: &MainWindow,
    key: &disclosure::ItemKey,
    qr: slint::Image,
    url: String,
) -> anyhow::Result<String> {
    let a = ui.global::<ItemAdapter>();
    a.set_qr(qr);
    a.set_qr_url(url.into());
    let Some(d) = ctx.store.item(key)? else {
        a.set_gone(true);
        a.set_name("此事项已撤下".into());
        a.set_level(SharedString::new());
        a.set_fields(ModelRc::new(VecModel::from(Vec::<FieldData>::new())));
        return Ok("公开事项".into());
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
    f.push((
        "更新日期",
        if i.updated_stated {
            i.updated.chinese()
        } else {
            format!("未注明（本目录发布于 {}）", i.updated.chinese())
        },
    ));
    f.push(("发布地区", d.region.name.clone()));
    a.set_gone(false);
    a.set_name(i.name.as_str().into());
    a.set_level(level_char(d.region.level));
    a.set_region_name(d.region.name.as_str().into());
    a.set_fields(field_rows(f));
    Ok(format!("{} · 公开事项", i.domain.name()))
}

fn document_reading(v: DocumentView) -> Reading {
    let d = &v.document;
    let mut meta = vec![match &d.doc_no {
        Some(n) => format!("{n}　{}　{}", d.issuer, d.issued.chinese()),
        None => format!("{}　{}", d.issuer, d.issued.chinese()),
    }];
    match (d.effective_from, d.effective_until) {
        (Some(a), Some(b)) => meta.push(format!("有效期：{} 至 {}", a.chinese(), b.chinese())),
        (Some(a), None) => meta.push(format!("自 {} 起施行", a.chinese())),
        _ => {}
    }
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
            status: SharedString::new(),
        })
        .collect();
    Reading {
        kind: "文件".into(),
        title: d.title.clone(),
        meta,
        status: d.status.name().into(),
        body: d.body.clone(),
        links,
    }
}

fn interpretation_reading(
    ctx: &Context,
    key: &disclosure::DocumentKey,
) -> anyhow::Result<Option<Reading>> {
    let Some(i) = ctx.store.interpretation(key)? else {
        return Ok(None);
    };
    let (doc_title, doc_status) = ctx
        .store
        .document(&i.document)?
        .map(|v| (v.document.title, Some(v.document.status)))
        .unwrap_or_default();
    let links = vec![RowData {
        key: Target::Document(i.document.clone()).encode().into(),
        title: "查看原文".into(),
        subtitle: doc_title.as_str().into(),
        level: SharedString::new(),
        // Whether the rule explained here still holds.
        status: status_name(doc_status),
    }];
    let meta = vec![
        format!("{}　{}　{}", i.form.name(), i.issuer, i.published.chinese()),
        format!("解读：{doc_title}"),
    ];
    Ok(Some(Reading {
        kind: "政策解读".into(),
        title: i.title,
        meta,
        status: String::new(),
        body: i.body,
        links,
    }))
}
