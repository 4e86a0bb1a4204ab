//! Operations of the account page's "API tokens" section (also used by the CLI).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::enums::ApiTokenScope;
use crate::json::FromJson;

use super::{NoVariables, Operation};

/// `type ApiToken`: a personal API token, without its secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct ApiToken {
    pub id: String,
    pub name: String,
    pub scope: ApiTokenScope,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub expires_at: DateTime<Utc>,
}

macro_rules! api_token_fields {
    () => {
        "{ id name scope createdAt lastUsedAt expiresAt }"
    };
}

/// `apiTokens: [ApiToken!]!` — the viewer's live tokens, newest first.
#[derive(Debug)]
pub enum ApiTokens {}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct ApiTokensData {
    pub api_tokens: Vec<ApiToken>,
}

impl Operation for ApiTokens {
    const NAME: &'static str = "ApiTokens";
    const QUERY: &'static str = concat!("query ApiTokens { apiTokens ", api_token_fields!(), " }");
    type Variables = NoVariables;
    type Data = ApiTokensData;
}

/// `createApiToken(input: CreateApiTokenInput!): CreatedApiToken!`.
#[derive(Debug)]
pub enum CreateApiToken {}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateApiTokenInput {
    pub name: String,
    pub scope: ApiTokenScope,
    pub expires_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CreateApiTokenVariables {
    pub input: CreateApiTokenInput,
}

/// The secret (shown this once) and the token.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct CreatedApiToken {
    pub token: String,
    pub api_token: ApiToken,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct CreateApiTokenData {
    pub create_api_token: CreatedApiToken,
}

impl Operation for CreateApiToken {
    const NAME: &'static str = "CreateApiToken";
    const QUERY: &'static str = concat!(
        "mutation CreateApiToken($input: CreateApiTokenInput!) { createApiToken(input: $input) { token apiToken ",
        api_token_fields!(),
        " } }"
    );
    type Variables = CreateApiTokenVariables;
    type Data = CreateApiTokenData;
}

/// `revokeApiToken(id: ID!): Boolean!`.
#[derive(Debug)]
pub enum RevokeApiToken {}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RevokeApiTokenVariables {
    pub id: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct RevokeApiTokenData {
    pub revoke_api_token: bool,
}

impl Operation for RevokeApiToken {
    const NAME: &'static str = "RevokeApiToken";
    const QUERY: &'static str = "mutation RevokeApiToken($id: ID!) { revokeApiToken(id: $id) }";
    type Variables = RevokeApiTokenVariables;
    type Data = RevokeApiTokenData;
}

/// The operations of this file, for [`super::ALL`].
pub(super) const OPERATIONS: &[(&str, &str)] = &[
    (ApiTokens::NAME, ApiTokens::QUERY),
    (CreateApiToken::NAME, CreateApiToken::QUERY),
    (RevokeApiToken::NAME, RevokeApiToken::QUERY),
];

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tokens_deserialise_and_the_input_is_camel_case() {
        let data: CreateApiTokenData = serde_json::from_value(json!({ "createApiToken": {
            "token": "ast_x",
            "apiToken": { "id": "t1", "name": "cli", "scope": "READ_WRITE",
                "createdAt": "2026-12-07T10:00:00Z", "lastUsedAt": null, "expiresAt": "2027-01-07T10:00:00Z" }
        } }))
        .unwrap();
        assert_eq!(
            data.create_api_token.api_token.scope,
            ApiTokenScope::ReadWrite
        );
        assert_eq!(data.create_api_token.token, "ast_x");
        let vars = CreateApiTokenVariables {
            input: CreateApiTokenInput {
                name: "cli".into(),
                scope: ApiTokenScope::Read,
                expires_at: "2027-01-07T10:00:00Z".parse().unwrap(),
            },
        };
        assert_eq!(
            serde_json::to_value(&vars).unwrap(),
            json!({ "input": { "name": "cli", "scope": "READ", "expiresAt": "2027-01-07T10:00:00Z" } })
        );
    }
}
