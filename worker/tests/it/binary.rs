use crate::helpers::{Fixture, base_vars, free_port, healthz, wait_until};
use std::{
    net::SocketAddr,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

#[tokio::test]
async fn the_binary_serves_healthz_and_exits_0_on_sigterm() {
    let fx = Fixture::without_topology().await;
    let port = free_port();
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let output = || {
        if std::env::var_os("TEST_LOG").is_some() {
            Stdio::inherit()
        } else {
            Stdio::null()
        }
    };
    let mut child = Command::new(env!("CARGO_BIN_EXE_worker"))
        .envs(base_vars())
        .envs(fx.vars())
        .env("WORKER_HEALTH_BIND", addr.to_string())
        .env("RUST_LOG", "info")
        .env("LOG_FORMAT", "json")
        .stdout(output())
        .stderr(output())
        .spawn()
        .unwrap();

    let healthy = wait_until(Duration::from_secs(20), || async {
        matches!(healthz(addr).await, Some((200, _)))
    })
    .await;
    if !healthy {
        let _ = child.kill();
        panic!("the worker binary never answered /healthz with 200");
    }
    let (_, body) = healthz(addr).await.unwrap();
    assert_eq!(body, serde_json::json!({"status": "ok", "rabbitmq": "up"}));

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let sent_at = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if sent_at.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            panic!("the worker did not exit within 10 s of SIGTERM");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "exit status after SIGTERM: {status}");

    // The binary declared the topology under the test's prefix; remove it.
    fx.cleanup().await;
}
