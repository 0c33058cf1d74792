//! IONOS' DynDNS, from <https://developer.hosting.ionos.com/docs/dns> ("Dynamic
//! DNS"): a POST of the domains to `/dns/v1/dyndns` (with the API key) hands out
//! an `updateUrl`, `https://ipv4.api.hosting.ionos.com/dns/v1/dyndns?q=TOKEN`;
//! a GET of it sets every domain it was made for. The token (the `q` value) is
//! the secret dynup keeps; the API key is not needed after that. The addresses
//! go in `ipv4` and `ipv6` (unconfirmed: the page shows the URL alone, which sets
//! the address the request comes from). There is no read: the state file keeps
//! an unchanged address from being sent again. Success is a 200 with no body.

use super::api::{self, Change, Fail, Session, Target};
use crate::http::Method;
use crate::url::encode_query_value;

/// The API this module speaks, for its preset row.
pub const API: super::api::Api = super::api::Api {
    name: "ionos-dyndns",
    send,
};

pub fn send(session: &Session, targets: &[Target]) -> Vec<Result<Change, Fail>> {
    // One GET sets every domain of the URL: both families at once.
    let mut path = format!("?q={}", encode_query_value(session.token()));
    for kind in ["A", "AAAA"] {
        if let Some(target) = targets.iter().find(|t| t.kind == kind) {
            let name = if kind == "A" { "ipv4" } else { "ipv6" };
            path.push_str(&format!("&{name}={}", target.addr_text()));
        }
    }
    let result = session
        .send(&session.call(Method::Get, &path, Vec::new(), None))
        .and_then(|answer| {
            if answer.is_success() {
                Ok(Change::Updated)
            } else {
                let exit = api::status_exit(answer.status);
                Err(api::fail(
                    "ionos",
                    "calling the update URL",
                    &answer,
                    exit,
                    "",
                    &answer.body,
                ))
            }
        });
    targets.iter().map(|_| result.clone()).collect()
}
