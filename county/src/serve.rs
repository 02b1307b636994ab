//! `county serve`: the reference county server. The signed repository as
//! static files (with Range), the intake API of `county/openapi.json`,
//! pages for phones (the kiosk's QR codes lead here) and the staff page.
//! Connections are capped and must send their request headers, be
//! answered and take their answers within time limits, so idle or slow
//! clients cannot hold it.

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{Extensions, HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use disclosure::requests::wire::{
    ApplicationMessage, EnrolRequest, EnrolResponse, HealthReport, RatingMessage,
};
use disclosure::{ContentStore, Date, DocumentKey, ItemKey};
use serde::Deserialize;
use time::OffsetDateTime;
use tower_http::services::ServeDir;

use crate::api::{ApiJson, ApiQuery, Failure, MAX_CHANGES};
use crate::intake::{IntakeError, IntakePolicy, IntakeStore, IssuedToken, Terminal};
use crate::throttle::EnrolThrottle;

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
    #[command(flatten)]
    pub limits: ServeLimits,
    #[command(flatten)]
    pub policy: IntakePolicy,
}

/// What keeps slow, idle or guessing clients from holding the server.
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct ServeLimits {
    /// 读完请求头的时限（秒）；到时未发完请求头的连接（含空闲的长连接）被断开
    #[arg(long, default_value_t = 10)]
    pub header_timeout_secs: u64,
    /// 处理一个请求（含读取请求体）的时限（秒），超时回答 408；客户端收取回答过慢（每个时限内不足 16 KiB）时断开连接
    #[arg(long, default_value_t = 30)]
    pub request_timeout_secs: u64,
    /// 同时保持的连接数上限（应低于进程可打开的文件数）；满时新连接在系统队列中等候
    #[arg(long, default_value_t = 256)]
    pub max_connections: usize,
    /// 同一地址每分钟最多尝试开通几次
    #[arg(long, default_value_t = 5)]
    pub enrol_per_address_per_minute: u32,
    /// 所有地址合计每分钟最多尝试开通几次
    #[arg(long, default_value_t = 30)]
    pub enrol_per_minute: u32,
}

impl Default for ServeLimits {
    fn default() -> ServeLimits {
        ServeLimits {
            header_timeout_secs: 10,
            request_timeout_secs: 30,
            max_connections: 256,
            enrol_per_address_per_minute: 5,
            enrol_per_minute: 30,
        }
    }
}

impl ServeLimits {
    /// Checks the values; the error names the option.
    pub fn validate(&self) -> anyhow::Result<()> {
        let check = |ok: bool, message: &str| {
            if ok {
                Ok(())
            } else {
                Err(anyhow::anyhow!("{message}"))
            }
        };
        check(
            (1..=600).contains(&self.header_timeout_secs),
            "--header-timeout-secs 应在 1 至 600 之间",
        )?;
        check(
            (1..=3600).contains(&self.request_timeout_secs),
            "--request-timeout-secs 应在 1 至 3600 之间",
        )?;
        check(
            (1..=100_000).contains(&self.max_connections),
            "--max-connections 应在 1 至 100000 之间",
        )?;
        check(
            (1..=10_000).contains(&self.enrol_per_address_per_minute),
            "--enrol-per-address-per-minute 应在 1 至 10000 之间",
        )?;
        check(
            (1..=100_000).contains(&self.enrol_per_minute),
            "--enrol-per-minute 应在 1 至 100000 之间",
        )
    }
}

struct AppState {
    intake: IntakeStore,
    content: Option<std::sync::Mutex<ContentStore>>,
    staff_key: String,
    enrol_throttle: Mutex<EnrolThrottle>,
    _content_dir: Option<tempfile::TempDir>,
}

type Shared = Arc<AppState>;

