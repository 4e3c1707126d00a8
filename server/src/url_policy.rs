//! The SSRF guard for endpoint URLs: `https://` only, 12..2048 characters, no credentials, no
//! control characters, a real port, and a host that resolves only to public addresses.
//! `--allow-private-targets` (and `--dev`) lifts the scheme and address rules;
//! `--allow-target-cidr` admits chosen private ranges.
//!
//! The same policy is applied twice: when an endpoint URL is created or changed ([`UrlPolicy::check`]),
//! and on every connection a delivery or forward opens ([`connect`]), so a name that later
//! resolves to an internal address is refused at connect time too.

mod addresses;
pub mod connect;

use std::net::IpAddr;
use std::time::Duration;

use ipnet::IpNet;
use reqwest::Url;

pub use addresses::is_public;

/// Shortest accepted URL.
pub const MIN_URL_LEN: usize = 12;
/// Longest accepted URL.
pub const MAX_URL_LEN: usize = 2048;
/// Longest time a DNS lookup of an endpoint host may take.
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(5);

/// Why a URL was refused; each maps to one contract error code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlRejection {
    /// Malformed, wrong scheme or length: `INVALID_ENDPOINT`.
    Invalid(String),
    /// Resolves to a private or internal address: `ENDPOINT_BLOCKED`.
    Blocked(String),
    /// The host does not resolve: `ENDPOINT_UNREACHABLE`.
    Unreachable(String),
}

impl UrlRejection {
    /// The contract error code.
    pub fn code(&self) -> &'static str {
        match self {
            UrlRejection::Invalid(_) => "INVALID_ENDPOINT",
            UrlRejection::Blocked(_) => "ENDPOINT_BLOCKED",
            UrlRejection::Unreachable(_) => "ENDPOINT_UNREACHABLE",
        }
    }

    /// The human-readable reason.
    pub fn message(&self) -> &str {
        match self {
            UrlRejection::Invalid(m) | UrlRejection::Blocked(m) | UrlRejection::Unreachable(m) => m,
        }
    }

    fn blocked(host: &str) -> Self {
        // Never name the address a lookup returned: that would disclose internal DNS answers.
        UrlRejection::Blocked(format!("url host {host} is blocked: it is or resolves to a private or internal address"))
    }

    fn unreachable(host: &str) -> Self {
        UrlRejection::Unreachable(format!("url host {host} does not resolve"))
    }
}

/// The host of a URL without the brackets of an IPv6 literal (IPv4 literals in any spelling
/// come out of the URL parser as dotted decimal).
fn host_of(url: &Url) -> &str {
    url.host_str().unwrap_or_default().trim_start_matches('[').trim_end_matches(']')
}

/// What the policy allows.
#[derive(Debug, Clone, Default)]
pub struct UrlPolicy {
    /// Allow `http://` and private/loopback targets (development).
    pub allow_private: bool,
    /// Private ranges allowed anyway.
    pub allowed_cidrs: Vec<IpNet>,
}

impl UrlPolicy {
    /// The policy of a server configuration.
    pub fn from_config(config: &crate::config::Config) -> Self {
        UrlPolicy { allow_private: config.allow_private_targets, allowed_cidrs: config.allow_target_cidrs.clone() }
    }

    /// Checks the form of a URL without resolving its host.
    pub fn check_syntax(&self, raw: &str) -> Result<Url, UrlRejection> {
        let len = raw.chars().count();
        if !(MIN_URL_LEN..=MAX_URL_LEN).contains(&len) {
            return Err(UrlRejection::Invalid(format!(
                "url must be between {MIN_URL_LEN} and {MAX_URL_LEN} characters (got {len})"
            )));
        }
        // The URL parser silently drops CR, LF and tabs; refuse them instead of guessing.
        if raw.contains(['\r', '\n']) {
            return Err(UrlRejection::Invalid("url must not contain CR or LF characters".into()));
        }
        if raw.chars().any(char::is_control) {
            return Err(UrlRejection::Invalid("url must not contain control characters".into()));
        }
        let url = Url::parse(raw).map_err(|e| UrlRejection::Invalid(format!("url is not a valid URL: {e}")))?;
        match url.scheme() {
            "https" => {}
            "http" if self.allow_private => {}
            "http" => return Err(UrlRejection::Invalid("url must use https://".into())),
            other => return Err(UrlRejection::Invalid(format!("url must use https:// (got {other}://)"))),
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(UrlRejection::Invalid("url must have a host".into()));
        }
        if url.port() == Some(0) {
            return Err(UrlRejection::Invalid("url port must be between 1 and 65535 (got 0)".into()));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(UrlRejection::Invalid("url must not contain credentials".into()));
        }
        Ok(url)
    }

    /// Checks the form, then that the host resolves and that every address it resolves to is
    /// allowed (any address when private targets are allowed).
    pub async fn check(&self, raw: &str) -> Result<(), UrlRejection> {
        let url = self.check_syntax(raw)?;
        let host = host_of(&url);
        match host.parse::<IpAddr>() {
            Ok(ip) => self.check_ip(host, ip),
            Err(_) => self.resolve(host).await.map(drop),
        }
    }

