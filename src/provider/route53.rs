//! Amazon Route 53, from <https://docs.aws.amazon.com/Route53/latest/APIReference/>
//! (API version 2013-04-01, XML), every request signed with Signature V4
//! (`sigv4.rs`; region us-east-1, service route53):
//! - `GET /hostedzone`: the hosted zones (`Id` /hostedzone/ID, `Name` absolute),
//!   once per run (`--zone` picks one);
//! - `GET /hostedzone/{id}/rrset?maxitems=1&name=NAME.&type=TYPE`: the record set
//!   at or after that name and type (so it is checked to be the one asked for);
//! - `POST /hostedzone/{id}/rrset/` with a ChangeBatch of one UPSERT, the set's own
//!   TTL (`--ttl` or 300 for a new one) and the new value: update and create alike.
//!
//! Errors are `<ErrorResponse><Error><Code>..</Code><Message>..</Message>`;
//! throttling comes as a 400 with the code `Throttling`.

use super::api::{self, Change, Fail, Session, Step, Target, Zone};
use super::sigv4;
use crate::clock;
use crate::exit::Exit;
use crate::http::{Answer, Method};
use crate::url::percent_encode;

const DEFAULT_TTL: &str = "300";
const XMLNS: &str = "https://route53.amazonaws.com/doc/2013-04-01/";

/// A request to `base + path`, signed, sent, and its answer checked while `doing` this.
fn send_signed(
    session: &Session,
    method: Method,
    path: &str,
    body: Option<String>,
    doing: &str,
) -> Result<Answer, Fail> {
    let mut call = session.call(method, path, Vec::new(), body);
    let rest = call.url.split_once("://").map_or("", |(_, rest)| rest);
    let (authority, path_query) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let (path, query) = path_query.split_once('?').unwrap_or((path_query, ""));
    let secret = session.job.key_secret.as_ref().map_or("", |s| s.expose());
    let creds = sigv4::Credentials {
        access_key: session.token(),
        secret_key: secret,
        region: "us-east-1",
        service: "route53",
    };
    let payload = call.body.as_deref().unwrap_or("").as_bytes();
    let signature = sigv4::sign(
        &creds,
        (method.name(), authority, path, query),
        &[],
        payload,
        clock::now(),
    );
    call.headers = vec![
        ("X-Amz-Date", signature.amz_date),
        ("Authorization", signature.authorization),
    ];
    call.content_type = "text/xml";
    let answer = session.send(&call)?;
    check(&answer, doing)?;
    Ok(answer)
}

/// The text of each `<tag>..</tag>` in `xml` (not nested in itself).
fn elements<'x>(xml: &'x str, tag: &str) -> Vec<&'x str> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    let mut found = Vec::new();
    let mut rest = xml;
    while let Some(start) = rest.find(&open) {
        let after = &rest[start + open.len()..];
        let Some(end) = after.find(&close) else { break };
        found.push(&after[..end]);
        rest = &after[end + close.len()..];
    }
    found
}

fn element<'x>(xml: &'x str, tag: &str) -> Option<&'x str> {
    elements(xml, tag).into_iter().next()
}

/// The API this module speaks, for its preset row.
pub const API: super::api::Api = super::api::Api {
    name: "route53-sigv4",
    send,
};

pub fn send(session: &Session, targets: &[Target]) -> Vec<Result<Change, Fail>> {
    api::each_target("route53", targets, zones(session), &|zone, target| {
        set_record(session, zone, target)
    })
}

fn zones(session: &Session) -> Result<Vec<Zone>, Fail> {
    let answer = send_signed(
        session,
        Method::Get,
        "/hostedzone",
        None,
        "looking up the zone",
    )?;
    let given = session.job.zone.as_deref();
    let zones: Vec<Zone> = elements(&answer.body, "HostedZone")
        .into_iter()
        .filter_map(|zone| {
            let id = element(zone, "Id")?;
            let name = element(zone, "Name")?
                .trim_end_matches('.')
                .to_ascii_lowercase();
            Some(Zone {
                id: id.trim_start_matches("/hostedzone/").to_string(),
                name,
            })
        })
        .filter(|zone| given.is_none_or(|g| g == zone.name))
        .collect();
    match given {
        Some(zone) if zones.is_empty() => Err(Fail::new(
            Exit::NoHost,
            format!("route53: zone {zone} not found (or these credentials cannot see it)"),
        )),
        _ => Ok(zones),
    }
}

fn set_record(session: &Session, zone: &Zone, target: &Target) -> Result<Change, Fail> {
    let absolute = format!("{}.", target.name);
    let rrset_path = format!("/hostedzone/{}/rrset", percent_encode(&zone.id));
    let answer = send_signed(
        session,
        Method::Get,
        &format!(
            "{rrset_path}?maxitems=1&name={}&type={}",
            percent_encode(&absolute),
            target.kind
        ),
        None,
        "reading the record",
    )?;
    // The listing starts at the name and type asked for: the first set may be another.
    let rrset = element(&answer.body, "ResourceRecordSet").filter(|set| {
        element(set, "Name").is_some_and(|n| n.eq_ignore_ascii_case(&absolute))
            && element(set, "Type") == Some(target.kind)
    });
    let values = rrset.map_or(Vec::new(), |set| elements(set, "Value"));
    let change = match api::step("route53", target, &values, |v| Some(v))? {
        Step::Current => return Ok(Change::Current),
        Step::Create => Change::Created,
        Step::Update(_) => Change::Updated,
    };
    let ttl = match (rrset.and_then(|set| element(set, "TTL")), session.job.ttl) {
        (Some(ttl), _) => ttl.to_string(),
        (None, Some(ttl)) => ttl.to_string(),
        (None, None) => DEFAULT_TTL.to_string(),
    };
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ChangeResourceRecordSetsRequest xmlns=\"{XMLNS}\">\
         <ChangeBatch><Comment>dynup</Comment><Changes><Change><Action>UPSERT</Action>\
         <ResourceRecordSet><Name>{absolute}</Name><Type>{}</Type><TTL>{ttl}</TTL>\
         <ResourceRecords><ResourceRecord><Value>{}</Value></ResourceRecord></ResourceRecords>\
         </ResourceRecordSet></Change></Changes></ChangeBatch></ChangeResourceRecordSetsRequest>",
        target.kind,
        target.addr_text()
    );
    send_signed(
        session,
        Method::Post,
        &format!("{rrset_path}/"),
        Some(body),
        "setting the record",
    )?;
    Ok(change)
}

/// A 2xx, else the failure the error code (first) or the status means.
fn check(answer: &Answer, doing: &str) -> Result<(), Fail> {
    if answer.is_success() {
        return Ok(());
    }
    let code = element(&answer.body, "Code").unwrap_or("");
    let exit = match code {
        "InvalidClientTokenId"
        | "SignatureDoesNotMatch"
        | "AccessDenied"
        | "IncompleteSignature"
        | "MissingAuthenticationToken"
        | "ExpiredToken" => Exit::BadAuth,
        "NoSuchHostedZone" => Exit::NoHost,
        "Throttling" | "ThrottlingException" | "PriorRequestNotComplete" => Exit::ServerError,
        "InvalidChangeBatch" | "InvalidInput" => Exit::Rejected,
        _ => api::status_exit(answer.status),
    };
    let message = element(&answer.body, "Message").unwrap_or("");
    Err(api::fail("route53", doing, answer, exit, code, message))
}
