//! The intake API's OpenAPI 3.1 document: the schemas are generated from
//! the wire types in `disclosure::requests::wire` (so they cannot drift
//! from what the server parses), the operations and every status each can
//! answer are listed here. `county/openapi.json` is this document written
//! out; `county/tests/openapi.rs` holds the file to it.

use disclosure::requests::wire::{
    Acknowledgement, ApiError, ApplicationMessage, EnrolRequest, EnrolResponse, HealthReport,
    RatingMessage, StatusChanges,
};
use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
use serde_json::{Map, Value, json};

pub use disclosure::requests::wire::RECEIPT_PATTERN;

/// Every status a failure can have, with what it means (the `ApiError`
/// codes that go with it).
fn error(status: &str) -> (&'static str, &'static str) {
    match status {
        "400" => (
            "400",
            "bad_json (not JSON), bad_query (a query parameter out of range or not a number) or missing_idempotency_key.",
        ),
        "401" => (
            "401",
            "unauthorised (no bearer token, or one the county does not know), token_expired (not rotated in time) or terminal_revoked (county devices revoke).",
        ),
        "403" => (
            "403",
            "bad_enrol_code: the code is unknown, used, expired, or for another terminal.",
        ),
        "404" => (
            "404",
            "unknown_receipt: no application with this 回执编号 from this terminal.",
        ),
        "409" => (
            "409",
            "conflict: an application with this 回执编号 but different content exists.",
        ),
        "408" => (
            "408",
            "request_timeout: the request was not completed within the server's request timeout.",
        ),
        "413" => ("413", "too_large: the body is over 64 KB."),
        "415" => (
            "415",
            "unsupported_media_type: the body is not sent as application/json.",
        ),
        "422" => (
            "422",
            "invalid: JSON of the wrong shape, or values the schema cannot express that the county refuses (check digits, a 回执编号 of another terminal, an unknown region).",
        ),
        "429" => (
            "429",
            "too_many_attempts: too many enrolment attempts from this address or in total; Retry-After says how many seconds to wait.",
        ),
        "500" => (
            "500",
            "internal: the county's database failed; retry later.",
        ),
        _ => unreachable!("status {status} is not an API failure"),
    }
}

/// The failure responses of an operation: the statuses it names, and 408
/// and 500, which every operation can answer.
fn failures(statuses: &[&str]) -> Map<String, Value> {
    statuses
        .iter()
        .chain(&["408", "500"])
        .map(|s| {
            let (code, what) = error(s);
            let mut r = json!({
                "description": what,
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ApiError" } } }
            });
            if code == "429" {
                r["headers"] = json!({ "Retry-After": { "schema": { "type": "integer", "minimum": 1 } } });
            }
            (code.to_string(), r)
        })
        .collect()
}

fn responses(ok: Value, statuses: &[&str]) -> Value {
    let mut m = ok
        .as_object()
        .expect("success responses are an object")
        .clone();
    m.extend(failures(statuses));
    Value::Object(m)
}

