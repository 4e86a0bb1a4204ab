//! The signed-in frame: top bar (brand, organization switcher, theme, user menu), left
//! navigation and the page. Loads the viewer once and provides it to pages.

use std::rc::Rc;

use schema::enums::OrgRole;
use schema::ops::{
    NoVariables, SwitchOrganization, SwitchOrganizationVariables, Viewer, ViewerQuery,
};
use web_sys::HtmlSelectElement;
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use super::{Button, ButtonKind, ErrorBanner, ThemeSwitch, ToastKind, loading, use_toaster};
use crate::api::use_api;
use crate::app::Route;
use crate::hooks::{Load, MutationOptions, use_mutation, use_query, use_session};

/// One entry of the left navigation. Add new pages here; `admin_only` items are hidden
/// from members.
struct NavItem {
    route: Route,
    label: &'static str,
    icon: &'static str,
    admin_only: bool,
}

const NAV_ITEMS: &[NavItem] = &[
    NavItem {
        route: Route::Home,
        label: "Home",
        icon: "⌂",
        admin_only: false,
    },
    NavItem {
        route: Route::MyStandups,
        label: "My standups",
        icon: "✎",
        admin_only: false,
    },
    NavItem {
        route: Route::Teams,
        label: "Teams",
        icon: "◎",
        admin_only: false,
    },
    NavItem {
        route: Route::Members,
        label: "Members",
        icon: "☺",
        admin_only: false,
    },
    NavItem {
        route: Route::Insights,
        label: "Insights",
        icon: "▥",
        admin_only: true,
    },
    NavItem {
        route: Route::AuditLog,
        label: "Audit log",
        icon: "☰",
        admin_only: true,
    },
    NavItem {
        route: Route::FailedJobs,
        label: "Failed jobs",
        icon: "⚠",
        admin_only: true,
    },
    NavItem {
        route: Route::Settings,
        label: "Settings",
        icon: "⚙",
        admin_only: false,
    },
    NavItem {
        route: Route::Account,
        label: "Your account",
        icon: "☻",
        admin_only: false,
    },
];

/// The navigation entry a route belongs to: a standup is under "My standups", a team's
/// pages and its standup configs under "Teams".
fn section(route: &Route) -> Route {
    match route {
        Route::Standup { .. } => Route::MyStandups,
        Route::Team { .. }
        | Route::TeamHistory { .. }
        | Route::TeamInsights { .. }
        | Route::NewStandupConfig { .. }
        | Route::EditStandupConfig { .. } => Route::Teams,
        other => other.clone(),
    }
}

/// The viewer loaded by the surrounding [`Shell`].
#[hook]
pub fn use_viewer() -> Option<Rc<Viewer>> {
    use_context::<Rc<Viewer>>()
}

/// How a role reads in the UI.
pub fn role_label(role: OrgRole) -> &'static str {
    role.label()
}

#[derive(Properties, PartialEq)]
pub struct ShellProps {
    #[prop_or_default]
    pub children: Html,
}

