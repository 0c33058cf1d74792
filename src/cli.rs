//! The command line: argv into a raw `Args`, with no I/O and no judgement beyond
//! syntax. `config` turns it into a validated job.

use std::ffi::OsString;
use std::path::PathBuf;

use crate::exit::Failure;

mod help;

pub use help::{help_text, short_help_text, version_text};

/// Flags as given. Values stay strings so that `config` can name the flag in its errors.
#[derive(Debug, Default, Clone)]
pub struct Args {
    pub provider: Option<String>,
    pub server: Option<String>,
    pub user: Option<String>,
    pub password: Option<String>,
    pub password_file: Option<PathBuf>,
    pub token: Option<String>,
    pub token_file: Option<PathBuf>,
    pub only_ipv4: bool,
    pub only_ipv6: bool,
    pub ipv4: Option<String>,
    pub ipv6: Option<String>,
    pub ipv6_prefix: Option<String>,
    pub interface: Option<String>,
    pub allow_ula: bool,
    pub allow_private: bool,
    pub ipv6_host_id: Option<String>,
    pub ipv6_neighbor: Option<String>,
    pub bind: Option<String>,
    pub show_addresses: bool,
    pub cache_dir: Option<PathBuf>,
    pub force: bool,
    pub max_age: Option<String>,
    pub user_agent: Option<String>,
    pub timeout: Option<String>,
    pub cacert: Option<PathBuf>,
    pub dry_run: bool,
    pub verbose: bool,
    pub quiet: bool,
    pub syslog: bool,
    pub zone: Option<String>,
    pub zone_id: Option<String>,
    pub ttl: Option<String>,
    pub by_path: bool,
    pub delete: bool,
    pub url: Option<String>,
    pub success: Option<String>,
    pub tsig_key_file: Option<PathBuf>,
    pub tcp: bool,
    pub lookup_host: Option<String>,
    pub dns_server: Option<String>,
    pub dns_tcp: bool,
    /// The family every connection keeps to (ddns-scripts' `force_ipversion`;
    /// no flag sets it).
    pub connect_family: Option<crate::http::Family>,
    /// `--config FILE`: the hostnames above are then the names of jobs in FILE.
    pub config: Option<PathBuf>,
    /// `--check`: validate the config, contact nothing.
    pub check: bool,
    /// `--hotplug`: run the jobs of the network in OpenWRT's hotplug environment.
    pub hotplug: bool,
    /// `--watch`: keep running, and run jobs on address events and timers.
    pub watch: bool,
    pub on_change: Option<String>,
    pub on_failure: Option<String>,
    pub hostnames: Vec<String>,
}

pub enum Command {
    Run(Box<Args>),
    /// `-h`: one screen.
    ShortHelp,
    /// `--help`, `dynup help`: everything.
    Help,
    Version,
    ListProviders,
    /// `dynup status [HOST...]`: what the state directory says, no network.
    Status(Box<Args>),
    /// `dynup release HOST...`: lift holds, send nothing.
    Release(Box<Args>),
}

/// Every long flag, for "did you mean" (a test checks each is in --help).
const LONG_FLAGS: &[&str] = &[
    "provider",
    "server",
    "user",
    "password",
    "password-file",
    "token",
    "token-file",
    "ipv4",
    "ipv6",
    "ipv6-prefix",
    "interface",
    "allow-ula",
    "allow-private",
    "ipv6-host-id",
    "show-addresses",
    "cache-dir",
    "force",
    "max-age",
    "user-agent",
    "timeout",
    "cacert",
    "dry-run",
    "verbose",
    "quiet",
    "syslog",
    "zone",
    "ttl",
    "by-path",
    "delete",
    "url",
    "success",
    "list-providers",
    "tsig-key-file",
    "tcp",
    "ipv6-neighbor",
    "bind",
    "lookup-host",
    "dns-server",
    "dns-tcp",
    "config",
    "check",
    "hotplug",
    "watch",
    "on-change",
    "on-failure",
    "help",
    "version",
];

pub fn parse(argv: impl IntoIterator<Item = OsString>) -> Result<Command, Failure> {
    let mut argv: Vec<OsString> = argv.into_iter().collect();
    // Words that are commands only in the first place: a host could be named so.
    let command = argv.first().and_then(|a| a.to_str()).map(str::to_string);
    let wrap: Option<fn(Box<Args>) -> Command> = match command.as_deref() {
        Some("help") if argv.len() == 1 => return Ok(Command::Help),
        Some("status") => Some(Command::Status),
        Some("release") => Some(Command::Release),
        _ => None,
    };
    if wrap.is_some() {
        argv.remove(0);
    }
    let parsed = parse_args(argv, Args::default()).map_err(|e| {
        let hint = match &e {
            lexopt::Error::UnexpectedOption(flag) => flag
                .strip_prefix("--")
                .and_then(|typed| {
                    crate::provider::names::closest(typed, LONG_FLAGS.iter().copied())
                })
                .map(|near| format!("; did you mean --{near}?"))
                .unwrap_or_default(),
            _ => String::new(),
        };
        Failure::usage(format!("{e}{hint} (see dynup --help)"))
    })?;
    match (wrap, parsed) {
        (Some(wrap), Command::Run(args)) => Ok(wrap(args)),
        (_, other) => Ok(other),
    }
}

