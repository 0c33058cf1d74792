//! The secrets contract: never printed (not in errors, -v, --dry-run, or an
//! answer that echoes them), never required on the command line.

mod support;

use support::*;

/// Every run goes through `Fixture::run`, whose `assert_clean` fails on any
/// trace of the token, the password or their Basic-auth encoding.
#[test]
fn verbose_and_dry_run_mask_the_dynv6_token() {
    let fx = Fixture::http();
    fx.mock.default_reply(Reply::ok("addresses updated"));
    let verbose = fx.run_owned(&args(
        &["-v", "--ipv4", "203.0.113.7", "h.dynv6.net"],
        &fx.token_args(),
    ));
    assert_eq!(verbose.code, 0, "{verbose:?}");
    assert!(verbose.stderr.contains("token=***"), "{verbose:?}");
    assert!(verbose.stderr.contains("HTTP 200"), "{verbose:?}");

    let dry = fx.run_owned(&args(
        &["-n", "-v", "-f", "--ipv4", "203.0.113.8", "h.dynv6.net"],
        &fx.token_args(),
    ));
    assert_eq!(dry.code, 0, "{dry:?}");
    assert!(dry.stdout.contains("token=***"), "{dry:?}");
}

#[test]
fn verbose_and_dry_run_mask_the_dyndns2_password() {
    let fx = Fixture::https();
    fx.mock.default_reply(Reply::ok("good 203.0.113.7"));
    let mut all = vec!["-p".to_string(), "noip".to_string(), "-v".to_string()];
    all.extend(fx.login_args("user"));
    all.extend(["--ipv4", "203.0.113.7", "h.ddns.net"].map(String::from));
    let verbose = fx.run_owned(&all);
    assert_eq!(verbose.code, 0, "{verbose:?}");
    assert!(
        verbose.stderr.contains("Basic auth as user, password ***"),
        "{verbose:?}"
    );
    all.push("-n".to_string());
    all.push("-f".to_string());
    let dry = fx.run_owned(&all);
    assert_eq!(dry.code, 0, "{dry:?}");
    assert!(dry.stdout.contains("password ***"), "{dry:?}");
}

#[test]
fn an_answer_that_echoes_the_secret_is_masked() {
    let fx = Fixture::http();
    fx.mock
        .reply(Reply::status(401, &format!("invalid token {TOKEN}")));
    let run = fx.run_owned(&args(
        &["-v", "--ipv4", "203.0.113.7", "h.dynv6.net"],
        &fx.token_args(),
    ));
    assert_eq!(run.code, 10, "{run:?}");
    assert!(run.stderr.contains("invalid token ***"), "{run:?}");
    // Nor does it reach the state file, which a held run prints from.
    assert!(!fx.state_text().contains(TOKEN));
    let held = fx.run_owned(&args(
        &["--ipv4", "203.0.113.7", "h.dynv6.net"],
        &fx.token_args(),
    ));
    assert_eq!(held.code, 10, "{held:?}");
}

#[test]
fn secrets_come_from_the_environment() {
    let fx = Fixture::http();
    fx.mock.reply(Reply::ok("addresses updated"));
    fx.mock.reply(Reply::ok("good 203.0.113.7"));
    let mut token_cmd = fx.cmd(&["--ipv4", "203.0.113.7", "h.dynv6.net"]);
    token_cmd.env("DYNUP_TOKEN", TOKEN);
    let token_run = run_clean(&mut token_cmd);
    assert_eq!(token_run.code, 0, "{token_run:?}");
    assert_eq!(
        fx.mock
            .last()
            .and_then(|r| r.param("token").map(String::from)),
        Some(TOKEN.to_string())
    );

    let mut password_cmd = fx.cmd(&[
        "-p",
        "noip",
        "-u",
        "user",
        "--ipv4",
        "203.0.113.7",
        "h.ddns.net",
    ]);
    password_cmd.env("DYNUP_PASSWORD", PASSWORD);
    let password_run = run_clean(&mut password_cmd);
    assert_eq!(password_run.code, 0, "{password_run:?}");
    assert_eq!(
        fx.mock.last().and_then(|r| r.basic_auth()),
        Some(("user".to_string(), PASSWORD.to_string()))
    );
}

