//! What Slack sends us. Every request is checked against the app's signing secret over its
//! raw body before anything is parsed ([`schema_server::slack::verify`]); a request that
//! fails gets 401 and changes nothing. With Slack off (no `SLACK_*` settings) the routes
//! answer 404.
//!
//! `POST /slack/events` (the Events API): answers Slack's `url_verification` challenge;
//! `app_uninstalled` and `tokens_revoked` end the installs they concern (audited); other
//! events are acknowledged.
//!
//! `POST /slack/interactivity` (form-encoded `payload=<json>`): `block_actions` of the
//! Answer and Skip buttons (`action_id` `answer` / `skip`, value: the standup id) open
//! the answer modal (one input per question, prefilled with the current answers) or the
//! skip modal with `views.open`; `view_submission` of those modals answers or skips
//! through the same service calls as `submitAnswers` and `skipStandup`: field errors come
//! back as `response_action: errors` on the question's block, a closed standup as
//! `response_action: update` with a modal saying so, success as an empty 200 (the modal
//! closes). Other payloads are acknowledged with an empty 200.
//!
//! `POST /slack/commands` (form-encoded): `/standup` answers (ephemerally) with the
//! caller's open standups and their Answer and Skip buttons; `/standup help` with the
//! usage; a Slack user matched to no member is told how to be matched.
//!
//! `GET /slack/oauth/callback`: where Slack sends the browser back after an install; the
//! code is exchanged and the browser lands on Settings with the outcome in the query
//! (`?slack=connected` or `?slack=error&reason=…`).

use super::slack_views as views;
use crate::error::ApiError;
use crate::service::slack_answers::{self, SlackMember};
use crate::service::standups::{self, AnswerDraft};
use crate::state::{AppState, RequestMeta};
use actix_web::{HttpRequest, HttpResponse, web};
use schema::enums::QuestionKind;
use schema::ids::StandupId;
use schema_server::slack::{self, SignatureError};
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::Duration;

/// Checks Slack's signature on `req` and `body`.
fn verified(req: &HttpRequest, body: &[u8], signing_secret: &[u8]) -> Result<(), SignatureError> {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    slack::verify(
        signing_secret,
        header(slack::TIMESTAMP_HEADER),
        header(slack::SIGNATURE_HEADER),
        body,
        chrono::Utc::now().timestamp(),
    )
}

/// Verifies the request: `None` when Slack signed it, else the answer: 404 (Slack off) or
/// 401 (not from Slack).
fn refusal(req: &HttpRequest, body: &[u8], state: &AppState) -> Option<HttpResponse> {
    let Some(settings) = &state.settings.slack else {
        return Some(HttpResponse::NotFound().finish());
    };
    let reason = verified(
        req,
        body,
        settings.signing_secret.expose_secret().as_bytes(),
    )
    .err()?;
    tracing::warn!(target: "security", path = req.path(), %reason, "Slack request refused");
    Some(HttpResponse::Unauthorized().json(json!({ "error": reason.to_string() })))
}

/// `POST /slack/events`.
pub async fn events(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    if let Some(refused) = refusal(&req, &body, &state) {
        return refused;
    }
    let Ok(event) = serde_json::from_slice::<Value>(&body) else {
        return HttpResponse::BadRequest().json(json!({ "error": "the body is not JSON" }));
    };
    match event["type"].as_str() {
        Some("url_verification") => match event["challenge"].as_str() {
            Some(challenge) => HttpResponse::Ok().json(json!({ "challenge": challenge })),
            None => HttpResponse::BadRequest().json(json!({ "error": "no challenge" })),
        },
        Some("event_callback") => callback_event(&req, &state, &event).await,
        // Acknowledged at once, as Slack expects within 3 seconds.
        _ => HttpResponse::Ok().finish(),
    }
}

