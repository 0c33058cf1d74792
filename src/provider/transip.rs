//! TransIP's REST API v6 (<https://api.transip.nl/rest/docs.html>, sections
//! Authentication, Domains and DNS): a key pair's login, then Bearer requests.
//! - `POST /auth` with `{"login","nonce","read_only","expiration_time","label",
//!   "global_key"}` and the header `Signature`: base64 of the body's RSA-SHA512
//!   signature with the account's private key (which never travels) -> 201
//!   `{"token":".."}`, the Bearer token of this run (masked in `-v`);
//! - `GET /domains` (without `--zone`): the account's domains, to find the one
//!   holding each host;
//! - `GET /domains/{domain}/dns` -> `dnsEntries` (`name` relative, `@` the
//!   apex; `expire` the TTL; `type`; `content`);
//! - `PATCH /domains/{domain}/dns` with `{"dnsEntry":{..}}`: the one entry of
//!   that name, expire and type gets the content (204);
//! - `POST /domains/{domain}/dns` with `{"dnsEntry":{..}}`: a new entry (201).
//!
//! Errors are a 4xx/5xx with `{"error":".."}`.

use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::RSA_PKCS1_SHA512;

use super::api::{self, Change, Fail, Session, Step, Target};
use super::rsa_key;
use crate::exit::Exit;
use crate::http::{Answer, Method};
use crate::json::{self, Value};
use crate::url::percent_encode;

/// A new record's TTL when `--ttl` names none (one of the panel's choices).
const DEFAULT_EXPIRE: u32 = 300;

/// The API this module speaks, for its preset row.
pub const API: super::api::Api = super::api::Api {
    name: "transip-v6",
    send,
};

pub fn send(session: &Session, targets: &[Target]) -> Vec<Result<Change, Fail>> {
    let token = match login(session) {
        Ok(token) => token,
        Err(fail) => return targets.iter().map(|_| Err(fail.clone())).collect(),
    };
    let zones = match &session.job.zone {
        Some(zone) => Ok(vec![api::Zone {
            name: zone.clone(),
            id: zone.clone(),
        }]),
        None => domains(session, &token),
    };
    api::each_target("transip", targets, zones, &|zone, target| {
        set_record(session, &token, &zone.name, target)
    })
}

