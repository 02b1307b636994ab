//! Regression tests for bugs found in review; each test names its bug.

mod common;

use common::*;
use disclosure::import::{load_content_dir, parse_catalog_file};
use disclosure::search::{HitKind, Searcher, like_scan};
use disclosure::store::RegionScope;
use disclosure::synth::{DOMAIN_STANDARD_HEADER, synthetic_bundle};
use disclosure::{ContentStore, FeedVersion};

/// The one-row header of a 目录规范梳理表 without 栏目 sub-columns.
const TEMPLATE_HEADER: [&str; 6] = [
    "序号",
    "单位",
    "一级栏目",
    "公开事项",
    "内容规范",
    "公开时限",
];

fn standard(title: &str, rows: &[&[&str]]) -> String {
    let data = rows
        .iter()
        .map(|r| r.iter().map(|s| s.to_string()).collect())
        .collect();
    csv_of(&standard_sheet(title, data))
}

#[test]
fn bug_one_row_template_header_swallowed_a_first_item_mentioning_栏目() {
    let dir = tempfile::tempdir().unwrap();
    let text = csv_of(&[
        &TEMPLATE_HEADER,
        &[
            "1",
            "城关镇人民政府",
            "政策文件",
            "规范性文件",
            "在政府网站政务公开栏目公布",
            "20个工作日内",
        ],
        &["2", "", "", "其他文件", "全文", "20个工作日内"],
    ]);
    let items = parse_catalog_file(&write(dir.path(), "t.csv", &text))
        .unwrap()
        .items;
    assert_eq!(items.len(), 2, "{items:?}");
    assert_eq!(items[0].row, 2);
}

#[test]
fn bug_two_units_with_the_same_columns_were_called_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let text = csv_of(&[
        &TEMPLATE_HEADER,
        &[
            "1",
            "云溪县民政局",
            "机构职能",
            "机构概况",
            "职责",
            "20个工作日内",
        ],
        &[
            "2",
            "云溪县财政局",
            "机构职能",
            "机构概况",
            "职责",
            "20个工作日内",
        ],
    ]);
    let items = parse_catalog_file(&write(dir.path(), "t.csv", &text))
        .unwrap()
        .items;
    assert_eq!(items.len(), 2);
    let region = code("990521");
    let a = items[0].clone().into_item(&region, demo_as_of());
    let b = items[1].clone().into_item(&region, demo_as_of());
    assert_ne!(a.key, b.key);
}

#[test]
fn bug_a_note_merged_across_the_table_was_read_as_an_item() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("n.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let f = rust_xlsxwriter::Format::new();
    ws.write_string(0, 0, "云溪县社会救助领域基层政务公开标准目录")
        .unwrap();
    for (r, row) in DOMAIN_STANDARD_HEADER.iter().enumerate() {
        for (c, t) in row.iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, *t).unwrap();
        }
    }
    for (c, t) in STD_ROW.iter().enumerate() {
        ws.write_string(3, c as u16, *t).unwrap();
    }
    ws.merge_range(4, 0, 4, 13, "注：√表示需要公开的层级和对象。", &f)
        .unwrap();
    wb.save(&p).unwrap();
    let items = parse_catalog_file(&p).unwrap().items;
    assert_eq!(items.len(), 1);
}

#[test]
fn bug_blank_lines_in_a_csv_shifted_row_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let mut bad = STD_ROW;
    bad[4] = "";
    let text = standard("云溪县社会救助领域基层政务公开标准目录", &[&STD_ROW]);
    // A blank line between the header and the data, as hand edits leave.
    let text = text.replacen("乡级\n", "乡级\n\n", 1) + &csv_of(&[&bad]);
    let p = write(dir.path(), "b.csv", &text);
    let errors = parse_catalog_file(&p).unwrap_err();
    assert_eq!(errors[0].row, Some(6), "{errors:?}");
}

