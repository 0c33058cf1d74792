//! Every preset against the loopback mock through `--server`: the path, query and
//! credentials the mock received, the User-Agent, and how a success and a failure
//! answer map to output and exit codes.

mod support;

use support::*;

const V4: &str = "203.0.113.7";
const V6: &str = "2001:db8::7";

/// Which secret a preset takes, and how it is given.
#[derive(Clone, Copy)]
enum Cred {
    Token,
    Password,
    /// `-u user --password-file`.
    Login,
}

/// What the mock must have received in one request. In `params` and `auth`, the
/// values "TOKEN" and "PASSWORD" stand for the fixture's secrets.
struct Expect {
    path: &'static str,
    params: &'static [(&'static str, &'static str)],
    absent: &'static [&'static str],
    auth: Option<(&'static str, &'static str)>,
}

struct Case<'a> {
    preset: &'static str,
    cred: Cred,
    /// Address flags.
    addrs: &'static [&'static str],
    host: &'static str,
    replies: &'static [&'static str],
    requests: &'a [Expect],
    stdout: &'static str,
    /// A failure answer (status, body) and the exit code it must give.
    failure: (u16, &'static str, i32),
}

fn secret_value(text: &str) -> &str {
    match text {
        "TOKEN" => TOKEN,
        "PASSWORD" => PASSWORD,
        other => other,
    }
}

fn args_for(fx: &Fixture, case: &Case<'_>) -> Vec<String> {
    let mut all = vec!["-p".to_string(), case.preset.to_string()];
    match case.cred {
        Cred::Token => all.extend(fx.token_args()),
        Cred::Password => all.extend([
            "--password-file".to_string(),
            fx.password_file.display().to_string(),
        ]),
        Cred::Login => all.extend(fx.login_args("user")),
    }
    all.extend(case.addrs.iter().map(|s| s.to_string()));
    all.push(case.host.to_string());
    all
}

fn check(case: &Case<'_>) {
    let name = case.preset;
    let fx = Fixture::http();
    for reply in case.replies {
        fx.mock.reply(Reply::ok(reply));
    }
    let run = fx.run_owned(&args_for(&fx, case));
    assert_eq!(run.code, 0, "{name}: {run:?}");
    assert_eq!(run.stdout, case.stdout, "{name}");
    let requests = fx.mock.requests();
    assert_eq!(requests.len(), case.requests.len(), "{name}: {requests:?}");
    for (got, want) in requests.iter().zip(case.requests) {
        assert_eq!(got.method, "GET", "{name}");
        assert_eq!(got.path, want.path, "{name}: {}", got.target);
        for (key, value) in want.params {
            assert_eq!(
                got.param(key),
                Some(secret_value(value)),
                "{name}: {key} in {}",
                got.target
            );
        }
        for key in want.absent {
            assert_eq!(got.param(key), None, "{name}: {key} in {}", got.target);
        }
        let auth = want
            .auth
            .map(|(u, p)| (secret_value(u).to_string(), secret_value(p).to_string()));
        assert_eq!(got.basic_auth(), auth, "{name}");
        let agent = got.header("user-agent").unwrap_or_default();
        assert!(agent.starts_with("dynup dynup/"), "{name}: {agent}");
    }

    let (status, body, code) = case.failure;
    let fx = Fixture::http();
    fx.mock.default_reply(Reply::status(status, body));
    let run = fx.run_owned(&args_for(&fx, case));
    assert_eq!(run.code, code, "{name} failure: {run:?}");
    assert!(
        run.stderr.contains(&format!("[exit {code}]")),
        "{name}: {run:?}"
    );
}

fn both() -> &'static [&'static str] {
    &["--ipv4", V4, "--ipv6", V6]
}

const V4_ONLY: &[&str] = &["--ipv4", V4];

#[test]
fn dynv6() {
    check(&Case {
        preset: "dynv6",
        cred: Cred::Token,
        addrs: both(),
        host: "h.dynv6.net",
        replies: &["addresses updated"],
        requests: &[Expect {
            path: "/api/update",
            params: &[
                ("zone", "h.dynv6.net"),
                ("token", "TOKEN"),
                ("ipv4", V4),
                ("ipv6", V6),
            ],
            absent: &[],
            auth: None,
        }],
        stdout: "h.dynv6.net: updated A 203.0.113.7 AAAA 2001:db8::7\n",
        failure: (401, "invalid authentication token", 10),
    });
}

