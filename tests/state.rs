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

/// A cache directory others can write in (even with the sticky bit, as /tmp)
/// lets them replace the state or plant links: refused before anything is sent.
#[test]
fn a_state_directory_others_can_write_is_refused() {
    for mode in [0o777, 0o1777, 0o770] {
        let fx = Fixture::http();
        fs::create_dir_all(fx.cache()).expect("cache dir");
        fs::set_permissions(fx.cache(), fs::Permissions::from_mode(mode)).expect("chmod");
        let run = fx.run_owned(&v4_update(&fx, "203.0.113.7"));
        assert_eq!(run.code, 6, "{mode:o}: {run:?}");
        let line = run.one_error_line();
        assert!(line.contains("writable by other users"), "{line}");
        assert!(line.contains(&fx.cache().display().to_string()), "{line}");
        assert_eq!(fx.mock.count(), 0);
    }
}

/// Links in the state directory are never followed: not the lock, not a state
/// file; and temporaries an interrupted run (or someone else) left are removed.
#[test]
fn links_in_the_state_directory_are_not_followed() {
    use std::os::unix::fs::symlink;
    let fx = Fixture::http();
    fx.mock.default_reply(Reply::ok("addresses updated"));
    let elsewhere = fx.dir.join("elsewhere");
    fs::create_dir_all(fx.cache()).expect("cache dir");
    fs::set_permissions(fx.cache(), fs::Permissions::from_mode(0o700)).expect("chmod");
    symlink(&elsewhere, fx.cache().join(".lock")).expect("link");
    let run = fx.run_owned(&v4_update(&fx, "203.0.113.7"));
    assert_eq!(run.code, 6, "{run:?}");
    assert!(
        run.one_error_line().contains("not a regular file"),
        "{run:?}"
    );
    assert!(!elsewhere.exists(), "the lock was opened through the link");
    assert_eq!(fx.mock.count(), 0);
    fs::remove_file(fx.cache().join(".lock")).expect("unlink");

    // A state file, and temporaries of the old predictable form, as links.
    assert_eq!(fx.run_owned(&v4_update(&fx, "203.0.113.7")).code, 0);
    let state = fx.state_file();
    let name = state
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    let planted: Vec<_> = (1..4)
        .map(|pid| fx.cache().join(format!(".{name}.{pid}.tmp")))
        .collect();
    for tmp in &planted {
        symlink(&elsewhere, tmp).expect("plant");
    }
    fs::remove_file(&state).expect("rm state");
    symlink(&elsewhere, &state).expect("link state");
    let run = fx.run_owned(&v4_update(&fx, "203.0.113.8"));
    assert_eq!(run.code, 6, "{run:?}");
    assert!(
        run.one_error_line().contains("not a regular file"),
        "{run:?}"
    );
    assert!(!elsewhere.exists(), "written through a link");
    for tmp in &planted {
        assert!(
            fs::symlink_metadata(tmp).is_err(),
            "stale {}",
            tmp.display()
        );
    }
    assert_eq!(fx.mock.count(), 1, "nothing sent for the linked state");
}

/// A FIFO in place of the state file would block the run, which holds the lock:
/// exit 6 at once instead.
#[test]
fn a_state_file_that_is_a_fifo_is_exit_6_at_once() {
    let fx = Fixture::http();
    fx.mock.default_reply(Reply::ok("addresses updated"));
    assert_eq!(fx.run_owned(&v4_update(&fx, "203.0.113.7")).code, 0);
    let state = fx.state_file();
    fs::remove_file(&state).expect("rm state");
    let c_path = std::ffi::CString::new(state.display().to_string()).expect("path");
    // SAFETY: a valid C string; mkfifo only creates a file.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0, "mkfifo");
    let run = run_with_timeout(
        &mut fx.cmd(
            &v4_update(&fx, "203.0.113.8")
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
        ),
        std::time::Duration::from_secs(10),
    );
    run.assert_clean();
    assert_eq!(run.code, 6, "{run:?}");
    assert!(
        run.one_error_line().contains("not a regular file"),
        "{run:?}"
    );
    assert_eq!(fx.mock.count(), 1);
}

