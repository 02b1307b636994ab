//! A township's own signed items on the terminal: they arrive through the
//! real sync like the county's, and a township key — even one stolen and
//! used to sign properly — cannot reach outside its region. The forged
//! versions are signed with the real keys (the county's for snapshot and
//! timestamp, the township's for its role), as an attacker holding the
//! township key and a careless or compromised publish step could produce.

mod common;

use std::num::NonZeroU64;

use common::{FaultServer, Fixture};
use sync_agent::Agent;
use sync_agent::feed::plain_words;
use tough::editor::signed::SignedRole;
use tough::key_source::{KeySource, LocalKeySource};
use tough::schema::{DelegatedTargets, KeyHolder, Signed, Snapshot, Targets, Timestamp};

const TOWNSHIP: &str = "990521101";
const ROLE: &str = "region-990521101";

async fn sync(fx: &Fixture, port: u16) -> Result<u64, String> {
    let (r, _) = Agent::new(fx.config(port)).sync_feed().await;
    r.map(|f| f.version).map_err(|e| plain_words(&e))
}

fn counts(fx: &Fixture) -> disclosure::store::StoreCounts {
    disclosure::ContentStore::open_read_only(&fx.path("device/content.db"))
        .unwrap()
        .counts()
        .unwrap()
}

fn read<T: serde::de::DeserializeOwned>(fx: &Fixture, name: &str) -> T {
    serde_json::from_slice(&std::fs::read(fx.path(&format!("repo/metadata/{name}"))).unwrap())
        .unwrap()
}

/// Publishes a next version in which only the township's role changed:
/// `change` edits its targets, the township's key signs them, the county's
/// keys sign a new snapshot and timestamp naming them.
async fn forge_township_version(fx: &Fixture, change: impl FnOnce(&mut Targets)) {
    let rng = aws_lc_rs::rand::SystemRandom::new();
    let root: Signed<tough::schema::Root> =
        serde_json::from_slice(&std::fs::read(fx.path("keys/root.json")).unwrap()).unwrap();
    let timestamp: Signed<Timestamp> = read(fx, "timestamp.json");
    let n = timestamp.signed.version.get();
    let snapshot: Signed<Snapshot> = read(fx, &format!("{n}.snapshot.json"));
    let role_version = snapshot.signed.meta[&format!("{ROLE}.json")].version.get();
    let top_version = snapshot.signed.meta["targets.json"].version.get();
    let top: Signed<Targets> = read(fx, &format!("{top_version}.targets.json"));
    let mut role: Signed<Targets> = read(fx, &format!("{role_version}.{ROLE}.json"));
    change(&mut role.signed);
    role.signed.version = NonZeroU64::new(role_version + 1).unwrap();
    let township: Vec<Box<dyn KeySource>> = vec![Box::new(LocalKeySource {
        path: fx.path(&format!("township-keys/{ROLE}.pk8")),
    })];
    let signed_role = SignedRole::new(
        DelegatedTargets {
            name: ROLE.into(),
            targets: role.signed,
        },
        &KeyHolder::Delegations(top.signed.delegations.clone().unwrap()),
        &township,
        &rng,
    )
    .await
    .unwrap();
    let meta = fx.path("repo/metadata");
    std::fs::write(
        meta.join(format!("{}.{ROLE}.json", role_version + 1)),
        signed_role.buffer(),
    )
    .unwrap();
    let county = county::keys::KeyDir::new(&fx.path("keys"))
        .key_sources()
        .unwrap();
    let root_holder = KeyHolder::Root(root.signed);
    let mut snap = snapshot.signed;
    snap.version = NonZeroU64::new(n + 1).unwrap();
    snap.meta.insert(
        format!("{ROLE}.json"),
        county::publish::metafile(signed_role.buffer(), role_version + 1),
    );
    let snap = SignedRole::new(snap, &root_holder, &county, &rng)
        .await
        .unwrap();
    std::fs::write(meta.join(format!("{}.snapshot.json", n + 1)), snap.buffer()).unwrap();
    let mut ts = timestamp.signed;
    ts.version = NonZeroU64::new(n + 1).unwrap();
    ts.meta.insert(
        "snapshot.json".into(),
        county::publish::metafile(snap.buffer(), n + 1),
    );
    let ts = SignedRole::new(ts, &root_holder, &county, &rng)
        .await
        .unwrap();
    std::fs::write(meta.join("timestamp.json"), ts.buffer()).unwrap();
}

/// A county whose township 990521101 signs its own items, published once.
async fn delegated_fixture() -> Fixture {
    let fx = Fixture::new().await;
    fx.delegate_township(TOWNSHIP).await;
    fx.publish_demo(&[]).await;
    fx
}

/// What the terminal holds after syncing the county's demo content signed
/// entirely by the county.
async fn county_only_counts() -> disclosure::store::StoreCounts {
    let fx = Fixture::new().await;
    fx.publish_demo(&[]).await;
    let srv = FaultServer::start(fx.dir.path()).await;
    assert_eq!(sync(&fx, srv.port).await, Ok(1));
    counts(&fx)
}

