//! The terminal's maintenance side, shared by the kiosk's 技术维护 screen,
//! the sync agent and `gongkai-provision`: the technician's PIN (argon2id,
//! never stored in clear), the lock after wrong tries, what the agent tells
//! the kiosk about its rounds, and the self-test results that go up with
//! the health report. Plain data and logic; the values live in
//! `requests.db`'s `device_state`.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// Wrong PINs in a row before the screen locks.
pub const MAX_PIN_TRIES: u8 = 5;
/// How long it stays locked.
pub const PIN_LOCK_MINUTES: i64 = 15;
/// Shortest and longest PIN (digits).
pub const PIN_DIGITS: std::ops::RangeInclusive<usize> = 6..=12;

/// `device_state` key of the PIN guard (JSON of [`PinGuard`]).
pub const PIN_GUARD_STATE: &str = "technician.pin_guard";
/// `device_state` key of the agent's last round (JSON of [`AgentReport`]).
pub const AGENT_REPORT_STATE: &str = "agent.report";
/// `device_state` key of the last USB import's outcome (a sentence).
pub const USB_IMPORT_STATE: &str = "agent.usb_import";
/// `device_state` key of the screen hours set on the screen
/// (`HH:MM-HH:MM`, or `always` for never dark), over `[screen]`.
pub const SCREEN_HOURS_STATE: &str = "technician.screen_hours";
/// Prefix of the self-test results' `device_state` keys
/// (`selftest.printer`…; JSON of [`SelfTestResult`]).
pub const SELF_TEST_PREFIX: &str = "selftest.";

/// A PIN that is not acceptable, in words for the screen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PinError {
    #[error("维护密码须为 6 到 12 位数字")]
    Shape,
    #[error("维护密码不能是同一个数字或顺序数字，请换一个")]
    TooSimple,
    #[error("维护密码无法保存：{0}")]
    Hash(String),
}

/// A new technician PIN, checked for shape.
pub struct TechnicianPin(String);

impl std::fmt::Debug for TechnicianPin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TechnicianPin(…)")
    }
}

/// The hasher: argon2id with 8 MiB and three passes (about a tenth of a
/// second on the board, a wrong guess costs as much offline).
fn hasher() -> Argon2<'static> {
    let params = Params::new(8 * 1024, 3, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

impl TechnicianPin {
    pub fn new(pin: &str) -> Result<TechnicianPin, PinError> {
        if !PIN_DIGITS.contains(&pin.len()) || !pin.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PinError::Shape);
        }
        let b = pin.as_bytes();
        let same = b.iter().all(|&d| d == b[0]);
        let up = b.windows(2).all(|w| w[1] == w[0] + 1);
        let down = b.windows(2).all(|w| w[0] == w[1] + 1);
        if same || up || down {
            return Err(PinError::TooSimple);
        }
        Ok(TechnicianPin(pin.to_string()))
    }

    /// The PHC string stored in `kiosk.toml`'s `technician.pin_hash`.
    pub fn hash(&self) -> Result<String, PinError> {
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).map_err(|e| PinError::Hash(e.to_string()))?;
        let salt = SaltString::encode_b64(&salt).map_err(|e| PinError::Hash(e.to_string()))?;
        hasher()
            .hash_password(self.0.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| PinError::Hash(e.to_string()))
    }
}

/// Whether `stored` (a PHC string) is a hash this module can check.
pub fn is_pin_hash(stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|h| h.algorithm.as_str() == "argon2id")
}

/// Whether `attempt` is the PIN `stored` was made from.
pub fn pin_matches(stored: &str, attempt: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    hasher()
        .verify_password(attempt.as_bytes(), &parsed)
        .is_ok()
}

/// Wrong tries and the lock, kept across restarts (a power cut must not
/// give an attacker five more tries).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinGuard {
    /// Wrong tries since the last right one or the last lock.
    pub failures: u8,
    /// Locked until then (unix seconds).
    #[serde(default)]
    pub locked_until: Option<i64>,
}

/// What a PIN entry led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinOutcome {
    Right,
    /// Wrong; this many tries are left before the lock.
    Wrong {
        tries_left: u8,
    },
    /// Wrong for the fifth time, or tried while locked: locked until then.
    Locked {
        until: OffsetDateTime,
    },
}

impl PinGuard {
    /// The lock's end, if it is locked at `now`.
    pub fn locked_at(&self, now: OffsetDateTime) -> Option<OffsetDateTime> {
        self.locked_until
            .and_then(|u| OffsetDateTime::from_unix_timestamp(u).ok())
            .filter(|&u| now < u)
    }

    /// Checks `attempt` against `stored` at `now`, updating the counts.
    /// While locked, the PIN is not even checked.
    pub fn attempt(&mut self, stored: &str, attempt: &str, now: OffsetDateTime) -> PinOutcome {
        if let Some(until) = self.locked_at(now) {
            return PinOutcome::Locked { until };
        }
        if self.locked_until.is_some() {
            // The lock ran out: a fresh start.
            *self = PinGuard::default();
        }
        if pin_matches(stored, attempt) {
            *self = PinGuard::default();
            return PinOutcome::Right;
        }
        self.failures += 1;
        if self.failures >= MAX_PIN_TRIES {
            let until = now + Duration::minutes(PIN_LOCK_MINUTES);
            self.failures = 0;
            self.locked_until = Some(until.unix_timestamp());
            return PinOutcome::Locked { until };
        }
        PinOutcome::Wrong {
            tries_left: MAX_PIN_TRIES - self.failures,
        }
    }
}

