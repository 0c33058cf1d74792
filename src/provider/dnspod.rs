//! Tencent Cloud DNSPod, API 3.0 (version 2021-03-23), from
//! <https://www.tencentcloud.com/document/api/1157/49025> (and the record pages
//! under it): every call is a POST of JSON to `https://dnspod.tencentcloudapi.com/`
//! naming its action in `X-TC-Action`, signed with TC3-HMAC-SHA256 (src/provider/tc3.rs;
//! the secret key never travels). Answers are `{"Response":{..}}`, with
//! `Response.Error.Code`/`Message` when a call failed (HTTP 200 either way).
//! - `DescribeRecordList` (`Domain`, `Subdomain`, `RecordType`) -> `RecordList`
//!   (`RecordId`, `Name`, `Type`, `Value`, `Line`, `TTL`); none is the error
//!   `ResourceNotFound.NoDataOfRecord`;
//! - `ModifyRecord` (`Domain`, `SubDomain`, `RecordType`, `RecordLine`, `Value`,
//!   `RecordId`, `TTL`): sent with the record's own line and TTL;
//! - `CreateRecord` (`Domain`, `SubDomain`, `RecordType`, `RecordLine`, `Value`).

use super::api::{self, Change, Fail, Session, Step, Target};
use super::tc3;
use crate::clock;
use crate::exit::Exit;
use crate::http::{Answer, ApiCall, Method};
use crate::json::{self, Value};

const VERSION: &str = "2021-03-23";
const CONTENT_TYPE: &str = "application/json; charset=utf-8";
/// The default line ("默认"), which every record without a special one has.
const DEFAULT_LINE: &str = "\u{9ed8}\u{8ba4}";

fn signed(session: &Session, action: &'static str, body: String) -> ApiCall {
    let mut call = session.call(Method::Post, "/", Vec::new(), Some(body));
    let rest = call.url.split_once("://").map_or("", |(_, rest)| rest);
    let host = &rest[..rest.find('/').unwrap_or(rest.len())];
    let secret = session.job.key_secret.as_ref().map_or("", |s| s.expose());
    let now = clock::now();
    let authorization = tc3::authorization(
        (session.token(), secret),
        "dnspod",
        (CONTENT_TYPE, host),
        call.body.as_deref().unwrap_or("").as_bytes(),
        now,
    );
    call.headers = vec![
        ("Authorization", authorization),
        ("X-TC-Action", action.to_string()),
        ("X-TC-Timestamp", now.to_string()),
        ("X-TC-Version", VERSION.to_string()),
    ];
    call.content_type = CONTENT_TYPE;
    call
}

/// The domain: `--zone`, else the host's last two labels.
fn domain<'a>(session: &'a Session, name: &'a str) -> &'a str {
    api::given_or_last_two(session.job.zone.as_deref(), name)
}

/// The API this module speaks, for its preset row.
pub const API: super::api::Api = super::api::Api {
    name: "dnspod-tc3",
    send,
};

pub fn send(session: &Session, targets: &[Target]) -> Vec<Result<Change, Fail>> {
    targets
        .iter()
        .map(|target| set_record(session, target))
        .collect()
}

fn call(
    session: &Session,
    action: &'static str,
    members: &[(&str, String)],
    doing: &str,
) -> Result<Value, Fail> {
    let answer = session.send(&signed(session, action, json::object(members)))?;
    check(&answer, doing)
}

