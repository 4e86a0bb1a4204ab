//! Browser tests: the real web UI (the built `web/dist`) served by the real api, driven in
//! headless Chromium through chromedriver. Each test saves screenshots of the pages it
//! visits under `target/screenshots/`.
//!
//! Needs `/usr/bin/chromium` and `/usr/bin/chromedriver` (`web/install-browser.sh`) and a
//! built UI (`web/build.sh`); `make test` provides both. `SKIP_BROWSER_TESTS=1` skips.

mod dashboard;
mod driver;
mod mood;
mod routes;

use crate::helpers::{PASSWORD, TestApp};
use diesel_async::SimpleAsyncConnection;
use driver::Browser;

/// Signs up through the form; returns once the home page shows the organization.
async fn sign_up_in_ui(browser: &Browser, name: &str, email: &str, org: &str) {
    browser.fill("#name", name).await;
    browser.fill("#email", email).await;
    browser.fill("#password", PASSWORD).await;
    browser.fill("#organization-name", org).await;
    browser.click("button[type=submit]").await;
    browser.wait_text("[data-testid=org-name]", org).await;
}

fn unique_email(prefix: &str) -> String {
    format!("{prefix}-{}@example.com", uuid::Uuid::new_v4().simple())
}

#[tokio::test]
async fn sign_up_reload_and_sign_out() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;

    // Signed out: the home page sends us to sign-in.
    browser.goto(&app.url("/")).await;
    browser.wait_path("/sign-in").await;
    browser.wait_present("#email").await;
    browser.wait_text("h1", "Sign in").await;
    browser.screenshot("sign-in").await;

    // Client-side navigation to sign-up.
    browser.click("a[href='/sign-up']").await;
    browser.wait_path("/sign-up").await;
    browser.wait_present("#organization-name").await;
    browser.screenshot("sign-up").await;

    let email = unique_email("ada");
    sign_up_in_ui(&browser, "Ada Lovelace", &email, "Analytical Engines").await;
    browser.wait_path("/").await;
    browser
        .wait_text("[data-testid=user-name]", "Ada Lovelace")
        .await;
    browser.wait_text("[data-testid=user-email]", &email).await;
    browser.wait_text("[data-testid=role]", "Owner").await;
    browser.wait_text("h1", "Welcome, Ada").await;
    browser.screenshot("home").await;

    // The dark theme, from the switch in the top bar.
    browser.click("[data-testid=theme-switch]").await;
    let theme = browser
        .script_value("return document.documentElement.dataset.theme;")
        .await;
    assert_eq!(theme.as_str(), Some("dark"));
    browser.screenshot("home-dark").await;
    browser.click("[data-testid=theme-switch]").await;

    // A reload keeps the session (refresh cookie -> refreshSession on start).
    browser.reload().await;
    browser
        .wait_text("[data-testid=org-name]", "Analytical Engines")
        .await;
    assert_eq!(browser.path().await, "/");

    // Phone width.
    browser.resize(360, 780).await;
    browser
        .wait_text("[data-testid=org-name]", "Analytical Engines")
        .await;
    browser.screenshot("home-mobile").await;
    browser.resize(1280, 900).await;

    // Sign out from the user menu, land on sign-in, and stay signed out after a reload.
    browser.click("[data-testid=user-menu]").await;
    browser.wait_text("#user-menu-panel", &email).await;
    browser.screenshot("user-menu").await;
    browser.click("[data-testid=sign-out]").await;
    browser.wait_path("/sign-in").await;
    browser.wait_present("#email").await;
    browser.reload().await;
    browser.wait_present("#email").await;
    browser.goto(&app.url("/")).await;
    browser.wait_path("/sign-in").await;

    // Sign in again with the same account.
    browser.fill("#email", &email).await;
    browser.fill("#password", PASSWORD).await;
    browser.click("button[type=submit]").await;
    browser
        .wait_text("[data-testid=org-name]", "Analytical Engines")
        .await;
    browser.wait_path("/").await;

    browser.quit().await;
}

#[tokio::test]
async fn field_errors_show_next_to_their_field() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;

    // Client-side rule (schema::validation): a too-short password.
    browser.goto(&app.url("/sign-up")).await;
    browser.wait_present("#organization-name").await;
    browser.fill("#name", "Grace Hopper").await;
    browser.fill("#email", &unique_email("grace")).await;
    browser.fill("#password", "short").await;
    browser.fill("#organization-name", "Compilers Inc").await;
    browser.click("button[type=submit]").await;
    browser
        .wait_text("#password-error", "at least 8 characters")
        .await;
    let password = browser.find("#password").await;
    assert_eq!(
        password
            .attr("aria-invalid")
            .await
            .ok()
            .flatten()
            .as_deref(),
        Some("true")
    );
    let described_by = password
        .attr("aria-describedby")
        .await
        .ok()
        .flatten()
        .unwrap_or_default();
    assert!(
        described_by.contains("password-error"),
        "aria-describedby = {described_by:?}"
    );
    assert_eq!(browser.path().await, "/sign-up");
    assert!(
        browser.count("#email-error").await == 0,
        "only the password is wrong"
    );
    browser.screenshot("sign-up-errors").await;

    // Editing the field clears its error.
    browser.fill("#password", PASSWORD).await;
    browser.wait_gone("#password-error").await;

    // Server-side rule: an e-mail already registered answers CONFLICT with field `email`.
    let existing = app.signed_up_owner().await;
    browser.fill("#email", &existing.email).await;
    browser.click("button[type=submit]").await;
    browser.wait_present("#email-error").await;
    assert_eq!(
        browser
            .find("#email")
            .await
            .attr("aria-invalid")
            .await
            .ok()
            .flatten()
            .as_deref(),
        Some("true")
    );
    assert_eq!(browser.path().await, "/sign-up");

    // Wrong credentials on sign-in: a form-level banner, not a field error.
    browser.goto(&app.url("/sign-in")).await;
    browser.wait_present("#email").await;
    browser.fill("#email", &existing.email).await;
    browser.fill("#password", "not the password at all").await;
    browser.click("button[type=submit]").await;
    browser
        .wait_text("[data-testid=error-banner]", "nvalid e-mail or password")
        .await;
    browser.screenshot("sign-in-error").await;

    browser.quit().await;
}

#[tokio::test]
async fn organization_switcher_changes_the_current_organization() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;

    // Ada owns Northwind and is a member of Acme Corp (added directly: invitations are
    // not in the UI yet).
    let email = unique_email("ada");
    let ada = app.sign_up(&email, "Northwind").await;
    let other = app.signed_up_owner().await;
    app.db()
        .await
        .batch_execute(&format!(
            "INSERT INTO memberships (org_id, user_id, role, status) VALUES ('{}', '{}', 'MEMBER', 'ACTIVE')",
            other.org_id, ada.user_id
        ))
        .await
        .expect("add membership");

    browser.goto(&app.url("/sign-in")).await;
    browser.fill("#email", &email).await;
    browser.fill("#password", PASSWORD).await;
    browser.click("button[type=submit]").await;
    browser
        .wait_text("[data-testid=org-name]", "Northwind")
        .await;
    browser.wait_text("[data-testid=role]", "Owner").await;

    // The switcher lists both; picking one switches the session to it.
    browser.wait_present("[data-testid=org-switcher]").await;
    assert_eq!(browser.count("[data-testid=org-switcher] option").await, 2);
    browser
        .select_text("[data-testid=org-switcher]", &other.org_name)
        .await;
    browser
        .wait_text("[data-testid=org-name]", &other.org_name)
        .await;
    browser.wait_text("[data-testid=role]", "Member").await;
    browser
        .wait_text("[data-testid=toasts]", "Switched to")
        .await;
    browser.screenshot("organization-switched").await;

    // The refresh cookie now belongs to the switched session: a reload stays there.
    browser.reload().await;
    browser
        .wait_text("[data-testid=org-name]", &other.org_name)
        .await;

    browser.quit().await;
}

