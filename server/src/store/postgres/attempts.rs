//! Reading the attempts of a message, and recording a batch of finished attempts in one
//! statement, however many: the messages' new states (an `UPDATE … FROM unnest(…)` of the batch's columns as arrays) and the attempt rows
//! of exactly the messages updated. A message is updated only while this node still holds the
//! claim the attempt was made under (it is delivering, leased by this node, and no later
//! attempt was counted), so a node whose lease was taken over cannot overwrite the newer state.

use deadpool_postgres::GenericClient;

use super::sql::all_rows;
use super::{PgStore, col, pg_err};
use crate::store::attempts::{AttemptStore, StoredAttempt, list_sql};
use crate::store::{AttemptRecord, Direction, StoreError};

/// The statement: `$1`..`$16` and `$18`..`$23` are the batch's columns, `$17` the node.
const RECORD_BATCH: &str = "WITH r AS ( \
       SELECT * FROM unnest($1::TEXT[], $2::TEXT[], $3::BIGINT[], $4::BIGINT[], $5::BIGINT[], $6::BIGINT[], $7::TEXT[], \
                            $8::BIGINT[], $9::BIGINT[], $10::BOOL[], $11::BOOL[], $12::BIGINT[], $13::TEXT[], $14::TEXT[], \
                            $15::TEXT[], $16::BIGINT[], $18::TEXT[], $19::TEXT[], $20::TEXT[], $21::TEXT[], $22::BOOL[], \
                            $23::BIGINT[]) WITH ORDINALITY \
       AS r(id, status, attempt_no, fast_inc, slow_inc, next_at, error, response_status, latency_ms, succeeded, failed, \
            finished_at, project_id, direction, outcome, retry_after_ms, resolved_ip, request_headers, response_headers, \
            response_body, response_body_truncated, ttfb_ms, ord)), \
     done AS ( \
       UPDATE messages m SET status = CASE WHEN m.deleted_at IS NULL THEN r.status \
                WHEN r.succeeded THEN 'succeeded' ELSE 'failed_permanent' END, attempt_count = r.attempt_no, \
              fast_retry_count = m.fast_retry_count + r.fast_inc, slow_retry_count = m.slow_retry_count + r.slow_inc, \
              next_attempt_at = CASE WHEN m.deleted_at IS NULL THEN r.next_at END, lease_until = NULL, leased_by = NULL, \
              last_error = r.error, response_status = r.response_status, response_latency_ms = r.latency_ms, \
              delivered_at = CASE WHEN r.succeeded THEN r.finished_at ELSE m.delivered_at END, \
              failed_at = CASE WHEN r.failed OR (m.deleted_at IS NOT NULL AND NOT r.succeeded) THEN r.finished_at \
                ELSE m.failed_at END, \
              payload = CASE WHEN r.succeeded AND m.retention_hours = 0 THEN NULL ELSE m.payload END, \
              updated_at = r.finished_at \
       FROM r WHERE m.id = r.id AND m.status = 'delivering' AND m.leased_by = $17 AND m.attempt_count + 1 = r.attempt_no \
       RETURNING r.ord), \
     written AS ( \
       INSERT INTO attempts (message_id, project_id, direction, attempt_no, response_status, latency_ms, error, outcome, \
                             retry_after_ms, created_at, resolved_ip, request_headers, response_headers, response_body, \
                             response_body_truncated, ttfb_ms) \
       SELECT r.id, r.project_id, r.direction, r.attempt_no, r.response_status, r.latency_ms, r.error, r.outcome, \
              r.retry_after_ms, r.finished_at, r.resolved_ip, r.request_headers, r.response_headers, r.response_body, \
              r.response_body_truncated, r.ttfb_ms FROM r JOIN done ON done.ord = r.ord ORDER BY r.ord) \
     SELECT ord FROM done";

