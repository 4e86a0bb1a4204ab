//! Invitations: e-mailed through the worker, accepted once, expiring, revocable,
//! resendable; role and tenant rules.

use crate::helpers::*;
use crate::members::join;
use crate::teams::count;
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};

const INVITE: &str = "mutation($input: InviteMemberInput!) { inviteMember(input: $input) { id email role status expiresAt } }";
const ACCEPT: &str = "mutation($input: AcceptInvitationInput!) { acceptInvitation(input: $input) { accessToken user { id email name } organization { id } } }";
const RESEND: &str = "mutation($id: ID!) { resendInvitation(id: $id) { id status } }";
const REVOKE: &str = "mutation($id: ID!) { revokeInvitation(id: $id) { id status } }";
const NEW_PASSWORD: &str = "a brand new passphrase 42";

pub(crate) fn tokens(mails: &[String]) -> Vec<String> {
    mails
        .iter()
        .map(|mail| {
            let text = mail
                .replace("=\r\n", "")
                .replace("=\n", "")
                .replace("=3D", "=");
            let needle = "accept-invitation?token=";
            let start = text.find(needle).expect("an invitation link") + needle.len();
            text[start..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect()
        })
        .collect()
}

async fn invite(app: &TestApp, token: &str, email: &str, role: &str) -> Value {
    app.graphql_as(
        token,
        INVITE,
        json!({ "input": { "email": email, "role": role } }),
    )
    .await
}

async fn accept(app: &TestApp, token: &str, password: &str) -> Value {
    app.graphql(
        ACCEPT,
        json!({ "input": { "token": token, "name": "Nina New", "password": password } }),
    )
    .await
}

#[tokio::test]
async fn a_new_person_accepts_an_emailed_invitation_once() {
    let app = TestApp::spawn().await;
    let worker = app.start_worker().await;
    let owner = app.sign_up("owner@a.example", "Acme").await;

    let invited = invite(&app, &owner.token, "Nina@New.example", "MEMBER").await;
    let invitation = &invited["data"]["inviteMember"];
    assert_eq!(invitation["email"], "nina@new.example", "{invited}");
    assert_eq!(invitation["status"], "PENDING");
    assert_eq!(invitation["role"], "MEMBER");

    let mails = app
        .wait_for_emails("nina@new.example", "accept-invitation?token=", 1)
        .await;
    assert!(mails[0].contains("Acme"), "{}", mails[0]);
    let token = tokens(&mails).remove(0);
    assert_eq!(token.len(), 43);

    let accepted = accept(&app, &token, NEW_PASSWORD).await;
    let payload = &accepted["data"]["acceptInvitation"];
    assert_eq!(
        payload["organization"]["id"],
        owner.org_id.as_str(),
        "{accepted}"
    );
    assert_eq!(payload["user"]["name"], "Nina New");
    let viewer = app
        .graphql_as(payload["accessToken"].as_str().unwrap(), VIEWER, json!({}))
        .await;
    assert_eq!(viewer["data"]["viewer"]["role"], "MEMBER", "{viewer}");

    // Single use.
    let again = accept(&app, &token, NEW_PASSWORD).await;
    assert_eq!(error_code(&again), "BAD_USER_INPUT", "{again}");
    assert_eq!(again["errors"][0]["extensions"]["field"], "token");
    // The new account signs in with its password.
    let login = app
        .graphql(
            LOG_IN,
            json!({ "input": { "email": "nina@new.example", "password": NEW_PASSWORD } }),
        )
        .await;
    assert_eq!(
        login["data"]["logIn"]["organization"]["id"],
        owner.org_id.as_str(),
        "{login}"
    );
    // A pending invitation for an existing member is refused.
    let dup = invite(&app, &owner.token, "nina@new.example", "MEMBER").await;
    assert_eq!(error_code(&dup), "CONFLICT", "{dup}");

    let mut db = app.db().await;
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let n: N = diesel::sql_query(
        "SELECT count(*) AS n FROM audit_events WHERE action IN ('invitation.create', 'invitation.accept')",
    )
    .get_result(&mut db)
    .await
    .unwrap();
    assert_eq!(n.n, 2);
    worker.stop().await;
}

#[tokio::test]
async fn an_existing_account_joins_with_its_password() {
    let app = TestApp::spawn().await;
    let worker = app.start_worker().await;
    let owner = app.sign_up("owner@a.example", "Acme").await;
    let bob = app.sign_up("bob@b.example", "Bob's").await;

    let invited = invite(&app, &owner.token, &bob.email, "ADMIN").await;
    assert_eq!(
        invited["data"]["inviteMember"]["role"], "ADMIN",
        "{invited}"
    );
    let mails = app
        .wait_for_emails(&bob.email, "accept-invitation?token=", 1)
        .await;
    let token = tokens(&mails).remove(0);

    let wrong = accept(&app, &token, "not bob's password at all").await;
    assert_eq!(error_code(&wrong), "UNAUTHENTICATED", "{wrong}");
    let joined = accept(&app, &token, PASSWORD).await;
    let payload = &joined["data"]["acceptInvitation"];
    assert_eq!(payload["user"]["id"], bob.user_id.as_str(), "{joined}");
    assert_eq!(payload["organization"]["id"], owner.org_id.as_str());
    let viewer = app
        .graphql_as(payload["accessToken"].as_str().unwrap(), VIEWER, json!({}))
        .await;
    assert_eq!(viewer["data"]["viewer"]["role"], "ADMIN", "{viewer}");
    assert_eq!(
        viewer["data"]["viewer"]["organizations"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    worker.stop().await;
}

#[tokio::test]
async fn expired_revoked_and_replaced_links_are_refused() {
    let app = TestApp::spawn().await;
    let worker = app.start_worker().await;
    let owner = app.sign_up("owner@a.example", "Acme").await;

    // Expired.
    invite(&app, &owner.token, "late@x.example", "MEMBER").await;
    let token = tokens(&app.wait_for_emails("late@x.example", "token=", 1).await).remove(0);
    let mut db = app.db().await;
    diesel::sql_query(
        "UPDATE invitations SET expires_at = now() - interval '1 minute' WHERE email = 'late@x.example'",
    )
    .execute(&mut db)
    .await
    .unwrap();
    let expired = accept(&app, &token, NEW_PASSWORD).await;
    assert_eq!(error_code(&expired), "BAD_USER_INPUT", "{expired}");
    assert_eq!(expired["errors"][0]["extensions"]["field"], "token");
    assert!(
        expired["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("expired"),
        "{expired}"
    );
    // An expired invitation gives way to a new one for the same address.
    let fresh = invite(&app, &owner.token, "late@x.example", "MEMBER").await;
    assert_eq!(
        fresh["data"]["inviteMember"]["status"], "PENDING",
        "{fresh}"
    );

    // Resent: a new link, and the old one stops working.
    let invited = invite(&app, &owner.token, "re@x.example", "MEMBER").await;
    let id = invited["data"]["inviteMember"]["id"].clone();
    let first = tokens(&app.wait_for_emails("re@x.example", "token=", 1).await).remove(0);
    let resent = app
        .graphql_as(&owner.token, RESEND, json!({ "id": id }))
        .await;
    assert_eq!(
        resent["data"]["resendInvitation"]["status"], "PENDING",
        "{resent}"
    );
    let both = tokens(&app.wait_for_emails("re@x.example", "token=", 2).await);
    let second = both.into_iter().find(|t| *t != first).expect("a new token");
    let old = accept(&app, &first, NEW_PASSWORD).await;
    assert_eq!(error_code(&old), "BAD_USER_INPUT", "{old}");

    // Revoked: the current link stops working too; revoking twice conflicts.
    let revoked = app
        .graphql_as(&owner.token, REVOKE, json!({ "id": id }))
        .await;
    assert_eq!(
        revoked["data"]["revokeInvitation"]["status"], "REVOKED",
        "{revoked}"
    );
    let gone = accept(&app, &second, NEW_PASSWORD).await;
    assert_eq!(error_code(&gone), "BAD_USER_INPUT", "{gone}");
    let twice = app
        .graphql_as(&owner.token, REVOKE, json!({ "id": id }))
        .await;
    assert_eq!(error_code(&twice), "CONFLICT", "{twice}");
    let resend_revoked = app
        .graphql_as(&owner.token, RESEND, json!({ "id": id }))
        .await;
    assert_eq!(error_code(&resend_revoked), "CONFLICT", "{resend_revoked}");
    worker.stop().await;
}

#[tokio::test]
async fn invitation_roles_and_tenants() {
    let app = TestApp::spawn().await;
    let owner = app.sign_up("owner@a.example", "A").await;
    let admin = join(&app, &owner, "admin@a.example", "ADMIN").await;
    let member = join(&app, &owner, "member@a.example", "MEMBER").await;
    let other = app.sign_up("owner@b.example", "B").await;

    let forbidden = invite(&app, &member.token, "x@x.example", "MEMBER").await;
    assert_eq!(error_code(&forbidden), "FORBIDDEN", "{forbidden}");
    let rank = invite(&app, &admin.token, "x@x.example", "ADMIN").await;
    assert_eq!(error_code(&rank), "FORBIDDEN", "{rank}");
    let bad = invite(&app, &admin.token, "not-an-email", "MEMBER").await;
    assert_eq!(error_code(&bad), "BAD_USER_INPUT", "{bad}");
    let member_again = invite(&app, &admin.token, "member@a.example", "MEMBER").await;
    assert_eq!(error_code(&member_again), "CONFLICT", "{member_again}");

    let ok = invite(&app, &admin.token, "x@x.example", "MEMBER").await;
    let id = ok["data"]["inviteMember"]["id"].clone();
    assert!(id.is_string(), "{ok}");
    let pending = invite(&app, &owner.token, "x@x.example", "MEMBER").await;
    assert_eq!(error_code(&pending), "CONFLICT", "{pending}");

    // Owners and admins list open invitations; members may not; tenants never mix.
    let list = "query($first: Int, $after: String) { invitations(first: $first, after: $after) { edges { node { id email status } } pageInfo { hasNextPage endCursor } } }";
    invite(&app, &owner.token, "y@x.example", "MEMBER").await;
    let page1 = app
        .graphql_as(&admin.token, list, json!({ "first": 1 }))
        .await;
    assert_eq!(
        page1["data"]["invitations"]["edges"][0]["node"]["email"], "y@x.example",
        "{page1}"
    );
    assert_eq!(
        page1["data"]["invitations"]["pageInfo"]["hasNextPage"],
        true
    );
    let cursor = page1["data"]["invitations"]["pageInfo"]["endCursor"].clone();
    let page2 = app
        .graphql_as(&admin.token, list, json!({ "first": 1, "after": cursor }))
        .await;
    assert_eq!(
        page2["data"]["invitations"]["edges"][0]["node"]["id"], id,
        "{page2}"
    );
    assert_eq!(
        page2["data"]["invitations"]["pageInfo"]["hasNextPage"],
        false
    );
    let denied = app.graphql_as(&member.token, list, json!({})).await;
    assert_eq!(error_code(&denied), "FORBIDDEN", "{denied}");
    let theirs = app.graphql_as(&other.token, list, json!({})).await;
    assert_eq!(
        theirs["data"]["invitations"]["edges"]
            .as_array()
            .map(Vec::len),
        Some(0),
        "{theirs}"
    );

    for query in [RESEND, REVOKE] {
        let body = app
            .graphql_as(&member.token, query, json!({ "id": id }))
            .await;
        assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
        let body = app
            .graphql_as(&other.token, query, json!({ "id": id }))
            .await;
        assert_eq!(error_code(&body), "NOT_FOUND", "{body}");
        let body = app
            .graphql_as(&owner.token, query, json!({ "id": "nope" }))
            .await;
        assert_eq!(error_code(&body), "NOT_FOUND", "{body}");
    }
    let garbage = accept(&app, "not-a-token", NEW_PASSWORD).await;
    assert_eq!(error_code(&garbage), "BAD_USER_INPUT", "{garbage}");
}

#[tokio::test]
async fn the_worker_cleans_up_long_expired_invitations_and_old_outbox_rows() {
    #[derive(diesel::QueryableByName)]
    struct Email {
        #[diesel(sql_type = diesel::sql_types::Text)]
        email: String,
    }
    let app = TestApp::spawn().await;
    let owner = app.sign_up("owner@a.example", "A").await;
    let mut db = app.db().await;
    diesel::sql_query(format!(
        "INSERT INTO invitations (id, org_id, email, role, expires_at, accepted_at) VALUES \
         (gen_random_uuid(), '{org}', 'old@x.example', 'MEMBER', now() - interval '31 days', NULL), \
         (gen_random_uuid(), '{org}', 'recent@x.example', 'MEMBER', now() - interval '1 day', NULL), \
         (gen_random_uuid(), '{org}', 'accepted@x.example', 'MEMBER', now() - interval '40 days', now() - interval '45 days')",
        org = owner.org_id
    ))
    .execute(&mut db)
    .await
    .unwrap();
    // Published outbox rows go after a week; recent ones stay for inspection.
    let (old_row, recent_row) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
    diesel::sql_query(format!(
        "INSERT INTO outbox (id, kind, payload, created_at, sent_at) VALUES \
         ('{old_row}', 'send_welcome_email', '{{}}', now() - interval '9 days', now() - interval '8 days'), \
         ('{recent_row}', 'send_welcome_email', '{{}}', now() - interval '2 days', now() - interval '1 day')"
    ))
    .execute(&mut db)
    .await
    .unwrap();
    let worker = app.start_worker().await;
    let mut left = Vec::new();
    for _ in 0..100 {
        let rows: Vec<Email> = diesel::sql_query("SELECT email FROM invitations ORDER BY email")
            .load(&mut db)
            .await
            .unwrap();
        left = rows.into_iter().map(|r| r.email).collect();
        if left.len() == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(left, ["accepted@x.example", "recent@x.example"]);
    let mut outbox: Vec<String> = Vec::new();
    for _ in 0..100 {
        let rows: Vec<Email> = diesel::sql_query(format!(
            "SELECT id::text AS email FROM outbox WHERE id IN ('{old_row}', '{recent_row}')"
        ))
        .load(&mut db)
        .await
        .unwrap();
        outbox = rows.into_iter().map(|r| r.email).collect();
        if outbox.len() == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(outbox, [recent_row.to_string()]);
    worker.stop().await;
}

#[tokio::test]
async fn guessing_an_existing_accounts_password_through_an_invitation_is_throttled() {
    let app = TestApp::spawn().await;
    let worker = app.start_worker().await;
    let owner = app.sign_up("owner@a.example", "Acme").await;
    let bob = app.sign_up("bob@b.example", "Bob's").await;
    invite(&app, &owner.token, &bob.email, "MEMBER").await;
    let token = tokens(
        &app.wait_for_emails(&bob.email, "accept-invitation?token=", 1)
            .await,
    )
    .remove(0);

    // The same per-account limit as signing in (5 failures by default).
    for attempt in 0..5 {
        let wrong = accept(&app, &token, &format!("wrong guess number {attempt}")).await;
        assert_eq!(error_code(&wrong), "UNAUTHENTICATED", "{wrong}");
    }
    let limited = accept(&app, &token, PASSWORD).await;
    assert_eq!(error_code(&limited), "RATE_LIMITED", "{limited}");
    // The counter is the account's: signing in is throttled too, and the link still works
    // once the window has passed (it was not used up).
    let log_in = app
        .graphql(
            LOG_IN,
            json!({ "input": { "email": bob.email, "password": PASSWORD } }),
        )
        .await;
    assert_eq!(error_code(&log_in), "RATE_LIMITED", "{log_in}");
    let mut db = app.db().await;
    diesel::sql_query("DELETE FROM rate_limits")
        .execute(&mut db)
        .await
        .unwrap();
    let joined = accept(&app, &token, PASSWORD).await;
    assert_eq!(
        joined["data"]["acceptInvitation"]["user"]["id"],
        bob.user_id.as_str(),
        "{joined}"
    );
    worker.stop().await;
}

const OPEN_INVITATIONS: &str = "{ invitations(first: 50) { edges { node { id email status } } } }";

/// The open invitations the caller's organization has, as (email, status).
async fn open_invitations(app: &TestApp, token: &str) -> Vec<(String, String)> {
    let body = app.graphql_as(token, OPEN_INVITATIONS, json!({})).await;
    let mut list: Vec<(String, String)> = body["data"]["invitations"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("no invitations: {body}"))
        .iter()
        .map(|e| {
            (
                e["node"]["email"].as_str().unwrap().to_string(),
                e["node"]["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    list.sort();
    list
}

/// The seconds a RATE_LIMITED answer asks to wait.
fn retry_after(body: &Value) -> u64 {
    assert_eq!(error_code(body), "RATE_LIMITED", "{body}");
    body["errors"][0]["extensions"]["retryAfter"]
        .as_u64()
        .unwrap_or_else(|| panic!("no retry hint: {body}"))
}

#[tokio::test]
async fn only_owners_resend_or_revoke_invitations_of_owners_and_admins() {
    let app = TestApp::spawn().await;
    let owner = app.sign_up("owner@a.example", "A").await;
    let admin = join(&app, &owner, "admin@a.example", "ADMIN").await;
    let for_admin = invite(&app, &owner.token, "new-admin@a.example", "ADMIN").await;
    let admin_invitation = for_admin["data"]["inviteMember"]["id"].clone();
    let for_owner = invite(&app, &owner.token, "new-owner@a.example", "OWNER").await;
    let owner_invitation = for_owner["data"]["inviteMember"]["id"].clone();
    let for_member = invite(&app, &admin.token, "new-member@a.example", "MEMBER").await;
    let member_invitation = for_member["data"]["inviteMember"]["id"].clone();

    for id in [&admin_invitation, &owner_invitation] {
        for query in [RESEND, REVOKE] {
            let body = app
                .graphql_as(&admin.token, query, json!({ "id": id }))
                .await;
            assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
            assert!(
                body["errors"][0]["message"]
                    .as_str()
                    .unwrap()
                    .contains("only owners"),
                "{body}"
            );
        }
    }
    // Nothing changed, and no e-mail was queued for the refused resends.
    assert_eq!(
        open_invitations(&app, &owner.token).await,
        [
            ("new-admin@a.example".into(), "PENDING".into()),
            ("new-member@a.example".into(), "PENDING".into()),
            ("new-owner@a.example".into(), "PENDING".into()),
        ]
    );
    let queued = count(&app, "SELECT 1 FROM outbox WHERE kind = 'send_invitation'").await;
    assert_eq!(
        queued, 3,
        "one e-mail per invitation, none for refused resends"
    );

    // An admin still manages MEMBER invitations; the owner manages every one.
    for query in [RESEND, REVOKE] {
        let body = app
            .graphql_as(&admin.token, query, json!({ "id": member_invitation }))
            .await;
        assert!(body["errors"].is_null(), "{body}");
        let body = app
            .graphql_as(&owner.token, query, json!({ "id": admin_invitation }))
            .await;
        assert!(body["errors"].is_null(), "{body}");
    }
}

#[tokio::test]
async fn the_fourth_invitation_email_to_one_address_in_a_day_is_rate_limited() {
    let app = TestApp::spawn().await;
    let owner = app.sign_up("owner@a.example", "A").await;
    let elsewhere = app.sign_up("owner@b.example", "B").await;

    // The invitation and two resends: three e-mails to the address.
    let invited = invite(&app, &owner.token, "target@x.example", "MEMBER").await;
    let id = invited["data"]["inviteMember"]["id"].clone();
    assert!(id.is_string(), "{invited}");
    for _ in 0..2 {
        let body = app
            .graphql_as(&owner.token, RESEND, json!({ "id": id }))
            .await;
        assert!(body["errors"].is_null(), "{body}");
    }
    // The fourth, a resend or from another organization, is refused with a retry hint.
    let fourth = app
        .graphql_as(&owner.token, RESEND, json!({ "id": id }))
        .await;
    let wait = retry_after(&fourth);
    assert!((1..=24 * 3600).contains(&wait), "{fourth}");
    assert!(fourth["data"].is_null(), "{fourth}");
    let other_org = invite(&app, &elsewhere.token, "TARGET@x.example", "MEMBER").await;
    retry_after(&other_org);
    assert!(
        open_invitations(&app, &elsewhere.token).await.is_empty(),
        "a refused invitation is not stored"
    );

    // Other addresses are not affected.
    let other = invite(&app, &owner.token, "someone@x.example", "MEMBER").await;
    assert!(other["errors"].is_null(), "{other}");
}

#[tokio::test]
async fn an_organization_sends_at_most_its_hourly_quota_of_invitations() {
    let app = TestApp::spawn_with(&[("INVITES_PER_ORG_PER_HOUR", "3")]).await;
    let owner = app.sign_up("owner@a.example", "A").await;
    let elsewhere = app.sign_up("owner@b.example", "B").await;

    let first = invite(&app, &owner.token, "one@x.example", "MEMBER").await;
    invite(&app, &owner.token, "two@x.example", "MEMBER").await;
    let id = first["data"]["inviteMember"]["id"].clone();
    let resent = app
        .graphql_as(&owner.token, RESEND, json!({ "id": id }))
        .await;
    assert!(resent["errors"].is_null(), "a resend counts too: {resent}");

    let refused = invite(&app, &owner.token, "three@x.example", "MEMBER").await;
    let wait = retry_after(&refused);
    assert!((1..=3600).contains(&wait), "{refused}");
    let refused = app
        .graphql_as(&owner.token, RESEND, json!({ "id": id }))
        .await;
    retry_after(&refused);
    assert_eq!(
        open_invitations(&app, &owner.token).await,
        [
            ("one@x.example".into(), "PENDING".into()),
            ("two@x.example".into(), "PENDING".into()),
        ]
    );

    // Another organization has its own quota.
    let theirs = invite(&app, &elsewhere.token, "three@x.example", "MEMBER").await;
    assert!(theirs["errors"].is_null(), "{theirs}");
}

const PREVIEW: &str = "query($token: String!) { invitationPreview(token: $token) { organizationName invitedBy email role expired hasAccount } }";

#[tokio::test]
async fn the_link_names_the_organization_inviter_and_address_before_accepting_and_only_while_open()
{
    let app = TestApp::spawn().await;
    let worker = app.start_worker().await;
    let owner = app.sign_up("owner@a.example", "Acme").await;
    let bob = app.sign_up("bob@b.example", "Bob's").await;

    invite(&app, &owner.token, "nina@new.example", "MEMBER").await;
    invite(&app, &owner.token, &bob.email, "ADMIN").await;
    let nina_token = tokens(
        &app.wait_for_emails("nina@new.example", "accept-invitation?token=", 1)
            .await,
    )
    .remove(0);
    let bob_token = tokens(
        &app.wait_for_emails(&bob.email, "accept-invitation?token=", 1)
            .await,
    )
    .remove(0);
    // The e-mail names the role as a person would.
    let mails = app.emails_to("nina@new.example", "accept-invitation?token=");
    assert!(
        mails[0].contains("as a member"),
        "the e-mail names the role in words: {}",
        mails[0]
    );

    // Signed out, the token alone shows who invited whom to what.
    let preview = app.graphql(PREVIEW, json!({ "token": nina_token })).await;
    assert_eq!(
        preview["data"]["invitationPreview"],
        json!({ "organizationName": "Acme", "invitedBy": "Ada Lovelace", "email": "nina@new.example", "role": "MEMBER", "expired": false, "hasAccount": false }),
        "{preview}"
    );
    // An existing account is told to use its password.
    let preview = app.graphql(PREVIEW, json!({ "token": bob_token })).await;
    assert_eq!(preview["data"]["invitationPreview"]["hasAccount"], true);
    assert_eq!(preview["data"]["invitationPreview"]["role"], "ADMIN");

    // A made-up or altered token shows nothing.
    for token in ["not-a-token", &format!("{nina_token}x"), ""] {
        let preview = app.graphql(PREVIEW, json!({ "token": token })).await;
        assert!(preview["errors"].is_null(), "{preview}");
        assert!(
            preview["data"]["invitationPreview"].is_null(),
            "{token}: {preview}"
        );
    }

    // Once used, the link shows nothing either.
    let joined = accept(&app, &nina_token, PASSWORD).await;
    assert!(joined["data"]["acceptInvitation"].is_object(), "{joined}");
    let preview = app.graphql(PREVIEW, json!({ "token": nina_token })).await;
    assert!(preview["data"]["invitationPreview"].is_null(), "{preview}");
    worker.stop().await;
}
