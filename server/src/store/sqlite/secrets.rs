//! SQLite side of secrets at rest: which columns are sealed, the key check value, and the
//! start-up pass that encrypts plaintext values of older databases or re-encrypts values after a
//! key rotation (all in one transaction, so a crash leaves the database as it was), then rebuilds
//! the file so the old values do not linger in free pages.

use rusqlite::{Connection, OptionalExtension, params};

use crate::secrets::{SecretBox, SecretError, SecretField, StartupPass};
use crate::store::StoreError;

impl From<SecretError> for StoreError {
    fn from(e: SecretError) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}

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
pub(super) fn stored_key_id(conn: &Connection) -> Result<Option<String>, StoreError> {
    Ok(conn.query_row("SELECT key_id FROM secrets_key WHERE singleton = 1", [], |r| r.get(0)).optional()?)
}

/// Brings every sealed column under the current key (or refuses a wrong key) and records the
/// key id. Returns how many values were written.
pub(super) fn startup_pass(conn: &mut Connection, keys: &SecretBox) -> Result<usize, StoreError> {
    let stored = stored_key_id(conn)?;
    let pass = keys.startup_pass(stored.as_deref()).map_err(StoreError::Io)?;
    if pass == StartupPass::UpToDate {
        return Ok(0);
    }
    let tx = conn.transaction()?;
    let mut changed = 0;
    for field in SecretField::ALL {
        let (table, id_column, value_column) = column(field);
        let rows: Vec<(String, String)> = {
            let mut stmt =
                tx.prepare(&format!("SELECT {id_column}, {value_column} FROM {table} WHERE {value_column} IS NOT NULL"))?;
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?
        };
        let mut update = tx.prepare(&format!("UPDATE {table} SET {value_column} = ?2 WHERE {id_column} = ?1"))?;
        for (id, value) in rows {
            if let Some(sealed) = keys.reseal(&pass, field, &id, &value)? {
                update.execute(params![id, sealed])?;
                changed += 1;
            }
        }
    }
    tx.execute(
        "INSERT INTO secrets_key (singleton, key_id, updated_at) VALUES (1, ?1, ?2) \
         ON CONFLICT (singleton) DO UPDATE SET key_id = excluded.key_id, updated_at = excluded.updated_at",
        params![keys.key_id(), crate::clock::now_millis()],
    )?;
    tx.commit()?;
    if changed > 0 {
        // Rebuild the file and empty the WAL, so no old plaintext or old-key ciphertext is left
        // in freed pages or old WAL frames (no other connection is open yet).
        conn.execute_batch("VACUUM")?;
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    }
    keys.report_startup_pass(&pass, changed);
    Ok(changed)
}
