//! The wizard's steps and what each field of the form is on this kiosk:
//! its label and hint, where its value lives, and how the keyboard types
//! it.

use disclosure::requests::{ApplicationForm, Delivery, Field, IdDocumentKind};

use crate::KeyboardMode;
use crate::composer::{ComposerRules, Vocabulary};

/// Letters of pinyin composed at most in a field.
const MAX_COMPOSING: usize = 24;

/// The steps of the wizard, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum WizardStep {
    /// 所需信息.
    #[default]
    What,
    /// 申请人.
    Who,
    /// 获取方式.
    How,
    /// 核对提交.
    Review,
    /// 完成.
    Done,
}

impl WizardStep {
    /// The steps with fields, in order.
    pub const FORM: [WizardStep; 3] = [WizardStep::What, WizardStep::Who, WizardStep::How];

    /// The step bar's position (`ApplyAdapter.step`).
    pub fn index(self) -> i32 {
        self as i32
    }

    /// The step after this one; review is the last a citizen moves to.
    pub fn next(self) -> WizardStep {
        match self {
            Self::What => Self::Who,
            Self::Who => Self::How,
            Self::How | Self::Review => Self::Review,
            Self::Done => Self::Done,
        }
    }

    pub fn previous(self) -> WizardStep {
        match self {
            Self::What | Self::Who => Self::What,
            Self::How => Self::Who,
            Self::Review => Self::How,
            Self::Done => Self::Review,
        }
    }
}

/// The fields of `step` on `form`.
pub fn step_fields(form: &ApplicationForm, step: WizardStep) -> Vec<Field> {
    match step {
        WizardStep::What => vec![Field::Description, Field::DocNo],
        WizardStep::Who if form.organisation => vec![
            Field::Name,
            Field::CreditCode,
            Field::ContactPerson,
            Field::Phone,
        ],
        WizardStep::Who => vec![Field::Name, Field::IdNumber, Field::Phone],
        WizardStep::How => match form.delivery {
            Some(Delivery::Post) => vec![Field::Address],
            Some(Delivery::Email) => vec![Field::Email],
            _ => vec![],
        },
        WizardStep::Review | WizardStep::Done => vec![],
    }
}

/// The first step with one of `fields`.
pub fn first_step_of(form: &ApplicationForm, fields: &[Field]) -> WizardStep {
    WizardStep::FORM
        .into_iter()
        .find(|s| step_fields(form, *s).iter().any(|f| fields.contains(f)))
        .unwrap_or(WizardStep::What)
}

pub fn field_value(form: &ApplicationForm, f: Field) -> &str {
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

pub fn field_value_mut(form: &mut ApplicationForm, f: Field) -> &mut String {
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

/// The field with the UI's key `key`.
pub fn field_from_key(key: &str) -> Option<Field> {
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
pub fn field_label(form: &ApplicationForm, f: Field) -> String {
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

pub fn field_hint(form: &ApplicationForm, f: Field) -> &'static str {
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

/// How the keyboard types `f`: its modes, capitals, candidates.
pub fn composer_rules(form: &ApplicationForm, f: Field) -> ComposerRules {
    use KeyboardMode::{Digits, Handwriting, Letters, Pinyin};
    let modes = match f {
        Field::Name | Field::ContactPerson | Field::Description => {
            vec![Pinyin, Handwriting, Letters, Digits]
        }
        Field::Address => vec![Pinyin, Handwriting, Digits, Letters],
        Field::DocNo => vec![Pinyin, Handwriting, Digits],
        Field::IdNumber
            if form.id_kind.unwrap_or(IdDocumentKind::ResidentId) == IdDocumentKind::ResidentId =>
        {
            vec![Digits]
        }
        Field::IdNumber | Field::CreditCode => vec![Digits, Letters],
        Field::Phone => vec![Digits],
        Field::Email => vec![Letters, Digits],
    };
    let names = matches!(f, Field::Name | Field::ContactPerson) && !form.organisation;
    ComposerRules {
        modes,
        max_chars: f.max_chars(),
        max_composing: MAX_COMPOSING,
        uppercase: matches!(f, Field::IdNumber | Field::CreditCode),
        vocabulary: if names {
            Vocabulary::Names
        } else {
            Vocabulary::Text
        },
    }
}

/// Keys beside the letters or digits for `f` (X on an ID number, @ on an
/// e-mail address…).
pub fn extra_keys(form: &ApplicationForm, f: Field) -> &'static [&'static str] {
    match f {
        Field::Address => &["号", "-"],
        Field::DocNo => &["〔", "〕", "号"],
        Field::IdNumber
            if form.id_kind.unwrap_or(IdDocumentKind::ResidentId) == IdDocumentKind::ResidentId =>
        {
            &["X"]
        }
        Field::Phone => &["-"],
        Field::Email => &["@", ".", "-", "_"],
        _ => &[],
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_move_one_at_a_time_and_stop_at_the_ends() {
        assert_eq!(WizardStep::What.previous(), WizardStep::What);
        assert_eq!(WizardStep::How.next(), WizardStep::Review);
        assert_eq!(WizardStep::Review.next(), WizardStep::Review);
        let indices: Vec<i32> = [
            WizardStep::What,
            WizardStep::Who,
            WizardStep::How,
            WizardStep::Review,
            WizardStep::Done,
        ]
        .iter()
        .map(|s| s.index())
        .collect();
        assert_eq!(indices, [0, 1, 2, 3, 4], "the step bar's positions");
    }

    #[test]
    fn an_error_sends_the_citizen_to_the_first_step_with_it() {
        let mut form = ApplicationForm::default();
        assert_eq!(
            first_step_of(&form, &[Field::Phone, Field::Description]),
            WizardStep::What
        );
        assert_eq!(first_step_of(&form, &[Field::Phone]), WizardStep::Who);
        form.delivery = Some(Delivery::Email);
        assert_eq!(first_step_of(&form, &[Field::Email]), WizardStep::How);
        assert_eq!(
            first_step_of(&form, &[Field::CreditCode]),
            WizardStep::What,
            "not on this form"
        );
    }

    #[test]
    fn a_resident_id_is_digits_and_x_in_capitals() {
        let form = ApplicationForm::default();
        let r = composer_rules(&form, Field::IdNumber);
        assert_eq!(r.modes, [KeyboardMode::Digits]);
        assert!(r.uppercase);
        assert_eq!(extra_keys(&form, Field::IdNumber), ["X"]);
        let org = ApplicationForm {
            organisation: true,
            ..ApplicationForm::default()
        };
        assert_eq!(
            composer_rules(&org, Field::Name).vocabulary,
            Vocabulary::Text
        );
        assert_eq!(
            composer_rules(&form, Field::Name).vocabulary,
            Vocabulary::Names
        );
    }
}
