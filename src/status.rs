//! `dynup status` and `dynup release HOST`: what the state directory says about
//! each host, and lifting a hold by hand. Neither contacts anything.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::cli::Args;
use crate::clock::format_utc;
use crate::config;
use crate::exit::{Exit, Failure};
use crate::output::Out;
use crate::state::{HostState, Kind, Store};

/// One state file: whose it is, from its name `PRESET_HOST_ACCOUNT.state`.
struct Found {
    path: PathBuf,
    preset: String,
    host: String,
}

pub fn status(args: &Args, out: &Out) -> Exit {
    let (dir, found) = match found_files(args) {
        Ok(found) => found,
        Err(failure) => return say(out, failure),
    };
    if found.is_empty() {
        out.text(&format!(
            "no state in {}{}\n",
            dir.display(),
            for_hosts(args)
        ));
        return Exit::Ok;
    }
    let store = Store::new(&dir);
    let mut worst = Exit::Ok;
    for file in &found {
        let mut text = format!("{} ({})\n", file.host, file.preset);
        match store.load(&file.path) {
            Ok((Some(state), _)) => text.push_str(&describe(&state)),
            Ok((None, _)) => text.push_str("  damaged state file; the next run rewrites it\n"),
            Err(failure) => {
                text.push_str(&format!("  {}\n", failure.message));
                worst = worst.max(failure.exit);
            }
        }
        out.text(&text);
    }
    worst
}

pub fn release(args: &Args, out: &Out) -> Exit {
    if args.hostnames.is_empty() {
        return say(
            out,
            Failure::usage(
                "release: which host? dynup release HOSTNAME... (dynup status lists them)",
            ),
        );
    }
    let (dir, found) = match found_files(args) {
        Ok(found) => found,
        Err(failure) => return say(out, failure),
    };
    let store = Store::new(&dir);
    for host in wanted_hosts(args) {
        if !found.iter().any(|f| f.host == host) {
            return say(
                out,
                Failure::usage(format!(
                    "release: no state for {host} in {} (dynup status lists what there is)",
                    dir.display()
                )),
            );
        }
    }
    // As a run does: a run that is sending must not have its record changed under it.
    let _lock = match store.lock(Duration::from_secs(40)) {
        Ok(lock) => lock,
        Err(failure) => return say(out, failure),
    };
    for file in &found {
        let name = format!("{} ({})", file.host, file.preset);
        let mut state = match store.load(&file.path) {
            Ok((Some(state), _)) => state,
            Ok((None, _)) => {
                out.result(&format!("{name}: damaged state file; nothing to release"));
                continue;
            }
            Err(failure) => return say(out, failure),
        };
        let Some(hold) = state.hold.take() else {
            out.result(&format!("{name}: not held"));
            continue;
        };
        if let Err(failure) = store.save(&file.path, &state) {
            return say(out, failure);
        }
        out.result(&format!(
            "{name}: hold of {} released (exit {}: {}); the next run sends",
            format_utc(hold.since),
            hold.exit.code(),
            hold.reason
        ));
    }
    Exit::Ok
}

fn say(out: &Out, failure: Failure) -> Exit {
    out.error(&failure.message);
    failure.exit
}

fn for_hosts(args: &Args) -> String {
    if args.hostnames.is_empty() {
        String::new()
    } else {
        format!(" for {}", wanted_hosts(args).join(", "))
    }
}

/// The host names asked about, as runs store them (lowercase, no trailing dot).
fn wanted_hosts(args: &Args) -> Vec<String> {
    args.hostnames
        .iter()
        .map(|h| h.strip_suffix('.').unwrap_or(h).to_ascii_lowercase())
        .collect()
}

/// The state directory a run with these flags would use, and its files that
/// match the hosts (and `-p`) given.
fn found_files(args: &Args) -> Result<(PathBuf, Vec<Found>), Failure> {
    let env = |name: &str| std::env::var(name).ok();
    let dir = match (
        &args.cache_dir,
        env("DYNUP_CACHE_DIR").filter(|v| !v.is_empty()),
    ) {
        (Some(dir), _) => dir.clone(),
        (None, Some(dir)) => PathBuf::from(dir),
        (None, None) => config::default_cache_dir(&env)?,
    };
    let hosts = wanted_hosts(args);
    let mut found = Vec::new();
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((dir, found)),
        Err(e) => {
            return Err(Failure::state(format!(
                "cannot read the state directory {}: {e} (set --cache-dir or DYNUP_CACHE_DIR)",
                dir.display()
            )))
        }
    };
    for entry in entries.filter_map(Result::ok) {
        let Some(file) = parse_name(&entry.path()) else {
            continue;
        };
        let host_ok = hosts.is_empty() || hosts.contains(&file.host);
        let preset_ok = args.provider.as_ref().is_none_or(|p| *p == file.preset);
        if host_ok && preset_ok {
            found.push(file);
        }
    }
    found.sort_unstable_by(|a, b| (&a.host, &a.preset).cmp(&(&b.host, &b.preset)));
    Ok((dir, found))
}

/// `dynv6_myhome.dynv6.net_0123abcd.state`: preset names hold no `_`, the
/// account is the last part.
fn parse_name(path: &Path) -> Option<Found> {
    let name = path.file_name()?.to_str()?.strip_suffix(".state")?;
    if name.starts_with('.') {
        return None;
    }
    let (preset, rest) = name.split_once('_')?;
    let (host, account) = rest.rsplit_once('_')?;
    if host.is_empty() || account.len() != 8 {
        return None;
    }
    Some(Found {
        path: path.to_path_buf(),
        preset: preset.to_string(),
        host: host.to_string(),
    })
}

/// The lines under a host: each value the provider accepted and when, the hold.
fn describe(state: &HostState) -> String {
    let mut text = String::new();
    for kind in [Kind::Ipv4, Kind::Ipv6, Kind::Ipv6Prefix] {
        if let Some(entry) = state.entry(kind) {
            let record = match kind {
                Kind::Ipv4 => "A",
                Kind::Ipv6 => "AAAA",
                Kind::Ipv6Prefix => "prefix",
            };
            text.push_str(&format!(
                "  {record:<6} {:<24} accepted {}\n",
                entry.value,
                format_utc(entry.confirmed)
            ));
        }
    }
    if text.is_empty() {
        text.push_str("  nothing accepted yet\n");
    }
    match &state.hold {
        None => text.push_str("  not held\n"),
        Some(hold) => {
            let until = match hold.until {
                Some(until) => format!("until {}", format_utc(until)),
                None => "until the configuration changes".to_string(),
            };
            text.push_str(&format!(
                "  held since {} {until}\n    the provider answered: {} (exit {})\n    \
                 dynup release HOST lifts it\n",
                format_utc(hold.since),
                hold.reason,
                hold.exit.code()
            ));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_file_names_are_read_back() {
        let found = parse_name(Path::new("/d/dyndns-server_my_host.example_0123abcd.state"));
        let found = found.map(|f| (f.preset, f.host));
        assert_eq!(
            found,
            Some(("dyndns-server".to_string(), "my_host.example".to_string()))
        );
        for other in [
            "/d/.lock",
            "/d/.dynv6_h_0123abcd.state.1.tmp",
            "/d/dynv6_h.state",
            "/d/notes.txt",
        ] {
            assert!(parse_name(Path::new(other)).is_none(), "{other}");
        }
    }
}
