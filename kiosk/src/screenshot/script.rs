//! The pictured states of every page (`kiosk --screenshot --page NAME`,
//! the screenshot tests, the benchmarks): which page, what is typed into
//! it, and the key texts that page must show. A fictional applicant fills
//! the wizard.

use std::time::Duration;

use disclosure::body::{BodyBlock, Table, body_blocks};
use disclosure::requests::IdDocumentKind;
use disclosure::{Document, Domain, ItemKey};

use slint::ComponentHandle;

use crate::controller::{App, ListKind, Page, Target, WizardStep};

/// A page in a pictured state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shot {
    Home,
    Attract,
    Domains,
    Items,
    Item,
    Document,
    Interpretation,
    /// A document with a wide table (a village's subsidy list).
    Table,
    /// The table document read aloud, held at its first row.
    Speaking,
    Guides,
    Notices,
    Interpretations,
    Village,
    Search,
    /// 手写 in the search box: 大 written on the pad, its candidates.
    Handwriting,
    /// The search with something typed, and the countdown before it goes
    /// home after a while without a touch.
    GoingHome,
    Apply,
    ApplyWho,
    ApplyTyping,
    ApplyReview,
    ApplyDone,
    Progress,
    ProgressDetails,
    /// 技术维护: the PIN being typed.
    TechnicianPin,
    /// 技术维护 unlocked: status and actions.
    Technician,
    /// 开通 again: waiting for the 开通二维码.
    Provision,
    /// 设备自检.
    SelfTest,
    TouchTest,
    DisplayTest,
}

/// Every shot, in the order the screenshot tests take them.
pub const SHOTS: [Shot; 29] = [
    Shot::Home,
    Shot::Attract,
    Shot::Domains,
    Shot::Items,
    Shot::Item,
    Shot::Document,
    Shot::Interpretation,
    Shot::Table,
    Shot::Speaking,
    Shot::Guides,
    Shot::Notices,
    Shot::Interpretations,
    Shot::Village,
    Shot::Search,
    Shot::Handwriting,
    Shot::GoingHome,
    Shot::Apply,
    Shot::ApplyWho,
    Shot::ApplyTyping,
    Shot::ApplyReview,
    Shot::ApplyDone,
    Shot::Progress,
    Shot::ProgressDetails,
    Shot::TechnicianPin,
    Shot::Technician,
    Shot::Provision,
    Shot::SelfTest,
    Shot::TouchTest,
    Shot::DisplayTest,
];

/// The 技术维护 PIN of pictured terminals (`kiosk --screenshot` and the
/// screenshot tests set its hash when the configuration has none).
pub const PICTURE_PIN: &str = "480213";

/// `config` with [`PICTURE_PIN`]'s hash as `technician.pin_hash` when it
/// has none, so the 技术维护 pages can be pictured.
pub fn with_picture_pin(mut config: crate::config::KioskConfig) -> crate::config::KioskConfig {
    if config.technician.pin_hash.is_none() {
        config.technician.pin_hash = disclosure::technician::TechnicianPin::new(PICTURE_PIN)
            .and_then(|p| p.hash())
            .ok();
    }
    config
}

