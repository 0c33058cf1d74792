//! The OpenWRT integration: the scripts of openwrt/files run under `busybox sh`
//! (the ash of OpenWRT) in a stubbed router (uci through a functions.sh stand-in,
//! logger, procd, cron, ubus), with a stub dynup that records its argv and
//! environment, and with the real dynup against a loopback mock; shellcheck on every shell file; the .ipk packer's output unpacked
//! and checked; `--syslog` datagrams as a log socket receives them.

mod support;

use std::fs;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

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

/// Stands in for OpenWRT's /lib/functions.sh: `config_load` sources the UCI file
/// itself (its `config`/`option`/`list` lines are shell commands) into the
/// CONFIG_<section>_<option> variables the real one uses, lists joined by blanks.
const FUNCTIONS_SH: &str = r#"
CONFIG_SECTIONS=""
config() {
	CONFIG_SECTION="$2"
	CONFIG_SECTIONS="$CONFIG_SECTIONS $2"
	eval "CONFIG_${2}_TYPE=\"\$1\""
}
option() {
	eval "CONFIG_${CONFIG_SECTION}_$1=\"\$2\""
}
list() {
	eval "old=\"\${CONFIG_${CONFIG_SECTION}_$1:-}\""
	if [ -n "$old" ]; then old="$old "; fi
	eval "CONFIG_${CONFIG_SECTION}_$1=\"\$old\$2\""
}
config_load() {
	echo "config_load $1" >>"$DYNUP_ROOT/record/functions"
	. "$DYNUP_ROOT/etc/config/$1"
}
config_get() {
	eval "$1=\"\${CONFIG_${2}_${3}:-\$4}\""
}
config_get_bool() {
	config_get "$@"
	eval "value=\"\$$1\""
	case "$value" in
	1 | on | true | yes | enabled) eval "$1=1" ;;
	*) eval "$1=0" ;;
	esac
}
config_foreach() {
	callback="$1"
	type="$2"
	for section in $CONFIG_SECTIONS; do
		eval "section_type=\"\$CONFIG_${section}_TYPE\""
		[ "$section_type" = "$type" ] && "$callback" "$section"
	done
	return 0
}
"#;

/// rc.common with procd, as far as the init script uses it.
const RC_COMMON: &str = r#"
. "$DYNUP_ROOT/lib/functions.sh"
procd_add_reload_trigger() {
	echo "procd_add_reload_trigger $*" >>"$DYNUP_ROOT/record/procd"
}
procd_open_instance() { echo "procd_open_instance $*" >>"$DYNUP_ROOT/record/procd"; }
procd_set_param() { echo "procd_set_param $*" >>"$DYNUP_ROOT/record/procd"; }
procd_close_instance() { echo "procd_close_instance" >>"$DYNUP_ROOT/record/procd"; }
procd_send_signal() { echo "procd_send_signal $*" >>"$DYNUP_ROOT/record/procd"; }
initscript="$1"
action="$2"
shift 2
. "$initscript"
status=0
case "$action" in
start | boot) service_triggers; start_service ;;
stop) stop_service ;;
reload) reload_service ;;
update) update "$@"; status=$? ;;
*) echo "rc.common stub: $action" >&2; exit 1 ;;
esac
wait
# The real rc.common ends with the action: its status is the script's.
exit "$status"
"#;

/// One call of the stub dynup: its arguments and the DYNUP_* variables it got.
#[derive(Debug, PartialEq)]
struct Call {
    argv: Vec<String>,
    env: Vec<String>,
}

/// A router in a directory: DYNUP_ROOT for the scripts.
struct Router {
    dir: TempDir,
    busybox_sh: PathBuf,
}

impl Router {
    /// The shipped config with every job enabled, without the watch service and
    /// with cron every 5 minutes.
    fn new(tag: &str) -> Router {
        let config = one_shot(&read(&repo("openwrt/files/etc/config/dynup")))
            .replace("option enabled '0'", "option enabled '1'");
        Router::with_config(tag, &config)
    }

