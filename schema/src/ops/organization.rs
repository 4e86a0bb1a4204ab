//! Operations of the organization pages: members and roles, invitations, settings and
//! the audit log.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::json::FromJson;

use super::{AuthPayload, Operation, Organization, User};
use crate::enums::{MemberStatus, OrgRole};
use crate::ids::UserId;

/// `pageInfo` of a connection, as far as the UI pages through it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct PageInfo {
    pub has_next_page: bool,
    pub end_cursor: Option<String>,
}

impl PageInfo {
    /// Where the next page starts, when there is one.
    pub fn next_cursor(self) -> Option<String> {
        self.has_next_page.then_some(self.end_cursor).flatten()
    }
}

/// A connection read through its `nodes`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct Connection<T> {
    pub page_info: PageInfo,
    pub nodes: Vec<T>,
}

/// An operation that reads one page of a connection.
pub trait PagedOperation: Operation {
    /// One row of the connection.
    type Node: Clone + PartialEq;
    /// The connection inside the operation's data.
    fn connection(data: Self::Data) -> Connection<Self::Node>;
    /// The same variables, for the page after `cursor`.
    fn after(variables: &Self::Variables, cursor: String) -> Self::Variables;
}

// ---------------------------------------------------------------------------------
// Members

/// `type Member`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    pub user: User,
    pub role: OrgRole,
    pub status: MemberStatus,
    pub joined_at: DateTime<Utc>,
    /// Matched to a Slack user of the connected workspace (the member list's badge).
    #[serde(default)]
    pub slack_matched: bool,
}

macro_rules! member_fields {
    () => {
        "{ user { ...UserFields } role status joinedAt slackMatched }"
    };
}

/// `input MemberFilter`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberFilter {
    pub status: Option<MemberStatus>,
    pub role: Option<OrgRole>,
    /// Part of a name or e-mail; empty means no filter.
    pub search: Option<String>,
}

/// `members(first, after, filter): MemberConnection!`
#[derive(Debug)]
pub enum MembersQuery {}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MembersVariables {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub filter: MemberFilter,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
pub struct MembersData {
    pub members: Connection<Member>,
}

impl Operation for MembersQuery {
    const NAME: &'static str = "Members";
    const QUERY: &'static str = concat!(
        "query Members($first: Int, $after: String, $filter: MemberFilter) { members(first: $first, after: $after, filter: $filter) { pageInfo { hasNextPage endCursor } nodes ",
        member_fields!(),
        " } }",
        user_fragment!()
    );
    type Variables = MembersVariables;
    type Data = MembersData;
}

impl PagedOperation for MembersQuery {
    type Node = Member;
    fn connection(data: MembersData) -> Connection<Member> {
        data.members
    }
    fn after(variables: &MembersVariables, cursor: String) -> MembersVariables {
        MembersVariables {
            after: Some(cursor),
            ..variables.clone()
        }
    }
}

/// Variables of the mutations that name a member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberVariables {
    pub user_id: UserId,
}

/// `changeMemberRole(userId, role): Member!`
#[derive(Debug)]
pub enum ChangeMemberRole {}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeMemberRoleVariables {
    pub user_id: UserId,
    pub role: OrgRole,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct ChangeMemberRoleData {
    pub change_member_role: Member,
}

impl Operation for ChangeMemberRole {
    const NAME: &'static str = "ChangeMemberRole";
    const QUERY: &'static str = concat!(
        "mutation ChangeMemberRole($userId: ID!, $role: OrgRole!) { changeMemberRole(userId: $userId, role: $role) ",
        member_fields!(),
        " }",
        user_fragment!()
    );
    type Variables = ChangeMemberRoleVariables;
    type Data = ChangeMemberRoleData;
}

/// `suspendMember(userId): Member!` — their sessions in this organization end at once.
#[derive(Debug)]
pub enum SuspendMember {}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct SuspendMemberData {
    pub suspend_member: Member,
}

impl Operation for SuspendMember {
    const NAME: &'static str = "SuspendMember";
    const QUERY: &'static str = concat!(
        "mutation SuspendMember($userId: ID!) { suspendMember(userId: $userId) ",
        member_fields!(),
        " }",
        user_fragment!()
    );
    type Variables = MemberVariables;
    type Data = SuspendMemberData;
}

/// `reactivateMember(userId): Member!`
#[derive(Debug)]
pub enum ReactivateMember {}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct ReactivateMemberData {
    pub reactivate_member: Member,
}

