//! TransIP (REST API v6) against the fake in tests/support/transip.rs, which
//! checks the login's RSA-SHA512 signature with the account's public key: one
//! login per run, the entry read and patched (keeping its expire) only when it
//! differs, created when missing; the key read whole from --password-file (PEM
//! on lines, on one line, PKCS#1); errors and their exit codes; no key and no
//! token in any output.
// Only when the provider is built in (a cargo feature of its own).
#![cfg(feature = "transip")]

mod support;

use support::rsa_key::{write_key, KEY_PEM, KEY_PEM_OTHER, KEY_PEM_PKCS1};
use support::transip::{error, TransipApi, LOGIN};
use support::*;

fn setup() -> (Fixture, TransipApi) {
    let fx = Fixture::https();
    let api = TransipApi::on(&fx.mock, &["example.com"]);
    (fx, api)
}

fn run_with_key(fx: &Fixture, pem: &str, extra: &[&str]) -> Run {
    let key = write_key(&fx.dir, "transip.key", pem);
    let mut all = vec![
        "-p".to_string(),
        "transip".to_string(),
        "--user".to_string(),
        LOGIN.to_string(),
        "--password-file".to_string(),
        key.display().to_string(),
    ];
    all.extend(extra.iter().map(|s| s.to_string()));
    fx.run_owned(&all)
}

fn run(fx: &Fixture, extra: &[&str]) -> Run {
    run_with_key(fx, KEY_PEM, extra)
}

/// A line of the key's body, which must never be printed.
fn key_line() -> &'static str {
    KEY_PEM.lines().nth(3).expect("a body line")
}

#[test]
fn a_changed_address_is_patched_keeping_the_expire() {
    let (fx, api) = setup();
    api.add("example.com", "h", 3600, "A", "198.51.100.1");
    let run = run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, "h.example.com: updated A 203.0.113.7\n");
    assert_eq!(api.violations(), Vec::<String>::new());
    let entries = api.entries("h", "A");
    assert_eq!(entries.len(), 1);
    assert_eq!(
        (entries[0].expire, entries[0].content.as_str()),
        (3600, "203.0.113.7")
    );
    assert_eq!(
        api.calls(),
        [
            "POST /v6/auth",
            "GET /v6/domains",
            "GET /v6/domains/example.com/dns",
            "PATCH /v6/domains/example.com/dns"
        ]
    );
}

#[test]
fn an_unchanged_address_writes_nothing_and_two_hosts_log_in_once() {
    let (fx, api) = setup();
    api.add("example.com", "a", 300, "A", "203.0.113.7");
    api.add("example.com", "b", 300, "A", "203.0.113.7");
    let run = run(
        &fx,
        &[
            "--zone",
            "example.com",
            "--ipv4",
            "203.0.113.7",
            "a.example.com",
            "b.example.com",
        ],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        api.calls(),
        [
            "POST /v6/auth",
            "GET /v6/domains/example.com/dns",
            "GET /v6/domains/example.com/dns"
        ]
    );
    assert_eq!(api.violations(), Vec::<String>::new());
}

#[test]
fn a_missing_record_is_created_at_the_apex_with_the_ttl() {
    let (fx, api) = setup();
    let run = run(
        &fx,
        &["-6", "--ipv6", "2001:db8::7", "--ttl", "600", "example.com"],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains("had no AAAA record; created it"),
        "{run:?}"
    );
    let entries = api.entries("@", "AAAA");
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(
        (entries[0].expire, entries[0].content.as_str()),
        (600, "2001:db8::7")
    );
    assert_eq!(api.violations(), Vec::<String>::new());
}

#[test]
fn the_key_reads_on_one_line_and_as_pkcs1() {
    for pem in [KEY_PEM.replace('\n', " "), KEY_PEM_PKCS1.to_string()] {
        let (fx, api) = setup();
        api.add("example.com", "h", 300, "A", "198.51.100.1");
        let run = run_with_key(&fx, &pem, &["--ipv4", "203.0.113.7", "h.example.com"]);
        assert_eq!(run.code, 0, "{run:?}");
        assert_eq!(api.entries("h", "A")[0].content, "203.0.113.7");
        assert_eq!(api.violations(), Vec::<String>::new());
    }
}

