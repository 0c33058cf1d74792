//! What was last told to the provider for each host, and the holds its answers
//! impose; the lock that keeps two runs from both sending.
//!
//! One small text file per host, provider and account, written atomically with
//! mode 0600. A file that does not parse is reported and treated as absent.

mod decide;
mod dir;
mod store;

use crate::exit::Exit;

pub use decide::{confirmed_recently, decide, describe_hold, Decision};
pub use store::Store;

const MAGIC: &str = "dynup-state 1";

/// When an address cannot be seen locally (`auto`), ask no more than this often.
pub const AUTO_INTERVAL: u64 = 3600;
/// Code 16 holds at least this long (No-IP: "no sooner than 30 minutes").
pub const RETRY_HOLD: u64 = 30 * 60;
/// A longer `Retry-After` is honoured up to this.
pub const MAX_RETRY_HOLD: u64 = 24 * 3600;

/// One published value and when the provider last accepted it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub value: String,
    pub confirmed: u64,
}

/// Why a host may not be sent for now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hold {
    pub exit: Exit,
    pub since: u64,
    /// `None`: until the configuration changes (fatal answers).
    pub until: Option<u64>,
    pub reason: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HostState {
    /// Fingerprint of the configuration the entries and the hold were made with.
    pub config: String,
    pub ipv4: Option<Entry>,
    pub ipv6: Option<Entry>,
    pub ipv6_prefix: Option<Entry>,
    pub hold: Option<Hold>,
}

/// The record kinds a state file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Ipv4,
    Ipv6,
    Ipv6Prefix,
}

impl Kind {
    /// Every kind, in file order.
    const ALL: [Kind; 3] = [Kind::Ipv4, Kind::Ipv6, Kind::Ipv6Prefix];

    fn from_key(key: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.key() == key)
    }

    fn key(self) -> &'static str {
        match self {
            Kind::Ipv4 => "ipv4",
            Kind::Ipv6 => "ipv6",
            Kind::Ipv6Prefix => "ipv6prefix",
        }
    }
}

impl HostState {
    pub fn entry(&self, kind: Kind) -> Option<&Entry> {
        match kind {
            Kind::Ipv4 => self.ipv4.as_ref(),
            Kind::Ipv6 => self.ipv6.as_ref(),
            Kind::Ipv6Prefix => self.ipv6_prefix.as_ref(),
        }
    }

    pub fn set_entry(&mut self, kind: Kind, entry: Entry) {
        let slot = match kind {
            Kind::Ipv4 => &mut self.ipv4,
            Kind::Ipv6 => &mut self.ipv6,
            Kind::Ipv6Prefix => &mut self.ipv6_prefix,
        };
        *slot = Some(entry);
    }

    pub fn to_text(&self) -> String {
        let mut text = format!("{MAGIC}\nconfig {}\n", self.config);
        for kind in Kind::ALL {
            if let Some(entry) = self.entry(kind) {
                text.push_str(&format!(
                    "{} {} {}\n",
                    kind.key(),
                    entry.value,
                    entry.confirmed
                ));
            }
        }
        if let Some(hold) = &self.hold {
            let until = hold.until.map_or("-".to_string(), |u| u.to_string());
            let reason: String = hold
                .reason
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            text.push_str(&format!(
                "hold {} {} {} {}\n",
                hold.exit.code(),
                hold.since,
                until,
                reason
            ));
        }
        text
    }

