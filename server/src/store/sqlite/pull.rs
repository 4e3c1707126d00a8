//! SQLite implementation of [`PullStore`]: pull endpoint rows and their events. The HMAC secret
//! is stored sealed; the dedupe key is settled by the unique index `pull_events_idempotency`
//! and the replay guard by `inbound_signatures`, shared with inbound endpoints.

use rusqlite::{Connection, OptionalExtension, ToSql, params, params_from_iter};

use super::SqliteStore;
use super::inbound::traffic::{is_unique_violation, remember_signature, replayed};
use super::message_queries::sql_args;
use crate::domain::pull::{PullEventStatus, retention_cutoff};
use crate::secrets::SecretBox;
use crate::store::inbound::{InboundSettings, IngestOutcome, ReplayGuard};
use crate::store::list_query::{Dialect, ListQuery};
use crate::store::pull::{
    NewPullEndpoint, NewPullEvent, PullCounts, PullDeletion, PullEndpointRecord, PullEventFilter, PullEventRead, PullEventRecord,
    PullProfile, PullStore,
};
use crate::store::pull_rows::{
    PULL_ENDPOINT_COLUMNS, PULL_EVENT_COLUMNS, PullEventRow, StoredPullSettings, fold_series, open_pull_endpoint,
    read_pull_endpoint, series_sql,
};
use crate::store::{ListCursor, ListPage, StoreError};

fn by_id(conn: &Connection, keys: &SecretBox, id: &str) -> Result<Option<PullEndpointRecord>, StoreError> {
    let row = conn
        .prepare_cached(&format!("SELECT {PULL_ENDPOINT_COLUMNS} FROM pull_endpoints WHERE id = ?1"))?
        .query_row(params![id], |r| read_pull_endpoint(r))
        .optional()?;
    row.map(|(_, e)| open_pull_endpoint(keys, e)).transpose()
}

fn live(conn: &Connection, keys: &SecretBox, project: &str, id: &str) -> Result<Option<PullEndpointRecord>, StoreError> {
    Ok(by_id(conn, keys, id)?.filter(|e| e.project_id == project && !e.deleted))
}

/// The 18 profile and settings parameters, in the column order of the create and update
/// statements (`name` … `ingest_response_code`).
fn settings_params<'a>(st: &'a StoredPullSettings, p: &'a PullProfile, s: &'a InboundSettings) -> [&'a dyn ToSql; 18] {
    [
        &p.name,
        &p.description,
        &p.retention_days,
        &st.source,
        &p.event_type_path,
        &s.verify_static_token,
        &s.token_header_name,
        &s.token_query_param,
        &s.token_value_hash,
        &s.verify_hmac,
        &s.hmac_header_name,
        &st.hmac_secret,
        &s.timestamp_header_name,
        &s.timestamp_ttl_seconds,
        &s.verify_ip_allowlist,
        &st.allowed_cidrs,
        &st.idempotency_header_names,
        &s.ingest_response_code,
    ]
}

fn create(conn: &Connection, keys: &SecretBox, e: &NewPullEndpoint) -> Result<(), StoreError> {
    let stored = StoredPullSettings::new(keys, &e.id, &e.profile, &e.settings)?;
    let mut values: Vec<&dyn ToSql> = vec![&e.id, &e.project_id];
    values.extend(settings_params(&stored, &e.profile, &e.settings));
    values.extend([&e.secret_token_hash as &dyn ToSql, &e.created_at]);
    conn.prepare_cached(
        "INSERT INTO pull_endpoints (id, project_id, name, description, retention_days, event_type_source, \
         event_type_path, verify_static_token, token_header_name, token_query_param, token_value_hash, verify_hmac, \
         hmac_header_name, hmac_secret, timestamp_header_name, timestamp_ttl_seconds, verify_ip_allowlist, \
         allowed_cidrs, idempotency_header_names, ingest_response_code, secret_token_hash, paused, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, 0, ?22, ?22)",
    )?
    .execute(values.as_slice())?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn update(
    conn: &Connection,
    keys: &SecretBox,
    project: &str,
    id: &str,
    p: &PullProfile,
    s: &InboundSettings,
    now_ms: i64,
) -> Result<bool, StoreError> {
    let stored = StoredPullSettings::new(keys, id, p, s)?;
    let mut values: Vec<&dyn ToSql> = vec![&id, &project];
    values.extend(settings_params(&stored, p, s));
    values.push(&now_ms);
    let n = conn
        .prepare_cached(
            "UPDATE pull_endpoints SET name = ?3, description = ?4, retention_days = ?5, event_type_source = ?6, \
             event_type_path = ?7, verify_static_token = ?8, token_header_name = ?9, token_query_param = ?10, \
             token_value_hash = ?11, verify_hmac = ?12, hmac_header_name = ?13, hmac_secret = ?14, \
             timestamp_header_name = ?15, timestamp_ttl_seconds = ?16, verify_ip_allowlist = ?17, allowed_cidrs = ?18, \
             idempotency_header_names = ?19, ingest_response_code = ?20, updated_at = ?21 \
             WHERE id = ?1 AND project_id = ?2 AND deleted_at IS NULL",
        )?
        .execute(values.as_slice())?;
    Ok(n > 0)
}

fn original_by_key(conn: &Connection, endpoint_id: &str, key: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT id FROM pull_events WHERE pull_endpoint_id = ?1 AND idempotency_key = ?2")?
        .query_row(params![endpoint_id, key], |r| r.get(0))
        .optional()?)
}

