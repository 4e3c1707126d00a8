//! SQLite reads of messages: one message, filtered newest-first pages, metrics and usage counts.

use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};

use crate::store::inbound::InboundMessageRecord;
use crate::store::list_query::{Dialect, ListQuery, SqlArg};
use crate::store::messages::{MessageBody, MessageBucket, MetricSeries};
use crate::store::rows::{MESSAGE_COLUMNS, MessageRow};
use crate::store::{Direction, ListPage, LogEntry, LogFilter, MessageRecord, MetricCounts, StoreError};

/// One message of the project in `direction`.
fn message_row(
    conn: &Connection,
    project_id: &str,
    direction: Direction,
    message_id: &str,
) -> Result<Option<MessageRow>, StoreError> {
    Ok(conn
        .prepare_cached(&format!("SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = ?1 AND project_id = ?2 AND direction = ?3"))?
        .query_row(params![message_id, project_id, direction.as_str()], |r| MessageRow::read(r))
        .optional()?)
}

/// One outbound message of the project.
pub(super) fn get_message(conn: &Connection, project_id: &str, message_id: &str) -> Result<Option<MessageRecord>, StoreError> {
    message_row(conn, project_id, Direction::Outbound, message_id)?.map(MessageRow::outbound).transpose()
}

/// The payload and custom headers of one outbound message of the project.
pub(super) fn message_body(
    conn: &Connection,
    project_id: &str,
    direction: Direction,
    message_id: &str,
) -> Result<Option<MessageBody>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT payload, headers FROM messages WHERE id = ?1 AND project_id = ?2 AND direction = ?3")?
        .query_row(params![message_id, project_id, direction.as_str()], |r| {
            Ok(MessageBody { payload: r.get(0)?, headers_json: r.get(1)? })
        })
        .optional()?)
}

/// One inbound message of the project.
pub(super) fn get_inbound_message(
    conn: &Connection,
    project_id: &str,
    message_id: &str,
) -> Result<Option<InboundMessageRecord>, StoreError> {
    message_row(conn, project_id, Direction::Inbound, message_id)?.map(MessageRow::inbound).transpose()
}

/// The parameters of a list query as SQLite values.
pub(super) fn sql_args(q: &ListQuery) -> Vec<SqlValue> {
    q.args
        .iter()
        .map(|a| match a {
            SqlArg::Text(t) => SqlValue::Text(t.clone()),
            SqlArg::Int(i) => SqlValue::Integer(*i),
        })
        .collect()
}

/// A newest-first page of messages matching the filter.
pub(super) fn list_messages(conn: &Connection, f: &LogFilter) -> Result<ListPage<LogEntry>, StoreError> {
    let q = ListQuery::messages(Dialect::Sqlite, MESSAGE_COLUMNS, f);
    let mut stmt = conn.prepare_cached(&q.sql)?;
    let rows = stmt.query_map(params_from_iter(sql_args(&q)), |r| MessageRow::read(r))?;
    let entries = rows.map(|row| row?.log_entry()).collect::<Result<_, StoreError>>()?;
    Ok(ListPage::from_overfetch(entries, f.limit))
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
    let end_ms = MetricSeries::end_ms(first_ms, width_ms, count);
    let mut series = MetricSeries::new(count);

    let mut stmt = conn.prepare_cached(
        "SELECT (created_at - ?3) / ?4 AS b, COUNT(*), \
         SUM(status = 'succeeded'), SUM(status = 'failed_permanent'), SUM(status = 'pending_retry'), \
         AVG(CASE WHEN delivered_at IS NOT NULL AND status = 'succeeded' THEN delivered_at - created_at END) \
         FROM messages WHERE project_id = ?1 AND direction = ?2 AND created_at >= ?3 AND created_at < ?5 \
         AND (?6 IS NULL OR endpoint_id = ?6) GROUP BY b",
    )?;
    let rows = stmt.query_map(params![project_id, direction.as_str(), first_ms, width_ms, end_ms, endpoint_id], |r| {
        let bucket = MessageBucket {
            total: r.get(1)?,
            succeeded: r.get(2)?,
            failed: r.get(3)?,
            retrying: r.get(4)?,
            avg_delivery_ms: r.get(5)?,
        };
        Ok((r.get::<_, i64>(0)?, bucket))
    })?;
    for row in rows {
        let (b, bucket) = row?;
        series.messages(b, bucket);
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
        series.attempts(b, retries, latency);
    }
    Ok(series.finish())
}

/// Messages (both directions) created in each range.
pub(super) fn count_messages_in(conn: &Connection, project_id: &str, ranges: &[(i64, i64)]) -> Result<Vec<i64>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT COUNT(*) FROM messages WHERE project_id = ?1 AND direction IN ('outbound', 'inbound') \
         AND created_at >= ?2 AND created_at < ?3",
    )?;
    ranges.iter().map(|(from, to)| Ok(stmt.query_row(params![project_id, from, to], |r| r.get(0))?)).collect()
}
