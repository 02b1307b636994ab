//! Frames of the SAM protocol: `AA AA AA 96 69`, a big-endian length of
//! everything after it, the body, and a check byte that XORs the length
//! and the body. [`encode`] makes a frame; [`FrameBuffer`] finds frames in
//! the bytes a serial line delivers, skipping anything before a preamble;
//! [`Reply`] is a reader's answer (SW1, SW2, SW3, data).
//!
//! A frame's bytes may carry the card's photo: every buffer here is
//! overwritten with zeros when it is dropped or cleared, and the `Debug`
//! output of [`Frame`] and [`Reply`] shows lengths, never bytes.

use crate::status::Status;

/// The start of every frame: three synchronisation bytes, then `96 69`.
pub const PREAMBLE: [u8; 5] = [0xAA, 0xAA, 0xAA, 0x96, 0x69];

/// Bytes before the body: the preamble and the length.
pub const HEAD_LEN: usize = PREAMBLE.len() + 2;

/// The longest length a frame may announce. The longest reply this crate
/// asks for (读基本信息) announces 1288; with fingerprints a reader sends
/// about 2300. Anything longer is a corrupted length, not a frame to wait
/// for.
pub const MAX_LENGTH: u16 = 4096;

/// Which way a frame travels: the shortest length differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Terminal to reader: CMD, Para, check byte at least.
    ToReader,
    /// Reader to terminal: SW1, SW2, SW3, check byte at least.
    FromReader,
}

impl Direction {
    /// The shortest length a frame going this way can announce.
    pub fn min_length(self) -> u16 {
        match self {
            Self::ToReader => 3,
            Self::FromReader => 4,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("帧长度 {length} 太短（至少 {minimum}）")]
    LengthTooShort { length: u16, minimum: u16 },
    #[error("帧长度 {length} 超过上限 {MAX_LENGTH}")]
    LengthTooLong { length: u16 },
    #[error("校验字节不对：算得 {computed:02X}，收到 {received:02X}")]
    CheckByte { computed: u8, received: u8 },
    #[error("帧不完整：应有 {expected} 字节，只收到 {got} 字节")]
    Truncated { expected: usize, got: usize },
    #[error("没有帧头 AA AA AA 96 69（{skipped} 字节无法识别）")]
    NoPreamble { skipped: usize },
    #[error("帧后多出 {0} 字节")]
    TrailingBytes(usize),
    #[error("帧体 {0} 字节，放不进一帧")]
    BodyTooLong(usize),
}

/// The check byte over `bytes` (the length and the body): their XOR.
pub fn check_byte(bytes: &[u8]) -> u8 {
    bytes.iter().fold(0, |acc, b| acc ^ b)
}

/// The frame carrying `body` (CMD and Para and data, or SW1–SW3 and data).
pub fn encode(body: &[u8]) -> Result<Vec<u8>, FrameError> {
    let length = u16::try_from(body.len() + 1)
        .ok()
        .filter(|l| *l <= MAX_LENGTH)
        .ok_or(FrameError::BodyTooLong(body.len()))?;
    let mut out = Vec::with_capacity(HEAD_LEN + body.len() + 1);
    out.extend_from_slice(&PREAMBLE);
    out.extend_from_slice(&length.to_be_bytes());
    out.extend_from_slice(body);
    out.push(check_byte(&out[PREAMBLE.len()..]));
    Ok(out)
}

/// Overwrites `bytes` with zeros in a way the optimiser keeps.
fn wipe(bytes: &mut [u8]) {
    bytes.fill(0);
    std::hint::black_box(bytes);
}

/// One whole frame whose length and check byte were right.
pub struct Frame {
    /// Preamble, length, body, check byte.
    bytes: Vec<u8>,
}

impl Frame {
    /// What the length counts, less the check byte.
    pub fn body(&self) -> &[u8] {
        &self.bytes[HEAD_LEN..self.bytes.len() - 1]
    }

    /// The whole frame as it travelled.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

impl std::fmt::Debug for Frame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Frame({} bytes)", self.bytes.len())
    }
}

impl Drop for Frame {
    fn drop(&mut self) {
        wipe(&mut self.bytes);
    }
}

/// Bytes as they arrive, and the frames in them.
pub struct FrameBuffer {
    direction: Direction,
    bytes: Vec<u8>,
    skipped: usize,
}

impl FrameBuffer {
    pub fn new(direction: Direction) -> FrameBuffer {
        FrameBuffer {
            direction,
            bytes: Vec::new(),
            skipped: 0,
        }
    }

    pub fn push(&mut self, bytes: &[u8]) {
        self.bytes.extend_from_slice(bytes);
    }

    /// Bytes dropped so far because they were not (or not in) a frame.
    pub fn skipped(&self) -> usize {
        self.skipped
    }

