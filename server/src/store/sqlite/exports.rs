//! SQLite implementation of [`ExportStore`]. The download secret is stored sealed
//! ([`crate::secrets`]).

use hookbridge::ExportRecord;
use rusqlite::{Connection, OptionalExtension, params};

use super::SqliteStore;
use crate::clock::{opt_timestamp, timestamp};
use crate::secrets::{SecretBox, SecretField};
use crate::store::{
    CompletedExport, Direction, ExpiredExportFile, ExportCreate, ExportStore, NewExport, StoreError, StoredExport,
};

const COLUMNS: &str = "id, project_id, status, filter_start_time, filter_end_time, created_at, filter_status, \
    filter_endpoint_id, row_count, file_size_bytes, error_message, started_at, completed_at, expires_at, direction, \
    file_path, download_token";

fn export_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredExport> {
    let expires_at: Option<i64> = r.get(13)?;
    let direction: String = r.get(14)?;
    Ok(StoredExport {
        record: ExportRecord {
            id: r.get(0)?,
            project_id: r.get(1)?,
            status: r.get(2)?,
            filter_start_time: timestamp(r.get(3)?),
            filter_end_time: timestamp(r.get(4)?),
            created_at: timestamp(r.get(5)?),
            filter_status: r.get(6)?,
            filter_endpoint_id: r.get(7)?,
            row_count: r.get(8)?,
            file_size_bytes: r.get(9)?,
            error_message: r.get(10)?,
            started_at: opt_timestamp(r.get(11)?),
            completed_at: opt_timestamp(r.get(12)?),
            expires_at: opt_timestamp(expires_at),
        },
        direction: if direction == "inbound" { Direction::Inbound } else { Direction::Outbound },
        file_path: r.get(15)?,
        download_secret: r.get(16)?,
        expires_at_ms: expires_at,
    })
}

/// Opens the sealed download secret of a row read by [`export_row`].
fn opened(keys: &SecretBox, mut export: StoredExport) -> Result<StoredExport, StoreError> {
    export.download_secret =
        keys.open_opt(SecretField::ExportDownloadSecret, &export.record.id, export.download_secret.as_deref())?;
    Ok(export)
}

fn get(
    conn: &Connection,
    keys: &SecretBox,
    project_id: Option<&str>,
    export_id: &str,
) -> Result<Option<StoredExport>, StoreError> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM exports WHERE id = ?1 AND (?2 IS NULL OR project_id = ?2)"))?
        .query_row(params![export_id, project_id], export_row)
        .optional()?
        .map(|e| opened(keys, e))
        .transpose()
}

#[async_trait::async_trait]
impl ExportStore for SqliteStore {
    async fn create_export(&self, e: NewExport, max_live: u32) -> Result<ExportCreate, StoreError> {
        let keys = self.secrets();
        self.write(move |conn| {
            let live: i64 = conn
                .prepare_cached(
                    "SELECT COUNT(*) FROM exports WHERE project_id = ?1 \
                     AND (status IN ('pending', 'processing') OR (status = 'completed' AND expires_at > ?2))",
                )?
                .query_row(params![e.project_id, e.created_at], |r| r.get(0))?;
            if live >= i64::from(max_live) {
                return Ok(ExportCreate::LimitReached(live));
            }
            conn.prepare_cached(
                "INSERT INTO exports (id, project_id, status, filter_start_time, filter_end_time, filter_status, \
                 filter_endpoint_id, direction, created_at) VALUES (?1, ?2, 'pending', ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                e.id,
                e.project_id,
                e.start_ms,
                e.end_ms,
                e.status.map(|s| s.as_str()),
                e.endpoint_id,
                e.direction.as_str(),
                e.created_at
            ])?;
            let stored =
                get(conn, &keys, None, &e.id)?.ok_or_else(|| StoreError::Corrupt("export vanished after insert".into()))?;
            Ok(ExportCreate::Created(Box::new(stored)))
        })
        .await
    }

    async fn list_exports(&self, project_id: &str) -> Result<Vec<StoredExport>, StoreError> {
        let (project, keys) = (project_id.to_owned(), self.secrets());
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM exports WHERE project_id = ?1 ORDER BY created_at DESC, id DESC"
            ))?;
            let rows = stmt.query_map(params![project], export_row)?;
            rows.map(|row| opened(&keys, row?)).collect()
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

    async fn start_export(&self, export_id: &str, now_ms: i64) -> Result<(), StoreError> {
        let id = export_id.to_owned();
        self.write(move |conn| {
            conn.execute("UPDATE exports SET status = 'processing', started_at = ?2 WHERE id = ?1", params![id, now_ms])?;
            Ok(())
        })
        .await
    }

    async fn complete_export(&self, export_id: &str, d: CompletedExport) -> Result<(), StoreError> {
        let (id, keys) = (export_id.to_owned(), self.secrets());
        self.write(move |conn| {
            let secret = keys.seal(SecretField::ExportDownloadSecret, &id, &d.download_secret)?;
            conn.execute(
                "UPDATE exports SET status = 'completed', row_count = ?2, file_size_bytes = ?3, file_path = ?4, \
                 download_token = ?5, completed_at = ?6, expires_at = ?7 WHERE id = ?1",
                params![id, d.row_count, d.file_size_bytes, d.file_path, secret, d.completed_at, d.expires_at],
            )?;
            Ok(())
        })
        .await
    }

    async fn fail_export(&self, export_id: &str, error: String, now_ms: i64) -> Result<(), StoreError> {
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

    async fn expired_export_files(&self, now_ms: i64, limit: usize) -> Result<Vec<ExpiredExportFile>, StoreError> {
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id, file_path FROM exports WHERE status = 'completed' AND expires_at <= ?1 \
                 AND file_path IS NOT NULL ORDER BY expires_at LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![now_ms, limit as i64], |r| {
                Ok(ExpiredExportFile { export_id: r.get(0)?, file_path: r.get(1)? })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn forget_export_file(&self, export_id: &str) -> Result<(), StoreError> {
        let id = export_id.to_owned();
        self.write(move |conn| {
            conn.prepare_cached("UPDATE exports SET status = 'expired', file_path = NULL, download_token = NULL WHERE id = ?1")?
                .execute(params![id])?;
            Ok(())
        })
        .await
    }

    async fn fail_interrupted_exports(&self, now_ms: i64) -> Result<Vec<String>, StoreError> {
        self.write(move |conn| {
            let mut stmt = conn.prepare_cached(
                "UPDATE exports SET status = 'failed', error_message = 'interrupted by a server restart; start a new export', \
                 completed_at = ?1 WHERE status IN ('pending', 'processing') RETURNING id",
            )?;
            let rows = stmt.query_map(params![now_ms], |r| r.get::<_, String>(0))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }
}
