//! A fake of Namecheap's dynamic DNS on a [`Mock`], answering as
//! <https://www.namecheap.com/support/knowledgebase/article.aspx/29/11/how-to-dynamically-update-the-hosts-ip-with-an-http-request/>
//! says: `GET /update?host=&domain=&password=&ip=` (`@` for the domain itself),
//! an XML `interface-response` with `<ErrCount>` and `<errors><Err1>..</Err1>`.
//! The password is the domain's Dynamic DNS password ([`PASSWORD`]); a host
//! without an A record is not created ("No Records updated. A record not Found;").
//!
//! What the page does not allow is recorded in [`NamecheapApi::violations`].

use std::sync::{Arc, Mutex};

use super::{Mock, Recorded, Reply, PASSWORD};

#[derive(Default)]
pub struct State {
    pub domains: Vec<String>,
    /// (domain, host, address)
    pub records: Vec<(String, String, String)>,
    pub violations: Vec<String>,
}

#[derive(Clone)]
pub struct NamecheapApi {
    pub state: Arc<Mutex<State>>,
}

/// The XML answer with these errors (none: success).
pub fn answer(errors: &[&str], ip: &str) -> Reply {
    let list: String = errors
        .iter()
        .enumerate()
        .map(|(i, e)| format!("<Err{}>{e}</Err{}>", i + 1, i + 1))
        .collect();
    Reply::status(
        200,
        &format!(
            "<?xml version=\"1.0\" encoding=\"utf-16\"?>\r\n<interface-response><Command>SETDNSHOST</Command>\
             <Language>eng</Language><IP>{ip}</IP><ErrCount>{}</ErrCount><errors>{list}</errors>\
             <ResponseCount>0</ResponseCount><responses /><Done>true</Done><debug><![CDATA[]]></debug></interface-response>",
            errors.len()
        ),
    )
    .header("Content-Type", "text/html")
}

impl NamecheapApi {
    pub fn on(mock: &Mock, domains: &[&str]) -> NamecheapApi {
        let api = NamecheapApi {
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

    pub fn add(&self, domain: &str, host: &str, address: &str) {
        self.lock()
            .records
            .push((domain.to_string(), host.to_string(), address.to_string()));
    }

    pub fn address(&self, domain: &str, host: &str) -> Option<String> {
        self.lock()
            .records
            .iter()
            .find(|(d, h, _)| d == domain && h == host)
            .map(|(_, _, a)| a.clone())
    }

    pub fn violations(&self) -> Vec<String> {
        self.lock().violations.clone()
    }
}

impl State {
    fn answer(&mut self, request: &Recorded) -> Reply {
        if !request.tls || request.method != "GET" || request.path != "/update" {
            self.violations.push(format!(
                "{} {} (tls {})",
                request.method, request.path, request.tls
            ));
            return Reply::status(404, "Not Found");
        }
        let (Some(host), Some(domain), Some(password), Some(ip)) = (
            request.param("host"),
            request.param("domain"),
            request.param("password"),
            request.param("ip"),
        ) else {
            self.violations
                .push(format!("missing parameters: {}", request.target));
            return answer(&["Missing parameters"], "");
        };
        if ip.parse::<std::net::Ipv4Addr>().is_err() {
            return answer(&["Invalid IP"], ip);
        }
        if !self.domains.iter().any(|d| d == domain) {
            return answer(&["Domain name not found"], ip);
        }
        if password != PASSWORD {
            return answer(&["Passwords do not match"], ip);
        }
        match self
            .records
            .iter_mut()
            .find(|(d, h, _)| d == domain && h == host)
        {
            Some(record) => {
                record.2 = ip.to_string();
                answer(&[], ip)
            }
            None => answer(&["No Records updated. A record not Found;"], ip),
        }
    }
}
