//! The OpenWRT integration: the scripts of openwrt/files run under `busybox sh`
//! (the ash of OpenWRT) in a stubbed router (uci through a functions.sh stand-in,
//! logger, procd, cron, ubus), with a stub dynup that records its argv and
//! environment, and with the real dynup against a loopback mock; shellcheck on every shell file; the .ipk packer's output unpacked
//! and checked; `--syslog` datagrams as a log socket receives them.

mod support;

#[path = "openwrt/ipk.rs"]
mod ipk;
#[path = "openwrt/router.rs"]
mod router;
#[path = "openwrt/syslog.rs"]
mod syslog;

use std::fs;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

use router::{Call, Router};
use support::*;

/// The secrets of the UCI examples: none may appear on a command line.
const SECRETS: [&str; 3] = [
    "your-dynv6-token",
    "your-noip-password",
    "your-dyndns-server-secret",
];

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

fn write(path: &Path, text: &str, mode: u32) {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).unwrap_or_else(|e| panic!("mkdir {}: {e}", dir.display()));
    }
    fs::write(path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .unwrap_or_else(|e| panic!("chmod {}: {e}", path.display()));
}

fn which(tool: &str) -> PathBuf {
    for dir in ["/usr/bin", "/bin", "/usr/sbin", "/sbin"] {
        let path = Path::new(dir).join(tool);
        if path.is_file() {
            return path;
        }
    }
    panic!("{tool} is not installed: run tests/deps.sh");
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// The call dynup-run makes: the config file, the state under the root, `args`.
fn run_call(router: &Router, args: &[&str], env: &[&str]) -> Call {
    let config = router.root().join("etc/config/dynup");
    let cache = router.root().join("var/run/dynup");
    let mut argv = strings(&["--syslog", "--config"]);
    argv.push(config.display().to_string());
    argv.push("--cache-dir".to_string());
    argv.push(cache.display().to_string());
    argv.extend(strings(args));
    Call {
        argv,
        env: strings(env),
    }
}

#[test]
fn dynup_run_hands_the_file_and_the_job_names_to_dynup() {
    let router = Router::new("run");
    router.run_jobs(&[]);
    router.run_jobs(&["noip", "dynv6"]);
    assert_eq!(
        router.calls(),
        vec![
            run_call(&router, &[], &[]),
            run_call(&router, &["noip", "dynv6"], &[])
        ]
    );
}

/// The shipped config's global section without the watch service, cron every 5 minutes.
fn one_shot(config: &str) -> String {
    config
        .replace("option watch '1'", "option watch '0'")
        .replace("option interval '0'", "option interval '5'")
}

#[test]
fn the_shipped_config_writes_no_cron_line_until_a_job_is_enabled() {
    let config = one_shot(&read(&repo("openwrt/files/etc/config/dynup")));
    let router = Router::with_config("uci-shipped", &config);
    router.init("start");
    // dynup finds no enabled job (tests/config_file.rs runs the shipped file).
    assert_eq!(router.calls(), vec![run_call(&router, &[], &[])]);
    assert_eq!(router.crontab(), "", "no cron line without an enabled job");
}

#[test]
fn as_shipped_procd_runs_the_watcher_and_reload_sends_it_sighup() {
    let config = read(&repo("openwrt/files/etc/config/dynup"))
        .replace("option enabled '0'", "option enabled '1'");
    let router = Router::with_config("watch-service", &config);
    router.init("start");
    let root = router.root().display().to_string();
    assert_eq!(
        router.record("procd"),
        format!(
            "procd_add_reload_trigger dynup\n\
             procd_open_instance watch\n\
             procd_set_param command {root}/usr/bin/dynup --watch --syslog --config {root}/etc/config/dynup\n\
             procd_set_param respawn\n\
             procd_close_instance\n"
        )
    );
    // No one-shot run and no cron line: the watcher runs the jobs.
    assert_eq!(router.calls(), vec![]);
    assert_eq!(router.crontab(), "");
    router.init("reload");
    assert!(router
        .record("procd")
        .ends_with("procd_send_signal dynup watch HUP\n"));
    assert_eq!(router.calls(), vec![]);
    // Cron as an option beside it.
    let path = router.root().join("etc/config/dynup");
    write(
        &path,
        &config.replace("option interval '0'", "option interval '10'"),
        0o600,
    );
    router.init("reload");
    assert_eq!(
        router.crontab(),
        "*/10 * * * * /usr/libexec/dynup-run # dynup\n"
    );
}

#[test]
fn hotplug_hands_the_event_to_dynup() {
    let router = Router::new("hotplug");
    router.script("etc/init.d/dynup", "[ \"$1\" = enabled ]\n");
    router.hotplug(&[
        ("ACTION", "ifupdate"),
        ("INTERFACE", "wan6"),
        ("DEVICE", "pppoe-wan"),
        ("IFUPDATE_ADDRESSES", "1"),
    ]);
    let event = [
        "ACTION=ifupdate",
        "DEVICE=pppoe-wan",
        "IFUPDATE_ADDRESSES=1",
        "INTERFACE=wan6",
    ];
    assert_eq!(
        router.calls(),
        vec![run_call(&router, &["--hotplug"], &event)]
    );
    // Without a network there is nothing to pick jobs by.
    let router = Router::new("hotplug-none");
    router.script("etc/init.d/dynup", "[ \"$1\" = enabled ]\n");
    router.hotplug(&[("ACTION", "ifup"), ("INTERFACE", "")]);
    assert_eq!(router.calls(), vec![]);
}

#[test]
fn the_real_dynup_runs_the_router_jobs_and_hotplug_picks_them_by_network_or_device() {
    let mock = Mock::http();
    mock.default_reply(Reply::ok("addresses updated"));
    let job = |name: &str, enabled: u8, network: &str, ipv4: &str| {
        format!(
            "config job '{name}'\n\toption enabled '{enabled}'\n\toption server '{}'\n\
             \toption token 'tok-router'\n\tlist hostname '{name}.dynv6.net'\n\
             \toption interface '{network}'\n\toption ipv4 '{ipv4}'\n\n",
            mock.url()
        )
    };
    let config = format!(
        "config global 'global'\n\toption interval '5'\n\n{}{}{}",
        job("home", 1, "wan", "192.0.2.1"),
        job("office", 1, "lan", "192.0.2.2"),
        job("off", 0, "wan", "192.0.2.3"),
    );
    let router = Router::with_config("real", &config);
    // /etc/config/network, as `uci -q get network.NAME` answers from it.
    fs::write(router.root().join("networks"), "wan\nwan6\nlan\n").expect("networks");
    fs::remove_file(router.root().join("usr/bin/dynup")).expect("rm stub");
    symlink(
        env!("CARGO_BIN_EXE_dynup"),
        router.root().join("usr/bin/dynup"),
    )
    .expect("symlink");
    router.script("etc/init.d/dynup", "[ \"$1\" = enabled ]\n");
    // netifd through ubus: wan is up on lo, lan is down.
    router.script(
        "stub/ubus",
        "case \" $* \" in\n\
         *\" network.interface.wan \"*) echo '{ \"up\": true, \"l3_device\": \"lo\" }' ;;\n\
         *) echo '{ \"up\": false }' ;;\n\
         esac\n",
    );
    let zones = || -> Vec<String> {
        mock.requests()
            .iter()
            .filter_map(|r| r.param("zone").map(String::from))
            .collect()
    };

    // wan6 came up on lo, wan's device: the job on wan runs, the one on lan not.
    router.hotplug(&[("ACTION", "ifup"), ("INTERFACE", "wan6"), ("DEVICE", "lo")]);
    assert_eq!(zones(), ["home.dynv6.net"]);
    assert!(router.root().join("var/run/dynup/home").is_dir());
    router.hotplug(&[("ACTION", "ifdown"), ("INTERFACE", "wan")]);
    assert_eq!(mock.count(), 1);

    // Every enabled job: home is current, lan is down (said, not an error).
    let runner = router.root().join("usr/libexec/dynup-run");
    let runner = runner.to_str().expect("utf-8");
    let run = router.sh(&[runner], &[]);
    assert_eq!(mock.count(), 1);
    assert!(
        run.stderr
            .contains("job 'office': network lan is not up, not run now"),
        "{run:?}"
    );

    // Named jobs: a disabled or unknown one is an error, with the file and line.
    let run = router.sh_status(&[runner, "off"], &[]);
    assert_eq!(run.code, 2, "{run:?}");
    let file = router.root().join("etc/config/dynup");
    assert!(
        run.stderr.contains(&format!("{}:", file.display()))
            && run.stderr.contains("job 'off' is disabled"),
        "{run:?}"
    );
    let run = router.sh_status(&[runner, "nope"], &[]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .contains("no job 'nope' (jobs: home, office, off)"),
        "{run:?}"
    );
    assert_eq!(mock.count(), 1);

    // A network /etc/config/network does not have is a mistake, not "down":
    // one line naming the job and the option, and exit 2.
    fs::write(router.root().join("networks"), "wan\nwan6\n").expect("networks");
    let run = router.sh_status(&[runner, "office"], &[]);
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(
        run.stderr,
        "dynup: job 'office': option interface 'lan' is no device and no network of \
         /etc/config/network; not run\n",
        "{run:?}"
    );
    assert_eq!(mock.count(), 1);
}

#[test]
fn hotplug_does_nothing_while_the_service_is_disabled() {
    let router = Router::new("hotplug-disabled");
    router.script("etc/init.d/dynup", "[ \"$1\" != enabled ]\n");
    router.hotplug(&[
        ("ACTION", "ifup"),
        ("INTERFACE", "wan"),
        ("DEVICE", "pppoe-wan"),
    ]);
    assert_eq!(router.calls(), vec![]);
}

#[test]
fn init_script_runs_the_jobs_and_keeps_one_cron_line_without_secrets() {
    let router = Router::new("init");
    let other = "0 3 * * * /sbin/reboot\n";
    write(&router.root().join("etc/crontabs/root"), other, 0o600);
    let line = "*/5 * * * * /usr/libexec/dynup-run # dynup\n";

    router.init("start");
    assert_eq!(router.crontab(), format!("{other}{line}"));
    assert_eq!(router.record("cron"), "cron restart\n");
    assert_eq!(router.record("procd"), "procd_add_reload_trigger dynup\n");
    assert_eq!(router.calls(), vec![run_call(&router, &[], &[])]);

    // Unchanged: crond is left alone.
    router.init("reload");
    assert_eq!(router.crontab(), format!("{other}{line}"));
    assert_eq!(router.record("cron"), "cron restart\n");
    assert_eq!(router.calls().len(), 2);

    let config = read(&router.root().join("etc/config/dynup"));
    write(
        &router.root().join("etc/config/dynup"),
        &config.replace("option interval '5'", "option interval '15'"),
        0o600,
    );
    router.init("reload");
    let crontab = router.crontab();
    assert_eq!(
        crontab,
        format!("{other}*/15 * * * * /usr/libexec/dynup-run # dynup\n")
    );
    for secret in SECRETS {
        assert!(!crontab.contains(secret));
    }
    assert_eq!(router.record("cron"), "cron restart\ncron restart\n");

    router.init("stop");
    assert_eq!(router.crontab(), other);
    assert_eq!(
        router.record("cron"),
        "cron restart\ncron restart\ncron restart\n"
    );
    // The crontab keeps its mode.
    let mode = fs::metadata(router.root().join("etc/crontabs/root"))
        .expect("crontab")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);

    // interval 0: the jobs run, no cron line.
    write(
        &router.root().join("etc/config/dynup"),
        &config.replace("option interval '5'", "option interval '0'"),
        0o600,
    );
    router.init("start");
    assert_eq!(router.crontab(), other);
    assert_eq!(router.calls().len(), 4);
}

