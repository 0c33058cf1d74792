//! Knot DNS and PowerDNS, the DNS servers besides BIND that dynup's DNS UPDATE
//! meets in the field: one process per test on a loopback port, with its
//! configuration, zone and TSIG key in a temporary directory, killed when the
//! [`Peer`] is dropped. Both run as the test's user (root in CI). tests/deps.sh
//! installs knot, pdns-server, pdns-backend-sqlite3 (PowerDNS's bind backend
//! cannot apply updates: it answers NOTIMP) and sqlite3.

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use super::named::{free_port, TsigKey};
use super::TempDir;

/// How long a server may take to load its zone and say it is ready.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// Attempts at a free port (another process may take the one we saw free).
const START_ATTEMPTS: usize = 5;
/// The SQL schema of PowerDNS's sqlite3 backend, as Debian installs it.
const PDNS_SCHEMA: &str = "/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql";

/// A running Knot DNS or PowerDNS serving one zone that one key may update.
pub struct Peer {
    pub port: u16,
    child: Child,
    log: Arc<Mutex<String>>,
    dir: TempDir,
}

impl Peer {
    /// knotd serving `zone` (with the extra `records`, relative to the origin),
    /// updatable with `key`.
    pub fn knot(zone: &str, key: &TsigKey, records: &[&str]) -> Peer {
        Peer::start("knot", |dir, port| {
            write_zone(dir, zone, records);
            fs::create_dir_all(dir.join("db")).expect("mkdir knot db");
            let conf = format!(
                "server:\n    rundir: \"{d}\"\n    listen: 127.0.0.1@{port}\n\
                 log:\n  - target: stderr\n    any: info\n\
                 database:\n    storage: \"{d}/db\"\n\
                 key:\n  - id: {name}\n    algorithm: {alg}\n    secret: {secret}\n\
                 acl:\n  - id: update\n    key: {name}\n    action: update\n\
                 zone:\n  - domain: {zone}\n    storage: \"{d}\"\n    file: \"{zone}.zone\"\n\
                 \x20   acl: update\n",
                d = dir.display(),
                name = key.name,
                alg = key.algorithm,
                secret = key.secret,
            );
            write(&dir.join("knot.conf"), &conf);
            let mut cmd = Command::new("knotd");
            cmd.arg("-c").arg(dir.join("knot.conf"));
            (cmd, "server started")
        })
    }

    /// pdns_server with the sqlite3 backend serving `zone`, its TSIG-ALLOW-DNSUPDATE
    /// set to `key` (imported as named, whatever its case).
    pub fn powerdns(zone: &str, key: &TsigKey, records: &[&str]) -> Peer {
        Peer::start("pdns", |dir, port| {
            write_zone(dir, zone, records);
            let conf = format!(
                "launch=gsqlite3\ngsqlite3-database={d}/pdns.sqlite3\n\
                 local-address=127.0.0.1\nlocal-port={port}\nsocket-dir={d}\n\
                 guardian=no\ndaemon=no\ndisable-syslog=yes\nwrite-pid=no\n\
                 dnsupdate=yes\nallow-dnsupdate-from=127.0.0.0/8\nloglevel=6\n",
                d = dir.display()
            );
            write(&dir.join("pdns.conf"), &conf);
            let schema =
                fs::File::open(PDNS_SCHEMA).expect("the sqlite3 schema of pdns-backend-sqlite3");
            tool(
                Command::new("sqlite3")
                    .arg(dir.join("pdns.sqlite3"))
                    .stdin(schema),
            );
            let pdnsutil = |args: &[&str]| {
                tool(
                    Command::new("pdnsutil")
                        .arg(format!("--config-dir={}", dir.display()))
                        .args(args)
                        .stdin(Stdio::null()),
                )
            };
            let file = dir.join(format!("{zone}.zone"));
            pdnsutil(&["load-zone", zone, file.to_str().expect("utf-8 path")]);
            pdnsutil(&["import-tsig-key", &key.name, &key.algorithm, &key.secret]);
            pdnsutil(&["set-meta", zone, "TSIG-ALLOW-DNSUPDATE", &key.name]);
            let mut cmd = Command::new("pdns_server");
            cmd.arg(format!("--config-dir={}", dir.display()));
            (cmd, "ready to distribute questions")
        })
    }

