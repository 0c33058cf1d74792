//! A fake Scaleway Domains and DNS API (v2beta1) on a [`Mock`], answering as
//! <https://www.scaleway.com/en/developers/api/domains-and-dns/> says:
//! - `X-Auth-Token: SECRET_KEY`, else 401 `{"type":"denied_authentication",..}`;
//! - `GET /domain/v2beta1/dns-zones` -> `{"dns_zones":[{"domain","subdomain","status",..}],"total_count"}`;
//! - `GET /domain/v2beta1/dns-zones/{dns_zone}/records?name=&type=` ->
//!   `{"records":[{"id","name","type","data","ttl","priority","comment"}],"total_count"}`;
//!   404 `not_found` for an unknown zone;
//! - `PATCH /domain/v2beta1/dns-zones/{dns_zone}/records` with
//!   `{"changes":[{"set":{"id":..,"records":[..]}}|{"add":{"records":[..]}}],"return_all_records":..}`
//!   -> `{"records":[..]}`; a TTL under 60 -> 400 `invalid_arguments`.
//!
//! What the page does not allow is answered with 400 and recorded in
//! [`ScalewayApi::violations`].

use std::sync::{Arc, Mutex};

use super::rest::{field, flat_json, json_reply, valid_content};
use super::{Mock, Recorded, Reply, TOKEN};

#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub id: String,
    pub zone: String,
    pub name: String,
    pub kind: String,
    pub data: String,
    pub ttl: u32,
    pub comment: Option<String>,
}

#[derive(Default)]
pub struct State {
    pub zones: Vec<String>,
    pub records: Vec<Record>,
    pub violations: Vec<String>,
    next_id: u32,
}

#[derive(Clone)]
pub struct ScalewayApi {
    pub state: Arc<Mutex<State>>,
}

