//! netcup's CCP DNS API, from <https://ccp.netcup.net/run/webservice/servers/endpoint.php>
//! (and <https://www.netcup-wiki.de/wiki/CCP_API>): every call is a POST of
//! `{"action":..,"param":{..}}` to `endpoint.php?JSON`, inside a session:
//! - `login` with `customernumber`, `apikey`, `apipassword` -> `responsedata.apisessionid`;
//! - `infoDnsRecords` with `domainname` (and the customer number, key and
//!   session ID, as every call after login) -> `responsedata.dnsrecords`:
//!   `id`, `hostname` (relative, `@` for the domain), `type`, `priority`,
//!   `destination`, `deleterecord`, `state`;
//! - `updateDnsRecords` with `domainname` and `dnsrecordset.dnsrecords`: the
//!   records given are changed (by `id`) or added (without one), others stay;
//! - `logout`, so that the session ends with the run.
//!
//! Answers say `"status":"success"` (`statuscode` 2000) or `"error"` with a
//! `statuscode`, `shortmessage` and `longmessage`.

use super::api::{self, Change, Fail, Session, Step, Target};
use crate::exit::Exit;
use crate::http::{Answer, Method};
use crate::json::{self, Value};

/// The session ID's member in the login answer: masked in `-v` output.
const SESSION_MEMBER: &str = "apisessionid";

/// The API this module speaks, for its preset row.
pub const API: super::api::Api = super::api::Api {
    name: "netcup-ccp",
    send,
};

pub fn send(session: &Session, targets: &[Target]) -> Vec<Result<Change, Fail>> {
    let sid = match login(session) {
        Ok(sid) => sid,
        Err(fail) => return targets.iter().map(|_| Err(fail.clone())).collect(),
    };
    let results = targets
        .iter()
        .map(|target| set_record(session, &sid, target))
        .collect();
    // The records are set: a failed logout only leaves the session to expire.
    let _ = call(session, &sid, "logout", Vec::new(), "logging out");
    results
}

fn customer(session: &Session) -> String {
    json::quote(session.job.user.as_deref().unwrap_or(""))
}

fn login(session: &Session) -> Result<String, Fail> {
    let secret = session.job.key_secret.as_ref().map_or("", |s| s.expose());
    let param = vec![
        ("customernumber", customer(session)),
        ("apikey", json::quote(session.token())),
        ("apipassword", json::quote(secret)),
    ];
    let value = post(session, "", "login", param, "logging in")?;
    value
        .at(&["responsedata", SESSION_MEMBER])
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| Fail::new(Exit::Unexpected, "netcup: a login answer without a session"))
}

/// A call in the session `sid`: `param` after the credentials.
fn call(
    session: &Session,
    sid: &str,
    action: &str,
    mut param: Vec<(&str, String)>,
    doing: &str,
) -> Result<Value, Fail> {
    let mut all = vec![
        ("customernumber", customer(session)),
        ("apikey", json::quote(session.token())),
        ("apisessionid", json::quote(sid)),
    ];
    all.append(&mut param);
    post(session, sid, action, all, doing)
}

fn post(
    session: &Session,
    sid: &str,
    action: &str,
    param: Vec<(&str, String)>,
    doing: &str,
) -> Result<Value, Fail> {
    let body = json::object(&[
        ("action", json::quote(action)),
        ("param", json::object(&param)),
    ]);
    let request = session.call(Method::Post, "?JSON", Vec::new(), Some(body));
    let answer = session.send_hiding(&request, &[sid], SESSION_MEMBER)?;
    check(&answer, action, doing)
}

/// The domain: `--zone`, else the host's last two labels.
fn domain<'a>(session: &'a Session, name: &'a str) -> &'a str {
    api::given_or_last_two(session.job.zone.as_deref(), name)
}

