//! Whether a host is sent this run: the state contract's rules as pure
//! functions, and a hold said in words.

use super::{Entry, Hold, HostState, Kind, AUTO_INTERVAL, MAX_RETRY_HOLD};
use crate::clock::format_utc;

/// What to do for one host this run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    Send {
        why: String,
    },
    /// Everything wanted was confirmed recently: send nothing.
    Unchanged,
    Held(Hold),
}

/// The rules of the state contract, as one pure function.
/// `wanted`: each record kind to publish, its value, and whether it is `auto`.
pub fn decide(
    previous: Option<&HostState>,
    wanted: &[(Kind, String, bool)],
    fingerprint: &str,
    now: u64,
    max_age: u64,
    force: bool,
) -> Decision {
    if force {
        return Decision::Send {
            why: "--force".to_string(),
        };
    }
    let Some(prev) = previous else {
        return Decision::Send {
            why: "nothing sent before".to_string(),
        };
    };
    let same_config = prev.config == fingerprint;
    if let Some(hold) = &prev.hold {
        let held = match hold.until {
            None => hold.exit.is_fatal() && same_config,
            // No hold dynup writes ends further ahead than MAX_RETRY_HOLD: one that
            // does was written while the clock was ahead, and would last until then.
            Some(until) if until.saturating_sub(now) > MAX_RETRY_HOLD => {
                return Decision::Send {
                    why: format!(
                        "a hold until {} was written while the clock was ahead; \
                         no hold lasts longer than {}h",
                        format_utc(until),
                        MAX_RETRY_HOLD / 3600
                    ),
                };
            }
            Some(until) => now < until,
        };
        if held {
            return Decision::Held(hold.clone());
        }
    }
    if !same_config {
        return Decision::Send {
            why: "the configuration changed".to_string(),
        };
    }
    for (kind, value, auto) in wanted {
        let Some(entry) = prev.entry(*kind) else {
            return Decision::Send {
                why: format!("{} never sent", kind.key()),
            };
        };
        if &entry.value != value {
            return Decision::Send {
                why: format!("{} changed from {}", kind.key(), entry.value),
            };
        }
        if !confirmed_recently(entry, *auto, now, max_age) {
            return Decision::Send {
                why: format!(
                    "{} last confirmed {}",
                    kind.key(),
                    format_utc(entry.confirmed)
                ),
            };
        }
    }
    Decision::Unchanged
}

/// Whether `entry` was confirmed recently enough not to be sent again: within
/// `max_age`, and within AUTO_INTERVAL for an `auto` value. A confirmation more
/// than MAX_RETRY_HOLD ahead of now was recorded while the clock was ahead (as a
/// hold can be): it would keep the host from being confirmed until then.
pub fn confirmed_recently(entry: &Entry, auto: bool, now: u64, max_age: u64) -> bool {
    let limit = if auto {
        max_age.min(AUTO_INTERVAL)
    } else {
        max_age
    };
    entry.confirmed.saturating_sub(now) <= MAX_RETRY_HOLD
        && now.saturating_sub(entry.confirmed) < limit
}

/// A human line for a held host.
pub fn describe_hold(hold: &Hold) -> String {
    let since = format_utc(hold.since);
    match hold.until {
        None => format!(
            "held since {since}: {} (exit {}); the provider is not contacted again until \
             this host's configuration changes, --force, or dynup release HOST",
            hold.reason, hold.exit
        ),
        Some(until) => format!(
            "held since {since} until {}: {} (exit {}); --force sends anyway",
            format_utc(until),
            hold.reason,
            hold.exit
        ),
    }
}
