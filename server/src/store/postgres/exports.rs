//! PostgreSQL: [`ExportStore`]. Exports are built by whichever node claims them, under a lease
//! (`lease_until`, `leased_by`) that every write of content renews; a node that dies loses the
//! lease and another node claims the export (`FOR UPDATE SKIP LOCKED`) and builds it again. The
//! content lives in `export_contents`, one row per part, so any node serves any download.

use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

use super::{PgStore, pg_err};
use crate::secrets::SecretField;
use crate::store::exports::{EXPORT_COLUMNS, ExportColumns};
use crate::store::{CompletedExport, ExportCreate, ExportStore, NewExport, StoreError, StoredExport};

/// Serializes export creation per project, so the per-project cap holds across nodes.
const CREATE_LOCK: i32 = 0x4845_5850; // "HEXP"

impl PgStore {
    fn export(&self, row: &Row) -> Result<StoredExport, StoreError> {
        ExportColumns::read(row).map_err(|e| StoreError::Corrupt(format!("export row: {e}")))?.into_export(&self.secrets())
    }

    async fn one_export(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Option<StoredExport>, StoreError> {
        let client = self.client().await?;
        let stmt = client.prepare_cached(sql).await.map_err(pg_err)?;
        let row = client.query_opt(&stmt, params).await.map_err(pg_err)?;
        row.map(|r| self.export(&r)).transpose()
    }
}

#[async_trait::async_trait]
impl ExportStore for PgStore {
    async fn create_export(&self, export: NewExport, max_live: u32) -> Result<ExportCreate, StoreError> {
        let (e, id, created_at) = (&export.scope, &export.id, &export.created_at);
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_err)?;
        // Two nodes creating exports of one project at once would both see room under the cap.
        tx.execute("SELECT pg_advisory_xact_lock($1, hashtext($2))", &[&CREATE_LOCK, &e.project_id]).await.map_err(pg_err)?;
        let live: i64 = tx
            .query_one(
                "SELECT COUNT(*) FROM exports WHERE project_id = $1 \
                 AND (status IN ('pending', 'processing') OR (status = 'completed' AND expires_at > $2))",
                &[&e.project_id, created_at],
            )
            .await
            .map_err(pg_err)?
            .get(0);
        if live >= i64::from(max_live) {
            return Ok(ExportCreate::LimitReached(live));
        }
        let status = e.status.map(|s| s.as_str());
        let row = tx
            .query_one(
                &format!(
                    "INSERT INTO exports (id, project_id, status, filter_start_time, filter_end_time, filter_status, \
                     filter_endpoint_id, direction, created_at) VALUES ($1, $2, 'pending', $3, $4, $5, $6, $7, $8) \
                     RETURNING {EXPORT_COLUMNS}"
                ),
                &[id, &e.project_id, &e.start_ms, &e.end_ms, &status, &e.endpoint_id, &e.direction.as_str(), created_at],
            )
            .await
            .map_err(pg_err)?;
        let stored = self.export(&row)?;
        tx.commit().await.map_err(pg_err)?;
        Ok(ExportCreate::Created(Box::new(stored)))
    }

