//! A fake Tencent Cloud DNSPod API 3.0 on a [`Mock`], answering as
//! <https://www.tencentcloud.com/document/api/1157/49025> and its "Signature v3"
//! page say:
//! - every call is `POST /` with JSON (`Content-Type: application/json;
//!   charset=utf-8`), `X-TC-Action`, `X-TC-Version: 2021-03-23`, `X-TC-Timestamp`
//!   and `Authorization: TC3-HMAC-SHA256 Credential=ID/DATE/dnspod/tc3_request,
//!   SignedHeaders=content-type;host, Signature=..`, checked here from the
//!   request as received with the secret key [`PASSWORD`];
//! - answers are HTTP 200 `{"Response":{..,"RequestId":..}}`, failures with
//!   `"Error":{"Code","Message"}`: `AuthFailure.SignatureFailure`,
//!   `AuthFailure.SecretIdNotFound`, `InvalidParameterValue.DomainNotExists`,
//!   `ResourceNotFound.NoDataOfRecord` (a list with nothing in it),
//!   `InvalidParameter.RecordValueInvalid`, `RequestLimitExceeded`;
//! - `DescribeRecordList` (`Domain`, `Subdomain`, `RecordType`) -> `RecordList`;
//!   `ModifyRecord` (.., `RecordLine`, `Value`, `RecordId`) and `CreateRecord`.
//!
//! What the pages do not allow is recorded in [`DnspodApi::violations`].

use std::sync::{Arc, Mutex};

use ring::{digest, hmac};

use super::rest::{field, flat_json, json_reply, valid_content};
use super::{Mock, Recorded, Reply, PASSWORD, TOKEN};

#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub id: u64,
    pub domain: String,
    /// Relative to the domain, `@` for the domain itself.
    pub name: String,
    pub kind: String,
    pub value: String,
    pub line: String,
    pub ttl: u32,
}

#[derive(Default)]
pub struct State {
    pub domains: Vec<String>,
    pub records: Vec<Record>,
    pub violations: Vec<String>,
    pub actions: Vec<String>,
    next_id: u64,
}

#[derive(Clone)]
pub struct DnspodApi {
    pub state: Arc<Mutex<State>>,
}

pub fn error(code: &str, message: &str) -> Reply {
    json_reply(
        200,
        &format!(
            r#"{{"Response":{{"Error":{{"Code":"{code}","Message":"{message}"}},"RequestId":"r-1"}}}}"#
        ),
    )
}

fn ok(more: &str) -> Reply {
    json_reply(
        200,
        &format!(r#"{{"Response":{{{more}"RequestId":"r-1"}}}}"#),
    )
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn mac(key: &[u8], data: &str) -> Vec<u8> {
    hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), data.as_bytes())
        .as_ref()
        .to_vec()
}

