//! The registered-address check (ddns-scripts' `lookup_host`, `dns_server`,
//! `force_dnstcp`): what the DNS says a host's A or AAAA record holds, asked
//! with dynup's own DNS code rather than bind-host or nslookup.
//!
//! In a run (`--lookup-host NAME`) it only ever saves a request: when the state
//! knows nothing of an address the DNS already holds, that address is recorded
//! as confirmed and not sent. Every other outcome (another address, no record,
//! a server that fails) leaves the run as it would be without the check.
//! `dynup registered-ip HOST` prints the address for LuCI's status page.

use std::ffi::OsString;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use crate::addr::Wanted;
use crate::dns::message::{Reply, TYPE_A, TYPE_AAAA};
use crate::dns::name::Name;
use crate::dns::query::{self, Answer};
use crate::dns::transport;
use crate::exit::{Exit, Failure};
use crate::output::Out;
use crate::provider::Publish;
use crate::url::Server;

/// Where the default server is named, as every resolver reads it.
const RESOLV_CONF: &str = "/etc/resolv.conf";
/// A lookup is a side question of the run: it never waits longer than this.
pub const LOOKUP_TIMEOUT: Duration = Duration::from_secs(5);
const DNS_PORT: u16 = 53;

/// `--lookup-host`, `--dns-server` and `--dns-tcp`, checked.
#[derive(Clone, Debug)]
pub struct Lookup {
    pub host: String,
    name: Name,
    /// `None`: the first nameserver of /etc/resolv.conf.
    server: Option<Server>,
    pub tcp: bool,
}

impl Lookup {
    /// The check a run asks for, if any. `--dns-server` and `--dns-tcp` only
    /// say how to look up, so without `--lookup-host` they are an error.
    pub fn from_flags(
        host: Option<&str>,
        server: Option<&str>,
        tcp: bool,
    ) -> Result<Option<Lookup>, Failure> {
        let Some(host) = host else {
            if server.is_some() || tcp {
                let flag = if server.is_some() {
                    "--dns-server"
                } else {
                    "--dns-tcp"
                };
                return Err(Failure::usage(format!(
                    "{flag} says how to look the host up: give --lookup-host NAME too"
                )));
            }
            return Ok(None);
        };
        Lookup::new(host, server, tcp, "--lookup-host").map(Some)
    }

    fn new(host: &str, server: Option<&str>, tcp: bool, flag: &str) -> Result<Lookup, Failure> {
        let name =
            Name::parse(host).map_err(|why| Failure::usage(format!("{flag} '{host}': {why}")))?;
        let server = match server {
            Some(text) => Some(Server::parse_dns(text, "--dns-server")?),
            None => None,
        };
        Ok(Lookup {
            host: host.trim_end_matches('.').to_string(),
            name,
            server,
            tcp,
        })
    }

    /// The server's socket address and how to name it in messages.
    fn server_address(&self) -> Result<(SocketAddr, String), Failure> {
        let (host, port, from) = match &self.server {
            Some(server) => (server.host.clone(), server.port, ""),
            None => {
                let text = std::fs::read_to_string(RESOLV_CONF).map_err(|e| {
                    Failure::new(
                        Exit::Network,
                        format!("cannot read {RESOLV_CONF} ({e}); give --dns-server"),
                    )
                })?;
                let host = first_nameserver(&text).ok_or_else(|| {
                    Failure::new(
                        Exit::Network,
                        format!("{RESOLV_CONF} names no nameserver; give --dns-server"),
                    )
                })?;
                (host, None, " (from /etc/resolv.conf)")
            }
        };
        let port = port.unwrap_or(DNS_PORT);
        let address = transport::resolve(&host, port)?;
        Ok((address, format!("{host}:{port}{from}")))
    }

    /// The `rtype` (A or AAAA) records of the host, as the server answers.
    pub fn query(&self, rtype: u16, timeout: Duration) -> Result<Registered, Failure> {
        let (server, shown) = self.server_address()?;
        let id = random_id();
        let request = query::encode_query(id, &self.name, rtype);
        let check = |bytes: &[u8]| {
            query::decode_answer(bytes, id, &self.name, rtype).map(|answer| Reply {
                id,
                rcode: answer.rcode,
                truncated: answer.truncated,
                tsig: None,
                tsig_start: bytes.len(),
            })
        };
        let asked =
            |message: String| format!("{} {} at {shown}: {message}", self.host, type_name(rtype));
        let (bytes, reply, _) =
            transport::exchange(server, &request, self.tcp, timeout, None, &check)
                .map_err(|f| Failure::new(f.exit, asked(f.message)))?;
        let Answer { addrs, .. } = query::decode_answer(&bytes, id, &self.name, rtype)
            .map_err(|e| Failure::new(Exit::Unexpected, asked(e.to_string())))?;
        match reply.rcode {
            0 if addrs.is_empty() => Ok(Registered::Absent(format!(
                "no {} record (NODATA)",
                type_name(rtype)
            ))),
            0 => Ok(Registered::Found(addrs)),
            3 => Ok(Registered::Absent("no such name (NXDOMAIN)".to_string())),
            rcode => {
                let name = crate::dns::message::rcode_name(rcode);
                // A resolver's SERVFAIL is passing trouble; anything else
                // (REFUSED: no recursion for us, NOTIMP) will not go away.
                let exit = if rcode == 2 {
                    Exit::Network
                } else {
                    Exit::Unexpected
                };
                Err(Failure::new(
                    exit,
                    asked(format!("the server answered {name}")),
                ))
            }
        }
    }
}

