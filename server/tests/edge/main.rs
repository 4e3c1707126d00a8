//! Tests of the HTTP edge against the real `hookbridge-server` binary: the connection cap, the
//! header-read, idle and request timeouts, the error envelope on answers produced below the
//! handlers, and cheap `/readyz` and `/metrics`.

#[path = "../harness/mod.rs"]
mod harness;
#[path = "../api/support.rs"]
mod support;

mod connections;
mod envelopes;
mod probes;
mod raw;
