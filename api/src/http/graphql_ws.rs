//! `/graphql/ws`: GraphQL subscriptions over WebSocket (`graphql-transport-ws`, and the
//! older `graphql-ws` protocol), with the rules a long-lived socket needs:
//!
//! - Browsers may connect only from our own origin or a `CORS_ORIGINS` entry.
//! - Only subscription operations run. A query or mutation sent as `subscribe` is not
//!   executed: it gets an `error` message (send it with `POST /graphql`).
//! - The request limiter (`RATE_LIMIT_PER_MINUTE`) counts the upgrade, `connection_init`
//!   and every `subscribe`, per client address.
//! - At most `WS_MAX_SUBSCRIPTIONS` subscriptions run at once on one socket, and a user has
//!   at most `WS_MAX_CONNECTIONS_PER_USER` sockets open on one api process (anonymous
//!   sockets count per client address).
//! - A socket lives as long as the access token it was opened with: when the token expires
//!   it closes with code 4401, unless the client sent a fresh token before then in a
//!   `ping` message (`{"type":"ping","payload":{"Authorization":"Bearer <token>"}}`, the
//!   same user and organization), which moves the deadline to the new token's expiry.

use super::graphql::{operation_type, with_codes};
use super::rate_limit::RateLimiter;
use super::request::{graphql_error, meta, verify_bearer};
use crate::auth::AuthState;
use crate::graphql::AppSchema;
use crate::state::{AppState, RequestMeta};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use actix_ws::{
    AggregatedMessage, AggregatedMessageStream, CloseCode, CloseReason, ProtocolError, Session,
};
use async_graphql::parser::types::OperationType;
use async_graphql::{Request, Response};
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use futures_util::stream::{AbortHandle, BoxStream, SelectAll};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;
use tokio::time::Instant;

/// What we speak, in our order of preference.
const PROTOCOLS: [&str; 2] = ["graphql-transport-ws", "graphql-ws"];
/// `connection_init` must arrive this soon after the upgrade.
const INIT_TIMEOUT: Duration = Duration::from_secs(10);
/// WebSocket pings keep proxies from closing an idle socket; a client silent for
/// `CLIENT_TIMEOUT` is gone.
const HEARTBEAT: Duration = Duration::from_secs(15);
const CLIENT_TIMEOUT: Duration = Duration::from_secs(45);

/// Close codes: graphql-transport-ws's, where it defines one.
mod close {
    pub const BAD_MESSAGE: u16 = 4400;
    /// Not initialised, a token that does not verify, or the token expired.
    pub const UNAUTHORIZED: u16 = 4401;
    /// A new token for another user or organization.
    pub const FORBIDDEN: u16 = 4403;
    pub const INIT_TIMEOUT: u16 = 4408;
    pub const DUPLICATE_ID: u16 = 4409;
    /// A second `connection_init`, the request limit, or too many sockets for the user.
    pub const TOO_MANY: u16 = 4429;
    pub const PROTOCOL_ERROR: u16 = 1002;
    pub const TOO_BIG: u16 = 1009;
}

/// Open sockets per user (or per address, anonymous), for `WS_MAX_CONNECTIONS_PER_USER`.
#[derive(Default)]
pub struct WsConnections {
    open: Mutex<HashMap<String, usize>>,
}

/// One counted socket; dropping it frees the place.
struct ConnectionSlot {
    connections: web::Data<WsConnections>,
    key: String,
}

impl WsConnections {
    fn acquire(
        connections: &web::Data<WsConnections>,
        key: String,
        max: usize,
    ) -> Option<ConnectionSlot> {
        let mut open = connections
            .open
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let count = open.entry(key.clone()).or_insert(0);
        if *count >= max {
            return None;
        }
        *count += 1;
        Some(ConnectionSlot {
            connections: connections.clone(),
            key,
        })
    }
}

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        let mut open = self
            .connections
            .open
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = open.get_mut(&self.key) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&self.key);
            }
        }
    }
}