    /// Bytes held that are not a whole frame yet.
    pub fn pending(&self) -> usize {
        self.bytes.len()
    }

    /// Forgets everything held.
    pub fn clear(&mut self) {
        wipe(&mut self.bytes);
        self.bytes.clear();
    }

    /// Drops the first `n` bytes held, counting them as skipped.
    fn skip(&mut self, n: usize) {
        wipe(&mut self.bytes[..n]);
        self.bytes.drain(..n);
        self.skipped += n;
    }

    /// The next whole frame, `None` while one is still arriving. Bytes
    /// before a preamble are dropped. A frame whose length or check byte
    /// is wrong is an error; its first byte is dropped, so a later call
    /// looks for the next preamble after it.
    pub fn next_frame(&mut self) -> Result<Option<Frame>, FrameError> {
        match find(&self.bytes, &PREAMBLE) {
            Some(0) => {}
            Some(at) => self.skip(at),
            None => {
                // Keep a tail that may be the start of a preamble.
                let keep = (1..PREAMBLE.len())
                    .rev()
                    .find(|k| self.bytes.ends_with(&PREAMBLE[..*k]))
                    .unwrap_or(0);
                let drop = self.bytes.len().saturating_sub(keep);
                self.skip(drop);
                return Ok(None);
            }
        }
        if self.bytes.len() < HEAD_LEN {
            return Ok(None);
        }
        let length = u16::from_be_bytes([self.bytes[5], self.bytes[6]]);
        let minimum = self.direction.min_length();
        if length < minimum {
            self.skip(1);
            return Err(FrameError::LengthTooShort { length, minimum });
        }
        if length > MAX_LENGTH {
            self.skip(1);
            return Err(FrameError::LengthTooLong { length });
        }
        let end = HEAD_LEN + usize::from(length);
        if self.bytes.len() < end {
            return Ok(None);
        }
        let computed = check_byte(&self.bytes[PREAMBLE.len()..end - 1]);
        let received = self.bytes[end - 1];
        if computed != received {
            self.skip(1);
            return Err(FrameError::CheckByte { computed, received });
        }
        let rest = self.bytes.split_off(end);
        let bytes = std::mem::replace(&mut self.bytes, rest);
        Ok(Some(Frame { bytes }))
    }
}

