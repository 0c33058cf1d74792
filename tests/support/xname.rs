//! A fake FreeDNS::42 (the XName engine) XML-RPC service on a [`Mock`],
//! answering as the engine's source says (<https://github.com/freedns/freedns>:
//! html/xmlrpc.php, html/dyndns.php, doc/dynamic-update.txt):
//! - `POST /xmlrpc.php` over HTTPS only ("non-https modifications disabled"),
//!   an XML-RPC `methodCall` of `xname.updateArecord` with one struct of
//!   `user`, `password`, `zone`, `name`, `oldaddress`, `newaddress`, `ttl`
//!   (and `updatereverse`);
//! - the user and password are checked ("authentication refused"), then the
//!   zone is the user's ("You can not manage zone ..");
//! - nothing is written when the name holds exactly the new address; else
//!   `oldaddress` `*` drops the name's A and AAAA records, `*.*` its A records,
//!   `*:*` its AAAA records, an address that record; `newaddress` (with a
//!   colon: AAAA) is added;
//! - the answer is a struct with `zone`, `serial`, `name`, `addresses`, `ttl`;
//!   a failure a `<fault>` with `faultCode` 800 and `faultString`.
//!
//! What the source does not allow (a value that is not a string, a missing
//! member, a plain-HTTP call) is recorded in [`XnameApi::violations`].

use std::sync::{Arc, Mutex};

use super::{Mock, Recorded, Reply, PASSWORD};

/// The account name the fake knows.
pub const USER: &str = "myaccount";

#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub zone: String,
    pub name: String,
    pub kind: String,
    pub value: String,
    pub ttl: String,
}

#[derive(Default)]
pub struct State {
    pub zones: Vec<String>,
    pub password: String,
    pub records: Vec<Record>,
    pub serial: u64,
    /// Each call's members, as received (after unescaping).
    pub calls: Vec<Vec<(String, String)>>,
    pub violations: Vec<String>,
}

#[derive(Clone)]
pub struct XnameApi {
    pub state: Arc<Mutex<State>>,
}

pub fn fault(why: &str) -> Reply {
    Reply::ok(&format!(
        "<?xml version=\"1.0\"?>\n<methodResponse>\n<fault>\n<value>\n<struct>\n\
         <member>\n<name>faultCode</name>\n<value><int>800</int></value>\n</member>\n\
         <member>\n<name>faultString</name>\n<value><string>{why}</string></value>\n\
         </member>\n</struct>\n</value>\n</fault>\n</methodResponse>"
    ))
    .header("Content-Type", "text/xml")
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// The text between `open` and the next `close` in `text`, and what follows.
fn between<'t>(text: &'t str, open: &str, close: &str) -> Option<(&'t str, &'t str)> {
    let start = text.find(open)? + open.len();
    let len = text[start..].find(close)?;
    Some((
        &text[start..start + len],
        &text[start + len + close.len()..],
    ))
}

/// The method name and the members of the one struct parameter, each value a
/// `<string>`; `Err` says what is not so.
fn parse_call(body: &str) -> Result<(String, Vec<(String, String)>), String> {
    let body = body.trim();
    if !body.starts_with("<?xml") {
        return Err("no XML declaration".to_string());
    }
    let (method, _) = between(body, "<methodName>", "</methodName>").ok_or("no methodName")?;
    let (params, _) = between(body, "<params>", "</params>").ok_or("no params")?;
    if params.matches("<param>").count() != 1 {
        return Err("not exactly one param".to_string());
    }
    let (fields, _) = between(params, "<struct>", "</struct>").ok_or("no struct")?;
    let mut members = Vec::new();
    let mut rest = fields;
    while let Some((member, after)) = between(rest, "<member>", "</member>") {
        let (name, value) = between(member, "<name>", "</name>").ok_or("member without name")?;
        let (value, _) = between(value, "<value>", "</value>").ok_or("member without value")?;
        let Some(string) = value
            .strip_prefix("<string>")
            .and_then(|v| v.strip_suffix("</string>"))
        else {
            return Err(format!("{name}: not a string: {value}"));
        };
        if string.contains('<') {
            return Err(format!("{name}: unescaped markup"));
        }
        members.push((name.to_string(), unescape(string)));
        rest = after;
    }
    Ok((method.to_string(), members))
}

impl XnameApi {
    pub fn on(mock: &Mock, zones: &[&str]) -> XnameApi {
        XnameApi::with_password(mock, zones, PASSWORD)
    }

