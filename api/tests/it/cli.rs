//! The `asyncstand` command line, run as the real binary against a running api.
//!
//! - `auth_lists_open_standups_answers_from_a_file_exports_and_lists_blockers`: `auth` checks the token
//!   and stores it (mode 0600), `standups` lists the open standup, `answer --from` submits
//!   the answers named by prompt or id, `export` streams the person's answers as CSV and
//!   as JSON lines, `blockers` lists the team's open blockers.
//! - `bad_tokens_closed_standups_and_no_network_are_one_line_errors`: each with its own
//!   non-zero exit code, and a rejected token is not stored.

use crate::helpers::*;
use crate::standups::{fixture, start};
use serde_json::json;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Output;

const CLOSE: &str = "mutation($id: ID!) { closeStandup(standupId: $id) { state } }";

/// Runs `asyncstand args…` with `config_home` as its config directory.
async fn asyncstand(config_home: &Path, args: &[&str]) -> Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_asyncstand"))
        .args(args)
        .env("XDG_CONFIG_HOME", config_home)
        .env_remove("HOME")
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .expect("run asyncstand")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

async fn token_for(app: &TestApp, who: &SignedUp, scope: &str) -> String {
    crate::api_tokens::create_token(app, who, scope).await.0
}

fn config_dir() -> std::path::PathBuf {
    let dir =
        std::env::temp_dir().join(format!("asyncstand-cli-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test]
async fn auth_lists_open_standups_answers_from_a_file_exports_and_lists_blockers() {
    let app = TestApp::spawn().await;
    let f = fixture(&app, false).await;
    let (standup, questions) = start(&app, &f.owner.token, &f.config).await;
    let secret = token_for(&app, &f.ada, "READ_WRITE").await;
    let home = config_dir();

    let out = asyncstand(&home, &["auth", &secret, "--url", &app.address]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("ada@a.example"), "{}", stdout(&out));
    let file = home.join("asyncstand/config.toml");
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let stored = std::fs::read_to_string(&file).unwrap();
    assert!(
        stored.contains(&secret) && stored.contains(&app.address),
        "{stored}"
    );

    let out = asyncstand(&home, &["standups"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let listed = stdout(&out);
    assert!(listed.contains(&standup), "{listed}");
    assert!(
        listed.contains("Platform · Daily") && listed.contains("to answer"),
        "{listed}"
    );

    // Answers by prompt (any case), by id, and a block of two lines.
    let answers = home.join("answers.yaml");
    std::fs::write(
        &answers,
        format!(
            "# today\nyesterday?: Shipped the CLI\nBlockers?: none\n{}: |\n  Line one\n  Line two\n",
            questions[2]
        ),
    )
    .unwrap();
    let out = asyncstand(
        &home,
        &["answer", &standup, "--from", answers.to_str().unwrap()],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("3 answers"), "{}", stdout(&out));
    let body = app
        .graphql_as(
            &f.ada.token,
            "query($id: ID!) { standup(id: $id) { myParticipation { state answers { question { id } text } } } }",
            json!({ "id": standup }),
        )
        .await;
    let mine = &body["data"]["standup"]["myParticipation"];
    assert_eq!(mine["state"], "ANSWERED", "{body}");
    assert_eq!(
        mine["answers"],
        json!([
            { "question": { "id": questions[0] }, "text": "Shipped the CLI" },
            { "question": { "id": questions[1] }, "text": "none" },
            { "question": { "id": questions[2] }, "text": "Line one\nLine two" },
        ]),
        "{body}"
    );
    let out = asyncstand(&home, &["standups"]).await;
    assert!(stdout(&out).contains("answered"), "{}", stdout(&out));

    // A question the standup does not have is named, and nothing is sent.
    std::fs::write(&answers, "Tomorrow?: more\n").unwrap();
    let out = asyncstand(
        &home,
        &["answer", &standup, "--from", answers.to_str().unwrap()],
    )
    .await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("'Tomorrow?' is not a question"),
        "{}",
        stderr(&out)
    );

    // Export with the same token: a member gets their own answers, as CSV (the two-line
    // answer quoted) and as one JSON object per line.
    let out = asyncstand(&home, &["export", "--team", &f.team, "--format", "csv"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let csv = stdout(&out);
    assert!(
        csv.starts_with("standup_id,standup_date,team,config,person,email,question,answer,late,skipped_reason\r\n"),
        "{csv}"
    );
    assert!(csv.contains("Shipped the CLI"), "{csv}");
    assert!(csv.contains("\"Line one\nLine two\""), "{csv}");
    let out = asyncstand(&home, &["export", "--team", &f.team, "--format", "jsonl"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let rows: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(
        rows.iter().all(|r| r["email"] == "ada@a.example"),
        "{rows:?}"
    );
    assert!(
        rows.iter().any(|r| r["answer"] == "Line one\nLine two"),
        "{rows:?}"
    );

    // Blockers: none yet ("none" opened nothing); Bob's answer opens one, listed with
    // its team.
    let out = asyncstand(&home, &["blockers", "--team", &f.team]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("No blockers."), "{}", stdout(&out));
    let body = app
        .graphql_as(
            &f.bob.token,
            crate::standups::SUBMIT,
            crate::standups::answers(
                &standup,
                &questions,
                &["Reviews", "Waiting on the VPN", "More reviews"],
            ),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let out = asyncstand(&home, &["blockers", "--team", &f.team]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let listed = stdout(&out);
    assert!(
        listed.contains("Waiting on the VPN") && listed.contains("Platform · "),
        "{listed}"
    );
    std::fs::remove_dir_all(&home).unwrap();
}

#[tokio::test]
async fn bad_tokens_closed_standups_and_no_network_are_one_line_errors() {
    let app = TestApp::spawn().await;
    let f = fixture(&app, false).await;
    let (standup, _) = start(&app, &f.owner.token, &f.config).await;
    let home = config_dir();
    let one_line = |out: &Output| {
        let err = stderr(out);
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(err.starts_with("asyncstand: "), "{err}");
        err
    };

    // Not signed in yet.
    let out = asyncstand(&home, &["standups"]).await;
    assert_eq!(out.status.code(), Some(4));
    assert!(one_line(&out).contains("asyncstand auth"));

    // An unknown token is refused and not stored.
    let fake = format!("ast_{}", "A".repeat(43));
    let out = asyncstand(&home, &["auth", &fake, "--url", &app.address]).await;
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(one_line(&out).contains("invalid, revoked or expired"));
    assert!(!home.join("asyncstand/config.toml").exists());

    // No server there.
    let secret = token_for(&app, &f.bob, "READ_WRITE").await;
    let out = asyncstand(&home, &["auth", &secret, "--url", "http://127.0.0.1:9"]).await;
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(one_line(&out).contains("cannot reach http://127.0.0.1:9"));

    // A closed standup: the server's reason.
    let out = asyncstand(&home, &["auth", &secret, "--url", &app.address]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let body = app
        .graphql_as(&f.owner.token, CLOSE, json!({ "id": standup }))
        .await;
    assert_eq!(body["data"]["closeStandup"]["state"], "CLOSED", "{body}");
    let answers = home.join("answers.yaml");
    std::fs::write(&answers, "Yesterday?: late\nBlockers?: none\n").unwrap();
    let out = asyncstand(
        &home,
        &["answer", &standup, "--from", answers.to_str().unwrap()],
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(one_line(&out).contains("answers are no longer accepted"));
    let out = asyncstand(&home, &["answer", &standup]).await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(one_line(&out).contains("answers are no longer accepted"));

    // A stored token that is revoked stops working at once.
    let body = app
        .graphql_as(&f.bob.token, "{ apiTokens { id } }", json!({}))
        .await;
    let id = body["data"]["apiTokens"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let body = app
        .graphql_as(
            &f.bob.token,
            "mutation($id: ID!) { revokeApiToken(id: $id) }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(body["data"]["revokeApiToken"], true, "{body}");
    let out = asyncstand(&home, &["standups"]).await;
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(one_line(&out).contains("invalid, revoked or expired"));

    // Usage errors come from the argument parser, with help.
    let out = asyncstand(&home, &["export", "--format", "xml"]).await;
    assert_eq!(out.status.code(), Some(2));
    let out = asyncstand(&home, &["export", "--help"]).await;
    assert!(out.status.success());
    assert!(stdout(&out).contains("--team"), "{}", stdout(&out));
    std::fs::remove_dir_all(&home).unwrap();
}
