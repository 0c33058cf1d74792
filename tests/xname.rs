//! FreeDNS::42 (xname.updateArecord over XML-RPC) against the fake in
//! tests/support/xname.rs: one call per record replacing the name's records of
//! that family only, values XML-escaped, the faults and their exit codes, no
//! secret (nor its escaped form) in any output.
// Only when the provider is built in (a cargo feature of its own).
#![cfg(feature = "xname")]

mod support;

use support::xname::{fault, XnameApi, USER};
use support::*;

fn setup() -> (Fixture, XnameApi) {
    let fx = Fixture::https();
    let api = XnameApi::on(&fx.mock, &["example.com"]);
    (fx, api)
}

fn run(fx: &Fixture, extra: &[&str]) -> Run {
    let mut all = vec![
        "-p".to_string(),
        "xname".to_string(),
        "--user".to_string(),
        USER.to_string(),
        "--password-file".to_string(),
        fx.password_file.display().to_string(),
    ];
    all.extend(extra.iter().map(|s| s.to_string()));
    fx.run_owned(&all)
}

fn member<'c>(call: &'c [(String, String)], key: &str) -> Option<&'c str> {
    call.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

#[test]
fn a_changed_address_replaces_the_a_records_of_the_name() {
    let (fx, api) = setup();
    api.add("example.com", "h", "A", "198.51.100.1");
    api.add("example.com", "h", "AAAA", "2001:db8::1");
    let run = run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, "h.example.com: updated A 203.0.113.7\n");
    assert_eq!(api.violations(), Vec::<String>::new());
    assert_eq!(api.values("h", "A"), ["203.0.113.7"]);
    // The other family stays (the script's `*` would have dropped it).
    assert_eq!(api.values("h", "AAAA"), ["2001:db8::1"]);
    let calls = api.calls();
    assert_eq!(calls.len(), 1);
    let call = &calls[0];
    let got: Vec<Option<&str>> = [
        "name",
        "zone",
        "oldaddress",
        "newaddress",
        "ttl",
        "user",
        "updatereverse",
    ]
    .iter()
    .map(|k| member(call, k))
    .collect();
    assert_eq!(
        got,
        [
            Some("h"),
            Some("example.com"),
            Some("*.*"),
            Some("203.0.113.7"),
            Some("600"),
            Some(USER),
            Some("0")
        ]
    );
}

#[test]
fn an_aaaa_record_at_the_apex_with_a_ttl() {
    let (fx, api) = setup();
    api.add("example.com", "@", "A", "198.51.100.1");
    let run = run(
        &fx,
        &["-6", "--ipv6", "2001:db8::7", "--ttl", "300", "example.com"],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(api.values("@", "AAAA"), ["2001:db8::7"]);
    assert_eq!(api.values("@", "A"), ["198.51.100.1"]);
    let calls = api.calls();
    assert_eq!(member(&calls[0], "oldaddress"), Some("*:*"));
    assert_eq!(member(&calls[0], "ttl"), Some("300"));
    assert_eq!(api.violations(), Vec::<String>::new());
}

#[test]
fn a_password_with_markup_is_escaped_and_never_shown() {
    let fx = Fixture::https();
    let password = "pw-SECRET-<a&b>";
    let api = XnameApi::with_password(&fx.mock, &["example.com"], password);
    let file = write_secret(&fx.dir, "markup", password);
    let file = file.display().to_string();
    let run = fx.run(&[
        "-v",
        "-p",
        "xname",
        "--user",
        USER,
        "--password-file",
        file.as_str(),
        "--ipv4",
        "203.0.113.7",
        "h.example.com",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(api.violations(), Vec::<String>::new());
    assert_eq!(api.values("h", "A"), ["203.0.113.7"]);
    assert!(run.stderr.contains("xname.updateArecord"), "{run:?}");
    let all = format!("{}{}{}", run.stdout, run.stderr, fx.state_text());
    // Its escaped form whole: a masked start alone would leave the rest.
    for form in [password, "&lt;a&amp;b&gt;", "pw-SECRET"] {
        assert!(!all.contains(form), "{form}: {all}");
    }
}

#[test]
fn a_wrong_password_is_exit_10() {
    let (fx, _api) = setup();
    let wrong = write_secret(&fx.dir, "wrong", "pw-SECRET-wrong");
    let wrong = wrong.display().to_string();
    let run = fx.run(&[
        "-p",
        "xname",
        "--user",
        USER,
        "--password-file",
        wrong.as_str(),
        "--ipv4",
        "203.0.113.7",
        "h.example.com",
    ]);
    assert_eq!(run.code, 10, "{run:?}");
    assert!(run.stderr.contains("authentication refused"), "{run:?}");
    assert!(!run.stderr.contains("pw-SECRET-wrong"), "{run:?}");
}

#[test]
fn a_zone_of_someone_else_is_exit_11() {
    let (fx, _api) = setup();
    let run = run(&fx, &["--ipv4", "203.0.113.7", "h.example.net"]);
    assert_eq!(run.code, 11, "{run:?}");
    assert!(
        run.stderr.contains("You can not manage zone example.net"),
        "{run:?}"
    );
}

#[test]
fn other_faults_are_exit_17_and_server_errors_16() {
    let (fx, _api) = setup();
    fx.mock.reply(fault("Check error: zone check failed"));
    let run = run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 17, "{run:?}");
    assert!(run.stderr.contains("Check error"), "{run:?}");

    let (fx, _api) = setup();
    fx.mock
        .reply(Reply::status(503, "Service Unavailable").header("Retry-After", "1200"));
    let run = self::run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 16, "{run:?}");

    // An answer that is neither a serial nor a fault.
    let (fx, _api) = setup();
    fx.mock.reply(Reply::ok("<html>maintenance</html>"));
    let run = self::run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 1, "{run:?}");
}

#[test]
fn verbose_shows_the_call_and_no_secret() {
    let (fx, api) = setup();
    let run = run(&fx, &["-v", "--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(api.serial(), 2026112901);
    assert!(
        run.stderr
            .contains("<member><name>password</name><value><string>***</string>"),
        "{run:?}"
    );
    let all = format!("{}{}{}", run.stdout, run.stderr, fx.state_text());
    assert!(!all.contains(PASSWORD), "{all}");
}
