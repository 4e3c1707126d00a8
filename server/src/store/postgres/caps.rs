//! The per-endpoint caps every node shares: attempts in flight (live leases of any node count
//! against `--endpoint-concurrency`) and the endpoint's rate limit, one token bucket per endpoint
//! in `endpoint_rate_buckets` (`rate_limit_rps` tokens per second up to `burst`, a new bucket
//! starts full). Claims read and spend them under a per-endpoint advisory lock, so the caps hold
//! in total however many nodes claim at once.

use deadpool_postgres::GenericClient;

use super::sql::unknown_length;
use super::{col, pg_err};
use crate::store::StoreError;

/// Class of the advisory locks that serialize claims per endpoint ("HBQ").
const CLAIM_LOCK_CLASS: i32 = 0x0048_4251;

/// An endpoint's shared state at one moment.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct EndpointCaps {
    /// The outbound endpoint is paused.
    pub paused: bool,
    /// Live leases of every node.
    pub in_flight: usize,
    /// The rate limit, when the endpoint has one.
    pub bucket: Option<Bucket>,
}

impl EndpointCaps {
    /// Attempts the endpoint may still start under `limit` and its rate limit.
    pub fn free(&self, limit: usize) -> usize {
        let free = limit.saturating_sub(self.in_flight);
        self.bucket.map_or(free, |b| free.min(b.whole_tokens()))
    }

    /// When the rate limit allows the next delivery, if not at `now_ms`.
    pub fn ready_at(&self, now_ms: i64) -> Option<i64> {
        self.bucket.and_then(|b| b.next_token_at(now_ms))
    }
}

/// An endpoint's token bucket, refilled up to `now`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Bucket {
    /// Tokens per second.
    pub rate: f64,
    /// Tokens available now.
    pub tokens: f64,
    /// The stored time the tokens count from (never moves back, whatever the node's clock).
    pub at_ms: i64,
}

impl Bucket {
    /// The bucket of an endpoint with `rps` (0: no limit → `None`) and `burst` (0: the rate), from
    /// its stored row (`None`: full), refilled at `now_ms`.
    pub fn refill(rps: i64, burst: i64, stored: Option<(f64, i64)>, now_ms: i64) -> Option<Bucket> {
        if rps <= 0 {
            return None;
        }
        let rate = rps as f64;
        let capacity = if burst > 0 { burst as f64 } else { rate };
        let (tokens, at_ms) = match stored {
            None => (capacity, now_ms),
            Some((tokens, at)) => {
                let elapsed = now_ms.saturating_sub(at).max(0) as f64 / 1000.0;
                ((tokens + elapsed * rate).min(capacity).max(0.0), at.max(now_ms))
            }
        };
        Some(Bucket { rate, tokens, at_ms })
    }

    /// Whole tokens available.
    pub fn whole_tokens(&self) -> usize {
        if self.tokens >= 1.0 { self.tokens.floor().min(usize::MAX as f64) as usize } else { 0 }
    }

    /// When the next whole token is there, if none is now.
    pub fn next_token_at(&self, now_ms: i64) -> Option<i64> {
        if self.tokens >= 1.0 {
            return None;
        }
        let wait_ms = ((1.0 - self.tokens) / self.rate * 1000.0).ceil().min(86_400_000.0) as i64;
        Some(now_ms.max(self.at_ms).saturating_add(wait_ms.max(1)))
    }
}

/// SQL: the columns [`EndpointCaps::decode`] reads, for the endpoint whose id is the SQL
/// expression `id`, at the time `now` (an SQL expression); the query must also have
/// [`caps_joins`] for `id`. Live leases of every node count as in flight.
pub(super) fn caps_columns(id: &str, now: &str) -> String {
    format!("e.paused, e.rate_limit_rps, e.burst, b.tokens, b.updated_at, {}", in_flight(id, now))
}

/// SQL: the live leases of every node on the endpoint whose id is the SQL expression `id`, at
/// the time `now` (an SQL expression). The status is written out, not a parameter, so that the
/// planner can use the index of leased messages.
pub(super) fn in_flight(id: &str, now: &str) -> String {
    format!("(SELECT COUNT(*) FROM messages m WHERE m.endpoint_id = {id} AND m.status = 'delivering' AND m.lease_until > {now})")
}

/// SQL: the joins [`caps_columns`] needs, for the endpoint whose id is the SQL expression `id`.
pub(super) fn caps_joins(id: &str) -> String {
    format!("LEFT JOIN endpoints e ON e.id = {id} LEFT JOIN endpoint_rate_buckets b ON b.endpoint_id = {id}")
}

