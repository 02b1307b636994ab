//! Catalog spreadsheets in the two shapes counties keep:
//!
//! 1. the national domain standard catalog (基层政务公开标准目录): a title
//!    row naming the domain, a two-row header with merged groups
//!    (公开事项 → 一级事项/二级事项, 公开对象, 公开方式, 公开层级) and √ marks;
//! 2. the department template (政府信息主动公开目录规范梳理表): 单位 and
//!    栏目 (一级/二级/三级栏目) merged down over many rows.

use std::collections::HashMap;
use std::path::Path;

use super::ImportError;
use super::grid::{Grid, read_file};
use crate::{
    Audience, CatalogItem, Date, DisclosureMode, Domain, ItemKey, PublishLevels, RegionCode,
    RegionLevel,
};

/// Which of the two layouts a sheet has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CatalogShape {
    /// 基层政务公开标准目录 (one table per domain).
    DomainStandard,
    /// 主动公开目录规范梳理表 (department template).
    DepartmentTemplate,
}

/// One catalog row, parsed and validated, before it is placed in a region.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedItem {
    pub shape: CatalogShape,
    pub domain: Domain,
    pub columns: Vec<String>,
    pub name: String,
    pub content: String,
    pub basis: Option<String>,
    pub time_limit: String,
    pub publisher: String,
    pub mode: DisclosureMode,
    pub channel: Option<String>,
    pub audience: Audience,
    /// 公开层级: ticked (shape 1) or the publishing unit's level (shape 2).
    pub levels: PublishLevels,
    pub office: Option<String>,
    pub contact_person: Option<String>,
    pub contact_phone: Option<String>,
    pub updated: Option<Date>,
    pub file: String,
    pub sheet: Option<String>,
    /// Spreadsheet row number (1-based).
    pub row: u32,
}

impl ParsedItem {
    /// Places the item in the catalog of `region`. Department-template items
    /// take the region's level as their 公开层级; items whose sheet has no
    /// update date carry `as_of` (the catalog's publication) marked as such.
    pub fn into_item(self, region: &RegionCode, as_of: Date) -> CatalogItem {
        let levels = match self.shape {
            CatalogShape::DomainStandard => self.levels,
            CatalogShape::DepartmentTemplate => PublishLevels::of(region.level()),
        };
        let file_name = Path::new(&self.file)
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.file.clone());
        let source = match &self.sheet {
            Some(s) => format!("{file_name}〔{s}〕第{}行", self.row),
            None => format!("{file_name} 第{}行", self.row),
        };
        CatalogItem {
            key: ItemKey::derive(
                region,
                self.domain,
                &self.publisher,
                &self.columns,
                &self.name,
            ),
            region: region.clone(),
            domain: self.domain,
            columns: self.columns,
            name: self.name,
            content: self.content,
            basis: self.basis,
            time_limit: self.time_limit,
            publisher: self.publisher,
            mode: self.mode,
            channel: self.channel,
            audience: self.audience,
            levels,
            office: self.office,
            contact_person: self.contact_person,
            contact_phone: self.contact_phone,
            updated: self.updated.unwrap_or(as_of),
            updated_stated: self.updated.is_some(),
            source,
        }
    }
}

/// The valid rows of one file and the warnings about it.
#[derive(Debug, Clone, Default)]
pub struct ParsedCatalog {
    pub items: Vec<ParsedItem>,
    pub warnings: Vec<ImportError>,
    /// Blank group cells filled from the row above because the file's
    /// format cannot show merged cells (CSV, ODS).
    pub filled_down: usize,
}

/// Whether a path names a catalog spreadsheet worth reading: a known
/// extension (any case), and not an Office lock file (`~$…`) or hidden file.
pub fn is_catalog_file(p: &Path) -> bool {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    if name.starts_with("~$") || name.starts_with('.') {
        return false;
    }
    matches!(
        p.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("csv" | "xlsx" | "xlsm" | "xls" | "ods")
    )
}

/// Longest texts accepted in a cell, in characters.
const MAX_NAME: usize = 200;
const MAX_TEXT: usize = 5000;
/// Rows scanned for the header.
const HEADER_SEARCH_ROWS: usize = 15;