fn set_record(session: &Session, sid: &str, target: &Target) -> Result<Change, Fail> {
    let domain = domain(session, &target.name);
    let value = call(
        session,
        sid,
        "infoDnsRecords",
        vec![("domainname", json::quote(domain))],
        "reading the records",
    )?;
    let host = api::relative(&target.name, domain, "@");
    let all = value
        .at(&["responsedata", "dnsrecords"])
        .map(Value::as_array)
        .unwrap_or(&[]);
    let records: Vec<&Value> = all
        .iter()
        .filter(|r| {
            r.str_of("type") == Some(target.kind)
                && r.str_of("hostname")
                    .is_some_and(|h| h.eq_ignore_ascii_case(host))
        })
        .collect();
    let mut record = vec![
        ("hostname", json::quote(host)),
        ("type", json::quote(target.kind)),
        ("priority", json::quote("0")),
        ("destination", json::quote(&target.addr_text())),
        ("deleterecord", "false".to_string()),
    ];
    let change = match api::step("netcup", target, &records, |r| r.str_of("destination"))? {
        Step::Current => return Ok(Change::Current),
        Step::Create => Change::Created,
        Step::Update(found) => {
            let Some(id) = found.get("id").and_then(Value::as_text) else {
                return Err(Fail::new(Exit::Unexpected, "netcup: a record without id"));
            };
            record.insert(0, ("id", json::quote(id)));
            Change::Updated
        }
    };
    let set = format!("{{\"dnsrecords\":[{}]}}", json::object(&record));
    let doing = match change {
        Change::Created => "creating the record",
        _ => "updating the record",
    };
    call(
        session,
        sid,
        "updateDnsRecords",
        vec![("domainname", json::quote(domain)), ("dnsrecordset", set)],
        doing,
    )?;
    Ok(change)
}

/// The answer's JSON when netcup says success, else the failure it means.
fn check(answer: &Answer, action: &str, doing: &str) -> Result<Value, Fail> {
    let value = api::json_of(answer)?;
    if answer.is_success() && value.str_of("status") == Some("success") {
        return Ok(value);
    }
    let code = value
        .get("statuscode")
        .and_then(Value::as_text)
        .unwrap_or("");
    let message = value
        .str_of("longmessage")
        .filter(|m| !m.is_empty())
        .or(value.str_of("shortmessage"))
        .unwrap_or("");
    let lower = message.to_ascii_lowercase();
    let exit = if !answer.is_success() {
        api::status_exit(answer.status)
    } else if value.str_of("status") != Some("error") {
        Exit::Unexpected
    } else if lower.contains("requests per minute") || lower.contains("retry later") {
        Exit::ServerError
    } else if code == "5029" || lower.contains("not found") {
        Exit::NoHost
    } else if action == "login"
        || lower.contains("api key")
        || lower.contains("apikey")
        || lower.contains("session")
    {
        Exit::BadAuth
    } else {
        Exit::Rejected
    };
    Err(api::fail("netcup", doing, answer, exit, code, message))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exit_of(status: u16, action: &str, body: &str) -> Exit {
        let answer = Answer {
            status,
            body: body.to_string(),
            location: None,
            retry_after: None,
        };
        check(&answer, action, "x")
            .err()
            .map_or(Exit::Ok, |f| f.failure.exit)
    }

    #[test]
    fn answers_map_to_exits() {
        let error = |code: u32, long: &str| {
            format!(
                r#"{{"status":"error","statuscode":{code},"shortmessage":"s","longmessage":"{long}"}}"#
            )
        };
        let ok = r#"{"status":"success","statuscode":2000,"responsedata":""}"#;
        assert_eq!(exit_of(200, "infoDnsRecords", ok), Exit::Ok);
        assert_eq!(
            exit_of(200, "login", &error(4013, "Validation Error.")),
            Exit::BadAuth
        );
        assert_eq!(
            exit_of(
                200,
                "infoDnsRecords",
                &error(4001, "The session id is not valid.")
            ),
            Exit::BadAuth
        );
        assert_eq!(
            exit_of(
                200,
                "infoDnsRecords",
                &error(5029, "Can not get DNS records for zone. Domain not found.")
            ),
            Exit::NoHost
        );
        assert_eq!(
            exit_of(
                200,
                "login",
                &error(
                    4013,
                    "More than 180 requests per minute. Please wait and retry later."
                )
            ),
            Exit::ServerError
        );
        assert_eq!(
            exit_of(
                200,
                "updateDnsRecords",
                &error(4013, "Validation Error: destination.")
            ),
            Exit::Rejected
        );
        assert_eq!(exit_of(503, "login", "busy"), Exit::ServerError);
        assert_eq!(exit_of(200, "login", "{}"), Exit::Unexpected);
    }
}
