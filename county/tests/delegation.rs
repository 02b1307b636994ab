//! Townships publishing their own items: `county township keys|publish`,
//! `county keys delegate|undelegate` and `county publish --delegated`,
//! checked by loading the published repository with tough's client.

mod common;

use common::*;

#[tokio::test]
async fn a_township_signs_its_own_items_and_terminals_resolve_the_same_content() {
    let s = Setup::new().await;
    // Before any delegation the county signs everything.
    let county_only = publish(&PublishOptions {
        repo: s.path("county-only"),
        delegated: None,
        ..s.county_options()
    })
    .await
    .unwrap();
    let (reference, _) = load(&s.path("county-only"), &s.path("keys/root.json")).await;

    s.delegate();
    let bundle = township_publish(&s.township_options()).await.unwrap();
    assert_eq!(bundle.version, 1);
    let report = publish(&s.county_options()).await.unwrap();
    assert_eq!(
        report.delegated,
        [(TOWNSHIP.to_string(), 1, bundle.targets)]
    );
    assert_eq!(report.left_to_regions, bundle.targets);
    assert_eq!(report.targets, county_only.targets);

    let (resolved, version) = load(&s.path("repo"), &s.path("keys/root.json")).await;
    assert_eq!(version, 1);
    // The same files, byte for byte, as when the county signed them all…
    let hashes = |m: &BTreeMap<String, (String, String)>| -> BTreeMap<String, String> {
        m.iter().map(|(n, (h, _))| (n.clone(), h.clone())).collect()
    };
    assert_eq!(hashes(&resolved), hashes(&reference));
    // …but the township's, and only those, signed by the township's role.
    let town = code(TOWNSHIP);
    let mut by_township = 0;
    for (name, (_, signer)) in &resolved {
        let own = disclosure::feed::target_is_within(name, &town);
        assert_eq!(
            signer == "region-990521101",
            own,
            "{name} signed by {signer}"
        );
        by_township += usize::from(own);
    }
    assert_eq!(by_township, bundle.targets);
    // Villages under the township are its to sign too.
    assert!(
        resolved
            .iter()
            .any(|(n, (_, signer))| n.starts_with("catalog-990521101201-") && signer == ROLE_NAME)
    );

    // Publishing again with the same bundle keeps its metadata file byte
    // for byte (tough alone would re-serialise it in another order).
    let role_file = s.path("repo/metadata/1.region-990521101.json");
    let before = std::fs::read(&role_file).unwrap();
    assert_eq!(
        before,
        std::fs::read(s.path("inbox/城关镇/region-990521101.json")).unwrap()
    );
    publish(&s.county_options()).await.unwrap();
    assert_eq!(std::fs::read(&role_file).unwrap(), before);

    // Re-signing moves the version on; the county republishes it.
    let again = township_publish(&s.township_options()).await.unwrap();
    assert_eq!(again.version, 2);
    let report = publish(&s.county_options()).await.unwrap();
    assert_eq!(report.delegated[0].1, 2);
    assert_eq!(report.written, 0, "same files, nothing new to write");
    assert_eq!(load(&s.path("repo"), &s.path("keys/root.json")).await.1, 3);

    // Once a region has signed its own, a publish without its bundle is
    // refused rather than quietly falling back to the county's rows.
    std::fs::rename(s.path("inbox"), s.path("inbox-away")).unwrap();
    std::fs::create_dir_all(s.path("inbox")).unwrap();
    let e = publish(&s.county_options()).await.unwrap_err().to_string();
    assert!(e.contains("这次却没有它的签名包"), "{e}");
    std::fs::remove_dir_all(s.path("inbox")).unwrap();
    std::fs::rename(s.path("inbox-away"), s.path("inbox")).unwrap();

    // Taking the delegation back: the county signs the township's items
    // again and the old bundle is skipped, not an error.
    assert!(s.county_keys().undelegate(&town).unwrap());
    let report = publish(&s.county_options()).await.unwrap();
    assert!(report.delegated.is_empty());
    assert_eq!(report.skipped_bundles.len(), 1);
    let (resolved, _) = load(&s.path("repo"), &s.path("keys/root.json")).await;
    assert_eq!(hashes(&resolved), hashes(&reference));
    assert!(resolved.values().all(|(_, signer)| signer == "targets"));
}

