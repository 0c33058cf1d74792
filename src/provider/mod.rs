//! The providers: presets (who), protocols (how to ask), and what their answers mean.

pub mod dyndns2;
pub mod dynv6;
pub mod rfc2136;

use crate::addr::{V6Addr, V6Net, Wanted};
use crate::config::Job;
use crate::exit::Failure;
use crate::http::{Answer, Family};
use crate::secret::Secret;
use std::net::Ipv4Addr;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    /// dynv6's own Update API: `/api/update?zone=&token=&ipv4=&ipv6=&ipv6prefix=`.
    Dynv6,
    /// The dyn.com "NIC update" API: `/nic/update?hostname=&myip=` with Basic auth.
    Dyndns2,
    /// RFC 2136 DNS UPDATE signed with TSIG, over UDP/TCP to port 53, not HTTP.
    Rfc2136 { zone: rfc2136::DefaultZone },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credentials {
    /// A token alone.
    Token,
    /// User name and password.
    UserPassword,
    /// The token is sent as the Basic-auth password; the user name is not checked.
    TokenAsPassword { default_user: &'static str },
    /// A TSIG key (algorithm, name, secret) from a key file or the environment.
    TsigKey,
}

/// A named provider: its protocol, its endpoints, and what it can publish.
#[derive(Debug)]
pub struct Preset {
    pub name: &'static str,
    pub protocol: Protocol,
    /// Host of the HTTPS endpoint; `None` when the user must give `--server`.
    pub host: Option<&'static str>,
    /// Hosts that resolve to one family only, for `auto` values.
    pub auto_hosts: Option<(&'static str, &'static str)>,
    pub credentials: Credentials,
    pub ipv6: bool,
    pub ipv6_prefix: bool,
}

pub static PRESETS: [Preset; 6] = [
    // dynv6 Update API: https://dynv6.com/docs/apis (seeds 000, 001).
    Preset {
        name: "dynv6",
        protocol: Protocol::Dynv6,
        host: Some("dynv6.com"),
        auto_hosts: Some(("ipv4.dynv6.com", "ipv6.dynv6.com")),
        credentials: Credentials::Token,
        ipv6: true,
        ipv6_prefix: true,
    },
    // dynv6's dyndns2 endpoint, IPv4 only, token as password: https://dynv6.com/docs/apis.
    // The user name is not documented; clients commonly send "none" (unconfirmed).
    Preset {
        name: "dynv6-nic",
        protocol: Protocol::Dyndns2,
        host: Some("dynv6.com"),
        auto_hosts: None,
        credentials: Credentials::TokenAsPassword {
            default_user: "none",
        },
        ipv6: false,
        ipv6_prefix: false,
    },
    // No-IP "Dynamic DNS Integration API" (seed 004): dynupdate.no-ip.com/nic/update,
    // DDNS key as Basic auth, myip=v4,v6, User-Agent in its required format.
    Preset {
        name: "noip",
        protocol: Protocol::Dyndns2,
        host: Some("dynupdate.no-ip.com"),
        auto_hosts: None,
        credentials: Credentials::UserPassword,
        ipv6: true,
        ipv6_prefix: false,
    },
    // Any server of the dyn.com Remote Access API; the user names it with --server.
    Preset {
        name: "dyndns2",
        protocol: Protocol::Dyndns2,
        host: None,
        auto_hosts: None,
        credentials: Credentials::UserPassword,
        ipv6: true,
        ipv6_prefix: false,
    },
    // Any RFC 2136 server (BIND, Knot, PowerDNS); the user names it with --server.
    Preset {
        name: "rfc2136",
        protocol: Protocol::Rfc2136 {
            zone: rfc2136::DefaultZone::Parent,
        },
        host: None,
        auto_hosts: None,
        credentials: Credentials::TsigKey,
        ipv6: true,
        ipv6_prefix: false,
    },
    // dynv6's DNS Update (seeds 000, 001): ns1.dynv6.com, the zone is the host
    // itself (dynv6 authorizes the key by the zone section).
    Preset {
        name: "dynv6-rfc2136",
        protocol: Protocol::Rfc2136 {
            zone: rfc2136::DefaultZone::Host,
        },
        host: Some("ns1.dynv6.com"),
        auto_hosts: None,
        credentials: Credentials::TsigKey,
        ipv6: true,
        ipv6_prefix: false,
    },
];

pub fn preset(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.name == name)
}

