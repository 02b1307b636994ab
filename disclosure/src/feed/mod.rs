//! The feed's file layout: which files of a county's content travel as
//! signed targets, the catalog shard format (one JSON file per region and
//! domain), and the rules a target name must follow before it touches disk.
//!
//! ```text
//! target name                    place in the content folder
//! regions.csv                    regions.csv
//! catalog-<region>-<NN>.json     catalog/<region>/<NN>.json  (one shard per region and domain)
//! deltas-<from>-<to>.json        (none: how to rebuild changed shards, see delta.rs)
//! documents-<region>-<file>      documents/<region>/<file>   (documents, 解读, attachments)
//! guides-<region>-<file>         guides/<region>/<file>      (办事指南)
//! notices-<region>-<file>        notices/<region>/<file>     (公告)
//! calendars-<YYYY>.toml          calendars/<YYYY>.toml       (working-day schedules)
//! ```
//!
//! Placed like this, the targets form a content folder that
//! [`crate::import::load_content_dir`] reads (catalog shards instead of
//! sheets), so the terminal imports exactly what the county checked.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub mod delta;

use crate::import::ImportError;
use crate::{
    Audience, CatalogItem, Date, DisclosureMode, Domain, ItemKey, PublishLevels, RegionCode,
};

/// The `format` field of every catalog shard this version writes and reads.
pub const SHARD_FORMAT: &str = "gongkai-catalog-shard/1";

/// Lower-case hex of `bytes` (target hashes, cache file names).
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Lower-case hex SHA-256 of `bytes`, as TUF metadata names targets.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex(&Sha256::digest(bytes))
}

/// One region's items of one domain, as published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogShard {
    pub format: String,
    pub region: String,
    pub domain: u8,
    pub items: Vec<ItemRecord>,
}

/// A [`CatalogItem`] on the wire: every standard element, nothing derived.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ItemRecord {
    pub key: String,
    pub columns: Vec<String>,
    pub name: String,
    pub content: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
    pub time_limit: String,
    pub publisher: String,
    /// 主动 and/or 依申请 (bit 0, bit 1).
    pub mode: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// `public` or `specific`.
    pub audience: String,
    /// 县级/乡级/村级 bits.
    pub levels: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub office: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_person: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_phone: Option<String>,
    pub updated: String,
    /// `false` when `updated` is the catalog's publication date, the sheet
    /// having none; left out when `true` (feeds written before it).
    #[serde(default = "stated", skip_serializing_if = "is_stated")]
    pub updated_stated: bool,
    pub source: String,
}

fn stated() -> bool {
    true
}

fn is_stated(b: &bool) -> bool {
    *b
}

impl ItemRecord {
    fn of(item: &CatalogItem) -> ItemRecord {
        ItemRecord {
            key: item.key.0.clone(),
            columns: item.columns.clone(),
            name: item.name.clone(),
            content: item.content.clone(),
            basis: item.basis.clone(),
            time_limit: item.time_limit.clone(),
            publisher: item.publisher.clone(),
            mode: item.mode.bits(),
            channel: item.channel.clone(),
            audience: item.audience.db_name().to_string(),
            levels: item.levels.bits(),
            office: item.office.clone(),
            contact_person: item.contact_person.clone(),
            contact_phone: item.contact_phone.clone(),
            updated: item.updated.to_string(),
            updated_stated: item.updated_stated,
            source: item.source.clone(),
        }
    }

    fn into_item(self, region: &RegionCode, domain: Domain) -> Result<CatalogItem, String> {
        let mode = DisclosureMode::from_bits(self.mode);
        if !mode.proactive && !mode.on_application {
            return Err(format!("事项“{}”没有公开方式", self.name));
        }
        let audience = Audience::from_db_name(&self.audience)
            .ok_or_else(|| format!("事项“{}”的公开对象“{}”无法识别", self.name, self.audience))?;
        let updated: Date = self
            .updated
            .parse()
            .map_err(|_| format!("事项“{}”的更新日期“{}”无效", self.name, self.updated))?;
        if self.columns.is_empty() || self.name.trim().is_empty() {
            return Err(format!("事项“{}”缺少栏目或名称", self.name));
        }
        let key = ItemKey::derive(region, domain, &self.publisher, &self.columns, &self.name);
        if key.0 != self.key {
            return Err(format!("事项“{}”的编号与内容不符", self.name));
        }
        Ok(CatalogItem {
            key,
            region: region.clone(),
            domain,
            columns: self.columns,
            name: self.name,
            content: self.content,
            basis: self.basis,
            time_limit: self.time_limit,
            publisher: self.publisher,
            mode,
            channel: self.channel,
            audience,
            levels: PublishLevels::from_bits(self.levels),
            office: self.office,
            contact_person: self.contact_person,
            contact_phone: self.contact_phone,
            updated,
            updated_stated: self.updated_stated,
            source: self.source,
        })
    }
}

