//! A minimal WebSocket client speaking graphql-transport-ws, enough for the
//! subscription tests (RFC 6455 text frames, masked, no fragmentation or extensions), so
//! the tests need no WebSocket crate.

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
