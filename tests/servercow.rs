//! Servercow's DNS API against the fake in tests/support/servercow.rs: the zone's
//! records read first, the record set by one POST only when it differs (its
//! TTL kept), created when missing; the credentials in headers, never in output.
// Only when the provider is built in (a cargo feature of its own).
#![cfg(feature = "servercow")]

mod support;

use support::servercow::{ServercowApi, USER};
use support::*;

fn setup() -> (Fixture, ServercowApi) {
    let fx = Fixture::https();
    let api = ServercowApi::on(&fx.mock, &["example.com"]);
    (fx, api)
}

fn run(fx: &Fixture, extra: &[&str]) -> Run {
    let mut all = vec!["-p".to_string(), "servercow".to_string()];
    all.extend(fx.login_args(USER));
    all.extend(extra.iter().map(|s| s.to_string()));
    fx.run_owned(&all)
}

fn methods(fx: &Fixture) -> Vec<String> {
    fx.mock
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

#[test]
fn a_changed_address_is_set_with_the_records_ttl() {
    let (fx, api) = setup();
    api.add("example.com", "home", "A", "198.51.100.1");
    api.add("example.com", "home", "AAAA", "2001:db8::1");
    let run = run(&fx, &["--ipv4", "203.0.113.7", "home.example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, "home.example.com: updated A 203.0.113.7\n");
    assert_eq!(api.violations(), Vec::<String>::new());
    let record = api.record("example.com", "home", "A").expect("record");
    assert_eq!((record.content.as_str(), record.ttl), ("203.0.113.7", 3600));
    assert_eq!(
        api.record("example.com", "home", "AAAA").map(|r| r.content),
        Some("2001:db8::1".to_string())
    );
    assert_eq!(
        methods(&fx),
        [
            "GET /dns/v1/domains/example.com",
            "POST /dns/v1/domains/example.com"
        ]
    );
    for r in fx.mock.requests() {
        assert_eq!(r.header("x-auth-username"), Some(USER));
        assert_eq!(r.header("x-auth-password"), Some(PASSWORD));
    }
}

#[test]
fn an_unchanged_address_writes_nothing() {
    let (fx, api) = setup();
    api.add("example.com", "home", "AAAA", "2001:db8::1");
    let run = run(&fx, &["-6", "--ipv6", "2001:DB8:0::1", "home.example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(methods(&fx), ["GET /dns/v1/domains/example.com"]);
    assert_eq!(api.violations(), Vec::<String>::new());

    // Listed under full names, the record is found all the same.
    let (fx, api) = setup();
    api.list_full_names();
    api.add("example.com", "home", "A", "203.0.113.7");
    let run = self::run(&fx, &["--ipv4", "203.0.113.7", "home.example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(methods(&fx), ["GET /dns/v1/domains/example.com"]);
}

#[test]
fn a_missing_record_is_created_at_the_apex_and_in_a_given_zone() {
    let (fx, api) = setup();
    let run = run(
        &fx,
        &["--ttl", "300", "--ipv4", "203.0.113.7", "example.com"],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains("had no A record; created it"),
        "{run:?}"
    );
    let record = api.record("example.com", "", "A").expect("created");
    assert_eq!((record.content.as_str(), record.ttl), ("203.0.113.7", 300));

    // A zone of three labels is named with --zone.
    let fx = Fixture::https();
    let api = ServercowApi::on(&fx.mock, &["home.example.co.uk"]);
    let run = self::run(
        &fx,
        &[
            "--zone",
            "home.example.co.uk",
            "--ipv4",
            "203.0.113.7",
            "nas.home.example.co.uk",
        ],
    );
    assert_eq!(run.code, 0, "{run:?}");
    let record = api.record("home.example.co.uk", "nas", "A").expect("made");
    assert_eq!((record.content.as_str(), record.ttl), ("203.0.113.7", 120));
    assert_eq!(api.violations(), Vec::<String>::new());
}

#[test]
fn a_wrong_password_is_exit_10_and_a_foreign_zone_exit_11() {
    let (fx, _api) = setup();
    let wrong = write_secret(&fx.dir, "wrong", "pw-SECRET-wrong");
    let wrong = wrong.display().to_string();
    let cmd = [
        "-v",
        "-p",
        "servercow",
        "-u",
        USER,
        "--password-file",
        wrong.as_str(),
        "--ipv4",
        "203.0.113.7",
        "home.example.com",
    ];
    let run = fx.run(&cmd);
    assert_eq!(run.code, 10, "{run:?}");
    assert!(run.stderr.contains("X-Auth-Password: ***"), "{run:?}");
    let all = format!("{}{}{}", run.stdout, run.stderr, fx.state_text());
    assert!(!all.contains("pw-SECRET-wrong"), "{all}");

    let (fx, _api) = setup();
    let run = self::run(&fx, &["--ipv4", "203.0.113.7", "home.example.net"]);
    assert_eq!(run.code, 11, "{run:?}");
    assert!(run.stderr.contains("no such domain"), "{run:?}");
}

#[test]
fn server_errors_are_exit_16_and_several_records_are_refused() {
    let (fx, _api) = setup();
    fx.mock.reply(Reply::status(503, "Service Unavailable"));
    let run = run(&fx, &["--ipv4", "203.0.113.7", "home.example.com"]);
    assert_eq!(run.code, 16, "{run:?}");

    let (fx, api) = setup();
    api.add("example.com", "home", "A", "198.51.100.1");
    api.add("example.com", "home", "A", "198.51.100.2");
    let run = self::run(&fx, &["--ipv4", "203.0.113.7", "home.example.com"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("2 A records"), "{run:?}");
    assert_eq!(fx.mock.count(), 1, "nothing is written");
}

#[test]
fn verbose_says_every_call_and_masks_the_password() {
    let (fx, api) = setup();
    api.add("example.com", "home", "A", "198.51.100.1");
    let run = run(&fx, &["-v", "--ipv4", "203.0.113.7", "home.example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("X-Auth-Password: ***"), "{run:?}");
    assert!(
        run.stderr.contains(&format!("X-Auth-Username: {USER}")),
        "{run:?}"
    );
    let all = format!("{}{}{}", run.stdout, run.stderr, fx.state_text());
    assert!(!all.contains(PASSWORD), "{all}");
}
