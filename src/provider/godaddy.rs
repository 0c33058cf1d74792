//! GoDaddy Domains API v1, from <https://developer.godaddy.com/doc/endpoint/domains>
//! and <https://developer.godaddy.com/getstarted> (`Authorization: sso-key KEY:SECRET`):
//! - `GET /domains/{domain}` (with `--zone`) or `GET /domains?statuses=ACTIVE`:
//!   the domain, once per run;
//! - `GET /domains/{domain}/records/{type}/{name}`: the records of a name (a JSON
//!   array, empty when none), `@` for the apex;
//! - `PUT` there with `[{"data":..,"ttl":..}]` replaces them (and creates them);
//!   the record's own TTL is sent back, GoDaddy's minimum 600 for a new one.
//!
//! Errors are `{"code":..,"message":..}`; a 429 carries `retryAfterSec`. Since
//! 2024 GoDaddy answers 403 ACCESS_DENIED to accounts without API access (under
//! 10 domains and no Discount Domain Club): "needs a paid plan", exit 14.

use super::api::{self, Change, Fail, Session, Step, Target};
use crate::exit::Exit;
use crate::http::{Answer, Method};
use crate::json::{self, Value};
use crate::url::{encode_keeping, percent_encode};

/// GoDaddy's minimum TTL, for created records without `--ttl`.
const MIN_TTL: u64 = 600;

fn auth(session: &Session) -> Vec<(&'static str, String)> {
    let secret = session.job.key_secret.as_ref().map_or("", |s| s.expose());
    vec![(
        "Authorization",
        format!("sso-key {}:{secret}", session.token()),
    )]
}

/// The API this module speaks, for its preset row.
pub const API: super::api::Api = super::api::Api {
    name: "godaddy-v1",
    send,
};

pub fn send(session: &Session, targets: &[Target]) -> Vec<Result<Change, Fail>> {
    let zones = api::zones(
        session,
        auth(session),
        success,
        (
            Some(("/domains/", "")),
            "/domains?statuses=ACTIVE&limit=1000",
        ),
        None,
        ("domain", None),
    );
    api::each_target("godaddy", targets, zones, &|zone, target| {
        set_record(session, &zone.name, target)
    })
}

fn set_record(session: &Session, zone: &str, target: &Target) -> Result<Change, Fail> {
    let name = api::relative(&target.name, zone, "@");
    let path = format!(
        "/domains/{}/records/{}/{}",
        percent_encode(zone),
        target.kind,
        encode_keeping(name, b"@")
    );
    let value = session.exchange(
        Method::Get,
        &path,
        auth(session),
        None,
        success,
        "reading the record",
    )?;
    let records = value.as_array();
    let (ttl, change) = match api::step("godaddy", target, records, |r| r.str_of("data"))? {
        Step::Current => return Ok(Change::Current),
        Step::Create => (session.job.ttl.map_or(MIN_TTL, u64::from), Change::Created),
        Step::Update(record) => (
            record.get("ttl").and_then(Value::as_u64).unwrap_or(MIN_TTL),
            Change::Updated,
        ),
    };
    let body = format!(
        "[{}]",
        json::object(&[("data", target.addr_json()), ("ttl", ttl.to_string()),])
    );
    session.exchange(
        Method::Put,
        &path,
        auth(session),
        Some(body),
        success,
        "setting the record",
    )?;
    Ok(change)
}

/// The answer's JSON on a 2xx (an empty body counts as `null`), else the
/// failure its code (first) or its status mean.
fn success(answer: &Answer, doing: &str) -> Result<Value, Fail> {
    if answer.is_success() && answer.body.trim().is_empty() {
        return Ok(Value::Null);
    }
    let value = api::json_of(answer)?;
    if answer.is_success() {
        return Ok(value);
    }
    let code = value.str_of("code").unwrap_or("");
    let exit = match (answer.status, code) {
        (403, "ACCESS_DENIED") => Exit::NotDonator,
        (_, "UNABLE_TO_AUTHENTICATE") => Exit::BadAuth,
        (_, "UNKNOWN_DOMAIN" | "NOT_FOUND") => Exit::NoHost,
        (_, "TOO_MANY_REQUESTS") => Exit::ServerError,
        (status, _) => api::status_exit(status),
    };
    let message = value.str_of("message").unwrap_or("");
    let mut fail = api::fail("godaddy", doing, answer, exit, code, message);
    fail.retry_after = fail
        .retry_after
        .or_else(|| value.get("retryAfterSec").and_then(Value::as_u64));
    Err(fail)
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
    fn codes_and_statuses_map_to_exits() {
        let error = |c: &str| format!(r#"{{"code":"{c}","message":"m"}}"#);
        assert_eq!(exit_of(200, "[]"), Exit::Ok);
        assert_eq!(exit_of(200, ""), Exit::Ok);
        assert_eq!(
            exit_of(401, &error("UNABLE_TO_AUTHENTICATE")),
            Exit::BadAuth
        );
        assert_eq!(exit_of(403, &error("ACCESS_DENIED")), Exit::NotDonator);
        assert_eq!(exit_of(403, &error("FORBIDDEN")), Exit::BadAuth);
        assert_eq!(exit_of(404, &error("UNKNOWN_DOMAIN")), Exit::NoHost);
        assert_eq!(exit_of(422, &error("INVALID_BODY")), Exit::Rejected);
        assert_eq!(exit_of(429, &error("TOO_MANY_REQUESTS")), Exit::ServerError);
        assert_eq!(exit_of(504, "<html>"), Exit::ServerError);
    }
}
