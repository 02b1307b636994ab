//! 办理进度: a receipt number typed or scanned shows the stages by day;
//! with the receipt's 查询密码 (typed on the same digit pad, shown as dots)
//! the masked details, the county's notes and 补打.

use disclosure::requests::access::{PIN_DIGITS, is_pin};
use disclosure::requests::{ApplicationView, PinCheck, ReceiptNo};
use slint::{ComponentHandle, ModelRc, VecModel};
use time::OffsetDateTime;

use super::context::Context;
use super::models::field_rows;
use super::printing::{PrintTask, take_ended};
use crate::applications::{chinese_time, deadline_text};
use crate::{MainWindow, ProgressAdapter, StatusData};

/// Why an application saved before receipts had a 查询密码 shows its stages only.
pub const NO_PIN: &str =
    "这件申请提交时回执上还没有查询密码：本终端只能显示办理进度，详情和补打请到受理机关办理。";

/// Digits of a receipt number typed at most.
const RECEIPT_DIGITS: usize = 26;

/// What the progress page shows.
#[derive(Debug, Clone, Default)]
pub struct ProgressState {
    /// The receipt number being typed.
    pub typed: String,
    pub message: String,
    /// The number looked up: its stages are shown.
    pub found: Option<ReceiptNo>,
    /// The 查询密码 being typed, once a number is found.
    pub pin_typed: String,
    /// Opened with the right 查询密码.
    pub opened: Option<OpenedApplication>,
    pub print_message: String,
    pub show_qr: bool,
}

/// An application opened with its 查询密码, until the page is left.
#[derive(Debug, Clone)]
pub struct OpenedApplication {
    /// For 补打 and the on-screen receipt.
    pub pin: String,
    pub view: ApplicationView,
}

impl ProgressState {
    /// Whether the keyboard types the 查询密码 (a number found, not yet opened).
    fn typing_pin(&self) -> bool {
        self.found.is_some() && self.opened.is_none()
    }
}

#[derive(Default)]
pub struct ProgressController {
    state: ProgressState,
    printing: Option<PrintTask>,
}

impl ProgressController {
    pub fn state(&self) -> &ProgressState {
        &self.state
    }

    /// From the start: nothing typed, nothing open.
    pub fn reset(&mut self) {
        self.state = ProgressState::default();
    }

    /// A digit: the 查询密码 once a number is found, else the number.
    pub fn key(&mut self, k: &str) {
        let p = &mut self.state;
        let digits = k.chars().all(|c| c.is_ascii_digit());
        if p.typing_pin() {
            if p.pin_typed.len() < PIN_DIGITS && digits {
                p.pin_typed.push_str(k);
            }
        } else if p.found.is_none() && p.typed.len() < RECEIPT_DIGITS && digits {
            p.typed.push_str(k);
        }
        p.message.clear();
    }

    pub fn backspace(&mut self) {
        let p = &mut self.state;
        if p.typing_pin() {
            p.pin_typed.pop();
        } else {
            p.typed.pop();
        }
    }

    /// 清空: the 查询密码 being typed, else everything.
    pub fn clear(&mut self) {
        if self.state.typing_pin() {
            self.state.pin_typed.clear();
        } else {
            self.reset();
        }
    }

    /// 查询: the number typed.
    pub fn lookup_typed(&mut self, ctx: &Context) {
        let typed = self.state.typed.clone();
        self.lookup(ctx, &typed);
    }

    /// Looks up an application by the number typed or scanned.
    pub fn lookup(&mut self, ctx: &Context, text: &str) {
        self.state = ProgressState {
            typed: text
                .chars()
                .filter(|c| c.is_ascii_digit())
                .take(RECEIPT_DIGITS)
                .collect(),
            ..ProgressState::default()
        };
        let p = &mut self.state;
        match ReceiptNo::parse(text) {
            Err(e) => p.message = e.to_string(),
            Ok(no) => match ctx.desk.borrow().stages(&no) {
                Ok(Some(_)) => p.found = Some(no),
                Ok(None) => {
                    p.message = format!(
                        "本终端没有编号为 {no} 的申请。在其他终端提交的申请，请到受理机关或拨打咨询电话查询。"
                    )
                }
                Err(e) => p.message = e.to_string(),
            },
        }
    }

