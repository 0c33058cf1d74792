//! The command line: argv into a raw `Args`, with no I/O and no judgement beyond
//! syntax. `config` turns it into a validated job.

use std::ffi::OsString;
use std::path::PathBuf;

use crate::exit::{self, Failure};

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
    pub hostnames: Vec<String>,
}

pub enum Command {
    Run(Box<Args>),
    Help,
    Version,
    ListProviders,
}

pub fn parse(argv: impl IntoIterator<Item = OsString>) -> Result<Command, Failure> {
    parse_args(argv).map_err(|e| Failure::usage(format!("{e} (see dynup --help)")))
}

fn parse_args(argv: impl IntoIterator<Item = OsString>) -> Result<Command, lexopt::Error> {
    use lexopt::prelude::*;

    let mut args = Args::default();
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
            Short('h') | Long("help") => return Ok(Command::Help),
            Short('V') | Long("version") => return Ok(Command::Version),
            Value(value) => args.hostnames.push(value.string()?),
            _ => return Err(arg.unexpected()),
        }
    }
    Ok(Command::Run(Box::new(args)))
}

pub fn version_text() -> String {
    format!("dynup {}\n", env!("CARGO_PKG_VERSION"))
}

pub fn help_text() -> String {
    format!(
        "\
dynup {version}: tell a dynamic-DNS provider the addresses of this host

Usage: dynup [OPTIONS] HOSTNAME...

Provider:
  -p, --provider NAME      a preset (default: dynv6); `dynup --list-providers` shows
                           each with its protocol, endpoint and credentials:
                             dynv6      dynv6 Update API, token, IPv4 + IPv6 + prefix
                             dynv6-nic  dynv6 through dyndns2 (IPv4 only), token as password
                             noip       No-IP dyndns2, user + password (DDNS key)
                             dyndns2    any dyndns2 \"NIC update\" server; needs --server
                             dyn he.net desec duckdns freedns dnsomatic nsupdate.info
                             dynu ovh inwx strato selfhost spdyn ipv64
                             dyndns-server  the Python \"dyndns\" server; needs --server
                             template   any GET API described by --url
                             rfc2136    DNS UPDATE signed with a TSIG key to any server
                                        (BIND, Knot, PowerDNS); needs --server
                             dynv6-rfc2136  DNS UPDATE to ns1.dynv6.com; the zone is
                                        the host itself
                             cloudflare API v4: API token (or -u E-MAIL + global key
                                        as password)
                             porkbun    API v3: API key as token + secret as password
                             hetzner    DNS in the Hetzner Cloud API: project API token
                             gandi      Gandi LiveDNS: personal access token
                             digitalocean  DigitalOcean API v2: personal access token
                             godaddy    GoDaddy API v1: key as token + secret as password
                             linode     Linode API v4: personal access token
                             desec-api  deSEC REST API (creates records): token
                             powerdns   PowerDNS HTTP API (X-API-Key); needs --server
                             namecheap  Namecheap dynamic DNS (IPv4): DDNS password
                             scaleway   Scaleway DNS API: the API key's secret key
                             route53    Amazon Route 53 (SigV4): key ID + secret key
  -s, --server URL         scheme://host[:port] of the provider, overriding the
                           preset's (env DYNUP_SERVER); for rfc2136: HOST[:PORT]
                           of the DNS server (a name or an address; port 53)
  -u, --user NAME          account or DDNS-key user name (dyndns2, noip, ...)
      --list-providers     print the presets and exit

dyndns-server (PyPI dyndns 2.0.0, what dyndns-update-script.sh talks to):
                           the secret from --password-file or DYNUP_PASSWORD.
                           That server DELETES the record of a family not sent:
                           with only -4 (or the default IPv4 alone) the AAAA record
                           is removed, and dynup warns (-q silences it). Give both
                           --ipv4 and --ipv6 to keep both.
      --zone ZONE          send zone_name=ZONE and the host as record_name
      --ttl SECONDS        TTL of the records, 1 to 86400 (server default 300)
      --by-path            use /update-by-path/SECRET/FQDN/IP... (no --ttl)
      --delete             delete the A and AAAA records of each host

template:
      --url TEMPLATE       e.g. 'https://update.example/dynamic?host={{hostname}}&ip={{ip}}'
                           placeholders {{hostname}} {{ip}} {{ipv4}} {{ipv6}} {{user}}
                           {{password}} {{token}}, each percent-encoded. With only
                           {{ip}}, one request per family. --user with a password
                           also goes as Basic auth. --server replaces the
                           template's scheme://host[:port].
      --success WORD[,WORD]  a 2xx answer is success when it holds one of these
                           words, as whole words, any case, not after \"not\"/\"no\"
                           (default good,nochg,OK,updated,unchanged,success,true;
                           nochg, unchanged, \"nothing to change\" mean current)

Secrets (never put them on the command line: use a file or the environment):
      --password-file FILE first line of FILE is the password (env DYNUP_PASSWORD)
      --token-file FILE    first line of FILE is the token (env DYNUP_TOKEN)
      --password VALUE     allowed, but visible to every user in `ps`
      --token VALUE        allowed, but visible to every user in `ps`
      --tsig-key-file FILE TSIG key for rfc2136: BIND's key \"NAME\" {{ algorithm ...;
                           secret \"...\"; }}; as tsig-keygen writes it, or one line
                           ALGORITHM:NAME:SECRET (env DYNUP_TSIG_KEY, that line);
                           hmac-sha256, hmac-sha512, hmac-sha384 or hmac-sha1

DNS UPDATE (rfc2136, dynv6-rfc2136):
      --zone ZONE          the zone of the hosts (default: each host's parent;
                           for dynv6-rfc2136 the host itself)
      --ttl SECONDS        TTL of the records, 1 to 86400 (default 60)
      --tcp                use TCP only (default: UDP, TCP when the reply is truncated)
                           Addresses must be given: a DNS server publishes no
                           address it sees, so 'auto' is refused.

API providers (cloudflare porkbun hetzner gandi ...): each host's A/AAAA
  record is read, and written (its value only) when it differs; a missing one
  is created. Addresses come from --ipv4/--ipv6 ADDRESS, if[:IFACE] or web, or
  -i IFACE; by default from the web check ('auto' is refused).
      --zone ZONE          the zone of the hosts (default: found through the API)
      --zone-id ID         cloudflare: the zone's ID (no zone lookup)
      --ttl SECONDS        TTL of a created record (default: the provider's)

Addresses:
  -4, -6                   only this address family (the other is not sent)
      --ipv4 SRC           ADDRESS | auto | none | if[:IFACE] | web[:URL]
      --ipv6 SRC           ADDRESS[/LEN] | auto | none | if[:IFACE] | web[:URL]
      --ipv6-prefix SRC    CIDR | auto | if[:IFACE]        (dynv6 only)
                           auto: the provider takes the address the request comes
                           from; dynup forces the connection to that family. As
                           dynup cannot see such an address change, it repeats an
                           auto update at most once an hour.
                           if: the interface's address (if:IFACE, or -i IFACE);
                           for --ipv6-prefix, the network of that address.
                           web: the address a check-IP server sees, over a
                           connection of that family: web:URL, else DYNUP_CHECKIP
                           (URLs, space-separated), else a built-in list
                           (api.ipify.org, v4/v6.ident.me, icanhazip.com,
                           checkip.dyndns.org, ipv6.nsupdate.info), each with a
                           5-second limit; the first address of the family in a
                           small answer counts.
  -i, --interface IFACE    the interface for `if`. Given without --ipv4/--ipv6 it
                           is also the default source: IPv6 from IFACE; IPv4 from
                           IFACE when it has a public address, else from the web.
                           A family such a default finds nothing for is left out
                           (a warning); nothing at all is exit 3.
                           Without -i the defaults are --ipv4 auto and --ipv6 none
                           (auto with -6).
      --allow-ula          IPv6 from an interface may be a ULA (fc00::/7)
      --allow-private      IPv4 may be private (RFC 1918), CGNAT (100.64/10),
                           link-local or loopback
      --ipv6-host-id ::ID  publish the found IPv6 address's /64 prefix with this
                           interface identifier (a LAN host behind the router)
      --show-addresses     print every interface address dynup sees (only IFACE's
                           with -i), the one it would pick per family and why each
                           other one was not picked; contact nothing; exit 0, or 3
                           when none is usable

Address rules (for `if`, and for check-IP answers; --show-addresses applies them):
  IPv6: global unicast (2000::/3) only; never link-local, loopback, multicast,
  tentative, dadfailed or deprecated; ULA (fc00::/7) only with --allow-ula. Then
  global before ULA, stable before temporary (privacy), the longest preferred
  lifetime, the lowest address.
  IPv4: private, CGNAT, link-local and loopback only with --allow-private. Then
  public before those, primary before secondary, the longest preferred lifetime,
  the lowest address.
  A source given by flag that finds nothing: exit 3, and nothing is sent.

State (what was sent, and holds after fatal answers):
      --cache-dir DIR      where state lives (env DYNUP_CACHE_DIR; default
                           /var/run/dynup for root, else $XDG_STATE_HOME/dynup or
                           ~/.local/state/dynup)
  -f, --force              send even if unchanged or held off
      --max-age DURATION   resend an unchanged address after this long
                           (default 25d; units s, m, h, d; e.g. 12h)

Transport:
      --user-agent STRING  User-Agent sent; the default has the form No-IP requires:
                           \"{user_agent}\"
      --timeout SECONDS    limit on connecting and on the whole exchange (default 20)
      --cacert FILE        PEM bundle to trust instead of the default roots
                           (env DYNUP_CACERT; default: /etc/ssl/certs/ca-certificates.crt
                           when present, else the roots built into dynup)

Output:
  -n, --dry-run            show what would be sent (secrets masked); send nothing
  -v, --verbose            show requests (secrets masked), answers and decisions on stderr
  -q, --quiet              print nothing but errors
      --syslog             also send each message to the system log (/dev/log,
                           facility daemon, tag dynup; `logread -e dynup` on
                           OpenWRT); without a log socket, stdout/stderr only
  -h, --help               this text
  -V, --version            the version

A flag wins over its environment variable. One line per host goes to stdout when
something was sent (\"host: updated A 203.0.113.7\"); errors go to stderr.
Unchanged addresses are not sent again. After a fatal answer (codes 10 to 15) the
host is held: later runs do not contact the provider until its configuration
(server, user, secret, hostnames, User-Agent) changes or --force is given. After
code 16 the host is held for at least 30 minutes.

Drop-in modes for the scripts dynup replaces (their arguments, environment
and messages; `dynup compat NAME --help` tells each one's details):
  dynup compat dynv6.sh HOSTNAME [DEVICE]            (token=... in the environment)
  dynup compat dyndns-update-script.sh [-46dhpsStv] RECORD_NAME
  or a symlink named dynv6.sh or dyndns-update-script.sh to dynup, as
  `make install` creates them.

Exit codes (a run for several hosts exits with the highest):
{table}
Example crontab line:
  */5 * * * * dynup -q --token-file /etc/dynup/token myhost.dynv6.net
",
        version = env!("CARGO_PKG_VERSION"),
        user_agent = crate::http::default_user_agent(),
        table = exit::table_text(),
    )
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
        ])
        .ok();
        let Some(Command::Run(args)) = command else {
            panic!("expected a run");
        };
        assert_eq!(args.interface.as_deref(), Some("wan"));
        assert!(args.allow_ula && args.allow_private && args.show_addresses);
        assert_eq!(args.ipv6_host_id.as_deref(), Some("::1234"));
        let help = help_text();
        for flag in [
            "if[:IFACE]",
            "web[:URL]",
            "--interface IFACE",
            "--allow-ula",
            "--allow-private",
            "--ipv6-host-id",
            "--show-addresses",
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
    fn help_lists_every_exit_code() {
        let help = help_text();
        for exit in crate::exit::TABLE {
            assert!(help.contains(exit.meaning()), "{}", exit.meaning());
        }
    }
}
