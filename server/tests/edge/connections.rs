//! The connection cap and the header-read, idle and request timeouts.

use std::time::{Duration, Instant};

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use crate::harness::{DEV_KEY, Server};
use crate::raw::{RawAnswer, addr, read_until_closed};

/// `/healthz` answers 200 within `within`.
async fn healthz_answers(http: &reqwest::Client, url: &str, within: Duration) -> bool {
    let started = Instant::now();
    match http.get(format!("{url}/healthz")).timeout(within).send().await {
        Ok(r) => r.status() == 200 && started.elapsed() <= within,
        Err(_) => false,
    }
}

/// A slowloris client: sends a request line, then one header line every 300 ms, never the end
/// of the head. Returns when the server closed the connection (with what it answered and how
/// long that took) or after `give_up`.
async fn slowloris(url: String, give_up: Duration) -> (Option<Duration>, Vec<u8>) {
    let started = Instant::now();
    let stream = TcpStream::connect(addr(&url)).await.expect("connect");
    let (mut reader, mut writer) = stream.into_split();
    let dribble = tokio::spawn(async move {
        let _ = writer.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").await;
        for i in 0.. {
            tokio::time::sleep(Duration::from_millis(300)).await;
            if writer.write_all(format!("X-Slow-{i}: y\r\n").as_bytes()).await.is_err() {
                break;
            }
        }
    });
    let (bytes, closed) = read_until_closed(&mut reader, give_up).await;
    dribble.abort();
    (closed.then(|| started.elapsed()), bytes)
}

