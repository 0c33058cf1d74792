//! `--ipv6-neighbor MAC`: the IPv6 address of a host on the LAN (a server
//! behind the router), from the kernel's neighbour table: one RTM_GETNEIGH dump,
//! what `ip -6 neigh show dev IFACE` prints, read with the code of `netlink`.
//!
//! Which entry of that MAC: never a link-local, multicast or failed one; a ULA
//! only with `--allow-ula`. Then, as for interface addresses: global before
//! ULA, stable before the rest (the table does not say which addresses are
//! temporary, but one whose identifier is the MAC's EUI-64, or the given
//! `--ipv6-host-id`, is surely stable), then an entry the kernel has confirmed
//! recently before a stale one, then the lowest address.

use std::fmt;
use std::net::{IpAddr, Ipv6Addr};

use super::netlink::{self, DumpParser};
use super::select::{self, Class, Rules};
use crate::exit::Failure;

// linux/rtnetlink.h, linux/neighbour.h.
const RTM_NEWNEIGH: u16 = 28;
const RTM_GETNEIGH: u16 = 30;
const NDMSG_LEN: usize = 12;
const NDA_DST: u16 = 1;
const NDA_LLADDR: u16 = 2;
const NUD_INCOMPLETE: u16 = 0x01;
const NUD_REACHABLE: u16 = 0x02;
const NUD_STALE: u16 = 0x04;
const NUD_DELAY: u16 = 0x08;
const NUD_PROBE: u16 = 0x10;
const NUD_FAILED: u16 = 0x20;
const NUD_NOARP: u16 = 0x40;
const NUD_PERMANENT: u16 = 0x80;

/// A link-layer (Ethernet) address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mac(pub [u8; 6]);

impl fmt::Display for Mac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d, e, g] = self.0;
        write!(f, "{a:02x}:{b:02x}:{c:02x}:{d:02x}:{e:02x}:{g:02x}")
    }
}

impl Mac {
    /// `52:54:00:12:34:56` or `52-54-00-12-34-56`, any case.
    pub fn parse(text: &str, flag: &str) -> Result<Mac, Failure> {
        let bad = || {
            Failure::usage(format!(
                "{flag}: expected a MAC address such as 52:54:00:12:34:56, got '{text}'"
            ))
        };
        let separator = if text.contains('-') { '-' } else { ':' };
        let mut mac = [0u8; 6];
        let mut parts = text.split(separator);
        for byte in &mut mac {
            let part = parts.next().ok_or_else(bad)?;
            if part.len() != 2 || !part.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(bad());
            }
            // Two hex digits (checked above) fit a u8; u32's parser is linked anyway.
            *byte = u32::from_str_radix(part, 16).map_err(|_| bad())? as u8;
        }
        if parts.next().is_some() {
            return Err(bad());
        }
        Ok(Mac(mac))
    }

    /// The modified EUI-64 interface identifier SLAAC derives from this MAC.
    fn eui64(self) -> u64 {
        let [a, b, c, d, e, f] = self.0;
        u64::from_be_bytes([a ^ 0x02, b, c, 0xff, 0xfe, d, e, f])
    }
}

/// One IPv6 entry of the neighbour table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Neighbor {
    pub index: u32,
    pub addr: Ipv6Addr,
    pub mac: Option<Mac>,
    /// NUD_* bits.
    pub state: u16,
}

impl Neighbor {
    /// The state in `ip neigh`'s words.
    pub fn state_name(&self) -> &'static str {
        match self.state {
            s if s & NUD_PERMANENT != 0 => "PERMANENT",
            s if s & NUD_NOARP != 0 => "NOARP",
            s if s & NUD_REACHABLE != 0 => "REACHABLE",
            s if s & NUD_DELAY != 0 => "DELAY",
            s if s & NUD_PROBE != 0 => "PROBE",
            s if s & NUD_STALE != 0 => "STALE",
            s if s & NUD_FAILED != 0 => "FAILED",
            s if s & NUD_INCOMPLETE != 0 => "INCOMPLETE",
            _ => "NONE",
        }
    }

    /// 0 confirmed (or set by hand), 1 being checked, 2 stale; `None`: unusable.
    fn freshness(&self) -> Option<u8> {
        match self.state {
            s if s & (NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE) != 0 => Some(0),
            s if s & (NUD_DELAY | NUD_PROBE) != 0 => Some(1),
            s if s & NUD_STALE != 0 => Some(2),
            _ => None,
        }
    }
}

