//! The committed SDL is the API contract: a change to the server's schema must show up
//! in review as a change to `schema/schema.graphql`.

use std::path::PathBuf;

fn sdl_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schema/schema.graphql")
}

#[test]
fn committed_sdl_matches_the_server() {
    let current = api::graphql::sdl();
    if std::env::var("UPDATE_SDL").is_ok_and(|v| v == "1") {
        std::fs::write(sdl_path(), &current).unwrap();
    }
    let committed = std::fs::read_to_string(sdl_path()).unwrap_or_default();
    assert!(
        committed == current,
        "schema/schema.graphql is out of date: run `make sdl` (or UPDATE_SDL=1 cargo test -p api --test it schema_contract) and commit it"
    );
}

#[test]
fn contract_names_are_present() {
    let sdl = api::graphql::sdl();
    for name in [
        "viewer: Viewer",
        "organization: Organization!",
        "signUp(input: SignUpInput!): AuthPayload!",
        "logIn(input: LogInInput!): AuthPayload!",
        "refreshSession: AuthPayload!",
        "logOut: Boolean!",
        "switchOrganization(organizationId: ID!): AuthPayload!",
        "enum OrgRole",
        "enum MemberStatus",
        "members(first: Int, after: String, filter: MemberFilter): MemberConnection!",
        "updateOrganization(input: UpdateOrganizationInput!): Organization!",
        "changeMemberRole(userId: ID!, role: OrgRole!): Member!",
        "suspendMember(userId: ID!): Member!",
        "reactivateMember(userId: ID!): Member!",
        "removeMember(userId: ID!): Boolean!",
        "inviteMember(input: InviteMemberInput!): Invitation!",
        "acceptInvitation(input: AcceptInvitationInput!): AuthPayload!",
        "auditLog(first: Int, after: String, filter: AuditFilter): AuditEventConnection!",
        "teams: [Team!]!",
        "team(id: ID!): Team",
        "standupConfig(id: ID!): StandupConfig",
        "createTeam(input: CreateTeamInput!): Team!",
        "updateTeam(id: ID!, input: UpdateTeamInput!): Team!",
        "deleteTeam(id: ID!): Boolean!",
        "addTeamMember(teamId: ID!, userId: ID!): TeamMember!",
        "removeTeamMember(teamId: ID!, userId: ID!): Boolean!",
        "createStandupConfig(input: CreateStandupConfigInput!): StandupConfig!",
        "updateStandupConfig(id: ID!, input: UpdateStandupConfigInput!): StandupConfig!",
        "deleteStandupConfig(id: ID!): Boolean!",
        "nextRuns(count: Int): [DateTime!]!",
        "participants: [User!]!",
        "questions: [Question!]!",
        "enum Weekday",
        "enum DeliveryChannel",
        "enum QuestionKind",
    ] {
        assert!(sdl.contains(name), "missing from the schema: {name}");
    }
}

#[tokio::test]
async fn every_web_ui_operation_is_valid_against_the_schema() {
    let schema = api::graphql::build_schema(None, api::graphql::Limits::default());
    assert!(schema::ops::all().count() >= 20);
    for (name, query) in schema::ops::all() {
        // Executing without data fails in resolvers, but parse and validation errors
        // (unknown fields, wrong argument types) come first and have no path.
        let response = if query.starts_with("subscription") {
            // Subscriptions run as a stream; a document that does not validate answers with
            // its errors at once, a valid one waits for events (or fails in its resolver).
            let mut stream = schema.execute_stream(async_graphql::Request::new(query));
            match tokio::time::timeout(
                std::time::Duration::from_millis(500),
                futures_util::StreamExt::next(&mut stream),
            )
            .await
            {
                Ok(Some(response)) => response,
                _ => async_graphql::Response::default(),
            }
        } else {
            schema.execute(async_graphql::Request::new(query)).await
        };
        let invalid: Vec<_> = response
            .errors
            .iter()
            .filter(|e| e.path.is_empty())
            .collect();
        assert!(
            invalid.is_empty(),
            "operation {name} does not validate: {invalid:?}"
        );
    }
}
