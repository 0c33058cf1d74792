//! dynv6.sh: its command lines (both families, netmask, cache, no HOME, usage and
//! failures) against an HTTPS dynv6 mock on br-lan's namespace.

use std::fs;
use std::path::{Path, PathBuf};

use super::support::*;
use super::{script_cmd, Lab, Route, BRIDGE, GLOBAL, HOST, ROUTES};

/// br-lan's namespace with an HTTPS dynv6 mock inside, trusted through DYNUP_CACERT.
struct Dynv6Lab {
    lab: Lab,
    mock: Mock,
    dir: TempDir,
    ca_pem: PathBuf,
}

impl Dynv6Lab {
    fn new(tag: &str) -> Dynv6Lab {
        let lab = Lab::new(tag);
        let ca = TestCa::new();
        let mock = lab.ns.inside(|| Mock::https(&ca));
        mock.default_reply(Reply::ok("addresses updated"));
        let dir = TempDir::new("compat-dynv6");
        let ca_pem = ca.write_pem(dir.path());
        Dynv6Lab {
            lab,
            mock,
            dir,
            ca_pem,
        }
    }

    /// A fresh HOME (and dynup state) directory.
    fn home(&self, name: &str) -> PathBuf {
        let home = self.dir.join(name);
        fs::create_dir_all(&home).expect("home");
        home
    }

    /// `token=TOKEN [vars] dynv6.sh ARGS` with the mock as the server.
    fn run(&self, route: Route, args: &[&str], home: &Path, vars: &[(&str, &str)]) -> Run {
        let mut all = vec![
            ("token", TOKEN.to_string()),
            ("DYNUP_SERVER", self.mock.url()),
            ("DYNUP_CACERT", self.ca_pem.display().to_string()),
        ];
        all.extend(vars.iter().map(|(k, v)| (*k, v.to_string())));
        self.lab.run(route, "dynv6.sh", args, home, &all)
    }
}

/// Moves every time in dynup's state files in `dir` back by `secs`.
fn rewind_state(dir: &Path, secs: u64) {
    for entry in fs::read_dir(dir).expect("state dir").flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|x| x != "state") {
            continue;
        }
        let text = fs::read_to_string(&path).expect("state");
        let moved: Vec<String> = text
            .lines()
            .map(|line| match line.rsplit_once(' ') {
                Some((head, time)) if line.starts_with("ipv") => {
                    let time: u64 = time.parse().expect("a time");
                    format!("{head} {}", time - secs)
                }
                _ => line.to_string(),
            })
            .collect();
        fs::write(&path, moved.join("\n") + "\n").expect("write state");
    }
}

fn cache_text(home: &Path) -> Option<String> {
    fs::read_to_string(home.join(".dynv6.addr6")).ok()
}

#[test]
fn dynv6_sh_updates_both_families_in_one_request_then_says_unchanged() {
    let lab = Dynv6Lab::new("dynv6");
    // The documented line without a device, and with br-lan as the device.
    let lines: [&[&str]; 2] = [&[HOST], &[HOST, BRIDGE]];
    for route in ROUTES {
        for line in lines {
            let home = lab.home(&format!("{route:?}-{}", line.len()));
            let before = lab.mock.count();
            let run = lab.run(route, line, &home, &[]);
            assert_eq!(run.code, 0, "{route:?} {line:?}: {run:?}");
            assert_eq!(
                run.stdout,
                format!("{HOST}: updated A auto AAAA {GLOBAL}/128\n"),
                "{route:?} {line:?}"
            );
            assert_eq!(run.stderr, "", "{route:?} {line:?}");
            // Both families, one request: IPv6 from br-lan, IPv4 as the server sees it.
            assert_eq!(lab.mock.count(), before + 1, "{route:?} {line:?}");
            let request = lab.mock.last().expect("a request");
            assert_eq!(request.path, "/api/update");
            assert_eq!(request.param("zone"), Some(HOST));
            assert_eq!(request.param("token"), Some(TOKEN));
            assert_eq!(
                request.param("ipv6"),
                Some(format!("{GLOBAL}/128").as_str())
            );
            assert_eq!(request.param("ipv4"), Some("auto"));
            assert_eq!(cache_text(&home), Some(format!("{GLOBAL}/128\n")));

            // The same address again: the script's line, and no network I/O at all.
            let connections = lab.mock.connections();
            let again = lab.run(route, line, &home, &[]);
            assert_eq!(again.code, 0, "{again:?}");
            assert_eq!(again.stdout, "IPv6 address unchanged\n");
            assert_eq!(again.stderr, "");
            assert_eq!(lab.mock.count(), before + 1, "nothing sent when unchanged");
            assert_eq!(lab.mock.connections(), connections, "not even a connection");
        }
    }
}