#[tokio::test]
async fn unknown_paths_render_the_not_found_page() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;

    browser.goto(&app.url("/no/such/page")).await;
    browser.wait_present("[data-testid=not-found]").await;
    browser.wait_text("h1", "Page not found").await;
    browser.screenshot("not-found").await;

    browser.quit().await;
}

#[tokio::test]
async fn playground_runs_a_query() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;

    browser.goto(&app.url("/playground/")).await;
    browser
        .wait_present(".graphiql-container .graphiql-query-editor .CodeMirror")
        .await;

    browser.type_in_graphiql("{ __typename }").await;
    browser.click(".graphiql-execute-button").await;
    browser
        .wait_text(".graphiql-response", "\"__typename\": \"Query\"")
        .await;

    // Signed out, the viewer is null.
    browser
        .type_in_graphiql("{ viewer { user { email } } }")
        .await;
    browser.click(".graphiql-execute-button").await;
    browser
        .wait_text(".graphiql-response", "\"viewer\": null")
        .await;
    browser.screenshot("playground").await;

    // Everything the playground loads comes from this server.
    let foreign: Vec<String> = browser
        .script_value(
            "return performance.getEntriesByType('resource').map(e => e.name).filter(n => !n.startsWith(location.origin));",
        )
        .await
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    assert!(
        foreign.is_empty(),
        "the playground loaded foreign resources: {foreign:?}"
    );

    browser.quit().await;
}

#[tokio::test]
async fn password_reset_through_the_ui() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let _worker = app.start_worker().await;
    let owner = app.signed_up_owner().await;
    const NEW_PASSWORD: &str = "a brand new passphrase 42";

    // From the sign-in page, the link next to the password field.
    browser.goto(&app.url("/sign-in")).await;
    browser.wait_present("#password").await;
    browser.click("a[href='/forgot-password']").await;
    browser.wait_path("/forgot-password").await;
    browser.wait_text("h1", "Reset your password").await;
    browser.screenshot("forgot-password").await;

    // A malformed address is caught in the browser, next to the field.
    browser.fill("#email", "not-an-address").await;
    browser.click("button[type=submit]").await;
    browser.wait_present("#email-error").await;

    // The same calm confirmation whether or not the account exists.
    browser.fill("#email", &owner.email).await;
    browser.click("button[type=submit]").await;
    browser
        .wait_text(
            "[data-testid=reset-requested]",
            &format!(
                "If an account exists for {}, we've sent a link",
                owner.email
            ),
        )
        .await;
    browser
        .wait_text("[data-testid=reset-requested]", "expires in one hour")
        .await;
    browser.screenshot("forgot-password-sent").await;

    let mails = app
        .wait_for_emails(&owner.email, "reset-password?token=", 1)
        .await;
    let token = crate::pipeline::reset_token(&mails[0]);
    assert_eq!(token.len(), 43, "token {token:?}");

    // A link without a token, or with a wrong one, says so and offers a new link.
    browser.goto(&app.url("/reset-password")).await;
    browser
        .wait_text("[data-testid=reset-link-error]", "no longer works")
        .await;
    browser
        .goto(&app.url("/reset-password?token=not-a-real-token"))
        .await;
    browser.fill("#new-password", NEW_PASSWORD).await;
    browser.click("button[type=submit]").await;
    browser
        .wait_text("[data-testid=reset-link-error]", "no longer works")
        .await;
    browser.wait_present("a[href='/forgot-password']").await;
    browser.screenshot("reset-link-error").await;

    // The link from the e-mail: the shared password rule first, then the new password.
    browser
        .goto(&app.url(&format!("/reset-password?token={token}")))
        .await;
    browser.wait_text("h1", "Choose a new password").await;
    browser
        .wait_text("#new-password-hint", "At least 8 characters")
        .await;
    browser.screenshot("reset-password").await;
    browser.fill("#new-password", "short").await;
    browser.click("button[type=submit]").await;
    browser
        .wait_text("#new-password-error", "at least 8 characters")
        .await;
    browser.fill("#new-password", NEW_PASSWORD).await;
    browser.wait_gone("#new-password-error").await;
    browser.click("button[type=submit]").await;
    browser
        .wait_text("[data-testid=reset-done]", "password has been changed")
        .await;
    browser.screenshot("reset-done").await;

    // The old password no longer works; the new one does.
    browser.click(".auth-card a[href='/sign-in']").await;
    browser.wait_path("/sign-in").await;
    browser.fill("#email", &owner.email).await;
    browser.fill("#password", PASSWORD).await;
    browser.click("button[type=submit]").await;
    browser
        .wait_text("[data-testid=error-banner]", "nvalid e-mail or password")
        .await;
    browser.fill("#password", NEW_PASSWORD).await;
    browser.click("button[type=submit]").await;
    browser
        .wait_text("[data-testid=org-name]", &owner.org_name)
        .await;
    browser.wait_path("/").await;

    // The link worked once.
    browser
        .goto(&app.url(&format!("/reset-password?token={token}")))
        .await;
    browser
        .fill("#new-password", "yet another passphrase 7")
        .await;
    browser.click("button[type=submit]").await;
    browser
        .wait_text("[data-testid=reset-link-error]", "no longer works")
        .await;

    browser.quit().await;
}

/// Signs in through the form; returns once the home page shows the organization.
async fn sign_in_in_ui(browser: &Browser, app: &TestApp, email: &str, org: &str) {
    browser.goto(&app.url("/sign-in")).await;
    browser.fill("#email", email).await;
    browser.fill("#password", PASSWORD).await;
    browser.click("button[type=submit]").await;
    browser.wait_text("[data-testid=org-name]", org).await;
}

/// On the teams page: creates a team through the dialog and waits for its page.
async fn create_team_in_ui(browser: &Browser, name: &str, timezone: &str) {
    browser.click("[data-testid=create-team-open]").await;
    browser.wait_present("dialog[open] #team-name").await;
    browser.fill("#team-name", name).await;
    browser.fill("#team-timezone", timezone).await;
    browser.click("[data-testid=create-team-submit]").await;
    browser.wait_text("[data-testid=team-name]", name).await;
}

/// On a team page: adds an organization member and waits until the list shows them.
async fn add_team_member_in_ui(browser: &Browser, name: &str, email: &str) {
    browser
        .select_text("#add-team-member", &format!("{name} ({email})"))
        .await;
    browser.click("[data-testid=add-team-member]").await;
    browser.wait_text("[data-testid=team-members]", email).await;
}

async fn sign_out_in_ui(browser: &Browser) {
    browser.click("[data-testid=user-menu]").await;
    browser.click("[data-testid=sign-out]").await;
    browser.wait_path("/sign-in").await;
}

/// The `data-action` of every row of the audit table, top to bottom.
async fn audit_actions(browser: &Browser) -> Vec<String> {
    let value = browser
        .script_value(
            "return Array.from(document.querySelectorAll('[data-testid=audit-row]')).map(r => r.dataset.action);",
        )
        .await;
    serde_json::from_value(value).expect("actions")
}

