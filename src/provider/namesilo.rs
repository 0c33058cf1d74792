//! NameSilo's API, from <https://www.namesilo.com/api-reference>: every operation
//! is a GET of `/api/OPERATION?version=1&type=json&key=KEY&...`. The key must
//! travel in the query (the API takes no header); it is masked wherever dynup
//! prints the URL. Answers are `{"request":{..},"reply":{"code":..,"detail":..}}`,
//! code 300 being success.
//! - `dnsListRecords` (`domain`): the domain's records, `reply.resource_record`
//!   with `record_id`, `type`, `host` (the full name), `value`, `ttl`;
//! - `dnsUpdateRecord` (`domain`, `rrid`, `rrhost`, `rrvalue`, `rrttl`): the
//!   host relative to the domain, empty for the domain itself;
//! - `dnsAddRecord` (`domain`, `rrtype`, `rrhost`, `rrvalue`, `rrttl`).

use super::api::{self, Change, Fail, Session, Step, Target};
use crate::exit::Exit;
use crate::http::{Answer, Method};
use crate::json::Value;
use crate::url::encode_query_value;

/// NameSilo's minimum TTL (and the one its dashboard suggests is 7207).
const DEFAULT_TTL: &str = "3600";

/// The API this module speaks, for its preset row.
pub const API: super::api::Api = super::api::Api {
    name: "namesilo-v1",
    send,
};

pub fn send(session: &Session, targets: &[Target]) -> Vec<Result<Change, Fail>> {
    targets
        .iter()
        .map(|target| set_record(session, target))
        .collect()
}

/// The domain: `--zone`, else the host's last two labels.
fn domain<'a>(session: &'a Session, name: &'a str) -> &'a str {
    api::given_or_last_two(session.job.zone.as_deref(), name)
}

/// A GET of `operation` with the key, the domain and `params`.
fn call(
    session: &Session,
    operation: &str,
    domain: &str,
    params: &[(&str, &str)],
    doing: &str,
) -> Result<Value, Fail> {
    let mut path = format!(
        "/{operation}?version=1&type=json&key={}&domain={}",
        encode_query_value(session.token()),
        encode_query_value(domain)
    );
    for (name, value) in params {
        path.push_str(&format!("&{name}={}", encode_query_value(value)));
    }
    let answer = session.send(&session.call(Method::Get, &path, Vec::new(), None))?;
    check(&answer, doing)
}

fn set_record(session: &Session, target: &Target) -> Result<Change, Fail> {
    let domain = domain(session, &target.name);
    let value = call(
        session,
        "dnsListRecords",
        domain,
        &[],
        "listing the records",
    )?;
    // One record comes as an object rather than a list of one.
    let listed = value.at(&["reply", "resource_record"]);
    let all = match listed {
        Some(Value::Array(items)) => items.as_slice(),
        Some(one @ Value::Object(_)) => std::slice::from_ref(one),
        _ => &[],
    };
    let records: Vec<&Value> = all
        .iter()
        .filter(|r| {
            r.str_of("type") == Some(target.kind)
                && r.str_of("host")
                    .is_some_and(|h| h.trim_end_matches('.').eq_ignore_ascii_case(&target.name))
        })
        .collect();
    let host = api::relative(&target.name, domain, "");
    let addr = target.addr_text();
    match api::step("namesilo", target, &records, |r| r.str_of("value"))? {
        Step::Current => Ok(Change::Current),
        Step::Create => {
            let ttl = session
                .job
                .ttl
                .map_or(DEFAULT_TTL.to_string(), |t| t.to_string());
            let params = [
                ("rrtype", target.kind),
                ("rrhost", host),
                ("rrvalue", addr.as_str()),
                ("rrttl", ttl.as_str()),
            ];
            call(
                session,
                "dnsAddRecord",
                domain,
                &params,
                "creating the record",
            )?;
            Ok(Change::Created)
        }
        Step::Update(record) => {
            let id = record.get("record_id").and_then(Value::as_text);
            let Some(id) = id else {
                return Err(Fail::new(
                    Exit::Unexpected,
                    "namesilo: a record without record_id",
                ));
            };
            // Sent as the record had it: the API wants a TTL with every update.
            let ttl = record
                .get("ttl")
                .and_then(Value::as_text)
                .unwrap_or(DEFAULT_TTL);
            let params = [
                ("rrid", id),
                ("rrhost", host),
                ("rrvalue", addr.as_str()),
                ("rrttl", ttl),
            ];
            call(
                session,
                "dnsUpdateRecord",
                domain,
                &params,
                "updating the record",
            )?;
            Ok(Change::Updated)
        }
    }
}

/// The exit a reply code means (the API reference's "Response Codes").
fn code_exit(code: &str) -> Exit {
    match code {
        // No key, invalid key, invalid user, sub-account, key not for this IP.
        "109" | "110" | "111" | "112" | "113" => Exit::BadAuth,
        // Domain not active or not this account's; invalid domain syntax.
        "200" | "114" => Exit::NoHost,
        // Registry not responding, internal system error.
        "115" | "201" => Exit::ServerError,
        _ => Exit::Rejected,
    }
}

/// The answer's JSON when the reply code is 300, else the failure it means.
fn check(answer: &Answer, doing: &str) -> Result<Value, Fail> {
    let value = api::json_of(answer)?;
    let code = value.at(&["reply", "code"]).and_then(Value::as_text);
    if answer.is_success() && code == Some("300") {
        return Ok(value);
    }
    let detail = value.at(&["reply", "detail"]).and_then(Value::as_str);
    let exit = match code {
        Some(code) if answer.is_success() => code_exit(code),
        None if answer.is_success() => Exit::Unexpected,
        _ => api::status_exit(answer.status),
    };
    Err(api::fail(
        "namesilo",
        doing,
        answer,
        exit,
        code.unwrap_or(""),
        detail.unwrap_or(""),
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
    fn reply_codes_map_to_exits() {
        let reply = |code: &str| format!(r#"{{"reply":{{"code":{code},"detail":"d"}}}}"#);
        assert_eq!(exit_of(200, &reply("300")), Exit::Ok);
        assert_eq!(exit_of(200, &reply("\"300\"")), Exit::Ok);
        assert_eq!(exit_of(200, &reply("110")), Exit::BadAuth);
        assert_eq!(exit_of(200, &reply("200")), Exit::NoHost);
        assert_eq!(exit_of(200, &reply("280")), Exit::Rejected);
        assert_eq!(exit_of(200, &reply("201")), Exit::ServerError);
        assert_eq!(exit_of(503, "busy"), Exit::ServerError);
        assert_eq!(exit_of(429, "slow down"), Exit::ServerError);
        assert_eq!(exit_of(200, "{}"), Exit::Unexpected);
    }
}
