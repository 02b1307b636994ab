//! What provisioning writes: the installed `sync-agent.toml` and
//! `kiosk.toml` edited key by key with `toml_edit` (every comment and
//! every other key kept), and files replaced atomically (a temporary file
//! beside the target, flushed, renamed) with the mode and owner the old
//! file had.

use std::io::Write;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use disclosure::provisioning::ProvisioningCode;
use toml_edit::{DocumentMut, Item, Value};

/// Why a configuration could not be edited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditError(pub String);

fn parse(text: &str) -> Result<DocumentMut, EditError> {
    text.parse::<DocumentMut>()
        .map_err(|e| EditError(format!("不是有效的 TOML：{e}")))
}

/// Sets `[table] key` to `value`: an existing value keeps the spaces and
/// the comment around it; a missing table or key is added.
fn set(
    doc: &mut DocumentMut,
    table: &str,
    key: &str,
    value: impl Into<Value>,
) -> Result<(), EditError> {
    let mut value = value.into();
    let t = doc
        .entry(table)
        .or_insert_with(toml_edit::table)
        .as_table_like_mut()
        .ok_or_else(|| EditError(format!("{table} 应为表（[{table}]）")))?;
    match t.get_mut(key) {
        Some(Item::Value(old)) => {
            *value.decor_mut() = old.decor().clone();
            *old = value;
        }
        _ => {
            t.insert(key, Item::Value(value));
        }
    }
    Ok(())
}

/// The agent's configuration with the code's `[device] region`, `device`
/// and `[server] url`.
pub fn edit_agent_config(text: &str, code: &ProvisioningCode) -> Result<String, EditError> {
    let mut doc = parse(text)?;
    set(&mut doc, "device", "region", code.region().as_str())?;
    set(&mut doc, "device", "device", i64::from(code.device().get()))?;
    set(&mut doc, "server", "url", code.server_url().as_str())?;
    Ok(doc.to_string())
}

/// The kiosk's configuration with the code's `[hall] name`, `region`,
/// `device`, `[content] database` (the agent's `content.db`) and, when
/// given, `[technician] pin_hash`.
pub fn edit_kiosk_config(
    text: &str,
    code: &ProvisioningCode,
    content_db: &Path,
    pin_hash: Option<&str>,
) -> Result<String, EditError> {
    let mut doc = parse(text)?;
    set(&mut doc, "hall", "name", code.hall_name())?;
    set(&mut doc, "hall", "region", code.region().as_str())?;
    set(&mut doc, "hall", "device", i64::from(code.device().get()))?;
    let db = content_db
        .to_str()
        .ok_or_else(|| EditError(format!("{} 不是 UTF-8 路径", content_db.display())))?;
    set(&mut doc, "content", "database", db)?;
    if let Some(h) = pin_hash {
        if !doc.contains_key("technician") {
            // After the last table's commented-out keys, which the document
            // holds as its trailing text.
            let trailing = doc.trailing().as_str().unwrap_or("").to_string();
            doc.set_trailing("");
            let mut t = toml_edit::Table::new();
            t.decor_mut().set_prefix(format!(
                "{trailing}\n# The technician screen's PIN, as a hash (written by gongkai-provision).\n"
            ));
            doc.insert("technician", Item::Table(t));
        }
        set(&mut doc, "technician", "pin_hash", h)?;
    }
    Ok(doc.to_string())
}

/// An error writing `path`.
#[derive(Debug, thiserror::Error)]
#[error("无法写入 {path}：{source}")]
pub struct WriteError {
    pub path: PathBuf,
    pub source: std::io::Error,
}

/// Replaces `path` with `bytes` atomically. The new file takes the old
/// one's mode, owner and group; a new file gets `new_mode`. The folder is
/// made when missing.
pub fn replace_file(path: &Path, bytes: &[u8], new_mode: u32) -> Result<(), WriteError> {
    let err = |source| WriteError {
        path: path.to_path_buf(),
        source,
    };
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(err)?;
    let old = std::fs::metadata(path).ok();
    let mut tmp = tempfile::Builder::new()
        .prefix(".gongkai-provision-")
        .tempfile_in(dir)
        .map_err(err)?;
    let mode = old.as_ref().map_or(new_mode, |m| m.mode() & 0o7777);
    tmp.as_file()
        .set_permissions(std::fs::Permissions::from_mode(mode))
        .map_err(err)?;
    if let Some(m) = &old {
        let mine = tmp.as_file().metadata().map_err(err)?;
        if (mine.uid(), mine.gid()) != (m.uid(), m.gid()) {
            std::os::unix::fs::fchown(tmp.as_file(), Some(m.uid()), Some(m.gid())).map_err(err)?;
        }
    }
    tmp.write_all(bytes).map_err(err)?;
    tmp.as_file().sync_all().map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(err)
}

