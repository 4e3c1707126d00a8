//! Encryption of secrets at rest: signing secrets, inbound HMAC secrets, endpoint custom headers
//! and export download secrets are stored sealed with XChaCha20-Poly1305 under a 32-byte key kept
//! outside the database (`<data_dir>/secrets.key`, `--secrets-key` or `--secrets-key-file`).
//!
//! A sealed value reads `hbsec1:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>`: `hbsec1` is the
//! format version, the key id (the first 8 bytes of HMAC-SHA256(key, "hookbridge secrets key id"),
//! in hex) tells which key sealed it, and every value has its own random 24-byte nonce. The
//! associated data binds a value to its field and row, so a sealed value copied into another
//! row or column does not open. The store keeps the current key id as a key check value:
//! starting with another key fails before anything is read or signed.
//!
//! This module knows nothing about SQL; a store calls [`SecretBox`] on the values it writes and
//! reads, and [`SecretBox::reseal`] in its start-up pass ([`StartupPass`]).

use std::path::{Path, PathBuf};

use base64::Engine;
use chacha20poly1305::aead::{Aead, Generate, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use hmac::Mac;

/// Format version prefix of sealed values.
const PREFIX: &str = "hbsec1";
/// Bytes of a key.
const KEY_LEN: usize = 32;
/// Bytes of an XChaCha20 nonce.
const NONCE_LEN: usize = 24;
/// Name of the key file created in the data dir.
pub const KEY_FILE_NAME: &str = "secrets.key";

/// The sealed fields; the name is part of each value's associated data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretField {
    /// A signing key's `whsec_` secret (row: the key id).
    SigningSecret,
    /// An outbound endpoint's custom headers as JSON (row: the endpoint id).
    EndpointHeaders,
    /// An inbound endpoint's HMAC verification secret (row: the inbound endpoint id).
    InboundHmacSecret,
    /// The secret that signs an export's download links (row: the export id).
    ExportDownloadSecret,
    /// A pull endpoint's HMAC verification secret (row: the pull endpoint id).
    PullHmacSecret,
}

impl SecretField {
    /// Every sealed field.
    pub const ALL: [SecretField; 5] = [
        SecretField::SigningSecret,
        SecretField::EndpointHeaders,
        SecretField::InboundHmacSecret,
        SecretField::ExportDownloadSecret,
        SecretField::PullHmacSecret,
    ];

    /// Stable name used in the associated data and in messages.
    pub fn name(self) -> &'static str {
        match self {
            SecretField::SigningSecret => "signing_secret",
            SecretField::EndpointHeaders => "endpoint_headers",
            SecretField::InboundHmacSecret => "inbound_hmac_secret",
            SecretField::ExportDownloadSecret => "export_download_secret",
            SecretField::PullHmacSecret => "pull_hmac_secret",
        }
    }
}

/// A value that cannot be sealed or opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// The stored value is not in the sealed format.
    #[error("{field} of {row} is not encrypted")]
    NotSealed {
        /// Field name.
        field: &'static str,
        /// Row id.
        row: String,
    },
    /// Sealed under a key this server does not have.
    #[error("{field} of {row} is encrypted with key {key_id}, which is not configured")]
    UnknownKey {
        /// Field name.
        field: &'static str,
        /// Row id.
        row: String,
        /// Key id found in the value.
        key_id: String,
    },
    /// Authentication failed: tampered, moved to another row, or garbled.
    #[error("{field} of {row} cannot be decrypted (tampered or corrupt)")]
    Tampered {
        /// Field name.
        field: &'static str,
        /// Row id.
        row: String,
    },
    /// The system random number generator failed.
    #[error("cannot generate a random nonce: {0}")]
    Random(String),
}

/// A 32-byte secrets key and its key id; `Debug` never prints the key.
#[derive(Clone)]
pub struct SecretsKey {
    bytes: [u8; KEY_LEN],
    id: String,
}

impl std::fmt::Debug for SecretsKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretsKey").field("id", &self.id).field("bytes", &"<redacted>").finish()
    }
}

impl SecretsKey {
    fn from_bytes(bytes: [u8; KEY_LEN]) -> SecretsKey {
        let mut mac = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(&bytes).expect("HMAC takes any key length");
        mac.update(b"hookbridge secrets key id");
        let id = hex::encode(&mac.finalize().into_bytes()[..8]);
        SecretsKey { bytes, id }
    }

