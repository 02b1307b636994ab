//! Offline Mandarin read-aloud for the kiosk.
//!
//! Text goes through three steps, each usable alone:
//!
//! 1. [`spoken_text`] ([`normalise`]): what is said, as hanzi — numbers,
//!    amounts, dates, 文号, phone, ID and receipt numbers, Latin letters
//!    and punctuation written out as they are read aloud
//!    (`云政办〔2026〕9号` → `云政办二零二六年九号`).
//! 2. [`pinyin_of`] ([`mod@pinyin`]): that text as tone-numbered pinyin
//!    (`yun2 zheng4 ban4 …`), polyphones resolved by the word table
//!    `data/polyphones.txt`, 一 and 不 sandhi applied.
//! 3. [`synthesize`] ([`engine`]): espeak-ng's `cmn-latn-pinyin` voice
//!    (libespeak-ng, GPL-3.0) speaks the pinyin into 16-bit samples, which
//!    [`to_wav`] writes as a WAV file and a [`Speaker`] plays through ALSA.
//!
//! # Reading aloud from the UI
//!
//! ```ignore
//! let speaker = speech::Speaker::new(speech::SpeechConfig::default())?;
//! speaker.read(paragraphs, move |p| match p {
//!     speech::Progress::Speaking { paragraph } => { /* highlight it */ }
//!     speech::Progress::Finished | speech::Progress::Stopped => { /* done */ }
//!     speech::Progress::Failed(e) => tracing::warn!("{e}"),
//! });
//! speaker.pause();
//! speaker.resume();
//! speaker.stop();
//! ```
//!
//! - Nothing blocks the caller: [`Speaker::read`], [`Speaker::pause`],
//!   [`Speaker::resume`] and [`Speaker::stop`] only change shared state;
//!   a worker thread synthesises and plays.
//! - The callback runs on the worker thread (post to the UI thread from
//!   it, e.g. with `slint::invoke_from_event_loop`). For each `read` it is
//!   called with `Speaking { paragraph }` as each paragraph's first sound
//!   goes to the device (empty paragraphs are skipped), then exactly once
//!   with `Finished`, `Stopped` or `Failed`.
//! - A new `read` stops the one before it (which gets `Stopped`).
//!   `stop()` silences the device within one ALSA period (20 ms) plus the
//!   worker's reaction (measured in `tests/engine.rs`).
//! - Tap to first sound: `read` to the first sample at the output takes
//!   about 1 ms on the development machine (`cargo bench -p speech
//!   --bench latency`; synthesis runs some 400× faster than real time),
//!   then ALSA's first 20 ms period and up to 40 ms of espeak-ng's leading
//!   silence.
//! - No sound device (or a wrong `device`): the read ends with
//!   `Failed(SpeechError::Audio { .. })`, a Chinese message to show or
//!   log; nothing panics or hangs. [`check_output`] asks the same
//!   question up front.

pub mod engine;
mod ffi;
pub mod normalise;
pub mod pinyin;
pub mod playback;
pub mod wav;

use std::path::{Path, PathBuf};

pub use engine::{Progress, Speaker, synthesize};
pub use playback::{AudioOutput, MemoryOutput, check_output};
pub use wav::Pcm;

/// What is said, as hanzi (see [`normalise`]).
pub fn spoken_text(text: &str) -> String {
    normalise::spoken_text(text)
}

/// What espeak-ng is given for `text`: [`spoken_text`] as tone-numbered
/// pinyin, syllables separated by spaces, pauses as `,` `.` `?`.
pub fn pinyin_of(text: &str) -> String {
    pinyin::to_pinyin(&normalise::spoken_text(text))
}

/// Speaks `text` with the default settings into a WAV file at `path`;
/// returns how long the speech lasts.
pub fn to_wav(text: &str, path: &Path) -> Result<std::time::Duration, SpeechError> {
    let pcm = synthesize(text, &SpeechConfig::default())?;
    pcm.write_wav(path)?;
    Ok(pcm.duration())
}

/// The espeak-ng voice that reads tone-numbered pinyin.
pub const PINYIN_VOICE: &str = "cmn-latn-pinyin";

/// Settings of the voice and the output (`[speech]` in `kiosk.toml`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpeechConfig {
    /// 0 (silent) to 100 (espeak-ng's full level), a linear gain.
    pub volume: u8,
    /// espeak-ng's rate in words per minute, 80–450; each pinyin syllable
    /// counts as a word (175, the default, is about 3 syllables a second
    /// with pauses).
    pub rate: u16,
    /// The espeak-ng voice; it must read tone-numbered pinyin.
    pub voice: String,
    /// The ALSA playback device (`default`, `plughw:0,0`, …).
    pub device: String,
}

impl SpeechConfig {
    pub const VOLUME_MAX: u8 = 100;
    pub const RATE_MIN: u16 = 80;
    pub const RATE_MAX: u16 = 450;
}

impl Default for SpeechConfig {
    fn default() -> Self {
        SpeechConfig {
            volume: 80,
            rate: 175,
            voice: PINYIN_VOICE.to_string(),
            device: "default".to_string(),
        }
    }
}

/// Why speech could not be made or played; the messages are for hall
/// staff and technicians.
#[derive(Debug, thiserror::Error)]
pub enum SpeechError {
    #[error("语音引擎 espeak-ng 无法初始化（请安装 espeak-ng-data）")]
    EngineUnavailable,
    #[error("没有语音“{0}”（请安装 espeak-ng-data）")]
    VoiceNotFound(String),
    #[error("语音参数无效：{0}")]
    BadSetting(String),
    #[error("语音合成失败（espeak-ng 错误 {0}）")]
    SynthesisFailed(i32),
    #[error("无法打开音频设备 {device}：{message}")]
    NoAudioDevice { device: String, message: String },
    #[error("音频设备 {device} 播放出错：{message}")]
    Audio { device: String, message: String },
    #[error("无法写入或读取 {path}：{source}")]
    File {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} 不是可用的 WAV 文件：{message}")]
    BadWav { path: PathBuf, message: String },
    #[error("朗读线程已停止")]
    WorkerGone,
}
