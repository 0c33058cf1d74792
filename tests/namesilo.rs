//! NameSilo's API against the fake in tests/support/namesilo.rs: the records read
//! first and a record updated only when it differs, created when missing; the
//! key in the query (masked in output); reply codes and their exit codes.
// Only when the provider is built in (a cargo feature of its own).
#![cfg(feature = "namesilo")]

mod support;

use support::namesilo::{reply, NamesiloApi};
use support::*;

fn setup() -> (Fixture, NamesiloApi) {
    let fx = Fixture::https();
    let api = NamesiloApi::on(&fx.mock, &["example.com"]);
    (fx, api)
}

fn run(fx: &Fixture, extra: &[&str]) -> Run {
    let mut all = vec![
        "-p".to_string(),
        "namesilo".to_string(),
        "--token-file".to_string(),
        fx.token_file.display().to_string(),
    ];
    all.extend(extra.iter().map(|s| s.to_string()));
    fx.run_owned(&all)
}

fn operations(fx: &Fixture) -> Vec<String> {
    fx.mock.requests().iter().map(|r| r.path.clone()).collect()
}

#[test]
fn a_changed_address_is_updated_with_the_records_ttl() {
    let (fx, api) = setup();
    let id = api.add("example.com", "A", "h.example.com", "198.51.100.1");
    api.add("example.com", "AAAA", "h.example.com", "2001:db8::1");
    let run = run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, "h.example.com: updated A 203.0.113.7\n");
    assert_eq!(api.violations(), Vec::<String>::new());
    let record = api.record("A", "h.example.com").expect("record");
    assert_eq!(
        (record.value.as_str(), record.ttl.as_str()),
        ("203.0.113.7", "7207")
    );
    assert_eq!(
        operations(&fx),
        ["/api/dnsListRecords", "/api/dnsUpdateRecord"]
    );
    let update = fx.mock.last().expect("a request");
    assert_eq!(
        (
            update.param("rrid"),
            update.param("rrhost"),
            update.param("domain")
        ),
        (Some(id.as_str()), Some("h"), Some("example.com"))
    );
}

#[test]
fn an_unchanged_address_writes_nothing() {
    let (fx, api) = setup();
    api.add("example.com", "AAAA", "h.example.com", "2001:db8::1");
    let run = run(&fx, &["-6", "--ipv6", "2001:DB8:0::1", "h.example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(operations(&fx), ["/api/dnsListRecords"]);
    assert_eq!(api.violations(), Vec::<String>::new());
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
    let record = api.record("A", "example.com").expect("created");
    assert_eq!(
        (record.value.as_str(), record.ttl.as_str()),
        ("203.0.113.7", "3600")
    );
    let add = fx.mock.last().expect("a request");
    assert_eq!(
        (add.path.as_str(), add.param("rrhost"), add.param("rrtype")),
        ("/api/dnsAddRecord", Some(""), Some("A"))
    );
    assert_eq!(api.violations(), Vec::<String>::new());
}

#[test]
fn a_bad_key_is_exit_10_and_masked() {
    let (fx, _api) = setup();
    let wrong = write_secret(&fx.dir, "wrong", "tok-SECRET-wrong");
    let wrong = wrong.display().to_string();
    let cmd = [
        "-v",
        "-p",
        "namesilo",
        "--token-file",
        wrong.as_str(),
        "--ipv4",
        "203.0.113.7",
        "h.example.com",
    ];
    let run = fx.run(&cmd);
    assert_eq!(run.code, 10, "{run:?}");
    assert!(run.stderr.contains("110 \"Invalid API Key\""), "{run:?}");
    assert!(run.stderr.contains("key=***"), "{run:?}");
    let all = format!("{}{}{}", run.stdout, run.stderr, fx.state_text());
    assert!(!all.contains("tok-SECRET-wrong"), "{all}");
}

#[test]
fn an_unknown_domain_is_exit_11() {
    let (fx, _api) = setup();
    let run = run(&fx, &["--ipv4", "203.0.113.7", "h.example.net"]);
    assert_eq!(run.code, 11, "{run:?}");
    assert!(
        run.stderr.contains("does not belong to this user"),
        "{run:?}"
    );
}

#[test]
fn a_refused_change_is_exit_17() {
    let (fx, _api) = setup();
    // A TTL under NameSilo's minimum of 3600 is refused with code 280.
    let run = run(
        &fx,
        &["--ttl", "60", "--ipv4", "203.0.113.7", "h.example.com"],
    );
    assert_eq!(run.code, 17, "{run:?}");
    assert!(run.stderr.contains("280"), "{run:?}");
}

#[test]
fn server_errors_and_rate_limits_are_exit_16() {
    let (fx, _api) = setup();
    fx.mock.reply(Reply::status(503, "Service Unavailable"));
    let run = run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 16, "{run:?}");

    let (fx, _api) = setup();
    fx.mock
        .reply(reply("dnsListRecords", 201, "Internal system error", ""));
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
fn verbose_masks_the_key_and_says_every_call() {
    let (fx, api) = setup();
    api.add("example.com", "A", "h.example.com", "198.51.100.1");
    let run = run(&fx, &["-v", "--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("key=***"), "{run:?}");
    let all = format!("{}{}{}", run.stdout, run.stderr, fx.state_text());
    assert!(!all.contains(TOKEN), "{all}");
}
