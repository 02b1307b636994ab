//! The reader on its serial line. [`IdCardReader`] sends one command at a
//! time and waits for its reply within a deadline; [`IdCardReader::read_card`]
//! is 寻找证/卡, 选取证/卡, 读基本信息. [`CardWatcher`] runs that about every
//! 300 ms on a thread, hands each card placed on the reader to a channel
//! once, and reopens the port when the reader is unplugged, silent or
//! plugged back in.
//!
//! Logs name commands, statuses and lengths, never a card's contents.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use disclosure::Date;

use crate::card::{CardError, IdCard};
use crate::command::Command;
use crate::frame::{Direction, FrameBuffer, FrameError, Reply};
use crate::status::Status;

/// How the reader is connected and how it is polled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderSettings {
    /// `/dev/ttyUSB1`, or better a stable `/dev/serial/by-id/…` link.
    pub path: PathBuf,
    /// 115200 unless the module was set otherwise (57600, 38400, 19200,
    /// 9600).
    pub baud: u32,
    /// From one 寻找证/卡 to the next.
    pub poll_interval: Duration,
    /// How long 寻找证/卡 and 选取证/卡 may take to answer.
    pub reply_timeout: Duration,
    /// How long 读基本信息 may take (the card is read over the air, then
    /// about 1.3 kB cross the line: some 110 ms at 115200 baud).
    pub read_timeout: Duration,
    /// Between tries to open a port that is not there.
    pub reopen_interval: Duration,
    /// Replies missed in a row before the port is closed and opened again.
    pub silent_limit: u32,
    /// How long a card must have been gone before the same card, placed
    /// again, is handed over again.
    pub resend_after_absent: Duration,
}

impl ReaderSettings {
    /// The reader on `path` at `baud`, polled every 300 ms.
    pub fn new(path: impl Into<PathBuf>, baud: u32) -> ReaderSettings {
        ReaderSettings {
            path: path.into(),
            baud,
            poll_interval: Duration::from_millis(300),
            reply_timeout: Duration::from_millis(1000),
            read_timeout: Duration::from_millis(3000),
            reopen_interval: Duration::from_secs(1),
            silent_limit: 3,
            resend_after_absent: Duration::from_secs(1),
        }
    }

