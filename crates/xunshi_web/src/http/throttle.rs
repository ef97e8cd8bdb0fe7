//! Throttling of log-in attempts, before any password is checked: per client address and
//! overall, with the `governor` crate (GCRA). A client over its rate is answered 429 with
//! `Retry-After`.
//!
//! The limits live in this process's memory, so they are per instance: behind a load balancer
//! with N instances an address gets up to N times the rate. That is acceptable because they are
//! a brake on volume, not the lock-out itself: the lock of an account from an address after
//! repeated failures is kept in the database (`login_locks`) and holds across instances.

use std::num::NonZeroU32;

use governor::clock::{Clock, DefaultClock};
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

use super::Rejection;
use axum::http::StatusCode;

/// The per-instance brake on log-in attempts.
pub struct LoginThrottle {
    per_address: RateLimiter<String, DefaultKeyedStateStore<String>, DefaultClock>,
    overall: DefaultDirectRateLimiter,
    clock: DefaultClock,
}

impl LoginThrottle {
    /// Allows `per_address` attempts a minute from one address and `overall` a minute in all,
    /// each as a burst that refills evenly.
    pub fn new(per_address: u32, overall: u32) -> Self {
        let quota =
            |n: u32| Quota::per_minute(NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN));
        let clock = DefaultClock::default();
        LoginThrottle {
            per_address: RateLimiter::keyed(quota(per_address)),
            overall: RateLimiter::direct(quota(overall)),
            clock,
        }
    }

    /// Counts one attempt from `ip`; refuses it, saying how long to wait, when the address or
    /// the instance is over its rate.
    pub fn check(&self, ip: Option<&str>) -> Result<(), Rejection> {
        let key = ip.unwrap_or("unknown").to_owned();
        // Forget addresses that have been quiet for a while, so the table stays small.
        if self.per_address.len() > 10_000 {
            self.per_address.retain_recent();
        }
        let refused = |wait: std::time::Duration| {
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            Rejection {
                retry_after: Some(secs.max(1)),
                ..Rejection::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "too_many_requests",
                    format!("登录尝试过于频繁，请 {} 秒后再试", secs.max(1)),
                )
            }
        };
        if let Err(not_until) = self.per_address.check_key(&key) {
            return Err(refused(not_until.wait_time_from(self.clock.now())));
        }
        if let Err(not_until) = self.overall.check() {
            tracing::warn!("log-in attempts over the overall rate of this instance");
            return Err(refused(not_until.wait_time_from(self.clock.now())));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_over_its_rate_waits_while_others_go_on() {
        let t = LoginThrottle::new(3, 100);
        for _ in 0..3 {
            assert!(t.check(Some("198.51.100.1")).is_ok());
        }
        let r = t.check(Some("198.51.100.1")).unwrap_err();
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(
            r.retry_after.is_some_and(|s| (1..=20).contains(&s)),
            "{r:?}"
        );
        assert!(t.check(Some("198.51.100.2")).is_ok());
    }

    #[test]
    fn the_overall_rate_holds_across_addresses() {
        let t = LoginThrottle::new(100, 2);
        assert!(t.check(Some("a")).is_ok());
        assert!(t.check(Some("b")).is_ok());
        assert!(t.check(Some("c")).is_err());
    }
}
