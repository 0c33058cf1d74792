//! Cloudflare API v4 against the fake in tests/support/cloudflare.rs: the record
//! is read first and written only when it differs, content alone, created when
//! missing; one zone lookup per run; the error answers and their exit codes.
// Only when the provider is built in (a cargo feature of its own).
#![cfg(feature = "cloudflare")]

mod support;

use support::cloudflare::{error, CloudflareApi, EMAIL};
use support::*;

const ZONE_ID: &str = "023e105f4ecef8ad9ca31a8372d0c353";
const OTHER_ZONE_ID: &str = "99999999999999999999999999999999";

fn setup() -> (Fixture, CloudflareApi) {
    let fx = Fixture::https();
    let api = CloudflareApi::on(
        &fx.mock,
        &[(ZONE_ID, "example.com"), (OTHER_ZONE_ID, "other.org")],
    );
    (fx, api)
}

fn run(fx: &Fixture, extra: &[&str]) -> Run {
    let mut all = vec![
        "-p".to_string(),
        "cloudflare".to_string(),
        "--token-file".to_string(),
        fx.token_file.display().to_string(),
    ];
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
fn a_changed_address_patches_the_content_alone() {
    let (fx, api) = setup();
    let id = api.add(ZONE_ID, "A", "h.example.com", "198.51.100.1");
    let before = api.record("A", "h.example.com").expect("record");
    let run = run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, "h.example.com: updated A 203.0.113.7\n");
    assert_eq!(run.stderr, "");
    assert_eq!(api.violations(), Vec::<String>::new());
    let after = api.record("A", "h.example.com").expect("record");
    assert_eq!(after.content, "203.0.113.7");
    // Proxied, TTL, comment and tags are as the user left them.
    assert_eq!(
        (after.proxied, after.ttl, &after.comment, &after.tags),
        (before.proxied, before.ttl, &before.comment, &before.tags)
    );
    assert_eq!(
        methods(&fx),
        [
            "GET /client/v4/zones".to_string(),
            format!("GET /client/v4/zones/{ZONE_ID}/dns_records"),
            format!("PATCH /client/v4/zones/{ZONE_ID}/dns_records/{id}"),
        ]
    );
    let requests = fx.mock.requests();
    assert_eq!(requests[1].param("type"), Some("A"));
    assert_eq!(requests[1].param("name"), Some("h.example.com"));
    assert_eq!(requests[2].body, r#"{"content":"203.0.113.7"}"#);
    for r in &requests {
        assert_eq!(
            r.header("authorization"),
            Some(format!("Bearer {TOKEN}").as_str())
        );
        assert!(r.query.iter().all(|(_, v)| !v.contains(TOKEN)));
    }
    assert!(!fx.state_text().contains(TOKEN));
}

#[test]
fn a_current_record_is_not_written() {
    let (fx, api) = setup();
    api.add(ZONE_ID, "AAAA", "h.example.com", "2001:DB8:0::1");
    let run = run(&fx, &["-6", "--ipv6", "2001:db8::1", "h.example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout,
        "h.example.com: already current AAAA 2001:db8::1\n"
    );
    assert!(
        methods(&fx).iter().all(|m| m.starts_with("GET ")),
        "{:?}",
        methods(&fx)
    );
    assert_eq!(
        api.record("AAAA", "h.example.com").map(|r| r.content),
        Some("2001:DB8:0::1".to_string())
    );
    // Recorded: the next run sends nothing at all.
    let count = fx.mock.count();
    let again = self::run(&fx, &["-6", "--ipv6", "2001:db8::1", "h.example.com"]);
    assert_eq!((again.code, again.stdout.as_str()), (0, ""), "{again:?}");
    assert_eq!(fx.mock.count(), count);
}

#[test]
fn a_missing_record_is_created_and_said() {
    let (fx, api) = setup();
    let run = run(&fx, &["--ipv4", "203.0.113.7", "new.example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout,
        "new.example.com: cloudflare had no A record; created it\n\
         new.example.com: updated A 203.0.113.7\n"
    );
    let created = api.record("A", "new.example.com").expect("created");
    assert_eq!(
        (created.content.as_str(), created.ttl, created.proxied),
        ("203.0.113.7", 1, false)
    );
    let post = fx.mock.last().expect("a request");
    assert_eq!(post.method, "POST");
    assert_eq!(post.path, format!("/client/v4/zones/{ZONE_ID}/dns_records"));
    assert_eq!(
        post.body,
        r#"{"type":"A","name":"new.example.com","content":"203.0.113.7","ttl":1,"proxied":false}"#
    );
    assert_eq!(api.violations(), Vec::<String>::new());
}

#[test]
fn several_hosts_and_both_families_take_one_zone_lookup() {
    let (fx, api) = setup();
    api.add(ZONE_ID, "A", "a.example.com", "198.51.100.1");
    api.add(ZONE_ID, "AAAA", "a.example.com", "2001:db8::9");
    api.add(OTHER_ZONE_ID, "A", "b.other.org", "203.0.113.7");
    let run = run(
        &fx,
        &[
            "--ipv4",
            "203.0.113.7",
            "--ipv6",
            "2001:db8::1",
            "a.example.com",
            "b.other.org",
        ],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout,
        "b.other.org: cloudflare had no AAAA record; created it\n\
         a.example.com: updated A 203.0.113.7 AAAA 2001:db8::1\n\
         b.other.org: updated AAAA 2001:db8::1; already current A 203.0.113.7\n"
    );
    let zone_lookups = methods(&fx)
        .iter()
        .filter(|m| *m == "GET /client/v4/zones")
        .count();
    assert_eq!(zone_lookups, 1, "{:?}", methods(&fx));
    assert_eq!(
        api.record("AAAA", "b.other.org").map(|r| r.zone_id),
        Some(OTHER_ZONE_ID.to_string())
    );
    assert_eq!(api.violations(), Vec::<String>::new());
}

#[test]
fn zone_by_name_or_by_id() {
    let (fx, api) = setup();
    api.add(ZONE_ID, "A", "h.example.com", "198.51.100.1");
    let by_name = run(
        &fx,
        &[
            "--zone",
            "example.com",
            "--ipv4",
            "203.0.113.7",
            "h.example.com",
        ],
    );
    assert_eq!(by_name.code, 0, "{by_name:?}");
    assert_eq!(fx.mock.requests()[0].param("name"), Some("example.com"));

    let (fx, api) = setup();
    api.add(ZONE_ID, "A", "h.example.com", "198.51.100.1");
    let by_id = run(
        &fx,
        &[
            "--zone-id",
            ZONE_ID,
            "--ipv4",
            "203.0.113.7",
            "h.example.com",
        ],
    );
    assert_eq!(by_id.code, 0, "{by_id:?}");
    assert!(
        methods(&fx).iter().all(|m| m != "GET /client/v4/zones"),
        "--zone-id needs no lookup: {:?}",
        methods(&fx)
    );
    assert_eq!(
        api.record("A", "h.example.com").map(|r| r.content),
        Some("203.0.113.7".to_string())
    );
}

#[test]
fn the_legacy_email_and_global_key_go_in_their_headers() {
    let (fx, api) = setup();
    api.add(ZONE_ID, "A", "h.example.com", "198.51.100.1");
    let run = fx.run_owned(&args(
        &["-p", "cloudflare", "--ipv4", "203.0.113.7", "h.example.com"],
        &fx.login_args(EMAIL),
    ));
    assert_eq!(run.code, 0, "{run:?}");
    let r = fx.mock.last().expect("a request");
    assert_eq!(r.header("x-auth-email"), Some(EMAIL));
    assert_eq!(r.header("x-auth-key"), Some(PASSWORD));
    assert_eq!(r.header("authorization"), None);
}

#[test]
fn a_bad_token_is_exit_10_and_held() {
    let (fx, _api) = setup();
    let wrong = write_secret(&fx.dir, "wrong", "tok-SECRET-wrong");
    let wrong = wrong.display().to_string();
    let cmd = [
        "-p",
        "cloudflare",
        "--token-file",
        wrong.as_str(),
        "--ipv4",
        "203.0.113.7",
        "h.example.com",
    ];
    let run = fx.run(&cmd);
    assert_eq!(run.code, 10, "{run:?}");
    assert!(
        run.stderr
            .contains("HTTP 403 9109 \"Invalid access token\""),
        "{run:?}"
    );
    assert!(!run.stderr.contains("tok-SECRET-wrong"));
    let count = fx.mock.count();
    let held = fx.run(&cmd);
    assert_eq!(held.code, 10, "{held:?}");
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
    assert!(run.stderr.contains("zone example.net not found"), "{run:?}");

    let (fx, _api) = setup();
    let run = self::run(
        &fx,
        &[
            "--zone-id",
            "0000",
            "--ipv4",
            "203.0.113.7",
            "h.example.com",
        ],
    );
    assert_eq!(run.code, 11, "{run:?}");
    assert!(run.stderr.contains("HTTP 400 7003"), "{run:?}");
}

#[test]
fn rate_limited_is_exit_16_and_retry_after_is_honoured() {
    let (fx, _api) = setup();
    fx.mock.reply(
        error(
            429,
            971,
            "Please wait and consider throttling your request speed",
        )
        .header("Retry-After", "7200"),
    );
    let cmd = ["--ipv4", "203.0.113.7", "h.example.com"];
    let started = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let run = run(&fx, &cmd);
    assert_eq!(run.code, 16, "{run:?}");
    let state = fx.state_text();
    let hold = state
        .lines()
        .find(|l| l.starts_with("hold 16 "))
        .unwrap_or_else(|| panic!("no hold: {state}"));
    let until: u64 = hold
        .split(' ')
        .nth(3)
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    assert!(
        until >= started + 7200 && until <= started + 7200 + 60,
        "{hold}"
    );
    let count = fx.mock.count();
    let again = self::run(&fx, &cmd);
    assert_eq!(again.code, 16, "{again:?}");
    assert_eq!(fx.mock.count(), count, "asked again before Retry-After");
}

#[test]
fn a_server_error_is_exit_16() {
    let (fx, _api) = setup();
    fx.mock.reply(
        Reply::status(502, "<html><body>502 Bad Gateway</body></html>")
            .header("Content-Type", "text/html"),
    );
    let run = run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 16, "{run:?}");
    assert!(run.stderr.contains("HTTP 502"), "{run:?}");
}

#[test]
fn a_rejected_write_is_exit_17() {
    // Cloudflare takes TTLs of 60 s and more (or 1, automatic): 30 is refused.
    let (fx, api) = setup();
    let run = run(
        &fx,
        &["--ttl", "30", "--ipv4", "203.0.113.7", "new.example.com"],
    );
    assert_eq!(run.code, 17, "{run:?}");
    assert!(run.stderr.contains("HTTP 400 9021"), "{run:?}");
    assert_eq!(api.record("A", "new.example.com"), None);
}

#[test]
fn verbose_and_dry_run_show_no_secret() {
    let (fx, api) = setup();
    api.add(ZONE_ID, "A", "h.example.com", "198.51.100.1");
    let dry = run(&fx, &["-n", "--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(dry.code, 0, "{dry:?}");
    assert!(dry.stdout.starts_with("would send: "), "{dry:?}");
    assert_eq!(fx.mock.count(), 0, "a dry run sent something");

    let verbose = run(&fx, &["-v", "--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(verbose.code, 0, "{verbose:?}");
    assert!(
        verbose.stderr.contains("(Authorization: Bearer ***)"),
        "{verbose:?}"
    );
    assert!(verbose.stderr.contains(r#"PATCH https://"#), "{verbose:?}");

    let legacy = fx.run_owned(&args(
        &[
            "-p",
            "cloudflare",
            "-v",
            "-f",
            "--ipv4",
            "203.0.113.8",
            "h.example.com",
        ],
        &fx.login_args(EMAIL),
    ));
    assert_eq!(legacy.code, 0, "{legacy:?}");
    assert!(legacy.stderr.contains("X-Auth-Key: ***"), "{legacy:?}");
}

#[test]
fn usage_errors_are_said_before_anything_is_sent() {
    let (fx, _api) = setup();
    for (extra, expected) in [
        (
            &["--ipv4", "auto", "h.example.com"][..],
            "'auto' has no meaning",
        ),
        (
            &[
                "--zone",
                "example.com",
                "--ipv4",
                "192.0.2.1",
                "h.other.org",
            ][..],
            "not in zone",
        ),
        (
            &["--zone-id", "a/b", "--ipv4", "192.0.2.1", "h.example.com"][..],
            "--zone-id",
        ),
    ] {
        let run = run(&fx, extra);
        assert_eq!(run.code, 2, "{extra:?}: {run:?}");
        assert!(run.one_error_line().contains(expected), "{run:?}");
    }
    let no_key = fx.run(&[
        "-p",
        "cloudflare",
        "-u",
        EMAIL,
        "--ipv4",
        "192.0.2.1",
        "h.example.com",
    ]);
    assert_eq!(no_key.code, 2, "{no_key:?}");
    assert!(no_key.stderr.contains("global API key"), "{no_key:?}");
    assert_eq!(fx.mock.count(), 0);
}
