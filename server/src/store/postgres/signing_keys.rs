//! Signing keys on PostgreSQL, shared by outbound and inbound endpoints: one `signing_keys`
//! table keyed by `owner_id`, at most [`MAX_SIGNING_KEYS`] active per owner, and the last one
//! never deleted. Writes lock the owner's key rows, so two nodes cannot both pass the limits.
//! Callers check that the owning endpoint exists first. Secrets are stored sealed.

use crate::store::SigningKeyRecord;
use deadpool_postgres::GenericClient;

use super::{col, pg_err};
use crate::secrets::{SecretBox, SecretField};
use crate::store::endpoints::MAX_SIGNING_KEYS;
use crate::store::rows::signing_key_listing;
use crate::store::{SigningKeyWrite, StoreError};

/// Stores a key without checking the limit (an endpoint's first key).
pub(crate) async fn insert<C: GenericClient>(
    client: &C,
    keys: &SecretBox,
    owner_id: &str,
    key_id: &str,
    secret: &str,
    now_ms: i64,
) -> Result<(), StoreError> {
    let sealed = keys.seal(SecretField::SigningSecret, key_id, secret)?;
    client
        .execute(
            "INSERT INTO signing_keys (id, owner_id, secret, created_at) VALUES ($1, $2, $3, $4)",
            &[&key_id, &owner_id, &sealed, &now_ms],
        )
        .await
        .map_err(pg_err)?;
    Ok(())
}

/// Active keys of an owner, locking them until the transaction ends.
async fn active_count_locked<C: GenericClient>(client: &C, owner_id: &str) -> Result<i64, StoreError> {
    let rows = client
        .query("SELECT id FROM signing_keys WHERE owner_id = $1 AND deleted_at IS NULL FOR UPDATE", &[&owner_id])
        .await
        .map_err(pg_err)?;
    Ok(rows.len() as i64)
}

/// Adds a key unless the owner already has [`MAX_SIGNING_KEYS`] active ones (in a transaction).
pub(crate) async fn add<C: GenericClient>(
    client: &C,
    keys: &SecretBox,
    owner_id: &str,
    key_id: &str,
    secret: &str,
    now_ms: i64,
) -> Result<SigningKeyWrite<()>, StoreError> {
    if active_count_locked(client, owner_id).await? >= MAX_SIGNING_KEYS {
        return Ok(SigningKeyWrite::MaxReached);
    }
    insert(client, keys, owner_id, key_id, secret, now_ms).await?;
    Ok(SigningKeyWrite::Done(()))
}

/// The active keys, oldest first (hints only).
pub(crate) async fn list<C: GenericClient>(
    client: &C,
    keys: &SecretBox,
    owner_id: &str,
) -> Result<Vec<SigningKeyRecord>, StoreError> {
    Ok(active(client, keys, owner_id)
        .await?
        .into_iter()
        .map(|(id, secret, created_at)| signing_key_listing(id, &secret, created_at))
        .collect())
}

/// Id, opened secret and creation time of the active keys, oldest first.
async fn active<C: GenericClient>(
    client: &C,
    keys: &SecretBox,
    owner_id: &str,
) -> Result<Vec<(String, String, i64)>, StoreError> {
    let statement = client
        .prepare_cached(
            "SELECT id, secret, created_at FROM signing_keys WHERE owner_id = $1 AND deleted_at IS NULL ORDER BY created_at, id",
        )
        .await
        .map_err(pg_err)?;
    let rows = client.query(&statement, &[&owner_id]).await.map_err(pg_err)?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let id: String = col(&row, 0)?;
        let secret = keys.open(SecretField::SigningSecret, &id, &col::<String>(&row, 1)?)?;
        out.push((id, secret, col(&row, 2)?));
    }
    Ok(out)
}

/// Deletes an active key of the owner, never the last one (in a transaction).
pub(crate) async fn delete<C: GenericClient>(
    client: &C,
    owner_id: &str,
    key_id: &str,
    now_ms: i64,
) -> Result<SigningKeyWrite<()>, StoreError> {
    let count = active_count_locked(client, owner_id).await?;
    let exists = client
        .query_opt("SELECT 1 FROM signing_keys WHERE id = $1 AND owner_id = $2 AND deleted_at IS NULL", &[&key_id, &owner_id])
        .await
        .map_err(pg_err)?
        .is_some();
    if !exists {
        return Ok(SigningKeyWrite::KeyNotFound);
    }
    if count <= 1 {
        return Ok(SigningKeyWrite::LastKey);
    }
    client.execute("UPDATE signing_keys SET deleted_at = $2 WHERE id = $1", &[&key_id, &now_ms]).await.map_err(pg_err)?;
    Ok(SigningKeyWrite::Done(()))
}
