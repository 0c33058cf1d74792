//! Turns the sources of a job into the literal values a run publishes: the
//! interface's address by the rules of `select`, or a check-IP server's answer.
//! Done before the state is consulted, so that it compares real addresses.

use std::net::{IpAddr, Ipv6Addr};

use super::dad;
use super::neighbor::{self, Mac};
use super::netlink::{self, IfAddr};
use super::select::{self, Outcome};
use super::{network_of, web, with_host_id, Source, Sources, V6Addr, Wanted};
use crate::exit::{Exit, Failure};
use crate::http;
use crate::output::Out;
use crate::provider::Publish;

/// `fixed` (literal and `auto` values) completed with what the sources give.
pub fn resolve(
    fixed: Publish,
    sources: &Sources,
    http: &http::Settings,
    out: &Out,
) -> Result<Publish, Failure> {
    if sources.is_empty() {
        return Ok(fixed);
    }
    check_interfaces_exist(sources)?;
    let mut finder = Finder {
        sources,
        http,
        out,
        dump: None,
        left_out: Vec::new(),
    };
    let mut publish = fixed;
    if let Some(source) = &sources.ipv4 {
        publish.ipv4 = match finder.find(source, false)? {
            Some(IpAddr::V4(v4)) => Some(Wanted::Addr(v4)),
            _ => None,
        };
    }
    if let Some(source) = &sources.ipv6 {
        publish.ipv6 = match finder.find(source, true)? {
            Some(IpAddr::V6(v6)) => {
                let addr = match sources.host_id {
                    Some(id) => with_host_id(v6, id),
                    None => v6,
                };
                Some(Wanted::Addr(V6Addr { addr, len: None }))
            }
            _ => None,
        };
    }
    if let Some(name) = &sources.ipv6_prefix {
        let chosen = finder.interface_pick(name, true)?;
        let Some(chosen) = chosen else {
            return Err(finder.none_usable(name, true));
        };
        if chosen.prefix_len == 128 {
            return Err(Failure::new(
                Exit::NoAddress,
                format!(
                    "--ipv6-prefix: {} on {name} is a /128: no prefix to publish",
                    chosen.addr
                ),
            ));
        }
        if let IpAddr::V6(v6) = chosen.addr {
            let net = network_of(v6, chosen.prefix_len);
            out.detail(&format!("IPv6 prefix from {name}: {net}"));
            publish.ipv6_prefix = Some(Wanted::Addr(net));
        }
    }
    if publish.is_empty() {
        return Err(Failure::new(
            Exit::NoAddress,
            format!("no usable address: {}", finder.left_out.join("; ")),
        ));
    }
    for why in &finder.left_out {
        out.warn(why);
    }
    Ok(publish)
}

/// A misspelt interface is a usage error, said before any fallback asks a
/// check-IP server: exit 2 with the names that exist.
fn check_interfaces_exist(sources: &Sources) -> Result<(), Failure> {
    let named = [&sources.ipv4, &sources.ipv6]
        .into_iter()
        .flatten()
        .filter_map(|source| match source {
            Source::Interface(name)
            | Source::Default(name)
            | Source::Neighbor {
                interface: name, ..
            } => Some(name),
            Source::Web(_) | Source::Host => None,
        })
        .chain(&sources.ipv6_prefix);
    for name in named {
        if netlink::name_to_index(name).is_none() {
            return Err(no_such_interface(name));
        }
    }
    Ok(())
}

/// "there is no interface wan on this host (it has: lo, eth0)", exit 2.
pub fn no_such_interface(name: &str) -> Failure {
    Failure::usage(format!(
        "there is no interface {name} on this host (it has: {}); check -i and if:IFACE",
        netlink::interface_names().join(", ")
    ))
}

