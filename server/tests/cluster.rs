//! Several `hookbridge-server` processes on ONE PostgreSQL database: sends spread over the
//! nodes (idempotency across nodes), a node killed mid-delivery, a database outage, an endpoint
//! rate limit that holds for the cluster in total, and per-node versus cluster-wide figures.
//!
//! Only meaningful on PostgreSQL: every test returns early with a note unless `HB_TEST_POSTGRES`
//! is set (`scripts/test.sh postgres`, or `source scripts/postgres.sh; pg_start`). The outage
//! test stops and starts that test server with `pg_ctl` (`harness::backend::TestPostgres`, from
//! what `scripts/postgres.sh` exports).

mod harness;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use harness::{Answer, DEV_KEY, Receiver, Server, backend, eventually};
use hookbridge::CreateEndpointOptions;
use serde_json::{Value, json};

/// Generous bound for anything that should happen "soon" on a busy 2-core machine.
const WAIT: Duration = Duration::from_secs(120);

/// The tests of this file share one PostgreSQL server and the outage test stops it: they run
/// one at a time (an async lock: each test holds it across its awaits, and a failed test does
/// not poison it for the next).
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// `None` (after a note) unless the suite runs on PostgreSQL; else this test's turn.
async fn postgres_only(test: &str) -> Option<tokio::sync::MutexGuard<'static, ()>> {
    if !backend::is_postgres() {
        eprintln!(
            "{test}: skipped, cluster tests need PostgreSQL (set {} or run scripts/test.sh postgres)",
            backend::POSTGRES_ENV
        );
        return None;
    }
    Some(SERIAL.lock().await)
}

/// N server processes on one database, with one secrets key and the dev key.
struct Cluster {
    nodes: Vec<Server>,
    /// The shared database's URL.
    database_url: String,
    /// The first node's data dir: names the database (for `backend::database_sql`).
    first_data_dir: PathBuf,
}

impl Cluster {
    /// Starts `n` nodes (`--dev`, ids `node-0`…) with `extra` flags each.
    fn start(n: usize, extra: &[&str]) -> Cluster {
        let mut cluster = Cluster::start_one(extra);
        for _ in 1..n {
            cluster.add_node(extra);
        }
        cluster
    }

    /// The first node: it creates the database, the dev key and the secrets key file.
    fn start_one(extra: &[&str]) -> Cluster {
        let mut args = vec!["--node-id", "node-0", "--metrics-refresh-secs", "1"];
        args.extend_from_slice(extra);
        let first = Server::start(&args);
        let database_url = backend::database_url(&first.data_dir).expect("the suite runs on PostgreSQL");
        let first_data_dir = first.data_dir.clone();
        Cluster { nodes: vec![first], database_url, first_data_dir }
    }

    /// Starts one more node on the same database and secrets key.
    fn add_node(&mut self, extra: &[&str]) -> &Server {
        let node_id = format!("node-{}", self.nodes.len());
        let key_file = self.first_data_dir.join("secrets.key");
        let key_file = key_file.to_str().expect("utf-8 temp path");
        let mut args = vec![
            "--database-url",
            &self.database_url,
            "--secrets-key-file",
            key_file,
            "--node-id",
            &node_id,
            "--metrics-refresh-secs",
            "1",
        ];
        args.extend_from_slice(extra);
        let data_dir = std::env::temp_dir().join(format!("hb-test-{}", uuid::Uuid::now_v7()));
        self.nodes.push(Server::start_in(&data_dir, &args));
        self.nodes.last().expect("just pushed")
    }

    fn url(&self, i: usize) -> &str {
        &self.nodes[i % self.nodes.len()].url
    }

    /// Runs SQL on the shared database.
    fn sql(&self, sql: &str) -> String {
        backend::database_sql(&self.first_data_dir, sql)
    }
}

/// A plain HTTP client with the dev key (status codes and headers are what the tests check).
#[derive(Clone)]
struct Http(reqwest::Client);

