//! A fake Gandi LiveDNS (API v5) on a [`Mock`], answering as
//! <https://api.gandi.net/docs/livedns/> and <https://api.gandi.net/docs/authentication/> say:
//! - `Authorization: Bearer PAT` (a personal access token), else 401;
//! - `GET /v5/livedns/domains` -> `[{"fqdn":..,"domain_href":..,..}]`,
//!   `GET /v5/livedns/domains/{fqdn}` -> the domain, 404 when unknown;
//! - `GET /v5/livedns/domains/{fqdn}/records/{rrset_name}/{rrset_type}` ->
//!   `{"rrset_name","rrset_type","rrset_ttl","rrset_values":[..],"rrset_href"}`, 404 when none;
//! - `PUT` there with `rrset_values` (and `rrset_ttl`, default 10800, at least 300)
//!   replaces the set -> 201 `{"message":"DNS Record Created"}`;
//! - `POST` there creates it -> 201, 409 when it exists;
//! - errors `{"code":..,"message":..,"object":..,"cause":..}`.
//!
//! What the pages do not allow is answered with 400 and recorded in
//! [`GandiApi::violations`].

use std::sync::{Arc, Mutex};

use super::rest::{json_reply, valid_content};
use super::{Mock, Recorded, Reply, TOKEN};

#[derive(Clone, Debug, PartialEq)]
pub struct RRSet {
    pub domain: String,
    pub name: String,
    pub kind: String,
    pub ttl: u32,
    pub values: Vec<String>,
}

#[derive(Default)]
pub struct State {
    pub domains: Vec<String>,
    pub rrsets: Vec<RRSet>,
    pub violations: Vec<String>,
}

#[derive(Clone)]
pub struct GandiApi {
    pub state: Arc<Mutex<State>>,
}

pub fn error(status: u16, object: &str, message: &str) -> Reply {
    json_reply(
        status,
        &format!(
            r#"{{"code":{status},"message":"{message}","object":"{object}","cause":"{message}"}}"#
        ),
    )
}

impl GandiApi {
    pub fn on(mock: &Mock, domains: &[&str]) -> GandiApi {
        let api = GandiApi {
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

    /// A set of one value with a TTL of an hour.
    pub fn add(&self, domain: &str, name: &str, kind: &str, value: &str) {
        self.lock().rrsets.push(RRSet {
            domain: domain.to_string(),
            name: name.to_string(),
            kind: kind.to_string(),
            ttl: 3600,
            values: vec![value.to_string()],
        });
    }

    pub fn rrset(&self, domain: &str, name: &str, kind: &str) -> Option<RRSet> {
        self.lock()
            .rrsets
            .iter()
            .find(|r| r.domain == domain && r.name == name && r.kind == kind)
            .cloned()
    }

    pub fn violations(&self) -> Vec<String> {
        self.lock().violations.clone()
    }
}

/// `{"rrset_values":["a","b"],"rrset_ttl":300}`: the values and the TTL, or
/// `None` when the body is not of that shape.
fn body_of(text: &str) -> Option<(Vec<String>, Option<u32>)> {
    let rest = text.strip_prefix("{\"rrset_values\":[")?;
    let (list, tail) = rest.split_once(']')?;
    let values: Vec<String> = list
        .split(',')
        .map(|v| {
            v.strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .map(str::to_string)
        })
        .collect::<Option<_>>()?;
    let ttl = match tail {
        "}" => None,
        tail => Some(
            tail.strip_prefix(",\"rrset_ttl\":")?
                .strip_suffix('}')?
                .parse()
                .ok()?,
        ),
    };
    Some((values, ttl))
}

impl State {
    fn violation(&mut self, what: String) -> Reply {
        self.violations.push(what.clone());
        error(400, "HTTPBadRequest", &what)
    }

    fn answer(&mut self, request: &Recorded) -> Reply {
        if !request.tls {
            return self.violation("HTTPS only".to_string());
        }
        if request.header("authorization") != Some(format!("Bearer {TOKEN}").as_str()) {
            return error(401, "HTTPUnauthorized", "Unauthorized");
        }
        let Some(path) = request.path.strip_prefix("/v5/livedns/") else {
            return self.violation(format!("{} is not under /v5/livedns", request.path));
        };
        let parts: Vec<&str> = path.split('/').collect();
        match (request.method.as_str(), parts.as_slice()) {
            ("GET", ["domains"]) => {
                let list: Vec<String> = self
                    .domains
                    .iter()
                    .map(|d| format!(r#"{{"fqdn":"{d}","domain_href":"https://api.gandi.net/v5/livedns/domains/{d}"}}"#))
                    .collect();
                json_reply(200, &format!("[{}]", list.join(",")))
            }
            ("GET", ["domains", fqdn]) if self.domains.iter().any(|d| d == fqdn) => json_reply(
                200,
                &format!(r#"{{"fqdn":"{fqdn}","automatic_snapshots":true}}"#),
            ),
            (method, ["domains", fqdn, "records", name, kind]) => {
                let fqdn = fqdn.to_string();
                if !self.domains.contains(&fqdn) {
                    return error(404, "HTTPNotFound", "Unknown domain");
                }
                self.records_call(request, method, &fqdn, name, kind)
            }
            (_, ["domains", _]) => error(404, "HTTPNotFound", "Unknown domain"),
            _ => self.violation(format!(
                "{} {} is not an API call",
                request.method, request.path
            )),
        }
    }

    fn records_call(
        &mut self,
        request: &Recorded,
        method: &str,
        fqdn: &str,
        name: &str,
        kind: &str,
    ) -> Reply {
        let found = self
            .rrsets
            .iter()
            .position(|r| r.domain == fqdn && r.name == name && r.kind == kind);
        if method == "GET" {
            return match found {
                Some(i) => {
                    let r = &self.rrsets[i];
                    let values: Vec<String> = r.values.iter().map(|v| format!("\"{v}\"")).collect();
                    json_reply(
                        200,
                        &format!(
                            r#"{{"rrset_name":"{name}","rrset_type":"{kind}","rrset_ttl":{},"rrset_values":[{}],"rrset_href":"https://api.gandi.net/v5/livedns/domains/{fqdn}/records/{name}/{kind}"}}"#,
                            r.ttl,
                            values.join(",")
                        ),
                    )
                }
                None => error(404, "HTTPNotFound", "Record not found"),
            };
        }
        if request
            .header("content-type")
            .is_none_or(|t| !t.starts_with("application/json"))
        {
            return self.violation("a body without Content-Type: application/json".to_string());
        }
        let Some((values, ttl)) = body_of(&request.body) else {
            return self.violation(format!("body: {}", request.body));
        };
        if values.iter().any(|v| !valid_content(kind, v)) || ttl.is_some_and(|t| t < 300) {
            return error(
                400,
                "HTTPBadRequest",
                "Bad Request: rrset_values or rrset_ttl",
            );
        }
        let ttl = ttl.unwrap_or(10800);
        match (method, found) {
            ("PUT", Some(i)) => {
                self.rrsets[i].values = values;
                self.rrsets[i].ttl = ttl;
            }
            ("POST", None) | ("PUT", None) => self.rrsets.push(RRSet {
                domain: fqdn.to_string(),
                name: name.to_string(),
                kind: kind.to_string(),
                ttl,
                values,
            }),
            ("POST", Some(_)) => return error(409, "HTTPConflict", "A DNS Record already exists"),
            _ => return self.violation(format!("{method} {} is not an API call", request.path)),
        }
        json_reply(201, r#"{"message":"DNS Record Created"}"#)
    }
}
