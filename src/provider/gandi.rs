//! Gandi LiveDNS (API v5), from <https://api.gandi.net/docs/livedns/> and
//! <https://api.gandi.net/docs/authentication/> (a personal access token as
//! `Authorization: Bearer`):
//! - `GET /livedns/domains/{fqdn}` (with `--zone`) or `GET /livedns/domains`: the
//!   zone, once per run;
//! - `GET /livedns/domains/{fqdn}/records/{name}/{type}`: the record set
//!   (`rrset_values`, `rrset_ttl`), 404 when missing; `@` is the apex;
//! - `PUT` there with `rrset_values` and the set's own `rrset_ttl` (so the TTL
//!   stays) to update, `POST` there to create.
//!
//! Errors are `{"code":..,"message":..,"object":..,"cause":..}`.

use super::api::{self, Change, Fail, Session, Step, Target};
use crate::http::{Answer, Method};
use crate::json::{self, Value};
use crate::url::{encode_keeping, percent_encode};

fn auth(session: &Session) -> Vec<(&'static str, String)> {
    api::token_header(session, "Authorization", "Bearer ")
}

/// The API this module speaks, for its preset row.
pub const API: super::api::Api = super::api::Api {
    name: "gandi-livedns",
    send,
};

pub fn send(session: &Session, targets: &[Target]) -> Vec<Result<Change, Fail>> {
    let zones = api::zones(
        session,
        auth(session),
        success,
        (Some(("/livedns/domains/", "")), "/livedns/domains"),
        None,
        ("fqdn", None),
    );
    api::each_target("gandi", targets, zones, &|zone, target| {
        set_record(session, &zone.name, target)
    })
}

fn set_record(session: &Session, zone: &str, target: &Target) -> Result<Change, Fail> {
    let name = api::relative(&target.name, zone, "@");
    let path = format!(
        "/livedns/domains/{}/records/{}/{}",
        percent_encode(zone),
        encode_keeping(name, b"@"),
        target.kind
    );
    // A missing record set is a 404 (the domain was found above).
    let found = session.read_or_null(&path, auth(session), success, "reading the record")?;
    let values = found
        .get("rrset_values")
        .map(Value::as_array)
        .unwrap_or(&[]);
    let ttl = found.get("rrset_ttl").and_then(Value::as_u64);
    let body = |ttl: Option<u64>| {
        let mut members = vec![("rrset_values", format!("[{}]", target.addr_json()))];
        if let Some(ttl) = ttl {
            members.push(("rrset_ttl", ttl.to_string()));
        }
        json::object(&members)
    };
    let (method, body, doing, change) = match api::step("gandi", target, values, Value::as_str)? {
        Step::Current => return Ok(Change::Current),
        Step::Create => (
            Method::Post,
            body(session.job.ttl.map(u64::from)),
            "creating the record",
            Change::Created,
        ),
        Step::Update(_) => (
            Method::Put,
            body(ttl),
            "updating the record",
            Change::Updated,
        ),
    };
    session.exchange(method, &path, auth(session), Some(body), success, doing)?;
    Ok(change)
}

/// The answer's JSON on a 2xx, else the failure its status means.
fn success(answer: &Answer, doing: &str) -> Result<Value, Fail> {
    api::keyed_success("gandi", doing, answer, "", "message")
}
