//! A fake Slack for the tests: a real HTTP server on 127.0.0.1 speaking the Web API
//! methods AsyncStand calls, with Slack's shapes (`ok`/`error` JSON, `Authorization:
//! Bearer xoxb-…`), and the OAuth authorize page, recording every call.

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub const CLIENT_ID: &str = "1111.2222";
pub const CLIENT_SECRET: &str = "slack-client-secret-for-tests";
pub const SIGNING_SECRET: &str = "slack-signing-secret-for-tests";
/// The code the authorize page hands back; any other is `invalid_code`.
pub const GOOD_CODE: &str = "good-oauth-code";
pub const BOT_TOKEN: &str = "xoxb-1111-2222-bot-token-never-shown";
pub const TEAM_ID: &str = "T0FAKE";
pub const TEAM_NAME: &str = "Fake Workspace";

/// One Web API call the fake received.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    pub authorization: Option<String>,
    pub form: HashMap<String, String>,
}

#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<Call>>>);

pub struct FakeSlack {
    pub url: String,
    log: Log,
}

impl FakeSlack {
    pub async fn start() -> FakeSlack {
        let log = Log::default();
        let shared = log.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(web::Data::new(shared.clone()))
                .route("/api/{method}", web::post().to(api))
                .route("/oauth/v2/authorize", web::get().to(authorize))
        })
        .workers(1)
        .bind(("127.0.0.1", 0))
        .expect("bind the fake Slack");
        let port = server.addrs()[0].port();
        tokio::spawn(server.run());
        FakeSlack {
            url: format!("http://127.0.0.1:{port}"),
            log,
        }
    }

    /// The `SLACK_*` settings that point an api at this fake.
    pub fn settings(&self) -> Vec<(&'static str, String)> {
        vec![
            ("SLACK_CLIENT_ID", CLIENT_ID.to_owned()),
            ("SLACK_CLIENT_SECRET", CLIENT_SECRET.to_owned()),
            ("SLACK_SIGNING_SECRET", SIGNING_SECRET.to_owned()),
            ("SLACK_API_BASE_URL", format!("{}/api", self.url)),
            (
                "SLACK_AUTHORIZE_URL",
                format!("{}/oauth/v2/authorize", self.url),
            ),
        ]
    }

    /// Every call of `method` so far.
    pub fn calls(&self, method: &str) -> Vec<Call> {
        self.log
            .0
            .lock()
            .map(|calls| {
                calls
                    .iter()
                    .filter(|c| c.method == method)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Slack's authorize page, as if the person approved at once: back to `redirect_uri`
/// with the good code and the state.
async fn authorize(query: web::Query<HashMap<String, String>>) -> HttpResponse {
    let (Some(redirect), Some(state)) = (query.get("redirect_uri"), query.get("state")) else {
        return HttpResponse::BadRequest().body("redirect_uri and state are required");
    };
    let mut back = match reqwest::Url::parse(redirect) {
        Ok(url) => url,
        Err(_) => return HttpResponse::BadRequest().body("bad redirect_uri"),
    };
    back.query_pairs_mut()
        .append_pair("code", GOOD_CODE)
        .append_pair("state", state);
    HttpResponse::Found()
        .insert_header(("location", back.to_string()))
        .finish()
}

async fn api(
    req: HttpRequest,
    method: web::Path<String>,
    body: web::Bytes,
    log: web::Data<Log>,
) -> HttpResponse {
    let form: HashMap<String, String> =
        reqwest::Url::parse(&format!("http://form/?{}", String::from_utf8_lossy(&body)))
            .map(|url| url.query_pairs().into_owned().collect())
            .unwrap_or_default();
    let authorization = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let method = method.into_inner();
    if let Ok(mut calls) = log.0.lock() {
        calls.push(Call {
            method: method.clone(),
            authorization: authorization.clone(),
            form: form.clone(),
        });
    }
    let answer = match method.as_str() {
        "oauth.v2.access" => {
            let client = (form.get("client_id"), form.get("client_secret"));
            if client != (Some(&CLIENT_ID.to_owned()), Some(&CLIENT_SECRET.to_owned())) {
                json!({ "ok": false, "error": "invalid_client_id" })
            } else if form.get("code").map(String::as_str) != Some(GOOD_CODE) {
                json!({ "ok": false, "error": "invalid_code" })
            } else {
                json!({
                    "ok": true, "access_token": BOT_TOKEN, "token_type": "bot",
                    "scope": "chat:write,im:write", "bot_user_id": "U0BOT", "app_id": "A0APP",
                    "team": { "id": TEAM_ID, "name": TEAM_NAME }, "enterprise": null,
                    "authed_user": { "id": "U0ADMIN" }
                })
            }
        }
        "auth.revoke" => {
            if authorization.as_deref() == Some(&format!("Bearer {BOT_TOKEN}")) {
                json!({ "ok": true, "revoked": true })
            } else {
                json!({ "ok": false, "error": "invalid_auth" })
            }
        }
        _ => json!({ "ok": false, "error": "unknown_method" }),
    };
    HttpResponse::Ok().json(answer)
}
