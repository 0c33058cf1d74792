//! DigitalOcean API v2 against the fake in tests/support/digitalocean.rs: the
//! record read first and patched (its data alone) only when it differs, created
//! when missing; the error answers and their exit codes.
// Only when the provider is built in (a cargo feature of its own).
#![cfg(feature = "digitalocean")]

mod support;

use support::digitalocean::{error, DigitalOceanApi};
use support::*;

fn setup() -> (Fixture, DigitalOceanApi) {
    let fx = Fixture::https();
    let api = DigitalOceanApi::on(&fx.mock, &["example.com", "other.org"]);
    (fx, api)
}

fn run(fx: &Fixture, extra: &[&str]) -> Run {
    let mut all = vec![
        "-p".to_string(),
        "digitalocean".to_string(),
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
fn a_changed_address_patches_the_data_alone() {
    let (fx, api) = setup();
    let id = api.add("example.com", "A", "h", "198.51.100.1");
    let run = run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, "h.example.com: updated A 203.0.113.7\n");
    assert_eq!(api.violations(), Vec::<String>::new());
    let record = api.record("example.com", "A", "h").expect("record");
    assert_eq!((record.data.as_str(), record.ttl), ("203.0.113.7", 3600));
    assert_eq!(
        calls(&fx),
        [
            "GET /v2/domains".to_string(),
            "GET /v2/domains/example.com/records".to_string(),
            format!("PATCH /v2/domains/example.com/records/{id}"),
        ]
    );
    let requests = fx.mock.requests();
    assert_eq!(requests[1].param("type"), Some("A"));
    assert_eq!(requests[1].param("name"), Some("h.example.com"));
    assert_eq!(requests[2].body, r#"{"data":"203.0.113.7"}"#);
    for r in &requests {
        assert_eq!(
            r.header("authorization"),
            Some(format!("Bearer {TOKEN}").as_str())
        );
    }
}

#[test]
fn a_current_record_is_not_written() {
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
            "GET /v2/domains/example.com",
            "GET /v2/domains/example.com/records"
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
        "a.b.other.org: digitalocean had no A record; created it\na.b.other.org: updated A 203.0.113.7\n"
    );
    assert_eq!(
        api.record("other.org", "A", "a.b").map(|r| r.data),
        Some("203.0.113.7".to_string())
    );
    assert_eq!(
        fx.mock.last().map(|r| r.body),
        Some(r#"{"type":"A","name":"a.b","data":"203.0.113.7"}"#.to_string())
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
        "a.example.com: digitalocean had no AAAA record; created it\n\
         other.org: digitalocean had no A record; created it\n\
         a.example.com: updated AAAA 2001:db8::1; already current A 203.0.113.7\n\
         other.org: updated A 203.0.113.7 AAAA 2001:db8::1\n"
    );
    let lists = calls(&fx)
        .iter()
        .filter(|c| *c == "GET /v2/domains")
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
        "digitalocean",
        "--token-file",
        wrong.as_str(),
        "--ipv4",
        "203.0.113.7",
        "h.example.com",
    ];
    let run = fx.run(&cmd);
    assert_eq!(run.code, 10, "{run:?}");
    assert!(run.stderr.contains("HTTP 401 unauthorized"), "{run:?}");
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
    assert!(run.stderr.contains("HTTP 404 not_found"), "{run:?}");
}

#[test]
fn rate_limited_is_exit_16_and_held() {
    // DigitalOcean documents ratelimit-limit/-remaining/-reset on a 429 (no
    // Retry-After): the hold is the 30-minute minimum.
    let (fx, _api) = setup();
    fx.mock.reply(
        error(429, "too_many_requests", "API Rate limit exceeded.")
            .header("ratelimit-limit", "5000")
            .header("ratelimit-remaining", "0")
            .header("ratelimit-reset", "1767225600"),
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
        500,
        "server_error",
        "Server was unable to give you a response.",
    ));
    let run = run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 16, "{run:?}");
}

#[test]
fn a_rejected_write_is_exit_17() {
    let (fx, api) = setup();
    let run = run(
        &fx,
        &["--ttl", "10", "--ipv4", "203.0.113.7", "new.example.com"],
    );
    assert_eq!(run.code, 17, "{run:?}");
    assert!(run.stderr.contains("unprocessable_entity"), "{run:?}");
    assert_eq!(api.record("example.com", "A", "new"), None);
}

#[test]
fn verbose_masks_the_token() {
    let (fx, api) = setup();
    api.add("example.com", "A", "h", "198.51.100.1");
    let run = run(&fx, &["-v", "--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stderr.contains("(Authorization: Bearer ***)"),
        "{run:?}"
    );
}
