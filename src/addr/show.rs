//! `--show-addresses`: every address dynup sees, what it would pick per family
//! and why each other address was not picked. Contacts nothing but the kernel.

use std::net::IpAddr;

use super::neighbor::{self, Mac};
use super::netlink::{self, IfAddr};
use super::select::{self, Outcome, Rules};
use super::{check_interface, network_of, parse_host_id, with_host_id};
use crate::cli::Args;
use crate::exit::{Exit, Failure};
use crate::output::Out;

pub fn show_addresses(args: &Args, out: &Out) -> Exit {
    let rules = Rules {
        allow_ula: args.allow_ula,
        allow_private: args.allow_private,
        stable_only: false,
    };
    let host_id = match args.ipv6_host_id.as_deref().map(parse_host_id) {
        Some(Err(failure)) => {
            out.error(&failure.message);
            return failure.exit;
        }
        Some(Ok(id)) => Some(id),
        None => None,
    };
    let only = match args.interface.as_deref() {
        Some(name) => match check_interface(name, "--interface") {
            Ok(name) => match netlink::name_to_index(name) {
                Some(index) => Some((name, index)),
                None => {
                    let failure = super::resolve::no_such_interface(name);
                    out.error(&failure.message);
                    return failure.exit;
                }
            },
            Err(failure) => {
                out.error(&failure.message);
                return failure.exit;
            }
        },
        None => None,
    };
    let addrs = match netlink::dump() {
        Ok(addrs) => addrs,
        Err(e) => {
            out.error(&e);
            return Exit::NoAddress;
        }
    };
    let mut indices: Vec<u32> = match only {
        Some((_, index)) => vec![index],
        None => addrs.iter().map(|a| a.index).collect(),
    };
    indices.sort_unstable();
    indices.dedup();

    let mut text = String::new();
    let mut any = false;
    for index in indices {
        let mine: Vec<IfAddr> = addrs.iter().filter(|a| a.index == index).cloned().collect();
        let name = match (only, mine.first()) {
            (Some((name, _)), _) => name.to_string(),
            (None, Some(first)) => first.interface.clone(),
            (None, None) => format!("#{index}"),
        };
        any |= show_interface(&mut text, &name, index, &mine, rules, host_id);
    }
    if let Some(mac) = args.ipv6_neighbor.as_deref() {
        match show_neighbor(&mut text, mac, only, rules, host_id) {
            Ok(found) => any |= found,
            Err(failure) => {
                out.text(&text);
                out.error(&failure.message);
                return failure.exit;
            }
        }
    }
    out.text(&text);
    if any {
        Exit::Ok
    } else {
        let place = only.map_or("any interface".to_string(), |(name, _)| name.to_string());
        out.error(&format!("no usable address on {place}"));
        Exit::NoAddress
    }
}

/// Appends one interface's report; true when it has a usable address.
fn show_interface(
    text: &mut String,
    name: &str,
    index: u32,
    addrs: &[IfAddr],
    rules: Rules,
    host_id: Option<std::net::Ipv6Addr>,
) -> bool {
    text.push_str(&format!("{name} (index {index})\n"));
    if addrs.is_empty() {
        text.push_str("  no addresses\n");
    }
    let mut summary = Vec::new();
    let mut any = false;
    for v6 in [false, true] {
        let family = if v6 { "IPv6" } else { "IPv4" };
        let (verdicts, best) = select::judge(addrs, v6, rules);
        let picked = best.map(|i| &addrs[i]);
        for (i, outcome) in verdicts {
            let addr = &addrs[i];
            text.push_str(&format!("  {}\n", describe(addr)));
            let verdict = match outcome {
                Outcome::Picked => format!("picked for {family}"),
                other => other.text(picked),
            };
            text.push_str(&format!("    {verdict}\n"));
        }
        match picked {
            Some(chosen) => {
                any = true;
                let mut line = format!("  {family}: {}", chosen.addr);
                if let IpAddr::V6(v6addr) = chosen.addr {
                    if let Some(id) = host_id {
                        line.push_str(&format!(
                            ", with --ipv6-host-id {}",
                            with_host_id(v6addr, id)
                        ));
                    }
                    if chosen.prefix_len < 128 {
                        line.push_str(&format!(
                            ", prefix {}",
                            network_of(v6addr, chosen.prefix_len)
                        ));
                    }
                }
                summary.push(line);
            }
            None => summary.push(format!("  {family}: none usable")),
        }
    }
    for line in summary {
        text.push_str(&line);
        text.push('\n');
    }
    any
}

