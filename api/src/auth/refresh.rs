//! Refresh tokens: 256 random bits, only their SHA-256 stored; sent as an httpOnly,
//! SameSite=Strict cookie. Over https it is `__Host-asyncstand_refresh` (Secure, `Path=/`,
//! no Domain: the browser then refuses it from a subdomain or over http); over plain http
//! (development) it is `asyncstand_refresh`, scoped to `/graphql`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::time::Duration;

/// The cookie's name over plain http.
pub const COOKIE_NAME: &str = "asyncstand_refresh";
pub const COOKIE_PATH: &str = "/graphql";
/// The cookie's name over https: the `__Host-` prefix binds it to this exact origin.
pub const HOST_COOKIE_NAME: &str = "__Host-asyncstand_refresh";

/// The cookie's name: `__Host-` prefixed when `secure` (the public URL is https).
pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        HOST_COOKIE_NAME
    } else {
        COOKIE_NAME
    }
}

/// Name, path and attributes shared by setting and clearing the cookie.
fn attributes(secure: bool) -> (&'static str, &'static str, &'static str) {
    if secure {
        // `__Host-` requires Secure and Path=/ (and forbids Domain).
        (HOST_COOKIE_NAME, "/", "; Secure")
    } else {
        (COOKIE_NAME, COOKIE_PATH, "")
    }
}

/// A new token (to hand out) and its hash (to store).
pub fn generate() -> (String, Vec<u8>) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash(&token);
    (token, hash)
}

pub fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// `Set-Cookie` value carrying a refresh token.
pub fn cookie(token: &str, max_age: Duration, secure: bool) -> String {
    let (name, path, flag) = attributes(secure);
    format!(
        "{name}={token}; Path={path}; Max-Age={}; HttpOnly; SameSite=Strict{flag}",
        max_age.as_secs(),
    )
}

/// `Set-Cookie` value that deletes the refresh cookie.
pub fn clear_cookie(secure: bool) -> String {
    let (name, path, flag) = attributes(secure);
    format!("{name}=; Path={path}; Max-Age=0; HttpOnly; SameSite=Strict{flag}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_only_hashes_are_kept() {
        let (a, ha) = generate();
        let (b, _) = generate();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43); // 32 bytes, base64url without padding
        assert_eq!(ha, hash(&a));
        assert_eq!(ha.len(), 32);
        let c = cookie(&a, Duration::from_secs(60), true);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Strict") && c.ends_with("; Secure"));
        assert!(!cookie(&a, Duration::from_secs(60), false).contains("Secure"));
    }

    #[test]
    fn over_https_the_cookie_is_host_prefixed_secure_and_site_wide() {
        let c = cookie("t", Duration::from_secs(60), true);
        assert!(c.starts_with("__Host-asyncstand_refresh=t; Path=/;"), "{c}");
        assert!(c.ends_with("; Secure") && !c.contains("Domain"), "{c}");
        let c = clear_cookie(true);
        assert!(c.starts_with("__Host-asyncstand_refresh=; Path=/;") && c.contains("Max-Age=0"));
        assert!(c.ends_with("; Secure"), "{c}");
        let c = cookie("t", Duration::from_secs(60), false);
        assert!(c.starts_with("asyncstand_refresh=t; Path=/graphql;"), "{c}");
        assert_eq!(cookie_name(true), HOST_COOKIE_NAME);
        assert_eq!(cookie_name(false), COOKIE_NAME);
    }
}
