//! The job pipeline end to end: api -> outbox -> RabbitMQ -> worker -> file mailer.

use crate::helpers::*;
use serde_json::json;
use std::time::Duration;

const REQUEST_RESET: &str = "mutation($email: String!) { requestPasswordReset(email: $email) }";
const RESET: &str = "mutation($input: ResetPasswordInput!) { resetPassword(input: $input) }";
const FAILED_JOBS: &str = "query($first: Int, $after: String) { failedJobs(first: $first, after: $after) { edges { cursor node { id kind error attempts failedAt retriedAt } } pageInfo { hasNextPage endCursor } } }";
const RETRY: &str = "mutation($id: ID!) { retryFailedJob(id: $id) { id retriedAt } }";

/// Undoes quoted-printable soft line breaks and `=3D`, so links can be read from the text.
fn unfold(mail: &str) -> String {
    mail.replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=")
}

pub(crate) fn reset_token(mail: &str) -> String {
    let text = unfold(mail);
    let start =
        text.find("reset-password?token=").expect("a reset link") + "reset-password?token=".len();
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

#[tokio::test]
async fn one_sign_up_sends_exactly_one_welcome_email() {
    let app = TestApp::spawn().await;
    let worker = app.start_worker().await;
    let owner = app.signed_up_owner().await;
    let mails = app.wait_for_emails(&owner.email, "Welcome", 1).await;
    assert!(
        mails[0].contains("text/plain") && mails[0].contains("text/html"),
        "{}",
        mails[0]
    );
    // Give a duplicate every chance to show up.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(app.emails_to(&owner.email, "Welcome").len(), 1);
    assert_eq!(app.emails().len(), 1);

    let metrics = reqwest::get(app.url("/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("asyncstand_jobs_published_total 1"),
        "{metrics}"
    );
    assert!(metrics.contains("asyncstand_outbox_backlog 0"), "{metrics}");
    worker.stop().await;
}

#[tokio::test]
async fn password_reset_end_to_end() {
    let app = TestApp::spawn().await;
    let _worker = app.start_worker().await;
    let owner = app.signed_up_owner().await;

    for email in [owner.email.as_str(), "nobody-here@example.com"] {
        let body = app.graphql(REQUEST_RESET, json!({ "email": email })).await;
        assert_eq!(body["data"]["requestPasswordReset"], true, "{body}");
    }
    let mails = app
        .wait_for_emails(&owner.email, "reset-password?token=", 1)
        .await;
    let token = reset_token(&mails[0]);
    assert_eq!(token.len(), 43, "{token}");
    assert!(
        app.emails_to("nobody-here@example.com", "").is_empty(),
        "no e-mail for unknown accounts"
    );

    // Validation names the field; a wrong token changes nothing.
    let weak = app
        .graphql(
            RESET,
            json!({ "input": { "token": token, "newPassword": "short" } }),
        )
        .await;
    assert_eq!(error_code(&weak), "BAD_USER_INPUT");
    assert_eq!(weak["errors"][0]["extensions"]["field"], "newPassword");
    let wrong = app.graphql(RESET, json!({ "input": { "token": "x".repeat(43), "newPassword": "a brand new passphrase" } })).await;
    assert_eq!(
        wrong["errors"][0]["extensions"]["field"], "token",
        "{wrong}"
    );

    let done = app
        .graphql(
            RESET,
            json!({ "input": { "token": token, "newPassword": "a brand new passphrase" } }),
        )
        .await;
    assert_eq!(done["data"]["resetPassword"], true, "{done}");

    // Every old session is over: access token and refresh cookie.
    assert_eq!(
        error_code(&app.graphql_as(&owner.token, ORGANIZATION, json!({})).await),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        error_code(
            &app.graphql_with(&owner.client, None, REFRESH, json!({}))
                .await
        ),
        "UNAUTHENTICATED"
    );
    // The old password is gone, the new one works.
    let old = app
        .graphql(
            LOG_IN,
            json!({ "input": { "email": owner.email, "password": PASSWORD } }),
        )
        .await;
    assert_eq!(error_code(&old), "UNAUTHENTICATED");
    let new = app
        .graphql(
            LOG_IN,
            json!({ "input": { "email": owner.email, "password": "a brand new passphrase" } }),
        )
        .await;
    assert!(new["data"]["logIn"].is_object(), "{new}");
    // The token works once.
    let again = app
        .graphql(
            RESET,
            json!({ "input": { "token": token, "newPassword": "yet another passphrase" } }),
        )
        .await;
    assert_eq!(error_code(&again), "BAD_USER_INPUT", "{again}");
    assert_eq!(again["errors"][0]["extensions"]["field"], "token");
}

#[tokio::test]
async fn password_reset_requests_are_throttled_per_account() {
    let app = TestApp::spawn().await;
    for _ in 0..5 {
        let body = app
            .graphql(REQUEST_RESET, json!({ "email": "someone@example.com" }))
            .await;
        assert_eq!(body["data"]["requestPasswordReset"], true, "{body}");
    }
    let body = app
        .graphql(REQUEST_RESET, json!({ "email": "someone@example.com" }))
        .await;
    assert_eq!(error_code(&body), "RATE_LIMITED", "{body}");
    let bad = app
        .graphql(REQUEST_RESET, json!({ "email": "not an address" }))
        .await;
    assert_eq!(bad["errors"][0]["extensions"]["field"], "email", "{bad}");
}

#[tokio::test]
async fn a_poison_job_is_retried_dead_lettered_listed_and_run_again() {
    use diesel_async::SimpleAsyncConnection;
    let app = TestApp::spawn().await;
    let _worker = app.start_worker_with(&[("WORKER_MAX_ATTEMPTS", "3")]).await;
    let owner = app.signed_up_owner().await;
    app.wait_for_emails(&owner.email, "Welcome", 1).await;

    // A welcome e-mail for a user that does not exist fails on every attempt.
    let ghost = uuid::Uuid::new_v4();
    let job = uuid::Uuid::new_v4();
    let envelope = json!({
        "id": job, "version": 1, "organization_id": owner.org_id, "enqueued_at": chrono::Utc::now(),
        "attempt": 0, "trace_id": null, "job": { "kind": "send_welcome_email", "payload": { "user_id": ghost } }
    });
    app.db()
        .await
        .batch_execute(&format!(
            "INSERT INTO outbox (id, org_id, kind, payload) VALUES ('{job}', '{}', 'send_welcome_email', '{envelope}')",
            owner.org_id
        ))
        .await
        .unwrap();

    let mut listed = serde_json::Value::Null;
    for _ in 0..100 {
        listed = app
            .graphql_as(&owner.token, FAILED_JOBS, json!({ "first": 10 }))
            .await;
        if listed["data"]["failedJobs"]["edges"]
            .as_array()
            .is_some_and(|e| !e.is_empty())
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let node = &listed["data"]["failedJobs"]["edges"][0]["node"];
    assert_eq!(node["id"], job.to_string(), "{listed}");
    assert_eq!(node["kind"], "send_welcome_email");
    assert_eq!(node["attempts"], 3);
    assert!(node["retriedAt"].is_null());

    // Members may not see or retry failed jobs; other tenants get NOT_FOUND.
    let other = app.signed_up_owner().await;
    let theirs = app.graphql_as(&other.token, FAILED_JOBS, json!({})).await;
    assert_eq!(theirs["data"]["failedJobs"]["edges"], json!([]), "{theirs}");
    let steal = app
        .graphql_as(&other.token, RETRY, json!({ "id": job }))
        .await;
    assert_eq!(error_code(&steal), "NOT_FOUND", "{steal}");
    app.db()
        .await
        .batch_execute(&format!(
            "UPDATE memberships SET role = 'MEMBER' WHERE user_id = '{}'",
            other.user_id
        ))
        .await
        .unwrap();
    assert_eq!(
        error_code(&app.graphql_as(&other.token, FAILED_JOBS, json!({})).await),
        "FORBIDDEN"
    );
    assert_eq!(
        error_code(
            &app.graphql_as(&owner.token, FAILED_JOBS, json!({ "first": 500 }))
                .await
        ),
        "BAD_USER_INPUT"
    );

    // Fix the cause (the user now exists), retry: the e-mail goes out, the list empties.
    app.db()
        .await
        .batch_execute(&format!(
            "INSERT INTO users (id, email, name, password_hash) VALUES ('{ghost}', 'ghost@example.com', 'Ghost', 'x');
             INSERT INTO memberships (org_id, user_id, role) VALUES ('{}', '{ghost}', 'MEMBER')",
            owner.org_id
        ))
        .await
        .unwrap();
    let retried = app
        .graphql_as(&owner.token, RETRY, json!({ "id": job }))
        .await;
    assert!(
        retried["data"]["retryFailedJob"]["retriedAt"].is_string(),
        "{retried}"
    );
    app.wait_for_emails("ghost@example.com", "Welcome", 1).await;
    let after = app.graphql_as(&owner.token, FAILED_JOBS, json!({})).await;
    assert_eq!(after["data"]["failedJobs"]["edges"], json!([]), "{after}");
    let twice = app
        .graphql_as(&owner.token, RETRY, json!({ "id": job }))
        .await;
    assert_eq!(error_code(&twice), "CONFLICT", "{twice}");
}

#[tokio::test]
async fn failed_jobs_page_with_cursors() {
    use diesel_async::SimpleAsyncConnection;
    let app = TestApp::spawn().await;
    let owner = app.signed_up_owner().await;
    let mut sql = String::new();
    for i in 0..5 {
        sql.push_str(&format!(
            "INSERT INTO failed_jobs (id, org_id, kind, envelope, error, attempts, failed_at) VALUES ('{}', '{}', 'send_welcome_email', '{{}}', 'boom', 5, now() - interval '{i} minutes');",
            uuid::Uuid::new_v4(),
            owner.org_id
        ));
    }
    app.db().await.batch_execute(&sql).await.unwrap();
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = app
            .graphql_as(
                &owner.token,
                FAILED_JOBS,
                json!({ "first": 2, "after": after }),
            )
            .await;
        let conn = &page["data"]["failedJobs"];
        for edge in conn["edges"].as_array().unwrap() {
            seen.push(edge["node"]["failedAt"].as_str().unwrap().to_string());
        }
        if !conn["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            break;
        }
        after = conn["pageInfo"]["endCursor"].as_str().map(str::to_string);
    }
    assert_eq!(seen.len(), 5);
    let mut sorted = seen.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(seen, sorted, "newest first");
    let bad = app
        .graphql_as(&owner.token, FAILED_JOBS, json!({ "after": "garbage" }))
        .await;
    assert_eq!(bad["errors"][0]["extensions"]["field"], "after");
}

/// What a published job looks like on the wire: the envelope's id as `message_id`, its
/// kind as `type`, the enqueue time as `timestamp`, persistent JSON, and the id of the
/// request that caused it (as its audit row records it) as the envelope's trace id, and
/// the database whose outbox it came from.
#[tokio::test]
async fn a_published_job_carries_its_id_kind_timestamp_and_the_request_trace_id() {
    use lapin::options::BasicGetOptions;
    let app = TestApp::spawn().await;
    let before = chrono::Utc::now().timestamp();
    let owner = app.signed_up_owner().await;
    let after = chrono::Utc::now().timestamp();

    // No worker runs: the welcome job waits in the jobs queue.
    let url = std::env::var("AMQP_URL")
        .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".into());
    let connection = schema_server::amqp::connect(&url, "asyncstand-test-reader")
        .await
        .expect("connect");
    let channel = connection.create_channel().await.expect("channel");
    let queue = schema_server::amqp::Topology::new(app.amqp_prefix.clone()).jobs_queue();
    let mut message = None;
    for _ in 0..100 {
        message = channel
            .basic_get(queue.as_str().into(), BasicGetOptions { no_ack: true })
            .await
            .expect("basic.get");
        if message.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let delivery = message.expect("the welcome job was published").delivery;
    let envelope = schema::jobs::JobEnvelope::from_json(&delivery.data).expect("an envelope");
    assert_eq!(envelope.job.kind(), "send_welcome_email");
    assert_eq!(
        envelope.organization_id.map(|id| id.to_string()),
        Some(owner.org_id.clone())
    );
    // The api's relay names its database, so a worker of another instance on the same
    // broker and prefix parks the job instead of running it (docs/operations.md).
    assert_eq!(
        envelope.database.as_deref(),
        Some(app.database_name.as_str())
    );
    let properties = &delivery.properties;
    assert_eq!(
        properties.message_id().as_ref().map(|id| id.as_str()),
        Some(envelope.id.to_string().as_str())
    );
    assert_eq!(
        properties.kind().as_ref().map(|kind| kind.as_str()),
        Some("send_welcome_email")
    );
    assert_eq!(*properties.delivery_mode(), Some(2));
    let timestamp = properties.timestamp().expect("a timestamp") as i64;
    assert!(
        (before..=after).contains(&timestamp),
        "timestamp {timestamp} outside {before}..={after}"
    );

    #[derive(diesel::QueryableByName)]
    struct RequestId {
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        request_id: Option<String>,
    }
    let mut db = app.db().await;
    let audited: RequestId = diesel_async::RunQueryDsl::get_result(
        diesel::sql_query(
            "SELECT request_id FROM audit_events WHERE action = 'auth.sign_up' AND actor_id = $1::uuid",
        )
        .bind::<diesel::sql_types::Text, _>(&owner.user_id),
        &mut db,
    )
    .await
    .expect("the sign-up's audit row");
    assert!(
        audited.request_id.is_some(),
        "the audit row has a request id"
    );
    assert_eq!(envelope.trace_id, audited.request_id);
    let _ = connection.close(200, "done".into()).await;
}
