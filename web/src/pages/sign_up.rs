use schema::ops::{SignUp, SignUpInput, SignUpVariables};
use schema::validation::{
    PASSWORD_MIN_CHARS, validate_email, validate_organization_name, validate_password,
    validate_person_name,
};
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use super::auth_layout::AuthCard;
use super::sign_in::focus_first;
use super::use_title;
use crate::api::use_api;
use crate::app::Route;
use crate::components::{Button, ErrorBanner, TextField};
use crate::hooks::{FormErrors, use_form_errors};

const FIELDS: &[&str] = &["name", "email", "password", "organizationName"];

#[component]
pub fn SignUpPage() -> Html {
    use_title("Create your account");
    let client = use_api();
    let name = use_state(String::new);
    let email = use_state(String::new);
    let password = use_state(String::new);
    let organization = use_state(String::new);
    let errors = use_form_errors();
    let busy = use_state(|| false);
    let refs: [(&'static str, NodeRef); 4] = [
        ("name", use_node_ref()),
        ("email", use_node_ref()),
        ("password", use_node_ref()),
        ("organizationName", use_node_ref()),
    ];

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
    let on_name = set(&name, "name");
    let on_email = set(&email, "email");
    let on_password = set(&password, "password");
    let on_organization = set(&organization, "organizationName");

    let onsubmit = {
        let (name, email, password, organization, errors, busy) = (
            name.clone(),
            email.clone(),
            password.clone(),
            organization.clone(),
            errors.clone(),
            busy.clone(),
        );
        let refs = refs.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *busy {
                return;
            }
            let checks = FormErrors::from_checks([
                validate_person_name(&name).err(),
                validate_email(&email).err(),
                validate_password(&password).err(),
                validate_organization_name(&organization).err(),
            ]);
            if !checks.is_empty() {
                focus_first(&checks, &refs);
                errors.set(checks);
                return;
            }
            errors.set(FormErrors::default());
            busy.set(true);
            let vars = SignUpVariables {
                input: SignUpInput {
                    email: email.trim().to_owned(),
                    password: (*password).clone(),
                    name: name.trim().to_owned(),
                    organization_name: organization.trim().to_owned(),
                },
            };
            let (client, errors, busy, refs) =
                (client.clone(), errors.clone(), busy.clone(), refs.clone());
            spawn_local(async move {
                match client.run::<SignUp>(&vars).await {
                    Ok(data) => {
                        client.accept(data.sign_up);
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
        <p>{ "Already have an account? " }<Link<Route> to={Route::SignIn}>{ "Sign in" }</Link<Route>></p>
    };
    let password_hint = format!("At least {PASSWORD_MIN_CHARS} characters.");

    html! {
        <AuthCard title="Create your account" description="Start running async standups for your team in a minute." {footer}>
            <form class="form" {onsubmit} novalidate=true>
                if let Some(message) = errors.form() {
                    <ErrorBanner {message} />
                }
                <TextField
                    id="name" label="Your name" autocomplete="name" required=true
                    value={(*name).clone()} oninput={on_name} error={errors.field("name")}
                    input_ref={refs[0].1.clone()}
                />
                <TextField
                    id="email" label="Work e-mail" r#type="email" autocomplete="email" required=true
                    value={(*email).clone()} oninput={on_email} error={errors.field("email")}
                    input_ref={refs[1].1.clone()}
                />
                <TextField
                    id="password" label="Password" r#type="password" autocomplete="new-password" required=true
                    hint={password_hint}
                    value={(*password).clone()} oninput={on_password} error={errors.field("password")}
                    input_ref={refs[2].1.clone()}
                />
                <TextField
                    id="organization-name" name="organizationName" label="Organization name" autocomplete="organization" required=true
                    hint="Your company or team; you can invite people later."
                    value={(*organization).clone()} oninput={on_organization} error={errors.field("organizationName")}
                    input_ref={refs[3].1.clone()}
                />
                <Button r#type="submit" busy={*busy} full_width=true testid="submit">
                    { if *busy { "Creating your account…" } else { "Create account" } }
                </Button>
            </form>
        </AuthCard>
    }
}
