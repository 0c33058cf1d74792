//! RFC 2136 DNS UPDATE signed with TSIG (protocols.md section 7; seeds 000-002):
//! for each host one message that, per family, deletes the RRset and adds the
//! new record; the reply counts only when its TSIG verifies.

use std::net::SocketAddr;

use super::{Publish, Verdict};
use crate::addr::Wanted;
use crate::clock;
use crate::config::Job;
use crate::dns::key::TsigKey;
use crate::dns::message::{self, Change, Rdata, Reply};
use crate::dns::name::Name;
use crate::dns::{transport, tsig};
use crate::exit::{Exit, Failure};
use crate::output::Out;

/// What the zone is when `--zone` is not given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefaultZone {
    /// The host's parent: `h.example.org` is in `example.org` (a self-hosted zone).
    Parent,
    /// The host itself: each dynv6 host is its own zone, and dynv6 authorizes
    /// the key by the zone section (seeds 000, 001).
    Host,
}

/// The TTL of the records when `--ttl` is not given; dynv6's example uses 60.
pub const DEFAULT_TTL: u32 = 60;
pub const DEFAULT_PORT: u16 = 53;

/// The zone `host` is updated in.
pub fn zone_for(default: DefaultZone, zone: Option<&str>, host: &str) -> Result<Name, Failure> {
    let host_name =
        Name::parse(host).map_err(|why| Failure::usage(format!("HOSTNAME '{host}': {why}")))?;
    let zone = match (zone, default) {
        (Some(zone), _) => {
            Name::parse(zone).map_err(|why| Failure::usage(format!("--zone '{zone}': {why}")))?
        }
        (None, DefaultZone::Host) => host_name.clone(),
        (None, DefaultZone::Parent) => host_name.parent().ok_or_else(|| {
            Failure::usage(format!(
                "{host} has no parent zone; give the zone with --zone ZONE"
            ))
        })?,
    };
    if !host_name.is_within(&zone) {
        return Err(Failure::usage(format!(
            "{host} is not in zone {zone}; give its zone with --zone ZONE"
        )));
    }
    Ok(zone)
}

fn default_zone(job: &Job) -> DefaultZone {
    match job.preset.protocol {
        super::Protocol::Rfc2136 { zone } => zone,
        _ => DefaultZone::Parent,
    }
}

/// Usage errors found before anything is sent.
pub fn check(job: &Job) -> Result<(), Failure> {
    let name = job.preset.name;
    if job.ipv4.is_some_and(|w| w.is_auto()) || job.ipv6.is_some_and(|w| w.is_auto()) {
        return Err(Failure::usage(format!(
            "{name}: 'auto' has no meaning here (a DNS server does not publish the address \
             it sees; --ipv4 defaults to auto): give --ipv4 ADDRESS (or if[:IFACE], web) \
             and/or --ipv6 ADDRESS (or if[:IFACE]), or -i IFACE to read the interface"
        )));
    }
    if job
        .ipv6
        .is_some_and(|w| matches!(w, Wanted::Addr(a) if a.len.is_some()))
    {
        return Err(Failure::usage(
            "--ipv6: an AAAA record holds an address, not a prefix length; drop the /LEN",
        ));
    }
    for host in &job.hosts {
        zone_for(default_zone(job), job.zone.as_deref(), host)?;
    }
    Ok(())
}

/// The records `publish` asks for, for `name`.
fn changes(name: &Name, ttl: u32, publish: &Publish) -> Vec<Change> {
    let mut changes = Vec::new();
    if let Some(Wanted::Addr(v4)) = publish.ipv4 {
        changes.push(Change {
            name: name.clone(),
            ttl,
            rdata: Rdata::A(v4),
        });
    }
    if let Some(Wanted::Addr(v6)) = publish.ipv6 {
        changes.push(Change {
            name: name.clone(),
            ttl,
            rdata: Rdata::Aaaa(v6.addr),
        });
    }
    changes
}

