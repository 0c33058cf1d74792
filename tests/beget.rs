//! Beget's API against the fake in tests/support/beget.rs: the name's records
//! read with getData, and set with changeRecords only when the address differs,
//! the name's other A/AAAA/MX/TXT records sent back unchanged; login and
//! password as form fields of a POST, never in a URL or in output.
// Only when the provider is built in (a cargo feature of its own).
#![cfg(feature = "beget")]

mod support;

use support::beget::{BegetApi, Record, LOGIN};
use support::*;

fn setup() -> (Fixture, BegetApi) {
    let fx = Fixture::https();
    let api = BegetApi::on(&fx.mock, &["example.ru"]);
    (fx, api)
}

fn run(fx: &Fixture, extra: &[&str]) -> Run {
    let mut all = vec!["-p".to_string(), "beget".to_string()];
    all.extend(fx.login_args(LOGIN));
    all.extend(extra.iter().map(|s| s.to_string()));
    fx.run_owned(&all)
}

fn paths(fx: &Fixture) -> Vec<String> {
    fx.mock.requests().iter().map(|r| r.path.clone()).collect()
}

#[test]
fn a_changed_address_is_set_and_the_names_other_records_kept() {
    let (fx, api) = setup();
    api.add("home.example.ru", "A", "198.51.100.1", 0);
    api.add("home.example.ru", "AAAA", "2001:db8::1", 0);
    api.add("home.example.ru", "MX", "mx1.beget.com.", 10);
    api.add("home.example.ru", "TXT", "v=spf1 -all", 10);
    api.add("other.example.ru", "A", "198.51.100.9", 0);
    let run = run(&fx, &["--ipv4", "203.0.113.7", "home.example.ru"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, "home.example.ru: updated A 203.0.113.7\n");
    assert_eq!(api.violations(), Vec::<String>::new());
    assert_eq!(paths(&fx), ["/api/dns/getData", "/api/dns/changeRecords"]);
    assert_eq!(api.values("home.example.ru", "A"), ["203.0.113.7"]);
    assert_eq!(api.values("home.example.ru", "AAAA"), ["2001:db8::1"]);
    assert_eq!(api.values("home.example.ru", "TXT"), ["v=spf1 -all"]);
    let mx: Vec<Record> = api
        .records()
        .into_iter()
        .filter(|r| r.kind == "MX")
        .collect();
    assert_eq!(
        (mx[0].value.as_str(), mx[0].priority),
        ("mx1.beget.com.", 10)
    );
    assert_eq!(api.values("other.example.ru", "A"), ["198.51.100.9"]);
    // The credentials travel in the body of a POST form, never in the URL.
    for r in fx.mock.requests() {
        assert_eq!(r.method, "POST");
        assert!(!r.target.contains("passwd") && !r.target.contains(PASSWORD));
        let form = parse_query(&r.body);
        assert!(form.contains(&("passwd".to_string(), PASSWORD.to_string())));
        assert!(form.contains(&("login".to_string(), LOGIN.to_string())));
    }
}

#[test]
fn an_unchanged_address_writes_nothing() {
    let (fx, api) = setup();
    api.add("home.example.ru", "AAAA", "2001:db8::1", 0);
    let run = run(&fx, &["-6", "--ipv6", "2001:DB8:0::1", "home.example.ru"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(paths(&fx), ["/api/dns/getData"]);
    assert_eq!(api.violations(), Vec::<String>::new());
}

#[test]
fn a_missing_record_is_created() {
    let (fx, api) = setup();
    api.add("example.ru", "MX", "mx1.beget.com.", 10);
    let run = run(&fx, &["-6", "--ipv6", "2001:db8::7", "example.ru"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains("had no AAAA record; created it"),
        "{run:?}"
    );
    assert_eq!(api.values("example.ru", "AAAA"), ["2001:db8::7"]);
    assert_eq!(api.values("example.ru", "MX"), ["mx1.beget.com."]);
    assert_eq!(api.violations(), Vec::<String>::new());
}

#[test]
fn a_wrong_password_is_exit_10_and_never_shown() {
    let (fx, _api) = setup();
    let wrong = write_secret(&fx.dir, "wrong", "pw-SECRET-wrong");
    let wrong = wrong.display().to_string();
    let cmd = [
        "-v",
        "-p",
        "beget",
        "-u",
        LOGIN,
        "--password-file",
        wrong.as_str(),
        "--ipv4",
        "203.0.113.7",
        "home.example.ru",
    ];
    let run = fx.run(&cmd);
    assert_eq!(run.code, 10, "{run:?}");
    assert!(run.stderr.contains("AUTH_ERROR"), "{run:?}");
    assert!(run.stderr.contains("passwd=***"), "{run:?}");
    let all = format!("{}{}{}", run.stdout, run.stderr, fx.state_text());
    assert!(!all.contains("pw-SECRET-wrong"), "{all}");
}

#[test]
fn a_refused_name_is_exit_17_and_server_errors_exit_16() {
    let (fx, _api) = setup();
    let run = run(&fx, &["--ipv4", "203.0.113.7", "home.example.net"]);
    assert_eq!(run.code, 17, "{run:?}");
    assert!(run.stderr.contains("INVALID_DATA"), "{run:?}");

    let (fx, _api) = setup();
    fx.mock.reply(Reply::status(503, "Service Unavailable"));
    let run = self::run(&fx, &["--ipv4", "203.0.113.7", "home.example.ru"]);
    assert_eq!(run.code, 16, "{run:?}");
}

#[test]
fn verbose_masks_the_password_in_every_form() {
    let (fx, api) = setup();
    api.add("home.example.ru", "A", "198.51.100.1", 0);
    let run = run(&fx, &["-v", "--ipv4", "203.0.113.7", "home.example.ru"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("passwd=***"), "{run:?}");
    assert!(run.stderr.contains("dns/changeRecords"), "{run:?}");
    let all = format!("{}{}{}", run.stdout, run.stderr, fx.state_text());
    assert!(!all.contains(PASSWORD), "{all}");
}

#[test]
fn a_name_with_a_cname_is_refused_before_anything_is_written() {
    let (fx, api) = setup();
    api.add("www.example.ru", "CNAME", "example.ru", 10);
    let run = run(&fx, &["--ipv4", "203.0.113.7", "www.example.ru"]);
    assert_eq!(run.code, 17, "{run:?}");
    assert!(run.stderr.contains("has CNAME records"), "{run:?}");
    assert_eq!(paths(&fx), ["/api/dns/getData"]);
    assert_eq!(api.values("www.example.ru", "CNAME"), ["example.ru"]);
}
