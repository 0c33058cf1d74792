//! Beget's API, from <https://beget.com/en/kb/api/basic-principles-of-operation-with-api>
//! and <https://beget.com/en/kb/api/dns-administration-functions>: a method is
//! `/api/{section}/{method}` with `login`, `passwd`, `input_format=json`,
//! `output_format=json` and the arguments as JSON in `input_data`, by GET or
//! POST. dynup POSTs them as a form (the rules page recommends it): the password
//! then never stands in a URL, and is masked in the `-v` line of the body.
//! Answers are `{"status":"success","answer":{"status":"success","result":..}}`;
//! a failed call `{"status":"error","error_code":..,"error_text":..}`, a refused
//! argument `"answer":{"status":"error","errors":[{"error_code","error_text"}]}`.
//! - `dns/getData` (`fqdn`): `result.records`, a list per type; real answers
//!   write an A/AAAA record's address as `address` (with `ttl`), the page as
//!   `value` (with `priority`): both are read;
//! - `dns/changeRecords` (`fqdn`, `records`): sets the name's records, each
//!   `{"priority","value"}`, to those given (the page's group "A, MX, TXT";
//!   AAAA is unconfirmed there but sent by ddns-scripts' script). So the A, AAAA,
//!   MX and TXT records the name already has are sent back with the new address.

use super::api::{self, Change, Fail, Session, Step, Target};
use crate::exit::Exit;
use crate::http::{Answer, Method};
use crate::json::{self, Value};
use crate::url::percent_encode;

/// The types changeRecords takes together and dynup sends back unchanged.
const KEPT: [&str; 4] = ["A", "AAAA", "MX", "TXT"];

/// The API this module speaks, for its preset row.
pub const API: super::api::Api = super::api::Api {
    name: "beget-json",
    send,
};

pub fn send(session: &Session, targets: &[Target]) -> Vec<Result<Change, Fail>> {
    targets
        .iter()
        .map(|target| set_record(session, target))
        .collect()
}

/// A POST of `method` with the credentials and `input` (JSON) as form fields.
fn call(session: &Session, method: &str, input: &str, doing: &str) -> Result<Value, Fail> {
    let body = format!(
        "login={}&passwd={}&input_format=json&output_format=json&input_data={}",
        percent_encode(session.job.user_name()),
        percent_encode(session.token()),
        percent_encode(input)
    );
    let mut request = session.call(Method::Post, &format!("/{method}"), Vec::new(), Some(body));
    request.content_type = "application/x-www-form-urlencoded";
    let answer = session.send(&request)?;
    check(&answer, doing)
}

/// A record's value as the page writes it (`value`) or as real answers do.
fn value_of(record: &Value) -> Option<&str> {
    ["value", "address", "exchange", "txtdata"]
        .iter()
        .find_map(|key| record.get(key).and_then(Value::as_text))
}

/// A record as changeRecords takes it.
fn as_sent(record: &Value) -> Option<String> {
    let priority = ["priority", "preference"]
        .iter()
        .find_map(|key| record.get(key).and_then(Value::as_u64))
        .unwrap_or(10);
    Some(json::object(&[
        ("priority", priority.to_string()),
        ("value", json::quote(value_of(record)?)),
    ]))
}

fn set_record(session: &Session, target: &Target) -> Result<Change, Fail> {
    let fqdn = json::quote(&target.name);
    let input = json::object(&[("fqdn", fqdn.clone())]);
    let result = call(session, "dns/getData", &input, "reading the records")?;
    let records = result.get("records");
    // A name with a CNAME or NS records (set_type 3 or 2) has no A records to set.
    if let Some(other) = ["CNAME", "NS"].iter().find(|kind| {
        records
            .and_then(|r| r.get(kind))
            .is_some_and(|l| !l.as_array().is_empty())
    }) {
        return Err(Fail::new(
            Exit::Rejected,
            format!(
                "beget: {} has {other} records; it takes A records only after they are \
                 removed in the control panel",
                target.name
            ),
        ));
    }
    let of_kind = |kind: &str| {
        records
            .and_then(|r| r.get(kind))
            .map_or(&[][..], Value::as_array)
    };
    let step = api::step("beget", target, of_kind(target.kind), value_of)?;
    let change = match step {
        Step::Current => return Ok(Change::Current),
        Step::Create => Change::Created,
        Step::Update(_) => Change::Updated,
    };
    let new = json::object(&[
        ("priority", "10".to_string()),
        ("value", target.addr_json()),
    ]);
    let mut lists = Vec::new();
    for kind in KEPT {
        let list: Vec<String> = match kind == target.kind {
            true => vec![new.clone()],
            false => of_kind(kind).iter().filter_map(as_sent).collect(),
        };
        if !list.is_empty() {
            lists.push((kind, format!("[{}]", list.join(","))));
        }
    }
    let input = json::object(&[("fqdn", fqdn), ("records", json::object(&lists))]);
    let doing = match change {
        Change::Created => "creating the record",
        _ => "updating the record",
    };
    let done = call(session, "dns/changeRecords", &input, doing)?;
    if done.as_bool() == Some(false) {
        return Err(Fail::new(
            Exit::Rejected,
            format!("beget: {doing}: changeRecords answered false"),
        ));
    }
    Ok(change)
}

