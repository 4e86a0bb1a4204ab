//! `/reset-password?token=…`: the page the reset e-mail links to. Sets a new password;
//! the server then ends every session of the account, this one included.

use schema::ops::{ResetPassword, ResetPasswordInput, ResetPasswordVariables};
use schema::validation::{PASSWORD_MIN_CHARS, validate_password_field};
use serde::Deserialize;
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use super::auth_layout::AuthCard;
use super::sign_in::focus_first;
use super::use_title;
use crate::api::{ApiError, use_api};
use crate::app::Route;
use crate::components::{Button, ErrorBanner, Notice, NoticeKind, TextField};
use crate::hooks::{FormErrors, SessionState, use_form_errors, use_session};

const FIELD: &str = "newPassword";

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

/// Whether the server refused the token itself (as opposed to the password).
fn is_token_error(err: &ApiError) -> bool {
    err.field_errors().iter().any(|(field, _)| field == "token")
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
    let stage = {
        let missing = token.is_empty();
        use_state(move || if missing { Stage::BadLink } else { Stage::Form })
    };
    let password = use_state(String::new);
    let errors = use_form_errors();
    let busy = use_state(|| false);
    let password_ref = use_node_ref();

    let on_password = {
        let (password, errors) = (password.clone(), errors.clone());
        Callback::from(move |v: String| {
            password.set(v);
            if errors.field(FIELD).is_some() {
                errors.set(errors.without(FIELD));
            }
        })
    };

    let onsubmit = {
        let (password, stage, errors, busy) = (
            password.clone(),
            stage.clone(),
            errors.clone(),
            busy.clone(),
        );
        let signed_in = matches!(session.state, SessionState::SignedIn(_));
        let refs = [(FIELD, password_ref.clone())];
        let token = token.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *busy {
                return;
            }
            let checks = FormErrors::from_checks([validate_password_field(FIELD, &password).err()]);
            if !checks.is_empty() {
                focus_first(&checks, &refs);
                errors.set(checks);
                return;
            }
            errors.set(FormErrors::default());
            busy.set(true);
            let vars = ResetPasswordVariables {
                input: ResetPasswordInput {
                    token: token.clone(),
                    new_password: (*password).clone(),
                },
            };
            let (client, stage, errors, busy, refs) = (
                client.clone(),
                stage.clone(),
                errors.clone(),
                busy.clone(),
                refs.clone(),
            );
            spawn_local(async move {
                match client.run::<ResetPassword>(&vars).await {
                    Ok(_) => {
                        stage.set(Stage::Done);
                        // The server ended every session, this tab's included.
                        if signed_in {
                            client.forget();
                        }
                    }
                    Err(err) if is_token_error(&err) => stage.set(Stage::BadLink),
                    Err(err) => {
                        let next = FormErrors::from_api(&err, &[FIELD]);
                        focus_first(&next, &refs);
                        errors.set(next);
                    }
                }
                busy.set(false);
            });
        })
    };

    match *stage {
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
                    <form class="form" {onsubmit} novalidate=true aria-describedby={errors.form().map(|_| "form-error")}>
                        if let Some(message) = errors.form() {
                            <div id="form-error"><ErrorBanner {message} /></div>
                        }
                        <TextField
                            id="new-password" name="newPassword" label="New password" r#type="password"
                            autocomplete="new-password" required=true {hint}
                            value={(*password).clone()} oninput={on_password} error={errors.field(FIELD)}
                            input_ref={password_ref.clone()}
                        />
                        <Button r#type="submit" busy={*busy} full_width=true testid="submit">
                            { if *busy { "Saving…" } else { "Set new password" } }
                        </Button>
                    </form>
                </AuthCard>
            }
        }
    }
}
