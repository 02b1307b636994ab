//! Regression: `county catalog check` accepted an XLSX national-standard
//! sheet in which one row's 二级事项 was simply empty (not in any merged
//! range) and reported 0 errors. A blank cell is filled from above only
//! where the sheet merges it (XLSX, XLS); where merges cannot be seen (CSV,
//! ODS) only the group columns are filled, with a warning per file. The
//! same sheets are written in all four formats by the tests.

mod common;

use common::sheets::{Merge, SheetFormat, write_sheet};
use common::*;
use disclosure::import::parse_catalog_file;

/// A national-standard data row (14 columns).
fn row(seq: &str, first: &str, second: &str, content: &str) -> Vec<String> {
    let mut r: Vec<String> = STD_ROW.iter().map(|s| s.to_string()).collect();
    r[0] = seq.into();
    r[1] = first.into();
    r[2] = second.into();
    r[3] = content.into();
    r
}

fn sheet(data: Vec<Vec<String>>) -> Vec<Vec<String>> {
    standard_sheet("云溪县社会救助领域基层政务公开标准目录", data)
}

/// What importing one sheet must give.
enum Want<'a> {
    /// These item names, and whether a fill-down warning names the file.
    Items(&'a [&'a str], bool),
    /// An error at (row, column) whose message contains the text.
    Error(u32, &'a str, &'a str),
}

fn check(
    what: &str,
    rows: &[Vec<String>],
    merges: &[Merge],
    want: impl Fn(SheetFormat) -> Want<'static>,
) {
    let dir = tempfile::tempdir().unwrap();
    for format in SheetFormat::ALL {
        let path = write_sheet(dir.path(), what, format, rows, merges);
        let file = path.display().to_string();
        let result = parse_catalog_file(&path);
        match (want(format), result) {
            (Want::Items(names, warned), Ok(parsed)) => {
                let got: Vec<&str> = parsed.items.iter().map(|i| i.name.as_str()).collect();
                assert_eq!(got, names, "{what} as {format:?}");
                let fill_warning = parsed.warnings.iter().any(|w| {
                    w.file == file && w.row.is_none() && w.message.contains("看不出合并单元格")
                });
                assert_eq!(
                    fill_warning, warned,
                    "{what} as {format:?}: {:?}",
                    parsed.warnings
                );
            }
            (Want::Error(row, column, fragment), Err(errors)) => {
                assert!(
                    errors.iter().any(|e| e.file == file
                        && e.row == Some(row)
                        && e.column.as_deref() == Some(column)
                        && e.message.contains(fragment)),
                    "{what} as {format:?}: expected row {row} column {column} “{fragment}”, got {errors:?}"
                );
            }
            (Want::Items(..), Err(errors)) => panic!("{what} as {format:?}: {errors:?}"),
            (Want::Error(..), Ok(parsed)) => panic!(
                "{what} as {format:?}: imported {} items, expected an error",
                parsed.items.len()
            ),
        }
    }
}

#[test]
fn an_unmerged_empty_second_level_item_is_an_error_where_merges_are_known() {
    let rows = sheet(vec![
        row("1", "最低生活保障", "低保政策", "标准"),
        row("2", "临时救助", "", "名单"),
    ]);
    check("二级事项空白", &rows, &[], |f| {
        if f.shows_merges() {
            Want::Error(
                5,
                "C",
                "“二级事项”不能为空（该单元格没有内容，也不在合并单元格内）",
            )
        } else {
            // CSV/ODS: a blank 二级事项 is 一级事项 merged across both.
            Want::Items(&["低保政策", "临时救助"], true)
        }
    });
    // Merged across 一级/二级 (B5:C5) it is the item's name everywhere.
    check("一级二级合并", &rows, &[(4, 1, 4, 2)], |f| {
        Want::Items(&["低保政策", "临时救助"], !f.shows_merges())
    });
}

#[test]
fn a_first_level_item_merged_down_fills_only_where_the_sheet_merges() {
    // 一级事项 written once and merged over rows 4-5 (B4:B5).
    let rows = sheet(vec![
        row("1", "最低生活保障", "低保政策", "标准"),
        row("2", "", "低保名单", "名单"),
    ]);
    let merges = [(3, 1, 4, 1)];
    check("一级事项合并", &rows, &merges, |f| {
        // Merged in XLSX/XLS; in CSV/ODS the blank group cell is filled
        // and the file is warned about.
        Want::Items(&["低保政策", "低保名单"], !f.shows_merges())
    });
    // The same blank without the merge is an error where merges are known.
    check("一级事项空白", &rows, &[], |f| {
        if f.shows_merges() {
            Want::Error(
                5,
                "B",
                "“一级事项”不能为空（该单元格没有内容，也不在合并单元格内）",
            )
        } else {
            Want::Items(&["低保政策", "低保名单"], true)
        }
    });
}

#[test]
fn other_required_cells_are_filled_only_by_a_merge() {
    // 公开内容 merged over two rows (D4:D5): the second row's is blank
    // unless the merge is seen.
    let rows = sheet(vec![
        row("1", "最低生活保障", "低保政策", "1.标准\n2.对象"),
        row("2", "最低生活保障", "低保名单", ""),
    ]);
    let merges = [(3, 3, 4, 3)];
    check("公开内容合并", &rows, &merges, |f| {
        if f.shows_merges() {
            Want::Items(&["低保政策", "低保名单"], false)
        } else {
            Want::Error(5, "D", "“公开内容（要素）”不能为空")
        }
    });
}

#[test]
fn a_sheet_without_blanks_imports_alike_in_every_format_without_warning() {
    let rows = sheet(vec![
        row("1", "最低生活保障", "低保政策", "标准"),
        row("2", "特困人员救助供养", "特困供养标准", "标准"),
    ]);
    check("无空白", &rows, &[], |_| {
        Want::Items(&["低保政策", "特困供养标准"], false)
    });
}

/// The department template (目录规范梳理表): 单位 and 一级栏目 blank in
/// the second row.
#[test]
fn department_template_groups_fill_only_where_merged_or_unknowable() {
    let header = |cells: &[&str]| cells.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let data = |seq: &str, unit: &str, c1: &str, c2: &str, name: &str| {
        header(&[
            seq,
            unit,
            c1,
            c2,
            "",
            name,
            "内容",
            "20个工作日内",
            "办公室",
            "陈**",
            "0999-5531101",
        ])
    };
    let rows = vec![
        header(&["城关镇政府信息主动公开目录规范梳理表"]),
        header(&[
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
        ]),
        header(&[
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
        ]),
        data("1", "城关镇人民政府", "机构职能", "机构信息", "机构概况"),
        data("2", "", "", "领导信息", "领导分工"),
    ];
    let merged = [(3, 1, 4, 1), (3, 2, 4, 2)];
    check("梳理表合并", &rows, &merged, |f| {
        Want::Items(&["机构概况", "领导分工"], !f.shows_merges())
    });
    check("梳理表空白", &rows, &[], |f| {
        if f.shows_merges() {
            Want::Error(
                5,
                "B",
                "“单位”不能为空（该单元格没有内容，也不在合并单元格内）",
            )
        } else {
            Want::Items(&["机构概况", "领导分工"], true)
        }
    });
}