#[test]
fn init_update_runs_the_named_jobs_now_and_a_bad_interval_falls_back_to_5() {
    let config = one_shot(&read(&repo("openwrt/files/etc/config/dynup")))
        .replace("option enabled '0'", "option enabled '1'")
        .replace("option interval '5'", "option interval '5m'");
    let router = Router::with_config("init-update", &config);
    router.init("start");
    assert_eq!(
        router.crontab(),
        "*/5 * * * * /usr/libexec/dynup-run # dynup\n"
    );
    assert!(router
        .record("logger")
        .contains("global.interval '5m' is not 0 to 59"));

    let rc_common = router.root().join("rc.common");
    let init = repo("openwrt/files/etc/init.d/dynup");
    router.sh(
        &[
            rc_common.to_str().expect("utf-8"),
            init.to_str().expect("utf-8"),
            "update",
            "dyndns_server",
        ],
        &[],
    );
    let calls = router.calls();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[1], run_call(&router, &["dyndns_server"], &[]));
}

#[test]
fn every_shell_file_is_shellcheck_clean() {
    let shell = [
        "openwrt/files/usr/libexec/dynup-run",
        "openwrt/files/etc/init.d/dynup",
        "openwrt/files/etc/hotplug.d/iface/95-dynup",
        "openwrt/control/postinst",
        "openwrt/control/prerm",
        "openwrt/control/post-install",
        "openwrt/control/pre-deinstall",
        "openwrt/ipk.sh",
        "openwrt/apk.sh",
        "openwrt/stage.sh",
        "openwrt/ddns/stage.sh",
        "openwrt/ddns/files/usr/lib/ddns/dynamic_dns_lucihelper.sh",
        "openwrt/ddns/files/usr/bin/ddns",
        "openwrt/ddns/files/etc/init.d/ddns",
        "openwrt/ddns/files/etc/hotplug.d/iface/95-ddns",
        "openwrt/ddns/postinst",
        "openwrt/ddns/prerm",
    ];
    let not_shell = [
        "openwrt/Makefile",
        "openwrt/mkapk.py",
        "openwrt/README.md",
        "openwrt/files/etc/config/dynup",
        "openwrt/ddns/files/etc/config/ddns",
        "openwrt/ddns/services",
        "openwrt/ddns/replaced",
        "openwrt/ddns/version",
    ];
    // A new file under openwrt/ must be put in one of the lists.
    let mut found = Vec::new();
    let mut dirs = vec![repo("openwrt")];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(&dir).expect("read openwrt/") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                let relative = path.strip_prefix(repo("")).expect("in repo");
                found.push(relative.display().to_string());
            }
        }
    }
    found.sort();
    let mut listed: Vec<String> = shell
        .iter()
        .chain(&not_shell)
        .map(|s| s.to_string())
        .collect();
    listed.sort();
    assert_eq!(found, listed);

    let shellcheck = which("shellcheck");
    for file in shell {
        let run = run(Command::new(&shellcheck).args(["-s", "sh"]).arg(repo(file)));
        assert_eq!(run.code, 0, "shellcheck -s sh {file}:\n{}", run.stdout);
    }
}
