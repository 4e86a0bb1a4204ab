//! Slack's request signing (version `v0`), checked on every request Slack sends us.
//!
//! Slack signs each request with the app's signing secret:
//!
//! ```text
//! X-Slack-Request-Timestamp: 1531420618
//! X-Slack-Signature: v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503
//! ```
//!
//! The signature is the lowercase hex HMAC-SHA256, keyed with the signing secret, of
//! `"v0:" + timestamp + ":" + raw body`. [`verify`] recomputes it over the raw bytes (read
//! before any parsing), compares in constant time, and refuses a timestamp more than
//! [`MAX_AGE_SECS`] from now, so a captured request cannot be replayed later.
//!
//! [`SlackClient`] calls Slack's Web API at a configurable base URL
//! (`SLACK_API_BASE_URL`), so tests run it against a local server speaking Slack's shapes.

use crate::webhook::keyed;
use hmac::Mac;
use serde::Deserialize;
use std::fmt;
use std::time::Duration;

/// The bot scopes the app asks for (docs/slack.md says what each is for).
pub const BOT_SCOPES: &str =
    "chat:write,im:write,users:read,users:read.email,channels:read,groups:read,commands";

/// The page an install sends the browser to: Slack's authorize URL with the app's client
/// id, [`BOT_SCOPES`], where Slack sends the browser back, and the install's `state`.
#[must_use]
pub fn authorize_url(authorize: &str, client_id: &str, redirect_uri: &str, state: &str) -> String {
    let params = [
        ("client_id", client_id),
        ("scope", BOT_SCOPES),
        ("redirect_uri", redirect_uri),
        ("state", state),
    ];
    match reqwest::Url::parse_with_params(authorize, &params) {
        Ok(url) => url.to_string(),
        // SLACK_AUTHORIZE_URL is checked at start; unreachable in practice.
        Err(_) => authorize.to_owned(),
    }
}

/// What a bot token is sealed to: its organization, so a sealed token moved to another
/// organization's row does not open.
#[must_use]
pub fn token_context(org: schema::ids::OrganizationId) -> Vec<u8> {
    format!("slack-bot-token:{org}").into_bytes()
}

/// A call to Slack's Web API that did not succeed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlackError {
    /// Slack could not be reached, or answered something that is not its JSON.
    #[error("Slack could not be reached: {0}")]
    Unreachable(String),
    /// Slack answered `429 Too Many Requests`.
    #[error("Slack asks to retry after {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// Slack answered `ok: false` with this `error` (e.g. `invalid_code`).
    #[error("Slack refused: {0}")]
    Refused(String),
    /// Slack answered with this 5xx status: try again later.
    #[error("Slack answered {0}")]
    Unavailable(u16),
}

impl SlackError {
    /// Whether the error says the bot token no longer works (`invalid_auth`,
    /// `account_inactive`, `token_revoked`, `token_expired`, `not_authed`): the install
    /// is over and deliveries fall back to e-mail.
    #[must_use]
    pub fn token_is_dead(&self) -> bool {
        matches!(self, Self::Refused(error) if matches!(
            error.as_str(),
            "invalid_auth" | "account_inactive" | "token_revoked" | "token_expired" | "not_authed"
        ))
    }
}

/// One page of a paged Web API method.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// The cursor of the next page; `None` on the last.
    pub next_cursor: Option<String>,
}

/// A person in the workspace (`users.list`).
#[derive(Debug, Clone, Deserialize)]
pub struct SlackMember {
    pub id: String,
    #[serde(default)]
    pub deleted: bool,
    #[serde(default)]
    pub is_bot: bool,
    #[serde(default)]
    pub profile: MemberProfile,
}

/// The part of a Slack profile we read.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct MemberProfile {
    pub email: Option<String>,
}

/// A channel the app can post to (`conversations.list`).
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub struct SlackChannel {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub is_private: bool,
}

#[derive(Deserialize)]
struct UsersPage {
    #[serde(default)]
    members: Vec<SlackMember>,
    #[serde(default)]
    response_metadata: ResponseMetadata,
}

#[derive(Deserialize)]
struct ChannelsPage {
    #[serde(default)]
    channels: Vec<SlackChannel>,
    #[serde(default)]
    response_metadata: ResponseMetadata,
}

#[derive(Default, Deserialize)]
struct ResponseMetadata {
    #[serde(default)]
    next_cursor: String,
}

impl ResponseMetadata {
    fn next_cursor(self) -> Option<String> {
        Some(self.next_cursor).filter(|cursor| !cursor.is_empty())
    }
}

#[derive(Deserialize)]
struct Posted {
    ts: String,
}

/// What `oauth.v2.access` gives for an installed app. Its `Debug` leaves the token out.
#[derive(Clone, Deserialize)]
pub struct OAuthAccess {
    /// The bot token (`xoxb-…`): a secret.
    pub access_token: String,
    pub bot_user_id: String,
    pub team: Workspace,
}

