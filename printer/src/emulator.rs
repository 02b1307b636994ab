//! Reads an ESC/POS byte stream back: text lines (GBK in Chinese mode),
//! raster images, CODE128 and QR codes with their content, feeds and cuts,
//! status queries. Strict: a byte it does not understand is an error, so a
//! test notices anything that would print as garbage. [`render`] draws the
//! decoded paper as a bitmap; [`FakePrinter`] answers status queries on a
//! pseudo-terminal like a real printer.

use crate::gbk;
use crate::layout::PaperWidth;
use crate::raster::{Bitmap, RasterFont};

/// One thing on the paper, or a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Element {
    Text {
        text: String,
        /// Width and height multipliers (GS ! / FS !).
        scale: (u8, u8),
        bold: bool,
        center: bool,
    },
    Raster(Bitmap),
    Code128(String),
    Qr {
        data: String,
        model: u8,
        module_dots: u8,
    },
    Feed(u8),
    Cut,
    StatusQuery(u8),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("字节 {offset}：{message}")]
pub struct DecodeError {
    pub offset: usize,
    pub message: String,
}

/// The printer's mode while reading.
#[derive(Debug, Clone, Default)]
pub struct Decoder {
    chinese: bool,
    scale: (u8, u8),
    bold: bool,
    center: bool,
    line: Vec<u8>,
    qr_model: u8,
    qr_size: u8,
    qr_data: Vec<u8>,
    offset: usize,
    /// Elements a command produced after its first.
    extra: Vec<Element>,
}

enum Step {
    /// Consumed n bytes, maybe producing an element.
    Done(usize, Option<Element>),
    /// The buffer ends inside a command.
    Incomplete,
}

fn need(buf: &[u8], n: usize) -> Option<()> {
    (buf.len() >= n).then_some(())
}

impl Decoder {
    pub fn new() -> Decoder {
        Decoder {
            scale: (1, 1),
            qr_model: 1,
            qr_size: 3,
            ..Decoder::default()
        }
    }

    fn err(&self, at: usize, message: impl Into<String>) -> DecodeError {
        DecodeError {
            offset: self.offset + at,
            message: message.into(),
        }
    }

    fn flush_line(&mut self) -> Element {
        let bytes = std::mem::take(&mut self.line);
        Element::Text {
            text: if self.chinese {
                gbk::decode(&bytes)
            } else {
                String::from_utf8_lossy(&bytes).into_owned()
            },
            scale: self.scale,
            bold: self.bold,
            center: self.center,
        }
    }

