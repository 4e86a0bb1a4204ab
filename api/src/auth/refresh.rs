//! Refresh tokens: 256 random bits, only their SHA-256 stored; sent as an httpOnly,
//! SameSite=Strict cookie scoped to `/graphql`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::time::Duration;

pub const COOKIE_NAME: &str = "asyncstand_refresh";
pub const COOKIE_PATH: &str = "/graphql";

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
    format!(
        "{COOKIE_NAME}={token}; Path={COOKIE_PATH}; Max-Age={}; HttpOnly; SameSite=Strict{}",
        max_age.as_secs(),
        if secure { "; Secure" } else { "" }
    )
}

/// `Set-Cookie` value that deletes the refresh cookie.
pub fn clear_cookie(secure: bool) -> String {
    format!(
        "{COOKIE_NAME}=; Path={COOKIE_PATH}; Max-Age=0; HttpOnly; SameSite=Strict{}",
        if secure { "; Secure" } else { "" }
    )
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
}
