//! The account page's "E-mail notifications" card: which standup e-mails you get ("your
//! standup is open", reminders, digests). Each of those e-mails also carries a one-click
//! unsubscribe link that turns its kind off; this is where it comes back on.

use schema::ops::{
    NoVariables, NotificationPreferences, NotificationPreferencesQuery,
    UpdateNotificationPreferences, UpdateNotificationPreferencesVariables,
};
use yew::prelude::*;

use crate::components::{Button, Checkbox, ErrorBanner, loading};
use crate::hooks::{Load, MutationOptions, use_mutation, use_query};

#[component]
pub fn NotificationPreferencesCard() -> Html {
    let version = use_state(|| 0u32);
    let current = use_query::<NotificationPreferencesQuery, _>(NoVariables {}, *version);
    let body = match &*current.state {
        Load::Loading => loading("Loading your notification settings…"),
        Load::Failed(err) => html! {
            <ErrorBanner title="Your notification settings could not be loaded" message={err.user_message()} on_retry={current.retry.clone()} />
        },
        Load::Ready(data) => {
            let prefs = data
                .viewer
                .as_ref()
                .and_then(|v| v.user.notification_preferences)
                .unwrap_or(NotificationPreferences {
                    standup_asked: true,
                    reminder: true,
                    digest: true,
                });
            let saved = {
                let version = version.clone();
                Callback::from(move |()| version.set(*version + 1))
            };
            html! { <PreferencesForm {prefs} {saved} /> }
        }
    };
    html! {
        <section class="card" aria-labelledby="notifications-title" data-testid="notification-preferences">
            <h2 id="notifications-title" class="card-title">{ "E-mail notifications" }</h2>
            <p class="muted">{ "Which standup e-mails you get. Slack messages follow your Slack settings." }</p>
            { body }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct PreferencesFormProps {
    prefs: NotificationPreferences,
    saved: Callback<()>,
}

#[component]
fn PreferencesForm(props: &PreferencesFormProps) -> Html {
    let draft = use_state(|| props.prefs);
    let save = use_mutation(MutationOptions {
        fields: &[],
        ..Default::default()
    });
    let toggle = |set: fn(&mut NotificationPreferences, bool)| {
        let draft = draft.clone();
        Callback::from(move |on: bool| {
            let mut next = *draft;
            set(&mut next, on);
            draft.set(next);
        })
    };
    let onsubmit = {
        let (draft, save, saved) = (draft.clone(), save.clone(), props.saved.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let vars = UpdateNotificationPreferencesVariables { input: *draft };
            let saved = saved.clone();
            save.run::<UpdateNotificationPreferences>(vars, move |_| {
                saved.emit(());
                Some("Notification settings saved".to_owned())
            });
        })
    };
    html! {
        <form class="form" ref={save.form()} {onsubmit} novalidate=true>
            if let Some(message) = save.errors().form() {
                <ErrorBanner {message} />
            }
            <Checkbox id="notify-standup-asked" label="When a standup asks me" checked={draft.standup_asked}
                onchange={toggle(|p, on| p.standup_asked = on)} />
            <Checkbox id="notify-reminder" label="Reminders before the deadline" checked={draft.reminder}
                onchange={toggle(|p, on| p.reminder = on)} />
            <Checkbox id="notify-digest" label="Digests after a standup closes" checked={draft.digest}
                onchange={toggle(|p, on| p.digest = on)} />
            <div class="form-actions form-actions-start">
                <Button r#type="submit" busy={save.busy()} testid="save-notifications">{ "Save" }</Button>
            </div>
        </form>
    }
}
