//! Authentication: argon2id passwords, HS256 access tokens, rotating refresh tokens.

pub mod jwt;
pub mod password;
pub mod refresh;

use schema::enums::ApiTokenScope;
use schema::ids::{ApiTokenId, OrganizationId, SessionId, UserId};

/// Who is calling, as proven by a verified access token. The database still decides
/// whether the session is live and the membership active.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Caller {
    pub user: UserId,
    pub org: OrganizationId,
    pub session: SessionId,
}

/// The `Authorization` header as the HTTP layer found it.
#[derive(Clone, Debug)]
pub enum AuthState {
    /// No header: public operations only.
    Anonymous,
    /// A header that did not verify (expired, wrong signature, wrong audience, `alg: none`...).
    Invalid(String),
    Verified(Caller),
}

/// Present in a request's data when its caller holds a personal API token (rather than
/// a sign-in): which token, and what it may do. The caller's `session` is the token's id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApiTokenAuth {
    pub id: ApiTokenId,
    pub scope: ApiTokenScope,
}
