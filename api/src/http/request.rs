//! What the HTTP layer hands to GraphQL: request facts and the verified caller.

use crate::auth::{ApiTokenAuth, AuthState, Caller, refresh};
use crate::config::Settings;
use crate::service::api_tokens;
use crate::state::{AppState, RequestMeta};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderMap};
use actix_web::{HttpMessage, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use schema::validation::{USER_AGENT_MAX_CHARS, truncate_chars};
use serde_json::json;
use std::net::IpAddr;

/// The client's address: the peer, or with `TRUST_PROXY=true` the address our own proxies
/// recorded. Each proxy appends the address it saw to `X-Forwarded-For`, so everything left
/// of the last `TRUSTED_PROXY_HOPS` entries was written by the client and is ignored; the
/// entry that many places from the right is the client. `Forwarded` is read instead only
/// with `TRUST_FORWARDED_HEADER=true`. Anything missing, too short or malformed: the peer.
pub fn client_ip(req: &HttpRequest, settings: &Settings) -> String {
    let peer = req.peer_addr().map(|a| a.ip());
    let forwarded = if settings.trust_proxy {
        let proxy = &settings.deployment;
        forwarded_client(
            req.headers(),
            proxy.trusted_proxy_hops,
            proxy.trust_forwarded_header,
        )
    } else {
        None
    };
    match forwarded.or(peer) {
        Some(ip) => ip.to_canonical().to_string(),
        None => "unknown".into(),
    }
}

/// The address `hops` entries from the right of `X-Forwarded-For` (or of `Forwarded`'s
/// `for=` when `use_forwarded`), across every line of the header; `None` when the header
/// is missing, has fewer entries, or that entry is not an IP address.
fn forwarded_client(headers: &HeaderMap, hops: usize, use_forwarded: bool) -> Option<IpAddr> {
    let name = if use_forwarded {
        header::FORWARDED
    } else {
        header::X_FORWARDED_FOR
    };
    let mut entries = Vec::new();
    for line in headers.get_all(name) {
        entries.extend(line.to_str().ok()?.split(','));
    }
    let entry = entries.len().checked_sub(hops).map(|i| entries[i])?;
    let address = if use_forwarded {
        // `for=192.0.2.60;proto=https`, `for="[2001:db8::17]:4711"`.
        entry.split(';').find_map(|pair| {
            let (key, value) = pair.split_once('=')?;
            key.trim().eq_ignore_ascii_case("for").then_some(value)
        })?
    } else {
        entry
    };
    parse_address(address)
}

/// `192.0.2.1`, `192.0.2.1:443`, `2001:db8::1`, `[2001:db8::1]` or `[2001:db8::1]:443`,
/// optionally quoted.
fn parse_address(raw: &str) -> Option<IpAddr> {
    let raw = raw.trim();
    let raw = raw
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .unwrap_or(raw);
    if let Some(rest) = raw.strip_prefix('[') {
        let (inside, after) = rest.split_once(']')?;
        if !(after.is_empty() || is_port(after.strip_prefix(':')?)) {
            return None;
        }
        return inside.parse::<std::net::Ipv6Addr>().ok().map(IpAddr::V6);
    }
    if let Ok(ip) = raw.parse::<IpAddr>() {
        return Some(ip);
    }
    let (host, port) = raw.split_once(':')?;
    if !is_port(port) {
        return None;
    }
    host.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
}

fn is_port(text: &str) -> bool {
    text.parse::<u16>().is_ok() && text.bytes().all(|b| b.is_ascii_digit())
}

pub fn meta(req: &HttpRequest, state: &AppState) -> RequestMeta {
    // Each borrow of the request's extensions ends before the next (cookies use them too).
    let request_id = req
        .extensions()
        .get::<tracing_actix_web::RequestId>()
        .map(|id| id.to_string());
    let refresh_token = req
        .cookie(refresh::cookie_name(state.settings.secure_cookies()))
        .map(|c| c.value().to_string())
        .filter(|v| !v.is_empty());
    RequestMeta {
        ip: client_ip(req, &state.settings),
        user_agent: req
            .headers()
            .get("user-agent")
            .and_then(|v| v.to_str().ok())
            // Stored with sessions and audit rows: bounded like every other input.
            .map(|ua| truncate_chars(ua, USER_AGENT_MAX_CHARS).to_string()),
        request_id,
        refresh_token,
    }
}

/// Reads `Authorization: Bearer ...`; a header that does not verify is `Invalid`, never anonymous.
pub fn auth_state(authorization: Option<&str>, state: &AppState) -> AuthState {
    let Some(value) = authorization else {
        return AuthState::Anonymous;
    };
    match verify_bearer(value, state) {
        Ok((caller, _)) => AuthState::Verified(caller),
        Err(reason) => AuthState::Invalid(reason),
    }
}

/// Verifies an `Authorization` value (`Bearer <token>`): the caller and when the token expires.
pub fn verify_bearer(value: &str, state: &AppState) -> Result<(Caller, DateTime<Utc>), String> {
    let Some(token) = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
    else {
        return Err("Authorization must be 'Bearer <token>'".into());
    };
    state.jwt.verify_until(token.trim()).inspect_err(|reason| {
        tracing::debug!(%reason, "access token rejected");
    })
}

/// Who the request's `Authorization` header proves the caller to be: an access JWT
/// (checked here, its session later), or a personal API token `ast_…` (looked up in
/// PostgreSQL now: revoked, expired, suspended or removed means `Invalid`), then with
/// the token's id and scope. Every HTTP handler that accepts API tokens calls this.
pub async fn authenticate(
    req: &HttpRequest,
    state: &AppState,
) -> (AuthState, Option<ApiTokenAuth>) {
    let authorization = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok());
    let token = authorization.and_then(|value| {
        value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|credential| api_tokens::is_api_token(credential))
    });
    let Some(secret) = token else {
        return (auth_state(authorization, state), None);
    };
    match api_tokens::authenticate(state, secret).await {
        Ok(Some(found)) => (
            AuthState::Verified(found.caller),
            Some(ApiTokenAuth {
                id: found.id,
                scope: found.scope,
            }),
        ),
        Ok(None) => (
            AuthState::Invalid("invalid, revoked or expired API token".into()),
            None,
        ),
        Err(e) => {
            tracing::error!(error = %e, "could not check an API token");
            (
                AuthState::Invalid("the API token could not be checked; try again".into()),
                None,
            )
        }
    }
}

