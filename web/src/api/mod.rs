//! The GraphQL client: typed operations from `schema::ops` over gloo-net, reached through
//! [`use_api`].
//!
//! The access token lives in this client's memory only (never in storage). The refresh
//! token is an httpOnly cookie the browser sends to `/graphql` by itself. When an
//! authenticated request answers UNAUTHENTICATED, the client refreshes the session once
//! and retries; concurrent requests share a single refresh, because presenting a refresh
//! token twice would revoke its whole family.

use std::cell::RefCell;
use std::fmt;
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Poll, Waker};

pub mod live;

use gloo_net::http::Request;
use schema::json::{FromJson, Value, from_value};
use schema::ops::{
    self, AuthPayload, ErrorCode, GraphQlError, NoVariables, Operation, RefreshSession,
};
use web_sys::RequestCredentials;
use yew::prelude::*;

/// Where the API lives: same origin, so the refresh cookie (path `/graphql`) goes along.
pub const ENDPOINT: &str = "/graphql";

/// What the client tells the session about tokens it received or lost.
#[derive(Clone, Debug, PartialEq)]
pub enum AuthEvent {
    /// A new access token arrived (sign-up, log-in, refresh, organization switch).
    SignedIn(Rc<AuthPayload>),
    /// The session ended (log-out, or a refresh that was refused).
    SignedOut,
}

/// Why a request failed.
#[derive(Clone, Debug, PartialEq)]
pub enum ApiError {
    /// The server could not be reached, or answered something that is not GraphQL.
    Network(String),
    /// The server answered with GraphQL errors.
    GraphQl(Vec<GraphQlError>),
}

impl ApiError {
    /// The code of the first GraphQL error, if any.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            ApiError::GraphQl(errors) => errors.first().map(GraphQlError::code),
            ApiError::Network(_) => None,
        }
    }

    pub fn is_unauthenticated(&self) -> bool {
        self.code() == Some(ErrorCode::Unauthenticated)
    }

    /// Errors about one input field, as `(field, message without the "field: " prefix)`.
    pub fn field_errors(&self) -> Vec<(String, String)> {
        match self {
            ApiError::GraphQl(errors) => errors
                .iter()
                .filter_map(|e| {
                    let field = e.field()?;
                    let message = e
                        .message
                        .strip_prefix(field)
                        .and_then(|rest| rest.strip_prefix(": "))
                        .unwrap_or(&e.message);
                    Some((field.to_owned(), message.to_owned()))
                })
                .collect(),
            ApiError::Network(_) => Vec::new(),
        }
    }

    /// A sentence for people, for errors not shown next to a field.
    pub fn user_message(&self) -> String {
        match self {
            ApiError::Network(_) => {
                "Could not reach AsyncStand. Check your connection and try again.".to_owned()
            }
            ApiError::GraphQl(errors) => match errors.first() {
                None => "Something went wrong.".to_owned(),
                Some(e) => match e.code() {
                    ErrorCode::RateLimited => {
                        "Too many attempts. Wait a minute and try again.".to_owned()
                    }
                    ErrorCode::InternalServerError => {
                        "Something went wrong on our side. Try again in a moment.".to_owned()
                    }
                    ErrorCode::Unauthenticated if e.message.is_empty() => {
                        "Your session has ended. Sign in again.".to_owned()
                    }
                    _ => capitalise(&e.message),
                },
            },
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.user_message())
    }
}

/// "invalid e-mail or password" -> "Invalid e-mail or password".
pub fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => {
            let mut out = crate::format::upper(&text[..first.len_utf8()]);
            out.push_str(chars.as_str());
            out
        }
        None => String::new(),
    }
}

/// A request on its way: the response's status and `data`, or why it failed.
type Sent = Pin<Box<dyn Future<Output = Result<(u16, Value), ApiError>>>>;

/// A refresh in flight, shared by everyone who needs its outcome.
#[derive(Default)]
struct Flight {
    outcome: Option<Result<Rc<AuthPayload>, ApiError>>,
    waiters: Vec<Waker>,
}