impl Shot {
    /// The name `--page` takes.
    pub fn name(self) -> &'static str {
        match self {
            Shot::Home => "home",
            Shot::Attract => "attract",
            Shot::Domains => "domains",
            Shot::Items => "items",
            Shot::Item => "item",
            Shot::Document => "document",
            Shot::Interpretation => "interpretation",
            Shot::Table => "table",
            Shot::Speaking => "speaking",
            Shot::Guides => "guides",
            Shot::Notices => "notices",
            Shot::Interpretations => "interpretations",
            Shot::Village => "village",
            Shot::Search => "search",
            Shot::Handwriting => "handwriting",
            Shot::GoingHome => "going-home",
            Shot::Apply => "apply",
            Shot::ApplyWho => "apply-who",
            Shot::ApplyTyping => "apply-typing",
            Shot::ApplyReview => "apply-review",
            Shot::ApplyDone => "apply-done",
            Shot::Progress => "progress",
            Shot::ProgressDetails => "progress-details",
            Shot::TechnicianPin => "technician-pin",
            Shot::Technician => "technician",
            Shot::Provision => "provision",
            Shot::SelfTest => "self-test",
            Shot::TouchTest => "touch-test",
            Shot::DisplayTest => "display-test",
        }
    }

    pub fn from_name(name: &str) -> anyhow::Result<Shot> {
        SHOTS.into_iter().find(|s| s.name() == name).ok_or_else(|| {
            let names: Vec<&str> = SHOTS.iter().map(|s| s.name()).collect();
            anyhow::anyhow!("未知页面“{name}”，可用：{}", names.join(", "))
        })
    }
}

/// Pictured states, on the kiosk's controller.
pub trait ScreenshotScript {
    /// Brings `shot`'s page into its state. Returns the accessible labels
    /// that page must show then: its key texts, taken from the content.
    fn show_shot(&self, shot: Shot) -> anyhow::Result<Vec<String>>;

    /// [`ScreenshotScript::show_shot`] by the name `--page` takes.
    fn show_named(&self, name: &str) -> anyhow::Result<()> {
        self.show_shot(Shot::from_name(name)?).map(drop)
    }

    /// Fills the form with a fictional applicant.
    fn fill_sample_form(&self);

    /// Jumps to a step of the wizard.
    fn set_step(&self, step: WizardStep);
}

/// Reads the page aloud from its first table row, into memory at the pace
/// of real speech, and holds it there (paused) once that row sounds.
fn read_first_table_row(app: &App) -> anyhow::Result<()> {
    let rate = speech::engine::sample_rate()?;
    let output = speech::MemoryOutput::real_time(rate);
    app.set_speaker(Some(speech::Speaker::with_output(
        speech::SpeechConfig::default(),
        output.opener(),
    )?));
    let ui = app.window().ok_or_else(|| anyhow::anyhow!("没有窗口"))?;
    let first_row = crate::controller::page_passages(&ui, &app.page())
        .iter()
        .position(|p| p.row == 0)
        .ok_or_else(|| anyhow::anyhow!("此页没有表格行"))?;
    app.read_aloud_from(first_row);
    let start = std::time::Instant::now();
    while app.reading_now().is_none() {
        if start.elapsed() > Duration::from_secs(10) {
            anyhow::bail!("朗读没有开始");
        }
        std::thread::sleep(Duration::from_millis(5));
        app.poll();
    }
    app.pause_reading();
    Ok(())
}

/// The 技术维护 pages, unlocked with [`PICTURE_PIN`].
fn technician_shot(app: &App, shot: Shot) -> anyhow::Result<Vec<String>> {
    anyhow::ensure!(
        app.context().config.technician.pin_hash.is_some(),
        "截图技术维护页需要 technician.pin_hash（见 with_picture_pin）"
    );
    let ui = app.window().ok_or_else(|| anyhow::anyhow!("没有窗口"))?;
    let t = ui.global::<crate::TechnicianAdapter>();
    app.open_technician();
    if shot == Shot::TechnicianPin {
        t.invoke_key("4".into());
        t.invoke_key("8".into());
        return Ok(vec![
            "请输入维护密码".into(),
            "维护密码".into(),
            "确定".into(),
        ]);
    }
    for d in PICTURE_PIN.chars() {
        t.invoke_key(d.to_string().into());
    }
    t.invoke_enter();
    anyhow::ensure!(
        app.technician_step() == crate::controller::TechnicianStep::Menu,
        "维护密码未能解锁"
    );
    Ok(match shot {
        Shot::Technician => vec![
            "立即同步".into(),
            "设备自检".into(),
            "重启终端程序".into(),
            "开通：未开通：正在显示演示内容".into(),
        ],
        Shot::Provision => {
            t.invoke_retry();
            vec!["第二步：请用扫码枪扫描县里给的开通二维码".into()]
        }
        Shot::SelfTest => {
            t.invoke_open_self_test();
            vec!["打印机".into(), "触摸屏 开始".into(), "返回维护菜单".into()]
        }
        Shot::TouchTest => {
            t.invoke_open_self_test();
            t.invoke_run_test("touch".into());
            t.invoke_touch_hit(0);
            vec!["触摸点 1".into(), "触摸点 5".into(), "结束触摸自检".into()]
        }
        _ => {
            t.invoke_open_self_test();
            t.invoke_run_test("display".into());
            vec!["显示正常".into(), "显示异常".into()]
        }
    })
}