#[component]
pub fn Shell(props: &ShellProps) -> Html {
    let session = use_session();
    let auth = session.auth();
    let org_key = auth.as_ref().map(|a| a.organization.id);
    let viewer = use_query::<ViewerQuery, _>(NoVariables {}, org_key);

    let (viewer_data, body) = match &*viewer.state {
        Load::Loading => (None, loading("Loading your workspace…")),
        Load::Failed(err) => (
            None,
            html! {
                <ErrorBanner
                    title="This page could not be loaded"
                    message={err.user_message()}
                    on_retry={viewer.retry.clone()}
                />
            },
        ),
        Load::Ready(data) => match &data.viewer {
            Some(v) => {
                // Times read in the account's zone when the person set one.
                crate::format::local::set_viewer_zone(v.user.timezone.as_deref());
                let v = Rc::new(v.clone());
                (
                    Some(v.clone()),
                    html! {
                        <ContextProvider<Rc<Viewer>> context={v}>
                            { props.children.clone() }
                        </ContextProvider<Rc<Viewer>>>
                    },
                )
            }
            None => (
                None,
                html! {
                    <ErrorBanner message="Your session has ended. Sign in again." on_retry={session.retry.clone()} />
                },
            ),
        },
    };

    let is_admin = viewer_data
        .as_ref()
        .is_some_and(|v| matches!(v.role, OrgRole::Owner | OrgRole::Admin));
    let current_route = use_route::<Route>();
    let current_section = current_route.as_ref().map(section);
    let navigator = use_navigator();
    // Phones: the navigation is a menu behind a button; it closes on every page change.
    let menu_open = use_state(|| false);
    {
        let menu_open = menu_open.clone();
        use_effect_with(current_route.clone(), move |_| menu_open.set(false));
    }
    let toggle_menu = {
        let menu_open = menu_open.clone();
        Callback::from(move |_: MouseEvent| menu_open.set(!*menu_open))
    };

    let nav = NAV_ITEMS
        .iter()
        .filter(|item| !item.admin_only || is_admin)
        .map(|item| {
            let active = current_section.as_ref() == Some(&item.route);
            let onclick = {
                let navigator = navigator.clone();
                let route = item.route.clone();
                Callback::from(move |e: MouseEvent| {
                    if e.meta_key() || e.ctrl_key() || e.shift_key() || e.alt_key() {
                        return;
                    }
                    e.prevent_default();
                    if let Some(navigator) = &navigator {
                        navigator.push(&route);
                    }
                })
            };
            html! {
                <li key={item.label}>
                    <a
                        href={item.route.to_path()}
                        class={classes!("nav-link", active.then_some("is-active"))}
                        aria-current={active.then_some("page")}
                        {onclick}
                    >
                        <span class="nav-icon" aria-hidden="true">{ item.icon }</span>
                        <span>{ item.label }</span>
                    </a>
                </li>
            }
        })
        .collect::<Html>();

    let current_label = NAV_ITEMS
        .iter()
        .find(|item| current_section.as_ref() == Some(&item.route))
        .map_or("Menu", |item| item.label);
    html! {
        <div class={classes!("shell", menu_open.then_some("nav-open"))}>
            <a class="skip-link" href="#main">{ "Skip to content" }</a>
            <header class="topbar">
                <Link<Route> to={Route::Home} classes="brand">
                    <span class="brand-mark" aria-hidden="true"></span>
                    <span class="brand-name">{ "AsyncStand" }</span>
                </Link<Route>>
                <div class="topbar-org">
                    <OrgSwitcher viewer={viewer_data.clone()} />
                </div>
                <div class="topbar-actions">
                    <button
                        type="button"
                        class="btn btn-ghost nav-toggle"
                        aria-expanded={if *menu_open { "true" } else { "false" }}
                        aria-controls="main-nav"
                        data-testid="nav-toggle"
                        onclick={toggle_menu}
                    >
                        <span aria-hidden="true">{ "☰" }</span>
                        <span class="nav-toggle-current">{ current_label }</span>
                        <span class="visually-hidden">{ ", open the menu" }</span>
                    </button>
                    <ThemeSwitch />
                    <UserMenu />
                </div>
            </header>
            <nav class="sidenav" id="main-nav" aria-label="Main">
                <ul>{ nav }</ul>
            </nav>
            <main id="main" class="page" tabindex="-1">
                { body }
            </main>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct OrgSwitcherProps {
    viewer: Option<Rc<Viewer>>,
}

/// The current organization; a switcher when the viewer belongs to more than one.
#[component]
fn OrgSwitcher(props: &OrgSwitcherProps) -> Html {
    let session = use_session();
    let client = use_api();
    let switch = use_mutation(MutationOptions {
        toast_errors: true,
        ..Default::default()
    });

    let Some(auth) = session.auth() else {
        return Html::default();
    };
    let current = auth.organization.clone();
    let organizations = props
        .viewer
        .as_ref()
        .map(|v| v.organizations.clone())
        .unwrap_or_default();

    if organizations.len() <= 1 {
        return html! {
            <span class="org-current" data-testid="current-org" title="Organization">{ current.name }</span>
        };
    }

    let onchange = {
        let switch = switch.clone();
        let organizations = organizations.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            let Some(target) = organizations
                .iter()
                .find(|o| o.id.to_string() == select.value())
                .cloned()
            else {
                return;
            };
            let vars = SwitchOrganizationVariables {
                organization_id: target.id,
            };
            let client = client.clone();
            switch.run::<SwitchOrganization>(vars, move |data| {
                client.accept(data.switch_organization);
                Some(format!("Switched to {}", target.name))
            });
        })
    };

    html! {
        <div class="org-switcher">
            <label class="visually-hidden" for="org-switcher">{ "Organization" }</label>
            <select
                id="org-switcher"
                class="select"
                data-testid="org-switcher"
                disabled={switch.busy()}
                aria-busy={switch.busy().then_some("true")}
                {onchange}
            >
                { for organizations.iter().map(|o| html! {
                    <option key={o.id.to_string()} value={o.id.to_string()} selected={o.id == current.id}>
                        { o.name.clone() }
                    </option>
                }) }
            </select>
        </div>
    }
}

