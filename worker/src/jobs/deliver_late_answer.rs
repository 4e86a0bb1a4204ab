//! `deliver_late_answer`: POST a `standup.late_answer` event to the standup's webhook
//! when a participant answered after the close, within the late window. The digest
//! already delivered is not sent again; this event carries the one late answer.
//!
//! The body is JSON `{"event": "standup.late_answer", "organization_id", "standup": {…},
//! "team": {…}, "participant": {"id", "name"}, "answers": [{"question_id", "prompt",
//! "text"}], "late_at", "url"}`, signed like the digest (see `deliver_webhook`);
//! `X-AsyncStand-Delivery` carries the job id, the same on every attempt.

use super::{
    JobContext,
    deliver_webhook::{post_signed, standup_json},
    standup_mail::{standup_url, team_name},
};
use crate::error::Error;
use diesel_async::AsyncPgConnection;
use schema::{
    ids::{StandupId, UserId},
    jobs::JobEnvelope,
};
use schema_server::db::{answers, standups, users};

pub(super) async fn run(
    ctx: &JobContext,
    tx: &mut AsyncPgConnection,
    envelope: &JobEnvelope,
    id: StandupId,
    user: UserId,
) -> Result<(), Error> {
    let Some(standup) = standups::find_any(tx, id).await? else {
        return Ok(());
    };
    let Some(url) = standup.webhook_url.clone() else {
        return Ok(());
    };
    let Some(participation) = standups::participation(tx, standup.org_id, id, user).await? else {
        return Ok(());
    };
    let name = users::contacts(tx, &[user])
        .await?
        .into_iter()
        .next()
        .map(|person| person.name)
        .unwrap_or_default();
    let given = answers::answers_of_participant(tx, standup.org_id, id, user).await?;
    let questions = standup.questions().unwrap_or_default();
    let answers: Vec<serde_json::Value> = questions
        .iter()
        .filter_map(|q| {
            let answer = given.iter().find(|a| a.question_id == q.id)?;
            Some(serde_json::json!({
                "question_id": q.id,
                "prompt": q.prompt,
                "text": answer.text,
            }))
        })
        .collect();
    let team = team_name(tx, standup.team_id).await?;
    let payload = serde_json::json!({
        "event": "standup.late_answer",
        "organization_id": standup.org_id,
        "standup": standup_json(&standup),
        "team": { "id": standup.team_id, "name": team },
        "participant": { "id": user, "name": name },
        "state": participation.state,
        "answers": answers,
        "late_at": participation.late_at,
        "url": standup_url(&ctx.public_url, id),
    });
    let now = chrono::Utc::now();
    if post_signed(
        ctx,
        tx,
        &standup,
        &url,
        &envelope.id.to_string(),
        &payload,
        now,
    )
    .await?
    {
        tracing::debug!(standup = %id, "late answer webhook delivered");
    }
    Ok(())
}
