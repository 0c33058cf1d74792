//! FreeDNS::42 (freedns.42.pl), which runs the XName engine, through its
//! XML-RPC service, from the engine's source <https://github.com/freedns/freedns>
//! (html/xmlrpc.php, html/dyndns.php, doc/dynamic-update.txt) and ddns-scripts'
//! update_freedns_42_pl.sh: per record one `POST /xmlrpc.php` (`text/xml`)
//! calling `xname.updateArecord` with a struct of strings: `name` (the label in
//! the zone, `@` for the apex), `zone`, `oldaddress`, `updatereverse`, `user`,
//! `ttl`, `newaddress` and `password`. `oldaddress` `*.*` replaces the name's A
//! records, `*:*` its AAAA records (the script's bare `*` would drop both
//! families); a `newaddress` with a colon is an AAAA record. The server writes
//! nothing when the name holds exactly that address; there is no read, the
//! state file keeps an unchanged address from being sent again.
//!
//! Success is a struct with `serial`; a failure a `<fault>` whose `faultString`
//! says why (`authentication refused`, `You can not manage zone ..`, the zone
//! that is not the account's or does not exist).

use super::api::{self, Change, Fail, Session, Target};
use crate::exit::Exit;
use crate::http::{Answer, Method};
use crate::secret::{Redactor, Secret};

/// The TTL the script sets when none is given.
const DEFAULT_TTL: u32 = 600;

/// `text` as XML character data.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The password travels XML-escaped: mask that form too.
pub fn mask_xml_form(redactor: &mut Redactor, secret: &Secret) {
    let escaped = escape(secret.expose());
    if escaped != secret.expose() {
        redactor.add(&Secret::new(escaped));
    }
}

/// The domain: `--zone`, else the host's last two labels.
fn zone<'a>(session: &'a Session, name: &'a str) -> &'a str {
    api::given_or_last_two(session.job.zone.as_deref(), name)
}

/// The method call setting `target`.
fn call_text(session: &Session, target: &Target) -> String {
    let zone = zone(session, &target.name);
    let ttl = session.job.ttl.unwrap_or(DEFAULT_TTL).to_string();
    let old = if target.kind == "A" { "*.*" } else { "*:*" };
    let members = [
        ("name", api::relative(&target.name, zone, "@")),
        ("zone", zone),
        ("oldaddress", old),
        ("updatereverse", "0"),
        ("user", session.job.user.as_deref().unwrap_or("")),
        ("ttl", &ttl),
        ("newaddress", &target.addr_text()),
        ("password", session.token()),
    ];
    let mut text = String::from(
        "<?xml version=\"1.0\"?><methodCall><methodName>xname.updateArecord</methodName>\
         <params><param><value><struct>",
    );
    for (name, value) in members {
        text.push_str(&format!(
            "<member><name>{name}</name><value><string>{}</string></value></member>",
            escape(value)
        ));
    }
    text.push_str("</struct></value></param></params></methodCall>");
    text
}

/// The API this module speaks, for its preset row.
pub const API: super::api::Api = super::api::Api {
    name: "xname-xmlrpc",
    send,
};

pub fn send(session: &Session, targets: &[Target]) -> Vec<Result<Change, Fail>> {
    targets
        .iter()
        .map(|target| {
            let mut call = session.call(
                Method::Post,
                "",
                Vec::new(),
                Some(call_text(session, target)),
            );
            call.content_type = "text/xml";
            check(&session.send(&call)?)?;
            Ok(Change::Updated)
        })
        .collect()
}

/// The text of the `<string>` (or bare value) after `<name>faultString</name>`.
fn fault_string(body: &str) -> &str {
    let Some(at) = body.find("<name>faultString</name>") else {
        return "";
    };
    let rest = &body[at..];
    let Some(start) = rest.find("<value>") else {
        return "";
    };
    let value = &rest[start + "<value>".len()..];
    let value = value.strip_prefix("<string>").unwrap_or(value);
    value[..value.find('<').unwrap_or(value.len())].trim()
}

fn check(answer: &Answer) -> Result<(), Fail> {
    let body = answer.body.as_str();
    let fault = body.contains("<fault>");
    if answer.is_success() && !fault && body.contains("<name>serial</name>") {
        return Ok(());
    }
    let why = if fault { fault_string(body) } else { "" };
    let lower = why.to_ascii_lowercase();
    let exit = match fault {
        _ if !answer.is_success() => api::status_exit(answer.status),
        true if lower.contains("authentication") => Exit::BadAuth,
        true if lower.contains("can not manage zone") => Exit::NoHost,
        true => Exit::Rejected,
        false => Exit::Unexpected,
    };
    Err(api::fail(
        "xname",
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

    fn fault(why: &str) -> String {
        format!(
            "<?xml version=\"1.0\"?><methodResponse><fault><value><struct><member>\
             <name>faultCode</name><value><int>800</int></value></member><member>\
             <name>faultString</name><value><string>{why}</string></value></member>\
             </struct></value></fault></methodResponse>"
        )
    }

    #[test]
    fn answers_map_to_exits() {
        let ok = "<methodResponse><params><param><value><struct><member><name>serial</name>\
                  <value><string>2026112901</string></value></member></struct></value></param>\
                  </params></methodResponse>";
        assert_eq!(exit_of(200, ok), Exit::Ok);
        assert_eq!(
            exit_of(200, &fault("authentication refused")),
            Exit::BadAuth
        );
        assert_eq!(
            exit_of(200, &fault("You can not manage zone example.com")),
            Exit::NoHost
        );
        assert_eq!(exit_of(200, &fault("Check error: x")), Exit::Rejected);
        assert_eq!(fault_string(&fault("Check error: x")), "Check error: x");
        assert_eq!(exit_of(200, "<html>"), Exit::Unexpected);
        assert_eq!(exit_of(503, "busy"), Exit::ServerError);
    }

    #[test]
    fn values_are_escaped_and_so_masked() {
        assert_eq!(escape("a<b&c>"), "a&lt;b&amp;c&gt;");
        let mut redactor = Redactor::default();
        let secret = Secret::new("pw<&x".to_string());
        redactor.add(&secret);
        mask_xml_form(&mut redactor, &secret);
        assert_eq!(
            redactor.apply("<string>pw&lt;&amp;x</string>"),
            "<string>***</string>"
        );
    }
}
