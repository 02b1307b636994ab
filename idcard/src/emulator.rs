//! [`FakeIdReader`]: a SAM reader on the master side of a pseudo-terminal,
//! for tests and benchmarks. The reader under test opens the slave through
//! a stable link ([`FakeIdReader::path`], like `/dev/serial/by-id/…`), so
//! the fake can be unplugged (the pseudo-terminal closed, the link gone)
//! and plugged back in (a new one behind the same link).
//!
//! It checks every command frame it receives and answers as its
//! [`Behaviour`] says: a card, no card, replies with a wrong check byte,
//! bytes that are no frame, or nothing at all. The photo it sends is a
//! marker pattern ([`PHOTO_MARKER`]) so tests can look for it where it must
//! not be.

use std::io::{Read, Write};
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::card::{CardText, PHOTO_LEN, TEXT_LEN};
use crate::command::Command;
use crate::frame::{self, Direction, FrameBuffer};

/// What the fake photo is made of: never to be seen in a log or a
/// `Debug` output.
pub const PHOTO_MARKER: &[u8; 16] = b"WLT-PHOTO-BYTES!";

/// How the fake reader answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Behaviour {
    /// 寻找证/卡 answers `80`.
    NoCard,
    /// A card with this text lies on the reader.
    Card(Box<CardText>),
    /// A card is found and selected, but 读基本信息 answers `41`.
    CardUnreadable,
    /// Every reply's check byte is wrong.
    BadCheckByte,
    /// Every reply is bytes that hold no preamble.
    Garbage,
    /// No reply at all.
    Silent,
}

/// What the fake has seen and does.
#[derive(Debug)]
pub struct Log {
    pub behaviour: Behaviour,
    /// Every well-formed command received, in order.
    pub commands: Vec<Command>,
    /// Command frames that were wrong (bad check byte, unknown command).
    pub errors: Vec<String>,
    /// Bytes per second on the wire (10 bits a byte), or as fast as the
    /// pseudo-terminal goes.
    pub baud: Option<u32>,
    /// When the last reply to 读基本信息 left, whole.
    pub last_read_sent: Option<Instant>,
}

impl Log {
    /// How many times `c` was received.
    pub fn count(&self, c: Command) -> usize {
        self.commands.iter().filter(|x| **x == c).count()
    }
}

/// The photo a fake card carries: the marker, repeated.
pub fn fake_photo() -> Vec<u8> {
    PHOTO_MARKER
        .iter()
        .copied()
        .cycle()
        .take(PHOTO_LEN)
        .collect()
}

/// The reply frame to `command` under `behaviour` (without corruption).
fn reply_body(command: Command, behaviour: &Behaviour) -> Vec<u8> {
    let card = matches!(behaviour, Behaviour::Card(_) | Behaviour::CardUnreadable);
    match (command, behaviour) {
        (Command::FindCard, _) if card => vec![0x00, 0x00, 0x9F, 0, 0, 0, 0],
        (Command::FindCard, _) => vec![0x00, 0x00, 0x80],
        (Command::SelectCard, _) if card => {
            let mut b = vec![0x00, 0x00, 0x90];
            b.extend_from_slice(&[0; 8]);
            b
        }
        (Command::SelectCard, _) => vec![0x00, 0x00, 0x81],
        (Command::ReadBaseInfo, Behaviour::Card(text)) => {
            let mut b = vec![0x00, 0x00, 0x90];
            b.extend_from_slice(&(TEXT_LEN as u16).to_be_bytes());
            b.extend_from_slice(&(PHOTO_LEN as u16).to_be_bytes());
            b.extend_from_slice(&text.to_block());
            b.extend_from_slice(&fake_photo());
            b
        }
        (Command::ReadBaseInfo, Behaviour::CardUnreadable) => vec![0x00, 0x00, 0x41],
        (Command::ReadBaseInfo, _) => vec![0x00, 0x00, 0x80],
    }
}

/// Garbage: no `AA` in it, so never a preamble.
fn garbage(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i as u8).wrapping_mul(37) % 0xA0).collect()
}

