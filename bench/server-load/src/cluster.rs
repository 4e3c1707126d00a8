//! Cluster mode: the same load (16 concurrent senders) against SQLite (one server) and against
//! PostgreSQL with 1, 2, … N server processes on one database, in one run, with durable
//! sends/s, deliveries/s, send→delivery p50/p99 and RSS for each, and the PostgreSQL goals.
//!
//! Each PostgreSQL configuration gets a fresh database (`hb_bench_<pid>_<nodes>`) created with
//! `psql` on the server the URL names; when that is refused, the URL's own database is used
//! as is. Senders are spread over the nodes (sender `s` talks to node `s % N`); every node
//! delivers, and the receiver records each message's first arrival.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use hookbridge::CreateEndpointOptions;

use crate::limits::{self, FsyncLimit};
use crate::load::{self, LevelFigures};
use crate::pg_usage::{PgReading, PgUsage};
use crate::receiver::Arrivals;
use crate::report::{Goal, latency_line, mb, rate_line, ratio};
use crate::server::ServerProcess;

/// Concurrent senders of every configuration.
pub const SENDERS: usize = 16;
/// Goals of the PostgreSQL backend.
const PG_SENDS_GOAL: f64 = 5_000.0;
const PG_DELIVERIES_GOAL: f64 = 3_000.0;
const PG_P99_GOAL_MS: f64 = 100.0;
/// Adding nodes may cost at most this share of the one-node rates.
const MAX_NODE_COST: f64 = 0.20;

/// What cluster mode was asked for.
pub struct Options {
    /// PostgreSQL server URL (`postgres://user@host:port[/db]`).
    pub database_url: String,
    /// Largest number of nodes (runs 1..=nodes).
    pub nodes: usize,
    /// Sends per configuration.
    pub sends: usize,
}

/// Figures of one configuration.
struct Run {
    label: String,
    nodes: usize,
    figures: LevelFigures,
    /// Resident set size of each node after its deliveries, in bytes.
    rss: Vec<u64>,
}

/// Runs SQLite, then PostgreSQL with 1..=N nodes; prints each and returns the goals.
pub async fn run(binary: &str, base_dir: &Path, receiver: &str, arrivals: &Arrivals, options: &Options) -> Vec<Goal> {
    let fsync = crate::machine_fsync(base_dir).await;
    println!("  /healthz rate: measured on the first node before each configuration, {SENDERS} concurrent");
    let mut runs = Vec::new();
    let sqlite = Config { label: "SQLite".into(), database_url: None, nodes: 1 };
    runs.push(configuration(binary, base_dir, receiver, arrivals, &sqlite, options.sends, &fsync).await);
    for nodes in 1..=options.nodes.max(1) {
        let label = format!("PostgreSQL, {nodes} node{}", if nodes == 1 { "" } else { "s" });
        let config = Config { label, database_url: Some(fresh_database(&options.database_url, nodes)), nodes };
        runs.push(configuration(binary, base_dir, receiver, arrivals, &config, options.sends, &fsync).await);
    }
    println!();
    println!("{:<24}{:>12}{:>14}{:>10}{:>10}{:>22}", "", "sends/s", "deliveries/s", "p50 ms", "p99 ms", "RSS MB (per node)");
    for run in &runs {
        let f = &run.figures;
        let rss: Vec<String> = run.rss.iter().map(|b| format!("{:.0}", mb(*b))).collect();
        println!(
            "{:<24}{:>12.0}{:>14.0}{:>10.1}{:>10.1}{:>22}",
            run.label,
            f.accepted_per_sec,
            f.delivered_during_load_per_sec,
            f.p50.as_secs_f64() * 1e3,
            f.p99.as_secs_f64() * 1e3,
            rss.join(" + ")
        );
    }
    goals(&runs)
}

/// What one configuration runs: its label, PostgreSQL (or SQLite when `None`), how many nodes.
struct Config {
    label: String,
    database_url: Option<String>,
    nodes: usize,
}

