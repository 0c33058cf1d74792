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
    let (text, exposed) = read_small_text(path, flag)?;
    let secret = first_line(&text);
    if secret.is_empty() {
        return Err(Failure::usage(format!(
            "{flag} {}: the first line is empty",
            path.display()
        )));
    }
    Ok((Secret::new(secret.to_string()), exposed))
}

/// Reads a secret of several lines (a PEM private key) whole, without the
/// blank lines and spaces around it.
pub fn read_key_file(path: &Path, flag: &str) -> Result<(Secret, bool), Failure> {
    let (text, exposed) = read_small_text(path, flag)?;
    if text.trim().is_empty() {
        return Err(Failure::usage(format!("{flag} {}: empty", path.display())));
    }
    Ok((Secret::new(text.trim().to_string()), exposed))
}

/// The text of a secret file, and whether others can read it.
fn read_small_text(path: &Path, flag: &str) -> Result<(String, bool), Failure> {
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
    Ok((text, readable_by_others(&file)))
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
///
/// A form of `MIN_ANYWHERE` characters or more is masked wherever it occurs, and so
/// is its start at the end of a text that was cut (`apply_cut`): no run of that many
/// characters of a secret gets out through a cut. Any run of `MIN_PIECE` characters
/// of a form is masked too, for a server that echoes a token shortened
/// (`token abcd1234... invalid`); shorter runs elsewhere are left alone, since every
/// 3 characters of a random token would otherwise mask pieces of host names,
/// addresses and words. A form shorter than `MIN_ANYWHERE` (a password `x`) is
/// masked only where it stands alone, not inside a word: one or two characters
/// inside `example.org` or `[exit 10]` say nothing about the secret, and masking
/// them there made every line unreadable.
#[derive(Clone, Default)]
pub struct Redactor {
    forms: Vec<String>,
}

/// The shortest secret form masked wherever it occurs, and the shortest start of
/// one masked at a cut.
pub const MIN_ANYWHERE: usize = 3;

/// The shortest run of a longer secret form masked wherever it occurs.
pub const MIN_PIECE: usize = 8;

const MASK: &str = "***";

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
            // Longest first, so that an encoded form is not half-replaced by a shorter
            // one; after those of its length, as a stable sort would put it, and
            // without linking a sort for Strings.
            let at = self.forms.partition_point(|f| f.len() >= form.len());
            self.forms.insert(at, form);
        }
    }

    pub fn apply(&self, text: &str) -> String {
        self.apply_from(text, 0)
    }

    /// `apply` for a line dynup writes (stderr, syslog, a hold's reason, a hook's
    /// message): what came from outside in it (a URL, an answer, a request) was
    /// masked where it came in, so forms shorter than `MIN_PIECE` are left to that.
    /// Masking them here again would hit dynup's own words and so tell the secret:
    /// with the token `bad`, "bad credentials" became "*** credentials".
    pub fn apply_output(&self, text: &str) -> String {
        self.apply_from(text, MIN_PIECE)
    }

    /// Masks every form of at least `shortest` bytes, and long pieces.
    fn apply_from(&self, text: &str, shortest: usize) -> String {
        let mut out = text.to_string();
        for form in self.forms.iter().filter(|f| f.len() >= shortest) {
            if !out.contains(form.as_str()) {
                continue;
            }
            out = if form.len() >= MIN_ANYWHERE {
                out.replace(form.as_str(), MASK)
            } else {
                replace_standalone(&out, form)
            };
        }
        for form in self.forms.iter().filter(|f| f.len() > MIN_PIECE) {
            out = replace_pieces(&out, form);
        }
        out
    }

    /// `apply` for a text cut at its end (an answer read up to its cap): a secret
    /// that straddled the cut leaves its start there, which is masked too.
    pub fn apply_cut(&self, text: &str) -> String {
        let mut out = self.apply(text);
        for form in self.forms.iter().filter(|f| f.len() > MIN_ANYWHERE) {
            let start = (MIN_ANYWHERE..form.len())
                .rev()
                .filter(|&len| form.is_char_boundary(len))
                .find(|&len| out.ends_with(&form[..len]));
            if let Some(len) = start {
                out.truncate(out.len() - len);
                out.push_str(MASK);
            }
        }
        out
    }
}

