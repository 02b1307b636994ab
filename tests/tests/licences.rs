//! Every crate in the dependency graph has a licence compatible with GPL-3.0.

use gongkai_tests::licence::is_compatible;

#[test]
fn every_dependency_is_gpl3_compatible() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked"])
        // Read at run time: a binary built in another checkout that shares
        // the target directory must not look there.
        .current_dir(
            std::env::var("CARGO_MANIFEST_DIR")
                .unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into()),
        )
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let packages = meta["packages"].as_array().unwrap();
    assert!(packages.len() > 20, "the graph was read");
    let mut bad = Vec::new();
    for p in packages {
        let name = p["name"].as_str().unwrap();
        let version = p["version"].as_str().unwrap();
        match p["license"].as_str() {
            Some(expr) => match is_compatible(expr) {
                Ok(true) => {}
                Ok(false) => bad.push(format!("{name} {version}: {expr}")),
                Err(e) => bad.push(format!(
                    "{name} {version}: unreadable licence {expr:?}: {e}"
                )),
            },
            None => bad.push(format!("{name} {version}: no SPDX licence field")),
        }
    }
    assert!(
        bad.is_empty(),
        "licences incompatible with GPL-3.0:\n{}",
        bad.join("\n")
    );
}