#[tokio::test]
async fn owner_invites_invitee_accepts_role_changes_and_audit_log_shows_it() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let _worker = app.start_worker().await;
    let owner = app.signed_up_owner().await;
    let invitee = unique_email("grace");

    // The owner opens Members from the navigation and sees themself.
    sign_in_in_ui(&browser, &app, &owner.email, &owner.org_name).await;
    browser.click("nav a[href='/members']").await;
    browser.wait_path("/members").await;
    browser.wait_text("h1", "Members").await;
    browser
        .wait_present(&format!("tr[data-email='{}']", owner.email))
        .await;
    browser
        .wait_text("[data-testid=invitations-empty]", "No pending invitations")
        .await;

    // Invite: the dialog checks the address first, then sends.
    browser.click("[data-testid=invite-open]").await;
    browser.wait_present("dialog[open] #invite-email").await;
    browser.fill("#invite-email", "not-an-address").await;
    browser.click("[data-testid=invite-submit]").await;
    browser.wait_present("#invite-email-error").await;
    browser.fill("#invite-email", &invitee).await;
    browser.screenshot("members-invite-dialog").await;
    browser.click("[data-testid=invite-submit]").await;
    browser
        .wait_text(
            "[data-testid=toasts]",
            &format!("Invitation sent to {invitee}"),
        )
        .await;
    browser.wait_gone("dialog[open]").await;
    browser
        .wait_text(
            &format!("tr[data-testid=invitation-row][data-email='{invitee}']"),
            "Pending",
        )
        .await;
    browser.screenshot("members").await;

    // The e-mail from the worker carries the link.
    let mails = app
        .wait_for_emails(&invitee, "accept-invitation?token=", 1)
        .await;
    let token = crate::invitations::tokens(&mails).remove(0);

    // The invitee follows it, signed out, and lands signed in to the organization.
    sign_out_in_ui(&browser).await;
    browser
        .goto(&app.url(&format!("/accept-invitation?token={token}")))
        .await;
    // The page says who invited whom, to which organization, before anything is typed.
    browser
        .wait_text("h1", &format!("Join {}", owner.org_name))
        .await;
    browser
        .wait_text(
            "[data-testid=invitation-summary]",
            &format!(
                "Ada Lovelace invited you to join {} as a member.",
                owner.org_name
            ),
        )
        .await;
    browser
        .wait_text("[data-testid=invitation-email]", &invitee)
        .await;
    browser.screenshot("accept-invitation").await;
    browser.fill("#name", "Grace Hopper").await;
    browser.fill("#password", PASSWORD).await;
    browser.click("button[type=submit]").await;
    browser
        .wait_text("[data-testid=org-name]", &owner.org_name)
        .await;
    browser.wait_path("/").await;
    browser
        .wait_text("[data-testid=user-name]", "Grace Hopper")
        .await;
    browser.wait_text("[data-testid=role]", "Member").await;
    // A member sees the list but no admin controls, and no audit log in the navigation.
    browser.click("nav a[href='/members']").await;
    browser
        .wait_present(&format!("tr[data-email='{}']", owner.email))
        .await;
    assert_eq!(browser.count("[data-testid=invite-open]").await, 0);
    assert_eq!(browser.count("nav a[href='/audit-log']").await, 0);
    sign_out_in_ui(&browser).await;

    // The link worked once: opened again, it says so before anything is typed.
    browser
        .goto(&app.url(&format!("/accept-invitation?token={token}")))
        .await;
    browser
        .wait_text("[data-testid=invitation-link-error]", "no longer works")
        .await;

    // The owner sees the new member and makes them an admin.
    sign_in_in_ui(&browser, &app, &owner.email, &owner.org_name).await;
    browser.click("nav a[href='/members']").await;
    let row = format!("tr[data-email='{invitee}']");
    browser.wait_text(&row, "Grace Hopper").await;
    browser
        .wait_text("[data-testid=invitations-empty]", "No pending invitations")
        .await;
    browser.select_text(&format!("{row} select"), "Admin").await;
    browser
        .wait_text("[data-testid=toasts]", "Grace Hopper is now admin")
        .await;
    let role = app
        .graphql_as(
            &owner.token,
            "{ members(filter: { role: ADMIN }) { nodes { user { email } } } }",
            serde_json::json!({}),
        )
        .await;
    assert_eq!(
        role["data"]["members"]["nodes"][0]["user"]["email"],
        invitee.as_str(),
        "{role}"
    );

    // Filters narrow the list.
    browser.select_text("#member-role", "Owner").await;
    browser.wait_gone(&row).await;
    browser.select_text("#member-role", "Any role").await;
    browser.fill("#member-search", "grace").await;
    browser.wait_present(&row).await;
    browser
        .wait_gone(&format!("tr[data-email='{}']", owner.email))
        .await;

    // The audit log lists it all, newest first.
    browser.click("nav a[href='/audit-log']").await;
    browser.wait_path("/audit-log").await;
    browser.wait_text("h1", "Audit log").await;
    browser
        .wait_present("tr[data-action='member.change_role']")
        .await;
    let actions = audit_actions(&browser).await;
    let position = |action: &str| {
        actions
            .iter()
            .position(|a| a == action)
            .unwrap_or_else(|| panic!("{action} missing from {actions:?}"))
    };
    assert!(
        position("member.change_role") < position("invitation.accept")
            && position("invitation.accept") < position("invitation.create")
            && position("invitation.create") < position("auth.sign_up"),
        "audit log out of order: {actions:?}"
    );
    browser.screenshot("audit-log").await;

    // Filtering by action leaves only those events.
    browser
        .select_text("#audit-action", "Changed a member's role")
        .await;
    browser
        .wait_gone("tr[data-action='invitation.create']")
        .await;
    assert_eq!(
        audit_actions(&browser).await,
        vec!["member.change_role".to_owned()]
    );
    browser
        .wait_text("tr[data-action='member.change_role']", &owner.email)
        .await;

    // The export downloads the filtered log with the access token.
    browser.click("[data-testid=export-csv]").await;
    browser
        .wait_text("[data-testid=toasts]", "Saved audit-log-")
        .await;

    browser.quit().await;
}

#[tokio::test]
async fn owner_creates_a_team_and_a_standup_whose_preview_matches_the_server() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let owner = app.signed_up_owner().await;
    sign_in_in_ui(&browser, &app, &owner.email, &owner.org_name).await;

    // No teams yet: the empty state offers the first one.
    browser.click("nav a[href='/teams']").await;
    browser
        .wait_text("[data-testid=teams-empty]", "No teams yet")
        .await;
    browser.click("[data-testid=create-team-open]").await;
    browser.wait_present("dialog[open] #team-name").await;
    browser.fill("#team-name", "Core platform").await;
    browser.fill("#team-timezone", "Mars/Olympus").await;
    browser.click("[data-testid=create-team-submit]").await;
    browser.wait_present("#team-timezone-error").await;
    browser.fill("#team-timezone", "America/New_York").await;
    browser.click("[data-testid=create-team-submit]").await;
    browser
        .wait_text("[data-testid=team-name]", "Core platform")
        .await;

    // The owner joins the team, then gives it a standup from a template.
    add_team_member_in_ui(&browser, "Ada Lovelace", &owner.email).await;
    browser.screenshot("team").await;
    browser.click("a[href$='/standups/new']").await;
    browser
        .wait_text("h1", "New standup for Core platform")
        .await;
    browser
        .wait_text("[data-testid=next-runs]", "America/New_York")
        .await;
    // An impossible schedule says why instead of previewing.
    for day in ["mon", "tue", "wed", "thu", "fri"] {
        browser.click(&format!("label[for=weekdays-{day}]")).await;
    }
    browser
        .wait_text("[data-testid=next-runs-error]", "at least one day")
        .await;
    browser.click("label[for=weekdays-mon]").await;
    browser.click("label[for=weekdays-thu]").await;
    // A time input's typing depends on the locale; set it as a picker would.
    browser
        .script_value(
            "const t = document.getElementById('time-of-day'); t.value = '08:30'; t.dispatchEvent(new Event('input', { bubbles: true })); return t.value;",
        )
        .await;
    browser.fill("#config-name", "Twice-weekly sync").await;
    browser.wait_text("[data-testid=next-runs]", "08:30").await;
    browser.screenshot("standup-editor").await;
    let preview = browser
        .script_value(
            "return Array.from(document.querySelectorAll('[data-testid=next-runs] time')).map(t => t.getAttribute('datetime'));",
        )
        .await;
    let preview: Vec<String> = serde_json::from_value(preview).expect("preview");
    assert_eq!(preview.len(), 5, "{preview:?}");

    browser.click("[data-testid=save-config]").await;
    browser
        .wait_text("[data-testid=config-row]", "Twice-weekly sync")
        .await;
    browser
        .wait_text("[data-testid=config-row]", "Mon, Thu at 08:30")
        .await;

    // The server computes the same runs from the saved config.
    let team = app
        .graphql_as(
            &owner.token,
            "{ teams { standupConfigs { nextRuns(count: 5) } } }",
            serde_json::json!({}),
        )
        .await;
    let server: Vec<String> = team["data"]["teams"][0]["standupConfigs"][0]["nextRuns"]
        .as_array()
        .expect("nextRuns")
        .iter()
        .map(|v| {
            let at: chrono::DateTime<chrono::Utc> =
                v.as_str().expect("instant").parse().expect("rfc3339");
            at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        })
        .collect();
    assert_eq!(preview, server);

    browser.quit().await;
}

