//! Teams and team members: who may do what, the input rules (each naming its field and
//! storing nothing), the per-organization limit, audit rows, and a team page whose
//! statement count does not grow with its members.

use crate::helpers::*;
use crate::members::join;
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};

pub(crate) const CREATE_TEAM: &str = "mutation($input: CreateTeamInput!) { createTeam(input: $input) { id name timezone description createdAt members { user { id } } standupConfigs { id } } }";
const UPDATE_TEAM: &str = "mutation($id: ID!, $input: UpdateTeamInput!) { updateTeam(id: $id, input: $input) { id name timezone description } }";
const DELETE_TEAM: &str = "mutation($id: ID!) { deleteTeam(id: $id) }";
const TEAMS: &str = "{ teams { id name } }";
const TEAM: &str = "query($id: ID!) { team(id: $id) { id name timezone description members { user { id email } addedAt } standupConfigs { id name participants { id } } } }";
pub(crate) const ADD_MEMBER: &str = "mutation($team: ID!, $user: ID!) { addTeamMember(teamId: $team, userId: $user) { user { id email } addedAt } }";
const REMOVE_MEMBER: &str =
    "mutation($team: ID!, $user: ID!) { removeTeamMember(teamId: $team, userId: $user) }";
const CREATE_CONFIG: &str = "mutation($input: CreateStandupConfigInput!) { createStandupConfig(input: $input) { id participants { id } } }";

/// Creates a team as `token` and returns its id.
pub(crate) async fn create_team(app: &TestApp, token: &str, name: &str) -> String {
    let body = app
        .graphql_as(
            token,
            CREATE_TEAM,
            json!({ "input": { "name": name, "timezone": "Europe/Berlin" } }),
        )
        .await;
    body["data"]["createTeam"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("createTeam failed: {body}"))
        .to_string()
}

pub(crate) async fn add_member(app: &TestApp, token: &str, team: &str, user: &str) {
    let body = app
        .graphql_as(token, ADD_MEMBER, json!({ "team": team, "user": user }))
        .await;
    assert!(body["errors"].is_null(), "addTeamMember failed: {body}");
}

/// Adds `size` members to `org` and its `team`, straight into the database (signing up
/// that many accounts is slow): `Person n`, `{prefix}-n@{domain}` (lower case).
pub(crate) async fn add_people(
    app: &TestApp,
    org: &str,
    team: &str,
    prefix: &str,
    domain: &str,
    size: usize,
) {
    let mut db = app.db().await;
    diesel::sql_query(format!(
        "WITH people AS (
             INSERT INTO users (id, email, name, password_hash)
             SELECT gen_random_uuid(), lower('{prefix}-' || n || '@{domain}'), 'Person ' || n, 'x'
             FROM generate_series(1, {size}) AS n RETURNING id
         ), joined AS (
             INSERT INTO memberships (org_id, user_id, role) SELECT '{org}', id, 'MEMBER' FROM people RETURNING user_id
         )
         INSERT INTO team_members (org_id, team_id, user_id) SELECT '{org}', '{team}', user_id FROM joined"
    ))
    .execute(&mut db)
    .await
    .unwrap();
}

pub(crate) async fn count(app: &TestApp, sql: &str) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut db = app.db().await;
    let n: N = diesel::sql_query(format!("SELECT count(*) AS n FROM ({sql}) AS q"))
        .get_result(&mut db)
        .await
        .unwrap();
    n.n
}

pub(crate) fn field(body: &Value) -> &str {
    body["errors"][0]["extensions"]["field"]
        .as_str()
        .unwrap_or("<no field>")
}

