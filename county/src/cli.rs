//! Command-line arguments of `county`: clap types only. What each
//! subcommand does is in `commands.rs`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

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
    /// 签名密钥：创建、轮换（含根密钥）
    #[command(subcommand)]
    Keys(KeysCommand),
    /// 把内容文件夹发布为签名的 TUF 仓库（只写入变化的文件）
    Publish(county::publish::PublishOptions),
    /// 乡镇、村自行发布：生成密钥、签名本地区内容
    #[command(subcommand)]
    Township(TownshipCommand),
    /// 县级参考服务器：静态仓库、受理接口、手机页面、工作人员页面
    Serve(county::serve::ServeOptions),
    /// 终端：生成一次性开通码、停用、列出
    #[command(subcommand)]
    Devices(DevicesCommand),
    /// 依申请公开：列表、详情、答复、延期、进度
    #[command(subcommand)]
    Applications(ApplicationsCommand),
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// 创建 root、targets、snapshot、timestamp 四个角色的密钥和第 1 版 root.json
    Init {
        #[arg(long)]
        dir: PathBuf,
        /// 根密钥个数
        #[arg(long, default_value_t = 1)]
        root_keys: u64,
        /// 根元数据需要的签名数
        #[arg(long, default_value_t = 1)]
        root_threshold: u64,
        /// root.json 有效天数
        #[arg(long, default_value_t = 365)]
        expires_days: i64,
    },
    /// 更换一个角色的全部密钥，生成新版 root.json（旧根密钥与新根密钥共同签名）
    Rotate {
        #[arg(long)]
        dir: PathBuf,
        /// root、targets、snapshot 或 timestamp
        #[arg(long)]
        role: String,
        #[arg(long, default_value_t = 365)]
        expires_days: i64,
    },
    /// 授权乡镇或村用自己的密钥签名本地区（含下级）的内容
    Delegate {
        #[arg(long)]
        dir: PathBuf,
        /// 乡镇（9 位）或村（12 位）行政区划代码
        #[arg(long)]
        region: String,
        /// 乡镇交来的公钥文件（county township keys 生成的 region-<代码>.pub.json），可给多个
        #[arg(long = "public-key", required = true)]
        public_keys: Vec<PathBuf>,
        /// 签名包需要的签名数
        #[arg(long, default_value_t = 1)]
        threshold: u64,
    },
    /// 收回授权：该地区的内容重新由县里签名
    Undelegate {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long)]
        region: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum TownshipCommand {
    /// 为乡镇（或村）生成自己的签名密钥；公钥交给县里授权
    Keys {
        /// 乡镇（9 位）或村（12 位）行政区划代码
        #[arg(long)]
        region: String,
        /// 乡镇的密钥文件夹
        #[arg(long)]
        dir: PathBuf,
    },
    /// 用乡镇自己的密钥签名本地区的内容，生成交给县里的签名包
    Publish(county::delegation::TownshipPublishOptions),
}

#[derive(Debug, Subcommand)]
pub enum DevicesCommand {
    /// 为一台终端生成一次性开通码（默认 7 天内有效）
    Add {
        #[arg(long, default_value = "county.db")]
        database: PathBuf,
        /// 终端所在地区的行政区划代码
        #[arg(long)]
        region: String,
        /// 终端编号（1–99）
        #[arg(long)]
        device: u8,
        #[arg(long, default_value_t = 7)]
        valid_days: i64,
        /// 厅名（终端首页顶部显示，最多 40 个字）；给出时另打印开通二维码（gongkai-provision 用）
        #[arg(long)]
        hall_name: Option<String>,
        /// 终端访问本服务器的地址（https://…，写入开通二维码）；也可用环境变量 GONGKAI_PUBLIC_URL
        #[arg(long)]
        server_url: Option<String>,
        /// 县里的根元数据，其 SHA-256 指纹写入开通二维码
        #[arg(long, default_value = "keys/root.json")]
        root: PathBuf,
        /// 另把开通二维码写成 SVG 图片（打印出来交给安装终端的技术人员）
        #[arg(long)]
        svg: Option<PathBuf>,
    },
    /// 停用一台终端：其凭证立即失效（要恢复，重新生成开通码并开通）
    Revoke {
        #[arg(long, default_value = "county.db")]
        database: PathBuf,
        /// 终端所在地区的行政区划代码
        #[arg(long)]
        region: String,
        /// 终端编号（1–99）
        #[arg(long)]
        device: u8,
    },
    /// 列出已开通的终端
    List {
        #[arg(long, default_value = "county.db")]
        database: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum ApplicationsCommand {
    /// 列出申请、答复期限和逾期情况
    List {
        #[arg(long, default_value = "county.db")]
        database: PathBuf,
    },
    /// 一件申请的全部内容和进度
    Show {
        #[arg(long, default_value = "county.db")]
        database: PathBuf,
        receipt: String,
    },
    /// 记录答复（第三十六条的答复类型），终端显示“已答复”
    Reply {
        #[arg(long, default_value = "county.db")]
        database: PathBuf,
        receipt: String,
        /// already-public, disclosed, partly-disclosed, not-disclosed, does-not-exist,
        /// not-this-body, repeat, special-law, not-an-application
        #[arg(long)]
        outcome: String,
        /// 说明：获取途径、不予公开的理由或负责公开的机关
        #[arg(long, default_value = "")]
        note: String,
    },
    /// 延期答复（第三十三条：一次，不超过 20 个工作日）
    Extend {
        #[arg(long, default_value = "county.db")]
        database: PathBuf,
        receipt: String,
        #[arg(long, default_value_t = 20)]
        days: u32,
        #[arg(long)]
        reason: String,
        /// 节假日安排文件夹（内置 2025、2026 年之外的年份）
        #[arg(long)]
        calendars: Option<PathBuf>,
    },
    /// 清除答复已超过保存期的申请中的个人信息（county serve 每小时自动执行）
    Purge {
        #[arg(long, default_value = "county.db")]
        database: PathBuf,
        #[command(flatten)]
        policy: county::intake::IntakePolicy,
    },
    /// 记录办理进度：registered（登记）、correction（补正）、processing（办理中）、served（送达）、archived（归档）
    Status {
        #[arg(long, default_value = "county.db")]
        database: PathBuf,
        receipt: String,
        status: String,
        #[arg(long, default_value = "")]
        note: String,
    },
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