struct Inner {
    endpoint: String,
    token: RefCell<Option<String>>,
    refresh: RefCell<Option<Rc<RefCell<Flight>>>>,
    listener: RefCell<Option<Callback<AuthEvent>>>,
}

/// The API client. Cheap to clone; clones share the token.
#[derive(Clone)]
pub struct ApiClient {
    inner: Rc<Inner>,
}

impl PartialEq for ApiClient {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.inner, &other.inner)
    }
}

impl fmt::Debug for ApiClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiClient")
            .field("endpoint", &self.inner.endpoint)
            .field("signed_in", &self.inner.token.borrow().is_some())
            .finish()
    }
}

impl Default for ApiClient {
    fn default() -> Self {
        Self::new(ENDPOINT)
    }
}

impl ApiClient {
    pub fn new(endpoint: &str) -> Self {
        Self {
            inner: Rc::new(Inner {
                endpoint: endpoint.to_owned(),
                token: RefCell::new(None),
                refresh: RefCell::new(None),
                listener: RefCell::new(None),
            }),
        }
    }

    /// Who hears about new and lost sessions (the session provider).
    pub fn set_listener(&self, listener: Callback<AuthEvent>) {
        *self.inner.listener.borrow_mut() = Some(listener);
    }

    fn emit(&self, event: AuthEvent) {
        let listener = self.inner.listener.borrow().clone();
        if let Some(listener) = listener {
            listener.emit(event);
        }
    }

    /// Keeps the access token of a fresh [`AuthPayload`] and announces the session.
    pub fn accept(&self, payload: AuthPayload) -> Rc<AuthPayload> {
        *self.inner.token.borrow_mut() = Some(payload.access_token.clone());
        let payload = Rc::new(payload);
        self.emit(AuthEvent::SignedIn(payload.clone()));
        payload
    }

    /// The current access token (for the WebSocket's `connection_init`).
    pub fn access_token(&self) -> Option<String> {
        self.inner.token.borrow().clone()
    }

    /// Forgets the access token and announces the end of the session.
    pub fn forget(&self) {
        *self.inner.token.borrow_mut() = None;
        self.emit(AuthEvent::SignedOut);
    }

