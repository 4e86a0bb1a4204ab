//! Response headers that tell browsers what this origin may do: a Content-Security-Policy
//! for the web UI and a looser one for the GraphiQL playground (React injects a `<style>`
//! element and GraphiQL's stylesheet embeds its fonts as `data:` URLs), and
//! Strict-Transport-Security when `PUBLIC_URL` is https.

use crate::config::Settings;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{CONTENT_SECURITY_POLICY, HeaderValue, STRICT_TRANSPORT_SECURITY};
use actix_web::middleware::Next;
use actix_web::web;

/// Two years, subdomains included (what browsers' preload lists ask for).
pub const HSTS: &str = "max-age=63072000; includeSubDomains";

/// The policies, built once from the settings.
pub struct SecurityHeaders {
    app: HeaderValue,
    playground: HeaderValue,
    hsts: Option<HeaderValue>,
}

impl SecurityHeaders {
    pub fn new(settings: &Settings) -> anyhow::Result<Self> {
        Ok(Self {
            app: HeaderValue::from_str(&app_policy(&settings.public_url))?,
            playground: HeaderValue::from_static(PLAYGROUND_POLICY),
            hsts: settings
                .secure_cookies()
                .then(|| HeaderValue::from_static(HSTS)),
        })
    }
}

/// The web UI: its own wasm, script, stylesheet and API only. `wasm-unsafe-eval` lets
/// `WebAssembly.instantiateStreaming` compile the app (it allows no JavaScript eval); the
/// live updates' WebSocket is allowed by `'self'` and, for older browsers, by name.
fn app_policy(public_url: &str) -> String {
    let websocket = public_url
        .strip_prefix("https://")
        .map(|rest| format!("wss://{rest}"))
        .or_else(|| {
            public_url
                .strip_prefix("http://")
                .map(|rest| format!("ws://{rest}"))
        })
        .map(|origin| match origin.match_indices('/').nth(2) {
            // Only scheme and host: a path in PUBLIC_URL has no place in a CSP source.
            Some((i, _)) => origin[..i].to_string(),
            None => origin,
        })
        .unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self'; font-src 'self'; connect-src 'self' {websocket}; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// The playground (`/playground/`, GraphiQL from local files).
const PLAYGROUND_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; \
     connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
     frame-ancestors 'none'";

/// Adds the policy of the requested path (unless the handler set one) and HSTS.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let headers = req.app_data::<web::Data<SecurityHeaders>>().cloned();
    let playground = req.path().starts_with("/playground");
    let mut response = next.call(req).await?;
    if let Some(headers) = headers {
        let policy = if playground {
            &headers.playground
        } else {
            &headers.app
        };
        let out = response.headers_mut();
        if !out.contains_key(CONTENT_SECURITY_POLICY) {
            out.insert(CONTENT_SECURITY_POLICY, policy.clone());
        }
        if let Some(hsts) = &headers.hsts {
            out.insert(STRICT_TRANSPORT_SECURITY, hsts.clone());
        }
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_app_may_open_its_websocket_and_nothing_else() {
        let policy = app_policy("https://standups.example.com");
        assert!(
            policy.contains("connect-src 'self' wss://standups.example.com;"),
            "{policy}"
        );
        let policy = app_policy("http://127.0.0.1:8080/base");
        assert!(
            policy.contains("connect-src 'self' ws://127.0.0.1:8080;"),
            "{policy}"
        );
        assert!(policy.contains("script-src 'self' 'wasm-unsafe-eval';"));
        assert!(!policy.contains("unsafe-inline"));
    }
}
