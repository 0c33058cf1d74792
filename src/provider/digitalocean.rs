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
use crate::exit::{Exit, Failure};
use crate::http::{Answer, Method};
use crate::json::{self, Value};
use crate::url::percent_encode;

fn auth(session: &Session) -> Vec<(&'static str, String)> {
    vec![("Authorization", format!("Bearer {}", session.token()))]
}

pub fn send(session: &Session, targets: &[Target]) -> Vec<Result<Change, Fail>> {
    let zones = match zones(session) {
        Ok(zones) => zones,
        Err(fail) => return targets.iter().map(|_| Err(fail.clone())).collect(),
    };
    targets
        .iter()
        .map(|target| {
            let zone = api::zone_of(&target.name, &zones, |z| z).ok_or_else(|| {
                Fail::new(
                    Exit::NoHost,
                    format!(
                        "digitalocean: no domain of this account holds {}",
                        target.name
                    ),
                )
            })?;
            set_record(session, zone, target)
        })
        .collect()
}

/// `--zone` checked to exist, else the account's domains (200 a page, the
/// most one request lists).
fn zones(session: &Session) -> Result<Vec<String>, Fail> {
    let path = match &session.job.zone {
        Some(zone) => format!("/domains/{}", percent_encode(zone)),
        None => "/domains?per_page=200".to_string(),
    };
    let answer = session.send(&session.call(Method::Get, &path, auth(session), None))?;
    let value = success(&answer, "looking up the domain")?;
    Ok(match &session.job.zone {
        Some(zone) => vec![zone.clone()],
        None => value
            .get("domains")
            .map(Value::as_array)
            .unwrap_or(&[])
            .iter()
            .filter_map(|d| d.str_of("name"))
            .map(str::to_ascii_lowercase)
            .collect(),
    })
}

fn set_record(session: &Session, zone: &str, target: &Target) -> Result<Change, Fail> {
    let records_path = format!("/domains/{}/records", percent_encode(zone));
    let answer = session.send(&session.call(
        Method::Get,
        &format!(
            "{records_path}?type={}&name={}",
            target.kind,
            percent_encode(&target.name)
        ),
        auth(session),
        None,
    ))?;
    let value = success(&answer, "reading the record")?;
    let records = value
        .get("domain_records")
        .map(Value::as_array)
        .unwrap_or(&[]);
    let data = json::quote(&target.addr_text());
    match api::step("digitalocean", target, records, |r| r.str_of("data"))? {
        Step::Current => Ok(Change::Current),
        Step::Create => {
            let relative = target.name[..target.name.len() - zone.len()].trim_end_matches('.');
            let name = if relative.is_empty() { "@" } else { relative };
            let mut members = vec![
                ("type", json::quote(target.kind)),
                ("name", json::quote(name)),
                ("data", data),
            ];
            if let Some(ttl) = session.job.ttl {
                members.push(("ttl", ttl.to_string()));
            }
            let body = json::object(&members);
            let answer = session.send(&session.call(
                Method::Post,
                &records_path,
                auth(session),
                Some(body),
            ))?;
            success(&answer, "creating the record")?;
            Ok(Change::Created)
        }
        Step::Update(record) => {
            let id = record
                .get("id")
                .and_then(Value::as_text)
                .unwrap_or_default();
            let answer = session.send(&session.call(
                Method::Patch,
                &format!("{records_path}/{}", percent_encode(id)),
                auth(session),
                Some(json::object(&[("data", data)])),
            ))?;
            success(&answer, "updating the record")?;
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
    let id = value.str_of("id").unwrap_or("");
    let message = value.str_of("message").unwrap_or("");
    Err(Fail {
        failure: Failure::new(
            api::status_exit(answer.status),
            format!(
                "digitalocean: {doing}: HTTP {} {id} \"{}\"",
                answer.status,
                super::excerpt(message)
            ),
        ),
        retry_after: answer.retry_after,
    })
}
