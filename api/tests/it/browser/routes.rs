//! Every route of the web UI, as an owner and as a member, on a phone (390x844) and a
//! laptop (1280x900): nothing scrolls sideways, no visible text is cut off by the viewport,
//! and axe-core finds no "serious" or "critical" accessibility violation.
//!
//! axe-core is the npm package pinned in `web/package.json` (installed by `web/build.sh`),
//! read from `web/node_modules` and injected into each page: nothing is fetched from the
//! network. Every page's results are written to `target/axe/<who>-<size>-<page>.json`, and
//! a summary of all of them to `target/axe/summary.txt`.

use std::fmt::Write as _;
use std::path::PathBuf;

use serde_json::{Value, json};

use super::driver::Browser;
use crate::helpers::{PASSWORD, SignedUp, TestApp};

const SIZES: [(&str, u32, u32); 2] = [("phone", 390, 844), ("laptop", 1280, 900)];

fn axe_source() -> String {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../web/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "axe-core is missing at {} ({e}): run web/build.sh",
            path.display()
        )
    })
}

fn axe_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/axe")
}

/// Waits until the page has rendered its heading and nothing is loading any more.
async fn settled(browser: &Browser) {
    browser.wait_present("h1").await;
    browser.wait_gone("[data-testid=loading]").await;
    browser.wait_gone("[data-testid=full-page-loading]").await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
}

/// The page's width against the viewport's, and every element whose own visible text
/// reaches outside the viewport horizontally.
const LAYOUT_SCRIPT: &str = r#"
const vw = window.innerWidth;
const clipped = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
while (walker.nextNode()) {
  const node = walker.currentNode;
  if (!node.textContent.trim()) continue;
  const el = node.parentElement;
  if (!el || el.closest('[hidden], dialog:not([open]), .visually-hidden, .sr-only')) continue;
  const style = getComputedStyle(el);
  if (style.visibility === 'hidden' || style.display === 'none') continue;
  const range = document.createRange();
  range.selectNodeContents(node);
  for (const r of range.getClientRects()) {
    if (r.width === 0 || r.height === 0) continue;
    if (r.left < -1 || r.right > vw + 1) {
      clipped.push(`${el.tagName.toLowerCase()}${el.className ? '.' + String(el.className).split(' ').join('.') : ''}: "${node.textContent.trim().slice(0, 40)}" spans ${Math.round(r.left)}..${Math.round(r.right)}`);
      break;
    }
  }
}
return { scrollWidth: document.documentElement.scrollWidth, innerWidth: vw, clipped };
"#;

/// One route visited by one person at one size; returns what went wrong, if anything.
async fn check_page(browser: &Browser, axe: &str, name: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let layout = browser.script_value(LAYOUT_SCRIPT).await;
    let scroll = layout["scrollWidth"].as_i64().unwrap_or_default();
    let inner = layout["innerWidth"].as_i64().unwrap_or_default();
    if scroll > inner {
        problems.push(format!(
            "{name}: the page is {scroll} px wide in a {inner} px viewport"
        ));
    }
    for clip in layout["clipped"].as_array().into_iter().flatten() {
        problems.push(format!("{name}: text cut off by the viewport: {clip}"));
    }

    let injected = browser
        .script_value(&format!(
            "if (!window.axe) {{ {axe} }} return typeof window.axe;"
        ))
        .await;
    assert_eq!(injected, json!("object"), "axe-core did not load");
    let results = browser
        .script_value(
            "return axe.run(document, { resultTypes: ['violations'] }).then(r => r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5) })));",
        )
        .await;
    let dir = axe_dir();
    std::fs::create_dir_all(&dir).expect("axe dir");
    std::fs::write(
        dir.join(format!("{name}.json")),
        serde_json::to_string_pretty(&results).expect("json"),
    )
    .expect("write axe results");
    for violation in results.as_array().into_iter().flatten() {
        let impact = violation["impact"].as_str().unwrap_or_default();
        if matches!(impact, "serious" | "critical") {
            problems.push(format!(
                "{name}: axe {impact} {}: {} at {}",
                violation["id"].as_str().unwrap_or_default(),
                violation["help"].as_str().unwrap_or_default(),
                violation["nodes"]
            ));
        }
    }
    problems
}