fn set_record(session: &Session, target: &Target) -> Result<Change, Fail> {
    let domain = domain(session, &target.name);
    let sub = api::relative(&target.name, domain, "@");
    let listed = call(
        session,
        "DescribeRecordList",
        &[
            ("Domain", json::quote(domain)),
            ("Subdomain", json::quote(sub)),
            ("RecordType", json::quote(target.kind)),
        ],
        "reading the record",
    );
    let value = match listed {
        Ok(value) => Some(value),
        // No record of that name and type: an error, in this API.
        Err(fail)
            if fail
                .failure
                .message
                .contains("ResourceNotFound.NoDataOfRecord") =>
        {
            None
        }
        Err(fail) => return Err(fail),
    };
    let records: Vec<&Value> = value
        .as_ref()
        .and_then(|v| v.at(&["Response", "RecordList"]))
        .map(Value::as_array)
        .unwrap_or(&[])
        .iter()
        .filter(|r| r.str_of("Type") == Some(target.kind))
        .collect();
    let mut members = vec![
        ("Domain", json::quote(domain)),
        ("SubDomain", json::quote(sub)),
        ("RecordType", json::quote(target.kind)),
        ("Value", json::quote(&target.addr_text())),
    ];
    match api::step("dnspod", target, &records, |r| r.str_of("Value"))? {
        Step::Current => Ok(Change::Current),
        Step::Create => {
            members.push(("RecordLine", json::quote(DEFAULT_LINE)));
            if let Some(ttl) = session.job.ttl {
                members.push(("TTL", ttl.to_string()));
            }
            call(session, "CreateRecord", &members, "creating the record")?;
            Ok(Change::Created)
        }
        Step::Update(record) => {
            let id = record.get("RecordId").and_then(Value::as_text);
            let Some(id) = id.filter(|id| id.bytes().all(|b| b.is_ascii_digit())) else {
                return Err(Fail::new(
                    Exit::Unexpected,
                    "dnspod: a record without RecordId",
                ));
            };
            let line = record.str_of("Line").unwrap_or(DEFAULT_LINE);
            members.push(("RecordLine", json::quote(line)));
            members.push(("RecordId", id.to_string()));
            if let Some(ttl) = record.get("TTL").and_then(Value::as_u64) {
                members.push(("TTL", ttl.to_string()));
            }
            call(session, "ModifyRecord", &members, "updating the record")?;
            Ok(Change::Updated)
        }
    }
}

/// The exit an error code means (API 3.0's common and DNSPod's error codes).
fn code_exit(code: &str) -> Exit {
    if code.starts_with("AuthFailure") || code.starts_with("UnauthorizedOperation") {
        Exit::BadAuth
    } else if code.contains("DomainNotExists") || code.starts_with("ResourceNotFound") {
        Exit::NoHost
    } else if code.starts_with("RequestLimitExceeded")
        || code.starts_with("InternalError")
        || code.starts_with("ResourceUnavailable")
    {
        Exit::ServerError
    } else {
        Exit::Rejected
    }
}

/// The answer's JSON when it holds no `Response.Error`, else the failure its
/// code means.
fn check(answer: &Answer, doing: &str) -> Result<Value, Fail> {
    let value = api::json_of(answer)?;
    let error = value.at(&["Response", "Error"]);
    if answer.is_success() && error.is_none() && value.get("Response").is_some() {
        return Ok(value);
    }
    let code = error.and_then(|e| e.str_of("Code")).unwrap_or("");
    let message = error.and_then(|e| e.str_of("Message")).unwrap_or("");
    let exit = match error {
        _ if !answer.is_success() => api::status_exit(answer.status),
        Some(_) => code_exit(code),
        None => Exit::Unexpected,
    };
    Err(api::fail("dnspod", doing, answer, exit, code, message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_map_to_exits() {
        assert_eq!(code_exit("AuthFailure.SignatureFailure"), Exit::BadAuth);
        assert_eq!(code_exit("AuthFailure.SecretIdNotFound"), Exit::BadAuth);
        assert_eq!(code_exit("UnauthorizedOperation"), Exit::BadAuth);
        assert_eq!(
            code_exit("InvalidParameterValue.DomainNotExists"),
            Exit::NoHost
        );
        assert_eq!(code_exit("RequestLimitExceeded"), Exit::ServerError);
        assert_eq!(code_exit("InternalError"), Exit::ServerError);
        assert_eq!(
            code_exit("InvalidParameter.RecordValueInvalid"),
            Exit::Rejected
        );
    }
}
