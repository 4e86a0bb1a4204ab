//! The built web UI (`WEB_DIR`, written by `make web`) and the GraphiQL playground,
//! both served from local files: nothing is loaded from a CDN.

use crate::state::AppState;
use actix_files::{Files, NamedFile};
use actix_web::dev::{ServiceRequest, ServiceResponse, fn_service};
use actix_web::{HttpRequest, HttpResponse, web};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/playground", web::get().to(playground_redirect))
        .route("/playground/", web::get().to(playground_index));
}

/// Registered last by the server: static files by name, index.html for every other path
/// so client-side routes survive a reload.
pub fn spa(state: &AppState) -> Files {
    let dir = state.settings.web_dir.clone();
    let index = dir.join("index.html");
    Files::new("/", &dir)
        .index_file("index.html")
        .prefer_utf8(true)
        .default_handler(fn_service(move |req: ServiceRequest| {
            let index = index.clone();
            async move {
                let (req, _) = req.into_parts();
                let response = match NamedFile::open_async(&index).await {
                    Ok(file) => file
                        .use_last_modified(true)
                        .customize()
                        .insert_header(("cache-control", "no-cache"))
                        .respond_to(&req)
                        .map_into_boxed_body(),
                    Err(_) => not_built(),
                };
                Ok(ServiceResponse::new(req, response))
            }
        }))
}

async fn playground_redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header(("location", "/playground/"))
        .finish()
}

async fn playground_index(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    use actix_web::Responder;
    match NamedFile::open_async(state.settings.web_dir.join("playground/index.html")).await {
        Ok(file) => file.respond_to(&req).map_into_boxed_body(),
        Err(_) => not_built(),
    }
}

fn not_built() -> HttpResponse {
    HttpResponse::ServiceUnavailable()
        .content_type("text/plain; charset=utf-8")
        .body("The web UI is not built. Run `make web` (or `make run`), then reload.\n")
}

use actix_web::Responder as _;
