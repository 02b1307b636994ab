//! The 26 pilot domains of the 基层政务公开 standard catalog, plus 其他领域.

use std::fmt;

/// One of the 26 pilot domains (国办发〔2019〕54号) or [`Domain::Other`].
///
/// The numeric code is stable: it is stored in `content.db` and used in feed
/// shard names, so the order of this list must never change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Domain(u8);

const NAMES: [&str; 27] = [
    "国土空间规划",
    "重大建设项目",
    "公共资源交易",
    "财政预决算",
    "安全生产",
    "税收管理",
    "征地补偿",
    "国有土地上房屋征收",
    "保障性住房",
    "农村危房改造",
    "环境保护",
    "公共文化服务",
    "公共法律服务",
    "扶贫",
    "救灾",
    "食品药品监管",
    "城市综合执法",
    "就业创业",
    "社会保险",
    "社会救助",
    "养老服务",
    "户籍管理",
    "涉农补贴",
    "义务教育",
    "医疗卫生",
    "市政服务",
    "其他领域",
];

/// What each domain is about in the words people ask with, in the order
/// of [`NAMES`]: the line under a domain's name on the kiosk.
const PLAIN_WORDS: [&str; 27] = [
    "村庄规划、土地用途",
    "修路、建桥等大项目",
    "工程招标、土地出让",
    "政府的钱怎么花",
    "企业安全、事故处理",
    "纳税、减税降费",
    "征地给多少补偿",
    "城镇房屋拆迁补偿",
    "公租房、廉租房",
    "危房补助、改造名单",
    "污染、环评、举报",
    "文化站、农家书屋、活动",
    "法律援助、纠纷调解",
    "帮扶、防止返贫",
    "灾害救助、避险转移",
    "食品安全、抽检结果",
    "城管、违章建筑",
    "找工作、培训、创业贷款",
    "养老金、医保、参保缴费",
    "低保、特困、临时救助",
    "高龄津贴、养老院",
    "户口、身份证",
    "种粮补贴、耕地地力补贴",
    "上学、招生、资助",
    "看病、疫苗、家庭医生",
    "水电气、道路、路灯",
    "其他政府信息",
];

impl Domain {
    /// 其他领域: everything outside the 26 pilot domains.
    pub const OTHER: Domain = Domain(27);

    /// All 27 domains in catalog order, 其他领域 last.
    pub fn all() -> impl Iterator<Item = Domain> {
        (1..=27).map(Domain)
    }

    /// The 26 pilot domains, without 其他领域.
    pub fn pilot() -> impl Iterator<Item = Domain> {
        (1..=26).map(Domain)
    }

    /// The stable code: 1..=26 for the pilot domains, 27 for 其他领域.
    pub fn code(self) -> u8 {
        self.0
    }

    pub fn from_code(code: u8) -> Option<Domain> {
        (1..=27).contains(&code).then_some(Domain(code))
    }

    /// The name users read, e.g. `社会救助`.
    pub fn name(self) -> &'static str {
        NAMES[usize::from(self.0) - 1]
    }

    /// What the domain is about in plain words, e.g. `低保、特困、临时救助`
    /// for 社会救助: people ask for 低保, not for the domain's name.
    pub fn plain_words(self) -> &'static str {
        PLAIN_WORDS[usize::from(self.0) - 1]
    }

    pub fn is_other(self) -> bool {
        self == Self::OTHER
    }

    /// Parses a domain name as written in sheets and front matter.
    ///
    /// Accepts the exact name, the name followed by `领域`, and `其他`/`其它`.
    pub fn from_name(text: &str) -> Option<Domain> {
        let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let t = t.strip_suffix("领域").unwrap_or(&t);
        if matches!(t, "其他" | "其它" | "其他领域" | "其它领域") {
            return Some(Self::OTHER);
        }
        NAMES[..26]
            .iter()
            .position(|n| *n == t)
            .map(|i| Domain(i as u8 + 1))
    }

    /// Finds the domain named inside a longer text such as a table title
    /// (`云溪县社会救助领域基层政务公开标准目录`). The longest name wins, so
    /// `国有土地上房屋征收` is not mistaken for a shorter one.
    pub fn find_in(text: &str) -> Option<Domain> {
        Domain::pilot()
            .filter(|d| text.contains(d.name()))
            .max_by_key(|d| d.name().chars().count())
    }
}

impl fmt::Display for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twenty_six_pilot_domains_and_other() {
        assert_eq!(Domain::pilot().count(), 26);
        assert_eq!(Domain::all().last(), Some(Domain::OTHER));
        for d in Domain::all() {
            assert_eq!(Domain::from_code(d.code()), Some(d));
            assert_eq!(Domain::from_name(d.name()), Some(d));
        }
    }

    #[test]
    fn every_domain_has_short_distinct_plain_words() {
        let mut seen = std::collections::HashSet::new();
        for d in Domain::all() {
            let w = d.plain_words();
            // A line under the name on a tile of a 1024-wide screen.
            assert!((4..=12).contains(&w.chars().count()), "{d}: {w}");
            assert!(seen.insert(w), "{d}: {w} twice");
        }
        assert!(
            Domain::from_name("社会救助")
                .unwrap()
                .plain_words()
                .contains("低保")
        );
    }

    #[test]
    fn names_with_suffix_and_inside_titles() {
        fn check(text: &str, expected: Option<&str>) {
            let got = Domain::from_name(text).or_else(|| Domain::find_in(text));
            assert_eq!(got.map(Domain::name), expected, "{text}");
        }
        check("社会救助领域", Some("社会救助"));
        check(" 扶贫 ", Some("扶贫"));
        check("其它", Some("其他领域"));
        check(
            "云溪县国有土地上房屋征收领域基层政务公开标准目录",
            Some("国有土地上房屋征收"),
        );
        check("云溪县殡葬服务领域基层政务公开标准目录", None);
        check("", None);
    }
}
