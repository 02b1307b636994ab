//! Catalog items (公开事项) with the standard elements of the 基层政务公开 catalog.

use std::fmt;

use crate::{Date, Domain, RegionCode, RegionLevel};

/// A stable key for a catalog item: the publishing region and a digest of the
/// item's domain, publisher, column path and name. It survives re-imports and feed
/// updates, so the kiosk can tell whether the item it shows still exists.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ItemKey(pub String);

impl ItemKey {
    pub fn derive(
        region: &RegionCode,
        domain: Domain,
        publisher: &str,
        columns: &[String],
        name: &str,
    ) -> ItemKey {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update([domain.code()]);
        h.update(publisher.as_bytes());
        h.update([0x1e]);
        for c in columns {
            h.update(c.as_bytes());
            h.update([0x1f]);
        }
        h.update(name.as_bytes());
        let digest = h.finalize();
        let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        ItemKey(format!("{region}-{hex}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ItemKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// 公开对象: who the item is disclosed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Audience {
    /// 全社会
    Public,
    /// 特定群体 (e.g. the households concerned by a land requisition)
    SpecificGroup,
}

impl Audience {
    pub fn name(self) -> &'static str {
        match self {
            Self::Public => "全社会",
            Self::SpecificGroup => "特定群体",
        }
    }

    pub fn db_name(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::SpecificGroup => "specific",
        }
    }

    pub fn from_db_name(s: &str) -> Option<Self> {
        match s {
            "public" => Some(Self::Public),
            "specific" => Some(Self::SpecificGroup),
            _ => None,
        }
    }

    pub fn from_chinese(s: &str) -> Option<Self> {
        match s.trim() {
            "全社会" | "社会公众" | "公众" => Some(Self::Public),
            "特定群体" | "特定对象" => Some(Self::SpecificGroup),
            _ => None,
        }
    }
}

/// 公开方式 / 公开属性: proactive disclosure (主动公开), disclosure on
/// application (依申请公开), or both. At least one is always set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DisclosureMode {
    pub proactive: bool,
    pub on_application: bool,
}

impl DisclosureMode {
    pub const PROACTIVE: Self = Self {
        proactive: true,
        on_application: false,
    };

    /// `主动公开`, `依申请公开` or `主动公开、依申请公开`.
    pub fn name(self) -> &'static str {
        match (self.proactive, self.on_application) {
            (true, true) => "主动公开、依申请公开",
            (false, true) => "依申请公开",
            _ => "主动公开",
        }
    }

    pub fn bits(self) -> u8 {
        u8::from(self.proactive) | (u8::from(self.on_application) << 1)
    }

    pub fn from_bits(bits: u8) -> Self {
        Self {
            proactive: bits & 1 != 0,
            on_application: bits & 2 != 0,
        }
    }

    /// Parses `主动`, `依申请`, `主动、依申请` and the `…公开` forms.
    pub fn from_chinese(s: &str) -> Option<Self> {
        let proactive = s.contains("主动");
        let on_application = s.contains("依申请");
        (proactive || on_application).then_some(Self {
            proactive,
            on_application,
        })
    }
}

/// 公开层级: the levels at which an item is published (县级, 乡级, 村级).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PublishLevels(u8);

impl PublishLevels {
    pub fn of(level: RegionLevel) -> Self {
        Self(1 << level as u8)
    }

    pub fn with(self, level: RegionLevel) -> Self {
        Self(self.0 | 1 << level as u8)
    }

    pub fn contains(self, level: RegionLevel) -> bool {
        self.0 & (1 << level as u8) != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn bits(self) -> u8 {
        self.0
    }

    pub fn from_bits(bits: u8) -> Self {
        Self(bits & 0b111)
    }

    pub fn levels(self) -> impl Iterator<Item = RegionLevel> {
        RegionLevel::ALL
            .into_iter()
            .filter(move |l| self.contains(*l))
    }

    /// `县级、乡级`.
    pub fn name(self) -> String {
        self.levels()
            .map(RegionLevel::level_name)
            .collect::<Vec<_>>()
            .join("、")
    }
}

/// One 公开事项 of the standard catalog with every standard element.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogItem {
    pub key: ItemKey,
    /// The region whose catalog this item belongs to.
    pub region: RegionCode,
    pub domain: Domain,
    /// Catalog columns, outermost first: 一级事项/一级栏目, 二级, 三级.
    /// Never empty; the first is the column the item is listed under.
    pub columns: Vec<String>,
    /// 名称 (公开事项).
    pub name: String,
    /// 内容 (公开内容（要素）/内容规范).
    pub content: String,
    /// 依据 (公开依据). Missing in some department templates.
    pub basis: Option<String>,
    /// 时限 (公开时限).
    pub time_limit: String,
    /// 主体 (公开主体, or the 单位 of a department template).
    pub publisher: String,
    /// 方式 (公开方式), which is also the item's 公开属性.
    pub mode: DisclosureMode,
    /// 渠道 (公开渠道和载体). Missing in some department templates.
    pub channel: Option<String>,
    /// 公开对象.
    pub audience: Audience,
    /// 公开层级.
    pub levels: PublishLevels,
    /// 责任处室.
    pub office: Option<String>,
    /// 责任人 (as published, usually masked).
    pub contact_person: Option<String>,
    /// 联系电话 or the 备注 column.
    pub contact_phone: Option<String>,
    /// Last update of the item: its sheet's 更新日期, or the day its
    /// catalog was published when the sheet has none (`updated_stated`).
    pub updated: Date,
    /// Whether `updated` is the item's own 更新日期 from its sheet.
    pub updated_stated: bool,
    /// Where the item came from, e.g. `01-国土空间规划.csv 第5行`.
    pub source: String,
}
