//! The listener in front of the router: accepts TCP connections up to a cap
//! (`--max-connections`; over it a connection gets 503 and is closed at once) and serves
//! HTTP/1.1 on each with a header-read timeout and an idle timeout (see `stream.rs`), a bounded
//! request head, and the error envelope on the HTTP parser's own error answers. On shutdown it
//! stops accepting, closes idle connections and lets open requests finish (bounded).

mod activity;
mod stream;

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tower_service::Service;

use activity::{Activity, TrackedBody};
use stream::GuardedStream;

/// Most header fields in one request head.
pub const MAX_HEADERS: usize = 100;
/// Largest request head (request line and headers), in bytes.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;

/// Connection limits of the listener.
#[derive(Clone, Copy, Debug)]
pub struct ListenerLimits {
    /// Most connections open at once.
    pub max_connections: usize,
    /// Time a client has to send a complete request head.
    pub header_read_timeout: Duration,
    /// Time an idle keep-alive connection is kept between requests.
    pub idle_timeout: Duration,
    /// How long shutdown waits for open requests before dropping them.
    pub shutdown_grace: Duration,
}

/// Serves `router` on `listener` until `shutdown` completes, then drains open connections
/// for at most `limits.shutdown_grace`.
pub async fn serve(listener: TcpListener, router: Router, limits: ListenerLimits, shutdown: impl Future<Output = ()>) {
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let mut refusals = RefusalLog::default();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    accept_failed(error).await;
                    continue;
                }
            },
        };
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            refuse_over_capacity(&stream, limits.max_connections);
            refusals.record(limits.max_connections);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let connection = serve_connection(stream, peer, router.clone(), limits, &graceful);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%peer, %error, "connection closed with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    if tokio::time::timeout(limits.shutdown_grace, graceful.shutdown()).await.is_err() {
        tracing::warn!(grace_secs = limits.shutdown_grace.as_secs(), "open connections did not finish in time; closing them");
    }
}

/// One HTTP/1.1 connection, watched for shutdown: the router behind a guarded stream, the
/// peer address available to handlers as `ConnectInfo<SocketAddr>`.
fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    router: Router,
    limits: ListenerLimits,
    graceful: &GracefulShutdown,
) -> impl Future<Output = hyper::Result<()>> + Send + 'static {
    let activity = Arc::new(Activity::default());
    let io = TokioIo::new(GuardedStream::new(stream, peer, activity.clone(), limits));
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        let guard = activity.begin();
        let mut router = router.clone();
        async move {
            let response = match router.call(request).await {
                Ok(response) => response,
                Err(never) => match never {},
            };
            Ok::<_, Infallible>(response.map(|body| TrackedBody::new(body, guard)))
        }
    });
    let connection = hyper::server::conn::http1::Builder::new()
        .keep_alive(true)
        .writev(false)
        .max_headers(MAX_HEADERS)
        .max_buf_size(MAX_HEAD_BYTES)
        .header_read_timeout(None)
        .serve_connection(io, service);
    graceful.watch(connection)
}

/// Accept failures: a client that gave up is skipped; running out of file descriptors or
/// memory is logged and retried after a pause instead of spinning.
async fn accept_failed(error: std::io::Error) {
    use std::io::ErrorKind::*;
    if matches!(error.kind(), ConnectionAborted | ConnectionReset | Interrupted | WouldBlock) {
        return;
    }
    tracing::error!(%error, "accept error; retrying in 100 ms");
    tokio::time::sleep(Duration::from_millis(100)).await;
}

/// Answers 503 `UNAVAILABLE` without waiting (the answer fits in an empty socket buffer).
fn refuse_over_capacity(stream: &TcpStream, max_connections: usize) {
    let message = format!("the server has reached its connection limit ({max_connections}); try again shortly");
    let _ = stream.try_write(&stream::error_answer(503, "UNAVAILABLE", &message, &[("retry-after", "1")]));
}

/// Logs refused connections at most once a second, with their count.
#[derive(Default)]
struct RefusalLog {
    last: Option<Instant>,
    count: u64,
}

impl RefusalLog {
    fn record(&mut self, max_connections: usize) {
        self.count += 1;
        if self.last.is_none_or(|at| at.elapsed() >= Duration::from_secs(1)) {
            tracing::warn!(refused = self.count, max_connections, "connection limit reached; refusing new connections with 503");
            self.last = Some(Instant::now());
            self.count = 0;
        }
    }
}