    fn with_config(tag: &str, config: &str) -> Router {
        let dir = TempDir::new(tag);
        let root = dir.path().to_path_buf();
        let root = root.as_path();
        // busybox runs as sh when called so: every script gets it as interpreter.
        let busybox_sh = root.join("bin/sh");
        fs::create_dir_all(root.join("bin")).expect("mkdir bin");
        let busybox = which("busybox");
        symlink(&busybox, &busybox_sh).expect("symlink busybox");
        let router = Router { dir, busybox_sh };
        fs::create_dir_all(root.join("record")).expect("mkdir record");
        write(&root.join("lib/functions.sh"), FUNCTIONS_SH, 0o644);
        write(&root.join("etc/config/dynup"), config, 0o600);
        router.script(
            "usr/libexec/dynup-run",
            &read(&repo("openwrt/files/usr/libexec/dynup-run")),
        );
        router.script(
            "usr/bin/dynup",
            "{\n\techo call\n\tfor a in \"$@\"; do echo \"arg $a\"; done\n\
             \tenv | grep -e '^DYNUP_' -e '^ACTION=' -e '^INTERFACE=' -e '^DEVICE=' -e '^IFUPDATE_' \
             | grep -v -e '^DYNUP_ROOT=' -e '^DYNUP_BIN=' | sort | sed 's/^/env /'\n\
             } >>\"$DYNUP_ROOT/record/dynup\"\n",
        );
        // `uci -q get network.NAME`: whether /etc/config/network has NAME.
        router.script(
            "stub/uci",
            "[ \"$1 $2\" = \"-q get\" ] || exit 1\n\
             grep -qx \"${3#network.}\" \"$DYNUP_ROOT/networks\" && echo interface\n",
        );
        router.script(
            "stub/logger",
            "echo \"logger $*\" >>\"$DYNUP_ROOT/record/logger\"\n",
        );
        router.script(
            "etc/init.d/cron",
            "echo \"cron $*\" >>\"$DYNUP_ROOT/record/cron\"\n",
        );
        router
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    /// A script under the root, with our busybox sh as its interpreter.
    fn script(&self, path: &str, body: &str) {
        let body = body
            .strip_prefix("#!/bin/sh\n")
            .or_else(|| body.strip_prefix("#!/bin/sh /etc/rc.common\n"))
            .unwrap_or(body);
        let text = format!("#!{}\n{body}", self.busybox_sh.display());
        write(&self.root().join(path), &text, 0o755);
    }

    /// `busybox sh ARGS` with the stubs first on PATH; it must succeed.
    fn sh(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let run = self.sh_status(args, env);
        assert_eq!(run.code, 0, "busybox sh {args:?}: {run:?}");
        run
    }

    /// [`Router::sh`], whatever its exit code.
    fn sh_status(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut cmd = Command::new(&self.busybox_sh);
        cmd.args(args)
            .env_clear()
            .env(
                "PATH",
                format!("{}:/usr/bin:/bin", self.root().join("stub").display()),
            )
            .env("DYNUP_ROOT", self.root())
            .env("DYNUP_BIN", self.root().join("usr/bin/dynup"))
            .current_dir(self.root());
        for (name, value) in env {
            cmd.env(name, value);
        }
        run(&mut cmd)
    }

    fn run_jobs(&self, args: &[&str]) {
        let run = self.run_jobs_status(args, &[]);
        assert_eq!(run.code, 0, "dynup-run {args:?}: {run:?}");
    }

    /// dynup-run ARGS with `env`, whatever its exit code.
    fn run_jobs_status(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let runner = self.root().join("usr/libexec/dynup-run");
        let runner = runner.to_str().expect("utf-8 path");
        let mut all = vec![runner];
        all.extend_from_slice(args);
        self.sh_status(&all, env)
    }

    /// The hotplug script sourced as hotplug-call does, then its background job awaited.
    fn hotplug(&self, env: &[(&str, &str)]) {
        let script = repo("openwrt/files/etc/hotplug.d/iface/95-dynup");
        let command = format!(". '{}'; wait", script.display());
        self.sh(&["-c", &command], env);
    }

    /// The init script through the rc.common stand-in.
    fn init(&self, action: &str) {
        let rc_common = self.root().join("rc.common");
        write(&rc_common, RC_COMMON, 0o644);
        let init = repo("openwrt/files/etc/init.d/dynup");
        self.sh(
            &[
                rc_common.to_str().expect("utf-8"),
                init.to_str().expect("utf-8"),
                action,
            ],
            &[],
        );
    }

    fn record(&self, name: &str) -> String {
        fs::read_to_string(self.root().join("record").join(name)).unwrap_or_default()
    }

    fn calls(&self) -> Vec<Call> {
        let mut calls: Vec<Call> = Vec::new();
        for line in self.record("dynup").lines() {
            if line == "call" {
                calls.push(Call {
                    argv: Vec::new(),
                    env: Vec::new(),
                });
            } else if let (Some(arg), Some(call)) = (line.strip_prefix("arg "), calls.last_mut()) {
                call.argv.push(arg.to_string());
            } else if let (Some(var), Some(call)) = (line.strip_prefix("env "), calls.last_mut()) {
                call.env.push(var.to_string());
            } else {
                panic!("stub dynup record: {line}");
            }
        }
        for call in &calls {
            for secret in SECRETS {
                assert!(
                    !call.argv.iter().any(|a| a.contains(secret)),
                    "a secret on the command line: {call:?}"
                );
            }
        }
        calls
    }

    fn crontab(&self) -> String {
        fs::read_to_string(self.root().join("etc/crontabs/root")).unwrap_or_default()
    }
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

// ---------------------------------------------------------------------------
// The .ipk packages
// ---------------------------------------------------------------------------

const EPOCH: &str = "1700000000";

fn cargo_version() -> String {
    let toml = read(&repo("Cargo.toml"));
    toml.lines()
        .find_map(|l| l.strip_prefix("version = \""))
        .and_then(|v| v.strip_suffix('"'))
        .expect("version in Cargo.toml")
        .to_string()
}

fn arches() -> Vec<String> {
    read(&repo("cross/targets"))
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

/// Fake router binaries for every arch, then ipk.sh into `out`.
fn pack(dist: &Path, out: &Path, args: &[&str]) -> Run {
    for arch in arches() {
        write(
            &dist.join(&arch).join("dynup"),
            &format!("#!/bin/sh\necho fake dynup for {arch}\n"),
            0o700,
        );
    }
    let run = run(Command::new("sh")
        .arg(repo("openwrt/ipk.sh"))
        .args(args)
        .env("DYNUP_DIST", dist)
        .env("DYNUP_IPK_DIR", out)
        .env("SOURCE_DATE_EPOCH", EPOCH));
    assert_eq!(run.code, 0, "{run:?}");
    run
}

fn tar(args: &[&str], dir: &Path) -> String {
    let run = run(Command::new("tar").args(args).current_dir(dir));
    assert_eq!(run.code, 0, "tar {args:?}: {run:?}");
    run.stdout
}

/// `tar -tv` lines as (mode, owner, path, link target).
fn listing(verbose: &str) -> Vec<(String, String, String, String)> {
    verbose
        .lines()
        .map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (path, target) = match fields.iter().position(|f| *f == "->") {
                Some(i) => (fields[i - 1], fields[i + 1]),
                None => (fields[fields.len() - 1], ""),
            };
            (
                fields[0].to_string(),
                fields[1].to_string(),
                path.to_string(),
                target.to_string(),
            )
        })
        .collect()
}

#[test]
fn openwrt_makefile_has_the_cargo_version() {
    let makefile = read(&repo("openwrt/Makefile"));
    assert!(
        makefile.contains(&format!("PKG_VERSION:={}\n", cargo_version())),
        "openwrt/Makefile PKG_VERSION differs from Cargo.toml"
    );
    for line in [
        "$(INSTALL_CONF) ./files/etc/config/dynup $(1)/etc/config/dynup",
        "$(LN) dynup $(1)/usr/bin/dynv6.sh",
        "$(LN) dynup $(1)/usr/bin/dyndns-update-script.sh",
        "DEPENDS:=$(RUST_ARCH_DEPENDS)",
        "include ../../lang/rust/rust-package.mk",
    ] {
        assert!(makefile.contains(line), "{line}");
    }
}

#[test]
fn the_licences_are_in_the_tree_and_named_in_the_feed_forms() {
    let makefile = read(&repo("openwrt/Makefile"));
    let field = |name: &str| -> String {
        makefile
            .lines()
            .find_map(|l| l.trim_start().strip_prefix(name))
            .unwrap_or_else(|| panic!("{name} in openwrt/Makefile"))
            .to_string()
    };
    // Cargo.toml's `MIT OR Apache-2.0`, as the feed writes a choice of licences.
    assert!(read(&repo("Cargo.toml")).contains("license = \"MIT OR Apache-2.0\"\n"));
    assert_eq!(field("PKG_LICENSE:="), "Apache-2.0 MIT");
    assert_eq!(field("PKG_LICENSE_FILES:="), "LICENSE-APACHE LICENSE-MIT");
    let apache = read(&repo("LICENSE-APACHE"));
    assert!(apache.contains("Apache License\n                           Version 2.0, January 2004"));
    assert!(apache.contains("END OF TERMS AND CONDITIONS"));
    let mit = read(&repo("LICENSE-MIT"));
    assert!(mit.starts_with("MIT License\n\nCopyright (c) 2026 dynup contributors\n"));
    assert!(mit.contains("Permission is hereby granted, free of charge"));
    // Name <address>, and the project's page.
    let maintainer = field("PKG_MAINTAINER:=");
    let (name, address) = maintainer.split_once(" <").expect("Name <address>");
    assert!(!name.is_empty() && address.ends_with('>') && address.contains('@'));
    assert!(field("URL:=").starts_with("https://"));
}

#[test]
fn the_rust_version_is_the_one_the_openwrt_readme_promises() {
    let toml = read(&repo("Cargo.toml"));
    let version = toml
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = \""))
        .and_then(|v| v.strip_suffix('"'))
        .expect("rust-version in Cargo.toml");
    // openwrt-23.05's lang/rust is 1.85.0: its SDK builds dynup only up to that.
    assert_eq!(version, "1.85");
    let readme = read(&repo("openwrt/README.md"));
    assert!(
        readme.contains(&format!("Rust {version}")) && readme.contains("23.05"),
        "openwrt/README.md names the oldest SDK and its Rust"
    );
}

