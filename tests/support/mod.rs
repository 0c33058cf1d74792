//! Test support for dynup's integration tests: a throwaway CA, a small
//! HTTP/HTTPS mock server that records requests, temporary directories and a
//! bounded runner for the dynup binary.
//!
//! Use from an integration test with `mod support;`.
//!
//! Nothing here can hang the test process: every loop is bounded in count
//! and time, sockets poll with short timeouts, and the server threads stop
//! (and are joined) when the [`Mock`] is dropped.
#![allow(dead_code)]

pub mod netcup;
pub mod netns;
pub mod proxy;

use std::collections::VecDeque;
use std::fs;
use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

pub mod aliyun;
pub mod cloudflare;
pub mod desec_api;
pub mod digitalocean;
pub mod dns_peers;
pub mod dnspod;
pub mod dyndns_server;
pub mod gandi;
pub mod gcp;
pub mod godaddy;
pub mod hetzner;
pub mod ionos;
pub mod linode;
pub mod namecheap;
pub mod named;
pub mod namesilo;
pub mod porkbun;
pub mod powerdns;
pub mod rest;
pub mod route53;
pub mod rsa_key;
pub mod scaleway;
pub mod transip;

/// Limit on the request head (request line + headers).
pub const MAX_HEAD: usize = 16 * 1024;
/// Limit on a request body that is read and recorded (Content-Length only).
pub const MAX_BODY: usize = 1024 * 1024;
/// Size of the body sent for [`Behaviour::Huge`].
pub const HUGE_LEN: usize = 4 * 1024 * 1024;
/// Give up on a socket operation that makes no progress for this long.
pub const IO_TIMEOUT: Duration = Duration::from_secs(5);
/// How long [`Behaviour::Hang`] keeps a connection open without answering.
pub const HANG_FOR: Duration = Duration::from_secs(30);
/// How long [`run`] lets the child process run.
pub const RUN_TIMEOUT: Duration = Duration::from_secs(30);

/// Socket timeout used for polling, so that threads notice `stop` quickly.
const POLL: Duration = Duration::from_millis(50);
/// Upper bound on a Mock's accept loop, in case a Mock is leaked.
const MAX_LIFETIME: Duration = Duration::from_secs(600);
/// Upper bound on connections accepted by one Mock.
const MAX_CONNECTIONS: usize = 10_000;
/// Upper bound on the time a whole response may take to write.
const MAX_RESPONSE_TIME: Duration = Duration::from_secs(30);

static UNIQUE: AtomicU64 = AtomicU64::new(0);

fn unique() -> u64 {
    UNIQUE.fetch_add(1, Ordering::Relaxed)
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

// ---------------------------------------------------------------------------
// Certificates
// ---------------------------------------------------------------------------

/// A throwaway certificate authority, made at test time.
pub struct TestCa {
    issuer: CertifiedIssuer<'static, KeyPair>,
    id: u64,
}

impl TestCa {
    /// A new self-signed CA (ECDSA P-256, `is_ca = Ca(Unconstrained)`).
    pub fn new() -> TestCa {
        let id = unique();
        let mut params = CertificateParams::default();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        params.distinguished_name.push(
            DnType::CommonName,
            format!("dynup test CA {} {}", std::process::id(), id),
        );
        params
            .distinguished_name
            .push(DnType::OrganizationName, "dynup tests");
        let key = KeyPair::generate().expect("generate CA key");
        let issuer = CertifiedIssuer::self_signed(params, key).expect("self-sign CA");
        TestCa { issuer, id }
    }

    /// The CA certificate, PEM.
    pub fn cert_pem(&self) -> String {
        self.issuer.pem()
    }

    /// The CA certificate, DER.
    pub fn cert_der(&self) -> CertificateDer<'static> {
        self.issuer.der().clone()
    }

    /// Writes the CA certificate as `ca-N.pem` (N unique per CA in this
    /// process) into `dir` and returns its path.
    pub fn write_pem(&self, dir: &Path) -> PathBuf {
        let path = dir.join(format!("ca-{}.pem", self.id));
        fs::write(&path, self.cert_pem()).expect("write CA PEM");
        path
    }

    /// A root store holding only this CA (for rustls clients in tests).
    pub fn root_store(&self) -> rustls::RootCertStore {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(self.cert_der()).expect("add CA to root store");
        roots
    }

    /// A rustls client config (ring provider) trusting only this CA.
    pub fn client_config(&self) -> Arc<rustls::ClientConfig> {
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("client protocol versions")
        .with_root_certificates(self.root_store())
        .with_no_client_auth();
        Arc::new(config)
    }

    /// A server certificate for "localhost", 127.0.0.1 and ::1, signed by
    /// this CA: (chain of leaf only, private key).
    pub fn issue_server(&self) -> (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>) {
        self.issue_for(&["localhost", "127.0.0.1", "::1"])
    }

    /// A server certificate for the given subject alternative names (DNS
    /// names or IP literals), signed by this CA.
    pub fn issue_for(
        &self,
        sans: &[&str],
    ) -> (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>) {
        let names: Vec<String> = sans.iter().map(|s| s.to_string()).collect();
        let mut params = CertificateParams::new(names).expect("server cert params");
        params.distinguished_name.push(
            DnType::CommonName,
            sans.first().copied().unwrap_or("dynup test server"),
        );
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.use_authority_key_identifier_extension = true;
        let key = KeyPair::generate().expect("generate server key");
        let cert = params
            .signed_by(&key, &self.issuer)
            .expect("sign server cert");
        let key_der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        (vec![cert.der().clone()], key_der)
    }

    /// A rustls server config (ring provider, safe default versions) with a
    /// certificate for `sans` from this CA.
    pub fn server_config_for(&self, sans: &[&str]) -> Arc<rustls::ServerConfig> {
        let (chain, key) = self.issue_for(sans);
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("server protocol versions")
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .expect("server certificate");
        Arc::new(config)
    }
}

