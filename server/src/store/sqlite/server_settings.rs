//! SQLite queries of `server_settings`: facts about the data dir itself, such as the mode it
//! was created in.

use rusqlite::{Connection, OptionalExtension, params};

use crate::store::StoreError;
use crate::store::tenancy::DataDirMode;

/// Name of the setting holding the [`DataDirMode`].
const CREATED_MODE: &str = "created_mode";

/// The recorded mode; for a database from before it was recorded, `Dev` when its first key has
/// `dev_key_hash`, else `Production`; `None` for an empty database.
pub(super) fn data_dir_mode(conn: &Connection, dev_key_hash: &str) -> Result<Option<DataDirMode>, StoreError> {
    let recorded: Option<String> = conn
        .prepare_cached("SELECT value FROM server_settings WHERE name = ?1")?
        .query_row(params![CREATED_MODE], |r| r.get(0))
        .optional()?;
    if let Some(text) = recorded {
        return Ok(Some(if text == DataDirMode::Dev.as_str() { DataDirMode::Dev } else { DataDirMode::Production }));
    }
    let first_key: Option<String> =
        conn.prepare_cached("SELECT key_hash FROM api_keys ORDER BY rowid LIMIT 1")?.query_row([], |r| r.get(0)).optional()?;
    Ok(first_key.map(|hash| if hash == dev_key_hash { DataDirMode::Dev } else { DataDirMode::Production }))
}

/// Records the mode unless one is recorded already.
pub(super) fn record_data_dir_mode(conn: &Connection, mode: DataDirMode) -> Result<(), StoreError> {
    conn.prepare_cached("INSERT OR IGNORE INTO server_settings (name, value) VALUES (?1, ?2)")?
        .execute(params![CREATED_MODE, mode.as_str()])?;
    Ok(())
}
