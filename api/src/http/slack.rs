//! What Slack sends us. Every request is checked against the app's signing secret over its
//! raw body before anything is parsed ([`schema_server::slack::verify`]); a request that
//! fails gets 401 and changes nothing. With Slack off (no `SLACK_*` settings) the routes
//! answer 404.
//!
//! `POST /slack/events` (the Events API): answers Slack's `url_verification` challenge;
//! `app_uninstalled` and `tokens_revoked` end the installs they concern (audited); other
//! events are acknowledged.
//!
//! `GET /slack/oauth/callback`: where Slack sends the browser back after an install; the
//! code is exchanged and the browser lands on Settings with the outcome in the query
//! (`?slack=connected` or `?slack=error&reason=…`).

use crate::error::ApiError;
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
        Some("event_callback") => callback_event(&req, &state, &event).await,
        // Acknowledged at once, as Slack expects within 3 seconds.
        _ => HttpResponse::Ok().finish(),
    }
}

/// `app_uninstalled` and `tokens_revoked` end the installs they concern; other events are
/// acknowledged.
async fn callback_event(req: &HttpRequest, state: &AppState, envelope: &Value) -> HttpResponse {
    let team_id = envelope["team_id"].as_str().unwrap_or_default();
    let kind = envelope["event"]["type"].as_str().unwrap_or_default();
    let bots: Option<Vec<String>> = match kind {
        "app_uninstalled" => None,
        "tokens_revoked" => Some(
            envelope["event"]["tokens"]["bot"]
                .as_array()
                .map(|bots| {
                    bots.iter()
                        .filter_map(|b| b.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
        ),
        _ => return HttpResponse::Ok().finish(),
    };
    let meta = super::request::meta(req, state);
    match crate::service::slack::workspace_gone(state, &meta, team_id, bots.as_deref(), kind).await
    {
        Ok(gone) => {
            tracing::info!(
                team = team_id,
                event = kind,
                installs = gone,
                "Slack installs ended by Slack"
            );
            HttpResponse::Ok().finish()
        }
        Err(e) => {
            e.log();
            // Slack retries a failed delivery.
            HttpResponse::InternalServerError().finish()
        }
    }
}

/// What Slack puts in the callback's query.
#[derive(serde::Deserialize)]
pub struct Callback {
    code: Option<String>,
    state: Option<String>,
    /// `access_denied` when the person cancelled on Slack's page.
    error: Option<String>,
}

/// `GET /slack/oauth/callback`.
pub async fn oauth_callback(
    req: HttpRequest,
    query: web::Query<Callback>,
    state: web::Data<AppState>,
) -> HttpResponse {
    if state.settings.slack.is_none() {
        return HttpResponse::NotFound().finish();
    }
    let outcome = match (&query.error, &query.code, &query.state) {
        (Some(error), _, _) => Err(format!("Slack did not install the app ({error})")),
        (None, Some(code), Some(install_state)) => {
            let meta = super::request::meta(&req, &state);
            crate::service::slack::finish_install(&state, &meta, code, install_state)
                .await
                .map_err(|e| match e {
                    ApiError::Internal(_) => {
                        e.log();
                        "something went wrong; try again".to_owned()
                    }
                    other => other.to_string(),
                })
        }
        _ => Err("the link from Slack is incomplete".to_owned()),
    };
    let location = match outcome {
        Ok(_) => "/settings?slack=connected".to_owned(),
        Err(reason) => format!(
            "/settings?slack=error&reason={}",
            schema::ops::percent_encode(&reason)
        ),
    };
    HttpResponse::SeeOther()
        .insert_header(("location", location))
        .finish()
}
