//! dynup as `dynv6.sh` and as `dyndns-update-script.sh`: each script's documented
//! command lines, run through a symlink named like the script and as `dynup compat
//! NAME ...`, in a network namespace with a real bridge `br-lan` (a global, a
//! tentative, a deprecated and a unique-local IPv6 address, and an IPv4 one),
//! against mocks on that namespace's loopback; and the seed's cron line against the
//! real dyndns 2.0.0 server in front of BIND, records read back with dig.
//! Needs root, iproute2, BIND and the PyPI server (tests/deps.sh, tests/peers.sh).

mod support;

use std::fs;
use std::net::{IpAddr, Ipv6Addr, TcpListener};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use support::dyndns_server::DyndnsServer;
use support::named::{Named, TsigKey, Zone};
use support::netns::Netns;
use support::*;

const HOST: &str = "home.dynv6.net";
const BRIDGE: &str = "br-lan";
/// The address dynup must pick on br-lan: the other IPv6 addresses there are
/// lower (tentative, deprecated) or unique-local, which the script's `grep -v fd`
/// skipped too.
const GLOBAL: &str = "2001:db8:8::10";
const ZONE: &str = "dyn.test";
const WEB_V4: &str = "203.0.113.7";
const WEB_V6: &str = "2001:db8:77::1";

/// The two ways to call a drop-in mode.
#[derive(Clone, Copy, Debug)]
enum Route {
    /// A symlink named like the script, pointing at dynup.
    Symlink,
    /// `dynup compat NAME ARGS...`.
    Subcommand,
}

const ROUTES: [Route; 2] = [Route::Symlink, Route::Subcommand];

/// `script ARGS` by `route`, with the clean environment of `support::dynup`
/// (HOME and DYNUP_CACHE_DIR = `home`) plus `vars`.
fn script_cmd(
    links: &TempDir,
    route: Route,
    script: &str,
    args: &[&str],
    home: &Path,
    vars: &[(&str, String)],
) -> Command {
    let binary = Binary::built();
    let mut cmd = match route {
        Route::Symlink => {
            let link = links.join(script);
            if !link.exists() {
                std::os::unix::fs::symlink(&binary.path, &link).expect("symlink");
            }
            let mut cmd = Command::new(link);
            cmd.env_clear()
                .env("PATH", "/usr/bin:/bin")
                .env("DYNUP_CACHE_DIR", home)
                .env("HOME", home)
                .stdin(Stdio::null());
            cmd
        }
        Route::Subcommand => {
            let mut cmd = dynup(home);
            cmd.args(["compat", script]);
            cmd
        }
    };
    cmd.args(args);
    for (key, value) in vars {
        cmd.env(key, value);
    }
    cmd
}

/// A namespace with br-lan, where mocks listen on the loopback.
struct Lab {
    ns: Netns,
    links: TempDir,
}

impl Lab {
    fn new(tag: &str) -> Lab {
        let ns = Netns::new(tag);
        ns.ip(&["link", "add", BRIDGE, "type", "bridge"]);
        ns.ip(&["link", "set", BRIDGE, "up"]);
        let add = |cidr: &str, extra: &[&str]| {
            let mut args = vec!["addr", "add", cidr, "dev", BRIDGE];
            args.extend_from_slice(extra);
            ns.ip(&args);
        };
        add("192.168.8.1/24", &[]);
        add("fd00:8::1/64", &["nodad"]);
        add(&format!("{GLOBAL}/64"), &["nodad"]);
        add("2001:db8:8::5/64", &["nodad", "preferred_lft", "0"]);
        // A bridge without ports has a carrier, so duplicate address detection
        // runs: with an hour between its probes, this one stays tentative.
        let retrans = format!("/proc/sys/net/ipv6/neigh/{BRIDGE}/retrans_time_ms");
        ns.inside(|| fs::write(&retrans, "3600000"))
            .unwrap_or_else(|e| panic!("write {retrans}: {e}"));
        add("2001:db8:8::1/64", &[]);
        Lab {
            ns,
            links: TempDir::new("compat-links"),
        }
    }

