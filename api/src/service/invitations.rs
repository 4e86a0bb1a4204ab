//! Invitations: OWNER/ADMIN invite by e-mail, resend and revoke (only an OWNER invites,
//! resends or revokes invitations of OWNERs and ADMINs, the rank rule of memberships).
//! The worker issues the token and sends the link (job `send_invitation`); accepting
//! lives in [`crate::service::auth::accept_invitation`].
//!
//! Every e-mail sent (a new invitation or a resend) counts against two quotas, so the
//! service cannot be used to flood a mailbox or to send mail in bulk:
//! `INVITES_PER_ORG_PER_HOUR` per organization and `INVITES_PER_ADDRESS_PER_DAY` per
//! recipient address (across organizations). The count is taken first, atomically, in
//! the transaction that queues the e-mail; above a quota the answer is RATE_LIMITED with
//! the seconds until the window ends, and nothing is queued or counted.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::service::members::check_rank;
use crate::service::throttle::{HOUR_SECS, Limit};
use crate::service::{audit, enqueue, organization};
use crate::state::{AppState, RequestMeta};
use diesel_async::AsyncConnection;
use schema::enums::{MemberStatus, OrgRole};
use schema::jobs::Job;
use schema::validation;
use schema_server::db::invitations::{self, Invitation};
use schema_server::db::{AsyncPgConnection, users};
use serde_json::json;
use uuid::Uuid;

async fn require_admin(state: &AppState, caller: &Caller) -> ApiResult<OrgRole> {
    let (_, role) = organization::current(state, caller).await?;
    if !role.is_admin() {
        return Err(ApiError::Forbidden(
            "only owners and admins can manage invitations".into(),
        ));
    }
    Ok(role)
}

fn not_found() -> ApiError {
    ApiError::NotFound("invitation not found".into())
}

/// Counts the e-mail against the organization's and the address's quotas; refuses
/// above either (the caller's transaction then rolls the counts back).
async fn count_against_quotas(
    tx: &mut AsyncPgConnection,
    state: &AppState,
    caller: &Caller,
    email: &str,
) -> ApiResult<()> {
    let settings = &state.settings;
    Limit::new(
        "invite:org",
        &caller.org.to_string(),
        settings.invites_per_org_per_hour,
        HOUR_SECS,
    )
    .hit(tx)
    .await?;
    Limit::new(
        "invite:address",
        email,
        settings.invites_per_address_per_day,
        24 * HOUR_SECS,
    )
    .hit(tx)
    .await?;
    Ok(())
}

/// Queues the invitation e-mail, counted against the quotas.
async fn send(
    tx: &mut AsyncPgConnection,
    state: &AppState,
    meta: &RequestMeta,
    caller: &Caller,
    invitation: &Invitation,
) -> ApiResult<()> {
    count_against_quotas(tx, state, caller, &invitation.email).await?;
    enqueue(
        tx,
        meta,
        Some(caller.org),
        Job::SendInvitation {
            invitation_id: invitation.id,
        },
    )
    .await?;
    Ok(())
}

/// One page of open invitations (pending or expired), newest first. OWNER/ADMIN.
#[tracing::instrument(skip_all)]
pub async fn list_open(
    state: &AppState,
    caller: &Caller,
    after: Option<(chrono::DateTime<chrono::Utc>, Uuid)>,
    first: i64,
) -> ApiResult<(Vec<Invitation>, bool)> {
    require_admin(state, caller).await?;
    let mut conn = state.db().await?;
    let mut page = invitations::list_open(&mut conn, caller.org, after, first + 1).await?;
    let more = page.len() as i64 > first;
    page.truncate(first as usize);
    Ok((page, more))
}

/// Invites `email` to the caller's organization with `role` and queues the e-mail
/// (counted against the mail quotas).
#[tracing::instrument(skip_all)]
pub async fn invite(
    state: &AppState,
    meta: &RequestMeta,
    caller: &Caller,
    email: &str,
    role: OrgRole,
) -> ApiResult<Invitation> {
    let email = validation::validate_email(email)?;
    let actor = require_admin(state, caller).await?;
    check_rank(actor, role, "invite")?;
    let mut conn = state.db().await?;
    let invitation = conn
        .transaction::<_, ApiError, _>(async |tx| {
            if let Some(user) = users::find_by_email(tx, &email).await? {
                let member =
                    schema_server::db::members::find_for_update(tx, caller.org, user.id).await?;
                if let Some((membership, _)) = member
                    && membership.status != MemberStatus::Invited
                {
                    return Err(ApiError::Conflict {
                        field: Some("email"),
                        message: "email: this person is already a member".into(),
                    });
                }
            }
            let invitation =
                invitations::insert(tx, Uuid::new_v4(), caller.org, &email, role, caller.user)
                    .await?
                    .ok_or_else(|| {
                        ApiError::Conflict {
                field: Some("email"),
                message:
                    "email: an invitation to this address is already pending; resend it instead"
                        .into(),
            }
                    })?;
            send(tx, state, meta, caller, &invitation).await?;
            audit(
                tx,
                meta,
                Some(caller.org),
                Some(caller.user),
                "invitation.create",
                Some(("invitation", invitation.id.to_string())),
                json!({ "before": null, "after": { "email": email, "role": role } }),
            )
            .await?;
            Ok(invitation)
        })
        .await?;
    state.outbox.wake();
    Ok(invitation)
}