impl Operation for ReactivateMember {
    const NAME: &'static str = "ReactivateMember";
    const QUERY: &'static str = concat!(
        "mutation ReactivateMember($userId: ID!) { reactivateMember(userId: $userId) ",
        member_fields!(),
        " }",
        user_fragment!()
    );
    type Variables = MemberVariables;
    type Data = ReactivateMemberData;
}

/// `removeMember(userId): Boolean!`
#[derive(Debug)]
pub enum RemoveMember {}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct RemoveMemberData {
    pub remove_member: bool,
}

impl Operation for RemoveMember {
    const NAME: &'static str = "RemoveMember";
    const QUERY: &'static str =
        "mutation RemoveMember($userId: ID!) { removeMember(userId: $userId) }";
    type Variables = MemberVariables;
    type Data = RemoveMemberData;
}

// ---------------------------------------------------------------------------------
// Invitations

/// `enum InvitationStatus`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum InvitationStatus {
    Pending,
    Accepted,
    Revoked,
    Expired,
}

/// `type Invitation`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct Invitation {
    pub id: String,
    pub email: String,
    pub role: OrgRole,
    pub status: InvitationStatus,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

macro_rules! invitation_fields {
    () => {
        "{ id email role status createdAt expiresAt }"
    };
}

/// `invitations(first, after): InvitationConnection!` — open invitations, newest first.
#[derive(Debug)]
pub enum InvitationsQuery {}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InvitationsVariables {
    pub first: Option<i32>,
    pub after: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
pub struct InvitationsData {
    pub invitations: Connection<Invitation>,
}

impl Operation for InvitationsQuery {
    const NAME: &'static str = "Invitations";
    const QUERY: &'static str = concat!(
        "query Invitations($first: Int, $after: String) { invitations(first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes ",
        invitation_fields!(),
        " } }"
    );
    type Variables = InvitationsVariables;
    type Data = InvitationsData;
}

impl PagedOperation for InvitationsQuery {
    type Node = Invitation;
    fn connection(data: InvitationsData) -> Connection<Invitation> {
        data.invitations
    }
    fn after(variables: &InvitationsVariables, cursor: String) -> InvitationsVariables {
        InvitationsVariables {
            after: Some(cursor),
            ..variables.clone()
        }
    }
}

/// `inviteMember(input: InviteMemberInput!): Invitation!`
#[derive(Debug)]
pub enum InviteMember {}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InviteMemberInput {
    pub email: String,
    pub role: OrgRole,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InviteMemberVariables {
    pub input: InviteMemberInput,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct InviteMemberData {
    pub invite_member: Invitation,
}

impl Operation for InviteMember {
    const NAME: &'static str = "InviteMember";
    const QUERY: &'static str = concat!(
        "mutation InviteMember($input: InviteMemberInput!) { inviteMember(input: $input) ",
        invitation_fields!(),
        " }"
    );
    type Variables = InviteMemberVariables;
    type Data = InviteMemberData;
}

/// Variables of the mutations that name an invitation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InvitationVariables {
    pub id: String,
}

/// `resendInvitation(id): Invitation!` — a new link; the old one stops working.
#[derive(Debug)]
pub enum ResendInvitation {}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct ResendInvitationData {
    pub resend_invitation: Invitation,
}

impl Operation for ResendInvitation {
    const NAME: &'static str = "ResendInvitation";
    const QUERY: &'static str = concat!(
        "mutation ResendInvitation($id: ID!) { resendInvitation(id: $id) ",
        invitation_fields!(),
        " }"
    );
    type Variables = InvitationVariables;
    type Data = ResendInvitationData;
}

/// `revokeInvitation(id): Invitation!`
#[derive(Debug)]
pub enum RevokeInvitation {}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct RevokeInvitationData {
    pub revoke_invitation: Invitation,
}

impl Operation for RevokeInvitation {
    const NAME: &'static str = "RevokeInvitation";
    const QUERY: &'static str = concat!(
        "mutation RevokeInvitation($id: ID!) { revokeInvitation(id: $id) ",
        invitation_fields!(),
        " }"
    );
    type Variables = InvitationVariables;
    type Data = RevokeInvitationData;
}

