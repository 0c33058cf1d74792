//! The .apk packages of `make apk` (openwrt/apk.sh and openwrt/mkapk.py), read
//! back with the independent reader of tests/apk_reader: framing, the info
//! fields, every file's hash, mode, owner and mtime, the scripts and the
//! /lib/apk/packages files, all against the payload; the scripts run under
//! busybox sh; the packages are reproducible, the release settable, bad input
//! refused. The router binaries are stand-ins here; tests/cross.rs runs the
//! real ones unpacked from the packages of `make apk`.

mod apk_reader;
mod support;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use ring::digest::{digest, SHA256};
use support::*;

const EPOCH: u64 = 1_700_000_000;

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

fn arches() -> Vec<String> {
    read(&repo("cross/targets"))
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

fn fake_binary(arch: &str) -> String {
    format!("#!/bin/sh\necho fake dynup for {arch}\n")
}

/// Stand-in router binaries for every arch in `dist`.
fn fake_dist(dist: &Path) {
    for arch in arches() {
        let path = dist.join(&arch).join("dynup");
        fs::create_dir_all(path.parent().unwrap()).expect("mkdir");
        fs::write(&path, fake_binary(&arch)).expect("write");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o700)).expect("chmod");
    }
}

/// openwrt/apk.sh ARGS with DIST and OUT; `env` on top.
fn apk_sh(dist: &Path, out: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new("sh");
    cmd.arg(repo("openwrt/apk.sh"))
        .args(args)
        .env("DYNUP_DIST", dist)
        .env("DYNUP_APK_DIR", out)
        .env("SOURCE_DATE_EPOCH", EPOCH.to_string())
        .env_remove("PKG_RELEASE");
    for (name, value) in env {
        cmd.env(name, value);
    }
    run(&mut cmd)
}

