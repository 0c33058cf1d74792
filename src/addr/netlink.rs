//! Interface addresses straight from the kernel: one RTM_GETADDR dump over a
//! NETLINK_ROUTE socket (rtnetlink(7)), the same data `ip addr` shows, without
//! running `ip`.
//!
//! Messages are parsed from bytes with every length checked, so an odd or
//! truncated message is skipped or reported, never a panic. `libc` gives the
//! socket calls only; the message layouts are read by hand (linux/netlink.h,
//! linux/if_addr.h).

use std::ffi::{CStr, CString};
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::{Duration, Instant};

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

// rtnetlink numbers (linux/rtnetlink.h, linux/netlink.h, linux/if_addr.h).
const RTM_NEWADDR: u16 = 20;
const RTM_GETADDR: u16 = 22;
const NLMSG_NOOP: u16 = 1;
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const NLMSG_OVERRUN: u16 = 4;
const NLM_F_REQUEST: u16 = 0x01;
const NLM_F_DUMP: u16 = 0x300;
const NLM_F_DUMP_INTR: u16 = 0x10;
const IFA_ADDRESS: u16 = 1;
const IFA_LOCAL: u16 = 2;
const IFA_LABEL: u16 = 3;
const IFA_CACHEINFO: u16 = 6;
const IFA_FLAGS: u16 = 8;
/// rtattr types carry two flag bits above the type proper.
const NLA_TYPE_MASK: u16 = 0x3fff;
const NLMSG_HDRLEN: usize = 16;
const IFADDRMSG_LEN: usize = 8;
const RTA_HDRLEN: usize = 4;
/// `ifa_cacheinfo.ifa_prefered` / `ifa_valid` meaning "forever".
const INFINITY_LIFE_TIME: u32 = u32::MAX;

/// Bounds on one dump: a router has a handful of addresses, a busy host a few
/// hundred; anything past these is a kernel or socket gone wrong.
const MAX_READS: usize = 4096;
const MAX_ADDRESSES: usize = 65_536;
const DUMP_TIME: Duration = Duration::from_secs(5);
const RECV_BUFFER: usize = 32 * 1024;
/// A dump the kernel marks inconsistent (addresses changed meanwhile) is retried.
const DUMP_ATTEMPTS: usize = 3;

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

/// One complete dump: `request(seq)` asks for it, `parser(seq)` reads it; a dump
/// the kernel marks inconsistent is asked for again. `what` names it in errors.
pub(super) fn dump_of<T>(
    request: impl Fn(u32) -> Vec<u8>,
    parser: impl Fn(u32) -> DumpParser<T>,
    what: &str,
) -> Result<Vec<T>, String> {
    let socket = Socket::open().map_err(|e| format!("cannot open a netlink socket: {e}"))?;
    let mut last = String::new();
    for attempt in 0..DUMP_ATTEMPTS {
        let seq = 1 + attempt as u32;
        match socket.dump(&request(seq), parser(seq)) {
            Ok(Dump::Complete(items)) => return Ok(items),
            Ok(Dump::Interrupted) => last = "the list kept changing".to_string(),
            Err(e) => return Err(format!("reading {what}: {e}")),
        }
    }
    Err(format!("reading {what}: {last}"))
}

/// The index of the interface named `name`, if there is one.
pub fn name_to_index(name: &str) -> Option<u32> {
    if name.is_empty() || name.len() >= libc::IF_NAMESIZE {
        return None;
    }
    let c_name = CString::new(name).ok()?;
    // SAFETY: c_name is a valid NUL-terminated string that outlives the call.
    let index = unsafe { libc::if_nametoindex(c_name.as_ptr()) };
    (index != 0).then_some(index)
}

/// The names of every interface of this host, in the kernel's order.
pub fn interface_names() -> Vec<String> {
    // SAFETY: if_nameindex returns null or an array ended by a zero entry,
    // which is read up to that entry and freed once.
    unsafe {
        let list = libc::if_nameindex();
        if list.is_null() {
            return Vec::new();
        }
        let mut names = Vec::new();
        let mut entry = list;
        while (*entry).if_index != 0 && !(*entry).if_name.is_null() {
            names.push(
                CStr::from_ptr((*entry).if_name)
                    .to_string_lossy()
                    .into_owned(),
            );
            entry = entry.add(1);
        }
        libc::if_freenameindex(list);
        names
    }
}

