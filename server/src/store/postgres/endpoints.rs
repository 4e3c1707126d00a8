//! PostgreSQL implementation of [`EndpointStore`]: outbound endpoints and their signing keys.
//! Custom headers (often the receiver's credentials) are stored sealed. A resume wakes every
//! node's delivery engine once it has committed.

use deadpool_postgres::GenericClient;

use super::{PgStore, is_unique_violation, pg_err, signing_keys};
use crate::secrets::{SecretBox, SecretField};
use crate::store::rows::{ENDPOINT_COLUMNS, ENDPOINT_LISTING_COLUMNS, read_endpoint, read_endpoint_listing};
use crate::store::{
    EndpointChanges, EndpointListing, EndpointRecord, EndpointStore, EndpointWrite, ListCursor, ListPage, NewEndpoint,
    SigningKeyRecord, SigningKeyWrite, StoreError,
};

/// Whether the project has this live endpoint; with `lock`, the row stays locked until the
/// transaction ends (so its signing keys change one writer at a time).
async fn live_endpoint_exists<C: GenericClient>(
    client: &C,
    project_id: &str,
    endpoint_id: &str,
    lock: bool,
) -> Result<bool, StoreError> {
    let sql = if lock {
        "SELECT 1 FROM endpoints WHERE id = $1 AND project_id = $2 AND deleted_at IS NULL FOR UPDATE"
    } else {
        "SELECT 1 FROM endpoints WHERE id = $1 AND project_id = $2 AND deleted_at IS NULL"
    };
    Ok(client.query_opt(sql, &[&endpoint_id, &project_id]).await.map_err(pg_err)?.is_some())
}

/// Opens the sealed headers JSON of an endpoint.
fn open_headers(keys: &SecretBox, endpoint_id: &str, sealed: Option<&str>) -> Result<Option<String>, StoreError> {
    Ok(keys.open_opt(SecretField::EndpointHeaders, endpoint_id, sealed)?)
}