    fn run(
        &self,
        route: Route,
        script: &str,
        args: &[&str],
        home: &Path,
        vars: &[(&str, String)],
    ) -> Run {
        let cmd = script_cmd(&self.links, route, script, args, home, vars);
        run_clean(&mut self.ns.wrap(&cmd))
    }
}

// ---------------------------------------------------------------------------
// dynv6.sh
// ---------------------------------------------------------------------------

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

#[test]
fn help_texts_document_the_modes() {
    let home = TempDir::new("compat-help");
    let links = TempDir::new("compat-help-links");
    for route in ROUTES {
        let help = run_clean(&mut script_cmd(
            &links,
            route,
            "dynv6.sh",
            &["--help"],
            home.path(),
            &[],
        ));
        assert_eq!(help.code, 0, "{help:?}");
        for text in [
            "token=",
            "netmask=",
            "$HOME/.dynv6.addr6",
            "IPv6 address unchanged",
            "exits 2",
        ] {
            assert!(help.stdout.contains(text), "{text}: {}", help.stdout);
        }
        let help = run_clean(&mut script_cmd(
            &links,
            route,
            "dyndns-update-script.sh",
            &["-h"],
            home.path(),
            &[],
        ));
        assert_eq!(help.code, 0, "{help:?}");
        for text in [
            "[-46dhpsStv] RECORD_NAME",
            "--ipv4-only",
            "--device=DEV",
            "--prefix-only",
            "--sleep=N",
            "--ttl=N",
            "--cacert FILE",
            "DYNDNS_SERVER",
            "DYNDNS_ZONE",
            "DYNDNS_SECRET_FILE",
            "DYNUP_COMPAT_CONFIG",
            "/etc/dyndns-update-script.conf",
            "-S 5 -d br-lan -4 nrouter",
        ] {
            assert!(help.stdout.contains(text), "{text}: {}", help.stdout);
        }
    }
    let main_help = run_clean(dynup(home.path()).arg("--help"));
    assert!(main_help
        .stdout
        .contains("dynup compat dyndns-update-script.sh"));
    let wrong = run_clean(dynup(home.path()).args(["compat", "ddclient"]));
    assert_eq!(wrong.code, 2, "{wrong:?}");
}

// ---------------------------------------------------------------------------
// dyndns-update-script.sh against a mock
// ---------------------------------------------------------------------------

/// br-lan's namespace with an HTTPS dyndns-server mock and two check-IP mocks (one
/// on 127.0.0.1 answering WEB_V4, one on ::1 answering WEB_V6) inside.
struct DyndnsLab {
    lab: Lab,
    server: Mock,
    checkip_v4: Mock,
    checkip_v6: Mock,
    dir: TempDir,
    ca_pem: PathBuf,
    secret_file: PathBuf,
}

impl DyndnsLab {
    fn new(tag: &str) -> DyndnsLab {
        let lab = Lab::new(tag);
        let ca = TestCa::new();
        let server = lab.ns.inside(|| Mock::https(&ca));
        server.default_reply(Reply::ok("UPDATED: x.dyn.test. A None -> 203.0.113.7\n"));
        let checkip_v4 = lab.ns.inside(Mock::http);
        checkip_v4.default_reply(Reply::ok(&format!("{WEB_V4}\n")));
        let checkip_v6 = lab
            .ns
            .inside(|| Mock::http_on(IpAddr::V6(Ipv6Addr::LOCALHOST)));
        checkip_v6.default_reply(Reply::ok(&format!("{WEB_V6}\n")));
        let dir = TempDir::new("compat-dyndns");
        let ca_pem = ca.write_pem(dir.path());
        let secret_file = write_secret(&dir, "secret", PASSWORD);
        DyndnsLab {
            lab,
            server,
            checkip_v4,
            checkip_v6,
            dir,
            ca_pem,
            secret_file,
        }
    }

