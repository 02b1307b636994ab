//! `county.db`: the county's intake — enrolled terminals, one-time
//! enrolment codes (kept hashed), the applications delivered to it (one per
//! receipt number however often and however spelt it is sent), status
//! changes for the terminals, replies, ratings and the terminals' last
//! health reports. The file and a folder made for it are private to their
//! owner; personal fields and the notes staff typed are purged after the
//! archive period.

mod schema;

use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use disclosure::calendar::{Deadline, WorkingDayCalendar};
use disclosure::requests::wire::{
    Acknowledgement, ApplicantMessage, ApplicationMessage, HealthReport, RatingMessage,
    StatusChangeMessage, StatusChanges,
};
use disclosure::requests::{ApplicationStatus, DeviceNo, ReceiptNo, store::format_time};
use disclosure::sqlite::Contents;
use disclosure::{Date, RegionCode};
use rusqlite::{Connection, OptionalExtension, params};
use time::OffsetDateTime;

#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    #[error("数据库错误：{0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("{path}：{source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("county.db 的结构版本 {found} 比本程序支持的 {expected} 新；请升级本程序")]
    SchemaTooNew { found: usize, expected: usize },
    /// One answer for every refused code (unknown, used, expired, for
    /// another terminal), so a guess learns nothing.
    #[error("开通码无效、已用过、已过期或不是给本终端的")]
    BadEnrolCode,
    #[error("终端凭证无效")]
    Unauthorised,
    #[error("终端凭证已过期：请联系县里重新开通本终端")]
    TokenExpired,
    #[error("本终端已被县里停用：请联系县里重新开通")]
    Revoked,
    #[error("{0}")]
    Invalid(String),
    #[error("找不到回执编号 {0}")]
    UnknownReceipt(String),
    #[error("{0}")]
    Conflict(String),
}

/// How long the county keeps what (`county serve` and `county
/// applications purge` options).
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct IntakePolicy {
    /// 答复后保留申请人个人信息的天数，到期清除（保留年报统计所需的类别、日期、机关、答复类型）
    #[arg(long, default_value_t = IntakePolicy::DEFAULT_ARCHIVE_DAYS)]
    pub archive_days: u32,
    /// 终端凭证的有效天数；终端过半即自动更换
    #[arg(long, default_value_t = IntakePolicy::DEFAULT_TOKEN_DAYS)]
    pub token_days: u32,
}

impl IntakePolicy {
    pub const DEFAULT_ARCHIVE_DAYS: u32 = 365;
    pub const DEFAULT_TOKEN_DAYS: u32 = 90;

    /// Checks the values; the error names the option.
    pub fn validate(&self) -> Result<(), IntakeError> {
        if !(1..=3650).contains(&self.archive_days) {
            return Err(IntakeError::Invalid(
                "--archive-days 应在 1 至 3650 之间".into(),
            ));
        }
        if !(2..=3650).contains(&self.token_days) {
            return Err(IntakeError::Invalid(
                "--token-days 应在 2 至 3650 之间".into(),
            ));
        }
        Ok(())
    }
}

impl Default for IntakePolicy {
    fn default() -> IntakePolicy {
        IntakePolicy {
            archive_days: Self::DEFAULT_ARCHIVE_DAYS,
            token_days: Self::DEFAULT_TOKEN_DAYS,
        }
    }
}

/// What the public progress page shows of an application: stages and
/// days, nothing else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicProgress {
    /// Day first (已提交), then the county's statuses, oldest first.
    pub stages: Vec<(Date, ApplicationStatus)>,
}

/// Art 36 reply types (and Art 39: not an application).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyOutcome {
    /// 已主动公开 (the reply says where).
    AlreadyPublic,
    /// 予以公开.
    Disclosed,
    /// 部分公开 (Art 37).
    PartlyDisclosed,
    /// 不予公开 (with reasons).
    NotDisclosed,
    /// 信息不存在.
    DoesNotExist,
    /// 非本机关负责公开 (names the right body).
    NotThisBody,
    /// 重复申请.
    Repeat,
    /// 法律法规另有规定.
    SpecialLaw,
    /// 不作为政府信息公开申请处理 (Art 39: 信访, 投诉…).
    NotAnApplication,
}

