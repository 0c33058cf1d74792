//! Checks the test support module itself, without the dynup binary.

mod support;

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv6Addr, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use support::*;

const TIMEOUT: Duration = Duration::from_secs(5);

/// Sends `request` over plain TCP and reads until the server closes.
fn plain_exchange(mock: &Mock, request: &str) -> Vec<u8> {
    let mut s = TcpStream::connect(mock.addr()).expect("connect");
    s.set_read_timeout(Some(TIMEOUT)).unwrap();
    s.set_write_timeout(Some(TIMEOUT)).unwrap();
    s.write_all(request.as_bytes()).expect("send request");
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    out
}

fn tls_client(
    ca: &TestCa,
    mock: &Mock,
    name: &str,
) -> rustls::StreamOwned<rustls::ClientConnection, TcpStream> {
    let server_name = rustls::pki_types::ServerName::try_from(name.to_string()).unwrap();
    let conn = rustls::ClientConnection::new(ca.client_config(), server_name).unwrap();
    let sock = TcpStream::connect(mock.addr()).expect("connect");
    sock.set_read_timeout(Some(TIMEOUT)).unwrap();
    sock.set_write_timeout(Some(TIMEOUT)).unwrap();
    rustls::StreamOwned::new(conn, sock)
}

/// Sends `request` over TLS and reads until close; returns the bytes and
/// whether the stream ended with an error (e.g. no close_notify).
fn tls_exchange(ca: &TestCa, mock: &Mock, name: &str, request: &str) -> (Vec<u8>, bool) {
    let mut s = tls_client(ca, mock, name);
    s.write_all(request.as_bytes())
        .expect("send request over TLS");
    s.flush().unwrap();
    let mut out = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    for _ in 0..10_000 {
        match s.read(&mut buf) {
            Ok(0) => return (out, false),
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(_) => return (out, true),
        }
    }
    panic!("TLS read did not end");
}

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn parse_response(raw: &[u8]) -> Response {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no response head in {:?}", String::from_utf8_lossy(raw)));
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    Response {
        status,
        headers,
        body: raw[end + 4..].to_vec(),
    }
}

fn get(path: &str, extra: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n{extra}\r\n")
}

#[test]
fn plain_http_queued_reply_recorded_and_default() {
    let mock = Mock::http();
    assert!(
        mock.url().starts_with("http://127.0.0.1:"),
        "{}",
        mock.url()
    );
    assert_eq!(mock.url(), format!("http://127.0.0.1:{}", mock.port()));

    mock.reply(
        Reply::status(401, "badauth")
            .header("X-Mock", "1")
            .header("content-type", "text/html"),
    );
    let auth = base64::engine::general_purpose::STANDARD.encode("us:er@x:p:a ss");
    let raw = plain_exchange(
        &mock,
        &get(
            "/nic/update?hostname=a.example%2Eorg&myip=1.2.3.4&tok=a+b%20c&flag&bad=%zz",
            &format!("Authorization: Basic {auth}\r\nUser-Agent: Test/1.0\r\n"),
        ),
    );
    let resp = parse_response(&raw);
    assert_eq!(resp.status, 401);
    assert_eq!(resp.body, b"badauth");
    assert_eq!(resp.header("x-mock"), Some("1"));
    assert_eq!(resp.header("Content-Type"), Some("text/html"));
    assert_eq!(resp.header("content-length"), Some("7"));
    assert_eq!(resp.header("connection"), Some("close"));

    assert_eq!(mock.count(), 1);
    let r = &mock.requests()[0];
    assert_eq!(r.method, "GET");
    assert_eq!(
        r.target,
        "/nic/update?hostname=a.example%2Eorg&myip=1.2.3.4&tok=a+b%20c&flag&bad=%zz"
    );
    assert_eq!(r.path, "/nic/update");
    assert_eq!(r.param("hostname"), Some("a.example.org"));
    assert_eq!(r.param("myip"), Some("1.2.3.4"));
    assert_eq!(r.param("tok"), Some("a+b c"));
    assert_eq!(r.param("flag"), Some(""));
    assert_eq!(r.param("bad"), Some("%zz"));
    assert_eq!(r.param("missing"), None);
    assert_eq!(r.header("USER-AGENT"), Some("Test/1.0"));
    assert!(r.headers.iter().all(|(n, _)| *n == n.to_ascii_lowercase()));
    assert_eq!(
        r.basic_auth(),
        Some(("us".to_string(), "er@x:p:a ss".to_string()))
    );
    assert!(!r.tls);
    assert!(r.peer.ip().is_loopback());

    // Queue empty: the initial default reply.
    let resp = parse_response(&plain_exchange(&mock, &get("/again", "")));
    assert_eq!(resp.status, 200);
    assert_eq!(resp.body, b"good");
    assert_eq!(resp.header("content-type"), Some("text/plain"));

    // A new default, and FIFO order of the queue.
    mock.default_reply(Reply::status(500, "dflt"));
    mock.reply(Reply::ok("first"));
    mock.reply(Reply::ok("second"));
    let bodies: Vec<Vec<u8>> = (0..3)
        .map(|_| parse_response(&plain_exchange(&mock, &get("/", ""))).body)
        .collect();
    assert_eq!(
        bodies,
        vec![b"first".to_vec(), b"second".to_vec(), b"dflt".to_vec()]
    );
    assert_eq!(mock.count(), 5);
    assert_eq!(mock.requests()[1].basic_auth(), None);
    assert_eq!(mock.requests()[1].query, vec![]);
}

