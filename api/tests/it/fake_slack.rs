//! A fake Slack for the tests: a real HTTP server on 127.0.0.1 speaking the Web API
//! methods AsyncStand calls, with Slack's shapes (`ok`/`error` JSON, `Authorization:
//! Bearer xoxb-…`, form or JSON bodies, cursor paging, 429 with `Retry-After`), and the
//! OAuth authorize page, recording every call. It also sends us what Slack sends (events,
//! button clicks, modal submissions, slash commands), signed as Slack signs them.

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use rand::{Rng, SeedableRng, rngs::StdRng};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

pub const CLIENT_ID: &str = "1111.2222";
pub const CLIENT_SECRET: &str = "slack-client-secret-for-tests";
pub const SIGNING_SECRET: &str = "slack-signing-secret-for-tests";
/// The code the authorize page hands back; any other is `invalid_code`.
pub const GOOD_CODE: &str = "good-oauth-code";
pub const BOT_TOKEN: &str = "xoxb-1111-2222-bot-token-never-shown";
pub const TEAM_ID: &str = "T0FAKE";
pub const TEAM_NAME: &str = "Fake Workspace";

/// A workspace the fake knows: what an install there gives.
#[derive(Debug, Clone)]
pub struct Team {
    pub id: String,
    pub name: String,
    pub token: String,
}

impl Team {
    pub fn new(id: &str, name: &str, token: &str) -> Self {
        Self {
            id: id.to_owned(),
            name: name.to_owned(),
            token: token.to_owned(),
        }
    }
}

/// One Web API call the fake received, and how it answered.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    pub authorization: Option<String>,
    /// The form fields (form bodies) or the top-level string fields (JSON bodies).
    pub form: HashMap<String, String>,
    /// The JSON body, `Null` for form bodies.
    pub json: Value,
    /// The HTTP status answered.
    pub status: u16,
    /// Whether the answer was `ok: true`.
    pub ok: bool,
    pub at: Instant,
}

impl Call {
    /// The team whose bot token made the call.
    pub fn token(&self) -> Option<&str> {
        self.authorization.as_deref()?.strip_prefix("Bearer ")
    }
}

struct State {
    calls: Vec<Call>,
    /// What the next install gives.
    install: Team,
    /// Tokens issued, by token.
    teams: HashMap<String, Team>,
    revoked: HashSet<String>,
    /// (Slack user id, e-mail) per team id.
    users: HashMap<String, Vec<(String, String)>>,
    /// (channel id, name) per team id.
    channels: HashMap<String, Vec<(String, String)>>,
    /// Per token: the share of calls answered 429 (`Retry-After: 1`) and 500.
    faults: HashMap<String, (f64, f64)>,
    /// Most items per page of `users.list` and `conversations.list`.
    page_size: usize,
    next_ts: u64,
    rng: StdRng,
}

#[derive(Clone)]
struct Shared(Arc<Mutex<State>>);

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

pub struct FakeSlack {
    pub url: String,
    shared: Shared,
}

