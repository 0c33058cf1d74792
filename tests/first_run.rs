//! What a new user meets first: the provider taken from the host's domain (and
//! never a default that would get another provider's credential), the default
//! families, host names as the provider sees them, mistakes said in one line
//! without network traffic, dry runs that always say what they would do,
//! `dynup status` and `dynup release`, and help that fits a terminal.

mod support;

use std::fs;

use support::netns::Netns;
use support::*;

fn with_token(fx: &Fixture, extra: &[&str]) -> Run {
    fx.run_owned(&args(extra, &fx.token_args()))
}

#[test]
fn the_provider_comes_from_the_domain_and_a_stranger_needs_p() {
    // The Duck DNS token goes to Duck DNS: its request shape, not dynv6's.
    let fx = Fixture::http();
    fx.mock.reply(Reply::ok("OK"));
    let run = with_token(&fx, &["--ipv4", "203.0.113.7", "myhome.duckdns.org"]);
    assert_eq!(run.code, 0, "{run:?}");
    let request = fx.mock.last().expect("a request");
    assert_eq!(request.path, "/update");
    assert_eq!(request.param("domains"), Some("myhome"));
    assert_eq!(request.param("zone"), None);

    // A host under no known domain, or hosts of two providers: exit 2, no traffic.
    for (hosts, likely) in [
        (
            vec!["home.example.org"],
            "(likely: dynv6, dynv6-nic, he.net, desec, freedns",
        ),
        (
            vec!["a.dynv6.net", "b.duckdns.org"],
            "(likely: dynv6, duckdns)",
        ),
    ] {
        let run = with_token(&fx, &hosts);
        assert_eq!(run.code, 2, "{hosts:?}: {run:?}");
        let line = run.one_error_line();
        assert!(line.contains("which provider?"), "{line}");
        assert!(line.contains(&format!("give -p NAME {likely}")), "{line}");
    }
    assert_eq!(fx.mock.count(), 1, "nothing sent for a provider not chosen");
}

#[test]
fn common_provider_spellings_are_aliases() {
    let fx = Fixture::http();
    for (alias, preset_path) in [("duck", "/update"), ("dynv6.com", "/api/update")] {
        let run = with_token(
            &fx,
            &["-n", "-p", alias, "--ipv4", "192.0.2.1", "h.duckdns.org"],
        );
        assert_eq!(run.code, 0, "{alias}: {run:?}");
        assert!(run.stdout.contains(preset_path), "{alias}: {run:?}");
    }
    for alias in ["no-ip", "noip.com", "he"] {
        let run = fx.run_owned(&args(
            &["-n", "-p", alias, "--ipv4", "192.0.2.1", "a.ddns.net"],
            &fx.login_args("user"),
        ));
        assert_eq!(run.code, 0, "{alias}: {run:?}");
        assert!(run.stdout.contains("would send: GET"), "{alias}: {run:?}");
    }
    assert_eq!(fx.mock.count(), 0);
}

#[test]
fn host_names_are_normalized_and_sent_once() {
    let fx = Fixture::http();
    fx.mock.reply(Reply::ok("addresses updated"));
    let run = with_token(
        &fx,
        &[
            "--ipv4",
            "192.0.2.1",
            "MyHome.DYNV6.net.",
            "myhome.dynv6.net",
        ],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, "myhome.dynv6.net: updated A 192.0.2.1\n");
    assert_eq!(fx.mock.count(), 1, "one host, one request");
    assert_eq!(
        fx.mock
            .last()
            .and_then(|r| r.param("zone").map(str::to_string)),
        Some("myhome.dynv6.net".to_string())
    );
    // The same host as typed differently is the same state: nothing to send.
    let again = with_token(&fx, &["--ipv4", "192.0.2.1", "myhome.dynv6.net"]);
    assert_eq!((again.code, again.stdout.as_str()), (0, ""), "{again:?}");
    assert_eq!(fx.mock.count(), 1);
    assert_eq!(fx.state_files().len(), 1);
}

