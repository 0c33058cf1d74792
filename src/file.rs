//! Reading the files dynup is pointed at, never more than a cap that no real file
//! of that kind reaches: a path that leads to /dev/zero must not fill a router's
//! memory.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// Reads all of `path` when it holds at most `cap` bytes; a larger file is an
/// error of kind `FileTooLarge` that says the cap.
pub fn read_capped(path: &Path, cap: u64) -> io::Result<Vec<u8>> {
    read_all_capped(File::open(path)?, cap)
}

/// [`read_capped`] for a file already open.
pub fn read_all_capped(file: File, cap: u64) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    file.take(cap + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Err(io::Error::new(
            io::ErrorKind::FileTooLarge,
            format!(
                "larger than {}, more than such a file ever holds",
                size(cap)
            ),
        ));
    }
    Ok(bytes)
}

/// `64 KiB`, `4 MiB`: a cap as people say it.
pub fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{} MiB", b >> 20),
        b if b >= 1 << 10 && b % (1 << 10) == 0 => format!("{} KiB", b >> 10),
        b => format!("{b} bytes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_without_end_is_cut_at_the_cap() {
        let error = read_capped(Path::new("/dev/zero"), 1024).expect_err("capped");
        assert_eq!(error.kind(), io::ErrorKind::FileTooLarge);
        assert!(error.to_string().contains("1 KiB"), "{error}");
        assert_eq!(
            read_capped(Path::new("/dev/null"), 1024).ok(),
            Some(Vec::new())
        );
    }
}
