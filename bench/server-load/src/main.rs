//! Benchmark of `hookbridge-server` on this machine, with the machine's own limits measured in
//! the same run.
//!
//! Default mode: measures the raw fsync rate of the disk that holds the data dir, starts the
//! server (`--dev`, fresh data dir, durable SQLite) and a fast local receiver, then for 1, 16 and
//! 128 concurrent senders measures the `/healthz` request rate at that concurrency, accepted
//! (durable) sends/s, deliveries/s during the load, and p50/p99 send→delivery latency. Every
//! figure is printed next to the limits as a ratio, and the goals of the performance issue are
//! printed with PASS/FAIL. Absolute figures vary between machines; the ratios are what compare.
//!
//! Memory mode: RSS of one server process after a first batch of messages and after many more.
//!
//! Load mode: one level of sends and deliveries only, then a graceful stop; used for profiling.
//! With `HOOKBRIDGE_BENCH_PAUSED=1` the endpoint is paused: the send path alone, nothing delivered.
//!
//! Cluster mode: 16 senders against SQLite and against PostgreSQL with 1..=N nodes on one
//! database; durable sends/s, deliveries/s, p50/p99 and RSS of each, with the PostgreSQL goals.
//!
//! Usage:
//! `hookbridge-bench-server SERVER_BINARY [SENDS_PER_LEVEL]` (default 20000) or
//! `hookbridge-bench-server SERVER_BINARY memory [FIRST] [TOTAL] [SENDERS]` (default 50000 300000 16) or
//! `hookbridge-bench-server SERVER_BINARY load [SENDERS] [SENDS]` (default 16 2000) or
//! `hookbridge-bench-server SERVER_BINARY cluster --database-url URL [--nodes N] [SENDS]` (default 3 nodes, 20000 sends).
//! `HOOKBRIDGE_BENCH_DIR` sets the directory that holds the data dir and the fsync probe
//! (default: the system temp dir).

mod cluster;
mod limits;
mod load;
mod memory;
mod pg_usage;
mod receiver;
mod report;
mod server;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use hookbridge::{Client, ClientConfig, CreateEndpointOptions};

use crate::limits::FsyncLimit;
use crate::receiver::Arrivals;
use crate::report::{Goal, latency_line, rate_line, ratio};
use crate::server::ServerProcess;

const DEV_KEY: &str = "hb_test_dev00000000000000000000000000000";
/// How long each limit probe runs.
pub(crate) const PROBE: Duration = Duration::from_secs(2);
/// Sends at 1 sender are capped at this many (one sender is slow and its rate settles fast).
const ONE_SENDER_MAX: usize = 5_000;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let binary = args.get(1).cloned().unwrap_or_else(|| "target/release/hookbridge-server".into());
    let base_dir = std::env::var_os("HOOKBRIDGE_BENCH_DIR").map(PathBuf::from).unwrap_or_else(std::env::temp_dir);
    let cpus = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);

    if let Some(load) = limits::load_average() {
        let busy = if load >= cpus as f64 * 0.75 { "; the machine is busy, so these figures are not reliable" } else { "" };
        println!("load average at start: {load:.2} on {cpus} CPUs{busy}");
    }
    let arrivals: Arrivals = Arc::default();
    let receiver = receiver::start(arrivals.clone()).await;
    let mode = args.get(2).map(String::as_str);
    if mode == Some("load") {
        let senders: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(16).max(1);
        let total: usize = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(2_000);
        load_only(&binary, &base_dir, &receiver, &arrivals, senders, total).await;
        return;
    }
    let goals = if mode == Some("cluster") {
        let options = cluster_options(&args[3..]).unwrap_or_else(|e| {
            eprintln!(
                "cluster mode: {e}\nusage: hookbridge-bench-server SERVER_BINARY cluster --database-url URL [--nodes N] [SENDS]"
            );
            std::process::exit(2)
        });
        println!(
            "hookbridge-server cluster benchmark ({binary}, {} sends per configuration, {} senders, SQLite and PostgreSQL with 1 to {} nodes, {cpus} CPUs)",
            options.sends,
            cluster::SENDERS,
            options.nodes
        );
        cluster::run(&binary, &base_dir, &receiver, &arrivals, &options).await
    } else if mode == Some("memory") {
        let first: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(50_000);
        let total: usize = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(300_000).max(first);
        println!(
            "hookbridge-server memory benchmark ({binary}, durable SQLite, {cpus} CPUs, data dir under {})",
            base_dir.display()
        );
        let server = ServerProcess::start(&binary, &base_dir);
        let client = sdk_client(&server.url);
        let senders: usize = args.get(5).and_then(|s| s.parse().ok()).unwrap_or(memory::DEFAULT_SENDERS).max(1);
        memory::run(&server, &client, &receiver, &arrivals, (first, total, senders)).await
    } else {
        let per_level: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(20_000);
        println!(
            "hookbridge-server benchmark ({binary}, {per_level} sends per level, {} at 1 sender, durable SQLite, {cpus} CPUs)",
            per_level.min(ONE_SENDER_MAX)
        );
        println!("{}", high_water_line());
        levels(&binary, &base_dir, &receiver, &arrivals, per_level).await
    };
    println!();
    if mode == Some("cluster") {
        println!("goals (PostgreSQL backend, 16 senders; absolute goals were set on a 2-core machine):");
    } else {
        println!("goals (issue 17; absolute goals were set on a 2-core machine):");
    }
    for goal in &goals {
        println!("  {}", goal.line());
    }
    if mode != Some("memory") {
        println!("memory goal: run `bench/server.sh memory` (about two minutes)");
    }
}

