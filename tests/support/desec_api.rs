//! A fake of deSEC's REST API on a [`Mock`], answering as
//! <https://desec.readthedocs.io/en/latest/dns/domains.html>,
//! <https://desec.readthedocs.io/en/latest/dns/rrsets.html> and
//! <https://desec.readthedocs.io/en/latest/rate-limits.html> say:
//! - `Authorization: Token TOKEN`, else 401 `{"detail":"Invalid token."}`;
//! - `GET /api/v1/domains/` -> `[{"name","created","published",..}]`,
//!   `GET /api/v1/domains/{name}/` -> the domain, 404 `{"detail":"Not found."}`;
//! - `GET /api/v1/domains/{name}/rrsets/{subname}/{type}/` (`@` for the apex) ->
//!   `{"domain","subname","name","type","records":[..],"ttl",..}`, 404 when none;
//! - `PATCH` there with the fields to change -> the RRset (the others stay);
//! - `POST /api/v1/domains/{name}/rrsets/` with subname, type, ttl (at least
//!   3600 by default), records -> 201; errors per field with 400;
//! - throttled: 429 with `Retry-After`.
//!
//! What the pages do not allow is answered with 400 and recorded in
//! [`DesecApi::violations`].

use std::sync::{Arc, Mutex};

use super::rest::{json_reply, valid_content};
use super::{Mock, Recorded, Reply, TOKEN};

#[derive(Clone, Debug, PartialEq)]
pub struct RRSet {
    pub domain: String,
    pub subname: String,
    pub kind: String,
    pub ttl: u32,
    pub records: Vec<String>,
}

#[derive(Default)]
pub struct State {
    pub domains: Vec<String>,
    pub rrsets: Vec<RRSet>,
    pub violations: Vec<String>,
}

#[derive(Clone)]
pub struct DesecApi {
    pub state: Arc<Mutex<State>>,
}

