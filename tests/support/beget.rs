//! A fake of Beget's DNS API on a [`Mock`], answering as
//! <https://beget.com/en/kb/api/basic-principles-of-operation-with-api> and
//! <https://beget.com/en/kb/api/dns-administration-functions> say:
//! - a method is `/api/dns/{method}`; `login`, `passwd`, `input_format=json`,
//!   `output_format` and `input_data` (the arguments as JSON) come by GET or
//!   POST (a form), or both;
//! - answers `{"status":"success","answer":{"status":"success","result":..}}`; a
//!   wrong login `{"status":"error","error_code":"AUTH_ERROR","error_text":..}`
//!   (the code's name is unconfirmed), a refused argument
//!   `"answer":{"status":"error","errors":[{"error_code":"INVALID_DATA",..}]}`;
//! - `getData` (`fqdn`) -> `result.records` as real answers write them (A/AAAA
//!   `{"ttl","address"}`, MX `{"ttl","exchange","preference"}`, TXT
//!   `{"ttl","txtdata"}`; a CNAME as the page writes records, `{"value","priority"}`),
//!   with `set_type` 1;
//! - `changeRecords` (`fqdn`, `records`): the name's records become those given,
//!   each `{"priority","value"}` (priority required), at most 10 per type, of
//!   one group (A/AAAA/MX/TXT here) -> `result` true.
//!
//! What the pages do not allow is recorded in [`BegetApi::violations`].

use std::sync::{Arc, Mutex};

use super::rest::json_reply;
use super::{parse_query, Mock, Recorded, Reply, PASSWORD};

/// The account login the fake knows.
pub const LOGIN: &str = "home1234";

#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub fqdn: String,
    pub kind: String,
    pub value: String,
    pub priority: u32,
}

#[derive(Default)]
pub struct State {
    /// The account's domains: their names and the names under them are served.
    pub domains: Vec<String>,
    pub records: Vec<Record>,
    pub violations: Vec<String>,
}

#[derive(Clone)]
pub struct BegetApi {
    pub state: Arc<Mutex<State>>,
}

