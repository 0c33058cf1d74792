//! The .ipk that openwrt/ipk.sh packs for dynup-ddns: its files, modes and
//! reproducibility.

use std::fs;
use std::path::Path;
use std::process::Command;

use super::support::*;
use super::{read, repo, write};

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
