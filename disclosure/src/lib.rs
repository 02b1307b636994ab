//! The disclosure domain and the terminal's local content store (`content.db`).
//!
//! This crate knows nothing of Slint, tokio, HTTP or serial ports: it holds the
//! types of the 政务公开 catalog, the SQLite store the kiosk reads, the search
//! over it, and the importer that turns a county's spreadsheets and document
//! folders into a [`ContentBundle`].

pub mod body;
pub mod bundle;
pub mod calendar;
pub mod catalog;
pub mod date;
pub mod document;
pub mod domain;
pub mod feed;
pub mod identity;
pub mod import;
pub mod provisioning;
pub mod region;
pub mod requests;
pub mod search;
pub mod sqlite;
pub mod store;
pub mod synth;
pub mod technician;
pub mod timestamp;

pub use bundle::ContentBundle;
pub use catalog::{Audience, CatalogItem, DisclosureMode, ItemKey, PublishLevels};
pub use date::Date;
pub use document::{
    Attachment, Document, DocumentKey, EffectStatus, Interpretation, InterpretationForm, Notice,
    NoticeKind, ServiceGuide,
};
pub use domain::Domain;
pub use region::{Region, RegionCode, RegionLevel};
pub use store::{ContentStore, FeedDirError, FeedVersion, StoreError};
pub use timestamp::Timestamp;
