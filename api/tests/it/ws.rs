//! A minimal WebSocket client speaking graphql-transport-ws, enough for the
//! subscription tests (RFC 6455 text frames, masked, no fragmentation or extensions), so
//! the tests need no WebSocket crate; and the rules of `/graphql/ws`: subscriptions only,
//! limits per connection, per user and per client, and the access token's lifetime.

use crate::helpers::*;
use crate::standups::{STANDUP_EVENTS, event};
use schema::events::StandupEventKind;
use serde_json::{Value, json};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub struct WsClient {
    stream: TcpStream,
    buf: Vec<u8>,
}

/// What the server sent.
#[derive(Debug)]
pub enum Incoming {
    Message(Value),
    /// A close frame with its status code (0 when it carried none).
    Closed(u16),
    /// Nothing within the wait (or the socket ended).
    Nothing,
}

impl WsClient {
    /// Opens `/graphql/ws` on `address` (`http://host:port`) with graphql-transport-ws.
    pub async fn connect(address: &str) -> WsClient {
        let host = address.trim_start_matches("http://");
        let mut stream = TcpStream::connect(host).await.expect("tcp connect");
        let request = format!(
            "GET /graphql/ws HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
             Sec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n"
        );
        stream.write_all(request.as_bytes()).await.expect("write");
        let mut buf = Vec::new();
        let end = loop {
            let mut chunk = [0u8; 1024];
            let n = stream.read(&mut chunk).await.expect("read handshake");
            assert!(n > 0, "socket closed during the handshake");
            buf.extend_from_slice(&chunk[..n]);
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
        };
        let head = String::from_utf8_lossy(&buf[..end]).to_string();
        assert!(
            head.starts_with("HTTP/1.1 101"),
            "no websocket upgrade: {head}"
        );
        let buf = buf[end..].to_vec();
        WsClient { stream, buf }
    }

    /// Connects and sends `connection_init` with `Authorization: Bearer {token}` (none
    /// when `token` is `None`); returns the client and the server's first reply.
    pub async fn init(address: &str, token: Option<&str>) -> (WsClient, Incoming) {
        let mut ws = WsClient::connect(address).await;
        let payload = match token {
            Some(t) => json!({ "Authorization": format!("Bearer {t}") }),
            None => json!({}),
        };
        ws.send(&json!({ "type": "connection_init", "payload": payload }))
            .await;
        let first = ws.next(Duration::from_secs(5)).await;
        (ws, first)
    }

    pub async fn subscribe(&mut self, id: &str, query: &str, variables: Value) {
        self.send(&json!({ "id": id, "type": "subscribe", "payload": { "query": query, "variables": variables } }))
            .await;
    }

    pub async fn send(&mut self, message: &Value) {
        self.send_frame(0x1, message.to_string().as_bytes()).await;
    }

    async fn send_frame(&mut self, opcode: u8, payload: &[u8]) {
        let mask = [0x12u8, 0x34, 0x56, 0x78];
        let mut frame = vec![0x80 | opcode];
        let len = payload.len();
        if len < 126 {
            frame.push(0x80 | len as u8);
        } else if len < 65536 {
            frame.push(0x80 | 126);
            frame.extend_from_slice(&(len as u16).to_be_bytes());
        } else {
            frame.push(0x80 | 127);
            frame.extend_from_slice(&(len as u64).to_be_bytes());
        }
        frame.extend_from_slice(&mask);
        frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        self.stream.write_all(&frame).await.expect("write frame");
    }

