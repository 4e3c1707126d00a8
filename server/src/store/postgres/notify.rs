//! Wake-ups across nodes. Once a transaction that made work due now has committed, its node
//! wakes its own delivery engine and announces the work ([`PgStore::announce_work`]: one
//! `NOTIFY`, folded over bursts, at most one per [`ANNOUNCE_SPACING`]). Every node keeps one
//! dedicated, unpooled connection that `LISTEN`s on that channel and fires the engine's wake-up
//! for each notification of another node (a node's notifications carry its tag, and it skips
//! its own), so a message accepted on one node is picked up by some node within milliseconds
//! rather than at its next poll. The listener reconnects with backoff when its connection drops
//! (a database restart) and wakes the engine after every reconnect, since notifications sent
//! while it was away are lost.

use std::future::poll_fn;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};
use std::time::Duration;

use tokio::sync::Notify;
use tokio_postgres::{AsyncMessage, NoTls};

use super::{PgStore, redact_url};

/// The channel notified when work is stored.
const CHANNEL: &str = "hookbridge_work";
/// First pause before reconnecting the listener.
const RECONNECT_FIRST: Duration = Duration::from_millis(100);
/// Longest pause between reconnect attempts.
const RECONNECT_MAX: Duration = Duration::from_secs(5);
/// How often an idle listener checks that its connection still answers.
const HEALTH_CHECK: Duration = Duration::from_secs(30);

impl PgStore {
    /// The wake-up fired on every notification, starting the listener on the first call.
    pub(super) fn start_listening(&self) -> Arc<Notify> {
        if !self.listening.swap(true, Ordering::SeqCst) {
            match (self.url.parse::<tokio_postgres::Config>(), tokio::runtime::Handle::try_current()) {
                (Ok(config), Ok(runtime)) => {
                    runtime.spawn(listen(config, Arc::downgrade(&self.wake), redact_url(&self.url), self.announcer_tag.clone()));
                }
                _ => {
                    self.listening.store(false, Ordering::SeqCst);
                    tracing::warn!("cannot listen for work stored by other nodes; polling only");
                }
            }
        }
        self.wake.clone()
    }
}

/// Listens until the store (and its wake-up) is gone, reconnecting with backoff; skips the
/// notifications whose payload is `own` (this process's announcements).
async fn listen(config: tokio_postgres::Config, wake: Weak<Notify>, database: String, own: Arc<str>) {
    let mut pause = RECONNECT_FIRST;
    let mut failures = 0u32;
    while wake.strong_count() > 0 {
        match session(&config, &wake, &own).await {
            Ok(()) => {
                // It was connected, then dropped: start over quickly.
                pause = RECONNECT_FIRST;
                failures = 0;
            }
            Err(e) => {
                if failures.is_multiple_of(20) {
                    tracing::warn!(error = %e, database = %database, "listening for new work failed; reconnecting");
                }
                failures = failures.saturating_add(1);
            }
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(RECONNECT_MAX);
    }
}

/// One listening connection: returns `Ok` when a connection that was listening ends, `Err`
/// when it could not be set up.
async fn session(config: &tokio_postgres::Config, wake: &Weak<Notify>, own: &Arc<str>) -> Result<(), tokio_postgres::Error> {
    let (client, mut connection) = config.connect(NoTls).await?;
    let forward = wake.clone();
    let own = own.clone();
    let mut driver = tokio::spawn(async move {
        // Drives the connection and forwards notifications until it ends.
        while let Some(message) = poll_fn(|cx| connection.poll_message(cx)).await {
            match message {
                // This node's own announcement: its engine was woken when it was made.
                Ok(AsyncMessage::Notification(n)) if n.payload() == &*own => {}
                Ok(AsyncMessage::Notification(_)) => match forward.upgrade() {
                    Some(wake) => wake.notify_one(),
                    None => return,
                },
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "the connection listening for new work failed");
                    return;
                }
            }
        }
    });
    if let Err(e) = client.batch_execute(&format!("LISTEN {CHANNEL}")).await {
        driver.abort();
        return Err(e);
    }
    tracing::debug!("listening for work stored by other nodes");
    // Work stored while no connection listened was announced to nobody.
    if let Some(wake) = wake.upgrade() {
        wake.notify_one();
    }
    loop {
        tokio::select! {
            _ = &mut driver => return Ok(()),
            _ = tokio::time::sleep(HEALTH_CHECK) => {
                let alive = tokio::time::timeout(HEALTH_CHECK, client.simple_query("SELECT 1")).await;
                if !matches!(alive, Ok(Ok(_))) || wake.strong_count() == 0 {
                    driver.abort();
                    return Ok(());
                }
            }
        }
    }
}

/// What the announcer runs, on a delivery-queue connection, with this process's tag as the
/// payload: the notification needs no durability, so its commit does not wait for a WAL flush.
fn announce_sql(tag: &str) -> String {
    // The tag is a UUID (hex digits and dashes): nothing to escape.
    format!("SELECT pg_notify('{CHANNEL}', '{tag}')")
}
/// Least time between two announcements of one node: the node's own engine is woken at once
/// for its own work, so the other nodes need only hear of it soon, not once per send.
const ANNOUNCE_SPACING: Duration = Duration::from_millis(10);
/// Pause after a failed announcement (the database is probably down; the listeners wake their
/// engines when they reconnect anyway).
const ANNOUNCE_RETRY: Duration = Duration::from_millis(200);

impl PgStore {
    /// Announces committed work that is due now: wakes this node's engine at once, and has the
    /// announcer notify every node. Announcements made while one is on its way, or within
    /// [`ANNOUNCE_SPACING`] of the last, fold into the next, so a burst of sends costs one
    /// notification per 10 ms, not one per send.
    pub(super) fn announce_work(&self) {
        self.wake.notify_one();
        if !self.announcing.swap(true, Ordering::SeqCst) {
            match tokio::runtime::Handle::try_current() {
                Ok(runtime) => {
                    runtime.spawn(announcer(
                        self.delivery.clone(),
                        Arc::downgrade(&self.announce),
                        announce_sql(&self.announcer_tag),
                    ));
                }
                Err(_) => {
                    self.announcing.store(false, Ordering::SeqCst);
                    return;
                }
            }
        }
        self.announce.notify_one();
    }

    /// [`PgStore::announce_work`] when the committed transaction marked `note`.
    pub(super) fn announce_if(&self, note: &super::sql::WorkNote) {
        if note.is_marked() {
            self.announce_work();
        }
    }
}

/// Sends one notification per wake-up until the store is gone.
async fn announcer(pool: deadpool_postgres::Pool, announce: Weak<Notify>, sql: String) {
    loop {
        let Some(signal) = announce.upgrade() else { return };
        signal.notified().await;
        drop(signal);
        let sent = match pool.get().await {
            Ok(client) => client.batch_execute(&sql).await.map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        match sent {
            // Announcements made meanwhile fold into the next one.
            Ok(()) => tokio::time::sleep(ANNOUNCE_SPACING).await,
            Err(e) => {
                tracing::debug!(error = %e, "could not announce new work to the other nodes");
                tokio::time::sleep(ANNOUNCE_RETRY).await;
            }
        }
    }
}
