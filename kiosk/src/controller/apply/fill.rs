//! The wizard on the screen: the step's choices and fields, the keyboard
//! while a field is typed into, the review with the deadline and the
//! personal-data notice, and the done step.

use disclosure::identity::{PhoneNumber, mask_address, mask_id_number};
use disclosure::requests::store::mask_name;
use disclosure::requests::{Delivery, Field, IdDocumentKind, ProvideForm};
use slint::{ComponentHandle, ModelRc, VecModel};

use super::fields::{
    extra_keys, field_hint, field_label, field_value, privacy_notice, step_fields,
};
use super::{ApplyController, FormState, WizardStep};
use crate::applications::deadline_text;
use crate::controller::context::Context;
use crate::controller::models::{field_rows, strings};
use crate::{ApplyAdapter, ChoiceData, ChoiceKind, FormFieldData, MainWindow};

impl ApplyController {
    pub fn fill(&self, ctx: &Context, ui: &MainWindow) -> anyhow::Result<String> {
        let fs = &self.state;
        let f = &fs.form;
        let a = ui.global::<ApplyAdapter>();
        a.set_step(fs.step.index());
        a.set_linked_title(f.linked_title.clone().unwrap_or_default().into());
        a.set_staff_assisted(f.staff_assisted);
        a.set_warning(fs.warning);
        a.set_choices(ModelRc::new(VecModel::from(choices(fs))));
        let fields: Vec<FormFieldData> = step_fields(f, fs.step)
            .into_iter()
            .map(|fld| FormFieldData {
                key: fld.key().into(),
                label: field_label(f, fld).into(),
                value: shown_value(fs, fld).into(),
                hint: field_hint(f, fld).into(),
                error: fs
                    .errors
                    .iter()
                    .find(|e| e.field == fld)
                    .map(|e| e.message.clone())
                    .unwrap_or_default()
                    .into(),
                active: fs.typing.as_ref().is_some_and(|t| t.field == fld),
            })
            .collect();
        a.set_fields(ModelRc::new(VecModel::from(fields)));
        let citizen_with_id = !f.organisation
            && f.id_kind.unwrap_or(IdDocumentKind::ResidentId) == IdDocumentKind::ResidentId;
        a.set_reader_hint(
            ctx.config.id_reader.is_some() && fs.step == WizardStep::Who && citizen_with_id,
        );
        a.set_card_note(if fs.step == WizardStep::Who {
            fs.card_note.as_str().into()
        } else {
            "".into()
        });
        a.set_offer_card_address(
            fs.step == WizardStep::How
                && f.delivery == Some(Delivery::Post)
                && fs.card_address.is_some()
                && !fs.card_fields.contains(&Field::Address),
        );
        a.set_error(fs.message.as_str().into());
        // The keyboard.
        a.set_typing(fs.typing.is_some());
        if let Some(t) = &fs.typing {
            let c = &t.composer;
            a.set_typing_label(field_label(f, t.field).into());
            a.set_typing_value(c.text().into());
            a.set_composing(c.composing().into());
            a.set_mode(c.mode());
            a.set_modes(ModelRc::new(VecModel::from(ctx.offered_modes(c.modes()))));
            self.show_ink(ui);
            a.set_extra_keys(strings(extra_keys(f, t.field).iter().copied()));
            a.set_candidates(strings(c.shown_candidates()));
        }
        if fs.step == WizardStep::Review {
            let body = fs.body.as_ref().map(|b| b.name.clone()).unwrap_or_default();
            a.set_review(field_rows(review_rows(ctx, fs, &body, true)));
            a.set_review_full(field_rows(review_rows(ctx, fs, &body, false)));
            a.set_notice(privacy_notice(&body).into());
            a.set_consent(fs.consent);
        }
        if let Some(d) = &fs.done {
            a.set_receipt_no(d.receipt.to_string().into());
            a.set_deadline(format!("答复期限：{}", deadline_text(d.deadline)).into());
            a.set_print_message(d.print_message.as_str().into());
            a.set_show_qr(d.show_qr);
            if d.show_qr {
                a.set_qr(ctx.qr(&ctx.desk.borrow().progress_url(&d.token)));
                a.set_pin(d.pin.as_str().into());
            } else {
                a.set_pin("".into());
            }
            a.set_rating(i32::from(d.rating));
        }
        Ok("申请政府信息公开".into())
    }