/// Sends one signed UPDATE per host of `hosts`; returns each host's verdict.
/// With `--dry-run`, says what would be sent and returns nothing.
pub fn send(job: &Job, out: &Out, hosts: &[usize], publish: &Publish) -> Vec<(usize, Verdict)> {
    let fail_all = |failure: Failure| -> Vec<(usize, Verdict)> {
        hosts
            .iter()
            .map(|&h| (h, Verdict::Failed(failure.clone())))
            .collect()
    };
    let server = &job.server;
    let Some(key) = &job.tsig else {
        return fail_all(Failure::usage(
            "no TSIG key: --tsig-key-file FILE or DYNUP_TSIG_KEY",
        ));
    };
    let ttl = job.ttl.unwrap_or(DEFAULT_TTL);
    let signed_by = format!("TSIG key {} ({})", key.name, key.algorithm.name());
    let mut verdicts = Vec::new();
    let mut address = None;
    for &host in hosts {
        let hostname = &job.hosts[host];
        // Both were checked when the job was made; an error here is only reported.
        let zone = zone_for(default_zone(job), job.zone.as_deref(), hostname);
        let name = Name::parse(hostname).map_err(Failure::usage);
        let (zone, name) = match (zone, name) {
            (Ok(zone), Ok(name)) => (zone, name),
            (Err(failure), _) | (_, Err(failure)) => {
                verdicts.push((host, Verdict::Failed(failure)));
                continue;
            }
        };
        let what = format!(
            "UPDATE zone {zone}: {hostname} {} (TTL {ttl}), signed with {signed_by}",
            publish.describe()
        );
        if job.dry_run {
            out.result(&format!("would send to {server}: {what}"));
            continue;
        }
        // Resolved once, for the first host that is sent.
        let target = match address {
            Some(target) => target,
            None => match transport::resolve(&server.host, server.port.unwrap_or(DEFAULT_PORT)) {
                Ok(target) => *address.insert(target),
                Err(failure) => return fail_all(at_server(job, failure)),
            },
        };
        if server.to_string() == target.to_string() {
            out.detail(&format!("to {server}: {what}"));
        } else {
            out.detail(&format!("to {server} ({target}): {what}"));
        }
        let changes = changes(&name, ttl, publish);
        let verdict = match update(job, key, target, &zone, &changes, out) {
            Ok(()) => Verdict::Updated { seen: None },
            Err(failure) => Verdict::Failed(at_server(job, failure)),
        };
        verdicts.push((host, verdict));
    }
    verdicts
}

fn at_server(job: &Job, mut failure: Failure) -> Failure {
    failure.message = format!("{}: {}", job.server, failure.message);
    failure
}

/// A message ID nobody can guess, so that a forged reply has to guess it.
fn random_id() -> u16 {
    use ring::rand::SecureRandom;
    let mut bytes = [0u8; 2];
    match ring::rand::SystemRandom::new().fill(&mut bytes) {
        Ok(()) => u16::from_be_bytes(bytes),
        Err(_) => (std::process::id() as u16) ^ (clock::now() as u16),
    }
}

fn update(
    job: &Job,
    key: &TsigKey,
    address: SocketAddr,
    zone: &Name,
    changes: &[Change],
    out: &Out,
) -> Result<(), Failure> {
    let id = random_id();
    let mut request = message::encode_update(id, zone, changes);
    let request_mac = tsig::sign(&mut request, key, clock::now());
    let check = |bytes: &[u8]| message::decode_reply(bytes, id, zone);
    let (bytes, reply, via) = transport::exchange(
        address,
        &request,
        job.tcp,
        job.http.timeout,
        job.http.bind.as_ref(),
        &check,
    )?;
    out.detail(&format!(
        "reply over {}: {}{}",
        via.name(),
        message::rcode_name(reply.rcode),
        match &reply.tsig {
            Some(record) if record.error != 0 => format!(", {}", tsig::error_name(record.error)),
            Some(_) => String::new(),
            None => ", unsigned".to_string(),
        }
    ));
    judge(&bytes, &reply, key, &request_mac, zone, clock::now())
}

