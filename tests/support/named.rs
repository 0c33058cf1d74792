//! A real BIND 9 `named` for end-to-end tests: one unprivileged process per test,
//! on a loopback port, with its config, zones and TSIG keys in a temporary
//! directory, killed when the [`Named`] is dropped.
//!
//! named drops to the `bind` user even when started as root, so its directory is
//! owned by `bind` and every parent must be traversable (the temp dir is under
//! /tmp). It needs root to start; `make test` runs as root in CI.

use std::fs;
use std::io::{BufRead, BufReader};
use std::net::{TcpListener, UdpSocket};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use base64::Engine as _;

use super::TempDir;

/// How long named may take to load its zones and say "running".
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// Attempts at finding a free port (another process may take the one we saw free).
const START_ATTEMPTS: usize = 5;

/// A TSIG key as BIND and dynup know it.
#[derive(Clone, Debug)]
pub struct TsigKey {
    pub name: String,
    /// BIND's spelling: hmac-sha256, hmac-sha512, ...
    pub algorithm: String,
    /// The secret, base64.
    pub secret: String,
}

impl TsigKey {
    /// A key with a fresh random secret of the algorithm's output size.
    pub fn new(name: &str, algorithm: &str) -> TsigKey {
        let len = match algorithm {
            "hmac-sha1" => 20,
            "hmac-sha224" => 28,
            "hmac-sha384" => 48,
            "hmac-sha512" => 64,
            _ => 32,
        };
        TsigKey::with_secret(name, algorithm, &random_bytes(len))
    }

    pub fn with_secret(name: &str, algorithm: &str, secret: &[u8]) -> TsigKey {
        TsigKey {
            name: name.to_string(),
            algorithm: algorithm.to_string(),
            secret: base64::engine::general_purpose::STANDARD.encode(secret),
        }
    }

    /// The same name and algorithm with another secret: what a user with a wrong
    /// secret has.
    pub fn wrong_secret(&self) -> TsigKey {
        let len = base64::engine::general_purpose::STANDARD
            .decode(&self.secret)
            .map(|s| s.len())
            .unwrap_or(32);
        TsigKey::with_secret(&self.name, &self.algorithm, &random_bytes(len))
    }

    /// `algorithm:name:secret`, the form of `nsupdate -y` and dynv6.
    pub fn one_line(&self) -> String {
        format!("{}:{}:{}", self.algorithm, self.name, self.secret)
    }

    /// The `key` statement as `tsig-keygen` writes it.
    pub fn bind_statement(&self) -> String {
        format!(
            "key \"{}\" {{\n\talgorithm {};\n\tsecret \"{}\";\n}};\n",
            self.name, self.algorithm, self.secret
        )
    }
}

/// A primary zone that the given keys may update.
#[derive(Clone, Debug)]
pub struct Zone {
    /// Without the trailing dot, e.g. `example.test`.
    pub name: String,
    pub update_keys: Vec<TsigKey>,
    /// Extra zone-file lines, relative to the origin, e.g. `www 300 IN A 192.0.2.1`.
    pub records: Vec<String>,
}

impl Zone {
    pub fn new(name: &str, update_keys: &[TsigKey]) -> Zone {
        Zone {
            name: name.to_string(),
            update_keys: update_keys.to_vec(),
            records: Vec::new(),
        }
    }

    pub fn record(mut self, line: &str) -> Zone {
        self.records.push(line.to_string());
        self
    }

    fn file_text(&self) -> String {
        let mut text = format!(
            "$ORIGIN {name}.\n$TTL 300\n\
             @ IN SOA ns.{name}. hostmaster.{name}. 1 3600 600 86400 300\n\
             @ IN NS ns.{name}.\n\
             ns IN A 127.0.0.1\n",
            name = self.name
        );
        for line in &self.records {
            text.push_str(line);
            text.push('\n');
        }
        text
    }
}

/// A running named. Dropping it kills the process.
pub struct Named {
    pub port: u16,
    child: Child,
    log: Arc<Mutex<String>>,
    dir: TempDir,
}

impl Named {
    /// Starts named with these zones; panics with named's own log if it cannot.
    pub fn start(zones: &[Zone]) -> Named {
        assert!(
            is_root(),
            "the BIND harness starts named, which needs root (make test runs as root in CI)"
        );
        let mut last_log = String::new();
        for _ in 0..START_ATTEMPTS {
            let port = free_port();
            match Named::try_start(zones, port) {
                Ok(named) => return named,
                Err(log) => last_log = log,
            }
        }
        panic!("named did not start after {START_ATTEMPTS} attempts; its last log:\n{last_log}");
    }

