//! The machine's own limits, measured in the same run as the server figures: the raw fsync rate
//! of the data dir's disk and the request rate of a trivial route (`GET /healthz`); and the
//! disk's flush counter, which shows how many durable syncs the server really made.

use std::fs::OpenOptions;
use std::io::{Seek, SeekFrom, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Size of each write in the fsync probe (one SQLite page of the default size).
const FSYNC_BLOCK: usize = 4096;
/// The probe cycles over this many blocks, like a WAL file that is reused after a checkpoint.
const FSYNC_BLOCKS: u64 = 256;

/// Result of the fsync probe.
#[derive(Debug, Clone)]
pub struct FsyncLimit {
    /// Durable writes per second (write of one block + `fsync`).
    pub per_sec: f64,
    /// Mean time of one write + `fsync`.
    pub mean: Duration,
    /// Directory the probe wrote in (next to the server's data dir, same filesystem).
    pub dir: PathBuf,
    /// Cache flushes the disk completed per probe `fsync` (`None`: the disk does not count them).
    pub flushes_per_fsync: Option<f64>,
}

/// Writes one 4 KiB block and `fsync`s it, in a loop for `duration`, in a fresh directory under
/// `base_dir` (the directory that holds the server's data dir). Blocking; the directory is removed.
pub fn fsync_rate(base_dir: &Path, duration: Duration) -> std::io::Result<FsyncLimit> {
    let dir = base_dir.join(format!("hookbridge-bench-{}-fsync", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let flushes = FlushCounter::for_path(&dir);
    let before = flushes.as_ref().and_then(FlushCounter::read);
    let result = probe_fsync(&dir, duration);
    let after = flushes.as_ref().and_then(FlushCounter::read);
    let _ = std::fs::remove_dir_all(&dir);
    let (count, elapsed) = result?;
    let flushes_per_fsync = match (before, after) {
        (Some(before), Some(after)) if after > before && count > 0 => Some((after - before) as f64 / count as f64),
        _ => None,
    };
    Ok(FsyncLimit {
        per_sec: count as f64 / elapsed.as_secs_f64(),
        mean: elapsed.checked_div(count.max(1) as u32).unwrap_or(elapsed),
        dir,
        flushes_per_fsync,
    })
}

/// The flush counter of the block device that holds a path: field 19 of its `/proc/diskstats`
/// line (cache flushes completed, Linux 5.5 and later). Other writers to the same disk count too.
#[derive(Debug, Clone)]
pub struct FlushCounter {
    major: u64,
    minor: u64,
}

impl FlushCounter {
    /// The counter of the device `path` lives on, if the kernel counts its flushes (a tmpfs or an
    /// overlay has no block device; a disk without a write cache completes no flushes).
    pub fn for_path(path: &Path) -> Option<FlushCounter> {
        let dev = std::fs::metadata(path).ok()?.dev();
        let counter = FlushCounter { major: libc_major(dev), minor: libc_minor(dev) };
        counter.read().map(|_| counter)
    }

    /// Flushes completed so far.
    pub fn read(&self) -> Option<u64> {
        let stats = std::fs::read_to_string("/proc/diskstats").ok()?;
        stats.lines().find_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (major, minor) = (fields.first()?.parse::<u64>().ok()?, fields.get(1)?.parse::<u64>().ok()?);
            (major == self.major && minor == self.minor).then(|| fields.get(18)?.parse().ok()).flatten()
        })
    }
}

/// The major number of a Linux `dev_t` (glibc's encoding).
fn libc_major(dev: u64) -> u64 {
    ((dev >> 32) & 0xffff_f000) | ((dev >> 8) & 0x0000_0fff)
}

/// The minor number of a Linux `dev_t` (glibc's encoding).
fn libc_minor(dev: u64) -> u64 {
    ((dev >> 12) & 0xffff_ff00) | (dev & 0x0000_00ff)
}

fn probe_fsync(dir: &Path, duration: Duration) -> std::io::Result<(u64, Duration)> {
    let mut file = OpenOptions::new().create(true).truncate(true).write(true).open(dir.join("probe"))?;
    let block = vec![0x5a_u8; FSYNC_BLOCK];
    // Allocate the file first so the timed loop measures data syncs, not file growth.
    for _ in 0..FSYNC_BLOCKS {
        file.write_all(&block)?;
    }
    file.sync_all()?;
    let started = Instant::now();
    let mut count = 0u64;
    while started.elapsed() < duration {
        file.seek(SeekFrom::Start((count % FSYNC_BLOCKS) * FSYNC_BLOCK as u64))?;
        file.write_all(&block)?;
        file.sync_all()?;
        count += 1;
    }
    Ok((count, started.elapsed()))
}

/// Builds an HTTP client configured like the SDK's (pooled, `TCP_NODELAY`, same timeouts), so
/// `/healthz` is driven by the same kind of load generator as the sends.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(30))
        .read_timeout(Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .pool_idle_timeout(Duration::from_secs(90))
        .tcp_nodelay(true)
        .build()
        .expect("HTTP client")
}

/// `GET {server}/healthz` from `concurrency` tasks in a loop for `duration`; returns requests/s
/// answered 200.
pub async fn healthz_rate(http: &reqwest::Client, server: &str, concurrency: usize, duration: Duration) -> f64 {
    let url: Arc<str> = format!("{server}/healthz").into();
    let ok = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        let (http, url, ok) = (http.clone(), url.clone(), ok.clone());
        tasks.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                match http.get(&*url).send().await {
                    Ok(reply) if reply.status().is_success() => {
                        if reply.bytes().await.is_ok() {
                            ok.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    Ok(reply) => panic!("/healthz answered {}", reply.status()),
                    Err(e) => panic!("/healthz failed: {e}"),
                }
            }
        }));
    }
    for task in tasks {
        task.await.expect("/healthz task");
    }
    ok.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()
}

/// CPU time (user + system, every thread, exited ones included) of process `pid` (`self` for
/// this one), from `/proc/PID/stat`.
pub fn process_cpu_time(pid: &str) -> Option<Duration> {
    ProcStat::read(pid)?.cpu_time()
}

/// The text of one process's `/proc/PID/stat`.
pub struct ProcStat(String);

impl ProcStat {
    /// `/proc/PID/stat` of `pid` (`self` for this process), if it can be read.
    pub fn read(pid: &str) -> Option<ProcStat> {
        std::fs::read_to_string(format!("/proc/{pid}/stat")).ok().map(ProcStat)
    }

    /// Field `n` counted from the state (field 3 of the file) on: the command name (field 2)
    /// may hold spaces, so fields are counted after its closing parenthesis.
    fn field(&self, n: usize) -> Option<&str> {
        self.0[self.0.rfind(')')? + 1..].split_whitespace().nth(n)
    }

    /// The parent's process id.
    pub fn parent(&self) -> Option<&str> {
        self.field(1)
    }

    /// CPU time (user + system, every thread, exited ones included).
    pub fn cpu_time(&self) -> Option<Duration> {
        let (utime, stime): (u64, u64) = (self.field(11)?.parse().ok()?, self.field(12)?.parse().ok()?);
        // Clock ticks: 100 per second on every Linux architecture the bench runs on (USER_HZ).
        Some(Duration::from_millis(utime.saturating_add(stime).saturating_mul(10)))
    }
}

/// The 1-minute load average (`/proc/loadavg`), to warn when the machine is not idle.
pub fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg").ok()?.split_whitespace().next()?.parse().ok()
}