/// What the DNS holds for a name and type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Registered {
    Found(Vec<IpAddr>),
    /// Not registered: why, as the server said it.
    Absent(String),
}

fn type_name(rtype: u16) -> &'static str {
    if rtype == TYPE_AAAA {
        "AAAA"
    } else {
        "A"
    }
}

/// The address of the first `nameserver` line, as resolv.conf(5) reads it.
fn first_nameserver(text: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let mut words = line.split_whitespace();
        (words.next() == Some("nameserver"))
            .then(|| words.next())
            .flatten()
            .map(str::to_string)
    })
}

fn random_id() -> u16 {
    use ring::rand::SecureRandom;
    let mut bytes = [0u8; 2];
    match ring::rand::SystemRandom::new().fill(&mut bytes) {
        Ok(()) => u16::from_be_bytes(bytes),
        Err(_) => (std::process::id() as u16) ^ (crate::clock::now() as u16),
    }
}

/// Whether the DNS already holds exactly what `publish` would send, every
/// family of it. Says under -v what it found; a failed lookup is a warning and
/// counts as "no" (the run goes on as without the check).
pub fn holds(lookup: &Lookup, publish: &Publish, timeout: Duration, out: &Out) -> bool {
    if publish.ipv6_prefix.is_some() {
        out.detail("registered-address check: a prefix is not in the DNS; not checked");
        return false;
    }
    let mut wanted: Vec<(u16, IpAddr)> = Vec::new();
    for (rtype, value) in [
        (
            TYPE_A,
            publish.ipv4.map(|w| match w {
                Wanted::Addr(a) => Some(IpAddr::V4(a)),
                Wanted::Auto => None,
            }),
        ),
        (
            TYPE_AAAA,
            publish.ipv6.map(|w| match w {
                Wanted::Addr(a) => Some(IpAddr::V6(a.addr)),
                Wanted::Auto => None,
            }),
        ),
    ] {
        match value {
            None => {}
            Some(Some(addr)) => wanted.push((rtype, addr)),
            Some(None) => {
                out.detail(&format!(
                    "registered-address check: the {} address is the provider's \
                     to see (auto); not checked",
                    type_name(rtype)
                ));
                return false;
            }
        }
    }
    if wanted.is_empty() {
        return false;
    }
    let timeout = timeout.min(LOOKUP_TIMEOUT);
    for (rtype, addr) in wanted {
        let what = format!("{} {}", lookup.host, type_name(rtype));
        match lookup.query(rtype, timeout) {
            Ok(Registered::Found(found)) if found == [addr] => {
                out.detail(&format!("{what} is registered as {addr}"));
            }
            Ok(Registered::Found(found)) => {
                let shown: Vec<String> = found.iter().map(IpAddr::to_string).collect();
                out.detail(&format!(
                    "{what} is registered as {}, not {addr}",
                    shown.join(" ")
                ));
                return false;
            }
            Ok(Registered::Absent(why)) => {
                out.detail(&format!("{what} is not registered: {why}"));
                return false;
            }
            Err(failure) => {
                out.warn(&format!(
                    "registered-address check failed: {}; going on without it",
                    failure.message
                ));
                return false;
            }
        }
    }
    true
}

/// `dynup registered-ip ...`: run it and return its exit code; `None` for
/// any other command line.
pub fn dispatch(argv: &[OsString]) -> Option<Exit> {
    if argv.get(1).is_none_or(|a| a != "registered-ip") {
        return None;
    }
    let out = Out::plain();
    let (lookup, rtype, timeout) = match parse(argv.get(2..).unwrap_or_default()) {
        Ok(Some(parsed)) => parsed,
        Ok(None) => {
            out.text(USAGE);
            return Some(Exit::Ok);
        }
        Err(failure) => {
            out.error(&failure.message);
            return Some(failure.exit);
        }
    };
    Some(match lookup.query(rtype, timeout) {
        Ok(Registered::Found(addrs)) => {
            // One address, as ddns-scripts' helper prints it: the first.
            out.text(&format!("{}\n", addrs[0]));
            Exit::Ok
        }
        Ok(Registered::Absent(why)) => {
            out.error(&format!("{}: {why}", lookup.host));
            Exit::NoAddress
        }
        Err(failure) => {
            out.error(&failure.message);
            failure.exit
        }
    })
}

