//! Alibaba Cloud DNS (Alidns, API 2015-01-09), from
//! <https://www.alibabacloud.com/help/en/dns/api-alidns-2015-01-09-overview> and its
//! RPC signature page (<https://www.alibabacloud.com/help/en/sdk/product-overview/rpc-mechanism>):
//! every call is a GET of `https://alidns.aliyuncs.com/?Action=..` with the
//! common parameters (`Format=JSON`, `Version`, `AccessKeyId`, `Timestamp`,
//! `SignatureMethod=HMAC-SHA1`, `SignatureVersion=1.0`, `SignatureNonce`) and
//! `Signature`: base64 of HMAC-SHA1, keyed with the AccessKey secret and `&`,
//! over `GET&%2F&` + the percent-encoded sorted query (the secret never
//! travels). Checked against the page's DescribeRegions example.
//! - `DescribeSubDomainRecords` (`SubDomain`, `Type`) -> `DomainRecords.Record`
//!   (`RecordId`, `RR`, `Type`, `Value`, `TTL`, `Line`);
//! - `UpdateDomainRecord` (`RecordId`, `RR`, `Type`, `Value`, `TTL`, `Line`);
//! - `AddDomainRecord` (`DomainName`, `RR`, `Type`, `Value`).
//!
//! Errors are a 4xx/5xx with `{"Code":..,"Message":..}`.

use std::sync::atomic::{AtomicU32, Ordering};

use base64::Engine;
use ring::hmac;

use super::api::{self, Change, Fail, Session, Step, Target};
use crate::clock;
use crate::exit::Exit;
use crate::http::{Answer, Method};
use crate::json::Value;
use crate::url::percent_encode;

const VERSION: &str = "2015-01-09";

/// The signature of `params` (unsorted, not encoded) for a GET, with `secret`.
fn signature(params: &[(&str, String)], secret: &str) -> (String, String) {
    let mut pairs: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
        .collect();
    pairs.sort_unstable();
    let query = pairs.join("&");
    let to_sign = format!("GET&%2F&{}", percent_encode(&query));
    let key = hmac::Key::new(
        hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
        format!("{secret}&").as_bytes(),
    );
    let mac = hmac::sign(&key, to_sign.as_bytes());
    (
        query,
        base64::engine::general_purpose::STANDARD.encode(mac.as_ref()),
    )
}