#[test]
fn ipk_packages_unpack_with_their_control_fields_files_and_modes() {
    let tmp = TempDir::new("ipk");
    let out = tmp.join("out");
    let packed = pack(&tmp.join("dist"), &out, &[]);
    let version = format!("{}-r1", cargo_version());
    let arches = arches();
    assert_eq!(arches.len(), 5);
    for arch in &arches {
        let name = format!("dynup_{version}_{arch}.ipk");
        assert!(packed.stdout.contains(&name), "{}", packed.stdout);
        let ipk = out.join(&name);
        let dir = tmp.join(&format!("x-{arch}"));
        fs::create_dir_all(&dir).expect("mkdir");

        // The outer archive: gzip'd tar, three members, root-owned.
        let outer = listing(&tar(&["-tvzf", ipk.to_str().expect("utf-8")], &dir));
        let names: Vec<&str> = outer.iter().map(|e| e.2.as_str()).collect();
        assert_eq!(
            names,
            ["./debian-binary", "./data.tar.gz", "./control.tar.gz"]
        );
        assert!(outer.iter().all(|e| e.1 == "0/0"), "{outer:?}");
        tar(&["-xzf", ipk.to_str().expect("utf-8")], &dir);
        assert_eq!(read(&dir.join("debian-binary")), "2.0\n");

        // control.tar.gz
        let control_list = listing(&tar(&["-tvzf", "control.tar.gz"], &dir));
        let control_files: Vec<(&str, &str, &str)> = control_list
            .iter()
            .map(|e| (e.0.as_str(), e.1.as_str(), e.2.as_str()))
            .collect();
        assert_eq!(
            control_files,
            [
                ("drwxr-xr-x", "0/0", "./"),
                ("-rw-r--r--", "0/0", "./conffiles"),
                ("-rw-r--r--", "0/0", "./control"),
                ("-rwxr-xr-x", "0/0", "./postinst"),
                ("-rwxr-xr-x", "0/0", "./prerm"),
            ]
        );
        let control_dir = dir.join("control");
        fs::create_dir_all(&control_dir).expect("mkdir");
        tar(&["-xzf", "../control.tar.gz"], &control_dir);
        let data_size = run(Command::new("sh")
            .arg("-c")
            .arg("gzip -dc data.tar.gz | wc -c")
            .current_dir(&dir))
        .stdout
        .trim()
        .to_string();
        let control = read(&control_dir.join("control"));
        assert_eq!(
            control,
            format!(
                "Package: dynup\nVersion: {version}\nDepends: ca-bundle\nSourceName: dynup\n\
                 License: Apache-2.0 MIT\nLicenseFiles: LICENSE-APACHE LICENSE-MIT\n\
                 Section: net\nSourceDateEpoch: {EPOCH}\n\
                 URL: https://github.com/OWNER/dynup\n\
                 Maintainer: dynup contributors <dynup@OWNER.invalid>\n\
                 Architecture: {arch}\nInstalled-Size: {data_size}\n\
                 Description: Dynamic-DNS update client (dynv6, No-IP, dyndns2, DNS UPDATE, ...)\n \
                 One small static binary instead of shell scripts and curl: jobs in\n \
                 /etc/config/dynup run as soon as their addresses change (dynup --watch).\n"
            )
        );
        assert_eq!(read(&control_dir.join("conffiles")), "/etc/config/dynup\n");
        assert_eq!(
            read(&control_dir.join("postinst")),
            read(&repo("openwrt/control/postinst"))
        );
        assert!(read(&control_dir.join("postinst")).contains("default_postinst \"$0\" \"$@\""));
        assert!(read(&control_dir.join("prerm")).contains("default_prerm \"$0\" \"$@\""));

        // data.tar.gz: the files, their modes, root-owned.
        let data = listing(&tar(&["-tvzf", "data.tar.gz"], &dir));
        let data: Vec<(&str, &str, &str, &str)> = data
            .iter()
            .map(|e| (e.0.as_str(), e.1.as_str(), e.2.as_str(), e.3.as_str()))
            .collect();
        let dir_entry = |path| ("drwxr-xr-x", "0/0", path, "");
        assert_eq!(
            data,
            [
                dir_entry("./"),
                dir_entry("./etc/"),
                dir_entry("./etc/config/"),
                ("-rw-------", "0/0", "./etc/config/dynup", ""),
                dir_entry("./etc/hotplug.d/"),
                dir_entry("./etc/hotplug.d/iface/"),
                ("-rw-r--r--", "0/0", "./etc/hotplug.d/iface/95-dynup", ""),
                dir_entry("./etc/init.d/"),
                ("-rwxr-xr-x", "0/0", "./etc/init.d/dynup", ""),
                dir_entry("./usr/"),
                dir_entry("./usr/bin/"),
                (
                    "lrwxrwxrwx",
                    "0/0",
                    "./usr/bin/dyndns-update-script.sh",
                    "dynup"
                ),
                ("-rwxr-xr-x", "0/0", "./usr/bin/dynup", ""),
                ("lrwxrwxrwx", "0/0", "./usr/bin/dynv6.sh", "dynup"),
                dir_entry("./usr/libexec/"),
                ("-rwxr-xr-x", "0/0", "./usr/libexec/dynup-run", ""),
            ]
        );
        let root = dir.join("root");
        fs::create_dir_all(&root).expect("mkdir");
        tar(&["-xzf", "../data.tar.gz"], &root);
        assert_eq!(
            read(&root.join("usr/bin/dynup")),
            format!("#!/bin/sh\necho fake dynup for {arch}\n")
        );
        for file in [
            "etc/config/dynup",
            "etc/init.d/dynup",
            "etc/hotplug.d/iface/95-dynup",
            "usr/libexec/dynup-run",
        ] {
            assert_eq!(
                read(&root.join(file)),
                read(&repo(&format!("openwrt/files/{file}"))),
                "{file}"
            );
        }
    }
}