/// The village box's domain in every picture.
fn social_assistance() -> Domain {
    Domain::from_name("社会救助").expect("a domain")
}

impl ScreenshotScript for App {
    fn show_shot(&self, shot: Shot) -> anyhow::Result<Vec<String>> {
        // Each picture starts as if someone had just touched the screen,
        // with the 手写 model closed (the handwriting shot opens it).
        self.touched();
        self.context().close_handwriting();
        let ctx = self.context();
        let store = &ctx.store;
        let scope = &ctx.scope;
        let first_item = || -> anyhow::Result<(ItemKey, String)> {
            let items = store.items_in(scope, social_assistance(), &[])?;
            let first = items
                .first()
                .ok_or_else(|| anyhow::anyhow!("没有公开事项"))?;
            Ok((first.key.clone(), first.name.clone()))
        };
        let list = |kind: ListKind, first: Option<String>| -> Vec<String> {
            self.navigate(Page::List(kind));
            first.into_iter().collect()
        };
        Ok(match shot {
            Shot::Home => {
                self.navigate(Page::Home);
                vec![
                    ctx.config.hall_name.clone(),
                    "信息查询".into(),
                    "申请公开".into(),
                    "办理进度".into(),
                ]
            }
            Shot::Attract => {
                self.navigate(Page::Attract);
                vec!["轻触屏幕开始".into()]
            }
            Shot::Domains => {
                self.navigate(Page::Domains);
                // The first tile: what people ask for first, in plain words.
                let first = ctx
                    .config
                    .domain_order
                    .first()
                    .copied()
                    .or_else(|| Domain::all().next());
                let mut texts = vec!["信息查询 · 选择领域".to_string()];
                texts.extend(first.map(|d| format!("{}：{}", d.name(), d.plain_words())));
                texts
            }
            Shot::Items => {
                self.navigate(Page::Items {
                    domain: social_assistance(),
                    column: 0,
                });
                vec![first_item()?.1, "全部".into()]
            }
            Shot::Item => {
                let (key, name) = first_item()?;
                self.navigate(Page::Reader(Target::Item(key)));
                vec![name, "申请公开".into(), "扫码带走".into()]
            }
            Shot::Document | Shot::Interpretation => {
                // A document with interpretations.
                let mut pick = None;
                for d in store.documents(scope, None)? {
                    if let Some(v) = store.document(&d.key)?
                        && !v.interpretations.is_empty()
                    {
                        pick = Some(v);
                        break;
                    }
                }
                let v = pick.ok_or_else(|| anyhow::anyhow!("没有带解读的文件"))?;
                if shot == Shot::Document {
                    self.navigate(Page::Reader(Target::Document(v.document.key.clone())));
                    vec![
                        v.document.title.clone(),
                        format!("效力状态：{}", v.document.status.name()),
                    ]
                } else {
                    let i = &v.interpretations[0];
                    self.navigate(Page::Reader(Target::Interpretation(i.key.clone())));
                    vec![
                        i.title.clone(),
                        "查看原文".into(),
                        format!("原文效力状态：{}", v.document.status.name()),
                    ]
                }
            }
            Shot::Speaking => {
                let texts = self.show_shot(Shot::Table)?;
                read_first_table_row(self)?;
                let mut said = vec!["继续".to_string(), "停止".to_string()];
                said.extend(texts.into_iter().skip(1));
                said
            }
            Shot::Table => {
                // The document whose table comes first, on every screen.
                let mut pick: Option<(usize, Document, Table)> = None;
                for d in store.documents(scope, None)? {
                    let Some(v) = store.document(&d.key)? else {
                        continue;
                    };
                    let blocks = body_blocks(&v.document.body);
                    let first = blocks.iter().enumerate().find_map(|(n, b)| match b {
                        BodyBlock::Table(t) if !t.rows.is_empty() => Some((n, t.clone())),
                        _ => None,
                    });
                    if let Some((n, t)) = first
                        && pick.as_ref().is_none_or(|(m, ..)| n < *m)
                    {
                        pick = Some((n, v.document.clone(), t));
                    }
                }
                let (_, doc, table) = pick.ok_or_else(|| anyhow::anyhow!("没有带表格的文件"))?;
                self.navigate(Page::Reader(Target::Document(doc.key.clone())));
                vec![doc.title, table.spoken_row(0)]
            }
            Shot::Guides => list(
                ListKind::Guides,
                store.guides(scope)?.into_iter().next().map(|g| g.name),
            ),
            Shot::Notices => list(
                ListKind::Notices,
                store
                    .notices_in_force(scope, ctx.today())?
                    .into_iter()
                    .next()
                    .map(|n| n.title),
            ),
            Shot::Interpretations => {
                let first = store.interpretations(scope, 1)?.into_iter().next();
                let mut texts = list(
                    ListKind::Interpretations,
                    first.as_ref().map(|e| e.interpretation.title.clone()),
                );
                texts.extend(first.map(|e| format!("效力状态：{}", e.document_status.name())));
                texts
            }
            Shot::Village => list(
                ListKind::Village,
                Some(format!("{} · 村务公开", ctx.region.name)),
            ),
            Shot::Search => {
                self.navigate(Page::Search);
                self.wait_for_search();
                let mut texts = vec!["搜索框".to_string(), "全拼".into(), "首字母".into()];
                let ui = self.window().ok_or_else(|| anyhow::anyhow!("没有窗口"))?;
                let hot = ui.global::<crate::SearchAdapter>().get_hot_words();
                texts.extend(slint::Model::row_data(&hot, 0).map(|w| format!("常查 {w}")));
                texts
            }
            Shot::Handwriting => {
                self.navigate(Page::Search);
                let ui = self.window().ok_or_else(|| anyhow::anyhow!("没有窗口"))?;
                let s = ui.global::<crate::SearchAdapter>();
                s.invoke_clear();
                s.invoke_set_mode(crate::KeyboardMode::Handwriting);
                anyhow::ensure!(
                    s.get_mode() == crate::KeyboardMode::Handwriting,
                    "手写不可用：没有手写识别模型（handwriting.model）"
                );
                // 大, as a finger writes it on a 300×300 pad.
                for stroke in [
                    &[(40.0, 120.0), (150.0, 120.0), (260.0, 120.0)][..],
                    &[(150.0, 40.0), (145.0, 130.0), (120.0, 200.0), (50.0, 270.0)],
                    &[(150.0, 130.0), (200.0, 200.0), (270.0, 260.0)],
                ] {
                    let (first, rest) = stroke.split_first().expect("a point");
                    s.invoke_pen_down(first.0, first.1, 300.0, 300.0);
                    for p in rest {
                        s.invoke_pen_move(p.0, p.1);
                    }
                    s.invoke_pen_up();
                }
                vec!["手写板".into(), "候选 大".into(), "重写".into()]
            }
            Shot::GoingHome => {
                self.navigate(Page::Search);
                let ui = self.window().ok_or_else(|| anyhow::anyhow!("没有窗口"))?;
                let s = ui.global::<crate::SearchAdapter>();
                s.invoke_set_mode(crate::KeyboardMode::Initials);
                for k in ["d", "b"] {
                    s.invoke_key(k.into());
                }
                self.touched();
                let reset = ctx.config.reset_after_secs;
                let left = 12.min(reset / 2);
                self.tick(std::time::Instant::now() + Duration::from_secs(reset - left));
                vec![format!("还剩 {left} 秒"), "继续使用".into()]
            }
            Shot::Apply
            | Shot::ApplyWho
            | Shot::ApplyTyping
            | Shot::ApplyReview
            | Shot::ApplyDone
            | Shot::Progress
            | Shot::ProgressDetails => return apply_shot(self, shot, first_item()?),
            Shot::TechnicianPin
            | Shot::Technician
            | Shot::Provision
            | Shot::SelfTest
            | Shot::TouchTest
            | Shot::DisplayTest => return technician_shot(self, shot),
        })
    }

