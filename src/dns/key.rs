//! TSIG keys as users have them: BIND's `key "name" { algorithm ...; secret "...";
//! };` (what `tsig-keygen` writes), Knot's YAML `key:` list (what `keymgr -t`
//! writes), or one line `algorithm:name:secret` (what `nsupdate -y` takes and
//! dynv6 shows, also with a space before the secret).

use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use base64::Engine;

use super::name::Name;
use super::tsig::Algorithm;
use crate::exit::Failure;
use crate::secret::{self, Secret};

/// A key file is a few lines; anything larger is not one.
const MAX_KEY_FILE: u64 = 64 * 1024;

/// The decoded secret. Its `Debug` shows `***`.
#[derive(Clone, PartialEq, Eq)]
struct KeyBytes(Vec<u8>);

impl fmt::Debug for KeyBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TsigKey {
    pub algorithm: Algorithm,
    pub name: Name,
    bytes: KeyBytes,
    /// The secret as written (base64), for the redactor.
    pub base64: Secret,
}

impl TsigKey {
    pub fn secret_bytes(&self) -> &[u8] {
        &self.bytes.0
    }

    /// `algorithm:name:secret`: everything that identifies the key, for the
    /// configuration fingerprint. Never printed.
    pub fn identity(&self) -> Secret {
        Secret::new(format!(
            "{}:{}:{}",
            self.algorithm.name(),
            self.name,
            self.base64.expose()
        ))
    }
}

/// Reads `--tsig-key-file`; `flag` names it in errors. Also says whether other
/// users can read the file.
pub fn read_file(path: &Path, flag: &str) -> Result<(TsigKey, bool), Failure> {
    let source = format!("{flag} {}", path.display());
    let mut file =
        File::open(path).map_err(|e| Failure::usage(format!("{source}: cannot open: {e}")))?;
    let mut bytes = Vec::new();
    file.by_ref()
        .take(MAX_KEY_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Failure::usage(format!("{source}: cannot read: {e}")))?;
    if bytes.len() as u64 > MAX_KEY_FILE {
        return Err(Failure::usage(format!(
            "{source}: larger than 64 KiB, not a key file"
        )));
    }
    let text = String::from_utf8(bytes)
        .map_err(|_| Failure::usage(format!("{source}: not UTF-8 text")))?;
    let key = parse_text(&text, &source)?;
    Ok((key, secret::readable_by_others(&file)))
}

/// A key file's text in either form; `source` names it in errors.
pub fn parse_text(text: &str, source: &str) -> Result<TsigKey, Failure> {
    if text.contains('{') {
        return parse_bind(text, source);
    }
    let mut lines = text
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with(['#', ';']));
    let line = lines
        .next()
        .ok_or_else(|| Failure::usage(format!("{source}: no key in it")))?;
    if line == "key:" {
        return parse_knot(lines, source);
    }
    parse_line(line, source)
}

/// Knot's `key:` section after its first line: one list item with `id`,
/// `algorithm` and `secret`, as `keymgr -t NAME ALGORITHM` prints it.
fn parse_knot<'a>(lines: impl Iterator<Item = &'a str>, source: &str) -> Result<TsigKey, Failure> {
    let bad = |why: &str| Failure::usage(format!("{source}: {why}"));
    let form = "expected Knot's form: key: / - id: NAME / algorithm: ALGORITHM / secret: BASE64";
    let (mut id, mut algorithm, mut secret) = (None, None, None);
    let mut items = 0;
    for line in lines {
        let mut entry = line.trim_start();
        if !line.starts_with([' ', '\t', '-']) {
            return Err(bad("more than the key: section; give a file with one key"));
        }
        if let Some(rest) = entry.strip_prefix('-') {
            items += 1;
            if items > 1 {
                return Err(bad("more than one key; give a file with one key"));
            }
            entry = rest.trim_start();
        }
        let (field, value) = entry.split_once(':').ok_or_else(|| bad(form))?;
        let value = value.trim();
        let value = [('"', '"'), ('\'', '\'')]
            .iter()
            .find_map(|&(open, close)| value.strip_prefix(open)?.strip_suffix(close))
            .unwrap_or(value);
        match field.trim() {
            "id" => id = Some(value),
            "algorithm" => algorithm = Some(value),
            "secret" => secret = Some(value),
            // Other fields of Knot's key section do not concern a client.
            _ => {}
        }
    }
    let id = id.ok_or_else(|| bad("the key has no id (its name)"))?;
    let algorithm = algorithm.ok_or_else(|| bad("the key has no algorithm"))?;
    let secret = secret.ok_or_else(|| bad("the key has no secret"))?;
    make(algorithm, id, secret, source)
}