#[test]
fn a_secret_file_readable_by_others_is_warned_about() {
    use std::os::unix::fs::PermissionsExt;
    let fx = Fixture::http();
    fx.mock.default_reply(Reply::ok("addresses updated"));
    std::fs::set_permissions(&fx.token_file, std::fs::Permissions::from_mode(0o644))
        .expect("chmod");
    let run = fx.run_owned(&args(
        &["--ipv4", "203.0.113.7", "h.dynv6.net"],
        &fx.token_args(),
    ));
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("readable by other users"), "{run:?}");
    let quiet = fx.run_owned(&args(
        &["-q", "-f", "--ipv4", "203.0.113.7", "h.dynv6.net"],
        &fx.token_args(),
    ));
    assert_eq!(quiet.stderr, "", "-q silences warnings");
}

#[test]
fn help_says_command_line_secrets_show_in_ps() {
    let dir = TempDir::new("help");
    let run = run_clean(dynup(dir.path()).arg("--help"));
    assert_eq!(run.code, 0);
    for flag in ["--password VALUE", "--token VALUE"] {
        let line = run
            .stdout
            .lines()
            .find(|l| l.contains(flag))
            .unwrap_or_default();
        assert!(line.contains("`ps`"), "{flag}: {line}");
    }
}

/// `DYNUP_TOKEN="$(cat win.token)"` and UCI options carry the CR, spaces and
/// newline a file would: they are read as a secret file's first line is.
#[test]
fn secrets_from_the_environment_are_trimmed_like_files() {
    let fx = Fixture::http();
    fx.mock.reply(Reply::ok("addresses updated"));
    fx.mock.reply(Reply::ok("good 203.0.113.7"));
    let mut token_cmd = fx.cmd(&["--ipv4", "203.0.113.7", "h.dynv6.net"]);
    token_cmd.env("DYNUP_TOKEN", format!(" {TOKEN}\r\n"));
    let token_run = run_clean(&mut token_cmd);
    assert_eq!(token_run.code, 0, "{token_run:?}");
    let sent = fx
        .mock
        .last()
        .and_then(|r| r.param("token").map(String::from));
    assert_eq!(sent.as_deref(), Some(TOKEN));

    let mut password_cmd = fx.cmd(&[
        "-p",
        "noip",
        "-u",
        "user",
        "--ipv4",
        "203.0.113.7",
        "h.ddns.net",
    ]);
    password_cmd.env("DYNUP_PASSWORD", format!("{PASSWORD}\t\r\n"));
    let password_run = run_clean(&mut password_cmd);
    assert_eq!(password_run.code, 0, "{password_run:?}");
    assert_eq!(
        fx.mock.last().and_then(|r| r.basic_auth()),
        Some(("user".to_string(), PASSWORD.to_string()))
    );
}

/// The 3-character pieces of `secret` that `text` contains.
fn pieces_in(secret: &str, text: &str) -> Vec<String> {
    let bytes = secret.as_bytes();
    bytes
        .windows(3)
        .map(|w| String::from_utf8_lossy(w).into_owned())
        .filter(|piece| text.contains(piece.as_str()))
        .collect()
}

/// Everything a run leaves for people to read: its output and the state's hold line.
fn everything_shown(fx: &Fixture, run: &Run) -> String {
    let state: String = fx
        .state_files()
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap_or_default())
        .collect();
    format!("{}\n{}\n{state}", run.stdout, run.stderr)
}

/// A server that echoes the password or the Basic-auth value where an excerpt is
/// cut (80 characters of a line) or where the answer is cut (its 4096-byte cap):
/// no piece of 3 characters of either reaches stderr or the state file.
#[test]
fn a_secret_across_a_cut_leaks_no_piece_of_it() {
    use base64::Engine;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("user:{PASSWORD}"));
    let fx = Fixture::http();
    let login = fx.login_args("user");
    for secret in [PASSWORD, basic.as_str()] {
        // Where the secret starts: from wholly before the cut to just after it.
        for cut in [80, 4096] {
            for start in cut - secret.len() - 1..=cut + 1 {
                let line2 = format!("badauth {secret} end");
                let body = if cut == 80 {
                    // One host, one line: its excerpt is cut at 80 characters.
                    format!("badauth {}{secret} end", ".".repeat(start - 8))
                } else {
                    // Two hosts: the second line starts near the answer's cap.
                    let first = format!("nochg {}", ".".repeat(start - 8 - 7));
                    format!("{first}\n{line2}")
                };
                fx.mock.reply(Reply::ok(&body));
                let run = fx.run_owned(&args(
                    &[
                        "-p",
                        "noip",
                        "-v",
                        "-f",
                        "--ipv4",
                        "203.0.113.7",
                        "a.ddns.net",
                        "b.ddns.net",
                    ],
                    &login,
                ));
                assert_eq!(run.code, 10, "cut {cut} start {start}: {run:?}");
                let shown = everything_shown(&fx, &run);
                let pieces = pieces_in(secret, &shown);
                assert!(
                    pieces.is_empty(),
                    "cut {cut} start {start}: {pieces:?} in\n{shown}"
                );
            }
        }
    }
}

