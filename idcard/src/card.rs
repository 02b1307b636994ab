//! The card's text block (机读文字信息, GA/T 490: 256 bytes of UCS-2
//! little-endian, each field padded with spaces) and what 读基本信息
//! answers around it: the text's length, the photo's length, the text, the
//! photo. [`IdCard`] is the checked card; its `Debug` shows masked values
//! only. The photo is skipped by its length, never decoded or copied.

use disclosure::Date;
use disclosure::identity::{IdNumber, IdentityError, mask_address, mask_id_number};
use disclosure::requests::store::mask_name;

/// Bytes of the text block.
pub const TEXT_LEN: usize = 256;
/// Bytes of the photo (WLT) a card carries.
pub const PHOTO_LEN: usize = 1024;

/// Where each field of the text block lies: offset and length in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpan {
    /// The field's name on the card.
    pub name: &'static str,
    pub offset: usize,
    pub len: usize,
}

impl FieldSpan {
    const fn new(name: &'static str, offset: usize, len: usize) -> FieldSpan {
        FieldSpan { name, offset, len }
    }

    fn bytes(self, block: &[u8]) -> &[u8] {
        &block[self.offset..self.offset + self.len]
    }
}

pub const NAME: FieldSpan = FieldSpan::new("姓名", 0, 30);
pub const SEX: FieldSpan = FieldSpan::new("性别", 30, 2);
pub const NATION: FieldSpan = FieldSpan::new("民族", 32, 4);
pub const BIRTH: FieldSpan = FieldSpan::new("出生日期", 36, 16);
pub const ADDRESS: FieldSpan = FieldSpan::new("住址", 52, 70);
pub const NUMBER: FieldSpan = FieldSpan::new("公民身份号码", 122, 36);
pub const AUTHORITY: FieldSpan = FieldSpan::new("签发机关", 158, 30);
pub const VALID_FROM: FieldSpan = FieldSpan::new("有效期起始日期", 188, 16);
pub const VALID_UNTIL: FieldSpan = FieldSpan::new("有效期截止日期", 204, 16);
/// Reserved on a resident ID card (spaces); other cards read by the same
/// readers put a card-type letter here (`I`: foreigners' permanent
/// residence card).
pub const CARD_TYPE: FieldSpan = FieldSpan::new("证件类型标识", 248, 2);

/// Every field of a resident ID card, in order.
pub const FIELDS: [FieldSpan; 9] = [
    NAME,
    SEX,
    NATION,
    BIRTH,
    ADDRESS,
    NUMBER,
    AUTHORITY,
    VALID_FROM,
    VALID_UNTIL,
];

