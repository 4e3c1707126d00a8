//! The OpenAPI 3.1 document, generated from the route table: every [`Route`] carries an
//! [`Operation`] naming the Rust types its handler reads and writes, and their JSON Schemas
//! come from `schemars` derives on those same types. `/docs` renders it for people.

pub mod docs_page;
mod links;
mod operation;
mod params;

use std::sync::Arc;

use axum::Json;
use schemars::SchemaGenerator;
use schemars::generate::SchemaSettings;
use schemars::transform::{ReplaceBoolSchemas, Transform};
use serde_json::{Map, Value, json};

pub use operation::{Answer, Operation, SchemaFn, op};

use super::Route;

/// Where the document is served.
pub const DOCUMENT_PATH: &str = "/openapi.json";
/// The routes that serve the documentation itself (GET only, no API key, not in the document).
pub const DOCUMENTATION_PATHS: [&str; 4] = [DOCUMENT_PATH, docs_page::PAGE_PATH, docs_page::SCRIPT_PATH, docs_page::INIT_PATH];

/// Where the schemas live in the document.
const SCHEMAS: &str = "/components/schemas";

/// Builds the document from the routes.
pub fn document(routes: &[Route]) -> Value {
    let mut settings = SchemaSettings::draft2020_12();
    settings.definitions_path = SCHEMAS.into();
    settings.meta_schema = None;
    // `true` ("any JSON") is valid JSON Schema, but some generators want an object: `{}`.
    settings.transforms.push(Box::new(bool_to_object()));
    let mut generator = SchemaGenerator::new(settings);
    let mut paths = Map::new();
    for route in routes {
        let op = operation(route, &mut generator);
        let path = paths.entry(route.path.to_owned()).or_insert_with(|| json!({}));
        path[route.method.to_ascii_lowercase()] = op;
    }
    let mut schemas = generator.take_definitions(true);
    schemas.insert("ErrorEnvelope".into(), error_envelope());
    schemas.insert("SuccessMeta".into(), success_meta());
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": {
            "title": "HookBridge API (self-hosted)",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Send signed webhooks with retries, receive and verify inbound webhooks, and inspect \
                every delivery. Every JSON answer is an envelope: `{data, meta}` on success, `{error, meta}` \
                on failure; `meta.request_id` names the request in the server's log.",
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "responses": {
                "Error": {
                    "description": "The error envelope: a stable `code`, a message naming the problem",
                    "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ErrorEnvelope" } } },
                },
            },
            "securitySchemes": {
                "bearerAuth": { "type": "http", "scheme": "bearer", "description": "An API key: `Authorization: Bearer hb_...`" },
            },
        },
    });
    let linked: Vec<links::Route<'_>> =
        routes.iter().map(|r| links::Route { method: r.method, path: r.path, doc: &r.doc }).collect();
    links::add(&mut doc, &linked);
    doc
}

/// One operation object.
fn operation(route: &Route, generator: &mut SchemaGenerator) -> Value {
    let doc = &route.doc;
    let mut op = json!({ "operationId": doc.id, "summary": route.summary });
    if route.authenticated {
        op["security"] = json!([{ "bearerAuth": [] }]);
    }
    let mut params: Vec<Value> = params::names(route.path).map(|name| params::path_parameter(route.path, name)).collect();
    if let Some(query) = doc.query {
        params.extend(query_params(any_as_object(query(generator))));
    }
    if !params.is_empty() {
        op["parameters"] = Value::Array(params);
    }
    if let Some(body) = doc.body {
        op["requestBody"] = json!({
            "required": !doc.body_optional,
            "content": { "application/json": { "schema": any_as_object(body(generator)) } },
        });
    }
    let mut responses = Map::new();
    let success = success_content(doc.answer, generator);
    for status in doc.statuses {
        let mut response = json!({ "description": "Success" });
        if !success.is_null() {
            response["content"] = success.clone();
        }
        responses.insert(status.to_string(), response);
    }
    responses.insert("default".into(), json!({ "$ref": "#/components/responses/Error" }));
    op["responses"] = Value::Object(responses);
    op
}

/// Writes `true` as `{}`, leaving `additionalProperties` alone.
fn bool_to_object() -> ReplaceBoolSchemas {
    let mut transform = ReplaceBoolSchemas::default();
    transform.skip_additional_properties = true;
    transform
}

/// An inline schema with `true` written as `{}` (the definitions get the same transform).
fn any_as_object(mut schema: schemars::Schema) -> schemars::Schema {
    bool_to_object().transform(&mut schema);
    schema
}

/// One query parameter per property of the query type's object schema.
fn query_params(schema: schemars::Schema) -> Vec<Value> {
    let schema = schema.to_value();
    let required: Vec<&str> =
        schema["required"].as_array().map(|r| r.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
    let Some(properties) = schema["properties"].as_object() else { return Vec::new() };
    properties
        .iter()
        .map(|(name, property)| {
            let mut property = property.clone();
            let description = property.as_object_mut().and_then(|p| p.remove("description"));
            let mut param = json!({
                "name": name,
                "in": "query",
                "required": required.contains(&name.as_str()),
                "schema": property,
            });
            if let Some(description) = description {
                param["description"] = description;
            }
            param
        })
        .collect()
}

/// The `content` of a success answer.
fn success_content(answer: Answer, generator: &mut SchemaGenerator) -> Value {
    match answer {
        Answer::Envelope(data) => json!({ "application/json": { "schema": {
            "type": "object",
            "required": ["data", "meta"],
            "properties": {
                "data": any_as_object(data(generator)),
                "meta": { "$ref": "#/components/schemas/SuccessMeta" },
                "message": { "type": "string", "description": "A human-readable note on what was done" },
            },
        } } }),
        Answer::Bare(schema) => json!({ "application/json": { "schema": any_as_object(schema(generator)) } }),
        Answer::Raw(media_type) => {
            let mut content = Map::new();
            content.insert(media_type.to_owned(), json!({ "schema": { "type": "string" } }));
            Value::Object(content)
        }
        Answer::Empty => Value::Null,
    }
}

/// `{"error": {"code", "message", "details"?}, "meta": {"request_id"}}`.
fn error_envelope() -> Value {
    json!({
        "type": "object",
        "description": "Every error answer",
        "required": ["error", "meta"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": { "type": "string", "description": "Stable machine-readable code, e.g. `ENDPOINT_NOT_FOUND`" },
                    "message": { "type": "string", "description": "What went wrong, naming the offending field or value" },
                    "details": { "description": "Extra facts for some codes" },
                },
            },
            "meta": { "$ref": "#/components/schemas/SuccessMeta" },
        },
    })
}

/// `meta` of every answer: the request id, and pagination where a list has pages.
fn success_meta() -> Value {
    json!({
        "type": "object",
        "description": "The request id, plus pagination keys on lists",
        "required": ["request_id"],
        "properties": {
            "request_id": { "type": "string", "description": "This request's id (also the `X-Request-Id` header)" },
            "has_more": { "type": "boolean", "description": "Whether another page exists" },
            "next_cursor": { "type": ["string", "null"], "description": "Pass as `cursor` for the next page" },
            "total": { "type": "integer" },
            "limit": { "type": "integer" },
            "offset": { "type": "integer" },
        },
    })
}

/// Serves the prebuilt document.
pub async fn serve(document: Arc<Value>) -> Json<Value> {
    Json((*document).clone())
}
