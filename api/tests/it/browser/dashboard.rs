//! Browser tests of the pages that look back: the failed-jobs page, the home dashboard
//! and a team's insights.

use diesel_async::SimpleAsyncConnection;

use super::driver::Browser;
use super::sign_in_in_ui;
use crate::helpers::TestApp;

#[tokio::test]
async fn an_owner_retries_a_failed_job_from_the_failed_jobs_page() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let owner = app.signed_up_owner().await;
    sign_in_in_ui(&browser, &app, &owner.email, &owner.org_name).await;

    // Nothing failed yet: the empty state, reached from the navigation.
    browser.click("nav a[href='/failed-jobs']").await;
    browser.wait_path("/failed-jobs").await;
    browser.wait_text("h1", "Failed jobs").await;
    browser
        .wait_text("[data-testid=failed-jobs-empty]", "No failed jobs")
        .await;

    // A welcome e-mail that failed five times.
    let job = uuid::Uuid::new_v4();
    let envelope = serde_json::json!({
        "id": job, "version": 1, "organization_id": owner.org_id, "enqueued_at": chrono::Utc::now(),
        "attempt": 4, "trace_id": null,
        "job": { "kind": "send_welcome_email", "payload": { "user_id": owner.user_id } }
    });
    app.db()
        .await
        .batch_execute(&format!(
            "INSERT INTO failed_jobs (id, org_id, kind, envelope, error, attempts) VALUES ('{job}', '{}', 'send_welcome_email', '{envelope}', 'smtp: connection refused', 5)",
            owner.org_id
        ))
        .await
        .expect("insert failed job");
    browser.reload().await;
    let row = browser
        .wait_text("[data-testid=failed-job-row]", "Send welcome email")
        .await;
    let text = row.text().await.expect("row text");
    assert!(text.contains("smtp: connection refused"), "{text}");
    assert!(text.contains('5'), "{text}");
    browser.screenshot("failed-jobs").await;

    // Retry asks first.
    browser.click("[data-testid=retry-job]").await;
    browser
        .wait_text("dialog[open]", "Retry \"Send welcome email\"?")
        .await;
    browser.screenshot("failed-jobs-confirm").await;
    browser.click("dialog[open] [data-testid=confirm]").await;
    browser
        .wait_text(
            "[data-testid=toasts]",
            "Send welcome email sent for another run",
        )
        .await;
    browser
        .wait_present("[data-testid=failed-jobs-empty]")
        .await;

    // The job is queued again from its first attempt.
    let queued = crate::teams::count(
        &app,
        &format!("SELECT 1 FROM outbox WHERE kind = 'send_welcome_email' AND payload->>'attempt' = '0' AND payload->>'id' = '{job}'"),
    )
    .await;
    assert_eq!(queued, 1);
    browser.quit().await;
}

