//! Routes and the route guards.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::{ErrorBanner, Shell, ToastProvider, full_page_loading};
use crate::hooks::{SessionProvider, SessionState, use_session};
use crate::pages::auth_layout::AuthCard;
use crate::pages::config_editor::{EditStandupConfigPage, NewStandupConfigPage};
use crate::pages::insights::TeamInsightsPage;
use crate::pages::org_insights::OrganizationInsightsPage;
use crate::pages::standups::{MyStandupsPage, StandupPage, TeamHistoryPage};
use crate::pages::team::TeamPage;
use crate::pages::teams::TeamsPage;
use crate::pages::{
    AcceptInvitationPage, AccountPage, AnswerLinkPage, AuditLogPage, FailedJobsPage,
    ForgotPasswordPage, HomePage, MembersPage, NotFoundPage, ResetPasswordPage, SettingsPage,
    SignInPage, SignUpPage,
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
    /// The one-click answer link of the standup e-mails (works signed out).
    #[at("/answer/:token")]
    AnswerLink { token: String },
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
    /// A team's participation and times to answer per week.
    #[at("/teams/:id/insights")]
    TeamInsights { id: String },
    #[at("/teams/:team_id/standups/new")]
    NewStandupConfig { team_id: String },
    #[at("/standup-configs/:id")]
    EditStandupConfig { id: String },
    #[at("/members")]
    Members,
    #[at("/audit-log")]
    AuditLog,
    /// Each team's participation, for owners and admins.
    #[at("/insights")]
    Insights,
    /// Jobs that failed every attempt, for owners and admins.
    #[at("/failed-jobs")]
    FailedJobs,
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
        // Open in any session state: the token is the proof, not a sign-in.
        Route::AnswerLink { token } => html! { <AnswerLinkPage token={token} /> },
        Route::MyStandups => signed_in(html! { <MyStandupsPage /> }),
        Route::Standup { id } => signed_in(html! { <StandupPage id={id} /> }),
        Route::Teams => signed_in(html! { <TeamsPage /> }),
        Route::Team { id } => signed_in(html! { <TeamPage id={id} /> }),
        Route::TeamHistory { id } => signed_in(html! { <TeamHistoryPage id={id} /> }),
        Route::TeamInsights { id } => signed_in(html! { <TeamInsightsPage id={id} /> }),
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
        Route::Insights => signed_in(html! { <OrganizationInsightsPage /> }),
        Route::FailedJobs => signed_in(html! { <FailedJobsPage /> }),
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

/// The `next` of a sign-in URL, when it is a path of this app (`/…`, not `//host` or
/// anything with a scheme or a backslash): where to go once signed in.
pub fn safe_next(raw: &str) -> Option<String> {
    let ok = raw.starts_with('/')
        && !raw.starts_with("//")
        && !raw.contains('\\')
        && !raw.contains("://")
        && !raw.chars().any(char::is_control);
    ok.then(|| raw.to_owned())
}

#[derive(Debug, Default, serde::Deserialize, serde::Serialize)]
struct NextQuery {
    #[serde(default)]
    next: String,
}

#[derive(Properties, PartialEq)]
struct GoProps {
    /// A path of this app.
    path: AttrValue,
    /// Sent as `?next=` (the sign-in page's return address).
    #[prop_or_default]
    next: Option<AttrValue>,
}

/// Replaces the current entry with `path` (and `?next=`).
#[component]
fn Go(props: &GoProps) -> Html {
    let navigator = use_navigator();
    let (path, next) = (props.path.clone(), props.next.clone());
    use_effect_with((path, next), move |(path, next)| {
        if let Some(navigator) = navigator {
            let route = Route::recognize(path).unwrap_or(Route::Home);
            match next {
                Some(next) => {
                    let query = NextQuery {
                        next: next.to_string(),
                    };
                    if navigator.replace_with_query(&route, &query).is_err() {
                        navigator.replace(&route);
                    }
                }
                None => navigator.replace(&route),
            }
        }
    });
    Html::default()
}

/// Shows its page only in the right session state; otherwise waits, offers a retry or
/// redirects. A signed-out visit to a signed-in page goes to sign-in with `?next=` that
/// page, and signing in returns there.
#[component]
pub fn Gate(props: &GateProps) -> Html {
    let session = use_session();
    let location = use_location();
    let here = location
        .as_ref()
        .map(|l| l.path().to_owned())
        .unwrap_or_default();
    let next = location
        .as_ref()
        .and_then(|l| l.query::<NextQuery>().ok())
        .and_then(|q| safe_next(&q.next));
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
            let next = (here != "/").then(|| AttrValue::from(here));
            html! { <Go path="/sign-in" {next} /> }
        }
        (SessionState::SignedIn(_), Need::SignedOut) => {
            let path = AttrValue::from(next.unwrap_or_else(|| "/".to_owned()));
            html! { <Go {path} /> }
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

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_paths_of_this_app_are_followed_after_sign_in() {
        assert_eq!(safe_next("/standups/1").as_deref(), Some("/standups/1"));
        assert_eq!(safe_next("/").as_deref(), Some("/"));
        for bad in [
            "",
            "standups",
            "//evil.example/x",
            "/\\evil.example",
            "https://evil.example",
            "/x?u=https://evil.example",
            "/a\nb",
        ] {
            assert_eq!(safe_next(bad), None, "{bad}");
        }
    }
}
