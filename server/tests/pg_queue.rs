//! The PostgreSQL delivery queue shared by several nodes: two stores on one database stand for
//! two server processes (each with its own node id and connections). Claims never hand one
//! message to two nodes, the per-endpoint cap and rate limit hold in total, an attempt whose
//! lease was taken over cannot overwrite the newer state, start-up takes back only dead
//! leases (each as an interrupted attempt), notifications wake the engine (also after the listening connection drops), a
//! send that finds older messages waiting claims the oldest of them in its slot, and an
//! unreachable database makes every method answer `Unavailable`.
//!
//! Runs only when `HB_TEST_POSTGRES` names a PostgreSQL server (`scripts/test.sh postgres`).

mod harness;

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use harness::backend;
use hookbridge_server::clock::now_millis;
use hookbridge_server::delivery::fairness::Fairness;
use hookbridge_server::secrets::SecretsSettings;
use hookbridge_server::store::postgres::PgStore;
use hookbridge_server::store::{
    Allocation, AttemptRecord, DeliveryQueue, Direction, MessageStore, NextState, SendLease, SendOutcome, StoreError,
};

const LONG_LEASE: i64 = 60_000;

/// A node: a store on the test database of `dir` named `node`.
async fn node(dir: &Path, url: &str, node: &str) -> PgStore {
    let mut store = PgStore::connect(url, &SecretsSettings::in_data_dir(dir)).await.expect("connects");
    store.set_node_id(node);
    store
}

/// A fresh, migrated database; `None` when the suite runs on SQLite.
async fn database() -> Option<(tempfile::TempDir, String)> {
    backend::postgres()?;
    let dir = tempfile::Builder::new().prefix("pgq").tempdir().unwrap();
    let url = backend::database_url(dir.path()).unwrap();
    drop(node(dir.path(), &url, "migrate").await);
    Some((dir, url))
}

/// Adds an endpoint (rate limit `rps`/`burst`) with `n` messages due at 0.
fn seed(dir: &Path, endpoint: &str, rps: i64, burst: i64, n: usize) {
    backend::database_sql(
        dir,
        &format!(
            "INSERT INTO projects (id, tenant_id, name, created_at) VALUES ('p1', 't1', 'p', 0) ON CONFLICT DO NOTHING; \
             INSERT INTO endpoints (id, project_id, url, rate_limit_rps, burst, created_at, updated_at) \
               VALUES ('{endpoint}', 'p1', 'http://127.0.0.1:9/{endpoint}', {rps}, {burst}, 0, 0); \
             INSERT INTO messages (id, project_id, direction, endpoint_id, destination_url, status, content_type, payload, \
               size_bytes, payload_sha256, signed_at, next_attempt_at, created_at, updated_at) \
             SELECT '{endpoint}_' || g, 'p1', 'outbound', '{endpoint}', 'http://127.0.0.1:9/hook', 'queued', \
               'application/json', '\\x7b7d'::bytea, 2, '', 0, 0, 0, 0 FROM generate_series(1, {n}) g"
        ),
    );
}

fn take(endpoint: &str, count: usize, endpoint_limit: usize) -> Vec<Allocation> {
    vec![Allocation { project_id: "p1".into(), endpoint_id: endpoint.into(), count, endpoint_limit }]
}

fn record(message_id: &str, attempt_no: i64, next: NextState) -> AttemptRecord {
    AttemptRecord {
        message_id: message_id.into(),
        project_id: "p1".into(),
        direction: Direction::Outbound,
        attempt_no,
        response_status: Some(200),
        latency_ms: 1,
        error: None,
        next,
        retry_after_ms: None,
        finished_at: now_millis(),
        detail: Default::default(),
    }
}