    /// The idle warning's seconds, straight onto the screen.
    pub fn show_warning(&self, ui: &MainWindow, secs_left: Option<u64>) {
        let a = ui.global::<ApplyAdapter>();
        a.set_warning(secs_left.is_some());
        if let Some(s) = secs_left {
            a.set_warning_secs(i32::try_from(s).unwrap_or(i32::MAX));
        }
    }
}

/// A field's value as the screen shows it: masked when the ID card
/// filled it.
fn shown_value(fs: &FormState, f: Field) -> String {
    let value = field_value(&fs.form, f);
    if !fs.card_fields.contains(&f) {
        return value.to_string();
    }
    match f {
        Field::Name => mask_name(value),
        Field::IdNumber => mask_id_number(value),
        Field::Address => mask_address(value),
        _ => value.to_string(),
    }
}

fn choice(kind: ChoiceKind, label: &str, options: &[&str], selected: usize) -> ChoiceData {
    ChoiceData {
        kind,
        label: label.into(),
        options: strings(options.iter().copied()),
        selected: selected as i32,
    }
}

/// The choices of the step shown.
fn choices(fs: &FormState) -> Vec<ChoiceData> {
    let f = &fs.form;
    let mut choices = Vec::new();
    match fs.step {
        WizardStep::Who => {
            choices.push(choice(
                ChoiceKind::Applicant,
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
                choices.push(choice(ChoiceKind::IdKind, "证件类型", &names, sel));
            }
        }
        WizardStep::How => {
            let form_sel = usize::from(f.form == Some(ProvideForm::Electronic));
            choices.push(choice(
                ChoiceKind::Form,
                "信息的形式",
                &["纸质", "电子"],
                form_sel,
            ));
            let d = match f.delivery.unwrap_or(Delivery::Collect) {
                Delivery::Collect => 0,
                Delivery::Post => 1,
                Delivery::Email => 2,
            };
            choices.push(choice(
                ChoiceKind::Delivery,
                "获取方式",
                &["自行领取", "邮寄", "电子邮件"],
                d,
            ));
        }
        _ => {}
    }
    choices
}

/// A phone number masked as on the receipt (`138****8000`); one that is
/// not a phone number all but its ends.
pub(crate) fn mask_phone(phone: &str) -> String {
    PhoneNumber::parse(phone)
        .map(|p| p.masked())
        .unwrap_or_else(|_| mask_id_number(phone))
}

/// 核对提交: everything the application will say, and its deadline;
/// `masked`: the ID and phone numbers as the receipt shows them.
fn review_rows(ctx: &Context, fs: &FormState, body: &str, masked: bool) -> Vec<(String, String)> {
    let f = &fs.form;
    let secret = |v: &str, mask: fn(&str) -> String| {
        if masked { mask(v) } else { v.to_string() }
    };
    let deadline = ctx
        .desk
        .borrow()
        .calendar()
        .reply_deadline(disclosure::Date::today_in_china());
    let mut rows: Vec<(String, String)> = vec![("受理机关".into(), body.into())];
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
            shown_value(fs, Field::Name),
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
            // A number the ID card filled is never shown in full.
            if masked {
                mask_id_number(&f.id_number)
            } else {
                shown_value(fs, Field::IdNumber)
            },
        ));
    }
    rows.push(("联系电话".into(), secret(&f.phone, mask_phone)));
    let form = f.form.unwrap_or(ProvideForm::Paper);
    let delivery = f.delivery.unwrap_or(Delivery::Collect);
    rows.push((
        "获取方式".into(),
        format!("{}·{}", form.name(), delivery.name()),
    ));
    if !f.address.is_empty() {
        rows.push(("通信地址".into(), shown_value(fs, Field::Address)));
    }
    if !f.email.is_empty() {
        rows.push(("电子邮箱".into(), f.email.clone()));
    }
    rows.push(("答复期限".into(), deadline_text(deadline)));
    rows
}
