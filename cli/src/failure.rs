//! What went wrong, as a message for stderr and an exit code for scripts.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success |
//! | 1 | any other API error (the server's code and message are printed) |
//! | 2 | usage: bad arguments, no API key, unreadable input or profile |
//! | 3 | authentication: the API key was refused (401/403) |
//! | 4 | not found (404) |
//! | 5 | the request was refused as invalid (400, 409, 413, 422) |
//! | 6 | rate limited or the server is busy (429, 503) |
//! | 7 | no answer: network error or timeout |
//! | 8 | server error (other 5xx) |

use hookbridge::{Error, ErrorKind};

/// A failed command: its exit code and what to print.
#[derive(Debug)]
pub struct Failure {
    /// The process exit code (see the module table).
    pub code: u8,
    /// The line printed on stderr.
    pub message: String,
}

/// Exit code of usage errors (also clap's).
pub const USAGE: u8 = 2;

impl Failure {
    /// A usage error (exit 2).
    pub fn usage(message: String) -> Failure {
        Failure { code: USAGE, message }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        let code = match (e.kind(), e.status()) {
            (ErrorKind::Validation, None) => USAGE,
            (ErrorKind::Authentication, _) | (_, Some(401 | 403)) => 3,
            (ErrorKind::NotFound, _) | (_, Some(404)) => 4,
            (ErrorKind::RateLimit | ErrorKind::ReplayLimit, _) | (_, Some(429 | 503)) => 6,
            (_, Some(400 | 409 | 413 | 422)) | (ErrorKind::Idempotency, _) => 5,
            (ErrorKind::Network | ErrorKind::Timeout, _) => 7,
            (_, Some(500..=599)) => 8,
            _ => 1,
        };
        let mut message = format!("error: {} ({})", e.message(), e.code());
        if let Some(status) = e.status() {
            message.push_str(&format!(", HTTP {status}"));
        }
        if let Some(id) = e.request_id() {
            message.push_str(&format!(", request {id}"));
        }
        if let Some(seconds) = e.retry_after() {
            message.push_str(&format!("; retry in {seconds} s"));
        }
        Failure { code, message }
    }
}