/// What the agent tells the kiosk after each round, for the 技术维护
/// screen (the agent's own state folder is closed to the kiosk).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentReport {
    /// The content version on the terminal, and since when (RFC 3339).
    #[serde(default)]
    pub feed_version: Option<u64>,
    #[serde(default)]
    pub feed_since: Option<String>,
    /// The last content sync that worked.
    #[serde(default)]
    pub last_sync_ok: Option<String>,
    /// The last delivery of applications that worked.
    #[serde(default)]
    pub last_delivery_ok: Option<String>,
    /// The last round's first problem, in plain words, and when.
    #[serde(default)]
    pub last_error: Option<String>,
    #[serde(default)]
    pub last_error_at: Option<String>,
    /// Enrolled with the county.
    #[serde(default)]
    pub enrolled: bool,
    /// When this round ended.
    pub at: String,
}

/// One part of the 设备自检.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SelfTestPart {
    Printer,
    Scanner,
    Touch,
    Display,
    IdReader,
}

impl SelfTestPart {
    pub const ALL: [SelfTestPart; 5] = [
        SelfTestPart::Printer,
        SelfTestPart::Scanner,
        SelfTestPart::Touch,
        SelfTestPart::Display,
        SelfTestPart::IdReader,
    ];

    pub fn name(self) -> &'static str {
        match self {
            SelfTestPart::Printer => "打印机",
            SelfTestPart::Scanner => "扫码枪",
            SelfTestPart::Touch => "触摸屏",
            SelfTestPart::Display => "显示屏",
            SelfTestPart::IdReader => "身份证阅读器",
        }
    }

    pub fn db_name(self) -> &'static str {
        match self {
            SelfTestPart::Printer => "printer",
            SelfTestPart::Scanner => "scanner",
            SelfTestPart::Touch => "touch",
            SelfTestPart::Display => "display",
            SelfTestPart::IdReader => "id_reader",
        }
    }

    pub fn from_db_name(s: &str) -> Option<SelfTestPart> {
        Self::ALL.into_iter().find(|p| p.db_name() == s)
    }

    /// Its `device_state` key.
    pub fn state_key(self) -> String {
        format!("{SELF_TEST_PREFIX}{}", self.db_name())
    }
}

/// The outcome of one self-test, as recorded and reported to the county.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SelfTestResult {
    pub part: SelfTestPart,
    pub passed: bool,
    /// What was seen, in plain words (no personal data).
    pub detail: String,
    /// When (RFC 3339).
    pub at: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(mins: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap() + Duration::minutes(mins)
    }

    #[test]
    fn pins_are_checked_for_shape() {
        let check = |pin: &str, ok: Result<(), PinError>| {
            assert_eq!(TechnicianPin::new(pin).map(|_| ()), ok, "{pin}");
        };
        check("480213", Ok(()));
        check("480213480213", Ok(()));
        check("48021", Err(PinError::Shape));
        check("4802134802131", Err(PinError::Shape));
        check("48021a", Err(PinError::Shape));
        check("４８０２１３", Err(PinError::Shape));
        check("", Err(PinError::Shape));
        check("000000", Err(PinError::TooSimple));
        check("123456", Err(PinError::TooSimple));
        check("987654", Err(PinError::TooSimple));
        check("123457", Ok(()));
    }

    #[test]
    fn a_hash_matches_its_pin_only() {
        let h = TechnicianPin::new("480213").unwrap().hash().unwrap();
        assert!(is_pin_hash(&h));
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(!h.contains("480213"));
        assert!(pin_matches(&h, "480213"));
        assert!(!pin_matches(&h, "480214"));
        assert!(!pin_matches(&h, ""));
        assert!(!pin_matches("480213", "480213"), "a clear PIN is no hash");
        assert!(!is_pin_hash("480213"));
        let again = TechnicianPin::new("480213").unwrap().hash().unwrap();
        assert_ne!(h, again, "salted");
    }

    #[test]
    fn five_wrong_tries_lock_for_a_while() {
        let h = TechnicianPin::new("480213").unwrap().hash().unwrap();
        let mut g = PinGuard::default();
        for left in (1..MAX_PIN_TRIES).rev() {
            assert_eq!(
                g.attempt(&h, "111112", t(0)),
                PinOutcome::Wrong { tries_left: left }
            );
        }
        let until = t(PIN_LOCK_MINUTES);
        assert_eq!(g.attempt(&h, "111112", t(0)), PinOutcome::Locked { until });
        // Locked: even the right PIN is refused.
        assert_eq!(g.attempt(&h, "480213", t(1)), PinOutcome::Locked { until });
        assert_eq!(g.locked_at(t(PIN_LOCK_MINUTES - 1)), Some(until));
        // Kept across a restart.
        let saved = serde_json::to_string(&g).unwrap();
        let mut g: PinGuard = serde_json::from_str(&saved).unwrap();
        assert_eq!(g.attempt(&h, "480213", t(2)), PinOutcome::Locked { until });
        // After the lock, five fresh tries; the right PIN clears the count.
        assert_eq!(g.locked_at(t(PIN_LOCK_MINUTES)), None);
        assert_eq!(
            g.attempt(&h, "111112", t(PIN_LOCK_MINUTES)),
            PinOutcome::Wrong {
                tries_left: MAX_PIN_TRIES - 1
            }
        );
        assert_eq!(
            g.attempt(&h, "480213", t(PIN_LOCK_MINUTES)),
            PinOutcome::Right
        );
        assert_eq!(g, PinGuard::default());
    }

    #[test]
    fn self_test_parts_round_trip_their_names() {
        for p in SelfTestPart::ALL {
            assert_eq!(SelfTestPart::from_db_name(p.db_name()), Some(p));
            assert!(p.state_key().starts_with(SELF_TEST_PREFIX));
        }
        assert_eq!(SelfTestPart::from_db_name("speaker"), None);
    }
}
