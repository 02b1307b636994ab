//! A receipt being printed, for the done step and for 补打: what the
//! citizen is told when it ends, and what is recorded (the print in
//! `requests.db`, the printer's state for the agent's health report).

use disclosure::requests::PrintOutcome;
use printer::{PrintError, PrintReport};
use time::OffsetDateTime;

use super::context::Context;
use crate::applications::{PrintJob, printer_health_after};

/// How a print ended, for the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintEnd {
    pub message: String,
    /// The receipt did not print: show it as a QR code.
    pub show_qr: bool,
}

/// A print job and what it is for.
pub struct PrintTask {
    job: PrintJob,
}

impl PrintTask {
    pub fn new(job: PrintJob) -> PrintTask {
        PrintTask { job }
    }

    /// How the job ended, once it has (recorded on the way).
    pub fn poll(&self, ctx: &Context) -> Option<PrintEnd> {
        let result = self.job.try_result()?;
        Some(settle(ctx, &self.job, result))
    }
}

/// Takes the task out of `slot` once its job has ended: which receipt it
/// printed and how it ended.
pub fn take_ended(
    slot: &mut Option<PrintTask>,
    ctx: &Context,
) -> Option<(disclosure::requests::ReceiptNo, PrintEnd)> {
    let end = slot.as_ref()?.poll(ctx)?;
    slot.take().map(|t| (t.job.receipt_no, end))
}

/// Records how `job` ended and says it in words.
fn settle(ctx: &Context, job: &PrintJob, result: Result<PrintReport, PrintError>) -> PrintEnd {
    let now = OffsetDateTime::now_utc();
    let (outcome, end) = match &result {
        Ok(report) => {
            if report.paper_near_end {
                tracing::warn!("receipt printer: paper near end — please replace the roll");
            }
            let message = if job.reprint {
                "已补打回执（标有“补打”），请取走。"
            } else {
                "回执已打印，请从出纸口取走。"
            };
            (
                PrintOutcome::Printed,
                PrintEnd {
                    message: message.into(),
                    show_qr: false,
                },
            )
        }
        Err(e) => {
            tracing::warn!(receipt = %job.receipt_no, "receipt not printed: {e}");
            (
                PrintOutcome::ShownOnScreen {
                    detail: e.to_string(),
                },
                PrintEnd {
                    message: format!(
                        "{e}，回执未能打印。您的申请已提交，不受影响：请用手机扫描二维码保存回执，或记下回执编号，并告知工作人员。"
                    ),
                    show_qr: true,
                },
            )
        }
    };
    let mut desk = ctx.desk.borrow_mut();
    if let Err(e) = desk.record_print(&job.receipt_no, job.reprint, &outcome, now) {
        tracing::warn!("print not recorded: {e}");
    }
    // The printer's state for the sync agent's health report.
    if let Err(e) = desk.record_printer_health(printer_health_after(&result), now) {
        tracing::warn!("printer state not recorded: {e}");
    }
    end
}
