//! PowerDNS Authoritative's HTTP API, from
//! <https://doc.powerdns.com/authoritative/http-api/zone.html> and
//! <https://doc.powerdns.com/authoritative/http-api/index.html> (`X-API-Key`):
//! the user's own server (`--server`), path `/api/v1/servers/localhost`.
//! - `GET /zones`: the zones and their IDs, once per run (`--zone` picks one);
//! - `GET /zones/{id}?rrsets=true&rrset_name=NAME.&rrset_type=TYPE`: the RRset
//!   (older servers send every RRset; the one wanted is picked here);
//! - `PATCH /zones/{id}` with one RRset, `changetype` REPLACE, its own TTL and
//!   the new record (comments, absent, stay): update and create alike.
//!
//! Errors are `{"error":".."}`; 422 is a refused change.

use super::api::{self, Change, Fail, Session, Step, Target, Zone};
use crate::http::{Answer, Method};
use crate::json::{self, Value};
use crate::url::percent_encode;

/// The TTL of a created RRset without `--ttl`.
const DEFAULT_TTL: u64 = 3600;

fn auth(session: &Session) -> Vec<(&'static str, String)> {
    api::token_header(session, "X-API-Key", "")
}

/// The API this module speaks, for its preset row.
pub const API: super::api::Api = super::api::Api {
    name: "powerdns-http",
    send,
};

pub fn send(session: &Session, targets: &[Target]) -> Vec<Result<Change, Fail>> {
    let zones = api::zones(
        session,
        auth(session),
        success,
        (None, "/zones"),
        None,
        ("name", Some("id")),
    );
    api::each_target("powerdns", targets, zones, &|zone, target| {
        set_record(session, zone, target)
    })
}

fn set_record(session: &Session, zone: &Zone, target: &Target) -> Result<Change, Fail> {
    let zone_path = format!("/zones/{}", percent_encode(&zone.id));
    let absolute = format!("{}.", target.name);
    let value = session.exchange(
        Method::Get,
        &format!(
            "{zone_path}?rrsets=true&rrset_name={}&rrset_type={}",
            percent_encode(&absolute),
            target.kind
        ),
        auth(session),
        None,
        success,
        "reading the record",
    )?;
    let rrset = value
        .get("rrsets")
        .map(Value::as_array)
        .unwrap_or(&[])
        .iter()
        .find(|r| {
            r.str_of("type") == Some(target.kind)
                && r.str_of("name")
                    .is_some_and(|n| n.eq_ignore_ascii_case(&absolute))
        });
    let records = rrset
        .and_then(|r| r.get("records"))
        .map(Value::as_array)
        .unwrap_or(&[]);
    let change = match api::step("powerdns", target, records, |r| r.str_of("content"))? {
        Step::Current => return Ok(Change::Current),
        Step::Create => Change::Created,
        Step::Update(_) => Change::Updated,
    };
    let ttl = rrset
        .and_then(|r| r.get("ttl"))
        .and_then(Value::as_u64)
        .or(session.job.ttl.map(u64::from))
        .unwrap_or(DEFAULT_TTL);
    let record = json::object(&[
        ("content", target.addr_json()),
        ("disabled", "false".to_string()),
    ]);
    let rrset = json::object(&[
        ("name", json::quote(&absolute)),
        ("type", json::quote(target.kind)),
        ("ttl", ttl.to_string()),
        ("changetype", json::quote("REPLACE")),
        ("records", format!("[{record}]")),
    ]);
    let body = json::object(&[("rrsets", format!("[{rrset}]"))]);
    session.exchange(
        Method::Patch,
        &zone_path,
        auth(session),
        Some(body),
        success,
        "setting the record",
    )?;
    Ok(change)
}

/// The answer's JSON on a 2xx (204 has no body), else the failure its status
/// means, with PowerDNS's `error`.
fn success(answer: &Answer, doing: &str) -> Result<Value, Fail> {
    if answer.is_success() && answer.body.trim().is_empty() {
        return Ok(Value::Null);
    }
    api::keyed_success("powerdns", doing, answer, "", "error")
}