#[tokio::test]
async fn admins_create_update_and_delete_teams_and_members_read_them() {
    let app = TestApp::spawn().await;
    let owner = app.sign_up("owner@a.example", "A").await;
    let admin = join(&app, &owner, "admin@a.example", "ADMIN").await;
    let member = join(&app, &owner, "member@a.example", "MEMBER").await;

    let created = app
        .graphql_as(
            &admin.token,
            CREATE_TEAM,
            json!({ "input": { "name": "  Platform  ", "timezone": "America/New_York", "description": " Infra and tooling " } }),
        )
        .await;
    let team = &created["data"]["createTeam"];
    assert_eq!(team["name"], "Platform", "{created}");
    assert_eq!(team["timezone"], "America/New_York");
    assert_eq!(team["description"], "Infra and tooling");
    assert_eq!(team["members"], json!([]));
    assert_eq!(team["standupConfigs"], json!([]));
    let id = team["id"].as_str().unwrap().to_string();
    create_team(&app, &owner.token, "apps").await;

    // Any member reads, sorted by name ignoring case.
    let listed = app.graphql_as(&member.token, TEAMS, json!({})).await;
    let names: Vec<&str> = listed["data"]["teams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["apps", "Platform"], "{listed}");
    let one = app
        .graphql_as(&member.token, TEAM, json!({ "id": id }))
        .await;
    assert_eq!(one["data"]["team"]["name"], "Platform", "{one}");

    // A MEMBER writes nothing.
    for (query, vars) in [
        (
            CREATE_TEAM,
            json!({ "input": { "name": "Mine", "timezone": "UTC" } }),
        ),
        (
            UPDATE_TEAM,
            json!({ "id": id, "input": { "name": "Mine" } }),
        ),
        (DELETE_TEAM, json!({ "id": id })),
        (ADD_MEMBER, json!({ "team": id, "user": member.user_id })),
        (REMOVE_MEMBER, json!({ "team": id, "user": member.user_id })),
    ] {
        let body = app.graphql_as(&member.token, query, vars).await;
        assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    }
    assert_eq!(count(&app, "SELECT 1 FROM teams").await, 2);

    // Partial update: only the given fields change; null clears the description.
    let updated = app
        .graphql_as(
            &owner.token,
            UPDATE_TEAM,
            json!({ "id": id, "input": { "name": "Platform Team", "description": null } }),
        )
        .await;
    assert_eq!(
        updated["data"]["updateTeam"],
        json!({ "id": id, "name": "Platform Team", "timezone": "America/New_York", "description": null }),
        "{updated}"
    );
    let renamed_same = app
        .graphql_as(
            &owner.token,
            UPDATE_TEAM,
            json!({ "id": id, "input": { "name": "PLATFORM TEAM", "timezone": "Asia/Tokyo" } }),
        )
        .await;
    assert_eq!(
        renamed_same["data"]["updateTeam"]["name"], "PLATFORM TEAM",
        "a team may change the case of its own name: {renamed_same}"
    );

    let deleted = app
        .graphql_as(&admin.token, DELETE_TEAM, json!({ "id": id }))
        .await;
    assert_eq!(deleted["data"]["deleteTeam"], true, "{deleted}");
    let gone = app
        .graphql_as(&owner.token, TEAM, json!({ "id": id }))
        .await;
    assert_eq!(error_code(&gone), "NOT_FOUND", "{gone}");
    let again = app
        .graphql_as(&owner.token, DELETE_TEAM, json!({ "id": id }))
        .await;
    assert_eq!(error_code(&again), "NOT_FOUND");
    let garbage = app
        .graphql_as(&owner.token, TEAM, json!({ "id": "not-a-uuid" }))
        .await;
    assert_eq!(error_code(&garbage), "NOT_FOUND");

    for action in ["team.created", "team.updated", "team.deleted"] {
        assert!(
            count(&app, &format!("SELECT 1 FROM audit_events WHERE action = '{action}' AND target_id = '{id}' AND summary ? 'before' AND summary ? 'after'")).await >= 1,
            "no {action} audit row"
        );
    }
    assert_eq!(
        error_code(&app.graphql(TEAMS, json!({})).await),
        "UNAUTHENTICATED"
    );
}

#[tokio::test]
async fn team_input_is_checked_field_by_field_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let owner = app.sign_up("owner@a.example", "A").await;
    let id = create_team(&app, &owner.token, "Platform").await;
    let other = create_team(&app, &owner.token, "Apps").await;
    let audit_before = count(
        &app,
        "SELECT 1 FROM audit_events WHERE action LIKE 'team.%'",
    )
    .await;

    let long = "x".repeat(101);
    let cases = [
        (
            json!({ "name": "  ", "timezone": "UTC" }),
            "BAD_USER_INPUT",
            "name",
        ),
        (
            json!({ "name": long, "timezone": "UTC" }),
            "BAD_USER_INPUT",
            "name",
        ),
        (
            json!({ "name": "Ok", "timezone": "Mars/Olympus" }),
            "BAD_USER_INPUT",
            "timezone",
        ),
        (
            json!({ "name": "Ok", "timezone": "" }),
            "BAD_USER_INPUT",
            "timezone",
        ),
        (
            json!({ "name": "Ok", "timezone": "UTC", "description": "d".repeat(1001) }),
            "BAD_USER_INPUT",
            "description",
        ),
        (
            json!({ "name": "platform", "timezone": "UTC" }),
            "CONFLICT",
            "name",
        ),
        (
            json!({ "name": " PLATFORM ", "timezone": "UTC" }),
            "CONFLICT",
            "name",
        ),
    ];
    for (input, code, f) in cases {
        let body = app
            .graphql_as(&owner.token, CREATE_TEAM, json!({ "input": input }))
            .await;
        assert_eq!(error_code(&body), code, "{input}: {body}");
        assert_eq!(field(&body), f, "{input}: {body}");
    }
    let message = app
        .graphql_as(
            &owner.token,
            CREATE_TEAM,
            json!({ "input": { "name": "Ok", "timezone": "Mars/Olympus" } }),
        )
        .await;
    assert!(
        message["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Mars/Olympus"),
        "{message}"
    );

    let updates = [
        (json!({ "name": "apps" }), "CONFLICT", "name"),
        (json!({ "name": "" }), "BAD_USER_INPUT", "name"),
        (
            json!({ "timezone": "Europe/Atlantis" }),
            "BAD_USER_INPUT",
            "timezone",
        ),
        (
            json!({ "description": "d".repeat(1001) }),
            "BAD_USER_INPUT",
            "description",
        ),
    ];
    for (input, code, f) in updates {
        let body = app
            .graphql_as(
                &owner.token,
                UPDATE_TEAM,
                json!({ "id": id, "input": input }),
            )
            .await;
        assert_eq!(error_code(&body), code, "{input}: {body}");
        assert_eq!(field(&body), f, "{input}: {body}");
    }

    assert_eq!(count(&app, "SELECT 1 FROM teams").await, 2);
    assert_eq!(
        count(&app, &format!("SELECT 1 FROM teams WHERE id = '{id}' AND name = 'Platform' AND timezone = 'Europe/Berlin'")).await,
        1
    );
    assert_eq!(
        count(
            &app,
            "SELECT 1 FROM audit_events WHERE action LIKE 'team.%'"
        )
        .await,
        audit_before
    );
    let _ = other;
}

