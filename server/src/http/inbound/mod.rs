//! Inbound webhooks over the API: endpoint management and signing keys
//! (`management`), listening to `cli`-mode endpoints (`listen`), inbound message replay and lookup (`messages`), logs, metrics and the
//! rejection log (`observability`), plus the ingest route itself (`ingest`, over the logic of [`crate::ingest`]).

mod ingest;
mod listen;
mod management;
pub(crate) mod messages;
mod observability;
pub(super) mod settings;

use super::Route;

/// The routes of this area.
pub fn routes() -> Vec<Route> {
    let mut routes = management::routes();
    routes.push(listen::route());
    routes.extend(messages::routes());
    routes.extend(observability::routes());
    routes.push(ingest::route());
    routes
}

/// Whether `id` can be an inbound endpoint or message id (a UUID); other ids are simply not found.
pub(crate) fn is_uuid(id: &str) -> bool {
    uuid::Uuid::parse_str(id).is_ok()
}
