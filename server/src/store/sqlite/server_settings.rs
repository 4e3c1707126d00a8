//! SQLite queries of `server_settings`: facts about the data dir itself, such as the mode it
//! was created in.

use rusqlite::{Connection, OptionalExtension, params};

use crate::store::StoreError;
use crate::store::tenancy::{CREATED_MODE_SETTING, DataDirMode};

/// The recorded mode; for a database from before it was recorded, `Dev` when its first key has
/// `dev_key_hash`, else `Production`; `None` for an empty database.
pub(super) fn data_dir_mode(conn: &Connection, dev_key_hash: &str) -> Result<Option<DataDirMode>, StoreError> {
    let recorded: Option<String> = conn
        .prepare_cached("SELECT value FROM server_settings WHERE name = ?1")?
        .query_row(params![CREATED_MODE_SETTING], |r| r.get(0))
        .optional()?;
    // The first key only matters for a database from before the mode was recorded.
    let first_key: Option<String> = match recorded {
        Some(_) => None,
        None => {
            conn.prepare_cached("SELECT key_hash FROM api_keys ORDER BY rowid LIMIT 1")?.query_row([], |r| r.get(0)).optional()?
        }
    };
    Ok(DataDirMode::of_database(recorded.as_deref(), first_key.as_deref(), dev_key_hash))
}

/// Records the mode unless one is recorded already.
pub(super) fn record_data_dir_mode(conn: &Connection, mode: DataDirMode) -> Result<(), StoreError> {
    conn.prepare_cached("INSERT OR IGNORE INTO server_settings (name, value) VALUES (?1, ?2)")?
        .execute(params![CREATED_MODE_SETTING, mode.as_str()])?;
    Ok(())
}
