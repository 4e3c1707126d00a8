//! The guarded connection stream between the socket and hyper:
//! - **header-read timeout**: a client must send a complete request head within
//!   `--header-read-timeout-secs` (from accepting the connection, or from the first byte of a
//!   later request on a kept-alive connection); if it started one it gets 408 and is closed;
//! - **idle timeout**: a kept-alive connection with no request for `--idle-timeout-secs` is closed;
//! - **envelope on the parser's answers**: hyper answers a request it cannot parse (400, 414,
//!   431) with an empty body; those answers are replaced with the JSON error envelope and logged.
//!
//! While a request is in flight (see [`Activity`]) the stream adds nothing: the request timeout
//! of the router bounds that time.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::Sleep;

use super::activity::Activity;
use super::{ListenerLimits, MAX_HEAD_BYTES, MAX_HEADERS};
use crate::http::envelope::{code_for_status, envelope};

/// Where the connection is between requests.
#[derive(Clone, Copy, Debug)]
enum Phase {
    /// No byte of the next request yet; `first` for a new connection.
    Waiting { since: Instant, first: bool },
    /// Part of a request head received; the head started at `since`.
    Head { since: Instant },
}

/// Replacement of a parser error answer being written.
struct Replacement {
    bytes: Vec<u8>,
    written: usize,
    /// Length of hyper's own answer, reported back as written.
    original_len: usize,
}

/// A TCP stream with the timeouts and the error-answer rewriting described in the module docs.
pub struct GuardedStream {
    inner: TcpStream,
    peer: SocketAddr,
    activity: Arc<Activity>,
    header_read_timeout: Duration,
    idle_timeout: Duration,
    phase: Phase,
    seen_finished: u64,
    timer: Pin<Box<Sleep>>,
    replacement: Option<Replacement>,
    /// After a replaced answer, hyper's further writes (there should be none) are dropped.
    discard_writes: bool,
}

impl GuardedStream {
    /// Wraps a freshly accepted stream.
    pub fn new(inner: TcpStream, peer: SocketAddr, activity: Arc<Activity>, limits: ListenerLimits) -> Self {
        let now = Instant::now();
        GuardedStream {
            inner,
            peer,
            activity,
            header_read_timeout: limits.header_read_timeout,
            idle_timeout: limits.idle_timeout,
            phase: Phase::Waiting { since: now, first: true },
            seen_finished: 0,
            timer: Box::pin(tokio::time::sleep_until((now + limits.header_read_timeout).into())),
            replacement: None,
            discard_writes: false,
        }
    }

    fn deadline(&self) -> Instant {
        match self.phase {
            Phase::Waiting { since, first: true } | Phase::Head { since } => since + self.header_read_timeout,
            Phase::Waiting { since, first: false } => since + self.idle_timeout,
        }
    }

    /// Writes what is left of the replacement answer; `Ready(Ok(len))` with hyper's length once done.
    fn drive_replacement(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let Some(rep) = self.replacement.as_mut() else { return Poll::Ready(Ok(0)) };
        while rep.written < rep.bytes.len() {
            match Pin::new(&mut self.inner).poll_write(cx, &rep.bytes[rep.written..]) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => rep.written += n,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
        let len = rep.original_len;
        self.replacement = None;
        self.discard_writes = true;
        Poll::Ready(Ok(len))
    }
}

impl AsyncRead for GuardedStream {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let finished = this.activity.finished();
        if finished != this.seen_finished {
            this.seen_finished = finished;
            this.phase = Phase::Waiting { since: Instant::now(), first: false };
        }
        let busy = this.activity.busy();
        let before = buf.filled().len();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if !busy
                    && buf.filled().len() > before
                    && let Phase::Waiting { since, first } = this.phase
                {
                    this.phase = Phase::Head { since: if first { since } else { Instant::now() } };
                }
                return Poll::Ready(Ok(()));
            }
            Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
            Poll::Pending if busy => {
                // The idle timer starts when the request finishes: be polled again then (at
                // once if it finished while the waker was being registered).
                this.activity.wake_on_finish(cx.waker());
                if !this.activity.busy() {
                    cx.waker().wake_by_ref();
                }
                return Poll::Pending;
            }
            Poll::Pending => {}
        }
        let deadline = this.deadline();
        if this.timer.deadline() != deadline.into() {
            this.timer.as_mut().reset(deadline.into());
        }
        if this.timer.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        match this.phase {
            Phase::Waiting { .. } => {
                tracing::debug!(peer = %this.peer, "closing a connection that sent no request in time");
                Poll::Ready(Ok(()))
            }
            Phase::Head { .. } => {
                let secs = this.header_read_timeout.as_secs();
                tracing::info!(peer = %this.peer, timeout_secs = secs, "request head not received in time; answered 408 and closed");
                let message = format!("the request head was not received within {secs} s (--header-read-timeout-secs)");
                let _ = this.inner.try_write(&error_answer(408, "REQUEST_TIMEOUT", &message, &[]));
                Poll::Ready(Err(io::Error::new(io::ErrorKind::TimedOut, "request head timeout")))
            }
        }
    }
}

