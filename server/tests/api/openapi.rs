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

/// Every `(operationId, path, operation)` of the document.
fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
    let mut found = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for op in item.as_object().expect("path item").values() {
            found.push((op["operationId"].as_str().expect("operationId").to_owned(), path.clone(), op));
        }
    }
    found
}

#[tokio::test(flavor = "multi_thread")]
async fn every_link_targets_an_existing_operation_and_fills_each_of_its_path_parameters() {
    let server = Server::start(&[]);
    let doc = Raw::with_key(&server.url, None).get("/openapi.json").await.body;
    let ops = operations(&doc);
    let by_id = |id: &str| ops.iter().find(|(op_id, _, _)| op_id == id).map(|(_, path, op)| (path.clone(), *op));
    let mut links = BTreeSet::new();
    for (source, source_path, op) in &ops {
        for (status, response) in op["responses"].as_object().expect("responses") {
            let Some(found) = response.get("links") else { continue };
            assert!(status.starts_with('2'), "{source}: links only on success answers, not {status}");
            for (name, link) in found.as_object().expect("links") {
                let target = link["operationId"].as_str().expect("link operationId");
                assert_eq!(name, target, "{source}: a link is named after its target");
                let (target_path, _) = by_id(target).unwrap_or_else(|| panic!("{source} links to unknown {target}"));
                let wanted: BTreeSet<String> = target_path
                    .split('/')
                    .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
                    .map(|p| format!("path.{p}"))
                    .collect();
                let given = link["parameters"].as_object().expect("link parameters");
                assert_eq!(given.keys().cloned().collect::<BTreeSet<_>>(), wanted, "{source} -> {target}");
                for (param, expr) in given {
                    let expr = expr.as_str().expect("runtime expression");
                    if let Some(name) = expr.strip_prefix("$request.path.") {
                        assert!(source_path.contains(&format!("{{{name}}}")), "{source} -> {target}: {param} = {expr}");
                    } else {
                        // The pointer names a property of the answer's documented `data`.
                        let pointer = expr.strip_prefix("$response.body#/data/").expect("a pointer into data");
                        let field = pointer.strip_prefix("0/").unwrap_or(pointer);
                        let schema = &op["responses"][status]["content"]["application/json"]["schema"]["properties"]["data"];
                        let schema = if pointer.starts_with("0/") { &schema["items"] } else { schema };
                        let schema = match schema["$ref"].as_str() {
                            Some(r) => doc.pointer(r.trim_start_matches('#')).expect("data schema"),
                            None => schema,
                        };
                        assert!(schema["properties"][field].is_object(), "{source} -> {target}: {field} in {schema}");
                    }
                }
                links.insert((source.clone(), target.to_owned()));
            }
        }
    }
    // The resources behind an id are reachable from where the id is made.
    for (source, target) in [
        ("create_endpoint", "get_endpoint"),
        ("create_endpoint", "rotate_endpoint_secret"),
        ("create_endpoint", "delete_endpoint"),
        ("create_endpoint_signing_key", "delete_endpoint_signing_key"),
        ("send", "get_message"),
        ("send", "get_message_attempts"),
        ("send", "replay"),
        ("send", "cancel_retry"),
        ("send", "retry_now"),
        ("send", "replay_from_dlq"),
        ("create_inbound_endpoint", "pause_inbound_endpoint"),
        ("create_inbound_endpoint", "receive_inbound_webhook"),
        ("receive_inbound_webhook", "get_inbound_message"),
        ("create_pull_endpoint", "receive_pull_webhook"),
        ("list_pull_events", "get_pull_event"),
        ("create_api_key", "delete_api_key"),
        ("create_project", "delete_project"),
        ("create_export", "download_export"),
    ] {
        assert!(links.contains(&(source.to_owned(), target.to_owned())), "{source} links to {target}");
    }
    // A list never links to a change: its first item may be the caller's own key or project.
    for (source, target) in
        [("list_api_keys", "delete_api_key"), ("list_projects", "delete_project"), ("list_endpoints", "delete_endpoint")]
    {
        assert!(!links.contains(&(source.to_owned(), target.to_owned())), "{source} must not link to {target}");
    }
    // Only where the id is of the right kind: an outbound endpoint is not an inbound one.
    assert!(!links.contains(&("create_endpoint".to_owned(), "get_inbound_endpoint".to_owned())));
    assert!(!links.contains(&("create_inbound_endpoint".to_owned(), "receive_pull_webhook".to_owned())));
    let create = &doc["paths"]["/v1/inbound-endpoints"]["post"]["responses"]["201"]["links"]["receive_inbound_webhook"];
    assert_eq!(create["parameters"]["path.inbound_endpoint_id"], "$response.body#/data/id");
    assert_eq!(create["parameters"]["path.secret_token"], "$response.body#/data/secret_token");
}