#[tokio::test]
async fn an_organization_has_at_most_200_teams() {
    let app = TestApp::spawn().await;
    let owner = app.sign_up("owner@a.example", "A").await;
    let mut db = app.db().await;
    diesel::sql_query(format!(
        "INSERT INTO teams (id, org_id, name, timezone) SELECT gen_random_uuid(), '{}', 'Team ' || n, 'UTC' FROM generate_series(1, 199) AS n",
        owner.org_id
    ))
    .execute(&mut db)
    .await
    .unwrap();
    create_team(&app, &owner.token, "The 200th").await;
    let body = app
        .graphql_as(
            &owner.token,
            CREATE_TEAM,
            json!({ "input": { "name": "One too many", "timezone": "UTC" } }),
        )
        .await;
    assert_eq!(error_code(&body), "CONFLICT", "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("200"),
        "{body}"
    );
    assert_eq!(count(&app, "SELECT 1 FROM teams").await, 200);
}

#[tokio::test]
async fn team_members_are_active_members_of_the_organization() {
    let app = TestApp::spawn().await;
    let owner = app.sign_up("owner@a.example", "A").await;
    let bob = join(&app, &owner, "bob@a.example", "MEMBER").await;
    let carol = join(&app, &owner, "carol@a.example", "MEMBER").await;
    let outsider = app.sign_up("dave@b.example", "B").await;
    let team = create_team(&app, &owner.token, "Platform").await;

    let added = app
        .graphql_as(
            &owner.token,
            ADD_MEMBER,
            json!({ "team": team, "user": bob.user_id }),
        )
        .await;
    assert_eq!(
        added["data"]["addTeamMember"]["user"]["email"], "bob@a.example",
        "{added}"
    );
    // Adding again changes nothing and writes no second audit row.
    let again = app
        .graphql_as(
            &owner.token,
            ADD_MEMBER,
            json!({ "team": team, "user": bob.user_id }),
        )
        .await;
    assert_eq!(
        again["data"]["addTeamMember"]["addedAt"],
        added["data"]["addTeamMember"]["addedAt"]
    );
    add_member(&app, &owner.token, &team, &carol.user_id).await;
    assert_eq!(
        count(
            &app,
            "SELECT 1 FROM audit_events WHERE action = 'team.member_added'"
        )
        .await,
        2
    );

    // Another organization's user, a suspended member, garbage: NOT_FOUND on userId.
    let mut db = app.db().await;
    let suspended = join(&app, &owner, "erin@a.example", "MEMBER").await;
    diesel::sql_query(format!(
        "UPDATE memberships SET status = 'SUSPENDED' WHERE user_id = '{}' AND org_id = '{}'",
        suspended.user_id, owner.org_id
    ))
    .execute(&mut db)
    .await
    .unwrap();
    for user in [
        outsider.user_id.as_str(),
        suspended.user_id.as_str(),
        "nope",
    ] {
        let body = app
            .graphql_as(
                &owner.token,
                ADD_MEMBER,
                json!({ "team": team, "user": user }),
            )
            .await;
        assert_eq!(error_code(&body), "NOT_FOUND", "{user}: {body}");
        assert_eq!(field(&body), "userId", "{body}");
    }
    assert_eq!(count(&app, "SELECT 1 FROM team_members").await, 2);

    // Removing someone also takes them off the team's configs.
    let config = app
        .graphql_as(
            &owner.token,
            CREATE_CONFIG,
            json!({ "input": {
                "teamId": team, "name": "Daily", "questions": [{ "prompt": "Yesterday?", "kind": "TEXT", "required": true }],
                "weekdays": ["MON"], "timeOfDay": "09:00", "responseWindowMinutes": 60, "reminderMinutesBefore": 0,
                "delivery": ["WEB"], "participantIds": [bob.user_id, carol.user_id], "active": true
            } }),
        )
        .await;
    assert_eq!(
        config["data"]["createStandupConfig"]["participants"]
            .as_array()
            .map(Vec::len),
        Some(2),
        "{config}"
    );
    let removed = app
        .graphql_as(
            &owner.token,
            REMOVE_MEMBER,
            json!({ "team": team, "user": bob.user_id }),
        )
        .await;
    assert_eq!(removed["data"]["removeTeamMember"], true, "{removed}");
    let page = app
        .graphql_as(&owner.token, TEAM, json!({ "id": team }))
        .await;
    let t = &page["data"]["team"];
    assert_eq!(t["members"].as_array().unwrap().len(), 1, "{page}");
    assert_eq!(t["members"][0]["user"]["email"], "carol@a.example");
    assert_eq!(
        t["standupConfigs"][0]["participants"],
        json!([{ "id": carol.user_id }]),
        "{page}"
    );
    let twice = app
        .graphql_as(
            &owner.token,
            REMOVE_MEMBER,
            json!({ "team": team, "user": bob.user_id }),
        )
        .await;
    assert_eq!(error_code(&twice), "NOT_FOUND", "{twice}");
    assert_eq!(field(&twice), "userId");
    assert_eq!(
        count(&app, &format!("SELECT 1 FROM audit_events WHERE action = 'team.member_removed' AND target_id = '{team}'")).await,
        1
    );

    // Leaving the organization leaves its teams.
    diesel::sql_query(format!(
        "DELETE FROM memberships WHERE user_id = '{}' AND org_id = '{}'",
        carol.user_id, owner.org_id
    ))
    .execute(&mut db)
    .await
    .unwrap();
    assert_eq!(count(&app, "SELECT 1 FROM team_members").await, 0);
    assert_eq!(
        count(&app, "SELECT 1 FROM standup_config_participants").await,
        0
    );
}

