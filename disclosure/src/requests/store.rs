//! `requests.db`: the applications taken at this terminal, their outbox
//! rows for the sync agent, status history, prints and ratings.
//!
//! Its own file, apart from `content.db`: the kiosk writes it, the sync
//! agent delivers from it. Each application is written together with its
//! outbox row and first status in one transaction with `synchronous=FULL`
//! (and WAL), so once [`RequestStore::submit`] returns the application
//! survives a power cut, and before it returns nothing may be printed.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use time::OffsetDateTime;

use super::access::{self, MAX_PIN_FAILURES, PIN_PAUSE_MINUTES, ReceiptSecrets};
use super::application::{
    Applicant, ApplicantKind, Application, Delivery, InformationWanted, ProvideForm, ReceivingBody,
};
use super::printer_health::PrinterHealth;
use super::receipt_no::{DeviceNo, MAX_DAILY_SEQUENCE, ReceiptNo};
use super::schema::MIGRATIONS;
use super::wire::{ApplicantMessage, ApplicationMessage, RatingMessage, StatusChangeMessage};
use crate::calendar::{Deadline, WorkingDayCalendar};
use crate::sqlite::{self, Contents, MigrationError};
use crate::{Date, RegionCode, Timestamp};

#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    #[error("申请数据库错误：{0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("申请数据库 {path} 的结构版本 {found} 比本程序支持的 {expected} 新；请升级本程序")]
    SchemaTooNew {
        path: PathBuf,
        found: usize,
        expected: usize,
    },
    #[error(
        "终端时钟显示今天是{today}，早于已受理申请的日期{latest}：时钟可能有误，请联系工作人员校准后再受理"
    )]
    ClockBehind { today: Date, latest: Date },
    #[error("本终端今天已受理{0}件申请，达到每日上限，请到窗口办理")]
    DailyLimit(u16),
    #[error("找不到回执编号 {0}")]
    UnknownReceipt(String),
    #[error("申请数据库中的数据无效：{0}")]
    Corrupt(String),
    #[error(transparent)]
    Randomness(#[from] access::RandomnessError),
}

/// Where an application stands. The terminal records `received`; the
/// others arrive from the county through the sync agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplicationStatus {
    /// 已提交 (saved here, receipt printed or shown; 受理 is the body's
    /// step, so the terminal does not say it: it once said 终端已受理).
    Received,
    /// 已送达受理机关 (the county acknowledged it).
    Delivered,
    /// 登记.
    Registered,
    /// 补正: the body asked for corrections (Art 30).
    CorrectionRequested,
    /// 办理中 (审核, 办理, 征求第三方意见).
    Processing,
    /// 延期答复 (Art 33).
    Extended,
    /// 已答复 (with an Art 36 outcome in the note).
    Replied,
    /// 已送达 the reply to the applicant.
    Served,
    /// 已归档.
    Archived,
}

impl ApplicationStatus {
    pub const ALL: [ApplicationStatus; 9] = [
        Self::Received,
        Self::Delivered,
        Self::Registered,
        Self::CorrectionRequested,
        Self::Processing,
        Self::Extended,
        Self::Replied,
        Self::Served,
        Self::Archived,
    ];

    pub fn db_name(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Delivered => "delivered",
            Self::Registered => "registered",
            Self::CorrectionRequested => "correction_requested",
            Self::Processing => "processing",
            Self::Extended => "extended",
            Self::Replied => "replied",
            Self::Served => "served",
            Self::Archived => "archived",
        }
    }

    pub fn from_db_name(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.db_name() == s)
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Received => "已提交",
            Self::Delivered => "已送达受理机关",
            Self::Registered => "已登记",
            Self::CorrectionRequested => "需要补正",
            Self::Processing => "办理中",
            Self::Extended => "延期答复",
            Self::Replied => "已答复",
            Self::Served => "答复已送达",
            Self::Archived => "已归档",
        }
    }
}

/// What happened when a receipt was to be printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrintOutcome {
    Printed,
    /// The printer could not print; the receipt was shown on screen as a
    /// QR code instead. `detail` says why.
    ShownOnScreen {
        detail: String,
    },
    Failed {
        detail: String,
    },
}

/// What [`RequestStore::submit`] returns: the application is saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    pub receipt_no: ReceiptNo,
    pub received_at: OffsetDateTime,
    pub deadline: Deadline,
    /// The 查询密码 and progress token to print; only their hash and the
    /// token stay in `requests.db`, so this is the one chance to print the PIN.
    pub secrets: ReceiptSecrets,
}

/// One stage of an application as anyone with its number may see it: what
/// and which day, no time, no note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    pub date: Date,
    pub status: ApplicationStatus,
}

