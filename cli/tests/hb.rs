//! Runs the built `hb` binary against a real `hookbridge-server --dev` and a real receiver, and
//! checks its output and exit codes.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU16, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

/// A `hookbridge-server --dev` on a free port with its own data dir.
struct Server {
    child: Child,
    url: String,
    key: String,
    dir: tempfile::TempDir,
}

impl Server {
    fn start() -> Server {
        let binary = Path::new(env!("CARGO_BIN_EXE_hb")).with_file_name("hookbridge-server");
        assert!(binary.exists(), "{} is missing: build it with `cargo build -p hookbridge-server`", binary.display());
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new(binary)
            .args(["--dev", "--listen", "127.0.0.1:0", "--retry-time-scale", "0.001", "--data-dir"])
            .arg(dir.path().join("data"))
            .env("HOOKBRIDGE_LOG", "warn")
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut url = None;
        let mut key = None;
        for line in BufReader::new(child.stdout.take().unwrap()).lines().map_while(Result::ok) {
            if let Some(k) = line.strip_prefix("api key: ") {
                key = Some(k.trim().to_owned());
            }
            if let Some(u) = line.strip_prefix("hookbridge-server listening on ") {
                url = Some(u.trim().to_owned());
                break;
            }
        }
        Server { child, url: url.expect("listening line"), key: key.expect("dev key line"), dir }
    }

    /// `hb` with this server's URL and key in the environment and a profile path of its own.
    fn hb(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_hb"));
        c.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOOKBRIDGE_BASE_URL", &self.url)
            .env("HOOKBRIDGE_API_KEY", &self.key)
            .env("HOOKBRIDGE_PROFILE", self.dir.path().join("profile.toml"));
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.hb().args(args).output().unwrap()
    }

