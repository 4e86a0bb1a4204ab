//! Personal API tokens: a member's credential for scripts and the CLI.
//!
//! Rules: any active member creates, lists and revokes their own tokens in the current
//! organization (another person's token, or one of another organization, answers
//! NOT_FOUND). A token is `ast_` followed by 256 random bits in base64url; only its
//! SHA-256 is stored and the secret is returned once, by `createApiToken`. A name is 1 to
//! [`NAME_MAX_CHARS`] characters; a member has at most [`MAX_LIVE_TOKENS`] live tokens;
//! a token expires in the future and at most [`MAX_LIFETIME_DAYS`] days from now.
//!
//! A request carrying `Authorization: Bearer ast_…` acts as the token's member in the
//! token's organization ([`authenticate`]): the token is looked up in PostgreSQL on every
//! request, and every service's membership check ([`organization::current`]) proves it
//! is still live, so revoking it, its expiry, and suspending or removing its member
//! take effect at once. A READ token runs queries only; no token creates tokens or
//! changes the password, sessions or organization (both refused before execution by
//! [`crate::graphql::token_scope`]). Creation and revocation are audit rows.
//!
//! [`organization::current`]: crate::service::organization::current

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::service::audit;
use crate::service::teams::require_member;
use crate::state::{AppState, RequestMeta};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use diesel_async::AsyncConnection;
use rand::RngCore;
use schema::enums::ApiTokenScope;
use schema::ids::{ApiTokenId, SessionId};
use schema_server::db::api_tokens::{self, ApiToken, NewApiToken};
use serde_json::json;
use sha2::{Digest, Sha256};

/// Every token starts with this, so it is recognisable (and never taken for a JWT).
pub const PREFIX: &str = "ast_";
/// The longest token name, in characters.
pub const NAME_MAX_CHARS: usize = 100;
/// The most live (not revoked, not expired) tokens one member may have.
pub const MAX_LIVE_TOKENS: i64 = 20;
/// The longest lifetime, in days from creation.
pub const MAX_LIFETIME_DAYS: i64 = 366;
/// `last_used_at` is written at most this often per token.
pub const TOUCH_EVERY_SECS: i32 = 60;
/// The length of a token: the prefix and 32 bytes in base64url without padding.
const TOKEN_CHARS: usize = 4 + 43;

/// What `createApiToken` takes.
#[derive(Clone, Debug)]
pub struct NewToken {
    pub name: String,
    pub scope: ApiTokenScope,
    pub expires_at: DateTime<Utc>,
}

/// A token who holds it may use, with what it may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TokenCaller {
    pub caller: Caller,
    pub id: ApiTokenId,
    pub scope: ApiTokenScope,
}

fn bad(field: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::BadInput {
        field: Some(field),
        message: format!("{field}: {}", message.into()),
    }
}

fn not_found() -> ApiError {
    ApiError::NotFound("API token not found".into())
}

fn hash(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// A fresh secret and its hash.
fn generate() -> (String, Vec<u8>) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret = format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
    let hash = hash(&secret);
    (secret, hash)
}

/// Whether a bearer credential is meant as an API token (rather than an access JWT).
pub fn is_api_token(credential: &str) -> bool {
    credential.starts_with(PREFIX)
}

