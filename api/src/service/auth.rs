//! Sign-up, sign-in, session refresh with rotation and replay detection, sign-out and
//! switching organization.

use crate::auth::{AuthState, Caller, refresh};
use crate::error::{ApiError, ApiResult};
use crate::service::throttle::{HOUR_SECS, HitError, Limit};
use crate::service::{audit, enqueue};
use crate::state::{AppState, RequestMeta};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use schema::enums::{MemberStatus, OrgRole};
use schema::ids::{OrganizationId, SessionId, UserId};
use schema::jobs::Job;
use schema::validation;
use schema_server::db::models::{NewMembership, NewSession, NewUser, Organization, User};
use schema_server::db::{
    AsyncPgConnection, DbError, invitations, members, organizations, sessions, users,
};
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
    pub timezone: Option<String>,
}

const INVALID_CREDENTIALS: &str = "invalid e-mail or password";
const SESSION_ENDED: &str = "your session has ended; sign in again";

#[tracing::instrument(skip_all)]
pub async fn sign_up(state: &AppState, meta: &RequestMeta, input: SignUp) -> ApiResult<SignedIn> {
    let email = validation::validate_email(&input.email)?;
    validation::validate_password(input.password.expose_secret())?;
    let name = validation::validate_person_name(&input.name)?;
    let org_name = validation::validate_organization_name(&input.organization_name)?;
    let timezone = match input.timezone.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(zone) => Some(
            schema::schedule::parse_timezone(zone)
                .map_err(validation::ValidationError::from)?
                .name(),
        ),
    };

    let mut conn = state.db().await?;
    Limit::per_address(
        "signup:ip",
        meta,
        state.settings.signup_per_ip_per_hour,
        HOUR_SECS,
    )
    .hit(&mut conn)
    .await?;
    // Hashed before the address is looked up, so a registered address costs the same
    // work (and time) as a new one; the throttle above keeps scans slow.
    let password_hash = state.hasher.hash(input.password).await?;
    if users::find_by_email(&mut conn, &email).await?.is_some() {
        tracing::info!(
            target: "security",
            email_domain = email_domain(&email),
            ip = %meta.ip,
            "sign-up with a registered e-mail"
        );
        return Err(email_taken());
    }

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
                    timezone,
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

/// Password checks, limited per account and per IP (`LOGIN_MAX_FAILURES_PER_*` within
/// `LOGIN_FAILURE_WINDOW_SECS`): sign-in and accepting an invitation with an existing
/// account share the counters. Each check is counted before argon2 runs, so concurrent
/// wrong passwords cannot all slip under the limit; the right password clears the
/// account's count and takes its own count back from the address.
struct LoginThrottle {
    account: Limit,
    address: Limit,
    /// The part of the e-mail after `@`, for logs (never the whole address).
    email_domain: String,
}

impl LoginThrottle {
    fn new(state: &AppState, meta: &RequestMeta, email: &str) -> Self {
        let settings = &state.settings;
        let window = settings.login_failure_window_secs;
        Self {
            account: Limit::new(
                "login:account",
                email,
                settings.login_failures_per_account,
                window,
            ),
            address: Limit::per_address("login:ip", meta, settings.login_failures_per_ip, window),
            email_domain: email_domain(email).to_string(),
        }
    }

    /// Checks `password` against `user`'s hash (a dummy hash when there is no such
    /// account, so both take the same time): true for the right password. RATE_LIMITED
    /// without checking when this attempt is over either limit.
    async fn verify(
        &self,
        state: &AppState,
        conn: &mut AsyncPgConnection,
        meta: &RequestMeta,
        user: Option<&User>,
        password: SecretString,
        via: &'static str,
    ) -> ApiResult<bool> {
        let user_id = user.map(|u| u.id);
        self.count_attempt(conn, meta, user_id).await?;
        let verified = match state
            .hasher
            .verify(password, user.map(|u| u.password_hash.clone()))
            .await
        {
            Ok(verified) => verified,
            Err(e) => {
                // Not checked (e.g. the hash queue was full): not a failure either.
                self.account.release(conn).await?;
                self.address.release(conn).await?;
                return Err(e);
            }
        };
        if verified {
            self.account.clear_and_release(&self.address, conn).await?;
        } else {
            tracing::warn!(
                target: "security",
                via,
                user_id = user_id.map(tracing::field::display),
                known_account = user_id.is_some(),
                email_domain = %self.email_domain,
                ip = %meta.ip,
                "sign-in failed"
            );
            if let Some(user) = user_id {
                audit_account(
                    conn,
                    meta,
                    user,
                    "auth.log_in_failed",
                    json!({ "via": via }),
                )
                .await?;
            }
        }
        Ok(verified)
    }

