//! The shape every provider with its own JSON/REST API shares: one record per
//! host and family, read first and written only when it differs, over requests
//! whose secrets ride in headers or bodies and are masked in everything printed.
//!
//! A provider is one module with one function, `send(&Session, &[Target])`,
//! that returns one `Result<Change, Fail>` per target, in order; its preset row
//! says where it lives and which credentials it takes. This module does the rest:
//! the targets, dry runs, `-v` lines, and turning changes into verdicts.

use std::net::IpAddr;

use super::{Publish, Verdict};
use crate::addr::Wanted;
use crate::config::Job;
use crate::exit::Failure;
use crate::http::Client;
use crate::output::Out;

mod answer;
mod record;
mod session;
mod zone;

pub use answer::{fail, json_of, keyed_success, status_exit, Check, Fail};
pub use record::{step, Change, Step, Target};
pub use session::{mask_json_forms, token_header, Session};
#[cfg(any(
    feature = "aliyun",
    feature = "dnspod",
    feature = "namecheap",
    feature = "namesilo",
    feature = "netcup",
    feature = "servercow",
    feature = "xname"
))]
pub use zone::given_or_last_two;
pub use zone::{each_target, is_within, relative, zone_of, zones, Zone};

/// An API dynup speaks: its protocol's name (in `-v` and the state's
/// fingerprint) and its client. Each provider's module defines its own `API`;
/// its preset row names it, so adding a provider adds no arm here.
#[derive(Clone, Copy)]
pub struct Api {
    pub name: &'static str,
    pub send: SetRecords,
}

/// A provider's client: sets each target's record, one result per target.
pub type SetRecords = fn(&Session, &[Target]) -> Vec<Result<Change, Fail>>;

impl Api {
    pub fn protocol_name(self) -> &'static str {
        self.name
    }
}

/// One API is another when their names are: a function pointer's address says
/// nothing reliable.
impl PartialEq for Api {
    fn eq(&self, other: &Api) -> bool {
        self.name == other.name
    }
}

impl Eq for Api {}

impl std::fmt::Debug for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// The records a run sets: for each host, its A and/or AAAA record.
pub fn targets(job: &Job, hosts: &[usize], publish: &Publish) -> Vec<Target> {
    let mut targets = Vec::new();
    for &host in hosts {
        let name = job.hosts[host].trim_end_matches('.').to_ascii_lowercase();
        if let Some(Wanted::Addr(v4)) = publish.ipv4 {
            targets.push(Target {
                host,
                name: name.clone(),
                kind: "A",
                addr: IpAddr::V4(v4),
                publish: Publish {
                    ipv4: publish.ipv4,
                    ..Publish::default()
                },
            });
        }
        if let Some(Wanted::Addr(v6)) = publish.ipv6 {
            targets.push(Target {
                host,
                name,
                kind: "AAAA",
                addr: IpAddr::V6(v6.addr),
                publish: Publish {
                    ipv6: publish.ipv6,
                    ..Publish::default()
                },
            });
        }
    }
    targets
}

/// Sets the records of `hosts`; returns, per record, the host, what it carried,
/// the verdict and any `Retry-After`. With `--dry-run`, says what it would do.
pub fn send(
    job: &Job,
    out: &Out,
    hosts: &[usize],
    publish: &Publish,
) -> Vec<(usize, Publish, Verdict, Option<u64>)> {
    let super::Protocol::Api(api) = job.preset.protocol else {
        return Vec::new();
    };
    let targets = targets(job, hosts, publish);
    if job.dry_run {
        for target in &targets {
            out.result(&format!(
                "would send: read the {} record of {} at {}, and set it to {} if it differs \
                 or is missing",
                target.kind,
                target.name,
                job.server,
                target.addr_text()
            ));
        }
        return Vec::new();
    }
    let session = Session {
        job,
        out,
        client: Client::new(&job.http),
    };
    let results = (api.send)(&session, &targets);
    let name = job.preset.name;
    targets
        .into_iter()
        .zip(results)
        .map(|(target, result)| {
            let (verdict, retry_after) = match result {
                Ok(Change::Current) => (Verdict::Current { seen: None }, None),
                Ok(Change::Updated) => (Verdict::Updated { seen: None }, None),
                Ok(Change::Created) => {
                    out.result(&format!(
                        "{}: {name} had no {} record; created it",
                        target.name, target.kind
                    ));
                    (Verdict::Updated { seen: None }, None)
                }
                // Its text quotes the provider's answer, which may echo a
                // secret: masked whole here (API secrets are long, so dynup's
                // own words are not hit; see Redactor::apply_output).
                Err(mut fail) => {
                    fail.failure.message = job.redactor.apply(&fail.failure.message);
                    (Verdict::Failed(fail.failure), fail.retry_after)
                }
            };
            (target.host, target.publish, verdict, retry_after)
        })
        .collect()
}

