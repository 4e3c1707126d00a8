//! Delivery targets kept between claims on the writer thread.
//!
//! A send claimed as it is stored needs its endpoint's delivery target (URL, headers, signing
//! secrets, rate limit, signature scheme): two queries and the opening of every sealed secret.
//! With one endpoint taking many sends, that work was the same for each of them. The writer
//! thread now keeps the targets it loaded, by endpoint.
//!
//! The cache can never serve what the database no longer says. Every write of the SQLite store
//! runs on the writer's connection, and that connection's update hook empties the cache on any
//! change to a row of `endpoints`, `signing_keys` or `inbound_endpoints`, before the statement
//! that made it returns; a rollback (its hook, and every `ROLLBACK` the writer runs, savepoints
//! included) empties it too, so a target read inside a transaction that is undone is not kept.
//! The cache lives only on the thread that installed the hooks ([`keep_on`]); anywhere else
//! [`cached`] loads every time.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use rusqlite::Connection;

use crate::store::queue::DeliveryTarget;
use crate::store::{Direction, StoreError};

/// Most targets kept per direction; past it that direction's targets start over.
const MAX_TARGETS: usize = 4096;

/// The tables a delivery target is read from.
const SOURCES: [&str; 3] = ["endpoints", "signing_keys", "inbound_endpoints"];

/// Targets by endpoint id (`None`: the endpoint is gone), one map per direction so that a
/// lookup borrows the id instead of building a key.
#[derive(Default)]
struct Targets {
    outbound: HashMap<String, Option<Arc<DeliveryTarget>>>,
    inbound: HashMap<String, Option<Arc<DeliveryTarget>>>,
}

impl Targets {
    /// The targets of endpoints of `direction`.
    fn of(&mut self, direction: Direction) -> &mut HashMap<String, Option<Arc<DeliveryTarget>>> {
        match direction {
            Direction::Outbound => &mut self.outbound,
            Direction::Inbound => &mut self.inbound,
        }
    }
}

thread_local! {
    /// This thread's targets; `None` on a thread without the hooks.
    static TARGETS: RefCell<Option<Targets>> = const { RefCell::new(None) };
}

/// Keeps targets on this thread from now on, emptied by `conn`'s update and rollback hooks.
/// Call it on the thread that runs every write of `conn`.
pub(super) fn keep_on(conn: &mut Connection) -> Result<(), StoreError> {
    conn.update_hook(Some(|_, _: &str, table: &str, _| {
        if SOURCES.contains(&table) {
            forget();
        }
    }))?;
    conn.rollback_hook(Some(forget))?;
    TARGETS.with(|t| *t.borrow_mut() = Some(Targets::default()));
    Ok(())
}

/// Empties this thread's targets.
pub(super) fn forget() {
    TARGETS.with(|t| {
        if let Some(targets) = t.borrow_mut().as_mut() {
            targets.outbound.clear();
            targets.inbound.clear();
        }
    });
}

/// The target of endpoint `endpoint_id`, from this thread's cache or from `load`.
pub(super) fn cached(
    direction: Direction,
    endpoint_id: &str,
    load: impl FnOnce() -> Result<Option<DeliveryTarget>, StoreError>,
) -> Result<Option<Arc<DeliveryTarget>>, StoreError> {
    let (kept, found) = TARGETS.with(|t| match t.borrow_mut().as_mut() {
        Some(targets) => (true, targets.of(direction).get(endpoint_id).cloned()),
        None => (false, None),
    });
    if let Some(target) = found {
        return Ok(target);
    }
    let target = load()?.map(Arc::new);
    if kept {
        TARGETS.with(|t| {
            if let Some(targets) = t.borrow_mut().as_mut() {
                let targets = targets.of(direction);
                if targets.len() >= MAX_TARGETS {
                    targets.clear();
                }
                targets.insert(endpoint_id.to_string(), target.clone());
            }
        });
    }
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(url: &str) -> Result<Option<DeliveryTarget>, StoreError> {
        Ok(Some(DeliveryTarget::new(url.to_string(), None, vec!["whsec_x".into()], 0, 0)))
    }

    /// The URL this thread's cache gives for `ep_1`, loading `url` when it has none.
    fn url_of(url: &str) -> String {
        cached(Direction::Outbound, "ep_1", || target(url)).unwrap().unwrap().url.clone()
    }

    #[test]
    fn a_target_is_kept_until_its_rows_change_or_a_write_is_undone() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE endpoints (id TEXT PRIMARY KEY, url TEXT); CREATE TABLE signing_keys (id TEXT PRIMARY KEY); \
             CREATE TABLE messages (id TEXT PRIMARY KEY); INSERT INTO endpoints VALUES ('ep_1', 'http://a')",
        )
        .unwrap();
        keep_on(&mut conn).unwrap();
        assert_eq!(url_of("http://a"), "http://a");
        assert_eq!(url_of("http://never"), "http://a", "kept");

        conn.execute("INSERT INTO messages VALUES ('m1')", []).unwrap();
        assert_eq!(url_of("http://never"), "http://a", "other tables do not matter");

        conn.execute("UPDATE endpoints SET url = 'http://b'", []).unwrap();
        assert_eq!(url_of("http://b"), "http://b", "a changed endpoint is read again");
        conn.execute("INSERT INTO signing_keys VALUES ('k2')", []).unwrap();
        assert_eq!(url_of("http://b2"), "http://b2", "a new key is read again");

        // A target read inside a savepoint that is undone is not kept.
        super::super::writer::exec(&conn, "SAVEPOINT job").unwrap();
        conn.execute("UPDATE endpoints SET url = 'http://c'", []).unwrap();
        assert_eq!(url_of("http://c"), "http://c");
        super::super::writer::exec(&conn, "ROLLBACK TO job").unwrap();
        super::super::writer::exec(&conn, "RELEASE job").unwrap();
        assert_eq!(url_of("http://b3"), "http://b3");

        // Nor one read in a transaction rolled back by SQLite itself (the rollback hook).
        conn.execute_batch("BEGIN; UPDATE endpoints SET url = 'http://d'").unwrap();
        assert_eq!(url_of("http://d"), "http://d");
        conn.execute_batch("ROLLBACK").unwrap();
        assert_eq!(url_of("http://b4"), "http://b4");
    }

    #[test]
    fn a_thread_without_the_hooks_reads_every_time() {
        let loaded = std::thread::spawn(|| (url_of("http://a"), url_of("http://b"))).join().unwrap();
        assert_eq!(loaded, ("http://a".to_string(), "http://b".to_string()));
    }
}
