//! netcup's CCP DNS API against the fake in tests/support/netcup.rs: a session
//! per run (login, reads, writes, logout), a record updated only when it
//! differs and created when missing; the error answers and their exit codes;
//! neither the credentials nor the session ID in any output.
// Only when the provider is built in (a cargo feature of its own).
#![cfg(feature = "netcup")]

mod support;

use support::netcup::{answer, NetcupApi, CUSTOMER, SESSION};
use support::*;

fn setup() -> (Fixture, NetcupApi) {
    let fx = Fixture::https();
    let api = NetcupApi::on(&fx.mock, &["example.com"]);
    (fx, api)
}

fn run(fx: &Fixture, extra: &[&str]) -> Run {
    fx.run_key_secret("netcup", &[&["--user", CUSTOMER], extra].concat())
}

fn no_secret(fx: &Fixture, run: &Run) {
    let all = format!("{}{}{}", run.stdout, run.stderr, fx.state_text());
    for secret in [TOKEN, PASSWORD, SESSION] {
        assert!(!all.contains(secret), "{secret} in {all}");
    }
}

#[test]
fn a_changed_address_is_updated_in_one_session() {
    let (fx, api) = setup();
    let id = api.add("example.com", "h", "A", "198.51.100.1");
    api.add("example.com", "@", "A", "198.51.100.1");
    let run = run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, "h.example.com: updated A 203.0.113.7\n");
    assert_eq!(api.violations(), Vec::<String>::new());
    let record = api.record("h", "A").expect("record");
    assert_eq!(
        (record.id, record.destination.as_str()),
        (id, "203.0.113.7")
    );
    assert_eq!(
        api.record("@", "A").map(|r| r.destination),
        Some("198.51.100.1".to_string())
    );
    assert_eq!(
        api.actions(),
        ["login", "infoDnsRecords", "updateDnsRecords", "logout"]
    );
}

#[test]
fn an_unchanged_address_writes_nothing() {
    let (fx, api) = setup();
    api.add("example.com", "h", "AAAA", "2001:db8::1");
    let run = run(&fx, &["-6", "--ipv6", "2001:DB8::1", "h.example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(api.actions(), ["login", "infoDnsRecords", "logout"]);
    assert_eq!(api.violations(), Vec::<String>::new());
}

#[test]
fn a_missing_record_is_created() {
    let (fx, api) = setup();
    let run = run(&fx, &["--ipv4", "203.0.113.7", "example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains("had no A record; created it"),
        "{run:?}"
    );
    assert_eq!(
        api.record("@", "A").map(|r| r.destination),
        Some("203.0.113.7".to_string())
    );
    assert_eq!(api.violations(), Vec::<String>::new());
}

#[test]
fn bad_credentials_are_exit_10() {
    let (fx, api) = setup();
    let wrong = write_secret(&fx.dir, "wrong", "pw-SECRET-wrong");
    let wrong = wrong.display().to_string();
    let token = fx.token_file.display().to_string();
    let run = fx.run(&[
        "-p",
        "netcup",
        "--user",
        CUSTOMER,
        "--token-file",
        token.as_str(),
        "--password-file",
        wrong.as_str(),
        "--ipv4",
        "203.0.113.7",
        "h.example.com",
    ]);
    assert_eq!(run.code, 10, "{run:?}");
    assert!(run.stderr.contains("4013"), "{run:?}");
    assert_eq!(api.actions(), ["login"]);
    assert!(!run.stderr.contains("pw-SECRET-wrong"), "{run:?}");
}

#[test]
fn the_customer_number_is_required() {
    let (fx, _api) = setup();
    let token = fx.token_file.display().to_string();
    let password = fx.password_file.display().to_string();
    let run = fx.run(&[
        "-p",
        "netcup",
        "--token-file",
        token.as_str(),
        "--password-file",
        password.as_str(),
        "--ipv4",
        "203.0.113.7",
        "h.example.com",
    ]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.one_error_line().contains("--user"), "{run:?}");
    assert_eq!(fx.mock.count(), 0);
}

#[test]
fn an_unknown_domain_is_exit_11_and_the_session_still_ends() {
    let (fx, api) = setup();
    let run = run(&fx, &["--ipv4", "203.0.113.7", "h.example.net"]);
    assert_eq!(run.code, 11, "{run:?}");
    assert!(run.stderr.contains("Domain not found"), "{run:?}");
    assert_eq!(api.actions(), ["login", "infoDnsRecords", "logout"]);
}

#[test]
fn a_refused_record_is_exit_17() {
    let (fx, _api) = setup();
    fx.mock.reply(answer(
        "login",
        "success",
        2000,
        "Login successful",
        &format!(r#"{{"apisessionid":"{SESSION}"}}"#),
    ));
    fx.mock.reply(answer(
        "infoDnsRecords",
        "success",
        2000,
        "DNS records found",
        r#"{"dnsrecords":[]}"#,
    ));
    fx.mock.reply(answer(
        "updateDnsRecords",
        "error",
        4013,
        "Validation Error: destination invalid.",
        r#""""#,
    ));
    let run = run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 17, "{run:?}");
}

#[test]
fn rate_limits_and_server_errors_are_exit_16() {
    let (fx, _api) = setup();
    fx.mock.reply(answer(
        "login",
        "error",
        4013,
        "More than 180 requests per minute. Please wait and retry later.",
        r#""""#,
    ));
    let run = run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 16, "{run:?}");

    let (fx, _api) = setup();
    fx.mock.reply(Reply::status(503, "Service Unavailable"));
    let run = self::run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
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
fn verbose_masks_the_credentials_and_the_session() {
    let (fx, api) = setup();
    api.add("example.com", "h", "A", "198.51.100.1");
    let run = run(&fx, &["-v", "--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains(r#""apisessionid":"***""#), "{run:?}");
    assert!(run.stderr.contains(r#""apipassword":"***""#), "{run:?}");
    no_secret(&fx, &run);
}
