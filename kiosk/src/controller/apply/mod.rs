//! 依申请公开: the application wizard. One field is edited at a time with
//! the composer; each step is checked before the next; the review shows
//! the personal-data notice; confirming saves the application before its
//! receipt prints; the done step takes a 好差评 rating. Nothing typed
//! outlives the wizard.

mod fields;
mod fill;

pub(crate) use fill::mask_phone;

use disclosure::calendar::Deadline;
use disclosure::requests::routing::LinkedRecord;
use disclosure::requests::{
    ApplicationForm, Delivery, Field, FieldError, IdDocumentKind, ProvideForm, ReceiptNo,
    ReceivingBody,
};
use disclosure::{RegionCode, StoreError};
use time::OffsetDateTime;

pub use fields::{WizardStep, privacy_notice};

use super::context::Context;
use super::idle::FormIdle;
use super::navigator::Target;
use super::printing::{PrintTask, take_ended};
use crate::applications::DeskError;
use crate::composer::{Composer, Edit};
use crate::{ChoiceKind, KeyboardMode, MainWindow};
use fields::{
    composer_rules, field_from_key, field_value, field_value_mut, first_step_of, step_fields,
};
use slint::ComponentHandle;

/// After a successful submission.
#[derive(Debug, Clone)]
pub struct DoneState {
    pub receipt: ReceiptNo,
    /// The 查询密码, shown beside the QR code when the receipt did not print.
    pub pin: String,
    /// The progress token the QR code carries.
    pub token: String,
    pub deadline: Deadline,
    pub print_message: String,
    pub show_qr: bool,
    pub rating: u8,
}

/// The field being typed into and its composer.
#[derive(Debug, Clone)]
pub struct Typing {
    pub field: Field,
    pub composer: Composer,
}

/// The form being filled.
#[derive(Debug, Clone, Default)]
pub struct FormState {
    pub step: WizardStep,
    pub form: ApplicationForm,
    pub body: Option<ReceivingBody>,
    pub typing: Option<Typing>,
    pub errors: Vec<FieldError>,
    pub message: String,
    pub consent: bool,
    pub done: Option<DoneState>,
    /// The idle warning is showing.
    pub warning: bool,
    /// Fields whose values came from the ID card: shown masked; editing
    /// one starts it afresh.
    pub card_fields: Vec<Field>,
    /// The card's address, offered at 获取方式 for 邮寄.
    pub card_address: Option<String>,
    /// What the card filled in, said on the 申请人 step.
    pub card_note: String,
}

impl FormState {
    /// Whether anything personal has been entered.
    pub fn has_input(&self) -> bool {
        let f = &self.form;
        [
            &f.name,
            &f.id_number,
            &f.credit_code,
            &f.contact_person,
            &f.phone,
            &f.address,
            &f.email,
            &f.doc_no,
            &f.description,
        ]
        .iter()
        .any(|s| !s.is_empty())
            || self
                .typing
                .as_ref()
                .is_some_and(|t| !t.composer.composing().is_empty())
    }

    /// Half filled: what the idle warning and wipe protect.
    fn filling(&self) -> bool {
        self.done.is_none() && (self.has_input() || self.step > WizardStep::What)
    }
}

/// What a card placed on the reader did to the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardOutcome {
    /// Name and ID number filled in.
    Filled,
    /// Refused with a message on the form (expired, unreadable…).
    Refused,
    /// Not the 申请人 step of a citizen with a 居民身份证: ignored.
    NotHere,
}

/// What the citizen is told when a card cannot be used.
fn unreadable_message(e: &idcard::ReaderError) -> String {
    use idcard::{CardError, ReaderError};
    match e {
        ReaderError::Card(CardError::NotResidentCard(_)) => {
            "读到的证件不是居民身份证，请手工填写证件号码".into()
        }
        ReaderError::Card(c) => format!("身份证信息无法使用（{c}），请手工填写"),
        _ => "身份证未能读取，请把身份证平放在读卡器上，稍候再试".into(),
    }
}