/// Runs `cmd` with at most 1 GiB of address space, so that reading a file without
/// end fails the test rather than the machine.
fn run_with_memory_cap(cmd: &mut std::process::Command) -> Run {
    use std::os::unix::process::CommandExt;
    // SAFETY: setrlimit is async-signal-safe; nothing else runs before exec.
    unsafe {
        cmd.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 1 << 30,
                rlim_max: 1 << 30,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
    run_clean(cmd)
}

/// Every file read is capped: a state file or a CA bundle leading to /dev/zero,
/// or a state file too large to be one, is never read whole.
#[test]
fn file_reads_are_capped() {
    let fx = Fixture::http();
    fx.mock.default_reply(Reply::ok("addresses updated"));
    let mut cacert = fx.cmd(&["--cacert", "/dev/zero"]);
    cacert.args(v4_update(&fx, "203.0.113.7"));
    let run = run_with_memory_cap(&mut cacert);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.one_error_line().contains("larger than 4 MiB"),
        "{run:?}"
    );

    assert_eq!(fx.run_owned(&v4_update(&fx, "203.0.113.7")).code, 0);
    let state = fx.state_file();
    fs::write(&state, "dynup-state 1\n".to_string() + &"#".repeat(1 << 20)).expect("big");
    let big = fx.run_owned(&v4_update(&fx, "203.0.113.7"));
    assert_eq!(big.code, 0, "{big:?}");
    assert!(big.stderr.contains("larger than 64 KiB"), "{big:?}");
    assert_eq!(fx.mock.count(), 2, "treated as absent: sent again");

    fs::remove_file(&state).expect("rm");
    std::os::unix::fs::symlink("/dev/zero", &state).expect("link");
    let zero = run_with_memory_cap(
        &mut fx.cmd(
            &v4_update(&fx, "203.0.113.8")
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
        ),
    );
    assert_eq!(zero.code, 6, "{zero:?}");
    assert_eq!(fx.mock.count(), 2);
}

/// A directory that takes no file (here: its owner may not write in it, the lock
/// being there already) is found out before the provider is told, not after.
#[test]
fn an_unwritable_state_directory_sends_nothing() {
    use std::os::unix::fs::{chown, PermissionsExt as _};
    use std::os::unix::process::CommandExt;
    const NOBODY: u32 = 65534;
    let fx = Fixture::http();
    fx.mock.default_reply(Reply::ok("addresses updated"));
    fs::set_permissions(fx.dir.path(), fs::Permissions::from_mode(0o755)).expect("chmod");
    fs::create_dir_all(fx.cache()).expect("cache dir");
    let lock = fx.cache().join(".lock");
    fs::write(&lock, "").expect("lock");
    for path in [&lock, &fx.cache()] {
        chown(path, Some(NOBODY), Some(NOBODY)).expect("chown");
    }
    fs::set_permissions(&lock, fs::Permissions::from_mode(0o600)).expect("chmod");
    fs::set_permissions(fx.cache(), fs::Permissions::from_mode(0o500)).expect("chmod");
    let mut cmd = fx.cmd(&["--ipv4", "203.0.113.7", "h.dynv6.net"]);
    cmd.env("DYNUP_TOKEN", TOKEN).uid(NOBODY).gid(NOBODY);
    let run = run_clean(&mut cmd);
    assert_eq!(run.code, 6, "{run:?}");
    let line = run.one_error_line();
    assert!(
        line.contains("cannot write in the state directory"),
        "{line}"
    );
    assert!(line.contains("nothing was sent"), "{line}");
    assert_eq!(fx.mock.count(), 0);
}

/// --timeout is per request, so a run may take one per host and family: a run
/// waiting for the lock waits that long, not twice one request.
#[test]
fn the_lock_wait_covers_a_run_of_several_requests() {
    let fx = Fixture::http();
    fx.mock.default_reply(Reply::ok("addresses updated"));
    fs::create_dir_all(fx.cache()).expect("cache dir");
    let lock = File::create(fx.cache().join(".lock")).expect("lock file");
    lock.lock().expect("take the lock");
    // Released after 3.5 s: more than 2 x --timeout, less than 5 x (2 hosts).
    let holder = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(3500));
        drop(lock);
    });
    let run = fx.run_owned(&args(
        &[
            "--timeout",
            "1",
            "--ipv4",
            "203.0.113.7",
            "a.dynv6.net",
            "b.dynv6.net",
        ],
        &fx.token_args(),
    ));
    holder.join().expect("holder");
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(fx.mock.count(), 2);
}
