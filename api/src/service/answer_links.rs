//! One-click answer links: the token an e-mail carries opens one participation (its
//! organization, standup and person) and nothing else. Its holder reads that standup's
//! questions and their own answers, and answers, edits or skips while the standup takes
//! answers (its deadline, then its late window), through the same service calls as
//! `submitAnswers` / `skipStandup`.
//!
//! A link is not a session: [`LinkHolder`]'s caller carries the nil session id, so every
//! operation that needs a sign-in refuses it. The token is looked up only by its SHA-256;
//! a token that is malformed, unknown, of a participation that is gone, or of someone
//! no longer an ACTIVE member answers NOT_FOUND, all alike. Failed look-ups are counted
//! per client address (`ANSWER_LINK_FAILURES_PER_IP_PER_HOUR`), so tokens cannot be
//! guessed at speed (they are 256 random bits anyway).

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::service::standups::{
    self as standups, AnswerDraft, ParticipationView, ProvenMember, accepts_answers_until,
};
use crate::service::throttle::{HOUR_SECS, Limit};
use crate::state::{AppState, RequestMeta};
use chrono::{DateTime, Utc};
use schema::ids::{SessionId, StandupId};
use schema_server::db::standups as runs;
use schema_server::db::{AsyncPgConnection, answer_links, organizations, users};
use sha2::{Digest, Sha256};

/// The length of a token: 32 bytes in base64url without padding.
const TOKEN_CHARS: usize = 43;

/// The holder of an answer link: the participant it names, acting on that one standup.
#[derive(Debug, Clone, Copy)]
pub struct LinkHolder {
    caller: Caller,
    standup: StandupId,
}

impl ProvenMember for LinkHolder {
    fn caller(&self) -> &Caller {
        &self.caller
    }
}

/// What an answer link shows.
#[derive(Debug, Clone)]
pub struct AnswerLinkView {
    /// The standup (questions, deadline) and the holder's own participation.
    pub view: ParticipationView,
    /// Minutes after the close during which answers are still taken.
    pub late_answers_minutes: i32,
    /// Until when answers are accepted (the deadline or the close, plus the late window).
    pub accepts_answers_until: DateTime<Utc>,
}

fn not_found() -> ApiError {
    ApiError::NotFound("this answer link is not valid".into())
}

/// SHA-256 of the token text, as the worker stores it.
fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

fn well_formed(token: &str) -> bool {
    token.len() == TOKEN_CHARS
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The holder of `token`, or NOT_FOUND; every look-up counts against the client
/// address's limit and a successful one gives its attempt back.
async fn holder(
    state: &AppState,
    meta: &RequestMeta,
    conn: &mut AsyncPgConnection,
    token: &str,
) -> ApiResult<LinkHolder> {
    let limit = Limit::per_address(
        "answer_link:ip",
        meta,
        state.settings.answer_link_failures_per_ip_per_hour,
        HOUR_SECS,
    );
    limit.hit(conn).await?;
    let found = if well_formed(token) {
        answer_links::find(conn, &hash(token)).await?
    } else {
        None
    };
    let Some((org, standup, user)) = found else {
        tracing::warn!(target: "security", "unknown answer link");
        return Err(not_found());
    };
    if organizations::find_active_membership(conn, user, org)
        .await?
        .is_none()
    {
        return Err(not_found());
    }
    limit.release(conn).await?;
    Ok(LinkHolder {
        caller: Caller {
            user,
            org,
            // Names no session: a link is not a sign-in.
            session: SessionId::from(uuid::Uuid::nil()),
        },
        standup,
    })
}

/// The standup and the holder's participation the link opens.
#[tracing::instrument(skip_all)]
pub async fn open(state: &AppState, meta: &RequestMeta, token: &str) -> ApiResult<AnswerLinkView> {
    let mut conn = state.db().await?;
    let holder = holder(state, meta, &mut conn, token).await?;
    let (org, user) = (holder.caller.org, holder.caller.user);
    let standup = runs::find(&mut conn, org, holder.standup)
        .await?
        .ok_or_else(not_found)?;
    let participation = runs::participation(&mut conn, org, holder.standup, user)
        .await?
        .ok_or_else(not_found)?;
    let user = users::find(&mut conn, user).await?.ok_or_else(not_found)?;
    let late_answers_minutes = answer_links::late_window(&mut conn, org, holder.standup).await?;
    Ok(AnswerLinkView {
        accepts_answers_until: accepts_answers_until(&standup, late_answers_minutes),
        late_answers_minutes,
        view: ParticipationView {
            standup,
            participation,
            user,
        },
    })
}

/// Submits or edits the holder's answers (see `submitAnswers`).
#[tracing::instrument(skip_all)]
pub async fn submit(
    state: &AppState,
    meta: &RequestMeta,
    token: &str,
    drafts: Vec<AnswerDraft>,
) -> ApiResult<ParticipationView> {
    let holder = {
        let mut conn = state.db().await?;
        holder(state, meta, &mut conn, token).await?
    };
    standups::submit_answers_as(state, meta, &holder, holder.standup, drafts).await
}

/// Skips for the holder (see `skipStandup`).
#[tracing::instrument(skip_all)]
pub async fn skip(
    state: &AppState,
    meta: &RequestMeta,
    token: &str,
    reason: Option<String>,
) -> ApiResult<ParticipationView> {
    let holder = {
        let mut conn = state.db().await?;
        holder(state, meta, &mut conn, token).await?
    };
    standups::skip_as(state, meta, &holder, holder.standup, reason).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_43_base64url_characters_are_looked_up() {
        assert!(well_formed(&"a".repeat(43)));
        assert!(well_formed("abcdefghijklmnopqrstuvwxyzABCDEFGHIJ-_01234"));
        assert!(!well_formed(&"a".repeat(42)));
        assert!(!well_formed(&"a".repeat(44)));
        assert!(!well_formed(&format!("{}=", "a".repeat(42))));
        assert!(!well_formed(&format!("{}/", "a".repeat(42))));
    }
}
