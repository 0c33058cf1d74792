//! The registered-address check against a real BIND 9 on loopback: `dynup
//! registered-ip` prints what the DNS holds (found, NXDOMAIN, NODATA, over TCP,
//! a silent server), and `--lookup-host` in a run (rfc2136 to the same named)
//! records an address the DNS already holds without sending, and sends otherwise.

mod support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use support::named::{Named, TsigKey, Zone};
use support::*;

const ZONE: &str = "example.test";
/// Holds A 192.0.2.1 and AAAA 2001:db8::1.
const BOTH: &str = "both.example.test";
/// Holds only an AAAA record.
const V6_ONLY: &str = "v6only.example.test";
/// Holds two A records, 192.0.2.1 and 192.0.2.2.
const TWO: &str = "two.example.test";
/// Not in the zone.
const ABSENT: &str = "new.example.test";

struct Bind {
    named: Named,
    key: TsigKey,
    dir: TempDir,
}

impl Bind {
    fn start() -> Bind {
        let key = TsigKey::new("dynup-key.example.test", "hmac-sha256");
        let zone = Zone::new(ZONE, std::slice::from_ref(&key))
            .record("both 300 IN A 192.0.2.1")
            .record("both 300 IN AAAA 2001:db8::1")
            .record("v6only 300 IN AAAA 2001:db8::6")
            .record("two 300 IN A 192.0.2.1")
            .record("two 300 IN A 192.0.2.2");
        Bind {
            named: Named::start(&[zone]),
            key,
            dir: TempDir::new("registered"),
        }
    }

    fn server(&self) -> String {
        format!("127.0.0.1:{}", self.named.port)
    }

    /// `dynup registered-ip --dns-server NAMED args`.
    fn registered_ip(&self, args: &[&str]) -> Run {
        let mut cmd = dynup(&self.dir.join("cache"));
        cmd.args(["registered-ip", "--dns-server", &self.server()])
            .args(args);
        run_clean(&mut cmd)
    }

    fn key_file(&self) -> PathBuf {
        write_secret(&self.dir, "key.conf", &self.key.bind_statement())
    }

    /// A run updating `host` by rfc2136 at this named, `args` added.
    fn update(&self, args: &[&str]) -> Run {
        let mut cmd = dynup(&self.dir.join("cache"));
        cmd.args(["-v", "-p", "rfc2136", "--timeout", "5", "--server"])
            .arg(self.server())
            .arg("--tsig-key-file")
            .arg(self.key_file())
            .args(args);
        let run = run_clean(&mut cmd);
        assert!(!run.stderr.contains(&self.key.secret), "{run:?}");
        run
    }

    /// UPDATE messages named applied: each raises the SOA serial by one from
    /// the zone file's 1 (serial-update-method increment, BIND's default).
    fn updates_applied(&self) -> u64 {
        self.named.serial(ZONE) - 1
    }
}

#[test]
fn registered_ip_prints_the_address_or_says_why_not() {
    let bind = Bind::start();
    let found = bind.registered_ip(&[BOTH]);
    assert_eq!(
        (found.code, found.stdout.as_str()),
        (0, "192.0.2.1\n"),
        "{found:?}"
    );
    assert_eq!(found.stderr, "");
    let found = bind.registered_ip(&["-6", BOTH]);
    assert_eq!(
        (found.code, found.stdout.as_str()),
        (0, "2001:db8::1\n"),
        "{found:?}"
    );

    let nxdomain = bind.registered_ip(&[ABSENT]);
    assert_eq!(
        (nxdomain.code, nxdomain.stdout.as_str()),
        (3, ""),
        "{nxdomain:?}"
    );
    assert_eq!(
        nxdomain.one_error_line(),
        format!("dynup: {ABSENT}: no such name (NXDOMAIN)")
    );
    let nodata = bind.registered_ip(&["-4", V6_ONLY]);
    assert_eq!((nodata.code, nodata.stdout.as_str()), (3, ""), "{nodata:?}");
    assert_eq!(
        nodata.one_error_line(),
        format!("dynup: {V6_ONLY}: no A record (NODATA)")
    );
    // Outside every zone of an authoritative server without recursion.
    let refused = bind.registered_ip(&["h.elsewhere.example"]);
    assert_eq!(refused.code, 1, "{refused:?}");
    assert!(
        refused.one_error_line().contains("answered REFUSED"),
        "{refused:?}"
    );
}

