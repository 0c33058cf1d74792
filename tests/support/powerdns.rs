//! A fake PowerDNS Authoritative HTTP API on a [`Mock`], answering as
//! <https://doc.powerdns.com/authoritative/http-api/zone.html> and
//! <https://doc.powerdns.com/authoritative/http-api/index.html> say:
//! - `X-API-Key: KEY`, else 401;
//! - `GET /api/v1/servers/localhost/zones` -> `[{"id":"example.com.","name":"example.com.","kind":"Native",..}]`;
//! - `GET /api/v1/servers/localhost/zones/{zone_id}?rrsets=true&rrset_name=&rrset_type=` ->
//!   the zone with the matching `rrsets`: `[{"name","type","ttl","records":[{"content","disabled"}],"comments":[]}]`;
//!   404 `{"error":"Could not find domain .."}`;
//! - `PATCH /api/v1/servers/localhost/zones/{zone_id}` with `{"rrsets":[{"name","type","ttl","changetype":"REPLACE","records":[..]}]}`
//!   -> 204; a bad change, or any change to a Slave zone -> 422 `{"error":..}`.
//!
//! What the pages do not allow is answered with 400 and recorded in
//! [`PowerDnsApi::violations`].

use std::sync::{Arc, Mutex};

use super::rest::{json_reply, valid_content};
use super::{Mock, Recorded, Reply, TOKEN};

#[derive(Clone, Debug, PartialEq)]
pub struct RRSet {
    pub zone: String,
    /// Absolute, with the final dot.
    pub name: String,
    pub kind: String,
    pub ttl: u32,
    pub records: Vec<String>,
    pub comments: Vec<String>,
}

#[derive(Default)]
pub struct State {
    /// Absolute names, with the final dot.
    pub zones: Vec<String>,
    pub rrsets: Vec<RRSet>,
    /// Zones of kind Slave, which take no changes.
    pub secondary: Vec<String>,
    pub violations: Vec<String>,
}

#[derive(Clone)]
pub struct PowerDnsApi {
    pub state: Arc<Mutex<State>>,
}