    /// The fake with the account's password `password`.
    pub fn with_password(mock: &Mock, zones: &[&str], password: &str) -> XnameApi {
        let api = XnameApi {
            state: Arc::new(Mutex::new(State {
                zones: zones.iter().map(|z| z.to_string()).collect(),
                password: password.to_string(),
                serial: 2026112900,
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
        self.lock().records.push(Record {
            zone: zone.to_string(),
            name: name.to_string(),
            kind: kind.to_string(),
            value: value.to_string(),
            ttl: "-1".to_string(),
        });
    }

    /// The values of a name's records of a type.
    pub fn values(&self, name: &str, kind: &str) -> Vec<String> {
        self.lock()
            .records
            .iter()
            .filter(|r| r.name == name && r.kind == kind)
            .map(|r| r.value.clone())
            .collect()
    }

    pub fn records(&self) -> Vec<Record> {
        self.lock().records.clone()
    }

    pub fn calls(&self) -> Vec<Vec<(String, String)>> {
        self.lock().calls.clone()
    }

    pub fn serial(&self) -> u64 {
        self.lock().serial
    }

    pub fn violations(&self) -> Vec<String> {
        self.lock().violations.clone()
    }
}

impl State {
    fn violation(&mut self, what: String) -> Reply {
        self.violations.push(what.clone());
        fault(&what)
    }

    fn answer(&mut self, request: &Recorded) -> Reply {
        if request.method != "POST" || request.target != "/xmlrpc.php" {
            return self.violation(format!("{} {}", request.method, request.target));
        }
        if !request.tls {
            self.violations.push("a call over plain HTTP".to_string());
            return fault("non-https modifications disabled");
        }
        if !request
            .header("content-type")
            .is_some_and(|t| t.starts_with("text/xml"))
        {
            return self.violation("Content-Type is not text/xml".to_string());
        }
        let (method, members) = match parse_call(&request.body) {
            Ok(call) => call,
            Err(why) => return self.violation(format!("not an XML-RPC call: {why}")),
        };
        if method != "xname.updateArecord" {
            return self.violation(format!("method {method}"));
        }
        self.calls.push(members.clone());
        let get = |key: &str| {
            members
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
        };
        let (Some(user), Some(password), Some(zone), Some(name)) =
            (get("user"), get("password"), get("zone"), get("name"))
        else {
            return self.violation("user, password, zone or name missing".to_string());
        };
        if user != USER || password != self.password {
            return fault("authentication refused");
        }
        if !self.zones.contains(&zone) {
            return fault(&format!("You can not manage zone {zone}"));
        }
        let new = get("newaddress").unwrap_or_default();
        let kind = match new.parse::<std::net::IpAddr>() {
            Ok(std::net::IpAddr::V4(_)) => "A",
            Ok(std::net::IpAddr::V6(_)) => "AAAA",
            Err(_) if new.is_empty() => "",
            Err(_) => return fault(&format!("{new} has to be an IP address")),
        };
        let held: Vec<String> = self
            .records
            .iter()
            .filter(|r| r.zone == zone && r.name == name)
            .map(|r| r.value.clone())
            .collect();
        let ttl = get("ttl").unwrap_or_else(|| "-1".to_string());
        if let Some(old) = get("oldaddress").filter(|o| !o.is_empty()) {
            if held.len() == 1 && held[0] == new {
                return self.success(&zone, &name, &ttl);
            }
            let drop: &dyn Fn(&Record) -> bool = match old.as_str() {
                "*" => &|_| true,
                "*.*" => &|r| r.kind == "A",
                "*:*" => &|r| r.kind == "AAAA",
                _ => &|r| r.value == old,
            };
            self.records
                .retain(|r| !(r.zone == zone && r.name == name && drop(r)));
        }
        if !kind.is_empty() {
            self.records.push(Record {
                zone: zone.clone(),
                name: name.clone(),
                kind: kind.to_string(),
                value: new,
                ttl: ttl.clone(),
            });
        }
        self.serial += 1;
        self.success(&zone, &name, &ttl)
    }

    fn success(&self, zone: &str, name: &str, ttl: &str) -> Reply {
        let addresses: String = self
            .records
            .iter()
            .filter(|r| r.zone == zone && r.name == name)
            .map(|r| format!("<value><string>{}</string></value>\n", r.value))
            .collect();
        let member = |key: &str, value: &str| {
            format!("<member><name>{key}</name>\n<value>{value}</value>\n</member>\n")
        };
        Reply::ok(&format!(
            "<?xml version=\"1.0\"?>\n<methodResponse>\n<params>\n<param>\n<value>\n<struct>\n{}{}{}{}{}</struct>\n</value>\n</param>\n</params>\n</methodResponse>",
            member("zone", &format!("<string>{zone}</string>")),
            member("serial", &format!("<string>{}</string>", self.serial)),
            member("name", &format!("<string>{name}</string>")),
            member("addresses", &format!("<array>\n<data>\n{addresses}</data>\n</array>")),
            member("ttl", &format!("<string>{ttl}</string>")),
        ))
        .header("Content-Type", "text/xml")
    }
}