    /// Counts the attempt against both limits in one statement. The refusal that first
    /// crosses an existing account's limit in a window is written to its audit log.
    async fn count_attempt(
        &self,
        conn: &mut AsyncPgConnection,
        meta: &RequestMeta,
        user: Option<UserId>,
    ) -> ApiResult<()> {
        if let Err(refused) = self.account.hit_with(&self.address, conn).await {
            if let (HitError::Throttled(t), Some(user)) = (&refused, user)
                && t.first
            {
                audit_account(
                    conn,
                    meta,
                    user,
                    "auth.throttled",
                    json!({ "retryAfterSecs": t.retry_after_secs }),
                )
                .await?;
            }
            return Err(refused.into());
        }
        Ok(())
    }
}

/// Writes an audit event about `user`'s account (no actor: whoever tried is unknown)
/// in every organization where they are an active member, so its owners and admins see
/// it; with no organization when there is none.
async fn audit_account(
    conn: &mut AsyncPgConnection,
    meta: &RequestMeta,
    user: UserId,
    action: &'static str,
    summary: serde_json::Value,
) -> Result<(), DbError> {
    let orgs: Vec<Option<OrganizationId>> = organizations::list_for_user(conn, user)
        .await?
        .into_iter()
        .map(|org| Some(org.id))
        .collect();
    let orgs = if orgs.is_empty() { vec![None] } else { orgs };
    conn.transaction::<_, DbError, _>(async |tx| {
        for org in orgs {
            audit(
                tx,
                meta,
                org,
                None,
                action,
                Some(("user", user.to_string())),
                summary.clone(),
            )
            .await?;
        }
        Ok(())
    })
    .await
}

/// The domain of an e-mail address, for logs that must not hold the address.
fn email_domain(email: &str) -> &str {
    email.rsplit_once('@').map_or("", |(_, domain)| domain)
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
    let user = users::find_by_email(&mut conn, &email).await?;
    let verified = throttle
        .verify(state, &mut conn, meta, user.as_ref(), password, "logIn")
        .await?;
    let (Some(user), true) = (user, verified) else {
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
    Replayed {
        session: SessionId,
        user: UserId,
    },
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
            // However often it is refreshed, a session ends its maximum lifetime after
            // sign-in.
            let deadline = session_deadline(state, session.created_at);
            if session.revoked_at.is_some()
                || session.expires_at <= Utc::now()
                || deadline <= Utc::now()
            {
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
                return Ok(Refreshed::Replayed {
                    session: session.id,
                    user: session.user_id,
                });
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
            sessions::touch(tx, session.id, expires.min(deadline)).await?;
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
        Refreshed::Replayed { session, user } => {
            tracing::warn!(
                target: "security",
                session_id = %session,
                user_id = %user,
                ip = %meta.ip,
                "refresh token reused; session revoked"
            );
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
            user_agent: meta
                .user_agent
                .as_deref()
                .map(|ua| validation::truncate_chars(ua, validation::USER_AGENT_MAX_CHARS)),
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

/// When a session used now expires: `REFRESH_TTL_DAYS` from now, never past its maximum
/// lifetime (for a new session, `SESSION_MAX_LIFETIME_DAYS` from now).
fn session_expiry(state: &AppState) -> DateTime<Utc> {
    let now = Utc::now();
    (now + chrono::Duration::from_std(state.settings.refresh_token_ttl)
        .unwrap_or(chrono::Duration::days(30)))
    .min(session_deadline(state, now))
}

/// The end of a session's maximum lifetime (`SESSION_MAX_LIFETIME_DAYS` after sign-in).
fn session_deadline(state: &AppState, created_at: DateTime<Utc>) -> DateTime<Utc> {
    created_at
        + chrono::Duration::from_std(state.settings.session_max_lifetime)
            .unwrap_or(chrono::Duration::days(90))
}

fn email_taken() -> ApiError {
    ApiError::Conflict {
        field: Some("email"),
        message: "email: an account with this e-mail already exists; sign in instead".into(),
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
    Limit::per_address(
        "invitation:ip",
        meta,
        state.settings.accept_invitation_per_ip_per_hour,
        HOUR_SECS,
    )
    .hit(&mut conn)
    .await?;
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
            let verified = throttle
                .verify(
                    state,
                    &mut conn,
                    meta,
                    Some(user),
                    password,
                    "acceptInvitation",
                )
                .await?;
            if !verified {
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
                        timezone: None,
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