/// Upgrades to a WebSocket. Browsers send an Origin: only our own origin and configured
/// CORS origins may connect.
pub async fn upgrade(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
    schema: web::Data<AppSchema>,
    limiter: web::Data<RateLimiter>,
    connections: web::Data<WsConnections>,
) -> actix_web::Result<HttpResponse> {
    if let Some(origin) = req.headers().get("origin").and_then(|v| v.to_str().ok())
        && !origin_allowed(&req, &state, origin)
    {
        tracing::warn!(%origin, "websocket from a foreign origin refused");
        return Ok(graphql_error(
            StatusCode::FORBIDDEN,
            "FORBIDDEN",
            "origin not allowed",
        ));
    }
    let Some(protocol) = offered_protocol(&req) else {
        return Ok(graphql_error(
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            "Sec-WebSocket-Protocol must offer graphql-transport-ws (or graphql-ws)",
        ));
    };
    let (response, session, messages) =
        actix_ws::handle_with_protocols(&req, payload, &[protocol.name()])?;
    let max = state.settings.max_body_bytes;
    let messages = messages
        .max_frame_size(max)
        .aggregate_continuations()
        .max_continuation_size(max);
    let connection = Connection {
        protocol,
        session,
        schema: AppSchema::clone(&schema),
        meta: meta(&req, &state),
        header_authorization: req
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        state: state.get_ref().clone(),
        limiter,
        connections,
        auth: None,
        _slot: None,
        subscriptions: HashMap::new(),
        started: 0,
        streams: SelectAll::new(),
    };
    actix_web::rt::spawn(connection.run(messages));
    Ok(response)
}

fn origin_allowed(req: &HttpRequest, state: &AppState, origin: &str) -> bool {
    let origin = origin.trim_end_matches('/');
    if origin == state.settings.public_url
        || state.settings.cors_origins.iter().any(|o| o == origin)
    {
        return true;
    }
    let info = req.connection_info();
    origin == format!("{}://{}", info.scheme(), info.host())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Protocol {
    /// `graphql-transport-ws` (the graphql-ws library).
    TransportWs,
    /// `graphql-ws` (the older subscriptions-transport-ws).
    Legacy,
}

impl Protocol {
    fn name(self) -> &'static str {
        match self {
            Protocol::TransportWs => PROTOCOLS[0],
            Protocol::Legacy => PROTOCOLS[1],
        }
    }
}

/// The first protocol the client offers that we speak.
fn offered_protocol(req: &HttpRequest) -> Option<Protocol> {
    req.headers()
        .get_all("sec-websocket-protocol")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .find_map(|p| match p.trim() {
            p if p.eq_ignore_ascii_case(PROTOCOLS[0]) => Some(Protocol::TransportWs),
            p if p.eq_ignore_ascii_case(PROTOCOLS[1]) => Some(Protocol::Legacy),
            _ => None,
        })
}

/// A message from the client (both protocols' names).
#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum ClientMessage {
    ConnectionInit {
        #[serde(default)]
        payload: Option<Value>,
    },
    #[serde(alias = "start")]
    Subscribe {
        id: String,
        payload: Box<Request>,
    },
    #[serde(alias = "stop")]
    Complete {
        id: String,
    },
    ConnectionTerminate,
    Ping {
        #[serde(default)]
        payload: Option<Value>,
    },
    Pong {},
}

/// The caller of an initialised socket and when its token expires (none: anonymous).
struct Auth {
    state: AuthState,
    expires: Option<Instant>,
}

/// An item of one of the socket's subscriptions; `None` when it ended.
struct Event {
    id: String,
    generation: u64,
    response: Option<Response>,
}

/// What the socket does next.
enum Flow {
    Continue,
    /// Close with this code and reason.
    Close(u16, String),
    /// The client is gone.
    Gone,
}

struct Connection {
    protocol: Protocol,
    session: Session,
    schema: AppSchema,
    state: AppState,
    limiter: web::Data<RateLimiter>,
    connections: web::Data<WsConnections>,
    meta: RequestMeta,
    /// `Authorization` of the upgrade request (clients that are not browsers may send it).
    header_authorization: Option<String>,
    /// Set by `connection_init`.
    auth: Option<Auth>,
    /// This socket's place among its user's connections (freed when dropped).
    _slot: Option<ConnectionSlot>,
    /// Running subscriptions by the client's id, with the generation of their stream.
    subscriptions: HashMap<String, (u64, AbortHandle)>,
    started: u64,
    streams: SelectAll<BoxStream<'static, Event>>,
}

