//! Catalog import from spreadsheets in both shapes (CSV and XLSX, merged
//! cells), document folders, and every kind of bad input with the place of
//! the error.

mod common;

use std::path::Path;

use common::*;
use disclosure::import::{
    CatalogShape, ImportError, load_content_dir, load_regions, parse_catalog_file,
};
use disclosure::{Audience, Domain, RegionLevel};
use rust_xlsxwriter::{Format, Workbook};

/// A data row of the national standard shape with sensible defaults.
fn row(seq: &str, first: &str, second: &str) -> Vec<String> {
    let mut r: Vec<String> = STD_ROW.iter().map(|s| s.to_string()).collect();
    r[0] = seq.into();
    r[1] = first.into();
    r[2] = second.into();
    r[3] = "1.标准\n2.对象".into();
    r
}

/// Expects `parse_catalog_file` to fail with an error at `row`/`column`
/// whose message contains `fragment`, and to import nothing.
fn check_error(path: &Path, row: Option<u32>, column: Option<&str>, fragment: &str) {
    let errors = match parse_catalog_file(path) {
        Ok(p) => panic!(
            "{} imported {} items, expected an error",
            path.display(),
            p.items.len()
        ),
        Err(e) => e,
    };
    let found = errors.iter().any(|e: &ImportError| {
        e.row == row && e.column.as_deref() == column && e.message.contains(fragment)
    });
    assert!(
        found,
        "{}: expected row {row:?} column {column:?} “{fragment}”, got:\n{}",
        path.display(),
        errors
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );
    for e in &errors {
        assert_eq!(e.file, path.display().to_string());
    }
}

#[test]
fn national_standard_csv() {
    let dir = tempfile::tempdir().unwrap();
    let mut second = row("2", "", "低保对象名单");
    second[9] = "√".into(); // 特定群体
    second[8] = "".into();
    second[11] = "√".into(); // also 依申请
    second[13] = "√".into(); // also 乡级
    let mut third = row("3", "临时救助", "");
    third[12] = "".into();
    third[13] = "√".into();
    let text = csv_of(&standard_sheet(
        "云溪县社会救助领域基层政务公开标准目录",
        vec![row("1", "最低生活保障", "低保政策"), second, third],
    ));
    let p = write(dir.path(), "救助.csv", &text);
    let parsed = parse_catalog_file(&p).unwrap();
    // A CSV cannot show merges: the filled group cells are said once.
    assert_eq!(parsed.warnings.len(), 1, "{:?}", parsed.warnings);
    assert!(parsed.warnings[0].message.contains("2个空白的分组单元格"));
    let items = parsed.items;
    assert_eq!(items.len(), 3);
    let d = Domain::from_name("社会救助").unwrap();
    assert!(
        items
            .iter()
            .all(|i| i.domain == d && i.shape == CatalogShape::DomainStandard)
    );
    // Row numbers as a spreadsheet shows them: title 1, headers 2-3.
    assert_eq!(items.iter().map(|i| i.row).collect::<Vec<_>>(), [4, 5, 6]);
    // 一级事项 merged down (blank) continues the group.
    assert_eq!(items[1].columns, ["最低生活保障"]);
    assert_eq!(items[1].name, "低保对象名单");
    assert_eq!(items[1].audience, Audience::SpecificGroup);
    assert!(items[1].mode.proactive && items[1].mode.on_application);
    assert!(items[1].levels.contains(RegionLevel::County));
    assert!(items[1].levels.contains(RegionLevel::Township));
    // No 二级事项: the 一级事项 is the item.
    assert_eq!(items[2].name, "临时救助");
    assert_eq!(items[2].columns, ["临时救助"]);
    assert!(!items[2].levels.contains(RegionLevel::County));
    assert_eq!(items[0].content, "1.标准\n2.对象");
}

#[test]
fn gbk_csv_as_excel_saves_it() {
    let dir = tempfile::tempdir().unwrap();
    let text = csv_of(&standard_sheet(
        "云溪县扶贫领域基层政务公开标准目录",
        vec![row("1", "帮扶政策", "小额信贷")],
    ));
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&text);
    assert!(!unmappable);
    let p = dir.path().join("gbk.csv");
    std::fs::write(&p, &gbk).unwrap();
    let items = parse_catalog_file(&p).unwrap().items;
    assert_eq!(items[0].name, "小额信贷");
    assert_eq!(items[0].domain, Domain::from_name("扶贫").unwrap());
}

