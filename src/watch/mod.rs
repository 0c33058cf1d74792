//! `--watch --config FILE`: one long-running process that runs a job when the
//! kernel reports an address or link change on an interface the job reads
//! from (debounced, DAD waited out), and on timers only for what no event shows
//! (`web` and `auto` sources, max-age) and for retries after exit 4 or 16.
//! Between those it sleeps in poll(2) with no timeout of its own. SIGHUP reloads
//! FILE, SIGTERM ends it once the run in progress is done. Each run is the
//! one-shot run of that job: same holds, state and hooks.

mod events;
mod signals;

use std::ffi::OsString;
use std::time::{Duration, Instant};

use crate::cli::Args;
use crate::exit::Exit;
use crate::jobs::{self, FileName, JobOutcome};
use crate::output::Out;
use crate::uci::Section;
use events::Events;
use signals::{Signal, Signals};

/// Events this close together make one run...
const QUIET: Duration = Duration::from_millis(300);
/// ...but no run waits longer than this after the first (a request leaves
/// within 2 s of the address event).
const MAX_WAIT: Duration = Duration::from_millis(1000);
/// Retry after network trouble (exit 4): this, doubled each time, up to...
const FIRST_RETRY: Duration = Duration::from_secs(30);
const MAX_RETRY: Duration = Duration::from_secs(15 * 60);
/// After exit 16 the host is held this long; the run after it sends again.
const SERVER_RETRY: Duration = Duration::from_secs(crate::state::RETRY_HOLD);

/// When a job runs next.
#[derive(Default)]
struct Slot {
    /// The job's name.
    name: String,
    /// Its timer: poll, max-age or retry.
    timer: Option<Instant>,
    /// A run asked for by events, once they have settled.
    event_due: Option<Instant>,
    first_event: Option<Instant>,
    /// Interfaces whose events concern it, from its last run.
    devices: Vec<String>,
    /// Its network was down: any link or address event looks again.
    waiting_for_network: bool,
    retries: u32,
}

impl Slot {
    fn due(&self) -> Option<Instant> {
        match (self.timer, self.event_due) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    fn event(&mut self, now: Instant) {
        let first = *self.first_event.get_or_insert(now);
        self.event_due = Some((now + QUIET).min(first + MAX_WAIT));
    }

    fn ran(&mut self, outcome: &JobOutcome, now: Instant) {
        self.event_due = None;
        self.first_event = None;
        self.waiting_for_network = false;
        self.devices = outcome.devices.clone();
        let wait = match outcome.exit {
            Exit::Network | Exit::Tls => {
                let wait = FIRST_RETRY.saturating_mul(1 << self.retries.min(8));
                self.retries += 1;
                Some(wait.min(MAX_RETRY))
            }
            Exit::ServerError => Some(SERVER_RETRY),
            // Held or misconfigured: an event, a reload or a restart moves it.
            Exit::Usage => None,
            exit if exit.is_fatal() => None,
            _ => {
                self.retries = 0;
                Some(
                    outcome
                        .poll
                        .map_or(outcome.max_age, |p| p.min(outcome.max_age)),
                )
            }
        };
        self.timer = wait.and_then(|w| now.checked_add(w));
    }
}

pub fn run(argv: &[OsString], args: &Args, plain: &Out) -> Exit {
    let Some(path) = args.config.clone() else {
        plain.error("--watch needs --config FILE (see dynup --help)");
        return Exit::Usage;
    };
    let file = FileName(path.clone());
    // Job names on the command line: only those are watched.
    let names = &args.hostnames;
    let mut sections = match load(&file, names) {
        Ok(sections) => sections,
        Err(failure) => {
            plain.error(&failure.message);
            return failure.exit;
        }
    };
    let (signals, events) = match (Signals::block(), Events::open()) {
        (Ok(signals), Ok(events)) => (signals, events),
        (Err(e), _) | (_, Err(e)) => {
            plain.error(&format!(
                "--watch: cannot listen for signals and address events: {e}"
            ));
            return Exit::State;
        }
    };
    // A few jobs: a list is smaller than a map, and as fast.
    let mut slots: Vec<Slot> = Vec::new();
    loop {
        run_due(&file, &sections, names, &mut slots, argv, plain);
        let timeout = match slots.iter().filter_map(Slot::due).min() {
            None => -1,
            Some(due) => {
                let left = due.saturating_duration_since(Instant::now()).as_millis();
                // Round up: woken a millisecond early, the loop would spin once.
                (left + 1).min(i32::MAX as u128) as i32
            }
        };
        let mut fds = [
            libc::pollfd {
                fd: signals.fd(),
                events: libc::POLLIN,
                revents: 0,
            },
            libc::pollfd {
                fd: events.fd(),
                events: libc::POLLIN,
                revents: 0,
            },
        ];
        // SAFETY: fds is a valid array of the length given.
        let ready = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout) };
        if ready <= 0 {
            continue; // a timer is due (or EINTR): run_due looks
        }
        if fds[0].revents != 0 {
            for signal in signals.read() {
                match signal {
                    Signal::Stop => {
                        plain.detail("--watch: stopping");
                        return Exit::Ok;
                    }
                    Signal::Reload => match load(&file, names) {
                        Ok(new) => {
                            plain.detail(&format!("--watch: {file} reloaded"));
                            sections = new;
                            // Every job runs again under its new configuration.
                            slots.clear();
                        }
                        Err(failure) => plain.error(&format!(
                            "{}; still running the configuration loaded before",
                            failure.message
                        )),
                    },
                }
            }
        }
        if fds[1].revents != 0 {
            let now = Instant::now();
            match events.read() {
                Ok(indexes) => {
                    let names: Vec<String> =
                        indexes.into_iter().filter_map(events::name_of).collect();
                    for slot in slots.iter_mut() {
                        if slot.waiting_for_network
                            || slot.devices.iter().any(|d| names.contains(d))
                        {
                            slot.event(now);
                        }
                    }
                }
                // Events were lost (the socket overran): every job looks again.
                Err(_) => slots.iter_mut().for_each(|slot| slot.event(now)),
            }
        }
    }
}

