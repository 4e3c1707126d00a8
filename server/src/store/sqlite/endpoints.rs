//! SQLite implementation of [`EndpointStore`]: outbound endpoints and their signing keys. Custom
//! headers (often the receiver's credentials) are stored sealed ([`crate::secrets`]).

use rusqlite::{Connection, OptionalExtension, params};

use super::{SqliteStore, signing_keys};
use crate::secrets::{SecretBox, SecretField};
use crate::store::rows::{ENDPOINT_COLUMNS, ENDPOINT_LISTING_COLUMNS, read_endpoint, read_endpoint_listing};
use crate::store::{
    EndpointChanges, EndpointListing, EndpointRecord, EndpointStore, EndpointWrite, ListCursor, ListPage, NewEndpoint,
    SigningKeyRecord, SigningKeyWrite, StoreError,
};

/// Whether a database error is a violated unique index (a duplicate live URL).
fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation)
}

fn live_endpoint_exists(conn: &Connection, project_id: &str, endpoint_id: &str) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM endpoints WHERE id = ?1 AND project_id = ?2 AND deleted_at IS NULL")?
        .query_row(params![endpoint_id, project_id], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Opens the sealed headers JSON of an endpoint.
pub(super) fn open_headers(keys: &SecretBox, endpoint_id: &str, sealed: Option<&str>) -> Result<Option<String>, StoreError> {
    Ok(keys.open_opt(SecretField::EndpointHeaders, endpoint_id, sealed)?)
}

fn get_endpoint(
    conn: &Connection,
    keys: &SecretBox,
    project_id: &str,
    endpoint_id: &str,
) -> Result<Option<EndpointRecord>, StoreError> {
    let row = conn
        .prepare_cached(&format!(
            "SELECT {ENDPOINT_COLUMNS} FROM endpoints WHERE id = ?1 AND project_id = ?2 AND deleted_at IS NULL"
        ))?
        .query_row(params![endpoint_id, project_id], |r| read_endpoint(r))
        .optional()?;
    let Some(mut endpoint) = row else { return Ok(None) };
    endpoint.headers_json = open_headers(keys, endpoint_id, endpoint.headers_json.as_deref())?;
    Ok(Some(endpoint))
}

fn update(
    conn: &Connection,
    keys: &SecretBox,
    project_id: &str,
    endpoint_id: &str,
    c: &EndpointChanges,
    now: i64,
) -> Result<EndpointWrite<()>, StoreError> {
    if !live_endpoint_exists(conn, project_id, endpoint_id)? {
        return Ok(EndpointWrite::NotFound);
    }
    let set_description = c.description.is_some();
    let set_headers = c.headers_json.is_some();
    let sealed_headers = keys.seal_opt(SecretField::EndpointHeaders, endpoint_id, c.headers_json.clone().flatten().as_deref())?;
    let result = conn
        .prepare_cached(
            "UPDATE endpoints SET url = COALESCE(?2, url), \
             description = CASE WHEN ?3 THEN ?4 ELSE description END, \
             rate_limit_rps = COALESCE(?5, rate_limit_rps), burst = COALESCE(?6, burst), \
             headers = CASE WHEN ?7 THEN ?8 ELSE headers END, updated_at = ?9, \
             signature_scheme = COALESCE(?10, signature_scheme) WHERE id = ?1",
        )?
        .execute(params![
            endpoint_id,
            c.url,
            set_description,
            c.description.clone().flatten(),
            c.rate_limit_rps,
            c.burst,
            set_headers,
            sealed_headers,
            now,
            c.signature_scheme.map(|s| s.as_str())
        ]);
    match result {
        Ok(_) => Ok(EndpointWrite::Done(())),
        Err(e) if is_unique_violation(&e) => Ok(EndpointWrite::DuplicateUrl),
        Err(e) => Err(e.into()),
    }
}

#[async_trait::async_trait]
impl EndpointStore for SqliteStore {
    async fn create_endpoint(&self, e: NewEndpoint) -> Result<EndpointWrite<()>, StoreError> {
        let keys = self.secrets();
        self.write(move |conn| {
            let headers = keys.seal_opt(SecretField::EndpointHeaders, &e.id, e.headers_json.as_deref())?;
            let inserted = conn
                .prepare_cached(
                    "INSERT INTO endpoints (id, project_id, url, description, rate_limit_rps, burst, headers, paused, \
                     created_at, updated_at, signature_scheme) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0, ?8, ?8, ?9)",
                )?
                .execute(params![
                    e.id,
                    e.project_id,
                    e.url,
                    e.description,
                    e.rate_limit_rps,
                    e.burst,
                    headers,
                    e.created_at,
                    e.signature_scheme.as_str()
                ]);
            match inserted {
                Ok(_) => {}
                Err(err) if is_unique_violation(&err) => return Ok(EndpointWrite::DuplicateUrl),
                Err(err) => return Err(err.into()),
            }
            signing_keys::insert(conn, &keys, &e.id, &e.signing_key_id, &e.signing_secret, e.created_at)?;
            Ok(EndpointWrite::Done(()))
        })
        .await
    }

    async fn get_endpoint(&self, project_id: &str, endpoint_id: &str) -> Result<Option<EndpointRecord>, StoreError> {
        let (project, id, keys) = (project_id.to_owned(), endpoint_id.to_owned(), self.secrets());
        self.read(move |conn| get_endpoint(conn, &keys, &project, &id)).await
    }

    async fn list_endpoints(
        &self,
        project_id: &str,
        limit: usize,
        after: Option<ListCursor>,
    ) -> Result<ListPage<EndpointListing>, StoreError> {
        let project = project_id.to_owned();
        self.read(move |conn| {
            let (after_ts, after_id) = match &after {
                Some(c) => (Some(c.created_at), c.id.clone()),
                None => (None, String::new()),
            };
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {ENDPOINT_LISTING_COLUMNS} FROM endpoints \
                 WHERE project_id = ?1 AND deleted_at IS NULL \
                 AND (?2 IS NULL OR created_at < ?2 OR (created_at = ?2 AND id < ?3)) \
                 ORDER BY created_at DESC, id DESC LIMIT ?4"
            ))?;
            let rows = stmt.query_map(params![project, after_ts, after_id, limit as i64 + 1], |r| read_endpoint_listing(r))?;
            Ok(ListPage::from_overfetch(rows.collect::<Result<_, _>>()?, limit))
        })
        .await
    }

    async fn update_endpoint(
        &self,
        project_id: &str,
        endpoint_id: &str,
        changes: EndpointChanges,
        now_ms: i64,
    ) -> Result<EndpointWrite<()>, StoreError> {
        let (project, id, keys) = (project_id.to_owned(), endpoint_id.to_owned(), self.secrets());
        self.write(move |conn| update(conn, &keys, &project, &id, &changes, now_ms)).await
    }

    async fn delete_endpoint(&self, project_id: &str, endpoint_id: &str, now_ms: i64) -> Result<EndpointWrite<u64>, StoreError> {
        let (project, id) = (project_id.to_owned(), endpoint_id.to_owned());
        self.write(move |conn| {
            let n = conn
                .prepare_cached(
                    "UPDATE endpoints SET deleted_at = ?3, updated_at = ?3 WHERE id = ?1 AND project_id = ?2 AND deleted_at IS NULL",
                )?
                .execute(params![id, project, now_ms])?;
            if n == 0 {
                return Ok(EndpointWrite::NotFound);
            }
            let failed = conn
                .prepare_cached(super::held::FAIL_HELD_ON_DELETE)?
                .execute(params![id, now_ms])?
                + conn.prepare_cached(super::held::FAIL_RETRIES_ON_DELETE)?.execute(params![id, now_ms, project])?;
            Ok(EndpointWrite::Done(failed as u64))
        })
        .await
    }

    async fn set_endpoint_paused(
        &self,
        project_id: &str,
        endpoint_id: &str,
        paused: bool,
        now_ms: i64,
    ) -> Result<EndpointWrite<u64>, StoreError> {
        let (project, id) = (project_id.to_owned(), endpoint_id.to_owned());
        self.write(move |conn| {
            let n = conn
                .prepare_cached(
                    "UPDATE endpoints SET paused = ?3, updated_at = ?4 WHERE id = ?1 AND project_id = ?2 AND deleted_at IS NULL",
                )?
                .execute(params![id, project, paused, now_ms])?;
            if n == 0 {
                return Ok(EndpointWrite::NotFound);
            }
            if paused {
                conn.prepare_cached(super::held::PAUSE_OUTBOUND)?.execute(params![id, now_ms])?;
                Ok(EndpointWrite::Done(0))
            } else {
                let requeued = conn.prepare_cached(super::held::RESUME_OUTBOUND)?.execute(params![id, now_ms])?;
                Ok(EndpointWrite::Done(requeued as u64))
            }
        })
        .await
    }

    async fn create_signing_key(
        &self,
        project_id: &str,
        endpoint_id: &str,
        key_id: String,
        secret: String,
        now_ms: i64,
    ) -> Result<SigningKeyWrite<()>, StoreError> {
        let (project, id, keys) = (project_id.to_owned(), endpoint_id.to_owned(), self.secrets());
        self.write(move |conn| {
            if !live_endpoint_exists(conn, &project, &id)? {
                return Ok(SigningKeyWrite::EndpointNotFound);
            }
            signing_keys::add(conn, &keys, &id, &key_id, &secret, now_ms)
        })
        .await
    }

    async fn list_signing_keys(
        &self,
        project_id: &str,
        endpoint_id: &str,
    ) -> Result<SigningKeyWrite<Vec<SigningKeyRecord>>, StoreError> {
        let (project, id, keys) = (project_id.to_owned(), endpoint_id.to_owned(), self.secrets());
        self.read(move |conn| {
            if !live_endpoint_exists(conn, &project, &id)? {
                return Ok(SigningKeyWrite::EndpointNotFound);
            }
            Ok(SigningKeyWrite::Done(signing_keys::list(conn, &keys, &id)?))
        })
        .await
    }

    async fn delete_signing_key(
        &self,
        project_id: &str,
        endpoint_id: &str,
        key_id: &str,
        now_ms: i64,
    ) -> Result<SigningKeyWrite<()>, StoreError> {
        let (project, id, key) = (project_id.to_owned(), endpoint_id.to_owned(), key_id.to_owned());
        self.write(move |conn| {
            if !live_endpoint_exists(conn, &project, &id)? {
                return Ok(SigningKeyWrite::EndpointNotFound);
            }
            signing_keys::delete(conn, &id, &key, now_ms)
        })
        .await
    }
}