#[tokio::test]
async fn delegations_at_their_boundaries() {
    let s = Setup::new().await;
    let keys = s.county_keys();
    let key = read_public_key(&s.path("township-keys/region-990521101.pub.json")).unwrap();
    fn check(r: Result<impl std::fmt::Debug, county::delegation::DelegationError>, want: &str) {
        match r {
            Ok(v) => assert!(want.is_empty(), "accepted {v:?}, wanted “{want}”"),
            Err(e) => {
                let e = e.to_string();
                assert!(!want.is_empty() && e.contains(want), "“{e}” lacks “{want}”");
            }
        }
    }
    check(keys.delegate(&code("990521"), vec![key.clone()], 1), "县级");
    check(
        keys.delegate(&code(TOWNSHIP), vec![key.clone()], 0),
        "所需签名数",
    );
    check(
        keys.delegate(&code(TOWNSHIP), vec![key.clone()], 2),
        "所需签名数",
    );
    // The same key twice is still one key.
    check(
        keys.delegate(&code(TOWNSHIP), vec![key.clone(), key.clone()], 2),
        "所需签名数",
    );
    check(keys.delegate(&code(TOWNSHIP), vec![key.clone()], 1), "");
    // Again: a key change, not a second delegation.
    check(keys.delegate(&code(TOWNSHIP), vec![key.clone()], 1), "");
    assert_eq!(keys.delegations().unwrap().len(), 1);
    // A village under it, or the county above: overlapping.
    check(
        keys.delegate(&code("990521101201"), vec![key.clone()], 1),
        "重叠",
    );
    // A village of another township is fine.
    check(
        keys.delegate(&code("990521201202"), vec![key.clone()], 1),
        "",
    );
    check(
        township_keys(&s.path("township-keys"), &code(TOWNSHIP)),
        "已有密钥",
    );
    check(township_keys(&s.path("x"), &code("990521")), "县级");
    assert!(!keys.undelegate(&code("990521201")).unwrap());
    // A township's content folder holding another region's items.
    township_content(&s.path("township"), "990521201");
    check(township_publish(&s.township_options()).await, "不属于");
}

/// A county publish with the township's bundle changed by `spoil`, which
/// must fail with an error containing `want`.
async fn refused(spoil: impl AsyncFnOnce(&Setup), want: &str) {
    let s = Setup::new().await;
    s.delegate();
    township_publish(&s.township_options()).await.unwrap();
    spoil(&s).await;
    let e = publish(&s.county_options()).await.unwrap_err().to_string();
    assert!(e.contains(want), "“{e}” lacks “{want}”");
    assert!(
        !s.path("repo/metadata/timestamp.json").exists(),
        "nothing published"
    );
}

