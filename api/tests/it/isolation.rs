//! Tenant isolation for every operation in the schema: a member of organization B gets
//! NOT_FOUND on organization A's objects (and never sees them in lists), and a MEMBER
//! gets FORBIDDEN on admin operations. The operation list comes from the schema, so an
//! operation without a case here fails the test.

use crate::helpers::*;
use crate::members::join;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// Operations with no tenant object to reach: they act on the caller's own account or
/// on a secret token, which their own tests cover.
const PUBLIC: &[&str] = &[
    "signUp",
    "logIn",
    "refreshSession",
    "logOut",
    "requestPasswordReset",
    "resetPassword",
    "acceptInvitation",
    "invitationPreview",
    // Static data, the same for everyone.
    "templates",
    "slackEnabled",
];

/// Operations without an id that act on the caller's own account only; the end of
/// the test shows that B running them leaves A's sessions and password alone.
const OWN_ACCOUNT: &[&str] = &[
    "changePassword",
    "logOutEverywhere",
    "updateNotificationPreferences",
    "updateProfile",
];

async fn operations() -> BTreeSet<String> {
    let schema = api::graphql::build_schema(None, api::graphql::Limits::default());
    let response = schema
        .execute("{ __schema { queryType { fields { name } } mutationType { fields { name } } } }")
        .await;
    let data = response.data.into_json().unwrap();
    let mut names = BTreeSet::new();
    for root in ["queryType", "mutationType"] {
        for field in data["__schema"][root]["fields"].as_array().unwrap() {
            names.insert(field["name"].as_str().unwrap().to_string());
        }
    }
    names
}

