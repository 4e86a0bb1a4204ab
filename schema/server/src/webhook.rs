//! Signed webhooks: digest delivery POSTs JSON to a team's URL with a signature header the
//! receiver checks, in Stripe's scheme, so a receiver can use code it already has.
//!
//! ```text
//! X-AsyncStand-Signature: t=1700000000,v1=49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686
//! ```
//!
//! `t` is the sending time in unix seconds; `v1` is the lowercase hex HMAC-SHA256, keyed
//! with the team's webhook secret (all of it, `whsec_` prefix included), of `"<t>." + body`.
//! Signing the timestamp with the body lets a receiver refuse replays: [`verify`] rejects a
//! timestamp further than a tolerance from its clock. While a secret is being rotated the
//! sender adds one `v1` per secret; a receiver accepts the message when any of them
//! matches. Other schemes (`v0`, a future `v2`) are ignored.
//!
//! Behind the `webhook` feature: server side only (the worker signs; the tests of the
//! worker verify), never in the wasm build.

use std::fmt;

use hmac::digest::{Key, KeyInit};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// The HTTP header carrying the signature.
pub const SIGNATURE_HEADER: &str = "X-AsyncStand-Signature";

/// A sensible tolerance for [`verify`]: five minutes either way, as Stripe uses.
pub const DEFAULT_TOLERANCE_SECS: i64 = 300;

/// Every secret [`generate_secret`] makes starts with this.
pub const SECRET_PREFIX: &str = "whsec_";

pub(crate) type HmacSha256 = Hmac<Sha256>;

/// Why a signature header was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookError {
    /// Empty, not `key=value` pairs, no `t` or a second one, `t` not unix seconds, no
    /// `v1`, or a `v1` that is not hex.
    Malformed,
    /// A signature matches but the timestamp is further from now than the tolerance: a
    /// replay, or a clock far off.
    Expired,
    /// No `v1` matches the body under this secret.
    BadSignature,
}

impl fmt::Display for WebhookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Malformed => "malformed webhook signature header",
            Self::Expired => "webhook timestamp is outside the tolerance",
            Self::BadSignature => "no webhook signature matches the body",
        })
    }
}

impl std::error::Error for WebhookError {}

/// The [`SIGNATURE_HEADER`] value for `body` sent at `timestamp` (unix seconds):
/// `t=<timestamp>,v1=<hex hmac-sha256(secret, "<timestamp>." + body)>`.
///
/// [`verify`] only accepts non-negative timestamps, which every real clock gives.
#[must_use]
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    sign_with_each(&[secret], timestamp, body)
}

/// Like [`sign`], with one `v1` per secret, in order: while a secret is being rotated
/// the message is signed with the new and the previous one, so a receiver still holding
/// either accepts it.
#[must_use]
pub fn sign_with_each(secrets: &[&[u8]], timestamp: i64, body: &[u8]) -> String {
    let t = timestamp.to_string();
    let mut header = format!("t={t}");
    for secret in secrets {
        let signature = signed_payload(secret, &t, body).finalize().into_bytes();
        header.push_str(",v1=");
        header.push_str(&hex::encode(signature));
    }
    header
}

/// Checks a [`SIGNATURE_HEADER`] value against the body received, at `now` (unix seconds).
///
/// Accepts when any `v1` is the body's signature under `secret` (compared in constant
/// time) and `t` is at most `tolerance_secs` from `now` in either direction (a negative
/// tolerance accepts nothing). The signature is checked before the time, so
/// [`WebhookError::Expired`] is only ever said of an authentic message.
///
/// # Errors
/// [`WebhookError::Malformed`] when the header cannot be parsed,
/// [`WebhookError::BadSignature`] when no signature matches, [`WebhookError::Expired`] when
/// one does but the timestamp is out of tolerance.
pub fn verify(
    secret: &[u8],
    header: &str,
    body: &[u8],
    now: i64,
    tolerance_secs: i64,
) -> Result<(), WebhookError> {
    let parsed = parse_header(header)?;
    let mac = signed_payload(secret, parsed.t_text, body);
    if !parsed
        .signatures
        .iter()
        .any(|signature| mac.clone().verify_slice(signature).is_ok())
    {
        return Err(WebhookError::BadSignature);
    }
    // i128: no overflow whatever the two i64 are.
    let skew = (i128::from(now) - i128::from(parsed.timestamp)).abs();
    if skew > i128::from(tolerance_secs) {
        return Err(WebhookError::Expired);
    }
    Ok(())
}

/// What a config's stored webhook secrets are sealed under (see [`crate::secrets`]): its
/// id, so a sealed secret copied onto another config does not open there.
#[must_use]
pub fn secret_context(config: schema::ids::StandupConfigId) -> [u8; 16] {
    config.as_uuid().into_bytes()
}

/// A new webhook secret: `whsec_` and 32 random bytes in lowercase hex (70 characters).
#[must_use]
pub fn generate_secret() -> String {
    format!("{SECRET_PREFIX}{}", hex::encode(rand::random::<[u8; 32]>()))
}

