//! What 朗读 says on each page: the page as it is on the screen, read
//! from the page adapters the controllers filled, so that what is heard
//! is what is shown — personal numbers masked as on the screen, the PIN
//! never said aloud in the hall.

use slint::{ComponentHandle, Model, ModelRc};

use super::navigator::Page;
use crate::{
    AppState, ApplyAdapter, DomainsAdapter, HomeAdapter, ItemAdapter, ItemsAdapter, ListAdapter,
    MainWindow, ProgressAdapter, ReaderAdapter, RowData, SearchAdapter, TechnicianAdapter,
};

/// One paragraph to be read, and what it marks on the reader while it is
/// read: a block of the body and, in a table, a row (`-1`: none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passage {
    pub text: String,
    pub block: i32,
    pub row: i32,
}

impl Passage {
    fn plain(text: impl Into<String>) -> Passage {
        Passage {
            text: text.into(),
            block: -1,
            row: -1,
        }
    }
}

/// The home page's tiles as they read (the same words as on the tiles).
pub const HOME_TILES: [&str; 8] = [
    "信息查询",
    "搜索",
    "政策解读",
    "办事指南",
    "公告/征求意见",
    "村务公开",
    "申请公开",
    "办理进度",
];

/// The wizard's steps, as the step bar names them.
const STEPS: [&str; 5] = ["所需信息", "申请人", "获取方式", "核对提交", "完成"];

/// Says a masked value: a run of `*` becomes "隐去N位" instead of stars.
pub fn masked_for_speech(text: &str) -> String {
    let mut out = String::new();
    let mut stars = 0;
    let flush = |out: &mut String, stars: &mut usize| {
        if *stars > 0 {
            out.push_str(&format!("，隐去{}位，", *stars));
            *stars = 0;
        }
    };
    for c in text.chars() {
        if c == '*' {
            stars += 1;
        } else {
            flush(&mut out, &mut stars);
            out.push(c);
        }
    }
    flush(&mut out, &mut stars);
    out.trim_end_matches('，').to_string()
}

