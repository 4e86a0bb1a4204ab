//! A general per-client request limit on `/graphql` (`RATE_LIMIT_PER_MINUTE`, 0 = off),
//! counted per api process in fixed one-minute windows.

use super::request::{client_ip, graphql_error};
use crate::state::AppState;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::web;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(60);
const MAX_TRACKED_CLIENTS: usize = 100_000;

#[derive(Default)]
pub struct RateLimiter {
    windows: Mutex<HashMap<String, (Instant, u32)>>,
}

impl RateLimiter {
    /// Counts a request; `Err(seconds)` when the client is over the limit.
    pub fn check(&self, client: &str, per_minute: u32) -> Result<(), u64> {
        let now = Instant::now();
        let Ok(mut windows) = self.windows.lock() else {
            return Ok(());
        };
        if windows.len() >= MAX_TRACKED_CLIENTS {
            windows.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        let entry = windows.entry(client.to_string()).or_insert((now, 0));
        if now.duration_since(entry.0) >= WINDOW {
            *entry = (now, 0);
        }
        if entry.1 >= per_minute {
            let retry = WINDOW
                .saturating_sub(now.duration_since(entry.0))
                .as_secs()
                .max(1);
            return Err(retry);
        }
        entry.1 += 1;
        Ok(())
    }
}

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let (limiter, state) = (
        req.app_data::<web::Data<RateLimiter>>().cloned(),
        req.app_data::<web::Data<AppState>>().cloned(),
    );
    if let (Some(limiter), Some(state)) = (limiter, state) {
        let per_minute = state.settings.rate_limit_per_minute;
        if per_minute > 0 {
            let client = client_ip(req.request(), &state.settings);
            if let Err(retry_after) = limiter.check(&client, per_minute) {
                tracing::warn!(
                    target: "security",
                    code = "RATE_LIMITED",
                    retry_after_secs = retry_after,
                    ip = %client,
                    "request throttled"
                );
                let mut response = graphql_error(
                    StatusCode::TOO_MANY_REQUESTS,
                    "RATE_LIMITED",
                    &format!("too many requests; try again in {retry_after} seconds"),
                );
                if let Ok(value) = retry_after.to_string().parse() {
                    response
                        .headers_mut()
                        .insert(actix_web::http::header::RETRY_AFTER, value);
                }
                return Ok(req.into_response(response));
            }
        }
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clients_are_limited_separately() {
        let limiter = RateLimiter::default();
        for _ in 0..3 {
            assert!(limiter.check("10.0.0.1", 3).is_ok());
        }
        let retry = limiter.check("10.0.0.1", 3).unwrap_err();
        assert!((1..=60).contains(&retry));
        assert!(limiter.check("10.0.0.2", 3).is_ok());
    }
}
