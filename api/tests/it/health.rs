use crate::helpers::*;
use serde_json::Value;

#[tokio::test]
async fn healthz_and_readyz_answer() {
    let app = TestApp::spawn().await;
    let client = reqwest::Client::new();
    let health = client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status().as_u16(), 200);
    // RabbitMQ connects in the background; readiness follows within a few seconds.
    let mut last = Value::Null;
    for _ in 0..50 {
        let resp = client.get(app.url("/readyz")).send().await.unwrap();
        let status = resp.status().as_u16();
        last = resp.json().await.unwrap();
        if status == 200 {
            assert_eq!(last["postgres"], "up");
            assert_eq!(last["rabbitmq"], "up");
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("never ready: {last}");
}

#[tokio::test]
async fn readyz_names_rabbitmq_when_it_is_unreachable() {
    // Nothing listens on port 1: the broker is down as far as this api can tell.
    let app = TestApp::spawn_with(&[("AMQP_URL", "amqp://guest:guest@127.0.0.1:1/%2f")]).await;
    let resp = reqwest::get(app.url("/readyz")).await.unwrap();
    assert_eq!(resp.status().as_u16(), 503);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["rabbitmq"], "down");
    assert_eq!(body["postgres"], "up");
    assert!(
        body["message"].as_str().unwrap().contains("RabbitMQ"),
        "{body}"
    );
    // Liveness does not depend on dependencies.
    assert_eq!(
        reqwest::get(app.url("/healthz"))
            .await
            .unwrap()
            .status()
            .as_u16(),
        200
    );
}
