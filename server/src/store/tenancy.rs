//! Projects and API keys: key scopes and modes, the data dir's creation mode, and the storage
//! trait behind them.

use super::{ApiKeyRecord, AuthenticatedKey, BootstrapOutcome, NewApiKey, ProjectRecord, StoreError};

/// Name of the project created on first start.
pub const DEFAULT_PROJECT_NAME: &str = "Default";

/// API requests per minute of a project when none is given.
pub const DEFAULT_PROJECT_RATE_LIMIT: i64 = 1000;

/// What an API key may act on. `Project` < `Admin`: a key never creates a wider one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum KeyScope {
    /// Only resources of the key's own project.
    Project,
    /// Its own project, plus every project of the tenant and their keys.
    Admin,
}

impl KeyScope {
    /// The stored text.
    pub fn as_str(&self) -> &'static str {
        match self {
            KeyScope::Project => "project",
            KeyScope::Admin => "admin",
        }
    }

    /// Parses the stored text (anything unknown is the narrowest scope).
    pub fn parse(text: &str) -> KeyScope {
        if text == "admin" { KeyScope::Admin } else { KeyScope::Project }
    }
}

/// A key's mode, from its prefix. `Test` < `Live`: a test key never creates a live one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum KeyMode {
    /// `hb_test_…`.
    Test,
    /// `hb_live_…`.
    Live,
}

impl KeyMode {
    /// The stored text, also the key prefix's middle part.
    pub fn as_str(&self) -> &'static str {
        match self {
            KeyMode::Test => "test",
            KeyMode::Live => "live",
        }
    }

    /// Parses the stored text (anything unknown is the narrowest mode).
    pub fn parse(text: &str) -> KeyMode {
        if text == "live" { KeyMode::Live } else { KeyMode::Test }
    }

    /// The mode of a key's plaintext, from its prefix.
    pub fn of_key(key: &str) -> KeyMode {
        if key.starts_with("hb_live_") { KeyMode::Live } else { KeyMode::Test }
    }
}

/// How a data dir was created: `--dev` data dirs hold the publicly known dev key, so `--dev`
/// is refused on any other.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataDirMode {
    /// Created by `--dev`.
    Dev,
    /// Created without `--dev`.
    Production,
}

/// Name of the `server_settings` row holding the [`DataDirMode`].
pub const CREATED_MODE_SETTING: &str = "created_mode";

impl DataDirMode {
    /// The stored text.
    pub fn as_str(&self) -> &'static str {
        match self {
            DataDirMode::Dev => "dev",
            DataDirMode::Production => "production",
        }
    }

    /// The mode of a database: the recorded one; for a database from before the mode was
    /// recorded, `Dev` when its first key is the dev key (`dev_key_hash`), else `Production`;
    /// `None` for an empty database.
    pub fn of_database(recorded: Option<&str>, first_key_hash: Option<&str>, dev_key_hash: &str) -> Option<DataDirMode> {
        let is_dev = match (recorded, first_key_hash) {
            (Some(text), _) => text == DataDirMode::Dev.as_str(),
            (None, Some(hash)) => hash == dev_key_hash,
            (None, None) => return None,
        };
        Some(if is_dev { DataDirMode::Dev } else { DataDirMode::Production })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_dir_mode_is_the_recorded_one_else_told_by_the_first_key() {
        assert_eq!(DataDirMode::of_database(Some("dev"), Some("other"), "devhash"), Some(DataDirMode::Dev));
        assert_eq!(DataDirMode::of_database(Some("production"), None, "devhash"), Some(DataDirMode::Production));
        assert_eq!(DataDirMode::of_database(None, Some("devhash"), "devhash"), Some(DataDirMode::Dev));
        assert_eq!(DataDirMode::of_database(None, Some("other"), "devhash"), Some(DataDirMode::Production));
        assert_eq!(DataDirMode::of_database(None, None, "devhash"), None);
        assert!(last_used_is_stale(None, 0) && last_used_is_stale(Some(0), LAST_USED_RESOLUTION_MS));
        assert!(!last_used_is_stale(Some(1), LAST_USED_RESOLUTION_MS));
    }
}

