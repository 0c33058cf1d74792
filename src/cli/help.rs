//! The help texts: `-h`, `--help` and `--version`.

use crate::exit;

pub fn version_text() -> String {
    format!("dynup {}\n", env!("CARGO_PKG_VERSION"))
}

/// `-h`: what most runs need, on one screen; `--help` has the rest.
pub fn short_help_text() -> String {
    format!(
        "\
dynup {version}: tell a dynamic-DNS provider the addresses of this host

Usage: dynup [OPTIONS] HOSTNAME...
       dynup status [HOSTNAME...]      dynup release HOSTNAME...

  -p, --provider NAME      the provider (dynup --list-providers); without it
                           the host's domain names it (dynv6.net: dynv6)
  -u, --user NAME          account or DDNS-key user name
      --token-file FILE    the token (or DYNUP_TOKEN)
      --password-file FILE the password (or DYNUP_PASSWORD)
  -4, -6                   only IPv4, only IPv6 (default: both, where the
                           provider takes both and this host has IPv6)
      --ipv4/--ipv6 SRC    ADDRESS, auto, none, if[:IFACE] or web[:URL]
  -i, --interface IFACE    publish this interface's addresses (a router's WAN)
  -n, --dry-run            say what would be sent; send nothing
  -q, --quiet              print nothing but errors (for cron)
  -v, --verbose            show requests, answers and decisions

Examples:
  dynup --token-file /etc/dynup/dynv6.token myhome.dynv6.net
  dynup -p noip -u KEYUSER --password-file /etc/dynup/noip.key a.ddns.net
  */5 * * * * dynup -q -i wan --token-file /etc/dynup/t myhome.dynv6.net

dynup --help shows every option, the exit codes and the drop-in modes.
",
        version = env!("CARGO_PKG_VERSION"),
    )
}

