//! dynup-ddns, the package that takes ddns-scripts' place under LuCI's Dynamic
//! DNS page (openwrt/ddns/): its scripts under `busybox sh` in a stubbed router
//! (functions.sh, procd, logger, a stub dynup that records its argv and answers
//! as told), with the command lines the two LuCI backends build; and the .ipk
//! that openwrt/ipk.sh packs for it.

mod support;

use std::fs;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

use support::*;

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
struct Router {
    dir: TempDir,
    busybox_sh: PathBuf,
}

impl Router {
    fn new(tag: &str, with_rundir: bool) -> Router {
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

    /// /etc/init.d/ddns as a stub that records its words; `enabled` as told.
    fn stub_init(&self, enabled: bool) {
        self.script(
            "etc/init.d/ddns",
            &format!(
                "[ \"$1\" = enabled ] && exit {}\necho \"init $*\" >>\"$DYNUP_ROOT/record/init\"\n",
                if enabled { 0 } else { 1 }
            ),
        );
    }

    /// `busybox sh -c COMMAND` (a command line as LuCI's system() runs it).
    fn sh(&self, command: &str, env: &[(&str, &str)]) -> Run {
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

    fn helper(&self, args: &str, env: &[(&str, &str)]) -> Run {
        let helper = self.root().join("usr/lib/ddns/dynamic_dns_lucihelper.sh");
        self.sh(&format!("{} {args}", helper.display()), env)
    }

    fn record(&self, name: &str) -> String {
        fs::read_to_string(self.root().join("record").join(name)).unwrap_or_default()
    }

    /// The real init script through the rc.common stand-in.
    fn init(&self, words: &str) -> Run {
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

#[test]
fn ucode_backend_command_line_prints_the_address_and_writes_section_ip() {
    let router = Router::new("ddns-ucode", true);
    // ddns.uc: the flags one by one, `-- get_registered_ip` as one word joined in.
    let run = router.helper(
        "-6 -f -t -g -l home.example.org -S home6 -d 192.0.2.53:5353 -- get_registered_ip",
        &[("STUB_OUTPUT", "2001:db8::7")],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, "2001:db8::7", "printed without a newline");
    assert_eq!(
        router.record("dynup"),
        "dynup registered-ip -6 --dns-server 192.0.2.53:5353 --dns-tcp home.example.org\n"
    );
    // What LuCI shows: the file, trimmed.
    let ip = read(&router.root().join("run/ddns/home6.ip"));
    assert_eq!(ip, "2001:db8::7\n");
}

#[test]
fn lua_backend_combined_flags_and_a_missing_record_give_127_and_an_empty_line() {
    let router = Router::new("ddns-lua", false);
    // luci.ddns (22.03): `-` and the flag letters, then `l HOST`.
    let run = router.helper(
        "-tl home.example.org -S home4 -d 192.0.2.53 -- get_registered_ip",
        &[("STUB_STATUS", "3")],
    );
    assert_eq!(
        run.code, 127,
        "dynup's 3 (no record) is ddns-scripts' 127: {run:?}"
    );
    assert_eq!(run.stdout, "");
    assert_eq!(
        router.record("dynup"),
        "dynup registered-ip --dns-server 192.0.2.53 --dns-tcp home.example.org\n"
    );
    // No ddns_rundir in the config: ddns-scripts' default.
    assert_eq!(read(&router.root().join("var/run/ddns/home4.ip")), "\n");

    // A failure of the lookup keeps dynup's code, and the file says nothing.
    let run = router.helper(
        "-l home.example.org -S home4 -- get_registered_ip",
        &[("STUB_STATUS", "4"), ("STUB_OUTPUT", "ignored")],
    );
    assert_eq!(run.code, 4, "{run:?}");
    assert_eq!(run.stdout, "");
    assert_eq!(read(&router.root().join("var/run/ddns/home4.ip")), "\n");
}

#[test]
fn a_section_without_lookup_host_is_not_looked_up() {
    let router = Router::new("ddns-nolookup", true);
    let run = router.helper("-l _nolookup_ -S old -- get_registered_ip", &[]);
    assert_eq!(run.code, 127, "{run:?}");
    assert_eq!(router.record("dynup"), "", "dynup was called");
    assert_eq!(read(&router.root().join("run/ddns/old.ip")), "\n");
    // Without -S the helper writes no file.
    let run = router.helper(
        "-l home.example.org -- get_registered_ip",
        &[("STUB_OUTPUT", "192.0.2.9")],
    );
    assert_eq!((run.code, run.stdout.as_str()), (0, "192.0.2.9"));
    let files = fs::read_dir(router.root().join("run/ddns"))
        .expect("rundir")
        .count();
    assert_eq!(files, 1);
}

#[test]
fn helper_version_usage_errors_and_service_actions() {
    let router = Router::new("ddns-actions", true);
    router.stub_init(true);
    // get_ddns_state: `-V | awk '{print $2}'`.
    let run = router.helper("-V", &[]);
    assert_eq!(run.code, 255);
    assert_eq!(
        run.stdout.split_whitespace().nth(1),
        Some("2.8.5-1"),
        "{run:?}"
    );
    assert!(run.stdout.starts_with("ddns-scripts "), "{run:?}");

    for (args, problem) in [
        ("-S home4 -l", "option -l needs a value"),
        ("-x -- start", "unknown option -x"),
        ("-S home4", "usage:"),
        ("-S home4 -- frobnicate", "unknown action 'frobnicate'"),
        ("-- start", "start needs -S SECTION"),
        ("-- verify_dns", "verify_dns needs -d SERVER"),
    ] {
        let run = router.helper(args, &[]);
        assert_eq!(run.code, 255, "{args}: {run:?}");
        assert!(run.stderr.contains(problem), "{args}: {run:?}");
    }
    assert_eq!(router.record("init"), "", "a bad line ran an action");

    // overview.js: `-S SECTION -- start`, for its Start and Stop buttons alike.
    for args in [
        "-S home4 -- start",
        "-S home4 -- stop",
        "-- stop",
        "-- reload",
        "-- restart",
    ] {
        let run = router.helper(args, &[]);
        assert_eq!(run.code, 0, "{args}: {run:?}");
    }
    assert_eq!(
        router.record("init"),
        "init start home4\ninit stop home4\ninit stop\ninit reload\ninit restart\n"
    );

    // verify_dns: any answer of the server, even "no such name", is a yes.
    let run = router.helper("-t -d 192.0.2.53 -- verify_dns", &[("STUB_STATUS", "3")]);
    assert_eq!(run.code, 0, "{run:?}");
    let run = router.helper("-d 192.0.2.53 -- verify_dns", &[("STUB_STATUS", "4")]);
    assert_eq!(run.code, 4, "{run:?}");
    assert!(router
        .record("dynup")
        .starts_with("dynup registered-ip --dns-server 192.0.2.53 --dns-tcp --timeout 3 "));
}

#[test]
fn init_script_runs_one_procd_instance_per_enabled_section() {
    let router = Router::new("ddns-init", true);
    let run = router.init("start");
    assert_eq!(run.code, 0, "{run:?}");
    let dynup = router.root().join("usr/bin/dynup");
    let config = router.root().join("etc/config/ddns");
    let expected = format!(
        "procd_add_reload_trigger ddns\n\
         procd_open_instance home4\n\
         procd_set_param command {dynup} ddns home4\n\
         procd_set_param file {config}\n\
         procd_set_param stdout 1\n\
         procd_set_param stderr 1\n\
         procd_set_param respawn 3600 120 4\n\
         procd_close_instance\n\
         procd_open_instance home6\n\
         procd_set_param command {dynup} ddns home6\n\
         procd_set_param file {config}\n\
         procd_set_param stdout 1\n\
         procd_set_param stderr 1\n\
         procd_close_instance\n",
        dynup = dynup.display(),
        config = config.display()
    );
    // home6 runs once (force_interval 0): no respawn; `old` is disabled.
    assert_eq!(router.record("procd"), expected);

    // `start SECTION` keeps the other instances (procd replaces the set); a
    // disabled section asked for by name is said so, not started.
    fs::remove_file(router.root().join("record/procd")).expect("rm");
    let run = router.init("start old");
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(router.record("procd"), expected);
    assert_eq!(
        router.record("logger"),
        "logger -t ddns -p daemon.notice section 'old' is disabled: not started\n"
    );
}

#[test]
fn init_script_refuses_a_section_with_a_bad_number_and_starts_the_rest() {
    let router = Router::new("ddns-init-bad", true);
    let config = read(&router.root().join("etc/config/ddns")).replace(
        "option retry_max_count '4'",
        "option retry_max_count 'many'",
    );
    write(&router.root().join("etc/config/ddns"), &config, 0o600);
    let run = router.init("reload");
    assert_eq!(run.code, 0, "{run:?}");
    let procd = router.record("procd");
    assert!(!procd.contains("procd_open_instance home4"), "{procd}");
    assert!(procd.contains("procd_open_instance home6"), "{procd}");
    assert!(
        router.record("logger").contains(
            "section 'home4': force_interval, retry_interval and retry_max_count must be numbers"
        ),
        "{}",
        router.record("logger")
    );
}

/// The hotplug script sourced as hotplug-call does.
fn hotplug(router: &Router, action: &str, interface: &str) {
    let script = repo("openwrt/ddns/files/etc/hotplug.d/iface/95-ddns");
    let run = router.sh(
        &format!(". '{}'", script.display()),
        &[("ACTION", action), ("INTERFACE", interface)],
    );
    assert_eq!(run.code, 0, "{action} {interface}: {run:?}");
}

#[test]
fn hotplug_starts_and_stops_the_sections_of_the_network() {
    let router = Router::new("ddns-hotplug", true);
    router.stub_init(true);
    hotplug(&router, "ifup", "wan");
    // home4 has no interface option: wan, ddns-scripts' default.
    assert_eq!(router.record("init"), "init start home4\ninit start old\n");
    fs::remove_file(router.root().join("record/init")).expect("rm");
    hotplug(&router, "ifupdate", "wan6");
    hotplug(&router, "ifdown", "wan6");
    hotplug(&router, "ifup", "lan");
    hotplug(&router, "ifup-failed", "wan6");
    assert_eq!(router.record("init"), "init start home6\ninit stop home6\n");

    // With the service disabled (/etc/init.d/ddns disable), nothing.
    let router = Router::new("ddns-hotplug-off", true);
    router.stub_init(false);
    hotplug(&router, "ifup", "wan");
    assert_eq!(router.record("init"), "");
}

#[test]
fn usr_bin_ddns_lists_the_built_in_services() {
    let router = Router::new("ddns-cli", true);
    let share = router.root().join("usr/share/ddns");
    write(&share.join("list"), "dynv6.com\nduckdns.org\n", 0o644);
    write(&share.join("default/dynv6.com.json"), "{}\n", 0o644);
    write(&share.join("default/duckdns.org.json"), "{}\n", 0o644);
    write(&share.join("custom/my.example.json"), "{}\n", 0o644);
    let ddns = router.root().join("usr/bin/ddns");
    let ddns = ddns.display();
    let out = |args: &str| router.sh(&format!("{ddns} {args}"), &[]);

    let run = out("service list-available");
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (0, "dynv6.com\nduckdns.org\n")
    );
    let run = out("service list-installed");
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (0, "duckdns.org\ndynv6.com\nmy.example\n")
    );
    let run = out("version");
    assert_eq!((run.code, run.stdout.as_str()), (0, "2.8.5-1\n"));
    let run = out("service update");
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("built into dynup"), "{run:?}");
    let run = out("service install dynv6.com");
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.contains("'dynv6.com' is built into dynup"),
        "{run:?}"
    );
    let run = out("service install one.com");
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("dynup does not serve 'one.com'"),
        "{run:?}"
    );
    let run = out("frobnicate");
    assert_eq!(run.code, 1);
    assert!(run.stderr.starts_with("usage: ddns"), "{run:?}");

    fs::remove_file(share.join("list")).expect("rm");
    assert_eq!(out("service list-available").code, 3);
}

