//! Start-up and shutdown: open the store, bootstrap the first project and key, bind, start the
//! delivery engine and the background jobs, serve until SIGTERM/SIGINT, then let in-flight
//! deliveries and exports finish.

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use crate::config::Config;
use crate::config::DEV_API_KEY;
use crate::delivery::DeliveryEngine;
use crate::http::backpressure::Backpressure;
use crate::http::rate_limit::ApiLimits;
use crate::http::router;
use crate::jobs::Jobs;
use crate::listener::ListenerLimits;
use crate::secrets::SecretBox;
use crate::state::{AppState, Shared};
use crate::store::postgres::PgStore;
use crate::store::sqlite::SqliteStore;
use crate::store::tenancy::DataDirMode;
use crate::store::{BootstrapOutcome, Store};
use crate::telemetry::Telemetry;

/// How long shutdown waits for in-flight deliveries before releasing them for redelivery.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest the server waits at start for the delivery engine to take back the leases of the
/// last run before it answers requests (sends meanwhile are stored waiting, never claimed on
/// send; see `delivery::run`).
const ENGINE_OPEN_WAIT: Duration = Duration::from_secs(10);

/// Runs the server until a termination signal; returns a message on start-up failure.
pub async fn run(mut config: Config) -> Result<(), String> {
    init_tracing(&config.log_format);
    tracing::info!(node_id = %config.node_id, "hookbridge-server starting");
    let (store, secrets, _data_dir_lock) = open_store(&config).await?;
    crate::jobs::exports::fail_interrupted(store.as_ref()).await?;
    let bootstrap = bootstrap(store.as_ref(), &config).await?;

    let listener =
        tokio::net::TcpListener::bind(config.listen).await.map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    config.listen = listener.local_addr().map_err(|e| e.to_string())?;
    let config = Arc::new(config);

    let telemetry = Arc::new(Telemetry::default());
    let engine = DeliveryEngine::start(store.clone(), config.clone(), telemetry.clone());
    if !engine.opened(ENGINE_OPEN_WAIT).await {
        tracing::warn!("the delivery engine has not taken back the last run's leases yet; serving meanwhile");
    }
    let jobs = Jobs::start(store.clone(), config.clone(), crate::http::write_export_line);
    let state = AppState::new(Shared {
        store: store.clone(),
        config: config.clone(),
        delivery: engine.handle(),
        exports: jobs.exports(),
        telemetry: telemetry.clone(),
        auth_cache: Default::default(),
        rejection_log: Arc::new(crate::ingest::rejection_log::RejectionLog::new(config.rejection_log.clone())),
        queue_depth: Arc::new(crate::http::queue_depth::QueueDepthCache::new(config.metrics_refresh)),
        api_limits: Arc::new(ApiLimits::new(&config)),
        backpressure: Backpressure::new(config.queue_high_water, engine.pacing(), store.clone(), telemetry.clone()),
        secrets,
    });

    {
        let mut out = std::io::stdout().lock();
        if let Some(key) = &bootstrap.created_key {
            let _ = writeln!(out, "created the default project and API key (shown once): {key}");
        }
        if config.dev {
            if let Some(key) = &config.bootstrap_api_key
                && bootstrap.configured_key_revoked.is_none()
            {
                let _ = writeln!(out, "api key: {}", key.expose());
            }
            let _ = writeln!(out, "data dir: {}", config.data_dir.display());
        }
        let _ = writeln!(out, "hookbridge-server listening on http://{}", config.listen);
        let _ = out.flush();
    }
    tracing::info!(
        listen = %config.listen,
        data_dir = %config.data_dir.display(),
        dev = config.dev,
        node_id = %config.node_id,
        "hookbridge-server started"
    );

    let limits = ListenerLimits {
        max_connections: config.max_connections,
        header_read_timeout: config.header_read_timeout,
        idle_timeout: config.idle_timeout,
        shutdown_grace: config.request_timeout.min(DRAIN_TIMEOUT),
    };
    crate::listener::serve(listener, router(state), limits, shutdown_signal()).await;

    tracing::info!("shutting down: draining in-flight deliveries");
    tokio::join!(jobs.shutdown(), engine.shutdown(DRAIN_TIMEOUT));
    if config.temporary_data_dir {
        let _ = std::fs::remove_dir_all(&config.data_dir);
    }
    Ok(())
}

