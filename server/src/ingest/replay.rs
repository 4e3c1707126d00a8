//! Replay protection of signed inbound requests. A signature that covers a timestamp is
//! remembered in the store (per endpoint) until that timestamp leaves the accepted window;
//! while it is remembered, a request with the same signature is refused with
//! `signature_replayed` (409 `SIGNATURE_REPLAYED`) and creates no message, unless its dedupe
//! key names an existing message (a provider's retry, answered with the original id).
//! Signatures over the body alone carry no time, so they cannot be told apart from a
//! legitimate resend and are not remembered: configure a timestamp to get replay protection.

use super::rejection::{Reason, Rejection};
use super::verify::VerifiedSignature;
use crate::store::inbound::ReplayGuard;

/// What to remember of a verified signature, when it covers a timestamp: its hex, until the
/// end of the last second in which the timestamp is still accepted (saturating, so no
/// timestamp or window overflows).
pub fn guard(verified: &VerifiedSignature) -> Option<ReplayGuard> {
    let (sent, ttl) = verified.timestamp?;
    let last_accepted_second = sent.saturating_add(ttl.max(0));
    Some(ReplayGuard {
        signature: hex::encode(&verified.signature),
        expires_at: last_accepted_second.saturating_add(1).saturating_mul(1000),
    })
}

/// The refusal of a signature seen before.
pub fn refusal(header_name: &str) -> Rejection {
    Rejection::new(
        Reason::SignatureReplayed,
        format!(
            "the signature in {header_name} was already accepted for this endpoint; a signed request is accepted once \
             (sign each delivery with a fresh timestamp)"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_timestamped_signatures_are_remembered_until_the_window_ends() {
        let unsigned_time = VerifiedSignature { signature: vec![0xab; 32], timestamp: None };
        assert_eq!(guard(&unsigned_time), None);
        let timed = VerifiedSignature { signature: vec![0xab; 32], timestamp: Some((1_700_000_000, 300)) };
        let g = guard(&timed).unwrap();
        assert_eq!(g.signature, "ab".repeat(32));
        assert_eq!(g.expires_at, 1_700_000_301_000);
        let extreme = VerifiedSignature { signature: vec![1], timestamp: Some((i64::MAX, i64::MAX)) };
        assert_eq!(guard(&extreme).unwrap().expires_at, i64::MAX);
    }
}