/// 32 hex digits from the system's random source: a nonce TransIP has not seen.
fn nonce() -> Result<String, Fail> {
    let mut bytes = [0u8; 16];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| Fail::new(Exit::Unexpected, "transip: no random source for the nonce"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Logs in with the signed body; the token it answers.
fn login(session: &Session) -> Result<String, Fail> {
    let key = rsa_key::of(session.job)?;
    let nonce = nonce()?;
    let body = json::object(&[
        (
            "login",
            json::quote(session.job.user.as_deref().unwrap_or("")),
        ),
        ("nonce", json::quote(&nonce)),
        ("read_only", "false".to_string()),
        ("expiration_time", json::quote("30 minutes")),
        // Labels are unique among an account's tokens: the nonce's start makes it so.
        ("label", json::quote(&format!("dynup {}", &nonce[..8]))),
        // As ddns-scripts' transip.nl: a router's address is not on a whitelist.
        ("global_key", "true".to_string()),
    ]);
    let signature = key.sign(&RSA_PKCS1_SHA512, body.as_bytes())?;
    let signature = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, signature);
    let call = session.call(
        Method::Post,
        "/auth",
        vec![("Signature", signature)],
        Some(body),
    );
    let answer = session.send_hiding(&call, &[], "token")?;
    let value = check(&answer, "logging in")?;
    match value.str_of("token") {
        Some(token) if !token.is_empty() => Ok(token.to_string()),
        _ => Err(Fail::new(
            Exit::Unexpected,
            "transip: logging in: the answer holds no token",
        )),
    }
}

/// The account's domains, for the zone of each host.
fn domains(session: &Session, token: &str) -> Result<Vec<api::Zone>, Fail> {
    let value = session.bearer_exchange(
        token,
        (Method::Get, "/domains"),
        None,
        check,
        "listing the domains",
    )?;
    Ok(value
        .get("domains")
        .map(Value::as_array)
        .unwrap_or(&[])
        .iter()
        .filter_map(|d| d.str_of("name"))
        .map(|name| api::Zone {
            name: name.to_ascii_lowercase(),
            id: name.to_ascii_lowercase(),
        })
        .collect())
}

fn set_record(
    session: &Session,
    token: &str,
    domain: &str,
    target: &Target,
) -> Result<Change, Fail> {
    let name = api::relative(&target.name, domain, "@");
    let path = format!("/domains/{}/dns", percent_encode(domain));
    let value = session.bearer_exchange(
        token,
        (Method::Get, &path),
        None,
        check,
        "reading the records",
    )?;
    let entries: Vec<&Value> = value
        .get("dnsEntries")
        .map(Value::as_array)
        .unwrap_or(&[])
        .iter()
        .filter(|e| e.str_of("type") == Some(target.kind))
        .filter(|e| {
            e.str_of("name")
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
        .collect();
    let entry = |expire: String| {
        json::object(&[(
            "dnsEntry",
            json::object(&[
                ("name", json::quote(name)),
                ("expire", expire),
                ("type", json::quote(target.kind)),
                ("content", target.addr_json()),
            ]),
        )])
    };
    match api::step("transip", target, &entries, |e| e.str_of("content"))? {
        Step::Current => Ok(Change::Current),
        Step::Create => {
            let expire = session.job.ttl.unwrap_or(DEFAULT_EXPIRE).to_string();
            let body = Some(entry(expire));
            session.bearer_exchange(
                token,
                (Method::Post, &path),
                body,
                check,
                "creating the record",
            )?;
            Ok(Change::Created)
        }
        Step::Update(found) => {
            // The entry is named by name, expire and type: its own expire, as read.
            let Some(expire) = found.get("expire").and_then(Value::as_text) else {
                return Err(Fail::new(
                    Exit::Unexpected,
                    "transip: a DNS entry without expire",
                ));
            };
            let body = Some(entry(expire.to_string()));
            session.bearer_exchange(
                token,
                (Method::Patch, &path),
                body,
                check,
                "updating the record",
            )?;
            Ok(Change::Updated)
        }
    }
}

/// The answer's JSON on a 2xx (`Null` for the empty 201/204 of a change), else
/// the failure its status means, with the `error` text.
fn check(answer: &Answer, doing: &str) -> Result<Value, Fail> {
    if answer.is_success() && answer.body.trim().is_empty() {
        return Ok(Value::Null);
    }
    api::keyed_success("transip", doing, answer, "", "error")
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
        check(&answer, "x")
            .err()
            .map_or(Exit::Ok, |f| f.failure.exit)
    }

    #[test]
    fn statuses_map_to_exits() {
        assert_eq!(exit_of(204, ""), Exit::Ok);
        assert_eq!(exit_of(200, r#"{"dnsEntries":[]}"#), Exit::Ok);
        assert_eq!(
            exit_of(401, r#"{"error":"Signature invalid"}"#),
            Exit::BadAuth
        );
        assert_eq!(
            exit_of(404, r#"{"error":"Domain not found"}"#),
            Exit::NoHost
        );
        assert_eq!(
            exit_of(406, r#"{"error":"not acceptable"}"#),
            Exit::Rejected
        );
        assert_eq!(exit_of(429, r#"{"error":"rate limit"}"#), Exit::ServerError);
        assert_eq!(exit_of(200, "<html>"), Exit::Unexpected);
    }

    #[test]
    fn nonces_differ() {
        let (a, b) = (nonce().expect("nonce"), nonce().expect("nonce"));
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
    }
}