impl Default for TestCa {
    fn default() -> Self {
        TestCa::new()
    }
}

// ---------------------------------------------------------------------------
// Replies
// ---------------------------------------------------------------------------

/// How the mock answers a request (after recording it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behaviour {
    /// Status, headers and body as given.
    Normal,
    /// Read and record the request, then never answer: keep the connection
    /// open for up to 30 s or until the Mock is dropped, then close it.
    Hang,
    /// Send the status and headers with `Content-Length: 1000`, then only
    /// 10 bytes of body (the reply's body, padded with 'x'), then close
    /// (without TLS close_notify).
    CloseMidBody,
    /// The reply's status with a body of 4 MiB of 'x' (Content-Length set),
    /// streamed in chunks; write errors (client hung up) are ignored.
    Huge,
}

/// A canned response.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub body: String,
    /// Sent in order after the status line. `Content-Length` and
    /// `Connection: close` are added unless present here.
    pub headers: Vec<(String, String)>,
    pub behaviour: Behaviour,
}

impl Reply {
    /// 200 with `Content-Type: text/plain`.
    pub fn ok(body: &str) -> Reply {
        Reply::status(200, body)
    }

    /// Any status with `Content-Type: text/plain`.
    pub fn status(code: u16, body: &str) -> Reply {
        Reply {
            status: code,
            body: body.to_string(),
            headers: vec![("Content-Type".to_string(), "text/plain".to_string())],
            behaviour: Behaviour::Normal,
        }
    }

    /// Sets a header, replacing any of the same name (case-insensitive).
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// Adds a header, keeping any of the same name (e.g. a second
    /// `WWW-Authenticate`).
    pub fn add_header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// Removes every header of that name (e.g. the default Content-Type).
    pub fn without_header(mut self, name: &str) -> Reply {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self
    }

    pub fn behaviour(mut self, b: Behaviour) -> Reply {
        self.behaviour = b;
        self
    }

    /// `{myip}` in the body becomes the addresses the request set, as a dyndns2
    /// server echoes them ("good 203.0.113.7"): its myip, myipv4 and myipv6
    /// values, or the address it came from when it named none (`auto`); one
    /// line per host of its `hostname` list, as dyndns2 answers several hosts.
    fn for_request(mut self, request: &Recorded) -> Reply {
        if self.body.contains("{myip}") {
            let named: Vec<&str> = ["myip", "myipv4", "myipv6"]
                .iter()
                .flat_map(|key| request.params(key))
                .flat_map(|value| value.split(','))
                .filter(|value| !value.is_empty())
                .collect();
            let echoed = if named.is_empty() {
                request.peer.ip().to_string()
            } else {
                named.join(",")
            };
            let hosts = request
                .param("hostname")
                .map_or(1, |list| list.split(',').count());
            let line = self.body.replace("{myip}", &echoed);
            self.body = vec![line.trim_end(); hosts].join("\n");
        }
        self
    }