/// One plugged-in pseudo-terminal and the thread answering on it.
struct Plug {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Plug {
    fn pull(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

pub struct FakeIdReader {
    dir: PathBuf,
    link: PathBuf,
    log: Arc<Mutex<Log>>,
    plug: Option<Plug>,
}

static NEXT: AtomicUsize = AtomicUsize::new(0);

impl FakeIdReader {
    /// A fake reader with no card on it, plugged in.
    pub fn start() -> std::io::Result<FakeIdReader> {
        let dir = std::env::temp_dir().join(format!(
            "gongkai-idcard-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir)?;
        let link = dir.join("ttyIDCARD");
        let mut fake = FakeIdReader {
            dir,
            link,
            log: Arc::new(Mutex::new(Log {
                behaviour: Behaviour::NoCard,
                commands: Vec::new(),
                errors: Vec::new(),
                baud: None,
                last_read_sent: None,
            })),
            plug: None,
        };
        fake.replug()?;
        Ok(fake)
    }

    /// The port to configure: a link to the current pseudo-terminal.
    pub fn path(&self) -> &Path {
        &self.link
    }

    pub fn log(&self) -> MutexGuard<'_, Log> {
        self.log.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn set_behaviour(&self, b: Behaviour) {
        self.log().behaviour = b;
    }

    pub fn place_card(&self, text: CardText) {
        self.set_behaviour(Behaviour::Card(Box::new(text)));
    }

    pub fn remove_card(&self) {
        self.set_behaviour(Behaviour::NoCard);
    }

    /// Sends replies no faster than a UART at `baud` would.
    pub fn pace_at(&self, baud: u32) {
        self.log().baud = Some(baud);
    }

    /// Waits until `f` holds for the log, at most `limit`.
    pub fn wait_for(&self, limit: Duration, f: impl Fn(&Log) -> bool) -> bool {
        let start = Instant::now();
        while start.elapsed() < limit {
            if f(&self.log()) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        false
    }

    /// The cable pulled: the pseudo-terminal is closed and the link gone.
    pub fn unplug(&mut self) {
        let _ = std::fs::remove_file(&self.link);
        if let Some(p) = self.plug.take() {
            p.pull();
        }
    }

    /// Plugged (back) in: a new pseudo-terminal behind the same link.
    pub fn replug(&mut self) -> std::io::Result<()> {
        self.unplug();
        let (master, slave, slave_path) = open_pty()?;
        let tmp = self.dir.join("ttyIDCARD.new");
        let _ = std::fs::remove_file(&tmp);
        std::os::unix::fs::symlink(&slave_path, &tmp)?;
        std::fs::rename(&tmp, &self.link)?;
        let stop = Arc::new(AtomicBool::new(false));
        let (log, s2) = (self.log.clone(), stop.clone());
        let thread = std::thread::Builder::new()
            .name("fake-idcard".into())
            .spawn(move || answer(master, slave, &log, &s2))?;
        self.plug = Some(Plug {
            stop,
            thread: Some(thread),
        });
        Ok(())
    }
}

impl Drop for FakeIdReader {
    fn drop(&mut self) {
        self.unplug();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A raw pseudo-terminal pair: the master (non-blocking), the slave held
/// open so the master never reads EIO between the reader's opens, and the
/// slave's path.
fn open_pty() -> std::io::Result<(std::fs::File, OwnedFd, String)> {
    use nix::fcntl::OFlag;
    let master = nix::pty::posix_openpt(OFlag::O_RDWR | OFlag::O_NOCTTY)?;
    nix::pty::grantpt(&master)?;
    nix::pty::unlockpt(&master)?;
    let slave_path = nix::pty::ptsname_r(&master)?;
    let slave: OwnedFd = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&slave_path)?
        .into();
    let mut t = nix::sys::termios::tcgetattr(&slave)?;
    nix::sys::termios::cfmakeraw(&mut t);
    nix::sys::termios::tcsetattr(&slave, nix::sys::termios::SetArg::TCSANOW, &t)?;
    let master_fd: OwnedFd = master.into();
    nix::fcntl::fcntl(&master_fd, nix::fcntl::FcntlArg::F_SETFL(OFlag::O_NONBLOCK))?;
    Ok((std::fs::File::from(master_fd), slave, slave_path))
}

/// Writes `bytes` to the master, paced at `baud` if given.
fn send(master: &mut std::fs::File, bytes: &[u8], baud: Option<u32>) {
    const CHUNK: usize = 64;
    for chunk in bytes.chunks(if baud.is_some() {
        CHUNK
    } else {
        bytes.len().max(1)
    }) {
        let mut rest = chunk;
        while !rest.is_empty() {
            match master.write(rest) {
                Ok(n) => rest = &rest[n..],
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    std::thread::sleep(Duration::from_millis(1))
                }
                Err(_) => return,
            }
        }
        if let Some(b) = baud {
            let secs = chunk.len() as f64 * 10.0 / f64::from(b.max(1));
            std::thread::sleep(Duration::from_secs_f64(secs));
        }
    }
}

/// The fake's thread: reads command frames, answers them.
fn answer(mut master: std::fs::File, slave: OwnedFd, log: &Mutex<Log>, stop: &AtomicBool) {
    let mut frames = FrameBuffer::new(Direction::ToReader);
    let mut buf = [0u8; 1024];
    let lock = || log.lock().unwrap_or_else(|e| e.into_inner());
    while !stop.load(Ordering::Relaxed) {
        match master.read(&mut buf) {
            Ok(0) => std::thread::sleep(Duration::from_millis(2)),
            Ok(n) => frames.push(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(2))
            }
            Err(_) => std::thread::sleep(Duration::from_millis(5)),
        }
        loop {
            let body = match frames.next_frame() {
                Ok(Some(f)) => f.body().to_vec(),
                Ok(None) => break,
                Err(e) => {
                    lock().errors.push(e.to_string());
                    let reply = frame::encode(&[0x00, 0x00, 0x10]).unwrap_or_default();
                    send(&mut master, &reply, None);
                    continue;
                }
            };
            let Some(command) = <[u8; 2]>::try_from(&body[..2.min(body.len())])
                .ok()
                .and_then(Command::from_code)
                .filter(|_| body.len() == 2)
            else {
                lock().errors.push(format!("unknown command {body:02X?}"));
                let reply = frame::encode(&[0x00, 0x00, 0x21]).unwrap_or_default();
                send(&mut master, &reply, None);
                continue;
            };
            let (behaviour, baud) = {
                let mut l = lock();
                l.commands.push(command);
                (l.behaviour.clone(), l.baud)
            };
            let reply = match behaviour {
                Behaviour::Silent => continue,
                Behaviour::Garbage => garbage(16),
                Behaviour::BadCheckByte => {
                    let mut r =
                        frame::encode(&reply_body(command, &Behaviour::NoCard)).unwrap_or_default();
                    if let Some(last) = r.last_mut() {
                        *last ^= 0x5A;
                    }
                    r
                }
                ref b => frame::encode(&reply_body(command, b)).unwrap_or_default(),
            };
            send(&mut master, &reply, baud);
            if command == Command::ReadBaseInfo {
                lock().last_read_sent = Some(Instant::now());
            }
        }
    }
    drop(slave);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::{Reply, decode};

    #[test]
    fn replies_are_frames_a_reader_accepts() {
        let text = CardText {
            name: "王秀英".into(),
            sex: "2".into(),
            nation: "01".into(),
            birth: "19491231".into(),
            address: "云溪县石桥乡".into(),
            number: "11010519491231002X".into(),
            authority: "云溪县公安局".into(),
            valid_from: "20160105".into(),
            valid_until: "长期".into(),
            card_type: String::new(),
        };
        let b = Behaviour::Card(Box::new(text));
        let read = frame::encode(&reply_body(Command::ReadBaseInfo, &b)).unwrap();
        // The length the sources quote for a text-and-photo reply.
        assert_eq!(&read[5..7], &[0x05, 0x08]);
        assert_eq!(read.len(), 1295);
        let reply = Reply::from_frame(decode(&read, Direction::FromReader).unwrap()).unwrap();
        assert_eq!(&reply.data()[..4], &[0x01, 0x00, 0x04, 0x00]);
        assert!(!garbage(4096).contains(&0xAA));
    }
}
