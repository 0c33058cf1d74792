//! A fake of IONOS' DynDNS update URL on a [`Mock`], answering as
//! <https://developer.hosting.ionos.com/docs/dns> ("Dynamic DNS") says: the
//! `updateUrl` handed out is `GET /dns/v1/dyndns?q=TOKEN` and sets every domain
//! it was made for; success is HTTP 200 with an empty body, an unknown token
//! 401. The addresses are read from `ipv4` and `ipv6` (unconfirmed: the page
//! shows the URL alone). What the page does not allow is recorded in
//! [`IonosApi::violations`].

use std::sync::{Arc, Mutex};

use super::rest::valid_content;
use super::{Mock, Recorded, Reply, TOKEN};

#[derive(Default)]
pub struct State {
    /// The domains the update URL was made for.
    pub domains: Vec<String>,
    /// (domain, type, address)
    pub records: Vec<(String, String, String)>,
    pub violations: Vec<String>,
}

#[derive(Clone)]
pub struct IonosApi {
    pub state: Arc<Mutex<State>>,
}

impl IonosApi {
    pub fn on(mock: &Mock, domains: &[&str]) -> IonosApi {
        let api = IonosApi {
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

    /// The address of `domain`'s record of `kind`.
    pub fn address(&self, domain: &str, kind: &str) -> Option<String> {
        self.lock()
            .records
            .iter()
            .find(|(d, k, _)| d == domain && k == kind)
            .map(|(_, _, a)| a.clone())
    }

    pub fn violations(&self) -> Vec<String> {
        self.lock().violations.clone()
    }
}

impl State {
    fn answer(&mut self, request: &Recorded) -> Reply {
        if !request.tls || request.method != "GET" || request.path != "/dns/v1/dyndns" {
            self.violations.push(format!(
                "{} {} (tls {})",
                request.method, request.path, request.tls
            ));
            return Reply::status(404, "Not Found");
        }
        if request.param("q") != Some(TOKEN) {
            return Reply::status(
                401,
                r#"[{"code":"UNAUTHORIZED","message":"The request is not authorized."}]"#,
            )
            .header("Content-Type", "application/json");
        }
        for (param, kind) in [("ipv4", "A"), ("ipv6", "AAAA")] {
            let Some(address) = request.param(param) else {
                continue;
            };
            if !valid_content(kind, address) {
                return Reply::status(
                    400,
                    r#"[{"code":"INVALID_RECORD","message":"Record is invalid."}]"#,
                )
                .header("Content-Type", "application/json");
            }
            let domains = self.domains.clone();
            for domain in domains {
                self.records
                    .retain(|(d, k, _)| !(d == &domain && k == kind));
                self.records
                    .push((domain, kind.to_string(), address.to_string()));
            }
        }
        Reply::status(200, "")
    }
}