/// Why a card's data is refused. No message carries the card's contents.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CardError {
    #[error("读基本信息的应答只有 {0} 字节，没有文字和照片的长度")]
    NoLengths(usize),
    #[error("文字信息应为 {TEXT_LEN} 字节，读到 {0} 字节")]
    TextLength(usize),
    #[error("应答长度不符：文字 {text} 字节、照片 {photo} 字节，应答数据却有 {data} 字节")]
    Layout {
        text: usize,
        photo: usize,
        data: usize,
    },
    #[error("{0}不是有效的文字（UCS-2）")]
    Encoding(&'static str),
    #[error("{0}为空")]
    Empty(&'static str),
    #[error("性别代码无效")]
    Sex,
    #[error("民族代码无效")]
    Nation,
    #[error("{0}不是有效日期")]
    Date(&'static str),
    #[error("公民身份号码无效：{0}")]
    IdNumber(&'static str),
    #[error("出生日期与公民身份号码不符")]
    BirthMismatch,
    #[error("有效期截止日期早于起始日期")]
    ValidityOrder,
    #[error("这张证件不是居民身份证（证件类型标识“{0}”）")]
    NotResidentCard(char),
}

/// 性别 (GB/T 2261.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    /// `0` 未知的性别.
    Unknown,
    /// `1` 男.
    Male,
    /// `2` 女.
    Female,
    /// `9` 未说明的性别.
    Unstated,
}

impl Sex {
    pub fn from_code(c: char) -> Option<Sex> {
        Some(match c {
            '0' => Sex::Unknown,
            '1' => Sex::Male,
            '2' => Sex::Female,
            '9' => Sex::Unstated,
            _ => return None,
        })
    }

    pub fn code(self) -> char {
        match self {
            Sex::Unknown => '0',
            Sex::Male => '1',
            Sex::Female => '2',
            Sex::Unstated => '9',
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Sex::Unknown => "未知",
            Sex::Male => "男",
            Sex::Female => "女",
            Sex::Unstated => "未说明",
        }
    }
}

/// 民族 by code (GB/T 3304), as printed on the card (without 族).
const NATIONS: [(u8, &str); 58] = [
    (1, "汉"),
    (2, "蒙古"),
    (3, "回"),
    (4, "藏"),
    (5, "维吾尔"),
    (6, "苗"),
    (7, "彝"),
    (8, "壮"),
    (9, "布依"),
    (10, "朝鲜"),
    (11, "满"),
    (12, "侗"),
    (13, "瑶"),
    (14, "白"),
    (15, "土家"),
    (16, "哈尼"),
    (17, "哈萨克"),
    (18, "傣"),
    (19, "黎"),
    (20, "傈僳"),
    (21, "佤"),
    (22, "畲"),
    (23, "高山"),
    (24, "拉祜"),
    (25, "水"),
    (26, "东乡"),
    (27, "纳西"),
    (28, "景颇"),
    (29, "柯尔克孜"),
    (30, "土"),
    (31, "达斡尔"),
    (32, "仫佬"),
    (33, "羌"),
    (34, "布朗"),
    (35, "撒拉"),
    (36, "毛南"),
    (37, "仡佬"),
    (38, "锡伯"),
    (39, "阿昌"),
    (40, "普米"),
    (41, "塔吉克"),
    (42, "怒"),
    (43, "乌孜别克"),
    (44, "俄罗斯"),
    (45, "鄂温克"),
    (46, "德昂"),
    (47, "保安"),
    (48, "裕固"),
    (49, "京"),
    (50, "塔塔尔"),
    (51, "独龙"),
    (52, "鄂伦春"),
    (53, "赫哲"),
    (54, "门巴"),
    (55, "珞巴"),
    (56, "基诺"),
    (97, "其他"),
    (98, "外国血统中国籍人士"),
];

/// The 民族 of a code, if the code is one.
pub fn nation_name(code: u8) -> Option<&'static str> {
    NATIONS.iter().find(|(c, _)| *c == code).map(|(_, n)| *n)
}

/// 有效期限's end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validity {
    /// Valid through this day.
    Until(Date),
    /// 长期.
    LongTerm,
}

/// A resident ID card, checked.
#[derive(Clone, PartialEq, Eq)]
pub struct IdCard {
    name: String,
    sex: Sex,
    nation: u8,
    birth: Date,
    address: String,
    id_number: IdNumber,
    authority: String,
    valid_from: Date,
    valid_until: Validity,
}

impl IdCard {
    /// What 读基本信息 answered after SW3: the two lengths, the text block
    /// and the photo. The photo is passed over by its length.
    pub fn from_base_info(data: &[u8], today: Date) -> Result<IdCard, CardError> {
        if data.len() < 4 {
            return Err(CardError::NoLengths(data.len()));
        }
        let text = usize::from(u16::from_be_bytes([data[0], data[1]]));
        let photo = usize::from(u16::from_be_bytes([data[2], data[3]]));
        if text != TEXT_LEN {
            return Err(CardError::TextLength(text));
        }
        if 4 + text + photo != data.len() {
            return Err(CardError::Layout {
                text,
                photo,
                data: data.len(),
            });
        }
        IdCard::from_text_block(&data[4..4 + text], today)
    }

