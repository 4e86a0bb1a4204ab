use yew::prelude::*;

use super::use_title;
use crate::components::shell::role_label;
use crate::components::use_viewer;

#[component]
pub fn HomePage() -> Html {
    use_title("Home");
    let Some(viewer) = use_viewer() else {
        return Html::default();
    };
    let first_name = viewer
        .user
        .name
        .split_whitespace()
        .next()
        .unwrap_or(&viewer.user.name)
        .to_owned();
    let org_count = viewer.organizations.len();

    html! {
        <>
            <header class="page-header">
                <h1 class="page-title">{ format!("Welcome, {first_name}") }</h1>
                <p class="page-description">{ "Your account and organization at a glance." }</p>
            </header>
            <div class="grid">
                <section class="card" aria-labelledby="you-title">
                    <h2 id="you-title" class="card-title">{ "You" }</h2>
                    <dl class="facts">
                        <dt>{ "Name" }</dt>
                        <dd data-testid="user-name">{ viewer.user.name.clone() }</dd>
                        <dt>{ "E-mail" }</dt>
                        <dd data-testid="user-email">{ viewer.user.email.clone() }</dd>
                    </dl>
                </section>
                <section class="card" aria-labelledby="org-title">
                    <h2 id="org-title" class="card-title">{ "Organization" }</h2>
                    <dl class="facts">
                        <dt>{ "Name" }</dt>
                        <dd data-testid="org-name">{ viewer.organization.name.clone() }</dd>
                        <dt>{ "Your role" }</dt>
                        <dd><span class="badge" data-testid="role">{ role_label(viewer.role) }</span></dd>
                        <dt>{ "Short name" }</dt>
                        <dd><code>{ viewer.organization.slug.clone() }</code></dd>
                    </dl>
                    if org_count > 1 {
                        <p class="muted">{ format!("You belong to {org_count} organizations; switch between them at the top.") }</p>
                    }
                </section>
            </div>
        </>
    }
}
