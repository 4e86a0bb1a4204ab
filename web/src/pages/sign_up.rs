use schema::ops::{SignUp, SignUpInput, SignUpVariables};
use schema::validation::{
    PASSWORD_MIN_CHARS, validate_email, validate_organization_name, validate_password,
    validate_person_name,
};
use yew::prelude::*;
use yew_router::prelude::*;

use super::auth_layout::AuthCard;
use super::use_title;
use crate::api::use_api;
use crate::app::Route;
use crate::components::{Button, ErrorBanner, TextField};
use crate::hooks::{FormErrors, MutationOptions, use_mutation};

const FIELDS: &[&str] = &["name", "email", "password", "organizationName"];

#[component]
pub fn SignUpPage() -> Html {
    use_title("Create your account");
    let client = use_api();
    let name = use_state(String::new);
    let email = use_state(String::new);
    let password = use_state(String::new);
    let organization = use_state(String::new);
    let save = use_mutation(MutationOptions {
        fields: FIELDS,
        // The session changes; the route guard moves on to the home page.
        keep_busy: true,
        ..Default::default()
    });

    let onsubmit = {
        let (name, email, password, organization, save) = (
            name.clone(),
            email.clone(),
            password.clone(),
            organization.clone(),
            save.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if save.invalid(FormErrors::from_checks([
                validate_person_name(&name).err(),
                validate_email(&email).err(),
                validate_password(&password).err(),
                validate_organization_name(&organization).err(),
            ])) {
                return;
            }
            let vars = SignUpVariables {
                input: SignUpInput {
                    email: email.trim().to_owned(),
                    password: (*password).clone(),
                    name: name.trim().to_owned(),
                    organization_name: organization.trim().to_owned(),
                    timezone: crate::tz::browser_zone_name(),
                },
            };
            let client = client.clone();
            save.run::<SignUp>(vars, move |data| {
                client.accept(data.sign_up);
                None
            });
        })
    };
    let errors = save.errors();
    let busy = save.busy();

    let footer = html! {
        <p>{ "Already have an account? " }<Link<Route> to={Route::SignIn}>{ "Sign in" }</Link<Route>></p>
    };
    let password_hint = format!("At least {PASSWORD_MIN_CHARS} characters.");

    html! {
        <AuthCard title="Create your account" description="Start running async standups for your team in a minute." {footer}>
            <form class="form" ref={save.form()} {onsubmit} novalidate=true>
                if let Some(message) = errors.form() {
                    <ErrorBanner {message} />
                }
                <TextField
                    id="name" label="Your name" autocomplete="name" required=true
                    value={(*name).clone()} oninput={save.input(&name, "name")} error={errors.field("name")}
                />
                <TextField
                    id="email" label="Work e-mail" r#type="email" autocomplete="email" required=true
                    value={(*email).clone()} oninput={save.input(&email, "email")} error={errors.field("email")}
                />
                <TextField
                    id="password" label="Password" r#type="password" autocomplete="new-password" required=true
                    hint={password_hint}
                    value={(*password).clone()} oninput={save.input(&password, "password")} error={errors.field("password")}
                />
                <TextField
                    id="organization-name" name="organizationName" label="Organization name" autocomplete="organization" required=true
                    hint="Your company or team; you can invite people later."
                    value={(*organization).clone()} oninput={save.input(&organization, "organizationName")} error={errors.field("organizationName")}
                />
                <Button r#type="submit" busy={busy} full_width=true testid="submit">
                    { if busy { "Creating your account…" } else { "Create account" } }
                </Button>
            </form>
        </AuthCard>
    }
}
