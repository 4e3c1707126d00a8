//! SQLite: inbound endpoint rows and their signing keys. The HMAC secret is stored sealed
//! ([`crate::secrets`]).

use rusqlite::{Connection, OptionalExtension, params};

use crate::secrets::{SecretBox, SecretField};
use crate::store::inbound::{
    InboundEndpointListing, InboundEndpointRecord, InboundProfile, InboundSettings, InboundUpdate, NewInboundEndpoint,
    NewSigningKey, StoredInbound,
};
use crate::store::rows::{
    INBOUND_ENDPOINT_COLUMNS, INBOUND_SUMMARY_COLUMNS, STORED_INBOUND_COLUMNS, list_json, open_stored_inbound,
    read_inbound_endpoint, read_inbound_summary, read_stored_inbound,
};
use crate::store::sqlite::signing_keys;
use crate::store::{ListCursor, ListPage, SigningKeyRecord, SigningKeyWrite, StoreError};

/// An endpoint by id (any project, deleted included), its HMAC secret opened.
pub(super) fn stored_by_id(conn: &Connection, keys: &SecretBox, endpoint_id: &str) -> Result<Option<StoredInbound>, StoreError> {
    let stored = conn
        .prepare_cached(&format!("SELECT {STORED_INBOUND_COLUMNS} FROM inbound_endpoints WHERE id = ?1"))?
        .query_row(params![endpoint_id], |r| read_stored_inbound(r))
        .optional()?;
    stored.map(|s| open_stored_inbound(keys, s)).transpose()
}

/// A live endpoint of the project.
pub(super) fn live_config(
    conn: &Connection,
    keys: &SecretBox,
    project_id: &str,
    endpoint_id: &str,
) -> Result<Option<StoredInbound>, StoreError> {
    Ok(stored_by_id(conn, keys, endpoint_id)?.filter(|e| e.project_id == project_id && !e.deleted))
}

fn live_exists(conn: &Connection, project_id: &str, endpoint_id: &str) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM inbound_endpoints WHERE id = ?1 AND project_id = ?2 AND deleted_at IS NULL")?
        .query_row(params![endpoint_id, project_id], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Inserts a new endpoint and its first signing key.
pub(super) fn create(conn: &Connection, keys: &SecretBox, e: &NewInboundEndpoint) -> Result<(), StoreError> {
    let s = &e.settings;
    let hmac_secret = keys.seal_opt(SecretField::InboundHmacSecret, &e.id, s.hmac_secret.as_deref())?;
    conn.prepare_cached(
        "INSERT INTO inbound_endpoints (id, project_id, name, description, url, secret_token_hash, verify_static_token, \
         token_header_name, token_query_param, token_value_hash, verify_hmac, hmac_header_name, hmac_secret, \
         timestamp_header_name, timestamp_ttl_seconds, verify_ip_allowlist, allowed_cidrs, idempotency_header_names, \
         ingest_response_code, signing_enabled, paused, created_at, updated_at, mode, verification_preset) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, 0, ?21, ?21, ?22, ?23)",
    )?
    .execute(params![
        e.id,
        e.project_id,
        e.profile.name,
        e.profile.description,
        e.profile.url,
        e.secret_token_hash,
        s.verify_static_token,
        s.token_header_name,
        s.token_query_param,
        s.token_value_hash,
        s.verify_hmac,
        s.hmac_header_name,
        hmac_secret,
        s.timestamp_header_name,
        s.timestamp_ttl_seconds,
        s.verify_ip_allowlist,
        list_json(&s.allowed_cidrs),
        list_json(&s.idempotency_header_names),
        s.ingest_response_code,
        s.signing_enabled,
        e.created_at,
        e.profile.mode.as_str(),
        s.verification_preset.as_str(),
    ])?;
    if let Some(key) = &e.signing_key {
        signing_keys::insert(conn, keys, &e.id, &key.id, &key.secret, e.created_at)?;
    }
    Ok(())
}

/// A live endpoint as the API shows it.
pub(super) fn get(conn: &Connection, project_id: &str, endpoint_id: &str) -> Result<Option<InboundEndpointRecord>, StoreError> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {INBOUND_ENDPOINT_COLUMNS} FROM inbound_endpoints WHERE id = ?1 AND project_id = ?2 AND deleted_at IS NULL"
        ))?
        .query_row(params![endpoint_id, project_id], |r| read_inbound_endpoint(r))
        .optional()?)
}

/// A newest-first page of live endpoints.
pub(super) fn list(
    conn: &Connection,
    project_id: &str,
    limit: usize,
    after: Option<&ListCursor>,
) -> Result<ListPage<InboundEndpointListing>, StoreError> {
    let (after_ts, after_id) = match after {
        Some(c) => (Some(c.created_at), c.id.clone()),
        None => (None, String::new()),
    };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {INBOUND_SUMMARY_COLUMNS} FROM inbound_endpoints \
         WHERE project_id = ?1 AND deleted_at IS NULL \
         AND (?2 IS NULL OR created_at < ?2 OR (created_at = ?2 AND id < ?3)) \
         ORDER BY created_at DESC, id DESC LIMIT ?4"
    ))?;
    let rows = stmt.query_map(params![project_id, after_ts, after_id, limit as i64 + 1], |r| read_inbound_summary(r))?;
    Ok(ListPage::from_overfetch(rows.collect::<Result<_, _>>()?, limit))
}

