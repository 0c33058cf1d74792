//! Hetzner DNS (Cloud API) against the fake in tests/support/hetzner.rs: the
//! RRSet read first and its records set only when they differ (comment, TTL
//! kept), created when missing; the error answers and their exit codes.
// Only when the provider is built in (a cargo feature of its own).
#![cfg(feature = "hetzner")]

mod support;

use support::hetzner::{error, HetznerApi};
use support::*;

fn setup() -> (Fixture, HetznerApi) {
    let fx = Fixture::https();
    let api = HetznerApi::on(&fx.mock, &["example.com", "other.org"]);
    (fx, api)
}

fn run(fx: &Fixture, extra: &[&str]) -> Run {
    let mut all = vec![
        "-p".to_string(),
        "hetzner".to_string(),
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
fn a_changed_address_sets_the_records_keeping_comment_and_ttl() {
    let (fx, api) = setup();
    api.add("example.com", "h", "A", "198.51.100.1");
    let run = run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, "h.example.com: updated A 203.0.113.7\n");
    assert_eq!(api.violations(), Vec::<String>::new());
    let rrset = api.rrset("example.com", "h", "A").expect("rrset");
    assert_eq!(
        rrset.records,
        [("203.0.113.7".to_string(), "kept".to_string())]
    );
    assert_eq!(rrset.ttl, Some(3600));
    assert_eq!(
        calls(&fx),
        [
            "GET /v1/zones",
            "GET /v1/zones/example.com/rrsets/h/A",
            "POST /v1/zones/example.com/rrsets/h/A/actions/set_records",
        ]
    );
    let set = fx.mock.last().expect("a request");
    assert_eq!(
        set.body,
        r#"{"records":[{"value":"203.0.113.7","comment":"kept"}]}"#
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
            "GET /v1/zones/example.com",
            "GET /v1/zones/example.com/rrsets/@/AAAA"
        ]
    );
}

#[test]
fn a_missing_record_is_created_and_said() {
    let (fx, api) = setup();
    let run = run(
        &fx,
        &["--ttl", "300", "--ipv4", "203.0.113.7", "a.b.other.org"],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout,
        "a.b.other.org: hetzner had no A record; created it\na.b.other.org: updated A 203.0.113.7\n"
    );
    let rrset = api.rrset("other.org", "a.b", "A").expect("created");
    assert_eq!(rrset.ttl, Some(300));
    assert_eq!(rrset.records, [("203.0.113.7".to_string(), String::new())]);
    let create = fx.mock.last().expect("a request");
    assert_eq!(create.path, "/v1/zones/other.org/rrsets");
    assert_eq!(
        create.body,
        r#"{"name":"a.b","type":"A","ttl":300,"records":[{"value":"203.0.113.7"}]}"#
    );
    assert_eq!(api.violations(), Vec::<String>::new());
}

#[test]
fn several_hosts_and_both_families_take_one_zone_list() {
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
        "a.example.com: hetzner had no AAAA record; created it\n\
         other.org: hetzner had no A record; created it\n\
         a.example.com: updated AAAA 2001:db8::1; already current A 203.0.113.7\n\
         other.org: updated A 203.0.113.7 AAAA 2001:db8::1\n"
    );
    let lists = calls(&fx).iter().filter(|c| *c == "GET /v1/zones").count();
    assert_eq!(lists, 1, "{:?}", calls(&fx));
    assert_eq!(api.violations(), Vec::<String>::new());
}

#[test]
fn a_bad_token_is_exit_10_and_held() {
    let (fx, _api) = setup();
    let wrong = write_secret(&fx.dir, "wrong", "tok-SECRET-wrong");
    let wrong = wrong.display().to_string();
    let cmd = [
        "-p",
        "hetzner",
        "--token-file",
        wrong.as_str(),
        "--ipv4",
        "203.0.113.7",
        "h.example.com",
    ];
    let run = fx.run(&cmd);
    assert_eq!(run.code, 10, "{run:?}");
    assert!(run.stderr.contains("HTTP 401 unauthorized"), "{run:?}");
    assert!(!run.stderr.contains("tok-SECRET-wrong"));
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
    assert!(run.stderr.contains("HTTP 404 not_found"), "{run:?}");
}

#[test]
fn rate_limited_is_exit_16_and_held_half_an_hour() {
    // Hetzner documents RateLimit-Limit/-Remaining/-Reset, no Retry-After: the
    // hold is the 30-minute minimum, past any reset of its hourly window's refill.
    let (fx, _api) = setup();
    fx.mock.reply(
        error(
            429,
            "rate_limit_exceeded",
            "limit of 3600 requests per hour reached",
        )
        .header("RateLimit-Limit", "3600")
        .header("RateLimit-Remaining", "0")
        .header("RateLimit-Reset", "1767225600"),
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
    assert_eq!(times[1] - times[0], 1800, "{hold}");
    let count = fx.mock.count();
    assert_eq!(self::run(&fx, &cmd).code, 16);
    assert_eq!(fx.mock.count(), count, "asked again during the hold");
}

#[test]
fn a_server_error_is_exit_16() {
    let (fx, _api) = setup();
    fx.mock.reply(error(
        503,
        "maintenance",
        "cannot perform operation due to maintenance",
    ));
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
    assert!(run.stderr.contains("invalid_input"), "{run:?}");
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

#[test]
fn zone_id_is_a_cloudflare_option() {
    let (fx, _api) = setup();
    let run = run(
        &fx,
        &["--zone-id", "42", "--ipv4", "203.0.113.7", "h.example.com"],
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.one_error_line()
            .contains("--zone-id is a cloudflare option"),
        "{run:?}"
    );
    assert_eq!(fx.mock.count(), 0);
}
