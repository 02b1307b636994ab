//! `kiosk`: the touchscreen app. Parses arguments and configuration, sets up
//! logging, and runs the UI (or renders one page to a PNG).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use kiosk::MainWindow;
use kiosk::config::{DEFAULT_PATH, KioskConfig};
use kiosk::controller::App;
use kiosk::demo::DemoContent;
use kiosk::screenshot::ScreenshotScript;
use slint::ComponentHandle;

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// 打印一张固定的样张回执到配置的打印机；--out 时写入文件（.png 为纸面图像，其他为 ESC/POS 字节）
    PrintTest {
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// 朗读一段文字：--out 时写入 WAV 文件（测试、技术人员检查音频），否则用 [speech] 的音频设备播放
    Speak {
        /// 写入这个 WAV 文件（16 位单声道 22050 Hz），不播放
        #[arg(long, value_name = "FILE.wav")]
        out: Option<PathBuf>,
        /// 同时打印读出的文字和交给语音引擎的拼音
        #[arg(long)]
        show: bool,
        /// 要朗读的文字
        #[arg(required = true)]
        text: Vec<String>,
    },
    /// 由 systemd 以 root 身份在终端程序启动前运行：切到它的虚拟终端并设为图形模式、锁定终端切换、写入触摸屏旋转规则
    ConsoleSetup {
        #[arg(long, default_value = "/dev/tty1")]
        tty: PathBuf,
    },
}

// glibc 2.43 gave acosf and atan2f new symbol versions on aarch64; a kiosk
// cross-built against it (Debian sid) would need libc6 >= 2.43 and not
// start on trixie. build.rs links the aarch64 kiosk with
// `--wrap=acosf --wrap=atan2f`, and these wrappers jump to the versions
// every aarch64 glibc has (GLIBC_2.17); scripts/package checks that no
// binary needs a glibc newer than trixie's.
#[cfg(all(target_arch = "aarch64", target_os = "linux", target_env = "gnu"))]
core::arch::global_asm!(
    ".symver gongkai_acosf_2_17, acosf@GLIBC_2.17",
    ".symver gongkai_atan2f_2_17, atan2f@GLIBC_2.17",
    ".text",
    ".globl __wrap_acosf",
    ".type __wrap_acosf, %function",
    "__wrap_acosf:",
    "    b gongkai_acosf_2_17",
    ".size __wrap_acosf, . - __wrap_acosf",
    ".globl __wrap_atan2f",
    ".type __wrap_atan2f, %function",
    "__wrap_atan2f:",
    "    b gongkai_atan2f_2_17",
    ".size __wrap_atan2f, . - __wrap_atan2f",
);

#[derive(Debug, Parser)]
#[command(name = "kiosk", version, about = "政务公开专区终端")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// 配置文件（默认 /etc/gongkai/kiosk.toml；没有时运行内置演示内容）
    #[arg(long)]
    config: Option<PathBuf>,
    /// 不开窗口，把一个页面渲染成 PNG 后退出
    #[arg(long, value_name = "FILE.png")]
    screenshot: Option<PathBuf>,
    /// 截图尺寸，如 1920x1080
    #[arg(long, value_name = "WxH", default_value = "1920x1080")]
    size: String,
    /// 截图页面：home, attract, domains, items, item, document, interpretation,
    /// table, speaking, guides, notices, interpretations, village, search, apply, apply-who,
    /// apply-typing, apply-review, apply-done, progress, progress-details,
    /// technician-pin, technician, provision, self-test, touch-test, display-test
    #[arg(long, default_value = "home")]
    page: String,
    /// 截图后再整帧渲染这个页面 N 次（1–1000），打印用时的中位数和最大值（与 cargo bench 的量法相同，用于在开发板或模拟器上测量）
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1000))]
    frames: Option<u16>,
    /// 截图时使用大字模式
    #[arg(long)]
    large_text: bool,
    /// 截图时使用高对比模式
    #[arg(long)]
    high_contrast: bool,
    /// 截图时在搜索页输入的拼音（如 dibao）
    #[arg(long)]
    typed: Option<String>,
}

