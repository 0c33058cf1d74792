//! Google Cloud DNS API v1 (<https://cloud.google.com/dns/docs/reference/v1>,
//! resourceRecordSets list/create/patch) with a service account's key
//! (<https://developers.google.com/identity/protocols/oauth2/service-account>,
//! "Preparing to make an authorized API call"):
//! - a JWT, `{"alg":"RS256","typ":"JWT"}` and the claims `iss` (the account's
//!   e-mail), `scope` (`.../auth/ndev.clouddns.readwrite`), `aud`
//!   (`https://oauth2.googleapis.com/token`), `iat`, `exp` (an hour later),
//!   signed RSA-SHA256 with the account's key (which never travels), is posted
//!   form-encoded (`grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`,
//!   `assertion`) to `https://oauth2.googleapis.com/token` -> `access_token`,
//!   this run's Bearer token (masked in `-v`, as is the assertion);
//! - `GET /projects/{p}/managedZones/{z}/rrsets?name=NAME.&type=T` -> `rrsets`
//!   (`name`, `type`, `ttl`, `rrdatas`);
//! - `PATCH .../rrsets/NAME./T` with the set (its TTL kept, the address as its
//!   one datum); `POST .../rrsets` with a new set.
//!
//! The project and managed zone are `--zone-id PROJECT/ZONE` (ddns-scripts'
//! `param_enc=project=..&zone=..`). Errors are
//! `{"error":{"code":..,"message":"..","status":".."}}`; the token endpoint's
//! `{"error":"invalid_grant","error_description":".."}`.

use base64::Engine;
use ring::signature::RSA_PKCS1_SHA256;

use super::api::{self, Change, Fail, Session, Step, Target};
use super::rsa_key;
use crate::clock;
use crate::exit::{Exit, Failure};
use crate::http::{Answer, ApiCall, Method};
use crate::json::{self, Value};
use crate::url::percent_encode;

const SCOPE: &str = "https://www.googleapis.com/auth/ndev.clouddns.readwrite";
const TOKEN_URL: &str = "https://oauth2.googleapis.com/token";
/// A new record set's TTL when `--ttl` names none: ddns-scripts' default.
const DEFAULT_TTL: u32 = 3600;

/// `PROJECT/ZONE` of `--zone-id`, or the usage error.
pub fn project_zone(job: &crate::config::Job) -> Result<(&str, &str), Failure> {
    job.zone_id
        .as_deref()
        .and_then(|id| id.split_once('/'))
        .filter(|(p, z)| !p.is_empty() && !z.is_empty() && !z.contains('/'))
        .ok_or_else(|| {
            Failure::usage(
                "gcp needs the project and managed zone: --zone-id PROJECT/ZONE \
                 (the zone's name in Cloud DNS, not its DNS name)",
            )
        })
}

