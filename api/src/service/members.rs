//! An organization's members and settings: listing, roles, suspension, removal, renaming.
//!
//! Rules: OWNER and ADMIN manage members; only an OWNER makes or unmakes OWNERs and
//! ADMINs (and suspends or removes them); the last active OWNER can be neither demoted,
//! suspended nor removed. Another organization's user answers NOT_FOUND. Suspending or
//! removing someone also ends their PENDING participations in the organization's OPEN
//! standups (no reminder, not counted as missing); their answers stay.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::service::standups::{announce_closed, close_where_all_responded};
use crate::service::{audit, organization};
use crate::state::{AppState, RequestMeta};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use schema::enums::{MemberStatus, OrgRole};
use schema::ids::UserId;
use schema::validation;
use schema_server::db::members::{self, MemberFilter};
use schema_server::db::models::{Membership, Organization, User};
use schema_server::db::{AsyncPgConnection, organizations, sessions, standups};
use serde_json::json;

/// A membership with its person.
pub type Member = (Membership, User);

/// The caller's role, or FORBIDDEN unless OWNER/ADMIN.
async fn require_admin(state: &AppState, caller: &Caller, what: &str) -> ApiResult<OrgRole> {
    let (_, role) = organization::current(state, caller).await?;
    if !role.is_admin() {
        return Err(ApiError::Forbidden(format!(
            "only owners and admins can {what}"
        )));
    }
    Ok(role)
}

fn not_found() -> ApiError {
    ApiError::NotFound("member not found".into())
}

/// Only an OWNER touches an OWNER's or ADMIN's membership (or invitation).
pub(crate) fn check_rank(actor: OrgRole, target: OrgRole, what: &str) -> ApiResult<()> {
    if target.is_admin() && actor != OrgRole::Owner {
        return Err(ApiError::Forbidden(format!(
            "only owners can {what} owners and admins"
        )));
    }
    Ok(())
}

/// CONFLICT when `target` is the last active OWNER.
async fn check_not_last_owner(
    tx: &mut AsyncPgConnection,
    caller: &Caller,
    target: &Membership,
    what: &str,
) -> ApiResult<()> {
    if target.role != OrgRole::Owner || target.status != MemberStatus::Active {
        return Ok(());
    }
    let owners = members::lock_active_owners(tx, caller.org).await?;
    if owners.iter().all(|id| *id == target.user_id) {
        return Err(ApiError::Conflict {
            field: Some("userId"),
            message: format!(
                "userId: the last owner cannot be {what}; make someone else an owner first"
            ),
        });
    }
    Ok(())
}

/// One page of the caller's organization's members and whether more follow. Any member.
#[tracing::instrument(skip_all)]
pub async fn list(
    state: &AppState,
    caller: &Caller,
    filter: &MemberFilter,
    after: Option<(DateTime<Utc>, UserId)>,
    first: i64,
) -> ApiResult<(Vec<Member>, bool)> {
    if let Some(search) = &filter.search {
        validation::validate_max_chars("search", search, validation::FILTER_MAX_CHARS)?;
    }
    organization::current(state, caller).await?;
    let mut conn = state.db().await?;
    let mut page = members::list(&mut conn, caller.org, filter, after, first + 1).await?;
    let more = page.len() as i64 > first;
    page.truncate(first as usize);
    Ok((page, more))
}

/// Sets `target`'s role. OWNER/ADMIN; OWNER for anything involving OWNER or ADMIN.
#[tracing::instrument(skip_all)]
pub async fn change_role(
    state: &AppState,
    meta: &RequestMeta,
    caller: &Caller,
    target: UserId,
    role: OrgRole,
) -> ApiResult<Member> {
    let actor = require_admin(state, caller, "change roles").await?;
    let mut conn = state.db().await?;
    conn.transaction::<_, ApiError, _>(async |tx| {
        let (before, user) = members::find_for_update(tx, caller.org, target)
            .await?
            .ok_or_else(not_found)?;
        check_rank(actor, before.role, "change the role of")?;
        check_rank(actor, role, "make")?;
        if before.role == role {
            return Ok((before, user));
        }
        if role != OrgRole::Owner {
            check_not_last_owner(tx, caller, &before, "demoted").await?;
        }
        let after = members::set_role(tx, caller.org, target, role).await?;
        audit(
            tx,
            meta,
            Some(caller.org),
            Some(caller.user),
            "member.change_role",
            Some(("user", target.to_string())),
            json!({ "before": { "role": before.role }, "after": { "role": after.role } }),
        )
        .await?;
        Ok((after, user))
    })
    .await
}

/// Suspends `target`: their sessions in this organization end now, signing in to it is
/// refused until reactivated, and their pending participations in open standups end.
#[tracing::instrument(skip_all)]
pub async fn suspend(
    state: &AppState,
    meta: &RequestMeta,
    caller: &Caller,
    target: UserId,
) -> ApiResult<Member> {
    set_status(state, meta, caller, target, MemberStatus::Suspended).await
}

