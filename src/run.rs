//! One run: lock, decide per host, send what must be sent, record what the
//! provider said, report, and return the highest exit code.

mod finish;
mod narrow;
mod send;

use finish::finish_host;
use narrow::{confirm_registered, unconfirmed_only, would_delete_a_family};
use send::send_all;

use crate::addr;
use crate::clock;
use crate::config::{hex_digest, Job};
use crate::exit::{Exit, Failure};
use crate::hooks::HostReport;
use crate::output::Out;
use crate::provider::{Publish, Verdict};
use crate::state::{self, Decision, HostState, Kind, Store};
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
    run_and_tell(job, out).0
}

/// The run's exit, and whether a request went to the provider and was answered
/// (ddns-scripts' SECTION.update records such a time).
pub fn run_and_tell(job: &Job, out: &Out) -> (Exit, bool) {
    let reports = run_hosts(job, out);
    // After the lock is released: a slow hook holds up no other run.
    if job.hooks.any() && !job.dry_run {
        job.hooks.run(job.preset.name, &reports, &job.redactor, out);
    }
    let exit = reports.iter().map(|r| r.exit).max().unwrap_or(Exit::Ok);
    (exit, reports.iter().any(|r| r.sent))
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
            sent: false,
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
    for (i, (host, name)) in hosts.iter().zip(&job.hosts).enumerate() {
        if let (Decision::Held(hold), None, false) = (&host.decision, &host.failure, job.dry_run) {
            let why = state::describe_hold(hold);
            reports.push(HostReport {
                host: name.clone(),
                exit: hold.exit,
                changed: false,
                sent: false,
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
        let mut report = finish_host(job, out, &store, name, host, &fingerprint, now);
        report.sent = to_send.contains(&i) && !job.dry_run && report.exit == Exit::Ok;
        reports.push(report);
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