    /// The 256-byte text block. `today` bounds the birth date the ID
    /// number may carry.
    pub fn from_text_block(block: &[u8], today: Date) -> Result<IdCard, CardError> {
        if block.len() != TEXT_LEN {
            return Err(CardError::TextLength(block.len()));
        }
        let mark = text_of(CARD_TYPE, block)?;
        if let Some(c) = mark.chars().next() {
            return Err(CardError::NotResidentCard(c));
        }
        let required = |span: FieldSpan| -> Result<String, CardError> {
            let t = text_of(span, block)?;
            if t.is_empty() {
                Err(CardError::Empty(span.name))
            } else {
                Ok(t)
            }
        };
        let name = required(NAME)?;
        let sex = {
            let t = required(SEX)?;
            let mut cs = t.chars();
            match (cs.next().and_then(Sex::from_code), cs.next()) {
                (Some(s), None) => s,
                _ => return Err(CardError::Sex),
            }
        };
        let nation = {
            let t = required(NATION)?;
            let code = (t.len() == 2 && t.bytes().all(|b| b.is_ascii_digit()))
                .then(|| t.parse::<u8>().ok())
                .flatten()
                .filter(|c| nation_name(*c).is_some());
            code.ok_or(CardError::Nation)?
        };
        let birth_text = required(BIRTH)?;
        let birth = compact_date(&birth_text).ok_or(CardError::Date(BIRTH.name))?;
        let address = required(ADDRESS)?;
        let number = required(NUMBER)?;
        let id_number = IdNumber::parse(&number, today).map_err(|e| {
            CardError::IdNumber(match e {
                IdentityError::IdLength(_) => "不是18位",
                IdentityError::IdCharacters => "含有不允许的字符",
                IdentityError::IdBirthDate(_) => "出生日期不对",
                IdentityError::IdCheckDigit => "校验位不对",
                _ => "格式不对",
            })
        })?;
        if id_number.as_str()[6..14] != birth_text {
            return Err(CardError::BirthMismatch);
        }
        let authority = required(AUTHORITY)?;
        let valid_from =
            compact_date(&required(VALID_FROM)?).ok_or(CardError::Date(VALID_FROM.name))?;
        let until = required(VALID_UNTIL)?;
        let valid_until = if until == "长期" {
            Validity::LongTerm
        } else {
            Validity::Until(compact_date(&until).ok_or(CardError::Date(VALID_UNTIL.name))?)
        };
        if matches!(valid_until, Validity::Until(d) if d < valid_from) {
            return Err(CardError::ValidityOrder);
        }
        Ok(IdCard {
            name,
            sex,
            nation,
            birth,
            address,
            id_number,
            authority,
            valid_from,
            valid_until,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn sex(&self) -> Sex {
        self.sex
    }

    /// The 民族 code (GB/T 3304).
    pub fn nation_code(&self) -> u8 {
        self.nation
    }

    /// 民族, as printed on the card (汉, 蒙古…).
    pub fn nation(&self) -> &'static str {
        nation_name(self.nation).unwrap_or("其他")
    }

    pub fn birth(&self) -> Date {
        self.birth
    }

    pub fn address(&self) -> &str {
        &self.address
    }

    pub fn id_number(&self) -> &IdNumber {
        &self.id_number
    }

    /// 签发机关.
    pub fn authority(&self) -> &str {
        &self.authority
    }

    pub fn valid_from(&self) -> Date {
        self.valid_from
    }

    pub fn valid_until(&self) -> Validity {
        self.valid_until
    }

    /// Whether the card's validity ended before `today` (it is valid
    /// through its last day).
    pub fn is_expired(&self, today: Date) -> bool {
        matches!(self.valid_until, Validity::Until(end) if end < today)
    }
}

impl std::fmt::Debug for IdCard {
    /// Masked, as a screen would show it: nothing here identifies the
    /// holder.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdCard")
            .field("name", &mask_name(&self.name))
            .field("id_number", &self.id_number.masked())
            .field("address", &mask_address(&self.address))
            .field("valid_until", &self.valid_until)
            .finish_non_exhaustive()
    }
}

/// A field's text: UCS-2LE, without the padding (spaces, NULs).
fn text_of(span: FieldSpan, block: &[u8]) -> Result<String, CardError> {
    let units = span
        .bytes(block)
        .chunks_exact(2)
        .map(|p| u16::from_le_bytes([p[0], p[1]]));
    let text: String = char::decode_utf16(units)
        .collect::<Result<_, _>>()
        .map_err(|_| CardError::Encoding(span.name))?;
    if text.chars().any(|c| c.is_control() && c != '\0') {
        return Err(CardError::Encoding(span.name));
    }
    Ok(text
        .trim_matches(|c: char| c == ' ' || c == '\0')
        .to_string())
}

/// `YYYYMMDD`.
fn compact_date(t: &str) -> Option<Date> {
    if t.len() != 8 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Date::from_ymd(
        t[..4].parse().ok()?,
        t[4..6].parse().ok()?,
        t[6..].parse().ok()?,
    )
}

/// The text block's fields as they would be written on a card, for the
/// fake reader and tests: each is encoded as UCS-2LE and padded with
/// spaces to its length (longer text is cut).
#[derive(Clone, PartialEq, Eq)]
pub struct CardText {
    pub name: String,
    /// `1` 男, `2` 女.
    pub sex: String,
    /// Two digits: `01` 汉…
    pub nation: String,
    /// `YYYYMMDD`.
    pub birth: String,
    pub address: String,
    pub number: String,
    pub authority: String,
    /// `YYYYMMDD`.
    pub valid_from: String,
    /// `YYYYMMDD` or `长期`.
    pub valid_until: String,
    /// Blank on a resident ID card.
    pub card_type: String,
}

impl std::fmt::Debug for CardText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CardText")
            .field("name", &mask_name(&self.name))
            .field("number", &mask_id_number(&self.number))
            .field("valid_until", &self.valid_until)
            .finish_non_exhaustive()
    }
}

