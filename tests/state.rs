//! The state contract: files, modes, the lock, damaged files, max-age, and
//! failures that must leave the state as it was.

mod support;

use std::fs::{self, File};
use std::os::unix::fs::PermissionsExt;

use support::*;

fn v4_update(fx: &Fixture, addr: &str) -> Vec<String> {
    args(&["--ipv4", addr, "h.dynv6.net"], &fx.token_args())
}

#[test]
fn state_is_private_and_names_host_and_provider() {
    let fx = Fixture::http();
    fx.mock.reply(Reply::ok("addresses updated"));
    assert_eq!(fx.run_owned(&v4_update(&fx, "203.0.113.7")).code, 0);
    let dir_mode = fs::metadata(fx.cache())
        .expect("cache dir")
        .permissions()
        .mode();
    assert_eq!(dir_mode & 0o777, 0o700);
    let file = fx.state_file();
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned());
    assert!(
        name.as_deref()
            .is_some_and(|n| n.starts_with("dynv6_h.dynv6.net_")),
        "{name:?}"
    );
    let mode = fs::metadata(&file).expect("state").permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let text = fx.state_text();
    assert!(text.starts_with("dynup-state 1\n"), "{text}");
    assert!(!text.contains(TOKEN), "the secret is in the state file");
    // No temp files left behind.
    let leftovers: Vec<_> = fs::read_dir(fx.cache())
        .expect("list")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn another_run_holding_the_lock_means_nothing_is_sent() {
    let fx = Fixture::http();
    fs::create_dir_all(fx.cache()).expect("cache dir");
    let lock = File::create(fx.cache().join(".lock")).expect("lock file");
    lock.lock().expect("take the lock");
    let run = fx.run_owned(&args(&["--timeout", "1"], &v4_update(&fx, "203.0.113.7")));
    assert_eq!(run.code, 6, "{run:?}");
    assert!(
        run.one_error_line().contains("another dynup run"),
        "{run:?}"
    );
    assert_eq!(fx.mock.count(), 0);
    drop(lock);

    fx.mock.reply(Reply::ok("addresses updated"));
    assert_eq!(fx.run_owned(&v4_update(&fx, "203.0.113.7")).code, 0);
}

#[test]
fn an_unusable_state_directory_is_exit_6_before_sending() {
    let fx = Fixture::http();
    let file = fx.dir.join("not-a-dir");
    fs::write(&file, "x").expect("file");
    let mut cmd = fx.cmd(&[]);
    cmd.arg("--cache-dir").arg(file.join("state"));
    cmd.args(v4_update(&fx, "203.0.113.7"));
    let run = run_clean(&mut cmd);
    assert_eq!(run.code, 6, "{run:?}");
    assert!(run.one_error_line().contains("not-a-dir"), "{run:?}");
    assert_eq!(fx.mock.count(), 0);
}

#[test]
fn a_damaged_state_file_is_reported_and_replaced() {
    let fx = Fixture::http();
    fx.mock.default_reply(Reply::ok("addresses updated"));
    assert_eq!(fx.run_owned(&v4_update(&fx, "203.0.113.7")).code, 0);
    let file = fx.state_file();
    fs::write(&file, b"\xff\xfe garbage\n").expect("damage");

    let run = fx.run_owned(&v4_update(&fx, "203.0.113.7"));
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("damaged"), "{run:?}");
    assert_eq!(fx.mock.count(), 2, "treated as absent: sent again");
    assert!(fx.state_text().starts_with("dynup-state 1\n"));
}

#[test]
fn max_age_resends_an_old_confirmation() {
    let fx = Fixture::http();
    fx.mock.default_reply(Reply::ok("addresses updated"));
    assert_eq!(fx.run_owned(&v4_update(&fx, "203.0.113.7")).code, 0);

    // Pretend the confirmation is two days old.
    let text = fx.state_text();
    let line = text
        .lines()
        .find(|l| l.starts_with("ipv4 "))
        .expect("ipv4 line");
    let time: u64 = line
        .rsplit(' ')
        .next()
        .and_then(|t| t.parse().ok())
        .expect("time");
    let older = text.replace(line, &format!("ipv4 203.0.113.7 {}", time - 2 * 86_400));
    fs::write(fx.state_file(), older).expect("rewrite");

    let young_enough = fx.run_owned(&args(&["--max-age", "3d"], &v4_update(&fx, "203.0.113.7")));
    assert_eq!(young_enough.code, 0);
    assert_eq!(fx.mock.count(), 1);

    let too_old = fx.run_owned(&args(&["--max-age", "1d"], &v4_update(&fx, "203.0.113.7")));
    assert_eq!(too_old.code, 0, "{too_old:?}");
    assert_eq!(fx.mock.count(), 2);
}

#[test]
fn the_state_is_per_account() {
    // The same host at the same provider under another server is another file.
    let fx = Fixture::http();
    fx.mock.default_reply(Reply::ok("addresses updated"));
    assert_eq!(fx.run_owned(&v4_update(&fx, "203.0.113.7")).code, 0);
    let other = Mock::http();
    other.default_reply(Reply::ok("addresses updated"));
    let mut cmd = dynup(&fx.cache());
    cmd.arg("--server").arg(other.url());
    cmd.args(v4_update(&fx, "203.0.113.7"));
    let run = run_clean(&mut cmd);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(other.count(), 1);
    assert_eq!(fx.state_files().len(), 2);
}

#[test]
fn a_dry_run_sends_nothing_and_writes_nothing() {
    let fx = Fixture::http();
    let run = fx.run_owned(&args(&["-n"], &v4_update(&fx, "203.0.113.7")));
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.starts_with("would send: GET http://127.0.0.1:"),
        "{run:?}"
    );
    assert!(run.stdout.contains("token=***"), "{run:?}");
    assert_eq!(fx.mock.count(), 0);
    assert!(!fx.cache().exists(), "a dry run created state");
}
