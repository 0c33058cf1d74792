//! Cloudflare API v4, from Cloudflare's own pages:
//! - zones: <https://developers.cloudflare.com/api/resources/zones/methods/list/>
//! - records: <https://developers.cloudflare.com/api/resources/dns/subresources/records/methods/list/>,
//!   `.../methods/edit/` (PATCH: the fields sent change, the others stay) and
//!   `.../methods/create/`
//! - rate limit (HTTP 429 with `Retry-After`):
//!   <https://developers.cloudflare.com/fundamentals/api/reference/limits/>
//! - every answer is `{"success":..,"errors":[{"code":..,"message":..}],"result":..}`.
//!
//! One zone lookup per run (none with `--zone-id`); per record one GET, and a
//! PATCH of `content` alone (proxied, TTL, comment and tags stay as they are)
//! only when it differs, or a POST when the record is missing.

use super::api::{self, Change, Fail, Session, Step, Target};
use crate::exit::Exit;
use crate::http::{Answer, Method};
use crate::json::{self, Value};
use crate::url::percent_encode;

/// Zones asked for per page of the zone list, and pages read at most.
const ZONES_PER_PAGE: u32 = 50;
const MAX_ZONE_PAGES: u32 = 20;

/// TTL of a created record without `--ttl`: 1 is Cloudflare's "automatic".
const AUTO_TTL: u32 = 1;

/// Bearer token, or the legacy e-mail and global key (`--user E-MAIL`).
fn auth(session: &Session) -> Vec<(&'static str, String)> {
    match &session.job.user {
        Some(email) => vec![
            ("X-Auth-Email", email.clone()),
            ("X-Auth-Key", session.token().to_string()),
        ],
        None => api::token_header(session, "Authorization", "Bearer "),
    }
}

/// A zone: its ID and name.
struct Zone {
    id: String,
    name: String,
}

/// The API this module speaks, for its preset row.
pub const API: super::api::Api = super::api::Api {
    name: "cloudflare-v4",
    send,
};

pub fn send(session: &Session, targets: &[Target]) -> Vec<Result<Change, Fail>> {
    let zones = match zones(session) {
        Ok(zones) => zones,
        Err(fail) => return targets.iter().map(|_| Err(fail.clone())).collect(),
    };
    targets
        .iter()
        .map(|target| {
            // With --zone-id every host is in that zone (its name may be unknown).
            let zone = match session.job.zone_id {
                Some(_) => zones.first(),
                None => api::zone_of(&target.name, &zones, |z| &z.name),
            };
            let zone = zone.ok_or_else(|| {
                Fail::new(
                    Exit::NoHost,
                    match &session.job.zone {
                        Some(zone) => format!("cloudflare: {} is not in zone {zone}", target.name),
                        None => format!(
                            "cloudflare: no zone these credentials can see holds {}",
                            target.name
                        ),
                    },
                )
            })?;
            set_record(session, zone, target)
        })
        .collect()
}

/// The zones the hosts may be in: `--zone-id` as given, `--zone` looked up by
/// name, else every zone the credentials can read.
fn zones(session: &Session) -> Result<Vec<Zone>, Fail> {
    let job = session.job;
    if let Some(id) = &job.zone_id {
        // The name is not needed: every host is taken to be in this zone.
        let name = job.zone.clone().unwrap_or_default();
        return Ok(vec![Zone {
            id: id.clone(),
            name,
        }]);
    }
    let mut zones = Vec::new();
    for page in 1..=MAX_ZONE_PAGES {
        let query = match &job.zone {
            Some(zone) => format!("name={}", percent_encode(zone)),
            None => format!("per_page={ZONES_PER_PAGE}&page={page}"),
        };
        let value = session.exchange(
            Method::Get,
            &format!("/zones?{query}"),
            auth(session),
            None,
            success,
            "looking up the zone",
        )?;
        let result = value.get("result").map(Value::as_array).unwrap_or(&[]);
        for zone in result {
            if let (Some(id), Some(name)) = (zone.str_of("id"), zone.str_of("name")) {
                zones.push(Zone {
                    id: id.to_string(),
                    name: name.to_string(),
                });
            }
        }
        let pages = value
            .at(&["result_info", "total_pages"])
            .and_then(Value::as_u64)
            .unwrap_or(1);
        if job.zone.is_some() || u64::from(page) >= pages {
            break;
        }
    }
    if let (Some(zone), true) = (&job.zone, zones.is_empty()) {
        return Err(Fail::new(
            Exit::NoHost,
            format!("cloudflare: zone {zone} not found (or this token cannot read it)"),
        ));
    }
    Ok(zones)
}

