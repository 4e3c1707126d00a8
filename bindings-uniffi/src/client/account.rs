//! API keys, projects, billing and log exports.

use super::HookBridgeClient;
use crate::error::HookBridgeError;
use crate::json::{JsonInput, json_text};
use hookbridge::CreateExportOptions;
use hookbridge::models::*;

type Result<T> = std::result::Result<T, HookBridgeError>;

#[uniffi::export(async_runtime = "tokio")]
impl HookBridgeClient {
    /// Every API key of the project (never the secrets).
    pub async fn list_api_keys(&self) -> Result<Vec<ApiKeyInfo>> {
        Ok(self.inner.list_api_keys().await?)
    }

    /// Creates a key; `mode` is `live` or `test`. The secret is returned only this once.
    #[uniffi::method(default(label = None))]
    pub async fn create_api_key(&self, mode: String, label: Option<String>) -> Result<CreateApiKeyResponse> {
        Ok(self.inner.create_api_key(&mode, label.as_deref()).await?)
    }

    /// Revokes a key immediately.
    pub async fn delete_api_key(&self, key_id: String) -> Result<()> {
        Ok(self.inner.delete_api_key(&key_id).await?)
    }

    /// Every project visible to the key.
    pub async fn list_projects(&self) -> Result<Vec<Project>> {
        Ok(self.inner.list_projects().await?)
    }

    /// Creates a project; `rate_limit_default` is requests per minute (0 = system default).
    #[uniffi::method(default(rate_limit_default = None))]
    pub async fn create_project(&self, name: String, rate_limit_default: Option<i64>) -> Result<Project> {
        Ok(self.inner.create_project(&name, rate_limit_default).await?)
    }

    /// One project.
    pub async fn get_project(&self, project_id: String) -> Result<Project> {
        Ok(self.inner.get_project(&project_id).await?)
    }

    /// Updates the given fields of a project.
    #[uniffi::method(default(name = None, rate_limit_default = None))]
    pub async fn update_project(
        &self,
        project_id: String,
        name: Option<String>,
        rate_limit_default: Option<i64>,
    ) -> Result<Project> {
        Ok(self.inner.update_project(&project_id, name.as_deref(), rate_limit_default).await?)
    }

    /// Deletes a project.
    pub async fn delete_project(&self, project_id: String) -> Result<()> {
        Ok(self.inner.delete_project(&project_id).await?)
    }

    /// The project's plan, limits and usage.
    pub async fn get_subscription(&self) -> Result<Subscription> {
        Ok(self.inner.get_subscription().await?)
    }

    /// Starts a checkout for `plan` billed per `interval` (`monthly`, `annual`).
    pub async fn create_checkout(&self, plan: String, interval: String) -> Result<CheckoutSession> {
        Ok(self.inner.create_checkout(&plan, &interval).await?)
    }

    /// Opens the billing portal; without `return_url` no body is sent.
    #[uniffi::method(default(return_url = None))]
    pub async fn create_portal(&self, return_url: Option<String>) -> Result<PortalSession> {
        Ok(self.inner.create_portal(return_url.as_deref()).await?)
    }

    /// Monthly usage, newest first (offset pagination).
    #[uniffi::method(default(limit = 12, offset = 0))]
    pub async fn get_usage_history(&self, limit: i64, offset: i64) -> Result<UsageHistoryResponse> {
        Ok(self.inner.get_usage_history(limit, offset).await?)
    }

    /// A page of invoices (Stripe-style pagination).
    #[uniffi::method(default(limit = 12, starting_after = None))]
    pub async fn get_invoices(&self, limit: i64, starting_after: Option<String>) -> Result<InvoicesResponse> {
        Ok(self.inner.get_invoices(limit, starting_after.as_deref()).await?)
    }

    /// Forwards a Stripe event (a JSON value); returns the server's `received` flag.
    pub async fn handle_stripe_webhook(&self, payload: JsonInput) -> Result<bool> {
        Ok(self.inner.handle_stripe_webhook(&payload.parse("payload")?).await?)
    }

    /// `handle_stripe_webhook` with the event as JSON text.
    pub async fn handle_stripe_webhook_json(&self, payload_json: String) -> Result<bool> {
        Ok(self.inner.handle_stripe_webhook(&json_text(&payload_json, "payload")?).await?)
    }

    /// Starts an export job; it runs in the background (poll `get_export`).
    pub async fn create_export(&self, options: CreateExportOptions) -> Result<ExportRecord> {
        Ok(self.inner.create_export(&options).await?)
    }

    /// Every export of the project.
    pub async fn list_exports(&self) -> Result<Vec<ExportRecord>> {
        Ok(self.inner.list_exports().await?)
    }

    /// One export.
    pub async fn get_export(&self, export_id: String) -> Result<ExportRecord> {
        Ok(self.inner.get_export(&export_id).await?)
    }

    /// The time-limited download URL of a completed export.
    pub async fn download_export(&self, export_id: String) -> Result<String> {
        Ok(self.inner.download_export(&export_id).await?)
    }
}
