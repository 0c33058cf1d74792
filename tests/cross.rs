//! The router builds in dist/ (made by `make cross`): each binary has the float
//! ABI its OpenWRT arch expects, is statically linked, and works under its qemu:
//! `--version`, a real HTTPS update against the loopback mock (the MIPS
//! static-pie trap only shows with TLS), a fatal answer, and an unchanged
//! address that sends nothing, and a refused certificate; and the .ipk of
//! `make ipk` and the .apk of `make apk` hold that binary, which runs unpacked
//! from each. A missing binary, package or emulator fails, never skips.

mod apk_reader;
mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use support::*;

/// One line of cross/targets.
#[derive(Debug)]
struct Target {
    arch: String,
    triple: String,
    /// `None` for a binary this machine runs natively.
    qemu: Option<String>,
    float_abi: String,
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn targets() -> Vec<Target> {
    let table = std::fs::read_to_string(repo().join("cross/targets")).expect("cross/targets");
    table
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            assert!(f.len() >= 4, "cross/targets: short line {l}");
            Target {
                arch: f[0].to_string(),
                triple: f[1].to_string(),
                qemu: (f[2] != "-").then(|| f[2].to_string()),
                float_abi: f[3].to_string(),
            }
        })
        .collect()
}

fn target(arch: &str) -> Target {
    targets()
        .into_iter()
        .find(|t| t.arch == arch)
        .unwrap_or_else(|| panic!("{arch} is not in cross/targets"))
}

fn dist_binary(t: &Target) -> PathBuf {
    let path = repo().join("dist").join(&t.arch).join("dynup");
    assert!(
        path.is_file(),
        "{}: missing; run `make cross` first",
        path.display()
    );
    path
}

/// The emulator's full path, found on PATH; a missing one fails the test.
fn which(program: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/bin")])
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("{program} not found: tests/deps.sh installs qemu-user-static"))
}

fn binary(t: &Target) -> Binary {
    Binary {
        path: dist_binary(t),
        runner: t.qemu.as_deref().map(which),
    }
}

fn readelf(flags: &[&str], path: &Path) -> String {
    let out = Command::new("readelf")
        .args(flags)
        .arg(path)
        .output()
        .unwrap_or_else(|e| panic!("readelf (binutils, tests/deps.sh): {e}"));
    assert!(out.status.success(), "readelf {flags:?} {}", path.display());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// What `readelf -h` names as the machine for a Rust target's architecture.
fn machine_of(triple: &str) -> &'static str {
    match triple.split('-').next() {
        Some("mips" | "mipsel") => "MIPS R3000",
        Some(arch) if arch.starts_with("armv7") => "ARM",
        Some("aarch64") => "AArch64",
        Some("x86_64") => "Advanced Micro Devices X86-64",
        other => panic!("no machine known for {other:?}"),
    }
}

fn check_elf(t: &Target) {
    let path = dist_binary(t);
    let header = readelf(&["-h"], &path);
    let attributes = readelf(&["-A"], &path);
    let program = readelf(&["-l", "-W"], &path);
    let dynamic = readelf(&["-d"], &path);
    let arch = &t.arch;

    assert!(
        header.contains(machine_of(&t.triple)),
        "{arch}: wrong machine:\n{header}"
    );
    let endian = if t.triple.starts_with("mips-") {
        "big endian"
    } else {
        "little endian"
    };
    assert!(header.contains(endian), "{arch}: not {endian}:\n{header}");
    assert!(
        !program.contains("INTERP"),
        "{arch}: asks for a dynamic loader:\n{program}"
    );
    assert!(
        !dynamic.contains("(NEEDED)"),
        "{arch}: needs shared libraries:\n{dynamic}"
    );

    match t.float_abi.as_str() {
        "soft" => {
            assert!(
                attributes.contains("FP ABI: Soft float"),
                "{arch}: not soft-float:\n{attributes}"
            );
            assert!(header.contains("o32"), "{arch}: not o32:\n{header}");
            // Non-PIE: a static-pie MIPS binary crashes on its first random bytes.
            assert!(
                header.contains("EXEC (Executable file)"),
                "{arch}: position-independent:\n{header}"
            );
        }
        "vfpv4-neon" => {
            assert!(
                header.contains("hard-float ABI"),
                "{arch}: not hard-float:\n{header}"
            );
            for tag in [
                "Tag_ABI_VFP_args: VFP registers",
                "Tag_FP_arch: VFPv4",
                "Tag_Advanced_SIMD_arch: NEON",
            ] {
                assert!(attributes.contains(tag), "{arch}: no {tag}:\n{attributes}");
            }
        }
        "native" => {}
        other => panic!("{arch}: unknown float ABI {other} in cross/targets"),
    }
}