/// The IPv6 entries of the neighbour table on interface `index`.
pub fn dump(index: u32) -> Result<Vec<Neighbor>, String> {
    let request = |seq| {
        // ndmsg: family AF_INET6, padding, every interface, any state.
        let mut body = [0u8; NDMSG_LEN];
        body[0] = libc::AF_INET6 as u8;
        netlink::request(RTM_GETNEIGH, seq, &body)
    };
    let parser = |seq| DumpParser::of(seq, RTM_NEWNEIGH, parse_neigh_message);
    let all = netlink::dump_of(request, parser, "the neighbour table")?;
    Ok(all.into_iter().filter(|n| n.index == index).collect())
}

/// One RTM_NEWNEIGH payload (ndmsg + attributes); `None` unless IPv6 and whole.
fn parse_neigh_message(payload: &[u8]) -> Option<Neighbor> {
    if payload.len() < NDMSG_LEN || i32::from(payload[0]) != libc::AF_INET6 {
        return None;
    }
    let index = netlink::read_u32(payload, 4);
    let state = netlink::read_u16(payload, 8);
    let mut addr = None;
    let mut mac = None;
    let mut rest = &payload[NDMSG_LEN..];
    while rest.len() >= 4 {
        let len = usize::from(netlink::read_u16(rest, 0));
        let kind = netlink::read_u16(rest, 2) & 0x3fff;
        if len < 4 || len > rest.len() {
            return None;
        }
        let data = &rest[4..len];
        rest = &rest[netlink::align4(len).min(rest.len())..];
        match kind {
            NDA_DST => addr = netlink::ip_from(data, 16),
            NDA_LLADDR => {
                mac = <[u8; 6]>::try_from(data).ok().map(Mac);
            }
            _ => {}
        }
    }
    match addr? {
        IpAddr::V6(addr) => Some(Neighbor {
            index,
            addr,
            mac,
            state,
        }),
        IpAddr::V4(_) => None,
    }
}

