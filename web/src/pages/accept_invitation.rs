//! `/accept-invitation?token=…`: the page the invitation e-mail links to. A new person
//! sets their name and a password; someone who already has an account proves it with
//! their password. Either way they land signed in to the organization.

use schema::ops::{AcceptInvitation, AcceptInvitationInput, AcceptInvitationVariables};
use schema::validation::{PASSWORD_MIN_CHARS, validate_password, validate_person_name};
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
use crate::hooks::{FormErrors, use_form_errors};

const FIELDS: &[&str] = &["name", "password"];

#[derive(Debug, Default, Deserialize)]
struct AcceptQuery {
    #[serde(default)]
    token: String,
}

/// Whether the server refused the link itself (unknown, used, revoked or expired).
fn is_token_error(err: &ApiError) -> bool {
    err.field_errors().iter().any(|(field, _)| field == "token")
}

#[component]
pub fn AcceptInvitationPage() -> Html {
    use_title("Join your team");
    let client = use_api();
    let navigator = use_navigator();
    let token = use_location()
        .and_then(|l| l.query::<AcceptQuery>().ok())
        .map(|q| q.token.trim().to_owned())
        .unwrap_or_default();
    let bad_link = use_state({
        let missing = token.is_empty();
        move || missing
    });
    // New people choose a name and password; existing accounts only enter their password.
    let has_account = use_state(|| false);
    let name = use_state(String::new);
    let password = use_state(String::new);
    let errors = use_form_errors();
    let busy = use_state(|| false);
    let refs: [(&'static str, NodeRef); 2] =
        [("name", use_node_ref()), ("password", use_node_ref())];

    let set = |value: &UseStateHandle<String>, field: &'static str| {
        let (value, errors) = (value.clone(), errors.clone());
        Callback::from(move |v: String| {
            value.set(v);
            if errors.field(field).is_some() {
                errors.set(errors.without(field));
            }
        })
    };
    let on_name = set(&name, "name");
    let on_password = set(&password, "password");
    let toggle = {
        let (has_account, errors) = (has_account.clone(), errors.clone());
        Callback::from(move |_: MouseEvent| {
            has_account.set(!*has_account);
            errors.set(FormErrors::default());
        })
    };

    let onsubmit = {
        let (name, password, errors, busy, bad_link, has_account) = (
            name.clone(),
            password.clone(),
            errors.clone(),
            busy.clone(),
            bad_link.clone(),
            has_account.clone(),
        );
        let refs = refs.clone();
        let token = token.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *busy {
                return;
            }
            let checks = if *has_account {
                FormErrors::from_checks([password.is_empty().then(|| {
                    schema::validation::ValidationError::new("password", "enter your password")
                })])
            } else {
                FormErrors::from_checks([
                    validate_person_name(&name).err(),
                    validate_password(&password).err(),
                ])
            };
            if !checks.is_empty() {
                focus_first(&checks, &refs);
                errors.set(checks);
                return;
            }
            errors.set(FormErrors::default());
            busy.set(true);
            let vars = AcceptInvitationVariables {
                input: AcceptInvitationInput {
                    token: token.clone(),
                    name: if *has_account {
                        String::new()
                    } else {
                        name.trim().to_owned()
                    },
                    password: (*password).clone(),
                },
            };
            let (client, errors, busy, refs, bad_link, navigator) = (
                client.clone(),
                errors.clone(),
                busy.clone(),
                refs.clone(),
                bad_link.clone(),
                navigator.clone(),
            );
            spawn_local(async move {
                match client.run::<AcceptInvitation>(&vars).await {
                    Ok(data) => {
                        client.accept(data.accept_invitation);
                        if let Some(navigator) = navigator {
                            navigator.push(&Route::Home);
                        }
                    }
                    Err(err) if is_token_error(&err) => {
                        bad_link.set(true);
                        busy.set(false);
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

    if *bad_link {
        let footer = html! {
            <p><Link<Route> to={Route::SignIn}>{ "Go to sign in" }</Link<Route>></p>
        };
        return html! {
            <AuthCard title="Join your team" description="Invitation links work once and for 7 days." {footer}>
                <Notice kind={NoticeKind::Error} title="This invitation link no longer works" testid="invitation-link-error">
                    <p>{ "It may have been used already, revoked, expired, or copied incompletely. Ask the person who invited you to send a new link." }</p>
                </Notice>
            </AuthCard>
        };
    }

    let footer = html! {
        <p>
            { if *has_account { "New to AsyncStand? " } else { "Already have an AsyncStand account? " } }
            <button type="button" class="link-button" onclick={toggle} data-testid="toggle-account">
                { if *has_account { "Create an account instead" } else { "Use your password" } }
            </button>
        </p>
    };
    let description = if *has_account {
        "Enter the password of the account this invitation was sent to."
    } else {
        "You've been invited to AsyncStand. Choose your name and a password to join."
    };
    html! {
        <AuthCard title="Join your team" {description} {footer}>
            <form class="form" {onsubmit} novalidate=true>
                if let Some(message) = errors.form() {
                    <ErrorBanner {message} />
                }
                if !*has_account {
                    <TextField
                        id="name" label="Your name" autocomplete="name" required=true
                        value={(*name).clone()} oninput={on_name} error={errors.field("name")}
                        input_ref={refs[0].1.clone()}
                    />
                }
                <TextField
                    id="password" label={if *has_account { "Your password" } else { "Choose a password" }}
                    r#type="password" required=true
                    autocomplete={if *has_account { "current-password" } else { "new-password" }}
                    hint={(!*has_account).then(|| AttrValue::from(format!("At least {PASSWORD_MIN_CHARS} characters.")))}
                    value={(*password).clone()} oninput={on_password} error={errors.field("password")}
                    input_ref={refs[1].1.clone()}
                />
                <Button r#type="submit" busy={*busy} full_width=true testid="submit">
                    { if *busy { "Joining…" } else { "Join" } }
                </Button>
            </form>
        </AuthCard>
    }
}
