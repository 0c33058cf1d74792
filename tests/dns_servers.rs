//! DNS UPDATE against servers that are not BIND, or not well behaved: a real
//! Knot DNS and PowerDNS on loopback (tests/support/dns_peers.rs), and a TCP
//! server trickling its reply.

mod support;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use support::dns_peers::{keymgr_key, Peer};
use support::named::TsigKey;
use support::*;

const ZONE: &str = "example.test";
const HOST: &str = "h.example.test";
/// A key name with capitals, as users type them.
const KEY_NAME: &str = "Dynup-Key.Example.Test";

/// dynup -p rfc2136 against `peer`, the key in `key_file`, under `wrapper`
/// (e.g. faketime) when given; the cache in the peer's directory.
fn update(peer: &Peer, key_file: &std::path::Path, wrapper: &[&str], args: &[&str]) -> Run {
    let dynup = env!("CARGO_BIN_EXE_dynup");
    let mut cmd = match wrapper.split_first() {
        Some((program, rest)) => {
            let mut cmd = std::process::Command::new(program);
            cmd.args(rest).arg(dynup);
            cmd
        }
        None => std::process::Command::new(dynup),
    };
    cmd.env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("DYNUP_CACHE_DIR", peer.dir().join("cache"))
        .env("HOME", peer.dir())
        .args([
            "-p",
            "rfc2136",
            "--timeout",
            "5",
            "--server",
            &peer.server(),
        ])
        .arg("--tsig-key-file")
        .arg(key_file)
        .args(args);
    run_clean(&mut cmd)
}

#[test]
fn knot_takes_a_keymgr_key_and_an_unsigned_notauth_is_an_unknown_zone() {
    let (key_text, key) = keymgr_key(KEY_NAME, "hmac-sha256");
    let knot = Peer::knot(ZONE, &key, &["h 300 IN A 192.0.2.1"]);
    let dir = TempDir::new("knot-key");
    let key_file = write_secret(&dir, "knot.key", &key_text);

    let run = update(&knot, &key_file, &[], &["--ipv4", "192.0.2.7", HOST]);
    assert_eq!(run.code, 0, "{run:?}\n{}", knot.log());
    assert_eq!(knot.dig(HOST, "A"), ["192.0.2.7"]);
    assert!(!run.stderr.contains(&key.secret) && !run.stdout.contains(&key.secret));

    // Knot's NOTAUTH for a zone it does not serve carries no TSIG record.
    let run = update(
        &knot,
        &key_file,
        &[],
        &["--ipv4", "192.0.2.7", "h.nowhere.test"],
    );
    assert_eq!(run.code, 11, "{run:?}\n{}", knot.log());
    assert!(
        run.one_error_line()
            .contains("not authoritative for zone nowhere.test (NOTAUTH, the reply is not signed)"),
        "{run:?}"
    );

    // keymgr also makes hmac-sha224 keys, which dynup cannot sign with: said by name.
    let (sha224, _) = keymgr_key("k2", "hmac-sha224");
    let key_file = write_secret(&dir, "sha224.key", &sha224);
    let run = update(&knot, &key_file, &[], &["--ipv4", "192.0.2.7", HOST]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.one_error_line()
            .contains("algorithm 'hmac-sha224' is not supported"),
        "{run:?}"
    );
}

#[test]
fn powerdns_takes_a_key_name_with_capitals() {
    let key = TsigKey::new(KEY_NAME, "hmac-sha256");
    let pdns = Peer::powerdns(ZONE, &key, &["h 300 IN A 192.0.2.1"]);
    let dir = TempDir::new("pdns-key");
    let key_file = write_secret(&dir, "pdns.key", &key.one_line());
    let run = update(&pdns, &key_file, &[], &["--ipv4", "192.0.2.7", HOST]);
    assert_eq!(run.code, 0, "{run:?}\n{}", pdns.log());
    assert_eq!(pdns.dig(HOST, "A"), ["192.0.2.7"]);
}

