//! Amazon Route 53 against the fake in tests/support/route53.rs, which checks
//! every request's Signature V4: the record set read first and UPSERTed (its TTL
//! kept) only when it differs, created when missing; the error answers and
//! their exit codes. The signer itself is checked against AWS's published test
//! vectors in src/provider/sigv4.rs.
// Only when the provider is built in (a cargo feature of its own).
#![cfg(feature = "route53")]

mod support;

use support::route53::{error, Route53Api};
use support::*;

fn setup() -> (Fixture, Route53Api) {
    let fx = Fixture::https();
    let api = Route53Api::on(&fx.mock, &["example.com", "other.org"]);
    (fx, api)
}

fn run(fx: &Fixture, extra: &[&str]) -> Run {
    fx.run_key_secret("route53", extra)
}

fn calls(fx: &Fixture) -> Vec<String> {
    fx.mock
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

#[test]
fn a_changed_address_is_upserted_with_its_ttl_and_signed() {
    let (fx, api) = setup();
    api.add("example.com", "h.example.com", "A", "198.51.100.1");
    let run = run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, "h.example.com: updated A 203.0.113.7\n");
    assert_eq!(api.violations(), Vec::<String>::new());
    let rrset = api.rrset("h.example.com", "A").expect("rrset");
    assert_eq!(
        (rrset.values, rrset.ttl),
        (vec!["203.0.113.7".to_string()], 600)
    );
    assert_eq!(
        calls(&fx),
        [
            "GET /2013-04-01/hostedzone",
            "GET /2013-04-01/hostedzone/Z1D633PJN98FT0/rrset",
            "POST /2013-04-01/hostedzone/Z1D633PJN98FT0/rrset/",
        ]
    );
    let requests = fx.mock.requests();
    assert_eq!(requests[1].param("name"), Some("h.example.com."));
    assert_eq!(requests[1].param("type"), Some("A"));
    assert!(
        requests[2].body.contains("<Action>UPSERT</Action>"),
        "{}",
        requests[2].body
    );
    assert_eq!(requests[2].header("content-type"), Some("text/xml"));
    for r in &requests {
        let auth = r.header("authorization").unwrap_or_default();
        assert!(
            auth.starts_with(&format!("AWS4-HMAC-SHA256 Credential={TOKEN}/")),
            "{auth}"
        );
        assert!(!auth.contains(PASSWORD));
    }
}

#[test]
fn a_current_record_is_not_written_and_a_neighbour_is_not_taken_for_it() {
    let (fx, api) = setup();
    api.add("example.com", "h.example.com", "AAAA", "2001:db8::1");
    // Listed after h.example.com's AAAA: what a listing from "h.example.com. A" shows first.
    api.add("example.com", "i.example.com", "A", "203.0.113.7");
    let run = run(&fx, &["-6", "--ipv6", "2001:db8:0::1", "h.example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout,
        "h.example.com: already current AAAA 2001:db8::1\n"
    );
    assert!(
        calls(&fx).iter().all(|c| c.starts_with("GET ")),
        "{:?}",
        calls(&fx)
    );

    // h.example.com has no A record; the listing's first set is i.example.com's.
    let run = self::run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains("route53 had no A record; created it"),
        "{run:?}"
    );
    assert_eq!(
        api.rrset("h.example.com", "A").map(|r| (r.values, r.ttl)),
        Some((vec!["203.0.113.7".to_string()], 300))
    );
}

#[test]
fn several_hosts_and_both_families_take_one_zone_list() {
    let (fx, api) = setup();
    api.add("example.com", "a.example.com", "A", "203.0.113.7");
    api.add("other.org", "other.org", "AAAA", "2001:db8::9");
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
        "a.example.com: route53 had no AAAA record; created it\n\
         other.org: route53 had no A record; created it\n\
         a.example.com: updated AAAA 2001:db8::1; already current A 203.0.113.7\n\
         other.org: updated A 203.0.113.7 AAAA 2001:db8::1\n"
    );
    let lists = calls(&fx)
        .iter()
        .filter(|c| *c == "GET /2013-04-01/hostedzone")
        .count();
    assert_eq!(lists, 1, "{:?}", calls(&fx));
    assert_eq!(api.violations(), Vec::<String>::new());
}

#[test]
fn a_wrong_secret_fails_the_signature_exit_10_and_held() {
    let (fx, _api) = setup();
    let wrong = write_secret(&fx.dir, "wrong", "sec-SECRET-wrong");
    let wrong = wrong.display().to_string();
    let token = fx.token_file.display().to_string();
    let cmd = [
        "-p",
        "route53",
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
    assert!(run.stderr.contains("SignatureDoesNotMatch"), "{run:?}");
    assert!(!run.stderr.contains("sec-SECRET-wrong"));
    let count = fx.mock.count();
    assert_eq!(fx.run(&cmd).code, 10);
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
    assert!(
        run.stderr.contains("route53: zone example.net not found"),
        "{run:?}"
    );
}

#[test]
fn throttling_is_exit_16_and_held() {
    // Route 53 throttles with a 400 whose code is Throttling.
    let (fx, _api) = setup();
    fx.mock.reply(error(400, "Throttling", "Rate exceeded"));
    let cmd = ["--ipv4", "203.0.113.7", "h.example.com"];
    let run = run(&fx, &cmd);
    assert_eq!(run.code, 16, "{run:?}");
    let count = fx.mock.count();
    assert_eq!(self::run(&fx, &cmd).code, 16);
    assert_eq!(fx.mock.count(), count, "asked again during the hold");
}

#[test]
fn a_server_error_is_exit_16() {
    let (fx, _api) = setup();
    fx.mock
        .reply(error(500, "InternalFailure", "internal failure"));
    let run = run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 16, "{run:?}");
}

#[test]
fn a_rejected_change_is_exit_17() {
    // An A record where a CNAME of the same name exists: Route 53 refuses the batch.
    let (fx, api) = setup();
    api.add(
        "example.com",
        "h.example.com",
        "CNAME",
        "elsewhere.example.net.",
    );
    let run = run(&fx, &["--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 17, "{run:?}");
    assert!(run.stderr.contains("InvalidChangeBatch"), "{run:?}");
    assert_eq!(api.rrset("h.example.com", "A"), None);
}

#[test]
fn verbose_masks_the_secret_and_shows_the_signature_header() {
    let (fx, api) = setup();
    api.add("example.com", "h.example.com", "A", "198.51.100.1");
    let run = run(&fx, &["-v", "--ipv4", "203.0.113.7", "h.example.com"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stderr
            .contains("Authorization: AWS4-HMAC-SHA256 Credential=***/"),
        "{run:?}"
    );
}