/// Replaces profile and settings; adds the key when signing is on and no key is active.
#[allow(clippy::too_many_arguments)]
pub(super) fn update(
    conn: &Connection,
    keys: &SecretBox,
    project_id: &str,
    endpoint_id: &str,
    p: &InboundProfile,
    s: &InboundSettings,
    key: Option<&NewSigningKey>,
    now_ms: i64,
) -> Result<InboundUpdate, StoreError> {
    if !live_exists(conn, project_id, endpoint_id)? {
        return Ok(InboundUpdate::NotFound);
    }
    let hmac_secret = keys.seal_opt(SecretField::InboundHmacSecret, endpoint_id, s.hmac_secret.as_deref())?;
    conn.prepare_cached(
        "UPDATE inbound_endpoints SET name = ?2, description = ?3, url = ?4, verify_static_token = ?5, token_header_name = ?6, \
         token_query_param = ?7, token_value_hash = ?8, verify_hmac = ?9, hmac_header_name = ?10, hmac_secret = ?11, \
         timestamp_header_name = ?12, timestamp_ttl_seconds = ?13, verify_ip_allowlist = ?14, allowed_cidrs = ?15, \
         idempotency_header_names = ?16, ingest_response_code = ?17, signing_enabled = ?18, updated_at = ?19, mode = ?20, \
         verification_preset = ?21 \
         WHERE id = ?1",
    )?
    .execute(params![
        endpoint_id,
        p.name,
        p.description,
        p.url,
        s.verify_static_token,
        s.token_header_name,
        s.token_query_param,
        s.token_value_hash,
        s.verify_hmac,
        s.hmac_header_name,
        hmac_secret,
        s.timestamp_header_name,
        s.timestamp_ttl_seconds,
        s.verify_ip_allowlist,
        list_json(&s.allowed_cidrs),
        list_json(&s.idempotency_header_names),
        s.ingest_response_code,
        s.signing_enabled,
        now_ms,
        p.mode.as_str(),
        s.verification_preset.as_str(),
    ])?;
    let mut added = false;
    if let Some(key) = key.filter(|_| s.signing_enabled)
        && signing_keys::active_count(conn, endpoint_id)? == 0
    {
        signing_keys::insert(conn, keys, endpoint_id, &key.id, &key.secret, now_ms)?;
        added = true;
    }
    Ok(InboundUpdate::Updated(added))
}

/// Soft-deletes a live endpoint.
pub(super) fn delete(conn: &Connection, project_id: &str, endpoint_id: &str, now_ms: i64) -> Result<bool, StoreError> {
    let n = conn
        .prepare_cached(
            "UPDATE inbound_endpoints SET deleted_at = ?3, updated_at = ?3 WHERE id = ?1 AND project_id = ?2 AND deleted_at IS NULL",
        )?
        .execute(params![endpoint_id, project_id, now_ms])?;
    Ok(n > 0)
}

/// Pauses or resumes ingest; a resume re-queues messages replayed while paused.
pub(super) fn set_paused(
    conn: &Connection,
    project_id: &str,
    endpoint_id: &str,
    paused: bool,
    now_ms: i64,
) -> Result<bool, StoreError> {
    let n = conn
        .prepare_cached(
            "UPDATE inbound_endpoints SET paused = ?3, updated_at = ?4 WHERE id = ?1 AND project_id = ?2 AND deleted_at IS NULL",
        )?
        .execute(params![endpoint_id, project_id, paused, now_ms])?;
    if n > 0 && !paused {
        conn.prepare_cached(crate::store::sqlite::held::RESUME_INBOUND)?.execute(params![endpoint_id, now_ms])?;
    }
    Ok(n > 0)
}

/// Adds a signing key (at most `MAX_SIGNING_KEYS` active).
pub(super) fn create_key(
    conn: &Connection,
    keys: &SecretBox,
    project_id: &str,
    endpoint_id: &str,
    key: &NewSigningKey,
    now_ms: i64,
) -> Result<SigningKeyWrite<()>, StoreError> {
    if !live_exists(conn, project_id, endpoint_id)? {
        return Ok(SigningKeyWrite::EndpointNotFound);
    }
    signing_keys::add(conn, keys, endpoint_id, &key.id, &key.secret, now_ms)
}

/// The active keys, oldest first.
pub(super) fn list_keys(
    conn: &Connection,
    keys: &SecretBox,
    project_id: &str,
    endpoint_id: &str,
) -> Result<SigningKeyWrite<Vec<SigningKeyRecord>>, StoreError> {
    if !live_exists(conn, project_id, endpoint_id)? {
        return Ok(SigningKeyWrite::EndpointNotFound);
    }
    Ok(SigningKeyWrite::Done(signing_keys::list(conn, keys, endpoint_id)?))
}

/// Deletes a key, never the last active one.
pub(super) fn delete_key(
    conn: &Connection,
    project_id: &str,
    endpoint_id: &str,
    key_id: &str,
    now_ms: i64,
) -> Result<SigningKeyWrite<()>, StoreError> {
    if !live_exists(conn, project_id, endpoint_id)? {
        return Ok(SigningKeyWrite::EndpointNotFound);
    }
    signing_keys::delete(conn, endpoint_id, key_id, now_ms)
}
