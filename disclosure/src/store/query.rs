//! Read queries the kiosk needs: domains with counts, columns, items,
//! documents with their interpretations, guides, notices, latest updates.

use rusqlite::{OptionalExtension, Row, params_from_iter};

use super::{ContentStore, StoreError};
use crate::{
    Attachment, Audience, CatalogItem, Date, DisclosureMode, Document, DocumentKey, Domain,
    EffectStatus, Interpretation, InterpretationForm, ItemKey, Notice, NoticeKind, PublishLevels,
    Region, RegionCode, RegionLevel, ServiceGuide,
};

/// The regions whose content a terminal shows: its own region and every
/// region above it (a village box shows village, township and county items).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionScope {
    codes: Vec<RegionCode>,
}

impl RegionScope {
    /// The scope of a terminal standing in `region`.
    pub fn of(region: &RegionCode) -> RegionScope {
        RegionScope {
            codes: region.with_ancestors(),
        }
    }

    pub fn codes(&self) -> &[RegionCode] {
        &self.codes
    }

    pub fn contains(&self, code: &str) -> bool {
        self.codes.iter().any(|c| c.as_str() == code)
    }

    /// `?1, ?2, ?3` placeholders numbered from `first`.
    pub(crate) fn placeholders(&self, first: usize) -> String {
        (0..self.codes.len())
            .map(|i| format!("?{}", first + i))
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub(crate) fn params(&self) -> impl Iterator<Item = &str> {
        self.codes.iter().map(RegionCode::as_str)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainCount {
    pub domain: Domain,
    pub items: usize,
}

/// A node of the catalog column tree (一级 → 二级 → 三级) with the number of
/// items under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnNode {
    pub name: String,
    pub item_count: usize,
    pub children: Vec<ColumnNode>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemSummary {
    pub key: ItemKey,
    pub name: String,
    pub region_name: String,
    pub region_level: RegionLevel,
    pub updated: Date,
    /// Whether `updated` is the item's own date (see `CatalogItem`).
    pub updated_stated: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ItemDetail {
    pub item: CatalogItem,
    pub region: Region,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentSummary {
    pub key: DocumentKey,
    pub title: String,
    pub doc_no: Option<String>,
    pub issued: Date,
    pub status: EffectStatus,
    pub region_level: RegionLevel,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DocumentView {
    pub document: Document,
    pub region: Region,
    pub interpretations: Vec<Interpretation>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordKind {
    Item,
    Document,
    Interpretation,
    Guide,
    Notice,
}

impl RecordKind {
    pub(crate) fn from_db_name(s: &str) -> Option<Self> {
        match s {
            "item" => Some(Self::Item),
            "document" => Some(Self::Document),
            "interpretation" => Some(Self::Interpretation),
            "guide" => Some(Self::Guide),
            "notice" => Some(Self::Notice),
            _ => None,
        }
    }

    /// The word shown on a result or update line.
    pub fn name(self) -> &'static str {
        match self {
            Self::Item => "公开事项",
            Self::Document => "文件",
            Self::Interpretation => "政策解读",
            Self::Guide => "办事指南",
            Self::Notice => "公告",
        }
    }
}

/// One line of 最新更新.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateEntry {
    pub kind: RecordKind,
    pub key: String,
    pub title: String,
    pub date: Date,
    /// 效力状态 of a document, or of the document an interpretation
    /// explains; `None` for notices.
    pub status: Option<EffectStatus>,
}

/// A 政策解读 as a list shows it: with the 效力状态 of the document it
/// explains, so an interpretation of a repealed rule says so.
#[derive(Debug, Clone, PartialEq)]
pub struct InterpretationEntry {
    pub interpretation: Interpretation,
    pub document_status: EffectStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StoreCounts {
    pub regions: usize,
    pub items: usize,
    pub documents: usize,
    pub interpretations: usize,
    pub guides: usize,
    pub notices: usize,
}

fn date(row: &Row<'_>, idx: usize) -> rusqlite::Result<Date> {
    let s: String = row.get(idx)?;
    s.parse().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn opt_date(row: &Row<'_>, idx: usize) -> rusqlite::Result<Option<Date>> {
    let s: Option<String> = row.get(idx)?;
    s.map(|s| {
        s.parse().map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
        })
    })
    .transpose()
}

fn bad(idx: usize, what: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        idx,
        rusqlite::types::Type::Text,
        format!("unknown {what}").into(),
    )
}

fn domain(row: &Row<'_>, idx: usize) -> rusqlite::Result<Domain> {
    let c: u8 = row.get(idx)?;
    Domain::from_code(c).ok_or_else(|| bad(idx, "domain"))
}

fn region_code(row: &Row<'_>, idx: usize) -> rusqlite::Result<RegionCode> {
    let s: String = row.get(idx)?;
    s.parse().map_err(|_| bad(idx, "region code"))
}

fn level(row: &Row<'_>, idx: usize) -> rusqlite::Result<RegionLevel> {
    let s: String = row.get(idx)?;
    RegionLevel::from_db_name(&s).ok_or_else(|| bad(idx, "level"))
}

const ITEM_COLUMNS: &str = "item_key, region_code, domain_code, column1, column2, column3, name,
    content, basis, time_limit, publisher, mode_bits, channel, audience, level_bits, office,
    contact_person, contact_phone, updated, source, updated_stated";

fn item_from_row(r: &Row<'_>) -> rusqlite::Result<CatalogItem> {
    let mut columns = vec![r.get::<_, String>(3)?];
    columns.extend(r.get::<_, Option<String>>(4)?);
    columns.extend(r.get::<_, Option<String>>(5)?);
    let audience: String = r.get(13)?;
    Ok(CatalogItem {
        key: ItemKey(r.get(0)?),
        region: region_code(r, 1)?,
        domain: domain(r, 2)?,
        columns,
        name: r.get(6)?,
        content: r.get(7)?,
        basis: r.get(8)?,
        time_limit: r.get(9)?,
        publisher: r.get(10)?,
        mode: DisclosureMode::from_bits(r.get(11)?),
        channel: r.get(12)?,
        audience: Audience::from_db_name(&audience).ok_or_else(|| bad(13, "audience"))?,
        levels: PublishLevels::from_bits(r.get(14)?),
        office: r.get(15)?,
        contact_person: r.get(16)?,
        contact_phone: r.get(17)?,
        updated: date(r, 18)?,
        source: r.get(19)?,
        updated_stated: r.get(20)?,
    })
}

fn region_from_row(r: &Row<'_>) -> rusqlite::Result<Region> {
    let parent: Option<String> = r.get(3)?;
    Ok(Region {
        code: region_code(r, 0)?,
        name: r.get(1)?,
        level: level(r, 2)?,
        parent: parent
            .map(|p| p.parse())
            .transpose()
            .map_err(|_| bad(3, "parent"))?,
    })
}

const DOC_COLUMNS: &str = "id, doc_key, region_code, domain_code, title, doc_no, issuer, issued,
    effective_from, effective_until, status, body";

/// Columns for [`interpretation_from_row`], with `i` the interpretation and
/// `d` its document.
const INTERP_COLUMNS: &str =
    "i.interp_key, d.doc_key, i.title, i.form, i.published, i.issuer, i.body, i.region_code";

fn interpretation_from_row(r: &Row<'_>) -> rusqlite::Result<Interpretation> {
    let form: String = r.get(3)?;
    Ok(Interpretation {
        key: DocumentKey(r.get(0)?),
        document: DocumentKey(r.get(1)?),
        title: r.get(2)?,
        form: InterpretationForm::from_db_name(&form).ok_or_else(|| bad(3, "form"))?,
        published: date(r, 4)?,
        issuer: r.get(5)?,
        body: r.get(6)?,
        region: region_code(r, 7)?,
    })
}

fn notice_from_row(r: &Row<'_>) -> rusqlite::Result<Notice> {
    let kind: String = r.get(2)?;
    let domain_code: Option<u8> = r.get(7)?;
    Ok(Notice {
        key: DocumentKey(r.get(0)?),
        region: region_code(r, 1)?,
        kind: NoticeKind::from_db_name(&kind).ok_or_else(|| bad(2, "notice kind"))?,
        title: r.get(3)?,
        issuer: r.get(4)?,
        published: date(r, 5)?,
        closes: opt_date(r, 6)?,
        domain: domain_code.and_then(Domain::from_code),
        body: r.get(8)?,
    })
}

fn guide_from_row(r: &Row<'_>) -> rusqlite::Result<ServiceGuide> {
    Ok(ServiceGuide {
        key: DocumentKey(r.get(0)?),
        region: region_code(r, 1)?,
        domain: domain(r, 2)?,
        name: r.get(3)?,
        agency: r.get(4)?,
        place: r.get(5)?,
        hours: r.get(6)?,
        phone: r.get(7)?,
        time_limit: r.get(8)?,
        fee: r.get(9)?,
        body: r.get(10)?,
    })
}

impl ContentStore {
    pub fn regions(&self) -> Result<Vec<Region>, StoreError> {
        let mut stmt = self
            .conn()
            .prepare("SELECT code, name, level, parent FROM region ORDER BY code")?;
        let rows = stmt.query_map([], region_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn region(&self, code: &RegionCode) -> Result<Option<Region>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT code, name, level, parent FROM region WHERE code = ?1",
                [code.as_str()],
                region_from_row,
            )
            .optional()?)
    }

    pub fn counts(&self) -> Result<StoreCounts, StoreError> {
        let count = |table: &str| -> Result<usize, StoreError> {
            let n: i64 =
                self.conn()
                    .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?;
            Ok(n as usize)
        };
        Ok(StoreCounts {
            regions: count("region")?,
            items: count("catalog_item")?,
            documents: count("document")?,
            interpretations: count("interpretation")?,
            guides: count("service_guide")?,
            notices: count("notice")?,
        })
    }

    /// All 27 domains in catalog order with the number of items the scope sees.
    pub fn domain_counts(&self, scope: &RegionScope) -> Result<Vec<DomainCount>, StoreError> {
        let sql = format!(
            "SELECT domain_code, count(*) FROM catalog_item
             WHERE region_code IN ({}) GROUP BY domain_code",
            scope.placeholders(1)
        );
        let mut stmt = self.conn().prepare(&sql)?;
        let mut counts = [0usize; 28];
        let mut rows = stmt.query(params_from_iter(scope.params()))?;
        while let Some(r) = rows.next()? {
            let code: u8 = r.get(0)?;
            let n: i64 = r.get(1)?;
            if let Some(slot) = counts.get_mut(usize::from(code)) {
                *slot = n as usize;
            }
        }
        Ok(Domain::all()
            .map(|d| DomainCount {
                domain: d,
                items: counts[usize::from(d.code())],
            })
            .collect())
    }

    /// The column tree of one domain as the scope sees it, in the order the
    /// columns first appear in the catalog.
    pub fn column_tree(
        &self,
        scope: &RegionScope,
        domain: Domain,
    ) -> Result<Vec<ColumnNode>, StoreError> {
        let sql = format!(
            "SELECT column1, column2, column3 FROM catalog_item
             WHERE domain_code = ?1 AND region_code IN ({}) ORDER BY length(region_code), id",
            scope.placeholders(2)
        );
        let mut stmt = self.conn().prepare(&sql)?;
        let params =
            std::iter::once(domain.code().to_string()).chain(scope.params().map(str::to_string));
        let mut rows = stmt.query(params_from_iter(params))?;
        let mut roots: Vec<ColumnNode> = Vec::new();
        while let Some(r) = rows.next()? {
            let path: Vec<String> = [r.get::<_, Option<String>>(0)?, r.get(1)?, r.get(2)?]
                .into_iter()
                .flatten()
                .collect();
            insert_path(&mut roots, &path);
        }
        Ok(roots)
    }

    /// Items of a domain under a column path (empty path: the whole domain).
    /// The scope's own region comes first, then the levels above it.
    pub fn items_in(
        &self,
        scope: &RegionScope,
        domain: Domain,
        path: &[String],
    ) -> Result<Vec<ItemSummary>, StoreError> {
        let mut sql = String::from(
            "SELECT i.item_key, i.name, r.name, r.level, i.updated, i.updated_stated
             FROM catalog_item i JOIN region r ON r.code = i.region_code
             WHERE i.domain_code = ?1",
        );
        let mut params: Vec<String> = vec![domain.code().to_string()];
        for (n, col) in path.iter().take(3).enumerate() {
            params.push(col.clone());
            sql.push_str(&format!(" AND i.column{} = ?{}", n + 1, params.len()));
        }
        sql.push_str(&format!(
            " AND i.region_code IN ({}) ORDER BY length(i.region_code) DESC, i.id",
            scope.placeholders(params.len() + 1)
        ));
        params.extend(scope.params().map(str::to_string));
        let mut stmt = self.conn().prepare(&sql)?;
        let rows = stmt.query_map(params_from_iter(params), |r| {
            Ok(ItemSummary {
                key: ItemKey(r.get(0)?),
                name: r.get(1)?,
                region_name: r.get(2)?,
                region_level: level(r, 3)?,
                updated: date(r, 4)?,
                updated_stated: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One item with every standard element; `None` when it no longer exists.
    pub fn item(&self, key: &ItemKey) -> Result<Option<ItemDetail>, StoreError> {
        let sql = format!("SELECT {ITEM_COLUMNS} FROM catalog_item WHERE item_key = ?1");
        let Some(item) = self
            .conn()
            .query_row(&sql, [key.as_str()], item_from_row)
            .optional()?
        else {
            return Ok(None);
        };
        let region = self
            .region(&item.region)?
            .ok_or_else(|| StoreError::Corrupt(format!("地区 {} 不存在", item.region)))?;
        Ok(Some(ItemDetail { item, region }))
    }

    /// Every catalog column name, then every title, for the keyboard's
    /// vocabulary, given to `f` one at a time (a 100k-item catalog's titles
    /// are never all in memory) until it returns false.
    pub fn each_title(&self, mut f: impl FnMut(&str) -> bool) -> Result<(), StoreError> {
        // Columns and titles of one version of the content.
        let tx = self.conn().unchecked_transaction()?;
        let mut more = true;
        {
            let mut stmt = tx.prepare(
                "SELECT * FROM (SELECT DISTINCT column1 FROM catalog_item)
                 UNION ALL SELECT * FROM (SELECT DISTINCT column2 FROM catalog_item
                                          WHERE column2 IS NOT NULL)",
            )?;
            let mut rows = stmt.query([])?;
            while more && let Some(r) = rows.next()? {
                let text = r.get_ref(0)?.as_str().map_err(|e| {
                    rusqlite::Error::FromSqlConversionFailure(
                        0,
                        rusqlite::types::Type::Text,
                        e.into(),
                    )
                })?;
                more = f(text);
            }
        }
        if more {
            crate::search::index::for_each_title(&tx, |_, _, title| {
                if f(title) {
                    std::ops::ControlFlow::Continue(())
                } else {
                    std::ops::ControlFlow::Break(())
                }
            })?;
        }
        tx.commit()?;
        Ok(())
    }

    /// All items, in insertion order (for exports and tests).
    pub fn all_items(&self) -> Result<Vec<CatalogItem>, StoreError> {
        let sql = format!("SELECT {ITEM_COLUMNS} FROM catalog_item ORDER BY id");
        let mut stmt = self.conn().prepare(&sql)?;
        let rows = stmt.query_map([], item_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A document with its attachments and linked 政策解读.
    pub fn document(&self, key: &DocumentKey) -> Result<Option<DocumentView>, StoreError> {
        let sql = format!("SELECT {DOC_COLUMNS} FROM document WHERE doc_key = ?1");
        let found = self
            .conn()
            .query_row(&sql, [key.as_str()], |r| {
                let status: String = r.get(10)?;
                Ok((
                    r.get::<_, i64>(0)?,
                    Document {
                        key: DocumentKey(r.get(1)?),
                        region: region_code(r, 2)?,
                        domain: domain(r, 3)?,
                        title: r.get(4)?,
                        doc_no: r.get(5)?,
                        issuer: r.get(6)?,
                        issued: date(r, 7)?,
                        effective_from: opt_date(r, 8)?,
                        effective_until: opt_date(r, 9)?,
                        status: EffectStatus::from_db_name(&status)
                            .ok_or_else(|| bad(10, "status"))?,
                        body: r.get(11)?,
                        attachments: Vec::new(),
                    },
                ))
            })
            .optional()?;
        let Some((id, mut document)) = found else {
            return Ok(None);
        };
        let mut stmt = self.conn().prepare(
            "SELECT file_name, sha256, size FROM attachment WHERE document_id = ?1
             ORDER BY position",
        )?;
        document.attachments = stmt
            .query_map([id], |r| {
                Ok(Attachment {
                    file_name: r.get(0)?,
                    sha256: r.get(1)?,
                    size: r.get::<_, i64>(2)? as u64,
                })
            })?
            .collect::<Result<_, _>>()?;
        let mut stmt = self.conn().prepare(&format!(
            "SELECT {INTERP_COLUMNS}
                 FROM interpretation i JOIN document d ON d.id = i.document_id
                 WHERE i.document_id = ?1 ORDER BY i.published, i.id"
        ))?;
        let interpretations = stmt
            .query_map([id], interpretation_from_row)?
            .collect::<Result<_, _>>()?;
        let region = self
            .region(&document.region)?
            .ok_or_else(|| StoreError::Corrupt(format!("地区 {} 不存在", document.region)))?;
        Ok(Some(DocumentView {
            document,
            region,
            interpretations,
        }))
    }

    /// The bytes of an attachment by its hash.
    pub fn attachment_bytes(&self, sha256: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .conn()
            .query_row("SELECT bytes FROM blob WHERE sha256 = ?1", [sha256], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// One 政策解读 by key.
    pub fn interpretation(&self, key: &DocumentKey) -> Result<Option<Interpretation>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                &format!(
                    "SELECT {INTERP_COLUMNS}
                     FROM interpretation i JOIN document d ON d.id = i.document_id
                     WHERE i.interp_key = ?1"
                ),
                [key.as_str()],
                interpretation_from_row,
            )
            .optional()?)
    }

    /// Documents the scope sees, newest first, optionally of one domain.
    pub fn documents(
        &self,
        scope: &RegionScope,
        domain: Option<Domain>,
    ) -> Result<Vec<DocumentSummary>, StoreError> {
        let sql = format!(
            "SELECT d.doc_key, d.title, d.doc_no, d.issued, d.status, r.level
             FROM document d JOIN region r ON r.code = d.region_code
             WHERE (?1 IS NULL OR d.domain_code = ?1) AND d.region_code IN ({})
             ORDER BY d.issued DESC, d.id",
            scope.placeholders(2)
        );
        let mut stmt = self.conn().prepare(&sql)?;
        let mut params: Vec<Option<String>> = vec![domain.map(|d| d.code().to_string())];
        params.extend(scope.params().map(|s| Some(s.to_string())));
        let rows = stmt.query_map(params_from_iter(params), |r| {
            let status: String = r.get(4)?;
            Ok(DocumentSummary {
                key: DocumentKey(r.get(0)?),
                title: r.get(1)?,
                doc_no: r.get(2)?,
                issued: date(r, 3)?,
                status: EffectStatus::from_db_name(&status).ok_or_else(|| bad(4, "status"))?,
                region_level: level(r, 5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// 政策解读 the scope sees, newest first, each with its document's
    /// 效力状态.
    pub fn interpretations(
        &self,
        scope: &RegionScope,
        limit: usize,
    ) -> Result<Vec<InterpretationEntry>, StoreError> {
        let sql = format!(
            "SELECT {INTERP_COLUMNS}, d.status
             FROM interpretation i JOIN document d ON d.id = i.document_id
             WHERE i.region_code IN ({}) ORDER BY i.published DESC, i.id LIMIT ?1",
            scope.placeholders(2)
        );
        let mut stmt = self.conn().prepare(&sql)?;
        let mut params = vec![limit.min(i64::MAX as usize).to_string()];
        params.extend(scope.params().map(str::to_string));
        let rows = stmt.query_map(params_from_iter(params), |r| {
            let status: String = r.get(8)?;
            Ok(InterpretationEntry {
                interpretation: interpretation_from_row(r)?,
                document_status: EffectStatus::from_db_name(&status)
                    .ok_or_else(|| bad(8, "status"))?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// 效力状态 of a document (`kind` document) or of the document an
    /// interpretation explains; `None` for other kinds and unknown keys.
    pub fn effect_status(
        &self,
        kind: RecordKind,
        key: &str,
    ) -> Result<Option<EffectStatus>, StoreError> {
        let sql = match kind {
            RecordKind::Document => "SELECT status FROM document WHERE doc_key = ?1",
            RecordKind::Interpretation => {
                "SELECT d.status FROM interpretation i JOIN document d ON d.id = i.document_id
                 WHERE i.interp_key = ?1"
            }
            _ => return Ok(None),
        };
        let status: Option<String> = self
            .conn()
            .prepare_cached(sql)?
            .query_row([key], |r| r.get(0))
            .optional()?;
        match status {
            None => Ok(None),
            Some(s) => EffectStatus::from_db_name(&s)
                .map(Some)
                .ok_or_else(|| StoreError::Corrupt(format!("效力状态“{s}”无法识别"))),
        }
    }

    /// Service guides the scope sees, by name.
    pub fn guides(&self, scope: &RegionScope) -> Result<Vec<ServiceGuide>, StoreError> {
        let sql = format!(
            "SELECT guide_key, region_code, domain_code, name, agency, place, hours, phone,
                time_limit, fee, body
             FROM service_guide WHERE region_code IN ({}) ORDER BY domain_code, id",
            scope.placeholders(1)
        );
        let mut stmt = self.conn().prepare(&sql)?;
        let rows = stmt.query_map(params_from_iter(scope.params()), guide_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn guide(&self, key: &DocumentKey) -> Result<Option<ServiceGuide>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT guide_key, region_code, domain_code, name, agency, place, hours, phone,
                    time_limit, fee, body
                 FROM service_guide WHERE guide_key = ?1",
                [key.as_str()],
                guide_from_row,
            )
            .optional()?)
    }

    /// Notices in force on `today`: announcements and open-day notices, and
    /// consultations whose closing date has not passed. Newest first.
    pub fn notices_in_force(
        &self,
        scope: &RegionScope,
        today: Date,
    ) -> Result<Vec<Notice>, StoreError> {
        let sql = format!(
            "SELECT notice_key, region_code, kind, title, issuer, published, closes,
                domain_code, body
             FROM notice
             WHERE region_code IN ({}) AND published <= ?1 AND (closes IS NULL OR closes >= ?1)
             ORDER BY published DESC, id",
            scope.placeholders(2)
        );
        let mut stmt = self.conn().prepare(&sql)?;
        let mut params = vec![today.to_string()];
        params.extend(scope.params().map(str::to_string));
        let rows = stmt.query_map(params_from_iter(params), notice_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn notice(&self, key: &DocumentKey) -> Result<Option<Notice>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT notice_key, region_code, kind, title, issuer, published, closes,
                    domain_code, body
                 FROM notice WHERE notice_key = ?1",
                [key.as_str()],
                notice_from_row,
            )
            .optional()?)
    }

    /// 最新更新: the most recent documents, interpretations and notices the
    /// scope sees, newest first. Catalog items are left out: most sheets carry
    /// no update date, so their date is the import's, and they would crowd
    /// out the publications people come to read.
    pub fn latest_updates(
        &self,
        scope: &RegionScope,
        limit: usize,
    ) -> Result<Vec<UpdateEntry>, StoreError> {
        let p = scope.placeholders(2);
        let sql = format!(
            "SELECT kind, k, title, d, status FROM (
                SELECT 'document' AS kind, doc_key AS k, title, issued AS d, id, status
                  FROM document WHERE region_code IN ({p})
                UNION ALL
                SELECT 'interpretation', i.interp_key, i.title, i.published, i.id, d.status
                  FROM interpretation i JOIN document d ON d.id = i.document_id
                  WHERE i.region_code IN ({p})
                UNION ALL
                SELECT 'notice', notice_key, title, published, id, NULL
                  FROM notice WHERE region_code IN ({p})
             ) ORDER BY d DESC, kind, id DESC LIMIT ?1"
        );
        let mut stmt = self.conn().prepare(&sql)?;
        let mut params = vec![limit.min(i64::MAX as usize).to_string()];
        params.extend(scope.params().map(str::to_string));
        let rows = stmt.query_map(params_from_iter(params), |r| {
            let kind: String = r.get(0)?;
            Ok(UpdateEntry {
                kind: RecordKind::from_db_name(&kind).ok_or_else(|| bad(0, "kind"))?,
                key: r.get(1)?,
                title: r.get(2)?,
                date: date(r, 3)?,
                status: match r.get::<_, Option<String>>(4)? {
                    None => None,
                    Some(s) => {
                        Some(EffectStatus::from_db_name(&s).ok_or_else(|| bad(4, "status"))?)
                    }
                },
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

fn insert_path(nodes: &mut Vec<ColumnNode>, path: &[String]) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    let idx = match nodes.iter().position(|n| &n.name == first) {
        Some(i) => i,
        None => {
            nodes.push(ColumnNode {
                name: first.clone(),
                item_count: 0,
                children: Vec::new(),
            });
            nodes.len() - 1
        }
    };
    nodes[idx].item_count += 1;
    insert_path(&mut nodes[idx].children, rest);
}
