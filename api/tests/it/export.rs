//! `GET /exports/answers.csv` and `/exports/answers.jsonl`.
//!
//! - `csv_is_escaped_and_formulas_neutralised`: commas, quotes, newlines and a leading
//!   `= + - @` in answers, names and skip reasons; one row per answer and one per skip.
//! - `jsonl_has_one_object_per_row_and_filters_narrow_it`: team, person and dates.
//! - `members_export_their_own_answers_only_and_other_organizations_never_show`: roles,
//!   FORBIDDEN for another person, NOT_FOUND for another organization's team, 401
//!   without a token, 400 on a bad date.
//! - `two_hundred_thousand_answers_stream_with_flat_memory`: the real `api` binary
//!   streams 200,000 answers (about 100 MB of CSV); every row arrives and the process's
//!   resident memory grows by less than 50 MB while it does.

use crate::helpers::*;
use crate::standups::{SUBMIT, answers, fixture, start};
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

const SKIP: &str = "mutation($id: ID!, $reason: String) { skipStandup(standupId: $id, reason: $reason) { state } }";

/// A minimal RFC 4180 reader: rows of fields, quotes doubled inside quoted fields.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let (mut row, mut field) = (Vec::new(), String::new());
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    rows
}

async fn get(app: &TestApp, token: Option<&str>, path: &str) -> (u16, String) {
    let mut req = app.client.get(app.url(path));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.text().await.unwrap())
}

async fn set_name(app: &TestApp, user: &str, name: &str) {
    let mut db = app.db().await;
    diesel::sql_query("UPDATE users SET name = $1 WHERE id = $2::uuid")
        .bind::<diesel::sql_types::Text, _>(name)
        .bind::<diesel::sql_types::Text, _>(user)
        .execute(&mut db)
        .await
        .unwrap();
}

#[tokio::test]
async fn csv_is_escaped_and_formulas_neutralised() {
    let app = TestApp::spawn().await;
    let f = fixture(&app, false).await;
    set_name(&app, &f.ada.user_id, "Lovelace, \"Ada\"").await;
    set_name(&app, &f.bob.user_id, "=HYPERLINK(\"x\")").await;
    let (standup, q) = start(&app, &f.owner.token, &f.config).await;
    let texts = ["shipped, \"fast\"\nand tested", "=SUM(A1:A9)", "+1 @ops -2"];
    let body = app
        .graphql_as(&f.ada.token, SUBMIT, answers(&standup, &q, &texts))
        .await;
    assert_eq!(body["data"]["submitAnswers"]["state"], "ANSWERED", "{body}");
    let body = app
        .graphql_as(
            &f.bob.token,
            SKIP,
            json!({ "id": standup, "reason": "@sick, -home" }),
        )
        .await;
    assert_eq!(body["data"]["skipStandup"]["state"], "SKIPPED", "{body}");

    let (status, text) = get(&app, Some(&f.owner.token), "/exports/answers.csv").await;
    assert_eq!(status, 200, "{text}");
    let rows = parse_csv(&text);
    assert_eq!(
        rows[0],
        [
            "standup_id",
            "standup_date",
            "team",
            "config",
            "person",
            "email",
            "question",
            "answer",
            "late",
            "skipped_reason"
        ]
    );
    assert_eq!(rows.len(), 1 + 3 + 1, "{text}");
    let ada: Vec<&Vec<String>> = rows.iter().filter(|r| r[5] == f.ada.email).collect();
    assert_eq!(ada.len(), 3);
    assert_eq!(ada[0][0], standup);
    assert_eq!(ada[0][2], "Platform");
    assert_eq!(ada[0][3], "Daily");
    assert_eq!(ada[0][4], "Lovelace, \"Ada\"");
    assert_eq!(
        (ada[0][6].as_str(), ada[0][7].as_str()),
        ("Yesterday?", "shipped, \"fast\"\nand tested")
    );
    assert_eq!(
        (ada[1][6].as_str(), ada[1][7].as_str()),
        ("Blockers?", "'=SUM(A1:A9)")
    );
    assert_eq!(
        (ada[2][6].as_str(), ada[2][7].as_str()),
        ("Notes?", "'+1 @ops -2")
    );
    assert_eq!(ada[0][8], "false");
    assert_eq!(ada[0][9], "");
    // The raw text quotes what needs it.
    assert!(
        text.contains("\"shipped, \"\"fast\"\"\nand tested\""),
        "{text}"
    );
    let bob = rows.iter().find(|r| r[5] == f.bob.email).unwrap();
    assert_eq!(bob[4], "'=HYPERLINK(\"x\")");
    assert_eq!((bob[6].as_str(), bob[7].as_str()), ("", ""));
    assert_eq!(bob[9], "'@sick, -home");
}