#[tokio::test(flavor = "multi_thread")]
async fn path_parameters_state_the_format_of_the_ids_the_server_makes() {
    let server = Server::start(&[]);
    let doc = Raw::with_key(&server.url, None).get("/openapi.json").await.body;
    let mut checked = 0;
    for (id, path, op) in operations(&doc) {
        for param in op["parameters"].as_array().into_iter().flatten().filter(|p| p["in"] == "path") {
            let pattern = param["schema"]["pattern"].as_str();
            assert!(pattern.is_some_and(|p| p.starts_with('^') && p.ends_with('$')), "{id} {path}: {param}");
            checked += 1;
        }
    }
    assert!(checked > 50, "{checked} path parameters");
    let param = |path: &str, method: &str| doc["paths"][path][method]["parameters"][0]["schema"].clone();
    assert_eq!(param("/v1/endpoints/{endpoint_id}", "get")["pattern"], "^ep_[0-9a-f]{32}$");
    assert_eq!(param("/v1/api-keys/{key_id}", "delete")["pattern"], "^key_[0-9a-f]{24}$");
    let message = param("/v1/messages/{message_id}", "get");
    assert_eq!(message["format"], "uuid");
    let inbound = param("/v1/inbound-endpoints/{endpoint_id}", "get");
    assert_eq!(inbound["format"], "uuid");
    let signing = &doc["paths"]["/v1/endpoints/{endpoint_id}/signing-keys/{key_id}"]["delete"]["parameters"][1];
    assert_eq!((signing["name"].as_str(), signing["schema"]["pattern"].as_str()), (Some("key_id"), Some("^sk_[0-9a-f]{32}$")));

    // The ids the server hands out match what the document says of them.
    let raw = Raw::new(&server.url);
    let endpoint = raw.post("/v1/endpoints", serde_json::json!({ "url": "http://127.0.0.1:9/hook" })).await;
    assert_eq!(endpoint.status, 201, "{:?}", endpoint.body);
    let endpoint_id = endpoint.body["data"]["id"].as_str().expect("endpoint id");
    assert!(endpoint_id.starts_with("ep_") && endpoint_id.len() == 35, "{endpoint_id}");
    let key = raw.post(&format!("/v1/endpoints/{endpoint_id}/signing-keys"), serde_json::json!({})).await;
    let key_id = key.body["data"]["id"].as_str().unwrap_or_default();
    assert!(key_id.starts_with("sk_") && key_id.len() == 35, "{:?}", key.body);
    let inbound = raw.post("/v1/inbound-endpoints", serde_json::json!({ "name": "in", "url": "http://127.0.0.1:9/in" })).await;
    let inbound_id = inbound.body["data"]["id"].as_str().expect("inbound id");
    assert!(uuid_shaped(inbound_id), "{inbound_id}");
    let token = inbound.body["data"]["secret_token"].as_str().expect("token");
    assert!(token.len() == 64 && token.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)), "{token}");
}

/// 8-4-4-4-12 lowercase hex.
fn uuid_shaped(id: &str) -> bool {
    let groups: Vec<&str> = id.split('-').collect();
    groups.iter().map(|g| g.len()).collect::<Vec<_>>() == [8, 4, 4, 4, 12]
        && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
}
