//! The application desk: checks a form, saves it in `requests.db` (one
//! transaction, before anything is printed), lays out its receipt and
//! prints it on a worker thread, records every print and rating. Beyond
//! an application's stages, it hands out nothing without its 查询密码.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc;

use disclosure::calendar::{Deadline, WorkingDayCalendar, YearSchedule, builtin_schedules};
use disclosure::requests::{
    ApplicationForm, ApplicationView, DeviceNo, FieldError, PinCheck, PrintOutcome, PrinterHealth,
    ReceiptNo, ReceivingBody, RequestError, RequestStore, StagesView, Submission,
};
use disclosure::{Date, RegionCode, Timestamp};
use printer::{PrintError, PrintReport, Receipt};
use time::OffsetDateTime;

use crate::config::KioskConfig;

/// Something receipts can be printed on.
pub trait ReceiptSink: Send + Sync {
    fn print(&self, receipt: &Receipt) -> Result<PrintReport, PrintError>;
}

impl<D> ReceiptSink for printer::ReceiptPrinter<D>
where
    D: printer::Driver + printer::status::StatusLink + Clone + Send + Sync,
{
    fn print(&self, receipt: &Receipt) -> Result<PrintReport, PrintError> {
        printer::ReceiptPrinter::print(self, receipt)
    }
}

/// Why an application was not taken.
#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    #[error("申请表有{}处需要修改", .0.len())]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Store(#[from] RequestError),
    #[error("查询密码不对，不能打印回执")]
    WrongPin,
}

/// How to check progress, as the receipt says it.
pub const PROGRESS_HINT: &str = "查进度：在终端“办理进度”扫描本回执条码或输入编号，再输入查询密码，\
     可看详情和补打；用手机扫二维码可看办理进度。查询密码请勿告诉他人。";

/// A print job running on its worker thread.
pub struct PrintJob {
    pub receipt_no: ReceiptNo,
    pub reprint: bool,
    result: mpsc::Receiver<Result<PrintReport, PrintError>>,
}

impl PrintJob {
    /// The result, once the job is over.
    pub fn try_result(&self) -> Option<Result<PrintReport, PrintError>> {
        match self.result.try_recv() {
            Ok(r) => Some(r),
            Err(mpsc::TryRecvError::Empty) => None,
            Err(mpsc::TryRecvError::Disconnected) => {
                Some(Err(PrintError::Io("打印线程意外结束".into())))
            }
        }
    }

    /// Waits for the result (tests, `print-test`, the kill test's child).
    pub fn wait(self) -> Result<PrintReport, PrintError> {
        self.result
            .recv()
            .unwrap_or_else(|_| Err(PrintError::Io("打印线程意外结束".into())))
    }
}

pub struct Desk {
    store: RequestStore,
    calendar: WorkingDayCalendar,
    hall: RegionCode,
    device: DeviceNo,
    hotline: String,
    progress_url: String,
    printer: Option<Arc<dyn ReceiptSink>>,
}

/// The working-day calendar: the built-in years plus `dir/*.toml` (years
/// delivered by the feed). A file that does not parse is skipped, logged.
pub fn load_calendar(dir: Option<&Path>) -> WorkingDayCalendar {
    let mut schedules = builtin_schedules();
    if let Some(dir) = dir
        && let Ok(entries) = std::fs::read_dir(dir)
    {
        let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for p in paths
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        {
            match std::fs::read_to_string(&p)
                .map_err(|e| e.to_string())
                .and_then(|t| YearSchedule::parse(&t).map_err(|e| e.to_string()))
            {
                Ok(s) => {
                    schedules.retain(|x| x.year != s.year);
                    schedules.push(s);
                }
                Err(e) => tracing::warn!(path = %p.display(), "holiday schedule skipped: {e}"),
            }
        }
    }
    WorkingDayCalendar::new(schedules)
}

/// `2026-11-23 09:05:00+08:00` → `2026年11月23日 09:05`: the same as
/// [`Timestamp::chinese`], which new code calls directly.
pub fn chinese_time(t: &Timestamp) -> String {
    t.chinese()
}

/// The printer's health after a print job, as the health report carries it.
pub fn printer_health_after(result: &Result<PrintReport, PrintError>) -> PrinterHealth {
    match result {
        Ok(r) if r.paper_near_end => PrinterHealth::NearEnd,
        Ok(_) => PrinterHealth::Ok,
        Err(PrintError::Blocked { state, .. }) if state.paper_out => PrinterHealth::PaperOut,
        Err(_) => PrinterHealth::Error,
    }
}

