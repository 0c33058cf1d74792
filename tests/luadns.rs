//! LuaDNS REST API v1 against the fake in tests/support/luadns.rs: Basic auth
//! with the account e-mail and the API key, the zone list once per run, the
//! record read first and written (its own TTL kept) only when it differs,
//! created when missing; the error answers and their exit codes.
// Only when the provider is built in (a cargo feature of its own).
#![cfg(feature = "luadns")]

mod support;

use support::luadns::{error, LuadnsApi, EMAIL};
use support::*;

fn setup() -> (Fixture, LuadnsApi) {
    let fx = Fixture::https();
    let api = LuadnsApi::on(&fx.mock, &["example.com", "sub.example.com"]);
    (fx, api)
}

fn run(fx: &Fixture, extra: &[&str]) -> Run {
    let mut all = vec!["-p".to_string(), "luadns".to_string()];
    all.extend(fx.login_args(EMAIL));
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
fn a_changed_address_updates_the_record_keeping_its_ttl() {
    let (fx, api) = setup();
    let id = api.add("example.com", "A", "h.example.com", "198.51.100.1");
    api.add("example.com", "AAAA", "h.example.com", "2001:db8::1");
    let run = run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, "h.example.com: updated A 203.0.113.7\n");
    assert_eq!(api.violations(), Vec::<String>::new());
    let record = api.record("h.example.com", "A").expect("record");
    assert_eq!((record.content.as_str(), record.ttl), ("203.0.113.7", 3600));
    assert_eq!(
        calls(&fx),
        [
            "GET /v1/zones".to_string(),
            "GET /v1/zones/7/records".to_string(),
            format!("PUT /v1/zones/7/records/{id}"),
        ]
    );
    assert_eq!(
        fx.mock.last().map(|r| r.body),
        Some(
            r#"{"name":"h.example.com.","type":"A","content":"203.0.113.7","ttl":3600}"#
                .to_string()
        )
    );
    for r in fx.mock.requests() {
        assert_eq!(
            r.basic_auth(),
            Some((EMAIL.to_string(), PASSWORD.to_string()))
        );
    }
}

#[test]
fn a_current_record_is_not_written() {
    let (fx, api) = setup();
    api.add("example.com", "AAAA", "example.com", "2001:db8::1");
    let run = run(&fx, &["-6", "--ipv6", "2001:DB8:0::1", "example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout,
        "example.com: already current AAAA 2001:db8::1\n"
    );
    assert_eq!(calls(&fx), ["GET /v1/zones", "GET /v1/zones/7/records"]);
}

#[test]
fn a_missing_record_is_created_in_the_closest_zone() {
    let (fx, api) = setup();
    let run = run(
        &fx,
        &[
            "--ipv4",
            "203.0.113.7",
            "--ipv6",
            "2001:db8::7",
            "a.sub.example.com",
        ],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout,
        "a.sub.example.com: luadns had no A record; created it\n\
         a.sub.example.com: luadns had no AAAA record; created it\n\
         a.sub.example.com: updated A 203.0.113.7 AAAA 2001:db8::7\n"
    );
    let record = api.record("a.sub.example.com", "AAAA").expect("created");
    assert_eq!((record.zone, record.ttl), (8, 300));
    let lists = calls(&fx).iter().filter(|c| *c == "GET /v1/zones").count();
    assert_eq!(lists, 1, "{:?}", calls(&fx));
    assert_eq!(api.violations(), Vec::<String>::new());
}

#[test]
fn ttl_sets_a_created_record_s_ttl() {
    let (fx, api) = setup();
    let run = run(
        &fx,
        &["--ttl", "600", "--ipv4", "203.0.113.7", "n.example.com"],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(api.record("n.example.com", "A").map(|r| r.ttl), Some(600));
}

#[test]
fn a_bad_key_is_exit_10_and_masked() {
    let (fx, _api) = setup();
    let wrong = write_secret(&fx.dir, "wrong", "pw-SECRET-wrong");
    let wrong = wrong.display().to_string();
    let run = fx.run(&[
        "-v",
        "-p",
        "luadns",
        "--user",
        EMAIL,
        "--password-file",
        wrong.as_str(),
        "--ipv4",
        "203.0.113.7",
        "h.example.com",
    ]);
    assert_eq!(run.code, 10, "{run:?}");
    assert!(run.stderr.contains("HTTP 401 Unauthorized"), "{run:?}");
    assert!(run.stderr.contains("(Authorization: Basic ***"), "{run:?}");
    assert!(!run.stderr.contains("pw-SECRET-wrong"), "{run:?}");
}

#[test]
fn no_user_is_a_usage_error() {
    let (fx, _api) = setup();
    let password = fx.password_file.display().to_string();
    let run = fx.run(&[
        "-p",
        "luadns",
        "--password-file",
        password.as_str(),
        "--ipv4",
        "203.0.113.7",
        "h.example.com",
    ]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.one_error_line().contains("luadns needs --user"),
        "{run:?}"
    );
    assert_eq!(fx.mock.count(), 0);
}

#[test]
fn an_unknown_zone_is_exit_11() {
    let (fx, _api) = setup();
    let run = run(&fx, &["--ipv4", "203.0.113.7", "h.example.net"]);
    assert_eq!(run.code, 11, "{run:?}");
    assert!(run
        .stderr
        .contains("no zone these credentials can see holds h.example.net"));
}

#[test]
fn rate_limited_is_exit_16_and_a_refused_write_17() {
    let (fx, _api) = setup();
    fx.mock
        .reply(error(429, "Too Many Requests", "rate limited").header("Retry-After", "120"));
    let run = run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 16, "{run:?}");

    let fx = Fixture::https();
    let json = |body: &str| Reply::ok(body).header("Content-Type", "application/json");
    fx.mock.reply(json(r#"[{"id":7,"name":"example.com"}]"#));
    fx.mock.reply(json("[]"));
    fx.mock
        .reply(error(422, "Unprocessable Entity", "content is invalid"));
    let run = self::run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 17, "{run:?}");
    assert!(
        run.stderr
            .contains(r#"HTTP 422 Unprocessable Entity "content is invalid""#),
        "{run:?}"
    );
}

#[test]
fn verbose_masks_the_key_and_its_basic_form() {
    use base64::Engine as _;
    let (fx, api) = setup();
    api.add("example.com", "A", "h.example.com", "198.51.100.1");
    let run = run(&fx, &["-v", "--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stderr
            .contains("(Authorization: Basic ***, Accept: application/json)"),
        "{run:?}"
    );
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{EMAIL}:{PASSWORD}"));
    assert!(!run.stderr.contains(&basic), "{run:?}");
    assert!(!run.stderr.contains(PASSWORD), "{run:?}");
}
