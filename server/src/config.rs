//! Server configuration from command-line flags, environment variables and an optional TOML
//! file (flags and env win over the file). `hookbridge-server --help` documents every setting.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;
use serde::Deserialize;

use crate::ingest::rejection_log::RejectionLogLimits;
use crate::store::sqlite::Synchronous;

/// The fixed API key of `--dev` mode (a test key; never use `--dev` in production).
pub const DEV_API_KEY: &str = "hb_test_dev00000000000000000000000000000";

/// Longest `--export-ttl-secs` (one year).
const MAX_EXPORT_TTL_SECS: u64 = 365 * 24 * 3600;
/// Default `--queue-high-water`: waiting messages per project (the backpressure of the send routes).
pub const DEFAULT_HIGH_WATER: u64 = 10_000;

/// Command-line flags. Every flag also reads an environment variable.
#[derive(Parser, Debug, Clone, Default)]
#[command(
    name = "hookbridge-server",
    version,
    about = "Self-hostable HookBridge server: the HookBridge API with durable storage and real webhook delivery"
)]
pub struct Args {
    /// TOML file with any of the settings below (keys as the long flag names with `_`).
    #[arg(long, env = "HOOKBRIDGE_CONFIG")]
    pub config: Option<PathBuf>,
    /// Address to listen on; port 0 picks a free port (the chosen address is printed).
    #[arg(long, env = "HOOKBRIDGE_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// Directory holding the SQLite database and export files (created if missing); with
    /// `--database-url` only the default secrets key file.
    #[arg(long, env = "HOOKBRIDGE_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// PostgreSQL instead of SQLite (`postgres://user:pass@host:port/db`): any number of server
    /// processes may share the database.
    #[arg(long, env = "HOOKBRIDGE_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<SecretText>,
    /// Local development mode: temporary data dir unless given, the fixed key `hb_test_dev000…`,
    /// and delivery to http:// and loopback/private addresses allowed.
    #[arg(long, env = "HOOKBRIDGE_DEV")]
    pub dev: bool,
    /// API key created on first start (`hb_live_…` or `hb_test_…`); random when not given.
    #[arg(long, env = "HOOKBRIDGE_API_KEY")]
    pub api_key: Option<SecretText>,
    /// Public base URL of this server, used in inbound `ingest_url`s and export download links.
    #[arg(long, env = "HOOKBRIDGE_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Multiplies every delivery retry delay (e.g. 0.001 for tests and demos; default 1 = the exact schedule).
    #[arg(long, env = "HOOKBRIDGE_RETRY_TIME_SCALE")]
    pub retry_time_scale: Option<f64>,
    /// Allow endpoint URLs with http:// and hosts on loopback, link-local or private ranges.
    #[arg(long, env = "HOOKBRIDGE_ALLOW_PRIVATE_TARGETS")]
    pub allow_private_targets: bool,
    /// Extra CIDR blocks endpoint URLs may resolve to even though they are private (repeatable).
    #[arg(long = "allow-target-cidr", env = "HOOKBRIDGE_ALLOW_TARGET_CIDRS", value_delimiter = ',')]
    pub allow_target_cidrs: Vec<ipnet::IpNet>,
    /// Deliveries in flight at once, across all endpoints.
    #[arg(long, env = "HOOKBRIDGE_DELIVERY_CONCURRENCY")]
    pub delivery_concurrency: Option<usize>,
    /// Most attempts in flight to one endpoint, so one slow receiver cannot take every worker.
    #[arg(long, env = "HOOKBRIDGE_ENDPOINT_CONCURRENCY")]
    pub endpoint_concurrency: Option<usize>,
    /// Most attempts in flight for one project, so workers stay free for the other projects
    /// (default: three quarters of `--delivery-concurrency`).
    #[arg(long, env = "HOOKBRIDGE_PROJECT_CONCURRENCY")]
    pub project_concurrency: Option<usize>,
    /// Timeout of one delivery attempt, in seconds.
    #[arg(long, env = "HOOKBRIDGE_DELIVERY_TIMEOUT")]
    pub delivery_timeout_secs: Option<u64>,
    /// Total delivery attempts per message before it moves to the dead letter queue.
    #[arg(long, env = "HOOKBRIDGE_MAX_ATTEMPTS")]
    pub max_attempts: Option<u32>,
    /// SQLite durability: `full` fsyncs every (group) commit, `normal` only at checkpoints.
    #[arg(long, env = "HOOKBRIDGE_SQLITE_SYNCHRONOUS", value_enum)]
    pub sqlite_synchronous: Option<Synchronous>,
    /// Days a finished message keeps its payload (metadata and attempts are kept); default 30.
    #[arg(long, env = "HOOKBRIDGE_PAYLOAD_RETENTION_DAYS")]
    pub payload_retention_days: Option<u32>,
    /// Days rejected inbound requests are kept; default 30.
    #[arg(long, env = "HOOKBRIDGE_REJECTION_RETENTION_DAYS")]
    pub rejection_retention_days: Option<u32>,
    /// Trust `X-Forwarded-For` for the inbound sender address (only behind your own proxy).
    #[arg(long, env = "HOOKBRIDGE_TRUST_FORWARDED_FOR")]
    pub trust_forwarded_for: bool,
    /// Mark the dashboard's session cookie `Secure` (set it when users reach the server over HTTPS).
    #[arg(long, env = "HOOKBRIDGE_UI_SECURE_COOKIE")]
    pub ui_secure_cookie: bool,
    /// Refused ingest requests recorded per sender address per minute (more are answered but not stored); default 60.
    #[arg(long, env = "HOOKBRIDGE_REJECTION_LOG_PER_SOURCE_PER_MINUTE")]
    pub rejection_log_per_source_per_minute: Option<u32>,
    /// Refused ingest requests recorded per inbound endpoint per minute (unknown endpoints share one budget); default 120.
    #[arg(long, env = "HOOKBRIDGE_REJECTION_LOG_PER_ENDPOINT_PER_MINUTE")]
    pub rejection_log_per_endpoint_per_minute: Option<u32>,
    /// Rejection records kept per inbound endpoint, and for unknown endpoints together (oldest deleted); default 1000.
    #[arg(long, env = "HOOKBRIDGE_REJECTION_LOG_MAX_PER_ENDPOINT")]
    pub rejection_log_max_per_endpoint: Option<u32>,
    /// Header names stored per rejection record (each cut to 64 characters); default 32.
    #[arg(long, env = "HOOKBRIDGE_REJECTION_LOG_MAX_HEADERS")]
    pub rejection_log_max_headers: Option<u32>,
    /// Log format: `text` or `json`.
    #[arg(long, env = "HOOKBRIDGE_LOG_FORMAT")]
    pub log_format: Option<String>,
    /// Key that encrypts stored secrets (32 bytes as base64 or hex); default: the key file.
    #[arg(long, env = "HOOKBRIDGE_SECRETS_KEY", hide_env_values = true)]
    pub secrets_key: Option<String>,
    /// File holding the secrets key; default `<data-dir>/secrets.key`, created 0600 on first start.
    #[arg(long, env = "HOOKBRIDGE_SECRETS_KEY_FILE")]
    pub secrets_key_file: Option<PathBuf>,
    /// Previous secrets key: secrets encrypted with it are re-encrypted with the current key at start.
    #[arg(long, env = "HOOKBRIDGE_SECRETS_KEY_PREVIOUS", hide_env_values = true)]
    pub secrets_key_previous: Option<String>,
    /// File holding the previous secrets key (see --secrets-key-previous).
    #[arg(long, env = "HOOKBRIDGE_SECRETS_KEY_PREVIOUS_FILE")]
    pub secrets_key_previous_file: Option<PathBuf>,
    /// Seconds a completed export stays downloadable; its file is deleted afterwards. Default 604800 (7 days).
    #[arg(long, env = "HOOKBRIDGE_EXPORT_TTL_SECS")]
    pub export_ttl_secs: Option<u64>,
    /// Most exports a project may have pending, processing or downloadable at once; default 10.
    #[arg(long, env = "HOOKBRIDGE_MAX_EXPORTS_PER_PROJECT")]
    pub max_exports_per_project: Option<u32>,
    /// Seconds between janitor passes (payload retention, rejection retention, expired export files); default 300.
    #[arg(long, env = "HOOKBRIDGE_JANITOR_INTERVAL_SECS")]
    pub janitor_interval_secs: Option<u64>,
    /// Most client connections open at once; further ones get 503 and are closed (default 1024).
    #[arg(long, env = "HOOKBRIDGE_MAX_CONNECTIONS")]
    pub max_connections: Option<usize>,
    /// Seconds a client has to send a complete request head (request line and headers); default 10.
    #[arg(long, env = "HOOKBRIDGE_HEADER_READ_TIMEOUT")]
    pub header_read_timeout_secs: Option<u64>,
    /// Seconds an idle keep-alive connection is kept open between requests; default 60.
    #[arg(long, env = "HOOKBRIDGE_IDLE_TIMEOUT")]
    pub idle_timeout_secs: Option<u64>,
    /// Seconds a request may take, reading its body included, before it gets 408; default 30.
    #[arg(long, env = "HOOKBRIDGE_REQUEST_TIMEOUT")]
    pub request_timeout_secs: Option<u64>,
    /// Seconds the queue and DLQ depth shown by `/metrics` may be old (counted at most once per period); default 5.
    #[arg(long, env = "HOOKBRIDGE_METRICS_REFRESH")]
    pub metrics_refresh_secs: Option<u64>,
    /// Enforce each project's API rate limit (`rate_limit_default`, requests per minute):
    /// `on` or `off`. Default `on`, `off` with `--dev`.
    #[arg(long, env = "HOOKBRIDGE_API_RATE_LIMIT", value_enum)]
    pub api_rate_limit: Option<Switch>,
    /// Per project, messages waiting for delivery (queued, retries whose time has come, in
    /// flight) at which new sends and ingested webhooks are refused with 503 `QUEUE_FULL` and
    /// `Retry-After` until delivery catches up; 0 turns the mark off. Default 10000.
    #[arg(long, env = "HOOKBRIDGE_QUEUE_HIGH_WATER")]
    pub queue_high_water: Option<u64>,
    /// Intake pacing: when even the least delayed delivery claimed in a 100 ms interval had been
    /// due for longer than this many milliseconds, fewer sends and ingested webhooks are stored
    /// at once until delivery catches up (they wait up to 5 s, then get 503 `QUEUE_FULL`);
    /// 0 turns pacing off. Default 100.
    #[arg(long, env = "HOOKBRIDGE_QUEUE_DELAY_TARGET_MS")]
    pub queue_delay_target_ms: Option<u64>,
    /// Failed authentications (401) from one address within the window after which that
    /// address gets 429 until the window ends; 0 turns the throttle off. Default 20.
    #[arg(long, env = "HOOKBRIDGE_AUTH_FAILURE_LIMIT")]
    pub auth_failure_limit: Option<u32>,
    /// Length of the failed-authentication window, in seconds. Default 60.
    #[arg(long, env = "HOOKBRIDGE_AUTH_FAILURE_WINDOW_SECS")]
    pub auth_failure_window_secs: Option<u64>,
    /// Name of this server process in a cluster (letters, digits, `.`, `_`, `-`; at most 64):
    /// shown in logs, on delivery leases and as the `node` label of `/metrics`.
    /// Default `<hostname>-<pid>`.
    #[arg(long, env = "HOOKBRIDGE_NODE_ID")]
    pub node_id: Option<String>,
    /// Seconds a claimed delivery stays leased to this node; when a node dies, other nodes send
    /// its leased messages once the lease ends. Must exceed the delivery timeout. Default: the
    /// delivery timeout + 60. For tests and demos.
    #[arg(long, env = "HOOKBRIDGE_DELIVERY_LEASE_SECS", hide = true)]
    pub delivery_lease_secs: Option<u64>,
    /// Longest a batch of sends on PostgreSQL waits for the senders the last batch answered to
    /// send again, in milliseconds. Default 1. For tests on a busy machine, where a sender can
    /// be kept off the CPU for longer than that.
    #[arg(long, env = "HOOKBRIDGE_SEND_GATHER_MS", hide = true)]
    pub send_gather_ms: Option<u64>,
}