    /// What the script kept as constants, from the environment; the check-IP mocks.
    fn vars(&self) -> Vec<(&'static str, String)> {
        vec![
            ("DYNDNS_SERVER", self.server.url()),
            ("DYNDNS_ZONE", ZONE.to_string()),
            ("DYNDNS_SECRET_FILE", self.secret_file.display().to_string()),
            ("DYNUP_CACERT", self.ca_pem.display().to_string()),
            (
                "DYNUP_CHECKIP",
                format!("{}/ {}/", self.checkip_v4.url(), self.checkip_v6.url()),
            ),
            // No /etc/dyndns-update-script.conf of this machine gets in.
            ("DYNUP_COMPAT_CONFIG", "/dev/null".to_string()),
        ]
    }

    /// A run in a fresh state directory, so that each line really sends.
    fn run(&self, route: Route, args: &[&str], vars: &[(&'static str, String)]) -> Run {
        let home = TempDir::new("compat-dyndns-home");
        self.lab
            .run(route, "dyndns-update-script.sh", args, home.path(), vars)
    }

    fn last(&self) -> Recorded {
        self.server.last().expect("a request to the server")
    }
}

#[test]
fn dyndns_script_the_seeds_cron_lines() {
    let lab = DyndnsLab::new("cron");
    for route in ROUTES {
        // */2 * * * * dyndns-update-script.sh -S 5 -d br-lan -4 nrouter
        let before = lab.server.count();
        let run = lab.run(
            route,
            &["-S", "5", "-d", BRIDGE, "-4", "nrouter"],
            &lab.vars(),
        );
        assert_eq!(run.code, 0, "{route:?}: {run:?}");
        assert_eq!(run.stdout, format!("nrouter: updated A {WEB_V4}\n"));
        assert_eq!(run.stderr, "", "no warning on every cron run");
        assert_eq!(lab.server.count(), before + 1);
        let request = lab.last();
        assert_eq!(request.path, "/update-by-query");
        assert_eq!(request.param("secret"), Some(PASSWORD));
        assert_eq!(request.param("zone_name"), Some(ZONE));
        assert_eq!(request.param("record_name"), Some("nrouter"));
        assert_eq!(request.param("ipv4"), Some(WEB_V4));
        assert_eq!(request.param("ipv6"), None);
        assert_eq!(request.param("ttl"), None);

        // */2 * * * * dyndns-update-script.sh -d br-lan -4 nuernberg
        let run = lab.run(route, &["-d", BRIDGE, "-4", "nuernberg"], &lab.vars());
        assert_eq!(run.code, 0, "{run:?}");
        assert_eq!(lab.last().param("record_name"), Some("nuernberg"));
    }
}

/// A command line, and the ipv4, ipv6 and ttl it must send.
type Line<'a> = (
    &'a [&'a str],
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
);