impl ReplyOutcome {
    pub const ALL: [ReplyOutcome; 9] = [
        Self::AlreadyPublic,
        Self::Disclosed,
        Self::PartlyDisclosed,
        Self::NotDisclosed,
        Self::DoesNotExist,
        Self::NotThisBody,
        Self::Repeat,
        Self::SpecialLaw,
        Self::NotAnApplication,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::AlreadyPublic => "already-public",
            Self::Disclosed => "disclosed",
            Self::PartlyDisclosed => "partly-disclosed",
            Self::NotDisclosed => "not-disclosed",
            Self::DoesNotExist => "does-not-exist",
            Self::NotThisBody => "not-this-body",
            Self::Repeat => "repeat",
            Self::SpecialLaw => "special-law",
            Self::NotAnApplication => "not-an-application",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::AlreadyPublic => "已主动公开",
            Self::Disclosed => "予以公开",
            Self::PartlyDisclosed => "部分公开",
            Self::NotDisclosed => "不予公开",
            Self::DoesNotExist => "本机关不掌握该信息（信息不存在）",
            Self::NotThisBody => "非本机关负责公开",
            Self::Repeat => "重复申请",
            Self::SpecialLaw => "法律法规对信息提供另有规定",
            Self::NotAnApplication => "不作为政府信息公开申请处理",
        }
    }

    pub fn parse(s: &str) -> Option<ReplyOutcome> {
        Self::ALL
            .into_iter()
            .find(|o| o.code() == s || o.name() == s)
    }

    /// Outcomes whose reply must say something more (where, why, who).
    pub fn needs_note(self) -> bool {
        matches!(
            self,
            Self::AlreadyPublic | Self::NotDisclosed | Self::PartlyDisclosed | Self::NotThisBody
        )
    }
}

/// One application as the staff list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationRow {
    pub receipt_no: ReceiptNo,
    pub terminal: String,
    pub received_at: String,
    pub body_name: String,
    /// `person` or `organisation` (kept after the purge, for the annual report).
    pub applicant_kind: String,
    /// The applicant's name; empty once purged.
    pub applicant: String,
    pub wanted: String,
    /// The deadline in force (extended or not); `None` when unconfirmed.
    pub deadline: Option<Date>,
    pub extended: bool,
    pub outcome: Option<String>,
    pub status: String,
    /// When the reply was recorded.
    pub closed_at: Option<String>,
    /// When the personal fields were purged.
    pub purged_at: Option<String>,
}

impl ApplicationRow {
    /// Not replied and past its deadline on `today`.
    pub fn overdue(&self, today: Date) -> bool {
        self.outcome.is_none() && self.deadline.is_some_and(|d| today > d)
    }
}

/// A terminal as the staff page shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct TerminalRow {
    pub id: String,
    pub hall_region: String,
    pub device: u8,
    pub enrolled_at: String,
    pub last_seen_at: Option<String>,
    pub health: Option<HealthReport>,
    pub revoked_at: Option<String>,
}

/// An enrolment code waiting for its terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingCode {
    /// `<region>-<device as two digits>`.
    pub terminal: String,
    pub created_at: String,
    pub expires_at: String,
}

/// The terminal a request comes from: its canonical region and device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terminal {
    /// `<region>-<device as two digits>`.
    pub id: String,
    pub region: RegionCode,
    pub device: DeviceNo,
}

impl Terminal {
    fn new(region: RegionCode, device: DeviceNo) -> Terminal {
        Terminal {
            id: format!("{region}-{:02}", device.get()),
            region,
            device,
        }
    }
}

/// A token handed to a terminal (only its hash is kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedToken {
    pub device_id: String,
    pub token: String,
    pub expires_at: String,
    /// Half-way through its life: the terminal asks for the next one.
    pub rotate_after: String,
}

/// The county's intake database.
pub struct IntakeStore {
    conn: Mutex<Connection>,
    policy: IntakePolicy,
}

fn random_bytes(n: usize) -> Vec<u8> {
    use aws_lc_rs::rand::SecureRandom;
    let mut buf = vec![0u8; n];
    aws_lc_rs::rand::SystemRandom::new()
        .fill(&mut buf)
        .expect("system randomness");
    buf
}

fn random_hex(bytes: usize) -> String {
    disclosure::feed::hex(&random_bytes(bytes))
}

fn sha256_hex(s: &str) -> String {
    disclosure::feed::sha256_hex(s.as_bytes())
}

/// PBKDF2 rounds for enrolment codes: 12 digits are few, so each guess
/// of a stolen county.db must cost real work.
const CODE_HASH_ROUNDS: u32 = 100_000;

/// A code as typed, read out or printed (`0824-9714-2954`): its digits.
pub(crate) fn enrol_code_digits(code: &str) -> String {
    code.chars().filter(char::is_ascii_digit).collect()
}