#[tokio::test]
async fn an_admin_creates_a_webhook_signing_secret_in_the_editor_and_sees_it_once() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let owner = app.signed_up_owner().await;
    let team = crate::teams::create_team(&app, &owner.token, "Platform").await;
    let created = app
        .graphql_as(
            &owner.token,
            "mutation($input: CreateStandupConfigInput!) { createStandupConfig(input: $input) { id } }",
            serde_json::json!({ "input": {
                "teamId": team, "name": "Hooked daily",
                "questions": [{ "prompt": "What did you do?", "kind": "TEXT" }],
                "weekdays": ["MON"], "timeOfDay": "09:00", "responseWindowMinutes": 60,
                "delivery": ["WEB", "WEBHOOK"], "webhookUrl": "https://hooks.example.com/a"
            } }),
        )
        .await;
    let config = created["data"]["createStandupConfig"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{created}"))
        .to_string();
    let generated = crate::standup_configs::stored_secrets(&app, &config)
        .await
        .webhook_secret
        .expect("a webhook config has a secret");

    sign_in_in_ui(&browser, &app, &owner.email, &owner.org_name).await;
    browser
        .goto(&app.url(&format!("/standup-configs/{config}")))
        .await;
    browser.wait_text("h1", "Edit Hooked daily").await;
    browser
        .wait_text("[data-testid=signing-secret]", "shown once")
        .await;
    browser
        .wait_text("[data-testid=signing-secret]", "keeps signing for 24 hours")
        .await;
    browser.click("[data-testid=rotate-secret]").await;
    browser.wait_present("[data-testid=webhook-secret]").await;
    browser
        .wait_text(
            "[data-testid=previous-valid-until]",
            "also signs deliveries until",
        )
        .await;
    browser.click("[data-testid=copy-secret]").await;
    browser
        .wait_text("[data-testid=copy-secret]", "Copied")
        .await;
    browser.screenshot("webhook-secret").await;
    let shown = browser
        .script_value("return document.querySelector('[data-testid=webhook-secret]').value;")
        .await;
    let shown = shown
        .as_str()
        .expect("the secret input's value")
        .to_string();
    assert!(shown.starts_with("whsec_") && shown.len() == 70, "{shown}");

    // What the page showed is what now signs, and the one before still signs beside it.
    let stored = crate::standup_configs::stored_secrets(&app, &config).await;
    assert_eq!(
        crate::standup_configs::open_secret(&stored.webhook_secret.unwrap(), &config),
        Some(shown.clone())
    );
    assert_eq!(stored.webhook_secret_previous, Some(generated));

    // Once closed, it is gone from the page; a reload does not bring it back.
    browser.click("[data-testid=secret-done]").await;
    browser.wait_gone("dialog[open]").await;
    browser.reload().await;
    browser.wait_text("h1", "Edit Hooked daily").await;
    let html = browser
        .script_value("return document.documentElement.outerHTML;")
        .await;
    assert!(!html.as_str().unwrap_or_default().contains(&shown));

    browser.quit().await;
}

