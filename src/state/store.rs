//! The state directory: its run lock, and loading and saving one host's file.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::{dir, HostState};
use crate::exit::Failure;

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
