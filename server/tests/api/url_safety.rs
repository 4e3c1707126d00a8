//! The SSRF guard outside `--dev`: https only, public addresses only (unless allow-listed),
//! checked when an endpoint URL is saved and again on every connection a delivery or forward
//! opens. Names resolve from a private hosts file (the server runs under `unshare -m`).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use hookbridge::{Client, CreateEndpointOptions, InboundEndpointSettings, InboundLogsQuery, Message, SendOptions};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::harness::{PrivateNames, Server};
use crate::support::{Raw, WAIT, client_for, eventually};

const KEY: &str = "hb_live_urlsafety000000000000000000000000";
/// What an attempt records when the guard refuses the address at connect time.
const BLOCKED: &str = "ENDPOINT_BLOCKED: the endpoint host is or resolves to a private or internal address; nothing was sent";

/// A TCP listener that counts the connections it accepts and answers each one with `reply`.
struct Listener {
    addr: SocketAddr,
    accepted: Arc<AtomicUsize>,
}

/// What a [`Listener`] does with a connection.
#[derive(Clone)]
enum Reply {
    /// Close it at once.
    Close,
    /// Read the request head, write these bytes, close.
    Bytes(Vec<u8>),
    /// Read the request head, write this head, then body chunks until the peer goes away.
    Endless(Vec<u8>),
}

impl Listener {
    async fn bind(addr: &str, reply: Reply) -> std::io::Result<Listener> {
        let socket = TcpListener::bind(addr).await?;
        let addr = socket.local_addr()?;
        let accepted = Arc::new(AtomicUsize::new(0));
        let count = accepted.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = socket.accept().await {
                count.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(answer(stream, reply.clone()));
            }
        });
        Ok(Listener { addr, accepted })
    }

    fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}

async fn answer(mut stream: TcpStream, reply: Reply) {
    let head = match &reply {
        Reply::Close => return,
        Reply::Bytes(head) | Reply::Endless(head) => head,
    };
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while !got.windows(4).any(|w| w == b"\r\n\r\n") && got.len() < 65_536 {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
    }
    if stream.write_all(head).await.is_err() {
        return;
    }
    if let Reply::Endless(_) = reply {
        let mut chunk = b"4000\r\n".to_vec();
        chunk.extend_from_slice(&[b'x'; 0x4000]);
        chunk.extend_from_slice(b"\r\n");
        // Endless: only the sender hanging up (or the test ending) stops it.
        while stream.write_all(&chunk).await.is_ok() {}
    }
}

/// Two closing listeners on one port: 127.0.0.2 (allow-listed in these tests) and 127.0.0.1 (not).
async fn listener_pair() -> (Listener, Listener) {
    for _ in 0..50 {
        let internal = Listener::bind("127.0.0.1:0", Reply::Close).await.expect("bind 127.0.0.1");
        if let Ok(allowed) = Listener::bind(&format!("127.0.0.2:{}", internal.addr.port()), Reply::Close).await {
            return (allowed, internal);
        }
    }
    panic!("no port free on both 127.0.0.1 and 127.0.0.2");
}

/// The message once its first attempt is recorded.
async fn attempted(client: &Client, message_id: &str) -> Message {
    eventually("the first attempt to be recorded", WAIT, || async {
        let m = client.get_message(message_id).await.expect("get_message");
        (m.attempt_count >= 1 && m.last_error.is_some()).then_some(m)
    })
    .await
}

async fn send_one(client: &Client, endpoint_id: &str) -> Message {
    let sent = client.send(endpoint_id, &json!({"n": 1}), &SendOptions::default()).await.expect("send");
    attempted(client, &sent.message_id).await
}