/// `algorithm:name:secret`, `algorithm:name secret`, or nsupdate's
/// `key algorithm:name secret`.
pub fn parse_line(line: &str, source: &str) -> Result<TsigKey, Failure> {
    let bad = |why: &str| Failure::usage(format!("{source}: {why}"));
    let line = line.trim();
    let line = line.strip_prefix("key ").unwrap_or(line).trim_start();
    let form = "expected algorithm:name:secret, e.g. hmac-sha256:mykey:BASE64SECRET";
    let (algorithm, rest) = line.split_once(':').ok_or_else(|| bad(form))?;
    let (name, secret) = rest
        .split_once(|c: char| c == ':' || c.is_whitespace())
        .ok_or_else(|| {
            bad("the algorithm must come first (hmac-sha256:name:secret); \
                 nsupdate's default hmac-md5 is not supported")
        })?;
    make(algorithm.trim(), name.trim(), secret.trim(), source)
}

fn make(algorithm: &str, name: &str, secret: &str, source: &str) -> Result<TsigKey, Failure> {
    let bad = |why: String| Failure::usage(format!("{source}: {why}"));
    let algorithm = Algorithm::from_name(algorithm).ok_or_else(|| {
        bad(format!(
            "algorithm '{}' is not supported (use hmac-sha256, hmac-sha512, hmac-sha384 \
             or hmac-sha1; tsig-keygen -a hmac-sha256 NAME makes a key)",
            printable(algorithm)
        ))
    })?;
    let name =
        Name::parse(name).map_err(|why| bad(format!("key name '{}': {why}", printable(name))))?;
    let compact: String = secret.chars().filter(|c| !c.is_whitespace()).collect();
    // Padded, as tsig-keygen and dynv6 write it.
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(&compact)
        .map_err(|_| bad("the secret is not valid base64".to_string()))?;
    if bytes.is_empty() {
        return Err(bad("the secret is empty".to_string()));
    }
    Ok(TsigKey {
        algorithm,
        name,
        bytes: KeyBytes(bytes),
        base64: Secret::new(compact),
    })
}

