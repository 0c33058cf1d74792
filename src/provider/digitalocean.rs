//! DigitalOcean API v2, from
//! <https://docs.digitalocean.com/reference/api/digitalocean/> (Domains, Domain
//! Records): `Authorization: Bearer TOKEN`.
//! - `GET /domains/{name}` (with `--zone`) or `GET /domains?per_page=200`: the
//!   domain, once per run;
//! - `GET /domains/{name}/records?type=A&name=FQDN`: the records of a name;
//! - `PATCH /domains/{name}/records/{id}` with `data` alone (TTL and the rest stay);
//! - `POST /domains/{name}/records` with type, name (relative, `@` for the apex),
//!   data (and `ttl`).
//!
//! Errors are `{"id":"unauthorized|not_found|too_many_requests|..","message":..}`.

use super::api::{self, Change, Fail, Session, Step, Target};
use crate::http::{Answer, Method};
use crate::json::{self, Value};
use crate::url::percent_encode;

fn auth(session: &Session) -> Vec<(&'static str, String)> {
    api::token_header(session, "Authorization", "Bearer ")
}

/// The API this module speaks, for its preset row.
pub const API: super::api::Api = super::api::Api {
    name: "digitalocean-v2",
    send,
};

pub fn send(session: &Session, targets: &[Target]) -> Vec<Result<Change, Fail>> {
    // Up to 200 domains in one request; beyond, --zone names the one.
    let zones = api::zones(
        session,
        auth(session),
        success,
        (Some(("/domains/", "")), "/domains?per_page=200"),
        Some("domains"),
        ("name", None),
    );
    api::each_target("digitalocean", targets, zones, &|zone, target| {
        set_record(session, &zone.name, target)
    })
}

fn set_record(session: &Session, zone: &str, target: &Target) -> Result<Change, Fail> {
    let records_path = format!("/domains/{}/records", percent_encode(zone));
    let value = session.exchange(
        Method::Get,
        &format!(
            "{records_path}?type={}&name={}",
            target.kind,
            percent_encode(&target.name)
        ),
        auth(session),
        None,
        success,
        "reading the record",
    )?;
    let records = value
        .get("domain_records")
        .map(Value::as_array)
        .unwrap_or(&[]);
    let data = target.addr_json();
    match api::step("digitalocean", target, records, |r| r.str_of("data"))? {
        Step::Current => Ok(Change::Current),
        Step::Create => {
            let name = api::relative(&target.name, zone, "@");
            let mut members = vec![
                ("type", json::quote(target.kind)),
                ("name", json::quote(name)),
                ("data", data),
            ];
            if let Some(ttl) = session.job.ttl {
                members.push(("ttl", ttl.to_string()));
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
                Method::Patch,
                &format!("{records_path}/{}", percent_encode(id)),
                auth(session),
                Some(json::object(&[("data", data)])),
                success,
                "updating the record",
            )?;
            Ok(Change::Updated)
        }
    }
}

/// The answer's JSON on a 2xx, else the failure its status means.
fn success(answer: &Answer, doing: &str) -> Result<Value, Fail> {
    api::keyed_success("digitalocean", doing, answer, "id", "message")
}
