//! Gandi LiveDNS against the fake in tests/support/gandi.rs: the record set read
//! first and replaced only when it differs (its TTL kept), created when missing;
//! the error answers and their exit codes.
// Only when the provider is built in (a cargo feature of its own).
#![cfg(feature = "gandi")]

mod support;

use support::gandi::{error, GandiApi};
use support::*;

fn setup() -> (Fixture, GandiApi) {
    let fx = Fixture::https();
    let api = GandiApi::on(&fx.mock, &["example.com", "other.org"]);
    (fx, api)
}

fn run(fx: &Fixture, extra: &[&str]) -> Run {
    let mut all = vec![
        "-p".to_string(),
        "gandi".to_string(),
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
fn a_changed_address_replaces_the_values_keeping_the_ttl() {
    let (fx, api) = setup();
    api.add("example.com", "h", "A", "198.51.100.1");
    let run = run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, "h.example.com: updated A 203.0.113.7\n");
    assert_eq!(api.violations(), Vec::<String>::new());
    let rrset = api.rrset("example.com", "h", "A").expect("rrset");
    assert_eq!(
        (rrset.values, rrset.ttl),
        (vec!["203.0.113.7".to_string()], 3600)
    );
    assert_eq!(
        calls(&fx),
        [
            "GET /v5/livedns/domains",
            "GET /v5/livedns/domains/example.com/records/h/A",
            "PUT /v5/livedns/domains/example.com/records/h/A",
        ]
    );
    assert_eq!(
        fx.mock.last().map(|r| r.body),
        Some(r#"{"rrset_values":["203.0.113.7"],"rrset_ttl":3600}"#.to_string())
    );
    for r in fx.mock.requests() {
        assert_eq!(
            r.header("authorization"),
            Some(format!("Bearer {TOKEN}").as_str())
        );
    }
}

#[test]
fn a_current_record_is_not_written_and_the_apex_is_at() {
    let (fx, api) = setup();
    api.add("example.com", "@", "AAAA", "2001:db8::1");
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
            "GET /v5/livedns/domains/example.com",
            "GET /v5/livedns/domains/example.com/records/@/AAAA"
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
        "a.b.other.org: gandi had no A record; created it\na.b.other.org: updated A 203.0.113.7\n"
    );
    let rrset = api.rrset("other.org", "a.b", "A").expect("created");
    assert_eq!(rrset.values, ["203.0.113.7"]);
    let create = fx.mock.last().expect("a request");
    assert_eq!(create.method, "POST");
    assert_eq!(create.body, r#"{"rrset_values":["203.0.113.7"]}"#);
    assert_eq!(api.violations(), Vec::<String>::new());
}

#[test]
fn several_hosts_and_both_families_take_one_domain_list() {
    let (fx, api) = setup();
    api.add("example.com", "a", "A", "203.0.113.7");
    api.add("other.org", "@", "AAAA", "2001:db8::9");
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
        "a.example.com: gandi had no AAAA record; created it\n\
         other.org: gandi had no A record; created it\n\
         a.example.com: updated AAAA 2001:db8::1; already current A 203.0.113.7\n\
         other.org: updated A 203.0.113.7 AAAA 2001:db8::1\n"
    );
    let lists = calls(&fx)
        .iter()
        .filter(|c| *c == "GET /v5/livedns/domains")
        .count();
    assert_eq!(lists, 1, "{:?}", calls(&fx));
}

#[test]
fn a_bad_token_is_exit_10_and_held() {
    let (fx, _api) = setup();
    let wrong = write_secret(&fx.dir, "wrong", "tok-SECRET-wrong");
    let wrong = wrong.display().to_string();
    let cmd = [
        "-p",
        "gandi",
        "--token-file",
        wrong.as_str(),
        "--ipv4",
        "203.0.113.7",
        "h.example.com",
    ];
    let run = fx.run(&cmd);
    assert_eq!(run.code, 10, "{run:?}");
    assert!(run.stderr.contains("HTTP 401"), "{run:?}");
    let count = fx.mock.count();
    assert_eq!(fx.run(&cmd).code, 10);
    assert_eq!(fx.mock.count(), count, "a held host was asked again");
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
    assert!(run.stderr.contains("Unknown domain"), "{run:?}");
}

#[test]
fn rate_limited_is_exit_16_and_retry_after_is_honoured() {
    // Gandi's page names the 429; its Retry-After here is RFC 6585's, unconfirmed by Gandi.
    let (fx, _api) = setup();
    fx.mock.reply(
        error(429, "HTTPTooManyRequests", "Too Many Requests").header("Retry-After", "4000"),
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
    assert_eq!(times[1] - times[0], 4000, "{hold}");
    let count = fx.mock.count();
    assert_eq!(self::run(&fx, &cmd).code, 16);
    assert_eq!(fx.mock.count(), count, "asked again during the hold");
}

#[test]
fn a_server_error_is_exit_16() {
    let (fx, _api) = setup();
    fx.mock.reply(Reply::status(502, "Bad Gateway"));
    let run = run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 16, "{run:?}");
}

#[test]
fn a_rejected_write_is_exit_17() {
    let (fx, api) = setup();
    let run = run(
        &fx,
        &["--ttl", "60", "--ipv4", "203.0.113.7", "new.example.com"],
    );
    assert_eq!(run.code, 17, "{run:?}");
    assert_eq!(api.rrset("example.com", "new", "A"), None);
}

#[test]
fn verbose_masks_the_token() {
    let (fx, api) = setup();
    api.add("example.com", "h", "A", "198.51.100.1");
    let run = run(&fx, &["-v", "--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stderr.contains("(Authorization: Bearer ***)"),
        "{run:?}"
    );
}
