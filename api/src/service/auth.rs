//! Sign-up, sign-in, session refresh with rotation and replay detection, sign-out and
//! switching organization.

use crate::auth::{AuthState, Caller, refresh};
use crate::error::{ApiError, ApiResult};
use crate::service::{audit, enqueue};
use crate::state::{AppState, RequestMeta};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use schema::db::models::{NewMembership, NewSession, NewUser, Organization, User};
use schema::db::{
    AsyncPgConnection, DbError, invitations, members, organizations, rate_limits, sessions, users,
};
use schema::enums::{MemberStatus, OrgRole};
use schema::ids::{OrganizationId, SessionId, UserId};
use schema::jobs::Job;
use schema::validation;
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

/// What a successful sign-in hands back: the access token, and a refresh token for the cookie.
pub struct SignedIn {
    pub access_token: String,
    pub expires_at: DateTime<Utc>,
    pub user: User,
    pub organization: Organization,
    pub role: OrgRole,
    /// A new refresh token to set as the cookie (None: keep the current cookie).
    pub refresh_token: Option<String>,
}

pub struct SignUp {
    pub email: String,
    pub password: SecretString,
    pub name: String,
    pub organization_name: String,
}

const INVALID_CREDENTIALS: &str = "invalid e-mail or password";
const SESSION_ENDED: &str = "your session has ended; sign in again";

#[tracing::instrument(skip_all)]
pub async fn sign_up(state: &AppState, meta: &RequestMeta, input: SignUp) -> ApiResult<SignedIn> {
    let email = validation::validate_email(&input.email)?;
    validation::validate_password(input.password.expose_secret())?;
    let name = validation::validate_person_name(&input.name)?;
    let org_name = validation::validate_organization_name(&input.organization_name)?;

    let mut conn = state.db().await?;
    if users::find_by_email(&mut conn, &email).await?.is_some() {
        return Err(email_taken());
    }
    let password_hash = state.hasher.hash(input.password).await?;

    let user_id = UserId::new_random();
    let org_id = OrganizationId::new_random();
    let expires = session_expiry(state);
    let (refresh_token, refresh_hash) = refresh::generate();
    let session_id = SessionId::new_random();
    let (user, org) = conn
        .transaction::<_, ApiError, _>(async |tx| {
            let user = users::insert(
                tx,
                &NewUser {
                    id: user_id,
                    email: &email,
                    name: &name,
                    password_hash: &password_hash,
                },
            )
            .await?
            .ok_or_else(email_taken)?;
            let org = organizations::insert_with_unique_slug(
                tx,
                org_id,
                &org_name,
                &validation::slugify(&org_name),
            )
            .await?;
            organizations::insert_membership(
                tx,
                &NewMembership {
                    org_id,
                    user_id,
                    role: OrgRole::Owner,
                    status: MemberStatus::Active,
                },
            )
            .await?;
            open_session(
                tx,
                meta,
                session_id,
                user_id,
                org_id,
                expires,
                &refresh_hash,
            )
            .await?;
            audit(
                tx,
                meta,
                Some(org_id),
                Some(user_id),
                "auth.sign_up",
                Some(("user", user_id.to_string())),
                json!({ "email": email, "organization": org_name }),
            )
            .await?;
            enqueue(
                tx,
                meta,
                Some(org_id),
                Job::SendWelcomeEmail {
                    user_id: user_id.as_uuid(),
                },
            )
            .await?;
            Ok((user, org))
        })
        .await?;
    state.outbox.wake();
    tracing::info!(user_id = %user.id, org_id = %org.id, "signed up");
    signed_in(
        state,
        user,
        org,
        OrgRole::Owner,
        session_id,
        Some(refresh_token),
    )
}

/// Failed password checks, limited per account and per IP (`LOGIN_FAILURES_PER_*` within
/// `LOGIN_FAILURE_WINDOW_SECS`): sign-in and accepting an invitation with an existing
/// account share the counters.
struct LoginThrottle {
    account_key: String,
    ip_key: String,
    window: i32,
    per_account: i32,
    per_ip: i32,
}

impl LoginThrottle {
    fn new(state: &AppState, meta: &RequestMeta, email: &str) -> Self {
        let settings = &state.settings;
        Self {
            account_key: format!("login:account:{email}"),
            ip_key: format!("login:ip:{}", meta.ip),
            window: settings.login_failure_window_secs,
            per_account: settings.login_failures_per_account,
            per_ip: settings.login_failures_per_ip,
        }
    }

