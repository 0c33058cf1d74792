//! Address and link events from the kernel: an rtnetlink socket subscribed to
//! the link and IPv4/IPv6 address groups, read without blocking. An address
//! still in duplicate address detection is no event yet: the kernel tells again
//! when DAD is over, and that is the event. Link-local addresses (fe80::/10, a
//! link's own, come and go with it) are no event either.

use std::io;

/// RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR (rtnetlink(7)).
const GROUPS: u32 = 0x1 | 0x10 | 0x100;
const RTM_NEWLINK: u16 = 16;
const RTM_NEWADDR: u16 = 20;
const RTM_DELADDR: u16 = 21;
const NLMSG_HDR: usize = 16;
const IFADDRMSG: usize = 8;
const IFA_FLAGS: u16 = 8;
const IFA_F_TENTATIVE: u32 = 0x40;
const IFA_F_DADFAILED: u32 = 0x08;
const RT_SCOPE_LINK: u8 = 253;
/// IFF_UP | IFF_RUNNING: a link event counts once the link can carry traffic.
const LINK_USABLE: u32 = 0x1 | 0x40;
/// Reads per wakeup: a flood of events cannot keep the loop here.
const MAX_READS: usize = 64;

pub struct Events(libc::c_int);

impl Drop for Events {
    fn drop(&mut self) {
        // SAFETY: the descriptor is ours and closed once.
        unsafe { libc::close(self.0) };
    }
}

impl Events {
    pub fn open() -> io::Result<Events> {
        // SAFETY: plain socket(2) call; the result is checked.
        let fd = unsafe {
            libc::socket(
                libc::AF_NETLINK,
                libc::SOCK_RAW | libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK,
                libc::NETLINK_ROUTE,
            )
        };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        let events = Events(fd);
        // SAFETY: sockaddr_nl is plain data; zeroed, then the groups set.
        let mut addr: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
        addr.nl_family = libc::AF_NETLINK as libc::sa_family_t;
        addr.nl_groups = GROUPS;
        // SAFETY: addr is a sockaddr_nl of the size given.
        let rc = unsafe {
            libc::bind(
                fd,
                (&addr as *const libc::sockaddr_nl).cast(),
                std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t,
            )
        };
        if rc != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(events)
    }

    pub fn fd(&self) -> libc::c_int {
        self.0
    }

    /// The interfaces (by index) whose addresses or link changed, from what is
    /// waiting on the socket. `Err` on an overrun (ENOBUFS): events were lost,
    /// and the caller treats every interface as changed.
    pub fn read(&self) -> io::Result<Vec<u32>> {
        let mut changed = Vec::new();
        let mut buf = vec![0u8; 16 * 1024];
        for _ in 0..MAX_READS {
            // SAFETY: buf is valid for its length.
            let got = unsafe { libc::recv(self.0, buf.as_mut_ptr().cast(), buf.len(), 0) };
            if got < 0 {
                let error = io::Error::last_os_error();
                match error.kind() {
                    io::ErrorKind::WouldBlock => break,
                    io::ErrorKind::Interrupted => continue,
                    _ => return Err(error),
                }
            }
            parse(&buf[..got as usize], &mut changed);
        }
        changed.sort_unstable();
        changed.dedup();
        Ok(changed)
    }
}

fn u16_at(data: &[u8], at: usize) -> u16 {
    u16::from_ne_bytes([data[at], data[at + 1]])
}

fn u32_at(data: &[u8], at: usize) -> u32 {
    u32::from_ne_bytes([data[at], data[at + 1], data[at + 2], data[at + 3]])
}