/// Writes a national-standard workbook with real merged cells: the title
/// across the table, the header groups, 一级事项 down two rows, and one
/// 一级事项 across 一级/二级 where there is no 二级事项.
fn standard_xlsx(path: &Path, update_cell: Option<&str>) {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("安全生产").unwrap();
    let f = Format::new();
    ws.merge_range(0, 0, 0, 14, "云溪县安全生产领域基层政务公开标准目录", &f)
        .unwrap();
    ws.merge_range(1, 0, 2, 0, "序号", &f).unwrap();
    ws.merge_range(1, 1, 1, 2, "公开事项", &f).unwrap();
    ws.write_string(2, 1, "一级事项").unwrap();
    ws.write_string(2, 2, "二级事项").unwrap();
    for (c, t) in [
        (3, "公开内容\n（要素）"),
        (4, "公开依据"),
        (5, "公开时限"),
        (6, "公开主体"),
        (7, "公开渠道和载体"),
    ] {
        ws.merge_range(1, c, 2, c, t, &f).unwrap();
    }
    ws.merge_range(1, 8, 1, 9, "公开对象", &f).unwrap();
    ws.merge_range(1, 10, 1, 11, "公开方式", &f).unwrap();
    ws.merge_range(1, 12, 1, 13, "公开层级", &f).unwrap();
    for (c, t) in [
        (8, "全社会"),
        (9, "特定群体"),
        (10, "主动"),
        (11, "依申请"),
        (12, "县级"),
        (13, "乡级"),
    ] {
        ws.write_string(2, c, t).unwrap();
    }
    ws.merge_range(1, 14, 2, 14, "更新日期", &f).unwrap();
    // Rows 4-5: 一级事项 merged down.
    ws.merge_range(3, 1, 4, 1, "行政许可", &f).unwrap();
    ws.write_string(3, 2, "安全生产许可证核发").unwrap();
    ws.write_string(4, 2, "危险化学品经营许可").unwrap();
    // Row 6: 一级事项 merged across 一级/二级.
    ws.merge_range(5, 1, 5, 2, "事故调查处理报告", &f).unwrap();
    for r in 3..=5u32 {
        ws.write_number(r, 0, f64::from(r - 2)).unwrap();
        ws.write_string(r, 3, "许可结果").unwrap();
        ws.write_string(r, 4, "《安全生产法》").unwrap();
        ws.write_string(r, 5, "20个工作日内").unwrap();
        ws.write_string(r, 6, "云溪县应急管理局").unwrap();
        ws.write_string(r, 7, "■政府网站").unwrap();
        ws.write_string(r, 8, "√").unwrap();
        ws.write_string(r, 10, "√").unwrap();
        ws.write_string(r, 12, "√").unwrap();
    }
    let date_fmt = Format::new().set_num_format("yyyy-mm-dd");
    let d = rust_xlsxwriter::ExcelDateTime::from_ymd(2026, 3, 5).unwrap();
    ws.write_datetime_with_format(3, 14, &d, &date_fmt).unwrap();
    if let Some(t) = update_cell {
        ws.write_string(4, 14, t).unwrap();
    }
    // A second sheet of instructions without a table.
    let notes = wb.add_worksheet();
    notes.set_name("填表说明").unwrap();
    notes
        .write_string(0, 0, "请在“安全生产”工作表中填写。")
        .unwrap();
    wb.save(path).unwrap();
}