#[test]
fn bug_三级栏目_merged_down_was_lost_in_csv() {
    let dir = tempfile::tempdir().unwrap();
    let text = csv_of(&[
        &[
            "序号",
            "单位",
            "栏目",
            "",
            "",
            "公开事项",
            "内容规范",
            "公开时限",
        ],
        &["", "", "一级栏目", "二级栏目", "三级栏目", "", "", ""],
        &[
            "1",
            "城关镇人民政府",
            "财政信息",
            "预决算",
            "部门预算",
            "预算表",
            "全文",
            "批复后20日",
        ],
        &["2", "", "", "", "", "三公经费", "全文", "批复后20日"],
        &["3", "", "", "决算", "", "决算表", "全文", "批复后20日"],
    ]);
    let items = parse_catalog_file(&write(dir.path(), "t.csv", &text))
        .unwrap()
        .items;
    assert_eq!(items[1].columns, ["财政信息", "预决算", "部门预算"]);
    assert_eq!(items[2].columns, ["财政信息", "决算"]);
}

#[test]
fn bug_list_marker_stripping_ate_decimals() {
    let dir = tempfile::tempdir().unwrap();
    let text = csv_of(&[
        &TEMPLATE_HEADER,
        &[
            "1",
            "云溪县发改局",
            "重大项目",
            "2.5亿元以上项目",
            "清单",
            "20个工作日内",
        ],
        &["2", "", "", "3、项目进度", "进度", "每季度"],
    ]);
    let items = parse_catalog_file(&write(dir.path(), "t.csv", &text))
        .unwrap()
        .items;
    assert_eq!(items[0].name, "2.5亿元以上项目");
    assert_eq!(items[1].name, "项目进度");
}

#[test]
fn bug_numbered_blank_template_rows_were_errors() {
    let dir = tempfile::tempdir().unwrap();
    let text = standard(
        "云溪县社会救助领域基层政务公开标准目录",
        &[
            &STD_ROW,
            &["2"],
            &["3", "", "", "", "", "", "", "", "", "", "", "", "", ""],
        ],
    );
    let items = parse_catalog_file(&write(dir.path(), "t.csv", &text))
        .unwrap()
        .items;
    assert_eq!(items.len(), 1);
}

#[test]
fn bug_an_unknown_领域_in_the_title_hid_the_sheet_name() {
    let dir = tempfile::tempdir().unwrap();
    let text = standard("云溪县重点领域基层政务公开标准目录", &[&STD_ROW]);
    let items = parse_catalog_file(&write(dir.path(), "20-社会救助.csv", &text))
        .unwrap()
        .items;
    assert_eq!(items[0].domain.name(), "社会救助");
}

const DOC: &str = "---\n类型: 文件\n标题: 测试\n文号: 云测〔2026〕1号\n发文机关: 云溪县人民政府\n\
                   发文日期: 2026-02-01\n效力状态: 现行有效\n领域: 社会救助\n{extra}---\n正文。\n";

#[test]
fn bug_attachment_names_could_read_any_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = demo_copy(dir.path());
    let docs = root.join("documents/990521-云溪县");
    for bad in ["/etc/passwd", "../../regions.csv", "..", "a/b.pdf"] {
        std::fs::write(
            docs.join("x.md"),
            DOC.replace("{extra}", &format!("附件: {bad}\n")),
        )
        .unwrap();
        let errors = load_content_dir(&root, demo_as_of()).unwrap_err();
        assert!(
            errors.iter().any(|e| e.message.contains("不能含路径")),
            "{bad}: {errors:?}"
        );
    }
}

#[test]
fn bug_same_stem_md_and_txt_failed_only_at_store_time() {
    let dir = tempfile::tempdir().unwrap();
    let root = demo_copy(dir.path());
    let docs = root.join("documents/990521-云溪县");
    std::fs::write(docs.join("x.md"), DOC.replace("{extra}", "")).unwrap();
    std::fs::write(
        docs.join("x.txt"),
        DOC.replace("{extra}", "").replace("1号", "2号"),
    )
    .unwrap();
    let errors = load_content_dir(&root, demo_as_of()).unwrap_err();
    assert!(
        errors.iter().any(|e| e.message.contains("同名")),
        "{errors:?}"
    );
}