/// Lets a suspended member back in.
#[tracing::instrument(skip_all)]
pub async fn reactivate(
    state: &AppState,
    meta: &RequestMeta,
    caller: &Caller,
    target: UserId,
) -> ApiResult<Member> {
    set_status(state, meta, caller, target, MemberStatus::Active).await
}

async fn set_status(
    state: &AppState,
    meta: &RequestMeta,
    caller: &Caller,
    target: UserId,
    status: MemberStatus,
) -> ApiResult<Member> {
    let (verb, action) = match status {
        MemberStatus::Suspended => ("suspend", "member.suspend"),
        _ => ("reactivate", "member.reactivate"),
    };
    let actor = require_admin(state, caller, &format!("{verb} members")).await?;
    let mut conn = state.db().await?;
    let (member, closed) = conn
        .transaction::<_, ApiError, _>(async |tx| {
            let (before, user) = members::find_for_update(tx, caller.org, target)
                .await?
                .ok_or_else(not_found)?;
            check_rank(actor, before.role, verb)?;
            let expected = match status {
                MemberStatus::Suspended => MemberStatus::Active,
                _ => MemberStatus::Suspended,
            };
            if before.status == status {
                return Ok(((before, user), Vec::new()));
            }
            if before.status != expected {
                return Err(ApiError::Conflict {
                    field: Some("userId"),
                    message: format!(
                        "userId: a member whose status is {} cannot be {verb}d",
                        before.status.as_str()
                    ),
                });
            }
            if status == MemberStatus::Suspended {
                check_not_last_owner(tx, caller, &before, "suspended").await?;
            }
            let after = members::set_status(tx, caller.org, target, status).await?;
            let (revoked, ended) = if status == MemberStatus::Suspended {
                (
                    sessions::revoke_all_in_organization(
                        tx,
                        caller.org,
                        target,
                        "member suspended",
                    )
                    .await?,
                    standups::end_pending_participations(tx, caller.org, target).await?,
                )
            } else {
                (0, Vec::new())
            };
            audit(
                tx,
                meta,
                Some(caller.org),
                Some(caller.user),
                action,
                Some(("user", target.to_string())),
                json!({
                    "before": { "status": before.status },
                    "after": { "status": after.status },
                    "sessionsRevoked": revoked,
                    "pendingParticipationsEnded": ended.len(),
                }),
            )
            .await?;
            // Their leaving may have been the last response an open standup waited for.
            let closed = close_where_all_responded(tx, meta, caller, &ended).await?;
            Ok(((after, user), closed))
        })
        .await?;
    announce_closed(state, &closed);
    Ok(member)
}

/// Removes `target` from the organization and ends their sessions and pending
/// participations in it.
#[tracing::instrument(skip_all)]
pub async fn remove(
    state: &AppState,
    meta: &RequestMeta,
    caller: &Caller,
    target: UserId,
) -> ApiResult<()> {
    let actor = require_admin(state, caller, "remove members").await?;
    let mut conn = state.db().await?;
    let closed = conn
        .transaction::<_, ApiError, _>(async |tx| {
            let (before, _user) = members::find_for_update(tx, caller.org, target)
                .await?
                .ok_or_else(not_found)?;
            check_rank(actor, before.role, "remove")?;
            check_not_last_owner(tx, caller, &before, "removed").await?;
            members::delete(tx, caller.org, target).await?;
            let revoked =
                sessions::revoke_all_in_organization(tx, caller.org, target, "member removed")
                    .await?;
            let ended = standups::end_pending_participations(tx, caller.org, target).await?;
            audit(
                tx,
                meta,
                Some(caller.org),
                Some(caller.user),
                "member.remove",
                Some(("user", target.to_string())),
                json!({
                    "before": { "role": before.role, "status": before.status },
                    "after": null,
                    "sessionsRevoked": revoked,
                    "pendingParticipationsEnded": ended.len(),
                }),
            )
            .await?;
            close_where_all_responded(tx, meta, caller, &ended).await
        })
        .await?;
    announce_closed(state, &closed);
    Ok(())
}

/// Renames the caller's organization. OWNER/ADMIN.
#[tracing::instrument(skip_all)]
pub async fn update_organization(
    state: &AppState,
    meta: &RequestMeta,
    caller: &Caller,
    name: &str,
) -> ApiResult<Organization> {
    let name = validation::validate_label("name", name)?;
    require_admin(state, caller, "change the organization's settings").await?;
    let mut conn = state.db().await?;
    conn.transaction::<_, ApiError, _>(async |tx| {
        let before = organizations::find_active_membership(tx, caller.user, caller.org)
            .await?
            .map(|(org, _)| org.name);
        let after = organizations::update_name(tx, caller.org, &name).await?;
        audit(
            tx,
            meta,
            Some(caller.org),
            Some(caller.user),
            "organization.update",
            Some(("organization", caller.org.to_string())),
            json!({ "before": { "name": before }, "after": { "name": after.name } }),
        )
        .await?;
        Ok(after)
    })
    .await
}