#[test]
fn registered_ip_usage_errors_exit_2_with_one_line() {
    let dir = TempDir::new("registered-usage");
    for (args, says) in [
        (&["registered-ip"][..], "no HOST given"),
        (&["registered-ip", "a.example", "b.example"], "b.example"),
        (
            &["registered-ip", "bad_name!"],
            "registered-ip HOST 'bad_name!'",
        ),
        (
            &["registered-ip", "--dns-server", "http://x", "h.example"],
            "--dns-server",
        ),
        (
            &["registered-ip", "--timeout", "x", "h.example"],
            "--timeout",
        ),
        (
            &["--dns-tcp", "h.dynv6.net"],
            "--dns-tcp says how to look the host up",
        ),
    ] {
        // A token, so that a normal run gets as far as the lookup flags.
        let run = run_clean(
            dynup(&dir.join("cache"))
                .env("DYNUP_TOKEN", "t0")
                .args(args),
        );
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert!(run.one_error_line().contains(says), "{args:?}: {run:?}");
    }
    let help = run_clean(dynup(&dir.join("cache")).args(["registered-ip", "--help"]));
    assert_eq!(help.code, 0);
    assert!(help.stdout.contains("--dns-tcp"), "{help:?}");
}

/// A loopback TCP port (and no UDP one) passing each framed query to named's
/// TCP port and its reply back: only a client that asks over TCP gets answers.
struct TcpOnly {
    port: u16,
    connections: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl TcpOnly {
    fn start(upstream: u16) -> TcpOnly {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        listener.set_nonblocking(true).expect("nonblocking");
        let port = listener.local_addr().expect("port").port();
        let (connections, stop) = (
            Arc::new(AtomicUsize::new(0)),
            Arc::new(AtomicBool::new(false)),
        );
        let (seen, halt) = (Arc::clone(&connections), Arc::clone(&stop));
        let thread = thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(60);
            while !halt.load(Ordering::Relaxed) && Instant::now() < deadline {
                match listener.accept() {
                    Ok((client, _)) => {
                        seen.fetch_add(1, Ordering::Relaxed);
                        pass_one(client, upstream);
                    }
                    Err(_) => thread::sleep(Duration::from_millis(20)),
                }
            }
        });
        TcpOnly {
            port,
            connections,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for TcpOnly {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// One length-prefixed message from `client` to upstream, one back.
fn pass_one(mut client: TcpStream, upstream: u16) {
    let limit = Some(Duration::from_secs(5));
    let _ = client.set_nonblocking(false);
    let _ = client.set_read_timeout(limit);
    let Ok(mut server) = TcpStream::connect(("127.0.0.1", upstream)) else {
        return;
    };
    let _ = server.set_read_timeout(limit);
    let read_framed = |from: &mut TcpStream| -> Option<Vec<u8>> {
        let mut len = [0u8; 2];
        from.read_exact(&mut len).ok()?;
        let mut body = vec![0u8; usize::from(u16::from_be_bytes(len))];
        from.read_exact(&mut body).ok()?;
        Some([&len[..], &body].concat())
    };
    if let Some(query) = read_framed(&mut client) {
        if server.write_all(&query).is_ok() {
            if let Some(answer) = read_framed(&mut server) {
                let _ = client.write_all(&answer);
            }
        }
    }
}

#[test]
fn dns_tcp_asks_over_tcp_only() {
    let bind = Bind::start();
    let relay = TcpOnly::start(bind.named.port);
    let server = format!("127.0.0.1:{}", relay.port);
    let ask = |tcp: bool| {
        let mut cmd = dynup(&bind.dir.join("cache"));
        cmd.args(["registered-ip", "--timeout", "3", "--dns-server", &server]);
        if tcp {
            cmd.arg("--dns-tcp");
        }
        run_clean(cmd.arg(BOTH))
    };
    let over_tcp = ask(true);
    assert_eq!(
        (over_tcp.code, over_tcp.stdout.as_str()),
        (0, "192.0.2.1\n"),
        "{over_tcp:?}"
    );
    assert_eq!(relay.connections.load(Ordering::Relaxed), 1);
    // Over UDP the same port has nobody: the check can fail, and says so.
    let over_udp = ask(false);
    assert_eq!(over_udp.code, 4, "{over_udp:?}");
    assert!(over_udp.one_error_line().contains(&server), "{over_udp:?}");
    assert_eq!(relay.connections.load(Ordering::Relaxed), 1);
}

#[test]
fn a_silent_server_is_given_up_on_in_bounded_time() {
    // Bound and never read: datagrams queue, nothing answers.
    let silent = UdpSocket::bind("127.0.0.1:0").expect("bind loopback");
    let server = format!("127.0.0.1:{}", silent.local_addr().expect("port").port());
    let dir = TempDir::new("registered-silent");
    let started = Instant::now();
    let mut cmd = dynup(&dir.join("cache"));
    cmd.args([
        "registered-ip",
        "--timeout",
        "2",
        "--dns-server",
        &server,
        BOTH,
    ]);
    let run = run_with_timeout(&mut cmd, Duration::from_secs(20));
    run.assert_clean();
    assert_eq!((run.code, run.stdout.as_str()), (4, ""), "{run:?}");
    assert!(
        run.one_error_line().contains("no answer within 2s"),
        "{run:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_registered_address_is_recorded_without_sending() {
    let bind = Bind::start();
    let server = bind.server();
    let check = ["--lookup-host", BOTH, "--dns-server", &server];
    // A dry run says so, sends nothing and records nothing.
    let dry = bind.update(&[&check[..], &["-n", "--ipv4", "192.0.2.1", BOTH]].concat());
    assert_eq!(dry.code, 0, "{dry:?}");
    assert_eq!(
        dry.stdout,
        format!("{BOTH}: A 192.0.2.1 already registered at {BOTH}: would record it as confirmed\n")
    );
    assert!(!bind.dir.join("cache").exists(), "{dry:?}");

    let run = bind.update(
        &[
            &check[..],
            &["--ipv4", "192.0.2.1", "--ipv6", "2001:db8::1", BOTH],
        ]
        .concat(),
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout,
        format!("{BOTH}: already current A 192.0.2.1 AAAA 2001:db8::1\n")
    );
    assert!(
        run.stderr.contains("recorded as confirmed, nothing sent"),
        "{run:?}"
    );
    assert_eq!(bind.updates_applied(), 0, "{}", bind.named.log());

    // The state now knows it: the next run sends nothing and asks nobody.
    let again = bind.update(&["--ipv4", "192.0.2.1", "--ipv6", "2001:db8::1", BOTH]);
    assert_eq!((again.code, again.stdout.as_str()), (0, ""), "{again:?}");
    assert!(again.stderr.contains("nothing sent"), "{again:?}");
    assert_eq!(bind.updates_applied(), 0);

    // --force sends whatever the DNS holds.
    let forced = bind.update(&[&check[..], &["-f", "--ipv4", "192.0.2.1", BOTH]].concat());
    assert_eq!(forced.code, 0, "{forced:?}");
    assert_eq!(forced.stdout, format!("{BOTH}: updated A 192.0.2.1\n"));
    assert_eq!(bind.updates_applied(), 1);
}

#[test]
fn a_resend_after_max_age_is_not_skipped_by_the_check() {
    let bind = Bind::start();
    let server = bind.server();
    let args = [
        "--lookup-host",
        BOTH,
        "--dns-server",
        &server,
        "--max-age",
        "1s",
        "--ipv4",
        "192.0.2.1",
        BOTH,
    ];
    let first = bind.update(&args);
    assert_eq!(
        first.stdout,
        format!("{BOTH}: already current A 192.0.2.1\n"),
        "{first:?}"
    );
    assert_eq!(bind.updates_applied(), 0);
    thread::sleep(Duration::from_millis(2100));
    // Providers expire hosts they do not hear from: the DNS holding the
    // address says nothing about the provider's clock.
    let refresh = bind.update(&args);
    assert_eq!(
        refresh.stdout,
        format!("{BOTH}: updated A 192.0.2.1\n"),
        "{refresh:?}"
    );
    assert_eq!(bind.updates_applied(), 1);
}

#[test]
fn another_address_or_no_record_is_sent() {
    let bind = Bind::start();
    let server = bind.server();
    // Different: A 192.0.2.1 registered, 192.0.2.9 to publish.
    let run = bind.update(&[
        "--lookup-host",
        BOTH,
        "--dns-server",
        &server,
        "--ipv4",
        "192.0.2.9",
        BOTH,
    ]);
    assert_eq!(
        run.stdout,
        format!("{BOTH}: updated A 192.0.2.9\n"),
        "{run:?}"
    );
    assert!(
        run.stderr.contains(&format!(
            "{BOTH} A is registered as 192.0.2.1, not 192.0.2.9"
        )),
        "{run:?}"
    );
    assert_eq!(bind.named.dig(BOTH, "A"), ["192.0.2.9"]);

    // NXDOMAIN: a new record is an update, not an error.
    let run = bind.update(&[
        "--lookup-host",
        ABSENT,
        "--dns-server",
        &server,
        "--ipv4",
        "192.0.2.5",
        ABSENT,
    ]);
    assert_eq!(
        (run.code, run.stdout.clone()),
        (0, format!("{ABSENT}: updated A 192.0.2.5\n")),
        "{run:?}"
    );
    assert!(
        run.stderr
            .contains("not registered: no such name (NXDOMAIN)"),
        "{run:?}"
    );
    assert!(!run.stderr.contains("warning"), "{run:?}");
    assert_eq!(bind.named.dig(ABSENT, "A"), ["192.0.2.5"]);

    // NODATA: the name exists, the A record does not.
    let run = bind.update(&[
        "--lookup-host",
        V6_ONLY,
        "--dns-server",
        &server,
        "--ipv4",
        "192.0.2.6",
        V6_ONLY,
    ]);
    assert_eq!(
        (run.code, run.stdout.clone()),
        (0, format!("{V6_ONLY}: updated A 192.0.2.6\n")),
        "{run:?}"
    );
    assert!(run.stderr.contains("no A record (NODATA)"), "{run:?}");

    // One of two: an update leaves one record, so the DNS does not hold it yet.
    let run = bind.update(&[
        "--lookup-host",
        TWO,
        "--dns-server",
        &server,
        "--ipv4",
        "192.0.2.1",
        TWO,
    ]);
    assert_eq!(
        run.stdout,
        format!("{TWO}: updated A 192.0.2.1\n"),
        "{run:?}"
    );
    assert_eq!(bind.named.dig(TWO, "A"), ["192.0.2.1"]);
    assert_eq!(bind.updates_applied(), 4);
}

#[test]
fn a_failed_check_warns_and_the_run_goes_on() {
    let bind = Bind::start();
    let silent = UdpSocket::bind("127.0.0.1:0").expect("bind loopback");
    let dead = format!("127.0.0.1:{}", silent.local_addr().expect("port").port());
    let started = Instant::now();
    // --timeout 2 bounds the lookup too.
    let mut cmd = dynup(&bind.dir.join("cache"));
    cmd.args(["-p", "rfc2136", "--timeout", "2", "--server"])
        .arg(bind.server())
        .arg("--tsig-key-file")
        .arg(bind.key_file())
        .args([
            "--lookup-host",
            BOTH,
            "--dns-server",
            &dead,
            "--ipv4",
            "192.0.2.1",
            BOTH,
        ]);
    let run = run_with_timeout(&mut cmd, Duration::from_secs(20));
    run.assert_clean();
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, format!("{BOTH}: updated A 192.0.2.1\n"));
    let warning = run.one_error_line();
    assert!(
        warning.starts_with("dynup: warning: registered-address check failed:")
            && warning.contains(&dead)
            && warning.ends_with("going on without it"),
        "{run:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(bind.updates_applied(), 1);
}
