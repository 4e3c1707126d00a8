//! SQLite implementation of [`TenancyStore`]: bootstrap, authentication, projects and API keys.

use rusqlite::{Connection, OptionalExtension, params};

use super::{SqliteStore, api_keys, server_settings};
use crate::clock::now_millis;
use crate::domain::keys::{ConfiguredKey, bootstrap_key};
use crate::ids;
use crate::store::rows::{PROJECT_COLUMNS, read_project};
use crate::store::tenancy::{
    DEFAULT_PROJECT_NAME, DEFAULT_PROJECT_RATE_LIMIT, DataDirMode, KeyMode, KeyRank, KeyScope, last_used_is_stale,
};
use crate::store::{ApiKeyRecord, AuthenticatedKey, BootstrapOutcome, NewApiKey, ProjectRecord, StoreError, TenancyStore};

fn get_project(conn: &Connection, tenant_id: &str, project_id: &str) -> Result<Option<ProjectRecord>, StoreError> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {PROJECT_COLUMNS} FROM projects WHERE id = ?1 AND tenant_id = ?2 AND deleted_at IS NULL"
        ))?
        .query_row(params![project_id, tenant_id], |r| read_project(r))
        .optional()?)
}

fn insert_project(
    conn: &Connection,
    tenant_id: &str,
    name: &str,
    rate_limit: i64,
    now: i64,
) -> Result<ProjectRecord, StoreError> {
    let id = ids::uuid7();
    conn.prepare_cached(
        "INSERT INTO projects (id, tenant_id, name, status, rate_limit_default, created_at) VALUES (?1, ?2, ?3, 'active', ?4, ?5)",
    )?
    .execute(params![id, tenant_id, name, rate_limit, now])?;
    Ok(ProjectRecord {
        id,
        tenant_id: tenant_id.to_owned(),
        name: name.to_owned(),
        status: "active".into(),
        rate_limit_default: rate_limit,
        created_at: now,
    })
}

