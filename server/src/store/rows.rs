//! Turning stored rows into records, written once for every backend: each backend selects the
//! column lists below (in this order) and hands its row to the reader through [`Columns`].

use super::columns::Columns;
use super::inbound::{
    InboundEndpointListing, InboundEndpointRecord, InboundMessageRecord, InboundProfile, InboundSettings, ListenRecord,
    RejectionRecord, StoredInbound,
};
use super::{EndpointListing, EndpointRecord, ListCursor, LogEntry, MessageRecord, ProjectRecord, SigningKeyRecord, StoreError};
use crate::domain::messages::stored_status;
use crate::domain::{InboundMode, MessageStatus, VerificationPreset};
use crate::secrets::{SecretBox, SecretField};
use hookbridge::signing::SignatureScheme;

/// The message columns [`MessageRow::read`] reads, in order.
pub const MESSAGE_COLUMNS: &str = "id, project_id, endpoint_id, destination_url, status, attempt_count, replay_count, \
     content_type, size_bytes, payload_sha256, created_at, updated_at, idempotency_key, next_attempt_at, last_error, \
     response_status, response_latency_ms, delivered_at, failed_at, deleted_at, deleted_by_api_key_id";

/// A stored message without its payload, as read by [`MESSAGE_COLUMNS`].
#[derive(Clone, Debug)]
pub struct MessageRow {
    id: String,
    project_id: String,
    endpoint_id: String,
    destination_url: String,
    status: String,
    attempt_count: i64,
    replay_count: i64,
    content_type: String,
    size_bytes: i64,
    payload_sha256: String,
    created_at: i64,
    updated_at: i64,
    idempotency_key: Option<String>,
    next_attempt_at: Option<i64>,
    last_error: Option<String>,
    response_status: Option<i64>,
    response_latency_ms: Option<i64>,
    delivered_at: Option<i64>,
    failed_at: Option<i64>,
    deleted_at: Option<i64>,
    deleted_by_api_key_id: Option<String>,
}

impl MessageRow {
    /// Reads a row selected with [`MESSAGE_COLUMNS`].
    pub fn read<C: Columns>(r: &C) -> Result<Self, C::Error> {
        Ok(MessageRow {
            id: r.text(0)?,
            project_id: r.text(1)?,
            endpoint_id: r.text(2)?,
            destination_url: r.text(3)?,
            status: r.text(4)?,
            attempt_count: r.int(5)?,
            replay_count: r.int(6)?,
            content_type: r.text(7)?,
            size_bytes: r.int(8)?,
            payload_sha256: r.text(9)?,
            created_at: r.int(10)?,
            updated_at: r.int(11)?,
            idempotency_key: r.opt_text(12)?,
            next_attempt_at: r.opt_int(13)?,
            last_error: r.opt_text(14)?,
            response_status: r.opt_int(15)?,
            response_latency_ms: r.opt_int(16)?,
            delivered_at: r.opt_int(17)?,
            failed_at: r.opt_int(18)?,
            deleted_at: r.opt_int(19)?,
            deleted_by_api_key_id: r.opt_text(20)?,
        })
    }

    /// The stored status (an unknown spelling is corrupt data).
    fn status(&self) -> Result<MessageStatus, StoreError> {
        stored_status(&self.status)
    }

    /// The outbound message's record.
    pub fn outbound(self) -> Result<MessageRecord, StoreError> {
        Ok(MessageRecord {
            status: self.status()?,
            id: self.id,
            project_id: self.project_id,
            endpoint_id: self.endpoint_id,
            attempt_count: self.attempt_count,
            replay_count: self.replay_count,
            content_type: self.content_type,
            size_bytes: self.size_bytes,
            payload_sha256: self.payload_sha256,
            created_at: self.created_at,
            updated_at: self.updated_at,
            idempotency_key: self.idempotency_key,
            next_attempt_at: self.next_attempt_at,
            last_error: self.last_error,
            response_status: self.response_status,
            response_latency_ms: self.response_latency_ms,
            deleted_at: self.deleted_at,
            deleted_by_api_key_id: self.deleted_by_api_key_id,
        })
    }

