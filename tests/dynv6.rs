//! dynv6 Update API against the loopback mock: the request, the answers and
//! their exit codes, family forcing for `auto`, and the state rules.

mod support;

use std::net::{IpAddr, Ipv6Addr};

use support::*;

/// The `hold 16 SINCE UNTIL reason` line of a state file, and its two times.
fn retry_hold(state: &str) -> (String, u64, u64) {
    let line = state
        .lines()
        .find(|l| l.starts_with("hold 16 "))
        .unwrap_or_else(|| panic!("no retry hold in {state}"));
    let time = |i: usize| -> u64 {
        line.split(' ')
            .nth(i)
            .and_then(|t| t.parse().ok())
            .unwrap_or_else(|| panic!("bad hold line {line}"))
    };
    (line.to_string(), time(2), time(3))
}

fn dynv6_args(fx: &Fixture, extra: &[&str]) -> Vec<String> {
    args(extra, &fx.token_args())
}

#[test]
fn both_families_and_prefix_go_in_one_request() {
    let fx = Fixture::https();
    fx.mock.reply(Reply::ok("addresses updated"));
    let run = fx.run_owned(&dynv6_args(
        &fx,
        &[
            "--ipv4",
            "203.0.113.7",
            "--ipv6",
            "2001:db8::1/64",
            "--ipv6-prefix",
            "2001:db8:0:1::/64",
            "home.dynv6.net",
        ],
    ));
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout,
        "home.dynv6.net: updated A 203.0.113.7 AAAA 2001:db8::1/64 prefix 2001:db8:0:1::/64\n"
    );
    assert_eq!(run.stderr, "");
    let requests = fx.mock.requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert!(r.tls);
    assert_eq!(r.method, "GET");
    assert_eq!(r.path, "/api/update");
    assert_eq!(r.param("zone"), Some("home.dynv6.net"));
    assert_eq!(r.param("token"), Some(TOKEN));
    assert_eq!(r.param("ipv4"), Some("203.0.113.7"));
    assert_eq!(r.param("ipv6"), Some("2001:db8::1/64"));
    assert_eq!(r.param("ipv6prefix"), Some("2001:db8:0:1::/64"));
    assert_eq!(r.header("authorization"), None);
    let agent = r.header("user-agent").unwrap_or_default();
    assert!(
        agent.starts_with("dynup dynup/linux-") && agent.contains('@'),
        "{agent}"
    );
}

#[test]
fn an_unchanged_address_is_not_sent_again_and_a_new_one_is() {
    let fx = Fixture::http();
    fx.mock.default_reply(Reply::ok("addresses updated"));
    let first = fx.run_owned(&dynv6_args(
        &fx,
        &["-q", "--ipv4", "203.0.113.7", "h.dynv6.net"],
    ));
    assert_eq!(first.code, 0, "{first:?}");
    assert_eq!(first.stdout, "", "-q prints nothing on success");

    let second = fx.run_owned(&dynv6_args(&fx, &["--ipv4", "203.0.113.7", "h.dynv6.net"]));
    assert_eq!(second.code, 0, "{second:?}");
    assert_eq!(second.stdout, "");
    assert_eq!(fx.mock.count(), 1, "the unchanged address was sent again");

    let third = fx.run_owned(&dynv6_args(&fx, &["--ipv4", "203.0.113.8", "h.dynv6.net"]));
    assert_eq!(third.code, 0, "{third:?}");
    assert_eq!(third.stdout, "h.dynv6.net: updated A 203.0.113.8\n");
    assert_eq!(fx.mock.count(), 2);
    assert_eq!(fx.mock.requests()[1].param("ipv4"), Some("203.0.113.8"));
}

#[test]
fn addresses_unchanged_is_success_and_recorded() {
    let fx = Fixture::http();
    fx.mock.reply(Reply::ok("addresses unchanged"));
    let run = fx.run_owned(&dynv6_args(&fx, &["--ipv4", "203.0.113.7", "h.dynv6.net"]));
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, "h.dynv6.net: already current A 203.0.113.7\n");
    assert!(fx.state_text().contains("ipv4 203.0.113.7 "));
}

