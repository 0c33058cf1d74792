//! The stubbed router: a directory with busybox sh, the OpenWRT scripts and
//! stand-ins for functions.sh, rc.common, uci, logger, cron and dynup itself.

use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::support::*;
use super::{one_shot, read, repo, which, write, SECRETS};

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
pub(super) struct Call {
    pub(super) argv: Vec<String>,
    pub(super) env: Vec<String>,
}

/// A router in a directory: DYNUP_ROOT for the scripts.
pub(super) struct Router {
    dir: TempDir,
    busybox_sh: PathBuf,
}

impl Router {
    /// The shipped config with every job enabled, without the watch service and
    /// with cron every 5 minutes.
    pub(super) fn new(tag: &str) -> Router {
        let config = one_shot(&read(&repo("openwrt/files/etc/config/dynup")))
            .replace("option enabled '0'", "option enabled '1'");
        Router::with_config(tag, &config)
    }

    pub(super) fn with_config(tag: &str, config: &str) -> Router {
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

    pub(super) fn root(&self) -> &Path {
        self.dir.path()
    }

    /// A script under the root, with our busybox sh as its interpreter.
    pub(super) fn script(&self, path: &str, body: &str) {
        let body = body
            .strip_prefix("#!/bin/sh\n")
            .or_else(|| body.strip_prefix("#!/bin/sh /etc/rc.common\n"))
            .unwrap_or(body);
        let text = format!("#!{}\n{body}", self.busybox_sh.display());
        write(&self.root().join(path), &text, 0o755);
    }

    /// `busybox sh ARGS` with the stubs first on PATH; it must succeed.
    pub(super) fn sh(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let run = self.sh_status(args, env);
        assert_eq!(run.code, 0, "busybox sh {args:?}: {run:?}");
        run
    }

    /// [`Router::sh`], whatever its exit code.
    pub(super) fn sh_status(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
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

    pub(super) fn run_jobs(&self, args: &[&str]) {
        let run = self.run_jobs_status(args, &[]);
        assert_eq!(run.code, 0, "dynup-run {args:?}: {run:?}");
    }

    /// dynup-run ARGS with `env`, whatever its exit code.
    pub(super) fn run_jobs_status(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let runner = self.root().join("usr/libexec/dynup-run");
        let runner = runner.to_str().expect("utf-8 path");
        let mut all = vec![runner];
        all.extend_from_slice(args);
        self.sh_status(&all, env)
    }

    /// The hotplug script sourced as hotplug-call does, then its background job awaited.
    pub(super) fn hotplug(&self, env: &[(&str, &str)]) {
        let script = repo("openwrt/files/etc/hotplug.d/iface/95-dynup");
        let command = format!(". '{}'; wait", script.display());
        self.sh(&["-c", &command], env);
    }

    /// The init script through the rc.common stand-in.
    pub(super) fn init(&self, action: &str) {
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

    pub(super) fn record(&self, name: &str) -> String {
        fs::read_to_string(self.root().join("record").join(name)).unwrap_or_default()
    }

    pub(super) fn calls(&self) -> Vec<Call> {
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

    pub(super) fn crontab(&self) -> String {
        fs::read_to_string(self.root().join("etc/crontabs/root")).unwrap_or_default()
    }
}
