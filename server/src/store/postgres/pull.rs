//! PostgreSQL implementation of [`PullStore`]. Events of one endpoint are changed under row
//! locks (`FOR UPDATE`), ingest holds the endpoint row `FOR SHARE` (a concurrent pause or
//! delete waits), the dedupe key is settled by the unique index `pull_events_idempotency` and
//! the replay guard by `inbound_signatures`, so several nodes on one database agree.

use deadpool_postgres::{GenericClient, Transaction};
use tokio_postgres::types::ToSql;

use super::inbound::traffic::remember_signature;
use super::sql::{all_rows, commit, exec, list_rows, opt_row};
use super::{PgStore, pg_err};
use crate::domain::pull::{PullEventStatus, retention_cutoff};
use crate::secrets::SecretBox;
use crate::store::columns::Columns;
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

async fn by_id(c: &impl GenericClient, keys: &SecretBox, id: &str) -> Result<Option<PullEndpointRecord>, StoreError> {
    let sql = format!("SELECT {PULL_ENDPOINT_COLUMNS} FROM pull_endpoints WHERE id = $1");
    let Some(row) = opt_row(c, &sql, &[&id]).await? else { return Ok(None) };
    let (_, e) = read_pull_endpoint(&row).map_err(pg_err)?;
    open_pull_endpoint(keys, e).map(Some)
}

