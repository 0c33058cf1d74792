//! Secrets: where they come from, and keeping them out of everything printed.

use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use base64::Engine;

use crate::exit::Failure;
use crate::url::{encode_keeping, encode_query_value, percent_encode};

/// A password or token. Its `Debug` shows `***`, so a stray `{:?}` cannot leak it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: String) -> Secret {
        Secret(value)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// A secret file holds one line; anything larger than this is not a secret file.
const MAX_SECRET_FILE: u64 = 64 * 1024;

/// Reads the first line of `path`; `flag` names where it came from in errors.
pub fn read_secret_file(path: &Path, flag: &str) -> Result<(Secret, bool), Failure> {
    let shown = path.display();
    let mut file = File::open(path)
        .map_err(|e| Failure::usage(format!("{flag} {shown}: cannot open: {e}")))?;
    let mut bytes = Vec::new();
    file.by_ref()
        .take(MAX_SECRET_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Failure::usage(format!("{flag} {shown}: cannot read: {e}")))?;
    if bytes.len() as u64 > MAX_SECRET_FILE {
        return Err(Failure::usage(format!(
            "{flag} {shown}: larger than 64 KiB, not a secret file"
        )));
    }
    let text = String::from_utf8(bytes)
        .map_err(|_| Failure::usage(format!("{flag} {shown}: not UTF-8 text")))?;
    let secret = first_line(&text);
    if secret.is_empty() {
        return Err(Failure::usage(format!(
            "{flag} {shown}: the first line is empty"
        )));
    }
    Ok((Secret::new(secret.to_string()), readable_by_others(&file)))
}

/// The part of a file or variable that is the secret: its first line without the
/// spaces, tabs and CR around it (a Windows editor or `$(cat file)` leaves them).
pub fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("").trim()
}

/// A secret from an environment variable, read as a secret file is; `None` when empty.
pub fn from_env(value: &str) -> Option<Secret> {
    Some(first_line(value))
        .filter(|s| !s.is_empty())
        .map(|s| Secret::new(s.to_string()))
}

#[cfg(unix)]
pub fn readable_by_others(file: &File) -> bool {
    use std::os::unix::fs::PermissionsExt;
    file.metadata()
        .map(|m| m.permissions().mode() & 0o044 != 0)
        .unwrap_or(false)
}

#[cfg(not(unix))]
pub fn readable_by_others(_file: &File) -> bool {
    false
}

/// Replaces every known secret, in every form it may take on the wire, by `***`.
#[derive(Clone, Default)]
pub struct Redactor {
    forms: Vec<String>,
}

impl Redactor {
    pub fn add(&mut self, secret: &Secret) {
        let raw = secret.expose();
        self.add_form(raw.to_string());
        self.add_form(percent_encode(raw));
        // As query values (`,:/` kept) and as FreeDNS's bare item (`=` kept) travel.
        self.add_form(encode_query_value(raw));
        self.add_form(encode_keeping(raw, b"="));
    }

    /// Basic auth puts `user:password` on the wire in base64.
    pub fn add_basic_auth(&mut self, user: &str, secret: &Secret) {
        let pair = format!("{user}:{}", secret.expose());
        self.add_form(base64::engine::general_purpose::STANDARD.encode(pair));
    }

    fn add_form(&mut self, form: String) {
        if !form.is_empty() && !self.forms.contains(&form) {
            self.forms.push(form);
            // Longest first, so that an encoded form is not half-replaced by a shorter one.
            self.forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
        }
    }

    pub fn apply(&self, text: &str) -> String {
        let mut out = text.to_string();
        for form in &self.forms {
            if out.contains(form.as_str()) {
                out = out.replace(form.as_str(), "***");
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_is_masked() {
        let secret = Secret::new("s3cr&t/x".to_string());
        let mut redactor = Redactor::default();
        redactor.add(&secret);
        redactor.add_basic_auth("me", &secret);
        let basic = base64::engine::general_purpose::STANDARD.encode("me:s3cr&t/x");
        let text = format!("raw s3cr&t/x enc s3cr%26t%2Fx query s3cr%26t/x basic {basic}");
        assert_eq!(redactor.apply(&text), "raw *** enc *** query *** basic ***");
        assert_eq!(format!("{secret:?}"), "***");
    }
}