/// The interface indexes a datagram of rtnetlink messages reports changed.
fn parse(mut data: &[u8], changed: &mut Vec<u32>) {
    while data.len() >= NLMSG_HDR {
        let len = u32_at(data, 0) as usize;
        if len < NLMSG_HDR || len > data.len() {
            return;
        }
        let message = &data[..len];
        let body = &message[NLMSG_HDR..];
        match u16_at(message, 4) {
            RTM_NEWADDR | RTM_DELADDR if body.len() >= IFADDRMSG => {
                let mut flags = u32::from(body[2]);
                let mut attrs = &body[IFADDRMSG..];
                while attrs.len() >= 4 {
                    let attr_len = u16_at(attrs, 0) as usize;
                    if attr_len < 4 || attr_len > attrs.len() {
                        break;
                    }
                    if u16_at(attrs, 2) == IFA_FLAGS && attr_len >= 8 {
                        flags = u32_at(attrs, 4);
                    }
                    attrs = &attrs[(attr_len + 3) & !3..];
                }
                // Link-local and host addresses are never published.
                let scope = body[3];
                if flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED) == 0 && scope < RT_SCOPE_LINK {
                    changed.push(u32_at(body, 4));
                }
            }
            // ifinfomsg: family, pad, type (2), index (4), flags (4), change (4).
            RTM_NEWLINK if body.len() >= 16 && u32_at(body, 8) & LINK_USABLE == LINK_USABLE => {
                changed.push(u32_at(body, 4));
            }
            _ => {}
        }
        data = &data[((len + 3) & !3).min(data.len())..];
    }
}

/// The name of interface `index`, while it exists.
pub fn name_of(index: u32) -> Option<String> {
    let mut buf = [0 as libc::c_char; libc::IF_NAMESIZE];
    // SAFETY: buf holds IF_NAMESIZE bytes, as if_indextoname(3) requires.
    let name = unsafe { libc::if_indextoname(index, buf.as_mut_ptr()) };
    if name.is_null() {
        return None;
    }
    // SAFETY: on success buf holds a NUL-terminated name.
    let name = unsafe { std::ffi::CStr::from_ptr(buf.as_ptr()) };
    Some(name.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(kind: u16, body: &[u8]) -> Vec<u8> {
        let len = (NLMSG_HDR + body.len()) as u32;
        let mut m = Vec::new();
        m.extend_from_slice(&len.to_ne_bytes());
        m.extend_from_slice(&kind.to_ne_bytes());
        m.extend_from_slice(&[0; 10]);
        m.extend_from_slice(body);
        m
    }

    fn addr(index: u32, flags: u8, extended: Option<u32>) -> Vec<u8> {
        addr_scoped(index, flags, extended, 0)
    }

    fn addr_scoped(index: u32, flags: u8, extended: Option<u32>, scope: u8) -> Vec<u8> {
        let mut body = vec![10, 64, flags, scope];
        body.extend_from_slice(&index.to_ne_bytes());
        if let Some(flags) = extended {
            body.extend_from_slice(&8u16.to_ne_bytes());
            body.extend_from_slice(&IFA_FLAGS.to_ne_bytes());
            body.extend_from_slice(&flags.to_ne_bytes());
        }
        message(RTM_NEWADDR, &body)
    }

    fn link(index: u32, flags: u32) -> Vec<u8> {
        let mut body = vec![0, 0, 1, 0];
        body.extend_from_slice(&index.to_ne_bytes());
        body.extend_from_slice(&flags.to_ne_bytes());
        body.extend_from_slice(&0u32.to_ne_bytes());
        message(RTM_NEWLINK, &body)
    }

    #[test]
    fn tentative_addresses_and_links_down_are_no_events() {
        let mut datagram = addr(2, 0, None);
        datagram.extend(addr(3, IFA_F_TENTATIVE as u8, None));
        datagram.extend(addr(4, 0, Some(IFA_F_TENTATIVE)));
        datagram.extend(addr(5, 0, Some(0x100)));
        datagram.extend(addr_scoped(9, 0, None, RT_SCOPE_LINK));
        datagram.extend(link(6, 0x1));
        datagram.extend(link(7, 0x1 | 0x40 | 0x10000));
        datagram.extend(message(RTM_DELADDR, &[2, 24, 0, 0, 8, 0, 0, 0]));
        let mut changed = Vec::new();
        parse(&datagram, &mut changed);
        assert_eq!(changed, [2, 5, 7, 8]);
        // A cut message ends the parse; nothing is invented.
        let mut changed = Vec::new();
        parse(&datagram[..NLMSG_HDR + 3], &mut changed);
        assert!(changed.is_empty());
    }
}
