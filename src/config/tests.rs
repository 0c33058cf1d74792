//! Tests of `resolve` and its option parsers: from flags and environment to a
//! `Job` or a usage error.

use super::record::parse_ttl;
use super::*;
use crate::cli::{self, Command};
use crate::exit::Failure;

fn job(argv: &[&str], vars: &[(&str, &str)]) -> Result<Job, Failure> {
    let Ok(Command::Run(args)) = cli::parse(argv.iter().map(Into::into)) else {
        return Err(Failure::usage("not a run"));
    };
    let vars: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let env = move |name: &str| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    resolve(*args, &env)
}

fn message(result: Result<Job, Failure>) -> String {
    result.err().map(|f| f.message).unwrap_or_default()
}

#[test]
fn dynv6_defaults() {
    let job = job(
        &["--cache-dir", "/c", "h.dynv6.net"],
        &[("DYNUP_TOKEN", "t")],
    );
    let job = job.expect("a job");
    assert_eq!(job.preset.name, "dynv6");
    assert_eq!(job.server.to_string(), "https://dynv6.com");
    assert_eq!(
        job.server_for(Family::V4).to_string(),
        "https://ipv4.dynv6.com"
    );
    assert_eq!(
        job.server_for(Family::V6).to_string(),
        "https://ipv6.dynv6.com"
    );
    assert_eq!(job.ipv4, Some(Wanted::Auto));
    assert_eq!(job.ipv6, None);
    assert_eq!(job.max_age, DEFAULT_MAX_AGE);
}

#[test]
fn flag_wins_over_environment() {
    let job = job(
        &[
            "--server",
            "http://127.0.0.1:1",
            "--token",
            "flag",
            "--cache-dir",
            "/c",
            "h.dynv6.net",
        ],
        &[
            ("DYNUP_TOKEN", "env"),
            ("DYNUP_SERVER", "https://env.example"),
            ("DYNUP_CACHE_DIR", "/e"),
        ],
    )
    .expect("a job");
    assert_eq!(job.secret_value(), "flag");
    assert_eq!(job.server.to_string(), "http://127.0.0.1:1");
    assert!(job.auto_servers.is_none());
    assert_eq!(job.cache_dir, PathBuf::from("/c"));
}

#[test]
fn usage_errors_name_the_problem() {
    let env: &[(&str, &str)] = &[("DYNUP_TOKEN", "t"), ("DYNUP_CACHE_DIR", "/c")];
    assert!(message(job(&[], env)).contains("HOSTNAME"));
    assert!(message(job(&["-p", "nope", "h"], env)).contains("nope"));
    assert!(message(job(&["-p", "dyndns2", "-u", "u", "h"], env)).contains("--server"));
    assert!(message(job(&["-p", "noip", "h"], env)).contains("--user"));
    assert!(message(job(&["-p", "noip", "-u", "u", "h"], env)).contains("password"));
    assert!(message(job(&["h.dynv6.net"], &[("DYNUP_CACHE_DIR", "/c")])).contains("token"));
    assert!(message(job(&["-4", "-6", "h.dynv6.net"], env)).contains("-4"));
    assert!(message(job(&["--ipv4", "x", "h.dynv6.net"], env)).contains("--ipv4"));
    assert!(message(job(&["--max-age", "5w", "h.dynv6.net"], env)).contains("--max-age"));
    assert!(message(job(&["--timeout", "0", "h.dynv6.net"], env)).contains("--timeout"));
    assert!(message(job(&["-p", "dynv6-nic", "-6", "h"], env)).contains("IPv4 only"));
    let with_password: &[(&str, &str)] = &[("DYNUP_PASSWORD", "p"), ("DYNUP_CACHE_DIR", "/c")];
    assert!(message(job(
        &["-p", "noip", "-u", "u", "--ipv6-prefix", "auto", "h"],
        with_password
    ))
    .contains("--ipv6-prefix"));
    assert!(message(job(&["--ipv4", "none", "h.dynv6.net"], env)).contains("nothing to publish"));
    assert!(message(job(&["bad host"], env)).contains("bad host"));
    assert!(message(job(
        &["--token", "a", "--token-file", "/f", "h.dynv6.net"],
        env
    ))
    .contains("both"));
    assert!(
        message(job(&["--token-file", "/nonexistent/x", "h.dynv6.net"], env))
            .contains("/nonexistent/x")
    );
    assert!(
        message(job(&["--cacert", "/nonexistent/ca", "h.dynv6.net"], env)).contains("--cacert")
    );
    assert!(message(job(&["--user-agent", "a\nb", "h.dynv6.net"], env)).contains("--user-agent"));
    assert!(message(job(&["--bind", "no-such-if0", "h.dynv6.net"], env)).starts_with("--bind: "));
    let bound = job(&["--bind", "lo", "h.dynv6.net"], env).ok();
    assert_eq!(
        bound.and_then(|j| j.http.bind).map(|b| b.device),
        Some("lo".to_string())
    );
    assert!(message(job(
        &[
            "--ipv6-neighbor",
            "52:54:00:12:34",
            "-i",
            "lo",
            "h.dynv6.net"
        ],
        env
    ))
    .starts_with("--ipv6-neighbor: "));
    assert!(message(job(
        &["--ipv6-neighbor", "52:54:00:12:34:56", "h.dynv6.net"],
        env
    ))
    .contains("-i IFACE"));
    let both = [
        "--ipv6-neighbor",
        "52:54:00:12:34:56",
        "-i",
        "lo",
        "--ipv6",
        "auto",
        "h.dynv6.net",
    ];
    assert!(message(job(&both, env)).contains("drop --ipv6"));
}

