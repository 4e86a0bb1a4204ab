use super::types::AuthPayload;
use crate::auth::{AuthState, refresh};
use crate::error::ApiError;
use crate::service::auth::{self as service, SignUp, SignedIn};
use crate::service::organization::require_caller;
use crate::service::password;
use crate::state::{AppState, RequestMeta};
use async_graphql::{Context, ErrorExtensions, ID, InputObject, Object, Result, ResultExt};
use schema::validation;
use secrecy::SecretString;

#[derive(InputObject)]
pub struct SignUpInput {
    pub email: String,
    #[graphql(secret)]
    pub password: String,
    pub name: String,
    pub organization_name: String,
    /// Your IANA time zone (the web form sends the browser's); left out or empty: not set.
    pub timezone: Option<String>,
}

#[derive(InputObject)]
pub struct LogInInput {
    pub email: String,
    #[graphql(secret)]
    pub password: String,
}

#[derive(InputObject)]
pub struct ResetPasswordInput {
    /// The token from the reset link.
    #[graphql(secret)]
    pub token: String,
    #[graphql(secret)]
    pub new_password: String,
}

#[derive(InputObject)]
pub struct AcceptInvitationInput {
    /// The token from the invitation link.
    #[graphql(secret)]
    pub token: String,
    /// Your name (ignored when you already have an account).
    pub name: String,
    /// A new password, or your current one when you already have an account.
    #[graphql(secret)]
    pub password: String,
}

#[derive(Default)]
pub struct AuthMutation;

#[Object]
impl AuthMutation {
    /// Creates an account and its organization (you become OWNER), and signs in.
    async fn sign_up(&self, ctx: &Context<'_>, input: SignUpInput) -> Result<AuthPayload> {
        let (state, meta) = request(ctx)?;
        let signed_in = service::sign_up(
            state,
            meta,
            SignUp {
                email: input.email,
                password: SecretString::from(input.password),
                name: input.name,
                organization_name: input.organization_name,
                timezone: input.timezone,
            },
        )
        .await
        .extend()?;
        Ok(respond(ctx, state, signed_in))
    }

    /// Accepts an invitation: creates your account (or adds your existing one) and
    /// signs you in to the organization. The link works once.
    async fn accept_invitation(
        &self,
        ctx: &Context<'_>,
        input: AcceptInvitationInput,
    ) -> Result<AuthPayload> {
        let (state, meta) = request(ctx)?;
        let signed_in = service::accept_invitation(
            state,
            meta,
            &input.token,
            &input.name,
            SecretString::from(input.password),
        )
        .await
        .extend()?;
        Ok(respond(ctx, state, signed_in))
    }

    /// Signs in with e-mail and password.
    async fn log_in(&self, ctx: &Context<'_>, input: LogInInput) -> Result<AuthPayload> {
        let (state, meta) = request(ctx)?;
        // No account has a longer address: refused before any lookup or hashing.
        validation::validate_max_chars("email", input.email.trim(), validation::EMAIL_MAX_CHARS)
            .map_err(ApiError::from)
            .extend()?;
        let signed_in = service::log_in(
            state,
            meta,
            &input.email,
            SecretString::from(input.password),
        )
        .await
        .extend()?;
        Ok(respond(ctx, state, signed_in))
    }

    /// A new access token from the refresh cookie; the cookie is rotated.
    async fn refresh_session(&self, ctx: &Context<'_>) -> Result<AuthPayload> {
        let (state, meta) = request(ctx)?;
        match service::refresh_session(state, meta).await {
            Ok(signed_in) => Ok(respond(ctx, state, signed_in)),
            Err(e) => {
                ctx.append_http_header(
                    "set-cookie",
                    refresh::clear_cookie(state.settings.secure_cookies()),
                );
                Err(e.extend())
            }
        }
    }

    /// Ends the session (access and refresh tokens) and clears the cookie.
    async fn log_out(&self, ctx: &Context<'_>) -> Result<bool> {
        let (state, meta) = request(ctx)?;
        service::log_out(state, meta, ctx.data::<AuthState>()?)
            .await
            .extend()?;
        ctx.append_http_header(
            "set-cookie",
            refresh::clear_cookie(state.settings.secure_cookies()),
        );
        Ok(true)
    }

    /// E-mails a single-use reset link (valid one hour). Always true, whether or not an
    /// account exists for the address.
    async fn request_password_reset(&self, ctx: &Context<'_>, email: String) -> Result<bool> {
        let (state, meta) = request(ctx)?;
        password::request_reset(state, meta, &email)
            .await
            .extend()?;
        Ok(true)
    }

    /// Sets a new password with the token from the reset link; every session ends.
    async fn reset_password(&self, ctx: &Context<'_>, input: ResetPasswordInput) -> Result<bool> {
        let (state, meta) = request(ctx)?;
        password::reset_password(
            state,
            meta,
            &input.token,
            SecretString::from(input.new_password),
        )
        .await
        .extend()?;
        Ok(true)
    }

    /// Continues the session in another organization you belong to.
    async fn switch_organization(
        &self,
        ctx: &Context<'_>,
        organization_id: ID,
    ) -> Result<AuthPayload> {
        let (state, meta) = request(ctx)?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let target = organization_id
            .parse()
            .map_err(|_| ApiError::BadInput {
                field: Some("organizationId"),
                message: "organizationId: not a valid id".into(),
            })
            .extend()?;
        let signed_in = service::switch_organization(state, meta, caller, target)
            .await
            .extend()?;
        Ok(respond(ctx, state, signed_in))
    }
}

fn request<'a>(ctx: &'a Context<'_>) -> Result<(&'a AppState, &'a RequestMeta)> {
    Ok((ctx.data::<AppState>()?, ctx.data::<RequestMeta>()?))
}

fn respond(ctx: &Context<'_>, state: &AppState, signed_in: SignedIn) -> AuthPayload {
    if let Some(token) = &signed_in.refresh_token {
        ctx.append_http_header(
            "set-cookie",
            refresh::cookie(
                token,
                state.settings.refresh_token_ttl,
                state.settings.secure_cookies(),
            ),
        );
    }
    AuthPayload {
        access_token: signed_in.access_token,
        expires_at: signed_in.expires_at,
        user: signed_in.user.into(),
        organization: signed_in.organization.into(),
    }
}