    /// A new random key from the system CSPRNG.
    pub fn generate() -> Result<SecretsKey, String> {
        let key = Key::try_generate().map_err(|e| format!("cannot generate a secrets key: {e}"))?;
        let mut bytes = [0u8; KEY_LEN];
        bytes.copy_from_slice(key.as_slice());
        Ok(SecretsKey::from_bytes(bytes))
    }

    /// Reads a key written as standard base64 (44 characters) or hex (64 characters) of 32
    /// bytes; surrounding whitespace is ignored.
    pub fn parse(text: &str) -> Result<SecretsKey, String> {
        let text = text.trim();
        let decoded = if text.len() == KEY_LEN * 2 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            hex::decode(text).ok()
        } else {
            base64::engine::general_purpose::STANDARD.decode(text).ok()
        };
        let bytes: [u8; KEY_LEN] = decoded.and_then(|d| d.try_into().ok()).ok_or_else(|| {
            "a secrets key must be 32 bytes written as base64 (44 characters, e.g. from `openssl rand -base64 32`) \
             or as 64 hex characters"
                .to_owned()
        })?;
        Ok(SecretsKey::from_bytes(bytes))
    }

    /// The key in the key file's form (standard base64).
    pub fn encode(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.bytes)
    }

    /// The key id: 16 hex characters that name the key without revealing it.
    pub fn id(&self) -> &str {
        &self.id
    }
}

/// Where the keys come from: a value, or a file; the current key file is created when missing
/// on a database that holds no encrypted secrets yet. `Debug` never prints a key.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SecretsSettings {
    /// The key itself (`--secrets-key` / `HOOKBRIDGE_SECRETS_KEY`); wins over `key_file`.
    pub key: Option<String>,
    /// The key file (`--secrets-key-file`; default `<data_dir>/secrets.key`).
    pub key_file: PathBuf,
    /// The previous key, to rotate from (`--secrets-key-previous`).
    pub previous_key: Option<String>,
    /// A file holding the previous key (`--secrets-key-previous-file`).
    pub previous_key_file: Option<PathBuf>,
}

impl std::fmt::Debug for SecretsSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let given = |v: &Option<String>| v.as_ref().map(|_| "<redacted>");
        f.debug_struct("SecretsSettings")
            .field("key", &given(&self.key))
            .field("key_file", &self.key_file)
            .field("previous_key", &given(&self.previous_key))
            .field("previous_key_file", &self.previous_key_file)
            .finish()
    }
}

impl SecretsSettings {
    /// The defaults for a data dir: the key file `<data_dir>/secrets.key`, no previous key.
    pub fn in_data_dir(data_dir: &Path) -> SecretsSettings {
        SecretsSettings { key_file: data_dir.join(KEY_FILE_NAME), ..Default::default() }
    }

    /// Loads the keys for a database whose secrets are sealed under `stored_key_id` (`None`: no
    /// sealed secrets yet). When no key is given and the key file is missing, a new key file
    /// (mode 0600) is created only if nothing is sealed yet, or if the previous key is the one
    /// everything is sealed with (a rotation); otherwise a lost key file is an error, never
    /// silently replaced.
    pub fn load(&self, stored_key_id: Option<&str>) -> Result<SecretBox, String> {
        let previous = match (&self.previous_key, &self.previous_key_file) {
            (Some(text), _) => Some(SecretsKey::parse(text).map_err(|e| format!("--secrets-key-previous: {e}"))?),
            (None, Some(path)) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| format!("cannot read the previous secrets key file {}: {e}", path.display()))?;
                Some(SecretsKey::parse(&text).map_err(|e| format!("previous key file {}: {e}", path.display()))?)
            }
            (None, None) => None,
        };
        let may_create = match stored_key_id {
            None => true,
            Some(stored) => previous.as_ref().is_some_and(|p| p.id() == stored),
        };
        let current = match &self.key {
            Some(text) => SecretsKey::parse(text).map_err(|e| format!("--secrets-key: {e}"))?,
            None => match std::fs::read_to_string(&self.key_file) {
                Ok(text) => SecretsKey::parse(&text).map_err(|e| format!("key file {}: {e}", self.key_file.display()))?,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && may_create => create_key_file_at(&self.key_file)?,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Err(format!(
                        "the database holds encrypted secrets but the secrets key file {} is missing; restore it from \
                         your backup, or give the key with --secrets-key / HOOKBRIDGE_SECRETS_KEY",
                        self.key_file.display()
                    ));
                }
                Err(e) => return Err(format!("cannot read the secrets key file {}: {e}", self.key_file.display())),
            },
        };
        Ok(SecretBox::new(current, previous))
    }
}