#[tokio::test]
async fn a_standup_started_in_the_ui_is_answered_live_and_digested() {
    let Some(owner_browser) = Browser::start().await else {
        return;
    };
    let Some(member_browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let _worker = app.start_worker().await;
    let owner = app.signed_up_owner().await;

    // A member who joined by invitation (their only organization is the owner's).
    let member_email = unique_email("grace");
    let invited = app
        .graphql_as(
            &owner.token,
            "mutation($input: InviteMemberInput!) { inviteMember(input: $input) { id } }",
            serde_json::json!({ "input": { "email": member_email, "role": "MEMBER" } }),
        )
        .await;
    assert!(
        invited["data"]["inviteMember"]["id"].is_string(),
        "{invited}"
    );
    let mails = app
        .wait_for_emails(&member_email, "accept-invitation?token=", 1)
        .await;
    let token = crate::invitations::tokens(&mails).remove(0);
    let accepted = app
        .graphql(
            "mutation($input: AcceptInvitationInput!) { acceptInvitation(input: $input) { accessToken } }",
            serde_json::json!({ "input": { "token": token, "name": "Grace Hopper", "password": PASSWORD } }),
        )
        .await;
    assert!(
        accepted["data"]["acceptInvitation"]["accessToken"].is_string(),
        "{accepted}"
    );

    // The owner builds the team and its standup in the UI.
    sign_in_in_ui(&owner_browser, &app, &owner.email, &owner.org_name).await;
    owner_browser.goto(&app.url("/teams")).await;
    create_team_in_ui(&owner_browser, "Analytical Engine", "Europe/London").await;
    add_team_member_in_ui(&owner_browser, "Ada Lovelace", &owner.email).await;
    add_team_member_in_ui(&owner_browser, "Grace Hopper", &member_email).await;
    owner_browser.click("a[href$='/standups/new']").await;
    owner_browser
        .wait_text("[data-testid=next-runs]", "Europe/London")
        .await;
    // The template's 240-minute window reads as hours next to the minutes field.
    owner_browser
        .wait_text("[data-testid=window-readable]", "= 4 h")
        .await;
    owner_browser.click("[data-testid=save-config]").await;
    owner_browser
        .wait_text("[data-testid=config-row]", "Classic daily standup")
        .await;

    // Start it now: the owner lands on the standup, both asked.
    owner_browser.click("[data-testid=start-now]").await;
    owner_browser
        .wait_text("[data-testid=standup-title]", "Classic daily standup")
        .await;
    owner_browser
        .wait_present(&format!(
            "[data-testid=participation][data-email='{member_email}'][data-state=PENDING]"
        ))
        .await;

    // The member finds it in their inbox and answers; a required question is enforced.
    sign_in_in_ui(&member_browser, &app, &member_email, &owner.org_name).await;
    member_browser.click("nav a[href='/standups']").await;
    member_browser
        .wait_text("[data-testid=inbox-open]", "Classic daily standup")
        .await;
    member_browser.screenshot("my-standups").await;
    member_browser
        .click("[data-testid=inbox-open] a.standup-row-link")
        .await;
    member_browser.wait_present("#answer-0").await;
    // Both required questions blank: an error under each, none under the optional one.
    member_browser.click("[data-testid=submit-answers]").await;
    member_browser
        .wait_text("[data-testid=answer-0-error]", "Required")
        .await;
    member_browser
        .wait_text("[data-testid=answer-1-error]", "Required")
        .await;
    let shown = member_browser
        .script_value(
            "return [document.querySelectorAll('.field-error').length, \
             document.querySelector('#answer-1').getAttribute('aria-invalid')];",
        )
        .await;
    assert_eq!(shown, serde_json::json!([2, "true"]), "{shown}");
    // Answering one clears its error; the other stays.
    member_browser
        .fill("#answer-0", "Wrote the first program")
        .await;
    member_browser.click("[data-testid=submit-answers]").await;
    member_browser
        .wait_gone("[data-testid=answer-0-error]")
        .await;
    member_browser
        .wait_text("[data-testid=answer-1-error]", "Required")
        .await;
    member_browser.fill("#answer-1", "Debug the Engine").await;
    member_browser.fill("#answer-2", "A moth in relay 70").await;
    member_browser.click("[data-testid=submit-answers]").await;
    member_browser
        .wait_text("[data-testid=toasts]", "Your answers are in")
        .await;
    member_browser.screenshot("standup-answered").await;

    // The owner's page shows the answer without a reload (standupEvents).
    let member_card = format!("[data-testid=participation][data-email='{member_email}']");
    owner_browser
        .wait_text(&member_card, "A moth in relay 70")
        .await;
    owner_browser.wait_text(&member_card, "Answered").await;
    owner_browser.screenshot("standup-live").await;

    // "Close now" asks first, with Cancel focused: cancelling leaves the standup open.
    owner_browser.click("[data-testid=close-standup]").await;
    owner_browser
        .wait_text(
            "[data-testid=confirm-dialog]",
            "Close Classic daily standup",
        )
        .await;
    let focused = owner_browser
        .script_value("return document.activeElement.textContent;")
        .await;
    assert_eq!(focused.as_str(), Some("Cancel"), "{focused}");
    owner_browser
        .click("[data-testid=confirm-dialog] [data-testid=cancel]")
        .await;
    owner_browser
        .wait_gone("[data-testid=confirm-dialog]")
        .await;
    // From the server again: still open, the owner still waited for.
    owner_browser.reload().await;
    owner_browser
        .wait_present("[data-testid=standup-title] ~ p .badge-open")
        .await;
    owner_browser
        .wait_present(&format!(
            "[data-testid=participation][data-email='{}'][data-state=PENDING]",
            owner.email
        ))
        .await;

    // Confirmed, closing early compiles the digest: one answered, the owner missing.
    owner_browser.click("[data-testid=close-standup]").await;
    owner_browser.click("[data-testid=confirm]").await;
    owner_browser
        .wait_text("[data-testid=digest]", "1 answered · 0 skipped · 1 missing")
        .await;
    owner_browser
        .wait_text("[data-testid=digest]", "A moth in relay 70")
        .await;
    owner_browser.screenshot("standup-digest").await;
    // After the close nobody is "Waiting": the owner, who never answered, missed it, on
    // the standup page and in their inbox.
    let owner_card = format!("[data-testid=participation][data-email='{}']", owner.email);
    owner_browser.wait_text(&owner_card, "Missed").await;
    owner_browser.click("nav a[href='/standups']").await;
    owner_browser
        .wait_text("[data-testid=inbox-closed]", "You: Missed")
        .await;

    // A standup that does not exist says so, with a way back, not "Try again".
    owner_browser
        .goto(&app.url("/standups/00000000-0000-0000-0000-000000000000"))
        .await;
    owner_browser
        .wait_text("[data-testid=standup-missing]", "does not exist")
        .await;
    owner_browser
        .wait_present("[data-testid=standup-missing] a[href='/standups']")
        .await;
    assert_eq!(owner_browser.count("[data-testid=retry]").await, 0);

    member_browser.quit().await;
    owner_browser.quit().await;
}

#[tokio::test]
async fn change_the_password_on_the_account_page_then_sign_in_with_it() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    browser.goto(&app.url("/sign-up")).await;
    browser.wait_present("#organization-name").await;
    let email = unique_email("grace");
    sign_up_in_ui(&browser, "Grace Hopper", &email, "Compilers Inc").await;

    // From the left navigation to "Your account".
    browser.click("a[href='/account']").await;
    browser.wait_path("/account").await;
    browser.wait_text("h1", "Your account").await;

    // A wrong current password is named next to its field; nothing changes.
    browser
        .fill("#current-password", "not my password at all")
        .await;
    browser
        .fill("#new-password", "a brand new passphrase 42")
        .await;
    browser.click("[data-testid=change-password]").await;
    browser
        .wait_text("#current-password-error", "not your current password")
        .await;
    browser.screenshot("account-wrong-password").await;

    // The right one: a toast says so.
    browser.fill("#current-password", PASSWORD).await;
    browser.click("[data-testid=change-password]").await;
    browser
        .wait_text("[data-testid=toasts]", "Your password is changed")
        .await;
    browser.screenshot("account").await;

    // Sign out; the old password no longer works, the new one does.
    browser.click("[data-testid=user-menu]").await;
    browser.click("[data-testid=sign-out]").await;
    browser.wait_path("/sign-in").await;
    browser.fill("#email", &email).await;
    browser.fill("#password", PASSWORD).await;
    browser.click("button[type=submit]").await;
    browser
        .wait_text("#form-error", "Invalid e-mail or password")
        .await;
    browser.fill("#password", "a brand new passphrase 42").await;
    browser.click("button[type=submit]").await;
    browser
        .wait_text("[data-testid=org-name]", "Compilers Inc")
        .await;

    // Sign out everywhere, after a confirmation, lands on sign-in.
    browser.goto(&app.url("/account")).await;
    browser.wait_text("h1", "Your account").await;
    browser.click("[data-testid=sign-out-everywhere]").await;
    browser.wait_present("[data-testid=confirm-dialog]").await;
    browser.click("[data-testid=confirm]").await;
    browser.wait_path("/sign-in").await;
    browser.reload().await;
    browser.wait_present("#email").await;

    browser.quit().await;
}

/// Sets a date `<input>` to `value` (YYYY-MM-DD) as a picker would: typing into one
/// depends on the browser's locale.
async fn set_date(browser: &Browser, css: &str, value: &str) {
    browser.wait_present(css).await;
    browser
        .script_value(&format!(
            "const el = document.querySelector('{css}'); el.value = '{value}'; \
             el.dispatchEvent(new Event('input', {{ bubbles: true }})); return el.value;"
        ))
        .await;
}

/// Signs up a new person through the form and opens "Your account"; their e-mail.
async fn signed_up_on_the_account_page(
    browser: &Browser,
    app: &TestApp,
    prefix: &str,
    name: &str,
    org: &str,
) -> String {
    browser.goto(&app.url("/sign-up")).await;
    browser.wait_present("#organization-name").await;
    let email = unique_email(prefix);
    sign_up_in_ui(browser, name, &email, org).await;
    browser.goto(&app.url("/account")).await;
    browser.wait_text("h1", "Your account").await;
    email
}

#[tokio::test]
async fn a_member_sets_an_out_of_office_period_on_the_account_page_and_ends_it() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    signed_up_on_the_account_page(&browser, &app, "ooo", "Omar Away", "Away Inc").await;
    browser.wait_present("[data-testid=ooo-empty]").await;

    // The last day before the first is named next to its field.
    let today = chrono::Utc::now().date_naive();
    let first = (today + chrono::Days::new(7))
        .format("%Y-%m-%d")
        .to_string();
    let last = (today + chrono::Days::new(14))
        .format("%Y-%m-%d")
        .to_string();
    set_date(&browser, "#ooo-first", &last).await;
    set_date(&browser, "#ooo-last", &first).await;
    browser.click("[data-testid=ooo-add]").await;
    browser
        .wait_text("#ooo-last-error", "on or after the first day")
        .await;

    set_date(&browser, "#ooo-first", &first).await;
    set_date(&browser, "#ooo-last", &last).await;
    browser.fill("#ooo-note", "Hiking, back on Monday").await;
    browser.click("[data-testid=ooo-add]").await;
    browser
        .wait_text("[data-testid=toasts]", "Out of office from")
        .await;
    browser
        .wait_text("[data-testid=ooo-period]", &format!("{first} to {last}"))
        .await;
    browser.screenshot("account-out-of-office").await;

    // Still there after a reload.
    browser.reload().await;
    browser
        .wait_text("[data-testid=ooo-period]", "Hiking, back on Monday")
        .await;

    // Ending one that has not started removes it.
    browser.click("[data-testid=ooo-end]").await;
    browser.wait_present("[data-testid=ooo-empty]").await;

    browser.quit().await;
}