    async fn fill(&mut self, want: usize) -> bool {
        while self.buf.len() < want {
            let mut chunk = [0u8; 4096];
            match self.stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return false,
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
            }
        }
        true
    }

    /// The next frame: (opcode, payload).
    async fn frame(&mut self) -> Option<(u8, Vec<u8>)> {
        if !self.fill(2).await {
            return None;
        }
        let opcode = self.buf[0] & 0x0f;
        let masked = self.buf[1] & 0x80 != 0;
        let (len, mut at) = match self.buf[1] & 0x7f {
            126 => {
                if !self.fill(4).await {
                    return None;
                }
                (u16::from_be_bytes([self.buf[2], self.buf[3]]) as usize, 4)
            }
            127 => {
                if !self.fill(10).await {
                    return None;
                }
                let mut b = [0u8; 8];
                b.copy_from_slice(&self.buf[2..10]);
                (u64::from_be_bytes(b) as usize, 10)
            }
            n => (n as usize, 2),
        };
        let mask_at = at;
        if masked {
            at += 4;
        }
        if !self.fill(at + len).await {
            return None;
        }
        let mut payload = self.buf[at..at + len].to_vec();
        if masked {
            let mask: Vec<u8> = self.buf[mask_at..mask_at + 4].to_vec();
            for (i, b) in payload.iter_mut().enumerate() {
                *b ^= mask[i % 4];
            }
        }
        self.buf.drain(..at + len);
        Some((opcode, payload))
    }

    /// The next message within `wait`; answers pings on the way.
    pub async fn next(&mut self, wait: Duration) -> Incoming {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let frame = match tokio::time::timeout_at(deadline, self.frame()).await {
                Ok(Some(frame)) => frame,
                Ok(None) | Err(_) => return Incoming::Nothing,
            };
            match frame {
                (0x1, payload) => {
                    let message: Value = serde_json::from_slice(&payload).expect("json message");
                    if message["type"] == "ping" {
                        self.send(&json!({ "type": "pong" })).await;
                        continue;
                    }
                    return Incoming::Message(message);
                }
                (0x8, payload) => {
                    let code = if payload.len() >= 2 {
                        u16::from_be_bytes([payload[0], payload[1]])
                    } else {
                        0
                    };
                    return Incoming::Closed(code);
                }
                (0x9, payload) => self.send_frame(0xA, &payload).await,
                _ => {}
            }
        }
    }
}

fn acked(reply: &Incoming) -> bool {
    matches!(reply, Incoming::Message(m) if m["type"] == "connection_ack")
}