pub fn error(status: u16, message: &str) -> Reply {
    json_reply(status, &format!(r#"{{"error":"{message}"}}"#))
}

impl PowerDnsApi {
    pub fn on(mock: &Mock, zones: &[&str]) -> PowerDnsApi {
        let api = PowerDnsApi {
            state: Arc::new(Mutex::new(State {
                zones: zones.iter().map(|z| format!("{z}.")).collect(),
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

    /// An RRset of one record with a comment and a TTL of an hour.
    pub fn add(&self, zone: &str, name: &str, kind: &str, content: &str) {
        self.lock().rrsets.push(RRSet {
            zone: format!("{zone}."),
            name: format!("{name}."),
            kind: kind.to_string(),
            ttl: 3600,
            records: vec![content.to_string()],
            comments: vec!["kept".to_string()],
        });
    }

    pub fn make_secondary(&self, zone: &str) {
        self.lock().secondary.push(format!("{zone}."));
    }

    pub fn rrset(&self, name: &str, kind: &str) -> Option<RRSet> {
        self.lock()
            .rrsets
            .iter()
            .find(|r| r.name == format!("{name}.") && r.kind == kind)
            .cloned()
    }

    pub fn violations(&self) -> Vec<String> {
        self.lock().violations.clone()
    }
}

/// The one RRset of a PATCH body: (name, type, ttl, changetype, contents), or `None`.
fn patch_of(body: &str) -> Option<(String, String, u32, String, Vec<String>)> {
    let inner = body.strip_prefix(r#"{"rrsets":[{"#)?.strip_suffix("}]}")?;
    let (head, records) = inner.split_once(r#","records":["#)?;
    let fields = super::rest::flat_json(&format!("{{{head}}}"))?;
    let field = |n: &str| super::rest::field(&fields, n);
    let records = records.strip_suffix(']')?;
    let contents = records
        .split("},{")
        .map(|r| {
            let object = format!("{{{}}}", r.trim_start_matches('{').trim_end_matches('}'));
            let fields = super::rest::flat_json(&object)?;
            (super::rest::field(&fields, "disabled").as_deref() == Some("false"))
                .then(|| super::rest::field(&fields, "content"))?
        })
        .collect::<Option<Vec<String>>>()?;
    Some((
        field("name")?,
        field("type")?,
        field("ttl")?.parse().ok()?,
        field("changetype")?,
        contents,
    ))
}

impl State {
    fn violation(&mut self, what: String) -> Reply {
        self.violations.push(what.clone());
        error(400, &what)
    }

    fn answer(&mut self, request: &Recorded) -> Reply {
        if request.header("x-api-key") != Some(TOKEN) {
            return Reply::status(401, "Unauthorized");
        }
        let Some(path) = request.path.strip_prefix("/api/v1/servers/localhost/") else {
            return self.violation(format!(
                "{} is not under /api/v1/servers/localhost",
                request.path
            ));
        };
        let parts: Vec<&str> = path.split('/').collect();
        match (request.method.as_str(), parts.as_slice()) {
            ("GET", ["zones"]) => {
                let list: Vec<String> = self
                    .zones
                    .iter()
                    .map(|z| format!(r#"{{"id":"{z}","name":"{z}","kind":"Native","serial":2026010101,"url":"/api/v1/servers/localhost/zones/{z}"}}"#))
                    .collect();
                json_reply(200, &format!("[{}]", list.join(",")))
            }
            (method, ["zones", id]) => {
                let id = id.to_string();
                if !self.zones.contains(&id) {
                    return error(404, &format!("Could not find domain '{id}'"));
                }
                match method {
                    "GET" => self.zone(request, &id),
                    "PATCH" => self.patch(request, &id),
                    _ => self.violation(format!("{method} {} is not an API call", request.path)),
                }
            }
            _ => self.violation(format!(
                "{} {} is not an API call",
                request.method, request.path
            )),
        }
    }

    fn zone(&mut self, request: &Recorded, id: &str) -> Reply {
        let rrsets: Vec<String> = self
            .rrsets
            .iter()
            .filter(|r| r.zone == id)
            .filter(|r| request.param("rrset_name").is_none_or(|n| n == r.name))
            .filter(|r| request.param("rrset_type").is_none_or(|t| t == r.kind))
            .map(|r| {
                let records: Vec<String> = r
                    .records
                    .iter()
                    .map(|c| format!(r#"{{"content":"{c}","disabled":false}}"#))
                    .collect();
                let comments: Vec<String> = r
                    .comments
                    .iter()
                    .map(|c| format!(r#"{{"content":"{c}","account":"","modified_at":0}}"#))
                    .collect();
                format!(
                    r#"{{"name":"{}","type":"{}","ttl":{},"records":[{}],"comments":[{}]}}"#,
                    r.name,
                    r.kind,
                    r.ttl,
                    records.join(","),
                    comments.join(",")
                )
            })
            .collect();
        json_reply(
            200,
            &format!(
                r#"{{"id":"{id}","name":"{id}","kind":"Native","rrsets":[{}]}}"#,
                rrsets.join(",")
            ),
        )
    }

    fn patch(&mut self, request: &Recorded, id: &str) -> Reply {
        if request
            .header("content-type")
            .is_none_or(|t| !t.starts_with("application/json"))
        {
            return self.violation("a body without Content-Type: application/json".to_string());
        }
        let Some((name, kind, ttl, changetype, contents)) = patch_of(&request.body) else {
            return self.violation(format!("PATCH body: {}", request.body));
        };
        if self.secondary.iter().any(|z| z == id) {
            return error(422, "Modifying RRsets in Slave zones is prohibited");
        }
        if changetype != "REPLACE" || !name.ends_with(&format!(".{id}")) && name != id {
            return error(
                422,
                &format!("RRset {name} IN {kind}: changetype or name refused"),
            );
        }
        if contents.iter().any(|c| !valid_content(&kind, c)) {
            return error(
                422,
                &format!("Record {name}/{kind}: Parsing record content failed"),
            );
        }
        match self
            .rrsets
            .iter_mut()
            .find(|r| r.name == name && r.kind == kind)
        {
            Some(rrset) => {
                rrset.ttl = ttl;
                rrset.records = contents;
            }
            None => self.rrsets.push(RRSet {
                zone: id.to_string(),
                name,
                kind,
                ttl,
                records: contents,
                comments: Vec::new(),
            }),
        }
        Reply::status(204, "").without_header("Content-Type")
    }
}
