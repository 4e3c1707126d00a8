//! PostgreSQL: inbound endpoint rows and their signing keys (shared with outbound endpoints in
//! [`super::super::signing_keys`]). The HMAC secret is stored sealed ([`crate::secrets`]).

use deadpool_postgres::{GenericClient, Transaction};
use tokio_postgres::types::ToSql;

use super::super::pg_err;
use super::super::signing_keys;
use super::super::sql::{WorkNote, all_rows, exec, opt_row};
use crate::secrets::{SecretBox, SecretField};
use crate::store::inbound::{
    InboundEndpointListing, InboundEndpointRecord, InboundProfile, InboundSettings, InboundUpdate, NewInboundEndpoint,
    NewSigningKey, StoredInbound,
};
use crate::store::rows::{
    INBOUND_ENDPOINT_COLUMNS, INBOUND_SUMMARY_COLUMNS, STORED_INBOUND_COLUMNS, list_json, open_stored_inbound,
    read_inbound_endpoint, read_inbound_summary, read_stored_inbound,
};
use crate::store::{ListCursor, ListPage, SigningKeyRecord, SigningKeyWrite, StoreError};

/// An endpoint by id (any project, deleted included), its HMAC secret opened.
pub(super) async fn stored_by_id(
    c: &impl GenericClient,
    keys: &SecretBox,
    endpoint_id: &str,
) -> Result<Option<StoredInbound>, StoreError> {
    let sql = format!("SELECT {STORED_INBOUND_COLUMNS} FROM inbound_endpoints WHERE id = $1");
    let Some(row) = opt_row(c, &sql, &[&endpoint_id]).await? else { return Ok(None) };
    open_stored_inbound(keys, read_stored_inbound(&row).map_err(pg_err)?).map(Some)
}

/// Whether the project has this live endpoint; `lock` also locks its row until the
/// transaction ends (an update, or a key change, waits for a concurrent one).
async fn live_exists(c: &impl GenericClient, project_id: &str, endpoint_id: &str, lock: bool) -> Result<bool, StoreError> {
    let sql = if lock {
        "SELECT 1 FROM inbound_endpoints WHERE id = $1 AND project_id = $2 AND deleted_at IS NULL FOR UPDATE"
    } else {
        "SELECT 1 FROM inbound_endpoints WHERE id = $1 AND project_id = $2 AND deleted_at IS NULL"
    };
    Ok(opt_row(c, sql, &[&endpoint_id, &project_id]).await?.is_some())
}

/// The stored form of the settings: the sealed HMAC secret, the JSON lists and the preset.
struct StoredSettings {
    hmac_secret: Option<String>,
    verification_preset: &'static str,
    allowed_cidrs: String,
    idempotency_header_names: String,
}

impl StoredSettings {
    fn new(keys: &SecretBox, endpoint_id: &str, s: &InboundSettings) -> Result<Self, StoreError> {
        Ok(StoredSettings {
            hmac_secret: keys.seal_opt(SecretField::InboundHmacSecret, endpoint_id, s.hmac_secret.as_deref())?,
            verification_preset: s.verification_preset.as_str(),
            allowed_cidrs: list_json(&s.allowed_cidrs),
            idempotency_header_names: list_json(&s.idempotency_header_names),
        })
    }

    /// The 15 settings parameters, in the column order of [`SETTINGS_COLUMNS`].
    fn params<'a>(&'a self, s: &'a InboundSettings) -> [&'a (dyn ToSql + Sync); 15] {
        [
            &s.verify_static_token,
            &s.token_header_name,
            &s.token_query_param,
            &s.token_value_hash,
            &s.verify_hmac,
            &s.hmac_header_name,
            &self.hmac_secret,
            &s.timestamp_header_name,
            &s.timestamp_ttl_seconds,
            &s.verify_ip_allowlist,
            &self.allowed_cidrs,
            &self.idempotency_header_names,
            &s.ingest_response_code,
            &s.signing_enabled,
            &self.verification_preset,
        ]
    }
}

