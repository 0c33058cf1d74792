//! After sending: one host's verdicts recorded in its state (entries, holds)
//! and reported.

use super::{wanted_records, HostRun};
use crate::config::Job;
use crate::exit::{Exit, Failure};
use crate::hooks::HostReport;
use crate::output::Out;
use crate::provider::{Protocol, Publish, Verdict};
use crate::state::{self, Decision, Entry, Hold, HostState, Kind, Store};

/// Records and reports one host; returns its outcome.
pub(super) fn finish_host(
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
        sent: false,
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