/// A secret setting (an API key): `Debug` shows `[redacted]`, never the text.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct SecretText(String);

impl SecretText {
    /// The secret itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<&str> for SecretText {
    fn from(text: &str) -> Self {
        SecretText(text.to_owned())
    }
}

impl std::str::FromStr for SecretText {
    type Err = std::convert::Infallible;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(SecretText(text.to_owned()))
    }
}

impl std::fmt::Debug for SecretText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(hookbridge::REDACTED)
    }
}

/// An on/off setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Switch {
    /// Enabled.
    On,
    /// Disabled.
    Off,
}

/// The TOML file: the same settings as the flags.
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<SocketAddr>,
    data_dir: Option<PathBuf>,
    database_url: Option<SecretText>,
    dev: Option<bool>,
    api_key: Option<SecretText>,
    public_url: Option<String>,
    retry_time_scale: Option<f64>,
    allow_private_targets: Option<bool>,
    #[serde(alias = "allow_target_cidr")]
    allow_target_cidrs: Option<Vec<ipnet::IpNet>>,
    delivery_concurrency: Option<usize>,
    endpoint_concurrency: Option<usize>,
    project_concurrency: Option<usize>,
    delivery_timeout_secs: Option<u64>,
    max_attempts: Option<u32>,
    sqlite_synchronous: Option<Synchronous>,
    payload_retention_days: Option<u32>,
    rejection_retention_days: Option<u32>,
    trust_forwarded_for: Option<bool>,
    ui_secure_cookie: Option<bool>,
    rejection_log_per_source_per_minute: Option<u32>,
    rejection_log_per_endpoint_per_minute: Option<u32>,
    rejection_log_max_per_endpoint: Option<u32>,
    rejection_log_max_headers: Option<u32>,
    log_format: Option<String>,
    secrets_key_file: Option<PathBuf>,
    secrets_key_previous_file: Option<PathBuf>,
    export_ttl_secs: Option<u64>,
    max_exports_per_project: Option<u32>,
    janitor_interval_secs: Option<u64>,
    max_connections: Option<usize>,
    header_read_timeout_secs: Option<u64>,
    idle_timeout_secs: Option<u64>,
    request_timeout_secs: Option<u64>,
    metrics_refresh_secs: Option<u64>,
    api_rate_limit: Option<Switch>,
    queue_high_water: Option<u64>,
    queue_delay_target_ms: Option<u64>,
    auth_failure_limit: Option<u32>,
    auth_failure_window_secs: Option<u64>,
    node_id: Option<String>,
    delivery_lease_secs: Option<u64>,
}

