//! The command line's grammar (clap derive): global options and every command.

use clap::{Args, Parser, Subcommand, ValueEnum};

/// `hb`: manage a HookBridge server from the terminal.
#[derive(Debug, Parser)]
#[command(name = "hb", version, about = "The HookBridge command line", propagate_version = true)]
pub struct Cli {
    /// Global options.
    #[command(flatten)]
    pub global: Global,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct Global {
    /// API key (default: $HOOKBRIDGE_API_KEY, then the profile written by `hb login`).
    #[arg(long, global = true, hide_env_values = true)]
    pub api_key: Option<String>,
    /// API base URL (default: $HOOKBRIDGE_BASE_URL, then the profile).
    #[arg(long, global = true)]
    pub base_url: Option<String>,
    /// Send URL (default: $HOOKBRIDGE_SEND_URL, then the profile, then the base URL).
    #[arg(long, global = true)]
    pub send_url: Option<String>,
    /// Output format.
    #[arg(long, global = true, value_enum, default_value_t = Format::Table)]
    pub output: Format,
    /// The profile file (default: $HOOKBRIDGE_PROFILE, then ~/.config/hookbridge/profile.toml).
    #[arg(long, global = true)]
    pub profile: Option<std::path::PathBuf>,
}

/// How results are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns for people.
    Table,
    /// The API's objects as JSON, for scripts.
    Json,
}

/// Every command.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Save the API key and URLs to the profile file (mode 0600).
    Login(Login),
    /// Send a webhook to an endpoint.
    Send(Send),
    /// Outbound endpoints.
    #[command(subcommand)]
    Endpoints(Endpoints),
    /// Outbound messages.
    #[command(subcommand)]
    Messages(Messages),
    /// Recent outbound messages, newest last; `--follow` keeps printing new ones.
    Logs(Logs),
    /// The dead letter queue.
    #[command(subcommand)]
    Dlq(Dlq),
    /// Inbound endpoints and their rejections.
    #[command(subcommand)]
    Inbound(Inbound),
    /// Export delivery logs to a JSON Lines file.
    Export(Export),
    /// Relay the requests a CLI-mode inbound endpoint stores to a local URL, as they arrive.
    Listen(Listen),
    /// Print a shell completion script.
    Completions(Completions),
}

/// `hb login`.
#[derive(Debug, Args)]
pub struct Login {
    /// The API key to save (default: --api-key, $HOOKBRIDGE_API_KEY, or one line from stdin).
    #[arg(long = "key")]
    pub key: Option<String>,
}

/// `hb send`.
#[derive(Debug, Args)]
pub struct Send {
    /// The endpoint id.
    pub endpoint: String,
    /// The JSON payload: inline JSON, `@file.json`, or `-` for stdin.
    #[arg(long, short)]
    pub data: String,
    /// Idempotency key.
    #[arg(long)]
    pub idempotency_key: Option<String>,
    /// Extra header for the delivery, `Name: value` (repeatable).
    #[arg(long = "header", short = 'H')]
    pub headers: Vec<String>,
}

/// `hb endpoints …`.
#[derive(Debug, Subcommand)]
pub enum Endpoints {
    /// List endpoints.
    Ls(PageArgs),
    /// Create an endpoint; prints its signing secret once.
    Create {
        /// The receiver's URL.
        url: String,
        /// Description.
        #[arg(long)]
        description: Option<String>,
        /// Delivery rate limit (requests per second; 0 = none).
        #[arg(long, default_value_t = 0)]
        rate_limit_rps: i64,
        /// Burst above the rate limit.
        #[arg(long, default_value_t = 0)]
        burst: i64,
    },
    /// Show one endpoint.
    Get {
        /// The endpoint id.
        id: String,
    },
    /// Pause delivery to an endpoint.
    Pause {
        /// The endpoint id.
        id: String,
    },
    /// Resume delivery to an endpoint.
    Resume {
        /// The endpoint id.
        id: String,
    },
    /// Rotate an endpoint's signing secret; prints the new one once.
    Rotate {
        /// The endpoint id.
        id: String,
    },
}

/// Paging options of list commands.
#[derive(Debug, Args)]
pub struct PageArgs {
    /// Page size.
    #[arg(long)]
    pub limit: Option<i64>,
    /// Cursor from a previous page.
    #[arg(long)]
    pub cursor: Option<String>,
}

