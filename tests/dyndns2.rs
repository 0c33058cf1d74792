//! dyndns2 ("NIC update") against the loopback mock: No-IP, dynv6-nic and a
//! generic server; Basic auth, several hosts per request, every answer word.

mod support;

use support::*;

fn noip(fx: &Fixture, extra: &[&str]) -> Vec<String> {
    let mut all = vec!["-p".to_string(), "noip".to_string()];
    all.extend(fx.login_args("user"));
    all.extend(extra.iter().map(|s| s.to_string()));
    all
}

#[test]
fn several_hosts_one_request_one_line_each() {
    let fx = Fixture::https();
    fx.mock.reply(Reply::ok(
        "good 203.0.113.7,2001:db8::7\nnochg 203.0.113.7,2001:db8::7\n",
    ));
    let run = fx.run_owned(&noip(
        &fx,
        &[
            "--ipv4",
            "203.0.113.7",
            "--ipv6",
            "2001:db8::7",
            "a.ddns.net",
            "b.ddns.net",
        ],
    ));
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout,
        "a.ddns.net: updated A 203.0.113.7 AAAA 2001:db8::7\n\
         b.ddns.net: already current A 203.0.113.7 AAAA 2001:db8::7\n"
    );
    let requests = fx.mock.requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!(r.path, "/nic/update");
    assert_eq!(r.param("hostname"), Some("a.ddns.net,b.ddns.net"));
    assert_eq!(r.param("myip"), Some("203.0.113.7,2001:db8::7"));
    assert_eq!(
        r.basic_auth(),
        Some(("user".to_string(), PASSWORD.to_string()))
    );
    assert_eq!(fx.state_files().len(), 2);
}

#[test]
fn each_answer_line_belongs_to_its_host() {
    let fx = Fixture::http();
    fx.mock.reply(Reply::ok("good 203.0.113.7\nnohost\n"));
    let base = noip(&fx, &["--ipv4", "203.0.113.7", "a.ddns.net", "b.ddns.net"]);
    let run = fx.run_owned(&base);
    assert_eq!(run.code, 11, "{run:?}");
    assert_eq!(run.stdout, "a.ddns.net: updated A 203.0.113.7\n");
    let line = run.one_error_line();
    assert!(
        line.starts_with("dynup: b.ddns.net: host not in this account"),
        "{line}"
    );

    // Next run: a is current (not sent), b is held (not sent): no request at all.
    let again = fx.run_owned(&base);
    assert_eq!(again.code, 11, "{again:?}");
    assert!(again.one_error_line().contains("b.ddns.net: held since"));
    assert_eq!(fx.mock.count(), 1);
}

#[test]
fn every_answer_word_maps_to_its_exit_code() {
    for (body, code) in [
        ("badauth", 10),
        ("nohost", 11),
        ("notfqdn", 11),
        ("numhost", 12),
        ("badagent", 13),
        ("!donator", 14),
        ("abuse", 15),
        ("911", 16),
        ("dnserr", 16),
        ("what is this", 1),
    ] {
        let fx = Fixture::http();
        fx.mock.default_reply(Reply::ok(body));
        let base = noip(&fx, &["--ipv4", "203.0.113.7", "h.ddns.net"]);
        let run = fx.run_owned(&base);
        assert_eq!(run.code, code, "{body}: {run:?}");
        assert!(run.one_error_line().contains(body), "{body}: {run:?}");

        // Fatal words (10-15) and 911/dnserr (16) hold the host; 1 does not.
        let again = fx.run_owned(&base);
        let expected_requests = if code == 1 { 2 } else { 1 };
        assert_eq!(fx.mock.count(), expected_requests, "{body}: second run");
        assert_eq!(again.code, code, "{body}: {again:?}");
    }
}

#[test]
fn http_status_maps_when_the_body_says_nothing() {
    for (status, code) in [
        (401, 10),
        (403, 10),
        (404, 11),
        (400, 17),
        (500, 16),
        (502, 16),
    ] {
        let fx = Fixture::http();
        fx.mock.reply(Reply::status(status, ""));
        let run = fx.run_owned(&noip(&fx, &["--ipv4", "203.0.113.7", "h.ddns.net"]));
        assert_eq!(run.code, code, "HTTP {status}: {run:?}");
        assert!(run.one_error_line().contains(&format!("HTTP {status}")));
    }
}

#[test]
fn auto_sends_no_myip_over_ipv4() {
    let fx = Fixture::http();
    fx.mock.reply(Reply::ok("good 198.51.100.4"));
    let run = fx.run_owned(&noip(&fx, &["h.ddns.net"]));
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout,
        "h.ddns.net: updated A auto (provider saw 198.51.100.4)\n"
    );
    let r = fx.mock.last().expect("a request");
    assert_eq!(r.param("myip"), None);
    assert!(r.peer.is_ipv4());
}

