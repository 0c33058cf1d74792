//! A `config job` section as the raw flags it names, and errors pinned on the
//! option they are about.

use std::ffi::OsString;

use super::{ConfigJob, FileName, NOT_JOB_OPTIONS};
use crate::cli::{self, Args, Command};
use crate::exit::Failure;
use crate::uci::{Opt, Section};

/// A section's options as the raw flags they name (hostnames and the inline TSIG
/// key apart): the same `Args` the command line would have filled.
pub(super) fn section_args(
    file: &FileName,
    job: &ConfigJob,
) -> Result<(Args, Vec<String>, Option<String>), Failure> {
    let name = &job.name;
    let mut args = Args::default();
    let mut hostnames = Vec::new();
    let mut tsig_key = None;
    for opt in &job.section.options {
        let fail = |message: &str| blame(file, job.section, name, Some(opt), message);
        let value = opt.values.first().cloned().unwrap_or_default();
        if opt.list && !matches!(opt.name.as_str(), "hostname" | "host") {
            return Err(fail("is a list; only hostname takes several values"));
        }
        match opt.name.as_str() {
            "enabled" | "interface" | "device" => {}
            "hostname" | "host" => hostnames.extend(
                opt.values
                    .iter()
                    .flat_map(|v| v.split_whitespace())
                    .map(String::from),
            ),
            "tsig_key" => tsig_key = Some(value),
            "family" => match value.as_str() {
                "" | "both" => {}
                "ipv4" => args.only_ipv4 = true,
                "ipv6" => args.only_ipv6 = true,
                _ => return Err(fail(&format!("'{value}': expected ipv4, ipv6 or both"))),
            },
            other if NOT_JOB_OPTIONS.contains(&other) => {
                return Err(fail("is not an option of a job"));
            }
            other => {
                let flag = match other {
                    "username" => "--user".to_string(),
                    _ => format!("--{}", other.replace('_', "-")),
                };
                args = apply(args, &flag, opt, &value).map_err(|e| fail(&e))?;
            }
        }
    }
    Ok((args, hostnames, tsig_key))
}

/// One option as its flag: `--flag=VALUE`, or for a flag without a value, `--flag`
/// when the value is true.
fn apply(args: Args, flag: &str, opt: &Opt, value: &str) -> Result<Args, String> {
    let with_value = OsString::from(format!("{flag}={value}"));
    match cli::parse_onto(args.clone(), [with_value]) {
        Ok(Command::Run(args)) => Ok(*args),
        Ok(_) => Err("is not an option of a job".into()),
        Err(lexopt::Error::UnexpectedValue { .. }) => match uci_bool(opt) {
            Some(true) => match cli::parse_onto(args, [OsString::from(flag)]) {
                Ok(Command::Run(args)) => Ok(*args),
                _ => Err("is not an option of a job".into()),
            },
            Some(false) => Ok(args),
            None => Err(format!(
                "'{value}': a switch, expected 1/0, yes/no, on/off or true/false"
            )),
        },
        Err(lexopt::Error::UnexpectedOption(_)) => {
            Err("unknown option (options are dynup's long flags, with _ for -)".into())
        }
        Err(e) => Err(e.to_string()),
    }
}

/// UCI's booleans, as `config_get_bool` reads them.
pub(super) fn uci_bool(opt: &Opt) -> Option<bool> {
    match opt.values.first().map(String::as_str) {
        Some("1" | "yes" | "on" | "true" | "enabled") => Some(true),
        Some("0" | "no" | "off" | "false" | "disabled") => Some(false),
        _ => None,
    }
}

/// "FILE:LINE: job 'NAME': option OPT: MESSAGE"; without an option, the line
/// of the section's `config` line.
pub(super) fn blame(
    file: &FileName,
    section: &Section,
    job: &str,
    opt: Option<&Opt>,
    message: &str,
) -> Failure {
    Failure::usage(match opt {
        Some(opt) => format!(
            "{file}:{}: job '{job}': option {}: {message}",
            opt.line, opt.name
        ),
        None => format!("{file}:{}: job '{job}': {message}", section.line),
    })
}

/// The option of the section an error from `config` is about: the one whose flag
/// (or secret variable) it names, the longest when several match.
pub(super) fn option_named_in<'a>(message: &str, section: &'a Section) -> Option<&'a Opt> {
    section
        .options
        .iter()
        .filter_map(|opt| {
            let names: Vec<String> = match opt.name.as_str() {
                "username" => vec!["--user".into()],
                "family" => vec!["-4".into(), "-6".into()],
                "tsig_key" => vec!["DYNUP_TSIG_KEY".into()],
                "hostname" | "host" => vec!["HOSTNAME".into(), "host name".into()],
                other => vec![format!("--{}", other.replace('_', "-"))],
            };
            names
                .into_iter()
                .filter(|name| names_word(message, name))
                .map(|name| (name.len(), opt))
                .max_by_key(|(len, _)| *len)
        })
        .max_by_key(|(len, _)| *len)
        .map(|(_, opt)| opt)
}