/// Writes a new random key to `path` (mode 0600, never overwriting a file).
fn create_key_file_at(path: &Path) -> Result<SecretsKey, String> {
    let key = SecretsKey::generate()?;
    let mut file = crate::data_dir::create_private_file(path)
        .map_err(|e| format!("cannot create the secrets key file {}: {e}", path.display()))?;
    use std::io::Write;
    writeln!(file, "{}", key.encode())
        .and_then(|()| file.sync_all())
        .map_err(|e| format!("cannot write the secrets key file {}: {e}", path.display()))?;
    tracing::info!(
        key_file = %path.display(), key_id = key.id(),
        "created a new secrets key file; back it up apart from the database: without it the stored secrets cannot be read"
    );
    Ok(key)
}

/// The current key (seals and opens) and optionally the previous one (only opens, while rotating).
pub struct SecretBox {
    current: (SecretsKey, XChaCha20Poly1305),
    previous: Option<(SecretsKey, XChaCha20Poly1305)>,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretBox")
            .field("key_id", &self.current.0.id)
            .field("previous_key_id", &self.previous.as_ref().map(|p| &p.0.id))
            .finish()
    }
}

/// What a store does with its sealed values at start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StartupPass {
    /// The database is sealed under the current key: nothing to do.
    UpToDate,
    /// No key check value yet (a new database, or one written before encryption existed):
    /// seal every stored plaintext value under the current key.
    EncryptPlaintext,
    /// Sealed under the previous key: open with it and seal again under the current key.
    Rotate,
}

fn cipher(key: &SecretsKey) -> XChaCha20Poly1305 {
    XChaCha20Poly1305::new(&Key::from(key.bytes))
}

fn aad(field: SecretField, row: &str) -> Vec<u8> {
    format!("hookbridge:{}:{row}", field.name()).into_bytes()
}

/// Associated data of a token: a prefix no stored field's data can have.
fn token_aad(purpose: &str) -> Vec<u8> {
    format!("hookbridge-token:{purpose}").into_bytes()
}

/// Why a sealed value did not open (before naming the field).
enum OpenError {
    NotSealed,
    UnknownKey(String),
    Tampered,
}

impl SecretBox {
    /// A box sealing with `current`, also opening values of `previous`.
    pub fn new(current: SecretsKey, previous: Option<SecretsKey>) -> SecretBox {
        let with_cipher = |key: SecretsKey| {
            let c = cipher(&key);
            (key, c)
        };
        SecretBox { current: with_cipher(current), previous: previous.map(with_cipher) }
    }

    /// Id of the current key (the store's key check value).
    pub fn key_id(&self) -> &str {
        &self.current.0.id
    }

    /// Decides the start-up pass from the key id the database recorded, or refuses a wrong key.
    pub fn startup_pass(&self, stored_key_id: Option<&str>) -> Result<StartupPass, String> {
        let Some(stored) = stored_key_id else { return Ok(StartupPass::EncryptPlaintext) };
        if stored == self.key_id() {
            if self.previous.is_some() {
                tracing::info!(
                    key_id = stored,
                    "secrets are already encrypted with the current key; the previous key is not needed any more"
                );
            }
            return Ok(StartupPass::UpToDate);
        }
        if self.previous.as_ref().is_some_and(|p| p.0.id == stored) {
            return Ok(StartupPass::Rotate);
        }
        Err(format!(
            "wrong secrets key: this database's secrets are encrypted with key id {stored}, but the configured key has id {}{}. \
             Start with the key this database was encrypted with (the secrets.key file of its data dir, or --secrets-key); \
             to move to a new key, give the old one as --secrets-key-previous or --secrets-key-previous-file",
            self.key_id(),
            match &self.previous {
                Some(p) => format!(" and the previous key has id {}", p.0.id),
                None => String::new(),
            }
        ))
    }