#[test]
fn ipk_scripts_hand_over_to_default_postinst_and_default_prerm() {
    let tmp = TempDir::new("ipk-scripts");
    let busybox = which("busybox");
    let functions = "default_postinst() { echo \"postinst $*\" >>\"$IPKG_INSTROOT/record\"; }\n\
                     default_prerm() { echo \"prerm $*\" >>\"$IPKG_INSTROOT/record\"; }\n";
    let script_run = |script: &str, env: &[(&str, &str)]| {
        let path = repo(&format!("openwrt/control/{script}"));
        let mut cmd = Command::new(&busybox);
        cmd.arg("sh")
            .arg(&path)
            .arg("install")
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("IPKG_INSTROOT", tmp.path());
        for (name, value) in env {
            cmd.env(name, value);
        }
        let run = run(&mut cmd);
        assert_eq!(run.code, 0, "{script}: {run:?}");
        path.display().to_string()
    };
    let record = || fs::read_to_string(tmp.join("record")).unwrap_or_default();

    // No /lib/functions.sh (an image without base-files' helpers): nothing, exit 0.
    script_run("postinst", &[]);
    script_run("prerm", &[]);
    assert_eq!(record(), "");

    write(&tmp.join("lib/functions.sh"), functions, 0o644);
    let postinst = script_run("postinst", &[]);
    let prerm = script_run("prerm", &[]);
    assert_eq!(
        record(),
        format!("postinst {postinst} install\nprerm {prerm} install\n")
    );
    // IPKG_NO_SCRIPT=1 skips the install script, as the build system's does.
    script_run("postinst", &[("IPKG_NO_SCRIPT", "1")]);
    assert_eq!(record().lines().count(), 2);
}