    /// Runs an operation; with a token, an UNAUTHENTICATED answer triggers one refresh
    /// and one retry.
    ///
    /// Only serialising the variables (here, before the future starts) and reading the
    /// data are generic; sending, refreshing, retrying and parsing are one boxed future
    /// ([`ApiClient::send`]) shared by every operation, so each new operation (and each
    /// place that awaits one) adds little to the bundle.
    pub fn run<O: Operation>(
        &self,
        variables: &O::Variables,
    ) -> impl Future<Output = Result<O::Data, ApiError>> + 'static {
        let body = serde_json::to_string(&O::request(variables))
            .map_err(|e| ApiError::Network(e.to_string()));
        let sent = self.send(body, O::NAME == RefreshSession::NAME);
        async move {
            let (status, data) = sent.await?;
            O::Data::from_json(data).map_err(|e| malformed(status, &e))
        }
    }

    /// [`ApiClient::run_body`] as one non-generic future.
    fn send(&self, body: Result<String, ApiError>, is_refresh: bool) -> Sent {
        let client = self.clone();
        Box::pin(async move { client.run_body(body?, is_refresh).await })
    }

    /// Sends a request body; the response's `data`, or its errors.
    async fn run_body(&self, body: String, is_refresh: bool) -> Result<(u16, Value), ApiError> {
        let (status, text) = self.exchange(body, is_refresh).await?;
        decode(status, &text).map(|data| (status, data))
    }

    /// POSTs a request body; on UNAUTHENTICATED (with a token, and not itself a
    /// refresh) refreshes the session once and sends it again.
    async fn exchange(&self, body: String, is_refresh: bool) -> Result<(u16, String), ApiError> {
        let token = self.inner.token.borrow().clone();
        let first = self.post(&body, token.as_deref()).await?;
        if token.is_some()
            && !is_refresh
            && is_unauthenticated(&first.1)
            && let Ok(payload) = self.refresh().await
        {
            return self.post(&body, Some(&payload.access_token)).await;
        }
        Ok(first)
    }

    /// GETs a file the API serves to signed-in people (`/audit.csv?…`) with the access
    /// token; a 401 triggers one refresh and one retry, like [`ApiClient::run`].
    pub async fn get_text(&self, path: &str) -> Result<String, ApiError> {
        let token = self.inner.token.borrow().clone();
        let mut response = get_with(path, token.as_deref()).await?;
        if response.status() == 401 && token.is_some() {
            let payload = self.refresh().await?;
            response = get_with(path, Some(&payload.access_token)).await?;
        }
        let status = response.status();
        let body = response
            .text()
            .await
            .map_err(|e| ApiError::Network(e.to_string()))?;
        if (200..300).contains(&status) {
            return Ok(body);
        }
        // Errors come as `{ "code": …, "message": … }`.
        let parsed: Option<GraphQlError> = parse_json(&body).and_then(|v| {
            from_value(serde_json::json!({
                "message": v.get("message").cloned().unwrap_or_default(),
                "extensions": { "code": v.get("code").cloned().unwrap_or_default() },
            }))
            .ok()
        });
        Err(match parsed {
            Some(err) => ApiError::GraphQl(vec![err]),
            None => ApiError::Network(format!("HTTP {status}")),
        })
    }

    /// Exchanges the refresh cookie for a new access token. Concurrent callers share one
    /// request. On success the session is announced; on UNAUTHENTICATED it is ended.
    pub async fn refresh(&self) -> Result<Rc<AuthPayload>, ApiError> {
        let existing = self.inner.refresh.borrow().clone();
        if let Some(flight) = existing {
            return wait_for(flight).await;
        }
        let flight = Rc::new(RefCell::new(Flight::default()));
        *self.inner.refresh.borrow_mut() = Some(flight.clone());

        let refreshed = match serde_json::to_string(&RefreshSession::request(&NoVariables {})) {
            Ok(body) => match self.post(&body, None).await {
                Ok((status, text)) => decode(status, &text).and_then(|data| {
                    ops::RefreshSessionData::from_json(data).map_err(|e| malformed(status, &e))
                }),
                Err(err) => Err(err),
            },
            Err(e) => Err(ApiError::Network(e.to_string())),
        };
        let outcome = match refreshed {
            Ok(data) => Ok(self.accept(data.refresh_session)),
            Err(err) => {
                if err.is_unauthenticated() {
                    self.forget();
                }
                Err(err)
            }
        };

        *self.inner.refresh.borrow_mut() = None;
        let waiters = {
            let mut flight = flight.borrow_mut();
            flight.outcome = Some(outcome.clone());
            std::mem::take(&mut flight.waiters)
        };
        for waker in waiters {
            waker.wake();
        }
        outcome
    }

    /// Ends the session on the server (clears the cookie) and here.
    pub async fn log_out(&self) -> Result<(), ApiError> {
        let result = self.run::<ops::LogOut>(&NoVariables {}).await.map(|_| ());
        self.forget();
        result
    }

    async fn post(&self, body: &str, token: Option<&str>) -> Result<(u16, String), ApiError> {
        let mut builder = Request::post(&self.inner.endpoint)
            .credentials(RequestCredentials::SameOrigin)
            .header("Accept", "application/json")
            .header("Content-Type", "application/json");
        if let Some(token) = token {
            builder = builder.header("Authorization", &format!("Bearer {token}"));
        }
        let request = builder
            .body(body)
            .map_err(|e| ApiError::Network(e.to_string()))?;
        let response = request
            .send()
            .await
            .map_err(|e| ApiError::Network(e.to_string()))?;
        let status = response.status();
        let text = response
            .text()
            .await
            .map_err(|e| ApiError::Network(format!("HTTP {status}: {e}")))?;
        Ok((status, text))
    }
}