impl Connection {
    async fn run(mut self, mut messages: AggregatedMessageStream) {
        let opened = Instant::now();
        let mut heartbeat = tokio::time::interval_at(opened + HEARTBEAT, HEARTBEAT);
        let mut last_heard = opened;
        let close = loop {
            let deadline = match &self.auth {
                None => Some(opened + INIT_TIMEOUT),
                Some(auth) => auth.expires,
            };
            let flow = tokio::select! {
                message = messages.recv() => {
                    last_heard = Instant::now();
                    match message {
                        None | Some(Ok(AggregatedMessage::Close(_))) => Flow::Gone,
                        Some(Ok(AggregatedMessage::Text(text))) => self.on_message(text.as_bytes()).await,
                        Some(Ok(AggregatedMessage::Binary(bytes))) => self.on_message(&bytes).await,
                        Some(Ok(AggregatedMessage::Ping(bytes))) => match self.session.pong(&bytes).await {
                            Ok(()) => Flow::Continue,
                            Err(_) => Flow::Gone,
                        },
                        Some(Ok(AggregatedMessage::Pong(_))) => Flow::Continue,
                        Some(Err(ProtocolError::Overflow)) => Flow::Close(close::TOO_BIG, "message too big".into()),
                        Some(Err(ProtocolError::Io(_))) => Flow::Gone,
                        Some(Err(e)) => Flow::Close(close::PROTOCOL_ERROR, e.to_string()),
                    }
                }
                Some(event) = self.streams.next(), if !self.streams.is_empty() => self.on_event(event).await,
                () = tokio::time::sleep_until(deadline.unwrap_or(opened)), if deadline.is_some() => self.on_deadline(),
                _ = heartbeat.tick() => {
                    if last_heard.elapsed() > CLIENT_TIMEOUT || self.session.ping(b"").await.is_err() {
                        Flow::Gone
                    } else {
                        Flow::Continue
                    }
                }
            };
            match flow {
                Flow::Continue => {}
                Flow::Close(code, reason) => break Some((code, reason)),
                Flow::Gone => break None,
            }
        };
        tracing::debug!(?close, "websocket closing");
        let reason = close.map(|(code, description)| CloseReason {
            code: CloseCode::Other(code),
            description: Some(description),
        });
        // Subscriptions and the connection's place end with `self`.
        let _ = self.session.close(reason).await;
    }

    async fn on_message(&mut self, text: &[u8]) -> Flow {
        let message = match serde_json::from_slice::<ClientMessage>(text) {
            Ok(message) => message,
            Err(e) => return Flow::Close(close::BAD_MESSAGE, format!("invalid message: {e}")),
        };
        match message {
            ClientMessage::ConnectionInit { payload } => self.on_init(payload).await,
            ClientMessage::Subscribe { id, payload } => self.on_subscribe(id, *payload).await,
            ClientMessage::Complete { id } => {
                let Some((_, handle)) = self.subscriptions.remove(&id) else {
                    return Flow::Continue;
                };
                handle.abort();
                match self.protocol {
                    Protocol::Legacy => self.send(json!({ "id": id, "type": "complete" })).await,
                    Protocol::TransportWs => Flow::Continue,
                }
            }
            ClientMessage::ConnectionTerminate => Flow::Close(1000, "terminated".into()),
            ClientMessage::Ping { payload } => self.on_ping(payload).await,
            ClientMessage::Pong {} => Flow::Continue,
        }
    }

    async fn on_init(&mut self, payload: Option<Value>) -> Flow {
        if self.auth.is_some() {
            return Flow::Close(close::TOO_MANY, "Too many initialisation requests".into());
        }
        if let Err(retry) = self.within_rate_limit() {
            return Flow::Close(
                close::TOO_MANY,
                format!("too many requests; try again in {retry} seconds"),
            );
        }
        let authorization = payload
            .as_ref()
            .and_then(authorization)
            .or_else(|| self.header_authorization.clone());
        let auth = match authorization {
            None => Auth {
                state: AuthState::Anonymous,
                expires: None,
            },
            Some(value) => match verify_bearer(&value, &self.state) {
                Ok((caller, expires_at)) => Auth {
                    state: AuthState::Verified(caller),
                    expires: Some(instant_at(expires_at)),
                },
                Err(_) => {
                    return Flow::Close(
                        close::UNAUTHORIZED,
                        "invalid or expired access token".into(),
                    );
                }
            },
        };
        let key = match &auth.state {
            AuthState::Verified(caller) => format!("user:{}", caller.user),
            _ => format!("address:{}", self.meta.ip),
        };
        let max = self.state.settings.deployment.ws_max_connections_per_user;
        let Some(slot) = WsConnections::acquire(&self.connections, key, max) else {
            tracing::info!(max, "websocket refused: too many connections for one user");
            return Flow::Close(
                close::TOO_MANY,
                format!("too many open connections (at most {max} per user)"),
            );
        };
        self._slot = Some(slot);
        self.auth = Some(auth);
        self.send(json!({ "type": "connection_ack" })).await
    }

