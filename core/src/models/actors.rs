//! Who did something: API key ids (and hosted user ids) resolved to display facts.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// Result of `lookup_actors` (`ActorLookupResult` in Python 2.0): id to facts (`label` for API
/// keys, `email` for users).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ActorLookupResult {
    /// Users by id (a self-hosted server has no user accounts: always empty or absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub users: Option<HashMap<String, HashMap<String, String>>>,
    /// API keys by id, each with its `label`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_keys: Option<HashMap<String, HashMap<String, String>>>,
}
