//! Namecheap's dynamic DNS against the fake in tests/support/namecheap.rs: the
//! GET with the password in the query (masked in output), the XML answers and
//! their exit codes; no read, so the state file keeps unchanged addresses home.
// Only when the provider is built in (a cargo feature of its own).
#![cfg(feature = "namecheap")]

mod support;

use support::namecheap::NamecheapApi;
use support::*;

fn setup() -> (Fixture, NamecheapApi) {
    let fx = Fixture::https();
    let api = NamecheapApi::on(&fx.mock, &["example.com"]);
    (fx, api)
}

fn run(fx: &Fixture, extra: &[&str]) -> Run {
    let mut all = vec![
        "-p".to_string(),
        "namecheap".to_string(),
        "--password-file".to_string(),
        fx.password_file.display().to_string(),
    ];
    all.extend(extra.iter().map(|s| s.to_string()));
    fx.run_owned(&all)
}

#[test]
fn an_address_is_set_and_not_sent_again_while_unchanged() {
    let (fx, api) = setup();
    api.add("example.com", "h", "198.51.100.1");
    let run = run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, "h.example.com: updated A 203.0.113.7\n");
    assert_eq!(
        api.address("example.com", "h"),
        Some("203.0.113.7".to_string())
    );
    let r = fx.mock.last().expect("a request");
    assert_eq!(
        (
            r.param("host"),
            r.param("domain"),
            r.param("password"),
            r.param("ip")
        ),
        (
            Some("h"),
            Some("example.com"),
            Some(PASSWORD),
            Some("203.0.113.7")
        )
    );
    let again = self::run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!((again.code, again.stdout.as_str()), (0, ""), "{again:?}");
    assert_eq!(fx.mock.count(), 1, "an unchanged address was sent again");
    assert_eq!(api.violations(), Vec::<String>::new());
}

#[test]
fn the_domain_itself_is_at() {
    let (fx, api) = setup();
    api.add("example.com", "@", "198.51.100.1");
    let run = run(&fx, &["--ipv4", "203.0.113.7", "example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        api.address("example.com", "@"),
        Some("203.0.113.7".to_string())
    );
}

#[test]
fn ipv6_is_refused() {
    let (fx, _api) = setup();
    let run = run(&fx, &["-6", "--ipv6", "2001:db8::1", "h.example.com"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.one_error_line().contains("IPv4 only"), "{run:?}");
}

#[test]
fn a_wrong_password_is_exit_10_and_held() {
    let (fx, api) = setup();
    api.add("example.com", "h", "198.51.100.1");
    let wrong = write_secret(&fx.dir, "wrong", "pw-SECRET-wrong");
    let wrong = wrong.display().to_string();
    let cmd = [
        "-p",
        "namecheap",
        "--password-file",
        wrong.as_str(),
        "--ipv4",
        "203.0.113.7",
        "h.example.com",
    ];
    let run = fx.run(&cmd);
    assert_eq!(run.code, 10, "{run:?}");
    assert!(run.stderr.contains("Passwords do not match"), "{run:?}");
    let count = fx.mock.count();
    assert_eq!(fx.run(&cmd).code, 10);
    assert_eq!(fx.mock.count(), count, "a held host was asked again");
}

#[test]
fn an_unknown_domain_or_record_is_exit_11() {
    let (fx, _api) = setup();
    let run = run(&fx, &["--ipv4", "203.0.113.7", "h.example.net"]);
    assert_eq!(run.code, 11, "{run:?}");
    assert!(run.stderr.contains("Domain name not found"), "{run:?}");

    let (fx, _api) = setup();
    let run = self::run(&fx, &["--ipv4", "203.0.113.7", "new.example.com"]);
    assert_eq!(run.code, 11, "{run:?}");
    assert!(run.stderr.contains("A record not Found"), "{run:?}");
}

#[test]
fn server_errors_and_rate_limits_are_exit_16() {
    let (fx, _api) = setup();
    fx.mock.reply(Reply::status(503, "Service Unavailable"));
    let run = run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 16, "{run:?}");

    let (fx, _api) = setup();
    fx.mock
        .reply(Reply::status(429, "Too Many Requests").header("Retry-After", "2400"));
    let run = self::run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 16, "{run:?}");
    let state = fx.state_text();
    let hold = state
        .lines()
        .find(|l| l.starts_with("hold 16 "))
        .unwrap_or_default();
    let times: Vec<u64> = hold
        .split(' ')
        .skip(2)
        .take(2)
        .filter_map(|t| t.parse().ok())
        .collect();
    assert_eq!(times.len(), 2, "{state}");
    assert_eq!(times[1] - times[0], 2400, "{hold}");
}

#[test]
fn verbose_masks_the_password() {
    let (fx, api) = setup();
    api.add("example.com", "h", "198.51.100.1");
    let run = run(&fx, &["-v", "--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("password=***"), "{run:?}");
}
