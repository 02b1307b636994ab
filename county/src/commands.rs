//! What each `county` subcommand does — catalog and content checks, keys,
//! publishing, the server, terminal enrolment and applications: argument
//! checks, a runtime where needed, and output in Chinese. [`run`] is the
//! one dispatch of the arguments `cli.rs` defines.

use std::process::ExitCode;

use anyhow::{Context, bail};
use disclosure::provisioning::ProvisioningCode;
use disclosure::requests::{ApplicationStatus, DeviceNo, ReceiptNo};
use disclosure::{Date, RegionCode};
use time::OffsetDateTime;

use crate::cli::{
    ApplicationsCommand, CatalogCommand, Cli, Command, ContentCommand, DevicesCommand, KeysCommand,
    TownshipCommand,
};
use county::check;
use county::delegation::{read_public_key, township_keys, township_publish};
use county::intake::{IntakeStore, ReplyOutcome};
use county::keys::{KeyDir, RootPolicy, parse_role};

/// Runs the subcommand `cli` names; the exit code says whether what it
/// checked was clean (1 when a check found errors).
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Catalog(cmd) => catalog(cmd),
        Command::Content(cmd) => content(cmd),
        Command::Keys(cmd) => keys(cmd),
        Command::Publish(opts) => publish(opts),
        Command::Township(cmd) => township(cmd),
        Command::Serve(opts) => serve(opts),
        Command::Devices(cmd) => devices(cmd),
        Command::Applications(cmd) => applications(cmd),
    }
}