/// One configuration: start its servers, measure the first node's `/healthz` rate, send, wait
/// for the deliveries, read RSS, stop the servers.
async fn configuration(
    binary: &str,
    base_dir: &Path,
    receiver: &str,
    arrivals: &Arrivals,
    config: &Config,
    sends: usize,
    fsync: &FsyncLimit,
) -> Run {
    let Config { label, database_url, nodes } = config;
    let (label, database_url, nodes) = (label.as_str(), database_url.as_deref(), *nodes);
    let tag = label.to_lowercase().replace([',', ' '], "");
    let mut servers: Vec<ServerProcess> = Vec::new();
    for i in 0..nodes {
        let data_dir = base_dir.join(format!("hookbridge-bench-{}-{tag}-{i}", std::process::id()));
        let mut extra = vec!["--node-id".to_owned(), format!("bench-{i}")];
        if let Some(url) = database_url {
            extra.extend(["--database-url".to_owned(), url.to_owned()]);
        }
        if let Some(first) = servers.first() {
            // Every node opens the stored secrets with the first node's key.
            extra.extend(["--secrets-key-file".to_owned(), first.data_dir.join("secrets.key").display().to_string()]);
        }
        servers.push(ServerProcess::start_with(binary, &data_dir, &extra));
    }
    let healthz = limits::healthz_rate(&limits::http_client(), &servers[0].url, SENDERS, crate::PROBE).await;
    let clients: Vec<hookbridge::Client> = servers.iter().map(|s| crate::sdk_client(&s.url)).collect();
    let url = format!("{receiver}?config={tag}");
    let endpoint = clients[0].create_endpoint(&url, &CreateEndpointOptions::default()).await.expect("endpoint");
    let total = sends / SENDERS * SENDERS;
    let pg = database_url.map(PgUsage::new);
    let usage_before = usage(&servers, pg.as_ref());
    let sent = load::send_all(&clients, &endpoint.id, total, SENDERS).await;
    let figures = load::collect(&sent, arrivals).await;
    let usage_after = usage(&servers, pg.as_ref());
    let rss = servers.iter().map(|s| s.rss_bytes().unwrap_or(0)).collect();
    let f = &figures;
    println!();
    println!("{label}: {total} sends from {SENDERS} senders over {nodes} node(s)");
    println!("  {:<26}{healthz:>9.0}/s   (GET /healthz on the first node, {SENDERS} concurrent)", "/healthz rate");
    println!("{}", rate_line("durable sends/s", f.accepted_per_sec, fsync.per_sec, healthz));
    println!("{}", rate_line("deliveries/s during load", f.delivered_during_load_per_sec, fsync.per_sec, healthz));
    println!("{}", latency_line("send→delivery p50", f.p50, fsync.mean));
    println!("{}", latency_line("send→delivery p99", f.p99, fsync.mean));
    println!("  {:<26}{:>9.1} s", "drain", f.drain.as_secs_f64());
    if let Some(problems) = f.problems() {
        println!("{problems}");
    }
    print_usage(&usage_before, &usage_after, f.accepted);
    print_claimed_on_send(&servers, f.accepted).await;
    for server in servers {
        server.stop(std::time::Duration::from_secs(30));
    }
    Run { label: label.to_owned(), nodes, figures, rss }
}

/// Prints the share of the configuration's deliveries that were claimed by the write that
/// stored their send (the rest went through the engines' claims, a transaction each), summed
/// over the nodes' `/metrics`.
async fn print_claimed_on_send(servers: &[ServerProcess], accepted: usize) {
    const SAMPLE: &str = "hookbridge_deliveries_claimed_on_send_total";
    let http = limits::http_client();
    let mut claimed = 0u64;
    for server in servers {
        let text = match http.get(format!("{}/metrics", server.url)).send().await {
            Ok(reply) => reply.text().await.unwrap_or_default(),
            Err(_) => return,
        };
        let value = text.lines().find_map(|l| l.strip_prefix(SAMPLE)?.trim().parse::<f64>().ok());
        let Some(value) = value else { return };
        claimed += value as u64;
    }
    if accepted > 0 {
        println!(
            "  {:<26}{:>9.2}     ({claimed} of {accepted} sends claimed by their own write; the others by an engine's claim)",
            "claimed on send",
            claimed as f64 / accepted as f64
        );
    }
}

/// CPU times and PostgreSQL's next transaction id at one moment of a configuration.
struct Usage {
    /// Every node's CPU time, summed (`None` if one could not be read).
    nodes: Option<Duration>,
    /// The load generator's and receiver's CPU time (this process).
    bench: Option<Duration>,
    /// The PostgreSQL server's CPU time and next transaction id, when the configuration uses it.
    pg: Option<PgReading>,
}

/// Reads CPU times and the next transaction id now.
fn usage(servers: &[ServerProcess], pg: Option<&PgUsage>) -> Usage {
    let nodes = servers.iter().map(ServerProcess::cpu_time).sum::<Option<Duration>>();
    Usage { nodes, bench: limits::process_cpu_time("self"), pg: pg.map(PgUsage::read) }
}

