//! Google Cloud DNS (v1) against the fake in tests/support/gcp.rs, which checks
//! the service account's JWT (claims and RS256 signature, with the account's
//! public key) at the token endpoint and the Bearer token at the API: the set
//! read first, patched (keeping its TTL) only when it differs, created when
//! missing; the key from a PEM or a JSON key file; errors and their exit codes;
//! no key, assertion or token in any output.
// Only when the provider is built in (a cargo feature of its own).
#![cfg(feature = "gcp")]

mod support;

use support::gcp::{error, GcpApi, ACCOUNT, PROJECT, ZONE};
use support::rsa_key::{write_key, KEY_PEM, KEY_PEM_OTHER};
use support::*;

fn setup() -> (Fixture, GcpApi) {
    let fx = Fixture::https();
    let api = GcpApi::on(&fx.mock);
    (fx, api)
}

fn zone_id() -> String {
    format!("{PROJECT}/{ZONE}")
}

fn run_with_key(fx: &Fixture, key_file: &str, key: &str, extra: &[&str]) -> Run {
    let key = write_key(&fx.dir, key_file, key);
    let mut all = vec![
        "-p".to_string(),
        "gcp".to_string(),
        "--user".to_string(),
        ACCOUNT.to_string(),
        "--password-file".to_string(),
        key.display().to_string(),
        "--zone-id".to_string(),
        zone_id(),
    ];
    all.extend(extra.iter().map(|s| s.to_string()));
    fx.run_owned(&all)
}

fn run(fx: &Fixture, extra: &[&str]) -> Run {
    run_with_key(fx, "gcp.pem", KEY_PEM, extra)
}

fn json_key() -> String {
    support::rsa_key::json_key(ACCOUNT, PROJECT)
}

#[test]
fn a_changed_address_is_patched_keeping_the_ttl() {
    let (fx, api) = setup();
    api.add("h.example.com.", "A", 600, &["198.51.100.1"]);
    let run = run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, "h.example.com: updated A 203.0.113.7\n");
    assert_eq!(api.violations(), Vec::<String>::new());
    let set = api.set("h.example.com.", "A").expect("set");
    assert_eq!(
        (set.ttl, set.rrdatas),
        (600, vec!["203.0.113.7".to_string()])
    );
    let rrsets = format!("/dns/v1/projects/{PROJECT}/managedZones/{ZONE}/rrsets");
    assert_eq!(
        api.calls(),
        [
            "POST /token".to_string(),
            format!("GET {rrsets}"),
            format!("PATCH {rrsets}/h.example.com./A"),
        ]
    );
}

