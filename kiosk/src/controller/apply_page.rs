//! The application wizard and the progress page: the form being filled,
//! one field at a time with the kiosk's keyboard; submission; the print
//! job and its outcome; the idle warning and wipe; lookups by receipt
//! number (typed or scanned): the stages only, then with the receipt's
//! 查询密码 the details and 补打.

use disclosure::calendar::Deadline;
use disclosure::requests::access::{PIN_DIGITS, is_pin};
use disclosure::requests::routing::LinkedRecord;
use disclosure::requests::{
    ApplicationForm, ApplicationView, Delivery, Field, FieldError, IdDocumentKind, PinCheck,
    PrintOutcome, ProvideForm, ReceiptNo, ReceivingBody,
};
use printer::PrintError;
use slint::{ComponentHandle, ModelRc, SharedString, VecModel};
use time::OffsetDateTime;

use super::{App, Page, State, Target, field_rows};
use crate::applications::{DeskError, PrintJob, chinese_time, deadline_text};
use crate::ime::{MAX_CANDIDATES, syllable_chars};
use crate::qr::qr_image;
use crate::{ApplyAdapter, ChoiceData, FormFieldData, MainWindow, ProgressAdapter, StatusData};

/// The steps of the wizard.
pub const STEP_WHAT: usize = 0;
pub const STEP_WHO: usize = 1;
pub const STEP_HOW: usize = 2;
pub const STEP_REVIEW: usize = 3;
pub const STEP_DONE: usize = 4;

/// The personal-data notice (个人信息保护法 Arts 17, 35), shown before
/// confirming.
pub fn privacy_notice(body: &str) -> String {
    format!(
        "个人信息告知：本终端收集您的姓名（或单位名称）、证件号码、联系电话，以及邮寄地址或电子邮箱（如选择），\
         仅用于{body}受理、办理和答复本次政府信息公开申请，不作他用。\
         这些信息保存在本终端，直到送达{body}后即从本终端删除；回执和屏幕上的证件号码、电话只显示部分数字。\
         本终端不拍摄、不保存身份证照片。{body}按档案管理规定保存申请材料。"
    )
}

/// Where a print job was started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrintOrigin {
    Done,
    Progress,
}

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

/// The form being filled.
#[derive(Debug, Clone, Default)]
pub struct FormState {
    pub step: usize,
    pub form: ApplicationForm,
    pub body: Option<ReceivingBody>,
    pub editing: Option<Field>,
    pub mode: String,
    pub composing: String,
    pub candidates: Vec<String>,
    pub candidate_page: usize,
    pub errors: Vec<FieldError>,
    pub message: String,
    pub consent: bool,
    pub done: Option<DoneState>,
    pub warning: bool,
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
            || !self.composing.is_empty()
    }
}

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

/// The fields of each step of the form.
fn step_fields(form: &ApplicationForm, step: usize) -> Vec<Field> {
    match step {
        STEP_WHAT => vec![Field::Description, Field::DocNo],
        STEP_WHO if form.organisation => vec![
            Field::Name,
            Field::CreditCode,
            Field::ContactPerson,
            Field::Phone,
        ],
        STEP_WHO => vec![Field::Name, Field::IdNumber, Field::Phone],
        STEP_HOW => match form.delivery {
            Some(Delivery::Post) => vec![Field::Address],
            Some(Delivery::Email) => vec![Field::Email],
            _ => vec![],
        },
        _ => vec![],
    }
}

fn field_value(form: &ApplicationForm, f: Field) -> &str {
    match f {
        Field::Name => &form.name,
        Field::IdNumber => &form.id_number,
        Field::CreditCode => &form.credit_code,
        Field::ContactPerson => &form.contact_person,
        Field::Phone => &form.phone,
        Field::Address => &form.address,
        Field::Email => &form.email,
        Field::DocNo => &form.doc_no,
        Field::Description => &form.description,
    }
}

fn field_value_mut(form: &mut ApplicationForm, f: Field) -> &mut String {
    match f {
        Field::Name => &mut form.name,
        Field::IdNumber => &mut form.id_number,
        Field::CreditCode => &mut form.credit_code,
        Field::ContactPerson => &mut form.contact_person,
        Field::Phone => &mut form.phone,
        Field::Address => &mut form.address,
        Field::Email => &mut form.email,
        Field::DocNo => &mut form.doc_no,
        Field::Description => &mut form.description,
    }
}

fn field_from_key(key: &str) -> Option<Field> {
    [
        Field::Name,
        Field::IdNumber,
        Field::CreditCode,
        Field::ContactPerson,
        Field::Phone,
        Field::Address,
        Field::Email,
        Field::DocNo,
        Field::Description,
    ]
    .into_iter()
    .find(|f| f.key() == key)
}