/// FILE read and its jobs checked as a whole: a broken file is refused before any
/// job runs (at start), or leaves the running configuration in place (reload).
fn load(file: &FileName, names: &[String]) -> Result<Vec<Section>, crate::exit::Failure> {
    let sections = jobs::load(&file.0)?;
    let jobs = jobs::read_jobs(file, &sections)?;
    jobs::select(file, &jobs, names, false)?;
    Ok(sections)
}

/// Runs every watched job that is due (the named ones, or every enabled one); a
/// job seen for the first time is due now.
fn run_due(
    file: &FileName,
    sections: &[Section],
    names: &[String],
    slots: &mut Vec<Slot>,
    argv: &[OsString],
    plain: &Out,
) {
    let all = jobs::read_jobs(file, sections).unwrap_or_default();
    let watched = jobs::select(file, &all, names, false).unwrap_or_default();
    slots.retain(|slot| watched.iter().any(|j| j.name == slot.name));
    for job in watched {
        let index = match slots.iter().position(|slot| slot.name == job.name) {
            Some(index) => index,
            None => {
                slots.push(Slot {
                    name: job.name.clone(),
                    timer: Some(Instant::now()),
                    ..Slot::default()
                });
                slots.len() - 1
            }
        };
        let slot = &mut slots[index];
        if slot.due().is_none_or(|due| due > Instant::now()) {
            continue;
        }
        match jobs::job_device(job, plain) {
            Ok(device) => {
                let outcome = jobs::run_job(file, job, device, argv, plain);
                slot.ran(&outcome, Instant::now());
            }
            Err(_) => {
                *slot = Slot {
                    name: job.name.clone(),
                    waiting_for_network: true,
                    ..Slot::default()
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(exit: Exit, poll: Option<u64>) -> JobOutcome {
        JobOutcome {
            exit,
            devices: vec!["wan".into()],
            poll: poll.map(Duration::from_secs),
            max_age: Duration::from_secs(25 * 86_400),
        }
    }

    #[test]
    fn timers_only_for_polling_max_age_and_retries() {
        let now = Instant::now();
        let mut slot = Slot::default();
        slot.ran(&outcome(Exit::Ok, None), now);
        assert_eq!(slot.due(), Some(now + Duration::from_secs(25 * 86_400)));
        slot.ran(&outcome(Exit::Ok, Some(300)), now);
        assert_eq!(slot.due(), Some(now + Duration::from_secs(300)));
        slot.ran(&outcome(Exit::Network, Some(300)), now);
        assert_eq!(slot.due(), Some(now + FIRST_RETRY));
        slot.ran(&outcome(Exit::Network, Some(300)), now);
        assert_eq!(slot.due(), Some(now + FIRST_RETRY * 2));
        for _ in 0..10 {
            slot.ran(&outcome(Exit::Network, None), now);
        }
        assert_eq!(slot.due(), Some(now + MAX_RETRY));
        slot.ran(&outcome(Exit::ServerError, None), now);
        assert_eq!(slot.due(), Some(now + SERVER_RETRY));
        slot.ran(&outcome(Exit::BadAuth, Some(300)), now);
        assert_eq!(slot.due(), None);
        assert_eq!(slot.devices, ["wan"]);
    }

    #[test]
    fn events_settle_before_a_run_but_wait_at_most_a_second() {
        let start = Instant::now();
        let mut slot = Slot::default();
        slot.event(start);
        assert_eq!(slot.due(), Some(start + QUIET));
        slot.event(start + Duration::from_millis(200));
        assert_eq!(slot.due(), Some(start + Duration::from_millis(500)));
        slot.event(start + Duration::from_millis(900));
        assert_eq!(slot.due(), Some(start + MAX_WAIT));
    }
}