    /// The inbound message's record.
    pub fn inbound(self) -> Result<InboundMessageRecord, StoreError> {
        Ok(InboundMessageRecord {
            status: self.status()?,
            id: self.id,
            project_id: self.project_id,
            inbound_endpoint_id: self.endpoint_id,
            attempt_count: self.attempt_count,
            replay_count: self.replay_count,
            received_at: self.created_at,
            updated_at: self.updated_at,
            content_type: self.content_type,
            size_bytes: self.size_bytes,
            payload_sha256: self.payload_sha256,
            idempotency_key: self.idempotency_key,
            next_attempt_at: self.next_attempt_at,
            last_error: self.last_error,
            response_status: self.response_status,
            response_latency_ms: self.response_latency_ms,
            delivered_at: self.delivered_at,
            failed_at: self.failed_at,
            deleted_at: self.deleted_at,
            deleted_by_api_key_id: self.deleted_by_api_key_id,
        })
    }

    /// The message as listed in logs, with its list position.
    pub fn log_entry(self) -> Result<(ListCursor, LogEntry), StoreError> {
        let status = self.status()?;
        let cursor = ListCursor { created_at: self.created_at, id: self.id.clone() };
        let entry = LogEntry {
            message_id: self.id,
            endpoint_id: self.endpoint_id,
            destination_url: self.destination_url,
            status,
            attempt_count: self.attempt_count,
            created_at: self.created_at,
            delivered_at: self.delivered_at,
            next_attempt_at: self.next_attempt_at,
            response_status: self.response_status,
            response_latency_ms: self.response_latency_ms,
            last_error: self.last_error,
            failed_at: self.failed_at,
            deleted_at: self.deleted_at,
        };
        Ok((cursor, entry))
    }
}

/// A stored JSON list of strings (unreadable or missing: empty).
pub fn json_list(text: Option<String>) -> Vec<String> {
    text.and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default()
}

/// A list of strings as stored JSON.
pub fn list_json(list: &[String]) -> String {
    serde_json::to_string(list).unwrap_or_else(|_| "[]".into())
}

/// The inbound endpoint columns [`read_stored_inbound`] reads, in order.
pub const STORED_INBOUND_COLUMNS: &str = "id, project_id, name, description, url, secret_token_hash, verify_static_token, \
     token_header_name, token_query_param, token_value_hash, verify_hmac, hmac_header_name, hmac_secret, \
     timestamp_header_name, timestamp_ttl_seconds, verify_ip_allowlist, allowed_cidrs, idempotency_header_names, \
     ingest_response_code, signing_enabled, paused, deleted_at IS NOT NULL, mode, verification_preset";

/// Reads a row selected with [`STORED_INBOUND_COLUMNS`]; the HMAC secret is still sealed
/// (see [`open_stored_inbound`]).
pub fn read_stored_inbound<C: Columns>(r: &C) -> Result<StoredInbound, C::Error> {
    Ok(StoredInbound {
        id: r.text(0)?,
        project_id: r.text(1)?,
        profile: InboundProfile {
            name: r.text(2)?,
            description: r.opt_text(3)?,
            url: r.text(4)?,
            mode: InboundMode::from_stored(&r.text(22)?),
        },
        secret_token_hash: r.text(5)?,
        settings: InboundSettings {
            signing_enabled: r.flag(19)?,
            verification_preset: VerificationPreset::from_stored(&r.text(23)?),
            ..read_verification(r, 6)?
        },
        paused: r.flag(20)?,
        deleted: r.flag(21)?,
    })
}

/// The verification columns, in order, as [`read_verification`] reads them.
pub const VERIFICATION_COLUMNS: &str = "verify_static_token, token_header_name, token_query_param, token_value_hash, \
     verify_hmac, hmac_header_name, hmac_secret, timestamp_header_name, timestamp_ttl_seconds, verify_ip_allowlist, \
     allowed_cidrs, idempotency_header_names, ingest_response_code";

