//! `/accept-invitation?token=…`: the page the invitation e-mail links to. A new person
//! sets their name and a password; someone who already has an account proves it with
//! their password. Either way they land signed in to the organization.

use schema::ops::{AcceptInvitation, AcceptInvitationInput, AcceptInvitationVariables};
use schema::validation::{PASSWORD_MIN_CHARS, validate_password, validate_person_name};
use serde::Deserialize;
use yew::prelude::*;
use yew_router::prelude::*;

use super::auth_layout::AuthCard;
use super::use_title;
use crate::api::use_api;
use crate::app::Route;
use crate::components::{Button, ErrorBanner, Notice, NoticeKind, TextField};
use crate::hooks::{FormErrors, MutationOptions, use_mutation};

/// The fields of the form; a server error about `token` means the link no longer works
/// (unknown, used, revoked or expired).
const FIELDS: &[&str] = &["name", "password", "token"];

#[derive(Debug, Default, Deserialize)]
struct AcceptQuery {
    #[serde(default)]
    token: String,
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
    // New people choose a name and password; existing accounts only enter their password.
    let has_account = use_state(|| false);
    let name = use_state(String::new);
    let password = use_state(String::new);
    let save = use_mutation(MutationOptions {
        fields: FIELDS,
        // Signed in: on to the home page.
        keep_busy: true,
        ..Default::default()
    });

    let toggle = {
        let (has_account, save) = (has_account.clone(), save.clone());
        Callback::from(move |_: MouseEvent| {
            has_account.set(!*has_account);
            save.clear();
        })
    };

    let onsubmit = {
        let (name, password, has_account, save) = (
            name.clone(),
            password.clone(),
            has_account.clone(),
            save.clone(),
        );
        let token = token.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
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
            if save.invalid(checks) {
                return;
            }
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
            let (client, navigator) = (client.clone(), navigator.clone());
            save.run::<AcceptInvitation>(vars, move |data| {
                client.accept(data.accept_invitation);
                if let Some(navigator) = navigator {
                    navigator.push(&Route::Home);
                }
                None
            });
        })
    };
    let errors = save.errors();
    let busy = save.busy();

    if token.is_empty() || errors.field("token").is_some() {
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
            <form class="form" ref={save.form()} {onsubmit} novalidate=true>
                if let Some(message) = errors.form() {
                    <ErrorBanner {message} />
                }
                if !*has_account {
                    <TextField
                        id="name" label="Your name" autocomplete="name" required=true
                        value={(*name).clone()} oninput={save.input(&name, "name")} error={errors.field("name")}
                    />
                }
                <TextField
                    id="password" label={if *has_account { "Your password" } else { "Choose a password" }}
                    r#type="password" required=true
                    autocomplete={if *has_account { "current-password" } else { "new-password" }}
                    hint={(!*has_account).then(|| AttrValue::from(format!("At least {PASSWORD_MIN_CHARS} characters.")))}
                    value={(*password).clone()} oninput={save.input(&password, "password")} error={errors.field("password")}
                />
                <Button r#type="submit" busy={busy} full_width=true testid="submit">
                    { if busy { "Joining…" } else { "Join" } }
                </Button>
            </form>
        </AuthCard>
    }
}