/// Builds the router (used by `serve` and by tests).
pub fn router(opts: &ServeOptions) -> anyhow::Result<Router> {
    opts.limits.validate()?;
    let intake = IntakeStore::open_with(&opts.database, opts.policy.clone())?;
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
        enrol_throttle: Mutex::new(EnrolThrottle::new(
            opts.limits.enrol_per_address_per_minute,
            opts.limits.enrol_per_minute,
        )),
        _content_dir: dir,
    });
    // Everything under /api/ answers in JSON, even a path or method the
    // document does not have.
    let api = Router::new()
        .route("/v1/enrol", post(enrol))
        .route("/v1/applications", post(receive_application))
        .route("/v1/ratings", post(receive_rating))
        .route("/v1/status-changes", get(status_changes))
        .route("/v1/health", post(health))
        .route("/v1/token", post(rotate_token))
        .route("/v1/openapi.json", get(openapi_document))
        .fallback(crate::api::unknown_path)
        .method_not_allowed_fallback(crate::api::wrong_method)
        .layer(DefaultBodyLimit::max(crate::api::MAX_BODY_BYTES));
    Ok(Router::new()
        .nest("/api", api)
        .route("/gk/item/{key}", get(item_page))
        .route("/gk/doc/{key}", get(document_page))
        .route("/gk/progress/{receipt}", get(progress_page))
        .route("/staff", get(staff_page))
        .nest_service("/repo", ServeDir::new(&opts.repo))
        .with_state(state))
}

/// Runs the server until Ctrl-C or SIGTERM; purges personal fields past
/// the archive period at start and every hour.
pub async fn serve(opts: ServeOptions) -> anyhow::Result<()> {
    let app = router(&opts)?;
    let purger = IntakeStore::open_with(&opts.database, opts.policy.clone())?;
    tokio::spawn(async move {
        let mut hourly = tokio::time::interval(Duration::from_secs(3600));
        loop {
            hourly.tick().await;
            if let Err(e) = purger.purge_closed(now()) {
                tracing::error!(error = %e, "purge of personal fields failed");
            }
        }
    });
    let listener = tokio::net::TcpListener::bind(opts.listen).await?;
    eprintln!("county serve: http://{}/", listener.local_addr()?);
    serve_on(listener, app, &opts.limits, async {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("SIGTERM handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    })
    .await
}

/// Serves `app` on `listener` within `limits` until `shutdown` completes:
/// at most `max_connections` at once (the rest wait in the system's
/// queue, using no file of this process), request headers within
/// `header_timeout_secs` (also between requests on a kept-alive
/// connection), each answer within `request_timeout_secs`, and taken by
/// the client at [`MIN_BYTES_PER_WINDOW`](crate::paced::MIN_BYTES_PER_WINDOW)
/// per `request_timeout_secs` at least once its buffers are full
/// ([`Paced`](crate::paced::Paced)), else the connection is closed. Requests carry
/// the client's address (`ConnectInfo`). In-flight requests may finish
/// for up to `request_timeout_secs` after `shutdown`.
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    app: Router,
    limits: &ServeLimits,
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt;
    limits.validate()?;
    let request_timeout = Duration::from_secs(limits.request_timeout_secs);
    let app = app.layer(axum::middleware::from_fn_with_state(
        request_timeout,
        answer_within,
    ));
    let slots = Arc::new(tokio::sync::Semaphore::new(limits.max_connections));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs(limits.header_timeout_secs));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            s = slots.clone().acquire_owned() => s.expect("the semaphore is never closed"),
            _ = &mut shutdown => break,
        };
        let (stream, addr) = tokio::select! {
            r = listener.accept() => match r {
                Ok(x) => x,
                Err(e) => {
                    // Out of files or similar: wait a little, never spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = app
            .clone()
            .map_request(move |mut req: Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(ConnectInfo(addr));
                req
            });
        let conn = http.serve_connection(
            TokioIo::new(crate::paced::Paced::new(stream, request_timeout)),
            hyper_util::service::TowerToHyperService::new(service),
        );
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, client = %addr, "connection ended");
            }
            drop(slot);
        });
    }
    drop(listener);
    if tokio::time::timeout(request_timeout, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("connections still open at shutdown were closed");
    }
    Ok(())
}

/// The request timeout: a handler (and the body it reads) gets
/// `limit`, then the client gets 408.
async fn answer_within(State(limit): State<Duration>, req: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(r) => r,
        Err(_) => Failure::new(
            StatusCode::REQUEST_TIMEOUT,
            "request_timeout",
            "请求未能在时限内完成，请稍后重试",
        )
        .into_response(),
    }
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

