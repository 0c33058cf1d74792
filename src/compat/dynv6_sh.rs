//! `token=... [netmask=N] dynv6.sh HOSTNAME [DEVICE]`, dynv6's own update script
//! (protocols.md section 2), with dynup's address rules and one request.
//!
//! Kept from the script: the environment variables, the arguments, the cache
//! `$HOME/.dynv6.addr6` holding `ADDRESS/NETMASK` (equal: `IPv6 address unchanged`;
//! dynup's state then decides, as for a native run, whether dynv6 must hear it
//! again), the usage line. Better: no deprecated, tentative or
//! temporary address; IPv6 and `ipv4=auto` in one request over IPv4; the token
//! never in a URL anyone sees; dynup's state and exit codes.

use std::ffi::OsString;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::{env_value, fail, resolve, run_job, SCRIPT_RULES};
use crate::addr;
use crate::cli::Args;
use crate::exit::{self, Exit, Failure};
use crate::output::Out;

const CACHE_NAME: &str = ".dynv6.addr6";
/// With its newline, so that printing it takes no format!.
const UNCHANGED_LINE: &str = "IPv6 address unchanged\n";

pub fn main(shown: &str, argv: Vec<OsString>) -> Exit {
    let out = Out::plain();
    let mut words = Vec::new();
    for arg in argv {
        match arg.into_string() {
            Ok(word) if word == "-h" || word == "--help" => {
                out.text(&help_text(shown));
                return Exit::Ok;
            }
            Ok(word) => words.push(word),
            Err(_) => return usage(&out, shown, "the arguments must be UTF-8 text"),
        }
    }
    // The script reads `token` from the environment; DYNUP_TOKEN is dynup's name.
    let token = env_value("token").or_else(|| env_value("DYNUP_TOKEN"));
    let (host, device) = match (words.as_slice(), &token) {
        (_, None) => return usage(&out, shown, "no token: set token=... in the environment"),
        ([], _) => return usage(&out, shown, "no HOSTNAME given"),
        ([host], _) => (host.clone(), None),
        ([host, device], _) => (host.clone(), Some(device.clone())),
        _ => return usage(&out, shown, "more than HOSTNAME and DEVICE given"),
    };
    let netmask = match netmask(env_value("netmask")) {
        Ok(netmask) => netmask,
        Err(failure) => return fail(&out, failure),
    };

    let args = Args {
        // The script's own provider, whatever the host's domain.
        provider: Some("dynv6".to_string()),
        hostnames: vec![host],
        // The script's second request, `ipv4=auto`, rides in the same one.
        ipv4: Some("auto".to_string()),
        ..Args::default()
    };
    let mut job = match resolve(args, &[("DYNUP_TOKEN", token)]) {
        Ok(job) => job,
        Err(failure) => return fail(&out, failure),
    };

    let found = match addr::interface_ipv6(device.as_deref(), SCRIPT_RULES) {
        Ok(found) => found,
        Err(failure) => {
            // The script's words, then dynup's reasons.
            out.error(&failure.message.replacen(
                "no usable IPv6 address",
                "no IPv6 address found",
                1,
            ));
            return failure.exit;
        }
    };
    let current = format!("{}/{netmask}", found.addr);
    let cache = match env_value("HOME") {
        Some(home) => cache_path(Some(home)),
        // procd and some crons run without HOME: the script wrote /.dynv6.addr6
        // and failed; dynup keeps the cache beside its own state instead.
        None => {
            let cache = job.cache_dir.join(CACHE_NAME);
            out.warn(&format!(
                "HOME is not set: the cache is {} (set HOME to keep the script's)",
                cache.display()
            ));
            cache
        }
    };
    if read_cache(&cache).as_deref() == Some(current.as_str()) {
        // The script's line; dynup's state still decides whether the provider
        // must hear it again (`--max-age`, an hourly `auto` re-confirmation).
        out.text(UNCHANGED_LINE);
    }
    match addr::parse_ipv6(&current) {
        Ok(value) => job.ipv6 = value,
        Err(failure) => return fail(&out, failure),
    }
    let exit = run_job(&job);
    if exit != Exit::Ok {
        // As the script did on failure: the cache stays as it was.
        return exit;
    }
    match write_cache(&cache, &current) {
        Ok(()) => Exit::Ok,
        Err(failure) => fail(&out, failure),
    }
}

/// The script's usage line on stdout, where it printed it, and why on stderr.
fn usage(out: &Out, shown: &str, why: &str) -> Exit {
    let mut line = usage_line(shown);
    line.push('\n');
    out.text(&line);
    out.error(&format!("{shown}: {why} (see {shown} --help)"));
    Exit::Usage
}