    /// Seals `plaintext` of `field` in row `row` under the current key with a fresh nonce.
    pub fn seal(&self, field: SecretField, row: &str, plaintext: &str) -> Result<String, SecretError> {
        self.seal_with(&aad(field, row), plaintext)
    }

    /// Seals a value that is never stored (e.g. a dashboard session token) for `purpose`, under
    /// the current key: any server process holding the key opens it with [`SecretBox::open_token`].
    pub fn seal_token(&self, purpose: &str, plaintext: &str) -> Result<String, SecretError> {
        self.seal_with(&token_aad(purpose), plaintext)
    }

    /// Opens a value of [`SecretBox::seal_token`] sealed for `purpose` (with the current or the
    /// previous key); `None` when it is garbled, tampered with, or sealed for another purpose.
    pub fn open_token(&self, purpose: &str, sealed: &str) -> Option<String> {
        self.open_with(&token_aad(purpose), sealed).ok()
    }

    fn seal_with(&self, aad: &[u8], plaintext: &str) -> Result<String, SecretError> {
        let nonce = XNonce::try_generate().map_err(|e| SecretError::Random(e.to_string()))?;
        let sealed = self
            .current
            .1
            .encrypt(&nonce, Payload { msg: plaintext.as_bytes(), aad })
            .map_err(|_| SecretError::Random("encryption failed".into()))?;
        let mut raw = Vec::with_capacity(NONCE_LEN + sealed.len());
        raw.extend_from_slice(nonce.as_slice());
        raw.extend_from_slice(&sealed);
        Ok(format!("{PREFIX}:{}:{}", self.key_id(), base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)))
    }

    /// [`SecretBox::seal`] for an optional value.
    pub fn seal_opt(&self, field: SecretField, row: &str, plaintext: Option<&str>) -> Result<Option<String>, SecretError> {
        plaintext.map(|p| self.seal(field, row, p)).transpose()
    }

    /// Opens a sealed value with the key that sealed it.
    pub fn open(&self, field: SecretField, row: &str, stored: &str) -> Result<String, SecretError> {
        self.open_with(&aad(field, row), stored).map_err(|e| match e {
            OpenError::NotSealed => SecretError::NotSealed { field: field.name(), row: row.to_owned() },
            OpenError::UnknownKey(key_id) => SecretError::UnknownKey { field: field.name(), row: row.to_owned(), key_id },
            OpenError::Tampered => SecretError::Tampered { field: field.name(), row: row.to_owned() },
        })
    }

    fn open_with(&self, aad: &[u8], stored: &str) -> Result<String, OpenError> {
        let rest = stored.strip_prefix(PREFIX).and_then(|r| r.strip_prefix(':')).ok_or(OpenError::NotSealed)?;
        let (key_id, body) = rest.split_once(':').ok_or(OpenError::NotSealed)?;
        let cipher = if key_id == self.current.0.id {
            &self.current.1
        } else {
            match &self.previous {
                Some((key, cipher)) if key.id == key_id => cipher,
                _ => return Err(OpenError::UnknownKey(key_id.to_owned())),
            }
        };
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(body).map_err(|_| OpenError::Tampered)?;
        if raw.len() < NONCE_LEN {
            return Err(OpenError::Tampered);
        }
        let (nonce, sealed) = raw.split_at(NONCE_LEN);
        let nonce = XNonce::try_from(nonce).map_err(|_| OpenError::Tampered)?;
        let plain = cipher.decrypt(&nonce, Payload { msg: sealed, aad }).map_err(|_| OpenError::Tampered)?;
        String::from_utf8(plain).map_err(|_| OpenError::Tampered)
    }

    /// [`SecretBox::open`] for an optional value.
    pub fn open_opt(&self, field: SecretField, row: &str, stored: Option<&str>) -> Result<Option<String>, SecretError> {
        stored.map(|s| self.open(field, row, s)).transpose()
    }

    /// Logs what a backend's start-up pass did: `changed` values sealed (or re-sealed) per `pass`.
    pub fn report_startup_pass(&self, pass: &StartupPass, changed: usize) {
        match pass {
            StartupPass::Rotate => tracing::warn!(
                values = changed,
                key_id = self.key_id(),
                "re-encrypted the stored secrets with the new secrets key; the previous key is no longer needed"
            ),
            _ if changed > 0 => {
                tracing::warn!(values = changed, key_id = self.key_id(), "encrypted the plaintext secrets of this database")
            }
            _ => {}
        }
    }

    /// One value of a start-up pass: the new stored form, or `None` when it stays as it is.
    /// [`StartupPass::EncryptPlaintext`] treats every value as plaintext (nothing was sealed
    /// before the key check value existed); [`StartupPass::Rotate`] opens values sealed with
    /// the previous key and seals them under the current one.
    pub fn reseal(&self, pass: &StartupPass, field: SecretField, row: &str, stored: &str) -> Result<Option<String>, SecretError> {
        match pass {
            StartupPass::UpToDate => Ok(None),
            StartupPass::EncryptPlaintext => self.seal(field, row, stored).map(Some),
            StartupPass::Rotate => {
                if stored.starts_with(&format!("{PREFIX}:{}:", self.key_id())) {
                    return Ok(None);
                }
                let plain = self.open(field, row, stored)?;
                self.seal(field, row, &plain).map(Some)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SecretsKey {
        SecretsKey::generate().unwrap()
    }

    #[test]
    fn values_round_trip_with_a_fresh_nonce_each_time_and_stay_bound_to_their_row() {
        let sbox = SecretBox::new(key(), None);
        let a = sbox.seal(SecretField::SigningSecret, "sk_1", "whsec_abc").unwrap();
        let b = sbox.seal(SecretField::SigningSecret, "sk_1", "whsec_abc").unwrap();
        assert_ne!(a, b, "a random nonce per value");
        assert!(a.starts_with(&format!("hbsec1:{}:", sbox.key_id())) && !a.contains("whsec_abc"));
        assert_eq!(sbox.open(SecretField::SigningSecret, "sk_1", &a).unwrap(), "whsec_abc");
        assert!(matches!(sbox.open(SecretField::SigningSecret, "sk_2", &a), Err(SecretError::Tampered { .. })));
        assert!(matches!(sbox.open(SecretField::EndpointHeaders, "sk_1", &a), Err(SecretError::Tampered { .. })));
        assert!(matches!(sbox.open(SecretField::SigningSecret, "sk_1", "whsec_abc"), Err(SecretError::NotSealed { .. })));
        let mut flipped = a.clone();
        flipped.replace_range(a.len() - 3.., "AAA");
        assert!(sbox.open(SecretField::SigningSecret, "sk_1", &flipped).is_err());
    }

    #[test]
    fn keys_parse_from_base64_or_hex_and_refuse_anything_else() {
        let k = key();
        assert_eq!(SecretsKey::parse(&format!("  {}\n", k.encode())).unwrap().id(), k.id());
        assert_eq!(SecretsKey::parse(&hex::encode(k.bytes)).unwrap().id(), k.id());
        assert!(SecretsKey::parse("short").unwrap_err().contains("32 bytes"));
        assert!(!format!("{k:?}").contains(&k.encode()), "Debug never prints the key");
    }

    #[test]
    fn the_startup_pass_rotates_from_the_previous_key_and_refuses_an_unknown_one() {
        let (old, new) = (key(), key());
        let old_box = SecretBox::new(old.clone(), None);
        let sealed = old_box.seal(SecretField::InboundHmacSecret, "r", "hmac").unwrap();
        let rotating = SecretBox::new(new.clone(), Some(old.clone()));
        let pass = rotating.startup_pass(Some(old.id())).unwrap();
        assert_eq!(pass, StartupPass::Rotate);
        let resealed = rotating.reseal(&pass, SecretField::InboundHmacSecret, "r", &sealed).unwrap().unwrap();
        assert_eq!(SecretBox::new(new.clone(), None).open(SecretField::InboundHmacSecret, "r", &resealed).unwrap(), "hmac");
        assert_eq!(rotating.reseal(&pass, SecretField::InboundHmacSecret, "r", &resealed).unwrap(), None);
        let err = SecretBox::new(new, None).startup_pass(Some(old.id())).unwrap_err();
        assert!(err.contains("wrong secrets key") && err.contains(old.id()), "{err}");
        assert_eq!(old_box.startup_pass(None).unwrap(), StartupPass::EncryptPlaintext);
    }
}