fn terminal(state: &AppState, headers: &HeaderMap) -> Result<Terminal, Failure> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(IntakeError::Unauthorised)?;
    Ok(state.intake.terminal_of(token.trim(), now())?)
}

/// The enrolled terminal a request comes from (its bearer token), checked
/// before the body is read so a request without one is always 401.
struct Caller(Terminal);

impl axum::extract::FromRequestParts<Shared> for Caller {
    type Rejection = Failure;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &Shared,
    ) -> Result<Self, Failure> {
        terminal(state, &parts.headers).map(Caller)
    }
}

/// The `Idempotency-Key` header (the receipt number), required before the
/// body is read.
struct IdempotencyKey(String);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for IdempotencyKey {
    type Rejection = Failure;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Failure> {
        parts
            .headers
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .map(|k| IdempotencyKey(k.to_string()))
            .ok_or_else(|| {
                Failure::new(
                    StatusCode::BAD_REQUEST,
                    "missing_idempotency_key",
                    "缺少 Idempotency-Key（回执编号）",
                )
            })
    }
}

async fn openapi_document() -> Json<serde_json::Value> {
    Json(crate::openapi::document())
}

fn token_response(t: IssuedToken) -> Json<EnrolResponse> {
    Json(EnrolResponse {
        device_id: t.device_id,
        token: t.token,
        expires_at: Some(t.expires_at),
        rotate_after: Some(t.rotate_after),
    })
}

async fn enrol(
    State(state): State<Shared>,
    extensions: Extensions,
    ApiJson(req): ApiJson<EnrolRequest>,
) -> Result<Response, Failure> {
    let client = extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let allowed = state
        .enrol_throttle
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .attempt(client, std::time::Instant::now());
    if let Err(wait) = allowed {
        tracing::warn!(client = ?client, "enrolment attempts throttled");
        let mut r = Failure::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
            "开通尝试过于频繁，请稍后再试",
        )
        .into_response();
        if let Ok(v) = HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return Ok(r);
    }
    let issued = state
        .intake
        .enrol(&req.code, &req.hall_region, req.device, now())?;
    Ok(token_response(issued).into_response())
}

/// A new token for the calling terminal; the current one works until the
/// new one is first used.
async fn rotate_token(
    State(state): State<Shared>,
    Caller(terminal): Caller,
) -> Result<Json<EnrolResponse>, Failure> {
    Ok(token_response(state.intake.rotate_token(&terminal, now())?))
}

async fn receive_application(
    State(state): State<Shared>,
    Caller(terminal): Caller,
    IdempotencyKey(key): IdempotencyKey,
    ApiJson(app): ApiJson<ApplicationMessage>,
) -> Result<Response, Failure> {
    app.check_values()
        .map_err(|m| Failure::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", m))?;
    let ack = state.intake.receive(&terminal, &key, &app, now())?;
    let status = if ack.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(ack)).into_response())
}

async fn receive_rating(
    State(state): State<Shared>,
    Caller(terminal): Caller,
    ApiJson(r): ApiJson<RatingMessage>,
) -> Result<StatusCode, Failure> {
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
    Caller(terminal): Caller,
    ApiQuery(q): ApiQuery<SinceQuery>,
) -> Result<Response, Failure> {
    if q.since < 0 || !(1..=MAX_CHANGES).contains(&q.limit) {
        return Err(Failure::new(
            StatusCode::BAD_REQUEST,
            "bad_query",
            format!("查询参数无效：since 应不小于 0，limit 应为 1 至 {MAX_CHANGES}"),
        ));
    }
    let changes = state.intake.changes_since(&terminal, q.since, q.limit)?;
    Ok(Json(changes).into_response())
}