/// Reads the record, and writes it only when it differs or is missing.
fn set_record(session: &Session, zone: &Zone, target: &Target) -> Result<Change, Fail> {
    let records_path = format!("/zones/{}/dns_records", percent_encode(&zone.id));
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
    // The filter is the server's; matching again costs nothing and guards it.
    let records: Vec<&Value> = value
        .get("result")
        .map(Value::as_array)
        .unwrap_or(&[])
        .iter()
        .filter(|r| {
            r.str_of("type") == Some(target.kind)
                && r.str_of("name")
                    .is_some_and(|n| n.eq_ignore_ascii_case(&target.name))
        })
        .collect();
    let content = target.addr_json();
    match api::step("cloudflare", target, &records, |r| r.str_of("content"))? {
        Step::Current => Ok(Change::Current),
        Step::Create => {
            let ttl = session.job.ttl.unwrap_or(AUTO_TTL);
            let body = json::object(&[
                ("type", json::quote(target.kind)),
                ("name", json::quote(&target.name)),
                ("content", content),
                ("ttl", ttl.to_string()),
                ("proxied", "false".to_string()),
            ]);
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
            let id = record.str_of("id").unwrap_or_default();
            session.exchange(
                Method::Patch,
                &format!("{records_path}/{}", percent_encode(id)),
                auth(session),
                Some(json::object(&[("content", content)])),
                success,
                "updating the record",
            )?;
            Ok(Change::Updated)
        }
    }
}

/// The answer's JSON when Cloudflare says `success`, else the failure its
/// error codes (first) or its status mean; `doing` says what failed.
fn success(answer: &Answer, doing: &str) -> Result<Value, Fail> {
    let value = api::json_of(answer)?;
    if answer.is_success() && value.get("success").and_then(Value::as_bool) == Some(true) {
        return Ok(value);
    }
    let first = value
        .get("errors")
        .map(Value::as_array)
        .and_then(|errors| errors.first());
    let code = first.and_then(|e| e.get("code")).and_then(Value::as_u64);
    let exit = code.and_then(code_exit).unwrap_or(match answer.status {
        200..=299 => Exit::Unexpected,
        status => api::status_exit(status),
    });
    let code = code.map(|c| c.to_string()).unwrap_or_default();
    let message = first.and_then(|e| e.str_of("message")).unwrap_or("");
    Err(api::fail("cloudflare", doing, answer, exit, &code, message))
}

/// What Cloudflare's error codes mean, where the status alone would mislead: a
/// malformed credential header is a 400, not a rejected request.
fn code_exit(code: u64) -> Option<Exit> {
    Some(match code {
        // Invalid request headers (malformed token, key or e-mail), unknown key or
        // e-mail, missing credentials, invalid access token, authentication error.
        6003 | 6100..=6199 | 9103 | 9106 | 9109 | 10000 => Exit::BadAuth,
        // Could not route to the zone (unknown ID), no route, record not found.
        7000 | 7003 | 81044 => Exit::NoHost,
        // Rate limited.
        971 | 10429 => Exit::ServerError,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> Answer {
        Answer {
            status,
            body: body.to_string(),
            location: None,
            retry_after: None,
        }
    }

    fn exit_of(status: u16, body: &str) -> Exit {
        success(&answer(status, body), "x")
            .err()
            .map_or(Exit::Ok, |f| f.failure.exit)
    }

    #[test]
    fn codes_and_statuses_map_to_exits() {
        let err = |code: u32| {
            format!(
                r#"{{"success":false,"errors":[{{"code":{code},"message":"m"}}],"result":null}}"#
            )
        };
        assert_eq!(exit_of(200, r#"{"success":true,"result":[]}"#), Exit::Ok);
        assert_eq!(exit_of(403, &err(9109)), Exit::BadAuth);
        assert_eq!(exit_of(400, &err(6003)), Exit::BadAuth);
        assert_eq!(exit_of(400, &err(7003)), Exit::NoHost);
        assert_eq!(exit_of(404, &err(81044)), Exit::NoHost);
        assert_eq!(exit_of(429, &err(971)), Exit::ServerError);
        assert_eq!(exit_of(400, &err(9005)), Exit::Rejected);
        assert_eq!(exit_of(400, &err(9021)), Exit::Rejected);
        assert_eq!(exit_of(502, "<html>bad gateway</html>"), Exit::ServerError);
        assert_eq!(exit_of(200, "<html>"), Exit::Unexpected);
        assert_eq!(
            exit_of(200, r#"{"success":false,"errors":[]}"#),
            Exit::Unexpected
        );
        let message = success(&answer(403, &err(9109)), "reading the record")
            .err()
            .map(|f| f.failure.message)
            .unwrap_or_default();
        assert_eq!(
            message,
            "cloudflare: reading the record: HTTP 403 9109 \"m\""
        );
    }
}
