//! A fake LuaDNS REST API v1 on a [`Mock`], answering as
//! <https://www.luadns.com/api.html> says (Authentication, Status Codes, Zones,
//! Records):
//! - HTTPS only; HTTP Basic auth with the account's e-mail and an API key, else
//!   401; every request should send `Accept: application/json`;
//! - `GET /v1/zones` -> `[{"id","name","synced","records_count",..}]`;
//! - `GET /v1/zones/{zone_id}/records` -> `[{"id","name"(absolute, with the final
//!   dot),"type","content","ttl","zone_id",..}]`;
//! - `PUT /v1/zones/{zone_id}/records/{record_id}` with name, type, content, ttl
//!   -> the record;
//! - `POST /v1/zones/{zone_id}/records` with name, type, content, ttl -> the record;
//! - errors `{"status":"..","request_id":"..","message":".."}`: 400, 401, 403,
//!   404, 422 (validation), 429, 500.
//!
//! What the page does not allow is answered with 400 and recorded in
//! [`LuadnsApi::violations`].

use std::sync::{Arc, Mutex};

use super::rest::{field, flat_json, json_reply, valid_content};
use super::{Mock, Recorded, Reply, PASSWORD};

/// The account's e-mail, the Basic-auth user.
pub const EMAIL: &str = "you@example.com";

#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub id: u64,
    pub zone: u64,
    /// Absolute, with the final dot.
    pub name: String,
    pub kind: String,
    pub content: String,
    pub ttl: u32,
}

#[derive(Default)]
pub struct State {
    /// (id, name)
    pub zones: Vec<(u64, String)>,
    pub records: Vec<Record>,
    pub violations: Vec<String>,
    next_id: u64,
}

#[derive(Clone)]
pub struct LuadnsApi {
    pub state: Arc<Mutex<State>>,
}

