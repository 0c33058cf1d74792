//! NS1 REST API v1 against the fake in tests/support/ns1.rs: the key in
//! X-NSONE-Key, the zone checked or listed once per run, the record (zone,
//! FQDN, type) read first, its answers POSTed only when they differ, PUT when it
//! is missing; the error answers and their exit codes.
// Only when the provider is built in (a cargo feature of its own).
#![cfg(feature = "ns1")]

mod support;

use support::ns1::{error, Ns1Api};
use support::*;

fn setup() -> (Fixture, Ns1Api) {
    let fx = Fixture::https();
    let api = Ns1Api::on(&fx.mock, &["example.com", "other.org"]);
    (fx, api)
}

fn run(fx: &Fixture, extra: &[&str]) -> Run {
    let mut all = vec!["-p".to_string(), "ns1".to_string()];
    all.extend(fx.token_args());
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
fn a_changed_address_posts_the_answers_alone() {
    let (fx, api) = setup();
    api.add("example.com", "h.example.com", "A", "198.51.100.1");
    let run = run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, "h.example.com: updated A 203.0.113.7\n");
    assert_eq!(api.violations(), Vec::<String>::new());
    let record = api.record("h.example.com", "A").expect("record");
    assert_eq!(
        (record.answers, record.ttl),
        (vec!["203.0.113.7".to_string()], 3600)
    );
    assert_eq!(
        calls(&fx),
        [
            "GET /v1/zones",
            "GET /v1/zones/example.com/h.example.com/A",
            "POST /v1/zones/example.com/h.example.com/A",
        ]
    );
    assert_eq!(
        fx.mock.last().map(|r| r.body),
        Some(r#"{"answers":[{"answer":["203.0.113.7"]}]}"#.to_string())
    );
    for r in fx.mock.requests() {
        assert_eq!(r.header("x-nsone-key"), Some(TOKEN));
    }
}

#[test]
fn a_current_record_is_not_written_and_zone_checks_the_one_zone() {
    let (fx, api) = setup();
    api.add("other.org", "other.org", "AAAA", "2001:db8::1");
    let run = run(
        &fx,
        &[
            "-6",
            "--ipv6",
            "2001:DB8:0::1",
            "--zone",
            "other.org",
            "other.org",
        ],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, "other.org: already current AAAA 2001:db8::1\n");
    assert_eq!(
        calls(&fx),
        [
            "GET /v1/zones/other.org",
            "GET /v1/zones/other.org/other.org/AAAA"
        ]
    );
}

#[test]
fn a_missing_record_is_put_with_its_zone_domain_and_type() {
    let (fx, api) = setup();
    let run = run(
        &fx,
        &["--ttl", "120", "--ipv4", "203.0.113.7", "a.b.example.com"],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout,
        "a.b.example.com: ns1 had no A record; created it\na.b.example.com: updated A 203.0.113.7\n"
    );
    assert_eq!(api.violations(), Vec::<String>::new());
    let record = api.record("a.b.example.com", "A").expect("created");
    assert_eq!((record.zone.as_str(), record.ttl), ("example.com", 120));
    assert_eq!(
        fx.mock.last().map(|r| (r.method, r.body)),
        Some((
            "PUT".to_string(),
            r#"{"zone":"example.com","domain":"a.b.example.com","type":"A","answers":[{"answer":["203.0.113.7"]}],"ttl":120}"#
                .to_string()
        ))
    );
}

#[test]
fn a_bad_key_is_exit_10_and_masked() {
    let (fx, _api) = setup();
    let wrong = write_secret(&fx.dir, "wrong", "tok-SECRET-wrong");
    let wrong = wrong.display().to_string();
    let run = fx.run(&[
        "-v",
        "-p",
        "ns1",
        "--token-file",
        wrong.as_str(),
        "--ipv4",
        "203.0.113.7",
        "h.example.com",
    ]);
    assert_eq!(run.code, 10, "{run:?}");
    assert!(run.stderr.contains(r#"HTTP 401 "Unauthorized""#), "{run:?}");
    assert!(run.stderr.contains("(X-NSONE-Key: ***)"), "{run:?}");
    assert!(!run.stderr.contains("tok-SECRET-wrong"), "{run:?}");
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
        run.stderr.contains(r#"HTTP 404 "zone not found""#),
        "{run:?}"
    );
}

#[test]
fn rate_limited_is_exit_16_and_a_refused_write_17() {
    let (fx, _api) = setup();
    fx.mock.reply(error(429, "rate limit exceeded"));
    let run = run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 16, "{run:?}");

    let (fx, api) = setup();
    api.add("example.com", "h.example.com", "A", "198.51.100.1");
    // The list and the read answered by the model, then the write refused.
    let json = |body: String| Reply::ok(&body).header("Content-Type", "application/json");
    fx.mock
        .reply(json(r#"[{"zone":"example.com"}]"#.to_string()));
    fx.mock.reply(json(
        r#"{"zone":"example.com","domain":"h.example.com","type":"A","answers":[{"answer":["198.51.100.1"]}]}"#.to_string(),
    ));
    fx.mock.reply(error(400, "invalid answer"));
    let run = self::run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 17, "{run:?}");
    assert!(
        run.stderr.contains(r#"HTTP 400 "invalid answer""#),
        "{run:?}"
    );
}