/// Checks that `--dev` runs only on a data dir `--dev` created (its dev key is public), then
/// creates the first project and key or adds the configured key. A configured key that was
/// revoked stays revoked: the server starts and says so.
async fn bootstrap(store: &dyn Store, config: &Config) -> Result<BootstrapOutcome, String> {
    let existing = store.data_dir_mode(crate::ids::sha256_hex(DEV_API_KEY.as_bytes())).await.map_err(|e| e.to_string())?;
    if config.dev && existing == Some(DataDirMode::Production) {
        return Err(format!(
            "--dev refused: data dir {} was not created in dev mode, and --dev would add the publicly known dev key \
             to it; start without --dev, or give --dev a new --data-dir",
            config.data_dir.display()
        ));
    }
    if !config.dev && existing == Some(DataDirMode::Dev) {
        tracing::warn!(
            data_dir = %config.data_dir.display(),
            "this data dir was created by --dev: revoke its publicly known dev key (hb_test_dev…) before exposing the server"
        );
    }
    let mode = existing.unwrap_or(if config.dev { DataDirMode::Dev } else { DataDirMode::Production });
    let key = config.bootstrap_api_key.as_ref().map(|k| k.expose().to_owned());
    let outcome = store.ensure_bootstrap(key, mode).await.map_err(|e| e.to_string())?;
    if let Some(key_id) = &outcome.configured_key_revoked {
        tracing::warn!(
            key_id = %key_id,
            "the API key configured with --api-key / HOOKBRIDGE_API_KEY (or --dev) is revoked and stays revoked; \
             remove it from the configuration or configure a new key"
        );
    }
    Ok(outcome)
}

/// Opens the configured backend: PostgreSQL when a database URL is set (no data-dir lock: any
/// number of nodes share the database), else SQLite in the data dir, locked to this process.
/// Also returns the store's secrets key.
async fn open_store(config: &Config) -> Result<(Arc<dyn Store>, Arc<SecretBox>, Option<std::fs::File>), String> {
    match &config.database_url {
        Some(url) => {
            crate::data_dir::ensure_private_dir(&config.data_dir)?;
            let mut pg = PgStore::connect(url.expose(), &config.secrets).await.map_err(|e| e.to_string())?;
            // Leases this node takes carry its --node-id.
            pg.set_node_id(&config.node_id);
            if let Some(gather) = config.send_gather {
                pg.set_send_gather(gather);
            }
            tracing::info!(database = %crate::store::postgres::redact_url(url.expose()), node_id = %config.node_id, "using PostgreSQL");
            let secrets = pg.secrets();
            Ok((Arc::new(pg), secrets, None))
        }
        None => {
            let lock = lock_data_dir(&config.data_dir)?;
            let sqlite =
                SqliteStore::open(&config.data_dir, config.sqlite_synchronous, &config.secrets).map_err(|e| e.to_string())?;
            let secrets = sqlite.secrets();
            Ok((Arc::new(sqlite), secrets, Some(lock)))
        }
    }
}

/// Takes an exclusive lock on `<data_dir>/hookbridge.lock` for the life of the process. SQLite
/// mode is single-process: a second server on the same files would treat the first one's
/// in-flight deliveries as orphaned and send them again.
fn lock_data_dir(data_dir: &std::path::Path) -> Result<std::fs::File, String> {
    crate::data_dir::ensure_private_dir(data_dir)?;
    let path = data_dir.join("hookbridge.lock");
    let file = crate::data_dir::open_private_file(&path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(format!(
            "another hookbridge-server is already using {} (lock {} is held); SQLite mode runs one server per data dir",
            data_dir.display(),
            path.display()
        )),
        Err(std::fs::TryLockError::Error(e)) => Err(format!("cannot lock {}: {e}", path.display())),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}

fn init_tracing(format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("HOOKBRIDGE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = if format == "json" { builder.json().try_init() } else { builder.try_init() };
}