#[test]
fn post_body_is_recorded() {
    let mock = Mock::http();
    let raw = plain_exchange(
        &mock,
        "POST /api?x=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello",
    );
    assert_eq!(parse_response(&raw).status, 200);
    let r = mock.last().unwrap();
    assert_eq!(r.method, "POST");
    assert_eq!(r.body, "hello");
    assert_eq!(r.param("x"), Some("1"));
}

#[test]
fn tls_queued_reply_and_recorded() {
    let ca = TestCa::new();
    let mock = Mock::https(&ca);
    assert_eq!(mock.url(), format!("https://localhost:{}", mock.port()));
    mock.reply(Reply::ok("nochg 1.2.3.4"));
    let auth = base64::engine::general_purpose::STANDARD.encode("user:secret");
    let (raw, err) = tls_exchange(
        &ca,
        &mock,
        "localhost",
        &get(
            "/update?zone=z.example&token=t%2Bk",
            &format!("Authorization: Basic {auth}\r\n"),
        ),
    );
    assert!(!err, "server should end with close_notify");
    let resp = parse_response(&raw);
    assert_eq!(resp.status, 200);
    assert_eq!(resp.body, b"nochg 1.2.3.4");

    let r = mock.last().unwrap();
    assert!(r.tls);
    assert_eq!(r.path, "/update");
    assert_eq!(r.param("token"), Some("t+k"));
    assert_eq!(r.basic_auth(), Some(("user".into(), "secret".into())));
    assert_eq!(mock.tls_handshakes_failed(), 0);

    // The certificate also names 127.0.0.1.
    let (raw, _) = tls_exchange(&ca, &mock, "127.0.0.1", &get("/", ""));
    assert_eq!(parse_response(&raw).body, b"good");
}

#[test]
fn tls_untrusted_ca_counts_failed_handshake() {
    let ca = TestCa::new();
    let other = TestCa::new();
    let mock = Mock::https(&ca);
    let mut s = tls_client(&other, &mock, "localhost");
    let res = s
        .write_all(&get("/", "").into_bytes())
        .and_then(|_| s.flush());
    let mut buf = [0u8; 64];
    let read = s.read(&mut buf);
    assert!(res.is_err() || read.is_err(), "handshake should fail");
    drop(s);
    assert!(mock.wait_for_tls_failures(1, TIMEOUT));
    assert_eq!(mock.count(), 0);
}

#[test]
fn tls_wrong_name_is_rejected() {
    let ca = TestCa::new();
    let mock = Mock::https_with_sans(&ca, "127.0.0.1".parse().unwrap(), &["wrong.example"]);
    let mut s = tls_client(&ca, &mock, "localhost");
    let res = s
        .write_all(&get("/", "").into_bytes())
        .and_then(|_| s.flush());
    let mut buf = [0u8; 64];
    let read = s.read(&mut buf);
    assert!(res.is_err() || read.is_err(), "name mismatch should fail");
    drop(s);
    assert!(mock.wait_for_tls_failures(1, TIMEOUT));
}

