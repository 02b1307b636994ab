//! An application for disclosure (依申请公开) with every element of Art 29,
//! and the checks that turn what was typed into one: required fields,
//! length limits, control characters and emoji, ID numbers, 统一社会信用代码,
//! phone numbers and e-mail addresses, each with a Chinese message naming
//! the field.

use crate::identity::{CreditCode, IdNumber, PhoneNumber};
use crate::{Date, DocumentKey, ItemKey, RegionCode};

/// The papers a natural person proves who they are with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdDocumentKind {
    /// 居民身份证 (checked against GB 11643).
    ResidentId,
    /// 港澳居民来往内地通行证 / 台湾居民来往大陆通行证.
    TravelPermit,
    /// 护照.
    Passport,
}

impl IdDocumentKind {
    pub const ALL: [IdDocumentKind; 3] = [Self::ResidentId, Self::TravelPermit, Self::Passport];

    pub fn name(self) -> &'static str {
        match self {
            Self::ResidentId => "居民身份证",
            Self::TravelPermit => "港澳台居民通行证",
            Self::Passport => "护照",
        }
    }

    pub fn db_name(self) -> &'static str {
        match self {
            Self::ResidentId => "resident_id",
            Self::TravelPermit => "travel_permit",
            Self::Passport => "passport",
        }
    }

    pub fn from_db_name(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.db_name() == s)
    }
}

/// Who applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applicant {
    /// 公民 (自然人).
    Person {
        name: String,
        id_kind: IdDocumentKind,
        id_number: String,
    },
    /// 法人或者其他组织.
    Organisation {
        name: String,
        credit_code: CreditCode,
        contact_person: String,
    },
}

impl Applicant {
    pub fn name(&self) -> &str {
        match self {
            Self::Person { name, .. } | Self::Organisation { name, .. } => name,
        }
    }

    pub fn kind(&self) -> ApplicantKind {
        match self {
            Self::Person { .. } => ApplicantKind::Person,
            Self::Organisation { .. } => ApplicantKind::Organisation,
        }
    }
}

/// Which kind of applicant (Art 27): a citizen, or an organisation. Stored
/// as `person` or `organisation` (`requests.db`, `county.db`; the wire's
/// `applicant.kind`), shown as 公民 or 法人或其他组织.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApplicantKind {
    /// 公民.
    Person,
    /// 法人或者其他组织.
    Organisation,
}

impl ApplicantKind {
    pub const ALL: [ApplicantKind; 2] = [Self::Person, Self::Organisation];

    pub fn db_name(self) -> &'static str {
        match self {
            Self::Person => "person",
            Self::Organisation => "organisation",
        }
    }

    pub fn from_db_name(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.db_name() == s)
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Person => "公民",
            Self::Organisation => "法人或其他组织",
        }
    }
}

impl std::fmt::Display for ApplicantKind {
    /// The kind in words (公民, 法人或其他组织), as screens and receipts show it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The form the information is wanted in (Art 29 (3)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProvideForm {
    Paper,
    Electronic,
}

impl ProvideForm {
    pub fn name(self) -> &'static str {
        match self {
            Self::Paper => "纸质",
            Self::Electronic => "电子",
        }
    }
    pub fn db_name(self) -> &'static str {
        match self {
            Self::Paper => "paper",
            Self::Electronic => "electronic",
        }
    }
    pub fn from_db_name(s: &str) -> Option<Self> {
        [Self::Paper, Self::Electronic]
            .into_iter()
            .find(|k| k.db_name() == s)
    }
}

/// How the applicant receives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// 自行领取 at the receiving body.
    Collect,
    /// 邮寄 to the applicant's address.
    Post,
    /// 电子邮件.
    Email,
}

impl Delivery {
    pub fn name(self) -> &'static str {
        match self {
            Self::Collect => "自行领取",
            Self::Post => "邮寄",
            Self::Email => "电子邮件",
        }
    }
    pub fn db_name(self) -> &'static str {
        match self {
            Self::Collect => "collect",
            Self::Post => "post",
            Self::Email => "email",
        }
    }
    pub fn from_db_name(s: &str) -> Option<Self> {
        [Self::Collect, Self::Post, Self::Email]
            .into_iter()
            .find(|k| k.db_name() == s)
    }
}

/// What is asked for (Art 29 (2)).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InformationWanted {
    /// The catalog item the applicant was reading, if any.
    pub item: Option<ItemKey>,
    /// The document the applicant was reading, if any.
    pub document: Option<DocumentKey>,
    /// The linked record's title, as shown when applying.
    pub linked_title: Option<String>,
    /// 文号, if known.
    pub doc_no: Option<String>,
    /// 所需信息的名称或内容描述.
    pub description: String,
}

impl InformationWanted {
    /// One line for receipts and lists.
    pub fn summary(&self) -> String {
        match (&self.linked_title, self.description.is_empty()) {
            (Some(t), true) => t.clone(),
            (Some(t), false) => format!("{t}：{}", self.description),
            (None, _) => self.description.clone(),
        }
    }
}

