//! A fake Porkbun API v3 on a [`Mock`], answering as
//! <https://porkbun.com/api/json/v3/documentation> says:
//! - every call is `POST https://api.porkbun.com/api/json/v3/...` with a JSON body
//!   holding `apikey` and `secretapikey` ("Authentication");
//! - `domain/listAll` -> `{"status":"SUCCESS","domains":[{"domain":..,"status":"ACTIVE",..}]}`;
//! - `dns/retrieveByNameType/DOMAIN/TYPE/[SUBDOMAIN]` -> `{"status":"SUCCESS","records":[{"id","name","type","content","ttl","prio","notes"}]}`;
//! - `dns/editByNameType/DOMAIN/TYPE/[SUBDOMAIN]` with `content` (and `ttl`,
//!   whose minimum and default is 600) -> `{"status":"SUCCESS"}`;
//! - `dns/create/DOMAIN` with `name`, `type`, `content`, `ttl` -> `{"status":"SUCCESS","id":..}`;
//! - errors: `{"status":"ERROR","message":".."}` with HTTP 400 (invalid key,
//!   a domain not opted in to API access, an invalid domain or value).
//!
//! What the page does not allow is answered with HTTP 400 and recorded in
//! [`PorkbunApi::violations`].

use std::sync::{Arc, Mutex};

use super::rest::{field, flat_json, json_reply, valid_content};
use super::{Mock, Recorded, Reply, PASSWORD, TOKEN};

#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub id: u32,
    pub domain: String,
    /// The full name, as Porkbun shows it.
    pub name: String,
    pub kind: String,
    pub content: String,
    pub ttl: String,
    pub notes: String,
}

#[derive(Default)]
pub struct State {
    pub domains: Vec<String>,
    /// Domains whose API access is off.
    pub not_opted_in: Vec<String>,
    pub records: Vec<Record>,
    pub violations: Vec<String>,
    next_id: u32,
}

#[derive(Clone)]
pub struct PorkbunApi {
    pub state: Arc<Mutex<State>>,
}

