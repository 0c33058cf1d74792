//! A fake Linode (Akamai) API v4, Domains part, on a [`Mock`], answering as
//! <https://techdocs.akamai.com/linode-api/reference/api> says (get-domains,
//! get-domain-records, put-domain-record, post-domain-record, errors, pagination):
//! - `Authorization: Bearer TOKEN`, else 401 `{"errors":[{"reason":"Invalid Token"}]}`;
//! - `GET /v4/domains` -> `{"data":[{"id","domain","type","status",..}],"page","pages","results"}`;
//! - `GET /v4/domains/{domainId}/records` -> `{"data":[{"id","type","name"(relative, "" for the apex),"target","ttl_sec",..}],..}`;
//!   `page_size` from 25 to 500;
//! - `PUT /v4/domains/{domainId}/records/{recordId}` with the fields to change -> the record;
//! - `POST /v4/domains/{domainId}/records` with type, name, target (ttl_sec) -> the record;
//! - errors `{"errors":[{"field":..,"reason":..}]}`: 400, 401, 404, 429.
//!
//! What the page does not allow is answered with 400 and recorded in
//! [`LinodeApi::violations`].

use std::sync::{Arc, Mutex};

use super::rest::{field, flat_json, json_reply, valid_content};
use super::{Mock, Recorded, Reply, TOKEN};

#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub id: u64,
    pub domain: u64,
    pub kind: String,
    pub name: String,
    pub target: String,
    pub ttl_sec: u32,
    pub tag: Option<String>,
}

#[derive(Default)]
pub struct State {
    /// (id, name)
    pub domains: Vec<(u64, String)>,
    pub records: Vec<Record>,
    pub violations: Vec<String>,
    next_id: u64,
}

#[derive(Clone)]
pub struct LinodeApi {
    pub state: Arc<Mutex<State>>,
}

