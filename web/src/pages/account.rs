//! `/account`: the signed-in person's own account: change the password (every other
//! session ends), and sign out everywhere (every session ends, this one included).

use schema::ops::{ChangePassword, ChangePasswordVariables, LogOutEverywhere, NoVariables};
use schema::validation::{PASSWORD_MIN_CHARS, ValidationError, validate_password_field};
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use super::sign_in::focus_first;
use super::use_title;
use crate::api::use_api;
use crate::app::Route;
use crate::components::{
    Button, ButtonKind, Dialog, ErrorBanner, TextField, ToastKind, toast_outcome, use_toaster,
    use_viewer,
};
use crate::hooks::{FormErrors, use_form_errors};

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
            <ChangePasswordCard />
            <SignOutEverywhereCard />
        </>
    }
}

#[component]
fn ChangePasswordCard() -> Html {
    let client = use_api();
    let toaster = use_toaster();
    let current = use_state(String::new);
    let new = use_state(String::new);
    let errors = use_form_errors();
    let busy = use_state(|| false);
    let current_ref = use_node_ref();
    let new_ref = use_node_ref();

    let set = |value: &UseStateHandle<String>, field: &'static str| {
        let (value, errors) = (value.clone(), errors.clone());
        Callback::from(move |v: String| {
            value.set(v);
            if errors.field(field).is_some() {
                errors.set(errors.without(field));
            }
        })
    };
    let on_current = set(&current, CURRENT);
    let on_new = set(&new, NEW);

    let onsubmit = {
        let (current, new, errors, busy) =
            (current.clone(), new.clone(), errors.clone(), busy.clone());
        let refs = [(CURRENT, current_ref.clone()), (NEW, new_ref.clone())];
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *busy {
                return;
            }
            let checks = FormErrors::from_checks([
                current
                    .is_empty()
                    .then(|| ValidationError::new(CURRENT, "is required")),
                validate_password_field(NEW, &new).err(),
            ]);
            if !checks.is_empty() {
                focus_first(&checks, &refs);
                errors.set(checks);
                return;
            }
            errors.set(FormErrors::default());
            busy.set(true);
            let vars = ChangePasswordVariables {
                current_password: (*current).clone(),
                new_password: (*new).clone(),
            };
            let (client, toaster, current, new, errors, busy, refs) = (
                client.clone(),
                toaster.clone(),
                current.clone(),
                new.clone(),
                errors.clone(),
                busy.clone(),
                refs.clone(),
            );
            spawn_local(async move {
                match client.run::<ChangePassword>(&vars).await {
                    Ok(_) => {
                        current.set(String::new());
                        new.set(String::new());
                        if let Some(toaster) = &toaster {
                            toaster.push(
                                ToastKind::Success,
                                "Your password is changed. Every other session has ended.",
                            );
                        }
                    }
                    Err(err) => {
                        let next = FormErrors::from_api(&err, &[CURRENT, NEW]);
                        focus_first(&next, &refs);
                        errors.set(next);
                    }
                }
                busy.set(false);
            });
        })
    };

    let hint = format!(
        "At least {PASSWORD_MIN_CHARS} characters, not a common password. Your other sessions end; this one goes on."
    );
    html! {
        <section class="card" aria-labelledby="password-title">
            <h2 id="password-title" class="card-title">{ "Password" }</h2>
            <form class="form form-narrow" {onsubmit} novalidate=true>
                if let Some(message) = errors.form() {
                    <ErrorBanner {message} />
                }
                <TextField id="current-password" name="currentPassword" label="Current password"
                    r#type="password" autocomplete="current-password" required=true
                    value={(*current).clone()} oninput={on_current} error={errors.field(CURRENT)}
                    input_ref={current_ref.clone()} />
                <TextField id="new-password" name="newPassword" label="New password"
                    r#type="password" autocomplete="new-password" required=true {hint}
                    value={(*new).clone()} oninput={on_new} error={errors.field(NEW)}
                    input_ref={new_ref.clone()} />
                <div>
                    <Button r#type="submit" busy={*busy} testid="change-password">
                        { if *busy { "Changing…" } else { "Change password" } }
                    </Button>
                </div>
            </form>
        </section>
    }
}

#[component]
fn SignOutEverywhereCard() -> Html {
    let client = use_api();
    let toaster = use_toaster();
    let navigator = use_navigator();
    let confirming = use_state(|| false);
    let busy = use_state(|| false);

    let open = {
        let confirming = confirming.clone();
        Callback::from(move |_: MouseEvent| confirming.set(true))
    };
    let close = {
        let confirming = confirming.clone();
        Callback::from(move |()| confirming.set(false))
    };
    let confirm = {
        let busy = busy.clone();
        Callback::from(move |_: MouseEvent| {
            busy.set(true);
            let (client, toaster, navigator, busy) = (
                client.clone(),
                toaster.clone(),
                navigator.clone(),
                busy.clone(),
            );
            spawn_local(async move {
                let outcome = client.run::<LogOutEverywhere>(&NoVariables {}).await;
                busy.set(false);
                if outcome.is_ok() {
                    // Every session ended on the server, this tab's included.
                    client.forget();
                    if let Some(navigator) = navigator {
                        navigator.push(&Route::SignIn);
                    }
                }
                toast_outcome(
                    &toaster,
                    outcome.map(|_| "You are signed out on every device.".to_owned()),
                );
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
                <Dialog title="Sign out everywhere?" on_close={close.clone()} testid="confirm-dialog">
                    <p>{ "Every session of your account ends now, on every device, this one included. You then sign in again with your password." }</p>
                    <div class="dialog-actions">
                        <Button kind={ButtonKind::Secondary} onclick={Callback::from(move |_| close.emit(()))}>{ "Cancel" }</Button>
                        <Button kind={ButtonKind::Danger} busy={*busy} onclick={confirm} testid="confirm">{ "Sign out everywhere" }</Button>
                    </div>
                </Dialog>
            }
        </section>
    }
}