/// The exit an error code means.
fn code_exit(code: &str) -> Exit {
    match code {
        // Unconfirmed names: the pages list no codes; INVALID_DATA and
        // NO_SUCH_METHOD are seen in answers.
        "AUTH_ERROR" => Exit::BadAuth,
        "LIMIT_ERROR" | "INTERNAL_ERROR" => Exit::ServerError,
        "NO_SUCH_METHOD" => Exit::Unexpected,
        _ => Exit::Rejected,
    }
}

fn status(value: Option<&Value>) -> Option<&str> {
    value.and_then(|v| v.str_of("status"))
}

/// `answer.result` when both statuses say success, else the failure it means.
fn check(answer: &Answer, doing: &str) -> Result<Value, Fail> {
    let value = api::json_of(answer)?;
    let inner = value.get("answer");
    if answer.is_success()
        && status(Some(&value)) == Some("success")
        && status(inner) == Some("success")
    {
        return Ok(inner
            .and_then(|i| i.get("result"))
            .cloned()
            .unwrap_or(Value::Null));
    }
    // The call's own error, else the first of the answer's.
    let error = match status(Some(&value)) {
        Some("success") => inner
            .and_then(|i| i.get("errors"))
            .and_then(|e| e.as_array().first())
            .or(inner),
        _ => Some(&value),
    };
    let text = |key: &str| error.and_then(|e| e.str_of(key)).unwrap_or("");
    let exit = match text("error_code") {
        _ if !answer.is_success() => api::status_exit(answer.status),
        "" => Exit::Unexpected,
        code => code_exit(code),
    };
    Err(api::fail(
        "beget",
        doing,
        answer,
        exit,
        text("error_code"),
        text("error_text"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exit_of(status: u16, body: &str) -> Exit {
        let answer = Answer {
            status,
            body: body.to_string(),
            location: None,
            retry_after: None,
        };
        check(&answer, "x")
            .err()
            .map_or(Exit::Ok, |f| f.failure.exit)
    }

    #[test]
    fn statuses_and_codes_map_to_exits() {
        let ok = r#"{"status":"success","answer":{"status":"success","result":true}}"#;
        assert_eq!(exit_of(200, ok), Exit::Ok);
        let auth = r#"{"status":"error","error_code":"AUTH_ERROR","error_text":"x"}"#;
        assert_eq!(exit_of(200, auth), Exit::BadAuth);
        let refused = r#"{"status":"success","answer":{"status":"error","errors":[{"error_code":"INVALID_DATA","error_text":"bad"}]}}"#;
        assert_eq!(exit_of(200, refused), Exit::Rejected);
        assert_eq!(exit_of(200, r#"{"status":"error"}"#), Exit::Unexpected);
        assert_eq!(exit_of(503, "busy"), Exit::ServerError);
    }

    #[test]
    fn records_are_sent_back_as_priority_and_value() {
        let mx = json::parse(r#"{"ttl":300,"exchange":"mx1.example.","preference":20}"#).unwrap();
        assert_eq!(
            as_sent(&mx).as_deref(),
            Some(r#"{"priority":20,"value":"mx1.example."}"#)
        );
        let a = json::parse(r#"{"value":"192.0.2.1","priority":"0"}"#).unwrap();
        assert_eq!(
            as_sent(&a).as_deref(),
            Some(r#"{"priority":0,"value":"192.0.2.1"}"#)
        );
        assert_eq!(as_sent(&json::parse(r#"{"ttl":1}"#).unwrap()), None);
    }
}