fn accept(conn: &Connection, e: &NewPullEvent, guard: Option<&ReplayGuard>) -> Result<IngestOutcome, StoreError> {
    let open = conn
        .prepare_cached("SELECT 1 FROM pull_endpoints WHERE id = ?1 AND project_id = ?2 AND deleted_at IS NULL AND paused = 0")?
        .query_row(params![e.pull_endpoint_id, e.project_id], |_| Ok(()))
        .optional()?;
    if open.is_none() {
        return Ok(IngestOutcome::Unavailable);
    }
    if let Some(key) = &e.idempotency_key
        && let Some(original) = original_by_key(conn, &e.pull_endpoint_id, key)?
    {
        return Ok(IngestOutcome::Duplicate(original));
    }
    if let Some(guard) = guard
        && replayed(conn, &e.pull_endpoint_id, guard, e.received_at)?
    {
        return Ok(IngestOutcome::Replayed);
    }
    let inserted = conn
        .prepare_cached(
            "INSERT INTO pull_events (id, project_id, pull_endpoint_id, event_type, status, content_type, headers_json, \
             payload, payload_sha256, size_bytes, idempotency_key, received_at, ingest_ms) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        )?
        .execute(params![
            e.id,
            e.project_id,
            e.pull_endpoint_id,
            e.event_type,
            PullEventStatus::Stored.as_str(),
            e.content_type,
            e.headers_json,
            e.payload,
            e.payload_sha256,
            e.payload.len() as i64,
            e.idempotency_key,
            e.received_at,
            e.ingest_ms,
        ]);
    match inserted {
        Ok(_) => {
            if let Some(guard) = guard {
                remember_signature(conn, &e.pull_endpoint_id, &e.id, guard)?;
            }
            Ok(IngestOutcome::Accepted)
        }
        Err(err) if is_unique_violation(&err) => match &e.idempotency_key {
            Some(key) => {
                Ok(original_by_key(conn, &e.pull_endpoint_id, key)?.map_or(IngestOutcome::Unavailable, IngestOutcome::Duplicate))
            }
            None => Err(err.into()),
        },
        Err(err) => Err(err.into()),
    }
}

fn event(conn: &Connection, project: &str, endpoint: &str, id: &str) -> Result<Option<PullEventRecord>, StoreError> {
    let row = conn
        .prepare_cached(&format!(
            "SELECT {PULL_EVENT_COLUMNS} FROM pull_events WHERE id = ?1 AND project_id = ?2 AND pull_endpoint_id = ?3"
        ))?
        .query_row(params![id, project, endpoint], |r| PullEventRow::read(r))
        .optional()?;
    row.map(PullEventRow::record).transpose()
}

fn list_events(conn: &Connection, f: &PullEventFilter) -> Result<ListPage<PullEventRecord>, StoreError> {
    let q = ListQuery::pull_events(Dialect::Sqlite, PULL_EVENT_COLUMNS, f);
    let mut stmt = conn.prepare_cached(&q.sql)?;
    let rows = stmt.query_map(params_from_iter(sql_args(&q)), |r| PullEventRow::read(r))?;
    let rows = rows.map(|row| row?.listed()).collect::<Result<_, StoreError>>()?;
    Ok(ListPage::from_overfetch(rows, f.limit))
}

fn read_event(
    conn: &Connection,
    project: &str,
    endpoint: &str,
    id: &str,
    preview: bool,
    now_ms: i64,
) -> Result<Option<PullEventRead>, StoreError> {
    let Some(mut record) = event(conn, project, endpoint, id)? else { return Ok(None) };
    if let Some(next) = record.status.after_read(preview, record.deleted_at.is_some()) {
        conn.prepare_cached("UPDATE pull_events SET status = ?2, fetched_at = COALESCE(fetched_at, ?3) WHERE id = ?1")?
            .execute(params![id, next.as_str(), now_ms])?;
        record.status = next;
        record.fetched_at = record.fetched_at.or(Some(now_ms));
    }
    let payload: Option<Vec<u8>> =
        conn.prepare_cached("SELECT payload FROM pull_events WHERE id = ?1")?.query_row(params![id], |r| r.get(0))?;
    Ok(Some((record, payload)))
}

fn ack(conn: &Connection, project: &str, endpoint: &str, ids: &[String], now_ms: i64) -> Result<usize, StoreError> {
    let mut moved = 0;
    for id in ids {
        let Some(record) = event(conn, project, endpoint, id)? else { continue };
        if record.status.ack_applies(record.deleted_at.is_some()) {
            conn.prepare_cached("UPDATE pull_events SET status = ?2, delivered_at = ?3 WHERE id = ?1")?.execute(params![
                id,
                PullEventStatus::Delivered.as_str(),
                now_ms
            ])?;
            moved += 1;
        }
    }
    Ok(moved)
}

fn delete_events(
    conn: &Connection,
    project: &str,
    endpoint: &str,
    ids: &[String],
    api_key_id: Option<&str>,
    now_ms: i64,
) -> Result<Vec<PullDeletion>, StoreError> {
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        out.push(match event(conn, project, endpoint, id)? {
            None => PullDeletion::NotFound,
            Some(PullEventRecord { deleted_at: Some(at), .. }) => PullDeletion::AlreadyDeleted(at),
            Some(_) => {
                conn.prepare_cached(
                    "UPDATE pull_events SET payload = NULL, idempotency_key = NULL, deleted_at = ?2, \
                     deleted_by_api_key_id = ?3 WHERE id = ?1",
                )?
                .execute(params![id, now_ms, api_key_id])?;
                PullDeletion::Deleted(now_ms)
            }
        });
    }
    Ok(out)
}

