//! A complete, validated set of content: what an import produces and what
//! the store holds for one feed version.

use std::collections::BTreeMap;

use crate::{CatalogItem, Document, Interpretation, Notice, Region, ServiceGuide};

/// Everything a terminal shows. Built by [`crate::import`] and by
/// [`crate::synth`]; written to `content.db` in one transaction.
#[derive(Debug, Clone, Default)]
pub struct ContentBundle {
    pub regions: Vec<Region>,
    pub items: Vec<CatalogItem>,
    pub documents: Vec<Document>,
    pub interpretations: Vec<Interpretation>,
    pub guides: Vec<ServiceGuide>,
    pub notices: Vec<Notice>,
    /// Attachment bytes by lower-case hex SHA-256.
    pub blobs: BTreeMap<String, Vec<u8>>,
}

impl ContentBundle {
    /// Appends another bundle (e.g. one region's folder) to this one.
    pub fn extend(&mut self, other: ContentBundle) {
        self.regions.extend(other.regions);
        self.items.extend(other.items);
        self.documents.extend(other.documents);
        self.interpretations.extend(other.interpretations);
        self.guides.extend(other.guides);
        self.notices.extend(other.notices);
        self.blobs.extend(other.blobs);
    }
}
