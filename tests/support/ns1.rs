//! A fake NS1 REST API v1 on a [`Mock`], answering as <https://ns1.com/api>
//! says (Zones and Records: list zones, view a zone, view, create and update a
//! record):
//! - HTTPS only; the API key in `X-NSONE-Key`, else 401 `{"message":..}`;
//! - `GET /v1/zones` -> `[{"zone","id","ttl",..}]`; `GET /v1/zones/{zone}` ->
//!   the zone, 404 `{"message":"zone not found"}`;
//! - `GET /v1/zones/{zone}/{domain}/{type}` -> `{"zone","domain","type","ttl",
//!   "answers":[{"answer":["ADDRESS"],"id"}],..}`, 404 `{"message":"record not
//!   found"}` when there is none (the domain is the record's FQDN);
//! - `POST` to the same path with the fields to change (`answers`): the update
//!   (the TTL stays) -> the record, 404 when there is none;
//! - `PUT` to the same path with zone, domain, type, answers (and `ttl`): create
//!   -> the record, 400 `record already exists` when it exists;
//! - errors `{"message":".."}`.
//!
//! What the page does not allow is answered with 400 and recorded in
//! [`Ns1Api::violations`].

use std::sync::{Arc, Mutex};

use super::rest::{field, flat_json, json_reply, valid_content};
use super::{Mock, Recorded, Reply, TOKEN};

#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub zone: String,
    pub domain: String,
    pub kind: String,
    pub ttl: u32,
    pub answers: Vec<String>,
}

#[derive(Default)]
pub struct State {
    pub zones: Vec<String>,
    pub records: Vec<Record>,
    pub violations: Vec<String>,
}

#[derive(Clone)]
pub struct Ns1Api {
    pub state: Arc<Mutex<State>>,
}