#[test]
fn auto_ipv4_travels_over_ipv4_without_an_address() {
    let fx = Fixture::http();
    fx.mock.reply(Reply::ok("addresses updated"));
    let run = fx.run_owned(&dynv6_args(&fx, &["h.dynv6.net"]));
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, "h.dynv6.net: updated A auto\n");
    let r = fx.mock.last().expect("a request");
    assert_eq!(r.param("ipv4"), Some("auto"));
    assert_eq!(r.param("ipv6"), None);
    assert!(r.peer.is_ipv4());
}

#[test]
fn auto_ipv6_is_forced_onto_ipv6() {
    // A server reachable over IPv6 only answers; one on IPv4 only is never asked.
    let v6 = Fixture::with(Mock::http_on(IpAddr::V6(Ipv6Addr::LOCALHOST)), None);
    v6.mock.reply(Reply::ok("addresses updated"));
    let run = v6.run_owned(&dynv6_args(&v6, &["-6", "h.dynv6.net"]));
    assert_eq!(run.code, 0, "{run:?}");
    let r = v6.mock.last().expect("a request");
    assert_eq!(r.param("ipv6"), Some("auto"));
    assert_eq!(r.param("ipv4"), None);
    assert!(r.peer.is_ipv6());

    let v4 = Fixture::http();
    let run = v4.run_owned(&dynv6_args(&v4, &["-6", "h.dynv6.net"]));
    assert_eq!(run.code, 4, "{run:?}");
    assert!(run.stderr.contains("no IPv6 address"), "{run:?}");
    assert_eq!(v4.mock.count(), 0);
}

#[test]
fn both_auto_means_two_requests_and_a_partial_failure_is_kept_apart() {
    // The IPv4 request reaches the mock; the IPv6 one cannot (no IPv6 address).
    let fx = Fixture::http();
    fx.mock.reply(Reply::ok("addresses updated"));
    let run = fx.run_owned(&dynv6_args(&fx, &["--ipv6", "auto", "h.dynv6.net"]));
    assert_eq!(run.code, 4, "{run:?}");
    assert_eq!(run.stdout, "h.dynv6.net: updated A auto\n");
    assert!(run.stderr.contains("no IPv6 address"), "{run:?}");
    let state = fx.state_text();
    assert!(state.contains("ipv4 auto "), "{state}");
    assert!(!state.contains("ipv6 "), "{state}");
}

#[test]
fn known_values_ride_along_with_an_auto_request() {
    let fx = Fixture::http();
    fx.mock.reply(Reply::ok("addresses updated"));
    let run = fx.run_owned(&dynv6_args(&fx, &["--ipv6", "2001:db8::5", "h.dynv6.net"]));
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(fx.mock.count(), 1);
    let r = fx.mock.last().expect("a request");
    assert_eq!(r.param("ipv4"), Some("auto"));
    assert_eq!(r.param("ipv6"), Some("2001:db8::5"));
}

#[test]
fn answers_map_to_exit_codes() {
    for (reply, code, words) in [
        (
            Reply::status(401, "invalid authentication token"),
            10,
            "bad credentials",
        ),
        (Reply::status(403, ""), 10, "bad credentials"),
        (Reply::status(404, "zone not found"), 11, "unknown"),
        (Reply::status(400, "invalid ipv4 address"), 17, "rejected"),
        (Reply::status(500, ""), 16, "provider failure"),
        (Reply::status(503, "maintenance"), 16, "provider failure"),
        (Reply::ok("something else entirely"), 1, "unexpected answer"),
    ] {
        let fx = Fixture::http();
        fx.mock.reply(reply.clone());
        let run = fx.run_owned(&dynv6_args(&fx, &["--ipv4", "203.0.113.7", "h.dynv6.net"]));
        assert_eq!(run.code, code, "{reply:?}: {run:?}");
        let line = run.one_error_line();
        assert!(line.starts_with("dynup: h.dynv6.net: "), "{line}");
        assert!(line.contains(words), "{line}");
        assert!(line.ends_with(&format!("[exit {code}]")), "{line}");
        assert_eq!(run.stdout, "");
    }
}

