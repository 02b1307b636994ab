//! Synthesis ([`synthesize`]: text → samples) and the [`Speaker`], which
//! reads paragraphs aloud on worker threads.
//!
//! A `Speaker` owns one player thread. Each [`Speaker::read`] is a job:
//! the player opens the output, starts a synthesis thread for the job
//! and plays what it sends. Synthesis runs sentence by sentence, faster
//! than real time, at most [`AHEAD_SECS`] ahead of what has been played;
//! within a sentence the samples go to the player as espeak-ng produces
//! them (40 ms buffers), so the first sound does not wait for the whole
//! sentence. Control (`pause`, `resume`, `stop`, a new `read`, drop) is
//! a job number and a pause flag under one mutex with a condition
//! variable; the player looks at them between writes of at most
//! [`SLICE_MS`] of samples, the synthesis thread in every buffer.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::ffi::{self, EspeakFailure, SynthRequest};
use crate::playback::{AlsaOutput, AudioOutput};
use crate::wav::Pcm;
use crate::{SpeechConfig, SpeechError, normalise, pinyin};

/// How far synthesis may run ahead of playback, in seconds of audio.
pub const AHEAD_SECS: usize = 10;
/// The most audio the player writes before looking at the controls again.
pub const SLICE_MS: usize = 20;

/// Where a [`Speaker::read`] has got to.
#[derive(Debug)]
pub enum Progress {
    /// This paragraph (index into the `read`'s paragraphs) has begun
    /// sounding.
    Speaking { paragraph: usize },
    /// Every paragraph has been played.
    Finished,
    /// `stop()`, a newer `read` or dropping the speaker ended this one.
    Stopped,
    /// Synthesis or playback failed; nothing more is played.
    Failed(SpeechError),
}

impl From<EspeakFailure> for SpeechError {
    fn from(f: EspeakFailure) -> Self {
        match f {
            EspeakFailure::Initialise => SpeechError::EngineUnavailable,
            EspeakFailure::Voice => SpeechError::VoiceNotFound(String::new()),
            EspeakFailure::Parameter => SpeechError::BadSetting("espeak-ng 拒绝了语速".into()),
            EspeakFailure::Synth(code) => SpeechError::SynthesisFailed(code),
            EspeakFailure::Nul => SpeechError::BadSetting("文本含有 NUL 字符".into()),
        }
    }
}

fn espeak_error(f: EspeakFailure, config: &SpeechConfig) -> SpeechError {
    match f {
        EspeakFailure::Voice => SpeechError::VoiceNotFound(config.voice.clone()),
        other => other.into(),
    }
}

/// Checks the settings' ranges.
fn check_config(config: &SpeechConfig) -> Result<(), SpeechError> {
    if config.volume > SpeechConfig::VOLUME_MAX {
        return Err(SpeechError::BadSetting(format!(
            "音量 {} 超出范围，应在 0 到 100 之间",
            config.volume
        )));
    }
    if !(SpeechConfig::RATE_MIN..=SpeechConfig::RATE_MAX).contains(&config.rate) {
        return Err(SpeechError::BadSetting(format!(
            "语速 {} 超出范围，应在 80 到 450 之间",
            config.rate
        )));
    }
    Ok(())
}

/// Multiplies samples by `volume`/100.
fn apply_gain(samples: &[i16], volume: u8) -> Vec<i16> {
    let v = i32::from(volume.min(100));
    samples
        .iter()
        .map(|&s| ((i32::from(s) * v) / 100) as i16)
        .collect()
}

/// Synthesises tone-numbered pinyin, handing gained samples to `sink`;
/// `sink` returns `true` to abort. `Ok(false)`: aborted.
fn synthesize_pinyin(
    pinyin: &str,
    config: &SpeechConfig,
    mut sink: impl FnMut(Vec<i16>) -> bool,
) -> Result<bool, SpeechError> {
    if pinyin.trim().is_empty() {
        return Ok(true);
    }
    let request = SynthRequest {
        voice: &config.voice,
        rate: config.rate,
        text: pinyin,
    };
    let volume = config.volume;
    ffi::synthesize(&request, Box::new(move |s| sink(apply_gain(s, volume))))
        .map_err(|f| espeak_error(f, config))
}