    /// Resolves a host name; every address must be allowed, or the whole answer is refused.
    pub async fn resolve(&self, host: &str) -> Result<Vec<IpAddr>, UrlRejection> {
        let ips: Vec<IpAddr> = match tokio::time::timeout(RESOLVE_TIMEOUT, tokio::net::lookup_host((host, 0))).await {
            Ok(Ok(found)) => found.map(|a| a.ip()).collect(),
            Ok(Err(_)) | Err(_) => Vec::new(),
        };
        if ips.is_empty() {
            return Err(UrlRejection::unreachable(host));
        }
        for &ip in &ips {
            self.check_ip(host, ip)?;
        }
        Ok(ips)
    }

    /// Refuses an address of `host` that the policy does not allow.
    fn check_ip(&self, host: &str, ip: IpAddr) -> Result<(), UrlRejection> {
        if self.ip_allowed(ip) { Ok(()) } else { Err(UrlRejection::blocked(host)) }
    }

    /// Whether deliveries may go to this address.
    pub fn ip_allowed(&self, ip: IpAddr) -> bool {
        let canonical = ip.to_canonical();
        self.allow_private || is_public(ip) || self.allowed_cidrs.iter().any(|net| net.contains(&ip) || net.contains(&canonical))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strict() -> UrlPolicy {
        UrlPolicy::default()
    }

    fn refused(policy: &UrlPolicy, url: &str) -> UrlRejection {
        policy.check_syntax(url).expect_err(url)
    }

    #[test]
    fn syntax_rules() {
        let invalid = |url: &str| assert_eq!(refused(&strict(), url).code(), "INVALID_ENDPOINT", "{url}");
        invalid("https://a.b"); // 11 chars
        invalid("http://example.com/x");
        invalid("ftp://example.com/x");
        invalid("file:///etc/passwd");
        invalid("gopher://example.com/x");
        invalid("not a url at all");
        invalid("https://user:pw@example.com/");
        invalid("https://user@example.com/");
        invalid(&format!("https://example.com/{}", "a".repeat(2048)));
        assert!(strict().check_syntax("https://example.com/hook").is_ok());
        let dev = UrlPolicy { allow_private: true, allowed_cidrs: vec![] };
        assert!(dev.check_syntax("http://127.0.0.1:9/hook").is_ok());
        assert_eq!(refused(&dev, "gopher://127.0.0.1:9/x").code(), "INVALID_ENDPOINT");
    }

    #[test]
    fn control_characters_and_port_zero_are_named() {
        for url in ["https://exa\nmple.com/hook", "https://example.com/ho\r\nok", "https://example.com/hook\n"] {
            let r = refused(&strict(), url);
            assert_eq!((r.code(), r.message()), ("INVALID_ENDPOINT", "url must not contain CR or LF characters"), "{url:?}");
        }
        let r = refused(&strict(), "https://example.com/\u{0}hook");
        assert_eq!(r.message(), "url must not contain control characters");
        let r = refused(&strict(), "https://example.com:0/hook");
        assert_eq!((r.code(), r.message()), ("INVALID_ENDPOINT", "url port must be between 1 and 65535 (got 0)"));
        assert!(strict().check_syntax("https://example.com:1/hook").is_ok());
    }

    #[tokio::test]
    async fn literal_addresses_in_every_spelling() {
        for blocked in [
            "https://127.0.0.1/hook",
            "https://2130706433/hook",
            "https://0x7f000001/hook",
            "https://0177.0.0.1/hook",
            "https://127.1/hook",
            "https://0/hook",
            "https://[::1]:8443/hook",
            "https://[::ffff:127.0.0.1]/hook",
            "https://[::ffff:0:127.0.0.1]/hook",
            "https://[::10.0.0.1]/hook",
            "https://[2002:a00:1::]/hook",
            "https://[2001:0:4136:e378:8000:63bf:80ff:fffe]/hook",
            "https://[fe80::1]/hook",
            "https://10.0.0.7/hook",
            "https://169.254.169.254/latest",
        ] {
            let r = strict().check(blocked).await.expect_err(blocked);
            assert_eq!(r.code(), "ENDPOINT_BLOCKED", "{blocked}");
            assert!(r.message().contains("private or internal"), "{blocked}: {}", r.message());
        }
        assert!(strict().check("https://8.8.8.8/hook").await.is_ok());
        let allow = UrlPolicy { allow_private: false, allowed_cidrs: vec!["127.0.0.0/8".parse().unwrap()] };
        assert!(allow.check("https://127.0.0.1/hook").await.is_ok());
        assert!(allow.check("https://[::ffff:127.0.0.1]/hook").await.is_ok());
        assert_eq!(allow.check("https://10.0.0.7/hook").await.unwrap_err().code(), "ENDPOINT_BLOCKED");
        let dev = UrlPolicy { allow_private: true, allowed_cidrs: vec![] };
        assert!(dev.check("http://127.0.0.1:8080/hook").await.is_ok());
    }
}