#[test]
fn bug_txt_attachments_and_upper_case_extensions() {
    let dir = tempfile::tempdir().unwrap();
    let root = demo_copy(dir.path());
    let docs = root.join("documents/990521-云溪县");
    std::fs::write(
        docs.join("X.MD"),
        DOC.replace("{extra}", "附件: 说明.txt\n"),
    )
    .unwrap();
    std::fs::write(docs.join("说明.txt"), "这是附件，不是文件。").unwrap();
    std::fs::write(docs.join("~$X.MD"), "lock").unwrap();
    std::fs::write(
        root.join("catalog/990521-云溪县/~$20-社会救助.xlsx"),
        "lock",
    )
    .unwrap();
    let loaded = load_content_dir(&root, demo_as_of()).unwrap();
    let doc = loaded
        .bundle
        .documents
        .iter()
        .find(|d| d.title == "测试")
        .unwrap();
    assert_eq!(doc.attachments[0].file_name, "说明.txt");
}

#[test]
fn bug_duplicate_文号_in_one_region_was_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let root = demo_copy(dir.path());
    let docs = root.join("documents/990521-云溪县");
    std::fs::write(docs.join("x.md"), DOC.replace("{extra}", "")).unwrap();
    std::fs::write(docs.join("y.md"), DOC.replace("{extra}", "")).unwrap();
    let errors = load_content_dir(&root, demo_as_of()).unwrap_err();
    assert!(
        errors.iter().any(|e| e.message.contains("重复")),
        "{errors:?}"
    );
}

#[test]
fn bug_a_township_interpretation_of_a_county_document_showed_county_wide() {
    let dir = tempfile::tempdir().unwrap();
    let root = demo_copy(dir.path());
    let township = root.join("documents/990521201-石桥乡");
    std::fs::write(
        township.join("dibao-xiangjie.解读.md"),
        "---\n类型: 解读\n标题: 石桥乡低保政策问答\n解读文件: 云政规〔2025〕3号\n形式: 简明问答\n\
         发布日期: 2026-11-01\n解读机关: 石桥乡人民政府\n---\n问：怎么申请？\n答：到乡便民服务中心。\n",
    )
    .unwrap();
    let loaded = load_content_dir(&root, demo_as_of()).unwrap();
    let mut store = ContentStore::open(&dir.path().join("c.db")).unwrap();
    store.replace_all(&loaded.bundle, FeedVersion(1)).unwrap();
    let title = "石桥乡低保政策问答";
    let at = |r: &str| {
        store
            .interpretations(&RegionScope::of(&code(r)), 1000)
            .unwrap()
            .iter()
            .any(|i| i.interpretation.title == title)
    };
    assert!(at("990521201"));
    assert!(at("990521201202"));
    assert!(!at("990521"));
    assert!(!at("990521101"));
}

#[test]
fn bug_search_used_a_stale_title_index_after_a_same_version_rewrite() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = demo_store(dir.path());
    let mut s = Searcher::new(&store).unwrap();
    let scope = RegionScope::of(&code("990521"));
    assert!(s.search(&store, &scope, "ysqgk", 10).unwrap().total > 0);
    // Same feed version, different content.
    store
        .replace_all(&synthetic_bundle(30, 4), FeedVersion(1))
        .unwrap();
    let r = s.search(&store, &scope, "ysqgk", 10).unwrap();
    assert!(
        r.hits.iter().all(|h| !h.title.contains("依申请公开")),
        "{r:?}"
    );
}

