//! The real PyPI `dyndns` 2.0.0 server (tests/peers.sh's venv under target/peers)
//! on a loopback port, in front of a BIND from `named.rs`; killed on drop.

use std::fs;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use super::named::{Named, TsigKey};
use super::TempDir;

const START_TIMEOUT: Duration = Duration::from_secs(30);

/// A running `dyndns -c CONFIG serve -p PORT` for one zone.
pub struct DyndnsServer {
    pub port: u16,
    child: Child,
    dir: TempDir,
}

impl DyndnsServer {
    /// Serves `zone` of `named`, signing with `key`; `secret` is the server's
    /// (at least 8 alphanumerics, as dyndns requires).
    pub fn start(named: &Named, key: &TsigKey, zone: &str, secret: &str) -> DyndnsServer {
        let bin = venv().join("bin/dyndns");
        let dir = TempDir::new("dyndns-server");
        let config = dir.join("dyndns.yml");
        fs::write(
            &config,
            format!(
                "secret: '{secret}'\nnameserver: 127.0.0.1\nport: {}\nzones:\n  - name: {zone}\n    tsig_key: {}\n",
                named.port, key.secret
            ),
        )
        .expect("write dyndns.yml");
        let port = free_port();
        let log = fs::File::create(dir.join("server.log")).expect("server log");
        let child = Command::new(&bin)
            .arg("-c")
            .arg(&config)
            .args(["serve", "-p", &port.to_string()])
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log handle"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", bin.display()));
        let server = DyndnsServer { port, child, dir };
        let deadline = Instant::now() + START_TIMEOUT;
        while !get(port, "/").is_some_and(|body| body.starts_with("dyndns v2.0.0")) {
            assert!(
                Instant::now() < deadline,
                "the dyndns server did not answer within {START_TIMEOUT:?}:\n{}",
                server.log()
            );
            thread::sleep(Duration::from_millis(100));
        }
        server
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
    }
}

impl Drop for DyndnsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The venv that tests/peers.sh keeps (installing it on first use).
fn venv() -> PathBuf {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers.sh");
    let out = Command::new("sh")
        .arg(script)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("sh {script}: {e}"));
    assert!(
        out.status.success(),
        "{script} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    PathBuf::from(text.lines().last().unwrap_or("").trim())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// A bare HTTP/1.0 GET on loopback; the body, or None if nothing answers yet.
fn get(port: u16, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut text = String::new();
    stream.take(64 * 1024).read_to_string(&mut text).ok()?;
    text.split_once("\r\n\r\n")
        .map(|(_, body)| body.to_string())
}