#[test]
fn ipk_packages_are_reproducible_and_a_missing_binary_fails() {
    let tmp = TempDir::new("ipk-again");
    pack(&tmp.join("dist"), &tmp.join("a"), &["mips_24kc"]);
    pack(&tmp.join("dist"), &tmp.join("b"), &["mips_24kc"]);
    let name = format!("dynup_{}-r1_mips_24kc.ipk", cargo_version());
    let a = fs::read(tmp.join("a").join(&name)).expect("first");
    let b = fs::read(tmp.join("b").join(&name)).expect("second");
    assert!(a == b, "two packs of the same input differ");
    // dynup's and dynup-ddns' (tests/openwrt_ddns.rs).
    assert_eq!(fs::read_dir(tmp.join("a")).expect("out").count(), 2);

    let run = run(Command::new("sh")
        .arg(repo("openwrt/ipk.sh"))
        .arg("x86_64")
        .env("DYNUP_DIST", tmp.join("empty"))
        .env("DYNUP_IPK_DIR", tmp.join("c"))
        .env("SOURCE_DATE_EPOCH", EPOCH));
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("x86_64/dynup missing: run make cross"),
        "{run:?}"
    );
}

// ---------------------------------------------------------------------------
// --syslog
// ---------------------------------------------------------------------------

