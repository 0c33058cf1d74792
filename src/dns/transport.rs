//! One DNS exchange: UDP first, TCP when the reply is truncated, the message is
//! too big for plain UDP, or the user asks for it (RFC 1035 section 4.2). UDP
//! is tried a bounded number of times; UDP tries and TCP reads share one deadline.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs, UdpSocket};
use std::time::{Duration, Instant};

use super::message::{Reply, MAX_MESSAGE};
use super::WireError;
use crate::bind::Bind;
use crate::exit::{Exit, Failure};

/// Sends of the same UDP message before giving up; the timeout is shared among them.
const UDP_TRIES: u32 = 3;
/// The largest message RFC 1035 lets travel over UDP without EDNS.
const UDP_LIMIT: usize = 512;
/// Replies with another ID (late answers to an earlier try, or forgeries)
/// that one exchange ignores before it gives up.
const MAX_STRAY: usize = 64;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    Udp,
    Tcp,
}

impl Via {
    pub fn name(self) -> &'static str {
        match self {
            Via::Udp => "UDP",
            Via::Tcp => "TCP",
        }
    }
}

/// The server's address. `host` may be a name, an IPv4 or a bracketed IPv6 literal.
/// The resolver's first answer: getaddrinfo sorts reachable families first (RFC 6724).
pub fn resolve(host: &str, port: u16) -> Result<SocketAddr, Failure> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    (bare, port)
        .to_socket_addrs()
        .map_err(|e| network(format!("cannot resolve {host}: {e}")))?
        .next()
        .ok_or_else(|| network(format!("{host} has no address")))
}

/// Sends `request` to `server` and returns the first reply that `check` accepts.
/// `check` decodes and matches the reply; a reply with another ID is ignored.
pub fn exchange(
    server: SocketAddr,
    request: &[u8],
    force_tcp: bool,
    timeout: Duration,
    bind: Option<&Bind>,
    check: &dyn Fn(&[u8]) -> Result<Reply, WireError>,
) -> Result<(Vec<u8>, Reply, Via), Failure> {
    let start = Instant::now();
    let deadline = start + timeout;
    if !force_tcp && request.len() <= UDP_LIMIT {
        let (bytes, reply) = udp(server, request, deadline, &limit_text(timeout), bind, check)?;
        if !reply.truncated {
            return Ok((bytes, reply, Via::Udp));
        }
    }
    // After a truncated UDP reply the TCP exchange gets at least a second.
    let deadline = deadline.max(Instant::now() + Duration::from_secs(1));
    let limit = limit_text(deadline - start);
    let (bytes, reply) = tcp(server, request, deadline, &limit, bind, check)?;
    Ok((bytes, reply, Via::Tcp))
}

/// A time limit as the user wrote it: `2s`, or `2.4s` when it was stretched.
fn limit_text(limit: Duration) -> String {
    // In u64: u128 arithmetic and formatting would link 4 KB for a few seconds.
    let tenths = (limit.as_millis() as u64 + 50) / 100;
    match tenths % 10 {
        0 => format!("{}s", tenths / 10),
        frac => format!("{}.{frac}s", tenths / 10),
    }
}

fn network(message: String) -> Failure {
    Failure::new(Exit::Network, message)
}

/// What a reply the decoder refused means for the run.
pub fn malformed(error: WireError) -> Failure {
    match error {
        // A cut message is what a bad link does: try again next run.
        WireError::Truncated => network(format!("unusable reply: {error}")),
        _ => Failure::new(Exit::Unexpected, format!("unusable reply: {error}")),
    }
}

fn io_failure(what: &str, error: &io::Error, limit: &str) -> Failure {
    match error.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => {
            network(format!("no answer within {limit} ({what} timed out)"))
        }
        io::ErrorKind::ConnectionRefused => network(format!(
            "{what}: connection refused (no DNS server on that port?)"
        )),
        io::ErrorKind::UnexpectedEof => {
            network(format!("{what}: the server closed the connection early"))
        }
        _ => network(format!("{what}: {error}")),
    }
}

