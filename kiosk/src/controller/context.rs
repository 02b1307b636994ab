//! What every page controller reads: the configuration, the content store,
//! the hall's region and scope, the application desk, today's date and
//! the pinyin vocabulary. Read-mostly: only the desk and the date change.

use std::cell::{Cell, RefCell};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use disclosure::requests::routing::LinkedRecord;
use disclosure::requests::{ReceivingBody, receiving_body};
use disclosure::store::RegionScope;
use disclosure::{ContentStore, Date, Region, StoreError};

use crate::applications::{Desk, open_desk};
use crate::config::KioskConfig;
use crate::ime::{CandidateDictionary, VocabularyBuilder};

/// What the citizen sees when a page's data cannot be read.
pub const UNAVAILABLE: &str = "暂时无法显示，请稍后再试或联系工作人员";

/// The pinyin vocabulary, built on a thread from the store's titles.
type VocabularySlot = Arc<Mutex<Option<CandidateDictionary>>>;

pub struct Context {
    pub config: KioskConfig,
    pub store: ContentStore,
    /// The hall's region and those above it, as content is selected.
    pub scope: RegionScope,
    pub region: Region,
    /// "村 · 云岭县 石桥乡 石桥村".
    pub region_line: String,
    /// The hall's region and those above it, hall first (routing).
    pub region_chain: Vec<Region>,
    pub desk: RefCell<Desk>,
    today: Cell<Date>,
    vocabulary: VocabularySlot,
}

impl Context {
    /// The context of the hall in `config` over `store`.
    pub fn new(config: KioskConfig, store: ContentStore) -> anyhow::Result<Context> {
        let scope = RegionScope::of(&config.region);
        let region = store.region(&config.region)?.ok_or_else(|| {
            anyhow::anyhow!(
                "内容库中没有本厅所在地区 {}（hall.region）：请检查配置或等待同步完成",
                config.region
            )
        })?;
        let mut names = Vec::new();
        for code in scope.codes().iter().rev() {
            if let Some(r) = store.region(code)? {
                names.push(r.name);
            }
        }
        let region_line = format!("{} · {}", region.level.level_name(), names.join(" "));
        let mut region_chain = Vec::new();
        for code in config.region.with_ancestors() {
            if let Some(r) = store.region(&code)? {
                region_chain.push(r);
            }
        }
        let desk = open_desk(&config, store.path())?;
        Ok(Context {
            scope,
            region,
            region_line,
            region_chain,
            desk: RefCell::new(desk),
            today: Cell::new(Date::today_in_china()),
            vocabulary: Arc::new(Mutex::new(None)),
            config,
            store,
        })
    }

    pub fn today(&self) -> Date {
        self.today.get()
    }

    /// Reads the date again (the home page does, each time it is shown).
    pub fn refresh_today(&self) -> Date {
        self.today.set(Date::today_in_china());
        self.today.get()
    }

    /// Who receives an application made here about `linked` (Art 27).
    pub fn receiving_body(&self, linked: Option<LinkedRecord<'_>>) -> Option<ReceivingBody> {
        receiving_body(&self.region_chain, linked)
    }

    /// Runs `f` with the vocabulary, `None` while it is being built.
    pub fn with_vocabulary<R>(&self, f: impl FnOnce(Option<&CandidateDictionary>) -> R) -> R {
        let slot = self.vocabulary.lock().unwrap_or_else(|e| e.into_inner());
        f(slot.as_ref())
    }

    /// Builds the vocabulary from the store's titles on a thread: a large
    /// catalog must not delay the first frame.
    pub fn build_vocabulary(&self) {
        let slot = self.vocabulary.clone();
        *slot.lock().unwrap_or_else(|e| e.into_inner()) = None;
        let path = self.store.path().to_path_buf();
        std::thread::spawn(move || {
            let mut words = VocabularyBuilder::default();
            let read = (|| -> Result<(), StoreError> {
                ContentStore::open_read_only(&path)?.each_title(|t| words.add(t))
            })();
            match read {
                Ok(()) => {
                    let d = words.finish();
                    crate::ime::prepare_syllable_table();
                    tracing::info!(words = d.len(), "pinyin candidates ready");
                    *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(d);
                    crate::return_freed_memory();
                }
                Err(e) => tracing::warn!("pinyin candidates unavailable: {e}"),
            }
        });
    }

    /// Waits until the vocabulary is built (tests, screenshots).
    pub fn wait_for_vocabulary(&self, limit: Duration) -> bool {
        let start = Instant::now();
        while start.elapsed() < limit {
            if self.with_vocabulary(|d| d.is_some()) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        false
    }

    /// The QR code of `text`, or an empty image (which the UI shows as
    /// 二维码暂时无法生成) with the reason logged.
    pub fn qr(&self, text: &str) -> slint::Image {
        crate::qr::qr_image(text).unwrap_or_else(|| {
            tracing::warn!(
                chars = text.chars().count(),
                "QR code not made: the address is too long for a QR code"
            );
            slint::Image::default()
        })
    }
}