/// The body that receives and answers the application (Art 27).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivingBody {
    pub name: String,
    pub region: RegionCode,
}

/// A checked application, ready to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    pub applicant: Applicant,
    pub phone: PhoneNumber,
    pub address: Option<String>,
    pub email: Option<String>,
    pub wanted: InformationWanted,
    pub form: ProvideForm,
    pub delivery: Delivery,
    /// 代为填写 (Art 29): hall staff filled it in for the applicant.
    pub staff_assisted: bool,
}

/// The fields of the form, for messages and for the UI to mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Name,
    IdNumber,
    CreditCode,
    ContactPerson,
    Phone,
    Address,
    Email,
    DocNo,
    Description,
}

impl Field {
    pub fn label(self) -> &'static str {
        match self {
            Self::Name => "姓名或名称",
            Self::IdNumber => "证件号码",
            Self::CreditCode => "统一社会信用代码",
            Self::ContactPerson => "联系人",
            Self::Phone => "联系电话",
            Self::Address => "通信地址",
            Self::Email => "电子邮箱",
            Self::DocNo => "文号",
            Self::Description => "所需信息",
        }
    }

    /// The name the UI uses for the field.
    pub fn key(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::IdNumber => "id-number",
            Self::CreditCode => "credit-code",
            Self::ContactPerson => "contact-person",
            Self::Phone => "phone",
            Self::Address => "address",
            Self::Email => "email",
            Self::DocNo => "doc-no",
            Self::Description => "description",
        }
    }

    /// Most characters the field takes.
    pub fn max_chars(self) -> usize {
        match self {
            Self::Name => 60,
            Self::IdNumber => 20,
            Self::CreditCode => 18,
            Self::ContactPerson => 30,
            Self::Phone => 20,
            Self::Address => 120,
            Self::Email => 80,
            Self::DocNo => 40,
            Self::Description => 500,
        }
    }
}

/// One thing wrong with the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: Field,
    pub message: String,
}

/// The form as typed, before checking. Empty strings are empty fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplicationForm {
    pub organisation: bool,
    pub name: String,
    pub id_kind: Option<IdDocumentKind>,
    pub id_number: String,
    pub credit_code: String,
    pub contact_person: String,
    pub phone: String,
    pub address: String,
    pub email: String,
    pub item: Option<ItemKey>,
    pub document: Option<DocumentKey>,
    pub linked_title: Option<String>,
    pub doc_no: String,
    pub description: String,
    pub form: Option<ProvideForm>,
    pub delivery: Option<Delivery>,
    pub staff_assisted: bool,
}

fn is_emoji_or_symbol(c: char) -> bool {
    matches!(c as u32,
        0x1F000..=0x1FAFF // emoji, pictographs, playing cards, flags
        | 0x2600..=0x27BF // miscellaneous symbols, dingbats
        | 0x2B00..=0x2BFF // arrows and stars used as emoji
        | 0xFE00..=0xFE0F // variation selectors
        | 0x200D          // zero-width joiner
        | 0xE000..=0xF8FF // private use
        | 0xF0000..=0x10FFFF)
}

/// Checks one text field: trims it, refuses control characters, emoji and
/// text over the field's limit; `None` for an empty field.
pub fn check_text(field: Field, text: &str) -> Result<Option<String>, FieldError> {
    let err = |message: String| FieldError { field, message };
    let t = text.trim();
    if let Some(c) = t.chars().find(|c| c.is_control() && *c != '\n') {
        return Err(err(format!(
            "{}中有不可见的控制字符（U+{:04X}），请删除后重新输入",
            field.label(),
            c as u32
        )));
    }
    if t.chars().any(is_emoji_or_symbol) {
        return Err(err(format!(
            "{}中有表情符号或特殊符号，请只用汉字、字母和数字",
            field.label()
        )));
    }
    let n = t.chars().count();
    if n > field.max_chars() {
        return Err(err(format!(
            "{}最多{}个字，现在是{}个字",
            field.label(),
            field.max_chars(),
            n
        )));
    }
    Ok((!t.is_empty()).then(|| t.to_string()))
}

fn required(field: Field, text: &str, errors: &mut Vec<FieldError>) -> String {
    match check_text(field, text) {
        Ok(Some(t)) => t,
        Ok(None) => {
            errors.push(FieldError {
                field,
                message: format!("请填写{}", field.label()),
            });
            String::new()
        }
        Err(e) => {
            errors.push(e);
            String::new()
        }
    }
}

fn optional(field: Field, text: &str, errors: &mut Vec<FieldError>) -> Option<String> {
    check_text(field, text).unwrap_or_else(|e| {
        errors.push(e);
        None
    })
}