// ---------------------------------------------------------------------------
// The .ipk (openwrt/ipk.sh)
// ---------------------------------------------------------------------------

const EPOCH: &str = "1700000000";

/// A fake router binary for mips_24kc, then ipk.sh for that arch into `out`.
fn pack_ipk(tmp: &TempDir, out: &str, host_bin: Option<&Path>) -> Run {
    write(
        &tmp.join("dist/mips_24kc/dynup"),
        "#!/bin/sh\necho fake dynup\n",
        0o700,
    );
    let mut cmd = Command::new("sh");
    cmd.arg(repo("openwrt/ipk.sh"))
        .arg("mips_24kc")
        .env("DYNUP_DIST", tmp.join("dist"))
        .env("DYNUP_IPK_DIR", tmp.join(out))
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .env_remove("DYNUP_HOST_BIN");
    if let Some(bin) = host_bin {
        cmd.env("DYNUP_HOST_BIN", bin);
    }
    let run = run(&mut cmd);
    assert_eq!(run.code, 0, "{run:?}");
    run
}

fn tar(args: &[&str], dir: &Path) -> String {
    let run = run(Command::new("tar").args(args).current_dir(dir));
    assert_eq!(run.code, 0, "tar {args:?}: {run:?}");
    run.stdout
}

/// `tar -tv` of data.tar.gz as (mode, owner, path).
fn data_listing(dir: &Path) -> Vec<(String, String, String)> {
    tar(&["-tvzf", "data.tar.gz"], dir)
        .lines()
        .map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            (
                f[0].to_string(),
                f[1].to_string(),
                f[f.len() - 1].to_string(),
            )
        })
        .collect()
}