/// `--database-url URL [--nodes N] [SENDS]` of cluster mode.
fn cluster_options(args: &[String]) -> Result<cluster::Options, String> {
    let mut options = cluster::Options { database_url: String::new(), nodes: 3, sends: 20_000 };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--database-url" => options.database_url = args.next().ok_or("--database-url needs a URL")?.clone(),
            "--nodes" => {
                let n = args.next().ok_or("--nodes needs a number")?;
                options.nodes = n.parse().ok().filter(|n| *n >= 1).ok_or(format!("--nodes must be a number >= 1, got {n}"))?;
            }
            sends => options.sends = sends.parse().map_err(|_| format!("unknown argument {sends}"))?,
        }
    }
    if options.database_url.is_empty() {
        return Err("--database-url is required (bench/server.sh starts a throwaway PostgreSQL when it is not given)".into());
    }
    if options.sends < cluster::SENDERS {
        return Err(format!("SENDS must be at least {}", cluster::SENDERS));
    }
    Ok(options)
}

/// The server's queue high-water mark as the bench starts it: the default unless the
/// environment (inherited by the server) sets `HOOKBRIDGE_QUEUE_HIGH_WATER`.
fn high_water_line() -> String {
    match std::env::var("HOOKBRIDGE_QUEUE_HIGH_WATER") {
        Ok(mark) => format!("queue high-water mark: {mark} waiting messages per project (HOOKBRIDGE_QUEUE_HIGH_WATER)"),
        Err(_) => "queue high-water mark: the server's default (10000 waiting messages per project)".to_owned(),
    }
}

/// An SDK client for the dev key on one server (no retries: a refused send counts as refused,
/// and the sender waits the `Retry-After` of a `QUEUE_FULL` itself).
pub(crate) fn sdk_client(url: &str) -> Client {
    Client::new(ClientConfig::new(DEV_KEY).with_base_url(url).with_send_url(url).with_retries(0)).expect("client")
}

/// Measures and prints the fsync rate of the disk under `base_dir` (the machine's own limit
/// every figure is compared with), under the heading of the run's limits.
pub(crate) async fn machine_fsync(base_dir: &std::path::Path) -> limits::FsyncLimit {
    let probe_dir = base_dir.to_owned();
    let fsync = tokio::task::spawn_blocking(move || limits::fsync_rate(&probe_dir, PROBE))
        .await
        .expect("fsync probe")
        .unwrap_or_else(|e| panic!("cannot measure the fsync rate under {}: {e}", base_dir.display()));
    println!();
    println!("limits of this machine, measured in this run:");
    println!(
        "  {:<26}{:>9.0}/s   (4 KiB write + fsync in a loop for {} s, mean {:.3} ms, in {})",
        "fsync rate",
        fsync.per_sec,
        PROBE.as_secs(),
        fsync.mean.as_secs_f64() * 1e3,
        fsync.dir.display()
    );
    match fsync.flushes_per_fsync {
        Some(per) => println!("  {:<26}{per:>9.2}     (the disk's flush counter, /proc/diskstats)", "disk flushes per fsync"),
        None => println!("  {:<26}{:>9}     (the disk does not count flushes)", "disk flushes per fsync", "n/a"),
    }
    fsync
}

/// CPU time used so far by the server and by this process (`None`: not readable).
type CpuReading = (Option<Duration>, Option<Duration>);