    fn step(&mut self, buf: &[u8]) -> Result<Step, DecodeError> {
        use Step::*;
        let b0 = buf[0];
        let arg = |i: usize| buf.get(i).copied();
        Ok(match b0 {
            0x0A => Done(1, Some(self.flush_line())),
            0x20..=0x7E => {
                self.line.push(b0);
                Done(1, None)
            }
            0x81..=0xFE if self.chinese => {
                let Some(b1) = arg(1) else {
                    return Ok(Incomplete);
                };
                if !(0x40..=0xFE).contains(&b1) || b1 == 0x7F {
                    return Err(self.err(1, format!("GBK 第二字节 0x{b1:02X} 无效")));
                }
                self.line.extend_from_slice(&[b0, b1]);
                Done(2, None)
            }
            0x80..=0xFF => {
                return Err(self.err(0, format!("中文模式外的字节 0x{b0:02X} 会打印成乱码")));
            }
            0x10 => {
                let Some(b1) = arg(1) else {
                    return Ok(Incomplete);
                };
                let Some(n) = arg(2) else {
                    return Ok(Incomplete);
                };
                if b1 != 0x04 || !(1..=4).contains(&n) {
                    return Err(self.err(0, "未知的 DLE 命令"));
                }
                Done(3, Some(Element::StatusQuery(n)))
            }
            0x1B => {
                let Some(c) = arg(1) else {
                    return Ok(Incomplete);
                };
                match c {
                    b'@' => {
                        let keep = self.offset;
                        *self = Decoder::new();
                        self.offset = keep;
                        Done(2, None)
                    }
                    b'2' => Done(2, None),
                    b'a' | b'E' | b'd' | b'!' | b'-' | b'G' | b'M' | b't' | b'R' | b'3' | b'{' => {
                        let Some(n) = arg(2) else {
                            return Ok(Incomplete);
                        };
                        match c {
                            b'a' => self.center = n == 1 || n == b'1',
                            b'E' => self.bold = n & 1 == 1,
                            // ESC d n prints what is buffered, then feeds.
                            b'd' => {
                                if self.line.is_empty() {
                                    return Ok(Done(3, Some(Element::Feed(n))));
                                }
                                let text = self.flush_line();
                                if n > 1 {
                                    self.extra.push(Element::Feed(n - 1));
                                }
                                return Ok(Done(3, Some(text)));
                            }
                            _ => {}
                        }
                        Done(3, None)
                    }
                    _ => return Err(self.err(1, format!("未知的 ESC 命令 0x{c:02X}"))),
                }
            }
            0x1C => {
                let Some(c) = arg(1) else {
                    return Ok(Incomplete);
                };
                match c {
                    b'&' => {
                        self.chinese = true;
                        Done(2, None)
                    }
                    b'.' => {
                        self.chinese = false;
                        Done(2, None)
                    }
                    b'!' => {
                        let Some(n) = arg(2) else {
                            return Ok(Incomplete);
                        };
                        // Chinese characters follow the same size as GS !
                        // on the printers we support; a mismatch is an error.
                        let fs = (1 + (n >> 2 & 1), 1 + (n >> 3 & 1));
                        if fs != self.scale && n != 0 {
                            return Err(self.err(2, "FS ! 与 GS ! 的字号不一致"));
                        }
                        Done(3, None)
                    }
                    _ => return Err(self.err(1, format!("未知的 FS 命令 0x{c:02X}"))),
                }
            }
            0x1D => {
                let Some(c) = arg(1) else {
                    return Ok(Incomplete);
                };
                match c {
                    b'!' => {
                        let Some(n) = arg(2) else {
                            return Ok(Incomplete);
                        };
                        self.scale = ((n >> 4) + 1, (n & 0x0F) + 1);
                        Done(3, None)
                    }
                    b'h' | b'w' | b'H' | b'f' => need(buf, 3).map_or(Incomplete, |_| Done(3, None)),
                    b'V' => {
                        let Some(m) = arg(2) else {
                            return Ok(Incomplete);
                        };
                        match m {
                            0 | 1 | 48 | 49 => Done(3, Some(Element::Cut)),
                            65 | 66 => {
                                need(buf, 4).map_or(Incomplete, |_| Done(4, Some(Element::Cut)))
                            }
                            _ => return Err(self.err(2, "未知的切纸方式")),
                        }
                    }
                    b'k' => {
                        let Some(m) = arg(2) else {
                            return Ok(Incomplete);
                        };
                        if m != 73 {
                            return Err(self.err(2, format!("条码类型 {m} 不是 CODE128")));
                        }
                        let Some(n) = arg(3) else {
                            return Ok(Incomplete);
                        };
                        let n = n as usize;
                        if need(buf, 4 + n).is_none() {
                            return Ok(Incomplete);
                        }
                        let data = &buf[4..4 + n];
                        if data.len() < 2 || data[0] != b'{' || data[1] != b'C' {
                            return Err(self.err(4, "CODE128 数据应以 {C 开始"));
                        }
                        let mut digits = String::new();
                        for v in &data[2..] {
                            if *v > 99 {
                                return Err(self.err(4, "CODE128 C 码集的值超过 99"));
                            }
                            digits.push_str(&format!("{v:02}"));
                        }
                        Done(4 + n, Some(Element::Code128(digits)))
                    }
                    b'(' => {
                        if need(buf, 5).is_none() {
                            return Ok(Incomplete);
                        }
                        if buf[2] != b'k' {
                            return Err(self.err(2, "未知的 GS ( 命令"));
                        }
                        let len = buf[3] as usize | (buf[4] as usize) << 8;
                        if need(buf, 5 + len).is_none() {
                            return Ok(Incomplete);
                        }
                        let p = &buf[5..5 + len];
                        if p.len() < 2 || p[0] != 49 {
                            return Err(self.err(5, "只支持二维码（cn=49）"));
                        }
                        let mut out = None;
                        match (p[1], p.get(2)) {
                            (65, Some(m)) => self.qr_model = m - 48,
                            (67, Some(s)) => self.qr_size = *s,
                            (69, _) => {}
                            (80, _) => self.qr_data = p.get(3..).unwrap_or_default().to_vec(),
                            (81, _) => {
                                out = Some(Element::Qr {
                                    data: String::from_utf8_lossy(&self.qr_data).into_owned(),
                                    model: self.qr_model,
                                    module_dots: self.qr_size,
                                })
                            }
                            _ => return Err(self.err(5, "未知的二维码功能")),
                        }
                        Done(5 + len, out)
                    }
                    b'v' => {
                        if need(buf, 8).is_none() {
                            return Ok(Incomplete);
                        }
                        if buf[2] != b'0' {
                            return Err(self.err(2, "未知的 GS v 命令"));
                        }
                        let xb = buf[4] as u32 | (buf[5] as u32) << 8;
                        let y = buf[6] as u32 | (buf[7] as u32) << 8;
                        let n = (xb * y) as usize;
                        if need(buf, 8 + n).is_none() {
                            return Ok(Incomplete);
                        }
                        let mut bmp = Bitmap::new(xb * 8, y);
                        for row in 0..y {
                            for bx in 0..xb {
                                let byte = buf[8 + (row * xb + bx) as usize];
                                for bit in 0..8 {
                                    if byte & (0x80 >> bit) != 0 {
                                        bmp.set(bx * 8 + bit, row);
                                    }
                                }
                            }
                        }
                        Done(8 + n, Some(Element::Raster(bmp)))
                    }
                    _ => return Err(self.err(1, format!("未知的 GS 命令 0x{c:02X}"))),
                }
            }
            0x00 => return Err(self.err(0, "多余的 0x00 字节")),
            _ => return Err(self.err(0, format!("未知的控制字节 0x{b0:02X}"))),
        })
    }

