//! `deliver_webhook`: POST a closed standup's digest to its webhook URL, signed.
//!
//! The body is JSON `{"event": "standup.digest", "standup": {…}, "team": {…}, "digest":
//! {…}, "url": …}`; the [`SIGNATURE_HEADER`] is `schema_server::webhook::sign(secret, now, body)`
//! with the secret of the standup's config (and, for a day after a rotation, the previous
//! one too); `X-AsyncStand-Delivery` carries the standup
//! id, so a receiver can drop the rare repeat. A transport error or a non-2xx answer is
//! an error: the pipeline retries the job along its ladder and finally parks it.
//! `digest_delivered_at` is set on success, in the job's transaction; a delivery already
//! recorded is not repeated (at-least-once: a crash between the receiver's 2xx and the
//! commit posts again).

use super::{
    JobContext,
    standup_mail::{standup_url, team_name},
};
use crate::error::Error;
use diesel_async::AsyncPgConnection;
use schema::ids::{StandupConfigId, StandupId};
use schema_server::{
    db::{models::Standup, standups},
    secrets,
    webhook::{SIGNATURE_HEADER, secret_context, sign_with_each},
};

/// Carries the standup id: the same on every attempt.
pub const DELIVERY_HEADER: &str = "X-AsyncStand-Delivery";

pub(super) async fn run(
    ctx: &JobContext,
    tx: &mut AsyncPgConnection,
    id: StandupId,
) -> Result<(), Error> {
    let Some(standup) = standups::find_any_for_update(tx, id).await? else {
        return Ok(());
    };
    let Some(extra) = standups::extra_any(tx, id).await? else {
        return Ok(());
    };
    if extra.digest_delivered_at.is_some() {
        return Ok(());
    }
    let Some(url) = standup.webhook_url.clone() else {
        return Ok(());
    };
    let Some(digest) = extra.digest else {
        return Err(Error::Webhook(format!("standup {id} has no digest yet")));
    };
    let team = team_name(tx, standup.team_id).await?;
    let payload = serde_json::json!({
        "event": "standup.digest",
        "organization_id": standup.org_id,
        "standup": standup_json(&standup),
        "team": { "id": standup.team_id, "name": team },
        "digest": digest,
        "url": standup_url(&ctx.public_url, id),
    });
    let now = chrono::Utc::now();
    if post_signed(ctx, tx, &standup, &url, &id.to_string(), &payload, now).await? {
        standups::mark_digest_delivered(tx, id, now).await?;
        tracing::debug!(standup = %id, "digest webhook delivered");
    }
    Ok(())
}

/// The standup as every webhook event describes it.
pub(super) fn standup_json(standup: &Standup) -> serde_json::Value {
    serde_json::json!({
        "id": standup.id,
        "name": standup.name,
        "scheduled_for": standup.scheduled_for,
        "local_date": standup.local_date,
        "timezone": standup.timezone,
        "closes_at": standup.closes_at,
        "closed_at": standup.closed_at,
        "questions": standup.questions,
    })
}

/// POSTs `payload` to `url` signed with the secrets of `standup`'s config, with
/// `delivery` in [`DELIVERY_HEADER`]. False when there is no secret to sign with (the
/// config was deleted): nothing is posted.
///
/// # Errors
/// A non-public or unusable URL, a secret no key opens, a transport error or a non-2xx
/// answer: the pipeline retries the job.
pub(super) async fn post_signed(
    ctx: &JobContext,
    tx: &mut AsyncPgConnection,
    standup: &Standup,
    url: &str,
    delivery: &str,
    payload: &serde_json::Value,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<bool, Error> {
    let id = standup.id;
    crate::notify::webhook::check_url(url, ctx.webhook_allow_private_networks)
        .map_err(|e| Error::Webhook(format!("standup {id}: {e}")))?;
    let stored = match standup.config_id {
        Some(config) => standups::webhook_secrets(tx, config, now)
            .await?
            .into_iter()
            .map(|sealed| open_secret(ctx, config, &sealed))
            .collect::<Result<Vec<_>, _>>()?,
        None => Vec::new(),
    };
    if stored.is_empty() {
        tracing::warn!(standup = %id, "no webhook secret (config deleted?); event not posted");
        return Ok(false);
    }
    let body = serde_json::to_vec(payload)
        .map_err(|e| Error::Webhook(format!("cannot encode the body: {e}")))?;
    let secrets: Vec<&[u8]> = stored.iter().map(String::as_bytes).collect();
    let signature = sign_with_each(&secrets, now.timestamp(), &body);
    let response = ctx
        .http
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(SIGNATURE_HEADER, signature)
        .header(DELIVERY_HEADER, delivery)
        .body(body)
        .send()
        .await
        // Never the URL itself: it may carry a token.
        .map_err(|e| Error::Webhook(format!("standup {id}: {}", e.without_url())))?;
    let status = response.status();
    if !status.is_success() {
        return Err(Error::Webhook(format!(
            "standup {id}: the receiver answered {status}"
        )));
    }
    Ok(true)
}

/// Opens a stored webhook secret of `config`. A secret stored in the clear by an earlier
/// version is used as it is (the api seals those when it starts). A secret no configured
/// key opens fails the job, so the delivery is retried and finally parked where admins see
/// it, rather than posted unsigned.
fn open_secret(ctx: &JobContext, config: StandupConfigId, stored: &str) -> Result<String, Error> {
    if !secrets::is_sealed(stored) {
        return Ok(stored.to_owned());
    }
    ctx.secrets
        .open(stored, &secret_context(config))
        .map_err(|e| Error::Webhook(format!("config {config}: webhook secret: {e}")))
}