/// Parses and validates one catalog file (all its sheets). A file with any
/// error yields only the errors.
pub fn parse_catalog_file(path: &Path) -> Result<ParsedCatalog, Vec<ImportError>> {
    let grids = read_file(path).map_err(|e| vec![e])?;
    let file = path.display().to_string();
    let mut out = ParsedCatalog::default();
    let mut errors = Vec::new();
    let mut sheets_with_header = 0;
    for grid in &grids {
        if grid
            .rows
            .iter()
            .all(|r| r.iter().all(|c| c.text.is_empty()))
        {
            continue;
        }
        match find_header(grid) {
            None => {
                out.warnings.push(grid.error(
                    None,
                    None,
                    "未找到表头（前15行中没有“序号”列），本工作表已跳过".into(),
                ));
            }
            Some((row, shape)) => {
                sheets_with_header += 1;
                let result = match shape {
                    CatalogShape::DomainStandard => parse_domain_standard(grid, row),
                    CatalogShape::DepartmentTemplate => parse_department_template(grid, row),
                };
                match result {
                    Ok(mut p) => {
                        out.items.append(&mut p.items);
                        out.warnings.append(&mut p.warnings);
                        out.filled_down += p.filled_down;
                    }
                    Err(mut e) => errors.append(&mut e),
                }
            }
        }
    }
    if sheets_with_header == 0 && errors.is_empty() {
        errors.push(ImportError::file(
            &file,
            "未找到目录表头：应有“序号”列，并有“公开事项、公开内容（要素）……”（标准目录）\
             或“单位、栏目、公开事项、内容规范……”（目录规范梳理表）"
                .into(),
        ));
    }
    if errors.is_empty() {
        check_duplicates(&out.items, &mut errors);
    }
    if out.filled_down > 0 {
        out.warnings.push(ImportError::file(
            &file,
            format!(
                "此格式（CSV、ODS）看不出合并单元格：{}个空白的分组单元格（一级事项、单位、栏目）\
                 已按上一行填充、空白的二级事项按一级事项填充，请核对；其他空白单元格不填充",
                out.filled_down
            ),
        ));
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Header text without spaces or line breaks, with ASCII parentheses.
fn header_norm(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            c => c,
        })
        .collect()
}

fn find_header(grid: &Grid) -> Option<(usize, CatalogShape)> {
    for r in 0..grid.rows.len().min(HEADER_SEARCH_ROWS) {
        let cells: Vec<String> = grid.rows[r].iter().map(|c| header_norm(&c.text)).collect();
        if !cells.iter().any(|c| c == "序号") {
            continue;
        }
        let has = |p: &str| cells.iter().any(|c| c.starts_with(p));
        if has("公开内容") || has("公开主体") || has("公开层级") {
            return Some((r, CatalogShape::DomainStandard));
        }
        if has("单位") || has("内容规范") || has("栏目") {
            return Some((r, CatalogShape::DepartmentTemplate));
        }
        // A header with 序号 but neither shape's columns.
        return Some((r, CatalogShape::DomainStandard));
    }
    None
}

/// The (group, sub-header) label of each column of a two-row header. A
/// blank group cell under a merged group takes the group to its left.
fn labels(grid: &Grid, header: usize) -> Vec<(String, String)> {
    let width = grid
        .rows
        .get(header)
        .map_or(0, Vec::len)
        .max(grid.rows.get(header + 1).map_or(0, Vec::len));
    let mut out = Vec::with_capacity(width);
    let mut group = String::new();
    for c in 0..width {
        let top = header_norm(grid.cell(header, c));
        let sub = header_norm(grid.cell(header + 1, c));
        if !top.is_empty() {
            group = top;
        } else if sub.is_empty() {
            group.clear();
        }
        out.push((group.clone(), sub));
    }
    out
}

struct Columns<'a> {
    labels: &'a [(String, String)],
}

impl Columns<'_> {
    fn find(&self, group: &str, sub: Option<&str>) -> Option<usize> {
        self.labels.iter().position(|(g, s)| {
            g.starts_with(group)
                && match sub {
                    Some(want) => s.starts_with(want),
                    None => true,
                }
        })
    }

    fn find_any(&self, groups: &[&str]) -> Option<usize> {
        groups.iter().find_map(|g| self.find(g, None))
    }
}

