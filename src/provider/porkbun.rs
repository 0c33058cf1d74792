//! Porkbun API v3, from <https://porkbun.com/api/json/v3/documentation>: every
//! call is a POST of JSON carrying `apikey` and `secretapikey` (so the secrets
//! travel in the body, never the URL); answers say `"status":"SUCCESS"` or
//! `"status":"ERROR"` with a `message`.
//! - `domain/listAll`: the account's domains, the zones (one call per run, none
//!   with `--zone`);
//! - `dns/retrieveByNameType/DOMAIN/TYPE/[SUBDOMAIN]`: the records of a name;
//! - `dns/editByNameType/DOMAIN/TYPE/[SUBDOMAIN]` with `content` and `ttl`
//!   (sent as the record had it: Porkbun would otherwise reset it to 600);
//! - `dns/create/DOMAIN` with `name` (the subdomain), `type`, `content`, `ttl`.

use super::api::{self, Change, Fail, Session, Step, Target, Zone};
use crate::exit::Exit;
use crate::http::{Answer, Method};
use crate::json::{self, Value};
use crate::url::percent_encode;

/// Porkbun's minimum and default TTL.
const DEFAULT_TTL: &str = "600";

/// A POST to `path` whose body is the credentials and `members`; its answer's
/// JSON, or the failure it means while `doing` this.
fn post(
    session: &Session,
    path: &str,
    members: &[(&str, String)],
    doing: &str,
) -> Result<Value, Fail> {
    let secret = session.job.key_secret.as_ref().map_or("", |s| s.expose());
    let mut all = vec![
        ("apikey", json::quote(session.token())),
        ("secretapikey", json::quote(secret)),
    ];
    all.extend_from_slice(members);
    let body = json::object(&all);
    session.exchange(Method::Post, path, Vec::new(), Some(body), success, doing)
}

/// The API this module speaks, for its preset row.
pub const API: super::api::Api = super::api::Api {
    name: "porkbun-v3",
    send,
};

pub fn send(session: &Session, targets: &[Target]) -> Vec<Result<Change, Fail>> {
    api::each_target("porkbun", targets, domains(session), &|domain, target| {
        set_record(session, &domain.name, target)
    })
}

/// `--zone`, else the account's domains.
fn domains(session: &Session) -> Result<Vec<Zone>, Fail> {
    let zone = |name: String| Zone {
        id: name.clone(),
        name,
    };
    if let Some(given) = &session.job.zone {
        return Ok(vec![zone(given.clone())]);
    }
    let value = post(
        session,
        "/domain/listAll",
        &[("start", json::quote("0"))],
        "listing the domains",
    )?;
    Ok(value
        .get("domains")
        .map(Value::as_array)
        .unwrap_or(&[])
        .iter()
        .filter_map(|d| d.str_of("domain"))
        .map(|d| zone(d.to_ascii_lowercase()))
        .collect())
}

fn set_record(session: &Session, domain: &str, target: &Target) -> Result<Change, Fail> {
    // The subdomain: the host without the domain; empty for the domain itself.
    let sub = api::relative(&target.name, domain, "");
    let name_path = match sub {
        "" => format!("{}/{}", percent_encode(domain), target.kind),
        sub => format!(
            "{}/{}/{}",
            percent_encode(domain),
            target.kind,
            percent_encode(sub)
        ),
    };
    let value = post(
        session,
        &format!("/dns/retrieveByNameType/{name_path}"),
        &[],
        "reading the record",
    )?;
    let records = value.get("records").map(Value::as_array).unwrap_or(&[]);
    let content = target.addr_json();
    match api::step("porkbun", target, records, |r| r.str_of("content"))? {
        Step::Current => Ok(Change::Current),
        Step::Create => {
            let ttl = session
                .job
                .ttl
                .map_or(DEFAULT_TTL.to_string(), |t| t.to_string());
            post(
                session,
                &format!("/dns/create/{}", percent_encode(domain)),
                &[
                    ("name", json::quote(sub)),
                    ("type", json::quote(target.kind)),
                    ("content", content),
                    ("ttl", json::quote(&ttl)),
                ],
                "creating the record",
            )?;
            Ok(Change::Created)
        }
        Step::Update(record) => {
            let ttl = record
                .get("ttl")
                .and_then(Value::as_text)
                .unwrap_or(DEFAULT_TTL);
            post(
                session,
                &format!("/dns/editByNameType/{name_path}"),
                &[("content", content), ("ttl", json::quote(ttl))],
                "updating the record",
            )?;
            Ok(Change::Updated)
        }
    }
}

/// The answer's JSON when Porkbun says SUCCESS, else the failure its message
/// (first) or its status mean.
fn success(answer: &Answer, doing: &str) -> Result<Value, Fail> {
    let value = api::json_of(answer)?;
    if answer.is_success() && value.str_of("status") == Some("SUCCESS") {
        return Ok(value);
    }
    let message = value.str_of("message").unwrap_or("");
    let lower = message.to_ascii_lowercase();
    let exit = if lower.contains("api key") || lower.contains("opted in to api access") {
        Exit::BadAuth
    } else if lower.contains("invalid domain") || lower.contains("not found") {
        Exit::NoHost
    } else if answer.is_success() {
        // An ERROR with a 200: Porkbun refused what was asked.
        Exit::Rejected
    } else {
        api::status_exit(answer.status)
    };
    Err(api::fail("porkbun", doing, answer, exit, "", message))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exit_of(status: u16, body: &str) -> Exit {
        let answer = Answer {
            status,
            body: body.to_string(),
            location: None,
            retry_after: None,
        };
        success(&answer, "x")
            .err()
            .map_or(Exit::Ok, |f| f.failure.exit)
    }

    #[test]
    fn messages_and_statuses_map_to_exits() {
        let error = |m: &str| format!(r#"{{"status":"ERROR","message":"{m}"}}"#);
        assert_eq!(
            exit_of(200, r#"{"status":"SUCCESS","records":[]}"#),
            Exit::Ok
        );
        assert_eq!(
            exit_of(400, &error("Invalid API key. (002)")),
            Exit::BadAuth
        );
        assert_eq!(
            exit_of(400, &error("Domain is not opted in to API access.")),
            Exit::BadAuth
        );
        assert_eq!(exit_of(400, &error("Invalid domain.")), Exit::NoHost);
        assert_eq!(exit_of(400, &error("TTL too low.")), Exit::Rejected);
        assert_eq!(exit_of(200, &error("Something.")), Exit::Rejected);
        assert_eq!(
            exit_of(503, &error("Rate limit exceeded.")),
            Exit::ServerError
        );
        assert_eq!(exit_of(429, "too many"), Exit::ServerError);
        assert_eq!(exit_of(200, "<html>"), Exit::Unexpected);
    }
}
