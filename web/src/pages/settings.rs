//! `/settings`: the organization's name (owners and admins change it) and its facts.

use schema::ops::{
    AuthPayload, UpdateOrganization, UpdateOrganizationInput, UpdateOrganizationVariables,
};
use schema::validation::validate_organization_name;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::use_title;
use crate::api::use_api;
use crate::components::{Button, ErrorBanner, TextField, ToastKind, use_toaster, use_viewer};
use crate::format;
use crate::hooks::{FormErrors, use_form_errors, use_session};

#[component]
pub fn SettingsPage() -> Html {
    use_title("Settings");
    let client = use_api();
    let toaster = use_toaster();
    let session = use_session();
    let viewer = use_viewer();
    let current = viewer
        .as_ref()
        .map(|v| v.organization.name.clone())
        .unwrap_or_default();
    let name = use_state(|| current.clone());
    let errors = use_form_errors();
    let busy = use_state(|| false);

    let Some(viewer) = viewer else {
        return Html::default();
    };
    let is_admin = viewer.role.is_admin();

    let on_name = {
        let (name, errors) = (name.clone(), errors.clone());
        Callback::from(move |v: String| {
            name.set(v);
            errors.set(errors.without("name"));
        })
    };
    let onsubmit = {
        let (name, errors, busy) = (name.clone(), errors.clone(), busy.clone());
        let auth = session.auth();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *busy {
                return;
            }
            let checks = FormErrors::from_checks([validate_organization_name(&name).err().map(
                |mut err| {
                    err.field = "name";
                    err
                },
            )]);
            if !checks.is_empty() {
                errors.set(checks);
                return;
            }
            busy.set(true);
            let vars = UpdateOrganizationVariables {
                input: UpdateOrganizationInput {
                    name: name.trim().to_owned(),
                },
            };
            let (client, toaster, errors, busy, auth) = (
                client.clone(),
                toaster.clone(),
                errors.clone(),
                busy.clone(),
                auth.clone(),
            );
            spawn_local(async move {
                match client.run::<UpdateOrganization>(&vars).await {
                    Ok(data) => {
                        let organization = data.update_organization;
                        if let Some(toaster) = &toaster {
                            toaster.push(
                                ToastKind::Success,
                                format!("The organization is now called {}", organization.name),
                            );
                        }
                        // The top bar shows the session's organization: same token, new name.
                        if let Some(auth) = auth {
                            client.accept(AuthPayload {
                                organization,
                                ..(*auth).clone()
                            });
                        }
                    }
                    Err(err) => errors.set(FormErrors::from_api(&err, &["name"])),
                }
                busy.set(false);
            });
        })
    };

    html! {
        <>
            <header class="page-header">
                <h1 class="page-title">{ "Settings" }</h1>
                <p class="page-description">{ format!("How {} appears to its members.", viewer.organization.name) }</p>
            </header>
            <section class="card" aria-labelledby="org-settings-title">
                <h2 id="org-settings-title" class="card-title">{ "Organization" }</h2>
                if is_admin {
                    <form class="form form-narrow" {onsubmit} novalidate=true>
                        if let Some(message) = errors.form() {
                            <ErrorBanner {message} />
                        }
                        <TextField id="organization-name" name="name" label="Name" required=true
                            autocomplete="organization" value={(*name).clone()} oninput={on_name}
                            error={errors.field("name")} hint="Shown in the top bar, in e-mails and in invitations." />
                        <div>
                            <Button r#type="submit" busy={*busy} testid="save-organization">
                                { if *busy { "Saving…" } else { "Save" } }
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
        </>
    }
}