/// What a bare receipt number shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StagesView {
    pub receipt_no: ReceiptNo,
    pub stages: Vec<Stage>,
    /// `false` for applications saved before receipts had a 查询密码: their
    /// details cannot be opened at the terminal.
    pub has_pin: bool,
}

/// The answer to a 查询密码.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PinCheck {
    /// The right one: the application, masked, with its full history.
    Opened(Box<ApplicationView>),
    /// Wrong; `tries_left` before the pause.
    Wrong { tries_left: u32 },
    /// Too many wrong tries: nothing is checked before `until`.
    Paused { until: Timestamp },
    /// Saved before receipts had a 查询密码.
    NoPin,
    /// No such number here.
    Unknown,
}

/// One line of an application's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusEntry {
    pub at: Timestamp,
    pub status: ApplicationStatus,
    pub note: String,
}

/// An application as the progress page and receipts show it: masked
/// personal data only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationView {
    pub receipt_no: ReceiptNo,
    pub received_at: Timestamp,
    pub channel: String,
    pub staff_assisted: bool,
    pub applicant_kind: ApplicantKind,
    pub name_masked: String,
    pub id_masked: String,
    pub phone_masked: String,
    pub wanted: String,
    pub form: ProvideForm,
    pub delivery: Delivery,
    pub body_name: String,
    pub deadline: Deadline,
    pub history: Vec<StatusEntry>,
    pub rating: Option<u8>,
    pub prints: u32,
    /// The QR code's key to the county's progress page; `None` for
    /// applications saved before there was one.
    pub progress_token: Option<String>,
}

/// What an outbox row delivers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutboxKind {
    /// The application itself (`POST /api/v1/applications`).
    Application,
    /// Its 好差评 rating (`POST /api/v1/ratings`).
    Rating,
}

impl OutboxKind {
    pub const ALL: [OutboxKind; 2] = [Self::Application, Self::Rating];

    /// The word in the outbox's `kind` column.
    pub fn db_name(self) -> &'static str {
        match self {
            Self::Application => "application",
            Self::Rating => "rating",
        }
    }

    pub fn from_db_name(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.db_name() == s)
    }
}

/// A row of the outbox, for the sync agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    pub id: i64,
    pub receipt_no: ReceiptNo,
    pub kind: OutboxKind,
    pub attempts: u32,
    pub next_attempt_at: Timestamp,
}

/// The channel recorded for applications made at the terminal (Art 31).
pub const KIOSK_CHANNEL: &str = "现场·政务公开专区终端";

/// Makes [`note_after_purge`](super::wire::note_after_purge) callable in SQL on `conn`, as
/// `note_after_purge(status, note)`.
pub fn register_note_after_purge(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    use rusqlite::functions::FunctionFlags;
    conn.create_scalar_function(
        "note_after_purge",
        2,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            Ok(super::wire::note_after_purge(
                &ctx.get::<String>(0)?,
                &ctx.get::<String>(1)?,
            ))
        },
    )
}

/// `2026-11-23 09:05:07+08:00`: sortable, with the zone (a
/// [`Timestamp`]'s stored form).
pub fn format_time(t: OffsetDateTime) -> String {
    Timestamp::new(t).to_string()
}

/// `王**`: the first character and a star for each other one.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => std::iter::once(first).chain(chars.map(|_| '*')).collect(),
        None => String::new(),
    }
}

/// `device_state` key of the last county status change stored.
const STATUS_CURSOR: &str = "status_cursor";
/// `device_state` key of the printer's last known [`PrinterHealth`]
/// (`ok`, `near_end`, `paper_out`, `error`), written by the kiosk after
/// each print.
pub const PRINTER_STATE: &str = "printer";

fn set_state(
    tx: &rusqlite::Transaction<'_>,
    key: &str,
    value: &str,
    at: OffsetDateTime,
) -> Result<(), RequestError> {
    tx.execute(
        "INSERT INTO device_state(key, value, at) VALUES (?1, ?2, ?3)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value, at = excluded.at",
        params![key, value, format_time(at)],
    )?;
    Ok(())
}

/// An open `requests.db`.
pub struct RequestStore {
    conn: Connection,
    path: PathBuf,
}

