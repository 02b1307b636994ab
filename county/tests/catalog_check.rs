//! `county catalog check` as a user runs it: the real binary, its exit
//! status, its summary and its JSON.

use std::path::{Path, PathBuf};
use std::process::Command;

fn county() -> Command {
    Command::new(env!("CARGO_BIN_EXE_county"))
}

fn demo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/demo")
}

fn run_json(args: &[&std::ffi::OsStr]) -> (i32, serde_json::Value) {
    let out = county()
        .args(["catalog", "check", "--json"])
        .args(args)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code().unwrap(), v)
}

#[test]
fn the_demo_catalog_is_valid() {
    let dir = demo().join("catalog");
    let (code, v) = run_json(&[dir.as_os_str()]);
    assert_eq!(code, 0, "{v}");
    assert!(v["items"].as_u64().unwrap() >= 300);
    assert_eq!(v["domains"].as_u64().unwrap(), 27);
    assert_eq!(v["errors"].as_array().unwrap().len(), 0);

    let out = county()
        .args(["catalog", "check"])
        .arg(&dir)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success());
    assert!(text.starts_with("目录检查通过"), "{text}");
    assert!(text.contains("社会救助"), "{text}");
}

#[test]
fn errors_carry_file_sheet_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "云溪县扶贫领域基层政务公开标准目录,,,,,,,,,,,,,\n\
         序号,公开事项,,公开内容（要素）,公开依据,公开时限,公开主体,公开渠道和载体,公开对象,,公开方式,,公开层级,\n\
         ,一级事项,二级事项,,,,,,全社会,特定群体,主动,依申请,县级,乡级\n\
         1,帮扶政策,小额信贷,内容,,20个工作日内,县乡村振兴局,■政府网站,√,,√,,√,\n",
    )
    .unwrap();
    let good = demo().join("catalog/990521-云溪县/21-养老服务.csv");
    let (code, v) = run_json(&[bad.as_os_str(), good.as_os_str()]);
    assert_eq!(code, 1);
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{v}");
    let e = &errors[0];
    assert_eq!(e["file"], bad.display().to_string());
    assert_eq!(e["sheet"], serde_json::Value::Null);
    assert_eq!(e["row"], 4);
    assert_eq!(e["column"], "E");
    assert!(e["message"].as_str().unwrap().contains("公开依据"));
    // The bad file imports nothing; the good one still counts.
    assert!(v["items"].as_u64().unwrap() >= 10);
    assert_eq!(v["domains"], 1);

    let out = county()
        .args(["catalog", "check"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("第4行，E列"), "{text}");
}

#[test]
fn missing_and_unsupported_files() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("无此文件.xlsx");
    let (code, v) = run_json(&[missing.as_os_str()]);
    assert_eq!(code, 1);
    assert!(
        v["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("文件不存在")
    );
    let empty_dir = dir.path().join("空文件夹");
    std::fs::create_dir(&empty_dir).unwrap();
    let (code, v) = run_json(&[empty_dir.as_os_str()]);
    assert_eq!(code, 1);
    assert!(
        v["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("没有目录表格")
    );
    // No file at all is a usage error, not a pass.
    let out = county().args(["catalog", "check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn an_xlsx_error_names_its_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("目录.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("城关镇").unwrap();
    for (c, t) in [
        "序号",
        "单位",
        "一级栏目",
        "公开事项",
        "内容规范",
        "公开时限",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *t).unwrap();
    }
    ws.write_string(1, 1, "城关镇人民政府").unwrap();
    ws.write_string(1, 2, "政策文件").unwrap();
    ws.write_string(1, 3, "规范性文件").unwrap();
    // 内容规范 (E2) left empty.
    ws.write_string(1, 5, "20个工作日内").unwrap();
    wb.save(&p).unwrap();
    let (code, v) = run_json(&[p.as_os_str()]);
    assert_eq!(code, 1, "{v}");
    let e = &v["errors"][0];
    assert_eq!(e["sheet"], "城关镇");
    assert_eq!(e["row"], 2);
    assert_eq!(e["column"], "E");
}

#[test]
fn content_check_of_the_demo_folder() {
    let out = county()
        .args(["content", "check", "--json"])
        .arg(demo())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["regions"], 7);
    assert!(v["documents"].as_u64().unwrap() >= 20);
    assert!(v["interpretations"].as_u64().unwrap() >= 20);
}

#[test]
fn synth_writes_a_catalog_that_checks() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("synth.csv");
    let out = county()
        .args(["catalog", "synth", "--items", "500", "--out"])
        .arg(&p)
        .output()
        .unwrap();
    assert!(out.status.success());
    let (code, v) = run_json(&[p.as_os_str()]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["items"], 500);
}

#[test]
fn the_same_item_in_two_files_and_lock_files_in_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    let src = demo().join("catalog/990521-云溪县/21-养老服务.csv");
    std::fs::copy(&src, dir.path().join("a.csv")).unwrap();
    std::fs::write(dir.path().join("~$a.xlsx"), b"lock").unwrap();
    let (code, v) = run_json(&[dir.path().as_os_str()]);
    assert_eq!(code, 0, "a lock file is not a catalog: {v}");
    std::fs::copy(&src, dir.path().join("b.csv")).unwrap();
    let (code, v) = run_json(&[dir.path().as_os_str()]);
    assert_eq!(code, 1);
    let msg = v["errors"][0]["message"].as_str().unwrap();
    assert!(msg.contains("重复") && msg.contains("a.csv"), "{msg}");
}
