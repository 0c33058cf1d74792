//! A fake of the DNS part of Hetzner's Cloud API on a [`Mock`], answering as
//! <https://docs.hetzner.cloud/reference/cloud> says (Authentication, Zones,
//! Zone RRSets, Errors, Pagination):
//! - `Authorization: Bearer TOKEN`, else 401 `unauthorized`;
//! - `GET /v1/zones?page=&per_page=` -> `{"zones":[{"id","name","mode",..}],"meta":{"pagination":{..}}}`;
//!   `GET /v1/zones/{id_or_name}` -> `{"zone":{..}}`, 404 `not_found`;
//! - `GET /v1/zones/{id_or_name}/rrsets/{rr_name}/{rr_type}` -> `{"rrset":{"id","name","type","ttl","records":[{"value","comment"}],..}}`,
//!   404 `not_found` when there is none; names relative, `@` for the apex;
//! - `POST .../rrsets/{rr_name}/{rr_type}/actions/set_records` with `{"records":[..]}`:
//!   overwrites the records (not the TTL) -> 201 `{"action":{..}}`;
//! - `POST /v1/zones/{id_or_name}/rrsets` with name, type, ttl, records -> 201
//!   `{"rrset":{..},"action":{..}}`; 409 `uniqueness_error` when it exists;
//! - errors `{"error":{"code","message","details"}}`.
//!
//! What the page does not allow is answered with 400 `invalid_input` and recorded
//! in [`HetznerApi::violations`].

use std::sync::{Arc, Mutex};

use super::rest::{json_reply, valid_content};
use super::{Mock, Recorded, Reply, TOKEN};

#[derive(Clone, Debug, PartialEq)]
pub struct RRSet {
    pub zone: String,
    /// Relative, `@` for the apex.
    pub name: String,
    pub kind: String,
    pub ttl: Option<u32>,
    /// (value, comment)
    pub records: Vec<(String, String)>,
}

#[derive(Default)]
pub struct State {
    /// (id, name)
    pub zones: Vec<(u64, String)>,
    pub rrsets: Vec<RRSet>,
    pub violations: Vec<String>,
}

#[derive(Clone)]
pub struct HetznerApi {
    pub state: Arc<Mutex<State>>,
}

