//! Servercow's DNS API v1, from <https://wiki.servercow.de/en/domains/dns_api/api-syntax/>:
//! `X-Auth-Username` and `X-Auth-Password` headers (a DNS-API user of the
//! customer portal); everything is at `/dns/v1/domains/{zone}`.
//! - `GET`: the zone's active records (each `name` relative, `""` the apex, with
//!   `type`, `content`, `ttl`; the shape of this answer is unconfirmed);
//! - `POST` with `{"type","name","content","ttl"}`: creates the record or
//!   replaces its content, answering `{"message":"ok"}`;
//! - failures answer `{"error":".."}` (`no such domain in user context` for a
//!   zone the user may not touch).
//!
//! The zone is `--zone`, else the host's last two labels.

use super::api::{self, Change, Fail, Session, Step, Target};
use crate::exit::Exit;
use crate::http::{Answer, Method};
use crate::json::{self, Value};
use crate::url::percent_encode;

/// The TTL of a new record (the record's own is kept on an update).
const DEFAULT_TTL: &str = "120";

/// The API this module speaks, for its preset row.
pub const API: super::api::Api = super::api::Api {
    name: "servercow-v1",
    send,
};

pub fn send(session: &Session, targets: &[Target]) -> Vec<Result<Change, Fail>> {
    targets
        .iter()
        .map(|target| set_record(session, target))
        .collect()
}

fn auth(session: &Session) -> Vec<(&'static str, String)> {
    vec![
        ("X-Auth-Username", session.job.user_name().to_string()),
        ("X-Auth-Password", session.token().to_string()),
    ]
}

/// `--zone`, else the host's last two labels.
fn zone<'a>(session: &'a Session, name: &'a str) -> &'a str {
    api::given_or_last_two(session.job.zone.as_deref(), name)
}

/// A record's content: a string, or (TXT and the like) a list of them.
fn contents(record: &Value) -> Vec<&str> {
    match record.get("content") {
        Some(Value::String(one)) => vec![one.as_str()],
        Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

fn set_record(session: &Session, target: &Target) -> Result<Change, Fail> {
    let zone = zone(session, &target.name);
    let name = api::relative(&target.name, zone, "");
    let path = format!("/{}", percent_encode(zone));
    let listed = session.exchange(
        Method::Get,
        &path,
        auth(session),
        None,
        success,
        "reading the records",
    )?;
    let records: Vec<&Value> = listed
        .as_array()
        .iter()
        .filter(|r| {
            r.str_of("type") == Some(target.kind)
                && r.str_of("name").is_some_and(|n| {
                    // Relative as the POST takes it; a full name read as well.
                    let n = n.trim_end_matches('.');
                    n.eq_ignore_ascii_case(name) || n.eq_ignore_ascii_case(&target.name)
                })
        })
        .collect();
    let step = api::step("servercow", target, &records, |r| {
        contents(r).into_iter().find(|c| target.holds(c))
    })?;
    let (ttl, change) = match step {
        Step::Current => return Ok(Change::Current),
        Step::Create => (
            session
                .job
                .ttl
                .map_or(DEFAULT_TTL.to_string(), |t| t.to_string()),
            Change::Created,
        ),
        Step::Update(record) => (
            record
                .get("ttl")
                .and_then(Value::as_text)
                .unwrap_or(DEFAULT_TTL)
                .to_string(),
            Change::Updated,
        ),
    };
    let body = json::object(&[
        ("type", json::quote(target.kind)),
        ("name", json::quote(name)),
        ("content", target.addr_json()),
        ("ttl", ttl),
    ]);
    let doing = match change {
        Change::Created => "creating the record",
        _ => "updating the record",
    };
    let answer = session.exchange(
        Method::Post,
        &path,
        auth(session),
        Some(body),
        success,
        doing,
    )?;
    if answer.str_of("message") != Some("ok") {
        return Err(Fail::new(
            Exit::Unexpected,
            format!("servercow: {doing}: no \"message\":\"ok\" in the answer"),
        ));
    }
    Ok(change)
}

/// The answer's JSON on a 2xx without an `error`, else the failure it means.
fn success(answer: &Answer, doing: &str) -> Result<Value, Fail> {
    let value = api::json_of(answer)?;
    let error = value.str_of("error");
    if answer.is_success() && error.is_none() {
        return Ok(value);
    }
    let message = error.unwrap_or("");
    let exit = if message.contains("no such domain") {
        Exit::NoHost
    } else if answer.is_success() {
        Exit::Rejected
    } else {
        api::status_exit(answer.status)
    };
    Err(api::fail("servercow", doing, answer, exit, "", message))
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
        success(&answer, "x")
            .err()
            .map_or(Exit::Ok, |f| f.failure.exit)
    }

    #[test]
    fn answers_map_to_exits() {
        assert_eq!(exit_of(200, r#"{"message":"ok"}"#), Exit::Ok);
        assert_eq!(exit_of(200, "[]"), Exit::Ok);
        let no_zone = r#"{"error":"no such domain in user context"}"#;
        assert_eq!(exit_of(200, no_zone), Exit::NoHost);
        assert_eq!(exit_of(404, no_zone), Exit::NoHost);
        assert_eq!(exit_of(401, r#"{"error":"bad login"}"#), Exit::BadAuth);
        assert_eq!(exit_of(200, r#"{"error":"bad content"}"#), Exit::Rejected);
        assert_eq!(exit_of(503, "<html>"), Exit::ServerError);
    }

    #[test]
    fn content_comes_as_a_string_or_a_list() {
        let one = json::parse(r#"{"content":"192.0.2.1"}"#).unwrap();
        assert_eq!(contents(&one), ["192.0.2.1"]);
        let many = json::parse(r#"{"content":["a","b"]}"#).unwrap();
        assert_eq!(contents(&many), ["a", "b"]);
        assert!(contents(&json::parse("{}").unwrap()).is_empty());
    }
}
