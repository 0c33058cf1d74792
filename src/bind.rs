//! `--bind IFACE`: every connection of a job leaves by one interface, so that
//! with two uplinks (mwan3, or plain routes) each record is updated over the
//! link it describes. A socket is tied to the device (SO_BINDTODEVICE: the
//! kernel routes it out of that interface only) and bound to the interface's
//! own address of the family used (so that source-based policy rules match
//! and the provider sees that link's address), before it connects.
//!
//! Covers the HTTP(S) requests (provider and check-IP, through
//! `connector::SocketConnector`) and DNS UPDATE over UDP and TCP. Name lookups are left to the C
//! library's resolver: on OpenWRT it asks dnsmasq on 127.0.0.1, which a socket
//! tied to a WAN device could not even reach, and the provider's address does
//! not depend on the link the question took.

use std::ffi::CString;
use std::io;
use std::net::{IpAddr, SocketAddr, TcpStream, UdpSocket};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::time::{Duration, Instant};

use crate::addr::netlink;
use crate::addr::select::{self, Rules};
use crate::exit::Failure;

/// The interface a job's traffic is tied to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bind {
    pub device: String,
}

/// A source address may be private (a WAN behind a modem, CGNAT) or a ULA: it
/// is only sent from, never published.
const SOURCE_RULES: Rules = Rules {
    allow_ula: true,
    allow_private: true,
    stable_only: false,
};

impl Bind {
    /// `--bind IFACE`: the interface must exist now, or nothing is sent (exit 2).
    pub fn new(name: &str, flag: &str) -> Result<Bind, Failure> {
        if netlink::name_to_index(name).is_none() {
            return Err(Failure::usage(format!(
                "{flag}: there is no interface '{name}' (see `ip link`)"
            )));
        }
        Ok(Bind {
            device: name.to_string(),
        })
    }