/// Splits items into shards by region and domain, keeping their order
/// within each shard. Same items in, same bytes out.
pub fn catalog_shards(items: &[CatalogItem]) -> BTreeMap<String, Vec<u8>> {
    let mut groups: BTreeMap<(RegionCode, u8), Vec<ItemRecord>> = BTreeMap::new();
    for it in items {
        groups
            .entry((it.region.clone(), it.domain.code()))
            .or_default()
            .push(ItemRecord::of(it));
    }
    groups
        .into_iter()
        .map(|((region, domain), items)| {
            let name = shard_target_name(&region, domain);
            let shard = CatalogShard {
                format: SHARD_FORMAT.to_string(),
                region: region.to_string(),
                domain,
                items,
            };
            let mut bytes = serde_json::to_vec(&shard).expect("shards serialize");
            bytes.push(b'\n');
            (name, bytes)
        })
        .collect()
}

/// Whether a file in a catalog folder is a shard rather than a sheet.
pub fn is_shard_file(p: &Path) -> bool {
    p.extension().is_some_and(|e| e == "json")
        && !p
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
}

/// Whether `file` is the name [`catalog_shards`] gives a shard in a
/// region's catalog folder: two digits of a domain code and `.json`
/// (`01.json` … `27.json`). Feeds and bundles carry the catalog only so:
/// a spreadsheet is parsed at the county, never on a terminal.
pub fn is_shard_file_name(file: &str) -> bool {
    file.strip_suffix(".json")
        .filter(|code| code.len() == 2 && code.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|code| code.parse::<u8>().ok())
        .and_then(Domain::from_code)
        .is_some()
}

/// Reads one shard found in the catalog folder of `region`.
pub fn read_shard(path: &Path, region: &RegionCode) -> Result<Vec<CatalogItem>, ImportError> {
    let file = path.display().to_string();
    let err = |message: String| ImportError {
        file: file.clone(),
        sheet: None,
        row: None,
        column: None,
        message,
    };
    let bytes = std::fs::read(path).map_err(|e| err(format!("无法读取：{e}")))?;
    let shard: CatalogShard =
        serde_json::from_slice(&bytes).map_err(|e| err(format!("目录分片格式错误：{e}")))?;
    if shard.format != SHARD_FORMAT {
        return Err(err(format!(
            "目录分片格式“{}”不受支持（应为 {SHARD_FORMAT}）",
            shard.format
        )));
    }
    if shard.region != region.as_str() {
        return Err(err(format!(
            "分片属于 {}，却放在 {region} 的文件夹中",
            shard.region
        )));
    }
    let domain = Domain::from_code(shard.domain)
        .ok_or_else(|| err(format!("领域代码 {} 无效", shard.domain)))?;
    shard
        .items
        .into_iter()
        .map(|r| r.into_item(region, domain).map_err(&err))
        .collect()
}

/// Longest target name: the consistent-snapshot file `<sha256>.<name>`
/// must fit a file system's 255-byte names.
pub const MAX_TARGET_NAME_BYTES: usize = 190;

/// The target name of a file at `folder/region/file` (`folder` one of
/// catalog, documents, guides, notices), or of `regions.csv` / `calendars/YYYY.toml`. Target
/// names are flat (`documents-990521-关于….md`) so that the consistent
/// snapshot name `<sha256>.<name>` is the same for every TUF client.
pub fn target_name(folder: &str, region: Option<&RegionCode>, file: &str) -> String {
    match region {
        Some(r) => format!("{folder}-{r}-{file}"),
        None if folder == "regions.csv" => folder.to_string(),
        None => format!("{folder}-{file}"),
    }
}

/// The name of the catalog shard of `region`'s items in domain `code`.
pub fn shard_target_name(region: &RegionCode, code: u8) -> String {
    target_name("catalog", Some(region), &format!("{code:02}.json"))
}

/// The folders whose targets belong to one region (`<folder>-<region>-…`).
pub const REGION_FOLDERS: [&str; 4] = ["catalog", "documents", "guides", "notices"];