fn read_package(path: &Path) -> apk_reader::Package {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    apk_reader::read(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn version() -> String {
    format!("{}-r1", env!("CARGO_PKG_VERSION"))
}

/// openwrt/Makefile's Package/dynup/description on one line, as make's $(strip).
fn makefile_description() -> String {
    let makefile = read(&repo("openwrt/Makefile"));
    let body = makefile
        .split("define Package/dynup/description\n")
        .nth(1)
        .and_then(|rest| rest.split("\nendef").next())
        .expect("Package/dynup/description in openwrt/Makefile");
    body.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn sha256_hex(data: &[u8]) -> String {
    digest(&SHA256, data)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// (path, mode, link target) of everything the package installs; directories end in /.
fn expected_entries() -> Vec<(&'static str, u64, &'static str)> {
    vec![
        ("/", 0o755, ""),
        ("/etc/", 0o755, ""),
        ("/etc/config/", 0o755, ""),
        ("/etc/config/dynup", 0o600, ""),
        ("/etc/hotplug.d/", 0o755, ""),
        ("/etc/hotplug.d/iface/", 0o755, ""),
        ("/etc/hotplug.d/iface/95-dynup", 0o644, ""),
        ("/etc/init.d/", 0o755, ""),
        ("/etc/init.d/dynup", 0o755, ""),
        ("/lib/", 0o755, ""),
        ("/lib/apk/", 0o755, ""),
        ("/lib/apk/packages/", 0o755, ""),
        ("/lib/apk/packages/dynup.conffiles", 0o644, ""),
        ("/lib/apk/packages/dynup.conffiles_static", 0o644, ""),
        ("/lib/apk/packages/dynup.list", 0o644, ""),
        ("/usr/", 0o755, ""),
        ("/usr/bin/", 0o755, ""),
        ("/usr/bin/dyndns-update-script.sh", 0o777, "dynup"),
        ("/usr/bin/dynup", 0o755, ""),
        ("/usr/bin/dynv6.sh", 0o777, "dynup"),
        ("/usr/libexec/", 0o755, ""),
        ("/usr/libexec/dynup-run", 0o755, ""),
    ]
}

#[test]
fn apk_packages_hold_the_payload_lists_and_scripts_with_openwrts_metadata() {
    let tmp = TempDir::new("apk");
    fake_dist(&tmp.join("dist"));
    let out = tmp.join("out");
    let packed = apk_sh(&tmp.join("dist"), &out, &[], &[]);
    assert_eq!(packed.code, 0, "{packed:?}");
    let arches = arches();
    assert_eq!(arches.len(), 5);
    for arch in &arches {
        let path = out.join(arch).join(format!("dynup-{}.apk", version()));
        assert!(
            packed.stdout.contains(&path.display().to_string()),
            "{packed:?}"
        );
        // dynup's and dynup-ddns' (apk_ddns_package_... below).
        assert_eq!(fs::read_dir(out.join(arch)).expect("arch dir").count(), 2);
        let pkg = read_package(&path);
        assert!(pkg.deflated, "{arch}: not compressed as apk mkpkg does");

        // The info fields package-pack.mk passes to apk mkpkg; it depends on the
        // CA bundle alone (the router build has no roots built in).
        let text: Vec<(&str, &str)> = pkg
            .info
            .text
            .iter()
            .map(|(k, v)| (*k, v.as_str()))
            .collect();
        let mut expected = vec![
            ("arch", arch.as_str()),
            ("description", &makefile_description()),
            ("license", "Apache-2.0 MIT"),
            ("maintainer", "dynup contributors <dynup@OWNER.invalid>"),
            ("name", "dynup"),
            ("origin", "feeds/packages/net/dynup"),
            ("url", "https://github.com/OWNER/dynup"),
            ("version", &version()),
        ]
        .into_iter()
        .map(|(k, v)| (k, v.to_string()))
        .collect::<Vec<_>>();
        expected.sort();
        let expected: Vec<(&str, &str)> = expected.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(text, expected, "{arch}");
        assert!(
            pkg.info.other_fields.is_empty(),
            "{arch}: unexpected info fields {:?} (depends?)",
            pkg.info.other_fields
        );
        let deps: Vec<(&str, &[String])> = pkg
            .info
            .dependencies
            .iter()
            .map(|(k, v)| (k.as_ref(), v.as_slice()))
            .collect();
        assert_eq!(
            deps,
            [("depends", &["ca-bundle".to_string()][..])],
            "{arch}"
        );

        // The unique id: as apk mkpkg makes it, the first 20 bytes of the
        // SHA-256 of the ADB block taken with the id zeroed.
        let range = pkg.hashes_at.clone().expect("hashes");
        let mut zeroed = pkg.adb.clone();
        zeroed[range.clone()].fill(0);
        assert_eq!(range.len(), 20, "{arch}");
        assert_eq!(
            pkg.info.hashes.as_deref(),
            Some(&digest(&SHA256, &zeroed).as_ref()[..20]),
            "{arch}"
        );

        // Every directory, file and link, root-owned, with the payload's modes.
        let mut entries: Vec<(String, u64, String)> = Vec::new();
        for dir in &pkg.dirs {
            let name = if dir.name.is_empty() {
                "/".to_string()
            } else {
                format!("/{}/", dir.name)
            };
            assert_eq!(
                (dir.acl.user.as_str(), dir.acl.group.as_str()),
                ("root", "root")
            );
            assert!(!dir.acl.has_xattrs);
            entries.push((name, dir.acl.mode, String::new()));
        }
        for (path, file) in pkg.files() {
            assert_eq!(
                (file.acl.user.as_str(), file.acl.group.as_str()),
                ("root", "root"),
                "{arch} {path}"
            );
            assert_eq!(file.mtime, EPOCH, "{arch} {path}");
            match file.link_target() {
                Some(target) => {
                    assert_eq!(file.hash, None, "{path}");
                    assert_eq!(file.size, target.len() as u64, "{path}");
                    entries.push((path, file.acl.mode, target));
                }
                None => {
                    assert_eq!(file.target, None, "{path}: a device or hard link");
                    assert_eq!(file.hash.as_ref().map(Vec::len), Some(32), "{path}");
                    assert!(file.data.is_some(), "{path}: no contents");
                    entries.push((path, file.acl.mode, String::new()));
                }
            }
        }
        entries.sort();
        let expected: Vec<(String, u64, String)> = expected_entries()
            .into_iter()
            .map(|(p, m, t)| (p.to_string(), m, t.to_string()))
            .collect();
        assert_eq!(entries, expected, "{arch}");

        // The contents: the binary of this arch and openwrt/files.
        assert_eq!(pkg.contents("/usr/bin/dynup"), fake_binary(arch).as_bytes());
        for file in [
            "etc/config/dynup",
            "etc/init.d/dynup",
            "etc/hotplug.d/iface/95-dynup",
            "usr/libexec/dynup-run",
        ] {
            assert_eq!(
                pkg.contents(&format!("/{file}")),
                fs::read(repo(&format!("openwrt/files/{file}"))).expect("repo file"),
                "{arch} {file}"
            );
        }
        let regular_bytes: u64 = pkg
            .files()
            .iter()
            .filter(|(_, f)| f.link_target().is_none())
            .map(|(_, f)| f.size)
            .sum();
        assert_eq!(pkg.info.installed_size, Some(regular_bytes), "{arch}");

        // /lib/apk/packages as package-pack.mk writes it: the list of every file
        // and link but itself and the conffiles files, sorted; the conffiles;
        // each conffile with the SHA-256 of its packaged contents.
        let mut listed: Vec<String> = pkg
            .files()
            .into_iter()
            .map(|(p, _)| p)
            .filter(|p| !p.starts_with("/lib/apk/packages/"))
            .collect();
        listed.sort();
        let list = String::from_utf8(pkg.contents("/lib/apk/packages/dynup.list")).unwrap();
        assert_eq!(
            list,
            listed.iter().map(|p| format!("{p}\n")).collect::<String>()
        );
        assert!(
            list.contains("/etc/init.d/dynup\n"),
            "default_postinst enables it from here"
        );
        assert_eq!(
            pkg.contents("/lib/apk/packages/dynup.conffiles"),
            b"/etc/config/dynup\n"
        );
        assert_eq!(
            String::from_utf8(pkg.contents("/lib/apk/packages/dynup.conffiles_static")).unwrap(),
            format!(
                "/etc/config/dynup {}\n",
                sha256_hex(&pkg.contents("/etc/config/dynup"))
            )
        );

        // The scripts package-pack.mk generates: post-upgrade is post-install
        // after PKG_UPGRADE=1.
        let post_install = fs::read(repo("openwrt/control/post-install")).expect("post-install");
        let mut post_upgrade = b"#!/bin/sh\nexport PKG_UPGRADE=1\n".to_vec();
        for line in String::from_utf8(post_install.clone()).unwrap().lines() {
            if !line.trim_start().starts_with("#!") {
                post_upgrade.extend_from_slice(format!("{line}\n").as_bytes());
            }
        }
        let scripts: Vec<&str> = pkg.scripts.keys().copied().collect();
        assert_eq!(scripts, ["post-install", "post-upgrade", "pre-deinstall"]);
        assert_eq!(pkg.scripts["post-install"], post_install);
        assert_eq!(pkg.scripts["post-upgrade"], post_upgrade);
        assert_eq!(
            pkg.scripts["pre-deinstall"],
            fs::read(repo("openwrt/control/pre-deinstall")).expect("pre-deinstall")
        );
    }
}

/// The packaged scripts under busybox sh, with a functions.sh that records what
/// it is asked: the calls OpenWRT's scripts make, with pkgname and root set.
#[test]
fn apk_scripts_hand_over_to_default_postinst_and_default_prerm() {
    let tmp = TempDir::new("apk-scripts");
    fake_dist(&tmp.join("dist"));
    let packed = apk_sh(&tmp.join("dist"), &tmp.join("out"), &["x86_64"], &[]);
    assert_eq!(packed.code, 0, "{packed:?}");
    let pkg = read_package(
        &tmp.join("out/x86_64")
            .join(format!("dynup-{}.apk", version())),
    );
    let busybox = ["/usr/bin/busybox", "/bin/busybox"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .expect("busybox: run tests/deps.sh");
    let instroot = tmp.join("root");
    let record = instroot.join("record");
    let run_script = |name: &str, env: &[(&str, &str)]| {
        let script = tmp.join(name);
        fs::write(&script, &pkg.scripts[name]).expect("write script");
        let mut cmd = Command::new(&busybox);
        cmd.arg("sh")
            .arg(&script)
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("IPKG_INSTROOT", &instroot);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let run = run(&mut cmd);
        assert_eq!(run.code, 0, "{name}: {run:?}");
    };
    let recorded = || fs::read_to_string(&record).unwrap_or_default();

    // No /lib/functions.sh: nothing to call, and no failure.
    fs::create_dir_all(instroot.join("lib")).expect("mkdir");
    run_script("post-install", &[]);
    run_script("pre-deinstall", &[]);
    assert_eq!(recorded(), "");

    let functions = "\
add_group_and_user() { echo \"add_group_and_user $pkgname\" >>\"$IPKG_INSTROOT/record\"; }
default_postinst() { echo \"default_postinst $pkgname root=$root upgrade=${PKG_UPGRADE:-0} args=$#\" >>\"$IPKG_INSTROOT/record\"; }
default_prerm() { echo \"default_prerm $pkgname root=$root args=$#\" >>\"$IPKG_INSTROOT/record\"; }
";
    fs::write(instroot.join("lib/functions.sh"), functions).expect("functions.sh");
    let root = instroot.display().to_string();
    run_script("post-install", &[]);
    run_script("post-upgrade", &[]);
    run_script("pre-deinstall", &[]);
    assert_eq!(
        recorded(),
        format!(
            "add_group_and_user dynup\ndefault_postinst dynup root={root} upgrade=0 args=0\n\
             add_group_and_user dynup\ndefault_postinst dynup root={root} upgrade=1 args=0\n\
             default_prerm dynup root={root} args=0\n"
        )
    );
    // IPKG_NO_SCRIPT=1 (image building) skips the install script.
    run_script("post-install", &[("IPKG_NO_SCRIPT", "1")]);
    assert_eq!(recorded().lines().count(), 5);
}

#[test]
fn apk_packages_are_reproducible_and_take_their_release_and_date_from_the_environment() {
    let tmp = TempDir::new("apk-again");
    let dist = tmp.join("dist");
    fake_dist(&dist);
    let name = format!("mips_24kc/dynup-{}.apk", version());
    for out in ["a", "b"] {
        let run = apk_sh(&dist, &tmp.join(out), &["mips_24kc"], &[]);
        assert_eq!(run.code, 0, "{run:?}");
    }
    let a = fs::read(tmp.join("a").join(&name)).expect("first");
    let b = fs::read(tmp.join("b").join(&name)).expect("second");
    assert!(a == b, "two packs of the same input differ");

    let run = apk_sh(
        &dist,
        &tmp.join("c"),
        &["mips_24kc"],
        &[("PKG_RELEASE", "2"), ("SOURCE_DATE_EPOCH", "1800000000")],
    );
    assert_eq!(run.code, 0, "{run:?}");
    let r2 = format!("{}-r2", env!("CARGO_PKG_VERSION"));
    let pkg = read_package(&tmp.join("c/mips_24kc").join(format!("dynup-{r2}.apk")));
    assert_eq!(pkg.info.text["version"], r2);
    assert!(pkg.files().iter().all(|(_, f)| f.mtime == 1_800_000_000));
}

#[test]
fn apk_bad_input_is_refused_with_one_line() {
    let tmp = TempDir::new("apk-bad");
    fake_dist(&tmp.join("dist"));
    let missing = apk_sh(&tmp.join("empty"), &tmp.join("out"), &["x86_64"], &[]);
    assert_eq!(missing.code, 1, "{missing:?}");
    assert!(
        missing
            .stderr
            .contains("x86_64/dynup missing: run make cross first"),
        "{missing:?}"
    );
    let release = apk_sh(
        &tmp.join("dist"),
        &tmp.join("out"),
        &["x86_64"],
        &[("PKG_RELEASE", "1-beta")],
    );
    assert_eq!(release.code, 1, "{release:?}");
    assert!(
        release
            .stderr
            .contains("PKG_RELEASE must be a number, not '1-beta'"),
        "{release:?}"
    );
    assert!(!tmp
        .join("out/x86_64")
        .join("dynup-0.1.0-r1-beta.apk")
        .exists());

    // The writer itself: a version apk would compare wrongly, an unknown field.
    fs::create_dir_all(tmp.join("tree")).expect("mkdir");
    for (info, error) in [
        (
            "version:0.1.0-1",
            "--info version:0.1.0-1: not an apk version (like 0.1.0-r1)",
        ),
        ("colour:blue", "--info colour:blue: unknown key colour"),
    ] {
        let run = run(Command::new("python3")
            .arg(repo("openwrt/mkapk.py"))
            .args(["--info", "name:dynup", "--info", "arch:x86_64"])
            .args(["--info", "version:0.1.0-r1", "--info", info])
            .arg("--files")
            .arg(tmp.join("tree"))
            .arg("--output")
            .arg(tmp.join("x.apk")));
        assert_eq!(run.code, 1, "{run:?}");
        assert_eq!(run.stderr.lines().count(), 1, "{run:?}");
        assert!(run.stderr.contains(error), "{run:?}");
        assert!(!tmp.join("x.apk").exists());
    }
}

/// The reader is no rubber stamp: a flipped byte in a file's contents, a
/// truncated package and a wrong magic are each refused.
#[test]
fn the_apk_reader_refuses_damaged_packages() {
    let tmp = TempDir::new("apk-damaged");
    fake_dist(&tmp.join("dist"));
    let run = apk_sh(&tmp.join("dist"), &tmp.join("out"), &["x86_64"], &[]);
    assert_eq!(run.code, 0, "{run:?}");
    let file = fs::read(
        tmp.join("out/x86_64")
            .join(format!("dynup-{}.apk", version())),
    )
    .expect("package");
    let plain = miniz_oxide::inflate::decompress_to_vec(&file[4..]).expect("inflate");
    assert!(
        apk_reader::read(&plain).is_ok(),
        "uncompressed ADB is valid too"
    );

    let marker = b"fake dynup for x86_64";
    let at = plain
        .windows(marker.len())
        .position(|w| w == marker)
        .expect("the binary's bytes in a DATA block");
    let mut flipped = plain.clone();
    flipped[at] ^= 0x20;
    let err = apk_reader::read(&flipped).expect_err("flipped byte");
    assert!(err.contains("dynup: SHA-256 differs"), "{err}");

    let err = apk_reader::read(&plain[..plain.len() - 16]).expect_err("truncated");
    assert!(
        err.contains("left") || err.contains("no DATA block"),
        "{err}"
    );

    let mut magic = plain.clone();
    magic[4..8].copy_from_slice(b"indx");
    assert!(apk_reader::read(&magic).is_err());
}

/// dynup-ddns (openwrt/ddns/): one noarch package beside dynup's in every
/// arch's directory, standing in for ddns-scripts.
#[test]
fn apk_dynup_ddns_provides_and_replaces_ddns_scripts_with_its_files_and_scripts() {
    let tmp = TempDir::new("apk-ddns");
    fake_dist(&tmp.join("dist"));
    let out = tmp.join("out");
    let packed = apk_sh(&tmp.join("dist"), &out, &[], &[("DYNUP_HOST_BIN", "")]);
    assert_eq!(packed.code, 0, "{packed:?}");
    let name = "dynup-ddns-2.8.5-r1.apk";
    let first = fs::read(out.join("mips_24kc").join(name)).expect("mips_24kc");
    for arch in arches() {
        let path = out.join(&arch).join(name);
        assert!(
            packed.stdout.contains(&path.display().to_string()),
            "{packed:?}"
        );
        assert!(
            fs::read(&path).expect("package") == first,
            "{arch}: not the same package"
        );
    }
    let pkg = read_package(&out.join("x86_64").join(name));
    assert_eq!(pkg.info.text["name"], "dynup-ddns");
    assert_eq!(pkg.info.text["version"], "2.8.5-r1");
    assert_eq!(pkg.info.text["arch"], "noarch");
    let deps = &pkg.info.dependencies;
    assert_eq!(deps["depends"], [format!("dynup>={}", version())]);
    // Dependents ask for ddns-scripts>=2.8; the real one is 2.8.4.
    assert_eq!(
        deps["provides"],
        ["ddns-scripts=2.8.5-r1", "ddns-scripts-services=2.8.5-r1"]
    );
    let replaces = &deps["replaces"];
    assert_eq!(replaces.len(), 29, "{replaces:?}");
    for package in [
        "ddns-scripts",
        "ddns-scripts-services",
        "ddns-scripts-cloudflare",
    ] {
        assert!(
            replaces.iter().any(|r| r == package),
            "{package}: {replaces:?}"
        );
    }

    let modes: Vec<(String, u64)> = pkg
        .files()
        .into_iter()
        .filter(|(path, _)| !path.contains("/default/"))
        .map(|(path, file)| (path, file.acl.mode))
        .collect();
    let expected = [
        ("etc/config/ddns", 0o600),
        ("etc/hotplug.d/iface/95-ddns", 0o644),
        ("etc/init.d/ddns", 0o755),
        ("lib/apk/packages/dynup-ddns.conffiles", 0o644),
        ("lib/apk/packages/dynup-ddns.conffiles_static", 0o644),
        ("lib/apk/packages/dynup-ddns.list", 0o644),
        ("usr/bin/ddns", 0o755),
        ("usr/lib/ddns/dynamic_dns_lucihelper.sh", 0o755),
        ("usr/share/ddns/list", 0o644),
        ("usr/share/ddns/version", 0o644),
    ];
    let expected: Vec<(String, u64)> = expected
        .iter()
        .map(|(p, m)| (format!("/{p}"), *m))
        .collect();
    assert_eq!(modes, expected);
    assert_eq!(
        pkg.contents("/lib/apk/packages/dynup-ddns.conffiles"),
        b"/etc/config/ddns\n"
    );
    let config = pkg.contents("/etc/config/ddns");
    assert_eq!(
        String::from_utf8_lossy(&pkg.contents("/lib/apk/packages/dynup-ddns.conffiles_static")),
        format!("/etc/config/ddns {}\n", sha256_hex(&config))
    );
    assert_eq!(pkg.contents("/usr/share/ddns/version"), b"2.8.5-1\n");
    let list = String::from_utf8(pkg.contents("/usr/share/ddns/list")).expect("utf-8");
    for service in list.lines() {
        pkg.file(&format!("/usr/share/ddns/default/{service}.json"));
    }
    // The scripts name this package, not dynup.
    for script in ["post-install", "post-upgrade", "pre-deinstall"] {
        let text = String::from_utf8_lossy(&pkg.scripts[script]).to_string();
        assert!(
            text.contains("export pkgname=\"dynup-ddns\""),
            "{script}: {text}"
        );
    }
}
