//! A fake Alibaba Cloud DNS (Alidns 2015-01-09) on a [`Mock`], answering as
//! <https://www.alibabacloud.com/help/en/dns/api-alidns-2015-01-09-overview> and
//! the RPC signature page say:
//! - every call is `GET /?Action=..` with `Format`, `Version=2015-01-09`,
//!   `AccessKeyId`, `SignatureMethod=HMAC-SHA1`, `SignatureVersion=1.0`,
//!   `SignatureNonce` (never twice), `Timestamp` and `Signature`, checked here
//!   from the query as received with the AccessKey secret [`PASSWORD`];
//! - answers are JSON; errors a 4xx/5xx with `RequestId`, `Code`, `Message`:
//!   `InvalidAccessKeyId.NotFound` (404), `SignatureDoesNotMatch` (400),
//!   `InvalidDomainName.NoExist` (400), `Throttling.User` (400), `InvalidRR.Format`;
//! - `DescribeSubDomainRecords` (`SubDomain`, `Type`) -> `TotalCount`,
//!   `DomainRecords.Record` (`RecordId`, `RR`, `Type`, `Value`, `TTL`, `Line`, ..);
//!   `UpdateDomainRecord` (`RecordId`, `RR`, `Type`, `Value`) and
//!   `AddDomainRecord` (`DomainName`, `RR`, `Type`, `Value`) -> `RecordId`.
//!
//! What the pages do not allow is recorded in [`AliyunApi::violations`].

use std::sync::{Arc, Mutex};

use base64::Engine;
use ring::hmac;

use super::rest::{json_reply, valid_content};
use super::{Mock, Recorded, Reply, PASSWORD, TOKEN};

#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub id: String,
    pub domain: String,
    pub rr: String,
    pub kind: String,
    pub value: String,
    pub ttl: u32,
    pub line: String,
}

#[derive(Default)]
pub struct State {
    pub domains: Vec<String>,
    pub records: Vec<Record>,
    pub violations: Vec<String>,
    pub actions: Vec<String>,
    nonces: Vec<String>,
    next_id: u64,
}

#[derive(Clone)]
pub struct AliyunApi {
    pub state: Arc<Mutex<State>>,
}

pub fn error(status: u16, code: &str, message: &str) -> Reply {
    json_reply(
        status,
        &format!(
            r#"{{"RequestId":"r-1","HostId":"alidns.aliyuncs.com","Code":"{code}","Message":"{message}"}}"#
        ),
    )
}

/// RFC 3986 encoding, as the signature wants it.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The Signature the query (decoded pairs, without Signature) should carry.
fn expected_signature(query: &[(String, String)]) -> String {
    let mut pairs: Vec<String> = query
        .iter()
        .filter(|(k, _)| k != "Signature")
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect();
    pairs.sort();
    let to_sign = format!("GET&%2F&{}", encode(&pairs.join("&")));
    let key = hmac::Key::new(
        hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
        format!("{PASSWORD}&").as_bytes(),
    );
    base64::engine::general_purpose::STANDARD.encode(hmac::sign(&key, to_sign.as_bytes()).as_ref())
}

