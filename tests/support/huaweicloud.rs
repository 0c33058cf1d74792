//! A fake Huawei Cloud DNS (API v2) on a [`Mock`], answering as
//! <https://support.huaweicloud.com/intl/en-us/api-dns/> (Querying Public Zones,
//! Querying Record Sets in a Zone, Creating a Record Set, Modifying a Record
//! Set) and the API signing guide
//! (<https://support.huaweicloud.com/intl/en-us/devg-apisign/api-sign-algorithm-001.html>
//! to -005) say:
//! - every request carries `X-Sdk-Date` (`YYYYMMDDTHHMMSSZ`) and
//!   `Authorization: SDK-HMAC-SHA256 Access=AK, SignedHeaders=.., Signature=..`,
//!   the signed headers including `host` and `x-sdk-date`; the signature is
//!   computed here from the request as received (canonical URI ending in `/`,
//!   sorted query, the signed headers, the body's SHA-256) with the secret
//!   access key [`PASSWORD`]; a wrong one is a 401 `APIGW.0301`;
//! - `GET /v2/zones` (`type`, `name`, `search_mode`, `limit`) -> `zones`
//!   (`id`, `name` absolute);
//! - `GET /v2/zones/{id}/recordsets` (`name`, `type`, `search_mode`) ->
//!   `recordsets` (`id`, `name`, `type`, `ttl`, `records`);
//! - `POST /v2/zones/{id}/recordsets` and `PUT .../recordsets/{id}` with a JSON
//!   body of `name` (absolute), `type`, `records`, `ttl` (optional; a new set
//!   gets 300, a modified one without it too);
//! - errors are `{"code":"DNS.xxxx","message":..}`.
//!
//! What the pages do not allow is recorded in [`HuaweiApi::violations`].

use std::sync::{Arc, Mutex};

use ring::{digest, hmac};

use super::rest::{field, flat_json, json_reply, valid_content};
use super::{Mock, Recorded, Reply, PASSWORD, TOKEN};

#[derive(Clone, Debug, PartialEq)]
pub struct RecordSet {
    pub id: String,
    pub zone_id: String,
    /// Absolute, with the final dot.
    pub name: String,
    pub kind: String,
    pub ttl: u32,
    pub records: Vec<String>,
}

#[derive(Default)]
pub struct State {
    /// (id, name without the final dot)
    pub zones: Vec<(String, String)>,
    pub sets: Vec<RecordSet>,
    pub violations: Vec<String>,
    /// `METHOD path` of each signed request.
    pub calls: Vec<String>,
    next_id: u64,
}

#[derive(Clone)]
pub struct HuaweiApi {
    pub state: Arc<Mutex<State>>,
}