/// The address of `mac` among `entries` by the rules above; when there is
/// none, every entry of that MAC turned down, with why.
pub fn pick(
    entries: &[Neighbor],
    mac: Mac,
    rules: Rules,
    host_id: Option<Ipv6Addr>,
) -> Result<Ipv6Addr, Vec<String>> {
    let mut turned_down = Vec::new();
    let mut best: Option<((Class, bool, u8, Ipv6Addr), Ipv6Addr)> = None;
    for entry in entries.iter().filter(|n| n.mac == Some(mac)) {
        let class = match select::classify_v6(entry.addr, rules) {
            Ok(class) => class,
            Err(reject) => {
                turned_down.push(format!("{} {}", entry.addr, reject.text()));
                continue;
            }
        };
        let Some(freshness) = entry.freshness() else {
            turned_down.push(format!("{} {}", entry.addr, entry.state_name()));
            continue;
        };
        let id = u128::from(entry.addr) as u64;
        let stable = id == mac.eui64() || host_id.is_some_and(|h| u128::from(h) as u64 == id);
        // Lower is better: `!stable` puts stable first.
        let key = (class, !stable, freshness, entry.addr);
        if best.as_ref().is_none_or(|(k, _)| key < *k) {
            best = Some((key, entry.addr));
        }
    }
    best.map(|(_, addr)| addr).ok_or(turned_down)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAC: Mac = Mac([0x52, 0x54, 0x00, 0x12, 0x34, 0x56]);

    fn n(addr: &str, state: u16) -> Neighbor {
        Neighbor {
            index: 3,
            addr: addr.parse().unwrap_or(Ipv6Addr::UNSPECIFIED),
            mac: Some(MAC),
            state,
        }
    }

    #[test]
    fn mac_strings() {
        assert_eq!(Mac::parse("52:54:00:12:34:56", "--x").ok(), Some(MAC));
        assert_eq!(Mac::parse("52-54-00-12-34-56", "--x").ok(), Some(MAC));
        assert_eq!(Mac::parse("52:54:00:12:34:56", "--x").ok(), Some(MAC));
        assert_eq!(MAC.to_string(), "52:54:00:12:34:56");
        let upper = Mac::parse("AA:BB:CC:DD:EE:FF", "--x").ok();
        assert_eq!(
            upper.map(|m| m.to_string()).as_deref(),
            Some("aa:bb:cc:dd:ee:ff")
        );
        for bad in [
            "",
            "52:54:00:12:34",
            "52:54:00:12:34:56:78",
            "52:54:00:12:34:5g",
            "5254.0012.3456",
            "52:54:00-12:34:56",
            "2:54:00:12:34:56",
            "+2:54:00:12:34:56",
        ] {
            let message = Mac::parse(bad, "--ipv6-neighbor").err().map(|f| f.message);
            assert!(
                message
                    .as_deref()
                    .is_some_and(|m| m.starts_with("--ipv6-neighbor: ")),
                "{bad}: {message:?}"
            );
        }
    }

    #[test]
    fn ranking_follows_the_rules() {
        let rules = Rules::default();
        let eui = "2001:db8:1:2:5054:ff:fe12:3456";
        let entries = [
            n("fe80::5054:ff:fe12:3456", NUD_REACHABLE),
            n("fd00::1", NUD_REACHABLE),
            n("2001:db8:1:2::1", NUD_FAILED),
            n("2001:db8:1:2::2", NUD_INCOMPLETE),
            n("2001:db8:1:2::9", NUD_STALE),
            n("2001:db8:1:2::8", NUD_REACHABLE),
            n(eui, NUD_STALE),
        ];
        // The EUI-64 address is surely stable: it wins though stale.
        assert_eq!(
            pick(&entries, MAC, rules, None).ok(),
            Some(eui.parse().unwrap_or(Ipv6Addr::UNSPECIFIED))
        );
        // Without it: the confirmed before the stale one.
        let others = &entries[..6];
        assert_eq!(
            pick(others, MAC, rules, None)
                .ok()
                .map(|a| a.to_string())
                .as_deref(),
            Some("2001:db8:1:2::8")
        );
        // The given host id marks its address as stable.
        let id = "::9".parse().ok();
        assert_eq!(
            pick(others, MAC, rules, id)
                .ok()
                .map(|a| a.to_string())
                .as_deref(),
            Some("2001:db8:1:2::9")
        );
        // Only unusable ones: each named with its reason.
        let Err(why) = pick(&entries[..4], MAC, rules, None) else {
            panic!("nothing usable");
        };
        let why = why.join(", ");
        for part in ["link-local", "unique local", "FAILED", "INCOMPLETE"] {
            assert!(why.contains(part), "{part}: {why}");
        }
        // A ULA with --allow-ula; another MAC's entries are never considered.
        let ula = Rules {
            allow_ula: true,
            ..Rules::default()
        };
        assert_eq!(
            pick(&entries[..2], MAC, ula, None)
                .ok()
                .map(|a| a.to_string())
                .as_deref(),
            Some("fd00::1")
        );
        let other = Mac([2, 0, 0, 0, 0, 1]);
        assert_eq!(pick(&entries, other, rules, None), Err(Vec::new()));
    }

    #[test]
    fn messages_parse_and_odd_ones_never_panic() {
        let mut msg = vec![libc::AF_INET6 as u8, 0, 0, 0];
        msg.extend_from_slice(&7u32.to_ne_bytes());
        msg.extend_from_slice(&NUD_STALE.to_ne_bytes());
        msg.extend_from_slice(&[0, 1]);
        let addr: Ipv6Addr = "2001:db8::5".parse().unwrap_or(Ipv6Addr::UNSPECIFIED);
        msg.extend_from_slice(&20u16.to_ne_bytes());
        msg.extend_from_slice(&NDA_DST.to_ne_bytes());
        msg.extend_from_slice(&addr.octets());
        msg.extend_from_slice(&10u16.to_ne_bytes());
        msg.extend_from_slice(&NDA_LLADDR.to_ne_bytes());
        msg.extend_from_slice(&MAC.0);
        msg.extend_from_slice(&[0, 0]);
        let parsed = parse_neigh_message(&msg);
        assert_eq!(
            parsed,
            Some(Neighbor {
                index: 7,
                addr,
                mac: Some(MAC),
                state: NUD_STALE
            })
        );
        for cut in 0..msg.len() {
            let _ = parse_neigh_message(&msg[..cut]);
        }
        let mut v4 = msg.clone();
        v4[0] = libc::AF_INET as u8;
        assert_eq!(parse_neigh_message(&v4), None);
        let request = netlink::request(RTM_GETNEIGH, 4, &[0u8; NDMSG_LEN]);
        assert_eq!(netlink::read_u16(&request, 4), RTM_GETNEIGH);
        assert_eq!(request.len(), 16 + NDMSG_LEN);
    }
}
