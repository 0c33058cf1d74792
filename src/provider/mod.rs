//! The providers: presets (who), protocols (how to ask), and what their answers mean.

#[cfg(feature = "aliyun")]
pub mod aliyun;
pub mod api;
#[cfg(feature = "beget")]
pub mod beget;
#[cfg(feature = "cloudflare")]
pub mod cloudflare;
#[cfg(feature = "desec-api")]
pub mod desec_api;
#[cfg(feature = "digitalocean")]
pub mod digitalocean;
#[cfg(feature = "dnspod")]
pub mod dnspod;
pub mod duckdns;
pub mod dyndns2;
pub mod dyndns_server;
pub mod dynv6;
pub mod freedns;
#[cfg(feature = "gandi")]
pub mod gandi;
#[cfg(feature = "gcp")]
pub mod gcp;
#[cfg(feature = "godaddy")]
pub mod godaddy;
#[cfg(feature = "hetzner")]
pub mod hetzner;
#[cfg(feature = "huaweicloud")]
pub mod huaweicloud;
#[cfg(feature = "ionos")]
pub mod ionos;
#[cfg(feature = "linode")]
pub mod linode;
#[cfg(feature = "luadns")]
pub mod luadns;
#[cfg(feature = "namecheap")]
pub mod namecheap;
pub mod names;
#[cfg(feature = "namesilo")]
pub mod namesilo;
#[cfg(feature = "netcup")]
pub mod netcup;
#[cfg(feature = "ns1")]
pub mod ns1;
#[cfg(feature = "porkbun")]
pub mod porkbun;
#[cfg(feature = "powerdns")]
pub mod powerdns;
pub mod presets;
pub mod rfc2136;
#[cfg(feature = "route53")]
pub mod route53;
#[cfg(any(feature = "transip", feature = "gcp"))]
pub mod rsa_key;
#[cfg(feature = "scaleway")]
pub mod scaleway;
#[cfg(feature = "servercow")]
pub mod servercow;
#[cfg(any(feature = "route53", feature = "huaweicloud"))]
pub mod sigv4;
#[cfg(feature = "dnspod")]
pub mod tc3;
pub mod template;
#[cfg(test)]
mod test_answers;
#[cfg(feature = "transip")]
pub mod transip;
#[cfg(feature = "xname")]
pub mod xname;

pub use presets::{preset, AddrParams, Auth, Credentials, Preset};

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
    /// The Python/Flask "dyndns" server: `/update-by-query`, `/update-by-path`, `/delete-by-path`.
    DyndnsServer,
    /// A URL template with placeholders (`--url`).
    Template,
    /// Duck DNS: `/update?domains=&token=&ip=&ipv6=`, answers `OK`/`KO`.
    Duckdns,
    /// FreeDNS: `/dynamic/update.php?TOKEN&address=`.
    Freedns,
    /// RFC 2136 DNS UPDATE signed with TSIG, over UDP/TCP to port 53, not HTTP.
    Rfc2136 { zone: rfc2136::DefaultZone },
    /// A provider's own JSON/REST API: read the record, write it when it differs.
    Api(api::Api),
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

    /// The family of connection a request carrying these values must travel on: that
    /// of its `auto` value (IPv4 first), else any.
    pub fn auto_family(&self) -> Family {
        if self.ipv4.is_some_and(|w| w.is_auto()) {
            Family::V4
        } else if self.ipv6.is_some_and(|w| w.is_auto()) {
            Family::V6
        } else {
            Family::Any
        }
    }

    /// The IPv4 address as text, when it is known here (not `auto`).
    pub fn known_ipv4_text(&self) -> Option<String> {
        match self.ipv4 {
            Some(Wanted::Addr(v4)) => Some(v4.to_string()),
            _ => None,
        }
    }

    /// The IPv6 address as text without a prefix length, when it is known here (not
    /// `auto`): the prefix length is dynv6's idea, other protocols take a bare address.
    pub fn known_ipv6_bare_text(&self) -> Option<String> {
        match self.ipv6 {
            Some(Wanted::Addr(v6)) => Some(v6.addr.to_string()),
            _ => None,
        }
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
        Protocol::DyndnsServer => dyndns_server::plan(job, hosts, publish),
        Protocol::Template => template::plan(job, hosts, publish),
        Protocol::Duckdns => duckdns::plan(job, hosts, publish),
        Protocol::Freedns => freedns::plan(job, hosts, publish),
        // Not one GET each: run sends these through rfc2136::send and api::send.
        Protocol::Rfc2136 { .. } | Protocol::Api(_) => Vec::new(),
    }
}

