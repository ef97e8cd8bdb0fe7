//! Throttling per client address and overall, with the `governor` crate (GCRA): of log-in
//! attempts, before any password is checked, and of the public's letters, before anything is
//! stored. A client over its rate is answered 429 with `Retry-After`.
//!
//! The public intake keeps no address: its throttle is keyed by a hash of the address under a
//! salt of this process ([`Throttle::anonymised`]), held in memory only and forgotten as it
//! ages, so nothing kept or logged can name who wrote in.
//!
//! Log-in attempts per address are counted in the database
//! (`Services::admit_login_attempt`), so instances behind a load balancer hold an address to
//! one limit between them; only the overall rate, which guards this instance's own capacity,
//! is kept in its memory. The public intake's limits stay in memory on purpose: sharing them
//! would mean writing something derived from the writer's address where it lasts, and they are
//! a brake on volume, not a lock (behind N instances an address gets up to N times the rate).
//! The lock of an account from an address after repeated failures is in the database
//! (`login_locks`) and holds across instances.

use std::num::NonZeroU32;

use governor::clock::{Clock, DefaultClock};
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

use super::Rejection;
use axum::http::StatusCode;

/// A per-instance brake on one kind of request.
pub struct Throttle {
    /// `None` where addresses are counted in the database instead.
    per_address: Option<RateLimiter<String, DefaultKeyedStateStore<String>, DefaultClock>>,
    overall: DefaultDirectRateLimiter,
    clock: DefaultClock,
    /// What is refused, for the message: 登录尝试, 提交.
    what: &'static str,
    /// Set when addresses are kept only as a salted hash.
    salt: Option<String>,
}

impl Throttle {
    /// Allows `per_address` requests a minute from one address and `overall` a minute in all,
    /// each as a burst that refills evenly.
    pub fn new(per_address: u32, overall: u32, what: &'static str) -> Self {
        let quota =
            |n: u32| Quota::per_minute(NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN));
        let clock = DefaultClock::default();
        Throttle {
            per_address: Some(RateLimiter::keyed(quota(per_address))),
            overall: RateLimiter::direct(quota(overall)),
            clock,
            what,
            salt: None,
        }
    }

    /// Only the overall brake of this instance, where addresses are counted elsewhere.
    pub fn overall_only(overall: u32, what: &'static str) -> Self {
        Throttle {
            per_address: None,
            ..Throttle::new(1, overall, what)
        }
    }

    /// The same brake keyed by a hash of the address under a random salt of this process, so
    /// that even its memory does not hold the address.
    pub fn anonymised(mut self, salt: String) -> Self {
        self.salt = Some(salt);
        self
    }

    /// Counts one request from `ip`; refuses it, saying how long to wait, when the address or
    /// the instance is over its rate.
    pub fn check(&self, ip: Option<&str>) -> Result<(), Rejection> {
        if let Some(per_address) = &self.per_address {
            let ip = ip.unwrap_or("unknown");
            let key = match &self.salt {
                Some(salt) => xunshi_core::paper::sha256_hex(format!("{salt}:{ip}").as_bytes()),
                None => ip.to_owned(),
            };
            // Forget addresses that have been quiet for a while, so the table stays small.
            if per_address.len() > 10_000 {
                per_address.retain_recent();
            }
            if let Err(not_until) = per_address.check_key(&key) {
                return Err(refused(
                    self.what,
                    not_until.wait_time_from(self.clock.now()),
                ));
            }
        }
        if let Err(not_until) = self.overall.check() {
            tracing::warn!(
                what = self.what,
                "requests over the overall rate of this instance"
            );
            return Err(refused(
                self.what,
                not_until.wait_time_from(self.clock.now()),
            ));
        }
        Ok(())
    }
}

/// The answer to a request over its rate: 429, saying how long to wait, in whole seconds.
pub fn refused(what: &str, wait: std::time::Duration) -> Rejection {
    let secs = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
    Rejection {
        retry_after: Some(secs),
        ..Rejection::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_requests",
            format!("{what}过于频繁，请 {secs} 秒后再试"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_over_its_rate_waits_while_others_go_on() {
        let t = Throttle::new(3, 100, "登录尝试");
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
        let t = Throttle::new(100, 2, "登录尝试");
        assert!(t.check(Some("a")).is_ok());
        assert!(t.check(Some("b")).is_ok());
        assert!(t.check(Some("c")).is_err());
    }
}