fn catalog(cmd: CatalogCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        CatalogCommand::Check { files, json } => {
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
        CatalogCommand::Synth { items, seed, out } => {
            let list = disclosure::synth::synthetic_items(items, seed);
            let mut f = std::io::BufWriter::new(std::fs::File::create(&out)?);
            disclosure::synth::write_domain_standard_csv(&list, &mut f)?;
            eprintln!("已生成 {items} 条合成目录：{}", out.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn content(cmd: ContentCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        ContentCommand::Check { dir, json } => {
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

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

fn keys(cmd: KeysCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        KeysCommand::Init {
            dir,
            root_keys,
            root_threshold,
            expires_days,
        } => {
            let root = runtime()?.block_on(KeyDir::new(&dir).init(RootPolicy {
                root_keys,
                root_threshold,
                expires_days,
            }))?;
            println!(
                "已创建密钥和第 {} 版 root.json：{}\n请把 root.json 装入每台终端（/etc/gongkai/root.json），\n并把 root-*.pk8 离线保存。",
                root.signed.version,
                dir.join("root.json").display()
            );
        }
        KeysCommand::Rotate {
            dir,
            role,
            expires_days,
        } => {
            let Some(r) = parse_role(&role) else {
                bail!("--role 应为 root、targets、snapshot 或 timestamp，而不是“{role}”");
            };
            let root = runtime()?.block_on(KeyDir::new(&dir).rotate(r, expires_days))?;
            println!(
                "已更换 {role} 密钥，root.json 升至第 {} 版；旧密钥移入 retired/。\n请重新运行 county publish，终端会在下次同步时接受新密钥。",
                root.signed.version
            );
        }
        KeysCommand::Delegate {
            dir,
            region,
            public_keys,
            threshold,
        } => {
            let region = parse_region(&region)?;
            let keys = public_keys
                .iter()
                .map(|p| read_public_key(p))
                .collect::<Result<Vec<_>, _>>()?;
            let d = KeyDir::new(&dir).delegate(&region, keys, threshold)?;
            println!(
                "已授权 {region} 及其下级用 {} 把密钥（需 {} 个签名）签名自己的内容。\n乡镇签名包放入 county publish --delegated 指定的文件夹后，下次发布即生效；\n在此之前 {region} 的内容仍由县里签名。",
                d.keys.len(),
                d.threshold
            );
        }
        KeysCommand::Undelegate { dir, region } => {
            let region = parse_region(&region)?;
            if KeyDir::new(&dir).undelegate(&region)? {
                println!(
                    "已收回 {region} 的授权；下次 county publish 起其内容由县里签名（请从 --delegated 文件夹移走它的签名包）。"
                );
            } else {
                bail!("{region} 没有授权，无需收回");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_region(s: &str) -> anyhow::Result<RegionCode> {
    s.parse::<RegionCode>()
        .map_err(|e| anyhow::anyhow!("--region：{e}"))
}

fn township(cmd: TownshipCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        TownshipCommand::Keys { region, dir } => {
            let region = parse_region(&region)?;
            let k = township_keys(&dir, &region)?;
            println!(
                "已生成 {region} 的签名密钥（编号 {}）。\n私钥：{}（请妥善保管，勿外传）\n公钥：{}（交给县里，由县里运行 county keys delegate --region {region} --public-key …）",
                &k.key_id[..16],
                k.private.display(),
                k.public.display()
            );
        }
        TownshipCommand::Publish(opts) => {
            let r = runtime()?.block_on(township_publish(&opts))?;
            println!(
                "已签名 {} 的第 {} 版：{} 个文件，共 {} 字节，有效期至 {}。\n请把 {} 整个文件夹交给县里。",
                opts.region,
                r.version,
                r.targets,
                r.bytes,
                r.expires
                    .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
                    .strftime("%Y-%m-%d"),
                opts.out.display()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn publish(opts: county::publish::PublishOptions) -> anyhow::Result<ExitCode> {
    let report = runtime()?.block_on(county::publish::publish(&opts))?;
    println!(
        "已发布第 {} 版：{} 个文件，共 {} 字节；本次写入 {} 个新文件（{} 字节）。",
        report.version, report.targets, report.total_bytes, report.written, report.written_bytes
    );
    for (region, version, targets) in &report.delegated {
        println!("  {region} 自行签名：第 {version} 版，{targets} 个文件");
    }
    if report.left_to_regions > 0 {
        println!(
            "  内容文件夹中 {} 个文件属于自行签名的地区，以其签名包为准，未由县里发布。",
            report.left_to_regions
        );
    }
    for f in &report.skipped_files {
        println!("  未发布 {f}");
    }
    for s in &report.skipped_bundles {
        println!(
            "  跳过 {}：该地区未获授权或已收回授权（要让它生效，县里须先运行 county keys delegate）。",
            s.display()
        );
    }
    if let Some(v) = report.conformed_root {
        println!(
            "  根元数据的有效期带有小数秒（旧版 county 所写），已用同一组密钥签发第 {v} 版根元数据，改为整秒。"
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn serve(mut opts: county::serve::ServeOptions) -> anyhow::Result<ExitCode> {
    if opts.staff_key.is_empty() {
        opts.staff_key = std::env::var("GONGKAI_STAFF_KEY").unwrap_or_default();
    }
    if opts.staff_key.is_empty() {
        tracing::warn!("no --staff-key: the staff page is closed");
    }
    runtime()?.block_on(county::serve::serve(opts))?;
    Ok(ExitCode::SUCCESS)
}

fn devices(cmd: DevicesCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        DevicesCommand::Add {
            database,
            region,
            device,
            valid_days,
            hall_name,
            server_url,
            root,
            svg,
        } => {
            let region: RegionCode = region
                .parse()
                .map_err(|e| anyhow::anyhow!("--region：{e}"))?;
            let device = DeviceNo::new(device).context("--device 应为 1 至 99")?;
            // Everything the QR code needs is checked before a code is made.
            let provisioning = match &hall_name {
                Some(hall) => Some(provisioning_fields(
                    &region,
                    device,
                    hall,
                    server_url.or_else(|| std::env::var("GONGKAI_PUBLIC_URL").ok()),
                    &root,
                )?),
                None if svg.is_some() => bail!("--svg 需要 --hall-name（二维码里有厅名）"),
                None => None,
            };
            let store = IntakeStore::open(&database)?;
            let code =
                store.new_enrol_code(&region, device, valid_days, OffsetDateTime::now_utc())?;
            println!("开通码：{code}（{valid_days} 天内有效，只能用一次）");
            let Some((url, hall, fingerprint)) = provisioning else {
                println!(
                    "在终端 {region}-{:02} 上（其配置中 device.region = \"{region}\"、device.device = {}）运行：\nsync-agent enrol --code {code}",
                    device.get(),
                    device.get()
                );
                println!("（加 --hall-name 和 --server-url 另打印开通二维码，终端扫码即可装好）");
                return Ok(ExitCode::SUCCESS);
            };
            let p = ProvisioningCode::from_fields(
                &url,
                region.as_str(),
                &device.get().to_string(),
                &hall,
                &code,
                &fingerprint,
            )?;
            let text = p.to_text();
            println!(
                "终端 {}（{}）的开通信息：在查阅屏的技术人员页面用扫码枪扫下面的二维码，\n或在终端上运行 gongkai-provision --code '{text}'",
                p.terminal_id(),
                p.hall_name()
            );
            println!("{text}");
            print!("{}", county::qr::terminal_text(&text)?);
            let groups: Vec<&str> = (0..fingerprint.len())
                .step_by(4)
                .map(|i| &fingerprint[i..i + 4])
                .collect();
            println!("根元数据指纹（{}）：{}", root.display(), groups.join(" "));
            if let Some(path) = svg {
                std::fs::write(&path, county::qr::svg(&text)?)
                    .with_context(|| format!("无法写入 {}", path.display()))?;
                println!("开通二维码已另存为 {}（可打印）", path.display());
            }
        }
        DevicesCommand::Revoke {
            database,
            region,
            device,
        } => {
            let region = parse_region(&region)?;
            let device = DeviceNo::new(device).context("--device 应为 1 至 99")?;
            let store = IntakeStore::open(&database)?;
            if !store.revoke(&region, device, OffsetDateTime::now_utc())? {
                bail!("终端 {region}-{:02} 未开通或已停用", device.get());
            }
            println!(
                "已停用终端 {region}-{:02}：其凭证立即失效。要恢复，请用 county devices add 生成新的开通码。",
                device.get()
            );
        }
        DevicesCommand::List { database } => {
            let store = IntakeStore::open(&database)?;
            println!("终端\t开通时间\t最近联系\t状态");
            for t in store.terminals()? {
                println!(
                    "{}\t{}\t{}\t{}",
                    t.id,
                    t.enrolled_at,
                    t.last_seen_at.as_deref().unwrap_or("从未"),
                    t.revoked_at
                        .map_or("使用中".to_string(), |at| format!("已停用（{at}）"))
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The server's address, the hall's name and the root's fingerprint for a
/// provisioning code, each checked.
fn provisioning_fields(
    region: &RegionCode,
    device: DeviceNo,
    hall: &str,
    server_url: Option<String>,
    root: &std::path::Path,
) -> anyhow::Result<(String, String, String)> {
    let Some(url) = server_url.filter(|u| !u.is_empty()) else {
        bail!(
            "开通二维码需要终端访问本服务器的地址：请加 --server-url https://…（或在 county.env 中设 GONGKAI_PUBLIC_URL）"
        );
    };
    let bytes = std::fs::read(root).with_context(|| {
        format!(
            "无法读取根元数据 {}：用 --root 指定县里的 root.json（county keys init 生成的）",
            root.display()
        )
    })?;
    let fingerprint = disclosure::provisioning::root_fingerprint(&bytes);
    // Checked now with a placeholder code, so a bad address or name makes
    // no enrolment code.
    ProvisioningCode::from_fields(
        &url,
        region.as_str(),
        &device.get().to_string(),
        hall,
        "0000-0000-0000",
        &fingerprint,
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok((url, hall.to_string(), fingerprint))
}

fn receipt(s: &str) -> anyhow::Result<ReceiptNo> {
    ReceiptNo::parse(s).map_err(|e| anyhow::anyhow!("回执编号“{s}”：{e}"))
}

fn applications(cmd: ApplicationsCommand) -> anyhow::Result<ExitCode> {
    let now = OffsetDateTime::now_utc();
    match cmd {
        ApplicationsCommand::List { database } => {
            let store = IntakeStore::open(&database)?;
            let today = Date::today_in_china();
            let apps = store.applications()?;
            println!("回执编号\t受理时间\t受理机关\t答复期限\t状态");
            for a in &apps {
                let deadline = a.deadline.map_or("待确认".to_string(), |d| d.to_string());
                let mut status = a
                    .outcome
                    .as_ref()
                    .map_or(a.status.clone(), |o| format!("已答复：{o}"));
                if a.extended {
                    status.push_str("（已延期）");
                }
                if a.overdue(today) {
                    status.push_str("【逾期】");
                }
                println!(
                    "{}\t{}\t{}\t{deadline}\t{status}",
                    a.receipt_no, a.received_at, a.body_name
                );
            }
            let overdue = apps.iter().filter(|a| a.overdue(today)).count();
            println!("共 {} 件，逾期未答复 {overdue} 件。", apps.len());
        }
        ApplicationsCommand::Show {
            database,
            receipt: r,
        } => {
            let store = IntakeStore::open(&database)?;
            let (app, changes) = store.application(&receipt(&r)?)?;
            println!("{}", serde_json::to_string_pretty(&app)?);
            for c in changes {
                let name = ApplicationStatus::from_db_name(&c.status).map_or("?", |s| s.name());
                println!("{}\t{name}\t{}", c.at, c.note);
            }
        }
        ApplicationsCommand::Reply {
            database,
            receipt: r,
            outcome,
            note,
        } => {
            let Some(o) = ReplyOutcome::parse(&outcome) else {
                let all: Vec<&str> = ReplyOutcome::ALL.iter().map(|o| o.code()).collect();
                bail!("--outcome 应为 {} 之一", all.join("、"));
            };
            let store = IntakeStore::open(&database)?;
            store.reply(&receipt(&r)?, o, &note, now)?;
            println!("已记录答复：{}。终端会在下次同步时显示。", o.name());
        }
        ApplicationsCommand::Extend {
            database,
            receipt: r,
            days,
            reason,
            calendars,
        } => {
            let mut schedules = disclosure::calendar::builtin_schedules();
            if let Some(dir) = calendars {
                for e in std::fs::read_dir(&dir)? {
                    let p = e?.path();
                    if p.extension().is_some_and(|x| x == "toml") {
                        let text = std::fs::read_to_string(&p)?;
                        schedules.push(
                            disclosure::calendar::YearSchedule::parse(&text)
                                .map_err(|e| anyhow::anyhow!("{}：{e}", p.display()))?,
                        );
                    }
                }
            }
            let calendar = disclosure::calendar::WorkingDayCalendar::new(schedules);
            let store = IntakeStore::open(&database)?;
            let new = store.extend(&receipt(&r)?, days, &reason, &calendar, now)?;
            println!("已延期至 {}。", new.chinese());
        }
        ApplicationsCommand::Purge { database, policy } => {
            let store = IntakeStore::open_with(&database, policy.clone())?;
            let n = store.purge_closed(now)?;
            println!(
                "已清除 {n} 件申请的个人信息（答复已满 {} 天）；年报所需的类别、日期、机关和答复类型保留。",
                policy.archive_days
            );
        }
        ApplicationsCommand::Status {
            database,
            receipt: r,
            status,
            note,
        } => {
            let s = match status.as_str() {
                "registered" => ApplicationStatus::Registered,
                "correction" => ApplicationStatus::CorrectionRequested,
                "processing" => ApplicationStatus::Processing,
                "served" => ApplicationStatus::Served,
                "archived" => ApplicationStatus::Archived,
                _ => bail!(
                    "进度应为 registered、correction、processing、served 或 archived（答复用 reply，延期用 extend）"
                ),
            };
            let store = IntakeStore::open(&database)?;
            store.add_status(&receipt(&r)?, s, &note, now)?;
            println!("已记录：{}。", s.name());
        }
    }
    Ok(ExitCode::SUCCESS)
}