/// Usage errors of API jobs, found before anything is sent.
pub fn check(job: &Job) -> Result<(), Failure> {
    if job.ipv4.is_some_and(|w| w.is_auto()) || job.ipv6.is_some_and(|w| w.is_auto()) {
        return Err(Failure::usage(format!(
            "{}: 'auto' has no meaning here (an API sets the address it is given, it does \
             not see the connection's): give --ipv4/--ipv6 ADDRESS, web or if[:IFACE], or -i IFACE",
            job.preset.name
        )));
    }
    if job
        .ipv6
        .is_some_and(|w| matches!(w, Wanted::Addr(a) if a.len.is_some()))
    {
        return Err(Failure::usage(
            "--ipv6: an AAAA record holds an address, not a prefix length; drop the /LEN",
        ));
    }
    let takes_zone_id = job.preset.name == "cloudflare";
    let gcp = job.preset.name == "gcp";
    if job.zone_id.is_some() && !takes_zone_id && !gcp {
        return Err(Failure::usage(format!(
            "--zone-id is a cloudflare option (and gcp's PROJECT/ZONE); {} finds the zone by name (--zone)",
            job.preset.name
        )));
    }
    if takes_zone_id && job.zone_id.as_deref().is_some_and(|id| id.contains('/')) {
        return Err(Failure::usage(
            "--zone-id: expected the zone's ID as cloudflare shows it (letters, digits, '-')",
        ));
    }
    #[cfg(feature = "gcp")]
    if gcp {
        super::gcp::project_zone(job)?;
    }
    #[cfg(any(feature = "transip", feature = "gcp"))]
    if job.preset.credentials == super::Credentials::UserRsaKey {
        super::rsa_key::of(job)?;
    }
    if let Some(zone) = &job.zone {
        if let Some(host) = job
            .hosts
            .iter()
            .find(|h| !is_within(h.trim_end_matches('.'), zone))
        {
            return Err(Failure::usage(format!(
                "{host} is not in zone {zone}; give its zone with --zone ZONE"
            )));
        }
    }
    Ok(())
}

/// API providers never see the connection's address: where the user named no
/// source, the address comes from the web check (as ddns-scripts does by default).
pub fn default_sources(args: &mut crate::cli::Args) {
    if args.interface.is_some() {
        return;
    }
    if args.ipv4.is_none() && !args.only_ipv6 {
        args.ipv4 = Some("web".to_string());
    }
    if args.ipv6.is_none() && args.only_ipv6 {
        args.ipv6 = Some("web".to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_web_check_is_the_default_source() {
        let with = |f: &dyn Fn(&mut crate::cli::Args)| {
            let mut args = crate::cli::Args::default();
            f(&mut args);
            default_sources(&mut args);
            (args.ipv4, args.ipv6)
        };
        let web = Some("web".to_string());
        assert_eq!(with(&|_| {}), (web.clone(), None));
        assert_eq!(with(&|a| a.only_ipv6 = true), (None, web.clone()));
        assert_eq!(
            with(&|a| a.ipv4 = Some("192.0.2.1".to_string())),
            (Some("192.0.2.1".to_string()), None)
        );
        // An interface is the default source when given.
        assert_eq!(
            with(&|a| a.interface = Some("wan".to_string())),
            (None, None)
        );
    }
}
