//! The signed-in person's own account.

use crate::auth::{AuthState, refresh};
use crate::service::account as service;
use crate::service::organization::require_caller;
use crate::state::{AppState, RequestMeta};
use async_graphql::{Context, Object, Result, ResultExt};
use secrecy::SecretString;

#[derive(Default)]
pub struct AccountMutation;

#[Object]
impl AccountMutation {
    /// Sets a new password after checking the current one (a wrong one counts toward
    /// the sign-in failure limit). Every other session of your account ends; this one
    /// goes on.
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        #[graphql(secret)] current_password: String,
        #[graphql(secret)] new_password: String,
    ) -> Result<bool> {
        let (state, meta) = (ctx.data::<AppState>()?, ctx.data::<RequestMeta>()?);
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        service::change_password(
            state,
            meta,
            caller,
            SecretString::from(current_password),
            SecretString::from(new_password),
        )
        .await
        .extend()?;
        Ok(true)
    }

    /// Ends every session of your account on every device, this one included, and
    /// clears the cookie.
    async fn log_out_everywhere(&self, ctx: &Context<'_>) -> Result<bool> {
        let (state, meta) = (ctx.data::<AppState>()?, ctx.data::<RequestMeta>()?);
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        service::log_out_everywhere(state, meta, caller)
            .await
            .extend()?;
        ctx.append_http_header(
            "set-cookie",
            refresh::clear_cookie(state.settings.secure_cookies()),
        );
        Ok(true)
    }
}
