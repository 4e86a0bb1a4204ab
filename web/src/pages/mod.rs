//! One module per page.

pub mod accept_invitation;
pub mod account;
pub mod account_away;
pub mod account_notifications;
pub mod account_profile;
pub mod account_tokens;
pub mod answer_link;
pub mod answer_search;
pub mod audit_log;
pub mod auth_layout;
pub mod config_editor;
pub mod failed_jobs;
pub mod forgot_password;
pub mod home;
pub mod insights;
pub mod members;
pub mod my_blockers;
pub mod not_found;
pub mod org_insights;
pub mod reset_password;
pub mod settings;
pub mod settings_slack;
pub mod sign_in;
pub mod sign_up;
pub mod standups;
pub mod team;
pub mod team_blockers;
pub mod teams;

pub use accept_invitation::AcceptInvitationPage;
pub use account::AccountPage;
pub use answer_link::AnswerLinkPage;
pub use audit_log::AuditLogPage;
pub use failed_jobs::FailedJobsPage;
pub use forgot_password::ForgotPasswordPage;
pub use home::HomePage;
pub use members::MembersPage;
pub use not_found::NotFoundPage;
pub use reset_password::ResetPasswordPage;
pub use settings::SettingsPage;
pub use sign_in::SignInPage;
pub use sign_up::SignUpPage;

use yew::prelude::*;

/// Sets `document.title` to "`title` · AsyncStand".
#[hook]
pub fn use_title(title: &'static str) {
    use_effect_with(title, |title| {
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            document.set_title(&format!("{title} · AsyncStand"));
        }
    });
}