fn cargo_version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

#[test]
fn ipk_dynup_ddns_stands_in_for_ddns_scripts_with_its_files_and_modes() {
    let tmp = TempDir::new("ddns-ipk");
    // A host dynup that has `ddns services` (branch issue-19a): its names.
    let host = tmp.join("host-dynup");
    write(
        &host,
        "#!/bin/sh\n[ \"$1 $2\" = \"ddns services\" ] || exit 2\n\
         if [ \"${3:-}\" = --json-dir ]; then\n\
         \tfor n in dynv6.com duckdns.org; do echo '{}' >\"$4/$n.json\"; done\n\
         else printf 'duckdns.org\\ndynv6.com\\n'; fi\n",
        0o755,
    );
    let packed = pack_ipk(&tmp, "out", Some(&host));
    let name = "dynup-ddns_2.8.5-r1_all.ipk";
    assert!(packed.stdout.contains(name), "{packed:?}");
    assert!(packed.stderr.is_empty(), "{packed:?}");
    let dir = tmp.join("x");
    fs::create_dir_all(&dir).expect("mkdir");
    tar(
        &["-xzf", tmp.join("out").join(name).to_str().expect("utf-8")],
        &dir,
    );
    tar(&["-xzf", "control.tar.gz"], &dir);

    let control = read(&dir.join("control"));
    let field = |name: &str| -> String {
        control
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name}: ")))
            .unwrap_or_else(|| panic!("no {name} in {control}"))
            .to_string()
    };
    assert_eq!(field("Package"), "dynup-ddns");
    // opkg checks `ddns-scripts (>= 2.8)` against the provider's own version.
    assert_eq!(field("Version"), "2.8.5-r1");
    assert_eq!(field("Architecture"), "all");
    assert_eq!(
        field("Depends"),
        format!("dynup (>= {}-r1)", cargo_version())
    );
    assert_eq!(
        field("Provides"),
        "ddns-scripts, ddns-scripts-services, ddns-scripts_service"
    );
    let replaces = field("Replaces");
    assert_eq!(field("Conflicts"), replaces);
    let replaced: Vec<&str> = replaces.split(", ").collect();
    for package in [
        "ddns-scripts",
        "ddns-scripts-services",
        "ddns-scripts-cloudflare",
        "ddns-scripts-noip",
    ] {
        assert!(replaced.contains(&package), "{package} not in {replaces}");
    }
    assert_eq!(replaced.len(), 29);
    assert_eq!(read(&dir.join("conffiles")), "/etc/config/ddns\n");

    let files = data_listing(&dir);
    let modes: Vec<(&str, &str)> = files
        .iter()
        .filter(|(mode, owner, _)| !mode.starts_with('d') && owner == "0/0")
        .map(|(mode, _, path)| (path.as_str(), mode.as_str()))
        .collect();
    assert_eq!(
        modes,
        [
            ("./etc/config/ddns", "-rw-------"),
            ("./etc/hotplug.d/iface/95-ddns", "-rw-r--r--"),
            ("./etc/init.d/ddns", "-rwxr-xr-x"),
            ("./usr/bin/ddns", "-rwxr-xr-x"),
            ("./usr/lib/ddns/dynamic_dns_lucihelper.sh", "-rwxr-xr-x"),
            ("./usr/share/ddns/default/duckdns.org.json", "-rw-r--r--"),
            ("./usr/share/ddns/default/dynv6.com.json", "-rw-r--r--"),
            ("./usr/share/ddns/list", "-rw-r--r--"),
            ("./usr/share/ddns/version", "-rw-r--r--"),
        ]
    );
    assert!(
        files.iter().all(|(_, owner, _)| owner == "0/0"),
        "{files:?}"
    );
    let data = tmp.join("data");
    fs::create_dir_all(&data).expect("mkdir");
    tar(
        &["-xzf", dir.join("data.tar.gz").to_str().expect("utf-8")],
        &data,
    );
    assert_eq!(read(&data.join("usr/share/ddns/version")), "2.8.5-1\n");
    assert_eq!(
        read(&data.join("usr/share/ddns/list")),
        "duckdns.org\ndynv6.com\n"
    );
    assert_eq!(
        read(&data.join("etc/config/ddns")),
        read(&repo("openwrt/ddns/files/etc/config/ddns"))
    );
}