pub fn error(status: u16, field: Option<&str>, reason: &str) -> Reply {
    let field = field.map_or(String::new(), |f| format!(r#""field":"{f}","#));
    json_reply(
        status,
        &format!(r#"{{"errors":[{{{field}"reason":"{reason}"}}]}}"#),
    )
}

fn record_json(r: &Record) -> String {
    let tag = r
        .tag
        .as_ref()
        .map_or("null".to_string(), |t| format!("\"{t}\""));
    format!(
        r#"{{"id":{},"type":"{}","name":"{}","target":"{}","priority":0,"weight":0,"port":0,"service":null,"protocol":null,"ttl_sec":{},"tag":{tag},"created":"2026-01-01T00:00:00","updated":"2026-01-01T00:00:00"}}"#,
        r.id, r.kind, r.name, r.target, r.ttl_sec
    )
}

impl LinodeApi {
    pub fn on(mock: &Mock, domains: &[&str]) -> LinodeApi {
        let api = LinodeApi {
            state: Arc::new(Mutex::new(State {
                domains: domains
                    .iter()
                    .enumerate()
                    .map(|(i, d)| (1234 + i as u64, d.to_string()))
                    .collect(),
                next_id: 123_400,
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

    fn domain_id(&self, domain: &str) -> u64 {
        self.lock()
            .domains
            .iter()
            .find(|(_, d)| d == domain)
            .map(|(id, _)| *id)
            .unwrap_or_else(|| panic!("no domain {domain}"))
    }

    /// A record with a TTL of an hour and a tag; returns its ID.
    pub fn add(&self, domain: &str, kind: &str, name: &str, target: &str) -> u64 {
        let domain = self.domain_id(domain);
        let mut state = self.lock();
        state.next_id += 1;
        let id = state.next_id;
        state.records.push(Record {
            id,
            domain,
            kind: kind.to_string(),
            name: name.to_string(),
            target: target.to_string(),
            ttl_sec: 3600,
            tag: Some("kept".to_string()),
        });
        id
    }

    pub fn record(&self, domain: &str, kind: &str, name: &str) -> Option<Record> {
        let domain = self.domain_id(domain);
        self.lock()
            .records
            .iter()
            .find(|r| r.domain == domain && r.kind == kind && r.name == name)
            .cloned()
    }

    pub fn violations(&self) -> Vec<String> {
        self.lock().violations.clone()
    }
}

impl State {
    fn violation(&mut self, what: String) -> Reply {
        self.violations.push(what.clone());
        error(400, None, &what)
    }

    fn page(&mut self, request: &Recorded, data: Vec<String>) -> Reply {
        let size: usize = request
            .param("page_size")
            .and_then(|p| p.parse().ok())
            .unwrap_or(100);
        if !(25..=500).contains(&size) {
            return self.violation(format!("page_size {size} out of 25..500"));
        }
        let results = data.len();
        let shown: Vec<String> = data.into_iter().take(size).collect();
        json_reply(
            200,
            &format!(
                r#"{{"data":[{}],"page":1,"pages":{},"results":{results}}}"#,
                shown.join(","),
                results.div_ceil(size).max(1)
            ),
        )
    }

    fn answer(&mut self, request: &Recorded) -> Reply {
        if !request.tls {
            return self.violation("HTTPS only".to_string());
        }
        if request.header("authorization") != Some(format!("Bearer {TOKEN}").as_str()) {
            return error(401, None, "Invalid Token");
        }
        let Some(path) = request.path.strip_prefix("/v4/") else {
            return self.violation(format!("{} is not under /v4", request.path));
        };
        let parts: Vec<&str> = path.split('/').collect();
        match (request.method.as_str(), parts.as_slice()) {
            ("GET", ["domains"]) => {
                let data: Vec<String> = self
                    .domains
                    .iter()
                    .map(|(id, d)| format!(r#"{{"id":{id},"domain":"{d}","type":"master","status":"active","soa_email":"admin@{d}"}}"#))
                    .collect();
                self.page(request, data)
            }
            (method, ["domains", id, "records", rest @ ..]) => {
                let Some(domain) = self
                    .domains
                    .iter()
                    .find(|(d, _)| d.to_string() == *id)
                    .map(|(d, _)| *d)
                else {
                    return error(404, None, "Not found");
                };
                match (method, rest) {
                    ("GET", []) => {
                        let data: Vec<String> = self
                            .records
                            .iter()
                            .filter(|r| r.domain == domain)
                            .map(record_json)
                            .collect();
                        self.page(request, data)
                    }
                    ("POST", []) => self.create(request, domain),
                    ("PUT", [record]) => self.update(request, domain, record),
                    _ => self.violation(format!("{method} {} is not an API call", request.path)),
                }
            }
            _ => self.violation(format!(
                "{} {} is not an API call",
                request.method, request.path
            )),
        }
    }

    fn body(&mut self, request: &Recorded) -> Result<Vec<(String, String)>, Reply> {
        if request
            .header("content-type")
            .is_none_or(|t| !t.starts_with("application/json"))
        {
            return Err(self.violation("a body without Content-Type: application/json".to_string()));
        }
        flat_json(&request.body).ok_or_else(|| self.violation(format!("body: {}", request.body)))
    }

    fn update(&mut self, request: &Recorded, domain: u64, id: &str) -> Reply {
        let fields = match self.body(request) {
            Ok(fields) => fields,
            Err(reply) => return reply,
        };
        let Some(i) = self
            .records
            .iter()
            .position(|r| r.domain == domain && r.id.to_string() == id)
        else {
            return error(404, None, "Not found");
        };
        for (key, value) in fields {
            match key.as_str() {
                "target" if valid_content(&self.records[i].kind, &value) => {
                    self.records[i].target = value
                }
                "target" => return error(400, Some("target"), "Invalid IP address"),
                other => {
                    return self.violation(format!("PUT changes {other}: dynup sends target only"))
                }
            }
        }
        json_reply(200, &record_json(&self.records[i]))
    }

    fn create(&mut self, request: &Recorded, domain: u64) -> Reply {
        let fields = match self.body(request) {
            Ok(fields) => fields,
            Err(reply) => return reply,
        };
        let (Some(kind), Some(name), Some(target)) = (
            field(&fields, "type"),
            field(&fields, "name"),
            field(&fields, "target"),
        ) else {
            return error(400, None, "type, name and target are required");
        };
        if !valid_content(&kind, &target) {
            return error(400, Some("target"), "Invalid IP address");
        }
        let ttl_sec: u32 = field(&fields, "ttl_sec")
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
        if ttl_sec != 0 && ttl_sec < 30 {
            return error(400, Some("ttl_sec"), "Must be at least 30");
        }
        self.next_id += 1;
        let record = Record {
            id: self.next_id,
            domain,
            kind,
            name,
            target,
            ttl_sec,
            tag: None,
        };
        let reply = json_reply(200, &record_json(&record));
        self.records.push(record);
        reply
    }
}
