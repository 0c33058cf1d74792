//! The URL template provider against the loopback mock: every placeholder, hostile
//! values encoded, secrets masked in what is shown, Basic auth, one request per
//! family with {ip}, success words and answer mapping. Zerigo (seed 003) is the
//! worked example.

mod support;

use support::*;

const ZERIGO: &str = "http://update.zerigo.com/dynamic?host={hostname}&ip={ip}";

fn template(fx: &Fixture, url: &str, extra: &[&str]) -> Vec<String> {
    let mut all = vec![
        "-p".to_string(),
        "template".to_string(),
        "--url".to_string(),
        url.to_string(),
    ];
    all.extend(extra.iter().map(|s| s.to_string()));
    let _ = fx;
    all
}

#[test]
fn zerigo_one_request_per_family_with_basic_auth() {
    let fx = Fixture::http();
    fx.mock.reply(Reply::ok("OK"));
    fx.mock.reply(Reply::ok("Nothing to change"));
    let mut all = template(
        &fx,
        ZERIGO,
        &[
            "--success",
            "OK,Nothing to change",
            "--ipv4",
            "203.0.113.7",
            "--ipv6",
            "2001:db8::7",
        ],
    );
    all.extend(fx.login_args("me@example.org"));
    all.push("h.example.org".to_string());
    let run = fx.run_owned(&all);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout,
        "h.example.org: updated A 203.0.113.7; already current AAAA 2001:db8::7\n"
    );
    let requests = fx.mock.requests();
    assert_eq!(requests.len(), 2);
    for (r, ip) in requests.iter().zip(["203.0.113.7", "2001:db8::7"]) {
        assert_eq!(r.path, "/dynamic");
        assert_eq!(r.param("host"), Some("h.example.org"));
        assert_eq!(r.param("ip"), Some(ip));
        assert_eq!(
            r.basic_auth(),
            Some(("me@example.org".to_string(), PASSWORD.to_string()))
        );
    }
    // The IPv6 address travels encoded.
    assert!(
        requests[1].target.contains("ip=2001%3Adb8%3A%3A7"),
        "{}",
        requests[1].target
    );
}

#[test]
fn every_placeholder_with_hostile_values_is_encoded() {
    let fx = Fixture::http();
    fx.mock.reply(Reply::ok("good"));
    // A user with space, '&', '=', '#' and non-ASCII; the token file holds the same kind.
    let token = write_secret(&fx.dir, "hostile-token", "t k&n=1#ü");
    let url = "http://x/u/{hostname}?a={ipv4}&b={ipv6}&c={ip}&u={user}&p={password}&t={token}";
    let mut all = template(
        &fx,
        url,
        &["--ipv4", "203.0.113.7", "--ipv6", "2001:db8::7"],
    );
    all.extend(fx.login_args("us er&x=1#é"));
    all.extend(["--token-file".to_string(), token.display().to_string()]);
    all.push("h.example.org".to_string());
    let run = fx.run_owned(&all);
    assert_eq!(run.code, 0, "{run:?}");
    let r = fx.mock.last().expect("a request");
    assert_eq!(fx.mock.count(), 1, "{{ipv4}}/{{ipv6}}: both in one request");
    assert_eq!(
        r.target,
        format!(
            "/u/h.example.org?a=203.0.113.7&b=2001%3Adb8%3A%3A7&c=203.0.113.7\
             &u=us%20er%26x%3D1%23%C3%A9&p={PASSWORD}&t=t%20k%26n%3D1%23%C3%BC"
        )
    );
    assert_eq!(r.param("u"), Some("us er&x=1#é"));
    assert_eq!(r.param("t"), Some("t k&n=1#ü"));
    assert_eq!(r.param("p"), Some(PASSWORD));
}

#[test]
fn the_shown_url_masks_every_secret() {
    let fx = Fixture::http();
    let url = "http://x/u?h={hostname}&ip={ip}&p={password}&t={token}";
    let mut all = template(&fx, url, &["-n", "-v", "--ipv4", "203.0.113.7"]);
    all.extend([
        "--password-file".to_string(),
        fx.password_file.display().to_string(),
    ]);
    all.extend(fx.token_args());
    all.push("h.example.org".to_string());
    let run = fx.run_owned(&all);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains("would send: GET http://127.0.0.1:")
            && run
                .stdout
                .contains("/u?h=h.example.org&ip=203.0.113.7&p=***&t=***"),
        "{run:?}"
    );
    assert_eq!(fx.mock.count(), 0);
}

#[test]
fn success_words_decide_and_failures_map() {
    for (status, body, success, code) in [
        (200, "OK", None, 0),
        (200, "good 203.0.113.7", None, 0),
        (200, "{\"success\":true}", None, 0),
        (200, "KO", None, 1),
        (200, "notok", None, 1),
        (200, "unsuccessful", None, 1),
        (200, "not updated", None, 1),
        (200, "done", Some("done"), 0),
        (200, "OK", Some("done"), 1),
        (200, "badauth", None, 10),
        (200, "nohost", None, 11),
        (200, "abuse", None, 15),
        (401, "OK", None, 10),
        (403, "", None, 10),
        (404, "", None, 11),
        (400, "", None, 17),
        (500, "", None, 16),
        (503, "OK", None, 16),
    ] {
        let fx = Fixture::http();
        fx.mock.reply(Reply::status(status, body));
        let mut all = template(&fx, ZERIGO, &["--ipv4", "203.0.113.7"]);
        if let Some(words) = success {
            all.extend(["--success".to_string(), words.to_string()]);
        }
        all.push("h.example.org".to_string());
        let run = fx.run_owned(&all);
        assert_eq!(run.code, code, "{status} {body} {success:?}: {run:?}");
    }
}

#[test]
fn auto_travels_on_its_family_with_an_empty_ip() {
    let fx = Fixture::http();
    fx.mock.reply(Reply::ok("OK"));
    let all = template(&fx, ZERIGO, &["h.example.org"]);
    let run = fx.run_owned(&all);
    assert_eq!(run.code, 0, "{run:?}");
    let r = fx.mock.last().expect("a request");
    assert_eq!(r.param("ip"), Some(""));
    assert!(r.peer.is_ipv4());
}

#[test]
fn bad_templates_are_usage_errors() {
    let fx = Fixture::http();
    for (url, extra, part) in [
        ("http://x/u?h={host}", &[][..], "{host}"),
        ("x/u?h={hostname}", &[][..], "https://"),
        ("http://x/u?p={password}", &[][..], "--password-file"),
        ("http://x/u?u={user}", &[][..], "--user"),
        (
            "http://x/u?h={hostname}",
            &["--ipv4", "203.0.113.7"][..],
            "{ip}",
        ),
        (
            "http://x/u?a={ipv4}",
            &["--ipv6", "2001:db8::1"][..],
            "{ipv6}",
        ),
    ] {
        let mut all = template(&fx, url, extra);
        all.push("h.example.org".to_string());
        let run = fx.run_owned(&all);
        assert_eq!(run.code, 2, "{url}: {run:?}");
        assert!(run.one_error_line().contains(part), "{url}: {run:?}");
    }
    let no_url = fx.run_owned(&["-p".to_string(), "template".to_string(), "h".to_string()]);
    assert_eq!(no_url.code, 2, "{no_url:?}");
    assert!(no_url.one_error_line().contains("--url"));
    assert_eq!(fx.mock.count(), 0);
}