#[tokio::test(flavor = "multi_thread")]
async fn slowloris_clients_are_cut_off_while_healthz_keeps_answering() {
    let server = Server::start(&["--header-read-timeout-secs", "2"]);
    let http = reqwest::Client::new();
    let clients: Vec<_> = (0..60).map(|_| tokio::spawn(slowloris(server.url.clone(), Duration::from_secs(20)))).collect();
    // While they dribble, normal requests are served.
    let until = Instant::now() + Duration::from_secs(3);
    let mut served = 0;
    while Instant::now() < until {
        assert!(healthz_answers(&http, &server.url, Duration::from_secs(5)).await, "/healthz stopped answering");
        served += 1;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(served > 3);
    for client in clients {
        let (closed_after, answer) = client.await.unwrap();
        let closed_after = closed_after.expect("a slowloris connection was still open after 20 s");
        assert!(closed_after >= Duration::from_millis(1500), "closed after {closed_after:?}, before the header timeout");
        let message = RawAnswer::parse(&answer).expect_error(408, "REQUEST_TIMEOUT");
        assert!(message.contains("header-read-timeout"), "{message}");
    }
    assert!(healthz_answers(&http, &server.url, Duration::from_secs(5)).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn silent_and_idle_connections_are_closed() {
    let server = Server::start(&["--header-read-timeout-secs", "2", "--idle-timeout-secs", "3"]);
    // A connection that never sends anything is closed after the header-read timeout, silently.
    let started = Instant::now();
    let mut silent = TcpStream::connect(addr(&server.url)).await.unwrap();
    let (bytes, closed) = read_until_closed(&mut silent, Duration::from_secs(20)).await;
    assert!(closed, "a silent connection stayed open for 20 s");
    assert!(bytes.is_empty(), "{:?}", String::from_utf8_lossy(&bytes));
    assert!(started.elapsed() >= Duration::from_millis(1500), "closed after {:?}", started.elapsed());

    // A kept-alive connection is closed once idle for the idle timeout, not the header timeout.
    let mut kept = TcpStream::connect(addr(&server.url)).await.unwrap();
    kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    let mut first = Vec::new();
    while !String::from_utf8_lossy(&first).contains("ok\n") {
        let (bytes, closed) = read_until_closed_or_some(&mut kept).await;
        first.extend(bytes);
        assert!(!closed || String::from_utf8_lossy(&first).contains("ok\n"), "closed before answering");
    }
    let idle_from = Instant::now();
    let (_, closed) = read_until_closed(&mut kept, Duration::from_secs(20)).await;
    assert!(closed, "an idle keep-alive connection stayed open for 20 s");
    let idle = idle_from.elapsed();
    assert!(idle >= Duration::from_millis(2500), "closed after {idle:?} idle; the idle timeout is 3 s");
}

/// Reads whatever arrives next (up to 10 s); returns it and whether the connection closed.
async fn read_until_closed_or_some(stream: &mut TcpStream) -> (Vec<u8>, bool) {
    use tokio::io::AsyncReadExt;
    let mut chunk = [0u8; 4096];
    match tokio::time::timeout(Duration::from_secs(10), stream.read(&mut chunk)).await {
        Ok(Ok(0)) | Ok(Err(_)) => (Vec::new(), true),
        Ok(Ok(n)) => (chunk[..n].to_vec(), false),
        Err(_) => panic!("no answer within 10 s"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn connections_over_the_cap_get_503_and_the_server_recovers() {
    let server = Server::start(&["--max-connections", "8", "--header-read-timeout-secs", "5"]);
    let started = Instant::now();
    let mut held = Vec::new();
    for _ in 0..8 {
        held.push(TcpStream::connect(addr(&server.url)).await.unwrap());
    }
    // The ninth connection is accepted after the eight (FIFO) and refused at once.
    let mut ninth = TcpStream::connect(addr(&server.url)).await.unwrap();
    let (bytes, closed) = read_until_closed(&mut ninth, Duration::from_secs(10)).await;
    assert!(started.elapsed() < Duration::from_secs(5), "the held connections may have timed out already; too slow to judge");
    assert!(closed, "the connection over the cap was not closed");
    let answer = RawAnswer::parse(&bytes);
    let message = answer.expect_error(503, "UNAVAILABLE");
    assert!(message.contains("connection limit (8)"), "{message}");
    assert_eq!(answer.header("retry-after").as_deref(), Some("1"));
    // Once the held connections time out, new ones are served again.
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !healthz_answers(&http, &server.url, Duration::from_secs(5)).await {
        assert!(Instant::now() < deadline, "the server did not recover after the held connections timed out");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    drop(held);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_request_whose_body_dribbles_gets_408_after_the_request_timeout() {
    let server = Server::start(&["--request-timeout-secs", "2"]);
    let stream = TcpStream::connect(addr(&server.url)).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let head = format!(
        "POST /v1/webhooks/send HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {DEV_KEY}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{{\"payload\":"
    );
    let started = Instant::now();
    let dribble = tokio::spawn(async move {
        let _ = writer.write_all(head.as_bytes()).await;
        loop {
            tokio::time::sleep(Duration::from_millis(200)).await;
            if writer.write_all(b" ").await.is_err() {
                break;
            }
        }
    });
    let (bytes, _) = read_until_closed_or_answered(&mut reader).await;
    dribble.abort();
    let elapsed = started.elapsed();
    let message = RawAnswer::parse(&bytes).expect_error(408, "REQUEST_TIMEOUT");
    assert!(message.contains("request-timeout"), "{message}");
    assert!(elapsed >= Duration::from_millis(1500), "answered after {elapsed:?}, before the timeout");
}

/// Reads until a complete JSON answer arrived or the connection closed (up to 20 s).
async fn read_until_closed_or_answered(reader: &mut (impl tokio::io::AsyncReadExt + Unpin)) -> (Vec<u8>, bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if !RawAnswer::parse(&bytes).body.is_null() {
            return (bytes, false);
        }
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, reader.read(&mut chunk)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (bytes, true),
            Ok(Ok(n)) => bytes.extend_from_slice(&chunk[..n]),
            Err(_) => panic!("no answer within 20 s: {:?}", String::from_utf8_lossy(&bytes)),
        }
    }
}

/// A send with `key` to an endpoint that does not exist, then `GET /healthz` on the same
/// connection right behind it (pipelined, as a pooling client reuses a connection); what the
/// server answered until it closed the connection or `within` passed.
async fn send_then_healthz_on_one_connection(url: &str, key: &str) -> String {
    let body = r#"{"endpoint_id":"ep_00000000000000000000000000000000","payload":{"n":1}}"#;
    let request = format!(
        "POST /v1/webhooks/send HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let stream = TcpStream::connect(addr(url)).await.expect("connect");
    let (mut reader, mut writer) = stream.into_split();
    writer.write_all(request.as_bytes()).await.expect("write");
    let (bytes, closed) = read_until_closed(&mut reader, Duration::from_secs(10)).await;
    assert!(closed, "the server kept the connection open: {}", String::from_utf8_lossy(&bytes));
    String::from_utf8_lossy(&bytes).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_answer_given_before_the_body_was_read_says_connection_close() {
    let server = Server::start(&[]);
    // A bad key is refused before the body is read: the connection cannot carry another request,
    // and the answer says so, so a pooling client does not reuse it and meet a closed socket.
    let refused = send_then_healthz_on_one_connection(&server.url, "hb_test_not_a_key").await;
    let answer = RawAnswer::parse(refused.as_bytes());
    answer.expect_error(401, "UNAUTHORIZED");
    assert_eq!(answer.header("connection").as_deref(), Some("close"), "{refused}");
    assert_eq!(refused.matches("HTTP/1.1 ").count(), 1, "nothing is answered after the close: {refused}");

    // A request whose body was read keeps the connection: the next request on it is answered.
    let read = send_then_healthz_on_one_connection(&server.url, DEV_KEY).await;
    let (first, rest) = read.split_once("HTTP/1.1 200").unwrap_or_else(|| panic!("no /healthz answer after the send: {read}"));
    let first = RawAnswer::parse(first.as_bytes());
    assert_eq!(first.status, 404, "{read}");
    assert_eq!(first.header("connection"), None, "{read}");
    assert!(rest.contains("ok") || rest.contains("status"), "{read}");
}
