//! `hookbridge-server`: a self-hostable server speaking the HookBridge HTTP API, with durable
//! storage (SQLite by default), a delivery engine that signs, retries on the documented
//! schedules and keeps a dead letter queue, and inbound webhook ingest.
//!
//! Layout: [`http`] is a thin axum layer over [`store`] (one trait per concept, SQLite behind
//! it) and [`delivery`] (workers that claim due messages and POST them).

pub mod app;
pub mod clock;
pub mod config;
pub mod data_dir;
pub mod delivery;
pub mod domain;
pub mod export_files;
pub mod export_worker;
pub mod http;
pub mod ids;
pub mod ingest;
pub mod listener;
pub mod retention;
pub mod secrets;
pub mod store;
pub mod telemetry;
pub mod url_policy;