/// `pbkdf2-sha256$<rounds>$<salt hex>$<hash hex>` of a code's digits.
pub(crate) fn code_hash(digits: &str) -> String {
    let salt = random_bytes(16);
    let mut out = [0u8; 32];
    aws_lc_rs::pbkdf2::derive(
        aws_lc_rs::pbkdf2::PBKDF2_HMAC_SHA256,
        NonZeroU32::new(CODE_HASH_ROUNDS).expect("non-zero"),
        &salt,
        digits.as_bytes(),
        &mut out,
    );
    format!(
        "pbkdf2-sha256${CODE_HASH_ROUNDS}${}${}",
        disclosure::feed::hex(&salt),
        disclosure::feed::hex(&out)
    )
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Whether `digits` is the code behind `stored` (constant-time compare).
fn code_matches(stored: &str, digits: &str) -> bool {
    let mut parts = stored.split('$');
    let (Some("pbkdf2-sha256"), Some(rounds), Some(salt), Some(hash), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return false;
    };
    let (Some(rounds), Some(salt), Some(hash)) = (
        rounds.parse::<u32>().ok().and_then(NonZeroU32::new),
        unhex(salt),
        unhex(hash),
    ) else {
        return false;
    };
    aws_lc_rs::pbkdf2::verify(
        aws_lc_rs::pbkdf2::PBKDF2_HMAC_SHA256,
        rounds,
        &salt,
        digits.as_bytes(),
        &hash,
    )
    .is_ok()
}

/// The message as the county stores it: the receipt number as 26 digits
/// and the hall's region canonical, so a retry spelt differently is the
/// same application.
pub(crate) fn normalised_message(
    app: &ApplicationMessage,
    receipt: &ReceiptNo,
) -> ApplicationMessage {
    let mut m = app.clone();
    m.receipt_no = receipt.digits();
    if let Ok(r) = m.hall_region.parse::<RegionCode>() {
        m.hall_region = r.to_string();
    }
    m
}

/// The message with every personal field emptied: who applied, how to
/// reach them and what they wrote. Kept: the receipt, channel, kind, the
/// catalog item asked about, the form, the body and the deadline.
fn purged_message(app: &ApplicationMessage) -> ApplicationMessage {
    let mut m = app.clone();
    m.applicant = match &app.applicant {
        ApplicantMessage::Person { id_kind, .. } => ApplicantMessage::Person {
            name: String::new(),
            id_kind: id_kind.clone(),
            id_number: String::new(),
        },
        ApplicantMessage::Organisation { .. } => ApplicantMessage::Organisation {
            name: String::new(),
            credit_code: String::new(),
            contact_person: String::new(),
        },
    };
    m.phone = String::new();
    m.address = None;
    m.email = None;
    m.description = String::new();
    m
}

/// Creates the folder of `path` (0700) if missing, then the file (0600) if
/// missing, and takes group and other access away from an existing file
/// and its `-wal`/`-shm` (SQLite gives those the main file's mode).
fn make_private(path: &Path) -> Result<(), IntakeError> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
    let io = |p: &Path| {
        let p = p.to_path_buf();
        move |source| IntakeError::Io { path: p, source }
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && !dir.exists()
    {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(io(dir))?;
    }
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(io(path)(e)),
    }
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let p = PathBuf::from(name);
        let Ok(meta) = std::fs::metadata(&p) else {
            continue;
        };
        if meta.permissions().mode() & 0o077 != 0 {
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).map_err(io(&p))?;
            tracing::warn!(path = %p.display(), "county.db was readable by others: now 0600");
        }
    }
    Ok(())
}

impl IntakeStore {
    /// Opens (or creates) `county.db` with the default policy.
    pub fn open(path: &Path) -> Result<IntakeStore, IntakeError> {
        Self::open_with(path, IntakePolicy::default())
    }

    /// Opens (or creates) `county.db`, private to its owner, and upgrades
    /// its schema in place.
    pub fn open_with(path: &Path, policy: IntakePolicy) -> Result<IntakeStore, IntakeError> {
        policy.validate()?;
        make_private(path)?;
        let mut conn = disclosure::sqlite::open_writer(path, Contents::Personal)?;
        // What of a note the purge keeps, in SQL (the terminal's rule too).
        disclosure::requests::store::register_note_after_purge(&conn)?;
        schema::migrate(&mut conn)?;
        Ok(IntakeStore {
            conn: Mutex::new(conn),
            policy,
        })
    }

    /// The schema version this build writes (`PRAGMA user_version`).
    pub fn current_schema_version() -> usize {
        schema::current_version()
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn issue_token(&self, terminal: &Terminal, now: OffsetDateTime) -> (IssuedToken, String) {
        let token = random_hex(32);
        let days = i64::from(self.policy.token_days);
        (
            IssuedToken {
                device_id: terminal.id.clone(),
                token: token.clone(),
                expires_at: format_time(now + time::Duration::days(days)),
                rotate_after: format_time(now + time::Duration::days(days) / 2),
            },
            sha256_hex(&token),
        )
    }

    /// A one-time enrolment code for terminal `device` of `hall`, valid
    /// for `valid_days`. Given to the technician who installs the box;
    /// only a salted hash is kept.
    pub fn new_enrol_code(
        &self,
        hall: &RegionCode,
        device: DeviceNo,
        valid_days: i64,
        now: OffsetDateTime,
    ) -> Result<String, IntakeError> {
        // 12 digits in groups of four: easy to read out over the phone.
        let hex = random_hex(8);
        let code = disclosure::provisioning::format_one_time_code(
            u64::from_str_radix(&hex, 16).expect("hex"),
        );
        self.conn().execute(
            "INSERT INTO enrol_code(code_hash, hall_region, device, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                code_hash(&enrol_code_digits(&code)),
                hall.as_str(),
                device.get(),
                format_time(now),
                format_time(now + time::Duration::days(valid_days))
            ],
        )?;
        Ok(code)
    }

