//! Porkbun API v3 against the fake in tests/support/porkbun.rs: key and secret in
//! every JSON body, the record read first and written only when it differs (its
//! TTL kept), created when missing; the error answers and their exit codes.
// Only when the provider is built in (a cargo feature of its own).
#![cfg(feature = "porkbun")]

mod support;

use support::porkbun::{error, PorkbunApi};
use support::*;

fn setup() -> (Fixture, PorkbunApi) {
    let fx = Fixture::https();
    let api = PorkbunApi::on(&fx.mock, &["example.com", "other.org"]);
    (fx, api)
}

fn run(fx: &Fixture, extra: &[&str]) -> Run {
    fx.run_key_secret("porkbun", extra)
}

fn paths(fx: &Fixture) -> Vec<String> {
    fx.mock.requests().iter().map(|r| r.path.clone()).collect()
}

#[test]
fn a_changed_address_is_edited_keeping_the_ttl() {
    let (fx, api) = setup();
    api.add("example.com", "A", "h.example.com", "198.51.100.1");
    let run = run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, "h.example.com: updated A 203.0.113.7\n");
    assert_eq!(api.violations(), Vec::<String>::new());
    let record = api.record("A", "h.example.com").expect("record");
    assert_eq!(
        (
            record.content.as_str(),
            record.ttl.as_str(),
            record.notes.as_str()
        ),
        ("203.0.113.7", "3600", "kept")
    );
    assert_eq!(
        paths(&fx),
        [
            "/api/json/v3/domain/listAll",
            "/api/json/v3/dns/retrieveByNameType/example.com/A/h",
            "/api/json/v3/dns/editByNameType/example.com/A/h",
        ]
    );
    let edit = fx.mock.last().expect("a request");
    assert_eq!(
        edit.body,
        format!(
            r#"{{"apikey":"{TOKEN}","secretapikey":"{PASSWORD}","content":"203.0.113.7","ttl":"3600"}}"#
        )
    );
    assert!(!fx.state_text().contains(PASSWORD));
}

#[test]
fn a_current_record_is_not_written_and_the_apex_has_no_subdomain() {
    let (fx, api) = setup();
    api.add("example.com", "AAAA", "example.com", "2001:db8::1");
    let run = run(
        &fx,
        &[
            "-6",
            "--ipv6",
            "2001:0db8::1",
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
        paths(&fx),
        ["/api/json/v3/dns/retrieveByNameType/example.com/AAAA"],
        "--zone needs no domain list, and nothing is written"
    );
}

#[test]
fn a_missing_record_is_created_and_said() {
    let (fx, api) = setup();
    let run = run(&fx, &["--ipv4", "203.0.113.7", "a.b.other.org"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout,
        "a.b.other.org: porkbun had no A record; created it\na.b.other.org: updated A 203.0.113.7\n"
    );
    let record = api.record("A", "a.b.other.org").expect("created");
    assert_eq!(
        (record.content.as_str(), record.ttl.as_str()),
        ("203.0.113.7", "600")
    );
    let create = fx.mock.last().expect("a request");
    assert_eq!(create.path, "/api/json/v3/dns/create/other.org");
    assert!(
        create
            .body
            .ends_with(r#","name":"a.b","type":"A","content":"203.0.113.7","ttl":"600"}"#),
        "{}",
        create.body
    );
    assert_eq!(api.violations(), Vec::<String>::new());
}

#[test]
fn several_hosts_and_both_families_take_one_domain_list() {
    let (fx, api) = setup();
    api.add("example.com", "A", "a.example.com", "203.0.113.7");
    api.add("other.org", "AAAA", "other.org", "2001:db8::9");
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
        "a.example.com: porkbun had no AAAA record; created it\n\
         other.org: porkbun had no A record; created it\n\
         a.example.com: updated AAAA 2001:db8::1; already current A 203.0.113.7\n\
         other.org: updated A 203.0.113.7 AAAA 2001:db8::1\n"
    );
    let lists = paths(&fx)
        .iter()
        .filter(|p| p.ends_with("/listAll"))
        .count();
    assert_eq!(lists, 1, "{:?}", paths(&fx));
    assert_eq!(api.violations(), Vec::<String>::new());
}

#[test]
fn a_bad_key_is_exit_10_and_held() {
    let (fx, _api) = setup();
    let wrong = write_secret(&fx.dir, "wrong", "sk1-SECRET-wrong");
    let wrong = wrong.display().to_string();
    let token = fx.token_file.display().to_string();
    let cmd = [
        "-p",
        "porkbun",
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
    assert!(run.stderr.contains("Invalid API key"), "{run:?}");
    assert!(!run.stderr.contains("sk1-SECRET-wrong"));
    let count = fx.mock.count();
    assert_eq!(fx.run(&cmd).code, 10);
    assert_eq!(fx.mock.count(), count, "a held host was asked again");
}

#[test]
fn api_access_off_is_exit_10() {
    let (fx, api) = setup();
    api.opt_out("example.com");
    let run = run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 10, "{run:?}");
    assert!(run.stderr.contains("not opted in to API access"), "{run:?}");
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
    assert!(run.stderr.contains("Invalid domain"), "{run:?}");
}

#[test]
fn rate_limited_is_exit_16_and_retry_after_is_honoured() {
    let (fx, _api) = setup();
    fx.mock
        .reply(error(503, "Rate limit exceeded.").header("Retry-After", "5400"));
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
    assert!(
        times[1] - times[0] >= 5400 && times[1] - times[0] < 5460,
        "{hold}"
    );
    let count = fx.mock.count();
    assert_eq!(self::run(&fx, &cmd).code, 16);
    assert_eq!(fx.mock.count(), count, "asked again before Retry-After");
}

#[test]
fn a_server_error_is_exit_16() {
    let (fx, _api) = setup();
    fx.mock.reply(Reply::status(500, "Internal Server Error"));
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
    assert!(run.stderr.contains("at least 600"), "{run:?}");
    assert_eq!(api.record("A", "new.example.com"), None);
}

#[test]
fn verbose_shows_the_body_with_both_secrets_masked() {
    let (fx, api) = setup();
    api.add("example.com", "A", "h.example.com", "198.51.100.1");
    let run = run(&fx, &["-v", "--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stderr.contains(
            r#"{"apikey":"***","secretapikey":"***","content":"203.0.113.7","ttl":"3600"}"#
        ),
        "{run:?}"
    );
}

#[test]
fn both_halves_of_the_key_are_needed() {
    let (fx, _api) = setup();
    let token = fx.token_file.display().to_string();
    let run = fx.run(&[
        "-p",
        "porkbun",
        "--token-file",
        token.as_str(),
        "--ipv4",
        "192.0.2.1",
        "h.example.com",
    ]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.one_error_line().contains("secret"), "{run:?}");
    assert_eq!(fx.mock.count(), 0);
}
