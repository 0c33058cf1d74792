//! dynup-ddns, the package that takes ddns-scripts' place under LuCI's Dynamic
//! DNS page (openwrt/ddns/): its scripts under `busybox sh` in a stubbed router
//! (functions.sh, procd, logger, a stub dynup that records its argv and answers
//! as told), with the command lines the two LuCI backends build; and the .ipk
//! that openwrt/ipk.sh packs for it.

mod support;

#[path = "openwrt_ddns/ipk.rs"]
mod ipk;
#[path = "openwrt_ddns/router.rs"]
mod router;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use router::Router;

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