/// `argv` read on top of `args`: a flag given in both takes argv's value. A
/// config file's job fills `args` first, and the command line then wins.
pub fn parse_onto(
    args: Args,
    argv: impl IntoIterator<Item = OsString>,
) -> Result<Command, lexopt::Error> {
    parse_args(argv.into_iter().collect(), args)
}

/// Not generic: the parser's one copy serves every caller (flash is scarce).
fn parse_args(argv: Vec<OsString>, mut args: Args) -> Result<Command, lexopt::Error> {
    use lexopt::prelude::*;

    let mut parser = lexopt::Parser::from_args(argv);
    while let Some(arg) = parser.next()? {
        match arg {
            Short('p') | Long("provider") => args.provider = Some(parser.value()?.string()?),
            Short('s') | Long("server") => args.server = Some(parser.value()?.string()?),
            Short('u') | Long("user") => args.user = Some(parser.value()?.string()?),
            Long("password") => args.password = Some(parser.value()?.string()?),
            Long("password-file") => args.password_file = Some(parser.value()?.into()),
            Long("token") => args.token = Some(parser.value()?.string()?),
            Long("token-file") => args.token_file = Some(parser.value()?.into()),
            Short('4') => args.only_ipv4 = true,
            Short('6') => args.only_ipv6 = true,
            Long("ipv4") => args.ipv4 = Some(parser.value()?.string()?),
            Long("ipv6") => args.ipv6 = Some(parser.value()?.string()?),
            Long("ipv6-prefix") => args.ipv6_prefix = Some(parser.value()?.string()?),
            Short('i') | Long("interface") => args.interface = Some(parser.value()?.string()?),
            Long("allow-ula") => args.allow_ula = true,
            Long("allow-private") => args.allow_private = true,
            Long("ipv6-host-id") => args.ipv6_host_id = Some(parser.value()?.string()?),
            Long("ipv6-neighbor") => args.ipv6_neighbor = Some(parser.value()?.string()?),
            Long("bind") => args.bind = Some(parser.value()?.string()?),
            Long("show-addresses") => args.show_addresses = true,
            Long("cache-dir") => args.cache_dir = Some(parser.value()?.into()),
            Short('f') | Long("force") => args.force = true,
            Long("max-age") => args.max_age = Some(parser.value()?.string()?),
            Long("user-agent") => args.user_agent = Some(parser.value()?.string()?),
            Long("timeout") => args.timeout = Some(parser.value()?.string()?),
            Long("cacert") => args.cacert = Some(parser.value()?.into()),
            Short('n') | Long("dry-run") => args.dry_run = true,
            Short('v') | Long("verbose") => args.verbose = true,
            Short('q') | Long("quiet") => args.quiet = true,
            Long("syslog") => args.syslog = true,
            Long("zone") => args.zone = Some(parser.value()?.string()?),
            Long("zone-id") => args.zone_id = Some(parser.value()?.string()?),
            Long("ttl") => args.ttl = Some(parser.value()?.string()?),
            Long("by-path") => args.by_path = true,
            Long("delete") => args.delete = true,
            Long("url") => args.url = Some(parser.value()?.string()?),
            Long("success") => args.success = Some(parser.value()?.string()?),
            Long("list-providers") => return Ok(Command::ListProviders),
            Long("tsig-key-file") => args.tsig_key_file = Some(parser.value()?.into()),
            Long("tcp") => args.tcp = true,
            Long("lookup-host") => args.lookup_host = Some(parser.value()?.string()?),
            Long("dns-server") => args.dns_server = Some(parser.value()?.string()?),
            Long("dns-tcp") => args.dns_tcp = true,
            Long("config") => args.config = Some(parser.value()?.into()),
            Long("check") => args.check = true,
            Long("hotplug") => args.hotplug = true,
            Long("watch") => args.watch = true,
            Long("on-change") => args.on_change = Some(parser.value()?.string()?),
            Long("on-failure") => args.on_failure = Some(parser.value()?.string()?),
            Short('h') => return Ok(Command::ShortHelp),
            Long("help") => return Ok(Command::Help),
            Short('V') | Long("version") => return Ok(Command::Version),
            Value(value) => args.hostnames.push(value.string()?),
            _ => return Err(arg.unexpected()),
        }
    }
    Ok(Command::Run(Box::new(args)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_strs(args: &[&str]) -> Result<Command, Failure> {
        parse(args.iter().map(OsString::from))
    }

    #[test]
    fn every_flag_is_read() {
        let command = parse_strs(&[
            "-p",
            "noip",
            "--server=https://x.example",
            "-u",
            "me",
            "--password-file",
            "/p",
            "--token-file",
            "/t",
            "-4",
            "--ipv4",
            "192.0.2.1",
            "--ipv6",
            "auto",
            "--ipv6-prefix",
            "auto",
            "--cache-dir",
            "/c",
            "-f",
            "--max-age",
            "2d",
            "--user-agent",
            "ua",
            "--timeout",
            "5",
            "--cacert",
            "/ca.pem",
            "-nvq",
            "--zone",
            "example",
            "--ttl",
            "120",
            "--tsig-key-file",
            "/k",
            "--tcp",
            "a.example",
            "b.example",
        ])
        .ok();
        let Some(Command::Run(args)) = command else {
            panic!("expected a run");
        };
        assert_eq!(args.provider.as_deref(), Some("noip"));
        assert_eq!(args.server.as_deref(), Some("https://x.example"));
        assert_eq!(args.user.as_deref(), Some("me"));
        assert_eq!(args.password_file, Some(PathBuf::from("/p")));
        assert_eq!(args.token_file, Some(PathBuf::from("/t")));
        assert!(args.only_ipv4 && !args.only_ipv6);
        assert_eq!(args.ipv4.as_deref(), Some("192.0.2.1"));
        assert_eq!(args.ipv6.as_deref(), Some("auto"));
        assert_eq!(args.ipv6_prefix.as_deref(), Some("auto"));
        assert_eq!(args.cache_dir, Some(PathBuf::from("/c")));
        assert!(args.force && args.dry_run && args.verbose && args.quiet);
        assert_eq!(args.max_age.as_deref(), Some("2d"));
        assert_eq!(args.user_agent.as_deref(), Some("ua"));
        assert_eq!(args.timeout.as_deref(), Some("5"));
        assert_eq!(args.cacert, Some(PathBuf::from("/ca.pem")));
        assert_eq!(args.zone.as_deref(), Some("example"));
        assert_eq!(args.ttl.as_deref(), Some("120"));
        assert_eq!(args.tsig_key_file, Some(PathBuf::from("/k")));
        assert!(args.tcp);
        assert_eq!(args.hostnames, vec!["a.example", "b.example"]);
    }

    #[test]
    fn errors_name_the_flag() {
        let err = parse_strs(&["--server"]).err().map(|f| f.message);
        assert!(err.is_some_and(|m| m.contains("--server")));
        let err = parse_strs(&["--bogus"]).err().map(|f| f.message);
        assert!(err.is_some_and(|m| m.contains("--bogus")));
    }

    #[test]
    fn address_flags_are_read_and_documented() {
        let command = parse_strs(&[
            "-i",
            "wan",
            "--allow-ula",
            "--allow-private",
            "--ipv6-host-id",
            "::1234",
            "--show-addresses",
            "--ipv6-neighbor",
            "52:54:00:12:34:56",
            "--bind",
            "wan2",
        ])
        .ok();
        let Some(Command::Run(args)) = command else {
            panic!("expected a run");
        };
        assert_eq!(args.interface.as_deref(), Some("wan"));
        assert!(args.allow_ula && args.allow_private && args.show_addresses);
        assert_eq!(args.ipv6_host_id.as_deref(), Some("::1234"));
        assert_eq!(args.ipv6_neighbor.as_deref(), Some("52:54:00:12:34:56"));
        assert_eq!(args.bind.as_deref(), Some("wan2"));
        let help = help_text();
        for flag in [
            "if[:IFACE]",
            "web[:URL]",
            "--interface IFACE",
            "--allow-ula",
            "--allow-private",
            "--ipv6-host-id",
            "--show-addresses",
            "--ipv6-neighbor MAC",
            "--bind IFACE",
            "DYNUP_CHECKIP",
            "Address rules",
        ] {
            assert!(help.contains(flag), "{flag}");
        }
    }

    #[test]
    fn syslog_is_read_and_documented() {
        let Some(Command::Run(args)) = parse_strs(&["--syslog", "h.example"]).ok() else {
            panic!("expected a run");
        };
        assert!(args.syslog);
        assert!(help_text().contains("--syslog"));
    }

    #[test]
    fn commands_and_typos() {
        let help = help_text();
        for flag in LONG_FLAGS {
            assert!(help.contains(&format!("--{flag}")), "--help lacks --{flag}");
        }
        let typo = parse_strs(&["--token-fle", "x"]).err().map(|f| f.message);
        assert!(typo.is_some_and(|m| m.contains("did you mean --token-file?")));
        let far = parse_strs(&["--zzzzzz"]).err().map(|f| f.message);
        assert!(far.is_some_and(|m| !m.contains("did you mean")));
        assert!(matches!(parse_strs(&["help"]), Ok(Command::Help)));
        assert!(matches!(parse_strs(&["-h"]), Ok(Command::ShortHelp)));
        assert!(matches!(parse_strs(&["--help"]), Ok(Command::Help)));
        let Ok(Command::Release(args)) = parse_strs(&["release", "--cache-dir", "/c", "h"]) else {
            panic!("expected release");
        };
        assert_eq!(args.hostnames, vec!["h"]);
        // Only the first word is a command: a host named so elsewhere is a host.
        let Ok(Command::Run(args)) = parse_strs(&["-4", "status"]) else {
            panic!("expected a run");
        };
        assert_eq!(args.hostnames, vec!["status"]);
    }
}