#[test]
fn close_mid_body_plain_and_tls() {
    let mock = Mock::http();
    mock.reply(Reply::ok("0123456789abcdef").behaviour(Behaviour::CloseMidBody));
    let resp = parse_response(&plain_exchange(&mock, &get("/", "")));
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("content-length"), Some("1000"));
    assert_eq!(resp.body, b"0123456789");
    assert_eq!(mock.count(), 1);

    let ca = TestCa::new();
    let mock = Mock::https(&ca);
    mock.reply(Reply::ok("").behaviour(Behaviour::CloseMidBody));
    let (raw, err) = tls_exchange(&ca, &mock, "localhost", &get("/", ""));
    assert!(err, "TLS stream should end without close_notify");
    let resp = parse_response(&raw);
    assert_eq!(resp.header("content-length"), Some("1000"));
    assert_eq!(resp.body.len(), 10);
    assert!(resp.body.len() < 1000);
}

#[test]
fn huge_body_is_streamed() {
    let mock = Mock::http();
    mock.reply(Reply::ok("").behaviour(Behaviour::Huge));
    let resp = parse_response(&plain_exchange(&mock, &get("/", "")));
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("content-length"), Some("4194304"));
    assert_eq!(resp.body.len(), HUGE_LEN);
    assert!(resp.body.iter().all(|&b| b == b'x'));

    // A client that hangs up early does not disturb the server.
    mock.reply(Reply::ok("").behaviour(Behaviour::Huge));
    let mut s = TcpStream::connect(mock.addr()).unwrap();
    s.set_read_timeout(Some(TIMEOUT)).unwrap();
    s.write_all(get("/", "").as_bytes()).unwrap();
    let mut buf = [0u8; 1024];
    assert!(s.read(&mut buf).unwrap() > 0);
    drop(s);
    let resp = parse_response(&plain_exchange(&mock, &get("/", "")));
    assert_eq!(resp.body, b"good");
}

#[test]
fn hang_records_and_drop_is_quick() {
    let mock = Mock::http();
    mock.reply(Reply::ok("never").behaviour(Behaviour::Hang));
    let mut s = TcpStream::connect(mock.addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    s.write_all(get("/hang", "").as_bytes()).unwrap();
    let mut buf = [0u8; 64];
    let err = s.read(&mut buf).expect_err("no answer expected");
    assert!(matches!(
        err.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    ));
    assert!(mock.wait_for_requests(1, TIMEOUT));
    assert_eq!(mock.last().unwrap().path, "/hang");

    // Also an idle connection that never sends anything.
    let _idle = TcpStream::connect(mock.addr()).unwrap();
    assert!(wait_until(TIMEOUT, || mock.connections() == 2));

    let started = Instant::now();
    drop(mock);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "drop took {:?}",
        started.elapsed()
    );
    // The server closed the hanging connection.
    s.set_read_timeout(Some(TIMEOUT)).unwrap();
    assert!(matches!(s.read(&mut buf), Ok(0) | Err(_)));
}

#[test]
fn ipv6_mocks() {
    let ip = IpAddr::V6(Ipv6Addr::LOCALHOST);
    let mock = Mock::http_on(ip);
    assert_eq!(mock.url(), format!("http://[::1]:{}", mock.port()));
    let resp = parse_response(&plain_exchange(&mock, &get("/v6", "")));
    assert_eq!(resp.body, b"good");
    assert!(mock.last().unwrap().peer.is_ipv6());

    let ca = TestCa::new();
    let mock = Mock::https_on(&ca, ip);
    assert_eq!(mock.url(), format!("https://[::1]:{}", mock.port()));
    let (raw, err) = tls_exchange(&ca, &mock, "::1", &get("/v6", ""));
    assert!(!err);
    assert_eq!(parse_response(&raw).body, b"good");
}

