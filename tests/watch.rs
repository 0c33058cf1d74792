//! `dynup --watch --config FILE` in a network namespace of its own, against a
//! mock on that namespace's loopback: addresses added, replaced, deprecated and
//! tentative (DAD), a link going down and up, only the job whose interface
//! changed, each reaching the mock once and within 2 s; SIGHUP and SIGTERM.

mod support;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use support::netns::{Netns, LINK};
use support::*;

/// An address event's request must reach the mock within this.
const WITHIN: Duration = Duration::from_secs(2);

/// The watcher, stopped (SIGKILL) when dropped so a failed test leaves nothing.
struct Watcher {
    child: Child,
    stderr: PathBuf,
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Watcher {
    fn signal(&self, signal: libc::c_int) {
        // SAFETY: kill(2) on our own child.
        let rc = unsafe { libc::kill(self.child.id() as libc::pid_t, signal) };
        assert_eq!(rc, 0);
    }

    fn stderr(&self) -> String {
        fs::read_to_string(&self.stderr).unwrap_or_default()
    }
}

struct Lab {
    fx: Fixture,
    ns: Netns,
    config: PathBuf,
}

impl Lab {
    fn new(ns: Netns) -> Lab {
        let mock = ns.inside(Mock::http);
        mock.default_reply(Reply::ok("addresses updated"));
        let fx = Fixture::with(mock, None);
        let config = fx.dir.join("dynup.conf");
        Lab { fx, ns, config }
    }

    /// A dynv6 job publishing the IPv6 address of `device`.
    fn job(&self, name: &str, device: &str, extra: &str) -> String {
        format!(
            "config job '{name}'\n\toption enabled '1'\n\toption server '{}'\n\
             \toption token_file '{}'\n\tlist hostname '{name}.dynv6.net'\n\
             \toption interface '{device}'\n\toption ipv4 'none'\n\toption ipv6 'if'\n{extra}\n",
            self.fx.mock.url(),
            self.fx.token_file.display()
        )
    }

    fn write_config(&self, text: &str) {
        fs::write(&self.config, text).unwrap();
        fs::set_permissions(&self.config, fs::Permissions::from_mode(0o600)).unwrap();
    }

    fn watch(&self) -> Watcher {
        let mut cmd = dynup(&self.fx.cache());
        cmd.arg("--watch").arg("--config").arg(&self.config);
        let stderr = self.fx.dir.join("watch.stderr");
        let mut wrapped = self.ns.wrap(&cmd);
        wrapped
            .stdout(Stdio::null())
            .stderr(fs::File::create(&stderr).unwrap());
        Watcher {
            child: wrapped.spawn().expect("spawn dynup --watch"),
            stderr,
        }
    }

    /// The IPv6 addresses the mock received, in order.
    fn sent(&self) -> Vec<(String, String)> {
        self.fx
            .mock
            .requests()
            .iter()
            .map(|r| {
                (
                    r.param("zone").unwrap_or("").to_string(),
                    r.param("ipv6").unwrap_or("").to_string(),
                )
            })
            .collect()
    }

    /// Waits for request number `n` (from 1) within [`WITHIN`] of now, then makes
    /// sure no other follows for a while.
    fn expect_request(&self, n: usize, what: &str, watcher: &Watcher) {
        let started = Instant::now();
        assert!(
            self.fx.mock.wait_for_requests(n, WITHIN),
            "{what}: no request within {WITHIN:?}; sent {:?}; stderr {}",
            self.sent(),
            watcher.stderr()
        );
        assert!(started.elapsed() <= WITHIN);
        self.expect_quiet(n, what);
    }

