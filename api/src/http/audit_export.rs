//! `GET /audit.csv`: the audit log as CSV for owners and admins (`Authorization:
//! Bearer`), newest first, streamed page by page so memory stays flat however long the
//! log is. Query parameters mirror `AuditFilter`: `actorId`, `action`, `targetType`,
//! `targetId`, `from`, `to` (RFC 3339).

use super::request::authenticate;
use crate::auth::{AuthState, Caller};
use crate::error::ApiError;
use crate::service::audit_log;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::web::{Bytes, Data, Query};
use actix_web::{HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use schema_server::db::audit::{AuditEntry, AuditFilter};
use serde::Deserialize;

const PAGE: i64 = 500;
const HEADER: &str = "id,created_at,actor_id,actor_email,action,target_type,target_id,ip,user_agent,request_id,summary\r\n";

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Params {
    actor_id: Option<String>,
    action: Option<String>,
    target_type: Option<String>,
    target_id: Option<String>,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
}

/// An export's error before its first byte: a status code and `{code, message}`.
pub(super) fn error(e: &ApiError) -> HttpResponse {
    let status = match e {
        ApiError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
        ApiError::BadInput { .. } => StatusCode::BAD_REQUEST,
        ApiError::NotFound(_) | ApiError::NotFoundIn { .. } => StatusCode::NOT_FOUND,
        ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    let field = match e {
        ApiError::BadInput { field, .. } | ApiError::Conflict { field, .. } => *field,
        ApiError::NotFoundIn { field, .. } => Some(*field),
        _ => None,
    };
    e.log();
    HttpResponse::build(status)
        .content_type("application/json")
        .body(
            serde_json::json!({ "code": e.code(), "message": e.to_string(), "field": field })
                .to_string(),
        )
}

/// The verified caller of an export (UNAUTHENTICATED without a valid bearer token: an
/// access token or a live personal API token).
pub(super) async fn caller(req: &HttpRequest, state: &AppState) -> Result<Caller, ApiError> {
    match authenticate(req, state).await.0 {
        AuthState::Verified(caller) => Ok(caller),
        AuthState::Invalid(_) => Err(ApiError::Unauthenticated(
            "invalid or expired access token".into(),
        )),
        AuthState::Anonymous => Err(ApiError::unauthenticated()),
    }
}

/// One CSV record of `values`, CRLF-terminated.
pub(super) fn record(out: &mut String, values: &[String]) {
    for (i, value) in values.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        field(out, value);
    }
    out.push_str("\r\n");
}

/// One CSV field: quoted when needed, and a leading `= + - @` neutralised so
/// spreadsheets do not run it as a formula.
fn field(out: &mut String, value: &str) {
    let value = if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if value.contains([',', '"', '\r', '\n']) {
        out.push('"');
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(&value);
    }
}

fn rows(page: &[AuditEntry]) -> Bytes {
    let mut out = String::new();
    for (event, actor) in page {
        let values = [
            event.id.to_string(),
            event.created_at.to_rfc3339(),
            event.actor_id.map(|a| a.to_string()).unwrap_or_default(),
            actor.as_ref().map(|a| a.email.clone()).unwrap_or_default(),
            event.action.clone(),
            event.target_type.clone().unwrap_or_default(),
            event.target_id.clone().unwrap_or_default(),
            event.ip.clone().unwrap_or_default(),
            event.user_agent.clone().unwrap_or_default(),
            event.request_id.clone().unwrap_or_default(),
            event.summary.to_string(),
        ];
        record(&mut out, &values);
    }
    Bytes::from(out)
}

pub async fn export(
    req: HttpRequest,
    state: Data<AppState>,
    params: Query<Params>,
) -> HttpResponse {
    let state = state.get_ref().clone();
    let caller = match caller(&req, &state).await {
        Ok(caller) => caller,
        Err(e) => return error(&e),
    };
    let params = params.into_inner();
    let actor = match params.actor_id.as_deref().map(str::parse) {
        None => None,
        Some(Ok(id)) => Some(id),
        Some(Err(_)) => {
            return error(&ApiError::BadInput {
                field: Some("actorId"),
                message: "actorId: not a user id".into(),
            });
        }
    };
    let filter = AuditFilter {
        actor,
        action: params.action,
        target_type: params.target_type,
        target_id: params.target_id,
        from: params.from,
        to: params.to,
    };
    // The first page answers authorization and input errors with a status code.
    let (first, more) = match audit_log::list(&state, &caller, &filter, None, PAGE).await {
        Ok(page) => page,
        Err(e) => return error(&e),
    };
    let mut head = HEADER.as_bytes().to_vec();
    head.extend_from_slice(&rows(&first));
    let head = Bytes::from(head);
    let next = if more {
        first.last().map(|(e, _)| e.id)
    } else {
        None
    };
    let tail = futures_util::stream::unfold(next, move |before| {
        let (state, filter) = (state.clone(), filter.clone());
        async move {
            let before = before?;
            match audit_log::list(&state, &caller, &filter, Some(before), PAGE).await {
                Ok((page, more)) => {
                    let next = if more {
                        page.last().map(|(e, _)| e.id)
                    } else {
                        None
                    };
                    Some((Ok::<_, ApiError>(rows(&page)), next))
                }
                Err(e) => {
                    tracing::warn!(error = format!("{e:#}"), "audit export stopped");
                    Some((Err(e), None))
                }
            }
        }
    });
    let body = futures_util::StreamExt::chain(
        futures_util::stream::once(async move { Ok::<_, ApiError>(head) }),
        tail,
    );
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "content-disposition",
            "attachment; filename=\"audit-log.csv\"",
        ))
        .streaming(body)
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn fields_are_quoted_and_formulas_neutralised() {
        let mut out = String::new();
        field(&mut out, "a,\"b\"");
        assert_eq!(out, "\"a,\"\"b\"\"\"");
        let mut out = String::new();
        field(&mut out, "=1+1");
        assert_eq!(out, "'=1+1");
    }
}
