//! Where webhooks may go. Loupe sits inside a network, so a webhook URL is a way
//! to make it send requests there (SSRF): to the cloud metadata address, a
//! Docker socket on loopback, an admin page on the LAN. By default a webhook
//! may reach public addresses only; `--webhook-allow` names the internal hosts
//! and ranges an operator trusts (an Alertmanager, a local test receiver).
//!
//! Checked twice: when a rule is saved (the URL's host, and what it resolves
//! to, so the user hears at once), and at delivery against the addresses the
//! connection is made to (DNS may answer differently by then). Redirects are
//! not followed (see `Alerts::start`), so a public receiver cannot bounce the
//! request inside.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use ipnet::IpNet;
use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// The operator's allow list.
#[derive(Debug, Clone, Default)]
pub struct Egress {
    hosts: Vec<String>,
    nets: Vec<IpNet>,
}

/// What kind of internal address `ip` is, if it is one webhooks may not reach
/// by default.
pub fn internal_kind(ip: IpAddr) -> Option<&'static str> {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    };
    match ip {
        IpAddr::V4(v4) => v4_kind(v4),
        IpAddr::V6(v6) => v6_kind(v6),
    }
}

fn v4_kind(ip: Ipv4Addr) -> Option<&'static str> {
    let o = ip.octets();
    if ip.is_loopback() {
        Some("a loopback address")
    } else if ip.is_link_local() {
        Some("a link-local address (169.254.169.254 is the cloud metadata service)")
    } else if ip.is_private() || (o[0] == 100 && (o[1] & 0xc0) == 64) {
        Some("a private network address")
    } else if ip.is_unspecified() || o[0] == 0 {
        Some("an unspecified address")
    } else if ip.is_multicast() || ip.is_broadcast() || o[0] >= 240 {
        Some("a multicast or reserved address")
    } else {
        None
    }
}

fn v6_kind(ip: Ipv6Addr) -> Option<&'static str> {
    let first = ip.segments()[0];
    if ip.is_loopback() {
        Some("a loopback address")
    } else if (first & 0xffc0) == 0xfe80 {
        Some("a link-local address")
    } else if (first & 0xfe00) == 0xfc00 {
        // fc00::/7, which holds fd00:ec2::254 (AWS's metadata service over IPv6).
        Some("a private network address (fc00::/7, with the cloud metadata address fd00:ec2::254)")
    } else if ip.is_unspecified() {
        Some("an unspecified address")
    } else if ip.is_multicast() {
        Some("a multicast address")
    } else {
        None
    }
}

impl Egress {
    /// `HOST|CIDR` entries: `127.0.0.1`, `10.0.0.0/8`, `::1`, `alertmanager.internal`.
    pub fn parse(entries: &[String]) -> Result<Egress, String> {
        let mut egress = Egress::default();
        for raw in entries.iter().flat_map(|e| e.split(',')).map(str::trim).filter(|e| !e.is_empty()) {
            if let Ok(net) = raw.parse::<IpNet>() {
                egress.nets.push(net);
            } else if let Ok(ip) = raw.trim_matches(|c| c == '[' || c == ']').parse::<IpAddr>() {
                egress.nets.push(IpNet::from(ip));
            } else if raw.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
                && raw.contains(|c: char| c.is_ascii_alphabetic())
            {
                egress.hosts.push(raw.to_ascii_lowercase());
            } else {
                return Err(format!("--webhook-allow {raw:?} is not a host name, an IP address or a CIDR range like 10.0.0.0/8"));
            }
        }
        Ok(egress)
    }

    /// For the start-up line.
    pub fn describe(&self) -> String {
        let all: Vec<String> = self.hosts.iter().cloned().chain(self.nets.iter().map(IpNet::to_string)).collect();
        if all.is_empty() {
            "public addresses only (--webhook-allow for internal receivers)".into()
        } else {
            format!("public addresses and {}", all.join(", "))
        }
    }

    fn host_allowed(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.hosts.contains(&host)
    }

