//! A fake Google Cloud DNS v1 and OAuth token endpoint on a [`Mock`], answering
//! as <https://developers.google.com/identity/protocols/oauth2/service-account>
//! ("Preparing to make an authorized API call") and
//! <https://cloud.google.com/dns/docs/reference/v1> (resourceRecordSets) say:
//! - `POST /token`, form-encoded `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`
//!   and `assertion`: a JWT with the header `{"alg":"RS256","typ":"JWT"}` and
//!   the claims `iss` (the service account), `scope` (the Cloud DNS read-write
//!   scope), `aud` (`https://oauth2.googleapis.com/token`), `iat` (now) and
//!   `exp` (at most an hour later), its RS256 signature checked here with the
//!   account's public key (tests/keys/) -> `{"access_token","expires_in",
//!   "token_type":"Bearer"}`, else 400 `{"error":"invalid_grant",..}`;
//! - every API request carries `Authorization: Bearer TOKEN`, else 401
//!   `UNAUTHENTICATED`; the project and managed zone must exist (404 `NOT_FOUND`);
//! - `GET /dns/v1/projects/{p}/managedZones/{z}/rrsets?name=FQDN.&type=T` ->
//!   `{"rrsets":[{"kind","name","type","ttl","rrdatas"}]}`;
//! - `PATCH .../rrsets/{FQDN.}/{T}` with the set -> the set, 404 when missing;
//! - `POST .../rrsets` with a set -> the set, 409 `ALREADY_EXISTS` when it exists.
//!
//! Errors are `{"error":{"code":..,"message":"..","status":".."}}`. What the
//! pages do not allow is recorded in [`GcpApi::violations`].

use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use ring::signature::RSA_PKCS1_2048_8192_SHA256;

use super::rest::{field, flat_json, json_reply, valid_content};
use super::{percent_decode, rsa_key, Mock, Recorded, Reply};

pub const ACCOUNT: &str = "ddns@my-project.iam.gserviceaccount.com";
pub const PROJECT: &str = "my-project";
/// The managed zone's name, and its DNS name.
pub const ZONE: &str = "example-zone";
pub const ZONE_DNS: &str = "example.com.";
const SCOPE: &str = "https://www.googleapis.com/auth/ndev.clouddns.readwrite";

#[derive(Clone, Debug, PartialEq)]
pub struct RecordSet {
    pub name: String,
    pub kind: String,
    pub ttl: u32,
    pub rrdatas: Vec<String>,
}

#[derive(Default)]
pub struct State {
    pub sets: Vec<RecordSet>,
    pub violations: Vec<String>,
    /// `METHOD PATH` of each request, in order.
    pub calls: Vec<String>,
    tokens: Vec<String>,
}

#[derive(Clone)]
pub struct GcpApi {
    pub state: Arc<Mutex<State>>,
}

