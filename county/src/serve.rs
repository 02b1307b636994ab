//! `county serve`: the reference county server. The signed repository as
//! static files (with Range), the intake API of `county/openapi.json`,
//! pages for phones (the kiosk's QR codes lead here) and the staff page.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use disclosure::requests::wire::{
    ApiError, ApplicationMessage, EnrolRequest, EnrolResponse, HealthReport, RatingMessage,
};
use disclosure::{ContentStore, Date, DocumentKey, ItemKey};
use serde::Deserialize;
use time::OffsetDateTime;
use tower_http::services::ServeDir;

use crate::intake::{IntakeError, IntakeStore};

/// What `county serve` needs (also its arguments).
#[derive(Debug, Clone, clap::Args)]
pub struct ServeOptions {
    /// 监听地址
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// 仓库文件夹（county publish --repo）
    #[arg(long)]
    pub repo: PathBuf,
    /// 受理数据库（SQLite）
    #[arg(long, default_value = "county.db")]
    pub database: PathBuf,
    /// 内容文件夹（手机页面用；没有时这些页面说明未载入）
    #[arg(long)]
    pub content: Option<PathBuf>,
    /// 工作人员页面的访问密钥（/staff?key=…）；也可用环境变量 GONGKAI_STAFF_KEY
    #[arg(long, default_value = "")]
    pub staff_key: String,
}

struct AppState {
    intake: IntakeStore,
    content: Option<std::sync::Mutex<ContentStore>>,
    staff_key: String,
    _content_dir: Option<tempfile::TempDir>,
}

type Shared = Arc<AppState>;

/// Builds the router (used by `serve` and by tests).
pub fn router(opts: &ServeOptions) -> anyhow::Result<Router> {
    let intake = IntakeStore::open(&opts.database)?;
    let (content, dir) = match &opts.content {
        Some(folder) => {
            let loaded = disclosure::import::load_content_dir(folder, Date::today_in_china())
                .map_err(|e| anyhow::anyhow!("{}", disclosure::import::ImportErrors(e)))?;
            let dir = tempfile::tempdir()?;
            let mut store = ContentStore::open(&dir.path().join("content.db"))?;
            store.replace_all(&loaded.bundle, disclosure::FeedVersion(0))?;
            (Some(std::sync::Mutex::new(store)), Some(dir))
        }
        None => (None, None),
    };
    let state = Arc::new(AppState {
        intake,
        content,
        staff_key: opts.staff_key.clone(),
        _content_dir: dir,
    });
    Ok(Router::new()
        .route("/api/v1/enrol", post(enrol))
        .route("/api/v1/applications", post(receive_application))
        .route("/api/v1/ratings", post(receive_rating))
        .route("/api/v1/status-changes", get(status_changes))
        .route("/api/v1/health", post(health))
        .route("/gk/item/{key}", get(item_page))
        .route("/gk/doc/{key}", get(document_page))
        .route("/gk/progress/{receipt}", get(progress_page))
        .route("/staff", get(staff_page))
        .nest_service("/repo", ServeDir::new(&opts.repo))
        .with_state(state))
}

/// Runs the server until Ctrl-C or SIGTERM.
pub async fn serve(opts: ServeOptions) -> anyhow::Result<()> {
    let app = router(&opts)?;
    let listener = tokio::net::TcpListener::bind(opts.listen).await?;
    eprintln!("county serve: http://{}/", listener.local_addr()?);
    use axum::serve::ListenerExt;
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let mut term =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                    .expect("SIGTERM handler");
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        })
        .await?;
    Ok(())
}

/// An API error as JSON with a Chinese message.
struct Failure(StatusCode, String, String);

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        (
            self.0,
            Json(ApiError {
                error: self.1,
                message: self.2,
            }),
        )
            .into_response()
    }
}

impl From<IntakeError> for Failure {
    fn from(e: IntakeError) -> Failure {
        let (status, code) = match &e {
            IntakeError::BadEnrolCode | IntakeError::WrongTerminal(_) => {
                (StatusCode::FORBIDDEN, "bad_enrol_code")
            }
            IntakeError::Unauthorised => (StatusCode::UNAUTHORIZED, "unauthorised"),
            IntakeError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            IntakeError::UnknownReceipt(_) => (StatusCode::NOT_FOUND, "unknown_receipt"),
            IntakeError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            IntakeError::Sqlite(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        };
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = %e, "intake failed");
        }
        Failure(status, code.into(), e.to_string())
    }
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

fn terminal(state: &AppState, headers: &HeaderMap) -> Result<String, Failure> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(IntakeError::Unauthorised)?;
    Ok(state.intake.terminal_of(token.trim(), now())?)
}

