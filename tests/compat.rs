//! dynup as `dynv6.sh` and as `dyndns-update-script.sh`: each script's documented
//! command lines, run through a symlink named like the script and as `dynup compat
//! NAME ...`, in a network namespace with a real bridge `br-lan` (a global, a
//! tentative, a deprecated and a unique-local IPv6 address, and an IPv4 one),
//! against mocks on that namespace's loopback; and the seed's cron line against the
//! real dyndns 2.0.0 server in front of BIND, records read back with dig.
//! Needs root, iproute2, BIND and the PyPI server (tests/deps.sh, tests/peers.sh).

mod support;

#[path = "compat/dyndns_script.rs"]
mod dyndns_script;
#[path = "compat/dynv6_sh.rs"]
mod dynv6_sh;

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

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