#[tokio::test]
async fn every_operation_keeps_tenants_apart() {
    let app = TestApp::spawn().await;
    let a = app.sign_up("owner@a.example", "A").await;
    let a_member = join(&app, &a, "member@a.example", "MEMBER").await;
    let b = app.sign_up("owner@b.example", "B").await;

    // A's objects: an invitation and a failed job.
    let invited = app
        .graphql_as(
            &a.token,
            "mutation { inviteMember(input: { email: \"guest@a.example\", role: MEMBER }) { id } }",
            json!({}),
        )
        .await;
    let invitation = invited["data"]["inviteMember"]["id"].clone();
    assert!(invitation.is_string(), "{invited}");
    let failed_job = uuid::Uuid::new_v4().to_string();
    let mut db = app.db().await;
    diesel_async::RunQueryDsl::execute(diesel::sql_query(format!(
        "INSERT INTO failed_jobs (id, org_id, kind, envelope, error, attempts) VALUES ('{failed_job}', '{}', 'send_welcome_email', '{{}}', 'boom', 5)",
        a.org_id
    )), &mut db)
    .await
    .unwrap();

    // A's team (with A's MEMBER on it) and its standup config.
    let team = crate::teams::create_team(&app, &a.token, "A team").await;
    crate::teams::add_member(&app, &a.token, &team, &a_member.user_id).await;
    let config_body = app
        .graphql_as(
            &a.token,
            "mutation($input: CreateStandupConfigInput!) { createStandupConfig(input: $input) { id } }",
            json!({ "input": {
                "teamId": team, "name": "A daily", "questions": [{ "prompt": "Yesterday?", "kind": "TEXT" }],
                "weekdays": ["MON"], "timeOfDay": "09:00", "responseWindowMinutes": 60, "delivery": ["WEB"],
                "participantIds": [a_member.user_id]
            } }),
        )
        .await;
    let config = config_body["data"]["createStandupConfig"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{config_body}"))
        .to_string();
    // A standup of A's team that A's MEMBER is not asked in (a second config without
    // participants), so they are FORBIDDEN to answer it.
    let quiet = app
        .graphql_as(
            &a.token,
            "mutation($input: CreateStandupConfigInput!) { createStandupConfig(input: $input) { id } }",
            json!({ "input": {
                "teamId": team, "name": "A weekly", "questions": [{ "prompt": "Week?", "kind": "TEXT" }],
                "weekdays": ["FRI"], "timeOfDay": "16:00", "responseWindowMinutes": 60, "delivery": ["WEB"],
                "everyone": false
            } }),
        )
        .await;
    let quiet_config = quiet["data"]["createStandupConfig"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{quiet}"))
        .to_string();
    let started = app
        .graphql_as(
            &a.token,
            "mutation($id: ID!) { startStandupNow(configId: $id) { id questions { id } } }",
            json!({ "id": quiet_config }),
        )
        .await;
    let standup = started["data"]["startStandupNow"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{started}"))
        .to_string();
    let question = started["data"]["startStandupNow"]["questions"][0]["id"].clone();
    let answer = json!({ "input": { "standupId": standup, "answers": [{ "questionId": question, "text": "Mine now" }] } });

    let team_and_user = json!({ "team": team, "user": a_member.user_id });
    let new_config = json!({ "input": {
        "teamId": team, "name": "Theirs", "questions": [{ "prompt": "Q?", "kind": "TEXT" }],
        "weekdays": ["MON"], "timeOfDay": "09:00", "responseWindowMinutes": 60, "delivery": ["WEB"]
    } });

    // A's holiday calendar and A's owner's out-of-office period.
    let created = app
        .graphql_as(
            &a.token,
            "mutation { createHolidayCalendar(input: { name: \"A holidays\", holidays: [{ date: \"2026-12-25\", name: \"A day\" }] }) { id } }",
            json!({}),
        )
        .await;
    let calendar = created["data"]["createHolidayCalendar"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{created}"))
        .to_string();
    let set = app
        .graphql_as(
            &a.token,
            "mutation { setOutOfOffice(input: { firstDay: \"2026-12-24\", lastDay: \"2026-12-31\", note: \"A away\" }) { id } }",
            json!({}),
        )
        .await;
    let period = set["data"]["setOutOfOffice"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{set}"))
        .to_string();
    let expires = (chrono::Utc::now() + chrono::Duration::days(30)).to_rfc3339();
    let created = app
        .graphql_as(
            &a.token,
            "mutation($at: DateTime!) { createApiToken(input: { name: \"A token\", scope: READ, expiresAt: $at }) { apiToken { id } } }",
            json!({ "at": expires }),
        )
        .await;
    let api_token = created["data"]["createApiToken"]["apiToken"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{created}"))
        .to_string();
    // An open blocker of A's owner in A's team.
    let blocker = uuid::Uuid::new_v4().to_string();
    diesel_async::RunQueryDsl::execute(
        diesel::sql_query(format!(
            "INSERT INTO blockers (id, org_id, team_id, owner_id, standup_id, question_id, text)
         VALUES ('{blocker}', '{}', '{team}', '{}', '{standup}', '{}', 'A blocked')",
            a.org_id,
            a.user_id,
            uuid::Uuid::new_v4()
        )),
        &mut db,
    )
    .await
    .unwrap();
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270101\r\nSUMMARY:Taken\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

    let user = json!({ "id": a.user_id });
    // (operation, query, variables, B's expected code (None: B gets its own data,
    // which must not mention A), whether a MEMBER of A is FORBIDDEN)
    let cases: Vec<(&str, &str, Value, Option<&str>, bool)> = vec![
        (
            "viewer",
            "{ viewer { organization { id } organizations { id } } }",
            json!({}),
            None,
            false,
        ),
        (
            "organization",
            "{ organization { id name } }",
            json!({}),
            None,
            false,
        ),
        (
            "members",
            "{ members { edges { node { user { id email } slackMatched } } } }",
            json!({}),
            None,
            false,
        ),
        (
            "auditLog",
            "{ auditLog(first: 100) { edges { node { actor { id } targetId summary } } } }",
            json!({}),
            None,
            true,
        ),
        (
            "invitations",
            "{ invitations { edges { node { id email } } } }",
            json!({}),
            None,
            true,
        ),
        (
            "failedJobs",
            "{ failedJobs { edges { node { id } } } }",
            json!({}),
            None,
            true,
        ),
        (
            "teams",
            "{ teams { id name members { user { id email } } standupConfigs { id } } }",
            json!({}),
            None,
            false,
        ),
        (
            "team",
            "query($id: ID!) { team(id: $id) { id name } }",
            json!({ "id": team }),
            Some("NOT_FOUND"),
            false,
        ),
        (
            "standupConfig",
            "query($id: ID!) { standupConfig(id: $id) { id name } }",
            json!({ "id": config }),
            Some("NOT_FOUND"),
            false,
        ),
        (
            "updateTeam",
            "mutation($id: ID!) { updateTeam(id: $id, input: { name: \"Taken over\" }) { id } }",
            json!({ "id": team }),
            Some("NOT_FOUND"),
            true,
        ),
        (
            "deleteTeam",
            "mutation($id: ID!) { deleteTeam(id: $id) }",
            json!({ "id": team }),
            Some("NOT_FOUND"),
            true,
        ),
        (
            "addTeamMember",
            "mutation($team: ID!, $user: ID!) { addTeamMember(teamId: $team, userId: $user) { addedAt } }",
            team_and_user.clone(),
            Some("NOT_FOUND"),
            true,
        ),
        (
            "removeTeamMember",
            "mutation($team: ID!, $user: ID!) { removeTeamMember(teamId: $team, userId: $user) }",
            team_and_user.clone(),
            Some("NOT_FOUND"),
            true,
        ),
        (
            "createStandupConfig",
            "mutation($input: CreateStandupConfigInput!) { createStandupConfig(input: $input) { id } }",
            new_config.clone(),
            Some("NOT_FOUND"),
            true,
        ),
        (
            "updateStandupConfig",
            "mutation($id: ID!) { updateStandupConfig(id: $id, input: { active: false }) { id } }",
            json!({ "id": config }),
            Some("NOT_FOUND"),
            true,
        ),
        (
            "rotateWebhookSecret",
            "mutation($id: ID!) { rotateWebhookSecret(configId: $id) { secret } }",
            json!({ "id": config }),
            Some("NOT_FOUND"),
            true,
        ),
        (
            "deleteStandupConfig",
            "mutation($id: ID!) { deleteStandupConfig(id: $id) }",
            json!({ "id": config }),
            Some("NOT_FOUND"),
            true,
        ),
        (
            "standup",
            "query($id: ID!) { standup(id: $id) { id name participations { user { id } } } }",
            json!({ "id": standup }),
            Some("NOT_FOUND"),
            false,
        ),
        (
            "myStandups",
            "{ myStandups { id team { id } participations { user { id } } } }",
            json!({}),
            None,
            false,
        ),
        (
            "standups",
            "query($team: ID!) { standups(teamId: $team) { edges { node { id } } } }",
            json!({ "team": team }),
            Some("NOT_FOUND"),
            false,
        ),
        (
            "teamParticipation",
            "query($team: ID!) { teamParticipation(teamId: $team) { user { id } standups } }",
            json!({ "team": team }),
            Some("NOT_FOUND"),
            false,
        ),
        // A's MEMBER is on A's team: they read its insights.
        (
            "teamWeeklyParticipation",
            "query($team: ID!) { teamWeeklyParticipation(teamId: $team, from: \"2026-11-02\", to: \"2026-12-31\") { weekStart asked } }",
            json!({ "team": team }),
            Some("NOT_FOUND"),
            false,
        ),
        (
            "teamResponseTimes",
            "query($team: ID!) { teamResponseTimes(teamId: $team, from: \"2026-11-02\", to: \"2026-12-31\") { weekStart medianMinutes } }",
            json!({ "team": team }),
            Some("NOT_FOUND"),
            false,
        ),
        (
            "teamMoodTrend",
            "query($team: ID!) { teamMoodTrend(teamId: $team, from: \"2026-11-02\", to: \"2026-12-31\") { weekStart average } }",
            json!({ "team": team }),
            Some("NOT_FOUND"),
            false,
        ),
        (
            "teamBlockerFlow",
            "query($team: ID!) { teamBlockerFlow(teamId: $team, from: \"2026-11-02\", to: \"2026-12-31\") { weekStart opened } }",
            json!({ "team": team }),
            Some("NOT_FOUND"),
            false,
        ),
        (
            "organizationParticipation",
            "{ organizationParticipation(from: \"2026-11-02\", to: \"2026-12-31\") { team { id name } asked } }",
            json!({}),
            None,
            true,
        ),
        (
            "startStandupNow",
            "mutation($id: ID!) { startStandupNow(configId: $id) { id } }",
            json!({ "id": config }),
            Some("NOT_FOUND"),
            true,
        ),
        (
            "closeStandup",
            "mutation($id: ID!) { closeStandup(standupId: $id) { id } }",
            json!({ "id": standup }),
            Some("NOT_FOUND"),
            true,
        ),
        // A's MEMBER is not asked in this standup: FORBIDDEN.
        (
            "submitAnswers",
            "mutation($input: SubmitAnswersInput!) { submitAnswers(input: $input) { state } }",
            answer.clone(),
            Some("NOT_FOUND"),
            true,
        ),
        (
            "skipStandup",
            "mutation($id: ID!) { skipStandup(standupId: $id, reason: \"not mine\") { state } }",
            json!({ "id": standup }),
            Some("NOT_FOUND"),
            true,
        ),
        // B is no member of A: A's standup is in none of B's organizations.
        (
            "standupOrganization",
            "query($id: ID!) { standupOrganization(id: $id) { id name } }",
            json!({ "id": standup }),
            None,
            false,
        ),
        // Answer links act on the participation their token names, and nothing else
        // (answer_links.rs); a token that names none is NOT_FOUND, session or not.
        (
            "answerLink",
            "query($t: String!) { answerLink(token: $t) { standup { id } } }",
            json!({ "t": "A".repeat(43) }),
            Some("NOT_FOUND"),
            false,
        ),
        (
            "submitAnswersByLink",
            "mutation($t: String!) { submitAnswersByLink(token: $t, answers: []) { state } }",
            json!({ "t": "A".repeat(43) }),
            Some("NOT_FOUND"),
            false,
        ),
        (
            "skipByLink",
            "mutation($t: String!) { skipByLink(token: $t) { state } }",
            json!({ "t": "A".repeat(43) }),
            Some("NOT_FOUND"),
            false,
        ),
        // B's own team: only B's data shows.
        (
            "createTeam",
            "mutation { createTeam(input: { name: \"B team\", timezone: \"UTC\" }) { id name members { user { id } } } }",
            json!({}),
            None,
            true,
        ),
        (
            "switchOrganization",
            "mutation($id: ID!) { switchOrganization(organizationId: $id) { accessToken } }",
            json!({ "id": a.org_id }),
            Some("NOT_FOUND"),
            false,
        ),
        (
            "changeMemberRole",
            "mutation($id: ID!) { changeMemberRole(userId: $id, role: MEMBER) { role } }",
            user.clone(),
            Some("NOT_FOUND"),
            true,
        ),
        (
            "suspendMember",
            "mutation($id: ID!) { suspendMember(userId: $id) { status } }",
            user.clone(),
            Some("NOT_FOUND"),
            true,
        ),
        (
            "reactivateMember",
            "mutation($id: ID!) { reactivateMember(userId: $id) { status } }",
            user.clone(),
            Some("NOT_FOUND"),
            true,
        ),
        (
            "removeMember",
            "mutation($id: ID!) { removeMember(userId: $id) }",
            user.clone(),
            Some("NOT_FOUND"),
            true,
        ),
        (
            "resendInvitation",
            "mutation($id: ID!) { resendInvitation(id: $id) { id } }",
            json!({ "id": invitation }),
            Some("NOT_FOUND"),
            true,
        ),
        (
            "revokeInvitation",
            "mutation($id: ID!) { revokeInvitation(id: $id) { id } }",
            json!({ "id": invitation }),
            Some("NOT_FOUND"),
            true,
        ),
        (
            "retryFailedJob",
            "mutation($id: ID!) { retryFailedJob(id: $id) { id } }",
            json!({ "id": failed_job }),
            Some("NOT_FOUND"),
            true,
        ),
        // No foreign id to pass: B's call only touches B (their own tests show that).
        (
            "inviteMember",
            "mutation { inviteMember(input: { email: \"someone@b.example\", role: MEMBER }) { id } }",
            json!({}),
            None,
            true,
        ),
        // Slack is not set up in this test: B's install is refused as such; nothing of
        // A's is reachable either way.
        (
            "slackInstallUrl",
            "mutation { slackInstallUrl }",
            json!({}),
            Some("CONFLICT"),
            true,
        ),
        (
            "disconnectSlack",
            "mutation { disconnectSlack }",
            json!({}),
            None,
            true,
        ),
        // Slack is off here: B is told so; A's MEMBER is refused before that.
        (
            "syncSlackUsers",
            "mutation { syncSlackUsers { workspaceName matchedMemberCount } }",
            json!({}),
            Some("CONFLICT"),
            true,
        ),
        (
            "slackChannels",
            "{ slackChannels(first: 5) { nodes { id name } } }",
            json!({}),
            Some("CONFLICT"),
            true,
        ),
        (
            "outOfOfficePeriods",
            "query($id: ID) { outOfOfficePeriods(userId: $id) { id note } }",
            user.clone(),
            Some("NOT_FOUND"),
            false,
        ),
        (
            "setOutOfOffice",
            "mutation($id: ID) { setOutOfOffice(input: { userId: $id, firstDay: \"2027-01-01\", lastDay: \"2027-01-02\" }) { id } }",
            user.clone(),
            Some("NOT_FOUND"),
            true,
        ),
        (
            "endOutOfOffice",
            "mutation($id: ID!) { endOutOfOffice(id: $id) { id } }",
            json!({ "id": period }),
            Some("NOT_FOUND"),
            true,
        ),
        (
            "blockers",
            "query($team: ID!) { blockers(teamId: $team) { edges { node { id text } } } }",
            team_and_user.clone(),
            Some("NOT_FOUND"),
            false,
        ),
        (
            "myOpenBlockers",
            "{ myOpenBlockers { id text } }",
            json!({}),
            None,
            false,
        ),
        (
            "resolveBlocker",
            "mutation($id: ID!) { resolveBlocker(id: $id, note: \"B did it\") { id status } }",
            json!({ "id": blocker }),
            Some("NOT_FOUND"),
            false,
        ),
        (
            "reopenBlocker",
            "mutation($id: ID!) { reopenBlocker(id: $id) { id status } }",
            json!({ "id": blocker }),
            Some("NOT_FOUND"),
            false,
        ),
        (
            "holidayCalendars",
            "{ holidayCalendars { id name teamIds holidays { date name } } }",
            json!({}),
            None,
            false,
        ),
        (
            "createHolidayCalendar",
            "mutation { createHolidayCalendar(input: { name: \"B holidays\" }) { id name } }",
            json!({}),
            None,
            true,
        ),
        (
            "addHoliday",
            "mutation($id: ID!) { addHoliday(calendarId: $id, date: \"2027-01-01\", name: \"Mine\") { id } }",
            json!({ "id": calendar }),
            Some("NOT_FOUND"),
            true,
        ),
        (
            "removeHoliday",
            "mutation($id: ID!) { removeHoliday(calendarId: $id, date: \"2026-12-25\") { id } }",
            json!({ "id": calendar }),
            Some("NOT_FOUND"),
            true,
        ),
        (
            "importHolidays",
            "mutation($id: ID!, $ics: String!) { importHolidays(input: { calendarId: $id, ics: $ics }) { imported } }",
            json!({ "id": calendar, "ics": ics }),
            Some("NOT_FOUND"),
            true,
        ),
        (
            "setTeamHolidayCalendars",
            "mutation($team: ID!, $id: ID!) { setTeamHolidayCalendars(teamId: $team, calendarIds: [$id]) { id } }",
            json!({ "team": team, "id": calendar }),
            Some("NOT_FOUND"),
            true,
        ),
        (
            "deleteHolidayCalendar",
            "mutation($id: ID!) { deleteHolidayCalendar(id: $id) }",
            json!({ "id": calendar }),
            Some("NOT_FOUND"),
            true,
        ),
        (
            "searchAnswers",
            "query($id: ID!) { searchAnswers(query: \"standup\", filter: { teamId: $id }) { edges { node { standupId } } } }",
            json!({ "id": team }),
            Some("NOT_FOUND"),
            false,
        ),
        (
            "searchAnswers",
            "{ searchAnswers(query: \"team\") { edges { node { standupId snippet team { id name } person { id name } } } } }",
            json!({}),
            None,
            false,
        ),
        (
            "apiTokens",
            "{ apiTokens { id name scope } }",
            json!({}),
            None,
            false,
        ),
        (
            "createApiToken",
            "mutation($at: DateTime!) { createApiToken(input: { name: \"B token\", scope: READ_WRITE, expiresAt: $at }) { apiToken { id name } } }",
            json!({ "at": expires }),
            None,
            false,
        ),
        (
            // A's MEMBER gets NOT_FOUND too: only one's own tokens can be revoked.
            "revokeApiToken",
            "mutation($id: ID!) { revokeApiToken(id: $id) }",
            json!({ "id": api_token }),
            Some("NOT_FOUND"),
            false,
        ),
        (
            "updateOrganization",
            "mutation { updateOrganization(input: { name: \"B renamed\" }) { id name } }",
            json!({}),
            None,
            true,
        ),
    ];

    let covered: BTreeSet<String> = cases
        .iter()
        .map(|c| c.0.to_string())
        .chain(PUBLIC.iter().map(|p| p.to_string()))
        .chain(OWN_ACCOUNT.iter().map(|p| p.to_string()))
        .collect();
    let missing: Vec<_> = operations().await.difference(&covered).cloned().collect();
    assert!(
        missing.is_empty(),
        "operations without an isolation case: {missing:?}"
    );
    let stale: Vec<_> = covered.difference(&operations().await).cloned().collect();
    assert!(
        stale.is_empty(),
        "cases for operations that no longer exist: {stale:?}"
    );

    let a_ids = [
        a.org_id.as_str(),
        a.user_id.as_str(),
        a_member.user_id.as_str(),
        "owner@a.example",
        "member@a.example",
        "guest@a.example",
        failed_job.as_str(),
        team.as_str(),
        config.as_str(),
        quiet_config.as_str(),
        standup.as_str(),
        "A team",
        calendar.as_str(),
        period.as_str(),
        "A holidays",
        "A away",
        api_token.as_str(),
        "A token",
        blocker.as_str(),
        "A blocked",
    ];
    for (name, query, vars, b_expects, member_forbidden) in &cases {
        let body = app.graphql_as(&b.token, query, vars.clone()).await;
        match b_expects {
            Some(code) => assert_eq!(error_code(&body), *code, "{name} as B: {body}"),
            None => {
                assert!(body["errors"].is_null(), "{name} as B: {body}");
                let text = body.to_string();
                for id in a_ids {
                    assert!(!text.contains(id), "{name} as B shows A's {id}: {body}");
                }
            }
        }
        if *member_forbidden {
            // Against A's owner or A's objects, as A's MEMBER.
            let body = app.graphql_as(&a_member.token, query, vars.clone()).await;
            assert_eq!(
                error_code(&body),
                "FORBIDDEN",
                "{name} as A's MEMBER: {body}"
            );
        }
    }
    // Nothing of A's standup changed.
    let body = app
        .graphql_as(
            &a.token,
            "query($id: ID!) { standup(id: $id) { state participations { user { id } } } }",
            json!({ "id": standup }),
        )
        .await;
    assert_eq!(body["data"]["standup"]["state"], "OPEN", "{body}");
    assert_eq!(crate::teams::count(&app, "SELECT 1 FROM answers").await, 0);
    assert_eq!(crate::teams::count(&app, "SELECT 1 FROM standups").await, 1);
    // Nor A's blocker.
    assert_eq!(
        crate::teams::count(
            &app,
            "SELECT 1 FROM blockers WHERE status = 'OPEN' AND resolution_note IS NULL"
        )
        .await,
        1
    );
    // Nor A's calendar or A's period.
    assert_eq!(crate::teams::count(&app, "SELECT 1 FROM holidays").await, 1);
    assert_eq!(
        crate::teams::count(&app, "SELECT 1 FROM team_holiday_calendars").await,
        0
    );
    assert_eq!(
        crate::teams::count(
            &app,
            "SELECT 1 FROM out_of_office WHERE last_day = '2026-12-31'"
        )
        .await,
        1
    );

    // Nor A's token.
    assert_eq!(
        crate::teams::count(
            &app,
            "SELECT 1 FROM api_tokens WHERE revoked_at IS NULL AND name = 'A token'"
        )
        .await,
        1
    );
    let body = app
        .graphql_as(
            &a_member.token,
            "mutation($id: ID!) { revokeApiToken(id: $id) }",
            json!({ "id": api_token }),
        )
        .await;
    assert_eq!(error_code(&body), "NOT_FOUND", "{body}");

    // B changes their profile: only B's own account changes; A's member still reads as
    // before (and B never names anyone else: the input has no id).
    let body = app
        .graphql_as(
            &b.token,
            "mutation { updateProfile(input: { name: \"B owner\", timezone: \"Asia/Tokyo\", workDays: [SUN] }) { id name timezone } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["updateProfile"]["id"], b.user_id, "{body}");
    let body = app
        .graphql_as(
            &a.token,
            "{ viewer { user { name timezone workDays } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["viewer"]["user"],
        json!({ "name": "Ada Lovelace", "timezone": null, "workDays": ["MON", "TUE", "WED", "THU", "FRI"] }),
        "{body}"
    );

    // B changes their password and signs out everywhere: A's session goes on, and
    // A's password is still A's.
    let body = app
        .graphql_as(
            &b.token,
            "mutation($current: String!, $new: String!) { changePassword(currentPassword: $current, newPassword: $new) }",
            json!({ "current": PASSWORD, "new": "b's brand new passphrase 77" }),
        )
        .await;
    assert_eq!(body["data"]["changePassword"], true, "{body}");
    let body = app
        .graphql_as(&b.token, "mutation { logOutEverywhere }", json!({}))
        .await;
    assert_eq!(body["data"]["logOutEverywhere"], true, "{body}");
    let body = app.graphql_as(&a.token, ORGANIZATION, json!({})).await;
    assert_eq!(body["data"]["organization"]["id"], a.org_id, "{body}");
    let body = app.graphql_with(&a.client, None, REFRESH, json!({})).await;
    assert!(
        body["data"]["refreshSession"]["accessToken"].is_string(),
        "A's refresh after B signed out everywhere: {body}"
    );
    let body = app
        .graphql(
            LOG_IN,
            json!({ "input": { "email": "owner@a.example", "password": PASSWORD } }),
        )
        .await;
    assert!(body["data"]["logIn"]["accessToken"].is_string(), "{body}");
}