/// The signed-in person, with Sign out.
#[component]
fn UserMenu() -> Html {
    let session = use_session();
    let client = use_api();
    let navigator = use_navigator();
    let toaster = use_toaster();
    let open = use_state(|| false);
    let signing_out = use_state(|| false);

    let Some(auth) = session.auth() else {
        return Html::default();
    };
    let user = auth.user.clone();
    let initials = crate::format::upper(
        &user
            .name
            .split_whitespace()
            .filter_map(|w| w.chars().next())
            .take(2)
            .collect::<String>(),
    );

    let toggle = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(!*open))
    };
    let onkeydown = {
        let open = open.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                open.set(false);
            }
        })
    };
    let sign_out = {
        let signing_out = signing_out.clone();
        Callback::from(move |_: MouseEvent| {
            let client = client.clone();
            let navigator = navigator.clone();
            let toaster = toaster.clone();
            let signing_out = signing_out.clone();
            signing_out.set(true);
            spawn_local(async move {
                let outcome = client.log_out().await;
                signing_out.set(false);
                if let Some(navigator) = navigator {
                    navigator.push(&Route::SignIn);
                }
                if let Some(toaster) = toaster {
                    match outcome {
                        Ok(()) => toaster.push(ToastKind::Info, "You are signed out."),
                        Err(err) => toaster.push(ToastKind::Error, err.user_message()),
                    }
                }
            });
        })
    };

    html! {
        <div class="user-menu" {onkeydown}>
            <button
                type="button"
                class="btn btn-ghost user-menu-button"
                aria-expanded={if *open { "true" } else { "false" }}
                aria-controls="user-menu-panel"
                data-testid="user-menu"
                onclick={toggle}
            >
                <span class="avatar" aria-hidden="true">{ initials }</span>
                <span class="user-menu-name">{ user.name.clone() }</span>
                <span class="visually-hidden">{ "Account menu" }</span>
            </button>
            if *open {
                <div class="user-menu-panel" id="user-menu-panel">
                    <p class="user-menu-who">
                        <span class="user-menu-who-name">{ user.name.clone() }</span>
                        <span class="user-menu-who-email">{ user.email.clone() }</span>
                    </p>
                    <Button
                        kind={ButtonKind::Secondary}
                        full_width=true
                        testid="sign-out"
                        busy={*signing_out}
                        onclick={sign_out}
                    >
                        { "Sign out" }
                    </Button>
                </div>
            }
        </div>
    }
}
