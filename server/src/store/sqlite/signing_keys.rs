//! Signing keys, shared by outbound and inbound endpoints: one `signing_keys` table keyed by
//! `owner_id`, at most [`MAX_SIGNING_KEYS`] active per owner, and the last one never deleted.
//! Callers check that the owning endpoint exists and is visible to the caller first.

use rusqlite::{Connection, OptionalExtension, params};

use crate::clock::timestamp;
use crate::ids::key_hint;
use crate::store::SigningKeyWrite;
use crate::store::StoreError;
use crate::store::endpoints::MAX_SIGNING_KEYS;
use hookbridge::SigningKey;

/// Stores a key without checking the limit (an endpoint's first key).
pub(super) fn insert(conn: &Connection, owner_id: &str, key_id: &str, secret: &str, now_ms: i64) -> Result<(), StoreError> {
    conn.prepare_cached("INSERT INTO signing_keys (id, owner_id, secret, created_at) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![key_id, owner_id, secret, now_ms])?;
    Ok(())
}

/// Active keys of an owner.
pub(super) fn active_count(conn: &Connection, owner_id: &str) -> Result<i64, StoreError> {
    Ok(conn
        .prepare_cached("SELECT COUNT(*) FROM signing_keys WHERE owner_id = ?1 AND deleted_at IS NULL")?
        .query_row(params![owner_id], |r| r.get(0))?)
}

/// Adds a key unless the owner already has [`MAX_SIGNING_KEYS`] active ones.
pub(super) fn add(
    conn: &Connection,
    owner_id: &str,
    key_id: &str,
    secret: &str,
    now_ms: i64,
) -> Result<SigningKeyWrite<()>, StoreError> {
    if active_count(conn, owner_id)? >= MAX_SIGNING_KEYS {
        return Ok(SigningKeyWrite::MaxReached);
    }
    insert(conn, owner_id, key_id, secret, now_ms)?;
    Ok(SigningKeyWrite::Done(()))
}

/// The active keys, oldest first (hints only).
pub(super) fn list(conn: &Connection, owner_id: &str) -> Result<Vec<SigningKey>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, secret, created_at FROM signing_keys WHERE owner_id = ?1 AND deleted_at IS NULL ORDER BY created_at, id",
    )?;
    let rows = stmt.query_map(params![owner_id], |r| {
        let secret: String = r.get(1)?;
        Ok(SigningKey { id: r.get(0)?, key_hint: key_hint(&secret), created_at: timestamp(r.get(2)?) })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Deletes an active key of the owner, never the last one.
pub(super) fn delete(conn: &Connection, owner_id: &str, key_id: &str, now_ms: i64) -> Result<SigningKeyWrite<()>, StoreError> {
    let exists = conn
        .prepare_cached("SELECT 1 FROM signing_keys WHERE id = ?1 AND owner_id = ?2 AND deleted_at IS NULL")?
        .query_row(params![key_id, owner_id], |_| Ok(()))
        .optional()?
        .is_some();
    if !exists {
        return Ok(SigningKeyWrite::KeyNotFound);
    }
    if active_count(conn, owner_id)? <= 1 {
        return Ok(SigningKeyWrite::LastKey);
    }
    conn.prepare_cached("UPDATE signing_keys SET deleted_at = ?2 WHERE id = ?1")?.execute(params![key_id, now_ms])?;
    Ok(SigningKeyWrite::Done(()))
}