impl fmt::Debug for OAuthAccess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthAccess")
            .field("bot_user_id", &self.bot_user_id)
            .field("team", &self.team)
            .finish_non_exhaustive()
    }
}

/// A Slack workspace ("team" in Slack's API).
#[derive(Debug, Clone, Deserialize)]
pub struct Workspace {
    pub id: String,
    pub name: String,
}

/// Slack's Web API at `base_url` (`https://slack.com/api` in production).
#[derive(Debug, Clone)]
pub struct SlackClient {
    http: reqwest::Client,
    base_url: String,
}

impl SlackClient {
    /// # Errors
    /// The HTTP client cannot be built (no TLS backend).
    pub fn new(base_url: &str) -> Result<Self, SlackError> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| SlackError::Unreachable(e.to_string()))?;
        Ok(Self {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
        })
    }

    /// `oauth.v2.access`: exchanges an install's `code` for the bot token.
    ///
    /// # Errors
    /// [`SlackError`].
    pub async fn oauth_access(
        &self,
        client_id: &str,
        client_secret: &str,
        code: &str,
        redirect_uri: &str,
    ) -> Result<OAuthAccess, SlackError> {
        let request = self.http.post(self.url("oauth.v2.access")).form(&[
            ("client_id", client_id),
            ("client_secret", client_secret),
            ("code", code),
            ("redirect_uri", redirect_uri),
        ]);
        self.call(request).await
    }

    /// `auth.revoke`: ends the bot token (on disconnect).
    ///
    /// # Errors
    /// [`SlackError`].
    pub async fn auth_revoke(&self, token: &str) -> Result<(), SlackError> {
        let request = self.http.post(self.url("auth.revoke")).bearer_auth(token);
        self.call::<serde_json::Value>(request).await.map(|_| ())
    }

    /// `users.list`, one page (`cursor` from the previous page's answer): the workspace's
    /// people, and the next page's cursor when there is one.
    ///
    /// # Errors
    /// [`SlackError`].
    pub async fn users_list(
        &self,
        token: &str,
        cursor: Option<&str>,
    ) -> Result<Page<SlackMember>, SlackError> {
        let mut form = vec![("limit", "200")];
        if let Some(cursor) = cursor {
            form.push(("cursor", cursor));
        }
        let request = self
            .http
            .post(self.url("users.list"))
            .bearer_auth(token)
            .form(&form);
        let page: UsersPage = self.call(request).await?;
        Ok(Page {
            items: page.members,
            next_cursor: page.response_metadata.next_cursor(),
        })
    }

    /// `conversations.list`, one page of the channels the app can see (public and
    /// private, not archived).
    ///
    /// # Errors
    /// [`SlackError`].
    pub async fn conversations_list(
        &self,
        token: &str,
        cursor: Option<&str>,
    ) -> Result<Page<SlackChannel>, SlackError> {
        let mut form = vec![
            ("limit", "200"),
            ("exclude_archived", "true"),
            ("types", "public_channel,private_channel"),
        ];
        if let Some(cursor) = cursor {
            form.push(("cursor", cursor));
        }
        let request = self
            .http
            .post(self.url("conversations.list"))
            .bearer_auth(token)
            .form(&form);
        let page: ChannelsPage = self.call(request).await?;
        Ok(Page {
            items: page.channels,
            next_cursor: page.response_metadata.next_cursor(),
        })
    }

    /// `conversations.open`: the DM channel between the bot and `user`.
    ///
    /// # Errors
    /// [`SlackError`].
    pub async fn conversations_open(&self, token: &str, user: &str) -> Result<String, SlackError> {
        #[derive(Deserialize)]
        struct Opened {
            channel: Channel,
        }
        #[derive(Deserialize)]
        struct Channel {
            id: String,
        }
        let opened: Opened = self
            .post_json(
                token,
                "conversations.open",
                &serde_json::json!({ "users": user }),
            )
            .await?;
        Ok(opened.channel.id)
    }

    /// `chat.postMessage`: posts `message` (`text`, `blocks`, and `thread_ts` for a reply)
    /// to `channel`; returns the message's `ts`.
    ///
    /// # Errors
    /// [`SlackError`].
    pub async fn chat_post_message(
        &self,
        token: &str,
        channel: &str,
        message: &serde_json::Value,
    ) -> Result<String, SlackError> {
        let mut body = message.clone();
        body["channel"] = channel.into();
        let posted: Posted = self.post_json(token, "chat.postMessage", &body).await?;
        Ok(posted.ts)
    }

    /// `chat.update`: replaces message `ts` in `channel` with `message`.
    ///
    /// # Errors
    /// [`SlackError`].
    pub async fn chat_update(
        &self,
        token: &str,
        channel: &str,
        ts: &str,
        message: &serde_json::Value,
    ) -> Result<(), SlackError> {
        let mut body = message.clone();
        body["channel"] = channel.into();
        body["ts"] = ts.into();
        self.post_json::<Posted>(token, "chat.update", &body)
            .await
            .map(|_| ())
    }

    /// `views.open`: opens the modal `view` for the click that gave `trigger_id`.
    ///
    /// # Errors
    /// [`SlackError`].
    pub async fn views_open(
        &self,
        token: &str,
        trigger_id: &str,
        view: &serde_json::Value,
    ) -> Result<(), SlackError> {
        let body = serde_json::json!({ "trigger_id": trigger_id, "view": view });
        self.post_json::<serde_json::Value>(token, "views.open", &body)
            .await
            .map(|_| ())
    }

    async fn post_json<T: serde::de::DeserializeOwned>(
        &self,
        token: &str,
        method: &str,
        body: &serde_json::Value,
    ) -> Result<T, SlackError> {
        let request = self
            .http
            .post(self.url(method))
            .bearer_auth(token)
            .json(body);
        self.call(request).await
    }

    fn url(&self, method: &str) -> String {
        format!("{}/{method}", self.base_url)
    }

    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<T, SlackError> {
        let response = request
            .send()
            .await
            .map_err(|e| SlackError::Unreachable(e.without_url().to_string()))?;
        if response.status().is_server_error() {
            return Err(SlackError::Unavailable(response.status().as_u16()));
        }
        if response.status() == reqwest::StatusCode::TOO_MANY_REQUESTS {
            let retry_after_secs = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(1);
            return Err(SlackError::RateLimited { retry_after_secs });
        }
        let status = response.status();
        let body: serde_json::Value = response.json().await.map_err(|_| {
            SlackError::Unreachable(format!("Slack answered {status} without JSON"))
        })?;
        if body["ok"] != serde_json::Value::Bool(true) {
            let error = body["error"].as_str().unwrap_or("unknown_error");
            return Err(SlackError::Refused(error.to_owned()));
        }
        serde_json::from_value(body)
            .map_err(|e| SlackError::Unreachable(format!("unexpected answer from Slack: {e}")))
    }
}

