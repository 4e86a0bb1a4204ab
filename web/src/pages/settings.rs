//! `/settings`: the organization's name (owners and admins change it) and its facts.

use schema::ops::{
    AuthPayload, UpdateOrganization, UpdateOrganizationInput, UpdateOrganizationVariables,
};
use schema::validation::validate_organization_name;
use yew::prelude::*;

use super::use_title;
use crate::api::use_api;
use crate::components::{Button, ErrorBanner, TextField, use_viewer};
use crate::format;
use crate::hooks::{FormErrors, MutationOptions, use_mutation, use_session};

#[component]
pub fn SettingsPage() -> Html {
    use_title("Settings");
    let client = use_api();
    let session = use_session();
    let viewer = use_viewer();
    let current = viewer
        .as_ref()
        .map(|v| v.organization.name.clone())
        .unwrap_or_default();
    let name = use_state(|| current.clone());
    let save = use_mutation(MutationOptions {
        fields: &["name"],
        ..Default::default()
    });

    let Some(viewer) = viewer else {
        return Html::default();
    };
    let is_admin = viewer.role.is_admin();

    let onsubmit = {
        let (name, save) = (name.clone(), save.clone());
        let auth = session.auth();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if save.invalid(FormErrors::from_checks([validate_organization_name(&name)
                .err()
                .map(|mut err| {
                    err.field = "name";
                    err
                })]))
            {
                return;
            }
            let vars = UpdateOrganizationVariables {
                input: UpdateOrganizationInput {
                    name: name.trim().to_owned(),
                },
            };
            let (client, auth) = (client.clone(), auth.clone());
            save.run::<UpdateOrganization>(vars, move |data| {
                let organization = data.update_organization;
                let text = format!("The organization is now called {}", organization.name);
                // The top bar shows the session's organization: same token, new name.
                if let Some(auth) = auth {
                    client.accept(AuthPayload {
                        organization,
                        ..(*auth).clone()
                    });
                }
                Some(text)
            });
        })
    };
    let errors = save.errors();

    html! {
        <>
            <header class="page-header">
                <h1 class="page-title">{ "Settings" }</h1>
                <p class="page-description">{ format!("How {} appears to its members.", viewer.organization.name) }</p>
            </header>
            <section class="card" aria-labelledby="org-settings-title">
                <h2 id="org-settings-title" class="card-title">{ "Organization" }</h2>
                if is_admin {
                    <form class="form form-narrow" ref={save.form()} {onsubmit} novalidate=true>
                        if let Some(message) = errors.form() {
                            <ErrorBanner {message} />
                        }
                        <TextField id="organization-name" name="name" label="Name" required=true
                            autocomplete="organization" value={(*name).clone()} oninput={save.input(&name, "name")}
                            error={errors.field("name")} hint="Shown in the top bar, in e-mails and in invitations." />
                        <div>
                            <Button r#type="submit" busy={save.busy()} testid="save-organization">
                                { if save.busy() { "Saving…" } else { "Save" } }
                            </Button>
                        </div>
                    </form>
                } else {
                    <p class="muted">{ "Only owners and admins change these settings." }</p>
                }
                <dl class="facts">
                    <dt>{ "Short name" }</dt>
                    <dd><code>{ viewer.organization.slug.clone() }</code></dd>
                    <dt>{ "Created" }</dt>
                    <dd>{ format::date(viewer.organization.created_at) }</dd>
                    <dt>{ "Your role" }</dt>
                    <dd><span class="badge">{ format::role(viewer.role) }</span></dd>
                </dl>
            </section>
            <super::settings_slack::SlackCard {is_admin} />
        </>
    }
}
