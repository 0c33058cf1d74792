//! deSEC's REST API against the fake in tests/support/desec_api.rs: the RRset
//! read first and its records patched only when they differ (the TTL kept),
//! created when missing; the error answers and their exit codes.
// Only when the provider is built in (a cargo feature of its own).
#![cfg(feature = "desec-api")]

mod support;

use support::desec_api::{detail, DesecApi};
use support::*;

fn setup() -> (Fixture, DesecApi) {
    let fx = Fixture::https();
    let api = DesecApi::on(&fx.mock, &["example.com", "other.org"]);
    (fx, api)
}

fn run(fx: &Fixture, extra: &[&str]) -> Run {
    let mut all = vec![
        "-p".to_string(),
        "desec-api".to_string(),
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
fn a_changed_address_patches_the_records_alone() {
    let (fx, api) = setup();
    api.add("example.com", "h", "A", "198.51.100.1");
    let run = run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, "h.example.com: updated A 203.0.113.7\n");
    assert_eq!(api.violations(), Vec::<String>::new());
    let rrset = api.rrset("example.com", "h", "A").expect("rrset");
    assert_eq!(
        (rrset.records, rrset.ttl),
        (vec!["203.0.113.7".to_string()], 7200)
    );
    assert_eq!(
        calls(&fx),
        [
            "GET /api/v1/domains/",
            "GET /api/v1/domains/example.com/rrsets/h/A/",
            "PATCH /api/v1/domains/example.com/rrsets/h/A/",
        ]
    );
    assert_eq!(
        fx.mock.last().map(|r| r.body),
        Some(r#"{"records":["203.0.113.7"]}"#.to_string())
    );
    for r in fx.mock.requests() {
        assert_eq!(
            r.header("authorization"),
            Some(format!("Token {TOKEN}").as_str())
        );
    }
}

#[test]
fn a_current_record_is_not_written_and_the_apex_is_at() {
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
    assert_eq!(
        calls(&fx),
        [
            "GET /api/v1/domains/example.com/",
            "GET /api/v1/domains/example.com/rrsets/@/AAAA/"
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
        "a.b.other.org: desec-api had no A record; created it\na.b.other.org: updated A 203.0.113.7\n"
    );
    let rrset = api.rrset("other.org", "a.b", "A").expect("created");
    assert_eq!(
        (rrset.records, rrset.ttl),
        (vec!["203.0.113.7".to_string()], 3600)
    );
    assert_eq!(
        fx.mock.last().map(|r| r.body),
        Some(r#"{"subname":"a.b","type":"A","ttl":3600,"records":["203.0.113.7"]}"#.to_string())
    );
    assert_eq!(api.violations(), Vec::<String>::new());
}

#[test]
fn several_hosts_and_both_families_take_one_domain_list() {
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
        "a.example.com: desec-api had no AAAA record; created it\n\
         other.org: desec-api had no A record; created it\n\
         a.example.com: updated AAAA 2001:db8::1; already current A 203.0.113.7\n\
         other.org: updated A 203.0.113.7 AAAA 2001:db8::1\n"
    );
    let lists = calls(&fx)
        .iter()
        .filter(|c| *c == "GET /api/v1/domains/")
        .count();
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
        "desec-api",
        "--token-file",
        wrong.as_str(),
        "--ipv4",
        "203.0.113.7",
        "h.example.com",
    ];
    let run = fx.run(&cmd);
    assert_eq!(run.code, 10, "{run:?}");
    assert!(
        run.stderr.contains("HTTP 401 \"Invalid token.\""),
        "{run:?}"
    );
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
    assert!(run.stderr.contains("HTTP 404 \"Not found.\""), "{run:?}");
}

#[test]
fn throttled_is_exit_16_and_retry_after_is_honoured() {
    let (fx, _api) = setup();
    fx.mock.reply(
        detail(
            429,
            "Request was throttled. Expected available in 3600 seconds.",
        )
        .header("Retry-After", "3600"),
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
    assert_eq!(times[1] - times[0], 3600, "{hold}");
    let count = fx.mock.count();
    assert_eq!(self::run(&fx, &cmd).code, 16);
    assert_eq!(fx.mock.count(), count, "asked again during the hold");
}

#[test]
fn a_server_error_is_exit_16() {
    let (fx, _api) = setup();
    fx.mock
        .reply(Reply::status(503, "<html>Service Unavailable</html>"));
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
    assert!(
        run.stderr.contains("greater than or equal to 3600"),
        "{run:?}"
    );
    assert_eq!(api.rrset("example.com", "new", "A"), None);
}

#[test]
fn verbose_masks_the_token() {
    let (fx, api) = setup();
    api.add("example.com", "h", "A", "198.51.100.1");
    let run = run(&fx, &["-v", "--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("(Authorization: Token ***)"), "{run:?}");
}
