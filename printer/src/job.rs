//! One receipt job: ask the status, refuse when the printer cannot print,
//! otherwise send the receipt through the `escpos` crate's `Printer` on
//! the driver — GBK text with Chinese mode on, or raster lines.

use std::sync::Arc;
use std::time::Duration;

use escpos::driver::Driver;
use escpos::printer::Printer;
use escpos::utils::{JustifyMode, Protocol, QRCodeCorrectionLevel, QRCodeModel, QRCodeOption};

use crate::code128;
use crate::gbk;
use crate::layout::{Align, Block, PaperWidth, Receipt, TextSize};
use crate::raster::RasterFont;
use crate::status::{self, PrinterState, StatusError, StatusLink};

/// How text reaches the paper.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextMode {
    /// GBK bytes in the printer's Chinese mode (FS &); lines with a
    /// character outside GBK as raster images.
    Gbk,
    /// Every text line as a raster image (printers without a Chinese font).
    Raster,
}

impl TextMode {
    pub fn parse(s: &str) -> Option<TextMode> {
        match s {
            "gbk" => Some(Self::Gbk),
            "raster" => Some(Self::Raster),
            _ => None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    /// The printer said it cannot print; nothing was sent.
    #[error("{message}")]
    Blocked {
        state: PrinterState,
        message: &'static str,
    },
    #[error(transparent)]
    Status(#[from] StatusError),
    /// A line needs the raster font and none is loaded.
    #[error("{0}，且没有可用的打印字体")]
    Unprintable(gbk::Unencodable),
    #[error("打印数据发送失败：{0}")]
    Io(String),
}

impl From<escpos::errors::PrinterError> for PrintError {
    fn from(e: escpos::errors::PrinterError) -> Self {
        PrintError::Io(e.to_string())
    }
}

/// What a printed job reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrintReport {
    /// The paper roll is nearly used up: technicians should be told.
    pub paper_near_end: bool,
    pub bytes: usize,
    /// Lines sent as raster images.
    pub raster_lines: usize,
}

/// A printer and how to talk to it.
pub struct ReceiptPrinter<D> {
    driver: D,
    pub paper: PaperWidth,
    pub text_mode: TextMode,
    font: Option<Arc<RasterFont>>,
    pub reply_timeout: Duration,
}

/// Text height in dots: the printer's 24-dot font, doubled for titles.
fn px(size: TextSize) -> f32 {
    match size {
        TextSize::Normal => 24.0,
        TextSize::Tall => 36.0,
        TextSize::Double => 48.0,
    }
}

/// Counts what passes through to the driver.
#[derive(Clone)]
struct Counting<D> {
    inner: D,
    count: Arc<std::sync::atomic::AtomicUsize>,
}

impl<D: Driver> Driver for Counting<D> {
    fn name(&self) -> String {
        self.inner.name()
    }
    fn write(&self, data: &[u8]) -> escpos::errors::Result<()> {
        self.count
            .fetch_add(data.len(), std::sync::atomic::Ordering::Relaxed);
        self.inner.write(data)
    }
    fn read(&self, buf: &mut [u8]) -> escpos::errors::Result<usize> {
        self.inner.read(buf)
    }
    fn flush(&self) -> escpos::errors::Result<()> {
        self.inner.flush()
    }
}

impl<D: Driver + StatusLink + Clone> ReceiptPrinter<D> {
    pub fn new(
        driver: D,
        paper: PaperWidth,
        text_mode: TextMode,
        font: Option<Arc<RasterFont>>,
    ) -> Self {
        ReceiptPrinter {
            driver,
            paper,
            text_mode,
            font,
            reply_timeout: Duration::from_millis(500),
        }
    }

    pub fn driver(&self) -> &D {
        &self.driver
    }

    /// The real-time status (DLE EOT 1–4).
    pub fn status(&self) -> Result<PrinterState, StatusError> {
        status::query(&self.driver, self.reply_timeout)
    }

    /// Asks the status and prints `receipt` if the printer can; when it
    /// cannot, nothing is sent and the reason is returned.
    pub fn print(&self, receipt: &Receipt) -> Result<PrintReport, PrintError> {
        let state = self.status()?;
        if let Some(message) = state.blocking_problem() {
            tracing::warn!(?state, "receipt not printed: {message}");
            return Err(PrintError::Blocked { state, message });
        }
        if state.paper_near_end {
            tracing::warn!("printer paper near end");
        }
        let (bytes, raster_lines) = self.send(receipt)?;
        Ok(PrintReport {
            paper_near_end: state.paper_near_end,
            bytes,
            raster_lines,
        })
    }

    fn raster_line(
        &self,
        text: &str,
        size: TextSize,
        align: Align,
        bold: bool,
        why: Option<gbk::Unencodable>,
    ) -> Result<Vec<u8>, PrintError> {
        let font = self.font.as_ref().ok_or_else(|| {
            PrintError::Unprintable(
                why.unwrap_or(gbk::Unencodable(text.chars().next().unwrap_or(' '))),
            )
        })?;
        Ok(font
            .render_line(
                text,
                px(size),
                self.paper.dots(),
                align == Align::Center,
                bold,
            )
            .gs_v0())
    }

    /// Sends the job without asking the status first. Returns the bytes
    /// sent and the lines that went as images.
    pub fn send(&self, receipt: &Receipt) -> Result<(usize, usize), PrintError> {
        let count = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let driver = Counting {
            inner: self.driver.clone(),
            count: count.clone(),
        };
        let mut p = Printer::new(driver, Protocol::default(), None);
        let mut raster_lines = 0;
        p.init()?;
        let chinese = self.text_mode == TextMode::Gbk;
        if chinese {
            p.custom(&[0x1C, 0x26])?; // FS &: Chinese character mode on
        }
        for block in receipt.blocks(self.paper) {
            match block {
                Block::Line {
                    text,
                    size,
                    align,
                    bold,
                } => {
                    let encoded = if chinese {
                        Some(gbk::encode(&text))
                    } else {
                        None
                    };
                    match encoded {
                        Some(Ok(bytes)) => {
                            p.justify(if align == Align::Center {
                                JustifyMode::CENTER
                            } else {
                                JustifyMode::LEFT
                            })?;
                            p.bold(bold)?;
                            let (w, h) = size.scale();
                            if size != TextSize::Normal {
                                p.size(w, h)?;
                                // FS !: the same for Chinese characters
                                // (bit 2 double width, bit 3 double height).
                                let fs =
                                    if w == 2 { 0x04 } else { 0 } | if h == 2 { 0x08 } else { 0 };
                                p.custom(&[0x1C, 0x21, fs])?;
                            }
                            p.custom(&bytes)?;
                            p.feed()?;
                            if size != TextSize::Normal {
                                p.reset_size()?;
                                p.custom(&[0x1C, 0x21, 0x00])?;
                            }
                            p.bold(false)?;
                        }
                        other => {
                            let why = other.and_then(|r| r.err());
                            if let Some(c) = why {
                                tracing::info!("line printed as an image: {c}");
                            }
                            p.justify(JustifyMode::LEFT)?;
                            p.custom(&self.raster_line(&text, size, align, bold, why)?)?;
                            raster_lines += 1;
                        }
                    }
                }
                Block::Rule => {
                    p.justify(JustifyMode::LEFT)?;
                    p.custom("-".repeat(self.paper.columns()).as_bytes())?;
                    p.feed()?;
                }
                Block::Barcode(digits) => {
                    let cmd = code128::command(&digits, self.paper.barcode_module_dots(), 80)
                        .ok_or_else(|| {
                            PrintError::Io(format!("条码内容“{digits}”不是偶数位数字"))
                        })?;
                    p.justify(JustifyMode::CENTER)?;
                    p.custom(&cmd)?;
                    p.feed()?;
                }
                Block::Qr(data) => {
                    p.justify(JustifyMode::CENTER)?;
                    p.qrcode_option(
                        &data,
                        QRCodeOption::new(
                            QRCodeModel::Model2,
                            self.paper.qr_module_dots(),
                            QRCodeCorrectionLevel::M,
                        ),
                    )?;
                    p.feed()?;
                    p.justify(JustifyMode::LEFT)?;
                }
                Block::Feed(n) => {
                    p.feeds(n)?;
                }
                Block::Cut => {
                    p.cut()?;
                }
            }
        }
        p.print()?;
        Ok((
            count.load(std::sync::atomic::Ordering::Relaxed),
            raster_lines,
        ))
    }
}
