//! The HTTP API of the Python/Flask "dyndns" server, PyPI `dyndns` 2.0.0 (seed 002;
//! protocols.md section 4), what `dyndns-update-script.sh` talks to.
//!
//! - `GET /update-by-query?secret=S&fqdn=F[&ipv4=][&ipv6=][&ttl=]`, or
//!   `zone_name=Z&record_name=R` instead of `fqdn` (`--zone`);
//! - `GET /update-by-path/SECRET/FQDN[/IP_1[/IP_2]]` (`--by-path`);
//! - `GET /delete-by-path/SECRET/FQDN` (`--delete`): removes A and AAAA.
//!
//! Without an address the server takes the connection's. It replaces A and AAAA on
//! every update and DELETES the family not sent, which `config` warns about.
//! Success is HTTP 200 with one line per record, `UPDATED: h.zone. A None -> 1.2.3.4`
//! or `UNCHANGED: h.zone. AAAA 2001:db8::1`; errors are `LEVEL: message` with a status
//! per level (453 DNS_NAME_ERROR, 454 IP_ADDRESS_ERROR, 455 CONFIGURATION_ERROR,
//! 456 PARAMETER_ERROR, also for a wrong secret, 457 CHECK_ERROR, 512
//! DNS_SERVER_ERROR, 452 other dyndns errors, 500 anything else).

use super::{status_failure, Publish, Request, Verdict};
use crate::config::Job;
use crate::exit::{Exit, Failure};
use crate::http::{Answer, Family};
use crate::url::UrlBuilder;

/// The record name of `host` in `zone`: the host without the zone, or the host
/// itself when it is given relative to the zone already.
fn record_name<'a>(host: &'a str, zone: &str) -> &'a str {
    let host = host.strip_suffix('.').unwrap_or(host);
    match host.len().checked_sub(zone.len() + 1) {
        Some(cut) if host[cut + 1..].eq_ignore_ascii_case(zone) && host.as_bytes()[cut] == b'.' => {
            &host[..cut]
        }
        _ => host,
    }
}

/// The fully qualified name of `host`.
fn fqdn(host: &str, zone: Option<&str>) -> String {
    let host = host.strip_suffix('.').unwrap_or(host);
    match zone {
        Some(zone) if record_name(host, zone) == host => format!("{host}.{zone}"),
        _ => host.to_string(),
    }
}

pub fn plan(job: &Job, hosts: &[usize], publish: &Publish) -> Vec<Request> {
    // `config` allows `auto` only for a family sent alone: that request travels on a
    // connection of that family and carries no address.
    let family = publish.auto_family();
    let v4 = publish.known_ipv4_text();
    let v6 = publish.known_ipv6_bare_text();
    let server = job.server_for(family);
    let secret = job.secret_value();
    let zone = job.zone.as_deref();
    hosts
        .iter()
        .map(|&host| {
            let name = job.hosts[host].as_str();
            let url = if job.delete {
                UrlBuilder::new(server, "/delete-by-path")
                    .segment(secret, true)
                    .segment(&fqdn(name, zone), false)
            } else if job.by_path {
                let mut url = UrlBuilder::new(server, "/update-by-path")
                    .segment(secret, true)
                    .segment(&fqdn(name, zone), false);
                for ip in v4.iter().chain(v6.iter()) {
                    url = url.segment(ip, false);
                }
                url
            } else {
                let mut url =
                    UrlBuilder::new(server, "/update-by-query").secret_param("secret", secret);
                url = match zone {
                    Some(zone) => url
                        .param("zone_name", zone)
                        .param("record_name", record_name(name, zone)),
                    None => url.param("fqdn", name),
                };
                if let Some(v4) = &v4 {
                    url = url.param("ipv4", v4);
                }
                if let Some(v6) = &v6 {
                    url = url.param("ipv6", v6);
                }
                if let Some(ttl) = job.ttl {
                    url = url.param("ttl", &ttl.to_string());
                }
                url
            };
            let (url, shown_url) = url.build();
            Request {
                url,
                shown_url,
                basic_auth: None,
                family: if job.delete { Family::Any } else { family },
                hosts: vec![host],
                publish: publish.clone(),
            }
        })
        .collect()
}

