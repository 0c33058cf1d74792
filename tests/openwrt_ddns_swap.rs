//! dynup-ddns' maintainer scripts for opkg's swap of ddns-scripts, under
//! `busybox sh` in a stubbed router. opkg (OpenWRT 22.03's, checked by hand)
//! settles who owns each file before it removes the packages dynup-ddns
//! replaces, so the files both ship (/etc/init.d/ddns, the LuCI helper, the
//! definitions) end up in no package's list: default_postinst would then
//! neither enable nor start the service, default_prerm neither stop it, and
//! a removal would leave the scripts behind. The scripts in the .ipk that
//! openwrt/ipk.sh packs make up for it.

mod support;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use support::*;

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn write(path: &Path, text: &str, mode: u32) {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).unwrap_or_else(|e| panic!("mkdir {}: {e}", dir.display()));
    }
    fs::write(path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .unwrap_or_else(|e| panic!("chmod {}: {e}", path.display()));
}

fn busybox() -> PathBuf {
    for dir in ["/usr/bin", "/bin", "/usr/sbin", "/sbin"] {
        let path = Path::new(dir).join("busybox");
        if path.is_file() {
            return path;
        }
    }
    panic!("busybox is not installed: run tests/deps.sh");
}

/// postinst and prerm of the dynup-ddns .ipk, packed by openwrt/ipk.sh.
fn packed_scripts(tmp: &TempDir) -> (PathBuf, PathBuf) {
    write(
        &tmp.join("dist/mips_24kc/dynup"),
        "#!/bin/sh\necho fake dynup\n",
        0o700,
    );
    let packed = run(Command::new("sh")
        .arg(repo("openwrt/ipk.sh"))
        .arg("mips_24kc")
        .env("DYNUP_DIST", tmp.join("dist"))
        .env("DYNUP_IPK_DIR", tmp.join("out"))
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .env_remove("DYNUP_HOST_BIN"));
    assert_eq!(packed.code, 0, "{packed:?}");
    let dir = tmp.join("control");
    fs::create_dir_all(&dir).expect("mkdir");
    for args in [
        vec![
            "-xzf".to_string(),
            tmp.join("out/dynup-ddns_2.8.5-r1_all.ipk")
                .display()
                .to_string(),
        ],
        vec!["-xzf".to_string(), "control.tar.gz".to_string()],
    ] {
        let untar = run(Command::new("tar").args(&args).current_dir(&dir));
        assert_eq!(untar.code, 0, "{untar:?}");
    }
    (dir.join("postinst"), dir.join("prerm"))
}

/// The files dynup-ddns installs that opkg can lose, and the ones it keeps.
const SHARED: [&str; 7] = [
    "etc/init.d/ddns",
    "etc/hotplug.d/iface/95-ddns",
    "usr/bin/ddns",
    "usr/lib/ddns/dynamic_dns_lucihelper.sh",
    "usr/share/ddns/version",
    "usr/share/ddns/default/lost.org.json",
    "usr/share/ddns/default/kept.org.json",
];

/// A router after the swap: the files on disk, dynup-ddns' list as opkg
/// wrote it (`listed`), another package owning kept.org.json, and stubs
/// that record what they are asked to do.
fn router(root: &Path, listed: &str) {
    let _ = fs::remove_dir_all(root);
    let record = "echo \"$(basename \"$0\") $*\" >>\"$RECORD\"\n";
    write(
        &root.join("lib/functions.sh"),
        "default_postinst() { echo \"default_postinst $(basename \"$1\") $2\" >>\"$RECORD\"; }\n\
         default_prerm() { echo \"default_prerm $(basename \"$1\") $2\" >>\"$RECORD\"; }\n",
        0o644,
    );
    for file in SHARED {
        write(&root.join(file), &format!("#!/bin/sh\n{record}"), 0o755);
    }
    write(&root.join("etc/rc.common"), record, 0o755);
    write(
        &root.join("usr/share/ddns/list"),
        "lost.org\nkept.org\nnew.org\n",
        0o644,
    );
    write(
        &root.join("usr/share/ddns/default/new.org.json"),
        "{}\n",
        0o644,
    );
    // A user's own definition, not one of dynup-ddns' names.
    write(
        &root.join("usr/share/ddns/default/mine.json"),
        "{}\n",
        0o644,
    );
    let info = root.join("usr/lib/opkg/info");
    write(&info.join("dynup-ddns.list"), listed, 0o644);
    write(
        &info.join("ddns-scripts-kept.list"),
        "/usr/share/ddns/default/kept.org.json\n",
        0o644,
    );
}

