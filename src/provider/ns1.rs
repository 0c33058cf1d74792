//! NS1 REST API v1, from <https://ns1.com/api> (the same page at
//! <https://nsone.net/api>; zones and records: list zones, view, create and
//! update a record): the API key in
//! `X-NSONE-Key`; a record is named by its zone, its FQDN and its type, and
//! holds answers, each an `answer` array (one address for A/AAAA).
//! - `GET /zones/{zone}` (with `--zone`) or `GET /zones`: the zone, once per run;
//! - `GET /zones/{zone}/{domain}/{type}`: the record, 404 when it is missing;
//! - `POST /zones/{zone}/{domain}/{type}` with `answers` alone: the update (TTL
//!   and the rest stay);
//! - `PUT /zones/{zone}/{domain}/{type}` with zone, domain, type, answers (and
//!   `ttl`): create.
//!
//! Errors are `{"message":".."}` with the HTTP status saying which.

use super::api::{self, Change, Fail, Session, Step, Target};
use crate::http::{Answer, Method};
use crate::json::{self, Value};
use crate::url::percent_encode;

fn auth(session: &Session) -> Vec<(&'static str, String)> {
    api::token_header(session, "X-NSONE-Key", "")
}

/// The API this module speaks, for its preset row.
pub const API: super::api::Api = super::api::Api {
    name: "ns1-v1",
    send,
};

pub fn send(session: &Session, targets: &[Target]) -> Vec<Result<Change, Fail>> {
    let zones = api::zones(
        session,
        auth(session),
        success,
        (Some(("/zones/", "")), "/zones"),
        None,
        ("zone", None),
    );
    api::each_target("ns1", targets, zones, &|zone, target| {
        set_record(session, &zone.name, target)
    })
}

fn set_record(session: &Session, zone: &str, target: &Target) -> Result<Change, Fail> {
    let path = format!(
        "/zones/{}/{}/{}",
        percent_encode(zone),
        percent_encode(&target.name),
        target.kind
    );
    // A missing record is a 404 (the zone was found above).
    let found = session.read_or_null(&path, auth(session), success, "reading the record")?;
    let answers = found.get("answers").map(Value::as_array).unwrap_or(&[]);
    let new_answers = format!("[{{\"answer\":[{}]}}]", target.addr_json());
    match api::step("ns1", target, answers, first_answer)? {
        Step::Current => Ok(Change::Current),
        // A record without answers exists all the same: updated, not created.
        Step::Create if matches!(found, Value::Null) => {
            let mut members = vec![
                ("zone", json::quote(zone)),
                ("domain", json::quote(&target.name)),
                ("type", json::quote(target.kind)),
                ("answers", new_answers),
            ];
            if let Some(ttl) = session.job.ttl {
                members.push(("ttl", ttl.to_string()));
            }
            session.exchange(
                Method::Put,
                &path,
                auth(session),
                Some(json::object(&members)),
                success,
                "creating the record",
            )?;
            Ok(Change::Created)
        }
        Step::Create | Step::Update(_) => {
            session.exchange(
                Method::Post,
                &path,
                auth(session),
                Some(json::object(&[("answers", new_answers)])),
                success,
                "updating the record",
            )?;
            Ok(Change::Updated)
        }
    }
}

/// An answer's address: the first element of its `answer` array.
fn first_answer(answer: &Value) -> Option<&str> {
    answer.get("answer")?.as_array().first()?.as_str()
}

/// The answer's JSON on a 2xx, else the failure its status means, with the
/// body's message.
fn success(answer: &Answer, doing: &str) -> Result<Value, Fail> {
    api::keyed_success("ns1", doing, answer, "", "message")
}