/// A tick cell: `Some(true)` for √ and its look-alikes, `Some(false)` for
/// blank or an explicit no, `None` for anything else.
fn tick(text: &str) -> Option<bool> {
    match text.trim() {
        "√" | "✓" | "✔" | "☑" | "是" | "●" | "■" | "v" | "V" => Some(true),
        "" | "×" | "✗" | "否" | "-" | "—" | "/" | "无" => Some(false),
        _ => None,
    }
}

fn opt(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

/// Removes a list marker a department put before an item's name
/// (`1.本部门印发的规范性文件`).
fn strip_list_marker(s: &str) -> String {
    let digits = s.chars().take_while(|c| c.is_ascii_digit()).count();
    if digits > 0 && digits < s.len() {
        let rest = &s[digits..];
        for m in ['.', '、', '．', ')', '）'] {
            if let Some(r) = rest.strip_prefix(m)
                && !r.trim().is_empty()
                && !r.starts_with(|c: char| c.is_ascii_digit())
            {
                return r.trim().to_string();
            }
        }
    }
    s.to_string()
}

/// A row that only carries a note (`注：…`) under the table; in a workbook
/// the note is often merged across the table, so every cell holds it.
fn is_note_row(grid: &Grid, row: usize) -> bool {
    let cells = &grid.rows[row];
    let mut filled = cells
        .iter()
        .map(|c| c.text.as_str())
        .filter(|t| !t.is_empty());
    let Some(first) = filled.next() else {
        return false;
    };
    filled.all(|t| t == first)
        && ["注", "说明", "备注", "填表"]
            .iter()
            .any(|p| first.starts_with(p))
}

/// A template row with nothing but its 序号 filled in.
fn is_numbered_blank_row(grid: &Grid, row: usize) -> bool {
    let cells = &grid.rows[row];
    cells.iter().skip(1).all(|c| c.text.is_empty())
        && cells
            .first()
            .is_some_and(|c| c.text.chars().all(|ch| ch.is_ascii_digit()))
}

struct RowCtx<'a> {
    grid: &'a Grid,
    row: usize,
    errors: Vec<ImportError>,
}

impl RowCtx<'_> {
    fn err(&mut self, col: Option<usize>, msg: String) {
        self.errors.push(self.grid.error(Some(self.row), col, msg));
    }

    fn text(&self, col: Option<usize>) -> String {
        col.map(|c| self.grid.cell(self.row, c).to_string())
            .unwrap_or_default()
    }

    /// A required cell: an error naming the header when it is empty.
    fn required(&mut self, col: usize, header: &str, max: usize) -> String {
        let t = self.text(Some(col));
        if t.is_empty() {
            self.err(Some(col), blank_message(self.grid, header));
        } else if t.chars().count() > max {
            self.err(
                Some(col),
                format!("“{header}”过长（{}字，最多{max}字）", t.chars().count()),
            );
        }
        t
    }

    fn optional(&mut self, col: Option<usize>, header: &str, max: usize) -> Option<String> {
        let t = self.text(col);
        if t.chars().count() > max {
            self.err(
                col,
                format!("“{header}”过长（{}字，最多{max}字）", t.chars().count()),
            );
        }
        opt(&t)
    }

    fn date(&mut self, col: Option<usize>) -> Option<Date> {
        let c = col?;
        if let Some(d) = self.grid.date(self.row, c) {
            return Some(d);
        }
        let t = self.text(col);
        if t.is_empty() {
            return None;
        }
        match t.parse::<Date>() {
            Ok(d) => Some(d),
            Err(e) => {
                self.err(Some(c), e.to_string());
                None
            }
        }
    }

    fn tick(&mut self, col: usize, header: &str) -> bool {
        let t = self.text(Some(col));
        match tick(&t) {
            Some(v) => v,
            None => {
                self.err(
                    Some(col),
                    format!("“{header}”栏的“{t}”无法识别，应填“√”或留空"),
                );
                false
            }
        }
    }
}