/// CPU time per accepted send of the server and of this process (senders and receiver), from two
/// readings of both around a level.
fn cpu_per_send(before: CpuReading, after: CpuReading, accepted: usize) -> Option<(Duration, Duration)> {
    let n = u32::try_from(accepted).ok().filter(|n| *n > 0)?;
    let server = after.0?.checked_sub(before.0?)? / n;
    let bench = after.1?.checked_sub(before.1?)? / n;
    Some((server, bench))
}

/// `durable syncs per send  1.05  (N disk flushes for M accepted sends, 1.00 per probe fsync)`:
/// how many of the fsync probe's syncs each accepted send cost, from the disk's own counter.
fn syncs_per_send(flushes: Option<u64>, accepted: usize, fsync: &FsyncLimit) -> Option<f64> {
    let per_fsync = fsync.flushes_per_fsync?;
    let flushes = flushes?;
    (accepted > 0 && per_fsync > 0.0).then(|| flushes as f64 / per_fsync / accepted as f64)
}

/// The default mode: limits, then 1, 16 and 128 senders; returns the goals.
async fn levels(binary: &str, base_dir: &std::path::Path, receiver: &str, arrivals: &Arrivals, per_level: usize) -> Vec<Goal> {
    let fsync = machine_fsync(base_dir).await;
    println!("  /healthz rate: measured before each level, same load generator and concurrency");

    let server = ServerProcess::start(binary, base_dir);
    let client = sdk_client(&server.url);
    let http = limits::http_client();
    let flush_counter = limits::FlushCounter::for_path(&server.data_dir);
    let mut goals = Vec::new();
    for senders in [1usize, 16, 128] {
        let total = if senders == 1 { per_level.min(ONE_SENDER_MAX) } else { per_level } / senders * senders;
        let healthz = limits::healthz_rate(&http, &server.url, senders, PROBE).await;
        let flushes_before = flush_counter.as_ref().and_then(limits::FlushCounter::read);
        let cpu_before = (server.cpu_time(), limits::process_cpu_time("self"));
        let f = level(&client, receiver, arrivals, senders, total).await;
        let cpu = cpu_per_send(cpu_before, (server.cpu_time(), limits::process_cpu_time("self")), f.accepted);
        let flushes =
            flush_counter.as_ref().and_then(limits::FlushCounter::read).zip(flushes_before).map(|(a, b)| a.saturating_sub(b));
        let syncs = syncs_per_send(flushes, f.accepted, &fsync);
        let pace = ratio(f.delivered_during_load_per_sec, f.accepted_per_sec);
        println!();
        println!("{senders} sender(s), {total} sends, data dir {}:", server.data_dir.display());
        println!("  {:<26}{healthz:>9.0}/s   (GET /healthz, {senders} concurrent, {} s)", "/healthz rate", PROBE.as_secs());
        println!("{}", rate_line("accepted sends/s", f.accepted_per_sec, fsync.per_sec, healthz));
        println!("{}", rate_line("deliveries/s during load", f.delivered_during_load_per_sec, fsync.per_sec, healthz));
        println!("  {:<26}{pace:>9.2}", "deliveries / accepted");
        println!("{}", latency_line("send→delivery p50", f.p50, fsync.mean));
        println!("{}", latency_line("send→delivery p99", f.p99, fsync.mean));
        println!("  {:<26}{:>9.1} s   (last delivery after the last send)", "drain", f.drain.as_secs_f64());
        if let (Some(syncs), Some(flushes)) = (syncs, flushes) {
            println!(
                "  {:<26}{syncs:>9.2}     ({flushes} disk flushes for {} accepted sends and their deliveries)",
                "durable syncs per send", f.accepted
            );
        }
        if let Some((server_cpu, bench_cpu)) = cpu {
            println!(
                "  {:<26}{:>9.0} µs server + {:.0} µs load generator and receiver (CPU time per accepted send)",
                "CPU per send",
                server_cpu.as_secs_f64() * 1e6,
                bench_cpu.as_secs_f64() * 1e6
            );
        }
        if let Some(problems) = f.problems() {
            println!("{problems}");
        }
        goals.extend(level_goals(senders, &f, &fsync, pace, syncs, healthz));
    }
    goals
}

/// Sends `total` messages from `senders` senders to a fresh endpoint and waits for their delivery.
async fn level(client: &Client, receiver: &str, arrivals: &Arrivals, senders: usize, total: usize) -> load::LevelFigures {
    let url = format!("{receiver}?senders={senders}");
    let endpoint = client.create_endpoint(&url, &CreateEndpointOptions::default()).await.expect("endpoint");
    let sent = load::send_all(std::slice::from_ref(client), &endpoint.id, total, senders).await;
    load::collect(&sent, arrivals).await
}