/// The IPv6 address of interface `name` by the rules of `select`; without a name,
/// that of the first interface (lowest index) that has a usable one, as the
/// scripts' `ip -6 addr list scope global` without `dev` meant. Exit 3 with every
/// address that was turned down, and why, when there is none.
pub fn interface_ipv6(name: Option<&str>, rules: select::Rules) -> Result<IfAddr, Failure> {
    let only = match name {
        Some(name) => Some(netlink::name_to_index(name).ok_or_else(|| {
            Failure::new(
                Exit::NoAddress,
                format!("no usable IPv6 address: there is no interface {name}"),
            )
        })?),
        None => None,
    };
    let dump = netlink::dump().map_err(|e| Failure::new(Exit::NoAddress, e))?;
    let mut indices: Vec<u32> = dump
        .iter()
        .map(|a| a.index)
        .filter(|&i| only.is_none_or(|o| o == i))
        .collect();
    indices.sort_unstable();
    indices.dedup();
    let mut turned_down = Vec::new();
    for index in indices {
        let addrs: Vec<IfAddr> = dump.iter().filter(|a| a.index == index).cloned().collect();
        let (verdicts, best) = select::judge(&addrs, true, rules);
        if let Some(best) = best {
            return Ok(addrs[best].clone());
        }
        for (i, outcome) in verdicts {
            if let Outcome::Rejected(reject) = outcome {
                let on = match name {
                    Some(_) => String::new(),
                    None => format!(" on {}", addrs[i].interface),
                };
                turned_down.push(format!("{}{on} {}", addrs[i].addr, reject.text()));
            }
        }
    }
    let place = match name {
        Some(name) => format!(" on {name}"),
        None => String::new(),
    };
    let detail = if turned_down.is_empty() {
        "none at all".to_string()
    } else {
        turned_down.join(", ")
    };
    Err(Failure::new(
        Exit::NoAddress,
        format!("no usable IPv6 address{place}: {detail}"),
    ))
}

struct Finder<'a> {
    sources: &'a Sources,
    http: &'a http::Settings,
    out: &'a Out,
    /// Every interface's addresses, read once per run when first needed.
    dump: Option<Vec<IfAddr>>,
    /// Families a default source found nothing for, and why.
    left_out: Vec<String>,
}