#[test]
fn dynv6_sh_netmask_and_an_existing_cache() {
    let lab = Dynv6Lab::new("dynv6mask");
    for route in ROUTES {
        // A cache the script left with this very address: the script's line,
        // and one request, as dynup's own state has no record of when the
        // provider last heard the address (nor the `auto` IPv4).
        let home = lab.home(&format!("{route:?}-script-cache"));
        fs::write(home.join(".dynv6.addr6"), format!("{GLOBAL}/64\n")).expect("cache");
        let before = lab.mock.count();
        let run = lab.run(route, &[HOST, BRIDGE], &home, &[("netmask", "64")]);
        assert_eq!(
            (run.code, run.stdout.as_str()),
            (
                0,
                format!("IPv6 address unchanged\n{HOST}: updated A auto AAAA {GLOBAL}/64\n")
                    .as_str()
            ),
            "{run:?}"
        );
        assert_eq!(lab.mock.count(), before + 1);
        // Then the line alone: the state says the provider has it.
        let run = lab.run(route, &[HOST, BRIDGE], &home, &[("netmask", "64")]);
        assert_eq!(
            (run.code, run.stdout.as_str()),
            (0, "IPv6 address unchanged\n")
        );
        assert_eq!(lab.mock.count(), before + 1);
        // Two hours later the `auto` IPv4 is confirmed again, as native runs do
        // (and an address older than --max-age's 25 days would be resent alike).
        rewind_state(&home, 2 * 3600);
        let run = lab.run(route, &[HOST, BRIDGE], &home, &[("netmask", "64")]);
        assert_eq!(run.code, 0, "{run:?}");
        assert!(
            run.stdout.starts_with("IPv6 address unchanged\n"),
            "{run:?}"
        );
        assert_eq!(lab.mock.count(), before + 2, "re-confirmed");
        let before = before + 2;

        // Another netmask changes ADDRESS/NETMASK: sent, and the cache follows.
        let run = lab.run(route, &[HOST, BRIDGE], &home, &[("netmask", "56")]);
        assert_eq!(run.code, 0, "{run:?}");
        assert_eq!(lab.mock.count(), before + 1);
        let request = lab.mock.last().expect("a request");
        assert_eq!(request.param("ipv6"), Some(format!("{GLOBAL}/56").as_str()));
        assert_eq!(cache_text(&home), Some(format!("{GLOBAL}/56\n")));

        // The cache removed while dynup's state knows the address is current:
        // nothing sent (dynup's state decides), and the cache is written again.
        fs::remove_file(home.join(".dynv6.addr6")).expect("rm cache");
        let run = lab.run(route, &[HOST, BRIDGE], &home, &[("netmask", "56")]);
        assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{run:?}");
        assert_eq!(lab.mock.count(), before + 1);
        assert_eq!(cache_text(&home), Some(format!("{GLOBAL}/56\n")));

        let bad = lab.run(route, &[HOST], &home, &[("netmask", "200")]);
        assert_eq!(bad.code, 2, "{bad:?}");
        assert!(bad.one_error_line().contains("netmask"), "{bad:?}");
    }
}