/// Minimum time between two `last_used_at` writes of one key.
pub const LAST_USED_RESOLUTION_MS: i64 = 60_000;

/// Whether an authentication at `now_ms` should record `last_used_at` (at most once per
/// [`LAST_USED_RESOLUTION_MS`], so a busy key does not cost a write per request).
pub fn last_used_is_stale(last_used_at: Option<i64>, now_ms: i64) -> bool {
    last_used_at.is_none_or(|at| now_ms.saturating_sub(at) >= LAST_USED_RESOLUTION_MS)
}

/// Who a key is, as far as the rules on acting on other keys go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyRank {
    /// Its scope.
    pub scope: KeyScope,
    /// Its mode.
    pub mode: KeyMode,
}

impl KeyRank {
    /// Whether a key of this rank may create or revoke a key of rank `other` (never a wider one).
    pub fn covers(&self, other: KeyRank) -> bool {
        self.scope >= other.scope && self.mode >= other.mode
    }
}

/// Storage of projects and API keys.
#[async_trait::async_trait]
pub trait TenancyStore: Send + Sync {
    /// How the data dir was created; `None` while the database is still empty. Databases from
    /// before the mode was recorded count as dev when their first key is `dev_key_hash`.
    async fn data_dir_mode(&self, dev_key_hash: String) -> Result<Option<DataDirMode>, StoreError>;

    /// On an empty database: records `mode`, creates the default project and an admin API key
    /// (`api_key`, or a random live key) and returns the key's plaintext. On an existing
    /// database, a configured `api_key` that is unknown is added to the default project as an
    /// admin key; one that was revoked stays revoked (reported in the outcome).
    async fn ensure_bootstrap(&self, api_key: Option<String>, mode: DataDirMode) -> Result<BootstrapOutcome, StoreError>;

    /// The caller of a non-revoked key with this SHA-256 hex hash (records `last_used_at`).
    async fn authenticate(&self, key_hash: &str) -> Result<Option<AuthenticatedKey>, StoreError>;

    /// The tenant's live projects, oldest first.
    async fn list_projects(&self, tenant_id: &str) -> Result<Vec<ProjectRecord>, StoreError>;

    /// Creates a project in the tenant.
    async fn create_project(&self, tenant_id: &str, name: String, rate_limit_default: i64) -> Result<ProjectRecord, StoreError>;

    /// One live project of the tenant.
    async fn get_project(&self, tenant_id: &str, project_id: &str) -> Result<Option<ProjectRecord>, StoreError>;

    /// Changes the given fields of a live project of the tenant; `None` when there is none.
    async fn update_project(
        &self,
        tenant_id: &str,
        project_id: &str,
        name: Option<String>,
        rate_limit_default: Option<i64>,
    ) -> Result<Option<ProjectRecord>, StoreError>;

    /// Soft-deletes a project and revokes its keys; returns the revoked key ids, `None` when
    /// there is no such live project.
    async fn delete_project(&self, tenant_id: &str, project_id: &str) -> Result<Option<Vec<String>>, StoreError>;

    /// The project's active API keys, oldest first.
    async fn list_api_keys(&self, project_id: &str) -> Result<Vec<ApiKeyRecord>, StoreError>;

    /// The rank of an active key of the project; `None` when there is none.
    async fn api_key_rank(&self, project_id: &str, key_id: &str) -> Result<Option<KeyRank>, StoreError>;

    /// Stores a new API key.
    async fn create_api_key(&self, key: NewApiKey) -> Result<(), StoreError>;

    /// Revokes an active key of the project; false when there is none.
    async fn delete_api_key(&self, project_id: &str, key_id: &str) -> Result<bool, StoreError>;
}