pub fn help_text() -> String {
    format!(
        "\
dynup {version}: tell a dynamic-DNS provider the addresses of this host

Usage: dynup [OPTIONS] HOSTNAME...
       dynup --config FILE [OPTIONS] [JOB...]
       dynup status [--cache-dir DIR] [-p NAME] [--config FILE] [HOSTNAME...]
       dynup release [--cache-dir DIR] [-p NAME] [--config FILE] HOSTNAME...
`status` prints, per host and provider, what was last published and when the
provider accepted it, and any hold with its cause (with --config, for each job
of FILE); `release` lifts a hold without sending anything. Neither contacts the
network.

Provider:
  -p, --provider NAME      a preset; `dynup --list-providers` shows each with
                           its protocol, endpoint and credentials. Without -p
                           the host's domain names it (dynv6.net, v6.rocks:
                           dynv6; duckdns.org: duckdns; ddns.net and No-IP's
                           other free domains: noip; dedyn.io: desec; ...);
                           any other host needs -p, so that no credential
                           goes to a provider you did not choose.
                           Also: no-ip, noip.com (noip), he (he.net), duck
                           (duckdns).
  -s, --server URL         scheme://host[:port] of the provider, overriding
                           the preset's (env DYNUP_SERVER); an IPv6 address
                           in brackets: https://[2001:db8::1]:8443. For
                           rfc2136: HOST[:PORT] of the DNS server (port 53)
  -u, --user NAME          account or DDNS-key user name (dyndns2, noip, ...)
      --list-providers     print the presets and exit

dyndns-server (PyPI dyndns 2.0.0, what dyndns-update-script.sh talks to):
                           the secret from --password-file or DYNUP_PASSWORD.
                           That server DELETES the record of a family not sent:
                           with only -4 (or the default IPv4 alone) the AAAA
                           record is removed, and dynup warns (-q silences
                           it). Give --ipv4 and --ipv6 to keep both.
      --zone ZONE          send zone_name=ZONE and the host as record_name
      --ttl SECONDS        TTL of the records, 1 to 86400 (server default 300)
      --by-path            use /update-by-path/SECRET/FQDN/IP... (no --ttl)
      --delete             delete the A and AAAA records of each host

template:
      --url TEMPLATE       e.g. 'https://u.example/dyn?host={{hostname}}&ip={{ip}}'
                           placeholders {{hostname}} {{ip}} {{ipv4}} {{ipv6}} {{user}}
                           {{password}} {{token}}, each percent-encoded. With only
                           {{ip}}, one request per family. --user with a password
                           also goes as Basic auth. --server replaces the
                           template's scheme://host[:port].
      --success WORD[,WORD]  a 2xx answer is success when it holds one of
                           these words, as whole words, any case, not after
                           \"not\"/\"no\" (default good,nochg,OK,updated,
                           unchanged,success,true; nochg, unchanged, \"nothing
                           to change\" mean current)

Secrets (never put them on the command line: use a file or the environment):
      --password-file FILE first line of FILE is the password
                           (env DYNUP_PASSWORD)
      --token-file FILE    first line of FILE is the token (env DYNUP_TOKEN)
      --password VALUE     allowed, but visible to every user in `ps`
      --token VALUE        allowed, but visible to every user in `ps`
      --tsig-key-file FILE TSIG key for rfc2136: BIND's key \"NAME\" {{
                           algorithm ...; secret \"...\"; }}; as tsig-keygen
                           writes it, Knot's key: list as keymgr -t writes
                           it, or one line ALGORITHM:NAME:SECRET (env
                           DYNUP_TSIG_KEY, that line); hmac-sha256,
                           hmac-sha512, hmac-sha384 or hmac-sha1

DNS UPDATE (rfc2136, dynv6-rfc2136):
      --zone ZONE          the zone of the hosts (default: each host's parent;
                           for dynv6-rfc2136 the host itself)
      --ttl SECONDS        TTL of the records, 1 to 86400 (default 60)
      --tcp                use TCP only (default: UDP, TCP when the reply is
                           truncated). Addresses must be given: a DNS server
                           publishes no address it sees, so 'auto' is refused.

API providers (cloudflare porkbun hetzner gandi digitalocean godaddy linode
  desec-api powerdns namecheap scaleway route53 namesilo netcup ionos dnspod
  aliyun luadns ns1 servercow beget xname huaweicloud transip gcp): each
  host's A/AAAA record is read, and written (its value only) when it differs;
  a missing one is created. Addresses come from --ipv4/--ipv6 ADDRESS,
  if[:IFACE] or web, or -i IFACE; by default from the web check ('auto' is
  refused). transip and gcp sign with the account's RSA key: --password-file
  holds it whole (PEM, or gcp's JSON key file).
      --zone ZONE          the zone of the hosts (default: found through the
                           API)
      --zone-id ID         cloudflare: the zone's ID (no zone lookup); gcp:
                           PROJECT/ZONE, the project and managed zone
      --ttl SECONDS        TTL of a created record (default: the provider's)

Addresses:
  -4, -6                   only this address family (the other is not sent)
      --ipv4 SRC           ADDRESS | auto | none | if[:IFACE] | web[:URL]
      --ipv6 SRC           ADDRESS[/LEN] | auto | none | if[:IFACE] | web[:URL]
      --ipv6-prefix SRC    CIDR | auto | if[:IFACE]        (dynv6 only)
                           auto: the provider takes the address the request
                           comes from; dynup forces the connection to that
                           family. As dynup cannot see such an address
                           change, it repeats an auto update at most hourly.
                           if: the interface's address (if:IFACE, or -i
                           IFACE); for --ipv6-prefix, the network of it.
                           web: the address a check-IP server sees, over a
                           connection of that family: web:URL, else
                           DYNUP_CHECKIP (URLs, space-separated), else a
                           built-in list (api.ipify.org, v4/v6.ident.me,
                           icanhazip.com, checkip.dyndns.org,
                           ipv6.nsupdate.info), each with a 5-second limit;
                           the first address of the family in a small answer
                           counts.
  -i, --interface IFACE    the interface for `if`. Given without --ipv4/--ipv6
                           it is also the default source: IPv6 from IFACE;
                           IPv4 from IFACE when it has a public address, else
                           from the web. A family such a default finds
                           nothing for is left out (a warning); nothing at
                           all is exit 3. An interface that does not exist
                           is exit 2, naming those that do.
                           Defaults without -i, -4, -6, --ipv4, --ipv6: IPv4
                           auto, and this host's global IPv6 address too when
                           it has one and the provider takes both families in
                           one run (dynv6, noip, dyndns2, he.net, desec,
                           duckdns, ...; README \"Which addresses\"); without
                           one, IPv4 alone (a note under -v). -6 alone: auto.
      --allow-ula          IPv6 from an interface may be a ULA (fc00::/7)
      --allow-private      IPv4 may be private (RFC 1918), CGNAT (100.64/10),
                           link-local or loopback
      --ipv6-host-id ::ID  publish the found IPv6 address's /64 prefix with
                           this interface identifier (a LAN host behind the
                           router)
      --ipv6-neighbor MAC  publish the IPv6 address of the LAN host with this
                           MAC (52:54:00:12:34:56), from the neighbour table
                           of -i IFACE (what `ip -6 neigh show dev IFACE`
                           lists); never a link-local, FAILED or INCOMPLETE
                           entry, a ULA only with --allow-ula. Then global
                           before ULA, the MAC's own EUI-64 address (or the
                           --ipv6-host-id one) before others, confirmed
                           before stale, the lowest address
      --show-addresses     print every interface address dynup sees (only
                           IFACE's with -i), the one it would pick per family
                           and why each other one was not picked (with
                           --ipv6-neighbor, that MAC's neighbour entries
                           too); contact nothing; exit 0, or 3 when none is
                           usable

Address rules (for `if`, check-IP answers and --show-addresses):
  IPv6: global unicast (2000::/3) only; never link-local, loopback, multicast,
  tentative, dadfailed or deprecated; ULA (fc00::/7) only with --allow-ula.
  Then global before ULA, stable before temporary (privacy), the longest
  preferred lifetime, the lowest address.
  IPv4: private, CGNAT, link-local and loopback only with --allow-private. Then
  public before those, primary before secondary, the longest preferred
  lifetime, the lowest address.
  A source given by flag that finds nothing: exit 3, and nothing is sent.

Registered-address check (ddns-scripts' lookup_host; opt-in):
      --lookup-host NAME   before sending, ask the DNS for NAME's A (and/or
                           AAAA) record. When it already holds the address to
                           publish and the state has no record of it (first
                           run, new address), that is recorded as confirmed
                           and nothing is sent. Another address, NXDOMAIN or
                           no record: sent as usual. A failed lookup is a
                           warning; the run goes on as without the check. One
                           lookup stands for every host.
      --dns-server HOST[:PORT]
                           the server to ask (default: the first nameserver
                           of /etc/resolv.conf)
      --dns-tcp            ask over TCP only
  dynup registered-ip [-4|-6] [--dns-server S] [--dns-tcp] HOST
                           print the address HOST's A (-6: AAAA) record
                           holds; exit 0, or 3 when there is none (see its
                           --help)

State (what was sent, and holds after fatal answers):
      --cache-dir DIR      where state lives (env DYNUP_CACHE_DIR; default
                           /var/run/dynup for root, else
                           $XDG_STATE_HOME/dynup or ~/.local/state/dynup)
  -f, --force              send even if unchanged or held off
      --max-age DURATION   resend an unchanged address after this long
                           (default 25d; units s, m, h, d; e.g. 12h)

Transport:
      --user-agent STRING  User-Agent sent; the default has the form No-IP
                           requires:
    \"{user_agent}\"
      --timeout SECONDS    limit on each request to the provider (an HTTP
                           request or a DNS UPDATE exchange), from connecting
                           to the end of its answer (default 20); each host
                           and family may take one
      --cacert FILE        PEM bundle to trust instead of the default roots
                           (env DYNUP_CACERT; default:
                           /etc/ssl/certs/ca-certificates.crt when present,
                           else the roots built into dynup); a bundle over
                           {ca_cap} is refused
      --bind IFACE         send everything of this run (provider, check-IP,
                           DNS UPDATE over UDP and TCP) out of IFACE, from
                           IFACE's own address of the family used
                           (SO_BINDTODEVICE, needs root): with two uplinks
                           (mwan3), each record is updated over the link it
                           describes. Name lookups still use the system
                           resolver. No such interface: exit 2

Output:
  -n, --dry-run            say what would be sent (secrets masked), or why
                           nothing would be (unchanged since, held since);
                           send nothing
  -v, --verbose            show requests (secrets masked), answers and
                           decisions on stderr
  -q, --quiet              print nothing but errors
      --syslog             also send each message to the system log
                           (/dev/log, facility daemon, tag dynup; `logread
                           -e dynup` on OpenWRT); without a log socket,
                           stdout/stderr only
  -h                       the short help
      --help, dynup help   this text
  -V, --version            the version

A flag wins over its environment variable. One line per host goes to stdout
when something was sent (\"host: updated A 203.0.113.7\"); errors go to stderr.
Unchanged addresses are not sent again. After a fatal answer (codes 10 to 15)
the host is held: later runs do not contact the provider until its
configuration (server, user, secret, hostnames, User-Agent) changes, --force is
given or `dynup release HOST` lifts the hold. After code 16 the host is held
for at least 30 minutes. A run says its held hosts in one line (none with -q;
the exit code still tells).

Many jobs (a UCI file: /etc/config/dynup on OpenWRT, /etc/dynup.conf
elsewhere):
      --config FILE [JOB...]
                           run the enabled `config job` sections of FILE (or
                           the named ones). Each option is a long flag's name
                           with _ for - (option provider 'noip', option
                           password_file ..., list hostname ...), plus
                           enabled, username, family (ipv4|ipv6|both),
                           interface (a device or an OpenWRT network),
                           device, tsig_key. Flags given here apply to every
                           job and win. Each job's state goes in DIR/JOB of
                           the cache directory. A file holding a secret
                           (password, token, tsig_key) must not be readable
                           by others.
      --check              with --config: validate every job (or the named
                           ones), contact nothing
      --hotplug            with --config: run the jobs of the network (or
                           device) of OpenWRT's hotplug event (ACTION,
                           INTERFACE, DEVICE); nothing while `config global`
                           has option watch '1'
      --watch              with --config: keep running; run a job when an
                           address or link of its interface changes (after
                           duplicate address detection, within 2 s), and on
                           timers only for web sources (5 min), auto (1 h),
                           --max-age and retries after exit 4 (30 s,
                           doubling to 15 min) or 16 (30 min). SIGHUP reloads
                           FILE, SIGTERM stops.

Hooks (run by /bin/sh after the run, at most --timeout seconds; a failing hook
is reported and changes no exit code; no secret is in their environment):
      --on-change CMD      after a host's records changed
      --on-failure CMD     after a host's run failed
                           Environment: DYNUP_HOST, DYNUP_PROVIDER,
                           DYNUP_IPV4, DYNUP_IPV6, DYNUP_EXIT, DYNUP_MESSAGE

Drop-in modes for the scripts dynup replaces (their arguments, environment
and messages; `dynup compat NAME --help` tells each one's details):
  dynup compat dynv6.sh HOSTNAME [DEVICE]     (token=... in the environment)
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
        ca_cap = crate::file::size(crate::http::MAX_CA_BUNDLE),
        table = exit::table_text(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_lists_every_exit_code() {
        let help = help_text();
        for exit in crate::exit::TABLE {
            assert!(help.contains(exit.meaning()), "{}", exit.meaning());
        }
    }
}