/// `app_uninstalled` and `tokens_revoked` end the installs they concern; other events are
/// acknowledged.
async fn callback_event(req: &HttpRequest, state: &AppState, envelope: &Value) -> HttpResponse {
    let team_id = envelope["team_id"].as_str().unwrap_or_default();
    let kind = envelope["event"]["type"].as_str().unwrap_or_default();
    let bots: Option<Vec<String>> = match kind {
        "app_uninstalled" => None,
        "tokens_revoked" => Some(
            envelope["event"]["tokens"]["bot"]
                .as_array()
                .map(|bots| {
                    bots.iter()
                        .filter_map(|b| b.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
        ),
        _ => return HttpResponse::Ok().finish(),
    };
    let meta = super::request::meta(req, state);
    match crate::service::slack::workspace_gone(state, &meta, team_id, bots.as_deref(), kind).await
    {
        Ok(gone) => {
            tracing::info!(
                team = team_id,
                event = kind,
                installs = gone,
                "Slack installs ended by Slack"
            );
            HttpResponse::Ok().finish()
        }
        Err(e) => {
            e.log();
            // Slack retries a failed delivery.
            HttpResponse::InternalServerError().finish()
        }
    }
}

/// What Slack puts in the callback's query.
#[derive(serde::Deserialize)]
pub struct Callback {
    code: Option<String>,
    state: Option<String>,
    /// `access_denied` when the person cancelled on Slack's page.
    error: Option<String>,
}

/// `GET /slack/oauth/callback`.
pub async fn oauth_callback(
    req: HttpRequest,
    query: web::Query<Callback>,
    state: web::Data<AppState>,
) -> HttpResponse {
    if state.settings.slack.is_none() {
        return HttpResponse::NotFound().finish();
    }
    let outcome = match (&query.error, &query.code, &query.state) {
        (Some(error), _, _) => Err(format!("Slack did not install the app ({error})")),
        (None, Some(code), Some(install_state)) => {
            let meta = super::request::meta(&req, &state);
            crate::service::slack::finish_install(&state, &meta, code, install_state)
                .await
                .map_err(|e| match e {
                    ApiError::Internal(_) => {
                        e.log();
                        "something went wrong; try again".to_owned()
                    }
                    other => other.to_string(),
                })
        }
        _ => Err("the link from Slack is incomplete".to_owned()),
    };
    let location = match outcome {
        Ok(_) => "/settings?slack=connected".to_owned(),
        Err(reason) => format!(
            "/settings?slack=error&reason={}",
            schema::ops::percent_encode(&reason)
        ),
    };
    HttpResponse::SeeOther()
        .insert_header(("location", location))
        .finish()
}

/// How long `views.open` may take: Slack's trigger id lasts 3 seconds from the click.
const VIEWS_OPEN_BUDGET: Duration = Duration::from_millis(2_500);

/// The fields of a form-encoded body; `None` when it is not one.
fn form_fields(body: &[u8]) -> Option<HashMap<String, String>> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()
        .map(|pairs| pairs.into_iter().collect())
}

fn bad_request(error: &str) -> HttpResponse {
    HttpResponse::BadRequest().json(json!({ "error": error }))
}

/// `POST /slack/interactivity`.
pub async fn interactivity(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    if let Some(refused) = refusal(&req, &body, &state) {
        return refused;
    }
    let Some(payload) = form_fields(&body)
        .and_then(|mut fields| fields.remove("payload"))
        .and_then(|raw| serde_json::from_str::<Value>(&raw).ok())
    else {
        return bad_request("the body is not a form with a JSON payload");
    };
    let team = payload["team"]["id"]
        .as_str()
        .or_else(|| payload["user"]["team_id"].as_str())
        .unwrap_or_default();
    let user = payload["user"]["id"].as_str().unwrap_or_default();
    let meta = super::request::meta(&req, &state);
    match payload["type"].as_str() {
        Some("block_actions") => button(&state, team, user, &payload).await,
        Some("view_submission") => submission(&state, &meta, team, user, &payload).await,
        // Acknowledged at once, as Slack expects within 3 seconds.
        _ => HttpResponse::Ok().finish(),
    }
}

/// The standup id a button or a modal carries; `None` when it is not one.
fn standup_id(raw: Option<&str>) -> Option<StandupId> {
    raw?.trim().parse().ok()
}

/// What the person is told when they may not act on a standup (never whether it exists
/// in another organization).
fn refusal_text(error: &ApiError) -> String {
    match error {
        ApiError::Conflict { message, .. } => {
            // "standupId: this standup closed at …; answers are no longer accepted"
            let reason = message
                .split_once(": ")
                .map_or(message.as_str(), |(_, r)| r);
            let mut text = reason.to_owned();
            if let Some(first) = text.get_mut(0..1) {
                first.make_ascii_uppercase();
            }
            format!("{text}.")
        }
        ApiError::Forbidden(reason) => format!("You cannot do this: {reason}."),
        ApiError::NotFound(_) | ApiError::NotFoundIn { .. } => {
            "This standup is not one of yours in AsyncStand.".to_owned()
        }
        _ => "Something went wrong; try again, or answer on the web.".to_owned(),
    }
}

/// A click on Answer or Skip: opens the answer modal, the skip modal, or one saying why
/// not.
async fn button(state: &AppState, team: &str, user: &str, payload: &Value) -> HttpResponse {
    let action = &payload["actions"][0];
    let action_id = action["action_id"].as_str().unwrap_or_default();
    if action_id != views::ANSWER_ACTION && action_id != views::SKIP_ACTION {
        return HttpResponse::Ok().finish();
    }
    let Some(trigger) = payload["trigger_id"].as_str() else {
        return bad_request("no trigger_id");
    };
    let Some(id) = standup_id(action["value"].as_str()) else {
        return bad_request("the button carries no standup id");
    };
    let (member, view) = match slack_answers::member_for_standup(state, team, user, id).await {
        Ok((member, standup)) if action_id == views::SKIP_ACTION => {
            let view = match slack_answers::answer_form(state, &member, standup).await {
                Ok(form) => views::skip_modal(&form.standup),
                Err(e) => views::notice_modal(&refusal_text(&e)),
            };
            (Some(member), view)
        }
        Ok((member, standup)) => {
            let view = match slack_answers::answer_form(state, &member, standup).await {
                Ok(form) => views::answer_modal(&form),
                Err(e) => views::notice_modal(&refusal_text(&e)),
            };
            (Some(member), view)
        }
        Err(e) => {
            tracing::info!(team, "a Slack click on a standup that is not the user's");
            (None, views::notice_modal(&refusal_text(&e)))
        }
    };
    // The notice for a stranger still opens in their own workspace's organizations'
    // install, when there is one; otherwise there is no token to open it with.
    let org = match member {
        Some(member) => Some(member.org()),
        None => slack_answers::members(state, team, user)
            .await
            .ok()
            .and_then(|m| m.first().map(SlackMember::org)),
    };
    if let Some(org) = org {
        match tokio::time::timeout(
            VIEWS_OPEN_BUDGET,
            crate::service::slack::open_view(state, org, trigger, &view),
        )
        .await
        {
            Ok(Ok(())) => {}
            Ok(Err(e)) => e.log(),
            Err(_) => tracing::warn!("views.open took longer than Slack waits"),
        }
    }
    HttpResponse::Ok().finish()
}

/// The text of each input of a submitted modal, by `block_id`.
fn submitted_values(view: &Value) -> HashMap<String, String> {
    let mut out = HashMap::new();
    if let Some(blocks) = view["state"]["values"].as_object() {
        for (block, actions) in blocks {
            // A text input's `value`, a select's `selected_option.value`.
            let text = actions
                .as_object()
                .and_then(|a| a.values().next())
                .and_then(|input| {
                    input["value"]
                        .as_str()
                        .or_else(|| input["selected_option"]["value"].as_str())
                })
                .unwrap_or_default();
            out.insert(block.clone(), text.to_owned());
        }
    }
    out
}

/// `response_action: errors`, each message under its block.
fn field_errors(errors: &[(String, String)]) -> HttpResponse {
    let errors: serde_json::Map<String, Value> = errors
        .iter()
        .map(|(block, message)| (block.clone(), Value::String(message.clone())))
        .collect();
    HttpResponse::Ok().json(json!({ "response_action": "errors", "errors": errors }))
}

/// `response_action: update` to a modal saying `text`.
fn update_to_notice(text: &str) -> HttpResponse {
    HttpResponse::Ok()
        .json(json!({ "response_action": "update", "view": views::notice_modal(text) }))
}

/// A submitted answer or skip modal.
async fn submission(
    state: &AppState,
    meta: &RequestMeta,
    team: &str,
    user: &str,
    payload: &Value,
) -> HttpResponse {
    let view = &payload["view"];
    let callback = view["callback_id"].as_str().unwrap_or_default();
    if callback != views::ANSWERS_CALLBACK && callback != views::SKIP_CALLBACK {
        return HttpResponse::Ok().finish();
    }
    let Some(id) = standup_id(view["private_metadata"].as_str()) else {
        return bad_request("the modal carries no standup id");
    };
    let values = submitted_values(view);
    let (member, standup) = match slack_answers::member_for_standup(state, team, user, id).await {
        Ok(found) => found,
        Err(e) => {
            tracing::info!(
                team,
                "a Slack submission for a standup that is not the user's"
            );
            return update_to_notice(&refusal_text(&e));
        }
    };
    let outcome = if callback == views::SKIP_CALLBACK {
        let reason = values.get(views::REASON).cloned();
        standups::skip_as(state, meta, &member, id, reason).await
    } else {
        // A required question left blank: said on its own block, before anything runs.
        let given = values
            .iter()
            .filter_map(|(block, text)| Some((block.parse().ok()?, text.clone())))
            .collect();
        let questions = match standups::questions_of(&standup) {
            Ok(questions) => questions,
            Err(e) => {
                e.log();
                return update_to_notice(&refusal_text(&e));
            }
        };
        let missing: Vec<(String, String)> = standups::unanswered_required(&questions, &given)
            .into_iter()
            .map(|q| {
                (
                    q.id.to_string(),
                    "This question needs an answer.".to_owned(),
                )
            })
            .collect();
        if !missing.is_empty() {
            return field_errors(&missing);
        }
        let drafts = questions
            .iter()
            .filter_map(|q| {
                let value = values.get(&q.id.to_string());
                if q.kind != QuestionKind::Mood {
                    return value.map(|text| AnswerDraft {
                        question_id: q.id.to_string(),
                        text: text.clone(),
                        mood: None,
                    });
                }
                // The select gives the mood, the block beside it the comment.
                let comment = values.get(&format!("{}{}", q.id, views::COMMENT_SUFFIX));
                (value.is_some() || comment.is_some()).then(|| AnswerDraft {
                    question_id: q.id.to_string(),
                    text: comment.cloned().unwrap_or_default(),
                    mood: value.and_then(|v| v.parse().ok()),
                })
            })
            .collect();
        standups::submit_answers_as(state, meta, &member, id, drafts).await
    };
    match outcome {
        Ok(_) => HttpResponse::Ok().finish(),
        Err(ApiError::BadInput { message, field }) => {
            // Another rule of submitAnswers/skip: said on the first input of the modal.
            let block = if callback == views::SKIP_CALLBACK || field == Some("reason") {
                views::REASON.to_owned()
            } else {
                standups::questions_of(&standup)
                    .ok()
                    .and_then(|qs| qs.first().map(|q| q.id.to_string()))
                    .unwrap_or_default()
            };
            field_errors(&[(block, message)])
        }
        Err(e) => {
            e.log();
            update_to_notice(&refusal_text(&e))
        }
    }
}

/// `POST /slack/commands`.
pub async fn commands(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    if let Some(refused) = refusal(&req, &body, &state) {
        return refused;
    }
    let Some(fields) = form_fields(&body) else {
        return bad_request("the body is not a form");
    };
    let field = |name: &str| fields.get(name).map(String::as_str).unwrap_or_default();
    let text = field("text").trim().to_lowercase();
    if !text.is_empty() {
        // `help`, or anything else we do not know: the usage.
        return HttpResponse::Ok().json(views::help());
    }
    let members = match slack_answers::members(&state, field("team_id"), field("user_id")).await {
        Ok(members) => members,
        Err(e) => {
            e.log();
            return HttpResponse::Ok().json(views::ephemeral(
                "Something went wrong; try again in a minute.",
                Vec::new(),
            ));
        }
    };
    if members.is_empty() {
        return HttpResponse::Ok().json(views::ephemeral(views::NOT_MATCHED, Vec::new()));
    }
    match slack_answers::open_standups(&state, &members).await {
        Ok(open) => HttpResponse::Ok().json(views::open_list(&open)),
        Err(e) => {
            e.log();
            HttpResponse::Ok().json(views::ephemeral(
                "Something went wrong; try again in a minute.",
                Vec::new(),
            ))
        }
    }
}
