//! Projects.

use reqwest::Method;
use serde::Serialize;

use super::seg;
use crate::client::Client;
use crate::error::Result;
use crate::models::Project;
use crate::transport::Call;

#[derive(Serialize)]
struct ProjectBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rate_limit_default: Option<i64>,
}

impl Client {
    /// Every project visible to the key.
    pub async fn list_projects(&self) -> Result<Vec<Project>> {
        self.data(Call::new(Method::GET, "/v1/projects")).await
    }

    /// Creates a project; `rate_limit_default` is requests per minute (0 = system default).
    pub async fn create_project(&self, name: &str, rate_limit_default: Option<i64>) -> Result<Project> {
        let body = ProjectBody { name: Some(name), rate_limit_default };
        self.data(Call::new(Method::POST, "/v1/projects").json(&body)?).await
    }

    /// One project.
    pub async fn get_project(&self, project_id: &str) -> Result<Project> {
        self.data(Call::new(Method::GET, format!("/v1/projects/{}", seg(project_id)))).await
    }

    /// Updates the given fields of a project (`PUT` with partial semantics).
    pub async fn update_project(&self, project_id: &str, name: Option<&str>, rate_limit_default: Option<i64>) -> Result<Project> {
        let body = ProjectBody { name, rate_limit_default };
        self.data(Call::new(Method::PUT, format!("/v1/projects/{}", seg(project_id))).json(&body)?).await
    }

    /// Deletes a project.
    pub async fn delete_project(&self, project_id: &str) -> Result<()> {
        self.ignore(Call::new(Method::DELETE, format!("/v1/projects/{}", seg(project_id)))).await
    }
}