fn domain_of_sheet(grid: &Grid, header: usize) -> Result<Domain, ImportError> {
    let title: String = (0..header)
        .flat_map(|r| grid.rows[r].iter().map(|c| c.text.clone()))
        .collect::<Vec<_>>()
        .join("");
    if let Some(d) = Domain::find_in(&title) {
        return Ok(d);
    }
    if title.contains("其他领域") || title.contains("其它领域") {
        return Ok(Domain::OTHER);
    }
    let names = [
        grid.sheet.clone().unwrap_or_default(),
        Path::new(&grid.file)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
    ];
    for n in &names {
        if let Some(d) = Domain::find_in(n).or_else(|| Domain::from_name(n)) {
            return Ok(d);
        }
    }
    if let Some(pos) = title.find("领域") {
        // The title names a domain that is not one of the 26.
        let before: String = {
            let chars: Vec<char> = title[..pos].chars().collect();
            chars[chars.len().saturating_sub(8)..].iter().collect()
        };
        let title_row = (0..header).find(|r| !grid.row_is_empty(*r));
        return Err(grid.error(
            title_row,
            title_row.map(|_| 0),
            format!(
                "未知领域：标题“{title}”中的“…{before}领域”不是26个试点领域之一，\
                 也不是“其他领域”"
            ),
        ));
    }
    Err(grid.error(
        None,
        None,
        "无法确定所属领域：表格标题、工作表名和文件名中都没有26个试点领域的名称".into(),
    ))
}

