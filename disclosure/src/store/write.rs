//! Writing a whole feed version into `content.db` in one transaction:
//! from a bundle in memory, or from a feed's folder shard by shard.

use std::collections::HashMap;
use std::path::Path;

use rusqlite::{OptionalExtension, Statement, Transaction, params};

use super::{ContentStore, FeedVersion, StoreError};
use crate::import::{ImportError, LoadedContent, Part, StreamError};
use crate::{CatalogItem, ContentBundle, Date, Region};

/// Why a feed's folder was not written (nothing was).
#[derive(Debug, thiserror::Error)]
pub enum FeedDirError<E: std::error::Error + 'static> {
    /// The folder has errors.
    #[error("内容有 {} 处错误", .0.len())]
    Content(Vec<ImportError>),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// What the caller does before the commit failed.
    #[error(transparent)]
    BeforeCommit(E),
}

impl ContentStore {
    /// Replaces all content with `bundle` and records `version`, in one
    /// transaction: readers see the old content or the new, never a mix, and
    /// a crash at any point leaves the old content in place.
    pub fn replace_all(
        &mut self,
        bundle: &ContentBundle,
        version: FeedVersion,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        clear(&tx)?;
        write_bundle(&tx, bundle)?;
        crate::search::index::rebuild(&tx)?;
        tx.execute(
            "INSERT INTO meta(key, value) VALUES ('feed_version', ?1)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [version.0.to_string()],
        )?;
        tx.commit()?;
        tracing::info!(
            %version,
            items = bundle.items.len(),
            documents = bundle.documents.len(),
            "content replaced"
        );
        Ok(())
    }

    /// Reads a folder laid out from a feed (exactly as
    /// [`crate::import::load_feed_dir`] does, with the same errors) and
    /// replaces all content with it in one transaction, as
    /// [`ContentStore::replace_all`] does. The catalog is written file by
    /// file as it is read, never held whole in memory; a folder with any
    /// error writes nothing. `before_commit` runs once the folder has been
    /// read without error, before the commit (a failure writes nothing).
    /// The returned content has every record but the catalog items, which
    /// are in the store.
    pub fn replace_from_feed_dir<E: std::error::Error + 'static>(
        &mut self,
        dir: &Path,
        as_of: Date,
        version: FeedVersion,
        before_commit: impl FnOnce(&LoadedContent) -> Result<(), E>,
    ) -> Result<LoadedContent, FeedDirError<E>> {
        let tx = self.conn.transaction().map_err(StoreError::from)?;
        clear(&tx)?;
        let mut items = 0usize;
        let loaded = {
            let mut stmt = tx.prepare(INSERT_ITEM).map_err(StoreError::from)?;
            let mut sink = |part: Part<'_>| -> Result<(), StoreError> {
                match part {
                    Part::Regions(regions) => write_regions(&tx, regions),
                    Part::Items(list) => {
                        items += list.len();
                        list.iter().try_for_each(|i| insert_item(&mut stmt, i))
                    }
                }
            };
            match crate::import::load_feed_dir_streamed(dir, as_of, &mut sink) {
                Ok(loaded) => loaded,
                // Dropping the transaction rolls back what was written.
                Err(StreamError::Content(errors)) => return Err(FeedDirError::Content(errors)),
                Err(StreamError::Sink(e)) => return Err(e.into()),
            }
        };
        write_records(&tx, &loaded.bundle)?;
        crate::search::index::rebuild(&tx)?;
        tx.execute(
            "INSERT INTO meta(key, value) VALUES ('feed_version', ?1)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [version.0.to_string()],
        )
        .map_err(StoreError::from)?;
        before_commit(&loaded).map_err(FeedDirError::BeforeCommit)?;
        tx.commit().map_err(StoreError::from)?;
        tracing::info!(
            %version,
            items,
            documents = loaded.bundle.documents.len(),
            "content replaced shard by shard"
        );
        Ok(loaded)
    }
}

fn clear(tx: &Transaction<'_>) -> Result<(), StoreError> {
    tx.execute_batch(
        "DELETE FROM attachment;
         DELETE FROM interpretation;
         DELETE FROM document;
         DELETE FROM blob;
         DELETE FROM catalog_item;
         DELETE FROM service_guide;
         DELETE FROM notice;
         DELETE FROM region;",
    )?;
    Ok(())
}

fn opt_date(d: Option<crate::Date>) -> Option<String> {
    d.map(|d| d.to_string())
}

fn write_bundle(tx: &Transaction<'_>, b: &ContentBundle) -> Result<(), StoreError> {
    write_regions(tx, &b.regions)?;
    {
        let mut stmt = tx.prepare(INSERT_ITEM)?;
        for i in &b.items {
            insert_item(&mut stmt, i)?;
        }
    }
    write_records(tx, b)
}

fn write_regions(tx: &Transaction<'_>, regions: &[Region]) -> Result<(), StoreError> {
    // Parents before children, whatever order the bundle lists them in.
    let mut regions: Vec<&Region> = regions.iter().collect();
    regions.sort_by_key(|r| (r.code.as_str().len(), r.code.clone()));
    let mut stmt =
        tx.prepare("INSERT INTO region(code, name, level, parent) VALUES (?1, ?2, ?3, ?4)")?;
    for r in regions {
        stmt.execute(params![
            r.code.as_str(),
            r.name,
            r.level.db_name(),
            r.parent.as_ref().map(|p| p.as_str())
        ])
        .map_err(|e| invalid(e, format!("地区 {} {}", r.code, r.name)))?;
    }
    Ok(())
}

