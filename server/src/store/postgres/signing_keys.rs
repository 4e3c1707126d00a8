//! PostgreSQL: signing keys, shared by outbound and inbound endpoints (one `signing_keys` table
//! keyed by `owner_id`), the same rules as SQLite: at most [`MAX_SIGNING_KEYS`] active per owner,
//! never the last one deleted. Callers check that the owning endpoint is visible first. Changes
//! of one owner's keys take a transaction-scoped advisory lock on the owner, so nodes adding or
//! deleting keys at once cannot pass the limits together. Secrets are stored sealed.

use deadpool_postgres::{GenericClient, Transaction};
use hookbridge::SigningKey;

use super::pg_err;
use crate::secrets::{SecretBox, SecretField};
use crate::store::endpoints::MAX_SIGNING_KEYS;
use crate::store::rows::signing_key_listing;
use crate::store::{SigningKeyWrite, StoreError};

/// Serializes key changes of one owner until the transaction ends (on every node).
async fn lock_owner(tx: &Transaction<'_>, owner_id: &str) -> Result<(), StoreError> {
    tx.execute("SELECT pg_advisory_xact_lock(hashtextextended('signing_keys:' || $1, 0))", &[&owner_id])
        .await
        .map_err(pg_err)?;
    Ok(())
}

/// Stores a key without checking the limit (an endpoint's first key).
pub(super) async fn insert(
    client: &impl GenericClient,
    keys: &SecretBox,
    owner_id: &str,
    key_id: &str,
    secret: &str,
    now_ms: i64,
) -> Result<(), StoreError> {
    let sealed = keys.seal(SecretField::SigningSecret, key_id, secret)?;
    let stmt = client
        .prepare_cached("INSERT INTO signing_keys (id, owner_id, secret, created_at) VALUES ($1, $2, $3, $4)")
        .await
        .map_err(pg_err)?;
    client.execute(&stmt, &[&key_id, &owner_id, &sealed, &now_ms]).await.map_err(pg_err)?;
    Ok(())
}

/// Active keys of an owner.
pub(super) async fn active_count(client: &impl GenericClient, owner_id: &str) -> Result<i64, StoreError> {
    let stmt = client
        .prepare_cached("SELECT COUNT(*)::BIGINT FROM signing_keys WHERE owner_id = $1 AND deleted_at IS NULL")
        .await
        .map_err(pg_err)?;
    client.query_one(&stmt, &[&owner_id]).await.map_err(pg_err)?.try_get(0).map_err(pg_err)
}

/// Adds a key unless the owner already has [`MAX_SIGNING_KEYS`] active ones.
pub(super) async fn add(
    tx: &Transaction<'_>,
    keys: &SecretBox,
    owner_id: &str,
    key_id: &str,
    secret: &str,
    now_ms: i64,
) -> Result<SigningKeyWrite<()>, StoreError> {
    lock_owner(tx, owner_id).await?;
    if active_count(tx, owner_id).await? >= MAX_SIGNING_KEYS {
        return Ok(SigningKeyWrite::MaxReached);
    }
    insert(tx, keys, owner_id, key_id, secret, now_ms).await?;
    Ok(SigningKeyWrite::Done(()))
}

/// Adds a key when the owner has no active one (signing turned on); whether it was added.
pub(super) async fn add_first(
    tx: &Transaction<'_>,
    keys: &SecretBox,
    owner_id: &str,
    key_id: &str,
    secret: &str,
    now_ms: i64,
) -> Result<bool, StoreError> {
    lock_owner(tx, owner_id).await?;
    if active_count(tx, owner_id).await? > 0 {
        return Ok(false);
    }
    insert(tx, keys, owner_id, key_id, secret, now_ms).await?;
    Ok(true)
}

/// The active keys, oldest first (hints only).
pub(super) async fn list(client: &impl GenericClient, keys: &SecretBox, owner_id: &str) -> Result<Vec<SigningKey>, StoreError> {
    Ok(active(client, keys, owner_id).await?.into_iter().map(|(id, secret, at)| signing_key_listing(id, &secret, at)).collect())
}

/// The active secrets of an owner in plaintext, oldest first (what deliveries are signed with).
#[allow(dead_code)] // for the delivery queue
pub(super) async fn active_secrets(client: &impl GenericClient, keys: &SecretBox, owner_id: &str) -> Result<Vec<String>, StoreError> {
    Ok(active(client, keys, owner_id).await?.into_iter().map(|(_, secret, _)| secret).collect())
}

/// Id, opened secret and creation time of the active keys, oldest first.
async fn active(client: &impl GenericClient, keys: &SecretBox, owner_id: &str) -> Result<Vec<(String, String, i64)>, StoreError> {
    let stmt = client
        .prepare_cached(
            "SELECT id, secret, created_at FROM signing_keys WHERE owner_id = $1 AND deleted_at IS NULL ORDER BY created_at, id",
        )
        .await
        .map_err(pg_err)?;
    let mut out = Vec::new();
    for row in client.query(&stmt, &[&owner_id]).await.map_err(pg_err)? {
        let id: String = row.try_get(0).map_err(pg_err)?;
        let sealed: String = row.try_get(1).map_err(pg_err)?;
        let secret = keys.open(SecretField::SigningSecret, &id, &sealed)?;
        out.push((id, secret, row.try_get(2).map_err(pg_err)?));
    }
    Ok(out)
}

/// Deletes an active key of the owner, never the last one.
pub(super) async fn delete(
    tx: &Transaction<'_>,
    owner_id: &str,
    key_id: &str,
    now_ms: i64,
) -> Result<SigningKeyWrite<()>, StoreError> {
    lock_owner(tx, owner_id).await?;
    let exists = tx
        .query_opt("SELECT 1 FROM signing_keys WHERE id = $1 AND owner_id = $2 AND deleted_at IS NULL", &[&key_id, &owner_id])
        .await
        .map_err(pg_err)?
        .is_some();
    if !exists {
        return Ok(SigningKeyWrite::KeyNotFound);
    }
    if active_count(tx, owner_id).await? <= 1 {
        return Ok(SigningKeyWrite::LastKey);
    }
    tx.execute("UPDATE signing_keys SET deleted_at = $2 WHERE id = $1", &[&key_id, &now_ms]).await.map_err(pg_err)?;
    Ok(SigningKeyWrite::Done(()))
}
