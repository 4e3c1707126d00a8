//! Printing: every figure next to the same-run limits as a ratio, and the goals as PASS/FAIL.

use std::time::Duration;

/// One goal checked against a measured figure.
pub struct Goal {
    /// What the goal asks, e.g. `16 senders: accepted/s >= 8000`.
    pub wants: String,
    /// The measured figure, as printed next to the goal.
    pub measured: String,
    /// Whether the figure meets the goal.
    pub pass: bool,
}

impl Goal {
    /// A goal with its measured figure.
    pub fn new(wants: impl Into<String>, measured: impl Into<String>, pass: bool) -> Goal {
        Goal { wants: wants.into(), measured: measured.into(), pass }
    }

    /// `PASS  wants  (measured)` or `FAIL ...`.
    pub fn line(&self) -> String {
        format!("{}  {}  (measured {})", if self.pass { "PASS" } else { "FAIL" }, self.wants, self.measured)
    }
}

/// `label  1234/s = 0.70 × fsync rate = 0.025 × /healthz rate`.
pub fn rate_line(label: &str, per_sec: f64, fsync_per_sec: f64, healthz_per_sec: f64) -> String {
    format!(
        "  {label:<26}{per_sec:>9.0}/s = {:.2} × fsync rate = {:.3} × /healthz rate",
        ratio(per_sec, fsync_per_sec),
        ratio(per_sec, healthz_per_sec)
    )
}

/// `label  7.6 ms = 13.4 × fsync time` (fsync time = mean of one write + fsync in this run).
pub fn latency_line(label: &str, latency: Duration, fsync_mean: Duration) -> String {
    format!(
        "  {label:<26}{:>9.1} ms = {:.1} × fsync time",
        latency.as_secs_f64() * 1e3,
        ratio(latency.as_secs_f64(), fsync_mean.as_secs_f64())
    )
}

/// `a / b`, or 0 when `b` is not a positive number.
pub fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { 0.0 }
}

/// Bytes as decimal megabytes.
pub fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}
