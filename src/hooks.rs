//! Hooks: a command the user gives, run by /bin/sh after a host's records
//! changed (`--on-change`) or after a failed run for it (`--on-failure`), with
//! what happened in its environment and never a secret. Bounded in time; its
//! failure is reported and changes nothing else.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::exit::Exit;
use crate::output::Out;
use crate::secret::Redactor;

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
    /// The line said about the host: its result, or its error.
    pub message: String,
    pub ipv4: Option<String>,
    pub ipv6: Option<String>,
}

/// Environment variables that carry secrets into dynup: a hook never sees them.
const SECRET_VARS: [&str; 3] = ["DYNUP_TOKEN", "DYNUP_PASSWORD", "DYNUP_TSIG_KEY"];

/// How often a running hook is looked at: its time limit is what bounds the wait.
const POLL: Duration = Duration::from_millis(20);

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
        let mut cmd = Command::new("/bin/sh");
        cmd.arg("-c")
            .arg(command)
            .stdin(Stdio::null())
            .env("DYNUP_HOST", host)
            .env("DYNUP_PROVIDER", provider)
            .env("DYNUP_IPV4", report.ipv4.as_deref().unwrap_or(""))
            .env("DYNUP_IPV6", report.ipv6.as_deref().unwrap_or(""))
            .env("DYNUP_EXIT", report.exit.code().to_string())
            .env("DYNUP_MESSAGE", redactor.apply(&report.message));
        for var in SECRET_VARS {
            cmd.env_remove(var);
        }
        // Its own process group, so that a timeout kills what it started too.
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        let mut child = match cmd.spawn() {
            Ok(child) => child,
            Err(e) => {
                out.error(&format!("{host}: {flag} hook: cannot start /bin/sh: {e}"));
                return;
            }
        };
        let deadline = Instant::now() + self.timeout;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) if Instant::now() < deadline => std::thread::sleep(POLL),
                _ => break None,
            }
        };
        match status {
            Some(status) if status.success() => {
                out.detail(&format!("{host}: {flag} hook ran"));
            }
            Some(status) => out.error(&format!(
                "{host}: {flag} hook failed ({}); the run's outcome stands",
                describe(status)
            )),
            None => {
                // SAFETY: kill(2) on the group the child leads; no memory involved.
                unsafe { libc::kill(-(child.id() as libc::pid_t), libc::SIGKILL) };
                let _ = child.wait();
                out.error(&format!(
                    "{host}: {flag} hook still running after {} s: killed",
                    self.timeout.as_secs()
                ));
            }
        }
    }
}

fn describe(status: std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit {code}"),
        (None, Some(signal)) => format!("signal {signal}"),
        _ => "unknown status".into(),
    }
}
