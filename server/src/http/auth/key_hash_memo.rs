//! The SHA-256 of API keys that authenticated, remembered so that a key presented again is not
//! hashed again on every request.
//!
//! An entry is found by a keyed SipHash-2-4 of the presented key (128 bits, with a key drawn from
//! the operating system's CSPRNG when the process starts, so nobody outside can compute it): 64
//! bits select the entry and the other 64 must match too. The memo holds only these tags and the
//! SHA-256 hashes the database holds anyway, never a key. It only shortcuts the hashing: the
//! hash is still looked up in the auth cache or the store, so a revoked key is refused as before.

use std::collections::HashMap;
use std::hash::Hasher;
use std::sync::{Arc, LazyLock, RwLock};

use siphasher::sip128::{Hasher128, SipHasher24};

/// Most entries kept; past this the memo starts over (only keys that authenticated are added).
const MAX_ENTRIES: usize = 10_000;

/// Keyed tags of presented keys to their SHA-256 (lowercase hex).
pub struct KeyHashMemo {
    sip_key: [u8; 16],
    entries: RwLock<HashMap<u64, (u64, Arc<str>)>>,
}

/// The memo of this process.
pub static KEY_HASHES: LazyLock<KeyHashMemo> = LazyLock::new(|| KeyHashMemo::new(crate::ids::random_bytes()));

impl KeyHashMemo {
    /// An empty memo whose tags are keyed with `sip_key`.
    pub fn new(sip_key: [u8; 16]) -> Self {
        KeyHashMemo { sip_key, entries: RwLock::new(HashMap::new()) }
    }

    /// The two 64-bit halves of the key's tag: where to look, and what must match there.
    fn tag(&self, api_key: &str) -> (u64, u64) {
        let mut hasher = SipHasher24::new_with_key(&self.sip_key);
        hasher.write(api_key.as_bytes());
        let tag = hasher.finish128();
        (tag.h1, tag.h2)
    }

    /// The SHA-256 hex of `api_key`: remembered, or computed (`false`: not remembered yet).
    pub fn sha256_hex(&self, api_key: &str) -> (Arc<str>, bool) {
        let (slot, check) = self.tag(api_key);
        if let Ok(entries) = self.entries.read()
            && let Some((stored_check, hash)) = entries.get(&slot)
            && *stored_check == check
        {
            return (Arc::clone(hash), true);
        }
        (Arc::from(crate::ids::sha256_hex(api_key.as_bytes())), false)
    }

    /// Remembers the hash of a key that authenticated.
    pub fn remember(&self, api_key: &str, hash: Arc<str>) {
        let (slot, check) = self.tag(api_key);
        if let Ok(mut entries) = self.entries.write() {
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(slot, (check, hash));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembered_hashes_are_the_sha256_of_the_key_and_only_of_that_key() {
        let memo = KeyHashMemo::new([7; 16]);
        let key = "hb_live_abcdefghijklmnopqrstuvwxyz012345";
        let (hash, remembered) = memo.sha256_hex(key);
        assert!(!remembered);
        assert_eq!(&*hash, crate::ids::sha256_hex(key.as_bytes()));
        memo.remember(key, Arc::clone(&hash));
        assert_eq!(memo.sha256_hex(key), (hash, true));

        // A key differing in one character is hashed, not served the remembered hash.
        let other = "hb_live_abcdefghijklmnopqrstuvwxyz012346";
        let (other_hash, remembered) = memo.sha256_hex(other);
        assert!(!remembered);
        assert_eq!(&*other_hash, crate::ids::sha256_hex(other.as_bytes()));

        // Another process (another SipHash key) finds nothing: tags cannot be computed outside.
        let fresh = KeyHashMemo::new([8; 16]);
        assert!(!fresh.sha256_hex(key).1);
        assert_ne!(memo.tag(key), fresh.tag(key));
    }

    #[test]
    fn the_memo_is_bounded() {
        let memo = KeyHashMemo::new([1; 16]);
        for i in 0..MAX_ENTRIES + 5 {
            let key = format!("hb_test_{i:032}");
            memo.remember(&key, Arc::from(crate::ids::sha256_hex(key.as_bytes())));
        }
        assert!(memo.entries.read().unwrap().len() <= MAX_ENTRIES);
    }
}