/// Records `records` in one statement; returns, for each record, whether it was recorded
/// (`false`: the claim it was made under is no longer this node's).
pub(super) async fn record_batch<C: GenericClient>(
    client: &C,
    records: &[AttemptRecord],
    node: &str,
) -> Result<Vec<bool>, StoreError> {
    let n = records.len();
    let mut ids = Vec::with_capacity(n);
    let mut statuses = Vec::with_capacity(n);
    let mut attempt_nos = Vec::with_capacity(n);
    let mut fast_incs = Vec::with_capacity(n);
    let mut slow_incs = Vec::with_capacity(n);
    let mut next_ats = Vec::with_capacity(n);
    let mut errors = Vec::with_capacity(n);
    let mut response_statuses = Vec::with_capacity(n);
    let mut latencies = Vec::with_capacity(n);
    let mut succeeded = Vec::with_capacity(n);
    let mut failed = Vec::with_capacity(n);
    let mut finished_ats = Vec::with_capacity(n);
    let mut projects = Vec::with_capacity(n);
    let mut directions = Vec::with_capacity(n);
    let mut outcomes = Vec::with_capacity(n);
    let mut retry_afters = Vec::with_capacity(n);
    let mut ips = Vec::with_capacity(n);
    let mut request_headers = Vec::with_capacity(n);
    let mut response_headers = Vec::with_capacity(n);
    let mut bodies = Vec::with_capacity(n);
    let mut truncated = Vec::with_capacity(n);
    let mut ttfbs = Vec::with_capacity(n);
    for r in records {
        let effect = r.next.effect();
        ids.push(r.message_id.as_str());
        statuses.push(effect.status.as_str());
        attempt_nos.push(r.attempt_no);
        fast_incs.push(effect.fast_inc);
        slow_incs.push(effect.slow_inc);
        next_ats.push(effect.next_attempt_at);
        errors.push(r.error.as_deref());
        response_statuses.push(r.response_status);
        latencies.push(r.latency_ms);
        succeeded.push(effect.succeeded);
        failed.push(effect.failed);
        finished_ats.push(r.finished_at);
        projects.push(r.project_id.as_str());
        directions.push(r.direction.as_str());
        outcomes.push(effect.outcome);
        retry_afters.push(r.retry_after_ms);
        ips.push(r.detail.resolved_ip.as_deref());
        request_headers.push(r.detail.request_headers.as_deref());
        response_headers.push(r.detail.response_headers.as_deref());
        bodies.push(r.detail.response_body.as_deref());
        truncated.push(r.detail.response_body_truncated);
        ttfbs.push(r.detail.ttfb_ms);
    }
    let stmt = client.prepare_cached(RECORD_BATCH).await.map_err(pg_err)?;
    let rows = client
        .query(
            &stmt,
            &[
                &ids,
                &statuses,
                &attempt_nos,
                &fast_incs,
                &slow_incs,
                &next_ats,
                &errors,
                &response_statuses,
                &latencies,
                &succeeded,
                &failed,
                &finished_ats,
                &projects,
                &directions,
                &outcomes,
                &retry_afters,
                &node,
                &ips,
                &request_headers,
                &response_headers,
                &bodies,
                &truncated,
                &ttfbs,
            ],
        )
        .await
        .map_err(pg_err)?;
    let mut recorded = vec![false; n];
    for row in &rows {
        let ord: i64 = col(row, 0)?;
        if let Some(slot) = usize::try_from(ord).ok().and_then(|o| o.checked_sub(1)).and_then(|i| recorded.get_mut(i)) {
            *slot = true;
        }
    }
    Ok(recorded)
}

#[async_trait::async_trait]
impl AttemptStore for PgStore {
    async fn list_attempts(
        &self,
        project_id: &str,
        direction: Direction,
        message_id: &str,
        limit: usize,
    ) -> Result<Vec<StoredAttempt>, StoreError> {
        let client = self.client().await?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = all_rows(&client, &list_sql('$'), &[&message_id, &project_id, &direction.as_str(), &limit]).await?;
        rows.iter().map(|r| StoredAttempt::read(r).map_err(pg_err)).collect()
    }
}
