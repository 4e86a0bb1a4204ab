use super::pagination;
use super::types::OrgRole;
use crate::auth::AuthState;
use crate::error::ApiError;
use crate::service::invitations as service;
use crate::service::organization::require_caller;
use crate::state::{AppState, RequestMeta};
use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, Enum, ID, InputObject, Object, Result, ResultExt, SimpleObject};
use chrono::{DateTime, Utc};
use schema_server::db::invitations::Invitation as InvitationRow;
use uuid::Uuid;

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum InvitationStatus {
    Pending,
    Accepted,
    Revoked,
    Expired,
}

/// An invitation to join the current organization.
#[derive(SimpleObject, Clone, Debug)]
pub struct Invitation {
    pub id: ID,
    pub email: String,
    pub role: OrgRole,
    pub status: InvitationStatus,
    pub created_at: DateTime<Utc>,
    /// When the link stops working (a resend starts 7 new days).
    pub expires_at: DateTime<Utc>,
}

impl From<InvitationRow> for Invitation {
    fn from(i: InvitationRow) -> Self {
        let status = if i.accepted_at.is_some() {
            InvitationStatus::Accepted
        } else if i.revoked_at.is_some() {
            InvitationStatus::Revoked
        } else if i.expires_at <= Utc::now() {
            InvitationStatus::Expired
        } else {
            InvitationStatus::Pending
        };
        Self {
            id: ID(i.id.to_string()),
            email: i.email,
            role: i.role.into(),
            status,
            created_at: i.created_at,
            expires_at: i.expires_at,
        }
    }
}

/// What an invitation link is for, shown before accepting it.
#[derive(SimpleObject, Clone, Debug)]
pub struct InvitationPreview {
    pub organization_name: String,
    /// Who invited you; null when their account is gone.
    pub invited_by: Option<String>,
    /// The invited address: the account that accepts has this e-mail.
    pub email: String,
    pub role: OrgRole,
    pub expires_at: DateTime<Utc>,
    /// The link has expired; ask for a new one.
    pub expired: bool,
    /// An account with this e-mail exists: accept with its password.
    pub has_account: bool,
}

impl From<service::Preview> for InvitationPreview {
    fn from(p: service::Preview) -> Self {
        let invitation = p.invitation.invitation;
        Self {
            organization_name: p.invitation.organization,
            invited_by: p.invitation.inviter,
            expired: invitation.expires_at <= Utc::now(),
            email: invitation.email,
            role: invitation.role.into(),
            expires_at: invitation.expires_at,
            has_account: p.has_account,
        }
    }
}

#[derive(InputObject, Debug)]
pub struct InviteMemberInput {
    pub email: String,
    pub role: OrgRole,
}

fn invitation_id(id: &ID) -> Result<Uuid> {
    id.parse::<Uuid>()
        .map_err(|_| ApiError::NotFound("invitation not found".into()))
        .extend()
}

#[derive(Default)]
pub struct InvitationsQuery;

#[Object]
impl InvitationsQuery {
    /// Invitations not yet accepted or revoked (pending or expired), newest first.
    /// OWNER/ADMIN.
    async fn invitations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, Invitation>> {
        let state = ctx.data::<AppState>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let first = pagination::page_size(first).extend()?;
        let cursor = pagination::decode(after.as_deref()).extend()?;
        let (rows, more) = service::list_open(state, caller, cursor, first)
            .await
            .extend()?;
        let mut connection = Connection::new(cursor.is_some(), more);
        connection.edges.extend(
            rows.into_iter()
                .map(|row| Edge::new(pagination::encode(row.created_at, row.id), row.into())),
        );
        Ok(connection)
    }

    /// The invitation a link's token opens: the organization, who invited you, the
    /// address and the role, for the page you accept it on. No sign-in needed (the token
    /// is the credential); null for an unknown, used or revoked link. Counts against the
    /// per-address limit of `acceptInvitation`.
    async fn invitation_preview(
        &self,
        ctx: &Context<'_>,
        #[graphql(secret)] token: String,
    ) -> Result<Option<InvitationPreview>> {
        let state = ctx.data::<AppState>()?;
        let meta = ctx.data::<RequestMeta>()?;
        Ok(service::preview(state, meta, &token)
            .await
            .extend()?
            .map(Into::into))
    }
}

#[derive(Default)]
pub struct InvitationsMutation;

#[Object]
impl InvitationsMutation {
    /// Invites a person by e-mail; they get a link that works once, for 7 days.
    /// OWNER/ADMIN; only an OWNER invites OWNERs and ADMINs.
    async fn invite_member(
        &self,
        ctx: &Context<'_>,
        input: InviteMemberInput,
    ) -> Result<Invitation> {
        let state = ctx.data::<AppState>()?;
        let meta = ctx.data::<RequestMeta>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        Ok(
            service::invite(state, meta, caller, &input.email, input.role.into())
                .await
                .extend()?
                .into(),
        )
    }

    /// Sends a pending invitation again with a new link; the old link stops working.
    /// OWNER/ADMIN.
    async fn resend_invitation(&self, ctx: &Context<'_>, id: ID) -> Result<Invitation> {
        let state = ctx.data::<AppState>()?;
        let meta = ctx.data::<RequestMeta>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let id = invitation_id(&id)?;
        Ok(service::resend(state, meta, caller, id)
            .await
            .extend()?
            .into())
    }

    /// Withdraws a pending invitation. OWNER/ADMIN.
    async fn revoke_invitation(&self, ctx: &Context<'_>, id: ID) -> Result<Invitation> {
        let state = ctx.data::<AppState>()?;
        let meta = ctx.data::<RequestMeta>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let id = invitation_id(&id)?;
        Ok(service::revoke(state, meta, caller, id)
            .await
            .extend()?
            .into())
    }
}