/// One answer: status, `Retry-After`, JSON body.
#[derive(Debug)]
struct Answered {
    status: u16,
    retry_after: Option<String>,
    body: Value,
}

impl Http {
    fn new() -> Http {
        Http(reqwest::Client::builder().timeout(Duration::from_secs(60)).build().expect("http client"))
    }

    async fn call(&self, request: reqwest::RequestBuilder) -> Result<Answered, reqwest::Error> {
        let response = request.send().await?;
        let status = response.status().as_u16();
        let retry_after = response.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_owned);
        let body = response.json::<Value>().await.unwrap_or(Value::Null);
        Ok(Answered { status, retry_after, body })
    }

    async fn send(&self, node: &str, endpoint_id: &str, payload: Value, key: Option<&str>) -> Result<Answered, reqwest::Error> {
        let mut body = json!({"endpoint_id": endpoint_id, "payload": payload});
        if let Some(key) = key {
            body["idempotency_key"] = json!(key);
        }
        self.call(self.0.post(format!("{node}/v1/webhooks/send")).bearer_auth(DEV_KEY).json(&body)).await
    }

    async fn get(&self, node: &str, path: &str, key: &str) -> Result<Answered, reqwest::Error> {
        self.call(self.0.get(format!("{node}{path}")).bearer_auth(key)).await
    }

    async fn status_of(&self, node: &str, path: &str) -> Option<u16> {
        self.0.get(format!("{node}{path}")).send().await.ok().map(|r| r.status().as_u16())
    }

    async fn metrics(&self, node: &str) -> String {
        self.0.get(format!("{node}/metrics")).send().await.expect("/metrics").text().await.expect("metrics text")
    }
}

/// The value of an unlabelled sample in a Prometheus text.
fn sample(text: &str, name: &str) -> Option<u64> {
    text.lines().find_map(|l| l.strip_prefix(name).and_then(|rest| rest.strip_prefix(' '))).and_then(|v| v.trim().parse().ok())
}

/// The message id in an accepted send's answer.
fn message_id(answer: &Answered) -> String {
    answer.body["data"]["message_id"].as_str().unwrap_or_else(|| panic!("no message id in {answer:?}")).to_owned()
}

/// Deliveries the receiver got, per `X-Webhook-Id`.
fn deliveries_per_message(receiver: &Receiver) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for delivery in receiver.received() {
        let id = delivery.header("x-webhook-id").expect("every delivery names its message");
        *counts.entry(id).or_insert(0) += 1;
    }
    counts
}