fn parse_size(s: &str) -> anyhow::Result<slint::PhysicalSize> {
    let (w, h) = s
        .split_once(['x', 'X', '×'])
        .ok_or_else(|| anyhow::anyhow!("--size 应写作 宽x高，如 1920x1080"))?;
    let (w, h): (u32, u32) = (w.trim().parse()?, h.trim().parse()?);
    anyhow::ensure!(
        (320..=7680).contains(&w) && (320..=7680).contains(&h),
        "--size 超出范围"
    );
    Ok(slint::PhysicalSize::new(w, h))
}

fn load_config(cli: &Cli) -> anyhow::Result<KioskConfig> {
    match &cli.config {
        Some(p) => Ok(KioskConfig::load(p)?),
        None if std::path::Path::new(DEFAULT_PATH).exists() => {
            Ok(KioskConfig::load(std::path::Path::new(DEFAULT_PATH))?)
        }
        None => Ok(KioskConfig::default()),
    }
}

/// `kiosk print-test [--out FILE]`.
fn print_test(config: &KioskConfig, out: Option<&std::path::Path>) -> anyhow::Result<()> {
    // Without [printer], --out uses the defaults of the section.
    let pc = config
        .printer
        .clone()
        .unwrap_or_else(|| kiosk::config::PrinterConfig::on_port(""));
    let font = printer::RasterFont::load(&pc.font_file, &pc.font_family)
        .ok()
        .map(std::sync::Arc::new);
    let receipt = printer::Receipt::sample();
    match out {
        Some(path) => {
            let driver = printer::MemoryDriver::new(printer::PrinterState::default());
            let p = printer::ReceiptPrinter::new(driver.clone(), pc.paper, pc.text, font.clone());
            p.send(&receipt)?;
            let bytes = driver.bytes();
            if path.extension().is_some_and(|e| e == "png") {
                let font = font.ok_or_else(|| {
                    anyhow::anyhow!("没有打印字体 {}，无法画出纸面", pc.font_file.display())
                })?;
                let els = printer::emulator::decode(&bytes)?;
                printer::emulator::render(&els, pc.paper, &font).write_png(path, 2)?;
            } else {
                std::fs::write(path, &bytes)?;
            }
            println!("样张已写入 {}（{} 字节）", path.display(), bytes.len());
        }
        None => {
            anyhow::ensure!(
                config.printer.is_some(),
                "配置中没有 [printer]：请写明 printer.port，或用 --out FILE 写入文件"
            );
            let driver = printer::SerialDriver::open(&pc.serial)
                .map_err(|e| anyhow::anyhow!("串口 {} 无法打开：{e}", pc.serial.path))?;
            let mut p = printer::ReceiptPrinter::new(driver, pc.paper, pc.text, font);
            p.reply_timeout = std::time::Duration::from_millis(pc.status_timeout_ms);
            let report = p.print(&receipt)?;
            println!(
                "样张已发送到 {}（{} 字节）{}",
                pc.serial.path,
                report.bytes,
                if report.paper_near_end {
                    "；打印纸将尽，请更换纸卷"
                } else {
                    ""
                }
            );
        }
    }
    Ok(())
}