/// Replaces every run of `MIN_PIECE` or more bytes of `text` that also occurs in
/// `form` (each as long as it goes).
fn replace_pieces(text: &str, form: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut at = 0;
    while at + MIN_PIECE <= bytes.len() {
        let in_form =
            |len: usize| text.is_char_boundary(at + len) && form.contains(&text[at..at + len]);
        if !text.is_char_boundary(at) || !in_form(MIN_PIECE) {
            at += 1;
            continue;
        }
        let mut len = MIN_PIECE;
        while at + len < bytes.len() && (!text.is_char_boundary(at + len + 1) || in_form(len + 1)) {
            len += 1;
        }
        // Back to the last boundary that is still a piece of the form.
        while !in_form(len) {
            len -= 1;
        }
        out.push_str(&text[copied..at]);
        out.push_str(MASK);
        at += len;
        copied = at;
    }
    out.push_str(&text[copied..]);
    out
}

/// Replaces the occurrences of `form` that no ASCII letter or digit touches.
fn replace_standalone(text: &str, form: &str) -> String {
    // ASCII only: Unicode's letter tables cost 2.5 KB, and a non-ASCII letter next
    // to a form then leaves it masked, which errs on the safe side.
    let word_char = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut before: Option<char> = None;
    while let Some(at) = rest.find(form) {
        let (head, tail) = rest.split_at(at);
        let previous = head.chars().next_back().or(before);
        let after = tail[form.len()..].chars().next();
        out.push_str(head);
        if word_char(previous) || word_char(after) {
            // Inside a word: keep one character and look again after it.
            let first = tail.chars().next().map_or(1, char::len_utf8);
            out.push_str(&tail[..first]);
            before = tail[..first].chars().next_back();
            rest = &tail[first..];
        } else {
            out.push_str(MASK);
            before = form.chars().next_back();
            rest = &tail[form.len()..];
        }
    }
    out.push_str(rest);
    out
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

    fn redactor_of(secret: &str) -> Redactor {
        let mut redactor = Redactor::default();
        redactor.add(&Secret::new(secret.to_string()));
        redactor
    }

    #[test]
    fn a_short_secret_is_masked_alone_not_inside_words() {
        let redactor = redactor_of("x");
        let line = "h.example.org: bad credentials [exit 10]";
        assert_eq!(redactor.apply(line), line);
        assert_eq!(redactor.apply("badauth x"), "badauth ***");
        assert_eq!(redactor.apply("x"), "***");
        assert_eq!(redactor.apply("token=x&x=1 (x)"), "token=***&***=1 (***)");
        let two = redactor_of("10");
        assert_eq!(two.apply("[exit 10] 100 10"), "[exit ***] 100 ***");
        // From three characters on, a secret is masked wherever it is.
        assert_eq!(redactor_of("ple").apply("example.org"), "exam***.org");
    }

    #[test]
    fn a_long_piece_of_a_secret_is_masked_anywhere() {
        let redactor = redactor_of("Zq8Xw3Kp9Vt2Lm7R");
        assert_eq!(
            redactor.apply("token 'Zq8Xw3Kp9V...' invalid; Xw3Kp9Vt2Lm at 203.0.113.7"),
            "token '***...' invalid; *** at 203.0.113.7"
        );
        // Runs shorter than MIN_PIECE are words, names, addresses: kept.
        assert_eq!(redactor.apply("Zq8Xw3K Kp9Vt2"), "Zq8Xw3K Kp9Vt2");
        assert_eq!(
            redactor_of("pässwörd-lang").apply("x pässwörd- y"),
            "x *** y"
        );
    }

    #[test]
    fn the_start_of_a_secret_at_a_cut_is_masked() {
        let redactor = redactor_of("S3cr3tToken");
        for len in MIN_ANYWHERE..11 {
            let text = format!("answer: S3cr3tToken and {}", &"S3cr3tToken"[..len]);
            assert_eq!(redactor.apply_cut(&text), "answer: *** and ***", "{len}");
        }
        // Shorter than that is no piece of the secret worth hiding, and text that
        // was not cut keeps its end.
        assert_eq!(redactor.apply_cut("ends in S3"), "ends in S3");
        assert_eq!(redactor.apply("ends in S3cr"), "ends in S3cr");
    }
}