const USAGE: &str = "\
Usage: dynup registered-ip [-4|-6] [--dns-server HOST[:PORT]] [--dns-tcp]
                           [--timeout SECONDS] HOST

Prints the address HOST's A record (-6: AAAA record) holds, as the DNS server
answers: --dns-server, else the first nameserver of /etc/resolv.conf.
  --dns-tcp            ask over TCP (default: UDP, then TCP when the reply is
                       truncated)
  --timeout SECONDS    limit on the lookup, 1 to 600 (default 5)
Exit 0 with the address; 3 when the name or the record does not exist; 4 when
the server did not answer or answered SERVFAIL; 2 for bad arguments.
";

type Parsed = (Lookup, u16, Duration);

fn parse(args: &[OsString]) -> Result<Option<Parsed>, Failure> {
    parse_args(args).map_err(|e| {
        Failure::usage(format!(
            "registered-ip: {e} (see dynup registered-ip --help)"
        ))
    })?
}

fn parse_args(args: &[OsString]) -> Result<Result<Option<Parsed>, Failure>, lexopt::Error> {
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_args(args.iter().cloned());
    let (mut rtype, mut server, mut tcp) = (TYPE_A, None, false);
    let (mut timeout, mut host) = (None, None);
    while let Some(arg) = parser.next()? {
        match arg {
            Short('4') => rtype = TYPE_A,
            Short('6') => rtype = TYPE_AAAA,
            Long("dns-server") => server = Some(parser.value()?.string()?),
            Long("dns-tcp") => tcp = true,
            Long("timeout") => timeout = Some(parser.value()?.string()?),
            Short('h') | Long("help") => return Ok(Ok(None)),
            Value(value) if host.is_none() => host = Some(value.string()?),
            _ => return Err(arg.unexpected()),
        }
    }
    let Some(host) = host else {
        return Ok(Err(Failure::usage(
            "registered-ip: no HOST given (usage: dynup registered-ip [-4|-6] HOST)",
        )));
    };
    let timeout = match timeout {
        None => Ok(LOOKUP_TIMEOUT),
        Some(text) => match text.parse::<u64>() {
            Ok(secs) if (1..=600).contains(&secs) => Ok(Duration::from_secs(secs)),
            _ => Err(Failure::usage(format!(
                "--timeout: expected whole seconds from 1 to 600, got '{text}'"
            ))),
        },
    };
    Ok(timeout.and_then(|timeout| {
        let lookup = Lookup::new(&host, server.as_deref(), tcp, "registered-ip HOST")?;
        Ok(Some((lookup, rtype, timeout)))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_nameserver_line_counts() {
        let text = "# generated\nsearch lan\nnameserver 127.0.0.1\nnameserver ::1\n";
        assert_eq!(first_nameserver(text).as_deref(), Some("127.0.0.1"));
        let text = "domain lan\n  nameserver\tfe80::1%br-lan  \n";
        assert_eq!(first_nameserver(text).as_deref(), Some("fe80::1%br-lan"));
        assert_eq!(first_nameserver("search lan\nnameserver\n"), None);
        assert_eq!(first_nameserver("#nameserver 1.2.3.4\n"), None);
    }

    #[test]
    fn dns_flags_without_a_lookup_host_are_refused() {
        let err = Lookup::from_flags(None, Some("127.0.0.1"), false).err();
        assert!(err.is_some_and(|f| f.message.contains("--lookup-host")));
        let err = Lookup::from_flags(None, None, true).err();
        assert!(err.is_some_and(|f| f.message.starts_with("--dns-tcp")));
        assert!(matches!(Lookup::from_flags(None, None, false), Ok(None)));
        let err = Lookup::from_flags(Some("bad name!"), None, false).err();
        assert!(err.is_some_and(|f| f.message.starts_with("--lookup-host 'bad name!'")));
        let err = Lookup::from_flags(Some("h.example"), Some("http://x"), false).err();
        assert!(err.is_some_and(|f| f.message.starts_with("--dns-server")));
    }

    #[test]
    fn the_subcommand_reads_its_flags() {
        let args: Vec<OsString> = ["-6", "--dns-server", "[::1]:5353", "--dns-tcp", "h.example"]
            .iter()
            .map(OsString::from)
            .collect();
        let Ok(Some((lookup, rtype, timeout))) = parse(&args) else {
            panic!("parsed");
        };
        assert_eq!(
            (rtype, timeout, lookup.tcp),
            (TYPE_AAAA, LOOKUP_TIMEOUT, true)
        );
        assert_eq!(lookup.host, "h.example");
        let server = lookup.server.expect("a server");
        assert_eq!((server.host.as_str(), server.port), ("[::1]", Some(5353)));
        for bad in [
            &["a.example", "b.example"][..],
            &[],
            &["--timeout", "0", "h.example"],
        ] {
            let args: Vec<OsString> = bad.iter().map(OsString::from).collect();
            let err = parse(&args).err();
            assert!(err.is_some_and(|f| f.exit == Exit::Usage), "{bad:?}");
        }
    }
}