    /// 查看详情: checks the 查询密码 typed for the number found.
    pub fn enter_pin(&mut self, ctx: &Context) {
        let p = &mut self.state;
        let Some(no) = p.found.clone() else {
            return;
        };
        let pin = std::mem::take(&mut p.pin_typed);
        p.message = if !is_pin(&pin) {
            format!("查询密码是回执上回执编号下方的{PIN_DIGITS}位数字")
        } else {
            let check = ctx
                .desk
                .borrow_mut()
                .open_with_pin(&no, &pin, OffsetDateTime::now_utc());
            match check {
                Ok(PinCheck::Opened(view)) => {
                    p.opened = Some(OpenedApplication { pin, view: *view });
                    String::new()
                }
                Ok(PinCheck::Wrong { tries_left }) => {
                    format!("查询密码不对，还可以再试{tries_left}次。")
                }
                Ok(PinCheck::Paused { until }) => format!(
                    "查询密码错误次数太多，请在{}以后再试；也可以带身份证件到受理机关查询。",
                    chinese_time(&until)
                ),
                Ok(PinCheck::NoPin) => NO_PIN.into(),
                Ok(PinCheck::Unknown) => format!("本终端没有编号为 {no} 的申请。"),
                Err(e) => e.to_string(),
            }
        };
    }

    /// 补打回执, unless a receipt is printing already (`printer_busy`).
    pub fn reprint(&mut self, ctx: &Context, printer_busy: bool) {
        let p = &mut self.state;
        let Some(opened) = p.opened.as_ref() else {
            return;
        };
        if printer_busy || self.printing.is_some() {
            return;
        }
        let (no, pin) = (opened.view.receipt_no.clone(), opened.pin.clone());
        let job = ctx.desk.borrow_mut().start_print(&no, &pin, true);
        match job {
            Ok(Some(job)) => {
                p.print_message = "正在补打回执，请稍候…".into();
                self.printing = Some(PrintTask::new(job));
            }
            Ok(None) => {
                p.show_qr = true;
                p.print_message = "本终端没有连接打印机：请用手机扫描二维码保存回执。".into();
            }
            Err(e) => p.print_message = e.to_string(),
        }
    }

    pub fn is_printing(&self) -> bool {
        self.printing.is_some()
    }

    /// Collects the print job once it has ended; whether it had.
    pub fn poll(&mut self, ctx: &Context) -> bool {
        let Some((receipt, end)) = take_ended(&mut self.printing, ctx) else {
            return false;
        };
        if self.state.found.as_ref() == Some(&receipt) {
            self.state.print_message = end.message;
            self.state.show_qr = end.show_qr;
        }
        true
    }

    pub fn fill(&self, ctx: &Context, ui: &MainWindow) -> anyhow::Result<String> {
        let p = &self.state;
        let a = ui.global::<ProgressAdapter>();
        a.set_typed(p.typed.as_str().into());
        a.set_message(p.message.as_str().into());
        a.set_print_message(p.print_message.as_str().into());
        a.set_show_qr(p.show_qr);
        // The 查询密码 as dots: people stand behind the one typing.
        a.set_pin_typed("●".repeat(p.pin_typed.len()).into());
        a.set_opened(p.opened.is_some());
        a.set_found(p.found.is_some());
        if let Some(o) = &p.opened {
            let v = &o.view;
            a.set_receipt_no(v.receipt_no.to_string().into());
            let details = vec![
                ("受理机关", v.body_name.clone()),
                ("受理时间", chinese_time(&v.received_at)),
                ("申请内容", v.wanted.clone()),
                (
                    "申请人",
                    format!("{}（{}）", v.name_masked, v.applicant_kind),
                ),
                ("答复期限", deadline_text(v.deadline)),
                (
                    "获取方式",
                    format!("{}·{}", v.form.name(), v.delivery.name()),
                ),
            ];
            a.set_details(field_rows(details));
            let history: Vec<StatusData> = v
                .history
                .iter()
                .rev()
                .map(|h| StatusData {
                    at: chinese_time(&h.at).into(),
                    status: h.status.name().into(),
                    note: h.note.as_str().into(),
                })
                .collect();
            a.set_history(ModelRc::new(VecModel::from(history)));
            a.set_pin(o.pin.as_str().into());
            if p.show_qr {
                let qr = match v.progress_token.as_deref() {
                    Some(t) => ctx.qr(&ctx.desk.borrow().progress_url(t)),
                    None => slint::Image::default(),
                };
                a.set_qr(qr);
            }
        } else if let Some(no) = &p.found {
            // A number alone: the stages by day, nothing else.
            let stages = ctx.desk.borrow().stages(no)?;
            a.set_receipt_no(no.to_string().into());
            let has_pin = stages.as_ref().is_some_and(|s| s.has_pin);
            a.set_has_pin(has_pin);
            if !has_pin {
                a.set_message(NO_PIN.into());
            }
            a.set_details(field_rows(Vec::<(String, String)>::new()));
            let history: Vec<StatusData> = stages
                .map(|s| s.stages)
                .unwrap_or_default()
                .iter()
                .rev()
                .map(|s| StatusData {
                    at: s.date.chinese().into(),
                    status: s.status.name().into(),
                    note: "".into(),
                })
                .collect();
            a.set_history(ModelRc::new(VecModel::from(history)));
            a.set_pin("".into());
        }
        Ok("办理进度".into())
    }
}
