//! API rate limits: each project's `rate_limit_default` (requests per minute) as a token
//! bucket, and a throttle on failed authentications per source address.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::config::Config;

/// Most tracked projects or addresses before entries that no longer matter are dropped.
const MAX_TRACKED: usize = 100_000;

/// Both limits, shared by every request.
pub struct ApiLimits {
    projects: Option<ProjectLimiter>,
    failures: Option<FailureThrottle>,
}

impl ApiLimits {
    /// Limits as configured (`--api-rate-limit`, `--auth-failure-limit`, `--auth-failure-window-secs`).
    pub fn new(config: &Config) -> ApiLimits {
        ApiLimits {
            projects: config.api_rate_limit.then(ProjectLimiter::default),
            failures: (config.auth_failure_limit > 0)
                .then(|| FailureThrottle::new(config.auth_failure_limit, config.auth_failure_window)),
        }
    }

    /// Takes one request from the project's budget; `Err(seconds)` to wait when it is spent.
    pub fn charge_project(&self, project_id: &str, per_minute: i64) -> Result<(), u64> {
        match &self.projects {
            Some(limiter) => limiter.charge(project_id, per_minute, Instant::now()),
            None => Ok(()),
        }
    }

    /// `Some(seconds)` while `address` is throttled for failing to authenticate too often.
    pub fn auth_blocked(&self, address: IpAddr) -> Option<u64> {
        self.failures.as_ref().and_then(|t| t.blocked(address, Instant::now()))
    }

    /// Counts one failed authentication from `address`.
    pub fn record_auth_failure(&self, address: IpAddr) {
        if let Some(t) = &self.failures {
            t.record(address, Instant::now());
        }
    }
}

/// Whole seconds (at least 1) covering `d`, for `Retry-After`.
fn ceil_secs(d: Duration) -> u64 {
    let secs = d.as_secs() + u64::from(d.subsec_nanos() > 0);
    secs.max(1)
}

/// Per-project token buckets: capacity one minute's worth, refilled continuously.
#[derive(Default)]
struct ProjectLimiter {
    buckets: Mutex<HashMap<String, Bucket>>,
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

impl ProjectLimiter {
    fn charge(&self, project_id: &str, per_minute: i64, now: Instant) -> Result<(), u64> {
        // Stored values are at least 1; anything else means the system default.
        let capacity = if per_minute > 0 { per_minute as f64 } else { crate::store::tenancy::DEFAULT_PROJECT_RATE_LIMIT as f64 };
        let rate_per_sec = capacity / 60.0;
        let Ok(mut buckets) = self.buckets.lock() else { return Ok(()) };
        if buckets.len() >= MAX_TRACKED && !buckets.contains_key(project_id) {
            // A bucket untouched for a minute is full again: forgetting it changes nothing.
            buckets.retain(|_, b| now.saturating_duration_since(b.at) < Duration::from_secs(60));
        }
        let bucket = buckets.entry(project_id.to_owned()).or_insert(Bucket { tokens: capacity, at: now });
        let refill = now.saturating_duration_since(bucket.at).as_secs_f64() * rate_per_sec;
        bucket.tokens = (bucket.tokens + refill).min(capacity);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(ceil_secs(Duration::from_secs_f64((1.0 - bucket.tokens) / rate_per_sec)))
        }
    }
}

/// Failed authentications per address in fixed windows: after `limit` failures the address
/// is refused until its window ends. IPv6 addresses count per /64, the block one host holds.
struct FailureThrottle {
    limit: u32,
    window: Duration,
    windows: Mutex<HashMap<IpAddr, FailureWindow>>,
}

struct FailureWindow {
    started: Instant,
    failures: u32,
}

/// The address failures are counted under.
fn source_key(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(_) => address,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !((1u128 << 64) - 1)).into()),
        },
    }
}

impl FailureThrottle {
    fn new(limit: u32, window: Duration) -> FailureThrottle {
        FailureThrottle { limit, window, windows: Mutex::new(HashMap::new()) }
    }

    fn blocked(&self, address: IpAddr, now: Instant) -> Option<u64> {
        let windows = self.windows.lock().ok()?;
        let w = windows.get(&source_key(address))?;
        let elapsed = now.saturating_duration_since(w.started);
        (w.failures >= self.limit && elapsed < self.window).then(|| ceil_secs(self.window - elapsed))
    }

    fn record(&self, address: IpAddr, now: Instant) {
        let Ok(mut windows) = self.windows.lock() else { return };
        if windows.len() >= MAX_TRACKED {
            windows.retain(|_, w| now.saturating_duration_since(w.started) < self.window);
            if windows.len() >= MAX_TRACKED {
                tracing::warn!("failed-authentication throttle is tracking too many addresses; starting over");
                windows.clear();
            }
        }
        let w = windows.entry(source_key(address)).or_insert(FailureWindow { started: now, failures: 0 });
        if now.saturating_duration_since(w.started) >= self.window {
            *w = FailureWindow { started: now, failures: 0 };
        }
        w.failures = w.failures.saturating_add(1);
        if w.failures == self.limit {
            tracing::warn!(source = %address, limit = self.limit, "too many failed authentications: address throttled");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_project_gets_a_minute_of_requests_then_waits_for_refill() {
        let limiter = ProjectLimiter::default();
        let t0 = Instant::now();
        for _ in 0..60 {
            assert!(limiter.charge("p", 60, t0).is_ok());
        }
        assert_eq!(limiter.charge("p", 60, t0), Err(1), "one request per second refills");
        assert!(limiter.charge("other", 60, t0).is_ok(), "projects have separate budgets");
        assert!(limiter.charge("p", 60, t0 + Duration::from_millis(1_100)).is_ok());
        assert!(limiter.charge("p", 60, t0 + Duration::from_millis(1_100)).is_err());
        assert_eq!(limiter.charge("slow", 1, t0), Ok(()));
        assert_eq!(limiter.charge("slow", 1, t0), Err(60));
    }

    #[test]
    fn failures_throttle_an_address_until_the_window_ends() {
        let throttle = FailureThrottle::new(3, Duration::from_secs(10));
        let a: IpAddr = "203.0.113.7".parse().unwrap();
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(throttle.blocked(a, t0), None);
            throttle.record(a, t0);
        }
        assert_eq!(throttle.blocked(a, t0 + Duration::from_millis(500)), Some(10));
        assert_eq!(throttle.blocked("203.0.113.8".parse().unwrap(), t0), None, "other addresses are not affected");
        assert_eq!(throttle.blocked(a, t0 + Duration::from_secs(10)), None, "the window ends");
        // One IPv6 host holds a /64: every address in it counts as one source.
        for i in 1..=3 {
            throttle.record(format!("2001:db8:1:2::{i}").parse().unwrap(), t0);
        }
        assert!(throttle.blocked("2001:db8:1:2:ffff::9".parse().unwrap(), t0).is_some());
        assert!(throttle.blocked("2001:db8:1:3::1".parse().unwrap(), t0).is_none());
    }
}
