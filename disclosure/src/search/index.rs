//! Builds the search index (`search_doc` and the `search_fts` gram index)
//! from the content tables, inside the caller's transaction.

use std::fmt::Write;

use rusqlite::{Transaction, params};

use super::normalize::normalize;
use crate::store::StoreError;

/// Rebuilds the whole index from the content tables.
pub(crate) fn rebuild(tx: &Transaction<'_>) -> Result<(), StoreError> {
    tx.execute("DELETE FROM search_doc", [])?;
    tx.execute(
        "INSERT INTO search_fts(search_fts) VALUES ('delete-all')",
        [],
    )?;
    let mut ins_doc = tx.prepare(
        "INSERT INTO search_doc(id, kind, record_key, region_code, title, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    let mut ins_fts =
        tx.prepare("INSERT INTO search_fts(rowid, title, body) VALUES (?1, ?2, ?3)")?;
    let mut next_id: i64 = 1;
    let mut add = |kind: &str, key: String, region: String, title: String, body: String| {
        ins_doc.execute(params![next_id, kind, key, region, title, body])?;
        ins_fts.execute(params![
            next_id,
            grams(&normalize(&title)),
            grams(&normalize(&body))
        ])?;
        next_id += 1;
        Ok::<(), rusqlite::Error>(())
    };

    let sources: [(&str, &str); 5] = [
        (
            "item",
            "SELECT item_key, region_code, name,
                concat_ws(char(10), column1, column2, column3, content, basis, time_limit,
                          publisher, channel, office, contact_phone)
             FROM catalog_item ORDER BY id",
        ),
        (
            "guide",
            "SELECT guide_key, region_code, name,
                concat_ws(char(10), agency, place, hours, phone, time_limit, fee, body)
             FROM service_guide ORDER BY id",
        ),
        (
            "document",
            "SELECT doc_key, region_code, title, concat_ws(char(10), doc_no, issuer, body)
             FROM document ORDER BY id",
        ),
        (
            "interpretation",
            "SELECT interp_key, region_code, title, concat_ws(char(10), issuer, body)
             FROM interpretation ORDER BY id",
        ),
        (
            "notice",
            "SELECT notice_key, region_code, title, concat_ws(char(10), issuer, body)
             FROM notice ORDER BY id",
        ),
    ];
    for (kind, sql) in sources {
        let mut stmt = tx.prepare(sql)?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            add(kind, r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)?;
        }
    }
    // Every rebuild is a new generation: searchers holding titles of an
    // older one reload them.
    tx.execute(
        "INSERT INTO meta(key, value) VALUES ('search_generation', '1')
         ON CONFLICT(key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)",
        [],
    )?;
    Ok(())
}

/// The generation of the search index (0 before any).
pub(crate) fn generation(conn: &rusqlite::Connection) -> rusqlite::Result<u64> {
    use rusqlite::OptionalExtension;
    let v: Option<String> = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'search_generation'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    Ok(v.and_then(|v| v.parse().ok()).unwrap_or(0))
}

/// The gram tokens of a normalised text: a unigram token for every
/// character and a bigram token for every two adjacent characters, within
/// runs of non-whitespace. Tokens are hex code points (`u4f9d`,
/// `b4f9dx7533`) so the FTS5 `ascii` tokenizer keeps every character,
/// punctuation included.
pub(crate) fn grams(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 6);
    let mut prev: Option<char> = None;
    for c in text.chars() {
        if c.is_whitespace() {
            prev = None;
            continue;
        }
        let _ = write!(out, "u{:x} ", c as u32);
        if let Some(p) = prev {
            let _ = write!(out, "b{:x}x{:x} ", p as u32, c as u32);
        }
        prev = Some(c);
    }
    out
}

/// Most bigrams one term puts in the FTS query; a longer term uses an
/// evenly spread subset (a superset of candidates, verified afterwards).
pub(crate) const MAX_TERM_GRAMS: usize = 24;

/// The FTS5 query for one whitespace-free query term: its unigram for one
/// character, otherwise its bigrams (ANDed, at most [`MAX_TERM_GRAMS`]).
pub(crate) fn term_query(term: &str) -> String {
    let chars: Vec<char> = term.chars().collect();
    match chars.as_slice() {
        [] => String::new(),
        [c] => format!("u{:x}", *c as u32),
        _ => {
            let mut grams: Vec<String> = chars
                .windows(2)
                .map(|w| format!("b{:x}x{:x}", w[0] as u32, w[1] as u32))
                .collect();
            grams.sort();
            grams.dedup();
            if grams.len() > MAX_TERM_GRAMS {
                let step = grams.len() as f64 / MAX_TERM_GRAMS as f64;
                grams = (0..MAX_TERM_GRAMS)
                    .map(|i| grams[(i as f64 * step) as usize].clone())
                    .collect();
            }
            grams.join(" AND ")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grams_cover_every_character_and_pair() {
        assert_eq!(grams("依申"), "u4f9d u7533 b4f9dx7533 ");
        assert_eq!(grams("a b"), "u61 u62 ");
        assert_eq!(grams("〔1"), "u3014 u31 b3014x31 ");
    }

    #[test]
    fn term_queries() {
        assert_eq!(term_query("公"), "u516c");
        assert_eq!(term_query("公开"), "b516cx5f00");
        assert_eq!(term_query("公公公"), "b516cx516c");
        let long: String = (0..200)
            .map(|i| char::from_u32(0x4e00 + i).unwrap())
            .collect();
        assert_eq!(
            term_query(&long).matches(" AND ").count(),
            MAX_TERM_GRAMS - 1
        );
    }
}
