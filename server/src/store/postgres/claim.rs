//! Claiming a batch of due messages for several endpoints in one transaction of a few
//! statements, whatever the number of endpoints: the claim locks of every endpoint (one
//! statement, [`caps::lock_endpoints`]), then their shared caps and delivery targets (one
//! statement), then one statement that leases each endpoint's oldest due messages with
//! `FOR UPDATE SKIP LOCKED`, as many as its caps allow, and spends their rate-limit tokens.
//! Reading the caps after the locks are held (a later statement, so a later snapshot) is what
//! makes the caps hold over all nodes: a claim of the same endpoint by another node has
//! committed, leases and tokens included, before this one reads them.

use std::collections::HashMap;
use std::sync::LazyLock;

use deadpool_postgres::GenericClient;

use super::caps::{self, EndpointCaps, caps_columns, caps_joins};
use super::due_work::WAITING;
use super::sql::unknown_length;
use super::{col, pg_err};
use crate::secrets::{SecretBox, SecretField};
use crate::store::queue::{ClaimedRow, DeliveryTarget};
use crate::store::{Allocation, ClaimedDelivery, Direction, StoreError};

/// What one endpoint allows now and where its deliveries go.
pub(super) struct EndpointFacts {
    caps: EndpointCaps,
    /// The outbound endpoint, if it exists and is not deleted.
    pub outbound: Option<DeliveryTarget>,
    /// The inbound endpoint (deleted ones still forward what they accepted).
    inbound: Option<DeliveryTarget>,
}

impl EndpointFacts {
    /// Whether the endpoint is running (not paused) and has no rate limit: the endpoints whose
    /// sends a send batch claims.
    pub(super) fn runs_unlimited(&self) -> bool {
        !self.caps.paused && self.caps.bucket.is_none()
    }
}

/// The statement of [`claim_batch`] that leases the messages: `$1`–`$3` each endpoint's project,
/// id and count, `$4` the time, `$5` the lease's end, `$6` the node, `$7`–`$9` the rate-limit
/// buckets to spend. The picked messages are updated by their ids as an array (`id = ANY(…)`),
/// which PostgreSQL looks up in the primary key whatever its statistics say: as a join with
/// `picked` (`id IN (SELECT …)`) it was planned, while the table was young, as a hash join over
/// a scan of the whole table, and that plan stayed cached as the table grew.
static CLAIM_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "WITH picked AS ( \
           SELECT p.id FROM unnest({projects}, $2::TEXT[], $3::BIGINT[]) AS a(project_id, endpoint_id, n) \
           CROSS JOIN LATERAL (SELECT id FROM messages WHERE {WAITING} AND project_id = a.project_id \
             AND endpoint_id = a.endpoint_id AND next_attempt_at <= $4 ORDER BY next_attempt_at LIMIT a.n \
             FOR UPDATE SKIP LOCKED) p), \
         claimed AS ( \
           UPDATE messages SET status = 'delivering', lease_until = $5, leased_by = $6, updated_at = $4 \
           WHERE id = ANY(ARRAY(SELECT id FROM picked)) \
           RETURNING id, project_id, direction, endpoint_id, destination_url, content_type, payload, headers, signed_at, \
                     attempt_count, fast_retry_count, slow_retry_count, created_at, next_attempt_at), \
         {spent} \
         SELECT * FROM claimed",
        projects = unknown_length("$1::TEXT[]"),
        spent = caps::spend_cte(7, 8, 9),
    )
});

