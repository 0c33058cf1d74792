//! A fake TransIP REST API v6 on a [`Mock`], answering as
//! <https://api.transip.nl/rest/docs.html> says (Authentication, Domains, DNS):
//! - `POST /v6/auth` with a JSON body (`login`, `nonce`, `read_only`,
//!   `expiration_time`, `label`, `global_key`) and `Signature`: base64 of the
//!   body's RSA-SHA512 signature, checked here with the public key of the
//!   account's key pair (tests/keys/) -> 201 `{"token":".."}`; a wrong
//!   signature, login or reused nonce is 401 `{"error":".."}`;
//! - every other request carries `Authorization: Bearer TOKEN` (one handed out
//!   here), else 401;
//! - `GET /v6/domains` -> `{"domains":[{"name":..},..]}`;
//! - `GET /v6/domains/{domain}/dns` -> `{"dnsEntries":[{"name","expire","type",
//!   "content"}]}`, 404 for a domain not in the account;
//! - `PATCH /v6/domains/{domain}/dns` `{"dnsEntry":{..}}`: the one entry of that
//!   name, expire and type gets the content -> 204; none is 404, several 406;
//! - `POST /v6/domains/{domain}/dns` `{"dnsEntry":{..}}` -> 201.
//!
//! What the page does not allow is recorded in [`TransipApi::violations`].

use std::sync::{Arc, Mutex};

use base64::Engine;
use ring::signature::RSA_PKCS1_2048_8192_SHA512;

use super::rest::{field, flat_json, json_reply, valid_content};
use super::{rsa_key, Mock, Recorded, Reply};

/// The account's login name.
pub const LOGIN: &str = "myaccount";

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub domain: String,
    pub name: String,
    pub expire: u32,
    pub kind: String,
    pub content: String,
}

#[derive(Default)]
pub struct State {
    pub domains: Vec<String>,
    pub entries: Vec<Entry>,
    pub violations: Vec<String>,
    /// `METHOD PATH` of each request, in order.
    pub calls: Vec<String>,
    /// The login bodies, as received.
    pub logins: Vec<String>,
    nonces: Vec<String>,
    tokens: Vec<String>,
}

#[derive(Clone)]
pub struct TransipApi {
    pub state: Arc<Mutex<State>>,
}