#[test]
fn dyndns_script_every_documented_line() {
    let lab = DyndnsLab::new("lines");
    let lines: [Line; 12] = [
        (&["lol"], Some(WEB_V4), Some(WEB_V6), None),
        (&["-S", "1", "lol"], Some(WEB_V4), Some(WEB_V6), None),
        (&["--sleep=1", "lol"], Some(WEB_V4), Some(WEB_V6), None),
        (&["-d", BRIDGE, "lol"], Some(WEB_V4), Some(GLOBAL), None),
        (
            &["--device=br-lan", "lol"],
            Some(WEB_V4),
            Some(GLOBAL),
            None,
        ),
        (&["-4", "lol"], Some(WEB_V4), None, None),
        (&["--ipv4-only", "lol"], Some(WEB_V4), None, None),
        (&["-6", "lol"], None, Some(WEB_V6), None),
        (&["--ipv6-only", "lol"], None, Some(WEB_V6), None),
        (&["-6", "-d", BRIDGE, "lol"], None, Some(GLOBAL), None),
        (
            &["--ipv6-only", "--device=br-lan", "lol"],
            None,
            Some(GLOBAL),
            None,
        ),
        (&["-4", "-t", "123", "lol"], Some(WEB_V4), None, Some("123")),
    ];
    for route in ROUTES {
        for (line, v4, v6, ttl) in lines {
            let before = lab.server.count();
            let run = lab.run(route, line, &lab.vars());
            assert_eq!(run.code, 0, "{route:?} {line:?}: {run:?}");
            assert_eq!(run.stderr, "", "{route:?} {line:?}");
            assert_eq!(lab.server.count(), before + 1, "{route:?} {line:?}");
            let request = lab.last();
            assert_eq!(request.param("record_name"), Some("lol"), "{line:?}");
            assert_eq!(request.param("ipv4"), v4, "{route:?} {line:?}");
            assert_eq!(request.param("ipv6"), v6, "{route:?} {line:?}");
            assert_eq!(request.param("ttl"), ttl, "{route:?} {line:?}");
        }
        let run = lab.run(route, &["--ipv4-only", "--ttl=123", "lol"], &lab.vars());
        assert_eq!(run.code, 0, "{run:?}");
        assert_eq!(lab.last().param("ttl"), Some("123"));

        // -p prints the first 64 bits of br-lan's global address, zero-padded.
        let before = lab.server.count();
        let run = lab.run(route, &["-p", "-d", BRIDGE, "lol"], &lab.vars());
        assert_eq!(
            (run.code, run.stdout.as_str()),
            (0, "PREFIX: 2001:0db8:0008:0000\n")
        );
        let run = lab.run(route, &["--prefix-only", "--device=br-lan"], &[]);
        assert_eq!(
            (run.code, run.stdout.as_str()),
            (0, "PREFIX: 2001:0db8:0008:0000\n")
        );
        let run = lab.run(route, &["-p", "-d", "lo"], &[]);
        assert_eq!(run.code, 3, "{run:?}");
        assert_eq!(lab.server.count(), before, "-p sends nothing");

        let run = lab.run(route, &["-v"], &[]);
        assert_eq!(
            (run.code, run.stdout.as_str()),
            (0, format!("{}\n", env!("CARGO_PKG_VERSION")).as_str())
        );
        let run = lab.run(route, &["--short-description"], &[]);
        assert_eq!(run.code, 0);
        assert_eq!(run.stdout.lines().count(), 1, "{run:?}");
    }
    assert!(lab.checkip_v4.count() > 0 && lab.checkip_v6.count() > 0);
}

