//! A TUF client we did not write — python-tuf's ngclient — reads the
//! county's repository over HTTP from the real `county serve`: it refreshes,
//! resolves and downloads every target (the county's and a delegated
//! township's), refuses a tampered one and follows a root rotation.

mod common;

use common::*;
use tough::schema::RoleType;

/// One run of `tests/python/tuf_client.py`; its JSON answer.
fn ngclient(
    server: &CountyServer,
    mode: &str,
    dirs: &Path,
    extra: &[(&str, &str)],
) -> serde_json::Value {
    let script = workspace().join("county/tests/python/tuf_client.py");
    let mut cmd = std::process::Command::new(python_tools());
    cmd.arg(&script)
        .arg(mode)
        .arg("--metadata-dir")
        .arg(dirs.join("metadata"))
        .arg("--trusted-root")
        .arg(dirs.join("trusted-root.json"))
        .args(["--metadata-url", &format!("{}/repo/metadata/", server.base)])
        .args(["--targets-url", &format!("{}/repo/targets/", server.base)])
        .arg("--target-dir")
        .arg(dirs.join("targets"));
    for (k, v) in extra {
        cmd.arg(k).arg(v);
    }
    let out = cmd.output().expect("python runs");
    assert!(
        out.status.success(),
        "ngclient {mode} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the client prints JSON")
}

/// A client folder that trusts `root` (as a terminal provisioned with it).
fn client(dir: &Path, root: &Path) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::copy(root, dir.join("trusted-root.json")).unwrap();
    dir.to_path_buf()
}

fn resolved(answer: &serde_json::Value) -> BTreeMap<String, String> {
    answer["targets"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn python_tuf_reads_the_repository_refuses_tampering_and_follows_root_rotation() {
    let s = Setup::new().await;
    s.delegate();
    township_publish(&s.township_options()).await.unwrap();
    publish(&s.county_options()).await.unwrap();
    // What tough (our terminals' client) resolves, name → (sha256, signer).
    let (ours, _) = load(&s.path("repo"), &s.path("keys/root.json")).await;
    let delegated: Vec<&String> = ours
        .iter()
        .filter(|(_, (_, signer))| signer == ROLE_NAME)
        .map(|(n, _)| n)
        .collect();
    let top_level: Vec<&String> = ours
        .iter()
        .filter(|(_, (_, signer))| signer == "targets")
        .map(|(n, _)| n)
        .collect();
    assert!(!delegated.is_empty() && !top_level.is_empty());
    let names = s.path("names.json");
    std::fs::write(
        &names,
        serde_json::to_vec(&ours.keys().collect::<Vec<_>>()).unwrap(),
    )
    .unwrap();
    let names = names.to_str().unwrap();

    let db = s.path("county.db");
    let server = CountyServer::start(&[
        "--repo".as_ref(),
        s.path("repo").as_os_str(),
        "--database".as_ref(),
        db.as_os_str(),
    ]);
    let first_root = s.path("keys/roots/1.root.json");

    // Every target, top-level and delegated, found and downloaded with the
    // hashes tough resolves.
    let terminal = client(&s.path("python-terminal"), &first_root);
    let answer = ngclient(&server, "resolve", &terminal, &[("--names", names)]);
    let want: BTreeMap<String, String> = ours
        .iter()
        .map(|(n, (h, _))| (n.clone(), h.clone()))
        .collect();
    assert_eq!(resolved(&answer), want);
    assert_eq!(answer["root_version"], 1);

    // A target changed on the server (same length, one byte flipped) is
    // refused, whichever role signed it.
    for name in [delegated[0], top_level[0]] {
        let (hash, _) = &ours[name];
        let file = s.path("repo/targets").join(format!("{hash}.{name}"));
        let good = std::fs::read(&file).unwrap();
        let mut bad = good.clone();
        bad[0] ^= 0x20;
        std::fs::write(&file, &bad).unwrap();
        let fresh = client(&s.path(&format!("tamper-{hash}")), &first_root);
        let answer = ngclient(&server, "fetch-one", &fresh, &[("--name", name)]);
        assert_eq!(answer["refused"], true, "{name}: {answer}");
        std::fs::write(&file, &good).unwrap();
    }

    // The county rotates its root keys and publishes again: a client that
    // trusted version 1 follows to version 2 and still resolves everything.
    s.county_keys().rotate(RoleType::Root, 365).await.unwrap();
    publish(&s.county_options()).await.unwrap();
    let (after, _) = load(&s.path("repo"), &first_root).await;
    let want: BTreeMap<String, String> = after
        .iter()
        .map(|(n, (h, _))| (n.clone(), h.clone()))
        .collect();
    let answer = ngclient(&server, "resolve", &terminal, &[("--names", names)]);
    assert_eq!(answer["root_version"], 2);
    assert_eq!(resolved(&answer), want);
}

/// `YYYY-MM-DDTHH:MM:SSZ`, the one time format TUF allows.
fn is_tuf_time(s: &str) -> bool {
    let shape = "dddd-dd-ddTdd:dd:ddZ";
    s.len() == shape.len()
        && s.chars().zip(shape.chars()).all(|(c, p)| match p {
            'd' => c.is_ascii_digit(),
            p => c == p,
        })
        && jiff::Timestamp::strptime("%Y-%m-%dT%H:%M:%S%z", s.replace('Z', "+0000")).is_ok()
}

/// Regression: every `expires` was written with nanoseconds
/// (`2027-12-01T20:38:29.251549290Z`), which TUF's format
/// `YYYY-MM-DDTHH:MM:SSZ` does not allow, so python-tuf refused root.json.
#[tokio::test]
async fn metadata_expiry_has_no_fraction_of_a_second() {
    let s = Setup::new().await;
    s.delegate();
    township_publish(&s.township_options()).await.unwrap();
    publish(&s.county_options()).await.unwrap();
    let mut files: Vec<PathBuf> = std::fs::read_dir(s.path("repo/metadata"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.push(s.path("inbox/城关镇/region-990521101.json"));
    files.sort();
    let mut roles = std::collections::BTreeSet::new();
    for f in &files {
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(f).unwrap()).unwrap();
        let expires = v["signed"]["expires"].as_str().unwrap();
        assert!(is_tuf_time(expires), "{}: expires {expires}", f.display());
        roles.insert(v["signed"]["_type"].as_str().unwrap().to_string());
    }
    assert_eq!(
        roles.into_iter().collect::<Vec<_>>(),
        ["root", "snapshot", "targets", "timestamp"]
    );
}