#[test]
fn bug_count_cap_and_pinyin_double_counting() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = ContentStore::open(&dir.path().join("c.db")).unwrap();
    let scope = RegionScope::of(&code("990521"));
    // Every synthetic item name ends with （第N号）; all in the county here.
    for (n, capped) in [(1000, false), (1001, true)] {
        let mut bundle = synthetic_bundle(n, 5);
        for i in &mut bundle.items {
            i.region = code("990521");
        }
        store.replace_all(&bundle, FeedVersion(n as u64)).unwrap();
        let mut s = Searcher::new(&store).unwrap();
        let r = s.search(&store, &scope, "号）", 10).unwrap();
        assert_eq!(r.total_capped, capped, "{n}");
        assert_eq!(r.total, 1000, "{n}");
    }
}

#[test]
fn bug_long_and_spaced_queries_must_still_equal_like() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_store(dir.path());
    let mut s = Searcher::new(&store).unwrap();
    let scope = RegionScope::of(&code("990521"));
    // A 70-character run of a real body: past any length the index query uses.
    let conn = rusqlite::Connection::open(dir.path().join("content.db")).unwrap();
    let body: String = conn
        .query_row(
            "SELECT body FROM search_doc WHERE kind = 'document' AND length(body) > 1000 LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let long: String = body
        .split_whitespace()
        .find(|piece| piece.chars().count() >= 70)
        .expect("a long paragraph")
        .chars()
        .take(70)
        .collect();
    // Whitespace separates terms: a record must contain every term, so the
    // result is the intersection of the per-term LIKE scans.
    let like_all = |q: &str| -> Vec<String> {
        let mut sets = q
            .split_whitespace()
            .map(|t| like_scan(&store, &scope, t).unwrap());
        let first = sets.next().unwrap_or_default();
        let rest: Vec<Vec<String>> = sets.collect();
        let mut out: Vec<String> = first
            .into_iter()
            .filter(|k| rest.iter().all(|r| r.contains(k)))
            .collect();
        out.sort();
        out
    };
    for q in [
        long.as_str(),
        "公开 ",
        " 低保\u{3000}申请 ",
        "低保 申请 条件 材料 审核 公示 发放 标准 复核",
    ] {
        let mut hits: Vec<String> = s
            .search_all(&store, &scope, q)
            .unwrap()
            .into_iter()
            .filter(|h| h.contains_text)
            .map(|h| h.key)
            .collect();
        hits.sort();
        let like = like_all(q);
        assert_eq!(like, hits, "{q:?}");
        if q != long && !q.contains("复核") {
            assert!(!like.is_empty(), "{q:?}");
        }
    }
    assert!(!like_all(&long).is_empty());
}

#[test]
fn bug_hits_showed_normalised_titles() {
    let dir = tempfile::tempdir().unwrap();
    let root = demo_copy(dir.path());
    std::fs::write(
        root.join("notices/990521-云溪县/pdf.md"),
        "---\n类型: 公告\n标题: 政策文件ＰＤＦ版下载说明\n发布单位: 云溪县人民政府办公室\n\
         发布日期: 2026-11-01\n---\n在专区终端扫码获取ＰＤＦ文件。\n",
    )
    .unwrap();
    let loaded = load_content_dir(&root, demo_as_of()).unwrap();
    let mut store = ContentStore::open(&dir.path().join("c.db")).unwrap();
    store.replace_all(&loaded.bundle, FeedVersion(1)).unwrap();
    let mut s = Searcher::new(&store).unwrap();
    let r = s
        .search(&store, &RegionScope::of(&code("990521")), "pdf", 10)
        .unwrap();
    let hit = r
        .hits
        .iter()
        .find(|h| h.title.contains("ＰＤＦ"))
        .expect("found");
    assert_eq!(hit.matched, HitKind::Title);
    let marked: String = hit
        .title
        .chars()
        .skip(hit.title_marks[0].start)
        .take(hit.title_marks[0].len())
        .collect();
    assert_eq!(marked, "ＰＤＦ");
}

