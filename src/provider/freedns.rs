//! FreeDNS (afraid.org) "direct URL" updates (OpenWRT ddns-scripts
//! afraid.org-v2-token.json, inadyn plugins/freedns.c).
//!
//! `GET /dynamic/update.php?TOKEN[&address=IP]`: the token names one record (A or
//! AAAA), so one run publishes one host and one family. Without `address` FreeDNS
//! takes the connection's address. Answers are sentences: `Updated 1 host(s) ... to
//! IP in 0.1 seconds`, `ERROR: Address IP has not changed.`, or another `ERROR: ...`
//! (`Unable to locate this record`, `Invalid update URL`: the token is wrong).

use super::{status_failure, Publish, Request, Verdict};
use crate::config::Job;
use crate::exit::{Exit, Failure};
use crate::http::Answer;
use crate::url::UrlBuilder;

pub fn plan(job: &Job, hosts: &[usize], publish: &Publish) -> Vec<Request> {
    let family = publish.auto_family();
    let mut url =
        UrlBuilder::new(job.server_for(family), job.preset.path).secret_item(job.secret_value());
    // One record per token: the IPv4 address if known, else the IPv6 one.
    if let Some(address) = publish
        .known_ipv4_text()
        .or_else(|| publish.known_ipv6_bare_text())
    {
        url = url.param("address", &address);
    }
    let (url, shown_url) = url.build();
    vec![Request {
        url,
        shown_url,
        basic_auth: None,
        family,
        hosts: hosts.to_vec(),
        publish: publish.clone(),
    }]
}

pub fn interpret(request: &Request, answer: &Answer) -> Vec<Verdict> {
    let body = answer.body.trim();
    let success = answer.is_success();
    let said = super::excerpt(body);
    let verdict = if success && body.starts_with("Updated ") {
        Verdict::Updated { seen: None }
    } else if success && body.starts_with("ERROR") && body.contains("has not changed") {
        Verdict::Current { seen: None }
    } else if body.contains("Unable to locate this record") || body.contains("Invalid update URL") {
        Verdict::Failed(Failure::new(
            Exit::BadAuth,
            format!("the update token names no record: the provider answered \"{said}\""),
        ))
    } else if !success {
        Verdict::Failed(status_failure(answer))
    } else {
        Verdict::Failed(super::unexpected_answer(answer))
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
        assert_eq!(
            code(
                200,
                "Updated 1 host(s) h.mooo.com to 203.0.113.7 in 0.1 seconds"
            ),
            (0, true)
        );
        assert_eq!(
            code(200, "ERROR: Address 203.0.113.7 has not changed."),
            (0, false)
        );
        assert_eq!(
            code(
                200,
                "ERROR: Unable to locate this record (changed password recently?)"
            ),
            (10, false)
        );
        assert_eq!(code(200, "ERROR: something else"), (1, false));
        assert_eq!(code(503, ""), (16, false));
    }
}
