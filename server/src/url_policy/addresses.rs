//! Which IP addresses count as public: the address half of the SSRF guard.
//!
//! IPv4: everything except loopback, private, link-local, shared (CGNAT), multicast,
//! documentation, benchmarking and reserved ranges. IPv6: only global unicast (`2000::/3`)
//! outside documentation and IETF special-purpose blocks. IPv6 forms that carry an IPv4 address
//! (`::ffff:a.b.c.d`, `::a.b.c.d`, `::ffff:0:a.b.c.d`, 6to4 `2002::/16`, Teredo `2001::/32`)
//! are judged by the IPv4 address inside them, so `::ffff:0:127.0.0.1` or `2002:7f00:1::` is
//! as blocked as `127.0.0.1`.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Whether an address is publicly routable.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
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
    let embedded = embedded_v4(ip);
    if !embedded.is_empty() {
        return embedded.into_iter().all(is_public_v4);
    }
    let s = ip.segments();
    (s[0] & 0xE000) == 0x2000 // 2000::/3 global unicast; everything else is special or local
        && !(s[0] == 0x2001 && s[1] < 0x0200) // 2001::/23 IETF protocol assignments
        && !(s[0] == 0x2001 && s[1] == 0x0db8) // 2001:db8::/32 documentation
        && !(s[0] == 0x3fff && s[1] < 0x1000) // 3fff::/20 documentation
}

/// The IPv4 addresses carried by an IPv6 address, empty when it carries none.
fn embedded_v4(ip: Ipv6Addr) -> Vec<Ipv4Addr> {
    let s = ip.segments();
    let v4 = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    match s {
        // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible; `::` and `::1` land in 0.0.0.0/8).
        [0, 0, 0, 0, 0, 0xffff | 0, hi, lo] => vec![v4(hi, lo)],
        // ::ffff:0:a.b.c.d (SIIT translated).
        [0, 0, 0, 0, 0xffff, 0, hi, lo] => vec![v4(hi, lo)],
        // 2002:AABB:CCDD::/48 (6to4).
        [0x2002, hi, lo, ..] => vec![v4(hi, lo)],
        // 2001:0:SSSS:SSSS:flags:port:CCCC:CCCC (Teredo): the server, and the client stored inverted.
        [0x2001, 0, shi, slo, _, _, chi, clo] => vec![v4(shi, slo), v4(!chi, !clo)],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_addresses_in_every_form_are_not_public() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::127.0.0.1",
            "::10.0.0.1",
            "::ffff:0:127.0.0.1",
            "::ffff:0:169.254.169.254",
            "2002:7f00:0001::",
            "2002:0a00:0001::1",
            "2002:c0a8:0101:1::1",
            "2001:0:4136:e378:8000:63bf:80ff:fffe", // Teredo client 127.0.0.1 (inverted)
            "2001:0:0a00:0001:8000:63bf:f7f7:f7f7", // Teredo server 10.0.0.1
            "2001:db8::1",
            "2001:2::1",
            "64:ff9b::a00:1",
            "64:ff9b:1::1",
            "100::1",
            "3fff::1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private} must be blocked");
        }
    }

    #[test]
    fn public_addresses_are_public() {
        for public in [
            "8.8.8.8",
            "1.1.1.1",
            "2606:4700:4700::1111",
            "2a00:1450:4001::200e",
            "::ffff:8.8.8.8",
            "::ffff:0:8.8.8.8",
            "2002:0808:0808::1",
            "2001:0:4136:e378:8000:63bf:f7f7:f7f7", // Teredo server 65.54.227.120, client 8.8.8.8
        ] {
            assert!(is_public(public.parse().unwrap()), "{public} must be allowed");
        }
    }
}
