//! Command-line arguments of `county` and their dispatch.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::check;

#[derive(Debug, Parser)]
#[command(
    name = "county",
    version,
    about = "政务公开终端县级工具：检查目录、发布内容"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// 公开事项目录（电子表格）
    #[command(subcommand)]
    Catalog(CatalogCommand),
    /// 整个内容文件夹（地区表、目录、文件、解读、办事指南、公告）
    #[command(subcommand)]
    Content(ContentCommand),
}

#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// 检查目录表格（CSV、XLSX、XLS、ODS；可给文件夹），打印汇总或错误
    Check {
        /// 表格文件或文件夹
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// 以 JSON 输出：{"items", "domains", "errors", "warnings"}
        #[arg(long)]
        json: bool,
    },
    /// 生成 N 条合成目录（标准目录格式 CSV），用于性能测试
    Synth {
        /// 条数
        #[arg(long, default_value_t = 100_000)]
        items: usize,
        /// 随机种子
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// 输出文件
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum ContentCommand {
    /// 检查内容文件夹（如 assets/demo），打印各地区、各领域的数量
    Check {
        /// 内容文件夹
        dir: PathBuf,
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
    },
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Catalog(CatalogCommand::Check { files, json }) => {
            let report = check::check_catalog_files(&files);
            let mut out = std::io::stdout().lock();
            if json {
                check::write_json(&report, &mut out)?;
            } else {
                check::write_text(&report, &mut out)?;
            }
            Ok(if report.errors.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Catalog(CatalogCommand::Synth { items, seed, out }) => {
            let list = disclosure::synth::synthetic_items(items, seed);
            let mut f = std::io::BufWriter::new(std::fs::File::create(&out)?);
            disclosure::synth::write_domain_standard_csv(&list, &mut f)?;
            eprintln!("已生成 {items} 条合成目录：{}", out.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Content(ContentCommand::Check { dir, json }) => {
            let mut out = std::io::stdout().lock();
            let ok = check::check_content_dir(&dir, json, &mut out)?;
            Ok(if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
    }
}