/// A GraphQL response body's `data` as a `Value`, or its errors.
///
/// Not generic on purpose: the text is parsed into a `Value` here, once for every
/// operation, and only then read into the operation's types with [`FromJson`] (one small
/// function per type; serde's derived visitors for the ~60 response types were about a
/// fifth of the bundle's code).
fn decode(status: u16, text: &str) -> Result<Value, ApiError> {
    let value = parse_json(text).ok_or_else(|| malformed(status, &"not JSON"))?;
    let body: ops::Response<Value> = from_value(value).map_err(|e| malformed(status, &e))?;
    if !body.errors.is_empty() {
        return Err(ApiError::GraphQl(body.errors));
    }
    match body.data {
        Some(Value::Null) | None => Err(malformed(status, &"no data")),
        Some(data) => Ok(data),
    }
}

/// Parses JSON text with the browser's `JSON.parse` and copies it into a `Value`.
///
/// serde_json's own parser would do the same, but it brings serde's error formatting
/// along, and with it Rust's float formatting: ~14 KB of the bundle for messages about
/// malformed JSON that the API never sends.
pub fn parse_json(text: &str) -> Option<Value> {
    js_sys::JSON::parse(text).ok().map(|js| to_value(&js))
}

fn to_value(js: &wasm_bindgen::JsValue) -> Value {
    use wasm_bindgen::JsCast;
    if js.is_null() || js.is_undefined() {
        Value::Null
    } else if let Some(b) = js.as_bool() {
        Value::Bool(b)
    } else if let Some(n) = js.as_f64() {
        // Whole numbers in the safe integer range as integers, like serde_json reads them.
        if n.fract() == 0.0 && n.abs() <= 9_007_199_254_740_991.0 {
            Value::from(n as i64)
        } else {
            serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)
        }
    } else if let Some(text) = js.as_string() {
        Value::String(text)
    } else if let Some(array) = js.dyn_ref::<js_sys::Array>() {
        Value::Array(array.iter().map(|item| to_value(&item)).collect())
    } else {
        let mut map = serde_json::Map::new();
        if let Some(object) = js.dyn_ref::<js_sys::Object>() {
            for entry in js_sys::Object::entries(object).iter() {
                let pair: js_sys::Array = entry.unchecked_into();
                if let Some(key) = pair.get(0).as_string() {
                    map.insert(key, to_value(&pair.get(1)));
                }
            }
        }
        Value::Object(map)
    }
}

/// A response that is not what the operation expects.
fn malformed(status: u16, error: &dyn fmt::Display) -> ApiError {
    ApiError::Network(format!("HTTP {status}: {error}"))
}

/// Whether a response body's first error is UNAUTHENTICATED.
fn is_unauthenticated(text: &str) -> bool {
    parse_json(text)
        .and_then(|v| from_value::<ops::Response<serde_json::Value>>(v).ok())
        .and_then(|body| body.errors.first().map(GraphQlError::code))
        == Some(ErrorCode::Unauthenticated)
}

async fn get_with(path: &str, token: Option<&str>) -> Result<gloo_net::http::Response, ApiError> {
    let mut request = Request::get(path).credentials(RequestCredentials::SameOrigin);
    if let Some(token) = token {
        request = request.header("Authorization", &format!("Bearer {token}"));
    }
    request
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))
}

async fn wait_for(flight: Rc<RefCell<Flight>>) -> Result<Rc<AuthPayload>, ApiError> {
    poll_fn(|cx| {
        let mut flight = flight.borrow_mut();
        match &flight.outcome {
            Some(outcome) => Poll::Ready(outcome.clone()),
            None => {
                flight.waiters.push(cx.waker().clone());
                Poll::Pending
            }
        }
    })
    .await
}

/// The API client of the surrounding [`crate::hooks::session::SessionProvider`].
#[hook]
pub fn use_api() -> ApiClient {
    use_context::<ApiClient>().unwrap_or_default()
}