/// CRC-32 (IEEE), as a zip file records it.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A zip archive of `files`, stored uncompressed, written by hand.
fn stored_zip(files: &[(&str, String)]) -> Vec<u8> {
    let (mut out, mut central) = (Vec::new(), Vec::new());
    for (name, text) in files {
        let (data, offset) = (text.as_bytes(), out.len() as u32);
        let crc = crc32(data);
        let sizes = [crc, data.len() as u32, data.len() as u32];
        out.extend(0x0403_4b50u32.to_le_bytes());
        out.extend([20, 0, 0, 0, 0, 0, 0, 0, 0x21, 0]); // version, flags, stored, time, date
        sizes.iter().for_each(|v| out.extend(v.to_le_bytes()));
        out.extend((name.len() as u16).to_le_bytes());
        out.extend([0, 0]);
        out.extend(name.as_bytes());
        out.extend(data);
        central.extend(0x0201_4b50u32.to_le_bytes());
        central.extend([20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0x21, 0]);
        sizes.iter().for_each(|v| central.extend(v.to_le_bytes()));
        central.extend((name.len() as u16).to_le_bytes());
        central.extend([0; 12]); // extra, comment, disk, attributes
        central.extend(offset.to_le_bytes());
        central.extend(name.as_bytes());
    }
    let (cd_offset, cd_size, n) = (out.len() as u32, central.len() as u32, files.len() as u16);
    out.extend(central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0, 0, 0, 0]);
    out.extend(n.to_le_bytes());
    out.extend(n.to_le_bytes());
    out.extend(cd_size.to_le_bytes());
    out.extend(cd_offset.to_le_bytes());
    out.extend([0, 0]);
    out
}

/// A one-sheet XLSX (sheet “目录”) whose sheet data and merged cells are
/// given as XML — the smallest file a hostile county folder could hold.
fn tiny_xlsx(dir: &std::path::Path, cells: &str, merges: &str) -> std::path::PathBuf {
    const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    const RELS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
    const DOC_RELS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    const TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml";
    let merges = if merges.is_empty() {
        String::new()
    } else {
        format!("<mergeCells count=\"1\"><mergeCell ref=\"{merges}\"/></mergeCells>")
    };
    let files = [
        (
            "[Content_Types].xml",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
                 <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
                 <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
                 <Override PartName=\"/xl/workbook.xml\" ContentType=\"{TYPE}.sheet.main+xml\"/>\
                 <Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"{TYPE}.worksheet+xml\"/></Types>"
            ),
        ),
        (
            "_rels/.rels",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"{RELS}\">\
                 <Relationship Id=\"rId1\" Type=\"{DOC_RELS}/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"
            ),
        ),
        (
            "xl/workbook.xml",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook xmlns=\"{MAIN}\" xmlns:r=\"{DOC_RELS}\">\
                 <sheets><sheet name=\"目录\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"
            ),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"{RELS}\">\
                 <Relationship Id=\"rId1\" Type=\"{DOC_RELS}/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>"
            ),
        ),
        (
            "xl/worksheets/sheet1.xml",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"{MAIN}\"><sheetData>{cells}</sheetData>{merges}</worksheet>"
            ),
        ),
    ];
    let bytes = stored_zip(&files);
    assert!(bytes.len() < 4096, "a tiny file: {} bytes", bytes.len());
    let p = dir.join("社会救助.xlsx");
    std::fs::write(&p, bytes).unwrap();
    p
}

fn text_cell(at: &str, text: &str) -> String {
    format!("<c r=\"{at}\" t=\"inlineStr\"><is><t>{text}</t></is></c>")
}

/// The error a hostile sheet must give: refused before its grid is
/// built, naming the file and the sheet.
fn assert_refused_as_too_large(path: &std::path::Path) {
    let errors = parse_catalog_file(path).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let e = &errors[0];
    assert_eq!(e.file, path.display().to_string());
    assert_eq!(e.sheet.as_deref(), Some("目录"));
    assert!(e.message.contains("工作表太大"), "{e}");
}