#[test]
fn mistakes_are_one_line_exit_2_and_no_traffic() {
    let fx = Fixture::http();
    // A check-IP server that would answer, to show it is not asked.
    let checkip = fx.mock.url();
    let password = fx.password_file.display().to_string();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["-i", "nosuch0", "h.dynv6.net"],
            "there is no interface nosuch0",
        ),
        (vec!["--ipv4", "if:nosuch0", "h.dynv6.net"], "(it has: lo"),
        (vec!["--ipv4", "web:ftp://x", "h.dynv6.net"], "web:URL"),
        (
            vec!["--token-fle", "x", "h.dynv6.net"],
            "did you mean --token-file?",
        ),
        (vec!["-p", "dynv7", "h.dynv6.net"], "did you mean 'dynv6'?"),
        (
            vec![
                "--password-file",
                &password,
                "-p",
                "duckdns",
                "h.duckdns.org",
            ],
            "duckdns takes a token, not --password-file",
        ),
    ];
    for (extra, words) in cases {
        let mut cmd = fx.cmd(&[]);
        // --token-file only where the case does not bring its own secret.
        if !extra.contains(&"--password-file") {
            cmd.args(fx.token_args());
        }
        cmd.args(&extra).env("DYNUP_CHECKIP", &checkip);
        let run = run_clean(&mut cmd);
        assert_eq!(run.code, 2, "{extra:?}: {run:?}");
        let line = run.one_error_line();
        assert!(line.contains(words), "{extra:?}: {line}");
        assert!(line.len() < 200, "{extra:?}: a short line: {line}");
    }
    // An IPv6 server without brackets: the brackets explained (no --server from the fixture).
    let run = run_clean(dynup(&fx.cache()).args(fx.token_args()).args([
        "-s",
        "https://::1:443",
        "h.dynv6.net",
    ]));
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.one_error_line()
            .contains("an IPv6 address goes in brackets, as in https://[::1]:443"),
        "{run:?}"
    );
    assert_eq!(fx.mock.count(), 0, "no request, no check-IP question");
    assert_eq!(fx.mock.connections(), 0);

    // `dynup help` is --help.
    let help = run_clean(dynup(&fx.cache()).arg("help"));
    let long = run_clean(dynup(&fx.cache()).arg("--help"));
    assert_eq!((help.code, &help.stdout), (0, &long.stdout));
}

#[test]
fn dry_run_says_unchanged_and_held() {
    let fx = Fixture::http();
    fx.mock.reply(Reply::ok("addresses updated"));
    let host = ["--ipv4", "192.0.2.1", "h.dynv6.net"];
    assert_eq!(with_token(&fx, &host).code, 0);
    let mut dry = host.to_vec();
    dry.insert(0, "-n");
    let run = with_token(&fx, &dry);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout
            .starts_with("h.dynv6.net: would send nothing: unchanged since 20"),
        "{run:?}"
    );

    // A refused token holds the host; a dry run says so and exits as a run would.
    fx.mock
        .reply(Reply::status(401, "invalid authentication token"));
    let run = with_token(&fx, &["--ipv4", "192.0.2.2", "h.dynv6.net"]);
    assert_eq!(run.code, 10, "{run:?}");
    let run = with_token(&fx, &["-n", "--ipv4", "192.0.2.2", "h.dynv6.net"]);
    assert_eq!(run.code, 10, "{run:?}");
    assert!(
        run.stdout
            .starts_with("h.dynv6.net: would send nothing: held since 20"),
        "{run:?}"
    );
    assert_eq!(fx.mock.count(), 2);
}