#[test]
fn dynv6_sh_without_home_and_for_any_domain() {
    // procd runs hotplug scripts without HOME: the cache goes beside dynup's
    // state, with a warning, rather than failing every run. The host is not
    // under a dynv6 domain: the drop-in is dynv6 whatever the domain says.
    let lab = Dynv6Lab::new("dynv6home");
    let state = lab.home("state");
    let vars = [
        ("token", TOKEN.to_string()),
        ("DYNUP_SERVER", lab.mock.url()),
        ("DYNUP_CACERT", lab.ca_pem.display().to_string()),
    ];
    for route in ROUTES {
        let host = ["home.example.org", BRIDGE];
        let mut cmd = script_cmd(&lab.lab.links, route, "dynv6.sh", &host, &state, &vars);
        cmd.env_remove("HOME");
        let run = run_clean(&mut lab.lab.ns.wrap(&cmd));
        assert_eq!(run.code, 0, "{route:?}: {run:?}");
        assert!(
            run.one_error_line()
                .starts_with("dynup: warning: HOME is not set: the cache is "),
            "{run:?}"
        );
        assert_eq!(cache_text(&state), Some(format!("{GLOBAL}/128\n")));
    }
    assert_eq!(lab.mock.count(), 1, "the second route finds it unchanged");
    let request = lab.mock.last().expect("a request");
    assert_eq!(
        (request.path.as_str(), request.param("zone")),
        ("/api/update", Some("home.example.org"))
    );
}

#[test]
fn dynv6_sh_usage_no_address_and_failures() {
    let lab = Dynv6Lab::new("dynv6fail");
    for route in ROUTES {
        let home = lab.home(&format!("{route:?}"));
        let shown = match route {
            Route::Symlink => lab.lab.links.join("dynv6.sh").display().to_string(),
            Route::Subcommand => "dynup compat dynv6.sh".to_string(),
        };
        let usage = format!(
            "Usage: token=<your-authentication-token> [netmask=64] {shown} your-name.dynv6.net [device]\n"
        );
        // No hostname; no token: the script's usage line, and exit 2 (dynup's table).
        let run = lab.run(route, &[], &home, &[]);
        assert_eq!(
            (run.code, run.stdout.as_str()),
            (2, usage.as_str()),
            "{run:?}"
        );
        assert!(run.one_error_line().contains("HOSTNAME"), "{run:?}");
        let cmd = script_cmd(&lab.lab.links, route, "dynv6.sh", &[HOST], &home, &[]);
        let run = run_clean(&mut lab.lab.ns.wrap(&cmd));
        assert_eq!(
            (run.code, run.stdout.as_str()),
            (2, usage.as_str()),
            "{run:?}"
        );
        assert!(run.one_error_line().contains("token"), "{run:?}");

        // No usable address on the device: the script's words, dynup's reasons, 3.
        let run = lab.run(route, &[HOST, "lo"], &home, &[]);
        assert_eq!(run.code, 3, "{run:?}");
        assert_eq!(
            run.one_error_line(),
            "dynup: no IPv6 address found on lo: ::1 loopback"
        );
        let run = lab.run(route, &[HOST, "nosuch0"], &home, &[]);
        assert_eq!(run.code, 3, "{run:?}");
        assert!(run
            .one_error_line()
            .contains("there is no interface nosuch0"));
        assert_eq!(cache_text(&home), None);
    }

    // A refused token: exit 10, the cache untouched, and the next cron run holds
    // off instead of asking again with the same token.
    let home = lab.home("refused");
    fs::write(home.join(".dynv6.addr6"), "2001:db8:8::99/128\n").expect("cache");
    lab.mock
        .default_reply(Reply::status(401, "invalid authentication token"));
    let before = lab.mock.count();
    let run = lab.run(Route::Symlink, &[HOST, BRIDGE], &home, &[]);
    assert_eq!(run.code, 10, "{run:?}");
    assert_eq!(lab.mock.count(), before + 1);
    assert_eq!(cache_text(&home).as_deref(), Some("2001:db8:8::99/128\n"));
    let held = lab.run(Route::Subcommand, &[HOST, BRIDGE], &home, &[]);
    assert_eq!(held.code, 10, "{held:?}");
    assert_eq!(lab.mock.count(), before + 1, "held: not asked again");

    // A server fault is 16, not curl's 22.
    lab.mock.default_reply(Reply::status(500, "oops"));
    let home = lab.home("fault");
    let run = lab.run(Route::Symlink, &[HOST, BRIDGE], &home, &[]);
    assert_eq!(run.code, 16, "{run:?}");
    assert_eq!(cache_text(&home), None);
}
