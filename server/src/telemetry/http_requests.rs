//! HTTP request metrics by route template: a request counter by status class and a duration
//! histogram per route. The routes are fixed when the router is built, so every series is an
//! atomic slot and the label set stays bounded (templates, never raw paths or ids).

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::histogram::Histogram;

/// The route label of requests that matched no route.
pub const UNMATCHED: &str = "unmatched";

/// The status class labels, indexed by `status / 100 - 1`.
const CLASSES: [&str; 5] = ["1xx", "2xx", "3xx", "4xx", "5xx"];

/// Counters of one method and route template.
struct RouteStats {
    method: &'static str,
    route: &'static str,
    by_class: [AtomicU64; CLASSES.len()],
    duration: Histogram,
}

/// Request metrics of every route of one router.
pub struct HttpRequests {
    routes: Vec<RouteStats>,
    index: HashMap<(&'static str, &'static str), usize>,
    /// Requests that matched no route, or matched a path with another method.
    unmatched: usize,
}

impl HttpRequests {
    /// Slots for these (method, route template) pairs, plus one for unmatched requests.
    pub fn new(routes: impl IntoIterator<Item = (&'static str, &'static str)>) -> HttpRequests {
        let stats = |method, route| RouteStats { method, route, by_class: Default::default(), duration: Histogram::default() };
        let mut all = Vec::new();
        let mut index = HashMap::new();
        for (method, route) in routes {
            index.entry((method, route)).or_insert_with(|| {
                all.push(stats(method, route));
                all.len() - 1
            });
        }
        all.push(stats("", UNMATCHED));
        let unmatched = all.len() - 1;
        HttpRequests { routes: all, index, unmatched }
    }

    /// Records one answered request (`route` is the matched template, if any).
    pub fn record(&self, method: &str, route: Option<&str>, status: u16, elapsed: Duration) {
        let slot = route.and_then(|r| self.index.get(&(method, r)).copied()).unwrap_or(self.unmatched);
        let stats = &self.routes[slot];
        let class = usize::from(status / 100).clamp(1, CLASSES.len()) - 1;
        stats.by_class[class].fetch_add(1, Ordering::Relaxed);
        stats.duration.observe(elapsed.as_secs_f64());
    }

    /// Writes `hookbridge_http_requests_total` and `hookbridge_http_request_duration_seconds`
    /// (series only for routes that saw requests).
    pub fn render(&self, out: &mut String) {
        let name = "hookbridge_http_requests_total";
        let _ = writeln!(
            out,
            "# HELP {name} HTTP requests answered, by method, route template and status class. Counted by this node since it started.\n\
             # TYPE {name} counter"
        );
        for stats in &self.routes {
            for (i, class) in CLASSES.iter().enumerate() {
                let n = stats.by_class[i].load(Ordering::Relaxed);
                if n > 0 {
                    let _ = writeln!(out, "{name}{{{},status=\"{class}\"}} {n}", labels(stats));
                }
            }
        }
        let name = "hookbridge_http_request_duration_seconds";
        let _ = writeln!(
            out,
            "# HELP {name} Time to answer HTTP requests, by method and route template. Counted by this node since it started.\n\
             # TYPE {name} histogram"
        );
        for stats in self.routes.iter().filter(|s| s.duration.count() > 0) {
            stats.duration.render(out, name, &labels(stats));
        }
    }
}

/// `method="…",route="…"` (route templates hold no quotes or backslashes).
fn labels(stats: &RouteStats) -> String {
    format!("method=\"{}\",route=\"{}\"", stats.method, stats.route)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_counted_by_template_and_status_class() {
        let m = HttpRequests::new([("GET", "/v1/messages/{id}"), ("POST", "/v1/webhooks/send")]);
        m.record("GET", Some("/v1/messages/{id}"), 200, Duration::from_millis(2));
        m.record("GET", Some("/v1/messages/{id}"), 404, Duration::from_millis(1));
        m.record("DELETE", Some("/v1/messages/{id}"), 405, Duration::from_millis(1));
        m.record("GET", None, 404, Duration::from_millis(1));
        let mut out = String::new();
        m.render(&mut out);
        assert!(
            out.contains("hookbridge_http_requests_total{method=\"GET\",route=\"/v1/messages/{id}\",status=\"2xx\"} 1\n"),
            "{out}"
        );
        assert!(
            out.contains("hookbridge_http_requests_total{method=\"GET\",route=\"/v1/messages/{id}\",status=\"4xx\"} 1\n"),
            "{out}"
        );
        assert!(out.contains("hookbridge_http_requests_total{method=\"\",route=\"unmatched\",status=\"4xx\"} 2\n"), "{out}");
        assert!(!out.contains("/v1/webhooks/send"), "routes without requests have no series: {out}");
        assert!(
            out.contains("hookbridge_http_request_duration_seconds_count{method=\"GET\",route=\"/v1/messages/{id}\"} 2\n"),
            "{out}"
        );
    }
}