#[tokio::test]
async fn a_townships_own_items_reach_the_terminal() {
    let fx = Fixture::new().await;
    fx.delegate_township(TOWNSHIP).await;
    let report = fx.publish_demo(&[]).await;
    assert_eq!(report.delegated.len(), 1);
    assert!(fx.path(&format!("repo/metadata/1.{ROLE}.json")).exists());
    let srv = FaultServer::start(fx.dir.path()).await;
    assert_eq!(sync(&fx, srv.port).await, Ok(1));
    let got = counts(&fx);
    assert!(got.items > 0);
    assert_eq!(got, county_only_counts().await);
    // The township's role was fetched like any metadata.
    assert!(
        srv.seen()
            .requests
            .iter()
            .any(|p| p.ends_with(&format!("/1.{ROLE}.json")))
    );
}

#[tokio::test]
async fn a_township_key_cannot_sign_outside_its_region() {
    // A target of another township under a name the county does not list.
    let fx = delegated_fixture().await;
    forge_township_version(&fx, |t| {
        let (_, target) = t
            .targets
            .iter()
            .next()
            .map(|(n, t)| (n.clone(), t.clone()))
            .unwrap();
        t.targets
            .insert("notices-990521201-forged.md".try_into().unwrap(), target);
    })
    .await;
    let srv = FaultServer::start(fx.dir.path()).await;
    let r = sync(&fx, srv.port).await;
    assert!(
        r.as_ref()
            .is_err_and(|e| e.contains("超出了县里授权的范围")),
        "{r:?}"
    );
    assert_eq!(fx.content_version(), None);

    // A name the county does list: TUF resolves it to the county's own
    // target, so the township's substitute is never used (had it been, the
    // shard — of 990521101 — would not import under 990521201).
    let fx = delegated_fixture().await;
    let county_lists: Targets = read::<Signed<Targets>>(&fx, "1.targets.json").signed;
    forge_township_version(&fx, |t| {
        // A shard of the township whose counterpart in 990521201 the
        // county does publish (not every township has every domain).
        let (target, foreign) = t
            .targets
            .iter()
            .filter(|(n, _)| n.raw().starts_with("catalog-990521101-"))
            .map(|(n, t)| (t.clone(), n.raw().replace("990521101", "990521201")))
            .find(|(_, f)| county_lists.targets.keys().any(|n| n.raw() == f.as_str()))
            .unwrap();
        t.targets
            .insert(foreign.as_str().try_into().unwrap(), target);
    })
    .await;
    let srv = FaultServer::start(fx.dir.path()).await;
    assert_eq!(sync(&fx, srv.port).await, Ok(1));
    assert_eq!(counts(&fx), county_only_counts().await);
}

#[tokio::test]
async fn an_expired_township_signature_is_refused() {
    let fx = delegated_fixture().await;
    forge_township_version(&fx, |t| {
        t.expires = "2026-01-01T00:00:00Z".parse().unwrap();
    })
    .await;
    let srv = FaultServer::start(fx.dir.path()).await;
    let r = sync(&fx, srv.port).await;
    assert!(r.as_ref().is_err_and(|e| e.contains("过期")), "{r:?}");
    assert_eq!(fx.content_version(), None);
}

/// Regression (review of the delegation change): once a terminal had
/// trusted a snapshot listing the township's role, a publish that dropped
/// the role (delegation taken back) made tough refuse every later
/// snapshot (TUF §5.5.5), stopping the terminal's sync for good.
#[tokio::test]
async fn a_delegation_taken_back_and_given_again_keeps_terminals_syncing() {
    let fx = delegated_fixture().await;
    let srv = FaultServer::start(fx.dir.path()).await;
    assert_eq!(sync(&fx, srv.port).await, Ok(1));
    let reference = county_only_counts().await;
    let keys = county::keys::KeyDir::new(&fx.path("keys"));
    let town: disclosure::RegionCode = TOWNSHIP.parse().unwrap();
    let delegation = keys.delegations().unwrap().remove(0);
    assert!(keys.undelegate(&town).unwrap());
    let report = fx.publish_demo(&[]).await;
    assert!(report.delegated.is_empty());
    assert_eq!(sync(&fx, srv.port).await, Ok(2));
    assert_eq!(counts(&fx), reference);
    // Given back: the township signs a newer version and it applies.
    keys.delegate(&town, delegation.keys, 1).unwrap();
    let bundle =
        county::delegation::township_publish(&county::delegation::TownshipPublishOptions {
            region: TOWNSHIP.into(),
            keys: fx.path("township-keys"),
            content: fx.path(&format!("township-{TOWNSHIP}")),
            out: fx.path(&format!("inbox/{TOWNSHIP}")),
            days: 180,
            version: None,
        })
        .await
        .unwrap();
    assert_eq!(bundle.version, 2);
    assert_eq!(fx.publish_demo(&[]).await.delegated.len(), 1);
    assert_eq!(sync(&fx, srv.port).await, Ok(3));
    assert_eq!(counts(&fx), reference);
}
