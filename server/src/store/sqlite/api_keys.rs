//! SQLite queries of API keys (used by the [`crate::store::TenancyStore`] implementation).

use rusqlite::{Connection, OptionalExtension, params};

use crate::store::tenancy::{KeyMode, KeyRank, KeyScope};
use crate::store::{ApiKeyRecord, AuthenticatedKey, NewApiKey, StoreError};

/// A key as found by its hash.
pub(super) struct KeyLookup {
    pub caller: AuthenticatedKey,
    pub last_used_at: Option<i64>,
}

/// Stores a new key.
pub(super) fn insert(conn: &Connection, key: &NewApiKey) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO api_keys (id, project_id, key_hash, prefix, mode, scope, label, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        key.id,
        key.project_id,
        key.key_hash,
        key.prefix,
        key.mode.as_str(),
        key.scope.as_str(),
        key.label,
        key.created_at
    ])?;
    Ok(())
}

/// The key with this hash, if active and its project is live.
pub(super) fn lookup(conn: &Connection, key_hash: &str) -> Result<Option<KeyLookup>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT k.id, k.project_id, p.tenant_id, k.last_used_at, k.scope, k.mode, p.rate_limit_default \
             FROM api_keys k JOIN projects p ON p.id = k.project_id \
             WHERE k.key_hash = ?1 AND k.revoked_at IS NULL AND p.deleted_at IS NULL",
        )?
        .query_row(params![key_hash], |r| {
            Ok(KeyLookup {
                caller: AuthenticatedKey {
                    key_id: r.get(0)?,
                    project_id: r.get(1)?,
                    tenant_id: r.get(2)?,
                    scope: KeyScope::parse(&r.get::<_, String>(4)?),
                    mode: KeyMode::parse(&r.get::<_, String>(5)?),
                    rate_limit_per_minute: r.get(6)?,
                },
                last_used_at: r.get(3)?,
            })
        })
        .optional()?)
}

/// Records that a key was used now.
pub(super) fn touch(conn: &Connection, key_id: &str, now_ms: i64) -> Result<(), StoreError> {
    conn.prepare_cached("UPDATE api_keys SET last_used_at = ?2 WHERE id = ?1")?.execute(params![key_id, now_ms])?;
    Ok(())
}

/// The project's active keys, oldest first (label `""` when none was given).
pub(super) fn list(conn: &Connection, project_id: &str) -> Result<Vec<ApiKeyRecord>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, COALESCE(label, ''), prefix, created_at, last_used_at FROM api_keys \
         WHERE project_id = ?1 AND revoked_at IS NULL ORDER BY created_at, id",
    )?;
    let rows = stmt.query_map(params![project_id], |r| {
        Ok(ApiKeyRecord {
            key_id: r.get(0)?,
            label: r.get(1)?,
            prefix: r.get(2)?,
            created_at: r.get(3)?,
            last_used_at: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The scope and mode of one active key of the project.
pub(super) fn rank(conn: &Connection, project_id: &str, key_id: &str) -> Result<Option<KeyRank>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT scope, mode FROM api_keys WHERE id = ?1 AND project_id = ?2 AND revoked_at IS NULL")?
        .query_row(params![key_id, project_id], |r| {
            Ok(KeyRank { scope: KeyScope::parse(&r.get::<_, String>(0)?), mode: KeyMode::parse(&r.get::<_, String>(1)?) })
        })
        .optional()?)
}

/// Revokes one active key of the project; false when there is none.
pub(super) fn revoke(conn: &Connection, project_id: &str, key_id: &str, now_ms: i64) -> Result<bool, StoreError> {
    let n = conn
        .prepare_cached("UPDATE api_keys SET revoked_at = ?3 WHERE id = ?1 AND project_id = ?2 AND revoked_at IS NULL")?
        .execute(params![key_id, project_id, now_ms])?;
    Ok(n > 0)
}

/// Revokes every active key of a project; returns their ids.
pub(super) fn revoke_all(conn: &Connection, project_id: &str, now_ms: i64) -> Result<Vec<String>, StoreError> {
    let mut stmt =
        conn.prepare_cached("UPDATE api_keys SET revoked_at = ?2 WHERE project_id = ?1 AND revoked_at IS NULL RETURNING id")?;
    let ids = stmt.query_map(params![project_id, now_ms], |r| r.get::<_, String>(0))?.collect::<Result<_, _>>()?;
    Ok(ids)
}
