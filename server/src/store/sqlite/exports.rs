//! SQLite implementation of [`ExportStore`]. The download secret is stored sealed
//! ([`crate::secrets`]); the content lives in files in the data dir ([`super::export_files`]).
//! One process owns the database, so a claim needs no lease: what it left `processing` when it
//! died is failed at the next start.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, params};

use super::{SqliteStore, export_files};
use crate::secrets::{SecretBox, SecretField};
use crate::store::exports::{EXPORT_COLUMNS, ExportColumns};
use crate::store::{CompletedExport, ExportCreate, ExportStore, NewExport, StoreError, StoredExport};

fn get(
    conn: &Connection,
    keys: &SecretBox,
    project_id: Option<&str>,
    export_id: &str,
) -> Result<Option<StoredExport>, StoreError> {
    conn.prepare_cached(&format!("SELECT {EXPORT_COLUMNS} FROM exports WHERE id = ?1 AND (?2 IS NULL OR project_id = ?2)"))?
        .query_row(params![export_id, project_id], |r| ExportColumns::read(r))
        .optional()?
        .map(|e| e.into_export(keys))
        .transpose()
}

#[async_trait::async_trait]
impl ExportStore for SqliteStore {
    async fn create_export(&self, export: NewExport, max_live: u32) -> Result<ExportCreate, StoreError> {
        let keys = self.secrets();
        self.write(move |conn| {
            let (e, id, created_at) = (&export.scope, &export.id, export.created_at);
            let live: i64 = conn
                .prepare_cached(
                    "SELECT COUNT(*) FROM exports WHERE project_id = ?1 \
                     AND (status IN ('pending', 'processing') OR (status = 'completed' AND expires_at > ?2))",
                )?
                .query_row(params![e.project_id, created_at], |r| r.get(0))?;
            if live >= i64::from(max_live) {
                return Ok(ExportCreate::LimitReached(live));
            }
            conn.prepare_cached(
                "INSERT INTO exports (id, project_id, status, filter_start_time, filter_end_time, filter_status, \
                 filter_endpoint_id, direction, created_at) VALUES (?1, ?2, 'pending', ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                id,
                e.project_id,
                e.start_ms,
                e.end_ms,
                e.status.map(|s| s.as_str()),
                e.endpoint_id,
                e.direction.as_str(),
                created_at
            ])?;
            let stored = get(conn, &keys, None, id)?.ok_or_else(|| StoreError::Corrupt("export vanished after insert".into()))?;
            Ok(ExportCreate::Created(Box::new(stored)))
        })
        .await
    }

    async fn list_exports(&self, project_id: &str) -> Result<Vec<StoredExport>, StoreError> {
        let (project, keys) = (project_id.to_owned(), self.secrets());
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {EXPORT_COLUMNS} FROM exports WHERE project_id = ?1 ORDER BY created_at DESC, id DESC"
            ))?;
            let rows = stmt.query_map(params![project], |r| ExportColumns::read(r))?;
            rows.map(|row| row?.into_export(&keys)).collect()
        })
        .await
    }

    async fn get_export(&self, project_id: &str, export_id: &str) -> Result<Option<StoredExport>, StoreError> {
        let (project, id, keys) = (project_id.to_owned(), export_id.to_owned(), self.secrets());
        self.read(move |conn| get(conn, &keys, Some(&project), &id)).await
    }

    async fn get_export_for_download(&self, export_id: &str) -> Result<Option<StoredExport>, StoreError> {
        let (id, keys) = (export_id.to_owned(), self.secrets());
        self.read(move |conn| get(conn, &keys, None, &id)).await
    }

    async fn claim_export(&self, _claimant: &str, now_ms: i64, _lease_until: i64) -> Result<Option<StoredExport>, StoreError> {
        // Workers ask every few seconds: look on a reader before taking the writer.
        let waiting = self
            .read(|conn| Ok(conn.prepare_cached("SELECT 1 FROM exports WHERE status = 'pending' LIMIT 1")?.exists([])?))
            .await?;
        if !waiting {
            return Ok(None);
        }
        let keys = self.secrets();
        self.write(move |conn| {
            let claimed: Option<String> = conn
                .prepare_cached(
                    "UPDATE exports SET status = 'processing', started_at = ?1 WHERE id = \
                     (SELECT id FROM exports WHERE status = 'pending' ORDER BY created_at, id LIMIT 1) RETURNING id",
                )?
                .query_row(params![now_ms], |r| r.get(0))
                .optional()?;
            match claimed {
                Some(id) => get(conn, &keys, None, &id),
                None => Ok(None),
            }
        })
        .await
    }

    async fn append_export_content(
        &self,
        export_id: &str,
        _claimant: &str,
        part: i64,
        content: Vec<u8>,
        _lease_until: i64,
    ) -> Result<bool, StoreError> {
        export_files::write_part(&self.data_dir(), export_id, part, content).await.map_err(StoreError::Io)?;
        Ok(true)
    }

    async fn complete_export(&self, export_id: &str, _claimant: &str, d: CompletedExport) -> Result<bool, StoreError> {
        let path = export_files::path(&self.data_dir(), export_id);
        export_files::sync(&path).await.map_err(StoreError::Io)?;
        let (id, keys, file) = (export_id.to_owned(), self.secrets(), path.to_string_lossy().into_owned());
        self.write(move |conn| {
            let secret = keys.seal(SecretField::ExportDownloadSecret, &id, &d.download_secret)?;
            let n = conn.execute(
                "UPDATE exports SET status = 'completed', row_count = ?2, file_size_bytes = ?3, file_path = ?4, \
                 download_token = ?5, completed_at = ?6, expires_at = ?7 WHERE id = ?1 AND status = 'processing'",
                params![id, d.row_count, d.file_size_bytes, file, secret, d.completed_at, d.expires_at],
            )?;
            Ok(n == 1)
        })
        .await
    }

    async fn fail_export(&self, export_id: &str, _claimant: &str, error: String, now_ms: i64) -> Result<(), StoreError> {
        export_files::remove(&export_files::path(&self.data_dir(), export_id)).await.map_err(StoreError::Io)?;
        let id = export_id.to_owned();
        self.write(move |conn| {
            conn.execute(
                "UPDATE exports SET status = 'failed', error_message = ?2, completed_at = ?3 WHERE id = ?1",
                params![id, error, now_ms],
            )?;
            Ok(())
        })
        .await
    }

    async fn export_content(&self, export_id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let id = export_id.to_owned();
        let file: Option<String> = self
            .read(move |conn| {
                Ok(conn
                    .prepare_cached("SELECT file_path FROM exports WHERE id = ?1")?
                    .query_row(params![id], |r| r.get::<_, Option<String>>(0))
                    .optional()?
                    .flatten())
            })
            .await?;
        match file {
            Some(file) => export_files::read(Path::new(&file)).await.map_err(StoreError::Io),
            None => Ok(None),
        }
    }

    async fn delete_export(&self, project_id: &str, export_id: &str) -> Result<bool, StoreError> {
        let (project, id) = (project_id.to_owned(), export_id.to_owned());
        let file: Option<Option<String>> = self
            .write(move |conn| {
                Ok(conn
                    .prepare_cached("DELETE FROM exports WHERE id = ?1 AND project_id = ?2 RETURNING file_path")?
                    .query_row(params![id, project], |r| r.get(0))
                    .optional()?)
            })
            .await?;
        let Some(file) = file else { return Ok(false) };
        // The finished file, or the parts of one still being written.
        let path = file.map(PathBuf::from).unwrap_or_else(|| export_files::path(&self.data_dir(), export_id));
        export_files::remove(&path).await.map_err(StoreError::Io)?;
        Ok(true)
    }

    async fn expire_exports(&self, now_ms: i64, limit: usize) -> Result<usize, StoreError> {
        let expired: Vec<(String, String)> = self
            .read(move |conn| {
                let mut stmt = conn.prepare_cached(
                    "SELECT id, file_path FROM exports WHERE status = 'completed' AND expires_at <= ?1 \
                     AND file_path IS NOT NULL ORDER BY expires_at LIMIT ?2",
                )?;
                let rows = stmt.query_map(params![now_ms, limit as i64], |r| Ok((r.get(0)?, r.get(1)?)))?;
                Ok(rows.collect::<Result<_, _>>()?)
            })
            .await?;
        let mut deleted = Vec::with_capacity(expired.len());
        for (id, file) in expired {
            match export_files::remove(Path::new(&file)).await {
                Ok(()) => deleted.push(id),
                Err(error) => tracing::error!(export_id = %id, %error, "cannot delete an expired export file; will retry"),
            }
        }
        let count = deleted.len();
        self.write(move |conn| {
            let mut stmt = conn
                .prepare_cached("UPDATE exports SET status = 'expired', file_path = NULL, download_token = NULL WHERE id = ?1")?;
            for id in &deleted {
                stmt.execute(params![id])?;
            }
            Ok(())
        })
        .await?;
        Ok(count)
    }

    async fn fail_interrupted_exports(&self, now_ms: i64) -> Result<Vec<String>, StoreError> {
        let ids: Vec<String> = self
            .write(move |conn| {
                let mut stmt = conn.prepare_cached(
                    "UPDATE exports SET status = 'failed', error_message = 'interrupted by a server restart; start a new export', \
                     completed_at = ?1 WHERE status IN ('pending', 'processing') RETURNING id",
                )?;
                let rows = stmt.query_map(params![now_ms], |r| r.get::<_, String>(0))?;
                Ok(rows.collect::<Result<_, _>>()?)
            })
            .await?;
        let data_dir = self.data_dir();
        for id in &ids {
            export_files::remove(&export_files::path(&data_dir, id)).await.map_err(StoreError::Io)?;
        }
        Ok(ids)
    }
}

impl SqliteStore {
    /// The data dir, where export files live.
    fn data_dir(&self) -> PathBuf {
        self.path.parent().map(Path::to_path_buf).unwrap_or_default()
    }
}
