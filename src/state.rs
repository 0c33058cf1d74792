//! What was last told to the provider for each host, and the holds its answers
//! impose; the lock that keeps two runs from both sending.
//!
//! One small text file per host, provider and account, written atomically with
//! mode 0600. A file that does not parse is reported and treated as absent.

mod dir;

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::clock::format_utc;
use crate::exit::{Exit, Failure};

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

/// The state directory and its files.
pub struct Store {
    dir: PathBuf,
}

/// Takes `file`'s exclusive flock without waiting; `Ok(false)`: another run
/// holds it. What `File::try_lock` does, which needs Rust 1.89; OpenWRT 23.05's
/// SDK has 1.85.
fn try_lock(file: &File) -> io::Result<bool> {
    use std::os::fd::AsRawFd;
    // SAFETY: flock(2) on a descriptor `file` owns and keeps open; no pointers.
    if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
        return Ok(true);
    }
    let error = io::Error::last_os_error();
    match error.kind() {
        io::ErrorKind::WouldBlock => Ok(false),
        _ => Err(error),
    }
}

/// Held while a run decides, sends and records; released on drop.
pub struct Lock {
    _file: File,
}

impl Store {
    pub fn new(dir: &Path) -> Store {
        Store {
            dir: dir.to_path_buf(),
        }
    }

    fn problem(&self, what: &str, path: &Path, error: &io::Error) -> Failure {
        Failure::state(format!(
            "{what} {}: {error} (set --cache-dir or DYNUP_CACHE_DIR)",
            path.display()
        ))
    }

    /// Creates the directory (0700), refuses one that others could write in, and
    /// takes the run lock, waiting up to `wait`.
    pub fn lock(&self, wait: Duration) -> Result<Lock, Failure> {
        create_private_dir(&self.dir)
            .map_err(|e| self.problem("cannot create the state directory", &self.dir, &e))?;
        dir::check_private(&self.dir).map_err(|why| {
            Failure::state(format!(
                "the state directory {}: {why}; or set --cache-dir or DYNUP_CACHE_DIR \
                 to a private one",
                self.dir.display()
            ))
        })?;
        let path = self.dir.join(".lock");
        let file = dir::open_lock(&path).map_err(|e| match e {
            Some(e) => self.problem("cannot open the lock", &path, &e),
            None => not_a_file(&path),
        })?;
        let deadline = Instant::now() + wait;
        loop {
            match try_lock(&file) {
                Ok(true) => return Ok(Lock { _file: file }),
                Ok(false) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                Ok(false) => {
                    return Err(Failure::state(format!(
                        "another dynup run holds {} (waited {}s)",
                        path.display(),
                        wait.as_secs()
                    )))
                }
                Err(e) => return Err(self.problem("cannot lock", &path, &e)),
            }
        }
    }

    /// Under the lock, before anything is sent: clears the temporary files an
    /// interrupted run left, and checks that the state can be written, since a
    /// directory that cannot take it after the provider was told would send again
    /// on every run.
    pub fn ready_to_write(&self, _lock: &Lock) -> Result<(), Failure> {
        dir::remove_stale_temporaries(&self.dir);
        dir::check_writable(&self.dir).map_err(|e| {
            let mut failure = self.problem("cannot write in the state directory", &self.dir, &e);
            failure.message.push_str("; nothing was sent");
            failure
        })
    }

    /// The file of one host at one account of one provider.
    pub fn path_for(&self, preset: &str, host: &str, account_hash: &str) -> PathBuf {
        let host: String = host
            .to_ascii_lowercase()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        self.dir
            .join(format!("{preset}_{host}_{}.state", &account_hash[..8]))
    }

    /// `Ok(None)` when there is no usable state; `warning` says why a file was ignored.
    /// Anything but a regular file is an error at once.
    pub fn load(&self, path: &Path) -> Result<(Option<HostState>, Option<String>), Failure> {
        let file = match dir::open_regular(path) {
            Ok(Some(file)) => file,
            Ok(None) => return Ok((None, None)),
            Err(None) => return Err(not_a_file(path)),
            Err(Some(e)) => return Err(self.problem("cannot read state", path, &e)),
        };
        let ignored = |why: &str| {
            let warning = format!("{}: {why}; ignored and rewritten", path.display());
            Ok((None, Some(warning)))
        };
        match crate::file::read_all_capped(file, MAX_STATE_FILE) {
            Ok(bytes) => match std::str::from_utf8(&bytes).ok().and_then(HostState::parse) {
                Some(state) => Ok((Some(state), None)),
                None => ignored("not a dynup state file or damaged"),
            },
            Err(e) if e.kind() == io::ErrorKind::FileTooLarge => {
                ignored(&format!("{e}, not a dynup state file"))
            }
            Err(e) => Err(self.problem("cannot read state", path, &e)),
        }
    }

    /// Temp file, fsync, rename: a crash leaves the old file or the new one.
    pub fn save(&self, path: &Path, state: &HostState) -> Result<(), Failure> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (mut file, tmp) = dir::create_temporary(&self.dir, &name)
            .map_err(|e| self.problem("cannot write state", path, &e))?;
        let mut write = || -> io::Result<()> {
            file.write_all(state.to_text().as_bytes())?;
            file.sync_all()?;
            // Replaces a link in the file's place, never what it points to.
            fs::rename(&tmp, path)
        };
        write().map_err(|e| {
            let _ = fs::remove_file(&tmp);
            self.problem("cannot write state", path, &e)
        })
    }
}

/// A state file is a few lines; one larger than this is not dynup's.
const MAX_STATE_FILE: u64 = 64 * 1024;

fn not_a_file(path: &Path) -> Failure {
    Failure::state(format!(
        "{} is not a regular file (a link, a FIFO, a device or a directory); dynup \
         reads and writes only its own files there: remove it",
        path.display()
    ))
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    if dir.is_dir() {
        return Ok(());
    }
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)
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
