//! `/forgot-password`: asks for a reset link by e-mail. The answer is the same whether or
//! not an account exists, so the page never tells who has one.

use schema::ops::{RequestPasswordReset, RequestPasswordResetVariables};
use schema::validation::validate_email;
use yew::prelude::*;
use yew_router::prelude::*;

use super::auth_layout::AuthCard;
use super::use_title;
use crate::app::Route;
use crate::components::{Button, ButtonKind, ErrorBanner, Notice, TextField};
use crate::hooks::{FormErrors, MutationOptions, use_mutation};

const FIELDS: &[&str] = &["email"];

#[component]
pub fn ForgotPasswordPage() -> Html {
    use_title("Reset your password");
    let email = use_state(String::new);
    // The address the last link went to; `Some` shows the confirmation.
    let sent_to = use_state(|| None::<String>);
    let save = use_mutation(MutationOptions {
        fields: FIELDS,
        ..Default::default()
    });

    let onsubmit = {
        let (email, sent_to, save) = (email.clone(), sent_to.clone(), save.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let address = match validate_email(&email) {
                Ok(address) => address,
                Err(err) => {
                    save.invalid(FormErrors::from_checks([Some(err)]));
                    return;
                }
            };
            let vars = RequestPasswordResetVariables {
                email: email.trim().to_owned(),
            };
            let sent_to = sent_to.clone();
            save.run::<RequestPasswordReset>(vars, move |_| {
                sent_to.set(Some(address));
                None
            });
        })
    };
    let errors = save.errors();
    let busy = save.busy();

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
            <form class="form" ref={save.form()} {onsubmit} novalidate=true aria-describedby={errors.form().map(|_| "form-error")}>
                if let Some(message) = errors.form() {
                    <div id="form-error"><ErrorBanner {message} /></div>
                }
                <TextField
                    id="email" label="E-mail" r#type="email" autocomplete="username" required=true
                    value={(*email).clone()} oninput={save.input(&email, "email")} error={errors.field("email")}
                />
                <Button r#type="submit" busy={busy} full_width=true testid="submit">
                    { if busy { "Sending the link…" } else { "Send reset link" } }
                </Button>
            </form>
        </AuthCard>
    }
}