    /// Runs `hb … -o json`, expects success, parses stdout.
    fn json(&self, args: &[&str]) -> Value {
        let out = self.hb().args(args).args(["--output", "json"]).output().unwrap();
        assert!(out.status.success(), "hb {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
    }

    /// Waits until `hb messages get` shows `status`.
    fn wait_status(&self, id: &str, status: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let m = self.json(&["messages", "get", id]);
            if m["status"] == status {
                return;
            }
            assert!(Instant::now() < deadline, "message {id} stayed {} (want {status})", m["status"]);
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A receiver answering every request with the current status; counts requests.
struct Receiver {
    url: String,
    status: Arc<AtomicU16>,
    hits: Arc<AtomicUsize>,
}

impl Receiver {
    fn start(status: u16) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let status = Arc::new(AtomicU16::new(status));
        let hits = Arc::new(AtomicUsize::new(0));
        let (s, h) = (status.clone(), hits.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().map_while(Result::ok) {
                let (s, h) = (s.clone(), h.clone());
                std::thread::spawn(move || serve(stream, &s, &h));
            }
        });
        Receiver { url, status, hits }
    }
}

fn serve(mut stream: std::net::TcpStream, status: &AtomicU16, hits: &AtomicUsize) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    loop {
        let mut length = 0usize;
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        loop {
            line.clear();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            if line.trim().is_empty() {
                break;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        hits.fetch_add(1, Ordering::SeqCst);
        let code = status.load(Ordering::SeqCst);
        let answer = format!("HTTP/1.1 {code} X\r\ncontent-length: 0\r\n\r\n");
        if stream.write_all(answer.as_bytes()).is_err() {
            return;
        }
    }
}

/// POSTs `{}` to an `http://` URL with extra header lines; returns the status.
fn post(url: &str, headers: &[&str]) -> u16 {
    let rest = url.strip_prefix("http://").expect("an http URL");
    let (host, path) = rest.split_once('/').map_or((rest, "/".to_owned()), |(h, p)| (h, format!("/{p}")));
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    let extra: String = headers.iter().map(|h| format!("{h}\r\n")).collect();
    let request = format!(
        "POST {path} HTTP/1.1\r\nhost: {host}\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n{extra}\r\n{{}}"
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("no status in {answer:?}"))
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn endpoints_send_messages_and_tables() {
    let server = Server::start();
    let receiver = Receiver::start(200);
    let created = server.json(&["endpoints", "create", &receiver.url, "--description", "orders"]);
    let id = created["id"].as_str().unwrap().to_owned();
    assert!(created["signing_secret"].as_str().unwrap().starts_with("whsec_"), "{created}");

    let table = stdout(&server.run(&["endpoints", "ls"]));
    let header = table.lines().next().unwrap();
    assert!(header.starts_with("ID") && header.contains("URL") && header.contains("PAUSED"), "{table}");
    let row = table.lines().find(|l| l.starts_with(&id)).unwrap_or_else(|| panic!("{id} not listed: {table}"));
    assert!(row.contains(&receiver.url) && row.contains("false") && row.contains("orders"), "{row}");
    assert_eq!(server.json(&["endpoints", "get", &id])["description"], "orders");

    assert_eq!(server.json(&["endpoints", "pause", &id])["paused"], true);
    assert_eq!(server.json(&["endpoints", "get", &id])["paused"], true);
    assert_eq!(server.json(&["endpoints", "resume", &id])["paused"], false);
    let rotated = server.json(&["endpoints", "rotate", &id]);
    assert!(rotated["signing_secret"].as_str().unwrap().starts_with("whsec_"));
    assert_ne!(rotated["signing_secret"], created["signing_secret"]);

    // --data inline, from a file and from stdin.
    let file = server.dir.path().join("payload.json");
    std::fs::write(&file, r#"{"order": 2}"#).unwrap();
    let inline = server.json(&["send", &id, "--data", r#"{"order": 1}"#, "-H", "X-Tenant: acme"]);
    let from_file = server.json(&["send", &id, "--data", &format!("@{}", file.display())]);
    let mut child = server
        .hb()
        .args(["send", &id, "--data", "-", "--output", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(br#"{"order": 3}"#).unwrap();
    let from_stdin: Value = serde_json::from_slice(&child.wait_with_output().unwrap().stdout).unwrap();
    for sent in [&inline, &from_file, &from_stdin] {
        let message = sent["message_id"].as_str().unwrap();
        server.wait_status(message, "succeeded");
    }
    assert_eq!(receiver.hits.load(Ordering::SeqCst), 3);
    let shown = stdout(&server.run(&["messages", "get", inline["message_id"].as_str().unwrap()]));
    assert!(shown.lines().any(|l| l.starts_with("status") && l.ends_with("succeeded")), "{shown}");
    assert!(shown.lines().any(|l| l.starts_with("endpoint_id") && l.ends_with(&id)), "{shown}");

    // Logs: oldest first, every message.
    let logs = stdout(&server.run(&["logs"]));
    let order: Vec<&str> = [&inline, &from_file, &from_stdin].iter().map(|s| s["message_id"].as_str().unwrap()).collect();
    let positions: Vec<usize> = order.iter().map(|m| logs.find(m).unwrap_or_else(|| panic!("{m} missing: {logs}"))).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "oldest first: {logs}");
    // Replay delivers again.
    let replayed = server.run(&["messages", "replay", order[0]]);
    assert!(replayed.status.success() && stdout(&replayed).contains("replayed"), "{}", stderr(&replayed));
    let deadline = Instant::now() + Duration::from_secs(20);
    while receiver.hits.load(Ordering::SeqCst) < 4 {
        assert!(Instant::now() < deadline, "the replay was not delivered");
        std::thread::sleep(Duration::from_millis(50));
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    let attempts = loop {
        let a = server.json(&["messages", "attempts", order[0]]);
        if a["attempts"].as_array().is_some_and(|l| l.len() == 2) || Instant::now() > deadline {
            break a;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(attempts["attempts"][1]["attempt_no"], 2, "{attempts}");
    assert_eq!(attempts["attempts"][0]["response_status"], 200, "{attempts}");
    let table = stdout(&server.run(&["messages", "attempts", order[0]]));
    assert!(table.starts_with('#') && table.lines().count() == 3 && table.contains("200"), "{table}");
}

#[test]
fn listen_relays_stored_requests_of_a_cli_endpoint_to_a_local_app() {
    let server = Server::start();
    let app = Receiver::start(204);
    let created = server.json(&["inbound", "create", "--mode", "cli", "--name", "dev"]);
    let ingest = created["ingest_url"].as_str().unwrap().to_owned();
    // Stored before listen starts: skipped unless --from-start.
    assert!((200..300).contains(&post(&ingest, &["X-Early: 1"])));
    let mut listen = server
        .hb()
        .args(["listen", created["id"].as_str().unwrap(), "--forward-to", &app.url, "--interval", "0.2", "--output", "json"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = BufReader::new(listen.stdout.take().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in lines.lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    // Give listen time to skip what is stored, then send two more.
    std::thread::sleep(Duration::from_millis(1500));
    for _ in 0..2 {
        assert!((200..300).contains(&post(&ingest, &[])));
    }
    let mut relayed = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while relayed.len() < 2 && Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
            relayed.push(serde_json::from_str::<Value>(&line).unwrap_or_else(|e| panic!("{e}: {line}")));
        }
    }
    let _ = listen.kill();
    let _ = listen.wait();
    assert_eq!(relayed.len(), 2, "{relayed:?}");
    assert!(relayed.iter().all(|r| r["status_code"] == 204), "{relayed:?}");
    assert_eq!(app.hits.load(Ordering::SeqCst), 2, "the early request was skipped, the two new ones relayed");
}

#[test]
fn errors_show_the_server_code_and_exit_with_distinct_codes() {
    let server = Server::start();
    let missing = server.run(&["messages", "get", "no-such-message"]);
    assert_eq!(missing.status.code(), Some(4), "{}", stderr(&missing));
    assert!(stderr(&missing).contains("NOT_FOUND") && stderr(&missing).contains("HTTP 404"), "{}", stderr(&missing));

    let bad_key = server
        .hb()
        .args(["endpoints", "ls"])
        .env("HOOKBRIDGE_API_KEY", "hb_test_wrong0000000000000000000000000000")
        .output()
        .unwrap();
    assert_eq!(bad_key.status.code(), Some(3), "{}", stderr(&bad_key));
    assert!(stderr(&bad_key).contains("HTTP 401"), "{}", stderr(&bad_key));

    let invalid = server.run(&["endpoints", "create", "not a url"]);
    assert_eq!(invalid.status.code(), Some(5), "{}", stderr(&invalid));
    assert!(stderr(&invalid).contains("HTTP 400"), "{}", stderr(&invalid));

    let bad_json = server.run(&["send", "ep", "--data", "{nope"]);
    assert_eq!(bad_json.status.code(), Some(2));
    assert!(stderr(&bad_json).contains("--data is not valid JSON"), "{}", stderr(&bad_json));

    let no_key = server.hb().args(["endpoints", "ls"]).env_remove("HOOKBRIDGE_API_KEY").output().unwrap();
    assert_eq!(no_key.status.code(), Some(2));
    assert!(stderr(&no_key).contains("hb login"), "{}", stderr(&no_key));

    let unreachable = server.hb().args(["endpoints", "ls"]).env("HOOKBRIDGE_BASE_URL", "http://127.0.0.1:1").output().unwrap();
    assert_eq!(unreachable.status.code(), Some(7), "{}", stderr(&unreachable));

    let usage = server.run(&["endpoints", "frobnicate"]);
    assert_eq!(usage.status.code(), Some(2));
    assert!(!server.run(&["completions", "bash"]).stdout.is_empty());
    assert!(stdout(&server.run(&["completions", "zsh"])).contains("#compdef hb"));
}

#[test]
fn login_writes_a_private_profile_that_later_commands_use() {
    let server = Server::start();
    let profile: PathBuf = server.dir.path().join("profile.toml");
    let login = server
        .hb()
        .args(["login", "--key", &server.key, "--base-url", &server.url])
        .env_remove("HOOKBRIDGE_API_KEY")
        .env_remove("HOOKBRIDGE_BASE_URL")
        .output()
        .unwrap();
    assert!(login.status.success(), "{}", stderr(&login));
    let mode = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&profile).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600);
    let text = std::fs::read_to_string(&profile).unwrap();
    assert!(text.contains(&server.key) && text.contains(&server.url), "{text}");
    // No key or URL in the environment: the profile supplies them.
    let listed = server
        .hb()
        .args(["endpoints", "ls", "--output", "json"])
        .env_remove("HOOKBRIDGE_API_KEY")
        .env_remove("HOOKBRIDGE_BASE_URL")
        .output()
        .unwrap();
    assert!(listed.status.success(), "{}", stderr(&listed));
    // The environment wins over the profile.
    let overridden = server
        .hb()
        .args(["endpoints", "ls"])
        .env("HOOKBRIDGE_API_KEY", "hb_test_wrong0000000000000000000000000000")
        .output()
        .unwrap();
    assert_eq!(overridden.status.code(), Some(3));
}

#[test]
fn dlq_replay_all_and_follow_the_log() {
    let server = Server::start();
    let receiver = Receiver::start(410);
    let id = server.json(&["endpoints", "create", &receiver.url])["id"].as_str().unwrap().to_owned();
    let failed: Vec<String> = (0..3)
        .map(|i| server.json(&["send", &id, "--data", &format!("{{\"n\": {i}}}")])["message_id"].as_str().unwrap().to_owned())
        .collect();
    for m in &failed {
        server.wait_status(m, "failed_permanent");
    }
    let dlq = stdout(&server.run(&["dlq", "ls"]));
    assert!(failed.iter().all(|m| dlq.contains(m.as_str())), "{dlq}");
    let one = server.run(&["dlq", "replay"]);
    assert_eq!(one.status.code(), Some(2), "replay needs ids or --all");

    // Follow the log while the receiver recovers and the DLQ is replayed.
    let mut follow =
        server.hb().args(["logs", "--follow", "--interval", "0.2", "--output", "json"]).stdout(Stdio::piped()).spawn().unwrap();
    let lines = BufReader::new(follow.stdout.take().unwrap());
    receiver.status.store(200, Ordering::SeqCst);
    let replay = server.json(&["dlq", "replay", "--all"]);
    assert_eq!(replay["requeued"].as_array().unwrap().len(), 3, "{replay}");
    for m in &failed {
        server.wait_status(m, "succeeded");
    }
    let fresh = server.json(&["send", &id, "--data", "{\"n\": 9}"])["message_id"].as_str().unwrap().to_owned();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in lines.lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut seen = Vec::new();
    while !seen.iter().any(|l: &String| l.contains(&fresh)) {
        assert!(Instant::now() < deadline, "--follow never printed {fresh}: {seen:?}");
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
            let value: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
            assert!(value["message_id"].is_string(), "{line}");
            seen.push(line);
        }
    }
    let _ = follow.kill();
    let _ = follow.wait();
    assert_eq!(seen.iter().filter(|l| l.contains(&fresh)).count(), 1, "each message once: {seen:?}");
}

#[test]
fn inbound_endpoints_rejections_and_exports() {
    let server = Server::start();
    let receiver = Receiver::start(200);
    let created =
        server.json(&["inbound", "create", &receiver.url, "--name", "stripe", "--token-header", "X-Token", "--token", "s3cret"]);
    let ingest = created["ingest_url"].as_str().unwrap().to_owned();
    let table = stdout(&server.run(&["inbound", "ls"]));
    assert!(table.contains(created["id"].as_str().unwrap()) && table.contains("stripe"), "{table}");
    let _ = created["secret_token"].as_str().expect("a token");

    // A request without the token is rejected and listed with its reason.
    let refused = Command::new("curl")
        .args(["-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "-d", "{}", &ingest])
        .output()
        .unwrap();
    assert!(stdout(&refused).starts_with('4'), "{}", stdout(&refused));
    let deadline = Instant::now() + Duration::from_secs(10);
    let rejections = loop {
        let text = stdout(&server.run(&["inbound", "rejections"]));
        if text.lines().count() > 1 || Instant::now() > deadline {
            break text;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(rejections.contains("REASON") && rejections.lines().count() == 2, "{rejections}");
    let listed = server.json(&["inbound", "rejections"]);
    assert_eq!(listed["entries"][0]["inbound_endpoint_id"], created["id"], "{listed}");
    assert!(listed["entries"][0]["reason_code"].as_str().is_some_and(|c| !c.is_empty()), "{listed}");
    // With the token, the webhook is accepted and forwarded.
    let accepted = post(&ingest, &["X-Token: s3cret"]);
    assert!((200..300).contains(&accepted), "{accepted}");

    // Export what was sent to a JSON Lines file.
    let ep = server.json(&["endpoints", "create", &receiver.url])["id"].as_str().unwrap().to_owned();
    let sent: Vec<String> = (0..3)
        .map(|i| server.json(&["send", &ep, "--data", &format!("{{\"n\": {i}}}")])["message_id"].as_str().unwrap().to_owned())
        .collect();
    let out = server.dir.path().join("export.jsonl");
    let export = server.run(&["export", "--since", "2000-01-01T00:00:00Z", "-o", out.to_str().unwrap()]);
    assert!(export.status.success(), "{}", stderr(&export));
    let text = std::fs::read_to_string(&out).unwrap();
    for m in &sent {
        assert!(text.contains(m.as_str()), "{m} not exported: {text}");
    }
    assert!(text.lines().all(|l| serde_json::from_str::<Value>(l).is_ok()), "JSON Lines: {text}");
    let bad_time = server.run(&["export", "--since", "yesterday", "-o", "x"]);
    assert_eq!(bad_time.status.code(), Some(2));
    assert!(stderr(&bad_time).contains("--since must be an RFC 3339 time"), "{}", stderr(&bad_time));
}