/// `acceptInvitation(input: AcceptInvitationInput!): AuthPayload!`
#[derive(Debug)]
pub enum AcceptInvitation {}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AcceptInvitationInput {
    pub token: String,
    /// Ignored by the server when the address already has an account.
    pub name: String,
    /// A new password, or the existing account's password.
    pub password: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AcceptInvitationVariables {
    pub input: AcceptInvitationInput,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct AcceptInvitationData {
    pub accept_invitation: AuthPayload,
}

impl Operation for AcceptInvitation {
    const NAME: &'static str = "AcceptInvitation";
    const QUERY: &'static str = concat!(
        "mutation AcceptInvitation($input: AcceptInvitationInput!) { acceptInvitation(input: $input) ",
        "{ accessToken expiresAt user { ...UserFields } organization { ...OrganizationFields } }",
        " }",
        fragments!()
    );
    type Variables = AcceptInvitationVariables;
    type Data = AcceptInvitationData;
}

/// `invitationPreview(token: String!): InvitationPreview`: what an invitation link is
/// for, read before accepting it (no sign-in).
#[derive(Debug)]
pub enum InvitationPreviewQuery {}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InvitationPreviewVariables {
    pub token: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct InvitationPreview {
    pub organization_name: String,
    pub invited_by: Option<String>,
    pub email: String,
    pub role: OrgRole,
    pub expires_at: DateTime<Utc>,
    pub expired: bool,
    pub has_account: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct InvitationPreviewData {
    pub invitation_preview: Option<InvitationPreview>,
}

impl Operation for InvitationPreviewQuery {
    const NAME: &'static str = "InvitationPreview";
    const QUERY: &'static str = "query InvitationPreview($token: String!) { invitationPreview(token: $token) { organizationName invitedBy email role expiresAt expired hasAccount } }";
    type Variables = InvitationPreviewVariables;
    type Data = InvitationPreviewData;
}

// ---------------------------------------------------------------------------------
// Settings

/// `updateOrganization(input: UpdateOrganizationInput!): Organization!`
#[derive(Debug)]
pub enum UpdateOrganization {}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UpdateOrganizationInput {
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UpdateOrganizationVariables {
    pub input: UpdateOrganizationInput,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct UpdateOrganizationData {
    pub update_organization: Organization,
}

impl Operation for UpdateOrganization {
    const NAME: &'static str = "UpdateOrganization";
    const QUERY: &'static str = "mutation UpdateOrganization($input: UpdateOrganizationInput!) { updateOrganization(input: $input) { id name slug createdAt } }";
    type Variables = UpdateOrganizationVariables;
    type Data = UpdateOrganizationData;
}

// ---------------------------------------------------------------------------------
// Audit log

/// `type AuditEvent`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct AuditEvent {
    pub id: String,
    pub actor: Option<User>,
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
    pub summary: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

/// `input AuditFilter`: every given field must match.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditFilter {
    pub actor_id: Option<UserId>,
    pub action: Option<String>,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    /// Events at or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Events before this instant.
    pub to: Option<DateTime<Utc>>,
}

impl AuditFilter {
    /// The same filter as `GET /audit.csv` query parameters (`?actorId=…&from=…`).
    pub fn to_query_string(&self) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if let Some(actor) = self.actor_id {
            pairs.push(("actorId", actor.to_string()));
        }
        for (key, value) in [
            ("action", &self.action),
            ("targetType", &self.target_type),
            ("targetId", &self.target_id),
        ] {
            if let Some(value) = value {
                pairs.push((key, value.clone()));
            }
        }
        for (key, value) in [("from", self.from), ("to", self.to)] {
            if let Some(value) = value {
                pairs.push((
                    key,
                    value.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                ));
            }
        }
        pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", percent_encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// `auditLog(first, after, filter): AuditEventConnection!` — newest first.
#[derive(Debug)]
pub enum AuditLogQuery {}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditLogVariables {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub filter: AuditFilter,
}

#[derive(Clone, Debug, PartialEq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct AuditLogData {
    pub audit_log: Connection<AuditEvent>,
}

impl Operation for AuditLogQuery {
    const NAME: &'static str = "AuditLog";
    const QUERY: &'static str = concat!(
        "query AuditLog($first: Int, $after: String, $filter: AuditFilter) { auditLog(first: $first, after: $after, filter: $filter) { pageInfo { hasNextPage endCursor } nodes ",
        "{ id actor { ...UserFields } action targetType targetId ip userAgent requestId summary createdAt }",
        " } }",
        user_fragment!()
    );
    type Variables = AuditLogVariables;
    type Data = AuditLogData;
}

impl PagedOperation for AuditLogQuery {
    type Node = AuditEvent;
    fn connection(data: AuditLogData) -> Connection<AuditEvent> {
        data.audit_log
    }
    fn after(variables: &AuditLogVariables, cursor: String) -> AuditLogVariables {
        AuditLogVariables {
            after: Some(cursor),
            ..variables.clone()
        }
    }
}

/// Who connected Slack, as Settings shows them.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct SlackConnector {
    pub name: String,
    pub email: String,
}

/// `type SlackIntegration`: the connected workspace (never its token).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct SlackIntegration {
    pub workspace_name: String,
    pub team_id: String,
    pub connected_at: DateTime<Utc>,
    pub connected_by: Option<SlackConnector>,
    /// How many members are matched to Slack users (same e-mail in both).
    pub matched_member_count: i32,
    /// When members were last matched; `None` when never.
    pub users_synced_at: Option<DateTime<Utc>>,
}

macro_rules! slack_integration_fields {
    () => {
        "{ workspaceName teamId connectedAt connectedBy { name email } matchedMemberCount usersSyncedAt }"
    };
}

/// The organization as Settings' Slack card reads it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct SlackOrganization {
    pub slack_integration: Option<SlackIntegration>,
}

