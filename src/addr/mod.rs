//! What address to publish for each family, as the user asked for it, and where
//! to find it when it is not given: the interface (`netlink`, chosen by the rules
//! of `select`) or a check-IP server (`web`).
//!
//! `auto` leaves the choice to the provider, which takes the address the request
//! comes from; the transport then forces the connection to that family.

pub mod neighbor;
pub mod netlink;
pub mod select;
pub mod web;

mod dad;
mod resolve;
mod show;

pub use resolve::{interface_ipv6, resolve};
pub use show::show_addresses;

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::cli::Args;
use crate::exit::Failure;
use select::Rules;

/// A value to publish: a known address, or whatever the provider sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wanted<A> {
    Auto,
    Addr(A),
}

impl<A> Wanted<A> {
    pub fn is_auto(&self) -> bool {
        matches!(self, Wanted::Auto)
    }
}

impl<A: fmt::Display> fmt::Display for Wanted<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Wanted::Auto => f.write_str("auto"),
            Wanted::Addr(a) => a.fmt(f),
        }
    }
}

/// An IPv6 address with the optional prefix length dynv6 uses to move the prefix along.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct V6Addr {
    pub addr: Ipv6Addr,
    pub len: Option<u8>,
}

impl fmt::Display for V6Addr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.len {
            Some(len) => write!(f, "{}/{}", self.addr, len),
            None => self.addr.fmt(f),
        }
    }
}

/// An IPv6 network in CIDR notation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct V6Net {
    pub addr: Ipv6Addr,
    pub len: u8,
}

impl fmt::Display for V6Net {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.len)
    }
}

/// `--ipv4 ADDRESS | auto | none`; `None` means the family is not published.
pub fn parse_ipv4(value: &str) -> Result<Option<Wanted<Ipv4Addr>>, Failure> {
    match value {
        "none" => Ok(None),
        "auto" => Ok(Some(Wanted::Auto)),
        _ => match value.parse::<Ipv4Addr>() {
            Ok(addr) => Ok(Some(Wanted::Addr(addr))),
            Err(_) if value.parse::<Ipv6Addr>().is_ok() => Err(Failure::usage(format!(
                "--ipv4: {value} is an IPv6 address; give it with --ipv6"
            ))),
            Err(_) => Err(Failure::usage(format!(
                "--ipv4: expected an IPv4 address, auto, none, if[:IFACE] or web[:URL], got '{value}'"
            ))),
        },
    }
}

/// `--ipv6 ADDRESS[/LEN] | auto | none`.
pub fn parse_ipv6(value: &str) -> Result<Option<Wanted<V6Addr>>, Failure> {
    match value {
        "none" => return Ok(None),
        "auto" => return Ok(Some(Wanted::Auto)),
        _ => {}
    }
    let bad = || {
        if value.parse::<Ipv4Addr>().is_ok() {
            Failure::usage(format!(
                "--ipv6: {value} is an IPv4 address; give it with --ipv4"
            ))
        } else {
            Failure::usage(format!(
                "--ipv6: expected an IPv6 address[/LEN], auto, none, if[:IFACE] or web[:URL], got '{value}'"
            ))
        }
    };
    let (addr, len) = match value.split_once('/') {
        Some((addr, len)) => (addr, Some(parse_prefix_len(len).ok_or_else(bad)?)),
        None => (value, None),
    };
    let addr = addr.parse::<Ipv6Addr>().map_err(|_| bad())?;
    Ok(Some(Wanted::Addr(V6Addr { addr, len })))
}

/// `--ipv6-prefix CIDR | auto`.
pub fn parse_ipv6_prefix(value: &str) -> Result<Wanted<V6Net>, Failure> {
    if value == "auto" {
        return Ok(Wanted::Auto);
    }
    let bad = || {
        Failure::usage(format!(
            "--ipv6-prefix: expected an IPv6 network such as 2001:db8:1:2::/64, auto or if[:IFACE], got '{value}'"
        ))
    };
    let (addr, len) = value.split_once('/').ok_or_else(bad)?;
    let addr = addr.parse::<Ipv6Addr>().map_err(|_| bad())?;
    let len = parse_prefix_len(len).ok_or_else(bad)?;
    Ok(Wanted::Addr(V6Net { addr, len }))
}