/// `2016-02-23T12:46:24Z` for a UNIX time.
fn timestamp(unix: u64) -> String {
    let (year, month, day) = clock::civil_from_days((unix / 86_400) as i64);
    let rem = unix % 86_400;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// A nonce no other request of this host sends: the time, the process and a count.
fn nonce(unix: u64) -> String {
    static COUNT: AtomicU32 = AtomicU32::new(0);
    let count = COUNT.fetch_add(1, Ordering::Relaxed);
    format!("{unix}-{}-{count}", std::process::id())
}

fn call(
    session: &Session,
    action: &str,
    members: &[(&str, String)],
    doing: &str,
) -> Result<Value, Fail> {
    let now = clock::now();
    let mut params: Vec<(&str, String)> = vec![
        ("Action", action.to_string()),
        ("Format", "JSON".to_string()),
        ("Version", VERSION.to_string()),
        ("AccessKeyId", session.token().to_string()),
        ("SignatureMethod", "HMAC-SHA1".to_string()),
        ("SignatureVersion", "1.0".to_string()),
        ("SignatureNonce", nonce(now)),
        ("Timestamp", timestamp(now)),
    ];
    params.extend_from_slice(members);
    let secret = session.job.key_secret.as_ref().map_or("", |s| s.expose());
    let (query, signature) = signature(&params, secret);
    let path = format!("/?{query}&Signature={}", percent_encode(&signature));
    let answer = session.send(&session.call(Method::Get, &path, Vec::new(), None))?;
    check(&answer, doing)
}

/// The domain: `--zone`, else the host's last two labels.
fn domain<'a>(session: &'a Session, name: &'a str) -> &'a str {
    api::given_or_last_two(session.job.zone.as_deref(), name)
}

/// The API this module speaks, for its preset row.
pub const API: super::api::Api = super::api::Api {
    name: "alidns-rpc",
    send,
};

pub fn send(session: &Session, targets: &[Target]) -> Vec<Result<Change, Fail>> {
    targets
        .iter()
        .map(|target| set_record(session, target))
        .collect()
}

fn set_record(session: &Session, target: &Target) -> Result<Change, Fail> {
    let domain = domain(session, &target.name);
    let rr = api::relative(&target.name, domain, "@");
    let value = call(
        session,
        "DescribeSubDomainRecords",
        &[
            ("SubDomain", target.name.clone()),
            ("DomainName", domain.to_string()),
            ("Type", target.kind.to_string()),
        ],
        "reading the record",
    )?;
    let records: Vec<&Value> = value
        .at(&["DomainRecords", "Record"])
        .map(Value::as_array)
        .unwrap_or(&[])
        .iter()
        .filter(|r| r.str_of("Type") == Some(target.kind))
        .collect();
    let mut members = vec![
        ("RR", rr.to_string()),
        ("Type", target.kind.to_string()),
        ("Value", target.addr_text()),
    ];
    match api::step("aliyun", target, &records, |r| r.str_of("Value"))? {
        Step::Current => Ok(Change::Current),
        Step::Create => {
            members.push(("DomainName", domain.to_string()));
            if let Some(ttl) = session.job.ttl {
                members.push(("TTL", ttl.to_string()));
            }
            call(session, "AddDomainRecord", &members, "creating the record")?;
            Ok(Change::Created)
        }
        Step::Update(record) => {
            let Some(id) = record.get("RecordId").and_then(Value::as_text) else {
                return Err(Fail::new(
                    Exit::Unexpected,
                    "aliyun: a record without RecordId",
                ));
            };
            members.push(("RecordId", id.to_string()));
            // Sent as the record had them: the API would reset them otherwise.
            if let Some(ttl) = record.get("TTL").and_then(Value::as_u64) {
                members.push(("TTL", ttl.to_string()));
            }
            if let Some(line) = record.str_of("Line") {
                members.push(("Line", line.to_string()));
            }
            call(
                session,
                "UpdateDomainRecord",
                &members,
                "updating the record",
            )?;
            Ok(Change::Updated)
        }
    }
}

/// The exit an error code means (Alidns' and the common error codes).
fn code_exit(code: &str, status: u16) -> Exit {
    if code.starts_with("InvalidAccessKeyId")
        || code.starts_with("SignatureDoesNotMatch")
        || code.starts_with("IncompleteSignature")
        || code.starts_with("Forbidden")
    {
        Exit::BadAuth
    } else if code.starts_with("InvalidDomainName") || code.contains("NoExist") {
        Exit::NoHost
    } else if code.starts_with("Throttling")
        || code.starts_with("ServiceUnavailable")
        || status >= 500
    {
        Exit::ServerError
    } else {
        Exit::Rejected
    }
}

/// The answer's JSON on success, else the failure its `Code` means.
fn check(answer: &Answer, doing: &str) -> Result<Value, Fail> {
    let value = api::json_of(answer)?;
    if answer.is_success() {
        return Ok(value);
    }
    let code = value.str_of("Code").unwrap_or("");
    let message = value.str_of("Message").unwrap_or("");
    let exit = match code {
        "" => api::status_exit(answer.status),
        code => code_exit(code, answer.status),
    };
    Err(api::fail("aliyun", doing, answer, exit, code, message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_signature() {
        // The RPC signature page's DescribeRegions example.
        let params = [
            ("Timestamp", "2016-02-23T12:46:24Z".to_string()),
            ("Format", "XML".to_string()),
            ("AccessKeyId", "testid".to_string()),
            ("Action", "DescribeRegions".to_string()),
            ("SignatureMethod", "HMAC-SHA1".to_string()),
            (
                "SignatureNonce",
                "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf".to_string(),
            ),
            ("Version", "2014-05-26".to_string()),
            ("SignatureVersion", "1.0".to_string()),
        ];
        let (query, signature) = signature(&params, "testsecret");
        assert_eq!(
            query,
            "AccessKeyId=testid&Action=DescribeRegions&Format=XML&SignatureMethod=HMAC-SHA1\
             &SignatureNonce=3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf&SignatureVersion=1.0\
             &Timestamp=2016-02-23T12%3A46%3A24Z&Version=2014-05-26"
        );
        assert_eq!(signature, "OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
        assert_eq!(timestamp(1_456_231_584), "2016-02-23T12:46:24Z");
    }

    #[test]
    fn error_codes_map_to_exits() {
        assert_eq!(code_exit("InvalidAccessKeyId.NotFound", 404), Exit::BadAuth);
        assert_eq!(code_exit("SignatureDoesNotMatch", 400), Exit::BadAuth);
        assert_eq!(code_exit("InvalidDomainName.NoExist", 400), Exit::NoHost);
        assert_eq!(code_exit("Throttling.User", 400), Exit::ServerError);
        assert_eq!(code_exit("InternalError", 500), Exit::ServerError);
        assert_eq!(code_exit("InvalidRR.Format", 400), Exit::Rejected);
    }
}