fn json_of(schema: &str) -> Value {
    json!({ "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } })
}

fn body(schema: &str) -> Value {
    json!({ "required": true, "content": json_of(schema) })
}

fn schemas() -> Map<String, Value> {
    let mut settings = SchemaSettings::draft2020_12();
    settings.definitions_path = "/components/schemas".into();
    let mut generator = settings.into_generator();
    fn add<T: JsonSchema>(g: &mut schemars::SchemaGenerator) {
        g.subschema_for::<T>();
    }
    add::<ApiError>(&mut generator);
    add::<EnrolRequest>(&mut generator);
    add::<EnrolResponse>(&mut generator);
    add::<ApplicationMessage>(&mut generator);
    add::<Acknowledgement>(&mut generator);
    add::<RatingMessage>(&mut generator);
    add::<StatusChanges>(&mut generator);
    add::<HealthReport>(&mut generator);
    generator.take_definitions(true)
}

/// The whole document.
pub fn document() -> Value {
    let bearer = json!([{ "terminalToken": [] }]);
    let no_content = json!({ "204": { "description": "Stored." } });
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "gongkai county intake",
            "version": "1.1.0",
            "description": "The county side of the 政务公开专区终端: terminals enrol with a one-time code, deliver applications (依申请公开) and 好差评 ratings, pull status changes, and report their health. The signed content repository is served as static files under /repo/ (TUF 1.0, consistent snapshots, HTTP Range supported). Every error under /api/ — including an unknown path (404 not_found) or method (405 method_not_allowed) — is an ApiError with a message in Chinese. Personal data travels only in POST /api/v1/applications. Limits: request headers must arrive within the server's header timeout (also between requests on a kept-alive connection: the connection is closed), every request is answered within its request timeout or gets 408 request_timeout, and the server holds a capped number of connections (the rest wait to be accepted). Receipt numbers are taken with or without separators and always answered as 26 digits; region codes are canonical (990521000000 is 990521). Terminal tokens expire after the county's token lifetime; a terminal asks for a new one with POST /api/v1/token from rotate_after on. Schemas are generated from the Rust wire types (disclosure::requests::wire)."
        },
        "servers": [{ "url": "http://127.0.0.1:8080" }],
        "paths": {
            "/api/v1/enrol": {
                "post": {
                    "operationId": "enrol",
                    "summary": "Exchange a one-time enrolment code for a terminal token.",
                    "requestBody": body("EnrolRequest"),
                    "responses": responses(
                        json!({ "200": { "description": "Enrolled.", "content": json_of("EnrolResponse") } }),
                        &["400", "403", "413", "415", "422", "429"],
                    )
                }
            },
            "/api/v1/token": {
                "post": {
                    "operationId": "rotateToken",
                    "summary": "A new token for this terminal; it replaces the current one the first time it is used (until then both work, so a lost answer is harmless: ask again).",
                    "security": bearer,
                    "responses": responses(
                        json!({ "200": { "description": "The new token.", "content": json_of("EnrolResponse") } }),
                        &["401"],
                    )
                }
            },
            "/api/v1/applications": {
                "post": {
                    "operationId": "deliverApplication",
                    "summary": "Deliver one application. Idempotent by receipt number.",
                    "security": bearer,
                    "parameters": [{
                        "name": "Idempotency-Key",
                        "in": "header",
                        "required": true,
                        "description": "The application's receipt_no: 26 digits, separators (- or space) ignored.",
                        "schema": { "type": "string", "pattern": RECEIPT_PATTERN }
                    }],
                    "requestBody": body("ApplicationMessage"),
                    "responses": responses(
                        json!({
                            "201": { "description": "Stored for the first time.", "content": json_of("Acknowledgement") },
                            "200": { "description": "Already stored (a retry); nothing changed.", "content": json_of("Acknowledgement") }
                        }),
                        &["400", "401", "409", "413", "415", "422"],
                    )
                }
            },
            "/api/v1/ratings": {
                "post": {
                    "operationId": "deliverRating",
                    "summary": "Deliver a 好差评 rating of a delivered application (the first one counts).",
                    "security": bearer,
                    "requestBody": body("RatingMessage"),
                    "responses": responses(no_content.clone(), &["400", "401", "404", "413", "415", "422"])
                }
            },
            "/api/v1/status-changes": {
                "get": {
                    "operationId": "statusChanges",
                    "summary": "Status changes of this terminal's applications after a cursor.",
                    "security": bearer,
                    "parameters": [
                        { "name": "since", "in": "query", "required": false, "description": "The last cursor seen (0 at first).", "schema": { "type": "integer", "minimum": 0, "maximum": i64::MAX, "default": 0 } },
                        { "name": "limit", "in": "query", "required": false, "description": "Most changes in one page.", "schema": { "type": "integer", "minimum": 1, "maximum": crate::api::MAX_CHANGES, "default": 500 } }
                    ],
                    "responses": responses(
                        json!({ "200": { "description": "A page of changes.", "content": json_of("StatusChanges") } }),
                        &["400", "401"],
                    )
                }
            },
            "/api/v1/health": {
                "post": {
                    "operationId": "reportHealth",
                    "summary": "A terminal's health after a sync round.",
                    "security": bearer,
                    "requestBody": body("HealthReport"),
                    "responses": responses(no_content, &["400", "401", "413", "415", "422"])
                }
            },
            "/api/v1/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document.",
                    "responses": { "200": { "description": "The OpenAPI document.", "content": { "application/json": { "schema": { "type": "object" } } } } }
                }
            }
        },
        "components": {
            "securitySchemes": {
                "terminalToken": { "type": "http", "scheme": "bearer", "description": "The token returned by /api/v1/enrol." }
            },
            "schemas": Value::Object(schemas())
        }
    })
}

/// The document as `county/openapi.json` holds it: pretty, with a newline.
pub fn document_text() -> String {
    let mut s = serde_json::to_string_pretty(&document()).expect("the document serializes");
    s.push('\n');
    s
}
