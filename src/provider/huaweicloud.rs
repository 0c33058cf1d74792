//! Huawei Cloud DNS, API v2, from <https://support.huaweicloud.com/intl/en-us/api-dns/>
//! (Querying Public Zones, Querying Record Sets in a Zone, Creating a Record Set,
//! Modifying a Record Set) and ddns-scripts' update_huaweicloud_com.sh. Every
//! request is signed with SDK-HMAC-SHA256, as the API signing guide says
//! (<https://support.huaweicloud.com/intl/en-us/devg-apisign/api-sign-algorithm-001.html>
//! to -005): the canonical request of Signature V4 (`sigv4.rs`) with the path
//! ending in `/` and the signed headers `host`, `x-sdk-date` (and `content-type`
//! with a body), then `SDK-HMAC-SHA256\nDATE\nHASH` keyed with the secret access
//! key itself (the key never travels). Checked against the guide's worked example.
//! - `GET /v2/zones?type=public&name=ZONE.&search_mode=equal` (with `--zone`)
//!   or `GET /v2/zones?type=public&limit=500`: the zones (`id`, `name` absolute),
//!   once per run;
//! - `GET /v2/zones/{zone}/recordsets?name=NAME.&type=TYPE&search_mode=equal`:
//!   the record set (`id`, `name`, `type`, `ttl`, `records`);
//! - `PUT /v2/zones/{zone}/recordsets/{id}` with name, type, the set's own TTL
//!   and the one new value; `POST /v2/zones/{zone}/recordsets` creates.
//!
//! Errors are `{"code":..,"message":..}` from DNS and
//! `{"error_code":..,"error_msg":..}` from the API gateway (a refused signature
//! is a 401 `APIGW.0301`).

use super::api::{self, Change, Fail, Session, Step, Target};
use super::sigv4;
use crate::clock;
use crate::http::{Answer, Method};
use crate::json::{self, Value};
use crate::url::percent_encode;

const CONTENT_TYPE: &str = "application/json";

/// The `X-Sdk-Date` and `Authorization` headers of a request: `method`, `host`,
/// `path` and `query` as sent, the content type when there is a body.
fn signature(
    (access_key, secret_key): (&str, &str),
    (method, host, path, query): (&str, &str, &str, &str),
    content_type: Option<&str>,
    payload: &[u8],
    unix: u64,
) -> Vec<(&'static str, String)> {
    let date = sigv4::amz_date(unix);
    let mut headers = vec![("host", host), ("x-sdk-date", date.as_str())];
    if let Some(content_type) = content_type {
        headers.push(("content-type", content_type));
    }
    // The canonical URI ends with a slash, sent or not.
    let uri = match path.ends_with('/') {
        true => path.to_string(),
        false => format!("{path}/"),
    };
    let (canonical, signed) = sigv4::canonical_request((method, &uri, query), headers, payload);
    let to_sign = format!(
        "SDK-HMAC-SHA256\n{date}\n{}",
        sigv4::sha256_hex(canonical.as_bytes())
    );
    let signature = sigv4::hex(&sigv4::hmac_sha256(secret_key.as_bytes(), &to_sign));
    let authorization = format!(
        "SDK-HMAC-SHA256 Access={access_key}, SignedHeaders={signed}, Signature={signature}"
    );
    vec![("X-Sdk-Date", date), ("Authorization", authorization)]
}

/// The signed headers of a request to `base() + path` (with its query).
fn signed(
    session: &Session,
    method: Method,
    path: &str,
    body: Option<&str>,
) -> Vec<(&'static str, String)> {
    let url = format!("{}{path}", session.base());
    let rest = url.split_once("://").map_or("", |(_, rest)| rest);
    let (host, path_query) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let (path, query) = path_query.split_once('?').unwrap_or((path_query, ""));
    let secret = session.job.key_secret.as_ref().map_or("", |s| s.expose());
    signature(
        (session.token(), secret),
        (method.name(), host, path, query),
        body.map(|_| CONTENT_TYPE),
        body.unwrap_or("").as_bytes(),
        clock::now(),
    )
}

fn exchange(
    session: &Session,
    method: Method,
    path: &str,
    body: Option<String>,
    doing: &str,
) -> Result<Value, Fail> {
    let headers = signed(session, method, path, body.as_deref());
    session.exchange(method, path, headers, body, check, doing)
}

/// The API this module speaks, for its preset row.
pub const API: super::api::Api = super::api::Api {
    name: "huaweicloud-dns-v2",
    send,
};

