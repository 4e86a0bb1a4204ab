//! The typed GraphQL operations the web UI sends.
//!
//! Each operation is a type implementing [`Operation`]: its name, its document, the
//! shape of its variables and the shape of its `data`. The web client serialises a
//! [`Request`] and deserialises a [`Response`]; the server's tests validate every
//! document in [`ALL`] against the real schema, so a renamed field breaks a test here
//! rather than the UI in production.
//!
//! Wasm-safe: serde, serde_json, uuid and chrono only.

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::json::FromJson;

use crate::enums::{OrgRole, Weekday};
use crate::ids::{OrganizationId, UserId};

// Defined before the submodules so that their documents use the same fragment text.

/// The `UserFields` fragment, for documents that select `...UserFields`.
macro_rules! user_fragment {
    () => {
        "\nfragment UserFields on User { id email name createdAt timezone workDays }"
    };
}

/// The fragments every document that selects a user and an organization ends with.
macro_rules! fragments {
    () => {
        concat!(
            user_fragment!(),
            "\nfragment OrganizationFields on Organization { id name slug createdAt }"
        )
    };
}

mod api_tokens;
mod away;
mod blockers;
mod organization;
mod search;
#[macro_use]
mod standups;
// After `standups`: it uses `participation_fields!`.
mod answer_links;
mod insights;
mod teams;
pub use answer_links::*;
pub use api_tokens::*;
pub use away::*;
pub use blockers::*;
pub use insights::*;
pub use organization::*;
pub use search::*;
pub use standups::*;
pub use teams::*;

/// One GraphQL operation: its document, its variables and its result.
pub trait Operation {
    /// The operation name, as written in [`Operation::QUERY`].
    const NAME: &'static str;
    /// The GraphQL document (one named operation plus its fragments).
    const QUERY: &'static str;
    /// Variables sent with the document.
    type Variables: Serialize;
    /// The `data` object of a successful response.
    type Data: DeserializeOwned + FromJson;

    /// The JSON body to POST to `/graphql`.
    fn request(variables: &Self::Variables) -> Request<'_, Self::Variables> {
        Request {
            query: Self::QUERY,
            variables,
            operation_name: Self::NAME,
        }
    }
}

/// The body of `POST /graphql`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Request<'a, V> {
    pub query: &'static str,
    pub variables: &'a V,
    pub operation_name: &'static str,
}

/// A GraphQL response: `data` (possibly partial) and `errors`.
#[derive(Debug, Deserialize, FromJson)]
#[serde(bound = "D: DeserializeOwned")]
pub struct Response<D> {
    #[serde(default)]
    pub data: Option<D>,
    #[serde(default)]
    pub errors: Vec<GraphQlError>,
}

/// One entry of `errors[]`.
#[derive(Clone, Debug, PartialEq, Deserialize, FromJson)]
pub struct GraphQlError {
    pub message: String,
    #[serde(default)]
    pub extensions: ErrorExtensions,
}

impl GraphQlError {
    /// The error's code, [`ErrorCode::Unknown`] when absent.
    pub fn code(&self) -> ErrorCode {
        self.extensions.code.unwrap_or(ErrorCode::Unknown)
    }

    /// The input field the error is about (camelCase), if any.
    pub fn field(&self) -> Option<&str> {
        self.extensions.field.as_deref()
    }
}

/// `errors[].extensions` as the AsyncStand API fills it.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, FromJson)]
pub struct ErrorExtensions {
    #[serde(default)]
    pub code: Option<ErrorCode>,
    /// For validation errors: the input field in camelCase (`email`, `organizationName`).
    #[serde(default)]
    pub field: Option<String>,
}

/// `extensions.code` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, FromJson)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    BadUserInput,
    Unauthenticated,
    Forbidden,
    NotFound,
    Conflict,
    RateLimited,
    InternalServerError,
    /// Any code this client does not know (or none at all).
    #[serde(other)]
    Unknown,
}

/// Operations without variables send `{}`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct NoVariables {}