/// The verdict for each host of `request`, in the order of `request.hosts`.
pub fn interpret(job: &Job, request: &Request, answer: &Answer) -> Vec<Verdict> {
    match job.preset.protocol {
        Protocol::Dynv6 => dynv6::interpret(request, answer, &job.hosts),
        Protocol::Dyndns2 => dyndns2::interpret(request, answer),
        Protocol::DyndnsServer => dyndns_server::interpret(request, answer),
        Protocol::Template => template::interpret(job, request, answer),
        Protocol::Duckdns => duckdns::interpret(request, answer),
        Protocol::Freedns => freedns::interpret(request, answer),
        Protocol::Rfc2136 { .. } | Protocol::Api(_) => Vec::new(),
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
    let said = status_and_body(answer);
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
        _ => unexpected_answer(answer),
    }
}

/// An answer that fits no rule of the protocol.
pub fn unexpected_answer(answer: &Answer) -> Failure {
    Failure::new(
        crate::exit::Exit::Unexpected,
        format!("unexpected answer: {}", status_and_body(answer)),
    )
}

/// `HTTP 200 "body"`, or `HTTP 200` when the body is empty.
fn status_and_body(answer: &Answer) -> String {
    match excerpt(&answer.body) {
        body if body.is_empty() => format!("HTTP {}", answer.status),
        body => format!("HTTP {} \"{body}\"", answer.status),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_addresses_as_text() {
        let known = Publish {
            ipv4: Some(Wanted::Addr(Ipv4Addr::new(203, 0, 113, 7))),
            ipv6: Some(Wanted::Addr(V6Addr {
                addr: "2001:db8::1".parse().expect("v6"),
                len: Some(64),
            })),
            ipv6_prefix: None,
        };
        assert_eq!(known.known_ipv4_text().as_deref(), Some("203.0.113.7"));
        // The prefix length stays behind: only dynv6 sends it, from `ipv6` itself.
        assert_eq!(known.known_ipv6_bare_text().as_deref(), Some("2001:db8::1"));
        let auto = Publish {
            ipv4: Some(Wanted::Auto),
            ipv6: Some(Wanted::Auto),
            ipv6_prefix: None,
        };
        assert_eq!(auto.known_ipv4_text(), None);
        assert_eq!(auto.known_ipv6_bare_text(), None);
        assert_eq!(Publish::default().known_ipv4_text(), None);
        assert_eq!(Publish::default().known_ipv6_bare_text(), None);
    }

    #[test]
    fn auto_family_is_that_of_the_auto_value() {
        let v4 = Some(Wanted::Addr(Ipv4Addr::new(203, 0, 113, 7)));
        let family = |ipv4, ipv6| {
            Publish {
                ipv4,
                ipv6,
                ipv6_prefix: None,
            }
            .auto_family()
        };
        assert_eq!(family(v4, None), Family::Any);
        assert_eq!(family(Some(Wanted::Auto), None), Family::V4);
        assert_eq!(family(v4, Some(Wanted::Auto)), Family::V6);
        assert_eq!(family(None, Some(Wanted::Auto)), Family::V6);
        assert_eq!(family(Some(Wanted::Auto), Some(Wanted::Auto)), Family::V4);
    }
}