pub fn error(status: u16, kind: &str, message: &str) -> Reply {
    json_reply(
        status,
        &format!(r#"{{"type":"{kind}","message":"{message}"}}"#),
    )
}

fn record_json(r: &Record) -> String {
    let comment = r
        .comment
        .as_ref()
        .map_or("null".to_string(), |c| format!("\"{c}\""));
    format!(
        r#"{{"id":"{}","name":"{}","type":"{}","data":"{}","ttl":{},"priority":0,"comment":{comment}}}"#,
        r.id, r.name, r.kind, r.data, r.ttl
    )
}

impl ScalewayApi {
    pub fn on(mock: &Mock, zones: &[&str]) -> ScalewayApi {
        let api = ScalewayApi {
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

    pub fn add(&self, zone: &str, name: &str, kind: &str, data: &str) {
        let mut state = self.lock();
        state.next_id += 1;
        let id = format!("0f9d2a6e-0000-4000-8000-{:012}", state.next_id);
        state.records.push(Record {
            id,
            zone: zone.to_string(),
            name: name.to_string(),
            kind: kind.to_string(),
            data: data.to_string(),
            ttl: 7200,
            comment: Some("kept".to_string()),
        });
    }

    pub fn record(&self, zone: &str, name: &str, kind: &str) -> Option<Record> {
        self.lock()
            .records
            .iter()
            .find(|r| r.zone == zone && r.name == name && r.kind == kind)
            .cloned()
    }

    pub fn violations(&self) -> Vec<String> {
        self.lock().violations.clone()
    }
}

/// A PATCH's change: "set" or "add", the ID a set names, the one record's fields.
type RecordChange = (&'static str, Option<String>, Vec<(String, String)>);

/// The change of a PATCH body.
fn change_of(body: &str) -> Option<RecordChange> {
    let rest = body.strip_prefix(r#"{"changes":[{"#)?;
    let rest = rest.strip_suffix(r#"}],"return_all_records":false}"#)?;
    let (kind, inner) = if let Some(inner) = rest.strip_prefix(r#""set":{"#) {
        ("set", inner)
    } else {
        ("add", rest.strip_prefix(r#""add":{"#)?)
    };
    let inner = inner.strip_suffix('}')?;
    let (head, record) = inner.split_once(r#""records":["#)?;
    let id = match head {
        "" => None,
        head => Some(field(
            &flat_json(&format!("{{{}}}", head.trim_end_matches(',')))?,
            "id",
        )?),
    };
    let record = flat_json(record.strip_suffix(']')?)?;
    Some((kind, id, record))
}

impl State {
    fn violation(&mut self, what: String) -> Reply {
        self.violations.push(what.clone());
        error(400, "invalid_request_error", &what)
    }

    fn answer(&mut self, request: &Recorded) -> Reply {
        if !request.tls {
            return self.violation("HTTPS only".to_string());
        }
        if request.header("x-auth-token") != Some(TOKEN) {
            return error(401, "denied_authentication", "invalid api key");
        }
        let Some(path) = request.path.strip_prefix("/domain/v2beta1/") else {
            return self.violation(format!("{} is not under /domain/v2beta1", request.path));
        };
        let parts: Vec<&str> = path.split('/').collect();
        match (request.method.as_str(), parts.as_slice()) {
            ("GET", ["dns-zones"]) => {
                let list: Vec<String> = self
                    .zones
                    .iter()
                    .map(|z| format!(r#"{{"domain":"{z}","subdomain":"","ns":[],"status":"active","project_id":"p"}}"#))
                    .collect();
                json_reply(
                    200,
                    &format!(
                        r#"{{"dns_zones":[{}],"total_count":{}}}"#,
                        list.join(","),
                        list.len()
                    ),
                )
            }
            (method, ["dns-zones", zone, "records"]) => {
                let zone = zone.to_string();
                if !self.zones.contains(&zone) {
                    return error(404, "not_found", "resource is not found");
                }
                match method {
                    "GET" => {
                        let found: Vec<String> = self
                            .records
                            .iter()
                            .filter(|r| r.zone == zone)
                            .filter(|r| request.param("name").is_none_or(|n| n == r.name))
                            .filter(|r| request.param("type").is_none_or(|t| t == r.kind))
                            .map(record_json)
                            .collect();
                        json_reply(
                            200,
                            &format!(
                                r#"{{"records":[{}],"total_count":{}}}"#,
                                found.join(","),
                                found.len()
                            ),
                        )
                    }
                    "PATCH" => self.patch(request, &zone),
                    _ => self.violation(format!("{method} {} is not an API call", request.path)),
                }
            }
            _ => self.violation(format!(
                "{} {} is not an API call",
                request.method, request.path
            )),
        }
    }

    fn patch(&mut self, request: &Recorded, zone: &str) -> Reply {
        let Some((kind, id, record)) = change_of(&request.body) else {
            return self.violation(format!("PATCH body: {}", request.body));
        };
        let (Some(name), Some(rtype), Some(data), Some(ttl)) = (
            field(&record, "name"),
            field(&record, "type"),
            field(&record, "data"),
            field(&record, "ttl").and_then(|t| t.parse::<u32>().ok()),
        ) else {
            return error(
                400,
                "invalid_arguments",
                "name, type, data and ttl are required",
            );
        };
        if !valid_content(&rtype, &data) {
            return error(400, "invalid_arguments", "invalid data");
        }
        if ttl < 60 {
            return error(400, "invalid_arguments", "ttl must be at least 60");
        }
        let comment = field(&record, "comment");
        match (kind, id) {
            ("set", Some(id)) => {
                let Some(r) = self
                    .records
                    .iter_mut()
                    .find(|r| r.id == id && r.zone == zone)
                else {
                    return error(404, "not_found", "record is not found");
                };
                (r.name, r.kind, r.data, r.ttl, r.comment) = (name, rtype, data, ttl, comment);
            }
            ("add", None) => {
                self.next_id += 1;
                let id = format!("0f9d2a6e-0000-4000-9000-{:012}", self.next_id);
                self.records.push(Record {
                    id,
                    zone: zone.to_string(),
                    name,
                    kind: rtype,
                    data,
                    ttl,
                    comment,
                });
            }
            _ => return self.violation(format!("PATCH change: {}", request.body)),
        }
        json_reply(200, r#"{"records":[]}"#)
    }
}