/// What the server's reply means: `Ok` only for a NOERROR whose TSIG verifies
/// against the request's MAC and is signed within the fudge of our clock.
pub fn judge(
    bytes: &[u8],
    reply: &Reply,
    key: &TsigKey,
    request_mac: &[u8],
    zone: &Name,
    now: u64,
) -> Result<(), Failure> {
    let rcode = reply.rcode;
    let Some(record) = &reply.tsig else {
        return Err(match rcode {
            0 => Failure::new(
                Exit::Unexpected,
                "the server answered NOERROR without a TSIG signature; not trusted",
            ),
            // An unsigned REFUSED says nothing checkable about why: PowerDNS sends
            // it for a clock out of the fudge as for an unknown key. A router's
            // clock is often wrong right after boot, so retry later instead of
            // holding until the configuration changes.
            5 => Failure::new(
                Exit::ServerError,
                format!(
                    "the server refused the update for zone {zone} (REFUSED, the reply is \
                     not signed): this machine's clock or the TSIG key may be wrong; \
                     trying again after the retry hold"
                ),
            ),
            // A refused signature comes with a TSIG record carrying the error
            // (RFC 8945 section 5.3.2); without one, NOTAUTH is about the zone,
            // as Knot answers for a zone it does not serve.
            9 => Failure::new(
                Exit::NoHost,
                format!(
                    "the server is not authoritative for zone {zone} (NOTAUTH, the reply \
                     is not signed)"
                ),
            ),
            _ => {
                let mut failure = rcode_failure(rcode, zone);
                failure.message.push_str(" (the reply is not signed)");
                failure
            }
        });
    };
    if !record.key_name.same_as(&key.name) || !record.algorithm.same_as(&key.algorithm.wire_name())
    {
        return Err(Failure::new(
            Exit::Unexpected,
            format!(
                "the reply is signed with another key ({} {}); not trusted",
                record.key_name, record.algorithm
            ),
        ));
    }
    // A server that cannot verify the request cannot sign its answer either
    // (RFC 8945 section 5.3.2): the error travels unsigned.
    if record.mac.is_empty() && record.error != 0 {
        return Err(tsig_failure(record, key, now));
    }
    if !tsig::verify(bytes, reply.tsig_start, record, key, Some(request_mac)) {
        return Err(Failure::new(
            Exit::Unexpected,
            "the reply's TSIG signature does not verify; not trusted",
        ));
    }
    if record.error != 0 {
        return Err(tsig_failure(record, key, now));
    }
    if !record.time_ok(now) {
        return Err(clock_failure(
            record.time_signed,
            now,
            "the reply was signed at",
        ));
    }
    match rcode {
        0 => Ok(()),
        // Signed and without TSIG error: the key is fine, the server just does
        // not serve this zone (RFC 2136 section 2.2, NOTAUTH).
        9 => Err(Failure::new(
            Exit::NoHost,
            format!("the server is not authoritative for zone {zone} (NOTAUTH)"),
        )),
        _ => Err(rcode_failure(rcode, zone)),
    }
}

/// The RCODE table of DESIGN.md.
fn rcode_failure(rcode: u8, zone: &Name) -> Failure {
    let name = message::rcode_name(rcode);
    let (exit, why) = match rcode {
        1 => (
            Exit::Rejected,
            "the server could not parse the update".to_string(),
        ),
        2 => (
            Exit::ServerError,
            "the server failed to apply the update".to_string(),
        ),
        3 => (Exit::NoHost, format!("zone {zone} does not exist there")),
        5 => (
            Exit::BadAuth,
            format!("the server refused the update: the key may not update zone {zone}"),
        ),
        10 => (Exit::NoHost, format!("the name is not in zone {zone}")),
        _ => (
            Exit::Unexpected,
            format!("unexpected answer (RCODE {rcode})"),
        ),
    };
    Failure::new(exit, format!("{why} ({name})"))
}

fn tsig_failure(record: &tsig::Record, key: &TsigKey, now: u64) -> Failure {
    let error = tsig::error_name(record.error);
    match record.error {
        tsig::BADSIG => Failure::new(
            Exit::BadAuth,
            format!(
                "the server rejected the signature of key {} ({error}): wrong secret?",
                key.name
            ),
        ),
        tsig::BADKEY => Failure::new(
            Exit::BadAuth,
            format!(
                "the server does not know key {} with {} ({error})",
                key.name,
                key.algorithm.name()
            ),
        ),
        tsig::BADTIME => {
            let server = record.server_time().unwrap_or(record.time_signed);
            clock_failure(server, now, "the server's clock says")
        }
        _ => Failure::new(Exit::Unexpected, format!("the server answered {error}")),
    }
}

