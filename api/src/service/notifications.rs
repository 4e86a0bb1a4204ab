//! Which standup e-mails a person gets: "standup asked", "reminder" and "digest", each on
//! or off (the e-mail channel; Slack DMs follow the person's Slack). Read and changed by
//! the person themselves (`User.notificationPreferences`, `updateNotificationPreferences`),
//! and turned off one kind at a time by the RFC 8058 one-click unsubscribe link each of
//! those e-mails carries (`POST /unsubscribe/{token}`; the token, 256 random bits, is
//! stored only as its SHA-256).

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::service::audit;
use crate::service::teams::require_member;
use crate::service::throttle::{HOUR_SECS, Limit};
use crate::state::{AppState, RequestMeta};
use diesel_async::AsyncConnection;
use schema::ids::UserId;
use schema_server::db::{AsyncPgConnection, mail_preferences as prefs};
use serde_json::json;
use sha2::{Digest, Sha256};

/// Each kind of standup e-mail, on (true) or off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Preferences {
    pub standup_asked: bool,
    pub reminder: bool,
    pub digest: bool,
}

/// What `updateNotificationPreferences` changes; `None` keeps the current value.
#[derive(Clone, Copy, Debug, Default)]
pub struct PreferenceChanges {
    pub standup_asked: Option<bool>,
    pub reminder: Option<bool>,
    pub digest: Option<bool>,
}

async fn read(conn: &mut AsyncPgConnection, user: UserId) -> ApiResult<Preferences> {
    let off = prefs::off_kinds(conn, user).await?;
    let on = |kind: &str| !off.iter().any(|k| k == kind);
    Ok(Preferences {
        standup_asked: on(prefs::STANDUP_ASKED),
        reminder: on(prefs::REMINDER),
        digest: on(prefs::DIGEST),
    })
}

/// The caller's own preferences.
#[tracing::instrument(skip_all)]
pub async fn get(state: &AppState, caller: &Caller) -> ApiResult<Preferences> {
    require_member(state, caller).await?;
    let mut conn = state.db().await?;
    read(&mut conn, caller.user).await
}

/// Changes the caller's own preferences; returns them all.
#[tracing::instrument(skip_all)]
pub async fn update(
    state: &AppState,
    meta: &RequestMeta,
    caller: &Caller,
    changes: PreferenceChanges,
) -> ApiResult<Preferences> {
    require_member(state, caller).await?;
    let mut conn = state.db().await?;
    conn.transaction::<_, ApiError, _>(async |tx| {
        let before = read(tx, caller.user).await?;
        for (kind, on) in [
            (prefs::STANDUP_ASKED, changes.standup_asked),
            (prefs::REMINDER, changes.reminder),
            (prefs::DIGEST, changes.digest),
        ] {
            if let Some(on) = on {
                prefs::set(tx, caller.user, kind, on).await?;
            }
        }
        let after = read(tx, caller.user).await?;
        audit(
            tx,
            meta,
            Some(caller.org),
            Some(caller.user),
            "account.notification_preferences_updated",
            Some(("user", caller.user.to_string())),
            json!({ "before": summary(before), "after": summary(after) }),
        )
        .await?;
        Ok(after)
    })
    .await
}

fn summary(p: Preferences) -> serde_json::Value {
    json!({ "standupAsked": p.standup_asked, "reminder": p.reminder, "digest": p.digest })
}

/// A person unsubscribed from one kind of e-mail.
#[derive(Clone, Debug)]
pub struct Unsubscribed {
    /// "standup asked", "reminder" or "digest".
    pub kind: String,
}

/// One-click unsubscribe: turns the token's kind of e-mail off for its person. NOT_FOUND
/// for an unknown token; failed look-ups count against the client address like answer
/// links. Using the token again changes nothing and succeeds.
#[tracing::instrument(skip_all)]
pub async fn unsubscribe(
    state: &AppState,
    meta: &RequestMeta,
    token: &str,
) -> ApiResult<Unsubscribed> {
    let limit = Limit::per_address(
        "unsubscribe:ip",
        meta,
        state.settings.answer_link_failures_per_ip_per_hour,
        HOUR_SECS,
    );
    let mut conn = state.db().await?;
    limit.hit(&mut conn).await?;
    let hash = Sha256::digest(token.as_bytes()).to_vec();
    let Some((user, kind)) = prefs::find_unsubscribe_link(&mut conn, &hash).await? else {
        tracing::warn!(target: "security", "unknown unsubscribe link");
        return Err(ApiError::NotFound(
            "this unsubscribe link is not valid".into(),
        ));
    };
    limit.release(&mut conn).await?;
    conn.transaction::<_, ApiError, _>(async |tx| {
        prefs::set(tx, user, &kind, false).await?;
        audit(
            tx,
            meta,
            None,
            Some(user),
            "account.unsubscribed",
            Some(("user", user.to_string())),
            json!({ "kind": kind }),
        )
        .await?;
        Ok(())
    })
    .await?;
    Ok(Unsubscribed {
        kind: kind.replace('_', " "),
    })
}
