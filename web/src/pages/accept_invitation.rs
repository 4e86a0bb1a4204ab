//! `/accept-invitation?token=…`: the page the invitation e-mail links to. A new person
//! sets their name and a password; someone who already has an account proves it with
//! their password. Either way they land signed in to the organization.

use schema::ops::{
    AcceptInvitation, AcceptInvitationInput, AcceptInvitationVariables, InvitationPreview,
    InvitationPreviewQuery, InvitationPreviewVariables,
};
use schema::validation::{PASSWORD_MIN_CHARS, validate_password, validate_person_name};
use std::rc::Rc;

use serde::Deserialize;
use yew::prelude::*;
use yew_router::prelude::*;

use super::auth_layout::AuthCard;
use super::use_title;
use crate::api::use_api;
use crate::app::Route;
use crate::components::{Button, ErrorBanner, Notice, NoticeKind, TextField, loading};
use crate::hooks::{FormErrors, Load, MutationOptions, use_mutation, use_query};

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
    // Who invited whom to what, before anything is typed.
    let preview = use_query::<InvitationPreviewQuery, _>(
        InvitationPreviewVariables {
            token: token.clone(),
        },
        (),
    );
    let invitation: Option<Rc<InvitationPreview>> = match &*preview.state {
        Load::Ready(data) => data.invitation_preview.clone().map(Rc::new),
        _ => None,
    };
    // New people choose a name and password; existing accounts only enter their password.
    let has_account = use_state(|| false);
    {
        let has_account = has_account.clone();
        let exists = invitation.as_ref().is_some_and(|i| i.has_account);
        use_effect_with(exists, move |exists| {
            if *exists {
                has_account.set(true);
            }
        });
    }
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

    let unknown = matches!(&*preview.state, Load::Ready(data) if data.invitation_preview.is_none());
    if matches!(&*preview.state, Load::Loading) && !token.is_empty() {
        return html! {
            <AuthCard title="Join your team" description="Reading your invitation…">
                { loading("Reading your invitation…") }
            </AuthCard>
        };
    }
    if let Some(invitation) = invitation.as_ref().filter(|i| i.expired) {
        let footer = html! {
            <p><Link<Route> to={Route::SignIn}>{ "Go to sign in" }</Link<Route>></p>
        };
        let inviter = invitation
            .invited_by
            .clone()
            .unwrap_or_else(|| "the person who invited you".to_owned());
        return html! {
            <AuthCard title="Join your team" description="Invitation links work once and for 7 days." {footer}>
                <Notice kind={NoticeKind::Error} title="This invitation has expired" testid="invitation-link-error">
                    <p>{ format!("Ask {inviter} to send {} a new invitation to {}.", invitation.email, invitation.organization_name) }</p>
                </Notice>
            </AuthCard>
        };
    }
    if token.is_empty() || unknown || errors.field("token").is_some() {
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
        "Choose your name and a password to join."
    };
    let title = invitation.as_ref().map_or_else(
        || "Join your team".to_owned(),
        |i| format!("Join {}", i.organization_name),
    );
    let preview_error = match &*preview.state {
        Load::Failed(err) => Some(err.user_message()),
        _ => None,
    };
    html! {
        <AuthCard {title} {description} {footer}>
            if let Some(invitation) = invitation.as_ref() {
                <p class="invitation-summary" data-testid="invitation-summary">
                    <strong>{ invitation.invited_by.clone().unwrap_or_else(|| "Someone".to_owned()) }</strong>
                    { " invited you to join " }
                    <strong>{ invitation.organization_name.clone() }</strong>
                    { format!(" as {}.", invitation.role.with_article()) }
                    <br />
                    { "Invitation for " }
                    <strong data-testid="invitation-email">{ invitation.email.clone() }</strong>
                </p>
            }
            if let Some(message) = preview_error {
                <ErrorBanner {message} />
            }
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