impl CardText {
    /// The 256 bytes a card with these fields carries.
    pub fn to_block(&self) -> [u8; TEXT_LEN] {
        // Spaces everywhere first: the reserved area is blank too.
        let mut block = [0u8; TEXT_LEN];
        for p in block.chunks_exact_mut(2) {
            p.copy_from_slice(&0x20u16.to_le_bytes());
        }
        let fields = [
            (NAME, &self.name),
            (SEX, &self.sex),
            (NATION, &self.nation),
            (BIRTH, &self.birth),
            (ADDRESS, &self.address),
            (NUMBER, &self.number),
            (AUTHORITY, &self.authority),
            (VALID_FROM, &self.valid_from),
            (VALID_UNTIL, &self.valid_until),
            (CARD_TYPE, &self.card_type),
        ];
        for (span, text) in fields {
            let units = text.encode_utf16().take(span.len / 2);
            for (i, u) in units.enumerate() {
                let at = span.offset + 2 * i;
                block[at..at + 2].copy_from_slice(&u.to_le_bytes());
            }
        }
        block
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        Date::from_ymd(2026, 11, 22).unwrap()
    }

    fn sample() -> CardText {
        CardText {
            name: "王秀英".into(),
            sex: "2".into(),
            nation: "01".into(),
            birth: "19491231".into(),
            address: "云溪县石桥乡石桥村三组12号".into(),
            number: "11010519491231002X".into(),
            authority: "云溪县公安局".into(),
            valid_from: "20160105".into(),
            valid_until: "长期".into(),
            card_type: String::new(),
        }
    }

    fn parse(t: &CardText) -> Result<IdCard, CardError> {
        IdCard::from_text_block(&t.to_block(), today())
    }

