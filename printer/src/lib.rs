//! Receipts on ESC/POS thermal printers.
//!
//! A [`Receipt`] is laid out for a paper width ([`PaperWidth`]: 58 mm with
//! 384 dots or 80 mm with 576) and sent through the `escpos` crate to a
//! [`Driver`](escpos::driver::Driver) — our [`SerialDriver`] on the device,
//! a [`MemoryDriver`] for `print-test --out` and benchmarks. Chinese text
//! goes as GBK with the printer's Chinese mode on (FS &); a line with a
//! character that has no GBK code, and every line on printers without a
//! Chinese font, is rendered with the UI's font into a `GS v 0` raster
//! image. Before each job the real-time status (DLE EOT 1–4) is asked and
//! every reply validated. The [`emulator`] decodes a byte stream back into
//! text, images, barcodes and cuts, and renders it as a picture of the
//! paper; tests and the fake printer use it.
//!
//! This crate knows nothing of applications, Slint or SQLite.

pub mod code128;
pub mod emulator;
pub mod gbk;
pub mod job;
pub mod layout;
pub mod raster;
pub mod serial;
pub mod status;

/// The driver trait receipts are sent through (from the `escpos` crate).
pub use escpos::driver::Driver;
pub use job::{PrintError, PrintReport, ReceiptPrinter, TextMode};
pub use layout::{PaperWidth, Receipt};
pub use raster::RasterFont;
pub use serial::{MemoryDriver, SerialDriver, SerialSettings};
pub use status::{PrinterState, StatusError};
