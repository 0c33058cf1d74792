//! Duck DNS's own API (https://www.duckdns.org/spec.jsp).
//!
//! `GET /update?domains=a,b&token=T[&ip=V4][&ipv6=V6]&verbose=true`. The domains are
//! the sub-names without `.duckdns.org`. Without `ip` (and without `ipv6`) Duck DNS
//! takes the IPv4 address of the connection; it cannot detect IPv6. The answer is
//! `OK` or `KO`; with `verbose=true` an `OK` is followed by the IPv4, the IPv6 and
//! `UPDATED` or `NOCHANGE`. `KO` does not say why: a wrong token or a domain not in
//! the account, both for the user to fix, so it maps to 10.

use super::{status_failure, Publish, Request, Verdict};
use crate::config::Job;
use crate::exit::{Exit, Failure};
use crate::http::{Answer, Family};
use crate::url::UrlBuilder;

const SUFFIX: &str = ".duckdns.org";

/// `myhome.duckdns.org` → `myhome`, as the API wants the sub-name.
pub fn sub_name(host: &str) -> &str {
    let host = host.strip_suffix('.').unwrap_or(host);
    match host.len().checked_sub(SUFFIX.len()) {
        Some(cut) if host[cut..].eq_ignore_ascii_case(SUFFIX) => &host[..cut],
        _ => host,
    }
}

pub fn plan(job: &Job, hosts: &[usize], publish: &Publish) -> Vec<Request> {
    // Duck DNS detects IPv4 only when neither `ip` nor `ipv6` is given, so an auto
    // IPv4 goes alone, on an IPv4 connection, and known values in a request of their own.
    let lanes = [
        (Family::Any, publish.known()),
        (Family::V4, publish.auto_for(Family::V4)),
    ];
    let domains: Vec<&str> = hosts.iter().map(|&i| sub_name(&job.hosts[i])).collect();
    lanes
        .into_iter()
        .filter(|(_, values)| !values.is_empty())
        .map(|(family, values)| {
            let mut url = UrlBuilder::new(job.server_for(family), job.preset.path)
                .param("domains", &domains.join(","))
                .secret_param("token", job.secret_value());
            if let Some(v4) = values.known_ipv4_text() {
                url = url.param("ip", &v4);
            }
            if let Some(v6) = values.known_ipv6_bare_text() {
                url = url.param("ipv6", &v6);
            }
            let (url, shown_url) = url.param("verbose", "true").build();
            Request {
                url,
                shown_url,
                basic_auth: None,
                family,
                hosts: hosts.to_vec(),
                publish: values,
            }
        })
        .collect()
}

pub fn interpret(request: &Request, answer: &Answer) -> Vec<Verdict> {
    let lines: Vec<&str> = answer.body.lines().map(str::trim).collect();
    let first = lines.first().copied().unwrap_or("");
    let success = answer.is_success();
    let verdict = match first {
        "OK" if success => {
            // verbose: OK, IPv4, IPv6, UPDATED|NOCHANGE
            let seen = [lines.get(1), lines.get(2)]
                .into_iter()
                .flatten()
                .filter(|l| !l.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(",");
            let seen = Some(seen).filter(|s| !s.is_empty());
            match lines.get(3).copied() {
                Some("NOCHANGE") => Verdict::Current { seen },
                _ => Verdict::Updated { seen },
            }
        }
        "KO" => Verdict::Failed(Failure::new(
            Exit::BadAuth,
            "Duck DNS answered KO: wrong token, or a domain not in this account",
        )),
        _ if !success => Verdict::Failed(status_failure(answer)),
        _ => Verdict::Failed(super::unexpected_answer(answer)),
    };
    vec![verdict; request.hosts.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::test_answers::{answer, outcome, request};

    fn code(status: u16, body: &str) -> (u8, bool) {
        outcome(&interpret(&request(1), &answer(status, body))[0])
    }

    #[test]
    fn answers() {
        assert_eq!(code(200, "OK"), (0, true));
        assert_eq!(code(200, "OK\n203.0.113.7\n\nUPDATED"), (0, true));
        assert_eq!(code(200, "OK\n203.0.113.7\n\nNOCHANGE"), (0, false));
        assert_eq!(code(200, "KO"), (10, false));
        assert_eq!(code(200, "OKAY"), (1, false));
        assert_eq!(code(500, ""), (16, false));
    }

    #[test]
    fn sub_names() {
        assert_eq!(sub_name("myhome.duckdns.org"), "myhome");
        assert_eq!(sub_name("MyHome.DuckDNS.org."), "MyHome");
        assert_eq!(sub_name("myhome"), "myhome");
    }
}
