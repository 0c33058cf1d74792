//! One connection of the mock: read and record the request, write the reply;
//! every read and write bounded in time.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::thread::{self};
use std::time::{Duration, Instant};

use super::mock::Shared;
use super::recorded::parse_head;
use super::reply::reason;
use super::{
    lock, parse_query, Behaviour, Recorded, Reply, HANG_FOR, HUGE_LEN, IO_TIMEOUT, MAX_BODY,
    MAX_HEAD, MAX_RESPONSE_TIME, POLL,
};

fn is_retry(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted
    )
}

enum Conn {
    Plain(TcpStream),
    Tls(Box<rustls::StreamOwned<rustls::ServerConnection, TcpStream>>),
}

impl Conn {
    fn tcp(&self) -> &TcpStream {
        match self {
            Conn::Plain(s) => s,
            Conn::Tls(s) => &s.sock,
        }
    }

    /// Closes the connection: TLS close_notify when `clean`, then a TCP
    /// write shutdown, then a short drain of what the client still sends so
    /// that closing does not reset the connection under the response.
    fn close(mut self, shared: &Shared, clean: bool) {
        if clean {
            if let Conn::Tls(s) = &mut self {
                s.conn.send_close_notify();
                let _ = flush_bounded(&mut self, shared, Instant::now() + Duration::from_secs(1));
            }
        }
        let _ = self.tcp().shutdown(Shutdown::Write);
        let mut sock = self.tcp();
        let deadline = Instant::now() + Duration::from_millis(300);
        let mut buf = [0u8; 4096];
        let mut rounds = 0;
        while Instant::now() < deadline && rounds < 1000 && !shared.stopping() {
            rounds += 1;
            match sock.read(&mut buf) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) if is_retry(&e) => {}
                Err(_) => break,
            }
        }
    }
}

impl Read for Conn {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Conn::Plain(s) => s.read(buf),
            Conn::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Conn {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Conn::Plain(s) => s.write(buf),
            Conn::Tls(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Conn::Plain(s) => s.flush(),
            Conn::Tls(s) => s.flush(),
        }
    }
}

/// Writes all of `data`, retrying on socket timeouts; false on error, on
/// stop, at `deadline`, or after IO_TIMEOUT without progress.
fn write_all_bounded(conn: &mut Conn, data: &[u8], shared: &Shared, deadline: Instant) -> bool {
    let mut off = 0;
    let mut progress = Instant::now();
    while off < data.len() {
        if shared.stopping() || Instant::now() >= deadline || progress.elapsed() >= IO_TIMEOUT {
            return false;
        }
        match conn.write(&data[off..]) {
            Ok(0) => return false,
            Ok(n) => {
                off += n;
                progress = Instant::now();
            }
            Err(e) if is_retry(&e) => {}
            Err(_) => return false,
        }
    }
    true
}

fn flush_bounded(conn: &mut Conn, shared: &Shared, deadline: Instant) -> bool {
    let started = Instant::now();
    loop {
        if shared.stopping() || Instant::now() >= deadline || started.elapsed() >= IO_TIMEOUT {
            return false;
        }
        match conn.flush() {
            Ok(()) => return true,
            Err(e) if is_retry(&e) => {}
            Err(_) => return false,
        }
    }
}

enum HeadRead {
    /// Head bytes (without the blank line) and whatever followed it.
    Complete(Vec<u8>, Vec<u8>),
    TooLarge,
    Failed,
}

fn find_blank_line(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n")
}

fn read_head(conn: &mut Conn, shared: &Shared) -> HeadRead {
    let deadline = Instant::now() + IO_TIMEOUT;
    let mut buf: Vec<u8> = Vec::new();
    let mut chunk = [0u8; 4096];
    while !shared.stopping() && Instant::now() < deadline {
        match conn.read(&mut chunk) {
            Ok(0) => return HeadRead::Failed,
            Ok(n) => {
                let scan_from = buf.len().saturating_sub(3);
                buf.extend_from_slice(&chunk[..n]);
                if let Some(pos) = find_blank_line(&buf[scan_from..]) {
                    let end = scan_from + pos;
                    if end + 4 > MAX_HEAD {
                        return HeadRead::TooLarge;
                    }
                    let rest = buf[end + 4..].to_vec();
                    buf.truncate(end + 2);
                    return HeadRead::Complete(buf, rest);
                }
                if buf.len() > MAX_HEAD {
                    return HeadRead::TooLarge;
                }
            }
            Err(e) if is_retry(&e) => {}
            Err(_) => return HeadRead::Failed,
        }
    }
    HeadRead::Failed
}

fn read_body(conn: &mut Conn, shared: &Shared, mut body: Vec<u8>, want: usize) -> Vec<u8> {
    let deadline = Instant::now() + IO_TIMEOUT;
    let mut chunk = [0u8; 8192];
    while body.len() < want && !shared.stopping() && Instant::now() < deadline {
        match conn.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => body.extend_from_slice(&chunk[..n]),
            Err(e) if is_retry(&e) => {}
            Err(_) => break,
        }
    }
    body.truncate(want);
    body
}

/// Completes the TLS handshake, polling; false if it failed or timed out.
fn tls_handshake(
    conn: &mut rustls::ServerConnection,
    sock: &mut TcpStream,
    shared: &Shared,
) -> bool {
    let deadline = Instant::now() + IO_TIMEOUT;
    while conn.is_handshaking() {
        if shared.stopping() || Instant::now() >= deadline {
            return false;
        }
        match conn.complete_io(sock) {
            Ok(_) => {}
            Err(e) if is_retry(&e) => {}
            Err(_) => return false,
        }
    }
    true
}

