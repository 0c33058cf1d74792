//! The script's constants from a small KEY=VALUE file, refused when others can write it.

use std::fs;
use std::path::{Path, PathBuf};

use super::{env_value, DEFAULT_CONFIG};
use crate::exit::Failure;

/// The script's constants, from the environment over the config file.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Constants {
    pub(super) server: Option<String>,
    pub(super) zone: Option<String>,
    pub(super) secret: Option<String>,
    pub(super) secret_file: Option<String>,
}

/// The config file: DYNUP_COMPAT_CONFIG, else /etc/dyndns-update-script.conf when
/// it exists. Returns its constants and the warnings it deserves.
pub(super) fn read_config_file() -> Result<(Constants, Vec<String>), Failure> {
    let (path, required) = match env_value("DYNUP_COMPAT_CONFIG") {
        Some(path) => (PathBuf::from(path), true),
        None => (PathBuf::from(DEFAULT_CONFIG), false),
    };
    // A shell file of a few constants; the cap keeps /dev/zero out of memory.
    let read = crate::file::read_capped(&path, 64 * 1024).and_then(|bytes| {
        String::from_utf8(bytes)
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8 text"))
    });
    let text = match read {
        Ok(text) => text,
        Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => {
            return Ok((Constants::default(), Vec::new()))
        }
        Err(e) => {
            return Err(Failure::usage(format!(
                "config file {}: cannot read: {e}",
                path.display()
            )))
        }
    };
    let constants = parse_config(&text, &path)?;
    let mut warnings = Vec::new();
    let mode = file_mode(&path);
    if mode & 0o022 != 0 {
        return Err(Failure::usage(format!(
            "config file {}: writable by other users, who could send the secret elsewhere; \
             chmod 600 it",
            path.display()
        )));
    }
    if constants.secret.is_some() && mode & 0o044 != 0 {
        warnings.push(format!(
            "config file {}: holds the secret and is readable by other users; chmod 600 it",
            path.display()
        ));
    }
    Ok((constants, warnings))
}

/// The permission bits of a regular file; 0 for anything else (/dev/null says
/// "no config file" and holds nothing anyone could change).
#[cfg(unix)]
fn file_mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path)
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.permissions().mode())
        .unwrap_or(0)
}

#[cfg(not(unix))]
fn file_mode(_path: &Path) -> u32 {
    0
}

/// KEY=VALUE lines; `#` comments, blank lines, `export ` and quotes are allowed,
/// so that the script's own three constant lines can be pasted in.
fn parse_config(text: &str, path: &Path) -> Result<Constants, Failure> {
    let mut constants = Constants::default();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let at = || format!("config file {} line {}", path.display(), number + 1);
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((key, value)) = line.split_once('=') else {
            return Err(Failure::usage(format!("{}: expected KEY=VALUE", at())));
        };
        let value = unquote(value.trim()).to_string();
        if value.is_empty() {
            continue;
        }
        let slot = match key.trim() {
            "DYNDNS_SERVER" | "VALUE_DYNDNS_DOMAIN" => &mut constants.server,
            "DYNDNS_ZONE" | "VALUE_ZONE_NAME" => &mut constants.zone,
            "DYNDNS_SECRET" | "VALUE_SECRET" => &mut constants.secret,
            "DYNDNS_SECRET_FILE" => &mut constants.secret_file,
            other => {
                return Err(Failure::usage(format!(
                    "{}: unknown key '{other}' (known: DYNDNS_SERVER, DYNDNS_ZONE, \
                     DYNDNS_SECRET, DYNDNS_SECRET_FILE)",
                    at()
                )))
            }
        };
        *slot = Some(value);
    }
    Ok(constants)
}

fn unquote(value: &str) -> &str {
    for quote in ['\'', '"'] {
        if let Some(inner) = value
            .strip_prefix(quote)
            .and_then(|v| v.strip_suffix(quote))
        {
            return inner;
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_lines() {
        let path = Path::new("/c");
        let text = "# the script's lines pasted in\nVALUE_DYNDNS_DOMAIN='dyndns.example.com'\n\
                    export DYNDNS_ZONE=\"sub.example.com\"\n\nDYNDNS_SECRET_FILE=/etc/secret\n";
        let parsed = parse_config(text, path).expect("parsed");
        assert_eq!(parsed.server.as_deref(), Some("dyndns.example.com"));
        assert_eq!(parsed.zone.as_deref(), Some("sub.example.com"));
        assert_eq!(parsed.secret_file.as_deref(), Some("/etc/secret"));
        assert_eq!(parsed.secret, None);
        let unknown = parse_config("DYNDNS_SERVR=x\n", path)
            .err()
            .map(|f| f.message);
        assert!(unknown.is_some_and(|m| m.contains("line 1") && m.contains("DYNDNS_SERVR")));
        let no_equals = parse_config("\n\nnonsense\n", path)
            .err()
            .map(|f| f.message);
        assert!(no_equals.is_some_and(|m| m.contains("line 3")));
    }
}