#[test]
fn zone_and_ttl() {
    assert_eq!(
        parse_zone("Dyn.Example.ORG.").ok(),
        Some("dyn.example.org".to_string())
    );
    assert_eq!(parse_zone("_x.a-b.c1").ok(), Some("_x.a-b.c1".to_string()));
    let long_label = "a".repeat(64);
    let long_name = [
        "a".repeat(63),
        "b".repeat(63),
        "c".repeat(63),
        "d".repeat(62),
    ]
    .join(".");
    for bad in [
        "",
        ".",
        "a..b",
        "a b",
        "é.org",
        long_label.as_str(),
        long_name.as_str(),
    ] {
        let message = parse_zone(bad).err().map(|f| f.message).unwrap_or_default();
        assert!(message.contains("--zone"), "{bad}: {message}");
    }
    assert_eq!(parse_ttl("1").ok(), Some(1));
    assert_eq!(parse_ttl("86400").ok(), Some(86_400));
    for bad in ["0", "86401", "+5", "-1", "5s", ""] {
        let message = parse_ttl(bad).err().map(|f| f.message).unwrap_or_default();
        assert!(message.contains("--ttl"), "{bad}: {message}");
    }
    let env: &[(&str, &str)] = &[("DYNUP_PASSWORD", "p"), ("DYNUP_CACHE_DIR", "/c")];
    let server = ["-p", "dyndns-server", "--server", "http://127.0.0.1:1"];
    let with = |extra: &[&str]| {
        let all: Vec<&str> = server.iter().chain(extra).copied().collect();
        job(&all, env)
    };
    let ok = with(&["--zone", "Z.org", "--ttl", "60", "h.dynv6.net"]).expect("a job");
    assert_eq!((ok.zone.as_deref(), ok.ttl), (Some("z.org"), Some(60)));
    assert!(message(with(&["--ttl", "0", "h.dynv6.net"])).contains("--ttl"));
    assert!(message(job(
        &["--zone", "z.org", "h.dynv6.net"],
        &[("DYNUP_TOKEN", "t")]
    ))
    .contains("--zone"));
}

#[test]
fn rfc2136_jobs() {
    let key_env: &[(&str, &str)] = &[
        ("DYNUP_TSIG_KEY", "hmac-sha512:k.example:c2VjcmV0"),
        ("DYNUP_CACHE_DIR", "/c"),
    ];
    let base = [
        "-p",
        "rfc2136",
        "--server",
        "127.0.0.1:5300",
        "--ipv4",
        "192.0.2.7",
    ];
    fn with<'a>(base: &[&'a str], extra: &[&'a str]) -> Vec<&'a str> {
        base.iter().chain(extra).copied().collect()
    }
    let resolved = job(
        &with(
            &base,
            &["--zone", "Example.ORG.", "--ttl", "300", "h.example.org"],
        ),
        key_env,
    )
    .expect("a job");
    assert_eq!(resolved.server.to_string(), "127.0.0.1:5300");
    assert_eq!(resolved.zone.as_deref(), Some("example.org"));
    assert_eq!(resolved.ttl, Some(300));
    let key = resolved.tsig.as_ref().expect("a key");
    assert_eq!(key.name.to_string(), "k.example");
    assert!(resolved.redactor.apply("c2VjcmV0").contains("***"));
    assert!(!resolved.fingerprint().contains("c2VjcmV0"));

    let dynv6 = job(
        &["-p", "dynv6-rfc2136", "--ipv4", "192.0.2.7", "h.dynv6.net"],
        key_env,
    );
    assert_eq!(
        dynv6.map(|j| j.server.to_string()).ok().as_deref(),
        Some("ns1.dynv6.com")
    );

    assert!(message(job(
        &with(&base, &["--zone", "a..b", "h.example.org"]),
        key_env
    ))
    .contains("--zone"));
    assert!(message(job(
        &with(&base, &["--zone", "example.net", "h.example.org"]),
        key_env
    ))
    .contains("--zone"));
    assert!(
        message(job(&with(&base, &["--ttl", "0", "h.example.org"]), key_env)).contains("--ttl")
    );
    assert!(message(job(
        &with(&base, &["--ttl", "86401", "h.example.org"]),
        key_env
    ))
    .contains("--ttl"));
    let auto = message(job(
        &["-p", "rfc2136", "--server", "ns", "h.example.org"],
        key_env,
    ));
    assert!(
        auto.contains("auto") && auto.contains("--ipv4 ADDRESS"),
        "{auto}"
    );
    let prefix_len = message(job(
        &with(&base, &["--ipv6", "2001:db8::1/64", "h.example.org"]),
        key_env,
    ));
    assert!(prefix_len.contains("--ipv6"), "{prefix_len}");
    let no_server = message(job(
        &["-p", "rfc2136", "--ipv4", "192.0.2.7", "h.example.org"],
        key_env,
    ));
    assert!(no_server.contains("--server HOST[:PORT]"), "{no_server}");
    let no_key = message(job(
        &with(&base, &["h.example.org"]),
        &[("DYNUP_CACHE_DIR", "/c")],
    ));
    assert!(no_key.contains("DYNUP_TSIG_KEY"), "{no_key}");
    let bad_env = &[
        ("DYNUP_TSIG_KEY", "hmac-md5:k:c2VjcmV0"),
        ("DYNUP_CACHE_DIR", "/c"),
    ];
    assert!(message(job(&with(&base, &["h.example.org"]), bad_env)).starts_with("DYNUP_TSIG_KEY: "));
    let missing = message(job(
        &with(
            &base,
            &["--tsig-key-file", "/nonexistent/k", "h.example.org"],
        ),
        key_env,
    ));
    assert!(
        missing.contains("--tsig-key-file /nonexistent/k"),
        "{missing}"
    );
}

