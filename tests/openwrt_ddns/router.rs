//! The stubbed router the scripts run in: functions.sh, rc.common with procd,
//! the tests' /etc/config/ddns and the Router that lays them out.

use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::support::*;
use super::{read, repo, which, write};

/// OpenWRT's /lib/functions.sh as far as the scripts use it (as in
/// tests/openwrt.rs): `config_load` sources the UCI file, whose lines are
/// shell commands, into CONFIG_<section>_<option> variables.
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
config_load() {
	CONFIG_SECTIONS=""
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
	shift 2
	for section in $CONFIG_SECTIONS; do
		eval "section_type=\"\$CONFIG_${section}_TYPE\""
		[ "$section_type" = "$type" ] && "$callback" "$section" "$@"
	done
	return 0
}
"#;

/// rc.common with procd, as far as /etc/init.d/ddns uses it: start and
/// reload (procd's default reload is a start) hand their words to
/// start_service; stop SECTION is procd_kill of that instance.
const RC_COMMON: &str = r#"
. "$DYNUP_ROOT/lib/functions.sh"
procd_add_reload_trigger() { echo "procd_add_reload_trigger $*" >>"$DYNUP_ROOT/record/procd"; }
procd_open_instance() { echo "procd_open_instance $*" >>"$DYNUP_ROOT/record/procd"; }
procd_set_param() { echo "procd_set_param $*" >>"$DYNUP_ROOT/record/procd"; }
procd_close_instance() { echo "procd_close_instance" >>"$DYNUP_ROOT/record/procd"; }
logger() { echo "logger $*" >>"$DYNUP_ROOT/record/logger"; }
initscript="$1"
action="$2"
shift 2
. "$initscript"
case "$action" in
start | reload) service_triggers; start_service "$@" ;;
*) echo "rc.common stub: $action" >&2; exit 1 ;;
esac
"#;

/// The config of the tests: three services, one disabled, one run once.
fn ddns_config(root: &Path, with_rundir: bool) -> String {
    let rundir = if with_rundir {
        format!(
            "\toption ddns_rundir '{}'\n",
            root.join("run/ddns").display()
        )
    } else {
        String::new()
    };
    format!(
        "config ddns 'global'\n{rundir}\toption ddns_loglines '250'\n\n\
         config service 'home4'\n\toption enabled '1'\n\toption service_name 'dynv6.com'\n\
         \toption lookup_host 'home.example.org'\n\toption retry_interval '2'\n\
         \toption retry_unit 'minutes'\n\toption retry_max_count '4'\n\n\
         config service 'home6'\n\toption enabled '1'\n\toption use_ipv6 '1'\n\
         \toption interface 'wan6'\n\toption force_interval '0'\n\n\
         config service 'old'\n\toption enabled '0'\n\toption interface 'wan'\n"
    )
}

/// A router in a directory: DYNUP_ROOT for the scripts.
pub(super) struct Router {
    dir: TempDir,
    busybox_sh: PathBuf,
}

impl Router {
    pub(super) fn new(tag: &str, with_rundir: bool) -> Router {
        let dir = TempDir::new(tag);
        let busybox_sh = dir.path().join("bin/sh");
        fs::create_dir_all(dir.path().join("bin")).expect("mkdir bin");
        symlink(which("busybox"), &busybox_sh).expect("symlink busybox");
        let router = Router { dir, busybox_sh };
        let root = router.root().to_path_buf();
        fs::create_dir_all(root.join("record")).expect("mkdir record");
        write(&root.join("lib/functions.sh"), FUNCTIONS_SH, 0o644);
        write(&root.join("rc.common"), RC_COMMON, 0o644);
        write(
            &root.join("etc/config/ddns"),
            &ddns_config(&root, with_rundir),
            0o600,
        );
        write(&root.join("usr/share/ddns/version"), "2.8.5-1\n", 0o644);
        // dynup: records its words, prints STUB_OUTPUT, exits STUB_STATUS.
        router.script(
            "usr/bin/dynup",
            "echo \"dynup $*\" >>\"$DYNUP_ROOT/record/dynup\"\n\
             [ -z \"${STUB_OUTPUT:-}\" ] || echo \"$STUB_OUTPUT\"\nexit \"${STUB_STATUS:-0}\"\n",
        );
        router.script(
            "usr/lib/ddns/dynamic_dns_lucihelper.sh",
            &read(&repo(
                "openwrt/ddns/files/usr/lib/ddns/dynamic_dns_lucihelper.sh",
            )),
        );
        router.script(
            "usr/bin/ddns",
            &read(&repo("openwrt/ddns/files/usr/bin/ddns")),
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

    /// /etc/init.d/ddns as a stub that records its words; `enabled` as told.
    pub(super) fn stub_init(&self, enabled: bool) {
        self.script(
            "etc/init.d/ddns",
            &format!(
                "[ \"$1\" = enabled ] && exit {}\necho \"init $*\" >>\"$DYNUP_ROOT/record/init\"\n",
                if enabled { 0 } else { 1 }
            ),
        );
    }

    /// `busybox sh -c COMMAND` (a command line as LuCI's system() runs it).
    pub(super) fn sh(&self, command: &str, env: &[(&str, &str)]) -> Run {
        let mut cmd = Command::new(&self.busybox_sh);
        cmd.args(["-c", command])
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("DYNUP_ROOT", self.root())
            .current_dir(self.root());
        for (name, value) in env {
            cmd.env(name, value);
        }
        run(&mut cmd)
    }

    pub(super) fn helper(&self, args: &str, env: &[(&str, &str)]) -> Run {
        let helper = self.root().join("usr/lib/ddns/dynamic_dns_lucihelper.sh");
        self.sh(&format!("{} {args}", helper.display()), env)
    }

    pub(super) fn record(&self, name: &str) -> String {
        fs::read_to_string(self.root().join("record").join(name)).unwrap_or_default()
    }

    /// The real init script through the rc.common stand-in.
    pub(super) fn init(&self, words: &str) -> Run {
        let init = repo("openwrt/ddns/files/etc/init.d/ddns");
        self.sh(
            &format!(
                "{} {}/rc.common {} {words}",
                self.busybox_sh.display(),
                self.root().display(),
                init.display()
            ),
            &[],
        )
    }
}
