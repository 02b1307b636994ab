//! What every page controller reads: the configuration, the content store,
//! the hall's region and scope, the application desk, today's date, the
//! pinyin vocabulary and the 手写 recognizer. Read-mostly: only the desk,
//! the date and the recognizer (opened at the first stroke) change.

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
    /// 手写: the model, opened at the first stroke written and closed for
    /// the next person (its pages leave memory with it).
    recognizer: RefCell<Option<handwriting::Recognizer>>,
    /// Whether 手写 is offered: its model file was there at start (looked
    /// at once, not at every keystroke's fill).
    handwriting_available: bool,
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
            recognizer: RefCell::new(None),
            handwriting_available: config.handwriting_model.is_file(),
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

    /// The keyboard modes of a text as offered here: 手写 only where its
    /// model is installed.
    pub fn offered_modes(&self, modes: &[crate::KeyboardMode]) -> Vec<crate::KeyboardMode> {
        let hand = self.handwriting_available;
        modes
            .iter()
            .copied()
            .filter(|m| hand || *m != crate::KeyboardMode::Handwriting)
            .collect()
    }

    /// 手写: the guesses for `ink`, as the text's candidates: characters
    /// of this terminal's content first when searching (others find
    /// nothing), only GBK characters in names and other text (what the
    /// county's systems and the receipt printer take).
    pub fn handwriting_guesses(
        &self,
        ink: &handwriting::Ink,
        vocabulary: crate::composer::Vocabulary,
    ) -> Vec<String> {
        let mut slot = self.recognizer.borrow_mut();
        if slot.is_none() {
            match handwriting::Recognizer::open(&self.config.handwriting_model) {
                Ok(r) => *slot = Some(r),
                Err(e) => {
                    tracing::warn!("手写 unavailable: {e}");
                    return Vec::new();
                }
            }
        }
        let Some(r) = slot.as_ref() else {
            return Vec::new();
        };
        let guesses: Vec<handwriting::Guess> = r
            .recognize(ink, handwriting::GUESSES)
            .into_iter()
            .filter(|g| is_gbk(&g.text))
            .collect();
        let guesses = if vocabulary == crate::composer::Vocabulary::Content {
            self.with_vocabulary(|d| match d {
                Some(d) => handwriting::known_first(guesses, |t| d.knows(t)),
                None => guesses,
            })
        } else {
            guesses
        };
        guesses.into_iter().map(|g| g.text).collect()
    }

    /// Whether the 手写 model is open (mapped, about 25 MB resident).
    pub fn handwriting_open(&self) -> bool {
        self.recognizer.borrow().is_some()
    }

    /// Closes the 手写 model (home: the next person).
    pub fn close_handwriting(&self) {
        self.recognizer.borrow_mut().take();
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

/// Whether `text` can be written in GBK (names and text go to systems and
/// printers that take GBK).
fn is_gbk(text: &str) -> bool {
    let (_, _, unmappable) = encoding_rs::GBK.encode(text);
    !unmappable && !text.is_empty()
}