pub fn detail(status: u16, detail: &str) -> Reply {
    json_reply(status, &format!(r#"{{"detail":"{detail}"}}"#))
}

/// `"records":["a","b"]` inside `text`: the strings, or `None`.
fn records_of(text: &str) -> Option<Vec<String>> {
    let start = text.find("\"records\":[")? + "\"records\":[".len();
    let end = start + text[start..].find(']')?;
    text[start..end]
        .split(',')
        .map(|v| {
            v.strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .map(str::to_string)
        })
        .collect()
}

impl DesecApi {
    pub fn on(mock: &Mock, domains: &[&str]) -> DesecApi {
        let api = DesecApi {
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

    pub fn add(&self, domain: &str, subname: &str, kind: &str, value: &str) {
        self.lock().rrsets.push(RRSet {
            domain: domain.to_string(),
            subname: subname.to_string(),
            kind: kind.to_string(),
            ttl: 7200,
            records: vec![value.to_string()],
        });
    }

    pub fn rrset(&self, domain: &str, subname: &str, kind: &str) -> Option<RRSet> {
        self.lock()
            .rrsets
            .iter()
            .find(|r| r.domain == domain && r.subname == subname && r.kind == kind)
            .cloned()
    }

    pub fn violations(&self) -> Vec<String> {
        self.lock().violations.clone()
    }
}

impl State {
    fn violation(&mut self, what: String) -> Reply {
        self.violations.push(what.clone());
        detail(400, &what)
    }

    fn rrset_json(r: &RRSet) -> String {
        let records: Vec<String> = r.records.iter().map(|v| format!("\"{v}\"")).collect();
        let name = if r.subname.is_empty() {
            format!("{}.", r.domain)
        } else {
            format!("{}.{}.", r.subname, r.domain)
        };
        format!(
            r#"{{"created":"2026-01-01T00:00:00Z","domain":"{}","subname":"{}","name":"{name}","type":"{}","records":[{}],"ttl":{},"touched":"2026-01-01T00:00:00Z"}}"#,
            r.domain,
            r.subname,
            r.kind,
            records.join(","),
            r.ttl
        )
    }

    fn answer(&mut self, request: &Recorded) -> Reply {
        if !request.tls {
            return self.violation("HTTPS only".to_string());
        }
        if request.header("authorization") != Some(format!("Token {TOKEN}").as_str()) {
            return detail(401, "Invalid token.");
        }
        let Some(path) = request
            .path
            .strip_prefix("/api/v1/")
            .and_then(|p| p.strip_suffix('/'))
        else {
            return self.violation(format!(
                "{}: not under /api/v1/ or no trailing slash",
                request.path
            ));
        };
        let parts: Vec<&str> = path.split('/').collect();
        if request.method != "GET"
            && request
                .header("content-type")
                .is_none_or(|t| !t.starts_with("application/json"))
        {
            return self.violation("a body without Content-Type: application/json".to_string());
        }
        match (request.method.as_str(), parts.as_slice()) {
            ("GET", ["domains"]) => {
                let list: Vec<String> = self
                    .domains
                    .iter()
                    .map(|d| format!(r#"{{"created":"2026-01-01T00:00:00Z","name":"{d}","minimum_ttl":3600}}"#))
                    .collect();
                json_reply(200, &format!("[{}]", list.join(",")))
            }
            (method, ["domains", domain, rest @ ..]) => {
                let domain = domain.to_string();
                if !self.domains.contains(&domain) {
                    return detail(404, "Not found.");
                }
                match (method, rest) {
                    ("GET", []) => {
                        json_reply(200, &format!(r#"{{"name":"{domain}","minimum_ttl":3600}}"#))
                    }
                    ("POST", ["rrsets"]) => self.create(request, &domain),
                    (method, ["rrsets", subname, kind]) => {
                        let subname = if *subname == "@" { "" } else { subname };
                        self.rrset_call(request, method, &domain, subname, kind)
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

    fn rrset_call(
        &mut self,
        request: &Recorded,
        method: &str,
        domain: &str,
        subname: &str,
        kind: &str,
    ) -> Reply {
        let Some(i) = self
            .rrsets
            .iter()
            .position(|r| r.domain == domain && r.subname == subname && r.kind == kind)
        else {
            return detail(404, "Not found.");
        };
        match method {
            "GET" => json_reply(200, &Self::rrset_json(&self.rrsets[i])),
            "PATCH" => {
                let Some(records) = records_of(&request.body) else {
                    return self.violation(format!("PATCH body: {}", request.body));
                };
                if request.body
                    != format!(
                        r#"{{"records":[{}]}}"#,
                        records
                            .iter()
                            .map(|r| format!("\"{r}\""))
                            .collect::<Vec<_>>()
                            .join(",")
                    )
                {
                    return self
                        .violation(format!("PATCH changes more than records: {}", request.body));
                }
                if records.iter().any(|r| !valid_content(kind, r)) {
                    return json_reply(400, r#"{"records":["Invalid record content."]}"#);
                }
                self.rrsets[i].records = records;
                json_reply(200, &Self::rrset_json(&self.rrsets[i]))
            }
            _ => self.violation(format!("{method} {} is not an API call", request.path)),
        }
    }

    fn create(&mut self, request: &Recorded, domain: &str) -> Reply {
        let head = request.body.split(",\"records\"").next().unwrap_or("");
        let (Some(fields), Some(records)) = (
            super::rest::flat_json(&format!("{head}}}")),
            records_of(&request.body),
        ) else {
            return self.violation(format!("create body: {}", request.body));
        };
        let field = |n: &str| super::rest::field(&fields, n);
        let (Some(subname), Some(kind), Some(ttl)) =
            (field("subname"), field("type"), field("ttl"))
        else {
            return json_reply(
                400,
                r#"{"non_field_errors":["subname, type, ttl and records are required."]}"#,
            );
        };
        if ttl.parse::<u32>().map_or(true, |t| t < 3600) {
            return json_reply(
                400,
                r#"{"ttl":["Ensure this value is greater than or equal to 3600."]}"#,
            );
        }
        if records.iter().any(|r| !valid_content(&kind, r)) {
            return json_reply(400, r#"{"records":["Invalid record content."]}"#);
        }
        if self
            .rrsets
            .iter()
            .any(|r| r.domain == domain && r.subname == subname && r.kind == kind)
        {
            return json_reply(
                400,
                r#"{"non_field_errors":["Another RRset with the same subdomain and type exists for this domain."]}"#,
            );
        }
        let rrset = RRSet {
            domain: domain.to_string(),
            subname,
            kind,
            ttl: ttl.parse().unwrap_or(3600),
            records,
        };
        let reply = json_reply(201, &Self::rrset_json(&rrset));
        self.rrsets.push(rrset);
        reply
    }
}
