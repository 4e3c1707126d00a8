//! `hookbridge-server`: a self-hostable server speaking the HookBridge HTTP API, with durable
//! storage (SQLite by default), a delivery engine that signs, retries on the documented
//! schedules and keeps a dead letter queue, and inbound webhook ingest.
//!
//! Layers, from the top (a module imports only modules below it):
//! - [`app`] starts and stops everything; [`listener`] accepts connections for the router.
//! - [`ui`]: the operator dashboard at `/ui`, HTML pages over the same handlers and store as [`http`].
//! - [`http`]: routes, request extraction, validation, and the wire types of every answer
//!   (including the ingest route over [`ingest`]).
//! - [`jobs`]: background jobs (the retention janitor, the export worker).
//! - [`delivery`]: the engine that claims due messages and POSTs them.
//! - [`state`] (what handlers share) and [`error`] (the error every refusal is made of).
//! - [`ingest`]: inbound request checks, request reading, the rejection log, the replay guard.
//! - [`domain`]: the message rules every storage backend applies the same way.
//! - [`store`]: the records the server owns and one trait per concept, with the backends
//!   behind them; they turn rows into records and never build wire types.
//!
//! Helpers ([`clock`], [`ids`], [`secrets`], [`telemetry`], [`url_policy`], [`data_dir`]) serve
//! every layer; [`config`] reads the flags (it borrows a few settings types of [`ingest`] and
//! [`store`]).

pub mod app;
pub mod clock;
pub mod config;
pub mod data_dir;
pub mod delivery;
pub mod domain;
pub mod error;
pub mod http;
pub mod ids;
pub mod ingest;
pub mod jobs;
pub mod listener;
pub mod secrets;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod ui;
pub mod url_policy;
