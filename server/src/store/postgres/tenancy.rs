//! PostgreSQL implementation of [`TenancyStore`]: bootstrap, authentication, projects and API
//! keys. Bootstrap takes an advisory lock, so nodes starting together create one default project.

use tokio_postgres::types::ToSql;

use super::{PgStore, col, pg_err};
use crate::clock::now_millis;
use crate::domain::keys::{ConfiguredKey, bootstrap_key};
use crate::store::rows::{PROJECT_COLUMNS, read_project};
use crate::store::tenancy::{
    CREATED_MODE_SETTING, DEFAULT_PROJECT_NAME, DEFAULT_PROJECT_RATE_LIMIT, DataDirMode, KeyMode, KeyRank, KeyScope,
    last_used_is_stale,
};
use crate::store::{ApiKeyRecord, AuthenticatedKey, BootstrapOutcome, NewApiKey, ProjectRecord, StoreError, TenancyStore};

/// Advisory lock key of bootstrap.
const BOOTSTRAP_LOCK: i64 = 0x4842_424f_4f54_5354; // "HBBOOTST"

async fn insert_key<C: deadpool_postgres::GenericClient>(client: &C, key: &NewApiKey) -> Result<(), StoreError> {
    client
        .execute(
            "INSERT INTO api_keys (id, project_id, key_hash, prefix, mode, scope, label, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[
                &key.id,
                &key.project_id,
                &key.key_hash,
                &key.prefix,
                &key.mode.as_str(),
                &key.scope.as_str(),
                &key.label,
                &key.created_at,
            ],
        )
        .await
        .map_err(pg_err)?;
    Ok(())
}

async fn insert_project<C: deadpool_postgres::GenericClient>(
    client: &C,
    tenant_id: &str,
    name: &str,
    rate_limit: i64,
    now: i64,
) -> Result<ProjectRecord, StoreError> {
    let id = crate::ids::uuid7();
    client
        .execute(
            "INSERT INTO projects (id, tenant_id, name, status, rate_limit_default, created_at) VALUES ($1, $2, $3, 'active', $4, $5)",
            &[&id, &tenant_id, &name, &rate_limit, &now],
        )
        .await
        .map_err(pg_err)?;
    Ok(ProjectRecord {
        id,
        tenant_id: tenant_id.to_owned(),
        name: name.to_owned(),
        status: "active".into(),
        rate_limit_default: rate_limit,
        created_at: now,
    })
}

impl PgStore {
    async fn project(&self, tenant_id: &str, project_id: &str) -> Result<Option<ProjectRecord>, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                &format!("SELECT {PROJECT_COLUMNS} FROM projects WHERE id = $1 AND tenant_id = $2 AND deleted_at IS NULL"),
                &[&project_id, &tenant_id],
            )
            .await
            .map_err(pg_err)?;
        row.as_ref().map(|r| read_project(r).map_err(pg_err)).transpose()
    }

    async fn touch_key_later(&self, key_id: String, now: i64) {
        let store = self.clone();
        // Off the request's path: the answer does not wait for this write.
        tokio::spawn(async move {
            let result = async {
                let client = store.client().await?;
                client.execute("UPDATE api_keys SET last_used_at = $2 WHERE id = $1", &[&key_id, &now]).await.map_err(pg_err)
            }
            .await;
            if let Err(e) = result {
                tracing::debug!(error = %e, "could not record last_used_at");
            }
        });
    }
}

#[async_trait::async_trait]
impl TenancyStore for PgStore {
    async fn data_dir_mode(&self, dev_key_hash: String) -> Result<Option<DataDirMode>, StoreError> {
        let client = self.client().await?;
        let recorded = client
            .query_opt("SELECT value FROM server_settings WHERE name = $1", &[&CREATED_MODE_SETTING])
            .await
            .map_err(pg_err)?;
        let recorded: Option<String> = recorded.map(|row| col(&row, 0)).transpose()?;
        // The first key only matters for a database from before the mode was recorded.
        let first = match recorded {
            Some(_) => None,
            None => {
                client.query_opt("SELECT key_hash FROM api_keys ORDER BY created_at, id LIMIT 1", &[]).await.map_err(pg_err)?
            }
        };
        let first_key: Option<String> = first.map(|row| col(&row, 0)).transpose()?;
        Ok(DataDirMode::of_database(recorded.as_deref(), first_key.as_deref(), &dev_key_hash))
    }

