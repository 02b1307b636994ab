//! 技术维护: the technician's page, behind a PIN (argon2id hash in
//! `technician.pin_hash`; five wrong tries lock it for a while, kept in
//! `requests.db` across restarts). On a terminal not yet provisioned it
//! offers 开通: a PIN set twice, then the county's 开通二维码 scanned and
//! left for `gongkai-provision`. Unlocked: the status in plain words, the
//! actions (立即同步, 从U盘导入, 重启, 熄屏时间) and the 设备自检, whose
//! results go up with the health report. Leaving the page locks it.

use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use disclosure::technician::{PIN_GUARD_STATE, PinGuard, PinOutcome, SelfTestPart, TechnicianPin};
use printer::{PrintError, PrintReport};
use slint::{ComponentHandle, ModelRc, VecModel};
use time::OffsetDateTime;

use super::context::Context;
use crate::applications::{chinese_time, printer_health_after};
use crate::maintenance::{self, ProvisionRequest, ProvisionResult, StatusInputs, hours_choices};
use crate::service::ScreenHoursSetting;
use crate::{MainWindow, SelfTestData, StatusLineData, TechView, TechnicianAdapter};

/// How long the page waits for `gongkai-provision`'s answer.
const PROVISION_WAIT: Duration = Duration::from_secs(300);

/// Where the technician is on the page.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum TechnicianStep {
    /// The PIN, to unlock.
    #[default]
    Unlock,
    /// 开通, first step: a new PIN.
    NewPin,
    /// The new PIN once more.
    ConfirmPin,
    /// 开通, second step: waiting for the 开通二维码 (the PIN's hash, if
    /// one was set here).
    Scan {
        pin_hash: Option<String>,
    },
    /// The code left for `gongkai-provision`; waiting for its answer.
    Provisioning {
        since: Instant,
    },
    /// Its answer.
    Provisioned(ProvisionResult),
    /// Unlocked: status and actions.
    Menu,
    SelfTest,
    Touch,
    Display,
}

/// The 技术维护 page's state. Nothing typed here outlives the page.
#[derive(Default)]
pub struct TechnicianController {
    step: TechnicianStep,
    typed: String,
    /// The new PIN typed the first time (开通), until it is confirmed.
    first_pin: Option<String>,
    message: String,
    touch_hits: [bool; 5],
    printing: Option<Receiver<Result<PrintReport, PrintError>>>,
    /// The PIN hash sent with the last 开通 request (kept for 重新开通).
    sent_pin_hash: Option<String>,
}