/// "有N处需要修改".
fn to_correct(n: usize) -> String {
    format!("有{n}处需要修改，请看标红的地方")
}

#[derive(Default)]
pub struct ApplyController {
    state: FormState,
    printing: Option<PrintTask>,
}

impl ApplyController {
    pub fn state(&self) -> &FormState {
        &self.state
    }

    /// Changes the form directly (screenshots, demos): the caller says
    /// what a citizen would have typed.
    pub fn edit_state(&mut self, f: impl FnOnce(&mut FormState)) {
        f(&mut self.state);
    }

    /// A new form, linked to `target` when the citizen was reading an item
    /// or a document. A store that cannot be read is an error, never a
    /// silently unlinked form.
    pub fn open(&mut self, ctx: &Context, target: Option<&Target>) -> Result<(), StoreError> {
        let mut form = ApplicationForm::default();
        let mut linked: Option<(RegionCode, String)> = None;
        match target {
            Some(Target::Item(k)) => {
                if let Some(d) = ctx.store.item(k)? {
                    form.item = Some(k.clone());
                    form.linked_title = Some(d.item.name.clone());
                    linked = Some((d.item.region.clone(), d.item.publisher.clone()));
                }
            }
            Some(Target::Document(k)) => {
                if let Some(v) = ctx.store.document(k)? {
                    form.document = Some(k.clone());
                    form.linked_title = Some(v.document.title.clone());
                    form.doc_no = v.document.doc_no.clone().unwrap_or_default();
                    linked = Some((v.document.region.clone(), v.document.issuer.clone()));
                }
            }
            _ => {}
        }
        let body = ctx.receiving_body(linked.as_ref().map(|(r, p)| LinkedRecord {
            region: r,
            publisher: p,
        }));
        self.state = FormState {
            form,
            body,
            ..FormState::default()
        };
        Ok(())
    }

    /// Drops the form and everything typed into it.
    pub fn wipe(&mut self) {
        self.state = FormState::default();
    }

    /// A choice (公民/法人, 证件类型, 纸质/电子, 获取方式).
    pub fn choose(&mut self, kind: ChoiceKind, i: usize) {
        if matches!(kind, ChoiceKind::Applicant | ChoiceKind::IdKind) {
            // A card's name and number belong to a citizen's 居民身份证.
            self.forget_card_fields(&[Field::Name, Field::IdNumber]);
        }
        let f = &mut self.state.form;
        match kind {
            ChoiceKind::Applicant => f.organisation = i == 1,
            ChoiceKind::IdKind => f.id_kind = IdDocumentKind::ALL.get(i).copied(),
            ChoiceKind::Form => {
                f.form = Some(if i == 1 {
                    ProvideForm::Electronic
                } else {
                    ProvideForm::Paper
                })
            }
            ChoiceKind::Delivery => {
                f.delivery = Some([Delivery::Collect, Delivery::Post, Delivery::Email][i.min(2)]);
                if f.delivery == Some(Delivery::Email) {
                    f.form = Some(ProvideForm::Electronic);
                }
            }
        }
        self.state.errors.clear();
    }

    /// Starts typing into the field with the UI's key `key`. A field the
    /// ID card filled starts empty: its value is never shown in full.
    pub fn edit(&mut self, key: &str) {
        let Some(field) = field_from_key(key) else {
            return;
        };
        self.forget_card_fields(&[field]);
        let f = &self.state.form;
        self.state.typing = Some(Typing {
            field,
            composer: Composer::new(composer_rules(f, field), field_value(f, field)),
        });
    }