#[test]
fn each_login_has_its_own_nonce() {
    let (fx, api) = setup();
    for _ in 0..2 {
        let run = run(&fx, &["--force", "--ipv4", "203.0.113.7", "h.example.com"]);
        assert_eq!(run.code, 0, "{run:?}");
    }
    let logins = api.logins();
    assert_eq!(logins.len(), 2);
    assert_ne!(logins[0], logins[1]);
    assert_eq!(api.violations(), Vec::<String>::new());
}

#[test]
fn a_key_that_is_not_a_key_is_a_usage_error_naming_it() {
    let (fx, api) = setup();
    let run = run_with_key(
        &fx,
        "pw-SECRET-not-a-key",
        &["--ipv4", "203.0.113.7", "h.example.com"],
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .contains("transip: the private key (the password) is not a PEM key"),
        "{run:?}"
    );
    assert!(!run.stderr.contains("pw-SECRET-not-a-key"), "{run:?}");
    assert!(api.calls().is_empty());
}

#[test]
fn a_key_the_account_does_not_know_or_a_wrong_login_is_exit_10() {
    let (fx, api) = setup();
    let run = run_with_key(
        &fx,
        KEY_PEM_OTHER,
        &["--ipv4", "203.0.113.7", "h.example.com"],
    );
    assert_eq!(run.code, 10, "{run:?}");
    assert!(run.stderr.contains("Signature invalid"), "{run:?}");
    assert_eq!(api.calls(), ["POST /v6/auth"]);
    let key = write_key(&fx.dir, "transip.key", KEY_PEM);
    let key = key.display().to_string();
    let run = fx.run(&[
        "-p",
        "transip",
        "--user",
        "someone-else",
        "--password-file",
        key.as_str(),
        "--ipv4",
        "203.0.113.7",
        "h.example.com",
    ]);
    assert_eq!(run.code, 10, "{run:?}");
    assert!(run.stderr.contains("Login or signature invalid"), "{run:?}");
}

#[test]
fn an_ec_key_is_refused_before_anything_is_sent() {
    let (fx, api) = setup();
    let ec = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("key");
    let run = run_with_key(
        &fx,
        &ec.serialize_pem(),
        &["--ipv4", "203.0.113.7", "h.example.com"],
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("not an RSA private key"), "{run:?}");
    assert!(api.calls().is_empty());
}

#[test]
fn an_unknown_domain_is_exit_11() {
    let (fx, _api) = setup();
    let run = run(
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
    assert!(run.stderr.contains("not found"), "{run:?}");
    let (fx, _api) = setup();
    let run = self::run(&fx, &["--ipv4", "203.0.113.7", "h.example.net"]);
    assert_eq!(run.code, 11, "{run:?}");
}

#[test]
fn refused_and_server_errors_exit_17_and_16() {
    let (fx, _api) = setup();
    fx.mock.reply(error(406, "This action is not acceptable"));
    let run = run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 17, "{run:?}");
    let (fx, _api) = setup();
    fx.mock
        .reply(error(429, "Rate limit exceeded").header("Retry-After", "600"));
    let run = self::run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 16, "{run:?}");
}

#[test]
fn verbose_shows_neither_key_nor_token() {
    let (fx, api) = setup();
    api.add("example.com", "h", 300, "A", "198.51.100.1");
    let run = run(&fx, &["-v", "--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("PATCH https://"), "{run:?}");
    assert!(run.stderr.contains("Bearer ***"), "{run:?}");
    assert!(run.stderr.contains(r#""token":"***""#), "{run:?}");
    let all = format!("{}{}{}", run.stdout, run.stderr, fx.state_text());
    let tokens = api.tokens();
    assert_eq!(tokens.len(), 1);
    assert!(!all.contains(&tokens[0]), "{all}");
    assert!(!all.contains(key_line()), "{all}");
}

#[test]
fn the_login_and_the_key_are_required() {
    let (fx, api) = setup();
    let key = write_key(&fx.dir, "transip.key", KEY_PEM);
    let key = key.display().to_string();
    let run = fx.run(&[
        "-p",
        "transip",
        "--password-file",
        key.as_str(),
        "h.example.com",
    ]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .contains("transip needs the account the key belongs to: --user ACCOUNT"),
        "{run:?}"
    );
    let run = fx.run(&["-p", "transip", "--user", LOGIN, "h.example.com"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .contains("transip needs the account's private key: --password-file FILE"),
        "{run:?}"
    );
    assert!(api.calls().is_empty());
}