#[test]
fn a_fatal_answer_holds_the_host_until_the_configuration_changes() {
    let fx = Fixture::http();
    fx.mock
        .reply(Reply::status(401, "invalid authentication token"));
    let base = ["--ipv4", "203.0.113.7", "h.dynv6.net"];
    let first = fx.run_owned(&dynv6_args(&fx, &base));
    assert_eq!(first.code, 10, "{first:?}");

    // Held: nothing sent, the same code, and why and since when.
    let held = fx.run_owned(&dynv6_args(&fx, &["--ipv4", "203.0.113.9", "h.dynv6.net"]));
    assert_eq!(held.code, 10, "{held:?}");
    assert_eq!(fx.mock.count(), 1, "a held host was sent");
    let line = held.one_error_line();
    assert!(line.contains("held since 20"), "{line}");
    assert!(line.contains("bad credentials"), "{line}");
    assert!(line.contains("--force"), "{line}");

    // --force sends.
    fx.mock
        .reply(Reply::status(401, "invalid authentication token"));
    let forced = fx.run_owned(&dynv6_args(
        &fx,
        &["-f", "--ipv4", "203.0.113.7", "h.dynv6.net"],
    ));
    assert_eq!(forced.code, 10, "{forced:?}");
    assert_eq!(fx.mock.count(), 2);

    // A new token is a new configuration: the hold is released.
    let new_token = write_secret(&fx.dir, "token2", "another-token-value");
    fx.mock.reply(Reply::ok("addresses updated"));
    let mut cmd = fx.cmd(&base);
    cmd.arg("--token-file").arg(&new_token);
    let released = run_clean(&mut cmd);
    assert_eq!(released.code, 0, "{released:?}");
    assert_eq!(fx.mock.count(), 3);
    assert!(!fx.state_text().contains("hold "));
}

#[test]
fn a_server_failure_holds_for_thirty_minutes_then_retries() {
    let fx = Fixture::http();
    fx.mock.reply(Reply::status(503, "down"));
    let base = dynv6_args(&fx, &["--ipv4", "203.0.113.7", "h.dynv6.net"]);
    assert_eq!(fx.run_owned(&base).code, 16);

    let state = fx.state_text();
    let (hold, since, until) = retry_hold(&state);
    assert_eq!(until - since, 30 * 60, "{hold}");

    let held = fx.run_owned(&base);
    assert_eq!(held.code, 16, "{held:?}");
    assert!(held.one_error_line().contains("until"), "{held:?}");
    assert_eq!(fx.mock.count(), 1);

    // Once the time has passed (moved back in the file), the next run sends.
    let past = state.replace(
        &hold,
        &format!("hold 16 {} {} down", since - 3600, until - 3600),
    );
    std::fs::write(fx.state_file(), past).expect("rewrite state");
    fx.mock.reply(Reply::ok("addresses updated"));
    let retried = fx.run_owned(&base);
    assert_eq!(retried.code, 0, "{retried:?}");
    assert_eq!(fx.mock.count(), 2);
}

#[test]
fn retry_after_longer_than_thirty_minutes_is_honoured() {
    let fx = Fixture::http();
    fx.mock
        .reply(Reply::status(503, "busy").header("Retry-After", "7200"));
    let run = fx.run_owned(&dynv6_args(&fx, &["--ipv4", "203.0.113.7", "h.dynv6.net"]));
    assert_eq!(run.code, 16);
    let (_, since, until) = retry_hold(&fx.state_text());
    assert_eq!(until - since, 7200);
}