#[tokio::test]
async fn deleting_a_team_deletes_its_members_and_configs() {
    let app = TestApp::spawn().await;
    let owner = app.sign_up("owner@a.example", "A").await;
    let team = create_team(&app, &owner.token, "Platform").await;
    add_member(&app, &owner.token, &team, &owner.user_id).await;
    let config = app
        .graphql_as(
            &owner.token,
            CREATE_CONFIG,
            json!({ "input": {
                "teamId": team, "name": "Daily", "questions": [{ "prompt": "Yesterday?", "kind": "TEXT", "required": true }],
                "weekdays": ["MON"], "timeOfDay": "09:00", "responseWindowMinutes": 60,
                "delivery": ["WEB"], "participantIds": [owner.user_id]
            } }),
        )
        .await;
    assert!(config["errors"].is_null(), "{config}");
    let deleted = app
        .graphql_as(&owner.token, DELETE_TEAM, json!({ "id": team }))
        .await;
    assert_eq!(deleted["data"]["deleteTeam"], true);
    for table in [
        "teams",
        "team_members",
        "standup_configs",
        "standup_config_participants",
    ] {
        assert_eq!(
            count(&app, &format!("SELECT 1 FROM {table}")).await,
            0,
            "{table}"
        );
    }
    let summary = count(
        &app,
        &format!("SELECT 1 FROM audit_events WHERE action = 'team.deleted' AND target_id = '{team}' AND summary->>'standupConfigsDeleted' = '1' AND summary->>'membersRemoved' = '1'"),
    )
    .await;
    assert_eq!(summary, 1);
}

