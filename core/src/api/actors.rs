//! Resolving actor ids (API keys, hosted users) to display facts.

use reqwest::Method;

use crate::client::Client;
use crate::error::Result;
use crate::models::ActorLookupResult;
use crate::query::Query;
use crate::transport::Call;

impl Client {
    /// Looks up users and API keys by id; each list is sent comma-joined, only when non-empty.
    pub async fn lookup_actors(&self, user_ids: &[String], api_key_ids: &[String]) -> Result<ActorLookupResult> {
        let mut q = Query::new();
        if !user_ids.is_empty() {
            q.push("user_id", user_ids.join(","));
        }
        if !api_key_ids.is_empty() {
            q.push("api_key_id", api_key_ids.join(","));
        }
        self.data(Call::new(Method::GET, "/v1/actors/lookup").query(q)).await
    }
}