async fn graphql_ok(app: &TestApp, token: &str, query: &str, variables: Value) -> Value {
    let body = app.graphql_as(token, query, variables).await;
    assert!(body["errors"].is_null(), "{query}: {body}");
    body["data"].clone()
}

/// An organization with a team, a standup config, one closed and one open standup, and a
/// member who answered; returns the member's e-mail and the paths to visit.
async fn seed(app: &TestApp, owner: &SignedUp) -> (String, Vec<(String, bool)>) {
    let member_email = format!("grace-{}@example.com", uuid::Uuid::new_v4().simple());
    graphql_ok(
        app,
        &owner.token,
        "mutation($input: InviteMemberInput!) { inviteMember(input: $input) { id } }",
        json!({ "input": { "email": member_email, "role": "MEMBER" } }),
    )
    .await;
    let mails = app
        .wait_for_emails(&member_email, "accept-invitation?token=", 1)
        .await;
    let token = crate::invitations::tokens(&mails).remove(0);
    let accepted = app
        .graphql(
            "mutation($input: AcceptInvitationInput!) { acceptInvitation(input: $input) { accessToken user { id } } }",
            json!({ "input": { "token": token, "name": "Grace Hopper", "password": PASSWORD } }),
        )
        .await;
    let member_token = accepted["data"]["acceptInvitation"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("{accepted}"))
        .to_owned();
    let member_id = accepted["data"]["acceptInvitation"]["user"]["id"]
        .as_str()
        .expect("member id")
        .to_owned();

    let team = graphql_ok(
        app,
        &owner.token,
        "mutation($input: CreateTeamInput!) { createTeam(input: $input) { id } }",
        json!({ "input": { "name": "Platform engineering and developer experience", "timezone": "Europe/Berlin", "description": "Builds the paved road every other team drives on." } }),
    )
    .await;
    let team_id = team["createTeam"]["id"].as_str().expect("team").to_owned();
    for user in [&owner.user_id, &member_id] {
        graphql_ok(
            app,
            &owner.token,
            "mutation($t: ID!, $u: ID!) { addTeamMember(teamId: $t, userId: $u) { user { id } } }",
            json!({ "t": team_id, "u": user }),
        )
        .await;
    }
    let config = graphql_ok(
        app,
        &owner.token,
        "mutation($input: CreateStandupConfigInput!) { createStandupConfig(input: $input) { id questions { id } } }",
        json!({ "input": {
            "teamId": team_id, "name": "Platform daily standup",
            "questions": [
                { "prompt": "What did you get done since the last standup?", "kind": "TEXT", "required": true },
                { "prompt": "Is anything blocking you?", "kind": "BLOCKER", "required": false }
            ],
            "weekdays": ["MON", "TUE", "WED", "THU", "FRI"],
            "timeOfDay": "09:30", "responseWindowMinutes": 240, "reminderMinutesBefore": 60,
            "delivery": ["WEB", "EMAIL"],
            "participantIds": [owner.user_id, member_id]
        } }),
    )
    .await;
    let config_id = config["createStandupConfig"]["id"]
        .as_str()
        .expect("config")
        .to_owned();
    let questions: Vec<String> = config["createStandupConfig"]["questions"]
        .as_array()
        .expect("questions")
        .iter()
        .map(|q| q["id"].as_str().expect("question id").to_owned())
        .collect();

    // One run answered and closed (a digest to show), one still open.
    let mut standups = Vec::new();
    for _ in 0..2 {
        let started = graphql_ok(
            app,
            &owner.token,
            "mutation($c: ID!) { startStandupNow(configId: $c) { id } }",
            json!({ "c": config_id }),
        )
        .await;
        let standup_id = started["startStandupNow"]["id"]
            .as_str()
            .expect("standup")
            .to_owned();
        graphql_ok(
            app,
            &member_token,
            "mutation($input: SubmitAnswersInput!) { submitAnswers(input: $input) { state } }",
            json!({ "input": { "standupId": standup_id, "answers": [
                { "questionId": questions[0], "text": "Shipped the new deploy pipeline and reviewed three pull requests about the cache." },
                { "questionId": questions[1], "text": "Waiting on the security review of the staging certificates." }
            ] } }),
        )
        .await;
        standups.push(standup_id);
    }
    graphql_ok(
        app,
        &owner.token,
        "mutation($s: ID!) { closeStandup(standupId: $s) { id } }",
        json!({ "s": standups[0] }),
    )
    .await;

    // The account page lists a token (its table must fit a phone too).
    crate::api_tokens::create_token(app, owner, "READ").await;

    // (path, owner only)
    let paths = vec![
        ("/".to_owned(), false),
        ("/standups".to_owned(), false),
        (format!("/standups/{}", standups[0]), false),
        (format!("/standups/{}", standups[1]), false),
        ("/teams".to_owned(), false),
        (format!("/teams/{team_id}"), false),
        (format!("/teams/{team_id}/history"), false),
        (format!("/teams/{team_id}/insights"), false),
        (format!("/teams/{team_id}/standups/new"), true),
        (format!("/standup-configs/{config_id}"), true),
        ("/members".to_owned(), false),
        ("/audit-log".to_owned(), true),
        ("/failed-jobs".to_owned(), true),
        ("/insights".to_owned(), true),
        ("/settings".to_owned(), true),
        ("/account".to_owned(), false),
        ("/no-such-page".to_owned(), false),
    ];
    (member_email, paths)
}

