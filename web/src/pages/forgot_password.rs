//! `/forgot-password`: asks for a reset link by e-mail. The answer is the same whether or
//! not an account exists, so the page never tells who has one.

use schema::ops::{RequestPasswordReset, RequestPasswordResetVariables};
use schema::validation::validate_email;
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use super::auth_layout::AuthCard;
use super::sign_in::focus_first;
use super::use_title;
use crate::api::use_api;
use crate::app::Route;
use crate::components::{Button, ButtonKind, ErrorBanner, Notice, TextField};
use crate::hooks::{FormErrors, use_form_errors};

const FIELDS: &[&str] = &["email"];

#[component]
pub fn ForgotPasswordPage() -> Html {
    use_title("Reset your password");
    let client = use_api();
    let email = use_state(String::new);
    // The address the last link went to; `Some` shows the confirmation.
    let sent_to = use_state(|| None::<String>);
    let errors = use_form_errors();
    let busy = use_state(|| false);
    let email_ref = use_node_ref();

    let on_email = {
        let (email, errors) = (email.clone(), errors.clone());
        Callback::from(move |v: String| {
            email.set(v);
            if errors.field("email").is_some() {
                errors.set(errors.without("email"));
            }
        })
    };

    let onsubmit = {
        let (email, sent_to, errors, busy) =
            (email.clone(), sent_to.clone(), errors.clone(), busy.clone());
        let refs = [("email", email_ref.clone())];
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *busy {
                return;
            }
            let address = match validate_email(&email) {
                Ok(address) => address,
                Err(err) => {
                    let checks = FormErrors::from_checks([Some(err)]);
                    focus_first(&checks, &refs);
                    errors.set(checks);
                    return;
                }
            };
            errors.set(FormErrors::default());
            busy.set(true);
            let vars = RequestPasswordResetVariables {
                email: email.trim().to_owned(),
            };
            let (client, sent_to, errors, busy, refs) = (
                client.clone(),
                sent_to.clone(),
                errors.clone(),
                busy.clone(),
                refs.clone(),
            );
            spawn_local(async move {
                match client.run::<RequestPasswordReset>(&vars).await {
                    Ok(_) => sent_to.set(Some(address)),
                    Err(err) => {
                        let next = FormErrors::from_api(&err, FIELDS);
                        focus_first(&next, &refs);
                        errors.set(next);
                    }
                }
                busy.set(false);
            });
        })
    };

    let footer = html! {
        <p>{ "Remembered it? " }<Link<Route> to={Route::SignIn}>{ "Sign in" }</Link<Route>></p>
    };

    if let Some(address) = (*sent_to).clone() {
        let send_again = {
            let sent_to = sent_to.clone();
            Callback::from(move |_: MouseEvent| sent_to.set(None))
        };
        return html! {
            <AuthCard title="Check your e-mail" description="The link works once and only in the next hour." {footer}>
                <Notice title="Reset link on its way" testid="reset-requested">
                    <p>
                        { "If an account exists for " }<strong>{ address }</strong>
                        { ", we've sent a link to reset the password. It expires in one hour." }
                    </p>
                    <p>{ "Nothing after a few minutes? Check your spam folder, or try another address." }</p>
                </Notice>
                <div class="auth-actions">
                    <Link<Route> to={Route::SignIn} classes="btn btn-primary btn-block">{ "Back to sign in" }</Link<Route>>
                    <Button kind={ButtonKind::Secondary} full_width=true onclick={send_again} testid="send-again">
                        { "Use another address or send again" }
                    </Button>
                </div>
            </AuthCard>
        };
    }

    html! {
        <AuthCard title="Reset your password" description="Enter the e-mail you sign in with and we'll send you a link to choose a new password." {footer}>
            <form class="form" {onsubmit} novalidate=true aria-describedby={errors.form().map(|_| "form-error")}>
                if let Some(message) = errors.form() {
                    <div id="form-error"><ErrorBanner {message} /></div>
                }
                <TextField
                    id="email" label="E-mail" r#type="email" autocomplete="username" required=true
                    value={(*email).clone()} oninput={on_email} error={errors.field("email")}
                    input_ref={email_ref.clone()}
                />
                <Button r#type="submit" busy={*busy} full_width=true testid="submit">
                    { if *busy { "Sending the link…" } else { "Send reset link" } }
                </Button>
            </form>
        </AuthCard>
    }
}
