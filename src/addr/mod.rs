//! What address to publish for each family, as the user asked for it.
//!
//! `auto` leaves the choice to the provider, which takes the address the request
//! comes from; the transport then forces the connection to that family.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::exit::Failure;

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
                "--ipv4: expected an IPv4 address, auto or none, got '{value}'"
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
                "--ipv6: expected an IPv6 address[/LEN], auto or none, got '{value}'"
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
            "--ipv6-prefix: expected an IPv6 network such as 2001:db8:1:2::/64, or auto, got '{value}'"
        ))
    };
    let (addr, len) = value.split_once('/').ok_or_else(bad)?;
    let addr = addr.parse::<Ipv6Addr>().map_err(|_| bad())?;
    let len = parse_prefix_len(len).ok_or_else(bad)?;
    Ok(Wanted::Addr(V6Net { addr, len }))
}

fn parse_prefix_len(text: &str) -> Option<u8> {
    // Digits only: u8's parser would also take "+64".
    if text.is_empty() || text.len() > 3 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse::<u8>().ok().filter(|&len| len <= 128)
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