pub fn error(status: u16, message: &str) -> Reply {
    json_reply(status, &format!(r#"{{"error":"{message}"}}"#))
}

impl TransipApi {
    pub fn on(mock: &Mock, domains: &[&str]) -> TransipApi {
        let api = TransipApi {
            state: Arc::new(Mutex::new(State {
                domains: domains.iter().map(|d| d.to_string()).collect(),
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

    pub fn add(&self, domain: &str, name: &str, expire: u32, kind: &str, content: &str) {
        self.lock().entries.push(Entry {
            domain: domain.to_string(),
            name: name.to_string(),
            expire,
            kind: kind.to_string(),
            content: content.to_string(),
        });
    }

    pub fn entries(&self, name: &str, kind: &str) -> Vec<Entry> {
        self.lock()
            .entries
            .iter()
            .filter(|e| e.name == name && e.kind == kind)
            .cloned()
            .collect()
    }

    pub fn calls(&self) -> Vec<String> {
        self.lock().calls.clone()
    }

    pub fn logins(&self) -> Vec<String> {
        self.lock().logins.clone()
    }

    pub fn tokens(&self) -> Vec<String> {
        self.lock().tokens.clone()
    }

    pub fn violations(&self) -> Vec<String> {
        self.lock().violations.clone()
    }
}

/// The members of `{"dnsEntry":{..}}`.
fn dns_entry(body: &str) -> Option<Vec<(String, String)>> {
    let inner = body
        .trim()
        .strip_prefix('{')?
        .trim_start()
        .strip_prefix("\"dnsEntry\"")?
        .trim_start()
        .strip_prefix(':')?
        .trim_end()
        .strip_suffix('}')?;
    flat_json(inner)
}

impl State {
    fn violation(&mut self, what: String) -> Reply {
        self.violations.push(what.clone());
        error(400, &what)
    }

    fn answer(&mut self, request: &Recorded) -> Reply {
        self.calls
            .push(format!("{} {}", request.method, request.path));
        if !request.tls {
            return self.violation("a request without TLS".into());
        }
        if request.method != "GET" && request.header("content-type") != Some("application/json") {
            return self.violation(format!("{} without a JSON body", request.path));
        }
        if request.path == "/v6/auth" && request.method == "POST" {
            return self.login(request);
        }
        let bearer = request
            .header("authorization")
            .and_then(|a| a.strip_prefix("Bearer "));
        if !bearer.is_some_and(|t| self.tokens.iter().any(|known| known == t)) {
            return error(401, "Your access token has been revoked.");
        }
        let parts: Vec<&str> = request.path.split('/').collect();
        match (request.method.as_str(), parts.as_slice()) {
            ("GET", ["", "v6", "domains"]) => {
                let list: Vec<String> = self
                    .domains
                    .iter()
                    .map(|d| format!(r#"{{"name":"{d}","isDnsOnly":false}}"#))
                    .collect();
                json_reply(200, &format!(r#"{{"domains":[{}]}}"#, list.join(",")))
            }
            (method, ["", "v6", "domains", domain, "dns"]) => {
                let domain = domain.to_string();
                if !self.domains.contains(&domain) {
                    return error(404, &format!("Domain with name '{domain}' not found"));
                }
                match method {
                    "GET" => self.list(&domain),
                    "PATCH" | "POST" => self.change(method, &domain, &request.body),
                    _ => self.violation(format!("{method} {}", request.path)),
                }
            }
            _ => self.violation(format!("{} {}", request.method, request.path)),
        }
    }

    fn login(&mut self, request: &Recorded) -> Reply {
        self.logins.push(request.body.clone());
        let Some(fields) = flat_json(&request.body) else {
            return self.violation(format!("auth body is not flat JSON: {}", request.body));
        };
        let member = |name: &str| field(&fields, name);
        for (name, want) in [("read_only", "false"), ("global_key", "true")] {
            if member(name).as_deref() != Some(want) {
                return self.violation(format!("auth: {name} is not {want}"));
            }
        }
        if member("expiration_time").is_none() || member("label").is_none() {
            return self.violation("auth: no expiration_time or label".into());
        }
        let signature = request
            .header("signature")
            .and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok());
        let signed = signature.is_some_and(|s| {
            rsa_key::verifies(&RSA_PKCS1_2048_8192_SHA512, request.body.as_bytes(), &s)
        });
        if !signed {
            return error(401, "Signature invalid");
        }
        let Some(nonce) = member("nonce").filter(|n| n.len() >= 8) else {
            return self.violation("auth: no nonce of 8 characters or more".into());
        };
        if self.nonces.contains(&nonce) {
            return error(401, "Nonce already used");
        }
        self.nonces.push(nonce);
        if member("login").as_deref() != Some(LOGIN) {
            return error(401, "Login or signature invalid");
        }
        let token = format!("eyJ0eXAiOiJKV1Qi.token-{}.sig", self.tokens.len() + 1);
        self.tokens.push(token.clone());
        json_reply(201, &format!(r#"{{"token":"{token}"}}"#))
    }

    fn list(&self, domain: &str) -> Reply {
        let entries: Vec<String> = self
            .entries
            .iter()
            .filter(|e| e.domain == domain)
            .map(|e| {
                format!(
                    r#"{{"name":"{}","expire":{},"type":"{}","content":"{}"}}"#,
                    e.name, e.expire, e.kind, e.content
                )
            })
            .collect();
        json_reply(200, &format!(r#"{{"dnsEntries":[{}]}}"#, entries.join(",")))
    }

    fn change(&mut self, method: &str, domain: &str, body: &str) -> Reply {
        let Some(fields) = dns_entry(body) else {
            return self.violation(format!("{method}: not a dnsEntry: {body}"));
        };
        let (Some(name), Some(expire), Some(kind), Some(content)) = (
            field(&fields, "name"),
            field(&fields, "expire").and_then(|e| e.parse::<u32>().ok()),
            field(&fields, "type"),
            field(&fields, "content"),
        ) else {
            return self.violation(format!("{method}: dnsEntry lacks name/expire/type/content"));
        };
        if !valid_content(&kind, &content) {
            return error(406, &format!("'{content}' is not a valid {kind} content"));
        }
        if method == "POST" {
            self.entries.push(Entry {
                domain: domain.to_string(),
                name,
                expire,
                kind,
                content,
            });
            return Reply::status(201, "");
        }
        let matching: Vec<usize> = (0..self.entries.len())
            .filter(|&i| {
                let e = &self.entries[i];
                e.domain == domain && e.name == name && e.expire == expire && e.kind == kind
            })
            .collect();
        match matching.as_slice() {
            [] => error(404, "Dns entry not found"),
            [one] => {
                self.entries[*one].content = content;
                Reply::status(204, "")
            }
            _ => error(406, "Dns entry has multiple matches"),
        }
    }
}