    /// Empties those of `fields` the ID card filled.
    fn forget_card_fields(&mut self, fields: &[Field]) {
        let s = &mut self.state;
        for f in fields {
            if let Some(pos) = s.card_fields.iter().position(|c| c == f) {
                s.card_fields.remove(pos);
                field_value_mut(&mut s.form, *f).clear();
            }
        }
        if !s
            .card_fields
            .iter()
            .any(|f| matches!(f, Field::Name | Field::IdNumber))
        {
            s.card_note.clear();
        }
    }

    /// A card placed on the reader. Only the 申请人 step of a citizen
    /// whose 证件类型 is 居民身份证 takes it: name and ID number are filled
    /// in (and shown masked), and the address is kept for 邮寄. An expired
    /// card fills nothing.
    pub fn place_card(&mut self, ctx: &Context, event: &idcard::CardEvent) -> CardOutcome {
        let s = &self.state;
        let resident =
            s.form.id_kind.unwrap_or(IdDocumentKind::ResidentId) == IdDocumentKind::ResidentId;
        if s.step != WizardStep::Who || s.done.is_some() || s.form.organisation || !resident {
            return CardOutcome::NotHere;
        }
        let card = match event {
            idcard::CardEvent::Card(card) => card,
            idcard::CardEvent::Unreadable(e) => {
                self.state.message = unreadable_message(e);
                return CardOutcome::Refused;
            }
        };
        if let idcard::Validity::Until(end) = card.valid_until()
            && card.is_expired(ctx.today())
        {
            tracing::info!("expired ID card refused");
            self.state.message = format!("身份证已过有效期（至{}），请使用有效证件", end.chinese());
            return CardOutcome::Refused;
        }
        // Another card's address, if one was used, is not this citizen's.
        self.forget_card_fields(&[Field::Address]);
        let s = &mut self.state;
        s.typing = None;
        s.form.name = card.name().to_string();
        s.form.id_kind = Some(IdDocumentKind::ResidentId);
        s.form.id_number = card.id_number().as_str().to_string();
        s.card_fields = vec![Field::Name, Field::IdNumber];
        s.card_address = Some(card.address().to_string());
        s.errors
            .retain(|e| !matches!(e.field, Field::Name | Field::IdNumber));
        s.message.clear();
        s.card_note = "已读取身份证：姓名和证件号码已填好，屏幕上只显示部分".into();
        tracing::info!("ID card filled name and ID number");
        CardOutcome::Filled
    }

    /// 使用身份证上的地址: the card's address as the 邮寄 address.
    pub fn use_card_address(&mut self) {
        let s = &mut self.state;
        if s.step != WizardStep::How || s.form.delivery != Some(Delivery::Post) {
            return;
        }
        let Some(address) = s.card_address.clone() else {
            return;
        };
        s.typing = None;
        s.form.address = address;
        if !s.card_fields.contains(&Field::Address) {
            s.card_fields.push(Field::Address);
        }
        s.errors.retain(|e| e.field != Field::Address);
    }

    /// Runs `op` on the composer of the field being typed into, then keeps
    /// the form's value in step with it.
    fn compose(&mut self, op: impl FnOnce(&mut Composer) -> Edit) -> Option<(Field, Edit)> {
        let typing = self.state.typing.as_mut()?;
        let edit = op(&mut typing.composer);
        *field_value_mut(&mut self.state.form, typing.field) = typing.composer.text().into();
        Some((typing.field, edit))
    }

    pub fn key(&mut self, ctx: &Context, k: &str) {
        match ctx.with_vocabulary(|d| self.compose(|c| c.key(k, d))) {
            Some((field, Edit::TooLong)) => {
                self.state.message = format!("{}最多{}个字", field.label(), field.max_chars());
            }
            Some((_, Edit::Changed)) => self.state.message.clear(),
            _ => {}
        }
    }

    pub fn backspace(&mut self, ctx: &Context) {
        ctx.with_vocabulary(|d| {
            self.compose(|c| {
                c.backspace(d);
                Edit::Changed
            })
        });
    }

    pub fn clear(&mut self) {
        self.compose(|c| {
            c.clear();
            Edit::Changed
        });
    }