    fn has_header(&self, name: &str) -> bool {
        self.headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(name))
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        413 => "Content Too Large",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

// ---------------------------------------------------------------------------
// Recorded requests
// ---------------------------------------------------------------------------

/// A request as the mock received it.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    /// Request-target as sent, e.g. "/api/update?zone=a&token=b".
    pub target: String,
    /// Part of the target before '?'.
    pub path: String,
    /// Query pairs, %XX-decoded ('+' stays '+'); a key without '=' has "".
    pub query: Vec<(String, String)>,
    /// Header names lower-cased, values trimmed, in order.
    pub headers: Vec<(String, String)>,
    pub peer: SocketAddr,
    pub tls: bool,
    /// HTTP version as sent, e.g. "HTTP/1.1".
    pub version: String,
    /// Body read per Content-Length (at most 1 MiB), lossy UTF-8; empty
    /// otherwise (chunked request bodies are not read).
    pub body: String,
}

impl Recorded {
    /// First header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every header of that name (case-insensitive).
    pub fn headers_named(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// First query parameter of that name (exact match, after decoding).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a query parameter of that name.
    pub fn params(&self, name: &str) -> Vec<&str> {
        self.query
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// `Authorization: Basic` decoded into (user, password); None when the
    /// header is missing, not Basic, not base64 or has no ':'.
    pub fn basic_auth(&self) -> Option<(String, String)> {
        let value = self.header("authorization")?.trim();
        let (scheme, rest) = value.split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("basic") {
            return None;
        }
        let raw = base64::engine::general_purpose::STANDARD
            .decode(rest.trim())
            .ok()?;
        let text = String::from_utf8(raw).ok()?;
        let (user, pass) = text.split_once(':')?;
        Some((user.to_string(), pass.to_string()))
    }
}

/// %XX decoding only: '+' stays '+', malformed escapes are kept as they are.
pub fn percent_decode(s: &str) -> String {
    fn hex(b: u8) -> Option<u8> {
        match b {
            b'0'..=b'9' => Some(b - b'0'),
            b'a'..=b'f' => Some(b - b'a' + 10),
            b'A'..=b'F' => Some(b - b'A' + 10),
            _ => None,
        }
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push(h * 16 + l);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Splits a query string into %XX-decoded pairs; empty segments are skipped.
pub fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|seg| !seg.is_empty())
        .map(|seg| match seg.split_once('=') {
            Some((k, v)) => (percent_decode(k), percent_decode(v)),
            None => (percent_decode(seg), String::new()),
        })
        .collect()
}

struct Head {
    method: String,
    target: String,
    version: String,
    headers: Vec<(String, String)>,
}

fn parse_head(raw: &[u8]) -> Option<Head> {
    let text = String::from_utf8_lossy(raw);
    let mut lines = text.split("\r\n");
    let request_line = lines.next()?;
    let mut parts = request_line.split(' ');
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let version = parts.next()?.to_string();
    if method.is_empty() || target.is_empty() || !version.starts_with("HTTP/") {
        return None;
    }
    let mut headers = Vec::new();
    for line in lines {
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
    Some(Head {
        method,
        target,
        version,
        headers,
    })
}

// ---------------------------------------------------------------------------
// The mock server
// ---------------------------------------------------------------------------

/// Answers a request from what it asks (a stateful API model): see [`Mock::handler`].
pub type Handler = Box<dyn FnMut(&Recorded) -> Reply + Send>;

struct Shared {
    queue: Mutex<VecDeque<Reply>>,
    handler: Mutex<Option<Handler>>,
    default: Mutex<Reply>,
    requests: Mutex<Vec<Recorded>>,
    tls_failed: AtomicUsize,
    connections: AtomicUsize,
    stop: AtomicBool,
}

impl Shared {
    fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    fn next_reply(&self, request: &Recorded) -> Reply {
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

fn handle_connection(
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

// ---------------------------------------------------------------------------
// Files and processes
// ---------------------------------------------------------------------------

/// A unique directory under `std::env::temp_dir()`, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let base = std::env::temp_dir();
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let tag: String = tag
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let mut last_err = None;
        for _ in 0..100 {
            let path = base.join(format!(
                "dynup-test-{tag}-{}-{}-{nanos}",
                std::process::id(),
                unique()
            ));
            match fs::create_dir(&path) {
                Ok(()) => {
                    let _ = fs::set_permissions(&path, fs::Permissions::from_mode(0o700));
                    return TempDir(path);
                }
                Err(e) => last_err = Some(e),
            }
        }
        panic!("TempDir::new({tag}): {last_err:?}");
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn join(&self, p: &str) -> PathBuf {
        self.0.join(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Writes `value` + "\n" to `dir/name` with mode 0600 and returns the path.
pub fn write_secret(dir: &TempDir, name: &str, value: &str) -> PathBuf {
    let path = dir.join(name);
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&path)
        .unwrap_or_else(|e| panic!("write_secret {}: {e}", path.display()));
    f.write_all(value.as_bytes())
        .and_then(|()| f.write_all(b"\n"))
        .unwrap_or_else(|e| panic!("write_secret {}: {e}", path.display()));
    fs::set_permissions(&path, fs::Permissions::from_mode(0o600))
        .unwrap_or_else(|e| panic!("chmod {}: {e}", path.display()));
    path
}

/// Outcome of a finished process.
#[derive(Clone, Debug)]
pub struct Run {
    /// Exit code; 128 + signal number when killed by a signal.
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// The dynup binary with a clean environment: only PATH=/usr/bin:/bin,
/// DYNUP_CACHE_DIR=cache and HOME=cache (so no proxies), stdin null.
pub fn dynup(cache: &Path) -> Command {
    dynup_binary(&Binary::built(), cache)
}

/// Which dynup binary a command runs, and the emulator it runs under, if any.
#[derive(Clone, Debug)]
pub struct Binary {
    pub path: PathBuf,
    /// For another architecture: e.g. `qemu-mips-static`, given the path as its argument.
    pub runner: Option<PathBuf>,
}

impl Binary {
    /// The host build cargo made for these tests.
    pub fn built() -> Binary {
        Binary {
            path: PathBuf::from(env!("CARGO_BIN_EXE_dynup")),
            runner: None,
        }
    }
}

/// [`dynup`] for a given binary (a cross build under its emulator, say).
pub fn dynup_binary(binary: &Binary, cache: &Path) -> Command {
    let mut cmd = match &binary.runner {
        Some(runner) => {
            let mut cmd = Command::new(runner);
            cmd.arg(&binary.path);
            cmd
        }
        None => Command::new(&binary.path),
    };
    cmd.env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("DYNUP_CACHE_DIR", cache)
        .env("HOME", cache)
        .stdin(Stdio::null());
    cmd
}

/// Runs `cmd` (stdout and stderr captured) for at most 30 s; on timeout
/// the child is killed and this panics.
pub fn run(cmd: &mut Command) -> Run {
    run_with_timeout(cmd, RUN_TIMEOUT)
}

/// [`run`] with another time limit.
pub fn run_with_timeout(cmd: &mut Command, timeout: Duration) -> Run {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawn {cmd:?}: {e}"));
    let out_rx = drain(child.stdout.take());
    let err_rx = drain(child.stderr.take());
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(10)),
            Ok(None) => break None,
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("waiting for {cmd:?}: {e}");
            }
        }
    };
    let status = match status {
        Some(s) => s,
        None => {
            let _ = child.kill();
            let _ = child.wait();
            let stdout = collect(out_rx);
            let stderr = collect(err_rx);
            panic!(
                "{cmd:?} still running after {timeout:?}: killed\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}"
            );
        }
    };
    let code = status
        .code()
        .or_else(|| status.signal().map(|s| 128 + s))
        .unwrap_or(-1);
    Run {
        code,
        stdout: collect(out_rx),
        stderr: collect(err_rx),
    }
}

fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    if let Some(mut pipe) = pipe {
        thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = pipe.read_to_end(&mut buf);
            let _ = tx.send(buf);
        });
    } else {
        let _ = tx.send(Vec::new());
    }
    rx
}

/// The captured output, or what is known once 5 s have passed (a
/// grandchild may hold the pipe open).
fn collect(rx: mpsc::Receiver<Vec<u8>>) -> String {
    match rx.recv_timeout(IO_TIMEOUT) {
        Ok(buf) => String::from_utf8_lossy(&buf).into_owned(),
        Err(_) => String::from("<output not closed within 5 s>"),
    }
}

// ---------------------------------------------------------------------------
// A provider fixture: a mock, a cache directory and secret files
// ---------------------------------------------------------------------------

/// The token the fixtures use; no output may ever contain it.
pub const TOKEN: &str = "tok-SECRET-8f3a1c";
/// The password the fixtures use; no output may ever contain it.
pub const PASSWORD: &str = "pw-SECRET-77e0b2";

/// One mock provider with a cache directory and secret files beside it.
pub struct Fixture {
    pub dir: TempDir,
    pub mock: Mock,
    pub ca: Option<TestCa>,
    pub ca_pem: Option<PathBuf>,
    pub token_file: PathBuf,
    pub password_file: PathBuf,
    /// The dynup the commands run: the host build unless [`Fixture::running`] says.
    pub binary: Binary,
}

impl Fixture {
    /// A plain-HTTP mock on 127.0.0.1.
    pub fn http() -> Fixture {
        Fixture::with(Mock::http(), None)
    }

