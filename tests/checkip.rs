//! Addresses from check-IP servers (`--ipv4 web:URL`, `--ipv6 web:URL`,
//! DYNUP_CHECKIP), against a loopback mock: each body form, the family the
//! connection is forced to, and every answer that must be refused.

mod support;

use std::net::{IpAddr, Ipv6Addr, TcpListener};

use support::*;

const HOST: &str = "h.dynv6.net";

/// A provider mock (answers "addresses updated") and its fixture.
fn provider() -> Fixture {
    let fx = Fixture::http();
    fx.mock.default_reply(Reply::ok("addresses updated"));
    fx
}

fn dynup_run(fx: &Fixture, extra: &[&str]) -> Run {
    fx.run_owned(&args(extra, &fx.token_args()))
}

fn run_env(fx: &Fixture, extra: &[&str], vars: &[(&str, &str)]) -> Run {
    let argv = args(extra, &fx.token_args());
    let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
    let mut cmd = fx.cmd(&argv);
    cmd.envs(vars.iter().copied());
    run_clean(&mut cmd)
}

fn checkip(body: &str) -> Mock {
    let mock = Mock::http();
    mock.default_reply(Reply::ok(body));
    mock
}

/// A loopback port with nothing listening on it.
fn dead_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    format!("http://127.0.0.1:{port}/")
}

#[test]
fn every_body_form_gives_the_address() {
    let bodies = [
        "203.0.113.77\n",
        "<?xml version=\"1.0\"?><ipv4>203.0.113.77</ipv4>",
        "<html><head><title>Current IP Check</title></head>\
         <body>Current IP Address: 203.0.113.77</body></html>\r\n",
    ];
    for body in bodies {
        let fx = provider();
        let web = checkip(body);
        let source = format!("web:{}/ip", web.url());
        let run = dynup_run(&fx, &["--ipv4", &source, HOST]);
        assert_eq!(run.code, 0, "{body}: {run:?}");
        assert_eq!(run.stdout, format!("{HOST}: updated A 203.0.113.77\n"));
        let asked = web.last().expect("the check-IP server was asked");
        assert_eq!(asked.path, "/ip");
        assert!(asked
            .header("user-agent")
            .is_some_and(|ua| ua.starts_with("dynup ")));
        assert_eq!(
            fx.mock
                .last()
                .and_then(|r| r.param("ipv4").map(str::to_string)),
            Some("203.0.113.77".to_string())
        );
    }
}

