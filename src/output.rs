//! Everything dynup prints: results on stdout for cron mail, errors and warnings
//! on stderr, all of it with secrets masked. A closed pipe is not an error worth
//! dying for (`dynup ... | head -1`), so write failures are ignored.

use std::io::Write;

use crate::secret::Redactor;

pub struct Out {
    quiet: bool,
    verbose: bool,
    redactor: Redactor,
}

impl Out {
    /// Before the job is known: no secrets to mask yet, nothing silenced.
    pub fn plain() -> Out {
        Out {
            quiet: false,
            verbose: false,
            redactor: Redactor::default(),
        }
    }

    pub fn new(quiet: bool, verbose: bool, redactor: Redactor) -> Out {
        Out {
            quiet,
            verbose,
            redactor,
        }
    }

    /// Text asked for (help, version): printed whatever `--quiet` says.
    pub fn text(&self, text: &str) {
        let _ = std::io::stdout().write_all(self.redactor.apply(text).as_bytes());
    }

    /// A result line (`host: updated A 203.0.113.7`), silenced by `--quiet`.
    pub fn result(&self, line: &str) {
        if !self.quiet {
            let _ = writeln!(std::io::stdout(), "{}", self.redactor.apply(line));
        }
    }

    /// An error: always said.
    pub fn error(&self, line: &str) {
        let _ = writeln!(std::io::stderr(), "dynup: {}", self.redactor.apply(line));
    }

    pub fn warn(&self, line: &str) {
        if !self.quiet {
            let _ = writeln!(
                std::io::stderr(),
                "dynup: warning: {}",
                self.redactor.apply(line)
            );
        }
    }

    /// Detail for `--verbose`: requests, answers, decisions.
    pub fn detail(&self, line: &str) {
        if self.verbose {
            let _ = writeln!(std::io::stderr(), "dynup: {}", self.redactor.apply(line));
        }
    }
}
