use schema::ops::{LogIn, LogInInput, LogInVariables};
use schema::validation::{ValidationError, validate_email};
use web_sys::HtmlInputElement;
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use super::auth_layout::AuthCard;
use super::use_title;
use crate::api::use_api;
use crate::app::Route;
use crate::components::{Button, ErrorBanner, TextField};
use crate::hooks::{FormErrors, use_form_errors};

const FIELDS: &[&str] = &["email", "password"];

#[component]
pub fn SignInPage() -> Html {
    use_title("Sign in");
    let client = use_api();
    let email = use_state(String::new);
    let password = use_state(String::new);
    let errors = use_form_errors();
    let busy = use_state(|| false);
    let email_ref = use_node_ref();
    let password_ref = use_node_ref();

    let set = |value: &UseStateHandle<String>, field: &'static str| {
        let value = value.clone();
        let errors = errors.clone();
        Callback::from(move |v: String| {
            value.set(v);
            if errors.field(field).is_some() {
                errors.set(errors.without(field));
            }
        })
    };
    let on_email = set(&email, "email");
    let on_password = set(&password, "password");

    let onsubmit = {
        let (email, password, errors, busy) = (
            email.clone(),
            password.clone(),
            errors.clone(),
            busy.clone(),
        );
        let refs = [
            ("email", email_ref.clone()),
            ("password", password_ref.clone()),
        ];
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *busy {
                return;
            }
            let checks = FormErrors::from_checks([
                validate_email(&email).err(),
                password
                    .is_empty()
                    .then(|| ValidationError::new("password", "is required")),
            ]);
            if !checks.is_empty() {
                focus_first(&checks, &refs);
                errors.set(checks);
                return;
            }
            errors.set(FormErrors::default());
            busy.set(true);
            let vars = LogInVariables {
                input: LogInInput {
                    email: email.trim().to_owned(),
                    password: (*password).clone(),
                },
            };
            let (client, errors, busy, refs) =
                (client.clone(), errors.clone(), busy.clone(), refs.clone());
            spawn_local(async move {
                match client.run::<LogIn>(&vars).await {
                    // The session changes; the route guard moves on to the home page.
                    Ok(data) => {
                        client.accept(data.log_in);
                    }
                    Err(err) => {
                        let next = FormErrors::from_api(&err, FIELDS);
                        focus_first(&next, &refs);
                        errors.set(next);
                        busy.set(false);
                    }
                }
            });
        })
    };

    let footer = html! {
        <p>{ "New to AsyncStand? " }<Link<Route> to={Route::SignUp}>{ "Create an account" }</Link<Route>></p>
    };

    html! {
        <AuthCard title="Sign in" description="Welcome back. Sign in to answer today's standups." {footer}>
            <form class="form" {onsubmit} novalidate=true aria-describedby={errors.form().map(|_| "form-error")}>
                if let Some(message) = errors.form() {
                    <div id="form-error"><ErrorBanner {message} /></div>
                }
                <TextField
                    id="email" label="E-mail" r#type="email" autocomplete="username" required=true
                    value={(*email).clone()} oninput={on_email} error={errors.field("email")}
                    input_ref={email_ref.clone()}
                />
                <TextField
                    id="password" label="Password" r#type="password" autocomplete="current-password" required=true
                    value={(*password).clone()} oninput={on_password} error={errors.field("password")}
                    input_ref={password_ref.clone()}
                    aside={html! { <Link<Route> to={Route::ForgotPassword}>{ "Forgot password?" }</Link<Route>> }}
                />
                <Button r#type="submit" busy={*busy} full_width=true testid="submit">
                    { if *busy { "Signing in…" } else { "Sign in" } }
                </Button>
            </form>
        </AuthCard>
    }
}

/// Moves focus to the first field with an error.
pub fn focus_first(errors: &FormErrors, refs: &[(&'static str, NodeRef)]) {
    let order: Vec<&str> = refs.iter().map(|(f, _)| *f).collect();
    if let Some(field) = errors.first_field(&order)
        && let Some((_, node)) = refs.iter().find(|(f, _)| *f == field)
        && let Some(input) = node.cast::<HtmlInputElement>()
    {
        let _ = input.focus();
    }
}