#[tokio::test(flavor = "multi_thread")]
async fn endpoint_urls_must_be_https_and_public() {
    let server = Server::start_strict(KEY, &["--allow-target-cidr", "127.0.0.0/8"], None);
    let raw = Raw::with_key(&server.url, Some(KEY));
    let create = |url: &str| raw.post("/v1/endpoints", json!({ "url": url }));

    create("http://127.0.0.1:8443/hook").await.expect_error(400, "INVALID_ENDPOINT");
    for scheme in ["ftp://example.com/hook", "file:///etc/passwd", "gopher://127.0.0.1:70/x"] {
        let m = create(scheme).await.expect_error(400, "INVALID_ENDPOINT");
        assert!(m.contains("https://"), "{scheme}: {m}");
    }
    for userinfo in ["https://user:pw@example.com/hook", "https://user@example.com/hook"] {
        let m = create(userinfo).await.expect_error(400, "INVALID_ENDPOINT");
        assert!(m.contains("credentials"), "{userinfo}: {m}");
    }
    for blocked in [
        "https://10.0.0.1/hook",
        "https://192.168.1.20/hook",
        "https://172.16.0.1/hook",
        "https://169.254.169.254/latest",
        "https://[fe80::1]/hook",
        "https://[::1]:8443/hook",
        "https://0.0.0.0/hook",
        "https://167772161/hook",         // 10.0.0.1 in decimal
        "https://012.0.0.1/hook",         // octal
        "https://0xa.0.0.1/hook",         // hex
        "https://0xa9fea9fe/hook",        // 169.254.169.254 in hex
        "https://[::ffff:10.0.0.1]/hook", // IPv4-mapped
        "https://[::ffff:a9fe:a9fe]/hook",
        "https://[::10.0.0.1]/hook",                           // IPv4-compatible
        "https://[::ffff:0:10.0.0.1]/hook",                    // SIIT
        "https://[2002:a00:1::1]/hook",                        // 6to4 of 10.0.0.1
        "https://[2002:7f00:1::1]/hook",                       // 6to4 of 127.0.0.1 (the allow-list names IPv4 only)
        "https://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/hook", // Teredo client 10.0.0.1
    ] {
        let m = create(blocked).await.expect_error(400, "ENDPOINT_BLOCKED");
        assert!(m.contains("private or internal"), "{blocked}: {m}");
    }
    // 127.0.0.0/8 is allow-listed by the flag, in its IPv4-mapped spelling too.
    create("https://127.0.0.1:8443/hook").await.expect_ok(201);
    create("https://[::ffff:127.0.0.3]:8443/hook").await.expect_ok(201);
    let ep = create("https://127.0.0.2:8443/hook").await;
    let id = ep.expect_ok(201)["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/endpoints/{id}");
    let patch = |url: &str| raw.call(reqwest::Method::PATCH, &path, Some(json!({ "url": url })));
    patch("https://10.1.1.1/x").await.expect_error(400, "ENDPOINT_BLOCKED");
    patch("https://[::ffff:a01:101]/x").await.expect_error(400, "ENDPOINT_BLOCKED");
    patch("http://127.0.0.2:8443/x").await.expect_error(400, "INVALID_ENDPOINT");
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_urls_are_refused_with_the_problem_named() {
    let server = Server::start_strict(KEY, &["--allow-target-cidr", "127.0.0.0/8"], None);
    let raw = Raw::with_key(&server.url, Some(KEY));
    for path in ["/v1/endpoints", "/v1/inbound-endpoints"] {
        for (url, says) in [
            ("https://127.0.0.1:8443/ho\r\nok", "url must not contain CR or LF characters"),
            ("https://127.0.0.1:8443/hook\nX-Injected: 1", "url must not contain CR or LF characters"),
            ("https://127.0.0.1\r:8443/hook", "url must not contain CR or LF characters"),
            ("https://127.0.0.1:8443/\u{7f}hook", "url must not contain control characters"),
            ("https://127.0.0.1:0/hook", "url port must be between 1 and 65535 (got 0)"),
        ] {
            let m = raw.post(path, json!({ "url": url })).await.expect_error(400, "INVALID_ENDPOINT");
            assert_eq!(m, says, "{path} {url:?}");
        }
    }
    let list = raw.get("/v1/endpoints").await;
    assert_eq!(list.expect_ok(200).as_array().map(Vec::len), Some(0), "nothing was stored");
}

#[tokio::test(flavor = "multi_thread")]
async fn names_are_checked_at_creation_without_echoing_their_answers() {
    let names = PrivateNames::new(&[
        ("127.0.0.1", "loop.test"),
        ("127.0.0.1", "localhost"),
        ("10.20.30.40", "ten.test"),
        ("::1", "six.test"),
        ("::ffff:192.168.7.7", "mapped.test"),
        ("93.184.216.34", "mixed.test"),
        ("10.9.9.9", "mixed.test"),
        ("93.184.216.34", "public.test"),
    ]);
    let server = Server::start_strict(KEY, &[], Some(&names));
    let raw = Raw::with_key(&server.url, Some(KEY));
    for path in ["/v1/endpoints", "/v1/inbound-endpoints"] {
        for (url, answer) in [
            ("https://loop.test/hook", "127.0.0.1"),
            ("https://localhost/hook", "127.0.0.1"),
            ("https://ten.test:8443/hook", "10.20.30.40"),
            ("https://six.test/hook", "::1"),
            ("https://mapped.test/hook", "192.168.7.7"),
            ("https://mixed.test/hook", "10.9.9.9"),
        ] {
            let m = raw.post(path, json!({ "url": url })).await.expect_error(400, "ENDPOINT_BLOCKED");
            assert!(m.contains("blocked") && m.contains("private or internal"), "{url}: {m}");
            assert!(!m.contains(answer), "{url}: the DNS answer leaked: {m}");
        }
        let m = raw.post(path, json!({ "url": "https://no-such-host.test/hook" })).await;
        assert!(m.expect_error(400, "ENDPOINT_UNREACHABLE").contains("does not resolve"));
    }
    raw.post("/v1/endpoints", json!({ "url": "https://public.test/hook" })).await.expect_ok(201);

    // Private targets allowed: any address passes, but a name must still resolve.
    let open = Server::start_strict(KEY, &["--allow-private-targets"], Some(&names));
    let raw = Raw::with_key(&open.url, Some(KEY));
    raw.post("/v1/endpoints", json!({ "url": "http://loop.test:9/hook" })).await.expect_ok(201);
    let m = raw.post("/v1/endpoints", json!({ "url": "http://no-such-host.test:9/hook" })).await;
    m.expect_error(400, "ENDPOINT_UNREACHABLE");
}

#[tokio::test(flavor = "multi_thread")]
async fn dns_changes_after_creation_are_refused_at_connect_time() {
    let (allowed, internal) = listener_pair().await;
    let names = PrivateNames::new(&[("127.0.0.2", "hook.test")]);
    let server = Server::start_strict(KEY, &["--allow-target-cidr", "127.0.0.2/32"], Some(&names));
    let client = client_for(&server.url, KEY);
    let url = format!("https://hook.test:{}/hook", allowed.addr.port());
    let endpoint = client.create_endpoint(&url, &CreateEndpointOptions::default()).await.expect("allowed at creation");
    let inbound = client.create_inbound_endpoint(&url, &InboundEndpointSettings::default()).await.expect("allowed at creation");

    // While the name points at the allow-listed address, attempts connect there.
    let first = send_one(&client, &endpoint.id).await;
    assert!(allowed.accepted() >= 1, "the delivery connected to 127.0.0.2");
    assert_eq!(first.last_error.as_deref(), Some("connection failed"), "a closed connection says no more");

    // Now the name answers 127.0.0.1, which is not allow-listed.
    names.set(&[("127.0.0.1", "hook.test")]);
    let second = send_one(&client, &endpoint.id).await;
    assert_eq!(second.last_error.as_deref(), Some(BLOCKED));
    assert_eq!(second.response_status, None);

    // Inbound forwarding goes through the same guard.
    let ingest = reqwest::Client::new().post(&inbound.ingest_url).json(&json!({"n": 2})).send().await.expect("ingest");
    assert!(ingest.status().is_success(), "ingest answered {}", ingest.status());
    let entry = eventually("the forward attempt to be recorded", WAIT, || async {
        let logs = client.get_inbound_logs(&InboundLogsQuery::default()).await.expect("inbound logs");
        logs.entries.into_iter().find(|e| e.attempt_count >= 1 && e.last_error.is_some())
    })
    .await;
    assert_eq!(entry.last_error.as_deref(), Some(BLOCKED));
    assert_eq!(internal.accepted(), 0, "nothing connected to 127.0.0.1");
}

#[tokio::test(flavor = "multi_thread")]
async fn literal_addresses_are_checked_again_at_delivery() {
    let internal = Listener::bind("127.0.0.1:0", Reply::Close).await.expect("bind");
    let mut server = Server::start_strict(KEY, &["--allow-target-cidr", "127.0.0.0/8"], None);
    let client = client_for(&server.url, KEY);
    let url = format!("https://127.0.0.1:{}/hook", internal.addr.port());
    let endpoint = client.create_endpoint(&url, &CreateEndpointOptions::default()).await.expect("allow-listed");

    // The operator narrows the policy; the stored URL must not keep working.
    server.restart_with(&[]);
    let client = client_for(&server.url, KEY);
    let message = send_one(&client, &endpoint.id).await;
    assert_eq!(message.last_error.as_deref(), Some(BLOCKED));
    assert_eq!(internal.accepted(), 0, "nothing connected to 127.0.0.1");
}

#[tokio::test(flavor = "multi_thread")]
async fn connect_failures_do_not_say_what_listens() {
    let closes = Listener::bind("127.0.0.1:0", Reply::Close).await.expect("bind");
    let refused = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        probe.local_addr().expect("addr").port()
    };
    let server = Server::start_strict(KEY, &["--allow-target-cidr", "127.0.0.0/8"], None);
    let client = client_for(&server.url, KEY);
    let mut errors = Vec::new();
    for port in [refused, closes.addr.port()] {
        let url = format!("https://127.0.0.1:{port}/hook");
        let endpoint = client.create_endpoint(&url, &CreateEndpointOptions::default()).await.expect("allow-listed");
        errors.push(send_one(&client, &endpoint.id).await.last_error);
    }
    let want = Some("connection failed".to_owned());
    assert_eq!(errors, [want.clone(), want], "a refused port and a non-TLS listener look alike");
    assert!(closes.accepted() >= 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn redirects_are_not_followed() {
    let target = Listener::bind("127.0.0.1:0", Reply::Close).await.expect("bind");
    let redirect =
        format!("HTTP/1.1 307 Temporary Redirect\r\nLocation: http://{}/hook\r\nContent-Length: 0\r\n\r\n", target.addr);
    let redirecting = Listener::bind("127.0.0.1:0", Reply::Bytes(redirect.into_bytes())).await.expect("bind");
    let server = Server::start(&[]);
    let client = server.client();
    let url = format!("http://{}/hook", redirecting.addr);
    let endpoint = client.create_endpoint(&url, &CreateEndpointOptions::default()).await.expect("dev allows it");
    let message = send_one(&client, &endpoint.id).await;
    assert_eq!(message.response_status, Some(307));
    assert_eq!(message.last_error.as_deref(), Some("HTTP 307"));
    assert_eq!(target.accepted(), 0, "the redirect was not followed");
}

#[tokio::test(flavor = "multi_thread")]
async fn receiver_bodies_are_read_up_to_a_cap() {
    let head = b"HTTP/1.1 500 Internal Server Error\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    let endless = Listener::bind("127.0.0.1:0", Reply::Endless(head)).await.expect("bind");
    // The body never ends: without a cap the attempt would run into the 60 s timeout.
    let server = Server::start(&["--delivery-timeout-secs", "60"]);
    let client = server.client();
    let url = format!("http://{}/hook", endless.addr);
    let endpoint = client.create_endpoint(&url, &CreateEndpointOptions::default()).await.expect("dev allows it");
    let message = send_one(&client, &endpoint.id).await;
    assert_eq!(message.response_status, Some(500));
    let error = message.last_error.expect("error text");
    assert!(error.starts_with("HTTP 500: xxx"), "{error:.40}");
    assert!(error.len() <= 600, "the stored snippet is capped, got {} bytes", error.len());
    assert!(
        message.response_latency_ms.is_some_and(|ms| ms < 30_000),
        "the attempt stopped reading: {:?}",
        message.response_latency_ms
    );
}
