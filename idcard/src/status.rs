//! SW3, the SAM module's own status byte in every reply, and what each
//! value means (the table of the 公安部 SAM 通讯协议, as republished by the
//! sources in the crate's documentation). SW1 and SW2 only relay the
//! card's APDU status and are not interpreted.

/// SW3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// `90` 操作成功.
    Success,
    /// `91` 证/卡中此项无内容.
    NoContent,
    /// `9F` 寻找证/卡成功.
    CardFound,
    /// `10` 接收业务终端数据的校验和错.
    CheckByteRejected,
    /// `11` 接收业务终端数据的长度错.
    LengthRejected,
    /// `21` 接收业务终端的命令错误.
    CommandRejected,
    /// `23` 越权操作.
    NotPermitted,
    /// `24` 无法识别的错误.
    Unrecognised,
    /// `31` 证/卡认证SAM失败.
    CardRejectedSam,
    /// `32` SAM认证证/卡失败.
    SamRejectedCard,
    /// `33` 信息验证错误.
    VerificationFailed,
    /// `40` 无法识别的卡类型.
    UnknownCardType,
    /// `41` 读证/卡操作失败.
    ReadFailed,
    /// `47` 取随机数失败.
    RandomFailed,
    /// `60` SAM自检失败，不能接收命令.
    SelfTestFailed,
    /// `66` SAM未经授权，无法使用.
    NotAuthorised,
    /// `80` 寻找证/卡失败: no card on the reader.
    NoCardFound,
    /// `81` 选取证/卡失败: the card went before it was selected.
    SelectFailed,
    /// Any other value.
    Other(u8),
}

impl Status {
    const TABLE: [(u8, Status); 18] = [
        (0x90, Status::Success),
        (0x91, Status::NoContent),
        (0x9F, Status::CardFound),
        (0x10, Status::CheckByteRejected),
        (0x11, Status::LengthRejected),
        (0x21, Status::CommandRejected),
        (0x23, Status::NotPermitted),
        (0x24, Status::Unrecognised),
        (0x31, Status::CardRejectedSam),
        (0x32, Status::SamRejectedCard),
        (0x33, Status::VerificationFailed),
        (0x40, Status::UnknownCardType),
        (0x41, Status::ReadFailed),
        (0x47, Status::RandomFailed),
        (0x60, Status::SelfTestFailed),
        (0x66, Status::NotAuthorised),
        (0x80, Status::NoCardFound),
        (0x81, Status::SelectFailed),
    ];

    pub fn from_sw3(sw3: u8) -> Status {
        Self::TABLE
            .iter()
            .find(|(b, _)| *b == sw3)
            .map_or(Status::Other(sw3), |(_, s)| *s)
    }

    pub fn sw3(self) -> u8 {
        match self {
            Status::Other(b) => b,
            s => Self::TABLE
                .iter()
                .find(|(_, t)| *t == s)
                .map_or(0, |(b, _)| *b),
        }
    }

    /// No card there (any more): `80` or `81`.
    pub fn is_no_card(self) -> bool {
        matches!(self, Status::NoCardFound | Status::SelectFailed)
    }

    /// What the value means, in the protocol's words.
    pub fn meaning(self) -> String {
        let text = match self {
            Status::Success => "操作成功",
            Status::NoContent => "证/卡中此项无内容",
            Status::CardFound => "寻找证/卡成功",
            Status::CheckByteRejected => "阅读器收到的数据校验和错",
            Status::LengthRejected => "阅读器收到的数据长度错",
            Status::CommandRejected => "阅读器收到的命令错误",
            Status::NotPermitted => "越权操作",
            Status::Unrecognised => "无法识别的错误",
            Status::CardRejectedSam => "证/卡认证安全模块失败",
            Status::SamRejectedCard => "安全模块认证证/卡失败",
            Status::VerificationFailed => "信息验证错误",
            Status::UnknownCardType => "无法识别的卡类型",
            Status::ReadFailed => "读证/卡操作失败",
            Status::RandomFailed => "取随机数失败",
            Status::SelfTestFailed => "安全模块自检失败，不能接收命令",
            Status::NotAuthorised => "安全模块未经授权，无法使用",
            Status::NoCardFound => "寻找证/卡失败（没有卡）",
            Status::SelectFailed => "选取证/卡失败",
            Status::Other(b) => return format!("未知状态 {b:02X}"),
        };
        text.to_string()
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}（SW3={:02X}）", self.meaning(), self.sw3())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_byte_round_trips_and_has_a_meaning() {
        for b in 0..=255u8 {
            let s = Status::from_sw3(b);
            assert_eq!(s.sw3(), b);
            assert!(!s.meaning().is_empty());
        }
        assert_eq!(Status::from_sw3(0x90), Status::Success);
        assert_eq!(Status::from_sw3(0x9F), Status::CardFound);
        assert!(Status::from_sw3(0x80).is_no_card());
        assert!(Status::from_sw3(0x81).is_no_card());
        assert!(!Status::from_sw3(0x41).is_no_card());
        assert_eq!(Status::from_sw3(0x77), Status::Other(0x77));
        assert_eq!(Status::ReadFailed.to_string(), "读证/卡操作失败（SW3=41）");
    }
}