pub fn send(session: &Session, targets: &[Target]) -> Vec<Result<Change, Fail>> {
    let path = match &session.job.zone {
        Some(zone) => format!(
            "/v2/zones?type=public&name={}.&search_mode=equal",
            percent_encode(zone)
        ),
        None => "/v2/zones?type=public&limit=500".to_string(),
    };
    let zones = api::zones(
        session,
        signed(session, Method::Get, &path, None),
        check,
        (None, &path),
        Some("zones"),
        ("name", Some("id")),
    );
    api::each_target("huaweicloud", targets, zones, &|zone, target| {
        set_record(session, &zone.id, target)
    })
}

fn set_record(session: &Session, zone_id: &str, target: &Target) -> Result<Change, Fail> {
    let sets_path = format!("/v2/zones/{}/recordsets", percent_encode(zone_id));
    let name = format!("{}.", target.name);
    let query = format!(
        "?name={}&type={}&search_mode=equal",
        percent_encode(&name),
        target.kind
    );
    let found = exchange(
        session,
        Method::Get,
        &format!("{sets_path}{query}"),
        None,
        "reading the record",
    )?;
    let sets: Vec<&Value> = found
        .get("recordsets")
        .map(Value::as_array)
        .unwrap_or(&[])
        .iter()
        .filter(|s| {
            s.str_of("type") == Some(target.kind)
                && s.str_of("name")
                    .is_some_and(|n| n.eq_ignore_ascii_case(&name))
        })
        .collect();
    let mut members = vec![
        ("name", json::quote(&name)),
        ("type", json::quote(target.kind)),
        ("records", format!("[{}]", target.addr_json())),
    ];
    match api::step("huaweicloud", target, &sets, |set| only_value(set))? {
        Step::Current => Ok(Change::Current),
        Step::Create => {
            if let Some(ttl) = session.job.ttl {
                members.push(("ttl", ttl.to_string()));
            }
            let body = json::object(&members);
            exchange(
                session,
                Method::Post,
                &sets_path,
                Some(body),
                "creating the record",
            )?;
            Ok(Change::Created)
        }
        Step::Update(set) => {
            let Some(id) = set.str_of("id") else {
                return Err(Fail::new(
                    crate::exit::Exit::Unexpected,
                    "huaweicloud: a record set without id",
                ));
            };
            // Sent as the set had it: the API would reset it otherwise.
            if let Some(ttl) = set.get("ttl").and_then(Value::as_u64) {
                members.push(("ttl", ttl.to_string()));
            }
            let path = format!("{sets_path}/{}", percent_encode(id));
            let body = json::object(&members);
            exchange(
                session,
                Method::Put,
                &path,
                Some(body),
                "updating the record",
            )?;
            Ok(Change::Updated)
        }
    }
}

/// The value of a set that holds one: a set holding only this address is
/// current, one holding others too is rewritten.
fn only_value(set: &Value) -> Option<&str> {
    match set.get("records").map(Value::as_array) {
        Some([one]) => one.as_text(),
        _ => None,
    }
}

/// The answer's JSON on success, else the failure its status means, with the
/// code and message of DNS or of the API gateway.
fn check(answer: &Answer, doing: &str) -> Result<Value, Fail> {
    let value = api::json_of(answer)?;
    if answer.is_success() {
        return Ok(value);
    }
    let text = |key: &str, gateway_key: &str| {
        value
            .str_of(key)
            .or_else(|| value.str_of(gateway_key))
            .unwrap_or("")
    };
    Err(api::fail(
        "huaweicloud",
        doing,
        answer,
        api::status_exit(answer.status),
        text("code", "error_code"),
        text("message", "error_msg"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_signature() {
        // The signing guide's example: listing VPCs, 2019-11-15T03:36:55Z.
        let headers = signature(
            (
                "QTWAOYTTINDUT2QVKYUC",
                "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc",
            ),
            (
                "GET",
                "service.region.example.com",
                "/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs",
                "marker=13551d6b-755d-4757-b956-536f674975c0&limit=2",
            ),
            Some("application/json"),
            b"",
            1_573_789_015,
        );
        assert_eq!(headers[0], ("X-Sdk-Date", "20191115T033655Z".to_string()));
        assert_eq!(
            headers[1].1,
            "SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, \
             SignedHeaders=content-type;host;x-sdk-date, \
             Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe"
        );
    }

    #[test]
    fn the_canonical_request_hash_is_the_documented_one() {
        let (canonical, signed) = sigv4::canonical_request(
            (
                "GET",
                "/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs/",
                "limit=2&marker=13551d6b-755d-4757-b956-536f674975c0",
            ),
            vec![
                ("content-type", "application/json"),
                ("host", "service.region.example.com"),
                ("x-sdk-date", "20191115T033655Z"),
            ],
            b"",
        );
        assert_eq!(signed, "content-type;host;x-sdk-date");
        assert_eq!(
            sigv4::sha256_hex(canonical.as_bytes()),
            "b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a"
        );
    }
}
