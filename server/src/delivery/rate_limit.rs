//! Per-endpoint token buckets (`rate_limit_rps` tokens per second, `burst` capacity).
//! A delivery held back by its bucket goes back to the queue; it is not an attempt.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// The token buckets of every rate-limited endpoint.
#[derive(Default)]
pub struct RateLimiter {
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl RateLimiter {
    /// Takes one token for `endpoint_id`; `Err(wait)` says how long until one is available.
    /// `rps == 0` means unlimited; `burst == 0` means a capacity of `rps`.
    pub fn try_acquire(&self, endpoint_id: &str, rps: i64, burst: i64) -> Result<(), Duration> {
        if rps <= 0 {
            return Ok(());
        }
        let rate = rps as f64;
        let capacity = if burst > 0 { burst as f64 } else { rate };
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let bucket = buckets.entry(endpoint_id.to_owned()).or_insert(Bucket { tokens: capacity, updated: now });
        let elapsed = now.duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * rate).min(capacity);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / rate))
        }
    }
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
    }
}