#[test]
fn national_standard_xlsx_with_merged_cells() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("安全生产.xlsx");
    standard_xlsx(&p, Some("2026年4月1日"));
    let parsed = parse_catalog_file(&p).unwrap();
    let items = parsed.items;
    assert_eq!(items.len(), 3);
    assert_eq!(items[0].sheet.as_deref(), Some("安全生产"));
    assert_eq!(items[1].columns, ["行政许可"]);
    assert_eq!(items[1].name, "危险化学品经营许可");
    assert_eq!(items[2].columns, ["事故调查处理报告"]);
    assert_eq!(items[2].name, "事故调查处理报告");
    assert_eq!(items[0].content, "许可结果");
    assert_eq!(
        items[0].updated.map(|d| d.to_string()).as_deref(),
        Some("2026-03-05")
    );
    assert_eq!(
        items[1].updated.map(|d| d.to_string()).as_deref(),
        Some("2026-04-01")
    );
    assert_eq!(items[2].updated, None);
    // Regression (issue 15): a row without an update date got the import
    // date as its update, a date the data does not have. It carries the
    // catalog's publication date, marked as not its own.
    let region: disclosure::RegionCode = "990521".parse().unwrap();
    let as_of = disclosure::Date::from_ymd(2026, 12, 1).unwrap();
    let own = items[0].clone().into_item(&region, as_of);
    assert!(own.updated_stated);
    assert_eq!(own.updated.to_string(), "2026-03-05");
    let none = items[2].clone().into_item(&region, as_of);
    assert!(!none.updated_stated);
    assert_eq!(none.updated, as_of);
    // The instructions sheet is skipped with a note.
    assert!(
        parsed
            .warnings
            .iter()
            .any(|w| w.sheet.as_deref() == Some("填表说明"))
    );
}

#[test]
fn bad_date_in_an_xlsx_names_sheet_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("安全生产.xlsx");
    standard_xlsx(&p, Some("2026-02-30"));
    let errors = parse_catalog_file(&p).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let e = &errors[0];
    assert_eq!(e.sheet.as_deref(), Some("安全生产"));
    assert_eq!(e.row, Some(5));
    assert_eq!(e.column.as_deref(), Some("O"));
    assert!(e.message.contains("不是有效日期"), "{}", e.message);
    assert!(
        e.to_string().contains("工作表“安全生产”，第5行，O列"),
        "{e}"
    );
}

const T_HEADER: [&str; 11] = [
    "序号",
    "单位",
    "栏目",
    "",
    "",
    "公开事项",
    "内容规范",
    "公开时限",
    "责任处室",
    "责任人",
    "备注(联系电话)",
];
const T_SUB: [&str; 11] = [
    "",
    "",
    "一级栏目",
    "二级栏目",
    "三级栏目",
    "",
    "",
    "",
    "",
    "",
    "",
];

fn template_sheet(data: &[[&str; 11]]) -> String {
    let mut rows: Vec<Vec<String>> = vec![
        std::iter::once("城关镇政府信息主动公开目录规范梳理表".to_string())
            .chain(std::iter::repeat_n(String::new(), 10))
            .collect(),
        T_HEADER.iter().map(|s| s.to_string()).collect(),
        T_SUB.iter().map(|s| s.to_string()).collect(),
    ];
    rows.extend(
        data.iter()
            .map(|r| r.iter().map(|s| s.to_string()).collect()),
    );
    csv_of(&rows)
}

#[test]
fn department_template_csv() {
    let dir = tempfile::tempdir().unwrap();
    let text = template_sheet(&[
        [
            "1",
            "城关镇人民政府",
            "政策文件",
            "规范性文件",
            "",
            "1.本镇印发的规范性文件",
            "1.标题\n2.文号",
            "20个工作日内",
            "党政办",
            "王**",
            "0999-5530001",
        ],
        [
            "2",
            "",
            "",
            "",
            "",
            "2.其他文件",
            "全文",
            "20个工作日内",
            "党政办",
            "王**",
            "",
        ],
        [
            "3",
            "",
            "社会救助",
            "",
            "",
            "低保名单",
            "姓名（脱敏）、金额",
            "每季度",
            "社会事务办",
            "李**",
            "",
        ],
        [
            "4",
            "",
            "",
            "",
            "",
            "临时救助名单",
            "姓名（脱敏）、金额",
            "每季度",
            "社会事务办",
            "李**",
            "",
        ],
    ]);
    let p = write(dir.path(), "目录规范梳理表.csv", &text);
    let parsed = parse_catalog_file(&p).unwrap();
    let items = &parsed.items;
    assert_eq!(items.len(), 4);
    assert!(
        items
            .iter()
            .all(|i| i.shape == CatalogShape::DepartmentTemplate)
    );
    assert!(items.iter().all(|i| i.publisher == "城关镇人民政府"));
    assert!(
        items
            .iter()
            .all(|i| i.levels.contains(RegionLevel::Township))
    );
    // List markers are not part of the name; 二级栏目 continues in its group only.
    assert_eq!(items[0].name, "本镇印发的规范性文件");
    assert_eq!(items[1].columns, ["政策文件", "规范性文件"]);
    assert_eq!(items[2].columns, ["社会救助"]);
    assert_eq!(items[3].columns, ["社会救助"]);
    // Domains from the 栏目 when it names one.
    assert_eq!(items[0].domain, Domain::OTHER);
    assert_eq!(items[2].domain, Domain::from_name("社会救助").unwrap());
    assert_eq!(items[0].office.as_deref(), Some("党政办"));
    assert_eq!(items[0].contact_phone.as_deref(), Some("0999-5530001"));
    assert_eq!(items[0].basis, None);
    // The template lacks 公开依据 and 公开渠道: said once each; and the
    // group cells filled down in a CSV are said once for the file.
    assert_eq!(parsed.warnings.len(), 3, "{:?}", parsed.warnings);
    assert!(parsed.warnings[2].message.contains("看不出合并单元格"));
}