#[test]
fn dynv6_nic_sends_the_token_as_password_and_ipv4_only() {
    let fx = Fixture::http();
    fx.mock.reply(Reply::ok("good 203.0.113.7"));
    let mut all = vec!["-p".to_string(), "dynv6-nic".to_string()];
    all.extend(fx.token_args());
    all.extend(["--ipv4", "203.0.113.7", "h.dynv6.net"].map(String::from));
    let run = fx.run_owned(&all);
    assert_eq!(run.code, 0, "{run:?}");
    let r = fx.mock.last().expect("a request");
    assert_eq!(r.path, "/nic/update");
    assert_eq!(r.param("myip"), Some("203.0.113.7"));
    assert_eq!(
        r.basic_auth(),
        Some(("none".to_string(), TOKEN.to_string()))
    );

    let mut v6 = vec!["-p".to_string(), "dynv6-nic".to_string()];
    v6.extend(fx.token_args());
    v6.extend(["--ipv6", "2001:db8::1", "h.dynv6.net"].map(String::from));
    let refused = fx.run_owned(&v6);
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(refused.one_error_line().contains("IPv4 only"));
}

#[test]
fn the_user_agent_is_the_one_the_provider_requires_or_the_one_given() {
    let fx = Fixture::http();
    fx.mock.default_reply(Reply::ok("good 203.0.113.7"));
    fx.run_owned(&noip(&fx, &["--ipv4", "203.0.113.7", "h.ddns.net"]));
    let agent = fx
        .mock
        .last()
        .and_then(|r| r.header("user-agent").map(String::from));
    let agent = agent.unwrap_or_default();
    // No-IP: "Company NameOfProgram/OSVersion-ReleaseVersion maintainer-contact".
    let parts: Vec<&str> = agent.split(' ').collect();
    assert_eq!(parts.len(), 3, "{agent}");
    assert_eq!(parts[0], "dynup");
    assert!(parts[1].starts_with("dynup/linux-"), "{agent}");
    assert!(parts[2].contains('@'), "{agent}");

    let custom = "Acme Router-X1/2.0 ops@acme.example";
    fx.run_owned(&noip(
        &fx,
        &[
            "-f",
            "--user-agent",
            custom,
            "--ipv4",
            "203.0.113.7",
            "h.ddns.net",
        ],
    ));
    assert_eq!(
        fx.mock
            .last()
            .and_then(|r| r.header("user-agent").map(String::from)),
        Some(custom.to_string())
    );
}

#[test]
fn a_generic_dyndns2_server_needs_server_and_login() {
    let fx = Fixture::http();
    let no_server = run_clean(dynup(&fx.cache()).args(["-p", "dyndns2", "-u", "x", "h.example"]));
    assert_eq!(no_server.code, 2, "{no_server:?}");
    assert!(no_server.one_error_line().contains("--server"));

    fx.mock.reply(Reply::ok("good 203.0.113.7"));
    let mut all = vec!["-p".to_string(), "dyndns2".to_string()];
    all.extend(fx.login_args("me@example.org"));
    all.extend(["--ipv4", "203.0.113.7", "h.example"].map(String::from));
    let run = fx.run_owned(&all);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        fx.mock.last().and_then(|r| r.basic_auth()),
        Some(("me@example.org".to_string(), PASSWORD.to_string()))
    );
}

/// `good ADDR` naming another address than the one sent: the provider recorded
/// that one, so this one is not recorded as sent; exit 1 with both addresses.
/// One `good` line for two hosts cannot tell which host it speaks for.
#[test]
fn an_answer_about_another_address_or_one_line_for_two_hosts_is_not_recorded() {
    let fx = Fixture::http();
    fx.mock.reply(Reply::ok("good 198.51.100.99"));
    let run = fx.run_owned(&noip(&fx, &["--ipv4", "203.0.113.7", "a.ddns.net"]));
    assert_eq!(run.code, 1, "{run:?}");
    let line = run.one_error_line();
    assert!(
        line.contains("198.51.100.99") && line.contains("203.0.113.7"),
        "{line}"
    );
    assert!(fx.state_files().is_empty(), "recorded as sent");

    // So the next run sends again.
    fx.mock.reply(Reply::ok("good 203.0.113.7"));
    let again = fx.run_owned(&noip(&fx, &["--ipv4", "203.0.113.7", "a.ddns.net"]));
    assert_eq!(again.code, 0, "{again:?}");
    assert_eq!(fx.mock.count(), 2);

    fx.mock.reply(Reply::ok("good 203.0.113.8"));
    let two = fx.run_owned(&noip(
        &fx,
        &["--ipv4", "203.0.113.8", "a.ddns.net", "b.ddns.net"],
    ));
    assert_eq!(two.code, 1, "{two:?}");
    assert!(two.stderr.contains("for 2 hosts"), "{two:?}");
    assert_eq!(two.stdout, "", "{two:?}");
    assert!(
        fx.state_files().iter().all(|f| !std::fs::read_to_string(f)
            .unwrap_or_default()
            .contains("203.0.113.8")),
        "recorded as sent"
    );
}
