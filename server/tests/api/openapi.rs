//! `/openapi.json` is generated from the route table: the two cannot disagree, every
//! operationId is unique snake_case, every `$ref` resolves, and `/docs` renders it with an
//! embedded renderer only.

use std::collections::{BTreeSet, HashSet};

use serde_json::Value;

use crate::harness::Server;
use crate::support::Raw;

/// Every `$ref` in `value`.
fn refs<'a>(value: &'a Value, found: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                match (key.as_str(), child) {
                    ("$ref", Value::String(target)) => found.push(target),
                    _ => refs(child, found),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| refs(item, found)),
        _ => {}
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_openapi_document_covers_every_route() {
    let server = Server::start(&[]);
    let doc = Raw::with_key(&server.url, None).get("/openapi.json").await;
    assert_eq!(doc.status, 200);
    assert_eq!(doc.body["openapi"], "3.1.0");
    let routes = hookbridge_server::http::all_routes();
    assert!(routes.len() > 40, "the route table is complete ({} routes)", routes.len());
    for route in &routes {
        let op = &doc.body["paths"][route.path][route.method.to_ascii_lowercase()];
        assert!(op.is_object(), "{} {} is documented", route.method, route.path);
        assert_eq!(op["summary"], route.summary);
        assert_eq!(op["operationId"], route.doc.id);
        assert_eq!(op.get("security").is_some(), route.authenticated, "{} {} security", route.method, route.path);
    }
    // Nothing else: every documented operation is a routed one.
    let routed: BTreeSet<(String, String)> = routes.iter().map(|r| (r.method.to_ascii_lowercase(), r.path.to_owned())).collect();
    let mut documented = BTreeSet::new();
    for (path, item) in doc.body["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys() {
            documented.insert((method.clone(), path.clone()));
        }
    }
    assert_eq!(documented, routed, "the document lists exactly the routed operations");
}

#[tokio::test(flavor = "multi_thread")]
async fn operation_ids_are_unique_snake_case_and_every_ref_resolves() {
    let server = Server::start(&[]);
    let doc = Raw::with_key(&server.url, None).get("/openapi.json").await.body;
    let mut ids = HashSet::new();
    for item in doc["paths"].as_object().expect("paths").values() {
        for op in item.as_object().expect("path item").values() {
            let id = op["operationId"].as_str().expect("operationId");
            assert!(!id.is_empty() && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'), "{id}");
            assert!(ids.insert(id.to_owned()), "operationId {id} is used twice");
            assert!(op["responses"]["default"].is_object(), "{id} documents its error answer");
        }
    }
    // The SDK's names.
    for id in ["create_endpoint", "get_message", "send", "replay", "cancel_retry", "list_inbound_rejections", "ack_pull_events"] {
        assert!(ids.contains(id), "{id}");
    }
    let mut found = Vec::new();
    refs(&doc, &mut found);
    assert!(found.len() > 50, "schemas are referenced ({} refs)", found.len());
    for target in found {
        let pointer = target.strip_prefix('#').unwrap_or_else(|| panic!("{target} is local"));
        assert!(doc.pointer(pointer).is_some(), "{target} resolves");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn operations_name_their_bodies_queries_and_answers() {
    let server = Server::start(&[]);
    let doc = Raw::with_key(&server.url, None).get("/openapi.json").await.body;
    let create = &doc["paths"]["/v1/endpoints"]["post"];
    let body = &create["requestBody"]["content"]["application/json"]["schema"]["$ref"];
    let body = doc.pointer(body.as_str().expect("body ref").trim_start_matches('#')).cloned().expect("body schema");
    assert_eq!(body["required"], serde_json::json!(["url"]));
    assert!(body["properties"]["rate_limit_rps"].is_object());
    let created = &create["responses"]["201"]["content"]["application/json"]["schema"];
    assert_eq!(created["required"], serde_json::json!(["data", "meta"]));
    assert_eq!(created["properties"]["data"]["$ref"], "#/components/schemas/CreateEndpointResponse");
    let secret = &doc["components"]["schemas"]["CreateEndpointResponse"]["properties"]["signing_secret"];
    assert_eq!(secret["type"], "string");
    assert_eq!(create["responses"]["default"]["$ref"], "#/components/responses/Error");
    assert_eq!(doc["components"]["schemas"]["ErrorEnvelope"]["required"], serde_json::json!(["error", "meta"]));
    assert_eq!(doc["components"]["securitySchemes"]["bearerAuth"]["scheme"], "bearer");
    // Query parameters with their limits.
    let params = doc["paths"]["/v1/logs"]["get"]["parameters"].as_array().expect("logs parameters");
    let limit = params.iter().find(|p| p["name"] == "limit").expect("limit parameter");
    assert_eq!(limit["in"], "query");
    assert_eq!(limit["schema"]["minimum"], 1);
    assert_eq!(limit["schema"]["maximum"], 500);
    assert!(params.iter().any(|p| p["name"] == "status"), "{params:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn docs_page_renders_the_document_with_embedded_assets_only() {
    let server = Server::start(&[]);
    let http = reqwest::Client::new();
    let page = http.get(format!("{}/docs", server.url)).send().await.expect("GET /docs");
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"].to_str().expect("csp").to_owned();
    assert!(csp.contains("default-src 'none'") && csp.contains("script-src 'self';"), "{csp}");
    assert!(page.headers()["content-type"].to_str().expect("type").starts_with("text/html"));
    let html = page.text().await.expect("page");
    assert!(html.contains("/docs/redoc.standalone.js") && html.contains("/docs/init.js"), "{html}");
    assert!(!html.contains("http://") && !html.contains("https://"), "no external URL in {html}");
    assert!(!html.contains("<script>"), "no inline script: the policy forbids it");
    let script = http.get(format!("{}/docs/redoc.standalone.js", server.url)).send().await.expect("GET bundle");
    assert_eq!(script.status(), 200);
    assert!(script.headers()["content-type"].to_str().expect("type").starts_with("text/javascript"));
    assert!(script.bytes().await.expect("bundle").len() > 500_000, "the whole Redoc bundle is served");
    let init = http.get(format!("{}/docs/init.js", server.url)).send().await.expect("GET init").text().await.expect("init");
    assert!(init.contains("Redoc.init('/openapi.json'"), "{init}");
}
