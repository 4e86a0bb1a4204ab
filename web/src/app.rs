//! Routes and the route guards.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::{ErrorBanner, Shell, ToastProvider, full_page_loading};
use crate::hooks::{SessionProvider, SessionState, use_session};
use crate::pages::auth_layout::AuthCard;
use crate::pages::config_editor::{EditStandupConfigPage, NewStandupConfigPage};
use crate::pages::standups::{MyStandupsPage, StandupPage, TeamHistoryPage};
use crate::pages::team::TeamPage;
use crate::pages::teams::TeamsPage;
use crate::pages::{
    AcceptInvitationPage, AccountPage, AuditLogPage, ForgotPasswordPage, HomePage, MembersPage,
    NotFoundPage, ResetPasswordPage, SettingsPage, SignInPage, SignUpPage,
};

#[derive(Clone, Debug, PartialEq, Routable)]
pub enum Route {
    #[at("/")]
    Home,
    #[at("/sign-in")]
    SignIn,
    #[at("/sign-up")]
    SignUp,
    #[at("/forgot-password")]
    ForgotPassword,
    /// The link in the reset e-mail: `/reset-password?token=…`.
    #[at("/reset-password")]
    ResetPassword,
    /// The link in the invitation e-mail: `/accept-invitation?token=…`.
    #[at("/accept-invitation")]
    AcceptInvitation,
    #[at("/standups")]
    MyStandups,
    /// A standup: answer it, watch answers arrive, read its digest (the e-mail links here).
    #[at("/standups/:id")]
    Standup { id: String },
    #[at("/teams")]
    Teams,
    #[at("/teams/:id")]
    Team { id: String },
    #[at("/teams/:id/history")]
    TeamHistory { id: String },
    #[at("/teams/:team_id/standups/new")]
    NewStandupConfig { team_id: String },
    #[at("/standup-configs/:id")]
    EditStandupConfig { id: String },
    #[at("/members")]
    Members,
    #[at("/audit-log")]
    AuditLog,
    #[at("/settings")]
    Settings,
    /// The signed-in person's own account: password, sessions.
    #[at("/account")]
    Account,
    #[not_found]
    #[at("/404")]
    NotFound,
}

fn switch(route: Route) -> Html {
    match route {
        Route::Home => html! { <Gate need={Need::SignedIn}><Shell><HomePage /></Shell></Gate> },
        Route::SignIn => html! { <Gate need={Need::SignedOut}><SignInPage /></Gate> },
        Route::SignUp => html! { <Gate need={Need::SignedOut}><SignUpPage /></Gate> },
        // Open in any session state: a signed-in person may reset a password too (the
        // reset then ends their sessions, this one included).
        Route::ForgotPassword => html! { <ForgotPasswordPage /> },
        Route::ResetPassword => html! { <ResetPasswordPage /> },
        // Open in any session state: whoever follows the link joins as the invited address.
        Route::AcceptInvitation => html! { <AcceptInvitationPage /> },
        Route::MyStandups => signed_in(html! { <MyStandupsPage /> }),
        Route::Standup { id } => signed_in(html! { <StandupPage id={id} /> }),
        Route::Teams => signed_in(html! { <TeamsPage /> }),
        Route::Team { id } => signed_in(html! { <TeamPage id={id} /> }),
        Route::TeamHistory { id } => signed_in(html! { <TeamHistoryPage id={id} /> }),
        Route::NewStandupConfig { team_id } => {
            signed_in(html! { <NewStandupConfigPage team_id={team_id} /> })
        }
        Route::EditStandupConfig { id } => signed_in(html! { <EditStandupConfigPage id={id} /> }),
        Route::Members => {
            html! { <Gate need={Need::SignedIn}><Shell><MembersPage /></Shell></Gate> }
        }
        Route::AuditLog => {
            html! { <Gate need={Need::SignedIn}><Shell><AuditLogPage /></Shell></Gate> }
        }
        Route::Settings => {
            html! { <Gate need={Need::SignedIn}><Shell><SettingsPage /></Shell></Gate> }
        }
        Route::Account => signed_in(html! { <AccountPage /> }),
        Route::NotFound => html! { <NotFoundPage /> },
    }
}

/// A page of the signed-in app, inside the shell.
fn signed_in(page: Html) -> Html {
    html! { <Gate need={Need::SignedIn}><Shell>{ page }</Shell></Gate> }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    SignedIn,
    SignedOut,
}

#[derive(Properties, PartialEq)]
pub struct GateProps {
    pub need: Need,
    #[prop_or_default]
    pub children: Html,
}

/// Shows its page only in the right session state; otherwise waits, offers a retry or
/// redirects.
#[component]
pub fn Gate(props: &GateProps) -> Html {
    let session = use_session();
    match (&session.state, props.need) {
        (SessionState::Restoring, _) => full_page_loading("Opening AsyncStand…"),
        (SessionState::Unreachable(err), _) => html! {
            <AuthCard title="Can't reach AsyncStand" description="Your work is safe; the app could not talk to the server.">
                <ErrorBanner message={err.user_message()} on_retry={session.retry.clone()} />
            </AuthCard>
        },
        (SessionState::SignedIn(_), Need::SignedIn)
        | (SessionState::SignedOut, Need::SignedOut) => props.children.clone(),
        (SessionState::SignedOut, Need::SignedIn) => {
            html! { <Redirect<Route> to={Route::SignIn} /> }
        }
        (SessionState::SignedIn(_), Need::SignedOut) => {
            html! { <Redirect<Route> to={Route::Home} /> }
        }
    }
}

#[component]
pub fn App() -> Html {
    html! {
        <BrowserRouter>
            <ToastProvider>
                <SessionProvider>
                    <Switch<Route> render={switch} />
                </SessionProvider>
            </ToastProvider>
        </BrowserRouter>
    }
}