/// `slackEnabled` and `organization { slackIntegration }`: whether the server has Slack
/// set up, and the connected workspace.
#[derive(Debug)]
pub enum SlackQuery {}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct SlackData {
    pub slack_enabled: bool,
    pub organization: SlackOrganization,
}

impl Operation for SlackQuery {
    const NAME: &'static str = "Slack";
    const QUERY: &'static str = concat!(
        "query Slack { slackEnabled organization { slackIntegration ",
        slack_integration_fields!(),
        " } }"
    );
    type Variables = super::NoVariables;
    type Data = SlackData;
}

/// `slackInstallUrl: String!` — Slack's authorize page for this organization (OWNER/ADMIN).
#[derive(Debug)]
pub enum SlackInstallUrl {}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct SlackInstallUrlData {
    pub slack_install_url: String,
}

impl Operation for SlackInstallUrl {
    const NAME: &'static str = "SlackInstallUrl";
    const QUERY: &'static str = "mutation SlackInstallUrl { slackInstallUrl }";
    type Variables = super::NoVariables;
    type Data = SlackInstallUrlData;
}

/// `disconnectSlack: Boolean!` (OWNER/ADMIN).
#[derive(Debug)]
pub enum DisconnectSlack {}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct DisconnectSlackData {
    pub disconnect_slack: bool,
}

impl Operation for DisconnectSlack {
    const NAME: &'static str = "DisconnectSlack";
    const QUERY: &'static str = "mutation DisconnectSlack { disconnectSlack }";
    type Variables = super::NoVariables;
    type Data = DisconnectSlackData;
}

/// `syncSlackUsers: SlackIntegration!` — matches members to Slack users by e-mail now
/// (OWNER/ADMIN); the integration with the new count.
#[derive(Debug)]
pub enum SyncSlackUsers {}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct SyncSlackUsersData {
    pub sync_slack_users: SlackIntegration,
}

impl Operation for SyncSlackUsers {
    const NAME: &'static str = "SyncSlackUsers";
    const QUERY: &'static str = concat!(
        "mutation SyncSlackUsers { syncSlackUsers ",
        slack_integration_fields!(),
        " }"
    );
    type Variables = super::NoVariables;
    type Data = SyncSlackUsersData;
}

/// `type SlackChannel`: a channel a digest can be posted to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct SlackChannel {
    pub id: String,
    pub name: String,
    pub is_private: bool,
}

/// `slackChannels(search, first, after): SlackChannelConnection!` (OWNER/ADMIN): the
/// workspace's channels by name, for the config editor's picker.
#[derive(Debug)]
pub enum SlackChannelsQuery {}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SlackChannelsVariables {
    /// Part of the name, any case, at most 80 characters.
    pub search: Option<String>,
    /// 1 to 100 (20 when left out).
    pub first: Option<i32>,
    pub after: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct SlackChannelsData {
    pub slack_channels: Connection<SlackChannel>,
}

impl Operation for SlackChannelsQuery {
    const NAME: &'static str = "SlackChannels";
    const QUERY: &'static str = "query SlackChannels($search: String, $first: Int, $after: String) { slackChannels(search: $search, first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { id name isPrivate } } }";
    type Variables = SlackChannelsVariables;
    type Data = SlackChannelsData;
}

impl PagedOperation for SlackChannelsQuery {
    type Node = SlackChannel;
    fn connection(data: SlackChannelsData) -> Connection<SlackChannel> {
        data.slack_channels
    }
    fn after(variables: &SlackChannelsVariables, cursor: String) -> SlackChannelsVariables {
        SlackChannelsVariables {
            after: Some(cursor),
            ..variables.clone()
        }
    }
}

/// The operations of this module, for [`super::ALL`].
pub(super) const OPERATIONS: &[(&str, &str)] = &[
    (SlackQuery::NAME, SlackQuery::QUERY),
    (SlackInstallUrl::NAME, SlackInstallUrl::QUERY),
    (DisconnectSlack::NAME, DisconnectSlack::QUERY),
    (SyncSlackUsers::NAME, SyncSlackUsers::QUERY),
    (SlackChannelsQuery::NAME, SlackChannelsQuery::QUERY),
    (MembersQuery::NAME, MembersQuery::QUERY),
    (ChangeMemberRole::NAME, ChangeMemberRole::QUERY),
    (SuspendMember::NAME, SuspendMember::QUERY),
    (ReactivateMember::NAME, ReactivateMember::QUERY),
    (RemoveMember::NAME, RemoveMember::QUERY),
    (InvitationsQuery::NAME, InvitationsQuery::QUERY),
    (InviteMember::NAME, InviteMember::QUERY),
    (ResendInvitation::NAME, ResendInvitation::QUERY),
    (RevokeInvitation::NAME, RevokeInvitation::QUERY),
    (AcceptInvitation::NAME, AcceptInvitation::QUERY),
    (InvitationPreviewQuery::NAME, InvitationPreviewQuery::QUERY),
    (UpdateOrganization::NAME, UpdateOrganization::QUERY),
    (AuditLogQuery::NAME, AuditLogQuery::QUERY),
];

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::super::Response;
    use super::*;
    use serde_json::json;

