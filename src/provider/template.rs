//! A provider described by a URL template (`-p template --url TEMPLATE`), for the
//! many small APIs of the shape `GET /dynamic?host=H&ip=IP` (Zerigo's, seed 003, is
//! the worked example).
//!
//! Placeholders: `{hostname}` `{ip}` `{ipv4}` `{ipv6}` `{user}` `{password}` `{token}`,
//! each replaced by its value percent-encoded (RFC 3986 unreserved characters stay).
//! One request per host; with `{ip}` alone, one request per family. An `auto` value
//! becomes empty and its request travels on a connection of that family, so that a
//! provider that takes the connection's address sees the right one.
//!
//! The answer: a dyndns2 failure word at the start of a 2xx body (`badauth`, `nohost`,
//! ...) maps as in dyndns2; a non-2xx status maps as everywhere (401/403 10, 404 11,
//! 5xx 16, other 4xx 17); a 2xx body is success when it holds one of the success
//! words or phrases as whole words, any case, not right after "not"/"no" and not
//! right before "false" (so `KO`, `notok`, `unsuccessful`, `not updated` and
//! `"success": false` are not success). Anything else is 1.

use super::{status_failure, Publish, Request, Verdict};
use crate::addr::{V6Addr, Wanted};
use crate::config::Job;
use crate::exit::{Exit, Failure};
use crate::http::Answer;
use crate::secret::Secret;
use crate::url::{percent_encode, Server};
use std::net::Ipv4Addr;

pub const DEFAULT_SUCCESS: &str = "good,nochg,OK,updated,unchanged,success,true";

