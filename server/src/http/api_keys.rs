//! Routes: api_keys (to be written).

use super::Route;

/// The routes of this area.
pub fn routes() -> Vec<Route> {
    Vec::new()
}