pub fn error(status: u16, what: &str, message: &str) -> Reply {
    json_reply(
        status,
        &format!(r#"{{"status":"{what}","request_id":"3c5e2f0a","message":"{message}"}}"#),
    )
}

fn record_json(r: &Record) -> String {
    format!(
        r#"{{"id":{},"name":"{}","type":"{}","content":"{}","ttl":{},"zone_id":{},"generated":false,"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}}"#,
        r.id, r.name, r.kind, r.content, r.ttl, r.zone
    )
}

impl LuadnsApi {
    pub fn on(mock: &Mock, zones: &[&str]) -> LuadnsApi {
        let api = LuadnsApi {
            state: Arc::new(Mutex::new(State {
                zones: zones
                    .iter()
                    .enumerate()
                    .map(|(i, z)| (7 + i as u64, z.to_string()))
                    .collect(),
                next_id: 500,
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

    /// A record (`name` absolute, without the final dot) with a TTL of an hour;
    /// returns its ID.
    pub fn add(&self, zone: &str, kind: &str, name: &str, content: &str) -> u64 {
        let mut state = self.lock();
        let zone = state
            .zones
            .iter()
            .find(|(_, z)| z == zone)
            .map(|(id, _)| *id)
            .unwrap_or_else(|| panic!("no zone {zone}"));
        state.next_id += 1;
        let id = state.next_id;
        state.records.push(Record {
            id,
            zone,
            name: format!("{name}."),
            kind: kind.to_string(),
            content: content.to_string(),
            ttl: 3600,
        });
        id
    }

    /// The record of that name (absolute, without the final dot) and type.
    pub fn record(&self, name: &str, kind: &str) -> Option<Record> {
        self.lock()
            .records
            .iter()
            .find(|r| r.name == format!("{name}.") && r.kind == kind)
            .cloned()
    }

    pub fn violations(&self) -> Vec<String> {
        self.lock().violations.clone()
    }
}

impl State {
    fn violation(&mut self, what: String) -> Reply {
        self.violations.push(what.clone());
        error(400, "Bad Request", &what)
    }

    fn answer(&mut self, request: &Recorded) -> Reply {
        if !request.tls {
            return self.violation("HTTPS only".to_string());
        }
        if request.basic_auth() != Some((EMAIL.to_string(), PASSWORD.to_string())) {
            return error(401, "Unauthorized", "Invalid username or API key");
        }
        if request.header("accept") != Some("application/json") {
            return self.violation("a request without Accept: application/json".to_string());
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
                    .map(|(id, z)| {
                        format!(
                            r#"{{"id":{id},"name":"{z}","synced":false,"queries_count":0,"records_count":0,"aliases_count":0,"redirects_count":0,"forwards_count":0,"template_id":0}}"#
                        )
                    })
                    .collect();
                json_reply(200, &format!("[{}]", zones.join(",")))
            }
            (method, ["zones", id, "records", rest @ ..]) => {
                let Some((zone, zone_name)) = self
                    .zones
                    .iter()
                    .find(|(z, _)| z.to_string() == *id)
                    .cloned()
                else {
                    return error(404, "Not Found", "Zone not found");
                };
                match (method, rest) {
                    ("GET", []) => {
                        let records: Vec<String> = self
                            .records
                            .iter()
                            .filter(|r| r.zone == zone)
                            .map(record_json)
                            .collect();
                        json_reply(200, &format!("[{}]", records.join(",")))
                    }
                    ("POST", []) => self.write(request, zone, &zone_name, None),
                    ("PUT", [record]) => {
                        let record = record.to_string();
                        self.write(request, zone, &zone_name, Some(&record))
                    }
                    _ => self.violation(format!("{method} {} is not an API call", request.path)),
                }
            }
            _ => self.violation(format!(
                "{} {} is not an API call",
                request.method, request.path
            )),
        }
    }

    /// Creates (`id` None) or updates a record from name, type, content, ttl.
    fn write(&mut self, request: &Recorded, zone: u64, zone_name: &str, id: Option<&str>) -> Reply {
        if request
            .header("content-type")
            .is_none_or(|t| !t.starts_with("application/json"))
        {
            return self.violation("a body without Content-Type: application/json".to_string());
        }
        let Some(fields) = flat_json(&request.body) else {
            return self.violation(format!("body: {}", request.body));
        };
        if let Some((key, _)) = fields
            .iter()
            .find(|(k, _)| !["name", "type", "content", "ttl"].contains(&k.as_str()))
        {
            return self.violation(format!("{key}: dynup sends name, type, content, ttl"));
        }
        let (Some(name), Some(kind), Some(content), Some(ttl)) = (
            field(&fields, "name"),
            field(&fields, "type"),
            field(&fields, "content"),
            field(&fields, "ttl").and_then(|t| t.parse::<u32>().ok()),
        ) else {
            return error(
                422,
                "Unprocessable Entity",
                "name, type, content, ttl required",
            );
        };
        let within = name == format!("{zone_name}.") || name.ends_with(&format!(".{zone_name}."));
        if !within {
            return error(422, "Unprocessable Entity", "name is not in the zone");
        }
        if !valid_content(&kind, &content) {
            return error(422, "Unprocessable Entity", "invalid content");
        }
        let index = match id {
            Some(id) => match self
                .records
                .iter()
                .position(|r| r.zone == zone && r.id.to_string() == id)
            {
                Some(i) => i,
                None => return error(404, "Not Found", "Record not found"),
            },
            None => {
                self.next_id += 1;
                self.records.push(Record {
                    id: self.next_id,
                    zone,
                    name: name.clone(),
                    kind: kind.clone(),
                    content: String::new(),
                    ttl,
                });
                self.records.len() - 1
            }
        };
        let record = &mut self.records[index];
        (record.name, record.kind, record.content, record.ttl) = (name, kind, content, ttl);
        json_reply(200, &record_json(record))
    }
}
