//! PowerDNS's HTTP API against the fake in tests/support/powerdns.rs: the RRset
//! read first and replaced (its TTL and comments kept) only when it differs,
//! created when missing; the error answers and their exit codes.
// Only when the provider is built in (a cargo feature of its own).
#![cfg(feature = "powerdns")]

mod support;

use support::powerdns::{error, PowerDnsApi};
use support::*;

fn setup() -> (Fixture, PowerDnsApi) {
    let fx = Fixture::https();
    let api = PowerDnsApi::on(&fx.mock, &["example.com", "other.org"]);
    (fx, api)
}

fn run(fx: &Fixture, extra: &[&str]) -> Run {
    let mut all = vec![
        "-p".to_string(),
        "powerdns".to_string(),
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
fn a_changed_address_replaces_the_rrset_keeping_ttl_and_comments() {
    let (fx, api) = setup();
    api.add("example.com", "h.example.com", "A", "198.51.100.1");
    let run = run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, "h.example.com: updated A 203.0.113.7\n");
    assert_eq!(api.violations(), Vec::<String>::new());
    let rrset = api.rrset("h.example.com", "A").expect("rrset");
    assert_eq!(
        (rrset.records, rrset.ttl, rrset.comments),
        (
            vec!["203.0.113.7".to_string()],
            3600,
            vec!["kept".to_string()]
        )
    );
    assert_eq!(
        calls(&fx),
        [
            "GET /api/v1/servers/localhost/zones",
            "GET /api/v1/servers/localhost/zones/example.com.",
            "PATCH /api/v1/servers/localhost/zones/example.com.",
        ]
    );
    let requests = fx.mock.requests();
    assert_eq!(requests[1].param("rrset_name"), Some("h.example.com."));
    assert_eq!(requests[1].param("rrset_type"), Some("A"));
    assert_eq!(
        requests[2].body,
        r#"{"rrsets":[{"name":"h.example.com.","type":"A","ttl":3600,"changetype":"REPLACE","records":[{"content":"203.0.113.7","disabled":false}]}]}"#
    );
    for r in &requests {
        assert_eq!(r.header("x-api-key"), Some(TOKEN));
    }
}

#[test]
fn a_current_record_is_not_written() {
    let (fx, api) = setup();
    api.add("example.com", "example.com", "AAAA", "2001:db8::1");
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
fn a_missing_record_is_created_and_said() {
    let (fx, api) = setup();
    let run = run(
        &fx,
        &["--ttl", "60", "--ipv4", "203.0.113.7", "a.b.other.org"],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout,
        "a.b.other.org: powerdns had no A record; created it\na.b.other.org: updated A 203.0.113.7\n"
    );
    let rrset = api.rrset("a.b.other.org", "A").expect("created");
    assert_eq!(
        (rrset.records, rrset.ttl),
        (vec!["203.0.113.7".to_string()], 60)
    );
    assert_eq!(api.violations(), Vec::<String>::new());
}

#[test]
fn several_hosts_and_both_families_take_one_zone_list() {
    let (fx, api) = setup();
    api.add("example.com", "a.example.com", "A", "203.0.113.7");
    api.add("other.org", "other.org", "AAAA", "2001:db8::9");
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
        "a.example.com: powerdns had no AAAA record; created it\n\
         other.org: powerdns had no A record; created it\n\
         a.example.com: updated AAAA 2001:db8::1; already current A 203.0.113.7\n\
         other.org: updated A 203.0.113.7 AAAA 2001:db8::1\n"
    );
    let lists = calls(&fx)
        .iter()
        .filter(|c| *c == "GET /api/v1/servers/localhost/zones")
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
        "powerdns",
        "--token-file",
        wrong.as_str(),
        "--ipv4",
        "203.0.113.7",
        "h.example.com",
    ];
    let run = fx.run(&cmd);
    assert_eq!(run.code, 10, "{run:?}");
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
        run.stderr.contains("powerdns: zone example.net not found"),
        "{run:?}"
    );
}

#[test]
fn a_server_error_is_exit_16_and_held() {
    let (fx, _api) = setup();
    fx.mock.reply(error(500, "Internal Server Error"));
    let cmd = ["--ipv4", "203.0.113.7", "h.example.com"];
    let run = run(&fx, &cmd);
    assert_eq!(run.code, 16, "{run:?}");
    let count = fx.mock.count();
    assert_eq!(self::run(&fx, &cmd).code, 16);
    assert_eq!(fx.mock.count(), count, "asked again during the hold");
}

#[test]
fn rate_limited_is_exit_16_and_retry_after_is_honoured() {
    // PowerDNS itself has no rate limit; a proxy in front of it may (RFC 6585).
    let (fx, _api) = setup();
    fx.mock
        .reply(Reply::status(429, "Too Many Requests").header("Retry-After", "2000"));
    let run = run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
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
    assert_eq!(times[1] - times[0], 2000, "{hold}");
}

#[test]
fn a_refused_change_is_exit_17() {
    // A secondary (slave) zone takes no RRset changes: PowerDNS answers 422.
    let (fx, api) = setup();
    api.add("example.com", "h.example.com", "A", "198.51.100.1");
    api.make_secondary("example.com");
    let run = run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 17, "{run:?}");
    assert!(run.stderr.contains("HTTP 422"), "{run:?}");
    assert_eq!(
        api.rrset("h.example.com", "A").map(|r| r.records),
        Some(vec!["198.51.100.1".to_string()])
    );
}

#[test]
fn verbose_masks_the_key() {
    let (fx, api) = setup();
    api.add("example.com", "h.example.com", "A", "198.51.100.1");
    let run = run(&fx, &["-v", "--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("(X-API-Key: ***)"), "{run:?}");
}