/// The resolved configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Listen address.
    pub listen: SocketAddr,
    /// Data directory.
    pub data_dir: PathBuf,
    /// PostgreSQL database URL; `None`: SQLite in the data dir.
    pub database_url: Option<SecretText>,
    /// Whether the data dir is temporary (removed at exit).
    pub temporary_data_dir: bool,
    /// Development mode.
    pub dev: bool,
    /// API key to create on first start.
    pub bootstrap_api_key: Option<SecretText>,
    /// Public base URL (no trailing slash); resolved after binding when not configured.
    pub public_url: Option<String>,
    /// Retry delay multiplier.
    pub retry_time_scale: f64,
    /// Allow private/loopback targets and http://.
    pub allow_private_targets: bool,
    /// Private ranges allowed anyway.
    pub allow_target_cidrs: Vec<ipnet::IpNet>,
    /// Deliveries in flight at once.
    pub delivery_concurrency: usize,
    /// Most attempts in flight to one endpoint.
    pub endpoint_concurrency: usize,
    /// Most attempts in flight for one project.
    pub project_concurrency: usize,
    /// Timeout of one delivery attempt.
    pub delivery_timeout: std::time::Duration,
    /// Attempts before the DLQ.
    pub max_attempts: u32,
    /// SQLite durability.
    pub sqlite_synchronous: Synchronous,
    /// Days a finished message keeps its payload.
    pub payload_retention_days: u32,
    /// Days rejection records are kept.
    pub rejection_retention_days: u32,
    /// Trust `X-Forwarded-For` on ingest.
    pub trust_forwarded_for: bool,
    /// The dashboard's session cookie carries `Secure`.
    pub ui_secure_cookie: bool,
    /// Rate limits and caps of the ingest rejection log.
    pub rejection_log: RejectionLogLimits,
    /// `text` or `json`.
    pub log_format: String,
    /// Where the secrets keys come from.
    pub secrets: crate::secrets::SecretsSettings,
    /// How long a completed export stays downloadable (its file is deleted afterwards).
    pub export_ttl: std::time::Duration,
    /// Most pending, processing or downloadable exports per project.
    pub max_exports_per_project: u32,
    /// Time between janitor passes.
    pub janitor_interval: std::time::Duration,
    /// Most client connections open at once.
    pub max_connections: usize,
    /// Time a client has to send a complete request head.
    pub header_read_timeout: std::time::Duration,
    /// Time an idle keep-alive connection is kept between requests.
    pub idle_timeout: std::time::Duration,
    /// Time a request may take before it is answered 408.
    pub request_timeout: std::time::Duration,
    /// Longest age of the queue depth figures shown by `/metrics`.
    pub metrics_refresh: std::time::Duration,
    /// Whether each project's `rate_limit_default` is enforced on API requests.
    pub api_rate_limit: bool,
    /// Waiting messages per project at which intake is refused (0 = off).
    pub queue_high_water: u64,
    /// Queue delay (ms) above which intake is paced ([`crate::delivery::pacing`]; 0 = off).
    pub queue_delay_target_ms: u64,
    /// Failed authentications per address and window before 429 (0 = no throttle).
    pub auth_failure_limit: u32,
    /// The failed-authentication window.
    pub auth_failure_window: std::time::Duration,
    /// This process's name in a cluster (logs, leases, the `node` label of `/metrics`).
    pub node_id: String,
    /// How long a claimed delivery stays leased to this node (longer than `delivery_timeout`).
    pub delivery_lease: std::time::Duration,
    /// How long a batch of sends on PostgreSQL may wait for the last batch's senders (`None`:
    /// the store's default). Set by a hidden flag, for tests.
    pub send_gather: Option<std::time::Duration>,
}

