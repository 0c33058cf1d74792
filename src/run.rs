//! One run: lock, decide per host, send what must be sent, record what the
//! provider said, report, and return the highest exit code.

use crate::addr;
use crate::clock;
use crate::config::{hex_digest, Job};
use crate::exit::{Exit, Failure};
use crate::hooks::HostReport;
use crate::http::{Client, Family, MAX_ANSWER};
use crate::output::Out;
use crate::provider::{self, api, rfc2136, Protocol, Publish, Verdict};
use crate::registered;
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
    let reports = run_hosts(job, out);
    // After the lock is released: a slow hook holds up no other run.
    if job.hooks.any() && !job.dry_run {
        job.hooks.run(job.preset.name, &reports, &job.redactor, out);
    }
    reports.iter().map(|r| r.exit).max().unwrap_or(Exit::Ok)
}

/// A failure before any host was decided: said once, and the outcome of each host.
fn failed_everywhere(job: &Job, out: &Out, failure: Failure) -> Vec<HostReport> {
    out.error(&failure.message);
    job.hosts
        .iter()
        .map(|host| HostReport {
            host: host.clone(),
            exit: failure.exit,
            changed: false,
            message: failure.message.clone(),
            ipv4: None,
            ipv6: None,
        })
        .collect()
}

fn run_hosts(job: &Job, out: &Out) -> Vec<HostReport> {
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
        Err(failure) => return failed_everywhere(job, out, failure),
    };
    if let Some(failure) = would_delete_a_family(job, &publish) {
        return failed_everywhere(job, out, failure);
    }
    let store = Store::new(&job.cache_dir);
    // Two runs (hotplug and cron at once) must not both send: the second waits,
    // then finds the address recorded and sends nothing. --timeout is per request,
    // so the wait covers a run of this job making one per host and family.
    let _lock = if job.dry_run {
        None
    } else {
        let requests = u32::try_from(job.hosts.len() * 2).unwrap_or(u32::MAX);
        let wait = job.http.timeout.saturating_mul(requests.saturating_add(1));
        match store
            .lock(wait)
            .and_then(|lock| store.ready_to_write(&lock).map(|()| lock))
        {
            Ok(lock) => Some(lock),
            Err(failure) => return failed_everywhere(job, out, failure),
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
            // A dry run still says what it would send (as a user who cannot
            // read root's state directory, say), as if nothing had been sent.
            Err(failure) if job.dry_run => {
                out.warn(&format!(
                    "{}; showing what a run without state would send",
                    failure.message
                ));
                (None, None)
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

    if let Some(lookup) = &job.lookup {
        confirm_registered(
            job,
            lookup,
            out,
            &publish,
            &wanted,
            &fingerprint,
            &mut hosts,
        );
    }

    let to_send: Vec<usize> = (0..hosts.len())
        .filter(|&i| {
            hosts[i].failure.is_none()
                && hosts[i].results.is_empty()
                && matches!(hosts[i].decision, Decision::Send { .. })
        })
        .collect();
    for &i in &to_send {
        if let Decision::Send { why } = &hosts[i].decision {
            out.detail(&format!("{}: sending: {why}", job.hosts[i]));
        }
    }
    if !to_send.is_empty() {
        let publish = unconfirmed_only(job, out, &publish, &hosts, &to_send, &fingerprint, now);
        send_all(job, out, &to_send, &publish, &mut hosts);
    }

    let mut reports = Vec::with_capacity(hosts.len());
    let mut held: Vec<(&str, String)> = Vec::new();
    for (host, name) in hosts.iter().zip(&job.hosts) {
        if let (Decision::Held(hold), None, false) = (&host.decision, &host.failure, job.dry_run) {
            let why = state::describe_hold(hold);
            reports.push(HostReport {
                host: name.clone(),
                exit: hold.exit,
                changed: false,
                message: format!("{name}: {why}"),
                ipv4: None,
                ipv6: None,
            });
            held.push((name, why));
            continue;
        }
        if let (Decision::Unchanged, true) = (&host.decision, job.dry_run) {
            let since = unchanged_since(host.previous.as_ref(), &publish)
                .map(|t| format!(" since {}", clock::format_utc(t)))
                .unwrap_or_default();
            out.result(&format!(
                "{name}: would send nothing: unchanged{since} (--force sends anyway)"
            ));
            continue;
        }
        reports.push(finish_host(job, out, &store, name, host, &fingerprint, now));
    }
    if !held.is_empty() {
        out.note(&held_line(&held));
    }
    reports
}

/// All held hosts of a run in one line: hosts with the same hold share it.
fn held_line(held: &[(&str, String)]) -> String {
    let mut groups: Vec<(Vec<&str>, &str)> = Vec::new();
    for (host, why) in held {
        match groups.iter_mut().find(|(_, w)| w == why) {
            Some((hosts, _)) => hosts.push(host),
            None => groups.push((vec![host], why)),
        }
    }
    groups
        .iter()
        .map(|(hosts, why)| format!("{}: {why}", hosts.join(", ")))
        .collect::<Vec<_>>()
        .join("; ")
}

/// When the values a run would publish were last accepted: the oldest of them.
fn unchanged_since(previous: Option<&HostState>, publish: &Publish) -> Option<u64> {
    let prev = previous?;
    wanted_records(publish)
        .iter()
        .filter_map(|(kind, _, _)| prev.entry(*kind).map(|e| e.confirmed))
        .min()
}

/// The registered-address check: a host about to be sent only because the state
/// lacks (or holds another) address, while the DNS already holds the one to
/// publish, gets that address recorded as confirmed instead. Not with --force,
/// and not for a resend after --max-age: providers expire idle hosts.
fn confirm_registered(
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

/// `publish` without the `auto` families every host to send has confirmed recently:
/// when one family fails (no IPv6 route, say), the other, confirmed, is not sent
/// again on every run. Only for the protocols that send each `auto` family in a
/// request of its own, so that leaving one out changes nothing in the other.
fn unconfirmed_only(
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

/// Records and reports one host; returns its outcome.
fn finish_host(
    job: &Job,
    out: &Out,
    store: &Store,
    name: &str,
    host: &HostRun,
    fingerprint: &str,
    now: u64,
) -> HostReport {
    let report = |exit: Exit, message: String| HostReport {
        host: name.to_string(),
        exit,
        changed: false,
        message,
        ipv4: None,
        ipv6: None,
    };
    if let Some(failure) = &host.failure {
        let line = format!("{name}: {}", failure.message);
        out.error(&line);
        return report(failure.exit, line);
    }
    match &host.decision {
        Decision::Held(hold) => {
            // Only a dry run gets here: a run says its held hosts in one line.
            let line = format!("{name}: would send nothing: {}", state::describe_hold(hold));
            out.result(&line);
            return report(hold.exit, line);
        }
        Decision::Unchanged => {
            let line = format!("{name}: unchanged and recently confirmed; nothing sent");
            out.detail(&line);
            return report(Exit::Ok, line);
        }
        Decision::Send { .. } if job.dry_run => return report(Exit::Ok, String::new()),
        Decision::Send { .. } => {}
    }
    let mut result = report(Exit::Ok, String::new());

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
    // Values the state already held as confirmed: nothing changed, so only -v says
    // (unless --force asked for this answer).
    let mut reconfirmed = Vec::new();
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
                published_addresses(&mut result, publish, seen.as_deref());
                let mut what = publish.describe();
                if let Some(seen) = seen.as_deref().filter(|_| publish.has_auto()) {
                    what.push_str(&format!(" (provider saw {seen})"));
                }
                if matches!(verdict, Verdict::Updated { .. }) {
                    result.changed = true;
                    updated.push(what);
                } else if !job.force && held_already(host.previous.as_ref(), fingerprint, publish) {
                    reconfirmed.push(what);
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
            let reason = job.redactor.apply_output(&failure.message);
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

    if !updated.is_empty() {
        let mut line = format!("{name}: updated {}", updated.join(" "));
        if !current.is_empty() {
            line.push_str(&format!("; already current {}", current.join(" ")));
        }
        out.result(&line);
        result.message = line;
    } else if !current.is_empty() {
        let line = format!("{name}: already current {}", current.join(" "));
        out.result(&line);
        result.message = line;
    }
    if changed {
        if let Err(failure) = store.save(&host.path, &next) {
            let line = format!("{name}: {}", failure.message);
            out.error(&line);
            result.exit = failure.exit;
            result.message = line;
        }
    }
    if !reconfirmed.is_empty() {
        out.detail(&format!(
            "{name}: confirmed again, unchanged: {}",
            reconfirmed.join(" ")
        ));
    }
    if let Some((failure, _)) = worst {
        let line = format!("{name}: {} [exit {}]", failure.message, failure.exit);
        out.error(&line);
        result.exit = result.exit.max(failure.exit);
        result.message = line;
    }
    result
}

/// The addresses a successful request published, for the hooks: for an `auto`
/// value, the one the provider said it saw, when it said one of that family.
fn published_addresses(result: &mut HostReport, publish: &Publish, seen: Option<&str>) {
    let seen_as = |v6: bool| seen.filter(|s| s.contains(':') == v6).map(str::to_string);
    if let Some(v4) = publish.ipv4 {
        result.ipv4 = if v4.is_auto() {
            seen_as(false)
        } else {
            Some(v4.to_string())
        };
    }
    if let Some(v6) = publish.ipv6 {
        result.ipv6 = if v6.is_auto() {
            seen_as(true)
        } else {
            Some(v6.to_string())
        };
    }
}

/// Whether the state held every value of `publish` as confirmed, under this configuration.
fn held_already(previous: Option<&HostState>, fingerprint: &str, publish: &Publish) -> bool {
    previous.is_some_and(|prev| {
        prev.config == fingerprint
            && wanted_records(publish)
                .iter()
                .all(|(kind, value, _)| prev.entry(*kind).is_some_and(|e| &e.value == value))
    })
}
