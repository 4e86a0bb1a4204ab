//! What the HTTP layer hands to GraphQL: request facts and the verified caller.

use crate::auth::{AuthState, refresh};
use crate::state::{AppState, RequestMeta};
use actix_web::http::StatusCode;
use actix_web::{HttpMessage, HttpRequest, HttpResponse};
use serde_json::json;

pub fn client_ip(req: &HttpRequest, trust_proxy: bool) -> String {
    if trust_proxy && let Some(ip) = req.connection_info().realip_remote_addr() {
        return ip.to_string();
    }
    req.peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

pub fn meta(req: &HttpRequest, state: &AppState) -> RequestMeta {
    // Each borrow of the request's extensions ends before the next (cookies use them too).
    let request_id = req
        .extensions()
        .get::<tracing_actix_web::RequestId>()
        .map(|id| id.to_string());
    let refresh_token = req
        .cookie(refresh::COOKIE_NAME)
        .map(|c| c.value().to_string())
        .filter(|v| !v.is_empty());
    RequestMeta {
        ip: client_ip(req, state.settings.trust_proxy),
        user_agent: req
            .headers()
            .get("user-agent")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        request_id,
        refresh_token,
    }
}

/// Reads `Authorization: Bearer ...`; a header that does not verify is `Invalid`, never anonymous.
pub fn auth_state(authorization: Option<&str>, state: &AppState) -> AuthState {
    let Some(value) = authorization else {
        return AuthState::Anonymous;
    };
    let Some(token) = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
    else {
        return AuthState::Invalid("Authorization must be 'Bearer <token>'".into());
    };
    match state.jwt.verify(token.trim()) {
        Ok(caller) => AuthState::Verified(caller),
        Err(reason) => {
            tracing::debug!(%reason, "access token rejected");
            AuthState::Invalid(reason)
        }
    }
}

pub fn auth_from_request(req: &HttpRequest, state: &AppState) -> AuthState {
    auth_state(
        req.headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok()),
        state,
    )
}

/// A GraphQL-shaped error for failures before execution (content type, size, method, rate).
pub fn graphql_error(status: StatusCode, code: &str, message: &str) -> HttpResponse {
    HttpResponse::build(status).json(json!({
        "errors": [{ "message": message, "extensions": { "code": code } }]
    }))
}