#[test]
fn dry_run_as_a_user_who_cannot_read_the_state() {
    let fx = Fixture::http();
    fx.mock.reply(Reply::ok("addresses updated"));
    assert_eq!(
        with_token(&fx, &["--ipv4", "192.0.2.1", "h.dynv6.net"]).code,
        0
    );
    // The state directory is root's (0700); the token is nobody's own copy.
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(fx.dir.path(), fs::Permissions::from_mode(0o711)).expect("chmod");
    let token = fx.dir.join("nobody.token");
    fs::write(&token, format!("{TOKEN}\n")).expect("token");
    fs::set_permissions(&token, fs::Permissions::from_mode(0o600)).expect("chmod");
    let chown = std::process::Command::new("chown")
        .args(["65534:65534", &token.display().to_string()])
        .status()
        .expect("chown");
    assert!(chown.success());
    let mut cmd = std::process::Command::new("setpriv");
    let inner = fx.cmd(&[
        "-n",
        "--token-file",
        &token.display().to_string(),
        "--ipv4",
        "192.0.2.1",
        "h.dynv6.net",
    ]);
    cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(inner.get_program())
        .args(inner.get_args())
        .env_clear()
        .envs(inner.get_envs().filter_map(|(k, v)| v.map(|v| (k, v))));
    let run = run_clean(&mut cmd);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("would send: GET "), "{run:?}");
    assert!(
        run.stderr.contains("Permission denied") && run.stderr.contains("without state"),
        "{run:?}"
    );
    assert_eq!(fx.mock.count(), 1);
}

#[test]
fn status_release_and_one_held_line() {
    let fx = Fixture::http();
    fx.mock.default_reply(Reply::ok("addresses updated"));
    let hosts = ["--ipv4", "192.0.2.1", "a.dynv6.net", "b.dynv6.net"];
    assert_eq!(with_token(&fx, &hosts).code, 0);
    let status = run_clean(dynup(&fx.cache()).arg("status"));
    assert_eq!(status.code, 0, "{status:?}");
    assert!(
        status
            .stdout
            .starts_with("a.dynv6.net (dynv6)\n  A      192.0.2.1"),
        "{status:?}"
    );
    assert!(
        status.stdout.contains("b.dynv6.net (dynv6)\n"),
        "{status:?}"
    );
    assert!(status.stdout.contains("  not held\n"), "{status:?}");

    // A refused token: both hosts held.
    fx.mock
        .default_reply(Reply::status(401, "invalid authentication token"));
    let new_address = ["--ipv4", "192.0.2.9", "a.dynv6.net", "b.dynv6.net"];
    assert_eq!(with_token(&fx, &new_address).code, 10);
    let held = with_token(&fx, &new_address);
    assert_eq!(held.code, 10, "{held:?}");
    let line = held.one_error_line();
    assert!(
        line.starts_with("dynup: a.dynv6.net, b.dynv6.net: held since "),
        "{line}"
    );
    let quiet = with_token(&fx, &[&["-q"][..], &new_address].concat());
    assert_eq!((quiet.code, quiet.stderr.as_str()), (10, ""), "{quiet:?}");

    let status = run_clean(dynup(&fx.cache()).args(["status", "a.dynv6.net"]));
    assert!(status.stdout.contains("  held since "), "{status:?}");
    assert!(
        status.stdout.contains("invalid authentication token"),
        "{status:?}"
    );
    assert!(!status.stdout.contains("b.dynv6.net"), "{status:?}");

    let sent = fx.mock.count();
    let release = run_clean(dynup(&fx.cache()).args(["release", "A.dynv6.net"]));
    assert_eq!(release.code, 0, "{release:?}");
    assert!(
        release.stdout.starts_with("a.dynv6.net (dynv6): hold of "),
        "{release:?}"
    );
    assert_eq!(fx.mock.count(), sent, "release sends nothing");
    let unknown = run_clean(dynup(&fx.cache()).args(["release", "c.dynv6.net"]));
    assert_eq!(unknown.code, 2, "{unknown:?}");
    unknown.one_error_line();

    // a is free again, b still held: one request, for a.
    fx.mock.default_reply(Reply::ok("addresses updated"));
    let run = with_token(&fx, &new_address);
    assert_eq!(run.code, 10, "{run:?}");
    assert_eq!(run.stdout, "a.dynv6.net: updated A 192.0.2.9\n");
    assert!(run
        .one_error_line()
        .starts_with("dynup: b.dynv6.net: held since"));
    assert_eq!(fx.mock.count(), sent + 1, "a only");
}