/// A fake Slack and an api pointed at it. Slack sends the browser back to PUBLIC_URL, so
/// the api listens where it says.
async fn app_with_fake_slack() -> (crate::fake_slack::FakeSlack, TestApp) {
    let slack = crate::fake_slack::FakeSlack::start().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap();
    let bind = format!("127.0.0.1:{port}");
    let public_url = format!("http://{bind}");
    let mut settings = slack.settings();
    settings.push(("BIND", bind));
    settings.push(("PUBLIC_URL", public_url));
    let overrides: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    (slack, TestApp::spawn_with(&overrides).await)
}

/// In Settings: connects Slack through the fake's authorize page, which approves and
/// sends the browser back; waits until the workspace shows.
async fn connect_slack_in_ui(browser: &Browser, app: &TestApp) {
    browser.goto(&app.url("/settings")).await;
    browser.wait_present("[data-testid=slack-connect]").await;
    browser.click("[data-testid=slack-connect]").await;
    browser.wait_path("/settings").await;
    browser
        .wait_text(
            "[data-testid=slack-connected]",
            crate::fake_slack::TEAM_NAME,
        )
        .await;
}

#[tokio::test]
async fn an_owner_connects_slack_from_settings_and_disconnects_it() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let (slack, app) = app_with_fake_slack().await;
    browser.goto(&app.url("/sign-up")).await;
    browser.wait_present("#organization-name").await;
    sign_up_in_ui(
        &browser,
        "Ada Lovelace",
        &unique_email("ada"),
        "Engines Ltd",
    )
    .await;

    connect_slack_in_ui(&browser, &app).await;
    browser
        .wait_text("[data-testid=slack-returned]", "Slack is connected")
        .await;
    browser.screenshot("settings-slack").await;
    assert_eq!(slack.calls("oauth.v2.access").len(), 1);

    browser.click("[data-testid=slack-disconnect]").await;
    browser
        .wait_text("[data-testid=toasts]", "Slack is disconnected")
        .await;
    browser.wait_present("[data-testid=slack-connect]").await;
    assert_eq!(slack.calls("auth.revoke").len(), 1);

    browser.quit().await;
}

#[tokio::test]
async fn an_owner_connects_slack_and_picks_the_digest_channel_in_the_editor() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let (slack, app) = app_with_fake_slack().await;
    let owner = app.signed_up_owner().await;
    let team = crate::teams::create_team(&app, &owner.token, "Platform").await;
    // The owner is a Slack user of the workspace; the workspace has more channels than
    // the picker shows at once.
    let team_id = crate::fake_slack::TEAM_ID;
    slack.add_users(team_id, &[("U0OWNER", &owner.email)]);
    let names: Vec<(String, String)> = (1..=24)
        .map(|i| (format!("C{i:04}"), format!("project-{i:02}")))
        .chain([("C0DIGEST".to_owned(), "standup-digest".to_owned())])
        .collect();
    let channels: Vec<(&str, &str)> = names
        .iter()
        .map(|(id, name)| (id.as_str(), name.as_str()))
        .collect();
    slack.add_channels(team_id, &channels);
    sign_in_in_ui(&browser, &app, &owner.email, &owner.org_name).await;

    // Before Slack is connected the editor offers Slack delivery disabled, saying where
    // to connect it.
    browser
        .goto(&app.url(&format!("/teams/{team}/standups/new")))
        .await;
    browser
        .wait_text("[data-testid=slack-delivery-off]", "Connect a workspace")
        .await;
    let disabled = browser
        .script_value("return document.getElementById('delivery-slack-dm').disabled;")
        .await;
    assert_eq!(disabled, serde_json::json!(true));

    connect_slack_in_ui(&browser, &app).await;
    browser.wait_text("[data-testid=slack-matched]", "1").await;
    browser.click("[data-testid=slack-sync]").await;
    browser
        .wait_text("[data-testid=toasts]", "1 member matched in Slack")
        .await;
    browser.screenshot("settings-slack-connected").await;

    // The member list says who is matched.
    browser.goto(&app.url("/members")).await;
    browser
        .wait_text("[data-testid=member-slack]", "Slack")
        .await;

    // The editor offers Slack DM and the digest in a channel from the workspace's list.
    browser
        .goto(&app.url(&format!("/teams/{team}/standups/new")))
        .await;
    browser.wait_present("#delivery-slack-dm").await;
    browser.click("label[for=delivery-slack-dm]").await;
    browser.click("label[for=delivery-slack-channel]").await;
    browser
        .wait_text("[data-testid=slack-channels]", "#project-01")
        .await;
    // Saving without a channel says so at the picker.
    browser.click("[data-testid=save-config]").await;
    browser
        .wait_text("#slack-channel-search-error", "Pick the channel")
        .await;
    // More than a page: "Load more" brings the rest.
    browser.click("[data-testid=load-more]").await;
    browser
        .wait_text("[data-testid=slack-channels]", "#standup-digest")
        .await;
    // A search narrows the list.
    browser.fill("#slack-channel-search", "digest").await;
    browser.wait_gone("label[for=slack-channel-C0001]").await;
    browser.click("label[for=slack-channel-C0DIGEST]").await;
    browser
        .wait_text("[data-testid=slack-channel-picked]", "#standup-digest")
        .await;
    browser.screenshot("standup-editor-slack").await;
    browser.click("[data-testid=save-config]").await;
    browser.wait_present("[data-testid=config-row]").await;

    let saved = app
        .graphql_as(
            &owner.token,
            "{ teams { standupConfigs { id delivery slackChannel { id name } } } }",
            serde_json::json!({}),
        )
        .await;
    let config = &saved["data"]["teams"][0]["standupConfigs"][0];
    assert_eq!(
        config["slackChannel"],
        serde_json::json!({ "id": "C0DIGEST", "name": "standup-digest" }),
        "{saved}"
    );
    let delivery = config["delivery"].as_array().expect("delivery");
    assert!(delivery.contains(&serde_json::json!("SLACK_DM")), "{saved}");
    assert!(
        delivery.contains(&serde_json::json!("SLACK_CHANNEL")),
        "{saved}"
    );

    // Editing shows the channel it posts to.
    let id = config["id"].as_str().expect("config id");
    browser
        .goto(&app.url(&format!("/standup-configs/{id}")))
        .await;
    browser
        .wait_text("[data-testid=slack-channel-picked]", "#standup-digest")
        .await;

    browser.quit().await;
}

/// How far the page scrolls sideways (0: it fits the window).
async fn sideways_scroll(browser: &Browser) -> i64 {
    browser
        .script_value("return document.documentElement.scrollWidth - window.innerWidth;")
        .await
        .as_i64()
        .unwrap_or(i64::MAX)
}

#[tokio::test]
async fn a_signed_out_person_answers_from_the_e_mail_link_on_a_phone() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let f = crate::answer_links::fixture(None).await;
    let (standup, _) = crate::answer_links::start(&f).await;
    let token = crate::answer_links::link_token(&f.app, "bob@links.example", &standup).await;

    browser.resize(390, 844).await;
    browser.goto(&f.app.url(&format!("/answer/{token}"))).await;
    browser.wait_present("[data-testid=answer-form]").await;
    browser
        .wait_text("[data-testid=answer-link-state]", "Not answered yet")
        .await;
    assert!(sideways_scroll(&browser).await <= 0, "scrolls sideways");
    browser.screenshot("answer-link-phone").await;

    // A required answer left blank is named next to its field.
    browser.click("[data-testid=submit-answers]").await;
    browser.wait_present("[data-testid=answer-0-error]").await;
    browser.fill("#answer-0", "Wrote the importer").await;
    browser.fill("#answer-1", "Waiting on review").await;
    browser.click("[data-testid=submit-answers]").await;
    browser
        .wait_text("[data-testid=toasts]", "Your answers are in")
        .await;
    browser
        .wait_text("[data-testid=answer-link-state]", "You answered")
        .await;
    // Edit them.
    browser
        .fill("#answer-0", "Wrote the importer and its docs")
        .await;
    browser.click("[data-testid=submit-answers]").await;
    browser
        .wait_text("[data-testid=submit-answers]", "Save changes")
        .await;
    browser.screenshot("answer-link-phone-answered").await;
    let mut saved = String::new();
    for _ in 0..50 {
        let body = f
            .app
            .graphql_as(
                &f.owner.token,
                "query($id: ID!) { standup(id: $id) { participations { user { email } answers { text } } } }",
                serde_json::json!({ "id": standup }),
            )
            .await;
        saved = body.to_string();
        if saved.contains("Wrote the importer and its docs") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(saved.contains("Wrote the importer and its docs"), "{saved}");

    // A broken link says so.
    browser
        .goto(&f.app.url(&format!("/answer/{}", &token[..40])))
        .await;
    browser
        .wait_present("[data-testid=answer-link-invalid]")
        .await;
    assert!(sideways_scroll(&browser).await <= 0, "scrolls sideways");
    browser.screenshot("answer-link-invalid").await;
    browser.quit().await;
}

