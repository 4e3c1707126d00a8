//! `/openapi.json` is generated from the route table and covers every route.

use crate::harness::Server;
use crate::support::Raw;

#[tokio::test(flavor = "multi_thread")]
async fn the_openapi_document_covers_every_route() {
    let server = Server::start(&[]);
    let doc = Raw::with_key(&server.url, None).get("/openapi.json").await;
    assert_eq!(doc.status, 200);
    assert_eq!(doc.body["openapi"], "3.1.0");
    let routes = hookbridge_server::http::all_routes();
    assert!(routes.len() > 40, "the route table is complete ({} routes)", routes.len());
    for route in routes {
        let op = &doc.body["paths"][route.path][route.method.to_ascii_lowercase()];
        assert!(op.is_object(), "{} {} is documented", route.method, route.path);
        assert_eq!(op["summary"], route.summary);
        assert_eq!(op.get("security").is_some(), route.authenticated, "{} {} security", route.method, route.path);
    }
    for (method, path) in [
        ("post", "/v1/webhooks/send"),
        ("get", "/v1/logs"),
        ("post", "/v1/endpoints"),
        ("get", "/v1/exports/{export_id}/download"),
        ("get", "/v1/inbound-endpoints/{endpoint_id}/listen"),
        ("delete", "/v1/inbound-endpoints/{endpoint_id}/signing-keys/{key_id}"),
        ("get", "/v1/inbound-messages/{message_id}"),
    ] {
        assert!(doc.body["paths"][path][method].is_object(), "{method} {path}");
    }
}
