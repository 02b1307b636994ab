//! Administrative regions: county (县/区) → township (乡镇/街道) → village (村/社区).

use std::fmt;
use std::str::FromStr;

/// A 行政区划代码: 6 digits for a county, 9 for a township, 12 for a village.
/// The code of a region starts with the code of its parent.
///
/// Always canonical: a code padded with zeros to a longer length names the
/// region above (`990521000000` and `990521000` are the county `990521`,
/// `990521201000` the township `990521201`), as in receipt numbers, so one
/// region has one spelling everywhere (terminal ids, enrolment, receipts).
/// A zero township group under a non-zero village group names no region and
/// is refused.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegionCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("“{0}”不是有效的行政区划代码（县级6位、乡级9位、村级12位数字）")]
pub struct RegionCodeError(pub String);

impl RegionCode {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The level implied by the code's length.
    pub fn level(&self) -> RegionLevel {
        match self.0.len() {
            6 => RegionLevel::County,
            9 => RegionLevel::Township,
            _ => RegionLevel::Village,
        }
    }

    /// The code of the region one level up, if any.
    pub fn parent(&self) -> Option<RegionCode> {
        match self.0.len() {
            9 => Some(RegionCode(self.0[..6].to_string())),
            12 => Some(RegionCode(self.0[..9].to_string())),
            _ => None,
        }
    }

    /// Whether this region is `ancestor` or lies under it (codes are
    /// fixed-length per level, so a prefix is a subtree).
    pub fn is_within(&self, ancestor: &RegionCode) -> bool {
        self.0.starts_with(&ancestor.0)
    }

    /// This region and every region above it, nearest first.
    pub fn with_ancestors(&self) -> Vec<RegionCode> {
        let mut out = vec![self.clone()];
        while let Some(p) = out.last().and_then(RegionCode::parent) {
            out.push(p);
        }
        out
    }
}

impl FromStr for RegionCode {
    type Err = RegionCodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if !matches!(t.len(), 6 | 9 | 12) || !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(RegionCodeError(s.to_string()));
        }
        let mut canonical = t;
        while canonical.len() > 6 && canonical.ends_with("000") {
            canonical = &canonical[..canonical.len() - 3];
        }
        if canonical.len() == 12 && &canonical[6..9] == "000" {
            return Err(RegionCodeError(s.to_string()));
        }
        Ok(RegionCode(canonical.to_string()))
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// 层级: where a region, a terminal or a publisher stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RegionLevel {
    /// 县级 (county, district).
    County,
    /// 乡级 (township, town, street office).
    Township,
    /// 村级 (village, residents' community).
    Village,
}

impl RegionLevel {
    pub const ALL: [RegionLevel; 3] = [Self::County, Self::Township, Self::Village];

    /// The word in region tables: 县, 乡, 村.
    pub fn short_name(self) -> &'static str {
        match self {
            Self::County => "县",
            Self::Township => "乡",
            Self::Village => "村",
        }
    }

    /// The 公开层级 label: 县级, 乡级, 村级.
    pub fn level_name(self) -> &'static str {
        match self {
            Self::County => "县级",
            Self::Township => "乡级",
            Self::Village => "村级",
        }
    }

    pub fn db_name(self) -> &'static str {
        match self {
            Self::County => "county",
            Self::Township => "township",
            Self::Village => "village",
        }
    }

    pub fn from_db_name(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.db_name() == s)
    }

    /// Parses 县/县级/区, 乡/乡级/镇/街道, 村/村级/社区.
    pub fn from_chinese(s: &str) -> Option<Self> {
        match s.trim() {
            "县" | "县级" | "区" | "县区" => Some(Self::County),
            "乡" | "乡级" | "镇" | "乡镇" | "街道" => Some(Self::Township),
            "村" | "村级" | "社区" | "村居" => Some(Self::Village),
            _ => None,
        }
    }

    /// Guesses the level of a publishing unit from its name: village and
    /// residents' committees are 村级, township governments and street
    /// offices 乡级, everything else (county departments) 县级.
    pub fn of_unit_name(name: &str) -> Self {
        let n = name.trim();
        if n.ends_with("村民委员会")
            || n.ends_with("居民委员会")
            || n.ends_with("村委会")
            || n.ends_with("居委会")
            || n.ends_with('村')
            || n.ends_with("社区")
        {
            Self::Village
        } else if n.ends_with("镇人民政府")
            || n.ends_with("乡人民政府")
            || n.ends_with("街道办事处")
            || n.ends_with('镇')
            || n.ends_with('乡')
            || n.ends_with("街道")
        {
            Self::Township
        } else {
            Self::County
        }
    }
}

/// A region in the administrative tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    pub code: RegionCode,
    pub name: String,
    pub level: RegionLevel,
    pub parent: Option<RegionCode>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_at_their_boundaries() {
        fn check(text: &str, level: Option<RegionLevel>, parent: Option<&str>) {
            let code = text.parse::<RegionCode>().ok();
            assert_eq!(code.as_ref().map(RegionCode::level), level, "{text}");
            assert_eq!(
                code.and_then(|c| c.parent())
                    .map(|p| p.to_string())
                    .as_deref(),
                parent,
                "{text}"
            );
        }
        check("990521", Some(RegionLevel::County), None);
        check("990521101", Some(RegionLevel::Township), Some("990521"));
        check(
            "990521101201",
            Some(RegionLevel::Village),
            Some("990521101"),
        );
        check("99052", None, None);
        check("9905211", None, None);
        check("99052110120a", None, None);
        check("9905211012011", None, None);
    }

    #[test]
    fn padded_spellings_of_a_region_are_one_code() {
        let county: RegionCode = "990521".parse().unwrap();
        for padded in ["990521000", "990521000000", " 990521000000 "] {
            assert_eq!(padded.parse::<RegionCode>(), Ok(county.clone()), "{padded}");
        }
        assert_eq!(
            "990521201000".parse::<RegionCode>().unwrap().as_str(),
            "990521201"
        );
        assert_eq!(
            "990521201".parse::<RegionCode>().unwrap().level(),
            RegionLevel::Township
        );
        assert!("990521000201".parse::<RegionCode>().is_err());
    }

    #[test]
    fn ancestors_nearest_first() {
        let c: RegionCode = "990521201202".parse().unwrap();
        let a: Vec<String> = c.with_ancestors().iter().map(|c| c.to_string()).collect();
        assert_eq!(a, ["990521201202", "990521201", "990521"]);
    }

    #[test]
    fn unit_names_give_levels() {
        fn check(name: &str, level: RegionLevel) {
            assert_eq!(RegionLevel::of_unit_name(name), level, "{name}");
        }
        check("柳湾村村民委员会", RegionLevel::Village);
        check("东门社区居民委员会", RegionLevel::Village);
        check("城关镇人民政府", RegionLevel::Township);
        check("城南街道办事处", RegionLevel::Township);
        check("云溪县民政局", RegionLevel::County);
        check("云溪县乡村振兴局", RegionLevel::County);
    }
}