pub fn error(status: u16, code: &str, message: &str) -> Reply {
    json_reply(
        status,
        &format!(r#"{{"error":{{"code":"{code}","message":"{message}","details":{{}}}}}}"#),
    )
}

fn action(command: &str) -> String {
    format!(
        r#"{{"id":13,"command":"{command}","status":"running","progress":0,"started":"2026-01-01T00:00:00Z","finished":null,"resources":[{{"id":42,"type":"zone"}}],"error":null}}"#
    )
}

impl HetznerApi {
    pub fn on(mock: &Mock, zones: &[&str]) -> HetznerApi {
        let api = HetznerApi {
            state: Arc::new(Mutex::new(State {
                zones: zones
                    .iter()
                    .enumerate()
                    .map(|(i, z)| (42 + i as u64, z.to_string()))
                    .collect(),
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

    /// An RRSet of one record with a comment and a TTL of an hour.
    pub fn add(&self, zone: &str, name: &str, kind: &str, value: &str) {
        self.lock().rrsets.push(RRSet {
            zone: zone.to_string(),
            name: name.to_string(),
            kind: kind.to_string(),
            ttl: Some(3600),
            records: vec![(value.to_string(), "kept".to_string())],
        });
    }

    pub fn rrset(&self, zone: &str, name: &str, kind: &str) -> Option<RRSet> {
        self.lock()
            .rrsets
            .iter()
            .find(|r| r.zone == zone && r.name == name && r.kind == kind)
            .cloned()
    }

    pub fn violations(&self) -> Vec<String> {
        self.lock().violations.clone()
    }
}

/// `{"records":[{"value":"..","comment":".."}]}` and the like: the records, or
/// `None` when the text is not of that shape.
fn records_of(text: &str) -> Option<Vec<(String, String)>> {
    let start = text.find("\"records\":[")? + "\"records\":[".len();
    let end = start + text[start..].find(']')?;
    let mut records = Vec::new();
    for object in text[start..end].split("},") {
        let object = object.trim_end_matches('}').to_string() + "}";
        let fields = super::rest::flat_json(&object)?;
        let value = super::rest::field(&fields, "value")?;
        let comment = super::rest::field(&fields, "comment").unwrap_or_default();
        if fields.iter().any(|(k, _)| k != "value" && k != "comment") {
            return None;
        }
        records.push((value, comment));
    }
    Some(records)
}

impl State {
    fn violation(&mut self, what: String) -> Reply {
        self.violations.push(what.clone());
        error(400, "invalid_input", &what)
    }

    fn rrset_json(r: &RRSet) -> String {
        let records: Vec<String> = r
            .records
            .iter()
            .map(|(v, c)| format!(r#"{{"value":"{v}","comment":"{c}"}}"#))
            .collect();
        let ttl = r.ttl.map_or("null".to_string(), |t| t.to_string());
        format!(
            r#"{{"id":"{}/{}","name":"{}","type":"{}","ttl":{ttl},"labels":{{}},"protection":{{"change":false}},"records":[{}],"zone":42}}"#,
            r.name,
            r.kind,
            r.name,
            r.kind,
            records.join(",")
        )
    }

    fn answer(&mut self, request: &Recorded) -> Reply {
        if !request.tls {
            return self.violation("HTTPS only".to_string());
        }
        if request.header("authorization") != Some(format!("Bearer {TOKEN}").as_str()) {
            return error(401, "unauthorized", "unable to authenticate");
        }
        let Some(path) = request.path.strip_prefix("/v1/") else {
            return self.violation(format!("{} is not under /v1", request.path));
        };
        let parts: Vec<&str> = path.split('/').collect();
        if request.method == "POST"
            && request
                .header("content-type")
                .is_none_or(|t| !t.starts_with("application/json"))
        {
            return self.violation("a body without Content-Type: application/json".to_string());
        }
        match (request.method.as_str(), parts.as_slice()) {
            ("GET", ["zones"]) => {
                let page: usize = request
                    .param("page")
                    .and_then(|p| p.parse().ok())
                    .unwrap_or(1);
                let per_page: usize = request
                    .param("per_page")
                    .and_then(|p| p.parse().ok())
                    .unwrap_or(25);
                if page == 0 || !(1..=100).contains(&per_page) {
                    return self.violation("page or per_page out of range".to_string());
                }
                let shown: Vec<String> = self
                    .zones
                    .iter()
                    .skip((page - 1) * per_page)
                    .take(per_page)
                    .map(|(id, name)| {
                        format!(r#"{{"id":{id},"name":"{name}","mode":"primary","ttl":3600,"status":"ok","record_count":3}}"#)
                    })
                    .collect();
                let last = self.zones.len().div_ceil(per_page).max(1);
                json_reply(
                    200,
                    &format!(
                        r#"{{"zones":[{}],"meta":{{"pagination":{{"page":{page},"per_page":{per_page},"previous_page":null,"next_page":null,"last_page":{last},"total_entries":{}}}}}}}"#,
                        shown.join(","),
                        self.zones.len()
                    ),
                )
            }
            ("GET", ["zones", zone]) => match self.zone(zone) {
                Some(name) => json_reply(
                    200,
                    &format!(r#"{{"zone":{{"id":42,"name":"{name}","mode":"primary"}}}}"#),
                ),
                None => error(404, "not_found", "zone not found"),
            },
            (method, ["zones", zone, "rrsets", rest @ ..]) => {
                let Some(zone) = self.zone(zone) else {
                    return error(404, "not_found", "zone not found");
                };
                self.rrsets_call(request, method, &zone, rest)
            }
            _ => self.violation(format!(
                "{} {} is not an API call",
                request.method, request.path
            )),
        }
    }

    fn zone(&self, id_or_name: &str) -> Option<String> {
        self.zones
            .iter()
            .find(|(id, name)| id.to_string() == id_or_name || name == id_or_name)
            .map(|(_, name)| name.clone())
    }

    fn rrsets_call(
        &mut self,
        request: &Recorded,
        method: &str,
        zone: &str,
        rest: &[&str],
    ) -> Reply {
        match (method, rest) {
            ("GET", [name, kind]) => match self
                .rrsets
                .iter()
                .find(|r| r.zone == zone && r.name == *name && r.kind == *kind)
            {
                Some(r) => json_reply(200, &format!(r#"{{"rrset":{}}}"#, Self::rrset_json(r))),
                None => error(404, "not_found", "rrset not found"),
            },
            ("POST", [name, kind, "actions", "set_records"]) => {
                let Some(records) = records_of(&request.body) else {
                    return self.violation(format!("set_records body: {}", request.body));
                };
                if records.iter().any(|(v, _)| !valid_content(kind, v)) {
                    return error(400, "invalid_input", "invalid record value");
                }
                let Some(rrset) = self
                    .rrsets
                    .iter_mut()
                    .find(|r| r.zone == zone && r.name == *name && r.kind == *kind)
                else {
                    return error(404, "not_found", "rrset not found");
                };
                rrset.records = records;
                json_reply(
                    201,
                    &format!(r#"{{"action":{}}}"#, action("set_rrset_records")),
                )
            }
            ("POST", []) => {
                let Some(records) = records_of(&request.body) else {
                    return self.violation(format!("create body: {}", request.body));
                };
                let head = request.body.split("\"records\"").next().unwrap_or("");
                let Some(fields) =
                    super::rest::flat_json(&format!("{}}}", head.trim_end_matches(',')))
                else {
                    return self.violation(format!("create body: {}", request.body));
                };
                let field = |n: &str| super::rest::field(&fields, n);
                let (Some(name), Some(kind)) = (field("name"), field("type")) else {
                    return error(400, "invalid_input", "name and type are required");
                };
                if name != name.to_ascii_lowercase() || name.ends_with(zone) {
                    return error(400, "invalid_input", "name must be relative and lower case");
                }
                if records.iter().any(|(v, _)| !valid_content(&kind, v)) {
                    return error(400, "invalid_input", "invalid record value");
                }
                let ttl = match field("ttl") {
                    Some(t) => match t.parse::<u32>() {
                        Ok(t) if t >= 60 => Some(t),
                        _ => return error(400, "invalid_input", "ttl must be at least 60"),
                    },
                    None => None,
                };
                if self
                    .rrsets
                    .iter()
                    .any(|r| r.zone == zone && r.name == name && r.kind == kind)
                {
                    return error(409, "uniqueness_error", "rrset already exists");
                }
                let rrset = RRSet {
                    zone: zone.to_string(),
                    name,
                    kind,
                    ttl,
                    records,
                };
                let reply = json_reply(
                    201,
                    &format!(
                        r#"{{"rrset":{},"action":{}}}"#,
                        Self::rrset_json(&rrset),
                        action("create_rrset")
                    ),
                );
                self.rrsets.push(rrset);
                reply
            }
            _ => self.violation(format!("{method} {} is not an API call", request.path)),
        }
    }
}