/// A plain check of an e-mail address: one `@`, a dotted domain, ASCII.
pub fn email_is_plausible(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let ok_char = |c: char| c.is_ascii_alphanumeric() || "._-+".contains(c);
    !local.is_empty()
        && local.chars().all(ok_char)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && domain
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
}

impl ApplicationForm {
    /// Checks everything; all problems at once, in the order of the form.
    pub fn validate(&self, today: Date) -> Result<Application, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = required(Field::Name, &self.name, &mut errors);
        let applicant = if self.organisation {
            let credit = match CreditCode::parse(&self.credit_code) {
                Ok(c) => Some(c),
                Err(e) => {
                    errors.push(FieldError {
                        field: Field::CreditCode,
                        message: if self.credit_code.trim().is_empty() {
                            "请填写统一社会信用代码".into()
                        } else {
                            e.to_string()
                        },
                    });
                    None
                }
            };
            let contact_person = required(Field::ContactPerson, &self.contact_person, &mut errors);
            credit.map(|credit_code| Applicant::Organisation {
                name: name.clone(),
                credit_code,
                contact_person,
            })
        } else {
            let kind = self.id_kind.unwrap_or(IdDocumentKind::ResidentId);
            let number = if self.id_number.trim().is_empty() {
                errors.push(FieldError {
                    field: Field::IdNumber,
                    message: format!("请填写{}号码", kind.name()),
                });
                None
            } else if kind == IdDocumentKind::ResidentId {
                match IdNumber::parse(&self.id_number, today) {
                    Ok(n) => Some(n.as_str().to_string()),
                    Err(e) => {
                        errors.push(FieldError {
                            field: Field::IdNumber,
                            message: e.to_string(),
                        });
                        None
                    }
                }
            } else {
                let t: String = self
                    .id_number
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .map(|c| c.to_ascii_uppercase())
                    .collect();
                if (5..=20).contains(&t.len()) && t.chars().all(|c| c.is_ascii_alphanumeric()) {
                    Some(t)
                } else {
                    errors.push(FieldError {
                        field: Field::IdNumber,
                        message: format!("{}号码应为5到20位字母或数字", kind.name()),
                    });
                    None
                }
            };
            number.map(|id_number| Applicant::Person {
                name: name.clone(),
                id_kind: kind,
                id_number,
            })
        };
        let phone = if self.phone.trim().is_empty() {
            errors.push(FieldError {
                field: Field::Phone,
                message: "请填写联系电话，以便答复时联系您".into(),
            });
            None
        } else {
            PhoneNumber::parse(&self.phone)
                .map_err(|e| {
                    errors.push(FieldError {
                        field: Field::Phone,
                        message: e.to_string(),
                    })
                })
                .ok()
        };
        let delivery = self.delivery;
        let address = if delivery == Some(Delivery::Post) {
            let a = required(Field::Address, &self.address, &mut errors);
            if !a.is_empty() && a.chars().count() < 6 {
                errors.push(FieldError {
                    field: Field::Address,
                    message: "通信地址太短，请写到村（社区）、门牌号".into(),
                });
            }
            (!a.is_empty()).then_some(a)
        } else {
            optional(Field::Address, &self.address, &mut errors)
        };
        let email = {
            let e = if delivery == Some(Delivery::Email) {
                let e = required(Field::Email, &self.email, &mut errors);
                (!e.is_empty()).then_some(e)
            } else {
                optional(Field::Email, &self.email, &mut errors)
            };
            match e {
                Some(e) if !email_is_plausible(&e) => {
                    errors.push(FieldError {
                        field: Field::Email,
                        message: format!("电子邮箱“{e}”格式不对，应像 name@example.com"),
                    });
                    None
                }
                other => other,
            }
        };
        let doc_no = optional(Field::DocNo, &self.doc_no, &mut errors);
        let description = optional(Field::Description, &self.description, &mut errors);
        if self.item.is_none()
            && self.document.is_none()
            && description.is_none()
            && !errors.iter().any(|e| e.field == Field::Description)
        {
            errors.push(FieldError {
                field: Field::Description,
                message: "请说明需要哪些政府信息（名称、文号或内容描述）".into(),
            });
        }
        let form = self.form.unwrap_or(ProvideForm::Paper);
        let delivery = delivery.unwrap_or(Delivery::Collect);
        if form == ProvideForm::Paper && delivery == Delivery::Email {
            errors.push(FieldError {
                field: Field::Email,
                message: "纸质信息不能通过电子邮件送达，请选“电子”形式或自行领取、邮寄".into(),
            });
        }
        match (applicant, phone) {
            (Some(applicant), Some(phone)) if errors.is_empty() => Ok(Application {
                applicant,
                phone,
                address,
                email,
                wanted: InformationWanted {
                    item: self.item.clone(),
                    document: self.document.clone(),
                    linked_title: self.linked_title.clone(),
                    doc_no,
                    description: description.unwrap_or_default(),
                },
                form,
                delivery,
                staff_assisted: self.staff_assisted,
            }),
            _ => Err(errors),
        }
    }
}