#[tokio::test]
async fn signing_in_from_a_standup_link_lands_on_that_standup_even_in_another_organization() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    // Bob's first organization is his own ("Elsewhere"); the standup is in "Links".
    let f = crate::answer_links::fixture(None).await;
    let (standup, _) = crate::answer_links::start(&f).await;
    let path = format!("/standups/{standup}");

    browser.goto(&f.app.url(&path)).await;
    browser.wait_path("/sign-in").await;
    let next = browser.script_value("return window.location.search;").await;
    assert!(
        next.as_str()
            .unwrap_or_default()
            .contains("next=%2Fstandups%2F")
            || next
                .as_str()
                .unwrap_or_default()
                .contains("next=/standups/"),
        "{next}"
    );
    browser.fill("#email", "bob@links.example").await;
    browser.fill("#password", PASSWORD).await;
    browser.click("button[type=submit]").await;
    browser.wait_path(&path).await;
    browser.wait_present("[data-testid=answer-form]").await;
    browser
        .wait_text(
            "[data-testid=current-org], #org-switcher option:checked",
            "Links",
        )
        .await;
    browser.screenshot("sign-in-returns-to-standup").await;

    // A `next` that leaves the app is ignored.
    browser.click("[data-testid=user-menu]").await;
    browser.click("[data-testid=sign-out]").await;
    browser.wait_path("/sign-in").await;
    browser
        .goto(&f.app.url("/sign-in?next=//evil.example/x"))
        .await;
    browser.fill("#email", "bob@links.example").await;
    browser.fill("#password", PASSWORD).await;
    browser.click("button[type=submit]").await;
    browser.wait_path("/").await;
    browser.quit().await;
}

/// Polls a script until it returns `expected` (the page may still be rendering).
async fn wait_script(browser: &Browser, script: &str, expected: serde_json::Value) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let value = browser.script_value(script).await;
        if value == expected {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{script} gave {value}, expected {expected}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_member_sets_time_zone_and_work_days_on_the_account_page_and_sees_them_after_reload() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    signed_up_on_the_account_page(&browser, &app, "kavya", "Kavya Rao", "Chai Labs").await;
    browser.wait_present("#profile-timezone").await;

    // An unknown zone is named next to its field.
    browser.fill("#profile-timezone", "Mars/Olympus").await;
    browser.click("[data-testid=save-profile]").await;
    browser
        .wait_text("#profile-timezone-error", "Unknown IANA time zone")
        .await;

    // Kolkata, Sunday to Thursday.
    browser.fill("#profile-timezone", "Asia/Kolkata").await;
    browser.click("label[for=work-days-sun]").await;
    browser.click("label[for=work-days-fri]").await;
    browser.click("[data-testid=save-profile]").await;
    browser
        .wait_text("[data-testid=toasts]", "Your profile is saved")
        .await;
    browser.screenshot("account-profile").await;

    browser.reload().await;
    browser.wait_text("h1", "Your account").await;
    wait_script(
        &browser,
        "return document.getElementById('profile-timezone')?.value ?? null",
        serde_json::json!("Asia/Kolkata"),
    )
    .await;
    wait_script(
        &browser,
        "return ['mon','tue','wed','thu','fri','sat','sun'].map(d => document.getElementById('work-days-' + d)?.checked ?? null)",
        serde_json::json!([true, true, true, true, false, false, true]),
    )
    .await;
    browser.quit().await;
}

#[tokio::test]
async fn someone_added_to_the_team_is_asked_in_the_next_run_of_an_everyone_standup() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let _worker = app.start_worker().await;
    let owner = app.signed_up_owner().await;

    sign_in_in_ui(&browser, &app, &owner.email, &owner.org_name).await;
    browser.goto(&app.url("/teams")).await;
    create_team_in_ui(&browser, "Analytical Engine", "Europe/London").await;
    add_team_member_in_ui(&browser, "Ada Lovelace", &owner.email).await;

    // A new standup asks everyone in the team unless told otherwise.
    browser.click("a[href$='/standups/new']").await;
    browser.wait_present("#participants-everyone").await;
    let checked = browser
        .script_value("return document.getElementById('participants-everyone').checked;")
        .await;
    assert_eq!(checked, serde_json::json!(true), "everyone is the default");
    browser
        .wait_text("#participants-title", "Participants (everyone: 1)")
        .await;
    browser.click("[data-testid=save-config]").await;
    browser
        .wait_text("[data-testid=config-row]", "Classic daily standup")
        .await;

    // Someone joins the organization, then the team, after the standup was made.
    let newcomer_email = unique_email("charles");
    crate::members::join(&app, &owner, &newcomer_email, "MEMBER").await;
    browser.reload().await;
    add_team_member_in_ui(&browser, "Ada Lovelace", &newcomer_email).await;

    // The next run asks them too.
    browser.click("[data-testid=start-now]").await;
    browser
        .wait_text("[data-testid=standup-title]", "Classic daily standup")
        .await;
    browser
        .wait_present(&format!(
            "[data-testid=participation][data-email='{newcomer_email}'][data-state=PENDING]"
        ))
        .await;
    browser.screenshot("everyone-standup").await;
    browser.quit().await;
}

#[tokio::test]
async fn an_api_token_is_created_shown_once_and_revoked_on_the_account_page() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let email =
        signed_up_on_the_account_page(&browser, &app, "tokens", "Tess Token", "Scripts Inc").await;
    browser.wait_present("[data-testid=tokens-empty]").await;

    // A name is required.
    browser.click("[data-testid=token-create]").await;
    browser.wait_text("#token-name-error", "Is required").await;

    browser.fill("#token-name", "laptop cli").await;
    browser.select_text("#token-scope", "Read and write").await;
    browser.click("[data-testid=token-create]").await;
    browser
        .wait_text("[data-testid=token-dialog]", "You won't see it again")
        .await;
    let secret = browser
        .script_value("return document.querySelector('[data-testid=token-secret]').value;")
        .await;
    let secret = secret.as_str().expect("the secret").to_string();
    assert!(secret.starts_with("ast_"), "{secret}");
    browser.screenshot("account-api-token-created").await;

    // The token works as this person.
    let body = app
        .graphql_as(
            &secret,
            "{ viewer { user { email } } }",
            serde_json::json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["viewer"]["user"]["email"],
        email.as_str(),
        "{body}"
    );

    browser.click("[data-testid=token-done]").await;
    browser.wait_gone("[data-testid=token-dialog]").await;
    browser
        .wait_text("[data-testid=token-row]", "laptop cli")
        .await;
    browser
        .wait_text("[data-testid=token-row]", "Read and write")
        .await;

    // After a reload the list shows it, the secret nowhere.
    browser.reload().await;
    browser
        .wait_text("[data-testid=token-row]", "laptop cli")
        .await;
    let page = browser
        .script_value("return document.documentElement.outerHTML;")
        .await;
    assert!(
        !page.as_str().unwrap().contains(&secret[4..]),
        "secret shown again"
    );
    assert_eq!(browser.count("[data-testid=token-dialog]").await, 0);
    browser.screenshot("account-api-tokens").await;

    // Revoking asks first, then the token stops working.
    browser.click("[data-testid=token-revoke]").await;
    browser
        .wait_text("[data-testid=confirm-dialog]", "Revoke \"laptop cli\"?")
        .await;
    browser.click("[data-testid=confirm]").await;
    browser
        .wait_text("[data-testid=toasts]", "is revoked")
        .await;
    browser.wait_present("[data-testid=tokens-empty]").await;
    let body = app
        .graphql_as(
            &secret,
            "{ viewer { user { email } } }",
            serde_json::json!({}),
        )
        .await;
    assert_eq!(
        crate::helpers::error_code(&body),
        "UNAUTHENTICATED",
        "{body}"
    );

    browser.quit().await;
}

