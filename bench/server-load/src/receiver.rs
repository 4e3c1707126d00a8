//! A fast local webhook receiver that records when each message id arrived.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::http::HeaderMap;

/// First arrival time of each delivered message, keyed by the `x-webhook-id` header.
pub type Arrivals = Arc<Mutex<HashMap<String, Instant>>>;

/// Serves `POST /hook` on an ephemeral port and returns its URL; every delivery is answered 200.
pub async fn start(arrivals: Arrivals) -> String {
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap| {
            let arrivals = arrivals.clone();
            async move {
                if let Some(id) = headers.get("x-webhook-id").and_then(|v| v.to_str().ok()) {
                    arrivals.lock().unwrap().entry(id.to_owned()).or_insert_with(Instant::now);
                }
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind receiver");
    let addr = listener.local_addr().expect("receiver address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}/hook")
}
