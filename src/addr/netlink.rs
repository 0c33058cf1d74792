//! Interface addresses straight from the kernel: one RTM_GETADDR dump over a
//! NETLINK_ROUTE socket (rtnetlink(7)), the same data `ip addr` shows, without
//! running `ip`.
//!
//! Messages are parsed from bytes with every length checked, so an odd or
//! truncated message is skipped or reported, never a panic. `libc` gives the
//! socket calls only; the message layouts are read by hand (linux/netlink.h,
//! linux/if_addr.h).

mod bytes;
mod ifname;
mod socket;

use std::net::IpAddr;

pub(super) use bytes::{align4, ip_from, read_u16, read_u32};
use ifname::index_to_name;
pub use ifname::{interface_names, name_to_index};
pub(super) use socket::{dump_of, request, DumpParser, Socket};

// Address flags (linux/if_addr.h). 0x01 is IFA_F_SECONDARY for IPv4 and
// IFA_F_TEMPORARY for IPv6.
pub const IFA_F_TEMPORARY: u32 = 0x01;
pub const IFA_F_NODAD: u32 = 0x02;
pub const IFA_F_OPTIMISTIC: u32 = 0x04;
pub const IFA_F_DADFAILED: u32 = 0x08;
pub const IFA_F_HOMEADDRESS: u32 = 0x10;
pub const IFA_F_DEPRECATED: u32 = 0x20;
pub const IFA_F_TENTATIVE: u32 = 0x40;
pub const IFA_F_PERMANENT: u32 = 0x80;
pub const IFA_F_MANAGETEMPADDR: u32 = 0x100;
pub const IFA_F_NOPREFIXROUTE: u32 = 0x200;
pub const IFA_F_MCAUTOJOIN: u32 = 0x400;
pub const IFA_F_STABLE_PRIVACY: u32 = 0x800;

/// Flag names in `ip addr`'s words, for `--show-addresses`.
const FLAG_NAMES: [(u32, &str); 12] = [
    (IFA_F_TEMPORARY, "temporary"),
    (IFA_F_NODAD, "nodad"),
    (IFA_F_OPTIMISTIC, "optimistic"),
    (IFA_F_DADFAILED, "dadfailed"),
    (IFA_F_HOMEADDRESS, "home"),
    (IFA_F_DEPRECATED, "deprecated"),
    (IFA_F_TENTATIVE, "tentative"),
    (IFA_F_PERMANENT, "permanent"),
    (IFA_F_MANAGETEMPADDR, "mngtmpaddr"),
    (IFA_F_NOPREFIXROUTE, "noprefixroute"),
    (IFA_F_MCAUTOJOIN, "autojoin"),
    (IFA_F_STABLE_PRIVACY, "stable-privacy"),
];

// rtnetlink numbers (linux/rtnetlink.h, linux/if_addr.h).
const RTM_NEWADDR: u16 = 20;
const RTM_GETADDR: u16 = 22;
const IFA_ADDRESS: u16 = 1;
const IFA_LOCAL: u16 = 2;
const IFA_LABEL: u16 = 3;
const IFA_CACHEINFO: u16 = 6;
const IFA_FLAGS: u16 = 8;
/// rtattr types carry two flag bits above the type proper.
const NLA_TYPE_MASK: u16 = 0x3fff;
const IFADDRMSG_LEN: usize = 8;
const RTA_HDRLEN: usize = 4;
/// `ifa_cacheinfo.ifa_prefered` / `ifa_valid` meaning "forever".
const INFINITY_LIFE_TIME: u32 = u32::MAX;

/// One address of one interface, as the kernel reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IfAddr {
    pub index: u32,
    /// The interface name (from the index), or `#INDEX` when it has none.
    pub interface: String,
    pub addr: IpAddr,
    pub prefix_len: u8,
    /// RT_SCOPE_*: 0 universe (global), 200 site, 253 link, 254 host.
    pub scope: u8,
    /// IFA_F_* bits, from IFA_FLAGS when present (it holds the bits above 0xff).
    pub flags: u32,
    /// Seconds left; `None`: forever.
    pub preferred: Option<u32>,
    pub valid: Option<u32>,
}

impl IfAddr {
    pub fn has(&self, flag: u32) -> bool {
        self.flags & flag != 0
    }