#[test]
fn ipk_dynup_ddns_without_a_host_dynup_lists_openwrt_ddns_services() {
    let tmp = TempDir::new("ddns-ipk-fallback");
    // A host dynup without `ddns services`: said, and the committed list used.
    let host = tmp.join("old-dynup");
    write(&host, "#!/bin/sh\nexit 2\n", 0o755);
    let packed = pack_ipk(&tmp, "out", Some(&host));
    assert!(
        packed.stderr.contains("has no 'ddns services --json-dir'"),
        "{packed:?}"
    );
    let dir = tmp.join("x");
    fs::create_dir_all(&dir).expect("mkdir");
    tar(
        &[
            "-xzf",
            tmp.join("out/dynup-ddns_2.8.5-r1_all.ipk")
                .to_str()
                .expect("utf-8"),
        ],
        &dir,
    );
    tar(&["-xzf", "data.tar.gz"], &dir);
    let list = read(&dir.join("usr/share/ddns/list"));
    assert_eq!(list, read(&repo("openwrt/ddns/services")));
    for name in [
        "dynv6.com",
        "cloudflare.com-v4",
        "bind-nsupdate",
        "no-ip.com",
    ] {
        assert!(list.lines().any(|l| l == name), "{name} not listed");
    }
    for name in list.lines() {
        let json = read(&dir.join(format!("usr/share/ddns/default/{name}.json")));
        assert!(json.contains(&format!("\"name\": \"{name}\"")), "{json}");
        assert!(json.contains("\"ipv6\""), "{json}");
    }
    // The same input twice: the same bytes.
    pack_ipk(&tmp, "again", Some(&host));
    let a = fs::read(tmp.join("out/dynup-ddns_2.8.5-r1_all.ipk")).expect("a");
    let b = fs::read(tmp.join("again/dynup-ddns_2.8.5-r1_all.ipk")).expect("b");
    assert!(a == b, "two packs of the same input differ");
}

