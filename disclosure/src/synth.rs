//! A synthetic catalog of N items (up to 100k and beyond) for benchmarks:
//! deterministic for a seed, with text drawn from the vocabulary of real
//! catalogs so character and pinyin frequencies look like the demo's.

use std::io::Write;

use crate::{
    Audience, CatalogItem, ContentBundle, Date, DisclosureMode, Domain, ItemKey, PublishLevels,
    Region, RegionCode, RegionLevel,
};

/// SplitMix64: small, fast and good enough to spread synthetic data.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const PLACES: &[&str] = &["县", "乡镇", "村", "社区", "街道", "城区", "农村", "园区"];
const SUBJECTS: &[&str] = &[
    "最低生活保障",
    "特困人员救助供养",
    "临时救助",
    "医疗救助",
    "耕地地力保护补贴",
    "农机购置补贴",
    "危房改造",
    "公租房",
    "廉租住房",
    "棚户区改造",
    "征地补偿",
    "房屋征收",
    "安全生产许可",
    "食品经营许可",
    "药品零售许可",
    "建设工程规划许可",
    "土地出让",
    "政府采购",
    "工程招标",
    "部门预算",
    "政府决算",
    "三公经费",
    "税收优惠",
    "社保缴费",
    "养老保险待遇",
    "医保报销",
    "就业创业补贴",
    "职业技能培训",
    "创业担保贷款",
    "义务教育招生",
    "学生资助",
    "营养改善计划",
    "家庭医生签约",
    "疫苗接种",
    "传染病防控",
    "环境影响评价",
    "排污许可",
    "污染源监测",
    "公共文化场馆",
    "法律援助",
    "人民调解",
    "户口迁移",
    "居住证办理",
    "养老机构",
    "高龄津贴",
    "自然灾害救助",
    "防汛抗旱",
    "城市道路挖掘",
    "市政设施维护",
    "供水供气",
    "城市管理执法",
];
const ACTIONS: &[&str] = &[
    "申请条件",
    "办理流程",
    "审核结果",
    "资金发放情况",
    "对象名单",
    "政策文件",
    "标准调整",
    "实施方案",
    "工作动态",
    "监督检查结果",
    "行政处罚决定",
    "项目批准信息",
    "公示公告",
    "收费标准",
    "咨询投诉渠道",
    "年度报告",
    "统计数据",
    "补助标准",
    "申报指南",
    "结果公开",
];
const CONTENT: &[&str] = &[
    "申请对象和条件",
    "所需材料清单",
    "办理时限和地点",
    "审批结果及依据",
    "补助标准和发放方式",
    "名单及金额",
    "监督举报电话",
    "相关政策解读",
    "资金来源和使用情况",
    "项目基本信息",
    "实施进度",
    "验收结果",
    "责任单位及联系方式",
    "工作流程图",
    "常见问题解答",
    "办事指南",
    "公示期限和异议处理",
    "政府信息公开申请渠道",
    "依申请公开的办理程序",
    "年度执行情况",
];
const BASES: &[&str] = &[
    "《中华人民共和国政府信息公开条例》",
    "《社会救助暂行办法》",
    "《中华人民共和国预算法》",
    "《中华人民共和国安全生产法》",
    "《中华人民共和国土地管理法》",
    "《中华人民共和国食品安全法》",
    "《中华人民共和国社会保险法》",
    "《中华人民共和国义务教育法》",
    "《中华人民共和国环境保护法》",
    "《中华人民共和国招标投标法》",
    "《中华人民共和国政府采购法》",
    "《国有土地上房屋征收与补偿条例》",
];
const LIMITS: &[&str] = &[
    "信息形成或者变更之日起20个工作日内",
    "信息形成之日起7个工作日内",
    "每季度公开一次",
    "每年3月底前",
    "实时公开",
];
const CHANNELS: &[&str] = &[
    "■政府网站 ■政务公开专区",
    "■政府网站 ■公开查阅点 ■便民服务站",
    "■政务公开专区 ■入户/现场 ■社区/村公示栏",
    "■两微一端 ■政府网站 ■广播电视",
];
const BODIES: &[&str] = &[
    "县民政局",
    "县财政局",
    "县人力资源和社会保障局",
    "县农业农村局",
    "县自然资源和规划局",
    "县住房和城乡建设局",
    "县卫生健康局",
    "县教育局",
    "县应急管理局",
    "县市场监督管理局",
    "乡镇人民政府",
    "村民委员会",
];

/// Regions of the synthetic county (the demo county's shape: one county,
/// two townships, four villages).
pub fn synthetic_regions() -> Vec<Region> {
    let mk = |code: &str, name: &str| {
        let code: RegionCode = code.parse().expect("valid synthetic region code");
        Region {
            level: code.level(),
            parent: code.parent(),
            code,
            name: name.to_string(),
        }
    };
    vec![
        mk("990521", "云溪县"),
        mk("990521101", "城关镇"),
        mk("990521201", "石桥乡"),
        mk("990521101001", "东门社区"),
        mk("990521101201", "柳湾村"),
        mk("990521201201", "石桥村"),
        mk("990521201202", "桃源村"),
    ]
}