impl Config {
    /// Merges flags, environment and the optional TOML file, and checks every value.
    pub fn resolve(args: Args) -> Result<Config, String> {
        let file: FileConfig = match &args.config {
            Some(path) => {
                let text =
                    std::fs::read_to_string(path).map_err(|e| format!("cannot read config file {}: {e}", path.display()))?;
                toml::from_str(&text).map_err(|e| format!("invalid config file {}: {e}", path.display()))?
            }
            None => FileConfig::default(),
        };
        let dev = args.dev || file.dev.unwrap_or(false);
        let (data_dir, temporary_data_dir) = match args.data_dir.or(file.data_dir) {
            Some(dir) => (dir, false),
            None if dev => (std::env::temp_dir().join(format!("hookbridge-dev-{}", crate::ids::uuid7())), true),
            None => (PathBuf::from("hookbridge-data"), false),
        };
        let bootstrap_api_key = args.api_key.or(file.api_key).or_else(|| dev.then(|| SecretText::from(DEV_API_KEY)));
        if let Some(key) = bootstrap_api_key.as_ref().map(SecretText::expose)
            && (!(key.starts_with("hb_live_") || key.starts_with("hb_test_")) || key.len() < 16)
        {
            return Err("--api-key must start with hb_live_ or hb_test_ and be at least 16 characters".into());
        }
        let retry_time_scale = args.retry_time_scale.or(file.retry_time_scale).unwrap_or(1.0);
        if !(retry_time_scale.is_finite() && retry_time_scale > 0.0) {
            return Err(format!("--retry-time-scale must be a positive number, got {retry_time_scale}"));
        }
        let max_attempts = args.max_attempts.or(file.max_attempts).unwrap_or(8);
        if max_attempts == 0 {
            return Err("--max-attempts must be at least 1".into());
        }
        let delivery_concurrency = args.delivery_concurrency.or(file.delivery_concurrency).unwrap_or(512).max(1);
        let log_format = args.log_format.or(file.log_format).unwrap_or_else(|| "text".into());
        if log_format != "text" && log_format != "json" {
            return Err(format!("--log-format must be text or json, got {log_format}"));
        }
        let defaults = RejectionLogLimits::default();
        let rejection_log = RejectionLogLimits {
            per_source_per_minute: args
                .rejection_log_per_source_per_minute
                .or(file.rejection_log_per_source_per_minute)
                .unwrap_or(defaults.per_source_per_minute),
            per_endpoint_per_minute: args
                .rejection_log_per_endpoint_per_minute
                .or(file.rejection_log_per_endpoint_per_minute)
                .unwrap_or(defaults.per_endpoint_per_minute),
            max_per_endpoint: args
                .rejection_log_max_per_endpoint
                .or(file.rejection_log_max_per_endpoint)
                .unwrap_or(defaults.max_per_endpoint),
            max_headers: args.rejection_log_max_headers.or(file.rejection_log_max_headers).unwrap_or(defaults.max_headers),
        };
        for (flag, value) in [
            ("--rejection-log-per-source-per-minute", rejection_log.per_source_per_minute),
            ("--rejection-log-per-endpoint-per-minute", rejection_log.per_endpoint_per_minute),
            ("--rejection-log-max-per-endpoint", rejection_log.max_per_endpoint),
        ] {
            if value == 0 {
                return Err(format!("{flag} must be at least 1"));
            }
        }
        let secrets = crate::secrets::SecretsSettings {
            key: args.secrets_key,
            key_file: args
                .secrets_key_file
                .or(file.secrets_key_file)
                .unwrap_or_else(|| data_dir.join(crate::secrets::KEY_FILE_NAME)),
            previous_key: args.secrets_key_previous,
            previous_key_file: args.secrets_key_previous_file.or(file.secrets_key_previous_file),
        };
        let export_ttl_secs = args.export_ttl_secs.or(file.export_ttl_secs).unwrap_or(7 * 24 * 3600);
        if !(1..=MAX_EXPORT_TTL_SECS).contains(&export_ttl_secs) {
            return Err(format!("--export-ttl-secs must be between 1 and {MAX_EXPORT_TTL_SECS}, got {export_ttl_secs}"));
        }
        let janitor_interval_secs = args.janitor_interval_secs.or(file.janitor_interval_secs).unwrap_or(300);
        if !(1..=86_400).contains(&janitor_interval_secs) {
            return Err(format!("--janitor-interval-secs must be between 1 and 86400, got {janitor_interval_secs}"));
        }
        let auth_failure_window_secs = args.auth_failure_window_secs.or(file.auth_failure_window_secs).unwrap_or(60);
        if !(1..=86_400).contains(&auth_failure_window_secs) {
            return Err(format!("--auth-failure-window-secs must be 1 to 86400, got {auth_failure_window_secs}"));
        }
        let node_id = match args.node_id.or(file.node_id) {
            Some(id) => checked_node_id(&id)?,
            None => default_node_id(),
        };
        let delivery_timeout_secs = args.delivery_timeout_secs.or(file.delivery_timeout_secs).unwrap_or(30).max(1);
        let delivery_lease_secs = match args.delivery_lease_secs.or(file.delivery_lease_secs) {
            Some(secs) if secs <= delivery_timeout_secs || secs > 86_400 => {
                return Err(format!(
                    "--delivery-lease-secs must be longer than the delivery timeout ({delivery_timeout_secs} s) and at \
                     most 86400, got {secs}"
                ));
            }
            Some(secs) => secs,
            None => delivery_timeout_secs + 60,
        };
        let mut allow_target_cidrs = args.allow_target_cidrs;
        allow_target_cidrs.extend(file.allow_target_cidrs.unwrap_or_default());
        Ok(Config {
            listen: args.listen.or(file.listen).unwrap_or_else(|| "127.0.0.1:8080".parse().expect("valid default")),
            data_dir,
            database_url: args.database_url.or(file.database_url),
            temporary_data_dir,
            dev,
            bootstrap_api_key,
            public_url: args.public_url.or(file.public_url).map(|u| u.trim_end_matches('/').to_owned()),
            retry_time_scale,
            allow_private_targets: dev || args.allow_private_targets || file.allow_private_targets.unwrap_or(false),
            allow_target_cidrs,
            delivery_concurrency,
            endpoint_concurrency: args.endpoint_concurrency.or(file.endpoint_concurrency).unwrap_or(128).max(1),
            project_concurrency: args
                .project_concurrency
                .or(file.project_concurrency)
                .unwrap_or_else(|| crate::delivery::fairness::default_project_limit(delivery_concurrency))
                .max(1),
            delivery_timeout: std::time::Duration::from_secs(delivery_timeout_secs),
            max_attempts,
            sqlite_synchronous: args.sqlite_synchronous.or(file.sqlite_synchronous).unwrap_or(Synchronous::Full),
            payload_retention_days: args.payload_retention_days.or(file.payload_retention_days).unwrap_or(30).max(1),
            rejection_retention_days: args.rejection_retention_days.or(file.rejection_retention_days).unwrap_or(30).max(1),
            trust_forwarded_for: args.trust_forwarded_for || file.trust_forwarded_for.unwrap_or(false),
            ui_secure_cookie: args.ui_secure_cookie || file.ui_secure_cookie.unwrap_or(false),
            rejection_log,
            log_format,
            secrets,
            export_ttl: std::time::Duration::from_secs(export_ttl_secs),
            max_exports_per_project: args.max_exports_per_project.or(file.max_exports_per_project).unwrap_or(10).max(1),
            janitor_interval: std::time::Duration::from_secs(janitor_interval_secs),
            max_connections: positive("--max-connections", args.max_connections.or(file.max_connections), 1024)?,
            header_read_timeout: seconds(
                "--header-read-timeout-secs",
                args.header_read_timeout_secs.or(file.header_read_timeout_secs),
                10,
            )?,
            idle_timeout: seconds("--idle-timeout-secs", args.idle_timeout_secs.or(file.idle_timeout_secs), 60)?,
            request_timeout: seconds("--request-timeout-secs", args.request_timeout_secs.or(file.request_timeout_secs), 30)?,
            metrics_refresh: seconds("--metrics-refresh-secs", args.metrics_refresh_secs.or(file.metrics_refresh_secs), 5)?,
            api_rate_limit: args.api_rate_limit.or(file.api_rate_limit).map_or(!dev, |s| s == Switch::On),
            queue_high_water: args.queue_high_water.or(file.queue_high_water).unwrap_or(DEFAULT_HIGH_WATER),
            queue_delay_target_ms: args
                .queue_delay_target_ms
                .or(file.queue_delay_target_ms)
                .unwrap_or(crate::delivery::pacing::DEFAULT_TARGET_MS),
            auth_failure_limit: args.auth_failure_limit.or(file.auth_failure_limit).unwrap_or(20),
            auth_failure_window: std::time::Duration::from_secs(auth_failure_window_secs),
            node_id,
            delivery_lease: std::time::Duration::from_secs(delivery_lease_secs),
            send_gather: args.send_gather_ms.map(std::time::Duration::from_millis),
        })
    }

