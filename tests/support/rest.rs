//! What the fake JSON/REST APIs (cloudflare.rs, porkbun.rs, ...) share: reading
//! the flat JSON bodies dynup sends, and answering JSON.

use super::Reply;

/// A reply with a JSON body.
pub fn json_reply(status: u16, body: &str) -> Reply {
    Reply::status(status, body).header("Content-Type", "application/json")
}

/// Whether `content` is an address of the record type `kind`.
pub fn valid_content(kind: &str, content: &str) -> bool {
    match kind {
        "A" => content.parse::<std::net::Ipv4Addr>().is_ok(),
        "AAAA" => content.parse::<std::net::Ipv6Addr>().is_ok(),
        _ => false,
    }
}

/// The string member `name` of `fields`.
pub fn field(fields: &[(String, String)], name: &str) -> Option<String> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
}

/// The members of a flat JSON object (string, number, true/false values), or
/// `None` when the text is anything else. Strings are unescaped.
pub fn flat_json(text: &str) -> Option<Vec<(String, String)>> {
    let mut chars = text.trim().chars().peekable();
    let mut fields = Vec::new();
    let string = |chars: &mut std::iter::Peekable<std::str::Chars>| -> Option<String> {
        if chars.next()? != '"' {
            return None;
        }
        let mut out = String::new();
        loop {
            match chars.next()? {
                '"' => return Some(out),
                '\\' => match chars.next()? {
                    'n' => out.push('\n'),
                    c @ ('"' | '\\' | '/') => out.push(c),
                    _ => return None,
                },
                c => out.push(c),
            }
        }
    };
    if chars.next()? != '{' {
        return None;
    }
    if chars.peek() == Some(&'}') {
        chars.next();
        return chars.next().is_none().then_some(fields);
    }
    loop {
        let key = string(&mut chars)?;
        if chars.next()? != ':' {
            return None;
        }
        let value = if chars.peek() == Some(&'"') {
            string(&mut chars)?
        } else {
            let mut word = String::new();
            while let Some(&c) = chars.peek() {
                if c == ',' || c == '}' {
                    break;
                }
                word.push(c);
                chars.next();
            }
            let plain = word == "true" || word == "false" || word.parse::<f64>().is_ok();
            if !plain {
                return None;
            }
            word
        };
        fields.push((key, value));
        match chars.next()? {
            ',' => continue,
            '}' => return chars.next().is_none().then_some(fields),
            _ => return None,
        }
    }
}
