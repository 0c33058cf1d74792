//! RFC 2136 DNS UPDATE with TSIG against a real BIND 9 on loopback: records
//! change as `dig` sees them, for hmac-sha256 and hmac-sha512, over UDP and TCP;
//! wrong secrets, unknown zones and silent servers end with their exit codes.

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
const HOST: &str = "h.example.test";

/// A named serving example.test (h holding two old A records and an AAAA) that
/// `key` may update, a cache directory and the key in a file.
struct Bind {
    named: Named,
    key: TsigKey,
    dir: TempDir,
}

impl Bind {
    fn start(algorithm: &str) -> Bind {
        let key = TsigKey::new("dynup-key.example.test", algorithm);
        let zone = Zone::new(ZONE, std::slice::from_ref(&key))
            .record("h 300 IN A 192.0.2.1")
            .record("h 300 IN A 192.0.2.2")
            .record("h 300 IN AAAA 2001:db8::1");
        Bind {
            named: Named::start(&[zone]),
            key,
            dir: TempDir::new("rfc2136"),
        }
    }

    fn server(&self) -> String {
        format!("127.0.0.1:{}", self.named.port)
    }

    /// The key in BIND's form (as tsig-keygen writes it), mode 0600.
    fn key_file(&self, key: &TsigKey) -> PathBuf {
        write_secret(&self.dir, "key.conf", &key.bind_statement())
    }

    /// dynup -p rfc2136 against this named with `key` (from a file), and `args`.
    fn run_with(&self, key: &TsigKey, args: &[&str]) -> Run {
        let key_file = self.key_file(key);
        let mut cmd = dynup(&self.dir.join("cache"));
        cmd.args([
            "-p",
            "rfc2136",
            "--server",
            &self.server(),
            "--timeout",
            "5",
        ])
        .arg("--tsig-key-file")
        .arg(&key_file)
        .args(args);
        let run = run_clean(&mut cmd);
        assert_no_secret(&run, key);
        run
    }

    fn run(&self, args: &[&str]) -> Run {
        self.run_with(&self.key, args)
    }

    /// How many updates named has applied to the zone, by its log.
    fn updates_applied(&self) -> usize {
        self.named
            .log()
            .matches(&format!("updating zone '{ZONE}/IN'"))
            .count()
    }
}

fn assert_no_secret(run: &Run, key: &TsigKey) {
    for text in [&run.stdout, &run.stderr] {
        assert!(
            !text.contains(&key.secret),
            "the TSIG secret leaked: {run:?}"
        );
    }
}

fn updates_a_and_aaaa(algorithm: &str) {
    let bind = Bind::start(algorithm);
    assert_eq!(bind.named.dig(HOST, "A"), ["192.0.2.1", "192.0.2.2"]);
    let serial = bind.named.serial(ZONE);

    let run = bind.run(&["--ipv4", "192.0.2.7", "--ipv6", "2001:db8::7", HOST]);
    assert_eq!(run.code, 0, "{run:?}\n{}", bind.named.log());
    assert_eq!(
        run.stdout,
        format!("{HOST}: updated A 192.0.2.7 AAAA 2001:db8::7\n")
    );
    assert_eq!(run.stderr, "");
    // The old RRsets are gone, not added to.
    assert_eq!(bind.named.dig(HOST, "A"), ["192.0.2.7"]);
    assert_eq!(bind.named.dig(HOST, "AAAA"), ["2001:db8::7"]);
    assert!(bind.named.serial(ZONE) > serial);
    let out = std::process::Command::new("dig")
        .args(["+noall", "+answer", "@127.0.0.1", "-p"])
        .arg(bind.named.port.to_string())
        .args([HOST, "A"])
        .output()
        .expect("dig");
    let answer = String::from_utf8_lossy(&out.stdout);
    assert!(
        answer.contains("\t60\tIN\tA\t192.0.2.7"),
        "default TTL 60: {answer}"
    );
}

#[test]
fn a_and_aaaa_are_replaced_with_hmac_sha256() {
    updates_a_and_aaaa("hmac-sha256");
}

#[test]
fn a_and_aaaa_are_replaced_with_hmac_sha512() {
    updates_a_and_aaaa("hmac-sha512");
}

