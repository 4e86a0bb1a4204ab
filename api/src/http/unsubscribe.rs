//! RFC 8058 one-click unsubscribe: every standup e-mail carries `List-Unsubscribe:
//! <{PUBLIC_URL}/unsubscribe/{token}>` and `List-Unsubscribe-Post:
//! List-Unsubscribe=One-Click`. A mail client POSTs to that URL (body
//! `List-Unsubscribe=One-Click`, whatever its content type) and that kind of e-mail stops
//! for the recipient. A GET (someone opening the URL, or a link scanner) changes nothing:
//! it shows a page with the button that POSTs.

use crate::error::ApiError;
use crate::service::notifications;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::web::{Data, Path};
use actix_web::{HttpRequest, HttpResponse};

fn page(status: StatusCode, body: &str) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header(("cache-control", "no-store"))
        .body(format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>Unsubscribe - AsyncStand</title></head><body><main>{body}</main></body></html>"
        ))
}

/// `POST /unsubscribe/{token}`.
pub async fn post(req: HttpRequest, state: Data<AppState>, token: Path<String>) -> HttpResponse {
    let meta = super::request::meta(&req, &state);
    match notifications::unsubscribe(&state, &meta, &token).await {
        Ok(done) => page(
            StatusCode::OK,
            &format!(
                "<h1>Unsubscribed</h1><p>You will no longer get {} e-mails. \
                 Turn them back on from your account page.</p>",
                done.kind
            ),
        ),
        Err(e) => {
            let status = match e {
                ApiError::NotFound(_) => StatusCode::NOT_FOUND,
                ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            };
            e.log();
            page(
                status,
                "<h1>This unsubscribe link is not valid</h1>\
                 <p>Change which e-mails you get from your account page.</p>",
            )
        }
    }
}

/// `GET /unsubscribe/{token}`: asks before doing anything.
pub async fn get() -> HttpResponse {
    page(
        StatusCode::OK,
        "<h1>Unsubscribe</h1><p>Stop getting this kind of standup e-mail?</p>\
         <form method=\"post\"><button type=\"submit\">Unsubscribe</button></form>",
    )
}
