//! `county.db`: the county's intake — enrolled terminals, one-time
//! enrolment codes, the applications delivered to it (one per receipt
//! number however often it is sent), status changes for the terminals,
//! replies, ratings and the terminals' last health reports.

use std::path::Path;
use std::sync::Mutex;

use disclosure::calendar::{Deadline, WorkingDayCalendar};
use disclosure::requests::wire::{
    Acknowledgement, ApplicationMessage, HealthReport, RatingMessage, StatusChangeMessage,
    StatusChanges,
};
use disclosure::requests::{ApplicationStatus, DeviceNo, ReceiptNo, store::format_time};
use disclosure::{Date, RegionCode};
use rusqlite::{Connection, OptionalExtension, params};
use time::OffsetDateTime;

#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    #[error("数据库错误：{0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("开通码无效、已用过或已过期")]
    BadEnrolCode,
    #[error("{0}")]
    WrongTerminal(String),
    #[error("终端凭证无效")]
    Unauthorised,
    #[error("{0}")]
    Invalid(String),
    #[error("找不到回执编号 {0}")]
    UnknownReceipt(String),
    #[error("{0}")]
    Conflict(String),
}

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS enrol_code (
    code        TEXT PRIMARY KEY,
    hall_region TEXT NOT NULL,
    device      INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT
) STRICT;
CREATE TABLE IF NOT EXISTS terminal (
    id           TEXT PRIMARY KEY,
    hall_region  TEXT NOT NULL,
    device       INTEGER NOT NULL,
    token_sha256 TEXT NOT NULL UNIQUE,
    enrolled_at  TEXT NOT NULL,
    last_seen_at TEXT,
    health       TEXT,
    UNIQUE (hall_region, device)
) STRICT;
CREATE TABLE IF NOT EXISTS application (
    id           INTEGER PRIMARY KEY,
    receipt_no   TEXT NOT NULL UNIQUE,
    terminal_id  TEXT NOT NULL REFERENCES terminal(id),
    received_at  TEXT NOT NULL,
    delivered_at TEXT NOT NULL,
    body_name    TEXT NOT NULL,
    deadline     TEXT,
    extended_to  TEXT,
    outcome      TEXT,
    payload      TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS status_change (
    cursor         INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id INTEGER NOT NULL REFERENCES application(id),
    status         TEXT NOT NULL,
    at             TEXT NOT NULL,
    note           TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE TABLE IF NOT EXISTS rating (
    receipt_no TEXT PRIMARY KEY,
    level      INTEGER NOT NULL,
    at         TEXT NOT NULL
) STRICT;
"#;

/// The progress token column: the SHA-256 of the token a terminal sends
/// with an application (the key of the public progress page). Written as
/// one migration step, applied once to a `county.db` that lacks it.
const PROGRESS_TOKEN_STEP: &str = r#"
-- kiosk token column
ALTER TABLE application ADD COLUMN progress_token_sha256 TEXT;
CREATE UNIQUE INDEX application_by_progress_token ON application(progress_token_sha256);
"#;

/// What the public progress page shows of an application: stages and
/// days, nothing else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicProgress {
    /// Day first (终端已受理), then the county's statuses, oldest first.
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
    pub applicant: String,
    pub wanted: String,
    /// The deadline in force (extended or not); `None` when unconfirmed.
    pub deadline: Option<Date>,
    pub extended: bool,
    pub outcome: Option<String>,
    pub status: String,
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
}

/// The county's intake database.
pub struct IntakeStore {
    conn: Mutex<Connection>,
}

fn random_hex(bytes: usize) -> String {
    use aws_lc_rs::rand::SecureRandom;
    let mut buf = vec![0u8; bytes];
    aws_lc_rs::rand::SystemRandom::new()
        .fill(&mut buf)
        .expect("system randomness");
    disclosure::feed::hex(&buf)
}

fn sha256_hex(s: &str) -> String {
    disclosure::feed::sha256_hex(s.as_bytes())
}

impl IntakeStore {
    pub fn open(path: &Path) -> Result<IntakeStore, IntakeError> {
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        conn.execute_batch(SCHEMA)?;
        let has_token: bool = conn.query_row(
            "SELECT COUNT(*) > 0 FROM pragma_table_info('application')
             WHERE name = 'progress_token_sha256'",
            [],
            |r| r.get(0),
        )?;
        if !has_token {
            let tx = conn.transaction()?;
            tx.execute_batch(PROGRESS_TOKEN_STEP)?;
            tx.commit()?;
        }
        Ok(IntakeStore {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A one-time enrolment code for terminal `device` of `hall`, valid
    /// for `valid_days`. Given to the technician who installs the box.
    pub fn new_enrol_code(
        &self,
        hall: &RegionCode,
        device: DeviceNo,
        valid_days: i64,
        now: OffsetDateTime,
    ) -> Result<String, IntakeError> {
        // 12 digits in groups of four: easy to read out over the phone.
        let hex = random_hex(8);
        let n = u64::from_str_radix(&hex, 16).expect("hex") % 1_000_000_000_000;
        let code = format!(
            "{:04}-{:04}-{:04}",
            n / 100_000_000,
            n / 10_000 % 10_000,
            n % 10_000
        );
        self.conn().execute(
            "INSERT INTO enrol_code(code, hall_region, device, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                code,
                hall.as_str(),
                device.get(),
                format_time(now),
                format_time(now + time::Duration::days(valid_days))
            ],
        )?;
        Ok(code)
    }

    /// Enrols a terminal with a one-time code: returns its id and a new
    /// token (only its hash is kept). A second enrolment of the same
    /// terminal replaces its token.
    pub fn enrol(
        &self,
        code: &str,
        hall: &str,
        device: u8,
        now: OffsetDateTime,
    ) -> Result<(String, String), IntakeError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let row: Option<(String, u8, String, Option<String>)> = tx
            .query_row(
                "SELECT hall_region, device, expires_at, used_at FROM enrol_code WHERE code = ?1",
                [code.trim()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let Some((c_hall, c_device, expires, used)) = row else {
            return Err(IntakeError::BadEnrolCode);
        };
        if used.is_some() || expires < format_time(now) {
            return Err(IntakeError::BadEnrolCode);
        }
        if c_hall != hall || c_device != device {
            return Err(IntakeError::WrongTerminal(format!(
                "此开通码是给终端 {c_hall}-{c_device:02} 的，本终端配置为 {hall}-{device:02}"
            )));
        }
        let id = format!("{hall}-{device:02}");
        let token = random_hex(32);
        tx.execute(
            "UPDATE enrol_code SET used_at = ?2 WHERE code = ?1",
            params![code.trim(), format_time(now)],
        )?;
        tx.execute(
            "INSERT INTO terminal(id, hall_region, device, token_sha256, enrolled_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(id) DO UPDATE SET token_sha256 = excluded.token_sha256,
                enrolled_at = excluded.enrolled_at",
            params![id, hall, device, sha256_hex(&token), format_time(now)],
        )?;
        tx.commit()?;
        Ok((id, token))
    }

    /// The terminal a bearer token belongs to.
    pub fn terminal_of(&self, token: &str, now: OffsetDateTime) -> Result<String, IntakeError> {
        let conn = self.conn();
        let id: Option<String> = conn
            .query_row(
                "SELECT id FROM terminal WHERE token_sha256 = ?1",
                [sha256_hex(token)],
                |r| r.get(0),
            )
            .optional()?;
        let id = id.ok_or(IntakeError::Unauthorised)?;
        conn.execute(
            "UPDATE terminal SET last_seen_at = ?2 WHERE id = ?1",
            params![id, format_time(now)],
        )?;
        Ok(id)
    }

    /// Takes an application from terminal `terminal`. The receipt number is
    /// the idempotency key: a second delivery returns the first
    /// acknowledgement and changes nothing.
    pub fn receive(
        &self,
        terminal: &str,
        key: &str,
        app: &ApplicationMessage,
        now: OffsetDateTime,
    ) -> Result<Acknowledgement, IntakeError> {
        if key != app.receipt_no {
            return Err(IntakeError::Invalid(
                "Idempotency-Key 与回执编号不一致".into(),
            ));
        }
        let receipt = ReceiptNo::parse(&app.receipt_no)
            .map_err(|e| IntakeError::Invalid(format!("回执编号无效：{e}")))?;
        let expected = format!("{}-{:02}", app.hall_region, app.device);
        if terminal != expected {
            return Err(IntakeError::Invalid(format!(
                "终端 {terminal} 不能提交 {expected} 的申请"
            )));
        }
        if !receipt
            .digits()
            .starts_with(&format!("{:0<12}{:02}", app.hall_region, app.device))
        {
            return Err(IntakeError::Invalid("回执编号与受理终端不符".into()));
        }
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
        let payload = serde_json::to_string(&ApplicationMessage {
            progress_token: None,
            ..app.clone()
        })
        .expect("messages serialize");
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let existing: Option<(String, String, Option<String>)> = tx
            .query_row(
                "SELECT delivered_at, payload, progress_token_sha256
                 FROM application WHERE receipt_no = ?1",
                [&app.receipt_no],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        if let Some((delivered_at, old, old_token)) = existing {
            if old != payload || old_token != token_sha256 {
                return Err(IntakeError::Conflict(format!(
                    "回执编号 {} 已有不同内容的申请",
                    receipt
                )));
            }
            return Ok(Acknowledgement {
                receipt_no: app.receipt_no.clone(),
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
                body_name, deadline, payload, progress_token_sha256)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                app.receipt_no,
                terminal,
                app.received_at,
                at,
                app.body_name,
                app.deadline,
                payload,
                token_sha256
            ],
        )?;
        tx.commit()?;
        tracing::info!(receipt = %receipt, terminal, "application received");
        Ok(Acknowledgement {
            receipt_no: app.receipt_no.clone(),
            created: true,
            received_at: at,
        })
    }

    /// A 好差评 rating (the first one counts).
    pub fn rate(&self, terminal: &str, r: &RatingMessage) -> Result<bool, IntakeError> {
        if !(1..=5).contains(&r.level) {
            return Err(IntakeError::Invalid("评价应为 1 至 5".into()));
        }
        let conn = self.conn();
        let owner: Option<String> = conn
            .query_row(
                "SELECT terminal_id FROM application WHERE receipt_no = ?1",
                [&r.receipt_no],
                |row| row.get(0),
            )
            .optional()?;
        match owner {
            None => return Err(IntakeError::UnknownReceipt(r.receipt_no.clone())),
            Some(o) if o != terminal => {
                return Err(IntakeError::UnknownReceipt(r.receipt_no.clone()));
            }
            Some(_) => {}
        }
        let n = conn.execute(
            "INSERT OR IGNORE INTO rating(receipt_no, level, at) VALUES (?1, ?2, ?3)",
            params![r.receipt_no, r.level, r.at],
        )?;
        Ok(n == 1)
    }

    /// Status changes of terminal `terminal`'s applications after `since`.
    pub fn changes_since(
        &self,
        terminal: &str,
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
            .query_map(params![terminal, since, limit], |r| {
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
    pub fn report_health(&self, terminal: &str, h: &HealthReport) -> Result<(), IntakeError> {
        self.conn().execute(
            "UPDATE terminal SET health = ?2 WHERE id = ?1",
            params![
                terminal,
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
            "UPDATE application SET outcome = ?2 WHERE id = ?1",
            params![id, outcome.code()],
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
                     ORDER BY cursor DESC LIMIT 1)
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
                )| {
                    let msg: ApplicationMessage = serde_json::from_str(&payload)
                        .map_err(|e| IntakeError::Invalid(format!("stored payload: {e}")))?;
                    let applicant = match &msg.applicant {
                        disclosure::requests::wire::ApplicantMessage::Person { name, .. } => {
                            name.clone()
                        }
                        disclosure::requests::wire::ApplicantMessage::Organisation {
                            name, ..
                        } => name.clone(),
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
            "SELECT id, hall_region, device, enrolled_at, last_seen_at, health
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
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// How many applications the county holds for `receipt` (0 or 1).
    pub fn count_of(&self, receipt: &str) -> Result<u32, IntakeError> {
        Ok(self.conn().query_row(
            "SELECT COUNT(*) FROM application WHERE receipt_no = ?1",
            [receipt],
            |r| r.get(0),
        )?)
    }
}