/// Polls until every id in `ids` reached the receiver; panics naming the missing ones after `timeout`.
async fn wait_delivered(receiver: &Receiver, ids: &HashSet<String>, timeout: Duration) -> HashMap<String, usize> {
    let deadline = Instant::now() + timeout;
    loop {
        let counts = deliveries_per_message(receiver);
        let missing: Vec<&String> = ids.iter().filter(|id| !counts.contains_key(*id)).collect();
        if missing.is_empty() {
            return counts;
        }
        assert!(
            Instant::now() < deadline,
            "{} of {} acknowledged messages never reached the receiver within {timeout:?}, e.g. {:?}",
            missing.len(),
            ids.len(),
            &missing[..missing.len().min(5)]
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn create_endpoint(node: &Server, url: &str, options: &CreateEndpointOptions) -> String {
    node.client().create_endpoint(url, options).await.expect("create endpoint").id
}

/// One send of the spread test.
#[derive(Clone, Copy)]
enum Job {
    /// A send without a key, to node `i % 3`.
    Plain(usize),
    /// Key `k` sent twice with the same payload: to node `k % 3`, then to the next node
    /// (at the same moment when `k % 5 == 0`, one after the other otherwise).
    Keyed(usize),
}

#[tokio::test(flavor = "multi_thread")]
async fn sends_spread_over_three_nodes_are_each_delivered_and_keys_hold_across_nodes() {
    let Some(_serial) = postgres_only("sends_spread_over_three_nodes").await else { return };
    const PLAIN: usize = 2_500;
    const KEYS: usize = 1_250; // each sent twice: 5,000 sends, 3,750 messages
    const SENDERS: usize = 16;
    let cluster = Cluster::start(3, &[]);
    let receiver = Receiver::start().await;
    let endpoint = create_endpoint(&cluster.nodes[0], &receiver.url, &CreateEndpointOptions::default()).await;
    let nodes: Vec<String> = cluster.nodes.iter().map(|n| n.url.clone()).collect();
    let http = Http::new();

    let mut jobs: Vec<Job> = (0..PLAIN).map(Job::Plain).collect();
    jobs.extend((0..KEYS).map(Job::Keyed));
    // Interleave plain and keyed sends so both run during the whole load.
    jobs.sort_by_key(|job| match job {
        Job::Plain(i) => i * KEYS,
        Job::Keyed(k) => k * PLAIN + 1,
    });
    let jobs = Arc::new(jobs);
    let mut tasks = Vec::new();
    for s in 0..SENDERS {
        let (jobs, nodes, http, endpoint) = (jobs.clone(), nodes.clone(), http.clone(), endpoint.clone());
        tasks.push(tokio::spawn(async move {
            let mut accepted = Vec::new();
            for job in jobs.iter().skip(s).step_by(SENDERS) {
                match *job {
                    Job::Plain(i) => {
                        let answer = http.send(&nodes[i % 3], &endpoint, json!({"plain": i}), None).await.expect("send answers");
                        assert_eq!(answer.status, 202, "plain send {i}: {answer:?}");
                        accepted.push(message_id(&answer));
                    }
                    Job::Keyed(k) => {
                        let key = format!("order-{k}");
                        let (a, b) = (&nodes[k % 3], &nodes[(k + 1) % 3]);
                        let payload = json!({"keyed": k});
                        let (first, second) = if k % 5 == 0 {
                            let (x, y) = tokio::join!(
                                http.send(a, &endpoint, payload.clone(), Some(&key)),
                                http.send(b, &endpoint, payload, Some(&key))
                            );
                            (x.expect("send answers"), y.expect("send answers"))
                        } else {
                            let x = http.send(a, &endpoint, payload.clone(), Some(&key)).await.expect("send answers");
                            (x, http.send(b, &endpoint, payload, Some(&key)).await.expect("send answers"))
                        };
                        let mut statuses = [first.status, second.status];
                        statuses.sort_unstable();
                        assert_eq!(statuses, [200, 202], "key {key}: one send creates the message, the repeat finds it");
                        assert_eq!(message_id(&first), message_id(&second), "key {key} got two messages on two nodes");
                        accepted.push(message_id(&first));
                    }
                }
            }
            accepted
        }));
    }
    let mut accepted = HashSet::new();
    for task in tasks {
        for id in task.await.expect("sender task") {
            assert!(accepted.insert(id.clone()), "message id {id} was handed out twice");
        }
    }
    assert_eq!(accepted.len(), PLAIN + KEYS);
    assert_eq!(cluster.sql("SELECT count(*) FROM messages").trim(), (PLAIN + KEYS).to_string(), "no extra messages stored");

    let counts = wait_delivered(&receiver, &accepted, WAIT).await;
    let strangers: Vec<&String> = counts.keys().filter(|id| !accepted.contains(*id)).collect();
    assert!(strangers.is_empty(), "deliveries of messages nobody sent: {strangers:?}");
    let twice: Vec<(&String, &usize)> = counts.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "no node died, yet {} messages were delivered more than once: {twice:?}", twice.len());

    // Counters are per node: they add up to the cluster's work. Queue gauges are cluster-wide:
    // every node shows the same figure. The last deliveries are recorded just after they
    // arrive, so poll until the counters settle.
    let total = PLAIN + KEYS;
    let per_node = eventually("per-node counters adding up to the cluster totals", WAIT, || {
        let (http, nodes) = (http.clone(), nodes.clone());
        async move {
            let mut figures = Vec::new();
            for node in &nodes {
                let text = http.metrics(node).await;
                let field = |name: &str| sample(&text, name).unwrap_or_else(|| panic!("{name} missing on {node}:\n{text}"));
                figures.push((
                    field("hookbridge_messages_accepted_total"),
                    field("hookbridge_messages_delivered_total"),
                    field("hookbridge_queue_depth"),
                ));
                assert!(text.contains("hookbridge_node_info{node=\"node-"), "{text}");
            }
            let accepted: u64 = figures.iter().map(|f| f.0).sum();
            let delivered: u64 = figures.iter().map(|f| f.1).sum();
            (accepted == total as u64 && delivered == total as u64 && figures.iter().all(|f| f.2 == 0)).then_some(figures)
        }
    })
    .await;
    assert!(per_node.iter().all(|f| f.0 > 0), "every node accepted sends: {per_node:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_node_killed_mid_delivery_leaves_its_leased_messages_to_the_others() {
    let Some(_serial) = postgres_only("a_node_killed_mid_delivery").await else { return };
    const MESSAGES: usize = 30;
    // The receiver takes 10 s per attempt, so node 0's attempts are still open when it dies. A
    // lease lasts 15 s: the survivors may take the messages over only when it has run out.
    const ANSWER_DELAY: Duration = Duration::from_secs(10);
    const LEASE: Duration = Duration::from_secs(15);
    let flags = ["--delivery-timeout-secs", "12", "--delivery-lease-secs", "15"];
    let mut cluster = Cluster::start_one(&flags);
    let receiver = Receiver::start().await;
    receiver.fallback(Answer { status: 200, retry_after: None, delay: Some(ANSWER_DELAY) });
    let endpoint = create_endpoint(&cluster.nodes[0], &receiver.url, &CreateEndpointOptions::default()).await;
    let http = Http::new();
    let mut acknowledged = HashSet::new();
    for n in 0..MESSAGES {
        let answer = http.send(cluster.url(0), &endpoint, json!({"n": n}), None).await.expect("send answers");
        assert_eq!(answer.status, 202, "{answer:?}");
        acknowledged.insert(message_id(&answer));
    }
    // Node 0 alone claims (and leases) the messages; once its attempts reach the receiver,
    // two more nodes join, then node 0 dies with its attempts unanswered.
    receiver.wait_for(MESSAGES, WAIT).await;
    cluster.add_node(&flags);
    cluster.add_node(&flags);
    assert!(
        deliveries_per_message(&receiver).values().all(|n| *n == 1),
        "while node 0 is alive and holds the leases, no other node sends its messages"
    );
    cluster.nodes[0].kill();
    let killed_at = Instant::now();
    let before_kill = receiver.received();
    let first_arrival: HashMap<String, Instant> =
        before_kill.iter().map(|d| (d.header("x-webhook-id").expect("message id"), d.at)).collect();
    // Attempts that arrived less than ANSWER_DELAY before the kill were cut off unanswered.
    let margin = Duration::from_millis(500);
    let interrupted: HashSet<String> = first_arrival
        .iter()
        .filter(|(_, at)| killed_at.duration_since(**at) + margin < ANSWER_DELAY)
        .map(|(id, _)| id.clone())
        .collect();
    assert!(!interrupted.is_empty(), "the kill came while attempts were open (joining took too long)");

    let counts = eventually("every interrupted attempt sent again by a survivor", WAIT, || {
        let counts = deliveries_per_message(&receiver);
        let done = interrupted.iter().all(|id| counts.get(id).copied().unwrap_or(0) >= 2);
        async move { done.then_some(counts) }
    })
    .await;
    assert!(acknowledged.iter().all(|id| counts.contains_key(id)), "every acknowledged message reached the receiver");
    // The survivors waited for the dead node's leases (taken before the first arrival) to end.
    let slack = Duration::from_secs(5);
    for delivery in &receiver.received()[before_kill.len()..] {
        let id = delivery.header("x-webhook-id").expect("message id");
        if let Some(first) = first_arrival.get(&id) {
            assert!(
                delivery.at + slack >= *first + LEASE,
                "message {id} was sent again {:?} after its first attempt, before the {LEASE:?} lease ran out",
                delivery.at.duration_since(*first)
            );
        }
    }
    // Nothing lost: every acknowledged message ends succeeded, read through a surviving node.
    let survivor = cluster.nodes[1].client();
    for id in &acknowledged {
        harness::wait_for_status(&survivor, id, "succeeded", WAIT).await;
    }
    // The survivor's redelivery is preceded by the dead node's attempt, recorded as interrupted
    // when the lease was taken back: the count is the number of requests the receiver saw.
    let counts = deliveries_per_message(&receiver);
    for id in &interrupted {
        let message = survivor.get_message(id).await.expect("get_message");
        let attempts = survivor.get_message_attempts(id).await.expect("attempts").attempts;
        let first = attempts.first().expect("attempts are recorded");
        assert_eq!((first.attempt_no, first.response_status), (1, None), "{id}: {attempts:?}");
        let error = first.error_text.as_deref().unwrap_or_default();
        assert!(error.starts_with("interrupted: the lease expired"), "{id}: the cut-short attempt says so: {error:?}");
        assert_eq!(attempts.last().and_then(|a| a.response_status), Some(200), "{id}: {attempts:?}");
        assert_eq!(message.attempt_count as usize, counts[id], "{id}: attempt_count equals the requests the receiver saw");
        assert_eq!(attempts.len(), counts[id], "{id}: {attempts:?}");
    }
}

/// What the load generator saw.
#[derive(Default)]
struct LoadLog {
    /// Message ids answered 202.
    acknowledged: Vec<String>,
    /// Answers other than 202: status, code, Retry-After.
    refused: Vec<(u16, String, Option<String>)>,
}

#[tokio::test(flavor = "multi_thread")]
async fn a_database_outage_answers_503_and_the_nodes_recover_without_a_restart() {
    let Some(_serial) = postgres_only("a_database_outage").await else { return };
    let Some(mut database) = backend::TestPostgres::from_env() else {
        eprintln!("a_database_outage: skipped, HB_TEST_PGCTL/HB_TEST_PGDATA/HB_TEST_PGSOCKET/HB_TEST_PGOPTIONS are not set");
        return;
    };
    // An attempt that ends while the database is down cannot be recorded; its message is sent
    // again when its lease ends, so a short lease keeps the test short.
    let cluster = Cluster::start(2, &["--delivery-timeout-secs", "5", "--delivery-lease-secs", "10"]);
    let receiver = Receiver::start().await;
    let endpoint = create_endpoint(&cluster.nodes[0], &receiver.url, &CreateEndpointOptions::default()).await;
    let nodes: Vec<String> = cluster.nodes.iter().map(|n| n.url.clone()).collect();
    let http = Http::new();

    // Load from 4 senders over both nodes until told to stop.
    let log = Arc::new(Mutex::new(LoadLog::default()));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut senders = Vec::new();
    for s in 0..4usize {
        let (log, stop, nodes, http, endpoint) = (log.clone(), stop.clone(), nodes.clone(), http.clone(), endpoint.clone());
        senders.push(tokio::spawn(async move {
            let mut n = 0usize;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                n += 1;
                let answer = http.send(&nodes[(s + n) % 2], &endpoint, json!({"sender": s, "n": n}), None).await;
                let answer = answer.expect("a node answers even while the database is down");
                if answer.status == 202 {
                    log.lock().unwrap().acknowledged.push(message_id(&answer));
                } else {
                    let code = answer.body["error"]["code"].as_str().unwrap_or("").to_owned();
                    log.lock().unwrap().refused.push((answer.status, code, answer.retry_after));
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }));
    }
    let acked = |log: &Arc<Mutex<LoadLog>>| log.lock().unwrap().acknowledged.len();
    eventually("sends acknowledged before the outage", WAIT, || {
        let n = acked(&log);
        async move { (n >= 100).then_some(()) }
    })
    .await;

    database.stop("immediate");
    let acked_at_crash = acked(&log);
    // While the database is down: sends answer 503 with the envelope and Retry-After, never 2xx.
    let refused_before = log.lock().unwrap().refused.len();
    eventually("sends refused during the outage", WAIT, || {
        let n = log.lock().unwrap().refused.len();
        async move { (n >= refused_before + 10).then_some(()) }
    })
    .await;
    for node in &nodes {
        assert_eq!(http.status_of(node, "/healthz").await, Some(200), "liveness stays up on {node}");
        assert_eq!(http.status_of(node, "/readyz").await, Some(503), "readiness fails on {node}");
        // A key the node has not cached must be looked up: 503, not 401.
        let unknown = http.get(node, "/v1/endpoints", "hb_test_unknownkey000000000000000000000").await.expect("answers");
        assert_eq!((unknown.status, unknown.body["error"]["code"].as_str()), (503, Some("UNAVAILABLE")), "{unknown:?}");
        assert!(unknown.retry_after.is_some(), "{unknown:?}");
        let read = http.get(node, "/v1/endpoints", DEV_KEY).await.expect("answers");
        assert_eq!((read.status, read.body["error"]["code"].as_str()), (503, Some("UNAVAILABLE")), "{read:?}");
        assert!(read.body["meta"]["request_id"].is_string(), "the envelope names the request: {read:?}");
        // Inbound webhooks too: the sender is told to retry, nothing is recorded as refused.
        let ingest = http
            .call(http.0.post(format!("{node}/v1/webhooks/receive/{}/token", uuid::Uuid::new_v4())).body("{}"))
            .await
            .expect("answers");
        assert_eq!((ingest.status, ingest.body["error"]["code"].as_str()), (503, Some("UNAVAILABLE")), "{ingest:?}");
        assert!(http.metrics(node).await.contains("hookbridge_messages_accepted_total"), "/metrics still answers");
    }
    let acked_during = acked(&log) - acked_at_crash;

    database.start();
    // The nodes find the database again by themselves.
    for node in &nodes {
        eventually("readiness back after the database restarted", WAIT, || {
            let (http, node) = (http.clone(), node.clone());
            async move { (http.status_of(&node, "/readyz").await == Some(200)).then_some(()) }
        })
        .await;
    }
    let acked_after_restart = acked(&log);
    eventually("sends acknowledged again after the outage", WAIT, || {
        let n = acked(&log);
        async move { (n >= acked_after_restart + 100).then_some(()) }
    })
    .await;
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    for sender in senders {
        sender.await.expect("sender task");
    }

    let log = std::mem::take(&mut *log.lock().unwrap());
    for (status, code, retry_after) in &log.refused {
        assert_eq!((*status, code.as_str()), (503, "UNAVAILABLE"), "the only refusal is 503 UNAVAILABLE");
        assert!(retry_after.as_deref().is_some_and(|s| s.parse::<u64>().is_ok()), "503 carries Retry-After: {retry_after:?}");
    }
    assert!(acked_during <= 8, "at most the sends committed as the database went down are acknowledged: {acked_during}");
    // Nothing acknowledged is lost, before, during or after the outage.
    let acknowledged: HashSet<String> = log.acknowledged.into_iter().collect();
    wait_delivered(&receiver, &acknowledged, WAIT).await;
    let client = cluster.nodes[1].client();
    for id in acknowledged.iter().take(50) {
        harness::wait_for_status(&client, id, "succeeded", WAIT).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_endpoint_rate_limit_holds_for_the_cluster_in_total() {
    let Some(_serial) = postgres_only("an_endpoint_rate_limit_holds_for_the_cluster").await else { return };
    const RATE: u64 = 20;
    const BURST: u64 = 20;
    const WINDOW: Duration = Duration::from_secs(5);
    const MESSAGES: usize = 360;
    let cluster = Cluster::start(3, &[]);
    let receiver = Receiver::start().await;
    let options = CreateEndpointOptions { rate_limit_rps: RATE as i64, burst: BURST as i64, ..Default::default() };
    let endpoint = create_endpoint(&cluster.nodes[0], &receiver.url, &options).await;
    let http = Http::new();
    // Pause while queueing, so every node has plenty of due work the moment delivery starts.
    cluster.nodes[0].client().pause_endpoint(&endpoint).await.expect("pause");
    for n in 0..MESSAGES {
        let answer = http.send(cluster.url(n), &endpoint, json!({"n": n}), None).await.expect("send answers");
        assert_eq!(answer.status, 202, "{answer:?}");
    }
    cluster.nodes[0].client().resume_endpoint(&endpoint).await.expect("resume");

    // Measure from the first arrival: at most the burst plus RATE per second may arrive.
    let first = receiver.wait_for(1, WAIT).await[0].at;
    let window_end = first + WINDOW;
    eventually("the measuring window to end", WAIT, || async move { (Instant::now() > window_end).then_some(()) }).await;
    let in_window = receiver.received().iter().filter(|d| d.at <= window_end).count() as u64;
    let allowed = BURST + RATE * WINDOW.as_secs();
    assert!(
        in_window <= allowed + allowed / 10,
        "{in_window} deliveries in {WINDOW:?}: the limit of {RATE}/s (burst {BURST}) is per node, not for the cluster (≤ {allowed})"
    );
    assert!(in_window >= RATE * WINDOW.as_secs() / 2, "deliveries flow at the limit: only {in_window} in {WINDOW:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_burst_of_sends_to_one_node_is_announced_to_the_others_at_most_once_per_10_ms() {
    let Some(_serial) = postgres_only("a_burst_of_sends_is_announced_sparingly").await else { return };
    const SENDERS: usize = 16;
    const EACH: usize = 50;
    // Two attempts of the endpoint at a time: most sends find no free slot and are stored
    // waiting, which is what gets announced (a send claimed by its own write is not).
    let cluster = Cluster::start(1, &["--endpoint-concurrency", "2"]);
    let receiver = Receiver::start().await;
    let endpoint = create_endpoint(&cluster.nodes[0], &receiver.url, &CreateEndpointOptions::default()).await;
    // Listen on the nodes' channel as another node would, counting notifications.
    let (listener, mut connection) =
        tokio_postgres::connect(&cluster.database_url, tokio_postgres::NoTls).await.expect("connect to the database");
    let heard = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = heard.clone();
    tokio::spawn(async move {
        while let Some(message) = std::future::poll_fn(|cx| connection.poll_message(cx)).await {
            match message {
                Ok(tokio_postgres::AsyncMessage::Notification(n)) if n.channel() == "hookbridge_work" => {
                    counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                }
                Ok(_) => {}
                Err(_) => return,
            }
        }
    });
    listener.batch_execute("LISTEN hookbridge_work").await.expect("LISTEN");

    let node = cluster.nodes[0].url.clone();
    let http = Http::new();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for s in 0..SENDERS {
        let (http, node, endpoint) = (http.clone(), node.clone(), endpoint.clone());
        tasks.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            for i in 0..EACH {
                let answer = http.send(&node, &endpoint, json!({"sender": s, "n": i}), None).await.expect("send answers");
                assert_eq!(answer.status, 202, "{answer:?}");
                ids.push(message_id(&answer));
            }
            ids
        }));
    }
    let mut ids = HashSet::new();
    for task in tasks {
        ids.extend(task.await.expect("sender task"));
    }
    let elapsed = started.elapsed();
    wait_delivered(&receiver, &ids, WAIT).await;
    // The notification of the burst's last announcement has had time to arrive.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let heard = heard.load(std::sync::atomic::Ordering::SeqCst);
    assert!(heard >= 1, "the other nodes hear of work stored by this one");
    // One per 10 ms while the burst lasted, one more for the end of the burst, and one for an
    // announcement of the retries or releases of its deliveries afterwards.
    let most = elapsed.as_millis() as usize / 10 + 3;
    assert!(heard <= most, "{heard} notifications for {} sends in {elapsed:?}: at most one per 10 ms, so {most}", ids.len());
}
