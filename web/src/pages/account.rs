//! `/account`: the signed-in person's own account: out-of-office periods
//! (`account_away`), personal API tokens (`account_tokens`), change the password (every other session ends), and sign out
//! everywhere (every session ends, this one included).

use schema::ops::{ChangePassword, ChangePasswordVariables, LogOutEverywhere, NoVariables};
use schema::validation::{PASSWORD_MIN_CHARS, ValidationError, validate_password_field};
use yew::prelude::*;
use yew_router::prelude::*;

use super::use_title;
use crate::api::use_api;
use crate::app::Route;
use crate::components::{
    Button, ButtonKind, Confirmation, ErrorBanner, TextField, confirm_dialog, use_viewer,
};
use crate::hooks::{FormErrors, MutationOptions, use_mutation};

const CURRENT: &str = "currentPassword";
const NEW: &str = "newPassword";

#[component]
pub fn AccountPage() -> Html {
    use_title("Your account");
    let viewer = use_viewer();
    let Some(viewer) = viewer else {
        return Html::default();
    };
    html! {
        <>
            <header class="page-header">
                <h1 class="page-title">{ "Your account" }</h1>
                <p class="page-description">{ format!("Signed in as {} ({}).", viewer.user.name, viewer.user.email) }</p>
            </header>
            <super::account_profile::ProfileCard user={viewer.user.clone()} />
            <super::account_away::OutOfOfficeCard />
            <ChangePasswordCard />
            <super::account_tokens::ApiTokensCard />
            <super::account_notifications::NotificationPreferencesCard />
            <SignOutEverywhereCard />
        </>
    }
}

#[component]
fn ChangePasswordCard() -> Html {
    let current = use_state(String::new);
    let new = use_state(String::new);
    let save = use_mutation(MutationOptions {
        fields: &[CURRENT, NEW],
        ..Default::default()
    });

    let onsubmit = {
        let (current, new, save) = (current.clone(), new.clone(), save.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if save.invalid(FormErrors::from_checks([
                current
                    .is_empty()
                    .then(|| ValidationError::new(CURRENT, "is required")),
                validate_password_field(NEW, &new).err(),
            ])) {
                return;
            }
            let vars = ChangePasswordVariables {
                current_password: (*current).clone(),
                new_password: (*new).clone(),
            };
            let (current, new) = (current.clone(), new.clone());
            save.run::<ChangePassword>(vars, move |_| {
                current.set(String::new());
                new.set(String::new());
                Some("Your password is changed. Every other session has ended.".to_owned())
            });
        })
    };
    let errors = save.errors();
    let busy = save.busy();

    let hint = format!(
        "At least {PASSWORD_MIN_CHARS} characters, not a common password. Your other sessions end; this one goes on."
    );
    html! {
        <section class="card" aria-labelledby="password-title">
            <h2 id="password-title" class="card-title">{ "Password" }</h2>
            <form class="form form-narrow" ref={save.form()} {onsubmit} novalidate=true>
                if let Some(message) = errors.form() {
                    <ErrorBanner {message} />
                }
                <TextField id="current-password" name="currentPassword" label="Current password"
                    r#type="password" autocomplete="current-password" required=true
                    value={(*current).clone()} oninput={save.input(&current, CURRENT)} error={errors.field(CURRENT)} />
                <TextField id="new-password" name="newPassword" label="New password"
                    r#type="password" autocomplete="new-password" required=true {hint}
                    value={(*new).clone()} oninput={save.input(&new, NEW)} error={errors.field(NEW)} />
                <div>
                    <Button r#type="submit" busy={busy} testid="change-password">
                        { if busy { "Changing…" } else { "Change password" } }
                    </Button>
                </div>
            </form>
        </section>
    }
}

#[component]
fn SignOutEverywhereCard() -> Html {
    let client = use_api();
    let navigator = use_navigator();
    let confirming = use_state(|| false);
    let sign_out = use_mutation(MutationOptions {
        toast_errors: true,
        ..Default::default()
    });

    let open = {
        let confirming = confirming.clone();
        Callback::from(move |_: MouseEvent| confirming.set(true))
    };
    let close = {
        let confirming = confirming.clone();
        Callback::from(move |()| confirming.set(false))
    };
    let confirm = {
        let sign_out = sign_out.clone();
        Callback::from(move |_: MouseEvent| {
            let (client, navigator) = (client.clone(), navigator.clone());
            sign_out.run::<LogOutEverywhere>(NoVariables {}, move |_| {
                // Every session ended on the server, this tab's included.
                client.forget();
                if let Some(navigator) = navigator {
                    navigator.push(&Route::SignIn);
                }
                Some("You are signed out on every device.".to_owned())
            });
        })
    };

    html! {
        <section class="card" aria-labelledby="sessions-title">
            <h2 id="sessions-title" class="card-title">{ "Sessions" }</h2>
            <p>{ "Signed in on a device you no longer use, or one that is not yours? End every session of your account at once, this one included." }</p>
            <div>
                <Button kind={ButtonKind::Danger} onclick={open} testid="sign-out-everywhere">
                    { "Sign out everywhere" }
                </Button>
            </div>
            if *confirming {
                { confirm_dialog(
                    Confirmation {
                        title: "Sign out everywhere?".into(),
                        text: "Every session of your account ends now, on every device, this one included. You then sign in again with your password.".into(),
                        label: "Sign out everywhere".into(),
                        kind: ButtonKind::Danger,
                        busy: sign_out.busy(),
                    },
                    close.clone(),
                    confirm,
                ) }
            }
        </section>
    }
}
