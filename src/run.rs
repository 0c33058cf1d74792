//! One run: lock, decide per host, send what must be sent, record what the
//! provider said, report, and return the highest exit code.

use crate::addr;
use crate::clock;
use crate::config::{hex_digest, Job};
use crate::exit::{Exit, Failure};
use crate::http::{Client, Family, MAX_ANSWER};
use crate::output::Out;
use crate::provider::{self, api, rfc2136, Protocol, Publish, Verdict};
use crate::state::{self, Decision, Entry, Hold, HostState, Kind, Store};
use crate::url::Scheme;

/// One host through the run.
struct HostRun {
    path: std::path::PathBuf,
    previous: Option<HostState>,
    decision: Decision,
    /// What each request for this host published and what came of it.
    results: Vec<(Publish, Verdict, Option<u64>)>,
    /// Set when the host could not even be decided (state unreadable).
    failure: Option<Failure>,
}

pub fn run(job: &Job, out: &Out) -> Exit {
    for warning in &job.warnings {
        out.warn(warning);
    }
    if job.server.scheme == Scheme::Http {
        // Said only with -v: the user chose http on purpose (No-IP's port 8245, a LAN
        // server), and a warning on every cron run would be noise.
        out.detail(&format!(
            "{} is plain http: the credentials travel unencrypted",
            job.server
        ));
    }
    // Interface and web sources become literal values before the state is read,
    // so that it compares real addresses; outside the lock, as they touch no state.
    let fixed = Publish {
        ipv4: job.ipv4,
        ipv6: job.ipv6,
        ipv6_prefix: job.ipv6_prefix,
    };
    let publish = match addr::resolve(fixed, &job.sources, &job.http, out) {
        Ok(publish) => publish,
        Err(failure) => {
            out.error(&failure.message);
            return failure.exit;
        }
    };
    if let Some(failure) = would_delete_a_family(job, &publish) {
        out.error(&failure.message);
        return failure.exit;
    }
    let store = Store::new(&job.cache_dir);
    // Two runs (hotplug and cron at once) must not both send: the second waits,
    // then finds the address recorded and sends nothing.
    let _lock = if job.dry_run {
        None
    } else {
        match store.lock(job.http.timeout * 2) {
            Ok(lock) => Some(lock),
            Err(failure) => {
                out.error(&failure.message);
                return failure.exit;
            }
        }
    };

    let now = clock::now();
    let fingerprint = job.fingerprint();
    let account = hex_digest(job.account().as_bytes());
    let wanted = wanted_records(&publish);

    let mut hosts: Vec<HostRun> = Vec::with_capacity(job.hosts.len());
    for name in &job.hosts {
        let path = store.path_for(job.preset.name, name, &account);
        let (previous, failure) = match store.load(&path) {
            Ok((previous, warning)) => {
                if let Some(warning) = warning {
                    out.warn(&warning);
                }
                (previous, None)
            }
            Err(failure) => (None, Some(failure)),
        };
        let decision = state::decide(
            previous.as_ref(),
            &wanted,
            &fingerprint,
            now,
            job.max_age,
            job.force,
        );
        hosts.push(HostRun {
            path,
            previous,
            decision,
            results: Vec::new(),
            failure,
        });
    }

    let to_send: Vec<usize> = (0..hosts.len())
        .filter(|&i| {
            hosts[i].failure.is_none() && matches!(hosts[i].decision, Decision::Send { .. })
        })
        .collect();
    for &i in &to_send {
        if let Decision::Send { why } = &hosts[i].decision {
            out.detail(&format!("{}: sending: {why}", job.hosts[i]));
        }
    }
    if !to_send.is_empty() {
        send_all(job, out, &to_send, &publish, &mut hosts);
    }

    let mut worst = Exit::Ok;
    for (i, host) in hosts.iter().enumerate() {
        let exit = finish_host(job, out, &store, &job.hosts[i], host, &fingerprint, now);
        worst = worst.max(exit);
    }
    worst
}

