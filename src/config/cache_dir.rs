//! Where state goes when neither `--cache-dir` nor `DYNUP_CACHE_DIR` says.

use std::path::{Path, PathBuf};

use super::Env;
use crate::exit::Failure;

/// /var/run/dynup for root (tmpfs on OpenWRT), else the user's state directory.
pub fn default_cache_dir(env: Env) -> Result<PathBuf, Failure> {
    if running_as_root() {
        return Ok(PathBuf::from("/var/run/dynup"));
    }
    if let Some(state) = env("XDG_STATE_HOME").filter(|v| v.starts_with('/')) {
        return Ok(Path::new(&state).join("dynup"));
    }
    if let Some(home) = env("HOME").filter(|v| v.starts_with('/')) {
        return Ok(Path::new(&home).join(".local/state/dynup"));
    }
    Err(Failure::usage(
        "no place for state: give --cache-dir DIR or DYNUP_CACHE_DIR",
    ))
}

#[cfg(unix)]
fn running_as_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    // /proc/self belongs to the effective user; no libc call needed.
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

#[cfg(not(unix))]
fn running_as_root() -> bool {
    false
}
