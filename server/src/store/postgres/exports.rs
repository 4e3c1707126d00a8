//! PostgreSQL: ExportStore. (Being written: every method still answers "not yet".)
#![allow(unused_variables, unused_imports)]

use super::PgStore;
use crate::store::exports::*;
use crate::store::*;

#[allow(dead_code)]
fn not_yet() -> StoreError {
    StoreError::Database("not implemented on PostgreSQL yet".into())
}

#[async_trait::async_trait]
impl ExportStore for PgStore {
    async fn create_export(&self, export: NewExport, max_live: u32) -> Result<ExportCreate, StoreError> {
        Err(not_yet())
    }

    async fn list_exports(&self, project_id: &str) -> Result<Vec<StoredExport>, StoreError> {
        Err(not_yet())
    }

    async fn get_export(&self, project_id: &str, export_id: &str) -> Result<Option<StoredExport>, StoreError> {
        Err(not_yet())
    }

    async fn get_export_for_download(&self, export_id: &str) -> Result<Option<StoredExport>, StoreError> {
        Err(not_yet())
    }

    async fn start_export(&self, export_id: &str, now_ms: i64) -> Result<(), StoreError> {
        Err(not_yet())
    }

    async fn complete_export(&self, export_id: &str, done: CompletedExport) -> Result<(), StoreError> {
        Err(not_yet())
    }

    async fn fail_export(&self, export_id: &str, error: String, now_ms: i64) -> Result<(), StoreError> {
        Err(not_yet())
    }

    async fn expired_export_files(&self, now_ms: i64, limit: usize) -> Result<Vec<ExpiredExportFile>, StoreError> {
        Ok(Vec::new())
    }

    async fn forget_export_file(&self, export_id: &str) -> Result<(), StoreError> {
        Err(not_yet())
    }

    async fn fail_interrupted_exports(&self, now_ms: i64) -> Result<Vec<String>, StoreError> {
        Ok(Vec::new())
    }
}