/// The deadline in words, for the screen and the receipt.
pub fn deadline_text(d: Deadline) -> String {
    match d {
        Deadline::Due(d) => format!("{}前答复（20个工作日，受理当日不计）", d.chinese()),
        Deadline::Unconfirmed { year } => {
            format!("20个工作日内答复；{year}年节假日安排尚未公布，具体日期由受理机关确认后告知")
        }
    }
}

impl Desk {
    pub fn new(
        store: RequestStore,
        calendar: WorkingDayCalendar,
        config: &KioskConfig,
        printer: Option<Arc<dyn ReceiptSink>>,
    ) -> Desk {
        Desk {
            store,
            calendar,
            hall: config.region.clone(),
            device: config.device,
            hotline: config.applications.hotline.clone(),
            progress_url: config.applications.progress_url.clone(),
            printer,
        }
    }

    pub fn calendar(&self) -> &WorkingDayCalendar {
        &self.calendar
    }

    /// Checks `form` and saves it as received at `now`. When this returns
    /// `Ok` the application is on disk; only then may a receipt print.
    pub fn submit(
        &mut self,
        form: &ApplicationForm,
        body: &ReceivingBody,
        now: OffsetDateTime,
    ) -> Result<Submission, DeskError> {
        let today = Date::in_china(now);
        let app = form.validate(today).map_err(DeskError::Invalid)?;
        Ok(self
            .store
            .submit(&app, body, &self.hall, self.device, now, &self.calendar)?)
    }

    /// What anyone with the number sees: the stages, by day.
    pub fn stages(&self, no: &ReceiptNo) -> Result<Option<StagesView>, RequestError> {
        self.store.stages(no)
    }

    /// The application behind `no` if `pin` is its 查询密码 (wrong tries
    /// counted, then paused).
    pub fn open_with_pin(
        &mut self,
        no: &ReceiptNo,
        pin: &str,
        now: OffsetDateTime,
    ) -> Result<PinCheck, RequestError> {
        self.store.open_with_pin(no, pin, now)
    }

    pub fn rate(
        &mut self,
        no: &ReceiptNo,
        level: u8,
        now: OffsetDateTime,
    ) -> Result<bool, RequestError> {
        self.store.rate(no, level, now)
    }

    /// Where the receipt's QR code leads: the county's progress page for
    /// the application's progress `token`.
    pub fn progress_url(&self, token: &str) -> String {
        self.progress_url.replace("{token}", token)
    }

    /// The receipt of an application, as printed (or shown), with its
    /// 查询密码 `pin`.
    pub fn receipt(&self, v: &ApplicationView, pin: &str, reprint: bool) -> Receipt {
        Receipt {
            title: "政府信息公开申请回执".into(),
            reprint,
            receiving_body: v.body_name.clone(),
            receipt_no: v.receipt_no.to_string(),
            receipt_digits: v.receipt_no.digits(),
            received_at: chinese_time(&v.received_at),
            channel: if v.staff_assisted {
                format!("{}（工作人员代填）", v.channel)
            } else {
                v.channel.clone()
            },
            deadline: deadline_text(v.deadline),
            wanted: v.wanted.clone(),
            applicant: format!("{}（{}）", v.name_masked, v.applicant_kind),
            id_masked: v.id_masked.clone(),
            phone_masked: v.phone_masked.clone(),
            how: format!("{}·{}", v.form.name(), v.delivery.name()),
            pin: pin.to_string(),
            progress_hint: PROGRESS_HINT.into(),
            progress_url: v
                .progress_token
                .as_deref()
                .map(|t| self.progress_url(t))
                .unwrap_or_default(),
            hotline: self.hotline.clone(),
        }
    }