/// Claims, within the transaction `tx`, what `allocations` ask for (each endpoint once, sorted
/// or not), leasing to `node` until `lease_until`. Returns the deliveries, and the ids of
/// claimed messages that can never be delivered with the reason (to fail them).
pub(super) async fn claim_batch<C: GenericClient>(
    tx: &C,
    keys: &SecretBox,
    allocations: &[Allocation],
    now_ms: i64,
    lease_until: i64,
    node: &str,
) -> Result<(Vec<ClaimedDelivery>, Vec<(String, &'static str)>), StoreError> {
    let ids: Vec<&str> = allocations.iter().map(|a| a.endpoint_id.as_str()).collect();
    caps::lock_endpoints(tx, &ids).await?;
    let facts = read_facts(tx, keys, &ids, now_ms).await?;
    let (mut projects, mut endpoints, mut counts) = (Vec::new(), Vec::new(), Vec::new());
    let (mut bucket_ids, mut bucket_tokens, mut bucket_ats) = (Vec::new(), Vec::new(), Vec::new());
    for allocation in allocations {
        let Some(f) = facts.get(&allocation.endpoint_id) else { continue };
        let count = allocation.count.min(f.caps.free(allocation.endpoint_limit));
        if f.caps.paused || count == 0 {
            continue;
        }
        projects.push(allocation.project_id.as_str());
        endpoints.push(allocation.endpoint_id.as_str());
        counts.push(i64::try_from(count).unwrap_or(i64::MAX));
        if let Some(bucket) = &f.caps.bucket {
            bucket_ids.push(allocation.endpoint_id.as_str());
            bucket_tokens.push(bucket.tokens);
            bucket_ats.push(bucket.at_ms);
        }
    }
    if endpoints.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let stmt = tx.prepare_cached(&CLAIM_SQL).await.map_err(pg_err)?;
    let rows = tx
        .query(&stmt, &[&projects, &endpoints, &counts, &now_ms, &lease_until, &node, &bucket_ids, &bucket_tokens, &bucket_ats])
        .await
        .map_err(pg_err)?;
    let mut deliveries = Vec::with_capacity(rows.len());
    let mut undeliverable = Vec::new();
    for r in &rows {
        let row = ClaimedRow {
            id: col(r, 0)?,
            project_id: col(r, 1)?,
            direction: Direction::from_stored(col(r, 2)?),
            endpoint_id: col(r, 3)?,
            destination_url: col(r, 4)?,
            content_type: col(r, 5)?,
            payload: col(r, 6)?,
            headers: col(r, 7)?,
            signed_at: col(r, 8)?,
            attempt_count: col(r, 9)?,
            fast_retry_count: col(r, 10)?,
            slow_retry_count: col(r, 11)?,
            created_at: col(r, 12)?,
            due_at: col(r, 13)?,
        };
        let target = facts.get(&row.endpoint_id).and_then(|f| match row.direction {
            Direction::Outbound => f.outbound.as_ref(),
            Direction::Inbound => f.inbound.as_ref(),
        });
        let id = row.id.clone();
        match row.into_delivery(target) {
            Ok(delivery) => deliveries.push(delivery),
            Err(why) => undeliverable.push((id, why.reason())),
        }
    }
    Ok((deliveries, undeliverable))
}

/// The statement of [`read_facts`]: `$1` the endpoints' ids, `$2` the time.
pub(super) static FACTS_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT k.id, {caps}, e.url, e.headers, e.deleted_at IS NULL, ie.url, ie.signing_enabled, \
                ARRAY(SELECT s.id FROM signing_keys s WHERE s.owner_id = k.id AND s.deleted_at IS NULL ORDER BY s.created_at, s.id), \
                ARRAY(SELECT s.secret FROM signing_keys s WHERE s.owner_id = k.id AND s.deleted_at IS NULL ORDER BY s.created_at, s.id), \
                e.signature_scheme \
         FROM unnest({ids}) AS k(id) {joins} LEFT JOIN inbound_endpoints ie ON ie.id = k.id",
        ids = unknown_length("$1::TEXT[]"),
        caps = caps_columns("k.id", "$2"),
        joins = caps_joins("k.id"),
    )
});

/// The caps and delivery targets of the endpoints, read in one statement.
pub(super) async fn read_facts<C: GenericClient>(
    tx: &C,
    keys: &SecretBox,
    ids: &[&str],
    now_ms: i64,
) -> Result<HashMap<String, EndpointFacts>, StoreError> {
    let stmt = tx.prepare_cached(&FACTS_SQL).await.map_err(pg_err)?;
    query_facts(tx, &stmt, keys, ids, now_ms).await
}

/// [`read_facts`] with its statement ([`FACTS_SQL`]) already prepared on `tx`'s connection.
pub(super) async fn query_facts<C: GenericClient>(
    tx: &C,
    stmt: &tokio_postgres::Statement,
    keys: &SecretBox,
    ids: &[&str],
    now_ms: i64,
) -> Result<HashMap<String, EndpointFacts>, StoreError> {
    let rows = tx.query(stmt, &[&ids, &now_ms]).await.map_err(pg_err)?;
    let mut facts = HashMap::with_capacity(rows.len());
    for row in &rows {
        let id: String = col(row, 0)?;
        let caps = EndpointCaps::decode(row, 1, now_ms)?;
        let (rps, burst): (Option<i64>, Option<i64>) = (col(row, 2)?, col(row, 3)?);
        let key_ids: Vec<String> = col(row, 12)?;
        let sealed: Vec<String> = col(row, 13)?;
        let secrets = || -> Result<Vec<String>, StoreError> {
            key_ids
                .iter()
                .zip(&sealed)
                .map(|(key_id, secret)| keys.open(SecretField::SigningSecret, key_id, secret).map_err(StoreError::from))
                .collect()
        };
        let outbound = match (col::<Option<String>>(row, 7)?, col::<Option<bool>>(row, 9)?) {
            (Some(url), Some(true)) => {
                let sealed_headers: Option<String> = col(row, 8)?;
                let headers = keys.open_opt(SecretField::EndpointHeaders, &id, sealed_headers.as_deref())?;
                let scheme: Option<String> = col(row, 14)?;
                let target = DeliveryTarget::new(url, headers.as_deref(), secrets()?, rps.unwrap_or(0), burst.unwrap_or(0));
                Some(target.signed_with(scheme.as_deref().unwrap_or_default()))
            }
            _ => None,
        };
        let inbound = match col::<Option<String>>(row, 10)? {
            Some(url) => {
                let signing = col::<Option<bool>>(row, 11)?.unwrap_or(false);
                Some(DeliveryTarget::new(url, None, if signing { secrets()? } else { Vec::new() }, 0, 0))
            }
            None => None,
        };
        facts.insert(id, EndpointFacts { caps, outbound, inbound });
    }
    Ok(facts)
}