fn udp(
    server: SocketAddr,
    request: &[u8],
    deadline: Instant,
    secs: &str,
    bind: Option<&Bind>,
    check: &dyn Fn(&[u8]) -> Result<Reply, WireError>,
) -> Result<(Vec<u8>, Reply), Failure> {
    let local: SocketAddr = match server {
        SocketAddr::V4(_) => SocketAddr::from(([0u8; 4], 0)),
        SocketAddr::V6(_) => SocketAddr::from(([0u16; 8], 0)),
    };
    // Connected: the kernel drops datagrams from any other address.
    let socket = match bind {
        Some(bind) => bind
            .udp(server)
            .map_err(|e| io_failure("UDP socket", &e, secs))?,
        None => {
            let socket = UdpSocket::bind(local).map_err(|e| io_failure("UDP socket", &e, secs))?;
            socket
                .connect(server)
                .map_err(|e| io_failure("UDP", &e, secs))?;
            socket
        }
    };
    let mut buf = vec![0u8; MAX_MESSAGE + 1];
    let mut strays = 0;
    for attempt in 0..UDP_TRIES {
        let now = Instant::now();
        if now >= deadline {
            break;
        }
        // What is left, shared evenly among the tries still to come.
        let try_end = now + (deadline - now) / (UDP_TRIES - attempt);
        socket
            .send(request)
            .map_err(|e| io_failure("UDP send", &e, secs))?;
        loop {
            let left = try_end.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            socket
                .set_read_timeout(Some(left))
                .map_err(|e| io_failure("UDP", &e, secs))?;
            match socket.recv(&mut buf) {
                Ok(n) => {
                    let bytes = &buf[..n];
                    match check(bytes) {
                        Ok(reply) => return Ok((bytes.to_vec(), reply)),
                        Err(WireError::WrongId) if strays < MAX_STRAY => strays += 1,
                        Err(error) => return Err(malformed(error)),
                    }
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    break
                }
                Err(e) => return Err(io_failure("UDP", &e, secs)),
            }
        }
    }
    Err(network(format!(
        "no answer within {secs} ({UDP_TRIES} tries over UDP)"
    )))
}

/// Reads exactly `buf.len()` bytes by `deadline`: each read gets only the time
/// left, so a server sending a byte at a time cannot stretch the exchange.
fn read_by(stream: &mut TcpStream, buf: &mut [u8], deadline: Instant) -> io::Result<()> {
    let mut filled = 0;
    while filled < buf.len() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::ErrorKind::TimedOut.into());
        }
        stream.set_read_timeout(Some(left))?;
        match stream.read(&mut buf[filled..]) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Writes all of `bytes` by `deadline`, like [`read_by`].
fn write_by(stream: &mut TcpStream, bytes: &[u8], deadline: Instant) -> io::Result<()> {
    let mut sent = 0;
    while sent < bytes.len() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::ErrorKind::TimedOut.into());
        }
        stream.set_write_timeout(Some(left))?;
        match stream.write(&bytes[sent..]) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => sent += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

fn tcp(
    server: SocketAddr,
    request: &[u8],
    deadline: Instant,
    secs: &str,
    bind: Option<&Bind>,
    check: &dyn Fn(&[u8]) -> Result<Reply, WireError>,
) -> Result<(Vec<u8>, Reply), Failure> {
    let left = deadline.saturating_duration_since(Instant::now());
    let mut stream = match bind {
        Some(bind) => bind.tcp(server, Some(left)),
        None => TcpStream::connect_timeout(&server, left),
    }
    .map_err(|e| io_failure("TCP connect", &e, secs))?;
    // Over TCP a message is preceded by its length (RFC 1035 section 4.2.2).
    let mut framed = (request.len() as u16).to_be_bytes().to_vec();
    framed.extend_from_slice(request);
    write_by(&mut stream, &framed, deadline).map_err(|e| io_failure("TCP send", &e, secs))?;
    let mut len = [0u8; 2];
    read_by(&mut stream, &mut len, deadline).map_err(|e| io_failure("TCP", &e, secs))?;
    let len = usize::from(u16::from_be_bytes(len));
    if len > MAX_MESSAGE {
        return Err(malformed(WireError::Oversized));
    }
    let mut bytes = vec![0u8; len];
    read_by(&mut stream, &mut bytes, deadline).map_err(|e| io_failure("TCP", &e, secs))?;
    let reply = check(&bytes).map_err(malformed)?;
    if reply.truncated {
        return Err(malformed(WireError::Truncated));
    }
    Ok((bytes, reply))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_shown_as_given_or_to_a_tenth() {
        assert_eq!(limit_text(Duration::from_secs(2)), "2s");
        assert_eq!(limit_text(Duration::from_millis(1999)), "2s");
        assert_eq!(limit_text(Duration::from_millis(2430)), "2.4s");
    }
}