/// The sample rate of the engine's output (22050 Hz).
pub fn sample_rate() -> Result<u32, SpeechError> {
    Ok(ffi::sample_rate()?)
}

/// Speaks `text` (any text: it is normalised and turned into pinyin
/// first) into samples.
pub fn synthesize(text: &str, config: &SpeechConfig) -> Result<Pcm, SpeechError> {
    check_config(config)?;
    let sample_rate = sample_rate()?;
    let pinyin = crate::pinyin_of(text);
    let mut samples = Vec::new();
    synthesize_pinyin(&pinyin, config, |s| {
        samples.extend_from_slice(&s);
        false
    })?;
    Ok(Pcm {
        sample_rate,
        samples,
    })
}

/// Splits pinyin after sentence ends (`.`, `?`), keeping the marks.
fn sentences(pinyin: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in pinyin.char_indices() {
        if c == '.' || c == '?' {
            let end = i + c.len_utf8();
            if !pinyin[start..end].trim().is_empty() {
                out.push(pinyin[start..end].trim());
            }
            start = end;
        }
    }
    if !pinyin[start..].trim().is_empty() {
        out.push(pinyin[start..].trim());
    }
    out
}

/// Opens the output for one job.
pub type OutputOpener =
    Box<dyn Fn(&SpeechConfig, u32) -> Result<Box<dyn AudioOutput>, SpeechError> + Send>;

type ProgressFn = Box<dyn Fn(Progress) + Send>;

struct Job {
    id: u64,
    paragraphs: Vec<String>,
    on_progress: ProgressFn,
}

#[derive(Debug, Default)]
struct Control {
    /// The job that may play; anything older stops.
    current: u64,
    paused: bool,
    shutdown: bool,
}

#[derive(Default)]
struct Shared {
    control: Mutex<Control>,
    changed: Condvar,
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, Control> {
        self.control.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn is_current(&self, id: u64) -> bool {
        let c = self.lock();
        c.current == id && !c.shutdown
    }
}

/// Reads paragraphs aloud on a worker thread; see the crate's
/// documentation for the contract.
pub struct Speaker {
    shared: Arc<Shared>,
    jobs: Option<mpsc::Sender<Job>>,
    player: Option<JoinHandle<()>>,
    config: SpeechConfig,
}

impl Speaker {
    /// A speaker playing through ALSA on `config.device`. Fails when the
    /// settings are out of range or espeak-ng or its voice is missing;
    /// the sound device is only opened by each `read` (it may come and
    /// go), so a missing device is reported there.
    pub fn new(config: SpeechConfig) -> Result<Speaker, SpeechError> {
        Speaker::with_output(
            config,
            Box::new(|config, rate| {
                AlsaOutput::open(&config.device, rate).map(|o| Box::new(o) as Box<dyn AudioOutput>)
            }),
        )
    }

    /// A speaker playing into outputs from `open` (tests use
    /// [`MemoryOutput`](crate::MemoryOutput)).
    pub fn with_output(config: SpeechConfig, open: OutputOpener) -> Result<Speaker, SpeechError> {
        check_config(&config)?;
        // Loads espeak-ng and the voice now, so that a missing one is an
        // error here rather than at the first tap.
        synthesize_pinyin("a1", &config, |_| true)?;
        let sample_rate = sample_rate()?;
        let shared = Arc::new(Shared::default());
        let (tx, rx) = mpsc::channel::<Job>();
        let player = {
            let shared = shared.clone();
            let config = config.clone();
            std::thread::Builder::new()
                .name("speech-player".into())
                .spawn(move || {
                    for job in rx {
                        run_job(&shared, &config, sample_rate, &open, job);
                    }
                })
                .map_err(|_| SpeechError::WorkerGone)?
        };
        Ok(Speaker {
            shared,
            jobs: Some(tx),
            player: Some(player),
            config,
        })
    }

    /// The settings this speaker was made with.
    pub fn config(&self) -> &SpeechConfig {
        &self.config
    }