async fn health(
    State(state): State<Shared>,
    Caller(terminal): Caller,
    ApiJson(h): ApiJson<HealthReport>,
) -> Result<StatusCode, Failure> {
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
         .overdue{{background:#fdd}}dt{{font-weight:bold}}.wide{{overflow-x:auto}}\
         th{{background:#eef1f5}}tbody tr:nth-child(even){{background:#f7f8fa}}</style></head>\
         <body><h1>{t}</h1>{body}</body></html>",
        t = esc(title)
    ))
}

/// A record's body for a phone: paragraphs, and tables with a header row
/// that scroll sideways when wider than the screen.
fn body_html(body: &str) -> String {
    use disclosure::body::{BodyBlock, body_blocks};
    let mut html = String::new();
    for block in body_blocks(body) {
        match block {
            BodyBlock::Paragraph(p) => html.push_str(&format!("<p>{}</p>", esc(&p))),
            BodyBlock::Table(t) => {
                html.push_str("<div class=\"wide\"><table><thead><tr>");
                for h in &t.header {
                    html.push_str(&format!("<th scope=\"col\">{}</th>", esc(h)));
                }
                html.push_str("</tr></thead><tbody>");
                for row in &t.rows {
                    html.push_str("<tr>");
                    for c in row {
                        html.push_str(&format!("<td>{}</td>", esc(c)));
                    }
                    html.push_str("</tr>");
                }
                html.push_str("</tbody></table></div>");
            }
        }
    }
    html
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
            let body = body_html(&d.body);
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
    html.push_str("</table><h2>终端</h2><table><tr><th>终端</th><th>最近联系</th><th>内容版本</th><th>待送达</th><th>打印机</th><th>磁盘剩余</th><th>设备自检</th><th>最近错误</th></tr>");
    for t in &terminals {
        let h = t.health.clone().unwrap_or_default();
        html.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} MB</td><td>{}</td><td>{}</td></tr>",
            match &t.revoked_at {
                Some(at) => format!("{}（已停用 {}）", esc(&t.id), esc(at)),
                None => esc(&t.id),
            },
            esc(t.last_seen_at.as_deref().unwrap_or("从未")),
            h.feed_version.map_or("—".into(), |v| v.to_string()),
            h.outbox_depth,
            h.printer.name(),
            h.disk_free_bytes / 1_000_000,
            self_test_cell(&h.self_test),
            esc(h.last_error.as_deref().unwrap_or("")),
        ));
    }
    html.push_str("</table>");
    match state.intake.pending_codes(now()) {
        Ok(pending) if !pending.is_empty() => {
            html.push_str(
                "<h2>待开通的终端</h2><p>开通二维码只在 county devices add 生成开通码时打印一次\
                 （县里只保存开通码的哈希）；丢失时请重新生成。</p>\
                 <table><tr><th>终端</th><th>生成时间</th><th>有效期至</th></tr>",
            );
            for p in &pending {
                html.push_str(&format!(
                    "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                    esc(&p.terminal),
                    esc(&p.created_at),
                    esc(&p.expires_at)
                ));
            }
            html.push_str("</table>");
        }
        Ok(_) => {}
        Err(e) => return Failure::from(e).into_response(),
    }
    page("依申请公开受理台账", &html).into_response()
}

/// The terminal list's 设备自检 cell: each part tested, passed or not,
/// with what was seen when it failed.
fn self_test_cell(results: &[disclosure::technician::SelfTestResult]) -> String {
    if results.is_empty() {
        return "未做".into();
    }
    results
        .iter()
        .map(|r| {
            if r.passed {
                format!("{}正常", r.part.name())
            } else {
                format!("<b>{}异常</b>：{}", r.part.name(), esc(&r.detail))
            }
        })
        .collect::<Vec<_>>()
        .join("；")
}

#[cfg(test)]
mod tests {
    use super::body_html;

    /// Regression (issue 15): tables on the phone page were one `<p>` per
    /// Markdown line, pipes and rules included.
    #[test]
    fn phone_page_tables_have_a_header_and_scroll_sideways() {
        let html = body_html("说明\n| 序号 | 户主<姓名> |\n|---|---|\n| 1 | 石*成 |\n");
        assert_eq!(
            html,
            "<p>说明</p><div class=\"wide\"><table><thead><tr><th scope=\"col\">序号</th>\
             <th scope=\"col\">户主&lt;姓名&gt;</th></tr></thead><tbody><tr><td>1</td>\
             <td>石*成</td></tr></tbody></table></div>"
        );
        assert!(!body_html("| a |\n|---|").contains("---"));
    }
}