    /// `nodad permanent`, in the order `ip addr` uses; IPv4's 0x01 is "secondary".
    pub fn flag_names(&self) -> String {
        FLAG_NAMES
            .iter()
            .filter(|(bit, _)| self.has(*bit))
            .map(|&(bit, name)| match (bit, self.addr) {
                (IFA_F_TEMPORARY, IpAddr::V4(_)) => "secondary",
                _ => name,
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub fn scope_name(&self) -> String {
        match self.scope {
            0 => "global".to_string(),
            200 => "site".to_string(),
            253 => "link".to_string(),
            254 => "host".to_string(),
            255 => "nowhere".to_string(),
            other => other.to_string(),
        }
    }
}

/// Every address of every interface.
pub fn dump() -> Result<Vec<IfAddr>, String> {
    let mut addrs = dump_of(dump_request, DumpParser::new, "interface addresses")?;
    // One lookup per interface, not per address: each costs three syscalls,
    // and a router's interfaces carry several addresses each.
    let mut names: Vec<(u32, String)> = Vec::new();
    for addr in &mut addrs {
        let known = names.iter().find(|(index, _)| *index == addr.index);
        addr.interface = match known {
            Some((_, name)) => name.clone(),
            None => {
                let name = index_to_name(addr.index).unwrap_or_else(|| format!("#{}", addr.index));
                names.push((addr.index, name.clone()));
                name
            }
        };
    }
    Ok(addrs)
}

/// The RTM_GETADDR dump request for every family: nlmsghdr + ifaddrmsg.
fn dump_request(seq: u32) -> Vec<u8> {
    // ifaddrmsg: family AF_UNSPEC (both), prefix length, flags, scope, index: all 0.
    request(RTM_GETADDR, seq, &[0u8; IFADDRMSG_LEN])
}

impl DumpParser<IfAddr> {
    fn new(seq: u32) -> DumpParser<IfAddr> {
        DumpParser::of(seq, RTM_NEWADDR, parse_addr_message)
    }
}

/// One RTM_NEWADDR payload (ifaddrmsg + attributes); `None` when it is not an
/// IPv4 or IPv6 address or is malformed.
fn parse_addr_message(payload: &[u8]) -> Option<IfAddr> {
    if payload.len() < IFADDRMSG_LEN {
        return None;
    }
    let family = payload[0] as i32;
    let prefix_len = payload[1];
    let mut flags = payload[2] as u32;
    let scope = payload[3];
    let index = read_u32(payload, 4);
    let addr_len = match family {
        libc::AF_INET => 4,
        libc::AF_INET6 => 16,
        _ => return None,
    };
    if prefix_len as usize > addr_len * 8 {
        return None;
    }
    let mut address = None;
    let mut local = None;
    let mut preferred = None;
    let mut valid = None;
    let mut rest = &payload[IFADDRMSG_LEN..];
    while rest.len() >= RTA_HDRLEN {
        let len = read_u16(rest, 0) as usize;
        let kind = read_u16(rest, 2) & NLA_TYPE_MASK;
        if len < RTA_HDRLEN || len > rest.len() {
            return None;
        }
        let data = &rest[RTA_HDRLEN..len];
        rest = &rest[align4(len).min(rest.len())..];
        match kind {
            IFA_ADDRESS => address = ip_from(data, addr_len),
            IFA_LOCAL => local = ip_from(data, addr_len),
            IFA_FLAGS if data.len() >= 4 => flags = read_u32(data, 0),
            IFA_CACHEINFO if data.len() >= 8 => {
                let lifetime = |t: u32| (t != INFINITY_LIFE_TIME).then_some(t);
                preferred = lifetime(read_u32(data, 0));
                valid = lifetime(read_u32(data, 4));
            }
            // The label (IPv4 aliases such as eth0:1) is not needed: names come
            // from the index, which every address has.
            IFA_LABEL => {}
            _ => {}
        }
    }
    // On point-to-point links IFA_ADDRESS is the peer and IFA_LOCAL our own.
    let addr = local.or(address)?;
    Some(IfAddr {
        index,
        interface: String::new(),
        addr,
        prefix_len,
        scope,
        flags,
        preferred,
        valid,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use std::net::{Ipv4Addr, Ipv6Addr};

    use super::socket::{
        Dump, NLMSG_DONE, NLMSG_ERROR, NLMSG_HDRLEN, NLM_F_DUMP, NLM_F_DUMP_INTR, NLM_F_REQUEST,
    };
    use super::*;

    /// Builds netlink messages the way the kernel lays them out.
    pub struct Msg(Vec<u8>);

    impl Msg {
        pub fn new_addr(family: u8, prefix_len: u8, flags: u8, scope: u8, index: u32) -> Msg {
            let mut body = vec![family, prefix_len, flags, scope];
            body.extend_from_slice(&index.to_ne_bytes());
            Msg(body)
        }

        pub fn attr(mut self, kind: u16, data: &[u8]) -> Msg {
            let len = (RTA_HDRLEN + data.len()) as u16;
            self.0.extend_from_slice(&len.to_ne_bytes());
            self.0.extend_from_slice(&kind.to_ne_bytes());
            self.0.extend_from_slice(data);
            while self.0.len() % 4 != 0 {
                self.0.push(0);
            }
            self
        }

        pub fn cacheinfo(self, preferred: u32, valid: u32) -> Msg {
            let mut data = Vec::new();
            for v in [preferred, valid, 100, 200] {
                data.extend_from_slice(&v.to_ne_bytes());
            }
            self.attr(IFA_CACHEINFO, &data)
        }

        /// The message with its nlmsghdr.
        pub fn framed(&self, kind: u16, flags: u16, seq: u32) -> Vec<u8> {
            let len = (NLMSG_HDRLEN + self.0.len()) as u32;
            let mut out = Vec::new();
            out.extend_from_slice(&len.to_ne_bytes());
            out.extend_from_slice(&kind.to_ne_bytes());
            out.extend_from_slice(&flags.to_ne_bytes());
            out.extend_from_slice(&seq.to_ne_bytes());
            out.extend_from_slice(&4242u32.to_ne_bytes());
            out.extend_from_slice(&self.0);
            out
        }
    }

    fn v6(text: &str) -> Vec<u8> {
        text.parse::<Ipv6Addr>()
            .map(|a| a.octets().to_vec())
            .unwrap_or_default()
    }

    fn done(seq: u32) -> Vec<u8> {
        Msg(0i32.to_ne_bytes().to_vec()).framed(NLMSG_DONE, 2, seq)
    }

    fn global_v6() -> Msg {
        Msg::new_addr(libc::AF_INET6 as u8, 64, 0, 0, 2)
            .attr(IFA_ADDRESS, &v6("2001:db8:1::5"))
            .cacheinfo(3600, 7200)
            .attr(
                IFA_FLAGS,
                &(IFA_F_TEMPORARY | IFA_F_MANAGETEMPADDR).to_ne_bytes(),
            )
    }

    #[test]
    fn request_is_a_dump_of_every_family() {
        let req = dump_request(7);
        assert_eq!(req.len(), 24);
        assert_eq!(read_u32(&req, 0), 24);
        assert_eq!(read_u16(&req, 4), RTM_GETADDR);
        assert_eq!(read_u16(&req, 6), NLM_F_REQUEST | NLM_F_DUMP);
        assert_eq!(read_u32(&req, 8), 7);
        assert_eq!(&req[16..], &[0u8; 8]);
    }

    #[test]
    fn a_dump_of_two_datagrams_is_read_whole() {
        let v4 = Msg::new_addr(libc::AF_INET as u8, 24, 0x80, 0, 3)
            .attr(IFA_ADDRESS, &[198, 51, 100, 1])
            .attr(IFA_LOCAL, &[203, 0, 113, 5])
            .attr(IFA_LABEL, b"ppp0\0")
            .cacheinfo(INFINITY_LIFE_TIME, INFINITY_LIFE_TIME);
        let mut first = global_v6().framed(RTM_NEWADDR, 2, 9);
        first.extend(v4.framed(RTM_NEWADDR, 2, 9));
        let mut parser = DumpParser::new(9);
        assert!(matches!(parser.feed(&first), Ok(None)));
        let Ok(Some(Dump::Complete(addrs))) = parser.feed(&done(9)) else {
            panic!("dump not complete");
        };
        assert_eq!(addrs.len(), 2);
        let a = &addrs[0];
        assert_eq!(a.addr.to_string(), "2001:db8:1::5");
        assert_eq!((a.prefix_len, a.scope, a.index), (64, 0, 2));
        assert_eq!(a.flags, IFA_F_TEMPORARY | IFA_F_MANAGETEMPADDR);
        assert_eq!((a.preferred, a.valid), (Some(3600), Some(7200)));
        assert_eq!(a.flag_names(), "temporary mngtmpaddr");
        // Point-to-point: IFA_LOCAL is ours, IFA_ADDRESS the peer.
        let b = &addrs[1];
        assert_eq!(b.addr.to_string(), "203.0.113.5");
        assert_eq!((b.preferred, b.valid), (None, None));
        assert_eq!(b.flag_names(), "permanent");
    }

    #[test]
    fn ifa_flags_wins_over_the_byte_and_the_byte_serves_without_it() {
        let only_byte = Msg::new_addr(libc::AF_INET6 as u8, 64, 0x40, 0, 2)
            .attr(IFA_ADDRESS, &v6("2001:db8::1"));
        let parsed = parse_addr_message(&only_byte.0).map(|a| a.flags);
        assert_eq!(parsed, Some(IFA_F_TENTATIVE));
        let both = Msg::new_addr(libc::AF_INET6 as u8, 64, 0x40, 0, 2)
            .attr(IFA_ADDRESS, &v6("2001:db8::1"))
            .attr(
                IFA_FLAGS,
                &(IFA_F_DADFAILED | IFA_F_STABLE_PRIVACY).to_ne_bytes(),
            );
        let parsed = parse_addr_message(&both.0).map(|a| a.flags);
        assert_eq!(parsed, Some(IFA_F_DADFAILED | IFA_F_STABLE_PRIVACY));
    }

    #[test]
    fn interrupted_dumps_errors_and_stale_answers() {
        let mut parser = DumpParser::new(2);
        let stale = global_v6().framed(RTM_NEWADDR, 2, 1);
        assert!(matches!(parser.feed(&stale), Ok(None)));
        let intr = global_v6().framed(RTM_NEWADDR, 2 | NLM_F_DUMP_INTR, 2);
        assert!(matches!(parser.feed(&intr), Ok(None)));
        assert!(matches!(parser.feed(&done(2)), Ok(Some(Dump::Interrupted))));

        let mut parser = DumpParser::new(3);
        let error = Msg((-libc::EPERM).to_ne_bytes().to_vec()).framed(NLMSG_ERROR, 0, 3);
        assert!(parser.feed(&error).is_err());
        // An ACK (error 0) is not an error.
        let ack = Msg(0i32.to_ne_bytes().to_vec()).framed(NLMSG_ERROR, 0, 3);
        assert!(matches!(parser.feed(&ack), Ok(None)));
    }

    #[test]
    fn odd_messages_never_panic() {
        let good = global_v6().framed(RTM_NEWADDR, 2, 5);
        // Every truncation of a good message, and of its payload.
        for cut in 0..good.len() {
            let mut parser = DumpParser::new(5);
            let _ = parser.feed(&good[..cut]);
            let _ = parse_addr_message(&good[NLMSG_HDRLEN..cut.max(NLMSG_HDRLEN)]);
        }
        // A header whose length lies.
        let mut lying = good.clone();
        lying[..4].copy_from_slice(&9999u32.to_ne_bytes());
        assert!(DumpParser::new(5).feed(&lying).is_err());
        lying[..4].copy_from_slice(&3u32.to_ne_bytes());
        assert!(DumpParser::new(5).feed(&lying).is_err());
        // Attributes too short for what they claim, or of the wrong size.
        let short = Msg::new_addr(libc::AF_INET6 as u8, 64, 0, 0, 2).attr(IFA_ADDRESS, &[1, 2, 3]);
        assert_eq!(parse_addr_message(&short.0), None);
        let mut bad_len = Msg::new_addr(libc::AF_INET6 as u8, 64, 0, 0, 2)
            .attr(IFA_ADDRESS, &v6("2001:db8::1"))
            .0;
        bad_len[8..10].copy_from_slice(&200u16.to_ne_bytes());
        assert_eq!(parse_addr_message(&bad_len), None);
        bad_len[8..10].copy_from_slice(&1u16.to_ne_bytes());
        assert_eq!(parse_addr_message(&bad_len), None);
        // Other families, impossible prefix lengths, no address at all.
        let packet = Msg::new_addr(17, 0, 0, 0, 2).attr(IFA_ADDRESS, &[0; 6]);
        assert_eq!(parse_addr_message(&packet.0), None);
        let long = Msg::new_addr(libc::AF_INET as u8, 33, 0, 0, 2).attr(IFA_ADDRESS, &[1; 4]);
        assert_eq!(parse_addr_message(&long.0), None);
        let bare = Msg::new_addr(libc::AF_INET as u8, 24, 0, 0, 2).cacheinfo(1, 2);
        assert_eq!(parse_addr_message(&bare.0), None);
        // Short IFA_FLAGS and IFA_CACHEINFO are ignored, not read past.
        let shorts = Msg::new_addr(libc::AF_INET as u8, 24, 0x20, 0, 2)
            .attr(IFA_ADDRESS, &[203, 0, 113, 1])
            .attr(IFA_FLAGS, &[1, 2])
            .attr(IFA_CACHEINFO, &[1, 2, 3]);
        let parsed = parse_addr_message(&shorts.0);
        assert_eq!(parsed.map(|a| (a.flags, a.preferred)), Some((0x20, None)));
    }

    #[test]
    fn the_kernel_dump_of_this_machine_reads_cleanly() {
        // Loopback exists in every network namespace, with 127.0.0.1 on it.
        let addrs = dump().unwrap_or_default();
        let lo = name_to_index("lo");
        assert!(lo.is_some());
        assert!(addrs.iter().any(|a| Some(a.index) == lo
            && a.addr == IpAddr::V4(Ipv4Addr::LOCALHOST)
            && a.interface == "lo"
            && a.scope == 254));
        assert_eq!(name_to_index("no-such-if0"), None);
        assert_eq!(name_to_index(""), None);
        assert_eq!(name_to_index("a\0b"), None);
        assert_eq!(name_to_index("sixteen-chars-xx"), None);
    }
}
