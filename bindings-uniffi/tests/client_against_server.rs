//! A call through the exported object against a real `hookbridge-server --dev`, delivering to a
//! real local receiver. Needs the server binary: `cargo build -p hookbridge-server` (or set
//! `HOOKBRIDGE_SERVER_BIN`).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use hookbridge_uniffi::{HookBridgeClient, HookBridgeError, JsonInput, SendOptions, verify_webhook};

const DEV_API_KEY: &str = "hb_test_dev00000000000000000000000000000";

/// The server process; killed on drop.
struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn server_bin() -> PathBuf {
    if let Ok(bin) = std::env::var("HOOKBRIDGE_SERVER_BIN") {
        return bin.into();
    }
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("debug/hookbridge-server")
}

fn start_server() -> Server {
    let bin = server_bin();
    assert!(bin.exists(), "{} not found: build it with `cargo build -p hookbridge-server`", bin.display());
    let mut child = Command::new(&bin)
        .args(["--dev", "--listen", "127.0.0.1:0", "--retry-time-scale", "0.001"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start hookbridge-server");
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(url) = line.trim().strip_prefix("hookbridge-server listening on ") {
                let _ = tx.send(url.to_owned());
            }
        }
    });
    let url = rx.recv_timeout(Duration::from_secs(60)).expect("hookbridge-server printed its URL");
    Server { child, url }
}

/// One request received by [`receiver`]: headers (lower-case names) and raw body.
struct Received {
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == &name.to_ascii_lowercase()).map(|(_, v)| v.as_str())
    }
}

/// A minimal HTTP/1.1 receiver on 127.0.0.1:0 answering 200 to every request.
fn receiver() -> (String, mpsc::Receiver<Received>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming().map_while(Result::ok) {
            let mut reader = BufReader::new(stream);
            let mut headers = Vec::new();
            let mut line = String::new();
            reader.read_line(&mut line).ok();
            loop {
                line.clear();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
                    break;
                }
                if let Some((k, v)) = line.split_once(':') {
                    headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
                }
            }
            let length = headers.iter().find(|(k, _)| k == "content-length").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
            let mut body = vec![0; length];
            reader.read_exact(&mut body).ok();
            let mut stream = reader.into_inner();
            stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").ok();
            let _ = tx.send(Received { headers, body });
        }
    });
    (url, rx)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sends_delivers_and_maps_errors_through_the_exported_object() {
    let server = start_server();
    let client =
        HookBridgeClient::new(DEV_API_KEY.into(), Some(server.url.clone()), Some(server.url.clone()), 10_000, 0).unwrap();
    let (hook_url, deliveries) = receiver();

    let endpoint = client.create_endpoint(hook_url.clone(), None).await.unwrap();
    assert_eq!(client.get_endpoint(endpoint.id.clone()).await.unwrap().url, hook_url);
    let sent = client
        .send(
            endpoint.id.clone(),
            JsonInput::from(serde_json::json!({"event": "rust.test", "n": 1})),
            Some(SendOptions { headers: None, idempotency_key: Some("k-1".into()) }),
        )
        .await
        .unwrap();

    let deadline = Instant::now() + Duration::from_secs(30);
    let mut message = client.get_message(sent.message_id.clone()).await.unwrap();
    while message.status != "succeeded" && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
        message = client.get_message(sent.message_id.clone()).await.unwrap();
    }
    assert_eq!(message.status, "succeeded", "{message:?}");
    let age_ms = hookbridge::Timestamp::now().unix_millis() - message.created_at.unix_millis();
    assert!((-5_000..120_000).contains(&age_ms), "created_at is the send time: {:?}", message.created_at);

    let delivery = deliveries.recv_timeout(Duration::from_secs(10)).expect("a delivery reached the receiver");
    let delivered: serde_json::Value = serde_json::from_slice(&delivery.body).expect("the delivery is JSON");
    assert_eq!(delivered, serde_json::json!({"event": "rust.test", "n": 1}));
    assert_eq!(delivery.header("X-Webhook-Id"), Some(sent.message_id.as_str()));
    let signature = delivery.header("X-Webhook-Signature").expect("signed").to_owned();
    let timestamp = delivery.header("X-Webhook-Timestamp").expect("timestamped").to_owned();
    verify_webhook(delivery.body.clone(), signature.clone(), timestamp.clone(), vec![endpoint.signing_secret.clone()], 300, None)
        .expect("the delivery verifies with the endpoint's secret");

    let logs = client.get_logs(None).await.unwrap();
    assert!(logs.messages.iter().any(|m| m.message_id == sent.message_id && m.status == "succeeded"));

    let missing = client.get_message("01935abc-def0-7123-8567-890abcdef012".into()).await.unwrap_err();
    assert!(matches!(missing, HookBridgeError::NotFound { status: Some(404), .. }), "{missing:?}");
    let conflict = client
        .send_json(
            endpoint.id.clone(),
            r#"{"event":"other"}"#.into(),
            Some(SendOptions { headers: None, idempotency_key: Some("k-1".into()) }),
        )
        .await
        .unwrap_err();
    assert!(matches!(conflict, HookBridgeError::Idempotency { status: Some(409), .. }), "{conflict:?}");
}

/// JSON given as bytes (Swift `Data`) or text that is not JSON, or fields that are not an object,
/// fail with `Validation` naming the argument, before any request: the client points at a port
/// nothing listens on, so a request would be a `Network` error instead.
#[tokio::test]
async fn json_that_is_not_json_is_a_validation_error_before_any_request() {
    let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let url = format!("http://{closed}");
    let client = HookBridgeClient::new(DEV_API_KEY.into(), Some(url.clone()), Some(url), 2_000, 0).unwrap();
    let validation = |e: HookBridgeError| match e {
        HookBridgeError::Validation { message, .. } => message,
        other => panic!("expected Validation, got {other:?}"),
    };

    let not_utf8 = JsonInput::new(vec![b'"', 0xff, b'"']);
    let e = client.send("ep_x".into(), not_utf8, None).await.unwrap_err();
    assert!(validation(e).starts_with("payload is not valid JSON"));
    let e = client.send_json("ep_x".into(), "{not json".into(), None).await.unwrap_err();
    assert!(validation(e).starts_with("payload is not valid JSON"));
    let e = client.handle_stripe_webhook(JsonInput::new(&b""[..])).await.unwrap_err();
    assert!(validation(e).starts_with("payload is not valid JSON"));
    let e = client.update_pull_endpoint_fields("pe_x".into(), JsonInput::from(serde_json::json!([1]))).await.unwrap_err();
    assert_eq!(validation(e), "fields must be a JSON object");
    let e = client.update_inbound_endpoint_fields_json("ie_x".into(), "[]".into()).await.unwrap_err();
    assert_eq!(validation(e), "fields must be a JSON object");
    // The same client does reach the network for valid JSON (so the errors above came first).
    let e = client.send("ep_x".into(), JsonInput::new(&b"{}"[..]), None).await.unwrap_err();
    assert!(matches!(e, HookBridgeError::Network { .. }), "{e:?}");
}
