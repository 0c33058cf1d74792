//! `dyndns-update-script.sh [-46dhpsStv] RECORD_NAME`, the update script of the
//! Python "dyndns" server (seed 002; protocols.md section 5), sent through dynup's
//! dyndns-server protocol.
//!
//! The constants the script kept at its top (server domain, zone, secret) come
//! from the environment or a small KEY=VALUE file. Better than the script: the
//! certificate is checked (`--cacert` instead of `curl -k`), the secret is never
//! printed, a family whose address was not found is not silently deleted, an
//! unchanged address is not resent, and a failed update exits non-zero.

mod config_file;
mod options;

use std::ffi::OsString;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use super::{env_value, fail, resolve, run_job, SCRIPT_RULES};
use crate::addr::{self, select::Rules, web, Sources, V6Addr, Wanted};
use crate::cli::Args;
use crate::config::{self, Job};
use crate::exit::{self, Exit, Failure};
use crate::output::Out;
use crate::url::Server;
use config_file::read_config_file;
use options::{parse, Command, Options};

const DEFAULT_CONFIG: &str = "/etc/dyndns-update-script.conf";
/// The script's check-IP servers, over https: the family of the connection
/// decides which address icanhazip.com answers with.
const IPV4_CHECKIP: [&str; 2] = ["https://v4.ident.me/", "https://icanhazip.com/"];
const IPV6_CHECKIP: [&str; 2] = ["https://v6.ident.me/", "https://icanhazip.com/"];
/// A macro, so that `concat!` can put it into the texts below with no format!.
macro_rules! short_description {
    () => {
        "dynup in the place of dyndns-update-script.sh: updates the A and AAAA records of a name through a dyndns HTTP server."
    };
}

pub fn main(shown: &str, argv: Vec<OsString>) -> Exit {
    let out = Out::plain();
    let options = match parse(argv) {
        Ok(Command::Run(options)) => options,
        Ok(Command::Help) => {
            out.text(&help_text(shown));
            return Exit::Ok;
        }
        Ok(Command::ShortDescription) => {
            out.text(concat!(short_description!(), "\n"));
            return Exit::Ok;
        }
        Ok(Command::Version) => {
            out.text(concat!(env!("CARGO_PKG_VERSION"), "\n"));
            return Exit::Ok;
        }
        Err(e) => return fail(&out, Failure::usage(format!("{e} (see {shown} --help)"))),
    };
    if options.prefix_only {
        return print_prefix(&out, options.device.as_deref());
    }
    match update(shown, options) {
        Ok(exit) => exit,
        Err(failure) => fail(&out, failure),
    }
}

/// `-p`: the first 64 bits of the device's global IPv6 address, each group
/// zero-padded to four digits as the script printed them.
fn print_prefix(out: &Out, device: Option<&str>) -> Exit {
    match addr::interface_ipv6(device, SCRIPT_RULES) {
        Ok(found) => match found.addr {
            IpAddr::V6(v6) => {
                out.text(&format!("{}\n", prefix_line(v6)));
                Exit::Ok
            }
            IpAddr::V4(_) => fail(out, Failure::new(Exit::NoAddress, "no IPv6 address")),
        },
        Err(failure) => fail(out, failure),
    }
}

fn prefix_line(v6: std::net::Ipv6Addr) -> String {
    let s = v6.segments();
    format!(
        "PREFIX: {:04x}:{:04x}:{:04x}:{:04x}",
        s[0], s[1], s[2], s[3]
    )
}

