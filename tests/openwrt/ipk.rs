//! The .ipk packages: ipk.sh's output unpacked and checked, and the OpenWRT
//! Makefile and feed forms against the tree.

use std::fs;
use std::path::Path;
use std::process::Command;

use super::support::*;
use super::{read, repo, which, write};

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