#[test]
fn ca_pem_and_temp_dir_and_secret() {
    let ca = TestCa::new();
    let path;
    {
        let dir = TempDir::new("self/test");
        assert!(dir.path().is_dir());
        assert!(dir.path().starts_with(std::env::temp_dir()));
        path = dir.path().to_path_buf();

        let pem_path = ca.write_pem(dir.path());
        let pem = std::fs::read_to_string(&pem_path).unwrap();
        assert_eq!(pem, ca.cert_pem());
        assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));
        assert_ne!(
            ca.write_pem(dir.path()),
            TestCa::new().write_pem(dir.path())
        );

        let secret = write_secret(&dir, "token", "s3cr3t");
        assert_eq!(secret, dir.join("token"));
        assert_eq!(std::fs::read_to_string(&secret).unwrap(), "s3cr3t\n");
        let mode = std::fs::metadata(&secret).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert!(!path.exists(), "TempDir removed on drop");

    let a = TempDir::new("x");
    let b = TempDir::new("x");
    assert_ne!(a.path(), b.path());
}

#[test]
fn run_reports_codes_and_output() {
    let r = run(Command::new("/bin/sh").args(["-c", "echo out; echo err >&2; exit 3"]));
    assert_eq!(r.code, 3);
    assert_eq!(r.stdout, "out\n");
    assert_eq!(r.stderr, "err\n");

    let r = run(Command::new("/bin/sh").args(["-c", "kill -9 $$"]));
    assert_eq!(r.code, 128 + 9);

    let started = Instant::now();
    let res = std::panic::catch_unwind(|| {
        run_with_timeout(
            Command::new("/bin/sleep").arg("20"),
            Duration::from_millis(300),
        )
    });
    assert!(res.is_err(), "timeout must panic");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn client_config_is_shareable() {
    // The CA's client config can be reused across connections.
    let ca = TestCa::new();
    let config: Arc<rustls::ClientConfig> = ca.client_config();
    let mock = Mock::https(&ca);
    for i in 0..3 {
        let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
        let conn = rustls::ClientConnection::new(Arc::clone(&config), name).unwrap();
        let sock = TcpStream::connect(mock.addr()).unwrap();
        sock.set_read_timeout(Some(TIMEOUT)).unwrap();
        let mut s = rustls::StreamOwned::new(conn, sock);
        s.write_all(get(&format!("/n{i}"), "").as_bytes()).unwrap();
        let mut out = Vec::new();
        s.read_to_end(&mut out).unwrap();
        assert_eq!(parse_response(&out).body, b"good");
    }
    assert_eq!(mock.count(), 3);
}

/// The BIND harness serves its zone, applies an update signed with its key
/// (by BIND's own nsupdate), and refuses one signed with a wrong secret.
#[test]
fn named_serves_its_zone_and_takes_signed_updates() {
    use support::named::{Named, TsigKey, Zone};
    let key = TsigKey::new("selftest-key", "hmac-sha256");
    let zone = Zone::new("selftest.test", std::slice::from_ref(&key)).record("www IN A 192.0.2.10");
    let named = Named::start(&[zone]);
    assert_eq!(named.dig("www.selftest.test", "A"), ["192.0.2.10"]);
    let serial = named.serial("selftest.test");

    let nsupdate = |key: &TsigKey, address: &str| {
        let dir = TempDir::new("nsupdate");
        let key_file = dir.path().join("key.conf");
        std::fs::write(&key_file, key.bind_statement()).unwrap();
        let script = format!(
            "server 127.0.0.1 {}\nzone selftest.test\n\
             update delete host.selftest.test A\n\
             update add host.selftest.test 60 A {address}\nsend\n",
            named.port
        );
        let mut child = Command::new("nsupdate")
            .arg("-k")
            .arg(&key_file)
            .args(["-t", "5"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run nsupdate");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(script.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };

    let good = nsupdate(&key, "192.0.2.20");
    assert!(
        good.status.success(),
        "nsupdate failed: {}",
        String::from_utf8_lossy(&good.stderr)
    );
    assert_eq!(named.dig("host.selftest.test", "A"), ["192.0.2.20"]);
    assert!(named.serial("selftest.test") > serial);

    let bad = nsupdate(&key.wrong_secret(), "192.0.2.30");
    assert!(!bad.status.success(), "a wrong secret was accepted");
    assert_eq!(named.dig("host.selftest.test", "A"), ["192.0.2.20"]);
}
