//! Access tokens: HS256 only, 15 minutes, with iss/aud/typ/sub/org/sid.

use super::Caller;
use crate::config::Settings;
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const ACCESS_TOKEN_TYPE: &str = "access";

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AccessClaims {
    pub iss: String,
    pub aud: String,
    pub typ: String,
    pub sub: Uuid,
    pub org: Uuid,
    pub sid: Uuid,
    pub iat: i64,
    pub exp: i64,
}

#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    audience: String,
    ttl: chrono::Duration,
}

impl JwtKeys {
    pub fn new(settings: &Settings) -> Self {
        let secret = settings.jwt_secret.expose_secret().as_bytes();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.set_issuer(&[&settings.jwt_issuer]);
        validation.set_audience(&[&settings.jwt_audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 5;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            issuer: settings.jwt_issuer.clone(),
            audience: settings.jwt_audience.clone(),
            ttl: chrono::Duration::from_std(settings.access_token_ttl)
                .unwrap_or(chrono::Duration::minutes(15)),
        }
    }

    /// Signs an access token for `caller`; returns it with its expiry.
    pub fn issue(
        &self,
        caller: &Caller,
    ) -> Result<(String, DateTime<Utc>), jsonwebtoken::errors::Error> {
        let now = Utc::now();
        let expires_at = now + self.ttl;
        let claims = AccessClaims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            typ: ACCESS_TOKEN_TYPE.into(),
            sub: caller.user.as_uuid(),
            org: caller.org.as_uuid(),
            sid: caller.session.as_uuid(),
            iat: now.timestamp(),
            exp: expires_at.timestamp(),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?;
        Ok((token, expires_at))
    }

    /// Verifies signature, algorithm, expiry, issuer, audience and type.
    pub fn verify(&self, token: &str) -> Result<Caller, String> {
        self.verify_until(token).map(|(caller, _)| caller)
    }

    /// [`JwtKeys::verify`], also returning when the token expires (a WebSocket closes then).
    pub fn verify_until(&self, token: &str) -> Result<(Caller, DateTime<Utc>), String> {
        let data = jsonwebtoken::decode::<AccessClaims>(token, &self.decoding, &self.validation)
            .map_err(|e| e.to_string())?;
        if data.claims.typ != ACCESS_TOKEN_TYPE {
            return Err("not an access token".into());
        }
        let expires_at = DateTime::from_timestamp(data.claims.exp, 0)
            .ok_or_else(|| "expiry out of range".to_string())?;
        let caller = Caller {
            user: data.claims.sub.into(),
            org: data.claims.org.into(),
            session: data.claims.sid.into(),
        };
        Ok((caller, expires_at))
    }
}