impl AsyncWrite for GuardedStream {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.replacement.is_some() {
            return this.drive_replacement(cx);
        }
        if this.discard_writes {
            return Poll::Ready(Ok(buf.len()));
        }
        if !this.activity.busy()
            && let Some(status) = parser_error_status(buf)
        {
            let (code, message) = parser_error_text(status);
            tracing::info!(peer = %this.peer, status, code, "refused a request the HTTP parser could not read: {message}");
            this.replacement =
                Some(Replacement { bytes: error_answer(status, code, &message, &[]), written: 0, original_len: buf.len() });
            return this.drive_replacement(cx);
        }
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.replacement.is_some() {
            std::task::ready!(this.drive_replacement(cx))?;
        }
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.replacement.is_some() {
            std::task::ready!(this.drive_replacement(cx))?;
        }
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

/// The status of an answer hyper wrote on its own: a complete response head with an error
/// status and only the headers hyper adds (`content-length`, `date`, `connection`); every
/// answer of the router carries `x-request-id`, so it never matches.
fn parser_error_status(buf: &[u8]) -> Option<u16> {
    let mut headers = [httparse::EMPTY_HEADER; 8];
    let mut response = httparse::Response::new(&mut headers);
    if !matches!(response.parse(buf), Ok(httparse::Status::Complete(_))) {
        return None;
    }
    let code = response.code.filter(|c| *c >= 400)?;
    let only_hyper_headers =
        response.headers.iter().all(|h| ["content-length", "date", "connection"].iter().any(|n| h.name.eq_ignore_ascii_case(n)));
    only_hyper_headers.then_some(code)
}

/// The code and message for an answer of the HTTP parser.
fn parser_error_text(status: u16) -> (&'static str, String) {
    let code = code_for_status(axum::http::StatusCode::from_u16(status).unwrap_or(axum::http::StatusCode::BAD_REQUEST));
    let message = match status {
        431 => {
            format!("the request head is too large: at most {MAX_HEADERS} header fields and {} KiB in all", MAX_HEAD_BYTES / 1024)
        }
        414 => "the request URI is too long".to_owned(),
        400 => "malformed HTTP request: the request line or a header field is not valid HTTP/1.1 \
                (for example a control character in a header value)"
            .to_owned(),
        _ => format!("the HTTP request was refused with status {status}"),
    };
    (code, message)
}

/// A complete HTTP/1.1 error answer with the JSON envelope (and a fresh request id), for
/// answers written below the router; the connection is closed after it.
pub fn error_answer(status: u16, code: &str, message: &str, extra_headers: &[(&str, &str)]) -> Vec<u8> {
    let request_id = crate::ids::request_id();
    let body = envelope(code, message, None, &request_id).to_string();
    let reason = axum::http::StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("Error");
    let mut head = format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nx-request-id: {request_id}\r\nconnection: close\r\n",
        body.len()
    );
    for (name, value) in extra_headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut answer = head.into_bytes();
    answer.extend_from_slice(body.as_bytes());
    answer
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_parsers_bare_answers_are_replaced() {
        let hyper_431 =
            b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\ndate: Mon, 30 Nov 2026 11:00:00 GMT\r\n\r\n";
        assert_eq!(parser_error_status(hyper_431), Some(431));
        let ours =
            b"HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\nx-request-id: req_1\r\ncontent-length: 2\r\n\r\n{}";
        assert_eq!(parser_error_status(ours), None);
        assert_eq!(parser_error_status(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"), None);
        assert_eq!(parser_error_status(b"{\"payload\": \"HTTP/1.1 400\"}"), None);
        assert_eq!(parser_error_status(b"HTTP/1.1 400 Bad Request\r\ncontent-le"), None, "incomplete head");
    }

    #[test]
    fn error_answers_carry_the_envelope() {
        let answer = String::from_utf8(error_answer(503, "UNAVAILABLE", "full", &[("retry-after", "1")])).unwrap();
        let (head, body) = answer.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 503 Service Unavailable\r\n") && head.contains("\r\nretry-after: 1"), "{head}");
        assert!(head.contains(&format!("content-length: {}", body.len())), "{head}");
        let json: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(json["error"]["code"], "UNAVAILABLE");
        assert!(json["meta"]["request_id"].as_str().unwrap().starts_with("req_"));
    }
}