/// `--ipv6-neighbor MAC`: that MAC's entries in the neighbour table of -i IFACE
/// and the one a run would publish; true when there is one.
fn show_neighbor(
    text: &mut String,
    mac: &str,
    only: Option<(&str, u32)>,
    rules: Rules,
    host_id: Option<std::net::Ipv6Addr>,
) -> Result<bool, Failure> {
    let mac = Mac::parse(mac, "--ipv6-neighbor")?;
    let Some((name, index)) = only else {
        return Err(Failure::usage(
            "--ipv6-neighbor needs -i IFACE: the LAN interface whose neighbour table holds the host",
        ));
    };
    let entries = neighbor::dump(index).map_err(|e| Failure::new(Exit::NoAddress, e))?;
    text.push_str(&format!("neighbour {mac} on {name}\n"));
    for entry in entries.iter().filter(|n| n.mac == Some(mac)) {
        text.push_str(&format!("  {} {}\n", entry.addr, entry.state_name()));
    }
    let picked = neighbor::pick(&entries, mac, rules, host_id);
    let found = picked.is_ok();
    let line = match picked {
        Ok(addr) => match host_id {
            Some(id) => format!("{addr}, with --ipv6-host-id {}", with_host_id(addr, id)),
            None => addr.to_string(),
        },
        Err(why) if why.is_empty() => "none: not in the neighbour table".to_string(),
        Err(why) => format!("none usable: {}", why.join(", ")),
    };
    text.push_str(&format!("  IPv6: {line}\n"));
    Ok(found)
}

/// `2001:db8::5/64 scope global, preferred 3600s, valid 7200s, flags nodad permanent`
fn describe(addr: &IfAddr) -> String {
    let lifetime = |t: Option<u32>| t.map_or("forever".to_string(), |t| format!("{t}s"));
    let mut line = format!(
        "{}/{} scope {}, preferred {}, valid {}",
        addr.addr,
        addr.prefix_len,
        addr.scope_name(),
        lifetime(addr.preferred),
        lifetime(addr.valid)
    );
    let flags = addr.flag_names();
    if !flags.is_empty() {
        line.push_str(&format!(", flags {flags}"));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::netlink::{IFA_F_DEPRECATED, IFA_F_NODAD};

    fn addr(text: &str, len: u8, flags: u32, preferred: Option<u32>) -> IfAddr {
        IfAddr {
            index: 3,
            interface: "wan".to_string(),
            addr: text
                .parse()
                .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED)),
            prefix_len: len,
            scope: 0,
            flags,
            preferred,
            valid: None,
        }
    }

    #[test]
    fn a_report_names_the_pick_and_every_reason() {
        let addrs = [
            addr("10.0.0.2", 24, 0, None),
            addr("2001:db8:1::5", 64, IFA_F_NODAD, None),
            addr("2001:db8:1::6", 64, IFA_F_NODAD | IFA_F_DEPRECATED, Some(0)),
            addr("2001:db8:1::7", 64, IFA_F_NODAD, Some(600)),
        ];
        let id = "::1234".parse().ok();
        let mut text = String::new();
        let any = show_interface(&mut text, "wan", 3, &addrs, Rules::default(), id);
        assert!(any);
        let expected = "\
wan (index 3)
  10.0.0.2/24 scope global, preferred forever, valid forever
    skipped: private (RFC 1918); --allow-private publishes it
  2001:db8:1::5/64 scope global, preferred forever, valid forever, flags nodad
    picked for IPv6
  2001:db8:1::6/64 scope global, preferred 0s, valid forever, flags nodad deprecated
    skipped: deprecated: its preferred lifetime is over
  2001:db8:1::7/64 scope global, preferred 600s, valid forever, flags nodad
    usable, but 2001:db8:1::5 is preferred: longer preferred lifetime
  IPv4: none usable
  IPv6: 2001:db8:1::5, with --ipv6-host-id 2001:db8:1::1234, prefix 2001:db8:1::/64
";
        assert_eq!(text, expected);
        let mut text = String::new();
        assert!(!show_interface(
            &mut text,
            "x",
            9,
            &[],
            Rules::default(),
            None
        ));
        assert!(text.contains("no addresses"));
    }
}
