//! Dashboard paths: `/ui/` redirects, unknown paths get an HTML 404 page, and the HTTP metrics
//! label dashboard requests by their route template.

use crate::harness::{DEV_KEY, Server};
use crate::support::{get_page, http, login};

#[tokio::test(flavor = "multi_thread")]
async fn the_trailing_slash_redirects_and_unknown_paths_get_a_dashboard_404_page() {
    let server = Server::start(&[]);
    let anonymous = http().get(format!("{}/ui/", server.url)).send().await.unwrap();
    assert_eq!(anonymous.status(), 303, "/ui/ is the dashboard's home too");
    assert_eq!(anonymous.headers()["location"], "/ui/login");
    let (_, cookie) = login(&server, DEV_KEY).await;
    let signed_in = http().get(format!("{}/ui/", server.url)).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(signed_in.status(), 303);
    assert_eq!(signed_in.headers()["location"], "/ui/messages");

    for path in ["/ui/nothing-here", "/ui/messages/abc/nothing", "/ui/endpoints/x/y/z"] {
        let response = http().get(format!("{}{path}", server.url)).header("cookie", &cookie).send().await.unwrap();
        assert_eq!(response.status(), 404, "{path}");
        assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/html"), "{path}: an HTML page");
        assert!(response.headers().contains_key("content-security-policy"), "{path}: with the dashboard's headers");
        let body = response.text().await.unwrap();
        assert!(body.contains("<title>Page not found · HookBridge</title>"), "{path}: {body}");
        assert!(body.contains(&format!("<code>{path}</code>")), "{path}: the page names the path");
        assert!(body.contains(r#"aria-label="Main""#), "{path}: a signed-in operator keeps the navigation");
    }
    // The path is escaped, and anonymous visitors get the page without navigation.
    let response = http().get(format!("{}/ui/%3Cscript%3Ex", server.url)).send().await.unwrap();
    assert_eq!(response.status(), 404);
    let body = response.text().await.unwrap();
    assert!(!body.contains("<script>x") && !body.contains(r#"aria-label="Main""#), "{body}");
    // Outside /ui the API's JSON 404 is unchanged.
    let api = http().get(format!("{}/v1/nothing", server.url)).send().await.unwrap();
    assert_eq!(api.status(), 404);
    assert!(api.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
}

#[tokio::test(flavor = "multi_thread")]
async fn http_metrics_label_dashboard_requests_by_route_template() {
    let server = Server::start(&[]);
    let (_, cookie) = login(&server, DEV_KEY).await;
    for id in ["0190a000-0000-7000-8000-000000000001", "0190a000-0000-7000-8000-000000000002", "not-an-id"] {
        get_page(&server, &cookie, &format!("/ui/messages/{id}")).await;
    }
    get_page(&server, &cookie, "/ui/messages").await;
    get_page(&server, &cookie, "/ui/no-such-page").await;
    get_page(&server, &cookie, "/ui/another/unknown/page").await;

    let metrics = http().get(format!("{}/metrics", server.url)).send().await.unwrap().text().await.unwrap();
    let line = |method: &str, route: &str, class: &str| {
        format!("hookbridge_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{class}\"}}")
    };
    let count = |series: &str| -> u64 {
        metrics
            .lines()
            .find_map(|l| l.strip_prefix(series).map(|n| n.trim().parse().unwrap()))
            .unwrap_or_else(|| panic!("no series {series} in\n{metrics}"))
    };
    assert_eq!(count(&line("POST", "/ui/login", "3xx")), 1, "the login");
    assert_eq!(count(&line("GET", "/ui/messages/{id}", "4xx")), 3, "three message pages, one series");
    assert_eq!(count(&line("GET", "/ui/messages", "2xx")), 1);
    assert_eq!(count(&line("GET", "/ui/{*rest}", "4xx")), 2, "unknown dashboard paths share one series");
    assert!(!metrics.contains("0190a000-0000"), "no raw ids in labels");
    assert!(!metrics.contains("route=\"unmatched\""), "no dashboard request is unmatched:\n{metrics}");
}
