//! SQLite implementation of [`ExportStore`].

use hookbridge::ExportRecord;
use rusqlite::{Connection, OptionalExtension, params};

use super::SqliteStore;
use crate::clock::{opt_timestamp, timestamp};
use crate::store::{CompletedExport, Direction, ExportStore, NewExport, StoreError, StoredExport};

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

fn get(conn: &Connection, project_id: Option<&str>, export_id: &str) -> Result<Option<StoredExport>, StoreError> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM exports WHERE id = ?1 AND (?2 IS NULL OR project_id = ?2)"))?
        .query_row(params![export_id, project_id], export_row)
        .optional()?)
}

#[async_trait::async_trait]
impl ExportStore for SqliteStore {
    async fn create_export(&self, e: NewExport) -> Result<StoredExport, StoreError> {
        self.write(move |conn| {
            conn.prepare_cached(
                "INSERT INTO exports (id, project_id, status, filter_start_time, filter_end_time, filter_status, \
                 filter_endpoint_id, direction, created_at) VALUES (?1, ?2, 'pending', ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                e.id,
                e.project_id,
                e.start_ms,
                e.end_ms,
                e.status,
                e.endpoint_id,
                e.direction.as_str(),
                e.created_at
            ])?;
            get(conn, None, &e.id)?.ok_or_else(|| StoreError::Corrupt("export vanished after insert".into()))
        })
        .await
    }

    async fn list_exports(&self, project_id: &str) -> Result<Vec<StoredExport>, StoreError> {
        let project = project_id.to_owned();
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM exports WHERE project_id = ?1 ORDER BY created_at DESC, id DESC"
            ))?;
            let rows = stmt.query_map(params![project], export_row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn get_export(&self, project_id: &str, export_id: &str) -> Result<Option<StoredExport>, StoreError> {
        let (project, id) = (project_id.to_owned(), export_id.to_owned());
        self.read(move |conn| get(conn, Some(&project), &id)).await
    }

    async fn get_export_for_download(&self, export_id: &str) -> Result<Option<StoredExport>, StoreError> {
        let id = export_id.to_owned();
        self.read(move |conn| get(conn, None, &id)).await
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
        let id = export_id.to_owned();
        self.write(move |conn| {
            conn.execute(
                "UPDATE exports SET status = 'completed', row_count = ?2, file_size_bytes = ?3, file_path = ?4, \
                 download_token = ?5, completed_at = ?6, expires_at = ?7 WHERE id = ?1",
                params![id, d.row_count, d.file_size_bytes, d.file_path, d.download_secret, d.completed_at, d.expires_at],
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
}
