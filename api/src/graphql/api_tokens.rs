//! Personal API tokens (see `service::api_tokens`).

use crate::auth::AuthState;
use crate::error::ApiError;
use crate::service::api_tokens as service;
use crate::service::organization::require_caller;
use crate::state::{AppState, RequestMeta};
use async_graphql::{Context, Enum, ID, InputObject, Object, Result, ResultExt, SimpleObject};
use chrono::{DateTime, Utc};
use schema::ids::ApiTokenId;
use schema_server::db::api_tokens::ApiToken as ApiTokenRow;

/// What a token may do.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "schema::enums::ApiTokenScope")]
pub enum ApiTokenScope {
    /// Queries only: every mutation is refused with FORBIDDEN.
    Read,
    /// Queries and mutations, as its member (except creating tokens and changing the
    /// password, sessions or organization).
    ReadWrite,
}

/// A personal API token, without its secret.
#[derive(SimpleObject, Clone, Debug)]
pub struct ApiToken {
    pub id: ID,
    pub name: String,
    pub scope: ApiTokenScope,
    pub created_at: DateTime<Utc>,
    /// When it last authenticated a request (updated at most once a minute); null when
    /// never used.
    pub last_used_at: Option<DateTime<Utc>>,
    pub expires_at: DateTime<Utc>,
}

impl From<ApiTokenRow> for ApiToken {
    fn from(t: ApiTokenRow) -> Self {
        Self {
            id: ID(t.id.to_string()),
            name: t.name,
            scope: t.scope.into(),
            created_at: t.created_at,
            last_used_at: t.last_used_at,
            expires_at: t.expires_at,
        }
    }
}

/// A token just created.
#[derive(SimpleObject)]
pub struct CreatedApiToken {
    /// The secret, `ast_…`: shown this once and never again. Send it as
    /// `Authorization: Bearer <token>`.
    pub token: String,
    pub api_token: ApiToken,
}

#[derive(InputObject, Debug)]
pub struct CreateApiTokenInput {
    /// 1 to 100 characters, one line.
    pub name: String,
    pub scope: ApiTokenScope,
    /// In the future, at most 366 days from now.
    pub expires_at: DateTime<Utc>,
}

#[derive(Default)]
pub struct ApiTokensQuery;

#[Object]
impl ApiTokensQuery {
    /// The viewer's live (neither revoked nor expired) API tokens in this organization,
    /// newest first.
    async fn api_tokens(&self, ctx: &Context<'_>) -> Result<Vec<ApiToken>> {
        let state = ctx.data::<AppState>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let tokens = service::list(state, caller).await.extend()?;
        Ok(tokens.into_iter().map(Into::into).collect())
    }
}

#[derive(Default)]
pub struct ApiTokensMutation;

#[Object]
impl ApiTokensMutation {
    /// Creates a personal API token acting as the viewer in this organization. The
    /// secret is in the result only. At most 20 live tokens. Needs a signed-in session
    /// (an API token cannot create tokens).
    async fn create_api_token(
        &self,
        ctx: &Context<'_>,
        input: CreateApiTokenInput,
    ) -> Result<CreatedApiToken> {
        let state = ctx.data::<AppState>()?;
        let meta = ctx.data::<RequestMeta>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let (token, row) = service::create(
            state,
            meta,
            caller,
            service::NewToken {
                name: input.name,
                scope: input.scope.into(),
                expires_at: input.expires_at,
            },
        )
        .await
        .extend()?;
        Ok(CreatedApiToken {
            token,
            api_token: row.into(),
        })
    }

    /// Revokes one of the viewer's API tokens: it stops working at once.
    async fn revoke_api_token(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        let state = ctx.data::<AppState>()?;
        let meta = ctx.data::<RequestMeta>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let id = id
            .parse::<ApiTokenId>()
            .map_err(|_| ApiError::NotFound("API token not found".into()))
            .extend()?;
        service::revoke(state, meta, caller, id).await.extend()
    }
}