#[test]
fn dynv6_nic() {
    check(&Case {
        preset: "dynv6-nic",
        cred: Cred::Token,
        addrs: V4_ONLY,
        host: "h.dynv6.net",
        replies: &["good 203.0.113.7"],
        requests: &[Expect {
            path: "/nic/update",
            params: &[("hostname", "h.dynv6.net"), ("myip", V4)],
            absent: &["token"],
            auth: Some(("none", "TOKEN")),
        }],
        stdout: "h.dynv6.net: updated A 203.0.113.7\n",
        failure: (200, "badauth", 10),
    });
}

/// The presets that speak plain dyndns2 with `--user` and `myip=v4[,v6]`.
#[test]
fn plain_dyndns2_presets() {
    for (preset, addrs, myip, stdout) in [
        (
            "noip",
            both(),
            "203.0.113.7,2001:db8::7",
            "h.example: updated A 203.0.113.7 AAAA 2001:db8::7\n",
        ),
        (
            "dyndns2",
            both(),
            "203.0.113.7,2001:db8::7",
            "h.example: updated A 203.0.113.7 AAAA 2001:db8::7\n",
        ),
        (
            "strato",
            both(),
            "203.0.113.7,2001:db8::7",
            "h.example: updated A 203.0.113.7 AAAA 2001:db8::7\n",
        ),
        ("dyn", V4_ONLY, V4, "h.example: updated A 203.0.113.7\n"),
        (
            "dnsomatic",
            V4_ONLY,
            V4,
            "h.example: updated A 203.0.113.7\n",
        ),
        (
            "selfhost",
            V4_ONLY,
            V4,
            "h.example: updated A 203.0.113.7\n",
        ),
    ] {
        let params: &'static [(&str, &str)] = match myip {
            V4 => &[("hostname", "h.example"), ("myip", V4)],
            _ => &[
                ("hostname", "h.example"),
                ("myip", "203.0.113.7,2001:db8::7"),
            ],
        };
        let requests = [Expect {
            path: "/nic/update",
            params,
            absent: &["myipv6", "password"],
            auth: Some(("user", "PASSWORD")),
        }];
        check(&Case {
            preset,
            cred: Cred::Login,
            addrs,
            host: "h.example",
            replies: &["good"],
            requests: &requests,
            stdout,
            failure: (200, "nohost", 11),
        });
    }
}

#[test]
fn ipv4_only_presets_refuse_ipv6() {
    for preset in ["dyn", "dnsomatic", "ovh", "selfhost"] {
        let fx = Fixture::http();
        let mut all = vec!["-p".to_string(), preset.to_string()];
        all.extend(fx.login_args("user"));
        all.extend(["--ipv6", V6, "h.example"].map(String::from));
        let run = fx.run_owned(&all);
        assert_eq!(run.code, 2, "{preset}: {run:?}");
        assert!(run.one_error_line().contains("IPv4 only"), "{run:?}");
        assert_eq!(fx.mock.count(), 0);
    }
}

#[test]
fn he_net_one_family_per_request_host_as_user() {
    check(&Case {
        preset: "he.net",
        cred: Cred::Password,
        addrs: both(),
        host: "h.example",
        replies: &["good 203.0.113.7", "nochg 2001:db8::7"],
        requests: &[
            Expect {
                path: "/nic/update",
                params: &[("hostname", "h.example"), ("myip", V4)],
                absent: &["password"],
                auth: Some(("h.example", "PASSWORD")),
            },
            Expect {
                path: "/nic/update",
                params: &[("hostname", "h.example"), ("myip", V6)],
                absent: &["password"],
                auth: Some(("h.example", "PASSWORD")),
            },
        ],
        stdout: "h.example: updated A 203.0.113.7; already current AAAA 2001:db8::7\n",
        failure: (200, "badauth", 10),
    });
}

#[test]
fn desec_separate_parameters_and_preserve() {
    check(&Case {
        preset: "desec",
        cred: Cred::Token,
        addrs: &["-4", "--ipv4", V4],
        host: "h.dedyn.io",
        replies: &["good"],
        requests: &[Expect {
            path: "/",
            params: &[
                ("hostname", "h.dedyn.io"),
                ("myipv4", V4),
                ("myipv6", "preserve"),
            ],
            absent: &["myip"],
            auth: Some(("h.dedyn.io", "TOKEN")),
        }],
        stdout: "h.dedyn.io: updated A 203.0.113.7\n",
        failure: (401, "", 10),
    });
}

#[test]
fn duckdns_own_protocol() {
    check(&Case {
        preset: "duckdns",
        cred: Cred::Token,
        addrs: both(),
        host: "myhome.duckdns.org",
        replies: &["OK\n203.0.113.7\n2001:db8::7\nUPDATED"],
        requests: &[Expect {
            path: "/update",
            params: &[
                ("domains", "myhome"),
                ("token", "TOKEN"),
                ("ip", V4),
                ("ipv6", V6),
                ("verbose", "true"),
            ],
            absent: &[],
            auth: None,
        }],
        stdout: "myhome.duckdns.org: updated A 203.0.113.7 AAAA 2001:db8::7\n",
        failure: (200, "KO", 10),
    });
}

