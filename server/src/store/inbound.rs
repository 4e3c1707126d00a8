//! Inbound endpoints, inbound messages and rejections.

/// Storage of inbound endpoints, inbound messages and rejections.
#[async_trait::async_trait]
pub trait InboundStore: Send + Sync {}