// ---------------------------------------------------------------------------------
// Shared shapes

/// `type User`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
    /// IANA zone; `None`: not set.
    #[serde(default)]
    pub timezone: Option<String>,
    #[serde(default)]
    pub work_days: Vec<Weekday>,
}

/// `type Organization`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    pub id: OrganizationId,
    pub name: String,
    pub slug: String,
    pub created_at: DateTime<Utc>,
}

/// `type AuthPayload`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct AuthPayload {
    pub access_token: String,
    pub expires_at: DateTime<Utc>,
    pub user: User,
    pub organization: Organization,
}

/// `type Viewer`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct Viewer {
    pub user: User,
    pub organization: Organization,
    pub role: OrgRole,
    pub organizations: Vec<Organization>,
}

/// The selection of an `AuthPayload`.
macro_rules! auth_payload {
    () => {
        "{ accessToken expiresAt user { ...UserFields } organization { ...OrganizationFields } }"
    };
}

// ---------------------------------------------------------------------------------
// Mutations

/// `signUp(input: SignUpInput!): AuthPayload!`
#[derive(Debug)]
pub enum SignUp {}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct SignUpInput {
    pub email: String,
    pub password: String,
    pub name: String,
    pub organization_name: String,
    /// The browser's zone (`Intl`), when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SignUpVariables {
    pub input: SignUpInput,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct SignUpData {
    pub sign_up: AuthPayload,
}

impl Operation for SignUp {
    const NAME: &'static str = "SignUp";
    const QUERY: &'static str = concat!(
        "mutation SignUp($input: SignUpInput!) { signUp(input: $input) ",
        auth_payload!(),
        " }",
        fragments!()
    );
    type Variables = SignUpVariables;
    type Data = SignUpData;
}

/// `logIn(input: LogInInput!): AuthPayload!`
#[derive(Debug)]
pub enum LogIn {}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct LogInInput {
    pub email: String,
    pub password: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LogInVariables {
    pub input: LogInInput,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct LogInData {
    pub log_in: AuthPayload,
}

impl Operation for LogIn {
    const NAME: &'static str = "LogIn";
    const QUERY: &'static str = concat!(
        "mutation LogIn($input: LogInInput!) { logIn(input: $input) ",
        auth_payload!(),
        " }",
        fragments!()
    );
    type Variables = LogInVariables;
    type Data = LogInData;
}

/// `refreshSession: AuthPayload!` (reads the refresh cookie).
#[derive(Debug)]
pub enum RefreshSession {}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct RefreshSessionData {
    pub refresh_session: AuthPayload,
}

impl Operation for RefreshSession {
    const NAME: &'static str = "RefreshSession";
    const QUERY: &'static str = concat!(
        "mutation RefreshSession { refreshSession ",
        auth_payload!(),
        " }",
        fragments!()
    );
    type Variables = NoVariables;
    type Data = RefreshSessionData;
}

/// `logOut: Boolean!`
#[derive(Debug)]
pub enum LogOut {}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct LogOutData {
    pub log_out: bool,
}

impl Operation for LogOut {
    const NAME: &'static str = "LogOut";
    const QUERY: &'static str = "mutation LogOut { logOut }";
    type Variables = NoVariables;
    type Data = LogOutData;
}

/// `switchOrganization(organizationId: ID!): AuthPayload!`
#[derive(Debug)]
pub enum SwitchOrganization {}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SwitchOrganizationVariables {
    pub organization_id: OrganizationId,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct SwitchOrganizationData {
    pub switch_organization: AuthPayload,
}

impl Operation for SwitchOrganization {
    const NAME: &'static str = "SwitchOrganization";
    const QUERY: &'static str = concat!(
        "mutation SwitchOrganization($organizationId: ID!) { switchOrganization(organizationId: $organizationId) ",
        auth_payload!(),
        " }",
        fragments!()
    );
    type Variables = SwitchOrganizationVariables;
    type Data = SwitchOrganizationData;
}

