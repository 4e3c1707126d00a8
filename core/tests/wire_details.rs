//! Wire details the official Python package (httpx) has and strict intermediaries rely on:
//! `Content-Length: 0` on every body-less POST, and `Accept-Encoding: gzip, deflate` with the
//! answer decompressed. Checked against real HTTP servers on 127.0.0.1.

mod common;

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Request, Response, StatusCode};
use common::{MockServer, Scripted};
use hookbridge::{Client, ClientConfig};
use serde_json::json;

/// A server that, like strict proxies, answers 411 to a POST without `Content-Length` (and
/// without chunked framing), and 200 `{"data": {}}` otherwise; it records each `Content-Length`.
struct StrictServer {
    url: String,
    seen: Arc<Mutex<Vec<Option<String>>>>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Drop for StrictServer {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl StrictServer {
    fn start() -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen: Arc<Mutex<Vec<Option<String>>>> = Arc::default();
        let log = seen.clone();
        let app = axum::Router::new().fallback(move |request: Request<Body>| {
            let log = log.clone();
            async move {
                let length = request.headers().get("content-length").map(|v| v.to_str().unwrap().to_owned());
                let chunked = request.headers().contains_key("transfer-encoding");
                log.lock().unwrap().push(length.clone());
                let (status, body) = if request.method() == "POST" && length.is_none() && !chunked {
                    (StatusCode::LENGTH_REQUIRED, json!({"error": {"code": "LENGTH_REQUIRED", "message": "411"}}))
                } else {
                    (StatusCode::OK, json!({"data": {"id": "ep", "paused": true, "messages_requeued": 0}}))
                };
                let mut response = Response::new(Body::from(body.to_string()));
                *response.status_mut() = status;
                response
            }
        });
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        runtime.spawn(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
        StrictServer { url, seen, runtime: Some(runtime) }
    }
}

#[tokio::test]
async fn body_less_posts_send_content_length_zero_and_a_strict_server_accepts_them() {
    let server = StrictServer::start();
    // The server is strict: a POST without Content-Length (what the client sent before) gets 411.
    let mut raw = std::net::TcpStream::connect(server.url.trim_start_matches("http://")).unwrap();
    std::io::Write::write_all(&mut raw, b"POST /v1/messages/m1/replay HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    std::io::Read::read_to_string(&mut raw, &mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 411"), "{answer}");
    server.seen.lock().unwrap().clear();
    let config = ClientConfig::new(common::API_KEY).with_base_url(&server.url).with_send_url(&server.url).with_retries(0);
    let client = Client::new(config).unwrap();
    client.replay("m1").await.expect("replay");
    client.cancel_retry("m1").await.expect("cancel");
    client.retry_now("m1").await.expect("retry-now");
    client.pause_endpoint("ep").await.expect("pause");
    client.resume_endpoint("ep").await.expect("resume");
    client.get_message("m1").await.expect_err("not a message body, but not a 411 either");
    let seen = server.seen.lock().unwrap().clone();
    assert_eq!(seen[..5], vec![Some("0".to_owned()); 5], "every body-less POST says its length");
    assert_eq!(seen[5], None, "a GET carries no Content-Length");
}

#[tokio::test]
async fn requests_accept_gzip_and_deflate_and_answers_are_decompressed() {
    let text = json!({"data": [{"key_id": "k1", "label": "gz", "prefix": "hb_test_", "created_at": "2025-01-01T00:00:00Z"}]})
        .to_string();
    for (encoding, body) in [("gzip", gzip(text.as_bytes())), ("deflate", zlib(text.as_bytes()))] {
        let mut reply = Scripted::raw(200, "").header("content-type", "application/json").header("content-encoding", encoding);
        reply.body = body;
        let server = MockServer::always(reply);
        let keys = server.client().list_api_keys().await.unwrap_or_else(|e| panic!("{encoding}: {e:?}"));
        assert_eq!((keys.len(), keys[0].label.as_deref()), (1, Some("gz")), "{encoding} answer decoded");
        assert_eq!(server.only_request().header("accept-encoding"), Some("gzip, deflate"));
    }
}

/// A deflate stream of one stored (uncompressed) block: valid for any decoder.
fn stored_deflate(data: &[u8]) -> Vec<u8> {
    let len = u16::try_from(data.len()).expect("small test body");
    let mut out = vec![0x01];
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&(!len).to_le_bytes());
    out.extend_from_slice(data);
    out
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    out.extend(stored_deflate(data));
    out.extend_from_slice(&crc32(data).to_le_bytes());
    out.extend_from_slice(&u32::try_from(data.len()).unwrap().to_le_bytes());
    out
}

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    out.extend(stored_deflate(data));
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + u32::from(byte)) % 65521;
        b = (b + a) % 65521;
    }
    out.extend_from_slice(&((b << 16) | a).to_be_bytes());
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}