/// Reads the 13 [`VERIFICATION_COLUMNS`] from column `first` on (the HMAC secret still sealed;
/// `signing_enabled` false, the preset `custom`).
pub fn read_verification<C: Columns>(r: &C, first: usize) -> Result<InboundSettings, C::Error> {
    Ok(InboundSettings {
        verify_static_token: r.flag(first)?,
        token_header_name: r.opt_text(first + 1)?,
        token_query_param: r.opt_text(first + 2)?,
        token_value_hash: r.opt_text(first + 3)?,
        verify_hmac: r.flag(first + 4)?,
        hmac_header_name: r.opt_text(first + 5)?,
        hmac_secret: r.opt_text(first + 6)?,
        timestamp_header_name: r.opt_text(first + 7)?,
        timestamp_ttl_seconds: r.opt_int(first + 8)?,
        verify_ip_allowlist: r.flag(first + 9)?,
        allowed_cidrs: json_list(r.opt_text(first + 10)?),
        idempotency_header_names: json_list(r.opt_text(first + 11)?),
        ingest_response_code: r.int(first + 12)?,
        signing_enabled: false,
        verification_preset: VerificationPreset::Custom,
    })
}

/// Opens the sealed HMAC secret of a stored inbound endpoint.
pub fn open_stored_inbound(keys: &SecretBox, mut stored: StoredInbound) -> Result<StoredInbound, StoreError> {
    stored.settings.hmac_secret =
        keys.open_opt(SecretField::InboundHmacSecret, &stored.id, stored.settings.hmac_secret.as_deref())?;
    Ok(stored)
}

/// The inbound endpoint columns [`read_inbound_endpoint`] reads, in order.
pub const INBOUND_ENDPOINT_COLUMNS: &str = "id, name, url, paused, verify_static_token, verify_hmac, verify_ip_allowlist, \
     ingest_response_code, idempotency_header_names, signing_enabled, created_at, updated_at, description, mode, verification_preset";

/// Reads a live inbound endpoint selected with [`INBOUND_ENDPOINT_COLUMNS`].
pub fn read_inbound_endpoint<C: Columns>(r: &C) -> Result<InboundEndpointRecord, C::Error> {
    Ok(InboundEndpointRecord {
        id: r.text(0)?,
        name: r.text(1)?,
        url: r.text(2)?,
        paused: r.flag(3)?,
        verify_static_token: r.flag(4)?,
        verify_hmac: r.flag(5)?,
        verify_ip_allowlist: r.flag(6)?,
        ingest_response_code: r.int(7)?,
        idempotency_header_names: json_list(r.opt_text(8)?),
        signing_enabled: r.flag(9)?,
        created_at: r.int(10)?,
        updated_at: r.int(11)?,
        description: r.opt_text(12)?,
        mode: InboundMode::from_stored(&r.text(13)?),
        verification_preset: VerificationPreset::from_stored(&r.text(14)?),
    })
}

/// The columns [`read_inbound_summary`] reads, in order.
pub const INBOUND_SUMMARY_COLUMNS: &str = "id, name, url, paused, created_at, mode";

/// Reads a live inbound endpoint's list item with its list position.
pub fn read_inbound_summary<C: Columns>(r: &C) -> Result<(ListCursor, InboundEndpointListing), C::Error> {
    let (id, created_at) = (r.text(0)?, r.int(4)?);
    let cursor = ListCursor { created_at, id: id.clone() };
    let summary = InboundEndpointListing {
        id,
        name: r.text(1)?,
        url: r.text(2)?,
        mode: InboundMode::from_stored(&r.text(5)?),
        paused: r.flag(3)?,
        created_at,
    };
    Ok((cursor, summary))
}

/// The columns [`read_listen_size`] reads: a listen candidate's id and body size.
pub const LISTEN_SIZE_COLUMNS: &str = "id, size_bytes";

/// Reads a listen candidate selected with [`LISTEN_SIZE_COLUMNS`].
pub fn read_listen_size<C: Columns>(r: &C) -> Result<(String, i64), C::Error> {
    Ok((r.text(0)?, r.int(1)?))
}

/// The message columns [`read_listen`] reads, in order.
pub const LISTEN_COLUMNS: &str = "id, content_type, headers, size_bytes, created_at, payload";