/// The settings columns, in the order of [`StoredSettings::params`].
const SETTINGS_COLUMNS: [&str; 15] = [
    "verify_static_token",
    "token_header_name",
    "token_query_param",
    "token_value_hash",
    "verify_hmac",
    "hmac_header_name",
    "hmac_secret",
    "timestamp_header_name",
    "timestamp_ttl_seconds",
    "verify_ip_allowlist",
    "allowed_cidrs",
    "idempotency_header_names",
    "ingest_response_code",
    "signing_enabled",
    "verification_preset",
];

/// Inserts a new endpoint and its first signing key.
pub(super) async fn create(tx: &Transaction<'_>, keys: &SecretBox, e: &NewInboundEndpoint) -> Result<(), StoreError> {
    let stored = StoredSettings::new(keys, &e.id, &e.settings)?;
    let mode = e.profile.mode.as_str();
    let mut params: Vec<&(dyn ToSql + Sync)> =
        vec![&e.id, &e.project_id, &e.profile.name, &e.profile.description, &e.profile.url, &mode, &e.secret_token_hash];
    params.extend(stored.params(&e.settings));
    params.push(&e.created_at);
    let created = params.len();
    let placeholders: Vec<String> = (1..=params.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "INSERT INTO inbound_endpoints (id, project_id, name, description, url, mode, secret_token_hash, {}, created_at, updated_at, \
         paused) VALUES ({}, ${created}, FALSE)",
        SETTINGS_COLUMNS.join(", "),
        placeholders.join(", "),
    );
    exec(tx, &sql, &params).await?;
    if let Some(key) = &e.signing_key {
        signing_keys::insert(tx, keys, &e.id, &key.id, &key.secret, e.created_at).await?;
    }
    Ok(())
}

/// A live endpoint as the API shows it.
pub(super) async fn get(
    c: &impl GenericClient,
    project_id: &str,
    endpoint_id: &str,
) -> Result<Option<InboundEndpointRecord>, StoreError> {
    let sql = format!(
        "SELECT {INBOUND_ENDPOINT_COLUMNS} FROM inbound_endpoints WHERE id = $1 AND project_id = $2 AND deleted_at IS NULL"
    );
    opt_row(c, &sql, &[&endpoint_id, &project_id]).await?.map(|r| read_inbound_endpoint(&r).map_err(pg_err)).transpose()
}

/// A newest-first page of live endpoints.
pub(super) async fn list(
    c: &impl GenericClient,
    project_id: &str,
    limit: usize,
    after: Option<&ListCursor>,
) -> Result<ListPage<InboundEndpointListing>, StoreError> {
    let (after_ts, after_id) = (after.map(|c| c.created_at), after.map(|c| c.id.as_str()).unwrap_or_default());
    let fetch = i64::try_from(limit).unwrap_or(i64::MAX - 1).saturating_add(1);
    let sql = format!(
        "SELECT {INBOUND_SUMMARY_COLUMNS} FROM inbound_endpoints WHERE project_id = $1 AND deleted_at IS NULL \
         AND ($2::BIGINT IS NULL OR created_at < $2 OR (created_at = $2 AND id < $3)) \
         ORDER BY created_at DESC, id DESC LIMIT $4"
    );
    let rows = all_rows(c, &sql, &[&project_id, &after_ts, &after_id, &fetch]).await?;
    let items = rows.iter().map(|r| read_inbound_summary(r).map_err(pg_err)).collect::<Result<_, _>>()?;
    Ok(ListPage::from_overfetch(items, limit))
}