    /// Decodes as much of `buf` as holds whole commands; returns the
    /// elements and how many bytes were used.
    pub fn feed(&mut self, buf: &[u8]) -> Result<(Vec<Element>, usize), DecodeError> {
        let mut out = Vec::new();
        let mut pos = 0;
        while pos < buf.len() {
            match self.step(&buf[pos..])? {
                Step::Done(n, e) => {
                    out.extend(e);
                    out.append(&mut self.extra);
                    pos += n;
                    self.offset += n;
                }
                Step::Incomplete => break,
            }
        }
        Ok((out, pos))
    }
}

/// Decodes a whole job; a command cut off at the end is an error.
pub fn decode(bytes: &[u8]) -> Result<Vec<Element>, DecodeError> {
    let mut d = Decoder::new();
    let (els, used) = d.feed(bytes)?;
    if used != bytes.len() {
        return Err(DecodeError {
            offset: used,
            message: "命令不完整".into(),
        });
    }
    if !d.line.is_empty() {
        return Err(DecodeError {
            offset: used,
            message: "最后一行没有换行，不会打印".into(),
        });
    }
    Ok(els)
}

/// The text lines of a decoded job, in order.
pub fn text_lines(els: &[Element]) -> Vec<String> {
    els.iter()
        .filter_map(|e| match e {
            Element::Text { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect()
}

/// Draws the decoded paper, `paper` wide, as the printer would.
pub fn render(els: &[Element], paper: PaperWidth, font: &RasterFont) -> Bitmap {
    let width = paper.dots();
    let mut parts: Vec<Bitmap> = Vec::new();
    for e in els {
        match e {
            Element::Text {
                text,
                scale,
                bold,
                center,
            } => {
                let px = match scale {
                    (1, 1) => 24.0,
                    (1, _) => 36.0,
                    _ => 48.0,
                };
                parts.push(font.render_line(text, px, width, *center, *bold));
            }
            Element::Raster(b) => parts.push(b.clone()),
            Element::Code128(digits) => {
                if let Some(m) = crate::code128::modules(digits) {
                    let module = u32::from(paper.barcode_module_dots());
                    let w = m.len() as u32 * module;
                    let mut b = Bitmap::new(width, 88);
                    let x0 = width.saturating_sub(w) / 2;
                    for (i, bar) in m.iter().enumerate() {
                        if *bar == 1 {
                            for dx in 0..module {
                                for y in 4..84 {
                                    b.set(x0 + i as u32 * module + dx, y);
                                }
                            }
                        }
                    }
                    parts.push(b);
                }
            }
            Element::Qr {
                data, module_dots, ..
            } => {
                if let Ok(q) = qrcodegen::QrCode::encode_text(data, qrcodegen::QrCodeEcc::Medium) {
                    let s = q.size() as u32;
                    let m = u32::from(*module_dots).max(1);
                    let mut b = Bitmap::new(width, s * m + 16);
                    let x0 = width.saturating_sub(s * m) / 2;
                    for y in 0..s {
                        for x in 0..s {
                            if q.get_module(x as i32, y as i32) {
                                for dy in 0..m {
                                    for dx in 0..m {
                                        b.set(x0 + x * m + dx, 8 + y * m + dy);
                                    }
                                }
                            }
                        }
                    }
                    parts.push(b);
                }
            }
            Element::Feed(n) => parts.push(Bitmap::new(width, 30 * u32::from(*n))),
            Element::Cut => {
                let mut b = Bitmap::new(width, 9);
                for x in (0..width).step_by(8) {
                    for dx in 0..4 {
                        b.set(x + dx, 4);
                    }
                }
                parts.push(b);
            }
            Element::StatusQuery(_) => {}
        }
    }
    let margin = 16;
    let height: u32 = parts.iter().map(|p| p.height).sum::<u32>() + 2 * margin;
    let mut paper_bmp = Bitmap::new(width + 2 * margin, height);
    let mut y = margin;
    for p in &parts {
        paper_bmp.blit(p, margin, y);
        y += p.height;
    }
    paper_bmp
}

pub use fake::FakePrinter;

mod fake {
    //! A printer on the master side of a pseudo-terminal: the kiosk opens
    //! the slave as its serial port.

    use std::io::{Read, Write};
    use std::os::fd::OwnedFd;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use super::{Decoder, Element};
    use crate::status::PrinterState;

    /// What the fake printer saw, and the state it reports.
    #[derive(Debug, Default)]
    pub struct Tape {
        pub state: PrinterState,
        /// Answer status queries at all (false: a printer switched off).
        pub silent: bool,
        pub elements: Vec<Element>,
        /// Replies sent instead of the state's (a printer answering nonsense).
        pub replies: Option<[u8; 4]>,
        /// Every byte received, status queries included.
        pub bytes: Vec<u8>,
        pub error: Option<String>,
    }

    pub struct FakePrinter {
        slave_path: String,
        tape: Arc<Mutex<Tape>>,
        stop: Arc<AtomicBool>,
        thread: Option<std::thread::JoinHandle<()>>,
        _slave: OwnedFd,
    }

    impl FakePrinter {
        /// Opens a pseudo-terminal pair and starts answering on its master.
        pub fn start(state: PrinterState) -> std::io::Result<FakePrinter> {
            use nix::fcntl::OFlag;
            let master = nix::pty::posix_openpt(OFlag::O_RDWR | OFlag::O_NOCTTY)?;
            nix::pty::grantpt(&master)?;
            nix::pty::unlockpt(&master)?;
            let slave_path = nix::pty::ptsname_r(&master)?;
            // Held open so the master never reads EIO between jobs; raw, so
            // nothing is echoed or translated before the driver opens it.
            let slave: OwnedFd = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open(&slave_path)?
                .into();
            let mut t = nix::sys::termios::tcgetattr(&slave)?;
            nix::sys::termios::cfmakeraw(&mut t);
            nix::sys::termios::tcsetattr(&slave, nix::sys::termios::SetArg::TCSANOW, &t)?;
            let master_fd: OwnedFd = master.into();
            // Non-blocking reads with a short poll, so the thread can stop.
            nix::fcntl::fcntl(&master_fd, nix::fcntl::FcntlArg::F_SETFL(OFlag::O_NONBLOCK))?;
            let mut file = std::fs::File::from(master_fd);
            let tape = Arc::new(Mutex::new(Tape {
                state,
                ..Tape::default()
            }));
            let stop = Arc::new(AtomicBool::new(false));
            let (t2, s2) = (tape.clone(), stop.clone());
            let thread = std::thread::spawn(move || {
                let mut decoder = Decoder::new();
                let mut pending: Vec<u8> = Vec::new();
                let mut buf = [0u8; 4096];
                while !s2.load(Ordering::Relaxed) {
                    match file.read(&mut buf) {
                        Ok(0) => std::thread::sleep(Duration::from_millis(2)),
                        Ok(n) => {
                            pending.extend_from_slice(&buf[..n]);
                            let result = decoder.feed(&pending);
                            let mut tape = t2.lock().unwrap_or_else(|e| e.into_inner());
                            match result {
                                Ok((els, used)) => {
                                    let mut replies = Vec::new();
                                    for e in els {
                                        if let Element::StatusQuery(q) = e {
                                            if !tape.silent {
                                                let r =
                                                    tape.replies.unwrap_or(tape.state.replies());
                                                replies.push(r[q as usize - 1]);
                                            }
                                        } else {
                                            tape.elements.push(e);
                                        }
                                    }
                                    tape.bytes.extend_from_slice(&pending[..used]);
                                    pending.drain(..used);
                                    drop(tape);
                                    if !replies.is_empty() {
                                        let _ = file.write_all(&replies);
                                    }
                                }
                                Err(e) => {
                                    tape.error.get_or_insert(e.to_string());
                                    pending.clear();
                                }
                            }
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                            std::thread::sleep(Duration::from_millis(2))
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(5)),
                    }
                }
            });
            Ok(FakePrinter {
                slave_path,
                tape,
                stop,
                thread: Some(thread),
                _slave: slave,
            })
        }

        /// The serial port path to configure (`printer.port`).
        pub fn port(&self) -> &str {
            &self.slave_path
        }

        pub fn set_state(&self, state: PrinterState) {
            self.tape().state = state;
        }

        /// Stops answering status queries (switched off, cable out).
        pub fn set_silent(&self, silent: bool) {
            self.tape().silent = silent;
        }

        pub fn tape(&self) -> std::sync::MutexGuard<'_, Tape> {
            self.tape.lock().unwrap_or_else(|e| e.into_inner())
        }

        /// Waits until a cut arrives (a whole receipt), at most `limit`.
        pub fn wait_for_cut(&self, limit: Duration) -> bool {
            let start = std::time::Instant::now();
            while start.elapsed() < limit {
                if self.tape().elements.contains(&Element::Cut) {
                    return true;
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            false
        }
    }

    impl Drop for FakePrinter {
        fn drop(&mut self) {
            self.stop.store(true, Ordering::Relaxed);
            if let Some(t) = self.thread.take() {
                let _ = t.join();
            }
        }
    }
}
