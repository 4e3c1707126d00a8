//! Operating the server: first-start bootstrap without `--dev`, probes, and Prometheus figures
//! that follow real deliveries.

mod harness;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use harness::{Answer, Receiver, Server, wait_for_status};
use hookbridge::{Client, ClientConfig, CreateEndpointOptions, SendOptions};
use serde_json::json;

/// Starts the binary without `--dev`; returns the child, its URL and every stdout line up to the listening line.
/// The caller kills and waits for the child; only a failed assertion leaves it to the test process's exit.
#[allow(clippy::zombie_processes)]
fn start_production(data_dir: &std::path::Path) -> (std::process::Child, String, Vec<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hookbridge-server"))
        .args(["--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .args(harness::backend::server_args(data_dir))
        .env("HOOKBRIDGE_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("server starts");
    let mut lines = Vec::new();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    loop {
        let mut line = String::new();
        assert!(reader.read_line(&mut line).unwrap() > 0, "server exited before listening: {lines:?}");
        let line = line.trim_end().to_owned();
        if let Some(url) = line.strip_prefix("hookbridge-server listening on ") {
            let url = url.to_owned();
            lines.push(line);
            return (child, url, lines);
        }
        lines.push(line);
    }
}

fn client(url: &str, key: &str) -> Client {
    Client::new(ClientConfig::new(key).with_base_url(url).with_send_url(url).with_retries(0)).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn first_start_creates_a_live_key_once_and_restarts_keep_it() {
    let data_dir = std::env::temp_dir().join(format!("hb-ops-{}", uuid::Uuid::now_v7()));
    let (mut first, url, lines) = start_production(&data_dir);
    let key = lines.iter().find_map(|l| l.split("(shown once): ").nth(1)).expect("the first start prints the new key").to_owned();
    assert!(key.starts_with("hb_live_") && key.len() == 40, "{key}");
    assert_eq!(client(&url, &key).list_api_keys().await.unwrap().len(), 1);
    assert_eq!(data_dir.join("hookbridge.db").exists(), !harness::backend::is_postgres(), "SQLite's file is in the data dir");
    // Without --dev, loopback targets are refused.
    let blocked =
        client(&url, &key).create_endpoint("https://127.0.0.1/hook", &CreateEndpointOptions::default()).await.unwrap_err();
    assert_eq!(blocked.code(), "ENDPOINT_BLOCKED");
    first.kill().unwrap();
    first.wait().unwrap();

    let (mut second, url, lines) = start_production(&data_dir);
    assert!(!lines.iter().any(|l| l.contains("shown once")), "no second key on restart: {lines:?}");
    assert_eq!(client(&url, &key).list_api_keys().await.unwrap().len(), 1, "the first key still works");
    second.kill().unwrap();
    second.wait().unwrap();
    let _ = std::fs::remove_dir_all(&data_dir);
}

fn metric(text: &str, name: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name).and_then(|rest| rest.strip_prefix(' ')))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("metric {name} missing from:\n{text}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn probes_and_prometheus_metrics_follow_deliveries() {
    let server = Server::start(&[]);
    let client = server.client();
    let http = reqwest::Client::new();
    for probe in ["/healthz", "/readyz"] {
        assert_eq!(http.get(format!("{}{probe}", server.url)).send().await.unwrap().status(), 200, "{probe}");
    }
    let ok = Receiver::start().await;
    let rejecting = Receiver::start().await;
    rejecting.fallback(Answer::status(410));
    let ok_ep = client.create_endpoint(&ok.url, &CreateEndpointOptions::default()).await.unwrap();
    let bad_ep = client.create_endpoint(&rejecting.url, &CreateEndpointOptions::default()).await.unwrap();
    let held_ep = client.create_endpoint(&format!("{}?held", ok.url), &CreateEndpointOptions::default()).await.unwrap();
    client.pause_endpoint(&held_ep.id).await.unwrap();

    let delivered = client.send(&ok_ep.id, &json!({"n": 1}), &SendOptions::default()).await.unwrap();
    let failed = client.send(&bad_ep.id, &json!({"n": 2}), &SendOptions::default()).await.unwrap();
    client.send(&held_ep.id, &json!({"n": 3}), &SendOptions::default()).await.unwrap();
    wait_for_status(&client, &delivered.message_id, "succeeded", Duration::from_secs(20)).await;
    wait_for_status(&client, &failed.message_id, "failed_permanent", Duration::from_secs(20)).await;

    let response = http.get(format!("{}/metrics", server.url)).send().await.unwrap();
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    let text = response.text().await.unwrap();
    assert_eq!(metric(&text, "hookbridge_messages_accepted_total"), 3.0);
    assert_eq!(metric(&text, "hookbridge_messages_delivered_total"), 1.0);
    assert_eq!(metric(&text, "hookbridge_messages_failed_total"), 1.0);
    assert_eq!(metric(&text, "hookbridge_queue_paused"), 1.0);
    assert_eq!(metric(&text, "hookbridge_dlq_depth"), 1.0);
    assert_eq!(metric(&text, "hookbridge_queue_depth"), 0.0);
    // Attempts by outcome and status class, and their latency by outcome.
    assert_eq!(metric(&text, "hookbridge_delivery_attempts_total{outcome=\"delivered\",status=\"2xx\"}"), 1.0);
    assert_eq!(metric(&text, "hookbridge_delivery_attempts_total{outcome=\"failed\",status=\"4xx\"}"), 1.0);
    assert_eq!(metric(&text, "hookbridge_delivery_latency_seconds_count{outcome=\"delivered\"}"), 1.0);
    assert_eq!(metric(&text, "hookbridge_delivery_latency_seconds_bucket{outcome=\"failed\",le=\"+Inf\"}"), 1.0);
    assert_eq!(metric(&text, "hookbridge_delivery_latency_seconds_count{outcome=\"retrying\"}"), 0.0);
    // HTTP requests by route template (never by raw path), method and status class.
    let sends = "hookbridge_http_requests_total{method=\"POST\",route=\"/v1/webhooks/send\",status=\"2xx\"}";
    assert_eq!(metric(&text, sends), 3.0);
    let pauses = "hookbridge_http_requests_total{method=\"POST\",route=\"/v1/endpoints/{endpoint_id}/pause\",status=\"2xx\"}";
    assert_eq!(metric(&text, pauses), 1.0);
    assert_eq!(metric(&text, "hookbridge_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"2xx\"}"), 1.0);
    assert_eq!(metric(&text, "hookbridge_http_request_duration_seconds_count{method=\"POST\",route=\"/v1/webhooks/send\"}"), 3.0);
    assert!(!text.contains(&held_ep.id), "no label holds an id");
    assert!(
        metric(&text, "hookbridge_http_requests_total{method=\"GET\",route=\"/v1/messages/{message_id}\",status=\"2xx\"}") >= 2.0
    );
    // A path that matches no route is counted as unmatched.
    assert_eq!(http.get(format!("{}/v1/nowhere/{}", server.url, held_ep.id)).send().await.unwrap().status(), 404);
    let text = http.get(format!("{}/metrics", server.url)).send().await.unwrap().text().await.unwrap();
    assert_eq!(metric(&text, "hookbridge_http_requests_total{method=\"\",route=\"unmatched\",status=\"4xx\"}"), 1.0);
    // The previous scrape is counted under its own route.
    assert_eq!(metric(&text, "hookbridge_http_requests_total{method=\"GET\",route=\"/metrics\",status=\"2xx\"}"), 1.0);
    // The standard process metrics describe the server process itself.
    assert!(metric(&text, "process_resident_memory_bytes") > 1e6);
    assert!(metric(&text, "process_open_fds") >= 3.0);
    assert!(metric(&text, "process_cpu_seconds_total") > 0.0);
    let started = metric(&text, "process_start_time_seconds");
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs_f64();
    assert!(started <= now + 1.0 && started > now - 600.0, "start time {started} vs now {now}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_access_log_has_one_line_per_request_with_route_status_latency_request_id_and_project() {
    let data_dir = std::env::temp_dir().join(format!("hb-ops-{}", uuid::Uuid::now_v7()));
    let mut child = Command::new(env!("CARGO_BIN_EXE_hookbridge-server"))
        .args(["--dev", "--log-format", "json", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(&data_dir)
        .args(harness::backend::server_args(&data_dir))
        .env("HOOKBRIDGE_LOG", "warn,hookbridge_server::access=info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("server starts");
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let url = stdout
        .lines()
        .map_while(Result::ok)
        .find_map(|l| l.strip_prefix("hookbridge-server listening on ").map(|u| u.trim().to_owned()))
        .expect("the server prints its listening address");
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let client = client(&url, harness::DEV_KEY);
    let endpoint = client.create_endpoint("http://127.0.0.1:9/hook", &CreateEndpointOptions::default()).await.unwrap();
    let missing = client.get_message("msg_0000000000000000000000000000000").await.unwrap_err();
    let response = reqwest::get(format!("{url}/healthz")).await.unwrap();
    let project_id = client.list_projects().await.unwrap().remove(0).id;
    let request_id = response.headers()["x-request-id"].to_str().unwrap().to_owned();

    let mut lines: Vec<serde_json::Value> = Vec::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while lines.len() < 4 && std::time::Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
            let value: serde_json::Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
            if value["target"] == "hookbridge_server::access" {
                lines.push(value);
            }
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&data_dir);
    assert_eq!(lines.len(), 4, "one line per request: {lines:#?}");
    let (created, not_found, probe) = (&lines[0], &lines[1], &lines[2]);
    assert_eq!(created["span"]["method"], "POST", "{created}");
    assert_eq!(created["span"]["route"], "/v1/endpoints", "{created}");
    assert_eq!(created["fields"]["status"], 201, "{created}");
    assert!(created["fields"]["latency_ms"].as_f64().is_some_and(|ms| ms >= 0.0), "{created}");
    assert_eq!(created["span"]["project"], project_id.as_str(), "the project of the API key: {created}");
    assert!(created["span"]["request_id"].as_str().is_some_and(|id| id.starts_with("req_")), "{created}");
    assert_eq!(not_found["span"]["route"], "/v1/messages/{message_id}", "the template, not the raw path: {not_found}");
    assert_eq!(not_found["fields"]["status"], missing.status().map(i64::from).unwrap_or_default(), "{not_found}");
    assert_eq!(not_found["span"]["project"], created["span"]["project"]);
    assert_eq!(probe["span"]["route"], "/healthz", "{probe}");
    assert_eq!(probe["span"]["request_id"], request_id.as_str(), "the id the client saw: {probe}");
    assert!(probe["span"].get("project").is_none(), "no project without an API key: {probe}");
    assert!(!endpoint.id.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_server_on_the_same_data_dir_refuses_to_start() {
    if harness::backend::is_postgres() {
        eprintln!("the data-dir lock is SQLite's: on PostgreSQL several servers share one database (tests/cluster.rs)");
        return;
    }
    let first = Server::start(&[]);
    let mut second = Command::new(env!("CARGO_BIN_EXE_hookbridge-server"))
        .args(["--dev", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(&first.data_dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = second.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = second.kill();
            panic!("a second server on the same data dir kept running");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(!status.success());
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut second.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(stderr.contains("another hookbridge-server is already using"), "{stderr}");
    // The first server is unaffected.
    assert!(first.client().list_api_keys().await.is_ok());
}