/// Where an address comes from when it is not given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// `if` / `if:IFACE`: the interface's address, by the rules of `select`.
    Interface(String),
    /// `web` / `web:URL`: a check-IP server; `None` for the built-in list.
    Web(Option<String>),
    /// No flag, but `-i IFACE`: the interface's address; for IPv4 the web when the
    /// interface has no public one. When nothing is found the family is left out
    /// of this run with a warning.
    Default(String),
    /// No flag and no `-i`, for a provider that takes both families in one run:
    /// this host's global IPv6 address (first interface that has one), or the
    /// family is left out, said only under `-v` (a host without IPv6 is normal).
    Host,
    /// `--ipv6-neighbor MAC` with `-i IFACE`: the address the neighbour table of
    /// IFACE holds for that MAC (a LAN host), by the rules of `neighbor`.
    Neighbor {
        interface: String,
        mac: neighbor::Mac,
    },
}

/// The addresses dynup must find before a run, and the rules it finds them by.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sources {
    pub ipv4: Option<Source>,
    pub ipv6: Option<Source>,
    /// `--ipv6-prefix if[:IFACE]`: the interface whose prefix is published.
    pub ipv6_prefix: Option<String>,
    /// `--ipv6-host-id ::ID`: published with the found address's /64 prefix.
    pub host_id: Option<Ipv6Addr>,
    pub rules: Rules,
    /// `DYNUP_CHECKIP`: check-IP URLs, space-separated, that `web` asks in order
    /// instead of the built-in list.
    pub checkip: Option<String>,
}

impl Sources {
    /// From the flags: `if`/`web` values, and the defaults `-i` brings. Literal,
    /// `auto` and `none` values are left to `parse_ipv4`/`parse_ipv6`.
    pub fn from_args(
        args: &Args,
        has_ipv6: bool,
        checkip: Option<String>,
    ) -> Result<Sources, Failure> {
        let interface = match &args.interface {
            Some(name) => Some(check_interface(name, "--interface")?),
            None => None,
        };
        let pick = |value: &Option<String>, flag: &str, default: bool| match value {
            Some(value) => parse_source(value, flag, interface),
            None if default => Ok(interface.map(|i| Source::Default(i.to_string()))),
            None => Ok(None),
        };
        let ipv4 = pick(&args.ipv4, "--ipv4", !args.only_ipv6)?;
        let ipv6 = match &args.ipv6_neighbor {
            Some(text) => Some(neighbor_source(args, text, interface)?),
            None => pick(&args.ipv6, "--ipv6", !args.only_ipv4 && has_ipv6)?,
        };
        let ipv6_prefix = match args.ipv6_prefix.as_deref() {
            Some(value) => match parse_source(value, "--ipv6-prefix", interface)? {
                Some(Source::Interface(name)) => Some(name),
                Some(_) => return Err(Failure::usage(
                    "--ipv6-prefix: the prefix comes from an interface (if[:IFACE]), not the web",
                )),
                None => None,
            },
            None => None,
        };
        let host_id = match &args.ipv6_host_id {
            Some(text) => Some(parse_host_id(text)?),
            None => None,
        };
        if host_id.is_some() && ipv6.is_none() {
            return Err(Failure::usage(
                "--ipv6-host-id needs an IPv6 address to take the prefix from: \
                 --ipv6 if[:IFACE] or web, or -i IFACE",
            ));
        }
        for url in checkip.iter().flat_map(|list| list.split_whitespace()) {
            web::check_url(url, "DYNUP_CHECKIP")?;
        }
        Ok(Sources {
            ipv4,
            ipv6,
            ipv6_prefix,
            host_id,
            rules: Rules {
                allow_ula: args.allow_ula,
                allow_private: args.allow_private,
                stable_only: false,
            },
            checkip,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.ipv4.is_none() && self.ipv6.is_none() && self.ipv6_prefix.is_none()
    }
}

/// `--ipv6-neighbor MAC`: a LAN host's address, looked up on `-i IFACE`.
fn neighbor_source(args: &Args, text: &str, interface: Option<&str>) -> Result<Source, Failure> {
    let mac = neighbor::Mac::parse(text, "--ipv6-neighbor")?;
    let Some(interface) = interface else {
        return Err(Failure::usage(
            "--ipv6-neighbor needs -i IFACE: the LAN interface whose neighbour table holds the host",
        ));
    };
    if args.ipv6.is_some() || args.only_ipv4 {
        return Err(Failure::usage(
            "--ipv6-neighbor says where the IPv6 address comes from: drop --ipv6 and -4",
        ));
    }
    Ok(Source::Neighbor {
        interface: interface.to_string(),
        mac,
    })
}

/// `if`, `if:IFACE`, `web`, `web:URL`; `None` for any other value.
fn parse_source(
    value: &str,
    flag: &str,
    interface: Option<&str>,
) -> Result<Option<Source>, Failure> {
    if value == "if" {
        return match interface {
            Some(name) => Ok(Some(Source::Interface(name.to_string()))),
            None => Err(Failure::usage(format!(
                "{flag} if: which interface? Give -i IFACE or {flag} if:IFACE"
            ))),
        };
    }
    if let Some(name) = value.strip_prefix("if:") {
        let name = check_interface(name, flag)?;
        return Ok(Some(Source::Interface(name.to_string())));
    }
    if value == "web" {
        return Ok(Some(Source::Web(None)));
    }
    if let Some(url) = value.strip_prefix("web:") {
        web::check_url(url, flag)?;
        return Ok(Some(Source::Web(Some(url.to_string()))));
    }
    Ok(None)
}

/// An interface name as the kernel allows it: 1 to 15 bytes, no '/', ':' or space.
fn check_interface<'a>(name: &'a str, flag: &str) -> Result<&'a str, Failure> {
    let ok = !name.is_empty()
        && name.len() < 16
        && name != "."
        && name != ".."
        && name
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'/' && b != b':');
    if ok {
        Ok(name)
    } else {
        Err(Failure::usage(format!(
            "{flag}: '{name}' is not an interface name (1 to 15 characters, no '/', ':' or spaces)"
        )))
    }
}