impl FakeSlack {
    pub async fn start() -> FakeSlack {
        let team = Team::new(TEAM_ID, TEAM_NAME, BOT_TOKEN);
        let shared = Shared(Arc::new(Mutex::new(State {
            calls: Vec::new(),
            install: team,
            teams: HashMap::new(),
            revoked: HashSet::new(),
            users: HashMap::new(),
            channels: HashMap::new(),
            faults: HashMap::new(),
            page_size: 100,
            next_ts: 1_700_000_000_000_100,
            rng: StdRng::seed_from_u64(11),
        })));
        let data = shared.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(web::Data::new(data.clone()))
                .app_data(web::PayloadConfig::new(4 * 1024 * 1024))
                .route("/api/{method}", web::post().to(api))
                .route("/oauth/v2/authorize", web::get().to(authorize))
        })
        .workers(2)
        .bind(("127.0.0.1", 0))
        .expect("bind the fake Slack");
        let port = server.addrs()[0].port();
        tokio::spawn(server.run());
        FakeSlack {
            url: format!("http://127.0.0.1:{port}"),
            shared,
        }
    }

    /// The `SLACK_*` settings that point an api or a worker at this fake.
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

    /// The next install (the authorize page and `oauth.v2.access`) goes to `team`.
    pub fn install_as(&self, team: Team) {
        self.shared.lock().install = team;
    }

    /// Issues `team`'s bot token as if the app had been installed there (for tests that
    /// store the install themselves).
    pub fn register(&self, team: &Team) {
        self.shared
            .lock()
            .teams
            .insert(team.token.clone(), team.clone());
    }

    /// Adds people to workspace `team_id`: (Slack user id, e-mail).
    pub fn add_users(&self, team_id: &str, people: &[(&str, &str)]) {
        let mut state = self.shared.lock();
        let users = state.users.entry(team_id.to_owned()).or_default();
        users.extend(
            people
                .iter()
                .map(|(id, e)| ((*id).to_owned(), (*e).to_owned())),
        );
    }

    /// Adds channels to workspace `team_id`: (channel id, name).
    pub fn add_channels(&self, team_id: &str, channels: &[(&str, &str)]) {
        let mut state = self.shared.lock();
        let list = state.channels.entry(team_id.to_owned()).or_default();
        list.extend(
            channels
                .iter()
                .map(|(id, n)| ((*id).to_owned(), (*n).to_owned())),
        );
    }

    /// Pages of `users.list` and `conversations.list` hold at most `size` items.
    pub fn set_page_size(&self, size: usize) {
        self.shared.lock().page_size = size.max(1);
    }

    /// Calls made with `token` are answered 429 (`Retry-After: 1`) with probability
    /// `rate_limited` and 500 with probability `failing`.
    pub fn set_faults(&self, token: &str, rate_limited: f64, failing: f64) {
        self.shared
            .lock()
            .faults
            .insert(token.to_owned(), (rate_limited, failing));
    }

    /// From now on `token` is refused with `token_revoked`.
    pub fn revoke(&self, token: &str) {
        self.shared.lock().revoked.insert(token.to_owned());
    }

    /// Every call of `method` so far.
    pub fn calls(&self, method: &str) -> Vec<Call> {
        self.shared
            .lock()
            .calls
            .iter()
            .filter(|c| c.method == method)
            .cloned()
            .collect()
    }

    /// The calls of `method` that succeeded (`ok: true`).
    pub fn succeeded(&self, method: &str) -> Vec<Call> {
        self.calls(method).into_iter().filter(|c| c.ok).collect()
    }

    /// Forgets the calls so far.
    pub fn clear_calls(&self) {
        self.shared.lock().calls.clear();
    }

    /// POSTs `body` to `url` as Slack does, signed with the signing secret now.
    pub async fn send_signed(&self, url: &str, content_type: &str, body: String) -> (u16, Value) {
        let at = chrono::Utc::now().timestamp();
        let signature = schema_server::slack::sign(SIGNING_SECRET.as_bytes(), at, body.as_bytes());
        let response = reqwest::Client::new()
            .post(url)
            .header("content-type", content_type)
            .header("X-Slack-Request-Timestamp", at.to_string())
            .header("X-Slack-Signature", signature)
            .body(body)
            .send()
            .await
            .expect("POST to the api");
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, value)
    }

    /// An interactivity payload (a button click, a modal submission) as Slack sends it:
    /// form-encoded `payload=<json>`.
    pub async fn send_interaction(&self, url: &str, payload: &Value) -> (u16, Value) {
        let body = form_encode(&[("payload", &payload.to_string())]);
        self.send_signed(url, "application/x-www-form-urlencoded", body)
            .await
    }

    /// A slash command as Slack sends it (form-encoded).
    pub async fn send_command(&self, url: &str, fields: &[(&str, &str)]) -> (u16, Value) {
        let body = form_encode(fields);
        self.send_signed(url, "application/x-www-form-urlencoded", body)
            .await
    }

    /// An Events API envelope (JSON).
    pub async fn send_event(&self, url: &str, event: &Value) -> (u16, Value) {
        self.send_signed(url, "application/json", event.to_string())
            .await
    }
}

pub fn form_encode(fields: &[(&str, &str)]) -> String {
    let mut url = reqwest::Url::parse("http://form/").expect("a URL");
    url.query_pairs_mut().extend_pairs(fields);
    url.query().unwrap_or_default().to_owned()
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
    shared: web::Data<Shared>,
) -> HttpResponse {
    let is_json = req
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let (form, json): (HashMap<String, String>, Value) = if is_json {
        let value: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let fields = value
            .as_object()
            .map(|o| {
                o.iter()
                    .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_owned())))
                    .collect()
            })
            .unwrap_or_default();
        (fields, value)
    } else {
        let fields =
            reqwest::Url::parse(&format!("http://form/?{}", String::from_utf8_lossy(&body)))
                .map(|url| url.query_pairs().into_owned().collect())
                .unwrap_or_default();
        (fields, Value::Null)
    };
    let authorization = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let method = method.into_inner();
    let mut state = shared.lock();
    let token = authorization
        .as_deref()
        .and_then(|a| a.strip_prefix("Bearer "))
        .map(str::to_owned);

    // Faults first, as Slack's rate limiter answers before the method runs.
    let fault = token.as_ref().and_then(|t| state.faults.get(t).copied());
    let mut status = 200;
    if let Some((rate_limited, failing)) = fault {
        let roll: f64 = state.rng.random();
        if roll < rate_limited {
            status = 429;
        } else if roll < rate_limited + failing {
            status = 500;
        }
    }
    let answer = if status == 200 {
        answer(&mut state, &method, &form, &json, token.as_deref())
    } else {
        Value::Null
    };
    let ok = answer["ok"] == Value::Bool(true);
    state.calls.push(Call {
        method,
        authorization,
        form,
        json,
        status,
        ok,
        at: Instant::now(),
    });
    drop(state);
    match status {
        429 => HttpResponse::TooManyRequests()
            .insert_header(("retry-after", "1"))
            .json(json!({ "ok": false, "error": "ratelimited" })),
        500 => HttpResponse::InternalServerError().body("internal error"),
        _ => HttpResponse::Ok().json(answer),
    }
}

