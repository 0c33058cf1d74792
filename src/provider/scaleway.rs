//! Scaleway Domains and DNS API (v2beta1), from
//! <https://www.scaleway.com/en/developers/api/domains-and-dns/> and
//! <https://www.scaleway.com/en/docs/identity-and-access-management/iam/api-cli/using-api-key-object/>
//! (`X-Auth-Token: SECRET_KEY`):
//! - `GET /dns-zones?page_size=100`: the zones (`subdomain` + `domain`), once per run;
//! - `GET /dns-zones/{zone}/records?name=&type=`: the records of a name (relative,
//!   empty for the apex);
//! - `PATCH /dns-zones/{zone}/records` with `changes`: `set` of the record by its
//!   ID with its own TTL and comment and the new data, or `add` of a new one.
//!
//! Errors are `{"type":"denied_authentication|not_found|..","message":..}`.

use super::api::{self, Change, Fail, Session, Step, Target, Zone};
use crate::http::{Answer, Method};
use crate::json::{self, Value};
use crate::url::{encode_query_value, percent_encode};

/// Scaleway's default TTL, for created records without `--ttl`.
const DEFAULT_TTL: u64 = 3600;

fn auth(session: &Session) -> Vec<(&'static str, String)> {
    api::token_header(session, "X-Auth-Token", "")
}

/// The API this module speaks, for its preset row.
pub const API: super::api::Api = super::api::Api {
    name: "scaleway-v2beta1",
    send,
};

pub fn send(session: &Session, targets: &[Target]) -> Vec<Result<Change, Fail>> {
    api::each_target("scaleway", targets, zones(session), &|zone, target| {
        set_record(session, &zone.name, target)
    })
}

/// The zones: a zone is `subdomain.domain`, or the domain when `subdomain` is
/// empty; `--zone` keeps its own.
fn zones(session: &Session) -> Result<Vec<Zone>, Fail> {
    let value = session.exchange(
        Method::Get,
        "/dns-zones?page_size=100",
        auth(session),
        None,
        success,
        "looking up the zone",
    )?;
    let given = session.job.zone.as_deref();
    let zones: Vec<Zone> = value
        .get("dns_zones")
        .map(Value::as_array)
        .unwrap_or(&[])
        .iter()
        .filter_map(|z| {
            let domain = z.str_of("domain")?;
            let name = match z.str_of("subdomain").unwrap_or("") {
                "" => domain.to_ascii_lowercase(),
                sub => format!("{sub}.{domain}").to_ascii_lowercase(),
            };
            Some(Zone {
                id: name.clone(),
                name,
            })
        })
        .filter(|z| given.is_none_or(|g| g == z.name))
        .collect();
    match given {
        Some(zone) if zones.is_empty() => Err(Fail::new(
            crate::exit::Exit::NoHost,
            format!("scaleway: zone {zone} not found (or these credentials cannot see it)"),
        )),
        _ => Ok(zones),
    }
}

fn set_record(session: &Session, zone: &str, target: &Target) -> Result<Change, Fail> {
    let name = api::relative(&target.name, zone, "");
    let records_path = format!("/dns-zones/{}/records", percent_encode(zone));
    let value = session.exchange(
        Method::Get,
        &format!(
            "{records_path}?name={}&type={}",
            encode_query_value(name),
            target.kind
        ),
        auth(session),
        None,
        success,
        "reading the record",
    )?;
    let records: Vec<&Value> = value
        .get("records")
        .map(Value::as_array)
        .unwrap_or(&[])
        .iter()
        .filter(|r| r.str_of("type") == Some(target.kind) && r.str_of("name") == Some(name))
        .collect();
    let record = |ttl: u64, comment: Option<&str>| {
        let mut members = vec![
            ("name", json::quote(name)),
            ("type", json::quote(target.kind)),
            ("data", target.addr_json()),
            ("ttl", ttl.to_string()),
        ];
        if let Some(comment) = comment {
            members.push(("comment", json::quote(comment)));
        }
        format!("[{}]", json::object(&members))
    };
    let (change_json, change) = match api::step("scaleway", target, &records, |r| r.str_of("data"))?
    {
        Step::Current => return Ok(Change::Current),
        Step::Create => {
            let ttl = session.job.ttl.map_or(DEFAULT_TTL, u64::from);
            let add = json::object(&[("records", record(ttl, None))]);
            (json::object(&[("add", add)]), Change::Created)
        }
        Step::Update(old) => {
            let ttl = old
                .get("ttl")
                .and_then(Value::as_u64)
                .unwrap_or(DEFAULT_TTL);
            let id = old.str_of("id").unwrap_or_default();
            let set = json::object(&[
                ("id", json::quote(id)),
                ("records", record(ttl, old.str_of("comment"))),
            ]);
            (json::object(&[("set", set)]), Change::Updated)
        }
    };
    let body = json::object(&[
        ("changes", format!("[{change_json}]")),
        ("return_all_records", "false".to_string()),
    ]);
    session.exchange(
        Method::Patch,
        &records_path,
        auth(session),
        Some(body),
        success,
        "setting the record",
    )?;
    Ok(change)
}

/// The answer's JSON on a 2xx, else the failure its status means, with
/// Scaleway's error type and message.
fn success(answer: &Answer, doing: &str) -> Result<Value, Fail> {
    api::keyed_success("scaleway", doing, answer, "type", "message")
}
