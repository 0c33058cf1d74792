//! A fake Amazon Route 53 (API 2013-04-01) on a [`Mock`], answering as
//! <https://docs.aws.amazon.com/Route53/latest/APIReference/> says
//! (ListHostedZones, ListResourceRecordSets, ChangeResourceRecordSets, Common
//! Errors), and checking every request's Signature Version 4 as
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html>
//! describes it (recomputed here from the request as received: region us-east-1,
//! service route53, access key [`TOKEN`], secret key [`PASSWORD`]):
//! - a bad signature or key -> 403 `SignatureDoesNotMatch` / `InvalidClientTokenId`;
//! - `GET /2013-04-01/hostedzone` -> `ListHostedZonesResponse`;
//! - `GET /2013-04-01/hostedzone/{Id}/rrset?maxitems=&name=&type=` -> the sets
//!   from that name and type on, in order; 404 `NoSuchHostedZone`;
//! - `POST /2013-04-01/hostedzone/{Id}/rrset/` with one UPSERT -> `ChangeInfo`
//!   PENDING; a bad value, or a name that holds a CNAME -> 400 `InvalidChangeBatch`.
//!
//! What the pages do not allow is recorded in [`Route53Api::violations`].

use std::sync::{Arc, Mutex};

use ring::{digest, hmac};

use super::{Mock, Recorded, Reply, PASSWORD, TOKEN};

#[derive(Clone, Debug, PartialEq)]
pub struct RRSet {
    pub zone: String,
    /// Absolute, with the final dot.
    pub name: String,
    pub kind: String,
    pub ttl: u32,
    pub values: Vec<String>,
}

#[derive(Default)]
pub struct State {
    /// (Id, absolute name)
    pub zones: Vec<(String, String)>,
    pub rrsets: Vec<RRSet>,
    pub violations: Vec<String>,
}

#[derive(Clone)]
pub struct Route53Api {
    pub state: Arc<Mutex<State>>,
}

fn xml(status: u16, body: &str) -> Reply {
    Reply::status(status, &format!("<?xml version=\"1.0\"?>\n{body}"))
        .header("Content-Type", "text/xml")
}

pub fn error(status: u16, code: &str, message: &str) -> Reply {
    xml(
        status,
        &format!(
            "<ErrorResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><Error><Type>Sender</Type>\
             <Code>{code}</Code><Message>{message}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>"
        ),
    )
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn mac(key: &[u8], data: &str) -> Vec<u8> {
    hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), data.as_bytes())
        .as_ref()
        .to_vec()
}

/// The SigV4 signature of `request` as received, for the headers it says it signed.
fn expected_signature(request: &Recorded, date: &str, signed: &str) -> String {
    let query = request.target.split_once('?').map_or("", |(_, q)| q);
    let mut params: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
    params.sort_unstable();
    let headers: String = signed
        .split(';')
        .map(|name| format!("{name}:{}\n", request.header(name).unwrap_or("").trim()))
        .collect();
    let canonical = format!(
        "{}\n{}\n{}\n{headers}\n{signed}\n{}",
        request.method,
        request.path,
        params.join("&"),
        hex(digest::digest(&digest::SHA256, request.body.as_bytes()).as_ref())
    );
    let amz_date = request.header("x-amz-date").unwrap_or("");
    let to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{date}/us-east-1/route53/aws4_request\n{}",
        hex(digest::digest(&digest::SHA256, canonical.as_bytes()).as_ref())
    );
    let mut key = mac(format!("AWS4{PASSWORD}").as_bytes(), date);
    for part in ["us-east-1", "route53", "aws4_request"] {
        key = mac(&key, part);
    }
    hex(&mac(&key, &to_sign))
}

/// The text of each `<tag>..</tag>`.
fn elements<'x>(text: &'x str, tag: &str) -> Vec<&'x str> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(&open) {
        let after = &rest[start + open.len()..];
        let Some(end) = after.find(&close) else { break };
        found.push(&after[..end]);
        rest = &after[end + close.len()..];
    }
    found
}