/// Success phrases that mean "already current" rather than "changed".
const CURRENT: [&str; 5] = [
    "nochg",
    "unchanged",
    "nochange",
    "no change",
    "nothing to change",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Placeholder {
    Hostname,
    Ip,
    Ipv4,
    Ipv6,
    User,
    Password,
    Token,
}

impl Placeholder {
    fn parse(name: &str) -> Option<Placeholder> {
        Some(match name {
            "hostname" => Placeholder::Hostname,
            "ip" => Placeholder::Ip,
            "ipv4" => Placeholder::Ipv4,
            "ipv6" => Placeholder::Ipv6,
            "user" => Placeholder::User,
            "password" => Placeholder::Password,
            "token" => Placeholder::Token,
            _ => return None,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Literal(String),
    Slot(Placeholder),
}

/// A checked `--url` template with its success words and the secrets it may use.
pub struct Spec {
    text: String,
    /// `scheme://host[:port]` of the template.
    pub server: Server,
    /// Everything after the authority, in pieces.
    parts: Vec<Part>,
    /// Lowercase words of each success phrase.
    success: Vec<Vec<String>>,
    user: Option<String>,
    password: Option<Secret>,
    token: Option<Secret>,
    /// A ddns-scripts service's answer pattern (`dynup ddns`): replaces the words.
    pub answer: Option<crate::ddns::ere::Ere>,
}

fn usage(message: String) -> Failure {
    Failure::usage(format!("--url: {message}"))
}

impl Spec {
    pub fn parse(
        text: &str,
        success: Option<&str>,
        user: Option<&str>,
        password: Option<Secret>,
        token: Option<Secret>,
    ) -> Result<Spec, Failure> {
        let after_scheme = ["https://", "http://"]
            .iter()
            .find_map(|s| text.strip_prefix(s).map(|rest| (s.len(), rest)));
        let Some((scheme_len, rest)) = after_scheme else {
            return Err(usage(format!(
                "'{text}' must start with https:// or http://"
            )));
        };
        let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let authority = &text[..scheme_len + authority_len];
        if authority.contains(['{', '}']) {
            return Err(usage(
                "placeholders belong in the path or query, not in the host".to_string(),
            ));
        }
        let server = Server::parse(authority, "--url")?;
        let parts = split_parts(&text[scheme_len + authority_len..])?;

        let uses = |p: Placeholder| parts.contains(&Part::Slot(p));
        if uses(Placeholder::User) && user.is_none() {
            return Err(usage("{user} needs --user NAME".to_string()));
        }
        if uses(Placeholder::Password) && password.is_none() {
            return Err(usage(
                "{password} needs --password-file FILE or DYNUP_PASSWORD".to_string(),
            ));
        }
        if uses(Placeholder::Token) && token.is_none() {
            return Err(usage(
                "{token} needs --token-file FILE or DYNUP_TOKEN".to_string(),
            ));
        }

        let words = success.unwrap_or(DEFAULT_SUCCESS);
        let success: Vec<Vec<String>> = words
            .split(',')
            .map(words_of)
            .filter(|w| !w.is_empty())
            .collect();
        if success.is_empty() {
            return Err(Failure::usage(format!(
                "--success '{words}': expected WORD[,WORD...] with letters or digits"
            )));
        }
        Ok(Spec {
            text: text.to_string(),
            server,
            parts,
            success,
            user: user.map(str::to_string),
            password,
            token,
            answer: None,
        })
    }

    /// What identifies this template in the state fingerprint (secrets included,
    /// hashed there, never stored).
    pub fn identity(&self) -> String {
        let secret = |s: &Option<Secret>| s.as_ref().map(|s| s.expose().to_string());
        let words: Vec<String> = self.success.iter().map(|w| w.join(" ")).collect();
        format!(
            "template {}\n{}\n{}\n{}",
            self.text,
            words.join(","),
            secret(&self.password).unwrap_or_default(),
            secret(&self.token).unwrap_or_default()
        )
    }

    fn uses(&self, p: Placeholder) -> bool {
        self.parts.contains(&Part::Slot(p))
    }

    /// Whether each family has a request to travel in, said before anything is sent.
    pub fn check_addresses(
        &self,
        ipv4: Option<Wanted<Ipv4Addr>>,
        ipv6: Option<Wanted<V6Addr>>,
    ) -> Result<(), Failure> {
        let split = self.uses(Placeholder::Ipv4) || self.uses(Placeholder::Ipv6);
        let any = split || self.uses(Placeholder::Ip);
        let known = ipv4.is_some_and(|w| !w.is_auto()) || ipv6.is_some_and(|w| !w.is_auto());
        if !any && known {
            return Err(usage(
                "the template has no {ip}, {ipv4} or {ipv6}: it can only publish the \
                 connection's address (auto)"
                    .to_string(),
            ));
        }
        if split && !self.uses(Placeholder::Ip) {
            if ipv4.is_some() && !self.uses(Placeholder::Ipv4) {
                return Err(usage(
                    "the template has no {ipv4} (or {ip}) for the IPv4 address; use -6 or add it"
                        .to_string(),
                ));
            }
            if ipv6.is_some() && !self.uses(Placeholder::Ipv6) {
                return Err(usage(
                    "the template has no {ipv6} (or {ip}) for the IPv6 address; use -4 or add it"
                        .to_string(),
                ));
            }
        }
        if split && ipv4.is_some_and(|w| w.is_auto()) && ipv6.is_some_and(|w| w.is_auto()) {
            return Err(usage(
                "with {ipv4}/{ipv6} both in one request, at most one family can be auto"
                    .to_string(),
            ));
        }
        Ok(())
    }

    /// The URL sent and the URL shown (secrets masked) for one set of values.
    fn render(&self, server: &Server, host: &str, values: &Publish) -> (String, String) {
        let v4 = values.known_ipv4_text().unwrap_or_default();
        let v6 = values.known_ipv6_bare_text().unwrap_or_default();
        let ip = if values.ipv4.is_some() { &v4 } else { &v6 };
        fn expose(s: &Option<Secret>) -> &str {
            s.as_ref().map(Secret::expose).unwrap_or("")
        }
        let mut sent = server.to_string();
        let mut shown = sent.clone();
        for part in &self.parts {
            let (value, secret) = match part {
                Part::Literal(text) => {
                    sent.push_str(text);
                    shown.push_str(text);
                    continue;
                }
                Part::Slot(Placeholder::Hostname) => (host, false),
                Part::Slot(Placeholder::Ip) => (ip.as_str(), false),
                Part::Slot(Placeholder::Ipv4) => (v4.as_str(), false),
                Part::Slot(Placeholder::Ipv6) => (v6.as_str(), false),
                Part::Slot(Placeholder::User) => (self.user.as_deref().unwrap_or(""), false),
                Part::Slot(Placeholder::Password) => (expose(&self.password), true),
                Part::Slot(Placeholder::Token) => (expose(&self.token), true),
            };
            let encoded = percent_encode(value);
            sent.push_str(&encoded);
            shown.push_str(if secret { "***" } else { &encoded });
        }
        (sent, shown)
    }
}

/// The template after the authority, split into literals and placeholders.
fn split_parts(mut rest: &str) -> Result<Vec<Part>, Failure> {
    let mut parts = Vec::new();
    while !rest.is_empty() {
        match rest.find(['{', '}']) {
            None => {
                parts.push(Part::Literal(rest.to_string()));
                break;
            }
            Some(at) => {
                if at > 0 {
                    parts.push(Part::Literal(rest[..at].to_string()));
                }
                let after = &rest[at..];
                let close = after
                    .strip_prefix('{')
                    .and_then(|inner| inner.find('}'))
                    .ok_or_else(|| usage("unbalanced '{' or '}' in the template".to_string()))?;
                let name = &after[1..=close];
                let slot = Placeholder::parse(name).ok_or_else(|| {
                    usage(format!(
                        "unknown placeholder {{{name}}} (known: {{hostname}} {{ip}} {{ipv4}} \
                         {{ipv6}} {{user}} {{password}} {{token}})"
                    ))
                })?;
                parts.push(Part::Slot(slot));
                rest = &after[close + 2..];
            }
        }
    }
    // Characters that cannot travel in a request line must not be in the literals.
    for part in &parts {
        if let Part::Literal(text) = part {
            if text
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '#')
            {
                return Err(usage(
                    "spaces, control characters and '#' must be percent-encoded in the template"
                        .to_string(),
                ));
            }
        }
    }
    Ok(parts)
}

/// Lowercase words: runs of letters and digits. A non-ASCII character counts as a
/// letter: the success words are ASCII, and Unicode's tables would cost the router
/// flash for nothing.
fn words_of(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_ascii() && !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}

pub fn plan(job: &Job, hosts: &[usize], publish: &Publish) -> Vec<Request> {
    let Some(spec) = &job.template else {
        return Vec::new();
    };
    let split = spec.uses(Placeholder::Ipv4) || spec.uses(Placeholder::Ipv6);
    // Both families in one request with {ipv4}/{ipv6}; otherwise one per family.
    let lanes: Vec<Publish> = if split {
        vec![publish.clone()]
    } else {
        [
            Publish {
                ipv4: publish.ipv4,
                ..Publish::default()
            },
            Publish {
                ipv6: publish.ipv6,
                ..Publish::default()
            },
        ]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect()
    };
    let basic_auth = match (&spec.user, &spec.password) {
        (Some(user), Some(password)) => Some((user.clone(), password.clone())),
        _ => None,
    };
    let mut requests = Vec::new();
    for &host in hosts {
        for values in &lanes {
            let family = values.auto_family();
            let (url, shown_url) = spec.render(job.server_for(family), &job.hosts[host], values);
            requests.push(Request {
                url,
                shown_url,
                basic_auth: basic_auth.clone(),
                family,
                hosts: vec![host],
                publish: values.clone(),
            });
        }
    }
    requests
}

pub fn interpret(job: &Job, request: &Request, answer: &Answer) -> Vec<Verdict> {
    let verdict = match &job.template {
        Some(spec) => verdict(spec, answer),
        None => Verdict::Failed(Failure::new(Exit::Unexpected, "no template")),
    };
    vec![verdict; request.hosts.len()]
}

/// The dyndns2 words that say something went wrong, whatever else the body holds.
const FAILURE_WORDS: [&str; 9] = [
    "badauth", "nohost", "notfqdn", "numhost", "badagent", "!donator", "abuse", "911", "dnserr",
];

fn verdict(spec: &Spec, answer: &Answer) -> Verdict {
    if !answer.is_success() {
        return Verdict::Failed(status_failure(answer));
    }
    let body = answer.body.trim();
    let first = body.split_whitespace().next().unwrap_or("");
    if FAILURE_WORDS.contains(&first) {
        return super::dyndns2::verdict_for_line(body.lines().next().unwrap_or(""), answer);
    }
    if let Some(pattern) = &spec.answer {
        return match pattern.is_match(body) {
            true => Verdict::Updated { seen: None },
            false => Verdict::Failed(Failure::new(
                Exit::Unexpected,
                format!(
                    "the answer does not match the service's pattern: HTTP {} \"{}\"",
                    answer.status,
                    super::excerpt(body)
                ),
            )),
        };
    }
    let words = words_of(body);
    for phrase in &spec.success {
        if contains_phrase(&words, phrase) {
            let joined = phrase.join(" ");
            return if CURRENT.contains(&joined.as_str()) {
                Verdict::Current { seen: None }
            } else {
                Verdict::Updated { seen: None }
            };
        }
    }
    Verdict::Failed(Failure::new(
        Exit::Unexpected,
        format!(
            "no success word in the answer: HTTP {} \"{}\"",
            answer.status,
            super::excerpt(body)
        ),
    ))
}

/// `phrase` as consecutive whole words, not negated by a "not"/"no" before it or a
/// "false" after it.
fn contains_phrase(words: &[String], phrase: &[String]) -> bool {
    if phrase.is_empty() || words.len() < phrase.len() {
        return false;
    }
    (0..=words.len() - phrase.len()).any(|at| {
        words[at..at + phrase.len()] == *phrase
            && !(at > 0 && matches!(words[at - 1].as_str(), "not" | "no"))
            && words.get(at + phrase.len()).map(String::as_str) != Some("false")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::test_answers::{answer, outcome};

    fn spec(text: &str, success: Option<&str>) -> Result<Spec, Failure> {
        Spec::parse(
            text,
            success,
            Some("me"),
            Some(Secret::new("pw".to_string())),
            None,
        )
    }

    fn code(success: Option<&str>, status: u16, body: &str) -> (u8, bool) {
        let spec = spec("https://x.example/u?h={hostname}&ip={ip}", success).expect("spec");
        outcome(&verdict(&spec, &answer(status, body)))
    }

    #[test]
    fn words_split_on_ascii_and_keep_other_letters() {
        assert_eq!(words_of("Good! 2 NOCHG"), ["good", "2", "nochg"]);
        // Not "s" + "good": a non-ASCII letter belongs to its word.
        assert_eq!(words_of("ségood, übel"), ["ségood", "übel"]);
    }

    #[test]
    fn success_words_are_whole_words() {
        assert_eq!(code(None, 200, "OK"), (0, true));
        assert_eq!(code(None, 200, "good 203.0.113.7"), (0, true));
        assert_eq!(code(None, 200, "nochg 203.0.113.7"), (0, false));
        assert_eq!(code(None, 200, "{\"success\": true}"), (0, true));
        assert_eq!(code(None, 200, "Record UNCHANGED"), (0, false));
        for bad in [
            "KO",
            "notok",
            "unsuccessful",
            "not updated",
            "{\"success\": false}",
            "error",
            "",
        ] {
            assert_eq!(code(None, 200, bad), (1, false), "{bad}");
        }
        assert_eq!(
            code(Some("OK,Nothing to change"), 200, "Nothing to change"),
            (0, false)
        );
        assert_eq!(code(Some("done"), 200, "OK"), (1, false));
    }

    #[test]
    fn failure_words_and_statuses() {
        assert_eq!(code(None, 200, "badauth"), (10, false));
        assert_eq!(code(None, 200, "nohost"), (11, false));
        assert_eq!(code(None, 200, "911"), (16, false));
        assert_eq!(code(None, 401, "OK"), (10, false));
        assert_eq!(code(None, 403, ""), (10, false));
        assert_eq!(code(None, 404, ""), (11, false));
        assert_eq!(code(None, 500, "OK"), (16, false));
        assert_eq!(code(None, 400, ""), (17, false));
    }

    #[test]
    fn bad_templates_name_the_problem() {
        for (text, part) in [
            ("update.example/x?h={hostname}", "https://"),
            ("https://update.example/x?h={host}", "{host}"),
            ("https://update.example/x?h={hostname", "unbalanced"),
            ("https://{hostname}/x", "host"),
            ("https://update.example/x?a b", "spaces"),
            ("https://u:p@update.example/x", "credentials"),
        ] {
            let message = spec(text, None)
                .err()
                .map(|f| f.message)
                .unwrap_or_default();
            assert!(message.contains(part), "{text}: {message}");
        }
        let message = Spec::parse("https://x/{token}", None, None, None, None)
            .err()
            .map(|f| f.message)
            .unwrap_or_default();
        assert!(message.contains("--token-file"), "{message}");
    }

    #[test]
    fn rendering_encodes_and_masks() {
        let spec = Spec::parse(
            "https://x.example/d?host={hostname}&ip={ip}&u={user}&p={password}",
            None,
            Some("a b&c"),
            Some(Secret::new("p=w#é".to_string())),
            None,
        )
        .expect("spec");
        let values = Publish {
            ipv4: Some(Wanted::Addr(Ipv4Addr::new(203, 0, 113, 7))),
            ..Publish::default()
        };
        let (sent, shown) = spec.render(&spec.server, "h.example", &values);
        assert_eq!(
            sent,
            "https://x.example/d?host=h.example&ip=203.0.113.7&u=a%20b%26c&p=p%3Dw%23%C3%A9"
        );
        assert_eq!(
            shown,
            "https://x.example/d?host=h.example&ip=203.0.113.7&u=a%20b%26c&p=***"
        );
    }
}