    /// An HTTPS mock on 127.0.0.1 whose certificate comes from a fresh CA.
    pub fn https() -> Fixture {
        let ca = TestCa::new();
        let mock = Mock::https(&ca);
        Fixture::with(mock, Some(ca))
    }

    pub fn with(mock: Mock, ca: Option<TestCa>) -> Fixture {
        let dir = TempDir::new("fixture");
        let token_file = write_secret(&dir, "token", TOKEN);
        let password_file = write_secret(&dir, "password", PASSWORD);
        let ca_pem = ca.as_ref().map(|ca| ca.write_pem(dir.path()));
        Fixture {
            dir,
            mock,
            ca,
            ca_pem,
            token_file,
            password_file,
            binary: Binary::built(),
        }
    }

    /// The same fixture, its commands running `binary` instead of the host build.
    pub fn running(mut self, binary: Binary) -> Fixture {
        self.binary = binary;
        self
    }

    pub fn cache(&self) -> PathBuf {
        self.dir.join("cache")
    }

    /// dynup pointed at the mock, trusting only the default roots, plus `args`.
    pub fn cmd_untrusted(&self, args: &[&str]) -> Command {
        let mut cmd = dynup_binary(&self.binary, &self.cache());
        cmd.arg("--server").arg(self.mock.url());
        cmd.args(args);
        cmd
    }

