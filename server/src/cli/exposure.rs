//! `serve`'s flags for running Loupe where others can reach it: which internal
//! webhook receivers it may call, and whose `X-Forwarded-For` it believes.

use clap::Args;
use ipnet::IpNet;

use crate::alerts::egress::Egress;

#[derive(Args, Debug, Clone, Default)]
#[command(next_help_heading = "Exposure (see the README's \"Exposing Loupe\")")]
pub struct ExposureArgs {
    /// Internal webhook receivers alert rules may call: host names, addresses or
    /// CIDR ranges (e.g. alertmanager.internal,10.0.0.0/8,127.0.0.1). Without it
    /// webhooks go to public addresses only: loopback, link-local (the cloud
    /// metadata service), private, unspecified and multicast addresses are refused.
    #[arg(long, env = "LOUPE_WEBHOOK_ALLOW", value_name = "HOST|CIDR", value_delimiter = ',')]
    pub webhook_allow: Vec<String>,

    /// Reverse proxies whose X-Forwarded-For names the client (addresses or CIDR
    /// ranges, e.g. 10.0.0.5,172.18.0.0/16). Sign-in throttling counts failures per
    /// client address; without this, the address is the TCP peer's.
    #[arg(long, env = "LOUPE_TRUSTED_PROXY", value_name = "CIDR", value_delimiter = ',', value_parser = cidr)]
    pub trusted_proxy: Vec<IpNet>,
}

impl ExposureArgs {
    pub fn egress(&self) -> anyhow::Result<Egress> {
        Egress::parse(&self.webhook_allow).map_err(anyhow::Error::msg)
    }
}

/// An address (one host) or a CIDR range.
pub fn cidr(s: &str) -> Result<IpNet, String> {
    let s = s.trim();
    s.parse::<IpNet>()
        .or_else(|_| s.parse::<std::net::IpAddr>().map(IpNet::from))
        .map_err(|_| format!("{s:?} is not an address or a CIDR range like 10.0.0.0/8"))
}