#[test]
fn duckdns_unchanged_and_no_ipv6_auto() {
    let fx = Fixture::http();
    fx.mock.reply(Reply::ok("OK\n203.0.113.7\n\nNOCHANGE"));
    let mut all = vec!["-p".to_string(), "duckdns".to_string()];
    all.extend(fx.token_args());
    all.extend(["--ipv4", V4, "a.duckdns.org", "b"].map(String::from));
    let run = fx.run_owned(&all);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout,
        "a.duckdns.org: already current A 203.0.113.7\nb: already current A 203.0.113.7\n"
    );
    assert_eq!(
        fx.mock
            .last()
            .and_then(|r| r.param("domains").map(String::from)),
        Some("a,b".to_string())
    );

    let mut v6 = vec!["-p".to_string(), "duckdns".to_string()];
    v6.extend(fx.token_args());
    v6.extend(["-6", "a.duckdns.org"].map(String::from));
    let refused = fx.run_owned(&v6);
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(refused.one_error_line().contains("--ipv6 ADDRESS"));
}

#[test]
fn freedns_token_as_the_query() {
    let fx = Fixture::http();
    fx.mock.reply(Reply::ok(
        "Updated 1 host(s) h.mooo.com to 203.0.113.7 in 0.139 seconds",
    ));
    let mut all = vec!["-p".to_string(), "freedns".to_string()];
    all.extend(fx.token_args());
    all.extend(["--ipv4", V4, "h.mooo.com"].map(String::from));
    let run = fx.run_owned(&all);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, "h.mooo.com: updated A 203.0.113.7\n");
    let r = fx.mock.last().expect("a request");
    assert_eq!(r.path, "/dynamic/update.php");
    assert_eq!(
        r.target,
        format!("/dynamic/update.php?{TOKEN}&address={V4}")
    );

    let fx = Fixture::http();
    fx.mock
        .reply(Reply::ok("ERROR: Address 203.0.113.7 has not changed."));
    let run = fx.run_owned(&all_for(&fx, "freedns", &["--ipv4", V4, "h.mooo.com"]));
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, "h.mooo.com: already current A 203.0.113.7\n");

    let fx = Fixture::http();
    fx.mock.reply(Reply::ok(
        "ERROR: Unable to locate this record (changed password recently? deleted and re-created this dns entry?)",
    ));
    let run = fx.run_owned(&all_for(&fx, "freedns", &["--ipv4", V4, "h.mooo.com"]));
    assert_eq!(run.code, 10, "{run:?}");

    for bad in [
        &["--ipv4", V4, "a.mooo.com", "b.mooo.com"][..],
        &["--ipv4", V4, "--ipv6", V6, "a.mooo.com"][..],
    ] {
        let run = fx.run_owned(&all_for(&fx, "freedns", bad));
        assert_eq!(run.code, 2, "{run:?}");
        assert!(run.one_error_line().contains("freedns"));
    }
}

fn all_for(fx: &Fixture, preset: &str, rest: &[&str]) -> Vec<String> {
    let mut all = vec!["-p".to_string(), preset.to_string()];
    all.extend(fx.token_args());
    all.extend(rest.iter().map(|s| s.to_string()));
    all
}

#[test]
fn nsupdate_info_host_as_user_per_family() {
    check(&Case {
        preset: "nsupdate.info",
        cred: Cred::Password,
        addrs: both(),
        host: "h.nsupdate.info",
        replies: &["good 203.0.113.7", "good 2001:db8::7"],
        requests: &[
            Expect {
                path: "/nic/update",
                params: &[("hostname", "h.nsupdate.info"), ("myip", V4)],
                absent: &[],
                auth: Some(("h.nsupdate.info", "PASSWORD")),
            },
            Expect {
                path: "/nic/update",
                params: &[("hostname", "h.nsupdate.info"), ("myip", V6)],
                absent: &[],
                auth: Some(("h.nsupdate.info", "PASSWORD")),
            },
        ],
        stdout: "h.nsupdate.info: updated A 203.0.113.7 AAAA 2001:db8::7\n",
        failure: (200, "abuse", 15),
    });
}

