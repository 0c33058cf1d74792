//! From raw flags, the environment and secret files to a validated `Job`:
//! everything a run needs, checked before anything is sent.

mod addresses;
mod cache_dir;
mod credentials;
mod hosts;
mod record;
mod resolve;
#[cfg(test)]
mod tests;

use std::net::Ipv4Addr;
use std::path::PathBuf;

use crate::addr::{self, V6Addr, V6Net, Wanted};
use crate::dns::key::TsigKey;
use crate::http::{self, Family};
use crate::provider::{Credentials, Preset, Protocol};
use crate::secret::{Redactor, Secret};
use crate::url::Server;

pub use cache_dir::default_cache_dir;
pub use record::parse_zone;
pub use resolve::resolve;

/// Resend an unchanged address after this long: providers expire idle hosts
/// (No-IP's free hosts after 30 days).
const DEFAULT_MAX_AGE: u64 = 25 * 86_400;
const DEFAULT_TIMEOUT: u64 = 20;

pub struct Job {
    pub preset: &'static Preset,
    pub server: Server,
    /// Family-specific servers for `auto` values; `None` when `--server` overrides.
    pub auto_servers: Option<(Server, Server)>,
    pub hosts: Vec<String>,
    pub user: Option<String>,
    secret: Secret,
    pub ipv4: Option<Wanted<Ipv4Addr>>,
    pub ipv6: Option<Wanted<V6Addr>>,
    pub ipv6_prefix: Option<Wanted<V6Net>>,
    /// Families whose address is found at run time (interface, web) rather than
    /// given: such a family is `None` above until `addr::resolve` fills it.
    pub sources: addr::Sources,
    pub cache_dir: PathBuf,
    pub force: bool,
    pub max_age: u64,
    pub http: http::Settings,
    pub dry_run: bool,
    pub verbose: bool,
    pub quiet: bool,
    pub redactor: Redactor,
    /// Said once at the start of the run, unless `--quiet`.
    pub warnings: Vec<String>,
    /// The DNS zone the hosts are records of (dyndns-server's `zone_name`).
    pub zone: Option<String>,
    /// `--zone-id`: the API's own ID of that zone (no lookup).
    pub zone_id: Option<String>,
    /// The secret half of an API key + secret pair (Porkbun, GoDaddy).
    pub key_secret: Option<Secret>,
    /// TTL of the records, where the protocol takes one.
    pub ttl: Option<u32>,
    /// dyndns-server: `/update-by-path/...` instead of `/update-by-query`.
    pub by_path: bool,
    /// dyndns-server: delete the hosts' A and AAAA records.
    pub delete: bool,
    /// The `--url` template and its success words (template only).
    pub template: Option<crate::provider::template::Spec>,
    /// The TSIG key of the rfc2136 protocol.
    pub tsig: Option<TsigKey>,
    /// `--tcp`: DNS over TCP only.
    pub tcp: bool,
    /// `--lookup-host`: the registered-address check, when asked for.
    pub lookup: Option<crate::registered::Lookup>,
    /// `--on-change`, `--on-failure`: commands run after the run.
    pub hooks: crate::hooks::Hooks,
}

impl Job {
    pub fn secret(&self) -> &Secret {
        &self.secret
    }

    pub fn secret_value(&self) -> &str {
        self.secret.expose()
    }

    /// The Basic-auth user: given, or the preset's stand-in.
    pub fn user_name(&self) -> &str {
        match (&self.user, self.preset.credentials) {
            (Some(user), _) => user,
            (None, Credentials::TokenAsPassword { default_user }) => default_user,
            (None, _) => "",
        }
    }

    /// The Basic-auth user for one host: given, the host itself (he.net, deSEC,
    /// nsupdate.info), or the preset's stand-in.
    pub fn user_for<'a>(&'a self, host: &'a str) -> &'a str {
        match (&self.user, self.preset.credentials) {
            (None, Credentials::HostAsUser) => host,
            _ => self.user_name(),
        }
    }

    pub fn server_for(&self, family: Family) -> &Server {
        match (&self.auto_servers, family) {
            (Some((v4, _)), Family::V4) => v4,
            (Some((_, v6)), Family::V6) => v6,
            _ => &self.server,
        }
    }

    /// Names the account in the state file name: provider, server and user, no secret.
    pub fn account(&self) -> String {
        format!("{} {} {}", self.preset.name, self.server, self.user_name())
    }

    /// A hash of everything whose change releases a hold after a fatal answer:
    /// the provider, where it is, who we are to it (secret included, hashed), what
    /// we ask for in one request, and how we introduce ourselves.
    /// Whether the job means to publish IPv4 and IPv6: a value or a source given.
    pub fn families_meant(&self) -> (bool, bool) {
        (
            self.ipv4.is_some() || self.sources.ipv4.is_some(),
            self.ipv6.is_some() || self.sources.ipv6.is_some(),
        )
    }

    pub fn fingerprint(&self) -> String {
        let mut sorted = self.hosts.clone();
        sorted.sort();
        let mut text = format!(
            "{}\n{}\n{}\n{}\n{}\n{}",
            self.preset.name,
            self.server,
            self.user_name(),
            self.secret.expose(),
            sorted.join(","),
            self.http.user_agent,
        );
        // Appended only when set, so that fingerprints of older runs stay valid.
        if let Some(zone) = &self.zone {
            text.push_str(&format!("\nzone {zone}"));
        }
        if let Some(ttl) = self.ttl {
            text.push_str(&format!("\nttl {ttl}"));
        }
        if let Some(id) = &self.zone_id {
            text.push_str(&format!("\nzone-id {id}"));
        }
        if let Some(secret) = &self.key_secret {
            text.push_str(&format!("\nkey-secret {}", secret.expose()));
        }
        if self.by_path {
            text.push_str("\nby-path");
        }
        if let Some(spec) = &self.template {
            text.push_str(&format!("\n{}", spec.identity()));
        }
        if self.preset.protocol == Protocol::DyndnsServer {
            // That server deletes the record of a family not sent: going from both
            // families to -4 must send, though the A record is unchanged.
            let (v4, v6) = self.families_meant();
            text.push_str(&format!("\nfamilies {v4} {v6}"));
        }
        hex_digest(text.as_bytes())
    }
}

/// First 16 bytes of SHA-256, in hex: enough to tell configurations apart.
pub fn hex_digest(data: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, data);
    digest.as_ref()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The environment, as a function so that tests can give their own.
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;