    /// RATE_LIMITED while either counter is at its limit.
    async fn check(&self, conn: &mut AsyncPgConnection) -> ApiResult<()> {
        for (key, limit) in [
            (&self.account_key, self.per_account),
            (&self.ip_key, self.per_ip),
        ] {
            let (count, retry_after) =
                rate_limits::peek(conn, std::slice::from_ref(key), self.window).await?;
            if count >= limit {
                tracing::warn!(key = key.split(':').nth(1), "sign-in throttled");
                return Err(ApiError::RateLimited {
                    retry_after_secs: retry_after.max(1) as u64,
                });
            }
        }
        Ok(())
    }

    async fn failed(&self, conn: &mut AsyncPgConnection) -> ApiResult<()> {
        rate_limits::hit(conn, &self.account_key, self.window).await?;
        rate_limits::hit(conn, &self.ip_key, self.window).await?;
        Ok(())
    }

    async fn succeeded(&self, conn: &mut AsyncPgConnection) -> ApiResult<()> {
        rate_limits::clear(conn, &self.account_key).await?;
        Ok(())
    }
}

#[tracing::instrument(skip_all)]
pub async fn log_in(
    state: &AppState,
    meta: &RequestMeta,
    email: &str,
    password: SecretString,
) -> ApiResult<SignedIn> {
    let email = email.trim().to_lowercase();
    let throttle = LoginThrottle::new(state, meta, &email);
    let mut conn = state.db().await?;
    throttle.check(&mut conn).await?;

    let user = users::find_by_email(&mut conn, &email).await?;
    let verified = state
        .hasher
        .verify(password, user.as_ref().map(|u| u.password_hash.clone()))
        .await?;
    let (Some(user), true) = (user, verified) else {
        throttle.failed(&mut conn).await?;
        return Err(ApiError::Unauthenticated(INVALID_CREDENTIALS.into()));
    };

    let Some((org, role)) = organizations::default_for_user(&mut conn, user.id).await? else {
        return Err(ApiError::Forbidden(
            "your account is not an active member of any organization".into(),
        ));
    };
    let (refresh_token, refresh_hash) = refresh::generate();
    let session_id = SessionId::new_random();
    let expires = session_expiry(state);
    conn.transaction::<_, ApiError, _>(async |tx| {
        open_session(
            tx,
            meta,
            session_id,
            user.id,
            org.id,
            expires,
            &refresh_hash,
        )
        .await?;
        throttle.succeeded(tx).await?;
        audit(
            tx,
            meta,
            Some(org.id),
            Some(user.id),
            "auth.log_in",
            Some(("session", session_id.to_string())),
            json!({}),
        )
        .await?;
        Ok(())
    })
    .await?;
    signed_in(state, user, org, role, session_id, Some(refresh_token))
}

enum Refreshed {
    Rotated {
        session: SessionId,
        user: UserId,
        org: OrganizationId,
    },
    Replayed,
    Ended,
}

/// Rotates the refresh token from the cookie. Presenting a token that was already used
/// revokes its whole family: the thief and the legitimate holder are both signed out.
#[tracing::instrument(skip_all)]
pub async fn refresh_session(state: &AppState, meta: &RequestMeta) -> ApiResult<SignedIn> {
    let Some(token) = meta.refresh_token.as_deref() else {
        return Err(ApiError::Unauthenticated("no session; sign in".into()));
    };
    let presented = refresh::hash(token);
    let (new_token, new_hash) = refresh::generate();
    let expires = session_expiry(state);
    let mut conn = state.db().await?;
    let outcome = conn
        .transaction::<_, ApiError, _>(async |tx| {
            let Some(found) = sessions::find_token_for_update(tx, &presented).await? else {
                return Ok(Refreshed::Ended);
            };
            let session = found.session;
            if session.revoked_at.is_some() || session.expires_at <= Utc::now() {
                return Ok(Refreshed::Ended);
            }
            if found.used_at.is_some() {
                sessions::revoke(tx, session.id, "refresh token reused").await?;
                audit(
                    tx,
                    meta,
                    Some(session.org_id),
                    Some(session.user_id),
                    "auth.refresh_token_reused",
                    Some(("session", session.id.to_string())),
                    json!({}),
                )
                .await?;
                return Ok(Refreshed::Replayed);
            }
            if organizations::find_active_membership(tx, session.user_id, session.org_id)
                .await?
                .is_none()
            {
                sessions::revoke(tx, session.id, "membership no longer active").await?;
                return Ok(Refreshed::Ended);
            }
            sessions::mark_token_used(tx, &presented).await?;
            sessions::insert_refresh_token(tx, session.id, &new_hash).await?;
            sessions::touch(tx, session.id, expires).await?;
            Ok(Refreshed::Rotated {
                session: session.id,
                user: session.user_id,
                org: session.org_id,
            })
        })
        .await?;
    match outcome {
        Refreshed::Rotated { session, user, org } => {
            let (org, role) = organizations::find_active_membership(&mut conn, user, org)
                .await?
                .ok_or_else(|| ApiError::Unauthenticated(SESSION_ENDED.into()))?;
            let user = users::find(&mut conn, user)
                .await?
                .ok_or_else(|| ApiError::Unauthenticated(SESSION_ENDED.into()))?;
            signed_in(state, user, org, role, session, Some(new_token))
        }
        Refreshed::Replayed => {
            tracing::warn!("refresh token replayed; session revoked");
            Err(ApiError::Unauthenticated(SESSION_ENDED.into()))
        }
        Refreshed::Ended => Err(ApiError::Unauthenticated(SESSION_ENDED.into())),
    }
}

