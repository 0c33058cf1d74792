//! Hetzner's DNS in the Cloud API (which replaced dns.hetzner.com), from
//! <https://docs.hetzner.cloud/reference/cloud>, sections Zones, Zone RRSets,
//! Errors and Rate Limiting: `Authorization: Bearer TOKEN`; a zone is named by
//! its ID or its name; one RRSet per name (relative, `@` for the apex) and type
//! holds the records.
//! - `GET /zones/{zone}` (with `--zone`) or `GET /zones?per_page=100`: the zone,
//!   once per run;
//! - `GET /zones/{zone}/rrsets/{name}/{type}`: the RRSet, 404 when it is missing;
//! - `POST .../rrsets/{name}/{type}/actions/set_records` with the records: only
//!   the records change (the value, each record's comment kept; TTL and labels stay);
//! - `POST /zones/{zone}/rrsets` with name, type, records (and `ttl`): create.
//!
//! Errors are `{"error":{"code":"..","message":".."}}`.

use super::api::{self, Change, Fail, Session, Step, Target};
use crate::exit::Exit;
use crate::http::{Answer, Method};
use crate::json::{self, Value};
use crate::url::{encode_keeping, percent_encode};

fn auth(session: &Session) -> Vec<(&'static str, String)> {
    api::token_header(session, "Authorization", "Bearer ")
}

/// The API this module speaks, for its preset row.
pub const API: super::api::Api = super::api::Api {
    name: "hetzner-cloud",
    send,
};

pub fn send(session: &Session, targets: &[Target]) -> Vec<Result<Change, Fail>> {
    // Up to 100 zones (the page maximum) in one request; beyond, --zone names the one.
    let zones = api::zones(
        session,
        auth(session),
        success,
        (Some(("/zones/", "")), "/zones?per_page=100"),
        Some("zones"),
        ("name", None),
    );
    api::each_target("hetzner", targets, zones, &|zone, target| {
        set_record(session, &zone.name, target)
    })
}

fn set_record(session: &Session, zone: &str, target: &Target) -> Result<Change, Fail> {
    let name = api::relative(&target.name, zone, "@");
    let zone_path = format!("/zones/{}/rrsets", percent_encode(zone));
    // `@` is a plain path character (RFC 3986 pchar): sent as it is documented.
    let rrset_path = format!("{zone_path}/{}/{}", encode_keeping(name, b"@"), target.kind);
    // A missing RRSet is a 404 (the zone was found above).
    let found = session.read_or_null(&rrset_path, auth(session), success, "reading the record")?;
    let records = found
        .at(&["rrset", "records"])
        .map(Value::as_array)
        .unwrap_or(&[]);
    let value = |comment: Option<&str>| {
        let mut members = vec![("value", target.addr_json())];
        if let Some(comment) = comment {
            members.push(("comment", json::quote(comment)));
        }
        format!("[{}]", json::object(&members))
    };
    match api::step("hetzner", target, records, |r| r.str_of("value"))? {
        Step::Current => Ok(Change::Current),
        Step::Create => {
            let mut members = vec![
                ("name", json::quote(name)),
                ("type", json::quote(target.kind)),
            ];
            if let Some(ttl) = session.job.ttl {
                members.push(("ttl", ttl.to_string()));
            }
            members.push(("records", value(None)));
            session.exchange(
                Method::Post,
                &zone_path,
                auth(session),
                Some(json::object(&members)),
                success,
                "creating the record",
            )?;
            Ok(Change::Created)
        }
        Step::Update(record) => {
            let body = json::object(&[("records", value(record.str_of("comment")))]);
            session.exchange(
                Method::Post,
                &format!("{rrset_path}/actions/set_records"),
                auth(session),
                Some(body),
                success,
                "updating the record",
            )?;
            Ok(Change::Updated)
        }
    }
}

/// The answer's JSON on a 2xx, else the failure its error code (first) or its
/// status mean.
fn success(answer: &Answer, doing: &str) -> Result<Value, Fail> {
    let value = api::json_of(answer)?;
    let error = value.get("error");
    if answer.is_success() && error.is_none() {
        return Ok(value);
    }
    let code = error.and_then(|e| e.str_of("code")).unwrap_or("");
    let exit = match code {
        "unauthorized" | "forbidden" | "token_readonly" => Exit::BadAuth,
        "not_found" => Exit::NoHost,
        "rate_limit_exceeded"
        | "locked"
        | "maintenance"
        | "service_error"
        | "resource_unavailable"
        | "timeout" => Exit::ServerError,
        "invalid_input"
        | "json_error"
        | "uniqueness_error"
        | "protected"
        | "incorrect_zone_mode" => Exit::Rejected,
        _ if answer.is_success() => Exit::Unexpected,
        _ => api::status_exit(answer.status),
    };
    let message = error.and_then(|e| e.str_of("message")).unwrap_or("");
    Err(api::fail("hetzner", doing, answer, exit, code, message))
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
        let error =
            |c: &str| format!(r#"{{"error":{{"code":"{c}","message":"m","details":{{}}}}}}"#);
        assert_eq!(exit_of(200, r#"{"zones":[]}"#), Exit::Ok);
        assert_eq!(exit_of(401, &error("unauthorized")), Exit::BadAuth);
        assert_eq!(exit_of(403, &error("forbidden")), Exit::BadAuth);
        assert_eq!(exit_of(404, &error("not_found")), Exit::NoHost);
        assert_eq!(
            exit_of(429, &error("rate_limit_exceeded")),
            Exit::ServerError
        );
        assert_eq!(exit_of(423, &error("locked")), Exit::ServerError);
        assert_eq!(exit_of(400, &error("invalid_input")), Exit::Rejected);
        assert_eq!(exit_of(409, &error("something_new")), Exit::Rejected);
        assert_eq!(exit_of(503, "<html>"), Exit::ServerError);
    }
}
