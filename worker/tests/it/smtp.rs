//! Mail over SMTP: the worker's lettre transport talking to a local SMTP server (a small
//! one in this file that speaks enough of RFC 5321 for a plain, unauthenticated session).

use crate::helpers::{Fixture, wait_until};
use schema::jobs::{Job, JobEnvelope};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use uuid::Uuid;

#[derive(Clone, Debug, Default)]
struct Received {
    mail_from: String,
    rcpt_to: Vec<String>,
    data: String,
}

/// Accepts SMTP sessions on a free port and records every message.
async fn smtp_server() -> (u16, Arc<Mutex<Vec<Received>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let inbox: Arc<Mutex<Vec<Received>>> = Arc::default();
    let sink = inbox.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let sink = sink.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                let mut current = Received::default();
                write
                    .write_all(b"220 localhost ESMTP test\r\n")
                    .await
                    .unwrap();
                while let Ok(Some(line)) = lines.next_line().await {
                    let upper = line.to_ascii_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                        b"250-localhost\r\n250 8BITMIME\r\n"
                    } else if upper.starts_with("MAIL FROM:") {
                        current.mail_from = line[10..].trim().to_string();
                        b"250 OK\r\n"
                    } else if upper.starts_with("RCPT TO:") {
                        current.rcpt_to.push(line[8..].trim().to_string());
                        b"250 OK\r\n"
                    } else if upper == "DATA" {
                        write
                            .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                            .await
                            .unwrap();
                        while let Ok(Some(data)) = lines.next_line().await {
                            if data == "." {
                                break;
                            }
                            current.data.push_str(&data);
                            current.data.push('\n');
                        }
                        sink.lock().unwrap().push(std::mem::take(&mut current));
                        b"250 OK queued\r\n"
                    } else if upper == "QUIT" {
                        write.write_all(b"221 Bye\r\n").await.unwrap();
                        break;
                    } else if upper == "RSET" || upper == "NOOP" {
                        b"250 OK\r\n"
                    } else {
                        b"502 Command not implemented\r\n"
                    };
                    if write.write_all(reply).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    (port, inbox)
}

#[tokio::test]
async fn welcome_email_is_delivered_over_smtp() {
    let (port, inbox) = smtp_server().await;
    let fx = Fixture::new().await;
    let org = fx.db.organization("Acme").await;
    let user_id = fx.db.user(org, "Grace Hopper", "grace@example.com").await;
    let mail_url = format!("smtp://127.0.0.1:{port}");
    let worker = fx.spawn_worker(&[
        ("MAIL_URL", &mail_url),
        ("MAIL_FROM", "AsyncStand <standups@example.com>"),
    ]);
    worker.wait_consuming().await;

    let job_id = Uuid::new_v4();
    let envelope = JobEnvelope::new(
        job_id,
        Job::SendWelcomeEmail { user_id },
        chrono::Utc::now(),
    )
    .for_organization(org);
    fx.broker.publish_envelope(&envelope).await;
    let delivered = wait_until(Duration::from_secs(10), || async {
        !inbox.lock().unwrap().is_empty()
    })
    .await;
    assert!(delivered, "the SMTP server received nothing");
    // Processed once: the job is recorded, so no second delivery follows.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let messages = inbox.lock().unwrap().clone();
    assert_eq!(messages.len(), 1, "{messages:#?}");
    let message = &messages[0];
    assert_eq!(message.mail_from, "<standups@example.com>");
    assert_eq!(message.rcpt_to, vec!["<grace@example.com>".to_string()]);
    assert!(
        message
            .data
            .contains(&format!("Message-ID: <{job_id}@asyncstand>")),
        "{}",
        message.data
    );
    assert!(
        message.data.contains("text/plain") && message.data.contains("text/html"),
        "{}",
        message.data
    );
    assert!(message.data.contains("Grace Hopper"), "{}", message.data);
    worker.stop().await;
    fx.cleanup().await;
}