/// dyndns-server deletes the record of a family a request does not carry: when a
/// default source found nothing for a family the job meant to send, sending the
/// other alone would delete a record that may still be right. Nothing is sent.
fn would_delete_a_family(job: &Job, publish: &Publish) -> Option<Failure> {
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

/// The records a run publishes, as the state file names them.
fn wanted_records(publish: &Publish) -> Vec<(Kind, String, bool)> {
    let mut wanted = Vec::new();
    if let Some(v4) = publish.ipv4 {
        wanted.push((Kind::Ipv4, v4.to_string(), v4.is_auto()));
    }
    if let Some(v6) = publish.ipv6 {
        wanted.push((Kind::Ipv6, v6.to_string(), v6.is_auto()));
    }
    if let Some(prefix) = publish.ipv6_prefix {
        wanted.push((Kind::Ipv6Prefix, prefix.to_string(), prefix.is_auto()));
    }
    wanted
}

fn send_all(job: &Job, out: &Out, to_send: &[usize], publish: &Publish, hosts: &mut [HostRun]) {
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
                let cut = if answer.body.len() >= MAX_ANSWER {
                    " (cut)"
                } else {
                    ""
                };
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

/// Records and reports one host; returns its exit code.
fn finish_host(
    job: &Job,
    out: &Out,
    store: &Store,
    name: &str,
    host: &HostRun,
    fingerprint: &str,
    now: u64,
) -> Exit {
    if let Some(failure) = &host.failure {
        out.error(&format!("{name}: {}", failure.message));
        return failure.exit;
    }
    match &host.decision {
        Decision::Held(hold) => {
            out.error(&format!("{name}: {}", state::describe_hold(hold)));
            return hold.exit;
        }
        Decision::Unchanged => {
            out.detail(&format!(
                "{name}: unchanged and recently confirmed; nothing sent"
            ));
            return Exit::Ok;
        }
        Decision::Send { .. } if job.dry_run => return Exit::Ok,
        Decision::Send { .. } => {}
    }

    // A new configuration starts from a clean slate: entries confirmed under the
    // old one say nothing about the new one.
    let mut next = match &host.previous {
        Some(prev) if prev.config == fingerprint => prev.clone(),
        _ => HostState {
            config: fingerprint.to_string(),
            ..HostState::default()
        },
    };
    let mut changed = false;
    let mut updated = Vec::new();
    let mut current = Vec::new();
    let mut worst: Option<(&Failure, Option<u64>)> = None;
    for (publish, verdict, retry_after) in &host.results {
        match verdict {
            Verdict::Updated { seen } | Verdict::Current { seen } => {
                for (kind, value, _) in wanted_records(publish) {
                    next.set_entry(
                        kind,
                        Entry {
                            value,
                            confirmed: now,
                        },
                    );
                }
                changed = true;
                let mut what = publish.describe();
                if let Some(seen) = seen.as_deref().filter(|_| publish.has_auto()) {
                    what.push_str(&format!(" (provider saw {seen})"));
                }
                if matches!(verdict, Verdict::Updated { .. }) {
                    updated.push(what);
                } else {
                    current.push(what);
                }
            }
            Verdict::Failed(failure) => {
                if worst.is_none_or(|(w, _)| failure.exit > w.exit) {
                    worst = Some((failure, *retry_after));
                }
            }
        }
    }

    // dyndns-server replaces both records on every update and --delete removes
    // them: a family a successful request did not carry is gone at the server, so
    // it goes from the state too (else a later run would think it still current).
    if job.preset.protocol == Protocol::DyndnsServer && worst.is_none() && !host.results.is_empty()
    {
        let carried: Vec<Kind> = host
            .results
            .iter()
            .flat_map(|(publish, _, _)| wanted_records(publish))
            .map(|(kind, _, _)| kind)
            .collect();
        for (kind, slot) in [(Kind::Ipv4, &mut next.ipv4), (Kind::Ipv6, &mut next.ipv6)] {
            if !carried.contains(&kind) && slot.take().is_some() {
                changed = true;
            }
        }
    }

    match worst {
        None => {
            if next.hold.take().is_some() {
                changed = true;
            }
        }
        Some((failure, retry_after)) => {
            let reason = job.redactor.apply(&failure.message);
            if failure.exit.is_fatal() {
                next.hold = Some(Hold {
                    exit: failure.exit,
                    since: now,
                    until: None,
                    reason,
                });
                changed = true;
            } else if failure.exit == Exit::ServerError {
                let wait = retry_after
                    .unwrap_or(0)
                    .clamp(state::RETRY_HOLD, state::MAX_RETRY_HOLD);
                next.hold = Some(Hold {
                    exit: failure.exit,
                    since: now,
                    until: Some(now + wait),
                    reason,
                });
                changed = true;
            }
            // Other failures (network, TLS, unexpected answers) change nothing:
            // the next run tries again with the state as it was.
        }
    }

    let mut exit = Exit::Ok;
    if changed {
        if let Err(failure) = store.save(&host.path, &next) {
            out.error(&format!("{name}: {}", failure.message));
            exit = failure.exit;
        }
    }
    if !updated.is_empty() {
        let mut line = format!("{name}: updated {}", updated.join(" "));
        if !current.is_empty() {
            line.push_str(&format!("; already current {}", current.join(" ")));
        }
        out.result(&line);
    } else if !current.is_empty() {
        out.result(&format!("{name}: already current {}", current.join(" ")));
    }
    if let Some((failure, _)) = worst {
        out.error(&format!(
            "{name}: {} [exit {}]",
            failure.message, failure.exit
        ));
        exit = exit.max(failure.exit);
    }
    exit
}
