//! The commands this crate sends: CMD and Para of 寻找证/卡, 选取证/卡 and
//! 读基本信息 (the text and the photo, no fingerprints).

use crate::frame::{self, FrameError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// 寻找证/卡 `20 01`: is a card on the reader?
    FindCard,
    /// 选取证/卡 `20 02`.
    SelectCard,
    /// 读基本信息 `30 01`: the text block and the photo.
    ReadBaseInfo,
}

impl Command {
    pub const ALL: [Command; 3] = [Self::FindCard, Self::SelectCard, Self::ReadBaseInfo];

    /// CMD and Para.
    pub fn code(self) -> [u8; 2] {
        match self {
            Self::FindCard => [0x20, 0x01],
            Self::SelectCard => [0x20, 0x02],
            Self::ReadBaseInfo => [0x30, 0x01],
        }
    }

    pub fn from_code(code: [u8; 2]) -> Option<Command> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }

    /// The command's name in the protocol.
    pub fn name(self) -> &'static str {
        match self {
            Self::FindCard => "寻找证/卡",
            Self::SelectCard => "选取证/卡",
            Self::ReadBaseInfo => "读基本信息",
        }
    }

    /// The frame to send.
    pub fn frame(self) -> Result<Vec<u8>, FrameError> {
        frame::encode(&self.code())
    }
}

impl std::fmt::Display for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for c in Command::ALL {
            assert_eq!(Command::from_code(c.code()), Some(c));
        }
        assert_eq!(Command::from_code([0x30, 0x10]), None);
        assert_eq!(Command::ReadBaseInfo.frame().unwrap().len(), 10);
    }
}
