//! Fair sharing of the delivery workers: one project's slow receivers never hold up another
//! project's deliveries, observed with real receivers.

mod harness;

use std::time::{Duration, Instant};

use harness::{Answer, DEV_KEY, Receiver, Server};
use hookbridge::{CreateEndpointOptions, SendOptions};
use serde_json::json;

const WAIT: Duration = Duration::from_secs(20);

/// A client for another key on the same server.
fn client_for(server: &Server, key: &str) -> hookbridge::Client {
    hookbridge::Client::new(
        hookbridge::ClientConfig::new(key).with_base_url(&server.url).with_send_url(&server.url).with_retries(0),
    )
    .expect("valid client configuration")
}

/// Creates a second project with the bootstrap key and returns a client holding a key of it.
async fn second_project(server: &Server) -> hookbridge::Client {
    let project = server.client().create_project("project b", None).await.expect("the bootstrap key creates a project");
    let answer = reqwest::Client::new()
        .post(format!("{}/v1/api-keys", server.url))
        .bearer_auth(DEV_KEY)
        .json(&json!({"mode": "test", "project_id": project.id}))
        .send()
        .await
        .expect("POST /v1/api-keys");
    assert_eq!(answer.status().as_u16(), 201, "key for project b");
    let body: serde_json::Value = answer.json().await.expect("JSON body");
    client_for(server, body["data"]["key"].as_str().expect("the new key"))
}

/// Polls until the receivers together got at least `n` requests; returns how many they got.
async fn wait_for_total(receivers: &[Receiver], n: usize, timeout: Duration) -> usize {
    let deadline = Instant::now() + timeout;
    loop {
        let total: usize = receivers.iter().map(|r| r.received().len()).sum();
        if total >= n {
            return total;
        }
        assert!(Instant::now() < deadline, "the slow receivers got {total} of {n} requests within {timeout:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn another_projects_slow_receivers_do_not_delay_a_fast_delivery() {
    // 8 workers, at most 2 per endpoint: six slow endpoints of project A could hold 12.
    let server = Server::start(&["--delivery-concurrency", "8", "--endpoint-concurrency", "2"]);
    let a = server.client();
    let mut slow = Vec::new();
    for _ in 0..6 {
        let receiver = Receiver::start().await;
        // Far slower than the window the test allows project B.
        receiver.fallback(Answer { status: 200, retry_after: None, delay: Some(Duration::from_secs(20)) });
        let ep = a.create_endpoint(&receiver.url, &CreateEndpointOptions::default()).await.unwrap();
        for n in 0..5 {
            a.send(&ep.id, &json!({"slow": n}), &SendOptions::default()).await.unwrap();
        }
        slow.push(receiver);
    }
    // Project A's older backlog is queued and its slow receivers hold the workers it may have.
    wait_for_total(&slow, 6, WAIT).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let busy: usize = slow.iter().map(|r| r.received().len()).sum();

    let b = second_project(&server).await;
    let fast = Receiver::start().await;
    let ep = b.create_endpoint(&fast.url, &CreateEndpointOptions::default()).await.unwrap();
    let sent_at = Instant::now();
    b.send(&ep.id, &json!({"fast": true}), &SendOptions::default()).await.unwrap();
    let deadline = sent_at + Duration::from_secs(10);
    while fast.received().is_empty() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let got = fast.received();
    assert!(!got.is_empty(), "project B's delivery did not arrive within 10 s: project A's slow receivers held every worker");
    let latency = got[0].at.duration_since(sent_at);
    assert!(latency < Duration::from_secs(1), "project B's delivery took {latency:?}");
    let still_busy: usize = slow.iter().map(|r| r.received().len()).sum();
    assert_eq!(still_busy, busy, "project A's slow attempts were still running when B was served");
    assert!(busy < 8, "project A alone held all 8 workers ({busy} in flight)");
}