fn index_to_name(index: u32) -> Option<String> {
    let mut buf = [0 as libc::c_char; libc::IF_NAMESIZE];
    // SAFETY: buf has the IF_NAMESIZE bytes if_indextoname may write, NUL included.
    let ptr = unsafe { libc::if_indextoname(index, buf.as_mut_ptr()) };
    if ptr.is_null() {
        return None;
    }
    // SAFETY: on success the kernel wrote a NUL-terminated name into buf.
    let name = unsafe { CStr::from_ptr(buf.as_ptr()) };
    Some(name.to_string_lossy().into_owned())
}

pub(super) enum Dump<T> {
    Complete(Vec<T>),
    /// NLM_F_DUMP_INTR: the list changed during the dump; ask again.
    Interrupted,
}

/// A NETLINK_ROUTE socket; `dad` binds one to the address event group.
pub(super) struct Socket(pub(super) libc::c_int);

impl Drop for Socket {
    fn drop(&mut self) {
        // SAFETY: the descriptor is ours and closed once.
        unsafe { libc::close(self.0) };
    }
}

impl Socket {
    pub(super) fn open() -> io::Result<Socket> {
        // SAFETY: plain socket(2) call; the result is checked.
        let fd = unsafe {
            libc::socket(
                libc::AF_NETLINK,
                libc::SOCK_RAW | libc::SOCK_CLOEXEC,
                libc::NETLINK_ROUTE,
            )
        };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        let socket = Socket(fd);
        // Each read waits at most this long: a silent kernel cannot hang a run.
        // SAFETY: timeval is plain data; zeroed, then set, so that targets whose
        // timeval has padding fields (32-bit musl) build too.
        let mut timeout: libc::timeval = unsafe { std::mem::zeroed() };
        timeout.tv_sec = 2;
        // SAFETY: the option value is a timeval of the size given.
        let rc = unsafe {
            libc::setsockopt(
                fd,
                libc::SOL_SOCKET,
                libc::SO_RCVTIMEO,
                (&timeout as *const libc::timeval).cast(),
                std::mem::size_of::<libc::timeval>() as libc::socklen_t,
            )
        };
        if rc != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(socket)
    }

    pub(super) fn kernel() -> libc::sockaddr_nl {
        // SAFETY: sockaddr_nl is plain data; all zeroes is its "kernel, no groups" value.
        let mut addr: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
        addr.nl_family = libc::AF_NETLINK as libc::sa_family_t;
        addr
    }

    fn dump<T>(&self, request: &[u8], mut parser: DumpParser<T>) -> io::Result<Dump<T>> {
        let to = Socket::kernel();
        // SAFETY: request and `to` are valid for the lengths passed.
        let sent = unsafe {
            libc::sendto(
                self.0,
                request.as_ptr().cast(),
                request.len(),
                0,
                (&to as *const libc::sockaddr_nl).cast(),
                std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t,
            )
        };
        if sent < 0 {
            return Err(io::Error::last_os_error());
        }
        let started = Instant::now();
        let mut buf = vec![0u8; RECV_BUFFER];
        for _ in 0..MAX_READS {
            if started.elapsed() > DUMP_TIME {
                break;
            }
            let mut from = Socket::kernel();
            let mut from_len = std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t;
            // SAFETY: buf and `from` are valid for the lengths passed. MSG_TRUNC makes
            // the call return the datagram's full length, so a cut one is seen.
            let got = unsafe {
                libc::recvfrom(
                    self.0,
                    buf.as_mut_ptr().cast(),
                    buf.len(),
                    libc::MSG_TRUNC,
                    (&mut from as *mut libc::sockaddr_nl).cast(),
                    &mut from_len,
                )
            };
            if got < 0 {
                let error = io::Error::last_os_error();
                if error.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(error);
            }
            let got = got as usize;
            if got > buf.len() {
                return Err(io::Error::other(
                    "a netlink message was larger than the buffer",
                ));
            }
            // Only the kernel (port 0) speaks for the dump.
            if from.nl_pid != 0 {
                continue;
            }
            match parser.feed(&buf[..got]) {
                Ok(Some(dump)) => return Ok(dump),
                Ok(None) => {}
                Err(e) => return Err(io::Error::other(e)),
            }
        }
        Err(io::Error::new(
            io::ErrorKind::TimedOut,
            "the kernel did not finish the dump",
        ))
    }
}

/// The RTM_GETADDR dump request for every family: nlmsghdr + ifaddrmsg.
fn dump_request(seq: u32) -> Vec<u8> {
    // ifaddrmsg: family AF_UNSPEC (both), prefix length, flags, scope, index: all 0.
    request(RTM_GETADDR, seq, &[0u8; IFADDRMSG_LEN])
}

