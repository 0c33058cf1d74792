//! GoDaddy Domains API v1 against the fake in tests/support/godaddy.rs: the
//! records read first and replaced only when they differ (the TTL kept),
//! created when missing; ACCESS_DENIED is "needs a paid plan" (14); the error
//! answers and their exit codes.
// Only when the provider is built in (a cargo feature of its own).
#![cfg(feature = "godaddy")]

mod support;

use support::godaddy::{error, GoDaddyApi};
use support::*;

fn setup() -> (Fixture, GoDaddyApi) {
    let fx = Fixture::https();
    let api = GoDaddyApi::on(&fx.mock, &["example.com", "other.org"]);
    (fx, api)
}

fn run(fx: &Fixture, extra: &[&str]) -> Run {
    fx.run_key_secret("godaddy", extra)
}

fn calls(fx: &Fixture) -> Vec<String> {
    fx.mock
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

#[test]
fn a_changed_address_replaces_the_record_keeping_the_ttl() {
    let (fx, api) = setup();
    api.add("example.com", "A", "h", "198.51.100.1");
    let run = run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, "h.example.com: updated A 203.0.113.7\n");
    assert_eq!(api.violations(), Vec::<String>::new());
    let records = api.records("example.com", "A", "h");
    assert_eq!(records.len(), 1);
    assert_eq!(
        (records[0].data.as_str(), records[0].ttl),
        ("203.0.113.7", 3600)
    );
    assert_eq!(
        calls(&fx),
        [
            "GET /v1/domains",
            "GET /v1/domains/example.com/records/A/h",
            "PUT /v1/domains/example.com/records/A/h",
        ]
    );
    assert_eq!(
        fx.mock.last().map(|r| r.body),
        Some(r#"[{"data":"203.0.113.7","ttl":3600}]"#.to_string())
    );
    for r in fx.mock.requests() {
        assert_eq!(
            r.header("authorization"),
            Some(format!("sso-key {TOKEN}:{PASSWORD}").as_str())
        );
        assert!(r
            .query
            .iter()
            .all(|(_, v)| !v.contains(TOKEN) && !v.contains(PASSWORD)));
    }
}

#[test]
fn a_current_record_is_not_written_and_the_apex_is_at() {
    let (fx, api) = setup();
    api.add("example.com", "AAAA", "@", "2001:db8::1");
    let run = run(
        &fx,
        &[
            "-6",
            "--ipv6",
            "2001:db8:0::1",
            "--zone",
            "example.com",
            "example.com",
        ],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout,
        "example.com: already current AAAA 2001:db8::1\n"
    );
    assert_eq!(
        calls(&fx),
        [
            "GET /v1/domains/example.com",
            "GET /v1/domains/example.com/records/AAAA/@"
        ]
    );
}

#[test]
fn a_missing_record_is_created_and_said() {
    let (fx, api) = setup();
    let run = run(&fx, &["--ipv4", "203.0.113.7", "a.b.other.org"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout,
        "a.b.other.org: godaddy had no A record; created it\na.b.other.org: updated A 203.0.113.7\n"
    );
    let records = api.records("other.org", "A", "a.b");
    assert_eq!(records.len(), 1);
    assert_eq!(
        (records[0].data.as_str(), records[0].ttl),
        ("203.0.113.7", 600)
    );
    assert_eq!(api.violations(), Vec::<String>::new());
}

#[test]
fn several_hosts_and_both_families_take_one_domain_list() {
    let (fx, api) = setup();
    api.add("example.com", "A", "a", "203.0.113.7");
    api.add("other.org", "AAAA", "@", "2001:db8::9");
    let run = run(
        &fx,
        &[
            "--ipv4",
            "203.0.113.7",
            "--ipv6",
            "2001:db8::1",
            "a.example.com",
            "other.org",
        ],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout,
        "a.example.com: godaddy had no AAAA record; created it\n\
         other.org: godaddy had no A record; created it\n\
         a.example.com: updated AAAA 2001:db8::1; already current A 203.0.113.7\n\
         other.org: updated A 203.0.113.7 AAAA 2001:db8::1\n"
    );
    let lists = calls(&fx)
        .iter()
        .filter(|c| *c == "GET /v1/domains")
        .count();
    assert_eq!(lists, 1, "{:?}", calls(&fx));
}

#[test]
fn a_bad_secret_is_exit_10_and_held() {
    let (fx, _api) = setup();
    let wrong = write_secret(&fx.dir, "wrong", "sec-SECRET-wrong");
    let wrong = wrong.display().to_string();
    let token = fx.token_file.display().to_string();
    let cmd = [
        "-p",
        "godaddy",
        "--token-file",
        token.as_str(),
        "--password-file",
        wrong.as_str(),
        "--ipv4",
        "203.0.113.7",
        "h.example.com",
    ];
    let run = fx.run(&cmd);
    assert_eq!(run.code, 10, "{run:?}");
    assert!(run.stderr.contains("UNABLE_TO_AUTHENTICATE"), "{run:?}");
    assert!(!run.stderr.contains("sec-SECRET-wrong"));
    let count = fx.mock.count();
    assert_eq!(fx.run(&cmd).code, 10);
    assert_eq!(fx.mock.count(), count, "a held host was asked again");
}

#[test]
fn an_account_without_api_access_is_exit_14() {
    let (fx, api) = setup();
    api.deny_api_access();
    let run = run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 14, "{run:?}");
    assert!(run.stderr.contains("ACCESS_DENIED"), "{run:?}");
}

#[test]
fn an_unknown_domain_is_exit_11() {
    let (fx, _api) = setup();
    let run = run(&fx, &["--ipv4", "203.0.113.7", "h.example.net"]);
    assert_eq!(run.code, 11, "{run:?}");
    assert!(run
        .stderr
        .contains("no zone these credentials can see holds h.example.net"));

    let (fx, _api) = setup();
    let run = self::run(
        &fx,
        &[
            "--zone",
            "example.net",
            "--ipv4",
            "203.0.113.7",
            "h.example.net",
        ],
    );
    assert_eq!(run.code, 11, "{run:?}");
    assert!(run.stderr.contains("HTTP 404 NOT_FOUND"), "{run:?}");
}

#[test]
fn rate_limited_is_exit_16_and_retry_after_sec_is_honoured() {
    let (fx, _api) = setup();
    fx.mock.reply(json_429());
    let cmd = ["--ipv4", "203.0.113.7", "h.example.com"];
    let run = run(&fx, &cmd);
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
    assert_eq!(times[1] - times[0], 3900, "{hold}");
    let count = fx.mock.count();
    assert_eq!(self::run(&fx, &cmd).code, 16);
    assert_eq!(fx.mock.count(), count, "asked again during the hold");
}

fn json_429() -> Reply {
    support::rest::json_reply(
        429,
        r#"{"code":"TOO_MANY_REQUESTS","message":"Too many requests received within interval","retryAfterSec":3900}"#,
    )
}

#[test]
fn a_server_error_is_exit_16() {
    let (fx, _api) = setup();
    fx.mock
        .reply(error(500, "INTERNAL_SERVER_ERROR", "Internal server error"));
    let run = run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 16, "{run:?}");
}

#[test]
fn a_rejected_write_is_exit_17() {
    let (fx, api) = setup();
    let run = run(
        &fx,
        &["--ttl", "300", "--ipv4", "203.0.113.7", "new.example.com"],
    );
    assert_eq!(run.code, 17, "{run:?}");
    assert!(run.stderr.contains("INVALID_BODY"), "{run:?}");
    assert!(api.records("example.com", "A", "new").is_empty());
}

#[test]
fn verbose_masks_key_and_secret() {
    let (fx, api) = setup();
    api.add("example.com", "A", "h", "198.51.100.1");
    let run = run(&fx, &["-v", "--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stderr.contains("(Authorization: sso-key ***:***)"),
        "{run:?}"
    );
}