    /// Writes the files of a server in a fresh directory for a port, then starts
    /// the command `setup` returns and waits for the log line it names.
    fn start(tag: &str, setup: impl Fn(&Path, u16) -> (Command, &'static str)) -> Peer {
        let mut last_log = String::new();
        for _ in 0..START_ATTEMPTS {
            let dir = TempDir::new(tag);
            let port = free_port();
            let (mut cmd, ready) = setup(dir.path(), port);
            match Peer::spawn(&mut cmd, ready, port, dir) {
                Ok(peer) => return peer,
                Err(log) => last_log = log,
            }
        }
        panic!("{tag} did not start after {START_ATTEMPTS} attempts; its last log:\n{last_log}");
    }

    fn spawn(
        cmd: &mut Command,
        ready: &'static str,
        port: u16,
        dir: TempDir,
    ) -> Result<Peer, String> {
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {cmd:?} (sh tests/deps.sh): {e}"));
        let log = Arc::new(Mutex::new(String::new()));
        let (ready_tx, ready_rx) = mpsc::channel();
        // knotd logs to stderr, pdns_server to stdout: read both.
        for pipe in [
            child
                .stdout
                .take()
                .map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
            child
                .stderr
                .take()
                .map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
        ]
        .into_iter()
        .flatten()
        {
            let (log, ready_tx) = (Arc::clone(&log), ready_tx.clone());
            thread::spawn(move || {
                for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                    if let Ok(mut log) = log.lock() {
                        log.push_str(&line);
                        log.push('\n');
                    }
                    if line.contains(ready) {
                        let _ = ready_tx.send(());
                    }
                }
            });
        }
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if ready_rx.recv_timeout(Duration::from_millis(100)).is_ok() {
                return Ok(Peer {
                    port,
                    child,
                    log,
                    dir,
                });
            }
            let exited = matches!(child.try_wait(), Ok(Some(_)));
            if exited || Instant::now() >= deadline {
                let _ = child.kill();
                let _ = child.wait();
                return Err(log.lock().map(|l| l.clone()).unwrap_or_default());
            }
        }
    }

    pub fn server(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// What `dig +short NAME TYPE` answers, sorted.
    pub fn dig(&self, name: &str, rtype: &str) -> Vec<String> {
        let out = Command::new("dig")
            .args(["+short", "+norecurse", "+time=2", "+tries=2", "@127.0.0.1"])
            .args(["-p", &self.port.to_string(), name, rtype])
            .stdin(Stdio::null())
            .output()
            .expect("run dig (apt-get install bind9-dnsutils)");
        let mut lines: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect();
        lines.sort();
        lines
    }

    pub fn log(&self) -> String {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn write(path: &Path, text: &str) {
    fs::write(path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

fn write_zone(dir: &Path, zone: &str, records: &[&str]) {
    let mut text = format!(
        "$ORIGIN {zone}.\n$TTL 300\n\
         @ IN SOA ns.{zone}. hostmaster.{zone}. 1 3600 600 86400 300\n\
         @ IN NS ns.{zone}.\nns IN A 127.0.0.1\n"
    );
    for record in records {
        text.push_str(record);
        text.push('\n');
    }
    write(&dir.join(format!("{zone}.zone")), &text);
}

/// Runs a set-up tool, panicking with its output when it fails.
fn tool(cmd: &mut Command) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?} (sh tests/deps.sh): {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `keymgr -t NAME ALGORITHM`: a new key in Knot's YAML form, as a user has it.
pub fn keymgr_key(name: &str, algorithm: &str) -> (String, TsigKey) {
    let out = Command::new("keymgr")
        .args(["-t", name, algorithm])
        .stdin(Stdio::null())
        .output()
        .expect("run keymgr (apt-get install knot)");
    assert!(out.status.success(), "keymgr -t: {out:?}");
    let text = String::from_utf8(out.stdout).expect("keymgr writes UTF-8");
    let secret = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("secret: "))
        .unwrap_or_else(|| panic!("no secret in keymgr's output:\n{text}"))
        .to_string();
    let key = TsigKey {
        name: name.to_string(),
        algorithm: algorithm.to_string(),
        secret,
    };
    (text, key)
}