/// Replaces profile and settings; adds the key when signing is on and no key is active.
#[allow(clippy::too_many_arguments)]
pub(super) async fn update(
    tx: &Transaction<'_>,
    keys: &SecretBox,
    project_id: &str,
    endpoint_id: &str,
    p: &InboundProfile,
    s: &InboundSettings,
    key: Option<&NewSigningKey>,
    now_ms: i64,
) -> Result<InboundUpdate, StoreError> {
    if !live_exists(tx, project_id, endpoint_id, true).await? {
        return Ok(InboundUpdate::NotFound);
    }
    let stored = StoredSettings::new(keys, endpoint_id, s)?;
    let mode = p.mode.as_str();
    let mut params: Vec<&(dyn ToSql + Sync)> = vec![&endpoint_id, &p.name, &p.description, &p.url, &mode];
    params.extend(stored.params(s));
    params.push(&now_ms);
    let assignments: Vec<String> = ["name", "description", "url", "mode"]
        .iter()
        .chain(&SETTINGS_COLUMNS)
        .enumerate()
        .map(|(i, c)| format!("{c} = ${}", i + 2))
        .collect();
    let sql = format!("UPDATE inbound_endpoints SET {}, updated_at = ${} WHERE id = $1", assignments.join(", "), params.len());
    exec(tx, &sql, &params).await?;
    // The endpoint row is locked: a concurrent update waits, so only one adds the first key.
    let mut added = false;
    if let Some(key) = key.filter(|_| s.signing_enabled)
        && signing_keys::list(tx, keys, endpoint_id).await?.is_empty()
    {
        signing_keys::insert(tx, keys, endpoint_id, &key.id, &key.secret, now_ms).await?;
        added = true;
    }
    Ok(InboundUpdate::Updated(added))
}

/// Soft-deletes a live endpoint.
pub(super) async fn delete(c: &impl GenericClient, project_id: &str, endpoint_id: &str, now_ms: i64) -> Result<bool, StoreError> {
    let n = exec(
        c,
        "UPDATE inbound_endpoints SET deleted_at = $3, updated_at = $3 WHERE id = $1 AND project_id = $2 AND deleted_at IS NULL",
        &[&endpoint_id, &project_id, &now_ms],
    )
    .await?;
    Ok(n > 0)
}

/// Pauses or resumes ingest; a resume re-queues messages replayed while paused and marks
/// `note`, so the delivery engines are woken once it commits.
pub(super) async fn set_paused(
    tx: &Transaction<'_>,
    project_id: &str,
    endpoint_id: &str,
    paused: bool,
    now_ms: i64,
    note: &WorkNote,
) -> Result<bool, StoreError> {
    let n = exec(
        tx,
        "UPDATE inbound_endpoints SET paused = $3, updated_at = $4 WHERE id = $1 AND project_id = $2 AND deleted_at IS NULL",
        &[&endpoint_id, &project_id, &paused, &now_ms],
    )
    .await?;
    if n > 0 && !paused {
        let requeued = exec(
            tx,
            "UPDATE messages SET status = 'queued', next_attempt_at = $2, updated_at = $2 \
             WHERE endpoint_id = $1 AND direction = 'inbound' AND status = 'paused'",
            &[&endpoint_id, &now_ms],
        )
        .await?;
        if requeued > 0 {
            note.mark();
        }
    }
    Ok(n > 0)
}

/// Adds a signing key (at most `MAX_SIGNING_KEYS` active).
pub(super) async fn create_key(
    tx: &Transaction<'_>,
    keys: &SecretBox,
    project_id: &str,
    endpoint_id: &str,
    key: &NewSigningKey,
    now_ms: i64,
) -> Result<SigningKeyWrite<()>, StoreError> {
    if !live_exists(tx, project_id, endpoint_id, false).await? {
        return Ok(SigningKeyWrite::EndpointNotFound);
    }
    signing_keys::add(tx, keys, endpoint_id, &key.id, &key.secret, now_ms).await
}

/// The active keys, oldest first.
pub(super) async fn list_keys(
    c: &impl GenericClient,
    keys: &SecretBox,
    project_id: &str,
    endpoint_id: &str,
) -> Result<SigningKeyWrite<Vec<SigningKeyRecord>>, StoreError> {
    if !live_exists(c, project_id, endpoint_id, false).await? {
        return Ok(SigningKeyWrite::EndpointNotFound);
    }
    Ok(SigningKeyWrite::Done(signing_keys::list(c, keys, endpoint_id).await?))
}

/// Deletes a key, never the last active one.
pub(super) async fn delete_key(
    tx: &Transaction<'_>,
    project_id: &str,
    endpoint_id: &str,
    key_id: &str,
    now_ms: i64,
) -> Result<SigningKeyWrite<()>, StoreError> {
    if !live_exists(tx, project_id, endpoint_id, false).await? {
        return Ok(SigningKeyWrite::EndpointNotFound);
    }
    signing_keys::delete(tx, endpoint_id, key_id, now_ms).await
}
