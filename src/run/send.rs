//! Sending: the requests of one run over HTTP, DNS UPDATE or a provider's API,
//! and each host's verdicts.

use super::HostRun;
use crate::config::Job;
use crate::http::{Client, Family, MAX_ANSWER};
use crate::output::Out;
use crate::provider::{self, api, rfc2136, Protocol, Publish, Verdict};

pub(super) fn send_all(
    job: &Job,
    out: &Out,
    to_send: &[usize],
    publish: &Publish,
    hosts: &mut [HostRun],
) {
    // DNS UPDATE is not HTTP: its own transport, the same verdicts.
    if matches!(job.preset.protocol, Protocol::Rfc2136 { .. }) {
        for (host, verdict) in rfc2136::send(job, out, to_send, publish) {
            hosts[host].results.push((publish.clone(), verdict, None));
        }
        return;
    }
    // An API reads each record and writes it when it differs: one verdict per record.
    if matches!(job.preset.protocol, Protocol::Api(_)) {
        for (host, carried, verdict, retry_after) in api::send(job, out, to_send, publish) {
            hosts[host].results.push((carried, verdict, retry_after));
        }
        return;
    }
    let requests = provider::plan(job, to_send, publish);
    let client = Client::new(&job.http);
    for request in &requests {
        let family = match request.family {
            Family::Any => "",
            Family::V4 => " (over IPv4)",
            Family::V6 => " (over IPv6)",
        };
        let auth = match &request.basic_auth {
            Some((user, _)) => format!(" (Basic auth as {user}, password ***)"),
            None => String::new(),
        };
        if job.dry_run {
            out.result(&format!(
                "would send: GET {}{family}{auth}",
                request.shown_url
            ));
            continue;
        }
        out.detail(&format!("GET {}{family}{auth}", request.shown_url));
        match client.send(request) {
            Ok(answer) => {
                // Judged before masking, which can shorten the body.
                let cut = if answer.body.len() >= MAX_ANSWER {
                    " (cut)"
                } else {
                    ""
                };
                let answer = answer.masked(&job.redactor);
                out.detail(&format!(
                    "HTTP {} \"{}\"{cut}",
                    answer.status,
                    provider::excerpt(&answer.body)
                ));
                let verdicts = provider::interpret(job, request, &answer);
                for (&host, verdict) in request.hosts.iter().zip(verdicts) {
                    hosts[host].results.push((
                        request.publish.clone(),
                        verdict,
                        answer.retry_after,
                    ));
                }
            }
            Err(failure) => {
                for &host in &request.hosts {
                    hosts[host].results.push((
                        request.publish.clone(),
                        Verdict::Failed(failure.clone()),
                        None,
                    ));
                }
            }
        }
    }
}