    #[test]
    fn the_fields_lie_where_the_standard_puts_them() {
        // Contiguous from 0 to 220, then 36 reserved bytes.
        let mut at = 0;
        for f in FIELDS {
            assert_eq!(f.offset, at, "{}", f.name);
            assert_eq!(f.len % 2, 0);
            at += f.len;
        }
        assert_eq!(at, 220);
        assert!(CARD_TYPE.offset >= at && CARD_TYPE.offset + CARD_TYPE.len <= TEXT_LEN);
        // UCS-2LE, space padded: 王 is U+738B.
        let block = sample().to_block();
        assert_eq!(&block[..4], &[0x8B, 0x73, 0xC0, 0x79]);
        assert_eq!(&block[6..8], &[0x20, 0x00]);
        assert_eq!(&block[30..32], &[b'2', 0]);
        assert_eq!(&block[122..124], &[b'1', 0]);
    }

    #[test]
    fn a_card_reads_back_field_by_field() {
        let c = parse(&sample()).unwrap();
        assert_eq!(c.name(), "王秀英");
        assert_eq!(c.sex(), Sex::Female);
        assert_eq!(c.nation(), "汉");
        assert_eq!(c.birth(), Date::from_ymd(1949, 12, 31).unwrap());
        assert_eq!(c.address(), "云溪县石桥乡石桥村三组12号");
        assert_eq!(c.id_number().as_str(), "11010519491231002X");
        assert_eq!(c.authority(), "云溪县公安局");
        assert_eq!(c.valid_from(), Date::from_ymd(2016, 1, 5).unwrap());
        assert_eq!(c.valid_until(), Validity::LongTerm);
        assert!(!c.is_expired(Date::from_ymd(2199, 1, 1).unwrap()));
    }

    #[test]
    fn fields_that_fill_their_whole_width_have_no_padding() {
        let mut t = sample();
        t.name = "阿卜杜热合曼·买买提·吐尔逊江".into(); // 15 characters: 30 bytes
        assert_eq!(t.name.encode_utf16().count(), 15);
        t.address = "云".repeat(35);
        let c = parse(&t).unwrap();
        assert_eq!(c.name(), t.name);
        assert_eq!(c.address(), t.address);
        // NUL padding reads like space padding.
        let mut block = sample().to_block();
        for b in &mut block[NAME.offset + 6..NAME.offset + NAME.len] {
            *b = 0;
        }
        assert_eq!(
            IdCard::from_text_block(&block, today()).unwrap().name(),
            "王秀英"
        );
    }

    #[test]
    fn validity_ends_on_a_day_or_never() {
        let mut t = sample();
        t.valid_until = "20260105".into();
        let c = parse(&t).unwrap();
        assert_eq!(
            c.valid_until(),
            Validity::Until(Date::from_ymd(2026, 1, 5).unwrap())
        );
        assert!(
            !c.is_expired(Date::from_ymd(2026, 1, 5).unwrap()),
            "its last day"
        );
        assert!(c.is_expired(Date::from_ymd(2026, 1, 6).unwrap()));
        t.valid_until = "20150105".into();
        assert_eq!(parse(&t).unwrap_err(), CardError::ValidityOrder);
    }

    #[test]
    fn bad_dates_are_refused_by_field() {
        for (bad, field) in [
            ("19490230", BIRTH.name),
            ("1949123", BIRTH.name),
            ("1949-12-", BIRTH.name),
        ] {
            let mut t = sample();
            t.birth = bad.into();
            assert_eq!(parse(&t).unwrap_err(), CardError::Date(field), "{bad}");
        }
        let mut t = sample();
        t.valid_from = "20161305".into();
        assert_eq!(parse(&t).unwrap_err(), CardError::Date(VALID_FROM.name));
        let mut t = sample();
        t.valid_until = "长期有效".into();
        assert_eq!(parse(&t).unwrap_err(), CardError::Date(VALID_UNTIL.name));
        let mut t = sample();
        t.valid_until = "2036０105".into(); // a full-width digit
        assert_eq!(parse(&t).unwrap_err(), CardError::Date(VALID_UNTIL.name));
    }

