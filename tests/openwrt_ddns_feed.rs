//! Package/dynup-ddns of openwrt/Makefile, the feed's form of `make ipk`'s
//! dynup-ddns: its install section run by GNU make with the SDK's install
//! macros (as package-pack.mk expands it: a call, then an eval) installs the
//! files openwrt/ddns/stage.sh stages, with the same modes and bytes; its
//! fields say what openwrt/ipk.sh writes.

mod support;

use std::collections::BTreeMap;
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

/// Every file under DIR: relative path -> (mode bits, bytes).
fn tree(dir: &Path) -> BTreeMap<String, (u32, Vec<u8>)> {
    let mut files = BTreeMap::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(current) = dirs.pop() {
        for entry in fs::read_dir(&current).expect("read_dir") {
            let path = entry.expect("entry").path();
            let meta = fs::symlink_metadata(&path).expect("stat");
            if meta.is_dir() {
                dirs.push(path);
                continue;
            }
            let name = path.strip_prefix(dir).expect("under dir").display();
            let bytes = fs::read(&path).expect("read");
            files.insert(
                name.to_string(),
                (meta.permissions().mode() & 0o7777, bytes),
            );
        }
    }
    files
}

/// The part of openwrt/Makefile after Package/dynup's BuildPackage: the
/// dynup-ddns definitions, without its own BuildPackage.
fn ddns_part(makefile: &str) -> &str {
    let start = makefile
        .find("$(eval $(call BuildPackage,dynup))\n")
        .expect("dynup's BuildPackage");
    let end = makefile
        .find("$(eval $(call BuildPackage,dynup-ddns))")
        .expect("dynup-ddns' BuildPackage");
    &makefile[start..end]
}

#[test]
fn the_feed_makefile_installs_what_ddns_stage_sh_stages() {
    let tmp = TempDir::new("ddns-feed");
    let makefile = read(&repo("openwrt/Makefile"));
    // In the feed, openwrt/ is net/dynup/: ddns/ sits beside the Makefile.
    let feed = tmp.join("feed");
    fs::create_dir_all(&feed).expect("mkdir");
    symlink(repo("openwrt/ddns"), feed.join("ddns")).expect("symlink");
    // include/package-pack.mk calls Package/NAME/install inside a define that
    // it evals: the same two expansions here. rules.mk's install macros.
    let part = ddns_part(&makefile).replace("$(eval $(call BuildPackage,dynup))\n", "");
    fs::write(
        feed.join("Makefile"),
        format!(
            "PKG_RELEASE:=1\n\
             INSTALL_DIR:=install -d -m0755\n\
             INSTALL_BIN:=install -m0755\n\
             INSTALL_DATA:=install -m0644\n\
             INSTALL_CONF:=install -m0600\n\
             {part}\n\
             define Build\n\
             all:\n\
             \t$(call Package/dynup-ddns/install,$(OUT))\n\
             endef\n\
             $(eval $(call Build))\n"
        ),
    )
    .expect("write Makefile");
    let installed = tmp.join("installed");
    let made = run(Command::new("make")
        .arg("-s")
        .arg("-C")
        .arg(&feed)
        .arg(format!("OUT={}", installed.display())));
    assert_eq!(made.code, 0, "{made:?}");

    let staged = tmp.join("staged");
    let stage = run(Command::new("sh")
        .arg(repo("openwrt/ddns/stage.sh"))
        .arg(&staged)
        .arg("1")
        .env_remove("DYNUP_HOST_BIN"));
    assert_eq!(stage.code, 0, "{stage:?}");

    let (installed, staged) = (tree(&installed), tree(&staged));
    assert!(
        staged.contains_key("usr/share/ddns/default/cloudflare.com-v4.json"),
        "{:?}",
        staged.keys()
    );
    assert_eq!(
        installed.keys().collect::<Vec<_>>(),
        staged.keys().collect::<Vec<_>>()
    );
    for (name, (mode, bytes)) in &staged {
        let (feed_mode, feed_bytes) = &installed[name];
        assert_eq!(
            format!("{feed_mode:o}"),
            format!("{mode:o}"),
            "mode of {name}"
        );
        assert!(feed_bytes == bytes, "{name} differs from stage.sh's");
    }
}

#[test]
fn the_feed_package_has_the_ipk_version_provides_and_conflicts() {
    let makefile = read(&repo("openwrt/Makefile"));
    let part = ddns_part(&makefile);
    let field = |name: &str| -> String {
        part.lines()
            .find_map(|l| l.trim_start().strip_prefix(&format!("{name}:=")))
            .unwrap_or_else(|| panic!("no {name} in Package/dynup-ddns"))
            .to_string()
    };
    assert_eq!(
        format!("{}\n", field("DDNS_VERSION")),
        read(&repo("openwrt/ddns/version"))
    );
    assert_eq!(field("VERSION"), "$(DDNS_VERSION)-r$(PKG_RELEASE)");
    assert_eq!(field("PKGARCH"), "all");
    assert_eq!(field("DEPENDS"), "+dynup");
    assert_eq!(
        field("PROVIDES"),
        "ddns-scripts ddns-scripts-services ddns-scripts_service"
    );
    let replaced: Vec<String> = ["ddns-scripts", "ddns-scripts-services"]
        .iter()
        .map(|s| s.to_string())
        .chain(
            read(&repo("openwrt/ddns/replaced"))
                .lines()
                .map(String::from),
        )
        .collect();
    assert_eq!(field("CONFLICTS"), replaced.join(" "));
    assert!(part.contains("define Package/dynup-ddns/conffiles\n/etc/config/ddns\nendef"));
    // openwrt/ipk.sh and apk.sh read one value per field of the Makefile:
    // the second package adds no second line of those.
    for name in [
        "PKG_NAME:=",
        "PKG_RELEASE:=",
        "PKG_LICENSE:=",
        "PKG_LICENSE_FILES:=",
        "PKG_MAINTAINER:=",
        "URL:=",
    ] {
        let count = makefile
            .lines()
            .filter(|l| l.trim_start().starts_with(name))
            .count();
        assert_eq!(count, 1, "{name} lines in openwrt/Makefile");
    }
}
