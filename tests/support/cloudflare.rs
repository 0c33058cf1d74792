//! A fake Cloudflare API v4 on a [`Mock`], answering as Cloudflare's pages say:
//! - List Zones, `GET /client/v4/zones?name=&page=&per_page=`:
//!   <https://developers.cloudflare.com/api/resources/zones/methods/list/>
//! - List DNS Records, `GET /client/v4/zones/{zone_id}/dns_records?type=&name=`:
//!   <https://developers.cloudflare.com/api/resources/dns/subresources/records/methods/list/>
//! - Update DNS Record, `PATCH .../dns_records/{dns_record_id}`, only the fields
//!   sent change: <https://developers.cloudflare.com/api/resources/dns/subresources/records/methods/edit/>
//! - Create DNS Record, `POST .../dns_records` with type, name, content, ttl
//!   (1 = automatic), proxied: <https://developers.cloudflare.com/api/resources/dns/subresources/records/methods/create/>
//! - Authentication: `Authorization: Bearer TOKEN`, or `X-Auth-Email` with
//!   `X-Auth-Key` (the global key): <https://developers.cloudflare.com/fundamentals/api/get-started/>
//! - Rate limit: HTTP 429 with `Retry-After` in seconds:
//!   <https://developers.cloudflare.com/fundamentals/api/reference/limits/>
//! - Every answer is `{"success":..,"errors":[{"code":..,"message":..}],"messages":[],"result":..}`;
//!   the codes are those clients meet (9109 invalid access token with HTTP 403,
//!   7003 "Could not route" for an unknown zone ID, 9005 invalid content).
//!
//! Anything the pages do not allow (a wrong method, a missing header, a body
//! that is not the documented JSON) is answered with HTTP 400 and recorded in
//! [`CloudflareApi::violations`], which every test checks is empty.

use std::sync::{Arc, Mutex};

use super::rest::{flat_json, json_reply, valid_content};
use super::{Mock, Recorded, Reply, PASSWORD, TOKEN};

/// The e-mail of the legacy credentials the fake accepts with [`PASSWORD`] as key.
pub const EMAIL: &str = "me@example.org";

#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub id: String,
    pub zone_id: String,
    pub kind: String,
    pub name: String,
    pub content: String,
    pub ttl: u32,
    pub proxied: bool,
    pub comment: Option<String>,
    pub tags: Vec<String>,
}

#[derive(Default)]
pub struct State {
    /// (id, name)
    pub zones: Vec<(String, String)>,
    pub records: Vec<Record>,
    pub violations: Vec<String>,
    next_id: u32,
}

/// The fake API's state, shared with its handler.
#[derive(Clone)]
pub struct CloudflareApi {
    pub state: Arc<Mutex<State>>,
}