#[tokio::test]
async fn the_dashboard_guides_a_new_organization_then_shows_open_standups_and_insights() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;

    // Right after sign-up: nothing to answer, and the steps to a first standup.
    browser.goto(&app.url("/sign-up")).await;
    browser.wait_present("#organization-name").await;
    let email = super::unique_email("dash");
    super::sign_up_in_ui(&browser, "Dana Dash", &email, "Fresh Org").await;
    browser
        .wait_text("[data-testid=dashboard-setup]", "Set up Fresh Org")
        .await;
    browser
        .wait_present("[data-testid=dashboard-setup] a[href='/members']")
        .await;
    browser
        .wait_text("[data-testid=dashboard-no-standups]", "Nothing to answer")
        .await;
    browser
        .wait_present("[data-testid=dashboard-blockers]")
        .await;
    browser.screenshot("dashboard-new-organization").await;
    super::sign_out_in_ui(&browser).await;

    // An organization with a team whose standup is open, answered by its owner.
    let owner = app.signed_up_owner().await;
    let ok = |body: &serde_json::Value| {
        assert!(body["errors"].is_null(), "{body}");
        body["data"].clone()
    };
    let team = crate::teams::create_team(&app, &owner.token, "Platform").await;
    crate::teams::add_member(&app, &owner.token, &team, &owner.user_id).await;
    let config = ok(&app
        .graphql_as(
            &owner.token,
            "mutation($input: CreateStandupConfigInput!) { createStandupConfig(input: $input) { id } }",
            serde_json::json!({ "input": {
                "teamId": team, "name": "Platform daily", "questions": [{ "prompt": "What did you do?", "kind": "TEXT" }],
                "weekdays": ["MON", "TUE", "WED", "THU", "FRI"], "timeOfDay": "09:00",
                "responseWindowMinutes": 240, "delivery": ["WEB"], "participantIds": [owner.user_id]
            } }),
        )
        .await);
    let started = ok(&app
        .graphql_as(
            &owner.token,
            "mutation($id: ID!) { startStandupNow(configId: $id) { id questions { id } } }",
            serde_json::json!({ "id": config["createStandupConfig"]["id"] }),
        )
        .await);
    let standup = &started["startStandupNow"];
    ok(&app
        .graphql_as(
            &owner.token,
            "mutation($input: SubmitAnswersInput!) { submitAnswers(input: $input) { state } }",
            serde_json::json!({ "input": { "standupId": standup["id"], "answers": [
                { "questionId": standup["questions"][0]["id"], "text": "Moved the build to the new runners." }
            ] } }),
        )
        .await);

    sign_in_in_ui(&browser, &app, &owner.email, &owner.org_name).await;
    let row = browser
        .wait_text(
            "[data-testid=dashboard-standups]",
            "Platform · Platform daily",
        )
        .await;
    let text = row.text().await.expect("row text");
    assert!(text.contains("closes in"), "{text}");
    assert!(text.contains("You: Answered"), "{text}");
    browser
        .wait_text("[data-testid=dashboard-team]", "1 of 1")
        .await;
    browser
        .wait_text("[data-testid=dashboard-team]", "100 %")
        .await;
    assert_eq!(browser.count("[data-testid=dashboard-setup]").await, 0);
    browser.screenshot("dashboard").await;

    // The team's insights, from the dashboard: its charts, each with its table.
    browser.click("[data-testid=dashboard-team] a").await;
    browser.wait_path(&format!("/teams/{team}/insights")).await;
    browser.wait_text("h1", "Team insights").await;
    browser
        .wait_present("[data-testid=participation-chart] svg rect.chart-bar")
        .await;
    browser
        .wait_present("[data-testid=response-times-chart] svg rect.chart-bar")
        .await;
    assert_eq!(
        browser
            .count("[data-testid=participation-table] tbody tr")
            .await,
        12
    );
    browser.screenshot("team-insights").await;
    browser
        .click("[data-testid=participation-chart] summary")
        .await;
    browser
        .wait_text(
            "[data-testid=participation-table] tbody tr:last-child",
            "100 %",
        )
        .await;
    browser
        .wait_text(
            "[data-testid=participation-table] tbody tr:last-child",
            "1 of 1",
        )
        .await;
    browser
        .click("[data-testid=response-times-chart] summary")
        .await;
    let last = browser
        .wait_present("[data-testid=response-times-table] tbody tr:last-child")
        .await;
    let text = last.text().await.expect("row text");
    assert!(text.contains("min") && text.ends_with('1'), "{text}");
    browser.screenshot("team-insights-tables").await;
    // The mood and blocker charts, each with its table: one row per week.
    for chart in ["mood", "blockers-opened", "blockers-resolved"] {
        browser
            .wait_present(&format!("[data-testid={chart}-chart] svg"))
            .await;
        assert_eq!(
            browser
                .count(&format!("[data-testid={chart}-table] tbody tr"))
                .await,
            12,
            "{chart}"
        );
    }

    // The organization overview, from the navigation: each team's rate, charted and
    // tabled.
    browser
        .script_value("window.scrollTo(0, 0); return true;")
        .await;
    browser.click("nav a[href='/insights']").await;
    browser.wait_path("/insights").await;
    browser
        .wait_present("[data-testid=team-rates-chart] svg rect.chart-bar")
        .await;
    browser
        .wait_text("[data-testid=dashboard-team]", "Platform")
        .await;
    browser
        .wait_text("[data-testid=dashboard-team]", "1 of 1")
        .await;
    browser.screenshot("organization-insights").await;
    browser
        .goto(&app.url(&format!("/teams/{team}/insights")))
        .await;
    browser
        .wait_present("[data-testid=participation-chart] svg rect.chart-bar")
        .await;

    // A shorter range: four weeks.
    browser.select_text("#insights-range", "Last 4 weeks").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while browser
        .count("[data-testid=participation-table] tbody tr")
        .await
        != 4
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the range did not change"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    browser.quit().await;
}