pub fn error(status: u16, message: &str) -> Reply {
    json_reply(status, &format!(r#"{{"message":"{message}"}}"#))
}

fn record_json(r: &Record) -> String {
    let answers: Vec<String> = r
        .answers
        .iter()
        .enumerate()
        .map(|(i, a)| format!(r#"{{"answer":["{a}"],"id":"5f0c{i:04}"}}"#))
        .collect();
    format!(
        r#"{{"zone":"{}","domain":"{}","type":"{}","ttl":{},"answers":[{}],"filters":[],"meta":{{}},"use_client_subnet":true,"id":"5f0c00ff"}}"#,
        r.zone,
        r.domain,
        r.kind,
        r.ttl,
        answers.join(",")
    )
}

/// A JSON object's flat members.
type Fields = Vec<(String, String)>;

/// A body dynup sends: its flat members, and the addresses of its `answers`
/// (`[{"answer":["ADDRESS"]},..]`); `None` for anything else.
fn body_of(body: &str) -> Option<(Fields, Option<Vec<String>>)> {
    let Some(at) = body.find(r#""answers":["#) else {
        return Some((flat_json(body)?, None));
    };
    let list_at = at + r#""answers":"#.len();
    let end = list_at + body[list_at..].find("]}]")? + 3;
    let list = &body[list_at + 1..end - 1];
    let answers = list
        .split("},{")
        .map(|a| {
            let a = a.trim_start_matches('{').trim_end_matches('}');
            a.strip_prefix(r#""answer":[""#)?
                .strip_suffix(r#""]"#)
                .map(str::to_string)
        })
        .collect::<Option<Vec<String>>>()?;
    let rest = format!(r#"{}"answers":"-"{}"#, &body[..at], &body[end..]);
    Some((flat_json(&rest)?, Some(answers)))
}

impl Ns1Api {
    pub fn on(mock: &Mock, zones: &[&str]) -> Ns1Api {
        let api = Ns1Api {
            state: Arc::new(Mutex::new(State {
                zones: zones.iter().map(|z| z.to_string()).collect(),
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

    /// A record with one answer and a TTL of an hour.
    pub fn add(&self, zone: &str, domain: &str, kind: &str, answer: &str) {
        self.lock().records.push(Record {
            zone: zone.to_string(),
            domain: domain.to_string(),
            kind: kind.to_string(),
            ttl: 3600,
            answers: vec![answer.to_string()],
        });
    }

    pub fn record(&self, domain: &str, kind: &str) -> Option<Record> {
        self.lock()
            .records
            .iter()
            .find(|r| r.domain == domain && r.kind == kind)
            .cloned()
    }

    pub fn violations(&self) -> Vec<String> {
        self.lock().violations.clone()
    }
}

impl State {
    fn violation(&mut self, what: String) -> Reply {
        self.violations.push(what.clone());
        error(400, &what)
    }

    fn answer(&mut self, request: &Recorded) -> Reply {
        if !request.tls {
            return self.violation("HTTPS only".to_string());
        }
        if request.header("x-nsone-key") != Some(TOKEN) {
            return error(401, "Unauthorized");
        }
        let Some(path) = request.path.strip_prefix("/v1/") else {
            return self.violation(format!("{} is not under /v1", request.path));
        };
        let parts: Vec<&str> = path.split('/').collect();
        match (request.method.as_str(), parts.as_slice()) {
            ("GET", ["zones"]) => {
                let zones: Vec<String> = self
                    .zones
                    .iter()
                    .map(|z| {
                        format!(
                            r#"{{"zone":"{z}","id":"5e1a{}","ttl":3600,"nx_ttl":3600}}"#,
                            z.len()
                        )
                    })
                    .collect();
                json_reply(200, &format!("[{}]", zones.join(",")))
            }
            ("GET", ["zones", zone]) => match self.zones.iter().any(|z| z == zone) {
                true => json_reply(
                    200,
                    &format!(r#"{{"zone":"{zone}","id":"5e1a","ttl":3600,"records":[]}}"#),
                ),
                false => error(404, "zone not found"),
            },
            (method, ["zones", zone, domain, kind]) => {
                let (zone, domain, kind) = (zone.to_string(), domain.to_string(), kind.to_string());
                self.record_call(request, method, &zone, &domain, &kind)
            }
            _ => self.violation(format!(
                "{} {} is not an API call",
                request.method, request.path
            )),
        }
    }

    fn record_call(
        &mut self,
        request: &Recorded,
        method: &str,
        zone: &str,
        domain: &str,
        kind: &str,
    ) -> Reply {
        if !self.zones.iter().any(|z| z == zone) {
            return error(404, "zone not found");
        }
        let found = self
            .records
            .iter()
            .position(|r| r.zone == zone && r.domain == domain && r.kind == kind);
        if method == "GET" {
            return match found {
                Some(i) => json_reply(200, &record_json(&self.records[i])),
                None => error(404, "record not found"),
            };
        }
        if request
            .header("content-type")
            .is_none_or(|t| !t.starts_with("application/json"))
        {
            return self.violation("a body without Content-Type: application/json".to_string());
        }
        let Some((fields, answers)) = body_of(&request.body) else {
            return self.violation(format!("body: {}", request.body));
        };
        if answers
            .as_ref()
            .is_some_and(|a| a.is_empty() || a.iter().any(|v| !valid_content(kind, v)))
        {
            return error(400, "invalid answer");
        }
        let ttl = field(&fields, "ttl").and_then(|t| t.parse::<u32>().ok());
        match (method, found) {
            ("POST", Some(i)) => {
                let allowed = ["answers", "ttl"];
                if let Some((key, _)) = fields.iter().find(|(k, _)| !allowed.contains(&k.as_str()))
                {
                    return self.violation(format!("POST changes {key}: dynup sends answers"));
                }
                if let Some(answers) = answers {
                    self.records[i].answers = answers;
                }
                if let Some(ttl) = ttl {
                    self.records[i].ttl = ttl;
                }
                json_reply(200, &record_json(&self.records[i]))
            }
            ("POST", None) => error(404, "record not found"),
            ("PUT", Some(_)) => error(400, "record already exists"),
            ("PUT", None) => {
                let same = |key: &str, want: &str| field(&fields, key).as_deref() == Some(want);
                if !(same("zone", zone) && same("domain", domain) && same("type", kind)) {
                    return self
                        .violation(format!("PUT body names another record: {}", request.body));
                }
                let within = domain == zone || domain.ends_with(&format!(".{zone}"));
                let Some(answers) = answers.filter(|_| within) else {
                    return error(400, "invalid record");
                };
                let record = Record {
                    zone: zone.to_string(),
                    domain: domain.to_string(),
                    kind: kind.to_string(),
                    ttl: ttl.unwrap_or(3600),
                    answers,
                };
                let reply = json_reply(200, &record_json(&record));
                self.records.push(record);
                reply
            }
            _ => self.violation(format!("{method} {} is not an API call", request.path)),
        }
    }
}