impl Finder<'_> {
    /// The address `source` gives for the family of `v6`; `None` when a default
    /// source found nothing (the family is then left out of the run).
    fn find(&mut self, source: &Source, v6: bool) -> Result<Option<IpAddr>, Failure> {
        let family = if v6 { "IPv6" } else { "IPv4" };
        match source {
            Source::Interface(name) => match self.interface_pick(name, v6)? {
                Some(chosen) => Ok(Some(chosen.addr)),
                None => Err(self.none_usable(name, v6)),
            },
            Source::Web(url) => self.web(url.as_deref(), v6).map(Some),
            Source::Host => match interface_ipv6(None, self.sources.rules) {
                Ok(found) => {
                    self.out
                        .detail(&format!("IPv6 of this host: {} (by default)", found.addr));
                    Ok(Some(found.addr))
                }
                Err(_) => {
                    self.out.detail(
                        "this host has no global IPv6 address: IPv4 only (--show-addresses says why)",
                    );
                    Ok(None)
                }
            },
            Source::Neighbor { interface, mac } => {
                self.neighbor(interface, *mac).map(|a| Some(IpAddr::V6(a)))
            }
            Source::Default(name) => {
                let on_interface = match self.interface_pick(name, v6) {
                    Ok(found) => found.map(|chosen| chosen.addr),
                    Err(failure) => {
                        self.out.detail(&failure.message);
                        None
                    }
                };
                if on_interface.is_some() {
                    return Ok(on_interface);
                }
                let why = self.none_usable(name, v6).message;
                if v6 {
                    // IPv6 needs no NAT: what the interface lacks, the web cannot add.
                    self.left_out.push(format!("{why}; {family} left out"));
                    return Ok(None);
                }
                self.out.detail(&format!("{why}; asking the web"));
                match self.web(None, v6) {
                    Ok(addr) => Ok(Some(addr)),
                    Err(failure) => {
                        self.left_out
                            .push(format!("{why}; {}; {family} left out", failure.message));
                        Ok(None)
                    }
                }
            }
        }
    }

    /// `--ipv6-neighbor`: exit 3 naming every entry of the MAC turned down.
    fn neighbor(&self, name: &str, mac: Mac) -> Result<Ipv6Addr, Failure> {
        let no_address = |detail: String| {
            Failure::new(
                Exit::NoAddress,
                format!("no usable IPv6 address of neighbour {mac} on {name}: {detail}"),
            )
        };
        let index = netlink::name_to_index(name)
            .ok_or_else(|| no_address(format!("there is no interface {name}")))?;
        let entries = neighbor::dump(index).map_err(no_address)?;
        match neighbor::pick(&entries, mac, self.sources.rules, self.sources.host_id) {
            Ok(addr) => {
                self.out
                    .detail(&format!("IPv6 of neighbour {mac} on {name}: {addr}"));
                Ok(addr)
            }
            Err(turned_down) if turned_down.is_empty() => {
                Err(no_address("not in the neighbour table".to_string()))
            }
            Err(turned_down) => Err(no_address(turned_down.join(", "))),
        }
    }

    fn web(&self, url: Option<&str>, v6: bool) -> Result<IpAddr, Failure> {
        let built_in: &[&str] = if v6 {
            &web::IPV6_SERVERS
        } else {
            &web::IPV4_SERVERS
        };
        let urls: Vec<&str> = match (url, &self.sources.checkip) {
            (Some(url), _) => vec![url],
            (None, Some(list)) => list.split_whitespace().collect(),
            (None, None) => built_in.to_vec(),
        };
        web::lookup(&urls, v6, self.http, self.sources.rules, self.out)
    }

    /// The addresses of interface `name`.
    fn interface(&mut self, name: &str) -> Result<Vec<IfAddr>, Failure> {
        let Some(index) = netlink::name_to_index(name) else {
            return Err(Failure::new(
                Exit::NoAddress,
                format!("no usable address: there is no interface {name}"),
            ));
        };
        if self.dump.is_none() {
            let dump = netlink::dump().map_err(|e| Failure::new(Exit::NoAddress, e))?;
            self.dump = Some(dump);
        }
        // A slice's iterator: smaller than a flattened Option's.
        Ok(self
            .dump
            .as_deref()
            .unwrap_or_default()
            .iter()
            .filter(|a| a.index == index)
            .cloned()
            .collect())
    }

    fn interface_pick(&mut self, name: &str, v6: bool) -> Result<Option<IfAddr>, Failure> {
        let addrs = self.interface(name)?;
        let mut chosen = select::pick(&addrs, v6, self.sources.rules).cloned();
        if chosen.is_none() && select::only_tentative(&addrs, v6, self.sources.rules) {
            chosen = self.after_dad(name, v6)?;
        }
        if let Some(chosen) = &chosen {
            let family = if v6 { "IPv6" } else { "IPv4" };
            self.out
                .detail(&format!("{family} from {name}: {}", chosen.addr));
        }
        Ok(chosen)
    }

    /// The pick once duplicate address detection on `name` has ended (or a few
    /// seconds have passed): hotplug runs dynup while a new address is still
    /// tentative, and the next chance would be cron's.
    fn after_dad(&mut self, name: &str, v6: bool) -> Result<Option<IfAddr>, Failure> {
        let rules = self.sources.rules;
        if !dad::can_end(name) {
            self.out.detail(&format!(
                "{name} has no carrier: duplicate address detection waits for it, dynup does not"
            ));
            return Ok(None);
        }
        self.out.detail(&format!(
            "only tentative addresses on {name}: waiting up to {}s for duplicate address detection",
            dad::LIMIT.as_secs()
        ));
        let index = netlink::name_to_index(name);
        let settled = |dump: &[IfAddr]| {
            let on: Vec<IfAddr> = dump
                .iter()
                .filter(|a| Some(a.index) == index)
                .cloned()
                .collect();
            !select::only_tentative(&on, v6, rules)
        };
        match dad::wait(settled) {
            Ok(dump) => self.dump = Some(dump),
            Err(why) => self.out.detail(&why),
        }
        let addrs = self.interface(name)?;
        Ok(select::pick(&addrs, v6, rules).cloned())
    }

    /// "no usable IPv4 address on wan: 10.0.0.2 private (...)", from the last dump.
    fn none_usable(&self, name: &str, v6: bool) -> Failure {
        let family = if v6 { "IPv6" } else { "IPv4" };
        let Some(index) = netlink::name_to_index(name) else {
            return Failure::new(
                Exit::NoAddress,
                format!("no usable {family} address: there is no interface {name}"),
            );
        };
        let addrs: Vec<IfAddr> = self
            .dump
            .as_deref()
            .unwrap_or_default()
            .iter()
            .filter(|a| a.index == index)
            .cloned()
            .collect();
        let (verdicts, _) = select::judge(&addrs, v6, self.sources.rules);
        let reasons: Vec<String> = verdicts
            .iter()
            .filter_map(|&(i, outcome)| match outcome {
                Outcome::Rejected(reject) => Some(format!("{} {}", addrs[i].addr, reject.text())),
                _ => None,
            })
            .collect();
        let detail = if reasons.is_empty() {
            format!("it has no {family} address")
        } else {
            reasons.join(", ")
        };
        Failure::new(
            Exit::NoAddress,
            format!("no usable {family} address on {name}: {detail}"),
        )
    }
}
