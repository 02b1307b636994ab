//! The printer's real-time status: `DLE EOT n` for n = 1 (printer),
//! 2 (offline cause), 3 (error cause) and 4 (roll paper sensor). Each reply
//! is one byte, checked against the fixed bit pattern `0xx1xx10` by the
//! `escpos` crate's parser before any bit is believed.

use std::time::Duration;

use escpos::utils::{RealTimeStatusRequest, RealTimeStatusResponse};

/// The four queries, in the order they are asked.
pub const QUERIES: [u8; 4] = [1, 2, 3, 4];

/// `DLE EOT n`. The three-byte form of the Epson reference: the `escpos`
/// crate's builder appends a fourth byte (0) meant for n = 7, 8 and 18.
pub fn query_command(n: u8) -> [u8; 3] {
    [0x10, 0x04, n]
}

/// Something that can ask the printer and read its one-byte replies.
pub trait StatusLink {
    /// Drops bytes the printer sent earlier and nobody read.
    fn discard_input(&self) -> std::io::Result<()>;
    fn send(&self, bytes: &[u8]) -> std::io::Result<()>;
    /// One byte, or `None` when nothing arrives within `timeout`.
    fn read_byte(&self, timeout: Duration) -> std::io::Result<Option<u8>>;
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatusError {
    #[error("打印机无响应（未连接、未开机或离线）")]
    NoReply { query: u8 },
    #[error("打印机应答无效（查询 {query}，收到 0x{byte:02X}）")]
    InvalidReply { query: u8, byte: u8 },
    #[error("打印机连接出错：{0}")]
    Io(String),
}

/// What the four replies say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PrinterState {
    pub offline: bool,
    pub cover_open: bool,
    pub paper_out: bool,
    pub paper_near_end: bool,
    pub cutter_error: bool,
    pub unrecoverable_error: bool,
    pub recoverable_error: bool,
}

impl PrinterState {
    /// Interprets the replies to `DLE EOT 1..4`.
    pub fn from_replies(replies: [u8; 4]) -> Result<PrinterState, StatusError> {
        let parse = |query: u8, req: RealTimeStatusRequest| {
            let byte = replies[query as usize - 1];
            RealTimeStatusResponse::parse(req, byte)
                .map_err(|_| StatusError::InvalidReply { query, byte })
        };
        let p = parse(1, RealTimeStatusRequest::Printer)?;
        let o = parse(2, RealTimeStatusRequest::OfflineCause)?;
        let e = parse(3, RealTimeStatusRequest::ErrorCause)?;
        let r = parse(4, RealTimeStatusRequest::RollPaperSensor)?;
        let yes = |m: &std::collections::HashMap<RealTimeStatusResponse, bool>, k| {
            m.get(&k).copied().unwrap_or(false)
        };
        Ok(PrinterState {
            offline: !yes(&p, RealTimeStatusResponse::Online),
            cover_open: !yes(&o, RealTimeStatusResponse::CoverClosed),
            paper_out: yes(&o, RealTimeStatusResponse::PrintingStopsDueToPaperEnd)
                || !yes(&r, RealTimeStatusResponse::RollPaperEndSensorPaperPresent),
            paper_near_end: !yes(
                &r,
                RealTimeStatusResponse::RollPaperNearEndSensorPaperAdequate,
            ),
            cutter_error: yes(&e, RealTimeStatusResponse::AutocutterErrorOccurred),
            unrecoverable_error: yes(&e, RealTimeStatusResponse::UnrecoverableErrorOccurred),
            recoverable_error: yes(&e, RealTimeStatusResponse::RecoverableErrorOccurred)
                || yes(&e, RealTimeStatusResponse::AutoRecoverableErrorOccurred),
        })
    }

    /// Why a receipt cannot be printed now, in words for the citizen;
    /// `None` when it can.
    pub fn blocking_problem(&self) -> Option<&'static str> {
        if self.paper_out {
            Some("打印机缺纸")
        } else if self.cover_open {
            Some("打印机盖未关好")
        } else if self.cutter_error {
            Some("打印机切刀故障")
        } else if self.unrecoverable_error || self.recoverable_error {
            Some("打印机故障")
        } else if self.offline {
            Some("打印机离线")
        } else {
            None
        }
    }

    /// The replies a printer in this state sends (the fake printer and the
    /// memory driver answer with these).
    pub fn replies(&self) -> [u8; 4] {
        let base = 0b0001_0010;
        let bit = |on: bool, b: u8| if on { 1 << b } else { 0 };
        [
            base | bit(self.offline, 3),
            base | bit(self.cover_open, 2)
                | bit(self.paper_out, 5)
                | bit(
                    self.cutter_error || self.unrecoverable_error || self.recoverable_error,
                    6,
                ),
            base | bit(self.recoverable_error, 2)
                | bit(self.cutter_error, 3)
                | bit(self.unrecoverable_error, 5),
            base | bit(self.paper_near_end, 2)
                | bit(self.paper_near_end, 3)
                | bit(self.paper_out, 5)
                | bit(self.paper_out, 6),
        ]
    }
}

/// Asks the four statuses, each reply within `timeout`.
pub fn query(link: &dyn StatusLink, timeout: Duration) -> Result<PrinterState, StatusError> {
    let io = |e: std::io::Error| StatusError::Io(e.to_string());
    link.discard_input().map_err(io)?;
    let mut replies = [0u8; 4];
    for n in QUERIES {
        link.send(&query_command(n)).map_err(io)?;
        replies[n as usize - 1] = link
            .read_byte(timeout)
            .map_err(io)?
            .ok_or(StatusError::NoReply { query: n })?;
    }
    PrinterState::from_replies(replies)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(state: PrinterState, problem: Option<&str>) {
        let back = PrinterState::from_replies(state.replies()).unwrap();
        assert_eq!(back, state);
        assert_eq!(back.blocking_problem(), problem, "{state:?}");
    }

    #[test]
    fn states_round_trip_through_their_replies() {
        check(PrinterState::default(), None);
        check(
            PrinterState {
                paper_near_end: true,
                ..Default::default()
            },
            None,
        );
        check(
            PrinterState {
                paper_out: true,
                paper_near_end: true,
                ..Default::default()
            },
            Some("打印机缺纸"),
        );
        check(
            PrinterState {
                cover_open: true,
                ..Default::default()
            },
            Some("打印机盖未关好"),
        );
        check(
            PrinterState {
                offline: true,
                ..Default::default()
            },
            Some("打印机离线"),
        );
        check(
            PrinterState {
                cutter_error: true,
                ..Default::default()
            },
            Some("打印机切刀故障"),
        );
        // A ready printer answers 0x12 to every query.
        assert_eq!(PrinterState::default().replies(), [0x12; 4]);
    }

    #[test]
    fn replies_outside_the_fixed_pattern_are_refused() {
        for (replies, query) in [
            ([0x00, 0x12, 0x12, 0x12], 1),
            ([0x12, 0xFF, 0x12, 0x12], 2),
            ([0x12, 0x12, 0x13, 0x12], 3), // bit 0 set
            ([0x12, 0x12, 0x12, 0x92], 4), // bit 7 set
        ] {
            assert_eq!(
                PrinterState::from_replies(replies),
                Err(StatusError::InvalidReply {
                    query,
                    byte: replies[query as usize - 1]
                })
            );
        }
    }
}
