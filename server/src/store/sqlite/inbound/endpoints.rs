//! SQLite: inbound endpoint rows and their signing keys. The HMAC secret is stored sealed
//! ([`crate::secrets`]).

use hookbridge::{InboundEndpoint, InboundEndpointSummary, SigningKey};
use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::clock::timestamp;
use crate::secrets::{SecretBox, SecretField};
use crate::store::inbound::{InboundProfile, InboundSettings, InboundUpdate, NewInboundEndpoint, NewSigningKey, StoredInbound};
use crate::store::sqlite::signing_keys;
use crate::store::{ListCursor, ListPage, SigningKeyWrite, StoreError};

/// Columns read by [`stored_from_row`], in order.
const STORED_COLUMNS: &str = "id, project_id, name, description, url, secret_token_hash, verify_static_token, token_header_name, \
     token_query_param, token_value_hash, verify_hmac, hmac_header_name, hmac_secret, timestamp_header_name, \
     timestamp_ttl_seconds, verify_ip_allowlist, allowed_cidrs, idempotency_header_names, ingest_response_code, \
     signing_enabled, paused, deleted_at IS NOT NULL";

fn json_list(text: Option<String>) -> Vec<String> {
    text.and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default()
}

fn list_json(list: &[String]) -> String {
    serde_json::to_string(list).unwrap_or_else(|_| "[]".into())
}

fn stored_from_row(r: &Row<'_>) -> rusqlite::Result<StoredInbound> {
    Ok(StoredInbound {
        id: r.get(0)?,
        project_id: r.get(1)?,
        profile: InboundProfile { name: r.get(2)?, description: r.get(3)?, url: r.get(4)? },
        secret_token_hash: r.get(5)?,
        settings: InboundSettings {
            verify_static_token: r.get(6)?,
            token_header_name: r.get(7)?,
            token_query_param: r.get(8)?,
            token_value_hash: r.get(9)?,
            verify_hmac: r.get(10)?,
            hmac_header_name: r.get(11)?,
            hmac_secret: r.get(12)?,
            timestamp_header_name: r.get(13)?,
            timestamp_ttl_seconds: r.get(14)?,
            verify_ip_allowlist: r.get(15)?,
            allowed_cidrs: json_list(r.get(16)?),
            idempotency_header_names: json_list(r.get(17)?),
            ingest_response_code: r.get(18)?,
            signing_enabled: r.get(19)?,
        },
        paused: r.get(20)?,
        deleted: r.get(21)?,
    })
}

/// An endpoint by id (any project, deleted included), its HMAC secret opened.
pub(super) fn stored_by_id(conn: &Connection, keys: &SecretBox, endpoint_id: &str) -> Result<Option<StoredInbound>, StoreError> {
    let stored = conn
        .prepare_cached(&format!("SELECT {STORED_COLUMNS} FROM inbound_endpoints WHERE id = ?1"))?
        .query_row(params![endpoint_id], stored_from_row)
        .optional()?;
    let Some(mut stored) = stored else { return Ok(None) };
    stored.settings.hmac_secret =
        keys.open_opt(SecretField::InboundHmacSecret, endpoint_id, stored.settings.hmac_secret.as_deref())?;
    Ok(Some(stored))
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
         ingest_response_code, signing_enabled, paused, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, 0, ?21, ?21)",
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
    ])?;
    if let Some(key) = &e.signing_key {
        signing_keys::insert(conn, keys, &e.id, &key.id, &key.secret, e.created_at)?;
    }
    Ok(())
}

/// A live endpoint as the API shows it.
pub(super) fn get(conn: &Connection, project_id: &str, endpoint_id: &str) -> Result<Option<InboundEndpoint>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT id, name, url, paused, verify_static_token, verify_hmac, verify_ip_allowlist, ingest_response_code, \
             idempotency_header_names, signing_enabled, created_at, updated_at, description FROM inbound_endpoints \
             WHERE id = ?1 AND project_id = ?2 AND deleted_at IS NULL",
        )?
        .query_row(params![endpoint_id, project_id], |r| {
            Ok(InboundEndpoint {
                id: r.get(0)?,
                name: r.get(1)?,
                url: r.get(2)?,
                active: true,
                paused: r.get(3)?,
                verify_static_token: r.get(4)?,
                verify_hmac: r.get(5)?,
                verify_ip_allowlist: r.get(6)?,
                ingest_response_code: r.get(7)?,
                idempotency_header_names: json_list(r.get(8)?),
                signing_enabled: r.get(9)?,
                created_at: timestamp(r.get(10)?),
                updated_at: timestamp(r.get(11)?),
                description: r.get(12)?,
            })
        })
        .optional()?)
}

/// A newest-first page of live endpoints.
pub(super) fn list(
    conn: &Connection,
    project_id: &str,
    limit: usize,
    after: Option<&ListCursor>,
) -> Result<ListPage<InboundEndpointSummary>, StoreError> {
    let (after_ts, after_id) = match after {
        Some(c) => (Some(c.created_at), c.id.clone()),
        None => (None, String::new()),
    };
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, url, paused, created_at FROM inbound_endpoints \
         WHERE project_id = ?1 AND deleted_at IS NULL \
         AND (?2 IS NULL OR created_at < ?2 OR (created_at = ?2 AND id < ?3)) \
         ORDER BY created_at DESC, id DESC LIMIT ?4",
    )?;
    let rows = stmt.query_map(params![project_id, after_ts, after_id, limit as i64 + 1], |r| {
        Ok((
            r.get::<_, i64>(4)?,
            InboundEndpointSummary {
                id: r.get(0)?,
                name: r.get(1)?,
                url: r.get(2)?,
                active: true,
                paused: r.get(3)?,
                created_at: timestamp(r.get(4)?),
            },
        ))
    })?;
    let mut items: Vec<(i64, InboundEndpointSummary)> = rows.collect::<Result<_, _>>()?;
    let next = if items.len() > limit {
        items.truncate(limit);
        items.last().map(|(ts, e)| ListCursor { created_at: *ts, id: e.id.clone() })
    } else {
        None
    };
    Ok(ListPage { items: items.into_iter().map(|(_, e)| e).collect(), next })
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
         idempotency_header_names = ?16, ingest_response_code = ?17, signing_enabled = ?18, updated_at = ?19 WHERE id = ?1",
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
        conn.prepare_cached(
            "UPDATE messages SET status = 'queued', next_attempt_at = ?2, updated_at = ?2 \
             WHERE endpoint_id = ?1 AND direction = 'inbound' AND status = 'paused'",
        )?
        .execute(params![endpoint_id, now_ms])?;
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
) -> Result<SigningKeyWrite<Vec<SigningKey>>, StoreError> {
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