fn usage_line(shown: &str) -> String {
    format!("Usage: token=<your-authentication-token> [netmask=64] {shown} your-name.dynv6.net [device]")
}

/// `netmask`: the prefix length sent after the address, 128 when unset.
fn netmask(value: Option<String>) -> Result<u8, Failure> {
    let Some(text) = value else {
        return Ok(128);
    };
    text.parse::<u32>()
        .ok()
        .filter(|n| (1..=128).contains(n) && text.bytes().all(|b| b.is_ascii_digit()))
        .map(|n| n as u8)
        .ok_or_else(|| {
            Failure::usage(format!(
                "netmask: expected a prefix length from 1 to 128, got '{text}'"
            ))
        })
}

/// `$HOME/.dynv6.addr6`; the script wrote `/.dynv6.addr6` without a HOME.
fn cache_path(home: Option<String>) -> PathBuf {
    Path::new(&home.unwrap_or_else(|| "/".to_string())).join(CACHE_NAME)
}

/// The cached `ADDRESS/NETMASK`, as the script's `$(cat FILE)` read it.
fn read_cache(path: &Path) -> Option<String> {
    // One address; the cap keeps a link to /dev/zero out of memory.
    let bytes = crate::file::read_capped(path, 4096).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    Some(text.trim_end_matches('\n').to_string())
}

/// Writes `ADDRESS/NETMASK` and a newline, as `echo` did, through a temporary
/// file and a rename: a crash leaves the old cache or the new one.
fn write_cache(path: &Path, current: &str) -> Result<(), Failure> {
    let dir = path.parent().unwrap_or(Path::new("/"));
    let tmp = dir.join(format!("{CACHE_NAME}.{}.tmp", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut file = fs::File::create(&tmp)?;
        file.write_all(current.as_bytes())?;
        file.write_all(b"\n")?;
        file.sync_all()?;
        fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = fs::remove_file(&tmp);
        Failure::state(format!("cannot write {}: {e}", path.display()))
    })
}

/// Built from pieces rather than with format!: the usage line, one static text, the table.
fn help_text(shown: &str) -> String {
    let mut text = usage_line(shown);
    text.push_str(
        "\n\n\
dynup in the place of dynv6.sh, dynv6's update script: its arguments,
environment and cache file; dynup's address rules, state and exit codes.

  token=TOKEN    the dynv6 token, from the environment (else DYNUP_TOKEN)
  netmask=N      prefix length sent after the address (default 128)
  HOSTNAME       the dynv6 zone, e.g. your-name.dynv6.net
  DEVICE         interface with the IPv6 address; without it, the first
                 interface (lowest index) that has a usable one

IPv6: global (2000::/3), never a ULA, deprecated, tentative, temporary
(privacy) or link-local address (`dynup --show-addresses -i DEVICE` says why
each was or was not taken). IPv4: ipv4=auto, in the same
request, over IPv4.

$HOME/.dynv6.addr6 holds ADDRESS/NETMASK as the script wrote it (without
HOME: beside dynup's state, with a warning). When it equals the address
found, `IPv6 address unchanged` is printed. Either way dynup's own state
decides what is sent: nothing the provider confirmed within the hour; the
ipv4=auto again hourly, an unchanged address after 25 days. Success
rewrites the cache; a failed run leaves it as it was.

Also read: DYNUP_SERVER (scheme://host[:port] instead of dynv6.com),
DYNUP_CACERT (a PEM bundle to trust), DYNUP_CACHE_DIR (dynup's state).

Unlike the script, a missing argument exits 2 (the usage line is printed as
before), no address exits 3, and a failed update exits with dynup's code,
not curl's 22:
",
    );
    text.push_str(&exit::table_text());
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn netmask_values() {
        assert_eq!(netmask(None).ok(), Some(128));
        assert_eq!(netmask(Some("64".to_string())).ok(), Some(64));
        for bad in ["0", "129", "+64", "x", ""] {
            let message = netmask(Some(bad.to_string()))
                .err()
                .map(|f| f.message)
                .unwrap_or_default();
            assert!(message.starts_with("netmask:"), "{bad}: {message}");
        }
    }

    #[test]
    fn cache_is_in_home() {
        assert_eq!(
            cache_path(Some("/root".to_string())),
            PathBuf::from("/root/.dynv6.addr6")
        );
        assert_eq!(cache_path(None), PathBuf::from("/.dynv6.addr6"));
    }

    #[test]
    fn usage_line_is_the_scripts() {
        assert_eq!(
            usage_line("./dynv6.sh"),
            "Usage: token=<your-authentication-token> [netmask=64] ./dynv6.sh your-name.dynv6.net [device]"
        );
        assert!(help_text("dynv6.sh").contains(UNCHANGED_LINE.trim_end()));
    }
}