#[test]
fn bug_cells_at_a1_and_xfd1048576_asked_for_512_gib() {
    let dir = tempfile::tempdir().unwrap();
    let cells = format!(
        "<row r=\"1\">{}</row><row r=\"1048576\">{}</row>",
        text_cell("A1", "序号"),
        text_cell("XFD1048576", "x")
    );
    let p = tiny_xlsx(dir.path(), &cells, "");
    assert_refused_as_too_large(&p);
    let e = parse_catalog_file(&p).unwrap_err()[0].to_string();
    assert!(e.contains("第 1048576 行") && e.contains("XFD"), "{e}");
}

#[test]
fn bug_a_merged_range_over_the_whole_sheet_ran_out_of_memory() {
    let dir = tempfile::tempdir().unwrap();
    let cells = format!("<row r=\"1\">{}</row>", text_cell("A1", "序号"));
    assert_refused_as_too_large(&tiny_xlsx(dir.path(), &cells, "A1:XFD1048576"));
}

#[test]
fn bug_merged_a1_z200000_took_384_mb() {
    let dir = tempfile::tempdir().unwrap();
    let cells = format!("<row r=\"1\">{}</row>", text_cell("A1", "序号"));
    assert_refused_as_too_large(&tiny_xlsx(dir.path(), &cells, "A1:Z200000"));
    // Within the limits the same file is read (and judged as a catalog).
    let p = tiny_xlsx(dir.path(), &cells, "A1:B2");
    let errors = parse_catalog_file(&p).unwrap_err();
    assert!(
        errors.iter().all(|e| !e.message.contains("工作表太大")),
        "{errors:?}"
    );
}

/// Errors of `path` that say a sheet is too large or damaged.
fn size_errors(path: &std::path::Path) -> Vec<String> {
    match parse_catalog_file(path) {
        Ok(_) => Vec::new(),
        Err(errors) => errors
            .into_iter()
            .filter(|e| e.message.contains("太大") || e.message.contains("损坏"))
            .map(|e| e.to_string())
            .collect(),
    }
}

// calamine builds XLS and ODS sheets while it opens the file, before the
// importer's own checks: these files are sized from their records first.
// (Without that, the first two abort the process on a failed allocation of
// terabytes, the third takes some 6 GB; checked by hand under `ulimit -v`.)

#[test]
fn bug_an_xls_dimensions_record_made_calamine_reserve_4_billion_rows() {
    use sheets::{write_xls_records, xls_dimensions, xls_label};
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("社会救助.xls");
    write_xls_records(
        &p,
        &[xls_dimensions(0, u32::MAX, 0, 256), xls_label(0, 0, "序号")],
    );
    assert!(
        std::fs::metadata(&p).unwrap().len() < 32 << 10,
        "a tiny file"
    );
    assert_refused_as_too_large(&p);
    let e = parse_catalog_file(&p).unwrap_err()[0].to_string();
    assert!(e.contains("4294967295 行 × 256 列"), "{e}");
    // A first row after the last (calamine's arithmetic would overflow).
    write_xls_records(&p, &[xls_dimensions(10, 5, 0, 1), xls_label(0, 0, "序号")]);
    let e = parse_catalog_file(&p).unwrap_err();
    assert!(
        e.len() == 1 && e[0].sheet.as_deref() == Some("目录") && e[0].message.contains("已损坏"),
        "{e:?}"
    );
    // Within the limits such a file is read (and judged as a catalog),
    // also with a workbook stream past the compound file's mini stream.
    let mut records = vec![xls_dimensions(0, 500, 0, 1)];
    records.extend((0..500).map(|r| xls_label(r, 0, &format!("事项{r}"))));
    write_xls_records(&p, &records);
    assert!(std::fs::metadata(&p).unwrap().len() > 8192);
    assert_eq!(size_errors(&p), Vec::<String>::new());
}

