//! Namecheap's dynamic DNS, from
//! <https://www.namecheap.com/support/knowledgebase/article.aspx/29/11/how-to-dynamically-update-the-hosts-ip-with-an-http-request/>:
//! `GET /update?host=HOST&domain=DOMAIN&password=PASSWORD&ip=ADDRESS` on
//! dynamicdns.park-your-domain.com, A records only. The password must travel in
//! the query (the endpoint takes no header); it is masked wherever dynup prints
//! the URL. There is no read: the state file is what keeps an unchanged address
//! from being sent again. The answer is XML: `<ErrCount>0</ErrCount>` is success,
//! else `<Err1>why</Err1>`.

use super::api::{self, Change, Fail, Session, Target};
use crate::exit::Exit;
use crate::http::{Answer, Method};
use crate::url::encode_query_value;

/// The API this module speaks, for its preset row.
pub const API: super::api::Api = super::api::Api {
    name: "namecheap-ddns",
    send,
};

pub fn send(session: &Session, targets: &[Target]) -> Vec<Result<Change, Fail>> {
    targets
        .iter()
        .map(|target| update(session, target))
        .collect()
}

/// The domain: `--zone`, else the host's last two labels.
fn domain<'a>(session: &'a Session, name: &'a str) -> &'a str {
    api::given_or_last_two(session.job.zone.as_deref(), name)
}

fn update(session: &Session, target: &Target) -> Result<Change, Fail> {
    let domain = domain(session, &target.name);
    let host = api::relative(&target.name, domain, "@");
    let path = format!(
        "/update?host={}&domain={}&password={}&ip={}",
        encode_query_value(host),
        encode_query_value(domain),
        encode_query_value(session.token()),
        target.addr_text()
    );
    let answer = session.request(Method::Get, &path, Vec::new(), None)?;
    check(&answer)?;
    Ok(Change::Updated)
}

/// The text of the first `<tag>...</tag>` in `xml`.
fn element<'x>(xml: &'x str, tag: &str) -> Option<&'x str> {
    let open = format!("<{tag}>");
    let start = xml.find(&open)? + open.len();
    let end = start + xml[start..].find("</")?;
    Some(xml[start..end].trim())
}

fn check(answer: &Answer) -> Result<(), Fail> {
    let body = answer.body.as_str();
    let errors = element(body, "ErrCount").and_then(|n| n.parse::<u32>().ok());
    if answer.is_success() && errors == Some(0) {
        return Ok(());
    }
    let why = element(body, "Err1").unwrap_or("");
    let lower = why.to_ascii_lowercase();
    let exit = match errors {
        Some(_) if lower.contains("password") => Exit::BadAuth,
        Some(_) if lower.contains("not found") || lower.contains("domain name") => Exit::NoHost,
        Some(_) if answer.is_success() => Exit::Rejected,
        None if answer.is_success() => Exit::Unexpected,
        _ => api::status_exit(answer.status),
    };
    Err(api::fail(
        "namecheap",
        "updating the record",
        answer,
        exit,
        "",
        why,
    ))
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
        check(&answer).err().map_or(Exit::Ok, |f| f.failure.exit)
    }

    #[test]
    fn answers_map_to_exits() {
        let said = |n: u32, why: &str| {
            format!(
                "<?xml version=\"1.0\"?><interface-response><Command>SETDNSHOST</Command>\
                 <ErrCount>{n}</ErrCount><errors><Err1>{why}</Err1></errors><Done>true</Done>\
                 </interface-response>"
            )
        };
        assert_eq!(exit_of(200, &said(0, "")), Exit::Ok);
        assert_eq!(
            exit_of(200, &said(1, "Passwords do not match")),
            Exit::BadAuth
        );
        assert_eq!(
            exit_of(200, &said(1, "No Records updated. A record not Found;")),
            Exit::NoHost
        );
        assert_eq!(
            exit_of(200, &said(1, "Domain name not found")),
            Exit::NoHost
        );
        assert_eq!(exit_of(200, &said(1, "Invalid IP")), Exit::Rejected);
        assert_eq!(exit_of(200, "<html>"), Exit::Unexpected);
        assert_eq!(exit_of(503, "busy"), Exit::ServerError);
    }
}