/// Datagrams that arrived on `socket` within a bounded wait.
fn received(socket: &UnixDatagram) -> Vec<String> {
    socket
        .set_read_timeout(Some(Duration::from_millis(200)))
        .expect("timeout");
    let mut got = Vec::new();
    let mut buf = [0u8; 2048];
    for _ in 0..100 {
        match socket.recv(&mut buf) {
            Ok(n) => got.push(String::from_utf8_lossy(&buf[..n]).into_owned()),
            Err(_) => break,
        }
    }
    got
}

/// `<PRI>Mmm dd hh:mm:ss dynup[PID]: message` into PRI and message, after checking
/// the timestamp's shape (its value logd replaces) and the tag with `pid`.
fn parse_datagram(datagram: &str, pid: u32) -> (String, String) {
    let (pri, rest) = datagram
        .strip_prefix('<')
        .and_then(|d| d.split_once('>'))
        .unwrap_or_else(|| panic!("no PRI: {datagram}"));
    let stamp = &rest[..16];
    let months = "JanFebMarAprMayJunJulAugSepOctNovDec";
    assert!(months.contains(&stamp[..3]), "{datagram}");
    let shape: String = stamp[3..]
        .chars()
        .map(|c| if c.is_ascii_digit() { '9' } else { c })
        .collect();
    assert!(
        shape == " 99 99:99:99 " || shape == "  9 99:99:99 ",
        "{datagram}"
    );
    let tag = format!("dynup[{pid}]: ");
    let message = rest[16..]
        .strip_prefix(&tag)
        .unwrap_or_else(|| panic!("not tagged {tag}: {datagram}"));
    (pri.to_string(), message.to_string())
}

/// dynup with `args` and `env` through `sh -c 'exec'`, which keeps the process id
/// and writes it down first: the PID the datagrams must carry.
fn dynup_with_pid(tmp: &TempDir, args: &[&str], env: &[(&str, &std::ffi::OsStr)]) -> (Run, u32) {
    let pid_file = tmp.join("pid");
    let mut cmd = dynup(&tmp.join("cache"));
    let binary = PathBuf::from(cmd.get_program());
    cmd = Command::new("/bin/sh");
    cmd.arg("-c")
        .arg("echo $$ >\"$PID_FILE\"; exec \"$0\" \"$@\"")
        .arg(&binary)
        .args(args)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("DYNUP_CACHE_DIR", tmp.join("cache"))
        .env("HOME", tmp.join("cache"))
        .env("PID_FILE", &pid_file);
    for (name, value) in env {
        cmd.env(name, value);
    }
    let run = run(&mut cmd);
    let pid = read(&pid_file).trim().parse().expect("a pid");
    (run, pid)
}