pub fn error(status: u16, code: &str, message: &str) -> Reply {
    json_reply(
        status,
        &format!(r#"{{"code":"{code}","message":"{message}"}}"#),
    )
}

fn gateway_error(status: u16, code: &str, message: &str) -> Reply {
    json_reply(
        status,
        &format!(r#"{{"error_msg":"{message}","error_code":"{code}","request_id":"r-1"}}"#),
    )
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha256_hex(data: &[u8]) -> String {
    hex(digest::digest(&digest::SHA256, data).as_ref())
}

/// The signature of `request` for the signed headers `names`, as the guide
/// computes it.
fn expected_signature(request: &Recorded, names: &str) -> String {
    let mut uri = request.path.clone();
    if !uri.ends_with('/') {
        uri.push('/');
    }
    let raw_query = request.target.split_once('?').map_or("", |(_, q)| q);
    let mut params: Vec<&str> = raw_query.split('&').filter(|p| !p.is_empty()).collect();
    params.sort_unstable();
    let headers: String = names
        .split(';')
        .map(|name| format!("{name}:{}\n", request.header(name).unwrap_or("").trim()))
        .collect();
    let canonical = format!(
        "{}\n{uri}\n{}\n{headers}\n{names}\n{}",
        request.method,
        params.join("&"),
        sha256_hex(request.body.as_bytes())
    );
    let to_sign = format!(
        "SDK-HMAC-SHA256\n{}\n{}",
        request.header("x-sdk-date").unwrap_or(""),
        sha256_hex(canonical.as_bytes())
    );
    let key = hmac::Key::new(hmac::HMAC_SHA256, PASSWORD.as_bytes());
    hex(hmac::sign(&key, to_sign.as_bytes()).as_ref())
}

/// A body's members other than `records`, as [`flat_json`] reads them.
type Members = Vec<(String, String)>;

/// The `records` array of a body and its other members, or `None` when the
/// body is not such an object.
fn body_of(text: &str) -> Option<(Vec<String>, Members)> {
    let key = "\"records\":[";
    let start = text.find(key)?;
    let end = start + key.len() + text[start + key.len()..].find(']')?;
    let records = text[start + key.len()..end]
        .split(',')
        .map(|v| v.trim().trim_matches('"').to_string())
        .filter(|v| !v.is_empty())
        .collect();
    let mut rest = format!("{}{}", &text[..start], &text[end + 1..]);
    rest = rest
        .replace(",,", ",")
        .replace("{,", "{")
        .replace(",}", "}");
    Some((records, flat_json(&rest)?))
}

impl HuaweiApi {
    /// The fake with these zones (names without the final dot).
    pub fn on(mock: &Mock, zones: &[&str]) -> HuaweiApi {
        let api = HuaweiApi {
            state: Arc::new(Mutex::new(State {
                zones: zones
                    .iter()
                    .enumerate()
                    .map(|(i, z)| (format!("ff80808275{i:027}"), z.to_string()))
                    .collect(),
                next_id: 1,
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

    /// A record set of `name` (relative to `zone`, `@` the apex) with a TTL of 300.
    pub fn add(&self, zone: &str, name: &str, kind: &str, values: &[&str]) -> String {
        let mut state = self.lock();
        let zone_id = state
            .zones
            .iter()
            .find(|(_, z)| z == zone)
            .map(|(id, _)| id.clone())
            .expect("a zone of the fake");
        state.next_id += 1;
        let id = format!("2c9eb155{:024}", state.next_id);
        let fqdn = match name {
            "@" => format!("{zone}."),
            name => format!("{name}.{zone}."),
        };
        state.sets.push(RecordSet {
            id: id.clone(),
            zone_id,
            name: fqdn,
            kind: kind.to_string(),
            ttl: 300,
            records: values.iter().map(|v| v.to_string()).collect(),
        });
        id
    }

    /// The set of an absolute name and type.
    pub fn set(&self, name: &str, kind: &str) -> Option<RecordSet> {
        self.lock()
            .sets
            .iter()
            .find(|s| s.name == name && s.kind == kind)
            .cloned()
    }

    pub fn calls(&self) -> Vec<String> {
        self.lock().calls.clone()
    }

    pub fn violations(&self) -> Vec<String> {
        self.lock().violations.clone()
    }
}

impl State {
    fn violation(&mut self, what: String) -> Reply {
        self.violations.push(what.clone());
        error(400, "DNS.0303", &what)
    }

    fn answer(&mut self, request: &Recorded) -> Reply {
        if !request.tls {
            return self.violation("a request over plain HTTP".to_string());
        }
        let authorization = request.header("authorization").unwrap_or("");
        let date = request.header("x-sdk-date").unwrap_or("");
        let date_ok = date.len() == 16
            && date.as_bytes()[8] == b'T'
            && date.ends_with('Z')
            && date[..8]
                .bytes()
                .chain(date[9..15].bytes())
                .all(|b| b.is_ascii_digit());
        let Some(rest) = authorization.strip_prefix("SDK-HMAC-SHA256 Access=") else {
            return self.violation(format!("Authorization: {authorization}"));
        };
        let mut parts = rest.split(", ");
        let (access, names, signature) = (
            parts.next().unwrap_or(""),
            parts
                .next()
                .and_then(|p| p.strip_prefix("SignedHeaders="))
                .unwrap_or(""),
            parts
                .next()
                .and_then(|p| p.strip_prefix("Signature="))
                .unwrap_or(""),
        );
        let signed: Vec<&str> = names.split(';').collect();
        let mut sorted = signed.clone();
        sorted.sort_unstable();
        if !date_ok
            || !signed.contains(&"host")
            || !signed.contains(&"x-sdk-date")
            || sorted != signed
            || (!request.body.is_empty() && !signed.contains(&"content-type"))
        {
            return self.violation(format!("X-Sdk-Date {date}, SignedHeaders={names}"));
        }
        if access != TOKEN || signature != expected_signature(request, names) {
            return gateway_error(
                401,
                "APIGW.0301",
                "Incorrect IAM authentication information: verify aksk signature fail",
            );
        }
        self.calls
            .push(format!("{} {}", request.method, request.path));
        let segments: Vec<&str> = request.path.split('/').collect();
        match (request.method.as_str(), segments.as_slice()) {
            ("GET", ["", "v2", "zones"]) => self.zones(request),
            ("GET", ["", "v2", "zones", zone, "recordsets"]) => {
                let zone = zone.to_string();
                self.list(request, &zone)
            }
            ("POST", ["", "v2", "zones", zone, "recordsets"]) => {
                let zone = zone.to_string();
                self.write(request, &zone, None)
            }
            ("PUT", ["", "v2", "zones", zone, "recordsets", id]) => {
                let (zone, id) = (zone.to_string(), id.to_string());
                self.write(request, &zone, Some(&id))
            }
            _ => self.violation(format!("{} {}", request.method, request.path)),
        }
    }

    fn zones(&mut self, request: &Recorded) -> Reply {
        let exact = request.param("search_mode") == Some("equal");
        let name = request.param("name");
        if name.is_some_and(|n| !n.ends_with('.')) {
            return self.violation(format!("zone name without the final dot: {name:?}"));
        }
        let zones: Vec<String> = self
            .zones
            .iter()
            .filter(|(_, z)| {
                name.is_none_or(|n| match exact {
                    true => n == format!("{z}."),
                    false => format!("{z}.").contains(n),
                })
            })
            .map(|(id, z)| {
                format!(r#"{{"id":"{id}","name":"{z}.","zone_type":"public","status":"ACTIVE"}}"#)
            })
            .collect();
        json_reply(
            200,
            &format!(
                r#"{{"links":{{}},"zones":[{}],"metadata":{{"total_count":{}}}}}"#,
                zones.join(","),
                zones.len()
            ),
        )
    }

    fn known_zone(&self, zone: &str) -> bool {
        self.zones.iter().any(|(id, _)| id == zone)
    }

    fn list(&mut self, request: &Recorded, zone: &str) -> Reply {
        if !self.known_zone(zone) {
            return error(404, "DNS.0101", "The zone does not exist.");
        }
        let exact = request.param("search_mode") == Some("equal");
        let (name, kind) = (request.param("name"), request.param("type"));
        let sets: Vec<String> = self
            .sets
            .iter()
            .filter(|s| s.zone_id == zone)
            .filter(|s| {
                name.is_none_or(|n| match exact {
                    true => n == s.name,
                    false => s.name.contains(n),
                })
            })
            .filter(|s| kind.is_none_or(|k| k == s.kind))
            .map(|s| {
                let values: Vec<String> = s.records.iter().map(|v| format!("\"{v}\"")).collect();
                format!(
                    r#"{{"id":"{}","name":"{}","type":"{}","ttl":{},"records":[{}],"status":"ACTIVE","zone_id":"{}","default":false}}"#,
                    s.id,
                    s.name,
                    s.kind,
                    s.ttl,
                    values.join(","),
                    s.zone_id
                )
            })
            .collect();
        json_reply(
            200,
            &format!(
                r#"{{"links":{{}},"recordsets":[{}],"metadata":{{"total_count":{}}}}}"#,
                sets.join(","),
                sets.len()
            ),
        )
    }

    fn write(&mut self, request: &Recorded, zone: &str, id: Option<&str>) -> Reply {
        if request.header("content-type") != Some("application/json") {
            return self.violation("Content-Type is not application/json".to_string());
        }
        if !self.known_zone(zone) {
            return error(404, "DNS.0101", "The zone does not exist.");
        }
        let Some((records, fields)) = body_of(&request.body) else {
            return self.violation(format!("not a record set: {}", request.body));
        };
        let (Some(name), Some(kind)) = (field(&fields, "name"), field(&fields, "type")) else {
            return self.violation("name or type missing".to_string());
        };
        let zone_name = self
            .zones
            .iter()
            .find(|(i, _)| i == zone)
            .map(|(_, z)| format!("{z}."))
            .unwrap_or_default();
        if !name.ends_with(&zone_name) {
            return error(400, "DNS.0312", "The record set name is not in the zone.");
        }
        if records.is_empty() || !records.iter().all(|r| valid_content(&kind, r)) {
            return error(400, "DNS.0307", "Invalid record value.");
        }
        let ttl = field(&fields, "ttl")
            .and_then(|t| t.parse().ok())
            .unwrap_or(300);
        let set = match id {
            None => {
                if self.sets.iter().any(|s| s.name == name && s.kind == kind) {
                    return error(400, "DNS.0312", "The record set already exists.");
                }
                self.next_id += 1;
                self.sets.push(RecordSet {
                    id: format!("2c9eb155{:024}", self.next_id),
                    zone_id: zone.to_string(),
                    name,
                    kind,
                    ttl,
                    records,
                });
                self.sets.last().cloned()
            }
            Some(id) => {
                let Some(set) = self
                    .sets
                    .iter_mut()
                    .find(|s| s.id == id && s.zone_id == zone)
                else {
                    return error(404, "DNS.0304", "The record set does not exist.");
                };
                set.name = name;
                set.kind = kind;
                set.ttl = ttl;
                set.records = records;
                Some(set.clone())
            }
        };
        let set = set.expect("the set written");
        // Both are accepted, not done, when they answer.
        json_reply(
            202,
            &format!(
                r#"{{"id":"{}","name":"{}","type":"{}","ttl":{},"status":"PENDING_UPDATE"}}"#,
                set.id, set.name, set.kind, set.ttl
            ),
        )
    }
}