    /// Reads `paragraphs` aloud, one after another, stopping whatever was
    /// being read. Returns at once; `on_progress` is called on the worker
    /// thread.
    pub fn read(&self, paragraphs: Vec<String>, on_progress: impl Fn(Progress) + Send + 'static) {
        let id = {
            let mut c = self.shared.lock();
            c.current += 1;
            c.paused = false;
            c.current
        };
        self.shared.changed.notify_all();
        let job = Job {
            id,
            paragraphs,
            on_progress: Box::new(on_progress),
        };
        let sent = self.jobs.as_ref().map(|tx| tx.send(job));
        if let Some(Err(mpsc::SendError(job))) = sent {
            (job.on_progress)(Progress::Failed(SpeechError::WorkerGone));
        }
    }

    /// Holds the reading where it is (the device stops within a period).
    pub fn pause(&self) {
        self.shared.lock().paused = true;
        self.shared.changed.notify_all();
    }

    /// Goes on from where `pause` held it.
    pub fn resume(&self) {
        self.shared.lock().paused = false;
        self.shared.changed.notify_all();
    }

    /// Stops the reading; its callback gets `Stopped`.
    pub fn stop(&self) {
        let mut c = self.shared.lock();
        c.current += 1;
        c.paused = false;
        drop(c);
        self.shared.changed.notify_all();
    }

    /// Whether a read is paused.
    pub fn is_paused(&self) -> bool {
        self.shared.lock().paused
    }
}

impl Drop for Speaker {
    fn drop(&mut self) {
        {
            let mut c = self.shared.lock();
            c.shutdown = true;
            c.current += 1;
        }
        self.shared.changed.notify_all();
        self.jobs.take();
        if let Some(p) = self.player.take() {
            let _ = p.join();
        }
    }
}

/// What the synthesis thread sends the player.
enum Chunk {
    Samples { paragraph: usize, samples: Vec<i16> },
    Failed(SpeechError),
}

/// Plays one job to its end; calls `on_progress` with its terminal event.
fn run_job(
    shared: &Shared,
    config: &SpeechConfig,
    sample_rate: u32,
    open: &OutputOpener,
    job: Job,
) {
    let Job {
        id,
        paragraphs,
        on_progress,
    } = job;
    if !shared.is_current(id) {
        on_progress(Progress::Stopped);
        return;
    }
    let mut output = match open(config, sample_rate) {
        Ok(o) => o,
        Err(e) => {
            tracing::warn!(error = %e, "read-aloud has no output");
            on_progress(Progress::Failed(e));
            return;
        }
    };
    let state = JobState {
        shared,
        id,
        queued: AtomicUsize::new(0),
        player_done: AtomicBool::new(false),
    };
    let limit = AHEAD_SECS * sample_rate as usize;
    let (tx, rx) = mpsc::channel::<Chunk>();
    let end = std::thread::scope(|scope| {
        let state = &state;
        let paragraphs = &paragraphs;
        let synth = std::thread::Builder::new()
            .name("speech-synth".into())
            .spawn_scoped(scope, move || {
                synthesize_job(state, config, paragraphs, limit, tx)
            });
        if let Err(e) = synth {
            tracing::error!(error = %e, "cannot start the synthesis thread");
            return Progress::Failed(SpeechError::WorkerGone);
        }
        let end = play_job(state, sample_rate, output.as_mut(), &rx, &on_progress);
        // Leaving the scope joins the synthesis thread, which stops at
        // its next buffer once the job is no longer live.
        state.player_done.store(true, Ordering::Release);
        end
    });
    match &end {
        Progress::Stopped | Progress::Failed(_) => output.discard(),
        _ => {}
    }
    on_progress(end);
}

/// One job as both its threads see it.
struct JobState<'a> {
    shared: &'a Shared,
    id: u64,
    /// Samples sent to the player and not yet written to the output.
    queued: AtomicUsize,
    /// The player has stopped taking samples (finished, stopped, failed).
    player_done: AtomicBool,
}

impl JobState<'_> {
    /// Whether synthesis should go on.
    fn live(&self) -> bool {
        !self.player_done.load(Ordering::Acquire) && self.shared.is_current(self.id)
    }
}