    /// The interface's address of `to`'s family, by the rules that pick an
    /// address to publish (stable before temporary), private ones allowed.
    fn source_for(&self, to: &SocketAddr) -> io::Result<SocketAddr> {
        let index = netlink::name_to_index(&self.device).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                format!("interface {} is gone", self.device),
            )
        })?;
        let addrs: Vec<netlink::IfAddr> = netlink::dump()
            .map_err(io::Error::other)?
            .into_iter()
            .filter(|a| a.index == index)
            .collect();
        let v6 = to.is_ipv6();
        // Else any address the kernel lets a socket bind to (loopback's, one of
        // host scope); an IPv6 link-local one would need the peer on that link.
        let usable = |a: &&netlink::IfAddr| {
            a.addr.is_ipv6() == v6
                && !a.has(netlink::IFA_F_TENTATIVE | netlink::IFA_F_DADFAILED)
                && !matches!(a.addr, IpAddr::V6(ip) if ip.segments()[0] & 0xffc0 == 0xfe80)
        };
        let chosen = select::pick(&addrs, v6, SOURCE_RULES).or_else(|| addrs.iter().find(usable));
        match chosen {
            Some(chosen) => Ok(SocketAddr::new(chosen.addr, 0)),
            None => Err(io::Error::new(
                io::ErrorKind::AddrNotAvailable,
                format!(
                    "{} has no IPv{} address to send from",
                    self.device,
                    if v6 { 6 } else { 4 }
                ),
            )),
        }
    }

    /// A socket of `kind` (SOCK_STREAM, SOCK_DGRAM) tied to the device and bound
    /// to its address of `to`'s family.
    fn socket(&self, to: &SocketAddr, kind: libc::c_int) -> io::Result<OwnedFd> {
        let source = self.source_for(to)?;
        let family = if to.is_ipv6() {
            libc::AF_INET6
        } else {
            libc::AF_INET
        };
        // SAFETY: plain socket(2); the descriptor is owned right after the check.
        let fd = unsafe { libc::socket(family, kind | libc::SOCK_CLOEXEC, 0) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: fd is a fresh descriptor nobody else owns.
        let socket = unsafe { OwnedFd::from_raw_fd(fd) };
        let device = CString::new(self.device.as_str()).map_err(io::Error::other)?;
        let name = device.as_bytes_with_nul();
        // SAFETY: the option value is the NUL-terminated name, of the length given.
        let rc = unsafe {
            libc::setsockopt(
                fd,
                libc::SOL_SOCKET,
                libc::SO_BINDTODEVICE,
                name.as_ptr().cast(),
                name.len() as libc::socklen_t,
            )
        };
        if rc != 0 {
            let e = io::Error::last_os_error();
            return Err(io::Error::new(
                e.kind(),
                format!("cannot bind to {}: {e}", self.device),
            ));
        }
        let (raw, len) = sockaddr(&source);
        // SAFETY: raw holds a sockaddr_in or sockaddr_in6 of `len` bytes.
        let rc = unsafe { libc::bind(fd, (&raw as *const libc::sockaddr_storage).cast(), len) };
        if rc != 0 {
            let e = io::Error::last_os_error();
            return Err(io::Error::new(
                e.kind(),
                format!("cannot send from {}: {e}", source.ip()),
            ));
        }
        Ok(socket)
    }

    /// A UDP socket connected to `to`, leaving by the device.
    pub fn udp(&self, to: SocketAddr) -> io::Result<UdpSocket> {
        let socket = UdpSocket::from(self.socket(&to, libc::SOCK_DGRAM)?);
        socket.connect(to)?;
        Ok(socket)
    }

    /// A TCP connection to `to` by the device, given at most `timeout` to open.
    pub fn tcp(&self, to: SocketAddr, timeout: Option<Duration>) -> io::Result<TcpStream> {
        let socket = self.socket(&to, libc::SOCK_STREAM | libc::SOCK_NONBLOCK)?;
        let fd = socket.as_raw_fd();
        let (raw, len) = sockaddr(&to);
        // SAFETY: raw holds a sockaddr of `len` bytes; the socket is non-blocking.
        let rc = unsafe { libc::connect(fd, (&raw as *const libc::sockaddr_storage).cast(), len) };
        if rc != 0 {
            let e = io::Error::last_os_error();
            if e.raw_os_error() != Some(libc::EINPROGRESS) {
                return Err(e);
            }
            wait_connected(fd, timeout)?;
        }
        let stream = TcpStream::from(socket);
        stream.set_nonblocking(false)?;
        Ok(stream)
    }
}

/// Waits for a non-blocking connect to finish, within `timeout`.
fn wait_connected(fd: libc::c_int, timeout: Option<Duration>) -> io::Result<()> {
    let deadline = timeout.map(|t| Instant::now() + t);
    loop {
        let wait_ms = match deadline {
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(io::ErrorKind::TimedOut.into());
                }
                left.as_millis().clamp(1, i32::MAX as u128) as libc::c_int
            }
            None => -1,
        };
        let mut poll = libc::pollfd {
            fd,
            events: libc::POLLOUT,
            revents: 0,
        };
        // SAFETY: one valid pollfd.
        let rc = unsafe { libc::poll(&mut poll, 1, wait_ms) };
        if rc < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        if rc == 0 {
            continue;
        }
        let mut error: libc::c_int = 0;
        let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
        // SAFETY: SO_ERROR writes one c_int into `error`.
        let rc = unsafe {
            libc::getsockopt(
                fd,
                libc::SOL_SOCKET,
                libc::SO_ERROR,
                (&mut error as *mut libc::c_int).cast(),
                &mut len,
            )
        };
        if rc != 0 {
            return Err(io::Error::last_os_error());
        }
        return match error {
            0 => Ok(()),
            errno => Err(io::Error::from_raw_os_error(errno)),
        };
    }
}

