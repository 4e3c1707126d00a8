//! Test harness for delivery tests: runs the real `hookbridge-server` binary and a real local
//! receiver (an axum app) that records every delivery and answers from a script.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use hookbridge_server::clock::now_millis;
use hookbridge_server::store::{Direction, NewMessage};

pub mod backend;

/// The fixed key of `--dev` mode.
pub const DEV_KEY: &str = "hb_test_dev00000000000000000000000000000";

/// A running `hookbridge-server` process.
pub struct Server {
    child: Child,
    /// Base URL (`http://127.0.0.1:PORT`), both API and send host.
    pub url: String,
    /// Data directory (kept across restarts).
    pub data_dir: PathBuf,
    extra_args: Vec<String>,
    mode: Mode,
}

/// How the process is started.
#[derive(Clone)]
enum Mode {
    /// `--dev` (the dev key, private targets allowed).
    Dev,
    /// Without `--dev`, with `--api-key`, names resolved through `names` when given.
    Strict { api_key: String, names: Option<(PathBuf, PathBuf)> },
    /// Without `--dev` and without added flags (the test passes `--api-key` itself).
    Production,
}

/// A private `/etc/hosts` (and a `resolv.conf` naming 127.0.0.1, so every other name fails at
/// once) for a server started under `unshare -m`; the test can change the answers while it runs.
pub struct PrivateNames {
    dir: tempfile::TempDir,
}

impl PrivateNames {
    /// Names with these `(address, name)` entries.
    pub fn new(entries: &[(&str, &str)]) -> PrivateNames {
        let names = PrivateNames { dir: tempfile::tempdir().expect("temp dir") };
        std::fs::write(names.resolv(), "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n").expect("write resolv.conf");
        names.set(entries);
        names
    }

    /// Replaces the entries. The file is rewritten in place (same inode), so the server's bind
    /// mount sees the new answers at its next lookup.
    pub fn set(&self, entries: &[(&str, &str)]) {
        let text: String = entries.iter().map(|(ip, name)| format!("{ip} {name}\n")).collect();
        std::fs::write(self.hosts(), text).expect("write hosts");
    }

    fn hosts(&self) -> PathBuf {
        self.dir.path().join("hosts")
    }

    fn resolv(&self) -> PathBuf {
        self.dir.path().join("resolv.conf")
    }
}

impl Server {
    /// Starts `--dev` on a free port with a fresh data dir and extra flags.
    pub fn start(extra_args: &[&str]) -> Server {
        let data_dir = std::env::temp_dir().join(format!("hb-test-{}", uuid::Uuid::now_v7()));
        Self::start_in(&data_dir, extra_args)
    }

    /// Starts `--dev` on a free port over an existing data dir.
    pub fn start_in(data_dir: &Path, extra_args: &[&str]) -> Server {
        Self::launch(data_dir, extra_args, Mode::Dev)
    }

    /// Starts without `--dev` (so the SSRF guard is on), configured with `api_key`, on a fresh
    /// data dir. With `names`, the server runs under `unshare -m` and resolves names only from them.
    pub fn start_strict(api_key: &str, extra_args: &[&str], names: Option<&PrivateNames>) -> Server {
        let data_dir = std::env::temp_dir().join(format!("hb-test-{}", uuid::Uuid::now_v7()));
        let names = names.map(|n| (n.hosts(), n.resolv()));
        Self::launch(&data_dir, extra_args, Mode::Strict { api_key: api_key.to_owned(), names })
    }

    /// Starts without `--dev` (a production server: give it `--api-key`) on a free port over
    /// `data_dir`; [`Server::restart`] restarts it the same way.
    pub fn start_production(data_dir: &Path, extra_args: &[&str]) -> Server {
        Self::launch(data_dir, extra_args, Mode::Production)
    }