fn bundle_files(s: &Setup) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(s.path("inbox/城关镇/targets"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn bad_bundles_are_refused_by_the_county() {
    // Signed by a key the county did not delegate to.
    refused(
        async |s| {
            let other = s.path("other-keys");
            township_keys(&other, &code(TOWNSHIP)).unwrap();
            township_publish(&TownshipPublishOptions {
                keys: other,
                ..s.township_options()
            })
            .await
            .unwrap();
        },
        "签名无效",
    )
    .await;
    // A file missing, a file changed.
    refused(
        async |s| std::fs::remove_file(&bundle_files(s)[0]).unwrap(),
        "缺少文件",
    )
    .await;
    refused(
        async |s| {
            let f = &bundle_files(s)[0];
            let mut b = std::fs::read(f).unwrap();
            b[0] ^= 1;
            std::fs::write(f, b).unwrap();
        },
        "哈希不符",
    )
    .await;
    // Signatures that would run out before terminals next hear from the county.
    refused(
        async |s| {
            township_publish(&TownshipPublishOptions {
                days: 3,
                ..s.township_options()
            })
            .await
            .unwrap();
        },
        "太短",
    )
    .await;
    // Items of a village the county's regions.csv does not list.
    refused(
        async |s| {
            let t = s.path("township");
            let mut regions = std::fs::read_to_string(t.join("regions.csv")).unwrap();
            regions.push_str("990521101299,新设村,村,990521101\n");
            std::fs::write(t.join("regions.csv"), regions).unwrap();
            copy_dir(
                &t.join("catalog/990521101201-柳湾村"),
                &t.join("catalog/990521101299-新设村"),
            );
            township_publish(&s.township_options()).await.unwrap();
        },
        "990521101299",
    )
    .await;
    // A township key signing another township's shard: what a compromised
    // township key could try. Signed properly, but outside its paths.
    refused(
        async |s| {
            let meta = s.path("inbox/城关镇/region-990521101.json");
            let mut v: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&meta).unwrap()).unwrap();
            let (name, t) = v["signed"]["targets"]
                .as_object()
                .unwrap()
                .iter()
                .find(|(n, _)| n.starts_with("catalog-990521101-"))
                .map(|(n, t)| (n.clone(), t.clone()))
                .unwrap();
            let foreign = name.replace("990521101", "990521201");
            v["signed"]["targets"][&foreign] = t.clone();
            let sha = t["hashes"]["sha256"].as_str().unwrap();
            std::fs::copy(
                s.path(&format!("inbox/城关镇/targets/{sha}.{name}")),
                s.path(&format!("inbox/城关镇/targets/{sha}.{foreign}")),
            )
            .unwrap();
            let signed: tough::schema::Signed<tough::schema::Targets> =
                serde_json::from_value(v).unwrap();
            let resigned = sign_as_township(s, signed.signed).await;
            std::fs::write(&meta, serde_json::to_vec(&resigned).unwrap()).unwrap();
        },
        "超出授权范围",
    )
    .await;
}

/// Signs `targets` with the township's key, as its role.
async fn sign_as_township(
    s: &Setup,
    targets: tough::schema::Targets,
) -> tough::schema::Signed<tough::schema::Targets> {
    use tough::editor::targets::TargetsEditor;
    let mut editor = TargetsEditor::new("region-990521101");
    editor.version(targets.version).expires(targets.expires);
    for (n, t) in targets.targets {
        editor.add_target(n.raw(), t).unwrap();
    }
    let key: Box<dyn tough::key_source::KeySource> = Box::new(tough::key_source::LocalKeySource {
        path: s.path("township-keys/region-990521101.pk8"),
    });
    let signed = editor.create_signed(&[key]).await.unwrap();
    tough::schema::Signed {
        signed: signed.signed.targets,
        signatures: signed.signatures,
    }
}