fn update(shown: &str, mut options: Options) -> Result<Exit, Failure> {
    let record = options.record.take().ok_or_else(|| {
        Failure::usage(format!(
            "no RECORD_NAME given (usage: {shown} [-46dhpsStv] RECORD_NAME; see {shown} --help)"
        ))
    })?;
    let (file, mut warnings) = read_config_file()?;
    let server = env_value("DYNDNS_SERVER").or(file.server).ok_or_else(|| {
        missing(
            "DYNDNS_SERVER",
            "the dyndns server's domain, e.g. dyndns.example.com",
        )
    })?;
    let zone = env_value("DYNDNS_ZONE")
        .or(file.zone)
        .ok_or_else(|| missing("DYNDNS_ZONE", "the zone the record is in"))?;
    // The secret comes whole from one place: the environment, else the file.
    let (secret, secret_file, place) =
        match (env_value("DYNDNS_SECRET"), env_value("DYNDNS_SECRET_FILE")) {
            (None, None) => (file.secret, file.secret_file, "the config file"),
            (secret, secret_file) => (secret, secret_file, "the environment"),
        };
    match (&secret, &secret_file) {
        (Some(_), Some(_)) => {
            return Err(Failure::usage(format!(
                "DYNDNS_SECRET and DYNDNS_SECRET_FILE both set in {place}: use one"
            )))
        }
        (None, None) => {
            return Err(missing(
                "DYNDNS_SECRET_FILE or DYNDNS_SECRET",
                "the server's secret",
            ))
        }
        _ => {}
    }

    let server = server_url(&server)?;
    config::parse_zone(&zone)
        .map_err(|f| Failure::usage(f.message.replacen("--zone", "DYNDNS_ZONE", 1)))?;
    // -4 and -6 together are the script's default: both families.
    let (want_v4, want_v6) = match (options.ipv4_only, options.ipv6_only) {
        (true, false) => (true, false),
        (false, true) => (false, true),
        _ => (true, true),
    };
    let args = Args {
        provider: Some("dyndns-server".to_string()),
        server: Some(server),
        zone: Some(zone),
        ttl: options.ttl.take(),
        cacert: options.cacert.take(),
        password_file: secret_file.map(PathBuf::from),
        only_ipv4: want_v4 && !want_v6,
        only_ipv6: want_v6 && !want_v4,
        // Placeholders that make `config` check the job as one publishing these
        // families; the addresses are found below, before the sleep.
        ipv4: want_v4.then(|| "web".to_string()),
        ipv6: want_v6.then(|| "web".to_string()),
        hostnames: vec![record],
        ..Args::default()
    };
    let mut job = resolve(args, &[("DYNUP_PASSWORD", secret)])?;
    // The script's -4 and -6 leave the other record to the server, which deletes
    // it; the user asked for that in the crontab line, so no warning on every run.
    job.warnings
        .retain(|w| !w.starts_with("dyndns-server deletes the record of a family not sent"));
    warnings.append(&mut job.warnings);
    job.warnings = warnings;

    let out = Out::new(job.quiet, job.verbose, job.redactor.clone());
    find_addresses(&mut job, &options, &out)?;
    if let Some(seconds) = options.sleep {
        std::thread::sleep(Duration::from_secs(seconds));
    }
    Ok(run_job(&job))
}

fn missing(name: &str, what: &str) -> Failure {
    Failure::usage(format!(
        "{name} is not set: {what}; set it in the environment or in {DEFAULT_CONFIG} \
         (or the file DYNUP_COMPAT_CONFIG names)"
    ))
}

/// The script's `https://DOMAIN`; a full `scheme://host[:port]` is taken as it is.
fn server_url(text: &str) -> Result<String, Failure> {
    let url = if text.contains("://") {
        text.to_string()
    } else {
        format!("https://{text}")
    };
    Server::parse(&url, "DYNDNS_SERVER")?;
    Ok(url)
}

/// The addresses the job publishes, found as the script found them: IPv4 from
/// check-IP servers, IPv6 from the device and else from them. A family that
/// yields nothing stops the run: the server would delete its record.
fn find_addresses(job: &mut Job, options: &Options, out: &Out) -> Result<(), Failure> {
    let checkip = env_value("DYNUP_CHECKIP");
    let ipv4 = match job.sources.ipv4 {
        Some(_) => match from_web(job, checkip.as_deref(), false, out)? {
            IpAddr::V4(v4) => Some(Wanted::Addr(v4)),
            IpAddr::V6(_) => None,
        },
        None => None,
    };
    let ipv6 = match job.sources.ipv6 {
        Some(_) => {
            let on_device = match options.device.as_deref() {
                Some(device) => match addr::interface_ipv6(Some(device), SCRIPT_RULES) {
                    Ok(found) => Some(found.addr),
                    Err(mut failure) => {
                        failure.message.push_str("; asking the web");
                        out.detail(&failure.message);
                        None
                    }
                },
                None => None,
            };
            let found = match on_device {
                Some(found) => found,
                None => from_web(job, checkip.as_deref(), true, out)?,
            };
            match found {
                IpAddr::V6(addr) => Some(Wanted::Addr(V6Addr { addr, len: None })),
                IpAddr::V4(_) => None,
            }
        }
        None => None,
    };
    job.ipv4 = ipv4;
    job.ipv6 = ipv6;
    job.sources = Sources::default();
    Ok(())
}