/// Text from a file, safe to show: at most 40 printable characters.
fn printable(text: &str) -> String {
    text.chars()
        .take(40)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

#[derive(Debug, PartialEq, Eq)]
enum Token<'a> {
    Word(&'a str),
    Quoted(&'a str),
    Punct(char),
}

/// named.conf tokens: words, "strings", `{ } ;`; comments `#`, `//`, `/* */` skipped.
fn tokens(text: &str) -> Result<Vec<Token<'_>>, &'static str> {
    let mut out = Vec::new();
    let mut rest = text;
    loop {
        rest = rest.trim_start();
        let Some(c) = rest.chars().next() else {
            return Ok(out);
        };
        if c == '#' || rest.starts_with("//") {
            rest = rest.split_once('\n').map_or("", |(_, after)| after);
        } else if let Some(after) = rest.strip_prefix("/*") {
            rest = after.split_once("*/").ok_or("unclosed /* comment")?.1;
        } else if let Some(after) = rest.strip_prefix('"') {
            let (inside, after) = after.split_once('"').ok_or("unclosed quote")?;
            out.push(Token::Quoted(inside));
            rest = after;
        } else if "{};".contains(c) {
            out.push(Token::Punct(c));
            rest = &rest[1..];
        } else {
            let end = rest
                .find(|c: char| c.is_whitespace() || "{};\"".contains(c))
                .unwrap_or(rest.len());
            out.push(Token::Word(&rest[..end]));
            rest = &rest[end..];
        }
    }
}

/// `key "name" { algorithm hmac-sha256; secret "..."; };`, one key per file.
fn parse_bind(text: &str, source: &str) -> Result<TsigKey, Failure> {
    let bad = |why: &str| Failure::usage(format!("{source}: {why}"));
    let form = "expected key \"NAME\" { algorithm ALGORITHM; secret \"BASE64\"; };";
    let tokens = tokens(text).map_err(bad)?;
    let mut it = tokens.iter();
    fn value<'a>(token: Option<&Token<'a>>) -> Option<&'a str> {
        match token {
            Some(Token::Word(v) | Token::Quoted(v)) => Some(*v),
            _ => None,
        }
    }
    if it.next() != Some(&Token::Word("key")) {
        return Err(bad(form));
    }
    let name = value(it.next()).ok_or_else(|| bad(form))?;
    if it.next() != Some(&Token::Punct('{')) {
        return Err(bad(form));
    }
    let (mut algorithm, mut secret) = (None, None);
    loop {
        match it.next() {
            Some(Token::Punct('}')) => break,
            Some(Token::Word("algorithm")) => algorithm = value(it.next()),
            Some(Token::Word("secret")) => secret = value(it.next()),
            _ => return Err(bad(form)),
        }
        if it.next() != Some(&Token::Punct(';')) {
            return Err(bad(form));
        }
    }
    match it.next() {
        Some(Token::Punct(';')) | None => {}
        _ => return Err(bad(form)),
    }
    if it.next().is_some() {
        return Err(bad("more than one statement; give a file with one key"));
    }
    let algorithm = algorithm.ok_or_else(|| bad("the key has no algorithm"))?;
    let secret = secret.ok_or_else(|| bad("the key has no secret"))?;
    make(algorithm, name, secret, source)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str =
        "nbB5i/5pyFywRPaUpEkzxtS0she1JOuZlASceu0lLU8Pe7dYpzuVDn9vbGvof2wjGkVsSZBG2DlaM3RwPHkd9g==";

    fn message(result: Result<TsigKey, Failure>) -> String {
        result.err().map(|f| f.message).unwrap_or_default()
    }

    #[test]
    fn tsig_keygen_output_is_read() {
        // The form of seed 002 (tsig-keygen -a hmac-sha512 dyndns.example.com).
        let text = format!(
            "key \"dyndns.example.com.\" {{\n\talgorithm hmac-sha512;\n\tsecret \"{SECRET}\";\n}};\n"
        );
        let key = parse_text(&text, "f").expect("a key");
        assert_eq!(key.algorithm, Algorithm::HmacSha512);
        assert_eq!(key.name.to_string(), "dyndns.example.com");
        assert_eq!(key.secret_bytes().len(), 64);
        assert_eq!(key.base64.expose(), SECRET);
        let commented = format!(
            "# made by tsig-keygen\nkey k /* inline */ {{ secret \"{SECRET}\"; // x\n algorithm HMAC-SHA256; }};"
        );
        let key = parse_text(&commented, "f").expect("a key");
        assert_eq!(key.algorithm, Algorithm::HmacSha256);
    }

    #[test]
    fn knot_keymgr_output_is_read() {
        // `keymgr -t Dynup-Key.example hmac-sha512` (Knot 3.2), the nsupdate
        // form in a comment first.
        let text = format!(
            "# hmac-sha512:Dynup-Key.example:{SECRET}\nkey:\n  - id: Dynup-Key.example\n    \
             algorithm: hmac-sha512\n    secret: {SECRET}\n"
        );
        let key = parse_text(&text, "f").expect("a key");
        assert_eq!(key.algorithm, Algorithm::HmacSha512);
        assert_eq!(key.name.to_string(), "Dynup-Key.example");
        assert_eq!(key.base64.expose(), SECRET);
        // Written by hand: quoted values, another order.
        let text = format!("key:\n- secret: \"{SECRET}\"\n  id: 'k'\n  algorithm: hmac-sha256\n");
        let key = parse_text(&text, "f").expect("a hand-written key");
        assert_eq!(key.algorithm, Algorithm::HmacSha256);
        assert_eq!(key.name.to_string(), "k");
    }

    #[test]
    fn knot_key_errors_name_what_is_wrong() {
        let cases = [
            // Knot can make hmac-sha224 keys; ring cannot verify them.
            (
                "key:\n  - id: k\n    algorithm: hmac-sha224\n    secret: c2VjcmV0\n",
                "'hmac-sha224' is not supported",
            ),
            ("key:\n  - id: k\n    secret: c2VjcmV0\n", "no algorithm"),
            (
                "key:\n  - algorithm: hmac-sha256\n    secret: c2VjcmV0\n",
                "no id",
            ),
            ("key:\n  - id: k\n    algorithm: hmac-sha256\n", "no secret"),
            (
                "key:\n  - id: a\n    algorithm: hmac-sha256\n    secret: c2VjcmV0\n  - id: b\n",
                "more than one key",
            ),
            ("key:\n  - id: k\nremote:\n  - id: r\n", "one key"),
            ("key:\n  - just words\n", "Knot's form"),
        ];
        for (text, want) in cases {
            let got = message(parse_text(text, "--tsig-key-file /k"));
            assert!(got.starts_with("--tsig-key-file /k: "), "{text}: {got}");
            assert!(got.contains(want), "{text}: {got}");
            assert!(
                !got.contains("hmac-md5") && !got.contains("c2VjcmV0"),
                "{got}"
            );
        }
    }

    #[test]
    fn one_line_forms_are_read() {
        for line in [
            format!("hmac-sha256:tsig-123.dynv6.com:{SECRET}"),
            format!("hmac-sha256:tsig-123.dynv6.com {SECRET}\n"),
            format!("key hmac-sha256:tsig-123.dynv6.com {SECRET}"),
            format!("\n# comment\n  hmac-sha256:tsig-123.dynv6.com:{SECRET}  \n"),
        ] {
            let key = parse_text(&line, "f").expect(&line);
            assert_eq!(key.algorithm, Algorithm::HmacSha256);
            assert_eq!(key.name.to_string(), "tsig-123.dynv6.com");
        }
        let key = parse_line(&format!("hmac-sha1:_1._tsig.dynv6.com:{SECRET}"), "f");
        assert_eq!(
            key.map(|k| k.name.to_string()).ok().as_deref(),
            Some("_1._tsig.dynv6.com")
        );
    }

    #[test]
    fn errors_name_the_source_and_never_the_secret() {
        let cases = [
            ("", "no key"),
            ("just-words", "algorithm:name:secret"),
            ("name:c2VjcmV0", "algorithm must come first"),
            ("hmac-md5:name:c2VjcmV0", "hmac-md5"),
            ("hmac-sha256:bad!name:c2VjcmV0", "key name"),
            ("hmac-sha256:name:not*base64", "base64"),
            ("key \"k\" { algorithm hmac-sha256; };", "no secret"),
            ("key \"k\" { secret \"c2VjcmV0\"; };", "no algorithm"),
            (
                "key \"k\" { algorithm hmac-sha256 secret \"x\"; };",
                "expected key",
            ),
            ("key \"k\" { secret \"c2VjcmV0", "unclosed"),
            (
                "key a { algorithm hmac-sha256; secret \"c2VjcmV0\"; }; key b {};",
                "one key",
            ),
        ];
        for (text, want) in cases {
            let got = message(parse_text(text, "--tsig-key-file /k"));
            assert!(got.starts_with("--tsig-key-file /k: "), "{text}: {got}");
            assert!(got.contains(want), "{text}: {got}");
            assert!(
                !got.contains("c2VjcmV0") && !got.contains("base64*"),
                "{got}"
            );
        }
    }

    #[test]
    fn the_secret_is_masked_in_debug() {
        let key = parse_line(&format!("hmac-sha512:k:{SECRET}"), "f").expect("a key");
        let shown = format!("{key:?}");
        assert!(
            !shown.contains(SECRET) && !shown.contains("nbB5"),
            "{shown}"
        );
    }
}