    pub fn set_mode(&mut self, ctx: &Context, mode: KeyboardMode) {
        ctx.with_vocabulary(|d| self.compose(|c| c.set_mode(mode, d)));
    }

    /// Candidate slot `i` (the last may turn the page).
    /// The room the candidates have under the field being typed into.
    pub fn set_room(&mut self, room: crate::composer::CandidateRoom) {
        if let Some(t) = self.state.typing.as_mut() {
            t.composer.set_room(room);
        }
    }

    pub fn pick(&mut self, i: usize) {
        self.compose(|c| c.pick(i));
    }

    /// 手写 on the field being typed into.
    pub fn pen(&mut self, ctx: &Context, pen: super::handwriting::Pen) {
        self.compose(|c| {
            super::handwriting::apply_pen(ctx, c, pen);
            Edit::Changed
        });
    }

    /// The pad's strokes of the field being typed into onto the page (a
    /// moving finger redraws only this).
    pub fn show_ink(&self, ui: &MainWindow) {
        if let Some(t) = &self.state.typing {
            let a = ui.global::<crate::ApplyAdapter>();
            let ink = t.composer.ink();
            a.set_ink(ink.path_commands().into());
            a.set_ink_width(ink.width);
            a.set_ink_height(ink.height);
        }
    }

    /// 填好了: the field is done; a field marked in error is checked again,
    /// so its mark goes or stays (unmarked fields wait for 下一步).
    pub fn done_typing(&mut self, ctx: &Context) {
        let Some(field) = self.state.typing.as_ref().map(|t| t.field) else {
            return;
        };
        self.compose(|c| {
            c.commit_composing();
            Edit::Changed
        });
        self.state.typing = None;
        if let Some(pos) = self.state.errors.iter().position(|e| e.field == field) {
            let now_wrong = self
                .state
                .form
                .validate(ctx.today())
                .err()
                .and_then(|errs| errs.into_iter().find(|e| e.field == field));
            match now_wrong {
                Some(e) => self.state.errors[pos] = e,
                None => {
                    self.state.errors.remove(pos);
                }
            }
        }
    }

    /// 不是这条: the form no longer names the item or document.
    pub fn unlink(&mut self, ctx: &Context) {
        let f = &mut self.state.form;
        f.item = None;
        f.document = None;
        f.linked_title = None;
        self.state.body = ctx.receiving_body(None);
    }

    /// 工作人员代填 (Art 29), on or off.
    pub fn toggle_staff(&mut self) {
        self.state.form.staff_assisted = !self.state.form.staff_assisted;
    }

    /// 下一步: checks the fields of this step (and the ones before).
    pub fn next(&mut self, ctx: &Context) {
        let step = self.state.step;
        if step >= WizardStep::Review {
            return;
        }
        let errs = self
            .state
            .form
            .validate(ctx.today())
            .err()
            .unwrap_or_default();
        let here: Vec<Field> = WizardStep::FORM
            .into_iter()
            .filter(|s| *s <= step)
            .flat_map(|s| step_fields(&self.state.form, s))
            .collect();
        let mine: Vec<FieldError> = errs
            .into_iter()
            .filter(|e| here.contains(&e.field))
            .collect();
        if mine.is_empty() {
            self.state.errors.clear();
            self.state.message.clear();
            self.state.step = step.next();
        } else {
            self.state.message = to_correct(mine.len());
            self.state.errors = mine;
        }
    }

    /// 上一步.
    pub fn previous(&mut self) {
        self.state.step = self.state.step.previous();
        self.state.message.clear();
    }

    pub fn toggle_consent(&mut self) {
        self.state.consent = !self.state.consent;
    }

