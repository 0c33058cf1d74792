//! deSEC's REST API, from <https://desec.readthedocs.io/en/latest/dns/domains.html>,
//! `.../dns/rrsets.html` and `.../rate-limits.html`: `Authorization: Token TOKEN`.
//! - `GET /api/v1/domains/{name}/` (with `--zone`) or `GET /api/v1/domains/`: the
//!   domain, once per run;
//! - `GET /api/v1/domains/{name}/rrsets/{subname}/{type}/`: the RRset (`@` is the
//!   apex), 404 when missing;
//! - `PATCH` there with `records` alone: the TTL stays;
//! - `POST /api/v1/domains/{name}/rrsets/` with subname, type, ttl, records.
//!
//! Errors are `{"detail":".."}` or per field; a 429 carries `Retry-After`.

use super::api::{self, Change, Fail, Session, Step, Target};
use crate::http::{Answer, Method};
use crate::json::{self, Value};
use crate::url::{encode_keeping, percent_encode};

/// deSEC's default minimum TTL, for created records without `--ttl`.
const DEFAULT_TTL: u32 = 3600;

fn auth(session: &Session) -> Vec<(&'static str, String)> {
    api::token_header(session, "Authorization", "Token ")
}

/// The API this module speaks, for its preset row.
pub const API: super::api::Api = super::api::Api {
    name: "desec-rest",
    send,
};

pub fn send(session: &Session, targets: &[Target]) -> Vec<Result<Change, Fail>> {
    let zones = api::zones(
        session,
        auth(session),
        success,
        (Some(("/domains/", "/")), "/domains/"),
        None,
        ("name", None),
    );
    api::each_target("desec-api", targets, zones, &|zone, target| {
        set_record(session, &zone.name, target)
    })
}

fn set_record(session: &Session, zone: &str, target: &Target) -> Result<Change, Fail> {
    let subname = api::relative(&target.name, zone, "");
    let rrsets_path = format!("/domains/{}/rrsets/", percent_encode(zone));
    let rrset_path = format!(
        "{rrsets_path}{}/{}/",
        encode_keeping(if subname.is_empty() { "@" } else { subname }, b"@"),
        target.kind
    );
    // A missing RRset is a 404 (the domain was found above).
    let found = session.read_or_null(&rrset_path, auth(session), success, "reading the record")?;
    let records = found.get("records").map(Value::as_array).unwrap_or(&[]);
    let records_json = format!("[{}]", target.addr_json());
    let (method, path, body, doing, change) =
        match api::step("desec-api", target, records, Value::as_str)? {
            Step::Current => return Ok(Change::Current),
            Step::Create => (
                Method::Post,
                &rrsets_path,
                json::object(&[
                    ("subname", json::quote(subname)),
                    ("type", json::quote(target.kind)),
                    ("ttl", session.job.ttl.unwrap_or(DEFAULT_TTL).to_string()),
                    ("records", records_json),
                ]),
                "creating the record",
                Change::Created,
            ),
            Step::Update(_) => (
                Method::Patch,
                &rrset_path,
                json::object(&[("records", records_json)]),
                "updating the record",
                Change::Updated,
            ),
        };
    session.exchange(method, path, auth(session), Some(body), success, doing)?;
    Ok(change)
}

/// The answer's JSON on a 2xx, else the failure its status means, with
/// deSEC's `detail` (or the whole body, for errors per field).
fn success(answer: &Answer, doing: &str) -> Result<Value, Fail> {
    let value = api::json_of(answer)?;
    if answer.is_success() {
        return Ok(value);
    }
    let detail = value.str_of("detail").unwrap_or(&answer.body);
    let exit = api::status_exit(answer.status);
    Err(api::fail("desec-api", doing, answer, exit, "", detail))
}