pub fn error(status: u16, code: &str, message: &str) -> Reply {
    json_reply(
        status,
        &format!(r#"{{"error":{{"code":{status},"message":"{message}","status":"{code}"}}}}"#),
    )
}

fn grant_error(description: &str) -> Reply {
    json_reply(
        400,
        &format!(r#"{{"error":"invalid_grant","error_description":"{description}"}}"#),
    )
}

impl GcpApi {
    pub fn on(mock: &Mock) -> GcpApi {
        let api = GcpApi {
            state: Arc::new(Mutex::new(State::default())),
        };
        let handler_state = Arc::clone(&api.state);
        mock.handler(Box::new(move |request| {
            let mut state = handler_state.lock().unwrap_or_else(|e| e.into_inner());
            state.answer(request)
        }));
        api
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn add(&self, name: &str, kind: &str, ttl: u32, rrdatas: &[&str]) {
        self.lock().sets.push(RecordSet {
            name: name.to_string(),
            kind: kind.to_string(),
            ttl,
            rrdatas: rrdatas.iter().map(|d| d.to_string()).collect(),
        });
    }

    pub fn set(&self, name: &str, kind: &str) -> Option<RecordSet> {
        self.lock()
            .sets
            .iter()
            .find(|s| s.name == name && s.kind == kind)
            .cloned()
    }

    pub fn calls(&self) -> Vec<String> {
        self.lock().calls.clone()
    }

    pub fn tokens(&self) -> Vec<String> {
        self.lock().tokens.clone()
    }

    pub fn violations(&self) -> Vec<String> {
        self.lock().violations.clone()
    }
}

fn base64url(text: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .ok()
}

/// The flat members of a JSON object.
type Members = Vec<(String, String)>;

/// A set's members and its `rrdatas` strings, from `{.., "rrdatas":[..], ..}`.
fn record_set(body: &str) -> Option<(Members, Vec<String>)> {
    let start = body.find("\"rrdatas\"")?;
    let open = start + body[start..].find('[')?;
    let close = open + body[open..].find(']')?;
    let datas = body[open + 1..close]
        .split(',')
        .map(|d| {
            d.trim()
                .strip_prefix('"')?
                .strip_suffix('"')
                .map(str::to_string)
        })
        .collect::<Option<Vec<String>>>()?;
    let rest = format!("{}\"rrdatas\":0{}", &body[..start], &body[close + 1..]);
    Some((flat_json(&rest)?, datas))
}

fn set_json(set: &RecordSet) -> String {
    let datas: Vec<String> = set.rrdatas.iter().map(|d| format!("\"{d}\"")).collect();
    format!(
        r#"{{"kind":"dns#resourceRecordSet","name":"{}","type":"{}","ttl":{},"rrdatas":[{}]}}"#,
        set.name,
        set.kind,
        set.ttl,
        datas.join(",")
    )
}

impl State {
    fn violation(&mut self, what: String) -> Reply {
        self.violations.push(what.clone());
        error(400, "INVALID_ARGUMENT", &what)
    }

    fn answer(&mut self, request: &Recorded) -> Reply {
        self.calls
            .push(format!("{} {}", request.method, request.path));
        if !request.tls {
            return self.violation("a request without TLS".into());
        }
        if request.path == "/token" && request.method == "POST" {
            return self.token(request);
        }
        let bearer = request
            .header("authorization")
            .and_then(|a| a.strip_prefix("Bearer "));
        if !bearer.is_some_and(|t| self.tokens.iter().any(|known| known == t)) {
            return error(
                401,
                "UNAUTHENTICATED",
                "Request had invalid authentication credentials.",
            );
        }
        let parts: Vec<String> = request.path.split('/').map(percent_decode).collect();
        let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
        let (project, zone, rest) = match parts.as_slice() {
            ["", "dns", "v1", "projects", p, "managedZones", z, "rrsets", rest @ ..] => {
                (*p, *z, rest)
            }
            _ => return self.violation(format!("{} {}", request.method, request.path)),
        };
        if project != PROJECT || zone != ZONE {
            return error(
                404,
                "NOT_FOUND",
                &format!("The 'parameters.managedZone' resource named '{zone}' does not exist."),
            );
        }
        if request.method != "GET" && request.header("content-type") != Some("application/json") {
            return self.violation(format!("{} without a JSON body", request.path));
        }
        match (request.method.as_str(), rest) {
            ("GET", []) => self.list(request),
            ("POST", []) => self.create(&request.body),
            ("PATCH", [name, kind]) => self.patch(name, kind, &request.body),
            _ => self.violation(format!("{} {}", request.method, request.path)),
        }
    }

    fn token(&mut self, request: &Recorded) -> Reply {
        if request.header("content-type") != Some("application/x-www-form-urlencoded") {
            return self.violation("token request not form-encoded".into());
        }
        let form: Vec<(String, String)> = request
            .body
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .map(|(k, v)| (percent_decode(k), percent_decode(v)))
            .collect();
        if field(&form, "grant_type").as_deref()
            != Some("urn:ietf:params:oauth:grant-type:jwt-bearer")
        {
            return self.violation(format!("grant_type: {}", request.body));
        }
        let Some(assertion) = field(&form, "assertion") else {
            return self.violation("no assertion".into());
        };
        let parts: Vec<&str> = assertion.split('.').collect();
        let [header, claims, signature] = parts.as_slice() else {
            return grant_error(
                "Invalid JWT: Token must be a short-lived token and in a reasonable timeframe",
            );
        };
        if base64url(header).as_deref() != Some(br#"{"alg":"RS256","typ":"JWT"}"#.as_slice()) {
            return self.violation(format!("JWT header {header}"));
        }
        let signed = format!("{header}.{claims}");
        let valid = base64url(signature)
            .is_some_and(|s| rsa_key::verifies(&RSA_PKCS1_2048_8192_SHA256, signed.as_bytes(), &s));
        if !valid {
            return grant_error("Invalid JWT Signature.");
        }
        let Some(claims) = base64url(claims)
            .and_then(|c| String::from_utf8(c).ok())
            .and_then(|c| flat_json(&c))
        else {
            return self.violation("JWT claims are not flat JSON".into());
        };
        let claim = |name: &str| field(&claims, name);
        for (name, want) in [
            ("scope", SCOPE),
            ("aud", "https://oauth2.googleapis.com/token"),
        ] {
            if claim(name).as_deref() != Some(want) {
                return self.violation(format!("JWT claim {name} is not {want}"));
            }
        }
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let (Some(iat), Some(exp)) = (
            claim("iat").and_then(|t| t.parse::<u64>().ok()),
            claim("exp").and_then(|t| t.parse::<u64>().ok()),
        ) else {
            return self.violation("JWT iat/exp are not numbers".into());
        };
        if iat.abs_diff(now) > 300 || exp <= iat || exp - iat > 3600 {
            return grant_error("Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.");
        }
        if claim("iss").as_deref() != Some(ACCOUNT) {
            return json_reply(
                401,
                r#"{"error":"invalid_client","error_description":"The OAuth client was not found."}"#,
            );
        }
        let token = format!("ya29.c.test-token-{}", self.tokens.len() + 1);
        self.tokens.push(token.clone());
        json_reply(
            200,
            &format!(r#"{{"access_token":"{token}","expires_in":3599,"token_type":"Bearer"}}"#),
        )
    }

    fn list(&mut self, request: &Recorded) -> Reply {
        let (Some(name), Some(kind)) = (request.param("name"), request.param("type")) else {
            return self.violation("rrsets list without name and type".into());
        };
        if !name.ends_with('.') {
            return self.violation(format!("name {name} is not absolute"));
        }
        let sets: Vec<String> = self
            .sets
            .iter()
            .filter(|s| s.name == name && s.kind == kind)
            .map(set_json)
            .collect();
        json_reply(
            200,
            &format!(
                r#"{{"kind":"dns#resourceRecordSetsListResponse","rrsets":[{}]}}"#,
                sets.join(",")
            ),
        )
    }

    /// The set in `body`, checked; `Err` the reply.
    fn parse_set(&mut self, body: &str) -> Result<RecordSet, Reply> {
        let Some((fields, rrdatas)) = record_set(body) else {
            return Err(self.violation(format!("not a resource record set: {body}")));
        };
        let (Some(name), Some(kind), Some(ttl)) = (
            field(&fields, "name"),
            field(&fields, "type"),
            field(&fields, "ttl").and_then(|t| t.parse::<u32>().ok()),
        ) else {
            return Err(self.violation(format!("set without name/type/ttl: {body}")));
        };
        if !(name == ZONE_DNS || name.ends_with(&format!(".{ZONE_DNS}"))) {
            return Err(error(
                400,
                "INVALID_ARGUMENT",
                "The resource record set is not in the zone.",
            ));
        }
        if rrdatas.is_empty() || !rrdatas.iter().all(|d| valid_content(&kind, d)) {
            return Err(error(
                400,
                "INVALID_ARGUMENT",
                "Invalid value for 'entity.change.additions[0].rrdata'",
            ));
        }
        Ok(RecordSet {
            name,
            kind,
            ttl,
            rrdatas,
        })
    }

    fn create(&mut self, body: &str) -> Reply {
        let set = match self.parse_set(body) {
            Ok(set) => set,
            Err(reply) => return reply,
        };
        if self
            .sets
            .iter()
            .any(|s| s.name == set.name && s.kind == set.kind)
        {
            return error(
                409,
                "ALREADY_EXISTS",
                "The resource record set already exists.",
            );
        }
        let reply = json_reply(200, &set_json(&set));
        self.sets.push(set);
        reply
    }

    fn patch(&mut self, name: &str, kind: &str, body: &str) -> Reply {
        let set = match self.parse_set(body) {
            Ok(set) => set,
            Err(reply) => return reply,
        };
        if set.name != name || set.kind != kind {
            return self.violation(format!(
                "PATCH {name}/{kind} with a set of {}/{}",
                set.name, set.kind
            ));
        }
        let Some(old) = self
            .sets
            .iter_mut()
            .find(|s| s.name == name && s.kind == kind)
        else {
            return error(404, "NOT_FOUND", "The resource record set does not exist.");
        };
        *old = set.clone();
        json_reply(200, &set_json(&set))
    }
}