/// A one-character password: the output stays readable, and the password
/// standing alone in an answer is still masked.
#[test]
fn a_short_password_does_not_garble_the_output() {
    let fx = Fixture::http();
    let password = write_secret(&fx.dir, "short", "x");
    fx.mock.reply(Reply::ok("badauth x"));
    let run = run_clean(&mut fx.cmd(&[
        "-p",
        "noip",
        "-u",
        "user",
        "--password-file",
        &password.display().to_string(),
        "--ipv4",
        "203.0.113.7",
        "box.example.org",
    ]));
    assert_eq!(run.code, 10, "{run:?}");
    let line = run.one_error_line();
    assert!(line.contains("box.example.org"), "{line}");
    assert!(line.contains("[exit 10]"), "{line}");
    assert!(line.contains("\"badauth ***\""), "{line}");
    assert!(!line.contains(" x"), "{line}");
}

/// A server that echoes the token shortened (`tok-SECRET-8...`) shows a long piece
/// of it: masked too, in the output and the hold line.
#[test]
fn a_shortened_echo_of_the_token_is_masked() {
    let fx = Fixture::http();
    let shortened = &TOKEN[..12];
    fx.mock.reply(Reply::status(
        401,
        &format!("invalid token '{shortened}...'"),
    ));
    let run = fx.run_owned(&args(
        &["--ipv4", "203.0.113.7", "h.dynv6.net"],
        &fx.token_args(),
    ));
    assert_eq!(run.code, 10, "{run:?}");
    assert!(run.stderr.contains("invalid token '***...'"), "{run:?}");
    assert!(!fx.state_text().contains(shortened));
}

/// A short token that is also a word of dynup's own messages: its messages stay
/// as written, since masking "bad" in "bad credentials" would tell the token;
/// where the token itself would show (the URL of a dry run) it is still masked.
#[test]
fn a_short_token_does_not_mask_dynups_own_words() {
    let fx = Fixture::http();
    let token = write_secret(&fx.dir, "word", "bad");
    let token = token.display().to_string();
    fx.mock
        .reply(Reply::status(401, "invalid authentication token"));
    let run = run_clean(&mut fx.cmd(&[
        "--token-file",
        &token,
        "--ipv4",
        "203.0.113.7",
        "h.dynv6.net",
    ]));
    assert_eq!(run.code, 10, "{run:?}");
    assert!(
        run.one_error_line()
            .contains("h.dynv6.net: bad credentials: HTTP 401"),
        "{run:?}"
    );
    assert!(!fx.state_text().contains("***"), "{}", fx.state_text());
    let dry = run_clean(&mut fx.cmd(&[
        "-n",
        "--force",
        "--token-file",
        &token,
        "--ipv4",
        "203.0.113.7",
        "h.dynv6.net",
    ]));
    assert!(dry.stdout.contains("token=***"), "{dry:?}");
    assert!(!dry.stdout.contains("token=bad"), "{dry:?}");
}

/// An API provider that quotes a (short) token in its error: the quote is
/// masked, whatever the token's length.
#[test]
fn an_api_answer_quoting_a_short_token_is_masked() {
    let fx = Fixture::https();
    let token = write_secret(&fx.dir, "short-api", "abc123");
    fx.mock.reply(
        Reply::status(
            403,
            r#"{"success":false,"errors":[{"code":10000,"message":"Authentication error: abc123"}]}"#,
        )
        .header("Content-Type", "application/json"),
    );
    let run = run_clean(&mut fx.cmd(&[
        "-p",
        "cloudflare",
        "--zone-id",
        "0123abcd",
        "--token-file",
        &token.display().to_string(),
        "--ipv4",
        "203.0.113.7",
        "-v",
        "h.example.com",
    ]));
    assert_eq!(run.code, 10, "{run:?}");
    assert!(!run.stderr.contains("abc123"), "{run:?}");
    assert!(run.stderr.contains("Authentication error: ***"), "{run:?}");
    assert!(!fx.state_text().contains("abc123"));
}