fn bootstrap(conn: &Connection, api_key: Option<String>, mode: DataDirMode) -> Result<BootstrapOutcome, StoreError> {
    let now = now_millis();
    server_settings::record_data_dir_mode(conn, mode)?;
    let default_project: Option<String> = conn
        .query_row("SELECT id FROM projects WHERE deleted_at IS NULL ORDER BY created_at, id LIMIT 1", [], |r| r.get(0))
        .optional()?;
    let Some(project_id) = default_project else {
        let tenant = format!("tenant_{}", &uuid::Uuid::new_v4().simple().to_string()[..24]);
        let project = insert_project(conn, &tenant, DEFAULT_PROJECT_NAME, DEFAULT_PROJECT_RATE_LIMIT, now)?;
        let (key, generated) = match api_key {
            Some(key) => (key, false),
            None => (ids::api_key(KeyMode::Live), true),
        };
        api_keys::insert(conn, &bootstrap_key(&project.id, &key, now))?;
        tracing::info!(project_id = %project.id, "created the default project and its first (admin) API key");
        return Ok(BootstrapOutcome { created_key: generated.then_some(key), configured_key_revoked: None });
    };
    let mut outcome = BootstrapOutcome::default();
    if let Some(key) = api_key {
        let hash = ids::sha256_hex(key.as_bytes());
        let existing: Option<(String, Option<i64>, String)> = conn
            .query_row("SELECT id, revoked_at, scope FROM api_keys WHERE key_hash = ?1", params![hash], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?;
        let stored = existing.map(|(id, revoked_at, scope)| (id, revoked_at.is_some(), KeyScope::parse(&scope)));
        match ConfiguredKey::decide(stored) {
            ConfiguredKey::Add => {
                let record = bootstrap_key(&project_id, &key, now);
                tracing::info!(key_id = %record.id, "added the configured API key to the default project as an admin key");
                api_keys::insert(conn, &record)?;
            }
            ConfiguredKey::StaysRevoked(id) => outcome.configured_key_revoked = Some(id),
            ConfiguredKey::Promote(id) => {
                tracing::info!(key_id = %id, "the configured API key is now an admin key");
                conn.execute("UPDATE api_keys SET scope = ?2 WHERE id = ?1", params![id, KeyScope::Admin.as_str()])?;
            }
            ConfiguredKey::Keep => {}
        }
    }
    Ok(outcome)
}

#[async_trait::async_trait]
impl TenancyStore for SqliteStore {
    async fn data_dir_mode(&self, dev_key_hash: String) -> Result<Option<DataDirMode>, StoreError> {
        self.read(move |conn| server_settings::data_dir_mode(conn, &dev_key_hash)).await
    }

    async fn ensure_bootstrap(&self, api_key: Option<String>, mode: DataDirMode) -> Result<BootstrapOutcome, StoreError> {
        self.write(move |conn| bootstrap(conn, api_key.clone(), mode)).await
    }

    async fn authenticate(&self, key_hash: &str) -> Result<Option<AuthenticatedKey>, StoreError> {
        let hash = key_hash.to_owned();
        let Some(found) = self.read(move |conn| api_keys::lookup(conn, &hash)).await? else {
            return Ok(None);
        };
        let now = now_millis();
        if last_used_is_stale(found.last_used_at, now) {
            // Off the request's path: the answer does not wait for this write.
            let store = self.clone();
            let key_id = found.caller.key_id.clone();
            tokio::spawn(async move {
                if let Err(e) = store.write(move |conn| api_keys::touch(conn, &key_id, now)).await {
                    tracing::debug!(error = %e, "could not record last_used_at");
                }
            });
        }
        Ok(Some(found.caller))
    }

    async fn list_projects(&self, tenant_id: &str) -> Result<Vec<ProjectRecord>, StoreError> {
        let tenant = tenant_id.to_owned();
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {PROJECT_COLUMNS} FROM projects WHERE tenant_id = ?1 AND deleted_at IS NULL ORDER BY created_at, id"
            ))?;
            let rows = stmt.query_map(params![tenant], |r| read_project(r))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn create_project(&self, tenant_id: &str, name: String, rate_limit_default: i64) -> Result<ProjectRecord, StoreError> {
        let tenant = tenant_id.to_owned();
        self.write(move |conn| insert_project(conn, &tenant, &name, rate_limit_default, now_millis())).await
    }

    async fn get_project(&self, tenant_id: &str, project_id: &str) -> Result<Option<ProjectRecord>, StoreError> {
        let (tenant, id) = (tenant_id.to_owned(), project_id.to_owned());
        self.read(move |conn| get_project(conn, &tenant, &id)).await
    }

    async fn update_project(
        &self,
        tenant_id: &str,
        project_id: &str,
        name: Option<String>,
        rate_limit_default: Option<i64>,
    ) -> Result<Option<ProjectRecord>, StoreError> {
        let (tenant, id) = (tenant_id.to_owned(), project_id.to_owned());
        self.write(move |conn| {
            if get_project(conn, &tenant, &id)?.is_none() {
                return Ok(None);
            }
            conn.prepare_cached(
                "UPDATE projects SET name = COALESCE(?2, name), rate_limit_default = COALESCE(?3, rate_limit_default) WHERE id = ?1",
            )?
            .execute(params![id, name, rate_limit_default])?;
            get_project(conn, &tenant, &id)
        })
        .await
    }

    async fn delete_project(&self, tenant_id: &str, project_id: &str) -> Result<Option<Vec<String>>, StoreError> {
        let (tenant, id) = (tenant_id.to_owned(), project_id.to_owned());
        self.write(move |conn| {
            let now = now_millis();
            let n = conn
                .prepare_cached(
                    "UPDATE projects SET deleted_at = ?3, status = 'deleted' WHERE id = ?1 AND tenant_id = ?2 AND deleted_at IS NULL",
                )?
                .execute(params![id, tenant, now])?;
            if n == 0 {
                return Ok(None);
            }
            Ok(Some(api_keys::revoke_all(conn, &id, now)?))
        })
        .await
    }

    async fn list_api_keys(&self, project_id: &str) -> Result<Vec<ApiKeyRecord>, StoreError> {
        let id = project_id.to_owned();
        self.read(move |conn| api_keys::list(conn, &id)).await
    }

    async fn api_key_rank(&self, project_id: &str, key_id: &str) -> Result<Option<KeyRank>, StoreError> {
        let (project, key) = (project_id.to_owned(), key_id.to_owned());
        self.read(move |conn| api_keys::rank(conn, &project, &key)).await
    }

    async fn create_api_key(&self, key: NewApiKey) -> Result<(), StoreError> {
        self.write(move |conn| api_keys::insert(conn, &key)).await
    }

    async fn delete_api_key(&self, project_id: &str, key_id: &str) -> Result<bool, StoreError> {
        let (project, key) = (project_id.to_owned(), key_id.to_owned());
        self.write(move |conn| api_keys::revoke(conn, &project, &key, now_millis())).await
    }
}
