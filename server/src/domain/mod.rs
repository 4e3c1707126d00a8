//! The domain: the server's own rules about messages, independent of HTTP and of the storage
//! backend. Store implementations read facts and apply these rules' answers inside their
//! transactions, so SQLite and PostgreSQL behave the same by construction.

pub mod deletion;
pub mod inbound;
pub mod interruption;
pub mod keys;
pub mod messages;
pub mod pull;
pub mod status;
pub mod verification_preset;

pub use inbound::InboundMode;
pub use status::MessageStatus;
pub use verification_preset::VerificationPreset;
