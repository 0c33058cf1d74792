//! `dynup --config FILE [JOB...]`: several jobs of a UCI file in one run against
//! the loopback mock; errors naming FILE:LINE, job and option; the secret rule;
//! `--check`; `--hotplug`; and the hooks with their environment.

mod support;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use support::*;

/// Writes a config file with `mode` and returns its path.
fn config(fx: &Fixture, text: &str, mode: u32) -> PathBuf {
    let path = fx.dir.join("dynup.conf");
    fs::write(&path, text).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
    path
}

/// A dynv6 job against the mock, its token from the fixture's file.
fn dynv6_job(fx: &Fixture, name: &str, enabled: &str, host: &str, ipv4: &str) -> String {
    format!(
        "config job '{name}'\n\toption enabled '{enabled}'\n\toption provider 'dynv6'\n\
         \toption server '{}'\n\toption token_file '{}'\n\tlist hostname '{host}'\n\
         \toption ipv4 '{ipv4}'\n\n",
        fx.mock.url(),
        fx.token_file.display()
    )
}

fn dynup_config(fx: &Fixture, file: &PathBuf, extra: &[&str]) -> Run {
    let mut cmd = dynup(&fx.cache());
    cmd.arg("--config").arg(file).args(extra);
    run(&mut cmd)
}

fn zones(fx: &Fixture) -> Vec<String> {
    let mut zones: Vec<String> = fx
        .mock
        .requests()
        .iter()
        .filter_map(|r| r.param("zone").map(String::from))
        .collect();
    zones.sort();
    zones
}

