//! The NETLINK_ROUTE socket and one dump over it: the request, the datagrams
//! read within bounds, and the parser that collects their items.

use std::io;
use std::time::{Duration, Instant};

use super::bytes::{align4, read_u16, read_u32};

// netlink numbers (linux/netlink.h).
pub(super) const NLMSG_NOOP: u16 = 1;
pub(super) const NLMSG_ERROR: u16 = 2;
pub(super) const NLMSG_DONE: u16 = 3;
pub(super) const NLMSG_OVERRUN: u16 = 4;
pub(super) const NLM_F_REQUEST: u16 = 0x01;
pub(super) const NLM_F_DUMP: u16 = 0x300;
pub(super) const NLM_F_DUMP_INTR: u16 = 0x10;
pub(super) const NLMSG_HDRLEN: usize = 16;

/// Bounds on one dump: a router has a handful of addresses, a busy host a few
/// hundred; anything past these is a kernel or socket gone wrong.
const MAX_READS: usize = 4096;
const MAX_ADDRESSES: usize = 65_536;
const DUMP_TIME: Duration = Duration::from_secs(5);
const RECV_BUFFER: usize = 32 * 1024;
/// A dump the kernel marks inconsistent (addresses changed meanwhile) is retried.
const DUMP_ATTEMPTS: usize = 3;

/// One complete dump: `request(seq)` asks for it, `parser(seq)` reads it; a dump
/// the kernel marks inconsistent is asked for again. `what` names it in errors.
pub(in crate::addr) fn dump_of<T>(
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

pub(in crate::addr) enum Dump<T> {
    Complete(Vec<T>),
    /// NLM_F_DUMP_INTR: the list changed during the dump; ask again.
    Interrupted,
}

/// A NETLINK_ROUTE socket; `dad` binds one to the address event group.
pub(in crate::addr) struct Socket(pub(in crate::addr) libc::c_int);

impl Drop for Socket {
    fn drop(&mut self) {
        // SAFETY: the descriptor is ours and closed once.
        unsafe { libc::close(self.0) };
    }
}

impl Socket {
    pub(in crate::addr) fn open() -> io::Result<Socket> {
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

    pub(in crate::addr) fn kernel() -> libc::sockaddr_nl {
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

/// A dump request of `kind` with its fixed header `body`.
pub(in crate::addr) fn request(kind: u16, seq: u32, body: &[u8]) -> Vec<u8> {
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
pub(in crate::addr) struct DumpParser<T> {
    seq: u32,
    kind: u16,
    parse: fn(&[u8]) -> Option<T>,
    addrs: Vec<T>,
    interrupted: bool,
}

impl<T> DumpParser<T> {
    pub(in crate::addr) fn of(seq: u32, kind: u16, parse: fn(&[u8]) -> Option<T>) -> DumpParser<T> {
        DumpParser {
            seq,
            kind,
            parse,
            addrs: Vec::new(),
            interrupted: false,
        }
    }

    /// One datagram; `Some` once the dump is over.
    pub(super) fn feed(&mut self, datagram: &[u8]) -> Result<Option<Dump<T>>, String> {
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
