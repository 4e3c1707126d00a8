//! `/readyz` is a trivial query and `/metrics` counts the queue depth at most once per
//! refresh period, however many scrapes arrive.

use std::time::{Duration, Instant};

use hookbridge::{CreateEndpointOptions, SendOptions};
use serde_json::json;

use crate::harness::Server;

/// A Prometheus sample's value.
fn sample(text: &str, name: &str) -> u64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name).and_then(|rest| rest.strip_prefix(' ')))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no sample {name} in\n{text}"))
}

async fn scrape(http: &reqwest::Client, url: &str) -> String {
    let response = http.get(format!("{url}/metrics")).send().await.expect("/metrics answers");
    assert_eq!(response.status(), 200);
    response.text().await.unwrap()
}

/// Awaits every future, spawned so they run concurrently.
async fn join_all<T: Send + 'static>(
    futures: impl IntoIterator<Item = impl std::future::Future<Output = T> + Send + 'static>,
) -> Vec<T> {
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::with_capacity(handles.len());
    for handle in handles {
        out.push(handle.await.expect("task"));
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_scrapes_share_one_count_of_the_queue() {
    let server = Server::start(&["--metrics-refresh-secs", "5"]);
    let client = server.client();
    let ep = client.create_endpoint("http://127.0.0.1:9/hook", &CreateEndpointOptions::default()).await.unwrap();
    client.pause_endpoint(&ep.id).await.unwrap();
    let http = reqwest::Client::new();

    // 200 concurrent scrapes and readiness probes: one count of the messages table at most
    // per refresh period, and every scrape shows the same figures.
    let before = scrape(&http, &server.url).await;
    let started = Instant::now();
    let scrapes = join_all((0..150).map(|_| {
        let (http, url) = (http.clone(), server.url.clone());
        async move { scrape(&http, &url).await }
    }))
    .await;
    let probes = join_all((0..50).map(|_| {
        let (http, url) = (http.clone(), server.url.clone());
        async move { http.get(format!("{url}/readyz")).send().await.map(|r| r.status().as_u16()).unwrap_or(0) }
    }))
    .await;
    let elapsed = started.elapsed();
    assert!(probes.iter().all(|s| *s == 200), "{probes:?}");
    let counts = |text: &str| sample(text, "hookbridge_queue_depth_counts_total");
    let most = counts(&before) + elapsed.as_secs() / 5 + 1;
    for text in &scrapes {
        assert!(counts(text) <= most, "{} counts after {elapsed:?}: the depth is counted per scrape", counts(text));
        assert_eq!(sample(text, "hookbridge_queue_paused"), 0);
    }

    // Behaviour: within the refresh period the figure is the cached one; after it, the new one.
    let mut sent = 0;
    for attempt in 0..3 {
        let t0 = Instant::now();
        let cached = scrape(&http, &server.url).await;
        let cached_paused = sample(&cached, "hookbridge_queue_paused");
        client.send(&ep.id, &json!({"n": attempt}), &SendOptions::default()).await.unwrap();
        sent += 1;
        let next = scrape(&http, &server.url).await;
        if t0.elapsed() < Duration::from_secs(5) {
            assert_eq!(sample(&next, "hookbridge_queue_paused"), cached_paused, "the depth was counted again within the period");
            assert_eq!(counts(&next), counts(&cached));
            break;
        }
        assert!(attempt < 2, "three attempts took longer than the refresh period; the machine is too slow to judge");
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let text = scrape(&http, &server.url).await;
        if sample(&text, "hookbridge_queue_paused") == sent {
            break;
        }
        assert!(Instant::now() < deadline, "the depth was not refreshed after the period");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}
