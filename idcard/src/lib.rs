//! Second-generation resident ID cards (第二代居民身份证) read through the
//! reader's SAM module (身份证验证安全控制模块) over its serial line.
//!
//! The protocol, as the sources below describe it:
//!
//! - A frame is the preamble `AA AA AA 96 69`, a two-byte big-endian
//!   length counting everything after it (command: CMD, Para, data and the
//!   check byte; reply: SW1, SW2, SW3, data and the check byte), the body
//!   and a check byte: the XOR of every byte after the preamble — the
//!   length included — up to the check byte ([`frame`]).
//! - 寻找证/卡 is `20 01`, 选取证/卡 `20 02`, 读基本信息 (读固定信息) `30 01`
//!   ([`command`]). A card is read by all three in that order.
//! - SW3 is the module's own status: `90` success, `9F` card found (with
//!   four bytes of data), `80` no card found, `81` card not selected, and a
//!   table of errors ([`status`]). SW1 and SW2 relay the card's APDU status.
//! - 读基本信息 answers with the text's length and the photo's length (two
//!   bytes each, big-endian), the 256-byte text block and the 1024-byte
//!   photo (WLT). The text block is UCS-2 little-endian padded with spaces:
//!   name 30 bytes, sex 2, nation 4, birth date 16 (YYYYMMDD), address 70,
//!   ID number 36, issuing authority 30, validity start 16, validity end 16
//!   (YYYYMMDD or 长期), then 36 reserved bytes ([`card`]).
//!
//! The photo is never decoded or kept: it is skipped by its length inside
//! the frame that carried it, whose bytes are overwritten when the frame is
//! dropped, and no `Debug` output or log shows it. [`card::IdCard`]'s own
//! `Debug` shows masked values only.
//!
//! Sources the protocol was checked against (read, not copied):
//! - softs.im, 身份证阅读器通信协议
//!   (<https://softs.im/身份证阅读器通信协议>): frame layout, length
//!   semantics, the XOR rule, the command table and the SW3 table; on the
//!   NFC page of the same site two replies with their check bytes
//!   (`AA AA AA 96 69 00 04 00 00 41 45`, `… 00 04 00 00 32 36`), which
//!   show that the length bytes are inside the XOR.
//! - 公安部身份证阅读器模块SAM通讯协议, as republished by 东信
//!   (<http://eastcoms.com/service/downdrive/508.html>,
//!   <https://blog.csdn.net/zhangbijun1230/article/details/85242964>):
//!   UART 115200 8N1 by default (57600, 38400, 19200, 9600 possible), the
//!   frame tables and the check byte's definition.
//! - 东信, 身份证阅读器SAM模块身份证信息解析说明
//!   (<http://eastcoms.com/service/downdrive/533.html>): a real reply's
//!   head `AA AA AA 96 69 05 08 00 00 90 01 00 04 00` — length 0x0508 =
//!   1288 = 3 + 2 + 2 + 256 + 1024 + 1, text length 0x0100, photo 0x0400;
//!   and (<http://www.chinasem.cn/article/392748>) a text block decoded
//!   field by field, UCS-2LE padded with `20 00`.
//! - wiki.nfc.im, 二代居民身份证: the text file of GA/T 490, 256 bytes,
//!   with each field's size and the 36 reserved bytes; the photo file of
//!   1024 bytes (WLT).
//! - Public code using the same commands: `HX_FDX3CardReader.h` and a
//!   GLib reader by Heiher (`hev-dbus-object-idcard-reader.c`: the three
//!   commands with check bytes `22`, `21`, `32`; the text at offset 14 of
//!   the reply), `lochyhuang/DKCloudID_UART_Andoird` (`IDCardData.java`:
//!   the two lengths at offsets 10 and 12), `Kunoon/BeiST20141020`
//!   (`ID2Info.java`: field offsets 0/30/32/36/52/122/158/188/204),
//!   `waitingsong/node-idcard-reader` (README: the end date is a date or
//!   长期).
//! - The card-type mark at offset 248 of the text block (`I` on the 2017
//!   foreigners' permanent residence card): afzhan.com, 外国人身份证居留证
//!   芯片机读数据项. A resident ID card has spaces there.

pub mod card;
pub mod command;
pub mod emulator;
pub mod frame;
pub mod reader;
pub mod status;

pub use card::{CardError, IdCard, Sex, Validity};
pub use command::Command;
pub use frame::FrameError;
pub use reader::{CardEvent, CardWatcher, IdCardReader, ReaderError, ReaderSettings};
pub use status::Status;