#[test]
fn an_unchanged_address_is_not_sent_again_and_a_new_one_is() {
    let bind = Bind::start("hmac-sha256");
    let first = bind.run(&["--ipv4", "192.0.2.7", "--ttl", "120", HOST]);
    assert_eq!(first.code, 0, "{first:?}");
    let applied = bind.updates_applied();
    assert!(applied >= 1, "{}", bind.named.log());

    let second = bind.run(&["-v", "--ipv4", "192.0.2.7", "--ttl", "120", HOST]);
    assert_eq!(second.code, 0, "{second:?}");
    assert_eq!(second.stdout, "");
    assert!(second.stderr.contains("nothing sent"), "{second:?}");
    assert!(!second.stderr.contains("UPDATE"), "{second:?}");
    assert_eq!(bind.updates_applied(), applied);

    let third = bind.run(&["--ipv4", "192.0.2.8", "--ttl", "120", HOST]);
    assert_eq!(third.code, 0, "{third:?}");
    assert_eq!(third.stdout, format!("{HOST}: updated A 192.0.2.8\n"));
    assert_eq!(bind.named.dig(HOST, "A"), ["192.0.2.8"]);
}

#[test]
fn the_one_line_key_from_the_environment_works_over_tcp() {
    let bind = Bind::start("hmac-sha512");
    let mut cmd = dynup(&bind.dir.join("cache"));
    cmd.env("DYNUP_TSIG_KEY", bind.key.one_line()).args([
        "-v",
        "-p",
        "rfc2136",
        "--server",
        &bind.server(),
        "--tcp",
        "--zone",
        ZONE,
        "--ipv6",
        "2001:db8::9",
        "-6",
        HOST,
    ]);
    let run = run_clean(&mut cmd);
    assert_no_secret(&run, &bind.key);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("reply over TCP: NOERROR"), "{run:?}");
    assert_eq!(bind.named.dig(HOST, "AAAA"), ["2001:db8::9"]);
    // -6: the A records were left alone.
    assert_eq!(bind.named.dig(HOST, "A"), ["192.0.2.1", "192.0.2.2"]);
}

#[test]
fn a_wrong_secret_exits_10_leaves_the_zone_and_holds() {
    let bind = Bind::start("hmac-sha256");
    let wrong = bind.key.wrong_secret();
    let run = bind.run_with(&wrong, &["--ipv4", "192.0.2.7", HOST]);
    assert_eq!(run.code, 10, "{run:?}");
    let line = run.one_error_line();
    assert!(
        line.contains("BADSIG") && line.contains("[exit 10]"),
        "{line}"
    );
    assert_no_secret(&run, &bind.key);
    assert_eq!(bind.named.dig(HOST, "A"), ["192.0.2.1", "192.0.2.2"]);

    // Held: the next run does not ask again until the key changes.
    let held = bind.run_with(&wrong, &["--ipv4", "192.0.2.7", HOST]);
    assert_eq!(held.code, 10, "{held:?}");
    assert!(held.stderr.contains("held"), "{held:?}");
    let fixed = bind.run(&["--ipv4", "192.0.2.7", HOST]);
    assert_eq!(fixed.code, 0, "a new key releases the hold: {fixed:?}");
}

#[test]
fn an_unknown_key_name_exits_10() {
    let bind = Bind::start("hmac-sha256");
    let stranger = TsigKey::new("stranger.example.test", "hmac-sha256");
    let run = bind.run_with(&stranger, &["--ipv4", "192.0.2.7", HOST]);
    assert_eq!(run.code, 10, "{run:?}");
    assert!(run.one_error_line().contains("BADKEY"), "{run:?}");
}

#[test]
fn an_unknown_zone_exits_11() {
    let bind = Bind::start("hmac-sha256");
    let run = bind.run(&["--ipv4", "192.0.2.7", "h.nowhere.test"]);
    assert_eq!(run.code, 11, "{run:?}\n{}", bind.named.log());
    // BIND signs its NOTAUTH (the key is good, the zone is not served there).
    let line = run.one_error_line();
    assert!(
        line.contains("nowhere.test") && line.contains("NOTAUTH"),
        "{line}"
    );
}

#[test]
fn a_clock_an_hour_behind_gets_badtime_and_exits_17() {
    let bind = Bind::start("hmac-sha256");
    // The router without a real-time clock before NTP: dynup's clock is off, BIND's is not.
    let mut cmd = std::process::Command::new("faketime");
    cmd.env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("DYNUP_CACHE_DIR", bind.dir.join("cache"))
        .env("HOME", bind.dir.path())
        .env("DYNUP_TSIG_KEY", bind.key.one_line())
        .args(["-f", "-1h", env!("CARGO_BIN_EXE_dynup")])
        .args(["-p", "rfc2136", "--server", &bind.server()])
        .args(["--ipv4", "192.0.2.7", HOST]);
    let run = run_clean(&mut cmd);
    assert_no_secret(&run, &bind.key);
    assert_eq!(run.code, 17, "{run:?}\n{}", bind.named.log());
    let line = run.one_error_line();
    assert!(
        line.contains("BADTIME") && line.contains("clock is probably wrong"),
        "{line}"
    );
    assert_eq!(bind.named.dig(HOST, "A"), ["192.0.2.1", "192.0.2.2"]);
}