fn success(result: &str) -> Reply {
    json_reply(
        200,
        &format!(r#"{{"status":"success","answer":{{"status":"success","result":{result}}}}}"#),
    )
}

fn refused(code: &str, text: &str) -> Reply {
    json_reply(
        200,
        &format!(
            r#"{{"status":"success","answer":{{"status":"error","errors":[{{"error_code":"{code}","error_text":"{text}"}}]}}}}"#
        ),
    )
}

impl BegetApi {
    pub fn on(mock: &Mock, domains: &[&str]) -> BegetApi {
        let api = BegetApi {
            state: Arc::new(Mutex::new(State {
                domains: domains.iter().map(|d| d.to_string()).collect(),
                ..State::default()
            })),
        };
        let handler_state = Arc::clone(&api.state);
        mock.handler(Box::new(move |request| {
            let mut state = handler_state.lock().unwrap_or_else(|e| e.into_inner());
            state.answer(request)
        }));
        api
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn add(&self, fqdn: &str, kind: &str, value: &str, priority: u32) {
        self.lock().records.push(Record {
            fqdn: fqdn.to_string(),
            kind: kind.to_string(),
            value: value.to_string(),
            priority,
        });
    }

    /// The name's records of a type, values only.
    pub fn values(&self, fqdn: &str, kind: &str) -> Vec<String> {
        self.lock()
            .records
            .iter()
            .filter(|r| r.fqdn == fqdn && r.kind == kind)
            .map(|r| r.value.clone())
            .collect()
    }

    pub fn records(&self) -> Vec<Record> {
        self.lock().records.clone()
    }

    pub fn violations(&self) -> Vec<String> {
        self.lock().violations.clone()
    }
}

impl State {
    fn violation(&mut self, what: String) -> Reply {
        self.violations.push(what.clone());
        refused("INVALID_DATA", &what.replace('"', "'"))
    }

    fn answer(&mut self, request: &Recorded) -> Reply {
        if !request.tls {
            return self.violation("plain HTTP: the API is HTTPS".to_string());
        }
        // GET and POST parameters, combined as the rules page allows.
        let mut params = request.query.clone();
        if request.method == "POST" {
            if request.header("content-type") != Some("application/x-www-form-urlencoded") {
                return self.violation("a POST that is not a form".to_string());
            }
            params.extend(parse_query(&request.body));
        }
        let param = |name: &str| {
            params
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        if param("login").as_deref() != Some(LOGIN) || param("passwd").as_deref() != Some(PASSWORD)
        {
            return json_reply(
                200,
                r#"{"status":"error","error_text":"Authentication error","error_code":"AUTH_ERROR"}"#,
            );
        }
        if param("input_format").as_deref() != Some("json")
            || param("output_format").is_some_and(|f| f != "json")
        {
            return self.violation("input_format=json (and output_format json) expected".into());
        }
        let Some(input) = param("input_data").and_then(|t| Json::parse(&t)) else {
            return self.violation("input_data is not JSON".to_string());
        };
        let Some(fqdn) = input.get("fqdn").and_then(Json::text).map(str::to_string) else {
            return self.violation("no fqdn in input_data".to_string());
        };
        let served = self
            .domains
            .iter()
            .any(|d| fqdn == *d || fqdn.ends_with(&format!(".{d}")));
        if !served {
            return refused("INVALID_DATA", "Domain not found");
        }
        match request.path.as_str() {
            "/api/dns/getData" => self.get_data(&fqdn),
            "/api/dns/changeRecords" => self.change(&fqdn, input.get("records")),
            other => json_reply(
                200,
                &format!(
                    r#"{{"status":"error","error_text":"No such method {other}","error_code":"NO_SUCH_METHOD"}}"#
                ),
            ),
        }
    }

    fn get_data(&self, fqdn: &str) -> Reply {
        let mut lists = Vec::new();
        for kind in ["A", "AAAA", "MX", "TXT", "CNAME"] {
            let items: Vec<String> = self
                .records
                .iter()
                .filter(|r| r.fqdn == fqdn && r.kind == kind)
                .map(|r| match kind {
                    "MX" => format!(
                        r#"{{"ttl":300,"exchange":"{}","preference":{}}}"#,
                        r.value, r.priority
                    ),
                    "TXT" => format!(r#"{{"ttl":300,"txtdata":"{}"}}"#, r.value),
                    // As the page writes records (no real answer seen).
                    "CNAME" => format!(r#"{{"value":"{}","priority":{}}}"#, r.value, r.priority),
                    _ => format!(r#"{{"ttl":300,"address":"{}"}}"#, r.value),
                })
                .collect();
            if !items.is_empty() {
                lists.push(format!(r#""{kind}":[{}]"#, items.join(",")));
            }
        }
        success(&format!(
            r#"{{"is_under_control":true,"is_beget_dns":true,"is_subdomain":false,"fqdn":"{fqdn}","records":{{{}}},"set_type":1}}"#,
            lists.join(",")
        ))
    }

    fn change(&mut self, fqdn: &str, records: Option<&Json>) -> Reply {
        let Some(Json::Object(lists)) = records else {
            return self.violation("changeRecords without a records object".to_string());
        };
        let mut new = Vec::new();
        for (kind, list) in lists {
            if !["A", "AAAA", "MX", "TXT"].contains(&kind.as_str()) {
                return self.violation(format!("{kind} is not of the A/MX/TXT group"));
            }
            let Json::Array(items) = list else {
                return self.violation(format!("{kind} is not a list"));
            };
            if items.len() > 10 {
                return self.violation(format!("{} {kind} records: 10 at most", items.len()));
            }
            for item in items {
                let Json::Object(members) = item else {
                    return self.violation(format!("a {kind} record is not an object"));
                };
                let names: Vec<&str> = members.iter().map(|(k, _)| k.as_str()).collect();
                let (Some(priority), Some(value)) = (
                    item.get("priority").and_then(Json::text),
                    item.get("value").and_then(Json::text),
                ) else {
                    return self.violation(format!(
                        "a {kind} record has members {names:?}, not priority and value"
                    ));
                };
                if names.len() != 2 {
                    return self.violation(format!("a {kind} record has members {names:?}"));
                }
                let Ok(priority) = priority.parse::<u32>() else {
                    return self.violation(format!("priority {priority} is not a number"));
                };
                new.push(Record {
                    fqdn: fqdn.to_string(),
                    kind: kind.clone(),
                    value: value.to_string(),
                    priority,
                });
            }
        }
        self.records.retain(|r| r.fqdn != fqdn);
        self.records.extend(new);
        success("true")
    }
}

/// Just enough JSON to read `input_data`.
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    /// A number's text or a string.
    Text(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    pub fn parse(text: &str) -> Option<Json> {
        let mut at = 0;
        let value = Json::value(text.as_bytes(), &mut at, 0)?;
        skip_space(text.as_bytes(), &mut at);
        (at == text.len()).then_some(value)
    }

    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn text(&self) -> Option<&str> {
        match self {
            Json::Text(t) => Some(t),
            _ => None,
        }
    }

    fn value(b: &[u8], at: &mut usize, depth: usize) -> Option<Json> {
        if depth > 16 {
            return None;
        }
        skip_space(b, at);
        match *b.get(*at)? {
            b'{' => {
                *at += 1;
                let mut members = Vec::new();
                skip_space(b, at);
                if b.get(*at) == Some(&b'}') {
                    *at += 1;
                    return Some(Json::Object(members));
                }
                loop {
                    skip_space(b, at);
                    let key = string(b, at)?;
                    skip_space(b, at);
                    (b.get(*at) == Some(&b':')).then_some(())?;
                    *at += 1;
                    members.push((key, Json::value(b, at, depth + 1)?));
                    skip_space(b, at);
                    match b.get(*at)? {
                        b',' => *at += 1,
                        b'}' => {
                            *at += 1;
                            return Some(Json::Object(members));
                        }
                        _ => return None,
                    }
                }
            }
            b'[' => {
                *at += 1;
                let mut items = Vec::new();
                skip_space(b, at);
                if b.get(*at) == Some(&b']') {
                    *at += 1;
                    return Some(Json::Array(items));
                }
                loop {
                    items.push(Json::value(b, at, depth + 1)?);
                    skip_space(b, at);
                    match b.get(*at)? {
                        b',' => *at += 1,
                        b']' => {
                            *at += 1;
                            return Some(Json::Array(items));
                        }
                        _ => return None,
                    }
                }
            }
            b'"' => string(b, at).map(Json::Text),
            _ => {
                let start = *at;
                while *at < b.len() && !b",]} \t\r\n".contains(&b[*at]) {
                    *at += 1;
                }
                let word = std::str::from_utf8(&b[start..*at]).ok()?;
                match word {
                    "null" => Some(Json::Null),
                    "true" => Some(Json::Bool(true)),
                    "false" => Some(Json::Bool(false)),
                    w if w.parse::<f64>().is_ok() => Some(Json::Text(w.to_string())),
                    _ => None,
                }
            }
        }
    }
}

fn skip_space(b: &[u8], at: &mut usize) {
    while *at < b.len() && b" \t\r\n".contains(&b[*at]) {
        *at += 1;
    }
}

/// A JSON string at `at` (simple escapes only).
fn string(b: &[u8], at: &mut usize) -> Option<String> {
    (b.get(*at) == Some(&b'"')).then_some(())?;
    *at += 1;
    let mut out = Vec::new();
    loop {
        match *b.get(*at)? {
            b'"' => {
                *at += 1;
                return String::from_utf8(out).ok();
            }
            b'\\' => {
                *at += 1;
                match *b.get(*at)? {
                    c @ (b'"' | b'\\' | b'/') => out.push(c),
                    b'n' => out.push(b'\n'),
                    _ => return None,
                }
            }
            c => out.push(c),
        }
        *at += 1;
    }
}
