//! The systemd units `make install` installs: written with the binary's path
//! filled in, and accepted by `systemd-analyze verify` without a warning.

mod support;

use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::Command;

use support::*;

#[test]
fn make_install_writes_units_systemd_accepts() {
    let dir = TempDir::new("systemd");
    let prefix = dir.join("prefix");
    fs::create_dir_all(prefix.join("bin")).unwrap();
    symlink(env!("CARGO_BIN_EXE_dynup"), prefix.join("bin/dynup")).unwrap();
    let destdir = dir.join("dest");
    let run = run(Command::new("make")
        .arg("-s")
        .arg("-C")
        .arg(env!("CARGO_MANIFEST_DIR"))
        .arg("install-units")
        .arg(format!("DESTDIR={}", destdir.display()))
        .arg(format!("PREFIX={}", prefix.display())));
    assert_eq!(run.code, 0, "{run:?}");
    let units = destdir.join("etc/systemd/system");
    let read = |name: &str| fs::read_to_string(units.join(name)).unwrap();
    let bin = prefix.join("bin/dynup");
    let watch = read("dynup.service");
    assert!(watch.contains(&format!(
        "\nExecStart={} --watch --syslog --config /etc/dynup.conf\n",
        bin.display()
    )));
    assert!(watch.contains("\nExecReload=/bin/kill -HUP $MAINPID\n"));
    assert!(watch.contains("\nRestart=on-failure\n"));
    let once = read("dynup-once.service");
    assert!(once.contains(&format!(
        "\nExecStart={} --syslog --config /etc/dynup.conf\n",
        bin.display()
    )));
    assert!(read("dynup-once.timer").contains("\nOnUnitActiveSec=5min\n"));
    for name in ["dynup.service", "dynup-once.service", "dynup-once.timer"] {
        assert!(!read(name).contains("@BINDIR@"), "{name}");
        let run = support::run(
            Command::new(Path::new("/usr/bin/systemd-analyze"))
                .arg("verify")
                .arg(units.join(name))
                .current_dir(&units),
        );
        assert_eq!(run.code, 0, "{name}: {run:?}");
        assert_eq!(run.stderr, "", "{name}");
    }
}