    fn try_start(zones: &[Zone], port: u16) -> Result<Named, String> {
        let dir = TempDir::new("named");
        let path = dir.path().to_path_buf();
        let mut conf = format!(
            "options {{\n\
             \tdirectory \"{dir}\";\n\
             \tpid-file none;\n\
             \tsession-keyfile \"{dir}/session.key\";\n\
             \tmanaged-keys-directory \"{dir}\";\n\
             \tlisten-on port {port} {{ 127.0.0.1; }};\n\
             \tlisten-on-v6 port {port} {{ ::1; }};\n\
             \trecursion no;\n\
             \tdnssec-validation no;\n\
             \tnotify no;\n\
             \tallow-query {{ any; }};\n\
             }};\n\
             controls {{ }};\n",
            dir = path.display()
        );
        let mut keys_written: Vec<String> = Vec::new();
        for zone in zones {
            for key in &zone.update_keys {
                if !keys_written.contains(&key.name) {
                    conf.push_str(&key.bind_statement());
                    keys_written.push(key.name.clone());
                }
            }
            let file = format!("{}.zone", zone.name);
            write_file(&path.join(&file), &zone.file_text());
            let allow: String = zone
                .update_keys
                .iter()
                .map(|k| format!("key \"{}\"; ", k.name))
                .collect();
            let allow = if allow.is_empty() {
                "none; ".to_string()
            } else {
                allow
            };
            conf.push_str(&format!(
                "zone \"{name}\" {{\n\ttype primary;\n\tfile \"{dir}/{file}\";\n\
                 \tallow-update {{ {allow}}};\n}};\n",
                name = zone.name,
                dir = path.display()
            ));
        }
        let conf_path = path.join("named.conf");
        write_file(&conf_path, &conf);
        give_to_bind(&path);

        let mut child = Command::new("named")
            .arg("-g") // foreground, log to stderr
            .args(["-n", "1"]) // one worker: tests are small, CI has two cores
            .args(["-u", "bind"])
            .arg("-c")
            .arg(&conf_path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run named (apt-get install bind9): {e}"));

        let log = Arc::new(Mutex::new(String::new()));
        let (ready_tx, ready_rx) = mpsc::channel();
        if let Some(stderr) = child.stderr.take() {
            let log = Arc::clone(&log);
            thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    // The last start-up line is "... running"; earlier ones
                    // ("running on Linux", "running as: named") come before
                    // named listens.
                    let running = line.trim_end().ends_with(" running");
                    if let Ok(mut log) = log.lock() {
                        log.push_str(&line);
                        log.push('\n');
                    }
                    if running {
                        let _ = ready_tx.send(());
                    }
                }
            });
        }

        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if ready_rx.recv_timeout(Duration::from_millis(100)).is_ok() {
                break;
            }
            let exited = matches!(child.try_wait(), Ok(Some(_)));
            if exited || Instant::now() >= deadline {
                let _ = child.kill();
                let _ = child.wait();
                let text = log.lock().map(|l| l.clone()).unwrap_or_default();
                return Err(text);
            }
        }
        Ok(Named {
            port,
            child,
            log,
            dir,
        })
    }

    /// What `dig +short NAME TYPE` answers, sorted.
    pub fn dig(&self, name: &str, rtype: &str) -> Vec<String> {
        let out = Command::new("dig")
            .args(["+short", "+norecurse", "+time=2", "+tries=2", "@127.0.0.1"])
            .args(["-p", &self.port.to_string(), name, rtype])
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run dig (apt-get install bind9-dnsutils): {e}"));
        assert!(
            out.status.success(),
            "dig {name} {rtype} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut lines: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect();
        lines.sort();
        lines
    }

    /// The zone's SOA serial: it grows with every update BIND applies.
    pub fn serial(&self, zone: &str) -> u64 {
        let soa = self.dig(zone, "SOA");
        soa.first()
            .and_then(|line| line.split_whitespace().nth(2))
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no SOA serial for {zone}: {soa:?}"))
    }

    /// Everything named has logged so far.
    pub fn log(&self) -> String {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Named {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port free on 127.0.0.1 for both UDP and TCP at the time of asking.
pub fn free_port() -> u16 {
    for _ in 0..100 {
        let udp = UdpSocket::bind("127.0.0.1:0").expect("bind a UDP socket on loopback");
        let port = udp.local_addr().expect("UDP socket address").port();
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no port free for both UDP and TCP on 127.0.0.1 after 100 tries");
}

fn write_file(path: &Path, text: &str) {
    fs::write(path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    let _ = fs::set_permissions(path, fs::Permissions::from_mode(0o644));
}

/// named runs as `bind`: it must own its directory (journals are written there).
fn give_to_bind(dir: &Path) {
    let (uid, gid) = bind_user();
    let mut paths = vec![dir.to_path_buf()];
    if let Ok(entries) = fs::read_dir(dir) {
        paths.extend(entries.filter_map(Result::ok).map(|e| e.path()));
    }
    for path in paths {
        std::os::unix::fs::chown(&path, Some(uid), Some(gid))
            .unwrap_or_else(|e| panic!("chown {} to bind: {e}", path.display()));
    }
}

fn bind_user() -> (u32, u32) {
    let passwd = fs::read_to_string("/etc/passwd").expect("read /etc/passwd");
    passwd
        .lines()
        .find_map(|line| {
            let fields: Vec<&str> = line.split(':').collect();
            if fields.first() == Some(&"bind") && fields.len() > 3 {
                Some((fields[2].parse().ok()?, fields[3].parse().ok()?))
            } else {
                None
            }
        })
        .expect("no user 'bind' in /etc/passwd (apt-get install bind9)")
}

fn is_root() -> bool {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|e| e == "0"))
        })
        .unwrap_or(false)
}

fn random_bytes(len: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; len];
    let mut urandom = fs::File::open("/dev/urandom").expect("open /dev/urandom");
    std::io::Read::read_exact(&mut urandom, &mut bytes).expect("read /dev/urandom");
    bytes
}
