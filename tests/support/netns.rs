//! Network namespaces for tests that need interfaces with chosen addresses:
//! made with iproute2's `ip` (root only; tests/deps.sh installs it), removed on
//! drop even when the test fails. Names are unique per process and call, so
//! tests run in parallel.
//!
//! Each namespace has its own loopback; a mock started with [`Netns::inside`]
//! listens on that loopback, so dynup run with [`Netns::wrap`] reaches it and
//! nothing outside the namespace is ever addressed.

use std::fs::File;
use std::os::fd::AsRawFd;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The interface the tests give addresses to, and its veth peer.
pub const LINK: &str = "wan0";
pub const PEER: &str = "peer0";

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Where iproute2 puts `ip`; the tests' PATH may lack the sbin directories.
pub fn ip_binary() -> &'static str {
    ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .expect("`ip` not found: install iproute2 (sh tests/deps.sh)")
}

/// Runs `ip ARGS`, panicking with its stderr when it fails.
pub fn ip(args: &[&str]) {
    let out = Command::new(ip_binary())
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("ip {args:?}: {e}"));
    assert!(
        out.status.success(),
        "ip {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

pub struct Netns {
    pub name: String,
}

impl Netns {
    /// An empty namespace with its loopback up.
    pub fn new(tag: &str) -> Netns {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let name = format!(
            "dynup-test-{tag}-{}-{}-{nanos:x}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        ip(&["netns", "add", &name]);
        // From here on Drop removes it, whatever fails next.
        let ns = Netns { name };
        ns.ip(&["link", "set", "lo", "up"]);
        ns
    }

    /// A namespace with a veth pair inside: `wan0` up, its peer down. With no
    /// carrier the kernel runs no duplicate address detection and makes no
    /// link-local address, so the test decides every address (an address added
    /// without `nodad` stays tentative).
    pub fn with_link(tag: &str) -> Netns {
        let ns = Netns::new(tag);
        ns.ip(&["link", "add", LINK, "type", "veth", "peer", "name", PEER]);
        ns.ip(&["link", "set", LINK, "up"]);
        ns
    }

    /// Two namespaces joined by a veth pair, both ends up: `wan0` in the first,
    /// `peer0` in the second, so that duplicate address detection really runs.
    pub fn linked(tag: &str) -> (Netns, Netns) {
        let ns = Netns::new(tag);
        let other = Netns::new(tag);
        ns.ip(&[
            "link",
            "add",
            LINK,
            "type",
            "veth",
            "peer",
            "name",
            PEER,
            "netns",
            &other.name,
        ]);
        ns.ip(&["link", "set", LINK, "up"]);
        other.ip(&["link", "set", PEER, "up"]);
        (ns, other)
    }

    /// `ip -n NAME ARGS`.
    pub fn ip(&self, args: &[&str]) {
        let mut all = vec!["-n", self.name.as_str()];
        all.extend_from_slice(args);
        ip(&all);
    }

    /// `ip addr add CIDR dev wan0 EXTRA...` (e.g. `nodad`, `preferred_lft 0`).
    pub fn add(&self, cidr: &str, extra: &[&str]) {
        let mut args = vec!["addr", "add", cidr, "dev", LINK];
        args.extend_from_slice(extra);
        self.ip(&args);
    }

    /// Runs `f` on a thread that has joined this namespace: sockets it makes
    /// (a mock's listener) live there. The calling thread is left as it was.
    pub fn inside<T: Send>(&self, f: impl FnOnce() -> T + Send) -> T {
        let path = format!("/var/run/netns/{}", self.name);
        thread::scope(|scope| {
            scope
                .spawn(|| {
                    let file = File::open(&path).unwrap_or_else(|e| panic!("open {path}: {e}"));
                    // SAFETY: setns on a valid namespace descriptor; it changes
                    // only this thread, which ends when `f` returns.
                    let rc = unsafe { libc::setns(file.as_raw_fd(), libc::CLONE_NEWNET) };
                    assert_eq!(rc, 0, "setns {path}: {}", std::io::Error::last_os_error());
                    f()
                })
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e))
        })
    }

    /// `cmd` run inside the namespace: `ip netns exec NAME PROGRAM ARGS`, with
    /// the same environment (cleared first) and stdin.
    pub fn wrap(&self, cmd: &Command) -> Command {
        let mut wrapped = Command::new(ip_binary());
        wrapped
            .args(["netns", "exec", &self.name])
            .arg(cmd.get_program())
            .args(cmd.get_args())
            .env_clear()
            .stdin(Stdio::null());
        for (key, value) in cmd.get_envs() {
            if let Some(value) = value {
                wrapped.env(key, value);
            }
        }
        wrapped
    }

    /// Sets `net.ipv6.conf.wan0.KEY` in this namespace (no sysctl binary needed:
    /// /proc/sys/net shows the namespace of the thread that opens it).
    pub fn sysctl_ipv6(&self, key: &str, value: &str) {
        let path = format!("/proc/sys/net/ipv6/conf/{LINK}/{key}");
        self.inside(|| std::fs::write(&path, value))
            .unwrap_or_else(|e| panic!("write {path}: {e}"));
    }

    /// `ip addr show dev wan0` in this namespace.
    pub fn addr_text(&self) -> String {
        Command::new(ip_binary())
            .args(["-n", &self.name, "addr", "show", "dev", LINK])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default()
    }

    /// Waits (at most `limit`) until `ip addr show dev wan0` contains `text`.
    pub fn wait_for_addr_text(&self, text: &str, limit: Duration) -> bool {
        super::wait_until(limit, || self.addr_text().contains(text))
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        // Deleting the namespace deletes the interfaces in it (and a veth's peer).
        let _ = Command::new(ip_binary())
            .args(["netns", "del", &self.name])
            .stdin(Stdio::null())
            .output();
    }
}
