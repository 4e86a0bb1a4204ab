//! `send_invitation`: issue an invitation's token and e-mail the accept link.
//!
//! The token is 32 random bytes, base64url without padding; only its SHA-256 (of the
//! token text, as the api's `acceptInvitation` computes it) is stored, with a fresh
//! 7-day expiry. Each send issues a new token, so a resend makes the earlier link stop
//! working. A revoked or accepted invitation is not sent. The token is never logged.

use super::JobContext;
use crate::{
    error::Error,
    notify::{
        Email,
        templates::{self, Mail},
    },
};
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use diesel_async::AsyncPgConnection;
use lettre::message::Mailbox;
use schema::jobs::JobEnvelope;
use schema_server::db::invitations;
use sha2::{Digest, Sha256};
use uuid::Uuid;

pub(super) async fn run(
    ctx: &JobContext,
    tx: &mut AsyncPgConnection,
    envelope: &JobEnvelope,
    invitation_id: Uuid,
) -> Result<(), Error> {
    let Some(to_send) =
        invitations::find_open_with_names(tx, invitations::Key::Id(invitation_id)).await?
    else {
        tracing::info!(%invitation_id, "invitation no longer open; nothing sent");
        return Ok(());
    };
    let address = to_send.invitation.email.parse().map_err(|e| {
        Error::Mail(format!(
            "invitation {invitation_id} has an unusable e-mail address: {e}"
        ))
    })?;
    let token = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    let hash = Sha256::digest(token.as_bytes()).to_vec();
    let expires_at = chrono::Utc::now() + invitations::LIFETIME;
    invitations::set_token(tx, invitation_id, &hash, expires_at).await?;
    let link = format!("{}/accept-invitation?token={token}", ctx.public_url);
    let email = render(envelope, &to_send, &link, Mailbox::new(None, address))?;
    ctx.mailer.send(&email).await?;
    tracing::debug!(%invitation_id, "invitation e-mail sent");
    Ok(())
}

fn render(
    envelope: &JobEnvelope,
    to_send: &invitations::ToSend,
    link: &str,
    to: Mailbox,
) -> Result<Email, Error> {
    let org = &to_send.organization;
    let inviter = to_send.inviter.as_deref().unwrap_or("Someone");
    let role = to_send.invitation.role.with_article();
    let (text, html) = templates::Invitation {
        inviter,
        org,
        role,
        link,
    }
    .bodies()?;
    Ok(Email {
        job_id: envelope.id,
        to,
        subject: format!("You are invited to {org} on AsyncStand"),
        text,
        html,
        unsubscribe: None,
    })
}
