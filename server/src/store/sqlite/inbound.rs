//! SQLite implementation: inbound.

use super::SqliteStore;
use crate::store::InboundStore;

#[async_trait::async_trait]
impl InboundStore for SqliteStore {}
