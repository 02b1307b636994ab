//! Checks on what applicants type: 居民身份证号码 (GB 11643-1999, MOD 11-2
//! check digit), 统一社会信用代码 (GB 32100-2015, MOD 31 check character),
//! mobile and landline numbers. Messages are Chinese and say what to fix.

use crate::Date;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    #[error("身份证号码应为18位，现在是{0}位")]
    IdLength(usize),
    #[error("身份证号码前17位应全是数字，最后一位是数字或X")]
    IdCharacters,
    #[error("身份证号码中的出生日期“{0}”不是有效日期")]
    IdBirthDate(String),
    #[error("身份证号码校验位不对，请逐位核对")]
    IdCheckDigit,
    #[error("统一社会信用代码应为18位，现在是{0}位")]
    CreditCodeLength(usize),
    #[error("统一社会信用代码中有不允许的字符“{0}”（不使用 I、O、Z、S、V）")]
    CreditCodeCharacter(char),
    #[error("统一社会信用代码校验位不对，请逐位核对")]
    CreditCodeCheck,
    #[error("电话号码“{0}”格式不对：手机号为1开头的11位数字，固定电话为区号加7到8位号码")]
    Phone(String),
}

/// What was typed, without spaces, ASCII letters in upper case.
fn compact_upper(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// A checked 居民身份证号码 (upper-case X).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdNumber(String);

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// The check character for the first 17 digits of an ID number.
pub fn id_check_char(first17: &str) -> Option<char> {
    let digits: Vec<u32> = first17
        .chars()
        .map(|c| c.to_digit(10))
        .collect::<Option<_>>()?;
    if digits.len() != 17 {
        return None;
    }
    let sum: u32 = digits.iter().zip(ID_WEIGHTS).map(|(d, w)| d * w).sum();
    Some(ID_CHECK[(sum % 11) as usize])
}

impl IdNumber {
    /// Checks length, characters, birth date (not after `today`) and the
    /// check digit. Spaces are ignored; a lower-case x is accepted.
    pub fn parse(text: &str, today: Date) -> Result<IdNumber, IdentityError> {
        let t = compact_upper(text);
        let n = t.chars().count();
        if n != 18 {
            return Err(IdentityError::IdLength(n));
        }
        let (first17, last) = t.split_at(17);
        if !first17.bytes().all(|b| b.is_ascii_digit())
            || !last.chars().all(|c| c.is_ascii_digit() || c == 'X')
        {
            return Err(IdentityError::IdCharacters);
        }
        let birth = &first17[6..14];
        let date = format!("{}-{}-{}", &birth[..4], &birth[4..6], &birth[6..8])
            .parse::<Date>()
            .ok()
            .filter(|d| *d <= today && d.year() >= 1900);
        if date.is_none() {
            return Err(IdentityError::IdBirthDate(birth.to_string()));
        }
        if id_check_char(first17) != last.chars().next() {
            return Err(IdentityError::IdCheckDigit);
        }
        Ok(IdNumber(t))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// For screens and paper: `110105********002X`.
    pub fn masked(&self) -> String {
        mask_id_number(&self.0)
    }
}

/// Masks an identity document number for screens and paper: an 18-character
/// 居民身份证号码 keeps its region code and last four (`110105********002X`),
/// any other number its first and last two characters.
pub fn mask_id_number(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    let (head, tail) = if chars.len() == 18 { (6, 4) } else { (2, 2) };
    if chars.len() <= head + tail {
        return "*".repeat(chars.len());
    }
    chars[..head]
        .iter()
        .chain(std::iter::repeat_n(&'*', chars.len() - head - tail))
        .chain(&chars[chars.len() - tail..])
        .collect()
}

/// Masks an address for screens: its first characters (up to six, at most
/// half of it: the province, city or county as written) and stars for the
/// rest, at most eight (`云溪县石桥乡********`).
pub fn mask_address(address: &str) -> String {
    let chars: Vec<char> = address.trim().chars().collect();
    let keep = (chars.len() / 2).min(6);
    let stars = (chars.len() - keep).min(8);
    chars[..keep]
        .iter()
        .copied()
        .chain(std::iter::repeat_n('*', stars))
        .collect()
}

/// A checked 统一社会信用代码.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditCode(String);

const CREDIT_CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const CREDIT_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// The check character for the first 17 characters of a credit code.
pub fn credit_check_char(first17: &str) -> Option<char> {
    let values: Vec<u32> = first17
        .chars()
        .map(|c| CREDIT_CHARS.find(c).map(|i| i as u32))
        .collect::<Option<_>>()?;
    if values.len() != 17 {
        return None;
    }
    let sum: u32 = values.iter().zip(CREDIT_WEIGHTS).map(|(v, w)| v * w).sum();
    let check = (31 - sum % 31) % 31;
    CREDIT_CHARS.chars().nth(check as usize)
}

impl CreditCode {
    pub fn parse(text: &str) -> Result<CreditCode, IdentityError> {
        let t = compact_upper(text);
        let n = t.chars().count();
        if n != 18 {
            return Err(IdentityError::CreditCodeLength(n));
        }
        if let Some(c) = t.chars().find(|c| !CREDIT_CHARS.contains(*c)) {
            return Err(IdentityError::CreditCodeCharacter(c));
        }
        let (first17, last) = t.split_at(17);
        if credit_check_char(first17) != last.chars().next() {
            return Err(IdentityError::CreditCodeCheck);
        }
        Ok(CreditCode(t))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A checked phone number, digits only (and one dash after a landline's
/// area code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Mobile: 11 digits, `1[3-9]…`. Landline: area code `0` + 2–3 digits,
    /// then 7–8 digits, with or without a dash. Spaces are ignored.
    pub fn parse(text: &str) -> Result<PhoneNumber, IdentityError> {
        let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let err = || IdentityError::Phone(text.trim().to_string());
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if digits(&t)
            && t.len() == 11
            && t.starts_with('1')
            && matches!(t.as_bytes()[1], b'3'..=b'9')
        {
            return Ok(PhoneNumber(t));
        }
        let (area, number) = match t.split_once('-') {
            Some((a, n)) => (a.to_string(), n.to_string()),
            None if digits(&t) && t.starts_with('0') && (10..=12).contains(&t.len()) => {
                // 3-digit area codes are 010 and 02x; the rest have 4 digits.
                let area_len = if t.starts_with("010") || t.starts_with("02") {
                    3
                } else {
                    4
                };
                (t[..area_len].to_string(), t[area_len..].to_string())
            }
            None => return Err(err()),
        };
        if digits(&area)
            && area.starts_with('0')
            && (3..=4).contains(&area.len())
            && digits(&number)
            && (7..=8).contains(&number.len())
            && !number.starts_with('0')
        {
            Ok(PhoneNumber(format!("{area}-{number}")))
        } else {
            Err(err())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// For screens and paper: `138****5678`, `0999-****234`.
    pub fn masked(&self) -> String {
        match self.0.split_once('-') {
            Some((a, n)) => format!("{a}-****{}", &n[n.len() - 3..]),
            None => format!("{}****{}", &self.0[..3], &self.0[7..]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        Date::from_ymd(2026, 11, 22).unwrap()
    }

    /// A valid ID number for a region, birth date and sequence.
    fn make_id(region: &str, birth: &str, seq: &str) -> String {
        let first17 = format!("{region}{birth}{seq}");
        format!("{first17}{}", id_check_char(&first17).unwrap())
    }

    #[test]
    fn addresses_keep_their_beginning_only() {
        assert_eq!(
            mask_address("云溪县石桥乡石桥村三组12号"),
            "云溪县石桥乡********"
        );
        assert_eq!(mask_address("石桥村3组"), "石桥***");
        assert_eq!(mask_address("村"), "*");
        assert_eq!(mask_address(""), "");
    }

    #[test]
    fn id_numbers_at_their_boundaries() {
        let check = |text: &str, expected: Result<(), IdentityError>| {
            assert_eq!(
                IdNumber::parse(text, today()).map(|_| ()),
                expected,
                "{text}"
            );
        };
        // The standard's own example.
        check("11010519491231002X", Ok(()));
        check("11010519491231002x", Ok(()));
        check("110105 19491231 002X", Ok(()));
        check("110105194912310021", Err(IdentityError::IdCheckDigit));
        check(&make_id("990521", "20261122", "001"), Ok(())); // born today
        check(
            &make_id("990521", "20261123", "001"),
            Err(IdentityError::IdBirthDate("20261123".into())),
        );
        check(
            &make_id("990521", "20250229", "001"),
            Err(IdentityError::IdBirthDate("20250229".into())),
        );
        check(&make_id("990521", "20240229", "001"), Ok(()));
        check(
            &make_id("990521", "18991231", "001"),
            Err(IdentityError::IdBirthDate("18991231".into())),
        );
        check("11010519491231002", Err(IdentityError::IdLength(17)));
        check("11010519491231002XX", Err(IdentityError::IdLength(19)));
        check("", Err(IdentityError::IdLength(0)));
        check("1101051949123100X2", Err(IdentityError::IdCharacters));
        check("11010519491231002Ｘ", Err(IdentityError::IdCharacters));
        // Every check value 0..=10 appears somewhere: 10 maps to X.
        let mut seen = std::collections::BTreeSet::new();
        for seq in 0..200 {
            let id = make_id("990521", "19800101", &format!("{seq:03}"));
            seen.insert(id.chars().last().unwrap());
            check(&id, Ok(()));
        }
        assert_eq!(seen.len(), 11);
        let id = IdNumber::parse("11010519491231002X", today()).unwrap();
        assert_eq!(id.masked(), "110105********002X");
    }

    #[test]
    fn credit_codes_at_their_boundaries() {
        let check = |text: &str, expected: Result<(), IdentityError>| {
            assert_eq!(CreditCode::parse(text).map(|_| ()), expected, "{text}");
        };
        let make = |first17: &str| format!("{first17}{}", credit_check_char(first17).unwrap());
        // A code widely printed as an example of the standard.
        check("91350100M000100Y43", Ok(()));
        check("91350100M000100Y44", Err(IdentityError::CreditCodeCheck));
        let valid = make("91990521MA0000000");
        check(&valid, Ok(()));
        check(&valid.to_lowercase(), Ok(()));
        let mut wrong = valid.clone();
        let last = wrong.pop().unwrap();
        let other = CREDIT_CHARS.chars().find(|c| *c != last).unwrap();
        wrong.push(other);
        check(&wrong, Err(IdentityError::CreditCodeCheck));
        check("91990521MA000000", Err(IdentityError::CreditCodeLength(16)));
        check(
            "91990521MA0000000I",
            Err(IdentityError::CreditCodeCharacter('I')),
        );
        check(
            "91990521MO00000001",
            Err(IdentityError::CreditCodeCharacter('O')),
        );
        // A check value of 0 (31 - 0) wraps to '0', not out of range.
        let mut zero = None;
        for n in 0..2000u32 {
            let f = format!("91990521MA{n:07}");
            if credit_check_char(&f) == Some('0') {
                zero = Some(f);
                break;
            }
        }
        check(&make(&zero.expect("some code has check 0")), Ok(()));
    }

    #[test]
    fn phone_numbers() {
        let check = |text: &str, expected: Option<&str>| {
            let got = PhoneNumber::parse(text).ok();
            assert_eq!(got.as_ref().map(PhoneNumber::as_str), expected, "{text}");
        };
        check("13812345678", Some("13812345678"));
        check("138 1234 5678", Some("13812345678"));
        check("12812345678", None);
        check("1381234567", None);
        check("138123456789", None);
        check("0999-5521234", Some("0999-5521234"));
        check("09995521234", Some("0999-5521234"));
        check("010-12345678", Some("010-12345678"));
        check("02112345678", Some("021-12345678"));
        check("0999-0521234", None);
        check("999-5521234", None);
        check("0999-55212", None);
        check("电话", None);
        check("", None);
        assert_eq!(
            PhoneNumber::parse("13812345678").unwrap().masked(),
            "138****5678"
        );
        assert_eq!(
            PhoneNumber::parse("0999-5521234").unwrap().masked(),
            "0999-****234"
        );
    }
}
