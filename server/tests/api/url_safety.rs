//! The SSRF guard outside `--dev`: https only, public addresses only, unless allow-listed.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::json;

use crate::support::Raw;

const KEY: &str = "hb_live_urlsafety000000000000000000000000";

struct Strict {
    child: Child,
    url: String,
    dir: std::path::PathBuf,
}

impl Drop for Strict {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A server without `--dev`, allowing 127.0.0.0/8 through `--allow-target-cidr`.
fn start_strict() -> Strict {
    let dir = std::env::temp_dir().join(format!("hb-strict-{}", uuid::Uuid::now_v7()));
    let mut child = Command::new(env!("CARGO_BIN_EXE_hookbridge-server"))
        .args(["--listen", "127.0.0.1:0", "--api-key", KEY, "--allow-target-cidr", "127.0.0.0/8", "--data-dir"])
        .arg(&dir)
        .env("HOOKBRIDGE_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("the server starts");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(url) = line.strip_prefix("hookbridge-server listening on ") {
                let _ = tx.send(url.trim().to_owned());
            }
        }
    });
    let url = rx.recv_timeout(Duration::from_secs(30)).expect("listening line");
    Strict { child, url, dir }
}

#[tokio::test(flavor = "multi_thread")]
async fn endpoint_urls_must_be_https_and_public() {
    let server = start_strict();
    let raw = Raw::with_key(&server.url, Some(KEY));
    let create = |url: &str| raw.post("/v1/endpoints", json!({ "url": url }));

    create("http://127.0.0.1:8443/hook").await.expect_error(400, "INVALID_ENDPOINT");
    for blocked in [
        "https://10.0.0.1/hook",
        "https://192.168.1.20/hook",
        "https://169.254.169.254/latest",
        "https://[::1]:8443/hook",
        "https://0.0.0.0/hook",
    ] {
        let m = create(blocked).await.expect_error(400, "ENDPOINT_BLOCKED");
        assert!(m.contains("private"), "{blocked}: {m}");
    }
    create("https://no-such-host.invalid/hook").await.expect_error(400, "ENDPOINT_UNREACHABLE");
    // 127.0.0.0/8 is allow-listed by the flag.
    create("https://127.0.0.1:8443/hook").await.expect_ok(201);
    let ep = create("https://127.0.0.2:8443/hook").await;
    let id = ep.expect_ok(201)["id"].as_str().unwrap().to_owned();
    let patched =
        raw.call(reqwest::Method::PATCH, &format!("/v1/endpoints/{id}"), Some(json!({"url": "https://10.1.1.1/x"}))).await;
    patched.expect_error(400, "ENDPOINT_BLOCKED");
}
