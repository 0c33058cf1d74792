//! A provider fixture: a mock, a cache directory and secret files.

use std::fs;
use std::path::PathBuf;
use std::process::Command;

use super::{dynup_binary, run, write_secret, Binary, Mock, Run, TempDir, TestCa};
use base64::Engine as _;

/// The token the fixtures use; no output may ever contain it.
pub const TOKEN: &str = "tok-SECRET-8f3a1c";
/// The password the fixtures use; no output may ever contain it.
pub const PASSWORD: &str = "pw-SECRET-77e0b2";

/// One mock provider with a cache directory and secret files beside it.
pub struct Fixture {
    pub dir: TempDir,
    pub mock: Mock,
    pub ca: Option<TestCa>,
    pub ca_pem: Option<PathBuf>,
    pub token_file: PathBuf,
    pub password_file: PathBuf,
    /// The dynup the commands run: the host build unless [`Fixture::running`] says.
    pub binary: Binary,
}

impl Fixture {
    /// A plain-HTTP mock on 127.0.0.1.
    pub fn http() -> Fixture {
        Fixture::with(Mock::http(), None)
    }

    /// An HTTPS mock on 127.0.0.1 whose certificate comes from a fresh CA.
    pub fn https() -> Fixture {
        let ca = TestCa::new();
        let mock = Mock::https(&ca);
        Fixture::with(mock, Some(ca))
    }

    pub fn with(mock: Mock, ca: Option<TestCa>) -> Fixture {
        let dir = TempDir::new("fixture");
        let token_file = write_secret(&dir, "token", TOKEN);
        let password_file = write_secret(&dir, "password", PASSWORD);
        let ca_pem = ca.as_ref().map(|ca| ca.write_pem(dir.path()));
        Fixture {
            dir,
            mock,
            ca,
            ca_pem,
            token_file,
            password_file,
            binary: Binary::built(),
        }
    }

    /// The same fixture, its commands running `binary` instead of the host build.
    pub fn running(mut self, binary: Binary) -> Fixture {
        self.binary = binary;
        self
    }

    pub fn cache(&self) -> PathBuf {
        self.dir.join("cache")
    }

    /// dynup pointed at the mock, trusting only the default roots, plus `args`.
    pub fn cmd_untrusted(&self, args: &[&str]) -> Command {
        let mut cmd = dynup_binary(&self.binary, &self.cache());
        cmd.arg("--server").arg(self.mock.url());
        cmd.args(args);
        cmd
    }

    /// dynup pointed at the mock (and trusting its CA), plus `args`.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = self.cmd_untrusted(&[]);
        if let Some(pem) = &self.ca_pem {
            cmd.arg("--cacert").arg(pem);
        }
        cmd.args(args);
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Run {
        run_clean(&mut self.cmd(args))
    }

    /// `--token-file FILE` for dynv6.
    pub fn token_args(&self) -> Vec<String> {
        vec![
            "--token-file".to_string(),
            self.token_file.display().to_string(),
        ]
    }

    /// `-u USER --password-file FILE` for dyndns2.
    pub fn login_args(&self, user: &str) -> Vec<String> {
        vec![
            "-u".to_string(),
            user.to_string(),
            "--password-file".to_string(),
            self.password_file.display().to_string(),
        ]
    }

    /// `-p PRESET --token-file FILE --password-file FILE` (an API key and its
    /// secret), then `extra`: the run of a key-and-secret API provider's tests.
    pub fn run_key_secret(&self, preset: &str, extra: &[&str]) -> Run {
        let mut all = vec!["-p".to_string(), preset.to_string()];
        all.extend(self.token_args());
        all.extend([
            "--password-file".to_string(),
            self.password_file.display().to_string(),
        ]);
        all.extend(extra.iter().map(|s| s.to_string()));
        self.run_owned(&all)
    }

    /// dynup with string arguments built from pieces.
    pub fn run_owned(&self, args: &[String]) -> Run {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        self.run(&args)
    }

    /// The state files in the cache directory (not the lock, not temp files).
    pub fn state_files(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = fs::read_dir(self.cache())
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "state"))
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        files
    }

    /// The only state file; panics when there is not exactly one.
    pub fn state_file(&self) -> PathBuf {
        let files = self.state_files();
        assert_eq!(files.len(), 1, "state files: {files:?}");
        files[0].clone()
    }

    pub fn state_text(&self) -> String {
        fs::read_to_string(self.state_file()).expect("read state")
    }
}

/// [`run`] a dynup command and check [`Run::assert_clean`] on what it printed.
pub fn run_clean(cmd: &mut Command) -> Run {
    let run = run(cmd);
    run.assert_clean();
    run
}

/// `args` joined with owned pieces, for building argument lists.
pub fn args(fixed: &[&str], owned: &[String]) -> Vec<String> {
    owned
        .iter()
        .cloned()
        .chain(fixed.iter().map(|s| s.to_string()))
        .collect()
}

impl Run {
    /// What every run must satisfy: no panic, no backtrace, no secret.
    pub fn assert_clean(&self) {
        for text in [&self.stdout, &self.stderr] {
            assert!(!text.contains("panicked"), "panic: {self:?}");
            assert!(!text.contains("RUST_BACKTRACE"), "backtrace: {self:?}");
            assert!(!text.contains(TOKEN), "token leaked: {self:?}");
            assert!(!text.contains(PASSWORD), "password leaked: {self:?}");
            let basic = base64::engine::general_purpose::STANDARD;
            for user in ["none", "user", "me@example.org"] {
                for secret in [TOKEN, PASSWORD] {
                    let encoded = basic.encode(format!("{user}:{secret}"));
                    assert!(!text.contains(&encoded), "basic auth leaked: {self:?}");
                }
            }
        }
    }

    /// Exactly one line on stderr, as the error contract says.
    pub fn one_error_line(&self) -> &str {
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "expected one stderr line: {self:?}");
        lines[0]
    }
}
