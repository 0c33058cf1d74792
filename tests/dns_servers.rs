//! DNS UPDATE against servers that are not BIND, or not well behaved: a TCP
//! server trickling its reply, and replies as Knot DNS and PowerDNS send them.

mod support;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use support::named::TsigKey;
use support::*;

const HOST: &str = "h.example.test";

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