/// What Slack answers `method` with.
fn answer(
    state: &mut State,
    method: &str,
    form: &HashMap<String, String>,
    json: &Value,
    token: Option<&str>,
) -> Value {
    if method == "oauth.v2.access" {
        let client = (form.get("client_id"), form.get("client_secret"));
        if client != (Some(&CLIENT_ID.to_owned()), Some(&CLIENT_SECRET.to_owned())) {
            return json!({ "ok": false, "error": "invalid_client_id" });
        }
        if form.get("code").map(String::as_str) != Some(GOOD_CODE) {
            return json!({ "ok": false, "error": "invalid_code" });
        }
        let team = state.install.clone();
        state.revoked.remove(&team.token);
        state.teams.insert(team.token.clone(), team.clone());
        return json!({
            "ok": true, "access_token": team.token, "token_type": "bot",
            "scope": schema_server::slack::BOT_SCOPES, "bot_user_id": "U0BOT", "app_id": "A0APP",
            "team": { "id": team.id, "name": team.name }, "enterprise": null,
            "authed_user": { "id": "U0ADMIN" }
        });
    }
    let Some(token) = token else {
        return json!({ "ok": false, "error": "not_authed" });
    };
    if state.revoked.contains(token) {
        return json!({ "ok": false, "error": "token_revoked" });
    }
    let Some(team) = state.teams.get(token).cloned() else {
        return json!({ "ok": false, "error": "invalid_auth" });
    };
    let page_size = state.page_size;
    match method {
        "auth.revoke" => {
            state.revoked.insert(token.to_owned());
            json!({ "ok": true, "revoked": true })
        }
        "users.list" => {
            let users = state.users.get(&team.id).cloned().unwrap_or_default();
            let (page, next) = paged(&users, form, page_size);
            let members: Vec<Value> = page
                .iter()
                .map(|(id, email)| {
                    json!({ "id": id, "team_id": team.id, "name": email, "deleted": false,
                            "is_bot": false, "profile": { "email": email, "real_name": email } })
                })
                .collect();
            json!({ "ok": true, "members": members, "response_metadata": { "next_cursor": next } })
        }
        "conversations.list" => {
            let channels = state.channels.get(&team.id).cloned().unwrap_or_default();
            let (page, next) = paged(&channels, form, page_size);
            let channels: Vec<Value> = page
                .iter()
                .map(|(id, name)| json!({ "id": id, "name": name, "is_channel": true, "is_private": false }))
                .collect();
            json!({ "ok": true, "channels": channels, "response_metadata": { "next_cursor": next } })
        }
        "conversations.open" => match form.get("users") {
            Some(user) => json!({ "ok": true, "channel": { "id": format!("D{user}") } }),
            None => json!({ "ok": false, "error": "users_list_not_supplied" }),
        },
        "chat.postMessage" => {
            if form.get("channel").is_none() {
                return json!({ "ok": false, "error": "channel_not_found" });
            }
            if json["blocks"].as_array().is_some_and(|b| b.len() > 50) {
                return json!({ "ok": false, "error": "invalid_blocks" });
            }
            state.next_ts += 1;
            let ts = format!(
                "{}.{:06}",
                state.next_ts / 1_000_000,
                state.next_ts % 1_000_000
            );
            json!({ "ok": true, "channel": form["channel"], "ts": ts, "message": json })
        }
        "chat.update" => match (form.get("channel"), form.get("ts")) {
            (Some(channel), Some(ts)) => json!({ "ok": true, "channel": channel, "ts": ts }),
            _ => json!({ "ok": false, "error": "message_not_found" }),
        },
        "views.open" => {
            if form.get("trigger_id").is_none() {
                return json!({ "ok": false, "error": "invalid_trigger_id" });
            }
            json!({ "ok": true, "view": { "id": "V0VIEW" } })
        }
        _ => json!({ "ok": false, "error": "unknown_method" }),
    }
}

/// One page of `items` from the call's `cursor` (an offset here) and `limit`.
fn paged<T: Clone>(
    items: &[T],
    form: &HashMap<String, String>,
    page_size: usize,
) -> (Vec<T>, String) {
    let start: usize = form.get("cursor").and_then(|c| c.parse().ok()).unwrap_or(0);
    let limit: usize = form
        .get("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(100)
        .min(page_size);
    let end = (start + limit).min(items.len());
    let page = items.get(start..end).map(<[T]>::to_vec).unwrap_or_default();
    let next = if end < items.len() {
        end.to_string()
    } else {
        String::new()
    };
    (page, next)
}
