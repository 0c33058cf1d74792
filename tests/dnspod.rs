//! Tencent Cloud DNSPod (API 3.0) against the fake in tests/support/dnspod.rs,
//! which checks every request's TC3-HMAC-SHA256 signature: a record read first
//! and modified (with its own line and TTL) only when it differs, created when
//! missing; the error codes and their exit codes; no secret in any output.
// Only when the provider is built in (a cargo feature of its own).
#![cfg(feature = "dnspod")]

mod support;

use support::dnspod::{error, DnspodApi};
use support::*;

fn setup() -> (Fixture, DnspodApi) {
    let fx = Fixture::https();
    let api = DnspodApi::on(&fx.mock, &["example.com"]);
    (fx, api)
}

fn run(fx: &Fixture, extra: &[&str]) -> Run {
    fx.run_key_secret("dnspod", extra)
}

#[test]
fn a_changed_address_is_modified_with_its_line_and_ttl() {
    let (fx, api) = setup();
    let id = api.add("example.com", "h", "A", "198.51.100.1");
    let run = run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, "h.example.com: updated A 203.0.113.7\n");
    assert_eq!(api.violations(), Vec::<String>::new());
    let record = api.record("h", "A").expect("record");
    assert_eq!(
        (
            record.id,
            record.value.as_str(),
            record.line.as_str(),
            record.ttl
        ),
        (id, "203.0.113.7", "\u{9ed8}\u{8ba4}", 600)
    );
    assert_eq!(api.actions(), ["DescribeRecordList", "ModifyRecord"]);
}

#[test]
fn an_unchanged_address_writes_nothing() {
    let (fx, api) = setup();
    api.add("example.com", "h", "AAAA", "2001:db8::1");
    let run = run(&fx, &["-6", "--ipv6", "2001:DB8::1", "h.example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(api.actions(), ["DescribeRecordList"]);
}

#[test]
fn a_missing_record_is_created_at_the_apex_too() {
    let (fx, api) = setup();
    let run = run(&fx, &["--ipv4", "203.0.113.7", "example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains("had no A record; created it"),
        "{run:?}"
    );
    assert_eq!(
        api.record("@", "A").map(|r| r.value),
        Some("203.0.113.7".to_string())
    );
    assert_eq!(api.actions(), ["DescribeRecordList", "CreateRecord"]);
    assert_eq!(api.violations(), Vec::<String>::new());
}

#[test]
fn a_wrong_secret_key_fails_the_signature_exit_10() {
    let (fx, _api) = setup();
    let wrong = write_secret(&fx.dir, "wrong", "pw-SECRET-wrong");
    let wrong = wrong.display().to_string();
    let token = fx.token_file.display().to_string();
    let run = fx.run(&[
        "-v",
        "-p",
        "dnspod",
        "--token-file",
        token.as_str(),
        "--password-file",
        wrong.as_str(),
        "--ipv4",
        "203.0.113.7",
        "h.example.com",
    ]);
    assert_eq!(run.code, 10, "{run:?}");
    assert!(
        run.stderr.contains("AuthFailure.SignatureFailure"),
        "{run:?}"
    );
    let all = format!("{}{}{}", run.stdout, run.stderr, fx.state_text());
    assert!(!all.contains("pw-SECRET-wrong"), "{all}");
}

#[test]
fn an_unknown_domain_is_exit_11() {
    let (fx, _api) = setup();
    let run = run(&fx, &["--ipv4", "203.0.113.7", "h.example.net"]);
    assert_eq!(run.code, 11, "{run:?}");
    assert!(run.stderr.contains("DomainNotExists"), "{run:?}");
}

#[test]
fn a_refused_value_is_exit_17() {
    let (fx, _api) = setup();
    fx.mock
        .reply(error("ResourceNotFound.NoDataOfRecord", "No records."));
    fx.mock.reply(error(
        "InvalidParameter.RecordValueInvalid",
        "Invalid value.",
    ));
    let run = run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 17, "{run:?}");
}

#[test]
fn rate_limits_and_server_errors_are_exit_16() {
    let (fx, _api) = setup();
    fx.mock
        .reply(error("RequestLimitExceeded", "Too many requests."));
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
fn verbose_shows_no_secret() {
    let (fx, api) = setup();
    api.add("example.com", "h", "A", "198.51.100.1");
    let run = run(&fx, &["-v", "--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("X-TC-Action: ModifyRecord"), "{run:?}");
    let all = format!("{}{}{}", run.stdout, run.stderr, fx.state_text());
    assert!(!all.contains(PASSWORD), "{all}");
}
