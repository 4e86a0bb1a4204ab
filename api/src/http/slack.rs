//! What Slack sends us. Every request is checked against the app's signing secret over its
//! raw body before anything is parsed ([`schema_server::slack::verify`]); a request that
//! fails gets 401 and changes nothing. With Slack off (no `SLACK_*` settings) the routes
//! answer 404.
//!
//! `POST /slack/events` (the Events API): answers Slack's `url_verification` challenge and
//! acknowledges event callbacks.

use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, web};
use schema_server::slack::{self, SignatureError};
use secrecy::ExposeSecret;
use serde_json::{Value, json};

/// Checks Slack's signature on `req` and `body`.
fn verified(req: &HttpRequest, body: &[u8], signing_secret: &[u8]) -> Result<(), SignatureError> {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    slack::verify(
        signing_secret,
        header(slack::TIMESTAMP_HEADER),
        header(slack::SIGNATURE_HEADER),
        body,
        chrono::Utc::now().timestamp(),
    )
}

/// Verifies the request: `None` when Slack signed it, else the answer: 404 (Slack off) or
/// 401 (not from Slack).
fn refusal(req: &HttpRequest, body: &[u8], state: &AppState) -> Option<HttpResponse> {
    let Some(settings) = &state.settings.slack else {
        return Some(HttpResponse::NotFound().finish());
    };
    let reason = verified(
        req,
        body,
        settings.signing_secret.expose_secret().as_bytes(),
    )
    .err()?;
    tracing::warn!(target: "security", path = req.path(), %reason, "Slack request refused");
    Some(HttpResponse::Unauthorized().json(json!({ "error": reason.to_string() })))
}

/// `POST /slack/events`.
pub async fn events(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    if let Some(refused) = refusal(&req, &body, &state) {
        return refused;
    }
    let Ok(event) = serde_json::from_slice::<Value>(&body) else {
        return HttpResponse::BadRequest().json(json!({ "error": "the body is not JSON" }));
    };
    match event["type"].as_str() {
        Some("url_verification") => match event["challenge"].as_str() {
            Some(challenge) => HttpResponse::Ok().json(json!({ "challenge": challenge })),
            None => HttpResponse::BadRequest().json(json!({ "error": "no challenge" })),
        },
        // Acknowledged at once, as Slack expects within 3 seconds.
        _ => HttpResponse::Ok().finish(),
    }
}
