//! The edge of the intake API: whatever goes wrong under `/api/`, the
//! answer is a JSON `ApiError` with a Chinese message and a status that
//! `county/openapi.json` lists — bad JSON, a wrong content type, a missing
//! header, a bad query, a body too large, an unknown path or method.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use disclosure::requests::wire::ApiError;
use serde::de::DeserializeOwned;

use crate::intake::IntakeError;

/// The largest request body the API reads (an application is a few KB).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The most status changes one page carries (`limit`).
pub const MAX_CHANGES: u32 = 1000;

/// An API error: status, machine-readable code, Chinese message.
#[derive(Debug)]
pub struct Failure(pub StatusCode, pub String, pub String);

impl Failure {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Failure {
        Failure(status, code.into(), message.into())
    }
}

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
            IntakeError::BadEnrolCode => (StatusCode::FORBIDDEN, "bad_enrol_code"),
            IntakeError::Unauthorised => (StatusCode::UNAUTHORIZED, "unauthorised"),
            IntakeError::TokenExpired => (StatusCode::UNAUTHORIZED, "token_expired"),
            IntakeError::Revoked => (StatusCode::UNAUTHORIZED, "terminal_revoked"),
            IntakeError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            IntakeError::UnknownReceipt(_) => (StatusCode::NOT_FOUND, "unknown_receipt"),
            IntakeError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            IntakeError::Sqlite(_) | IntakeError::Io { .. } | IntakeError::SchemaTooNew { .. } => {
                (StatusCode::INTERNAL_SERVER_ERROR, "internal")
            }
        };
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = %e, "intake failed");
            return Failure::new(status, code, "服务器内部错误，请稍后重试");
        }
        Failure(status, code.into(), e.to_string())
    }
}

impl From<JsonRejection> for Failure {
    fn from(r: JsonRejection) -> Failure {
        match &r {
            JsonRejection::MissingJsonContentType(_) => Failure::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "请求内容须为 JSON（Content-Type: application/json）",
            ),
            JsonRejection::JsonSyntaxError(_) => Failure::new(
                StatusCode::BAD_REQUEST,
                "bad_json",
                "请求内容不是有效的 JSON",
            ),
            JsonRejection::JsonDataError(e) => Failure::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                format!("请求内容与接口说明不符：{}", e.body_text()),
            ),
            _ if r.status() == StatusCode::PAYLOAD_TOO_LARGE => Failure::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                format!("请求内容过大（最多 {} KB）", MAX_BODY_BYTES / 1024),
            ),
            _ => Failure::new(StatusCode::BAD_REQUEST, "bad_json", "无法读取请求内容"),
        }
    }
}

/// `Json<T>` whose rejections are [`Failure`]s.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Failure;

    async fn from_request(req: Request, state: &S) -> Result<Self, Failure> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(r) => Err(r.into()),
        }
    }
}

/// `Query<T>` whose rejections are [`Failure`]s.
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Failure> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(r) => Err(query_failure(r)),
        }
    }
}

fn query_failure(r: QueryRejection) -> Failure {
    let detail = match &r {
        QueryRejection::FailedToDeserializeQueryString(e) => e.body_text(),
        other => other.body_text(),
    };
    Failure::new(
        StatusCode::BAD_REQUEST,
        "bad_query",
        format!("查询参数无效：{detail}"),
    )
}

/// Any path under `/api/` that is not an operation.
pub async fn unknown_path() -> Failure {
    Failure::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "没有这个接口，请对照 /api/v1/openapi.json",
    )
}

/// A known path asked with a method it does not take.
pub async fn wrong_method() -> Failure {
    Failure::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "该接口不支持此请求方法",
    )
}