/// Revokes the session named by the access token, or else by the refresh cookie.
#[tracing::instrument(skip_all)]
pub async fn log_out(state: &AppState, meta: &RequestMeta, auth: &AuthState) -> ApiResult<()> {
    let mut conn = state.db().await?;
    let session = match auth {
        AuthState::Verified(caller) => Some((caller.session, caller.user, caller.org)),
        _ => match meta.refresh_token.as_deref() {
            Some(token) => sessions::find_token_for_update(&mut conn, &refresh::hash(token))
                .await?
                .map(|t| (t.session.id, t.session.user_id, t.session.org_id)),
            None => None,
        },
    };
    if let Some((sid, user, org)) = session {
        conn.transaction::<_, ApiError, _>(async |tx| {
            if sessions::revoke(tx, sid, "signed out").await? {
                audit(
                    tx,
                    meta,
                    Some(org),
                    Some(user),
                    "auth.log_out",
                    Some(("session", sid.to_string())),
                    json!({}),
                )
                .await?;
            }
            Ok(())
        })
        .await?;
    }
    Ok(())
}

/// Moves the caller's session to another organization they are an active member of.
#[tracing::instrument(skip_all)]
pub async fn switch_organization(
    state: &AppState,
    meta: &RequestMeta,
    caller: &Caller,
    target: OrganizationId,
) -> ApiResult<SignedIn> {
    let mut conn = state.db().await?;
    if sessions::find_live(&mut conn, caller.session, caller.user)
        .await?
        .is_none()
    {
        return Err(ApiError::Unauthenticated(SESSION_ENDED.into()));
    }
    let (org, role) = organizations::find_active_membership(&mut conn, caller.user, target)
        .await?
        .ok_or_else(|| ApiError::NotFound("organization not found".into()))?;
    let user = users::find(&mut conn, caller.user)
        .await?
        .ok_or_else(|| ApiError::Unauthenticated(SESSION_ENDED.into()))?;
    conn.transaction::<_, ApiError, _>(async |tx| {
        if !sessions::set_organization(tx, caller.session, target).await? {
            return Err(ApiError::Unauthenticated(SESSION_ENDED.into()));
        }
        audit(
            tx,
            meta,
            Some(target),
            Some(caller.user),
            "auth.switch_organization",
            Some(("organization", target.to_string())),
            json!({ "from": caller.org.to_string() }),
        )
        .await?;
        Ok(())
    })
    .await?;
    signed_in(state, user, org, role, caller.session, None)
}

async fn open_session(
    tx: &mut AsyncPgConnection,
    meta: &RequestMeta,
    id: SessionId,
    user: UserId,
    org: OrganizationId,
    expires_at: DateTime<Utc>,
    refresh_hash: &[u8],
) -> Result<(), DbError> {
    sessions::insert(
        tx,
        &NewSession {
            id,
            user_id: user,
            org_id: org,
            expires_at,
            ip: Some(meta.ip.as_str()),
            user_agent: meta.user_agent.as_deref().map(|ua| truncate(ua, 512)),
        },
    )
    .await?;
    sessions::insert_refresh_token(tx, id, refresh_hash).await
}

fn signed_in(
    state: &AppState,
    user: User,
    organization: Organization,
    role: OrgRole,
    session: SessionId,
    refresh_token: Option<String>,
) -> ApiResult<SignedIn> {
    let caller = Caller {
        user: user.id,
        org: organization.id,
        session,
    };
    let (access_token, expires_at) = state.jwt.issue(&caller).map_err(ApiError::internal)?;
    Ok(SignedIn {
        access_token,
        expires_at,
        user,
        organization,
        role,
        refresh_token,
    })
}

fn session_expiry(state: &AppState) -> DateTime<Utc> {
    Utc::now()
        + chrono::Duration::from_std(state.settings.refresh_token_ttl)
            .unwrap_or(chrono::Duration::days(30))
}

