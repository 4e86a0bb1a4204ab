//! The caller's organization and the viewer.

use crate::auth::{AuthState, Caller};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use schema::enums::OrgRole;
use schema_server::db::models::{Organization, User};
use schema_server::db::{organizations, users};

/// The caller's current organization, in one statement that also checks the session is
/// live and the membership active.
#[tracing::instrument(skip_all)]
pub async fn current(state: &AppState, caller: &Caller) -> ApiResult<(Organization, OrgRole)> {
    let mut conn = state.db().await?;
    organizations::find_for_session(&mut conn, caller.session, caller.user, caller.org)
        .await?
        .ok_or_else(session_ended)
}

pub struct ViewerData {
    pub user: User,
    pub organization: Organization,
    pub role: OrgRole,
    pub organizations: Vec<Organization>,
}

/// Who is signed in; `None` when nobody is.
#[tracing::instrument(skip_all)]
pub async fn viewer(state: &AppState, auth: &AuthState) -> ApiResult<Option<ViewerData>> {
    let caller = match auth {
        AuthState::Anonymous => return Ok(None),
        AuthState::Invalid(_) => return Err(invalid_token()),
        AuthState::Verified(caller) => caller,
    };
    let mut conn = state.db().await?;
    let (organization, role) =
        organizations::find_for_session(&mut conn, caller.session, caller.user, caller.org)
            .await?
            .ok_or_else(session_ended)?;
    let user = users::find(&mut conn, caller.user)
        .await?
        .ok_or_else(session_ended)?;
    let organizations = organizations::list_for_user(&mut conn, caller.user).await?;
    Ok(Some(ViewerData {
        user,
        organization,
        role,
        organizations,
    }))
}

/// The caller, or UNAUTHENTICATED.
pub fn require_caller(auth: &AuthState) -> ApiResult<&Caller> {
    match auth {
        AuthState::Verified(caller) => Ok(caller),
        AuthState::Invalid(_) => Err(invalid_token()),
        AuthState::Anonymous => Err(ApiError::unauthenticated()),
    }
}

fn invalid_token() -> ApiError {
    ApiError::Unauthenticated("invalid or expired access token".into())
}

fn session_ended() -> ApiError {
    ApiError::Unauthenticated("your session has ended; sign in again".into())
}