/// The region a target belongs to, for catalog shards, documents, guides
/// and notices; `None` for regions.csv, calendars and deltas, which only
/// the county signs.
pub fn target_region(name: &str) -> Option<RegionCode> {
    let (folder, rest) = name.split_once('-')?;
    if !REGION_FOLDERS.contains(&folder) {
        return None;
    }
    rest.split_once('-')?.0.parse().ok()
}

/// The TUF path patterns of everything `region` and the regions under it
/// publish — what a delegated role for that region may sign. The `-` after
/// a full code would stop the subtree, so patterns end in `*` right after
/// the code: a township's pattern covers its villages' 12-digit codes.
pub fn region_path_patterns(region: &RegionCode) -> Vec<String> {
    REGION_FOLDERS
        .iter()
        .map(|f| format!("{f}-{region}*"))
        .collect()
}

/// Whether `name` is a target of `region` or a region under it — the
/// same rule as [`region_path_patterns`], without glob matching.
pub fn target_is_within(name: &str, region: &RegionCode) -> bool {
    target_region(name).is_some_and(|r| r.is_within(region))
}

/// Where a target goes in a content folder, relative to it; an error for a
/// name that is not one this feed writes. Checked before anything touches
/// disk: no separators, no `.`/`..`, no hidden or control characters, a
/// valid region code, a calendar named `YYYY.toml`.
pub fn target_relative_path(name: &str) -> Result<PathBuf, String> {
    let bad = |why: &str| Err(format!("目标名“{name}”不可用：{why}"));
    // Stored as `<64 hex>.<name>`, within a file system's 255 bytes.
    if name.is_empty() || name.len() > MAX_TARGET_NAME_BYTES {
        return bad("文件名太长（最多 190 字节，约 60 个汉字）");
    }
    if name
        .chars()
        .any(|c| c.is_control() || matches!(c, '/' | '\\' | ':'))
    {
        return bad("含分隔符或控制字符");
    }
    if name == "regions.csv" {
        return Ok(PathBuf::from(name));
    }
    let Some((folder, rest)) = name.split_once('-') else {
        return bad("不在内容目录之内");
    };
    match folder {
        "calendars" => {
            let year = rest.strip_suffix(".toml").unwrap_or("");
            if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
                return bad("日历应为 YYYY.toml");
            }
            Ok(Path::new("calendars").join(rest))
        }
        "catalog" | "documents" | "guides" | "notices" => {
            let Some((region, file)) = rest.split_once('-') else {
                return bad("缺少行政区划代码");
            };
            if region.parse::<RegionCode>().is_err() {
                return bad("行政区划代码无效");
            }
            if file.is_empty() || file.starts_with('.') || file.starts_with("~$") {
                return bad("文件名无效");
            }
            if folder == "catalog" && !is_shard_file_name(file) {
                return bad(
                    "目录只能以县里生成的 JSON 分片（01.json 至 27.json）发布，不能是电子表格或其他文件",
                );
            }
            Ok(Path::new(folder).join(region).join(file))
        }
        _ => bad("不在内容目录之内"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_regions_at_the_boundary() {
        fn check(name: &str, within: &str, want: bool) {
            let r: RegionCode = within.parse().unwrap();
            assert_eq!(target_is_within(name, &r), want, "{name:?} within {within}");
        }
        check("catalog-990521101-01.json", "990521101", true);
        check("catalog-990521101201-01.json", "990521101", true);
        check("documents-990521101-a.md", "990521101", true);
        check("notices-990521101201-b.md", "990521101201", true);
        check("guides-990521101-c.md", "990521101201", false);
        check("catalog-990521201-01.json", "990521101", false);
        check("catalog-990521-01.json", "990521101", false);
        check("regions.csv", "990521101", false);
        check("calendars-2027.toml", "990521101", false);
        check("deltas-1-2.json", "990521101", false);
        check("catalog-99052110-01.json", "990521101", false);
        assert_eq!(
            region_path_patterns(&"990521101".parse().unwrap()),
            [
                "catalog-990521101*",
                "documents-990521101*",
                "guides-990521101*",
                "notices-990521101*"
            ]
        );
    }

    #[test]
    fn target_names_at_the_boundary() {
        fn check(name: &str, want: Option<&str>) {
            let got = target_relative_path(name).ok();
            assert_eq!(got.as_deref(), want.map(Path::new), "{name:?}");
        }
        check("regions.csv", Some("regions.csv"));
        check("catalog-990521-01.json", Some("catalog/990521/01.json"));
        check(
            "documents-990521201-关于低保-的通知.md",
            Some("documents/990521201/关于低保-的通知.md"),
        );
        check("calendars-2027.toml", Some("calendars/2027.toml"));
        check("", None);
        check("/etc/passwd", None);
        check("documents-990521-../../etc/passwd", None);
        check("documents-990521-..", None);
        check("documents-990521-.hidden", None);
        check("documents-990521-a\\b.md", None);
        check("documents-990521-a\nb.md", None);
        check("documents-99052-a.md", None);
        check("documents-990521-", None);
        check("bin-990521-sh", None);
        check("calendars-27.toml", None);
        // The catalog travels only as the JSON shards the county writes.
        check("catalog-990521-27.json", Some("catalog/990521/27.json"));
        check("catalog-990521-00.json", None);
        check("catalog-990521-28.json", None);
        check("catalog-990521-1.json", None);
        check("catalog-990521-01.xlsx", None);
        check("catalog-990521-社会救助.xlsx", None);
        check("catalog-990521-01.json.xlsx", None);
        check("calendars-2027.json", None);
        // 17 bytes of prefix: 173 more make 190, the most there may be.
        let longest = format!("documents/990521/{}", "a".repeat(173));
        check(
            &format!("documents-990521-{}", "a".repeat(173)),
            Some(&longest),
        );
        check(&format!("documents-990521-{}", "a".repeat(174)), None);
        assert_eq!(
            target_name("documents", Some(&"990521".parse().unwrap()), "a.md"),
            "documents-990521-a.md"
        );
        assert_eq!(target_name("regions.csv", None, ""), "regions.csv");
        assert_eq!(
            target_name("calendars", None, "2027.toml"),
            "calendars-2027.toml"
        );
    }

    #[test]
    fn shards_round_trip_every_element() {
        let mut items = crate::synth::synthetic_items(300, 3);
        for i in items.iter_mut().step_by(7) {
            i.updated_stated = false;
        }
        let shards = catalog_shards(&items);
        assert!(shards.len() > 1);
        let dir = tempfile::tempdir().unwrap();
        let mut back = Vec::new();
        for (name, bytes) in &shards {
            let p = dir.path().join(target_relative_path(name).unwrap());
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, bytes).unwrap();
            let region: RegionCode = name.split('-').nth(1).unwrap().parse().unwrap();
            back.extend(read_shard(&p, &region).unwrap());
        }
        let key = |i: &CatalogItem| i.key.clone();
        let mut a = items.clone();
        a.sort_by_key(key);
        back.sort_by_key(key);
        assert_eq!(a, back);
        assert_eq!(catalog_shards(&items), shards, "deterministic");
    }

    #[test]
    fn an_item_s_own_date_is_the_default_and_is_not_written() {
        let mut item = crate::synth::synthetic_items(1, 1).remove(0);
        let stated = serde_json::to_string(&ItemRecord::of(&item)).unwrap();
        assert!(
            !stated.contains("updated_stated"),
            "feeds as before: {stated}"
        );
        let back: ItemRecord = serde_json::from_str(&stated).unwrap();
        assert!(
            back.updated_stated,
            "a feed written before the flag: own dates"
        );
        item.updated_stated = false;
        let published = serde_json::to_string(&ItemRecord::of(&item)).unwrap();
        assert!(
            published.contains("\"updated_stated\":false"),
            "{published}"
        );
    }

    #[test]
    fn shard_refused_when_tampered_or_misplaced() {
        let items = crate::synth::synthetic_items(20, 5);
        let (name, bytes) = catalog_shards(&items).into_iter().next().unwrap();
        let region: RegionCode = name.split('-').nth(1).unwrap().parse().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("01.json");
        let check = |bytes: &[u8], region: &RegionCode, want: &str| {
            std::fs::write(&p, bytes).unwrap();
            let e = read_shard(&p, region).unwrap_err();
            assert!(e.message.contains(want), "{e}");
        };
        let text = String::from_utf8(bytes.clone()).unwrap();
        let shard: CatalogShard = serde_json::from_slice(&bytes).unwrap();
        let first_name = &shard.items[0].name;
        check(
            text.replacen(first_name.as_str(), "改过的名称", 1)
                .as_bytes(),
            &region,
            "编号与内容不符",
        );
        check(
            text.replace(SHARD_FORMAT, "gongkai-catalog-shard/9")
                .as_bytes(),
            &region,
            "不受支持",
        );
        check(b"{not json", &region, "格式错误");
        let other: RegionCode = "990522".parse().unwrap();
        check(&bytes, &other, "却放在");
    }
}
