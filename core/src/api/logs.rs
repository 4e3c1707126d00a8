//! Outbound delivery logs.

use reqwest::Method;
use serde::Deserialize;

use crate::client::{Client, CursorMeta, DataMeta};
use crate::error::Result;
use crate::models::{LogsResponse, MessageSummary};
use crate::query::Query;
use crate::time::TimeArg;
use crate::transport::Call;

/// Filters and pagination of `get_logs` (query order: status, start_time, end_time, limit, cursor).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct LogsQuery {
    /// Only messages in this status.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub status: Option<String>,
    /// Created at or after.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub start_time: Option<TimeArg>,
    /// Created at or before.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub end_time: Option<TimeArg>,
    /// Page size (1..500, default 50).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub limit: Option<i64>,
    /// Cursor from a previous page.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub cursor: Option<String>,
}

impl Client {
    /// A page of outbound messages, newest first.
    pub async fn get_logs(&self, query: &LogsQuery) -> Result<LogsResponse> {
        let mut q = Query::new();
        q.opt("status", query.status.as_ref())
            .time("start_time", query.start_time.as_ref())
            .time("end_time", query.end_time.as_ref())
            .opt("limit", query.limit)
            .opt("cursor", query.cursor.as_ref());
        let page: DataMeta<Vec<MessageSummary>, CursorMeta> = self.decode(Call::new(Method::GET, "/v1/logs").query(q)).await?;
        Ok(LogsResponse { messages: page.data, has_more: page.meta.has_more, next_cursor: page.meta.next_cursor })
    }
}