impl RequestStore {
    /// Opens (or creates) the file and brings its schema up to date.
    pub fn open(path: &Path) -> Result<RequestStore, RequestError> {
        // Purged personal fields are overwritten on disk, not just unlinked.
        let mut conn = sqlite::open_writer(path, Contents::Personal)?;
        MIGRATIONS.apply(&mut conn).map_err(|e| match e {
            MigrationError::TooNew {
                found, expected, ..
            } => RequestError::SchemaTooNew {
                path: path.to_path_buf(),
                found,
                expected,
            },
            MigrationError::BrokenReferences { .. } => RequestError::Corrupt(e.to_string()),
            MigrationError::Failed(e) => e,
        })?;
        Ok(RequestStore {
            conn,
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Saves `app` as received at `received_at` by terminal `device` of
    /// `hall`: the receipt number is allocated, the deadline computed, and
    /// the application, its first status and its outbox row are committed
    /// in one transaction. Only after this returns may a receipt be printed.
    pub fn submit(
        &mut self,
        app: &Application,
        body: &ReceivingBody,
        hall: &RegionCode,
        device: DeviceNo,
        received_at: OffsetDateTime,
        calendar: &WorkingDayCalendar,
    ) -> Result<Submission, RequestError> {
        let today = Date::in_china(received_at);
        let at = format_time(received_at);
        let secrets = ReceiptSecrets::generate()?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let latest: Option<String> =
            tx.query_row("SELECT MAX(receipt_date) FROM application", [], |r| {
                r.get(0)
            })?;
        if let Some(latest) = latest {
            let latest: Date = latest
                .parse()
                .map_err(|_| RequestError::Corrupt(format!("receipt_date “{latest}”")))?;
            if today < latest {
                return Err(RequestError::ClockBehind { today, latest });
            }
        }
        let last: Option<i64> = tx.query_row(
            "SELECT MAX(sequence) FROM application
             WHERE hall_region = ?1 AND device = ?2 AND receipt_date = ?3",
            params![hall.as_str(), device.get(), today.to_string()],
            |r| r.get(0),
        )?;
        let sequence = last.unwrap_or(0) + 1;
        if sequence > i64::from(MAX_DAILY_SEQUENCE) {
            return Err(RequestError::DailyLimit(MAX_DAILY_SEQUENCE));
        }
        let receipt_no = ReceiptNo::new(hall, device, today, sequence as u16)
            .ok_or_else(|| RequestError::Corrupt(format!("receipt date {today}")))?;
        let deadline = calendar.reply_deadline(today);
        let (deadline_text, unknown_year) = match deadline {
            Deadline::Due(d) => (Some(d.to_string()), None),
            Deadline::Unconfirmed { year } => (None, Some(year)),
        };
        let (kind, name, id_kind, id_number, credit_code, contact, name_masked, id_masked) =
            match &app.applicant {
                Applicant::Person {
                    name,
                    id_kind,
                    id_number,
                } => {
                    let masked = crate::identity::mask_id_number(id_number);
                    (
                        ApplicantKind::Person,
                        name.as_str(),
                        Some(id_kind.db_name()),
                        Some(id_number.as_str()),
                        None,
                        None,
                        mask_name(name),
                        masked,
                    )
                }
                Applicant::Organisation {
                    name,
                    credit_code,
                    contact_person,
                } => (
                    ApplicantKind::Organisation,
                    name.as_str(),
                    None,
                    None,
                    Some(credit_code.as_str()),
                    Some(contact_person.as_str()),
                    // An organisation's name and code are not personal data.
                    name.clone(),
                    credit_code.as_str().to_string(),
                ),
            };
        tx.execute(
            "INSERT INTO application(receipt_no, hall_region, device, receipt_date, sequence,
                received_at, channel, staff_assisted, applicant_kind, name, id_kind, id_number,
                credit_code, contact_person, phone, address, email, name_masked, id_masked,
                phone_masked, item_key, document_key, linked_title, doc_no, description,
                provide_form, delivery, body_name, body_region, deadline, deadline_unknown_year,
                pin_salt, pin_sha256, progress_token)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31,
                ?32, ?33, ?34)",
            params![
                receipt_no.digits(),
                hall.as_str(),
                device.get(),
                today.to_string(),
                sequence,
                at,
                KIOSK_CHANNEL,
                app.staff_assisted,
                kind.db_name(),
                name,
                id_kind,
                id_number,
                credit_code,
                contact,
                app.phone.as_str(),
                app.address,
                app.email,
                name_masked,
                id_masked,
                app.phone.masked(),
                app.wanted.item.as_ref().map(|k| k.as_str().to_string()),
                app.wanted.document.as_ref().map(|k| k.0.clone()),
                app.wanted.linked_title,
                app.wanted.doc_no,
                app.wanted.description,
                app.form.db_name(),
                app.delivery.db_name(),
                body.name,
                body.region.as_str(),
                deadline_text,
                unknown_year,
                secrets.pin_salt,
                access::pin_hash(&secrets.pin_salt, &receipt_no, &secrets.pin),
                secrets.token,
            ],
        )?;
        let id = tx.last_insert_rowid();
        let note = if app.staff_assisted {
            "工作人员代为填写"
        } else {
            ""
        };
        tx.execute(
            "INSERT INTO status_change(application_id, at, status, note, source)
             VALUES (?1, ?2, 'received', ?3, 'terminal')",
            params![id, at, note],
        )?;
        tx.execute(
            "INSERT INTO outbox(application_id, kind, created_at, next_attempt_at)
             VALUES (?1, ?3, ?2, ?2)",
            params![id, at, OutboxKind::Application.db_name()],
        )?;
        tx.commit()?;
        tracing::info!(receipt = %receipt_no, "application saved");
        Ok(Submission {
            receipt_no,
            received_at,
            deadline,
            secrets,
        })
    }

    fn application_id(&self, receipt: &ReceiptNo) -> Result<i64, RequestError> {
        self.conn
            .query_row(
                "SELECT id FROM application WHERE receipt_no = ?1",
                [receipt.digits()],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| RequestError::UnknownReceipt(receipt.to_string()))
    }

    /// Records a print (or its failure) of `receipt`.
    pub fn record_print(
        &mut self,
        receipt: &ReceiptNo,
        at: OffsetDateTime,
        reprint: bool,
        outcome: &PrintOutcome,
    ) -> Result<(), RequestError> {
        let id = self.application_id(receipt)?;
        let (o, detail) = match outcome {
            PrintOutcome::Printed => ("printed", ""),
            PrintOutcome::ShownOnScreen { detail } => ("shown_on_screen", detail.as_str()),
            PrintOutcome::Failed { detail } => ("failed", detail.as_str()),
        };
        self.conn.execute(
            "INSERT INTO print_log(application_id, at, reprint, outcome, detail)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, format_time(at), reprint, o, detail],
        )?;
        Ok(())
    }

    /// The 好差评 rating (1 非常不满意 … 5 非常满意), once per application
    /// (一次一评); it goes to the county through the outbox.
    pub fn rate(
        &mut self,
        receipt: &ReceiptNo,
        level: u8,
        at: OffsetDateTime,
    ) -> Result<bool, RequestError> {
        if !(1..=5).contains(&level) {
            return Err(RequestError::Corrupt(format!("rating {level}")));
        }
        let id = self.application_id(receipt)?;
        let tx = self.conn.transaction()?;
        let at = format_time(at);
        let n = tx.execute(
            "INSERT OR IGNORE INTO rating(application_id, level, at) VALUES (?1, ?2, ?3)",
            params![id, level, at],
        )?;
        if n == 1 {
            tx.execute(
                "INSERT INTO outbox(application_id, kind, created_at, next_attempt_at)
                 VALUES (?1, ?3, ?2, ?2)",
                params![id, at, OutboxKind::Rating.db_name()],
            )?;
        }
        tx.commit()?;
        Ok(n == 1)
    }

    /// Adds a status from the county (the sync agent calls this).
    pub fn add_status(
        &mut self,
        receipt: &ReceiptNo,
        status: ApplicationStatus,
        at: OffsetDateTime,
        note: &str,
    ) -> Result<(), RequestError> {
        let id = self.application_id(receipt)?;
        self.conn.execute(
            "INSERT INTO status_change(application_id, at, status, note, source)
             VALUES (?1, ?2, ?3, ?4, 'county')",
            params![id, format_time(at), status.db_name(), note],
        )?;
        Ok(())
    }

    /// The stages of application `receipt`, which anyone who has (or
    /// guesses) its number may see: status and day, nothing else.
    pub fn stages(&self, receipt: &ReceiptNo) -> Result<Option<StagesView>, RequestError> {
        let row: Option<(i64, bool)> = self
            .conn
            .query_row(
                "SELECT id, pin_sha256 IS NOT NULL FROM application WHERE receipt_no = ?1",
                [receipt.digits()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((id, has_pin)) = row else {
            return Ok(None);
        };
        let stages = self
            .history(id)?
            .into_iter()
            .map(|h| Stage {
                date: h.at.date(),
                status: h.status,
            })
            .collect();
        Ok(Some(StagesView {
            receipt_no: receipt.clone(),
            stages,
            has_pin,
        }))
    }

    /// Checks the 查询密码 of `receipt` at `now`, and opens the application
    /// when it is right. Wrong tries are counted in the file (a restart
    /// does not forget them); after [`MAX_PIN_FAILURES`] every further try
    /// waits [`PIN_PAUSE_MINUTES`], and tries during the pause are not
    /// checked at all. The right PIN clears the count.
    pub fn open_with_pin(
        &mut self,
        receipt: &ReceiptNo,
        pin: &str,
        now: OffsetDateTime,
    ) -> Result<PinCheck, RequestError> {
        let now = Timestamp::new(now);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        type PinRow = (i64, Option<String>, Option<String>, u32, Option<Timestamp>);
        let row: Option<PinRow> = tx
            .query_row(
                "SELECT id, pin_salt, pin_sha256, pin_failures, pin_locked_until
                 FROM application WHERE receipt_no = ?1",
                [receipt.digits()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()?;
        let Some((id, salt, hash, failures, locked_until)) = row else {
            return Ok(PinCheck::Unknown);
        };
        let (Some(salt), Some(hash)) = (salt, hash) else {
            return Ok(PinCheck::NoPin);
        };
        if let Some(until) = locked_until.filter(|u| *u > now) {
            return Ok(PinCheck::Paused { until });
        }
        if access::pin_matches(&salt, receipt, pin, &hash) {
            if failures > 0 {
                tx.execute(
                    "UPDATE application SET pin_failures = 0, pin_locked_until = NULL WHERE id = ?1",
                    [id],
                )?;
                tx.commit()?;
            } else {
                drop(tx);
            }
            let view = self
                .lookup(receipt)?
                .ok_or_else(|| RequestError::UnknownReceipt(receipt.to_string()))?;
            return Ok(PinCheck::Opened(Box::new(view)));
        }
        let failures = failures + 1;
        let answer = if failures >= MAX_PIN_FAILURES {
            let until = Timestamp::new(now.inner() + time::Duration::minutes(PIN_PAUSE_MINUTES));
            tx.execute(
                "UPDATE application SET pin_failures = ?2, pin_locked_until = ?3 WHERE id = ?1",
                params![id, failures, until],
            )?;
            PinCheck::Paused { until }
        } else {
            tx.execute(
                "UPDATE application SET pin_failures = ?2 WHERE id = ?1",
                params![id, failures],
            )?;
            PinCheck::Wrong {
                tries_left: MAX_PIN_FAILURES - failures,
            }
        };
        tx.commit()?;
        tracing::info!(receipt = %receipt, failures, "wrong 查询密码");
        Ok(answer)
    }

    fn history(&self, id: i64) -> Result<Vec<StatusEntry>, RequestError> {
        let mut stmt = self.conn.prepare(
            "SELECT at, status, note FROM status_change WHERE application_id = ?1 ORDER BY at, id",
        )?;
        stmt.query_map([id], |row| {
            Ok((
                row.get::<_, Timestamp>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
            ))
        })?
        .map(|x| {
            let (at, status, note) = x?;
            let status = ApplicationStatus::from_db_name(&status)
                .ok_or_else(|| RequestError::Corrupt(format!("status “{status}”")))?;
            Ok(StatusEntry { at, status, note })
        })
        .collect()
    }

    /// The application with number `receipt`, masked, with its full
    /// history (county notes included). For the terminal's own use and
    /// for [`RequestStore::open_with_pin`]: a citizen sees this only after
    /// the 查询密码.
    pub fn lookup(&self, receipt: &ReceiptNo) -> Result<Option<ApplicationView>, RequestError> {
        let row = self
            .conn
            .query_row(
                "SELECT id, received_at, channel, staff_assisted, applicant_kind, name_masked,
                        id_masked, phone_masked, linked_title, description, provide_form,
                        delivery, body_name, deadline, deadline_unknown_year,
                        (SELECT level FROM rating WHERE application_id = application.id),
                        (SELECT COUNT(*) FROM print_log
                          WHERE application_id = application.id AND outcome = 'printed'),
                        progress_token
                 FROM application WHERE receipt_no = ?1",
                [receipt.digits()],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, Timestamp>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, bool>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, String>(5)?,
                        r.get::<_, String>(6)?,
                        r.get::<_, String>(7)?,
                        r.get::<_, Option<String>>(8)?,
                        r.get::<_, String>(9)?,
                        r.get::<_, String>(10)?,
                        r.get::<_, String>(11)?,
                        r.get::<_, String>(12)?,
                        r.get::<_, Option<String>>(13)?,
                        r.get::<_, Option<i32>>(14)?,
                        r.get::<_, Option<u8>>(15)?,
                        r.get::<_, u32>(16)?,
                        r.get::<_, Option<String>>(17)?,
                    ))
                },
            )
            .optional()?;
        let Some(r) = row else {
            return Ok(None);
        };
        let corrupt = |what: &str| RequestError::Corrupt(format!("{what} of {receipt}"));
        let deadline = match (r.13, r.14) {
            (Some(d), _) => Deadline::Due(d.parse().map_err(|_| corrupt("deadline"))?),
            (None, Some(year)) => Deadline::Unconfirmed { year },
            (None, None) => return Err(corrupt("deadline")),
        };
        let wanted = InformationWanted {
            linked_title: r.8,
            description: r.9,
            ..InformationWanted::default()
        }
        .summary();
        let history = self.history(r.0)?;
        Ok(Some(ApplicationView {
            receipt_no: receipt.clone(),
            received_at: r.1,
            channel: r.2,
            staff_assisted: r.3,
            applicant_kind: ApplicantKind::from_db_name(&r.4)
                .ok_or_else(|| corrupt("applicant_kind"))?,
            name_masked: r.5,
            id_masked: r.6,
            phone_masked: r.7,
            wanted,
            form: ProvideForm::from_db_name(&r.10).ok_or_else(|| corrupt("form"))?,
            delivery: Delivery::from_db_name(&r.11).ok_or_else(|| corrupt("delivery"))?,
            body_name: r.12,
            deadline,
            history,
            rating: r.15,
            prints: r.16,
            progress_token: r.17,
        }))
    }

    /// Outbox rows not yet delivered, oldest first.
    pub fn outbox_pending(&self) -> Result<Vec<OutboxEntry>, RequestError> {
        let mut stmt = self.conn.prepare(
            "SELECT o.id, a.receipt_no, o.kind, o.attempts, o.next_attempt_at
             FROM outbox o JOIN application a ON a.id = o.application_id
             WHERE o.delivered_at IS NULL ORDER BY o.id",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get(3)?,
                    r.get(4)?,
                ))
            })?
            .map(|x| {
                let (id, no, kind, attempts, next_attempt_at) = x?;
                Ok(OutboxEntry {
                    id,
                    receipt_no: ReceiptNo::parse(&no)
                        .map_err(|_| RequestError::Corrupt(format!("receipt_no “{no}”")))?,
                    kind: OutboxKind::from_db_name(&kind)
                        .ok_or_else(|| RequestError::Corrupt(format!("outbox kind “{kind}”")))?,
                    attempts,
                    next_attempt_at,
                })
            })
            .collect::<Result<Vec<_>, RequestError>>()?;
        Ok(rows)
    }

    /// Outbox rows due at `now` (next attempt not later), oldest first, at most `limit`.
    pub fn outbox_due(
        &self,
        now: OffsetDateTime,
        limit: usize,
    ) -> Result<Vec<OutboxEntry>, RequestError> {
        Ok(self
            .outbox_pending()?
            .into_iter()
            .filter(|e| e.next_attempt_at <= Timestamp::new(now))
            .take(limit)
            .collect())
    }

    /// The earliest next attempt among undelivered rows.
    pub fn outbox_next_attempt(&self) -> Result<Option<Timestamp>, RequestError> {
        Ok(self.conn.query_row(
            "SELECT MIN(next_attempt_at) FROM outbox WHERE delivered_at IS NULL",
            [],
            |r| r.get(0),
        )?)
    }

    /// The application as the county receives it: every field, personal
    /// ones included. `Corrupt` once they have been purged.
    pub fn application_message(
        &self,
        receipt: &ReceiptNo,
    ) -> Result<ApplicationMessage, RequestError> {
        let corrupt = |what: &str| RequestError::Corrupt(format!("{what} of {receipt}"));
        self.conn
            .query_row(
                "SELECT hall_region, device, received_at, channel, staff_assisted, applicant_kind,
                        name, id_kind, id_number, credit_code, contact_person, phone, address,
                        email, item_key, document_key, linked_title, doc_no, description,
                        provide_form, delivery, body_name, body_region, deadline,
                        deadline_unknown_year, purged_at, progress_token
                 FROM application WHERE receipt_no = ?1",
                [receipt.digits()],
                |r| {
                    let kind: String = r.get(5)?;
                    let name: Option<String> = r.get(6)?;
                    let purged: Option<String> = r.get(25)?;
                    let applicant = if kind == ApplicantKind::Person.db_name() {
                        ApplicantMessage::Person {
                            name: name.unwrap_or_default(),
                            id_kind: r.get::<_, Option<String>>(7)?.unwrap_or_default(),
                            id_number: r.get::<_, Option<String>>(8)?.unwrap_or_default(),
                        }
                    } else {
                        ApplicantMessage::Organisation {
                            name: name.unwrap_or_default(),
                            credit_code: r.get::<_, Option<String>>(9)?.unwrap_or_default(),
                            contact_person: r.get::<_, Option<String>>(10)?.unwrap_or_default(),
                        }
                    };
                    Ok((
                        purged,
                        ApplicationMessage {
                            receipt_no: receipt.digits().to_string(),
                            hall_region: r.get(0)?,
                            device: r.get(1)?,
                            received_at: r.get(2)?,
                            channel: r.get(3)?,
                            staff_assisted: r.get(4)?,
                            applicant,
                            phone: r.get::<_, Option<String>>(11)?.unwrap_or_default(),
                            address: r.get(12)?,
                            email: r.get(13)?,
                            item_key: r.get(14)?,
                            document_key: r.get(15)?,
                            linked_title: r.get(16)?,
                            doc_no: r.get(17)?,
                            description: r.get(18)?,
                            provide_form: r.get(19)?,
                            delivery: r.get(20)?,
                            body_name: r.get(21)?,
                            body_region: r.get(22)?,
                            deadline: r.get(23)?,
                            deadline_unknown_year: r.get(24)?,
                            progress_token: r.get(26)?,
                        },
                    ))
                },
            )
            .optional()?
            .ok_or_else(|| RequestError::UnknownReceipt(receipt.to_string()))
            .and_then(|(purged, m)| match purged {
                Some(_) => Err(corrupt("personal fields already purged")),
                None => Ok(m),
            })
    }

    /// The rating of `receipt`, for the outbox.
    pub fn rating_message(&self, receipt: &ReceiptNo) -> Result<RatingMessage, RequestError> {
        self.conn
            .query_row(
                "SELECT r.level, r.at FROM rating r JOIN application a ON a.id = r.application_id
                 WHERE a.receipt_no = ?1",
                [receipt.digits()],
                |r| {
                    Ok(RatingMessage {
                        receipt_no: receipt.digits().to_string(),
                        level: r.get(0)?,
                        at: r.get(1)?,
                    })
                },
            )
            .optional()?
            .ok_or_else(|| RequestError::UnknownReceipt(receipt.to_string()))
    }

    /// The county has outbox row `id`: it is marked delivered, and for an
    /// application the status 已送达 is recorded, in one transaction. Marking
    /// a row twice changes nothing.
    pub fn mark_delivered(&mut self, id: i64, at: OffsetDateTime) -> Result<(), RequestError> {
        let tx = self.conn.transaction()?;
        let at = format_time(at);
        let n = tx.execute(
            "UPDATE outbox SET delivered_at = ?2, attempts = attempts + 1, last_error = NULL
             WHERE id = ?1 AND delivered_at IS NULL",
            params![id, at],
        )?;
        if n == 1 {
            tx.execute(
                "INSERT INTO status_change(application_id, at, status, note, source)
                 SELECT application_id, ?2, ?3, '', 'terminal'
                 FROM outbox WHERE id = ?1 AND kind = ?4",
                params![
                    id,
                    at,
                    ApplicationStatus::Delivered.db_name(),
                    OutboxKind::Application.db_name()
                ],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// A failed attempt at outbox row `id`: counted, with the reason and the
    /// time of the next attempt, so a restart keeps the backoff.
    pub fn defer(
        &mut self,
        id: i64,
        error: &str,
        next_attempt: OffsetDateTime,
    ) -> Result<(), RequestError> {
        self.conn.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?2, next_attempt_at = ?3
             WHERE id = ?1 AND delivered_at IS NULL",
            params![id, error, format_time(next_attempt)],
        )?;
        Ok(())
    }

    /// Purges the personal fields (name, ID number, contact person, phone,
    /// address, e-mail) of every application the county acknowledged before
    /// `delivered_before`. The county's notes (the reply the applicant
    /// reads with the 查询密码) stay, and so do the masked forms for
    /// the progress page and reprints, and so do the 查询密码's hash and the
    /// progress token, so the citizen can still look the application up.
    /// Returns how many were purged.
    pub fn purge_delivered(
        &mut self,
        delivered_before: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<usize, RequestError> {
        let tx = self.conn.transaction()?;
        let n = tx.execute(
            "UPDATE application SET name = NULL, id_number = NULL, contact_person = NULL,
                    phone = NULL, address = NULL, email = NULL, purged_at = ?2
             WHERE purged_at IS NULL AND id IN (
                SELECT application_id FROM outbox
                WHERE kind = ?3 AND delivered_at IS NOT NULL AND delivered_at <= ?1)",
            params![
                format_time(delivered_before),
                format_time(now),
                OutboxKind::Application.db_name()
            ],
        )?;
        tx.commit()?;
        if n > 0 {
            // Old page images in the WAL still hold the fields: fold them
            // into the main file (overwritten there) and empty the WAL.
            self.conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        }
        Ok(n)
    }

    /// Stores the county's status changes and the cursor after them in one
    /// transaction; changes for numbers not taken here are skipped. At a
    /// status this version does not know it stops, and the cursor stays
    /// before it. Returns how many were stored.
    pub fn apply_status_changes(
        &mut self,
        changes: &[StatusChangeMessage],
        next_cursor: i64,
        now: OffsetDateTime,
    ) -> Result<usize, RequestError> {
        let tx = self.conn.transaction()?;
        let mut stored = 0;
        let mut cursor = next_cursor;
        let mut last = None;
        for c in changes {
            let known =
                ApplicationStatus::from_db_name(&c.status).zip(c.at.parse::<Timestamp>().ok());
            let Some((status, at)) = known else {
                // Stop before it: a newer version of this program will
                // know it and fetch it again from here.
                tracing::warn!(status = %c.status, at = %c.at, "unknown status or time from the county; waiting for an upgrade");
                cursor = last.unwrap_or(cursor.min(c.cursor - 1));
                break;
            };
            last = Some(c.cursor);
            // The county's notes are the applicant's reply: kept for the
            // 查询密码 (they were never personal fields of the form).
            let n = tx.execute(
                "INSERT INTO status_change(application_id, at, status, note, source)
                 SELECT id, ?2, ?3, ?4, 'county' FROM application WHERE receipt_no = ?1",
                params![c.receipt_no, at, status.db_name(), c.note],
            )?;
            stored += n;
        }
        set_state(&tx, STATUS_CURSOR, &cursor.to_string(), now)?;
        tx.commit()?;
        Ok(stored)
    }

    /// The cursor of the last status change stored (0 before any).
    pub fn status_cursor(&self) -> Result<i64, RequestError> {
        Ok(self
            .device_state(STATUS_CURSOR)?
            .map(|(v, _)| v.parse().unwrap_or(0))
            .unwrap_or(0))
    }

    /// A value the kiosk or the agent recorded about the device, with when.
    pub fn device_state(&self, key: &str) -> Result<Option<(String, String)>, RequestError> {
        Ok(self
            .conn
            .query_row(
                "SELECT value, at FROM device_state WHERE key = ?1",
                [key],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    /// The printer's last recorded health and when it was recorded; `None`
    /// before the first print.
    pub fn printer_health(&self) -> Result<Option<(PrinterHealth, Timestamp)>, RequestError> {
        let Some((value, at)) = self.device_state(PRINTER_STATE)? else {
            return Ok(None);
        };
        let health = value
            .parse::<PrinterHealth>()
            .map_err(|e| RequestError::Corrupt(e.to_string()))?;
        let at = at
            .parse::<Timestamp>()
            .map_err(|e| RequestError::Corrupt(e.to_string()))?;
        Ok(Some((health, at)))
    }

    /// Records the printer's health after a print, for the agent's health
    /// report.
    pub fn record_printer_health(
        &mut self,
        health: PrinterHealth,
        at: OffsetDateTime,
    ) -> Result<(), RequestError> {
        self.set_device_state(PRINTER_STATE, health.db_name(), at)
    }

    /// Records a value about the device (e.g. the printer's state).
    pub fn set_device_state(
        &mut self,
        key: &str,
        value: &str,
        at: OffsetDateTime,
    ) -> Result<(), RequestError> {
        let tx = self.conn.transaction()?;
        set_state(&tx, key, value, at)?;
        tx.commit()?;
        Ok(())
    }

    /// When the oldest undelivered outbox row was made; `None` when all
    /// went up.
    pub fn oldest_undelivered(&self) -> Result<Option<Timestamp>, RequestError> {
        let at: Option<String> = self.conn.query_row(
            "SELECT MIN(created_at) FROM outbox WHERE delivered_at IS NULL",
            [],
            |r| r.get(0),
        )?;
        at.map(|s| {
            s.parse::<Timestamp>()
                .map_err(|e| RequestError::Corrupt(e.to_string()))
        })
        .transpose()
    }

    /// Every recorded value whose key starts with `prefix`, by key, with
    /// when.
    pub fn device_states(
        &self,
        prefix: &str,
    ) -> Result<Vec<(String, String, String)>, RequestError> {
        let mut stmt = self.conn.prepare(
            "SELECT key, value, at FROM device_state
             WHERE substr(key, 1, length(?1)) = ?1 ORDER BY key",
        )?;
        let rows = stmt
            .query_map([prefix], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// Undelivered outbox rows, and the last error among them.
    pub fn outbox_summary(&self) -> Result<(u64, Option<String>), RequestError> {
        Ok(self.conn.query_row(
            "SELECT COUNT(*),
                    (SELECT last_error FROM outbox WHERE delivered_at IS NULL
                     AND last_error IS NOT NULL ORDER BY id DESC LIMIT 1)
             FROM outbox WHERE delivered_at IS NULL",
            [],
            |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?)),
        )?)
    }

    /// Every receipt number in the file, in order of receipt.
    pub fn receipt_numbers(&self) -> Result<Vec<ReceiptNo>, RequestError> {
        let mut stmt = self
            .conn
            .prepare("SELECT receipt_no FROM application ORDER BY id")?;
        let v = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .map(|x| {
                let s = x?;
                ReceiptNo::parse(&s).map_err(|_| RequestError::Corrupt(format!("receipt_no “{s}”")))
            })
            .collect::<Result<Vec<_>, RequestError>>()?;
        Ok(v)
    }

    /// Runs SQLite's own consistency check; `Ok(())` when it says "ok".
    pub fn integrity_check(&self) -> Result<(), RequestError> {
        sqlite::integrity_problem(&self.conn)?.map_or(Ok(()), |r| Err(RequestError::Corrupt(r)))
    }
}
