//! `/reset-password?token=…`: the page the reset e-mail links to. Sets a new password;
//! the server then ends every session of the account, this one included.

use schema::ops::{ResetPassword, ResetPasswordInput, ResetPasswordVariables};
use schema::validation::{PASSWORD_MIN_CHARS, validate_password_field};
use serde::Deserialize;
use yew::prelude::*;
use yew_router::prelude::*;

use super::auth_layout::AuthCard;
use super::use_title;
use crate::api::use_api;
use crate::app::Route;
use crate::components::{Button, ErrorBanner, Notice, NoticeKind, TextField};
use crate::hooks::{FormErrors, MutationOptions, SessionState, use_mutation, use_session};

const FIELD: &str = "newPassword";
/// The fields of the form; a server error about `token` means the link no longer works.
const FIELDS: &[&str] = &[FIELD, "token"];

#[derive(Debug, Default, Deserialize)]
struct ResetQuery {
    #[serde(default)]
    token: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    Form,
    /// The token is missing, or the server refused it (invalid, used or expired).
    BadLink,
    Done,
}

#[component]
pub fn ResetPasswordPage() -> Html {
    use_title("Choose a new password");
    let client = use_api();
    let session = use_session();
    let token = use_location()
        .and_then(|l| l.query::<ResetQuery>().ok())
        .map(|q| q.token.trim().to_owned())
        .unwrap_or_default();
    let done = use_state(|| false);
    let password = use_state(String::new);
    let save = use_mutation(MutationOptions {
        fields: FIELDS,
        ..Default::default()
    });

    let onsubmit = {
        let (password, done, save) = (password.clone(), done.clone(), save.clone());
        let signed_in = matches!(session.state, SessionState::SignedIn(_));
        let token = token.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if save.invalid(FormErrors::from_checks([validate_password_field(
                FIELD, &password,
            )
            .err()]))
            {
                return;
            }
            let vars = ResetPasswordVariables {
                input: ResetPasswordInput {
                    token: token.clone(),
                    new_password: (*password).clone(),
                },
            };
            let (client, done) = (client.clone(), done.clone());
            save.run::<ResetPassword>(vars, move |_| {
                done.set(true);
                // The server ended every session, this tab's included.
                if signed_in {
                    client.forget();
                }
                None
            });
        })
    };
    let errors = save.errors();
    let busy = save.busy();
    let stage = if *done {
        Stage::Done
    } else if token.is_empty() || errors.field("token").is_some() {
        Stage::BadLink
    } else {
        Stage::Form
    };

    match stage {
        Stage::Done => html! {
            <AuthCard title="Password changed" description="Use your new password from now on.">
                <Notice title="Your password has been changed" testid="reset-done">
                    <p>{ "For your security, every session of your account has ended, on every device. Sign in again with the new password." }</p>
                </Notice>
                <Link<Route> to={Route::SignIn} classes="btn btn-primary btn-block">{ "Sign in" }</Link<Route>>
            </AuthCard>
        },
        Stage::BadLink => {
            let footer = html! {
                <p><Link<Route> to={Route::SignIn}>{ "Back to sign in" }</Link<Route>></p>
            };
            html! {
                <AuthCard title="Choose a new password" description="Reset links work once and only for an hour." {footer}>
                    <Notice kind={NoticeKind::Error} title="This reset link no longer works" testid="reset-link-error">
                        <p>{ "It may have been used already, have expired, or been copied incompletely. Request a new link and use the newest e-mail." }</p>
                    </Notice>
                    <Link<Route> to={Route::ForgotPassword} classes="btn btn-primary btn-block">{ "Request a new link" }</Link<Route>>
                </AuthCard>
            }
        }
        Stage::Form => {
            let footer = html! {
                <p>{ "Remembered it? " }<Link<Route> to={Route::SignIn}>{ "Sign in" }</Link<Route>></p>
            };
            let hint = format!(
                "At least {PASSWORD_MIN_CHARS} characters; avoid one you use elsewhere. Every session ends afterwards."
            );
            html! {
                <AuthCard title="Choose a new password" description="Set the password you'll sign in with from now on." {footer}>
                    <form class="form" ref={save.form()} {onsubmit} novalidate=true aria-describedby={errors.form().map(|_| "form-error")}>
                        if let Some(message) = errors.form() {
                            <div id="form-error"><ErrorBanner {message} /></div>
                        }
                        <TextField
                            id="new-password" name="newPassword" label="New password" r#type="password"
                            autocomplete="new-password" required=true {hint}
                            value={(*password).clone()} oninput={save.input(&password, FIELD)} error={errors.field(FIELD)}
                        />
                        <Button r#type="submit" busy={busy} full_width=true testid="submit">
                            { if busy { "Saving…" } else { "Set new password" } }
                        </Button>
                    </form>
                </AuthCard>
            }
        }
    }
}
