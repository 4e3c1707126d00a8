//! A PostgreSQL restart under a running server: while the database is down the delivery engine
//! keeps running without spinning, and once it is back the server's listener reconnects, so
//! work stored afterwards is delivered at once. Stops and starts the test PostgreSQL server
//! (`harness::backend::TestPostgres`, set up by `scripts/postgres.sh`), so it has a test binary of
//! its own. Runs only on PostgreSQL.

mod harness;

use std::path::Path;
use std::time::{Duration, Instant};

use harness::{Receiver, Server, backend};

/// The server process whose command line names `data_dir`, found in /proc.
fn server_pid(data_dir: &Path) -> u32 {
    let needle = data_dir.to_string_lossy().into_owned();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else { continue };
        let cmdline = String::from_utf8_lossy(&cmdline);
        if cmdline.contains("hookbridge-server") && cmdline.contains(&needle) {
            return pid;
        }
    }
    panic!("no server process for {needle}");
}

/// CPU time the process has used (user + system), from /proc/PID/stat.
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("the server is still running");
    let fields: Vec<&str> = stat.rsplit_once(')').unwrap().1.split_whitespace().collect();
    // After the command name: state is field 3, utime 14, stime 15 (1-based in proc(5)).
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    Duration::from_millis(ticks * 10)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_engine_waits_out_a_database_restart_and_wakes_when_it_is_back() {
    if !backend::is_postgres() {
        return;
    }
    let server = Server::start(&[]);
    let receiver = Receiver::start().await;
    let endpoint = server.client().create_endpoint(&receiver.url, &Default::default()).await.unwrap();
    let pid = server_pid(&server.data_dir);

    let mut database = backend::TestPostgres::from_env().expect("HB_TEST_PGCTL and its kin come with HB_TEST_POSTGRES");
    database.stop("fast");
    let stopped = Instant::now();
    let before = cpu_time(pid);
    tokio::time::sleep(Duration::from_secs(4)).await;
    let used = cpu_time(pid) - before;
    database.start();
    assert!(
        used < Duration::from_millis(800),
        "the server used {used:?} of CPU in {:?} with the database down",
        stopped.elapsed()
    );

    // The database is back: give the listener its reconnect backoff (≤ 5 s), then store work
    // as another node would and expect it delivered without waiting for a poll.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let listening = backend::database_sql(
            &server.data_dir,
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN hookbridge_work'",
        );
        if listening.trim() == "1" {
            break;
        }
        assert!(Instant::now() < deadline, "the listener did not reconnect");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let now = hookbridge_server::clock::now_millis();
    let stored = Instant::now();
    backend::database_sql(
        &server.data_dir,
        &format!(
            "INSERT INTO messages (id, project_id, direction, endpoint_id, destination_url, status, content_type, payload, \
               size_bytes, payload_sha256, signed_at, next_attempt_at, created_at, updated_at) \
             SELECT 'msg_after_restart', project_id, 'outbound', id, url, 'queued', 'application/json', '\\x7b7d'::bytea, 2, '', \
               {now} / 1000, {now}, {now}, {now} FROM endpoints WHERE id = '{}'; \
             SELECT pg_notify('hookbridge_work', '')",
            endpoint.id
        ),
    );
    let got = receiver.wait_for(1, Duration::from_secs(10)).await;
    let latency = got[0].at - stored;
    assert!(latency < Duration::from_millis(600), "delivered {latency:?} after being stored");
}
