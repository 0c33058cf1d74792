//! A fake DigitalOcean API v2 (Domains, Domain Records) on a [`Mock`], answering
//! as <https://docs.digitalocean.com/reference/api/digitalocean/> says:
//! - `Authorization: Bearer TOKEN`, else 401 `{"id":"unauthorized",..}`;
//! - `GET /v2/domains` -> `{"domains":[{"name","ttl","zone_file"}],"links":{},"meta":{"total":..}}`,
//!   `GET /v2/domains/{name}` -> `{"domain":{..}}`, 404 `not_found`;
//! - `GET /v2/domains/{name}/records?type=&name=FQDN` ->
//!   `{"domain_records":[{"id","type","name"(relative, @),"data","ttl",..}],..}`;
//! - `PATCH /v2/domains/{name}/records/{id}` with any attributes (here `data`) ->
//!   `{"domain_record":{..}}`;
//! - `POST /v2/domains/{name}/records` with type, name, data, ttl (at least 30) -> 201;
//! - errors `{"id":..,"message":..}`: 401, 404, 422 `unprocessable_entity`, 429
//!   `too_many_requests`.
//!
//! What the page does not allow is answered with 400 and recorded in
//! [`DigitalOceanApi::violations`].

use std::sync::{Arc, Mutex};

use super::rest::{field, flat_json, json_reply, valid_content};
use super::{Mock, Recorded, Reply, TOKEN};

#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub id: u64,
    pub domain: String,
    pub kind: String,
    /// Relative, `@` for the apex.
    pub name: String,
    pub data: String,
    pub ttl: u32,
}

#[derive(Default)]
pub struct State {
    pub domains: Vec<String>,
    pub records: Vec<Record>,
    pub violations: Vec<String>,
    next_id: u64,
}

#[derive(Clone)]
pub struct DigitalOceanApi {
    pub state: Arc<Mutex<State>>,
}

