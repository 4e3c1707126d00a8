//! Signing keys, shared by outbound and inbound endpoints: one `signing_keys` table keyed by
//! `owner_id`, at most [`MAX_SIGNING_KEYS`] active per owner, and the last one never deleted.
//! Callers check that the owning endpoint exists and is visible to the caller first. Secrets are
//! stored sealed ([`crate::secrets`]).

use rusqlite::{Connection, OptionalExtension, params};

use crate::secrets::{SecretBox, SecretField};
use crate::store::SigningKeyRecord;
use crate::store::SigningKeyWrite;
use crate::store::StoreError;
use crate::store::endpoints::MAX_SIGNING_KEYS;
use crate::store::rows::signing_key_listing;

/// Stores a key without checking the limit (an endpoint's first key).
pub(super) fn insert(
    conn: &Connection,
    keys: &SecretBox,
    owner_id: &str,
    key_id: &str,
    secret: &str,
    now_ms: i64,
) -> Result<(), StoreError> {
    let sealed = keys.seal(SecretField::SigningSecret, key_id, secret)?;
    conn.prepare_cached("INSERT INTO signing_keys (id, owner_id, secret, created_at) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![key_id, owner_id, sealed, now_ms])?;
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
    keys: &SecretBox,
    owner_id: &str,
    key_id: &str,
    secret: &str,
    now_ms: i64,
) -> Result<SigningKeyWrite<()>, StoreError> {
    if active_count(conn, owner_id)? >= MAX_SIGNING_KEYS {
        return Ok(SigningKeyWrite::MaxReached);
    }
    insert(conn, keys, owner_id, key_id, secret, now_ms)?;
    Ok(SigningKeyWrite::Done(()))
}

/// The active keys, oldest first (hints only).
pub(super) fn list(conn: &Connection, keys: &SecretBox, owner_id: &str) -> Result<Vec<SigningKeyRecord>, StoreError> {
    active(conn, keys, owner_id)?
        .into_iter()
        .map(|(id, secret, created_at)| Ok(signing_key_listing(id, &secret, created_at)))
        .collect()
}

/// The active secrets of an owner in plaintext, oldest first (what deliveries are signed with).
pub(super) fn active_secrets(conn: &Connection, keys: &SecretBox, owner_id: &str) -> Result<Vec<String>, StoreError> {
    Ok(active(conn, keys, owner_id)?.into_iter().map(|(_, secret, _)| secret).collect())
}

/// Id, opened secret and creation time of the active keys, oldest first.
fn active(conn: &Connection, keys: &SecretBox, owner_id: &str) -> Result<Vec<(String, String, i64)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, secret, created_at FROM signing_keys WHERE owner_id = ?1 AND deleted_at IS NULL ORDER BY created_at, id",
    )?;
    let rows =
        stmt.query_map(params![owner_id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (id, sealed, created_at) = row?;
        let secret = keys.open(SecretField::SigningSecret, &id, &sealed)?;
        out.push((id, secret, created_at));
    }
    Ok(out)
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