fn synthesize_job(
    state: &JobState<'_>,
    config: &SpeechConfig,
    paragraphs: &[String],
    limit: usize,
    tx: mpsc::Sender<Chunk>,
) {
    for (paragraph, text) in paragraphs.iter().enumerate() {
        let pinyin = pinyin::to_pinyin(&normalise::spoken_text(text));
        for sentence in sentences(&pinyin) {
            // Wait (outside espeak-ng's lock) while far enough ahead.
            loop {
                if !state.live() {
                    return;
                }
                if state.queued.load(Ordering::Acquire) < limit {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let result = synthesize_pinyin(sentence, config, |samples| {
                if !state.live() {
                    return true;
                }
                state.queued.fetch_add(samples.len(), Ordering::AcqRel);
                tx.send(Chunk::Samples { paragraph, samples }).is_err()
            });
            match result {
                Ok(true) => {}
                Ok(false) => return,
                Err(e) => {
                    let _ = tx.send(Chunk::Failed(e));
                    return;
                }
            }
        }
    }
}

/// What the player does after looking at the controls.
enum Go {
    On,
    Stop,
}

/// Waits out a pause; `Stop` when the job is no longer current.
fn wait_while_paused(shared: &Shared, id: u64, output: &mut dyn AudioOutput) -> Go {
    let mut c = shared.lock();
    if c.current != id || c.shutdown {
        return Go::Stop;
    }
    if !c.paused {
        return Go::On;
    }
    drop(c);
    output.pause();
    c = shared.lock();
    while c.paused && c.current == id && !c.shutdown {
        c = shared.changed.wait(c).unwrap_or_else(|e| e.into_inner());
    }
    let go = if c.current == id && !c.shutdown {
        Go::On
    } else {
        Go::Stop
    };
    drop(c);
    if let Go::On = go {
        output.resume();
    }
    go
}

fn play_job(
    state: &JobState<'_>,
    sample_rate: u32,
    output: &mut dyn AudioOutput,
    rx: &mpsc::Receiver<Chunk>,
    on_progress: &ProgressFn,
) -> Progress {
    let (shared, id) = (state.shared, state.id);
    let slice = (sample_rate as usize * SLICE_MS / 1000).max(1);
    let mut announced = None;
    loop {
        if let Go::Stop = wait_while_paused(shared, id, output) {
            return Progress::Stopped;
        }
        let chunk = match rx.recv_timeout(Duration::from_millis(SLICE_MS as u64)) {
            Ok(c) => c,
            Err(mpsc::RecvTimeoutError::Timeout) => continue,
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        };
        let (paragraph, samples) = match chunk {
            Chunk::Samples { paragraph, samples } => (paragraph, samples),
            Chunk::Failed(e) => return Progress::Failed(e),
        };
        for part in samples.chunks(slice) {
            if let Go::Stop = wait_while_paused(shared, id, output) {
                return Progress::Stopped;
            }
            if announced != Some(paragraph) {
                announced = Some(paragraph);
                on_progress(Progress::Speaking { paragraph });
            }
            if let Err(e) = output.write(part) {
                return Progress::Failed(e);
            }
            state.queued.fetch_sub(part.len(), Ordering::AcqRel);
        }
    }
    if !shared.is_current(id) {
        return Progress::Stopped;
    }
    match output.drain() {
        Ok(()) => Progress::Finished,
        Err(e) => Progress::Failed(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_split_after_full_stops_and_questions() {
        assert_eq!(
            sentences("ni3 hao3. shi4 ma5? hao3, de5"),
            vec!["ni3 hao3.", "shi4 ma5?", "hao3, de5"]
        );
        assert!(sentences(" . ").iter().all(|s| *s == "."));
        assert!(sentences("").is_empty());
    }

    #[test]
    fn gain_scales_linearly() {
        assert_eq!(
            apply_gain(&[1000, -1000, i16::MAX], 50),
            vec![500, -500, 16383]
        );
        assert_eq!(apply_gain(&[1000], 0), vec![0]);
        assert_eq!(apply_gain(&[i16::MIN], 100), vec![i16::MIN]);
    }

    #[test]
    fn out_of_range_settings_are_refused() {
        let mut c = SpeechConfig {
            volume: 101,
            ..SpeechConfig::default()
        };
        assert!(matches!(check_config(&c), Err(SpeechError::BadSetting(_))));
        c.volume = 100;
        c.rate = 79;
        assert!(matches!(check_config(&c), Err(SpeechError::BadSetting(_))));
        c.rate = 450;
        assert!(check_config(&c).is_ok());
    }
}
