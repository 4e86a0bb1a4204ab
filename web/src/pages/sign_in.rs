use schema::ops::{LogIn, LogInInput, LogInVariables};
use schema::validation::{ValidationError, validate_email};
use yew::prelude::*;
use yew_router::prelude::*;

use super::auth_layout::AuthCard;
use super::use_title;
use crate::api::use_api;
use crate::app::Route;
use crate::components::{Button, ErrorBanner, TextField};
use crate::hooks::{FormErrors, MutationOptions, use_mutation};

const FIELDS: &[&str] = &["email", "password"];

#[component]
pub fn SignInPage() -> Html {
    use_title("Sign in");
    let client = use_api();
    let email = use_state(String::new);
    let password = use_state(String::new);
    let save = use_mutation(MutationOptions {
        fields: FIELDS,
        // The session changes; the route guard moves on to the home page.
        keep_busy: true,
        ..Default::default()
    });

    let onsubmit = {
        let (email, password, save) = (email.clone(), password.clone(), save.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if save.invalid(FormErrors::from_checks([
                validate_email(&email).err(),
                password
                    .is_empty()
                    .then(|| ValidationError::new("password", "is required")),
            ])) {
                return;
            }
            let vars = LogInVariables {
                input: LogInInput {
                    email: email.trim().to_owned(),
                    password: (*password).clone(),
                },
            };
            let client = client.clone();
            save.run::<LogIn>(vars, move |data| {
                client.accept(data.log_in);
                None
            });
        })
    };
    let errors = save.errors();
    let busy = save.busy();

    let footer = html! {
        <p>{ "New to AsyncStand? " }<Link<Route> to={Route::SignUp}>{ "Create an account" }</Link<Route>></p>
    };

    html! {
        <AuthCard title="Sign in" description="Welcome back. Sign in to answer today's standups." {footer}>
            <form class="form" ref={save.form()} {onsubmit} novalidate=true aria-describedby={errors.form().map(|_| "form-error")}>
                if let Some(message) = errors.form() {
                    <div id="form-error"><ErrorBanner {message} /></div>
                }
                <TextField
                    id="email" label="E-mail" r#type="email" autocomplete="username" required=true
                    value={(*email).clone()} oninput={save.input(&email, "email")} error={errors.field("email")}
                />
                <TextField
                    id="password" label="Password" r#type="password" autocomplete="current-password" required=true
                    value={(*password).clone()} oninput={save.input(&password, "password")} error={errors.field("password")}
                    aside={html! { <Link<Route> to={Route::ForgotPassword}>{ "Forgot password?" }</Link<Route>> }}
                />
                <Button r#type="submit" busy={busy} full_width=true testid="submit">
                    { if busy { "Signing in…" } else { "Sign in" } }
                </Button>
            </form>
        </AuthCard>
    }
}