    fn launch(data_dir: &Path, extra_args: &[&str], mode: Mode) -> Server {
        let binary = env!("CARGO_BIN_EXE_hookbridge-server");
        let mut command = match &mode {
            Mode::Dev => {
                let mut c = Command::new(binary);
                c.arg("--dev");
                c
            }
            Mode::Production => Command::new(binary),
            Mode::Strict { api_key, names: None } => {
                let mut c = Command::new(binary);
                c.args(["--api-key", api_key]);
                c
            }
            Mode::Strict { api_key, names: Some((hosts, resolv)) } => {
                // `unshare` and `sh` exec in place, so the child's pid is the server's.
                let mut c = Command::new("unshare");
                c.args(["-m", "--", "sh", "-c"])
                    .arg(r#"mount --bind "$1" /etc/hosts && mount --bind "$2" /etc/resolv.conf && shift 2 && exec "$@""#)
                    .arg("sh")
                    .args([hosts, resolv])
                    .args([binary, "--api-key", api_key]);
                c
            }
        };
        let mut child = command
            .args(["--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            // A test that names the database itself (several nodes on one database) keeps it.
            .args(if extra_args.contains(&"--database-url") { Vec::new() } else { backend_args(data_dir, extra_args) })
            .args(extra_args)
            .env("HOOKBRIDGE_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the hookbridge-server binary starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("hookbridge-server listening on ") {
                    let _ = tx.send(url.trim().to_owned());
                }
            }
        });
        let url = rx.recv_timeout(Duration::from_secs(30)).expect("the server prints its listening address");
        Server { child, url, data_dir: data_dir.to_owned(), extra_args: extra_args.iter().map(|s| s.to_string()).collect(), mode }
    }

    /// A core client for the dev key.
    pub fn client(&self) -> hookbridge::Client {
        hookbridge::Client::new(
            hookbridge::ClientConfig::new(DEV_KEY).with_base_url(&self.url).with_send_url(&self.url).with_retries(0),
        )
        .expect("valid client configuration")
    }

    /// Kills the process with SIGKILL (no graceful shutdown).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Sends SIGTERM and waits for the process to exit; returns whether it exited successfully.
    pub fn terminate(&mut self, within: Duration) -> bool {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let deadline = Instant::now() + within;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return status.success(),
                Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
                _ => return false,
            }
        }
    }

    /// Kills the process and hands back its data dir, which is kept (the caller removes it).
    pub fn stop_keeping_data(mut self) -> PathBuf {
        self.kill();
        let data_dir = std::mem::take(&mut self.data_dir);
        std::mem::forget(self);
        data_dir
    }

    /// Starts a new process on the same data dir (after [`Server::kill`]).
    pub fn restart(&mut self) {
        self.kill();
        let args: Vec<&str> = self.extra_args.iter().map(String::as_str).collect();
        let next = Server::launch(&self.data_dir.clone(), &args, self.mode.clone());
        let old = std::mem::replace(self, next);
        // The old process is dead; keep its data dir (now the new server's).
        std::mem::forget(old);
    }

    /// Restarts with other extra flags (same mode, key and data dir).
    pub fn restart_with(&mut self, extra_args: &[&str]) {
        self.extra_args = extra_args.iter().map(|s| s.to_string()).collect();
        self.restart();
    }
}

/// The backend's flags for `data_dir`, less a `--node-id` the test gives itself.
fn backend_args(data_dir: &Path, extra_args: &[&str]) -> Vec<String> {
    let mut args = backend::server_args(data_dir);
    if extra_args.contains(&"--node-id")
        && let Some(at) = args.iter().position(|a| a == "--node-id")
    {
        args.drain(at..at + 2);
    }
    args
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

/// One request the receiver got.
#[derive(Clone, Debug)]
pub struct Delivery {
    /// Request headers.
    pub headers: HeaderMap,
    /// Raw body.
    pub body: Bytes,
    /// When it arrived.
    pub at: Instant,
}

impl Delivery {
    /// A header as text.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
    }
}

/// A scripted answer.
#[derive(Clone, Debug)]
pub struct Answer {
    /// Status to answer.
    pub status: u16,
    /// `Retry-After` to send.
    pub retry_after: Option<String>,
    /// Delay before answering.
    pub delay: Option<Duration>,
}

impl Answer {
    /// Answer with a status.
    pub fn status(status: u16) -> Answer {
        Answer { status, retry_after: None, delay: None }
    }
}