#[tokio::test]
async fn jsonl_has_one_object_per_row_and_filters_narrow_it() {
    let app = TestApp::spawn().await;
    let f = fixture(&app, false).await;
    let (first, q1) = start(&app, &f.owner.token, &f.config).await;
    for who in [&f.ada, &f.bob] {
        let body = app
            .graphql_as(&who.token, SUBMIT, answers(&first, &q1, &["one", "none"]))
            .await;
        assert_eq!(body["data"]["submitAnswers"]["state"], "ANSWERED", "{body}");
    }
    let (second, q2) = start(&app, &f.owner.token, &f.config).await;
    let body = app
        .graphql_as(
            &f.ada.token,
            SUBMIT,
            answers(&second, &q2, &["two", "none"]),
        )
        .await;
    assert_eq!(body["data"]["submitAnswers"]["state"], "ANSWERED", "{body}");
    crate::search::set_dates(&app, &[(&first, "2026-03-01"), (&second, "2026-03-02")]).await;

    let lines = |text: &str| -> Vec<Value> {
        text.lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect()
    };
    let t = Some(f.owner.token.as_str());
    let (status, text) = get(&app, t, "/exports/answers.jsonl").await;
    assert_eq!(status, 200, "{text}");
    let all = lines(&text);
    assert_eq!(all.len(), 6, "{text}");
    let row = &all[0];
    assert_eq!(row["standupId"], first.as_str());
    assert_eq!(row["standupDate"], "2026-03-01");
    assert_eq!(row["teamId"], f.team.as_str());
    assert_eq!(row["team"], "Platform");
    assert_eq!(row["config"], "Daily");
    assert_eq!(row["question"], "Yesterday?");
    assert_eq!(row["answer"], "one");
    assert_eq!(row["late"], false);
    assert!(row["skippedReason"].is_null());
    assert!(row["email"].is_string() && row["person"].is_string() && row["userId"].is_string());
    // In standup order.
    assert_eq!(all[5]["standupId"], second.as_str());

    let n = |path: String| {
        let app = &app;
        async move {
            let (status, text) = get(app, t, &path).await;
            assert_eq!(status, 200, "{path}: {text}");
            text.lines().count()
        }
    };
    let base = "/exports/answers.jsonl";
    assert_eq!(n(format!("{base}?userId={}", f.ada.user_id)).await, 4);
    assert_eq!(n(format!("{base}?from=2026-03-02")).await, 2);
    assert_eq!(n(format!("{base}?from=2026-03-01&to=2026-03-01")).await, 4);
    assert_eq!(n(format!("{base}?teamId={}", f.team)).await, 6);
    let other = crate::teams::create_team(&app, &f.owner.token, "Design").await;
    assert_eq!(n(format!("{base}?teamId={other}")).await, 0);
    assert_eq!(
        n(format!(
            "/exports/answers.csv?userId={}&to=2026-03-01",
            f.bob.user_id
        ))
        .await,
        1 + 2
    );
}

