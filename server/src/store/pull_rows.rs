//! Pull endpoint and event rows turned into records, and per-status counts folded into metrics,
//! written once for both backends (see [`super::rows`] for the convention).

use super::columns::Columns;
use super::inbound::InboundSettings;
use super::pull::{PullCounts, PullEndpointRecord, PullEventRecord, PullProfile};
use super::rows::{list_json, read_verification};
use super::{ListCursor, StoreError};
use crate::domain::pull::{EventTypeSource, PullEventStatus};
use crate::secrets::{SecretBox, SecretField};

/// The pull endpoint columns [`read_pull_endpoint`] reads, in order.
pub const PULL_ENDPOINT_COLUMNS: &str = "id, project_id, name, description, retention_days, event_type_source, \
     event_type_path, secret_token_hash, paused, deleted_at IS NOT NULL, created_at, updated_at, verify_static_token, \
     token_header_name, token_query_param, token_value_hash, verify_hmac, hmac_header_name, hmac_secret, \
     timestamp_header_name, timestamp_ttl_seconds, verify_ip_allowlist, allowed_cidrs, idempotency_header_names, \
     ingest_response_code";

/// A pull endpoint row with its list position; the HMAC secret still sealed (see [`open_pull_endpoint`]).
pub fn read_pull_endpoint<C: Columns>(r: &C) -> Result<(ListCursor, PullEndpointRecord), C::Error> {
    let (id, created_at) = (r.text(0)?, r.int(10)?);
    let record = PullEndpointRecord {
        id: id.clone(),
        project_id: r.text(1)?,
        profile: PullProfile {
            name: r.text(2)?,
            description: r.opt_text(3)?,
            retention_days: r.int(4)?,
            event_type_source: r.opt_text(5)?.as_deref().and_then(EventTypeSource::parse),
            event_type_path: r.opt_text(6)?,
        },
        secret_token_hash: r.text(7)?,
        paused: r.flag(8)?,
        deleted: r.flag(9)?,
        created_at,
        updated_at: r.int(11)?,
        settings: read_verification(r, 12)?,
    };
    Ok((ListCursor { created_at, id }, record))
}

/// Opens the sealed HMAC secret of a pull endpoint.
pub fn open_pull_endpoint(keys: &SecretBox, mut e: PullEndpointRecord) -> Result<PullEndpointRecord, StoreError> {
    e.settings.hmac_secret = keys.open_opt(SecretField::PullHmacSecret, &e.id, e.settings.hmac_secret.as_deref())?;
    Ok(e)
}

/// The stored form of a pull endpoint's profile and settings (written by create and update):
/// the event type source's spelling, the sealed HMAC secret and the JSON lists.
pub struct StoredPullSettings {
    /// `body` or `header`.
    pub source: Option<&'static str>,
    /// The HMAC secret, sealed.
    pub hmac_secret: Option<String>,
    /// Allowed CIDR blocks as JSON.
    pub allowed_cidrs: String,
    /// Dedupe headers as JSON.
    pub idempotency_header_names: String,
}

impl StoredPullSettings {
    /// Seals and encodes what needs it.
    pub fn new(keys: &SecretBox, id: &str, p: &PullProfile, s: &InboundSettings) -> Result<Self, StoreError> {
        Ok(StoredPullSettings {
            source: p.event_type_source.map(|s| s.as_str()),
            hmac_secret: keys.seal_opt(SecretField::PullHmacSecret, id, s.hmac_secret.as_deref())?,
            allowed_cidrs: list_json(&s.allowed_cidrs),
            idempotency_header_names: list_json(&s.idempotency_header_names),
        })
    }
}

/// The event columns [`PullEventRow::read`] reads, in order (from `pull_events`).
pub const PULL_EVENT_COLUMNS: &str = "id, pull_endpoint_id, \
     (SELECT name FROM pull_endpoints p WHERE p.id = pull_events.pull_endpoint_id), event_type, status, content_type, \
     headers_json, size_bytes, received_at, ingest_ms, fetched_at, delivered_at, deleted_at, deleted_by_api_key_id";

/// An event row as read, before its status is checked.
pub struct PullEventRow {
    record: PullEventRecord,
    status: String,
}

