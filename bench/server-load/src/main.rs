//! Benchmark of `hookbridge-server` on this machine.
//!
//! Starts the server (`--dev`, fresh data dir, durable SQLite) and a fast local receiver, then
//! for 1, 16 and 128 concurrent senders reports accepted (durable) sends/s, end-to-end
//! deliveries/s and p50/p99 send-to-delivery latency, and finally the server's peak RSS with
//! 100,000 messages queued for a paused endpoint. Prints each figure next to its goal.
//!
//! Usage: `hookbridge-bench-server [SERVER_BINARY] [SENDS_PER_LEVEL] [PAUSED_MESSAGES]`

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use hookbridge::{Client, ClientConfig, CreateEndpointOptions, SendOptions};

const DEV_KEY: &str = "hb_test_dev00000000000000000000000000000";

type Arrivals = Arc<Mutex<HashMap<String, Instant>>>;

struct ServerProcess {
    child: Child,
    url: String,
    data_dir: std::path::PathBuf,
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

fn start_server(binary: &str) -> ServerProcess {
    let data_dir = std::env::temp_dir().join(format!("hookbridge-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_dir);
    let mut child = Command::new(binary)
        .args(["--dev", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(&data_dir)
        .env("HOOKBRIDGE_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {binary}: {e} (build it with: cargo build --release -p hookbridge-server)"));
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(url) = line.strip_prefix("hookbridge-server listening on ") {
                let _ = tx.send(url.to_owned());
            }
        }
    });
    let url = rx.recv_timeout(Duration::from_secs(30)).expect("server prints its address");
    ServerProcess { child, url, data_dir }
}

fn peak_rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

async fn start_receiver(arrivals: Arrivals) -> String {
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap| {
            let arrivals = arrivals.clone();
            async move {
                if let Some(id) = headers.get("x-webhook-id").and_then(|v| v.to_str().ok()) {
                    arrivals.lock().unwrap().insert(id.to_owned(), Instant::now());
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

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

/// Sends `total` messages from `senders` concurrent tasks; returns (message id, send start) pairs and the elapsed time.
async fn send_all(client: &Client, endpoint_id: &str, total: usize, senders: usize) -> (Vec<(String, Instant)>, Duration) {
    let started = Instant::now();
    let per_sender = total / senders;
    let mut tasks = Vec::new();
    for s in 0..senders {
        let client = client.clone();
        let endpoint_id = endpoint_id.to_owned();
        tasks.push(tokio::spawn(async move {
            let mut sent = Vec::with_capacity(per_sender);
            let payload = serde_json::json!({"event": "bench", "sender": s, "data": "x".repeat(200)});
            for _ in 0..per_sender {
                let at = Instant::now();
                let reply = client.send(&endpoint_id, &payload, &SendOptions::default()).await.expect("send accepted");
                sent.push((reply.message_id, at));
            }
            sent
        }));
    }
    let mut all = Vec::with_capacity(total);
    for task in tasks {
        all.extend(task.await.expect("sender task"));
    }
    (all, started.elapsed())
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let binary = args.get(1).cloned().unwrap_or_else(|| "target/release/hookbridge-server".into());
    let per_level: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(20_000);
    let paused_total: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(100_000);

    let arrivals: Arrivals = Arc::default();
    let receiver = start_receiver(arrivals.clone()).await;
    let server = start_server(&binary);
    let pid = server.child.id();
    let client = Client::new(ClientConfig::new(DEV_KEY).with_base_url(&server.url).with_send_url(&server.url).with_retries(0))
        .expect("client");
    println!("hookbridge-server benchmark ({binary}, {per_level} sends per level, durable SQLite, 2-core machine)");
    println!("{:>8} {:>14} {:>16} {:>10} {:>10}", "senders", "accepted/s", "deliveries/s", "p50 ms", "p99 ms");
    for senders in [1usize, 16, 128] {
        let total = if senders == 1 { per_level.min(5_000) } else { per_level } / senders * senders;
        let url = format!("{receiver}?senders={senders}");
        let endpoint = client.create_endpoint(&url, &CreateEndpointOptions::default()).await.expect("endpoint");
        let (sent, elapsed) = send_all(&client, &endpoint.id, total, senders).await;
        let first_send = sent.iter().map(|(_, at)| *at).min().expect("sent something");
        let deadline = Instant::now() + Duration::from_secs(120);
        let latencies = loop {
            let got = arrivals.lock().unwrap().clone();
            if sent.iter().all(|(id, _)| got.contains_key(id)) || Instant::now() > deadline {
                let mut lat: Vec<Duration> =
                    sent.iter().filter_map(|(id, at)| got.get(id).map(|arrived| arrived.duration_since(*at))).collect();
                lat.sort();
                let last = sent.iter().filter_map(|(id, _)| got.get(id)).max().copied().unwrap_or(first_send);
                break (lat, last.duration_since(first_send));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        let (lat, delivery_span) = latencies;
        println!(
            "{:>8} {:>14.0} {:>16.0} {:>10.1} {:>10.1}",
            senders,
            total as f64 / elapsed.as_secs_f64(),
            lat.len() as f64 / delivery_span.as_secs_f64(),
            percentile(&lat, 0.50).as_secs_f64() * 1e3,
            percentile(&lat, 0.99).as_secs_f64() * 1e3,
        );
    }
    println!("goals: >= 10000 accepted/s, >= 5000 deliveries/s, p99 send-to-delivery < 50 ms when not throttled");

    let paused =
        client.create_endpoint(&format!("{receiver}?paused"), &CreateEndpointOptions::default()).await.expect("endpoint");
    client.pause_endpoint(&paused.id).await.expect("pause");
    let (_, elapsed) = send_all(&client, &paused.id, paused_total, 128).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let depth = client.get_metrics("1h").await.map(|m| m.total_messages).unwrap_or(-1);
    println!(
        "paused endpoint: {paused_total} messages queued in {:.1} s ({:.0}/s); server peak RSS {:.1} MiB (goal < 150 MiB); messages in the last hour: {depth}",
        elapsed.as_secs_f64(),
        paused_total as f64 / elapsed.as_secs_f64(),
        peak_rss_mib(pid)
    );
}
