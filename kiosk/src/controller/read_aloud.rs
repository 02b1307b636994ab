//! 朗读's state: the speaker (started on a thread so that loading
//! espeak-ng does not delay the first frame), the passages being read and
//! which one sounds now. The speaker's progress arrives on its worker
//! thread and waits in a channel until `App::poll` takes it on the UI
//! thread; each read has a number, so news of a read already stopped is
//! dropped.

use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::JoinHandle;

use speech::{Progress, Speaker, SpeechConfig, SpeechError};

use super::spoken::Passage;
use crate::ReadingState;

/// What the screen shows of the reading after a change.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadingView {
    pub state: ReadingState,
    pub block: i32,
    pub row: i32,
    /// Set when the read failed: a message for the citizen.
    pub error: Option<String>,
}

/// The message shown when speech could not be played.
pub const READING_FAILED: &str = "暂时无法朗读，请联系工作人员。";

pub struct ReadAloud {
    speaker: Option<Speaker>,
    /// The speaker being made; neither it nor `speaker`: no 朗读 button.
    starting: Option<JoinHandle<Result<Speaker, SpeechError>>>,
    tx: Sender<(u64, Progress)>,
    rx: Receiver<(u64, Progress)>,
    /// The number of the current read; news of others is dropped.
    read: u64,
    passages: Vec<Passage>,
    state: ReadingState,
    now: Option<usize>,
    error: Option<String>,
}

impl ReadAloud {
    /// Starts making a speaker with `config` on a thread.
    pub fn start(config: &SpeechConfig) -> ReadAloud {
        let config = config.clone();
        let starting = std::thread::Builder::new()
            .name("speech-start".into())
            .spawn(move || Speaker::new(config))
            .map_err(|e| tracing::error!("read-aloud not started: {e}"))
            .ok();
        ReadAloud::with(None, starting)
    }

    /// With `speaker` ready (tests and screenshots give one playing into
    /// memory), or none: no 朗读.
    pub fn with_speaker(speaker: Option<Speaker>) -> ReadAloud {
        ReadAloud::with(speaker, None)
    }

    fn with(
        speaker: Option<Speaker>,
        starting: Option<JoinHandle<Result<Speaker, SpeechError>>>,
    ) -> ReadAloud {
        let (tx, rx) = channel();
        ReadAloud {
            speaker,
            starting,
            tx,
            rx,
            read: 0,
            passages: Vec::new(),
            state: ReadingState::Idle,
            now: None,
            error: None,
        }
    }

    /// Takes the speaker from its thread once made; `block`: wait for it.
    fn settle(&mut self, block: bool) {
        if self
            .starting
            .as_ref()
            .is_some_and(|h| block || h.is_finished())
            && let Some(h) = self.starting.take()
        {
            match h.join() {
                Ok(Ok(s)) => self.speaker = Some(s),
                Ok(Err(e)) => {
                    tracing::error!("read-aloud unavailable: {e}");
                }
                Err(_) => {
                    tracing::error!("read-aloud unavailable: its start-up thread panicked");
                }
            }
        }
    }

    /// Reads `passages` aloud from the first; nothing to read does nothing.
    pub fn read(&mut self, passages: Vec<Passage>) -> ReadingView {
        self.settle(true);
        let Some(speaker) = &self.speaker else {
            return self.view();
        };
        if passages.is_empty() {
            return self.view();
        }
        self.read += 1;
        let id = self.read;
        let tx = self.tx.clone();
        let texts: Vec<String> = passages.iter().map(|p| p.text.clone()).collect();
        tracing::info!(paragraphs = texts.len(), "read-aloud started");
        speaker.read(texts, move |p| {
            let _ = tx.send((id, p));
        });
        self.passages = passages;
        self.state = ReadingState::Reading;
        self.now = None;
        self.error = None;
        self.view()
    }

    pub fn pause(&mut self) -> ReadingView {
        if self.state == ReadingState::Reading
            && let Some(s) = &self.speaker
        {
            s.pause();
            self.state = ReadingState::Paused;
        }
        self.view()
    }

    pub fn resume(&mut self) -> ReadingView {
        if self.state == ReadingState::Paused
            && let Some(s) = &self.speaker
        {
            s.resume();
            self.state = ReadingState::Reading;
        }
        self.view()
    }

    /// Stops any reading; later news of it is dropped. The error of a
    /// failed read is forgotten too (a new page).
    pub fn stop(&mut self) -> ReadingView {
        if matches!(self.state, ReadingState::Reading | ReadingState::Paused) {
            if let Some(s) = &self.speaker {
                s.stop();
            }
            tracing::info!("read-aloud stopped");
        }
        self.read += 1;
        self.state = ReadingState::Idle;
        self.now = None;
        self.passages.clear();
        self.error = None;
        self.view()
    }

    /// Whether something is being read (or held paused).
    pub fn is_reading(&self) -> bool {
        matches!(self.state, ReadingState::Reading | ReadingState::Paused)
    }

    /// Whether anything of a reading is on the screen: it is going on,
    /// held, or its failure is shown.
    pub fn is_shown(&self) -> bool {
        self.is_reading() || self.error.is_some()
    }

    /// Takes the speaker's news; `Some` when the screen must change.
    pub fn poll(&mut self) -> Option<ReadingView> {
        let was_off = self.is_off();
        self.settle(false);
        let mut changed = was_off != self.is_off();
        while let Ok((id, p)) = self.rx.try_recv() {
            if id != self.read {
                continue;
            }
            changed = true;
            match p {
                Progress::Speaking { paragraph } => self.now = Some(paragraph),
                Progress::Finished | Progress::Stopped => {
                    self.state = ReadingState::Idle;
                    self.now = None;
                }
                Progress::Failed(e) => {
                    tracing::warn!("read-aloud failed: {e}");
                    self.state = ReadingState::Idle;
                    self.now = None;
                    self.error = Some(READING_FAILED.to_string());
                }
            }
        }
        changed.then(|| self.view())
    }

    /// The passage sounding now.
    pub fn current(&self) -> Option<&Passage> {
        self.now.and_then(|i| self.passages.get(i))
    }

    /// What the current read was given.
    pub fn passages(&self) -> &[Passage] {
        &self.passages
    }

    /// No speaker and none being made.
    fn is_off(&self) -> bool {
        self.speaker.is_none() && self.starting.is_none()
    }

    pub fn view(&self) -> ReadingView {
        let off = self.is_off();
        let (block, row) = self.current().map_or((-1, -1), |p| (p.block, p.row));
        ReadingView {
            state: if off { ReadingState::Off } else { self.state },
            block,
            row,
            error: self.error.clone(),
        }
    }
}
