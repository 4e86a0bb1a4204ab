//! How dates, roles and statuses read in the UI.

use chrono::{DateTime, Utc};
use schema::enums::{MemberStatus, OrgRole};

/// "Nov 24, 2026".
pub fn date(at: DateTime<Utc>) -> String {
    at.format("%b %-d, %Y").to_string()
}

/// "2026-11-24 21:30:05 UTC": exact, for the audit log.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

pub fn role(role: OrgRole) -> &'static str {
    match role {
        OrgRole::Owner => "Owner",
        OrgRole::Admin => "Admin",
        OrgRole::Member => "Member",
    }
}

pub fn member_status(status: MemberStatus) -> &'static str {
    match status {
        MemberStatus::Invited => "Invited",
        MemberStatus::Active => "Active",
        MemberStatus::Suspended => "Suspended",
    }
}

/// The audit actions the API records, with how they read.
pub const AUDIT_ACTIONS: &[(&str, &str)] = &[
    ("auth.sign_up", "Signed up"),
    ("auth.log_in", "Signed in"),
    ("auth.log_out", "Signed out"),
    ("auth.switch_organization", "Switched organization"),
    (
        "auth.password_reset_requested",
        "Asked for a password reset",
    ),
    ("auth.password_reset", "Reset their password"),
    ("auth.refresh_token_reused", "Reused an old session token"),
    ("invitation.create", "Invited someone"),
    ("invitation.resend", "Resent an invitation"),
    ("invitation.revoke", "Revoked an invitation"),
    ("invitation.accept", "Accepted an invitation"),
    ("member.change_role", "Changed a member's role"),
    ("member.suspend", "Suspended a member"),
    ("member.reactivate", "Reactivated a member"),
    ("member.remove", "Removed a member"),
    ("organization.update", "Changed the organization"),
    ("job.retry", "Retried a failed job"),
];

/// "Changed a member's role", or the action's code when this UI does not know it.
pub fn audit_action(action: &str) -> String {
    AUDIT_ACTIONS
        .iter()
        .find(|(code, _)| *code == action)
        .map(|(_, label)| (*label).to_owned())
        .unwrap_or_else(|| action.to_owned())
}
