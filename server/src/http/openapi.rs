//! The OpenAPI 3.1 document, generated from the route table.

use std::sync::Arc;

use axum::Json;
use serde_json::{Map, Value, json};

use super::Route;

/// Builds the document from the routes.
pub fn document(routes: &[Route]) -> Value {
    let mut paths = Map::new();
    for route in routes {
        let path = paths.entry(route.path.to_owned()).or_insert_with(|| json!({}));
        let mut op = json!({
            "summary": route.summary,
            "operationId": format!("{} {}", route.method, route.path),
            "responses": { "default": { "description": "The HookBridge envelope: {data, meta} or {error, meta}" } },
        });
        if route.authenticated {
            op["security"] = json!([{ "bearerAuth": [] }]);
        }
        let params: Vec<Value> = route
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }))
            .collect();
        if !params.is_empty() {
            op["parameters"] = Value::Array(params);
        }
        path[route.method.to_ascii_lowercase()] = op;
    }
    json!({
        "openapi": "3.1.0",
        "info": { "title": "HookBridge API (self-hosted)", "version": env!("CARGO_PKG_VERSION") },
        "paths": paths,
        "components": { "securitySchemes": { "bearerAuth": { "type": "http", "scheme": "bearer" } } },
    })
}

/// Serves the prebuilt document.
pub async fn serve(document: Arc<Value>) -> Json<Value> {
    Json((*document).clone())
}
