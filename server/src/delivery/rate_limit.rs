//! Per-endpoint token buckets (`rate_limit_rps` tokens per second, `burst` capacity).
//! A delivery held back by its bucket goes back to the queue; it is not an attempt.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

struct Bucket {
    tokens: f64,
    updated: Instant,
    /// When the bucket is full again if nothing more is taken (it can then be forgotten).
    full_at: Instant,
    /// Until when the last refused take said no token is available.
    empty_until: Instant,
}

/// Token buckets by key (endpoint ids for deliveries; sender addresses and endpoints for the
/// ingest rejection log).
pub struct RateLimiter {
    buckets: Mutex<HashMap<String, Bucket>>,
    max_keys: usize,
}

impl Default for RateLimiter {
    fn default() -> Self {
        RateLimiter { buckets: Mutex::default(), max_keys: usize::MAX }
    }
}

impl RateLimiter {
    /// A limiter that keeps at most `max_keys` buckets: when full, buckets that have refilled
    /// are forgotten (a new key starts full anyway), and a new key is refused while none has.
    pub fn bounded(max_keys: usize) -> Self {
        RateLimiter { buckets: Mutex::default(), max_keys }
    }

    /// Takes one token for `endpoint_id`; `Err(wait)` says how long until one is available.
    /// `rps == 0` means unlimited; `burst == 0` means a capacity of `rps`.
    pub fn try_acquire(&self, endpoint_id: &str, rps: i64, burst: i64) -> Result<(), Duration> {
        if rps <= 0 {
            return Ok(());
        }
        let capacity = if burst > 0 { burst as f64 } else { rps as f64 };
        self.take(endpoint_id, rps as f64, capacity)
    }

    /// Takes one token from `key`'s bucket, which refills at `per_second` up to `capacity`
    /// (a new bucket starts full); `Err(wait)` says how long until one is available.
    pub fn take(&self, key: &str, per_second: f64, capacity: f64) -> Result<(), Duration> {
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if !buckets.contains_key(key) && buckets.len() >= self.max_keys {
            buckets.retain(|_, b| b.full_at > now);
            if buckets.len() >= self.max_keys {
                return Err(Duration::from_secs(1));
            }
        }
        let bucket =
            buckets.entry(key.to_owned()).or_insert(Bucket { tokens: capacity, updated: now, full_at: now, empty_until: now });
        let elapsed = now.duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * per_second).min(capacity);
        bucket.updated = now;
        let result = if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let wait = seconds((1.0 - bucket.tokens) / per_second);
            bucket.empty_until = now + wait;
            Err(wait)
        };
        bucket.full_at = now + seconds((capacity - bucket.tokens) / per_second);
        result
    }

    /// Whether `key`'s bucket refused a token that is not available yet (so taking one now
    /// would be refused too). A key never refused, or whose wait is over, is not held back.
    pub fn holds_back(&self, key: &str) -> bool {
        let buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        buckets.get(key).is_some_and(|b| b.empty_until > Instant::now())
    }
}

/// A wait in seconds as a duration, at most a day (a zero rate never refills).
fn seconds(value: f64) -> Duration {
    Duration::try_from_secs_f64(value.min(86_400.0)).unwrap_or(Duration::from_secs(86_400))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_the_burst_then_paces() {
        let limiter = RateLimiter::default();
        for _ in 0..3 {
            assert!(limiter.try_acquire("ep", 2, 3).is_ok());
        }
        let wait = limiter.try_acquire("ep", 2, 3).unwrap_err();
        assert!(wait > Duration::from_millis(400) && wait <= Duration::from_millis(500), "{wait:?}");
        assert!(limiter.try_acquire("other", 2, 3).is_ok());
        assert!(limiter.try_acquire("free", 0, 0).is_ok());
        assert!(limiter.holds_back("ep") && !limiter.holds_back("other") && !limiter.holds_back("unknown"));
    }

    #[test]
    fn a_bounded_limiter_forgets_refilled_buckets_and_refuses_new_keys_when_none_has() {
        let limiter = RateLimiter::bounded(2);
        assert!(limiter.take("a", 1000.0, 1.0).is_ok());
        assert!(limiter.take("b", 0.001, 1.0).is_ok());
        std::thread::sleep(Duration::from_millis(20));
        // "a" has refilled and is forgotten to make room; "b" has not.
        assert!(limiter.take("c", 0.001, 1.0).is_ok());
        assert!(limiter.take("d", 0.001, 1.0).is_err(), "no room: b and c are both still draining");
        assert!(limiter.take("b", 0.001, 1.0).is_err(), "b kept its empty bucket");
    }
}
