//! PostgreSQL side of secrets at rest: the key check value, and the start-up pass that seals
//! plaintext values or re-seals values after a key rotation, in one transaction. Nodes starting
//! together take a transaction-scoped advisory lock, so one of them does the pass.

use deadpool_postgres::Object;
use tokio_postgres::Client;

use super::pg_err;
use crate::secrets::{SecretBox, SecretField, StartupPass};
use crate::store::StoreError;

/// Advisory lock key of the start-up pass.
const SECRETS_LOCK: i64 = 0x4842_5345_4352_4554; // "HBSECRET"

/// Table, row id column and value column of a sealed field.
fn column(field: SecretField) -> (&'static str, &'static str, &'static str) {
    match field {
        SecretField::SigningSecret => ("signing_keys", "id", "secret"),
        SecretField::EndpointHeaders => ("endpoints", "id", "headers"),
        SecretField::InboundHmacSecret => ("inbound_endpoints", "id", "hmac_secret"),
        SecretField::ExportDownloadSecret => ("exports", "id", "download_token"),
        SecretField::PullHmacSecret => ("pull_endpoints", "id", "hmac_secret"),
    }
}

/// The key id recorded by the last start, if any.
pub(super) async fn stored_key_id(client: &Client) -> Result<Option<String>, StoreError> {
    let row = client.query_opt("SELECT key_id FROM secrets_key WHERE singleton = 1", &[]).await.map_err(pg_err)?;
    Ok(row.map(|r| r.get(0)))
}

/// Brings every sealed column under the current key (or refuses a wrong key) and records the
/// key id. Returns how many values were written.
pub(super) async fn startup_pass(client: &mut Object, keys: &SecretBox) -> Result<usize, StoreError> {
    let tx = client.transaction().await.map_err(pg_err)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&SECRETS_LOCK]).await.map_err(pg_err)?;
    // Read again under the lock: another node may have just finished the pass.
    let stored = tx
        .query_opt("SELECT key_id FROM secrets_key WHERE singleton = 1", &[])
        .await
        .map_err(pg_err)?
        .map(|r| r.get::<_, String>(0));
    let pass = keys.startup_pass(stored.as_deref()).map_err(StoreError::Io)?;
    if pass == StartupPass::UpToDate {
        return Ok(0);
    }
    let mut changed = 0;
    for field in SecretField::ALL {
        let (table, id_column, value_column) = column(field);
        let rows = tx
            .query(&format!("SELECT {id_column}, {value_column} FROM {table} WHERE {value_column} IS NOT NULL"), &[])
            .await
            .map_err(pg_err)?;
        let update = format!("UPDATE {table} SET {value_column} = $2 WHERE {id_column} = $1");
        for row in rows {
            let (id, value): (String, String) = (row.get(0), row.get(1));
            if let Some(sealed) = keys.reseal(&pass, field, &id, &value)? {
                tx.execute(&update, &[&id, &sealed]).await.map_err(pg_err)?;
                changed += 1;
            }
        }
    }
    tx.execute(
        "INSERT INTO secrets_key (singleton, key_id, updated_at) VALUES (1, $1, $2) \
         ON CONFLICT (singleton) DO UPDATE SET key_id = excluded.key_id, updated_at = excluded.updated_at",
        &[&keys.key_id(), &crate::clock::now_millis()],
    )
    .await
    .map_err(pg_err)?;
    tx.commit().await.map_err(pg_err)?;
    keys.report_startup_pass(&pass, changed);
    Ok(changed)
}
