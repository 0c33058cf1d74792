//! Which addresses a job publishes, and what each protocol can take of them.

use std::net::Ipv4Addr;

use crate::addr::{self, V6Addr, V6Net, Wanted};
use crate::cli::Args;
use crate::exit::Failure;
use crate::provider::{template, Preset, Protocol};

/// What some protocols cannot do, said before anything is sent.
pub(super) fn check_protocol_limits(
    preset: &Preset,
    hosts: &[String],
    ipv4: Option<Wanted<Ipv4Addr>>,
    ipv6: Option<Wanted<V6Addr>>,
    template: Option<&template::Spec>,
) -> Result<(), Failure> {
    let name = preset.name;
    let auto4 = ipv4.is_some_and(|w| w.is_auto());
    let auto6 = ipv6.is_some_and(|w| w.is_auto());
    if !preset.ipv6_auto && auto6 {
        return Err(Failure::usage(format!(
            "{name} cannot take IPv6 from the connection; give --ipv6 ADDRESS"
        )));
    }
    match preset.protocol {
        Protocol::Freedns => {
            if hosts.len() > 1 {
                return Err(Failure::usage(
                    "freedns: each record has its own token; give one HOSTNAME per run",
                ));
            }
            if ipv4.is_some() && ipv6.is_some() {
                return Err(Failure::usage(
                    "freedns: the A and AAAA records have their own tokens; publish one family per run (-4 or -6)",
                ));
            }
        }
        Protocol::DyndnsServer if (auto4 && ipv6.is_some()) || (auto6 && ipv4.is_some()) => {
            return Err(Failure::usage(
                "dyndns-server takes the connection's address only when no address is sent: \
                 give both addresses, or publish one family",
            ));
        }
        Protocol::Template => {
            if let Some(spec) = template {
                spec.check_addresses(ipv4, ipv6)?;
            }
        }
        _ => {}
    }
    Ok(())
}

pub(super) type Addresses = (
    Option<Wanted<Ipv4Addr>>,
    Option<Wanted<V6Addr>>,
    Option<Wanted<V6Net>>,
);

pub(super) fn addresses(
    args: &Args,
    preset: &Preset,
    sources: &addr::Sources,
) -> Result<Addresses, Failure> {
    if args.only_ipv4 && args.only_ipv6 {
        return Err(Failure::usage(
            "-4 and -6 exclude each other; give neither to publish both families",
        ));
    }
    if args.only_ipv4 && args.ipv6.as_deref().is_some_and(|v| v != "none") {
        return Err(Failure::usage("-4 excludes --ipv6"));
    }
    if args.only_ipv6 && args.ipv4.as_deref().is_some_and(|v| v != "none") {
        return Err(Failure::usage("-6 excludes --ipv4"));
    }
    let ipv4 = if args.only_ipv6 || sources.ipv4.is_some() {
        None
    } else {
        addr::parse_ipv4(args.ipv4.as_deref().unwrap_or("auto"))?
    };
    let ipv6_default = if args.only_ipv6 { "auto" } else { "none" };
    let ipv6 = if args.only_ipv4 || sources.ipv6.is_some() {
        None
    } else {
        addr::parse_ipv6(args.ipv6.as_deref().unwrap_or(ipv6_default))?
    };
    let ipv6_prefix = match &args.ipv6_prefix {
        Some(_) if sources.ipv6_prefix.is_some() => None,
        Some(value) => Some(addr::parse_ipv6_prefix(value)?),
        None => None,
    };

    let name = preset.name;
    if !preset.ipv6 && (ipv6.is_some() || sources.ipv6.is_some() || args.only_ipv6) {
        return Err(Failure::usage(format!(
            "{name} updates IPv4 only; drop --ipv6/-6 (dynv6 publishes IPv6)"
        )));
    }
    if !preset.ipv6_prefix && (ipv6_prefix.is_some() || sources.ipv6_prefix.is_some()) {
        return Err(Failure::usage(format!(
            "--ipv6-prefix is a dynv6 parameter; {name} has none"
        )));
    }
    if ipv4.is_none() && ipv6.is_none() && ipv6_prefix.is_none() && sources.is_empty() {
        return Err(Failure::usage("nothing to publish: every family is 'none'"));
    }
    Ok((ipv4, ipv6, ipv6_prefix))
}

/// The default families, the one rule (README "Which addresses"): IPv4 `auto`,
/// and this host's IPv6 address too when it has one and the provider takes both
/// families in one run; a family flag, `-i` or `-4`/`-6` replaces the default.
/// Left out: IPv4-only presets, freedns (a token per record), dyndns-server (it
/// takes the connection's address only for a family sent alone), DNS UPDATE
/// (no `auto`), templates (the URL says what it takes).
pub(super) fn publishes_both_by_default(preset: &Preset, args: &Args) -> bool {
    let protocol_takes_both = matches!(
        preset.protocol,
        Protocol::Dynv6 | Protocol::Dyndns2 | Protocol::Duckdns
    );
    protocol_takes_both
        && preset.ipv6
        && args.ipv4.is_none()
        && args.ipv6.is_none()
        && args.interface.is_none()
        && !args.only_ipv4
        && !args.only_ipv6
}