/// The team page (team, members, configs with participants and their team) runs the
/// same number of SQL statements with 2 members as with 20: the fields fan out through
/// per-request DataLoaders, not one query per member.
#[tokio::test]
async fn the_team_page_costs_the_same_statements_with_2_or_20_members() {
    use api::auth::AuthState;
    use api::graphql::{Limits, build_schema};
    use api::state::RequestMeta;

    let app = TestApp::spawn().await;
    let owner = app.sign_up("owner@a.example", "A").await;
    let mut db = app.db().await;
    let mut teams = Vec::new();
    for (name, size) in [("Small", 2), ("Large", 20)] {
        let team = create_team(&app, &owner.token, name).await;
        add_people(&app, &owner.org_id, &team, name, "a.example", size).await;
        for config in ["Daily", "Weekly"] {
            let body = app
                .graphql_as(
                    &owner.token,
                    CREATE_CONFIG,
                    json!({ "input": {
                        "teamId": team, "name": config, "questions": [{ "prompt": "Yesterday?", "kind": "TEXT", "required": true }],
                        "weekdays": ["MON"], "timeOfDay": "09:00", "responseWindowMinutes": 60, "delivery": ["WEB"]
                    } }),
                )
                .await;
            assert!(body["errors"].is_null(), "{body}");
        }
        // Every member takes part in every config.
        diesel::sql_query(format!(
            "INSERT INTO standup_config_participants (org_id, config_id, team_id, user_id)
             SELECT c.org_id, c.id, c.team_id, m.user_id FROM standup_configs c JOIN team_members m ON m.team_id = c.team_id WHERE c.team_id = '{team}'
             ON CONFLICT DO NOTHING"
        ))
        .execute(&mut db)
        .await
        .unwrap();
        teams.push(team);
    }

    // The app's schema over a pool whose connections count their statements.
    let counter = schema_server::db::StatementCounter::default();
    let mut state = app.state.clone();
    state.pool = schema_server::db::build_pool(
        &app.database_url,
        &schema_server::db::PoolOptions {
            max_size: 2,
            statement_counter: Some(counter.clone()),
            ..Default::default()
        },
    )
    .unwrap();
    let caller = state.jwt.verify(&owner.token).unwrap();
    let schema = build_schema(Some(state), Limits::default());
    let page = "query($id: ID!) { team(id: $id) { id name members { user { id name } addedAt } standupConfigs { id name team { id name } questions { id } participants { id name email } nextRuns(count: 3) } } }";
    let mut costs = Vec::new();
    for (team, size) in teams.iter().zip([2usize, 20]) {
        let before = counter.get();
        // Spelled out: `RunQueryDsl::execute` is in scope in this module.
        let response = async_graphql::Schema::execute(
            &schema,
            async_graphql::Request::new(page)
                .variables(async_graphql::Variables::from_json(json!({ "id": team })))
                .data(RequestMeta::default())
                .data(AuthState::Verified(caller)),
        )
        .await;
        assert!(response.errors.is_empty(), "{:?}", response.errors);
        let data = response.data.into_json().unwrap();
        assert_eq!(data["team"]["members"].as_array().unwrap().len(), size);
        for config in data["team"]["standupConfigs"].as_array().unwrap() {
            assert_eq!(config["participants"].as_array().unwrap().len(), size);
        }
        costs.push(counter.get() - before);
    }
    assert_eq!(costs[0], costs[1], "statements per team page: {costs:?}");
    assert!(costs[0] <= 8, "statements per team page: {costs:?}");
}