/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "X-Slack-Signature";
/// The header carrying the request's unix time.
pub const TIMESTAMP_HEADER: &str = "X-Slack-Request-Timestamp";
/// How far a request's timestamp may be from our clock: five minutes, as Slack advises.
pub const MAX_AGE_SECS: i64 = 300;

/// Why a request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureError {
    /// No timestamp or no signature header.
    Missing,
    /// The timestamp is not unix seconds, or the signature not `v0=` and hex.
    Malformed,
    /// The timestamp is more than [`MAX_AGE_SECS`] from now.
    Stale,
    /// The signature does not match the body under the signing secret.
    Mismatch,
}

impl fmt::Display for SignatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Missing => "the Slack signature or timestamp header is missing",
            Self::Malformed => "the Slack signature or timestamp header is malformed",
            Self::Stale => "the Slack request timestamp is more than 5 minutes from now",
            Self::Mismatch => "the Slack signature does not match the request",
        })
    }
}

impl std::error::Error for SignatureError {}

/// The [`SIGNATURE_HEADER`] value Slack sends for `body` at `timestamp`.
#[must_use]
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let bytes = payload(secret, &timestamp.to_string(), body)
        .finalize()
        .into_bytes();
    format!("v0={}", hex::encode(bytes))
}

/// Checks a request: `timestamp` and `signature` are the raw header values (when
/// present), `body` the raw bytes, `now` our clock in unix seconds.
///
/// # Errors
/// The first reason the request is not Slack's (see [`SignatureError`]).
pub fn verify(
    secret: &[u8],
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    now: i64,
) -> Result<(), SignatureError> {
    let (Some(timestamp), Some(signature)) = (timestamp, signature) else {
        return Err(SignatureError::Missing);
    };
    let timestamp = timestamp.trim();
    let seconds: i64 = timestamp.parse().map_err(|_| SignatureError::Malformed)?;
    let expected = signature
        .trim()
        .strip_prefix("v0=")
        .and_then(|hex_digits| hex::decode(hex_digits).ok())
        .ok_or(SignatureError::Malformed)?;
    payload(secret, timestamp, body)
        .verify_slice(&expected)
        .map_err(|_| SignatureError::Mismatch)?;
    // Judged after the MAC, so "stale" is only ever said of an authentic request.
    if (now - seconds).abs() > MAX_AGE_SECS {
        return Err(SignatureError::Stale);
    }
    Ok(())
}