fn email_taken() -> ApiError {
    ApiError::Conflict {
        field: Some("email"),
        message: "email: an account with this e-mail already exists; sign in instead".into(),
    }
}

fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// Accepts an invitation with its token: a new person creates the account (name,
/// password); an existing account (same e-mail) joins after proving its password. The
/// token works once; a used, revoked or expired one is BAD_USER_INPUT on `token`.
#[tracing::instrument(skip_all)]
pub async fn accept_invitation(
    state: &AppState,
    meta: &RequestMeta,
    token: &str,
    name: &str,
    password: SecretString,
) -> ApiResult<SignedIn> {
    let invalid = || ApiError::BadInput {
        field: Some("token"),
        message: "token: this invitation link is invalid, used or revoked".into(),
    };
    let expired = || ApiError::BadInput {
        field: Some("token"),
        message: "token: this invitation has expired; ask for a new one".into(),
    };
    let check = |invitation: &invitations::Invitation| {
        if !invitation.is_open() {
            Err(invalid())
        } else if invitation.expires_at <= Utc::now() {
            Err(expired())
        } else {
            Ok(())
        }
    };
    let token = token.trim();
    if token.is_empty() || token.len() > 128 {
        return Err(invalid());
    }
    let token_hash = refresh::hash(token);
    let mut conn = state.db().await?;
    let peek = invitations::find_by_token_for_update(&mut conn, &token_hash)
        .await?
        .ok_or_else(invalid)?;
    check(&peek)?;
    let existing = users::find_by_email(&mut conn, &peek.email).await?;
    // Proving an existing account's password counts against the same per-account and
    // per-IP limits as signing in, so an invitation link is no way around them.
    let throttle = LoginThrottle::new(state, meta, &peek.email.to_lowercase());
    let new_account = match &existing {
        Some(user) => {
            throttle.check(&mut conn).await?;
            let verified = state
                .hasher
                .verify(password, Some(user.password_hash.clone()))
                .await?;
            if !verified {
                throttle.failed(&mut conn).await?;
                return Err(ApiError::Unauthenticated(
                    "password: an account with this e-mail exists; enter its password".into(),
                ));
            }
            None
        }
        None => {
            let name = validation::validate_person_name(name)?;
            validation::validate_password(password.expose_secret())?;
            Some((name, state.hasher.hash(password).await?))
        }
    };
    let expires = session_expiry(state);
    let (refresh_token, refresh_hash) = refresh::generate();
    let session_id = SessionId::new_random();
    let (user, org, role) = conn
        .transaction::<_, ApiError, _>(async |tx| {
            let invitation = invitations::find_by_token_for_update(tx, &token_hash)
                .await?
                .ok_or_else(invalid)?;
            check(&invitation)?;
            let user = match (existing, &new_account) {
                (Some(user), _) => user,
                (None, Some((name, password_hash))) => users::insert(
                    tx,
                    &NewUser {
                        id: UserId::new_random(),
                        email: &invitation.email,
                        name,
                        password_hash,
                    },
                )
                .await?
                .ok_or_else(email_taken)?,
                (None, None) => return Err(invalid()),
            };
            if members::find_for_update(tx, invitation.org_id, user.id)
                .await?
                .is_some()
            {
                return Err(ApiError::Conflict {
                    field: Some("token"),
                    message: "token: you are already a member of this organization".into(),
                });
            }
            organizations::insert_membership(
                tx,
                &NewMembership {
                    org_id: invitation.org_id,
                    user_id: user.id,
                    role: invitation.role,
                    status: MemberStatus::Active,
                },
            )
            .await?;
            invitations::mark_accepted(tx, invitation.id, user.id).await?;
            let (org, role) = organizations::find_active_membership(tx, user.id, invitation.org_id)
                .await?
                .ok_or_else(invalid)?;
            open_session(
                tx,
                meta,
                session_id,
                user.id,
                org.id,
                expires,
                &refresh_hash,
            )
            .await?;
            audit(
                tx,
                meta,
                Some(org.id),
                Some(user.id),
                "invitation.accept",
                Some(("invitation", invitation.id.to_string())),
                json!({
                    "before": { "status": "PENDING" },
                    "after": { "status": "ACCEPTED", "role": role },
                    "email": invitation.email,
                    "newAccount": new_account.is_some(),
                }),
            )
            .await?;
            Ok((user, org, role))
        })
        .await?;
    tracing::info!(user_id = %user.id, org_id = %org.id, "invitation accepted");
    signed_in(state, user, org, role, session_id, Some(refresh_token))
}