    /// The public base URL (configured, or `http://<bound address>`).
    pub fn public_base_url(&self) -> String {
        self.public_url.clone().unwrap_or_else(|| format!("http://{}", self.listen))
    }
}

/// Longest node id.
const MAX_NODE_ID_LEN: usize = 64;

/// A configured node id, if it is 1 to 64 letters, digits, `.`, `_` or `-` (it appears in log
/// lines, the database and Prometheus labels, so nothing there needs escaping).
fn checked_node_id(id: &str) -> Result<String, String> {
    let valid = !id.is_empty()
        && id.len() <= MAX_NODE_ID_LEN
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if valid {
        Ok(id.to_owned())
    } else {
        Err(format!("--node-id must be 1 to {MAX_NODE_ID_LEN} letters, digits, '.', '_' or '-', got {id:?}"))
    }
}

/// `<hostname>-<pid>`, the host name cut to the characters a node id allows.
fn default_node_id() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .unwrap_or_default();
    let mut host: String =
        host.trim().chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')).take(48).collect();
    if host.is_empty() {
        host.push_str("hookbridge");
    }
    format!("{host}-{}", std::process::id())
}

/// A count that must be at least 1 (`default` when not set).
fn positive(flag: &str, value: Option<usize>, default: usize) -> Result<usize, String> {
    match value.unwrap_or(default) {
        0 => Err(format!("{flag} must be at least 1")),
        n => Ok(n),
    }
}

