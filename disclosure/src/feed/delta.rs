//! Catalog deltas: how one version's catalog shards differ from the
//! previous version's, so a terminal one version behind fetches the changed
//! items instead of whole shards. A delta is only a way to rebuild a shard:
//! the terminal checks the rebuilt bytes against the hash the signed
//! targets metadata gives, and downloads the shard when they differ.

use serde::{Deserialize, Serialize};

use super::{CatalogShard, ItemRecord, sha256_hex};

/// The `format` field of every delta.
pub const DELTA_FORMAT: &str = "gongkai-catalog-delta/1";

/// The target name of the delta that takes version `from` to `to`.
pub fn delta_target_name(from: u64, to: u64) -> String {
    format!("deltas-{from}-{to}.json")
}

/// Whether a target name is a delta (`deltas-<from>-<to>.json`): not part
/// of the content folder.
pub fn is_delta_name(name: &str) -> bool {
    name.strip_prefix("deltas-")
        .and_then(|r| r.strip_suffix(".json"))
        .and_then(|r| r.split_once('-'))
        .is_some_and(|(a, b)| a.parse::<u64>().is_ok() && b.parse::<u64>().is_ok())
}

/// All shard changes between two versions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogDelta {
    pub format: String,
    pub shards: Vec<ShardDelta>,
}

/// How to rebuild one shard from its previous bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardDelta {
    pub name: String,
    /// SHA-256 (hex) of the shard this applies to.
    pub base: String,
    /// SHA-256 (hex) of the shard it rebuilds.
    pub result: String,
    pub ops: Vec<DeltaOp>,
}

/// Copy a run of the base's items, or insert an item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeltaOp {
    /// Items `start..start+len` of the base, in order.
    Copy {
        start: usize,
        len: usize,
    },
    Item(Box<ItemRecord>),
}

fn serialize(shard: &CatalogShard) -> Vec<u8> {
    let mut bytes = serde_json::to_vec(shard).expect("shards serialize");
    bytes.push(b'\n');
    bytes
}

/// The delta from `base` to `new` (both shard bytes), when both parse and
/// the delta is smaller than `new`.
pub fn shard_delta(name: &str, base: &[u8], new: &[u8]) -> Option<ShardDelta> {
    let b: CatalogShard = serde_json::from_slice(base).ok()?;
    let n: CatalogShard = serde_json::from_slice(new).ok()?;
    if b.format != n.format || b.region != n.region || b.domain != n.domain {
        return None;
    }
    let index: std::collections::HashMap<&ItemRecord, usize> =
        b.items.iter().enumerate().map(|(i, r)| (r, i)).collect();
    let mut ops: Vec<DeltaOp> = Vec::new();
    for item in &n.items {
        match index.get(item) {
            Some(&i) => match ops.last_mut() {
                Some(DeltaOp::Copy { start, len }) if *start + *len == i => *len += 1,
                _ => ops.push(DeltaOp::Copy { start: i, len: 1 }),
            },
            None => ops.push(DeltaOp::Item(Box::new(item.clone()))),
        }
    }
    let delta = ShardDelta {
        name: name.to_string(),
        base: sha256_hex(base),
        result: sha256_hex(new),
        ops,
    };
    let size = serde_json::to_vec(&delta)
        .map(|v| v.len())
        .unwrap_or(usize::MAX);
    (size < new.len()).then_some(delta)
}

/// Rebuilds a shard from `base` bytes; `None` when the delta does not fit
/// this base or the result is not the shard it promises.
pub fn apply_delta(base: &[u8], delta: &ShardDelta) -> Option<Vec<u8>> {
    if sha256_hex(base) != delta.base {
        return None;
    }
    let b: CatalogShard = serde_json::from_slice(base).ok()?;
    let mut items = Vec::new();
    for op in &delta.ops {
        match op {
            DeltaOp::Copy { start, len } => {
                items.extend_from_slice(b.items.get(*start..start.checked_add(*len)?)?)
            }
            DeltaOp::Item(r) => items.push((**r).clone()),
        }
    }
    let out = serialize(&CatalogShard { items, ..b });
    (sha256_hex(&out) == delta.result).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed::catalog_shards;

    #[test]
    fn delta_names() {
        assert!(is_delta_name(&delta_target_name(3, 4)));
        assert!(!is_delta_name("deltas-3.json"));
        assert!(!is_delta_name("deltas-a-4.json"));
        assert!(!is_delta_name("catalog-990521-01.json"));
    }

    #[test]
    fn a_delta_rebuilds_the_new_shard_exactly_and_only_from_its_base() {
        let mut items = crate::synth::synthetic_items(2_000, 9);
        let old = catalog_shards(&items);
        // Change, drop and add a few items.
        items[10].content.push_str("（已修订）");
        items[500].name.push_str("（新）");
        items.remove(700);
        let mut extra = crate::synth::synthetic_items(1, 77).remove(0);
        extra.region = items[3].region.clone();
        extra.domain = items[3].domain;
        extra.key = crate::ItemKey::derive(
            &extra.region,
            extra.domain,
            &extra.publisher,
            &extra.columns,
            &extra.name,
        );
        items.insert(4, extra);
        let new = catalog_shards(&items);
        let mut changed = 0;
        for (name, bytes) in &new {
            let Some(base) = old.get(name) else { continue };
            if base == bytes {
                continue;
            }
            changed += 1;
            let d = shard_delta(name, base, bytes).expect("a delta is smaller");
            assert!(serde_json::to_vec(&d).unwrap().len() * 4 < bytes.len());
            assert_eq!(apply_delta(base, &d).as_deref(), Some(bytes.as_slice()));
            // Not from another base; not when the result would differ.
            let other = old.values().find(|b| *b != base).unwrap();
            assert_eq!(apply_delta(other, &d), None);
            let mut bad = d.clone();
            bad.ops.pop();
            assert_eq!(apply_delta(base, &bad), None);
            let mut oob = d.clone();
            oob.ops.push(DeltaOp::Copy {
                start: usize::MAX,
                len: 2,
            });
            assert_eq!(apply_delta(base, &oob), None);
        }
        assert!((2..=4).contains(&changed), "{changed}");
    }
}