#[test]
fn good_broken_and_disabled_jobs_in_one_file() {
    let fx = Fixture::http();
    fx.mock.default_reply(Reply::ok("addresses updated"));
    let text = format!(
        "# two good jobs, a broken one, a disabled one\nconfig global 'global'\n\toption interval '5'\n\n{}{}\
         config job 'broken'\n\toption enabled '1'\n\toption provider 'nosuch'\n\tlist hostname 'c.example'\n\n{}",
        dynv6_job(&fx, "first", "1", "a.dynv6.net", "192.0.2.1"),
        dynv6_job(&fx, "second", "yes", "b.dynv6.net", "192.0.2.2"),
        dynv6_job(&fx, "off", "0", "d.dynv6.net", "192.0.2.4"),
    );
    let file = config(&fx, &text, 0o600);
    let run = dynup_config(&fx, &file, &[]);
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(zones(&fx), ["a.dynv6.net", "b.dynv6.net"]);
    assert_eq!(
        run.stdout,
        "a.dynv6.net: updated A 192.0.2.1\nb.dynv6.net: updated A 192.0.2.2\n"
    );
    let line = text.lines().position(|l| l.contains("'nosuch'")).unwrap() + 1;
    assert!(
        run.stderr.contains(&format!(
            "{}:{line}: job 'broken': option provider: --provider: unknown provider 'nosuch'",
            file.display()
        )),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    // Each job keeps its state in a directory of its own.
    for job in ["first", "second"] {
        let dir = fx.cache().join(job);
        assert!(fs::read_dir(&dir).unwrap().count() > 0, "{dir:?}");
    }
    assert!(!fx.cache().join("off").exists());
    assert!(!run.stdout.contains(TOKEN) && !run.stderr.contains(TOKEN));

    // A second run finds both recorded and sends nothing.
    let again = dynup_config(&fx, &file, &["first", "second"]);
    assert_eq!(again.code, 0, "{again:?}");
    assert_eq!(fx.mock.count(), 2);
}

#[test]
fn named_jobs_run_alone_and_a_disabled_or_unknown_name_is_an_error() {
    let fx = Fixture::http();
    fx.mock.default_reply(Reply::ok("addresses updated"));
    let text = format!(
        "{}{}",
        dynv6_job(&fx, "first", "1", "a.dynv6.net", "192.0.2.1"),
        dynv6_job(&fx, "off", "0", "d.dynv6.net", "192.0.2.4"),
    );
    let file = config(&fx, &text, 0o600);
    let run = dynup_config(&fx, &file, &["off"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .contains(&format!("{}:10: job 'off' is disabled", file.display())),
        "{}",
        run.stderr
    );
    let run = dynup_config(&fx, &file, &["nope"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("no job 'nope' (jobs: first, off)"),
        "{}",
        run.stderr
    );
    assert_eq!(fx.mock.count(), 0);
    let run = dynup_config(&fx, &file, &["first"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(zones(&fx), ["a.dynv6.net"]);
}

#[test]
fn command_line_flags_apply_to_every_job_and_win_over_its_options() {
    let fx = Fixture::http();
    fx.mock.default_reply(Reply::ok("addresses updated"));
    let text = format!(
        "{}{}",
        dynv6_job(&fx, "first", "1", "a.dynv6.net", "192.0.2.1"),
        dynv6_job(&fx, "second", "1", "b.dynv6.net", "192.0.2.2"),
    );
    let file = config(&fx, &text, 0o600);
    let run = dynup_config(&fx, &file, &["-n"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(fx.mock.count(), 0);
    assert_eq!(run.stdout.matches("would send").count(), 2, "{run:?}");
    let run = dynup_config(&fx, &file, &["--ipv4", "198.51.100.9"]);
    assert_eq!(run.code, 0, "{run:?}");
    let sent: Vec<String> = fx
        .mock
        .requests()
        .iter()
        .filter_map(|r| r.param("ipv4").map(String::from))
        .collect();
    assert_eq!(sent, ["198.51.100.9", "198.51.100.9"]);
}

#[test]
fn option_errors_name_file_line_job_and_option() {
    let fx = Fixture::http();
    let file = fx.dir.join("dynup.conf");
    for (body, line, needle) in [
        ("\toption bogus 'x'\n", 3, "option bogus: unknown option"),
        (
            "\toption force 'maybe'\n",
            3,
            "option force: 'maybe': a switch",
        ),
        (
            "\toption family 'ipv5'\n",
            3,
            "option family: 'ipv5': expected ipv4, ipv6 or both",
        ),
        ("\tlist ipv4 '192.0.2.1'\n", 3, "option ipv4: is a list"),
        (
            "\toption config '/x'\n",
            3,
            "option config: is not an option of a job",
        ),
        ("\toption ttl 'x'\n", 3, "option ttl: --ttl"),
        (
            "\toption timeout 'soon'\n",
            3,
            "option timeout: --timeout: expected whole seconds",
        ),
        (
            "\toption password_file '/nonexistent/pw'\n",
            3,
            "option password_file: --password-file /nonexistent/pw",
        ),
        (
            "\toption enabled 'maybe'\n",
            3,
            "option enabled: expected 1/0",
        ),
    ] {
        let head = format!(
            "config job 'j'\n\tlist hostname 'h.dynv6.net'\n{body}\toption token_file '{}'\n",
            fx.token_file.display()
        );
        let text = if body.contains("enabled") {
            head
        } else {
            format!("{head}\toption enabled '1'\n")
        };
        fs::write(&file, &text).unwrap();
        let run = dynup_config(&fx, &file, &["--check"]);
        assert_eq!(run.code, 2, "{text}: {run:?}");
        let prefix = format!("dynup: {}:{line}: ", file.display());
        assert!(run.stderr.starts_with(&prefix), "{text}: {}", run.stderr);
        assert!(run.stderr.contains(needle), "{text}: {}", run.stderr);
    }
    // An error about no option in particular names the job's `config` line.
    fs::write(&file, "\n\nconfig job 'j'\n\tlist hostname 'h.dynv6.net'\n").unwrap();
    let run = dynup_config(&fx, &file, &["--check"]);
    assert_eq!(run.code, 2);
    let expected = format!("{}:3: job 'j': dynv6 needs a token", file.display());
    assert!(run.stderr.contains(&expected), "{}", run.stderr);
    // Syntax errors name the line as well; a missing file is named.
    fs::write(&file, "config job 'j'\n\toption x 'open\n").unwrap();
    let run = dynup_config(&fx, &file, &["--check"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains(&format!("{}:2: unterminated ' quote", file.display())),
        "{}",
        run.stderr
    );
    fs::remove_file(&file).unwrap();
    let run = dynup_config(&fx, &file, &[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains(&format!("--config {}: cannot open", file.display())),
        "{}",
        run.stderr
    );
    assert_eq!(fx.mock.count(), 0);
}

#[test]
fn a_secret_in_a_file_others_can_read_is_refused() {
    let fx = Fixture::http();
    fx.mock.default_reply(Reply::ok("addresses updated"));
    let text = format!(
        "config job 'inline'\n\toption enabled '1'\n\toption server '{}'\n\
         \toption token '{TOKEN}'\n\tlist hostname 'a.dynv6.net'\n\toption ipv4 '192.0.2.1'\n",
        fx.mock.url()
    );
    let file = config(&fx, &text, 0o644);
    let run = dynup_config(&fx, &file, &[]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains(&format!(
            "{}:4: option token holds a secret",
            file.display()
        )),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("chmod 600"));
    assert!(!run.stderr.contains(TOKEN));
    assert_eq!(fx.mock.count(), 0);
    // Owner-only, the same file runs; and a file without a secret may be 0644.
    fs::set_permissions(&file, fs::Permissions::from_mode(0o600)).unwrap();
    let run = dynup_config(&fx, &file, &[]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(fx.mock.last().unwrap().param("token"), Some(TOKEN));
    let file = config(
        &fx,
        &dynv6_job(&fx, "by_file", "1", "b.dynv6.net", "192.0.2.2"),
        0o644,
    );
    let run = dynup_config(&fx, &file, &[]);
    assert_eq!(run.code, 0, "{run:?}");
}

#[test]
fn check_validates_every_job_and_contacts_nothing() {
    let fx = Fixture::http();
    let text = format!(
        "{}{}config job\n\toption provider noip\n\toption username \"me\"\n\
         \toption password_file '{}'\n\tlist hostname h.ddns.net\n",
        dynv6_job(&fx, "first", "1", "a.dynv6.net", "192.0.2.1"),
        dynv6_job(&fx, "off", "0", "d.dynv6.net", "192.0.2.4"),
        fx.password_file.display()
    );
    let file = config(&fx, &text, 0o600);
    let run = dynup_config(&fx, &file, &["--check"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout,
        format!("{}: 3 job(s) valid: first, off, @job[2]\n", file.display())
    );
    assert_eq!(fx.mock.connections(), 0);
    assert!(!fx.cache().exists() || fs::read_dir(fx.cache()).unwrap().count() == 0);
    // The anonymous section is a job like any other, by the name `uci show` gives it.
    let run = dynup_config(&fx, &file, &["--check", "@job[2]"]);
    assert_eq!(
        run.stdout,
        format!("{}: 1 job(s) valid: @job[2]\n", file.display())
    );
}

#[test]
fn hotplug_runs_the_jobs_of_the_network_or_device_of_the_event() {
    let fx = Fixture::http();
    fx.mock.default_reply(Reply::ok("addresses updated"));
    let text = format!(
        "{}\n\toption interface 'lo'\n\n{}\n\toption interface 'wan'\n\toption device 'lo'\n\n{}\n\toption interface 'lan'\n\n",
        dynv6_job(&fx, "on_lo", "1", "a.dynv6.net", "192.0.2.1").trim_end(),
        dynv6_job(&fx, "on_wan", "1", "b.dynv6.net", "192.0.2.2").trim_end(),
        dynv6_job(&fx, "on_lan", "1", "c.dynv6.net", "192.0.2.3").trim_end(),
    );
    let file = config(&fx, &text, 0o600);
    let hotplug = |env: &[(&str, &str)]| {
        let mut cmd = dynup(&fx.cache());
        cmd.arg("--config")
            .arg(&file)
            .arg("--hotplug")
            .envs(env.iter().copied());
        run(&mut cmd)
    };
    // Not an address event: nothing.
    let run = hotplug(&[("ACTION", "ifdown"), ("INTERFACE", "wan"), ("DEVICE", "lo")]);
    assert_eq!((run.code, fx.mock.count()), (0, 0), "{run:?}");
    let run = hotplug(&[("ACTION", "ifupdate"), ("INTERFACE", "wan")]);
    assert_eq!((run.code, fx.mock.count()), (0, 0), "{run:?}");
    // wan came up as lo: its job, and the job on lo's device.
    let run = hotplug(&[("ACTION", "ifup"), ("INTERFACE", "wan"), ("DEVICE", "lo")]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(zones(&fx), ["a.dynv6.net", "b.dynv6.net"]);
    // An address change on lan, whose device dynup cannot find (no ubus here): not run.
    let run = hotplug(&[
        ("ACTION", "ifupdate"),
        ("IFUPDATE_ADDRESSES", "1"),
        ("INTERFACE", "lan"),
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(fx.mock.count(), 2);
}

/// The hook's environment as it wrote it with `env`, as (name, value) pairs.
fn hook_env(path: &PathBuf) -> Vec<(String, String)> {
    let text = fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn var<'a>(env: &'a [(String, String)], name: &str) -> Option<&'a str> {
    env.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

#[test]
fn on_change_gets_what_changed_and_never_a_secret() {
    let fx = Fixture::http();
    fx.mock.default_reply(Reply::ok("addresses updated"));
    let out = fx.dir.join("hook.env");
    let text = format!(
        "{}\n\toption on_change 'env > {}'\n",
        dynv6_job(&fx, "first", "1", "a.dynv6.net", "192.0.2.1").trim_end(),
        out.display()
    );
    let file = config(&fx, &text, 0o600);
    let mut cmd = dynup(&fx.cache());
    cmd.arg("--config")
        .arg(&file)
        .env("DYNUP_PASSWORD", PASSWORD)
        .env("DYNUP_TOKEN", TOKEN);
    let run = run(&mut cmd);
    assert_eq!(run.code, 0, "{run:?}");
    let env = hook_env(&out);
    assert_eq!(var(&env, "DYNUP_HOST"), Some("a.dynv6.net"));
    assert_eq!(var(&env, "DYNUP_PROVIDER"), Some("dynv6"));
    assert_eq!(var(&env, "DYNUP_IPV4"), Some("192.0.2.1"));
    assert_eq!(var(&env, "DYNUP_IPV6"), Some(""));
    assert_eq!(var(&env, "DYNUP_EXIT"), Some("0"));
    assert_eq!(
        var(&env, "DYNUP_MESSAGE"),
        Some("a.dynv6.net: updated A 192.0.2.1")
    );
    let all = fs::read_to_string(&out).unwrap();
    assert!(!all.contains(TOKEN) && !all.contains(PASSWORD), "{all}");
    // Nothing changed: no hook.
    fs::remove_file(&out).unwrap();
    let mut cmd = dynup(&fx.cache());
    let again = support::run(cmd.arg("--config").arg(&file));
    assert_eq!(again.code, 0, "{again:?}");
    assert!(!out.exists());
}

#[test]
fn on_failure_gets_the_exit_code_and_its_own_failure_is_not_fatal() {
    let fx = Fixture::http();
    fx.mock.default_reply(Reply::status(401, "unauthorized"));
    let out = fx.dir.join("hook.env");
    let mut cmd = dynup(&fx.cache());
    cmd.arg("--server")
        .arg(fx.mock.url())
        .arg("--token-file")
        .arg(&fx.token_file)
        .arg("--ipv4")
        .arg("192.0.2.1")
        .arg("--on-failure")
        .arg(format!("env > {}; exit 3", out.display()))
        .arg("--on-change")
        .arg("touch never")
        .arg("a.dynv6.net");
    let run = support::run(&mut cmd);
    assert_eq!(run.code, 10, "{run:?}");
    let env = hook_env(&out);
    assert_eq!(var(&env, "DYNUP_HOST"), Some("a.dynv6.net"));
    assert_eq!(var(&env, "DYNUP_EXIT"), Some("10"));
    assert!(var(&env, "DYNUP_MESSAGE").is_some_and(|m| m.starts_with("a.dynv6.net: ")));
    assert!(!fs::read_to_string(&out).unwrap().contains(TOKEN));
    assert!(
        run.stderr
            .contains("a.dynv6.net: --on-failure hook failed (exit 3)"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_hook_that_hangs_is_killed_after_the_timeout() {
    let fx = Fixture::http();
    fx.mock.default_reply(Reply::ok("addresses updated"));
    let marker = fx.dir.join("late");
    let mut cmd = dynup(&fx.cache());
    cmd.arg("--server")
        .arg(fx.mock.url())
        .arg("--token-file")
        .arg(&fx.token_file)
        .args(["--ipv4", "192.0.2.1", "--timeout", "1", "--on-change"])
        .arg(format!("sleep 5; touch {}", marker.display()))
        .arg("a.dynv6.net");
    let started = Instant::now();
    let run = run_with_timeout(&mut cmd, Duration::from_secs(20));
    let took = started.elapsed();
    assert_eq!(run.code, 0, "{run:?}");
    assert!(took < Duration::from_secs(4), "{took:?}");
    assert!(
        run.stderr
            .contains("--on-change hook still running after 1 s: killed"),
        "{}",
        run.stderr
    );
    // The whole group went: the shell's `touch` never runs.
    std::thread::sleep(Duration::from_secs(5));
    assert!(!marker.exists());
}

#[test]
fn the_shipped_openwrt_config_reads_natively() {
    let fx = Fixture::http();
    let shipped = fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openwrt/files/etc/config/dynup"),
    )
    .unwrap();
    let file = config(&fx, &shipped, 0o600);
    let run = dynup_config(&fx, &file, &["--check"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout,
        format!(
            "{}: 3 job(s) valid: dynv6, noip, dyndns_server\n",
            file.display()
        )
    );
    // Every job is disabled as shipped: a run does nothing.
    let run = dynup_config(&fx, &file, &[]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (0, "", "")
    );
    assert_eq!(fx.mock.connections(), 0);
}

#[test]
fn a_jobs_own_messages_name_the_job_and_its_options() {
    // Two jobs, one refused by the provider: its error, and the held line of the
    // next run, say which job and call flags by their options.
    let fx = Fixture::http();
    fx.mock
        .reply(Reply::status(401, "invalid authentication token"));
    fx.mock.default_reply(Reply::ok("addresses updated"));
    let file = config(
        &fx,
        &format!(
            "{}{}",
            dynv6_job(&fx, "refused", "1", "a.dynv6.net", "192.0.2.1"),
            dynv6_job(&fx, "fine", "1", "b.dynv6.net", "192.0.2.2")
        ),
        0o600,
    );
    let run = dynup_config(&fx, &file, &[]);
    assert_eq!(run.code, 10, "{run:?}");
    let errors: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(errors.len(), 1, "{run:?}");
    assert!(
        errors[0].starts_with("dynup: job refused: a.dynv6.net: bad credentials"),
        "{run:?}"
    );
    let held = dynup_config(&fx, &file, &[]);
    assert_eq!(held.code, 10, "{held:?}");
    assert!(
        held.stderr
            .starts_with("dynup: job refused: a.dynv6.net: held since")
            && held.stderr.contains("option force")
            && !held.stderr.contains("--force"),
        "{held:?}"
    );
    assert_eq!(fx.mock.count(), 2);

    // status and release take the file too: each job's state in its directory.
    let status = dynup_status(&fx, &["status", "--config"], &file, &[]);
    assert_eq!(status.code, 0, "{status:?}");
    let (refused, fine) = status
        .stdout
        .split_once("job fine:\n")
        .expect("a part per job");
    assert!(
        refused.starts_with("job refused:\na.dynv6.net (dynv6)\n")
            && refused.contains("held since"),
        "{status:?}"
    );
    assert!(
        fine.starts_with("b.dynv6.net (dynv6)\n")
            && fine.contains("not held")
            && !fine.contains("held since"),
        "{status:?}"
    );
    let release = dynup_status(&fx, &["release", "--config"], &file, &["a.dynv6.net"]);
    assert_eq!(release.code, 0, "{release:?}");
    assert!(
        release.stdout.contains("a.dynv6.net (dynv6): hold of"),
        "{release:?}"
    );
    let unknown = dynup_status(&fx, &["release", "--config"], &file, &["c.dynv6.net"]);
    assert_eq!(unknown.code, 2, "{unknown:?}");
    assert!(
        unknown
            .stderr
            .contains("no state for c.dynv6.net in any job"),
        "{unknown:?}"
    );
    // Released: the next run asks the provider again.
    let again = dynup_config(&fx, &file, &[]);
    assert_eq!(again.code, 0, "{again:?}");
    assert_eq!(fx.mock.count(), 3);
}

fn dynup_status(fx: &Fixture, command: &[&str], file: &PathBuf, hosts: &[&str]) -> Run {
    let mut cmd = dynup(&fx.cache());
    cmd.args(command).arg(file).args(hosts);
    run(&mut cmd)
}