/// TSIG needs the clocks within 5 minutes; routers without a real-time clock
/// start in 1970 or at their build date until NTP has answered.
fn clock_failure(theirs: u64, now: u64, what: &str) -> Failure {
    Failure::new(
        Exit::Rejected,
        format!(
            "BADTIME: {what} {}, this machine's clock {}: the router's clock is probably \
             wrong (TSIG allows {} s); wait for NTP or set the time",
            clock::format_utc(theirs),
            clock::format_utc(now),
            tsig::FUDGE
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dns::message::{decode_reply, tests as msg};
    use crate::dns::tsig::tests::{key, signed_reply};

    const KEY: &str = "hmac-sha256:k.example:c2VjcmV0IGtleSBieXRlcw==";
    const NOW: u64 = 1_700_000_000;

    /// The exit code `judge` gives a reply (0 for success).
    fn code(reply: &[u8]) -> (u8, String) {
        let zone = msg::name("example.org");
        let decoded = decode_reply(reply, 9, &zone).expect("decodes");
        match judge(reply, &decoded, &key(KEY), b"request mac", &zone, NOW) {
            Ok(()) => (0, String::new()),
            Err(failure) => (failure.exit.code(), failure.message),
        }
    }

    fn signed(rcode: u8, error: u16) -> Vec<u8> {
        signed_reply(
            &key(KEY),
            b"request mac",
            (9, rcode),
            (NOW, error, b""),
            true,
        )
    }

    #[test]
    fn signed_rcodes_map_to_the_exit_table() {
        for (rcode, want) in [
            (0, 0),
            (1, 17),
            (2, 16),
            (3, 11),
            (4, 1),
            (5, 10),
            (7, 1),
            (9, 11),
            (10, 11),
            (15, 1),
        ] {
            assert_eq!(code(&signed(rcode, 0)).0, want, "RCODE {rcode}");
        }
    }

    #[test]
    fn tsig_errors_map_to_the_exit_table() {
        let k = key(KEY);
        let unsigned = |error| signed_reply(&k, b"request mac", (9, 9), (NOW, error, b""), false);
        let (badsig, message) = code(&unsigned(tsig::BADSIG));
        assert_eq!(badsig, 10);
        assert!(
            message.contains("BADSIG") && message.contains("wrong secret"),
            "{message}"
        );
        let (badkey, message) = code(&unsigned(tsig::BADKEY));
        assert_eq!(badkey, 10);
        assert!(message.contains("k.example"), "{message}");
        assert_eq!(code(&unsigned(tsig::BADTRUNC)).0, 1);

        // BADTIME is signed and carries the server's clock (an hour ahead here).
        let later = (NOW + 3600).to_be_bytes();
        let badtime = signed_reply(
            &k,
            b"request mac",
            (9, 9),
            (NOW, tsig::BADTIME, &later[2..]),
            true,
        );
        let (exit, message) = code(&badtime);
        assert_eq!(exit, 17);
        assert!(message.contains("clock is probably wrong"), "{message}");
        assert!(
            message.contains(&clock::format_utc(NOW + 3600)),
            "{message}"
        );
    }

    #[test]
    fn unsigned_or_badly_signed_replies_are_not_trusted() {
        let k = key(KEY);
        // NOERROR without TSIG: a forgery could say that; not success.
        assert_eq!(code(&msg::reply(9, 0, "example.org")).0, 1);
        // Unsigned REFUSED is what PowerDNS answers for a wrong clock as for a
        // wrong key: retry later, not a hold until the configuration changes.
        let (refused, message) = code(&msg::reply(9, 5, "example.org"));
        assert_eq!(refused, 16, "{message}");
        assert!(
            message.contains("not signed") && message.contains("clock or the TSIG key"),
            "{message}"
        );
        // Knot's unsigned NOTAUTH for a zone it does not serve: no TSIG record,
        // so no TSIG failure (RFC 8945 puts those in a TSIG record).
        let (notauth, message) = code(&msg::reply(9, 9, "example.org"));
        assert_eq!(notauth, 11, "{message}");
        assert!(message.contains("example.org"), "{message}");
        // NOERROR with an empty MAC and no error.
        let empty = signed_reply(&k, b"request mac", (9, 0), (NOW, 0, b""), false);
        assert_eq!(code(&empty).0, 1);
        // A MAC over another request.
        let other = signed_reply(&k, b"other mac", (9, 0), (NOW, 0, b""), true);
        assert_eq!(code(&other).0, 1);
        // Another key's name, and another secret.
        let stranger = key("hmac-sha256:other.example:c2VjcmV0IGtleSBieXRlcw==");
        let by_stranger = signed_reply(&stranger, b"request mac", (9, 0), (NOW, 0, b""), true);
        assert!(code(&by_stranger).1.contains("another key"));
        let wrong_secret = key("hmac-sha256:k.example:d3Jvbmc=");
        let forged = signed_reply(&wrong_secret, b"request mac", (9, 0), (NOW, 0, b""), true);
        assert!(code(&forged).1.contains("does not verify"));
        // Signed long before our clock: BADTIME on our side.
        let old = signed_reply(&k, b"request mac", (9, 0), (NOW - 301, 0, b""), true);
        assert_eq!(code(&old).0, 17);
    }

    #[test]
    fn zones_default_by_preset() {
        let zone = |default, zone: Option<&str>, host: &str| {
            zone_for(default, zone, host)
                .map(|z| z.to_string())
                .map_err(|f| f.message)
        };
        assert_eq!(
            zone(DefaultZone::Parent, None, "h.example.org"),
            Ok("example.org".into())
        );
        assert_eq!(
            zone(DefaultZone::Host, None, "h.dynv6.net"),
            Ok("h.dynv6.net".into())
        );
        assert_eq!(
            zone(DefaultZone::Parent, Some("example.org"), "a.b.example.org"),
            Ok("example.org".into())
        );
        let err = zone(DefaultZone::Parent, Some("example.net"), "h.example.org");
        assert!(err.is_err_and(|m| m.contains("--zone")));
        let err = zone(DefaultZone::Parent, None, "localhost");
        assert!(err.is_err_and(|m| m.contains("--zone")));
    }
}