#[test]
fn department_template_xlsx_with_merged_unit() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("柳湾村.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let f = Format::new();
    ws.merge_range(0, 0, 0, 10, "柳湾村村务公开目录", &f)
        .unwrap();
    for (c, t) in T_HEADER.iter().enumerate() {
        if !t.is_empty() && c != 2 {
            ws.merge_range(1, c as u16, 2, c as u16, t, &f).unwrap();
        }
    }
    ws.merge_range(1, 2, 1, 4, "栏目", &f).unwrap();
    for (c, t) in [(2, "一级栏目"), (3, "二级栏目"), (4, "三级栏目")] {
        ws.write_string(2, c, t).unwrap();
    }
    ws.merge_range(3, 1, 5, 1, "柳湾村村民委员会", &f).unwrap();
    ws.merge_range(3, 2, 4, 2, "财务公开", &f).unwrap();
    ws.write_string(5, 2, "涉农补贴").unwrap();
    for (r, name) in [
        (3, "季度收支"),
        (4, "集体资产"),
        (5, "耕地地力保护补贴发放明细"),
    ] {
        ws.write_number(r, 0, f64::from(r - 2)).unwrap();
        ws.write_string(r, 5, name).unwrap();
        ws.write_string(r, 6, "明细").unwrap();
        ws.write_string(r, 7, "每季度公开一次").unwrap();
    }
    wb.save(&p).unwrap();
    let items = parse_catalog_file(&p).unwrap().items;
    assert_eq!(items.len(), 3);
    assert!(items.iter().all(|i| i.publisher == "柳湾村村民委员会"));
    assert!(
        items
            .iter()
            .all(|i| i.levels.contains(RegionLevel::Village))
    );
    assert_eq!(items[1].columns, ["财务公开"]);
    assert_eq!(items[2].domain, Domain::from_name("涉农补贴").unwrap());
}