#[test]
fn fingerprint_follows_the_secret_and_hosts() {
    let env: &[(&str, &str)] = &[("DYNUP_CACHE_DIR", "/c")];
    let a = job(&["--token", "one", "h.dynv6.net"], env)
        .ok()
        .map(|j| j.fingerprint());
    let b = job(&["--token", "two", "h.dynv6.net"], env)
        .ok()
        .map(|j| j.fingerprint());
    let c = job(&["--token", "one", "h.dynv6.net", "g.dynv6.net"], env)
        .ok()
        .map(|j| j.fingerprint());
    let a2 = job(
        &["--token", "one", "--ipv4", "192.0.2.1", "h.dynv6.net"],
        env,
    )
    .ok()
    .map(|j| j.fingerprint());
    assert!(a.is_some());
    assert_ne!(a, b);
    assert_ne!(a, c);
    assert_eq!(a, a2, "an address is not configuration");
    assert!(!a.unwrap_or_default().contains("one"));
}

#[test]
fn address_sources_reach_the_job() {
    let env: &[(&str, &str)] = &[("DYNUP_TOKEN", "t"), ("DYNUP_CACHE_DIR", "/c")];
    let j = job(&["-i", "wan", "h.dynv6.net"], env).expect("a job");
    assert_eq!((j.ipv4, j.ipv6), (None, None));
    assert!(j.sources.ipv4.is_some() && j.sources.ipv6.is_some());
    let j = job(&["-p", "dynv6-nic", "-i", "wan", "h"], env).expect("a job");
    assert!(j.sources.ipv4.is_some() && j.sources.ipv6.is_none());
    let only_prefix = job(
        &["--ipv4", "none", "--ipv6-prefix", "if:wan", "h.dynv6.net"],
        env,
    );
    assert!(only_prefix.is_ok_and(|j| j.sources.ipv6_prefix.is_some()));
    assert!(message(job(&["-p", "dynv6-nic", "--ipv6", "if:wan", "h"], env)).contains("IPv4 only"));
    let with_password: &[(&str, &str)] = &[("DYNUP_PASSWORD", "p"), ("DYNUP_CACHE_DIR", "/c")];
    assert!(message(job(
        &["-p", "noip", "-u", "u", "--ipv6-prefix", "if:wan", "h"],
        with_password
    ))
    .contains("--ipv6-prefix"));
    let bad_list: &[(&str, &str)] = &[
        ("DYNUP_TOKEN", "t"),
        ("DYNUP_CACHE_DIR", "/c"),
        ("DYNUP_CHECKIP", "http://ok.example/ nope"),
    ];
    assert!(message(job(&["--ipv4", "web", "h.dynv6.net"], bad_list)).contains("DYNUP_CHECKIP"));
    // The protocol checks count a family a source fills as published.
    assert!(message(job(&["-p", "freedns", "-i", "wan", "h"], env)).contains("one family"));
    assert!(job(&["-p", "freedns", "-4", "-i", "wan", "h"], env).is_ok());
}

#[test]
fn a_tsig_key_from_the_environment_is_read_like_a_file() {
    // `$(cat key)` of a file with CRLF and a second line: its first line counts.
    let env: &[(&str, &str)] = &[
        (
            "DYNUP_TSIG_KEY",
            " hmac-sha512:k.example:c2VjcmV0\r\n# made by hand\r\n",
        ),
        ("DYNUP_CACHE_DIR", "/c"),
    ];
    let argv = [
        "-p",
        "rfc2136",
        "--server",
        "127.0.0.1:5300",
        "--ipv4",
        "192.0.2.7",
    ];
    let j = job(&[&argv[..], &["h.example.org"]].concat(), env).expect("a job");
    assert!(j.tsig.is_some());
}
