//! Drop-in modes: dynup called as `dynv6.sh` or `dyndns-update-script.sh` (a
//! symlink, as busybox does it) or as `dynup compat NAME ARGS...` takes the
//! script's own arguments and environment, and turns them into the same `Job`
//! the rest of dynup runs. Address selection, state, HTTP and exit codes are
//! dynup's own; these modules only translate.

mod dyndns_script;
mod dynv6_sh;

use std::ffi::OsString;
use std::path::Path;

use crate::addr::select::Rules;
use crate::cli::Args;
use crate::config::{self, Job};
use crate::exit::{Exit, Failure};
use crate::output::Out;

/// The address rules both scripts meant: global, no ULA, and (dynup's better
/// selection) never a deprecated, tentative or temporary address.
const SCRIPT_RULES: Rules = Rules {
    allow_ula: false,
    allow_private: false,
    stable_only: true,
};

pub const DYNV6_SH: &str = "dynv6.sh";
pub const DYNDNS_SCRIPT: &str = "dyndns-update-script.sh";

/// The drop-in mode `argv` asks for, run, with its exit code; `None` for a
/// normal dynup command line.
pub fn dispatch(argv: &[OsString]) -> Option<Exit> {
    let invoked = argv.first()?;
    let base = Path::new(invoked).file_name()?.to_str()?;
    let rest = argv.get(1..).unwrap_or_default();
    if base == DYNV6_SH || base == DYNDNS_SCRIPT {
        return Some(run_mode(base, &invoked.to_string_lossy(), rest));
    }
    if rest.first().is_some_and(|a| a == "compat") {
        let tail = rest.get(2..).unwrap_or_default();
        return Some(match rest.get(1).and_then(|n| n.to_str()) {
            Some(name @ (DYNV6_SH | DYNDNS_SCRIPT)) => {
                run_mode(name, &format!("dynup compat {name}"), tail)
            }
            _ => {
                Out::plain().error(&format!(
                    "compat: expected {DYNV6_SH} or {DYNDNS_SCRIPT} and that script's \
                     arguments (see dynup compat {DYNV6_SH} --help)"
                ));
                Exit::Usage
            }
        });
    }
    None
}

/// `name` is the script, `shown` how the user called it (for usage lines).
fn run_mode(name: &str, shown: &str, args: &[OsString]) -> Exit {
    let args = args.to_vec();
    if name == DYNV6_SH {
        dynv6_sh::main(shown, args)
    } else {
        dyndns_script::main(shown, args)
    }
}

/// The process environment, as `config` reads it.
fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// A non-empty value of the environment variable `name`.
fn env_value(name: &str) -> Option<String> {
    process_env(name).filter(|v| !v.is_empty())
}

/// `config::resolve` with the process environment, `overrides` winning over it.
fn resolve(args: Args, overrides: &[(&str, Option<String>)]) -> Result<Job, Failure> {
    let env = |name: &str| match overrides.iter().find(|(key, _)| *key == name) {
        Some((_, value)) => value.clone(),
        None => process_env(name),
    };
    config::resolve(args, &env)
}

/// Runs a finished job as `main` does: the TLS provider, the job's output, the run.
fn run_job(job: &Job) -> Exit {
    // An error only means a provider is installed already.
    let _ = crate::tls::client_provider().install_default();
    let out = Out::new(job.quiet, job.verbose, job.redactor.clone());
    crate::run::run(job, &out)
}

/// Says a failure and returns its code.
fn fail(out: &Out, failure: Failure) -> Exit {
    out.error(&failure.message);
    failure.exit
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(items: &[&str]) -> Vec<OsString> {
        items.iter().map(OsString::from).collect()
    }

    #[test]
    fn plain_command_lines_are_not_compat() {
        assert!(dispatch(&argv(&["dynup", "-4", "h.example"])).is_none());
        assert!(dispatch(&argv(&["/usr/bin/dynup", "--help"])).is_none());
        assert!(dispatch(&argv(&["dynup"])).is_none());
        assert!(dispatch(&argv(&[])).is_none());
    }

    #[test]
    fn compat_without_a_known_script_is_a_usage_error() {
        assert_eq!(dispatch(&argv(&["dynup", "compat"])), Some(Exit::Usage));
        assert_eq!(
            dispatch(&argv(&["dynup", "compat", "ddclient"])),
            Some(Exit::Usage)
        );
    }
}