    /// dynup pointed at the mock (and trusting its CA), plus `args`.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = self.cmd_untrusted(&[]);
        if let Some(pem) = &self.ca_pem {
            cmd.arg("--cacert").arg(pem);
        }
        cmd.args(args);
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Run {
        run_clean(&mut self.cmd(args))
    }

    /// `--token-file FILE` for dynv6.
    pub fn token_args(&self) -> Vec<String> {
        vec![
            "--token-file".to_string(),
            self.token_file.display().to_string(),
        ]
    }

    /// `-u USER --password-file FILE` for dyndns2.
    pub fn login_args(&self, user: &str) -> Vec<String> {
        vec![
            "-u".to_string(),
            user.to_string(),
            "--password-file".to_string(),
            self.password_file.display().to_string(),
        ]
    }

    /// dynup with string arguments built from pieces.
    pub fn run_owned(&self, args: &[String]) -> Run {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        self.run(&args)
    }

    /// The state files in the cache directory (not the lock, not temp files).
    pub fn state_files(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = fs::read_dir(self.cache())
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "state"))
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        files
    }

    /// The only state file; panics when there is not exactly one.
    pub fn state_file(&self) -> PathBuf {
        let files = self.state_files();
        assert_eq!(files.len(), 1, "state files: {files:?}");
        files[0].clone()
    }

    pub fn state_text(&self) -> String {
        fs::read_to_string(self.state_file()).expect("read state")
    }
}

/// [`run`] a dynup command and check [`Run::assert_clean`] on what it printed.
pub fn run_clean(cmd: &mut Command) -> Run {
    let run = run(cmd);
    run.assert_clean();
    run
}

/// `args` joined with owned pieces, for building argument lists.
pub fn args(fixed: &[&str], owned: &[String]) -> Vec<String> {
    owned
        .iter()
        .cloned()
        .chain(fixed.iter().map(|s| s.to_string()))
        .collect()
}

impl Run {
    /// What every run must satisfy: no panic, no backtrace, no secret.
    pub fn assert_clean(&self) {
        for text in [&self.stdout, &self.stderr] {
            assert!(!text.contains("panicked"), "panic: {self:?}");
            assert!(!text.contains("RUST_BACKTRACE"), "backtrace: {self:?}");
            assert!(!text.contains(TOKEN), "token leaked: {self:?}");
            assert!(!text.contains(PASSWORD), "password leaked: {self:?}");
            let basic = base64::engine::general_purpose::STANDARD;
            for user in ["none", "user", "me@example.org"] {
                for secret in [TOKEN, PASSWORD] {
                    let encoded = basic.encode(format!("{user}:{secret}"));
                    assert!(!text.contains(&encoded), "basic auth leaked: {self:?}");
                }
            }
        }
    }

    /// Exactly one line on stderr, as the error contract says.
    pub fn one_error_line(&self) -> &str {
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "expected one stderr line: {self:?}");
        lines[0]
    }
}
