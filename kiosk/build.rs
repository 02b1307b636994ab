//! Compiles the kiosk's Slint UI (`ui/main.slint`) into Rust, and embeds the
//! demo content folder (`assets/demo`) so the kiosk runs without any files.
use std::path::{Path, PathBuf};

fn main() {
    // An aarch64 kiosk links acosf and atan2f at the versions every aarch64
    // glibc has (the wrappers and why: src/main.rs).
    let target = |k: &str| std::env::var(k).unwrap_or_default();
    if target("CARGO_CFG_TARGET_ARCH") == "aarch64"
        && target("CARGO_CFG_TARGET_OS") == "linux"
        && target("CARGO_CFG_TARGET_ENV") == "gnu"
    {
        for f in ["acosf", "atan2f"] {
            println!("cargo:rustc-link-arg-bin=kiosk=-Wl,--wrap={f}");
        }
    }
    // Debug info lets the UI tests find elements by accessible label.
    let config = slint_build::CompilerConfiguration::new().with_debug_info(true);
    slint_build::compile_with_config("ui/main.slint", config).expect("the kiosk UI compiles");

    // Read at run time: a build script compiled for another checkout that
    // shares the target directory must not look in that checkout.
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR");
    let demo = Path::new(&manifest).join("../assets/demo");
    let mut files = Vec::new();
    collect(&demo, &mut files);
    files.sort();
    let mut out = String::from(
        "/// The demo content folder: (path inside it, bytes).\npub static DEMO_FILES: &[(&str, &[u8])] = &[\n",
    );
    for f in &files {
        let rel = f
            .strip_prefix(&demo)
            .expect("inside demo")
            .to_string_lossy()
            .replace('\\', "/");
        out.push_str(&format!(
            "    ({rel:?}, include_bytes!({:?})),\n",
            f.display().to_string()
        ));
    }
    out.push_str("];\n");
    let dest = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("demo_files.rs");
    std::fs::write(dest, out).expect("write demo_files.rs");
    println!("cargo:rerun-if-changed={}", demo.display());
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
    }
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir)
        .expect("assets/demo exists")
        .flatten()
    {
        let p = e.path();
        if p.is_dir() {
            println!("cargo:rerun-if-changed={}", p.display());
            collect(&p, out);
        } else {
            out.push(p);
        }
    }
}