#[test]
fn dynu_keeps_the_family_not_sent() {
    check(&Case {
        preset: "dynu",
        cred: Cred::Login,
        addrs: &["-4", "--ipv4", V4],
        host: "h.dynu.net",
        replies: &["good 203.0.113.7"],
        requests: &[Expect {
            path: "/nic/update",
            params: &[
                ("hostname", "h.dynu.net"),
                ("myip", V4),
                ("myipv6", "no"),
                ("username", "user"),
                ("password", "PASSWORD"),
            ],
            absent: &[],
            auth: None,
        }],
        stdout: "h.dynu.net: updated A 203.0.113.7\n",
        failure: (200, "badauth", 10),
    });
}

#[test]
fn ovh_sends_system_dyndns() {
    check(&Case {
        preset: "ovh",
        cred: Cred::Login,
        addrs: V4_ONLY,
        host: "h.example",
        replies: &["good 203.0.113.7"],
        requests: &[Expect {
            path: "/nic/update",
            params: &[
                ("system", "dyndns"),
                ("hostname", "h.example"),
                ("myip", V4),
            ],
            absent: &[],
            auth: Some(("user", "PASSWORD")),
        }],
        stdout: "h.example: updated A 203.0.113.7\n",
        failure: (200, "911", 16),
    });
}

#[test]
fn inwx_and_ipv64_separate_parameters() {
    check(&Case {
        preset: "inwx",
        cred: Cred::Login,
        addrs: both(),
        host: "h.example",
        replies: &["good"],
        requests: &[Expect {
            path: "/nic/update",
            params: &[("hostname", "h.example"), ("myip", V4), ("myipv6", V6)],
            absent: &[],
            auth: Some(("user", "PASSWORD")),
        }],
        stdout: "h.example: updated A 203.0.113.7 AAAA 2001:db8::7\n",
        failure: (401, "", 10),
    });
    check(&Case {
        preset: "ipv64",
        cred: Cred::Token,
        addrs: both(),
        host: "h.any64.de",
        replies: &["nochg"],
        requests: &[Expect {
            path: "/nic/update",
            params: &[("hostname", "h.any64.de"), ("myip", V4), ("myipv6", V6)],
            absent: &["key", "token"],
            auth: Some(("none", "TOKEN")),
        }],
        stdout: "h.any64.de: already current A 203.0.113.7 AAAA 2001:db8::7\n",
        failure: (200, "badauth", 10),
    });
}

#[test]
fn spdyn_credentials_in_the_query() {
    check(&Case {
        preset: "spdyn",
        cred: Cred::Login,
        addrs: V4_ONLY,
        host: "h.spdns.de",
        replies: &["good 203.0.113.7"],
        requests: &[Expect {
            path: "/nic/update",
            params: &[
                ("hostname", "h.spdns.de"),
                ("myip", V4),
                ("user", "user"),
                ("pass", "PASSWORD"),
            ],
            absent: &[],
            auth: None,
        }],
        stdout: "h.spdns.de: updated A 203.0.113.7\n",
        failure: (200, "badauth", 10),
    });
}

#[test]
fn dyndns_server_by_query() {
    check(&Case {
        preset: "dyndns-server",
        cred: Cred::Password,
        addrs: both(),
        host: "h.dyn.example.org",
        replies: &["UPDATED: h.dyn.example.org. A None -> 203.0.113.7\nUPDATED: h.dyn.example.org. AAAA None -> 2001:db8::7\n"],
        requests: &[Expect {
            path: "/update-by-query",
            params: &[
                ("secret", "PASSWORD"),
                ("fqdn", "h.dyn.example.org"),
                ("ipv4", V4),
                ("ipv6", V6),
            ],
            absent: &["ttl", "zone_name", "record_name"],
            auth: None,
        }],
        stdout: "h.dyn.example.org: updated A 203.0.113.7 AAAA 2001:db8::7\n",
        failure: (456, "PARAMETER_ERROR: You specified a wrong secret key.\n", 10),
    });
}

#[test]
fn list_providers_names_every_preset() {
    let fx = Fixture::http();
    let run = run_clean(dynup(&fx.cache()).arg("--list-providers"));
    assert_eq!(run.code, 0, "{run:?}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(lines[0].starts_with("NAME"), "{}", run.stdout);
    for name in [
        "dynv6",
        "dynv6-nic",
        "noip",
        "dyn",
        "he.net",
        "desec",
        "duckdns",
        "freedns",
        "dnsomatic",
        "nsupdate.info",
        "dynu",
        "ovh",
        "inwx",
        "strato",
        "selfhost",
        "spdyn",
        "ipv64",
        "dyndns-server",
        "template",
    ] {
        assert!(
            lines
                .iter()
                .any(|l| l.split_whitespace().next() == Some(name)),
            "{name} missing: {}",
            run.stdout
        );
    }
    assert!(run.stdout.contains("https://dyn.dns.he.net/nic/update"));
}