#[test]
fn bug_xls_cells_at_a1_and_the_last_u16_column_asked_for_137_gb() {
    use sheets::{write_xls_records, xls_label};
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("社会救助.xls");
    // No DIMENSIONS at all: calamine's range spans the cells it finds.
    write_xls_records(&p, &[xls_label(0, 0, "序号"), xls_label(65535, 65535, "x")]);
    assert_refused_as_too_large(&p);
    let e = parse_catalog_file(&p).unwrap_err()[0].to_string();
    assert!(e.contains("第 65536 行"), "{e}");
}

/// A row of `cells` repeated `times`, as ODS writes repetition.
fn ods_row(times: u64, cells: &str) -> String {
    format!("<table:table-row table:number-rows-repeated=\"{times}\">{cells}</table:table-row>")
}

#[test]
fn bug_repeated_ods_rows_and_cells_were_expanded_before_any_check() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("社会救助.ods");
    let wide = r#"<table:table-cell office:value-type="string" table:number-columns-repeated="16384"><text:p>x</text:p></table:table-cell>"#;
    // 6000 × 16384 cells from a few hundred bytes.
    sheets::write_ods_table(&p, &ods_row(6000, wide));
    assert!(std::fs::metadata(&p).unwrap().len() < 4096, "a tiny file");
    assert_refused_as_too_large(&p);
    let e = parse_catalog_file(&p).unwrap_err()[0].to_string();
    assert!(e.contains("第 6000 行"), "{e}");
    // One cell of a billion spaces (text:s), copied into 200 columns.
    let spaces = r#"<table:table-cell office:value-type="string" table:number-columns-repeated="200"><text:p>a<text:s text:c="1000000000"/>b</text:p></table:table-cell>"#;
    sheets::write_ods_table(&p, &ods_row(1, spaces));
    assert_refused_as_too_large(&p);
    // Empty cells repeated between values are stored, row by row.
    let gappy = r#"<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell><table:table-cell table:number-columns-repeated="16000"/><table:table-cell/>"#;
    sheets::write_ods_table(&p, &ods_row(1, gappy).repeat(200));
    assert_refused_as_too_large(&p);
    // A merged area far beyond the sheet.
    let spanned = r#"<table:table-cell office:value-type="string" table:number-rows-spanned="1048576" table:number-columns-spanned="16384"><text:p>序号</text:p></table:table-cell>"#;
    sheets::write_ods_table(&p, &ods_row(1, spanned));
    assert_refused_as_too_large(&p);

    // As LibreOffice saves a formatted sheet: empty cells and rows
    // repeated to the end of the sheet. Read (and judged as a catalog).
    let row = |text: &str| {
        format!(
            r#"<table:table-row><table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell><table:table-cell table:number-columns-repeated="1023"/></table:table-row>"#
        )
    };
    let mut xml: String = (0..3000).map(|i| row(&format!("事项{i}"))).collect();
    xml.push_str(&ods_row(
        1_045_000,
        r#"<table:table-cell table:number-columns-repeated="1024"/>"#,
    ));
    sheets::write_ods_table(&p, &xml);
    assert_eq!(size_errors(&p), Vec::<String>::new());
}

#[test]
fn bug_an_ods_content_xml_of_any_size_was_read_to_the_end() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("社会救助.ods");
    // 129 paragraphs of a MiB each, deflated to well under a megabyte.
    let mut content = Vec::with_capacity(130 << 20);
    content.extend_from_slice(br#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>"#);
    for _ in 0..129 {
        content.extend_from_slice(b"<text:p>");
        content.resize(content.len() + (1 << 20), b'a');
        content.extend_from_slice(b"</text:p>");
    }
    content.extend_from_slice(b"</office:spreadsheet></office:body></office:document-content>");
    sheets::write_ods_content(&p, &content, zip::CompressionMethod::Deflated);
    drop(content);
    assert!(std::fs::metadata(&p).unwrap().len() < 1 << 20);
    let errors = parse_catalog_file(&p).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].file, p.display().to_string());
    assert!(
        errors[0].message.contains("content.xml超过 128 MiB"),
        "{}",
        errors[0]
    );
}