    /// Enrols a terminal with a one-time code meant for it: returns a new
    /// token (only its hash is kept). A second enrolment of the same
    /// terminal replaces its token and lifts a revocation. Every refusal
    /// is the same [`IntakeError::BadEnrolCode`].
    pub fn enrol(
        &self,
        code: &str,
        hall: &str,
        device: u8,
        now: OffsetDateTime,
    ) -> Result<IssuedToken, IntakeError> {
        let digits = enrol_code_digits(code);
        let terminal = match (hall.parse::<RegionCode>(), DeviceNo::new(device)) {
            (Ok(r), Some(d)) => Some(Terminal::new(r, d)),
            _ => None,
        };
        let candidates: Vec<(i64, String)> = match &terminal {
            Some(t) => self
                .conn()
                .prepare(
                    "SELECT id, code_hash FROM enrol_code
                     WHERE hall_region = ?1 AND device = ?2 AND used_at IS NULL AND expires_at >= ?3",
                )?
                .query_map(
                    params![t.region.as_str(), t.device.get(), format_time(now)],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?
                .collect::<Result<_, _>>()?,
            None => Vec::new(),
        };
        // The hashing runs outside the lock, and once even without a
        // candidate, so the answer takes as long either way.
        if candidates.is_empty() {
            let _ = code_matches(&code_hash("0"), &digits);
        }
        let found = candidates
            .into_iter()
            .find(|(_, h)| code_matches(h, &digits))
            .map(|c| c.0);
        let (Some(code_id), Some(terminal)) = (found, terminal) else {
            return Err(IntakeError::BadEnrolCode);
        };
        let (issued, token_hash) = self.issue_token(&terminal, now);
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let at = format_time(now);
        if tx.execute(
            "UPDATE enrol_code SET used_at = ?2 WHERE id = ?1 AND used_at IS NULL",
            params![code_id, at],
        )? != 1
        {
            return Err(IntakeError::BadEnrolCode);
        }
        tx.execute(
            "INSERT INTO terminal(id, hall_region, device, token_sha256, token_issued_at, enrolled_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5)
             ON CONFLICT(id) DO UPDATE SET token_sha256 = excluded.token_sha256,
                token_issued_at = excluded.token_issued_at, enrolled_at = excluded.enrolled_at,
                pending_token_sha256 = NULL, pending_issued_at = NULL, revoked_at = NULL",
            params![
                terminal.id,
                terminal.region.as_str(),
                terminal.device.get(),
                token_hash,
                at
            ],
        )?;
        tx.commit()?;
        tracing::info!(terminal = %terminal.id, "terminal enrolled");
        Ok(issued)
    }

    /// The terminal a bearer token belongs to. A rotated token becomes the
    /// terminal's only one the first time it is used; a token older than
    /// the policy's `token_days`, or of a revoked terminal, is refused.
    pub fn terminal_of(&self, token: &str, now: OffsetDateTime) -> Result<Terminal, IntakeError> {
        let hash = sha256_hex(token);
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        type Row = (
            String,
            String,
            u8,
            Option<String>,
            Option<String>,
            Option<String>,
            bool,
        );
        let row: Option<Row> = tx
            .query_row(
                "SELECT id, hall_region, device, revoked_at, token_issued_at, pending_issued_at,
                        pending_token_sha256 IS ?1
                 FROM terminal WHERE token_sha256 = ?1 OR pending_token_sha256 = ?1",
                [&hash],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                    ))
                },
            )
            .optional()?;
        let (id, hall, device, revoked, issued, pending_issued, is_pending) =
            row.ok_or(IntakeError::Unauthorised)?;
        if revoked.is_some() {
            return Err(IntakeError::Revoked);
        }
        let issued = if is_pending { pending_issued } else { issued };
        let oldest = format_time(now - time::Duration::days(i64::from(self.policy.token_days)));
        if issued.is_none_or(|i| i < oldest) {
            return Err(IntakeError::TokenExpired);
        }
        let (Ok(region), Some(device)) = (hall.parse::<RegionCode>(), DeviceNo::new(device)) else {
            return Err(IntakeError::Unauthorised);
        };
        if is_pending {
            tx.execute(
                "UPDATE terminal SET token_sha256 = pending_token_sha256,
                    token_issued_at = pending_issued_at,
                    pending_token_sha256 = NULL, pending_issued_at = NULL
                 WHERE id = ?1",
                [&id],
            )?;
            tracing::info!(terminal = %id, "rotated token in use; the old one no longer works");
        }
        tx.execute(
            "UPDATE terminal SET last_seen_at = ?2 WHERE id = ?1",
            params![id, format_time(now)],
        )?;
        tx.commit()?;
        let terminal = Terminal::new(region, device);
        if terminal.id != id {
            return Err(IntakeError::Unauthorised);
        }
        Ok(terminal)
    }

    /// A new token for `terminal` (already authenticated). The current one
    /// keeps working until the new one is first used, so a lost answer
    /// costs nothing: the terminal asks again.
    pub fn rotate_token(
        &self,
        terminal: &Terminal,
        now: OffsetDateTime,
    ) -> Result<IssuedToken, IntakeError> {
        let (issued, hash) = self.issue_token(terminal, now);
        let n = self.conn().execute(
            "UPDATE terminal SET pending_token_sha256 = ?2, pending_issued_at = ?3
             WHERE id = ?1 AND revoked_at IS NULL",
            params![terminal.id, hash, format_time(now)],
        )?;
        if n != 1 {
            return Err(IntakeError::Revoked);
        }
        Ok(issued)
    }

    /// Revokes terminal `device` of `hall`: its tokens stop working at
    /// once; a new enrolment code brings it back. `false` if not enrolled.
    pub fn revoke(
        &self,
        hall: &RegionCode,
        device: DeviceNo,
        now: OffsetDateTime,
    ) -> Result<bool, IntakeError> {
        let t = Terminal::new(hall.clone(), device);
        let n = self.conn().execute(
            "UPDATE terminal SET revoked_at = ?2, pending_token_sha256 = NULL,
                pending_issued_at = NULL
             WHERE id = ?1 AND revoked_at IS NULL",
            params![t.id, format_time(now)],
        )?;
        Ok(n == 1)
    }

    /// Takes an application from `terminal`. The receipt number is the
    /// idempotency key, in whatever spelling it comes (separators are
    /// dropped): a second delivery returns the first acknowledgement and
    /// changes nothing. Only receipt numbers of the terminal's own region
    /// and device are taken.
    pub fn receive(
        &self,
        terminal: &Terminal,
        key: &str,
        app: &ApplicationMessage,
        now: OffsetDateTime,
    ) -> Result<Acknowledgement, IntakeError> {
        let key = ReceiptNo::parse(key).map_err(|e| {
            IntakeError::Invalid(format!("Idempotency-Key 不是有效的回执编号：{e}"))
        })?;
        let receipt = ReceiptNo::parse(&app.receipt_no)
            .map_err(|e| IntakeError::Invalid(format!("回执编号无效：{e}")))?;
        if key != receipt {
            return Err(IntakeError::Invalid(
                "Idempotency-Key 与回执编号不一致".into(),
            ));
        }
        let hall = app.hall_region.parse::<RegionCode>().ok();
        if hall.as_ref() != Some(&terminal.region) || app.device != terminal.device.get() {
            return Err(IntakeError::Invalid(format!(
                "终端 {} 不能提交 {}-{:02} 的申请",
                terminal.id, app.hall_region, app.device
            )));
        }
        if receipt.region() != terminal.region || receipt.device() != terminal.device {
            return Err(IntakeError::Invalid("回执编号与受理终端不符".into()));
        }
        let digits = receipt.digits();
        // The progress token is kept only as its hash, not in the payload.
        let token_sha256 = match &app.progress_token {
            Some(t) if disclosure::requests::access::is_progress_token(t) => Some(sha256_hex(t)),
            Some(_) => {
                return Err(IntakeError::Invalid(
                    "progress_token 应为24位 base32 小写字母和数字".into(),
                ));
            }
            None => None,
        };
        let without_token = |m: &ApplicationMessage| ApplicationMessage {
            progress_token: None,
            ..normalised_message(m, &receipt)
        };
        let msg = without_token(app);
        let payload = serde_json::to_string(&msg).expect("messages serialize");
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let existing: Option<(String, String, String, Option<String>)> = tx
            .query_row(
                "SELECT delivered_at, payload, terminal_id, progress_token_sha256
                 FROM application WHERE receipt_no = ?1",
                [&digits],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        if let Some((delivered_at, old, owner, old_token)) = existing {
            let same = owner == terminal.id
                && old_token == token_sha256
                && serde_json::from_str::<ApplicationMessage>(&old)
                    .is_ok_and(|o| without_token(&o) == msg);
            if !same {
                return Err(IntakeError::Conflict(format!(
                    "回执编号 {receipt} 已有不同内容的申请"
                )));
            }
            return Ok(Acknowledgement {
                receipt_no: digits,
                created: false,
                received_at: delivered_at,
            });
        }
        if let Some(t) = &token_sha256 {
            let taken: bool = tx.query_row(
                "SELECT COUNT(*) > 0 FROM application WHERE progress_token_sha256 = ?1",
                [t],
                |r| r.get(0),
            )?;
            if taken {
                return Err(IntakeError::Conflict(
                    "progress_token 已属于另一件申请".into(),
                ));
            }
        }
        let at = format_time(now);
        tx.execute(
            "INSERT INTO application(receipt_no, terminal_id, received_at, delivered_at,
                body_name, deadline, payload, applicant_kind, progress_token_sha256)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                digits,
                terminal.id,
                msg.received_at,
                at,
                msg.body_name,
                msg.deadline,
                payload,
                msg.applicant.kind().db_name(),
                token_sha256
            ],
        )?;
        tx.commit()?;
        tracing::info!(receipt = %receipt, terminal = %terminal.id, "application received");
        Ok(Acknowledgement {
            receipt_no: digits,
            created: true,
            received_at: at,
        })
    }

    /// A 好差评 rating (the first one counts).
    pub fn rate(&self, terminal: &Terminal, r: &RatingMessage) -> Result<bool, IntakeError> {
        if !(1..=5).contains(&r.level) {
            return Err(IntakeError::Invalid("评价应为 1 至 5".into()));
        }
        let receipt = ReceiptNo::parse(&r.receipt_no)
            .map_err(|_| IntakeError::UnknownReceipt(r.receipt_no.clone()))?;
        let conn = self.conn();
        let owner: Option<String> = conn
            .query_row(
                "SELECT terminal_id FROM application WHERE receipt_no = ?1",
                [receipt.digits()],
                |row| row.get(0),
            )
            .optional()?;
        if owner.as_deref() != Some(terminal.id.as_str()) {
            return Err(IntakeError::UnknownReceipt(r.receipt_no.clone()));
        }
        let n = conn.execute(
            "INSERT OR IGNORE INTO rating(receipt_no, level, at) VALUES (?1, ?2, ?3)",
            params![receipt.digits(), r.level, r.at],
        )?;
        Ok(n == 1)
    }

    /// Status changes of `terminal`'s applications after `since`.
    pub fn changes_since(
        &self,
        terminal: &Terminal,
        since: i64,
        limit: u32,
    ) -> Result<StatusChanges, IntakeError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT s.cursor, a.receipt_no, s.status, s.at, s.note
             FROM status_change s JOIN application a ON a.id = s.application_id
             WHERE a.terminal_id = ?1 AND s.cursor > ?2 ORDER BY s.cursor LIMIT ?3",
        )?;
        let changes = stmt
            .query_map(params![terminal.id, since, limit], |r| {
                Ok(StatusChangeMessage {
                    cursor: r.get(0)?,
                    receipt_no: r.get(1)?,
                    status: r.get(2)?,
                    at: r.get(3)?,
                    note: r.get(4)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let next_cursor = changes.last().map_or(since, |c| c.cursor);
        Ok(StatusChanges {
            changes,
            next_cursor,
        })
    }

    /// Stores a terminal's health report.
    pub fn report_health(&self, terminal: &Terminal, h: &HealthReport) -> Result<(), IntakeError> {
        self.conn().execute(
            "UPDATE terminal SET health = ?2 WHERE id = ?1",
            params![
                terminal.id,
                serde_json::to_string(h).expect("reports serialize")
            ],
        )?;
        Ok(())
    }

    fn application_id(&self, receipt: &ReceiptNo) -> Result<i64, IntakeError> {
        self.conn()
            .query_row(
                "SELECT id FROM application WHERE receipt_no = ?1",
                [receipt.digits()],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| IntakeError::UnknownReceipt(receipt.to_string()))
    }

    /// Records a workflow status (登记, 补正, 办理中, 送达, 归档) for the terminal.
    pub fn add_status(
        &self,
        receipt: &ReceiptNo,
        status: ApplicationStatus,
        note: &str,
        now: OffsetDateTime,
    ) -> Result<(), IntakeError> {
        let id = self.application_id(receipt)?;
        self.conn().execute(
            "INSERT INTO status_change(application_id, status, at, note) VALUES (?1, ?2, ?3, ?4)",
            params![id, status.db_name(), format_time(now), note],
        )?;
        Ok(())
    }

    /// Records the reply (Art 36 outcome), which the terminal shows as 已答复.
    pub fn reply(
        &self,
        receipt: &ReceiptNo,
        outcome: ReplyOutcome,
        note: &str,
        now: OffsetDateTime,
    ) -> Result<(), IntakeError> {
        if outcome.needs_note() && note.trim().is_empty() {
            return Err(IntakeError::Invalid(format!(
                "“{}”的答复须写明说明（获取途径、理由或负责机关）",
                outcome.name()
            )));
        }
        let id = self.application_id(receipt)?;
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let done: Option<String> =
            tx.query_row("SELECT outcome FROM application WHERE id = ?1", [id], |r| {
                r.get(0)
            })?;
        if let Some(done) = done {
            return Err(IntakeError::Conflict(format!("该申请已答复（{done}）")));
        }
        tx.execute(
            "UPDATE application SET outcome = ?2, closed_at = ?3 WHERE id = ?1",
            params![id, outcome.code(), format_time(now)],
        )?;
        let text = if note.trim().is_empty() {
            outcome.name().to_string()
        } else {
            format!("{}：{}", outcome.name(), note.trim())
        };
        tx.execute(
            "INSERT INTO status_change(application_id, status, at, note) VALUES (?1, 'replied', ?2, ?3)",
            params![id, format_time(now), text],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Extends the deadline once by up to 20 working days (Art 33), with
    /// the reason; the terminal shows 延期答复 and the new date.
    pub fn extend(
        &self,
        receipt: &ReceiptNo,
        days: u32,
        reason: &str,
        calendar: &WorkingDayCalendar,
        now: OffsetDateTime,
    ) -> Result<Date, IntakeError> {
        if !(1..=20).contains(&days) {
            return Err(IntakeError::Invalid("延期不得超过20个工作日".into()));
        }
        if reason.trim().is_empty() {
            return Err(IntakeError::Invalid("延期须写明理由".into()));
        }
        let id = self.application_id(receipt)?;
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let (deadline, extended, outcome): (Option<String>, Option<String>, Option<String>) = tx
            .query_row(
                "SELECT deadline, extended_to, outcome FROM application WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?;
        if extended.is_some() {
            return Err(IntakeError::Conflict("只能延期一次".into()));
        }
        if outcome.is_some() {
            return Err(IntakeError::Conflict("已答复，不能延期".into()));
        }
        let Some(deadline) = deadline.and_then(|d| d.parse::<Date>().ok()) else {
            return Err(IntakeError::Invalid(
                "原答复期限尚未确定（节假日安排未公布），请先确认期限".into(),
            ));
        };
        let new = match calendar.add_working_days(deadline, days) {
            Deadline::Due(d) => d,
            Deadline::Unconfirmed { year } => {
                return Err(IntakeError::Invalid(format!(
                    "{year}年节假日安排尚未载入，无法计算延期后的期限"
                )));
            }
        };
        tx.execute(
            "UPDATE application SET extended_to = ?2 WHERE id = ?1",
            params![id, new.to_string()],
        )?;
        tx.execute(
            "INSERT INTO status_change(application_id, status, at, note) VALUES (?1, 'extended', ?2, ?3)",
            params![id, format_time(now), format!("延期至{}：{}", new.chinese(), reason.trim())],
        )?;
        tx.commit()?;
        Ok(new)
    }

    /// Applications, newest first.
    pub fn applications(&self) -> Result<Vec<ApplicationRow>, IntakeError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT a.receipt_no, a.terminal_id, a.received_at, a.body_name, a.deadline,
                    a.extended_to, a.outcome, a.payload,
                    (SELECT status FROM status_change s WHERE s.application_id = a.id
                     ORDER BY cursor DESC LIMIT 1),
                    a.applicant_kind, a.closed_at, a.purged_at
             FROM application a ORDER BY a.received_at DESC, a.id DESC",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, String>(7)?,
                    r.get::<_, Option<String>>(8)?,
                    (
                        r.get::<_, Option<String>>(9)?,
                        r.get::<_, Option<String>>(10)?,
                        r.get::<_, Option<String>>(11)?,
                    ),
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(
                |(
                    no,
                    terminal,
                    received_at,
                    body,
                    deadline,
                    extended,
                    outcome,
                    payload,
                    status,
                    (kind, closed_at, purged_at),
                )| {
                    let msg: ApplicationMessage = serde_json::from_str(&payload)
                        .map_err(|e| IntakeError::Invalid(format!("stored payload: {e}")))?;
                    let applicant = match &msg.applicant {
                        ApplicantMessage::Person { name, .. } => name.clone(),
                        ApplicantMessage::Organisation { name, .. } => name.clone(),
                    };
                    let wanted = disclosure::requests::InformationWanted {
                        linked_title: msg.linked_title.clone(),
                        description: msg.description.clone(),
                        ..Default::default()
                    }
                    .summary();
                    let deadline = extended
                        .as_deref()
                        .or(deadline.as_deref())
                        .and_then(|d| d.parse().ok());
                    Ok(ApplicationRow {
                        receipt_no: ReceiptNo::parse(&no)
                            .map_err(|e| IntakeError::Invalid(e.to_string()))?,
                        terminal,
                        received_at,
                        body_name: body,
                        applicant_kind: kind
                            .unwrap_or_else(|| msg.applicant.kind().db_name().to_string()),
                        applicant,
                        wanted,
                        deadline,
                        extended: extended.is_some(),
                        outcome: outcome
                            .and_then(|o| ReplyOutcome::parse(&o))
                            .map(|o| o.name().to_string()),
                        status: status
                            .and_then(|s| ApplicationStatus::from_db_name(&s))
                            .map_or("已送达", |s| s.name())
                            .to_string(),
                        closed_at,
                        purged_at,
                    })
                },
            )
            .collect()
    }

    /// One application in full (personal fields included: staff only) and
    /// its status changes.
    pub fn application(
        &self,
        receipt: &ReceiptNo,
    ) -> Result<(ApplicationMessage, Vec<StatusChangeMessage>), IntakeError> {
        let id = self.application_id(receipt)?;
        let conn = self.conn();
        let payload: String =
            conn.query_row("SELECT payload FROM application WHERE id = ?1", [id], |r| {
                r.get(0)
            })?;
        let msg: ApplicationMessage = serde_json::from_str(&payload)
            .map_err(|e| IntakeError::Invalid(format!("stored payload: {e}")))?;
        let mut stmt = conn.prepare(
            "SELECT cursor, status, at, note FROM status_change WHERE application_id = ?1
             ORDER BY cursor",
        )?;
        let changes = stmt
            .query_map([id], |r| {
                Ok(StatusChangeMessage {
                    cursor: r.get(0)?,
                    receipt_no: receipt.digits().to_string(),
                    status: r.get(1)?,
                    at: r.get(2)?,
                    note: r.get(3)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok((msg, changes))
    }

    /// The stages of the application whose receipt carries progress token
    /// `token`, for the public page; `None` for anything else (a receipt
    /// number, an unknown or malformed token, an application sent without
    /// a token), so the page cannot tell them apart.
    pub fn public_progress(&self, token: &str) -> Result<Option<PublicProgress>, IntakeError> {
        if !disclosure::requests::access::is_progress_token(token) {
            return Ok(None);
        }
        let conn = self.conn();
        let row: Option<(i64, String)> = conn
            .query_row(
                "SELECT id, received_at FROM application WHERE progress_token_sha256 = ?1",
                [sha256_hex(token)],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((id, received_at)) = row else {
            return Ok(None);
        };
        let day = |at: &str| {
            at.get(..10)
                .and_then(|d| d.parse::<Date>().ok())
                .ok_or_else(|| IntakeError::Invalid(format!("stored time “{at}”")))
        };
        let mut stages = vec![(day(&received_at)?, ApplicationStatus::Received)];
        let mut stmt = conn.prepare(
            "SELECT status, at FROM status_change WHERE application_id = ?1 ORDER BY cursor",
        )?;
        let rows = stmt
            .query_map([id], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        for (status, at) in rows {
            // A status this version does not know is left out, not guessed.
            if let Some(s) = ApplicationStatus::from_db_name(&status) {
                stages.push((day(&at)?, s));
            }
        }
        Ok(Some(PublicProgress { stages }))
    }

    /// Enrolled terminals with their last health report.
    pub fn terminals(&self) -> Result<Vec<TerminalRow>, IntakeError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT id, hall_region, device, enrolled_at, last_seen_at, health, revoked_at
             FROM terminal ORDER BY id",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(TerminalRow {
                    id: r.get(0)?,
                    hall_region: r.get(1)?,
                    device: r.get(2)?,
                    enrolled_at: r.get(3)?,
                    last_seen_at: r.get(4)?,
                    health: r
                        .get::<_, Option<String>>(5)?
                        .and_then(|h| serde_json::from_str(&h).ok()),
                    revoked_at: r.get(6)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// Enrolment codes neither used nor expired at `now`, newest first:
    /// which terminals are waiting to be installed. The codes themselves
    /// are not here (only their hashes are kept).
    pub fn pending_codes(&self, now: OffsetDateTime) -> Result<Vec<PendingCode>, IntakeError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT hall_region, device, created_at, expires_at FROM enrol_code
             WHERE used_at IS NULL AND expires_at >= ?1 ORDER BY created_at DESC, id DESC",
        )?;
        let rows = stmt
            .query_map([format_time(now)], |r| {
                let region: String = r.get(0)?;
                let device: u8 = r.get(1)?;
                Ok(PendingCode {
                    terminal: format!("{region}-{device:02}"),
                    created_at: r.get(2)?,
                    expires_at: r.get(3)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// How many applications the county holds for `receipt` in any of its
    /// spellings (0 or 1).
    pub fn count_of(&self, receipt: &str) -> Result<u32, IntakeError> {
        let conn = self.conn();
        let mut n: u32 = conn.query_row(
            "SELECT COUNT(*) FROM application WHERE receipt_no = ?1",
            [receipt],
            |r| r.get(0),
        )?;
        if let Ok(r) = ReceiptNo::parse(receipt)
            && r.digits() != receipt
        {
            n += conn.query_row(
                "SELECT COUNT(*) FROM application WHERE receipt_no = ?1",
                [r.digits()],
                |r| r.get::<_, u32>(0),
            )?;
        }
        Ok(n)
    }

    /// Purges the personal fields of applications replied to more than
    /// the policy's `archive_days` ago, and the notes of their status
    /// changes down to the reply type and the extended date
    /// ([`note_after_purge`](disclosure::requests::wire::note_after_purge)),
    /// overwritten in the file (secure delete, then a WAL checkpoint). What
    /// the annual report counts stays: applicant kind, dates, receiving
    /// body, outcome, extension, the statuses and their times. Returns how
    /// many were purged.
    pub fn purge_closed(&self, now: OffsetDateTime) -> Result<usize, IntakeError> {
        let before = format_time(now - time::Duration::days(i64::from(self.policy.archive_days)));
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let due: Vec<(i64, String)> = tx
            .prepare(
                "SELECT id, payload FROM application
                 WHERE purged_at IS NULL AND closed_at IS NOT NULL AND closed_at < ?1",
            )?
            .query_map([&before], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let at = format_time(now);
        for (id, payload) in &due {
            let msg: ApplicationMessage = serde_json::from_str(payload)
                .map_err(|e| IntakeError::Invalid(format!("stored payload: {e}")))?;
            tx.execute(
                "UPDATE application SET payload = ?2, purged_at = ?3,
                    applicant_kind = coalesce(applicant_kind, ?4)
                 WHERE id = ?1",
                params![
                    id,
                    serde_json::to_string(&purged_message(&msg)).expect("messages serialize"),
                    at,
                    msg.applicant.kind().db_name()
                ],
            )?;
            tx.execute(
                "UPDATE status_change SET note = note_after_purge(status, note)
                 WHERE application_id = ?1",
                [id],
            )?;
        }
        tx.commit()?;
        if !due.is_empty() {
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
            tracing::info!(
                purged = due.len(),
                "personal fields purged after the archive period"
            );
        }
        Ok(due.len())
    }
}