    async fn on_subscribe(&mut self, id: String, request: Request) -> Flow {
        let Some(auth) = &self.auth else {
            return Flow::Close(close::UNAUTHORIZED, "Unauthorized".into());
        };
        if self.subscriptions.contains_key(&id) {
            return Flow::Close(
                close::DUPLICATE_ID,
                format!("Subscriber for {id} already exists"),
            );
        }
        let auth_state = auth.state.clone();
        if let Err(retry) = self.within_rate_limit() {
            let message = format!("too many requests; try again in {retry} seconds");
            return self.error(&id, "RATE_LIMITED", &message).await;
        }
        // Unparsable documents and unknown operation names go on: the executor reports them
        // without running anything.
        if let Some(kind) = operation_type(&request.query, request.operation_name.as_deref())
            && kind != OperationType::Subscription
        {
            let message = "subscribe: only subscription operations run over WebSocket; send queries and mutations with POST /graphql";
            return self.error(&id, "BAD_USER_INPUT", message).await;
        }
        let max = self.state.settings.deployment.ws_max_subscriptions;
        if self.subscriptions.len() >= max {
            let message = format!(
                "subscribe: at most {max} subscriptions run at once on one connection; complete one first"
            );
            return self.error(&id, "RATE_LIMITED", &message).await;
        }
        let request = request.data(self.meta.clone()).data(auth_state);
        let responses = self
            .schema
            .execute_stream(request)
            .map(|response| Some(with_codes(response)))
            .chain(futures_util::stream::iter([None]));
        let (responses, handle) = futures_util::stream::abortable(responses);
        self.started += 1;
        let generation = self.started;
        let event_id = id.clone();
        self.streams.push(
            responses
                .map(move |response| Event {
                    id: event_id.clone(),
                    generation,
                    response,
                })
                .boxed(),
        );
        self.subscriptions.insert(id, (generation, handle));
        Flow::Continue
    }

    /// A `ping` answers `pong`; one carrying `{"Authorization": "Bearer <token>"}` also
    /// re-authenticates the socket (same user and organization) until that token expires.
    async fn on_ping(&mut self, payload: Option<Value>) -> Flow {
        if let (Some(value), Some(auth)) =
            (payload.as_ref().and_then(authorization), &mut self.auth)
        {
            let current = match auth.state {
                AuthState::Verified(caller) => Some(caller),
                _ => None,
            };
            match verify_bearer(&value, &self.state) {
                Err(_) => {
                    return Flow::Close(
                        close::UNAUTHORIZED,
                        "invalid or expired access token".into(),
                    );
                }
                Ok((caller, expires_at))
                    if current.is_some_and(|c| c.user == caller.user && c.org == caller.org) =>
                {
                    auth.state = AuthState::Verified(caller);
                    auth.expires = Some(instant_at(expires_at));
                }
                Ok(_) => {
                    return Flow::Close(
                        close::FORBIDDEN,
                        "a new token must be for the same user and organization".into(),
                    );
                }
            }
        }
        self.send(json!({ "type": "pong" })).await
    }

    async fn on_event(&mut self, event: Event) -> Flow {
        // A subscription the client completed meanwhile (or an older one with its id).
        if self.subscriptions.get(&event.id).map(|(g, _)| *g) != Some(event.generation) {
            return Flow::Continue;
        }
        match event.response {
            Some(response) => {
                let kind = match self.protocol {
                    Protocol::TransportWs => "next",
                    Protocol::Legacy => "data",
                };
                self.send(json!({ "id": event.id, "type": kind, "payload": response }))
                    .await
            }
            None => {
                self.subscriptions.remove(&event.id);
                self.send(json!({ "id": event.id, "type": "complete" }))
                    .await
            }
        }
    }

    fn on_deadline(&self) -> Flow {
        if self.auth.is_none() {
            return Flow::Close(
                close::INIT_TIMEOUT,
                "Connection initialisation timeout".into(),
            );
        }
        Flow::Close(close::UNAUTHORIZED, "access token expired".into())
    }

    fn within_rate_limit(&self) -> Result<(), u64> {
        match self.state.settings.rate_limit_per_minute {
            0 => Ok(()),
            per_minute => self.limiter.check(&self.meta.ip, per_minute),
        }
    }

    /// An `error` message for operation `id`: it did not run.
    async fn error(&mut self, id: &str, code: &str, message: &str) -> Flow {
        self.send(json!({
            "id": id,
            "type": "error",
            "payload": [{ "message": message, "extensions": { "code": code } }],
        }))
        .await
    }

    async fn send(&mut self, message: Value) -> Flow {
        match self.session.text(message.to_string()).await {
            Ok(()) => Flow::Continue,
            Err(_) => Flow::Gone,
        }
    }
}

/// `Authorization` (or `authorization`) of a `connection_init` or `ping` payload.
fn authorization(payload: &Value) -> Option<String> {
    payload
        .get("Authorization")
        .or_else(|| payload.get("authorization"))
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// The instant of `at` on the monotonic clock (now, when it has passed).
fn instant_at(at: DateTime<Utc>) -> Instant {
    Instant::now() + (at - Utc::now()).to_std().unwrap_or(Duration::ZERO)
}
