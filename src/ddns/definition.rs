//! ddns-scripts' service definition files (`/usr/share/ddns/{custom,default}/NAME.json`):
//! `{"name": ..., "ipv4": {"url": ..., "answer": ...}, "ipv6": {...}}`. Only that
//! small fixed shape is read, by a scanner of our own (no JSON reader in main yet).

use std::path::Path;

/// One family's entry of a definition.
#[derive(Debug, PartialEq)]
pub struct Entry {
    pub url: String,
    pub answer: String,
}

/// The entry for IPv4 or IPv6 of the definition in `text`; `Err` when the file
/// is not of that shape, `Ok(None)` when it has no entry for the family.
pub fn entry(text: &str, ipv6: bool) -> Result<Option<Entry>, String> {
    let family = if ipv6 { "ipv6" } else { "ipv4" };
    let Some(object) = object_after_key(text, family) else {
        return Ok(None);
    };
    let url = string_after_key(object, "url").ok_or(format!("\"{family}\" has no \"url\""))?;
    let answer = string_after_key(object, "answer").unwrap_or_default();
    Ok(Some(Entry { url, answer }))
}

/// Reads DIR/NAME.json, `None` when absent.
pub fn read(dir: &Path, name: &str) -> Option<(std::path::PathBuf, String)> {
    if name.contains('/') || name.starts_with('.') {
        return None;
    }
    let path = dir.join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).ok()?;
    Some((path, text))
}

/// The text of the `{...}` value of `"key"` (nesting and strings respected).
fn object_after_key<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let rest = after_key(text, key)?;
    let rest = rest.strip_prefix('{')?;
    let mut depth = 1;
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in rest.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '{' if !in_string => depth += 1,
            '}' if !in_string => {
                depth -= 1;
                if depth == 0 {
                    return Some(&rest[..i]);
                }
            }
            _ => {}
        }
    }
    None
}

/// What follows `"key"` and its colon, spaces skipped.
fn after_key<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let quoted = format!("\"{key}\"");
    let mut from = 0;
    while let Some(at) = text[from..].find(&quoted) {
        let rest = text[from + at + quoted.len()..].trim_start();
        if let Some(value) = rest.strip_prefix(':') {
            return Some(value.trim_start());
        }
        from += at + quoted.len();
    }
    None
}

/// The string value of `"key"`, JSON escapes `\"` `\\` `\/` undone.
fn string_after_key(text: &str, key: &str) -> Option<String> {
    let rest = after_key(text, key)?.strip_prefix('"')?;
    let mut value = String::new();
    let mut chars = rest.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(value),
            '\\' => value.push(chars.next()?),
            c => value.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEF: &str = r#"{
	"name": "example.org",
	"ipv4": {
		"url": "http://[USERNAME]:[PASSWORD]@dyn.example.org/nic/update?hostname=[DOMAIN]&myip=[IP]",
		"answer": "good|nochg"
	},
	"ipv6": { "url": "http://v6.example.org/u?h=[DOMAIN]&ip=[IP]\/x" }
}"#;

    #[test]
    fn both_families_of_a_definition() {
        let v4 = entry(DEF, false).unwrap().unwrap();
        assert_eq!(
            v4.url,
            "http://[USERNAME]:[PASSWORD]@dyn.example.org/nic/update?hostname=[DOMAIN]&myip=[IP]"
        );
        assert_eq!(v4.answer, "good|nochg");
        let v6 = entry(DEF, true).unwrap().unwrap();
        assert_eq!(v6.url, "http://v6.example.org/u?h=[DOMAIN]&ip=[IP]/x");
        assert_eq!(v6.answer, "");
        assert_eq!(entry(r#"{"ipv4": {"url": "http://a/"}}"#, true), Ok(None));
        assert!(entry(r#"{"ipv4": {"answer": "x"}}"#, false).is_err());
    }
}
