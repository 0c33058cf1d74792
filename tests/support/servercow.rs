//! A fake Servercow DNS API v1 on a [`Mock`], answering as
//! <https://wiki.servercow.de/en/domains/dns_api/api-syntax/> says:
//! - every request is to `/dns/v1/domains/{domain}` with the headers
//!   `X-Auth-Username` and `X-Auth-Password` (and `Content-Type:
//!   application/json`, which the page asks for explicitly: checked on POSTs);
//! - `GET`: the domain's records; the page shows no answer, so this fake lists
//!   them as the POST takes them, `[{"name","ttl","type","content"}]`;
//! - `POST` with `{"type","name","content","ttl"}`, `name` relative to the
//!   domain (`_acme-challenge.www` in the page's example; `""` for the apex):
//!   creates the record or replaces its content -> `{"message":"ok"}`;
//! - a domain the user may not touch -> `{"error":"no such domain in user context"}`
//!   (the text acme.sh's servercow hook looks for); a wrong login -> 401
//!   `{"error":..}` (not documented: this fake's choice).
//!
//! What the page does not allow is recorded in [`ServercowApi::violations`].

use std::sync::{Arc, Mutex};

use super::rest::{field, flat_json, json_reply, valid_content};
use super::{Mock, Recorded, Reply, PASSWORD};

/// The DNS-API user the fake knows.
pub const USER: &str = "dnsapi-home";

#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub domain: String,
    /// Relative, "" for the apex.
    pub name: String,
    pub kind: String,
    pub content: String,
    pub ttl: u32,
}

#[derive(Default)]
pub struct State {
    pub domains: Vec<String>,
    pub records: Vec<Record>,
    pub violations: Vec<String>,
    /// List names in full (`home.example.com`): the page shows no GET answer.
    pub full_names: bool,
}

#[derive(Clone)]
pub struct ServercowApi {
    pub state: Arc<Mutex<State>>,
}

fn error(status: u16, text: &str) -> Reply {
    json_reply(status, &format!(r#"{{"error":"{text}"}}"#))
}

impl ServercowApi {
    pub fn on(mock: &Mock, domains: &[&str]) -> ServercowApi {
        let api = ServercowApi {
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

    /// A record with a TTL of an hour.
    pub fn add(&self, domain: &str, name: &str, kind: &str, content: &str) {
        self.lock().records.push(Record {
            domain: domain.to_string(),
            name: name.to_string(),
            kind: kind.to_string(),
            content: content.to_string(),
            ttl: 3600,
        });
    }

    pub fn record(&self, domain: &str, name: &str, kind: &str) -> Option<Record> {
        self.lock()
            .records
            .iter()
            .find(|r| r.domain == domain && r.name == name && r.kind == kind)
            .cloned()
    }

    pub fn list_full_names(&self) {
        self.lock().full_names = true;
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
            return self.violation("plain HTTP: the API is HTTPS".to_string());
        }
        let Some(domain) = request.path.strip_prefix("/dns/v1/domains/") else {
            return self.violation(format!(
                "path {} is not under /dns/v1/domains/",
                request.path
            ));
        };
        let domain = domain.to_string();
        if request.header("x-auth-username") != Some(USER)
            || request.header("x-auth-password") != Some(PASSWORD)
        {
            return error(401, "authentication failed");
        }
        if !self.domains.contains(&domain) {
            return error(200, "no such domain in user context");
        }
        match request.method.as_str() {
            "GET" => {
                let listed: Vec<String> = self
                    .records
                    .iter()
                    .filter(|r| r.domain == domain)
                    .map(|r| {
                        let name = match (self.full_names, r.name.as_str()) {
                            (false, name) => name.to_string(),
                            (true, "") => domain.clone(),
                            (true, name) => format!("{name}.{domain}"),
                        };
                        format!(
                            r#"{{"name":"{name}","ttl":{},"type":"{}","content":"{}"}}"#,
                            r.ttl, r.kind, r.content
                        )
                    })
                    .collect();
                json_reply(200, &format!("[{}]", listed.join(",")))
            }
            "POST" => self.post(request, domain),
            other => self.violation(format!("{other}: only GET and POST are used here")),
        }
    }

    fn post(&mut self, request: &Recorded, domain: String) -> Reply {
        if request.header("content-type") != Some("application/json") {
            return self.violation(format!(
                "POST with Content-Type {:?}: the page asks for application/json",
                request.header("content-type")
            ));
        }
        let Some(fields) = flat_json(&request.body) else {
            return self.violation(format!("body {:?} is not a flat JSON object", request.body));
        };
        let known = ["type", "name", "content", "ttl"];
        if let Some((k, _)) = fields.iter().find(|(k, _)| !known.contains(&k.as_str())) {
            return self.violation(format!("unknown member {k}"));
        }
        let (Some(kind), Some(name), Some(content)) = (
            field(&fields, "type"),
            field(&fields, "name"),
            field(&fields, "content"),
        ) else {
            return self.violation(format!(
                "{}: type, name and content are needed",
                request.body
            ));
        };
        if !valid_content(&kind, &content) {
            return self.violation(format!("{content} is not an {kind} address"));
        }
        if name == domain || name.ends_with(&format!(".{domain}")) {
            return self.violation(format!("name {name} is not relative to {domain}"));
        }
        let ttl = match field(&fields, "ttl").map(|t| t.parse::<u32>()) {
            Some(Ok(ttl)) => ttl,
            None => 3600,
            Some(Err(_)) => return self.violation("ttl is not a number".to_string()),
        };
        // One POST leaves one record of the name and type: the one sent.
        self.records
            .retain(|r| !(r.domain == domain && r.name == name && r.kind == kind));
        self.records.push(Record {
            domain,
            name,
            kind,
            content,
            ttl,
        });
        json_reply(200, r#"{"message":"ok"}"#)
    }
}
