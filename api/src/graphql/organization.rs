use super::types::{Organization, Viewer};
use crate::auth::AuthState;
use crate::service::organization as service;
use crate::state::AppState;
use async_graphql::{Context, Object, Result, ResultExt};

#[derive(Default)]
pub struct OrganizationQuery;

#[Object]
impl OrganizationQuery {
    /// The signed-in person; null when not signed in.
    async fn viewer(&self, ctx: &Context<'_>) -> Result<Option<Viewer>> {
        let state = ctx.data::<AppState>()?;
        let auth = ctx.data::<AuthState>()?;
        let viewer = service::viewer(state, auth).await.extend()?;
        Ok(viewer.map(|v| Viewer {
            user: v.user.into(),
            organization: v.organization.into(),
            role: v.role.into(),
            organizations: v.organizations.into_iter().map(Into::into).collect(),
        }))
    }

    /// The caller's current organization.
    async fn organization(&self, ctx: &Context<'_>) -> Result<Organization> {
        let state = ctx.data::<AppState>()?;
        let caller = service::require_caller(ctx.data::<AuthState>()?).extend()?;
        let (org, _role) = service::current(state, caller).await.extend()?;
        Ok(org.into())
    }
}
