//! Everything dynup prints: results on stdout for cron mail, errors and warnings
//! on stderr, all of it with secrets masked. A closed pipe is not an error worth
//! dying for (`dynup ... | head -1`), so write failures are ignored.

use std::io::Write;

use crate::secret::Redactor;
use crate::syslog::{Severity, Syslog};
use crate::uci_names;

pub struct Out {
    quiet: bool,
    verbose: bool,
    redactor: Redactor,
    /// `--syslog`: a copy of every message to the system log.
    syslog: Option<Syslog>,
    /// The /etc/config/dynup job this run is (DYNUP_UCI_JOB), for its errors.
    uci_job: Option<String>,
}

impl Out {
    /// Before the job is known: no secrets to mask yet, nothing silenced.
    pub fn plain() -> Out {
        Out {
            quiet: false,
            verbose: false,
            redactor: Redactor::default(),
            syslog: None,
            uci_job: None,
        }
    }

    pub fn new(quiet: bool, verbose: bool, redactor: Redactor) -> Out {
        Out {
            quiet,
            verbose,
            redactor,
            syslog: None,
            uci_job: None,
        }
    }

    /// Errors and warnings of UCI job `job` name it and its options (see uci_names).
    pub fn for_uci_job(mut self, job: Option<String>) -> Out {
        self.uci_job = job.filter(|j| !j.is_empty());
        self
    }

    /// `line` as the UCI job says it, if this run is one.
    fn in_job_terms(&self, line: &str) -> String {
        match &self.uci_job {
            Some(job) => uci_names::say(job, line),
            None => line.to_string(),
        }
    }

    /// With `--syslog`, messages also go to /dev/log; when it cannot be reached
    /// they go to stdout/stderr only, as without the flag.
    pub fn with_syslog(mut self, syslog: bool) -> Out {
        if syslog {
            self.syslog = Syslog::open();
        }
        self
    }

    /// The log socket `other` opened (and its UCI job), for the job's output
    /// after the plain one.
    pub fn with_syslog_of(mut self, other: Out) -> Out {
        self.syslog = other.syslog;
        self.uci_job = other.uci_job;
        self
    }

    fn log(&self, severity: Severity, line: &str) {
        if let Some(syslog) = &self.syslog {
            syslog.send(severity, line);
        }
    }

    /// Text asked for (help, version): printed whatever `--quiet` says.
    pub fn text(&self, text: &str) {
        let _ = std::io::stdout().write_all(self.redactor.apply_output(text).as_bytes());
    }

    /// A result line (`host: updated A 203.0.113.7`), silenced by `--quiet`.
    pub fn result(&self, line: &str) {
        if !self.quiet {
            let line = self.redactor.apply_output(line);
            let _ = writeln!(std::io::stdout(), "{line}");
            self.log(Severity::Info, &line);
        }
    }

    /// An error: always said.
    pub fn error(&self, line: &str) {
        let line = self.redactor.apply_output(&self.in_job_terms(line));
        let _ = writeln!(std::io::stderr(), "dynup: {line}");
        self.log(Severity::Error, &line);
    }

    /// A notice on stderr that is not a failure of this run (a host held by an
    /// earlier answer), silenced by `--quiet`: the exit code still tells.
    pub fn note(&self, line: &str) {
        if !self.quiet {
            let line = self.redactor.apply_output(&self.in_job_terms(line));
            let _ = writeln!(std::io::stderr(), "dynup: {line}");
            self.log(Severity::Warning, &line);
        }
    }

    pub fn warn(&self, line: &str) {
        if !self.quiet {
            let line = self.redactor.apply_output(&self.in_job_terms(line));
            let _ = writeln!(std::io::stderr(), "dynup: warning: {line}");
            self.log(Severity::Warning, &line);
        }
    }

    /// Detail for `--verbose`: requests, answers, decisions.
    pub fn detail(&self, line: &str) {
        if self.verbose {
            let line = self.redactor.apply_output(line);
            let _ = writeln!(std::io::stderr(), "dynup: {line}");
            self.log(Severity::Debug, &line);
        }
    }
}
