//! dynup: parse, run, exit with the code the provider's answer maps to.

// A build that leaves some API providers out (their cargo features) leaves parts
// of the code they share unused; the full build is the one held to no warnings.
#![cfg_attr(
    not(feature = "api-providers"),
    allow(dead_code, unused_variables, unused_imports, unreachable_code)
)]

mod addr;
mod bind;
mod cli;
mod clock;
mod compat;
mod config;
mod connector;
mod ddns;
mod dns;
mod exit;
mod file;
mod hooks;
mod http;
mod jobs;
mod json;
mod output;
mod provider;
mod registered;
mod route;
mod run;
mod secret;
mod spawn;
mod state;
mod status;
mod syslog;
mod tls;
mod uci;
mod uci_names;
mod url;
mod watch;

use std::process::ExitCode;

use cli::Command;
use output::Out;

fn main() -> ExitCode {
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // Called as dynv6.sh or dyndns-update-script.sh, or `dynup compat NAME ...`.
    if let Some(exit) = compat::dispatch(&argv) {
        return ExitCode::from(exit.code());
    }
    if let Some(exit) = registered::dispatch(&argv) {
        return ExitCode::from(exit.code());
    }
    if let Some(exit) = ddns::dispatch(&argv) {
        return ExitCode::from(exit.code());
    }
    let plain = Out::plain();
    let flags: Vec<std::ffi::OsString> = argv.iter().skip(1).cloned().collect();
    let command = match cli::parse(argv.into_iter().skip(1)) {
        Ok(command) => command,
        Err(failure) => {
            plain.error(&failure.message);
            return ExitCode::from(failure.exit.code());
        }
    };
    let args = match command {
        Command::ShortHelp => {
            plain.text(&cli::short_help_text());
            return ExitCode::SUCCESS;
        }
        Command::Help => {
            plain.text(&cli::help_text());
            return ExitCode::SUCCESS;
        }
        Command::Status(args) => return ExitCode::from(status::status(&args, &plain).code()),
        Command::Release(args) => return ExitCode::from(status::release(&args, &plain).code()),
        Command::Version => {
            plain.text(&cli::version_text());
            return ExitCode::SUCCESS;
        }
        Command::ListProviders => {
            plain.text(&provider::presets::table_text());
            return ExitCode::SUCCESS;
        }
        Command::Run(args) => args,
    };
    let plain = plain.with_syslog(args.syslog);
    if args.show_addresses {
        return ExitCode::from(addr::show_addresses(&args, &plain).code());
    }
    // ring, not aws-lc, cut to what a client needs: installed as the process
    // default that ureq picks up. An error only means one is already installed.
    let _ = tls::client_provider().install_default();
    if args.watch {
        return ExitCode::from(watch::run(&flags, &args, &plain).code());
    }
    if args.config.is_some() {
        return ExitCode::from(jobs::run(&flags, &args, &plain).code());
    }
    if args.check || args.hotplug {
        plain.error("--check and --hotplug need --config FILE (see dynup --help)");
        return ExitCode::from(exit::Exit::Usage.code());
    }
    let env = |name: &str| std::env::var(name).ok();
    let job = match config::resolve(*args, &env) {
        Ok(job) => job,
        Err(failure) => {
            plain.error(&failure.message);
            return ExitCode::from(failure.exit.code());
        }
    };
    let out = Out::new(job.quiet, job.verbose, job.redactor.clone()).with_syslog_of(plain);
    ExitCode::from(run::run(&job, &out).code())
}