/// Sends a pending invitation again with a new link (the old one stops working). Only an
/// OWNER resends an OWNER's or ADMIN's invitation; counted against the mail quotas.
#[tracing::instrument(skip_all)]
pub async fn resend(
    state: &AppState,
    meta: &RequestMeta,
    caller: &Caller,
    id: Uuid,
) -> ApiResult<Invitation> {
    let actor = require_admin(state, caller).await?;
    let mut conn = state.db().await?;
    let invitation = conn
        .transaction::<_, ApiError, _>(async |tx| {
            let invitation = invitations::find_for_update(tx, caller.org, id)
                .await?
                .ok_or_else(not_found)?;
            check_rank(actor, invitation.role, "resend invitations of")?;
            if !invitation.is_open() {
                return Err(ApiError::Conflict {
                    field: Some("id"),
                    message: "id: this invitation was already accepted or revoked".into(),
                });
            }
            send(tx, state, meta, caller, &invitation).await?;
            audit(
                tx,
                meta,
                Some(caller.org),
                Some(caller.user),
                "invitation.resend",
                Some(("invitation", id.to_string())),
                json!({ "email": invitation.email }),
            )
            .await?;
            Ok(invitation)
        })
        .await?;
    state.outbox.wake();
    Ok(invitation)
}

/// Withdraws a pending invitation; its link stops working. Only an OWNER revokes an
/// OWNER's or ADMIN's invitation.
#[tracing::instrument(skip_all)]
pub async fn revoke(
    state: &AppState,
    meta: &RequestMeta,
    caller: &Caller,
    id: Uuid,
) -> ApiResult<Invitation> {
    let actor = require_admin(state, caller).await?;
    let mut conn = state.db().await?;
    conn.transaction::<_, ApiError, _>(async |tx| {
        let before = invitations::find_for_update(tx, caller.org, id)
            .await?
            .ok_or_else(not_found)?;
        check_rank(actor, before.role, "revoke invitations of")?;
        if !before.is_open() {
            return Err(ApiError::Conflict {
                field: Some("id"),
                message: "id: this invitation was already accepted or revoked".into(),
            });
        }
        let after = invitations::revoke(tx, id).await?;
        audit(
            tx,
            meta,
            Some(caller.org),
            Some(caller.user),
            "invitation.revoke",
            Some(("invitation", id.to_string())),
            json!({ "before": { "status": "PENDING" }, "after": { "status": "REVOKED" }, "email": after.email }),
        )
        .await?;
        Ok(after)
    })
    .await
}

/// What the page an invitation link opens tells the invitee before they accept.
pub struct Preview {
    pub invitation: invitations::ToSend,
    /// An account with the invited address exists: it joins with its password.
    pub has_account: bool,
}

/// The open invitation a link's token belongs to, with the organization's and inviter's
/// names; `None` for an unknown, used or revoked link. The token is the only credential
/// (no session), so lookups count against the per-address limit of accepting.
pub async fn preview(
    state: &AppState,
    meta: &RequestMeta,
    token: &str,
) -> ApiResult<Option<Preview>> {
    let token = token.trim();
    if token.is_empty() || token.len() > 128 {
        return Ok(None);
    }
    let mut conn = state.db().await?;
    Limit::per_address(
        "invitation_preview:ip",
        meta,
        state.settings.accept_invitation_per_ip_per_hour,
        HOUR_SECS,
    )
    .hit(&mut conn)
    .await?;
    let hash = crate::auth::refresh::hash(token);
    let Some(invitation) =
        invitations::find_open_with_names(&mut conn, invitations::Key::TokenHash(&hash)).await?
    else {
        return Ok(None);
    };
    let has_account = users::find_by_email(&mut conn, &invitation.invitation.email)
        .await?
        .is_some();
    Ok(Some(Preview {
        invitation,
        has_account,
    }))
}