/// The helper with the real dynup against BIND on loopback: found (A over TCP,
/// AAAA), and a name without a record (NXDOMAIN): ddns-scripts' 127.
#[test]
fn helper_with_the_real_dynup_reads_the_registered_address_from_a_loopback_dns_server() {
    use support::named::{Named, TsigKey, Zone};
    let key = TsigKey::new("dynup-key.example.test", "hmac-sha256");
    let zone = Zone::new("example.test", std::slice::from_ref(&key))
        .record("home 300 IN A 192.0.2.1")
        .record("home 300 IN AAAA 2001:db8::1");
    let named = Named::start(&[zone]);
    let server = format!("127.0.0.1:{}", named.port);

    let router = Router::new("ddns-real", true);
    router.script(
        "usr/bin/dynup",
        &format!("exec '{}' \"$@\"\n", env!("CARGO_BIN_EXE_dynup")),
    );
    let ip_file = |section: &str| read(&router.root().join(format!("run/ddns/{section}.ip")));

    let run = router.helper(
        &format!("-tl home.example.test -S home4 -d {server} -- get_registered_ip"),
        &[],
    );
    assert_eq!((run.code, run.stdout.as_str()), (0, "192.0.2.1"), "{run:?}");
    assert_eq!(ip_file("home4"), "192.0.2.1\n");

    let run = router.helper(
        &format!("-6 -l home.example.test -S home6 -d {server} -- get_registered_ip"),
        &[],
    );
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (0, "2001:db8::1"),
        "{run:?}"
    );
    assert_eq!(ip_file("home6"), "2001:db8::1\n");

    let run = router.helper(
        &format!("-l new.example.test -S home4 -d {server} -- get_registered_ip"),
        &[],
    );
    assert_eq!((run.code, run.stdout.as_str()), (127, ""), "{run:?}");
    assert_eq!(ip_file("home4"), "\n");
}