/// `2019-02-25` for a UNIX time (days to civil date, proleptic Gregorian).
fn utc_date(unix: u64) -> String {
    let z = (unix / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// The Authorization header `request` should carry, as Signature v3 computes it.
fn expected_authorization(request: &Recorded) -> String {
    let unix: u64 = request
        .header("x-tc-timestamp")
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    let date = utc_date(unix);
    let canonical = format!(
        "POST\n/\n\ncontent-type:{}\nhost:{}\n\ncontent-type;host\n{}",
        request.header("content-type").unwrap_or(""),
        request.header("host").unwrap_or(""),
        hex(digest::digest(&digest::SHA256, request.body.as_bytes()).as_ref())
    );
    let scope = format!("{date}/dnspod/tc3_request");
    let to_sign = format!(
        "TC3-HMAC-SHA256\n{unix}\n{scope}\n{}",
        hex(digest::digest(&digest::SHA256, canonical.as_bytes()).as_ref())
    );
    let mut key = mac(format!("TC3{PASSWORD}").as_bytes(), &date);
    for part in ["dnspod", "tc3_request"] {
        key = mac(&key, part);
    }
    format!(
        "TC3-HMAC-SHA256 Credential={TOKEN}/{scope}, SignedHeaders=content-type;host, Signature={}",
        hex(&mac(&key, &to_sign))
    )
}

impl DnspodApi {
    pub fn on(mock: &Mock, domains: &[&str]) -> DnspodApi {
        let api = DnspodApi {
            state: Arc::new(Mutex::new(State {
                domains: domains.iter().map(|d| d.to_string()).collect(),
                next_id: 1_600_000_000,
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
    pub fn add(&self, domain: &str, name: &str, kind: &str, value: &str) -> u64 {
        let mut state = self.lock();
        state.next_id += 1;
        let id = state.next_id;
        state.records.push(Record {
            id,
            domain: domain.to_string(),
            name: name.to_string(),
            kind: kind.to_string(),
            value: value.to_string(),
            line: "\u{9ed8}\u{8ba4}".to_string(),
            ttl: 600,
        });
        id
    }

    pub fn record(&self, name: &str, kind: &str) -> Option<Record> {
        self.lock()
            .records
            .iter()
            .find(|r| r.name == name && r.kind == kind)
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
        error("InvalidParameter", &what)
    }

    fn answer(&mut self, request: &Recorded) -> Reply {
        if !request.tls || request.method != "POST" || request.target != "/" {
            return self.violation(format!(
                "{} {} (tls {})",
                request.method, request.target, request.tls
            ));
        }
        if request.header("content-type") != Some("application/json; charset=utf-8")
            || request.header("x-tc-version") != Some("2021-03-23")
        {
            return self.violation("content type or X-TC-Version".to_string());
        }
        let action = request.header("x-tc-action").unwrap_or("").to_string();
        self.actions.push(action.clone());
        let authorization = request.header("authorization").unwrap_or("");
        if !authorization.contains(&format!("Credential={TOKEN}/")) {
            return error("AuthFailure.SecretIdNotFound", "The SecretId is not found.");
        }
        if authorization != expected_authorization(request) {
            return error(
                "AuthFailure.SignatureFailure",
                "The provided credentials could not be validated.",
            );
        }
        let Some(fields) = flat_json(&request.body) else {
            return self.violation(format!("not a flat JSON object: {}", request.body));
        };
        let Some(domain) = field(&fields, "Domain") else {
            return self.violation(format!("{action} without Domain"));
        };
        if !self.domains.contains(&domain) {
            return error(
                "InvalidParameterValue.DomainNotExists",
                "The domain does not exist.",
            );
        }
        match action.as_str() {
            "DescribeRecordList" => {
                let (name, kind) = (field(&fields, "Subdomain"), field(&fields, "RecordType"));
                let found: Vec<String> = self
                    .records
                    .iter()
                    .filter(|r| r.domain == domain)
                    .filter(|r| name.as_ref().is_none_or(|n| *n == r.name))
                    .filter(|r| kind.as_ref().is_none_or(|k| *k == r.kind))
                    .map(|r| {
                        format!(
                            r#"{{"RecordId":{},"Name":"{}","Type":"{}","Value":"{}","Line":"{}","LineId":"0","TTL":{},"Status":"ENABLE"}}"#,
                            r.id, r.name, r.kind, r.value, r.line, r.ttl
                        )
                    })
                    .collect();
                if found.is_empty() {
                    return error("ResourceNotFound.NoDataOfRecord", "No records.");
                }
                ok(&format!(r#""RecordList":[{}],"#, found.join(",")))
            }
            "ModifyRecord" | "CreateRecord" => {
                let (Some(name), Some(kind), Some(line), Some(value)) = (
                    field(&fields, "SubDomain"),
                    field(&fields, "RecordType"),
                    field(&fields, "RecordLine"),
                    field(&fields, "Value"),
                ) else {
                    return self.violation(format!("{action} without its required members"));
                };
                if !valid_content(&kind, &value) {
                    return error("InvalidParameter.RecordValueInvalid", "Invalid value.");
                }
                let ttl = field(&fields, "TTL")
                    .and_then(|t| t.parse().ok())
                    .unwrap_or(600);
                if action == "CreateRecord" {
                    self.next_id += 1;
                    let id = self.next_id;
                    self.records.push(Record {
                        id,
                        domain,
                        name,
                        kind,
                        value,
                        line,
                        ttl,
                    });
                    return ok(&format!(r#""RecordId":{id},"#));
                }
                let id = field(&fields, "RecordId").and_then(|i| i.parse::<u64>().ok());
                let Some(record) = self
                    .records
                    .iter_mut()
                    .find(|r| Some(r.id) == id && r.domain == domain)
                else {
                    return error("ResourceNotFound.NoDataOfRecord", "No such record.");
                };
                record.name = name;
                record.kind = kind;
                record.value = value;
                record.line = line;
                record.ttl = ttl;
                ok(&format!(r#""RecordId":{},"#, record.id))
            }
            _ => self.violation(format!("{action} is not an action dynup needs")),
        }
    }
}