#[test]
fn dyndns_script_config_file_cacert_and_failures() {
    let lab = DyndnsLab::new("dyndnsfail");
    let vars = lab.vars();
    let without = |names: &[&str]| -> Vec<(&'static str, String)> {
        vars.iter()
            .filter(|(k, _)| !names.contains(k))
            .cloned()
            .collect()
    };

    // The script's own three constant lines pasted into the config file.
    let config = lab.dir.join("dyndns-update-script.conf");
    fs::write(
        &config,
        format!(
            "# from the top of the script\nVALUE_DYNDNS_DOMAIN='{}'\nVALUE_SECRET='{PASSWORD}'\n\
             VALUE_ZONE_NAME='{ZONE}'\n",
            lab.server.url().trim_start_matches("https://")
        ),
    )
    .expect("config");
    fs::set_permissions(&config, fs::Permissions::from_mode(0o600)).expect("chmod");
    let mut from_file = without(&[
        "DYNDNS_SERVER",
        "DYNDNS_ZONE",
        "DYNDNS_SECRET_FILE",
        "DYNUP_CACERT",
        "DYNUP_COMPAT_CONFIG",
    ]);
    from_file.push(("DYNUP_COMPAT_CONFIG", config.display().to_string()));
    let cacert = lab.ca_pem.display().to_string();
    for route in ROUTES {
        let run = lab.run(route, &["--cacert", &cacert, "-4", "rec"], &from_file);
        assert_eq!(run.code, 0, "{route:?}: {run:?}");
        assert_eq!(lab.last().param("secret"), Some(PASSWORD));
        assert_eq!(lab.last().param("record_name"), Some("rec"));
    }
    // The certificate is checked: without --cacert the test CA is unknown, 5.
    let before = lab.server.count();
    let run = lab.run(Route::Symlink, &["-4", "rec"], &from_file);
    assert_eq!(run.code, 5, "{run:?}");
    assert_eq!(lab.server.count(), before);
    // Readable by others while holding the secret: a warning; writable: refused.
    fs::set_permissions(&config, fs::Permissions::from_mode(0o644)).expect("chmod");
    let run = lab.run(
        Route::Symlink,
        &["--cacert", &cacert, "-4", "rec"],
        &from_file,
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("chmod 600"), "{run:?}");
    fs::set_permissions(&config, fs::Permissions::from_mode(0o666)).expect("chmod");
    let run = lab.run(
        Route::Symlink,
        &["--cacert", &cacert, "-4", "rec"],
        &from_file,
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.one_error_line().contains("writable by other users"));

    for route in ROUTES {
        // No record name: exit 2 (the script's 17 is "request rejected" in dynup's table).
        let run = lab.run(route, &["-4"], &vars);
        assert_eq!(run.code, 2, "{run:?}");
        assert!(run.one_error_line().contains("RECORD_NAME"));
        let run = lab.run(route, &["-4", "rec"], &without(&["DYNDNS_ZONE"]));
        assert_eq!(run.code, 2, "{run:?}");
        assert!(run.one_error_line().contains("DYNDNS_ZONE"));
        let run = lab.run(route, &["-4", "rec"], &without(&["DYNDNS_SECRET_FILE"]));
        assert_eq!(run.code, 2, "{run:?}");
        assert!(run.one_error_line().contains("DYNDNS_SECRET"));
        let run = lab.run(route, &["-x", "rec"], &vars);
        assert_eq!(run.code, 2, "{run:?}");
        assert!(run.one_error_line().contains("-x"));
    }

    // The server refuses the secret: 10 where the script said 0.
    lab.server.default_reply(Reply::status(
        456,
        "PARAMETER_ERROR: You specified a wrong secret key.\n",
    ));
    let run = lab.run(Route::Symlink, &["-4", "rec"], &vars);
    assert_eq!(run.code, 10, "{run:?}");
    assert!(run.stderr.contains("wrong secret"), "{run:?}");
    lab.server
        .default_reply(Reply::status(512, "DNS_SERVER_ERROR: timeout\n"));
    let run = lab.run(Route::Subcommand, &["-4", "rec"], &vars);
    assert_eq!(run.code, 16, "{run:?}");

    // No IPv4 from the web: nothing sent (the server would delete the A record), 3.
    let before = lab.server.count();
    let mut dead_web = without(&["DYNUP_CHECKIP"]);
    let dead = TcpListener::bind("127.0.0.1:0").expect("bind");
    let dead_url = format!(
        "http://127.0.0.1:{}/",
        dead.local_addr().expect("addr").port()
    );
    drop(dead);
    dead_web.push(("DYNUP_CHECKIP", dead_url));
    let run = lab.run(Route::Symlink, &["-d", BRIDGE, "rec"], &dead_web);
    assert_eq!(run.code, 3, "{run:?}");
    assert!(
        run.one_error_line().contains("would delete the A record"),
        "{run:?}"
    );
    assert_eq!(lab.server.count(), before);
}

// ---------------------------------------------------------------------------
// dyndns-update-script.sh against the real dyndns 2.0.0 server and BIND
// ---------------------------------------------------------------------------