impl EndpointCaps {
    /// The caps in the columns of [`caps_columns`], starting at column `first`, at `now_ms`.
    pub fn decode(row: &tokio_postgres::Row, first: usize, now_ms: i64) -> Result<EndpointCaps, StoreError> {
        let paused: Option<bool> = col(row, first)?;
        let rps: Option<i64> = col(row, first + 1)?;
        let burst: Option<i64> = col(row, first + 2)?;
        let tokens: Option<f64> = col(row, first + 3)?;
        let at: Option<i64> = col(row, first + 4)?;
        let in_flight: i64 = col(row, first + 5)?;
        Ok(EndpointCaps {
            paused: paused.unwrap_or(false),
            in_flight: usize::try_from(in_flight).unwrap_or(0),
            bucket: Bucket::refill(rps.unwrap_or(0), burst.unwrap_or(0), tokens.zip(at), now_ms),
        })
    }
}

/// SQL: takes the claim locks of the endpoints in `$2` (`$1` is [`lock_class`]) until the
/// transaction ends, waiting for each that another transaction holds. Claims of one endpoint
/// run one at a time over all nodes (claims of different endpoints do not wait for each other).
/// The locks are taken in the order of their keys on every node, so claims never deadlock.
pub(super) const LOCK_ENDPOINTS: &str = "SELECT pg_advisory_xact_lock($1, k) FROM \
     (SELECT DISTINCT hashtext(id) AS k FROM unnest($2::TEXT[]) AS id ORDER BY k) keys";

/// The class parameter (`$1`) of [`LOCK_ENDPOINTS`].
pub(super) fn lock_class() -> &'static i32 {
    &CLAIM_LOCK_CLASS
}

/// Takes the claim locks of `endpoint_ids` until the transaction ends ([`LOCK_ENDPOINTS`]).
pub(super) async fn lock_endpoints<C: GenericClient>(tx: &C, endpoint_ids: &[&str]) -> Result<(), StoreError> {
    let stmt = tx.prepare_cached(LOCK_ENDPOINTS).await.map_err(pg_err)?;
    tx.execute(&stmt, &[lock_class(), &endpoint_ids]).await.map_err(pg_err)?;
    Ok(())
}

/// SQL (a CTE named `spent`, after a CTE `claimed` returning `endpoint_id`): spends one token
/// of the bucket per message claimed, for the endpoints in arrays `${ids}` (ids), `${tokens}`
/// (tokens before the claim, refilled) and `${ats}` (their [`Bucket::at_ms`]).
pub(super) fn spend_cte(ids: u8, tokens: u8, ats: u8) -> String {
    let ids = unknown_length(&format!("${ids}::TEXT[]"));
    format!(
        "spent AS (INSERT INTO endpoint_rate_buckets (endpoint_id, tokens, updated_at) \
         SELECT s.endpoint_id, GREATEST(s.tokens - c.n, 0), s.at \
         FROM unnest({ids}, ${tokens}::FLOAT8[], ${ats}::BIGINT[]) AS s(endpoint_id, tokens, at) \
         JOIN (SELECT endpoint_id, COUNT(*) AS n FROM claimed GROUP BY endpoint_id) c ON c.endpoint_id = s.endpoint_id \
         ON CONFLICT (endpoint_id) DO UPDATE SET tokens = EXCLUDED.tokens, updated_at = EXCLUDED.updated_at)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_starts_full_refills_at_its_rate_and_says_when_the_next_token_comes() {
        assert_eq!(Bucket::refill(0, 5, None, 0), None, "no rate: no limit");
        let full = Bucket::refill(2, 3, None, 1_000).unwrap();
        assert_eq!(full.whole_tokens(), 3);
        assert_eq!(full.next_token_at(1_000), None);
        let empty = Bucket::refill(2, 3, Some((0.0, 1_000)), 1_000).unwrap();
        assert_eq!(empty.whole_tokens(), 0);
        assert_eq!(empty.next_token_at(1_000), Some(1_500), "2 per second: one token in 500 ms");
        let later = Bucket::refill(2, 3, Some((0.0, 1_000)), 2_250).unwrap();
        assert_eq!(later.whole_tokens(), 2);
        let capped = Bucket::refill(2, 0, Some((0.5, 0)), 60_000).unwrap();
        assert_eq!(capped.whole_tokens(), 2, "burst 0 means a capacity of the rate");
        // A node whose clock is behind the stored time neither refills nor moves the time back.
        let behind = Bucket::refill(2, 3, Some((0.5, 5_000)), 4_000).unwrap();
        assert_eq!((behind.whole_tokens(), behind.at_ms), (0, 5_000));
        assert_eq!(behind.next_token_at(4_000), Some(5_250));
    }

    #[test]
    fn free_slots_are_the_smaller_of_the_shared_cap_and_the_tokens() {
        let caps = EndpointCaps { paused: false, in_flight: 3, bucket: Bucket::refill(10, 4, None, 0) };
        assert_eq!(caps.free(5), 2);
        assert_eq!(caps.free(100), 4);
        assert_eq!(EndpointCaps { in_flight: 7, ..Default::default() }.free(5), 0);
    }
}