#[test]
fn an_unchanged_address_writes_nothing() {
    let (fx, api) = setup();
    api.add(
        "h.example.com.",
        "AAAA",
        300,
        &["2001:db8::1", "2001:db8::2"],
    );
    let run = run(&fx, &["-6", "--ipv6", "2001:DB8::2", "h.example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(api.calls().len(), 2, "{:?}", api.calls());
    assert_eq!(
        api.set("h.example.com.", "AAAA")
            .expect("set")
            .rrdatas
            .len(),
        2
    );
}

#[test]
fn a_missing_set_is_created_with_the_ttl_from_a_json_key() {
    let (fx, api) = setup();
    let run = run_with_key(
        &fx,
        "gcp.json",
        &json_key(),
        &["--ttl", "120", "--ipv4", "203.0.113.7", "example.com"],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains("had no A record; created it"),
        "{run:?}"
    );
    let set = api.set("example.com.", "A").expect("set");
    assert_eq!(
        (set.ttl, set.rrdatas),
        (120, vec!["203.0.113.7".to_string()])
    );
    assert_eq!(api.violations(), Vec::<String>::new());
}

#[test]
fn a_key_the_account_does_not_know_or_another_account_is_exit_10() {
    let (fx, api) = setup();
    let run = run_with_key(
        &fx,
        "other.pem",
        KEY_PEM_OTHER,
        &["--ipv4", "203.0.113.7", "h.example.com"],
    );
    assert_eq!(run.code, 10, "{run:?}");
    assert!(run.stderr.contains("invalid_grant"), "{run:?}");
    assert_eq!(api.calls(), ["POST /token"]);
    let key = write_key(&fx.dir, "gcp.pem", KEY_PEM);
    let key = key.display().to_string();
    let zone = zone_id();
    let run = fx.run(&[
        "-p",
        "gcp",
        "--user",
        "other@my-project.iam.gserviceaccount.com",
        "--password-file",
        key.as_str(),
        "--zone-id",
        zone.as_str(),
        "--ipv4",
        "203.0.113.7",
        "h.example.com",
    ]);
    assert_eq!(run.code, 10, "{run:?}");
    assert!(run.stderr.contains("invalid_client"), "{run:?}");
}

#[test]
fn the_project_and_zone_are_required_and_checked() {
    let (fx, api) = setup();
    let key = write_key(&fx.dir, "gcp.pem", KEY_PEM);
    let key = key.display().to_string();
    for zone_id in [None, Some("only-zone"), Some("a/b/c"), Some("/zone")] {
        let mut args = vec![
            "-p",
            "gcp",
            "--user",
            ACCOUNT,
            "--password-file",
            key.as_str(),
        ];
        if let Some(id) = zone_id {
            args.extend(["--zone-id", id]);
        }
        args.extend(["--ipv4", "203.0.113.7", "h.example.com"]);
        let run = fx.run(&args);
        assert_eq!(run.code, 2, "{zone_id:?} {run:?}");
        assert!(run.stderr.contains("--zone-id PROJECT/ZONE"), "{run:?}");
    }
    assert!(api.calls().is_empty());
    let run = fx.run(&[
        "-p",
        "gcp",
        "--user",
        ACCOUNT,
        "--password-file",
        key.as_str(),
        "--zone-id",
        "my-project/other-zone",
        "--ipv4",
        "203.0.113.7",
        "h.example.com",
    ]);
    assert_eq!(run.code, 11, "{run:?}");
    assert!(run.stderr.contains("NOT_FOUND"), "{run:?}");
}

#[test]
fn a_json_key_without_private_key_is_a_usage_error() {
    let (fx, api) = setup();
    let run = run_with_key(
        &fx,
        "gcp.json",
        r#"{"type":"service_account","client_email":"x"}"#,
        &["--ipv4", "203.0.113.7", "h.example.com"],
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("JSON without a private_key"), "{run:?}");
    assert!(api.calls().is_empty());
}

#[test]
fn refused_and_server_errors_exit_17_and_16() {
    let (fx, _api) = setup();
    fx.mock
        .reply(error(400, "INVALID_ARGUMENT", "Invalid value"));
    let run = run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 17, "{run:?}");
    let (fx, _api) = setup();
    fx.mock.reply(error(
        503,
        "UNAVAILABLE",
        "The service is currently unavailable.",
    ));
    let run = self::run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 16, "{run:?}");
}

#[test]
fn verbose_shows_neither_key_nor_assertion_nor_token() {
    let (fx, api) = setup();
    api.add("h.example.com.", "A", 300, &["198.51.100.1"]);
    let run = run_with_key(
        &fx,
        "gcp.json",
        &json_key(),
        &["-v", "--ipv4", "203.0.113.7", "h.example.com"],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("assertion=***"), "{run:?}");
    assert!(run.stderr.contains(r#""access_token":"***""#), "{run:?}");
    assert!(run.stderr.contains("Bearer ***"), "{run:?}");
    // The JSON key's other members are not secret: not masked where they appear.
    assert!(run.stderr.contains("/token"), "{run:?}");
    let all = format!("{}{}{}", run.stdout, run.stderr, fx.state_text());
    let tokens = api.tokens();
    assert_eq!(tokens.len(), 1);
    assert!(!all.contains(&tokens[0]), "{all}");
    let key_line = KEY_PEM.lines().nth(3).expect("a body line");
    assert!(!all.contains(key_line), "{all}");
}