    fn timeout(&self, command: Command) -> Duration {
        match command {
            Command::ReadBaseInfo => self.read_timeout,
            Command::FindCard | Command::SelectCard => self.reply_timeout,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReaderError {
    #[error("无法打开读卡器串口 {path}：{source}")]
    Open {
        path: String,
        source: serialport::Error,
    },
    #[error("读卡器连接中断：{0}")]
    Lost(std::io::Error),
    #[error("读卡器在 {timeout_ms} 毫秒内没有回答“{command}”")]
    Timeout { command: Command, timeout_ms: u64 },
    #[error("读卡器对“{command}”的回答无法识别（{skipped} 字节不成帧）")]
    Garbage { command: Command, skipped: usize },
    #[error("读卡器对“{command}”的回答有误：{source}")]
    Frame {
        command: Command,
        source: FrameError,
    },
    #[error("“{command}”失败：{status}")]
    Status { command: Command, status: Status },
    #[error("身份证内容无效：{0}")]
    Card(#[from] CardError),
}

impl ReaderError {
    /// The port is gone (unplugged) or could not be opened.
    pub fn is_lost(&self) -> bool {
        matches!(self, Self::Open { .. } | Self::Lost(_))
    }

    /// The reader did not answer in time, or not in frames.
    pub fn is_silence(&self) -> bool {
        matches!(self, Self::Timeout { .. } | Self::Garbage { .. })
    }
}

/// The reader on an open port.
pub struct IdCardReader {
    port: Box<dyn serialport::SerialPort>,
    buffer: FrameBuffer,
    settings: ReaderSettings,
}

impl std::fmt::Debug for IdCardReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdCardReader({})", self.settings.path.display())
    }
}

/// The longest a single read on the port blocks, so a deadline is kept.
const READ_SLICE: Duration = Duration::from_millis(50);

impl IdCardReader {
    pub fn open(settings: &ReaderSettings) -> Result<IdCardReader, ReaderError> {
        let port = serialport::new(settings.path.to_string_lossy(), settings.baud)
            .timeout(READ_SLICE)
            .open()
            .map_err(|source| ReaderError::Open {
                path: settings.path.display().to_string(),
                source,
            })?;
        Ok(IdCardReader {
            port,
            buffer: FrameBuffer::new(Direction::FromReader),
            settings: settings.clone(),
        })
    }

    /// Sends `command` and waits for one reply frame.
    pub fn transact(&mut self, command: Command) -> Result<Reply, ReaderError> {
        let timeout = self.settings.timeout(command);
        // Whatever arrived late for an earlier command is not this reply.
        let _ = self.port.clear(serialport::ClearBuffer::Input);
        self.buffer.clear();
        let frame = command
            .frame()
            .map_err(|source| ReaderError::Frame { command, source })?;
        self.port.write_all(&frame).map_err(ReaderError::Lost)?;
        self.port.flush().map_err(ReaderError::Lost)?;
        let deadline = Instant::now() + timeout;
        let skipped_before = self.buffer.skipped();
        let mut chunk = [0u8; 512];
        let result = loop {
            match self.buffer.next_frame() {
                Ok(Some(f)) => {
                    break Reply::from_frame(f)
                        .map_err(|source| ReaderError::Frame { command, source });
                }
                Ok(None) => {}
                Err(source) => {
                    self.buffer.clear();
                    break Err(ReaderError::Frame { command, source });
                }
            }
            let now = Instant::now();
            if now >= deadline {
                let skipped = self.buffer.skipped() - skipped_before + self.buffer.pending();
                self.buffer.clear();
                break Err(if skipped > 0 {
                    ReaderError::Garbage { command, skipped }
                } else {
                    ReaderError::Timeout {
                        command,
                        timeout_ms: timeout.as_millis() as u64,
                    }
                });
            }
            match self.port.read(&mut chunk) {
                // A terminal that reads nothing without a timeout has hung up.
                Ok(0) => {
                    break Err(ReaderError::Lost(std::io::Error::from(
                        std::io::ErrorKind::UnexpectedEof,
                    )));
                }
                Ok(n) => {
                    self.buffer.push(&chunk[..n]);
                    chunk[..n].fill(0);
                }
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => break Err(ReaderError::Lost(e)),
            }
        };
        std::hint::black_box(&mut chunk).fill(0);
        result
    }

    /// 寻找证/卡: whether a card is on the reader.
    pub fn find_card(&mut self) -> Result<bool, ReaderError> {
        let command = Command::FindCard;
        let reply = self.transact(command)?;
        match reply.status() {
            Status::CardFound | Status::Success => Ok(true),
            s if s.is_no_card() => Ok(false),
            status => Err(ReaderError::Status { command, status }),
        }
    }

    /// 选取证/卡: whether the card found is still there and selected.
    pub fn select_card(&mut self) -> Result<bool, ReaderError> {
        let command = Command::SelectCard;
        let reply = self.transact(command)?;
        match reply.status() {
            Status::Success => Ok(true),
            s if s.is_no_card() => Ok(false),
            status => Err(ReaderError::Status { command, status }),
        }
    }

    /// 读基本信息: the selected card's text (the photo passed over).
    pub fn read_base_info(&mut self, today: Date) -> Result<IdCard, ReaderError> {
        let command = Command::ReadBaseInfo;
        let reply = self.transact(command)?;
        match reply.status() {
            Status::Success => Ok(IdCard::from_base_info(reply.data(), today)?),
            status => Err(ReaderError::Status { command, status }),
        }
        // `reply` (with the photo) is overwritten as it is dropped here.
    }

    /// The card on the reader, if any: find, select, read.
    pub fn read_card(&mut self, today: Date) -> Result<Option<IdCard>, ReaderError> {
        if !self.find_card()? || !self.select_card()? {
            return Ok(None);
        }
        self.read_base_info(today).map(Some)
    }
}

/// What the watcher hands over.
#[derive(Debug)]
pub enum CardEvent {
    /// A card placed on the reader, read and checked.
    Card(Box<IdCard>),
    /// A card was found but could not be read, or what it carries was
    /// refused. The error names no contents.
    Unreadable(ReaderError),
}

/// The reader polled on a thread. Dropping it stops the thread.
pub struct CardWatcher {
    events: mpsc::Receiver<CardEvent>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl CardWatcher {
    /// Starts polling the reader of `settings`.
    pub fn spawn(settings: ReaderSettings) -> std::io::Result<CardWatcher> {
        let (tx, events) = mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let s2 = stop.clone();
        let thread = std::thread::Builder::new()
            .name("idcard".into())
            .spawn(move || watch(&settings, &tx, &s2))?;
        Ok(CardWatcher {
            events,
            stop,
            thread: Some(thread),
        })
    }

    /// Every event since the last call.
    pub fn take_events(&self) -> Vec<CardEvent> {
        self.events.try_iter().collect()
    }

    /// The next event, waiting at most `limit`.
    pub fn next_event(&self, limit: Duration) -> Option<CardEvent> {
        self.events.recv_timeout(limit).ok()
    }
}

impl Drop for CardWatcher {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Sleeps `d` unless told to stop; whether to go on.
fn pause(d: Duration, stop: &AtomicBool) -> bool {
    let until = Instant::now() + d;
    while !stop.load(Ordering::Relaxed) {
        let now = Instant::now();
        if now >= until {
            return true;
        }
        std::thread::sleep((until - now).min(Duration::from_millis(20)));
    }
    false
}

/// A card's identity inside the watcher, without keeping its number.
fn fingerprint(card: &IdCard) -> u64 {
    let mut h = DefaultHasher::new();
    card.id_number().as_str().hash(&mut h);
    h.finish()
}

/// What the watcher remembers of the card on the reader.
#[derive(Default)]
struct Presence {
    /// The card (or failure) last handed over while it stays.
    last: Option<u64>,
    /// Since when the reader has reported no card.
    absent_since: Option<Instant>,
}

impl Presence {
    fn absent(&mut self, now: Instant, reset_after: Duration) {
        let since = *self.absent_since.get_or_insert(now);
        if now.duration_since(since) >= reset_after {
            self.last = None;
        }
    }

    /// Whether `key` is new (and so to be handed over).
    fn present(&mut self, key: u64) -> bool {
        self.absent_since = None;
        let new = self.last != Some(key);
        self.last = Some(key);
        new
    }
}

/// The watcher's thread: open, poll, reopen, until stopped.
fn watch(settings: &ReaderSettings, tx: &mpsc::Sender<CardEvent>, stop: &AtomicBool) {
    let path = settings.path.display().to_string();
    let mut missing_logged = false;
    let mut presence = Presence::default();
    while !stop.load(Ordering::Relaxed) {
        match IdCardReader::open(settings) {
            Ok(mut reader) => {
                tracing::info!(port = %path, baud = settings.baud, "ID card reader opened");
                missing_logged = false;
                if let Err(e) = poll_until_lost(&mut reader, settings, tx, stop, &mut presence) {
                    tracing::warn!(port = %path, "ID card reader lost, reopening: {e}");
                }
            }
            Err(e) => {
                if missing_logged {
                    tracing::debug!(port = %path, "ID card reader still not there: {e}");
                } else {
                    tracing::warn!(port = %path, "ID card reader not there: {e}");
                    missing_logged = true;
                }
            }
        }
        if !pause(settings.reopen_interval, stop) {
            break;
        }
    }
}

/// Polls an open reader; returns when stopped (`Ok`) or when the port
/// is lost or the reader stays silent (`Err`, reopen).
fn poll_until_lost(
    reader: &mut IdCardReader,
    settings: &ReaderSettings,
    tx: &mpsc::Sender<CardEvent>,
    stop: &AtomicBool,
    presence: &mut Presence,
) -> Result<(), ReaderError> {
    let mut silent = 0;
    loop {
        if stop.load(Ordering::Relaxed) {
            return Ok(());
        }
        let started = Instant::now();
        match reader.find_card() {
            Ok(false) => {
                silent = 0;
                presence.absent(started, settings.resend_after_absent);
            }
            Ok(true) => {
                silent = 0;
                match reader.select_card() {
                    Ok(false) => presence.absent(started, settings.resend_after_absent),
                    Ok(true) => {
                        let read = reader.read_base_info(Date::today_in_china());
                        handover(read, tx, presence)?;
                    }
                    Err(e) => handover(Err(e), tx, presence)?,
                }
            }
            Err(e) if e.is_lost() => return Err(e),
            Err(e) if e.is_silence() => {
                silent += 1;
                if silent == 1 {
                    tracing::warn!("ID card reader: {e}");
                }
                if silent >= settings.silent_limit {
                    return Err(e);
                }
            }
            Err(e) => tracing::warn!("ID card reader: {e}"),
        }
        let next = started + settings.poll_interval;
        if !pause(next.saturating_duration_since(Instant::now()), stop) {
            return Ok(());
        }
    }
}

/// A card read (or not) after it was found: handed over once while it
/// stays on the reader.
fn handover(
    read: Result<IdCard, ReaderError>,
    tx: &mpsc::Sender<CardEvent>,
    presence: &mut Presence,
) -> Result<(), ReaderError> {
    let event = match read {
        Ok(card) => {
            if !presence.present(fingerprint(&card)) {
                return Ok(());
            }
            tracing::info!("ID card read");
            CardEvent::Card(Box::new(card))
        }
        Err(e) if e.is_lost() => return Err(e),
        Err(e) => {
            let mut h = DefaultHasher::new();
            e.to_string().hash(&mut h);
            if !presence.present(h.finish()) {
                return Ok(());
            }
            tracing::warn!("ID card found but not read: {e}");
            CardEvent::Unreadable(e)
        }
    };
    // Nobody listening any more: the kiosk is shutting down.
    let _ = tx.send(event);
    Ok(())
}
