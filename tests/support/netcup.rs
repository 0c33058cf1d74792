//! A fake of netcup's CCP DNS API on a [`Mock`], answering as
//! <https://ccp.netcup.net/run/webservice/servers/endpoint.php> and
//! <https://www.netcup-wiki.de/wiki/CCP_API> say:
//! - every call is `POST /run/webservice/servers/endpoint.php?JSON` with a JSON
//!   body `{"action":..,"param":{..}}`; answers are HTTP 200 with `status`
//!   (`success`/`error`), `statuscode` (2000 for success), `shortmessage`,
//!   `longmessage` and `responsedata`;
//! - `login` (`customernumber`, `apikey`, `apipassword`) -> `responsedata.apisessionid`;
//! - `infoDnsRecords` (`domainname`, `customernumber`, `apikey`, `apisessionid`)
//!   -> `responsedata.dnsrecords` (`id`, `hostname`, `type`, `priority`,
//!   `destination`, `deleterecord`, `state`); an unknown domain is 5029;
//! - `updateDnsRecords` (the same and `dnsrecordset.dnsrecords`): a record with
//!   an `id` is changed, one without is added;
//! - `logout` ends the session.
//!
//! The error texts below are modelled on those the documentation lists; the
//! login failure is a 4013 "Validation Error", the rate limit "More than 180
//! requests per minute". What the pages do not allow is recorded in
//! [`NetcupApi::violations`].

use std::sync::{Arc, Mutex};

use super::rest::{field, flat_json, json_reply, valid_content};
use super::{Mock, Recorded, Reply, PASSWORD, TOKEN};

/// The customer number the fake accepts.
pub const CUSTOMER: &str = "123456";
/// The session ID a login hands out.
pub const SESSION: &str = "sess-SECRET-4b1d9e";

#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub id: u32,
    pub domain: String,
    pub hostname: String,
    pub kind: String,
    pub destination: String,
}

#[derive(Default)]
pub struct State {
    pub domains: Vec<String>,
    pub records: Vec<Record>,
    pub violations: Vec<String>,
    /// Actions in the order asked.
    pub actions: Vec<String>,
    logged_in: bool,
    next_id: u32,
}

#[derive(Clone)]
pub struct NetcupApi {
    pub state: Arc<Mutex<State>>,
}

/// An answer of `action`.
pub fn answer(action: &str, status: &str, code: u32, long: &str, data: &str) -> Reply {
    json_reply(
        200,
        &format!(
            r#"{{"serverrequestid":"abc","clientrequestid":"","action":"{action}","status":"{status}","statuscode":{code},"shortmessage":"{long}","longmessage":"{long}","responsedata":{data}}}"#
        ),
    )
}