#[test]
fn the_dynv6_preset_updates_the_zone_apex() {
    // dynv6: every host is its own zone (seeds 000, 001).
    let key = TsigKey::new("tsig-123.dynv6.test", "hmac-sha256");
    let named = Named::start(&[Zone::new("myhost.dynv6.test", std::slice::from_ref(&key))]);
    let dir = TempDir::new("dynv6-rfc2136");
    // The key as dynv6 shows it for nsupdate: algorithm:name, a space, the secret.
    let key_file = write_secret(
        &dir,
        "key",
        &format!("{}:{} {}", key.algorithm, key.name, key.secret),
    );
    let mut cmd = dynup(&dir.join("cache"));
    cmd.args(["-p", "dynv6-rfc2136", "--server"])
        .arg(format!("127.0.0.1:{}", named.port))
        .arg("--tsig-key-file")
        .arg(&key_file)
        .args(["--ipv4", "192.0.2.42", "myhost.dynv6.test"]);
    let run = run_clean(&mut cmd);
    assert_eq!(run.code, 0, "{run:?}\n{}", named.log());
    assert_eq!(named.dig("myhost.dynv6.test", "A"), ["192.0.2.42"]);
}

/// A UDP socket on loopback that reads datagrams and never answers.
struct Silent {
    port: u16,
    received: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Silent {
    fn start() -> Silent {
        let socket = UdpSocket::bind("127.0.0.1:0").expect("bind loopback");
        socket
            .set_read_timeout(Some(Duration::from_millis(50)))
            .expect("timeout");
        let port = socket.local_addr().expect("port").port();
        let received = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (count, halt) = (Arc::clone(&received), Arc::clone(&stop));
        let thread = thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(120);
            let mut buf = [0u8; 4096];
            while !halt.load(Ordering::Relaxed) && Instant::now() < deadline {
                if socket.recv(&mut buf).is_ok() {
                    count.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
        Silent {
            port,
            received,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Silent {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[test]
fn a_server_that_does_not_answer_exits_4_after_bounded_tries() {
    let silent = Silent::start();
    let dir = TempDir::new("silent");
    let key = TsigKey::new("k.example.test", "hmac-sha256");
    let mut cmd = dynup(&dir.join("cache"));
    cmd.env("DYNUP_TSIG_KEY", key.one_line())
        .args(["-p", "rfc2136", "--timeout", "2", "--server"])
        .arg(format!("127.0.0.1:{}", silent.port))
        .args(["--ipv4", "192.0.2.7", HOST]);
    let run = run_with_timeout(&mut cmd, Duration::from_secs(20));
    run.assert_clean();
    assert_eq!(run.code, 4, "{run:?}");
    assert!(
        run.one_error_line().contains("no answer within 2s"),
        "{run:?}"
    );
    assert_eq!(silent.received.load(Ordering::Relaxed), 3, "three tries");
}

/// Answers every UDP query with its header and TC set, and passes TCP
/// connections through to `upstream`: a server whose UDP replies are truncated.
struct Truncating {
    port: u16,
    tcp_seen: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

impl Truncating {
    fn start(upstream: u16) -> Truncating {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let port = listener.local_addr().expect("port").port();
        let socket = UdpSocket::bind(("127.0.0.1", port)).expect("same port for UDP");
        socket
            .set_read_timeout(Some(Duration::from_millis(50)))
            .expect("timeout");
        listener.set_nonblocking(true).expect("nonblocking");
        let stop = Arc::new(AtomicBool::new(false));
        let tcp_seen = Arc::new(AtomicUsize::new(0));
        let deadline = Instant::now() + Duration::from_secs(120);

        let halt = Arc::clone(&stop);
        let udp = thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while !halt.load(Ordering::Relaxed) && Instant::now() < deadline {
                if let Ok((n, from)) = socket.recv_from(&mut buf) {
                    if n >= 12 {
                        let mut reply = buf[..12].to_vec();
                        reply[2] |= 0x82; // QR, TC
                        reply[4..12].fill(0);
                        let _ = socket.send_to(&reply, from);
                    }
                }
            }
        });
        let (halt, seen) = (Arc::clone(&stop), Arc::clone(&tcp_seen));
        let tcp = thread::spawn(move || {
            while !halt.load(Ordering::Relaxed) && Instant::now() < deadline {
                match listener.accept() {
                    Ok((client, _)) => {
                        seen.fetch_add(1, Ordering::Relaxed);
                        relay_one(client, upstream);
                    }
                    Err(_) => thread::sleep(Duration::from_millis(20)),
                }
            }
        });
        Truncating {
            port,
            tcp_seen,
            stop,
            threads: vec![udp, tcp],
        }
    }
}

/// Passes one length-framed message to upstream over TCP and its reply back.
fn relay_one(mut client: TcpStream, upstream: u16) {
    let timeout = Some(Duration::from_secs(5));
    let _ = client.set_nonblocking(false);
    let _ = client.set_read_timeout(timeout);
    let Ok(mut server) = TcpStream::connect(("127.0.0.1", upstream)) else {
        return;
    };
    let _ = server.set_read_timeout(timeout);
    let frame = |from: &mut TcpStream| -> Option<Vec<u8>> {
        let mut len = [0u8; 2];
        from.read_exact(&mut len).ok()?;
        let mut body = vec![0u8; usize::from(u16::from_be_bytes(len))];
        from.read_exact(&mut body).ok()?;
        Some([len.to_vec(), body].concat())
    };
    if let Some(request) = frame(&mut client) {
        if server.write_all(&request).is_ok() {
            if let Some(reply) = frame(&mut server) {
                let _ = client.write_all(&reply);
            }
        }
    }
}

impl Drop for Truncating {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

#[test]
fn a_truncated_udp_reply_is_fetched_again_over_tcp() {
    let bind = Bind::start("hmac-sha256");
    let truncating = Truncating::start(bind.named.port);
    let mut cmd = dynup(&bind.dir.join("cache"));
    cmd.env("DYNUP_TSIG_KEY", bind.key.one_line())
        .args(["-v", "-p", "rfc2136", "--server"])
        .arg(format!("127.0.0.1:{}", truncating.port))
        .args(["--ipv4", "192.0.2.77", HOST]);
    let run = run_clean(&mut cmd);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("reply over TCP"), "{run:?}");
    assert_eq!(truncating.tcp_seen.load(Ordering::Relaxed), 1);
    assert_eq!(bind.named.dig(HOST, "A"), ["192.0.2.77"]);
}

#[test]
fn auto_and_missing_keys_are_usage_errors() {
    let dir = TempDir::new("rfc2136-usage");
    let key = TsigKey::new("k.example.test", "hmac-sha256");
    let usage = |env_key: bool, args: &[&str]| {
        let mut cmd = dynup(&dir.join("cache"));
        if env_key {
            cmd.env("DYNUP_TSIG_KEY", key.one_line());
        }
        cmd.args(["-p", "rfc2136", "--server", "127.0.0.1:1"])
            .args(args);
        let run = run_clean(&mut cmd);
        assert_eq!(run.code, 2, "{run:?}");
        run.one_error_line().to_string()
    };
    assert!(usage(true, &[HOST]).contains("'auto' has no meaning"));
    assert!(usage(true, &["--ipv4", "auto", HOST]).contains("--ipv4 ADDRESS"));
    assert!(usage(false, &["--ipv4", "192.0.2.7", HOST]).contains("DYNUP_TSIG_KEY"));
    assert!(usage(true, &["--ipv4", "192.0.2.7", "--zone", "other.test", HOST]).contains("--zone"));
}

#[test]
fn dry_run_says_what_would_be_sent_without_the_secret() {
    let dir = TempDir::new("rfc2136-dry");
    let key = TsigKey::new("k.example.test", "hmac-sha512");
    let mut cmd = dynup(&dir.join("cache"));
    cmd.env("DYNUP_TSIG_KEY", key.one_line()).args([
        "-n",
        "-v",
        "-p",
        "rfc2136",
        "--server",
        "127.0.0.1:1",
        "--ipv4",
        "192.0.2.7",
        HOST,
    ]);
    let run = run_clean(&mut cmd);
    assert_no_secret(&run, &key);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout,
        format!(
            "would send to 127.0.0.1:1: UPDATE zone {ZONE}: {HOST} A 192.0.2.7 (TTL 60), \
             signed with TSIG key k.example.test (hmac-sha512)\n"
        )
    );
}