impl CloudflareApi {
    /// Installs the fake on `mock` with the zones `(id, name)`.
    pub fn on(mock: &Mock, zones: &[(&str, &str)]) -> CloudflareApi {
        let api = CloudflareApi {
            state: Arc::new(Mutex::new(State {
                zones: zones
                    .iter()
                    .map(|(id, name)| (id.to_string(), name.to_string()))
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

    /// Adds a record, as if made in the dashboard: proxied, with a comment and a tag.
    pub fn add(&self, zone_id: &str, kind: &str, name: &str, content: &str) -> String {
        let mut state = self.lock();
        state.next_id += 1;
        let id = format!("{:032x}", 0xabc000 + state.next_id);
        state.records.push(Record {
            id: id.clone(),
            zone_id: zone_id.to_string(),
            kind: kind.to_string(),
            name: name.to_string(),
            content: content.to_string(),
            ttl: 300,
            proxied: true,
            comment: Some("kept".to_string()),
            tags: vec!["owner:me".to_string()],
        });
        id
    }

    pub fn records(&self) -> Vec<Record> {
        self.lock().records.clone()
    }

    pub fn record(&self, kind: &str, name: &str) -> Option<Record> {
        self.records()
            .into_iter()
            .find(|r| r.kind == kind && r.name == name)
    }

    pub fn violations(&self) -> Vec<String> {
        self.lock().violations.clone()
    }
}

/// `{"success":false,"errors":[{"code":C,"message":M}],...}` with `status`.
pub fn error(status: u16, code: u32, message: &str) -> Reply {
    json_reply(
        status,
        &format!(
            r#"{{"success":false,"errors":[{{"code":{code},"message":"{message}"}}],"messages":[],"result":null}}"#
        ),
    )
}

fn ok(result: &str, info: Option<(usize, usize, usize)>) -> Reply {
    let info = match info {
        Some((page, per_page, total)) => format!(
            r#","result_info":{{"page":{page},"per_page":{per_page},"count":{},"total_count":{total},"total_pages":{}}}"#,
            total.saturating_sub((page - 1) * per_page).min(per_page),
            total.div_ceil(per_page.max(1)),
        ),
        None => String::new(),
    };
    json_reply(
        200,
        &format!(r#"{{"success":true,"errors":[],"messages":[],"result":{result}{info}}}"#),
    )
}

fn record_json(r: &Record, zone_name: &str) -> String {
    let comment = r
        .comment
        .as_ref()
        .map_or("null".to_string(), |c| format!("\"{c}\""));
    let tags: Vec<String> = r.tags.iter().map(|t| format!("\"{t}\"")).collect();
    format!(
        r#"{{"id":"{}","zone_id":"{}","zone_name":"{zone_name}","name":"{}","type":"{}","content":"{}","proxiable":true,"proxied":{},"ttl":{},"comment":{comment},"tags":[{}],"meta":{{"auto_added":false}},"created_on":"2026-01-01T00:00:00Z","modified_on":"2026-01-01T00:00:00Z"}}"#,
        r.id,
        r.zone_id,
        r.name,
        r.kind,
        r.content,
        r.proxied,
        r.ttl,
        tags.join(",")
    )
}

impl State {
    fn violation(&mut self, what: String) -> Reply {
        self.violations.push(what.clone());
        error(400, 1000, &what)
    }

    fn authorized(&self, request: &Recorded) -> bool {
        match request.header("authorization") {
            Some(value) => value == format!("Bearer {TOKEN}"),
            None => {
                request.header("x-auth-email") == Some(EMAIL)
                    && request.header("x-auth-key") == Some(PASSWORD)
            }
        }
    }

    fn answer(&mut self, request: &Recorded) -> Reply {
        if !request.tls {
            return self.violation("the API is HTTPS only".to_string());
        }
        if request
            .query
            .iter()
            .any(|(_, v)| v.contains(TOKEN) || v.contains(PASSWORD))
        {
            return self.violation("a secret in the URL".to_string());
        }
        if request.header("authorization").is_none() && request.header("x-auth-key").is_none() {
            return error(
                400,
                9106,
                "Missing X-Auth-Key, X-Auth-Email or Authorization headers",
            );
        }
        if !self.authorized(request) {
            return error(403, 9109, "Invalid access token");
        }
        let Some(path) = request.path.strip_prefix("/client/v4/") else {
            return self.violation(format!("path {} is not under /client/v4", request.path));
        };
        let parts: Vec<&str> = path.split('/').collect();
        match (request.method.as_str(), parts.as_slice()) {
            ("GET", ["zones"]) => self.list_zones(request),
            (method, ["zones", zone_id, "dns_records", rest @ ..]) => {
                let Some(zone_name) = self
                    .zones
                    .iter()
                    .find(|(id, _)| id == zone_id)
                    .map(|(_, name)| name.clone())
                else {
                    return error(
                        400,
                        7003,
                        "Could not route to /zones/x/dns_records, perhaps your object identifier is invalid?",
                    );
                };
                match (method, rest) {
                    ("GET", []) => self.list_records(request, zone_id, &zone_name),
                    ("POST", []) => self.create(request, zone_id, &zone_name),
                    ("PATCH", [id]) => self.patch(request, id, &zone_name),
                    _ => self.violation(format!("{method} {} is not an API call", request.path)),
                }
            }
            _ => self.violation(format!(
                "{} {} is not an API call",
                request.method, request.path
            )),
        }
    }

    fn list_zones(&mut self, request: &Recorded) -> Reply {
        let per_page: usize = request
            .param("per_page")
            .and_then(|p| p.parse().ok())
            .unwrap_or(20);
        let page: usize = request
            .param("page")
            .and_then(|p| p.parse().ok())
            .unwrap_or(1);
        if !(5..=50).contains(&per_page) || page == 0 {
            return self.violation(format!("per_page {per_page} or page {page} out of range"));
        }
        let matching: Vec<&(String, String)> = self
            .zones
            .iter()
            .filter(|(_, name)| request.param("name").is_none_or(|n| n == name))
            .collect();
        let shown: Vec<String> = matching
            .iter()
            .skip((page - 1) * per_page)
            .take(per_page)
            .map(|(id, name)| {
                format!(
                    r#"{{"id":"{id}","name":"{name}","status":"active","paused":false,"type":"full","name_servers":["a.ns.cloudflare.com","b.ns.cloudflare.com"],"account":{{"id":"acc","name":"Me"}},"permissions":["dns_records:edit"],"plan":{{"id":"free","name":"Free Website"}}}}"#
                )
            })
            .collect();
        ok(
            &format!("[{}]", shown.join(",")),
            Some((page, per_page, matching.len())),
        )
    }

    fn list_records(&mut self, request: &Recorded, zone_id: &str, zone_name: &str) -> Reply {
        let found: Vec<String> = self
            .records
            .iter()
            .filter(|r| r.zone_id == zone_id)
            .filter(|r| request.param("type").is_none_or(|t| t == r.kind))
            .filter(|r| request.param("name").is_none_or(|n| n == r.name))
            .map(|r| record_json(r, zone_name))
            .collect();
        let count = found.len();
        ok(&format!("[{}]", found.join(",")), Some((1, 100, count)))
    }

    fn body(&mut self, request: &Recorded) -> Result<Vec<(String, String)>, Reply> {
        if request
            .header("content-type")
            .is_none_or(|t| !t.starts_with("application/json"))
        {
            return Err(self.violation("a body without Content-Type: application/json".to_string()));
        }
        match flat_json(&request.body) {
            Some(fields) => Ok(fields),
            None => {
                Err(self.violation(format!("body is not a flat JSON object: {}", request.body)))
            }
        }
    }

    fn patch(&mut self, request: &Recorded, id: &str, zone_name: &str) -> Reply {
        let fields = match self.body(request) {
            Ok(fields) => fields,
            Err(reply) => return reply,
        };
        let Some(index) = self.records.iter().position(|r| r.id == id) else {
            return error(404, 81044, "Record does not exist.");
        };
        for (key, value) in fields {
            let record = &mut self.records[index];
            match key.as_str() {
                "content" if valid_content(&record.kind, &value) => record.content = value,
                "content" => return error(400, 9005, "Content for A record is invalid."),
                other => {
                    return self
                        .violation(format!("PATCH changes {other}: dynup sends content only"))
                }
            }
        }
        ok(&record_json(&self.records[index], zone_name), None)
    }

    fn create(&mut self, request: &Recorded, zone_id: &str, zone_name: &str) -> Reply {
        let fields = match self.body(request) {
            Ok(fields) => fields,
            Err(reply) => return reply,
        };
        let field = |name: &str| {
            fields
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        let (Some(kind), Some(name), Some(content)) =
            (field("type"), field("name"), field("content"))
        else {
            return error(400, 9000, "type, name and content are required");
        };
        if !valid_content(&kind, &content) {
            return error(400, 9005, "Content for A record is invalid.");
        }
        let ttl: u32 = field("ttl").and_then(|t| t.parse().ok()).unwrap_or(1);
        if ttl != 1 && !(60..=86_400).contains(&ttl) {
            return error(
                400,
                9021,
                "Invalid TTL. Must be between 60 and 86400 seconds, or 1 for automatic",
            );
        }
        if name != zone_name && !name.ends_with(&format!(".{zone_name}")) {
            return error(400, 9007, "Record name is not in the zone");
        }
        self.next_id += 1;
        let record = Record {
            id: format!("{:032x}", 0xdef000 + self.next_id),
            zone_id: zone_id.to_string(),
            kind,
            name,
            content,
            ttl,
            proxied: field("proxied").as_deref() == Some("true"),
            comment: None,
            tags: Vec::new(),
        };
        let reply = ok(&record_json(&record, zone_name), None);
        self.records.push(record);
        reply
    }
}
