//! The signed-in person's own account.

use crate::auth::{AuthState, refresh};
use crate::graphql::types::{User, Weekday};
use crate::service::account as service;
use crate::service::organization::require_caller;
use crate::state::{AppState, RequestMeta};
use async_graphql::{Context, InputObject, MaybeUndefined, Object, Result, ResultExt};
use secrecy::SecretString;

/// A change of your own profile; an omitted field stays as it is.
#[derive(InputObject)]
pub struct UpdateProfileInput {
    /// 1 to 100 characters.
    pub name: Option<String>,
    /// An IANA zone name ("Europe/Berlin"); null clears it (your teams' zones apply).
    pub timezone: MaybeUndefined<String>,
    /// At least one day.
    pub work_days: Option<Vec<Weekday>>,
}

#[derive(Default)]
pub struct AccountMutation;

#[Object]
impl AccountMutation {
    /// Changes your name, time zone and work days. A MEMBER_LOCAL_TIME standup asks you
    /// at its time of day in your zone, on its weekdays that are your work days; a change
    /// applies from your next ask (standups already open keep their times).
    async fn update_profile(&self, ctx: &Context<'_>, input: UpdateProfileInput) -> Result<User> {
        let (state, meta) = (ctx.data::<AppState>()?, ctx.data::<RequestMeta>()?);
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let timezone = match input.timezone {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(zone) => Some(Some(zone)),
        };
        let user = service::update_profile(
            state,
            meta,
            caller,
            service::ProfileInput {
                name: input.name,
                timezone,
                work_days: input
                    .work_days
                    .map(|days| days.into_iter().map(Into::into).collect()),
            },
        )
        .await
        .extend()?;
        Ok(user.into())
    }

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