    /// No request beyond `n` arrives within 1.5 s (debounce and settling included).
    fn expect_quiet(&self, n: usize, what: &str) {
        sleep(Duration::from_millis(1500));
        assert_eq!(self.fx.mock.count(), n, "{what}: {:?}", self.sent());
    }
}

fn pair(zone: &str, ipv6: &str) -> (String, String) {
    (zone.to_string(), ipv6.to_string())
}

#[test]
fn address_events_run_only_the_job_of_their_interface() {
    let lab = Lab::new(Netns::with_link("watch-addr"));
    lab.ns.ip(&[
        "link", "add", "dum0", "type", "veth", "peer", "name", "dum1",
    ]);
    lab.ns.ip(&["link", "set", "dum0", "up"]);
    lab.ns.add("2001:db8:1::10/64", &["nodad"]);
    lab.ns
        .ip(&["addr", "add", "2001:db8:9::10/64", "dev", "dum0", "nodad"]);
    lab.write_config(&format!(
        "{}{}",
        lab.job("wan", LINK, ""),
        lab.job("other", "dum0", "")
    ));
    let watcher = lab.watch();
    // At start, every enabled job runs once.
    assert!(lab.fx.mock.wait_for_requests(2, Duration::from_secs(10)));
    lab.expect_quiet(2, "start");
    let mut sent = lab.sent();
    sent.sort();
    assert_eq!(
        sent,
        [
            pair("other.dynv6.net", "2001:db8:9::10"),
            pair("wan.dynv6.net", "2001:db8:1::10")
        ]
    );

    // A new prefix replaces the address: one request, for the job on wan0 only.
    lab.ns
        .ip(&["addr", "del", "2001:db8:1::10/64", "dev", LINK]);
    lab.ns.add("2001:db8:2::10/64", &["nodad"]);
    lab.expect_request(3, "prefix changed", &watcher);
    assert_eq!(lab.sent()[2], pair("wan.dynv6.net", "2001:db8:2::10"));

    // An address added that does not win changes nothing to send.
    lab.ns.add("2001:db8:3::10/64", &["nodad"]);
    lab.expect_quiet(3, "second address");

    // A tentative address (no carrier: DAD never ends) is no event.
    lab.ns.add("2001:db8:0::1/64", &[]);
    lab.expect_quiet(3, "tentative address");

    // The published address deprecated: the other one goes out.
    lab.ns.ip(&[
        "addr",
        "change",
        "2001:db8:2::10/64",
        "dev",
        LINK,
        "preferred_lft",
        "0",
    ]);
    lab.expect_request(4, "deprecated", &watcher);
    assert_eq!(lab.sent()[3], pair("wan.dynv6.net", "2001:db8:3::10"));

    // An address on the other job's interface: that job only.
    lab.ns
        .ip(&["addr", "del", "2001:db8:9::10/64", "dev", "dum0"]);
    lab.ns
        .ip(&["addr", "add", "2001:db8:8::10/64", "dev", "dum0", "nodad"]);
    lab.expect_request(5, "other interface", &watcher);
    assert_eq!(lab.sent()[4], pair("other.dynv6.net", "2001:db8:8::10"));
}

#[test]
fn an_address_runs_once_duplicate_address_detection_is_over() {
    let (ns, _peer) = Netns::linked("watch-dad");
    let lab = Lab::new(ns);
    lab.ns.add("2001:db8:1::10/64", &["nodad"]);
    lab.write_config(&lab.job("wan", LINK, ""));
    let watcher = lab.watch();
    assert!(lab.fx.mock.wait_for_requests(1, Duration::from_secs(10)));
    lab.expect_quiet(1, "start");
    lab.ns
        .ip(&["addr", "del", "2001:db8:1::10/64", "dev", LINK]);
    // Removing the only address: the run finds none and sends nothing.
    lab.expect_quiet(1, "address removed");
    lab.ns.add("2001:db8:5::10/64", &[]);
    // While DAD runs the address is tentative and nothing is sent.
    let mut tentative_seen = false;
    let done = wait_until(Duration::from_secs(10), || {
        let text = lab.ns.addr_text();
        if text.contains("tentative") {
            tentative_seen = true;
            assert_eq!(lab.fx.mock.count(), 1, "sent during DAD");
            false
        } else {
            text.contains("2001:db8:5::10")
        }
    });
    assert!(done && tentative_seen, "{}", lab.ns.addr_text());
    lab.expect_request(2, "after DAD", &watcher);
    assert_eq!(lab.sent()[1], pair("wan.dynv6.net", "2001:db8:5::10"));
}

#[test]
fn a_link_coming_back_up_runs_its_job_once() {
    let (ns, _peer) = Netns::linked("watch-link");
    let lab = Lab::new(ns);
    lab.ns.sysctl_ipv6("keep_addr_on_down", "1");
    lab.ns.add("2001:db8:1::10/64", &["nodad"]);
    // With --force every run sends: the requests count the runs.
    lab.write_config(&lab.job("wan", LINK, "\toption force '1'\n"));
    let watcher = lab.watch();
    assert!(lab.fx.mock.wait_for_requests(1, Duration::from_secs(10)));
    lab.expect_quiet(1, "start");
    lab.ns.ip(&["link", "set", LINK, "down"]);
    // Going down may come with an address event of its own (the kernel's, with
    // the address kept): at most one run for it.
    sleep(Duration::from_millis(1500));
    let after_down = lab.fx.mock.count();
    assert!(after_down <= 2, "{:?}", lab.sent());
    lab.ns.ip(&["link", "set", LINK, "up"]);
    lab.expect_request(after_down + 1, "link up", &watcher);
}

#[test]
fn sighup_reloads_the_config_and_sigterm_ends_the_watch() {
    let lab = Lab::new(Netns::with_link("watch-signals"));
    lab.ns.add("2001:db8:1::10/64", &["nodad"]);
    lab.write_config(&lab.job("wan", LINK, ""));
    let mut watcher = lab.watch();
    assert!(lab.fx.mock.wait_for_requests(1, Duration::from_secs(10)));
    lab.expect_quiet(1, "start");

    // A broken file is refused on reload; the running configuration stays.
    lab.write_config("config job 'x'\n\toption x 'open\n");
    watcher.signal(libc::SIGHUP);
    assert!(
        wait_until(Duration::from_secs(5), || watcher
            .stderr()
            .contains("still running the configuration loaded before")),
        "{}",
        watcher.stderr()
    );
    lab.expect_quiet(1, "broken reload");

    lab.write_config(&format!(
        "{}{}",
        lab.job("wan", LINK, ""),
        lab.job("new", LINK, "")
    ));
    watcher.signal(libc::SIGHUP);
    lab.expect_request(2, "reload", &watcher);
    assert_eq!(lab.sent()[1], pair("new.dynv6.net", "2001:db8:1::10"));

    watcher.signal(libc::SIGTERM);
    let stopped = wait_until(Duration::from_secs(5), || {
        matches!(watcher.child.try_wait(), Ok(Some(_)))
    });
    assert!(stopped, "still running after SIGTERM");
    let status = watcher.child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{}", watcher.stderr());
}

#[test]
fn watch_needs_a_config_and_refuses_a_broken_one() {
    let fx = Fixture::http();
    let run = support::run(dynup(&fx.cache()).arg("--watch"));
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("--watch needs --config FILE"),
        "{run:?}"
    );
    let file = fx.dir.join("broken.conf");
    fs::write(&file, "config job 'x'\n\toption x 'open\n").unwrap();
    let mut cmd = dynup(&fx.cache());
    let run = support::run(cmd.arg("--watch").arg("--config").arg(&file));
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .contains(&format!("{}:2: unterminated", file.display())),
        "{run:?}"
    );
    // Named jobs must exist (and be enabled), as for one run.
    fs::write(&file, "config job 'x'\n\toption enabled '1'\n").unwrap();
    let mut cmd = dynup(&fx.cache());
    let run = support::run(cmd.arg("--watch").arg("--config").arg(&file).arg("nope"));
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("no job 'nope' (jobs: x)"), "{run:?}");
}