pub fn error(status: u16, message: &str) -> Reply {
    json_reply(
        status,
        &format!(r#"{{"status":"ERROR","message":"{message}"}}"#),
    )
}

impl PorkbunApi {
    pub fn on(mock: &Mock, domains: &[&str]) -> PorkbunApi {
        let api = PorkbunApi {
            state: Arc::new(Mutex::new(State {
                domains: domains.iter().map(|d| d.to_string()).collect(),
                next_id: 106_926_000,
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

    /// A record with notes and a TTL of an hour, as made in the dashboard.
    pub fn add(&self, domain: &str, kind: &str, name: &str, content: &str) {
        let mut state = self.lock();
        state.next_id += 1;
        let id = state.next_id;
        state.records.push(Record {
            id,
            domain: domain.to_string(),
            name: name.to_string(),
            kind: kind.to_string(),
            content: content.to_string(),
            ttl: "3600".to_string(),
            notes: "kept".to_string(),
        });
    }

    pub fn opt_out(&self, domain: &str) {
        self.lock().not_opted_in.push(domain.to_string());
    }

    pub fn record(&self, kind: &str, name: &str) -> Option<Record> {
        self.lock()
            .records
            .iter()
            .find(|r| r.kind == kind && r.name == name)
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
        if !request.tls || request.method != "POST" {
            return self.violation(format!(
                "{} over TLS {}: POST over HTTPS only",
                request.method, request.tls
            ));
        }
        if !request.query.is_empty() || request.header("authorization").is_some() {
            return self.violation("credentials go in the body only".to_string());
        }
        if request
            .header("content-type")
            .is_none_or(|t| !t.starts_with("application/json"))
        {
            return self.violation("no Content-Type: application/json".to_string());
        }
        let Some(fields) = flat_json(&request.body) else {
            return self.violation(format!("not a flat JSON object: {}", request.body));
        };
        if field(&fields, "apikey").as_deref() != Some(TOKEN)
            || field(&fields, "secretapikey").as_deref() != Some(PASSWORD)
        {
            return error(400, "Invalid API key. (002)");
        }
        let Some(path) = request.path.strip_prefix("/api/json/v3/") else {
            return self.violation(format!("path {} is not under /api/json/v3", request.path));
        };
        let parts: Vec<&str> = path.split('/').collect();
        if parts.as_slice() == ["domain", "listAll"] {
            let domains: Vec<String> = self
                .domains
                .iter()
                .map(|d| format!(r#"{{"domain":"{d}","status":"ACTIVE","tld":"com","autoRenew":0,"notLocal":0}}"#))
                .collect();
            return json_reply(
                200,
                &format!(
                    r#"{{"status":"SUCCESS","domains":[{}]}}"#,
                    domains.join(",")
                ),
            );
        }
        let (action, domain, rest) = match parts.as_slice() {
            ["dns", action, domain, rest @ ..] => (*action, domain.to_string(), rest.to_vec()),
            _ => return self.violation(format!("{} is not an API call", request.path)),
        };
        if !self.domains.contains(&domain) {
            return error(400, "Invalid domain.");
        }
        if self.not_opted_in.contains(&domain) {
            return error(400, "Domain is not opted in to API access.");
        }
        let full = |sub: Option<&&str>| match sub {
            Some(sub) => format!("{sub}.{domain}"),
            None => domain.clone(),
        };
        match (action, rest.as_slice()) {
            ("retrieveByNameType", [kind, sub @ ..]) if sub.len() <= 1 => {
                let name = full(sub.first());
                let found: Vec<String> = self
                    .records
                    .iter()
                    .filter(|r| r.domain == domain && r.kind == *kind && r.name == name)
                    .map(|r| {
                        format!(
                            r#"{{"id":"{}","name":"{}","type":"{}","content":"{}","ttl":"{}","prio":"0","notes":"{}"}}"#,
                            r.id, r.name, r.kind, r.content, r.ttl, r.notes
                        )
                    })
                    .collect();
                json_reply(
                    200,
                    &format!(r#"{{"status":"SUCCESS","records":[{}]}}"#, found.join(",")),
                )
            }
            ("editByNameType", [kind, sub @ ..]) if sub.len() <= 1 => {
                let name = full(sub.first());
                let Some(content) = field(&fields, "content") else {
                    return self.violation("editByNameType without content".to_string());
                };
                if !valid_content(kind, &content) {
                    return error(400, "Invalid record content.");
                }
                for (key, _) in &fields {
                    if !["apikey", "secretapikey", "content", "ttl", "prio", "notes"]
                        .contains(&key.as_str())
                    {
                        return self.violation(format!("editByNameType takes no {key}"));
                    }
                }
                let ttl = field(&fields, "ttl").unwrap_or_else(|| "600".to_string());
                for r in self
                    .records
                    .iter_mut()
                    .filter(|r| r.domain == domain && r.kind == *kind && r.name == name)
                {
                    r.content = content.clone();
                    r.ttl = ttl.clone();
                }
                json_reply(200, r#"{"status":"SUCCESS"}"#)
            }
            ("create", []) => {
                let (Some(kind), Some(content)) =
                    (field(&fields, "type"), field(&fields, "content"))
                else {
                    return self.violation("create needs type and content".to_string());
                };
                if !valid_content(&kind, &content) {
                    return error(400, "Invalid record content.");
                }
                let ttl = field(&fields, "ttl").unwrap_or_else(|| "600".to_string());
                if ttl.parse::<u32>().map_or(true, |t| t < 600) {
                    return error(400, "The TTL must be at least 600 seconds.");
                }
                let sub = field(&fields, "name").unwrap_or_default();
                let name = if sub.is_empty() {
                    domain.clone()
                } else {
                    format!("{sub}.{domain}")
                };
                self.next_id += 1;
                let id = self.next_id;
                self.records.push(Record {
                    id,
                    domain,
                    name,
                    kind,
                    content,
                    ttl,
                    notes: String::new(),
                });
                json_reply(200, &format!(r#"{{"status":"SUCCESS","id":{id}}}"#))
            }
            _ => self.violation(format!("{} is not an API call", request.path)),
        }
    }
}