fn base64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The signed JWT that asks for a token for `email`, made at `now`.
fn assertion(key: &rsa_key::RsaKey, email: &str, now: u64) -> Result<String, Fail> {
    let header = base64url(br#"{"alg":"RS256","typ":"JWT"}"#);
    let claims = json::object(&[
        ("iss", json::quote(email)),
        ("scope", json::quote(SCOPE)),
        ("aud", json::quote(TOKEN_URL)),
        ("iat", now.to_string()),
        ("exp", (now + 3600).to_string()),
    ]);
    let signed = format!("{header}.{}", base64url(claims.as_bytes()));
    let signature = key.sign(&RSA_PKCS1_SHA256, signed.as_bytes())?;
    Ok(format!("{signed}.{}", base64url(&signature)))
}

/// The Bearer token of this run.
fn access_token(session: &Session) -> Result<String, Fail> {
    let key = rsa_key::of(session.job)?;
    let email = session.job.user.as_deref().unwrap_or("");
    let assertion = assertion(&key, email, clock::now())?;
    // Google's endpoint, unless --server names another host (a test's).
    let url = match session.job.server.host == session.job.preset.host.unwrap_or("") {
        true => TOKEN_URL.to_string(),
        false => format!("{}/token", session.job.server),
    };
    let call = ApiCall {
        method: Method::Post,
        url,
        headers: Vec::new(),
        body: Some(format!(
            "grant_type={}&assertion={assertion}",
            percent_encode("urn:ietf:params:oauth:grant-type:jwt-bearer")
        )),
        content_type: "application/x-www-form-urlencoded",
    };
    let answer = session.send_hiding(&call, &[&assertion], "access_token")?;
    let value = check(&answer, "getting an access token")?;
    match value.str_of("access_token") {
        // The token as answered.
        Some(token) if !token.is_empty() => Ok(token.to_string()),
        _ => Err(Fail::new(
            Exit::Unexpected,
            "gcp: getting an access token: the answer holds none",
        )),
    }
}

/// The API this module speaks, for its preset row.
pub const API: super::api::Api = super::api::Api {
    name: "clouddns-v1",
    send,
};

pub fn send(session: &Session, targets: &[Target]) -> Vec<Result<Change, Fail>> {
    let ready = project_zone(session.job)
        .map_err(Fail::from)
        .and_then(|pz| Ok((pz, access_token(session)?)));
    targets
        .iter()
        .map(|target| {
            let ((project, zone), token) = ready.as_ref().map_err(Clone::clone)?;
            let path = format!(
                "/projects/{}/managedZones/{}/rrsets",
                percent_encode(project),
                percent_encode(zone)
            );
            set_record(session, token, &path, target)
        })
        .collect()
}

fn set_record(session: &Session, token: &str, path: &str, target: &Target) -> Result<Change, Fail> {
    let fqdn = format!("{}.", target.name);
    let query = format!("{path}?name={}&type={}", percent_encode(&fqdn), target.kind);
    let found = session.bearer_exchange(
        token,
        (Method::Get, &query),
        None,
        check,
        "reading the record",
    )?;
    let sets: Vec<&Value> = found
        .get("rrsets")
        .map(Value::as_array)
        .unwrap_or(&[])
        .iter()
        .filter(|s| s.str_of("type") == Some(target.kind))
        .filter(|s| {
            s.str_of("name")
                .is_some_and(|n| n.eq_ignore_ascii_case(&fqdn))
        })
        .collect();
    // A set holding the address among others is current: its other data stay.
    let holds = sets.iter().any(|s| {
        s.get("rrdatas")
            .map(Value::as_array)
            .unwrap_or(&[])
            .iter()
            .any(|d| d.as_str().is_some_and(|d| target.holds(d)))
    });
    let set = |ttl: String| {
        json::object(&[
            ("name", json::quote(&fqdn)),
            ("type", json::quote(target.kind)),
            ("ttl", ttl),
            ("rrdatas", format!("[{}]", target.addr_json())),
        ])
    };
    let step = match holds {
        true => Step::Current,
        false => api::step("gcp", target, &sets, |_| None)?,
    };
    match step {
        Step::Current => Ok(Change::Current),
        Step::Create => {
            let ttl = session.job.ttl.unwrap_or(DEFAULT_TTL).to_string();
            session.bearer_exchange(
                token,
                (Method::Post, path),
                Some(set(ttl)),
                check,
                "creating the record",
            )?;
            Ok(Change::Created)
        }
        Step::Update(found) => {
            let ttl = found
                .get("ttl")
                .and_then(Value::as_u64)
                .unwrap_or(DEFAULT_TTL.into());
            let one = format!("{path}/{}/{}", percent_encode(&fqdn), target.kind);
            let body = Some(set(ttl.to_string()));
            session.bearer_exchange(
                token,
                (Method::Patch, &one),
                body,
                check,
                "updating the record",
            )?;
            Ok(Change::Updated)
        }
    }
}

/// The answer's JSON on a 2xx, else the failure its error status (the API's
/// `error.status`, the token endpoint's `error`) or HTTP status means.
fn check(answer: &Answer, doing: &str) -> Result<Value, Fail> {
    let value = api::json_of(answer)?;
    if answer.is_success() {
        return Ok(value);
    }
    let error = value.get("error");
    let (code, message) = match error {
        Some(Value::String(code)) => (code.as_str(), value.str_of("error_description")),
        Some(error) => (
            error.str_of("status").unwrap_or(""),
            error.str_of("message"),
        ),
        None => ("", None),
    };
    let exit = match code {
        "invalid_grant"
        | "invalid_client"
        | "unauthorized_client"
        | "UNAUTHENTICATED"
        | "PERMISSION_DENIED" => Exit::BadAuth,
        "NOT_FOUND" => Exit::NoHost,
        "RESOURCE_EXHAUSTED" | "UNAVAILABLE" | "INTERNAL" => Exit::ServerError,
        _ => api::status_exit(answer.status),
    };
    Err(api::fail(
        "gcp",
        doing,
        answer,
        exit,
        code,
        message.unwrap_or(""),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::signature::{UnparsedPublicKey, RSA_PKCS1_2048_8192_SHA256};

    const KEY: &str = include_str!("../../tests/keys/throwaway-test-rsa.pem");

    #[test]
    fn the_assertion_is_a_signed_jwt_with_the_documented_claims() {
        let key = rsa_key::RsaKey::from_pem(KEY).expect("key");
        let jwt = assertion(&key, "ddns@p.iam.gserviceaccount.com", 1_700_000_000).expect("jwt");
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3);
        let decode = |p: &str| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(p)
                .expect("base64url")
        };
        assert_eq!(decode(parts[0]), br#"{"alg":"RS256","typ":"JWT"}"#);
        let claims =
            json::parse(&String::from_utf8(decode(parts[1])).expect("utf8")).expect("json");
        assert_eq!(claims.str_of("iss"), Some("ddns@p.iam.gserviceaccount.com"));
        assert_eq!(claims.str_of("scope"), Some(SCOPE));
        assert_eq!(claims.str_of("aud"), Some(TOKEN_URL));
        assert_eq!(
            claims.get("iat").and_then(Value::as_u64),
            Some(1_700_000_000)
        );
        assert_eq!(
            claims.get("exp").and_then(Value::as_u64),
            Some(1_700_003_600)
        );
        let public = key.public_key();
        let signed = format!("{}.{}", parts[0], parts[1]);
        UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, public)
            .verify(signed.as_bytes(), &decode(parts[2]))
            .expect("the signature verifies");
    }

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
    fn errors_map_to_exits() {
        let error = |code: u16, status: &str| {
            format!(r#"{{"error":{{"code":{code},"message":"m","status":"{status}"}}}}"#)
        };
        assert_eq!(exit_of(200, r#"{"rrsets":[]}"#), Exit::Ok);
        assert_eq!(
            exit_of(
                400,
                r#"{"error":"invalid_grant","error_description":"Invalid JWT"}"#
            ),
            Exit::BadAuth
        );
        assert_eq!(
            exit_of(403, &error(403, "PERMISSION_DENIED")),
            Exit::BadAuth
        );
        assert_eq!(exit_of(404, &error(404, "NOT_FOUND")), Exit::NoHost);
        assert_eq!(
            exit_of(429, &error(429, "RESOURCE_EXHAUSTED")),
            Exit::ServerError
        );
        assert_eq!(
            exit_of(400, &error(400, "INVALID_ARGUMENT")),
            Exit::Rejected
        );
        assert_eq!(exit_of(502, "<html>"), Exit::ServerError);
    }
}
