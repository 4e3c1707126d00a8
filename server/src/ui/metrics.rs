//! The metrics page: outbound figures per bucket over a window (1h, 24h, 7d, 30d), drawn as a
//! chart by the embedded uPlot and listed in a table. The series travels in a JSON data block
//! (`<script type="application/json">`, never executed), read by `assets/app.js`.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::Params;
use super::layout::{Nav, error_page, esc, page, time};
use super::session::UiSession;
use crate::clock::now_millis;
use crate::error::ApiError;
use crate::http::metrics::Window;
use crate::state::AppState;
use crate::store::Direction;

/// JSON safe inside a `<script>` element: `<`, `>` and `&` as `\u` escapes.
pub fn script_json(value: &serde_json::Value) -> String {
    value.to_string().replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026")
}

/// The bucket width in words.
fn bucket_words(window: &Window) -> &'static str {
    match window.name {
        "1h" => "5-minute",
        "24h" => "1-hour",
        "7d" => "6-hour",
        _ => "1-day",
    }
}

/// The page's content for the window in `params`.
async fn content(state: &AppState, session: &UiSession, params: &Params) -> Result<String, ApiError> {
    let window = Window::parse(params.get("window"))?;
    let (first, count) = window.buckets(now_millis());
    let series =
        state.store.metric_series(&session.caller.project_id, Direction::Outbound, None, first, window.bucket_ms, count).await?;
    let starts: Vec<i64> = (0..series.len()).map(|i| first.saturating_add(window.bucket_ms.saturating_mul(i as i64))).collect();
    let column = |f: &dyn Fn(&crate::store::MetricCounts) -> i64| series.iter().map(f).collect::<Vec<i64>>();
    let data = serde_json::json!({
        "t": starts.iter().map(|ms| ms / 1000).collect::<Vec<i64>>(),
        "succeeded": column(&|c| c.succeeded),
        "failed": column(&|c| c.failed),
        "retrying": column(&|c| c.retrying),
        "total": column(&|c| c.total),
    });
    let options: String = ["1h", "24h", "7d", "30d"]
        .iter()
        .map(|w| {
            let sel = if *w == window.name { " selected" } else { "" };
            format!(r#"<option value="{w}"{sel}>{w}</option>"#)
        })
        .collect();
    let rows: String = series
        .iter()
        .zip(&starts)
        .map(|(c, start)| {
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                time(*start),
                c.total,
                c.succeeded,
                c.failed,
                c.retrying,
                c.avg_latency_ms
            )
        })
        .collect();
    let totals = series.iter().fold((0i64, 0i64, 0i64), |(t, s, f), c| {
        (t.saturating_add(c.total), s.saturating_add(c.succeeded), f.saturating_add(c.failed))
    });
    Ok(format!(
        r#"<link rel="stylesheet" href="/ui/assets/uPlot.min.css">
<form method="get" action="/ui/metrics" class="filters"><div><label for="window">Window</label><select id="window" name="window">{options}</select></div><button type="submit">Show</button></form>
<p>Last {}: {} messages, {} succeeded, {} failed.</p>
<figure><div id="chart" role="img" aria-label="Messages per bucket: succeeded, failed and retrying"></div><figcaption>Messages created per {} bucket, by current status</figcaption></figure>
<script type="application/json" id="series">{}</script>
<details><summary>Figures as a table</summary><table><thead><tr><th scope="col">Bucket start</th><th scope="col">Total</th><th scope="col">Succeeded</th><th scope="col">Failed</th><th scope="col">Retrying</th><th scope="col">Avg latency (ms)</th></tr></thead><tbody>{rows}</tbody></table></details>
<script src="/ui/assets/uPlot.iife.min.js"></script><script src="/ui/assets/app.js"></script>"#,
        esc(window.name),
        totals.0,
        totals.1,
        totals.2,
        bucket_words(&window),
        script_json(&data),
    ))
}

/// `GET /ui/metrics`.
pub async fn show(State(state): State<AppState>, session: UiSession, RawQuery(query): RawQuery) -> Response {
    match content(&state, &session, &Params::parse(query)).await {
        Ok(body) => page(StatusCode::OK, "Metrics", Some(&session), Nav::Metrics, &body),
        Err(e) => error_page(Some(&session), &e, "/ui/metrics"),
    }
}