    /// What kind of refused address `ip` is, if it is refused.
    fn refused_kind(&self, ip: IpAddr) -> Option<&'static str> {
        let kind = internal_kind(ip)?;
        (!self.nets.iter().any(|n| n.contains(&ip))).then_some(kind)
    }

    /// Why `ip` may not be reached, if it may not.
    pub fn refuse_ip(&self, ip: IpAddr) -> Option<String> {
        let kind = self.refused_kind(ip)?;
        Some(format!("{ip} is {kind}; webhooks go to public addresses unless the operator allows it (--webhook-allow {ip})"))
    }

    /// Why `host`, resolved to `ips`, may not be reached (none of them is allowed).
    fn refuse_resolved(&self, host: &str, ips: &[IpAddr]) -> Option<String> {
        if ips.iter().any(|ip| self.refused_kind(*ip).is_none()) {
            return None;
        }
        let ip = *ips.first()?;
        let kind = self.refused_kind(ip)?;
        Some(format!(
            "{host} resolves to {ip}, {kind}; webhooks go to public addresses unless the operator allows it (--webhook-allow {host}, or {ip})"
        ))
    }

    /// The check at delivery for a URL whose host is an address (a name is
    /// checked by [`GuardedResolver`] as it resolves).
    pub fn refuse_literal(&self, url: &Url) -> Option<String> {
        match url.host()? {
            url::Host::Ipv4(ip) => self.refuse_ip(ip.into()),
            url::Host::Ipv6(ip) => self.refuse_ip(ip.into()),
            url::Host::Domain(_) => None,
        }
    }

    /// The check when a rule is saved: the host, and the addresses it resolves
    /// to now. A name that does not resolve here is accepted (a receiver may
    /// not be up yet); delivery checks it again.
    pub async fn refuse_url(&self, url: &Url) -> Option<String> {
        if let Some(why) = self.refuse_literal(url) {
            return Some(why);
        }
        let url::Host::Domain(host) = url.host()? else { return None };
        if self.host_allowed(host) {
            return None;
        }
        let port = url.port_or_known_default().unwrap_or(443);
        let resolved: Vec<IpAddr> =
            tokio::time::timeout(Duration::from_secs(3), tokio::net::lookup_host((host, port))).await.ok()?.ok()?.map(|a| a.ip()).collect();
        // Delivery connects only to allowed addresses, so one is enough.
        self.refuse_resolved(host, &resolved)
    }
}

/// The webhook client's resolver: only addresses the policy allows are
/// returned, so the connection cannot be made anywhere else.
pub struct GuardedResolver(pub Arc<Egress>);

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let egress = self.0.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let resolved: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if egress.host_allowed(&host) {
                return Ok(Box::new(resolved.into_iter()) as Addrs);
            }
            let ips: Vec<IpAddr> = resolved.iter().map(SocketAddr::ip).collect();
            if let Some(why) = egress.refuse_resolved(&host, &ips) {
                return Err(format!("refused: {why}").into());
            }
            let allowed = resolved.into_iter().filter(|a| egress.refused_kind(a.ip()).is_none());
            Ok(Box::new(allowed.collect::<Vec<_>>().into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_named() {
        for ip in [
            "127.0.0.1",
            "169.254.169.254",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "0.0.0.0",
            "224.0.0.1",
            "::1",
            "fe80::1",
            "fd00:ec2::254",
            "::ffff:127.0.0.1",
            "100.64.0.1",
        ] {
            assert!(internal_kind(ip.parse().unwrap()).is_some(), "{ip}");
        }
        for ip in ["8.8.8.8", "52.1.2.3", "2606:4700::1111", "172.32.0.1"] {
            assert!(internal_kind(ip.parse().unwrap()).is_none(), "{ip}");
        }
        assert!(internal_kind("169.254.169.254".parse().unwrap()).unwrap().contains("metadata"));
    }

    #[test]
    fn the_allow_list_takes_hosts_addresses_and_ranges() {
        let e = Egress::parse(&["127.0.0.1,10.0.0.0/8".into(), "Alertmanager.internal".into(), "[::1]".into()]).unwrap();
        assert!(e.refuse_ip("127.0.0.1".parse().unwrap()).is_none());
        assert!(e.refuse_ip("10.9.9.9".parse().unwrap()).is_none());
        assert!(e.refuse_ip("::1".parse().unwrap()).is_none());
        assert!(e.refuse_ip("127.0.0.2".parse().unwrap()).unwrap().contains("--webhook-allow 127.0.0.2"));
        assert!(e.host_allowed("alertmanager.internal."));
        assert!(Egress::parse(&["http://x".into()]).is_err());
        assert!(Egress::default().describe().contains("public addresses only"));
    }

    #[tokio::test]
    async fn names_are_checked_by_what_they_resolve_to() {
        let e = Egress::default();
        let why = e.refuse_url(&Url::parse("http://localhost:9/hook").unwrap()).await.unwrap();
        assert!(why.contains("localhost resolves to") && why.contains("loopback") && why.contains("--webhook-allow localhost"), "{why}");
        assert!(e.refuse_url(&Url::parse("http://169.254.169.254/latest").unwrap()).await.unwrap().contains("metadata"));
        // A name that does not resolve here is left to delivery.
        assert!(e.refuse_url(&Url::parse("https://hooks.slack.com.invalid/x").unwrap()).await.is_none());
        let allowed = Egress::parse(&["localhost".into()]).unwrap();
        assert!(allowed.refuse_url(&Url::parse("http://localhost:9/hook").unwrap()).await.is_none());
    }
}
