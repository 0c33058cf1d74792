//! Before sending: what need not be sent (registered already, confirmed
//! recently) and what must not be (a family dyndns-server would delete).

use super::{wanted_records, HostRun};
use crate::config::Job;
use crate::exit::{Exit, Failure};
use crate::output::Out;
use crate::provider::{Protocol, Publish, Verdict};
use crate::registered;
use crate::state::{self, Decision, Kind};

/// The registered-address check: a host about to be sent only because the state
/// lacks (or holds another) address, while the DNS already holds the one to
/// publish, gets that address recorded as confirmed instead. Not with --force,
/// and not for a resend after --max-age: providers expire idle hosts.
pub(super) fn confirm_registered(
    job: &Job,
    lookup: &registered::Lookup,
    out: &Out,
    publish: &Publish,
    wanted: &[(Kind, String, bool)],
    fingerprint: &str,
    hosts: &mut [HostRun],
) {
    let unknown: Vec<usize> = (0..hosts.len())
        .filter(|&i| {
            let host = &hosts[i];
            let refresh = host.previous.as_ref().is_some_and(|prev| {
                prev.config == fingerprint
                    && wanted.iter().all(|(kind, value, _)| {
                        prev.entry(*kind).is_some_and(|e| &e.value == value)
                    })
            });
            !job.force
                && !refresh
                && host.failure.is_none()
                && matches!(host.decision, Decision::Send { .. })
        })
        .collect();
    if unknown.is_empty() || !registered::holds(lookup, publish, job.http.timeout, out) {
        return;
    }
    for i in unknown {
        let (name, what) = (&job.hosts[i], publish.describe());
        // Marked as answered, so nothing is sent; a dry run records nothing either.
        if job.dry_run {
            out.result(&format!(
                "{name}: {what} already registered at {}: would record it as confirmed",
                lookup.host
            ));
        } else {
            out.detail(&format!(
                "{name}: {what} already registered at {}: recorded as confirmed, nothing sent",
                lookup.host
            ));
        }
        hosts[i]
            .results
            .push((publish.clone(), Verdict::Current { seen: None }, None));
    }
}

/// dyndns-server deletes the record of a family a request does not carry: when a
/// default source found nothing for a family the job meant to send, sending the
/// other alone would delete a record that may still be right. Nothing is sent.
pub(super) fn would_delete_a_family(job: &Job, publish: &Publish) -> Option<Failure> {
    if job.preset.protocol != Protocol::DyndnsServer || job.delete {
        return None;
    }
    let (meant_v4, meant_v6) = job.families_meant();
    let (found, lost) = match (publish.ipv4.is_some(), publish.ipv6.is_some()) {
        (true, false) if meant_v6 => ("A", "AAAA"),
        (false, true) if meant_v4 => ("AAAA", "A"),
        _ => return None,
    };
    Some(Failure::new(
        Exit::NoAddress,
        format!(
            "dyndns-server deletes the record of a family not sent: only an {found} address \
             was found, so nothing is sent rather than deleting each host's {lost} record"
        ),
    ))
}

/// `publish` without the `auto` families every host to send has confirmed recently:
/// when one family fails (no IPv6 route, say), the other, confirmed, is not sent
/// again on every run. Only for the protocols that send each `auto` family in a
/// request of its own, so that leaving one out changes nothing in the other.
pub(super) fn unconfirmed_only(
    job: &Job,
    out: &Out,
    publish: &Publish,
    hosts: &[HostRun],
    to_send: &[usize],
    fingerprint: &str,
    now: u64,
) -> Publish {
    if job.force || !matches!(job.preset.protocol, Protocol::Dynv6 | Protocol::Dyndns2) {
        return publish.clone();
    }
    let mut left = publish.clone();
    for (kind, value, auto) in wanted_records(publish) {
        let confirmed = to_send.iter().all(|&i| {
            hosts[i].previous.as_ref().is_some_and(|prev| {
                prev.config == fingerprint
                    && prev.entry(kind).is_some_and(|entry| {
                        entry.value == value
                            && state::confirmed_recently(entry, auto, now, job.max_age)
                    })
            })
        });
        if auto && confirmed {
            out.detail(&format!(
                "{}: confirmed recently; not sent again",
                publish_part(publish, kind).describe()
            ));
            left = without(&left, kind);
        }
    }
    left
}

/// The part of `publish` of one record kind.
fn publish_part(publish: &Publish, kind: Kind) -> Publish {
    Publish {
        ipv4: publish.ipv4.filter(|_| kind == Kind::Ipv4),
        ipv6: publish.ipv6.filter(|_| kind == Kind::Ipv6),
        ipv6_prefix: publish.ipv6_prefix.filter(|_| kind == Kind::Ipv6Prefix),
    }
}

/// `publish` without the record of one kind.
fn without(publish: &Publish, kind: Kind) -> Publish {
    Publish {
        ipv4: publish.ipv4.filter(|_| kind != Kind::Ipv4),
        ipv6: publish.ipv6.filter(|_| kind != Kind::Ipv6),
        ipv6_prefix: publish.ipv6_prefix.filter(|_| kind != Kind::Ipv6Prefix),
    }
}