#[test]
fn powerdns_refusing_a_wrong_clock_unsigned_is_retried_later() {
    let key = TsigKey::new(KEY_NAME, "hmac-sha256");
    let pdns = Peer::powerdns(ZONE, &key, &["h 300 IN A 192.0.2.1"]);
    let dir = TempDir::new("pdns-clock");
    let key_file = write_secret(&dir, "pdns.key", &key.one_line());
    // A router before NTP: an hour off. PowerDNS answers REFUSED without TSIG.
    let run = update(
        &pdns,
        &key_file,
        &["faketime", "-f", "+1h"],
        &["--ipv4", "192.0.2.7", HOST],
    );
    assert_eq!(run.code, 16, "{run:?}\n{}", pdns.log());
    let line = run.one_error_line();
    assert!(
        line.contains("REFUSED") && line.contains("clock or the TSIG key may be wrong"),
        "{line}"
    );
    assert_eq!(pdns.dig(HOST, "A"), ["192.0.2.1"]);
    // Held as a retry (16), not until the configuration changes (10).
    let held = update(&pdns, &key_file, &[], &["--ipv4", "192.0.2.7", HOST]);
    assert_eq!(held.code, 16, "{held:?}");
    let state = std::fs::read_dir(pdns.dir().join("cache"))
        .expect("state dir")
        .filter_map(Result::ok)
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
        .collect::<String>();
    assert!(
        held.one_error_line().contains(" until ") && held.stderr.contains("(exit 16)"),
        "{held:?}"
    );
    assert!(state.lines().any(|l| l.starts_with("hold 16 ")), "{state}");
}

/// A TCP DNS server that reads one request, then sends a reply frame one byte
/// every 1.5 s: each byte arrives before a per-read timeout of 2 s runs out.
struct Trickling {
    port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Trickling {
    /// Bytes it sends at most (45 s of trickle), so a run without a deadline ends too.
    const MAX_BYTES: usize = 30;

    fn start() -> Trickling {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let port = listener.local_addr().expect("port").port();
        listener.set_nonblocking(true).expect("nonblocking");
        let stop = Arc::new(AtomicBool::new(false));
        let halt = Arc::clone(&stop);
        let thread = thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(90);
            while !halt.load(Ordering::Relaxed) && Instant::now() < deadline {
                let Ok((mut client, _)) = listener.accept() else {
                    thread::sleep(Duration::from_millis(20));
                    continue;
                };
                let _ = client.set_nonblocking(false);
                let _ = client.set_read_timeout(Some(Duration::from_secs(5)));
                let mut len = [0u8; 2];
                if client.read_exact(&mut len).is_err() {
                    continue;
                }
                let mut request = vec![0u8; usize::from(u16::from_be_bytes(len))];
                if client.read_exact(&mut request).is_err() {
                    continue;
                }
                // A frame announcing 200 bytes: the ID, then anything.
                let mut frame = vec![0, 200, request[0], request[1], 0x80];
                frame.resize(Trickling::MAX_BYTES, 0);
                for byte in frame {
                    if halt.load(Ordering::Relaxed) || client.write_all(&[byte]).is_err() {
                        break;
                    }
                    thread::sleep(Duration::from_millis(1500));
                }
            }
        });
        Trickling {
            port,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Trickling {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[test]
fn a_trickling_tcp_reply_ends_at_the_timeout_and_says_it() {
    let trickling = Trickling::start();
    let dir = TempDir::new("trickle");
    let key = TsigKey::new("k.example.test", "hmac-sha256");
    let mut cmd = dynup(&dir.join("cache"));
    cmd.env("DYNUP_TSIG_KEY", key.one_line())
        .args(["-p", "rfc2136", "--tcp", "--timeout", "2", "--server"])
        .arg(format!("127.0.0.1:{}", trickling.port))
        .args(["--ipv4", "192.0.2.7", HOST]);
    let started = Instant::now();
    let run = run_with_timeout(&mut cmd, Duration::from_secs(60));
    let took = started.elapsed();
    run.assert_clean();
    assert_eq!(run.code, 4, "{run:?}");
    assert!(
        run.one_error_line().contains("no answer within 2s"),
        "{run:?}"
    );
    // One deadline for the exchange: not one timeout per byte (45 s here).
    assert!(took < Duration::from_secs(10), "took {took:?}: {run:?}");
}