/// Gives `path` the owner and group of the folder it is in (files that
/// root wrote into the agent's own folder must be the agent's).
pub fn adopt(path: &Path) -> Result<(), WriteError> {
    let err = |source| WriteError {
        path: path.to_path_buf(),
        source,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    let (f, d) = (
        std::fs::metadata(path).map_err(err)?,
        std::fs::metadata(dir).map_err(err)?,
    );
    if (f.uid(), f.gid()) != (d.uid(), d.gid()) {
        std::os::unix::fs::chown(path, Some(d.uid()), Some(d.gid())).map_err(err)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code() -> ProvisioningCode {
        ProvisioningCode::from_fields(
            "http://127.0.0.1:9/",
            "990521101",
            "7",
            "城关镇便民服务中心",
            "0000-1111-2222",
            &"0".repeat(64),
        )
        .unwrap()
    }

    /// The lines that differ, as (before, after), for files of the same length.
    fn changed_lines<'a>(before: &'a str, after: &'a str) -> Vec<(&'a str, &'a str)> {
        before
            .lines()
            .zip(after.lines())
            .filter(|(a, b)| a != b)
            .collect()
    }

    fn example(name: &str) -> String {
        let p = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../deploy")
            .join(name);
        std::fs::read_to_string(p).unwrap()
    }

    #[test]
    fn the_installed_examples_keep_their_comments_and_other_keys() {
        let before = example("sync-agent.example.toml");
        let after = edit_agent_config(&before, &code()).unwrap();
        let c = crate::config::AgentConfig::parse(&after).unwrap();
        assert_eq!(c.region.as_str(), "990521101");
        assert_eq!(c.device.get(), 7);
        assert_eq!(c.server.as_str(), "http://127.0.0.1:9/");
        // Only the three values changed: every other line is as it was.
        let changed = changed_lines(&before, &after);
        assert_eq!(
            changed,
            [
                ("region = \"990521201201\"", "region = \"990521101\""),
                ("device = 1", "device = 7"),
                (
                    "url = \"https://gk.yunxi.gov.example/\"",
                    "url = \"http://127.0.0.1:9/\""
                ),
            ]
        );
        assert_eq!(before.lines().count(), after.lines().count());

        let before = example("kiosk.example.toml");
        let after = edit_kiosk_config(
            &before,
            &code(),
            Path::new("/srv/x/content.db"),
            Some("sha256$ab$cd"),
        )
        .unwrap();
        let changed = changed_lines(&before, &after);
        assert_eq!(
            changed,
            [
                (
                    "name = \"石桥村政务公开查阅点\"",
                    "name = \"城关镇便民服务中心\""
                ),
                ("region = \"990521201201\"", "region = \"990521101\""),
                ("device = 1", "device = 7"),
                (
                    "database = \"/var/lib/gongkai/content.db\"",
                    "database = \"/srv/x/content.db\""
                ),
            ]
        );
        assert!(after.starts_with(&before[..before.find("[hall]").unwrap()]));
        assert!(
            // The example has a [technician] table (pin_hash commented
            // out): the hash goes into that table, after its keys.
            after.ends_with(
                "provision_dir = \"/var/lib/gongkai/provision\"\npin_hash = \"sha256$ab$cd\"\n"
            ),
            "{}",
            &after[after.len() - 200..]
        );
        // Again with the same values: nothing changes.
        let again = edit_kiosk_config(
            &after,
            &code(),
            Path::new("/srv/x/content.db"),
            Some("sha256$ab$cd"),
        )
        .unwrap();
        assert_eq!(again, after);
    }

    #[test]
    fn a_value_keeps_its_trailing_comment_and_strange_input_is_refused() {
        let after = edit_agent_config(
            "[device]\nregion = \"1\"   # 本厅\ndevice = 3\n[server]\nurl = \"x\"\n",
            &code(),
        )
        .unwrap();
        assert!(
            after.contains("region = \"990521101\"   # 本厅\n"),
            "{after}"
        );
        let e = edit_agent_config("[device\n", &code()).unwrap_err();
        assert!(e.0.contains("TOML"), "{e:?}");
        let e = edit_agent_config("device = 1\n", &code()).unwrap_err();
        assert!(e.0.contains("device 应为表"), "{e:?}");
        // A TOML string is escaped, whatever the hash holds.
        let k = edit_kiosk_config("", &code(), Path::new("/d"), Some("a\"\nb")).unwrap();
        let v: toml::Value = toml::from_str(&k).unwrap();
        assert_eq!(v["technician"]["pin_hash"].as_str(), Some("a\"\nb"));
    }

    #[test]
    fn replaced_files_keep_their_mode() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a/b.toml");
        replace_file(&p, b"one", 0o640).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().mode() & 0o7777;
        assert_eq!(mode(&p), 0o640);
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
        replace_file(&p, b"two", 0o644).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(mode(&p), 0o600);
        // No temporary file is left beside it.
        assert_eq!(std::fs::read_dir(dir.path().join("a")).unwrap().count(), 1);
        adopt(&p).unwrap();
    }
}
