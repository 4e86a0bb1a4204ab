//! Browser test of moods: the 1-5 picker on the answer form and an anonymous mood's
//! team average, which the standup page shows only once 3 people have given a mood.

use serde_json::json;

use super::driver::Browser;
use super::{sign_in_in_ui, unique_email};
use crate::helpers::TestApp;

const SUBMIT: &str =
    "mutation($input: SubmitAnswersInput!) { submitAnswers(input: $input) { state } }";

#[tokio::test]
async fn an_anonymous_mood_shows_the_team_average_only_from_three_people() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let owner = app.sign_up(&unique_email("moody"), "Moody Inc").await;
    let ada = crate::members::join(&app, &owner, &unique_email("ada"), "MEMBER").await;
    let bob = crate::members::join(&app, &owner, &unique_email("bob"), "MEMBER").await;
    let team = crate::teams::create_team(&app, &owner.token, "Platform").await;
    for person in [&owner, &ada, &bob] {
        crate::teams::add_member(&app, &owner.token, &team, &person.user_id).await;
    }
    let body = app
        .graphql_as(
            &owner.token,
            "mutation($input: CreateStandupConfigInput!) { createStandupConfig(input: $input) { id } }",
            json!({ "input": {
                "teamId": team, "name": "Daily", "weekdays": ["MON"], "timeOfDay": "09:00",
                "responseWindowMinutes": 240, "delivery": ["WEB"], "anonymousMood": true,
                "questions": [
                    { "prompt": "Yesterday?", "kind": "TEXT", "required": false },
                    { "prompt": "How do you feel?", "kind": "MOOD" }
                ],
                "participantIds": [owner.user_id, ada.user_id, bob.user_id]
            } }),
        )
        .await;
    let config = body["data"]["createStandupConfig"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_string();
    let (standup, q) = crate::standups::start(&app, &owner.token, &config).await;
    let answer = |mood: i32, comment: &str| {
        json!({ "input": { "standupId": standup, "answers": [
            { "questionId": q[1], "text": comment, "mood": mood }
        ] } })
    };
    let body = app
        .graphql_as(&ada.token, SUBMIT, answer(2, "pineapple on pizza"))
        .await;
    assert!(body["errors"].is_null(), "{body}");

    // The owner answers on the page: a mood is required, then picked from the scale.
    sign_in_in_ui(&browser, &app, &owner.email, &owner.org_name).await;
    browser
        .goto(&app.url(&format!("/standups/{standup}")))
        .await;
    browser
        .wait_text(
            "[data-testid=question-1] label.field-label",
            "How do you feel?",
        )
        .await;
    browser.click("[data-testid=submit-answers]").await;
    browser
        .wait_text("[data-testid=answer-1-error]", "pick a mood")
        .await;
    browser
        .click("[data-testid=question-1] label.mood-option:nth-child(4)")
        .await;
    browser.fill("#answer-1", "Good week").await;
    browser.screenshot("mood-picker").await;
    browser.click("[data-testid=submit-answers]").await;
    browser
        .wait_text("[data-testid=toasts]", "Your answers are in")
        .await;

    // Two moods: no average, and Ada's mood and comment nowhere on the page.
    browser
        .wait_text("[data-testid=mood-hidden]", "shows once 3 people")
        .await;
    assert_eq!(browser.count("[data-testid=mood-average]").await, 0);
    let page = browser
        .script_value("return document.querySelector('main').innerText")
        .await;
    let page = page.as_str().unwrap_or_default();
    assert!(!page.contains("pineapple"), "{page}");
    assert!(!page.contains("2/5"), "{page}");
    // Her own answer reads back as she gave it.
    assert!(
        browser
            .script_value(
                "return document.querySelector('[data-testid=question-1] input[value=\"4\"]').checked"
            )
            .await
            == json!(true)
    );
    browser.screenshot("mood-anonymous-hidden").await;

    // The third mood: the average appears (live), still without anyone's own.
    let body = app.graphql_as(&bob.token, SUBMIT, answer(3, "")).await;
    assert!(body["errors"].is_null(), "{body}");
    browser
        .wait_text("[data-testid=mood-average]", "3.0/5 average from 3 people")
        .await;
    assert_eq!(browser.count("[data-testid=mood-hidden]").await, 0);
    let page = browser
        .script_value("return document.querySelector('main').innerText")
        .await;
    assert!(
        !page.as_str().unwrap_or_default().contains("pineapple"),
        "{page}"
    );
    browser.screenshot("mood-anonymous-average").await;
}
