//! A fake NameSilo API on a [`Mock`], answering as
//! <https://www.namesilo.com/api-reference> says:
//! - every operation is `GET https://www.namesilo.com/api/OPERATION` with
//!   `version=1`, `type` (`json` here) and `key` in the query;
//! - the answer is HTTP 200 whatever happened:
//!   `{"request":{"operation":..,"ip":..},"reply":{"code":300,"detail":"success",..}}`,
//!   an error being another code: 110 "Invalid API Key", 200 "Domain is not
//!   active, or does not belong to this user", 280 "DNS modification error";
//! - `dnsListRecords` (`domain`) -> `reply.resource_record`: `record_id`,
//!   `type`, `host` (the full name), `value`, `ttl`, `distance`;
//! - `dnsUpdateRecord` (`domain`, `rrid`, `rrhost`, `rrvalue`, `rrttl`) and
//!   `dnsAddRecord` (`domain`, `rrtype`, `rrhost`, `rrvalue`, `rrttl`), `rrhost`
//!   relative to the domain (empty for the domain itself), TTL 3600 at least;
//!   both answer the (new) `record_id`.
//!
//! What the page does not allow is recorded in [`NamesiloApi::violations`].

use std::sync::{Arc, Mutex};

use super::rest::{json_reply, valid_content};
use super::{Mock, Recorded, Reply, TOKEN};

#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub id: String,
    pub domain: String,
    /// The full name, as NameSilo shows it.
    pub host: String,
    pub kind: String,
    pub value: String,
    pub ttl: String,
}

#[derive(Default)]
pub struct State {
    pub domains: Vec<String>,
    pub records: Vec<Record>,
    pub violations: Vec<String>,
    next_id: u32,
}

#[derive(Clone)]
pub struct NamesiloApi {
    pub state: Arc<Mutex<State>>,
}

/// The answer of `operation` with `code`, `detail` and `more` reply members.
pub fn reply(operation: &str, code: u32, detail: &str, more: &str) -> Reply {
    json_reply(
        200,
        &format!(
            r#"{{"request":{{"operation":"{operation}","ip":"127.0.0.1"}},"reply":{{"code":{code},"detail":"{detail}"{more}}}}}"#
        ),
    )
}

impl NamesiloApi {
    pub fn on(mock: &Mock, domains: &[&str]) -> NamesiloApi {
        let api = NamesiloApi {
            state: Arc::new(Mutex::new(State {
                domains: domains.iter().map(|d| d.to_string()).collect(),
                next_id: 0,
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

    /// A record with a TTL of 7207, the dashboard's default.
    pub fn add(&self, domain: &str, kind: &str, host: &str, value: &str) -> String {
        let mut state = self.lock();
        state.next_id += 1;
        let id = format!("{:032x}", state.next_id);
        state.records.push(Record {
            id: id.clone(),
            domain: domain.to_string(),
            host: host.to_string(),
            kind: kind.to_string(),
            value: value.to_string(),
            ttl: "7207".to_string(),
        });
        id
    }

    pub fn record(&self, kind: &str, host: &str) -> Option<Record> {
        self.lock()
            .records
            .iter()
            .find(|r| r.kind == kind && r.host == host)
            .cloned()
    }

    pub fn violations(&self) -> Vec<String> {
        self.lock().violations.clone()
    }
}

impl State {
    fn violation(&mut self, what: String) -> Reply {
        self.violations.push(what.clone());
        reply("", 108, &what, "")
    }

    fn answer(&mut self, request: &Recorded) -> Reply {
        if !request.tls || request.method != "GET" {
            return self.violation(format!(
                "{} over TLS {}: GET over HTTPS only",
                request.method, request.tls
            ));
        }
        let Some(operation) = request.path.strip_prefix("/api/") else {
            return self.violation(format!("path {} is not under /api", request.path));
        };
        let operation = operation.to_string();
        if request.param("version") != Some("1") || request.param("type") != Some("json") {
            return self.violation(format!("{}: no version=1&type=json", request.target));
        }
        if request.param("key") != Some(TOKEN) {
            return reply(&operation, 110, "Invalid API Key", "");
        }
        let Some(domain) = request.param("domain").map(str::to_string) else {
            return self.violation(format!("{operation} without domain"));
        };
        if !self.domains.contains(&domain) {
            return reply(
                &operation,
                200,
                "Domain is not active, or does not belong to this user",
                "",
            );
        }
        let full = |host: &str| match host {
            "" => domain.clone(),
            host => format!("{host}.{domain}"),
        };
        match operation.as_str() {
            "dnsListRecords" => {
                let found: Vec<String> = self
                    .records
                    .iter()
                    .filter(|r| r.domain == domain)
                    .map(|r| {
                        format!(
                            r#"{{"record_id":"{}","type":"{}","host":"{}","value":"{}","ttl":{},"distance":0}}"#,
                            r.id, r.kind, r.host, r.value, r.ttl
                        )
                    })
                    .collect();
                let more = format!(r#","resource_record":[{}]"#, found.join(","));
                reply(&operation, 300, "success", &more)
            }
            "dnsUpdateRecord" | "dnsAddRecord" => {
                let adding = operation == "dnsAddRecord";
                let (Some(host), Some(value), Some(ttl)) = (
                    request.param("rrhost"),
                    request.param("rrvalue"),
                    request.param("rrttl"),
                ) else {
                    return self.violation(format!("{operation} without rrhost/rrvalue/rrttl"));
                };
                let (host, value, ttl) = (full(host), value.to_string(), ttl.to_string());
                if ttl.parse::<u32>().map_or(true, |t| t < 3600) {
                    return reply(&operation, 280, "DNS modification error: TTL", "");
                }
                if adding {
                    let Some(kind) = request.param("rrtype").map(str::to_string) else {
                        return self.violation("dnsAddRecord without rrtype".to_string());
                    };
                    if !valid_content(&kind, &value) {
                        return reply(&operation, 280, "DNS modification error", "");
                    }
                    self.next_id += 1;
                    let id = format!("{:032x}", self.next_id);
                    self.records.push(Record {
                        id: id.clone(),
                        domain,
                        host,
                        kind,
                        value,
                        ttl,
                    });
                    return reply(
                        &operation,
                        300,
                        "success",
                        &format!(r#","record_id":"{id}""#),
                    );
                }
                let Some(id) = request.param("rrid") else {
                    return self.violation("dnsUpdateRecord without rrid".to_string());
                };
                let Some(record) = self
                    .records
                    .iter_mut()
                    .find(|r| r.id == id && r.domain == domain)
                else {
                    return reply(&operation, 280, "DNS modification error", "");
                };
                if !valid_content(&record.kind, &value) {
                    return reply(&operation, 280, "DNS modification error", "");
                }
                // A new ID for the record after each update, as NameSilo does.
                self.next_id += 1;
                let new_id = format!("{:032x}", self.next_id);
                let record = self
                    .records
                    .iter_mut()
                    .find(|r| r.id == id)
                    .expect("found above");
                record.id = new_id.clone();
                record.host = host;
                record.value = value;
                record.ttl = ttl;
                reply(
                    &operation,
                    300,
                    "success",
                    &format!(r#","record_id":"{new_id}""#),
                )
            }
            _ => self.violation(format!("{operation} is not an operation dynup needs")),
        }
    }
}
