//! Authentication: argon2id passwords, HS256 access tokens, rotating refresh tokens.

pub mod jwt;
pub mod password;
pub mod refresh;

use schema::ids::{OrganizationId, SessionId, UserId};

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
