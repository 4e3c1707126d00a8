//! The SSRF guard for endpoint URLs (CONTRACT.md 1.14 and 4.9): `https://` only, 12..2048
//! characters, and a host that resolves only to public addresses. `--allow-private-targets`
//! (and `--dev`) lifts the scheme and address rules; `--allow-target-cidr` admits chosen
//! private ranges.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use ipnet::IpNet;
use reqwest::Url;

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
}

/// What the policy allows.
#[derive(Debug, Clone, Default)]
pub struct UrlPolicy {
    /// Allow `http://` and private/loopback targets (development); also skips DNS resolution.
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
        if !url.username().is_empty() || url.password().is_some() {
            return Err(UrlRejection::Invalid("url must not contain credentials".into()));
        }
        Ok(url)
    }

    /// Checks the form, then (unless private targets are allowed) that the host resolves and
    /// that every address it resolves to is public or in an allowed range.
    pub async fn check(&self, raw: &str) -> Result<(), UrlRejection> {
        let url = self.check_syntax(raw)?;
        if self.allow_private {
            return Ok(());
        }
        let host = url.host_str().unwrap_or_default().trim_start_matches('[').trim_end_matches(']').to_owned();
        let port = url.port_or_known_default().unwrap_or(443);
        let addrs: Vec<IpAddr> = match host.parse::<IpAddr>() {
            Ok(ip) => vec![ip],
            Err(_) => match tokio::time::timeout(RESOLVE_TIMEOUT, tokio::net::lookup_host((host.as_str(), port))).await {
                Ok(Ok(found)) => found.map(|a| a.ip()).collect(),
                Ok(Err(_)) | Err(_) => Vec::new(),
            },
        };
        if addrs.is_empty() {
            return Err(UrlRejection::Unreachable(format!("host {host} does not resolve")));
        }
        for ip in addrs {
            if !self.ip_allowed(ip) {
                return Err(UrlRejection::Blocked(format!("host {host} resolves to {ip}, a private or internal address")));
            }
        }
        Ok(())
    }

    /// Whether deliveries may go to this address.
    pub fn ip_allowed(&self, ip: IpAddr) -> bool {
        self.allow_private || is_public(ip) || self.allowed_cidrs.iter().any(|net| net.contains(&ip))
    }
}

/// Whether an address is publicly routable (not loopback, private, link-local, unspecified,
/// shared, multicast, documentation or otherwise reserved).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || o[0] == 0
        || (o[0] == 100 && (o[1] & 0xC0) == 64) // 100.64.0.0/10 shared address space
        || (o[0] == 192 && o[1] == 0 && o[2] == 0) // 192.0.0.0/24 protocol assignments
        || (o[0] == 198 && (o[1] & 0xFE) == 18) // 198.18.0.0/15 benchmarking
        || o[0] >= 240) // reserved
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (s[0] & 0xFE00) == 0xFC00 // fc00::/7 unique local
        || (s[0] & 0xFFC0) == 0xFE80 // fe80::/10 link-local
        || (s[0] & 0xFFC0) == 0xFEC0 // fec0::/10 site-local (deprecated)
        || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        || (s[0] == 0x64 && s[1] == 0xff9b)) // NAT64 (may reach private IPv4)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strict() -> UrlPolicy {
        UrlPolicy::default()
    }

    #[test]
    fn classifies_addresses() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private} must be blocked");
        }
        for public in ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"] {
            assert!(is_public(public.parse().unwrap()), "{public} must be allowed");
        }
    }

    #[test]
    fn syntax_rules() {
        assert_eq!(strict().check_syntax("https://a.b").unwrap_err().code(), "INVALID_ENDPOINT"); // 11 chars
        assert_eq!(strict().check_syntax("http://example.com/x").unwrap_err().code(), "INVALID_ENDPOINT");
        assert_eq!(strict().check_syntax("ftp://example.com/x").unwrap_err().code(), "INVALID_ENDPOINT");
        assert_eq!(strict().check_syntax("not a url at all").unwrap_err().code(), "INVALID_ENDPOINT");
        assert_eq!(strict().check_syntax("https://user:pw@example.com/").unwrap_err().code(), "INVALID_ENDPOINT");
        let long = format!("https://example.com/{}", "a".repeat(2048));
        assert_eq!(strict().check_syntax(&long).unwrap_err().code(), "INVALID_ENDPOINT");
        assert!(strict().check_syntax("https://example.com/hook").is_ok());
        let dev = UrlPolicy { allow_private: true, allowed_cidrs: vec![] };
        assert!(dev.check_syntax("http://127.0.0.1:9/hook").is_ok());
    }

    #[tokio::test]
    async fn resolution_rules() {
        assert_eq!(strict().check("https://127.0.0.1/hook").await.unwrap_err().code(), "ENDPOINT_BLOCKED");
        assert_eq!(strict().check("https://[::1]:8443/hook").await.unwrap_err().code(), "ENDPOINT_BLOCKED");
        assert_eq!(strict().check("https://10.0.0.7/hook").await.unwrap_err().code(), "ENDPOINT_BLOCKED");
        assert_eq!(strict().check("https://no-such-host.invalid/hook").await.unwrap_err().code(), "ENDPOINT_UNREACHABLE");
        assert!(strict().check("https://8.8.8.8/hook").await.is_ok());
        let allow = UrlPolicy { allow_private: false, allowed_cidrs: vec!["127.0.0.0/8".parse().unwrap()] };
        assert!(allow.check("https://127.0.0.1/hook").await.is_ok());
        assert_eq!(allow.check("https://10.0.0.7/hook").await.unwrap_err().code(), "ENDPOINT_BLOCKED");
        let dev = UrlPolicy { allow_private: true, allowed_cidrs: vec![] };
        assert!(dev.check("http://localhost:8080/hook").await.is_ok());
    }
}