/// `hb messages …`.
#[derive(Debug, Subcommand)]
pub enum Messages {
    /// Show one message.
    Get {
        /// The message id.
        id: String,
    },
    /// Every delivery attempt of a message: status, latency, retry, error.
    Attempts {
        /// The message id.
        id: String,
    },
    /// Deliver a message again.
    Replay {
        /// The message id.
        id: String,
    },
    /// Cancel a message's pending retry.
    Cancel {
        /// The message id.
        id: String,
    },
    /// Retry a message now instead of at its scheduled time.
    Retry {
        /// The message id.
        id: String,
    },
}

/// `hb logs`.
#[derive(Debug, Args)]
pub struct Logs {
    /// Only messages in this status (queued, delivering, pending_retry, succeeded, failed_permanent).
    #[arg(long)]
    pub status: Option<String>,
    /// Only messages created at or after this time (RFC 3339, e.g. 2026-01-31T00:00:00Z).
    #[arg(long)]
    pub since: Option<String>,
    /// How many to show first.
    #[arg(long, default_value_t = 20)]
    pub limit: i64,
    /// Keep polling and print new messages as they arrive (Ctrl-C to stop).
    #[arg(long, short)]
    pub follow: bool,
    /// Seconds between polls with --follow.
    #[arg(long, default_value_t = 1.0)]
    pub interval: f64,
}

/// `hb dlq …`.
#[derive(Debug, Subcommand)]
pub enum Dlq {
    /// List messages in the dead letter queue.
    Ls(PageArgs),
    /// Re-queue messages from the dead letter queue.
    Replay {
        /// The message ids.
        ids: Vec<String>,
        /// Every message in the dead letter queue.
        #[arg(long, conflicts_with = "ids")]
        all: bool,
    },
}

/// `hb inbound …`.
#[derive(Debug, Subcommand)]
pub enum Inbound {
    /// List inbound endpoints.
    Ls(PageArgs),
    /// Create an inbound endpoint; prints its ingest URL.
    Create {
        /// Where accepted webhooks are forwarded (not needed with `--mode cli`).
        url: Option<String>,
        /// `forward` (default) or `cli`: keep requests for `hb listen` instead of forwarding.
        #[arg(long)]
        mode: Option<String>,
        /// Name.
        #[arg(long)]
        name: Option<String>,
        /// Description.
        #[arg(long)]
        description: Option<String>,
        /// Require a shared token in this header (with --token).
        #[arg(long, requires = "token")]
        token_header: Option<String>,
        /// The shared token senders must present.
        #[arg(long, requires = "token_header")]
        token: Option<String>,
    },
    /// Requests an inbound endpoint refused, with their reason codes.
    Rejections {
        /// Only this inbound endpoint.
        #[arg(long)]
        endpoint: Option<String>,
        /// Page size.
        #[arg(long)]
        limit: Option<i64>,
    },
}

/// `hb export`.
#[derive(Debug, Args)]
pub struct Export {
    /// Start of the range (RFC 3339).
    #[arg(long)]
    pub since: String,
    /// End of the range (RFC 3339; default: now).
    #[arg(long)]
    pub until: Option<String>,
    /// Only this status.
    #[arg(long)]
    pub status: Option<String>,
    /// Only this endpoint.
    #[arg(long)]
    pub endpoint: Option<String>,
    /// The file to write (JSON Lines).
    #[arg(long, short = 'o')]
    pub out: std::path::PathBuf,
}

/// `hb listen`.
#[derive(Debug, Args)]
pub struct Listen {
    /// The inbound endpoint (created with mode `cli`).
    pub endpoint: String,
    /// Where to send each request, e.g. http://localhost:3000/hook.
    #[arg(long)]
    pub forward_to: String,
    /// Also relay the requests stored before `hb listen` started.
    #[arg(long)]
    pub from_start: bool,
    /// Seconds between polls while nothing arrives.
    #[arg(long, default_value_t = 2.0)]
    pub interval: f64,
}

/// `hb completions`.
#[derive(Debug, Args)]
pub struct Completions {
    /// The shell.
    pub shell: clap_complete::Shell,
}
