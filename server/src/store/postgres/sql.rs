//! Small helpers over a pooled connection or a transaction: prepared (and cached) statements,
//! driver errors mapped with [`pg_err`], and the work notification.

use deadpool_postgres::GenericClient;
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

use super::{NOTIFY_WORK, pg_err};
use crate::store::StoreError;
use crate::store::list_query::{ListQuery, SqlArg};

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

/// Runs [`NOTIFY_WORK`]: wakes the delivery engine of every node once the transaction commits.
pub(super) async fn notify_work(c: &impl GenericClient) -> Result<(), StoreError> {
    c.execute(NOTIFY_WORK, &[]).await.map_err(pg_err)?;
    Ok(())
}

/// Commits `tx` and hands back `value` (what the transaction decided).
pub(super) async fn commit<R>(tx: deadpool_postgres::Transaction<'_>, value: R) -> Result<R, StoreError> {
    tx.commit().await.map_err(pg_err)?;
    Ok(value)
}