/// Moves every confirmation in the state file `secs` into the past.
fn age_state(fx: &Fixture, secs: u64) {
    let text = fx.state_text();
    let aged: Vec<String> = text
        .lines()
        .map(|line| {
            let fields: Vec<&str> = line.split(' ').collect();
            match fields.as_slice() {
                [kind @ ("ipv4" | "ipv6" | "ipv6prefix"), value, time] => {
                    let time: u64 = time.parse().expect("time");
                    format!("{kind} {value} {}", time - secs)
                }
                _ => line.to_string(),
            }
        })
        .collect();
    std::fs::write(fx.state_file(), aged.join("\n") + "\n").expect("rewrite");
}

/// The hourly re-confirmation of an `auto` address changes nothing, so it prints
/// nothing (cron mails what a job prints); -v says it.
#[test]
fn an_unchanged_reconfirmation_prints_nothing() {
    let fx = Fixture::http();
    fx.mock.reply(Reply::ok("addresses updated"));
    let first = fx.run_owned(&dynv6_args(&fx, &["h.dynv6.net"]));
    assert_eq!(first.stdout, "h.dynv6.net: updated A auto\n", "{first:?}");

    age_state(&fx, 2 * 3600);
    fx.mock.reply(Reply::ok("addresses unchanged"));
    let again = fx.run_owned(&dynv6_args(&fx, &["h.dynv6.net"]));
    assert_eq!(again.code, 0, "{again:?}");
    assert_eq!((again.stdout.as_str(), again.stderr.as_str()), ("", ""));
    assert_eq!(fx.mock.count(), 2, "the re-confirmation was sent");

    age_state(&fx, 2 * 3600);
    fx.mock.reply(Reply::ok("addresses unchanged"));
    let verbose = fx.run_owned(&dynv6_args(&fx, &["-v", "h.dynv6.net"]));
    assert_eq!(verbose.stdout, "", "{verbose:?}");
    assert!(
        verbose
            .stderr
            .contains("confirmed again, unchanged: A auto"),
        "{verbose:?}"
    );

    // --force asked for the answer: it is printed.
    fx.mock.reply(Reply::ok("addresses unchanged"));
    let forced = fx.run_owned(&dynv6_args(&fx, &["-f", "h.dynv6.net"]));
    assert_eq!(
        forced.stdout,
        "h.dynv6.net: already current A auto
",
        "{forced:?}"
    );
}

/// On a host without an IPv6 route, `--ipv6 auto` fails every run; the IPv4
/// address it confirmed is not sent again each time, and the error says which
/// family failed and the likely cause here, not "the server".
#[test]
fn a_family_without_a_route_does_not_resend_the_other() {
    let ns = support::netns::Netns::new("noroute6");
    let fx = Fixture::with(ns.inside(Mock::http), None);
    fx.mock.default_reply(Reply::ok("addresses updated"));
    for attempt in 0..3 {
        let cmd = fx.cmd(&["--ipv6", "auto", "h.dynv6.net"]);
        let mut cmd = ns.wrap(&cmd);
        cmd.args(fx.token_args());
        let run = run_clean(&mut cmd);
        assert_eq!(run.code, 4, "run {attempt}: {run:?}");
        assert!(
            run.stderr.contains("IPv6: this host has no IPv6 route"),
            "run {attempt}: {run:?}"
        );
        assert_eq!(fx.mock.count(), 1, "run {attempt}: IPv4 sent again");
    }
    assert!(fx.state_text().contains("ipv4 auto "));
}

/// dynv6 answering about another zone than the one asked for is not a success.
#[test]
fn an_answer_about_another_zone_is_not_recorded() {
    let fx = Fixture::http();
    fx.mock
        .reply(Reply::ok("other.dynv6.net: addresses updated"));
    let run = fx.run_owned(&dynv6_args(&fx, &["--ipv4", "203.0.113.7", "h.dynv6.net"]));
    assert_eq!(run.code, 1, "{run:?}");
    let line = run.one_error_line();
    assert!(
        line.contains("other.dynv6.net") && line.contains("not h.dynv6.net"),
        "{line}"
    );
    assert!(fx.state_files().is_empty(), "recorded as sent");
}