/// A parsed signature header.
struct Parsed<'a> {
    /// `t` as sent: the bytes that were signed.
    t_text: &'a str,
    timestamp: i64,
    signatures: Vec<Vec<u8>>,
}

fn parse_header(header: &str) -> Result<Parsed<'_>, WebhookError> {
    let mut t = None;
    let mut signatures = Vec::new();
    for item in header.split(',') {
        let (key, value) = item.trim().split_once('=').ok_or(WebhookError::Malformed)?;
        match key {
            "t" => {
                if t.is_some() {
                    return Err(WebhookError::Malformed);
                }
                t = Some(value);
            }
            "v1" => {
                signatures.push(hex::decode(value).map_err(|_| WebhookError::Malformed)?);
            }
            _ => {}
        }
    }
    let t_text = t.ok_or(WebhookError::Malformed)?;
    if t_text.is_empty() || !t_text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(WebhookError::Malformed);
    }
    let timestamp = t_text.parse::<i64>().map_err(|_| WebhookError::Malformed)?;
    if signatures.is_empty() {
        return Err(WebhookError::Malformed);
    }
    Ok(Parsed {
        t_text,
        timestamp,
        signatures,
    })
}

/// The MAC, keyed and fed `"<t>." + body`, not yet finalized.
fn signed_payload(secret: &[u8], t: &str, body: &[u8]) -> HmacSha256 {
    let mut mac = keyed(secret);
    mac.update(t.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// HMAC-SHA256 keyed with `secret`, built without a fallible constructor: RFC 2104 hashes a
/// key longer than the hash's 64-byte block and zero-pads a shorter one, so handing hmac
/// the padded block is the same MAC (the tests pin this against Python's `hmac` for short,
/// empty, block-sized and long keys).
pub(crate) fn keyed(secret: &[u8]) -> HmacSha256 {
    let mut key = Key::<HmacSha256>::default();
    let hashed;
    let source: &[u8] = if secret.len() > key.len() {
        hashed = Sha256::digest(secret);
        &hashed
    } else {
        secret
    };
    for (k, s) in key.iter_mut().zip(source) {
        *k = *s;
    }
    <HmacSha256 as KeyInit>::new(&key)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const BODY: &[u8] = br#"{"a":1}"#;
    const T: i64 = 1_700_000_000;

    #[test]
    fn signs_like_pythons_hmac() {
        // python3 -c "import hmac,hashlib;print(hmac.new(b'secret',
        //   b'1700000000.{\"a\":1}', hashlib.sha256).hexdigest())"
        assert_eq!(
            sign(b"secret", T, BODY),
            "t=1700000000,v1=49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686"
        );
    }

    #[test]
    fn any_key_length_gives_the_standard_hmac() {
        // The same Python line with the keys b'', b'k'*64, b'k'*100 and b'whsec_'+b'ab'*32.
        let cases: [(&[u8], &str); 4] = [
            (
                b"",
                "948a8d0246d330f02787f96de7c4dcbc70dc8ddf91d6e6147820a754e78dc36c",
            ),
            (
                &[b'k'; 64],
                "2f4996f4c60949c3c19681a075b1a73aaa775cd8c471999a120d126d53a5263e",
            ),
            (
                &[b'k'; 100],
                "e0b419ce90349e7bf07569fb4c3e646db7042eb8c074a060f9d00f9df36890d1",
            ),
            (
                b"whsec_abababababababababababababababababababababababababababababababab",
                "4b04ef65acbc4206285c1c32a0ecc6736f604a6d113dadee0537e39c2d2b1c41",
            ),
        ];
        for (secret, hex) in cases {
            assert_eq!(sign(secret, T, BODY), format!("t={T},v1={hex}"));
            let mut reference = <HmacSha256 as KeyInit>::new_from_slice(secret).unwrap();
            reference.update(b"1700000000.{\"a\":1}");
            assert_eq!(hex::encode(reference.finalize().into_bytes()), hex);
        }
    }

    #[test]
    fn during_a_rotation_a_receiver_with_either_secret_accepts() {
        let (old, new) = (generate_secret(), generate_secret());
        let header = sign_with_each(&[new.as_bytes(), old.as_bytes()], T, BODY);
        assert_eq!(header.matches(",v1=").count(), 2);
        assert!(header.starts_with(&sign(new.as_bytes(), T, BODY)));
        for secret in [&old, &new] {
            assert_eq!(verify(secret.as_bytes(), &header, BODY, T, 300), Ok(()));
        }
        assert_eq!(
            verify(generate_secret().as_bytes(), &header, BODY, T, 300),
            Err(WebhookError::BadSignature)
        );
    }

    #[test]
    fn sign_then_verify_round_trips() {
        let secret = generate_secret();
        let header = sign(secret.as_bytes(), T, BODY);
        assert_eq!(
            verify(secret.as_bytes(), &header, BODY, T, DEFAULT_TOLERANCE_SECS),
            Ok(())
        );
        assert_eq!(verify(b"", &sign(b"", 0, b""), b"", 0, 0), Ok(()));
    }

    #[test]
    fn tampered_body_is_refused() {
        let header = sign(b"secret", T, BODY);
        assert_eq!(
            verify(b"secret", &header, br#"{"a":2}"#, T, 300),
            Err(WebhookError::BadSignature)
        );
    }

    #[test]
    fn wrong_secret_is_refused() {
        let header = sign(b"secret", T, BODY);
        assert_eq!(
            verify(b"secreT", &header, BODY, T, 300),
            Err(WebhookError::BadSignature)
        );
    }

    #[test]
    fn tampered_timestamp_is_refused() {
        let header = sign(b"secret", T, BODY).replace("t=1700000000", "t=1700000001");
        assert_eq!(
            verify(b"secret", &header, BODY, T, 300),
            Err(WebhookError::BadSignature)
        );
    }

    #[test]
    fn timestamps_out_of_tolerance_are_refused_both_ways() {
        let header = sign(b"secret", T, BODY);
        // Exactly at the tolerance is fine, either way.
        assert_eq!(verify(b"secret", &header, BODY, T + 300, 300), Ok(()));
        assert_eq!(verify(b"secret", &header, BODY, T - 300, 300), Ok(()));
        // Too old: a replay.
        assert_eq!(
            verify(b"secret", &header, BODY, T + 301, 300),
            Err(WebhookError::Expired)
        );
        // From the future.
        assert_eq!(
            verify(b"secret", &header, BODY, T - 301, 300),
            Err(WebhookError::Expired)
        );
        // Extreme clocks do not overflow; a negative tolerance accepts nothing.
        assert_eq!(
            verify(b"secret", &header, BODY, i64::MIN, i64::MAX),
            Err(WebhookError::Expired)
        );
        assert_eq!(
            verify(b"secret", &header, BODY, T, -1),
            Err(WebhookError::Expired)
        );
    }

    #[test]
    fn expired_is_only_said_of_authentic_messages() {
        let header = sign(b"other", T, BODY);
        assert_eq!(
            verify(b"secret", &header, BODY, T + 10_000, 300),
            Err(WebhookError::BadSignature)
        );
    }

    #[test]
    fn malformed_headers_are_refused() {
        let good = sign(b"secret", T, BODY);
        let v1 = good.split_once(",v1=").unwrap().1;
        for header in [
            String::new(),
            " ".to_owned(),
            ",".to_owned(),
            format!("v1={v1}"),
            format!("t={T}"),
            format!("t={T},v0={v1}"),
            format!("t=abc,v1={v1}"),
            format!("t=,v1={v1}"),
            format!("t=-5,v1={v1}"),
            format!("t=+{T},v1={v1}"),
            format!("t=99999999999999999999,v1={v1}"),
            format!("t={T},t={T},v1={v1}"),
            format!("t={T},v1=not-hex"),
            format!("t={T},v1={v1},"),
            format!("t={T};v1={v1}"),
            "garbage".to_owned(),
        ] {
            assert_eq!(
                verify(b"secret", &header, BODY, T, 300),
                Err(WebhookError::Malformed),
                "{header:?}"
            );
        }
    }

    #[test]
    fn any_v1_may_match_during_secret_rotation() {
        let old = sign(b"old-secret", T, BODY);
        let new = sign(b"new-secret", T, BODY);
        let old_v1 = old.split_once(",v1=").unwrap().1;
        let new_v1 = new.split_once(",v1=").unwrap().1;
        let header = format!("t={T},v1={old_v1},v1={new_v1}");
        assert_eq!(verify(b"new-secret", &header, BODY, T, 300), Ok(()));
        assert_eq!(verify(b"old-secret", &header, BODY, T, 300), Ok(()));
        assert_eq!(
            verify(b"third-secret", &header, BODY, T, 300),
            Err(WebhookError::BadSignature)
        );
        // Spaces after the commas and unknown schemes are tolerated; a short v1 never matches.
        let spaced = format!("v0=abcd, t={T}, v1=00ff, v1={new_v1}");
        assert_eq!(verify(b"new-secret", &spaced, BODY, T, 300), Ok(()));
        assert_eq!(
            verify(b"new-secret", &format!("t={T},v1=00ff"), BODY, T, 300),
            Err(WebhookError::BadSignature)
        );
    }

    #[test]
    fn generated_secrets_are_prefixed_random_hex() {
        let a = generate_secret();
        let b = generate_secret();
        assert_ne!(a, b);
        let hex_part = a.strip_prefix(SECRET_PREFIX).unwrap();
        assert_eq!(hex_part.len(), 64);
        assert!(
            hex_part
                .bytes()
                .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
        );
    }

    #[test]
    fn errors_explain_themselves() {
        assert_eq!(
            WebhookError::Malformed.to_string(),
            "malformed webhook signature header"
        );
        assert!(WebhookError::Expired.to_string().contains("tolerance"));
        assert!(WebhookError::BadSignature.to_string().contains("signature"));
    }
}