    /// Starts printing the receipt of `no` on a worker thread; `None` when
    /// there is no printer. Only with its 查询密码 `pin` (checked here, so
    /// the PIN on the paper is always the right one).
    pub fn start_print(
        &mut self,
        no: &ReceiptNo,
        pin: &str,
        reprint: bool,
    ) -> Result<Option<PrintJob>, DeskError> {
        let Some(printer) = self.printer.clone() else {
            return Ok(None);
        };
        let view = match self
            .store
            .open_with_pin(no, pin, OffsetDateTime::now_utc())?
        {
            PinCheck::Opened(v) => v,
            PinCheck::Unknown => return Err(RequestError::UnknownReceipt(no.to_string()).into()),
            _ => return Err(DeskError::WrongPin),
        };
        let receipt = self.receipt(&view, pin, reprint);
        let (tx, rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("receipt-print".into())
            .spawn(move || {
                let _ = tx.send(printer.print(&receipt));
            })
            .map_err(|e| RequestError::Corrupt(format!("打印线程无法启动：{e}")))?;
        Ok(Some(PrintJob {
            receipt_no: no.clone(),
            reprint,
            result: rx,
        }))
    }

    /// `requests.db`, for what the 技术维护 screen reads and records.
    pub fn requests(&self) -> &RequestStore {
        &self.store
    }

    pub fn requests_mut(&mut self) -> &mut RequestStore {
        &mut self.store
    }

    pub fn has_printer(&self) -> bool {
        self.printer.is_some()
    }

    /// Prints the sample receipt (设备自检) on a worker thread; `None`
    /// without a printer. The printer's status is asked first, so a
    /// printer without paper says so and prints nothing.
    pub fn start_test_print(&self) -> Option<mpsc::Receiver<Result<PrintReport, PrintError>>> {
        let printer = self.printer.clone()?;
        let (tx, rx) = mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("test-print".into())
            .spawn(move || {
                let _ = tx.send(printer.print(&Receipt::sample()));
            });
        if let Err(e) = spawned {
            tracing::error!("test print thread not started: {e}");
            return None;
        }
        Some(rx)
    }

    /// Records how a print ended.
    pub fn record_print(
        &mut self,
        no: &ReceiptNo,
        reprint: bool,
        outcome: &PrintOutcome,
        now: OffsetDateTime,
    ) -> Result<(), RequestError> {
        self.store.record_print(no, now, reprint, outcome)
    }

    /// Records the printer's health after a print for the sync agent's
    /// health report.
    pub fn record_printer_health(
        &mut self,
        health: PrinterHealth,
        now: OffsetDateTime,
    ) -> Result<(), RequestError> {
        self.store.record_printer_health(health, now)
    }
}

/// The printer configured in `config`, opened for each job (a USB-serial
/// adapter may be replugged between receipts).
struct SerialSink {
    config: crate::config::PrinterConfig,
    font: Option<Arc<printer::RasterFont>>,
}

impl ReceiptSink for SerialSink {
    fn print(
        &self,
        receipt: &printer::Receipt,
    ) -> Result<printer::PrintReport, printer::PrintError> {
        let driver = printer::SerialDriver::open(&self.config.serial).map_err(|e| {
            printer::PrintError::Status(printer::StatusError::Io(format!(
                "{}：{e}",
                self.config.serial.path
            )))
        })?;
        let mut p = printer::ReceiptPrinter::new(
            driver,
            self.config.paper,
            self.config.text,
            self.font.clone(),
        );
        p.reply_timeout = std::time::Duration::from_millis(self.config.status_timeout_ms);
        p.print(receipt)
    }
}

/// The application desk of `config`: `requests.db` (beside `content_db`
/// when not configured), the calendar, the printer.
pub fn open_desk(config: &KioskConfig, content_db: &Path) -> anyhow::Result<Desk> {
    let path = config.applications.database.clone().unwrap_or_else(|| {
        if config.database.is_some() {
            PathBuf::from("/var/lib/gongkai/requests.db")
        } else {
            content_db.with_file_name("requests.db")
        }
    });
    let store = disclosure::requests::RequestStore::open(&path)
        .map_err(|e| anyhow::anyhow!("申请数据库 {} 无法打开：{e}", path.display()))?;
    let calendar = load_calendar(config.applications.calendar_dir.as_deref());
    let sink: Option<Arc<dyn ReceiptSink>> = config.printer.as_ref().map(|p| {
        let font = match printer::RasterFont::load(&p.font_file, &p.font_family) {
            Ok(f) => Some(Arc::new(f)),
            Err(e) => {
                tracing::warn!("receipt font unavailable, GBK text only: {e}");
                None
            }
        };
        Arc::new(SerialSink {
            config: p.clone(),
            font,
        }) as Arc<dyn ReceiptSink>
    });
    Ok(Desk::new(store, calendar, config, sink))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_print_job_tells_the_printer_health() {
        let printed = |paper_near_end| {
            Ok(PrintReport {
                paper_near_end,
                bytes: 1,
                raster_lines: 0,
            })
        };
        let blocked = |state| {
            Err(PrintError::Blocked {
                state,
                message: "缺纸",
            })
        };
        let state = printer::PrinterState::default();
        for (result, health) in [
            (printed(false), PrinterHealth::Ok),
            (printed(true), PrinterHealth::NearEnd),
            (
                blocked(printer::PrinterState {
                    paper_out: true,
                    ..state
                }),
                PrinterHealth::PaperOut,
            ),
            (
                blocked(printer::PrinterState {
                    cover_open: true,
                    ..state
                }),
                PrinterHealth::Error,
            ),
            (Err(PrintError::Io("断开".into())), PrinterHealth::Error),
        ] {
            assert_eq!(printer_health_after(&result), health, "{result:?}");
        }
    }
}
