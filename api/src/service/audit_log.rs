//! Reading the audit log (OWNER/ADMIN), newest first.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::service::organization;
use crate::state::AppState;
use schema::validation;
use schema_server::db::audit::{self, AuditEntry, AuditFilter};

/// One page of the caller's organization's audit events and whether more follow.
#[tracing::instrument(skip_all)]
pub async fn list(
    state: &AppState,
    caller: &Caller,
    filter: &AuditFilter,
    before: Option<i64>,
    first: i64,
) -> ApiResult<(Vec<AuditEntry>, bool)> {
    let (_, role) = organization::current(state, caller).await?;
    if !role.is_admin() {
        return Err(ApiError::Forbidden(
            "only owners and admins can read the audit log".into(),
        ));
    }
    for (field, value) in [
        ("action", &filter.action),
        ("targetType", &filter.target_type),
        ("targetId", &filter.target_id),
    ] {
        if let Some(value) = value {
            validation::validate_max_chars(field, value, validation::FILTER_MAX_CHARS)?;
        }
    }
    if let (Some(from), Some(to)) = (filter.from, filter.to)
        && from >= to
    {
        return Err(ApiError::BadInput {
            field: Some("to"),
            message: "to: must be later than from".into(),
        });
    }
    let mut conn = state.db().await?;
    let mut page = audit::list(&mut conn, caller.org, filter, before, first + 1).await?;
    let more = page.len() as i64 > first;
    page.truncate(first as usize);
    Ok((page, more))
}