#[async_trait::async_trait]
impl EndpointStore for PgStore {
    async fn create_endpoint(&self, e: NewEndpoint) -> Result<EndpointWrite<()>, StoreError> {
        let keys = self.secrets();
        let headers = keys.seal_opt(SecretField::EndpointHeaders, &e.id, e.headers_json.as_deref())?;
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_err)?;
        let inserted = tx
            .execute(
                "INSERT INTO endpoints (id, project_id, url, description, rate_limit_rps, burst, headers, paused, \
                 created_at, updated_at, signature_scheme) VALUES ($1, $2, $3, $4, $5, $6, $7, FALSE, $8, $8, $9)",
                &[
                    &e.id,
                    &e.project_id,
                    &e.url,
                    &e.description,
                    &e.rate_limit_rps,
                    &e.burst,
                    &headers,
                    &e.created_at,
                    &e.signature_scheme.as_str(),
                ],
            )
            .await;
        match inserted {
            Ok(_) => {}
            Err(err) if is_unique_violation(&err) => return Ok(EndpointWrite::DuplicateUrl),
            Err(err) => return Err(pg_err(err)),
        }
        signing_keys::insert(&tx, &keys, &e.id, &e.signing_key_id, &e.signing_secret, e.created_at).await?;
        tx.commit().await.map_err(pg_err)?;
        Ok(EndpointWrite::Done(()))
    }

    async fn get_endpoint(&self, project_id: &str, endpoint_id: &str) -> Result<Option<EndpointRecord>, StoreError> {
        let client = self.client().await?;
        let Some(r) = client
            .query_opt(
                &format!("SELECT {ENDPOINT_COLUMNS} FROM endpoints WHERE id = $1 AND project_id = $2 AND deleted_at IS NULL"),
                &[&endpoint_id, &project_id],
            )
            .await
            .map_err(pg_err)?
        else {
            return Ok(None);
        };
        let mut endpoint = read_endpoint(&r).map_err(pg_err)?;
        endpoint.headers_json = open_headers(&self.secrets(), endpoint_id, endpoint.headers_json.as_deref())?;
        Ok(Some(endpoint))
    }

    async fn list_endpoints(
        &self,
        project_id: &str,
        limit: usize,
        after: Option<ListCursor>,
    ) -> Result<ListPage<EndpointListing>, StoreError> {
        let (after_ts, after_id) = match &after {
            Some(c) => (Some(c.created_at), c.id.clone()),
            None => (None, String::new()),
        };
        let fetch = limit as i64 + 1;
        let client = self.client().await?;
        let rows = client
            .query(
                &format!(
                    "SELECT {ENDPOINT_LISTING_COLUMNS} FROM endpoints \
                     WHERE project_id = $1 AND deleted_at IS NULL \
                     AND ($2::BIGINT IS NULL OR created_at < $2 OR (created_at = $2 AND id < $3)) \
                     ORDER BY created_at DESC, id DESC LIMIT $4"
                ),
                &[&project_id, &after_ts, &after_id, &fetch],
            )
            .await
            .map_err(pg_err)?;
        let items = rows.iter().map(|r| read_endpoint_listing(r).map_err(pg_err)).collect::<Result<_, _>>()?;
        Ok(ListPage::from_overfetch(items, limit))
    }

    async fn update_endpoint(
        &self,
        project_id: &str,
        endpoint_id: &str,
        c: EndpointChanges,
        now_ms: i64,
    ) -> Result<EndpointWrite<()>, StoreError> {
        let keys = self.secrets();
        let set_description = c.description.is_some();
        let set_headers = c.headers_json.is_some();
        let sealed_headers =
            keys.seal_opt(SecretField::EndpointHeaders, endpoint_id, c.headers_json.clone().flatten().as_deref())?;
        let description = c.description.clone().flatten();
        let client = self.client().await?;
        let result = client
            .execute(
                "UPDATE endpoints SET url = COALESCE($3, url), \
                 description = CASE WHEN $4 THEN $5 ELSE description END, \
                 rate_limit_rps = COALESCE($6, rate_limit_rps), burst = COALESCE($7, burst), \
                 headers = CASE WHEN $8 THEN $9 ELSE headers END, updated_at = $10, \
                 signature_scheme = COALESCE($11, signature_scheme) \
                 WHERE id = $1 AND project_id = $2 AND deleted_at IS NULL",
                &[
                    &endpoint_id,
                    &project_id,
                    &c.url,
                    &set_description,
                    &description,
                    &c.rate_limit_rps,
                    &c.burst,
                    &set_headers,
                    &sealed_headers,
                    &now_ms,
                    &c.signature_scheme.map(|s| s.as_str()),
                ],
            )
            .await;
        match result {
            Ok(0) => Ok(EndpointWrite::NotFound),
            Ok(_) => Ok(EndpointWrite::Done(())),
            Err(e) if is_unique_violation(&e) => Ok(EndpointWrite::DuplicateUrl),
            Err(e) => Err(pg_err(e)),
        }
    }

    async fn delete_endpoint(&self, project_id: &str, endpoint_id: &str, now_ms: i64) -> Result<EndpointWrite<u64>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_err)?;
        let n = tx
            .execute(
                "UPDATE endpoints SET deleted_at = $3, updated_at = $3 WHERE id = $1 AND project_id = $2 AND deleted_at IS NULL",
                &[&endpoint_id, &project_id, &now_ms],
            )
            .await
            .map_err(pg_err)?;
        if n == 0 {
            return Ok(EndpointWrite::NotFound);
        }
        let failed = tx
            .execute(
                "UPDATE messages SET status = 'failed_permanent', next_attempt_at = NULL, failed_at = $2, \
                 last_error = 'endpoint deleted', updated_at = $2 \
                 WHERE endpoint_id = $1 AND direction = 'outbound' AND status IN ('queued', 'pending_retry', 'paused')",
                &[&endpoint_id, &now_ms],
            )
            .await
            .map_err(pg_err)?;
        tx.commit().await.map_err(pg_err)?;
        Ok(EndpointWrite::Done(failed))
    }

    async fn set_endpoint_paused(
        &self,
        project_id: &str,
        endpoint_id: &str,
        paused: bool,
        now_ms: i64,
    ) -> Result<EndpointWrite<u64>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_err)?;
        let n = tx
            .execute(
                "UPDATE endpoints SET paused = $3, updated_at = $4 WHERE id = $1 AND project_id = $2 AND deleted_at IS NULL",
                &[&endpoint_id, &project_id, &paused, &now_ms],
            )
            .await
            .map_err(pg_err)?;
        if n == 0 {
            return Ok(EndpointWrite::NotFound);
        }
        let changed = if paused {
            tx.execute(
                "UPDATE messages SET status = 'paused', updated_at = $2 \
                 WHERE endpoint_id = $1 AND direction = 'outbound' AND status = 'queued'",
                &[&endpoint_id, &now_ms],
            )
            .await
            .map_err(pg_err)?;
            0
        } else {
            tx.execute(
                "UPDATE messages SET status = 'queued', next_attempt_at = $2, updated_at = $2 \
                     WHERE endpoint_id = $1 AND direction = 'outbound' AND status = 'paused'",
                &[&endpoint_id, &now_ms],
            )
            .await
            .map_err(pg_err)?
        };
        tx.commit().await.map_err(pg_err)?;
        if !paused && changed > 0 {
            self.announce_work();
        }
        Ok(EndpointWrite::Done(changed))
    }

    async fn create_signing_key(
        &self,
        project_id: &str,
        endpoint_id: &str,
        key_id: String,
        secret: String,
        now_ms: i64,
    ) -> Result<SigningKeyWrite<()>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_err)?;
        if !live_endpoint_exists(&tx, project_id, endpoint_id, true).await? {
            return Ok(SigningKeyWrite::EndpointNotFound);
        }
        let result = signing_keys::add(&tx, &self.secrets(), endpoint_id, &key_id, &secret, now_ms).await?;
        tx.commit().await.map_err(pg_err)?;
        Ok(result)
    }

    async fn list_signing_keys(
        &self,
        project_id: &str,
        endpoint_id: &str,
    ) -> Result<SigningKeyWrite<Vec<SigningKeyRecord>>, StoreError> {
        let client = self.client().await?;
        if !live_endpoint_exists(&client, project_id, endpoint_id, false).await? {
            return Ok(SigningKeyWrite::EndpointNotFound);
        }
        Ok(SigningKeyWrite::Done(signing_keys::list(&client, &self.secrets(), endpoint_id).await?))
    }

    async fn delete_signing_key(
        &self,
        project_id: &str,
        endpoint_id: &str,
        key_id: &str,
        now_ms: i64,
    ) -> Result<SigningKeyWrite<()>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_err)?;
        if !live_endpoint_exists(&tx, project_id, endpoint_id, true).await? {
            return Ok(SigningKeyWrite::EndpointNotFound);
        }
        let result = signing_keys::delete(&tx, endpoint_id, key_id, now_ms).await?;
        tx.commit().await.map_err(pg_err)?;
        Ok(result)
    }
}
