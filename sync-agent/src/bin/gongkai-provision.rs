//! `gongkai-provision`: installs a terminal from its provisioning code —
//! typed or scanned here (`--code`, or field by field on standard input),
//! or left by the kiosk's technician screen in the spool folder
//! (`--from-spool`, run by `gongkai-provision.service`). Thin: arguments,
//! prompts and output; `sync_agent::provision` does the work.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use disclosure::provisioning::{Field, ProvisioningCode, normalise_one_time_code};
use sync_agent::provision::{ProvisionPaths, Request, provision, spool};

#[derive(Debug, Parser)]
#[command(
    name = "gongkai-provision",
    version,
    about = "用开通码安装终端：核对县里的根元数据，写入配置，开通"
)]
struct Cli {
    /// 开通码（GKPROV1:…，县里 county devices add 打印的）；不给时逐项询问
    #[arg(long, conflicts_with = "from_spool")]
    code: Option<String>,
    /// 根元数据文件（root.json）：只用这个文件，不找 U 盘和服务器
    #[arg(long, conflicts_with = "from_spool")]
    root: Option<PathBuf>,
    /// 同时设置技术人员页面的密码（6 至 12 位数字，从标准输入读两遍），写入 kiosk.toml 的 [technician] pin_hash（需要有技术人员页面的查阅屏版本）
    #[arg(long, conflicts_with = "from_spool")]
    pin: bool,
    /// 处理查阅屏在此文件夹留下的开通请求（request.toml），结果写入 result.json
    #[arg(long, value_name = "DIR")]
    from_spool: Option<PathBuf>,
    /// 配置文件夹（sync-agent.toml、kiosk.toml），默认 /etc/gongkai；也可用环境变量 GONGKAI_ETC_DIR
    #[arg(long)]
    etc_dir: Option<PathBuf>,
    /// 查找 U 盘 root.json 的文件夹，用 : 隔开，默认 /media:/run/media:/mnt；也可用 GONGKAI_USB_ROOTS
    #[arg(long)]
    usb_roots: Option<String>,
    /// 软件包自带的根元数据，默认 /usr/share/gongkai/root.json；也可用 GONGKAI_PACKAGE_ROOT
    #[arg(long)]
    package_root: Option<PathBuf>,
}

fn paths(cli: &Cli) -> ProvisionPaths {
    let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
    let mut p = ProvisionPaths::default();
    if let Some(d) = cli
        .etc_dir
        .clone()
        .or_else(|| env("GONGKAI_ETC_DIR").map(PathBuf::from))
    {
        p.etc_dir = d;
    }
    let roots = cli
        .usb_roots
        .clone()
        .or_else(|| env("GONGKAI_USB_ROOTS").and_then(|v| v.into_string().ok()));
    if let Some(r) = roots {
        p.usb_roots = r
            .split(':')
            .filter(|s| !s.is_empty())
            .map(PathBuf::from)
            .collect();
    }
    if let Some(f) = cli
        .package_root
        .clone()
        .or_else(|| env("GONGKAI_PACKAGE_ROOT").map(PathBuf::from))
    {
        p.package_root = f;
    }
    p
}

/// One answer from standard input, or an error at its end.
fn ask(
    lines: &mut impl Iterator<Item = std::io::Result<String>>,
    prompt: &str,
) -> anyhow::Result<String> {
    print!("{prompt}");
    std::io::stdout().flush()?;
    match lines.next() {
        Some(line) => Ok(line?.trim().to_string()),
        None => anyhow::bail!("输入已结束，未开通"),
    }
}

/// Asks for each field until it is right.
fn ask_code(
    lines: &mut impl Iterator<Item = std::io::Result<String>>,
) -> anyhow::Result<ProvisioningCode> {
    println!("没有 --code：请逐项输入县里打印的开通信息（扫码枪可直接扫开通二维码）。");
    let mut values = Vec::new();
    for field in Field::ALL {
        let hint = match field {
            Field::ServerUrl => "如 https://gk.yunxi.gov.example/",
            Field::Region => "6、9 或 12 位数字",
            Field::Device => "1 至 99",
            Field::HallName => "最多 40 个字",
            Field::OneTimeCode => "12 位数字",
            Field::RootFingerprint => "64 位十六进制，可带空格",
        };
        loop {
            let mut v = ask(lines, &format!("{}（{hint}）：", field.name()))?;
            if field == Field::ServerUrl && v.starts_with("GKPROV") {
                // The whole code, scanned at the first prompt.
                match ProvisioningCode::parse(&v) {
                    Ok(c) => return Ok(c),
                    Err(e) => {
                        println!("  {e}");
                        continue;
                    }
                }
            }
            match field {
                Field::RootFingerprint => v = v.replace(' ', "").to_ascii_lowercase(),
                Field::OneTimeCode => v = normalise_one_time_code(&v).unwrap_or(v),
                _ => {}
            }
            match field.check(&v) {
                Ok(()) => {
                    values.push(v);
                    break;
                }
                Err(e) => println!("  {e}"),
            }
        }
    }
    Ok(ProvisioningCode::from_fields(
        &values[0], &values[1], &values[2], &values[3], &values[4], &values[5],
    )?)
}

fn ask_pin(lines: &mut impl Iterator<Item = std::io::Result<String>>) -> anyhow::Result<String> {
    loop {
        let a = ask(lines, "技术人员密码（6 至 12 位数字，输入时会显示）：")?;
        if !disclosure::provisioning::is_technician_pin(&a) {
            println!("  技术人员密码应为 6 至 12 位数字");
            continue;
        }
        if ask(lines, "再输入一遍：")? != a {
            println!("  两次输入不同，请重输");
            continue;
        }
        return Ok(disclosure::provisioning::technician_pin_hash(&a)?);
    }
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("GONGKAI_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match run(&cli) {
        Ok(code) => code,
        Err(e) => {
            println!("错误：{e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: &Cli) -> anyhow::Result<ExitCode> {
    let paths = paths(cli);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let mut progress = |line: &str| println!("· {line}");
    let started = Instant::now();
    if let Some(dir) = &cli.from_spool {
        let r = rt.block_on(spool::run(dir, &paths, &mut progress))?;
        println!("{}", r.message);
        println!(
            "（用时 {:.1} 秒，结果已写入 {}）",
            started.elapsed().as_secs_f64(),
            dir.join(spool::RESULT).display()
        );
        return Ok(if r.ok {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        });
    }
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    let code = match &cli.code {
        Some(text) => ProvisioningCode::parse(text)?,
        None => ask_code(&mut lines)?,
    };
    let pin_hash = if cli.pin {
        Some(ask_pin(&mut lines)?)
    } else {
        None
    };
    let req = Request {
        code,
        root: cli.root.clone(),
        pin_hash,
    };
    let done = rt.block_on(provision(&req, &paths, &mut progress));
    let secs = started.elapsed().as_secs_f64();
    match done {
        Ok(o) => {
            println!("{}", o.sentence(&req.code));
            if !o.already_enrolled {
                println!(
                    "下一步：systemctl restart gongkai-sync-agent gongkai-kiosk（查阅屏在内容同步完成后显示）"
                );
            }
            println!("（用时 {secs:.1} 秒）");
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            println!("未完成：{e}。");
            println!("（用时 {secs:.1} 秒）");
            Ok(ExitCode::from(1))
        }
    }
}