/// A file-name-safe label of a path.
fn label(path: &str) -> String {
    let trimmed = path.trim_matches('/');
    if trimmed.is_empty() {
        return "home".to_owned();
    }
    trimmed
        .split('/')
        .map(|part| {
            if part.len() > 20 {
                "id".to_owned()
            } else {
                part.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

#[tokio::test]
async fn every_route_fits_a_phone_and_a_laptop_and_passes_axe() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let axe = axe_source();
    let app = TestApp::spawn().await;
    let _worker = app.start_worker().await;
    let owner = app.signed_up_owner().await;
    let (member_email, paths) = seed(&app, &owner).await;

    let mut problems = Vec::new();
    let mut summary = String::new();

    // Signed out.
    for (size, width, height) in SIZES {
        browser.resize(width, height).await;
        for path in [
            "/sign-in",
            "/sign-up",
            "/forgot-password",
            "/reset-password?token=not-a-token",
            "/accept-invitation?token=not-a-token",
            "/answer/not-a-token",
        ] {
            browser.goto(&app.url(path)).await;
            settled(&browser).await;
            let name = format!(
                "signed-out-{size}-{}",
                label(path.split('?').next().unwrap_or(path))
            );
            let found = check_page(&browser, &axe, &name).await;
            let _ = writeln!(summary, "{name}: {} problem(s)", found.len());
            problems.extend(found);
        }
    }

    for (who, email) in [
        ("owner", owner.email.as_str()),
        ("member", member_email.as_str()),
    ] {
        browser.goto(&app.url("/sign-in")).await;
        browser.fill("#email", email).await;
        browser.fill("#password", PASSWORD).await;
        browser.click("button[type=submit]").await;
        browser
            .wait_text("[data-testid=org-name]", &owner.org_name)
            .await;
        for (size, width, height) in SIZES {
            browser.resize(width, height).await;
            for (path, owner_only) in &paths {
                if *owner_only && who == "member" {
                    continue;
                }
                browser.goto(&app.url(path)).await;
                settled(&browser).await;
                let name = format!("{who}-{size}-{}", label(path));
                browser.screenshot(&format!("routes-{name}")).await;
                let found = check_page(&browser, &axe, &name).await;
                let _ = writeln!(summary, "{name}: {} problem(s)", found.len());
                problems.extend(found);
            }
        }
        browser.goto(&app.url("/")).await;
        browser.click("[data-testid=user-menu]").await;
        browser.click("[data-testid=sign-out]").await;
        browser.wait_path("/sign-in").await;
    }

    std::fs::create_dir_all(axe_dir()).expect("axe dir");
    std::fs::write(
        axe_dir().join("summary.txt"),
        format!("{summary}\n{}", problems.join("\n")),
    )
    .expect("summary");
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
    browser.quit().await;
}

/// A team in Europe/Berlin seen from a browser in America/New_York: times read in the
/// viewer's own zone, named, with the team's wall clock beside them.
#[tokio::test]
async fn a_berlin_team_seen_from_new_york_shows_both_times() {
    let Some(browser) = Browser::start_in_zone("America/New_York").await else {
        return;
    };
    let app = TestApp::spawn().await;
    let _worker = app.start_worker().await;
    let owner = app.signed_up_owner().await;
    let team = graphql_ok(
        &app,
        &owner.token,
        "mutation($input: CreateTeamInput!) { createTeam(input: $input) { id } }",
        json!({ "input": { "name": "Core", "timezone": "Europe/Berlin" } }),
    )
    .await;
    let team_id = team["createTeam"]["id"].as_str().expect("team").to_owned();
    graphql_ok(
        &app,
        &owner.token,
        "mutation($t: ID!, $u: ID!) { addTeamMember(teamId: $t, userId: $u) { user { id } } }",
        json!({ "t": team_id, "u": owner.user_id }),
    )
    .await;
    let config = graphql_ok(
        &app,
        &owner.token,
        "mutation($input: CreateStandupConfigInput!) { createStandupConfig(input: $input) { id nextRunAt } }",
        json!({ "input": {
            "teamId": team_id, "name": "Core daily",
            "questions": [{ "prompt": "What did you do?", "kind": "TEXT", "required": true }],
            "weekdays": ["MON", "TUE", "WED", "THU", "FRI"],
            "timeOfDay": "09:30", "responseWindowMinutes": 240,
            "delivery": ["WEB"], "participantIds": [owner.user_id]
        } }),
    )
    .await;
    let next: chrono::DateTime<chrono::Utc> = config["createStandupConfig"]["nextRunAt"]
        .as_str()
        .expect("next run")
        .parse()
        .expect("instant");
    let in_new_york = next.with_timezone(&chrono_tz::America::New_York);
    let in_berlin = next.with_timezone(&chrono_tz::Europe::Berlin);
    assert_eq!(in_berlin.format("%H:%M").to_string(), "09:30");

    browser.goto(&app.url("/sign-in")).await;
    browser.fill("#email", &owner.email).await;
    browser.fill("#password", PASSWORD).await;
    browser.click("button[type=submit]").await;
    browser
        .wait_text("[data-testid=org-name]", &owner.org_name)
        .await;

    // The team page: the next run in New York time, named, and 09:30 in Berlin beside it.
    browser.goto(&app.url(&format!("/teams/{team_id}"))).await;
    let new_york_wall = in_new_york.format("%a %-d %b, %H:%M").to_string();
    let berlin_clock = if in_new_york.date_naive() == in_berlin.date_naive() {
        "09:30".to_owned()
    } else {
        in_berlin.format("%a %-d %b, %H:%M").to_string()
    };
    browser
        .wait_text(
            "[data-testid=config-next-run]",
            &format!("Next run {new_york_wall} (America/New_York) · {berlin_clock} Europe/Berlin"),
        )
        .await;
    browser.screenshot("local-time-team").await;

    // A standup started now: its deadline is near, so it reads relative, then both clocks.
    browser.click("[data-testid=start-now]").await;
    browser
        .wait_text("[data-testid=standup-title]", "Core daily")
        .await;
    browser
        .wait_text(".page-description", "Closes in 4 h")
        .await;
    browser
        .wait_text(".page-description", "(America/New_York) ·")
        .await;
    browser
        .wait_text(".page-description", "Europe/Berlin")
        .await;
    let text = browser
        .find(".page-description")
        .await
        .text()
        .await
        .expect("text");
    assert!(
        !text.contains("UTC") && !text.contains(":00:"),
        "no UTC and no seconds: {text}"
    );
    browser.screenshot("local-time-standup").await;
    browser.quit().await;
}
