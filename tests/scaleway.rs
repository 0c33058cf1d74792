//! Scaleway's Domains and DNS API against the fake in tests/support/scaleway.rs:
//! the record read first and set (its TTL and comment kept) only when it differs,
//! added when missing; the error answers and their exit codes.
// Only when the provider is built in (a cargo feature of its own).
#![cfg(feature = "scaleway")]

mod support;

use support::scaleway::{error, ScalewayApi};
use support::*;

fn setup() -> (Fixture, ScalewayApi) {
    let fx = Fixture::https();
    let api = ScalewayApi::on(&fx.mock, &["example.com", "other.org"]);
    (fx, api)
}

fn run(fx: &Fixture, extra: &[&str]) -> Run {
    let mut all = vec![
        "-p".to_string(),
        "scaleway".to_string(),
        "--token-file".to_string(),
        fx.token_file.display().to_string(),
    ];
    all.extend(extra.iter().map(|s| s.to_string()));
    fx.run_owned(&all)
}

fn calls(fx: &Fixture) -> Vec<String> {
    fx.mock
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

#[test]
fn a_changed_address_sets_the_record_keeping_ttl_and_comment() {
    let (fx, api) = setup();
    api.add("example.com", "h", "A", "198.51.100.1");
    let id = api
        .record("example.com", "h", "A")
        .map(|r| r.id)
        .unwrap_or_default();
    let run = run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, "h.example.com: updated A 203.0.113.7\n");
    assert_eq!(api.violations(), Vec::<String>::new());
    let record = api.record("example.com", "h", "A").expect("record");
    assert_eq!(
        (
            record.data.as_str(),
            record.ttl,
            record.comment.as_deref(),
            record.id.as_str()
        ),
        ("203.0.113.7", 7200, Some("kept"), id.as_str())
    );
    assert_eq!(
        calls(&fx),
        [
            "GET /domain/v2beta1/dns-zones",
            "GET /domain/v2beta1/dns-zones/example.com/records",
            "PATCH /domain/v2beta1/dns-zones/example.com/records",
        ]
    );
    for r in fx.mock.requests() {
        assert_eq!(r.header("x-auth-token"), Some(TOKEN));
    }
}

#[test]
fn a_current_record_is_not_written() {
    let (fx, api) = setup();
    api.add("example.com", "", "AAAA", "2001:db8::1");
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
    assert!(
        calls(&fx).iter().all(|c| c.starts_with("GET ")),
        "{:?}",
        calls(&fx)
    );
}

#[test]
fn a_missing_record_is_added_and_said() {
    let (fx, api) = setup();
    let run = run(&fx, &["--ipv4", "203.0.113.7", "a.b.other.org"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout,
        "a.b.other.org: scaleway had no A record; created it\na.b.other.org: updated A 203.0.113.7\n"
    );
    let record = api.record("other.org", "a.b", "A").expect("added");
    assert_eq!((record.data.as_str(), record.ttl), ("203.0.113.7", 3600));
    assert_eq!(
        fx.mock.last().map(|r| r.body),
        Some(
            r#"{"changes":[{"add":{"records":[{"name":"a.b","type":"A","data":"203.0.113.7","ttl":3600}]}}],"return_all_records":false}"#
                .to_string()
        )
    );
    assert_eq!(api.violations(), Vec::<String>::new());
}

#[test]
fn several_hosts_and_both_families_take_one_zone_list() {
    let (fx, api) = setup();
    api.add("example.com", "a", "A", "203.0.113.7");
    api.add("other.org", "", "AAAA", "2001:db8::9");
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
        "a.example.com: scaleway had no AAAA record; created it\n\
         other.org: scaleway had no A record; created it\n\
         a.example.com: updated AAAA 2001:db8::1; already current A 203.0.113.7\n\
         other.org: updated A 203.0.113.7 AAAA 2001:db8::1\n"
    );
    let lists = calls(&fx)
        .iter()
        .filter(|c| *c == "GET /domain/v2beta1/dns-zones")
        .count();
    assert_eq!(lists, 1, "{:?}", calls(&fx));
    assert_eq!(api.violations(), Vec::<String>::new());
}

#[test]
fn a_bad_key_is_exit_10_and_held() {
    let (fx, _api) = setup();
    let wrong = write_secret(&fx.dir, "wrong", "tok-SECRET-wrong");
    let wrong = wrong.display().to_string();
    let cmd = [
        "-p",
        "scaleway",
        "--token-file",
        wrong.as_str(),
        "--ipv4",
        "203.0.113.7",
        "h.example.com",
    ];
    let run = fx.run(&cmd);
    assert_eq!(run.code, 10, "{run:?}");
    assert!(
        run.stderr.contains("HTTP 401 denied_authentication"),
        "{run:?}"
    );
    let count = fx.mock.count();
    assert_eq!(fx.run(&cmd).code, 10);
    assert_eq!(fx.mock.count(), count, "a held host was asked again");
}

#[test]
fn an_unknown_zone_is_exit_11() {
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
    assert!(
        run.stderr.contains("scaleway: zone example.net not found"),
        "{run:?}"
    );
}

#[test]
fn rate_limited_is_exit_16_and_retry_after_is_honoured() {
    // A 429's Retry-After as RFC 6585 has it (Scaleway's page names the 429).
    let (fx, _api) = setup();
    fx.mock.reply(
        error(429, "too_many_requests", "rate limit exceeded").header("Retry-After", "2500"),
    );
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
    assert_eq!(times[1] - times[0], 2500, "{hold}");
    let count = fx.mock.count();
    assert_eq!(self::run(&fx, &cmd).code, 16);
    assert_eq!(fx.mock.count(), count, "asked again during the hold");
}

#[test]
fn a_server_error_is_exit_16() {
    let (fx, _api) = setup();
    fx.mock
        .reply(error(503, "service_unavailable", "try again later"));
    let run = run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 16, "{run:?}");
}

#[test]
fn a_rejected_write_is_exit_17() {
    let (fx, api) = setup();
    let run = run(
        &fx,
        &["--ttl", "30", "--ipv4", "203.0.113.7", "new.example.com"],
    );
    assert_eq!(run.code, 17, "{run:?}");
    assert!(run.stderr.contains("invalid_arguments"), "{run:?}");
    assert_eq!(api.record("example.com", "new", "A"), None);
}

#[test]
fn verbose_masks_the_key() {
    let (fx, api) = setup();
    api.add("example.com", "h", "A", "198.51.100.1");
    let run = run(&fx, &["-v", "--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("(X-Auth-Token: ***)"), "{run:?}");
}