/// `addr` as the kernel's sockaddr_in / sockaddr_in6, and its length.
fn sockaddr(addr: &SocketAddr) -> (libc::sockaddr_storage, libc::socklen_t) {
    // SAFETY: sockaddr_storage is plain data, valid all zeroes.
    let mut storage: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let len = match addr.ip() {
        IpAddr::V4(ip) => {
            // SAFETY: sockaddr_storage is larger than and aligned for sockaddr_in.
            let sin = unsafe {
                &mut *(&mut storage as *mut libc::sockaddr_storage).cast::<libc::sockaddr_in>()
            };
            sin.sin_family = libc::AF_INET as libc::sa_family_t;
            sin.sin_port = addr.port().to_be();
            sin.sin_addr.s_addr = u32::from_ne_bytes(ip.octets());
            std::mem::size_of::<libc::sockaddr_in>()
        }
        IpAddr::V6(ip) => {
            // SAFETY: sockaddr_storage is larger than and aligned for sockaddr_in6.
            let sin6 = unsafe {
                &mut *(&mut storage as *mut libc::sockaddr_storage).cast::<libc::sockaddr_in6>()
            };
            sin6.sin6_family = libc::AF_INET6 as libc::sa_family_t;
            sin6.sin6_port = addr.port().to_be();
            sin6.sin6_addr.s6_addr = ip.octets();
            if let SocketAddr::V6(v6) = addr {
                sin6.sin6_scope_id = v6.scope_id();
            }
            std::mem::size_of::<libc::sockaddr_in6>()
        }
    };
    (storage, len as libc::socklen_t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, TcpListener};

    #[test]
    fn an_unknown_interface_is_a_usage_error_naming_the_flag() {
        let failure = Bind::new("no-such-if0", "--bind").err();
        let failure = failure.expect("refused");
        assert_eq!(failure.exit, crate::exit::Exit::Usage);
        assert!(
            failure.message.starts_with("--bind: "),
            "{}",
            failure.message
        );
        assert!(failure.message.contains("no-such-if0"));
    }

    #[test]
    fn sockaddr_layout() {
        let (raw, len) = sockaddr(&"192.0.2.1:8080".parse().expect("addr"));
        assert_eq!(len as usize, std::mem::size_of::<libc::sockaddr_in>());
        // SAFETY: sockaddr() wrote a sockaddr_in there.
        let sin = unsafe { &*(&raw as *const libc::sockaddr_storage).cast::<libc::sockaddr_in>() };
        assert_eq!(u16::from_be(sin.sin_port), 8080);
        assert_eq!(sin.sin_addr.s_addr.to_ne_bytes(), [192, 0, 2, 1]);
    }

    /// Loopback's own addresses serve as the source; the peer sees 127.0.0.1.
    #[test]
    fn tcp_and_udp_over_loopback_leave_from_its_address() {
        let bind = Bind::new("lo", "--bind").expect("lo exists");
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("listen");
        let to = listener.local_addr().expect("addr");
        let stream = bind.tcp(to, Some(Duration::from_secs(5))).expect("connect");
        let (_peer, from) = listener.accept().expect("accept");
        assert_eq!(from.ip(), IpAddr::V4(Ipv4Addr::LOCALHOST));
        assert_eq!(stream.local_addr().ok(), Some(from));

        let server = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).expect("udp");
        let client = bind
            .udp(server.local_addr().expect("addr"))
            .expect("udp bound");
        client.send(b"x").expect("send");
        let mut buf = [0u8; 4];
        server
            .set_read_timeout(Some(Duration::from_secs(5)))
            .expect("timeout");
        let (_, from) = server.recv_from(&mut buf).expect("recv");
        assert_eq!(from, client.local_addr().expect("local"));

        // Nothing listens on a closed port: the refusal comes back, not a hang.
        drop(listener);
        let refused = bind.tcp(to, Some(Duration::from_secs(5))).err();
        assert_eq!(
            refused.map(|e| e.kind()),
            Some(io::ErrorKind::ConnectionRefused)
        );
    }
}
