//! Integration tests of the HTTP API against the real `hookbridge-server` binary: every
//! outbound operation through the core client (`hookbridge::Client`), plus raw HTTP for error
//! envelopes, status codes, authentication and project isolation.

#[path = "../harness/mod.rs"]
mod harness;
mod support;

mod actors_exports;
mod attempts;
mod auth_keys_projects;
mod billing_exports;
mod deletion;
mod endpoints;
mod inbound_presets;
mod inbound_v2;
mod isolation;
mod key_scopes;
mod logs_metrics_dlq;
mod message_ops;
mod openapi;
mod pull;
mod rate_limits;
mod sending;
mod signature_scheme;
mod startup_keys;
mod url_safety;
