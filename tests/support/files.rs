//! Files: temporary directories and secret files.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use super::unique;

/// A unique directory under `std::env::temp_dir()`, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let base = std::env::temp_dir();
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let tag: String = tag
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let mut last_err = None;
        for _ in 0..100 {
            let path = base.join(format!(
                "dynup-test-{tag}-{}-{}-{nanos}",
                std::process::id(),
                unique()
            ));
            match fs::create_dir(&path) {
                Ok(()) => {
                    let _ = fs::set_permissions(&path, fs::Permissions::from_mode(0o700));
                    return TempDir(path);
                }
                Err(e) => last_err = Some(e),
            }
        }
        panic!("TempDir::new({tag}): {last_err:?}");
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn join(&self, p: &str) -> PathBuf {
        self.0.join(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Writes `value` + "\n" to `dir/name` with mode 0600 and returns the path.
pub fn write_secret(dir: &TempDir, name: &str, value: &str) -> PathBuf {
    let path = dir.join(name);
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&path)
        .unwrap_or_else(|e| panic!("write_secret {}: {e}", path.display()));
    f.write_all(value.as_bytes())
        .and_then(|()| f.write_all(b"\n"))
        .unwrap_or_else(|e| panic!("write_secret {}: {e}", path.display()));
    fs::set_permissions(&path, fs::Permissions::from_mode(0o600))
        .unwrap_or_else(|e| panic!("chmod {}: {e}", path.display()));
    path
}
