//! The benchmark's mock provider (bench/mock.py) against dynup, once per scenario of
//! `make bench`: it must answer as the scenarios assume (an update is "updated", a
//! held* host fatal) and count every request, since the bench proves with that count
//! that the no-op and held runs send nothing. The full bench needs its peers (inadyn,
//! ddclient, hyperfine, strace) and root for a namespace; this needs python3 only.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use support::netns::{Netns, LINK};
use support::*;

/// bench/mock.py over plain HTTP on 127.0.0.1; killed when dropped.
struct BenchMock {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl BenchMock {
    fn start(dir: &Path) -> BenchMock {
        BenchMock::start_in(dir, None)
    }

    /// The mock on the loopback of `ns` (or of this process's namespace).
    fn start_in(dir: &Path, ns: Option<&Netns>) -> BenchMock {
        let ports = dir.join("ports");
        let log = dir.join("requests.log");
        let python = Command::new("python3");
        let mut wrapped = match ns {
            Some(ns) => ns.wrap(&python),
            None => python,
        };
        let child = wrapped
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/mock.py"))
            .arg("--ports-file")
            .arg(&ports)
            .arg("--log")
            .arg(&log)
            .stdin(Stdio::null())
            .spawn()
            .expect("python3 runs bench/mock.py (tests/deps.sh installs python3)");
        let mut mock = BenchMock {
            child,
            port: 0,
            log,
        };
        let started = wait_until(Duration::from_secs(10), || ports.exists());
        assert!(started, "bench/mock.py wrote no ports file in 10 s");
        let text = std::fs::read_to_string(&ports).expect("ports file");
        mock.port = text
            .lines()
            .find_map(|l| l.strip_prefix("http "))
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no http port in {text:?}"));
        mock
    }

    fn server(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The request lines logged so far.
    fn requests(&self) -> Vec<String> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.starts_with("REQ "))
            .map(str::to_string)
            .collect()
    }
}

impl Drop for BenchMock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn dynv6(mock: &BenchMock, dir: &TempDir, state: &str, host: &str) -> Run {
    let token = dir.join("token");
    std::fs::write(&token, format!("{TOKEN}\n")).expect("token file");
    let mut cmd = dynup(&dir.join(state));
    cmd.args(["-p", "dynv6", "--server", &mock.server(), "--token-file"])
        .arg(&token)
        .args(["--ipv4", "198.51.100.7", "--ipv6", "2001:db8::7", host]);
    run_clean(&mut cmd)
}

#[test]
fn update_then_no_op_sends_one_request() {
    let dir = TempDir::new("bench-harness-update");
    let mock = BenchMock::start(dir.path());

    let first = dynv6(&mock, &dir, "state", "host.example.test");
    assert_eq!(first.code, 0, "{first:?}");
    assert!(first.stdout.contains("updated"), "{first:?}");
    let sent = mock.requests();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent[0].starts_with("REQ http /api/update?"), "{sent:?}");
    assert!(sent[0].contains("zone=host.example.test"), "{sent:?}");

    let again = dynv6(&mock, &dir, "state", "host.example.test");
    assert_eq!(again.code, 0, "{again:?}");
    assert_eq!(mock.requests().len(), 1, "the no-op run sent a request");

    // A fresh state (what the bench's --prepare makes) is an update again.
    let fresh = dynv6(&mock, &dir, "fresh", "host.example.test");
    assert_eq!(fresh.code, 0, "{fresh:?}");
    assert_eq!(mock.requests().len(), 2);
}

#[test]
fn fatal_answer_holds_and_the_held_run_sends_nothing() {
    let dir = TempDir::new("bench-harness-held");
    let mock = BenchMock::start(dir.path());

    let fatal = dynv6(&mock, &dir, "state", "held.example.test");
    assert_eq!(
        fatal.code, 10,
        "the mock's 401 is bad credentials: {fatal:?}"
    );
    assert_eq!(mock.requests().len(), 1);

    let held = dynv6(&mock, &dir, "state", "held.example.test");
    assert_eq!(held.code, 10, "{held:?}");
    assert!(held.stderr.contains("held since"), "{held:?}");
    assert_eq!(mock.requests().len(), 1, "the held run sent a request");
}

#[test]
fn dyndns2_answers_good_and_badauth() {
    let dir = TempDir::new("bench-harness-dyndns2");
    let mock = BenchMock::start(dir.path());
    let password = dir.join("password");
    std::fs::write(&password, format!("{PASSWORD}\n")).expect("password file");
    let run_for = |host: &str| {
        let mut cmd = dynup(&dir.join("state"));
        cmd.args(["-p", "dyndns2", "--server", &mock.server(), "-u", "user"])
            .arg("--password-file")
            .arg(&password)
            .args(["--ipv4", "198.51.100.7", host]);
        run_clean(&mut cmd)
    };

    let good = run_for("host4.example.test");
    assert_eq!(good.code, 0, "{good:?}");
    let bad = run_for("held4.example.test");
    assert_eq!(bad.code, 10, "badauth is bad credentials: {bad:?}");
    let sent = mock.requests();
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(
        sent.iter().all(|l| l.starts_with("REQ http /nic/update?")),
        "{sent:?}"
    );
}

/// bench/watch.py, the watch-mode rows of `make bench`, on a short run in a
/// namespace: it must finish, write each row, and the mock must have seen just
/// what it claims (the watcher's first request, one per address change, the two
/// configs' priming runs and nothing from the no-op runs).
#[test]
fn watch_bench_writes_its_rows() {
    let ns = Netns::with_link("bench-watch");
    ns.add("2001:db8::7/64", &["nodad"]);
    let dir = TempDir::new("bench-watch");
    let mock = BenchMock::start_in(dir.path(), Some(&ns));
    let token = write_secret(&dir, "token", TOKEN);
    let mut cmd = Command::new("python3");
    cmd.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/watch.py"))
        .arg("--dynup")
        .arg(env!("CARGO_BIN_EXE_dynup"))
        .args(["--server", &mock.server(), "--token-file"])
        .arg(&token)
        .arg("--log")
        .arg(&mock.log)
        .args(["--iface", LINK, "--work"])
        .arg(dir.path())
        .args(["--idle", "1", "--events", "2", "--runs", "2"])
        .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
    let run = run_with_timeout(&mut ns.wrap(&cmd), Duration::from_secs(60));
    assert_eq!(run.code, 0, "{run:?}");
    for row in [
        "| watch idle 1 s: CPU ticks (at ",
        "| watch idle 1 s: wakeups (context switches) | ",
        "| watch idle: memory (VmRSS; peak VmHWM) | ",
        "| address change to request, 2 changes: median; worst | ",
        "| `--config`, 1 job with nothing to do, 2 runs: median; worst | ",
        "| `--config`, 10 jobs with nothing to do, 2 runs: median; worst | ",
        "| 10 jobs / 1 job (medians) | ",
    ] {
        assert!(run.stdout.contains(row), "{row}: {}", run.stdout);
    }
    assert_eq!(
        mock.requests().len(),
        1 + 2 + 1 + 10,
        "{:?}",
        mock.requests()
    );
    assert!(
        ns.addr_text().contains("2001:db8::7/64"),
        "the address is put back"
    );
}