pub fn error(status: u16, id: &str, message: &str) -> Reply {
    json_reply(status, &format!(r#"{{"id":"{id}","message":"{message}"}}"#))
}

fn record_json(r: &Record) -> String {
    format!(
        r#"{{"id":{},"type":"{}","name":"{}","data":"{}","priority":null,"port":null,"ttl":{},"weight":null,"flags":null,"tag":null}}"#,
        r.id, r.kind, r.name, r.data, r.ttl
    )
}

impl DigitalOceanApi {
    pub fn on(mock: &Mock, domains: &[&str]) -> DigitalOceanApi {
        let api = DigitalOceanApi {
            state: Arc::new(Mutex::new(State {
                domains: domains.iter().map(|d| d.to_string()).collect(),
                next_id: 28_448_400,
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

    /// A record with a TTL of an hour; returns its ID.
    pub fn add(&self, domain: &str, kind: &str, name: &str, data: &str) -> u64 {
        let mut state = self.lock();
        state.next_id += 1;
        let id = state.next_id;
        state.records.push(Record {
            id,
            domain: domain.to_string(),
            kind: kind.to_string(),
            name: name.to_string(),
            data: data.to_string(),
            ttl: 3600,
        });
        id
    }

    pub fn record(&self, domain: &str, kind: &str, name: &str) -> Option<Record> {
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
        error(400, "bad_request", &what)
    }

    fn answer(&mut self, request: &Recorded) -> Reply {
        if !request.tls {
            return self.violation("HTTPS only".to_string());
        }
        if request.header("authorization") != Some(format!("Bearer {TOKEN}").as_str()) {
            return error(401, "unauthorized", "Unable to authenticate you.");
        }
        let Some(path) = request.path.strip_prefix("/v2/") else {
            return self.violation(format!("{} is not under /v2", request.path));
        };
        let parts: Vec<&str> = path.split('/').collect();
        match (request.method.as_str(), parts.as_slice()) {
            ("GET", ["domains"]) => {
                let list: Vec<String> = self
                    .domains
                    .iter()
                    .map(|d| format!(r#"{{"name":"{d}","ttl":1800,"zone_file":""}}"#))
                    .collect();
                json_reply(
                    200,
                    &format!(
                        r#"{{"domains":[{}],"links":{{}},"meta":{{"total":{}}}}}"#,
                        list.join(","),
                        list.len()
                    ),
                )
            }
            (method, ["domains", domain, rest @ ..]) => {
                let domain = domain.to_string();
                if !self.domains.contains(&domain) {
                    return error(
                        404,
                        "not_found",
                        "The resource you were accessing could not be found.",
                    );
                }
                match (method, rest) {
                    ("GET", []) => json_reply(
                        200,
                        &format!(r#"{{"domain":{{"name":"{domain}","ttl":1800}}}}"#),
                    ),
                    ("GET", ["records"]) => self.list(request, &domain),
                    ("POST", ["records"]) => self.create(request, &domain),
                    ("PATCH", ["records", id]) => self.patch(request, &domain, id),
                    _ => self.violation(format!("{method} {} is not an API call", request.path)),
                }
            }
            _ => self.violation(format!(
                "{} {} is not an API call",
                request.method, request.path
            )),
        }
    }

    fn list(&mut self, request: &Recorded, domain: &str) -> Reply {
        // The name filter is the full name (the records show it relative).
        let full = |r: &Record| match r.name.as_str() {
            "@" => domain.to_string(),
            name => format!("{name}.{domain}"),
        };
        let found: Vec<String> = self
            .records
            .iter()
            .filter(|r| r.domain == domain)
            .filter(|r| request.param("type").is_none_or(|t| t == r.kind))
            .filter(|r| request.param("name").is_none_or(|n| n == full(r)))
            .map(record_json)
            .collect();
        json_reply(
            200,
            &format!(
                r#"{{"domain_records":[{}],"links":{{}},"meta":{{"total":{}}}}}"#,
                found.join(","),
                found.len()
            ),
        )
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

    fn patch(&mut self, request: &Recorded, domain: &str, id: &str) -> Reply {
        let fields = match self.body(request) {
            Ok(fields) => fields,
            Err(reply) => return reply,
        };
        let Some(i) = self
            .records
            .iter()
            .position(|r| r.domain == domain && r.id.to_string() == id)
        else {
            return error(
                404,
                "not_found",
                "The resource you were accessing could not be found.",
            );
        };
        if let Some(data) = field(&fields, "data") {
            if !valid_content(&self.records[i].kind, &data) {
                return error(
                    422,
                    "unprocessable_entity",
                    "Data needs to be a valid address",
                );
            }
            self.records[i].data = data;
        }
        json_reply(
            200,
            &format!(r#"{{"domain_record":{}}}"#, record_json(&self.records[i])),
        )
    }

    fn create(&mut self, request: &Recorded, domain: &str) -> Reply {
        let fields = match self.body(request) {
            Ok(fields) => fields,
            Err(reply) => return reply,
        };
        let (Some(kind), Some(name), Some(data)) = (
            field(&fields, "type"),
            field(&fields, "name"),
            field(&fields, "data"),
        ) else {
            return error(
                422,
                "unprocessable_entity",
                "type, name and data are required",
            );
        };
        if !valid_content(&kind, &data) {
            return error(
                422,
                "unprocessable_entity",
                "Data needs to be a valid address",
            );
        }
        if name.ends_with(domain) {
            return self.violation("name must be relative to the domain".to_string());
        }
        let ttl: u32 = field(&fields, "ttl")
            .and_then(|t| t.parse().ok())
            .unwrap_or(1800);
        if ttl < 30 {
            return error(
                422,
                "unprocessable_entity",
                "TTL must be at least 30 seconds",
            );
        }
        self.next_id += 1;
        let record = Record {
            id: self.next_id,
            domain: domain.to_string(),
            kind,
            name,
            data,
            ttl,
        };
        let reply = json_reply(
            201,
            &format!(r#"{{"domain_record":{}}}"#, record_json(&record)),
        );
        self.records.push(record);
        reply
    }
}
