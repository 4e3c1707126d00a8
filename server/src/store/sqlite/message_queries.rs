//! SQLite reads of messages: one message, filtered newest-first pages, metrics and usage counts.

use hookbridge::Message;
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};

use crate::clock::{opt_timestamp, timestamp};
use crate::domain::MessageStatus;
use crate::store::{Direction, ListCursor, ListPage, LogEntry, LogFilter, MetricCounts, StoreError};

/// One outbound message of the project.
pub(super) fn get_message(conn: &Connection, project_id: &str, message_id: &str) -> Result<Option<Message>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT id, project_id, endpoint_id, status, attempt_count, replay_count, content_type, size_bytes, payload_sha256, \
             created_at, updated_at, idempotency_key, next_attempt_at, last_error, response_status, response_latency_ms \
             FROM messages WHERE id = ?1 AND project_id = ?2 AND direction = 'outbound'",
        )?
        .query_row(params![message_id, project_id], |r| {
            let status: MessageStatus = r.get(3)?;
            Ok(Message {
                id: r.get(0)?,
                project_id: r.get(1)?,
                endpoint_id: r.get(2)?,
                status: status.to_string(),
                attempt_count: r.get(4)?,
                replay_count: r.get(5)?,
                content_type: r.get(6)?,
                size_bytes: r.get(7)?,
                payload_sha256: r.get(8)?,
                created_at: timestamp(r.get(9)?),
                updated_at: timestamp(r.get(10)?),
                idempotency_key: r.get(11)?,
                next_attempt_at: if status.is_waiting() { opt_timestamp(r.get(12)?) } else { None },
                last_error: r.get(13)?,
                response_status: r.get(14)?,
                response_latency_ms: r.get(15)?,
            })
        })
        .optional()?)
}

/// A newest-first page of messages matching the filter.
pub(super) fn list_messages(conn: &Connection, f: &LogFilter) -> Result<ListPage<LogEntry>, StoreError> {
    let mut sql = String::from(
        "SELECT id, destination_url, status, attempt_count, created_at, delivered_at, next_attempt_at, response_status, \
         response_latency_ms, last_error, endpoint_id, failed_at FROM messages WHERE project_id = ?1 AND direction = ?2",
    );
    let mut args: Vec<SqlValue> = vec![f.project_id.clone().into(), f.direction.as_str().to_owned().into()];
    let mut add = |clause: &str, value: SqlValue, sql: &mut String| {
        args.push(value);
        sql.push_str(&clause.replace('?', &format!("?{}", args.len())));
    };
    if let Some(status) = &f.status {
        add(" AND status = ?", status.as_str().to_owned().into(), &mut sql);
    }
    if let Some(endpoint) = &f.endpoint_id {
        add(" AND endpoint_id = ?", endpoint.clone().into(), &mut sql);
    }
    if let Some(start) = f.start_ms {
        add(" AND created_at >= ?", start.into(), &mut sql);
    }
    if let Some(end) = f.end_ms {
        add(" AND created_at <= ?", end.into(), &mut sql);
    }
    if let Some(c) = &f.after {
        add(" AND (created_at < ?", c.created_at.into(), &mut sql);
        add(" OR (created_at = ?", c.created_at.into(), &mut sql);
        add(" AND id < ?))", c.id.clone().into(), &mut sql);
    }
    add(" ORDER BY created_at DESC, id DESC LIMIT ?", (f.limit as i64 + 1).into(), &mut sql);
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params_from_iter(args.iter()), |r| {
        Ok(LogEntry {
            message_id: r.get(0)?,
            destination_url: r.get(1)?,
            status: r.get(2)?,
            attempt_count: r.get(3)?,
            created_at: r.get(4)?,
            delivered_at: r.get(5)?,
            next_attempt_at: r.get(6)?,
            response_status: r.get(7)?,
            response_latency_ms: r.get(8)?,
            last_error: r.get(9)?,
            endpoint_id: r.get(10)?,
            failed_at: r.get(11)?,
        })
    })?;
    let mut items: Vec<LogEntry> = rows.collect::<Result<_, _>>()?;
    let next = if items.len() > f.limit {
        items.truncate(f.limit);
        items.last().map(|e| ListCursor { created_at: e.created_at, id: e.message_id.clone() })
    } else {
        None
    };
    Ok(ListPage { items, next })
}

