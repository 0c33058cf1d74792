//! Hooks: a command the user gives, run by /bin/sh after a host's records
//! changed (`--on-change`) or after a failed run for it (`--on-failure`), with
//! what happened in its environment and never a secret. Bounded in time; its
//! failure is reported and changes nothing else.

use std::ffi::{OsStr, OsString};
use std::time::{Duration, Instant};

use crate::exit::Exit;
use crate::output::Out;
use crate::secret::Redactor;
use crate::spawn;

#[derive(Debug, Clone, Default)]
pub struct Hooks {
    pub on_change: Option<String>,
    pub on_failure: Option<String>,
    /// A hook still running after this long is killed (the job's `--timeout`).
    pub timeout: Duration,
}

/// What became of one host in a run, as hooks see it.
#[derive(Debug, Clone)]
pub struct HostReport {
    pub host: String,
    pub exit: Exit,
    /// A record was sent and accepted as new (not "already current").
    pub changed: bool,
    /// A request about the host went to the provider and was answered.
    pub sent: bool,
    /// The line said about the host: its result, or its error.
    pub message: String,
    pub ipv4: Option<String>,
    pub ipv6: Option<String>,
}

/// Environment variables that carry secrets into dynup: a hook never sees them
/// (nor any other DYNUP_ variable of dynup's own, only the six it is given).
const SECRET_VARS: [&str; 3] = ["DYNUP_TOKEN", "DYNUP_PASSWORD", "DYNUP_TSIG_KEY"];

impl Hooks {
    pub fn any(&self) -> bool {
        self.on_change.is_some() || self.on_failure.is_some()
    }

    /// Runs the hooks each host's outcome calls for, one at a time.
    pub fn run(&self, provider: &str, reports: &[HostReport], redactor: &Redactor, out: &Out) {
        for report in reports {
            if report.changed {
                if let Some(command) = &self.on_change {
                    self.run_one("--on-change", command, provider, report, redactor, out);
                }
            }
            if report.exit != Exit::Ok {
                if let Some(command) = &self.on_failure {
                    self.run_one("--on-failure", command, provider, report, redactor, out);
                }
            }
        }
    }

    fn run_one(
        &self,
        flag: &str,
        command: &str,
        provider: &str,
        report: &HostReport,
        redactor: &Redactor,
        out: &Out,
    ) {
        let host = &report.host;
        let mut env: Vec<(OsString, OsString)> = std::env::vars_os()
            .filter(|(name, _)| {
                !SECRET_VARS.iter().any(|s| name == s)
                    && !name.to_string_lossy().starts_with("DYNUP_")
            })
            .collect();
        for (name, value) in [
            ("DYNUP_HOST", host.clone()),
            ("DYNUP_PROVIDER", provider.to_string()),
            ("DYNUP_IPV4", report.ipv4.clone().unwrap_or_default()),
            ("DYNUP_IPV6", report.ipv6.clone().unwrap_or_default()),
            ("DYNUP_EXIT", report.exit.code().to_string()),
            ("DYNUP_MESSAGE", redactor.apply_output(&report.message)),
        ] {
            env.push((name.into(), value.into()));
        }
        let argv = [OsStr::new("/bin/sh"), OsStr::new("-c"), OsStr::new(command)];
        let child = match spawn::spawn(&argv, &env, false) {
            Ok((child, _)) => child,
            Err(e) => {
                out.error(&format!("{host}: {flag} hook: cannot start /bin/sh: {e}"));
                return;
            }
        };
        match child.wait_until(Instant::now() + self.timeout) {
            Some(status) if libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0 => {
                out.detail(&format!("{host}: {flag} hook ran"));
            }
            Some(status) => out.error(&format!(
                "{host}: {flag} hook failed ({}); the run's outcome stands",
                describe(status)
            )),
            None => {
                child.kill_group();
                out.error(&format!(
                    "{host}: {flag} hook still running after {} s: killed",
                    self.timeout.as_secs()
                ));
            }
        }
    }
}

fn describe(status: libc::c_int) -> String {
    if libc::WIFEXITED(status) {
        format!("exit {}", libc::WEXITSTATUS(status))
    } else if libc::WIFSIGNALED(status) {
        format!("signal {}", libc::WTERMSIG(status))
    } else {
        "unknown status".into()
    }
}
