//! The SSRF guard at connect time. A URL checked when its endpoint was saved may resolve to a
//! different address later (a DNS change, or rebinding on purpose), so the HTTP client of
//! deliveries and forwards resolves names through [`GuardedResolver`], which refuses any answer
//! holding an address the policy blocks. IP-literal hosts never reach a resolver; callers check
//! them with [`UrlPolicy::delivery_url`], which also hands the HTTP client the parsed URL.
//!
//! A refusal travels inside the HTTP client's error as [`ConnectRefusal`]; [`refusal_in`] finds it
//! again so the attempt can be recorded as `ENDPOINT_BLOCKED` / `ENDPOINT_UNREACHABLE`.

use std::error::Error;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use super::{UrlPolicy, UrlRejection, host_of};

/// A DNS resolver for `reqwest` that applies the [`UrlPolicy`] to every address it returns.
#[derive(Debug, Clone)]
pub struct GuardedResolver {
    policy: Arc<UrlPolicy>,
}

impl GuardedResolver {
    /// A resolver enforcing `policy`.
    pub fn new(policy: UrlPolicy) -> Self {
        GuardedResolver { policy: Arc::new(policy) }
    }
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = Arc::clone(&self.policy);
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let ips = policy.resolve(&host).await.map_err(ConnectRefusal)?;
            let addrs: Addrs = Box::new(ips.into_iter().map(|ip| SocketAddr::new(ip, 0)));
            Ok(addrs)
        })
    }
}

/// The guard refused to connect; carried as the source of the HTTP client's error.
#[derive(Debug, Clone)]
pub struct ConnectRefusal(pub UrlRejection);

impl ConnectRefusal {
    /// The text an attempt records: the API error code and a reason that names no address.
    pub fn attempt_error(&self) -> String {
        let reason = match self.0 {
            UrlRejection::Blocked(_) => "the endpoint host is or resolves to a private or internal address; nothing was sent",
            UrlRejection::Unreachable(_) => "the endpoint host does not resolve",
            UrlRejection::Invalid(_) => "the endpoint url is not valid",
        };
        format!("{}: {reason}", self.0.code())
    }
}

impl fmt::Display for ConnectRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.message())
    }
}

impl Error for ConnectRefusal {}

/// The guard's refusal somewhere in an error's source chain.
pub fn refusal_in<'a>(error: &'a (dyn Error + 'static)) -> Option<&'a ConnectRefusal> {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(refusal) = e.downcast_ref::<ConnectRefusal>() {
            return Some(refusal);
        }
        current = e.source();
    }
    None
}

impl UrlPolicy {
    /// Parses the URL a delivery or forward is sent to (once: the HTTP client takes this parsed
    /// URL). Refuses a URL whose host is an IP literal the policy blocks (names are left to
    /// [`GuardedResolver`]), and a URL that does not parse.
    pub fn delivery_url(&self, raw: &str) -> Result<Url, ConnectRefusal> {
        let url = Url::parse(raw).map_err(|e| ConnectRefusal(UrlRejection::Invalid(format!("url is not valid: {e}"))))?;
        let host = host_of(&url);
        if let Ok(ip) = host.parse::<IpAddr>() {
            self.check_ip(host, ip).map_err(ConnectRefusal)?;
        }
        Ok(url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_hosts_are_checked_before_sending() {
        let strict = UrlPolicy::default();
        for url in ["https://127.0.0.1:9/x", "https://0x7f.1/x", "https://[::ffff:10.0.0.1]/x", "https://[2002:a9fe:a9fe::]/x"] {
            let refusal = strict.delivery_url(url).expect_err(url);
            assert_eq!(
                refusal.attempt_error(),
                "ENDPOINT_BLOCKED: the endpoint host is or resolves to a private or internal address; nothing was sent"
            );
        }
        assert!(strict.delivery_url("https://8.8.8.8/x").is_ok());
        assert!(strict.delivery_url("https://name.example/x").is_ok(), "names are checked by the resolver");
        let allow = UrlPolicy { allow_private: false, allowed_cidrs: vec!["127.0.0.0/8".parse().unwrap()] };
        assert!(allow.delivery_url("https://127.0.0.1:9/x").is_ok());
        assert!(UrlPolicy { allow_private: true, allowed_cidrs: vec![] }.delivery_url("http://10.0.0.1/x").is_ok());
    }

    #[test]
    fn refusals_are_found_in_an_error_chain() {
        #[derive(Debug)]
        struct Outer(ConnectRefusal);
        impl fmt::Display for Outer {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("outer")
            }
        }
        impl Error for Outer {
            fn source(&self) -> Option<&(dyn Error + 'static)> {
                Some(&self.0)
            }
        }
        let outer = Outer(ConnectRefusal(UrlRejection::unreachable("gone.example")));
        let found = refusal_in(&outer).expect("found");
        assert_eq!(found.attempt_error(), "ENDPOINT_UNREACHABLE: the endpoint host does not resolve");
        assert!(refusal_in(&std::io::Error::other("plain")).is_none());
    }
}
