//! Huawei Cloud DNS (API v2) against the fake in tests/support/huaweicloud.rs,
//! which checks every request's SDK-HMAC-SHA256 signature: the zone found once,
//! a record set read first and modified (keeping its TTL) only when it differs,
//! created when missing; the errors and their exit codes; no secret in output.
// Only when the provider is built in (a cargo feature of its own).
#![cfg(feature = "huaweicloud")]

mod support;

use support::huaweicloud::{error, HuaweiApi};
use support::*;

fn setup() -> (Fixture, HuaweiApi) {
    let fx = Fixture::https();
    let api = HuaweiApi::on(&fx.mock, &["example.com", "example.org"]);
    (fx, api)
}

fn run(fx: &Fixture, extra: &[&str]) -> Run {
    fx.run_key_secret("huaweicloud", extra)
}

#[test]
fn a_changed_address_is_modified_keeping_the_ttl() {
    let (fx, api) = setup();
    let id = api.add("example.com", "h", "A", &["198.51.100.1"]);
    api.add("example.com", "h", "AAAA", &["2001:db8::1"]);
    let run = run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, "h.example.com: updated A 203.0.113.7\n");
    assert_eq!(api.violations(), Vec::<String>::new());
    let set = api.set("h.example.com.", "A").expect("set");
    assert_eq!(
        (set.id.as_str(), set.ttl, set.records.as_slice()),
        (id.as_str(), 300, ["203.0.113.7".to_string()].as_slice())
    );
    assert_eq!(
        api.set("h.example.com.", "AAAA").map(|s| s.records),
        Some(vec!["2001:db8::1".to_string()])
    );
    let calls = api.calls();
    let sets = calls[1].strip_prefix("GET ").unwrap_or("");
    assert!(sets.starts_with("/v2/zones/ff80808275"), "{calls:?}");
    assert_eq!(
        calls,
        [
            "GET /v2/zones".to_string(),
            format!("GET {sets}"),
            format!("PUT {sets}/{id}"),
        ]
    );
}

#[test]
fn an_unchanged_address_writes_nothing_and_a_zone_is_asked_by_name() {
    let (fx, api) = setup();
    api.add("example.org", "h", "AAAA", &["2001:db8::1"]);
    let run = run(
        &fx,
        &[
            "-6",
            "--ipv6",
            "2001:DB8::1",
            "--zone",
            "example.org",
            "h.example.org",
        ],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(api.calls().len(), 2, "{:?}", api.calls());
    let first = fx.mock.requests()[0].clone();
    assert_eq!(first.param("name"), Some("example.org."));
    assert_eq!(first.param("search_mode"), Some("equal"));
    assert_eq!(api.violations(), Vec::<String>::new());
}

#[test]
fn a_set_holding_other_values_too_is_rewritten_to_the_one() {
    let (fx, api) = setup();
    api.add("example.com", "h", "A", &["203.0.113.7", "198.51.100.1"]);
    let run = run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        api.set("h.example.com.", "A").map(|s| s.records),
        Some(vec!["203.0.113.7".to_string()])
    );
}

#[test]
fn a_missing_record_is_created_at_the_apex_too() {
    let (fx, api) = setup();
    let run = run(
        &fx,
        &["--ipv4", "203.0.113.7", "--ttl", "120", "example.com"],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains("had no A record; created it"),
        "{run:?}"
    );
    let set = api.set("example.com.", "A").expect("created");
    assert_eq!(
        (set.ttl, set.records),
        (120, vec!["203.0.113.7".to_string()])
    );
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
        "huaweicloud",
        "--token-file",
        token.as_str(),
        "--password-file",
        wrong.as_str(),
        "--ipv4",
        "203.0.113.7",
        "h.example.com",
    ]);
    assert_eq!(run.code, 10, "{run:?}");
    assert!(run.stderr.contains("APIGW.0301"), "{run:?}");
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(!all.contains("pw-SECRET-wrong"), "{all}");
}

#[test]
fn a_zone_not_in_the_account_is_exit_11() {
    let (fx, _api) = setup();
    let run = run(
        &fx,
        &[
            "--ipv4",
            "203.0.113.7",
            "--zone",
            "example.net",
            "h.example.net",
        ],
    );
    assert_eq!(run.code, 11, "{run:?}");
    assert!(run.stderr.contains("zone example.net not found"), "{run:?}");
    let (fx, _api) = setup();
    let run = self::run(&fx, &["--ipv4", "203.0.113.7", "h.example.net"]);
    assert_eq!(run.code, 11, "{run:?}");
}

#[test]
fn refusals_are_exit_17_and_server_errors_16() {
    let (fx, _api) = setup();
    fx.mock.reply(error(400, "DNS.0303", "Invalid parameter."));
    let run = run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 17, "{run:?}");
    assert!(run.stderr.contains("DNS.0303"), "{run:?}");

    let (fx, _api) = setup();
    fx.mock
        .reply(Reply::status(503, "Service Unavailable").header("Retry-After", "600"));
    let run = self::run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 16, "{run:?}");
}

#[test]
fn verbose_shows_no_secret() {
    let (fx, api) = setup();
    api.add("example.com", "h", "A", &["198.51.100.1"]);
    let run = run(&fx, &["-v", "--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("SDK-HMAC-SHA256 Access="), "{run:?}");
    let all = format!("{}{}{}", run.stdout, run.stderr, fx.state_text());
    assert!(!all.contains(PASSWORD), "{all}");
}