    async fn ensure_bootstrap(&self, api_key: Option<String>, mode: DataDirMode) -> Result<BootstrapOutcome, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_err)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&BOOTSTRAP_LOCK]).await.map_err(pg_err)?;
        let now = now_millis();
        tx.execute(
            "INSERT INTO server_settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
            &[&CREATED_MODE_SETTING, &mode.as_str()],
        )
        .await
        .map_err(pg_err)?;
        let default_project = tx
            .query_opt("SELECT id FROM projects WHERE deleted_at IS NULL ORDER BY created_at, id LIMIT 1", &[])
            .await
            .map_err(pg_err)?;
        let mut outcome = BootstrapOutcome::default();
        match default_project {
            None => {
                let tenant = format!("tenant_{}", &uuid::Uuid::new_v4().simple().to_string()[..24]);
                let project = insert_project(&tx, &tenant, DEFAULT_PROJECT_NAME, DEFAULT_PROJECT_RATE_LIMIT, now).await?;
                let (key, generated) = match api_key {
                    Some(key) => (key, false),
                    None => (crate::ids::api_key(KeyMode::Live), true),
                };
                insert_key(&tx, &bootstrap_key(&project.id, &key, now)).await?;
                tracing::info!(project_id = %project.id, "created the default project and its first (admin) API key");
                outcome.created_key = generated.then_some(key);
            }
            Some(row) => {
                let project_id: String = col(&row, 0)?;
                if let Some(key) = api_key {
                    let hash = crate::ids::sha256_hex(key.as_bytes());
                    let stored = tx
                        .query_opt("SELECT id, revoked_at IS NOT NULL, scope FROM api_keys WHERE key_hash = $1", &[&hash])
                        .await
                        .map_err(pg_err)?
                        .map(|r| Ok::<_, StoreError>((col(&r, 0)?, col(&r, 1)?, KeyScope::parse(&col::<String>(&r, 2)?))))
                        .transpose()?;
                    match ConfiguredKey::decide(stored) {
                        ConfiguredKey::Add => {
                            let record = bootstrap_key(&project_id, &key, now);
                            tracing::info!(key_id = %record.id, "added the configured API key to the default project as an admin key");
                            insert_key(&tx, &record).await?;
                        }
                        ConfiguredKey::StaysRevoked(id) => outcome.configured_key_revoked = Some(id),
                        ConfiguredKey::Promote(id) => {
                            tracing::info!(key_id = %id, "the configured API key is now an admin key");
                            tx.execute("UPDATE api_keys SET scope = $2 WHERE id = $1", &[&id, &KeyScope::Admin.as_str()])
                                .await
                                .map_err(pg_err)?;
                        }
                        ConfiguredKey::Keep => {}
                    }
                }
            }
        }
        tx.commit().await.map_err(pg_err)?;
        Ok(outcome)
    }

    async fn authenticate(&self, key_hash: &str) -> Result<Option<AuthenticatedKey>, StoreError> {
        let client = self.client().await?;
        let statement = client
            .prepare_cached(
                "SELECT k.id, k.project_id, p.tenant_id, k.last_used_at, k.scope, k.mode, p.rate_limit_default \
                 FROM api_keys k JOIN projects p ON p.id = k.project_id \
                 WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND p.deleted_at IS NULL",
            )
            .await
            .map_err(pg_err)?;
        let Some(r) = client.query_opt(&statement, &[&key_hash]).await.map_err(pg_err)? else {
            return Ok(None);
        };
        drop(client);
        let caller = AuthenticatedKey {
            key_id: col(&r, 0)?,
            project_id: col(&r, 1)?,
            tenant_id: col(&r, 2)?,
            scope: KeyScope::parse(&col::<String>(&r, 4)?),
            mode: KeyMode::parse(&col::<String>(&r, 5)?),
            rate_limit_per_minute: col(&r, 6)?,
        };
        let last_used_at: Option<i64> = col(&r, 3)?;
        let now = now_millis();
        if last_used_is_stale(last_used_at, now) {
            self.touch_key_later(caller.key_id.clone(), now).await;
        }
        Ok(Some(caller))
    }

    async fn list_projects(&self, tenant_id: &str) -> Result<Vec<ProjectRecord>, StoreError> {
        let client = self.client().await?;
        let rows = client
            .query(
                &format!(
                    "SELECT {PROJECT_COLUMNS} FROM projects WHERE tenant_id = $1 AND deleted_at IS NULL ORDER BY created_at, id"
                ),
                &[&tenant_id],
            )
            .await
            .map_err(pg_err)?;
        rows.iter().map(|r| read_project(r).map_err(pg_err)).collect()
    }

    async fn create_project(&self, tenant_id: &str, name: String, rate_limit_default: i64) -> Result<ProjectRecord, StoreError> {
        let client = self.client().await?;
        insert_project(&client, tenant_id, &name, rate_limit_default, now_millis()).await
    }

    async fn get_project(&self, tenant_id: &str, project_id: &str) -> Result<Option<ProjectRecord>, StoreError> {
        self.project(tenant_id, project_id).await
    }

    async fn update_project(
        &self,
        tenant_id: &str,
        project_id: &str,
        name: Option<String>,
        rate_limit_default: Option<i64>,
    ) -> Result<Option<ProjectRecord>, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                &format!(
                    "UPDATE projects SET name = COALESCE($3, name), rate_limit_default = COALESCE($4, rate_limit_default) \
                     WHERE id = $1 AND tenant_id = $2 AND deleted_at IS NULL RETURNING {PROJECT_COLUMNS}"
                ),
                &[&project_id, &tenant_id, &name, &rate_limit_default],
            )
            .await
            .map_err(pg_err)?;
        row.as_ref().map(|r| read_project(r).map_err(pg_err)).transpose()
    }

    async fn delete_project(&self, tenant_id: &str, project_id: &str) -> Result<Option<Vec<String>>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_err)?;
        let now = now_millis();
        let n = tx
            .execute(
                "UPDATE projects SET deleted_at = $3, status = 'deleted' WHERE id = $1 AND tenant_id = $2 AND deleted_at IS NULL",
                &[&project_id, &tenant_id, &now],
            )
            .await
            .map_err(pg_err)?;
        if n == 0 {
            return Ok(None);
        }
        let rows = tx
            .query(
                "UPDATE api_keys SET revoked_at = $2 WHERE project_id = $1 AND revoked_at IS NULL RETURNING id",
                &[&project_id, &now],
            )
            .await
            .map_err(pg_err)?;
        let ids = rows.iter().map(|r| col(r, 0)).collect::<Result<Vec<String>, _>>()?;
        tx.commit().await.map_err(pg_err)?;
        Ok(Some(ids))
    }

    async fn list_api_keys(&self, project_id: &str) -> Result<Vec<ApiKeyRecord>, StoreError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT id, COALESCE(label, ''), prefix, created_at, last_used_at FROM api_keys \
                 WHERE project_id = $1 AND revoked_at IS NULL ORDER BY created_at, id",
                &[&project_id],
            )
            .await
            .map_err(pg_err)?;
        rows.iter()
            .map(|r| {
                Ok(ApiKeyRecord {
                    key_id: col(r, 0)?,
                    label: col(r, 1)?,
                    prefix: col(r, 2)?,
                    created_at: col(r, 3)?,
                    last_used_at: col(r, 4)?,
                })
            })
            .collect()
    }

    async fn api_key_rank(&self, project_id: &str, key_id: &str) -> Result<Option<KeyRank>, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT scope, mode FROM api_keys WHERE id = $1 AND project_id = $2 AND revoked_at IS NULL",
                &[&key_id, &project_id],
            )
            .await
            .map_err(pg_err)?;
        row.map(|r| Ok(KeyRank { scope: KeyScope::parse(&col::<String>(&r, 0)?), mode: KeyMode::parse(&col::<String>(&r, 1)?) }))
            .transpose()
    }

    async fn create_api_key(&self, key: NewApiKey) -> Result<(), StoreError> {
        let client = self.client().await?;
        insert_key(&client, &key).await
    }

    async fn delete_api_key(&self, project_id: &str, key_id: &str) -> Result<bool, StoreError> {
        let client = self.client().await?;
        let params: [&(dyn ToSql + Sync); 3] = [&key_id, &project_id, &now_millis()];
        let n = client
            .execute("UPDATE api_keys SET revoked_at = $3 WHERE id = $1 AND project_id = $2 AND revoked_at IS NULL", &params)
            .await
            .map_err(pg_err)?;
        Ok(n > 0)
    }
}