    async fn list_exports(&self, project_id: &str) -> Result<Vec<StoredExport>, StoreError> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(&format!(
                "SELECT {EXPORT_COLUMNS} FROM exports WHERE project_id = $1 ORDER BY created_at DESC, id DESC"
            ))
            .await
            .map_err(pg_err)?;
        let rows = client.query(&stmt, &[&project_id]).await.map_err(pg_err)?;
        rows.iter().map(|r| self.export(r)).collect()
    }

    async fn get_export(&self, project_id: &str, export_id: &str) -> Result<Option<StoredExport>, StoreError> {
        let sql = format!("SELECT {EXPORT_COLUMNS} FROM exports WHERE id = $1 AND project_id = $2");
        self.one_export(&sql, &[&export_id, &project_id]).await
    }

    async fn delete_export(&self, project_id: &str, export_id: &str) -> Result<bool, StoreError> {
        // Its content rows go with it (ON DELETE CASCADE).
        let client = self.client().await?;
        let stmt = client.prepare_cached("DELETE FROM exports WHERE id = $1 AND project_id = $2").await.map_err(pg_err)?;
        Ok(client.execute(&stmt, &[&export_id, &project_id]).await.map_err(pg_err)? > 0)
    }

    async fn get_export_for_download(&self, export_id: &str) -> Result<Option<StoredExport>, StoreError> {
        self.one_export(&format!("SELECT {EXPORT_COLUMNS} FROM exports WHERE id = $1"), &[&export_id]).await
    }

    async fn claim_export(&self, claimant: &str, now_ms: i64, lease_until: i64) -> Result<Option<StoredExport>, StoreError> {
        let sql = format!(
            "UPDATE exports SET status = 'processing', started_at = COALESCE(started_at, $1), lease_until = $2, \
             leased_by = $3 WHERE id = (SELECT id FROM exports WHERE status = 'pending' \
             OR (status = 'processing' AND (lease_until IS NULL OR lease_until <= $1)) \
             ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING {EXPORT_COLUMNS}"
        );
        self.one_export(&sql, &[&now_ms, &lease_until, &claimant]).await
    }

    async fn append_export_content(
        &self,
        export_id: &str,
        claimant: &str,
        part: i64,
        content: Vec<u8>,
        lease_until: i64,
    ) -> Result<bool, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_err)?;
        // Renewing the lease locks the export row: a node that lost its claim writes nothing.
        let held = tx
            .execute(
                "UPDATE exports SET lease_until = $3 WHERE id = $1 AND leased_by = $2 AND status = 'processing'",
                &[&export_id, &claimant, &lease_until],
            )
            .await
            .map_err(pg_err)?;
        if held == 0 {
            return Ok(false);
        }
        if part == 0 {
            tx.execute("DELETE FROM export_contents WHERE export_id = $1", &[&export_id]).await.map_err(pg_err)?;
        }
        tx.execute("INSERT INTO export_contents (export_id, part, content) VALUES ($1, $2, $3)", &[&export_id, &part, &content])
            .await
            .map_err(pg_err)?;
        tx.commit().await.map_err(pg_err)?;
        Ok(true)
    }

    async fn complete_export(&self, export_id: &str, claimant: &str, d: CompletedExport) -> Result<bool, StoreError> {
        let secret = self.secrets().seal(SecretField::ExportDownloadSecret, export_id, &d.download_secret)?;
        let client = self.client().await?;
        let n = client
            .execute(
                "UPDATE exports SET status = 'completed', row_count = $3, file_size_bytes = $4, download_token = $5, \
                 completed_at = $6, expires_at = $7, lease_until = NULL, leased_by = NULL \
                 WHERE id = $1 AND leased_by = $2 AND status = 'processing'",
                &[&export_id, &claimant, &d.row_count, &d.file_size_bytes, &secret, &d.completed_at, &d.expires_at],
            )
            .await
            .map_err(pg_err)?;
        Ok(n == 1)
    }

    async fn fail_export(&self, export_id: &str, claimant: &str, error: String, now_ms: i64) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_err)?;
        let n = tx
            .execute(
                "UPDATE exports SET status = 'failed', error_message = $3, completed_at = $4, lease_until = NULL, \
                 leased_by = NULL WHERE id = $1 AND leased_by = $2 AND status = 'processing'",
                &[&export_id, &claimant, &error, &now_ms],
            )
            .await
            .map_err(pg_err)?;
        if n == 1 {
            tx.execute("DELETE FROM export_contents WHERE export_id = $1", &[&export_id]).await.map_err(pg_err)?;
        }
        tx.commit().await.map_err(pg_err)
    }

    async fn export_content(&self, export_id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached("SELECT content FROM export_contents WHERE export_id = $1 ORDER BY part")
            .await
            .map_err(pg_err)?;
        let rows = client.query(&stmt, &[&export_id]).await.map_err(pg_err)?;
        if rows.is_empty() {
            return Ok(None);
        }
        let mut content = Vec::new();
        for row in rows {
            let part: &[u8] = row.try_get(0).map_err(|e| StoreError::Corrupt(format!("export content: {e}")))?;
            content.extend_from_slice(part);
        }
        Ok(Some(content))
    }

    async fn expire_exports(&self, now_ms: i64, limit: usize) -> Result<usize, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_err)?;
        let rows = tx
            .query(
                "UPDATE exports SET status = 'expired', file_path = NULL, download_token = NULL WHERE id IN \
                 (SELECT id FROM exports WHERE status = 'completed' AND expires_at <= $1 ORDER BY expires_at \
                 LIMIT $2 FOR UPDATE SKIP LOCKED) RETURNING id",
                &[&now_ms, &limit],
            )
            .await
            .map_err(pg_err)?;
        let ids: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
        tx.execute("DELETE FROM export_contents WHERE export_id = ANY($1)", &[&ids]).await.map_err(pg_err)?;
        tx.commit().await.map_err(pg_err)?;
        Ok(ids.len())
    }

    /// None: on a shared database a live node may be building any `processing` export; one
    /// whose builder died is claimed again once its lease ends.
    async fn fail_interrupted_exports(&self, _now_ms: i64) -> Result<Vec<String>, StoreError> {
        Ok(Vec::new())
    }
}