/// Load mode: one level, no limit probes, and a graceful stop of the server (SIGTERM) so a
/// profiler wrapped around it (see bench/PROFILE.md) writes its output.
async fn load_only(binary: &str, base_dir: &std::path::Path, receiver: &str, arrivals: &Arrivals, senders: usize, total: usize) {
    let server = ServerProcess::start(binary, base_dir);
    let client = sdk_client(&server.url);
    let total = total / senders * senders;
    if std::env::var_os("HOOKBRIDGE_BENCH_PAUSED").is_some_and(|v| v == "1") {
        // The send path alone: the endpoint is paused, so nothing is delivered.
        let endpoint = client.create_endpoint(receiver, &CreateEndpointOptions::default()).await.expect("endpoint");
        client.pause_endpoint(&endpoint.id).await.expect("pause");
        let sent = load::send_all(std::slice::from_ref(&client), &endpoint.id, total, senders).await;
        println!(
            "{senders} sender(s), {total} sends to a paused endpoint: accepted {:.0}/s, queue full {}, failed {}",
            sent.accepted.len() as f64 / sent.elapsed.as_secs_f64().max(1e-9),
            sent.queue_full,
            sent.failed
        );
        server.stop(Duration::from_secs(120));
        return;
    }
    let f = level(&client, receiver, arrivals, senders, total).await;
    println!(
        "{senders} sender(s), {total} sends: accepted {:.0}/s, deliveries during load {:.0}/s, p50 {:.1} ms, p99 {:.1} ms, queue full {}, failed {}, missing {}",
        f.accepted_per_sec,
        f.delivered_during_load_per_sec,
        f.p50.as_secs_f64() * 1e3,
        f.p99.as_secs_f64() * 1e3,
        f.queue_full,
        f.failed,
        f.missing
    );
    server.stop(Duration::from_secs(120));
}

/// The goals for one level.
fn level_goals(
    senders: usize,
    f: &load::LevelFigures,
    fsync: &FsyncLimit,
    pace: f64,
    syncs: Option<f64>,
    healthz: f64,
) -> Vec<Goal> {
    let p99_ms = f.p99.as_secs_f64() * 1e3;
    let complete = f.complete();
    match senders {
        1 => {
            let r = ratio(f.accepted_per_sec, fsync.per_sec);
            // One sender waits for each answer: a send can be no faster than an fsync plus a
            // round trip of the trivial route, whatever the server does.
            let serial = 1.0 / (fsync.mean.as_secs_f64() + ratio(1.0, healthz));
            let syncs = syncs.map_or_else(String::new, |s| format!("; {s:.2} durable syncs per send"));
            // Named only where it explains a failure: the disk syncs faster than a round trip.
            let ceiling = if ratio(serial, fsync.per_sec) < 0.7 {
                format!(
                    "; one fsync + one /healthz round trip in series allow at most {serial:.0}/s = {:.2} × fsync rate",
                    ratio(serial, fsync.per_sec)
                )
            } else {
                String::new()
            };
            vec![Goal::new(
                "1 sender: accepted/s >= 0.7 × fsync rate",
                format!("{r:.2} × = {:.0}/s{syncs}{ceiling}", f.accepted_per_sec),
                r >= 0.7,
            )]
        }
        16 => vec![
            Goal::new("16 senders: accepted/s >= 8000", format!("{:.0}/s", f.accepted_per_sec), f.accepted_per_sec >= 8000.0),
            Goal::new(
                "16 senders: deliveries/s during load >= 8000",
                format!("{:.0}/s", f.delivered_during_load_per_sec),
                f.delivered_during_load_per_sec >= 8000.0,
            ),
            Goal::new("16 senders: send→delivery p99 < 50 ms", format!("{p99_ms:.1} ms"), p99_ms < 50.0 && complete),
        ],
        _ => vec![
            Goal::new(
                format!("{senders} senders: deliveries/s during load >= 0.9 × accepted/s"),
                format!("{pace:.2} ×; {} sends accepted, {} refused with QUEUE_FULL", f.accepted, f.queue_full),
                pace >= 0.9,
            ),
            Goal::new(
                format!("{senders} senders: send→delivery p99 < 500 ms"),
                format!("{p99_ms:.1} ms"),
                p99_ms < 500.0 && complete,
            ),
        ],
    }
}