    #[test]
    fn members_variables_send_the_filter_in_contract_spelling() {
        let vars = MembersVariables {
            first: Some(50),
            after: None,
            filter: MemberFilter {
                status: Some(MemberStatus::Suspended),
                role: None,
                search: Some("ada".into()),
            },
        };
        let body = serde_json::to_value(MembersQuery::request(&vars)).unwrap();
        assert_eq!(body["operationName"], "Members");
        assert_eq!(
            body["variables"],
            json!({ "first": 50, "after": null, "filter": { "status": "SUSPENDED", "role": null, "search": "ada" } })
        );
        let next = MembersQuery::after(&vars, "c1".into());
        assert_eq!(next.after.as_deref(), Some("c1"));
        assert_eq!(next.filter, vars.filter);
    }

    #[test]
    fn a_members_page_deserialises() {
        let raw = json!({ "data": { "members": {
            "pageInfo": { "hasNextPage": true, "endCursor": "abc" },
            "nodes": [{ "user": { "id": "6f1c1e0e-8a7e-4a43-9b59-3a8f0a1a2b3c", "email": "ada@example.com", "name": "Ada", "createdAt": "2026-01-01T00:00:00Z" },
                        "role": "ADMIN", "status": "ACTIVE", "joinedAt": "2026-01-02T00:00:00Z" }]
        } } });
        let resp: Response<MembersData> = serde_json::from_value(raw).unwrap();
        let page = MembersQuery::connection(resp.data.unwrap());
        assert!(page.page_info.has_next_page);
        assert_eq!(page.page_info.clone().next_cursor().as_deref(), Some("abc"));
        assert_eq!(page.nodes[0].role, OrgRole::Admin);
        assert_eq!(page.nodes[0].status, MemberStatus::Active);
    }

    #[test]
    fn audit_filter_becomes_csv_query_parameters() {
        let filter = AuditFilter {
            action: Some("member.change_role".into()),
            from: Some("2026-11-01T00:00:00Z".parse().unwrap()),
            target_id: Some("a b&c".into()),
            ..AuditFilter::default()
        };
        assert_eq!(
            filter.to_query_string(),
            "action=member.change_role&targetId=a%20b%26c&from=2026-11-01T00%3A00%3A00Z"
        );
        assert_eq!(AuditFilter::default().to_query_string(), "");
    }

    #[test]
    fn an_audit_page_deserialises_with_and_without_actor() {
        let raw = json!({ "data": { "auditLog": {
            "pageInfo": { "hasNextPage": false, "endCursor": null },
            "nodes": [
                { "id": "1", "actor": null, "action": "invitation.create", "targetType": "invitation", "targetId": "x",
                  "ip": "127.0.0.1", "userAgent": null, "requestId": null, "summary": { "after": { "role": "MEMBER" } }, "createdAt": "2026-01-01T00:00:00Z" }
            ]
        } } });
        let resp: Response<AuditLogData> = serde_json::from_value(raw).unwrap();
        let page = resp.data.unwrap().audit_log;
        assert!(!page.page_info.has_next_page);
        assert_eq!(page.page_info.clone().next_cursor(), None);
        assert_eq!(page.nodes[0].summary["after"]["role"], "MEMBER");
    }
}