fn check_version(t: &Target) {
    let bin = binary(t);
    let dir = TempDir::new("cross-version");
    let mut cmd = dynup_binary(&bin, dir.path());
    cmd.arg("--version");
    let run = run_clean(&mut cmd);
    assert_eq!(run.code, 0, "{}: {run:?}", t.arch);
    assert_eq!(
        run.stdout,
        format!("dynup {}\n", env!("CARGO_PKG_VERSION")),
        "{}",
        t.arch
    );
}

/// An HTTPS update the mock receives, then the same address again: nothing sent.
fn check_update_then_unchanged(t: &Target) {
    let arch = &t.arch;
    let fx = Fixture::https().running(binary(t));
    fx.mock.default_reply(Reply::ok("addresses updated"));
    let update = args(&["--ipv4", "203.0.113.7", "h.dynv6.net"], &fx.token_args());

    let first = fx.run_owned(&update);
    assert_eq!(first.code, 0, "{arch}: {first:?}");
    assert_eq!(
        first.stdout, "h.dynv6.net: updated A 203.0.113.7\n",
        "{arch}"
    );
    let requests = fx.mock.requests();
    assert_eq!(requests.len(), 1, "{arch}: {requests:?}");
    let r = &requests[0];
    assert!(r.tls, "{arch}: not over TLS");
    assert_eq!(r.path, "/api/update", "{arch}");
    assert_eq!(r.param("zone"), Some("h.dynv6.net"), "{arch}");
    assert_eq!(r.param("ipv4"), Some("203.0.113.7"), "{arch}");
    assert_eq!(r.param("token"), Some(TOKEN), "{arch}");

    // -v: the "nothing sent" line must survive -Zfmt-debug=none.
    let second = fx.run_owned(&args(&["-v"], &update));
    assert_eq!(second.code, 0, "{arch}: {second:?}");
    let said = format!("{}{}", second.stdout, second.stderr);
    assert!(
        said.contains("h.dynv6.net: unchanged and recently confirmed; nothing sent"),
        "{arch}: {second:?}"
    );
    assert_eq!(fx.mock.count(), 1, "{arch}: the unchanged address was sent");
}

/// A fatal answer: bad credentials are exit 10, with its one error line.
fn check_fatal_answer(t: &Target) {
    let arch = &t.arch;
    let fx = Fixture::https().running(binary(t));
    fx.mock
        .reply(Reply::status(401, "invalid authentication token"));
    let run = fx.run_owned(&args(
        &["--ipv4", "203.0.113.7", "h.dynv6.net"],
        &fx.token_args(),
    ));
    assert_eq!(run.code, 10, "{arch}: {run:?}");
    assert!(
        run.one_error_line().contains("bad credentials"),
        "{arch}: {run:?}"
    );
    assert_eq!(fx.mock.count(), 1, "{arch}");
}

/// A certificate from an unknown CA: exit 5, nothing sent, and the reason
/// survives -Zfmt-debug (rustls names it with Debug inside its Display).
fn check_untrusted_certificate(t: &Target) {
    let arch = &t.arch;
    let fx = Fixture::https().running(binary(t));
    let mut cmd = fx.cmd_untrusted(&[]);
    cmd.args(args(
        &["--ipv4", "203.0.113.7", "h.dynv6.net"],
        &fx.token_args(),
    ));
    let run = run_clean(&mut cmd);
    assert_eq!(run.code, 5, "{arch}: {run:?}");
    assert!(
        run.one_error_line()
            .contains("invalid peer certificate: UnknownIssuer"),
        "{arch}: {run:?}"
    );
    assert_eq!(fx.mock.count(), 0, "{arch}: sent despite the certificate");
}

/// openwrt/Makefile's PKG_RELEASE: the -r<release> of the packages `make test` makes.
fn pkg_release() -> String {
    let makefile =
        std::fs::read_to_string(repo().join("openwrt/Makefile")).expect("openwrt/Makefile");
    makefile
        .lines()
        .find_map(|l| l.strip_prefix("PKG_RELEASE:="))
        .expect("PKG_RELEASE in openwrt/Makefile")
        .to_string()
}