fn join_nonempty(parts: &[&str], sep: &str) -> String {
    parts
        .iter()
        .filter(|p| !p.trim().is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(sep)
}

/// What 朗读 reads on `page`, as it is on the screen now.
pub fn page_passages(ui: &MainWindow, page: &Page) -> Vec<Passage> {
    let title = ui.global::<AppState>().get_title().to_string();
    let mut out = vec![Passage::plain(title)];
    match page {
        Page::Home => home(ui, &mut out),
        Page::Attract => {}
        Page::Domains => {
            let d = ui.global::<DomainsAdapter>();
            out.push(Passage::plain("请选择领域。"));
            for x in d.get_domains().iter() {
                out.push(Passage::plain(format!("{}，{}项", x.name, x.count)));
            }
        }
        Page::Items { .. } => {
            let a = ui.global::<ItemsAdapter>();
            list_rows(&mut out, &a.get_items(), &a.get_empty_text());
        }
        Page::Reader(super::Target::Item(_)) => {
            let a = ui.global::<ItemAdapter>();
            out.push(Passage::plain(a.get_name().to_string()));
            for f in a.get_fields().iter() {
                out.push(Passage::plain(format!("{}：{}", f.label, f.value)));
            }
        }
        Page::Reader(_) => reader(ui, &mut out),
        Page::List(_) => {
            let a = ui.global::<ListAdapter>();
            list_rows(&mut out, &a.get_rows(), &a.get_empty_text());
        }
        Page::Search => {
            let a = ui.global::<SearchAdapter>();
            let query = format!("{}{}", a.get_query(), a.get_composing());
            if query.is_empty() {
                out.push(Passage::plain(
                    "请用下方键盘输入拼音、首字母或数字，结果显示在上方。",
                ));
            } else {
                out.push(Passage::plain(format!("搜索：{query}")));
            }
            out.push(Passage::plain(a.get_summary().to_string()));
            for r in a.get_results().iter() {
                out.push(Passage::plain(format!(
                    "{}：{}{}{}",
                    r.kind, r.title_pre, r.title_mark, r.title_post
                )));
            }
        }
        Page::Apply => apply(ui, &mut out),
        Page::Progress => progress(ui, &mut out),
        Page::Technician => technician(ui, &mut out),
    }
    out.retain(|p| !p.text.trim().is_empty());
    out
}

/// A list's rows, title then subtitle; `empty` when it has none.
fn list_rows(out: &mut Vec<Passage>, rows: &ModelRc<RowData>, empty: &str) {
    if rows.row_count() == 0 {
        out.push(Passage::plain(empty));
    }
    for r in rows.iter() {
        out.push(Passage::plain(join_nonempty(
            &[&r.title, &r.subtitle],
            "，",
        )));
    }
}

fn home(ui: &MainWindow, out: &mut Vec<Passage>) {
    let h = ui.global::<HomeAdapter>();
    out.push(Passage::plain(format!(
        "{}，{}，{}",
        h.get_hall_name(),
        h.get_region_line(),
        h.get_date_line()
    )));
    let tiles: Vec<&str> = HOME_TILES
        .iter()
        .copied()
        .filter(|t| *t != "村务公开" || h.get_is_village())
        .collect();
    out.push(Passage::plain(format!("可以选择：{}。", tiles.join("、"))));
    let latest = h.get_latest();
    if latest.row_count() > 0 {
        out.push(Passage::plain("最新发布："));
        list_rows(out, &latest, "");
    }
}

fn reader(ui: &MainWindow, out: &mut Vec<Passage>) {
    let r = ui.global::<ReaderAdapter>();
    out.push(Passage::plain(r.get_title().to_string()));
    let status = r.get_status();
    if !status.is_empty() {
        out.push(Passage::plain(format!("效力状态：{status}")));
    }
    for m in r.get_meta().iter() {
        out.push(Passage::plain(m.to_string()));
    }
    if r.get_gone() {
        out.push(Passage::plain("此内容已在最新发布中撤下。"));
    }
    for (i, b) in r.get_blocks().iter().enumerate() {
        let block = i32::try_from(i).unwrap_or(i32::MAX);
        if b.table {
            out.push(Passage {
                text: format!(
                    "表格，共{}行，{}列。",
                    b.rows.row_count(),
                    b.header.row_count()
                ),
                block,
                row: -1,
            });
            for (j, row) in b.rows.iter().enumerate() {
                out.push(Passage {
                    text: row.label.to_string(),
                    block,
                    row: i32::try_from(j).unwrap_or(i32::MAX),
                });
            }
        } else {
            out.push(Passage {
                text: b.text.to_string(),
                block,
                row: -1,
            });
        }
    }
    for l in r.get_links().iter() {
        out.push(Passage::plain(format!("可点击：{}", l.title)));
    }
}

fn apply(ui: &MainWindow, out: &mut Vec<Passage>) {
    let a = ui.global::<ApplyAdapter>();
    let step = usize::try_from(a.get_step())
        .unwrap_or(0)
        .min(STEPS.len() - 1);
    if step < 4 {
        out.push(Passage::plain(format!(
            "第{}步，共{}步：{}。",
            step + 1,
            STEPS.len() - 1,
            STEPS[step]
        )));
    }
    match step {
        0..=2 => {
            if step == 0 {
                let linked = a.get_linked_title();
                if !linked.is_empty() {
                    out.push(Passage::plain(format!("申请公开：{linked}")));
                }
                out.push(Passage::plain(
                    "请写明需要的政府信息：名称、文号，或者描述内容。",
                ));
            }
            if step == 1 && a.get_reader_hint() {
                out.push(Passage::plain(
                    "可将身份证放在读卡器上，自动填写姓名和证件号码。",
                ));
            }
            for c in a.get_choices().iter() {
                let chosen = usize::try_from(c.selected)
                    .ok()
                    .and_then(|i| c.options.row_data(i))
                    .unwrap_or_default();
                let options: Vec<String> = c.options.iter().map(|o| o.to_string()).collect();
                out.push(Passage::plain(format!(
                    "{}：已选{}。可选：{}。",
                    c.label,
                    chosen,
                    options.join("、")
                )));
            }
            for f in a.get_fields().iter() {
                let value = match f.key.as_str() {
                    // Read as the review and the receipt show them.
                    "id-number" => disclosure::identity::mask_id_number(&f.value),
                    "phone" => super::apply::mask_phone(&f.value),
                    _ => f.value.to_string(),
                };
                let value = if value.is_empty() {
                    format!("未填写，{}", f.hint)
                } else {
                    masked_for_speech(&value)
                };
                out.push(Passage::plain(format!("{}：{}", f.label, value)));
                if !f.error.is_empty() {
                    out.push(Passage::plain(format!("请注意：{}", f.error)));
                }
            }
            let card = a.get_card_note();
            if !card.is_empty() {
                out.push(Passage::plain(card.to_string()));
            }
        }
        3 => {
            out.push(Passage::plain("请核对以下内容："));
            for f in a.get_review().iter() {
                out.push(Passage::plain(format!(
                    "{}：{}",
                    f.label,
                    masked_for_speech(&f.value)
                )));
            }
            out.push(Passage::plain(a.get_notice().to_string()));
            out.push(Passage::plain(if a.get_consent() {
                "已勾选我已阅读上述告知，可以点确认提交。"
            } else {
                "请先勾选我已阅读上述告知，再点确认提交。"
            }));
        }
        _ => {
            out.push(Passage::plain("申请已提交。"));
            out.push(Passage::plain(format!("回执编号：{}", a.get_receipt_no())));
            out.push(Passage::plain(a.get_deadline().to_string()));
            out.push(Passage::plain(a.get_print_message().to_string()));
            if !a.get_pin().is_empty() {
                out.push(Passage::plain(
                    "查询密码显示在屏幕上和回执上，请自己查看，不要告诉他人。",
                ));
            }
        }
    }
    let error = a.get_error();
    if !error.is_empty() {
        out.push(Passage::plain(error.to_string()));
    }
}

fn progress(ui: &MainWindow, out: &mut Vec<Passage>) {
    let a = ui.global::<ProgressAdapter>();
    if !a.get_found() {
        out.push(Passage::plain(
            "请把回执上的条码对准扫描口，或输入回执编号，共26位数字。",
        ));
    } else {
        out.push(Passage::plain(format!("回执编号：{}", a.get_receipt_no())));
    }
    out.push(Passage::plain(a.get_message().to_string()));
    for f in a.get_details().iter() {
        out.push(Passage::plain(format!(
            "{}：{}",
            f.label,
            masked_for_speech(&f.value)
        )));
    }
    for s in a.get_history().iter() {
        out.push(Passage::plain(join_nonempty(
            &[&s.at, &s.status, &s.note],
            "，",
        )));
    }
}

/// 技术维护: the prompt, the message, and the status or self-test rows
/// (the PIN typed is never said).
fn technician(ui: &MainWindow, out: &mut Vec<Passage>) {
    let a = ui.global::<TechnicianAdapter>();
    out.push(Passage::plain(a.get_prompt().to_string()));
    out.push(Passage::plain(a.get_message().to_string()));
    for l in a.get_status().iter() {
        out.push(Passage::plain(format!("{}：{}", l.label, l.value)));
    }
    for r in a.get_self_tests().iter() {
        out.push(Passage::plain(format!("{}：{}", r.name, r.result)));
    }
}

#[cfg(test)]
mod tests {
    use super::masked_for_speech;

    #[test]
    fn masked_runs_are_said_as_hidden_digits() {
        let check =
            |masked: &str, said: &str| assert_eq!(masked_for_speech(masked), said, "{masked}");
        check("110105********002X", "110105，隐去8位，002X");
        check("138****8000", "138，隐去4位，8000");
        check("石*成", "石，隐去1位，成");
        check("云溪县石桥乡********", "云溪县石桥乡，隐去8位");
        check("没有星号", "没有星号");
        check("", "");
    }
}
