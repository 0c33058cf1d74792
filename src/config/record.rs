//! `--zone` and `--ttl`: the DNS zone of the records and their lifetime.

use crate::exit::Failure;

/// `--zone`: a DNS name, stored lowercase without the trailing dot.
pub fn parse_zone(text: &str) -> Result<String, Failure> {
    let name = text.strip_suffix('.').unwrap_or(text);
    let label_ok = |label: &str| {
        (1..=63).contains(&label.len())
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    if name.is_empty() || name.len() > 253 || !name.split('.').all(label_ok) {
        return Err(Failure::usage(format!(
            "--zone '{text}': expected a DNS name (labels of 1-63 letters, digits, '-', '_'; at most 253 characters)"
        )));
    }
    Ok(name.to_ascii_lowercase())
}

/// `--ttl`: whole seconds from 1 to 86400.
pub fn parse_ttl(text: &str) -> Result<u32, Failure> {
    text.parse::<u32>()
        .ok()
        .filter(|t| (1..=86_400).contains(t) && text.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| {
            Failure::usage(format!(
                "--ttl: expected whole seconds from 1 to 86400, got '{text}'"
            ))
        })
}
