//! Throttles on unauthenticated work (sign-in, sign-up, invitations, password resets),
//! counted in PostgreSQL so every replica shares them.
//!
//! Every throttle counts the attempt first, in one statement, and refuses it when the
//! new count is over the limit; only then does the guarded work (an argon2 hash, a
//! token look-up) run. Concurrent attempts therefore each see their own count, and no
//! more than the limit get through in a window.

use crate::error::ApiError;
use crate::state::RequestMeta;
use schema_server::db::{AsyncPgConnection, DbError, rate_limits};

pub const HOUR_SECS: i32 = 3600;

/// One fixed-window limit on one key.
pub struct Limit {
    /// What is limited, e.g. `login:account` (logged; never the key, which may hold an
    /// e-mail).
    name: &'static str,
    key: String,
    max: i32,
    window_secs: i32,
}

/// An attempt over its limit.
#[derive(Debug)]
pub struct Throttled {
    pub retry_after_secs: u64,
    /// The first refused attempt of this window (the one that crossed the limit).
    pub first: bool,
}

impl From<Throttled> for ApiError {
    fn from(t: Throttled) -> Self {
        ApiError::RateLimited {
            retry_after_secs: t.retry_after_secs,
        }
    }
}

/// Refused with this error or with a database error.
pub enum HitError {
    Throttled(Throttled),
    Db(DbError),
}

impl From<HitError> for ApiError {
    fn from(e: HitError) -> Self {
        match e {
            HitError::Throttled(t) => t.into(),
            HitError::Db(e) => e.into(),
        }
    }
}

impl Limit {
    /// `max` attempts per `window_secs` for `name:subject`; a `max` of 0 (or less) turns
    /// the limit off.
    pub fn new(name: &'static str, subject: &str, max: i32, window_secs: i32) -> Self {
        Self {
            name,
            key: format!("{name}:{subject}"),
            max,
            window_secs,
        }
    }

    /// `max` attempts per `window_secs` from the request's client address.
    pub fn per_address(name: &'static str, meta: &RequestMeta, max: i32, window_secs: i32) -> Self {
        Self::new(name, &meta.ip, max, window_secs)
    }

    /// Counts this attempt; refuses it when the count is now over the limit.
    pub async fn hit(&self, conn: &mut AsyncPgConnection) -> Result<(), HitError> {
        if self.max <= 0 {
            return Ok(());
        }
        let window = rate_limits::hit_window(conn, &self.key, self.window_secs)
            .await
            .map_err(HitError::Db)?;
        self.judge(window)
    }

    /// Counts this attempt against `self` and `other` in one statement (they must share
    /// a window length; otherwise one after the other); refuses it when either count is
    /// now over its limit, `self` judged first.
    pub async fn hit_with(
        &self,
        other: &Limit,
        conn: &mut AsyncPgConnection,
    ) -> Result<(), HitError> {
        if self.max <= 0 || other.max <= 0 || self.window_secs != other.window_secs {
            self.hit(conn).await?;
            return other.hit(conn).await;
        }
        let windows = rate_limits::hit_windows(conn, &[&self.key, &other.key], self.window_secs)
            .await
            .map_err(HitError::Db)?;
        for (limit, window) in [self, other].into_iter().zip(windows) {
            limit.judge(window)?;
        }
        Ok(())
    }

    /// Refuses a counted attempt whose count is over the limit.
    fn judge(&self, window: rate_limits::Window) -> Result<(), HitError> {
        if window.count <= self.max {
            return Ok(());
        }
        let throttled = Throttled {
            retry_after_secs: window.retry_after.max(1).unsigned_abs().into(),
            first: window.count == self.max + 1,
        };
        tracing::warn!(
            target: "security",
            throttle = self.name,
            limit = self.max,
            window_secs = self.window_secs,
            retry_after_secs = throttled.retry_after_secs,
            "throttled"
        );
        Err(HitError::Throttled(throttled))
    }

    /// Takes this attempt back (it turned out not to be one the limit is about).
    pub async fn release(&self, conn: &mut AsyncPgConnection) -> Result<(), DbError> {
        if self.max <= 0 {
            return Ok(());
        }
        rate_limits::release(conn, &self.key).await
    }

    /// Starts this key afresh and takes this attempt back from `other`, in one statement
    /// (the right password: the account's failures end, the address's attempt is not one).
    pub async fn clear_and_release(
        &self,
        other: &Limit,
        conn: &mut AsyncPgConnection,
    ) -> Result<(), DbError> {
        if other.max <= 0 {
            return self.clear(conn).await;
        }
        rate_limits::clear_and_release(conn, &self.key, &other.key).await
    }

    /// Starts this key afresh (e.g. the account's failures after a right password).
    pub async fn clear(&self, conn: &mut AsyncPgConnection) -> Result<(), DbError> {
        rate_limits::clear(conn, &self.key).await
    }
}