impl AliyunApi {
    pub fn on(mock: &Mock, domains: &[&str]) -> AliyunApi {
        let api = AliyunApi {
            state: Arc::new(Mutex::new(State {
                domains: domains.iter().map(|d| d.to_string()).collect(),
                next_id: 9_000_000_000,
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

    /// A record on the default line with a TTL of 600, as the console makes it.
    pub fn add(&self, domain: &str, rr: &str, kind: &str, value: &str) -> String {
        let mut state = self.lock();
        state.next_id += 1;
        let id = state.next_id.to_string();
        state.records.push(Record {
            id: id.clone(),
            domain: domain.to_string(),
            rr: rr.to_string(),
            kind: kind.to_string(),
            value: value.to_string(),
            ttl: 600,
            line: "default".to_string(),
        });
        id
    }

    pub fn record(&self, rr: &str, kind: &str) -> Option<Record> {
        self.lock()
            .records
            .iter()
            .find(|r| r.rr == rr && r.kind == kind)
            .cloned()
    }

    pub fn actions(&self) -> Vec<String> {
        self.lock().actions.clone()
    }

    pub fn violations(&self) -> Vec<String> {
        self.lock().violations.clone()
    }
}

impl State {
    fn violation(&mut self, what: String) -> Reply {
        self.violations.push(what.clone());
        error(400, "MissingParameter", &what)
    }

    fn answer(&mut self, request: &Recorded) -> Reply {
        if !request.tls || request.method != "GET" || request.path != "/" {
            return self.violation(format!(
                "{} {} (tls {})",
                request.method, request.path, request.tls
            ));
        }
        let p = |name: &str| request.param(name).map(str::to_string);
        for (name, want) in [
            ("Version", "2015-01-09"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureVersion", "1.0"),
            ("Format", "JSON"),
        ] {
            if p(name).as_deref() != Some(want) {
                return self.violation(format!("{name} is not {want}"));
            }
        }
        let (Some(action), Some(nonce), Some(_), Some(signature)) = (
            p("Action"),
            p("SignatureNonce"),
            p("Timestamp"),
            p("Signature"),
        ) else {
            return self.violation(format!("missing common parameters: {}", request.target));
        };
        self.actions.push(action.clone());
        if self.nonces.contains(&nonce) {
            return self.violation(format!("SignatureNonce {nonce} used twice"));
        }
        self.nonces.push(nonce);
        if p("AccessKeyId").as_deref() != Some(TOKEN) {
            return error(
                404,
                "InvalidAccessKeyId.NotFound",
                "Specified access key is not found.",
            );
        }
        if signature != expected_signature(&request.query) {
            return error(
                400,
                "SignatureDoesNotMatch",
                "Specified signature is not matched with our calculation.",
            );
        }
        match action.as_str() {
            "DescribeSubDomainRecords" => {
                let (Some(sub), Some(kind)) = (p("SubDomain"), p("Type")) else {
                    return self
                        .violation("DescribeSubDomainRecords without SubDomain/Type".into());
                };
                let Some(domain) = self
                    .domains
                    .iter()
                    .find(|d| sub == **d || sub.ends_with(&format!(".{d}")))
                    .cloned()
                else {
                    return error(
                        400,
                        "InvalidDomainName.NoExist",
                        "The specified domain name does not exist.",
                    );
                };
                let rr = match sub.strip_suffix(&format!(".{domain}")) {
                    Some(rr) => rr.to_string(),
                    None => "@".to_string(),
                };
                let found: Vec<String> = self
                    .records
                    .iter()
                    .filter(|r| r.domain == domain && r.rr == rr && r.kind == kind)
                    .map(|r| {
                        format!(
                            r#"{{"RR":"{}","Line":"{}","Status":"ENABLE","Locked":false,"Type":"{}","DomainName":"{}","Value":"{}","RecordId":"{}","TTL":{},"Weight":1}}"#,
                            r.rr, r.line, r.kind, r.domain, r.value, r.id, r.ttl
                        )
                    })
                    .collect();
                json_reply(
                    200,
                    &format!(
                        r#"{{"TotalCount":{},"PageSize":20,"RequestId":"r-1","DomainRecords":{{"Record":[{}]}},"PageNumber":1}}"#,
                        found.len(),
                        found.join(",")
                    ),
                )
            }
            "UpdateDomainRecord" | "AddDomainRecord" => {
                let (Some(rr), Some(kind), Some(value)) = (p("RR"), p("Type"), p("Value")) else {
                    return self.violation(format!("{action} without RR/Type/Value"));
                };
                if !valid_content(&kind, &value) {
                    return error(400, "InvalidValue", "The value is invalid.");
                }
                let ttl = p("TTL").and_then(|t| t.parse().ok()).unwrap_or(600);
                if action == "AddDomainRecord" {
                    let Some(domain) = p("DomainName") else {
                        return self.violation("AddDomainRecord without DomainName".into());
                    };
                    if !self.domains.contains(&domain) {
                        return error(
                            400,
                            "InvalidDomainName.NoExist",
                            "The specified domain name does not exist.",
                        );
                    }
                    self.next_id += 1;
                    let id = self.next_id.to_string();
                    self.records.push(Record {
                        id: id.clone(),
                        domain,
                        rr,
                        kind,
                        value,
                        ttl,
                        line: p("Line").unwrap_or_else(|| "default".to_string()),
                    });
                    return json_reply(200, &format!(r#"{{"RequestId":"r-1","RecordId":"{id}"}}"#));
                }
                let id = p("RecordId");
                let Some(record) = self.records.iter_mut().find(|r| Some(&r.id) == id.as_ref())
                else {
                    return error(
                        400,
                        "DomainRecordNotBelongToUser",
                        "The record does not belong to you.",
                    );
                };
                if record.value == value && record.rr == rr && record.kind == kind {
                    return error(
                        400,
                        "DomainRecordDuplicate",
                        "The DNS record already exists.",
                    );
                }
                record.rr = rr;
                record.kind = kind;
                record.value = value;
                record.ttl = ttl;
                if let Some(line) = p("Line") {
                    record.line = line;
                }
                json_reply(
                    200,
                    &format!(r#"{{"RequestId":"r-1","RecordId":"{}"}}"#, record.id),
                )
            }
            _ => self.violation(format!("{action} is not an action dynup needs")),
        }
    }
}