fn series(
    conn: &Connection,
    project: &str,
    endpoint: Option<&str>,
    first: i64,
    width: i64,
    count: usize,
) -> Result<Vec<PullCounts>, StoreError> {
    let end = first.saturating_add(width.saturating_mul(count as i64));
    let mut stmt = conn.prepare_cached(&series_sql(|n| format!("?{n}")))?;
    let rows = stmt.query_map(params![project, first, width.max(1), end, endpoint], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?, r.get::<_, i64>(3)?))
    })?;
    Ok(fold_series(rows.collect::<Result<Vec<_>, _>>()?, count))
}

fn purge(conn: &Connection, now_ms: i64) -> Result<u64, StoreError> {
    let endpoints: Vec<(String, i64)> = conn
        .prepare_cached("SELECT id, retention_days FROM pull_endpoints")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut purged = 0u64;
    for (id, days) in endpoints {
        let n = conn
            .prepare_cached("DELETE FROM pull_events WHERE pull_endpoint_id = ?1 AND received_at < ?2")?
            .execute(params![id, retention_cutoff(now_ms, days)])?;
        purged = purged.saturating_add(n as u64);
    }
    Ok(purged)
}

#[async_trait::async_trait]
impl PullStore for SqliteStore {
    async fn create_pull_endpoint(&self, endpoint: NewPullEndpoint) -> Result<(), StoreError> {
        let keys = self.secrets();
        self.write(move |conn| create(conn, &keys, &endpoint)).await
    }

    async fn get_pull_endpoint(&self, project_id: &str, endpoint_id: &str) -> Result<Option<PullEndpointRecord>, StoreError> {
        let (project, id, keys) = (project_id.to_owned(), endpoint_id.to_owned(), self.secrets());
        self.read(move |conn| live(conn, &keys, &project, &id)).await
    }

