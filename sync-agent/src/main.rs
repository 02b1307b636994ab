//! `sync-agent`: the terminal's sync daemon and the technician's commands
//! (enrol, import from USB, status, one round). Thin: parses arguments and
//! configuration, sets up logging, calls the library.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use sync_agent::Agent;
use sync_agent::config::{AgentConfig, DEFAULT_PATH};

#[derive(Debug, Parser)]
#[command(
    name = "sync-agent",
    version,
    about = "政务公开终端同步服务：内容下行、申请上行"
)]
struct Cli {
    /// 配置文件
    #[arg(long, default_value = DEFAULT_PATH)]
    config: PathBuf,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// 常驻运行（systemd Type=notify，带看门狗）；不写子命令时即为此
    Run,
    /// 只同步一轮后退出
    Once,
    /// 用县里给的一次性开通码开通本终端
    Enrol {
        #[arg(long)]
        code: String,
    },
    /// 立即更换本终端的凭证（平时同步时到期前自动更换）
    RotateToken,
    /// 从 U 盘导入内容仓库（先复制到本地，校验签名后再应用）
    Import { dir: PathBuf },
    /// 给技术人员看的状态：内容版本、最近同步、待送达件数、最近错误
    Status,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("GONGKAI_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误：{e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let config = AgentConfig::load(&cli.config)?;
    if let Some(w) = config.plain_http_warning() {
        tracing::error!("{w}");
    }
    let agent = Agent::new(config);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    match cli.command.unwrap_or(Command::Run) {
        Command::Run => rt.block_on(sync_agent::daemon::run(agent))?,
        Command::Once => {
            let r = rt.block_on(agent.round());
            if let Some(f) = &r.feed {
                println!(
                    "内容第 {} 版：{} 个文件，下载 {} 个、由增量重建 {} 个（{} 字节）{}",
                    f.version,
                    f.targets,
                    f.downloaded,
                    f.rebuilt,
                    r.bytes,
                    if f.applied {
                        "，已应用"
                    } else {
                        "，无变化"
                    }
                );
            }
            println!(
                "送达 {} 件，推迟 {} 件，新进度 {} 条",
                r.delivered, r.deferred, r.statuses
            );
            for e in &r.errors {
                println!("问题：{e}");
            }
            return Ok(if r.errors.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            });
        }
        Command::Enrol { code } => {
            let c =
                rt.block_on(sync_agent::intake::IntakeClient::new(&agent.config).enrol(&code))?;
            println!("已开通：{}", c.device_id);
        }
        Command::RotateToken => {
            let creds = sync_agent::intake::load_credentials(&agent.config.state_dir)?;
            let c = rt.block_on(
                sync_agent::intake::IntakeClient::new(&agent.config).rotate_token(&creds),
            )?;
            println!(
                "已更换凭证：{}，有效期至 {}",
                c.device_id,
                c.expires_at.as_deref().unwrap_or("（县里未设期限）")
            );
        }
        Command::Import { dir } => match rt.block_on(agent.import_usb(&dir)) {
            Ok(done) => println!("{done}（{}）", dir.display()),
            Err(failed) => {
                println!("{failed}");
                return Ok(ExitCode::from(1));
            }
        },
        Command::Status => print!("{}", agent.status_text()),
    }
    let _ = Duration::ZERO;
    Ok(ExitCode::SUCCESS)
}