/// `name` in `message`, not as the start of a longer flag (`--password` in `--password-file`).
fn names_word(message: &str, name: &str) -> bool {
    message.match_indices(name).any(|(at, _)| {
        let next = message[at + name.len()..].chars().next();
        !next.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::read_jobs;
    use crate::uci;
    use std::path::PathBuf;

    fn section(text: &str) -> Section {
        uci::parse(text).unwrap().remove(0)
    }

    #[test]
    fn an_error_is_pinned_on_the_option_whose_flag_it_names() {
        let s = section(
            "config job j\noption password 'x'\noption password_file '/p'\noption username u\n",
        );
        let opt = option_named_in("--password-file /p: cannot open", &s).unwrap();
        assert_eq!((opt.name.as_str(), opt.line), ("password_file", 3));
        let opt = option_named_in("--password and --password-file both given", &s).unwrap();
        assert_eq!(opt.name, "password_file");
        let opt = option_named_in("noip needs --user NAME", &s).unwrap();
        assert_eq!(opt.name, "username");
        assert!(option_named_in("--server: bad", &s).is_none());
    }

    #[test]
    fn every_option_is_its_flag_and_the_command_line_wins() {
        let text = "config job 'all'\n\toption enabled 'yes'\n\toption provider 'rfc2136'\n\
            \toption server 'ns.example.net:5353'\n\toption username 'me'\n\
            \toption password_file '/pw'\n\toption token_file '/token'\n\
            \toption tsig_key_file '/key'\n\toption tsig_key 'hmac-sha256:k:c2VjcmV0'\n\
            \toption interface 'wan'\n\toption device 'eth1'\n\toption family 'ipv6'\n\
            \toption ipv4 'none'\n\toption ipv6 'web:https://v6.example/ip'\n\
            \toption ipv6_prefix 'if:br-lan'\n\toption ipv6_host_id '::10'\n\
            \toption zone 'example.net'\n\toption ttl '120'\n\
            \toption url 'https://u.example/?h={{hostname}}'\n\toption success 'good,fine'\n\
            \toption max_age '12h'\n\toption timeout '5'\n\toption user_agent 'my router 1.0'\n\
            \toption cacert '/ca.pem'\n\toption allow_ula '1'\n\toption allow_private 'on'\n\
            \toption tcp 'true'\n\toption force 'no'\n\toption on_change 'logger changed'\n\
            \toption on_failure 'logger failed'\n\toption cache_dir '/state'\n\
            \tlist hostname 'a.example.net'\n\tlist hostname 'b.example.net c.example.net'\n";
        let sections = uci::parse(text).unwrap();
        let file = FileName(PathBuf::from("/etc/config/dynup"));
        let jobs = read_jobs(&file, &sections).unwrap();
        let job = &jobs[0];
        assert!(job.enabled);
        assert_eq!(job.interface.as_deref(), Some("wan"));
        assert_eq!(job.device.as_deref(), Some("eth1"));
        let (args, hosts, tsig_key) = section_args(&file, job).unwrap();
        assert_eq!(hosts, ["a.example.net", "b.example.net", "c.example.net"]);
        assert_eq!(tsig_key.as_deref(), Some("hmac-sha256:k:c2VjcmV0"));
        assert_eq!(args.provider.as_deref(), Some("rfc2136"));
        assert_eq!(args.server.as_deref(), Some("ns.example.net:5353"));
        assert_eq!(args.user.as_deref(), Some("me"));
        assert_eq!(args.password_file, Some(PathBuf::from("/pw")));
        assert_eq!(args.token_file, Some(PathBuf::from("/token")));
        assert_eq!(args.tsig_key_file, Some(PathBuf::from("/key")));
        assert!(args.only_ipv6 && !args.only_ipv4);
        assert_eq!(args.ipv4.as_deref(), Some("none"));
        assert_eq!(args.ipv6.as_deref(), Some("web:https://v6.example/ip"));
        assert_eq!(args.ipv6_prefix.as_deref(), Some("if:br-lan"));
        assert_eq!(args.ipv6_host_id.as_deref(), Some("::10"));
        assert_eq!(args.zone.as_deref(), Some("example.net"));
        assert_eq!(args.ttl.as_deref(), Some("120"));
        assert_eq!(
            args.url.as_deref(),
            Some("https://u.example/?h={{hostname}}")
        );
        assert_eq!(args.success.as_deref(), Some("good,fine"));
        assert_eq!(args.max_age.as_deref(), Some("12h"));
        assert_eq!(args.timeout.as_deref(), Some("5"));
        assert_eq!(args.user_agent.as_deref(), Some("my router 1.0"));
        assert_eq!(args.cacert, Some(PathBuf::from("/ca.pem")));
        assert!(args.allow_ula && args.allow_private && args.tcp && !args.force);
        assert_eq!(args.on_change.as_deref(), Some("logger changed"));
        assert_eq!(args.on_failure.as_deref(), Some("logger failed"));
        assert_eq!(args.cache_dir, Some(PathBuf::from("/state")));
        // The command line on top: its value wins, the rest stays.
        let argv = ["--ttl", "300", "-n", "all"].map(OsString::from);
        let Ok(Command::Run(merged)) = cli::parse_onto(args, argv) else {
            panic!("no run");
        };
        assert_eq!(merged.ttl.as_deref(), Some("300"));
        assert!(merged.dry_run);
        assert_eq!(merged.zone.as_deref(), Some("example.net"));
    }
}