    async fn list_pull_endpoints(
        &self,
        project_id: &str,
        limit: usize,
        after: Option<ListCursor>,
    ) -> Result<ListPage<PullEndpointRecord>, StoreError> {
        let (project, keys) = (project_id.to_owned(), self.secrets());
        self.read(move |conn| {
            let (after_ts, after_id) = after.map_or((None, String::new()), |c| (Some(c.created_at), c.id));
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {PULL_ENDPOINT_COLUMNS} FROM pull_endpoints WHERE project_id = ?1 AND deleted_at IS NULL \
                 AND (?2 IS NULL OR created_at < ?2 OR (created_at = ?2 AND id < ?3)) \
                 ORDER BY created_at DESC, id DESC LIMIT ?4"
            ))?;
            let rows = stmt.query_map(params![project, after_ts, after_id, limit as i64 + 1], |r| read_pull_endpoint(r))?;
            let rows = rows
                .map(|row| {
                    let (cursor, e) = row?;
                    Ok((cursor, open_pull_endpoint(&keys, e)?))
                })
                .collect::<Result<_, StoreError>>()?;
            Ok(ListPage::from_overfetch(rows, limit))
        })
        .await
    }

    async fn update_pull_endpoint(
        &self,
        project_id: &str,
        endpoint_id: &str,
        profile: PullProfile,
        settings: InboundSettings,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let (project, id, keys) = (project_id.to_owned(), endpoint_id.to_owned(), self.secrets());
        self.write(move |conn| update(conn, &keys, &project, &id, &profile, &settings, now_ms)).await
    }

    async fn delete_pull_endpoint(&self, project_id: &str, endpoint_id: &str, now_ms: i64) -> Result<bool, StoreError> {
        let (project, id) = (project_id.to_owned(), endpoint_id.to_owned());
        self.write(move |conn| {
            let n = conn
                .prepare_cached(
                    "UPDATE pull_endpoints SET deleted_at = ?3, updated_at = ?3 \
                     WHERE id = ?1 AND project_id = ?2 AND deleted_at IS NULL",
                )?
                .execute(params![id, project, now_ms])?;
            Ok(n > 0)
        })
        .await
    }

    async fn set_pull_paused(&self, project_id: &str, endpoint_id: &str, paused: bool, now_ms: i64) -> Result<bool, StoreError> {
        let (project, id) = (project_id.to_owned(), endpoint_id.to_owned());
        self.write(move |conn| {
            let n = conn
                .prepare_cached(
                    "UPDATE pull_endpoints SET paused = ?3, updated_at = ?4 WHERE id = ?1 AND project_id = ?2 AND deleted_at IS NULL",
                )?
                .execute(params![id, project, paused, now_ms])?;
            Ok(n > 0)
        })
        .await
    }

    async fn pull_ingest_target(&self, endpoint_id: &str) -> Result<Option<PullEndpointRecord>, StoreError> {
        let (id, keys) = (endpoint_id.to_owned(), self.secrets());
        self.read(move |conn| by_id(conn, &keys, &id)).await
    }

    async fn accept_pull_event(
        &self,
        event: NewPullEvent,
        replay_guard: Option<ReplayGuard>,
    ) -> Result<IngestOutcome, StoreError> {
        self.write(move |conn| accept(conn, &event, replay_guard.as_ref())).await
    }

    async fn list_pull_events(&self, filter: PullEventFilter) -> Result<ListPage<PullEventRecord>, StoreError> {
        self.read(move |conn| list_events(conn, &filter)).await
    }

    async fn read_pull_event(
        &self,
        project_id: &str,
        endpoint_id: &str,
        event_id: &str,
        preview: bool,
        now_ms: i64,
    ) -> Result<Option<PullEventRead>, StoreError> {
        let (project, endpoint, id) = (project_id.to_owned(), endpoint_id.to_owned(), event_id.to_owned());
        if preview {
            return self.read(move |conn| read_event(conn, &project, &endpoint, &id, true, now_ms)).await;
        }
        self.write(move |conn| read_event(conn, &project, &endpoint, &id, false, now_ms)).await
    }

    async fn ack_pull_events(
        &self,
        project_id: &str,
        endpoint_id: &str,
        event_ids: Vec<String>,
        now_ms: i64,
    ) -> Result<usize, StoreError> {
        let (project, endpoint) = (project_id.to_owned(), endpoint_id.to_owned());
        self.write(move |conn| ack(conn, &project, &endpoint, &event_ids, now_ms)).await
    }

    async fn delete_pull_events(
        &self,
        project_id: &str,
        endpoint_id: &str,
        event_ids: Vec<String>,
        api_key_id: Option<String>,
        now_ms: i64,
    ) -> Result<Vec<PullDeletion>, StoreError> {
        let (project, endpoint) = (project_id.to_owned(), endpoint_id.to_owned());
        self.write(move |conn| delete_events(conn, &project, &endpoint, &event_ids, api_key_id.as_deref(), now_ms)).await
    }

    async fn pull_series(
        &self,
        project_id: &str,
        endpoint_id: Option<String>,
        first_ms: i64,
        width_ms: i64,
        count: usize,
    ) -> Result<Vec<PullCounts>, StoreError> {
        let project = project_id.to_owned();
        self.read(move |conn| series(conn, &project, endpoint_id.as_deref(), first_ms, width_ms, count)).await
    }

    async fn purge_expired_pull_events(&self, now_ms: i64) -> Result<u64, StoreError> {
        self.write(move |conn| purge(conn, now_ms)).await
    }
}
