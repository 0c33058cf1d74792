//! dyndns-server (PyPI dyndns 2.0.0's HTTP API) against the loopback mock: every
//! request form, the family-deletion warning, and every error status to its code.

mod support;

use support::*;

fn server(fx: &Fixture, extra: &[&str]) -> Vec<String> {
    let mut all = vec![
        "-p".to_string(),
        "dyndns-server".to_string(),
        "--password-file".to_string(),
        fx.password_file.display().to_string(),
    ];
    all.extend(extra.iter().map(|s| s.to_string()));
    all
}

const BOTH: &str = "UPDATED: www.example.org. A None -> 203.0.113.7\n\
                    UPDATED: www.example.org. AAAA None -> 2001:db8::7\n";

#[test]
fn zone_record_name_and_ttl() {
    let fx = Fixture::http();
    fx.mock.reply(Reply::ok(BOTH));
    let run = fx.run_owned(&server(
        &fx,
        &[
            "--zone",
            "Example.ORG.",
            "--ttl",
            "60",
            "--ipv4",
            "203.0.113.7",
            "--ipv6",
            "2001:db8::7",
            "www.example.org",
        ],
    ));
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stderr, "", "both families: no warning");
    let r = fx.mock.last().expect("a request");
    assert_eq!(r.path, "/update-by-query");
    assert_eq!(r.param("secret"), Some(PASSWORD));
    assert_eq!(r.param("zone_name"), Some("example.org"));
    assert_eq!(r.param("record_name"), Some("www"));
    assert_eq!(r.param("fqdn"), None);
    assert_eq!(r.param("ttl"), Some("60"));
}

#[test]
fn by_path_and_delete() {
    let fx = Fixture::http();
    fx.mock.reply(Reply::ok(BOTH));
    let run = fx.run_owned(&server(
        &fx,
        &[
            "--by-path",
            "--ipv4",
            "203.0.113.7",
            "--ipv6",
            "2001:db8::7",
            "www.example.org",
        ],
    ));
    assert_eq!(run.code, 0, "{run:?}");
    let r = fx.mock.last().expect("a request");
    assert_eq!(
        r.target,
        format!("/update-by-path/{PASSWORD}/www.example.org/203.0.113.7/2001%3Adb8%3A%3A7")
    );

    fx.mock.reply(Reply::ok(
        "UPDATED: The A and AAAA records of the domain name 'www.example.org.' were deleted.\n",
    ));
    let run = fx.run_owned(&server(&fx, &["--delete", "www.example.org"]));
    assert_eq!(run.code, 0, "{run:?}");
    let r = fx.mock.last().expect("a request");
    assert_eq!(
        r.target,
        format!("/delete-by-path/{PASSWORD}/www.example.org")
    );

    // -v shows the request with the secret masked in the path.
    fx.mock.reply(Reply::ok(BOTH));
    let shown = fx.run_owned(&server(
        &fx,
        &[
            "-v",
            "-f",
            "--by-path",
            "--ipv4",
            "203.0.113.7",
            "--ipv6",
            "2001:db8::7",
            "www.example.org",
        ],
    ));
    assert!(
        shown.stderr.contains("GET http://127.0.0.1:")
            && shown
                .stderr
                .contains("/update-by-path/***/www.example.org/203.0.113.7/"),
        "{shown:?}"
    );

    // A deletion is never skipped as "unchanged".
    fx.mock
        .reply(Reply::ok("UNCHANGED: The deletion ... was not executed\n"));
    let again = fx.run_owned(&server(&fx, &["--delete", "www.example.org"]));
    assert_eq!(again.code, 0, "{again:?}");
    assert_eq!(fx.mock.count(), 4);

    for bad in [
        &["--by-path", "--ttl", "60", "www.example.org"][..],
        &["--delete", "--ipv4", "203.0.113.7", "www.example.org"][..],
        &["--ttl", "0", "www.example.org"][..],
        &["--ttl", "86401", "www.example.org"][..],
        &["--zone", "bad zone", "www.example.org"][..],
        &["--zone", "a..b", "www.example.org"][..],
    ] {
        let run = fx.run_owned(&server(&fx, bad));
        assert_eq!(run.code, 2, "{bad:?}: {run:?}");
    }
    assert_eq!(fx.mock.count(), 4);
}

#[test]
fn one_family_warns_that_the_other_is_deleted_unless_quiet() {
    let fx = Fixture::http();
    fx.mock.default_reply(Reply::ok(
        "UPDATED: www.example.org. A None -> 203.0.113.7\nUNCHANGED: www.example.org. AAAA None\n",
    ));
    let run = fx.run_owned(&server(&fx, &["--ipv4", "203.0.113.7", "www.example.org"]));
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.one_error_line()
            .contains("the AAAA record of each host is removed"),
        "{run:?}"
    );
    let quiet = fx.run_owned(&server(
        &fx,
        &["-q", "-f", "--ipv4", "203.0.113.7", "www.example.org"],
    ));
    assert_eq!(quiet.code, 0, "{quiet:?}");
    assert_eq!(quiet.stderr, "");
    assert!(dynup_help().contains("DELETES the record of a family not sent"));
}