impl Drop for FrameBuffer {
    fn drop(&mut self) {
        wipe(&mut self.bytes);
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Exactly one frame in `bytes` (anything before its preamble skipped).
pub fn decode(bytes: &[u8], direction: Direction) -> Result<Frame, FrameError> {
    let mut buf = FrameBuffer::new(direction);
    buf.push(bytes);
    match buf.next_frame()? {
        Some(frame) if buf.pending() == 0 => Ok(frame),
        Some(_) => Err(FrameError::TrailingBytes(buf.pending())),
        None if buf.pending() == 0 => Err(FrameError::NoPreamble {
            skipped: buf.skipped(),
        }),
        None => {
            let expected = if buf.pending() >= HEAD_LEN {
                HEAD_LEN + usize::from(u16::from_be_bytes([buf.bytes[5], buf.bytes[6]]))
            } else {
                HEAD_LEN
            };
            Err(FrameError::Truncated {
                expected,
                got: buf.pending(),
            })
        }
    }
}

/// A reader's answer: the card's SW1 and SW2, the module's SW3 and data.
pub struct Reply {
    frame: Frame,
}

impl Reply {
    /// The reply a frame from the reader carries.
    pub fn from_frame(frame: Frame) -> Result<Reply, FrameError> {
        let length = frame.body().len() + 1;
        let minimum = Direction::FromReader.min_length();
        if length < usize::from(minimum) {
            return Err(FrameError::LengthTooShort {
                length: length as u16,
                minimum,
            });
        }
        Ok(Reply { frame })
    }

    pub fn sw1(&self) -> u8 {
        self.frame.body()[0]
    }

    pub fn sw2(&self) -> u8 {
        self.frame.body()[1]
    }

    /// SW3: the module's status.
    pub fn status(&self) -> Status {
        Status::from_sw3(self.frame.body()[2])
    }

    /// What follows SW3.
    pub fn data(&self) -> &[u8] {
        &self.frame.body()[3..]
    }
}

impl std::fmt::Debug for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Reply {{ sw: {:02X} {:02X} {:02X}, data: {} bytes }}",
            self.sw1(),
            self.sw2(),
            self.status().sw3(),
            self.data().len()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply_frame(body: &[u8]) -> Vec<u8> {
        encode(body).unwrap()
    }

    #[test]
    fn commands_encode_with_the_check_bytes_the_sources_print() {
        // 寻找证/卡, 选取证/卡, 读基本信息, SAM 状态检测.
        assert_eq!(
            encode(&[0x20, 0x01]).unwrap(),
            [0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x20, 0x01, 0x22]
        );
        assert_eq!(encode(&[0x20, 0x02]).unwrap()[9], 0x21);
        assert_eq!(encode(&[0x30, 0x01]).unwrap()[9], 0x32);
        assert_eq!(encode(&[0x11, 0xFF]).unwrap()[9], 0xED);
    }

    #[test]
    fn replies_quoted_in_the_sources_decode() {
        // 读身份证操作失败 and SAM 对卡认证失败, as quoted with their check bytes.
        for (bytes, sw3) in [
            (
                [
                    0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x04, 0x00, 0x00, 0x41, 0x45,
                ],
                0x41,
            ),
            (
                [
                    0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x04, 0x00, 0x00, 0x32, 0x36,
                ],
                0x32,
            ),
        ] {
            let reply = Reply::from_frame(decode(&bytes, Direction::FromReader).unwrap()).unwrap();
            assert_eq!(reply.status().sw3(), sw3);
            assert!(reply.data().is_empty());
        }
        // 寻卡成功 with four bytes of data: check byte 97.
        let found = [
            0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x08, 0x00, 0x00, 0x9F, 0, 0, 0, 0, 0x97,
        ];
        let reply = Reply::from_frame(decode(&found, Direction::FromReader).unwrap()).unwrap();
        assert_eq!(reply.status(), Status::CardFound);
        assert_eq!(reply.data(), [0, 0, 0, 0]);
    }

    #[test]
    fn every_byte_after_the_preamble_is_in_the_check() {
        let good = reply_frame(&[0x00, 0x00, 0x90, 0x12, 0x34]);
        decode(&good, Direction::FromReader).unwrap();
        // Flip one bit of each byte from the length to the check byte:
        // every flip is caught.
        for i in PREAMBLE.len()..good.len() {
            let mut bad = good.clone();
            bad[i] ^= 0x01;
            let r = decode(&bad, Direction::FromReader);
            assert!(r.is_err(), "flipping byte {i} went unnoticed");
        }
        // A flipped check byte in particular says what it expected.
        let mut bad = good.clone();
        let last = bad.len() - 1;
        bad[last] ^= 0xFF;
        assert_eq!(
            decode(&bad, Direction::FromReader).unwrap_err(),
            FrameError::CheckByte {
                computed: good[last],
                received: good[last] ^ 0xFF
            }
        );
    }

    #[test]
    fn a_check_byte_of_zero_and_of_ff_are_ordinary_values() {
        // Bodies whose XOR with the length is 00 and FF.
        let zero = reply_frame(&[0x00, 0x00, 0x04]); // 00^04^00^00^04 = 00
        assert_eq!(*zero.last().unwrap(), 0x00);
        decode(&zero, Direction::FromReader).unwrap();
        let ff = reply_frame(&[0x00, 0x00, 0xFB]); // 00^04^FB = FF
        assert_eq!(*ff.last().unwrap(), 0xFF);
        decode(&ff, Direction::FromReader).unwrap();
    }

    #[test]
    fn lengths_at_their_boundaries() {
        let raw = |len: u16, body: &[u8]| {
            let mut v = PREAMBLE.to_vec();
            v.extend_from_slice(&len.to_be_bytes());
            v.extend_from_slice(body);
            let c = check_byte(&v[5..]);
            v.push(c);
            v
        };
        // The shortest reply: SW1 SW2 SW3 and the check byte.
        decode(&raw(4, &[0, 0, 0x90]), Direction::FromReader).unwrap();
        assert_eq!(
            decode(&raw(3, &[0, 0]), Direction::FromReader).unwrap_err(),
            FrameError::LengthTooShort {
                length: 3,
                minimum: 4
            }
        );
        // …but three bytes is a whole command.
        decode(&raw(3, &[0x20, 0x01]), Direction::ToReader).unwrap();
        assert!(matches!(
            decode(&raw(2, &[0x20]), Direction::ToReader),
            Err(FrameError::LengthTooShort { .. })
        ));
        assert!(matches!(
            decode(&raw(0, &[]), Direction::FromReader),
            Err(FrameError::LengthTooShort { length: 0, .. })
        ));
        // The longest accepted, and one more.
        let body = vec![0u8; usize::from(MAX_LENGTH) - 1];
        decode(&raw(MAX_LENGTH, &body), Direction::FromReader).unwrap();
        let mut head = PREAMBLE.to_vec();
        head.extend_from_slice(&(MAX_LENGTH + 1).to_be_bytes());
        let mut b = FrameBuffer::new(Direction::FromReader);
        b.push(&head);
        assert_eq!(
            b.next_frame().unwrap_err(),
            FrameError::LengthTooLong {
                length: MAX_LENGTH + 1
            }
        );
        assert!(encode(&body).is_ok());
        assert_eq!(
            encode(&[0u8; MAX_LENGTH as usize]).unwrap_err(),
            FrameError::BodyTooLong(usize::from(MAX_LENGTH))
        );
        // A length one short of the bytes sent: the frame "ends" early and
        // its check byte is a data byte.
        let mut short = raw(6, &[0, 0, 0x90, 1, 2]);
        short[6] = 5;
        assert!(decode(&short, Direction::FromReader).is_err());
    }

    #[test]
    fn a_truncated_frame_waits_and_then_says_so() {
        let whole = reply_frame(&[0x00, 0x00, 0x90, 1, 2, 3]);
        for cut in 1..whole.len() {
            let mut b = FrameBuffer::new(Direction::FromReader);
            b.push(&whole[..cut]);
            assert!(b.next_frame().unwrap().is_none(), "cut at {cut}");
            b.push(&whole[cut..]);
            let f = b.next_frame().unwrap().expect("whole once the rest came");
            assert_eq!(f.body(), [0x00, 0x00, 0x90, 1, 2, 3]);
        }
        assert_eq!(
            decode(&whole[..whole.len() - 2], Direction::FromReader).unwrap_err(),
            FrameError::Truncated {
                expected: whole.len(),
                got: whole.len() - 2
            }
        );
        assert_eq!(
            decode(&whole[..6], Direction::FromReader).unwrap_err(),
            FrameError::Truncated {
                expected: HEAD_LEN,
                got: 6
            }
        );
    }

    #[test]
    fn garbage_before_the_preamble_is_skipped() {
        let whole = reply_frame(&[0x00, 0x00, 0x9F, 0, 0, 0, 0]);
        // Including bytes that begin like a preamble.
        let mut bytes = vec![0x13, 0xAA, 0xAA, 0x96, 0xAA, 0x00, 0xFF];
        let garbage = bytes.len();
        bytes.extend_from_slice(&whole);
        let mut b = FrameBuffer::new(Direction::FromReader);
        b.push(&bytes);
        let f = b.next_frame().unwrap().unwrap();
        assert_eq!(f.bytes(), whole.as_slice());
        assert_eq!(b.skipped(), garbage);
        // Garbage alone: nothing, and nothing kept but a possible start.
        let mut b = FrameBuffer::new(Direction::FromReader);
        b.push(&[1, 2, 3, 0xAA, 0xAA]);
        assert!(b.next_frame().unwrap().is_none());
        assert_eq!(b.pending(), 2, "AA AA may begin a preamble");
        b.push(&[0xAA, 0x96, 0x69]);
        b.push(&whole[5..]);
        assert!(b.next_frame().unwrap().is_some());
        assert_eq!(
            decode(&[0x55; 9], Direction::FromReader).unwrap_err(),
            FrameError::NoPreamble { skipped: 9 }
        );
        // Two frames back to back, and bytes after the one decode wants.
        let mut two = whole.clone();
        two.extend_from_slice(&whole);
        let mut b = FrameBuffer::new(Direction::FromReader);
        b.push(&two);
        assert!(b.next_frame().unwrap().is_some());
        assert!(b.next_frame().unwrap().is_some());
        assert_eq!(
            decode(&two, Direction::FromReader).unwrap_err(),
            FrameError::TrailingBytes(whole.len())
        );
    }

    #[test]
    fn after_a_bad_frame_the_next_good_one_is_found() {
        let mut bad = reply_frame(&[0x00, 0x00, 0x90, 7]);
        let last = bad.len() - 1;
        bad[last] ^= 0x55;
        let good = reply_frame(&[0x00, 0x00, 0x80]);
        let mut b = FrameBuffer::new(Direction::FromReader);
        b.push(&bad);
        b.push(&good);
        assert!(matches!(b.next_frame(), Err(FrameError::CheckByte { .. })));
        let f = b.next_frame().unwrap().unwrap();
        assert_eq!(f.body(), [0x00, 0x00, 0x80]);
    }

    #[test]
    fn debug_output_shows_no_bytes() {
        let f = decode(
            &reply_frame(&[0x00, 0x00, 0x90, 0xDE, 0xAD, 0xBE, 0xEF]),
            Direction::FromReader,
        )
        .unwrap();
        assert_eq!(format!("{f:?}"), "Frame(15 bytes)");
        let r = Reply::from_frame(f).unwrap();
        let shown = format!("{r:?}");
        assert_eq!(shown, "Reply { sw: 00 00 90, data: 4 bytes }");
        assert!(!shown.to_lowercase().contains("de"));
    }
}