/// Reads a stored request selected with [`LISTEN_COLUMNS`].
pub fn read_listen<C: Columns>(r: &C) -> Result<ListenRecord, C::Error> {
    Ok(ListenRecord {
        id: r.text(0)?,
        content_type: r.text(1)?,
        headers_json: r.opt_text(2)?,
        size_bytes: r.int(3)?,
        received_at: r.int(4)?,
        payload: r.opt_bytes(5)?,
    })
}

/// The rejection columns [`read_rejection`] reads, in order.
pub const REJECTION_COLUMNS: &str =
    "id, reason_code, received_at, inbound_endpoint_id, reason_detail, source_ip, headers_redacted";

/// Reads a rejection with its list position.
pub fn read_rejection<C: Columns>(r: &C) -> Result<(ListCursor, RejectionRecord), C::Error> {
    let (id, received_at) = (r.text(0)?, r.int(2)?);
    let cursor = ListCursor { created_at: received_at, id: id.clone() };
    let rejection = RejectionRecord {
        id,
        reason_code: r.text(1)?,
        received_at,
        inbound_endpoint_id: r.opt_text(3)?,
        reason_detail: r.opt_text(4)?,
        source_ip: r.opt_text(5)?,
        headers_redacted: r.opt_text(6)?,
    };
    Ok((cursor, rejection))
}

/// A signing key as listed: its id, a hint of its (opened) secret, and when it was made.
pub fn signing_key_listing(id: String, secret: &str, created_at: i64) -> SigningKeyRecord {
    SigningKeyRecord { id, key_hint: crate::ids::key_hint(secret), created_at }
}

/// The outbound endpoint columns [`read_endpoint`] reads, in order.
pub const ENDPOINT_COLUMNS: &str =
    "id, url, created_at, updated_at, paused, description, rate_limit_rps, burst, headers, signature_scheme";

/// Reads a live outbound endpoint selected with [`ENDPOINT_COLUMNS`]; its headers are still
/// sealed (the backend opens them).
pub fn read_endpoint<C: Columns>(r: &C) -> Result<EndpointRecord, C::Error> {
    Ok(EndpointRecord {
        id: r.text(0)?,
        url: r.text(1)?,
        created_at: r.int(2)?,
        updated_at: r.int(3)?,
        paused: r.flag(4)?,
        description: r.opt_text(5)?,
        rate_limit_rps: Some(r.int(6)?),
        burst: Some(r.int(7)?),
        headers_json: r.opt_text(8)?,
        signature_scheme: stored_scheme(&r.text(9)?),
    })
}

/// The columns [`read_endpoint_listing`] reads, in order.
pub const ENDPOINT_LISTING_COLUMNS: &str = "id, url, created_at, paused, description";

/// Reads a live outbound endpoint's list item with its list position.
pub fn read_endpoint_listing<C: Columns>(r: &C) -> Result<(ListCursor, EndpointListing), C::Error> {
    let (id, created_at) = (r.text(0)?, r.int(2)?);
    let cursor = ListCursor { created_at, id: id.clone() };
    let listing = EndpointListing { id, url: r.text(1)?, created_at, paused: r.flag(3)?, description: r.opt_text(4)? };
    Ok((cursor, listing))
}

/// The project columns [`read_project`] reads, in order.
pub const PROJECT_COLUMNS: &str = "id, tenant_id, name, status, rate_limit_default, created_at";

/// Reads a project selected with [`PROJECT_COLUMNS`].
pub fn read_project<C: Columns>(r: &C) -> Result<ProjectRecord, C::Error> {
    Ok(ProjectRecord {
        id: r.text(0)?,
        tenant_id: r.text(1)?,
        name: r.text(2)?,
        status: r.text(3)?,
        rate_limit_default: r.int(4)?,
        created_at: r.int(5)?,
    })
}

/// A stored `signature_scheme` (an unknown name reads as the default, `hookbridge`).
pub fn stored_scheme(name: &str) -> SignatureScheme {
    SignatureScheme::parse(name).unwrap_or_default()
}
