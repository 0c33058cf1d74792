//! Linode (Akamai) API v4, from <https://techdocs.akamai.com/linode-api/reference/api>
//! (Domains: list domains, list/update/create domain records):
//! `Authorization: Bearer TOKEN`.
//! - `GET /domains?page_size=500`: the domains and their IDs, once per run;
//! - `GET /domains/{id}/records?page_size=500`: the records (name relative,
//!   empty for the apex), those of the host's name and type picked here;
//! - `PUT /domains/{id}/records/{record}` with `target` alone: the fields not
//!   sent stay (TTL, tag, ...);
//! - `POST /domains/{id}/records` with type, name, target (and `ttl_sec`).
//!
//! Errors are `{"errors":[{"reason":..,"field":..}]}`.

use super::api::{self, Change, Fail, Session, Step, Target, Zone};
use crate::http::{Answer, Method};
use crate::json::{self, Value};
use crate::url::percent_encode;

fn auth(session: &Session) -> Vec<(&'static str, String)> {
    api::token_header(session, "Authorization", "Bearer ")
}

/// The API this module speaks, for its preset row.
pub const API: super::api::Api = super::api::Api {
    name: "linode-v4",
    send,
};

pub fn send(session: &Session, targets: &[Target]) -> Vec<Result<Change, Fail>> {
    // The records need the domain's ID: the list, even with --zone.
    let zones = api::zones(
        session,
        auth(session),
        success,
        (None, "/domains?page_size=500"),
        Some("data"),
        ("domain", Some("id")),
    );
    api::each_target("linode", targets, zones, &|zone, target| {
        set_record(session, zone, target)
    })
}

fn set_record(session: &Session, zone: &Zone, target: &Target) -> Result<Change, Fail> {
    let records_path = format!("/domains/{}/records", percent_encode(&zone.id));
    let value = session.exchange(
        Method::Get,
        &format!("{records_path}?page_size=500"),
        auth(session),
        None,
        success,
        "reading the record",
    )?;
    let name = api::relative(&target.name, &zone.name, "");
    let records: Vec<&Value> = value
        .get("data")
        .map(Value::as_array)
        .unwrap_or(&[])
        .iter()
        .filter(|r| r.str_of("type") == Some(target.kind) && r.str_of("name") == Some(name))
        .collect();
    let address = target.addr_json();
    match api::step("linode", target, &records, |r| r.str_of("target"))? {
        Step::Current => Ok(Change::Current),
        Step::Create => {
            let mut members = vec![
                ("type", json::quote(target.kind)),
                ("name", json::quote(name)),
                ("target", address),
            ];
            if let Some(ttl) = session.job.ttl {
                members.push(("ttl_sec", ttl.to_string()));
            }
            let body = json::object(&members);
            session.exchange(
                Method::Post,
                &records_path,
                auth(session),
                Some(body),
                success,
                "creating the record",
            )?;
            Ok(Change::Created)
        }
        Step::Update(record) => {
            let id = record
                .get("id")
                .and_then(Value::as_text)
                .unwrap_or_default();
            session.exchange(
                Method::Put,
                &format!("{records_path}/{}", percent_encode(id)),
                auth(session),
                Some(json::object(&[("target", address)])),
                success,
                "updating the record",
            )?;
            Ok(Change::Updated)
        }
    }
}

/// The answer's JSON on a 2xx, else the failure its status means.
fn success(answer: &Answer, doing: &str) -> Result<Value, Fail> {
    let value = api::json_of(answer)?;
    if answer.is_success() {
        return Ok(value);
    }
    let first = value
        .get("errors")
        .map(Value::as_array)
        .and_then(|errors| errors.first());
    let field = first.and_then(|e| e.str_of("field")).unwrap_or("");
    let reason = first.and_then(|e| e.str_of("reason")).unwrap_or("");
    let exit = api::status_exit(answer.status);
    Err(api::fail("linode", doing, answer, exit, field, reason))
}
