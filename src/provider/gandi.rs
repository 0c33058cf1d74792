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
use crate::exit::{Exit, Failure};
use crate::http::{Answer, Method};
use crate::json::{self, Value};
use crate::url::{encode_keeping, percent_encode};

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
                        "gandi: no LiveDNS domain of this token holds {}",
                        target.name
                    ),
                )
            })?;
            set_record(session, zone, target)
        })
        .collect()
}

/// `--zone` checked to exist, else the LiveDNS domains the token can see.
fn zones(session: &Session) -> Result<Vec<String>, Fail> {
    let path = match &session.job.zone {
        Some(zone) => format!("/livedns/domains/{}", percent_encode(zone)),
        None => "/livedns/domains".to_string(),
    };
    let answer = session.send(&session.call(Method::Get, &path, auth(session), None))?;
    let value = success(&answer, "looking up the domain")?;
    Ok(match &session.job.zone {
        Some(zone) => vec![zone.clone()],
        None => value
            .as_array()
            .iter()
            .filter_map(|d| d.str_of("fqdn"))
            .map(str::to_ascii_lowercase)
            .collect(),
    })
}

fn set_record(session: &Session, zone: &str, target: &Target) -> Result<Change, Fail> {
    let relative = target.name[..target.name.len() - zone.len()].trim_end_matches('.');
    let name = if relative.is_empty() { "@" } else { relative };
    let path = format!(
        "/livedns/domains/{}/records/{}/{}",
        percent_encode(zone),
        encode_keeping(name, b"@"),
        target.kind
    );
    let answer = session.send(&session.call(Method::Get, &path, auth(session), None))?;
    // A missing record set is a 404 (the domain was found above).
    let (values, ttl) = if answer.status == 404 {
        (Vec::new(), None)
    } else {
        let value = success(&answer, "reading the record")?;
        let values = value
            .get("rrset_values")
            .map(Value::as_array)
            .unwrap_or(&[])
            .to_vec();
        let ttl = value.get("rrset_ttl").and_then(Value::as_u64);
        (values, ttl)
    };
    let body = |ttl: Option<u64>| {
        let mut members = vec![(
            "rrset_values",
            format!("[{}]", json::quote(&target.addr_text())),
        )];
        if let Some(ttl) = ttl {
            members.push(("rrset_ttl", ttl.to_string()));
        }
        json::object(&members)
    };
    let (method, body, doing, change) = match api::step("gandi", target, &values, Value::as_str)? {
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
    let answer = session.send(&session.call(method, &path, auth(session), Some(body)))?;
    success(&answer, doing)?;
    Ok(change)
}

/// The answer's JSON on a 2xx, else the failure its status means.
fn success(answer: &Answer, doing: &str) -> Result<Value, Fail> {
    let value = api::json_of(answer)?;
    if answer.is_success() {
        return Ok(value);
    }
    let message = value.str_of("message").unwrap_or("");
    Err(Fail {
        failure: Failure::new(
            api::status_exit(answer.status),
            format!(
                "gandi: {doing}: HTTP {} \"{}\"",
                answer.status,
                super::excerpt(message)
            ),
        ),
        retry_after: answer.retry_after,
    })
}