fn dynup_help() -> String {
    let dir = TempDir::new("help");
    run_clean(dynup(dir.path()).arg("--help")).stdout
}

#[test]
fn auto_only_for_a_family_sent_alone() {
    let fx = Fixture::http();
    fx.mock.reply(Reply::ok(
        "UPDATED: h. A None -> 127.0.0.1\nUNCHANGED: h. AAAA None\n",
    ));
    let run = fx.run_owned(&server(&fx, &["-q", "www.example.org"]));
    assert_eq!(run.code, 0, "{run:?}");
    let r = fx.mock.last().expect("a request");
    assert_eq!(r.param("ipv4"), None);
    assert!(r.peer.is_ipv4());

    let mixed = fx.run_owned(&server(&fx, &["--ipv6", "2001:db8::1", "www.example.org"]));
    assert_eq!(mixed.code, 2, "{mixed:?}");
    assert_eq!(fx.mock.count(), 1);
}

#[test]
fn every_error_status_maps_to_its_exit_code() {
    for (status, body, code) in [
        (
            456,
            "PARAMETER_ERROR: You specified a wrong secret key.\n",
            10,
        ),
        (
            456,
            "PARAMETER_ERROR: extra_forbidden: Extra inputs are not permitted (x).\n",
            17,
        ),
        (453, "DNS_NAME_ERROR: The zone could not be found.\n", 11),
        (454, "IP_ADDRESS_ERROR: Invalid ip address '1.2.3'\n", 17),
        (
            455,
            "CONFIGURATION_ERROR: The configuration file could not be found.\n",
            16,
        ),
        (457, "CHECK_ERROR: check failed\n", 16),
        (512, "DNS_SERVER_ERROR: The DNS operation timed out.\n", 16),
        (452, "DYNDNSERROR: No ip addresses set.\n", 17),
        (
            500,
            "CONNECTIONREFUSEDERROR: [Errno 111] Connection refused\n",
            16,
        ),
        (200, "dyndns v2.0.0\n", 1),
    ] {
        let fx = Fixture::http();
        fx.mock.default_reply(Reply::status(status, body));
        let base = server(
            &fx,
            &[
                "--ipv4",
                "203.0.113.7",
                "--ipv6",
                "2001:db8::7",
                "www.example.org",
            ],
        );
        let run = fx.run_owned(&base);
        assert_eq!(run.code, code, "{status} {body}: {run:?}");
        let line = run.one_error_line();
        assert!(line.contains(&format!("[exit {code}]")), "{line}");
        assert!(line.contains(&format!("HTTP {status}")), "{line}");
    }
}

#[test]
fn a_family_the_server_removed_is_sent_again() {
    let fx = Fixture::http();
    fx.mock.default_reply(Reply::ok(BOTH));
    let both = |v4: &str| {
        server(
            &fx,
            &[
                "-q",
                "--ipv4",
                v4,
                "--ipv6",
                "2001:db8::7",
                "www.example.org",
            ],
        )
    };
    assert_eq!(fx.run_owned(&both("203.0.113.7")).code, 0);
    // A alone, unchanged: still sent, as the server then removes AAAA.
    let same_v4_only = server(
        &fx,
        &["-q", "-4", "--ipv4", "203.0.113.7", "www.example.org"],
    );
    assert_eq!(fx.run_owned(&same_v4_only).code, 0);
    assert_eq!(fx.mock.count(), 2, "-4 after both families sent nothing");
    assert_eq!(
        fx.mock
            .last()
            .and_then(|r| r.param("ipv6").map(String::from)),
        None
    );
    assert_eq!(fx.run_owned(&both("203.0.113.7")).code, 0);
    assert_eq!(fx.mock.count(), 3);
    // A alone, changed: the server removes AAAA.
    let v4_only = server(
        &fx,
        &["-q", "-4", "--ipv4", "203.0.113.8", "www.example.org"],
    );
    assert_eq!(fx.run_owned(&v4_only).code, 0);
    assert!(
        !fx.state_text().contains("2001:db8::7"),
        "{}",
        fx.state_text()
    );
    // Both again: AAAA must be sent, though its value is the one sent first.
    assert_eq!(fx.run_owned(&both("203.0.113.8")).code, 0);
    assert_eq!(fx.mock.count(), 5);
    assert_eq!(
        fx.mock
            .last()
            .and_then(|r| r.param("ipv6").map(String::from)),
        Some("2001:db8::7".to_string())
    );
    // After --delete, the same addresses are sent again.
    assert_eq!(
        fx.run_owned(&server(&fx, &["-q", "--delete", "www.example.org"]))
            .code,
        0
    );
    assert_eq!(fx.run_owned(&both("203.0.113.8")).code, 0);
    assert_eq!(fx.mock.count(), 7);
}
