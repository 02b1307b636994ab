//! Receipts end to end through the printer crate: bytes decoded back (GBK
//! text, CODE128, QR model 2, cut), the raster fallback, and a fake printer
//! on a pseudo-terminal that answers DLE EOT: ready, paper out, cover open,
//! switched off, answering nonsense.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use printer::emulator::{self, Element, FakePrinter};
use printer::raster::{DEFAULT_FONT_FAMILY, DEFAULT_FONT_FILE};
use printer::serial::FlowControl;
use printer::{
    MemoryDriver, PaperWidth, PrintError, PrinterState, RasterFont, Receipt, ReceiptPrinter,
    SerialDriver, SerialSettings, StatusError, TextMode,
};

fn font() -> Arc<RasterFont> {
    Arc::new(
        RasterFont::load(Path::new(DEFAULT_FONT_FILE), DEFAULT_FONT_FAMILY)
            .unwrap_or_else(|e| panic!("{e}: install fonts-noto-cjk (./scripts/setup.sh does)")),
    )
}

fn out_dir() -> PathBuf {
    let base = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let d = base.join("receipts");
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn print_to_memory(
    receipt: &Receipt,
    paper: PaperWidth,
    mode: TextMode,
    font: Option<Arc<RasterFont>>,
) -> (Result<printer::PrintReport, PrintError>, Vec<u8>) {
    let d = MemoryDriver::new(PrinterState::default());
    let p = ReceiptPrinter::new(d.clone(), paper, mode, font);
    let r = p.print(receipt);
    (r, d.bytes())
}

fn codes(els: &[Element]) -> (Vec<String>, Vec<(String, u8)>, usize) {
    let mut bars = Vec::new();
    let mut qrs = Vec::new();
    let mut cuts = 0;
    for e in els {
        match e {
            Element::Code128(d) => bars.push(d.clone()),
            Element::Qr { data, model, .. } => qrs.push((data.clone(), *model)),
            Element::Cut => cuts += 1,
            _ => {}
        }
    }
    (bars, qrs, cuts)
}

#[test]
fn gbk_receipt_decodes_to_its_text_barcode_and_qr() {
    let r = Receipt::sample();
    for paper in [PaperWidth::Mm58, PaperWidth::Mm80] {
        let (report, bytes) = print_to_memory(&r, paper, TextMode::Gbk, None);
        let report = report.unwrap();
        assert_eq!(report.raster_lines, 0);
        assert!(!report.paper_near_end);
        let els = emulator::decode(&bytes).unwrap();
        let lines = emulator::text_lines(&els);
        let all = lines.join("\n");
        for want in [
            "政府信息公开申请回执",
            "受理机关：石桥乡人民政府",
            "990521201201-01-261123-0001-52",
            "答复期限：2026年12月21日前答复",
            "证件号码：110105********002X",
            "联系电话：138****8000",
            "咨询电话：0999-1234567",
            "查询密码",
            "482916",
        ] {
            assert!(all.contains(want), "{paper:?} lacks {want}:\n{all}");
        }
        // Nothing unmasked, no replacement characters.
        assert!(!all.contains('\u{FFFD}'));
        let (bars, qrs, cuts) = codes(&els);
        assert_eq!(bars, std::slice::from_ref(&r.receipt_digits));
        assert_eq!(qrs, [(r.progress_url.clone(), 2)]);
        assert_eq!(cuts, 1);
        assert_eq!(els.last(), Some(&Element::Cut));
        // The 查询密码 large and centred.
        assert!(
            els.iter().any(|e| matches!(e, Element::Text { text, scale: (2, 2), center: true, .. } if text == "482916")),
            "{paper:?}"
        );
        // The title on one line, centred: double size on 80 mm, double
        // height on 58 mm (double width would need two lines).
        let scale = if paper == PaperWidth::Mm80 {
            (2, 2)
        } else {
            (1, 2)
        };
        assert!(
            els.iter().any(|e| matches!(e, Element::Text { text, scale: s, center: true, .. } if text == "政府信息公开申请回执" && *s == scale)),
            "{paper:?}"
        );
    }
}

#[test]
fn a_reprint_says_so() {
    let r = Receipt {
        reprint: true,
        ..Receipt::sample()
    };
    let (_, bytes) = print_to_memory(&r, PaperWidth::Mm58, TextMode::Gbk, None);
    let lines = emulator::text_lines(&emulator::decode(&bytes).unwrap());
    assert_eq!(lines[1], "【补打】");
}

#[test]
fn a_character_outside_gbk_goes_as_an_image_or_is_refused() {
    let r = Receipt {
        applicant: "𠮷*（公民）".into(),
        ..Receipt::sample()
    };
    let (report, bytes) = print_to_memory(&r, PaperWidth::Mm58, TextMode::Gbk, Some(font()));
    assert_eq!(report.unwrap().raster_lines, 1);
    let els = emulator::decode(&bytes).unwrap();
    assert!(
        !emulator::text_lines(&els)
            .iter()
            .any(|l| l.starts_with("申请人"))
    );
    let images: Vec<&Element> = els
        .iter()
        .filter(|e| matches!(e, Element::Raster(_)))
        .collect();
    assert_eq!(images.len(), 1);
    // Without a font the job is refused before a byte is sent.
    let (report, bytes) = print_to_memory(&r, PaperWidth::Mm58, TextMode::Gbk, None);
    assert!(
        matches!(report, Err(PrintError::Unprintable(e)) if e.0 == '𠮷'),
        "{report:?}"
    );
    assert!(
        emulator::decode(&bytes)
            .unwrap()
            .iter()
            .all(|e| !matches!(e, Element::Text { .. }))
    );
}

#[test]
fn raster_receipt_renders_every_line_as_an_image() {
    let r = Receipt::sample();
    let font = font();
    for paper in [PaperWidth::Mm58, PaperWidth::Mm80] {
        let (report, bytes) = print_to_memory(&r, paper, TextMode::Raster, Some(font.clone()));
        let report = report.unwrap();
        let els = emulator::decode(&bytes).unwrap();
        let text: Vec<String> = emulator::text_lines(&els)
            .into_iter()
            .filter(|l| !l.starts_with("---"))
            .collect();
        assert!(text.iter().all(|l| l.trim().is_empty()), "{text:?}");
        let images: Vec<&printer::raster::Bitmap> = els
            .iter()
            .filter_map(|e| match e {
                Element::Raster(b) => Some(b),
                _ => None,
            })
            .collect();
        assert_eq!(images.len(), report.raster_lines);
        assert!(images.len() >= 14, "{}", images.len());
        for (b, line) in images.iter().zip(
            Receipt::sample()
                .blocks(paper)
                .iter()
                .filter(|b| matches!(b, printer::layout::Block::Line { .. })),
        ) {
            assert_eq!(b.width, paper.dots());
            assert!(
                b.ink() > 50,
                "an empty line image for {line:?}: {} dots",
                b.ink()
            );
        }
        let (bars, qrs, _) = codes(&els);
        assert_eq!(bars.len(), 1);
        assert_eq!(qrs.len(), 1);
        let picture = emulator::render(&els, paper, &font);
        let name = match paper {
            PaperWidth::Mm58 => "receipt-raster-58mm.png",
            PaperWidth::Mm80 => "receipt-raster-80mm.png",
        };
        picture.write_png(&out_dir().join(name), 2).unwrap();
    }
}

fn serial(fake: &FakePrinter) -> SerialDriver {
    SerialDriver::open(&SerialSettings {
        path: fake.port().to_string(),
        baud: 115_200,
        flow_control: FlowControl::None,
    })
    .unwrap()
}

#[test]
fn fake_printer_on_a_pty_prints_a_receipt() {
    let fake = FakePrinter::start(PrinterState {
        paper_near_end: true,
        ..PrinterState::default()
    })
    .unwrap();
    let p = ReceiptPrinter::new(serial(&fake), PaperWidth::Mm80, TextMode::Gbk, None);
    let report = p.print(&Receipt::sample()).unwrap();
    assert!(report.paper_near_end, "near end is reported");
    assert!(fake.wait_for_cut(Duration::from_secs(5)));
    let tape = fake.tape();
    assert_eq!(tape.error, None);
    let lines = emulator::text_lines(&tape.elements);
    assert!(
        lines.iter().any(|l| l == "政府信息公开申请回执"),
        "{lines:?}"
    );
    let (bars, qrs, cuts) = codes(&tape.elements);
    assert_eq!(bars, [Receipt::sample().receipt_digits]);
    assert_eq!(qrs.len(), 1);
    assert_eq!(cuts, 1);
}

/// Prints to a fake printer in `state`; returns the result and whether
/// anything beyond the status queries reached the printer.
fn check_blocked(setup: impl Fn(&FakePrinter), expected: impl Fn(&PrintError) -> bool) {
    let fake = FakePrinter::start(PrinterState::default()).unwrap();
    setup(&fake);
    let mut p = ReceiptPrinter::new(serial(&fake), PaperWidth::Mm58, TextMode::Gbk, None);
    p.reply_timeout = Duration::from_millis(200);
    let e = p.print(&Receipt::sample()).unwrap_err();
    assert!(expected(&e), "{e:?}");
    std::thread::sleep(Duration::from_millis(50));
    let tape = fake.tape();
    assert!(
        tape.elements.is_empty(),
        "something was printed: {:?}",
        tape.elements
    );
    assert!(!e.to_string().is_empty());
}

#[test]
fn printer_problems_stop_the_job_before_a_byte_is_printed() {
    check_blocked(
        |f| {
            f.set_state(PrinterState {
                paper_out: true,
                paper_near_end: true,
                ..Default::default()
            })
        },
        |e| {
            matches!(
                e,
                PrintError::Blocked {
                    message: "打印机缺纸",
                    ..
                }
            )
        },
    );
    check_blocked(
        |f| {
            f.set_state(PrinterState {
                cover_open: true,
                ..Default::default()
            })
        },
        |e| {
            matches!(
                e,
                PrintError::Blocked {
                    message: "打印机盖未关好",
                    ..
                }
            )
        },
    );
    check_blocked(
        |f| {
            f.set_state(PrinterState {
                offline: true,
                ..Default::default()
            })
        },
        |e| {
            matches!(
                e,
                PrintError::Blocked {
                    message: "打印机离线",
                    ..
                }
            )
        },
    );
    check_blocked(
        |f| f.set_silent(true),
        |e| matches!(e, PrintError::Status(StatusError::NoReply { query: 1 })),
    );
    check_blocked(
        |f| f.tape().replies = Some([0x12, 0x12, 0xFF, 0x12]),
        |e| {
            matches!(
                e,
                PrintError::Status(StatusError::InvalidReply {
                    query: 3,
                    byte: 0xFF
                })
            )
        },
    );
}

#[test]
fn decoder_refuses_what_would_print_as_garbage() {
    let check = |bytes: &[u8], fragment: &str| {
        let e = emulator::decode(bytes).unwrap_err();
        assert!(e.message.contains(fragment), "{bytes:?}: {e}");
    };
    check(&[0xBB, 0xD8, 0x0A], "乱码"); // GBK without FS &
    check(&[0x1C, 0x26, 0xBB], "不完整");
    check(&[0x1D, b'k', 4, b'1', b'2', 0], "不是 CODE128");
    check(b"abc", "没有换行");
    check(&[0x1B, 0x99], "未知的 ESC");
    assert!(emulator::decode(&[0x1C, 0x26, 0xBB, 0xD8, 0xD6, 0xB4, 0x0A]).is_ok());
}
