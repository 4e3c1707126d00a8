//! Listening to a `cli`-mode inbound endpoint (2.0.0): its stored requests, oldest first, after a
//! cursor.

use reqwest::Method;

use super::seg;
use crate::client::{Client, DataMeta, NextCursorMeta};
use crate::error::Result;
use crate::models::{ListenInboundEndpointResponse, ListenMessage};
use crate::query::Query;
use crate::transport::Call;

impl Client {
    /// Up to 50 stored requests of a `cli` endpoint after message `after` (from the oldest when
    /// `None`); call again with `next_cursor` to continue. A `forward` endpoint answers 400.
    pub async fn listen_inbound_endpoint(&self, endpoint_id: &str, after: Option<&str>) -> Result<ListenInboundEndpointResponse> {
        let mut q = Query::new();
        q.opt("after", after);
        let path = format!("/v1/inbound-endpoints/{}/listen", seg(endpoint_id));
        let page: DataMeta<Vec<ListenMessage>, Option<NextCursorMeta>> =
            self.decode(Call::new(Method::GET, path).query(q)).await?;
        Ok(ListenInboundEndpointResponse { messages: page.data, next_cursor: page.meta.unwrap_or_default().next_cursor })
    }
}
