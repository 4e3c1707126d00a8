//! Throughput of webhook signing and verification at 1 KiB, 64 KiB and 1 MiB bodies, next to
//! the raw SHA-256 rate (sha2 over the same buffers) measured in the same run.
//!
//! Run: `cargo bench -p hookbridge --bench signing` (or `bench/signing.sh`).
//! Target: verify at 64 KiB within 1.3x of the raw SHA-256 time.

use std::hint::black_box;
use std::time::{Duration, Instant};

use hookbridge::signing::{self, VerifyOptions};
use sha2::{Digest, Sha256};

const SECRET: &str = "whsec_k8Ds1yQe0pLz7mVb3nRt5wXa9cFg2hJu";
const TIMESTAMP: &str = "1700000000";
const TARGET_RATIO_64K: f64 = 1.3;
/// Each measurement round runs this long; the best of `ROUNDS` rounds is kept.
const ROUND_TIME: Duration = Duration::from_millis(150);
const ROUNDS: usize = 7;

/// How many calls of `f` take about one `ROUND_TIME`.
fn calibrate(f: &mut dyn FnMut()) -> u64 {
    let mut iterations: u64 = 1;
    loop {
        let started = Instant::now();
        for _ in 0..iterations {
            f();
        }
        let elapsed = started.elapsed();
        if elapsed >= ROUND_TIME / 4 {
            return ((iterations as f64) * ROUND_TIME.as_secs_f64() / elapsed.as_secs_f64()).ceil() as u64;
        }
        iterations *= 4;
    }
}

/// Seconds per call of each function, best of `ROUNDS` rounds. The functions take turns within
/// each round, so a change of machine load affects all of them alike and the ratios stay fair.
fn seconds_per_call<const N: usize>(mut fs: [&mut dyn FnMut(); N]) -> [f64; N] {
    let iterations: Vec<u64> = fs.iter_mut().map(|f| calibrate(*f)).collect();
    let mut best = [f64::INFINITY; N];
    for _ in 0..ROUNDS {
        for (i, f) in fs.iter_mut().enumerate() {
            let started = Instant::now();
            for _ in 0..iterations[i] {
                f();
            }
            best[i] = best[i].min(started.elapsed().as_secs_f64() / iterations[i] as f64);
        }
    }
    best
}

fn megabytes_per_second(bytes: usize, seconds: f64) -> f64 {
    bytes as f64 / seconds / 1e6
}

/// Deterministic pseudo-random bytes (xorshift), so runs are comparable.
fn body(len: usize) -> Vec<u8> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

fn main() {
    // `cargo bench` passes `--bench`; any other argument is ignored.
    println!("hookbridge signing benchmark (best of {ROUNDS} rounds of ~{} ms each)", ROUND_TIME.as_millis());
    println!(
        "{:>8}  {:>12}  {:>12}  {:>12}  {:>11}  {:>11}",
        "body", "sha256 MB/s", "sign MB/s", "verify MB/s", "sign/sha", "verify/sha"
    );
    let options = VerifyOptions { tolerance_seconds: 300, now: Some(1_700_000_000) };
    let mut verdict_64k = None;
    for (label, len) in [("1 KiB", 1usize << 10), ("64 KiB", 64 << 10), ("1 MiB", 1 << 20)] {
        let buffer = body(len);
        let header = signing::sign(SECRET, TIMESTAMP, &buffer);
        assert!(signing::verify(&buffer, &header, TIMESTAMP, &[SECRET], options).is_ok(), "benchmark input must verify");

        let [sha, sign, verify] = seconds_per_call([
            &mut || {
                black_box(Sha256::digest(black_box(&buffer)));
            },
            &mut || {
                black_box(signing::sign(black_box(SECRET), TIMESTAMP, black_box(&buffer)));
            },
            &mut || {
                black_box(signing::verify(black_box(&buffer), black_box(&header), TIMESTAMP, &[SECRET], options)).unwrap();
            },
        ]);
        println!(
            "{label:>8}  {:>12.1}  {:>12.1}  {:>12.1}  {:>10.3}x  {:>10.3}x",
            megabytes_per_second(len, sha),
            megabytes_per_second(len, sign),
            megabytes_per_second(len, verify),
            sign / sha,
            verify / sha,
        );
        if len == 64 << 10 {
            verdict_64k = Some(verify / sha);
        }
    }
    let ratio = verdict_64k.expect("64 KiB measured");
    let status = if ratio <= TARGET_RATIO_64K { "MET" } else { "MISSED" };
    println!("target: verify at 64 KiB within {TARGET_RATIO_64K}x of raw SHA-256: {ratio:.3}x -> {status}");
}
