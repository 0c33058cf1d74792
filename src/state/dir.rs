//! The state directory's defences: only its owner may write in it, files are
//! created exclusively under names no one can guess, and no link is followed, so
//! that another user can neither replace the state nor make dynup write elsewhere.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

/// As ssh does for ~/.ssh: `Err` says why `dir` is not private to this user (or root).
#[cfg(unix)]
pub fn check_private(dir: &Path) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    let meta = fs::metadata(dir).map_err(|e| format!("cannot read it: {e}"))?;
    let mode = meta.mode() & 0o7777;
    if mode & 0o022 != 0 {
        return Err(format!(
            "it is writable by other users (mode {mode:o}), who could replace the state \
             or plant links: chmod 700 it"
        ));
    }
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    if meta.uid() != me && meta.uid() != 0 {
        return Err(format!("it belongs to another user (uid {})", meta.uid()));
    }
    Ok(())
}

#[cfg(not(unix))]
pub fn check_private(_dir: &Path) -> Result<(), String> {
    Ok(())
}

/// Removes what a run killed between creating and renaming a temporary file left.
/// Only under the lock: then no other run is writing one.
pub fn remove_stale_temporaries(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') && name.ends_with(".tmp") {
            // Unlinks a link itself, never what it points to.
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// A new file `dir/.{stem}.{random}.tmp`, mode 0600, created exclusively (never
/// through a link or over another file) under a name no other user can guess.
pub fn create_temporary(dir: &Path, stem: &str) -> io::Result<(File, PathBuf)> {
    let mut last = None;
    for attempt in 0..8u32 {
        let tmp = dir.join(format!(".{stem}.{:016x}.tmp", unpredictable(attempt)));
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .private_no_follow()
            .open(&tmp)
        {
            Ok(file) => return Ok((file, tmp)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no free temporary name")))
}

/// Creates a file and removes it: `Err` when the directory cannot take the state.
pub fn check_writable(dir: &Path) -> io::Result<()> {
    let (file, tmp) = create_temporary(dir, "write-check")?;
    drop(file);
    fs::remove_file(tmp)
}

/// Opens `path` for reading when it is a regular file: `Ok(None)` when it does not
/// exist, `Err(None)` when it is something else (a link, which is not followed; a
/// FIFO, which would block the run while it holds the lock; a device; a directory).
pub fn open_regular(path: &Path) -> Result<Option<File>, Option<io::Error>> {
    let file = match OpenOptions::new()
        .read(true)
        .no_follow_non_blocking()
        .open(path)
    {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) if is_a_link_error(&e) => return Err(None),
        Err(e) => return Err(Some(e)),
    };
    if file.metadata().is_ok_and(|m| m.is_file()) {
        Ok(Some(file))
    } else {
        Err(None)
    }
}

/// Opens (creating it 0600) the lock file, which must be a regular file.
pub fn open_lock(path: &Path) -> Result<File, Option<io::Error>> {
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .private_no_follow()
        .open(path)
        .map_err(|e| if is_a_link_error(&e) { None } else { Some(e) })?;
    if file.metadata().is_ok_and(|m| m.is_file()) {
        Ok(file)
    } else {
        Err(None)
    }
}

/// What opening a link with O_NOFOLLOW says.
fn is_a_link_error(error: &io::Error) -> bool {
    #[cfg(unix)]
    {
        error.raw_os_error() == Some(libc::ELOOP)
    }
    #[cfg(not(unix))]
    {
        let _ = error;
        false
    }
}

/// 64 bits no other user can predict: std's hasher keys come from the system's
/// random source, so its hash of the time and the process is as good as random.
fn unpredictable(attempt: u32) -> u64 {
    use std::hash::BuildHasher;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    std::collections::hash_map::RandomState::new().hash_one((nanos, std::process::id(), attempt))
}

trait OpenExt {
    /// Mode 0600 for a file created, and a link in its place is an error.
    fn private_no_follow(&mut self) -> &mut Self;
    /// A link is an error, and a FIFO opens (and reads) without waiting for a writer.
    fn no_follow_non_blocking(&mut self) -> &mut Self;
}

impl OpenExt for OpenOptions {
    #[cfg(unix)]
    fn private_no_follow(&mut self) -> &mut Self {
        use std::os::unix::fs::OpenOptionsExt;
        self.mode(0o600).custom_flags(libc::O_NOFOLLOW)
    }

    #[cfg(not(unix))]
    fn private_no_follow(&mut self) -> &mut Self {
        self
    }

    #[cfg(unix)]
    fn no_follow_non_blocking(&mut self) -> &mut Self {
        use std::os::unix::fs::OpenOptionsExt;
        self.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
    }

    #[cfg(not(unix))]
    fn no_follow_non_blocking(&mut self) -> &mut Self {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_names_differ_and_never_reuse_a_file() {
        let dir = std::env::temp_dir().join(format!("dynup-dir-test-{}", std::process::id()));
        fs::create_dir_all(&dir).expect("dir");
        let (_a, first) = create_temporary(&dir, "x").expect("first");
        let (_b, second) = create_temporary(&dir, "x").expect("second");
        assert_ne!(first, second);
        remove_stale_temporaries(&dir);
        assert!(!first.exists() && !second.exists());
        let _ = fs::remove_dir_all(&dir);
    }
}