const INSERT_ITEM: &str = "INSERT INTO catalog_item(item_key, region_code, domain_code, column1,
        column2, column3, name, content, basis, time_limit, publisher, mode_bits, channel,
        audience, level_bits, office, contact_person, contact_phone, updated, source,
        updated_stated)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
        ?17, ?18, ?19, ?20, ?21)";

fn insert_item(stmt: &mut Statement<'_>, i: &CatalogItem) -> Result<(), StoreError> {
    stmt.execute(params![
        i.key.as_str(),
        i.region.as_str(),
        i.domain.code(),
        i.columns.first().map(String::as_str).unwrap_or(&i.name),
        i.columns.get(1),
        i.columns.get(2),
        i.name,
        i.content,
        i.basis,
        i.time_limit,
        i.publisher,
        i.mode.bits(),
        i.channel,
        i.audience.db_name(),
        i.levels.bits(),
        i.office,
        i.contact_person,
        i.contact_phone,
        i.updated.to_string(),
        i.source,
        i.updated_stated,
    ])
    .map_err(|e| invalid(e, format!("公开事项“{}”（{}）", i.name, i.source)))?;
    Ok(())
}

/// Everything of a bundle but its regions and items.
fn write_records(tx: &Transaction<'_>, b: &ContentBundle) -> Result<(), StoreError> {
    {
        let mut stmt = tx.prepare("INSERT OR IGNORE INTO blob(sha256, bytes) VALUES (?1, ?2)")?;
        for (sha, bytes) in &b.blobs {
            stmt.execute(params![sha, bytes])?;
        }
    }
    let mut doc_ids = HashMap::new();
    {
        let mut stmt = tx.prepare(
            "INSERT INTO document(doc_key, region_code, domain_code, title, doc_no, issuer,
                issued, effective_from, effective_until, status, body)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?;
        let mut att = tx.prepare(
            "INSERT INTO attachment(document_id, position, file_name, sha256, size)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for d in &b.documents {
            stmt.execute(params![
                d.key.as_str(),
                d.region.as_str(),
                d.domain.code(),
                d.title,
                d.doc_no,
                d.issuer,
                d.issued.to_string(),
                opt_date(d.effective_from),
                opt_date(d.effective_until),
                d.status.db_name(),
                d.body,
            ])
            .map_err(|e| invalid(e, format!("文件“{}”", d.title)))?;
            let id = tx.last_insert_rowid();
            doc_ids.insert(d.key.as_str(), id);
            for (pos, a) in d.attachments.iter().enumerate() {
                att.execute(params![
                    id,
                    pos as i64,
                    a.file_name,
                    a.sha256,
                    a.size as i64
                ])
                .map_err(|e| invalid(e, format!("附件“{}”", a.file_name)))?;
            }
        }
    }
    {
        let mut stmt = tx.prepare(
            "INSERT INTO interpretation(interp_key, region_code, document_id, title, form,
                published, issuer, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        for i in &b.interpretations {
            let doc_id = match doc_ids.get(i.document.as_str()) {
                Some(id) => *id,
                None => tx
                    .query_row(
                        "SELECT id FROM document WHERE doc_key = ?1",
                        [i.document.as_str()],
                        |r| r.get(0),
                    )
                    .optional()?
                    .ok_or_else(|| {
                        StoreError::InvalidBundle(format!(
                            "解读“{}”所解读的文件 {} 不存在",
                            i.title, i.document
                        ))
                    })?,
            };
            stmt.execute(params![
                i.key.as_str(),
                i.region.as_str(),
                doc_id,
                i.title,
                i.form.db_name(),
                i.published.to_string(),
                i.issuer,
                i.body
            ])
            .map_err(|e| invalid(e, format!("解读“{}”", i.title)))?;
        }
    }
    {
        let mut stmt = tx.prepare(
            "INSERT INTO service_guide(guide_key, region_code, domain_code, name, agency, place,
                hours, phone, time_limit, fee, body)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?;
        for g in &b.guides {
            stmt.execute(params![
                g.key.as_str(),
                g.region.as_str(),
                g.domain.code(),
                g.name,
                g.agency,
                g.place,
                g.hours,
                g.phone,
                g.time_limit,
                g.fee,
                g.body
            ])
            .map_err(|e| invalid(e, format!("办事指南“{}”", g.name)))?;
        }
    }
    {
        let mut stmt = tx.prepare(
            "INSERT INTO notice(notice_key, region_code, kind, title, issuer, published, closes,
                domain_code, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?;
        for n in &b.notices {
            stmt.execute(params![
                n.key.as_str(),
                n.region.as_str(),
                n.kind.db_name(),
                n.title,
                n.issuer,
                n.published.to_string(),
                opt_date(n.closes),
                n.domain.map(|d| d.code()),
                n.body
            ])
            .map_err(|e| invalid(e, format!("公告“{}”", n.title)))?;
        }
    }
    Ok(())
}

/// Names the record when a constraint (unknown region, duplicate key) fails.
fn invalid(e: rusqlite::Error, what: String) -> StoreError {
    match e {
        rusqlite::Error::SqliteFailure(f, msg)
            if f.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            let why = match msg.as_deref() {
                Some(m) if m.contains("UNIQUE") => "重复",
                Some(m) if m.contains("FOREIGN KEY") => "所属地区或领域不存在",
                _ => "不符合约束",
            };
            StoreError::InvalidBundle(format!("{what}{why}"))
        }
        e => StoreError::Sqlite(e),
    }
}