/// `kiosk speak [--out FILE.wav] [--show] TEXT…`.
fn speak(
    config: &KioskConfig,
    out: Option<&std::path::Path>,
    show: bool,
    text: &str,
) -> anyhow::Result<()> {
    if show {
        println!("读作：{}", speech::spoken_text(text));
        println!("拼音：{}", speech::pinyin_of(text));
    }
    match out {
        Some(path) => {
            let pcm = speech::synthesize(text, &config.speech)?;
            pcm.write_wav(path)?;
            println!(
                "语音已写入 {}（{:.1} 秒，{} Hz）",
                path.display(),
                pcm.duration().as_secs_f64(),
                pcm.sample_rate
            );
        }
        None => {
            let speaker = speech::Speaker::new(config.speech.clone())?;
            let (tx, rx) = std::sync::mpsc::channel();
            speaker.read(vec![text.to_string()], move |p| {
                let _ = tx.send(p);
            });
            loop {
                // Every read ends with Finished, Stopped or Failed.
                match rx.recv()? {
                    speech::Progress::Speaking { .. } => {}
                    speech::Progress::Finished => break,
                    speech::Progress::Stopped => anyhow::bail!("朗读被中止"),
                    speech::Progress::Failed(e) => return Err(e.into()),
                }
            }
            println!("已在 {} 上播放", config.speech.device);
        }
    }
    Ok(())
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let config = load_config(&cli)?;
    match &cli.command {
        Some(Command::PrintTest { out }) => return print_test(&config, out.as_deref()),
        Some(Command::Speak { out, show, text }) => {
            return speak(&config, out.as_deref(), *show, &text.join(" "));
        }
        Some(Command::ConsoleSetup { tty }) => {
            let provisioned = config.database.as_ref().is_some_and(|p| p.exists());
            return kiosk::service::console_setup(&config.screen, tty, provisioned);
        }
        None => {}
    }
    // The demo is unpacked when no database is configured, and stands in
    // for a configured one that does not exist yet (a terminal not yet
    // provisioned: 技术维护 opens for 开通).
    let mut config = config;
    let awaited = match &config.database {
        Some(p) if !p.exists() && cli.screenshot.is_none() => {
            tracing::warn!(path = %p.display(), "content.db not there yet: 开通 on the demo content");
            config.database.take()
        }
        _ => None,
    };
    let demo;
    let database = match &config.database {
        Some(p) => p.clone(),
        None => {
            demo = DemoContent::unpack(disclosure::Date::today_in_china())?;
            tracing::info!(dir = %demo.dir().display(), "running the embedded demo content");
            demo.database()
        }
    };
    let store = disclosure::ContentStore::open_read_only(&database)?;

    if let Some(out) = &cli.screenshot {
        let size = parse_size(&cli.size)?;
        let (platform, window) = kiosk::screenshot::OffscreenPlatform::new();
        slint::platform::set_platform(Box::new(platform)).map_err(|e| anyhow::anyhow!("{e}"))?;
        let ui = MainWindow::new()?;
        // Sized before anything is filled: candidates are paged by width.
        ui.window().set_size(size);
        let mut config = kiosk::screenshot::with_picture_pin(config);
        config.large_text |= cli.large_text;
        config.high_contrast |= cli.high_contrast;
        let app = App::new(&ui, config, store)?;
        app.show_named(&cli.page)?;
        if let Some(t) = &cli.typed {
            app.wait_for_dictionary(std::time::Duration::from_secs(10));
            for c in t.chars() {
                app.type_key(&c.to_string());
            }
        }
        ui.show()?;
        if app.reading_now().is_some() {
            // The passage read scrolls into view once the page is laid
            // out: lay it out, then mark the passage again.
            kiosk::screenshot::render(&window, size);
            app.remark_reading(slint::platform::update_timers_and_animations);
        }
        kiosk::screenshot::render_png(&window, size, out)?;
        if let Some(n) = cli.frames {
            let (median, slowest) = kiosk::screenshot::time_frames(&window, size, n.into());
            let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
            println!(
                "整帧渲染 {} {}x{}：{n} 次，中位 {:.1} 毫秒，最大 {:.1} 毫秒",
                cli.page,
                size.width,
                size.height,
                ms(median),
                ms(slowest)
            );
        }
        return Ok(());
    }

    let mut service = kiosk::service::start(&config.screen);
    let screen = config.screen.clone();
    if let Some(name) = config.backend.slint_name()
        && std::env::var_os("SLINT_BACKEND").is_none()
    {
        // SAFETY: single-threaded here, before any thread or backend starts.
        unsafe { std::env::set_var("SLINT_BACKEND", name) };
    }
    let ui = MainWindow::new()?;
    if config.fullscreen {
        ui.window().set_fullscreen(true);
    } else {
        ui.window().set_size(slint::LogicalSize::new(
            config.width as f32,
            config.height as f32,
        ));
    }
    let app = App::new(&ui, config, store)?;
    service.follow_screen_hours(&screen, app.screen_hours());
    if let Some(p) = awaited {
        app.stand_in_for(p);
    }
    let _timers = app.start_timers();
    ui.run()?;
    if app.restart_requested() {
        // systemd starts the kiosk again (Restart=always).
        tracing::info!("exiting to be restarted");
    }
    Ok(())
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("GONGKAI_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("错误：{e:#}");
            ExitCode::from(1)
        }
    }
}