    #[test]
    fn the_number_is_checked_by_mod_11_2_and_against_the_birth_date() {
        let mut t = sample();
        t.number = "110105194912310021".into();
        assert_eq!(parse(&t).unwrap_err(), CardError::IdNumber("校验位不对"));
        let mut t = sample();
        t.number = "11010519491231002".into();
        assert_eq!(parse(&t).unwrap_err(), CardError::IdNumber("不是18位"));
        let mut t = sample();
        t.birth = "19491230".into();
        assert_eq!(parse(&t).unwrap_err(), CardError::BirthMismatch);
        // No message carries the number.
        assert!(
            !CardError::IdNumber("校验位不对")
                .to_string()
                .contains("1101")
        );
    }

    #[test]
    fn codes_and_empty_fields_are_refused() {
        let mut t = sample();
        t.sex = "3".into();
        assert_eq!(parse(&t).unwrap_err(), CardError::Sex);
        let mut t = sample();
        t.nation = "57".into();
        assert_eq!(parse(&t).unwrap_err(), CardError::Nation);
        let mut t = sample();
        t.nation = "98".into();
        assert_eq!(parse(&t).unwrap().nation(), "外国血统中国籍人士");
        let mut t = sample();
        t.name = "   ".into();
        assert_eq!(parse(&t).unwrap_err(), CardError::Empty("姓名"));
        let mut t = sample();
        t.card_type = "I".into();
        assert_eq!(parse(&t).unwrap_err(), CardError::NotResidentCard('I'));
    }

    #[test]
    fn broken_text_is_refused() {
        // An unpaired surrogate in the name.
        let mut block = sample().to_block();
        block[0..2].copy_from_slice(&0xD800u16.to_le_bytes());
        assert_eq!(
            IdCard::from_text_block(&block, today()).unwrap_err(),
            CardError::Encoding("姓名")
        );
        // A control character in the address.
        let mut block = sample().to_block();
        block[ADDRESS.offset..ADDRESS.offset + 2].copy_from_slice(&0x0007u16.to_le_bytes());
        assert_eq!(
            IdCard::from_text_block(&block, today()).unwrap_err(),
            CardError::Encoding("住址")
        );
        assert_eq!(
            IdCard::from_text_block(&[0x20; 255], today()).unwrap_err(),
            CardError::TextLength(255)
        );
    }

    #[test]
    fn base_info_carries_two_lengths_and_skips_the_photo() {
        let block = sample().to_block();
        let mut data = vec![0x01, 0x00, 0x04, 0x00];
        data.extend_from_slice(&block);
        data.extend_from_slice(&[0x5A; PHOTO_LEN]);
        let c = IdCard::from_base_info(&data, today()).unwrap();
        assert_eq!(c.name(), "王秀英");
        // A reader sending no photo.
        let mut no_photo = vec![0x01, 0x00, 0x00, 0x00];
        no_photo.extend_from_slice(&block);
        IdCard::from_base_info(&no_photo, today()).unwrap();
        // Lengths that do not add up, a text of another size.
        assert_eq!(
            IdCard::from_base_info(&data[..data.len() - 1], today()).unwrap_err(),
            CardError::Layout {
                text: 256,
                photo: 1024,
                data: data.len() - 1
            }
        );
        let mut other = data.clone();
        other[1] = 0x01;
        assert_eq!(
            IdCard::from_base_info(&other, today()).unwrap_err(),
            CardError::TextLength(257)
        );
        assert_eq!(
            IdCard::from_base_info(&data[..3], today()).unwrap_err(),
            CardError::NoLengths(3)
        );
    }

    #[test]
    fn debug_output_is_masked() {
        let c = parse(&sample()).unwrap();
        let shown = format!("{c:?}");
        assert!(shown.contains("王**"), "{shown}");
        assert!(shown.contains("110105********002X"), "{shown}");
        for secret in ["秀英", "11010519491231002X", "石桥村三组", "19491231"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        let shown = format!("{:?}", sample());
        assert!(!shown.contains("秀英") && !shown.contains("19491231002X"));
    }
}