/// Per-bucket figures over `count` buckets of `width_ms` from `first_ms` (one bucket = the
/// whole range when `count` is 1).
pub(super) fn metric_series(
    conn: &Connection,
    project_id: &str,
    direction: Direction,
    endpoint_id: Option<&str>,
    first_ms: i64,
    width_ms: i64,
    count: usize,
) -> Result<Vec<MetricCounts>, StoreError> {
    let end_ms = first_ms + width_ms * count as i64;
    let mut out = vec![MetricCounts::default(); count];
    let bucket = |b: i64| usize::try_from(b).ok().filter(|i| *i < count);

    let mut stmt = conn.prepare_cached(
        "SELECT (created_at - ?3) / ?4 AS b, COUNT(*), \
         SUM(status = 'succeeded'), SUM(status = 'failed_permanent'), SUM(status = 'pending_retry'), \
         AVG(CASE WHEN delivered_at IS NOT NULL AND status = 'succeeded' THEN delivered_at - created_at END) \
         FROM messages WHERE project_id = ?1 AND direction = ?2 AND created_at >= ?3 AND created_at < ?5 \
         AND (?6 IS NULL OR endpoint_id = ?6) GROUP BY b",
    )?;
    let rows = stmt.query_map(params![project_id, direction.as_str(), first_ms, width_ms, end_ms, endpoint_id], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, i64>(4)?,
            r.get::<_, Option<f64>>(5)?,
        ))
    })?;
    for row in rows {
        let (b, total, succeeded, failed, retrying, delivery) = row?;
        if let Some(i) = bucket(b) {
            let m = &mut out[i];
            m.total = total;
            m.succeeded = succeeded;
            m.failed = failed;
            m.retrying = retrying;
            m.avg_delivery_ms = delivery.map(|d| d.round() as i64).unwrap_or(0);
        }
    }

    let mut stmt = conn.prepare_cached(
        "SELECT (a.created_at - ?3) / ?4 AS b, SUM(a.attempt_no > 1), AVG(a.latency_ms) FROM attempts a \
         WHERE a.project_id = ?1 AND a.direction = ?2 AND a.created_at >= ?3 AND a.created_at < ?5 \
         AND (?6 IS NULL OR EXISTS (SELECT 1 FROM messages m WHERE m.id = a.message_id AND m.endpoint_id = ?6)) GROUP BY b",
    )?;
    let rows = stmt.query_map(params![project_id, direction.as_str(), first_ms, width_ms, end_ms, endpoint_id], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, Option<i64>>(1)?, r.get::<_, Option<f64>>(2)?))
    })?;
    for row in rows {
        let (b, retries, latency) = row?;
        if let Some(i) = bucket(b) {
            out[i].retries = retries.unwrap_or(0);
            out[i].avg_latency_ms = latency.map(|l| l.round() as i64).unwrap_or(0);
        }
    }
    Ok(out)
}

/// Figures over one range (a single bucket).
pub(super) fn metric_counts(
    conn: &Connection,
    project_id: &str,
    direction: Direction,
    endpoint_id: Option<&str>,
    from_ms: i64,
    to_ms: i64,
) -> Result<MetricCounts, StoreError> {
    let width = (to_ms - from_ms).max(1);
    Ok(metric_series(conn, project_id, direction, endpoint_id, from_ms, width, 1)?.pop().unwrap_or_default())
}

/// Messages (both directions) created in each range.
pub(super) fn count_messages_in(conn: &Connection, project_id: &str, ranges: &[(i64, i64)]) -> Result<Vec<i64>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT COUNT(*) FROM messages WHERE project_id = ?1 AND direction IN ('outbound', 'inbound') \
         AND created_at >= ?2 AND created_at < ?3",
    )?;
    ranges.iter().map(|(from, to)| Ok(stmt.query_row(params![project_id, from, to], |r| r.get(0))?)).collect()
}