fn error(action: &str, code: u32, long: &str) -> Reply {
    answer(action, "error", code, long, r#""""#)
}

/// (action, the flat members of param, the one record of dnsrecordset).
type Call = (String, Vec<(String, String)>, Option<Vec<(String, String)>>);

fn call_of(body: &str) -> Option<Call> {
    let rest = body.strip_prefix(r#"{"action":""#)?;
    let (action, rest) = rest.split_once(r#"","param":{"#)?;
    let param = rest.strip_suffix("}}")?;
    let (flat, record) = match param.split_once(r#","dnsrecordset":{"dnsrecords":["#) {
        Some((flat, set)) => (flat, Some(flat_json(set.strip_suffix("]}")?)?)),
        None => (param, None),
    };
    Some((
        action.to_string(),
        flat_json(&format!("{{{flat}}}"))?,
        record,
    ))
}

impl NetcupApi {
    pub fn on(mock: &Mock, domains: &[&str]) -> NetcupApi {
        let api = NetcupApi {
            state: Arc::new(Mutex::new(State {
                domains: domains.iter().map(|d| d.to_string()).collect(),
                next_id: 4000,
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

    pub fn add(&self, domain: &str, hostname: &str, kind: &str, destination: &str) -> u32 {
        let mut state = self.lock();
        state.next_id += 1;
        let id = state.next_id;
        state.records.push(Record {
            id,
            domain: domain.to_string(),
            hostname: hostname.to_string(),
            kind: kind.to_string(),
            destination: destination.to_string(),
        });
        id
    }

    pub fn record(&self, hostname: &str, kind: &str) -> Option<Record> {
        self.lock()
            .records
            .iter()
            .find(|r| r.hostname == hostname && r.kind == kind)
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
        error("", 4013, &what)
    }

    fn answer(&mut self, request: &Recorded) -> Reply {
        if !request.tls
            || request.method != "POST"
            || request.target != "/run/webservice/servers/endpoint.php?JSON"
        {
            return self.violation(format!(
                "{} {} (tls {})",
                request.method, request.target, request.tls
            ));
        }
        let Some((action, param, record)) = call_of(&request.body) else {
            return self.violation(format!("not a call: {}", request.body));
        };
        self.actions.push(action.clone());
        if field(&param, "customernumber").as_deref() != Some(CUSTOMER)
            || field(&param, "apikey").as_deref() != Some(TOKEN)
        {
            return error(&action, 4013, "Validation Error.");
        }
        if action == "login" {
            if field(&param, "apipassword").as_deref() != Some(PASSWORD) {
                return error(&action, 4013, "Validation Error.");
            }
            self.logged_in = true;
            let data = format!(r#"{{"apisessionid":"{SESSION}"}}"#);
            return answer(&action, "success", 2000, "Login successful", &data);
        }
        if field(&param, "apipassword").is_some() {
            return self.violation(format!("{action} takes no apipassword"));
        }
        if !self.logged_in || field(&param, "apisessionid").as_deref() != Some(SESSION) {
            return error(&action, 4001, "The session id is not in a valid format.");
        }
        if action == "logout" {
            self.logged_in = false;
            return answer(&action, "success", 2000, "Logout successful", r#""""#);
        }
        let Some(domain) = field(&param, "domainname") else {
            return self.violation(format!("{action} without domainname"));
        };
        if !self.domains.contains(&domain) {
            return error(
                &action,
                5029,
                "Can not get DNS records for zone. Domain not found.",
            );
        }
        match (action.as_str(), record) {
            ("infoDnsRecords", None) => {
                let list: Vec<String> = self
                    .records
                    .iter()
                    .filter(|r| r.domain == domain)
                    .map(|r| {
                        format!(
                            r#"{{"id":"{}","hostname":"{}","type":"{}","priority":"0","destination":"{}","deleterecord":false,"state":"yes"}}"#,
                            r.id, r.hostname, r.kind, r.destination
                        )
                    })
                    .collect();
                let data = format!(r#"{{"dnsrecords":[{}]}}"#, list.join(","));
                answer(&action, "success", 2000, "DNS records found", &data)
            }
            ("updateDnsRecords", Some(record)) => {
                let (Some(hostname), Some(kind), Some(destination)) = (
                    field(&record, "hostname"),
                    field(&record, "type"),
                    field(&record, "destination"),
                ) else {
                    return self.violation("a record without hostname/type/destination".into());
                };
                if field(&record, "deleterecord").as_deref() != Some("false") {
                    return self.violation("a record to set with deleterecord not false".into());
                }
                if !valid_content(&kind, &destination) {
                    return error(&action, 4013, "Validation Error: destination invalid.");
                }
                match field(&record, "id") {
                    Some(id) => {
                        let Some(found) = self
                            .records
                            .iter_mut()
                            .find(|r| r.id.to_string() == id && r.domain == domain)
                        else {
                            return error(&action, 5028, "Record id not found.");
                        };
                        found.hostname = hostname;
                        found.kind = kind;
                        found.destination = destination;
                    }
                    None => {
                        self.next_id += 1;
                        let id = self.next_id;
                        self.records.push(Record {
                            id,
                            domain,
                            hostname,
                            kind,
                            destination,
                        });
                    }
                }
                answer(
                    &action,
                    "success",
                    2000,
                    "DNS records successful updated",
                    r#"{"dnsrecords":[]}"#,
                )
            }
            _ => self.violation(format!("{action} is not a call dynup needs, or malformed")),
        }
    }
}