/// Prints CPU time per accepted send of the nodes, PostgreSQL and the bench, and PostgreSQL
/// transactions that wrote per send, for what could be read.
fn print_usage(before: &Usage, after: &Usage, accepted: usize) {
    if accepted == 0 {
        return;
    }
    let per_send = |a: Option<Duration>, b: Option<Duration>| {
        a.zip(b).map(|(a, b)| b.saturating_sub(a).as_secs_f64() * 1e6 / accepted as f64)
    };
    let mut parts = Vec::new();
    if let Some(us) = per_send(before.nodes, after.nodes) {
        parts.push(format!("{us:.0} µs server nodes"));
    }
    if let Some(us) = per_send(before.pg.and_then(|p| p.cpu), after.pg.and_then(|p| p.cpu)) {
        parts.push(format!("{us:.0} µs PostgreSQL"));
    }
    if let Some(us) = per_send(before.bench, after.bench) {
        parts.push(format!("{us:.0} µs load generator and receiver"));
    }
    if !parts.is_empty() {
        println!("  {:<26}{}  (CPU time per accepted send)", "CPU per send", parts.join(" + "));
    }
    let xids = before.pg.and_then(|p| p.next_xid).zip(after.pg.and_then(|p| p.next_xid));
    if let Some((b, a)) = xids {
        println!(
            "  {:<26}{:>9.2}     (transactions that wrote, per accepted send; read-only ones take no transaction id)",
            "PostgreSQL write txns/send",
            a.saturating_sub(b) as f64 / accepted as f64
        );
    }
}

/// The PostgreSQL goals: one node's rates and every configuration's p99, and what each added
/// node costs against one node.
fn goals(runs: &[Run]) -> Vec<Goal> {
    let mut goals = Vec::new();
    let pg: Vec<&Run> = runs.iter().filter(|r| r.label.starts_with("PostgreSQL")).collect();
    let Some(one) = pg.iter().find(|r| r.nodes == 1) else { return goals };
    let f = &one.figures;
    goals.push(Goal::new(
        "PostgreSQL 1 node: durable sends/s >= 5000",
        format!("{:.0}/s", f.accepted_per_sec),
        f.accepted_per_sec >= PG_SENDS_GOAL,
    ));
    goals.push(Goal::new(
        "PostgreSQL 1 node: deliveries/s during load >= 3000",
        format!("{:.0}/s", f.delivered_during_load_per_sec),
        f.delivered_during_load_per_sec >= PG_DELIVERIES_GOAL,
    ));
    for run in &pg {
        let f = &run.figures;
        let p99 = f.p99.as_secs_f64() * 1e3;
        let complete = f.complete();
        goals.push(Goal::new(
            format!("{}: send→delivery p99 < 100 ms", run.label),
            format!("{p99:.1} ms"),
            p99 < PG_P99_GOAL_MS && complete,
        ));
        if run.nodes > 1 {
            for (what, many, single) in [
                ("durable sends/s", f.accepted_per_sec, one.figures.accepted_per_sec),
                ("deliveries/s", f.delivered_during_load_per_sec, one.figures.delivered_during_load_per_sec),
            ] {
                let r = ratio(many, single);
                goals.push(Goal::new(
                    format!("{}: {what} >= 0.8 × 1 node (adding nodes costs <= 20%)", run.label),
                    format!("{r:.2} ×"),
                    r >= 1.0 - MAX_NODE_COST,
                ));
            }
        }
    }
    goals
}

/// A fresh database for `nodes` on the server `url` names, or `url` itself when it cannot be created.
fn fresh_database(url: &str, nodes: usize) -> String {
    let name = format!("hb_bench_{}_{nodes}", std::process::id());
    let (server, admin) = match url.find("://").and_then(|scheme| url[scheme + 3..].find('/').map(|slash| scheme + 3 + slash)) {
        Some(path) => (&url[..path], format!("{}/postgres", &url[..path])),
        None => (url.trim_end_matches('/'), format!("{}/postgres", url.trim_end_matches('/'))),
    };
    let created = Command::new("psql")
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", &admin, "-c"])
        .arg(format!("CREATE DATABASE {name}"))
        .output();
    match created {
        Ok(out) if out.status.success() => format!("{server}/{name}"),
        Ok(out) => {
            eprintln!(
                "cannot create database {name} ({}); using the --database-url as it is, with whatever it already holds",
                String::from_utf8_lossy(&out.stderr).trim()
            );
            url.to_owned()
        }
        Err(e) => {
            eprintln!("cannot run psql ({e}); using the --database-url as it is, with whatever it already holds");
            url.to_owned()
        }
    }
}