/// `n` catalog items spread over the 27 domains and the regions above:
/// about 60% county, 25% township and 15% village items.
pub fn synthetic_items(n: usize, seed: u64) -> Vec<CatalogItem> {
    let regions = synthetic_regions();
    let mut rng = SplitMix64::new(seed);
    let base = Date::from_ymd(2024, 1, 1).expect("valid date");
    (0..n)
        .map(|i| {
            let roll = rng.below(100);
            let region = if roll < 60 {
                &regions[0]
            } else if roll < 85 {
                &regions[1 + rng.below(2)]
            } else {
                &regions[3 + rng.below(4)]
            };
            let domain = Domain::from_code(1 + rng.below(27) as u8).expect("valid domain code");
            let subject = rng.pick(SUBJECTS);
            let column1 = format!("{}{}", subject, rng.pick(&["管理", "服务", "信息", "工作"]));
            let name = format!(
                "{}{}{}（第{}号）",
                rng.pick(PLACES),
                subject,
                rng.pick(ACTIONS),
                i + 1
            );
            let parts = 3 + rng.below(4);
            let content = (0..parts)
                .map(|k| format!("{}.{}{}", k + 1, rng.pick(SUBJECTS), rng.pick(CONTENT)))
                .collect::<Vec<_>>()
                .join("\n");
            let mut updated = base;
            for _ in 0..rng.below(1000) {
                updated = updated.next_day().unwrap_or(updated);
            }
            let columns = vec![column1];
            let publisher = format!("云溪{}", rng.pick(BODIES));
            CatalogItem {
                key: ItemKey::derive(&region.code, domain, &publisher, &columns, &name),
                region: region.code.clone(),
                domain,
                columns,
                name,
                content,
                basis: Some(format!("{}第{}条", rng.pick(BASES), 1 + rng.below(80))),
                time_limit: rng.pick(LIMITS).to_string(),
                publisher,
                mode: if rng.below(10) == 0 {
                    DisclosureMode {
                        proactive: false,
                        on_application: true,
                    }
                } else {
                    DisclosureMode::PROACTIVE
                },
                channel: Some(rng.pick(CHANNELS).to_string()),
                audience: if rng.below(10) == 0 {
                    Audience::SpecificGroup
                } else {
                    Audience::Public
                },
                levels: PublishLevels::of(region.level),
                office: None,
                contact_person: None,
                contact_phone: Some(format!("0999-55{:05}", rng.below(100_000))),
                updated,
                updated_stated: true,
                source: format!("synthetic #{}", i + 1),
            }
        })
        .collect()
}

/// A bundle of the synthetic regions and `n` items.
pub fn synthetic_bundle(n: usize, seed: u64) -> ContentBundle {
    ContentBundle {
        regions: synthetic_regions(),
        items: synthetic_items(n, seed),
        ..ContentBundle::default()
    }
}

/// The two header rows of the national domain standard catalog, as a county
/// writes them (merged groups leave their second cell blank).
pub const DOMAIN_STANDARD_HEADER: [[&str; 14]; 2] = [
    [
        "序号",
        "公开事项",
        "",
        "公开内容（要素）",
        "公开依据",
        "公开时限",
        "公开主体",
        "公开渠道和载体",
        "公开对象",
        "",
        "公开方式",
        "",
        "公开层级",
        "",
    ],
    [
        "",
        "一级事项",
        "二级事项",
        "",
        "",
        "",
        "",
        "",
        "全社会",
        "特定群体",
        "主动",
        "依申请",
        "县级",
        "乡级",
    ],
];

/// Writes items as one national-standard-shape CSV sheet (title row,
/// two-row header, 一级事项 left blank under its first row as a merged
/// cell exports), the way a county would hand in a catalog.
pub fn write_domain_standard_csv(
    items: &[CatalogItem],
    out: &mut impl Write,
) -> std::io::Result<()> {
    let mut w = csv::WriterBuilder::new().flexible(true).from_writer(out);
    let blank13 = [""; 13];
    let mut title = vec!["云溪县其他领域基层政务公开标准目录（合成数据）"];
    title.extend_from_slice(&blank13);
    w.write_record(&title)?;
    w.write_record(DOMAIN_STANDARD_HEADER[0])?;
    w.write_record(DOMAIN_STANDARD_HEADER[1])?;
    let tick = |b: bool| if b { "√" } else { "" };
    let mut prev_col: Option<&str> = None;
    for (i, it) in items.iter().enumerate() {
        let col = it.columns[0].as_str();
        let shown_col = if prev_col == Some(col) { "" } else { col };
        prev_col = Some(col);
        let seq = (i + 1).to_string();
        let county = it.levels.contains(RegionLevel::County);
        w.write_record([
            seq.as_str(),
            shown_col,
            it.name.as_str(),
            it.content.as_str(),
            it.basis.as_deref().unwrap_or(""),
            it.time_limit.as_str(),
            it.publisher.as_str(),
            it.channel.as_deref().unwrap_or(""),
            tick(it.audience == Audience::Public),
            tick(it.audience == Audience::SpecificGroup),
            tick(it.mode.proactive),
            tick(it.mode.on_application),
            tick(county),
            tick(!county),
        ])?;
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_for_a_seed() {
        let a = synthetic_items(50, 7);
        let b = synthetic_items(50, 7);
        let c = synthetic_items(50, 8);
        assert_eq!(a, b);
        assert_ne!(a, c);
        let keys: std::collections::HashSet<_> = a.iter().map(|i| &i.key).collect();
        assert_eq!(keys.len(), 50, "keys are unique");
    }
}
