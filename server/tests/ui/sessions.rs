//! Ending sessions: logging out revokes the session on the server (a copied cookie stops working,
//! also after a restart), and revoking the API key that logged in ends its sessions.

use crate::harness::{DEV_KEY, Server};
use crate::support::{get_page, http, login, logout};

#[tokio::test(flavor = "multi_thread")]
async fn a_logged_out_cookie_is_refused_even_when_copied_and_after_a_restart() {
    let mut server = Server::start(&[]);
    let (_, copied) = login(&server, DEV_KEY).await;
    let (_, other) = login(&server, DEV_KEY).await;
    assert_eq!(get_page(&server, &copied, "/ui/endpoints").await.0, 200, "the session works before logging out");

    let cleared = logout(&server, &copied).await;
    assert!(cleared.contains("Max-Age=0"), "the browser's cookie is cleared: {cleared}");
    // Whoever kept a copy of the cookie is sent to the login page, for pages and for actions.
    let (status, _) = get_page(&server, &copied, "/ui/endpoints").await;
    assert_eq!(status, 303, "a copied cookie no longer opens pages after logout");
    let response = http()
        .post(format!("{}/ui/dlq/replay-all", server.url))
        .header("cookie", &copied)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("csrf=x")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303, "nor runs actions");
    assert_eq!(response.headers()["location"], "/ui/login");
    assert_eq!(get_page(&server, &other, "/ui/endpoints").await.0, 200, "another session of the same key stays open");

    // The revocation is stored: a restarted server (same data, same secrets key) still refuses
    // the logged-out cookie while it accepts the other session.
    server.restart();
    assert_eq!(get_page(&server, &other, "/ui/endpoints").await.0, 200, "live sessions survive a restart");
    assert_eq!(get_page(&server, &copied, "/ui/endpoints").await.0, 303, "a restart does not resurrect a revoked session");
}

#[tokio::test(flavor = "multi_thread")]
async fn revoking_the_api_key_ends_its_sessions() {
    let server = Server::start(&[]);
    let client = server.client();
    let made = client.create_api_key("test", Some("dashboard user")).await.unwrap();
    let (_, cookie) = login(&server, &made.key).await;
    let (_, dev_cookie) = login(&server, DEV_KEY).await;
    assert_eq!(get_page(&server, &cookie, "/ui/messages").await.0, 200);

    client.delete_api_key(&made.key_id).await.unwrap();
    let (status, _) = get_page(&server, &cookie, "/ui/messages").await;
    assert_eq!(status, 303, "the session of a revoked key goes back to the login page");
    assert_eq!(get_page(&server, &dev_cookie, "/ui/messages").await.0, 200, "sessions of other keys go on");
}