/// The 18 profile and settings parameters, in the column order of the create and update
/// statements (`name` … `ingest_response_code`).
fn settings_params<'a>(st: &'a StoredPullSettings, p: &'a PullProfile, s: &'a InboundSettings) -> [&'a (dyn ToSql + Sync); 18] {
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

async fn event(
    c: &impl GenericClient,
    project: &str,
    endpoint: &str,
    id: &str,
    lock: bool,
) -> Result<Option<PullEventRecord>, StoreError> {
    let mut sql =
        format!("SELECT {PULL_EVENT_COLUMNS} FROM pull_events WHERE id = $1 AND project_id = $2 AND pull_endpoint_id = $3");
    if lock {
        sql.push_str(" FOR UPDATE");
    }
    let Some(row) = opt_row(c, &sql, &[&id, &project, &endpoint]).await? else { return Ok(None) };
    PullEventRow::read(&row).map_err(pg_err)?.record().map(Some)
}

async fn original(tx: &Transaction<'_>, e: &NewPullEvent) -> Result<Option<String>, StoreError> {
    let Some(key) = &e.idempotency_key else { return Ok(None) };
    let row = opt_row(
        tx,
        "SELECT id FROM pull_events WHERE pull_endpoint_id = $1 AND idempotency_key = $2",
        &[&e.pull_endpoint_id, key],
    )
    .await?;
    row.map(|r| r.text(0).map_err(pg_err)).transpose()
}

async fn accept(tx: &Transaction<'_>, e: &NewPullEvent, guard: Option<&ReplayGuard>) -> Result<IngestOutcome, StoreError> {
    let open = opt_row(
        tx,
        "SELECT 1 FROM pull_endpoints WHERE id = $1 AND project_id = $2 AND deleted_at IS NULL AND NOT paused FOR SHARE",
        &[&e.pull_endpoint_id, &e.project_id],
    )
    .await?;
    if open.is_none() {
        return Ok(IngestOutcome::Unavailable);
    }
    if let Some(original) = original(tx, e).await? {
        return Ok(IngestOutcome::Duplicate(original));
    }
    if let Some(guard) = guard
        && !remember_signature(tx, &e.pull_endpoint_id, &e.id, e.received_at, guard).await?
    {
        return Ok(original(tx, e).await?.map_or(IngestOutcome::Replayed, IngestOutcome::Duplicate));
    }
    let size = i64::try_from(e.payload.len()).unwrap_or(i64::MAX);
    let inserted = exec(
        tx,
        "INSERT INTO pull_events (id, project_id, pull_endpoint_id, event_type, status, content_type, headers_json, \
         payload, payload_sha256, size_bytes, idempotency_key, received_at, ingest_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
         ON CONFLICT (pull_endpoint_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING",
        &[
            &e.id,
            &e.project_id,
            &e.pull_endpoint_id,
            &e.event_type,
            &PullEventStatus::Stored.as_str(),
            &e.content_type,
            &e.headers_json,
            &e.payload,
            &e.payload_sha256,
            &size,
            &e.idempotency_key,
            &e.received_at,
            &e.ingest_ms,
        ],
    )
    .await?;
    if inserted == 0 {
        return Ok(original(tx, e).await?.map_or(IngestOutcome::Unavailable, IngestOutcome::Duplicate));
    }
    Ok(IngestOutcome::Accepted)
}

#[async_trait::async_trait]
impl PullStore for PgStore {
    async fn create_pull_endpoint(&self, e: NewPullEndpoint) -> Result<(), StoreError> {
        let stored = StoredPullSettings::new(&self.secrets(), &e.id, &e.profile, &e.settings)?;
        let mut params: Vec<&(dyn ToSql + Sync)> = vec![&e.id, &e.project_id];
        params.extend(settings_params(&stored, &e.profile, &e.settings));
        params.extend([&e.secret_token_hash as &(dyn ToSql + Sync), &e.created_at]);
        exec(
            &self.client().await?,
            "INSERT INTO pull_endpoints (id, project_id, name, description, retention_days, event_type_source, \
             event_type_path, verify_static_token, token_header_name, token_query_param, token_value_hash, verify_hmac, \
             hmac_header_name, hmac_secret, timestamp_header_name, timestamp_ttl_seconds, verify_ip_allowlist, \
             allowed_cidrs, idempotency_header_names, ingest_response_code, secret_token_hash, paused, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, FALSE, \
             $22, $22)",
            &params,
        )
        .await?;
        Ok(())
    }

    async fn get_pull_endpoint(&self, project_id: &str, endpoint_id: &str) -> Result<Option<PullEndpointRecord>, StoreError> {
        let e = by_id(&self.client().await?, &self.secrets(), endpoint_id).await?;
        Ok(e.filter(|e| e.project_id == project_id && !e.deleted))
    }

    async fn list_pull_endpoints(
        &self,
        project_id: &str,
        limit: usize,
        after: Option<ListCursor>,
    ) -> Result<ListPage<PullEndpointRecord>, StoreError> {
        let (after_ts, after_id) = after.map_or((None, String::new()), |c| (Some(c.created_at), c.id));
        let fetch = i64::try_from(limit).unwrap_or(i64::MAX - 1).saturating_add(1);
        let rows = all_rows(
            &self.client().await?,
            &format!(
                "SELECT {PULL_ENDPOINT_COLUMNS} FROM pull_endpoints WHERE project_id = $1 AND deleted_at IS NULL \
                 AND ($2::BIGINT IS NULL OR created_at < $2 OR (created_at = $2 AND id < $3)) \
                 ORDER BY created_at DESC, id DESC LIMIT $4"
            ),
            &[&project_id, &after_ts, &after_id, &fetch],
        )
        .await?;
        let keys = self.secrets();
        let items = rows
            .iter()
            .map(|r| {
                let (cursor, e) = read_pull_endpoint(r).map_err(pg_err)?;
                Ok((cursor, open_pull_endpoint(&keys, e)?))
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(ListPage::from_overfetch(items, limit))
    }

    async fn update_pull_endpoint(
        &self,
        project_id: &str,
        endpoint_id: &str,
        profile: PullProfile,
        settings: InboundSettings,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let stored = StoredPullSettings::new(&self.secrets(), endpoint_id, &profile, &settings)?;
        let mut params: Vec<&(dyn ToSql + Sync)> = vec![&endpoint_id, &project_id];
        params.extend(settings_params(&stored, &profile, &settings));
        params.push(&now_ms);
        let n = exec(
            &self.client().await?,
            "UPDATE pull_endpoints SET name = $3, description = $4, retention_days = $5, event_type_source = $6, \
             event_type_path = $7, verify_static_token = $8, token_header_name = $9, token_query_param = $10, \
             token_value_hash = $11, verify_hmac = $12, hmac_header_name = $13, hmac_secret = $14, \
             timestamp_header_name = $15, timestamp_ttl_seconds = $16, verify_ip_allowlist = $17, allowed_cidrs = $18, \
             idempotency_header_names = $19, ingest_response_code = $20, updated_at = $21 \
             WHERE id = $1 AND project_id = $2 AND deleted_at IS NULL",
            &params,
        )
        .await?;
        Ok(n > 0)
    }

    async fn delete_pull_endpoint(&self, project_id: &str, endpoint_id: &str, now_ms: i64) -> Result<bool, StoreError> {
        let n = exec(
            &self.client().await?,
            "UPDATE pull_endpoints SET deleted_at = $3, updated_at = $3 WHERE id = $1 AND project_id = $2 AND deleted_at IS NULL",
            &[&endpoint_id, &project_id, &now_ms],
        )
        .await?;
        Ok(n > 0)
    }

    async fn set_pull_paused(&self, project_id: &str, endpoint_id: &str, paused: bool, now_ms: i64) -> Result<bool, StoreError> {
        let n = exec(
            &self.client().await?,
            "UPDATE pull_endpoints SET paused = $3, updated_at = $4 WHERE id = $1 AND project_id = $2 AND deleted_at IS NULL",
            &[&endpoint_id, &project_id, &paused, &now_ms],
        )
        .await?;
        Ok(n > 0)
    }

    async fn pull_ingest_target(&self, endpoint_id: &str) -> Result<Option<PullEndpointRecord>, StoreError> {
        by_id(&self.client().await?, &self.secrets(), endpoint_id).await
    }

    async fn accept_pull_event(
        &self,
        event: NewPullEvent,
        replay_guard: Option<ReplayGuard>,
    ) -> Result<IngestOutcome, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_err)?;
        let outcome = accept(&tx, &event, replay_guard.as_ref()).await?;
        if outcome == IngestOutcome::Accepted {
            return commit(tx, outcome).await;
        }
        Ok(outcome)
    }

    async fn list_pull_events(&self, filter: PullEventFilter) -> Result<ListPage<PullEventRecord>, StoreError> {
        let q = ListQuery::pull_events(Dialect::Postgres, PULL_EVENT_COLUMNS, &filter);
        let rows = list_rows(&self.client().await?, &q).await?;
        let items = rows.iter().map(|r| PullEventRow::read(r).map_err(pg_err)?.listed()).collect::<Result<_, StoreError>>()?;
        Ok(ListPage::from_overfetch(items, filter.limit))
    }

    async fn read_pull_event(
        &self,
        project_id: &str,
        endpoint_id: &str,
        event_id: &str,
        preview: bool,
        now_ms: i64,
    ) -> Result<Option<PullEventRead>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_err)?;
        let Some(mut record) = event(&tx, project_id, endpoint_id, event_id, !preview).await? else { return Ok(None) };
        if let Some(next) = record.status.after_read(preview, record.deleted_at.is_some()) {
            exec(
                &tx,
                "UPDATE pull_events SET status = $2, fetched_at = COALESCE(fetched_at, $3) WHERE id = $1",
                &[&event_id, &next.as_str(), &now_ms],
            )
            .await?;
            record.status = next;
            record.fetched_at = record.fetched_at.or(Some(now_ms));
        }
        let row = opt_row(&tx, "SELECT payload FROM pull_events WHERE id = $1", &[&event_id]).await?;
        let payload: Option<Vec<u8>> = row.map(|r| r.try_get(0)).transpose().map_err(pg_err)?.flatten();
        commit(tx, Some((record, payload))).await
    }

    async fn ack_pull_events(
        &self,
        project_id: &str,
        endpoint_id: &str,
        event_ids: Vec<String>,
        now_ms: i64,
    ) -> Result<usize, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_err)?;
        let mut moved = 0;
        for id in &event_ids {
            let Some(record) = event(&tx, project_id, endpoint_id, id, true).await? else { continue };
            if record.status.ack_applies(record.deleted_at.is_some()) {
                exec(
                    &tx,
                    "UPDATE pull_events SET status = $2, delivered_at = $3 WHERE id = $1",
                    &[id, &PullEventStatus::Delivered.as_str(), &now_ms],
                )
                .await?;
                moved += 1;
            }
        }
        commit(tx, moved).await
    }

    async fn delete_pull_events(
        &self,
        project_id: &str,
        endpoint_id: &str,
        event_ids: Vec<String>,
        api_key_id: Option<String>,
        now_ms: i64,
    ) -> Result<Vec<PullDeletion>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_err)?;
        let mut out = Vec::with_capacity(event_ids.len());
        for id in &event_ids {
            out.push(match event(&tx, project_id, endpoint_id, id, true).await? {
                None => PullDeletion::NotFound,
                Some(PullEventRecord { deleted_at: Some(at), .. }) => PullDeletion::AlreadyDeleted(at),
                Some(_) => {
                    exec(
                        &tx,
                        "UPDATE pull_events SET payload = NULL, idempotency_key = NULL, deleted_at = $2, \
                         deleted_by_api_key_id = $3 WHERE id = $1",
                        &[id, &now_ms, &api_key_id],
                    )
                    .await?;
                    PullDeletion::Deleted(now_ms)
                }
            });
        }
        commit(tx, out).await
    }

    async fn pull_series(
        &self,
        project_id: &str,
        endpoint_id: Option<String>,
        first_ms: i64,
        width_ms: i64,
        count: usize,
    ) -> Result<Vec<PullCounts>, StoreError> {
        let width = width_ms.max(1);
        let end = first_ms.saturating_add(width.saturating_mul(i64::try_from(count).unwrap_or(i64::MAX)));
        let sql = series_sql(|n| if n == 5 { "$5::TEXT".to_owned() } else { format!("${n}") });
        let rows = all_rows(&self.client().await?, &sql, &[&project_id, &first_ms, &width, &end, &endpoint_id]).await?;
        let rows = rows
            .iter()
            .map(|r| Ok((r.int(0)?, r.text(1)?, r.int(2)?, r.int(3)?)))
            .collect::<Result<Vec<_>, tokio_postgres::Error>>()
            .map_err(pg_err)?;
        Ok(fold_series(rows, count))
    }

    async fn purge_expired_pull_events(&self, now_ms: i64) -> Result<u64, StoreError> {
        let client = self.client().await?;
        let endpoints = all_rows(&client, "SELECT id, retention_days FROM pull_endpoints", &[]).await?;
        let mut purged = 0u64;
        for row in endpoints {
            let (id, days) = (row.text(0).map_err(pg_err)?, row.int(1).map_err(pg_err)?);
            let n = exec(
                &client,
                "DELETE FROM pull_events WHERE pull_endpoint_id = $1 AND received_at < $2",
                &[&id, &retention_cutoff(now_ms, days)],
            )
            .await?;
            purged = purged.saturating_add(n);
        }
        Ok(purged)
    }
}