/// A GraphQL-shaped error for failures before execution (content type, size, method, rate).
pub fn graphql_error(status: StatusCode, code: &str, message: &str) -> HttpResponse {
    HttpResponse::build(status).json(json!({
        "errors": [{ "message": message, "extensions": { "code": code } }]
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    const PEER: &str = "198.51.100.9:50000";

    fn settings(pairs: &[(&str, &str)]) -> Settings {
        let mut vars: std::collections::HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        vars.insert("JWT_SECRET".into(), "s".repeat(32));
        Settings::from_map(&vars).unwrap()
    }

    fn ip(settings: &Settings, headers: &[(&str, &str)]) -> String {
        let mut req = TestRequest::default().peer_addr(PEER.parse().unwrap());
        for (name, value) in headers {
            req = req.append_header((*name, *value));
        }
        client_ip(&req.to_http_request(), settings)
    }

    #[test]
    fn without_trust_proxy_headers_are_ignored() {
        let s = settings(&[]);
        assert_eq!(
            ip(&s, &[("x-forwarded-for", "203.0.113.7")]),
            "198.51.100.9"
        );
        assert_eq!(ip(&s, &[("forwarded", "for=203.0.113.7")]), "198.51.100.9");
    }

    #[test]
    fn the_entry_our_proxy_appended_wins_over_what_the_client_wrote() {
        let s = settings(&[("TRUST_PROXY", "true")]);
        // The client sent "X-Forwarded-For: 1.2.3.4"; our proxy appended the real address.
        assert_eq!(
            ip(&s, &[("x-forwarded-for", "1.2.3.4, 203.0.113.7")]),
            "203.0.113.7"
        );
        // Several header lines count as one list, in order.
        assert_eq!(
            ip(
                &s,
                &[
                    ("x-forwarded-for", "1.2.3.4"),
                    ("x-forwarded-for", "203.0.113.7")
                ]
            ),
            "203.0.113.7"
        );
        // Ports and brackets are dropped; IPv4-mapped IPv6 is the IPv4 address.
        assert_eq!(
            ip(&s, &[("x-forwarded-for", "203.0.113.7:4711")]),
            "203.0.113.7"
        );
        assert_eq!(
            ip(&s, &[("x-forwarded-for", "[2001:db8::7]:443")]),
            "2001:db8::7"
        );
        assert_eq!(ip(&s, &[("x-forwarded-for", "2001:db8::7")]), "2001:db8::7");
        assert_eq!(
            ip(&s, &[("x-forwarded-for", "::ffff:203.0.113.7")]),
            "203.0.113.7"
        );
    }

    #[test]
    fn two_hops_take_the_second_entry_from_the_right() {
        let s = settings(&[("TRUST_PROXY", "true"), ("TRUSTED_PROXY_HOPS", "2")]);
        assert_eq!(
            ip(&s, &[("x-forwarded-for", "1.2.3.4, 203.0.113.7, 10.0.0.2")]),
            "203.0.113.7"
        );
        // Fewer entries than trusted hops: the header cannot be ours, so the peer.
        assert_eq!(
            ip(&s, &[("x-forwarded-for", "203.0.113.7")]),
            "198.51.100.9"
        );
    }

    #[test]
    fn malformed_or_missing_entries_fall_back_to_the_peer() {
        let s = settings(&[("TRUST_PROXY", "true")]);
        for bad in [
            "1.2.3.4, not-an-address",
            "1.2.3.4, ",
            "203.0.113.7:port",
            "[2001:db8::7",
            "[2001:db8::7]x",
            "unknown",
            "1.2.3.4, 203.0.113.7:1:2",
        ] {
            assert_eq!(ip(&s, &[("x-forwarded-for", bad)]), "198.51.100.9", "{bad}");
        }
        assert_eq!(ip(&s, &[]), "198.51.100.9");
    }

    #[test]
    fn forwarded_is_ignored_unless_configured() {
        let s = settings(&[("TRUST_PROXY", "true")]);
        assert_eq!(
            ip(&s, &[("forwarded", "for=203.0.113.7;proto=https")]),
            "198.51.100.9"
        );
        assert_eq!(
            ip(
                &s,
                &[
                    ("forwarded", "for=192.0.2.1"),
                    ("x-forwarded-for", "1.2.3.4, 203.0.113.8")
                ]
            ),
            "203.0.113.8"
        );
    }

    #[test]
    fn forwarded_is_honoured_when_configured() {
        let s = settings(&[("TRUST_PROXY", "true"), ("TRUST_FORWARDED_HEADER", "true")]);
        assert_eq!(
            ip(
                &s,
                &[
                    (
                        "forwarded",
                        "for=1.2.3.4, for=\"[2001:db8:cafe::17]:4711\";proto=https"
                    ),
                    ("x-forwarded-for", "192.0.2.99")
                ]
            ),
            "2001:db8:cafe::17"
        );
        assert_eq!(
            ip(&s, &[("forwarded", "proto=https;For=203.0.113.7:80")]),
            "203.0.113.7"
        );
        // Obfuscated or missing `for`: the peer; X-Forwarded-For is not consulted.
        assert_eq!(ip(&s, &[("forwarded", "for=_hidden")]), "198.51.100.9");
        assert_eq!(ip(&s, &[("forwarded", "proto=https")]), "198.51.100.9");
        assert_eq!(
            ip(&s, &[("x-forwarded-for", "203.0.113.7")]),
            "198.51.100.9"
        );
    }
}