#[tokio::test]
async fn members_export_their_own_answers_only_and_other_organizations_never_show() {
    let app = TestApp::spawn().await;
    let f = fixture(&app, false).await;
    let (standup, q) = start(&app, &f.owner.token, &f.config).await;
    for who in [&f.ada, &f.bob] {
        let body = app
            .graphql_as(&who.token, SUBMIT, answers(&standup, &q, &["done", "none"]))
            .await;
        assert_eq!(body["data"]["submitAnswers"]["state"], "ANSWERED", "{body}");
    }
    let emails = |text: &str| -> Vec<String> {
        text.lines()
            .map(|l| {
                serde_json::from_str::<Value>(l).unwrap()["email"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    // A member: their own rows, with or without the team or their own id.
    let ada = Some(f.ada.token.as_str());
    for path in [
        "/exports/answers.jsonl".to_string(),
        format!("/exports/answers.jsonl?teamId={}", f.team),
        format!("/exports/answers.jsonl?userId={}", f.ada.user_id),
    ] {
        let (status, text) = get(&app, ada, &path).await;
        assert_eq!(status, 200, "{path}: {text}");
        assert_eq!(
            emails(&text),
            [f.ada.email.clone(), f.ada.email.clone()],
            "{path}"
        );
    }
    let (status, text) = get(
        &app,
        ada,
        &format!("/exports/answers.csv?userId={}", f.bob.user_id),
    )
    .await;
    assert_eq!(status, 403, "{text}");
    assert_eq!(
        serde_json::from_str::<Value>(&text).unwrap()["code"],
        "FORBIDDEN"
    );
    // Eve answered nothing: a header and no rows.
    let (status, text) = get(&app, Some(&f.eve.token), "/exports/answers.csv").await;
    assert_eq!(status, 200);
    assert_eq!(text.lines().count(), 1, "{text}");

    // Another organization: nothing of A's, A's team is not found.
    let other = app.sign_up("owner@b.example", "B").await;
    let (status, text) = get(&app, Some(&other.token), "/exports/answers.jsonl").await;
    assert_eq!((status, text.as_str()), (200, ""));
    let (status, text) = get(
        &app,
        Some(&other.token),
        &format!("/exports/answers.csv?teamId={}", f.team),
    )
    .await;
    assert_eq!(status, 404, "{text}");
    let error: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        (error["code"].as_str(), error["field"].as_str()),
        (Some("NOT_FOUND"), Some("teamId"))
    );
    let (status, text) = get(
        &app,
        Some(&other.token),
        &format!("/exports/answers.csv?userId={}", f.ada.user_id),
    )
    .await;
    assert_eq!((status, text.lines().count()), (200, 1), "{text}");

    // No token, a bad token, a bad date.
    let (status, _) = get(&app, None, "/exports/answers.csv").await;
    assert_eq!(status, 401);
    let (status, _) = get(&app, Some("not-a-token"), "/exports/answers.jsonl").await;
    assert_eq!(status, 401);
    let (status, text) = get(
        &app,
        Some(&f.owner.token),
        "/exports/answers.csv?from=yesterday",
    )
    .await;
    assert_eq!(status, 400, "{text}");
    let error: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(error["field"], "from");
}

/// The resident set size of process `pid`, in bytes.
fn rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .expect("VmRSS");
    let kb: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .expect("VmRSS in kB");
    kb * 1024
}

/// The real `api` binary on this app's database, AMQP names and JWT secret (so the
/// app's tokens work on it too). Killed on drop.
struct ApiProcess {
    child: std::process::Child,
    address: String,
}

impl Drop for ApiProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn api_process(app: &TestApp) -> ApiProcess {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_api"));
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("BIND", format!("127.0.0.1:{port}"))
        .env("DATABASE_URL", &app.database_url)
        .env("DATABASE_POOL_SIZE", "4")
        .env("AMQP_PREFIX", &app.amqp_prefix)
        .env("JWT_SECRET", TEST_JWT_SECRET)
        .env("SECRETS_KEY", TEST_SECRETS_KEY)
        .env("RATE_LIMIT_PER_MINUTE", "0")
        .env("HTTP_WORKERS", "2")
        .env("RUST_LOG", "warn")
        .env(
            "MAIL_URL",
            format!("file://{}/mail", app.mail_dir.display()),
        )
        .stdout(std::process::Stdio::null());
    if let Ok(amqp) = std::env::var("AMQP_URL") {
        command.env("AMQP_URL", amqp);
    }
    let child = command.spawn().expect("the api binary starts");
    let process = ApiProcess {
        child,
        address: format!("http://127.0.0.1:{port}"),
    };
    let client = reqwest::Client::new();
    for _ in 0..300 {
        if let Ok(res) = client
            .get(format!("{}/healthz", process.address))
            .send()
            .await
            && res.status().is_success()
        {
            return process;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the api binary did not answer /healthz");
}

/// Streams `path` from `address`, counting CRLF-terminated lines without keeping the body.
async fn count_lines(address: &str, token: &str, path: &str) -> (u64, u64) {
    let mut res = reqwest::Client::new()
        .get(format!("{address}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let (mut lines, mut bytes) = (0u64, 0u64);
    while let Some(chunk) = res
        .chunk()
        .await
        .expect("the export finishes without error")
    {
        bytes += chunk.len() as u64;
        lines += chunk.iter().filter(|b| **b == b'\n').count() as u64;
    }
    (lines, bytes)
}

#[tokio::test]
async fn two_hundred_thousand_answers_stream_with_flat_memory() {
    const ANSWERS: i64 = 200_000;
    let app = TestApp::spawn().await;
    let owner = app.signed_up_owner().await;
    let (_, config) =
        crate::search::solo_config(&app, &owner, "Platform", &["Done?", "Next?"]).await;
    let (seed, _) = start(&app, &owner.token, &config).await;

    // 100,000 closed runs of the config, the owner answering both questions in each with
    // about 450 characters: 200,000 answers, about 100 MB of CSV.
    let mut db = app.db().await;
    let runs = ANSWERS / 2;
    for sql in [
        format!(
            "INSERT INTO standups (id, org_id, team_id, config_id, name, scheduled_for, local_date,
                 timezone, closes_at, state, questions, delivery, closed_at)
             SELECT gen_random_uuid(), org_id, team_id, config_id, name,
                    scheduled_for - g * interval '1 hour', local_date - (g / 24)::int, timezone,
                    closes_at - g * interval '1 hour', 'CLOSED', questions, delivery, now()
             FROM standups, generate_series(1, {runs}) AS g WHERE id = '{seed}'"
        ),
        format!(
            "INSERT INTO participations (standup_id, user_id, org_id, state, submitted_at)
             SELECT id, '{}', org_id, 'ANSWERED', closes_at FROM standups
             WHERE config_id = '{config}' AND id <> '{seed}'",
            owner.user_id
        ),
        format!(
            "INSERT INTO answers (standup_id, user_id, question_id, org_id, text)
             SELECT p.standup_id, p.user_id, (q->>'id')::uuid, p.org_id,
                    'Worked on ticket ' || n || ', reviewed \"changes\" and wrote notes: '
                    || repeat('lorem ipsum dolor sit amet ', 15)
             FROM participations p JOIN standups s ON s.id = p.standup_id,
                  jsonb_array_elements(s.questions) WITH ORDINALITY AS x(q, n)
             WHERE s.config_id = '{config}' AND s.id <> '{seed}'"
        ),
    ] {
        diesel::sql_query(sql).execute(&mut db).await.unwrap();
    }
    assert_eq!(
        crate::teams::count(&app, "SELECT 1 FROM answers").await,
        ANSWERS
    );

    let api = api_process(&app).await;
    let pid = api.child.id();
    // Warm up: the same paths with a small export, then the resting size.
    let (lines, _) = count_lines(
        &api.address,
        &owner.token,
        "/exports/answers.csv?from=2999-01-01",
    )
    .await;
    assert_eq!(lines, 1);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = rss(pid);

    let peak = Arc::new(AtomicU64::new(before));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, done) = (peak.clone(), done.clone());
        std::thread::spawn(move || {
            while !AtomicBool::load(&done, Ordering::Relaxed) {
                peak.fetch_max(rss(pid), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    };
    let started = std::time::Instant::now();
    let (lines, bytes) = count_lines(&api.address, &owner.token, "/exports/answers.csv").await;
    let took = started.elapsed();
    done.store(true, Ordering::Relaxed);
    sampler.join().unwrap();
    let after = rss(pid);
    let peak = AtomicU64::load(&peak, Ordering::Relaxed);
    eprintln!(
        "exported {lines} lines, {bytes} bytes in {took:?}; api RSS before {} MB, peak {} MB, after {} MB",
        before >> 20,
        peak >> 20,
        after >> 20
    );
    assert_eq!(lines as i64, 1 + ANSWERS, "header and every answer");
    assert!(
        bytes > 90_000_000,
        "the export is larger than the limit: {bytes}"
    );
    assert!(
        peak.saturating_sub(before) < 50 * 1024 * 1024,
        "api RSS grew by {} MB",
        (peak - before) >> 20
    );
}