impl Route53Api {
    pub fn on(mock: &Mock, zones: &[&str]) -> Route53Api {
        let api = Route53Api {
            state: Arc::new(Mutex::new(State {
                zones: zones
                    .iter()
                    .enumerate()
                    .map(|(i, z)| (format!("Z1D633PJN98FT{i}"), format!("{z}.")))
                    .collect(),
                ..State::default()
            })),
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

    pub fn add(&self, zone: &str, name: &str, kind: &str, value: &str) {
        let mut state = self.lock();
        let zone = state
            .zones
            .iter()
            .find(|(_, n)| *n == format!("{zone}."))
            .map(|(id, _)| id.clone())
            .unwrap_or_default();
        state.rrsets.push(RRSet {
            zone,
            name: format!("{name}."),
            kind: kind.to_string(),
            ttl: 600,
            values: vec![value.to_string()],
        });
    }

    pub fn rrset(&self, name: &str, kind: &str) -> Option<RRSet> {
        self.lock()
            .rrsets
            .iter()
            .find(|r| r.name == format!("{name}.") && r.kind == kind)
            .cloned()
    }

    pub fn violations(&self) -> Vec<String> {
        self.lock().violations.clone()
    }
}

impl State {
    fn violation(&mut self, what: String) -> Reply {
        self.violations.push(what.clone());
        error(400, "InvalidInput", &what)
    }

    /// None when the signature holds, else the error to answer.
    fn check_signature(&mut self, request: &Recorded) -> Option<Reply> {
        let Some(auth) = request.header("authorization") else {
            return Some(error(
                403,
                "MissingAuthenticationToken",
                "Missing Authentication Token",
            ));
        };
        let Some(rest) = auth.strip_prefix("AWS4-HMAC-SHA256 Credential=") else {
            return Some(error(400, "IncompleteSignature", "not AWS4-HMAC-SHA256"));
        };
        let parts: Vec<&str> = rest.split(", ").collect();
        let [credential, signed, signature] = parts.as_slice() else {
            return Some(error(
                400,
                "IncompleteSignature",
                "Credential, SignedHeaders, Signature",
            ));
        };
        let scope: Vec<&str> = credential.split('/').collect();
        let (Some(signed), Some(signature)) = (
            signed.strip_prefix("SignedHeaders="),
            signature.strip_prefix("Signature="),
        ) else {
            return Some(error(
                400,
                "IncompleteSignature",
                "SignedHeaders and Signature",
            ));
        };
        if scope.len() != 5 || scope[2..] != ["us-east-1", "route53", "aws4_request"] {
            self.violations
                .push(format!("credential scope {credential}"));
            return Some(error(403, "SignatureDoesNotMatch", "credential scope"));
        }
        if scope[0] != TOKEN {
            return Some(error(
                403,
                "InvalidClientTokenId",
                "The security token included in the request is invalid.",
            ));
        }
        let date = request.header("x-amz-date").unwrap_or("");
        if !date.starts_with(scope[1]) || !signed.split(';').any(|h| h == "host") {
            self.violations
                .push(format!("date {date} or signed headers {signed}"));
            return Some(error(
                403,
                "SignatureDoesNotMatch",
                "date or signed headers",
            ));
        }
        if expected_signature(request, scope[1], signed) != *signature {
            return Some(error(
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided.",
            ));
        }
        None
    }

    fn answer(&mut self, request: &Recorded) -> Reply {
        if !request.tls {
            return self.violation("HTTPS only".to_string());
        }
        if let Some(reply) = self.check_signature(request) {
            return reply;
        }
        let Some(path) = request.path.strip_prefix("/2013-04-01/") else {
            return self.violation(format!("{} is not under /2013-04-01", request.path));
        };
        let parts: Vec<&str> = path.split('/').collect();
        match (request.method.as_str(), parts.as_slice()) {
            ("GET", ["hostedzone"]) => {
                let zones: String = self
                    .zones
                    .iter()
                    .map(|(id, name)| {
                        format!(
                            "<HostedZone><Id>/hostedzone/{id}</Id><Name>{name}</Name><CallerReference>c</CallerReference>\
                             <Config><PrivateZone>false</PrivateZone></Config><ResourceRecordSetCount>4</ResourceRecordSetCount></HostedZone>"
                        )
                    })
                    .collect();
                xml(
                    200,
                    &format!(
                        "<ListHostedZonesResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\">\
                         <HostedZones>{zones}</HostedZones><IsTruncated>false</IsTruncated><MaxItems>100</MaxItems></ListHostedZonesResponse>"
                    ),
                )
            }
            (method, ["hostedzone", id, "rrset", rest @ ..]) => {
                let id = id.to_string();
                if !self.zones.iter().any(|(z, _)| *z == id) {
                    return error(
                        404,
                        "NoSuchHostedZone",
                        &format!("No hosted zone found with ID: {id}"),
                    );
                }
                match (method, rest) {
                    ("GET", []) => self.list(request, &id),
                    ("POST", [""]) => self.change(request, &id),
                    _ => self.violation(format!("{method} {} is not an API call", request.path)),
                }
            }
            _ => self.violation(format!(
                "{} {} is not an API call",
                request.method, request.path
            )),
        }
    }

    fn list(&mut self, request: &Recorded, id: &str) -> Reply {
        let name = request.param("name").unwrap_or("");
        let kind = request.param("type").unwrap_or("");
        let max: usize = request
            .param("maxitems")
            .and_then(|m| m.parse().ok())
            .unwrap_or(300);
        let mut sets: Vec<&RRSet> = self.rrsets.iter().filter(|r| r.zone == id).collect();
        sets.sort_by(|a, b| (&a.name, &a.kind).cmp(&(&b.name, &b.kind)));
        let shown: String = sets
            .into_iter()
            .filter(|r| (r.name.as_str(), r.kind.as_str()) >= (name, kind))
            .take(max)
            .map(|r| {
                let values: String = r
                    .values
                    .iter()
                    .map(|v| format!("<ResourceRecord><Value>{v}</Value></ResourceRecord>"))
                    .collect();
                format!(
                    "<ResourceRecordSet><Name>{}</Name><Type>{}</Type><TTL>{}</TTL><ResourceRecords>{values}</ResourceRecords></ResourceRecordSet>",
                    r.name, r.kind, r.ttl
                )
            })
            .collect();
        xml(
            200,
            &format!(
                "<ListResourceRecordSetsResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\">\
                 <ResourceRecordSets>{shown}</ResourceRecordSets><IsTruncated>false</IsTruncated><MaxItems>{max}</MaxItems></ListResourceRecordSetsResponse>"
            ),
        )
    }

    fn change(&mut self, request: &Recorded, id: &str) -> Reply {
        let body = request.body.as_str();
        let changes = elements(body, "Change");
        let (Some(action), Some(name), Some(kind), Some(ttl)) = (
            changes
                .first()
                .and_then(|c| elements(c, "Action").first().copied()),
            elements(body, "Name").first().copied(),
            elements(body, "Type").first().copied(),
            elements(body, "TTL").first().copied(),
        ) else {
            return error(
                400,
                "InvalidInput",
                "Invalid XML; a change needs Action, Name, Type, TTL",
            );
        };
        if changes.len() != 1 || action != "UPSERT" || !body.contains("<ChangeResourceRecordSetsRequest xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\">") {
            return self.violation(format!("change: {body}"));
        }
        let values: Vec<String> = elements(body, "Value")
            .iter()
            .map(|v| v.to_string())
            .collect();
        let valid = |v: &String| match kind {
            "A" => v.parse::<std::net::Ipv4Addr>().is_ok(),
            "AAAA" => v.parse::<std::net::Ipv6Addr>().is_ok(),
            _ => false,
        };
        let Ok(ttl) = ttl.parse::<u32>() else {
            return error(400, "InvalidChangeBatch", "Invalid TTL");
        };
        if values.is_empty() || !values.iter().all(valid) || ttl > 2_147_483_647 {
            return error(400, "InvalidChangeBatch", "Invalid Resource Record");
        }
        if self
            .rrsets
            .iter()
            .any(|r| r.zone == id && r.name == name && r.kind == "CNAME")
        {
            return error(
                400,
                "InvalidChangeBatch",
                &format!("RRSet of type {kind} with DNS name {name} is not permitted because a conflicting RRSet of type CNAME with the same DNS name already exists"),
            );
        }
        let (name, kind) = (name.to_string(), kind.to_string());
        match self
            .rrsets
            .iter_mut()
            .find(|r| r.zone == id && r.name == name && r.kind == kind)
        {
            Some(set) => {
                set.ttl = ttl;
                set.values = values;
            }
            None => self.rrsets.push(RRSet {
                zone: id.to_string(),
                name,
                kind,
                ttl,
                values,
            }),
        }
        xml(
            200,
            "<ChangeResourceRecordSetsResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\">\
             <ChangeInfo><Id>/change/C2682N5HXP0BZ4</Id><Status>PENDING</Status>\
             <SubmittedAt>2026-01-01T00:00:00.000Z</SubmittedAt></ChangeInfo></ChangeResourceRecordSetsResponse>",
        )
    }
}
