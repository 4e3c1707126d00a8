//! Small helpers over a pooled connection or a transaction: prepared (and cached) statements,
//! driver errors mapped with [`pg_err`], and the note of work made due.

use deadpool_postgres::GenericClient;
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

use super::pg_err;
use crate::store::StoreError;
use crate::store::list_query::{ListQuery, SqlArg};

/// The array parameter `param` (such as `$1::TEXT[]`) behind a sub-select, for the first
/// argument of an `unnest` in a statement that runs often.
///
/// PostgreSQL estimates the rows of `unnest` over a known array from its length. A statement
/// planned for its parameters (one or two endpoints, say) then always looks cheaper than the
/// cached generic plan, which assumes ten, and PostgreSQL plans it anew at every execution; for
/// the claim statements that cost more than running them. Behind a sub-select the length is
/// unknown to both plans, so the generic plan is kept after the first few executions.
pub(super) fn unknown_length(param: &str) -> String {
    format!("(SELECT {param})")
}

/// Query parameters.
pub(super) type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

/// At most one row.
pub(super) async fn opt_row(c: &impl GenericClient, sql: &str, params: Params<'_>) -> Result<Option<Row>, StoreError> {
    let stmt = c.prepare_cached(sql).await.map_err(pg_err)?;
    c.query_opt(&stmt, params).await.map_err(pg_err)
}

/// Every row.
pub(super) async fn all_rows(c: &impl GenericClient, sql: &str, params: Params<'_>) -> Result<Vec<Row>, StoreError> {
    let stmt = c.prepare_cached(sql).await.map_err(pg_err)?;
    c.query(&stmt, params).await.map_err(pg_err)
}

/// Runs a statement; the number of rows it changed.
pub(super) async fn exec(c: &impl GenericClient, sql: &str, params: Params<'_>) -> Result<u64, StoreError> {
    let stmt = c.prepare_cached(sql).await.map_err(pg_err)?;
    c.execute(&stmt, params).await.map_err(pg_err)
}

/// The rows of a list query (see [`ListQuery`]).
pub(super) async fn list_rows(c: &impl GenericClient, q: &ListQuery) -> Result<Vec<Row>, StoreError> {
    let params: Vec<&(dyn ToSql + Sync)> = q
        .args
        .iter()
        .map(|a| match a {
            SqlArg::Text(t) => t as &(dyn ToSql + Sync),
            SqlArg::Int(i) => i as &(dyn ToSql + Sync),
        })
        .collect();
    all_rows(c, &q.sql, &params).await
}

/// Whether a transaction made work due now. Marked inside the transaction, read after it
/// commits: only then is the work announced to every node ([`super::PgStore::announce_work`]).
/// A `NOTIFY` inside the transaction would serialize every such commit behind PostgreSQL's
/// notification lock, and with it every send's fsync.
#[derive(Debug, Default)]
pub(super) struct WorkNote(std::sync::atomic::AtomicBool);

impl WorkNote {
    /// Records that the transaction makes work due now.
    pub(super) fn mark(&self) {
        self.0.store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// Whether anything was marked.
    pub(super) fn is_marked(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// Commits `tx` and hands back `value` (what the transaction decided).
pub(super) async fn commit<R>(tx: deadpool_postgres::Transaction<'_>, value: R) -> Result<R, StoreError> {
    tx.commit().await.map_err(pg_err)?;
    Ok(value)
}