/// A dump request of `kind` with its fixed header `body`.
pub(super) fn request(kind: u16, seq: u32, body: &[u8]) -> Vec<u8> {
    let len = (NLMSG_HDRLEN + body.len()) as u32;
    let mut msg = Vec::with_capacity(len as usize);
    msg.extend_from_slice(&len.to_ne_bytes());
    msg.extend_from_slice(&kind.to_ne_bytes());
    msg.extend_from_slice(&(NLM_F_REQUEST | NLM_F_DUMP).to_ne_bytes());
    msg.extend_from_slice(&seq.to_ne_bytes());
    msg.extend_from_slice(&0u32.to_ne_bytes());
    msg.extend_from_slice(body);
    msg
}

/// Collects the items of one dump (messages of type `kind`, read by `parse`)
/// from the datagrams the kernel sends.
pub(super) struct DumpParser<T> {
    seq: u32,
    kind: u16,
    parse: fn(&[u8]) -> Option<T>,
    addrs: Vec<T>,
    interrupted: bool,
}

impl DumpParser<IfAddr> {
    fn new(seq: u32) -> DumpParser<IfAddr> {
        DumpParser::of(seq, RTM_NEWADDR, parse_addr_message)
    }
}

impl<T> DumpParser<T> {
    pub(super) fn of(seq: u32, kind: u16, parse: fn(&[u8]) -> Option<T>) -> DumpParser<T> {
        DumpParser {
            seq,
            kind,
            parse,
            addrs: Vec::new(),
            interrupted: false,
        }
    }

    /// One datagram; `Some` once the dump is over.
    fn feed(&mut self, datagram: &[u8]) -> Result<Option<Dump<T>>, String> {
        let mut rest = datagram;
        while rest.len() >= NLMSG_HDRLEN {
            let len = read_u32(rest, 0) as usize;
            let kind = read_u16(rest, 4);
            let flags = read_u16(rest, 6);
            let seq = read_u32(rest, 8);
            if len < NLMSG_HDRLEN || len > rest.len() {
                return Err(format!(
                    "malformed netlink message (length {len} of {} bytes)",
                    rest.len()
                ));
            }
            let payload = &rest[NLMSG_HDRLEN..len];
            rest = &rest[align4(len).min(rest.len())..];
            if seq != self.seq {
                // An answer to an earlier, abandoned dump.
                continue;
            }
            if flags & NLM_F_DUMP_INTR != 0 {
                self.interrupted = true;
            }
            match kind {
                NLMSG_DONE => {
                    let addrs = std::mem::take(&mut self.addrs);
                    return Ok(Some(if self.interrupted {
                        Dump::Interrupted
                    } else {
                        Dump::Complete(addrs)
                    }));
                }
                NLMSG_ERROR => {
                    let errno = payload
                        .get(..4)
                        .map(|b| i32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
                        .unwrap_or(0);
                    if errno != 0 {
                        return Err(io::Error::from_raw_os_error(-errno).to_string());
                    }
                }
                NLMSG_OVERRUN => return Err("netlink overrun".to_string()),
                kind if kind == self.kind => {
                    if self.addrs.len() >= MAX_ADDRESSES {
                        return Err(format!("more than {MAX_ADDRESSES} entries"));
                    }
                    if let Some(addr) = (self.parse)(payload) {
                        self.addrs.push(addr);
                    }
                }
                NLMSG_NOOP => {}
                _ => {}
            }
        }
        Ok(None)
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

pub(super) fn ip_from(data: &[u8], len: usize) -> Option<IpAddr> {
    match (len, data.get(..len)) {
        (4, Some(b)) => Some(IpAddr::V4(Ipv4Addr::new(b[0], b[1], b[2], b[3]))),
        (16, Some(b)) => {
            let mut octets = [0u8; 16];
            octets.copy_from_slice(b);
            Some(IpAddr::V6(Ipv6Addr::from(octets)))
        }
        _ => None,
    }
}

pub(super) fn align4(len: usize) -> usize {
    len.saturating_add(3) & !3
}

/// Callers check that `at + 4 <= bytes.len()`; a short slice reads as 0.
pub(super) fn read_u32(bytes: &[u8], at: usize) -> u32 {
    match bytes.get(at..at + 4) {
        Some(b) => u32::from_ne_bytes([b[0], b[1], b[2], b[3]]),
        None => 0,
    }
}

pub(super) fn read_u16(bytes: &[u8], at: usize) -> u16 {
    match bytes.get(at..at + 2) {
        Some(b) => u16::from_ne_bytes([b[0], b[1]]),
        None => 0,
    }
}

#[cfg(test)]
pub(crate) mod tests {
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