    /// 确认提交: saves the application, then prints its receipt.
    pub fn confirm(&mut self, ctx: &Context) {
        let s = &mut self.state;
        if s.step != WizardStep::Review || !s.consent || s.done.is_some() {
            return;
        }
        let Some(body) = s.body.clone() else {
            s.message = "无法确定受理机关，请到窗口办理".into();
            return;
        };
        let result = ctx
            .desk
            .borrow_mut()
            .submit(&s.form, &body, OffsetDateTime::now_utc());
        match result {
            Ok(sub) => {
                tracing::info!(receipt = %sub.receipt_no, "application taken");
                let job =
                    ctx.desk
                        .borrow_mut()
                        .start_print(&sub.receipt_no, &sub.secrets.pin, false);
                // What was typed is on disk now; keep nothing personal here.
                s.form = ApplicationForm::default();
                s.typing = None;
                let mut done = DoneState {
                    receipt: sub.receipt_no.clone(),
                    pin: sub.secrets.pin.clone(),
                    token: sub.secrets.token.clone(),
                    deadline: sub.deadline,
                    print_message: String::new(),
                    show_qr: false,
                    rating: 0,
                };
                match job {
                    Ok(Some(job)) => {
                        done.print_message = "正在打印回执，请稍候…".into();
                        self.printing = Some(PrintTask::new(job));
                    }
                    Ok(None) => {
                        done.show_qr = true;
                        done.print_message =
                            "本终端没有连接打印机：请用手机扫描右侧二维码保存回执，并记下回执编号和查询密码。".into();
                    }
                    Err(e) => {
                        done.show_qr = true;
                        done.print_message = format!(
                            "回执未能打印（{e}）：请用手机扫描右侧二维码保存回执，并记下回执编号和查询密码。"
                        );
                    }
                }
                s.done = Some(done);
                s.step = WizardStep::Done;
                s.message.clear();
            }
            Err(DeskError::Invalid(errs)) => {
                let fields: Vec<Field> = errs.iter().map(|e| e.field).collect();
                s.step = first_step_of(&s.form, &fields);
                s.message = to_correct(errs.len());
                s.errors = errs;
            }
            Err(e @ (DeskError::Store(_) | DeskError::WrongPin)) => {
                tracing::error!("application not saved: {e}");
                s.message = format!("申请未能保存：{e}。请到窗口办理，或联系工作人员。");
            }
        }
    }

    /// 好差评, once.
    pub fn rate(&mut self, ctx: &Context, level: u8) {
        let Some(done) = self.state.done.as_mut() else {
            return;
        };
        if done.rating != 0 || !(1..=5).contains(&level) {
            return;
        }
        match ctx
            .desk
            .borrow_mut()
            .rate(&done.receipt, level, OffsetDateTime::now_utc())
        {
            Ok(_) => done.rating = level,
            Err(e) => tracing::warn!("rating not saved: {e}"),
        }
    }

    /// Whether a receipt is printing.
    pub fn is_printing(&self) -> bool {
        self.printing.is_some()
    }

    /// Collects the print job once it has ended; whether it had.
    pub fn poll(&mut self, ctx: &Context) -> bool {
        let Some((receipt, end)) = take_ended(&mut self.printing, ctx) else {
            return false;
        };
        if let Some(d) = self.state.done.as_mut().filter(|d| d.receipt == receipt) {
            d.print_message = end.message;
            d.show_qr = end.show_qr;
        }
        true
    }

    /// The idle clocks of a half-filled form; `None` when nothing would be
    /// lost.
    pub fn idle(&self, ctx: &Context) -> Option<FormIdle> {
        self.state.filling().then(|| {
            FormIdle::of(
                &ctx.config.applications,
                self.state.form.staff_assisted,
                self.state.warning,
            )
        })
    }

    /// The idle warning on (with the seconds left) or off.
    pub fn warn(&mut self, warning: bool) {
        self.state.warning = warning;
    }

    /// A scan arriving now would be lost into nothing: someone is typing.
    pub fn has_input(&self) -> bool {
        self.state.has_input()
    }
}
