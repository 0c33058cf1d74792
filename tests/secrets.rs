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
    let sent = fx.mock.last().and_then(|r| r.param("token").map(String::from));
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
