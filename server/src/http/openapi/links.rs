//! OpenAPI response `links`, derived from the route table by one rule: an operation that answers
//! with the id of a resource links to every operation whose path takes that id.
//!
//! - A `POST` *creates* in its own path (`POST /v1/endpoints` makes what
//!   `/v1/endpoints/{endpoint_id}...` takes), or in the collection its [`Operation::creates_in`]
//!   names (`send` makes what `/v1/messages/{message_id}...` takes). Its link reads the id from
//!   `data`.
//! - A `GET` of a collection answering with a list links the same way to the *reads* (`GET`)
//!   of the first item (`data/0`): never to a change, since the first item may be what the
//!   caller stands on (its own API key, its project).
//!
//! The target takes the id in the parameter right after the collection
//! (`/v1/endpoints/{endpoint_id}`), or in one named after the resource outside any other
//! collection (`/v1/webhooks/receive/{inbound_endpoint_id}/...`). The id is the answer's
//! property named like the parameter (`message_id`), else `id`, else `<resource>_id`
//! (`signing_key_id` for `/signing-keys/{key_id}`). The target's other path parameters come from
//! the source's own path (`$request.path.endpoint_id`) or from the answer's property of the same
//! name (`secret_token`); a target with a parameter that neither side knows gets no link. Tools that follow links (schemathesis's
//! stateful phase, Redoc) then call the operations behind an id with real ids.
//!
//! [`Operation::creates_in`]: super::Operation::creates_in

use serde_json::{Map, Value, json};

use super::operation::Operation;
use super::params;

/// What the links are made from: one route's method, path and operation.
pub struct Route<'a> {
    /// HTTP method in upper case.
    pub method: &'static str,
    /// axum path, e.g. `/v1/messages/{message_id}`.
    pub path: &'static str,
    /// Its operation.
    pub doc: &'a Operation,
}

/// Adds the links of every route to `doc` (a document whose paths and schemas are complete).
pub fn add(doc: &mut Value, routes: &[Route<'_>]) {
    for source in routes {
        let Some(origin) = origin(doc, source) else { continue };
        let links: Map<String, Value> = routes
            .iter()
            .filter_map(|target| link(doc, source, &origin, target).map(|l| (target.doc.id.to_owned(), l)))
            .collect();
        if links.is_empty() {
            continue;
        }
        let responses = &mut doc["paths"][source.path][source.method.to_ascii_lowercase()]["responses"];
        for status in source.doc.statuses {
            if let Some(response) = responses.get_mut(status.to_string()).and_then(Value::as_object_mut) {
                response.insert("links".into(), Value::Object(links.clone()));
            }
        }
    }
}

/// Where a created resource is in an answer.
const CREATED: &str = "/data";
/// Where the first item of a list is in an answer.
const LIST_ITEM: &str = "/data/0";

/// Where the ids a source answers with live, and where in its answer they are.
struct Origin {
    /// The collection path the id belongs to, e.g. `/v1/endpoints`.
    collection: &'static str,
    /// JSON pointer of the object holding the id, e.g. `/data` or `/data/0`.
    pointer: &'static str,
    /// The property names of that object.
    properties: Vec<String>,
}

fn origin(doc: &Value, source: &Route<'_>) -> Option<Origin> {
    let status = source.doc.statuses.first()?.to_string();
    let method = source.method.to_ascii_lowercase();
    let answer = &doc["paths"][source.path][&method]["responses"][&status]["content"]["application/json"]["schema"];
    let data = resolve(doc, &answer["properties"]["data"])?;
    match source.method {
        "POST" => Some(Origin {
            collection: source.doc.creates_in.unwrap_or(source.path),
            pointer: CREATED,
            properties: property_names(resolve(doc, data)?),
        }),
        "GET" if !source.path.ends_with('}') => {
            let items = resolve(doc, data.get("items")?)?;
            Some(Origin { collection: source.path, pointer: LIST_ITEM, properties: property_names(items) })
        }
        _ => None,
    }
}

/// The link from `source` to `target`, if `target` takes the id `source` answers with.
fn link(doc: &Value, source: &Route<'_>, origin: &Origin, target: &Route<'_>) -> Option<Value> {
    if std::ptr::eq(source, target) || !doc["paths"][target.path].is_object() {
        return None;
    }
    // The first item of a list may be what the caller stands on (its own API key, its
    // project): a list links to reads only.
    if origin.pointer == LIST_ITEM && target.method != "GET" {
        return None;
    }
    let resource = origin.collection.rsplit('/').next()?;
    let singular = resource.strip_suffix('s').unwrap_or(resource).replace('-', "_");
    let id_param = id_param(origin.collection, &singular, target.path)?;
    let field = id_field(&origin.properties, id_param, &singular)?;
    let source_params: Vec<&str> = params::names(source.path).collect();
    let mut parameters = Map::new();
    for name in params::names(target.path) {
        let value = if name == id_param {
            format!("$response.body#{}/{field}", origin.pointer)
        } else if source_params.contains(&name) {
            format!("$request.path.{name}")
        } else if origin.properties.iter().any(|p| p == name) {
            format!("$response.body#{}/{name}", origin.pointer)
        } else {
            return None;
        };
        parameters.insert(format!("path.{name}"), Value::String(value));
    }
    Some(json!({
        "operationId": target.doc.id,
        "parameters": parameters,
        "description": format!("`{id_param}` is the `{field}` of this answer"),
    }))
}

/// The parameter of `target` that takes an id of `collection`: the one right after it
/// (`/v1/endpoints/{endpoint_id}/pause`), or one named after the resource in a path that is
/// not another collection's (`/v1/webhooks/receive/{inbound_endpoint_id}/...`).
fn id_param<'a>(collection: &str, singular: &str, target: &'a str) -> Option<&'a str> {
    if let Some(rest) = target.strip_prefix(collection).and_then(|rest| rest.strip_prefix("/{")) {
        return rest.split_once('}').map(|(name, _)| name);
    }
    let named = format!("{{{singular}_id}}");
    let segments: Vec<&str> = target.split('/').collect();
    let at = segments.iter().position(|segment| *segment == named)?;
    let before = segments.get(at.checked_sub(1)?)?;
    (!before.ends_with('s')).then(|| segments[at].trim_start_matches('{').trim_end_matches('}'))
}