#[test]
fn bug_a_feed_could_carry_a_spreadsheet_for_terminals_to_parse() {
    // A folder laid out from a feed: a shard name is the only catalog file
    // a terminal reads; a spreadsheet (however it is named) is refused
    // without being opened, and so is any file the format does not define.
    let dir = tempfile::tempdir().unwrap();
    let root = demo_copy(dir.path());
    let catalog = root.join("catalog/990521-云溪县");
    let cells = format!("<row r=\"1\">{}</row>", text_cell("A1", "序号"));
    let sheet = tiny_xlsx(&catalog, &cells, "A1:XFD1048576");
    let errors = disclosure::import::load_feed_dir(&root, demo_as_of()).unwrap_err();
    assert!(
        errors
            .iter()
            .any(|e| e.file == sheet.display().to_string() && e.message.contains("目录分片")),
        "{errors:?}"
    );
    assert!(
        errors.iter().all(|e| !e.message.contains("工作表太大")),
        "never opened"
    );
    for bad in [
        "catalog-990521-社会救助.xlsx",
        "catalog-990521-01.xlsx",
        "catalog-990521-99.json",
    ] {
        let e = disclosure::feed::target_relative_path(bad).unwrap_err();
        assert!(e.contains("JSON 分片"), "{bad}: {e}");
    }
}

#[test]
fn bug_links_and_stray_files_in_a_content_folder_were_published() {
    let dir = tempfile::tempdir().unwrap();
    let root = demo_copy(dir.path());
    let docs = root.join("documents/990521-云溪县");
    let secret = dir.path().join("targets-1.pk8");
    std::fs::write(&secret, b"private key").unwrap();
    // A link anywhere in a region folder is an error naming it.
    std::os::unix::fs::symlink(&secret, docs.join("notes.txt.bak")).unwrap();
    let errors = load_content_dir(&root, demo_as_of()).unwrap_err();
    assert!(
        errors
            .iter()
            .any(|e| e.file.ends_with("notes.txt.bak") && e.message.contains("符号链接")),
        "{errors:?}"
    );
    std::fs::remove_file(docs.join("notes.txt.bak")).unwrap();
    // A linked region folder is not followed either.
    std::os::unix::fs::symlink(&docs, root.join("notices/990521201-链接")).unwrap();
    let errors = load_content_dir(&root, demo_as_of()).unwrap_err();
    assert!(
        errors.iter().any(|e| e.file.ends_with("990521201-链接")),
        "{errors:?}"
    );
    std::fs::remove_file(root.join("notices/990521201-链接")).unwrap();
    // A stray file: a warning in the county's folder, not among the files
    // that travel; an error in a feed.
    let stray = docs.join("内部-申请人名单.csv");
    std::fs::write(&stray, "姓名\n王秀英\n").unwrap();
    let loaded = load_content_dir(&root, demo_as_of()).unwrap();
    assert!(
        loaded
            .skipped
            .iter()
            .any(|w| w.file == stray.display().to_string() && w.message.contains("未发布")),
        "{:?}",
        loaded.skipped
    );
    assert!(loaded.files.iter().all(|f| f.path != stray));
    assert!(
        loaded.files.iter().any(|f| f.file_name.ends_with(".pdf")),
        "attachments travel"
    );
    let errors = disclosure::import::load_feed_dir(&root, demo_as_of()).unwrap_err();
    assert!(
        errors.iter().any(|e| e.file == stray.display().to_string()),
        "{errors:?}"
    );
}