pub fn interpret(request: &Request, answer: &Answer) -> Vec<Verdict> {
    vec![verdict(answer); request.hosts.len()]
}

fn verdict(answer: &Answer) -> Verdict {
    let body = answer.body.trim();
    let said = super::excerpt(body);
    let fail = |exit: Exit, what: &str| {
        Verdict::Failed(Failure::new(
            exit,
            format!("{what}: HTTP {} \"{said}\"", answer.status),
        ))
    };
    match answer.status {
        200 => {
            let lines: Vec<&str> = body
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect();
            let updated = lines.iter().any(|l| l.starts_with("UPDATED:"));
            let all_known = lines
                .iter()
                .all(|l| l.starts_with("UPDATED:") || l.starts_with("UNCHANGED:"));
            match (lines.is_empty() || !all_known, updated) {
                (true, _) => fail(Exit::Unexpected, "unexpected answer"),
                (false, true) => Verdict::Updated { seen: None },
                (false, false) => Verdict::Current { seen: None },
            }
        }
        456 if body.contains("wrong secret") => fail(Exit::BadAuth, "wrong secret"),
        456 => fail(Exit::Rejected, "parameter rejected"),
        453 => fail(Exit::NoHost, "name not in a zone of the server"),
        454 => fail(Exit::Rejected, "address rejected"),
        455 => fail(Exit::ServerError, "the server is misconfigured"),
        457 => fail(Exit::ServerError, "the server's check failed"),
        512 => fail(Exit::ServerError, "the server's name server failed"),
        452 => fail(Exit::Rejected, "request rejected"),
        _ => Verdict::Failed(status_failure(answer)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::test_answers::{answer, outcome};

    fn code(status: u16, body: &str) -> (u8, bool) {
        outcome(&verdict(&answer(status, body)))
    }

    #[test]
    fn every_level_and_status() {
        assert_eq!(
            code(
                200,
                "UPDATED: h.z. A None -> 1.2.3.4\nUNCHANGED: h.z. AAAA None\n"
            ),
            (0, true)
        );
        assert_eq!(
            code(
                200,
                "UNCHANGED: h.z. A 1.2.3.4\nUNCHANGED: h.z. AAAA 2001:db8::1\n"
            ),
            (0, false)
        );
        assert_eq!(code(200, "dyndns v2.0.0"), (1, false));
        assert_eq!(code(200, ""), (1, false));
        assert_eq!(
            code(456, "PARAMETER_ERROR: You specified a wrong secret key.\n"),
            (10, false)
        );
        assert_eq!(code(456, "PARAMETER_ERROR: extra_forbidden"), (17, false));
        assert_eq!(code(453, "DNS_NAME_ERROR: x"), (11, false));
        assert_eq!(code(454, "IP_ADDRESS_ERROR: x"), (17, false));
        assert_eq!(code(455, "CONFIGURATION_ERROR: x"), (16, false));
        assert_eq!(code(457, "CHECK_ERROR: x"), (16, false));
        assert_eq!(code(512, "DNS_SERVER_ERROR: x"), (16, false));
        assert_eq!(code(452, "DYNDNSERROR: No ip addresses set."), (17, false));
        assert_eq!(code(500, "NOTFOUND: x"), (16, false));
    }

    #[test]
    fn names_in_zones() {
        assert_eq!(record_name("www.example.org", "example.org"), "www");
        assert_eq!(record_name("www", "example.org"), "www");
        assert_eq!(
            record_name("wwwexample.org", "example.org"),
            "wwwexample.org"
        );
        assert_eq!(fqdn("www", Some("example.org")), "www.example.org");
        assert_eq!(
            fqdn("www.example.org", Some("example.org")),
            "www.example.org"
        );
        assert_eq!(fqdn("www.example.org", None), "www.example.org");
    }
}
