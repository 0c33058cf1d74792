//! Waiting out duplicate address detection (RFC 4862 section 5.4). netifd runs
//! the hotplug scripts while a new IPv6 address or delegated prefix is still
//! tentative (1 to 2 s with the kernel's defaults); when those are the only
//! candidates, a run waits for the kernel's address events, a few seconds at
//! most, rather than leave the address to the next cron run.

use std::io;
use std::time::{Duration, Instant};

use super::netlink::{self, IfAddr, Socket};

/// The longest wait: the kernel's default DAD (a random delay of up to 1 s, then
/// one probe answered within 1 s) ends well within it.
pub const LIMIT: Duration = Duration::from_secs(5);
/// Events that wake the wait at most: other interfaces' changes wake it too.
const MAX_WAKES: usize = 64;

/// Whether DAD on `interface` can end now: without carrier the kernel holds it
/// back until the link comes up. Unknown (no sysfs) counts as yes.
pub fn can_end(interface: &str) -> bool {
    match std::fs::read_to_string(format!("/sys/class/net/{interface}/carrier")) {
        Ok(text) => text.trim() == "1",
        // EINVAL: the interface is down, so no carrier either.
        Err(e) => e.raw_os_error() != Some(libc::EINVAL),
    }
}

/// Every interface's addresses once `settled` accepts them, or when `LIMIT` has
/// passed: dumped again after each IPv6 address event. The subscription comes
/// before the first dump, so an event between the two is not missed.
pub fn wait(settled: impl Fn(&[IfAddr]) -> bool) -> Result<Vec<IfAddr>, String> {
    let events = subscribe().map_err(|e| format!("cannot watch address events: {e}"))?;
    let deadline = Instant::now() + LIMIT;
    let mut addrs = netlink::dump()?;
    for _ in 0..MAX_WAKES {
        if settled(&addrs) || !next_event(&events, deadline) {
            break;
        }
        addrs = netlink::dump()?;
    }
    Ok(addrs)
}

/// A netlink socket that receives the kernel's IPv6 address changes.
fn subscribe() -> io::Result<Socket> {
    let socket = Socket::open()?;
    let mut local = Socket::kernel();
    local.nl_groups = libc::RTMGRP_IPV6_IFADDR as u32;
    // SAFETY: `local` is a valid sockaddr_nl of the size passed.
    let rc = unsafe {
        libc::bind(
            socket.0,
            (&local as *const libc::sockaddr_nl).cast(),
            std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t,
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(socket)
}

/// Whether an address event (or a lost one: the buffer overran) arrived before
/// `deadline`. What it says does not matter: the caller dumps again.
fn next_event(events: &Socket, deadline: Instant) -> bool {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return false;
    }
    // poll's millisecond int, not SO_RCVTIMEO's timeval, whose time_t the libc
    // crate and 32-bit musl 1.2 disagree on. At least 1 ms: 0 would not wait.
    let millis = left.as_millis().clamp(1, libc::c_int::MAX as u128) as libc::c_int;
    let mut ready = libc::pollfd {
        fd: events.0,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd, and its count.
    if unsafe { libc::poll(&mut ready, 1, millis) } <= 0 {
        return false;
    }
    let mut buf = [0u8; 4096];
    // SAFETY: buf is valid for its length; the content is not read.
    let got = unsafe {
        libc::recv(
            events.0,
            buf.as_mut_ptr().cast(),
            buf.len(),
            libc::MSG_DONTWAIT,
        )
    };
    got >= 0 || io::Error::last_os_error().raw_os_error() == Some(libc::ENOBUFS)
}