fn payload(secret: &[u8], timestamp: &str, body: &[u8]) -> crate::webhook::HmacSha256 {
    let mut mac = keyed(secret);
    mac.update(b"v0:");
    mac.update(timestamp.as_bytes());
    mac.update(b":");
    mac.update(body);
    mac
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    // Slack's own example (api.slack.com, "Verifying requests from Slack").
    const SECRET: &[u8] = b"8f742231b10e8888abcd99yyyzzz85a5";
    const TIMESTAMP: i64 = 1_531_420_618;
    const BODY: &[u8] = b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    const EXPECTED: &str = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

    #[test]
    fn signs_slacks_documented_example() {
        assert_eq!(sign(SECRET, TIMESTAMP, BODY), EXPECTED);
        let ts = TIMESTAMP.to_string();
        assert_eq!(
            verify(SECRET, Some(&ts), Some(EXPECTED), BODY, TIMESTAMP + 10),
            Ok(())
        );
    }

    #[test]
    fn refuses_what_slack_did_not_send() {
        let ts = TIMESTAMP.to_string();
        let now = TIMESTAMP;
        assert_eq!(
            verify(SECRET, None, Some(EXPECTED), BODY, now),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify(SECRET, Some(&ts), None, BODY, now),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify(b"another secret", Some(&ts), Some(EXPECTED), BODY, now),
            Err(SignatureError::Mismatch)
        );
        let mut changed = BODY.to_vec();
        changed[6] = b'X';
        assert_eq!(
            verify(SECRET, Some(&ts), Some(EXPECTED), &changed, now),
            Err(SignatureError::Mismatch)
        );
        let later = (TIMESTAMP + 1).to_string();
        assert_eq!(
            verify(SECRET, Some(&later), Some(EXPECTED), BODY, now),
            Err(SignatureError::Mismatch)
        );
        for bad in ["v1=00", "v0=zz", "a2114d57", ""] {
            assert_eq!(
                verify(SECRET, Some(&ts), Some(bad), BODY, now),
                Err(SignatureError::Malformed),
                "{bad}"
            );
        }
        assert_eq!(
            verify(SECRET, Some("yesterday"), Some(EXPECTED), BODY, now),
            Err(SignatureError::Malformed)
        );
    }

    #[test]
    fn a_request_older_or_newer_than_five_minutes_is_stale() {
        let ts = TIMESTAMP.to_string();
        for now in [TIMESTAMP + 6 * 60, TIMESTAMP - 6 * 60] {
            assert_eq!(
                verify(SECRET, Some(&ts), Some(EXPECTED), BODY, now),
                Err(SignatureError::Stale)
            );
        }
        assert_eq!(
            verify(SECRET, Some(&ts), Some(EXPECTED), BODY, TIMESTAMP + 300),
            Ok(())
        );
    }
}

/// Opens `workspace`'s sealed bot token (sealed to its organization).
///
/// # Errors
/// The token does not open under `secrets` (another `SECRETS_KEY`, or a row moved).
pub fn bot_token(
    secrets: &crate::secrets::SecretBox,
    workspace: &crate::db::slack::SlackWorkspace,
) -> Result<String, crate::secrets::SecretError> {
    secrets.open(&workspace.bot_token, &token_context(workspace.org_id))
}

/// Why matching members to Slack users failed.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Slack(#[from] SlackError),
    #[error(transparent)]
    Db(#[from] crate::db::DbError),
}

/// The most pages of `users.list` one sync reads (200 people each).
pub const MAX_USER_PAGES: usize = 500;

/// Matches `org`'s ACTIVE members to the people of its workspace by e-mail (any case),
/// reading `users.list` page by page with `token`; deleted users and bots are left out.
/// The matches replace the previous ones. Returns how many members are matched.
///
/// # Errors
/// [`SyncError`]: Slack refused or could not be reached (nothing changes), or the database.
pub async fn sync_members(
    conn: &mut diesel_async::AsyncPgConnection,
    client: &SlackClient,
    org: schema::ids::OrganizationId,
    token: &str,
) -> Result<usize, SyncError> {
    let mut by_email = std::collections::HashMap::new();
    let mut cursor: Option<String> = None;
    for _ in 0..MAX_USER_PAGES {
        let page = client.users_list(token, cursor.as_deref()).await?;
        for person in page.items {
            if person.deleted || person.is_bot {
                continue;
            }
            if let Some(email) = person.profile.email {
                by_email.insert(email.trim().to_lowercase(), person.id);
            }
        }
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let matches: Vec<(schema::ids::UserId, String)> = crate::db::slack::member_emails(conn, org)
        .await?
        .into_iter()
        .filter_map(|(user, email)| {
            by_email
                .get(&email.trim().to_lowercase())
                .map(|slack_user| (user, slack_user.clone()))
        })
        .collect();
    Ok(crate::db::slack::replace_matches(conn, org, &matches).await?)
}