#[test]
fn ipv6_is_asked_over_ipv6() {
    let fx = provider();
    let web = Mock::http_on(IpAddr::V6(Ipv6Addr::LOCALHOST));
    web.default_reply(Reply::ok("<ipv6>2001:db8::77</ipv6>"));
    let source = format!("web:{}/", web.url());
    let run = dynup_run(&fx, &["--ipv4", "none", "--ipv6", &source, HOST]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(web.last().is_some_and(|r| r.peer.is_ipv6()));
    assert_eq!(
        fx.mock
            .last()
            .and_then(|r| r.param("ipv6").map(str::to_string)),
        Some("2001:db8::77".to_string())
    );
}

#[test]
fn the_connection_is_forced_to_the_family_asked_for() {
    let fx = provider();
    // An IPv6-only server cannot answer for IPv4, nor an IPv4-only one for IPv6.
    let v6_server = Mock::http_on(IpAddr::V6(Ipv6Addr::LOCALHOST));
    v6_server.default_reply(Reply::ok("203.0.113.77"));
    let run = dynup_run(&fx, &["--ipv4", &format!("web:{}/", v6_server.url()), HOST]);
    assert_eq!(run.code, 3, "{run:?}");
    assert!(run
        .one_error_line()
        .contains("no usable IPv4 address from http://[::1]:"));
    assert_eq!(v6_server.count(), 0);

    let v4_server = checkip("2001:db8::77");
    let source = format!("web:{}/", v4_server.url());
    let run = dynup_run(&fx, &["--ipv4", "none", "--ipv6", &source, HOST]);
    assert_eq!(run.code, 3, "{run:?}");
    assert_eq!(v4_server.count(), 0);
    assert_eq!(fx.mock.count(), 0);
}

#[test]
fn bad_answers_are_refused_and_nothing_is_sent() {
    let cases: Vec<(Reply, &str)> = vec![
        (
            Reply::ok("2001:db8::1"),
            "answered 2001:db8::1, not an IPv4 address",
        ),
        (
            Reply::ok("<html>sorry, try later</html>"),
            "no IPv4 address in the answer",
        ),
        (Reply::ok("999.1.2.3"), "no IPv4 address in the answer"),
        (Reply::ok("10.1.2.3"), "10.1.2.3: private (RFC 1918)"),
        (
            Reply::ok("x").behaviour(Behaviour::Huge),
            "4096 bytes or more",
        ),
        (Reply::status(500, "203.0.113.77"), "HTTP 500"),
        (
            Reply::status(302, "203.0.113.77").header("Location", "http://127.0.0.1:1/"),
            "HTTP 302",
        ),
    ];
    for (reply, want) in cases {
        let fx = provider();
        let web = Mock::http();
        web.default_reply(reply);
        let url = format!("{}/", web.url());
        let run = dynup_run(&fx, &["--ipv4", &format!("web:{url}"), HOST]);
        assert_eq!(run.code, 3, "{want}: {run:?}");
        let line = run.one_error_line();
        assert!(
            line.starts_with(&format!("dynup: no usable IPv4 address from {url}: ")),
            "{line}"
        );
        assert!(line.contains(want), "{want}: {line}");
        assert_eq!(fx.mock.count(), 0, "{want}: nothing may be sent");
        assert!(fx.state_files().is_empty(), "{want}");
    }
}

#[test]
fn a_hanging_server_costs_no_more_than_the_timeout() {
    let fx = provider();
    let web = Mock::http();
    web.default_reply(Reply::ok("203.0.113.77").behaviour(Behaviour::Hang));
    let source = format!("web:{}/", web.url());
    let run = dynup_run(&fx, &["--timeout", "1", "--ipv4", &source, HOST]);
    assert_eq!(run.code, 3, "{run:?}");
    assert!(
        run.one_error_line().contains("no answer within 1s"),
        "{run:?}"
    );
    assert_eq!(fx.mock.count(), 0);
}

#[test]
fn a_private_answer_passes_with_allow_private() {
    let fx = provider();
    let web = checkip("100.64.9.9");
    let source = format!("web:{}/", web.url());
    let run = dynup_run(&fx, &["--allow-private", "--ipv4", &source, HOST]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        fx.mock
            .last()
            .and_then(|r| r.param("ipv4").map(str::to_string)),
        Some("100.64.9.9".to_string())
    );
}

#[test]
fn dynup_checkip_servers_are_tried_in_order() {
    let fx = provider();
    let garbage = checkip("no address here");
    let good = checkip("Current IP Address: 198.51.100.20");
    let unused = checkip("203.0.113.1");
    let list = format!(
        "{} {}/ {}/ {}/",
        dead_url(),
        garbage.url(),
        good.url(),
        unused.url()
    );
    let vars = [("DYNUP_CHECKIP", list.as_str())];
    let run = run_env(&fx, &["-v", "--ipv4", "web", HOST], &vars);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!((garbage.count(), good.count(), unused.count()), (1, 1, 0));
    assert!(run.stderr.contains("connection refused"), "{run:?}");
    assert!(
        run.stderr.contains("no IPv4 address in the answer"),
        "{run:?}"
    );
    assert!(run.stderr.contains("198.51.100.20"), "{run:?}");
    assert_eq!(
        fx.mock
            .last()
            .and_then(|r| r.param("ipv4").map(str::to_string)),
        Some("198.51.100.20".to_string())
    );

    // Every server failing: exit 3, naming how many were tried and the last one.
    let all_bad = format!("{} {}/", dead_url(), garbage.url());
    let run = run_env(
        &fx,
        &["--ipv4", "web", HOST],
        &[("DYNUP_CHECKIP", &all_bad)],
    );
    assert_eq!(run.code, 3, "{run:?}");
    let line = run.one_error_line();
    assert!(
        line.contains("(tried 2 check-IP servers); last: http://127.0.0.1:"),
        "{line}"
    );
    assert!(
        line.ends_with("no IPv4 address in the answer \"no address here\""),
        "{line}"
    );

    // A bad list is a usage error naming the variable.
    let run = run_env(
        &fx,
        &["--ipv4", "web", HOST],
        &[("DYNUP_CHECKIP", "ftp://x")],
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.one_error_line().contains("DYNUP_CHECKIP"));
}

#[test]
fn an_unchanged_web_address_is_not_sent_again() {
    let fx = provider();
    let web = checkip("203.0.113.77");
    let source = format!("web:{}/", web.url());
    assert_eq!(dynup_run(&fx, &["--ipv4", &source, HOST]).code, 0);
    let again = dynup_run(&fx, &["--ipv4", &source, HOST]);
    assert_eq!((again.code, again.stdout.as_str()), (0, ""), "{again:?}");
    assert_eq!((web.count(), fx.mock.count()), (2, 1));
    assert!(fx.state_text().contains("ipv4 203.0.113.77 "));
}