/// Runs SCRIPT ACTION as opkg does, with ENV; returns what the stubs recorded.
fn script(root: &Path, script: &Path, action: &str, env: &[(&str, &str)]) -> String {
    let record = root.join("record");
    let _ = fs::remove_file(&record);
    let mut cmd = Command::new(busybox());
    cmd.arg("sh")
        .arg(script)
        .arg(action)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("RECORD", &record);
    for (name, value) in env {
        cmd.env(name, value);
    }
    let ran = run(&mut cmd);
    assert_eq!(ran.code, 0, "{} {action}: {ran:?}", script.display());
    fs::read_to_string(&record).unwrap_or_default()
}

/// What opkg 22.03 wrote for dynup-ddns after swapping ddns-scripts out: the
/// conffile (its owner changed hands) and the files no replaced package had.
const LOST_LIST: &str =
    "/etc/config/ddns\n/usr/share/ddns/list\n/usr/share/ddns/default/new.org.json\n";

#[test]
fn after_a_swap_the_scripts_start_stop_and_remove_what_opkg_lost_track_of() {
    let tmp = TempDir::new("ddns-swap");
    let (postinst, prerm) = packed_scripts(&tmp);
    let root = tmp.join("root");
    let live = [("DYNUP_ROOT", root.to_str().expect("utf-8"))];

    router(&root, LOST_LIST);
    assert_eq!(
        script(&root, &postinst, "configure", &live),
        "default_postinst postinst configure\nddns enable\nddns start\n"
    );
    // An upgrade keeps the service's enabled state, as default_postinst does.
    let upgrade = [live[0], ("PKG_UPGRADE", "1")];
    assert_eq!(
        script(&root, &postinst, "configure", &upgrade),
        "default_postinst postinst configure\nddns start\n"
    );
    assert_eq!(
        script(&root, &prerm, "remove", &upgrade),
        "default_prerm prerm remove\nddns stop\n"
    );
    for file in SHARED {
        assert!(root.join(file).exists(), "an upgrade removed {file}");
    }

    assert_eq!(
        script(&root, &prerm, "remove", &live),
        "default_prerm prerm remove\nddns disable\nddns stop\n"
    );
    // The files no package lists are gone; the ones opkg removes itself
    // (listed), another package's and the user's own stay.
    for file in SHARED {
        let kept = file.ends_with("kept.org.json");
        assert_eq!(root.join(file).exists(), kept, "{file}");
    }
    for file in [
        "usr/share/ddns/list",
        "usr/share/ddns/default/new.org.json",
        "usr/share/ddns/default/mine.json",
    ] {
        assert!(root.join(file).exists(), "{file} removed");
    }
}

#[test]
fn with_a_complete_file_list_the_build_systems_scripts_do_it_all() {
    let tmp = TempDir::new("ddns-swap-complete");
    let (postinst, prerm) = packed_scripts(&tmp);
    let root = tmp.join("root");
    let live = [("DYNUP_ROOT", root.to_str().expect("utf-8"))];
    let complete: String = SHARED
        .iter()
        .filter(|file| !file.ends_with("kept.org.json"))
        .map(|file| format!("/{file}\n"))
        .collect();
    router(&root, &format!("{LOST_LIST}{complete}"));
    assert_eq!(
        script(&root, &postinst, "configure", &live),
        "default_postinst postinst configure\n"
    );
    assert_eq!(
        script(&root, &prerm, "remove", &live),
        "default_prerm prerm remove\n"
    );
    for file in SHARED {
        assert!(root.join(file).exists(), "{file} removed");
    }
}

#[test]
fn in_an_image_build_the_lost_service_is_enabled_and_disabled_through_rc_common() {
    let tmp = TempDir::new("ddns-swap-offline");
    let (postinst, prerm) = packed_scripts(&tmp);
    let root = tmp.join("root");
    let offline = [("IPKG_INSTROOT", root.to_str().expect("utf-8"))];
    router(&root, LOST_LIST);
    let init = root.join("etc/init.d/ddns");
    assert_eq!(
        script(&root, &postinst, "configure", &offline),
        format!(
            "default_postinst postinst configure\nrc.common {} enable\n",
            init.display()
        )
    );
    assert_eq!(
        script(&root, &prerm, "remove", &offline),
        format!(
            "default_prerm prerm remove\nrc.common {} disable\n",
            init.display()
        )
    );
    // IPKG_NO_SCRIPT=1 skips the install script, as the build system's does.
    assert_eq!(
        script(
            &root,
            &postinst,
            "configure",
            &[offline[0], ("IPKG_NO_SCRIPT", "1")]
        ),
        ""
    );
}
