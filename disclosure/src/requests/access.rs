//! Who may see an application: receipt numbers can be guessed (region,
//! terminal, date, a daily sequence from 1, public check digits), so a
//! number alone shows the stages only. Two secrets, random per
//! application, are printed on the receipt instead:
//!
//! - the 查询密码, six digits, which opens the details and 补打 at the
//!   terminal. `requests.db` keeps only a salted SHA-256 of it, and counts
//!   wrong tries: after [`MAX_PIN_FAILURES`] each further try waits
//!   [`PIN_PAUSE_MINUTES`].
//! - the progress token in the receipt's QR code, 120 random bits as 24
//!   base32 letters, which is the only key to the county's public
//!   progress page.

use sha2::{Digest, Sha256};

use super::receipt_no::ReceiptNo;

/// Digits of a 查询密码.
pub const PIN_DIGITS: usize = 6;
/// Wrong 查询密码 tries before the pause.
pub const MAX_PIN_FAILURES: u32 = 5;
/// Minutes every try waits once [`MAX_PIN_FAILURES`] were wrong (until the
/// right one is entered).
pub const PIN_PAUSE_MINUTES: i64 = 15;
/// Random bytes of a progress token (120 bits).
const TOKEN_BYTES: usize = 15;
/// Letters of a progress token: 120 bits, five per letter.
pub const TOKEN_CHARS: usize = 24;
/// Random bytes of a 查询密码's salt.
const SALT_BYTES: usize = 16;

/// RFC 4648 base32, lower case (read more easily than upper case).
const BASE32: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

#[derive(Debug, thiserror::Error)]
#[error("终端无法取得随机数：{0}")]
pub struct RandomnessError(String);

fn random_bytes(n: usize) -> Result<Vec<u8>, RandomnessError> {
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf).map_err(|e| RandomnessError(e.to_string()))?;
    Ok(buf)
}

/// Base32 without padding of bytes whose bit count is a multiple of five.
fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 8 / 5);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for &b in bytes {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(BASE32[((acc >> bits) & 31) as usize]));
        }
    }
    out
}

/// The secrets of one new application, generated before it is saved.
#[derive(Clone, PartialEq, Eq)]
pub struct ReceiptSecrets {
    /// The 查询密码 to print (never stored as such).
    pub pin: String,
    /// The salt its hash is stored with (hex).
    pub pin_salt: String,
    /// The progress token of the QR code.
    pub token: String,
}

impl std::fmt::Debug for ReceiptSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReceiptSecrets { .. }")
    }
}

impl ReceiptSecrets {
    pub fn generate() -> Result<ReceiptSecrets, RandomnessError> {
        // Six uniform digits: 4 294 000 000 is the largest multiple of
        // 10⁶ below 2³², so values from it on are drawn again.
        let pin = loop {
            let b = random_bytes(4)?;
            let n = u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
            if n < 4_294_000_000 {
                break format!("{:06}", n % 1_000_000);
            }
        };
        Ok(ReceiptSecrets {
            pin,
            pin_salt: crate::feed::hex(&random_bytes(SALT_BYTES)?),
            token: base32(&random_bytes(TOKEN_BYTES)?),
        })
    }
}

/// What `requests.db` keeps of a 查询密码: SHA-256 (hex) over a label, the
/// salt, the receipt number and the PIN.
pub fn pin_hash(salt: &str, receipt: &ReceiptNo, pin: &str) -> String {
    let mut h = Sha256::new();
    for part in ["gongkai 查询密码", salt, &receipt.digits(), pin] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    crate::feed::hex(&h.finalize())
}

/// Whether `pin` hashes to `stored` (compared without an early exit).
pub fn pin_matches(salt: &str, receipt: &ReceiptNo, pin: &str, stored: &str) -> bool {
    let h = pin_hash(salt, receipt, pin);
    h.len() == stored.len()
        && h.bytes()
            .zip(stored.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// Whether `s` has the shape of a 查询密码 (six digits).
pub fn is_pin(s: &str) -> bool {
    s.len() == PIN_DIGITS && s.bytes().all(|b| b.is_ascii_digit())
}

/// Whether `s` has the shape of a progress token (24 base32 letters).
pub fn is_progress_token(s: &str) -> bool {
    s.len() == TOKEN_CHARS && s.bytes().all(|b| BASE32.contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_have_their_shapes_and_differ() {
        let a = ReceiptSecrets::generate().unwrap();
        let b = ReceiptSecrets::generate().unwrap();
        assert!(is_pin(&a.pin), "{}", a.pin);
        assert!(is_progress_token(&a.token), "{}", a.token);
        assert_eq!(a.pin_salt.len(), 2 * SALT_BYTES);
        assert_ne!(a.token, b.token);
        assert_ne!(a.pin_salt, b.pin_salt);
        assert!(!format!("{a:?}").contains(&a.pin));
        // RFC 4648's test vector "fooba" → MZXW6YTB.
        assert_eq!(base32(b"fooba"), "mzxw6ytb");
        assert!(!is_progress_token("99052120120101261123000152"));
        assert!(!is_progress_token(&"A".repeat(TOKEN_CHARS)));
    }

    #[test]
    fn a_pin_matches_only_its_own_receipt_and_salt() {
        let no = ReceiptNo::parse("99052120120101261123000152").unwrap();
        let h = pin_hash("salt", &no, "123456");
        assert!(pin_matches("salt", &no, "123456", &h));
        assert!(!pin_matches("salt", &no, "123457", &h));
        assert!(!pin_matches("other", &no, "123456", &h));
        assert!(!h.contains("123456"));
    }
}