/// The `error` message of operation `id`: (code, message).
async fn operation_error(ws: &mut WsClient, id: &str) -> (String, String) {
    match ws.next(Duration::from_secs(5)).await {
        Incoming::Message(m) if m["type"] == "error" && m["id"] == id => (
            m["payload"][0]["extensions"]["code"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            m["payload"][0]["message"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        ),
        other => panic!("expected an error for {id}, got {other:?}"),
    }
}

/// An access token for `token`'s session that expires in about `seconds`.
fn short_lived_token(app: &TestApp, token: &str, seconds: u64) -> String {
    let caller = app.state.jwt.verify(token).expect("a valid token");
    let mut settings = (*app.state.settings).clone();
    settings.access_token_ttl = Duration::from_secs(seconds);
    api::auth::jwt::JwtKeys::new(&settings)
        .issue(&caller)
        .expect("signed")
        .0
}

#[tokio::test]
async fn only_subscriptions_run_over_the_socket() {
    let app = TestApp::spawn().await;
    let owner = app.sign_up("owner@a.example", "A").await;
    let (mut ws, ack) = WsClient::init(&app.address, Some(&owner.token)).await;
    assert!(acked(&ack), "{ack:?}");

    // A mutation sent as `subscribe` is refused, naming the rule, and changes nothing.
    ws.subscribe(
        "1",
        "mutation($input: CreateTeamInput!) { createTeam(input: $input) { id } }",
        json!({ "input": { "name": "Sneaky", "timezone": "UTC" } }),
    )
    .await;
    let (code, message) = operation_error(&mut ws, "1").await;
    assert_eq!(code, "BAD_USER_INPUT");
    assert!(
        message.contains("only subscription operations"),
        "{message}"
    );
    assert!(message.contains("POST /graphql"), "{message}");
    let teams = app
        .graphql_as(&owner.token, "{ teams { name } }", json!({}))
        .await;
    assert_eq!(teams["data"]["teams"], json!([]), "{teams}");

    // A query too; named operations are judged by the one selected.
    ws.subscribe("2", "{ viewer { user { email } } }", json!({}))
        .await;
    assert_eq!(operation_error(&mut ws, "2").await.0, "BAD_USER_INPUT");
    ws.send(&json!({ "id": "3", "type": "subscribe", "payload": {
        "query": "subscription S($team: ID!) { standupEvents(teamId: $team) { kind } } mutation M { logOut }",
        "operationName": "M",
    } }))
    .await;
    assert_eq!(operation_error(&mut ws, "3").await.0, "BAD_USER_INPUT");
    let viewer = app.graphql_as(&owner.token, VIEWER, json!({})).await;
    assert!(viewer["data"]["viewer"].is_object(), "logOut ran: {viewer}");

    // The socket stays usable for subscriptions, named ones too.
    let team = crate::teams::create_team(&app, &owner.token, "Platform").await;
    ws.subscribe(
        "4",
        "subscription Live($team: ID!) { standupEvents(teamId: $team) { kind standupId teamId userId at } }",
        json!({ "team": team }),
    )
    .await;
    crate::standups::until_live(&mut ws, || {
        app.state.events.publish(event(
            StandupEventKind::Opened,
            &owner.org_id,
            &team,
            uuid::Uuid::new_v4(),
        ))
    })
    .await;
}

#[tokio::test]
async fn subscriptions_per_connection_are_capped() {
    let app = TestApp::spawn_with(&[("WS_MAX_SUBSCRIPTIONS", "2")]).await;
    let owner = app.sign_up("owner@a.example", "A").await;
    let team = crate::teams::create_team(&app, &owner.token, "Platform").await;
    let (mut ws, ack) = WsClient::init(&app.address, Some(&owner.token)).await;
    assert!(acked(&ack), "{ack:?}");
    for id in ["1", "2"] {
        ws.subscribe(id, STANDUP_EVENTS, json!({ "team": team }))
            .await;
    }
    ws.subscribe("3", STANDUP_EVENTS, json!({ "team": team }))
        .await;
    let (code, message) = operation_error(&mut ws, "3").await;
    assert_eq!(code, "RATE_LIMITED");
    assert!(message.contains("at most 2 subscriptions"), "{message}");

    // Completing one makes room for another.
    ws.send(&json!({ "id": "1", "type": "complete" })).await;
    ws.subscribe("4", STANDUP_EVENTS, json!({ "team": team }))
        .await;
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..50 {
        app.state.events.publish(event(
            StandupEventKind::Opened,
            &owner.org_id,
            &team,
            uuid::Uuid::new_v4(),
        ));
        while let Incoming::Message(m) = ws.next(Duration::from_millis(200)).await {
            assert_eq!(m["type"], "next", "{m}");
            seen.insert(m["id"].as_str().unwrap().to_string());
        }
        if seen.contains("2") && seen.contains("4") {
            break;
        }
    }
    assert_eq!(
        seen.into_iter().collect::<Vec<_>>(),
        ["2", "4"],
        "the completed subscription stops, the other two run"
    );
}

#[tokio::test]
async fn connections_per_user_are_capped() {
    let app = TestApp::spawn_with(&[("WS_MAX_CONNECTIONS_PER_USER", "2")]).await;
    let owner = app.sign_up("owner@a.example", "A").await;
    let other = app.sign_up("other@b.example", "B").await;
    let (first, ack) = WsClient::init(&app.address, Some(&owner.token)).await;
    assert!(acked(&ack), "{ack:?}");
    let (_second, ack) = WsClient::init(&app.address, Some(&owner.token)).await;
    assert!(acked(&ack), "{ack:?}");
    let (_, refused) = WsClient::init(&app.address, Some(&owner.token)).await;
    assert!(matches!(refused, Incoming::Closed(4429)), "{refused:?}");
    // Someone else is not affected.
    let (_, ack) = WsClient::init(&app.address, Some(&other.token)).await;
    assert!(acked(&ack), "{ack:?}");

    // A closed connection frees its place.
    drop(first);
    let mut reopened = false;
    for _ in 0..50 {
        let (_ws, reply) = WsClient::init(&app.address, Some(&owner.token)).await;
        if acked(&reply) {
            reopened = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(reopened, "the place of the closed connection was not freed");
}

#[tokio::test]
async fn the_request_limit_counts_connection_init_and_subscribe() {
    // Each upgrade, connection_init and subscribe counts as one request of the client.
    let app = TestApp::spawn_with(&[("RATE_LIMIT_PER_MINUTE", "4")]).await;
    let owner = app.sign_up("owner@a.example", "A").await; // 1
    let mut a = WsClient::connect(&app.address).await; // 2
    let mut b = WsClient::connect(&app.address).await; // 3
    let init = |token: &str| json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } });
    a.send(&init(&owner.token)).await; // 4
    let ack = a.next(Duration::from_secs(5)).await;
    assert!(acked(&ack), "{ack:?}");
    b.send(&init(&owner.token)).await; // 5: over
    let refused = b.next(Duration::from_secs(5)).await;
    assert!(matches!(refused, Incoming::Closed(4429)), "{refused:?}");
    a.subscribe("1", STANDUP_EVENTS, json!({ "team": uuid::Uuid::new_v4() }))
        .await; // 6: over
    let (code, message) = operation_error(&mut a, "1").await;
    assert_eq!(code, "RATE_LIMITED");
    assert!(message.contains("try again in"), "{message}");
}

#[tokio::test]
async fn the_socket_closes_when_its_access_token_expires() {
    let app = TestApp::spawn().await;
    let owner = app.sign_up("owner@a.example", "A").await;
    let token = short_lived_token(&app, &owner.token, 2);
    let (mut ws, ack) = WsClient::init(&app.address, Some(&token)).await;
    assert!(acked(&ack), "{ack:?}");
    let closed = ws.next(Duration::from_secs(8)).await;
    assert!(matches!(closed, Incoming::Closed(4401)), "{closed:?}");
}

#[tokio::test]
async fn a_fresh_token_in_a_ping_keeps_the_socket_open() {
    let app = TestApp::spawn().await;
    let owner = app.sign_up("owner@a.example", "A").await;
    let (mut ws, ack) = WsClient::init(
        &app.address,
        Some(&short_lived_token(&app, &owner.token, 2)),
    )
    .await;
    assert!(acked(&ack), "{ack:?}");
    // The client's refreshed token, before the old one expires.
    ws.send(&json!({ "type": "ping", "payload": { "Authorization": format!("Bearer {}", owner.token) } }))
        .await;
    let pong = ws.next(Duration::from_secs(5)).await;
    assert!(
        matches!(&pong, Incoming::Message(m) if m["type"] == "pong"),
        "{pong:?}"
    );
    // Past the first token's expiry the socket is still open and answers.
    assert!(matches!(
        ws.next(Duration::from_secs(4)).await,
        Incoming::Nothing
    ));
    ws.send(&json!({ "type": "ping" })).await;
    let pong = ws.next(Duration::from_secs(5)).await;
    assert!(
        matches!(&pong, Incoming::Message(m) if m["type"] == "pong"),
        "{pong:?}"
    );

    // Another person's token cannot take the socket over.
    let other = app.sign_up("other@b.example", "B").await;
    ws.send(&json!({ "type": "ping", "payload": { "Authorization": format!("Bearer {}", other.token) } }))
        .await;
    let closed = ws.next(Duration::from_secs(5)).await;
    assert!(matches!(closed, Incoming::Closed(4403)), "{closed:?}");
}