#[tokio::test]
async fn the_search_box_on_the_history_page_finds_an_answer() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let f = crate::standups::fixture(&app, false).await;
    let (standup, q) = crate::standups::start(&app, &f.owner.token, &f.config).await;
    let body = app
        .graphql_as(
            &f.ada.token,
            crate::standups::SUBMIT,
            crate::standups::answers(
                &standup,
                &q,
                &["Deployed the <b>billing</b> service", "none"],
            ),
        )
        .await;
    assert_eq!(body["data"]["submitAnswers"]["state"], "ANSWERED", "{body}");

    sign_in_in_ui(&browser, &app, "owner@a.example", "A").await;
    browser.resize(390, 844).await;
    browser
        .goto(&app.url(&format!("/teams/{}/history", f.team)))
        .await;
    browser.wait_present("#answer-search").await;

    // Nothing typed: named next to the box.
    browser.click("#answer-search-submit").await;
    browser
        .wait_text("#answer-search-error", "Enter a word")
        .await;

    browser.fill("#answer-search", "deploy").await;
    browser.click("#answer-search-submit").await;
    browser
        .wait_text("[data-testid=search-results] mark", "Deployed")
        .await;
    // The answer's markup never becomes elements.
    browser
        .wait_text("[data-testid=search-results]", "billing")
        .await;
    assert_eq!(browser.count("[data-testid=search-results] b").await, 0);
    browser
        .wait_text("[data-testid=search-results]", "Yesterday?")
        .await;
    assert!(sideways_scroll(&browser).await <= 0, "scrolls sideways");
    browser.screenshot("history-answer-search").await;

    // The result links to its standup.
    browser.click("[data-testid=search-results] a").await;
    browser.wait_path(&format!("/standups/{standup}")).await;

    browser
        .goto(&app.url(&format!("/teams/{}/history", f.team)))
        .await;
    browser.wait_present("#answer-search").await;
    browser.fill("#answer-search", "vacation").await;
    browser.click("#answer-search-submit").await;
    browser
        .wait_text(
            "[data-testid=search-empty]",
            "No answers match \u{201c}vacation\u{201d}",
        )
        .await;

    // The page's filters narrow the search: Bob wrote nothing about deploys, Ada did.
    // (Closed, the standup lists both in the Person filter.)
    let body = app
        .graphql_as(
            &f.owner.token,
            "mutation($id: ID!) { closeStandup(standupId: $id) { state } }",
            serde_json::json!({ "id": standup }),
        )
        .await;
    assert_eq!(body["data"]["closeStandup"]["state"], "CLOSED", "{body}");
    browser.reload().await;
    browser
        .wait_present(&format!(
            "#history-person option[value='{}']",
            f.bob.user_id
        ))
        .await;
    browser.fill("#answer-search", "deploy").await;
    browser.click("#answer-search-submit").await;
    browser
        .wait_text("[data-testid=search-results] mark", "Deployed")
        .await;
    // (Everyone here is called Ada Lovelace: the person is picked by id.)
    let pick = |id: &str| {
        format!(
            "const s = document.querySelector('#history-person'); s.value = '{id}'; \
             s.dispatchEvent(new Event('change', {{ bubbles: true }})); return s.value;"
        )
    };
    browser.script_value(&pick(&f.bob.user_id)).await;
    browser.wait_present("[data-testid=search-empty]").await;
    browser.script_value(&pick(&f.ada.user_id)).await;
    browser
        .wait_text("[data-testid=search-results] mark", "Deployed")
        .await;
    browser.quit().await;
}

#[tokio::test]
async fn an_answer_with_a_blocker_shows_on_the_team_page_until_someone_resolves_it() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let owner = app.sign_up(&unique_email("blocked"), "Blocked Inc").await;
    let team = crate::teams::create_team(&app, &owner.token, "Platform").await;
    crate::teams::add_member(&app, &owner.token, &team, &owner.user_id).await;
    let body = app
        .graphql_as(
            &owner.token,
            "mutation($input: CreateStandupConfigInput!) { createStandupConfig(input: $input) { id } }",
            serde_json::json!({ "input": {
                "teamId": team, "name": "Daily", "weekdays": ["MON"], "timeOfDay": "09:00",
                "responseWindowMinutes": 240, "delivery": ["WEB"],
                "questions": [
                    { "prompt": "Yesterday?", "kind": "TEXT" },
                    { "prompt": "Blockers?", "kind": "BLOCKER" }
                ],
                "participantIds": [owner.user_id]
            } }),
        )
        .await;
    let config = body["data"]["createStandupConfig"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_string();
    let (standup, _) = crate::standups::start(&app, &owner.token, &config).await;

    // Answer on the standup page, with a blocker.
    sign_in_in_ui(&browser, &app, &owner.email, &owner.org_name).await;
    browser
        .goto(&app.url(&format!("/standups/{standup}")))
        .await;
    browser.fill("#answer-0", "Migrations").await;
    // "No blockers" fills in the answer that opens none; Ada changes her mind.
    browser.click("[data-testid=no-blockers-1]").await;
    wait_script(
        &browser,
        "return document.querySelector('#answer-1').value",
        serde_json::json!("None"),
    )
    .await;
    browser.fill("#answer-1", "Waiting on DB access").await;
    browser.click("[data-testid=submit-answers]").await;
    browser
        .wait_text("[data-testid=toasts]", "Your answers are in")
        .await;

    // Back on the standup, it asks whether the blocker still holds; "Still blocked"
    // keeps it open.
    browser.reload().await;
    browser
        .wait_text("[data-testid=my-blocker]", "Waiting on DB access")
        .await;
    browser.click("[data-testid=still-blocked]").await;
    browser.wait_gone("[data-testid=my-blockers]").await;

    // The team page lists it, with its owner and age.
    browser.goto(&app.url(&format!("/teams/{team}"))).await;
    browser
        .wait_text("[data-testid=team-blocker]", "Waiting on DB access")
        .await;
    browser
        .wait_text("[data-testid=team-blocker]", "open since today")
        .await;
    browser.screenshot("team-open-blockers").await;

    // Resolve it with a note: it leaves the list.
    browser.click("[data-testid=blocker-resolve]").await;
    browser.fill("#blocker-note", "DBA granted access").await;
    browser.click("[data-testid=blocker-resolve-confirm]").await;
    browser.wait_text("[data-testid=toasts]", "resolved").await;
    browser.wait_present("[data-testid=blockers-empty]").await;
    let body = app
        .graphql_as(
            &owner.token,
            "query($team: ID!) { blockers(teamId: $team) { nodes { status resolutionNote } } }",
            serde_json::json!({ "team": team }),
        )
        .await;
    assert_eq!(
        body["data"]["blockers"]["nodes"],
        serde_json::json!([{ "status": "RESOLVED", "resolutionNote": "DBA granted access" }]),
        "{body}"
    );

    browser.quit().await;
}
