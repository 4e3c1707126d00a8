//! Raw TCP exchanges, for requests an HTTP client library refuses to send.

#![allow(dead_code)]

use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// `host:port` of a server URL.
pub fn addr(url: &str) -> String {
    url.trim_start_matches("http://").trim_end_matches('/').to_owned()
}

/// An answer read off a socket until the server closed it (or `within` passed).
#[derive(Debug)]
pub struct RawAnswer {
    /// Status code (0 when nothing was answered).
    pub status: u16,
    /// The head as text.
    pub head: String,
    /// The body as JSON (`Null` when not JSON).
    pub body: Value,
}

impl RawAnswer {
    /// Parses what was read.
    pub fn parse(bytes: &[u8]) -> RawAnswer {
        let text = String::from_utf8_lossy(bytes).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((text.as_str(), ""));
        let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        RawAnswer { status, head: head.to_owned(), body: serde_json::from_str(body).unwrap_or(Value::Null) }
    }

    /// Asserts the error envelope with this status and code; returns the message.
    pub fn expect_error(&self, status: u16, code: &str) -> String {
        assert_eq!(self.status, status, "status of {self:?}");
        assert_eq!(self.body["error"]["code"], code, "code of {self:?}");
        assert!(self.head.to_ascii_lowercase().contains("content-type: application/json"), "{}", self.head);
        let request_id = self.body["meta"]["request_id"].as_str().expect("meta.request_id");
        assert!(request_id.starts_with("req_"), "{request_id}");
        let message = self.body["error"]["message"].as_str().expect("error.message").to_owned();
        assert!(!message.is_empty());
        message
    }

    /// A header value (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
        })
    }
}

/// Sends `request` (while reading concurrently, so an early answer is not lost) and reads
/// until the server closes the connection or `within` passes.
pub async fn exchange(url: &str, request: Vec<u8>, within: Duration) -> RawAnswer {
    let stream = TcpStream::connect(addr(url)).await.expect("connect");
    let (mut reader, mut writer) = stream.into_split();
    let write = tokio::spawn(async move {
        let _ = writer.write_all(&request).await;
        writer // keep the write half open until the answer is read
    });
    let bytes = read_until_closed(&mut reader, within).await.0;
    drop(write);
    RawAnswer::parse(&bytes)
}

/// Reads until EOF or error; returns what was read and whether the server closed the
/// connection before `within` passed.
pub async fn read_until_closed(reader: &mut (impl AsyncReadExt + Unpin), within: Duration) -> (Vec<u8>, bool) {
    let deadline = Instant::now() + within;
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, reader.read(&mut chunk)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (bytes, true),
            Ok(Ok(n)) => bytes.extend_from_slice(&chunk[..n]),
            Err(_) => return (bytes, false),
        }
    }
}