/// One defect per sheet; each must be found at its place.
#[test]
fn bad_sheets_are_refused_with_the_place_of_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let title = "云溪县社会救助领域基层政务公开标准目录";
    let good = || row("1", "最低生活保障", "低保政策");

    // Wrong header: 公开依据 missing.
    let mut rows = standard_sheet(title, vec![good()]);
    rows[1][4] = "依据说明".into();
    check_error(
        &write(d, "h.csv", &csv_of(&rows)),
        Some(2),
        None,
        "表头缺少“公开依据”列",
    );

    // No header at all.
    check_error(
        &write(d, "n.csv", "甲,乙\n1,2\n"),
        None,
        None,
        "未找到目录表头",
    );
    check_error(&write(d, "e.csv", ""), None, None, "未找到目录表头");

    // A required cell left empty.
    let mut r = good();
    r[4] = "".into();
    check_error(
        &write(d, "m.csv", &csv_of(&standard_sheet(title, vec![good(), r]))),
        Some(5),
        Some("E"),
        "“公开依据”不能为空",
    );
    // Data rows present but 一级事项 blank on the first (merge quirk).
    check_error(
        &write(
            d,
            "q.csv",
            &csv_of(&standard_sheet(title, vec![row("1", "", "低保政策")])),
        ),
        Some(4),
        Some("B"),
        "“一级事项”不能为空",
    );

    // Unknown domain in the title.
    check_error(
        &write(
            d,
            "u.csv",
            &csv_of(&standard_sheet(
                "云溪县殡葬服务领域基层政务公开标准目录",
                vec![good()],
            )),
        ),
        Some(1),
        Some("A"),
        "未知领域",
    );
    // No domain anywhere.
    check_error(
        &write(
            d,
            "x.csv",
            &csv_of(&standard_sheet("云溪县基层政务公开标准目录", vec![good()])),
        ),
        None,
        None,
        "无法确定所属领域",
    );

    // Ticks: an unknown mark, two audiences, no mode, no level.
    let mut r = good();
    r[10] = "有".into();
    check_error(
        &write(d, "t1.csv", &csv_of(&standard_sheet(title, vec![r]))),
        Some(4),
        Some("K"),
        "无法识别",
    );
    let mut r = good();
    r[9] = "√".into();
    check_error(
        &write(d, "t2.csv", &csv_of(&standard_sheet(title, vec![r]))),
        Some(4),
        Some("I"),
        "只勾选一项",
    );
    let mut r = good();
    r[10] = "".into();
    check_error(
        &write(d, "t3.csv", &csv_of(&standard_sheet(title, vec![r]))),
        Some(4),
        Some("K"),
        "公开方式",
    );
    let mut r = good();
    r[12] = "".into();
    check_error(
        &write(d, "t4.csv", &csv_of(&standard_sheet(title, vec![r]))),
        Some(4),
        Some("M"),
        "公开层级",
    );

    // Duplicate item, over-long name.
    check_error(
        &write(
            d,
            "dup.csv",
            &csv_of(&standard_sheet(
                title,
                vec![good(), row("2", "最低生活保障", "低保政策")],
            )),
        ),
        Some(5),
        None,
        "与第4行重复",
    );
    let long = "很".repeat(201);
    check_error(
        &write(
            d,
            "long.csv",
            &csv_of(&standard_sheet(
                title,
                vec![row("1", "最低生活保障", &long)],
            )),
        ),
        Some(4),
        Some("C"),
        "过长",
    );
    // A header and no rows.
    check_error(
        &write(d, "empty.csv", &csv_of(&standard_sheet(title, vec![]))),
        Some(2),
        None,
        "没有公开事项",
    );

    // Department template: unknown domain in an explicit 所属领域 column.
    let mut text = template_sheet(&[[
        "1",
        "城关镇人民政府",
        "政策文件",
        "",
        "",
        "文件",
        "全文",
        "20个工作日内",
        "",
        "",
        "",
    ]]);
    text = text.replacen("备注(联系电话)", "备注(联系电话),所属领域", 1);
    text = text.replacen(",,,,,,\n", ",,,,,,,\n", 1);
    text = text.replacen("20个工作日内,,,\n", "20个工作日内,,,,火星领域\n", 1);
    check_error(
        &write(d, "dom.csv", &text),
        Some(4),
        Some("L"),
        "未知领域“火星领域”",
    );
}

#[test]
fn files_that_are_not_spreadsheets() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01";
    let p = d.join("photo.xlsx");
    std::fs::write(&p, png).unwrap();
    check_error(&p, None, None, "无法打开表格文件");
    let p = d.join("photo.csv");
    std::fs::write(&p, png).unwrap();
    check_error(&p, None, None, "不是文本格式的表格");
    let p = d.join("catalog.docx");
    std::fs::write(&p, b"PK\x03\x04").unwrap();
    check_error(&p, None, None, "不支持的文件类型");
    check_error(&d.join("missing.csv"), None, None, "无法读取文件");
    // Invalid CSV quoting.
    let p = write(d, "quote.csv", "序号,\"公开事项\n");
    assert!(parse_catalog_file(&p).is_err());
}