/// The package `make ipk` made for this arch carries this very binary, and the
/// packaged copy runs.
fn check_package(t: &Target) {
    let arch = &t.arch;
    let release = pkg_release();
    let ipk = repo().join("dist").join(format!(
        "dynup_{}-r{release}_{arch}.ipk",
        env!("CARGO_PKG_VERSION")
    ));
    assert!(ipk.is_file(), "{}: missing; run `make ipk`", ipk.display());
    let dir = TempDir::new("cross-ipk");
    let untar = |args: &[&str]| {
        let run = run(Command::new("tar").args(args).current_dir(dir.path()));
        assert_eq!(run.code, 0, "{arch}: tar {args:?}: {run:?}");
    };
    untar(&["-xzf", ipk.to_str().expect("UTF-8 path")]);
    untar(&["-xzf", "data.tar.gz", "./usr/bin/dynup"]);
    let packaged = dir.path().join("usr/bin/dynup");
    assert!(
        std::fs::read(&packaged).expect("packaged dynup")
            == std::fs::read(dist_binary(t)).expect("dist dynup"),
        "{arch}: the package holds another binary than dist/{arch}/dynup"
    );
    let bin = Binary {
        path: packaged,
        runner: t.qemu.as_deref().map(which),
    };
    let mut cmd = dynup_binary(&bin, dir.path());
    cmd.arg("--version");
    let version = run_clean(&mut cmd);
    assert_eq!(version.code, 0, "{arch}: {version:?}");
    assert_eq!(
        version.stdout,
        format!("dynup {}\n", env!("CARGO_PKG_VERSION")),
        "{arch}"
    );
}

/// The .apk `make apk` made for this arch (read with tests/apk_reader) carries
/// this very binary, root-owned and executable, and the unpacked copy runs.
fn check_apk_package(t: &Target) {
    let arch = &t.arch;
    let apk = repo().join("dist/apk").join(arch).join(format!(
        "dynup-{}-r{}.apk",
        env!("CARGO_PKG_VERSION"),
        pkg_release()
    ));
    let bytes =
        std::fs::read(&apk).unwrap_or_else(|e| panic!("{}: {e}; run `make apk`", apk.display()));
    let package = apk_reader::read(&bytes).unwrap_or_else(|e| panic!("{}: {e}", apk.display()));
    assert_eq!(package.info.text["arch"], *arch);
    let entry = package.file("/usr/bin/dynup");
    assert_eq!(
        (entry.acl.mode, entry.acl.user.as_str()),
        (0o755, "root"),
        "{arch}"
    );
    let packaged = package.contents("/usr/bin/dynup");
    assert!(
        packaged == std::fs::read(dist_binary(t)).expect("dist dynup"),
        "{arch}: the .apk holds another binary than dist/{arch}/dynup"
    );
    let dir = TempDir::new("cross-apk");
    let unpacked = dir.path().join("dynup");
    std::fs::write(&unpacked, &packaged).expect("unpack dynup");
    std::fs::set_permissions(&unpacked, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let bin = Binary {
        path: unpacked,
        runner: t.qemu.as_deref().map(which),
    };
    let mut cmd = dynup_binary(&bin, dir.path());
    cmd.arg("--version");
    let version = run_clean(&mut cmd);
    assert_eq!(version.code, 0, "{arch}: {version:?}");
    assert_eq!(
        version.stdout,
        format!("dynup {}\n", env!("CARGO_PKG_VERSION")),
        "{arch}"
    );
}

fn check_target(arch: &str) {
    let t = target(arch);
    check_elf(&t);
    check_version(&t);
    check_update_then_unchanged(&t);
    check_fatal_answer(&t);
    check_untrusted_certificate(&t);
    check_package(&t);
    check_apk_package(&t);
}

macro_rules! target_tests {
    ($($name:ident => $arch:literal),* $(,)?) => {
        $(
            #[test]
            #[ignore = "needs make cross; make test runs it with --ignored"]
            fn $name() {
                check_target($arch);
            }
        )*

        /// Every line of cross/targets has its test above.
        #[test]
        fn every_target_in_the_table_is_tested() {
            let tested = [$($arch),*];
            for t in targets() {
                assert!(tested.contains(&t.arch.as_str()), "{} has no test", t.arch);
            }
            assert_eq!(targets().len(), tested.len(), "a target tested twice");
        }
    };
}

target_tests! {
    mips_24kc => "mips_24kc",
    mipsel_24kc => "mipsel_24kc",
    arm_cortex_a7_neon_vfpv4 => "arm_cortex-a7_neon-vfpv4",
    aarch64_cortex_a53 => "aarch64_cortex-a53",
    x86_64 => "x86_64",
}