/// `--ipv6-host-id ::ID`: an interface identifier, the low 64 bits only.
fn parse_host_id(text: &str) -> Result<Ipv6Addr, Failure> {
    let id = text.parse::<Ipv6Addr>().ok().filter(|id| {
        let bits = u128::from(*id);
        bits != 0 && bits >> 64 == 0
    });
    id.ok_or_else(|| {
        Failure::usage(format!(
            "--ipv6-host-id: expected an interface identifier such as ::1234 or \
             ::211:22ff:fe33:4455 (the low 64 bits only), got '{text}'"
        ))
    })
}

/// The interface's /64 prefix with the identifier `id`.
pub fn with_host_id(addr: Ipv6Addr, id: Ipv6Addr) -> Ipv6Addr {
    let prefix = u128::from(addr) & !u128::from(u64::MAX);
    Ipv6Addr::from(prefix | u128::from(id))
}

/// The network an interface address belongs to.
pub fn network_of(addr: Ipv6Addr, len: u8) -> V6Net {
    let mask = match len {
        0 => 0,
        len => u128::MAX << (128 - u32::from(len.min(128))),
    };
    V6Net {
        addr: Ipv6Addr::from(u128::from(addr) & mask),
        len,
    }
}

fn parse_prefix_len(text: &str) -> Option<u8> {
    // Digits only: the parser would also take "+64". u32's, linked anyway.
    if text.is_empty() || text.len() > 3 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse::<u32>()
        .ok()
        .filter(|&len| len <= 128)
        .map(|len| len as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_values() {
        assert_eq!(parse_ipv4("none").ok(), Some(None));
        assert_eq!(parse_ipv4("auto").ok(), Some(Some(Wanted::Auto)));
        assert_eq!(
            parse_ipv4("203.0.113.7").ok(),
            Some(Some(Wanted::Addr(Ipv4Addr::new(203, 0, 113, 7))))
        );
        assert!(parse_ipv4("203.0.113").is_err());
        assert!(parse_ipv4("::1")
            .err()
            .is_some_and(|f| f.message.contains("--ipv6")));
    }

    #[test]
    fn ipv6_values() {
        let with_len = parse_ipv6("2001:db8::1/64").ok().flatten();
        assert_eq!(
            with_len.map(|w| w.to_string()),
            Some("2001:db8::1/64".to_string())
        );
        assert_eq!(
            parse_ipv6("2001:db8::1")
                .ok()
                .flatten()
                .map(|w| w.to_string()),
            Some("2001:db8::1".to_string())
        );
        for bad in [
            "2001:db8::1/129",
            "2001:db8::1/",
            "2001:db8::1/+6",
            "x",
            "1.2.3.4",
        ] {
            assert!(parse_ipv6(bad).is_err(), "{bad}");
        }
    }

    fn sources(argv: &[&str]) -> Result<Sources, Failure> {
        sources_for(argv, true)
    }

    fn sources_for(argv: &[&str], has_ipv6: bool) -> Result<Sources, Failure> {
        let Ok(crate::cli::Command::Run(args)) = crate::cli::parse(argv.iter().map(Into::into))
        else {
            return Err(Failure::usage("not a run"));
        };
        Sources::from_args(&args, has_ipv6, None)
    }

    fn message(result: Result<Sources, Failure>) -> String {
        result.err().map(|f| f.message).unwrap_or_default()
    }

    #[test]
    fn source_values() {
        let s = sources(&["--ipv4", "if:wan", "--ipv6", "web", "h"]).ok();
        assert_eq!(
            s.as_ref().and_then(|s| s.ipv4.clone()),
            Some(Source::Interface("wan".to_string()))
        );
        assert_eq!(s.and_then(|s| s.ipv6), Some(Source::Web(None)));
        let s = sources(&[
            "-i",
            "br-lan",
            "--ipv4",
            "web:http://127.0.0.1:1/ip",
            "--ipv6",
            "if",
        ]);
        let s = s.ok();
        assert_eq!(
            s.as_ref().and_then(|s| s.ipv4.clone()),
            Some(Source::Web(Some("http://127.0.0.1:1/ip".to_string())))
        );
        assert_eq!(
            s.and_then(|s| s.ipv6),
            Some(Source::Interface("br-lan".to_string()))
        );
        // Literals, auto and none are not sources.
        let s = sources(&["--ipv4", "203.0.113.1", "--ipv6", "auto", "h"]).ok();
        assert_eq!(s.map(|s| s.is_empty()), Some(true));
    }

    #[test]
    fn interface_defaults() {
        // Without -i nothing changes: the literal defaults (auto / none) apply.
        assert_eq!(sources(&["h"]).ok().map(|s| s.is_empty()), Some(true));
        let s = sources(&["-i", "wan", "h"]).ok();
        let default = Some(Source::Default("wan".to_string()));
        assert_eq!(s.as_ref().and_then(|s| s.ipv4.clone()), default);
        assert_eq!(s.and_then(|s| s.ipv6), default);
        let s = sources(&["-i", "wan", "-4", "h"]).ok();
        assert_eq!(s.as_ref().and_then(|s| s.ipv6.clone()), None);
        assert_eq!(s.and_then(|s| s.ipv4), default);
        let s = sources(&["-i", "wan", "-6", "h"]).ok();
        assert_eq!(s.and_then(|s| s.ipv4), None);
        let s = sources(&["-i", "wan", "--ipv4", "auto", "--ipv6", "none", "h"]).ok();
        assert_eq!(s.map(|s| s.is_empty()), Some(true));
        // A provider without IPv6 gets no IPv6 default.
        let s = sources_for(&["-i", "wan", "h"], false).ok();
        assert_eq!(s.and_then(|s| s.ipv6), None);
    }

    #[test]
    fn source_errors_name_the_flag() {
        assert!(message(sources(&["--ipv4", "if", "h"])).contains("--ipv4 if"));
        assert!(message(sources(&["--ipv6", "if:", "h"])).contains("--ipv6"));
        assert!(message(sources(&["--ipv6", "if:a/b", "h"])).contains("not an interface"));
        assert!(message(sources(&["-i", "x234567890123456", "h"])).contains("--interface"));
        assert!(message(sources(&["--ipv4", "web:ftp://x", "h"])).contains("--ipv4"));
        assert!(message(sources(&["--ipv6-prefix", "web", "-i", "x", "h"])).contains("not the web"));
        assert!(message(sources(&["--ipv6-host-id", "::1", "h"])).contains("needs an IPv6"));
        for bad in ["1::1", "::", "x", "2001:db8::1"] {
            let m = message(sources(&["-i", "x", "--ipv6-host-id", bad, "h"]));
            assert!(m.contains("--ipv6-host-id"), "{bad}: {m}");
        }
        let ok = sources(&["-i", "x", "--ipv6-host-id", "::211:22ff:fe33:4455", "h"]);
        assert!(ok.is_ok_and(|s| s.host_id.is_some()));
    }

    #[test]
    fn host_id_and_network_arithmetic() {
        let addr: Ipv6Addr = "2001:db8:1:2:aaaa:bbbb:cccc:dddd"
            .parse()
            .unwrap_or(Ipv6Addr::UNSPECIFIED);
        let id: Ipv6Addr = "::1234".parse().unwrap_or(Ipv6Addr::UNSPECIFIED);
        assert_eq!(with_host_id(addr, id).to_string(), "2001:db8:1:2::1234");
        assert_eq!(network_of(addr, 64).to_string(), "2001:db8:1:2::/64");
        assert_eq!(network_of(addr, 56).to_string(), "2001:db8:1::/56");
        assert_eq!(network_of(addr, 0).to_string(), "::/0");
        assert_eq!(network_of(addr, 128).to_string(), format!("{addr}/128"));
    }

    #[test]
    fn prefix_values() {
        assert_eq!(
            parse_ipv6_prefix("2001:db8:1:2::/64")
                .ok()
                .map(|w| w.to_string()),
            Some("2001:db8:1:2::/64".to_string())
        );
        assert_eq!(parse_ipv6_prefix("auto").ok(), Some(Wanted::Auto));
        assert!(parse_ipv6_prefix("2001:db8::").is_err());
    }
}