#[test]
fn syslog_gets_each_message_with_its_severity_and_secrets_masked() {
    let tmp = TempDir::new("syslog");
    let socket_path = tmp.join("log");
    let socket = UnixDatagram::bind(&socket_path).expect("bind the log socket");
    let secret = "s3cret-dyndns";
    // A dry run of dyndns-server with IPv4 only: a warning (AAAA deleted) and a
    // result line holding the URL with the secret.
    let (dry, pid) = dynup_with_pid(
        &tmp,
        &[
            "--syslog",
            "--dry-run",
            "-p",
            "dyndns-server",
            "-s",
            "https://127.0.0.1:1",
            "--ipv4",
            "192.0.2.7",
            "nrouter.example.com",
        ],
        &[
            ("DYNUP_PASSWORD", secret.as_ref()),
            ("DYNUP_SYSLOG_SOCKET", socket_path.as_os_str()),
        ],
    );
    assert_eq!(dry.code, 0, "{dry:?}");
    let got: Vec<(String, String)> = received(&socket)
        .iter()
        .map(|d| parse_datagram(d, pid))
        .collect();
    // What stderr (warnings) and stdout (results) said, in the order dynup said it.
    let mut expected = Vec::new();
    for line in dry.stderr.lines() {
        let warning = line
            .strip_prefix("dynup: warning: ")
            .unwrap_or_else(|| panic!("not a warning: {line}"));
        expected.push(("28".to_string(), warning.to_string()));
    }
    for line in dry.stdout.lines() {
        expected.push(("30".to_string(), line.to_string()));
    }
    assert!(expected.iter().any(|e| e.0 == "28"), "{dry:?}");
    assert!(expected.iter().any(|e| e.1.contains("***")), "{dry:?}");
    let mut sorted = got.clone();
    sorted.sort();
    expected.sort();
    assert_eq!(sorted, expected);
    assert!(!got.iter().any(|g| g.1.contains(secret)));

    // An error in the job's configuration: <27>, the same line as on stderr.
    let (bad, pid) = dynup_with_pid(
        &tmp,
        &["--syslog", "-p", "dynv6", "--ttl", "x", "h.dynv6.net"],
        &[("DYNUP_SYSLOG_SOCKET", socket_path.as_os_str())],
    );
    assert_eq!(bad.code, 2, "{bad:?}");
    let error = bad
        .stderr
        .trim_end()
        .strip_prefix("dynup: ")
        .expect("an error line")
        .to_string();
    let got: Vec<(String, String)> = received(&socket)
        .iter()
        .map(|d| parse_datagram(d, pid))
        .collect();
    assert_eq!(got, vec![("27".to_string(), error)]);

    // Without --syslog nothing arrives.
    let (quiet, _) = dynup_with_pid(
        &tmp,
        &["-p", "dynv6", "--ttl", "x", "h.dynv6.net"],
        &[("DYNUP_SYSLOG_SOCKET", socket_path.as_os_str())],
    );
    assert_eq!(quiet.code, 2);
    assert_eq!(received(&socket), Vec::<String>::new());
}

#[test]
fn without_a_log_socket_the_run_is_the_same() {
    let tmp = TempDir::new("syslog-none");
    let args = [
        "--dry-run",
        "-p",
        "dyndns-server",
        "-s",
        "https://127.0.0.1:1",
        "--ipv4",
        "192.0.2.7",
        "--ipv6",
        "2001:db8::7",
        "nrouter.example.com",
    ];
    let plain = run(dynup(&tmp.join("cache"))
        .args(args)
        .env("DYNUP_PASSWORD", "pw"));
    let logged = run(dynup(&tmp.join("cache"))
        .arg("--syslog")
        .args(args)
        .env("DYNUP_PASSWORD", "pw")
        .env("DYNUP_SYSLOG_SOCKET", tmp.join("no-such-socket")));
    assert_eq!(plain.code, 0, "{plain:?}");
    assert_eq!(
        (logged.code, &logged.stdout, &logged.stderr),
        (plain.code, &plain.stdout, &plain.stderr)
    );
}
