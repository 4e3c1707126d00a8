//! A latency histogram kept in atomics, rendered in the Prometheus text format.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

/// Upper bounds (seconds) of every latency histogram's buckets: from API answers (ms) to slow
/// receivers (the delivery timeout is 30 s).
pub const BUCKETS: [f64; 14] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

/// Cumulative bucket counts, the number of observations and their sum.
#[derive(Default)]
pub struct Histogram {
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

impl Histogram {
    /// Records one observation of `seconds`.
    pub fn observe(&self, seconds: f64) {
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                self.buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_micros.fetch_add((seconds * 1e6) as u64, Ordering::Relaxed);
    }

    /// Observations so far.
    pub fn count(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }

    /// Writes the `_bucket`, `_sum` and `_count` series of `name` with `labels` (already
    /// formatted as `key="value",…`, or empty).
    pub fn render(&self, out: &mut String, name: &str, labels: &str) {
        let sep = if labels.is_empty() { "" } else { "," };
        for (i, bound) in BUCKETS.iter().enumerate() {
            let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"{bound}\"}} {}", self.buckets[i].load(Ordering::Relaxed));
        }
        let count = self.count();
        let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {count}");
        let braces = if labels.is_empty() { String::new() } else { format!("{{{labels}}}") };
        let _ = writeln!(out, "{name}_sum{braces} {}", self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6);
        let _ = writeln!(out, "{name}_count{braces} {count}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_cumulative_and_labels_are_joined() {
        let h = Histogram::default();
        h.observe(0.003);
        h.observe(2.0);
        let mut out = String::new();
        h.render(&mut out, "x_seconds", "outcome=\"delivered\"");
        assert!(out.contains("x_seconds_bucket{outcome=\"delivered\",le=\"0.0025\"} 0\n"), "{out}");
        assert!(out.contains("x_seconds_bucket{outcome=\"delivered\",le=\"0.005\"} 1\n"), "{out}");
        assert!(out.contains("x_seconds_bucket{outcome=\"delivered\",le=\"2.5\"} 2\n"), "{out}");
        assert!(out.contains("x_seconds_bucket{outcome=\"delivered\",le=\"+Inf\"} 2\n"), "{out}");
        assert!(out.contains("x_seconds_count{outcome=\"delivered\"} 2\n"), "{out}");
        let mut bare = String::new();
        h.render(&mut bare, "y", "");
        assert!(bare.contains("y_bucket{le=\"+Inf\"} 2\n") && bare.contains("y_count 2\n"), "{bare}");
    }
}
