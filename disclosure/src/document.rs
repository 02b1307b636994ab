//! Documents (文件) with their 政策解读, service guides (办事指南) and notices.

use std::fmt;

use crate::{Date, Domain, RegionCode};

/// A stable key for documents, interpretations, guides and notices:
/// the region and the file's name in the county's folder, e.g.
/// `990521-dibao-banfa`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocumentKey(pub String);

impl DocumentKey {
    pub fn new(region: &RegionCode, slug: &str) -> Self {
        Self(format!("{region}-{slug}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DocumentKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// 效力状态 of a normative document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EffectStatus {
    /// 现行有效
    Valid,
    /// 已修订 (replaced by an amended version)
    Amended,
    /// 已废止
    Repealed,
}

impl EffectStatus {
    pub fn name(self) -> &'static str {
        match self {
            Self::Valid => "现行有效",
            Self::Amended => "已修订",
            Self::Repealed => "已废止",
        }
    }

    pub fn db_name(self) -> &'static str {
        match self {
            Self::Valid => "valid",
            Self::Amended => "amended",
            Self::Repealed => "repealed",
        }
    }

    pub fn from_db_name(s: &str) -> Option<Self> {
        [Self::Valid, Self::Amended, Self::Repealed]
            .into_iter()
            .find(|v| v.db_name() == s)
    }

    pub fn from_chinese(s: &str) -> Option<Self> {
        match s.trim() {
            "现行有效" | "有效" => Some(Self::Valid),
            "已修订" | "已修改" => Some(Self::Amended),
            "已废止" | "废止" | "失效" | "已失效" => Some(Self::Repealed),
            _ => None,
        }
    }
}

/// An attachment of a document. Its bytes are stored once by content hash
/// ([`crate::ContentBundle::blobs`], the `blob` table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub file_name: String,
    /// Lower-case hex SHA-256 of the bytes.
    pub sha256: String,
    pub size: u64,
}

/// A government document (文件).
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub key: DocumentKey,
    pub region: RegionCode,
    pub domain: Domain,
    /// 标题
    pub title: String,
    /// 文号, e.g. `云政规〔2025〕3号`; village notices often have none.
    pub doc_no: Option<String>,
    /// 发文机关
    pub issuer: String,
    /// 发文日期
    pub issued: Date,
    /// 有效时间: from
    pub effective_from: Option<Date>,
    /// 有效时间: until (open-ended when `None`)
    pub effective_until: Option<Date>,
    pub status: EffectStatus,
    /// 正文 (light Markdown).
    pub body: String,
    pub attachments: Vec<Attachment>,
}

/// 解读形式.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InterpretationForm {
    /// 文字解读
    Text,
    /// 图解
    Graphic,
    /// 简明问答
    QuestionsAndAnswers,
}

impl InterpretationForm {
    pub fn name(self) -> &'static str {
        match self {
            Self::Text => "文字解读",
            Self::Graphic => "图解",
            Self::QuestionsAndAnswers => "简明问答",
        }
    }

    pub fn db_name(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Graphic => "graphic",
            Self::QuestionsAndAnswers => "qa",
        }
    }

    pub fn from_db_name(s: &str) -> Option<Self> {
        [Self::Text, Self::Graphic, Self::QuestionsAndAnswers]
            .into_iter()
            .find(|v| v.db_name() == s)
    }

    pub fn from_chinese(s: &str) -> Option<Self> {
        [Self::Text, Self::Graphic, Self::QuestionsAndAnswers]
            .into_iter()
            .find(|v| v.name() == s.trim())
    }
}

/// A 政策解读 published with, and linked to, one document.
#[derive(Debug, Clone, PartialEq)]
pub struct Interpretation {
    pub key: DocumentKey,
    /// The region that published the interpretation (a township may explain
    /// a county document).
    pub region: RegionCode,
    /// The document it explains.
    pub document: DocumentKey,
    pub title: String,
    pub form: InterpretationForm,
    pub published: Date,
    /// 解读机关
    pub issuer: String,
    pub body: String,
}

/// A service guide (办事指南).
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceGuide {
    pub key: DocumentKey,
    pub region: RegionCode,
    pub domain: Domain,
    /// 事项名称
    pub name: String,
    /// 办理机构
    pub agency: String,
    /// 办理地点
    pub place: String,
    /// 办理时间
    pub hours: String,
    /// 咨询电话
    pub phone: String,
    /// 承诺时限
    pub time_limit: String,
    /// 收费标准
    pub fee: String,
    /// Conditions, materials and steps (light Markdown).
    pub body: String,
}

/// Kinds of notice shown in the hall.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NoticeKind {
    /// 公告
    Announcement,
    /// 征求意见 (public consultation; has a closing date)
    Consultation,
    /// 政府开放日
    OpenDay,
}

impl NoticeKind {
    pub fn name(self) -> &'static str {
        match self {
            Self::Announcement => "公告",
            Self::Consultation => "征求意见",
            Self::OpenDay => "政府开放日",
        }
    }

    pub fn db_name(self) -> &'static str {
        match self {
            Self::Announcement => "announcement",
            Self::Consultation => "consultation",
            Self::OpenDay => "open_day",
        }
    }

    pub fn from_db_name(s: &str) -> Option<Self> {
        [Self::Announcement, Self::Consultation, Self::OpenDay]
            .into_iter()
            .find(|v| v.db_name() == s)
    }

    pub fn from_chinese(s: &str) -> Option<Self> {
        [Self::Announcement, Self::Consultation, Self::OpenDay]
            .into_iter()
            .find(|v| v.name() == s.trim())
    }
}

/// A notice: 公告, 征求意见 or 政府开放日.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub key: DocumentKey,
    pub region: RegionCode,
    pub kind: NoticeKind,
    pub title: String,
    /// 发布单位
    pub issuer: String,
    /// 发布日期
    pub published: Date,
    /// 截止日期 (consultations only).
    pub closes: Option<Date>,
    pub domain: Option<Domain>,
    pub body: String,
}