/// `requestPasswordReset(email: String!): Boolean!` — always true for a well-formed
/// address, whether or not an account exists.
#[derive(Debug)]
pub enum RequestPasswordReset {}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RequestPasswordResetVariables {
    pub email: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct RequestPasswordResetData {
    pub request_password_reset: bool,
}

impl Operation for RequestPasswordReset {
    const NAME: &'static str = "RequestPasswordReset";
    const QUERY: &'static str =
        "mutation RequestPasswordReset($email: String!) { requestPasswordReset(email: $email) }";
    type Variables = RequestPasswordResetVariables;
    type Data = RequestPasswordResetData;
}

/// `resetPassword(input: ResetPasswordInput!): Boolean!` — every session of the user ends.
#[derive(Debug)]
pub enum ResetPassword {}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResetPasswordInput {
    /// The token from the reset link.
    pub token: String,
    pub new_password: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ResetPasswordVariables {
    pub input: ResetPasswordInput,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct ResetPasswordData {
    pub reset_password: bool,
}

impl Operation for ResetPassword {
    const NAME: &'static str = "ResetPassword";
    const QUERY: &'static str =
        "mutation ResetPassword($input: ResetPasswordInput!) { resetPassword(input: $input) }";
    type Variables = ResetPasswordVariables;
    type Data = ResetPasswordData;
}

/// `changePassword(currentPassword: String!, newPassword: String!): Boolean!` — every
/// other session of the user ends; this one goes on.
#[derive(Debug)]
pub enum ChangePassword {}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangePasswordVariables {
    pub current_password: String,
    pub new_password: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct ChangePasswordData {
    pub change_password: bool,
}

impl Operation for ChangePassword {
    const NAME: &'static str = "ChangePassword";
    const QUERY: &'static str = "mutation ChangePassword($currentPassword: String!, $newPassword: String!) { changePassword(currentPassword: $currentPassword, newPassword: $newPassword) }";
    type Variables = ChangePasswordVariables;
    type Data = ChangePasswordData;
}

/// `logOutEverywhere: Boolean!` — every session of the user ends, this one included.
#[derive(Debug)]
pub enum LogOutEverywhere {}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct LogOutEverywhereData {
    pub log_out_everywhere: bool,
}

impl Operation for LogOutEverywhere {
    const NAME: &'static str = "LogOutEverywhere";
    const QUERY: &'static str = "mutation LogOutEverywhere { logOutEverywhere }";
    type Variables = NoVariables;
    type Data = LogOutEverywhereData;
}

/// `updateProfile(input: UpdateProfileInput!): User!` — the caller's name, zone and
/// work days; an omitted field stays.
#[derive(Debug)]
pub enum UpdateProfile {}

/// `UpdateProfileInput`: every field is sent (the account form edits them together);
/// `timezone: None` clears the zone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateProfileInput {
    pub name: String,
    pub timezone: Option<String>,
    pub work_days: Vec<Weekday>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UpdateProfileVariables {
    pub input: UpdateProfileInput,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct UpdateProfileData {
    pub update_profile: User,
}

impl Operation for UpdateProfile {
    const NAME: &'static str = "UpdateProfile";
    const QUERY: &'static str = concat!(
        "mutation UpdateProfile($input: UpdateProfileInput!) { updateProfile(input: $input) { ...UserFields } }",
        user_fragment!()
    );
    type Variables = UpdateProfileVariables;
    type Data = UpdateProfileData;
}

// ---------------------------------------------------------------------------------
// Queries

/// `viewer: Viewer` (null when signed out).
#[derive(Debug)]
pub enum ViewerQuery {}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
pub struct ViewerData {
    pub viewer: Option<Viewer>,
}

impl Operation for ViewerQuery {
    const NAME: &'static str = "Viewer";
    const QUERY: &'static str = concat!(
        "query Viewer { viewer { user { ...UserFields } organization { ...OrganizationFields } role organizations { ...OrganizationFields } } }",
        fragments!()
    );
    type Variables = NoVariables;
    type Data = ViewerData;
}

/// The operations of this file, for [`ALL`].
const ACCOUNT: &[(&str, &str)] = &[
    (SignUp::NAME, SignUp::QUERY),
    (LogIn::NAME, LogIn::QUERY),
    (RefreshSession::NAME, RefreshSession::QUERY),
    (LogOut::NAME, LogOut::QUERY),
    (SwitchOrganization::NAME, SwitchOrganization::QUERY),
    (RequestPasswordReset::NAME, RequestPasswordReset::QUERY),
    (ResetPassword::NAME, ResetPassword::QUERY),
    (ChangePassword::NAME, ChangePassword::QUERY),
    (LogOutEverywhere::NAME, LogOutEverywhere::QUERY),
    (UpdateProfile::NAME, UpdateProfile::QUERY),
    (ViewerQuery::NAME, ViewerQuery::QUERY),
];

/// Every operation as `(name, document)`, for the server test that validates each one
/// against the real schema.
pub const ALL: &[&[(&str, &str)]] = &[
    ACCOUNT,
    organization::OPERATIONS,
    teams::OPERATIONS,
    standups::OPERATIONS,
    away::OPERATIONS,
    answer_links::OPERATIONS,
    search::OPERATIONS,
    api_tokens::OPERATIONS,
    insights::OPERATIONS,
    blockers::OPERATIONS,
];

/// Every operation, flattened.
pub fn all() -> impl Iterator<Item = (&'static str, &'static str)> {
    ALL.iter().flat_map(|group| group.iter().copied())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use serde_json::json;

    const USER_ID: &str = "6f1c1e0e-8a7e-4a43-9b59-3a8f0a1a2b3c";
    const ORG_ID: &str = "0b7a3c58-2d5c-4e51-8f0e-7c6d5e4f3a2b";

    fn auth_payload_json() -> serde_json::Value {
        json!({
            "accessToken": "jwt",
            "expiresAt": "2025-01-02T03:04:05Z",
            "user": { "id": USER_ID, "email": "ada@example.com", "name": "Ada", "createdAt": "2025-01-01T00:00:00Z" },
            "organization": { "id": ORG_ID, "name": "Acme", "slug": "acme", "createdAt": "2025-01-01T00:00:00+00:00" }
        })
    }

    #[test]
    fn sign_up_request_is_camel_case_with_operation_name() {
        let vars = SignUpVariables {
            input: SignUpInput {
                email: "ada@example.com".into(),
                password: "correct horse".into(),
                name: "Ada".into(),
                organization_name: "Acme".into(),
                timezone: None,
            },
        };
        let body = serde_json::to_value(SignUp::request(&vars)).unwrap();
        assert_eq!(body["operationName"], "SignUp");
        assert_eq!(body["query"], SignUp::QUERY);
        assert_eq!(
            body["variables"],
            json!({ "input": { "email": "ada@example.com", "password": "correct horse", "name": "Ada", "organizationName": "Acme" } })
        );
    }

    #[test]
    fn operations_without_variables_send_an_empty_object() {
        let body = serde_json::to_value(RefreshSession::request(&NoVariables {})).unwrap();
        assert_eq!(body["variables"], json!({}));
        assert_eq!(body["operationName"], "RefreshSession");
    }

    #[test]
    fn switch_organization_sends_the_id_as_a_string() {
        let vars = SwitchOrganizationVariables {
            organization_id: ORG_ID.parse().unwrap(),
        };
        let body = serde_json::to_value(SwitchOrganization::request(&vars)).unwrap();
        assert_eq!(body["variables"], json!({ "organizationId": ORG_ID }));
    }

    #[test]
    fn auth_payload_deserialises() {
        let raw = json!({ "data": { "logIn": auth_payload_json() } });
        let resp: Response<LogInData> = serde_json::from_value(raw).unwrap();
        assert!(resp.errors.is_empty());
        let payload = resp.data.unwrap().log_in;
        assert_eq!(payload.access_token, "jwt");
        assert_eq!(payload.user.name, "Ada");
        assert_eq!(payload.user.id.to_string(), USER_ID);
        assert_eq!(payload.organization.slug, "acme");
        assert_eq!(payload.expires_at.to_rfc3339(), "2025-01-02T03:04:05+00:00");
    }

    #[test]
    fn viewer_deserialises_and_may_be_null() {
        let org = auth_payload_json()["organization"].clone();
        let user = auth_payload_json()["user"].clone();
        let raw = json!({ "data": { "viewer": { "user": user, "organization": org, "role": "OWNER", "organizations": [org] } } });
        let resp: Response<ViewerData> = serde_json::from_value(raw).unwrap();
        let viewer = resp.data.unwrap().viewer.unwrap();
        assert_eq!(viewer.role, OrgRole::Owner);
        assert_eq!(viewer.organizations.len(), 1);

        let resp: Response<ViewerData> =
            serde_json::from_value(json!({ "data": { "viewer": null } })).unwrap();
        assert_eq!(resp.data.unwrap().viewer, None);
    }

    #[test]
    fn errors_carry_code_and_field() {
        let raw = json!({
            "data": null,
            "errors": [
                { "message": "password: must be at least 8 characters", "locations": [{ "line": 1, "column": 2 }], "path": ["signUp"],
                  "extensions": { "code": "BAD_USER_INPUT", "field": "password" } },
                { "message": "invalid e-mail or password", "extensions": { "code": "UNAUTHENTICATED" } },
                { "message": "odd", "extensions": { "code": "SOMETHING_NEW" } },
                { "message": "no extensions" }
            ]
        });
        let resp: Response<SignUpData> = serde_json::from_value(raw).unwrap();
        assert!(resp.data.is_none());
        assert_eq!(resp.errors[0].code(), ErrorCode::BadUserInput);
        assert_eq!(resp.errors[0].field(), Some("password"));
        assert_eq!(resp.errors[1].code(), ErrorCode::Unauthenticated);
        assert_eq!(resp.errors[1].field(), None);
        assert_eq!(resp.errors[2].code(), ErrorCode::Unknown);
        assert_eq!(resp.errors[3].code(), ErrorCode::Unknown);
    }

    #[test]
    fn log_out_deserialises() {
        let resp: Response<LogOutData> =
            serde_json::from_value(json!({ "data": { "logOut": true } })).unwrap();
        assert!(resp.data.unwrap().log_out);
    }

    #[test]
    fn password_reset_operations_serialise_and_deserialise() {
        let body = serde_json::to_value(RequestPasswordReset::request(
            &RequestPasswordResetVariables {
                email: "ada@example.com".into(),
            },
        ))
        .unwrap();
        assert_eq!(body["variables"], json!({ "email": "ada@example.com" }));
        assert_eq!(body["operationName"], "RequestPasswordReset");

        let body = serde_json::to_value(ResetPassword::request(&ResetPasswordVariables {
            input: ResetPasswordInput {
                token: "t0k3n".into(),
                new_password: "correct horse battery".into(),
            },
        }))
        .unwrap();
        assert_eq!(
            body["variables"],
            json!({ "input": { "token": "t0k3n", "newPassword": "correct horse battery" } })
        );

        let resp: Response<RequestPasswordResetData> =
            serde_json::from_value(json!({ "data": { "requestPasswordReset": true } })).unwrap();
        assert!(resp.data.unwrap().request_password_reset);
        let resp: Response<ResetPasswordData> =
            serde_json::from_value(json!({ "data": { "resetPassword": true } })).unwrap();
        assert!(resp.data.unwrap().reset_password);
    }

    #[test]
    fn every_document_names_its_operation_and_defines_used_fragments() {
        assert_eq!(all().count(), 71);
        for (name, query) in all() {
            assert!(
                query.contains(&format!(" {name}")),
                "{name} not named in its document"
            );
            for fragment in ["UserFields", "OrganizationFields"] {
                if query.contains(&format!("...{fragment}")) {
                    assert!(query.contains(&format!("fragment {fragment} on")));
                }
            }
        }
    }
}