pub(super) fn handle_connection(
    sock: TcpStream,
    peer: SocketAddr,
    tls: Option<Arc<rustls::ServerConfig>>,
    shared: &Shared,
) {
    // Accepted sockets may inherit the listener's non-blocking mode.
    if sock.set_nonblocking(false).is_err()
        || sock.set_read_timeout(Some(POLL)).is_err()
        || sock.set_write_timeout(Some(POLL)).is_err()
    {
        return;
    }
    let _ = sock.set_nodelay(true);
    let is_tls = tls.is_some();
    let mut conn = match tls {
        None => Conn::Plain(sock),
        Some(config) => {
            let mut sock = sock;
            let mut server = match rustls::ServerConnection::new(config) {
                Ok(s) => s,
                Err(_) => {
                    shared.tls_failed.fetch_add(1, Ordering::SeqCst);
                    return;
                }
            };
            if !tls_handshake(&mut server, &mut sock, shared) {
                shared.tls_failed.fetch_add(1, Ordering::SeqCst);
                let _ = sock.shutdown(Shutdown::Both);
                return;
            }
            Conn::Tls(Box::new(rustls::StreamOwned::new(server, sock)))
        }
    };

    let (raw_head, rest) = match read_head(&mut conn, shared) {
        HeadRead::Complete(h, r) => (h, r),
        HeadRead::TooLarge => {
            if is_tls {
                shared.tls_failed.fetch_add(1, Ordering::SeqCst);
            }
            send_simple(&mut conn, shared, 431, "request head too large\n");
            conn.close(shared, true);
            return;
        }
        HeadRead::Failed => {
            if is_tls {
                shared.tls_failed.fetch_add(1, Ordering::SeqCst);
            }
            conn.close(shared, false);
            return;
        }
    };
    let head = match parse_head(&raw_head) {
        Some(h) => h,
        None => {
            send_simple(&mut conn, shared, 400, "malformed request\n");
            conn.close(shared, true);
            return;
        }
    };

    let content_length = head
        .headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let body = if content_length > 0 {
        read_body(&mut conn, shared, rest, content_length.min(MAX_BODY))
    } else {
        Vec::new()
    };

    let (path, query) = match head.target.split_once('?') {
        Some((p, q)) => (p.to_string(), parse_query(q)),
        None => (head.target.clone(), Vec::new()),
    };
    let is_head = head.method.eq_ignore_ascii_case("HEAD");
    let recorded = Recorded {
        method: head.method,
        target: head.target,
        path,
        query,
        headers: head.headers,
        peer,
        tls: is_tls,
        version: head.version,
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    // Record before replying, so a client that has its answer sees it.
    lock(&shared.requests).push(recorded.clone());
    let reply = shared.next_reply(&recorded).for_request(&recorded);
    respond(conn, shared, &reply, is_head);
}

fn response_head(reply: &Reply, content_length: usize) -> Vec<u8> {
    let mut head = format!("HTTP/1.1 {} {}\r\n", reply.status, reason(reply.status));
    for (n, v) in &reply.headers {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    if !reply.has_header("content-length") {
        head.push_str(&format!("Content-Length: {content_length}\r\n"));
    }
    if !reply.has_header("connection") {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    head.into_bytes()
}

fn send_simple(conn: &mut Conn, shared: &Shared, status: u16, body: &str) {
    let reply = Reply::status(status, body);
    let mut out = response_head(&reply, body.len());
    out.extend_from_slice(body.as_bytes());
    let deadline = Instant::now() + IO_TIMEOUT;
    if write_all_bounded(conn, &out, shared, deadline) {
        let _ = flush_bounded(conn, shared, deadline);
    }
}

fn respond(mut conn: Conn, shared: &Shared, reply: &Reply, is_head: bool) {
    let deadline = Instant::now() + MAX_RESPONSE_TIME;
    match reply.behaviour {
        Behaviour::Normal => {
            let mut out = response_head(reply, reply.body.len());
            if !is_head {
                out.extend_from_slice(reply.body.as_bytes());
            }
            if write_all_bounded(&mut conn, &out, shared, deadline) {
                let _ = flush_bounded(&mut conn, shared, deadline);
            }
            conn.close(shared, true);
        }
        Behaviour::Hang => {
            let until = Instant::now() + HANG_FOR;
            let mut rounds = 0;
            while !shared.stopping() && Instant::now() < until && rounds < 10_000 {
                rounds += 1;
                thread::sleep(Duration::from_millis(20));
            }
            let _ = conn.tcp().shutdown(Shutdown::Both);
        }
        Behaviour::CloseMidBody => {
            let reply = reply.clone().header("Content-Length", "1000");
            let mut out = response_head(&reply, 1000);
            let mut partial: Vec<u8> = reply.body.as_bytes().iter().copied().take(10).collect();
            partial.resize(10, b'x');
            out.extend_from_slice(&partial);
            if write_all_bounded(&mut conn, &out, shared, deadline) {
                let _ = flush_bounded(&mut conn, shared, deadline);
            }
            // Abrupt end: no close_notify, no more body.
            conn.close(shared, false);
        }
        Behaviour::Huge => {
            let reply = reply
                .clone()
                .header("Content-Length", &HUGE_LEN.to_string());
            let head = response_head(&reply, HUGE_LEN);
            let mut ok = write_all_bounded(&mut conn, &head, shared, deadline);
            if !is_head {
                let chunk = vec![b'x'; 64 * 1024];
                let mut sent = 0;
                while ok && sent < HUGE_LEN {
                    let n = chunk.len().min(HUGE_LEN - sent);
                    ok = write_all_bounded(&mut conn, &chunk[..n], shared, deadline);
                    sent += n;
                }
            }
            if ok {
                ok = flush_bounded(&mut conn, shared, deadline);
            }
            conn.close(shared, ok);
        }
    }
}