fn parse_domain_standard(grid: &Grid, header: usize) -> Result<ParsedCatalog, Vec<ImportError>> {
    let labels = labels(grid, header);
    let cols = Columns { labels: &labels };
    let mut errors = Vec::new();
    let mut need = |c: Option<usize>, what: &str| -> usize {
        c.unwrap_or_else(|| {
            errors.push(grid.error(Some(header), None, format!("表头缺少“{what}”列")));
            usize::MAX
        })
    };
    let col1 = need(cols.find("公开事项", Some("一级")), "公开事项—一级事项");
    let col2 = need(cols.find("公开事项", Some("二级")), "公开事项—二级事项");
    let content = need(cols.find("公开内容", None), "公开内容（要素）");
    let basis = need(cols.find("公开依据", None), "公开依据");
    let limit = need(cols.find("公开时限", None), "公开时限");
    let publisher = need(cols.find("公开主体", None), "公开主体");
    let channel = need(cols.find("公开渠道", None), "公开渠道和载体");
    let public = need(cols.find("公开对象", Some("全社会")), "公开对象—全社会");
    let specific = need(cols.find("公开对象", Some("特定群体")), "公开对象—特定群体");
    let proactive = need(cols.find("公开方式", Some("主动")), "公开方式—主动");
    let on_app = need(cols.find("公开方式", Some("依申请")), "公开方式—依申请");
    let county = need(cols.find("公开层级", Some("县")), "公开层级—县级");
    let township = need(cols.find("公开层级", Some("乡")), "公开层级—乡级");
    let village = cols.find("公开层级", Some("村"));
    let updated = cols.find_any(&["更新日期", "更新时间"]);
    let office = cols.find_any(&["责任处室", "责任科室", "责任股室"]);
    let phone = cols.find_any(&["联系电话", "备注"]);
    if !errors.is_empty() {
        return Err(errors);
    }
    let domain = domain_of_sheet(grid, header).map_err(|e| vec![e])?;

    let mut out = ParsedCatalog::default();
    let mut group: Option<String> = None;
    for row in header + 2..grid.rows.len() {
        if grid.row_is_empty(row) || is_note_row(grid, row) || is_numbered_blank_row(grid, row) {
            continue;
        }
        let mut ctx = RowCtx {
            grid,
            row,
            errors: Vec::new(),
        };
        // 一级事项 merged down: blank continues the group above, but only
        // where the file cannot show merges; in XLSX/XLS a merged cell was
        // expanded already, so a blank one is really blank.
        let first = ctx.text(Some(col1));
        let first = if first.is_empty() {
            match &group {
                Some(g) if !grid.merges_known => {
                    out.filled_down += 1;
                    g.clone()
                }
                _ => {
                    ctx.err(Some(col1), blank_message(grid, "一级事项"));
                    String::new()
                }
            }
        } else {
            group = Some(first.clone());
            first
        };
        if first.chars().count() > MAX_NAME {
            ctx.err(Some(col1), format!("“一级事项”过长（最多{MAX_NAME}字）"));
        }
        // 二级事项 names the item. Where merges are known it is required
        // (一级事项 merged across both columns was expanded, so it then
        // equals 一级事项); in CSV/ODS a blank one is that horizontal merge.
        let second = if grid.merges_known || !ctx.text(Some(col2)).is_empty() {
            ctx.required(col2, "二级事项", MAX_NAME)
        } else {
            out.filled_down += 1;
            String::new()
        };
        let name = if second.is_empty() {
            first.clone()
        } else {
            second
        };
        let content = ctx.required(content, "公开内容（要素）", MAX_TEXT);
        let basis = ctx.required(basis, "公开依据", MAX_TEXT);
        let time_limit = ctx.required(limit, "公开时限", MAX_NAME);
        let publisher = ctx.required(publisher, "公开主体", MAX_NAME);
        let channel = ctx.required(channel, "公开渠道和载体", MAX_NAME);
        let is_public = ctx.tick(public, "全社会");
        let is_specific = ctx.tick(specific, "特定群体");
        let audience = match (is_public, is_specific) {
            (true, false) => Audience::Public,
            (false, true) => Audience::SpecificGroup,
            _ => {
                ctx.err(
                    Some(public),
                    "公开对象须在“全社会”和“特定群体”中勾选且只勾选一项".into(),
                );
                Audience::Public
            }
        };
        let mode = DisclosureMode {
            proactive: ctx.tick(proactive, "主动"),
            on_application: ctx.tick(on_app, "依申请"),
        };
        if !mode.proactive && !mode.on_application {
            ctx.err(Some(proactive), "公开方式须勾选“主动”或“依申请”".into());
        }
        let mut levels = PublishLevels::default();
        if ctx.tick(county, "县级") {
            levels = levels.with(RegionLevel::County);
        }
        if ctx.tick(township, "乡级") {
            levels = levels.with(RegionLevel::Township);
        }
        if let Some(v) = village
            && ctx.tick(v, "村级")
        {
            levels = levels.with(RegionLevel::Village);
        }
        if levels.is_empty() {
            ctx.err(Some(county), "公开层级须至少勾选“县级”或“乡级”".into());
        }
        let updated = ctx.date(updated);
        let office = ctx.optional(office, "责任处室", MAX_NAME);
        let contact_phone = ctx.optional(phone, "联系电话", MAX_NAME);
        if ctx.errors.is_empty() {
            out.items.push(ParsedItem {
                shape: CatalogShape::DomainStandard,
                domain,
                columns: vec![first],
                name,
                content,
                basis: Some(basis),
                time_limit,
                publisher,
                mode,
                channel: Some(channel),
                audience,
                levels,
                office,
                contact_person: None,
                contact_phone,
                updated,
                file: grid.file.clone(),
                sheet: grid.sheet.clone(),
                row: row as u32 + 1,
            });
        } else {
            errors.append(&mut ctx.errors);
        }
    }
    if out.items.is_empty() && errors.is_empty() {
        errors.push(grid.error(Some(header), None, "表格中没有公开事项".into()));
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

fn parse_department_template(
    grid: &Grid,
    header: usize,
) -> Result<ParsedCatalog, Vec<ImportError>> {
    let labels = labels(grid, header);
    let cols = Columns { labels: &labels };
    let mut errors = Vec::new();
    let mut need = |c: Option<usize>, what: &str| -> usize {
        c.unwrap_or_else(|| {
            errors.push(grid.error(Some(header), None, format!("表头缺少“{what}”列")));
            usize::MAX
        })
    };
    let unit = need(cols.find("单位", None), "单位");
    let c1 = need(
        cols.find("栏目", Some("一级"))
            .or_else(|| cols.find("一级栏目", None)),
        "栏目—一级栏目",
    );
    let c2 = cols
        .find("栏目", Some("二级"))
        .or_else(|| cols.find("二级栏目", None));
    let c3 = cols
        .find("栏目", Some("三级"))
        .or_else(|| cols.find("三级栏目", None));
    let name = need(cols.find("公开事项", None), "公开事项");
    let content = need(cols.find("内容规范", None), "内容规范");
    let limit = need(cols.find("公开时限", None), "公开时限");
    let office = cols.find_any(&["责任处室", "责任科室", "责任股室"]);
    let person = cols.find("责任人", None);
    let phone = cols.find_any(&["备注", "联系电话"]);
    let basis = cols.find("公开依据", None);
    let channel = cols.find("公开渠道", None);
    let audience_col = cols.find("公开对象", None);
    let mode_col = cols.find("公开方式", None);
    let domain_col = cols.find_any(&["所属领域", "领域"]);
    let updated = cols.find_any(&["更新日期", "更新时间"]);
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut out = ParsedCatalog::default();
    for (col, what) in [(basis, "公开依据"), (channel, "公开渠道")] {
        if col.is_none() {
            out.warnings.push(grid.error(
                Some(header),
                None,
                format!("表格没有“{what}”列，这些事项的{what}将显示为“未注明”"),
            ));
        }
    }
    // Two-row header when the 一级栏目 column was found under a 栏目 group
    // and the row under the header holds no item.
    let sub_header = labels
        .get(c1)
        .is_some_and(|(g, s)| g.starts_with("栏目") && s.contains("一级"))
        && {
            // Empty under the 公开事项 header, or the header itself merged down.
            let below = grid.cell(header + 1, name);
            below.is_empty() || below == grid.cell(header, name)
        };
    let first_data = header + if sub_header { 2 } else { 1 };
    let mut prev_unit: Option<String> = None;
    let mut prev_c1: Option<String> = None;
    let mut prev_c2: Option<String> = None;
    let mut prev_c3: Option<String> = None;
    let mut filled_down = 0;
    for row in first_data..grid.rows.len() {
        if grid.row_is_empty(row) || is_note_row(grid, row) || is_numbered_blank_row(grid, row) {
            continue;
        }
        let mut ctx = RowCtx {
            grid,
            row,
            errors: Vec::new(),
        };
        let mut fill = |ctx: &mut RowCtx<'_>, col: usize, prev: &mut Option<String>, what: &str| {
            let t = ctx.text(Some(col));
            if t.is_empty() {
                match prev.clone() {
                    Some(p) if !grid.merges_known => {
                        filled_down += 1;
                        (p, true)
                    }
                    _ => {
                        ctx.err(Some(col), blank_message(grid, what));
                        (String::new(), false)
                    }
                }
            } else {
                *prev = Some(t.clone());
                (t, false)
            }
        };
        let (unit_name, _) = fill(&mut ctx, unit, &mut prev_unit, "单位");
        let (col1, col1_inherited) = fill(&mut ctx, c1, &mut prev_c1, "一级栏目");
        // 二级栏目 continues only inside the same 一级栏目 group, 三级栏目
        // only inside the same 二级栏目 (and never where merges are known).
        let (col2, col2_inherited) = continue_in_group(&ctx, c2, col1_inherited, &mut prev_c2);
        let (col3, col3_inherited) =
            continue_in_group(&ctx, c3, col1_inherited && col2_inherited, &mut prev_c3);
        filled_down += usize::from(col2_inherited) + usize::from(col3_inherited);
        if let Some(c) = &col3
            && c.chars().count() > MAX_NAME
        {
            ctx.err(c3, format!("“三级栏目”过长（最多{MAX_NAME}字）"));
        }
        let item_name = strip_list_marker(&ctx.required(name, "公开事项", MAX_NAME));
        let content = ctx.required(content, "内容规范", MAX_TEXT);
        let time_limit = ctx.required(limit, "公开时限", MAX_NAME);
        let domain = match domain_col.map(|c| (c, ctx.text(Some(c)))) {
            Some((c, t)) if !t.is_empty() => Domain::from_name(&t).unwrap_or_else(|| {
                ctx.err(
                    Some(c),
                    format!("未知领域“{t}”：应为26个试点领域之一或“其他领域”"),
                );
                Domain::OTHER
            }),
            _ => [Some(&col1), col2.as_ref()]
                .into_iter()
                .flatten()
                .find_map(|c| Domain::from_name(c))
                .unwrap_or(Domain::OTHER),
        };
        let audience = match audience_col.map(|c| (c, ctx.text(Some(c)))) {
            Some((c, t)) if !t.is_empty() => Audience::from_chinese(&t).unwrap_or_else(|| {
                ctx.err(
                    Some(c),
                    format!("公开对象“{t}”无法识别，应为“全社会”或“特定群体”"),
                );
                Audience::Public
            }),
            _ => Audience::Public,
        };
        let mode = match mode_col.map(|c| (c, ctx.text(Some(c)))) {
            Some((c, t)) if !t.is_empty() => {
                DisclosureMode::from_chinese(&t).unwrap_or_else(|| {
                    ctx.err(
                        Some(c),
                        format!("公开方式“{t}”无法识别，应为“主动”或“依申请”"),
                    );
                    DisclosureMode::PROACTIVE
                })
            }
            _ => DisclosureMode::PROACTIVE,
        };
        let basis = ctx.optional(basis, "公开依据", MAX_TEXT);
        let channel = ctx.optional(channel, "公开渠道", MAX_NAME);
        let office = ctx.optional(office, "责任处室", MAX_NAME);
        let contact_person = ctx.optional(person, "责任人", MAX_NAME);
        let contact_phone = ctx.optional(phone, "备注(联系电话)", MAX_NAME);
        let updated = ctx.date(updated);
        if ctx.errors.is_empty() {
            let mut columns = vec![col1];
            columns.extend(col2.filter(|c| !c.is_empty()));
            columns.extend(col3);
            out.items.push(ParsedItem {
                shape: CatalogShape::DepartmentTemplate,
                domain,
                columns,
                name: item_name,
                content,
                basis,
                time_limit,
                levels: PublishLevels::of(RegionLevel::of_unit_name(&unit_name)),
                publisher: unit_name,
                mode,
                channel,
                audience,
                office,
                contact_person,
                contact_phone,
                updated,
                file: grid.file.clone(),
                sheet: grid.sheet.clone(),
                row: row as u32 + 1,
            });
        } else {
            errors.append(&mut ctx.errors);
        }
    }
    out.filled_down += filled_down;
    if out.items.is_empty() && errors.is_empty() {
        errors.push(grid.error(Some(header), None, "表格中没有公开事项".into()));
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The error for a required cell left blank. In a file whose merges are
/// known it says that the cell is not part of a merged range either.
fn blank_message(grid: &Grid, what: &str) -> String {
    if grid.merges_known {
        format!("“{what}”不能为空（该单元格没有内容，也不在合并单元格内）")
    } else {
        format!("“{what}”不能为空")
    }
}

/// A lower column cell that, left blank, continues the cell above only while
/// the row stays in the same parent group. Returns the value and whether it
/// was continued.
fn continue_in_group(
    ctx: &RowCtx<'_>,
    col: Option<usize>,
    parent_continued: bool,
    prev: &mut Option<String>,
) -> (Option<String>, bool) {
    let Some(c) = col else {
        return (None, false);
    };
    let t = ctx.text(Some(c));
    if !t.is_empty() {
        *prev = Some(t.clone());
        (Some(t), false)
    } else if parent_continued && prev.is_some() && !ctx.grid.merges_known {
        (prev.clone(), true)
    } else {
        *prev = None;
        (None, false)
    }
}

/// Two rows with the same domain, publisher, columns and name are one item
/// twice.
pub fn check_duplicates(items: &[ParsedItem], errors: &mut Vec<ImportError>) {
    type Key<'a> = (Domain, &'a str, &'a [String], &'a str);
    let mut seen: HashMap<Key<'_>, &ParsedItem> = HashMap::new();
    for it in items {
        let k = (
            it.domain,
            it.publisher.as_str(),
            it.columns.as_slice(),
            it.name.as_str(),
        );
        if let Some(first) = seen.get(&k) {
            errors.push(ImportError {
                file: it.file.clone(),
                sheet: it.sheet.clone(),
                row: Some(it.row),
                column: None,
                message: format!(
                    "公开事项“{}”与{}{}第{}行重复",
                    it.name,
                    if first.file == it.file {
                        String::new()
                    } else {
                        format!("{} ", first.file)
                    },
                    first
                        .sheet
                        .as_deref()
                        .map(|s| format!("工作表“{s}”"))
                        .unwrap_or_default(),
                    first.row
                ),
            });
        } else {
            seen.insert(k, it);
        }
    }
}