#[tokio::test]
async fn a_bundle_cannot_go_back_or_change_under_the_same_version() {
    let s = Setup::new().await;
    s.delegate();
    township_publish(&s.township_options()).await.unwrap();
    let v1 = s.path("v1");
    copy_dir(&s.path("inbox/城关镇"), &v1);
    publish(&s.county_options()).await.unwrap();
    township_publish(&s.township_options()).await.unwrap();
    publish(&s.county_options()).await.unwrap();
    // The version-1 bundle handed in again.
    std::fs::remove_dir_all(s.path("inbox/城关镇")).unwrap();
    copy_dir(&v1, &s.path("inbox/城关镇"));
    let e = publish(&s.county_options()).await.unwrap_err().to_string();
    assert!(
        e.contains("比已发布的第 2 版旧") && e.contains("--version 3"),
        "{e}"
    );
    // Nor through a publish in which the region was not delegated.
    let keys = s.county_keys();
    let delegation = keys.delegations().unwrap().remove(0);
    keys.undelegate(&code(TOWNSHIP)).unwrap();
    publish(&s.county_options()).await.unwrap();
    keys.delegate(&code(TOWNSHIP), delegation.keys, 1).unwrap();
    let e = publish(&s.county_options()).await.unwrap_err().to_string();
    assert!(e.contains("比已发布的第 2 版旧"), "{e}");
    // Changed content signed again as version 2.
    let notice = s.path("township/notices/990521101-城关镇");
    std::fs::create_dir_all(&notice).unwrap();
    std::fs::write(
        notice.join("新通知.md"),
        "---\n类型: 公告\n标题: 城关镇新通知\n发布单位: 城关镇人民政府\n发布日期: 2026-11-20\n领域: 农村危房改造\n---\n正文。",
    )
    .unwrap();
    township_publish(&TownshipPublishOptions {
        version: Some(2),
        ..s.township_options()
    })
    .await
    .unwrap();
    let e = publish(&s.county_options()).await.unwrap_err().to_string();
    assert!(e.contains("版本号却没有增加"), "{e}");
    // As version 3 it goes through, and the terminal sees the notice.
    let r = township_publish(&s.township_options()).await.unwrap();
    assert_eq!(r.version, 3);
    publish(&s.county_options()).await.unwrap();
    let (resolved, _) = load(&s.path("repo"), &s.path("keys/root.json")).await;
    assert_eq!(
        resolved["notices-990521101-新通知.md"].1,
        "region-990521101"
    );
}

/// The commands a township and the county type, through the real binary.
#[test]
fn the_township_commands_work_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let run = |args: &[&str]| -> (bool, String) {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_county"))
            .args(args)
            .current_dir(d)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        (out.status.success(), text)
    };
    let check = |args: &[&str], ok: bool, says: &str| {
        let (success, text) = run(args);
        assert_eq!(success, ok, "{args:?}: {text}");
        assert!(text.contains(says), "{args:?}: “{text}” lacks “{says}”");
    };
    township_content(&d.join("内容"), TOWNSHIP);
    let demo = workspace().join("assets/demo");
    let demo = demo.to_str().unwrap();
    let publish = [
        "publish",
        "--content",
        demo,
        "--keys",
        "keys",
        "--repo",
        "repo",
        "--delegated",
        "交县里",
    ];
    check(&["keys", "init", "--dir", "keys"], true, "root.json");
    check(
        &["township", "keys", "--region", TOWNSHIP, "--dir", "镇密钥"],
        true,
        "region-990521101.pub.json",
    );
    check(
        &["township", "keys", "--region", "990521", "--dir", "x"],
        false,
        "县级",
    );
    check(
        &[
            "keys",
            "delegate",
            "--dir",
            "keys",
            "--region",
            TOWNSHIP,
            "--public-key",
            "镇密钥/region-990521101.pub.json",
        ],
        true,
        "已授权 990521101",
    );
    check(
        &[
            "keys",
            "delegate",
            "--dir",
            "keys",
            "--region",
            "99052",
            "--public-key",
            "镇密钥/region-990521101.pub.json",
        ],
        false,
        "不是有效的行政区划代码",
    );
    check(
        &[
            "township",
            "publish",
            "--region",
            TOWNSHIP,
            "--keys",
            "镇密钥",
            "--content",
            "内容",
            "--out",
            "交县里/城关镇",
        ],
        true,
        "第 1 版",
    );
    check(&publish, true, "990521101 自行签名：第 1 版");
    check(
        &["keys", "undelegate", "--dir", "keys", "--region", TOWNSHIP],
        true,
        "已收回",
    );
    check(
        &["keys", "undelegate", "--dir", "keys", "--region", TOWNSHIP],
        false,
        "没有授权",
    );
    check(&publish, true, "已收回授权");
}