#[test]
fn help_fits_a_terminal() {
    let dir = TempDir::new("help-width");
    let short = run_clean(dynup(dir.path()).arg("-h"));
    assert_eq!(short.code, 0);
    assert!(short.stdout.lines().count() <= 24, "{}", short.stdout);
    let examples = short
        .stdout
        .split("Examples:\n")
        .nth(1)
        .map(|rest| rest.lines().take_while(|l| !l.is_empty()).count());
    assert_eq!(examples, Some(3), "{}", short.stdout);
    for flag in [
        "--provider",
        "--token-file",
        "--password-file",
        "-4, -6",
        "--dry-run",
        "--quiet",
    ] {
        assert!(short.stdout.contains(flag), "-h lacks {flag}");
    }
    for flag in [
        &["-h"][..],
        &["--help"],
        &["--list-providers"],
        // (The drop-in modes' usage lines are the scripts' own, wider ones.)
        &["registered-ip", "--help"],
    ] {
        let run = run_clean(dynup(dir.path()).args(flag));
        assert_eq!(run.code, 0, "{flag:?}: {run:?}");
        for line in run.stdout.lines() {
            assert!(
                line.chars().count() <= 80,
                "{flag:?}: {} columns: {line}",
                line.len()
            );
        }
    }
}

#[test]
fn defaults_publish_ipv6_where_the_host_has_it() {
    // A host with a global IPv6 address: dynv6 gets A (auto) and AAAA.
    let ns = Netns::with_link("both");
    ns.add("2001:db8:5::7/64", &["nodad"]);
    let fx = Fixture::with(ns.inside(Mock::http), None);
    fx.mock.default_reply(Reply::ok("addresses updated"));
    let run = run_clean(&mut ns.wrap(&fx.cmd(&[
        "--token-file",
        &fx.token_file.display().to_string(),
        "h.dynv6.net",
    ])));
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout,
        "h.dynv6.net: updated A auto AAAA 2001:db8:5::7\n"
    );
    let request = fx.mock.last().expect("a request");
    assert_eq!(request.param("ipv4"), Some("auto"));
    assert_eq!(request.param("ipv6"), Some("2001:db8:5::7"));

    // Without one: IPv4 alone, exit 0, and only -v says why.
    let bare = Netns::with_link("v4only");
    bare.add("192.0.2.50/24", &[]);
    let fx = Fixture::with(bare.inside(Mock::http), None);
    fx.mock.default_reply(Reply::ok("addresses updated"));
    let token = fx.token_file.display().to_string();
    let run = run_clean(&mut bare.wrap(&fx.cmd(&["--token-file", &token, "-v", "h.dynv6.net"])));
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, "h.dynv6.net: updated A auto\n");
    assert!(
        run.stderr.contains("no global IPv6 address: IPv4 only"),
        "{run:?}"
    );
    assert_eq!(
        fx.mock
            .last()
            .and_then(|r| r.param("ipv6").map(str::to_string)),
        None
    );
}

#[test]
fn make_install_links_leave_other_files_alone() {
    let dir = TempDir::new("install-links");
    fs::write(dir.join("dynv6.sh"), "#!/bin/sh\necho the real script\n").expect("script");
    std::os::unix::fs::symlink("/usr/bin/dynup", dir.join("dyndns-update-script.sh"))
        .expect("link");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tools/install-links.sh");
    let out = std::process::Command::new("sh")
        .arg(script)
        .arg(dir.path())
        .output()
        .expect("sh");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("dynv6.sh exists and is not a link to dynup"),
        "{stderr}"
    );
    assert_eq!(
        fs::read_to_string(dir.join("dynv6.sh")).ok().as_deref(),
        Some("#!/bin/sh\necho the real script\n")
    );
    assert_eq!(
        fs::read_link(dir.join("dyndns-update-script.sh")).ok(),
        Some("dynup".into()),
        "a link to dynup is renewed"
    );
    // Once the real script is moved away, the link is made.
    fs::remove_file(dir.join("dynv6.sh")).expect("rm");
    let out = std::process::Command::new("sh")
        .arg(script)
        .arg(dir.path())
        .output()
        .expect("sh");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        fs::read_link(dir.join("dynv6.sh")).ok(),
        Some("dynup".into())
    );
}