#[derive(Default)]
struct ReceiverState {
    got: Mutex<Vec<Delivery>>,
    script: Mutex<VecDeque<Answer>>,
    fallback: Mutex<Option<Answer>>,
}

/// A local HTTP receiver: answers scripted statuses in order, then the fallback (200 by default).
#[derive(Clone)]
pub struct Receiver {
    /// `http://127.0.0.1:PORT/hook`.
    pub url: String,
    state: Arc<ReceiverState>,
}

impl Receiver {
    /// Starts a receiver on a free port.
    pub async fn start() -> Receiver {
        let state = Arc::new(ReceiverState::default());
        let app = axum::Router::new().route("/hook", axum::routing::post(receive)).with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind receiver");
        let addr = listener.local_addr().expect("receiver address");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver { url: format!("http://{addr}/hook"), state }
    }

    /// Queues answers to give, in order, before the fallback.
    pub fn script(&self, answers: impl IntoIterator<Item = Answer>) {
        self.state.script.lock().unwrap().extend(answers);
    }

    /// Sets the answer once the script is used up.
    pub fn fallback(&self, answer: Answer) {
        *self.state.fallback.lock().unwrap() = Some(answer);
    }

    /// Everything received so far.
    pub fn received(&self) -> Vec<Delivery> {
        self.state.got.lock().unwrap().clone()
    }

    /// Waits until at least `n` requests arrived (panics after `timeout`).
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Delivery> {
        let deadline = Instant::now() + timeout;
        loop {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            assert!(Instant::now() < deadline, "receiver got {} of {n} expected requests within {timeout:?}", got.len());
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

async fn receive(State(state): State<Arc<ReceiverState>>, headers: HeaderMap, body: Bytes) -> Response {
    state.got.lock().unwrap().push(Delivery { headers, body, at: Instant::now() });
    let answer = state
        .script
        .lock()
        .unwrap()
        .pop_front()
        .or_else(|| state.fallback.lock().unwrap().clone())
        .unwrap_or(Answer::status(200));
    if let Some(delay) = answer.delay {
        tokio::time::sleep(delay).await;
    }
    let mut response = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK).into_response();
    if let Some(value) = answer.retry_after {
        response.headers_mut().insert("retry-after", value.parse().unwrap());
    }
    response
}

/// The value of the sample `sample` (a metric name with its labels, as printed) in the
/// `/metrics` text of the server at `url`, and that text; `None` when the server prints no such
/// sample.
pub async fn metric_sample(url: &str, sample: &str) -> (Option<u64>, String) {
    let text = reqwest::get(format!("{url}/metrics")).await.expect("/metrics").text().await.expect("metrics text");
    let value = text.lines().find_map(|l| l.strip_prefix(sample).and_then(|v| v.trim().parse().ok()));
    (value, text)
}

/// Polls a message until `done(status)` holds (panics after `timeout`).
pub async fn wait_for_status(
    client: &hookbridge::Client,
    message_id: &str,
    want: &str,
    timeout: Duration,
) -> hookbridge::Message {
    let deadline = Instant::now() + timeout;
    loop {
        let message = client.get_message(message_id).await.expect("get_message");
        if message.status == want {
            return message;
        }
        assert!(Instant::now() < deadline, "message {message_id} is {} after {timeout:?}, expected {want}", message.status);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Polls `check` every 20 ms until it returns `Some`, panicking with `what` after `timeout`.
pub async fn eventually<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out after {timeout:?} waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A send of `payload` to `endpoint_id` of `project_id`, as the send handler builds it, for
/// tests that call a store directly.
pub fn new_send(project_id: &str, endpoint_id: &str, payload: &str) -> NewMessage {
    let now = now_millis();
    NewMessage {
        id: hookbridge_server::ids::uuid7(),
        project_id: project_id.into(),
        direction: Direction::Outbound,
        endpoint_id: endpoint_id.into(),
        destination_url: String::new(),
        content_type: "application/json".into(),
        payload: payload.as_bytes().to_vec(),
        payload_sha256: hookbridge_server::ids::sha256_hex(payload.as_bytes()),
        headers_json: None,
        idempotency_key: None,
        signed_at: now / 1000,
        retention_hours: None,
        created_at: now,
    }
}
