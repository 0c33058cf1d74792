//! The command line as scripts see it: help, version, and usage errors that
//! are one clear line with exit code 2, never a panic.

mod support;

use support::*;

#[test]
fn help_documents_every_flag_and_exit_code() {
    let dir = TempDir::new("help");
    let run = run_clean(dynup(dir.path()).arg("--help"));
    assert_eq!(run.code, 0, "{run:?}");
    for flag in [
        "--provider",
        "--server",
        "--user",
        "--password-file",
        "--token-file",
        "--password VALUE",
        "--token VALUE",
        "-4, -6",
        "--ipv4",
        "--ipv6 ",
        "--ipv6-prefix",
        "--cache-dir",
        "--force",
        "--max-age",
        "--user-agent",
        "--timeout",
        "--cacert",
        "--dry-run",
        "--verbose",
        "--quiet",
        "--help",
        "--version",
        "DYNUP_SERVER",
        "DYNUP_CACERT",
        "DYNUP_CACHE_DIR",
        "DYNUP_PASSWORD",
        "DYNUP_TOKEN",
    ] {
        assert!(run.stdout.contains(flag), "--help lacks {flag}");
    }
    for code in [0, 1, 2, 3, 4, 5, 6, 10, 11, 12, 13, 14, 15, 16, 17] {
        let row = format!("\n  {code:>2}  ");
        assert!(run.stdout.contains(&row), "--help lacks exit code {code}");
    }
}

#[test]
fn version() {
    let dir = TempDir::new("version");
    let run = run_clean(dynup(dir.path()).arg("--version"));
    assert_eq!(run.code, 0);
    assert_eq!(run.stdout, format!("dynup {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn usage_errors_are_one_line_and_exit_2() {
    let dir = TempDir::new("usage");
    let token = write_secret(&dir, "token", TOKEN);
    let token = token.display().to_string();
    for (argv, words) in [
        (vec![], "no HOSTNAME"),
        (vec!["--bogus", "h.dynv6.net"], "--bogus"),
        (vec!["--server"], "--server"),
        (vec!["-p", "nosuch", "h"], "unknown provider 'nosuch'"),
        (vec!["h.dynv6.net"], "needs a token"),
        (
            vec!["--token-file", &token, "--ipv4", "1.2.3", "h.dynv6.net"],
            "--ipv4",
        ),
        (
            vec![
                "--token-file",
                &token,
                "--ipv6",
                "2001:db8::/129",
                "h.dynv6.net",
            ],
            "--ipv6",
        ),
        (
            vec![
                "--token-file",
                &token,
                "--ipv6-prefix",
                "2001:db8::",
                "h.dynv6.net",
            ],
            "--ipv6-prefix",
        ),
        (
            vec!["--token-file", &token, "--max-age", "soon", "h.dynv6.net"],
            "--max-age",
        ),
        (
            vec!["--token-file", &token, "--timeout", "-1", "h.dynv6.net"],
            "--timeout",
        ),
        (
            vec![
                "--token-file",
                &token,
                "--server",
                "dynv6.com",
                "h.dynv6.net",
            ],
            "--server",
        ),
        (
            vec![
                "--token-file",
                &token,
                "--cacert",
                "/nonexistent/ca.pem",
                "h.dynv6.net",
            ],
            "/nonexistent/ca.pem",
        ),
        (
            vec!["--token-file", "/nonexistent/token", "h.dynv6.net"],
            "/nonexistent/token",
        ),
        (
            vec!["--token-file", &token, "-4", "-6", "h.dynv6.net"],
            "-4 and -6",
        ),
        (
            vec!["--token-file", &token, "--ipv4", "none", "h.dynv6.net"],
            "nothing to publish",
        ),
        (
            vec!["--token-file", &token, "under_score ok but space not"],
            "not a valid host name",
        ),
        (
            vec!["-p", "noip", "--password-file", &token, "h"],
            "needs --user",
        ),
    ] {
        let run = run_clean(dynup(&dir.join("cache")).args(&argv));
        assert_eq!(run.code, 2, "{argv:?}: {run:?}");
        let line = run.one_error_line();
        assert!(line.starts_with("dynup: "), "{line}");
        assert!(line.contains(words), "{argv:?}: {line}");
        assert_eq!(run.stdout, "");
    }
    assert!(
        !dir.join("cache").exists(),
        "a usage error touched the state"
    );
}

#[test]
fn a_non_utf8_argument_is_a_usage_error() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let dir = TempDir::new("utf8");
    let run = run_clean(
        dynup(dir.path())
            .arg("--user")
            .arg(OsStr::from_bytes(b"\xff")),
    );
    assert_eq!(run.code, 2, "{run:?}");
    run.one_error_line();
}