/// The label of a field on this form (姓名 or 单位名称…).
fn field_label(form: &ApplicationForm, f: Field) -> String {
    match f {
        Field::Name if form.organisation => "单位名称".into(),
        Field::Name => "姓名".into(),
        Field::IdNumber => format!(
            "{}号码",
            form.id_kind.unwrap_or(IdDocumentKind::ResidentId).name()
        ),
        Field::Description => "所需信息".into(),
        Field::DocNo => "文号（知道的话）".into(),
        other => other.label().into(),
    }
}

fn field_hint(form: &ApplicationForm, f: Field) -> &'static str {
    match f {
        Field::Description if form.item.is_some() || form.document.is_some() => {
            "可补充说明（选填）"
        }
        Field::Description => "点这里，用拼音输入",
        Field::DocNo => "选填，如 云政办〔2025〕12号",
        Field::Name | Field::ContactPerson | Field::Address => "点这里，用拼音输入",
        Field::IdNumber => "点这里，输入证件号码",
        Field::CreditCode => "18位，在营业执照上",
        Field::Phone => "手机或固定电话",
        Field::Email => "如 name@example.com",
    }
}

/// Keyboard modes and extra keys for a field.
fn keyboard_for(form: &ApplicationForm, f: Field) -> (Vec<&'static str>, Vec<&'static str>) {
    match f {
        Field::Name | Field::ContactPerson | Field::Description => {
            (vec!["pinyin", "letters", "digits"], vec![])
        }
        Field::Address => (vec!["pinyin", "digits", "letters"], vec!["号", "-"]),
        Field::DocNo => (vec!["pinyin", "digits"], vec!["〔", "〕", "号"]),
        Field::IdNumber
            if form.id_kind.unwrap_or(IdDocumentKind::ResidentId) == IdDocumentKind::ResidentId =>
        {
            (vec!["digits"], vec!["X"])
        }
        Field::IdNumber | Field::CreditCode => (vec!["digits", "letters"], vec![]),
        Field::Phone => (vec!["digits"], vec!["-"]),
        Field::Email => (vec!["letters", "digits"], vec!["@", ".", "-", "_"]),
    }
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

impl App {
    /// Opens the wizard, linked to `target` when the citizen was reading
    /// an item or a document.
    pub fn open_apply(&self, target: Option<Target>) {
        {
            let mut st = self.state.borrow_mut();
            let mut form = ApplicationForm::default();
            let mut linked: Option<(disclosure::RegionCode, String)> = None;
            match &target {
                Some(Target::Item(k)) => {
                    if let Ok(Some(d)) = st.store.item(k) {
                        form.item = Some(k.clone());
                        form.linked_title = Some(d.item.name.clone());
                        linked = Some((d.item.region.clone(), d.item.publisher.clone()));
                    }
                }
                Some(Target::Document(k)) => {
                    if let Ok(Some(v)) = st.store.document(k) {
                        form.document = Some(k.clone());
                        form.linked_title = Some(v.document.title.clone());
                        form.doc_no = v.document.doc_no.clone().unwrap_or_default();
                        linked = Some((v.document.region.clone(), v.document.issuer.clone()));
                    }
                }
                _ => {}
            }
            let body = st.receiving_body(linked.as_ref().map(|(r, p)| LinkedRecord {
                region: r,
                publisher: p,
            }));
            st.form = FormState {
                form,
                body,
                mode: "pinyin".into(),
                ..FormState::default()
            };
        }
        self.navigate(Page::Apply);
    }

    /// Fills the form with a fictional applicant (screenshots, demos).
    pub fn fill_sample_form(&self) {
        {
            let mut st = self.state.borrow_mut();
            let f = &mut st.form.form;
            f.name = "王秀英".into();
            f.id_kind = Some(IdDocumentKind::ResidentId);
            f.id_number = "11010519491231002X".into();
            f.phone = "13800138000".into();
            f.description = "2025年本村低保对象名单及补助标准".into();
        }
        self.show(Page::Apply);
    }

    /// Jumps to a step (screenshots).
    pub fn set_step(&self, step: usize) {
        self.state.borrow_mut().form.step = step.min(STEP_REVIEW);
        self.show(Page::Apply);
    }

    /// Drops the form and everything typed into it.
    pub fn wipe_form(&self) {
        let mut st = self.state.borrow_mut();
        st.form = FormState::default();
    }

    pub fn form_state(&self) -> FormState {
        self.state.borrow().form.clone()
    }

    pub(super) fn wire_apply(&self, ui: &MainWindow) {
        let a = ui.global::<ApplyAdapter>();
        let app = self.clone();
        a.on_choose(move |key, i| {
            app.touched();
            app.choose(&key, usize::try_from(i).unwrap_or(0));
        });
        let app = self.clone();
        a.on_edit(move |key| {
            app.touched();
            app.edit(&key);
        });
        let app = self.clone();
        a.on_key(move |k| {
            app.touched();
            app.form_key(&k);
        });
        let app = self.clone();
        a.on_backspace(move || {
            app.touched();
            app.form_backspace();
        });
        let app = self.clone();
        a.on_clear(move || {
            app.touched();
            app.form_clear();
        });
        let app = self.clone();
        a.on_set_mode(move |m| {
            app.touched();
            app.form_mode(&m);
        });
        let app = self.clone();
        a.on_pick(move |i| {
            app.touched();
            app.form_pick(usize::try_from(i).unwrap_or(usize::MAX));
        });
        let app = self.clone();
        a.on_done_typing(move || {
            app.touched();
            app.done_typing();
        });
        let app = self.clone();
        a.on_unlink(move || {
            app.touched();
            {
                let mut st = app.state.borrow_mut();
                st.form.form.item = None;
                st.form.form.document = None;
                st.form.form.linked_title = None;
                st.form.body = st.receiving_body(None);
            }
            app.show(Page::Apply);
        });
        let app = self.clone();
        a.on_toggle_staff(move || {
            app.touched();
            {
                let mut st = app.state.borrow_mut();
                st.form.form.staff_assisted = !st.form.form.staff_assisted;
            }
            app.show(Page::Apply);
        });
        let app = self.clone();
        a.on_next(move || {
            app.touched();
            app.next_step();
        });
        let app = self.clone();
        a.on_previous(move || {
            app.touched();
            {
                let mut st = app.state.borrow_mut();
                st.form.step = st.form.step.saturating_sub(1);
                st.form.message.clear();
            }
            app.show(Page::Apply);
        });
        let app = self.clone();
        a.on_toggle_consent(move || {
            app.touched();
            {
                let mut st = app.state.borrow_mut();
                st.form.consent = !st.form.consent;
            }
            app.show(Page::Apply);
        });
        let app = self.clone();
        a.on_confirm(move || {
            app.touched();
            app.confirm();
        });
        let app = self.clone();
        a.on_rate(move |level| {
            app.touched();
            app.rate(u8::try_from(level).unwrap_or(0));
        });
        let app = self.clone();
        a.on_finish(move || {
            app.touched();
            app.wipe_form();
            app.go_home();
        });
        let app = self.clone();
        a.on_keep_going(move || {
            app.touched();
            app.state.borrow_mut().form.warning = false;
            app.show(Page::Apply);
        });

        let p = ui.global::<ProgressAdapter>();
        let app = self.clone();
        p.on_key(move |k| {
            app.touched();
            {
                let mut st = app.state.borrow_mut();
                let p = &mut st.progress;
                let digits = k.chars().all(|c| c.is_ascii_digit());
                if p.typing_pin() {
                    if p.pin_typed.len() < PIN_DIGITS && digits {
                        p.pin_typed.push_str(&k);
                    }
                } else if p.found.is_none() && p.typed.len() < 26 && digits {
                    p.typed.push_str(&k);
                }
                p.message.clear();
            }
            app.show(Page::Progress);
        });
        let app = self.clone();
        p.on_backspace(move || {
            app.touched();
            {
                let mut st = app.state.borrow_mut();
                let p = &mut st.progress;
                if p.typing_pin() {
                    p.pin_typed.pop();
                } else {
                    p.typed.pop();
                }
            }
            app.show(Page::Progress);
        });
        let app = self.clone();
        p.on_clear(move || {
            app.touched();
            {
                let mut st = app.state.borrow_mut();
                if st.progress.typing_pin() {
                    st.progress.pin_typed.clear();
                } else {
                    st.progress = ProgressState::default();
                }
            }
            app.show(Page::Progress);
        });
        let app = self.clone();
        p.on_open_details(move || {
            app.touched();
            app.enter_pin();
        });
        let app = self.clone();
        p.on_lookup(move || {
            app.touched();
            let typed = app.state.borrow().progress.typed.clone();
            app.lookup(&typed);
        });
        let app = self.clone();
        p.on_reprint(move || {
            app.touched();
            app.reprint();
        });
        let app = self.clone();
        p.on_another(move || {
            app.touched();
            app.state.borrow_mut().progress = ProgressState::default();
            app.show(Page::Progress);
        });
    }

    pub fn choose(&self, key: &str, i: usize) {
        {
            let mut st = self.state.borrow_mut();
            let f = &mut st.form.form;
            match key {
                "applicant" => f.organisation = i == 1,
                "id-kind" => {
                    f.id_kind = IdDocumentKind::ALL.get(i).copied();
                }
                "form" => {
                    f.form = Some(if i == 1 {
                        ProvideForm::Electronic
                    } else {
                        ProvideForm::Paper
                    })
                }
                "delivery" => {
                    f.delivery =
                        Some([Delivery::Collect, Delivery::Post, Delivery::Email][i.min(2)]);
                    if f.delivery == Some(Delivery::Email) {
                        f.form = Some(ProvideForm::Electronic);
                    }
                }
                _ => return,
            }
            st.form.errors.clear();
        }
        self.show(Page::Apply);
    }

    /// Starts editing a field with the keyboard.
    pub fn edit(&self, key: &str) {
        let Some(field) = field_from_key(key) else {
            return;
        };
        {
            let mut st = self.state.borrow_mut();
            let (modes, _) = keyboard_for(&st.form.form, field);
            st.form.editing = Some(field);
            st.form.mode = modes[0].to_string();
            st.form.composing.clear();
            st.form.candidates.clear();
            st.form.candidate_page = 0;
        }
        self.show(Page::Apply);
    }

    fn refresh_form_candidates(&self) {
        let mut st = self.state.borrow_mut();
        let composing = st.form.composing.clone();
        if st.form.mode != "pinyin" || composing.is_empty() {
            st.form.candidates.clear();
            return;
        }
        let names = matches!(st.form.editing, Some(Field::Name | Field::ContactPerson))
            && !st.form.form.organisation;
        let slot = st.ime.clone();
        let mut c: Vec<String> = Vec::new();
        let singles: Vec<String> = syllable_chars(&composing, names)
            .into_iter()
            .map(String::from)
            .collect();
        // Names: characters first (surnames, then common ones); other
        // fields: words from the terminal's content first.
        if names {
            c.extend(singles.iter().cloned());
        }
        if let Some(d) = &*slot.lock().unwrap_or_else(|e| e.into_inner()) {
            for w in d.candidates_all(&composing) {
                if !c.contains(&w) {
                    c.push(w);
                }
            }
        }
        for s in singles {
            if !c.contains(&s) {
                c.push(s);
            }
        }
        st.form.candidates = c;
        st.form.candidate_page = 0;
    }

    pub fn form_key(&self, k: &str) {
        {
            let mut st = self.state.borrow_mut();
            let Some(field) = st.form.editing else { return };
            let mode = st.form.mode.clone();
            let upper = matches!(field, Field::IdNumber | Field::CreditCode);
            if mode == "pinyin" && k.len() == 1 && k.chars().all(|c| c.is_ascii_lowercase()) {
                if st.form.composing.len() < 24 {
                    st.form.composing.push_str(k);
                }
            } else {
                let text = if upper {
                    k.to_ascii_uppercase()
                } else {
                    k.to_string()
                };
                let max = field.max_chars();
                let v = field_value_mut(&mut st.form.form, field);
                if v.chars().count() + text.chars().count() <= max {
                    v.push_str(&text);
                    st.form.message.clear();
                } else {
                    st.form.message = format!("{}最多{}个字", field.label(), max);
                }
            }
        }
        self.refresh_form_candidates();
        self.show(Page::Apply);
    }

    pub fn form_backspace(&self) {
        {
            let mut st = self.state.borrow_mut();
            let Some(field) = st.form.editing else { return };
            if st.form.composing.pop().is_none() {
                field_value_mut(&mut st.form.form, field).pop();
            }
        }
        self.refresh_form_candidates();
        self.show(Page::Apply);
    }

    pub fn form_clear(&self) {
        {
            let mut st = self.state.borrow_mut();
            let Some(field) = st.form.editing else { return };
            st.form.composing.clear();
            field_value_mut(&mut st.form.form, field).clear();
        }
        self.refresh_form_candidates();
        self.show(Page::Apply);
    }

    pub fn form_mode(&self, mode: &str) {
        {
            let mut st = self.state.borrow_mut();
            let Some(field) = st.form.editing else { return };
            let (modes, _) = keyboard_for(&st.form.form, field);
            if !modes.contains(&mode) {
                return;
            }
            // Letters not turned into characters are kept as letters.
            let pending = std::mem::take(&mut st.form.composing);
            field_value_mut(&mut st.form.form, field).push_str(&pending);
            st.form.mode = mode.to_string();
        }
        self.refresh_form_candidates();
        self.show(Page::Apply);
    }

    /// Candidate `i` of the page shown; the last slot turns the page.
    pub fn form_pick(&self, i: usize) {
        {
            let mut st = self.state.borrow_mut();
            let Some(field) = st.form.editing else { return };
            let page = st.form.candidate_page;
            let per = MAX_CANDIDATES;
            let total = st.form.candidates.len();
            let more = total > (page + 1) * per;
            if more && i == per {
                st.form.candidate_page += 1;
            } else if !more && page > 0 && i == total - page * per {
                st.form.candidate_page = 0; // back to the first page
            } else if let Some(w) = st.form.candidates.get(page * per + i).cloned() {
                let max = field.max_chars();
                let v = field_value_mut(&mut st.form.form, field);
                if v.chars().count() + w.chars().count() <= max {
                    v.push_str(&w);
                }
                st.form.composing.clear();
                st.form.candidates.clear();
                st.form.candidate_page = 0;
            }
        }
        self.show(Page::Apply);
    }

    pub fn done_typing(&self) {
        {
            let mut st = self.state.borrow_mut();
            if let Some(field) = st.form.editing.take() {
                let pending = std::mem::take(&mut st.form.composing);
                field_value_mut(&mut st.form.form, field).push_str(&pending);
                st.form.candidates.clear();
                // A field marked in error is checked again, so its mark
                // goes or stays; unmarked fields wait for 下一步.
                if let Some(pos) = st.form.errors.iter().position(|e| e.field == field) {
                    let today = disclosure::Date::today_in_china();
                    let now_wrong = st
                        .form
                        .form
                        .validate(today)
                        .err()
                        .and_then(|errs| errs.into_iter().find(|e| e.field == field));
                    match now_wrong {
                        Some(e) => st.form.errors[pos] = e,
                        None => {
                            st.form.errors.remove(pos);
                        }
                    }
                }
            }
        }
        self.show(Page::Apply);
    }

    /// 下一步: checks the fields of this step (and the ones before).
    pub fn next_step(&self) {
        {
            let mut st = self.state.borrow_mut();
            let step = st.form.step;
            if step >= STEP_REVIEW {
                return;
            }
            let today = disclosure::Date::today_in_china();
            let errs = st.form.form.validate(today).err().unwrap_or_default();
            let here: Vec<Field> = (0..=step)
                .flat_map(|s| step_fields(&st.form.form, s))
                .collect();
            let mine: Vec<FieldError> = errs
                .into_iter()
                .filter(|e| here.contains(&e.field))
                .collect();
            if mine.is_empty() {
                st.form.errors.clear();
                st.form.message.clear();
                st.form.step += 1;
            } else {
                st.form.message = format!("有{}处需要修改，请看标红的地方", mine.len());
                st.form.errors = mine;
            }
        }
        self.show(Page::Apply);
    }

    /// 确认提交: saves the application, then prints its receipt.
    pub fn confirm(&self) {
        let result = {
            let mut st = self.state.borrow_mut();
            if st.form.step != STEP_REVIEW || !st.form.consent || st.form.done.is_some() {
                return;
            }
            let Some(body) = st.form.body.clone() else {
                st.form.message = "无法确定受理机关，请到窗口办理".into();
                drop(st);
                self.show(Page::Apply);
                return;
            };
            let form = st.form.form.clone();
            st.desk.submit(&form, &body, now())
        };
        match result {
            Ok(sub) => {
                tracing::info!(receipt = %sub.receipt_no, "application taken");
                let job = self.state.borrow_mut().desk.start_print(
                    &sub.receipt_no,
                    &sub.secrets.pin,
                    false,
                );
                let mut st = self.state.borrow_mut();
                // What was typed is on disk now; keep nothing personal here.
                st.form.form = ApplicationForm::default();
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
                        st.print_job = Some((job, PrintOrigin::Done));
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
                st.form.done = Some(done);
                st.form.step = STEP_DONE;
                st.form.message.clear();
            }
            Err(DeskError::Invalid(errs)) => {
                let mut st = self.state.borrow_mut();
                let first = errs
                    .iter()
                    .filter_map(|e| {
                        (0..STEP_REVIEW).find(|s| step_fields(&st.form.form, *s).contains(&e.field))
                    })
                    .min()
                    .unwrap_or(STEP_WHAT);
                st.form.step = first;
                st.form.message = format!("有{}处需要修改，请看标红的地方", errs.len());
                st.form.errors = errs;
            }
            Err(e @ (DeskError::Store(_) | DeskError::WrongPin)) => {
                tracing::error!("application not saved: {e}");
                self.state.borrow_mut().form.message =
                    format!("申请未能保存：{e}。请到窗口办理，或联系工作人员。");
            }
        }
        self.show(Page::Apply);
    }

    fn rate(&self, level: u8) {
        {
            let mut st = self.state.borrow_mut();
            let State { desk, form, .. } = &mut *st;
            let Some(done) = form.done.as_mut() else {
                return;
            };
            if done.rating != 0 || !(1..=5).contains(&level) {
                return;
            }
            match desk.rate(&done.receipt, level, now()) {
                Ok(_) => done.rating = level,
                Err(e) => tracing::warn!("rating not saved: {e}"),
            }
        }
        self.show(Page::Apply);
    }

    /// Looks up an application by the number typed or scanned.
    pub fn lookup(&self, text: &str) {
        {
            let mut st = self.state.borrow_mut();
            st.progress = ProgressState {
                typed: text
                    .chars()
                    .filter(|c| c.is_ascii_digit())
                    .take(26)
                    .collect(),
                ..ProgressState::default()
            };
            match ReceiptNo::parse(text) {
                Err(e) => st.progress.message = e.to_string(),
                Ok(no) => match st.desk.stages(&no) {
                    Ok(Some(_)) => st.progress.found = Some(no),
                    Ok(None) => {
                        st.progress.message = format!(
                            "本终端没有编号为 {no} 的申请。在其他终端提交的申请，请到受理机关或拨打咨询电话查询。"
                        )
                    }
                    Err(e) => st.progress.message = e.to_string(),
                },
            }
        }
        self.navigate(Page::Progress);
    }

    /// 查看详情: checks the 查询密码 typed for the number found.
    pub fn enter_pin(&self) {
        {
            let mut st = self.state.borrow_mut();
            let Some(no) = st.progress.found.clone() else {
                return;
            };
            let pin = std::mem::take(&mut st.progress.pin_typed);
            st.progress.message = if !is_pin(&pin) {
                format!("查询密码是回执上回执编号下方的{PIN_DIGITS}位数字")
            } else {
                match st.desk.open_with_pin(&no, &pin, now()) {
                    Ok(PinCheck::Opened(view)) => {
                        st.progress.opened = Some(OpenedApplication { pin, view: *view });
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
        self.show(Page::Progress);
    }

    /// A scan from the barcode scanner.
    pub fn scanned(&self, text: &str) {
        if self.page() == Page::Apply && self.state.borrow().form.has_input() {
            tracing::info!("scan ignored while a form is being filled");
            return;
        }
        self.touched();
        self.lookup(text);
    }

    fn reprint(&self) {
        {
            let mut st = self.state.borrow_mut();
            let Some(opened) = st.progress.opened.as_ref() else {
                return;
            };
            let (no, pin) = (opened.view.receipt_no.clone(), opened.pin.clone());
            if st.print_job.is_some() {
                return;
            }
            match st.desk.start_print(&no, &pin, true) {
                Ok(Some(job)) => {
                    st.progress.print_message = "正在补打回执，请稍候…".into();
                    st.print_job = Some((job, PrintOrigin::Progress));
                }
                Ok(None) => {
                    st.progress.show_qr = true;
                    st.progress.print_message =
                        "本终端没有连接打印机：请用手机扫描二维码保存回执。".into();
                }
                Err(e) => st.progress.print_message = e.to_string(),
            }
        }
        self.show(Page::Progress);
    }

    /// Collects a finished print job and scanner input; called every
    /// 100 ms by a timer.
    pub fn poll(&self) {
        let scans: Vec<String> = {
            let st = self.state.borrow();
            st.scans
                .as_ref()
                .map(|r| r.try_iter().collect())
                .unwrap_or_default()
        };
        for s in scans {
            self.scanned(&s);
        }
        let finished = {
            let st = self.state.borrow();
            st.print_job.as_ref().and_then(|(job, _)| job.try_result())
        };
        if let Some(result) = finished {
            let (job, origin) = self.state.borrow_mut().print_job.take().expect("a job");
            self.finish_print(job, origin, result);
        }
    }

    /// Waits for the running print job (tests, screenshots).
    pub fn wait_for_print(&self, limit: std::time::Duration) -> bool {
        let start = std::time::Instant::now();
        while start.elapsed() < limit {
            self.poll();
            if self.state.borrow().print_job.is_none() {
                return true;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        false
    }

    fn finish_print(
        &self,
        job: PrintJob,
        origin: PrintOrigin,
        result: Result<printer::PrintReport, PrintError>,
    ) {
        let (outcome, message, show_qr) = match &result {
            Ok(report) => {
                if report.paper_near_end {
                    tracing::warn!("receipt printer: paper near end — please replace the roll");
                }
                let m = if job.reprint {
                    "已补打回执（标有“补打”），请取走。"
                } else {
                    "回执已打印，请从出纸口取走。"
                };
                (PrintOutcome::Printed, m.to_string(), false)
            }
            Err(e) => {
                tracing::warn!(receipt = %job.receipt_no, "receipt not printed: {e}");
                (
                    PrintOutcome::ShownOnScreen {
                        detail: e.to_string(),
                    },
                    format!(
                        "{e}，回执未能打印。您的申请已受理，不受影响：请用手机扫描二维码保存回执，或记下回执编号，并告知工作人员。"
                    ),
                    true,
                )
            }
        };
        // The printer's state for the sync agent's health report.
        let printer_state = match &result {
            Ok(r) if r.paper_near_end => "near_end",
            Ok(_) => "ok",
            Err(printer::PrintError::Blocked { state, .. }) if state.paper_out => "paper_out",
            Err(_) => "error",
        };
        {
            let mut st = self.state.borrow_mut();
            if let Err(e) = st
                .desk
                .record_print(&job.receipt_no, job.reprint, &outcome, now())
            {
                tracing::warn!("print not recorded: {e}");
            }
            if let Err(e) = st.desk.record_printer_state(printer_state, now()) {
                tracing::warn!("printer state not recorded: {e}");
            }
            match origin {
                PrintOrigin::Done => {
                    if let Some(d) = st
                        .form
                        .done
                        .as_mut()
                        .filter(|d| d.receipt == job.receipt_no)
                    {
                        d.print_message = message;
                        d.show_qr = show_qr;
                    }
                }
                PrintOrigin::Progress => {
                    if st.progress.found.as_ref() == Some(&job.receipt_no) {
                        st.progress.print_message = message;
                        st.progress.show_qr = show_qr;
                    }
                }
            }
        }
        let page = self.page();
        if matches!(page, Page::Apply | Page::Progress) {
            self.show(page);
        }
    }

    /// The idle rules of the form: a warning, then the wipe. Returns
    /// whether the form handled the tick.
    pub(super) fn form_tick(&self, idle: std::time::Duration) -> bool {
        let (warn, wipe, filling, warning) = {
            let st = self.state.borrow();
            let a = &st.config.applications;
            let wipe = if st.form.form.staff_assisted {
                a.staff_wipe_after_secs
            } else {
                a.wipe_after_secs
            };
            let warn = wipe - (a.wipe_after_secs - a.warn_after_secs).min(wipe);
            (
                warn,
                wipe,
                st.form.done.is_none() && (st.form.has_input() || st.form.step > STEP_WHAT),
                st.form.warning,
            )
        };
        if !filling {
            return false;
        }
        let secs = idle.as_secs();
        if secs >= wipe {
            tracing::info!("half-filled application wiped after {secs}s without a touch");
            self.wipe_form();
            self.go_home();
        } else if secs >= warn {
            self.state.borrow_mut().form.warning = true;
            if let Some(ui) = self.ui.upgrade() {
                let a = ui.global::<ApplyAdapter>();
                a.set_warning(true);
                a.set_warning_secs((wipe - secs) as i32);
            }
        } else if warning {
            self.state.borrow_mut().form.warning = false;
            if let Some(ui) = self.ui.upgrade() {
                ui.global::<ApplyAdapter>().set_warning(false);
            }
        }
        true
    }

    pub(super) fn fill_apply(&self, ui: &MainWindow) {
        let st = self.state.borrow();
        let fs = &st.form;
        let f = &fs.form;
        let a = ui.global::<ApplyAdapter>();
        a.set_step(fs.step as i32);
        a.set_linked_title(f.linked_title.clone().unwrap_or_default().into());
        a.set_staff_assisted(f.staff_assisted);
        a.set_warning(fs.warning);
        let choice = |key: &str, label: &str, options: &[&str], selected: usize| ChoiceData {
            key: key.into(),
            label: label.into(),
            options: ModelRc::new(VecModel::from(
                options
                    .iter()
                    .map(|o| SharedString::from(*o))
                    .collect::<Vec<_>>(),
            )),
            selected: selected as i32,
        };
        let mut choices = Vec::new();
        match fs.step {
            STEP_WHO => {
                choices.push(choice(
                    "applicant",
                    "申请人是",
                    &["公民", "法人或其他组织"],
                    usize::from(f.organisation),
                ));
                if !f.organisation {
                    let k = f.id_kind.unwrap_or(IdDocumentKind::ResidentId);
                    let names: Vec<&str> = IdDocumentKind::ALL.iter().map(|k| k.name()).collect();
                    let sel = IdDocumentKind::ALL
                        .iter()
                        .position(|x| *x == k)
                        .unwrap_or(0);
                    choices.push(choice("id-kind", "证件类型", &names, sel));
                }
            }
            STEP_HOW => {
                let form_sel = usize::from(f.form == Some(ProvideForm::Electronic));
                choices.push(choice("form", "信息的形式", &["纸质", "电子"], form_sel));
                let d = match f.delivery.unwrap_or(Delivery::Collect) {
                    Delivery::Collect => 0,
                    Delivery::Post => 1,
                    Delivery::Email => 2,
                };
                choices.push(choice(
                    "delivery",
                    "获取方式",
                    &["自行领取", "邮寄", "电子邮件"],
                    d,
                ));
            }
            _ => {}
        }
        a.set_choices(ModelRc::new(VecModel::from(choices)));
        let fields: Vec<FormFieldData> = step_fields(f, fs.step)
            .into_iter()
            .map(|fld| FormFieldData {
                key: fld.key().into(),
                label: field_label(f, fld).into(),
                value: field_value(f, fld).into(),
                hint: field_hint(f, fld).into(),
                error: fs
                    .errors
                    .iter()
                    .find(|e| e.field == fld)
                    .map(|e| e.message.clone())
                    .unwrap_or_default()
                    .into(),
                active: fs.editing == Some(fld),
            })
            .collect();
        a.set_fields(ModelRc::new(VecModel::from(fields)));
        a.set_error(fs.message.as_str().into());
        // The keyboard.
        a.set_typing(fs.editing.is_some());
        if let Some(fld) = fs.editing {
            let (modes, extra) = keyboard_for(f, fld);
            a.set_typing_label(field_label(f, fld).into());
            a.set_typing_value(field_value(f, fld).into());
            a.set_composing(fs.composing.as_str().into());
            a.set_mode(fs.mode.as_str().into());
            a.set_modes(ModelRc::new(VecModel::from(
                modes
                    .into_iter()
                    .map(SharedString::from)
                    .collect::<Vec<_>>(),
            )));
            a.set_extra_keys(ModelRc::new(VecModel::from(
                extra
                    .into_iter()
                    .map(SharedString::from)
                    .collect::<Vec<_>>(),
            )));
            let per = MAX_CANDIDATES;
            let start = fs.candidate_page * per;
            let mut shown: Vec<SharedString> = fs
                .candidates
                .iter()
                .skip(start)
                .take(per)
                .map(|s| SharedString::from(s.as_str()))
                .collect();
            if fs.candidates.len() > start + per {
                shown.push("换一批".into());
            } else if fs.candidate_page > 0 {
                shown.push("回到第一批".into());
            }
            a.set_candidates(ModelRc::new(VecModel::from(shown)));
        }
        // Review.
        if fs.step == STEP_REVIEW {
            let body = fs.body.as_ref().map(|b| b.name.clone()).unwrap_or_default();
            let deadline = st
                .desk
                .calendar()
                .reply_deadline(disclosure::Date::today_in_china());
            let mut rows: Vec<(String, String)> = vec![("受理机关".into(), body.clone())];
            if let Some(t) = &f.linked_title {
                rows.push(("申请公开".into(), t.clone()));
            }
            if !f.description.is_empty() {
                rows.push(("所需信息".into(), f.description.clone()));
            }
            if !f.doc_no.is_empty() {
                rows.push(("文号".into(), f.doc_no.clone()));
            }
            rows.push((
                "申请人".into(),
                format!(
                    "{}（{}）",
                    f.name,
                    if f.organisation {
                        "法人或其他组织"
                    } else {
                        "公民"
                    }
                ),
            ));
            if f.organisation {
                rows.push(("统一社会信用代码".into(), f.credit_code.clone()));
                rows.push(("联系人".into(), f.contact_person.clone()));
            } else {
                rows.push((
                    f.id_kind
                        .unwrap_or(IdDocumentKind::ResidentId)
                        .name()
                        .into(),
                    f.id_number.clone(),
                ));
            }
            rows.push(("联系电话".into(), f.phone.clone()));
            let form = f.form.unwrap_or(ProvideForm::Paper);
            let delivery = f.delivery.unwrap_or(Delivery::Collect);
            rows.push((
                "获取方式".into(),
                format!("{}·{}", form.name(), delivery.name()),
            ));
            if !f.address.is_empty() {
                rows.push(("通信地址".into(), f.address.clone()));
            }
            if !f.email.is_empty() {
                rows.push(("电子邮箱".into(), f.email.clone()));
            }
            rows.push(("答复期限".into(), deadline_text(deadline)));
            a.set_review(field_rows(rows));
            a.set_notice(privacy_notice(&body).into());
            a.set_consent(fs.consent);
        }
        // Done.
        if let Some(d) = &fs.done {
            a.set_receipt_no(d.receipt.to_string().into());
            a.set_deadline(format!("答复期限：{}", deadline_text(d.deadline)).into());
            a.set_print_message(d.print_message.as_str().into());
            a.set_show_qr(d.show_qr);
            if d.show_qr {
                a.set_qr(qr_image(&st.desk.progress_url(&d.token)).unwrap_or_default());
                a.set_pin(d.pin.as_str().into());
            } else {
                a.set_pin("".into());
            }
            a.set_rating(i32::from(d.rating));
        }
    }

    pub(super) fn fill_progress(&self, ui: &MainWindow) -> anyhow::Result<()> {
        let st = self.state.borrow();
        let p = &st.progress;
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
                let url = v.progress_token.as_deref().map(|t| st.desk.progress_url(t));
                a.set_qr(url.and_then(|u| qr_image(&u)).unwrap_or_default());
            }
        } else if let Some(no) = &p.found {
            // A number alone: the stages by day, nothing else.
            let stages = st.desk.stages(no)?;
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
        Ok(())
    }
}

/// Why an application saved before receipts had a 查询密码 shows its stages only.
pub const NO_PIN: &str =
    "这件申请提交时回执上还没有查询密码：本终端只能显示办理进度，详情和补打请到受理机关办理。";
