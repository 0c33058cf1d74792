//! The mock server: its replies, its recorded requests and its accept loop.

use std::collections::VecDeque;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::connection::handle_connection;
use super::{lock, Recorded, Reply, TestCa, MAX_CONNECTIONS, MAX_LIFETIME};

/// Answers a request from what it asks (a stateful API model): see [`Mock::handler`].
pub type Handler = Box<dyn FnMut(&Recorded) -> Reply + Send>;

pub(super) struct Shared {
    pub(super) queue: Mutex<VecDeque<Reply>>,
    pub(super) handler: Mutex<Option<Handler>>,
    pub(super) default: Mutex<Reply>,
    pub(super) requests: Mutex<Vec<Recorded>>,
    pub(super) tls_failed: AtomicUsize,
    pub(super) connections: AtomicUsize,
    pub(super) stop: AtomicBool,
}

impl Shared {
    pub(super) fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    pub(super) fn next_reply(&self, request: &Recorded) -> Reply {
        if let Some(r) = lock(&self.queue).pop_front() {
            return r;
        }
        if let Some(handler) = lock(&self.handler).as_mut() {
            return handler(request);
        }
        lock(&self.default).clone()
    }
}

/// A small HTTP/1.1 (or HTTPS) server on a loopback port that records each
/// request and answers with queued [`Reply`]s. Every response carries
/// `Connection: close` and the connection is closed after it.
pub struct Mock {
    addr: SocketAddr,
    tls: bool,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Mock {
    /// Plain HTTP on 127.0.0.1, a free port.
    pub fn http() -> Mock {
        Mock::start(IpAddr::V4(Ipv4Addr::LOCALHOST), None)
    }

    /// HTTPS on 127.0.0.1 with a certificate from `ca` for "localhost",
    /// 127.0.0.1 and ::1.
    pub fn https(ca: &TestCa) -> Mock {
        Mock::https_on(ca, IpAddr::V4(Ipv4Addr::LOCALHOST))
    }

    /// Plain HTTP on `ip` (e.g. `::1`).
    pub fn http_on(ip: IpAddr) -> Mock {
        Mock::start(ip, None)
    }

    /// HTTPS on `ip` with a certificate from `ca` for "localhost",
    /// 127.0.0.1 and ::1.
    pub fn https_on(ca: &TestCa, ip: IpAddr) -> Mock {
        Mock::start(
            ip,
            Some(ca.server_config_for(&["localhost", "127.0.0.1", "::1"])),
        )
    }

    /// HTTPS on `ip` with a certificate from `ca` for the given names only
    /// (e.g. `&["wrong.example"]` to test a name mismatch).
    pub fn https_with_sans(ca: &TestCa, ip: IpAddr, sans: &[&str]) -> Mock {
        Mock::start(ip, Some(ca.server_config_for(sans)))
    }

    /// HTTPS on `ip` with any rustls server config.
    pub fn https_with_config(config: Arc<rustls::ServerConfig>, ip: IpAddr) -> Mock {
        Mock::start(ip, Some(config))
    }

    fn start(ip: IpAddr, tls: Option<Arc<rustls::ServerConfig>>) -> Mock {
        let listener = TcpListener::bind(SocketAddr::new(ip, 0))
            .unwrap_or_else(|e| panic!("mock: bind {ip}: {e}"));
        listener
            .set_nonblocking(true)
            .expect("mock: nonblocking listener");
        let addr = listener.local_addr().expect("mock: local_addr");
        let shared = Arc::new(Shared {
            queue: Mutex::new(VecDeque::new()),
            handler: Mutex::new(None),
            default: Mutex::new(Reply::ok("good")),
            requests: Mutex::new(Vec::new()),
            tls_failed: AtomicUsize::new(0),
            connections: AtomicUsize::new(0),
            stop: AtomicBool::new(false),
        });
        let is_tls = tls.is_some();
        let thread_shared = Arc::clone(&shared);
        let thread = thread::Builder::new()
            .name(format!("mock-accept-{}", addr.port()))
            .spawn(move || accept_loop(listener, tls, thread_shared))
            .expect("mock: spawn accept thread");
        Mock {
            addr,
            tls: is_tls,
            shared,
            thread: Some(thread),
        }
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn is_tls(&self) -> bool {
        self.tls
    }

    /// "http://127.0.0.1:PORT", "https://localhost:PORT" (TLS on
    /// 127.0.0.1), "http://[::1]:PORT", "https://[::1]:PORT", ...
    pub fn url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        let port = self.port();
        match self.addr.ip() {
            IpAddr::V4(v4) if self.tls && v4 == Ipv4Addr::LOCALHOST => {
                format!("{scheme}://localhost:{port}")
            }
            IpAddr::V4(v4) => format!("{scheme}://{v4}:{port}"),
            IpAddr::V6(v6) => format!("{scheme}://[{v6}]:{port}"),
        }
    }

    /// Queues a reply for the next request (FIFO).
    pub fn reply(&self, r: Reply) {
        lock(&self.shared.queue).push_back(r);
    }

    /// Answers every request the queue does not (queued replies still go first,
    /// so a test can put an error in front of a model's answers).
    pub fn handler(&self, handler: Handler) {
        *lock(&self.shared.handler) = Some(handler);
    }

    /// The reply used when the queue is empty (initially 200 "good").
    pub fn default_reply(&self, r: Reply) {
        *lock(&self.shared.default) = r;
    }

    /// Replies still queued.
    pub fn pending(&self) -> usize {
        lock(&self.shared.queue).len()
    }

    /// Requests recorded so far, in arrival order.
    pub fn requests(&self) -> Vec<Recorded> {
        lock(&self.shared.requests).clone()
    }

    /// The most recent request, if any.
    pub fn last(&self) -> Option<Recorded> {
        lock(&self.shared.requests).last().cloned()
    }

    pub fn count(&self) -> usize {
        lock(&self.shared.requests).len()
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// TLS connections that ended before a complete request head was read:
    /// handshake failures (e.g. the client rejected the certificate),
    /// clients that closed or stalled before sending a request, or a
    /// request head that could not be read.
    pub fn tls_handshakes_failed(&self) -> usize {
        self.shared.tls_failed.load(Ordering::SeqCst)
    }

    /// Waits (polling, at most `timeout`) until `count() >= n`; true if so.
    pub fn wait_for_requests(&self, n: usize, timeout: Duration) -> bool {
        wait_until(timeout, || self.count() >= n)
    }

    /// Waits (polling, at most `timeout`) until
    /// `tls_handshakes_failed() >= n`; true if so.
    pub fn wait_for_tls_failures(&self, n: usize, timeout: Duration) -> bool {
        wait_until(timeout, || self.tls_handshakes_failed() >= n)
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            // A panicking server thread must not turn into a double panic.
            let _ = t.join();
        }
    }
}

/// Polls `cond` every 10 ms for at most `timeout`.
pub fn wait_until(timeout: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if cond() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        thread::sleep(Duration::from_millis(10));
    }
}

fn accept_loop(listener: TcpListener, tls: Option<Arc<rustls::ServerConfig>>, shared: Arc<Shared>) {
    let started = Instant::now();
    let mut handlers: Vec<JoinHandle<()>> = Vec::new();
    let mut accepted = 0usize;
    while !shared.stopping() && started.elapsed() < MAX_LIFETIME && accepted < MAX_CONNECTIONS {
        match listener.accept() {
            Ok((sock, peer)) => {
                accepted += 1;
                shared.connections.fetch_add(1, Ordering::SeqCst);
                let shared = Arc::clone(&shared);
                let tls = tls.clone();
                let spawned = thread::Builder::new()
                    .name(format!("mock-conn-{peer}"))
                    .spawn(move || handle_connection(sock, peer, tls, &shared));
                if let Ok(h) = spawned {
                    handlers.push(h);
                }
                // Drop handles of finished threads (already joined in effect).
                handlers.retain(|h| !h.is_finished());
            }
            Err(_) => thread::sleep(Duration::from_millis(5)),
        }
    }
    shared.stop.store(true, Ordering::SeqCst);
    drop(listener);
    for h in handlers {
        let _ = h.join();
    }
}