const SECRET: &str = "compatSecret4dynup";

#[test]
fn dyndns_script_cron_line_against_the_real_server() {
    let key = TsigKey::new(ZONE, "hmac-sha512");
    let named = Named::start(&[Zone::new(ZONE, std::slice::from_ref(&key))]);
    let server = DyndnsServer::start(&named, &key, ZONE, SECRET);
    let dir = TempDir::new("compat-real-run");
    let secret_file = write_secret(&dir, "secret", SECRET);
    let checkip_v4 = Mock::http();
    checkip_v4.default_reply(Reply::ok(&format!("{WEB_V4}\n")));
    let checkip_v6 = Mock::http_on(IpAddr::V6(Ipv6Addr::LOCALHOST));
    checkip_v6.default_reply(Reply::ok(&format!("{WEB_V6}\n")));
    let vars = vec![
        ("DYNDNS_SERVER", server.url()),
        ("DYNDNS_ZONE", ZONE.to_string()),
        ("DYNDNS_SECRET_FILE", secret_file.display().to_string()),
        (
            "DYNUP_CHECKIP",
            format!("{}/ {}/", checkip_v4.url(), checkip_v6.url()),
        ),
        ("DYNUP_COMPAT_CONFIG", "/dev/null".to_string()),
    ];
    let links = TempDir::new("compat-real-links");
    let context = || {
        format!(
            "--- server ---\n{}\n--- named ---\n{}",
            server.log(),
            named.log()
        )
    };
    let fqdn = format!("nrouter.{ZONE}");
    for route in ROUTES {
        let home = TempDir::new("compat-real-home");
        // Both families first (no device here: IPv6 from the web as the script did).
        let run = run_clean(&mut script_cmd(
            &links,
            route,
            "dyndns-update-script.sh",
            &["nrouter"],
            home.path(),
            &vars,
        ));
        assert_eq!(run.code, 0, "{route:?}: {run:?}\n{}", context());
        assert_eq!(named.dig(&fqdn, "A"), vec![WEB_V4.to_string()]);
        assert_eq!(named.dig(&fqdn, "AAAA"), vec![WEB_V6.to_string()]);

        // The seed's cron line (its first run: a fresh state): A sent, and the
        // AAAA record deleted by the server, as with the script.
        let cron_home = TempDir::new("compat-real-cron");
        let run = run_clean(&mut script_cmd(
            &links,
            route,
            "dyndns-update-script.sh",
            &["-S", "5", "-d", "br-lan", "-4", "nrouter"],
            cron_home.path(),
            &vars,
        ));
        assert_eq!(run.code, 0, "{route:?}: {run:?}\n{}", context());
        assert_eq!(run.stderr, "", "{run:?}");
        assert_eq!(named.dig(&fqdn, "A"), vec![WEB_V4.to_string()]);
        assert_eq!(named.dig(&fqdn, "AAAA"), Vec::<String>::new());
        for text in [&run.stdout, &run.stderr] {
            assert!(!text.contains(SECRET), "{run:?}");
        }

        // A wrong secret: exit 10, and the zone keeps its records.
        let wrong = write_secret(&dir, "wrong", "wrongSecret99");
        let mut wrong_vars = vars.clone();
        wrong_vars.retain(|(k, _)| *k != "DYNDNS_SECRET_FILE");
        wrong_vars.push(("DYNDNS_SECRET_FILE", wrong.display().to_string()));
        let fresh = TempDir::new("compat-real-wrong");
        let run = run_clean(&mut script_cmd(
            &links,
            route,
            "dyndns-update-script.sh",
            &["-4", "nrouter"],
            fresh.path(),
            &wrong_vars,
        ));
        assert_eq!(run.code, 10, "{run:?}\n{}", context());
        assert_eq!(named.dig(&fqdn, "A"), vec![WEB_V4.to_string()]);
    }
}
