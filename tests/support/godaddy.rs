//! A fake GoDaddy Domains API v1 on a [`Mock`], answering as
//! <https://developer.godaddy.com/doc/endpoint/domains> and
//! <https://developer.godaddy.com/getstarted> say:
//! - `Authorization: sso-key KEY:SECRET`, else 401 `UNABLE_TO_AUTHENTICATE`; an
//!   account without API access gets 403 `ACCESS_DENIED`;
//! - `GET /v1/domains?statuses=ACTIVE` -> `[{"domain","domainId","status",..}]`,
//!   `GET /v1/domains/{domain}` -> the domain, 404 `NOT_FOUND`;
//! - `GET /v1/domains/{domain}/records/{type}/{name}` -> `[{"data","name","ttl","type"}]`;
//! - `PUT` there with `[{"data","ttl"}]` (ttl at least 600) replaces the records -> 200, empty body;
//! - errors `{"code","message"}`, and a 429 `TOO_MANY_REQUESTS` with `retryAfterSec`.
//!
//! What the pages do not allow is answered with 400 and recorded in
//! [`GoDaddyApi::violations`].

use std::sync::{Arc, Mutex};

use super::rest::{field, flat_json, json_reply, valid_content};
use super::{Mock, Recorded, Reply, PASSWORD, TOKEN};

#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub domain: String,
    pub kind: String,
    pub name: String,
    pub data: String,
    pub ttl: u32,
}

#[derive(Default)]
pub struct State {
    pub domains: Vec<String>,
    pub records: Vec<Record>,
    /// The account has no API access (under 10 domains, no Discount Domain Club).
    pub no_api_access: bool,
    pub violations: Vec<String>,
}

#[derive(Clone)]
pub struct GoDaddyApi {
    pub state: Arc<Mutex<State>>,
}

pub fn error(status: u16, code: &str, message: &str) -> Reply {
    json_reply(
        status,
        &format!(r#"{{"code":"{code}","message":"{message}"}}"#),
    )
}

impl GoDaddyApi {
    pub fn on(mock: &Mock, domains: &[&str]) -> GoDaddyApi {
        let api = GoDaddyApi {
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

    pub fn add(&self, domain: &str, kind: &str, name: &str, data: &str) {
        self.lock().records.push(Record {
            domain: domain.to_string(),
            kind: kind.to_string(),
            name: name.to_string(),
            data: data.to_string(),
            ttl: 3600,
        });
    }

    pub fn deny_api_access(&self) {
        self.lock().no_api_access = true;
    }

    pub fn records(&self, domain: &str, kind: &str, name: &str) -> Vec<Record> {
        self.lock()
            .records
            .iter()
            .filter(|r| r.domain == domain && r.kind == kind && r.name == name)
            .cloned()
            .collect()
    }

    pub fn violations(&self) -> Vec<String> {
        self.lock().violations.clone()
    }
}

impl State {
    fn violation(&mut self, what: String) -> Reply {
        self.violations.push(what.clone());
        error(400, "INVALID_BODY", &what)
    }

    fn answer(&mut self, request: &Recorded) -> Reply {
        if !request.tls {
            return self.violation("HTTPS only".to_string());
        }
        if request.header("authorization") != Some(format!("sso-key {TOKEN}:{PASSWORD}").as_str()) {
            return error(
                401,
                "UNABLE_TO_AUTHENTICATE",
                "Unable to authenticate the request",
            );
        }
        if self.no_api_access {
            return error(
                403,
                "ACCESS_DENIED",
                "Authenticated user is not allowed access",
            );
        }
        let Some(path) = request.path.strip_prefix("/v1/") else {
            return self.violation(format!("{} is not under /v1", request.path));
        };
        let parts: Vec<&str> = path.split('/').collect();
        match (request.method.as_str(), parts.as_slice()) {
            ("GET", ["domains"]) => {
                let list: Vec<String> = self
                    .domains
                    .iter()
                    .enumerate()
                    .map(|(i, d)| {
                        format!(
                            r#"{{"domain":"{d}","domainId":{},"status":"ACTIVE"}}"#,
                            1000 + i
                        )
                    })
                    .collect();
                json_reply(200, &format!("[{}]", list.join(",")))
            }
            (method, ["domains", domain, rest @ ..]) => {
                let domain = domain.to_string();
                if !self.domains.contains(&domain) {
                    return error(
                        404,
                        "NOT_FOUND",
                        "The given domain is not registered, or does not have a zone file",
                    );
                }
                match (method, rest) {
                    ("GET", []) => json_reply(
                        200,
                        &format!(r#"{{"domain":"{domain}","status":"ACTIVE"}}"#),
                    ),
                    ("GET", ["records", kind, name]) => {
                        let found: Vec<String> = self
                            .records
                            .iter()
                            .filter(|r| r.domain == domain && r.kind == *kind && r.name == *name)
                            .map(|r| {
                                format!(
                                    r#"{{"data":"{}","name":"{}","ttl":{},"type":"{}"}}"#,
                                    r.data, r.name, r.ttl, r.kind
                                )
                            })
                            .collect();
                        json_reply(200, &format!("[{}]", found.join(",")))
                    }
                    ("PUT", ["records", kind, name]) => self.put(request, &domain, kind, name),
                    _ => self.violation(format!("{method} {} is not an API call", request.path)),
                }
            }
            _ => self.violation(format!(
                "{} {} is not an API call",
                request.method, request.path
            )),
        }
    }

    fn put(&mut self, request: &Recorded, domain: &str, kind: &str, name: &str) -> Reply {
        if request
            .header("content-type")
            .is_none_or(|t| !t.starts_with("application/json"))
        {
            return self.violation("a body without Content-Type: application/json".to_string());
        }
        let Some(inner) = request
            .body
            .strip_prefix('[')
            .and_then(|b| b.strip_suffix(']'))
        else {
            return self.violation(format!("the body is not an array: {}", request.body));
        };
        let Some(fields) = flat_json(inner) else {
            return self.violation(format!("body: {}", request.body));
        };
        let Some(data) = field(&fields, "data") else {
            return error(422, "INVALID_BODY", "data is required");
        };
        if !valid_content(kind, &data) {
            return error(422, "INVALID_BODY", "data is not a valid address");
        }
        let ttl: u32 = field(&fields, "ttl")
            .and_then(|t| t.parse().ok())
            .unwrap_or(3600);
        if ttl < 600 {
            return error(422, "INVALID_BODY", "ttl must be at least 600");
        }
        self.records
            .retain(|r| !(r.domain == domain && r.kind == kind && r.name == name));
        self.records.push(Record {
            domain: domain.to_string(),
            kind: kind.to_string(),
            name: name.to_string(),
            data,
            ttl,
        });
        Reply::status(200, "").without_header("Content-Type")
    }
}