    fn fill_sample_form(&self) {
        self.edit_form(|s| {
            let f = &mut s.form;
            f.name = "王秀英".into();
            f.id_kind = Some(IdDocumentKind::ResidentId);
            f.id_number = "11010519491231002X".into();
            f.phone = "13800138000".into();
            f.description = "2025年本村低保对象名单及补助标准".into();
        });
    }

    fn set_step(&self, step: WizardStep) {
        self.edit_form(|s| s.step = step.min(WizardStep::Review));
    }
}

/// The wizard's steps and the progress page, with the sample applicant.
fn apply_shot(
    app: &App,
    shot: Shot,
    (item, name): (ItemKey, String),
) -> anyhow::Result<Vec<String>> {
    app.open_apply(Some(Target::Item(item)));
    if shot == Shot::Apply {
        return Ok(vec![format!("申请公开：{name}"), "下一步".into()]);
    }
    app.fill_sample_form();
    match shot {
        Shot::ApplyWho => {
            app.set_step(WizardStep::Who);
            return Ok(vec![
                "姓名".into(),
                "居民身份证号码".into(),
                "上一步".into(),
            ]);
        }
        Shot::ApplyTyping => {
            app.set_step(WizardStep::Who);
            app.edit_form(|s| s.form.name.clear());
            app.edit_field("name");
            app.wait_for_dictionary(Duration::from_secs(10));
            for k in ["w", "a", "n", "g"] {
                app.form_key(k);
            }
            return Ok(vec!["候选 王".into(), "填好了".into(), "键 q".into()]);
        }
        _ => {}
    }
    app.set_step(WizardStep::Review);
    app.edit_form(|s| s.consent = true);
    if shot == Shot::ApplyReview {
        return Ok(vec!["个人信息告知".into(), "确认提交".into()]);
    }
    app.confirm();
    app.wait_for_print(Duration::from_secs(10));
    let done = app
        .form_state()
        .done
        .ok_or_else(|| anyhow::anyhow!("申请未能提交：{}", app.form_state().message))?;
    let receipt = format!("回执编号 {}", done.receipt);
    if shot == Shot::ApplyDone {
        return Ok(vec!["申请已提交".into(), receipt, "完成".into()]);
    }
    app.lookup(&done.receipt.digits());
    if shot == Shot::Progress {
        return Ok(vec![receipt, "查看详情".into()]);
    }
    app.enter_pin(&done.pin);
    let body = app
        .progress_state()
        .opened
        .map(|o| o.view.body_name)
        .unwrap_or_default();
    Ok(vec![receipt, body, "补打回执".into()])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_ones_are_refused_in_chinese() {
        for s in SHOTS {
            assert_eq!(Shot::from_name(s.name()).unwrap(), s);
        }
        let e = Shot::from_name("nope").unwrap_err().to_string();
        assert!(
            e.contains("未知页面") && e.contains("progress-details"),
            "{e}"
        );
    }
}
