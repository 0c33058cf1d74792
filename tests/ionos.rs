//! IONOS' DynDNS update URL against the fake in tests/support/ionos.rs: one GET
//! per run with the token (masked in output) and the addresses; no read, so the
//! state file keeps unchanged addresses home; the error answers' exit codes.
// Only when the provider is built in (a cargo feature of its own).
#![cfg(feature = "ionos")]

mod support;

use support::ionos::IonosApi;
use support::*;

fn setup() -> (Fixture, IonosApi) {
    let fx = Fixture::https();
    let api = IonosApi::on(&fx.mock, &["home.example.com"]);
    (fx, api)
}

fn run(fx: &Fixture, extra: &[&str]) -> Run {
    let mut all = vec![
        "-p".to_string(),
        "ionos".to_string(),
        "--token-file".to_string(),
        fx.token_file.display().to_string(),
    ];
    all.extend(extra.iter().map(|s| s.to_string()));
    fx.run_owned(&all)
}

#[test]
fn both_families_go_in_one_get_and_are_not_sent_again_while_unchanged() {
    let (fx, api) = setup();
    let args = [
        "--ipv4",
        "203.0.113.7",
        "--ipv6",
        "2001:db8::7",
        "home.example.com",
    ];
    let run = run(&fx, &args);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(fx.mock.count(), 1, "{:?}", fx.mock.requests());
    assert_eq!(
        api.address("home.example.com", "A"),
        Some("203.0.113.7".to_string())
    );
    assert_eq!(
        api.address("home.example.com", "AAAA"),
        Some("2001:db8::7".to_string())
    );
    assert_eq!(api.violations(), Vec::<String>::new());
    let again = self::run(&fx, &args);
    assert_eq!((again.code, again.stdout.as_str()), (0, ""), "{again:?}");
    assert_eq!(fx.mock.count(), 1, "an unchanged address was sent again");
}

#[test]
fn a_bad_token_is_exit_10_and_masked() {
    let (fx, _api) = setup();
    let wrong = write_secret(&fx.dir, "wrong", "tok-SECRET-wrong");
    let wrong = wrong.display().to_string();
    let run = fx.run(&[
        "-v",
        "-p",
        "ionos",
        "--token-file",
        wrong.as_str(),
        "--ipv4",
        "203.0.113.7",
        "home.example.com",
    ]);
    assert_eq!(run.code, 10, "{run:?}");
    assert!(run.stderr.contains("q=***"), "{run:?}");
    let all = format!("{}{}{}", run.stdout, run.stderr, fx.state_text());
    assert!(!all.contains("tok-SECRET-wrong"), "{all}");
}

#[test]
fn an_unknown_url_is_exit_11_and_a_refused_address_17() {
    let (fx, _api) = setup();
    fx.mock.reply(Reply::status(404, "Not Found"));
    let run = run(&fx, &["--ipv4", "203.0.113.7", "home.example.com"]);
    assert_eq!(run.code, 11, "{run:?}");

    let (fx, _api) = setup();
    fx.mock.reply(Reply::status(
        400,
        r#"[{"code":"INVALID_RECORD","message":"Record is invalid."}]"#,
    ));
    let run = self::run(&fx, &["--ipv4", "203.0.113.7", "home.example.com"]);
    assert_eq!(run.code, 17, "{run:?}");
    assert!(run.stderr.contains("INVALID_RECORD"), "{run:?}");
}

#[test]
fn server_errors_and_rate_limits_are_exit_16() {
    let (fx, _api) = setup();
    fx.mock.reply(Reply::status(503, "Service Unavailable"));
    let run = run(&fx, &["--ipv4", "203.0.113.7", "home.example.com"]);
    assert_eq!(run.code, 16, "{run:?}");

    let (fx, _api) = setup();
    fx.mock
        .reply(Reply::status(429, "Too Many Requests").header("Retry-After", "2400"));
    let run = self::run(&fx, &["--ipv4", "203.0.113.7", "home.example.com"]);
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
fn verbose_masks_the_token() {
    let (fx, _api) = setup();
    let run = run(&fx, &["-v", "--ipv4", "203.0.113.7", "home.example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("q=***&ipv4=203.0.113.7"), "{run:?}");
    let all = format!("{}{}{}", run.stdout, run.stderr, fx.state_text());
    assert!(!all.contains(TOKEN), "{all}");
}