async fn enrol(
    State(state): State<Shared>,
    Json(req): Json<EnrolRequest>,
) -> Result<Json<EnrolResponse>, Failure> {
    let (device_id, token) = state
        .intake
        .enrol(&req.code, &req.hall_region, req.device, now())?;
    Ok(Json(EnrolResponse { device_id, token }))
}

async fn receive_application(
    State(state): State<Shared>,
    headers: HeaderMap,
    Json(app): Json<ApplicationMessage>,
) -> Result<Response, Failure> {
    let terminal = terminal(&state, &headers)?;
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            Failure(
                StatusCode::BAD_REQUEST,
                "missing_idempotency_key".into(),
                "缺少 Idempotency-Key（回执编号）".into(),
            )
        })?;
    let ack = state.intake.receive(&terminal, key, &app, now())?;
    let status = if ack.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(ack)).into_response())
}

async fn receive_rating(
    State(state): State<Shared>,
    headers: HeaderMap,
    Json(r): Json<RatingMessage>,
) -> Result<StatusCode, Failure> {
    let terminal = terminal(&state, &headers)?;
    state.intake.rate(&terminal, &r)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
struct SinceQuery {
    #[serde(default)]
    since: i64,
    #[serde(default = "default_limit")]
    limit: u32,
}

fn default_limit() -> u32 {
    500
}

async fn status_changes(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<SinceQuery>,
) -> Result<Response, Failure> {
    let terminal = terminal(&state, &headers)?;
    let changes = state
        .intake
        .changes_since(&terminal, q.since, q.limit.clamp(1, 1000))?;
    Ok(Json(changes).into_response())
}

async fn health(
    State(state): State<Shared>,
    headers: HeaderMap,
    Json(h): Json<HealthReport>,
) -> Result<StatusCode, Failure> {
    let terminal = terminal(&state, &headers)?;
    state.intake.report_health(&terminal, &h)?;
    Ok(StatusCode::NO_CONTENT)
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{t}</title><style>body{{font-family:sans-serif;font-size:18px;margin:1em;line-height:1.6}}\
         table{{border-collapse:collapse}}td,th{{border:1px solid #999;padding:4px 8px;text-align:left}}\
         .overdue{{background:#fdd}}dt{{font-weight:bold}}</style></head>\
         <body><h1>{t}</h1>{body}</body></html>",
        t = esc(title)
    ))
}

fn not_found(message: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        page("未找到", &format!("<p>{}</p>", esc(message))),
    )
        .into_response()
}

async fn item_page(State(state): State<Shared>, Path(key): Path<String>) -> Response {
    let Some(content) = &state.content else {
        return not_found("本服务器未载入公开目录。");
    };
    let found = content
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .item(&ItemKey(key));
    match found {
        Ok(Some(d)) => {
            let it = d.item;
            let rows = [
                ("公开事项", it.name.clone()),
                ("所属地区", d.region.name.clone()),
                ("领域", it.domain.to_string()),
                ("公开内容", it.content.clone()),
                ("公开依据", it.basis.clone().unwrap_or_default()),
                ("公开时限", it.time_limit.clone()),
                ("公开主体", it.publisher.clone()),
                ("公开方式", it.mode.name().to_string()),
                ("公开渠道和载体", it.channel.clone().unwrap_or_default()),
                ("更新日期", it.updated.chinese()),
            ];
            let dl: String = rows
                .iter()
                .map(|(k, v)| format!("<dt>{k}</dt><dd>{}</dd>", esc(v)))
                .collect();
            page(&it.name, &format!("<dl>{dl}</dl>")).into_response()
        }
        Ok(None) => not_found("该公开事项不存在或已撤下。"),
        Err(e) => {
            tracing::error!(error = %e, "item page");
            (StatusCode::INTERNAL_SERVER_ERROR, "内部错误").into_response()
        }
    }
}

async fn document_page(State(state): State<Shared>, Path(key): Path<String>) -> Response {
    let Some(content) = &state.content else {
        return not_found("本服务器未载入公开目录。");
    };
    let found = content
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .document(&DocumentKey(key));
    match found {
        Ok(Some(v)) => {
            let d = v.document;
            let body: String = d
                .body
                .split('\n')
                .filter(|l| !l.trim().is_empty())
                .map(|l| format!("<p>{}</p>", esc(l)))
                .collect();
            let head = format!(
                "<p>{} {} · {}</p>",
                esc(d.doc_no.as_deref().unwrap_or("")),
                esc(&d.issuer),
                d.issued.chinese()
            );
            page(&d.title, &format!("{head}{body}")).into_response()
        }
        Ok(None) => not_found("该文件不存在或已撤下。"),
        Err(e) => {
            tracing::error!(error = %e, "document page");
            (StatusCode::INTERNAL_SERVER_ERROR, "内部错误").into_response()
        }
    }
}

/// What the progress page says to anything but a known progress token:
/// a receipt number, a mistyped or unknown token, an application not yet
/// delivered or from before tokens. One status and one text for all of
/// them, so the page cannot be used to find out which numbers exist.
const PROGRESS_NOT_FOUND: &str = "没有查到这件申请的进度。刚提交的申请要等终端联网送达后才能查到，请稍后再扫回执上的二维码；\
     也可以在政务公开专区终端的“办理进度”输入回执编号和查询密码查询。";

async fn progress_page(State(state): State<Shared>, Path(token): Path<String>) -> Response {
    // Only the random token of the receipt's QR code opens this page
    // (receipt numbers can be guessed), and it shows the stages only, by
    // day: no receiving body, no time of day, no personal data, no reply
    // text or reasons (those reach the applicant with the reply itself).
    match state.intake.public_progress(&token) {
        Ok(Some(p)) => {
            let rows: String = p
                .stages
                .iter()
                .map(|(day, status)| {
                    format!(
                        "<tr><td>{}</td><td>{}</td></tr>",
                        day.chinese(),
                        status.name()
                    )
                })
                .collect();
            page(
                "依申请公开办理进度",
                &format!(
                    "<table><tr><th>日期</th><th>进度</th></tr>{rows}</table>\
                     <p>答复内容以受理机关送达的答复书为准。</p>"
                ),
            )
            .into_response()
        }
        Ok(None) => not_found(PROGRESS_NOT_FOUND),
        Err(e) => {
            tracing::error!(error = %e, "progress page");
            (StatusCode::INTERNAL_SERVER_ERROR, "内部错误").into_response()
        }
    }
}

#[derive(Debug, Deserialize)]
struct StaffQuery {
    #[serde(default)]
    key: String,
}

async fn staff_page(State(state): State<Shared>, Query(q): Query<StaffQuery>) -> Response {
    if state.staff_key.is_empty() || q.key != state.staff_key {
        return (
            StatusCode::FORBIDDEN,
            page("无权访问", "<p>请使用工作人员链接（含 key）。</p>"),
        )
            .into_response();
    }
    let today = Date::today_in_china();
    let apps = match state.intake.applications() {
        Ok(a) => a,
        Err(e) => return Failure::from(e).into_response(),
    };
    let terminals = match state.intake.terminals() {
        Ok(t) => t,
        Err(e) => return Failure::from(e).into_response(),
    };
    let overdue = apps.iter().filter(|a| a.overdue(today)).count();
    let mut html = format!(
        "<p>共 {} 件申请，其中逾期未答复 {overdue} 件。</p>\
         <table><tr><th>回执编号</th><th>受理时间</th><th>受理机关</th><th>申请人</th>\
         <th>所需信息</th><th>答复期限</th><th>状态</th></tr>",
        apps.len()
    );
    for a in &apps {
        let class = if a.overdue(today) {
            " class=\"overdue\""
        } else {
            ""
        };
        let deadline = match a.deadline {
            Some(d) if a.extended => format!("{}（已延期）", d.chinese()),
            Some(d) => d.chinese(),
            None => "待确认".into(),
        };
        let status = match &a.outcome {
            Some(o) => format!("已答复：{}", esc(o)),
            None if a.overdue(today) => format!("{}（逾期）", esc(&a.status)),
            None => esc(&a.status),
        };
        html.push_str(&format!(
            "<tr{class}><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{deadline}</td><td>{status}</td></tr>",
            a.receipt_no,
            esc(&a.received_at),
            esc(&a.body_name),
            esc(&a.applicant),
            esc(&a.wanted),
        ));
    }
    html.push_str("</table><h2>终端</h2><table><tr><th>终端</th><th>最近联系</th><th>内容版本</th><th>待送达</th><th>打印机</th><th>磁盘剩余</th><th>最近错误</th></tr>");
    for t in &terminals {
        let h = t.health.clone().unwrap_or_default();
        html.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} MB</td><td>{}</td></tr>",
            esc(&t.id),
            esc(t.last_seen_at.as_deref().unwrap_or("从未")),
            h.feed_version.map_or("—".into(), |v| v.to_string()),
            h.outbox_depth,
            disclosure::requests::wire::printer_state_name(&h.printer),
            h.disk_free_bytes / 1_000_000,
            esc(h.last_error.as_deref().unwrap_or("")),
        ));
    }
    html.push_str("</table>");
    page("依申请公开受理台账", &html).into_response()
}