/// The property holding the id that `{param}` of a `resource` collection takes.
fn id_field<'a>(properties: &'a [String], param: &str, singular: &str) -> Option<&'a str> {
    [param.to_owned(), "id".to_owned(), format!("{singular}_id")]
        .into_iter()
        .find_map(|name| properties.iter().find(|p| **p == name))
        .map(String::as_str)
}

/// `schema`, or the component it refers to.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> Option<&'a Value> {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(target) => doc.pointer(target.strip_prefix('#')?),
        None => Some(schema).filter(|s| s.is_object()),
    }
}

fn property_names(schema: &Value) -> Vec<String> {
    schema["properties"].as_object().map(|p| p.keys().cloned().collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_id_is_the_parameter_then_id_then_the_resource_id() {
        let props = |names: &[&str]| names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>();
        assert_eq!(id_field(&props(&["message_id", "id"]), "message_id", "message"), Some("message_id"));
        assert_eq!(id_field(&props(&["url", "id"]), "endpoint_id", "endpoint"), Some("id"));
        assert_eq!(id_field(&props(&["signing_key_id"]), "key_id", "signing_key"), Some("signing_key_id"));
        assert_eq!(id_field(&props(&["url"]), "endpoint_id", "endpoint"), None);
    }

    #[test]
    fn the_id_parameter_follows_the_collection_or_is_named_after_the_resource() {
        assert_eq!(id_param("/v1/endpoints", "endpoint", "/v1/endpoints/{endpoint_id}/pause"), Some("endpoint_id"));
        assert_eq!(id_param("/v1/endpoints", "endpoint", "/v1/inbound-endpoints/{endpoint_id}"), None);
        let ingest = "/v1/webhooks/receive/{inbound_endpoint_id}/{secret_token}";
        assert_eq!(id_param("/v1/inbound-endpoints", "inbound_endpoint", ingest), Some("inbound_endpoint_id"));
        assert_eq!(id_param("/v1/pull-endpoints", "pull_endpoint", ingest), None);
        assert_eq!(id_param("/v1/messages", "message", "/v1/dlq/replay/{message_id}"), Some("message_id"));
        assert_eq!(id_param("/v1/messages", "message", "/v1/messages/replay-all"), None);
    }
}