impl TechnicianController {
    pub fn step(&self) -> &TechnicianStep {
        &self.step
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    /// Whether the page is unlocked.
    pub fn is_unlocked(&self) -> bool {
        matches!(
            self.step,
            TechnicianStep::Menu
                | TechnicianStep::SelfTest
                | TechnicianStep::Touch
                | TechnicianStep::Display
        )
    }

    /// Opens the page: the PIN, or 开通 on a terminal without one.
    pub fn open(&mut self, ctx: &Context) {
        *self = TechnicianController::default();
        if ctx.config.technician.pin_hash.is_none() {
            self.step = TechnicianStep::NewPin;
            return;
        }
        if let Some(until) = self.guard(ctx).locked_at(OffsetDateTime::now_utc()) {
            self.message = locked_words(until);
        }
    }

    /// Forgets everything: the page was left.
    pub fn lock(&mut self) {
        if self.printing.is_some() {
            // The test print ends on its own; its outcome is not recorded.
            tracing::info!("technician page left during a test print");
        }
        *self = TechnicianController::default();
    }

    fn typing(&self) -> bool {
        matches!(
            self.step,
            TechnicianStep::Unlock | TechnicianStep::NewPin | TechnicianStep::ConfirmPin
        )
    }

    pub fn key(&mut self, k: &str) {
        if self.typing() && self.typed.len() < *disclosure::technician::PIN_DIGITS.end() {
            self.typed.extend(k.chars().filter(char::is_ascii_digit));
        }
    }

    pub fn backspace(&mut self) {
        self.typed.pop();
    }

    pub fn clear(&mut self) {
        self.typed.clear();
    }

    fn guard(&self, ctx: &Context) -> PinGuard {
        ctx.desk
            .borrow()
            .requests()
            .device_state(PIN_GUARD_STATE)
            .ok()
            .flatten()
            .and_then(|(v, _)| serde_json::from_str(&v).ok())
            .unwrap_or_default()
    }

    /// 确定: the PIN typed.
    pub fn enter(&mut self, ctx: &Context) {
        let typed = std::mem::take(&mut self.typed);
        match self.step.clone() {
            TechnicianStep::Unlock => self.unlock(ctx, &typed),
            TechnicianStep::NewPin => match TechnicianPin::new(&typed) {
                Ok(_) => {
                    self.first_pin = Some(typed);
                    self.message.clear();
                    self.step = TechnicianStep::ConfirmPin;
                }
                Err(e) => self.message = e.to_string(),
            },
            TechnicianStep::ConfirmPin => {
                let first = self.first_pin.take().unwrap_or_default();
                if first != typed {
                    self.message = "两次输入的密码不一致，请重新设置".into();
                    self.step = TechnicianStep::NewPin;
                    return;
                }
                match TechnicianPin::new(&typed).and_then(|p| p.hash()) {
                    Ok(h) => {
                        self.message.clear();
                        self.step = TechnicianStep::Scan { pin_hash: Some(h) };
                    }
                    Err(e) => {
                        self.message = e.to_string();
                        self.step = TechnicianStep::NewPin;
                    }
                }
            }
            _ => {}
        }
    }

    fn unlock(&mut self, ctx: &Context, typed: &str) {
        let Some(stored) = ctx.config.technician.pin_hash.as_deref() else {
            return;
        };
        let now = OffsetDateTime::now_utc();
        let mut guard = self.guard(ctx);
        let outcome = guard.attempt(stored, typed, now);
        let saved = ctx.desk.borrow_mut().requests_mut().set_device_state(
            PIN_GUARD_STATE,
            &serde_json::to_string(&guard).expect("serializes"),
            now,
        );
        if let Err(e) = saved {
            tracing::error!("technician PIN tries not recorded: {e}");
        }
        match outcome {
            PinOutcome::Right => {
                tracing::info!("技术维护 unlocked");
                self.message.clear();
                self.step = TechnicianStep::Menu;
            }
            PinOutcome::Wrong { tries_left } => {
                tracing::warn!(tries_left, "技术维护: wrong PIN");
                self.message = format!("密码不对，还可再试 {tries_left} 次");
            }
            PinOutcome::Locked { until } => {
                tracing::warn!("技术维护: locked after wrong PINs");
                self.message = locked_words(until);
            }
        }
    }

    /// 重新开通: after a failed or unanswered 开通 (with the PIN set for
    /// it), or from the menu (a new code from the county, the PIN kept).
    pub fn retry(&mut self, ctx: &Context) {
        let allowed = self.is_unlocked() || matches!(self.step, TechnicianStep::Provisioned(_));
        if !allowed {
            return;
        }
        let pin_hash = self
            .sent_pin_hash
            .clone()
            .or_else(|| ctx.config.technician.pin_hash.clone());
        self.message.clear();
        self.step = match pin_hash {
            Some(h) => TechnicianStep::Scan { pin_hash: Some(h) },
            None => TechnicianStep::NewPin,
        };
    }

    /// A scan while the page is open. Returns whether it was taken here
    /// (every scan on this page is: none opens 办理进度 behind it).
    pub fn scanned(&mut self, ctx: &Context, text: &str) -> bool {
        let text = text.trim();
        match &self.step {
            TechnicianStep::Scan { pin_hash } => {
                if !maintenance::looks_like_provisioning_code(text) {
                    self.message = "这不是开通二维码：请扫描县里给的开通二维码".into();
                    return true;
                }
                let request = ProvisionRequest {
                    code: text.to_string(),
                    technician_pin_hash: pin_hash.clone(),
                };
                self.leave_provisioning(ctx, &request);
            }
            TechnicianStep::Menu if maintenance::looks_like_provisioning_code(text) => {
                // Enrolling again (a new code from the county), keeping the PIN.
                let request = ProvisionRequest {
                    code: text.to_string(),
                    technician_pin_hash: ctx.config.technician.pin_hash.clone(),
                };
                self.leave_provisioning(ctx, &request);
            }
            TechnicianStep::SelfTest => {
                let shown: String = text.chars().take(40).collect();
                let more = if text.chars().count() > 40 { "…" } else { "" };
                self.record(
                    ctx,
                    SelfTestPart::Scanner,
                    true,
                    &format!("读到 {} 个字符：{shown}{more}", text.chars().count()),
                );
            }
            _ => tracing::info!("scan ignored on the technician page"),
        }
        true
    }

    fn leave_provisioning(&mut self, ctx: &Context, request: &ProvisionRequest) {
        let dir = &ctx.config.technician.provision_dir;
        match maintenance::leave_provision_request(dir, request) {
            Ok(()) => {
                tracing::info!(dir = %dir.display(), "开通二维码 left for gongkai-provision");
                self.sent_pin_hash = request.technician_pin_hash.clone();
                self.message.clear();
                self.step = TechnicianStep::Provisioning {
                    since: Instant::now(),
                };
            }
            Err(e) => {
                tracing::error!(dir = %dir.display(), "provisioning request not written: {e}");
                self.message = format!("开通请求无法写入（{}）：{e}", dir.display());
            }
        }
    }

    /// A card on the ID card reader during the 设备自检: read, never
    /// shown or kept.
    pub fn card(&mut self, ctx: &Context, event: &idcard::CardEvent) -> bool {
        if self.step != TechnicianStep::SelfTest {
            return false;
        }
        match event {
            idcard::CardEvent::Card(_) => self.record(
                ctx,
                SelfTestPart::IdReader,
                true,
                "读到一张身份证（内容不显示、不保存）",
            ),
            idcard::CardEvent::Unreadable(e) => {
                self.record(ctx, SelfTestPart::IdReader, false, &e.to_string())
            }
        }
        true
    }

    /// Ended print jobs and provisioning answers; returns whether the page
    /// changed.
    pub fn poll(&mut self, ctx: &Context) -> bool {
        let mut changed = false;
        if let Some(rx) = &self.printing
            && let Ok(result) = rx.try_recv()
        {
            self.printing = None;
            let health = printer_health_after(&result);
            let now = OffsetDateTime::now_utc();
            if let Err(e) = ctx.desk.borrow_mut().record_printer_health(health, now) {
                tracing::warn!("printer state not recorded: {e}");
            }
            match result {
                Ok(r) if r.paper_near_end => self.record(
                    ctx,
                    SelfTestPart::Printer,
                    true,
                    "样张已打印；打印纸将尽，请更换纸卷",
                ),
                Ok(_) => self.record(ctx, SelfTestPart::Printer, true, "样张已打印，请核对纸面"),
                Err(e) => self.record(ctx, SelfTestPart::Printer, false, &e.to_string()),
            }
            changed = true;
        }
        if let TechnicianStep::Provisioning { since } = self.step {
            if let Some(r) = maintenance::provision_result(&ctx.config.technician.provision_dir) {
                tracing::info!(ok = r.ok, "provisioning answered");
                self.step = TechnicianStep::Provisioned(r);
                changed = true;
            } else if since.elapsed() > PROVISION_WAIT {
                self.step = TechnicianStep::Provisioned(ProvisionResult {
                    ok: false,
                    message: "5 分钟内没有得到开通程序的答复：请检查 gongkai-provision.path 是否启用，或用键盘运行 gongkai-provision".into(),
                    finished_at: String::new(),
                });
                changed = true;
            }
        }
        changed
    }

    fn data_dir(ctx: &Context) -> std::path::PathBuf {
        Self::data_dir_of(&ctx.desk.borrow())
    }

    /// 立即同步: asks the sync agent for a round now.
    pub fn sync_now(&mut self, ctx: &Context) {
        if !self.is_unlocked() {
            return;
        }
        self.message =
            match maintenance::leave_request(&Self::data_dir(ctx), maintenance::SYNC_NOW_FILE) {
                Ok(_) => "已请同步服务立即同步：通常一分钟内完成，结果见“最近同步”".into(),
                Err(e) => format!("无法请同步服务同步：{e}"),
            };
    }

    /// 从U盘导入: asks the system to import from the stick plugged in.
    pub fn import_usb(&mut self, ctx: &Context) {
        if !self.is_unlocked() {
            return;
        }
        self.message = match maintenance::leave_request(
            &Self::data_dir(ctx),
            maintenance::USB_IMPORT_NOW_FILE,
        ) {
            Ok(_) => "已开始从U盘导入：请保持U盘插好，结果见“U盘导入”一行".into(),
            Err(e) => format!("无法开始U盘导入：{e}"),
        };
    }

    /// 熄屏时间: the `i`th of [`hours_choices`].
    pub fn set_hours(&mut self, ctx: &Context, i: usize, setting: &ScreenHoursSetting) {
        if !self.is_unlocked() {
            return;
        }
        let Some((words, hours)) = hours_choices().into_iter().nth(i) else {
            return;
        };
        let saved = maintenance::set_screen_hours(ctx.desk.borrow_mut().requests_mut(), hours);
        self.message = match saved {
            Ok(()) => {
                setting.set(hours);
                format!("熄屏时间已设为：{}", maintenance::hours_words(hours))
            }
            Err(e) => format!("熄屏时间（{words}）未能保存：{e}"),
        };
    }

    pub fn open_self_test(&mut self) {
        if self.is_unlocked() {
            self.message.clear();
            self.step = TechnicianStep::SelfTest;
        }
    }

    pub fn back_to_menu(&mut self) {
        if self.is_unlocked() {
            self.message.clear();
            self.step = TechnicianStep::Menu;
        }
    }

    /// A self-test row's button.
    pub fn run_test(&mut self, ctx: &Context, part: &str) {
        if !self.is_unlocked() {
            return;
        }
        match SelfTestPart::from_db_name(part) {
            Some(SelfTestPart::Printer) => {
                if self.printing.is_some() {
                    return;
                }
                self.printing = ctx.desk.borrow().start_test_print();
                self.message = if self.printing.is_some() {
                    "正在打印样张……".into()
                } else {
                    "没有配置打印机（[printer]）".into()
                };
            }
            Some(SelfTestPart::Touch) => {
                self.touch_hits = [false; 5];
                self.step = TechnicianStep::Touch;
            }
            Some(SelfTestPart::Display) => self.step = TechnicianStep::Display,
            _ => {}
        }
    }

    pub fn touch_hit(&mut self, ctx: &Context, i: usize) {
        if self.step != TechnicianStep::Touch || i >= self.touch_hits.len() {
            return;
        }
        self.touch_hits[i] = true;
        if self.touch_hits.iter().all(|&h| h) {
            self.record(ctx, SelfTestPart::Touch, true, "四角和中间的五个点都点到了");
            self.step = TechnicianStep::SelfTest;
        }
    }

    /// 结束触摸自检 before every target was hit.
    pub fn touch_done(&mut self, ctx: &Context) {
        if self.step != TechnicianStep::Touch {
            return;
        }
        let missed = self.touch_hits.iter().filter(|&&h| !h).count();
        if missed > 0 {
            self.record(
                ctx,
                SelfTestPart::Touch,
                false,
                &format!("有 {missed} 个点没有点到"),
            );
        }
        self.step = TechnicianStep::SelfTest;
    }

    pub fn display_done(&mut self, ctx: &Context, ok: bool) {
        if self.step != TechnicianStep::Display {
            return;
        }
        if ok {
            self.record(ctx, SelfTestPart::Display, true, "颜色和各号文字显示正常");
        } else {
            self.record(ctx, SelfTestPart::Display, false, "技术人员看到显示异常");
        }
        self.step = TechnicianStep::SelfTest;
    }

    fn record(&mut self, ctx: &Context, part: SelfTestPart, passed: bool, detail: &str) {
        let recorded = maintenance::record_self_test(
            ctx.desk.borrow_mut().requests_mut(),
            part,
            passed,
            detail,
        );
        self.message = match recorded {
            Ok(_) => format!("{}：{}", part.name(), if passed { "正常" } else { "异常" }),
            Err(e) => format!("{}的自检结果未能保存：{e}", part.name()),
        };
    }

    fn self_test_rows(&self, ctx: &Context) -> Vec<SelfTestData> {
        let desk = ctx.desk.borrow();
        let requests = desk.requests();
        let mut rows = Vec::new();
        for part in SelfTestPart::ALL {
            let configured = match part {
                SelfTestPart::Printer => desk.has_printer(),
                SelfTestPart::Scanner => ctx.config.scanner.is_some(),
                SelfTestPart::IdReader => ctx.config.id_reader.is_some(),
                SelfTestPart::Touch | SelfTestPart::Display => true,
            };
            if part == SelfTestPart::IdReader && !configured {
                continue;
            }
            let last = maintenance::last_self_test(requests, part);
            let waiting = match part {
                SelfTestPart::Printer if self.printing.is_some() => "正在打印样张……".to_string(),
                SelfTestPart::Printer if !configured => "未配置打印机：回执以二维码显示".into(),
                SelfTestPart::Scanner if !configured => "未配置扫码枪（[scanner]）".into(),
                SelfTestPart::Scanner => "请扫描任意条码（如回执上的条码）".into(),
                SelfTestPart::IdReader => "请放一张身份证".into(),
                _ => "尚未自检".into(),
            };
            let result = match (
                &last,
                self.printing.is_some() && part == SelfTestPart::Printer,
            ) {
                (Some(r), false) => {
                    let at =
                        r.at.parse::<disclosure::Timestamp>()
                            .map(|t| chinese_time(&t))
                            .unwrap_or_default();
                    format!(
                        "{}：{}（{at}）",
                        if r.passed { "正常" } else { "异常" },
                        r.detail
                    )
                }
                _ => waiting,
            };
            let action = match part {
                SelfTestPart::Printer if configured && self.printing.is_none() => "打印样张",
                SelfTestPart::Touch | SelfTestPart::Display => "开始",
                _ => "",
            };
            rows.push(SelfTestData {
                part: part.db_name().into(),
                name: part.name().into(),
                result: result.into(),
                tested: last.is_some(),
                passed: last.is_some_and(|r| r.passed),
                action: action.into(),
            });
        }
        rows
    }

    /// Fills the page's adapter.
    pub fn fill(&self, ctx: &Context, ui: &MainWindow, hours: &ScreenHoursSetting) -> String {
        let a = ui.global::<TechnicianAdapter>();
        let dots = "●".repeat(self.typed.chars().count());
        a.set_typed(dots.into());
        a.set_message(self.message.clone().into());
        a.set_can_retry(false);
        let (view, prompt) = match &self.step {
            TechnicianStep::Unlock => (TechView::Entry, "请输入维护密码".to_string()),
            TechnicianStep::NewPin => (
                TechView::Entry,
                "本终端尚未开通。第一步：请设置维护密码（6 到 12 位数字，请记好，以后进入技术维护要用）".into(),
            ),
            TechnicianStep::ConfirmPin => (TechView::Entry, "请再输入一次维护密码".into()),
            TechnicianStep::Scan { .. } => {
                if self.message.is_empty() {
                    a.set_message("开通二维码由县里在“终端管理”中生成（county devices add）".into());
                }
                (
                    TechView::Notice,
                    "第二步：请用扫码枪扫描县里给的开通二维码".into(),
                )
            }
            TechnicianStep::Provisioning { .. } => {
                a.set_message("开通后终端程序会自动重启，并开始下载县里的内容".into());
                (TechView::Notice, "正在开通，请稍候……".into())
            }
            TechnicianStep::Provisioned(r) => {
                a.set_message(r.message.clone().into());
                a.set_can_retry(!r.ok);
                (
                    TechView::Notice,
                    if r.ok { "开通成功" } else { "开通未成功" }.into(),
                )
            }
            TechnicianStep::Menu => (TechView::Menu, String::new()),
            TechnicianStep::SelfTest => (TechView::SelfTest, String::new()),
            TechnicianStep::Touch => (TechView::Touch, String::new()),
            TechnicianStep::Display => (TechView::Display, String::new()),
        };
        a.set_view(view);
        a.set_prompt(prompt.into());
        match self.step {
            TechnicianStep::Menu => {
                let desk = ctx.desk.borrow();
                let data_dir = Self::data_dir_of(&desk);
                let lines = maintenance::terminal_status(&StatusInputs {
                    requests: desk.requests(),
                    feed_version: ctx.store.feed_version().ok().flatten().map(|v| v.0),
                    demo: ctx.config.database.is_none(),
                    has_printer: desk.has_printer(),
                    hours: hours.get(),
                    data_dir: &data_dir,
                });
                let rows: Vec<StatusLineData> = lines
                    .into_iter()
                    .map(|l| StatusLineData {
                        label: l.label.into(),
                        value: l.value.into(),
                        problem: l.problem,
                    })
                    .collect();
                a.set_status(ModelRc::new(VecModel::from(rows)));
                let choices = hours_choices();
                let current = choices
                    .iter()
                    .position(|(_, h)| *h == hours.get())
                    .map_or(-1, |i| i as i32);
                let words: Vec<slint::SharedString> =
                    choices.into_iter().map(|(w, _)| w.into()).collect();
                a.set_hours_choices(ModelRc::new(VecModel::from(words)));
                a.set_hours_current(current);
            }
            TechnicianStep::SelfTest => {
                a.set_self_tests(ModelRc::new(VecModel::from(self.self_test_rows(ctx))));
            }
            TechnicianStep::Touch => {
                a.set_touch_hits(ModelRc::new(VecModel::from(self.touch_hits.to_vec())));
            }
            _ => {}
        }
        match self.step {
            TechnicianStep::SelfTest | TechnicianStep::Touch | TechnicianStep::Display => {
                "设备自检"
            }
            _ => "技术维护",
        }
        .to_string()
    }

    fn data_dir_of(desk: &crate::applications::Desk) -> std::path::PathBuf {
        desk.requests()
            .path()
            .parent()
            .map(std::path::Path::to_path_buf)
            .unwrap_or_default()
    }
}

/// The lock in words: until when.
fn locked_words(until: OffsetDateTime) -> String {
    let t = chinese_time(&disclosure::Timestamp::new(until));
    format!("密码连续输错 5 次，已锁定：请于 {t} 后再试")
}