fn sql(dir: &Path, query: &str) -> String {
    backend::database_sql(dir, query).trim().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn two_nodes_never_claim_the_same_message() {
    let Some((dir, url)) = database().await else { return };
    for endpoint in ["ep_a", "ep_b", "ep_c"] {
        seed(dir.path(), endpoint, 0, 0, 100);
    }
    let a = node(dir.path(), &url, "node-a").await;
    let b = node(dir.path(), &url, "node-b").await;
    let drain = |store: PgStore| async move {
        let mut got = Vec::new();
        loop {
            let mut allocations = Vec::new();
            for endpoint in ["ep_a", "ep_b", "ep_c"] {
                allocations.extend(take(endpoint, 7, 10_000));
            }
            let claimed = store.claim(now_millis(), LONG_LEASE, allocations).await.unwrap();
            if claimed.is_empty() {
                return got;
            }
            got.extend(claimed.into_iter().map(|d| d.message_id));
        }
    };
    let (from_a, from_b) = tokio::join!(tokio::spawn(drain(a)), tokio::spawn(drain(b)));
    let (from_a, from_b) = (from_a.unwrap(), from_b.unwrap());
    let mut all: Vec<&String> = from_a.iter().chain(&from_b).collect();
    let distinct: HashSet<&String> = all.iter().copied().collect();
    assert_eq!(distinct.len(), 300, "every message claimed");
    all.sort();
    assert_eq!(all.len(), 300, "no message claimed twice (a: {}, b: {})", from_a.len(), from_b.len());
    assert_eq!(
        sql(dir.path(), "SELECT leased_by, COUNT(*) FROM messages GROUP BY leased_by ORDER BY leased_by"),
        [("node-a", from_a.len()), ("node-b", from_b.len())]
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(node, n)| format!("{node}|{n}"))
            .collect::<Vec<_>>()
            .join("\n"),
        "each lease names the node that holds it"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_endpoint_cap_and_rate_limit_hold_over_all_nodes() {
    let Some((dir, url)) = database().await else { return };
    seed(dir.path(), "ep_cap", 0, 0, 40);
    seed(dir.path(), "ep_rate", 2, 3, 10);
    let a = node(dir.path(), &url, "node-a").await;
    let b = node(dir.path(), &url, "node-b").await;

    // In-flight cap 4 in total: a takes 4, b none until one of a's attempts is recorded.
    let first = a.claim(now_millis(), LONG_LEASE, take("ep_cap", 10, 4)).await.unwrap();
    assert_eq!(first.len(), 4);
    assert!(b.claim(now_millis(), LONG_LEASE, take("ep_cap", 10, 4)).await.unwrap().is_empty(), "the cap is shared");
    let scan = Fairness::new(100, 4).scan(now_millis(), 100);
    let work = b.due_work(scan).await.unwrap();
    assert!(work.heads.iter().all(|h| h.endpoint_id != "ep_cap"), "a full endpoint is not offered: {work:?}");
    a.record_attempts(vec![record(&first[0].message_id, 1, NextState::Succeeded)]).await.unwrap();
    assert_eq!(b.claim(now_millis(), LONG_LEASE, take("ep_cap", 10, 4)).await.unwrap().len(), 1, "a freed slot");

    // 2 per second with a burst of 3, in total: a takes the burst, b waits for the next token.
    assert_eq!(a.claim(now_millis(), LONG_LEASE, take("ep_rate", 10, 100)).await.unwrap().len(), 3);
    assert!(b.claim(now_millis(), LONG_LEASE, take("ep_rate", 10, 100)).await.unwrap().is_empty(), "the bucket is shared");
    let now = now_millis();
    let work = b.due_work(Fairness::new(100, 100).scan(now, 100)).await.unwrap();
    assert!(work.heads.iter().all(|h| h.endpoint_id != "ep_rate"), "{work:?}");
    let next = work.next_due_at.expect("the engine is told when the next token comes");
    assert!(next > now && next <= now + 600, "next token at +{} ms", next - now);
    tokio::time::sleep(Duration::from_millis(u64::try_from(next - now_millis()).unwrap_or(0) + 20)).await;
    assert_eq!(b.claim(now_millis(), LONG_LEASE, take("ep_rate", 10, 100)).await.unwrap().len(), 1, "one new token");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_attempt_whose_lease_was_taken_over_does_not_overwrite_the_newer_state() {
    let Some((dir, url)) = database().await else { return };
    seed(dir.path(), "ep_x", 0, 0, 1);
    let a = node(dir.path(), &url, "node-a").await;
    let b = node(dir.path(), &url, "node-b").await;
    let stale = a.claim(now_millis(), 1, take("ep_x", 1, 10)).await.unwrap();
    assert_eq!(stale.len(), 1);
    tokio::time::sleep(Duration::from_millis(20)).await;
    // b finds the expired lease, takes it back as an interrupted attempt and claims the message.
    let work = b.due_work(Fairness::new(10, 10).scan(now_millis(), 10)).await.unwrap();
    assert!(work.expired_leases);
    assert_eq!(b.reclaim_expired_leases(now_millis(), 8).await.unwrap(), 1);
    let fresh = b.claim(now_millis(), LONG_LEASE, take("ep_x", 1, 10)).await.unwrap();
    assert_eq!((fresh.len(), fresh[0].attempt_no), (1, 2));
    a.record_attempts(vec![record("ep_x_1", 1, NextState::FailedPermanent)]).await.unwrap();
    assert_eq!(sql(dir.path(), "SELECT status || ' ' || leased_by FROM messages"), "delivering node-b");
    b.record_attempts(vec![record("ep_x_1", 2, NextState::Succeeded)]).await.unwrap();
    assert_eq!(sql(dir.path(), "SELECT status || ' ' || attempt_count FROM messages"), "succeeded 2");
    assert_eq!(
        sql(dir.path(), "SELECT string_agg(attempt_no || ':' || outcome, ',' ORDER BY attempt_no) FROM attempts"),
        "1:interrupted,2:succeeded"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn start_up_takes_back_only_leases_no_live_node_holds() {
    let Some((dir, url)) = database().await else { return };
    seed(dir.path(), "ep_live", 0, 0, 1);
    seed(dir.path(), "ep_dead", 0, 0, 1);
    seed(dir.path(), "ep_mine", 0, 0, 1);
    let live = node(dir.path(), &url, "node-live").await;
    let dead = node(dir.path(), &url, "node-dead").await;
    let previous_run = node(dir.path(), &url, "node-stable").await;
    assert_eq!(live.claim(now_millis(), LONG_LEASE, take("ep_live", 1, 10)).await.unwrap().len(), 1);
    assert_eq!(previous_run.claim(now_millis(), LONG_LEASE, take("ep_mine", 1, 10)).await.unwrap().len(), 1);
    assert_eq!(dead.claim(now_millis(), 1, take("ep_dead", 1, 10)).await.unwrap().len(), 1);
    tokio::time::sleep(Duration::from_millis(20)).await;

    let restarted = node(dir.path(), &url, "node-stable").await;
    assert_eq!(restarted.release_orphaned_leases(now_millis(), 8).await.unwrap(), 2);
    assert_eq!(
        sql(
            dir.path(),
            "SELECT string_agg(endpoint_id || '=' || status || ':' || COALESCE(leased_by, '-'), ' ' ORDER BY endpoint_id) FROM messages"
        ),
        "ep_dead=pending_retry:- ep_live=delivering:node-live ep_mine=pending_retry:-",
        "the live node keeps its lease; the expired one and the restarted node's own are due again"
    );
    assert_eq!(
        sql(
            dir.path(),
            "SELECT string_agg(m.endpoint_id || ':' || a.attempt_no || ':' || a.outcome || ':' || a.error, ' ' ORDER BY m.endpoint_id) \
             FROM attempts a JOIN messages m ON m.id = a.message_id"
        ),
        "ep_dead:1:interrupted:interrupted: the lease expired before the attempt was recorded \
         ep_mine:1:interrupted:interrupted: the server stopped during the attempt",
        "each taken-back lease is one interrupted attempt, saying why"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn notifications_wake_the_engine_also_after_the_listening_connection_drops() {
    let Some((dir, url)) = database().await else { return };
    seed(dir.path(), "ep_n", 0, 0, 1);
    let store = node(dir.path(), &url, "node-a").await;
    let wake = store.wake_source().expect("PostgreSQL announces work from other nodes");
    let woken = |what: &'static str| {
        let wake = wake.clone();
        async move {
            tokio::time::timeout(Duration::from_secs(10), wake.notified()).await.unwrap_or_else(|_| panic!("no wake-up: {what}"))
        }
    };
    woken("listening starts").await;
    let listening =
        "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN hookbridge_work'";
    assert_eq!(sql(dir.path(), listening), "1", "one dedicated listening connection");

    sql(dir.path(), "SELECT pg_notify('hookbridge_work', '')");
    woken("a notification from another node").await;

    // A dropped connection (e.g. a database restart) is replaced, and the engine is woken
    // since notifications sent meanwhile were lost.
    sql(
        dir.path(),
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN hookbridge_work'",
    );
    woken("the listener reconnected").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while sql(dir.path(), listening) != "1" {
        assert!(Instant::now() < deadline, "the listener did not come back");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    sql(dir.path(), "SELECT pg_notify('hookbridge_work', '')");
    woken("a notification after reconnecting").await;

    // Releasing work due now (a node shutting down) announces it to every node.
    let claimed = store.claim(now_millis(), LONG_LEASE, take("ep_n", 1, 10)).await.unwrap();
    assert_eq!(claimed.len(), 1);
    store.release(vec![claimed[0].message_id.clone()], now_millis()).await.unwrap();
    woken("released work is due now").await;
    assert_eq!(sql(dir.path(), "SELECT status FROM messages"), "queued");
}

#[tokio::test(flavor = "multi_thread")]
async fn every_queue_method_answers_unavailable_while_the_database_is_unreachable() {
    let Some((dir, url)) = database().await else { return };
    seed(dir.path(), "ep_u", 0, 0, 1);
    // Reach the database through a proxy this test can cut.
    let target = url::Url::parse(&url).unwrap();
    let upstream = format!("{}:{}", target.host_str().unwrap(), target.port().unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mut via_proxy = target.clone();
    via_proxy.set_port(Some(listener.local_addr().unwrap().port())).unwrap();
    let proxy = tokio::spawn(async move {
        let mut links = tokio::task::JoinSet::new();
        loop {
            let Ok((mut inbound, _)) = listener.accept().await else { return };
            let upstream = upstream.clone();
            links.spawn(async move {
                if let Ok(mut outbound) = tokio::net::TcpStream::connect(upstream).await {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
            });
        }
    });
    let store = Arc::new(node(dir.path(), via_proxy.as_str(), "node-a").await);
    assert_eq!(store.queue_depth().await.unwrap().pending, 1);
    proxy.abort();
    let _ = proxy.await;

    let unavailable = |result: Result<(), StoreError>, what: &str| {
        assert!(matches!(result, Err(StoreError::Unavailable(_))), "{what}: {result:?}");
    };
    let scan = Fairness::new(10, 10).scan(now_millis(), 10);
    unavailable(store.due_work(scan).await.map(drop), "due_work");
    unavailable(store.claim(now_millis(), LONG_LEASE, take("ep_u", 1, 10)).await.map(drop), "claim");
    unavailable(store.record_attempts(vec![record("ep_u_1", 1, NextState::Succeeded)]).await, "record_attempts");
    unavailable(store.release(vec!["ep_u_1".into()], now_millis()).await, "release");
    unavailable(store.release_orphaned_leases(now_millis(), 8).await.map(drop), "release_orphaned_leases");
    unavailable(store.reclaim_expired_leases(now_millis(), 8).await.map(drop), "reclaim_expired_leases");
    unavailable(store.abandon(vec!["ep_u_1".into()], now_millis(), 8).await.map(drop), "abandon");
    unavailable(store.queue_depth().await.map(drop), "queue_depth");
}

/// Two server processes on one database (`node-a` and `node-b` data dirs with the same name, so
/// the harness gives them the same database; `node-b` gets `node-a`'s secrets key).
fn two_nodes(extra_args: &[&str]) -> Option<(harness::Server, harness::Server, tempfile::TempDir)> {
    backend::postgres()?;
    let parent = tempfile::tempdir().unwrap();
    let name = format!("pgq-{}", uuid::Uuid::now_v7().simple());
    let (dir_a, dir_b) = (parent.path().join("a").join(&name), parent.path().join("b").join(&name));
    let a = harness::Server::start_in(&dir_a, extra_args);
    std::os::unix::fs::DirBuilderExt::mode(std::fs::DirBuilder::new().recursive(true), 0o700).create(&dir_b).unwrap();
    std::fs::copy(dir_a.join("secrets.key"), dir_b.join("secrets.key")).unwrap();
    let b = harness::Server::start_in(&dir_b, extra_args);
    Some((a, b, parent))
}

/// Stores `n` messages for the endpoint directly (as a send on any node would) and announces them.
fn store_messages(data_dir: &Path, endpoint_id: &str, first: usize, n: usize) {
    let now = now_millis();
    backend::database_sql(
        data_dir,
        &format!(
            "INSERT INTO messages (id, project_id, direction, endpoint_id, destination_url, status, content_type, payload, \
               size_bytes, payload_sha256, signed_at, next_attempt_at, created_at, updated_at) \
             SELECT 'msg_' || g, e.project_id, 'outbound', e.id, e.url, 'queued', 'application/json', '\\x7b7d'::bytea, 2, '', \
               {now} / 1000, {now}, {now}, {now} FROM endpoints e, generate_series({first}, {last}) g WHERE e.id = '{endpoint_id}'; \
             SELECT pg_notify('hookbridge_work', '')",
            last = first + n - 1
        ),
    );
}

/// How long the receiver of [`slow_receiver_endpoint`] takes to answer.
const ANSWER_DELAY: Duration = Duration::from_millis(400);

/// A receiver that answers each delivery after [`ANSWER_DELAY`], and an endpoint of `node` for it.
async fn slow_receiver_endpoint(node: &harness::Server) -> (harness::Receiver, hookbridge::CreateEndpointResponse) {
    let receiver = harness::Receiver::start().await;
    receiver.fallback(harness::Answer { status: 200, retry_after: None, delay: Some(ANSWER_DELAY) });
    let endpoint = node.client().create_endpoint(&receiver.url, &Default::default()).await.unwrap();
    (receiver, endpoint)
}

/// At most 2 attempts at the receiver of [`slow_receiver_endpoint`] at once: any 3 arrivals span
/// at least one answer delay (per-server caps of 2 would let 4 arrive together).
fn assert_at_most_two_at_once(got: &[harness::Delivery]) {
    let mut arrivals: Vec<Instant> = got.iter().map(|d| d.at).collect();
    arrivals.sort();
    for w in arrivals.windows(3) {
        let span = w[2] - w[0];
        assert!(span + Duration::from_millis(60) >= ANSWER_DELAY, "3 attempts within {span:?}: the cap is not shared");
    }
}

/// Deliveries claimed by the write that stored their send, summed over `nodes`.
async fn claimed_on_send(nodes: &[&harness::Server]) -> u64 {
    let mut claimed = 0;
    for node in nodes {
        claimed += harness::metric_sample(&node.url, "hookbridge_deliveries_claimed_on_send_total").await.0.unwrap_or(0);
    }
    claimed
}

#[tokio::test(flavor = "multi_thread")]
async fn two_servers_deliver_each_message_once_within_one_shared_endpoint_cap() {
    let Some((a, b, _dirs)) = two_nodes(&["--endpoint-concurrency", "2"]) else { return };
    let (receiver, endpoint) = slow_receiver_endpoint(&a).await;
    store_messages(&a.data_dir, &endpoint.id, 1, 10);

    let got = receiver.wait_for(10, Duration::from_secs(60)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let got = if receiver.received().len() > got.len() { receiver.received() } else { got };
    let ids: Vec<String> = got.iter().filter_map(|d| d.header("x-webhook-id")).collect();
    let distinct: HashSet<&String> = ids.iter().collect();
    assert_eq!((ids.len(), distinct.len()), (10, 10), "each message delivered once: {ids:?}");
    // At most 2 attempts at the receiver at once over both servers: any 3 arrivals span at
    // least one answer delay (per-server caps would let 4 arrive together).
    assert_at_most_two_at_once(&got);
    drop(b);
}

#[tokio::test(flavor = "multi_thread")]
async fn sends_claimed_by_their_own_write_stay_within_the_shared_endpoint_cap() {
    // Each node has room for 2 attempts of the endpoint; a claim on send that counted only its
    // own node's would let 4 arrive together.
    let Some((a, b, _dirs)) = two_nodes(&["--endpoint-concurrency", "2"]) else { return };
    let (receiver, endpoint) = slow_receiver_endpoint(&a).await;
    let mut sends = Vec::new();
    for n in 0..12 {
        let client = if n % 2 == 0 { a.client() } else { b.client() };
        let endpoint_id = endpoint.id.clone();
        sends.push(tokio::spawn(async move {
            client.send(&endpoint_id, &serde_json::json!({"n": n}), &Default::default()).await.unwrap().message_id
        }));
    }
    for send in sends {
        send.await.unwrap();
    }
    let got = receiver.wait_for(12, Duration::from_secs(60)).await;
    let ids: HashSet<String> = got.iter().filter_map(|d| d.header("x-webhook-id")).collect();
    assert_eq!((got.len(), ids.len()), (12, 12), "each send delivered once");
    assert_at_most_two_at_once(&got);
    let claimed_on_send = claimed_on_send(&[&a, &b]).await;
    assert!(claimed_on_send >= 1, "the first sends were claimed by their own write");
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_sends_on_two_nodes_are_claimed_by_their_own_write() {
    // Both nodes send to one endpoint at once. A batch that did not wait for the endpoint's
    // claim lock (held by the other node's batch) would store its sends waiting, and a waiting
    // send keeps every later send of the endpoint from being claimed on either node until an
    // engine has claimed it: nearly every delivery would then go through an engine's claim.
    let Some((a, b, _dirs)) = two_nodes(&[]) else { return };
    let receiver = harness::Receiver::start().await;
    let endpoint = a.client().create_endpoint(&receiver.url, &Default::default()).await.unwrap();
    const SENDERS: usize = 16;
    const EACH: usize = 25;
    let mut senders = Vec::new();
    for n in 0..SENDERS {
        let client = if n % 2 == 0 { a.client() } else { b.client() };
        let endpoint_id = endpoint.id.clone();
        senders.push(tokio::spawn(async move {
            for i in 0..EACH {
                client.send(&endpoint_id, &serde_json::json!({"n": n, "i": i}), &Default::default()).await.unwrap();
            }
        }));
    }
    for sender in senders {
        sender.await.unwrap();
    }
    let total = SENDERS * EACH;
    let got = receiver.wait_for(total, Duration::from_secs(60)).await;
    let ids: HashSet<String> = got.iter().filter_map(|d| d.header("x-webhook-id")).collect();
    assert_eq!(ids.len(), total, "every send delivered");
    let claimed_on_send = claimed_on_send(&[&a, &b]).await;
    assert!(
        claimed_on_send as usize * 10 >= total * 9,
        "only {claimed_on_send} of {total} sends on two nodes were claimed by their own write"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn work_stored_elsewhere_is_delivered_at_once_not_at_the_next_poll() {
    let Some((a, b, _dirs)) = two_nodes(&[]) else { return };
    let receiver = harness::Receiver::start().await;
    let endpoint = a.client().create_endpoint(&receiver.url, &Default::default()).await.unwrap();
    // Let both engines go idle (they poll once a second).
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let mut latencies = Vec::new();
    for round in 0..5 {
        let stored = Instant::now();
        store_messages(&a.data_dir, &endpoint.id, round + 1, 1);
        receiver.wait_for(round + 1, Duration::from_secs(10)).await;
        latencies.push(receiver.received()[round].at - stored);
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    latencies.sort();
    assert!(latencies[2] < Duration::from_millis(250), "median store-to-delivery {:?} (all: {latencies:?})", latencies[2]);
    drop(b);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_batch_of_outcomes_is_recorded_only_where_this_node_still_holds_the_claim() {
    let Some((dir, url)) = database().await else { return };
    seed(dir.path(), "ep_batch", 0, 0, 3);
    let a = node(dir.path(), &url, "node-a").await;
    let b = node(dir.path(), &url, "node-b").await;
    let held = a.claim(now_millis(), LONG_LEASE, take("ep_batch", 2, 10)).await.unwrap();
    let lost = a.claim(now_millis(), 1, take("ep_batch", 1, 10)).await.unwrap();
    assert_eq!((held.len(), lost.len()), (2, 1));
    tokio::time::sleep(Duration::from_millis(20)).await;
    // b takes back the expired lease (an interrupted attempt) and claims the message.
    assert_eq!(b.reclaim_expired_leases(now_millis(), 8).await.unwrap(), 1);
    let taken = b.claim(now_millis(), LONG_LEASE, take("ep_batch", 10, 10)).await.unwrap();
    assert_eq!(taken.iter().map(|d| &d.message_id).collect::<Vec<_>>(), [&lost[0].message_id]);
    let outcomes = held.iter().chain(&lost).map(|d| record(&d.message_id, 1, NextState::Succeeded)).collect();
    a.record_attempts(outcomes).await.unwrap();
    assert_eq!(
        sql(dir.path(), "SELECT string_agg(status || ':' || COALESCE(leased_by, '-'), ' ' ORDER BY status) FROM messages"),
        "delivering:node-b succeeded:- succeeded:-",
        "the two claims a holds are recorded, the one b took over is left to b"
    );
    assert_eq!(
        sql(dir.path(), "SELECT string_agg(outcome, ',' ORDER BY outcome) FROM attempts"),
        "interrupted,succeeded,succeeded",
        "one attempt row per recorded outcome, and one for the lease b took back"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn large_and_concurrent_batches_of_outcomes_are_all_recorded() {
    let Some((dir, url)) = database().await else { return };
    seed(dir.path(), "ep_many", 0, 0, 600);
    let a = Arc::new(node(dir.path(), &url, "node-a").await);
    let claimed = a.claim(now_millis(), LONG_LEASE, take("ep_many", 600, 10_000)).await.unwrap();
    assert_eq!(claimed.len(), 600);
    let next = |i: usize| match i % 3 {
        0 => NextState::Succeeded,
        1 => NextState::Retry { at_ms: now_millis() + 60_000, fast: false },
        _ => NextState::FailedPermanent,
    };
    // 300 outcomes in one call, and 300 more as concurrent calls of one each.
    let (batch, singles) = claimed.split_at(300);
    let batch = batch.iter().enumerate().map(|(i, d)| record(&d.message_id, 1, next(i))).collect();
    let mut calls = vec![tokio::spawn({
        let a = a.clone();
        async move { a.record_attempts(batch).await }
    })];
    for (i, d) in singles.iter().enumerate() {
        let (a, outcome) = (a.clone(), record(&d.message_id, 1, next(i)));
        calls.push(tokio::spawn(async move { a.record_attempts(vec![outcome]).await }));
    }
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert_eq!(
        sql(
            dir.path(),
            "SELECT string_agg(status || '=' || n, ' ' ORDER BY status) FROM (SELECT status, COUNT(*) n FROM messages GROUP BY status) s"
        ),
        "failed_permanent=200 pending_retry=200 succeeded=200"
    );
    assert_eq!(
        sql(dir.path(), "SELECT COUNT(*) || ' ' || COUNT(DISTINCT message_id) FROM attempts"),
        "600 600",
        "exactly one attempt row per message"
    );
    assert_eq!(sql(dir.path(), "SELECT COUNT(*) FROM messages WHERE leased_by IS NOT NULL OR lease_until IS NOT NULL"), "0");
}

#[tokio::test(flavor = "multi_thread")]
async fn one_claim_serves_several_endpoints_each_within_its_own_caps() {
    let Some((dir, url)) = database().await else { return };
    seed(dir.path(), "ep_free", 0, 0, 10);
    seed(dir.path(), "ep_limited", 1, 2, 10);
    seed(dir.path(), "ep_capped", 0, 0, 10);
    let a = node(dir.path(), &url, "node-a").await;
    let mut allocations = take("ep_free", 10, 100);
    allocations.extend(take("ep_limited", 10, 100));
    allocations.extend(take("ep_capped", 10, 3));
    let claimed = a.claim(now_millis(), LONG_LEASE, allocations).await.unwrap();
    let count = |endpoint: &str| claimed.iter().filter(|d| d.endpoint_id == endpoint).count();
    assert_eq!((count("ep_free"), count("ep_limited"), count("ep_capped")), (10, 2, 3), "burst 2; cap 3");
    assert_eq!(
        sql(dir.path(), "SELECT endpoint_id || ' ' || floor(tokens) FROM endpoint_rate_buckets"),
        "ep_limited 0",
        "the claimed deliveries spent the bucket"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_scan_finds_every_endpoint_when_more_wait_than_one_read_holds() {
    let Some((dir, url)) = database().await else { return };
    seed(dir.path(), "ep_0", 0, 0, 1);
    backend::database_sql(
        dir.path(),
        "INSERT INTO endpoints (id, project_id, url, created_at, updated_at) \
           SELECT 'ep_' || g, 'p1', 'http://127.0.0.1:9/' || g, 0, 0 FROM generate_series(1, 149) g; \
         INSERT INTO messages (id, project_id, direction, endpoint_id, destination_url, status, content_type, payload, \
           size_bytes, payload_sha256, signed_at, next_attempt_at, created_at, updated_at) \
         SELECT 'm_' || g, 'p1', 'outbound', 'ep_' || g, 'http://127.0.0.1:9/', 'queued', 'application/json', \
           '\\x7b7d'::bytea, 2, '', 0, 0, 0, 0 FROM generate_series(1, 149) g",
    );
    let a = node(dir.path(), &url, "node-a").await;
    let work = a.due_work(Fairness::new(10_000, 10).scan(now_millis(), 10_000)).await.unwrap();
    let endpoints: HashSet<&str> = work.heads.iter().map(|h| h.endpoint_id.as_str()).collect();
    assert_eq!(endpoints.len(), 150, "every waiting endpoint is offered once: {:?}", work.stopped_at);
    assert!(work.heads.iter().all(|h| h.due == 1));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_send_that_finds_older_messages_waiting_claims_the_oldest_in_its_slot() {
    // A send with a free slot claims its endpoint's oldest due message, as on SQLite: with an
    // older message waiting, that is the older one, and the send waits for the next claim. A
    // send that left its slot unused instead kept the older message waiting, and every later
    // send behind it went through the engines' claims.
    let Some((dir, url)) = database().await else { return };
    seed(dir.path(), "ep_q", 0, 0, 1);
    let a = node(dir.path(), &url, "node-a").await;
    let lease = SendLease { lease_ms: LONG_LEASE, endpoint_limit: 2 };
    let status = |id: &str| sql(dir.path(), &format!("SELECT status FROM messages WHERE id = '{id}'"));

    let first = harness::new_send("p1", "ep_q", r#"{"n":1}"#);
    let first_id = first.id.clone();
    let (outcome, claimed) = a.accept_send_and_claim(first, lease).await.unwrap();
    assert!(matches!(outcome, SendOutcome::Accepted("queued")), "{outcome:?}");
    let claimed = claimed.expect("the send's slot claims the older message");
    assert_eq!(claimed.message_id, "ep_q_1", "the endpoint's oldest due message goes first");
    assert_eq!((status("ep_q_1").as_str(), status(&first_id).as_str()), ("delivering", "queued"));

    let second = harness::new_send("p1", "ep_q", r#"{"n":2}"#);
    let second_id = second.id.clone();
    let (_, claimed) = a.accept_send_and_claim(second, lease).await.unwrap();
    assert_eq!(claimed.expect("a delivery for the second send's slot").message_id, first_id, "then the first send");
    assert_eq!((status(&first_id).as_str(), status(&second_id).as_str()), ("delivering", "queued"));

    // Two attempts are in flight: the cap of 2 leaves no room, over every node.
    let (_, claimed) = a.accept_send_and_claim(harness::new_send("p1", "ep_q", r#"{"n":3}"#), lease).await.unwrap();
    assert!(claimed.is_none(), "nothing is claimed past the endpoint's cap");
    assert_eq!(status(&second_id), "queued");
    assert_eq!(sql(dir.path(), "SELECT COUNT(*) FROM messages WHERE status = 'delivering'"), "2");
}