fn well_formed(secret: &str) -> bool {
    secret.len() == TOKEN_CHARS
        && secret[PREFIX.len()..]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The caller a token stands for: its member in its organization. The caller's
/// `session` is the token's id, which the membership check of every service accepts
/// only while the token is live. `None` for a token that is malformed, unknown,
/// revoked, expired, or whose member is not ACTIVE.
#[tracing::instrument(skip_all)]
pub async fn authenticate(state: &AppState, secret: &str) -> ApiResult<Option<TokenCaller>> {
    if !well_formed(secret) {
        return Ok(None);
    }
    let mut conn = state.db().await?;
    let Some(token) = api_tokens::find_live_by_hash(&mut conn, &hash(secret)).await? else {
        tracing::info!(target: "security", "unknown, revoked or expired API token");
        return Ok(None);
    };
    if token
        .last_used_at
        .is_none_or(|at| Utc::now() - at > Duration::seconds(TOUCH_EVERY_SECS.into()))
    {
        api_tokens::touch(&mut conn, token.id, TOUCH_EVERY_SECS).await?;
    }
    Ok(Some(TokenCaller {
        caller: Caller {
            user: token.user_id,
            org: token.org_id,
            session: SessionId::from(token.id.as_uuid()),
        },
        id: token.id,
        scope: token.scope,
    }))
}

fn summary(token: &ApiToken) -> serde_json::Value {
    json!({
        "name": token.name,
        "scope": token.scope.as_str(),
        "expiresAt": token.expires_at,
    })
}

/// Creates a token for the caller in the current organization: the secret (shown this
/// once) and the stored token.
#[tracing::instrument(skip_all)]
pub async fn create(
    state: &AppState,
    meta: &RequestMeta,
    caller: &Caller,
    input: NewToken,
) -> ApiResult<(String, ApiToken)> {
    let name = input.name.trim().to_string();
    if name.is_empty() {
        return Err(bad("name", "must not be empty"));
    }
    if name.chars().count() > NAME_MAX_CHARS {
        return Err(bad(
            "name",
            format!("must be at most {NAME_MAX_CHARS} characters"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(bad("name", "must be one line of text"));
    }
    let now = Utc::now();
    if input.expires_at <= now {
        return Err(bad("expiresAt", "must be in the future"));
    }
    if input.expires_at > now + Duration::days(MAX_LIFETIME_DAYS) {
        return Err(bad(
            "expiresAt",
            format!("must be at most {MAX_LIFETIME_DAYS} days from now"),
        ));
    }
    require_member(state, caller).await?;
    let (secret, token_hash) = generate();
    let mut conn = state.db().await?;
    let token = conn
        .transaction::<_, ApiError, _>(async |tx| {
            if api_tokens::count_live_locked(tx, caller.org, caller.user).await? >= MAX_LIVE_TOKENS
            {
                return Err(ApiError::Conflict {
                    field: None,
                    message: format!("at most {MAX_LIVE_TOKENS} live API tokens; revoke one first"),
                });
            }
            let token = api_tokens::insert(
                tx,
                &NewApiToken {
                    id: ApiTokenId::new_random(),
                    org_id: caller.org,
                    user_id: caller.user,
                    name: &name,
                    scope: input.scope,
                    token_hash: &token_hash,
                    expires_at: input.expires_at,
                },
            )
            .await?;
            audit(
                tx,
                meta,
                Some(caller.org),
                Some(caller.user),
                "api_token.created",
                Some(("api_token", token.id.to_string())),
                summary(&token),
            )
            .await?;
            Ok(token)
        })
        .await?;
    Ok((secret, token))
}

/// The caller's live tokens in the current organization, newest first.
#[tracing::instrument(skip_all)]
pub async fn list(state: &AppState, caller: &Caller) -> ApiResult<Vec<ApiToken>> {
    require_member(state, caller).await?;
    let mut conn = state.db().await?;
    Ok(api_tokens::list_live(&mut conn, caller.org, caller.user, MAX_LIVE_TOKENS).await?)
}

/// Revokes one of the caller's tokens; it stops working at once.
#[tracing::instrument(skip_all)]
pub async fn revoke(
    state: &AppState,
    meta: &RequestMeta,
    caller: &Caller,
    id: ApiTokenId,
) -> ApiResult<bool> {
    require_member(state, caller).await?;
    let mut conn = state.db().await?;
    conn.transaction::<_, ApiError, _>(async |tx| {
        let token = api_tokens::revoke(tx, caller.org, caller.user, id)
            .await?
            .ok_or_else(not_found)?;
        audit(
            tx,
            meta,
            Some(caller.org),
            Some(caller.user),
            "api_token.revoked",
            Some(("api_token", token.id.to_string())),
            summary(&token),
        )
        .await?;
        Ok(true)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_prefixed_256_bit_and_recognised() {
        let (secret, hash) = generate();
        assert!(secret.starts_with("ast_"));
        assert_eq!(secret.len(), TOKEN_CHARS);
        assert!(well_formed(&secret));
        assert!(is_api_token(&secret));
        assert_eq!(hash.len(), 32);
        assert_ne!(generate().0, secret);
        assert!(!well_formed("ast_short"));
        assert!(!well_formed(&format!("ast_{}", "!".repeat(43))));
        assert!(!is_api_token("eyJhbGciOiJIUzI1NiJ9.e30.x"));
    }
}
