//! What a connection is doing, shared between the service (which sees requests) and the
//! guarded stream (which sees bytes): how many requests are in flight and how many finished.

use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use axum::body::{Body, Bytes};
use http_body::{Frame, SizeHint};

/// Request counters of one connection.
#[derive(Default, Debug)]
pub struct Activity {
    in_flight: AtomicUsize,
    finished: AtomicU64,
    /// The reader to wake when a request finishes (its idle timer must start).
    reader: Mutex<Option<Waker>>,
}

impl Activity {
    /// Marks a request as started; it finishes when the returned guard is dropped.
    pub fn begin(self: &Arc<Self>) -> RequestGuard {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        RequestGuard(self.clone())
    }

    /// Whether a request is being handled or its answer written.
    pub fn busy(&self) -> bool {
        self.in_flight.load(Ordering::SeqCst) > 0
    }

    /// Registers the reader to wake when the request in flight finishes.
    pub fn wake_on_finish(&self, waker: &Waker) {
        if let Ok(mut reader) = self.reader.lock() {
            match reader.as_mut() {
                Some(current) if current.will_wake(waker) => {}
                _ => *reader = Some(waker.clone()),
            }
        }
    }

    /// How many requests have finished on this connection.
    pub fn finished(&self) -> u64 {
        self.finished.load(Ordering::SeqCst)
    }
}

/// Held from the moment a request head is parsed until its answer's body is dropped.
#[derive(Debug)]
pub struct RequestGuard(Arc<Activity>);

impl Drop for RequestGuard {
    fn drop(&mut self) {
        self.0.finished.fetch_add(1, Ordering::SeqCst);
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
        if let Some(reader) = self.0.reader.lock().ok().and_then(|mut r| r.take()) {
            reader.wake();
        }
    }
}

/// An answer body that keeps its request marked as in flight until hyper drops it.
pub struct TrackedBody {
    inner: Body,
    _guard: RequestGuard,
}

impl TrackedBody {
    /// Wraps `inner`, holding `guard` as long as the body lives.
    pub fn new(inner: Body, guard: RequestGuard) -> Self {
        TrackedBody { inner, _guard: guard }
    }
}

impl http_body::Body for TrackedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
