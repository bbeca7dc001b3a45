//! Per-source request limits on the doors a guesser knocks on: staff sign-in, residents'
//! sign-in codes, and the kiosk's pickup and tracking. The checks behind each door limit
//! an account, a code or a parcel; these limit an address that tries many of them.
//!
//! Counts live in this process only: a second instance counts its own, which at worst
//! doubles the rate, and a restart forgets them. Requests made in process (no peer) and
//! from the machine itself (loopback: its own tools and tests) are not counted; a proxy on
//! the same machine must be named with `--trusted-proxy`, or its clients all look like it
//! (docs/deploy-tls.md).

use std::collections::HashMap;
use std::sync::Mutex;

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};

use crate::AppState;
use crate::client_addr::of_request;
use crate::error::AppError;

/// A group of routes that share one count per source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Door {
    /// `POST /api/v1/session`, `POST /login`.
    StaffSignIn,
    /// Residents asking for and typing sign-in codes, on the API and the portal.
    ResidentCode,
    /// The kiosk's pickup and tracking: codes and case numbers typed at a screen.
    Kiosk,
}

impl Door {
    /// The door a request knocks on, if any: only the unsafe methods, which try something.
    pub fn of(method: &Method, path: &str) -> Option<Door> {
        if *method != Method::POST {
            return None;
        }
        match path {
            "/api/v1/session" | "/login" => Some(Door::StaffSignIn),
            "/api/v1/resident/code" | "/api/v1/resident/session" | "/portal" => {
                Some(Door::ResidentCode)
            }
            "/api/v1/kiosk/pickup" | "/kiosk/pickup" | "/kiosk/track" => Some(Door::Kiosk),
            _ => None,
        }
    }
}

/// How many requests one source may make at each door per minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    pub staff_sign_in: u32,
    pub resident_code: u32,
    pub kiosk: u32,
}

impl Default for RateLimits {
    /// Room for a busy person and a shared office address, none for a script.
    fn default() -> Self {
        RateLimits {
            staff_sign_in: 20,
            resident_code: 20,
            kiosk: 30,
        }
    }
}

impl RateLimits {
    fn per_minute(&self, door: Door) -> u32 {
        match door {
            Door::StaffSignIn => self.staff_sign_in,
            Door::ResidentCode => self.resident_code,
            Door::Kiosk => self.kiosk,
        }
    }
}

/// When a source's window at a door started, and how many requests it has made in it.
type Windows = HashMap<(Door, String), (DateTime<Utc>, u32)>;

/// Fixed one-minute windows per door and source.
#[derive(Debug, Default)]
pub struct RateLimiter {
    windows: Mutex<Windows>,
}

/// Above this many windows, finished ones are dropped, so a flood of sources cannot grow
/// the map without bound.
const PRUNE_ABOVE: usize = 10_000;

impl RateLimiter {
    /// Counts a request; `Err(seconds)` to wait if the source is over the limit.
    pub fn admit(
        &self,
        door: Door,
        source: &str,
        limit: u32,
        now: DateTime<Utc>,
    ) -> Result<(), u64> {
        let minute = Duration::minutes(1);
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if windows.len() > PRUNE_ABOVE {
            windows.retain(|_, (started, _)| now - *started < minute);
        }
        let window = windows.entry((door, source.to_owned())).or_insert((now, 0));
        if now - window.0 >= minute {
            *window = (now, 0);
        }
        if window.1 >= limit {
            let wait = (window.0 + minute - now).num_seconds().max(1);
            return Err(u64::try_from(wait).unwrap_or(60));
        }
        window.1 += 1;
        Ok(())
    }
}

/// The layer: a request over its door's limit gets 429 with `Retry-After`, before anything
/// else runs (so a flood writes no access-log records either; it is logged once a window).
pub async fn limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(door) = Door::of(request.method(), request.uri().path()) else {
        return next.run(request).await;
    };
    let source = of_request(&request, &state.config.trusted_proxies);
    let local = source
        .parse::<std::net::IpAddr>()
        .map_or(true, |address| address.is_loopback());
    if local {
        return next.run(request).await;
    }
    let limit = state.config.rate_limits.per_minute(door);
    match state
        .rate_limiter
        .admit(door, &source, limit, state.clock.now())
    {
        Ok(()) => next.run(request).await,
        Err(wait) => {
            tracing::warn!(%source, ?door, wait, "rate limited");
            AppError::RateLimited(wait).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(seconds: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + seconds, 0)
            .single()
            .expect("time")
    }

    #[test]
    fn a_source_gets_its_limit_a_minute_and_others_theirs() {
        let limiter = RateLimiter::default();
        for _ in 0..3 {
            assert_eq!(limiter.admit(Door::Kiosk, "203.0.113.9", 3, at(0)), Ok(()));
        }
        assert_eq!(
            limiter.admit(Door::Kiosk, "203.0.113.9", 3, at(20)),
            Err(40)
        );
        // Another address, another door: counted apart.
        assert_eq!(
            limiter.admit(Door::Kiosk, "198.51.100.7", 3, at(20)),
            Ok(())
        );
        assert_eq!(
            limiter.admit(Door::StaffSignIn, "203.0.113.9", 3, at(20)),
            Ok(())
        );
        // A new minute, a new count.
        assert_eq!(limiter.admit(Door::Kiosk, "203.0.113.9", 3, at(60)), Ok(()));
    }

    #[test]
    fn only_the_doors_are_counted() {
        assert_eq!(
            Door::of(&Method::POST, "/api/v1/session"),
            Some(Door::StaffSignIn)
        );
        assert_eq!(Door::of(&Method::POST, "/portal"), Some(Door::ResidentCode));
        assert_eq!(Door::of(&Method::POST, "/kiosk/track"), Some(Door::Kiosk));
        assert_eq!(Door::of(&Method::GET, "/login"), None);
        assert_eq!(Door::of(&Method::POST, "/api/v1/cases"), None);
    }
}