/// One family's address from the check-IP servers (DYNUP_CHECKIP's, else the
/// script's); failing, the run stops: the server would delete that record.
fn from_web(job: &Job, checkip: Option<&str>, v6: bool, out: &Out) -> Result<IpAddr, Failure> {
    let builtin: &[&str] = if v6 { &IPV6_CHECKIP } else { &IPV4_CHECKIP };
    let list: Vec<&str> = match checkip {
        Some(list) => list.split_whitespace().collect(),
        None => builtin.to_vec(),
    };
    web::lookup(&list, v6, &job.http, Rules::default(), out).map_err(|mut failure| {
        failure.message.push_str(if v6 {
            "; nothing sent, as the server would delete the AAAA record"
        } else {
            "; nothing sent, as the server would delete the A record"
        });
        failure
    })
}

/// Built from pieces rather than with format!: one static text, `shown` and the table.
fn help_text(shown: &str) -> String {
    let mut text = String::from("Usage: ");
    text.push_str(shown);
    text.push_str(concat!(
        " [-46dhpsStv] RECORD_NAME\n\n",
        short_description!(),
        "\n\
The script's options and messages; dynup's address rules, state and exit codes.

Options:
  -4, --ipv4-only        update only the A record (the server deletes AAAA)
  -6, --ipv6-only        update only the AAAA record (the server deletes A)
  -d, --device=DEV       IPv6 from interface DEV (a global address; never a ULA,
                         deprecated, tentative, temporary or link-local one),
                         else the web
  -p, --prefix-only      print PREFIX: xxxx:xxxx:xxxx:xxxx, the first 64 bits of
                         DEV's global IPv6 address (no -d: of the first
                         interface with one), and exit
  -S, --sleep=N          wait N seconds between finding the addresses and
                         contacting the server
  -t, --ttl=N            TTL of the records, 1 to 86400 (server default 300)
      --cacert FILE      PEM bundle to check the server's certificate with
                         (env DYNUP_CACERT); it is always checked
  -h, --help             this text
  -s, --short-description  one line saying what this is
  -v, --version          dynup's version number

The script's constants, from the environment, else from the file
$DYNUP_COMPAT_CONFIG, else /etc/dyndns-update-script.conf:
  DYNDNS_SERVER       server domain (https://DOMAIN) or scheme://host[:port]
                      (script: VALUE_DYNDNS_DOMAIN)
  DYNDNS_ZONE         zone of the record (script: VALUE_ZONE_NAME)
  DYNDNS_SECRET_FILE  file whose first line is the secret
  DYNDNS_SECRET       the secret (script: VALUE_SECRET)
The file: KEY=VALUE lines, # comments, quotes; the script's VALUE_... lines
may be pasted in. Not writable by others; mode 600 when it holds the secret.
The secret is never taken from the command line, never printed.

Addresses: IPv4 from v4.ident.me, then icanhazip.com (https over IPv4;
DYNUP_CHECKIP, space-separated URLs, replaces them); IPv6 from -d DEV, else
from v6.ident.me and icanhazip.com. A family not found stops the run (exit
3): the server would delete its record. A confirmed address is sent again
only when it changes or after 25 days; state in DYNUP_CACHE_DIR (root:
/var/run/dynup).

Output: one line when something was sent (\"nrouter: updated A 203.0.113.7\"),
else nothing; errors on stderr. Unlike the script, no RECORD_NAME exits 2
(not 17) and a failed update exits non-zero:
"
    ));
    text.push_str(&exit::table_text());
    text.push_str("\nExample crontab line, unchanged from the script's:\n  */2 * * * * ");
    text.push_str(shown);
    text.push_str(" -S 5 -d br-lan -4 nrouter\n");
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_is_zero_padded() {
        let v6: std::net::Ipv6Addr = "2003:e9:53ce:9100::1".parse().expect("v6");
        assert_eq!(prefix_line(v6), "PREFIX: 2003:00e9:53ce:9100");
    }

    #[test]
    fn server_values() {
        assert_eq!(
            server_url("dyndns.example.com").ok().as_deref(),
            Some("https://dyndns.example.com")
        );
        assert_eq!(
            server_url("http://127.0.0.1:8080").ok().as_deref(),
            Some("http://127.0.0.1:8080")
        );
        let bad = server_url("dyndns.example.com/path")
            .err()
            .map(|f| f.message);
        assert!(bad.is_some_and(|m| m.starts_with("DYNDNS_SERVER")));
    }
}