impl PullEventRow {
    /// Reads a row selected with [`PULL_EVENT_COLUMNS`].
    pub fn read<C: Columns>(r: &C) -> Result<Self, C::Error> {
        Ok(PullEventRow {
            status: r.text(4)?,
            record: PullEventRecord {
                id: r.text(0)?,
                pull_endpoint_id: r.text(1)?,
                endpoint_name: r.opt_text(2)?.unwrap_or_default(),
                event_type: r.opt_text(3)?,
                status: PullEventStatus::Stored,
                content_type: r.text(5)?,
                headers_json: r.opt_text(6)?,
                size_bytes: r.int(7)?,
                received_at: r.int(8)?,
                ingest_ms: r.opt_int(9)?,
                fetched_at: r.opt_int(10)?,
                delivered_at: r.opt_int(11)?,
                deleted_at: r.opt_int(12)?,
                deleted_by_api_key_id: r.opt_text(13)?,
            },
        })
    }

    /// The record (an unknown status spelling is corrupt data).
    pub fn record(self) -> Result<PullEventRecord, StoreError> {
        let status = PullEventStatus::parse(&self.status)
            .ok_or_else(|| StoreError::Corrupt(format!("pull event {} has unknown status {:?}", self.record.id, self.status)))?;
        Ok(PullEventRecord { status, ..self.record })
    }

    /// The record with its list position.
    pub fn listed(self) -> Result<(ListCursor, PullEventRecord), StoreError> {
        let record = self.record()?;
        Ok((ListCursor { created_at: record.received_at, id: record.id.clone() }, record))
    }
}

/// The per-bucket count query over live events: bucket index, status, events, and the summed
/// receipt-to-acknowledgement time. Parameters: project, first bucket start, bucket width, end
/// of the last bucket, and the endpoint (or NULL for all); `p` spells the n-th placeholder.
pub fn series_sql(p: impl Fn(usize) -> String) -> String {
    format!(
        "SELECT (received_at - {first}) / {width}, status, COUNT(*), \
         CAST(COALESCE(SUM(CASE WHEN delivered_at IS NOT NULL THEN delivered_at - received_at ELSE 0 END), 0) AS BIGINT) \
         FROM pull_events WHERE project_id = {project} AND deleted_at IS NULL AND received_at >= {first} \
         AND received_at < {end} AND ({endpoint} IS NULL OR pull_endpoint_id = {endpoint}) \
         GROUP BY 1, 2",
        project = p(1),
        first = p(2),
        width = p(3),
        end = p(4),
        endpoint = p(5),
    )
}

/// Folds rows of [`series_sql`] into `count` buckets.
pub fn fold_series(rows: impl IntoIterator<Item = (i64, String, i64, i64)>, count: usize) -> Vec<PullCounts> {
    let mut buckets = vec![PullCounts::default(); count];
    let mut lifecycle = vec![0i64; count];
    for (bucket, status, n, lifecycle_sum) in rows {
        let Some(b) = usize::try_from(bucket).ok().and_then(|i| buckets.get_mut(i)) else { continue };
        match PullEventStatus::parse(&status) {
            Some(PullEventStatus::Stored) => b.stored = b.stored.saturating_add(n),
            Some(PullEventStatus::Fetched) => b.fetched = b.fetched.saturating_add(n),
            Some(PullEventStatus::Delivered) => {
                b.delivered = b.delivered.saturating_add(n);
                lifecycle[bucket as usize] = lifecycle[bucket as usize].saturating_add(lifecycle_sum);
            }
            None => {}
        }
    }
    for (b, sum) in buckets.iter_mut().zip(lifecycle) {
        if b.delivered > 0 {
            b.avg_lifecycle_ms = (sum as f64 / b.delivered as f64).round() as i64;
        }
    }
    buckets
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_rows_fold_into_buckets() {
        let rows = vec![
            (0, "stored".to_owned(), 2, 0),
            (1, "delivered".to_owned(), 2, 300),
            (1, "fetched".to_owned(), 1, 0),
            (9, "stored".to_owned(), 5, 0),
        ];
        let b = fold_series(rows, 2);
        assert_eq!((b[0].stored, b[0].total()), (2, 2));
        assert_eq!((b[1].delivered, b[1].fetched, b[1].avg_lifecycle_ms, b[1].total()), (2, 1, 150, 3));
        assert!(series_sql(|n| format!("${n}")).contains("project_id = $1"));
    }
}
