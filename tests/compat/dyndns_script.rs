//! dyndns-update-script.sh: the seed's cron lines and every documented line
//! against a mock, its config file and failures, and the cron line against the
//! real dyndns 2.0.0 server in front of BIND.

use std::fs;
use std::net::{IpAddr, Ipv6Addr, TcpListener};
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use super::support::dyndns_server::DyndnsServer;
use super::support::named::{Named, TsigKey, Zone};
use super::support::*;
use super::{script_cmd, Lab, Route, BRIDGE, GLOBAL, ROUTES, WEB_V4, WEB_V6, ZONE};

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
