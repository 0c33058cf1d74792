//! LuaDNS REST API v1, from <https://www.luadns.com/api.html> (Authentication,
//! Status Codes, Zones, Records): HTTP Basic auth with the account's e-mail and
//! an API key, `Accept: application/json` on every request; zones and records
//! are addressed by numeric IDs, record names are absolute (`host.example.com.`).
//! - `GET /zones`: the zones and their IDs, once per run;
//! - `GET /zones/{id}/records`: the zone's records, those of the host's name and
//!   type picked here;
//! - `PUT /zones/{id}/records/{record}` with name, type, content and ttl (the
//!   record's own TTL kept): the update;
//! - `POST /zones/{id}/records` with name, type, content, ttl: create.
//!
//! Errors are `{"status":"..","request_id":"..","message":".."}` with the HTTP
//! status saying which (401, 403, 404, 422, 429, 5xx).

use base64::Engine;

use super::api::{self, Change, Fail, Session, Step, Target, Zone};
use crate::http::{Answer, Method};
use crate::json::{self, Value};
use crate::url::percent_encode;

/// TTL of a created record without `--ttl`: ddns-scripts' luadns script sends
/// 300 (the page lists `ttl` among a record's fields; its default is unconfirmed).
const NEW_TTL: u32 = 300;

fn auth(session: &Session) -> Vec<(&'static str, String)> {
    let pair = format!("{}:{}", session.job.user_name(), session.token());
    let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
    vec![
        ("Authorization", format!("Basic {encoded}")),
        ("Accept", "application/json".to_string()),
    ]
}

/// The API this module speaks, for its preset row.
pub const API: super::api::Api = super::api::Api {
    name: "luadns-v1",
    send,
};

pub fn send(session: &Session, targets: &[Target]) -> Vec<Result<Change, Fail>> {
    // The records need the zone's ID: the list, even with --zone.
    let zones = api::zones(
        session,
        auth(session),
        success,
        (None, "/zones"),
        None,
        ("name", Some("id")),
    );
    api::each_target("luadns", targets, zones, &|zone, target| {
        set_record(session, zone, target)
    })
}

fn set_record(session: &Session, zone: &Zone, target: &Target) -> Result<Change, Fail> {
    let records_path = format!("/zones/{}/records", percent_encode(&zone.id));
    let value = session.exchange(
        Method::Get,
        &records_path,
        auth(session),
        None,
        success,
        "reading the record",
    )?;
    let records: Vec<&Value> = value
        .as_array()
        .iter()
        .filter(|r| {
            r.str_of("type") == Some(target.kind)
                && r.str_of("name")
                    .is_some_and(|n| n.trim_end_matches('.').eq_ignore_ascii_case(&target.name))
        })
        .collect();
    let body = |ttl: String| {
        json::object(&[
            ("name", json::quote(&format!("{}.", target.name))),
            ("type", json::quote(target.kind)),
            ("content", target.addr_json()),
            ("ttl", ttl),
        ])
    };
    match api::step("luadns", target, &records, |r| r.str_of("content"))? {
        Step::Current => Ok(Change::Current),
        Step::Create => {
            let ttl = session.job.ttl.unwrap_or(NEW_TTL);
            session.exchange(
                Method::Post,
                &records_path,
                auth(session),
                Some(body(ttl.to_string())),
                success,
                "creating the record",
            )?;
            Ok(Change::Created)
        }
        Step::Update(record) => {
            let id = record.get("id").and_then(Value::as_text).unwrap_or("");
            let ttl = record
                .get("ttl")
                .and_then(Value::as_text)
                .map_or(NEW_TTL.to_string(), str::to_string);
            session.exchange(
                Method::Put,
                &format!("{records_path}/{}", percent_encode(id)),
                auth(session),
                Some(body(ttl)),
                success,
                "updating the record",
            )?;
            Ok(Change::Updated)
        }
    }
}

/// The answer's JSON on a 2xx, else the failure its status means, with the
/// body's status and message.
fn success(answer: &Answer, doing: &str) -> Result<Value, Fail> {
    api::keyed_success("luadns", doing, answer, "status", "message")
}