/// A duration in whole seconds, at least 1 and at most a day (`default` when not set).
fn seconds(flag: &str, value: Option<u64>, default: u64) -> Result<std::time::Duration, String> {
    match value.unwrap_or(default) {
        n @ 1..=86_400 => Ok(std::time::Duration::from_secs(n)),
        n => Err(format!("{flag} must be between 1 and 86400 seconds, got {n}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_config(text: &str) -> PathBuf {
        let path = std::env::temp_dir().join(format!("hookbridge-config-{}.toml", crate::ids::uuid7()));
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn the_toml_file_fills_what_flags_leave_open() {
        let path = write_config(
            "listen = \"127.0.0.1:9999\"\nretry_time_scale = 0.5\nallow_target_cidr = [\"10.1.0.0/16\"]\nmax_attempts = 5\n",
        );
        let args = Args { config: Some(path.clone()), max_attempts: Some(3), ..Default::default() };
        let config = Config::resolve(args).unwrap();
        assert_eq!(config.listen, "127.0.0.1:9999".parse().unwrap());
        assert_eq!(config.retry_time_scale, 0.5);
        assert_eq!(config.allow_target_cidrs, vec!["10.1.0.0/16".parse::<ipnet::IpNet>().unwrap()]);
        assert_eq!(config.max_attempts, 3, "flags win over the file");
        assert!(!config.dev && config.bootstrap_api_key.is_none());
        let _ = std::fs::remove_file(path);
    }

    #[test]
    fn bad_settings_are_refused_with_a_message_naming_them() {
        let path = write_config("retry_time_scal = 1.0\n");
        let err = Config::resolve(Args { config: Some(path.clone()), ..Default::default() }).unwrap_err();
        assert!(err.contains("retry_time_scal"), "{err}");
        let _ = std::fs::remove_file(path);
        let err = Config::resolve(Args { retry_time_scale: Some(0.0), ..Default::default() }).unwrap_err();
        assert!(err.contains("--retry-time-scale"), "{err}");
        let err = Config::resolve(Args { api_key: Some("sk_live_nope".into()), ..Default::default() }).unwrap_err();
        assert!(err.contains("--api-key"), "{err}");
        let err = Config::resolve(Args { export_ttl_secs: Some(0), ..Default::default() }).unwrap_err();
        assert!(err.contains("--export-ttl-secs"), "{err}");
        let err = Config::resolve(Args { janitor_interval_secs: Some(0), ..Default::default() }).unwrap_err();
        assert!(err.contains("--janitor-interval-secs"), "{err}");
        let dir = Config::resolve(Args { data_dir: Some("/srv/hb".into()), ..Default::default() }).unwrap();
        assert_eq!(dir.secrets.key_file, std::path::Path::new("/srv/hb/secrets.key"), "the key file lives in the data dir");
        assert!(
            !format!("{:?}", Config::resolve(Args { secrets_key: Some("k3y".into()), ..Default::default() }).unwrap())
                .contains("k3y")
        );
        let err = Config::resolve(Args { max_connections: Some(0), ..Default::default() }).unwrap_err();
        assert!(err.contains("--max-connections"), "{err}");
        let err = Config::resolve(Args { header_read_timeout_secs: Some(0), ..Default::default() }).unwrap_err();
        assert!(err.contains("--header-read-timeout-secs"), "{err}");
        let dev = Config::resolve(Args { dev: true, ..Default::default() }).unwrap();
        assert_eq!(dev.bootstrap_api_key.as_ref().map(SecretText::expose), Some(DEV_API_KEY));
        let configured = Args { api_key: Some("hb_live_secret_never_printed".parse().unwrap()), ..Default::default() };
        let debug = format!("{configured:?} {:?}", Config::resolve(configured.clone()).unwrap());
        assert!(!debug.contains("secret_never_printed") && debug.contains("[redacted]"), "{debug}");
        assert!(dev.allow_private_targets && dev.temporary_data_dir);
    }

    #[test]
    fn node_id_and_delivery_lease_are_checked() {
        let config = Config::resolve(Args::default()).unwrap();
        assert!(config.node_id.ends_with(&format!("-{}", std::process::id())), "{}", config.node_id);
        assert!(checked_node_id(&config.node_id).is_ok(), "the default is a valid node id: {}", config.node_id);
        assert_eq!(config.delivery_lease, std::time::Duration::from_secs(90), "delivery timeout + 60 s");
        let config = Config::resolve(Args {
            node_id: Some("node-a.1".into()),
            delivery_timeout_secs: Some(2),
            delivery_lease_secs: Some(3),
            ..Default::default()
        })
        .unwrap();
        assert_eq!((config.node_id.as_str(), config.delivery_lease.as_secs()), ("node-a.1", 3));
        for bad in ["", "a b", "node\"x", &"n".repeat(65)] {
            let err = Config::resolve(Args { node_id: Some(bad.to_owned()), ..Default::default() }).unwrap_err();
            assert!(err.contains("--node-id"), "{err}");
        }
        let err = Config::resolve(Args { delivery_timeout_secs: Some(5), delivery_lease_secs: Some(5), ..Default::default() })
            .unwrap_err();
        assert!(err.contains("--delivery-lease-secs") && err.contains("5 s"), "{err}");
    }

    #[test]
    fn rejection_log_limits_come_from_flags_or_the_file_and_must_be_positive() {
        let path = write_config("rejection_log_max_per_endpoint = 50\nrejection_log_max_headers = 0\n");
        let args = Args { config: Some(path.clone()), rejection_log_per_source_per_minute: Some(7), ..Default::default() };
        let config = Config::resolve(args).unwrap();
        let expected =
            RejectionLogLimits { per_source_per_minute: 7, max_per_endpoint: 50, max_headers: 0, ..Default::default() };
        assert_eq!(config.rejection_log, expected);
        let _ = std::fs::remove_file(path);
        let err = Config::resolve(Args { rejection_log_per_endpoint_per_minute: Some(0), ..Default::default() }).unwrap_err();
        assert!(err.contains("--rejection-log-per-endpoint-per-minute"), "{err}");
    }

    #[test]
    fn the_queue_high_water_mark_comes_from_flags_or_the_file_and_0_turns_it_off() {
        let config = Config::resolve(Args::default()).unwrap();
        assert_eq!(config.queue_high_water, DEFAULT_HIGH_WATER);
        let path = write_config("queue_high_water = 0\n");
        let config = Config::resolve(Args { config: Some(path.clone()), ..Default::default() }).unwrap();
        assert_eq!(config.queue_high_water, 0);
        let args = Args { config: Some(path.clone()), queue_high_water: Some(250), ..Default::default() };
        assert_eq!(Config::resolve(args).unwrap().queue_high_water, 250, "the flag wins over the file");
        let _ = std::fs::remove_file(path);
        let parsed = Args::try_parse_from(["hookbridge-server", "--queue-high-water", "42"]).unwrap();
        assert_eq!(parsed.queue_high_water, Some(42));
        assert!(Args::try_parse_from(["hookbridge-server", "--queue-high-water", "-1"]).is_err());
    }

    #[test]
    fn the_queue_delay_target_comes_from_flags_or_the_file_and_0_turns_pacing_off() {
        let config = Config::resolve(Args::default()).unwrap();
        assert_eq!(config.queue_delay_target_ms, crate::delivery::pacing::DEFAULT_TARGET_MS);
        let path = write_config("queue_delay_target_ms = 0\n");
        let config = Config::resolve(Args { config: Some(path.clone()), ..Default::default() }).unwrap();
        assert_eq!(config.queue_delay_target_ms, 0);
        let args = Args { config: Some(path.clone()), queue_delay_target_ms: Some(30), ..Default::default() };
        assert_eq!(Config::resolve(args).unwrap().queue_delay_target_ms, 30, "the flag wins over the file");
        let _ = std::fs::remove_file(path);
        let parsed = Args::try_parse_from(["hookbridge-server", "--queue-delay-target-ms", "250"]).unwrap();
        assert_eq!(parsed.queue_delay_target_ms, Some(250));
    }

    #[test]
    fn the_project_cap_defaults_to_three_quarters_of_the_workers() {
        let config = Config::resolve(Args { delivery_concurrency: Some(8), ..Default::default() }).unwrap();
        assert_eq!(config.project_concurrency, 6);
        let path = write_config("project_concurrency = 3\n");
        let config = Config::resolve(Args { config: Some(path.clone()), ..Default::default() }).unwrap();
        assert_eq!((config.delivery_concurrency, config.project_concurrency), (512, 3));
        let _ = std::fs::remove_file(path);
    }
}
