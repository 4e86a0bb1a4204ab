//! Notification preferences: `User.notificationPreferences` (only your own) and
//! `updateNotificationPreferences`.

use super::types::User;
use crate::auth::AuthState;
use crate::service::notifications as service;
use crate::state::{AppState, RequestMeta};
use async_graphql::{ComplexObject, Context, InputObject, Object, Result, ResultExt, SimpleObject};

/// Which standup e-mails you get (true: on). Each e-mail also carries a one-click
/// unsubscribe link that turns its kind off.
#[derive(SimpleObject, Clone, Copy, Debug)]
pub struct NotificationPreferences {
    /// "Your standup is open" e-mails.
    pub standup_asked: bool,
    /// Reminders before the deadline.
    pub reminder: bool,
    /// Digests after the close.
    pub digest: bool,
}

impl From<service::Preferences> for NotificationPreferences {
    fn from(p: service::Preferences) -> Self {
        Self {
            standup_asked: p.standup_asked,
            reminder: p.reminder,
            digest: p.digest,
        }
    }
}

/// Fields left out keep their value.
#[derive(InputObject, Debug, Default)]
pub struct UpdateNotificationPreferencesInput {
    pub standup_asked: Option<bool>,
    pub reminder: Option<bool>,
    pub digest: Option<bool>,
}

#[ComplexObject]
impl User {
    /// Which standup e-mails this person gets; only for yourself (null for anyone else).
    async fn notification_preferences(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<NotificationPreferences>> {
        let AuthState::Verified(caller) = ctx.data::<AuthState>()? else {
            return Ok(None);
        };
        if caller.user.to_string() != self.id.0 {
            return Ok(None);
        }
        let state = ctx.data::<AppState>()?;
        Ok(Some(service::get(state, caller).await.extend()?.into()))
    }
}

#[derive(Default)]
pub struct NotificationsMutation;

#[Object]
impl NotificationsMutation {
    /// Turns kinds of standup e-mail on or off for yourself; returns them all.
    async fn update_notification_preferences(
        &self,
        ctx: &Context<'_>,
        input: UpdateNotificationPreferencesInput,
    ) -> Result<NotificationPreferences> {
        let (state, meta) = (ctx.data::<AppState>()?, ctx.data::<RequestMeta>()?);
        let caller =
            crate::service::organization::require_caller(ctx.data::<AuthState>()?).extend()?;
        let changes = service::PreferenceChanges {
            standup_asked: input.standup_asked,
            reminder: input.reminder,
            digest: input.digest,
        };
        Ok(service::update(state, meta, caller, changes)
            .await
            .extend()?
            .into())
    }
}