    pub fn parse(text: &str) -> Option<HostState> {
        let mut lines = text.lines();
        if lines.next()? != MAGIC {
            return None;
        }
        let mut state = HostState::default();
        for line in lines {
            let (key, rest) = line.split_once(' ')?;
            match key {
                "config" => state.config = rest.to_string(),
                "hold" => {
                    let mut parts = rest.splitn(4, ' ');
                    let exit = Exit::from_code(parts.next()?.parse().ok()?)?;
                    let since = parts.next()?.parse().ok()?;
                    let until = match parts.next()? {
                        "-" => None,
                        u => Some(u.parse().ok()?),
                    };
                    let reason = parts.next().unwrap_or("").to_string();
                    state.hold = Some(Hold {
                        exit,
                        since,
                        until,
                        reason,
                    });
                }
                _ => {
                    // A record kind; anything else makes the file foreign.
                    let kind = Kind::from_key(key)?;
                    let (value, time) = rest.split_once(' ')?;
                    let entry = Entry {
                        value: value.to_string(),
                        confirmed: time.parse().ok()?,
                    };
                    state.set_entry(kind, entry);
                }
            }
        }
        Some(state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> HostState {
        HostState {
            config: "abc".to_string(),
            ipv4: Some(Entry {
                value: "203.0.113.7".to_string(),
                confirmed: 1000,
            }),
            ipv6: Some(Entry {
                value: "2001:db8::1/64".to_string(),
                confirmed: 1000,
            }),
            ipv6_prefix: None,
            hold: Some(Hold {
                exit: Exit::BadAuth,
                since: 1000,
                until: None,
                reason: "bad credentials: \"badauth\"".to_string(),
            }),
        }
    }

    #[test]
    fn text_round_trip() {
        let state = sample();
        assert_eq!(HostState::parse(&state.to_text()), Some(state));
    }

    #[test]
    fn damaged_files_do_not_parse() {
        for text in [
            "",
            "hello",
            "dynup-state 1\nipv4 1.2.3.4\n",
            "dynup-state 1\nhold 99 1 - x\n",
            "dynup-state 1\nzzz 1\n",
        ] {
            assert_eq!(HostState::parse(text), None, "{text}");
        }
    }

    fn wanted_v4(value: &str) -> Vec<(Kind, String, bool)> {
        vec![(Kind::Ipv4, value.to_string(), false)]
    }

    #[test]
    fn the_contract() {
        let mut prev = sample();
        prev.hold = None;
        let day = 86_400;
        let same = wanted_v4("203.0.113.7");
        // Unchanged and recent: nothing to send.
        assert_eq!(
            decide(Some(&prev), &same, "abc", 2000, day, false),
            Decision::Unchanged
        );
        // Changed, new config, too old, forced, never sent: send.
        let send = |d: Decision| matches!(d, Decision::Send { .. });
        assert!(send(decide(
            Some(&prev),
            &wanted_v4("203.0.113.8"),
            "abc",
            2000,
            day,
            false
        )));
        assert!(send(decide(Some(&prev), &same, "xyz", 2000, day, false)));
        assert!(send(decide(
            Some(&prev),
            &same,
            "abc",
            1000 + day,
            day,
            false
        )));
        assert!(send(decide(Some(&prev), &same, "abc", 2000, day, true)));
        assert!(send(decide(None, &same, "abc", 2000, day, false)));
        // auto is repeated hourly at most.
        let auto = vec![(Kind::Ipv4, "auto".to_string(), true)];
        let mut auto_prev = prev.clone();
        auto_prev.ipv4 = Some(Entry {
            value: "auto".to_string(),
            confirmed: 1000,
        });
        assert_eq!(
            decide(Some(&auto_prev), &auto, "abc", 1000 + 3599, day, false),
            Decision::Unchanged
        );
        assert!(send(decide(
            Some(&auto_prev),
            &auto,
            "abc",
            1000 + 3600,
            day,
            false
        )));
    }

    #[test]
    fn holds() {
        let fatal = sample();
        let same = wanted_v4("203.0.113.9");
        assert!(matches!(
            decide(Some(&fatal), &same, "abc", 5000, 86_400, false),
            Decision::Held(_)
        ));
        // A new configuration (say a new password) releases a fatal hold.
        assert!(matches!(
            decide(Some(&fatal), &same, "new", 5000, 86_400, false),
            Decision::Send { .. }
        ));
        assert!(matches!(
            decide(Some(&fatal), &same, "abc", 5000, 86_400, true),
            Decision::Send { .. }
        ));
        // A retry hold lasts until its time, whatever the configuration.
        let mut retry = sample();
        retry.hold = Some(Hold {
            exit: Exit::ServerError,
            since: 1000,
            until: Some(1000 + RETRY_HOLD),
            reason: "911".to_string(),
        });
        assert!(matches!(
            decide(
                Some(&retry),
                &same,
                "new",
                1000 + RETRY_HOLD - 1,
                86_400,
                false
            ),
            Decision::Held(_)
        ));
        assert!(matches!(
            decide(Some(&retry), &same, "abc", 1000 + RETRY_HOLD, 86_400, false),
            Decision::Send { .. }
        ));
    }

    #[test]
    fn a_hold_is_never_longer_from_now_than_the_longest_one_written() {
        let now = 1_800_000_000;
        let mut retry = sample();
        let same = wanted_v4("203.0.113.7");
        let hold_until = |state: &mut HostState, until: u64| {
            state.hold = Some(Hold {
                exit: Exit::ServerError,
                since: until - RETRY_HOLD,
                until: Some(until),
                reason: "911".to_string(),
            });
        };
        // Written with the clock three years ahead: it holds nothing now.
        hold_until(&mut retry, now + 3 * 365 * 86_400);
        assert!(matches!(
            decide(Some(&retry), &same, "abc", now, 86_400, false),
            Decision::Send { .. }
        ));
        // Nor does a confirmation recorded then keep the address from being sent.
        let mut ahead = sample();
        ahead.hold = None;
        if let Some(entry) = ahead.ipv4.as_mut() {
            entry.confirmed = now + 3 * 365 * 86_400;
        }
        assert!(matches!(
            decide(Some(&ahead), &same, "abc", now, 86_400, false),
            Decision::Send { .. }
        ));
        // The longest hold dynup writes still holds to its end.
        hold_until(&mut retry, now + MAX_RETRY_HOLD);
        assert!(matches!(
            decide(Some(&retry), &same, "abc", now, 86_400, false),
            Decision::Held(_)
        ));
        hold_until(&mut retry, now + MAX_RETRY_HOLD + 1);
        assert!(matches!(
            decide(Some(&retry), &same, "abc", now, 86_400, false),
            Decision::Send { .. }
        ));
    }
}