#[test]
fn content_folder_errors_name_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let root = demo_copy(dir.path());
    let docs = root.join("documents/990521-云溪县");
    let check = |file: &str, text: &str, row: Option<u32>, column: Option<&str>, fragment: &str| {
        let p = docs.join(file);
        std::fs::write(&p, text).unwrap();
        let errors = load_content_dir(&root, demo_as_of()).unwrap_err();
        let ok = errors.iter().any(|e| {
            e.file == p.display().to_string()
                && e.row == row
                && e.column.as_deref() == column
                && e.message.contains(fragment)
        });
        assert!(ok, "{file}: {errors:?}");
        std::fs::remove_file(&p).unwrap();
    };
    let doc = |date: &str, status: &str, extra: &str| {
        format!(
            "---\n类型: 文件\n标题: 测试文件\n文号: 云测〔2026〕1号\n发文机关: 云溪县人民政府\n\
             发文日期: {date}\n效力状态: {status}\n领域: 社会救助\n{extra}---\n正文。\n"
        )
    };
    check(
        "a.md",
        &doc("2026-02-30", "现行有效", ""),
        Some(6),
        Some("发文日期"),
        "不是有效日期",
    );
    check(
        "b.md",
        &doc("2026-02-01", "作废", ""),
        Some(7),
        Some("效力状态"),
        "无法识别",
    );
    check(
        "c.md",
        &doc("2026-02-01", "现行有效", "附件: 不存在.pdf\n"),
        Some(9),
        Some("附件"),
        "不存在",
    );
    check(
        "d.md",
        &doc("2026-02-01", "现行有效", "作者: 某人\n"),
        Some(9),
        Some("作者"),
        "未知的字段",
    );
    check(
        "e.解读.md",
        "---\n类型: 解读\n标题: 解读\n解读文件: 云无〔2099〕9号\n形式: 文字解读\n发布日期: 2026-01-01\n解读机关: 县政府\n---\n正文\n",
        Some(4),
        Some("解读文件"),
        "找不到文号",
    );
    check("f.md", "标题: 没有文件头\n", Some(1), None, "---");
    check(
        "h.txt",
        &doc("2026-13-01", "现行有效", ""),
        Some(6),
        Some("发文日期"),
        "不是有效日期",
    );
    check(
        "g.md",
        &doc("2026-02-01", "现行有效", "").replace("正文。\n", ""),
        Some(10),
        None,
        "正文为空",
    );
}

#[test]
fn a_folder_for_an_unknown_region_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let root = demo_copy(dir.path());
    std::fs::create_dir_all(root.join("notices/990521999-不存在乡")).unwrap();
    let errors = load_content_dir(&root, demo_as_of()).unwrap_err();
    assert!(
        errors
            .iter()
            .any(|e| e.message.contains("不在 regions.csv 中")),
        "{errors:?}"
    );
}

#[test]
fn region_table_rules() {
    let dir = tempfile::tempdir().unwrap();
    let check = |rows: &str, fragment: Option<&str>| {
        let p = write(
            dir.path(),
            "regions.csv",
            &format!("行政区划代码,名称,层级,上级代码\n{rows}"),
        );
        match (load_regions(&p), fragment) {
            (Ok(_), None) => {}
            (Err(e), Some(f)) => assert!(e.iter().any(|e| e.message.contains(f)), "{rows}: {e:?}"),
            (r, f) => panic!("{rows}: {r:?} expected {f:?}"),
        }
    };
    check("990521,云溪县,县,\n990521101,城关镇,乡,990521\n", None);
    check("990521,云溪县,乡,\n", Some("与代码位数不符"));
    check(
        "990521,云溪县,县,\n990521101,城关镇,乡,990522\n",
        Some("上级代码应为"),
    );
    check("99052,云溪县,县,\n", Some("不是有效的行政区划代码"));
    check("990521,云溪县,县,\n990521,云溪县,县,\n", Some("重复"));
    check("990521101,城关镇,乡,990521\n", Some("不在表中"));
    check("990521,云溪县,省,\n", Some("无法识别"));
}

#[test]
fn the_demo_folder_loads_without_errors() {
    let loaded = load_content_dir(&demo_dir(), demo_as_of()).unwrap();
    // Demo township and village sheets have no 公开依据 / 公开渠道 columns,
    // and its CSV sheets leave merged group cells blank.
    assert!(
        loaded
            .warnings
            .iter()
            .all(|w| w.message.contains("未注明") || w.message.contains("看不出合并单元格"))
    );
    assert!(loaded.bundle.items.len() >= 300);
}
