//! Log exports, including the redirect-based download.

use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::seg;
use crate::client::Client;
use crate::error::Result;
use crate::models::ExportRecord;
use crate::time::TimeArg;
use crate::transport::Call;

/// What to export.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CreateExportOptions {
    /// Start of the range (messages created at or after).
    pub start_time: TimeArg,
    /// End of the range.
    pub end_time: TimeArg,
    /// Only this status.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub status: Option<String>,
    /// Only this endpoint.
    #[serde(default)]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub endpoint_id: Option<String>,
}

#[derive(Serialize)]
struct ExportBody<'a> {
    start_time: String,
    end_time: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    endpoint_id: Option<&'a str>,
}

impl Client {
    /// Starts an export job; it runs in the background (poll [`Client::get_export`]).
    pub async fn create_export(&self, options: &CreateExportOptions) -> Result<ExportRecord> {
        let body = ExportBody {
            start_time: options.start_time.to_wire(),
            end_time: options.end_time.to_wire(),
            status: options.status.as_deref(),
            endpoint_id: options.endpoint_id.as_deref(),
        };
        self.data(Call::new(Method::POST, "/v1/exports").json(&body)?).await
    }

    /// Every export of the project.
    pub async fn list_exports(&self) -> Result<Vec<ExportRecord>> {
        self.data(Call::new(Method::GET, "/v1/exports")).await
    }

    /// Deletes an export and its content (the answer body is ignored).
    pub async fn delete_export(&self, export_id: &str) -> Result<()> {
        self.ignore(Call::new(Method::DELETE, format!("/v1/exports/{}", seg(export_id)))).await
    }

    /// One export.
    pub async fn get_export(&self, export_id: &str) -> Result<ExportRecord> {
        self.data(Call::new(Method::GET, format!("/v1/exports/{}", seg(export_id)))).await
    }

    /// The time-limited download URL of a completed export (the `Location` of the server's redirect).
    pub async fn download_export(&self, export_id: &str) -> Result<String> {
        let mut call = Call::new(Method::GET, format!("/v1/exports/{}/download", seg(export_id)));
        call.expects_redirect = true;
        self.redirect(call).await
    }
}
