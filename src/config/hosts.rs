//! Which provider and which hosts: `-p` or the hosts' domain, and the host names checked.

use super::Env;
use crate::cli::Args;
use crate::exit::Failure;
use crate::provider::{self, names, Preset};

pub(super) fn unknown_provider(name: &str) -> Failure {
    // An alias that is close is shown as the preset it stands for.
    let near = names::closest(name, names::all_names()).and_then(names::lookup);
    let hint = match near {
        Some(preset) => format!("did you mean '{}'? ", preset.name),
        None => String::new(),
    };
    Failure::usage(format!(
        "--provider: unknown provider '{name}' ({hint}dynup --list-providers shows all)"
    ))
}

/// Without `-p`: the preset the hosts' domain belongs to. A credential must
/// never go to a provider the user did not choose, so there is no default.
pub(super) fn preset_from_hosts(args: &Args, env: Env) -> Result<&'static Preset, Failure> {
    let has = |var: &str| env(var).is_some_and(|v| !v.is_empty());
    let given = names::Given {
        user: args.user.is_some(),
        password: args.password.is_some() || args.password_file.is_some() || has("DYNUP_PASSWORD"),
        token: args.token.is_some() || args.token_file.is_some() || has("DYNUP_TOKEN"),
        tsig: args.tsig_key_file.is_some() || has("DYNUP_TSIG_KEY"),
    };
    match names::preset_of_hosts(&args.hostnames, given) {
        Ok(name) => {
            provider::preset(name).ok_or_else(|| Failure::usage(format!("no preset '{name}'")))
        }
        Err(likely) => {
            let which = match args.hostnames.as_slice() {
                [host] => format!("{host} is under no domain of a preset"),
                hosts => format!("{} are not under one preset's domains", hosts.join(", ")),
            };
            let likely = if likely.is_empty() {
                String::new()
            } else {
                format!(" (likely: {likely})")
            };
            Err(Failure::usage(format!(
                "which provider? {which}: give -p NAME{likely}"
            )))
        }
    }
}

/// Lowercase, without the root's trailing dot, each host once: `A.DDNS.NET.`
/// and `a.ddns.net` are one host to the provider, so they are one here.
pub(super) fn normalize_hosts(hosts: &[String]) -> Vec<String> {
    let mut seen: Vec<String> = Vec::with_capacity(hosts.len());
    for host in hosts {
        let host = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
        if !seen.contains(&host) {
            seen.push(host);
        }
    }
    seen
}

pub(super) fn check_hostname(host: &str) -> Result<(), Failure> {
    let label_ok = |label: &str| {
        !label.is_empty()
            && label.len() <= 63
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    let name = host.strip_suffix('.').unwrap_or(host);
    if name.len() > 253 || !name.split('.').all(label_ok) {
        return Err(Failure::usage(format!(
            "HOSTNAME '{host}' is not a valid host name (letters, digits, '-', '_' and dots)"
        )));
    }
    Ok(())
}