pub fn preset_names() -> String {
    PRESETS
        .iter()
        .map(|p| p.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// What one request publishes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Publish {
    pub ipv4: Option<Wanted<Ipv4Addr>>,
    pub ipv6: Option<Wanted<V6Addr>>,
    pub ipv6_prefix: Option<Wanted<V6Net>>,
}

impl Publish {
    /// The values the provider must take from a connection of `family`.
    pub fn auto_for(&self, family: Family) -> Publish {
        match family {
            Family::Any => Publish::default(),
            Family::V4 => Publish {
                ipv4: self.ipv4.filter(Wanted::is_auto),
                ..Publish::default()
            },
            Family::V6 => Publish {
                ipv4: None,
                ipv6: self.ipv6.filter(Wanted::is_auto),
                ipv6_prefix: self.ipv6_prefix.filter(Wanted::is_auto),
            },
        }
    }

    /// The values known here, which any connection can carry.
    pub fn known(&self) -> Publish {
        Publish {
            ipv4: self.ipv4.filter(|w| !w.is_auto()),
            ipv6: self.ipv6.filter(|w| !w.is_auto()),
            ipv6_prefix: self.ipv6_prefix.filter(|w| !w.is_auto()),
        }
    }

    /// Whether the provider is to take some value from the connection.
    pub fn has_auto(&self) -> bool {
        *self != self.known()
    }

    pub fn is_empty(&self) -> bool {
        self.ipv4.is_none() && self.ipv6.is_none() && self.ipv6_prefix.is_none()
    }

    /// Adds `other`'s values to the ones this lacks.
    pub fn merge(&mut self, other: Publish) {
        self.ipv4 = self.ipv4.or(other.ipv4);
        self.ipv6 = self.ipv6.or(other.ipv6);
        self.ipv6_prefix = self.ipv6_prefix.or(other.ipv6_prefix);
    }

    /// `A 203.0.113.7 AAAA 2001:db8::1 prefix 2001:db8::/64`, for the output line.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(v4) = &self.ipv4 {
            parts.push(format!("A {v4}"));
        }
        if let Some(v6) = &self.ipv6 {
            parts.push(format!("AAAA {v6}"));
        }
        if let Some(prefix) = &self.ipv6_prefix {
            parts.push(format!("prefix {prefix}"));
        }
        parts.join(" ")
    }
}

/// One HTTP request, and the hosts (indices into `Job::hosts`) it speaks for.
pub struct Request {
    pub url: String,
    /// `url` with every secret replaced by `***`.
    pub shown_url: String,
    pub basic_auth: Option<(String, Secret)>,
    pub family: Family,
    pub hosts: Vec<usize>,
    pub publish: Publish,
}

/// What the provider said about one host.
#[derive(Clone, Debug)]
pub enum Verdict {
    /// The records were changed. `seen`: the address the provider reported, if any.
    Updated {
        seen: Option<String>,
    },
    /// The records already held these addresses.
    Current {
        seen: Option<String>,
    },
    Failed(Failure),
}

/// The requests that publish `publish` for the hosts `hosts`.
pub fn plan(job: &Job, hosts: &[usize], publish: &Publish) -> Vec<Request> {
    match job.preset.protocol {
        Protocol::Dynv6 => dynv6::plan(job, hosts, publish),
        Protocol::Dyndns2 => dyndns2::plan(job, hosts, publish),
        // Not HTTP: run sends these through rfc2136::send.
        Protocol::Rfc2136 { .. } => Vec::new(),
    }
}

/// The verdict for each host of `request`, in the order of `request.hosts`.
pub fn interpret(job: &Job, request: &Request, answer: &Answer) -> Vec<Verdict> {
    match job.preset.protocol {
        Protocol::Dynv6 => dynv6::interpret(request, answer),
        Protocol::Dyndns2 => dyndns2::interpret(request, answer),
        Protocol::Rfc2136 { .. } => Vec::new(),
    }
}

/// A short, printable excerpt of an answer body for messages.
pub fn excerpt(body: &str) -> String {
    let line = body.trim();
    let mut out: String = line
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(80)
        .collect();
    if line.chars().count() > 80 {
        out.push_str("...");
    }
    out
}

/// What an HTTP status says when the body says nothing we recognise.
/// dynv6's founder advised judging by status; dyndns2 servers use 401 and 5xx too.
pub fn status_failure(answer: &Answer) -> Failure {
    use crate::exit::Exit;
    let status = answer.status;
    let said = match excerpt(&answer.body) {
        body if body.is_empty() => format!("HTTP {status}"),
        body => format!("HTTP {status} \"{body}\""),
    };
    match status {
        300..=399 => Failure::new(
            Exit::Unexpected,
            format!(
                "the provider redirected ({status}) to {}; redirects are not followed with credentials",
                answer.location.as_deref().unwrap_or("nowhere")
            ),
        ),
        401 | 403 => Failure::new(Exit::BadAuth, format!("bad credentials: {said}")),
        404 => Failure::new(Exit::NoHost, format!("host or zone unknown: {said}")),
        // Rate limiting is the provider asking to come back later, as 5xx does.
        429 => Failure::new(Exit::ServerError, format!("rate limited: {said}")),
        400..=499 => Failure::new(Exit::Rejected, format!("request rejected: {said}")),
        500..=599 => Failure::new(Exit::ServerError, format!("provider failure: {said}")),
        _ => Failure::new(Exit::Unexpected, format!("unexpected answer: {said}")),
    }
}
